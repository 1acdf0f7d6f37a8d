/*
 * test_guard.c — the endpoint guard (tt_guard.h) and the guarded resolver (tt_resolve.h):
 * a table of host:port → allowed / refused-by-rule covering every IPv4 literal form,
 * IPv6, label tricks, case, trailing dots, overlong names and odd bytes; the exact
 * `denied` event line (captured from fd 2) incl. hostile escaping; resolved-address
 * checks; and, in a private network namespace with a recording DNS stub, proof that a
 * refused name never reaches DNS while an allowed one does (the control).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_guard.h"
#include "tt_resolve.h"

/* ---- capturing fd 2 ---------------------------------------------------------------- */

struct capture {
	int saved;
	int rd;
};

static void capture_begin(struct capture *c)
{
	int p[2];

	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	fflush(stderr);
	c->saved = dup(2);
	assert_true(c->saved >= 0);
	assert_int_equal(dup2(p[1], 2), 2);
	close(p[1]);
	c->rd = p[0];
}

/* Restores fd 2; returns what was written (NUL-terminated, static). */
static const char *capture_end(struct capture *c)
{
	static char buf[8192];
	ssize_t n;
	size_t off = 0;

	dup2(c->saved, 2);
	close(c->saved);
	while ((n = read(c->rd, buf + off, sizeof(buf) - 1 - off)) > 0)
		off += (size_t)n;
	close(c->rd);
	buf[off] = '\0';
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- the table ---------------------------------------------------------------------- */

#define OK   0
#define DENY (-TT_EDENIED)
#define BAD  (-EINVAL)

struct row {
	const char *host;
	uint16_t port;
	int rc;
	const char *rule; /* NULL when allowed */
};

#define L63 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L50 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

#ifdef TT_FLAVOR_PROD
/* The prod flavor's table: production hosts allowed, testnet/demo refused. */
#define FLAVOR_TESTNET 0
#define NS_CONTROL     "api.binance.com"
static const char *const ns_denied[] = {"testnet.binance.vision", "demo-api.binance.com",
					"demo-api.kalshi.co", "api.binance.us", "evil.example"};
static const struct row rows[] = {
    {"localhost", 80, OK, NULL},
    {"127.0.0.1", 80, OK, NULL},
    {"api.binance.com", 443, OK, NULL},
    {"stream.binance.com.", 9443, OK, NULL},
    {"fix-oe.binance.com", 9000, OK, NULL},
    {"data-api.binance.vision", 443, OK, NULL},
    {"api.elections.kalshi.com", 443, OK, NULL},
    {"demo-api.binance.com", 443, DENY, "deny_binance_demo"},
    {"testnet.binance.vision", 443, DENY, "deny_testnet_in_prod"},
    {"demo-api.kalshi.co", 443, DENY, "deny_demo_in_prod"},
    {"api.binance.us", 443, DENY, "not_allowlisted"},
    {"api.binance.com.evil.example", 443, DENY, "not_allowlisted"},
    {"xapi.binance.com", 443, DENY, "not_allowlisted"},
    {"8.8.8.8", 443, DENY, "ip_literal_not_allowlisted"},
    {"", 80, BAD, "empty_host"},
};
#else
/* The testnet flavor's table. */
#define FLAVOR_TESTNET 1
#define NS_CONTROL     "testnet.binance.vision"
static const char *const ns_denied[] = {"api.binance.com", "demo-api.binance.com",
					"data-api.binance.vision", "api.elections.kalshi.com",
					"evil.example"};
static const struct row rows[] = {
    /* loopback names and every inet_aton form of 127/8 */
    {"localhost", 80, OK, NULL},
    {"LOCALHOST", 80, OK, NULL},
    {"localhost.", 80, OK, NULL},
    {"LocalHost.", 65535, OK, NULL},
    {"127.0.0.1", 443, OK, NULL},
    {"127.0.0.1.", 443, OK, NULL},
    {"127.1.2.3", 1, OK, NULL},
    {"127.255.255.254", 9, OK, NULL},
    {"127.1", 80, OK, NULL},
    {"127.0.1", 80, OK, NULL},
    {"2130706433", 80, OK, NULL},
    {"0177.0.0.1", 80, OK, NULL},
    {"0x7f.0.0.1", 80, OK, NULL},
    {"0X7F.0x0.00.01", 80, OK, NULL},
    {"0x7F.1", 80, OK, NULL},
    {"0177.0x1.1", 80, OK, NULL},
    {"017700000001", 80, OK, NULL},
    {"0x7f000001", 80, OK, NULL},
    /* IPv6 loopback, bracketed, v4-mapped */
    {"::1", 80, OK, NULL},
    {"[::1]", 80, OK, NULL},
    {"0:0:0:0:0:0:0:1", 80, OK, NULL},
    {"::ffff:127.0.0.1", 80, OK, NULL},
    {"[::ffff:7f00:1]", 80, OK, NULL},
    {"::FFFF:127.9.9.9", 80, OK, NULL},
    /* venue testnet / demo hosts */
    {"testnet.binance.vision", 443, OK, NULL},
    {"TESTNET.Binance.VISION.", 443, OK, NULL},
    {"stream.testnet.binance.vision", 9443, OK, NULL},
    {"ws-api.testnet.binance.vision", 443, OK, NULL},
    {"demo-api.kalshi.co", 443, OK, NULL},
    {"a.b.kalshi.co", 443, OK, NULL},
    {L63 ".kalshi.co", 443, OK, NULL},
    /* production hosts: the deny rule that fired */
    {"api.binance.com", 443, DENY, "deny_binance_com"},
    {"API.BINANCE.COM.", 443, DENY, "deny_binance_com"},
    {"binance.com", 443, DENY, "deny_binance_com"},
    {"stream.binance.com", 9443, DENY, "deny_binance_com"},
    {"fix-oe.binance.com", 443, DENY, "deny_binance_com"},
    {"demo-api.binance.com", 443, DENY, "deny_binance_demo"},
    {"demo-stream.binance.com", 443, DENY, "deny_binance_demo"},
    {"demo.binance.com", 443, DENY, "deny_binance_com"},
    {"api.binance.us", 443, DENY, "deny_binance_us"},
    {"binance.us", 443, DENY, "deny_binance_us"},
    {"data-api.binance.vision", 443, DENY, "deny_binance_vision"},
    {"data-stream.binance.vision", 443, DENY, "deny_binance_vision"},
    {"data.binance.vision", 443, DENY, "deny_binance_vision"},
    {"binance.vision", 443, DENY, "deny_binance_vision"},
    {"xtestnet.binance.vision", 443, DENY, "deny_binance_vision"},
    {"api.elections.kalshi.com", 443, DENY, "deny_kalshi_com"},
    {"kalshi.com", 443, DENY, "deny_kalshi_com"},
    {"trading-api.KALSHI.com.", 443, DENY, "deny_kalshi_com"},
    /* label tricks: suffixes, prefixes, lookalikes */
    {"api.binance.com.evil.example", 443, DENY, "not_allowlisted"},
    {"testnet.binance.vision.evil.example", 443, DENY, "not_allowlisted"},
    {"testnet-binance.vision", 443, DENY, "not_allowlisted"},
    {"testnetbinance.vision", 443, DENY, "not_allowlisted"},
    {"kalshi.co", 443, DENY, "not_allowlisted"},
    {"evilkalshi.co", 443, DENY, "not_allowlisted"},
    {"kalshi.co.evil.example", 443, DENY, "not_allowlisted"},
    {"localhost.evil.example", 80, DENY, "not_allowlisted"},
    {"localhostx", 80, DENY, "not_allowlisted"},
    {"example.com", 80, DENY, "not_allowlisted"},
    /* IP literals that are not loopback */
    {"8.8.8.8", 53, DENY, "ip_literal_not_allowlisted"},
    {"0.0.0.0", 80, DENY, "ip_literal_not_allowlisted"},
    {"0", 80, DENY, "ip_literal_not_allowlisted"},
    {"0x", 80, DENY, "ip_literal_not_allowlisted"},
    {"128.0.0.1", 80, DENY, "ip_literal_not_allowlisted"},
    {"126.255.255.255", 80, DENY, "ip_literal_not_allowlisted"},
    {"0x80000001", 80, DENY, "ip_literal_not_allowlisted"},
    {"2130706431", 80, DENY, "ip_literal_not_allowlisted"}, /* 126.255.255.255 */
    {"2130706432", 80, OK, NULL},			    /* 127.0.0.0 */
    {"0200.0.0.1", 80, DENY, "ip_literal_not_allowlisted"}, /* octal 128 */
    {"::", 80, DENY, "ip_literal_not_allowlisted"},
    {"::2", 80, DENY, "ip_literal_not_allowlisted"},
    {"::ffff:8.8.8.8", 80, DENY, "ip_literal_not_allowlisted"},
    {"::127.0.0.1", 80, DENY, "ip_literal_not_allowlisted"}, /* v4-compatible, not mapped */
    {"[2001:db8::1]", 80, DENY, "ip_literal_not_allowlisted"},
    {"64:ff9b::7f00:1", 80, DENY, "ip_literal_not_allowlisted"}, /* NAT64 */
    /* not IPv4 under inet_aton's grammar, so a (numeric) name: refused as unlisted */
    {"256.0.0.1", 80, DENY, "not_allowlisted"},
    {"4294967296", 80, DENY, "not_allowlisted"},
    {"127.0.0.1.1", 80, DENY, "not_allowlisted"},
    {"08.0.0.1", 80, DENY, "not_allowlisted"},
    {"127.0.0.256", 80, DENY, "not_allowlisted"},
    /* malformed */
    {"", 80, BAD, "empty_host"},
    {NULL, 80, BAD, "empty_host"},
    {".", 80, BAD, "empty_host"},
    {"..", 80, BAD, "empty_label"},
    {"a..kalshi.co", 443, BAD, "empty_label"},
    {".kalshi.co", 443, BAD, "empty_label"},
    {"-a.kalshi.co", 443, BAD, "bad_character"},
    {"a-.kalshi.co", 443, BAD, "bad_label"},
    {"a_b.kalshi.co", 443, BAD, "bad_character"},
    {"a b.kalshi.co", 443, BAD, "bad_character"},
    {"\xff.kalshi.co", 443, BAD, "bad_character"},
    {"x\r\n.kalshi.co", 443, BAD, "bad_character"},
    {"localhost\"", 80, BAD, "bad_character"},
    {"127.0.0.1 ", 80, BAD, "bad_character"},
    {"127.0.0.1 evil", 80, BAD, "bad_character"},
    {"a" L63 ".kalshi.co", 443, BAD, "label_too_long"},
    {L50 "." L50 "." L50 "." L50 "." L50 ".kalshi.co", 443, BAD, "name_too_long"},
    {"fe80::1%lo", 80, BAD, "ipv6_zone_id"},
    {"[::1%lo]", 80, BAD, "ipv6_zone_id"},
    {"[::1", 80, BAD, "bad_ip_literal"},
    {"[127.0.0.1]", 80, BAD, "bad_ip_literal"},
    {"[]", 80, BAD, "bad_ip_literal"},
    {"1:2", 80, BAD, "bad_ip_literal"},
    {"::1.", 80, BAD, "bad_ip_literal"},
    {"localhost", 0, BAD, "bad_port"},
    /* a C string ends at NUL: what follows is never seen */
    {"localhost\0.evil.example", 80, OK, NULL},
};
#endif /* TT_FLAVOR_PROD */

static void test_guard_table_allows_and_refuses_by_rule(void **state)
{
	size_t i;
	int failures = 0;

	assert_true(TT_ARRAY_LEN(rows) >= (FLAVOR_TESTNET ? 60 : 10));
	for (i = 0; i < TT_ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		struct capture c;
		const char *out;
		char want[128];
		int rc;

		tt_err_clear();
		capture_begin(&c);
		rc = tt_guard_check_endpoint(r->host, r->port);
		out = capture_end(&c);
		snprintf(want, sizeof(want), "\"rule\":\"%s\"", r->rule ? r->rule : "");
		if (rc != r->rc ||
		    (r->rule ? count_lines(out) != 1 || !strstr(out, want) : out[0] != '\0') ||
		    (r->rule && tt_err_code() != r->rc)) {
			print_error("row %zu host '%s':%u: rc %d want %d, event: %s\n", i,
				    r->host ? r->host : "(null)", r->port, rc, r->rc, out);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_denied_event_is_one_exact_json_line(void **state)
{
	struct capture c;
	const char *out;
	char want[512];

	capture_begin(&c);
	assert_int_equal(tt_guard_check_endpoint("evil.example", 443), -TT_EDENIED);
	out = capture_end(&c);
	/* the shared log envelope first (ts, level, proc, pid), then the event */
	assert_true(strncmp(out, "{\"ts\":\"", 7) == 0);
	snprintf(want, sizeof(want),
		 "\"event\":\"denied\",\"what\":\"connect\",\"target\":\"evil.example:443\","
		 "\"rule\":\"not_allowlisted\",\"process\":\"%s\",\"flavor\":\"%s\"}\n",
		 program_invocation_short_name, TT_FLAVOR_NAME);
	assert_non_null(strstr(out, want));
	assert_string_equal(strstr(out, want), want); /* the line ends there */
	assert_int_equal(count_lines(out), 1);
	assert_int_equal(tt_err_code(), -TT_EDENIED);
	assert_non_null(strstr(tt_err_msg(), "not_allowlisted"));
}

static void test_denied_event_escapes_hostile_target(void **state)
{
	struct capture c;
	const char *out;
	const char *p;

	capture_begin(&c);
	assert_int_equal(tt_guard_check_endpoint("a\"b\\c\n\x01\xff}", 7), -EINVAL);
	out = capture_end(&c);
	assert_non_null(strstr(out, "\"target\":\"a\\\"b\\\\c\\n\\u0001\\u00ff}:7\""));
	assert_int_equal(count_lines(out), 1);
	for (p = out; *p; p++) /* only printable ASCII plus the final newline */
		assert_true((*p >= 0x20 && *p < 0x7f) || (*p == '\n' && p[1] == '\0'));
}

static void test_denied_event_truncates_long_target(void **state)
{
	char host[1000];
	struct capture c;
	const char *out;

	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	capture_begin(&c);
	assert_int_equal(tt_guard_check_endpoint(host, 1), -EINVAL);
	out = capture_end(&c);
	assert_int_equal(count_lines(out), 1);
	assert_true(strlen(out) < 600);
	assert_non_null(strstr(out, "aaa...:1\""));
	assert_non_null(strstr(out, "\"rule\":\"name_too_long\""));
}

/* ---- addresses ---------------------------------------------------------------------- */

static socklen_t mk4(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &s->sin_addr), 1);
	return sizeof(*s);
}

static socklen_t mk6(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
	return sizeof(*s);
}

static int quiet_sockaddr(const struct sockaddr_storage *ss, socklen_t len)
{
	struct capture c;
	int rc;

	capture_begin(&c);
	rc = tt_guard_check_sockaddr((const struct sockaddr *)ss, len);
	capture_end(&c);
	return rc;
}

static int quiet_resolved(const char *host, const struct sockaddr_storage *ss, socklen_t len,
			  const char *rule)
{
	struct capture c;
	const char *out;
	int rc;

	capture_begin(&c);
	rc = tt_guard_check_resolved(host, (const struct sockaddr *)ss, len);
	out = capture_end(&c);
	if (rule) {
		char want[128];

		snprintf(want, sizeof(want), "\"rule\":\"%s\"", rule);
		assert_non_null(strstr(out, want));
	} else {
		assert_string_equal(out, "");
	}
	return rc;
}

static void test_sockaddr_allows_loopback_only(void **state)
{
	struct sockaddr_storage ss;
	socklen_t l;

	l = mk4(&ss, "127.0.0.1", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), 0);
	l = mk4(&ss, "127.200.0.9", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), 0);
	l = mk6(&ss, "::1", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), 0);
	l = mk6(&ss, "::ffff:127.0.0.1", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), 0);
	l = mk4(&ss, "8.8.8.8", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), -TT_EDENIED);
	l = mk4(&ss, "0.0.0.0", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), -TT_EDENIED);
	l = mk6(&ss, "::ffff:8.8.8.8", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), -TT_EDENIED);
	l = mk6(&ss, "::", 80);
	assert_int_equal(quiet_sockaddr(&ss, l), -TT_EDENIED);
	l = mk4(&ss, "127.0.0.1", 0);
	assert_int_equal(quiet_sockaddr(&ss, l), -EINVAL);
	l = mk4(&ss, "127.0.0.1", 80);
	assert_int_equal(quiet_sockaddr(&ss, l - 1), -EINVAL);
	ss.ss_family = AF_UNIX;
	assert_int_equal(quiet_sockaddr(&ss, sizeof(ss)), -EINVAL);
	assert_int_equal(quiet_sockaddr(NULL, 0), -EINVAL);
}

