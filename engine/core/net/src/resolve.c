/*
 * resolve.c — tt_net_resolve(): guard, then DNS, then guard again (tt_resolve.h). The
 * order is the point: tt_guard_check_endpoint() runs before anything that could send a
 * packet, so a refused name is never queried (tests/net/test_guard.c proves it with a
 * DNS stub in a private network namespace).
 */
#include "tt_resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "guard_internal.h"
#include "tt_err.h"
#include "tt_guard.h"

static void tt_resolve_v4(uint32_t a, uint16_t port, struct sockaddr_storage *out, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;

	tt__guard_zero(out, sizeof(*out));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = htonl(a);
	*len = sizeof(*s4);
}

int tt_net_resolve(const char *host, uint16_t port, struct sockaddr_storage *out, socklen_t *len)
{
	struct tt__guard_host h;
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	struct addrinfo *ai;
	char fq[TT__GUARD_NAME_MAX + 2];
	int rc;

	if (!out || !len)
		return tt_err_set(-EINVAL, "tt_net_resolve: NULL output");
	rc = tt_guard_check_endpoint(host, port);
	if (rc < 0)
		return rc;
	rc = tt__guard_parse_host(host, &h);
	if (TT_NEVER(rc < 0))
		return tt_err_set(rc, "host %s: %s", host, h.bad);
	if (h.kind == TT__GH_V4 ||
	    (h.kind == TT__GH_NAME && h.len == 9 && tt__guard_memeq(h.name, "localhost", 9))) {
		tt_resolve_v4(h.kind == TT__GH_V4 ? h.v4 : 0x7f000001u, port, out, len);
	} else if (h.kind == TT__GH_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;

		tt__guard_zero(out, sizeof(*out));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		tt__guard_memcpy(s6->sin6_addr.s6_addr, h.v6, 16);
		*len = sizeof(*s6);
	} else {
		tt__guard_memcpy(fq, h.name, h.len); /* no libc call: see guard_internal.h */
		fq[h.len] = '.';
		fq[h.len + 1] = '\0';
		tt__guard_zero(&hints, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		rc = getaddrinfo(fq, NULL, &hints, &res);
		if (rc != 0) {
			int code = (rc == EAI_AGAIN) ? -EAGAIN : -ENOENT;

			return tt_err_set(code, "getaddrinfo(\"%s\"): %s", fq, gai_strerror(rc));
		}
		rc = -ENOENT;
		for (ai = res; ai; ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof(*out) ||
			    (ai->ai_family != AF_INET && ai->ai_family != AF_INET6))
				continue;
			tt__guard_memcpy(out, ai->ai_addr, ai->ai_addrlen);
			*len = ai->ai_addrlen;
			if (ai->ai_family == AF_INET)
				((struct sockaddr_in *)out)->sin_port = htons(port);
			else
				((struct sockaddr_in6 *)out)->sin6_port = htons(port);
			rc = tt_guard_check_resolved(host, (struct sockaddr *)out, *len);
			if (rc == 0)
				break;
		}
		freeaddrinfo(res);
		if (rc < 0) {
			tt__guard_zero(out, sizeof(*out));
			*len = 0;
			if (rc == -ENOENT)
				return tt_err_set(rc, "getaddrinfo(\"%s\"): no usable address", fq);
			return tt_err_add("resolving %s", fq);
		}
		return 0;
	}
	return tt_guard_check_resolved(host, (struct sockaddr *)out, *len);
}
