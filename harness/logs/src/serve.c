/*
 * serve.c — tt-logs serve and the --remote client (tt_logsrv.h). Blocking OpenSSL, one
 * connection at a time with socket timeouts, so a slow or hostile peer costs at most the
 * timeout. Order of checks per connection: peer allow-list (before TLS), TLS handshake,
 * request parse (bounded), rate limit, method (GET only), token, route. Every request that
 * got as far as a request line is audited, whatever its outcome.
 */
#include "tt_logsrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_guard.h"
#include "tt_log.h"
#include "tt_logq.h"

#define REQ_MAX	     8192
#define IO_TIMEOUT_S 5

static int64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "host:port" or "[v6]:port" → sockaddr. 0 or -EINVAL. */
static int parse_hostport(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *host,
			  size_t hcap, unsigned *port)
{
	const char *colon;
	size_t hl;
	char *end;
	unsigned long p;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		hl = (size_t)(rb - s - 1);
		if (hl >= hcap)
			return -EINVAL;
		memcpy(host, s + 1, hl);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
		if (hl >= hcap)
			return -EINVAL;
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end || p > 65535 || colon[1] == '\0')
		return -EINVAL;
	*port = (unsigned)p;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
		*len = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
		*len = sizeof(struct sockaddr_in6);
		return 0;
	}
	return -EINVAL;
}

static void peer_str(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out,
			  (socklen_t)cap);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out,
			  (socklen_t)cap);
	else
		snprintf(out, cap, "?");
}

static bool peer_allowed(const struct tt_logsrv_cfg *cfg, const char *peer)
{
	if (!cfg->allow[0])
		return strcmp(peer, "127.0.0.1") == 0 || strcmp(peer, "::1") == 0 ||
		       strncmp(peer, "127.", 4) == 0;
	for (unsigned i = 0; i < TT_LOGSRV_ALLOW_MAX && cfg->allow[i]; i++)
		if (strcmp(peer, cfg->allow[i]) == 0)
			return true;
	return false;
}

struct srv {
	const struct tt_logsrv_cfg *cfg;
	FILE *audit;
	double tokens;	   /* rate-limit bucket */
	int64_t refill_ns; /* last refill */
};

static bool rate_ok(struct srv *s)
{
	double rate = s->cfg->rate ? s->cfg->rate : 10;
	int64_t now = now_real_ns();

	s->tokens += (double)(now - s->refill_ns) / 1e9 * rate;
	if (s->tokens > 2 * rate)
		s->tokens = 2 * rate;
	s->refill_ns = now;
	if (s->tokens < 1)
		return false;
	s->tokens -= 1;
	return true;
}

static void audit(struct srv *s, const char *peer, const char *method, const char *target,
		  int status, size_t bytes, const char *why)
{
	char line[TT_LOG_LINE_MAX];
	struct tt_log_who who = {.env = NULL, .proc = "tt-logs-serve", .pid = getpid()};
	struct tt_log_field f[] = {TT_LS("peer", peer),
				   TT_LSN("method", method, strnlen(method, 16)),
				   TT_LSN("path", target, strnlen(target, 512)),
				   TT_LI("status", status),
				   TT_LU("bytes", bytes),
				   TT_LS("why", why)};
	size_t n = tt_log_format_who(line, &who, status < 400 ? TT_LOG_INFO : TT_LOG_WARN,
				     "logs_request", f, sizeof(f) / sizeof(f[0]), now_real_ns());

	fwrite(line, 1, n, s->audit);
	fflush(s->audit);
}

static int ssl_write_all(SSL *ssl, const char *p, size_t n)
{
	while (n) {
		int w = SSL_write(ssl, p, n > 1 << 30 ? 1 << 30 : (int)n);

		if (w <= 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static size_t respond(SSL *ssl, int status, const char *reason, const char *ctype, const char *body,
		      size_t blen)
{
	char hdr[512];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
			 status, reason, ctype, blen, status == 405 ? "Allow: GET\r\n" : "");

	if (ssl_write_all(ssl, hdr, (size_t)n) == 0 && blen)
		ssl_write_all(ssl, body, blen);
	return blen;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* In-place URL decoding; -1 on a bad escape or a NUL byte. */
static int url_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%') {
			int a = hexval((unsigned char)s[1]),
			    b = a < 0 ? -1 : hexval((unsigned char)s[2]);

			if (a < 0 || b < 0 || (a == 0 && b == 0))
				return -1;
			*o++ = (char)(a * 16 + b);
			s += 2;
		} else {
			*o++ = *s == '+' ? ' ' : *s;
		}
	}
	*o = '\0';
	return 0;
}

