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


/* Byte helpers for the guard's decision path. The guard never calls libc's string and
 * memory functions while it decides or builds the address it hands back: those go
 * through the PLT, and an LD_PRELOAD shim that redefines memcmp/strlen/memcpy could
 * flip a rule or rewrite an approved name (tests/redteam: preload_shim_of_*). These are
 * plain loops; guard.c and resolve.c are compiled with -fno-builtin and, with gcc,
 * -fno-tree-loop-distribute-patterns so the loops are not turned back into libc calls
 * (tests/redteam checks the objects' undefined symbols). */
static inline int tt__guard_memeq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

static inline size_t tt__guard_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static inline size_t tt__guard_strlen(const char *s)
{
	return tt__guard_strnlen(s, (size_t)-1);
}

static inline const char *tt__guard_memchr(const char *s, int c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == (char)c)
			return s + i;
	return NULL;
}

static inline const char *tt__guard_memrchr(const char *s, int c, size_t n)
{
	while (n-- > 0)
		if (s[n] == (char)c)
			return s + n;
	return NULL;
}

static inline void tt__guard_memcpy(void *d, const void *s, size_t n)
{
	unsigned char *o = d;
	const unsigned char *i = s;

	for (size_t k = 0; k < n; k++)
		o[k] = i[k];
}

static inline void tt__guard_zero(void *d, size_t n)
{
	unsigned char *o = d;

	for (size_t k = 0; k < n; k++)
		o[k] = 0;
}

/* Parses and normalises host (name or IP literal, IPv6 optionally in brackets). 0, or
 * -EINVAL with h->bad naming why (no event, no trail: callers report). */
int tt__guard_parse_host(const char *host, struct tt__guard_host *h) TT_HIDDEN;

/* Is this the loopback address? v4 host order. */
static inline int tt__guard_v4_is_loopback(uint32_t a)
{
	return (a >> 24) == 127;
}

#endif /* TT_GUARD_INTERNAL_H */
