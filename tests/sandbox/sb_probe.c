/*
 * sb_probe.c — a tiny program the sandbox tests run inside tt-sandbox: each verb tries one
 * thing and says by its exit code whether it worked (0) or was refused (1); for the
 * syscalls that must be denied, exit 0 means "failed with EPERM" (the expected outcome).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int eperm(const char *what, long rc)
{
	if (rc == -1 && errno == EPERM) {
		printf("%s: EPERM\n", what);
		return 0;
	}
	printf("%s: rc=%ld errno=%s (expected EPERM)\n", what, rc, strerror(errno));
	return 1;
}

static int do_connect(const char *ip, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int s = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, ip, &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		printf("connect %s:%d: %s\n", ip, port, strerror(errno));
		return 1;
	}
	printf("connect %s:%d: ok\n", ip, port);
	return 0;
}

static int do_loopback(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len)) {
		printf("loopback listen: %s\n", strerror(errno));
		return 1;
	}
	return do_connect("127.0.0.1", ntohs(a.sin_port));
}

/* Under ASan builds: LeakSanitizer needs ptrace, which the sandbox denies (by design), so
 * the probe turns it off for itself. Unused in builds without ASan. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

int main(int argc, char **argv)
{
	const char *v = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : "";

	if (!strcmp(v, "connect"))
		return do_connect(a, argc > 3 ? atoi(argv[3]) : 80);
	if (!strcmp(v, "loopback"))
		return do_loopback();
	if (!strcmp(v, "write")) {
		FILE *f = fopen(a, "w");
		if (!f || fputs("x\n", f) < 0 || fclose(f)) {
			printf("write %s: %s\n", a, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!strcmp(v, "exists")) {
		struct stat st;
		return stat(a, &st) ? 1 : 0;
	}
	if (!strcmp(v, "read")) {
		int fd = open(a, O_RDONLY);
		char b[16];
		if (fd < 0 || read(fd, b, sizeof(b)) < 0) {
			printf("read %s: %s\n", a, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!strcmp(v, "mount"))
		return eperm("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
	if (!strcmp(v, "unshare"))
		return eperm("unshare", unshare(CLONE_NEWNET));
	if (!strcmp(v, "ptrace"))
		return eperm("ptrace", ptrace(PTRACE_ATTACH, getppid(), NULL, NULL));
	if (!strcmp(v, "bpf"))
		return eperm("bpf", syscall(SYS_bpf, BPF_PROG_LOAD, NULL, 0));
	if (!strcmp(v, "keyctl"))
		return eperm("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -4));
	if (!strcmp(v, "raw"))
		return eperm("socket(SOCK_RAW)", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	if (!strcmp(v, "clone")) { /* clone(2) with a namespace flag */
		long r = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, 0);
		if (r == 0)
			_exit(0);
		return eperm("clone(CLONE_NEWNS)", r);
	}
	if (!strcmp(v, "spawn")) { /* fork N sleepers; 0 if all forked */
		int want = atoi(a);
		int failed = 0;
		for (int i = 0; i < want; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				sleep(2);
				_exit(0);
			}
			failed += pid < 0;
		}
		printf("spawn: %d of %d forks failed\n", failed, want);
		return failed ? 1 : 0;
	}
	if (!strcmp(v, "spin")) { /* burn CPU for N ms */
		struct timespec t0;
		struct timespec t;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		do
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 <
		       atoi(a));
		return 0;
	}
	if (!strcmp(v, "fill")) { /* write N KiB to a file */
		FILE *f = fopen(a, "w");
		static char kb[1024];
		int n = argc > 3 ? atoi(argv[3]) : 1;
		for (int i = 0; f && i < n; i++)
			if (fwrite(kb, 1, sizeof(kb), f) != sizeof(kb))
				return 1;
		return f && !fclose(f) ? 0 : 1;
	}
	if (!strcmp(v, "serve")) { /* host side: print the port, echo one connection */
		struct sockaddr_in sa = {.sin_family = AF_INET};
		socklen_t sl = sizeof(sa);
		char b[64];
		int l = socket(AF_INET, SOCK_STREAM, 0);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1) ||
		    getsockname(l, (struct sockaddr *)&sa, &sl))
			return 1;
		printf("%d\n", ntohs(sa.sin_port));
		fflush(stdout);
		alarm(20);
		int c = accept(l, NULL, NULL);
		ssize_t n = c < 0 ? -1 : read(c, b, sizeof(b));
		return n > 0 && write(c, b, (size_t)n) == n ? 0 : 1;
	}
	if (!strcmp(v, "echo")) { /* inside: send "ping" to 127.0.0.1:PORT, expect it back */
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(atoi(a))};
		char b[8] = {0};
		int s = socket(AF_INET, SOCK_STREAM, 0);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
			printf("echo: connect: %s\n", strerror(errno));
			return 1;
		}
		if (write(s, "ping", 4) != 4 || read(s, b, 4) != 4 || strcmp(b, "ping")) {
			printf("echo: no echo\n");
			return 1;
		}
		return 0;
	}
	if (!strcmp(v, "userve") || !strcmp(v, "uconnect") || !strcmp(v, "uself")) {
		/* userve PATH: listen on a unix socket, accept one; uconnect PATH: connect to it;
		 * uself PATH: both, in this process (a socket the sandbox itself made). */
		struct sockaddr_un ua = {.sun_family = AF_UNIX};
		snprintf(ua.sun_path, sizeof(ua.sun_path), "%s", a);
		int l = -1;
		if (strcmp(v, "uconnect")) {
			l = socket(AF_UNIX, SOCK_STREAM, 0);
			unlink(a);
			if (bind(l, (struct sockaddr *)&ua, sizeof(ua)) || listen(l, 1)) {
				printf("userve %s: %s\n", a, strerror(errno));
				return 1;
			}
			if (!strcmp(v, "userve")) {
				alarm(20);
				return accept(l, NULL, NULL) < 0;
			}
		}
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&ua, sizeof(ua))) {
			printf("uconnect %s: %s\n", a, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!strcmp(v, "sleep")) {
		usleep((useconds_t)atoi(a) * 1000);
		return 0;
	}
	if (!strcmp(v, "env")) {
		const char *e = getenv(a);
		if (!e)
			return 1;
		printf("%s\n", e);
		return 0;
	}
	fprintf(stderr, "sb_probe: unknown verb '%s'\n", v);
	return 2;
}
