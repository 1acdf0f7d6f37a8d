/*
 * tt_dns_stub.h — a recording DNS stub for the refusal tests (tests/net/test_guard.c,
 * tests/redteam/rt_net.c): inside a private network namespace whose resolv.conf points at
 * 127.0.0.1, it answers every query NXDOMAIN and records the queried names, so a test can
 * prove that a refused name never reached DNS (0 queries) and that an allowed one did (the
 * control). Header-only (static), one stub per test process: stub_enter() moves the calling
 * (forked) process into the namespace and starts the stub thread.
 */
#ifndef TT_DNS_STUB_H
#define TT_DNS_STUB_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/time.h>
#include <unistd.h>
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

static int stub_lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (rc == 0)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/* Enters a private network + mount namespace (loopback up, no route), bind-mounts a
 * resolv.conf naming 127.0.0.1, binds the stub on 127.0.0.1:53 and starts stub_main in *th.
 * Returns 0, 77 when namespaces are not permitted here (a skip, never a pass), or the
 * failed step 1..6. Call in a forked child: the namespace is for the rest of its life. */
static int stub_enter(pthread_t *th)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
	struct timeval tv = {0, 100000}; /* the stop flag is looked at this often */
	char conf[64];
	FILE *f;
	int rc;

	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
		return (errno == EPERM || errno == EINVAL || errno == ENOSYS) ? 77 : 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || stub_lo_up() < 0)
		return 2;
	snprintf(conf, sizeof(conf), "/tmp/tt_dns_stub_resolv.%d", (int)getpid());
	f = fopen(conf, "w");
	if (!f)
		return 3;
	fprintf(f, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
	fclose(f);
	rc = mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL);
	unlink(conf); /* the bind mount keeps the inode alive */
	if (rc < 0)
		return 4;
	stub.fd = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(0x7f000001u);
	if (stub.fd < 0 || bind(stub.fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    setsockopt(stub.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return 5;
	if (pthread_create(th, NULL, stub_main, NULL) != 0)
		return 6;
	return 0;
}

#endif /* TT_DNS_STUB_H */
