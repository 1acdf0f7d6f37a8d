/*
 * oe_e2e.h — shared by the e2e_oe_* tests: a real tt-venue (tests/venue/venue_client.c
 * starts it with a generated certificate), a real tt-oe process configured against it
 * (Ed25519 key generated here, registered at the venue, tagged testnet credential file),
 * real shared-memory rings the test plays both neighbours on (the strategy: strat.oe
 * producer and oe.strat consumer; market data: md.ref producer fed from the venue's own
 * book). Everything is static inline so each test file takes what it uses.
 */
#ifndef OE_E2E_H
#define OE_E2E_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tt_fixed.h"
#include "tt_journal.h"
#include "tt_msg.h"
#include "tt_oe_binance.h"
#include "tt_ring.h"
#include "tt_stats.h"
#include "tt_risk.h"
#include "venue_client.h"

#define E2E_APIKEY "tt-oe-e2e-key"

struct e2e {
	struct vc_proc venue;
	char dir[64], bin[512], cfg[160], sock[160], journal[160], log[160];
	char rings[3][64];
	struct tt_ring strat, exec, ref;	/* our ends */
	pid_t oe;
	char reply[1 << 20];
	tt_px_t bid, ask;
};

static inline void e2e_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "e2e: cannot write %s\n", path);
		abort();
	}
	fputs(text, f);
	fclose(f);
}

/* hmac: an HMAC key (per-request signatures, no logon) instead of Ed25519. */
static inline int e2e_setup(struct e2e *e, const char *const *venue_args, bool hmac)
{
	const char *b = getenv("TT_BUILD_DIR");
	static const char *const edges[3] = { "strat.oe", "oe.strat", "md.ref" };
	struct tt_ring_params p = { 64, 4096, TT_RING_LOSSLESS, TT_MSG_LAYOUT_VERSION };
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *k = NULL;
	char path[256], cmd[600], text[4096];
	FILE *f;
	int n;

	memset(e, 0, sizeof(*e) - sizeof(e->reply));
	snprintf(e->bin, sizeof(e->bin), "%s/orderentry/tt-oe", b ? b : "build/testnet");
	snprintf(e->dir, sizeof(e->dir), "/tmp/tt-oe-e2e-XXXXXX");
	if (!mkdtemp(e->dir) || vc_start(&e->venue, venue_args) < 0)
		return -1;
	if (vc_ctl(&e->venue, "pause", e->reply, sizeof(e->reply)) <= 0)
		return -1;
	/* the key: private for tt-oe, public registered at the venue */
	if (!kc || EVP_PKEY_keygen_init(kc) != 1 || EVP_PKEY_keygen(kc, &k) != 1)
		return -1;
	EVP_PKEY_CTX_free(kc);
	snprintf(path, sizeof(path), "%s/ed.pem", e->dir);
	if (!(f = fopen(path, "w")) || PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1)
		return -1;
	fclose(f);
	snprintf(path, sizeof(path), "%s/ed.pub.pem", e->dir);
	if (!(f = fopen(path, "w")) || PEM_write_PUBKEY(f, k) != 1)
		return -1;
	fclose(f);
	EVP_PKEY_free(k);
	if (hmac) {
		char secret[49];

		/* generated now, never stored in the tree; 48 characters: the venue's control
		 * line takes at most 63 */
		for (int i = 0; i < 48; i++)
			secret[i] = "0123456789abcdef"[rand() & 15];
		secret[48] = 0;
		snprintf(cmd, sizeof(cmd), "oe key %s hmac %s", E2E_APIKEY, secret);
		snprintf(path, sizeof(path), "%s/hmac.secret", e->dir);
		e2e_write(path, secret);
	} else {
		snprintf(cmd, sizeof(cmd), "oe key %s ed25519 %s", E2E_APIKEY, path);
	}
	if (vc_ctl(&e->venue, cmd, e->reply, sizeof(e->reply)) <= 0 ||
	    !strstr(e->reply, "\"ok\":true"))
		return -1;
	snprintf(path, sizeof(path), "%s/oe.cred", e->dir);
	e2e_write(path, hmac ? "[credential]\nenv = testnet\nvenue = binance\nkey_type = hmac\n"
			       "key_id = " E2E_APIKEY "\nsecret_file = hmac.secret\n"
			     : "[credential]\nenv = testnet\nvenue = binance\nkey_type = ed25519\n"
			       "key_id = " E2E_APIKEY "\nsecret_file = ed.pem\n");
	snprintf(e->cfg, sizeof(e->cfg), "%s/oe.ini", e->dir);
	snprintf(e->sock, sizeof(e->sock), "%s/oe.sock", e->dir);
	snprintf(e->journal, sizeof(e->journal), "%s/oe.journal", e->dir);
	snprintf(e->log, sizeof(e->log), "%s/oe.log", e->dir);
	n = snprintf(text, sizeof(text),
		     "[engine]\ninstance = e2e%d\nflavor = testnet\n"
		     "[venue.binance]\nws_url = wss://127.0.0.1:%d/ws\n"
		     "rest_url = https://127.0.0.1:%d/api\noe_url = wss://127.0.0.1:%d/ws-api/v3\n"
		     "ca_file = %s\nsni = localhost\nconnect_timeout = 2s\n"
		     "[instrument.BTCUSDT]\nid = 1\nvenue = binance\nprice_scale = 2\n"
		     "qty_scale = 5\ntick_size = 0.01\nstep_size = 0.00001\nmin_qty = 0.00001\n"
		     "max_qty = 9000\nmin_notional = 5\nrisk_max_qty = 1\n"
		     "risk_max_notional = 1000000\nrisk_max_position = 50\nrisk_collar_bps = 500\n"
		     "[oe]\ncredential = %s/oe.cred\njournal = %s\njournal_capacity = 65536\n"
		     "control_socket = %s\nauth = %s\n"
		     "[risk]\nmax_open_orders = 100\norders_per_sec = 1000\norder_burst = 1000\n"
		     "msgs_per_sec = 1000\nmsg_burst = 1000\ndup_window = 0ms\n"
		     "max_gross_notional = 0\ndaily_loss = 100000000000\n",
		     (int)getpid(), e->venue.port, e->venue.port, e->venue.port, e->venue.ca,
		     e->dir, e->journal, e->sock, hmac ? "hmac" : "ed25519");
	for (int i = 0; i < 3; i++) {
		snprintf(e->rings[i], sizeof(e->rings[i]), "tt-oe-e2e-%d-%d", (int)getpid(), i);
		p.mode = i == 2 ? TT_RING_LOSSY : TT_RING_LOSSLESS;
		if (tt_ring_create(e->rings[i], &p) < 0)
			return -1;
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "[ring.%s]\nslot_size = 64\ncapacity = 4096\nmode = %s\nshm = %s\n",
			      edges[i], i == 2 ? "lossy" : "lossless", e->rings[i]);
	}
	e2e_write(e->cfg, text);
	p.mode = TT_RING_LOSSLESS;
	/* futex: tt-oe sleeps on strat.oe's wake word; a spinning producer would never wake
	 * it, and intents would wait for its 100 ms loop timeout (the crash test kills it
	 * sooner than that: it would test nothing) */
	if (tt_ring_attach(&e->strat, e->rings[0], TT_RING_PRODUCER, &p, TT_WAIT_FUTEX) < 0 ||
	    tt_ring_attach(&e->exec, e->rings[1], TT_RING_CONSUMER, &p, TT_WAIT_SPIN) < 0)
		return -1;
	p.mode = TT_RING_LOSSY;
	if (tt_ring_attach(&e->ref, e->rings[2], TT_RING_PRODUCER, &p, TT_WAIT_SPIN) < 0)
		return -1;
	return 0;
}

