/*
 * fuzz_guard.c — the endpoint guard on arbitrary host strings. Input: the host bytes
 * (cut at the first NUL, as a C caller would). Checks, besides "never crashes":
 *  - safety against glibc: when inet_aton() parses the host as an address that is not
 *    loopback, the guard must refuse it (the resolver would connect there);
 *  - the guard's answer does not depend on case or on one trailing dot;
 *  - an allowed host resolves (tt_net_resolve) without DNS only for literals/localhost,
 *    so only those are resolved here: nothing in the fuzzer touches the network.
 * Denied events go to /dev/null (tt_denied_set_fd) so stderr stays readable.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tt_denied.h"
#include "tt_guard.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet = -1;
	char host[1200];
	char alt[1202];
	struct in_addr ia;
	size_t n = size < sizeof(host) - 1 ? size : sizeof(host) - 1;
	size_t i;
	int rc;
	int rc2;

	if (quiet < 0) {
		quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (quiet >= 0)
			tt_denied_set_fd(quiet);
	}
	memcpy(host, data, n);
	host[n] = '\0';
	rc = tt_guard_check_endpoint(host, 443);
	/* glibc would parse it as this IPv4 address: non-loopback must be refused */
	if (inet_aton(host, &ia) == 1 && (ntohl(ia.s_addr) >> 24) != 127 && rc == 0)
		abort();
	/* case and one trailing dot do not change the answer */
	n = strlen(host);
	for (i = 0; i < n; i++)
		alt[i] = (char)toupper((unsigned char)host[i]);
	alt[n] = '\0';
	if (!strchr(host, ':')) { /* IPv6 text is case-insensitive too, but no dots there */
		rc2 = tt_guard_check_endpoint(alt, 443);
		if ((rc == 0) != (rc2 == 0))
			abort();
		if (n && host[n - 1] != '.' && host[0] != '[') {
			alt[n] = '.';
			alt[n + 1] = '\0';
			rc2 = tt_guard_check_endpoint(alt, 443);
			if ((rc == 0) != (rc2 == 0))
				abort();
		}
	}
	return 0;
}
