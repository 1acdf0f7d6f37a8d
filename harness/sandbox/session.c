/*
 * session.c — one tt-sandbox session: start (supervisor + bubblewrap + agent), exec (a
 * client that hands argv and its stdio to the agent), stop. Files of a session directory:
 *
 *   trace.jsonl     JSON lines, appended with one write(2) each (O_APPEND): everything
 *   session.conf    what exec needs: work tree, diff mode, cpu and disk budgets
 *   supervisor.pid  the supervisor (outside the sandbox); gone when the session has ended
 *   run/agent.sock  the agent's socket (bound into the sandbox at /tmp/.tt-sandbox)
 *   snap.start, snap.last   work-tree snapshots for the diffs; bwrap.log  bwrap's stderr
 *   supervisor.log  the supervisor's stderr (checkpoint and limit lines, also in the trace)
 *
 * The directory is never visible inside the sandbox except run/, so a command can't edit
 * its own trace. Process tree:
 *
 *   tt_sb_start() ─fork─► supervisor (setsid; wall clock; relays agent events to the trace)
 *                            └─ bwrap (namespaces, mounts, caps dropped; pids cgroup)
 *                                 └─ tt-sandbox __agent (seccomp loaded; accept loop)
 *                                      └─ each command (fork+exec, the client's stdio)
 */
#include "tt_sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_flavor.h"

#define SOCK_IN "/tmp/.tt-sandbox"
/* Session dir and work tree are checked against this up front, so no path built from them
 * below can be truncated (the build's -Wformat-truncation can't see that; it is off here). */
#define TT_SB_DIR_MAX 256
#define REQ_MAX	      65536

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tt__sb_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Appends one event; line is a JSON object without newline; a "ts_ms" member is added. */
int tt__sb_trace_line(const char *dir, const char *line)
{
	char path[TT_SB_PATH + 32];
	char *buf;
	int fd;
	int n;

	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s/trace.jsonl", dir);
	while (*line == ' ')
		line++;
	if (*line != '{')
		return -EINVAL;
	n = asprintf(&buf, "{\"ts_ms\":%" PRIu64 ",%s\n", now_ms(), line + 1);
	if (n < 0)
		return -ENOMEM;
	if (buf[n - 2] == '\n') /* line came with its own newline */
		buf[--n] = 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	n = (int)write(fd, buf, (size_t)n);
	close(fd);
	free(buf);
	return n < 0 ? -errno : 0;
}

void tt__sb_denied(const char *dir, const char *what, const char *target, const char *rule,
		   const char *process)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fprintf(f, "{\"event\":\"denied\",\"what\":\"%s\",\"target\":", what);
	tt__sb_json_str(f, target);
	fprintf(f, ",\"rule\":\"%s\",\"process\":", rule);
	tt__sb_json_str(f, process);
	fprintf(f, ",\"flavor\":\"%s\"}", tt_flavor_name());
	fclose(f);
	fprintf(stderr, "%s\n", buf);
	tt__sb_trace_line(dir, buf);
	free(buf);
}

/* ---- argv vector for bwrap ------------------------------------------------------------ */

struct argv {
	char *v[512];
	int n;
};

static int av_add(struct argv *a, const char *s)
{
	if (a->n >= (int)TT_ARRAY_LEN(a->v) - 1)
		return tt_err_set(-E2BIG, "bwrap argv too long");
	a->v[a->n++] = strdup(s);
	a->v[a->n] = NULL;
	return 0;
}

static int av_addn(struct argv *a, int n, ...)
{
	va_list ap;
	int rc = 0;

	va_start(ap, n);
	for (int i = 0; i < n && !rc; i++)
		rc = av_add(a, va_arg(ap, const char *));
	va_end(ap);
	return rc;
}

static bool under(const char *path, const char *root)
{
	size_t n = strlen(root);

	return !strncmp(path, root, n) && (path[n] == '/' || path[n] == 0 || n == 1);
}

