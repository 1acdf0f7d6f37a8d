/*
 * wsapi.c — tt-venue's order-entry side: Binance Spot's WebSocket API at wss /ws-api/v3 over
 * the matching engine of match.c. One JSON request per text frame, one response per request
 * ({"id","status","result"|"error","rateLimits"}), ids echoed byte for byte.
 *
 * Authentication (as the venue documents it): a SIGNED request carries apiKey, timestamp,
 * (recvWindow) and signature over "k=v&k=v" of every other param sorted by name; Ed25519
 * signatures are base64 (verified with EVP_DigestVerify), HMAC-SHA256 ones hex (case
 * insensitive). session.logon (Ed25519 keys only) binds a key to the connection, after which
 * apiKey/signature may be omitted. Timestamp rules: ts < server+1000 and server-ts <=
 * recvWindow (default 5000, max 60000), else -1021; bad signature -1022; unknown key -2015.
 *
 * Keys come from --api-keys FILE (lines "APIKEY ed25519 PEM_PUBLIC_KEY_FILE" or "APIKEY hmac
 * SECRET"; '#' comments) or the control command "oe key APIKEY TYPE VALUE". Each key is its
 * own account (index in load order).
 *
 * Rate limits: REQUEST_WEIGHT per minute (all loopback clients share one IP, so one global
 * counter, like the venue's per-IP limit) → 429/-1003; ORDERS per 10 s and per day per account
 * → 429/-1015. Windows are aligned to the wall clock, like the venue's.
 *
 * Cancel-on-disconnect (documented venue difference): when a connection drops, the live
 * orders it placed are canceled (executionReports go to the account's other subscribers).
 *
 * Faults (control socket "oe ..." or --fault "MS:oe ..."): reject every Nth order.place
 * (-2010 "Market is closed."), delay every response N ms, drop the connection after the next
 * N order.place were executed but before answering, send the next N executionReports twice,
 * answer the next N order requests with 503/-1007 after executing them (outcome unknown).
 *
 * Per connection: OPEN ──logon──▶ AUTHED ──subscribe──▶ AUTHED+UDS ──close──▶ orders canceled
 * and, on any connection, ──userDataStream.subscribe.signature (per account)──▶ +UDS(account).
 * myTrades answers from the matching engine's fill log (one record per trade and side).
 */
#include "venue_int.h"
#include "tt_vmatch.h"
#include "tt_err.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#define MAX_KEYS   TT_VMATCH_ACCTS
#define MAX_CONNS  64
#define MAX_PARAMS 32
#define RXCAP	   8192
#define OUTQ_MAX   (8u << 20) /* bytes queued to one connection before it is cut */

struct key {
	char name[128];
	bool ed25519;
	EVP_PKEY *pub;
	char secret[256];
};

struct outmsg {
	struct outmsg *next;
	uint64_t due_ns;
	size_t len;
	char data[]; /* LWS_PRE + len */
};

struct aconn {
	struct lws *wsi;
	int id;
	uint64_t connected_ms;
	int key; /* logged-on key, -1 none */
	uint64_t auth_ms;
	bool uds;
	int sub_id;
	/* userDataStream.subscribe.signature: per account, its subscriptionId + 1 (0 = none);
	 * independent of the logon's subscription (uds/sub_id) */
	int sig_sub[MAX_KEYS];
	struct outmsg *head;
	struct outmsg *tail;
	size_t qbytes; /* queued, not yet written */
	char rx[RXCAP];
	size_t rxlen;
	uint64_t rx_ns; /* CLOCK_MONOTONIC when the message being assembled began to arrive */
	bool rx_over;
	bool drop;
};

struct param {
	char key[32];
	char *val; /* unescaped, NUL-terminated (points into the request's scratch) */
	bool str;
};

struct req {
	char id[128]; /* raw JSON of the id, "null" when absent */
	char method[64];
	struct param p[MAX_PARAMS];
	int np;
	char scratch[RXCAP];
};

struct jb {
	char *p;
	size_t n;
	size_t cap;
};

static struct api {
	struct tt_vmarket *mkt;
	struct tt_vmatch mx;
	bool ready;
	struct key keys[MAX_KEYS];
	int nkeys;
	struct aconn *conns[MAX_CONNS];
	int next_id;
	int next_sub;
	/* rate limits */
	int weight_lim;
	int orders10_lim;
	int ordersday_lim;
	uint64_t w_win;
	int w_count;
	uint64_t o10_win[MAX_KEYS];
	int o10_count[MAX_KEYS];
	uint64_t oday_win[MAX_KEYS];
	int oday_count[MAX_KEYS];
	/* faults */
	int reject_every;
	uint64_t place_count;
	int delay_ms;
	int drop_next;
	int dup_next;
	int unknown_next;
	/* request context */
	bool deferring;
	struct jb *deferred; /* reports held until the request's response is queued */
	int *deferred_conn;  /* slot in conns[] */
	int ndeferred;
	int capdeferred;
	const char *cancel_cid; /* clientOrderId of the cancel in progress */
	uint64_t stats_requests;
	uint64_t stats_errors;
	uint64_t stats_reports;
	uint64_t stats_slow;
	char *dump; /* control-socket dumps larger than its buffer */
} A;

/* ---- growable JSON buffer ---------------------------------------------------------------- */

static void jb_printf(struct jb *b, const char *fmt, ...) TT_PRINTF(2, 3);
static void jb_printf(struct jb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->n;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p && (size_t)n < room) {
			b->n += (size_t)n;
			return;
		}
		{
			size_t nc = (b->cap ? b->cap * 2 : 1024) + (size_t)n;
			char *q = realloc(b->p, nc);

			if (!q)
				return;
			b->p = q;
			b->cap = nc;
		}
	}
}

static void jb_free(struct jb *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

/* ---- tolerant JSON request reader ------------------------------------------------------- */

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

/* Reads a JSON string at s (at the quote) into out (unescaped, \uXXXX as UTF-8); returns the
 * position after the closing quote or NULL. */
static const char *jstr(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (*s != '"')
		return NULL;
	s++;
	while (*s && *s != '"') {
		unsigned c = (unsigned char)*s++;

		if (c == '\\') {
			c = (unsigned char)*s++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': {
				unsigned v = 0;

				for (int i = 0; i < 4; i++) {
					if (!isxdigit((unsigned char)s[i]))
						return NULL;
					v = v * 16 +
					    (unsigned)(isdigit((unsigned char)s[i])
							   ? s[i] - '0'
							   : (tolower((unsigned char)s[i]) - 'a' +
							      10));
				}
				s += 4;
				if (v < 0x80) {
					c = v;
				} else {
					if (n + 3 >= cap)
						return NULL;
					if (v < 0x800) {
						out[n++] = (char)(0xc0 | (v >> 6));
					} else {
						out[n++] = (char)(0xe0 | (v >> 12));
						out[n++] = (char)(0x80 | ((v >> 6) & 0x3f));
					}
					c = 0x80 | (v & 0x3f);
				}
				break;
			}
			case 0:
				return NULL;
			default:
				break; /* \" \\ \/ */
			}
		} else if (c < 0x20) {
			return NULL;
		}
		if (n + 1 >= cap)
			return NULL;
		out[n++] = (char)c;
	}
	if (*s != '"')
		return NULL;
	out[n] = 0;
	return s + 1;
}

/* Scalar (number, true, false, null): the raw token. */
static const char *jscalar(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (*s && (isalnum((unsigned char)*s) || *s == '.' || *s == '-' || *s == '+')) {
		if (n + 1 >= cap)
			return NULL;
		out[n++] = *s++;
	}
	if (!n)
		return NULL;
	out[n] = 0;
	return s;
}

/* Parses {"id":..,"method":"..","params":{..}}. Returns 0 or -1 (malformed). */
static int parse_req(const char *s, struct req *r)
{
	size_t used = 0;

	memset(r, 0, offsetof(struct req, scratch));
	strcpy(r->id, "null");
	s = ws(s);
	if (*s++ != '{')
		return -1;
	s = ws(s);
	if (*s == '}')
		return -1;
	for (;;) {
		char key[32];

		s = ws(s);
		s = jstr(s, key, sizeof(key));
		if (!s)
			return -1;
		s = ws(s);
		if (*s++ != ':')
			return -1;
		s = ws(s);
		if (!strcmp(key, "id")) {
			const char *st = s;
			char tmp[128];

			s = *s == '"' ? jstr(s, tmp, sizeof(tmp)) : jscalar(s, tmp, sizeof(tmp));
			if (!s || (size_t)(s - st) >= sizeof(r->id))
				return -1;
			memcpy(r->id, st, (size_t)(s - st));
			r->id[s - st] = 0;
		} else if (!strcmp(key, "method")) {
			s = jstr(s, r->method, sizeof(r->method));
			if (!s)
				return -1;
		} else if (!strcmp(key, "params")) {
			if (*s++ != '{')
				return -1;
			s = ws(s);
			if (*s == '}') {
				s++;
			} else {
				for (;;) {
					struct param *p;

					if (r->np == MAX_PARAMS)
						return -1;
					p = &r->p[r->np++];
					s = ws(s);
					s = jstr(s, p->key, sizeof(p->key));
					if (!s)
						return -1;
					s = ws(s);
					if (*s++ != ':')
						return -1;
					s = ws(s);
					p->val = r->scratch + used;
					p->str = *s == '"';
					s = p->str ? jstr(s, p->val, sizeof(r->scratch) - used)
						   : jscalar(s, p->val, sizeof(r->scratch) - used);
					if (!s)
						return -1;
					used += strlen(p->val) + 1;
					s = ws(s);
					if (*s == ',') {
						s++;
						continue;
					}
					if (*s++ != '}')
						return -1;
					break;
				}
			}
		} else {
			char tmp[256];

			s = *s == '"' ? jstr(s, tmp, sizeof(tmp)) : jscalar(s, tmp, sizeof(tmp));
			if (!s)
				return -1;
		}
		s = ws(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s++ != '}')
			return -1;
		break;
	}
	return *ws(s) ? -1 : 0;
}

