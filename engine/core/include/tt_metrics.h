/*
 * tt_metrics.h — metrics in the Prometheus text exposition format (DESIGN §7, §10):
 * counters, gauges and histograms updated lock-free from hot paths (one relaxed atomic
 * add or store, no allocation), formatted only by the scraper's thread, served over plain
 * HTTP on a loopback port (tt-engine hosts the endpoint; Prometheus scrapes it, Grafana
 * reads Prometheus; federation/remote-write carry it beyond one host).
 *
 * Storage is the caller's: a struct tt_metric per series (name + optional one label),
 * registered once at start-up into a struct tt_metrics (a list; registration is not
 * thread safe, updates are). Series of one name may carry different label values
 * (rejects by reason); HELP/TYPE are written once per name.
 *
 * Values are integers; `scale` says how many decimal digits are fractional when printed
 * (histograms of ns with scale 9 print seconds, P&L with the price scale prints units).
 *
 *   tt_metrics_init → tt_metric_{counter,gauge,histogram}_init(+register)  (cold)
 *   tt_metric_inc/add/set/observe                                         (hot, any thread)
 *   tt_metrics_format / tt_metrics_serve_start … _stop                    (scraper side)
 */
#ifndef TT_METRICS_H
#define TT_METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tt_compiler.h"

enum tt_metric_type { TT_METRIC_COUNTER = 0, TT_METRIC_GAUGE = 1, TT_METRIC_HISTOGRAM = 2 };

#define TT_METRIC_BUCKETS_MAX 24

/* Sensible latency buckets in ns (1 µs … 10 ms), for histograms with scale 9 (seconds). */
#define TT_METRIC_LATENCY_NS_BUCKETS                                                               \
	1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000,  \
	    10000000

/* One series. Fields are private to metrics.c and the inline updates below. */
struct tt_metric {
	const char *name;	    /* metric name, [a-zA-Z_:][a-zA-Z0-9_:]* */
	const char *help;	    /* HELP text */
	const char *label;	    /* label name or NULL */
	const char *lvalue;	    /* label value (escaped when printed) */
	uint8_t type;		    /* enum tt_metric_type */
	uint8_t scale;		    /* fractional digits when printed */
	uint8_t nb;		    /* histogram: number of finite bounds */
	_Atomic int64_t v;	    /* counter / gauge value; histogram: sum */
	_Atomic uint64_t cnt;	    /* histogram: observations */
	int64_t (*read)(void *arg); /* when set: the value is read from here at scrape time */
	void *read_arg;
	int64_t bound[TT_METRIC_BUCKETS_MAX];		    /* histogram upper bounds, ascending */
	_Atomic uint64_t bucket[TT_METRIC_BUCKETS_MAX + 1]; /* per-bucket counts (+Inf last) */
	struct tt_metric *next;
};

struct tt_metrics {
	struct tt_metric *head; /* registration order */
	struct tt_metric *tail;
	unsigned n;
	int (*extra)(FILE *out, void *arg); /* appends more families at format time, or NULL */
	void *extra_arg;
};

void tt_metrics_init(struct tt_metrics *reg) __tt_cold;

/* Define and register a series. name/help/label/lvalue must outlive reg. 0, or -EINVAL for
 * a bad name, label, type or bounds (with a trail), -EEXIST for a duplicate series or a
 * name registered before with another type. */
int tt_metric_counter(struct tt_metrics *reg, struct tt_metric *m, const char *name,
		      const char *help, const char *label, const char *lvalue) __tt_cold TT_WUR;
int tt_metric_gauge(struct tt_metrics *reg, struct tt_metric *m, const char *name, const char *help,
		    const char *label, const char *lvalue, unsigned scale) __tt_cold TT_WUR;
int tt_metric_histogram(struct tt_metrics *reg, struct tt_metric *m, const char *name,
			const char *help, const int64_t *bounds, unsigned nb,
			unsigned scale) __tt_cold TT_WUR;
/* Gauge/counter read at scrape time from fn(arg) (ring fill, denied count). */
void tt_metric_set_reader(struct tt_metric *m, int64_t (*fn)(void *), void *arg);

