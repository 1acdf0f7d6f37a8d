/*
 * tt_bench.c — tt-bench, the benchmark dispatcher: `tt-bench SUB args...` execs the
 * sibling binary tt-bench-SUB (same folder as this one) with args. The available
 * subcommands are whatever tt-bench-* executables sit next to it, so a new bench only
 * has to install its binary there (bench/CMakeLists.txt puts them all in one folder).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PREFIX "tt-bench-"

/* Folder of this executable into dir (no trailing slash). 0 or -errno. */
static int self_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	if (n < 0)
		return -errno;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	return 0;
}

static void list_subcommands(FILE *f, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	fprintf(f, "available:");
	if (d) {
		while ((e = readdir(d))) {
			char path[PATH_MAX];

			if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (access(path, X_OK) != 0)
				continue;
			fprintf(f, " %s", e->d_name + strlen(PREFIX));
			n++;
		}
		closedir(d);
	}
	fprintf(f, "%s\n", n ? "" : " (none built)");
}

static int valid_sub(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX];
	char path[PATH_MAX + 80];
	int rc = self_dir(dir, sizeof(dir));

	if (rc < 0) {
		fprintf(stderr, "tt-bench: cannot find own folder: %s\n", strerror(-rc));
		return 2;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		FILE *f = argc < 2 ? stderr : stdout;

		fprintf(f, "usage: tt-bench SUBCOMMAND [args]   (tt-bench SUBCOMMAND --help)\n");
		list_subcommands(f, dir);
		return argc < 2 ? 2 : 0;
	}
	if (!valid_sub(argv[1])) {
		fprintf(stderr, "tt-bench: bad subcommand name '%s'\n", argv[1]);
		list_subcommands(stderr, dir);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/" PREFIX "%s", dir, argv[1]);
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "tt-bench: unknown subcommand '%s'\n", argv[1]);
		list_subcommands(stderr, dir);
		return 2;
	}
	argv[1] = path;
	execv(path, argv + 1);
	fprintf(stderr, "tt-bench: exec %s: %s\n", path, strerror(errno));
	return 127;
}
