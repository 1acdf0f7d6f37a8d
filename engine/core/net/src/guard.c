/*
 * guard.c — the endpoint guard behind tt_guard.h (DESIGN §4, §6). Every outbound
 * connection's host:port passes tt_guard_check_endpoint() before any DNS lookup, and the
 * resolved address passes tt_guard_check_resolved() (or tt_guard_check_sockaddr()) before
 * connect. tt_net_resolve() (resolve.c) chains the three; it is the only resolver the net
 * code may use.
 *
 * Invariants:
 *  - Names are lower-cased, one trailing dot dropped, validated (LDH labels of 1..63
 *    bytes, 253 bytes in all) and compared label by label from the right, never by
 *    substring: xtestnet.binance.vision and testnet.binance.vision.evil.example do not
 *    match the testnet rule.
 *  - IP literals are parsed in every form inet_aton accepts (1..4 parts, decimal, octal,
 *    hex, mixed) and as IPv6 (brackets allowed, zone ids refused, v4-mapped treated as the
 *    IPv4 address) and compared as addresses. The testnet flavor allows loopback only.
 *  - A refusal writes exactly one JSON `denied` line to fd 2 with one write() and sets a
 *    tt_err trail. Malformed input is a refusal too (-EINVAL, rule says why).
 *  - The rule table is chosen at compile time: the testnet table lives here, the prod
 *    table only in the prod-only guard_prod_hosts.c. Only the public API is visible.
 *
 * Flow:   host ──tt__guard_parse_host──> name | v4 | v6 ──policy──> allow | deny(rule)
 *         resolved addr ──loopback? allow : (name allowed && public unicast) ? allow : deny
 */
#include "tt_guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard_internal.h"
#include "tt_denied.h"
#include "tt_err.h"

#ifdef TT_FLAVOR_PROD
extern const struct tt__guard_policy tt__guard_prod_policy TT_HIDDEN;
#define TT_GUARD_POLICY (&tt__guard_prod_policy)
#else
/* Testnet: loopback, Binance Spot testnet, Kalshi demo. The deny rules only name the
 * reason: everything not allowed above them is refused anyway. Labels rightmost first. */
static const struct tt__guard_rule tt_guard_testnet_rules[] = {
    {{"localhost"}, 1, TT__GM_EXACT, 1, NULL, "loopback_name"},
    {{"vision", "binance", "testnet"}, 3, TT__GM_BOTH, 1, NULL, "testnet_binance"},
    {{"co", "kalshi"}, 2, TT__GM_SUB, 1, NULL, "demo_kalshi"},
    {{"com", "binance"}, 2, TT__GM_SUB, 0, "demo-", "deny_binance_demo"},
    {{"com", "binance"}, 2, TT__GM_BOTH, 0, NULL, "deny_binance_com"},
    {{"us", "binance"}, 2, TT__GM_BOTH, 0, NULL, "deny_binance_us"},
    {{"vision", "binance"}, 2, TT__GM_BOTH, 0, NULL, "deny_binance_vision"},
    {{"com", "kalshi"}, 2, TT__GM_BOTH, 0, NULL, "deny_kalshi_com"},
};
static const struct tt__guard_policy tt_guard_testnet_policy = {
    tt_guard_testnet_rules, TT_ARRAY_LEN(tt_guard_testnet_rules), "testnet"};
#define TT_GUARD_POLICY (&tt_guard_testnet_policy)
#endif

#define TT_GUARD_TARGET_SHOW 256 /* bytes of a hostile target echoed in events */

/* Where denied events go: fd 2. Hidden (not part of the API); the fuzz targets point it
 * at /dev/null, and the logging module may take the event over later. */

/* ---- parsing ---------------------------------------------------------------------- */

