/*
 * tt_denied.h — the one structured refusal event (DESIGN §6). Every run-time refusal
 * (connect, dns, credential, host, file, exec) emits exactly one JSON line on stderr:
 *
 *   {"event":"denied","what":"credential","target":"...","rule":"...",
 *    "process":"tt-oe","flavor":"testnet"}
 *
 * so an agent reads why and adjusts instead of looping. One write(2) per event; the
 * target is JSON-escaped byte by byte (hostile input stays one valid line). A counter of
 * emitted events is kept for metrics.
 */
#ifndef TT_DENIED_H
#define TT_DENIED_H

#include <stdint.h>

/* what: "connect" | "dns" | "credential" | "host" | "file" | "exec". */
void tt_denied_emit(const char *what, const char *target, const char *rule);

/* Events emitted by this process so far. */
uint64_t tt_denied_count(void);

/* Redirects the events (tests capture them); -1 restores stderr. */
void tt_denied_set_fd(int fd);

#endif /* TT_DENIED_H */
