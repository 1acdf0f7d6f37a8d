/*
 * metrics.c — registration, exposition formatting and the loopback HTTP endpoint of
 * tt_metrics.h. Everything here is cold: it runs at start-up or on the scraper's thread.
 * The endpoint is deliberately tiny (HTTP/1.0-style, one request per connection, 2 s
 * socket timeouts): Prometheus is its only client and it never leaves loopback.
 */
#include "tt_metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tt_denied.h"
#include "tt_err.h"
#include "tt_fixed.h"

void tt_metrics_init(struct tt_metrics *reg)
{
	memset(reg, 0, sizeof(*reg));
}

static bool name_ok(const char *s, bool colon)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || (colon && *s == ':')))
			return false;
	return true;
}

static int add(struct tt_metrics *reg, struct tt_metric *m)
{
	for (struct tt_metric *o = reg->head; o; o = o->next) {
		if (strcmp(o->name, m->name) != 0)
			continue;
		if (o->type != m->type)
			return tt_err_set(-EEXIST, "metric %s registered before with another type",
					  m->name);
		if (!o->label == !m->label && (!m->label || (strcmp(o->label, m->label) == 0 &&
							     strcmp(o->lvalue, m->lvalue) == 0)))
			return tt_err_set(-EEXIST, "metric %s{%s} registered twice", m->name,
					  m->lvalue ? m->lvalue : "");
	}
	m->next = NULL;
	if (reg->tail)
		reg->tail->next = m;
	else
		reg->head = m;
	reg->tail = m;
	reg->n++;
	return 0;
}

static int define(struct tt_metrics *reg, struct tt_metric *m, unsigned type, const char *name,
		  const char *help, const char *label, const char *lvalue, unsigned scale)
{
	if (!name_ok(name, true))
		return tt_err_set(-EINVAL, "metric name '%s' is not [a-zA-Z_:][a-zA-Z0-9_:]*",
				  name ? name : "(null)");
	if (label && (!name_ok(label, false) || !lvalue || strncmp(label, "__", 2) == 0))
		return tt_err_set(-EINVAL, "metric %s: bad label '%s'", name, label);
	if (scale > 18)
		return tt_err_set(-EINVAL, "metric %s: scale %u above 18", name, scale);
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->help = help ? help : "";
	m->label = label;
	m->lvalue = label ? lvalue : NULL;
	m->type = (uint8_t)type;
	m->scale = (uint8_t)scale;
	return add(reg, m);
}

int tt_metric_counter(struct tt_metrics *reg, struct tt_metric *m, const char *name,
		      const char *help, const char *label, const char *lvalue)
{
	return define(reg, m, TT_METRIC_COUNTER, name, help, label, lvalue, 0);
}

int tt_metric_gauge(struct tt_metrics *reg, struct tt_metric *m, const char *name, const char *help,
		    const char *label, const char *lvalue, unsigned scale)
{
	return define(reg, m, TT_METRIC_GAUGE, name, help, label, lvalue, scale);
}

int tt_metric_histogram(struct tt_metrics *reg, struct tt_metric *m, const char *name,
			const char *help, const int64_t *bounds, unsigned nb, unsigned scale)
{
	int rc;

	if (nb == 0 || nb > TT_METRIC_BUCKETS_MAX)
		return tt_err_set(-EINVAL, "histogram %s: %u bounds, want 1..%d", name, nb,
				  TT_METRIC_BUCKETS_MAX);
	for (unsigned i = 1; i < nb; i++)
		if (bounds[i] <= bounds[i - 1])
			return tt_err_set(-EINVAL, "histogram %s: bounds not ascending", name);
	rc = define(reg, m, TT_METRIC_HISTOGRAM, name, help, NULL, NULL, scale);
	if (rc)
		return rc;
	memcpy(m->bound, bounds, nb * sizeof(bounds[0]));
	m->nb = (uint8_t)nb;
	return 0;
}

void tt_metric_set_reader(struct tt_metric *m, int64_t (*fn)(void *), void *arg)
{
	m->read_arg = arg;
	m->read = fn;
}