static int tt_guard_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* inet_aton's grammar, strictly: 1..4 parts, each decimal, 0-octal or 0x-hex ("0x" alone
 * is 0, as in glibc), the last part filling the remaining bytes. No trailing junk or
 * whitespace (glibc's inet_aton ignores what follows a space; we refuse it). */
static int tt_guard_parse_v4(const char *s, size_t n, uint32_t *out)
{
	uint64_t parts[4];
	int np = 0;
	size_t i = 0;

	for (;;) {
		unsigned base = 10;
		uint64_t v = 0;

		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		if (s[i] == '0') {
			i++;
			if (i < n && (s[i] == 'x' || s[i] == 'X')) {
				base = 16;
				i++;
			} else {
				base = 8;
			}
		}
		while (i < n) {
			int d = tt_guard_hexval((unsigned char)s[i]);

			if (d < 0 || (unsigned)d >= base) {
				if (d >= 0 && base != 16)
					return -1; /* 8/9 in octal, a-f in decimal */
				break;
			}
			v = v * base + (unsigned)d;
			if (v > 0xffffffffu)
				return -1;
			i++;
		}
		if (np == 4)
			return -1;
		parts[np++] = v;
		if (i < n && s[i] == '.') {
			i++;
			continue;
		}
		break;
	}
	if (i != n)
		return -1;
	switch (np) {
	case 1:
		*out = (uint32_t)parts[0];
		return 0;
	case 2:
		if (parts[0] > 0xff || parts[1] > 0xffffff)
			return -1;
		*out = (uint32_t)(parts[0] << 24 | parts[1]);
		return 0;
	case 3:
		if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff)
			return -1;
		*out = (uint32_t)(parts[0] << 24 | parts[1] << 16 | parts[2]);
		return 0;
	default:
		if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xff || parts[3] > 0xff)
			return -1;
		*out = (uint32_t)(parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]);
		return 0;
	}
}

static int tt_guard_v6_is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return tt__guard_memeq(a, pfx, sizeof(pfx));
}

static void tt_guard_set_v6(struct tt__guard_host *h, const uint8_t a[16])
{
	if (tt_guard_v6_is_v4mapped(a)) {
		h->kind = TT__GH_V4;
		h->v4 =
		    (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
	} else {
		h->kind = TT__GH_V6;
		tt__guard_memcpy(h->v6, a, 16);
	}
}

static int tt_guard_parse_v6(const char *s, size_t n, struct tt__guard_host *h)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t a[16];

	if (tt__guard_memchr(s, '%', n)) {
		h->bad = "ipv6_zone_id";
		return -EINVAL;
	}
	if (n == 0 || n >= sizeof(buf)) {
		h->bad = "bad_ip_literal";
		return -EINVAL;
	}
	tt__guard_memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, a) != 1) {
		h->bad = "bad_ip_literal";
		return -EINVAL;
	}
	tt_guard_set_v6(h, a);
	return 0;
}

static int tt_guard_is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

int tt__guard_parse_host(const char *host, struct tt__guard_host *h)
{
	size_t n;
	size_t i;
	size_t lab = 0;

	tt__guard_zero(h, sizeof(*h));
	if (!host) {
		h->bad = "empty_host";
		return -EINVAL;
	}
	n = tt__guard_strnlen(host, TT__GUARD_HOST_INPUT_MAX + 1);
	if (n == 0) {
		h->bad = "empty_host";
		return -EINVAL;
	}
	if (n > TT__GUARD_HOST_INPUT_MAX) {
		h->bad = "name_too_long";
		return -EINVAL;
	}
	if (host[0] == '[') {
		if (n < 2 || host[n - 1] != ']') {
			h->bad = "bad_ip_literal";
			return -EINVAL;
		}
		return tt_guard_parse_v6(host + 1, n - 2, h);
	}
	if (tt__guard_memchr(host, ':', n))
		return tt_guard_parse_v6(host, n, h);
	if (host[n - 1] == '.')
		n--; /* one trailing dot: the absolute form of the same name */
	if (n == 0) {
		h->bad = "empty_host";
		return -EINVAL;
	}
	if (tt_guard_parse_v4(host, n, &h->v4) == 0) {
		h->kind = TT__GH_V4;
		return 0;
	}
	if (n > TT__GUARD_NAME_MAX) {
		h->bad = "name_too_long";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		int c = (unsigned char)host[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == '.') {
			if (lab == 0 || h->name[i - 1] == '-') {
				h->bad = lab == 0 ? "empty_label" : "bad_label";
				return -EINVAL;
			}
			lab = 0;
		} else {
			if (!tt_guard_is_ldh(c) || (lab == 0 && c == '-')) {
				h->bad = "bad_character";
				return -EINVAL;
			}
			if (++lab > TT__GUARD_LABEL_MAX) {
				h->bad = "label_too_long";
				return -EINVAL;
			}
		}
		h->name[i] = (char)c;
	}
	if (lab == 0 || h->name[n - 1] == '-') {
		h->bad = lab == 0 ? "empty_label" : "bad_label";
		return -EINVAL;
	}
	h->name[n] = '\0';
	h->len = n;
	h->kind = TT__GH_NAME;
	return 0;
}

