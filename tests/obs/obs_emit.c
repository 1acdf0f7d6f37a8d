/*
 * obs_emit.c — test helper: a stand-in process that logs through its own shm log ring
 * (tt_logh) like tt-md/tt-strat/tt-oe would, then exits leaving the ring for the writer.
 *
 *   obs-emit INSTANCE PROC SCENARIO [ORDER_ID]
 *     strat   order_intent for ORDER_ID
 *     oe      order_sent, order_acked, order_fill for ORDER_ID, then a risk_reject (id+1)
 *     md      book_resync, book_live
 *     denied  a denied event as JSON on stdout (tt_denied), for tt-logwriter --pipe
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_clock.h"
#include "tt_denied.h"
#include "tt_log.h"
#include "tt_logring.h"

int main(int argc, char **argv)
{
	long long id;

	if (argc < 4)
		return 2;
	id = argc > 4 ? atoll(argv[4]) : 1;
	tt_log_init(argv[2]);
	tt_log_set_level(TT_LOG_DEBUG);
	tt_clock_init_local();
	if (strcmp(argv[3], "denied") == 0) {
		tt_denied_set_fd(1);
		tt_denied_emit("connect", "example.invalid:443", "not_allowlisted");
		return 0;
	}
	if (tt_logring_open(argv[1], argv[2], 0, 256)) {
		fprintf(stderr, "obs-emit: %s\n", tt_err_msg());
		return 1;
	}
	if (strcmp(argv[3], "strat") == 0) {
		tt_logh(order_intent, id, 1, 6500000000000, 10000000);
	} else if (strcmp(argv[3], "oe") == 0) {
		tt_logh(order_sent, id, 1, 6500000000000, 5400);
		tt_logh(order_acked, id, 1, 99000 + id);
		tt_logh(order_fill, id, 1, 6500000000000, 10000000);
		tt_logh(risk_reject, id + 1, 1, 3, 1000);
	} else if (strcmp(argv[3], "md") == 0) {
		tt_logh(book_resync, 1, 100, 104);
		tt_logh(book_live, 1, 105);
	} else {
		return 2;
	}
	tt_logring_close();
	return 0;
}