static void test_resolved_address_must_fit_the_name(void **state)
{
	struct sockaddr_storage ss;
	socklen_t l;

	if (!FLAVOR_TESTNET)
		skip(); /* the names below are testnet's */
	l = mk4(&ss, "52.1.2.3", 443);
	assert_int_equal(quiet_resolved("testnet.binance.vision", &ss, l, NULL), 0);
	l = mk6(&ss, "2a05:d000::1", 443);
	assert_int_equal(quiet_resolved("demo-api.kalshi.co", &ss, l, NULL), 0);
	l = mk4(&ss, "127.0.0.1", 443);
	assert_int_equal(quiet_resolved("localhost", &ss, l, NULL), 0);
	l = mk4(&ss, "10.0.0.1", 443);
	assert_int_equal(
	    quiet_resolved("testnet.binance.vision", &ss, l, "resolved_non_public_addr"),
	    -TT_EDENIED);
	assert_non_null(strstr(tt_err_msg(), "10.0.0.1"));
	l = mk4(&ss, "169.254.169.254", 80);
	assert_int_equal(
	    quiet_resolved("testnet.binance.vision", &ss, l, "resolved_non_public_addr"),
	    -TT_EDENIED);
	l = mk4(&ss, "192.168.1.1", 80);
	assert_int_equal(quiet_resolved("demo-api.kalshi.co", &ss, l, "resolved_non_public_addr"),
			 -TT_EDENIED);
	l = mk6(&ss, "fe80::1", 80);
	assert_int_equal(quiet_resolved("demo-api.kalshi.co", &ss, l, "resolved_non_public_addr"),
			 -TT_EDENIED);
	l = mk6(&ss, "::ffff:10.1.1.1", 80);
	assert_int_equal(quiet_resolved("demo-api.kalshi.co", &ss, l, "resolved_non_public_addr"),
			 -TT_EDENIED);
	l = mk4(&ss, "52.1.2.3", 443);
	assert_int_equal(quiet_resolved("api.binance.com", &ss, l, "deny_binance_com"),
			 -TT_EDENIED);
	l = mk4(&ss, "127.0.0.2", 443);
	assert_int_equal(quiet_resolved("127.0.0.1", &ss, l, "resolved_addr_mismatch"),
			 -TT_EDENIED);
	l = mk4(&ss, "127.0.0.1", 443);
	assert_int_equal(quiet_resolved("0x7f.1", &ss, l, NULL), 0);
}

