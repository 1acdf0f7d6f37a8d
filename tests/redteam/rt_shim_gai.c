/*
 * rt_shim_gai.c — an LD_PRELOAD shim that steers name resolution: every getaddrinfo()
 * answers 192.0.2.1 (TEST-NET-1, documentation range, never routed). An allowed name
 * then points at an address the flavor must not reach; the guard's post-resolve check
 * (tt_guard_check_resolved) has to refuse it before connect.
 */
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

__attribute__((constructor)) static void rt_shim_announce(void)
{
	setenv("RT_SHIM_LOADED", "gai", 1);
}

struct rt_ai {
	struct addrinfo ai;
	struct sockaddr_in sin;
};

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	struct rt_ai *r = calloc(1, sizeof(*r));

	if (!r)
		return EAI_MEMORY;
	r->sin.sin_family = AF_INET;
	r->sin.sin_addr.s_addr = htonl(0xc0000201u);
	r->ai.ai_family = AF_INET;
	r->ai.ai_socktype = SOCK_STREAM;
	r->ai.ai_addrlen = sizeof(r->sin);
	r->ai.ai_addr = (struct sockaddr *)&r->sin;
	*res = &r->ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
	free(ai);
}
