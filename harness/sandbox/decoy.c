/*
 * decoy.c — the secrets firewall's tripwire: every attempt to open a masked secret is one
 * `denied` event in the trace (what=file, target=the path inside, rule=secret-read, the
 * opener's name and pid).
 *
 * The masks alone (an empty home, mode-000 tmpfs over [secrets] paths) refuse a read with
 * EACCES/ENOENT inside the kernel's permission checks, where nothing can see it. So the
 * well-known secret files are served as decoys instead: synthetic files in the real format
 * (an AWS credentials file with an AKIA-shaped key, OpenSSH private keys, a prod-tagged
 * tt credential, ...) written under <session>/decoy/ (outside the sandbox) and bound
 * read-only at the real paths inside. The supervisor marks each decoy inode with fanotify
 * FAN_OPEN_PERM (FAN_ONDIR for the decoy directories): the kernel holds every open of a
 * decoy until the supervisor answers, which it does with FAN_DENY after writing the event.
 * So the read is still refused (EPERM) and each attempt is logged once (permission events
 * are never merged). Other files cost nothing: the marks are on the decoy inodes only.
 *
 *   supervisor: decoy_init ──► decoy_add (per path) ──► bwrap ──► decoy_serve thread
 *                   │ fanotify unavailable                       (open → event → FAN_DENY)
 *                   ▼
 *               old masks + a `warning` event (reads refused, not logged)
 *
 * Blind spots (README "Secrets firewall"): a name that is not a decoy inside a masked
 * directory is just absent (ENOENT, not logged); stat()/O_PATH opens are not events.
 */
#include "tt_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_flavor.h"

#define DECOY_MAX 64

/* One decoy: where it lives outside, and the path the sandbox sees. */
static struct {
	char outside[TT_SB_PATH + 64];
	char inside[TT_SB_PATH + 64];
	dev_t dev; /* an event's fd is matched by inode: its path is the opener's view */
	ino_t ino;
} decoys[DECOY_MAX];
static int n_decoys;
static int fan_fd = -1;
static char trace_dir[TT_SB_PATH + 1];

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* n random characters of set into out (NUL-terminated; out holds n + 1). */
static void rnd_str(char *out, size_t n, const char *set)
{
	unsigned char r[256];
	size_t sl = strlen(set);

	for (size_t i = 0; i < n; i += sizeof(r)) {
		size_t k = n - i < sizeof(r) ? n - i : sizeof(r);
		if (getrandom(r, k, 0) != (ssize_t)k)
			for (size_t j = 0; j < k; j++)
				r[j] = (unsigned char)random();
		for (size_t j = 0; j < k; j++)
			out[i + j] = set[r[j] % sl];
	}
	out[n] = 0;
}

/* An OpenSSH-format private key block of `lines` 70-column base64 lines (random bytes:
 * the shape of a key, not a key). The armor is assembled so this source holds none. */
static void ssh_key(FILE *f, int lines)
{
	char l[71];

	fprintf(f, "-----BEGIN OPENSSH %s KEY-----\n", "PRIV" "ATE");
	for (int i = 0; i < lines; i++) {
		rnd_str(l, 70, B64);
		fprintf(f, "%s\n", l);
	}
	fprintf(f, "-----END OPENSSH %s KEY-----\n", "PRIV" "ATE");
}