/* Runs `bwrap --version` (proves the binary runs); fills ver. 0 or negative. */
static int bwrap_version(const char *bwrap, char *ver, size_t n)
{
	int pfd[2];
	pid_t pid;
	int st;
	ssize_t r;

	if (access(bwrap, X_OK))
		return tt_err_set(-errno, "bubblewrap not usable at %s: %s", bwrap,
				  strerror(errno));
	if (pipe2(pfd, O_CLOEXEC))
		return tt_err_set(-errno, "pipe2");
	pid = fork();
	if (pid < 0)
		return tt_err_set(-errno, "fork");
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl(bwrap, bwrap, "--version", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	r = read(pfd[0], ver, n - 1);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	if (r <= 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return tt_err_set(-ENOEXEC, "%s --version failed: not a working bubblewrap", bwrap);
	ver[r] = 0;
	ver[strcspn(ver, "\n")] = 0;
	return 0;
}

/* The well-known secret files of a home, served as decoys inside the (empty, tmpfs) home:
 * reading one is refused and logged (decoy.c). Nothing when fanotify is unavailable. */
static int home_decoys(const char *dir, const char *home, struct argv *a)
{
	static const char *const ssh[] = {"id_ed25519", "id_rsa", NULL};
	static const char *const aws[] = {"credentials", "config", NULL};
	static const char *const files[] = {".git-credentials", ".netrc", ".config/gh/hosts.yml",
					    ".docker/config.json", NULL};
	char in[TT_SB_PATH + 64];
	char out[TT_SB_PATH + 64];
	int rc = 0;

	if (!tt__sb_decoy_on())
		return 0;
	snprintf(in, sizeof(in), "%s/.ssh", home);
	rc = rc ?: tt__sb_decoy_dir("home-ssh", in, ssh, out, sizeof(out));
	rc = rc ?: av_addn(a, 3, "--ro-bind", out, in);
	snprintf(in, sizeof(in), "%s/.aws", home);
	rc = rc ?: tt__sb_decoy_dir("home-aws", in, aws, out, sizeof(out));
	rc = rc ?: av_addn(a, 3, "--ro-bind", out, in);
	for (int i = 0; !rc && files[i]; i++) {
		char tag[16];
		snprintf(tag, sizeof(tag), "home-%d", i);
		snprintf(in, sizeof(in), "%s/%s", home, files[i]);
		rc = tt__sb_decoy_one(tag, in, out, sizeof(out));
		rc = rc ?: av_addn(a, 3, "--ro-bind", out, in);
	}
	if (!rc) {
		char buf[TT_SB_PATH + 128];
		snprintf(buf, sizeof(buf),
			 "{\"event\":\"decoys\",\"target\":\"%s\","
			 "\"files\":\"~/.ssh ~/.aws ~/.git-credentials ~/.netrc ~/.config/gh "
			 "~/.docker/config.json\"}",
			 home);
		tt__sb_trace_line(dir, buf);
	}
	return rc;
}

static int build_bwrap_argv(const struct tt_sb_policy *p, const char *dir, int event_fd,
			    int grant_fd, struct argv *a)
{
	const char *home = getenv("HOME");
	char self[PATH_MAX];
	char buf[TT_SB_PATH + 64];
	struct stat st;
	int rc;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return tt_err_set(-errno, "readlink(/proc/self/exe)");
	self[n] = 0;
	rc = av_addn(a, 14, p->bwrap, "--unshare-all", "--unshare-user", "--disable-userns",
		     "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--hostname",
		     "tt-sandbox", "--ro-bind", "/", "/", "--dev");
	rc = rc ?: av_addn(a, 3, "/dev", "--proc", "/proc");
	if (!rc && p->disk_bytes) {
		snprintf(buf, sizeof(buf), "%" PRIu64, p->disk_bytes);
		rc = av_addn(a, 2, "--size", buf);
	}
	rc = rc ?: av_addn(a, 2, "--tmpfs", "/tmp");
	/* /run holds host daemons' sockets (docker, dbus, systemd): a read-only mount does not
	 * stop connect(2), so it is replaced by an empty tmpfs. */
	if (!rc && !stat("/run", &st) && S_ISDIR(st.st_mode))
		rc = av_addn(a, 2, "--tmpfs", "/run");
	/* The whole home is masked (an unreadable empty tmpfs): its dot-dirs hold keys. */
	bool home_masked = false;
	if (!rc && home && strcmp(home, "/") && !stat(home, &st) && S_ISDIR(st.st_mode)) {
		home_masked = true;
		rc = av_addn(a, 4, "--perms", "0700", "--tmpfs", home);
		snprintf(buf, sizeof(buf),
			 "{\"event\":\"hidden\",\"target\":\"%s\",\"rule\":\"home\"}", home);
		tt__sb_trace_line(dir, buf);
		rc = home_decoys(dir, home, a);
	}
	for (int i = 0; !rc && i < p->n_secret_paths; i++) {
		const char *s = p->secret_paths[i];
		if (lstat(s, &st) || (home_masked && under(s, home)) || under(s, "/run"))
			continue;		    /* absent, or gone with the home or /run */
		bool holds = under(p->worktree, s); /* e.g. /home when the tree is in it */
		for (int g = 0; g < p->n_grant_write; g++)
			holds |= under(p->grant_write[g], s);
		char tag[32];
		char out[TT_SB_PATH + 64];
		snprintf(tag, sizeof(tag), "secret-%d", i);
		if (!holds && tt__sb_decoy_on() && S_ISDIR(st.st_mode)) {
			/* Decoys whose every open is a denied event (decoy.c). */
			static const char *const files[] = {"credential.ini", "secret.key", NULL};
			rc = tt__sb_decoy_dir(tag, s, files, out, sizeof(out));
			rc = rc ?: av_addn(a, 3, "--ro-bind", out, s);
		} else if (!holds && tt__sb_decoy_on()) {
			rc = tt__sb_decoy_one(tag, s, out, sizeof(out));
			rc = rc ?: av_addn(a, 3, "--ro-bind", out, s);
		} else if (S_ISDIR(st.st_mode)) {
			/* Empty either way; traversable when the work tree is mounted below. */
			rc = av_addn(a, 4, "--perms", holds ? "0755" : "0000", "--tmpfs", s);
		} else {
			rc = av_addn(a, 3, "--ro-bind", "/dev/null", s);
		}
		snprintf(buf, sizeof(buf),
			 "{\"event\":\"hidden\",\"target\":\"%s\",\"rule\":\"secret-path\"}", s);
		tt__sb_trace_line(dir, buf);
	}
	rc = rc ?: av_addn(a, 3, "--bind", p->worktree, p->worktree);
	for (int i = 0; !rc && i < p->n_grant_write; i++) {
		rc = av_addn(a, 3, "--bind", p->grant_write[i], p->grant_write[i]);
		snprintf(buf, sizeof(buf),
			 "{\"event\":\"grant\",\"what\":\"write\",\"target\":\"%s\"}",
			 p->grant_write[i]);
		tt__sb_trace_line(dir, buf);
	}
	snprintf(buf, sizeof(buf), "%s/run", dir);
	rc = rc ?: av_addn(a, 5, "--bind", buf, SOCK_IN, "--chdir", p->worktree);
	rc = rc ?: av_addn(a, 3, "--", self, "__agent");
	snprintf(buf, sizeof(buf), "%d", event_fd);
	rc = rc ?: av_addn(a, 2, "--event-fd", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, p->cpu_s);
	rc = rc ?: av_addn(a, 2, "--cpu", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, p->mem_bytes);
	rc = rc ?: av_addn(a, 2, "--mem", buf);
	snprintf(buf, sizeof(buf), "%" PRIu64, p->disk_bytes);
	rc = rc ?: av_addn(a, 2, "--fsize", buf);
	snprintf(buf, sizeof(buf), "%d", grant_fd);
	rc = rc ?: av_addn(a, 2, "--grant-fd", buf);
	rc = rc ?: av_addn(a, 4, "--allow-unix", p->worktree, "--allow-unix", "/tmp");
	for (int i = 0; !rc && i < p->n_grant_write; i++)
		rc = av_addn(a, 2, "--allow-unix", p->grant_write[i]);
	for (int i = 0; !rc && i < p->n_grant_port; i++) {
		snprintf(buf, sizeof(buf), "%d:%u", grant_fd, (unsigned)p->grant_port[i]);
		rc = av_addn(a, 2, "--port", buf);
		snprintf(buf, sizeof(buf),
			 "{\"event\":\"grant\",\"what\":\"port\",\"target\":\"127.0.0.1:%u\"}",
			 (unsigned)p->grant_port[i]);
		tt__sb_trace_line(dir, buf);
	}
	return rc;
}

/* ---- pids cgroup (processes ceiling) ------------------------------------------------- */

/* A cgroup2 hierarchy this process mounted itself (see cgroup_make), "" when none. */
static char cgroup_mnt[64];


static int cgroup_make(const struct tt_sb_policy *p, char *cg, size_t n)
{
	static const char *roots[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
				      "/sys/fs/cgroup"};
	char f[TT_SB_PATH + 64];
	int fd;

	cg[0] = 0;
	if (!p->procs)
		return 0;
	for (size_t i = 0; i < TT_ARRAY_LEN(roots); i++) {
		snprintf(cg, n, "%s/tt-sandbox-%d", roots[i], (int)getpid());
		if (mkdir(cg, 0700) && errno != EEXIST)
			continue;
		snprintf(f, sizeof(f), "%s/pids.max", cg);
		fd = open(f, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && dprintf(fd, "%" PRIu64 "\n", p->procs) > 0) {
			close(fd);
			return 0;
		}
		if (fd >= 0)
			close(fd);
		rmdir(cg);
	}
	/* No cgroup hierarchy mounted where we look (a chroot or a bare root with only sysfs):
	 * mount one privately — the v1 pids controller (hybrid hosts bind pids there), else
	 * cgroup2 — and use it; cgroup_remove unmounts it again. */
	snprintf(cgroup_mnt, sizeof(cgroup_mnt), "/tmp/tt-sandbox-cgroup-%d", (int)getpid());
	for (int v = 0; v < 2; v++) {
		if ((mkdir(cgroup_mnt, 0700) != 0 && errno != EEXIST) ||
		    mount(v ? "cgroup2" : "cgroup", cgroup_mnt, v ? "cgroup2" : "cgroup",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC, v ? NULL : "pids") != 0)
			continue;
		snprintf(cg, n, "%s/tt-sandbox-%d", cgroup_mnt, (int)getpid());
		snprintf(f, sizeof(f), "%s/pids.max", cg);
		if ((mkdir(cg, 0700) == 0 || errno == EEXIST) &&
		    (fd = open(f, O_WRONLY | O_CLOEXEC)) >= 0) {
			if (dprintf(fd, "%" PRIu64 "\n", p->procs) > 0) {
				close(fd);
				return 0;
			}
			close(fd);
		}
		rmdir(cg);
		umount2(cgroup_mnt, MNT_DETACH);
	}
	rmdir(cgroup_mnt);
	cgroup_mnt[0] = 0;
	cg[0] = 0;
	return tt_err_set(-EPERM,
			  "no writable pids cgroup for the processes ceiling (procs=%" PRIu64
			  "; set [limits] procs = 0 to run without one)",
			  p->procs);
}

static void cgroup_remove(const char *cg)
{
	/* EBUSY while the last processes of the sandbox are still being reaped. */
	for (int i = 0; cg[0] && i < 500 && rmdir(cg) && errno == EBUSY; i++)
		usleep(10000);
	if (cgroup_mnt[0] && cg[0] && !strncmp(cg, cgroup_mnt, strlen(cgroup_mnt))) {
		umount2(cgroup_mnt, MNT_DETACH);
		rmdir(cgroup_mnt);
		cgroup_mnt[0] = 0;
	}
}

static int read_pid(const char *dir);

/* ---- supervisor ------------------------------------------------------------------------ */

/* Field 22 of /proc/<pid>/stat (start time in clock ticks); 0 when unreadable. */
static unsigned long long start_time_of(pid_t pid)
{
	char path[64];
	char line[1024];
	unsigned long long t = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ')'); /* comm may hold spaces and parens */
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			p = NULL; /* a zombie is no supervisor */
		if (p && sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				"%*d %*d %*d %*d %llu",
				&t) != 1)
			t = 0;
	}
	fclose(f);
	return t;
}