static const char *param(const struct req *r, const char *k)
{
	for (int i = 0; i < r->np; i++)
		if (!strcmp(r->p[i].key, k))
			return r->p[i].val;
	return NULL;
}

/* "123.456" -> 12345600000 (1e-8); -1 when malformed or too precise/large. */
static int64_t parse_e8(const char *s)
{
	int64_t v = 0;
	int frac = -1;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s == '.') {
			if (frac >= 0)
				return -1;
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		if (frac >= 0) {
			if (frac == 8) {
				if (*s != '0')
					return -1;
				continue;
			}
			frac++;
		}
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	for (int i = frac < 0 ? 0 : frac; i < 8; i++) {
		if (v > INT64_MAX / 10)
			return -1;
		v *= 10;
	}
	return v;
}

/* ---- keys and signatures ----------------------------------------------------------------- */

static int key_add(const char *name, const char *type, const char *val)
{
	struct key *k;

	if (A.nkeys == MAX_KEYS || strlen(name) >= sizeof(k->name) || !name[0])
		return tt_err_set(-TT_ECONFIG, "api key '%s': too many or bad name", name);
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return tt_err_set(-TT_ECONFIG, "api key name: only [A-Za-z0-9_-]");
	for (int i = 0; i < A.nkeys; i++)
		if (!strcmp(A.keys[i].name, name))
			return tt_err_set(-TT_ECONFIG, "api key '%s' twice", name);
	k = &A.keys[A.nkeys];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	if (!strcasecmp(type, "ed25519")) {
		FILE *f = fopen(val, "r");

		if (!f)
			return tt_err_set(-errno, "api key '%s': fopen(%s): %m", name, val);
		k->pub = PEM_read_PUBKEY(f, NULL, NULL, NULL);
		fclose(f);
		if (!k->pub || EVP_PKEY_id(k->pub) != EVP_PKEY_ED25519) {
			EVP_PKEY_free(k->pub);
			k->pub = NULL;
			return tt_err_set(-TT_ECONFIG, "api key '%s': %s is no Ed25519 public key",
					  name, val);
		}
		k->ed25519 = true;
	} else if (!strcasecmp(type, "hmac")) {
		if (strlen(val) >= sizeof(k->secret) || !val[0])
			return tt_err_set(-TT_ECONFIG, "api key '%s': bad hmac secret", name);
		snprintf(k->secret, sizeof(k->secret), "%s", val);
	} else {
		return tt_err_set(-TT_ECONFIG, "api key '%s': type '%s' (ed25519|hmac)", name,
				  type);
	}
	A.nkeys++;
	return 0;
}

static int keys_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int ln = 0;

	if (!f)
		return tt_err_set(-errno, "fopen(%s): %m", path);
	while (fgets(line, sizeof(line), f)) {
		char n[160] = "";
		char t[32] = "";
		char v[600] = "";
		int k;

		ln++;
		k = sscanf(line, "%159s %31s %599s", n, t, v);
		if (k <= 0 || n[0] == '#')
			continue;
		if (k != 3) {
			fclose(f);
			return tt_err_set(-TT_ECONFIG, "%s:%d: expected 'APIKEY TYPE VALUE'", path,
					  ln);
		}
		k = key_add(n, t, v);
		if (k < 0) {
			fclose(f);
			return tt_err_add("%s:%d", path, ln);
		}
	}
	fclose(f);
	return 0;
}

static int key_find(const char *name)
{
	for (int i = 0; i < A.nkeys; i++)
		if (!strcmp(A.keys[i].name, name))
			return i;
	return -1;
}

static int cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct param *)a)->key, ((const struct param *)b)->key);
}

/* Checks r's signature with key k. */
static bool sig_ok(const struct req *r, const struct key *k, const char *sig)
{
	struct param sorted[MAX_PARAMS];
	struct jb pl = {0};
	int n = 0;
	bool ok = false;

	for (int i = 0; i < r->np; i++)
		if (strcmp(r->p[i].key, "signature"))
			sorted[n++] = r->p[i];
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_param);
	jb_printf(&pl, "%s", "");
	for (int i = 0; i < n; i++)
		jb_printf(&pl, "%s%s=%s", i ? "&" : "", sorted[i].key, sorted[i].val);
	if (!pl.p)
		return false;
	if (k->ed25519) {
		unsigned char raw[128];
		size_t sl = strlen(sig);
		int dl;
		EVP_MD_CTX *c;

		if (sl == 0 || sl > 172 || sl % 4)
			goto out;
		dl = EVP_DecodeBlock(raw, (const unsigned char *)sig, (int)sl);
		if (dl < 0)
			goto out;
		if (sig[sl - 1] == '=')
			dl--;
		if (sig[sl - 2] == '=')
			dl--;
		c = EVP_MD_CTX_new();
		if (!c)
			goto out;
		ok = EVP_DigestVerifyInit(c, NULL, NULL, NULL, k->pub) == 1 &&
		     EVP_DigestVerify(c, raw, (size_t)dl, (const unsigned char *)pl.p, pl.n) == 1;
		EVP_MD_CTX_free(c);
	} else {
		unsigned char mac[32];
		unsigned ml = 0;
		char hex[65];

		if (!HMAC(EVP_sha256(), k->secret, (int)strlen(k->secret),
			  (const unsigned char *)pl.p, pl.n, mac, &ml) ||
		    ml != 32)
			goto out;
		for (unsigned i = 0; i < 32; i++)
			sprintf(hex + 2 * i, "%02x", mac[i]);
		ok = strlen(sig) == 64 && strcasecmp(hex, sig) == 0;
	}
out:
	jb_free(&pl);
	return ok;
}

/* Test hook (venue_int.h): parse msg, write the signature payload, check its signature with
 * an HMAC secret. */
int tt_vapi_check_hmac(const char *msg, const char *secret, char *payload, size_t cap)
{
	static struct req r;
	struct key k;
	struct param sorted[MAX_PARAMS];
	const char *sig;
	size_t n = 0;
	int ns = 0;

	if (parse_req(msg, &r) < 0)
		return -1;
	for (int i = 0; i < r.np; i++)
		if (strcmp(r.p[i].key, "signature"))
			sorted[ns++] = r.p[i];
	qsort(sorted, (size_t)ns, sizeof(sorted[0]), cmp_param);
	payload[0] = 0;
	for (int i = 0; i < ns && n < cap; i++)
		n += (size_t)snprintf(payload + n, cap - n, "%s%s=%s", i ? "&" : "", sorted[i].key,
				      sorted[i].val);
	sig = param(&r, "signature");
	if (!sig)
		return 0;
	memset(&k, 0, sizeof(k));
	snprintf(k.secret, sizeof(k.secret), "%s", secret);
	return sig_ok(&r, &k, sig) ? 1 : 0;
}

/* ---- outgoing ---------------------------------------------------------------------------- */

static void conn_send(struct aconn *c, const char *s, size_t n, uint64_t delay_ms)
{
	struct outmsg *m;

	if (c->drop)
		return;
	if (c->qbytes + n > OUTQ_MAX) {
		/* a client that does not read: cut it rather than grow without bound */
		A.stats_slow++;
		fprintf(stderr, "{\"event\":\"api_slow_consumer\",\"conn\":%d,\"queued\":%zu}\n",
			c->id, c->qbytes);
		c->drop = true;
		shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		return;
	}
	m = malloc(sizeof(*m) + LWS_PRE + n);
	if (!m)
		return;
	c->qbytes += n;
	m->next = NULL;
	m->len = n;
	m->due_ns = tt_venue_mono_ns() + delay_ms * 1000000ull;
	memcpy(m->data + LWS_PRE, s, n);
	if (c->tail)
		c->tail->next = m;
	else
		c->head = m;
	c->tail = m;
	lws_callback_on_writable(c->wsi);
}

static int conn_writable(struct aconn *c)
{
	uint64_t now = tt_venue_mono_ns();

	if (c->drop)
		return -1;
	while (c->head) {
		struct outmsg *m = c->head;

		if (m->due_ns > now) {
			lws_set_timer_usecs(c->wsi, (lws_usec_t)((m->due_ns - now) / 1000 + 1));
			return 0;
		}
		if (lws_write(c->wsi, (unsigned char *)m->data + LWS_PRE, m->len, LWS_WRITE_TEXT) <
		    (int)m->len)
			return -1;
		c->head = m->next;
		if (!c->head)
			c->tail = NULL;
		c->qbytes -= m->len;
		free(m);
		if (c->head) {
			lws_callback_on_writable(c->wsi);
			break;
		}
	}
	return 0;
}

/* ---- encoders ---------------------------------------------------------------------------- */

static void jfx(struct jb *b, int64_t v, int dec)
{
	char t[48];
	int n = tt_venc_fixed(t, sizeof(t) - 1, v, dec, 8);

	t[n < 0 ? 0 : n] = 0;
	jb_printf(b, "\"%s\"", t);
}

static const struct tt_vsym_cfg *cfg_of(const struct tt_vorder *o)
{
	return &A.mx.books[o->sym]->cfg;
}

