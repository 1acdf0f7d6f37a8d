/*
 * tt_resolve.h — the only resolver the net code may use (DESIGN §6). It runs the
 * endpoint guard FIRST (a refused name never reaches DNS), resolves, and runs the guard
 * again on every resulting address before handing one back. Blocking (getaddrinfo):
 * call it at connect time, never on the hot path.
 */
#ifndef TT_RESOLVE_H
#define TT_RESOLVE_H

#include <stdint.h>
#include <sys/socket.h>

#include "tt_compiler.h"

/* Resolves host:port into *out (*len set to its size). IP literals (every form the guard
 * parses) and "localhost" (127.0.0.1) never touch the resolver; other names are looked
 * up as absolute names (a trailing dot is added, so no search-domain suffixes), and the
 * first address that passes tt_guard_check_resolved() is returned.
 * 0; -TT_EDENIED or -EINVAL from the guard (denied event emitted); -ENOENT when the
 * name does not resolve; -EAGAIN on a temporary resolver failure. Trail set on failure. */
int tt_net_resolve(const char *host, uint16_t port, struct sockaddr_storage *out,
		   socklen_t *len) TT_WUR;

#endif /* TT_RESOLVE_H */
