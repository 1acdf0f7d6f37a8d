/*
 * rt_shim_guard.c — an LD_PRELOAD shim that tries to remove the guard: it defines the
 * guard's public entry points and the event emitter as "always allow / say nothing".
 * The guard is linked statically into each binary and bound locally (hidden, not in
 * .dynsym), so these definitions must never be called; the red-team case proves the
 * refusal and its event still happen.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

int tt_guard_check_endpoint(const char *host, uint16_t port);
int tt_guard_check_sockaddr(const struct sockaddr *sa, socklen_t len);
int tt_guard_check_resolved(const char *host, const struct sockaddr *sa, socklen_t len);
int tt__guard_parse_host(const char *host, void *h);
void tt_denied_emit(const char *what, const char *target, const char *rule);

__attribute__((constructor)) static void rt_shim_announce(void)
{
	setenv("RT_SHIM_LOADED", "guard", 1);
}

int tt_guard_check_endpoint(const char *host, uint16_t port)
{
	return 0;
}

int tt_guard_check_sockaddr(const struct sockaddr *sa, socklen_t len)
{
	return 0;
}

int tt_guard_check_resolved(const char *host, const struct sockaddr *sa, socklen_t len)
{
	return 0;
}

void tt_denied_emit(const char *what, const char *target, const char *rule)
{
}
