/*
 * venue_client.c — see venue_client.h. Test code: simple, blocking, allocation is fine.
 */
#include "venue_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

static const char *venue_bin(void)
{
	static char path[1024];
	const char *b = getenv("TT_BUILD_DIR");

	snprintf(path, sizeof(path), "%s/harness/venue/tt-venue", b ? b : "build/testnet");
	return path;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pid_t spawn(const char *const *args, const char *dir, int *out_fd, const char *err_path)
{
	const char *argv[64];
	char certdir[300];
	char ctl[300];
	int n = 0;
	int pfd[2];
	pid_t pid;

	argv[n++] = venue_bin();
	if (dir) {
		snprintf(certdir, sizeof(certdir), "%s/certs", dir);
		snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
		argv[n++] = "--port";
		argv[n++] = "0";
		argv[n++] = "--cert-dir";
		argv[n++] = certdir;
		argv[n++] = "--ctl";
		argv[n++] = ctl;
	}
	for (int i = 0; args && args[i] && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int e = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		unsetenv("LSAN_OPTIONS"); /* the venue gets no leak suppressions */
		unsetenv("ASAN_OPTIONS");
		dup2(pfd[1], 1);
		if (e >= 0)
			dup2(e, 2);
		close(pfd[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	*out_fd = pfd[0];
	return pid;
}

static void json_str(const char *line, const char *key, char *out, size_t cap)
{
	char k[64];
	const char *p;
	size_t n = 0;

	snprintf(k, sizeof(k), "\"%s\":\"", key);
	out[0] = 0;
	p = strstr(line, k);
	if (!p)
		return;
	p += strlen(k);
	while (p[n] && p[n] != '"' && n + 1 < cap) {
		out[n] = p[n];
		n++;
	}
	out[n] = 0;
}

unsigned long long vc_num(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(s, k);
	return p ? strtoull(p + strlen(k), NULL, 10) : 0;
}

int vc_start(struct vc_proc *p, const char *const *args)
{
	char line[2048];
	size_t n = 0;
	int fd;
	long long t0 = now_ms();

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/tt-venue-test-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->err, sizeof(p->err), "%s/stderr.log", p->dir);
	p->pid = spawn(args, p->dir, &fd, p->err);
	if (p->pid < 0)
		return -1;
	/* Read the listening line (generous deadline: key generation on a busy CI box). */
	while (n < sizeof(line) - 1 && now_ms() - t0 < 30000) {
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&pf, 1, 200) <= 0)
			continue;
		r = read(fd, line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = 0;
	close(fd);
	if (!strstr(line, "\"listening\"")) {
		vc_stop(p);
		return -1;
	}
	p->port = (int)vc_num(line, "port");
	json_str(line, "ca_file", p->ca, sizeof(p->ca));
	json_str(line, "ctl", p->ctl, sizeof(p->ctl));
	return p->port > 0 ? 0 : -1;
}

int vc_stop(struct vc_proc *p)
{
	int st = -1;
	char cmd[400];

	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		for (int i = 0; i < 100; i++) {
			if (waitpid(p->pid, &st, WNOHANG) == p->pid)
				break;
			usleep(50000);
			if (i == 99) {
				kill(p->pid, SIGKILL);
				waitpid(p->pid, &st, 0);
			}
		}
		p->pid = 0;
	}
	if (getenv("TT_VENUE_KEEP") == NULL && p->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", p->dir);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int vc_run_status(const char *const *args)
{
	int fd;
	int st;
	pid_t pid = spawn(args, NULL, &fd, NULL);
	char buf[256];

	if (pid < 0)
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int vc_ctl(const struct vc_proc *p, const char *cmd, char *out, size_t cap)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	size_t n = 0;
	long long t0 = now_ms();

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", p->ctl);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		close(fd);
		return -1;
	}
	while (n < cap - 1 && now_ms() - t0 < 10000) {
		struct pollfd pf = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		r = read(fd, out + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (out[n - 1] == '\n')
			break;
	}
	close(fd);
	if (n && out[n - 1] == '\n')
		n--;
	out[n] = 0;
	return (int)n;
}

int vc_https_get(const struct vc_proc *p, const char *path, char *out, size_t cap)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p->port)};
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	char req[1024];
	char *resp = malloc(4 << 20);
	size_t n = 0;
	int fd = -1;
	int status = -1;
	char *body;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (!ctx || !resp || SSL_CTX_load_verify_locations(ctx, p->ca, NULL) != 1)
		goto out;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	SSL_set1_host(ssl, "localhost");
	if (SSL_connect(ssl) != 1)
		goto out;
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
	if (SSL_write(ssl, req, (int)strlen(req)) <= 0)
		goto out;
	for (;;) {
		int r = SSL_read(ssl, resp + n, (int)((4 << 20) - 1 - n));
		char *h;

		if (r <= 0)
			break;
		n += (size_t)r;
		resp[n] = 0;
		h = strstr(resp, "\r\n\r\n");
		if (h) {
			char *cl = strcasestr(resp, "content-length:");

			if (cl && cl < h &&
			    n >= (size_t)(h + 4 - resp) + strtoul(cl + 15, NULL, 10))
				break;
		}
	}
	resp[n] = 0;
	if (n < 12 || strncmp(resp, "HTTP/1.1 ", 9))
		goto out;
	status = atoi(resp + 9);
	body = strstr(resp, "\r\n\r\n");
	snprintf(out, cap, "%s", body ? body + 4 : "");
out:
	if (ssl) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	free(resp);
	return status;
}

/* ---- WebSocket client ------------------------------------------------------------------- */

struct vc_msg {
	struct vc_msg *next;
	size_t len;
	char data[];
};

struct vc_ws {
	struct lws_context *ctx;
	struct lws *wsi;
	struct vc_msg *head;
	struct vc_msg *tail;
	char *acc;
	size_t acc_len;
	size_t acc_cap;
	bool connected;
	bool closed;
	int close_code;
	char *tx; /* pending outgoing text */
	size_t tx_len;
	lws_sorted_usec_list_t sul; /* wakes lws_service every 10 ms so timeouts are honoured */
};

static void wake(lws_sorted_usec_list_t *sul)
{
	struct vc_ws *w = lws_container_of(sul, struct vc_ws, sul);

	lws_sul_schedule(w->ctx, 0, &w->sul, wake, 10 * LWS_US_PER_MS);
}

static int cb_client(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		     size_t len)
{
	struct vc_ws *w = lws_context_user(lws_get_context(wsi));

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		w->connected = true;
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
	case LWS_CALLBACK_CLIENT_CLOSED:
		w->closed = true;
		w->wsi = NULL;
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2)
			w->close_code = ((const uint8_t *)in)[0] << 8 | ((const uint8_t *)in)[1];
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (w->acc_len + len + 1 > w->acc_cap) {
			w->acc_cap = (w->acc_len + len + 1) * 2;
			w->acc = realloc(w->acc, w->acc_cap);
		}
		memcpy(w->acc + w->acc_len, in, len);
		w->acc_len += len;
		if (lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi)) {
			struct vc_msg *m = malloc(sizeof(*m) + w->acc_len + 1);

			m->next = NULL;
			m->len = w->acc_len;
			memcpy(m->data, w->acc, w->acc_len);
			m->data[w->acc_len] = 0;
			if (w->tail)
				w->tail->next = m;
			else
				w->head = m;
			w->tail = m;
			w->acc_len = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (w->tx) {
			int r = lws_write(wsi, (unsigned char *)w->tx + LWS_PRE, w->tx_len,
					  LWS_WRITE_TEXT);

			free(w->tx);
			w->tx = NULL;
			if (r < 0)
				return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols client_protocols[] = {
    {"vc", cb_client, 0, 1 << 16, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

int vc_ws_open(struct vc_ws **out, const struct vc_proc *p, const char *path)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct vc_ws *w = calloc(1, sizeof(*w));
	long long t0 = now_ms();

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = p->ca;
	info.user = w;
	w->ctx = lws_create_context(&info);
	if (!w->ctx)
		goto fail;
	memset(&ci, 0, sizeof(ci));
	ci.context = w->ctx;
	ci.address = "127.0.0.1";
	ci.port = p->port;
	ci.path = path;
	ci.host = "localhost";
	ci.origin = "localhost";
	ci.ssl_connection = LCCSCF_USE_SSL;
	ci.protocol = NULL;
	ci.local_protocol_name = "vc";
	lws_sul_schedule(w->ctx, 0, &w->sul, wake, 10 * LWS_US_PER_MS);
	w->wsi = lws_client_connect_via_info(&ci);
	if (!w->wsi)
		goto fail;
	while (!w->connected && !w->closed && now_ms() - t0 < 10000)
		lws_service(w->ctx, 0);
	if (!w->connected)
		goto fail;
	*out = w;
	return 0;
fail:
	vc_ws_close(w);
	return -1;
}

int vc_ws_next(struct vc_ws *w, char *buf, size_t cap, int timeout_ms)
{
	long long t0 = now_ms();
	struct vc_msg *m;
	size_t n;

	while (!w->head) {
		if (w->closed)
			return -1;
		if (now_ms() - t0 >= timeout_ms)
			return 0;
		lws_service(w->ctx, 0);
	}
	m = w->head;
	w->head = m->next;
	if (!w->head)
		w->tail = NULL;
	n = m->len < cap - 1 ? m->len : cap - 1;
	memcpy(buf, m->data, n);
	buf[n] = 0;
	n = m->len;
	free(m);
	return n ? (int)n : 1;
}

int vc_ws_send(struct vc_ws *w, const char *text)
{
	if (!w->wsi || w->tx)
		return -1;
	w->tx_len = strlen(text);
	w->tx = malloc(LWS_PRE + w->tx_len);
	memcpy(w->tx + LWS_PRE, text, w->tx_len);
	lws_callback_on_writable(w->wsi);
	for (int i = 0; i < 1000 && w->tx && !w->closed; i++)
		lws_service(w->ctx, 0);
	return w->tx ? -1 : 0;
}

int vc_ws_close_code(const struct vc_ws *w)
{
	return w->close_code;
}

void vc_ws_close(struct vc_ws *w)
{
	if (!w)
		return;
	if (w->ctx && w->wsi && !w->closed) {
		/* Close the connection ourselves first: destroying a context with a live
		 * connection leaks inside libwebsockets 4.1 (seen by LeakSanitizer). */
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_SYNC);
		for (int i = 0; i < 10 && !w->closed; i++)
			lws_service(w->ctx, 0);
	}
	if (w->ctx)
		lws_context_destroy(w->ctx);
	while (w->head) {
		struct vc_msg *m = w->head;

		w->head = m->next;
		free(m);
	}
	free(w->acc);
	free(w->tx);
	free(w);
}