static volatile sig_atomic_t sup_signal;

static void sup_on_signal(int sig)
{
	sup_signal = sig;
}

static void session_path(char *out, size_t n, const char *dir, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void final_diff(const char *dir, const char *worktree, const char *reason)
{
	char a[TT_SB_PATH + 32];
	char b[TT_SB_PATH + 32];
	char *buf = NULL;
	size_t len = 0;
	uint64_t grown = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	fprintf(f, "{\"event\":\"session-end\",\"reason\":\"%s\"", reason);
	session_path(a, sizeof(a), dir, "snap.start");
	session_path(b, sizeof(b), dir, "snap.end");
	if (!access(a, R_OK) && !tt__sb_snap_write(worktree, b)) {
		fputc(',', f);
		if (tt__sb_snap_diff(a, b, f, &grown))
			fprintf(f, "\"diff_error\":true");
		fprintf(f, ",\"bytes_grown\":%" PRIu64, grown);
	}
	fputc('}', f);
	fclose(f);
	tt__sb_trace_line(dir, buf);
	free(buf);
}

static void status_say(int *fd, const char *msg)
{
	if (*fd < 0)
		return;
	(void)!write(*fd, msg, strlen(msg));
	close(*fd);
	*fd = -1;
}

static void log_tail(const char *dir, char *out, size_t n)
{
	char path[TT_SB_PATH + 32];
	FILE *f;
	size_t r;

	out[0] = 0;
	session_path(path, sizeof(path), dir, "bwrap.log");
	f = fopen(path, "r");
	if (!f)
		return;
	r = fread(out, 1, n - 1, f);
	out[r] = 0;
	fclose(f);
	for (char *c = out; *c; c++)
		if (*c == '\n' || *c == '"')
			*c = ' ';
}

/* Port grants. The agent listens on 127.0.0.1:port inside the sandbox's network namespace
 * and hands the listening socket to the supervisor (SCM_RIGHTS over a socketpair bwrap
 * passes through); the supervisor, in the host's namespace, accepts there and relays each
 * connection to the host's 127.0.0.1:port. Each connection is one grant-use event. */
struct relay {
	int in;	 /* accepted inside the sandbox */
	int out; /* connected on the host's loopback */
};

static void *relay_main(void *arg)
{
	struct relay r = *(struct relay *)arg;
	char buf[16384];

	free(arg);
	struct pollfd pf[2] = {{.fd = r.in, .events = POLLIN}, {.fd = r.out, .events = POLLIN}};
	for (;;) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		int k = (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) ? 0 : 1;
		if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		ssize_t n = read(pf[k].fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (write(pf[1 - k].fd, buf, (size_t)n) != n)
			break;
	}
	close(r.in);
	close(r.out);
	return NULL;
}

static void relay_accept(const char *dir, int lfd, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	char line[256];
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	int o;
	pthread_t th;
	pthread_attr_t at;

	if (c < 0)
		return;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	o = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = o >= 0 && !connect(o, (struct sockaddr *)&a, sizeof(a));
	snprintf(line, sizeof(line),
		 "{\"event\":\"grant-use\",\"what\":\"port\",\"target\":\"127.0.0.1:%u\","
		 "\"outcome\":\"%s\"}",
		 (unsigned)port, ok ? "relayed" : "host port refused");
	tt__sb_trace_line(dir, line);
	struct relay *r = ok ? malloc(sizeof(*r)) : NULL;
	if (!r) {
		close(c);
		if (o >= 0)
			close(o);
		return;
	}
	r->in = c;
	r->out = o;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, relay_main, r)) {
		close(c);
		close(o);
		free(r);
	}
	pthread_attr_destroy(&at);
}