static void enc_exec(struct jb *b, const struct tt_vexec *e, int sub)
{
	const struct tt_vorder *o = e->o;
	const struct tt_vsym_cfg *c = cfg_of(o);
	bool cancel = e->x == TT_VX_CANCELED;
	const char *cid = cancel && A.cancel_cid ? A.cancel_cid : o->cid;

	jb_printf(b,
		  "{\"subscriptionId\":%d,\"event\":{\"e\":\"executionReport\",\"E\":%llu,"
		  "\"s\":\"%s\",\"c\":\"%s\",\"S\":\"%s\",\"o\":\"%s\",\"f\":\"%s\",\"q\":",
		  sub, (unsigned long long)e->t_ms, c->symbol, cid, o->side ? "SELL" : "BUY",
		  tt_vmatch_type_name(o->type), tt_vmatch_tif_name(o->tif));
	jfx(b, o->qty, c->qty_dec);
	jb_printf(b, ",\"p\":");
	jfx(b, o->px, c->px_dec);
	jb_printf(b,
		  ",\"P\":\"0.00000000\",\"F\":\"0.00000000\",\"g\":-1,\"C\":\"%s\","
		  "\"x\":\"%s\",\"X\":\"%s\",\"r\":\"NONE\",\"i\":%llu,\"l\":",
		  cancel ? o->cid : "", tt_vmatch_x_name(e->x), tt_vmatch_status_name(o->status),
		  (unsigned long long)o->id);
	jfx(b, e->last_qty, c->qty_dec);
	jb_printf(b, ",\"z\":");
	jfx(b, o->cum, c->qty_dec);
	jb_printf(b, ",\"L\":");
	jfx(b, e->last_px, c->px_dec);
	if (e->x == TT_VX_TRADE)
		jb_printf(b, ",\"n\":\"0.00000000\",\"N\":\"%s\"", o->side ? c->quote : c->base);
	else
		jb_printf(b, ",\"n\":\"0\",\"N\":null");
	jb_printf(b, ",\"T\":%llu,\"t\":%lld,", (unsigned long long)e->t_ms,
		  e->trade_id ? (long long)e->trade_id : -1LL);
	if (o->prevented_id)
		jb_printf(b, "\"v\":%llu,", (unsigned long long)o->prevented_id);
	/* strategyId / strategyType appear only when the order was placed with them */
	if (o->strategy_id)
		jb_printf(b, "\"j\":%llu,", (unsigned long long)o->strategy_id);
	jb_printf(
	    b, "\"I\":%llu,\"w\":%s,\"m\":%s,\"M\":false,\"O\":%llu,\"Z\":",
	    (unsigned long long)e->exec_id,
	    (o->live || (e->x == TT_VX_NEW && o->type != TT_VOT_MARKET && o->tif == TT_VTIF_GTC))
		? "true"
		: "false",
	    e->maker ? "true" : "false", (unsigned long long)o->t_ms);
	jfx(b, o->cumq, c->px_dec + c->qty_dec);
	jb_printf(b, ",\"Y\":");
	jfx(b, e->last_px * e->last_qty, c->px_dec + c->qty_dec);
	jb_printf(b, ",\"Q\":");
	jfx(b, o->quote_qty, c->px_dec + c->qty_dec);
	jb_printf(b, ",\"W\":%llu,\"V\":\"%s\"}}", (unsigned long long)o->work_ms,
		  tt_vmatch_stp_name(o->stp));
}

/* Common order fields: price..side (the order.place RESULT / cancel / status body). */
static void enc_order_core(struct jb *b, const struct tt_vorder *o)
{
	const struct tt_vsym_cfg *c = cfg_of(o);

	jb_printf(b, "\"price\":");
	jfx(b, o->px, c->px_dec);
	jb_printf(b, ",\"origQty\":");
	jfx(b, o->qty, c->qty_dec);
	jb_printf(b, ",\"executedQty\":");
	jfx(b, o->cum, c->qty_dec);
	jb_printf(b, ",\"origQuoteOrderQty\":");
	jfx(b, o->quote_qty, c->px_dec + c->qty_dec);
	jb_printf(b, ",\"cummulativeQuoteQty\":");
	jfx(b, o->cumq, c->px_dec + c->qty_dec);
	jb_printf(b, ",\"status\":\"%s\",\"timeInForce\":\"%s\",\"type\":\"%s\",\"side\":\"%s\"",
		  tt_vmatch_status_name(o->status), tt_vmatch_tif_name(o->tif),
		  tt_vmatch_type_name(o->type), o->side ? "SELL" : "BUY");
}

static void enc_prevented(struct jb *b, const struct tt_vorder *o)
{
	if (o->prevented_id) {
		jb_printf(b, ",\"preventedMatchId\":%llu,\"preventedQuantity\":",
			  (unsigned long long)o->prevented_id);
		jfx(b, o->prevented_qty, cfg_of(o)->qty_dec);
	}
}

static void enc_status(struct jb *b, const struct tt_vorder *o)
{
	jb_printf(b,
		  "{\"symbol\":\"%s\",\"orderId\":%llu,\"orderListId\":-1,\"clientOrderId\":\"%s\","
		  "\"price\":",
		  cfg_of(o)->symbol, (unsigned long long)o->id, o->cid);
	jfx(b, o->px, cfg_of(o)->px_dec);
	jb_printf(b, ",\"origQty\":");
	jfx(b, o->qty, cfg_of(o)->qty_dec);
	jb_printf(b, ",\"executedQty\":");
	jfx(b, o->cum, cfg_of(o)->qty_dec);
	jb_printf(b, ",\"cummulativeQuoteQty\":");
	jfx(b, o->cumq, cfg_of(o)->px_dec + cfg_of(o)->qty_dec);
	jb_printf(b,
		  ",\"status\":\"%s\",\"timeInForce\":\"%s\",\"type\":\"%s\",\"side\":\"%s\","
		  "\"stopPrice\":\"0.00000000\",\"icebergQty\":\"0.00000000\",\"time\":%llu,"
		  "\"updateTime\":%llu,\"isWorking\":%s,\"workingTime\":%llu,"
		  "\"origQuoteOrderQty\":",
		  tt_vmatch_status_name(o->status), tt_vmatch_tif_name(o->tif),
		  tt_vmatch_type_name(o->type), o->side ? "SELL" : "BUY",
		  (unsigned long long)o->t_ms, (unsigned long long)o->upd_ms,
		  o->live ? "true" : "false", (unsigned long long)o->work_ms);
	jfx(b, o->quote_qty, cfg_of(o)->px_dec + cfg_of(o)->qty_dec);
	jb_printf(b, ",\"selfTradePreventionMode\":\"%s\"", tt_vmatch_stp_name(o->stp));
	enc_prevented(b, o);
	jb_printf(b, "}");
}

static void enc_cancel(struct jb *b, const struct tt_vorder *o, const char *new_cid)
{
	jb_printf(b,
		  "{\"symbol\":\"%s\",\"origClientOrderId\":\"%s\",\"orderId\":%llu,"
		  "\"orderListId\":-1,\"clientOrderId\":\"%s\",\"transactTime\":%llu,",
		  cfg_of(o)->symbol, o->cid, (unsigned long long)o->id, new_cid,
		  (unsigned long long)o->upd_ms);
	enc_order_core(b, o);
	jb_printf(b, ",\"selfTradePreventionMode\":\"%s\"}", tt_vmatch_stp_name(o->stp));
}

/* resp: 0 ACK, 1 RESULT, 2 FULL; fills from index f0 of the fill log. */
static void enc_place(struct jb *b, const struct tt_vorder *o, int resp, size_t f0)
{
	const struct tt_vsym_cfg *c = cfg_of(o);

	jb_printf(b,
		  "{\"symbol\":\"%s\",\"orderId\":%llu,\"orderListId\":-1,\"clientOrderId\":\"%s\","
		  "\"transactTime\":%llu",
		  c->symbol, (unsigned long long)o->id, o->cid, (unsigned long long)o->t_ms);
	if (resp >= 1) {
		jb_printf(b, ",");
		enc_order_core(b, o);
		jb_printf(b, ",\"workingTime\":%llu,\"selfTradePreventionMode\":\"%s\"",
			  (unsigned long long)o->work_ms, tt_vmatch_stp_name(o->stp));
		enc_prevented(b, o);
	}
	if (resp == 2) {
		int k = 0;

		jb_printf(b, ",\"fills\":[");
		for (size_t i = f0; i < A.mx.nfill; i++) {
			const struct tt_vfill *f = &A.mx.fill[i];

			if (f->order_id != o->id)
				continue;
			jb_printf(b, "%s{\"price\":", k++ ? "," : "");
			jfx(b, f->px, c->px_dec);
			jb_printf(b, ",\"qty\":");
			jfx(b, f->qty, c->qty_dec);
			jb_printf(b,
				  ",\"commission\":\"0.00000000\",\"commissionAsset\":\"%s\","
				  "\"tradeId\":%llu}",
				  o->side ? c->quote : c->base, (unsigned long long)f->trade_id);
		}
		jb_printf(b, "]");
	}
	jb_printf(b, "}");
}

/* ---- execution reports ------------------------------------------------------------------- */

static void on_exec(void *ctx, const struct tt_vexec *e)
{
	(void)ctx;
	for (int i = 0; i < MAX_CONNS; i++) {
		struct aconn *c = A.conns[i];
		struct jb b = {0};

		int sub;

		if (!c)
			continue;
		if (c->uds && c->key == e->o->acct)
			sub = c->sub_id;
		else if (e->o->acct >= 0 && e->o->acct < MAX_KEYS && c->sig_sub[e->o->acct])
			sub = c->sig_sub[e->o->acct] - 1;
		else
			continue;
		/* one encoding per subscriber (subscription ids differ). A logon subscription
		 * and a signature one for the same account on one connection cannot both
		 * exist (subscribe refuses the second), so each report goes once. */
		enc_exec(&b, e, sub);
		if (!b.p)
			continue;
		A.stats_reports++;
		if (A.deferring && A.ndeferred == A.capdeferred) {
			int nc = A.capdeferred ? A.capdeferred * 2 : 64;
			struct jb *d = realloc(A.deferred, (size_t)nc * sizeof(*d));
			int *dc = d ? realloc(A.deferred_conn, (size_t)nc * sizeof(*dc)) : NULL;

			if (d)
				A.deferred = d;
			if (dc) {
				A.deferred_conn = dc;
				A.capdeferred = nc;
			}
		}
		if (A.deferring && A.ndeferred < A.capdeferred) {
			A.deferred[A.ndeferred] = b;
			A.deferred_conn[A.ndeferred] = i;
			A.ndeferred++;
			continue;
		}
		{
			int times = A.dup_next > 0 ? 2 : 1;

			for (int t = 0; t < times; t++)
				conn_send(c, b.p, b.n, (uint64_t)A.delay_ms);
			if (A.dup_next > 0) {
				A.dup_next--;
				tt_venue_fault_log("oe_dup_report", ",\"order\":%llu",
						   (unsigned long long)e->o->id);
			}
		}
		jb_free(&b);
	}
}