/* Runs the route for target (modified in place); fills *body (malloc'd). Returns status. */
static int route(struct srv *s, char *target, char **body, size_t *blen, const char **why)
{
	struct tt_logq q = {.root = s->cfg->root};
	struct tt_logq_result res = {0};
	char *qs = strchr(target, '?'), *kv, *save = NULL;
	FILE *m;
	int64_t now = now_real_ns();
	int rc;

	if (qs)
		*qs++ = '\0';
	m = open_memstream(body, blen);
	if (!m)
		return 500;
	if (strcmp(target, "/v1/events") == 0) {
		tt_logq_print_events(m, true);
		fclose(m);
		return 200;
	}
	if (strcmp(target, "/v1/query") && strcmp(target, "/v1/denied") &&
	    strcmp(target, "/v1/timeline")) {
		fprintf(m, "{\"error\":\"no such route\"}\n");
		fclose(m);
		*why = "no_route";
		return 404;
	}
	for (kv = qs ? strtok_r(qs, "&", &save) : NULL; kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || url_decode(eq + 1) || url_decode(kv)) {
			fprintf(m, "{\"error\":\"bad query string\"}\n");
			fclose(m);
			*why = "bad_query";
			return 400;
		}
		*eq = '\0';
		if (tt_logq_set(&q, kv, eq + 1, now)) {
			fprintf(m, "{\"error\":\"%s\"}\n", "bad filter");
			fprintf(m, "%s\n", "");
			fclose(m);
			tt_err_clear();
			*why = "bad_filter";
			return 400;
		}
	}
	if (strcmp(target, "/v1/denied") == 0)
		q.event = "denied";
	if (strcmp(target, "/v1/timeline") == 0 && !q.order) {
		fprintf(m, "{\"error\":\"timeline needs order\"}\n");
		fclose(m);
		*why = "bad_filter";
		return 400;
	}
	if (!q.limit || q.limit > 100000)
		q.limit = 100000; /* bound a response */
	rc = tt_logq_run(&q, &res);
	if (rc) {
		tt_err_clear();
		fclose(m);
		tt_logq_result_free(&res);
		*why = "no_logs";
		return rc == -ENOENT ? 404 : 500;
	}
	for (size_t i = 0; i < res.n; i++)
		fprintf(m, "%s\n", res.hit[i].line);
	tt_logq_result_free(&res);
	fclose(m);
	return 200;
}

static const char *reason_of(int st)
{
	switch (st) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 429:
		return "Too Many Requests";
	default:
		return "Internal Server Error";
	}
}

static void handle(struct srv *s, SSL *ssl, const char *peer)
{
	char req[REQ_MAX + 1], method[16] = "", target[1024] = "";
	size_t len = 0;
	char *eoh = NULL, *auth = NULL, *line, *save = NULL;
	char *body = NULL;
	size_t blen = 0;
	const char *why = "ok";
	int st;

	while (len < REQ_MAX) {
		int r = SSL_read(ssl, req + len, (int)(REQ_MAX - len));

		if (r <= 0)
			break;
		len += (size_t)r;
		req[len] = '\0';
		if ((eoh = strstr(req, "\r\n\r\n")))
			break;
	}
	if (!eoh) {
		audit(s, peer, "", "", 400, 0, "incomplete_request");
		respond(ssl, 400, "Bad Request", "text/plain", "", 0);
		return;
	}
	*eoh = '\0';
	line = strtok_r(req, "\r\n", &save);
	if (!line || sscanf(line, "%15s %1023s HTTP/1.%*c", method, target) != 2) {
		audit(s, peer, "", "", 400, 0, "bad_request_line");
		respond(ssl, 400, "Bad Request", "text/plain", "", 0);
		return;
	}
	while ((line = strtok_r(NULL, "\r\n", &save)))
		if (strncasecmp(line, "Authorization:", 14) == 0)
			auth = line + 14;
	if (!rate_ok(s)) {
		st = 429;
		why = "rate_limited";
	} else if (strcmp(method, "GET") != 0) {
		st = 405;
		why = "read_only";
	} else {
		const char *tok = s->cfg->token;
		size_t tl = strlen(tok);

		while (auth && *auth == ' ')
			auth++;
		if (!auth || strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) != tl ||
		    CRYPTO_memcmp(auth + 7, tok, tl) != 0) {
			st = 401;
			why = auth ? "bad_token" : "no_token";
		} else {
			char path[1024];

			memcpy(path, target, sizeof(path));
			st = route(s, path, &body, &blen, &why);
		}
	}
	if (st != 200 && !body)
		blen = 0;
	audit(s, peer, method, target, st, blen, why);
	respond(ssl, st, reason_of(st), "application/x-ndjson", body ? body : "", body ? blen : 0);
	free(body);
}