static inline void e2e_teardown(struct e2e *e)
{
	char cmd[128];

	if (e->oe > 0) {
		kill(e->oe, SIGKILL);
		waitpid(e->oe, NULL, 0);
	}
	tt_ring_detach(&e->strat);
	tt_ring_detach(&e->exec);
	tt_ring_detach(&e->ref);
	for (int i = 0; i < 3; i++)
		(void)tt_ring_unlink(e->rings[i]);
	/* tt-oe's log ring and stats block (instance e2e<pid>) */
	snprintf(cmd, sizeof(cmd), "e2e%d.log.tt-oe", (int)getpid());
	(void)tt_ring_unlink(cmd);
	snprintf(cmd, sizeof(cmd), "e2e%d", (int)getpid());
	(void)tt_stats_unlink(cmd, "tt-oe");
	(void)vc_stop(&e->venue);
	if (getenv("TT_E2E_KEEP"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "e2e: could not remove %s\n", e->dir);
}

static inline pid_t e2e_oe_start(struct e2e *e)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(e->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execl(e->bin, e->bin, "-c", e->cfg, (char *)NULL);
		_exit(127);
	}
	e->oe = pid;
	return pid;
}

/* One control-socket command to tt-oe; "" when it is not answering. */
static inline const char *e2e_oe_ctl(struct e2e *e, const char *cmd)
{
	static char buf[1024];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t n;

	buf[0] = 0;
	strcpy(sa.sun_path, e->sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return buf;
	}
	if (write(fd, cmd, strlen(cmd)) > 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
	}
	close(fd);
	return buf;
}