static void flush_deferred(void)
{
	for (int i = 0; i < A.ndeferred; i++) {
		struct aconn *c = A.conns[A.deferred_conn[i]];

		if (c && !c->drop) {
			int times = A.dup_next > 0 ? 2 : 1;

			for (int t = 0; t < times; t++)
				conn_send(c, A.deferred[i].p, A.deferred[i].n,
					  (uint64_t)A.delay_ms);
			if (A.dup_next > 0) {
				A.dup_next--;
				tt_venue_fault_log("oe_dup_report", ",\"conn\":%d", c->id);
			}
		}
		jb_free(&A.deferred[i]);
	}
	A.ndeferred = 0;
	A.deferring = false;
}

static void on_synth(void *ctx, int sym, const struct tt_vstep *s)
{
	(void)ctx;
	if (A.mkt->replay)
		return; /* the feed is the replay file alone: the still books stay unpublished */
	tt_vmarket_emit(A.mkt, sym, s, tt_venue_wall_ms());
}

static void on_step(void *ctx, int sym, const struct tt_vstep *s)
{
	(void)ctx;
	A.mx.now_ms = tt_venue_wall_ms();
	tt_vmatch_on_step(&A.mx, sym, s);
}

/* ---- rate limits ------------------------------------------------------------------------- */

static void enc_limits(struct jb *b, int acct, bool orders)
{
	jb_printf(b, ",\"rateLimits\":[");
	if (orders && acct >= 0)
		jb_printf(
		    b,
		    "{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,"
		    "\"limit\":%d,\"count\":%d},{\"rateLimitType\":\"ORDERS\",\"interval\":"
		    "\"DAY\",\"intervalNum\":1,\"limit\":%d,\"count\":%d},",
		    A.orders10_lim, A.o10_count[acct], A.ordersday_lim, A.oday_count[acct]);
	jb_printf(b,
		  "{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,"
		  "\"limit\":%d,\"count\":%d}]",
		  A.weight_lim, A.w_count);
}

/* Adds weight; false when over the limit. */
static bool weight_add(int w)
{
	uint64_t win = tt_venue_wall_ms() / 60000;

	if (win != A.w_win) {
		A.w_win = win;
		A.w_count = 0;
	}
	A.w_count += w;
	return A.w_count <= A.weight_lim;
}

static bool orders_add(int acct)
{
	uint64_t now = tt_venue_wall_ms();

	if (now / 10000 != A.o10_win[acct]) {
		A.o10_win[acct] = now / 10000;
		A.o10_count[acct] = 0;
	}
	if (now / 86400000 != A.oday_win[acct]) {
		A.oday_win[acct] = now / 86400000;
		A.oday_count[acct] = 0;
	}
	if (A.o10_count[acct] >= A.orders10_lim || A.oday_count[acct] >= A.ordersday_lim)
		return false;
	A.o10_count[acct]++;
	A.oday_count[acct]++;
	return true;
}

/* ---- responses --------------------------------------------------------------------------- */

static void respond_err(struct aconn *c, const struct req *r, int status, int code, const char *msg,
			int acct, bool orders)
{
	struct jb b = {0};

	A.stats_errors++;
	jb_printf(&b, "{\"id\":%s,\"status\":%d,\"error\":{\"code\":%d,\"msg\":\"%s\"}", r->id,
		  status, code, msg);
	enc_limits(&b, acct, orders);
	jb_printf(&b, "}");
	if (b.p)
		conn_send(c, b.p, b.n, (uint64_t)A.delay_ms);
	jb_free(&b);
}

/* Sends {"id","status":200,"result":<res>,"rateLimits"}. */
static void respond_ok(struct aconn *c, const struct req *r, struct jb *res, int acct, bool orders)
{
	struct jb b = {0};

	jb_printf(&b, "{\"id\":%s,\"status\":200,\"result\":%s", r->id, res->p ? res->p : "{}");
	enc_limits(&b, acct, orders);
	jb_printf(&b, "}");
	if (b.p)
		conn_send(c, b.p, b.n, (uint64_t)A.delay_ms);
	jb_free(&b);
}

/* ---- authentication ---------------------------------------------------------------------- */

/* Resolves the account of a request: signed (apiKey+signature) or the session's key.
 * Returns the key index or -1 after answering the error. */
static int authorize(struct aconn *c, const struct req *r, bool allow_session)
{
	const char *ak = param(r, "apiKey");
	const char *sig = param(r, "signature");
	const char *ts = param(r, "timestamp");
	const char *rw = param(r, "recvWindow");
	uint64_t now = tt_venue_wall_ms();
	int k;

	if (!sig && allow_session && c->key >= 0 && !ak) {
		/* "You still have to specify the timestamp parameter for SIGNED requests." */
		if (!ts) {
			respond_err(c, r, 400, -1102,
				    "Mandatory parameter 'timestamp' was not sent, was empty/null, "
				    "or malformed.",
				    -1, false);
			return -1;
		}
		k = c->key;
	} else {
		if (!ak) {
			respond_err(c, r, 400, -1102,
				    "Mandatory parameter 'apiKey' was not sent, was empty/null, or "
				    "malformed.",
				    -1, false);
			return -1;
		}
		if (!sig) {
			respond_err(c, r, 400, -1102,
				    "Mandatory parameter 'signature' was not sent, was empty/null, "
				    "or malformed.",
				    -1, false);
			return -1;
		}
		if (!ts) {
			respond_err(c, r, 400, -1102,
				    "Mandatory parameter 'timestamp' was not sent, was empty/null, "
				    "or malformed.",
				    -1, false);
			return -1;
		}
		k = key_find(ak);
		if (k < 0) {
			respond_err(c, r, 401, -2015,
				    "Invalid API-key, IP, or permissions for action.", -1, false);
			return -1;
		}
	}
	if (ts) {
		char *e;
		unsigned long long t = strtoull(ts, &e, 10);
		int64_t win = 5000000; /* microseconds */

		if (*e || e == ts) {
			respond_err(
			    c, r, 400, -1100,
			    "Illegal characters found in parameter 'timestamp'; legal range "
			    "is '^[0-9]{1,20}$'.",
			    -1, false);
			return -1;
		}
		if (rw) {
			int64_t v = parse_e8(rw);

			if (v < 0) {
				respond_err(c, r, 400, -1100,
					    "Illegal characters found in parameter 'recvWindow'; "
					    "legal range is '^[0-9]{1,20}(\\\\.[0-9]{1,3})?$'.",
					    -1, false);
				return -1;
			}
			if (v > 60000ll * 100000000ll) {
				respond_err(c, r, 400, -1131, "recvWindow must be less than 60000",
					    -1, false);
				return -1;
			}
			win = v / 100; /* e8 ms -> us */
		}
		if (t > 100000000000000ull) /* microseconds */
			t /= 1000;
		if ((int64_t)t >= (int64_t)now + 1000) {
			respond_err(c, r, 400, -1021,
				    "Timestamp for this request was 1000ms ahead of the server's "
				    "time.",
				    -1, false);
			return -1;
		}
		if (((int64_t)now - (int64_t)t) * 1000 > win) {
			respond_err(c, r, 400, -1021,
				    "Timestamp for this request is outside of the recvWindow.", -1,
				    false);
			return -1;
		}
	}
	if (sig && !sig_ok(r, &A.keys[k], sig)) {
		respond_err(c, r, 400, -1022, "Signature for this request is not valid.", -1,
			    false);
		return -1;
	}
	return k;
}

static bool has_sig_sub(const struct aconn *c)
{
	for (int i = 0; i < MAX_KEYS; i++)
		if (c->sig_sub[i])
			return true;
	return false;
}

static void session_result(struct jb *b, struct aconn *c)
{
	if (c->key >= 0)
		jb_printf(b, "{\"apiKey\":\"%s\",\"authorizedSince\":%llu,", A.keys[c->key].name,
			  (unsigned long long)c->auth_ms);
	else
		jb_printf(b, "{\"apiKey\":null,\"authorizedSince\":null,");
	jb_printf(b,
		  "\"connectedSince\":%llu,\"returnRateLimits\":true,\"serverTime\":%llu,"
		  "\"userDataStream\":%s}",
		  (unsigned long long)c->connected_ms, (unsigned long long)tt_venue_wall_ms(),
		  c->uds || has_sig_sub(c) ? "true" : "false");
}

/* ---- order requests ---------------------------------------------------------------------- */

static int enum_of(const char *v, const char *const *names, int n)
{
	for (int i = 0; v && i < n; i++)
		if (!strcmp(v, names[i]))
			return i;
	return -1;
}

static bool cid_ok(const char *v);

static const char *const side_n[] = {"BUY", "SELL"};
static const char *const type_n[] = {"LIMIT", "MARKET", "LIMIT_MAKER"};
static const char *const tif_n[] = {"GTC", "IOC", "FOK"};
static const char *const stp_n[] = {"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"};

/* Builds a tt_vreq from params (prefix "" or for cancelReplace the same names). Returns 0 or
 * answers the error and returns -1. */
