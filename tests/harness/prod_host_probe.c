/*
 * prod_host_probe.c — the smallest prod-flavor program that does what every prod process
 * does first (DESIGN §6): load its config, call tt_flavor_start() (host whitelist), and only
 * then take its first network step. Built by prod_host.sh with the prod flavor sources
 * (harness/prod) and libttcore's sources, outside the testnet build, and run in a private
 * network namespace under strace: the test proves the refusal comes before any socket.
 *
 *   prod_host_probe CONFIG     exit 0 "host-check: passed" (after one loopback connect
 *                              attempt, which the empty namespace refuses);
 *                              exit 3 when tt_flavor_start refuses (denied event on stderr);
 *                              exit 2 when the config does not load.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tt_config.h"
#include "tt_cred.h"
#include "tt_err.h"
#include "tt_flavor.h"

static struct tt_config cfg;

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9)};
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: prod_host_probe CONFIG\n");
		return 2;
	}
	if (tt_config_load(&cfg, argv[1])) {
		fprintf(stderr, "prod_host_probe: %s\n", tt_err_msg());
		return 2;
	}
	if (tt_flavor_start(&cfg)) {
		fprintf(stderr, "prod_host_probe: %s: refused\n", tt_flavor_name());
		return 3;
	}
	printf("host-check: passed (%s)\n", tt_flavor_name());
	fflush(stdout);
	/* The first network step a prod process takes; loopback only, and the test runs it
	 * in a namespace where even loopback is down. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			printf("connected\n");
		close(fd);
	}
	return 0;
}
