/*
 * ring_example.c — the smallest use of tt_ring.h: create a ring, attach a producer and a
 * consumer, send three messages, read them back, clean up. Producer and consumer would
 * normally be two processes attaching by the same name; here they share one for brevity.
 * Build: part of the ringbuf CMake project (target tt-ring-example).
 */
#include "tt_ring.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct tick {
	uint64_t seq;
	int64_t px;
	char pad[48];
};
_Static_assert(sizeof(struct tick) == 64, "one slot");

int main(void)
{
	const struct tt_ring_params p = {
	    .slot_size = 64, .capacity = 1024, .mode = TT_RING_LOSSLESS, .msg_version = 1};
	struct tt_ring prod, cons;
	char name[TT_RING_NAME_MAX];
	const struct tick *t;

	snprintf(name, sizeof(name), "tt-example-%d", (int)getpid());
	if (tt_ring_create(name, &p) ||
	    tt_ring_attach(&prod, name, TT_RING_PRODUCER, &p, TT_WAIT_FUTEX) ||
	    tt_ring_attach(&cons, name, TT_RING_CONSUMER, &p, TT_WAIT_FUTEX)) {
		fprintf(stderr, "ring: %s\n", tt_err_msg());
		return 1;
	}

	/* Producer: write in place, commit each, make the batch visible with one publish. */
	for (uint64_t i = 1; i <= 3; i++) {
		struct tick *slot = tt_ring_reserve(&prod);

		if (!slot &&
		    (tt_ring_wait_space(&prod, UINT64_MAX) || !(slot = tt_ring_reserve(&prod))))
			return 1;
		memset(slot, 0, sizeof(*slot));
		slot->seq = i;
		slot->px = 100000 + (int64_t)i;
		tt_ring_commit(&prod);
	}
	tt_ring_publish(&prod);

	/* Consumer: wait for data, read in place, release (returns the slot at once). */
	for (int n = 0; n < 3; n++) {
		if (tt_ring_wait_data(&cons, 1000000000ull) != 0)
			return 1;
		t = tt_ring_peek(&cons);
		printf("seq %llu px %lld\n", (unsigned long long)t->seq, (long long)t->px);
		tt_ring_release(&cons);
	}

	tt_ring_detach(&prod);
	tt_ring_detach(&cons);
	return tt_ring_unlink(name) ? 1 : 0;
}