/* Waits (bounded, 20 s) until tt-oe reports READY: logged on, subscribed, reconciled,
 * cancelled all. 0 or -1. */
static inline int e2e_oe_wait_ready(struct e2e *e)
{
	for (int i = 0; i < 400; i++) {
		if (strstr(e2e_oe_ctl(e, "status"), "\"state\":\"ready\""))
			return 0;
		usleep(50000);
	}
	return -1;
}

/* The integer after "key": in s. */
static inline long long e2e_num(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(s, k);
	return p ? atoll(p + strlen(k)) : 0;
}

/* Best bid/ask from the venue's own book (control "book"), published on md.ref the way
 * tt-md would. 0 or -1. */
static inline int e2e_ref(struct e2e *e)
{
	struct tt_msg_book_top t;
	const char *b, *a;

	if (vc_ctl(&e->venue, "book BTCUSDT", e->reply, sizeof(e->reply)) <= 0)
		return -1;
	b = strstr(e->reply, "\"bids\":[[\"");
	a = strstr(e->reply, "\"asks\":[[\"");
	if (!b || !a)
		return -1;
	b += 10;
	a += 10;
	if (tt_fixed_parse(b, strcspn(b, "\""), 2, &e->bid) < 0 ||
	    tt_fixed_parse(a, strcspn(a, "\""), 2, &e->ask) < 0)
		return -1;
	memset(&t, 0, sizeof(t));
	t.h.kind = TT_MSG_BOOK_TOP;
	t.h.instr = 1;
	t.bid_px = e->bid;
	t.ask_px = e->ask;
	return tt_ring_push(&e->ref, &t, sizeof(t));
}

static inline int e2e_order(struct e2e *e, uint64_t id, uint8_t side, tt_px_t px, tt_qty_t qty,
			    uint8_t tif)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.order.h.kind = TT_MSG_ORDER;
	m.order.h.instr = 1;
	m.order.cl_ord_id = id;
	m.order.px = px;
	m.order.qty = qty;
	m.order.side = side;
	m.order.type = TT_ORD_LIMIT;
	m.order.tif = tif;
	return tt_ring_push(&e->strat, &m, sizeof(m));
}

static inline int e2e_cancel(struct e2e *e, uint64_t id)
{
	union tt_msg m;

	memset(&m, 0, sizeof(m));
	m.cancel.h.kind = TT_MSG_CANCEL;
	m.cancel.h.instr = 1;
	m.cancel.cl_ord_id = id;
	return tt_ring_push(&e->strat, &m, sizeof(m));
}

/* Next exec within timeout_ms, 1; 0 on timeout. */
static inline int e2e_exec(struct e2e *e, struct tt_msg_exec *out, int timeout_ms)
{
	for (int i = 0; i <= timeout_ms; i++) {
		const union tt_msg *m = tt_ring_peek(&e->exec);

		if (m) {
			*out = m->exec;
			tt_ring_release(&e->exec);
			return 1;
		}
		usleep(1000);
	}
	return 0;
}

/* Venue truth for our account: Σ signed executed qty over our orders, and for one client
 * order id its executedQty (−1 if the venue has no such order). */
struct e2e_order_truth {
	uint64_t id;
	tt_qty_t cum;
	int64_t notional;	/* Σ price × qty of its fills, raw (scale 2 + 5): the cash */
	uint8_t side;
};

/* One trade of one order: the venue's fill log or a journal FILL record. */
struct e2e_trade {
	uint64_t order_id;	/* venue order id */
	int64_t trade_id;
	tt_qty_t qty;
	tt_px_t px;
};

static inline int e2e_venue_orders(struct e2e *e, struct e2e_order_truth *v, int cap,
				   tt_qty_t *position)
{
	const char *p;
	int n = 0;

	if (vc_ctl(&e->venue, "orders " E2E_APIKEY, e->reply, sizeof(e->reply)) <= 0)
		return -1;
	*position = 0;
	for (p = strstr(e->reply, "{\"account\""); p; p = strstr(p + 1, "{\"account\"")) {
		const char *c = strstr(p, "\"clientOrderId\":\"");
		const char *x = strstr(p, "\"executedQty\":\"");
		const char *s = strstr(p, "\"side\":\"");
		const char *cq = strstr(p, "\"cummulativeQuoteQty\":\"");
		uint64_t id;
		tt_qty_t q;
		int64_t nq;

		if (!c || !x || !s || !cq)
			return -1;
		c += 17;
		x += 15;
		cq += 23;
		if (tt_fixed_parse(x, strcspn(x, "\""), 5, &q) < 0 ||
		    tt_fixed_parse(cq, strcspn(cq, "\""), 7, &nq) < 0)
			return -1;
		if (tt_bn_clid_decode(c, strcspn(c, "\""), &id) < 0)
			continue;
		*position += s[8] == 'B' ? q : -q;
		if (n < cap) {
			v[n].id = id;
			v[n].cum = q;
			v[n].notional = nq;
			v[n].side = s[8] == 'B' ? TT_SIDE_BUY : TT_SIDE_SELL;
		}
		n++;
	}
	return n;
}