/* Writes the synthetic content of the decoy whose base name is `name`. */
static void decoy_content(FILE *f, const char *name)
{
	char a[80];
	char b[80];

	if (!strcmp(name, "credentials")) { /* ~/.aws/credentials */
		rnd_str(a, 16, B32);
		rnd_str(b, 40, B64);
		fprintf(f, "[default]\naws_access_key_id = AKIA%s\naws_secret_access_key = %s\n",
			a, b);
	} else if (!strcmp(name, "config")) { /* ~/.aws/config */
		fprintf(f, "[default]\nregion = us-east-1\noutput = json\n");
	} else if (!strcmp(name, "id_ed25519")) {
		ssh_key(f, 5);
	} else if (!strcmp(name, "id_rsa")) {
		ssh_key(f, 38);
	} else if (!strcmp(name, ".git-credentials")) {
		rnd_str(a, 36, ALNUM);
		fprintf(f, "https://tt-decoy:gh%c_%s@git.example.invalid\n", 'p', a);
	} else if (!strcmp(name, ".netrc")) {
		rnd_str(a, 32, ALNUM);
		fprintf(f, "machine api.example.invalid login tt-decoy password %s\n", a);
	} else if (!strcmp(name, "config.json")) { /* ~/.docker/config.json */
		rnd_str(a, 48, B64);
		fprintf(f, "{\"auths\":{\"registry.example.invalid\":{\"auth\":\"%s\"}}}\n", a);
	} else if (!strcmp(name, "hosts.yml")) { /* ~/.config/gh/hosts.yml */
		rnd_str(a, 36, ALNUM);
		fprintf(f, "git.example.invalid:\n    oauth_token: gh%c_%s\n    user: tt-decoy\n",
			'o', a);
	} else if (!strcmp(name, "credential.ini")) { /* tt_cred format, prod-tagged */
		rnd_str(a, 64, ALNUM);
		fprintf(f,
			"[credential]\nenv = prod\nvenue = binance\nkey_type = hmac\n"
			"key_id = %s\nsecret_file = secret.key\n",
			a);
	} else {
		rnd_str(a, 64, ALNUM);
		fprintf(f, "%s\n", a);
	}
}

static int remember(const char *outside, const char *inside, unsigned flags)
{
	struct stat st;

	if (n_decoys >= DECOY_MAX)
		return tt_err_set(-E2BIG, "more than %d decoys", DECOY_MAX);
	if (stat(outside, &st))
		return tt_err_set(-errno, "stat(%s)", outside);
	decoys[n_decoys].dev = st.st_dev;
	decoys[n_decoys].ino = st.st_ino;
	if (fanotify_mark(fan_fd, FAN_MARK_ADD, FAN_OPEN_PERM | flags, AT_FDCWD, outside))
		return tt_err_set(-errno, "fanotify_mark(%s): %s", outside, strerror(errno));
	snprintf(decoys[n_decoys].outside, sizeof(decoys[0].outside), "%s", outside);
	snprintf(decoys[n_decoys].inside, sizeof(decoys[0].inside), "%s", inside);
	n_decoys++;
	return 0;
}

int tt__sb_decoy_init(const char *dir)
{
	char path[TT_SB_PATH + 64];

	snprintf(trace_dir, sizeof(trace_dir), "%s", dir);
	fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (fan_fd < 0)
		return tt_err_set(-errno, "fanotify_init: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/decoy", dir);
	if (mkdir(path, 0700) && errno != EEXIST) {
		int e = errno;
		close(fan_fd);
		fan_fd = -1;
		return tt_err_set(-e, "mkdir(%s): %s", path, strerror(e));
	}
	return 0;
}

/* Writes one decoy file at outside (parents created) standing for inside; marks it. */
static int decoy_file(const char *outside, const char *inside)
{
	char tmp[TT_SB_PATH + 64];
	const char *base = strrchr(inside, '/');
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s", outside);
	for (char *s = strchr(tmp + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return tt_err_set(-errno, "mkdir(%s)", tmp);
		*s = '/';
	}
	f = fopen(outside, "w");
	if (!f)
		return tt_err_set(-errno, "fopen(%s)", outside);
	decoy_content(f, base ? base + 1 : inside);
	if (fclose(f))
		return tt_err_set(-EIO, "write %s", outside);
	chmod(outside, 0644); /* readable: the refusal (and its event) comes from fanotify */
	return remember(outside, inside, 0);
}

/* The decoys of a directory secret (a prod credential location, ~/.ssh): the directory
 * (listing it is an attempt too) and the files named in files[]. */
int tt__sb_decoy_dir(const char *tag, const char *inside, const char *const *files,
		     char *outside, size_t n)
{
	char f_out[TT_SB_PATH + 64];
	char f_in[TT_SB_PATH + 64];
	int rc;

	snprintf(outside, n, "%s/decoy/%s", trace_dir, tag);
	if (mkdir(outside, 0755) && errno != EEXIST)
		return tt_err_set(-errno, "mkdir(%s)", outside);
	chmod(outside, 0755);
	for (int i = 0; files[i]; i++) {
		snprintf(f_out, sizeof(f_out), "%s/%s", outside, files[i]);
		snprintf(f_in, sizeof(f_in), "%s/%s", inside, files[i]);
		rc = decoy_file(f_out, f_in);
		if (rc)
			return rc;
	}
	return remember(outside, inside, FAN_ONDIR);
}

/* A file secret (a [secrets] path that is a file, ~/.git-credentials): one decoy file. */
int tt__sb_decoy_one(const char *tag, const char *inside, char *outside, size_t n)
{
	const char *base = strrchr(inside, '/');

	snprintf(outside, n, "%s/decoy/%s/%s", trace_dir, tag, base ? base + 1 : inside);
	return decoy_file(outside, inside);
}

/* The decoy an event's fd is: its path inside, or NULL. */
static const char *inside_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return NULL;
	for (int i = 0; i < n_decoys; i++)
		if (decoys[i].dev == st.st_dev && decoys[i].ino == st.st_ino)
			return decoys[i].inside;
	return NULL;
}