static inline void tt_metric_add(struct tt_metric *m, int64_t n)
{
	atomic_fetch_add_explicit(&m->v, n, memory_order_relaxed);
}

static inline void tt_metric_inc(struct tt_metric *m)
{
	tt_metric_add(m, 1);
}

static inline void tt_metric_set(struct tt_metric *m, int64_t v)
{
	atomic_store_explicit(&m->v, v, memory_order_relaxed);
}

/* One observation: a scan of ≤ 24 bounds, three relaxed adds. The scraper may see sum,
 * count and buckets a few observations apart (Prometheus tolerates it). */
static inline void tt_metric_observe(struct tt_metric *m, int64_t v)
{
	unsigned i = 0;

	while (i < m->nb && v > m->bound[i])
		i++;
	atomic_fetch_add_explicit(&m->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->v, v, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->cnt, 1, memory_order_relaxed);
}

/* Families formatted elsewhere (tt-engine: the children's stats blocks, tt_stats_expose):
 * fn(out, arg) runs on the scraper's thread after the registered series, and must not
 * repeat their names. fn returns 0 or -EIO. */
void tt_metrics_set_extra(struct tt_metrics *reg, int (*fn)(FILE *out, void *arg), void *arg);

/* Writes the exposition text of every series. Returns 0 or -EIO. */
int tt_metrics_format(const struct tt_metrics *reg, FILE *out);

/* ---- HTTP endpoint ------------------------------------------------------------------------ */

struct tt_metrics_srv {
	struct tt_metrics *reg;
	int fd;		  /* listening socket, -1 when stopped */
	uint16_t port;	  /* bound port */
	_Atomic int stop; /* set by _stop */
	pthread_t thr;
	uint64_t scrapes; /* served /metrics requests (serving thread only) */
	uint64_t bad;	  /* refused requests */
};

/* Binds addr:port (a loopback address only: 127.0.0.0/8 or ::1; port 0 picks one) and
 * serves GET /metrics from a thread of its own. 0 or -errno/-EINVAL with a trail. */
int tt_metrics_serve_start(struct tt_metrics_srv *s, struct tt_metrics *reg, const char *addr,
			   uint16_t port) __tt_cold TT_WUR;
/* The bound port (after a successful start). */
uint16_t tt_metrics_serve_port(const struct tt_metrics_srv *s);
/* Stops the thread and closes the socket. Safe on a stopped server. */
void tt_metrics_serve_stop(struct tt_metrics_srv *s) __tt_cold;

/* ---- the project's standard series (names stable: dashboards and alerts use them) ---------- */

#define TT_METRICS_REASON_MAX 24
#define TT_METRICS_RING_MAX   16

struct tt_metrics_std {
	struct tt_metric msgs_in;			 /* tt_messages_in_total */
	struct tt_metric msgs_out;			 /* tt_messages_out_total */
	struct tt_metric book_resyncs;			 /* tt_book_resyncs_total */
	struct tt_metric orders;			 /* tt_orders_total */
	struct tt_metric fills;				 /* tt_fills_total */
	struct tt_metric rejects[TT_METRICS_REASON_MAX]; /* tt_rejects_total{reason} */
	struct tt_metric t2t;				 /* tt_t2t_seconds histogram (observe ns) */
	struct tt_metric denied;			 /* tt_denied_total (tt_denied_count) */
	struct tt_metric ring_fill[TT_METRICS_RING_MAX]; /* tt_ring_fill{ring} */
	struct tt_metric ring_dropped[TT_METRICS_RING_MAX]; /* tt_ring_dropped_total{ring} */
	struct tt_metric pnl;				    /* tt_pnl (gauge, scale = pnl_scale) */
	unsigned nreasons, nrings;
};

/* Registers the standard series; reasons[nreasons] label tt_rejects_total (index = reason
 * code), rings[nrings] label the ring gauges (set them, or attach readers). 0 or -errno. */
int tt_metrics_std_register(struct tt_metrics *reg, struct tt_metrics_std *std,
			    const char *const *reasons, unsigned nreasons, const char *const *rings,
			    unsigned nrings, unsigned pnl_scale) __tt_cold TT_WUR;

#endif /* TT_METRICS_H */
