/*
 * bench_oe.c — tt-bench-oe: the cost of one order on tt-oe's send path, stage by stage:
 *
 *   risk    filters (tt_oe_filter_check) + every pre-trade check (tt_risk_check_order:
 *           qty, notional, collar against a reference, position, gross, open orders,
 *           order and message throttles, duplicate window, self-trade, daily loss)
 *   journal INTENT record appended to a real journal file (tt_journal_append, mmap)
 *   encode  order.place request (tt_bn_enc_order_place): session (Ed25519 logon) mode,
 *           or HMAC mode (per-request HMAC-SHA256 over the sorted params) with --hmac
 *   tls     WebSocket frame (masked, tt_ws_encode) + TLS 1.3 encrypt (tt_tls over the
 *           memory BIO of a session established in-process with a test certificate)
 *   kernel  write(2) of the ciphertext to a loopback TCP socket (what tt-oe does; the
 *           send runs the receiver's TCP input in the same call), or a pipe (--pipe)
 *   total   sum of the above, per order
 *
 * Usage: tt-bench-oe [--hmac] [--pipe] [--iters N] [--cpu C]. Prints p50/p90/p99/p99.9 in ns.
 * Numbers are only meaningful on an idle machine; the CI box is not one.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "bench_util.h"
#include "hist.h"
#include "tt_clock.h"
#include "tt_err.h"
#include "tt_journal.h"
#include "tt_oe.h"
#include "tt_tls.h"
#include "tt_ws.h"

enum { ST_RISK, ST_JOURNAL, ST_ENCODE, ST_TLS, ST_KERNEL, ST_TOTAL, ST_N };
static const char *const st_name[ST_N] = { "risk", "journal", "encode", "ws+tls", "kernel",
					    "total" };

static void die(const char *what)
{
	fprintf(stderr, "tt-bench-oe: %s: %s\n", what, tt_err_msg());
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* Self-signed certificate for "localhost", also the CA the client trusts. */
static void make_cert(const char *ca_path, EVP_PKEY **key, X509 **crt)
{
	X509 *x = X509_new();
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509_NAME *n;
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	FILE *f;

	if (!x || !k)
		die("keygen");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
				   -1, 0);
	X509_set_issuer_name(x, n);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, "DNS:localhost");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (!X509_sign(x, k, EVP_sha256()))
		die("X509_sign");
	f = fopen(ca_path, "w");
	if (!f || !PEM_write_X509(f, x))
		die("write ca");
	fclose(f);
	*key = k;
	*crt = x;
}

/* Runs the handshake between tt_tls (client) and an OpenSSL server over memory. */
static void handshake(struct tt_tls *t, SSL *srv, BIO *srv_net)
{
	unsigned char buf[16384];

	for (int i = 0; i < 100; i++) {
		int rc = tt_tls_handshake(t);
		size_t n;
		int m;

		while ((n = tt_tls_out_take(t, buf, sizeof(buf))) > 0)
			BIO_write(srv_net, buf, (int)n);
		(void)SSL_do_handshake(srv);
		while ((m = BIO_read(srv_net, buf, sizeof(buf))) > 0)
			(void)tt_tls_feed(t, buf, (size_t)m);
		if (rc == 0 && SSL_is_init_finished(srv))
			return;
		if (rc < 0 && rc != -EAGAIN)
			die("tt_tls_handshake");
	}
	die("handshake did not finish");
}

static void tcp_pair(int *client, int *server)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &sl) < 0)
		die("listen");
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect");
	*server = accept(l, NULL, NULL);
	if (*server < 0)
		die("accept");
	setsockopt(*client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(l);
}

static void limits(struct tt_risk_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->instr[1].enabled = true;
	l->instr[1].px_scale = 2;
	l->instr[1].qty_scale = 5;
	l->instr[1].max_qty = 100000000;
	l->instr[1].max_notional = INT64_MAX / 4;
	l->instr[1].collar_bps = 500;
	l->instr[1].max_position = INT64_MAX / 4;
	l->max_gross_notional = INT64_MAX / 4;
	l->max_open_orders = 1000000;
	l->orders_per_sec = 1000000000;
	l->order_burst = 1000000000;
	l->msgs_per_sec = 1000000000;
	l->msg_burst = 1000000000;
	l->dup_window_ns = 1000000;	/* on: orders differ in price, so none is a dup */
	l->daily_loss = INT64_MAX / 4;
}

