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
 *
 * Event: one line on fd 2, one write():
 *   {"event":"denied","what":"connect","target":"HOST:PORT","rule":"RULE",
 *    "process":"PROC","flavor":"testnet"}
 * Rules (testnet): not_allowlisted, ip_literal_not_allowlisted, deny_binance_demo,
 * deny_binance_com, deny_binance_us, deny_binance_vision, deny_kalshi_com; for malformed
 * input (-EINVAL): empty_host, name_too_long, label_too_long, empty_label, bad_label,
 * bad_character, bad_ip_literal, ipv6_zone_id, bad_port, bad_sockaddr; after resolving:
 * addr_not_loopback, resolved_non_public_addr, resolved_addr_mismatch.
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

/* Checks the address sa that resolving host produced (after DNS, before connect): host
 * must pass the allow-list (as tt_guard_check_endpoint, without needing a port of its
 * own: the port is sa's) and the address must be loopback or public unicast (private,
 * link-local, multicast, unspecified and reserved ranges are refused, so DNS cannot steer
 * an allowed name inside). For an IP-literal host the address must equal the literal.
 * tt_guard_check_sockaddr() alone allows loopback only; use this one for addresses that
 * come from resolving an allowed name (tt_net_resolve does). Same returns; the trail
 * names the address. */
int tt_guard_check_resolved(const char *host, const struct sockaddr *sa, socklen_t len) TT_WUR;

#endif /* TT_GUARD_H */