static void test_resolve_literals_without_dns(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct capture c;

	assert_int_equal(tt_net_resolve("0177.0.0.1", 8080, &ss, &len), 0);
	assert_int_equal(len, sizeof(*s4));
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001u);
	assert_int_equal(ntohs(s4->sin_port), 8080);
	assert_int_equal(tt_net_resolve("localhost.", 1, &ss, &len), 0);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001u);
	assert_int_equal(tt_net_resolve("::ffff:127.0.0.5", 2, &ss, &len), 0);
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000005u);
	assert_int_equal(tt_net_resolve("[::1]", 3, &ss, &len), 0);
	assert_int_equal(len, sizeof(*s6));
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	assert_int_equal(ntohs(s6->sin6_port), 3);
	capture_begin(&c);
	assert_int_equal(tt_net_resolve("8.8.8.8", 53, &ss, &len), -TT_EDENIED);
	assert_int_equal(tt_net_resolve("", 53, &ss, &len), -EINVAL);
	capture_end(&c);
}

/* ---- refusal happens before DNS: a recording stub in a private namespace ------------ */

#include "../common/tt_dns_stub.h"

struct ns_result {
	int setup; /* 0 ok, 77 not permitted (skip), else the failed step */
	int denied_rc[TT_ARRAY_LEN(ns_denied)]; /* tt_net_resolve on refused names */
	int denied_queries;			/* queries the stub saw after the refused names */
	int control_rc;				/* tt_net_resolve on the allowed testnet name */
	int control_queries;			/* queries after the control */
	char control_name[64];			/* first name the stub saw */
	int connect_errno; /* connect() to a public address from inside: no route */
};