static int build_req(struct aconn *c, const struct req *r, int acct, struct tt_vreq *q)
{
	const char *v;
	int e;

	memset(q, 0, sizeof(*q));
	q->acct = acct;
	q->session = c->id;
	v = param(r, "symbol");
	if (!v) {
		respond_err(
		    c, r, 400, -1102,
		    "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
		    acct, true);
		return -1;
	}
	q->sym = tt_vmarket_sym(A.mkt, v);
	if (q->sym < 0) {
		respond_err(c, r, 400, -1121, "Invalid symbol.", acct, true);
		return -1;
	}
	v = param(r, "side");
	e = enum_of(v, side_n, 2);
	if (e < 0) {
		respond_err(c, r, 400, v ? -1117 : -1102,
			    v ? "Invalid side."
			      : "Mandatory parameter 'side' was not sent, was empty/null, or "
				"malformed.",
			    acct, true);
		return -1;
	}
	q->side = (uint8_t)e;
	v = param(r, "type");
	e = enum_of(v, type_n, 3);
	if (e < 0) {
		respond_err(c, r, 400, v ? -1116 : -1102,
			    v ? "Invalid orderType."
			      : "Mandatory parameter 'type' was not sent, was empty/null, or "
				"malformed.",
			    acct, true);
		return -1;
	}
	q->type = (uint8_t)e;
	v = param(r, "timeInForce");
	if (q->type == TT_VOT_LIMIT) {
		e = enum_of(v, tif_n, 3);
		if (e < 0) {
			respond_err(c, r, 400, v ? -1115 : -1102,
				    v ? "Invalid timeInForce."
				      : "Mandatory parameter 'timeInForce' was not sent, was "
					"empty/null, or malformed.",
				    acct, true);
			return -1;
		}
		q->tif = (uint8_t)e;
	} else if (v) {
		respond_err(c, r, 400, -1106, "Parameter 'timeInForce' sent when not required.",
			    acct, true);
		return -1;
	}
	v = param(r, "selfTradePreventionMode");
	e = v ? enum_of(v, stp_n, 4) : TT_VSTP_EXPIRE_MAKER;
	if (e < 0) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'selfTradePreventionMode'.",
			    acct, true);
		return -1;
	}
	q->stp = (uint8_t)e;
	q->px_e8 = -1;
	q->qty_e8 = -1;
	q->quote_e8 = -1;
	v = param(r, "price");
	if (v && (q->px_e8 = parse_e8(v)) < 0) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'price'; legal range is "
			    "'^([0-9]{1,20})(\\\\.[0-9]{1,20})?$'.",
			    acct, true);
		return -1;
	}
	v = param(r, "quantity");
	if (v && (q->qty_e8 = parse_e8(v)) < 0) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'quantity'; legal range is "
			    "'^([0-9]{1,20})(\\\\.[0-9]{1,20})?$'.",
			    acct, true);
		return -1;
	}
	v = param(r, "quoteOrderQty");
	if (v && (q->quote_e8 = parse_e8(v)) < 0) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'quoteOrderQty'.", acct, true);
		return -1;
	}
	q->cid = param(r, "newClientOrderId");
	if (q->cid && !cid_ok(q->cid)) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'newClientOrderId'; legal range "
			    "is '^[\\\\.A-Z\\\\:/a-z0-9_-]{1,36}$'.",
			    acct, true);
		return -1;
	}
	return 0;
}

/* newClientOrderId and friends: ^[.A-Z:/a-z0-9_-]{1,36}$ (also keeps our JSON clean) */
static bool cid_ok(const char *v)
{
	size_t n = strlen(v);

	if (n < 1 || n > 36)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr(".:/_-", v[i]))
			return false;
	return true;
}

static int resp_type(const struct req *r, int type)
{
	const char *v = param(r, "newOrderRespType");

	if (v && !strcmp(v, "ACK"))
		return 0;
	if (v && !strcmp(v, "RESULT"))
		return 1;
	if (v && !strcmp(v, "FULL"))
		return 2;
	return type == TT_VOT_LIMIT_MAKER ? 0 : 2;
}

/* Fault hooks common to order requests, after execution. true = answered/dropped. */
static bool order_faults(struct aconn *c, const struct req *r, int acct)
{
	if (A.drop_next > 0) {
		A.drop_next--;
		tt_venue_fault_log("oe_drop_mid_order", ",\"conn\":%d,\"method\":\"%s\"", c->id,
				   r->method);
		c->drop = true;
		shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		return true;
	}
	if (A.unknown_next > 0) {
		A.unknown_next--;
		tt_venue_fault_log("oe_unknown", ",\"conn\":%d,\"method\":\"%s\"", c->id,
				   r->method);
		respond_err(c, r, 503, -1007,
			    "Timeout waiting for response from backend server. Send status "
			    "unknown; execution status unknown.",
			    acct, true);
		return true;
	}
	return false;
}

/*
 * Every order.place that passed validation is one structured line on stderr, before rate
 * limits and faults decide its fate (tests/engine compares them with the expected list):
 *   {"event":"api_order","conn","t_ns","symbol","side","type","tif","price","qty","cid",
 *    "cause","w2w_ns"}
 * cause: the strategyId param (ticktrade: the causing book update id, low 32 bits), 0 when
 * absent; w2w_ns: read time − when that update was handed to the kernel (w2w.c), -1 when
 * unknown. A strategyId that is not a decimal LONG is answered -1100.
 */
static int note_order(struct aconn *c, const struct req *r, struct tt_vreq *q)
{
	const char *v = param(r, "strategyId");
	const char *px = param(r, "price");
	const char *qty = param(r, "quantity");
	uint64_t cause = 0;
	int64_t w2w = -1;

	if (v) {
		size_t n = strlen(v);

		if (n < 1 || n > 18 || strspn(v, "0123456789") != n) {
			respond_err(
			    c, r, 400, -1100,
			    "Illegal characters found in parameter 'strategyId'; legal range "
			    "is '^[0-9]{1,18}$'.",
			    q->acct, true);
			return -1;
		}
		cause = strtoull(v, NULL, 10);
		q->strategy_id = cause;
		if (cause)
			w2w = tt_vw2w_order(q->sym, cause, c->rx_ns);
	}
	fprintf(stderr,
		"{\"event\":\"api_order\",\"conn\":%d,\"t_ns\":%llu,\"symbol\":\"%s\","
		"\"side\":\"%s\",\"type\":\"%s\",\"tif\":\"%s\",\"price\":\"%s\","
		"\"qty\":\"%s\",\"cid\":\"%s\",\"cause\":%llu,\"w2w_ns\":%lld}\n",
		c->id, (unsigned long long)c->rx_ns, param(r, "symbol"), side_n[q->side],
		type_n[q->type], q->type == TT_VOT_LIMIT ? tif_n[q->tif] : "", px ? px : "",
		qty ? qty : "", q->cid ? q->cid : "", (unsigned long long)cause, (long long)w2w);
	return 0;
}

static void do_place(struct aconn *c, const struct req *r, int acct)
{
	struct tt_vreq q;
	const char *msg = "";
	uint64_t id = 0;
	size_t f0 = A.mx.nfill;
	int rc;
	struct jb res = {0};

	if (build_req(c, r, acct, &q) < 0)
		return;
	if (note_order(c, r, &q) < 0)
		return;
	if (!orders_add(acct)) {
		char m[128];

		snprintf(m, sizeof(m),
			 "Too many new orders; current limit is %d orders per 10 "
			 "SECOND.",
			 A.orders10_lim);
		respond_err(c, r, 429, -1015, m, acct, true);
		return;
	}
	A.place_count++;
	if (A.reject_every > 0 && A.place_count % (uint64_t)A.reject_every == 0) {
		tt_venue_fault_log("oe_reject", ",\"conn\":%d,\"n\":%llu", c->id,
				   (unsigned long long)A.place_count);
		respond_err(c, r, 400, -2010, "Market is closed.", acct, true);
		return;
	}
	A.mx.now_ms = tt_venue_wall_ms();
	A.deferring = true;
	rc = tt_vmatch_place(&A.mx, &q, &id, &msg);
	if (rc < 0) {
		respond_err(c, r, 400, rc, msg, acct, true);
	} else if (!order_faults(c, r, acct)) {
		enc_place(&res, &A.mx.ord[id - 1], resp_type(r, q.type), f0);
		respond_ok(c, r, &res, acct, true);
	}
	jb_free(&res);
	flush_deferred();
}

/* The order named by orderId/origClientOrderId (cancelOrderId/cancelOrigClientOrderId for
 * cancelReplace: replace = true). */
static struct tt_vorder *lookup_by(struct aconn *c, const struct req *r, int acct, int *sym,
				   bool replace)
{
	const char *s = param(r, "symbol");
	const char *oid = param(r, replace ? "cancelOrderId" : "orderId");
	const char *cid = param(r, replace ? "cancelOrigClientOrderId" : "origClientOrderId");
	struct tt_vorder *o;

	*sym = -1; /* stays -1 when this answered the error */
	if (!s) {
		respond_err(
		    c, r, 400, -1102,
		    "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
		    acct, false);
		return NULL;
	}
	*sym = tt_vmarket_sym(A.mkt, s);
	if (*sym < 0) {
		respond_err(c, r, 400, -1121, "Invalid symbol.", acct, false);
		return NULL;
	}
	if (!oid && !cid) {
		*sym = -1;
		respond_err(c, r, 400, -1102,
			    replace
				? "Param 'cancelOrigClientOrderId' or 'cancelOrderId' must be "
				  "sent, but both were empty/null!"
				: "Param 'origClientOrderId' or 'orderId' must be sent, but both "
				  "were empty/null!",
			    acct, false);
		return NULL;
	}
	o = tt_vmatch_find(&A.mx, acct, *sym, oid ? strtoull(oid, NULL, 10) : 0, oid ? NULL : cid);
	return o;
}

static struct tt_vorder *lookup(struct aconn *c, const struct req *r, int acct, int *sym)
{
	return lookup_by(c, r, acct, sym, false);
}