static void comm_of(int pid, char *out, size_t n)
{
	char p[64];
	int fd;
	ssize_t r;

	snprintf(out, n, "?");
	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, out, n - 1);
	close(fd);
	out[r > 0 ? r : 0] = 0;
	out[strcspn(out, "\n")] = 0;
}

void tt__sb_tell_stderr(int pid, const char *line)
{
	struct pollfd pf;
	int pidfd;
	int fd;

	if (pid <= 0)
		return;
	/* The process's own open file description (pidfd_getfd: a dup, same offset and
	 * access mode): a write goes where the process's would, at its offset, and fails if
	 * the process holds its stderr read-only. Never blocks: only when POLLOUT now. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, 2, 0);
	close(pidfd);
	if (fd < 0)
		return;
	pf = (struct pollfd){.fd = fd, .events = POLLOUT};
	if (poll(&pf, 1, 0) == 1 && (pf.revents & POLLOUT) && dprintf(fd, "%s\n", line) < 0) {
		/* a gone reader: the trace has it */
	}
	close(fd);
}

/* One attempt: the event is in the trace (and on the opener's stderr) before the opener
 * gets its EPERM. */
static void on_event(const struct fanotify_event_metadata *m)
{
	struct fanotify_response resp = {.fd = m->fd, .response = FAN_DENY};
	const char *in = m->fd >= 0 ? inside_of(m->fd) : NULL;
	char comm[32];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	comm_of(m->pid, comm, sizeof(comm));
	f = open_memstream(&buf, &len);
	if (f) {
		fprintf(f, "{\"event\":\"denied\",\"what\":\"file\",\"target\":");
		tt__sb_json_str(f, in ? in : "(decoy)");
		fprintf(f, ",\"rule\":\"secret-read\",\"process\":");
		tt__sb_json_str(f, comm);
		fprintf(f, ",\"pid\":%d,\"flavor\":\"%s\"}", (int)m->pid, tt_flavor_name());
		fclose(f);
		tt__sb_trace_line(trace_dir, buf);
		fprintf(stderr, "%s\n", buf);
		tt__sb_tell_stderr((int)m->pid, buf);
		free(buf);
	}
	if (m->mask & (FAN_OPEN_PERM | FAN_ACCESS_PERM))
		while (write(fan_fd, &resp, sizeof(resp)) < 0 && errno == EINTR)
			;
	if (m->fd >= 0)
		close(m->fd);
}

static void *serve(void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	(void)arg;
	for (;;) {
		ssize_t n = read(fan_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		const struct fanotify_event_metadata *m = (const void *)buf;
		for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n))
			if (m->vers == FANOTIFY_METADATA_VERSION)
				on_event(m);
	}
}

int tt__sb_decoy_serve(void)
{
	pthread_t t;
	pthread_attr_t at;
	int rc;

	if (fan_fd < 0)
		return 0;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &at, serve, NULL);
	pthread_attr_destroy(&at);
	return rc ? tt_err_set(-rc, "pthread_create") : 0;
}

bool tt__sb_decoy_on(void)
{
	return fan_fd >= 0;
}
