/*
 * venue_client.h — test helpers that drive a real tt-venue process from outside: start/stop
 * it (ephemeral port, generated cert), the control socket, an HTTPS GET over OpenSSL that
 * verifies the generated CA and the name "localhost", and a small libwebsockets WebSocket
 * client. Independent of the project's tt_ws/tt_http code on purpose.
 */
#ifndef VENUE_CLIENT_H
#define VENUE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vc_proc {
	pid_t pid;
	int port;
	char dir[64]; /* temp dir: certs, ctl socket */
	char ca[512];
	char ctl[100]; /* fits sun_path */
	char err[300]; /* stderr of the venue goes here */
};

/* Starts tt-venue (TT_BUILD_DIR/harness/venue/tt-venue) with --port 0, a generated cert and a
 * control socket, plus args (NULL-terminated). Returns 0 when it printed its listening line. */
int vc_start(struct vc_proc *p, const char *const *args);
/* SIGTERM, wait; returns the exit status (or -1). Removes the temp dir. */
int vc_stop(struct vc_proc *p);
/* Runs tt-venue with args and returns its exit status (for refusal tests). */
int vc_run_status(const char *const *args);
/* Sends one control line, reads one line back into out (NUL-terminated). Returns length. */
int vc_ctl(const struct vc_proc *p, const char *cmd, char *out, size_t cap);
/* HTTPS GET; body into out (NUL-terminated). Returns the HTTP status or -1. */
int vc_https_get(const struct vc_proc *p, const char *path, char *out, size_t cap);

struct vc_ws;
int vc_ws_open(struct vc_ws **w, const struct vc_proc *p, const char *path);
/* Next received text message (NUL-terminated, truncated to cap-1): its length; 0 on timeout;
 * -1 once the connection is closed. */
int vc_ws_next(struct vc_ws *w, char *buf, size_t cap, int timeout_ms);
int vc_ws_send(struct vc_ws *w, const char *text);
/* The close status the server sent (0 if none yet). */
int vc_ws_close_code(const struct vc_ws *w);
void vc_ws_close(struct vc_ws *w);

/* Tiny field readers for the tests: the number after "key": in s (0 if absent). */
unsigned long long vc_num(const char *s, const char *key);

#endif /* VENUE_CLIENT_H */