int main(int argc, char **argv)
{
	static struct tt_risk risk;
	static struct tt_journal j;
	static struct tt_tls_ctx tctx;
	static struct tt_tls t;
	static uint64_t *samples[ST_N];
	struct tt_bench_hist h[ST_N];
	struct tt_risk_limits lim;
	struct tt_hmac hmac;
	struct tt_bn_signer s = { TT_BN_AUTH_SESSION, 5000, NULL, NULL };
	struct tt_oe_filter flt = { .px_scale = 2, .qty_scale = 5, .tick = 1, .step = 1,
				    .min_qty = 1, .max_qty = 900000000, .min_notional = 500 };
	struct tt_journal_opts jo = { .capacity = 1 << 21, .sync = TT_JSYNC_NONE, .session_id = 1 };
	struct tt_tls_cfg tcfg = { 0 };
	char ca[64], jpath[64], req[TT_BN_REQ_MAX];
	uint8_t frame[TT_BN_REQ_MAX + 16], cipher[4096], sink[65536];
	const uint8_t mask[4] = { 1, 2, 3, 4 };
	EVP_PKEY *key;
	X509 *crt;
	SSL_CTX *sctx;
	SSL *srv;
	BIO *srv_int, *srv_net;
	int iters = 200000, cpu = -1, cfd, sfd;
	bool use_hmac = false, use_pipe = false;
	double ns_per_tick;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--hmac") == 0) {
			use_hmac = true;
		} else if (strcmp(argv[a], "--pipe") == 0) {
			use_pipe = true;
		} else if (strcmp(argv[a], "--iters") == 0 && a + 1 < argc) {
			iters = atoi(argv[++a]);
		} else if (strcmp(argv[a], "--cpu") == 0 && a + 1 < argc) {
			cpu = atoi(argv[++a]);
		} else {
			fprintf(stderr, "usage: tt-bench-oe [--hmac] [--pipe] [--iters N] [--cpu C]\n");
			return 2;
		}
	}
	if (iters < 1000 || iters > 1000000)
		iters = 200000;
	if (cpu >= 0)
		(void)tt_bench_pin(cpu);
	(void)tt_clock_init_local();
	ns_per_tick = 1e9 / (double)tt_clock_tsc_hz();

	if (use_hmac) {
		unsigned char k[64];

		for (unsigned i = 0; i < sizeof(k); i++)
			k[i] = (unsigned char)(i * 7 + 3);	/* bench key, not a credential */
		if (tt_hmac_init(&hmac, k, sizeof(k)) < 0)
			die("hmac");
		s.mode = TT_BN_AUTH_HMAC;
		s.api_key = "benchkey0123456789abcdef0123456789abcdef0123456789abcdef0123456";
		s.hmac = &hmac;
	}
	limits(&lim);
	tt_risk_init(&risk, &lim, (uint64_t)tt_clock_ns_now());
	tt_risk_set_ref(&risk, 1, 3000000, 3000100);
	snprintf(jpath, sizeof(jpath), "/tmp/tt-bench-oe-%d.journal", (int)getpid());
	snprintf(ca, sizeof(ca), "/tmp/tt-bench-oe-%d-ca.pem", (int)getpid());
	if (tt_journal_open(&j, jpath, &jo) < 0)
		die("journal");

	make_cert(ca, &key, &crt);
	tcfg.ca_file = ca;
	if (tt_tls_ctx_init(&tctx, &tcfg) < 0)
		die("tls ctx");
	sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(sctx, crt);
	SSL_CTX_use_PrivateKey(sctx, key);
	srv = SSL_new(sctx);
	BIO_new_bio_pair(&srv_int, 1 << 17, &srv_net, 1 << 17);
	SSL_set_bio(srv, srv_int, srv_int);
	SSL_set_accept_state(srv);
	tt_tls_init(&t, &tctx);
	if (tt_tls_begin(&t, "localhost") < 0)
		die("tls begin");
	handshake(&t, srv, srv_net);
	if (use_pipe) {
		int pfd[2];

		if (pipe(pfd) < 0)
			die("pipe");
		cfd = pfd[1];
		sfd = pfd[0];
	} else {
		tcp_pair(&cfd, &sfd);
	}
	fcntl(sfd, F_SETFL, O_NONBLOCK);

	for (int i = 0; i < ST_N; i++) {
		samples[i] = calloc((size_t)iters, sizeof(uint64_t));
		if (!samples[i])
			die("calloc");
		tt_bench_hist_init(&h[i], samples[i], (size_t)iters);
	}

	for (int i = 0; i < iters + 1000; i++) {
		struct tt_msg_order o = { .h.kind = TT_MSG_ORDER, .h.instr = 1,
					  .cl_ord_id = (uint64_t)i + 1, .px = 3000000 - (i % 500),
					  .qty = 1000, .side = TT_SIDE_BUY, .type = TT_ORD_LIMIT };
		struct tt_risk_reject rej;
		struct tt_bn_order_req rq = { "BTCUSDT", o.px, o.qty, o.cl_ord_id,
					      1700000000000ull + (uint64_t)i, o.side, o.type, o.tif,
					      TT_BN_RESP_ACK, 2, 5, (uint64_t)i + 1 };
		struct tt_jrec r = { .type = TT_JREC_INTENT, .instr = 1, .cl_ord_id = o.cl_ord_id,
				     .a = o.px, .b = o.qty };
		uint64_t t0, t1, t2, t3, t4, t5;
		ssize_t fl;
		size_t cn;
		int len;

		t0 = tt_clock_now();
		if (tt_oe_filter_check(&flt, &o, 0) ||
		    tt_risk_check_order(&risk, &o, (uint64_t)tt_clock_ns_now(), &rej) != TT_RISK_OK) {
			fprintf(stderr, "risk rejected order %d: %s\n", i,
				tt_risk_reason_name(rej.reason));
			return 1;
		}
		t1 = tt_clock_now();
		if (tt_journal_append(&j, &r) < 0)
			die("journal append");
		t2 = tt_clock_now();
		len = tt_bn_enc_order_place(req, sizeof(req), (uint64_t)i + 1, &s, &rq);
		if (len < 0)
			die("encode");
		t3 = tt_clock_now();
		fl = tt_ws_encode(frame, sizeof(frame), 1 /* text */, true, mask, req, (size_t)len);
		if (fl < 0 || tt_tls_write(&t, frame, (size_t)fl) < 0)
			die("tls write");
		cn = tt_tls_out_take(&t, cipher, sizeof(cipher));
		t4 = tt_clock_now();
		if (write(cfd, cipher, cn) != (ssize_t)cn)
			die("write");
		t5 = tt_clock_now();
		/* the peer drains off the clock; its reads do not touch our stamps */
		while (read(sfd, sink, sizeof(sink)) > 0)
			;
		if (i < 1000)
			continue;	/* warm-up */
		tt_bench_hist_record(&h[ST_RISK], t1 - t0);
		tt_bench_hist_record(&h[ST_JOURNAL], t2 - t1);
		tt_bench_hist_record(&h[ST_ENCODE], t3 - t2);
		tt_bench_hist_record(&h[ST_TLS], t4 - t3);
		tt_bench_hist_record(&h[ST_KERNEL], t5 - t4);
		tt_bench_hist_record(&h[ST_TOTAL], t5 - t0);
		if (j.next_seq + 2 >= jo.capacity) {
			tt_journal_close(&j);
			unlink(jpath);
			if (tt_journal_open(&j, jpath, &jo) < 0)
				die("journal reopen");
		}
	}

	printf("tt-bench-oe: %d orders, auth %s, kernel handoff %s, request %d bytes, "
	       "TSC %.3f GHz\n", iters, use_hmac ? "hmac" : "session(ed25519)",
	       use_pipe ? "pipe" : "loopback TCP",
	       (int)tt_bn_enc_order_place(req, sizeof(req), 1, &s,
					  &(struct tt_bn_order_req){ "BTCUSDT", 3000000, 1000, 1, 1,
								     0, 0, 0, 1, 2, 5, 1 }),
	       (double)tt_clock_tsc_hz() / 1e9);
	printf("%-8s %8s %8s %8s %8s %8s\n", "stage", "p50", "p90", "p99", "p99.9", "max");
	for (int i = 0; i < ST_N; i++) {
		struct tt_bench_pct p;

		tt_bench_hist_summarize(&h[i], &p);
		tt_bench_pct_scale(&p, ns_per_tick);
		printf("%-8s %8llu %8llu %8llu %8llu %8llu\n", st_name[i],
		       (unsigned long long)p.p50, (unsigned long long)p.p90,
		       (unsigned long long)p.p99, (unsigned long long)p.p999,
		       (unsigned long long)p.max);
	}
	printf("(ns; total = risk + journal + encode + ws+tls + kernel)\n");

	close(cfd);
	close(sfd);
	tt_journal_close(&j);
	unlink(jpath);
	unlink(ca);
	tt_tls_end(&t);
	tt_tls_fini(&t);
	tt_tls_ctx_fini(&tctx);
	SSL_free(srv);
	BIO_free(srv_net);
	SSL_CTX_free(sctx);
	X509_free(crt);
	EVP_PKEY_free(key);
	if (use_hmac)
		tt_hmac_fini(&hmac);
	for (int i = 0; i < ST_N; i++)
		free(samples[i]);
	return 0;
}
