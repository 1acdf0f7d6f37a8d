/*
 * filter.c — the seccomp filter the agent loads inside the sandbox before it runs anything,
 * and the listener that answers it. Default allow (the engine needs io_uring: the network
 * namespace, not a syscall ban, confines its sockets); the escape syscalls (mount, ptrace,
 * bpf, keyring, unshare/setns, namespace clone flags, raw/packet sockets, perf, kexec,
 * modules, …) go to SCMP_ACT_NOTIFY: the listener thread logs one `denied` event and answers
 * EPERM. connect/sendto/sendmsg are notified too: a non-loopback inet destination is denied
 * (ENETUNREACH, `denied` what=connect or dns for port 53), loopback is logged and continued.
 * If the kernel lacks user notification the same list is loaded as SCMP_ACT_ERRNO(EPERM):
 * still denied, just not logged. Loading can't be skipped: a failure refuses the session.
 * clone3 answers ENOSYS (its flags are behind a pointer seccomp can't read; libc falls back
 * to clone, whose flags it can). NO_NEW_PRIVS is set by the load (libseccomp default).
 */
#include "tt_sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <limits.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_flavor.h"

static const char *const deny_names[] = {
    "mount",
    "umount2",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    "pivot_root",
    "chroot",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "unshare",
    "setns",
    "perf_event_open",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "iopl",
    "ioperm",
    "swapon",
    "swapoff",
    "reboot",
    "syslog",
    "open_by_handle_at",
    "name_to_handle_at",
    "userfaultfd",
    "acct",
    "quotactl",
    "lookup_dcookie",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "pidfd_getfd",
    "fanotify_init",
    "vhangup",
    "nfsservctl",
};

static const unsigned long ns_flags[] = {CLONE_NEWNS,	  CLONE_NEWUSER, CLONE_NEWPID,
					 CLONE_NEWNET,	  CLONE_NEWUTS,	 CLONE_NEWIPC,
					 CLONE_NEWCGROUP, CLONE_NEWTIME};

/* SCMP_A0()-style comparisons, with every field named (clang's -Wextra flags the macro). */
static struct scmp_arg_cmp arg_cmp(unsigned arg, enum scmp_compare op, uint64_t a, uint64_t b)
{
	struct scmp_arg_cmp c = {.arg = arg, .op = op, .datum_a = a, .datum_b = b};

	return c;
}

static int build(scmp_filter_ctx ctx, uint32_t act, bool net)
{
	int rc;

	for (size_t i = 0; i < TT_ARRAY_LEN(deny_names); i++) {
		int nr = seccomp_syscall_resolve_name(deny_names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		rc = seccomp_rule_add(ctx, act, nr, 0);
		if (rc)
			return tt_err_set(rc, "seccomp_rule_add(%s)", deny_names[i]);
	}
	for (size_t i = 0; i < TT_ARRAY_LEN(ns_flags); i++) {
		rc = seccomp_rule_add(ctx, act, SCMP_SYS(clone), 1,
				      arg_cmp(0, SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
		if (rc)
			return tt_err_set(rc, "seccomp_rule_add(clone ns flag %#lx)", ns_flags[i]);
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (!rc)
		rc = seccomp_rule_add(ctx, act, SCMP_SYS(socket), 1,
				      arg_cmp(0, SCMP_CMP_EQ, AF_PACKET, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, act, SCMP_SYS(socket), 1,
				      arg_cmp(1, SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW));
	if (rc)
		return tt_err_set(rc, "seccomp_rule_add(socket/clone3)");
	if (net) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(connect), 0);
		if (!rc)
			rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendto), 0);
		if (!rc)
			rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(sendmsg), 0);
		if (rc)
			return tt_err_set(rc, "seccomp_rule_add(connect/sendto/sendmsg)");
	}
	return 0;
}