/* ---- rules ------------------------------------------------------------------------ */

/* Does normalised name[0..len) match rule r? Labels are compared from the right. */
static int tt_guard_rule_matches(const struct tt__guard_rule *r, const char *name, size_t len)
{
	size_t end = len; /* the unmatched part is name[0..end) */
	unsigned k;

	for (k = 0; k < r->nlab; k++) {
		size_t ll = tt__guard_strlen(r->lab[k]);

		if (end < ll || !tt__guard_memeq(name + end - ll, r->lab[k], ll))
			return 0;
		end -= ll;
		if (end > 0) {
			if (name[end - 1] != '.')
				return 0; /* a label boundary, not a suffix (xtestnet) */
			end--;
		} else if (k + 1 < r->nlab) {
			return 0;
		}
	}
	/* when end > 0 the name has more labels, and name[end] is the dot before them */
	switch (r->match) {
	case TT__GM_EXACT:
		return end == 0;
	case TT__GM_SUB:
		if (end == 0)
			return 0;
		if (r->prefix) {
			size_t pl = tt__guard_strlen(r->prefix);
			const char *dot = tt__guard_memrchr(name, '.', end);
			const char *left = dot ? dot + 1 : name;

			return (size_t)(name + end - left) >= pl &&
			       tt__guard_memeq(left, r->prefix, pl);
		}
		return 1;
	default:
		return 1;
	}
}

/* The first rule matching name, or NULL (default deny). */
static const struct tt__guard_rule *tt_guard_lookup(const char *name, size_t len)
{
	const struct tt__guard_policy *p = TT_GUARD_POLICY;
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (tt_guard_rule_matches(&p->rules[i], name, len))
			return &p->rules[i];
	return NULL;
}

/* Addresses a name may resolve to: public unicast (and loopback, checked by callers).
 * Refuses unspecified, private, shared, link-local (cloud metadata), benchmark,
 * documentation, multicast and reserved ranges, so DNS cannot point an allowed name inside. */
static int tt_guard_v4_is_public(uint32_t a)
{
	return !((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
		 (a & 0xffc00000u) == 0x64400000u || /* 100.64/10 */
		 (a & 0xffff0000u) == 0xa9fe0000u || /* 169.254/16 */
		 (a & 0xfff00000u) == 0xac100000u || /* 172.16/12 */
		 (a & 0xffffff00u) == 0xc0000000u || /* 192.0.0/24 */
		 (a & 0xffffff00u) == 0xc0000200u || /* 192.0.2/24, documentation */
		 (a & 0xffffff00u) == 0xc6336400u || /* 198.51.100/24, documentation */
		 (a & 0xffffff00u) == 0xcb007100u || /* 203.0.113/24, documentation */
		 (a & 0xffff0000u) == 0xc0a80000u || /* 192.168/16 */
		 (a & 0xfffe0000u) == 0xc6120000u || /* 198.18/15 */
		 (a >> 28) >= 0xe);		     /* multicast, reserved, broadcast */
}

static int tt_guard_v6_is_public(const uint8_t a[16])
{
	static const uint8_t zero12[12];

	if (tt__guard_memeq(a, zero12, 12))
		return 0; /* ::, ::1, v4-compatible */
	if (a[0] == 0xff || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) >= 0x80))
		return 0; /* multicast, ULA, link-local and site-local */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return 0; /* documentation */
	return 1;
}