/* tt-oe's journal truth (read with the journal's own recovery): per-order filled qty and
 * the position. Call with tt-oe stopped. */
static inline int e2e_journal(struct e2e *e, struct e2e_order_truth *v, int cap, int *nv,
			      tt_qty_t *position)
{
	struct tt_journal j;
	struct tt_journal_opts o = { .capacity = 65536, .sync = TT_JSYNC_NONE, .session_id = 9 };
	int rc = tt_journal_open(&j, e->journal, &o);

	*nv = 0;
	*position = 0;
	if (rc < 0)
		return rc;
	for (uint64_t s = 1; s < j.next_seq; s++) {
		const struct tt_jrec *r = &j.map[s];
		int k;

		if (r->type != TT_JREC_FILL)
			continue;
		*position += r->side == TT_SIDE_BUY ? r->b : -r->b;
		for (k = 0; k < *nv && v[k].id != r->cl_ord_id; k++)
			;
		if (k == *nv) {
			if (*nv == cap)
				continue;
			v[k].id = r->cl_ord_id;
			v[k].cum = 0;
			v[k].notional = 0;
			v[k].side = r->side;
			(*nv)++;
		}
		v[k].cum += r->b;
		v[k].notional += r->a * r->b;
	}
	tt_journal_close(&j);
	return 0;
}

/* The venue's fill log for our account ("fills" of the control "account" dump): one entry
 * per trade of each of our orders. Returns the count or -1. */
static inline int e2e_venue_trades(struct e2e *e, struct e2e_trade *t, int cap)
{
	const char *p;
	int n = 0;

	if (vc_ctl(&e->venue, "account " E2E_APIKEY, e->reply, sizeof(e->reply)) <= 0)
		return -1;
	p = strstr(e->reply, "\"fills\":[");
	for (p = p ? strstr(p, "{\"account\"") : NULL; p; p = strstr(p + 1, "{\"account\"")) {
		const char *ti = strstr(p, "\"tradeId\":");
		const char *oi = strstr(p, "\"orderId\":");
		const char *px = strstr(p, "\"price\":\"");
		const char *q = strstr(p, "\"qty\":\"");

		if (!ti || !oi || !px || !q)
			return -1;
		if (n < cap) {
			t[n].trade_id = atoll(ti + 10);
			t[n].order_id = strtoull(oi + 10, NULL, 10);
			px += 9;
			q += 7;
			if (tt_fixed_parse(px, strcspn(px, "\""), 2, &t[n].px) < 0 ||
			    tt_fixed_parse(q, strcspn(q, "\""), 5, &t[n].qty) < 0)
				return -1;
		}
		n++;
	}
	return n;
}

/* Journal records of a type (and, for RECONCILE, reason a; -1 = any). */
static inline int e2e_journal_count(struct e2e *e, uint8_t type, int64_t a)
{
	struct tt_journal j;
	struct tt_journal_opts o = { .capacity = 65536, .sync = TT_JSYNC_NONE, .session_id = 9 };
	int n = 0;

	if (tt_journal_open(&j, e->journal, &o) < 0)
		return -1;
	for (uint64_t s = 1; s < j.next_seq; s++)
		n += j.map[s].type == type && (a < 0 || j.map[s].a == a);
	tt_journal_close(&j);
	return n;
}

/* The journal's FILL records as trades (venue order id, trade id, qty, price). */
static inline int e2e_journal_trades(struct e2e *e, struct e2e_trade *t, int cap)
{
	struct tt_journal j;
	struct tt_journal_opts o = { .capacity = 65536, .sync = TT_JSYNC_NONE, .session_id = 9 };
	int n = 0;

	if (tt_journal_open(&j, e->journal, &o) < 0)
		return -1;
	for (uint64_t s = 1; s < j.next_seq; s++) {
		const struct tt_jrec *r = &j.map[s];

		if (r->type != TT_JREC_FILL)
			continue;
		if (n < cap) {
			t[n].order_id = (uint64_t)r->d;
			t[n].trade_id = r->c;
			t[n].qty = r->b;
			t[n].px = r->a;
		}
		n++;
	}
	tt_journal_close(&j);
	return n;
}

#endif /* OE_E2E_H */