static void gen_cid(char *buf, size_t cap)
{
	static uint64_t n;

	snprintf(buf, cap, "ttvcxl%014llu", (unsigned long long)++n);
}

static void do_cancel(struct aconn *c, const struct req *r, int acct)
{
	int sym;
	struct tt_vorder *o = lookup(c, r, acct, &sym);
	const char *msg = "Unknown order sent.";
	char cid[40];
	const char *ncid = param(r, "newClientOrderId");
	struct jb res = {0};

	if (!o) {
		if (sym >= 0)
			respond_err(c, r, 400, -2011, msg, acct, false);
		return;
	}
	if (ncid && !cid_ok(ncid)) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'newClientOrderId'; legal range "
			    "is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
			    acct, false);
		return;
	}
	if (!ncid)
		gen_cid(cid, sizeof(cid));
	else
		snprintf(cid, sizeof(cid), "%s", ncid);
	A.mx.now_ms = tt_venue_wall_ms();
	A.deferring = true;
	A.cancel_cid = cid;
	if (tt_vmatch_cancel(&A.mx, acct, o->id, &msg) < 0) {
		respond_err(c, r, 400, -2011, msg, acct, false);
	} else if (!order_faults(c, r, acct)) {
		enc_cancel(&res, o, cid);
		respond_ok(c, r, &res, acct, false);
	}
	A.cancel_cid = NULL;
	jb_free(&res);
	flush_deferred();
}

static void do_cancel_replace(struct aconn *c, const struct req *r, int acct)
{
	int sym;
	struct tt_vorder *o;
	struct tt_vreq q;
	const char *msg = "Unknown order sent.";
	const char *mode = param(r, "cancelReplaceMode");
	char cid[40];
	const char *ncid = param(r, "cancelNewClientOrderId");
	struct jb res = {0};
	uint64_t id = 0;
	size_t f0;
	int rc;
	bool allow = mode && !strcmp(mode, "ALLOW_FAILURE");

	if (!mode || (strcmp(mode, "STOP_ON_FAILURE") && !allow)) {
		respond_err(c, r, 400, -1102,
			    "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, "
			    "or malformed.",
			    acct, true);
		return;
	}
	o = lookup_by(c, r, acct, &sym, true);
	if (sym < 0)
		return;
	if (build_req(c, r, acct, &q) < 0)
		return;
	if (ncid && !cid_ok(ncid)) {
		respond_err(c, r, 400, -1100,
			    "Illegal characters found in parameter 'cancelNewClientOrderId'.", acct,
			    true);
		return;
	}
	if (!orders_add(acct)) {
		respond_err(c, r, 429, -1015, "Too many new orders.", acct, true);
		return;
	}
	if (!ncid)
		gen_cid(cid, sizeof(cid));
	else
		snprintf(cid, sizeof(cid), "%s", ncid);
	A.mx.now_ms = tt_venue_wall_ms();
	A.deferring = true;
	A.cancel_cid = cid;
	rc = o ? tt_vmatch_cancel(&A.mx, acct, o->id, &msg) : -2011;
	A.cancel_cid = NULL;
	if (rc < 0 && !allow) {
		jb_printf(&res,
			  "{\"id\":%s,\"status\":400,\"error\":{\"code\":-2022,\"msg\":\"Order "
			  "cancel-replace failed.\",\"data\":{\"cancelResult\":\"FAILURE\","
			  "\"newOrderResult\":\"NOT_ATTEMPTED\",\"cancelResponse\":{\"code\":-2011,"
			  "\"msg\":\"%s\"},\"newOrderResponse\":null}}",
			  r->id, msg);
		enc_limits(&res, acct, true);
		jb_printf(&res, "}");
		conn_send(c, res.p, res.n, (uint64_t)A.delay_ms);
		jb_free(&res);
		flush_deferred();
		return;
	}
	f0 = A.mx.nfill;
	{
		const char *pmsg = "";
		int prc = tt_vmatch_place(&A.mx, &q, &id, &pmsg);
		struct jb cr = {0};
		struct jb nr = {0};

		if (rc == 0)
			enc_cancel(&cr, o, cid);
		else
			jb_printf(&cr, "{\"code\":-2011,\"msg\":\"%s\"}", msg);
		if (prc == 0)
			enc_place(&nr, &A.mx.ord[id - 1], resp_type(r, q.type), f0);
		else
			jb_printf(&nr, "{\"code\":%d,\"msg\":\"%s\"}", prc, pmsg);
		if (order_faults(c, r, acct)) {
			/* answered or dropped */
		} else if (rc == 0 && prc == 0) {
			jb_printf(&res,
				  "{\"cancelResult\":\"SUCCESS\",\"newOrderResult\":\"SUCCESS\","
				  "\"cancelResponse\":%s,\"newOrderResponse\":%s}",
				  cr.p, nr.p);
			respond_ok(c, r, &res, acct, true);
		} else {
			bool both = rc < 0 && prc < 0;

			jb_printf(&res,
				  "{\"id\":%s,\"status\":%d,\"error\":{\"code\":%d,\"msg\":\"Order "
				  "cancel-replace %s.\",\"data\":{\"cancelResult\":\"%s\","
				  "\"newOrderResult\":\"%s\",\"cancelResponse\":%s,"
				  "\"newOrderResponse\":%s}}",
				  r->id, both ? 400 : 409, both ? -2022 : -2021,
				  both ? "failed" : "partially failed", rc ? "FAILURE" : "SUCCESS",
				  prc ? "FAILURE" : "SUCCESS", cr.p, nr.p);
			enc_limits(&res, acct, true);
			jb_printf(&res, "}");
			A.stats_errors++;
			conn_send(c, res.p, res.n, (uint64_t)A.delay_ms);
		}
		jb_free(&cr);
		jb_free(&nr);
	}
	jb_free(&res);
	flush_deferred();
}

static void do_status(struct aconn *c, const struct req *r, int acct)
{
	int sym = -1;
	struct tt_vorder *o = lookup(c, r, acct, &sym);
	struct jb res = {0};

	if (!o) {
		if (sym >= 0)
			respond_err(c, r, 400, -2013, "Order does not exist.", acct, false);
		return;
	}
	enc_status(&res, o);
	respond_ok(c, r, &res, acct, false);
	jb_free(&res);
}

static void do_open_orders(struct aconn *c, const struct req *r, int acct, bool cancel)
{
	const char *s = param(r, "symbol");
	int sym = -1;
	struct jb res = {0};
	int k = 0;
	uint32_t ids[4096];
	size_t n = 0;

	if (s && (sym = tt_vmarket_sym(A.mkt, s)) < 0) {
		respond_err(c, r, 400, -1121, "Invalid symbol.", acct, false);
		return;
	}
	if (cancel && !s) {
		respond_err(
		    c, r, 400, -1102,
		    "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
		    acct, false);
		return;
	}
	/* oldest first */
	for (size_t i = 0; i < A.mx.nord && n < 4096; i++) {
		const struct tt_vorder *o = &A.mx.ord[i];

		if (o->live && o->acct == acct && (sym < 0 || o->sym == sym))
			ids[n++] = (uint32_t)i;
	}
	if (cancel && n == 0) {
		respond_err(c, r, 400, -2011, "Unknown order sent.", acct, false);
		return;
	}
	jb_printf(&res, "[");
	A.mx.now_ms = tt_venue_wall_ms();
	A.deferring = cancel;
	for (size_t i = 0; i < n; i++) {
		struct tt_vorder *o = &A.mx.ord[ids[i]];

		jb_printf(&res, "%s", k++ ? "," : "");
		if (cancel) {
			char cid[40];
			const char *msg;

			gen_cid(cid, sizeof(cid));
			A.cancel_cid = cid;
			if (tt_vmatch_cancel(&A.mx, acct, o->id, &msg) == 0)
				enc_cancel(&res, o, cid);
			A.cancel_cid = NULL;
		} else {
			enc_status(&res, o);
		}
	}
	jb_printf(&res, "]");
	respond_ok(c, r, &res, acct, false);
	jb_free(&res);
	if (cancel)
		flush_deferred();
}

/* ---- account trades and signature subscriptions ------------------------------------------ */

/* A LONG/INT parameter: 1 and *v when present and well-formed, 0 when absent, -1 after
 * answering -1100. */
static int u64_param(struct aconn *c, const struct req *r, const char *k, uint64_t *v, int acct)
{
	const char *s = param(r, k);
	char *e;
	char m[160];

	if (!s)
		return 0;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (*s && !*e && isdigit((unsigned char)*s) && errno == 0 && strlen(s) <= 20)
		return 1;
	snprintf(m, sizeof(m),
		 "Illegal characters found in parameter '%s'; legal range is '^[0-9]{1,20}$'.", k);
	respond_err(c, r, 400, -1100, m, acct, false);
	return -1;
}

/*
 * myTrades (web-socket-api.md "Account trade history"): the account's trades on symbol from
 * the fill log, oldest first. Filters: orderId (only that order's trades), fromId (trade id
 * >= fromId), startTime/endTime (by time, at most 24 h apart). fromId or orderId cannot go
 * with startTime/endTime (-1128). limit: default 500, 1..1000 (-1130). No condition: the
 * most recent `limit` trades. Each element: symbol, id, orderId, orderListId (-1), price,
 * qty, quoteQty (price × qty, exact), commission (0: this venue charges none),
 * commissionAsset (what the account received: base for a buyer, quote for a seller), time,
 * isBuyer, isMaker, isBestMatch (true). A self-trade appears twice (buyer and seller).
 */
