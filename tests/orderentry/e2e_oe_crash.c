/*
 * e2e_oe_crash.c — kill -9 tt-oe at random points while it trades against the real
 * tt-venue, restart it, let it recover (journal replay, reconciliation with order.status /
 * openOrders.status, cancel-all), and at the end assert that for every order of ours the
 * venue's executed quantity equals the fills in tt-oe's journal, and the positions are
 * equal: no fill lost, none doubled. Cash too: per order, Σ price × qty of the journal's
 * fills equals the venue's cummulativeQuoteQty, and the journal holds exactly the venue's
 * trades (same trade ids, quantities and prices, each once): fills recovered after a crash
 * come from myTrades at their real prices, not the order's limit. Runs: TT_CRASH_RUNS (default 50; `make crash-test`
 * runs 1000). The seed is printed; TT_CRASH_SEED replays a sequence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "oe_e2e.h"

#define MAX_ORDERS 20000

static struct e2e E;
static struct e2e_order_truth V[MAX_ORDERS], J[MAX_ORDERS];
static struct e2e_trade VT[4 * MAX_ORDERS], JT[4 * MAX_ORDERS];

/* Every venue trade is in the journal exactly once (same order, trade id, qty, price) and
 * the journal has nothing else. */
static void assert_same_trades(unsigned seed)
{
	int nvt = e2e_venue_trades(&E, VT, 4 * MAX_ORDERS);
	int njt = e2e_journal_trades(&E, JT, 4 * MAX_ORDERS);

	assert_true(nvt >= 0 && nvt <= 4 * MAX_ORDERS);
	assert_true(njt >= 0 && njt <= 4 * MAX_ORDERS);
	for (int k = 0; k < njt; k++) {
		int found = 0;

		for (int i = 0; i < nvt; i++)
			if (VT[i].order_id == JT[k].order_id && VT[i].trade_id == JT[k].trade_id &&
			    VT[i].qty == JT[k].qty && VT[i].px == JT[k].px)
				found++;
		for (int i = 0; i < k; i++)
			if (JT[i].order_id == JT[k].order_id && JT[i].trade_id == JT[k].trade_id)
				found = 2;
		if (found != 1) {
			for (int i = 0; i < nvt; i++)
				if (VT[i].order_id == JT[k].order_id)
					fprintf(stderr, "venue: order %llu trade %lld qty %lld px %lld\n",
						(unsigned long long)VT[i].order_id,
						(long long)VT[i].trade_id, (long long)VT[i].qty,
						(long long)VT[i].px);
			fail_msg("journal fill of order %llu (trade %lld, qty %lld, px %lld): %s "
				 "(seed %u)",
				 (unsigned long long)JT[k].order_id, (long long)JT[k].trade_id,
				 (long long)JT[k].qty, (long long)JT[k].px,
				 found ? "journaled twice" : "not a venue trade", seed);
		}
	}
	if (njt != nvt)
		fail_msg("venue has %d trades of ours, the journal %d (seed %u)", nvt, njt, seed);
}

static int setup(void **state)
{
	static const char *const args[] = { "--symbols", "BTCUSDT", "--rate", "200", "--oe-orders",
					    "1000000", "--oe-weight", "10000000", NULL };

	(void)state;
	return e2e_setup(&E, args, false);
}

static int teardown(void **state)
{
	(void)state;
	e2e_teardown(&E);
	return 0;
}

static void drain_execs(void)
{
	struct tt_msg_exec x;

	while (e2e_exec(&E, &x, 0))
		;
}