static void ns_child(struct ns_result *r)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct sockaddr_storage ss;
	socklen_t len;
	pthread_t th;
	int fd;
	size_t i;

	r->setup = stub_enter(&th);
	if (r->setup)
		return;
	for (i = 0; i < TT_ARRAY_LEN(ns_denied); i++)
		r->denied_rc[i] = tt_net_resolve(ns_denied[i], 443, &ss, &len);
	r->denied_queries = stub_count();
	r->control_rc = tt_net_resolve(NS_CONTROL, 443, &ss, &len);
	/* even a guard bypass could not reach anything: the namespace has no route */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons(443);
	a.sin_addr.s_addr = htonl(0xc0000201u); /* 192.0.2.1, TEST-NET-1 */
	r->connect_errno = connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? errno : 0;
	close(fd);
	r->control_queries = stub_count();
	__atomic_store_n(&stub.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (stub.n > 0)
		snprintf(r->control_name, sizeof(r->control_name), "%.63s", stub.names[0]);
	close(stub.fd);
}

/* The child lives in its own network namespace (only lo; no route anywhere, so nothing
 * could be connected to even if the guard failed) and mount namespace (its own
 * resolv.conf pointing at the stub). Refused names must produce zero queries; the
 * allowed testnet name must produce at least one, proving the stub would have seen a
 * leak. */