/* v / 10^scale as a decimal number (tt_fixed_format, exact: no double). */
static void put_fixed(FILE *out, int64_t v, unsigned scale)
{
	char buf[TT_FIXED_STR_MAX];

	if (tt_fixed_format(v, scale, 0, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "NaN");
	fputs(buf, out);
}

/* Label values: backslash, double quote and newline escaped (exposition format). */
static void put_escaped(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (quote && *s == '"')
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

static void put_labels(FILE *out, const struct tt_metric *m, const char *le_fmt_val)
{
	if (!m->label && !le_fmt_val)
		return;
	fputc('{', out);
	if (m->label) {
		fprintf(out, "%s=\"", m->label);
		put_escaped(out, m->lvalue, true);
		fputc('"', out);
	}
	if (le_fmt_val)
		fprintf(out, "%sle=\"%s\"", m->label ? "," : "", le_fmt_val);
	fputc('}', out);
}

static int put_series(const struct tt_metric *m, FILE *out)
{
	uint64_t cum = 0;
	char le[48];

	if (m->type != TT_METRIC_HISTOGRAM) {
		int64_t v = m->read ? m->read(m->read_arg)
				    : atomic_load_explicit(&m->v, memory_order_relaxed);

		fputs(m->name, out);
		put_labels(out, m, NULL);
		fputc(' ', out);
		put_fixed(out, v, m->scale);
		fputc('\n', out);
		return 0;
	}
	for (unsigned i = 0; i <= m->nb; i++) {
		cum += atomic_load_explicit(&m->bucket[i], memory_order_relaxed);
		if (i < m->nb) {
			FILE *lf = fmemopen(le, sizeof(le), "w");

			if (!lf)
				return -EIO;
			put_fixed(lf, m->bound[i], m->scale);
			fclose(lf);
		} else {
			strcpy(le, "+Inf");
		}
		fprintf(out, "%s_bucket", m->name);
		put_labels(out, m, le);
		fprintf(out, " %llu\n", (unsigned long long)cum);
	}
	fprintf(out, "%s_sum", m->name);
	put_labels(out, m, NULL);
	fputc(' ', out);
	put_fixed(out, atomic_load_explicit(&m->v, memory_order_relaxed), m->scale);
	fprintf(out, "\n%s_count", m->name);
	put_labels(out, m, NULL);
	fprintf(out, " %llu\n", (unsigned long long)cum);
	return 0;
}

int tt_metrics_format(const struct tt_metrics *reg, FILE *out)
{
	static const char *const tname[] = {"counter", "gauge", "histogram"};

	/* one family at a time: HELP, TYPE, then every series of that name (the format wants
	 * a family's samples together, whatever the registration order) */
	for (const struct tt_metric *m = reg->head; m; m = m->next) {
		bool first = true;

		for (const struct tt_metric *o = reg->head; o != m; o = o->next)
			if (strcmp(o->name, m->name) == 0)
				first = false;
		if (!first)
			continue;
		fprintf(out, "# HELP %s ", m->name);
		put_escaped(out, m->help, false);
		fprintf(out, "\n# TYPE %s %s\n", m->name, tname[m->type]);
		for (const struct tt_metric *o = m; o; o = o->next)
			if (strcmp(o->name, m->name) == 0 && put_series(o, out))
				return -EIO;
	}
	if (reg->extra && reg->extra(out, reg->extra_arg))
		return -EIO;
	return ferror(out) ? -EIO : 0;
}

void tt_metrics_set_extra(struct tt_metrics *reg, int (*fn)(FILE *out, void *arg), void *arg)
{
	reg->extra = fn;
	reg->extra_arg = arg;
}

/* ---- endpoint ------------------------------------------------------------------------------ */

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void serve_one(struct tt_metrics_srv *s, int cfd)
{
	char req[2048], hdr[256];
	size_t len = 0;
	char *body = NULL;
	size_t blen = 0;
	FILE *m;
	int n;

	while (len < sizeof(req) - 1) {
		ssize_t r = recv(cfd, req + len, sizeof(req) - 1 - len, 0);

		if (r <= 0)
			break;
		len += (size_t)r;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[len] = '\0';
	if (strncmp(req, "GET /metrics ", 13) != 0 && strncmp(req, "GET /metrics?", 13) != 0) {
		static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
					 "Connection: close\r\n\r\n";
		s->bad++;
		send_all(cfd, nf, sizeof(nf) - 1);
		return;
	}
	m = open_memstream(&body, &blen);
	if (!m)
		return;
	tt_metrics_format(s->reg, m);
	fclose(m);
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		     blen);
	send_all(cfd, hdr, (size_t)n);
	send_all(cfd, body, blen);
	free(body);
	s->scrapes++;
}

static void *serve_thread(void *arg)
{
	struct tt_metrics_srv *s = arg;

	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		struct timeval tv = {.tv_sec = 2};
		int cfd;

		if (poll(&p, 1, 100) <= 0)
			continue;
		cfd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		serve_one(s, cfd);
		close(cfd);
	}
	return NULL;
}

int tt_metrics_serve_start(struct tt_metrics_srv *s, struct tt_metrics *reg, const char *addr,
			   uint16_t port)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr *sa;
	socklen_t sl;
	int one = 1, rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->reg = reg;
	if (addr && inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		if ((ntohl(a4.sin_addr.s_addr) >> 24) != 127)
			return tt_err_set(-EINVAL, "metrics endpoint %s: loopback only", addr);
		sa = (struct sockaddr *)&a4;
		sl = sizeof(a4);
	} else if (addr && inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr))
			return tt_err_set(-EINVAL, "metrics endpoint %s: loopback only", addr);
		sa = (struct sockaddr *)&a6;
		sl = sizeof(a6);
	} else {
		return tt_err_set(-EINVAL, "metrics endpoint: '%s' is not an IP address",
				  addr ? addr : "(null)");
	}
	s->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return tt_err_set(-errno, "socket: %s", strerror(errno));
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, sa, sl) != 0 || listen(s->fd, 16) != 0) {
		rc = tt_err_set(-errno, "bind/listen %s:%u: %s", addr, port, strerror(errno));
		goto out_close;
	}
	if (sa->sa_family == AF_INET) {
		sl = sizeof(a4);
		getsockname(s->fd, (struct sockaddr *)&a4, &sl);
		s->port = ntohs(a4.sin_port);
	} else {
		sl = sizeof(a6);
		getsockname(s->fd, (struct sockaddr *)&a6, &sl);
		s->port = ntohs(a6.sin6_port);
	}
	rc = pthread_create(&s->thr, NULL, serve_thread, s);
	if (rc) {
		rc = tt_err_set(-rc, "pthread_create: %s", strerror(rc));
		goto out_close;
	}
	return 0;