static void dump_log(void)
{
	char cmd[256];
	int st;

	st = 0;
	if (E.oe > 0 && waitpid(E.oe, &st, WNOHANG) == E.oe) {
		fprintf(stderr, "tt-oe pid %d gone: %s %d\n", (int)E.oe,
			WIFSIGNALED(st) ? "signal" : "exit status",
			WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		E.oe = 0;
	} else {
		fprintf(stderr, "tt-oe pid %d alive; control socket says: \"%s\"\n", (int)E.oe,
			e2e_oe_ctl(&E, "status"));
	}

	snprintf(cmd, sizeof(cmd), "tail -20 '%s' >&2", E.log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log)\n");
}

static void test_kill9_at_random_points_loses_and_doubles_no_fill(void **state)
{
	const char *s = getenv("TT_CRASH_RUNS");
	const char *sd = getenv("TT_CRASH_SEED");
	int runs = s ? atoi(s) : 50;
	unsigned seed = sd ? (unsigned)atoi(sd) : (unsigned)time(NULL);
	uint64_t next_id = 1;
	tt_qty_t vpos, jpos;
	int64_t vcash = 0, jcash = 0;
	int nv, nj, st, checked = 0;

	(void)state;
	if (runs < 1)
		runs = 1;
	fprintf(stderr, "crash test: %d runs, seed %u (TT_CRASH_SEED)\n", runs, seed);
	srand(seed);
	for (int r = 0; r < runs; r++) {
		int k = 1 + rand() % 4;
		int delay = rand() % 3 == 0 ? 1 + rand() % 40 : 0;
		char cmd[64];

		/* a third of the runs: the venue holds every answer and report a while, so the
		 * kill often lands after the venue filled an order but before tt-oe heard of it
		 * (recovered by order.status + myTrades); some runs repeat reports (deduped by
		 * trade id) */
		snprintf(cmd, sizeof(cmd), "oe delay %d", delay);
		assert_true(vc_ctl(&E.venue, cmd, E.reply, sizeof(E.reply)) > 0);
		if (rand() % 5 == 0)
			assert_true(vc_ctl(&E.venue, "oe dup 2", E.reply, sizeof(E.reply)) > 0);
		e2e_oe_start(&E);
		if (e2e_oe_wait_ready(&E) < 0) {
			dump_log();
			fail_msg("run %d: tt-oe did not become ready", r);
		}
		assert_int_equal(e2e_ref(&E), 0);
		for (int i = 0; i < k; i++) {
			uint8_t side = rand() & 1 ? TT_SIDE_BUY : TT_SIDE_SELL;
			bool passive = rand() % 4 == 0;
			tt_px_t px = passive ? (side == TT_SIDE_BUY ? E.bid - 500 : E.ask + 500)
					     : (side == TT_SIDE_BUY ? E.ask + 5 : E.bid - 5);

			assert_int_equal(e2e_order(&E, next_id++, side, px, 100 * (1 + rand() % 3),
						   passive ? TT_TIF_GTC : TT_TIF_IOC), 0);
		}
		/* anywhere from before the first intent is read to well after the answers */
		usleep((useconds_t)(rand() % 60000));
		kill(E.oe, SIGKILL);
		assert_int_equal(waitpid(E.oe, &st, 0), E.oe);
		E.oe = 0;
		drain_execs();
		if (next_id > MAX_ORDERS - 8)
			break;
	}
	/* a last clean start: recover, reconcile, stop */
	assert_true(vc_ctl(&E.venue, "oe delay 0", E.reply, sizeof(E.reply)) > 0);
	e2e_oe_start(&E);
	if (e2e_oe_wait_ready(&E) < 0) {
		dump_log();
		fail_msg("final start: tt-oe did not become ready");
	}
	kill(E.oe, SIGTERM);
	assert_int_equal(waitpid(E.oe, &st, 0), E.oe);
	E.oe = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	nv = e2e_venue_orders(&E, V, MAX_ORDERS, &vpos);
	assert_true(nv >= 0 && nv <= MAX_ORDERS);
	assert_int_equal(e2e_journal(&E, J, MAX_ORDERS, &nj, &jpos), 0);
	for (int i = 0; i < nv; i++) {
		tt_qty_t jc = 0;
		int64_t jn = 0;

		for (int k = 0; k < nj; k++)
			if (J[k].id == V[i].id) {
				jc = J[k].cum;
				jn = J[k].notional;
			}
		if (jc != V[i].cum) {
			dump_log();
			fail_msg("order %llu: venue executed %lld, journal %lld (seed %u)",
				 (unsigned long long)V[i].id, (long long)V[i].cum, (long long)jc,
				 seed);
		}
		if (jn != V[i].notional) {
			dump_log();
			fail_msg("order %llu: venue cummulativeQuoteQty %lld, journal Σ px×qty %lld "
				 "(1e-7, seed %u)",
				 (unsigned long long)V[i].id, (long long)V[i].notional, (long long)jn,
				 seed);
		}
		vcash += V[i].side == TT_SIDE_BUY ? -V[i].notional : V[i].notional;
		jcash += V[i].side == TT_SIDE_BUY ? -jn : jn;
		checked++;
	}
	/* nothing in the journal the venue does not have */
	for (int k = 0; k < nj; k++) {
		bool found = false;

		for (int i = 0; i < nv && !found; i++)
			found = V[i].id == J[k].id;
		if (!found)
			fail_msg("journal fills for order %llu unknown to the venue (seed %u)",
				 (unsigned long long)J[k].id, seed);
	}
	assert_true(jpos == vpos);
	assert_true(jcash == vcash);
	assert_same_trades(seed);
	fprintf(stderr, "crash test: %d venue orders checked, %d with fills, position %lld, "
		"cash %lld (1e-7), %d trades recovered through myTrades\n", checked, nj,
		(long long)vpos, (long long)vcash, e2e_journal_count(&E, TT_JREC_RECONCILE, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill9_at_random_points_loses_and_doubles_no_fill),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