static int tt_guard_v6_is_loopback(const uint8_t a[16])
{
	static const uint8_t lo[16] = {[15] = 1};

	return tt__guard_memeq(a, lo, 16);
}

/* ---- the denied event --------------------------------------------------------------- */

/* The one `denied` event (tt_denied.h): target is raw bytes, at most
 * TT_GUARD_TARGET_SHOW echoed, then "...", then ":port". */
static __tt_cold void tt__guard_emit_denied(const char *target, size_t tlen, unsigned port,
					    const char *rule)
{
	char t[TT_GUARD_TARGET_SHOW + 16];
	size_t n = tlen > TT_GUARD_TARGET_SHOW ? TT_GUARD_TARGET_SHOW : tlen;

	tt__guard_memcpy(t, target, n);
	snprintf(t + n, sizeof(t) - n, "%s:%u", tlen > TT_GUARD_TARGET_SHOW ? "..." : "", port);
	tt_denied_emit("connect", t, rule);
}

static __tt_cold int tt_guard_deny(int code, const char *target, size_t tlen, unsigned port,
				   const char *rule)
{
	tt__guard_emit_denied(target, tlen, port, rule);
	return tt_err_set(code, "connect to %.*s:%u refused by the %s guard (rule %s)",
			  (int)(tlen > TT_GUARD_TARGET_SHOW ? TT_GUARD_TARGET_SHOW : tlen), target,
			  port, TT_GUARD_POLICY->flavor, rule);
}

/* ---- public API ------------------------------------------------------------------- */

/* The decision for a parsed host; NULL when allowed, else the rule that refuses. */
static const char *tt_guard_decide(const struct tt__guard_host *h)
{
	const struct tt__guard_rule *r;

	switch (h->kind) {
	case TT__GH_V4:
		return tt__guard_v4_is_loopback(h->v4) ? NULL : "ip_literal_not_allowlisted";
	case TT__GH_V6:
		return tt_guard_v6_is_loopback(h->v6) ? NULL : "ip_literal_not_allowlisted";
	default:
		r = tt_guard_lookup(h->name, h->len);
		if (!r)
			return "not_allowlisted";
		return r->allow ? NULL : r->rule;
	}
}

int tt_guard_check_endpoint(const char *host, uint16_t port)
{
	struct tt__guard_host h;
	const char *hs = host ? host : "";
	size_t hl = tt__guard_strnlen(hs, TT__GUARD_HOST_INPUT_MAX + 1);
	const char *rule;

	if (tt__guard_parse_host(host, &h) < 0)
		return tt_guard_deny(-EINVAL, hs, hl, port, h.bad);
	if (port == 0)
		return tt_guard_deny(-EINVAL, hs, hl, port, "bad_port");
	rule = tt_guard_decide(&h);
	if (rule)
		return tt_guard_deny(-TT_EDENIED, hs, hl, port, rule);
	return 0;
}

/* Unpacks sa into (v4 | v6, port); v4-mapped IPv6 becomes v4. -EINVAL if malformed. */
static int tt_guard_unpack(const struct sockaddr *sa, socklen_t len, struct tt__guard_host *a,
			   unsigned *port)
{
	tt__guard_zero(a, sizeof(*a));
	if (!sa)
		return -EINVAL;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		a->kind = TT__GH_V4;
		a->v4 = ntohl(s4->sin_addr.s_addr);
		*port = ntohs(s4->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		tt_guard_set_v6(a, s6->sin6_addr.s6_addr);
		*port = ntohs(s6->sin6_port);
		return 0;
	}
	return -EINVAL;
}