static void do_my_trades(struct aconn *c, const struct req *r, int acct)
{
	const char *s = param(r, "symbol");
	uint64_t oid = 0, from = 0, t0 = 0, t1 = 0, lim = 500;
	int has_oid, has_from, has_t0, has_t1, has_lim, sym, k = 0;
	size_t first = 0, n = 0;
	struct jb res = {0};

	if (!s) {
		respond_err(
		    c, r, 400, -1102,
		    "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
		    acct, false);
		return;
	}
	sym = tt_vmarket_sym(A.mkt, s);
	if (sym < 0) {
		respond_err(c, r, 400, -1121, "Invalid symbol.", acct, false);
		return;
	}
	if ((has_oid = u64_param(c, r, "orderId", &oid, acct)) < 0 ||
	    (has_from = u64_param(c, r, "fromId", &from, acct)) < 0 ||
	    (has_t0 = u64_param(c, r, "startTime", &t0, acct)) < 0 ||
	    (has_t1 = u64_param(c, r, "endTime", &t1, acct)) < 0 ||
	    (has_lim = u64_param(c, r, "limit", &lim, acct)) < 0)
		return;
	if ((has_oid || has_from) && (has_t0 || has_t1)) {
		respond_err(c, r, 400, -1128, "Combination of optional parameters invalid.", acct,
			    false);
		return;
	}
	if (has_t0 && has_t1 && (t1 < t0 || t1 - t0 > 24ull * 3600 * 1000)) {
		respond_err(c, r, 400, -1127, "More than 24 hours between startTime and endTime.",
			    acct, false);
		return;
	}
	if (has_lim && (lim < 1 || lim > 1000)) {
		respond_err(c, r, 400, -1130, "Data sent for parameter 'limit' is not valid.", acct,
			    false);
		return;
	}
	/* the fill log is in time order, so trade ids of one symbol ascend */
	for (int pass = 0; pass < 2; pass++) {
		size_t m = 0;

		if (pass == 1) {
			if (!has_oid && !has_from && !has_t0 && !has_t1 && n > lim)
				first = n - lim; /* no condition: the most recent */
			jb_printf(&res, "[");
		}
		for (size_t i = 0; i < A.mx.nfill; i++) {
			const struct tt_vfill *f = &A.mx.fill[i];
			const struct tt_vsym_cfg *cf;

			if (f->acct != acct || f->sym != sym || (has_oid && f->order_id != oid) ||
			    (has_from && f->trade_id < from) || (has_t0 && f->t_ms < t0) ||
			    (has_t1 && f->t_ms > t1))
				continue;
			if (pass == 0) {
				n++;
				continue;
			}
			if (m++ < first)
				continue;
			if ((uint64_t)k == lim)
				break;
			cf = &A.mx.books[f->sym]->cfg;
			jb_printf(&res,
				  "%s{\"symbol\":\"%s\",\"id\":%llu,\"orderId\":%llu,"
				  "\"orderListId\":-1,\"price\":",
				  k++ ? "," : "", cf->symbol, (unsigned long long)f->trade_id,
				  (unsigned long long)f->order_id);
			jfx(&res, f->px, cf->px_dec);
			jb_printf(&res, ",\"qty\":");
			jfx(&res, f->qty, cf->qty_dec);
			jb_printf(&res, ",\"quoteQty\":");
			jfx(&res, f->px * f->qty, cf->px_dec + cf->qty_dec);
			jb_printf(
			    &res,
			    ",\"commission\":\"0.00000000\",\"commissionAsset\":\"%s\","
			    "\"time\":%llu,\"isBuyer\":%s,\"isMaker\":%s,\"isBestMatch\":true}",
			    f->side ? cf->quote : cf->base, (unsigned long long)f->t_ms,
			    f->side ? "false" : "true", f->maker ? "true" : "false");
		}
	}
	jb_printf(&res, "]");
	respond_ok(c, r, &res, acct, false);
	jb_free(&res);
}

/*
 * userDataStream.subscribe.signature (web-socket-api.md "Subscribe to User Data Stream
 * through signature subscription"): apiKey, timestamp, (recvWindow), signature over the
 * others, on any session, logged on or not, any key type (HMAC included). One subscription
 * per account per connection (-2035 otherwise, the logon's userDataStream.subscribe
 * included). Result {"subscriptionId":N}; the account's executionReports then arrive as
 * {"subscriptionId":N,"event":{…}}.
 */
static void do_subscribe_signature(struct aconn *c, const struct req *r)
{
	struct jb res = {0};
	int acct;

	if (!param(r, "signature") || !param(r, "apiKey")) {
		respond_err(c, r, 400, -1102,
			    !param(r, "apiKey")
				? "Mandatory parameter 'apiKey' was not sent, was empty/null, or "
				  "malformed."
				: "Mandatory parameter 'signature' was not sent, was empty/null, "
				  "or malformed.",
			    -1, false);
		return;
	}
	acct = authorize(c, r, false);
	if (acct < 0)
		return;
	if (c->sig_sub[acct] || (c->uds && c->key == acct)) {
		respond_err(c, r, 400, -2035, "User Data Stream subscription already active.", -1,
			    false);
		return;
	}
	c->sig_sub[acct] = ++A.next_sub; /* subscriptionId + 1 */
	jb_printf(&res, "{\"subscriptionId\":%d}", c->sig_sub[acct] - 1);
	respond_ok(c, r, &res, -1, false);
	jb_free(&res);
}

/* ---- dispatch ---------------------------------------------------------------------------- */

static int method_weight(const char *m)
{
	if (!strcmp(m, "order.status"))
		return 4;
	if (!strcmp(m, "openOrders.status"))
		return 6;
	if (!strncmp(m, "session.", 8) || !strncmp(m, "userDataStream.", 15))
		return 2;
	return 1;
}

static void handle(struct aconn *c, const char *msg)
{
	static struct req r;
	int acct;

	A.stats_requests++;
	if (parse_req(msg, &r) < 0) {
		strcpy(r.id, "null");
		respond_err(c, &r, 400, -1102, "Malformed request.", -1, false);
		return;
	}
	if (!r.method[0]) {
		respond_err(
		    c, &r, 400, -1102,
		    "Mandatory parameter 'method' was not sent, was empty/null, or malformed.", -1,
		    false);
		return;
	}
	if (!weight_add(!strcmp(r.method, "openOrders.status") && !param(&r, "symbol")
			    ? 80 /* every symbol */
			: !strcmp(r.method, "myTrades") ? (param(&r, "orderId") ? 5 : 20)
							: method_weight(r.method))) {
		char m[200];

		snprintf(m, sizeof(m),
			 "Too much request weight used; current limit is %d request weight per 1 "
			 "MINUTE. Please use WebSocket Streams for live updates to avoid polling "
			 "the API.",
			 A.weight_lim);
		tt_venue_fault_log("oe_rate_limit", ",\"conn\":%d,\"count\":%d", c->id, A.w_count);
		respond_err(c, &r, 429, -1003, m, -1, false);
		return;
	}
	if (!strcmp(r.method, "ping")) {
		struct jb res = {0};

		jb_printf(&res, "{}");
		respond_ok(c, &r, &res, -1, false);
		jb_free(&res);
	} else if (!strcmp(r.method, "time")) {
		struct jb res = {0};

		jb_printf(&res, "{\"serverTime\":%llu}", (unsigned long long)tt_venue_wall_ms());
		respond_ok(c, &r, &res, -1, false);
		jb_free(&res);
	} else if (!strcmp(r.method, "session.logon")) {
		struct jb res = {0};

		if (!param(&r, "signature")) {
			respond_err(c, &r, 400, -1102,
				    "Mandatory parameter 'signature' was not sent, was empty/null, "
				    "or malformed.",
				    -1, false);
			return;
		}
		acct = authorize(c, &r, false);
		if (acct < 0)
			return;
		if (!A.keys[acct].ed25519) {
			respond_err(c, &r, 400, -4056, "HMAC_SHA256 API key is not supported.", -1,
				    false);
			return;
		}
		if (c->key != acct)
			c->uds = false;
		c->key = acct;
		c->auth_ms = tt_venue_wall_ms();
		session_result(&res, c);
		respond_ok(c, &r, &res, -1, false);
		jb_free(&res);
	} else if (!strcmp(r.method, "session.status") || !strcmp(r.method, "session.logout")) {
		struct jb res = {0};

		if (r.method[8] == 'l') {
			c->key = -1;
			c->uds = false;
		}
		session_result(&res, c);
		respond_ok(c, &r, &res, -1, false);
		jb_free(&res);
	} else if (!strcmp(r.method, "userDataStream.subscribe")) {
		struct jb res = {0};

		if (c->key < 0) {
			respond_err(c, &r, 400, -2015,
				    "Invalid API-key, IP, or permissions for action.", -1, false);
			return;
		}
		if (c->sig_sub[c->key]) {
			respond_err(c, &r, 400, -2035,
				    "User Data Stream subscription already active.", -1, false);
			return;
		}
		if (!c->uds) {
			c->uds = true;
			c->sub_id = A.next_sub++;
		}
		jb_printf(&res, "{\"subscriptionId\":%d}", c->sub_id);
		respond_ok(c, &r, &res, -1, false);
		jb_free(&res);
	} else if (!strcmp(r.method, "userDataStream.subscribe.signature")) {
		do_subscribe_signature(c, &r);
	} else if (!strcmp(r.method, "userDataStream.unsubscribe")) {
		struct jb res = {0};
		const char *sid = param(&r, "subscriptionId");
		int want = sid ? atoi(sid) : -1;

		if (!sid || (c->uds && c->sub_id == want))
			c->uds = false;
		for (int i = 0; i < MAX_KEYS; i++)
			if (!sid || c->sig_sub[i] == want + 1)
				c->sig_sub[i] = 0;
		jb_printf(&res, "{}");
		respond_ok(c, &r, &res, -1, false);
		jb_free(&res);
	} else if (!strcmp(r.method, "order.place") || !strcmp(r.method, "order.cancel") ||
		   !strcmp(r.method, "order.cancelReplace") || !strcmp(r.method, "order.status") ||
		   !strcmp(r.method, "openOrders.status") ||
		   !strcmp(r.method, "openOrders.cancelAll") || !strcmp(r.method, "myTrades")) {
		acct = authorize(c, &r, true);
		if (acct < 0)
			return;
		if (!strcmp(r.method, "order.place"))
			do_place(c, &r, acct);
		else if (!strcmp(r.method, "order.cancel"))
			do_cancel(c, &r, acct);
		else if (!strcmp(r.method, "order.cancelReplace"))
			do_cancel_replace(c, &r, acct);
		else if (!strcmp(r.method, "order.status"))
			do_status(c, &r, acct);
		else if (!strcmp(r.method, "myTrades"))
			do_my_trades(c, &r, acct);
		else
			do_open_orders(c, &r, acct, r.method[11] == 'c');
	} else {
		respond_err(c, &r, 400, -1020, "This operation is not supported.", -1, false);
	}
}

