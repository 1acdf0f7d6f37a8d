/*
 * netio_util.h — helpers shared by the tests of the I/O half of libttnet (loop, TLS, conn,
 * wsconn): a temp dir with a test CA and server certificate made by the `openssl` CLI at
 * test time (never committed), free loopback ports, child servers (openssl s_server, the
 * libwebsockets test server) started and always killed, and a raw TCP listener for the
 * "accepts and never answers" and "reset" cases. Header-only: each test is one .c file.
 *
 * Every child pid is recorded; nio_cleanup() (registered with atexit, also called from the
 * group teardown) kills them all and removes the temp dir, so a failing test leaves nothing.
 */
#ifndef NETIO_UTIL_H
#define NETIO_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NIO_MAX_CHILD 8

static char nio_dir[256];
static pid_t nio_child[NIO_MAX_CHILD];

static inline void nio_kill(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (i = 0; i < NIO_MAX_CHILD; i++)
		if (nio_child[i] == pid)
			nio_child[i] = 0;
}

static inline void nio_cleanup(void)
{
	char cmd[300];
	int i;

	for (i = 0; i < NIO_MAX_CHILD; i++)
		nio_kill(nio_child[i]);
	if (nio_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", nio_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup: %s failed\n", cmd);
		nio_dir[0] = '\0';
	}
}

static inline void nio_track(pid_t pid)
{
	int i;

	for (i = 0; i < NIO_MAX_CHILD; i++)
		if (nio_child[i] == 0) {
			nio_child[i] = pid;
			return;
		}
}

static inline void nio_on_signal(int sig)
{
	nio_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Path of a file in the temp dir (static buffer rotation: 4 at a time). */
static inline const char *nio_path(const char *name)
{
	static char buf[4][320];
	static int k;

	k = (k + 1) & 3;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", nio_dir, name);
	return buf[k];
}

static inline int nio_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int nio_sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

/* Creates the temp dir and: ca.pem/ca.key (the test CA), srv.pem/srv.key (CN localhost,
 * SAN DNS:localhost IP:127.0.0.1, signed by the CA), other.pem (an unrelated CA).
 * 0 or -1. */
static inline int nio_setup_pki(void)
{
	snprintf(nio_dir, sizeof(nio_dir), "/tmp/tt-netio-%d-XXXXXX", (int)getpid());
	if (!mkdtemp(nio_dir)) {
		nio_dir[0] = '\0';
		return -1;
	}
	atexit(nio_cleanup);
	signal(SIGTERM, nio_on_signal);
	signal(SIGINT, nio_on_signal);
	signal(SIGABRT, nio_on_signal);
	signal(SIGSEGV, nio_on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (nio_sh("cd '%s' && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n"
		   "basicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf && "
		   "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		   "-keyout ca.key -out ca.pem -days 2 -subj /CN=tt-netio-test-ca 2>/dev/null && "
		   "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		   "-keyout other.key -out other.pem -days 2 -subj /CN=tt-netio-other-ca "
		   "2>/dev/null && "
		   "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		   "-keyout srv.key -out srv.csr -subj /CN=localhost 2>/dev/null && "
		   "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		   "-out srv.pem -days 2 -extfile ext.cnf 2>/dev/null",
		   nio_dir) != 0)
		return -1;
	return 0;
}

/* A loopback port free right now (bind to 0, read it, close). */
static inline uint16_t nio_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &l) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Waits (up to ~10 s) until file contains needle. */
static inline bool nio_wait_file(const char *file, const char *needle)
{
	char buf[8192];
	int i;

	for (i = 0; i < 1000; i++) {
		FILE *f = fopen(file, "r");
		size_t n = 0;

		if (f) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
		}
		buf[n] = '\0';
		if (strstr(buf, needle))
			return true;
		usleep(10000);
	}
	return false;
}

/* Starts `openssl s_server` on 127.0.0.1:port with the test server cert, in the temp dir
 * (so -WWW serves files from it); returns its pid once it prints ACCEPT, or -1.
 * extra: mode and more args ("-rev", "-WWW", ...). */
static inline pid_t nio_start_s_server(uint16_t port, const char *extra)
{
	char portarg[32];
	char out[320];
	pid_t pid;

	snprintf(portarg, sizeof(portarg), "127.0.0.1:%u", port);
	snprintf(out, sizeof(out), "%s/s_server.%u.out", nio_dir, port);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the test, whatever happens */

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("sh", "sh", "-c",
		       "cd \"$4\" && exec openssl s_server -accept \"$0\" "
		       "-cert \"$1\" -key \"$2\" $3 </dev/null",
		       portarg, nio_path("srv.pem"), nio_path("srv.key"), extra, nio_dir,
		       (char *)NULL);
		_exit(127);
	}
	nio_track(pid);
	if (!nio_wait_file(out, "ACCEPT")) {
		nio_kill(pid);
		return -1;
	}
	return pid;
}

/* A loopback listener (backlog 8) that the test drives by hand; returns fd, port in *port. */
static inline int nio_listen(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Closes fd with an RST (SO_LINGER 0). */
static inline void nio_close_rst(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

#endif /* NETIO_UTIL_H */