static void test_refused_name_never_reaches_dns(void **state)
{
	struct ns_result *r;
	pid_t pid;
	int st;
	size_t i;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(r != MAP_FAILED);
	memset(r, 0, sizeof(*r));
	r->setup = -1;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		r->setup = 0;
		ns_child(r);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (r->setup == 77) {
		munmap(r, sizeof(*r));
		skip(); /* unshare not permitted here: reported as a skip, never a pass */
	}
	assert_int_equal(r->setup, 0);
	assert_int_equal(r->denied_queries, 0);
	for (i = 0; i < TT_ARRAY_LEN(r->denied_rc); i++)
		assert_int_equal(r->denied_rc[i], -TT_EDENIED);
	assert_true(r->control_rc < 0); /* NXDOMAIN from the stub */
	assert_true(r->control_queries >= 1);
	assert_string_equal(r->control_name, NS_CONTROL);
	assert_int_equal(r->connect_errno, ENETUNREACH);
	munmap(r, sizeof(*r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guard_table_allows_and_refuses_by_rule),
	    cmocka_unit_test(test_denied_event_is_one_exact_json_line),
	    cmocka_unit_test(test_denied_event_escapes_hostile_target),
	    cmocka_unit_test(test_denied_event_truncates_long_target),
	    cmocka_unit_test(test_sockaddr_allows_loopback_only),
	    cmocka_unit_test(test_resolved_address_must_fit_the_name),
	    cmocka_unit_test(test_resolve_literals_without_dns),
	    cmocka_unit_test(test_refused_name_never_reaches_dns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
