/*
 * tt_guard.h — the endpoint guard (DESIGN §4, §6): every outbound connection's host:port
 * is checked against the build flavor's allow-list here, BEFORE any DNS lookup or
 * connect. The net code calls it; nothing else may open an outbound socket.
 *
 * Names are normalised (lower case, trailing dot dropped) and compared label by label,
 * never by substring; IP literals in every form inet_aton accepts (dotted, decimal,
 * octal, hex, short forms) and IPv6 (incl. v4-mapped) are parsed and compared as
 * addresses. A refusal emits one structured `denied` event and returns -TT_EDENIED.
 * Compiled into libttnet with hidden visibility: not an interposable wrapper.
 */
#ifndef TT_GUARD_H
#define TT_GUARD_H

#include <stdint.h>
#include <sys/socket.h>

#include "tt_compiler.h"

/* Checks host (name or IP literal) and port against the flavor's allow-list.
 * 0 when allowed; -TT_EDENIED (denied event emitted, trail set) or -EINVAL for a
 * malformed host. Never resolves, never touches the network. */
int tt_guard_check_endpoint(const char *host, uint16_t port) TT_WUR;

/* Checks a resolved socket address (after DNS, before connect): only addresses the
 * allow-list permits for this flavor pass. Same returns. */
int tt_guard_check_sockaddr(const struct sockaddr *sa, socklen_t len) TT_WUR;

#endif /* TT_GUARD_H */