static __attribute__((noreturn)) void supervise(const struct tt_sb_policy *p, const char *dir,
						char **envp, const char *cg, int status_fd)
{
	struct argv a = {.n = 0};
	int evp[2];
	char path[TT_SB_PATH + 32];
	char buf[8192];
	size_t have = 0;
	bool ready = false;
	bool checkpointed = false;
	const char *reason = "agent-exit";
	uint64_t t0 = now_ms();
	pid_t bw;
	struct sigaction sa = {.sa_handler = sup_on_signal};

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	int gp[2] = {-1, -1};
	struct pollfd pfds[1 + TT_SB_MAX_LIST];
	uint16_t ports[1 + TT_SB_MAX_LIST];
	int npfd = 1;
	if (tt__sb_decoy_init(dir)) {
		/* Still isolated (the masks refuse the reads), but attempts are not logged. */
		snprintf(buf, sizeof(buf),
			 "{\"event\":\"warning\",\"what\":\"secret-read\",\"reason\":\"%s: "
			 "reads of masked secrets are refused but not logged\"}",
			 tt_err_msg());
		tt__sb_trace_line(dir, buf);
	}
	if (pipe(evp) || fcntl(evp[0], F_SETFD, FD_CLOEXEC) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, gp) || fcntl(gp[0], F_SETFD, FD_CLOEXEC) ||
	    build_bwrap_argv(p, dir, evp[1], gp[1], &a)) {
		snprintf(buf, sizeof(buf), "refused: %s\n", tt_err_msg());
		status_say(&status_fd, buf);
		cgroup_remove(cg);
		_exit(1);
	}
	bw = fork();
	if (bw < 0) { /* never reach the kill(bw, ...) below with -1 */
		snprintf(buf, sizeof(buf), "refused: fork: %s\n", strerror(errno));
		status_say(&status_fd, buf);
		cgroup_remove(cg);
		_exit(1);
	}
	if (bw == 0) {
		close(status_fd);
		if (cg[0]) {
			snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
			int fd = open(path, O_WRONLY);
			if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) <= 0) {
				dprintf(2, "cannot join pids cgroup %s: %s\n", cg, strerror(errno));
				_exit(126);
			}
			close(fd);
		}
		session_path(path, sizeof(path), dir, "bwrap.log");
		int lf = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (lf >= 0)
			dup2(lf, 2); /* dup2 clears CLOEXEC on 2 only */
		int nf = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(nf, 0);
		dup2(nf, 1);
		execve(p->bwrap, a.v, envp);
		dprintf(2, "execve(%s): %s\n", p->bwrap, strerror(errno));
		_exit(127);
	}
	close(evp[1]);
	close(gp[1]);
	if (tt__sb_decoy_serve()) { /* nobody would answer the decoys' opens: they'd hang */
		kill(bw, SIGKILL);
		snprintf(buf, sizeof(buf), "refused: %s\n", tt_err_msg());
		status_say(&status_fd, buf);
		cgroup_remove(cg);
		_exit(1);
	}
	pfds[0] = (struct pollfd){.fd = evp[0], .events = POLLIN};
	session_path(path, sizeof(path), dir, "supervisor.pid");
	FILE *pf = fopen(path, "w");
	if (pf) {
		fprintf(pf, "%d %llu\n", (int)getpid(), start_time_of(getpid()));
		fclose(pf);
	}
	for (;;) {
		uint64_t el = now_ms() - t0;
		int timeout = -1;

		if (p->wall_ms) {
			uint64_t cp = p->wall_ms * p->checkpoint_pct / 100;
			if (!checkpointed && el >= cp) {
				checkpointed = true;
				snprintf(buf, sizeof(buf),
					 "{\"event\":\"checkpoint\",\"elapsed_ms\":%" PRIu64
					 ",\"budget_ms\":%" PRIu64 ",\"pct\":%u}",
					 el, p->wall_ms, p->checkpoint_pct);
				tt__sb_trace_line(dir, buf);
				fprintf(stderr, "%s\n", buf);
				/* Also visible inside, for an agent that wants to save its work. */
				session_path(path, sizeof(path), dir, "run/checkpoint");
				FILE *cf = fopen(path, "w");
				if (cf) {
					fprintf(cf, "%s\n", buf);
					fclose(cf);
				}
			}
			if (el >= p->wall_ms) {
				snprintf(
				    buf, sizeof(buf),
				    "{\"event\":\"limit\",\"what\":\"wall\",\"elapsed_ms\":%" PRIu64
				    ",\"budget_ms\":%" PRIu64 ",\"action\":\"session ended, "
				    "partial state kept\"}",
				    el, p->wall_ms);
				tt__sb_trace_line(dir, buf);
				fprintf(stderr, "%s\n", buf);
				reason = "limit-wall";
				break;
			}
			uint64_t next = checkpointed ? p->wall_ms : cp;
			timeout = (int)(next - el) + 1;
		}
		if (sup_signal) {
			reason = sup_signal == SIGUSR1 ? "limit" : "stop";
			break;
		}
		int r = poll(pfds, (nfds_t)npfd, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		for (int i = 1; i < npfd; i++)
			if (pfds[i].revents & POLLIN)
				relay_accept(dir, pfds[i].fd, ports[i]);
		if (!(pfds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (have >= sizeof(buf) - 1)
			have = 0; /* an overlong line: dropped, not mistaken for EOF */
		ssize_t got = read(evp[0], buf + have, sizeof(buf) - 1 - have);
		if (got <= 0) {
			if (!ready) {
				char tail[1024];
				log_tail(dir, tail, sizeof(tail));
				snprintf(buf, sizeof(buf),
					 "refused: the sandbox did not start: %s\n",
					 tail[0] ? tail : "bwrap exited");
				status_say(&status_fd, buf);
				reason = "start-failed";
			}
			break;
		}
		have += (size_t)got;
		buf[have] = 0;
		char *nl;
		char *s = buf;
		while ((nl = strchr(s, '\n'))) {
			*nl = 0;
			if (strstr(s, "\"event\":\"agent-error\"")) {
				char msg[2048];
				snprintf(msg, sizeof(msg), "refused: %s\n", s);
				status_say(&status_fd, msg);
				reason = "start-failed";
			} else if (!ready && strstr(s, "\"event\":\"agent-ready\"")) {
				/* The agent sent every granted port's socket before this line. */
				for (int k = 0; k < p->n_grant_port && npfd < 1 + TT_SB_MAX_LIST;
				     k++) {
					int lfd = -1;
					uint16_t port = 0;
					char cb[CMSG_SPACE(sizeof(int))];
					struct iovec iv = {&port, sizeof(port)};
					struct msghdr m = {.msg_iov = &iv,
							   .msg_iovlen = 1,
							   .msg_control = cb,
							   .msg_controllen = sizeof(cb)};
					if (recvmsg(gp[0], &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <=
					    0)
						break;
					struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
					if (cm && cm->cmsg_type == SCM_RIGHTS)
						memcpy(&lfd, CMSG_DATA(cm), sizeof(int));
					if (lfd < 0)
						break;
					ports[npfd] = port;
					pfds[npfd++] = (struct pollfd){.fd = lfd, .events = POLLIN};
				}
				/* io_uring & co. bypass seccomp: packet-level taps in the netns
				 * (nettrap.c), in place before the first command. */
				if (tt__sb_nettrap_start(dir, bw)) {
					char w[512];
					snprintf(w, sizeof(w),
						 "{\"event\":\"warning\",\"what\":\"net-trap\","
						 "\"reason\":\"%s: attempts that bypass seccomp "
						 "(io_uring) are confined but not traced\"}",
						 tt_err_msg());
					tt__sb_trace_line(dir, w);
				}
				ready = true;
				status_say(&status_fd, "ok\n");
			}
			tt__sb_trace_line(dir, s);
			s = nl + 1;
		}
		have = strlen(s);
		memmove(buf, s, have + 1);
		if (!strcmp(reason, "start-failed"))
			break;
	}
	kill(bw, SIGKILL);
	waitpid(bw, NULL, 0);
	tt__sb_nettrap_drain();
	/* What the agent wrote just before the end (a denial right before stop) still belongs
	 * in the trace: drain to EOF (the agent is gone, so EOF comes). */
	for (;;) {
		if (have >= sizeof(buf) - 1)
			have = 0; /* an overlong line: dropped */
		ssize_t got = read(evp[0], buf + have, sizeof(buf) - 1 - have);
		if (got <= 0)
			break;
		have += (size_t)got;
		buf[have] = 0;
		char *s = buf;
		char *nl;
		while ((nl = strchr(s, '\n'))) {
			*nl = 0;
			tt__sb_trace_line(dir, s);
			s = nl + 1;
		}
		have = strlen(s);
		memmove(buf, s, have + 1);
	}
	cgroup_remove(cg);
	if (strcmp(reason, "start-failed"))
		final_diff(dir, p->worktree, reason);
	else
		tt__sb_trace_line(dir, "{\"event\":\"session-end\",\"reason\":\"start-failed\"}");
	if (!ready)
		status_say(&status_fd, "refused: the sandbox ended before it was ready\n");
	session_path(path, sizeof(path), dir, "run/agent.sock");
	unlink(path);
	session_path(path, sizeof(path), dir, "supervisor.pid");
	unlink(path);
	_exit(0);
}

int tt_sb_start(const struct tt_sb_policy *p, const char *dir_in)
{
	char dir[PATH_MAX];
	char path[PATH_MAX + 32];
	char ver[128];
	char cg[TT_SB_PATH];
	char *envp[TT_SB_MAX_LIST * 2 + 8];
	int nenv = 0;
	int sp[2];
	struct utsname un;
	const struct scmp_version *sv = seccomp_version();
	int rc;

	if (mkdir(dir_in, 0700) && errno != EEXIST)
		return tt_err_set(-errno, "mkdir(%s): %s", dir_in, strerror(errno));
	if (!realpath(dir_in, dir))
		return tt_err_set(-errno, "realpath(%s)", dir_in);
	if (strlen(dir) > TT_SB_DIR_MAX || strlen(p->worktree) > TT_SB_DIR_MAX)
		return tt_err_set(-ENAMETOOLONG,
				  "session dir and work tree paths must be at most "
				  "%d bytes",
				  TT_SB_DIR_MAX);
	if (under(dir, p->worktree) || under(p->worktree, dir))
		return tt_err_set(-EINVAL,
				  "session dir %s must be outside the work tree %s (the "
				  "sandbox could edit its own trace)",
				  dir, p->worktree);
	if (read_pid(dir) > 0)
		return tt_err_set(-EEXIST, "a session is already running in %s", dir);
	session_path(path, sizeof(path), dir, "supervisor.pid");
	unlink(path); /* stale: its supervisor is gone */
	session_path(path, sizeof(path), dir, "run");
	if (mkdir(path, 0700) && errno != EEXIST)
		return tt_err_set(-errno, "mkdir(%s)", path);
	rc = bwrap_version(p->bwrap, ver, sizeof(ver));
	uname(&un);
	snprintf(path, sizeof(path),
		 "{\"event\":\"session-start\",\"session\":\"%s\",\"worktree\":\"%s\","
		 "\"policy\":\"%s\",\"flavor\":\"%s\",\"versions\":{\"bwrap\":\"%s\","
		 "\"libseccomp\":\"%u.%u.%u\",\"seccomp_api\":%u,\"kernel\":\"%s\"}}",
		 dir, p->worktree, p->file[0] ? p->file : "builtin", tt_flavor_name(),
		 rc ? "unavailable" : ver, sv->major, sv->minor, sv->micro, seccomp_api_get(),
		 un.release);
	tt__sb_trace_line(dir, path);
	if (rc)
		return tt_err_add("refusing to run without isolation");
	if (seccomp_api_get() < 1)
		return tt_err_set(-ENOSYS, "seccomp unavailable in this kernel: refusing to run "
					   "without isolation");
	rc = cgroup_make(p, cg, sizeof(cg));
	if (rc)
		return rc;
	FILE *cf;
	session_path(path, sizeof(path), dir, "session.conf");
	cf = fopen(path, "w");
	if (!cf) {
		cgroup_remove(cg);
		return tt_err_set(-errno, "fopen(%s)", path);
	}
	fprintf(cf, "%s\n%d %" PRIu64 " %" PRIu64 "\n", p->worktree, (int)p->diff, p->cpu_s,
		p->disk_bytes);
	for (int i = 0; i < p->n_grant_write; i++) {
		char g[PATH_MAX + 32];
		fprintf(cf, "%s\n", p->grant_write[i]);
		snprintf(g, sizeof(g), "%s/snap.g%d.last", dir, i);
		if (p->diff != TT_SB_DIFF_OFF && tt__sb_snap_write(p->grant_write[i], g)) {
			fclose(cf);
			cgroup_remove(cg);
			return tt_err_add("snapshot of granted path %s", p->grant_write[i]);
		}
	}
	fclose(cf);
	if (p->diff != TT_SB_DIFF_OFF) {
		char last[PATH_MAX + 32];
		session_path(path, sizeof(path), dir, "snap.start");
		session_path(last, sizeof(last), dir, "snap.last");
		rc = tt__sb_snap_write(p->worktree, path);
		rc = rc ?: tt__sb_snap_write(p->worktree, last);
		if (rc) {
			cgroup_remove(cg);
			return rc;
		}
	}
	rc = tt__sb_creds_build(p, dir, envp, (int)TT_ARRAY_LEN(envp), &nenv);
	if (rc || pipe2(sp, O_CLOEXEC)) {
		cgroup_remove(cg);
		return rc ?: tt_err_set(-errno, "pipe2");
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		cgroup_remove(cg);
		return tt_err_set(-errno, "fork");
	}
	if (pid == 0) {
		close(sp[0]);
		setsid();
		/* The supervisor outlives the caller: it must not hold the caller's stdio open
		 * (a `$(tt-sandbox start …)` would wait for the session to end). */
		char lp[PATH_MAX + 32];
		session_path(lp, sizeof(lp), dir, "supervisor.log");
		int nf = open("/dev/null", O_RDWR | O_CLOEXEC);
		int lf = open(lp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		dup2(nf, 0);
		dup2(nf, 1);
		dup2(lf >= 0 ? lf : nf, 2);
		if (fork() > 0) /* double fork: the supervisor is nobody's zombie */
			_exit(0);
		supervise(p, dir, envp, cg, sp[1]);
	}
	close(sp[1]);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < nenv; i++)
		free(envp[i]);
	char msg[4096];
	size_t have = 0;
	ssize_t r;
	while (have < sizeof(msg) - 1 && (r = read(sp[0], msg + have, sizeof(msg) - 1 - have)) > 0)
		have += (size_t)r;
	close(sp[0]);
	msg[have] = 0;
	msg[strcspn(msg, "\n")] = 0;
	if (!strcmp(msg, "ok"))
		return 0;
	return tt_err_set(-ECHILD, "%s", have ? msg : "refused: the supervisor died");
}

/* ---- agent (inside the sandbox) ------------------------------------------------------ */

static atomic_int agent_err_fd = -1;

static int cur_err_fd(void)
{
	return atomic_load(&agent_err_fd);
}

static void *listener(void *arg)
{
	int *fds = arg;

	tt__sb_seccomp_serve(fds[0], fds[1], cur_err_fd);
	return NULL;
}

static void set_limit(int res, uint64_t v)
{
	struct rlimit rl = {v, v};

	if (v)
		setrlimit(res, &rl);
}

/* "fd:port": listen on 127.0.0.1:port in this namespace, hand the socket to the
 * supervisor over fd. 0, or -1 after an agent-error event (the session is refused). */
static int agent_grant_port(int event_fd, const char *spec)
{
	int fd = atoi(spec);
	const char *c = strchr(spec, ':');
	uint16_t port = c ? (uint16_t)atoi(c + 1) : 0;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int one = 1;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (event_fd < 0 || l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 16)) {
		dprintf(event_fd, "{\"event\":\"agent-error\",\"detail\":\"port grant %u: %s\"}\n",
			(unsigned)port, strerror(errno));
		return -1;
	}
	char cb[CMSG_SPACE(sizeof(int))];
	struct iovec iv = {&port, sizeof(port)};
	struct msghdr m = {
	    .msg_iov = &iv, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof(cb)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &l, sizeof(int));
	if (sendmsg(fd, &m, 0) < 0) {
		dprintf(event_fd,
			"{\"event\":\"agent-error\",\"detail\":\"port grant %u: "
			"sendmsg: %s\"}\n",
			(unsigned)port, strerror(errno));
		return -1;
	}
	close(l);
	return 0;
}

/* Waits for the command to exit while watching the client's socket: if the client goes away
 * (killed, timed out), the command's process group is killed so the session does not wedge
 * on an orphan. Returns true when it killed. Falls back to a plain wait without pidfds. */
static bool wait_or_hangup(pid_t pid, int client)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	bool killed = false;

	if (pfd < 0)
		return false;
	struct pollfd w[2] = {{.fd = pfd, .events = POLLIN}, {.fd = client, .events = POLLRDHUP}};
	for (;;) {
		int r = poll(w, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (w[0].revents & POLLIN))
			break;
		if (w[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
	}
	close(pfd);
	return killed;
}

int tt__sb_agent_main(int argc, char **argv)
{
	int event_fd = -1;
	int grant_fd = -1;
	uint64_t cpu = 0;
	uint64_t mem = 0;
	uint64_t fsize = 0;
	static int fds[2];
	int notify_fd;
	int ls;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	pthread_t th;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--event-fd"))
			event_fd = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--cpu"))
			cpu = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--mem"))
			mem = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--fsize"))
			fsize = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--grant-fd"))
			grant_fd = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--allow-unix"))
			tt__sb_seccomp_allow_unix(argv[i + 1]);
		else if (!strcmp(argv[i], "--port")) {
			if (agent_grant_port(event_fd, argv[i + 1]))
				return 1;
		}
	}
	if (event_fd < 0)
		return 2;
	if (grant_fd >= 0)
		close(grant_fd); /* no command may hand the supervisor a socket */
	fcntl(event_fd, F_SETFD, FD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	/* Not dumpable: a command can't open /proc/<agent>/fd/<notify fd> to answer itself. */
	prctl(PR_SET_DUMPABLE, 0);
	if (tt__sb_seccomp_load(event_fd, &notify_fd)) {
		dprintf(event_fd, "{\"event\":\"agent-error\",\"detail\":\"seccomp filter: %s\"}\n",
			tt_err_msg());
		return 1;
	}
	fds[0] = notify_fd;
	fds[1] = event_fd;
	if (notify_fd >= 0 && pthread_create(&th, NULL, listener, fds)) {
		dprintf(event_fd, "{\"event\":\"agent-error\",\"detail\":\"listener thread\"}\n");
		return 1;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/agent.sock", SOCK_IN);
	unlink(addr.sun_path);
	ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) || listen(ls, 16)) {
		dprintf(event_fd, "{\"event\":\"agent-error\",\"detail\":\"agent socket: %s\"}\n",
			strerror(errno));
		return 1;
	}
	dprintf(event_fd, "{\"event\":\"agent-ready\",\"seccomp\":\"%s\",\"pid\":%d}\n",
		notify_fd >= 0 ? "notify" : "errno", (int)getpid());
	static char req[REQ_MAX + 1];
	for (;;) {
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		char cbuf[CMSG_SPACE(3 * sizeof(int))];
		struct iovec iov = {req, REQ_MAX};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		int io[3] = {-1, -1, -1};
		if (n > 0 && cm && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(3 * sizeof(int)))
			memcpy(io, CMSG_DATA(cm), sizeof(io));
		if (n <= 0 || io[2] < 0) {
			close(c);
			continue;
		}
		req[n] = 0;
		/* "cwd\0arg0\0arg1\0..." */
		char *args[1024];
		int na = 0;
		char *cwd = req;
		for (char *s = req + strlen(req) + 1; s < req + n && na < 1023; s += strlen(s) + 1)
			args[na++] = s;
		args[na] = NULL;
		uint64_t t = mono_ns();
		atomic_store(&agent_err_fd, io[2]);
		pid_t pid = na ? fork() : -1;
		if (pid == 0) {
			setpgid(0, 0); /* its own group: killed as one if the client goes away */
			dup2(io[0], 0);
			dup2(io[1], 1);
			dup2(io[2], 2);
			if (chdir(cwd))
				dprintf(2, "tt-sandbox: chdir(%s): %s\n", cwd, strerror(errno));
			if (cpu) { /* SIGXCPU at the budget, SIGKILL a second later */
				struct rlimit rl = {cpu, cpu + 1};
				setrlimit(RLIMIT_CPU, &rl);
			}
			set_limit(RLIMIT_AS, mem);
			set_limit(RLIMIT_FSIZE, fsize);
			signal(SIGPIPE, SIG_DFL);
			execvp(args[0], args);
			dprintf(2, "tt-sandbox: %s: %s\n", args[0], strerror(errno));
			_exit(127);
		}
		int st = 0;
		int code = 127;
		if (pid > 0) {
			setpgid(pid, pid);
			if (wait_or_hangup(pid, c)) {
				dprintf(event_fd,
					"{\"event\":\"command-killed\",\"process\":\"%.64s\","
					"\"reason\":"
					"\"the client went away\"}\n",
					args[0]);
			}
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		atomic_store(&agent_err_fd, -1);
		struct rusage ru;
		getrusage(RUSAGE_CHILDREN, &ru);
		uint64_t cpu_ms = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
				  (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
		char rep[128];
		int rl = snprintf(rep, sizeof(rep), "%d %" PRIu64 " %" PRIu64, code, mono_ns() - t,
				  cpu_ms);
		(void)!write(c, rep, (size_t)rl);
		for (int i = 0; i < 3; i++)
			close(io[i]);
		close(c);
	}
}

/* ---- exec client and stop (outside) -------------------------------------------------- */

/* The supervisor's pid, only while that pid is still the supervisor (its start time
 * matches the one recorded): a stale file must never get an unrelated process signalled. */
static int read_pid(const char *dir)
{
	char path[TT_SB_PATH + 32];
	FILE *f;
	int pid = -1;
	unsigned long long st = 0;

	session_path(path, sizeof(path), dir, "supervisor.pid");
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d %llu", &pid, &st) != 2 || pid <= 0 || start_time_of(pid) != st)
		pid = -1;
	fclose(f);
	return pid;
}

static void end_by_limit(const char *dir, const char *what, uint64_t used, uint64_t budget)
{
	char line[256];
	int pid = read_pid(dir);

	snprintf(line, sizeof(line),
		 "{\"event\":\"limit\",\"what\":\"%s\",\"used\":%" PRIu64 ",\"budget\":%" PRIu64
		 ",\"action\":\"session ended, partial state kept\"}",
		 what, used, budget);
	tt__sb_trace_line(dir, line);
	fprintf(stderr, "%s\n", line);
	if (pid > 0)
		kill(pid, SIGUSR1);
}

/* A command's writes to a granted path: one "grant-use" event when there were any. */
static void grant_use(const char *dir, int i, const char *root, const char *cmd)
{
	char last[TT_SB_PATH + 64];
	char now[TT_SB_PATH + 64];
	char *buf = NULL;
	size_t len = 0;
	uint64_t grown = 0;
	FILE *f;

	snprintf(last, sizeof(last), "%s/snap.g%d.last", dir, i);
	snprintf(now, sizeof(now), "%s/snap.g%d.%d", dir, i, (int)getpid());
	if (tt__sb_snap_write(root, now))
		return;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	fprintf(f, "{\"event\":\"grant-use\",\"what\":\"write\",\"target\":");
	tt__sb_json_str(f, root);
	fprintf(f, ",\"process\":");
	tt__sb_json_str(f, cmd);
	fputc(',', f);
	int rc = tt__sb_snap_diff(last, now, f, &grown);
	fputc('}', f);
	fclose(f);
	rename(now, last);
	if (!rc && !strstr(buf, "\"created\":[],\"changed\":[],\"deleted\":[]"))
		tt__sb_trace_line(dir, buf);
	free(buf);
}

int tt_sb_exec(const char *dir, char *const argv[], const char *cwd_in)
{
	char path[TT_SB_PATH + 64];
	char worktree[TT_SB_PATH];
	char cwd[PATH_MAX];
	int diff = 0;
	uint64_t cpu_s = 0;
	uint64_t disk = 0;
	FILE *f;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	static char req[REQ_MAX];
	size_t len;
	int s;

	if (strlen(dir) > TT_SB_DIR_MAX)
		return tt_err_set(-ENAMETOOLONG, "session dir longer than %d bytes", TT_SB_DIR_MAX);
	session_path(path, sizeof(path), dir, "session.conf");
	f = fopen(path, "r");
	if (!f)
		return tt_err_set(-ESRCH, "no session in %s", dir);
	char grants[TT_SB_MAX_LIST][TT_SB_PATH];
	int n_grants = 0;
	if (!fgets(worktree, sizeof(worktree), f) ||
	    fscanf(f, "%d %" SCNu64 " %" SCNu64 "\n", &diff, &cpu_s, &disk) != 3) {
		fclose(f);
		return tt_err_set(-ESRCH, "%s: unreadable session.conf", dir);
	}
	while (n_grants < TT_SB_MAX_LIST && fgets(grants[n_grants], TT_SB_PATH, f)) {
		grants[n_grants][strcspn(grants[n_grants], "\n")] = 0;
		n_grants++;
	}
	fclose(f);
	worktree[strcspn(worktree, "\n")] = 0;
	if (!cwd_in || !realpath(cwd_in, cwd) || !under(cwd, worktree))
		snprintf(cwd, sizeof(cwd), "%s", worktree);
	len = strlen(cwd) + 1;
	memcpy(req, cwd, len);
	for (int i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (len + l > sizeof(req))
			return tt_err_set(-E2BIG, "command line too long");
		memcpy(req + len, argv[i], l);
		len += l;
	}
	/* run/ is writable inside the sandbox: a command could swap agent.sock for a symlink to
	 * a host socket. Open it without following links, check it is a socket, and connect
	 * through the descriptor, so what we connect to is what we checked. */
	session_path(path, sizeof(path), dir, "run/agent.sock");
	int pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 || fstat(pfd, &st) || !S_ISSOCK(st.st_mode)) {
		if (pfd >= 0)
			close(pfd);
		return tt_err_set(-ESRCH, "no running session in %s (%s is not the agent's socket)",
				  dir, path);
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d", pfd);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		close(pfd);
		return tt_err_set(-errno, "socket");
	}
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
		int e = errno;
		close(s);
		close(pfd);
		return tt_err_set(-ESRCH, "no running session in %s (connect: %s)", dir,
				  strerror(e));
	}
	close(pfd);
	int io[3] = {0, 1, 2};
	char cbuf[CMSG_SPACE(sizeof(io))];
	struct iovec iov = {req, len};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(io));
	memcpy(CMSG_DATA(cm), io, sizeof(io));
	if (sendmsg(s, &mh, 0) < 0) {
		close(s);
		return tt_err_set(-errno, "sendmsg to the agent");
	}
	char rep[128];
	ssize_t n;
	while ((n = read(s, rep, sizeof(rep) - 1)) < 0 && errno == EINTR)
		;
	close(s);
	int code = -ETIME;
	uint64_t dur = 0;
	uint64_t cpu_ms = 0;
	if (n > 0) {
		rep[n] = 0;
		if (sscanf(rep, "%d %" SCNu64 " %" SCNu64, &code, &dur, &cpu_ms) != 3)
			code = -EPROTO;
	}
	char *buf = NULL;
	size_t blen = 0;
	uint64_t grown = 0;
	f = open_memstream(&buf, &blen);
	if (!f)
		return -ENOMEM;
	fprintf(f, "{\"event\":\"command\",\"argv\":[");
	for (int i = 0; argv[i]; i++) {
		if (i)
			fputc(',', f);
		tt__sb_json_str(f, argv[i]);
	}
	fprintf(f, "],\"cwd\":");
	tt__sb_json_str(f, cwd);
	if (code >= 0)
		fprintf(f, ",\"exit\":%d,\"duration_ms\":%.3f,\"cpu_ms_session\":%" PRIu64, code,
			(double)dur / 1e6, cpu_ms);
	else
		fprintf(f, ",\"exit\":null,\"ended\":\"%s\"",
			code == -ETIME ? "session ended while it ran" : "bad agent reply");
	if (diff == TT_SB_DIFF_COMMAND) {
		char last[TT_SB_PATH + 32];
		char now[TT_SB_PATH + 32];
		session_path(last, sizeof(last), dir, "snap.last");
		snprintf(now, sizeof(now), "%s/snap.%d", dir, (int)getpid());
		if (!tt__sb_snap_write(worktree, now)) {
			fputc(',', f);
			if (tt__sb_snap_diff(last, now, f, &grown))
				fprintf(f, "\"diff_error\":true");
			rename(now, last);
		}
	}
	fputc('}', f);
	fclose(f);
	tt__sb_trace_line(dir, buf);
	free(buf);
	/* SIGXCPU: one process alone used the budget (rusage may read a little under it). */
	if (code >= 0 && cpu_s && (cpu_ms >= cpu_s * 1000 || code == 128 + SIGXCPU))
		end_by_limit(dir, "cpu_ms", cpu_ms, cpu_s * 1000);
	if (code >= 0 && disk && grown) {
		uint64_t used = grown;
		session_path(path, sizeof(path), dir, "disk.used");
		f = fopen(path, "r+");
		if (!f)
			f = fopen(path, "w+");
		if (f) {
			uint64_t prev = 0;
			if (fscanf(f, "%" SCNu64, &prev) == 1)
				used += prev;
			rewind(f);
			fprintf(f, "%" PRIu64 "\n", used);
			fclose(f);
		}
		if (used > disk)
			end_by_limit(dir, "disk_bytes", used, disk);
	}
	if (diff == TT_SB_DIFF_COMMAND)
		for (int i = 0; i < n_grants; i++)
			grant_use(dir, i, grants[i], argv[0]);
	if (code == -ETIME)
		return tt_err_set(-ETIME,
				  "the session ended (limit or stop) while the command ran");
	return code;
}

int tt_sb_stop(const char *dir)
{
	int pid = read_pid(dir);
	char path[TT_SB_PATH + 32];

	if (strlen(dir) > TT_SB_DIR_MAX || pid <= 0)
		return tt_err_set(-ESRCH, "no running session in %s (none, or a stale pid file)",
				  dir);
	kill(pid, SIGTERM);
	/* The supervisor removes its pid file as its very last step. */
	session_path(path, sizeof(path), dir, "supervisor.pid");
	for (int i = 0; i < 10000; i++) {
		if (access(path, F_OK))
			return 0;
		usleep(1000);
	}
	return tt_err_set(-ETIMEDOUT, "supervisor %d did not end within 10 s", pid);
}

/* ---- gate: the way out of a session --------------------------------------------------- */

static void find_gate(char *out, size_t n)
{
	const char *env = getenv("TT_GATE");
	char self[PATH_MAX];
	ssize_t l;

	if (env) {
		snprintf(out, n, "%s", env);
		return;
	}
	l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (l > 0) {
		self[l] = 0;
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(out, n, "%s/tt-gate", self);
			if (!access(out, X_OK))
				return;
			snprintf(out, n, "%s/../gate/tt-gate", self);
			if (!access(out, X_OK))
				return;
		}
	}
	snprintf(out, n, "tt-gate");
}

