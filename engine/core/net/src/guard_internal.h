/*
 * guard_internal.h — private to libttnet: the guard's rule tables and its host parser,
 * shared by guard.c, resolve.c and the prod-only guard_prod_hosts.c. Everything here has
 * hidden visibility; nothing outside libttnet may depend on it.
 *
 * A rule is a domain pattern stored as separate labels, rightmost first ({"com",
 * "binance"} is binance.com), so a testnet binary holds no production hostname as one
 * contiguous string. Rules are evaluated in order; the first match decides.
 */
#ifndef TT_GUARD_INTERNAL_H
#define TT_GUARD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tt_compiler.h"

#define TT__GUARD_NAME_MAX	 253 /* RFC 1035 presentation form, no trailing dot */
#define TT__GUARD_LABEL_MAX	 63
#define TT__GUARD_HOST_INPUT_MAX 1024 /* longer input is malformed, not scanned */

enum tt__guard_match {
	TT__GM_EXACT = 0, /* the name is exactly the pattern */
	TT__GM_SUB = 1,	  /* a strict subdomain of the pattern (*.pattern) */
	TT__GM_BOTH = 2,  /* the pattern or any subdomain of it */
};

struct tt__guard_rule {
	const char *lab[4]; /* pattern labels, rightmost first; unused slots NULL */
	uint8_t nlab;	    /* how many of lab[] are used */
	uint8_t match;	    /* enum tt__guard_match */
	uint8_t allow;	    /* 1 allow, 0 deny */
	const char *prefix; /* TT__GM_SUB only: the label left of the pattern starts with this */
	const char *rule;   /* rule name reported in the denied event */
};

struct tt__guard_policy {
	const struct tt__guard_rule *rules; /* ordered; first match wins */
	size_t nrules;			    /* entries in rules */
	const char *flavor;		    /* "testnet" or "prod" */
};

enum tt__guard_kind {
	TT__GH_NAME = 1, /* a DNS name, normalised into name[] */
	TT__GH_V4 = 2,	 /* an IPv4 literal (any inet_aton form, or v4-mapped IPv6) */
	TT__GH_V6 = 3,	 /* an IPv6 literal (not v4-mapped) */
};

struct tt__guard_host {
	int kind;			   /* enum tt__guard_kind */
	uint32_t v4;			   /* TT__GH_V4: address, host byte order */
	uint8_t v6[16];			   /* TT__GH_V6: address, network byte order */
	char name[TT__GUARD_NAME_MAX + 1]; /* TT__GH_NAME: lower case, no trailing dot */
	size_t len;			   /* strlen(name) */
	const char *bad;		   /* on -EINVAL: the rule name saying why */
};


/* Parses and normalises host (name or IP literal, IPv6 optionally in brackets). 0, or
 * -EINVAL with h->bad naming why (no event, no trail: callers report). */
int tt__guard_parse_host(const char *host, struct tt__guard_host *h) TT_HIDDEN;

/* Is this the loopback address? v4 host order. */
static inline int tt__guard_v4_is_loopback(uint32_t a)
{
	return (a >> 24) == 127;
}

#endif /* TT_GUARD_INTERNAL_H */