out_close:
	close(s->fd);
	s->fd = -1;
	return rc;
}

uint16_t tt_metrics_serve_port(const struct tt_metrics_srv *s)
{
	return s->port;
}

void tt_metrics_serve_stop(struct tt_metrics_srv *s)
{
	if (s->fd < 0)
		return;
	atomic_store_explicit(&s->stop, 1, memory_order_relaxed);
	pthread_join(s->thr, NULL);
	close(s->fd);
	s->fd = -1;
}

/* ---- standard series ------------------------------------------------------------------------ */

static int64_t read_denied(void *arg)
{
	(void)arg;
	return (int64_t)tt_denied_count();
}

int tt_metrics_std_register(struct tt_metrics *reg, struct tt_metrics_std *std,
			    const char *const *reasons, unsigned nreasons, const char *const *rings,
			    unsigned nrings, unsigned pnl_scale)
{
	static const int64_t lat[] = {TT_METRIC_LATENCY_NS_BUCKETS};
	int rc;

	if (nreasons > TT_METRICS_REASON_MAX || nrings > TT_METRICS_RING_MAX)
		return tt_err_set(-EINVAL, "std metrics: %u reasons / %u rings, max %d / %d",
				  nreasons, nrings, TT_METRICS_REASON_MAX, TT_METRICS_RING_MAX);
	memset(std, 0, sizeof(*std));
	std->nreasons = nreasons;
	std->nrings = nrings;
	if ((rc = tt_metric_counter(reg, &std->msgs_in, "tt_messages_in_total",
				    "Venue messages received", NULL, NULL)) ||
	    (rc = tt_metric_counter(reg, &std->msgs_out, "tt_messages_out_total",
				    "Messages sent to venues", NULL, NULL)) ||
	    (rc = tt_metric_counter(reg, &std->book_resyncs, "tt_book_resyncs_total",
				    "Order book resynchronisations", NULL, NULL)) ||
	    (rc = tt_metric_counter(reg, &std->orders, "tt_orders_total", "Orders sent", NULL,
				    NULL)) ||
	    (rc = tt_metric_counter(reg, &std->fills, "tt_fills_total", "Fills received", NULL,
				    NULL)) ||
	    (rc = tt_metric_histogram(reg, &std->t2t, "tt_t2t_seconds",
				      "Internal tick-to-trade latency", lat,
				      sizeof(lat) / sizeof(lat[0]), 9)) ||
	    (rc = tt_metric_counter(reg, &std->denied, "tt_denied_total",
				    "Refusals by the flavor guard (denied events)", NULL, NULL)) ||
	    (rc = tt_metric_gauge(reg, &std->pnl, "tt_pnl", "Total P&L (realized + unrealized)",
				  NULL, NULL, pnl_scale)))
		return rc;
	tt_metric_set_reader(&std->denied, read_denied, NULL);
	for (unsigned i = 0; i < nreasons; i++)
		if ((rc = tt_metric_counter(reg, &std->rejects[i], "tt_rejects_total",
					    "Orders rejected, by reason", "reason", reasons[i])))
			return rc;
	for (unsigned i = 0; i < nrings; i++)
		if ((rc = tt_metric_gauge(reg, &std->ring_fill[i], "tt_ring_fill",
					  "Messages waiting in a ring", "ring", rings[i], 0)) ||
		    (rc = tt_metric_counter(reg, &std->ring_dropped[i], "tt_ring_dropped_total",
					    "Messages a side ring dropped", "ring", rings[i])))
			return rc;
	return 0;
}