int tt_sb_gate(const char *dir, const char *gate_policy, const char *range)
{
	char path[TT_SB_PATH + 64];
	char worktree[TT_SB_PATH];
	char gate[PATH_MAX];
	char line[1024];
	FILE *f;
	int st;
	int v;

	if (strlen(dir) > TT_SB_DIR_MAX || strlen(range) > 200 || range[0] == '-' ||
	    strspn(range,
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/~^@{}-") !=
		strlen(range)) {
		fprintf(stderr, "tt-sandbox: gate: '%s' is not a plain base..head range: blocked\n",
			range);
		return 2;
	}
	session_path(path, sizeof(path), dir, "session.conf");
	f = fopen(path, "r");
	if (!f || !fgets(worktree, sizeof(worktree), f)) {
		if (f)
			fclose(f);
		fprintf(stderr, "tt-sandbox: gate: no session in %s: blocked\n", dir);
		return 2;
	}
	fclose(f);
	worktree[strcspn(worktree, "\n")] = 0;
	find_gate(gate, sizeof(gate));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (gate_policy)
			execlp(gate, gate, "check", "--repo", worktree, "--policy", gate_policy,
			       range, (char *)NULL);
		else
			execlp(gate, gate, "check", "--repo", worktree, range, (char *)NULL);
		dprintf(2, "tt-sandbox: gate: exec %s: %s\n", gate, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		v = 2;
	else if (!WIFEXITED(st) || WEXITSTATUS(st) > 2)
		v = 2; /* the gate could not run: nothing leaves */
	else
		v = WEXITSTATUS(st);
	snprintf(line, sizeof(line),
		 "{\"event\":\"gate\",\"range\":\"%s\",\"verdict\":\"%s\",\"exit\":%d}", range,
		 v == 0	  ? "pass"
		 : v == 1 ? "review"
			  : "blocked",
		 v);
	tt__sb_trace_line(dir, line);
	if (v == 2)
		tt__sb_denied(dir, "file", range, "gate-blocked", "tt-sandbox");
	return v;
}
