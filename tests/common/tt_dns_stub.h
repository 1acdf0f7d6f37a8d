/*
 * tt_dns_stub.h — a recording DNS stub for the refusal tests (tests/net/test_guard.c,
 * tests/redteam/rt_net.c): inside a private network namespace whose resolv.conf points at
 * 127.0.0.1, it answers every query NXDOMAIN and records the queried names, so a test can
 * prove that a refused name never reached DNS (0 queries) and that an allowed one did (the
 * control). Header-only (static), one stub per test process.
 */
#ifndef TT_DNS_STUB_H
#define TT_DNS_STUB_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define STUB_MAX 32

static struct {
	pthread_mutex_t mu;
	int fd;			  /* the bound UDP socket (the test binds 127.0.0.1:53) */
	int stop;		  /* set (release) to end stub_main */
	int n;			  /* queries seen, all of them */
	char names[STUB_MAX][256]; /* the first STUB_MAX names */
} stub = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Thread body: answers every query NXDOMAIN and records its name. */
static void *stub_main(void *arg)
{
	uint8_t q[512];

	(void)arg;
	while (!__atomic_load_n(&stub.stop, __ATOMIC_ACQUIRE)) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(stub.fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		char name[256];
		size_t off = 12;
		size_t o = 0;

		if (n < 12)
			continue;
		while (off < (size_t)n && q[off] && q[off] < 64 && o + q[off] + 1 < sizeof(name)) {
			if (o)
				name[o++] = '.';
			if (off + 1 + q[off] > (size_t)n)
				break;
			memcpy(name + o, q + off + 1, q[off]);
			o += q[off];
			off += 1u + q[off];
		}
		name[o] = '\0';
		pthread_mutex_lock(&stub.mu);
		if (stub.n < STUB_MAX)
			snprintf(stub.names[stub.n], sizeof(stub.names[0]), "%s", name);
		stub.n++;
		pthread_mutex_unlock(&stub.mu);
		q[2] = 0x81;	     /* QR, RD */
		q[3] = 0x83;	     /* RA, NXDOMAIN */
		memset(q + 6, 0, 6); /* no answer/authority/additional */
		sendto(stub.fd, q, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static int stub_count(void)
{
	int n;

	pthread_mutex_lock(&stub.mu);
	n = stub.n;
	pthread_mutex_unlock(&stub.mu);
	return n;
}

#endif /* TT_DNS_STUB_H */