int tt_logsrv_run(const struct tt_logsrv_cfg *cfg, volatile sig_atomic_t *stop)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[64];
	unsigned port;
	int lfd = -1, one = 1, rc = 0;
	SSL_CTX *ctx = NULL;
	struct srv s = {.cfg = cfg, .refill_ns = now_real_ns()};

	s.tokens = 2.0 * (cfg->rate ? cfg->rate : 10);
	if (!cfg->token || strlen(cfg->token) < 16)
		return tt_err_set(-EINVAL, "serve: a token of at least 16 bytes is required");
	if (parse_hostport(cfg->listen, &ss, &sl, host, sizeof(host), &port))
		return tt_err_set(-EINVAL, "serve: --listen '%s': expected IP:PORT", cfg->listen);
	s.audit = fopen(cfg->audit, "a");
	if (!s.audit)
		return tt_err_set(-errno, "serve: audit log %s: %s", cfg->audit, strerror(errno));
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1) {
		rc = tt_err_set(-EINVAL, "serve: TLS cert %s / key %s unusable", cfg->cert,
				cfg->key);
		goto out;
	}
	lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&ss, sl) || listen(lfd, 16)) {
		rc = tt_err_set(-errno, "serve: bind/listen %s: %s", cfg->listen, strerror(errno));
		goto out;
	}
	if (cfg->port_file) {
		struct sockaddr_storage b;
		socklen_t bl = sizeof(b);
		FILE *pf;
		char tmp[600];

		getsockname(lfd, (struct sockaddr *)&b, &bl);
		snprintf(tmp, sizeof(tmp), "%s.tmp", cfg->port_file);
		pf = fopen(tmp, "w");
		if (pf) {
			fprintf(pf, "%u\n",
				ntohs(b.ss_family == AF_INET
					  ? ((struct sockaddr_in *)&b)->sin_port
					  : ((struct sockaddr_in6 *)&b)->sin6_port));
			fclose(pf);
			rename(tmp, cfg->port_file);
		}
	}
	tt_log(TT_LOG_INFO, "logs_serve_listening", TT_LS("listen", cfg->listen),
	       TT_LS("root", cfg->root));
	while (!*stop) {
		struct pollfd pfd = {.fd = lfd, .events = POLLIN};
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		struct timeval tv = {.tv_sec = IO_TIMEOUT_S};
		char ps[64];
		SSL *ssl;
		int cfd;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		cfd = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		peer_str(&peer, ps, sizeof(ps));
		if (!peer_allowed(cfg, ps)) {
			audit(&s, ps, "", "", 403, 0, "peer_not_allowed");
			close(cfd);
			continue;
		}
		setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		ssl = SSL_new(ctx);
		if (ssl && SSL_set_fd(ssl, cfd) == 1 && SSL_accept(ssl) == 1) {
			handle(&s, ssl, ps);
			SSL_shutdown(ssl);
		} else {
			audit(&s, ps, "", "", 400, 0, "tls_handshake_failed");
			ERR_clear_error();
		}
		SSL_free(ssl);
		close(cfd);
	}
out:
	if (lfd >= 0)
		close(lfd);
	SSL_CTX_free(ctx);
	fclose(s.audit);
	return rc;
}

int tt_logsrv_get(const char *url, const char *path_query, const char *token, const char *cafile,
		  FILE *out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[256], hp[300], req[4096], buf[16384];
	const char *p;
	unsigned port;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd = -1, rc, status = -EPROTO, n;
	size_t hl;
	FILE *m;
	char *resp = NULL, *body;
	size_t rlen = 0;

	if (strncmp(url, "https://", 8) != 0)
		return tt_err_set(-EINVAL, "--remote: expected https://IP:PORT, found '%.80s'",
				  url);
	p = url + 8;
	hl = strcspn(p, "/");
	if (hl >= sizeof(hp))
		return tt_err_set(-EINVAL, "--remote: host too long");
	memcpy(hp, p, hl);
	hp[hl] = '\0';
	if (parse_hostport(hp, &ss, &sl, host, sizeof(host), &port))
		return tt_err_set(-EINVAL, "--remote: expected https://IP:PORT, found '%.80s'",
				  url);
	rc = tt_guard_check_endpoint(host, (uint16_t)port);
	if (rc)
		return rc;
	rc = tt_guard_check_sockaddr((struct sockaddr *)&ss, sl);
	if (rc)
		return rc;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
		rc = tt_err_set(-EINVAL, "--remote: CA file %s unusable",
				cafile ? cafile : "(none)");
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		rc = tt_err_set(-errno, "connect %s: %s", hp, strerror(errno));
		goto out;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set1_host(ssl, host);
	if (SSL_connect(ssl) != 1) {
		rc = tt_err_set(-EPROTO, "TLS to %s failed (certificate not trusted?)", hp);
		ERR_clear_error();
		goto out;
	}
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
		     "Connection: close\r\n\r\n",
		     path_query, hp, token ? token : "");
	if (n <= 0 || (size_t)n >= sizeof(req) || ssl_write_all(ssl, req, (size_t)n)) {
		rc = tt_err_set(-EIO, "request to %s failed", hp);
		goto out;
	}
	m = open_memstream(&resp, &rlen);
	if (!m) {
		rc = -ENOMEM;
		goto out;
	}
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, m);
	fclose(m);
	if (!resp || sscanf(resp, "HTTP/1.%*c %d", &status) != 1) {
		rc = tt_err_set(-EPROTO, "bad response from %s", hp);
		goto out;
	}
	body = strstr(resp, "\r\n\r\n");
	if (body)
		fwrite(body + 4, 1, rlen - (size_t)(body + 4 - resp), out);
	rc = status;
out:
	free(resp);
	if (ssl)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	SSL_CTX_free(ctx);
	return rc;
}