int tt__sb_seccomp_load(int event_fd, int *notify_fd)
{
	scmp_filter_ctx ctx;
	int rc;

	*notify_fd = -1;
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return tt_err_set(-ENOMEM, "seccomp_init");
	rc = build(ctx, SCMP_ACT_NOTIFY, true);
	if (!rc)
		rc = seccomp_load(ctx);
	if (!rc) {
		*notify_fd = seccomp_notify_fd(ctx);
		if (*notify_fd < 0)
			rc = tt_err_set(*notify_fd, "seccomp_notify_fd");
		else
			fcntl(*notify_fd, F_SETFD, FD_CLOEXEC);
	}
	seccomp_release(ctx);
	if (!rc)
		return 0;
	if (*notify_fd >= 0)
		return rc; /* loaded but no listener: every notified call would fail; refuse */
	/* No user notification here: deny without logging rather than not at all. */
	dprintf(event_fd,
		"{\"event\":\"warning\",\"what\":\"seccomp-notify\",\"detail\":\"%s; "
		"denials are EPERM but not logged\"}\n",
		tt_strerror(rc));
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return tt_err_set(-ENOMEM, "seccomp_init");
	rc = build(ctx, SCMP_ACT_ERRNO(EPERM), false);
	if (!rc) {
		rc = seccomp_load(ctx);
		if (rc)
			tt_err_set(rc, "seccomp_load: %s", strerror(-rc));
	}
	seccomp_release(ctx);
	return rc;
}

static void comm_of(pid_t pid, char *out, size_t n)
{
	char path[64];
	FILE *f;

	snprintf(out, n, "pid %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* Reads len bytes at addr in pid's memory. 0 or -errno. */
static int peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	int fd;
	ssize_t n;

	/* process_vm_readv is denied by our own filter; /proc/pid/mem is not a syscall. */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* Unix sockets a command may reach by path: the work tree, the private /tmp, grants. A
 * host socket seen through the read-only base (a daemon's control socket: a read-only
 * mount does not stop connect(2)) is refused. */
static char unix_roots[TT_SB_MAX_LIST + 4][TT_SB_PATH];
static int n_unix_roots;

void tt__sb_seccomp_allow_unix(const char *root)
{
	if (n_unix_roots < (int)TT_ARRAY_LEN(unix_roots))
		snprintf(unix_roots[n_unix_roots++], sizeof(unix_roots[0]), "%s", root);
}

/* Destination of a connect/sendto/sendmsg; returns 1 inet loopback, 2 inet other, 3 unix
 * path outside the allowed roots, 0 anything else allowed (abstract or allowed unix path,
 * connected sends), -1 unreadable (denied: fail closed). */
static int dest_of(const struct seccomp_notif *req, int nr_connect, int nr_sendto, char *tgt,
		   size_t n, int *port)
{
	struct sockaddr_storage ss;
	uint64_t addr = 0;
	uint64_t len = 0;
	char ip[INET6_ADDRSTRLEN];

	memset(&ss, 0, sizeof(ss));
	if (req->data.nr == nr_connect) {
		addr = req->data.args[1];
		len = req->data.args[2];
	} else if (req->data.nr == nr_sendto) {
		addr = req->data.args[4];
		len = req->data.args[5];
	} else {
		struct msghdr mh;
		if (peek(req->pid, req->data.args[1], &mh, sizeof(mh)))
			return -1;
		addr = (uintptr_t)mh.msg_name;
		len = mh.msg_namelen;
	}
	if (!addr || len < sizeof(sa_family_t))
		return 0;
	if (len > sizeof(ss))
		len = sizeof(ss);
	if (peek(req->pid, addr, &ss, len)) {
		snprintf(tgt, n, "unreadable address");
		return -1;
	}
	if (ss.ss_family == AF_UNIX && len > sizeof(sa_family_t)) {
		struct sockaddr_un *u = (struct sockaddr_un *)&ss;
		char p[sizeof(u->sun_path) + 64];
		char real[PATH_MAX];
		if (!u->sun_path[0])
			return 0; /* abstract: scoped to the sandbox's network namespace */
		u->sun_path[sizeof(u->sun_path) - 1] = 0;
		if (u->sun_path[0] == '/')
			snprintf(p, sizeof(p), "%s", u->sun_path);
		else
			snprintf(p, sizeof(p), "/proc/%d/cwd/%s", (int)req->pid, u->sun_path);
		snprintf(tgt, n, "unix:%s", u->sun_path);
		if (!realpath(p, real))
			return 0; /* absent: the call fails on its own */
		for (int i = 0; i < n_unix_roots; i++) {
			size_t rl = strlen(unix_roots[i]);
			if (!strncmp(real, unix_roots[i], rl) && (real[rl] == '/' || !real[rl]))
				return 0;
		}
		snprintf(tgt, n, "unix:%s", real);
		return 3;
	}
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		*port = ntohs(s->sin_port);
		snprintf(tgt, n, "%s:%d", ip, *port);
		return (ntohl(s->sin_addr.s_addr) >> 24) == 127 ? 1 : 2;
	}
	if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		*port = ntohs(s->sin6_port);
		snprintf(tgt, n, "[%s]:%d", ip, *port);
		if (IN6_IS_ADDR_LOOPBACK(&s->sin6_addr))
			return 1;
		if (IN6_IS_ADDR_V4MAPPED(&s->sin6_addr) && s->sin6_addr.s6_addr[12] == 127)
			return 1;
		return 2;
	}
	return 0;
}