/* ---- libwebsockets glue ------------------------------------------------------------------ */

bool tt_vapi_wants(struct lws *wsi)
{
	char uri[128];

	if (!A.ready || lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0)
		return false;
	return !strcmp(uri, "/ws-api/v3");
}

static void conn_free(struct aconn *c)
{
	int n;

	for (int i = 0; i < MAX_CONNS; i++)
		if (A.conns[i] == c)
			A.conns[i] = NULL;
	A.mx.now_ms = tt_venue_wall_ms();
	n = tt_vmatch_cancel_session(&A.mx, c->id);
	fprintf(stderr, "{\"event\":\"api_closed\",\"conn\":%d,\"canceled\":%d}\n", c->id, n);
	while (c->head) {
		struct outmsg *m = c->head;

		c->head = m->next;
		free(m);
	}
	free(c);
}

int tt_vapi_cb(struct lws *wsi, int reason, void **slot, void *in, size_t len)
{
	struct aconn *c = *slot;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: {
		int i;

		for (i = 0; i < MAX_CONNS && A.conns[i]; i++)
			;
		if (i == MAX_CONNS)
			return -1;
		c = calloc(1, sizeof(*c));
		if (!c)
			return -1;
		c->wsi = wsi;
		c->id = 1000 + ++A.next_id;
		c->key = -1;
		c->connected_ms = tt_venue_wall_ms();
		A.conns[i] = c;
		*slot = c;
		fprintf(stderr, "{\"event\":\"api_open\",\"conn\":%d}\n", c->id);
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		if (c)
			conn_free(c);
		*slot = NULL;
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c ? conn_writable(c) : 0;
	case LWS_CALLBACK_TIMER:
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		if (!c || c->drop)
			return 0;
		if (c->rxlen == 0 && !c->rx_over)
			c->rx_ns = tt_venue_mono_ns(); /* the order's read time for w2w.c */
		if (c->rxlen + len < RXCAP - 1) {
			memcpy(c->rx + c->rxlen, in, len);
			c->rxlen += len;
		} else {
			c->rx_over = true;
		}
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			return 0;
		c->rx[c->rxlen] = 0;
		if (c->rx_over) {
			struct req r;

			strcpy(r.id, "null");
			r.np = 0;
			respond_err(c, &r, 400, -1102, "Request too large.", -1, false);
		} else {
			handle(c, c->rx);
		}
		c->rxlen = 0;
		c->rx_over = false;
		return 0;
	default:
		return 0;
	}
}

/* ---- control socket ---------------------------------------------------------------------- */

/*
 * Commands (the server's control socket forwards what it does not know):
 *   orders [APIKEY]            {"orders":[...]} every order (all accounts or one)
 *   account [APIKEY]           {"orders":[..],"fills":[..],"balances":{acct:{asset:..}}}
 *   oe key APIKEY TYPE VALUE   register a key (ed25519 PEM file | hmac secret)
 *   oe reject N                reject every Nth order.place (0 = off)
 *   oe delay MS                hold every response/report MS ms (0 = off)
 *   oe drop N                  the next N order requests: execute, then drop the connection
 *   oe dup N                   the next N executionReports are sent twice
 *   oe unknown N               the next N order requests: execute, answer 503/-1007
 *   oe disconnect              cut every /ws-api/v3 connection (no close frame)
 *   oe limits WEIGHT_PER_MIN ORDERS_PER_10S    change the rate limits
 *   oe stats                   counters
 */
const char *tt_vapi_ctl(const char *line, char *out, size_t cap)
{
	char cmd[32] = "";
	char a1[160] = "";
	char a2[160] = "";
	char a3[600] = "";
	char a4[64] = "";

	if (!A.ready)
		return NULL;
	sscanf(line, "%31s %159s %159s %599s %63s", cmd, a1, a2, a3, a4);
	if (!strcmp(cmd, "orders") || !strcmp(cmd, "account")) {
		int acct = -1;
		int n;

		if (a1[0] && (acct = key_find(a1)) < 0) {
			snprintf(out, cap, "{\"ok\":false,\"error\":\"unknown api key\"}");
			return out;
		}
		n = tt_vmatch_dump(&A.mx, acct, out, cap);
		if (n >= (int)cap) {
			/* bigger than the control socket's buffer: our own (kept until fini) */
			char *big = realloc(A.dump, (size_t)n + 1);

			if (!big) {
				snprintf(out, cap, "{\"ok\":false,\"error\":\"no memory\"}");
				return out;
			}
			A.dump = big;
			out = big;
			(void)tt_vmatch_dump(&A.mx, acct, out, (size_t)n + 1);
		}
		if (cmd[0] == 'o') {
			char *f = strstr(out, ",\"fills\":[");

			if (f)
				strcpy(f, "}");
		}
		return out;
	}
	if (strcmp(cmd, "oe"))
		return NULL;
	if (!strcmp(a1, "key")) {
		int rc = key_add(a2, a3, a4);

		if (rc < 0)
			snprintf(out, cap, "{\"ok\":false,\"error\":\"%s\"}", tt_err_msg());
		else
			snprintf(out, cap, "{\"ok\":true,\"account\":%d}", A.nkeys - 1);
		return out;
	}
	if (!strcmp(a1, "stats")) {
		snprintf(out, cap,
			 "{\"requests\":%llu,\"errors\":%llu,\"reports\":%llu,\"orders\":%zu,"
			 "\"open\":%zu,\"fills\":%zu,\"weight\":%d,\"slow_consumers\":%llu}",
			 (unsigned long long)A.stats_requests, (unsigned long long)A.stats_errors,
			 (unsigned long long)A.stats_reports, A.mx.nord, A.mx.nlive, A.mx.nfill,
			 A.w_count, (unsigned long long)A.stats_slow);
		return out;
	}
	if (!strcmp(a1, "limits") && atoi(a2) > 0 && atoi(a3) > 0) {
		A.weight_lim = atoi(a2);
		A.orders10_lim = atoi(a3);
	} else if (!strcmp(a1, "disconnect")) {
		for (int i = 0; i < MAX_CONNS; i++) {
			struct aconn *c = A.conns[i];

			if (c && !c->drop) {
				c->drop = true;
				shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
				lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
			}
		}
	} else if (!strcmp(a1, "reject") && atoi(a2) >= 0) {
		A.reject_every = atoi(a2);
	} else if (!strcmp(a1, "delay") && atoi(a2) >= 0) {
		A.delay_ms = atoi(a2);
	} else if (!strcmp(a1, "drop") && atoi(a2) >= 0) {
		A.drop_next = a2[0] ? atoi(a2) : 1;
	} else if (!strcmp(a1, "dup") && atoi(a2) >= 0) {
		A.dup_next = a2[0] ? atoi(a2) : 1;
	} else if (!strcmp(a1, "unknown") && atoi(a2) >= 0) {
		A.unknown_next = a2[0] ? atoi(a2) : 1;
	} else {
		snprintf(out, cap,
			 "{\"ok\":false,\"error\":\"unknown oe command or bad argument\"}");
		return out;
	}
	tt_venue_fault_log("oe", ",\"cmd\":\"%s %s\"", a1, a2);
	snprintf(out, cap, "{\"ok\":true}");
	return out;
}

/* ---- start and stop ---------------------------------------------------------------------- */

int tt_vapi_init(struct tt_vmarket *m, const struct tt_venue_opts *o)
{
	int rc;

	memset(&A, 0, sizeof(A));
	A.mkt = m;
	A.weight_lim = o->oe_weight_per_min > 0 ? o->oe_weight_per_min : 6000;
	A.orders10_lim = o->oe_orders_per_10s > 0 ? o->oe_orders_per_10s : 100;
	A.ordersday_lim = 200000;
	/* Replay mode too: orders then meet the symbols' initial synthetic books, which stay
	 * still (the replayed frames are not applied to them) — enough to test what a client
	 * sends for a known feed (tests/engine/e2e_engine_orders.sh). */
	rc = tt_vmatch_init(&A.mx, m->books, m->nsyms, 1u << 16, 1u << 18);
	if (rc < 0)
		return tt_err_set(rc, "matching engine");
	A.mx.on_exec = on_exec;
	A.mx.on_synth = on_synth;
	if (o->api_keys) {
		rc = keys_load(o->api_keys);
		if (rc < 0) {
			tt_vapi_fini();
			return rc;
		}
	}
	m->on_step = on_step;
	A.ready = true;
	return 0;
}

void tt_vapi_fini(void)
{
	free(A.dump);
	A.dump = NULL;
	free(A.deferred);
	free(A.deferred_conn);
	A.deferred = NULL;
	A.deferred_conn = NULL;
	A.capdeferred = A.ndeferred = 0;
	for (int i = 0; i < A.nkeys; i++)
		EVP_PKEY_free(A.keys[i].pub);
	A.nkeys = 0;
	tt_vmatch_fini(&A.mx);
	if (A.mkt)
		A.mkt->on_step = NULL;
	A.ready = false;
}