/* "1.2.3.4" or "[2001:db8::1]" into buf; returns length. */
static size_t tt_guard_addr_text(const struct tt__guard_host *a, char *buf, size_t cap)
{
	if (a->kind == TT__GH_V4) {
		struct in_addr in = {htonl(a->v4)};

		inet_ntop(AF_INET, &in, buf, (socklen_t)cap);
	} else if (a->kind == TT__GH_V6) {
		size_t e;

		buf[0] = '[';
		inet_ntop(AF_INET6, a->v6, buf + 1, (socklen_t)cap - 2);
		e = tt__guard_strnlen(buf, cap - 1);
		if (e + 1 < cap) {
			buf[e] = ']';
			buf[e + 1] = '\0';
		}
	} else {
		snprintf(buf, cap, "(family?)");
	}
	return tt__guard_strlen(buf);
}

int tt_guard_check_sockaddr(const struct sockaddr *sa, socklen_t len)
{
	struct tt__guard_host a;
	char txt[INET6_ADDRSTRLEN + 4];
	unsigned port = 0;
	size_t tl;

	if (tt_guard_unpack(sa, len, &a, &port) < 0)
		return tt_guard_deny(-EINVAL, "(sockaddr)", 10, 0, "bad_sockaddr");
	tl = tt_guard_addr_text(&a, txt, sizeof(txt));
	if (port == 0)
		return tt_guard_deny(-EINVAL, txt, tl, port, "bad_port");
	if (a.kind == TT__GH_V4 ? tt__guard_v4_is_loopback(a.v4) : tt_guard_v6_is_loopback(a.v6))
		return 0;
	return tt_guard_deny(-TT_EDENIED, txt, tl, port, "addr_not_loopback");
}

int tt_guard_check_resolved(const char *host, const struct sockaddr *sa, socklen_t len)
{
	struct tt__guard_host h;
	struct tt__guard_host a;
	char txt[INET6_ADDRSTRLEN + 4];
	const char *hs = host ? host : "";
	size_t hl = tt__guard_strnlen(hs, TT__GUARD_HOST_INPUT_MAX + 1);
	unsigned port = 0;
	const char *rule;
	size_t tl;
	int loop;

	if (tt__guard_parse_host(host, &h) < 0)
		return tt_guard_deny(-EINVAL, hs, hl, 0, h.bad);
	if (tt_guard_unpack(sa, len, &a, &port) < 0)
		return tt_guard_deny(-EINVAL, hs, hl, 0, "bad_sockaddr");
	if (port == 0)
		return tt_guard_deny(-EINVAL, hs, hl, port, "bad_port");
	rule = tt_guard_decide(&h);
	if (rule)
		return tt_guard_deny(-TT_EDENIED, hs, hl, port, rule);
	loop = a.kind == TT__GH_V4 ? tt__guard_v4_is_loopback(a.v4) : tt_guard_v6_is_loopback(a.v6);
	if (h.kind != TT__GH_NAME) {
		/* an allowed literal is loopback; the address must be that very address */
		if (h.kind == a.kind &&
		    (h.kind == TT__GH_V4 ? h.v4 == a.v4 : tt__guard_memeq(h.v6, a.v6, 16)))
			return 0;
		rule = "resolved_addr_mismatch";
	} else if (loop) {
		return 0;
	} else if (a.kind == TT__GH_V4 ? tt_guard_v4_is_public(a.v4)
				       : tt_guard_v6_is_public(a.v6)) {
		return 0;
	} else {
		rule = "resolved_non_public_addr";
	}
	tl = tt_guard_addr_text(&a, txt, sizeof(txt));
	tt_guard_deny(-TT_EDENIED, hs, hl, port, rule);
	return tt_err_add("resolved address %.*s", (int)tl, txt);
}