static void emit(int event_fd, int err_fd, const char *line)
{
	if (event_fd >= 0)
		(void)!write(event_fd, line, strlen(line));
	if (err_fd >= 0)
		(void)!write(err_fd, line, strlen(line));
}

void tt__sb_seccomp_serve(int notify_fd, int event_fd, int (*cur_err_fd)(void))
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int nr_connect = seccomp_syscall_resolve_name("connect");
	int nr_sendto = seccomp_syscall_resolve_name("sendto");
	int nr_sendmsg = seccomp_syscall_resolve_name("sendmsg");
	char comm[32];
	char tgt[96];
	char line[512];

	if (seccomp_notify_alloc(&req, &resp))
		return;
	for (;;) {
		memset(req, 0, sizeof(*req));
		int rc = seccomp_notify_receive(notify_fd, req);
		if (rc == -EINTR || rc == -ENOENT)
			continue;
		if (rc)
			break;
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		comm_of(req->pid, comm, sizeof(comm));
		int nr = req->data.nr;
		if (nr == nr_connect || nr == nr_sendto || nr == nr_sendmsg) {
			int port = 0;
			int kind = dest_of(req, nr_connect, nr_sendto, tgt, sizeof(tgt), &port);
			if (kind == -1) {
				resp->error = -EPERM;
				snprintf(
				    line, sizeof(line),
				    "{\"event\":\"denied\",\"what\":\"connect\",\"target\":"
				    "\"unreadable address\",\"rule\":\"fail-closed\",\"process\":"
				    "\"%s\",\"flavor\":\"%s\"}\n",
				    comm, tt_flavor_name());
				emit(event_fd, cur_err_fd(), line);
			} else if (kind == 3) {
				resp->error = -EACCES;
				snprintf(
				    line, sizeof(line),
				    "{\"event\":\"denied\",\"what\":\"connect\",\"target\":\"%s\","
				    "\"rule\":\"unix-socket-outside-sandbox\",\"process\":\"%s\","
				    "\"flavor\":\"%s\"}\n",
				    tgt, comm, tt_flavor_name());
				emit(event_fd, cur_err_fd(), line);
			} else if (kind == 2) {
				resp->error = -ENETUNREACH;
				snprintf(line, sizeof(line),
					 "{\"event\":\"denied\",\"what\":\"%s\",\"target\":\"%s\","
					 "\"rule\":\"loopback-only\",\"process\":\"%s\","
					 "\"flavor\":\"%s\"}\n",
					 port == 53 ? "dns" : "connect", tgt, comm,
					 tt_flavor_name());
				emit(event_fd, cur_err_fd(), line);
			} else {
				resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
				if (kind == 1 && nr == nr_connect) {
					snprintf(
					    line, sizeof(line),
					    "{\"event\":\"net\",\"what\":\"connect\",\"target\":"
					    "\"%s\",\"outcome\":\"allowed\",\"process\":\"%s\"}\n",
					    tgt, comm);
					emit(event_fd, -1, line);
				}
			}
		} else {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
			resp->error = -EPERM;
			snprintf(
			    line, sizeof(line),
			    "{\"event\":\"denied\",\"what\":\"exec\",\"target\":\"syscall:%s\","
			    "\"rule\":\"seccomp\",\"process\":\"%s\",\"flavor\":\"%s\"}\n",
			    name ? name : "?", comm, tt_flavor_name());
			free(name);
			emit(event_fd, cur_err_fd(), line);
		}
		(void)seccomp_notify_respond(notify_fd, resp); /* -ENOENT: caller died */
	}
	seccomp_notify_free(req, resp);
}
