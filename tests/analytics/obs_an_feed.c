/*
 * obs_an_feed.c — test helper standing in for tt-engine (creates the side rings) and tt-oe /
 * tt-md (produce into them):
 *
 *   obs-an-feed create MD OE           create both rings (lossy, 1024 slots)
 *   obs-an-feed fills OE FROM TO       EXEC fills with journal seq FROM..TO: buy 1 @ 100
 *   obs-an-feed books MD N             N book tops, 150 ms apart (mid 100.5)
 *   obs-an-feed unlink MD OE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tt_clock.h"
#include "tt_err.h"
#include "tt_msg.h"
#include "tt_ring.h"

static const struct tt_ring_params rp = {.slot_size = 64, .capacity = 1024,
					 .mode = TT_RING_LOSSY,
					 .msg_version = TT_MSG_LAYOUT_VERSION};

int main(int argc, char **argv)
{
	struct tt_ring r;

	if (argc < 4)
		return 2;
	tt_clock_init_local();
	if (!strcmp(argv[1], "create"))
		return tt_ring_create(argv[2], &rp) || tt_ring_create(argv[3], &rp);
	if (!strcmp(argv[1], "unlink")) {
		tt_ring_unlink(argv[2]);
		tt_ring_unlink(argv[3]);
		return 0;
	}
	if (tt_ring_attach(&r, argv[2], TT_RING_PRODUCER, &rp, TT_WAIT_SPIN)) {
		fprintf(stderr, "obs-an-feed: %s\n", tt_err_msg());
		return 1;
	}
	if (!strcmp(argv[1], "fills") && argc > 4) {
		for (long s = atol(argv[3]); s <= atol(argv[4]); s++) {
			union tt_msg m = {0};

			m.exec = (struct tt_msg_exec){
			    .h = {.kind = TT_MSG_EXEC, .instr = 2, .seq = (uint64_t)s,
				  .t_rx = tt_clock_now()},
			    .cl_ord_id = (uint64_t)s, .last_px = 10000000000, .last_qty = 100000000,
			    .cum_qty = 100000000, .exec_type = TT_EXEC_TRADE, .side = TT_SIDE_BUY};
			if (tt_ring_push(&r, &m, sizeof(m)))
				return 1;
		}
	} else if (!strcmp(argv[1], "books")) {
		uint64_t t = tt_clock_now();

		for (long i = 0; i < atol(argv[3]); i++) {
			union tt_msg m = {0};

			m.top = (struct tt_msg_book_top){
			    .h = {.kind = TT_MSG_BOOK_TOP, .instr = 2, .seq = (uint64_t)i + 1,
				  .t_rx = t + tt_clock_ns_to_ticks(i * 150000000ll)},
			    .bid_px = 10000000000, .bid_qty = 1, .ask_px = 10100000000, .ask_qty = 1};
			if (tt_ring_push(&r, &m, sizeof(m)))
				return 1;
		}
	} else {
		return 2;
	}
	tt_ring_detach(&r);
	return 0;
}
