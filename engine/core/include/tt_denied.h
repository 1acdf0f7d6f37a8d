/*
 * tt_denied.h — the one structured refusal event (DESIGN §6). Every run-time refusal
 * (connect, dns, credential, host, file, exec) emits exactly one JSON line on stderr,
 * formatted like every log line (tt_log.h) and never filtered by the log level:
 *
 *   {"ts":"…","level":"warn","proc":"tt-oe","pid":12,"event":"denied","what":"credential",
 *    "target":"...","rule":"...","process":"tt-oe","flavor":"testnet"}
 *
 * so an agent reads why and adjusts instead of looping. One write(2) per event; hostile
 * targets are escaped (the line stays one valid JSON object). A counter of
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
