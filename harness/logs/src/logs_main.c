/*
 * logs_main.c — tt-logs: query the structured logs (tt_logq.h) locally or on a remote
 * read-only server (tt_logsrv.h).
 *
 *   tt-logs [--root DIR] [--env testnet|prod] [--proc P] [--level L] [--since T] [--until T]
 *           [--event E] [--order ID] [--limit N] [--follow] [--json]
 *           [--remote https://IP:PORT --token-file F --cacert F]
 *   tt-logs denied [filters]          refusals (event "denied")
 *   tt-logs timeline --order ID       one order across processes, in time order
 *   tt-logs events [--json]           the event catalogue
 *   tt-logs serve --cert F --key F --token-file F [--listen 127.0.0.1:8443] [--allow IP]...
 *                 [--audit FILE] [--rate N] [--port-file F] [--root DIR]
 *
 * Human output by default, --json prints the stored JSON lines (one per line) for agents.
 * Root: --root, else $TT_LOGS_ROOT, else ./logs. Exit: 0 ok, 1 failure (message on stderr),
 * 2 bad arguments (message on stderr).
 */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tt_err.h"
#include "tt_log.h"
#include "tt_logq.h"
#include "tt_logsrv.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int bad(const char *fmt, const char *a)
{
	fprintf(stderr, "tt-logs: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\nusage: tt-logs [denied|timeline|events|serve] [--env testnet|prod] "
			"[--proc P] [--level L] [--since T] [--until T] [--event E] [--order ID] "
			"[--limit N] [--follow] [--json] [--root DIR] [--remote URL --token-file F "
			"--cacert F]\n");
	return 2;
}

/* Reads the first line of a token file; NULL on failure. */
static char *read_token(const char *path)
{
	static char tok[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	if (!fgets(tok, sizeof(tok), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	return n ? tok : NULL;
}

/* Appends k=v (URL-encoded) to the query string. */
static void qs_add(char *qs, size_t cap, const char *k, const char *v)
{
	size_t n = strlen(qs);

	if (!v)
		return;
	n += (size_t)snprintf(qs + n, cap - n, "%s%s=", n ? "&" : "?", k);
	for (; *v && n + 4 < cap; v++) {
		unsigned char c = (unsigned char)*v;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			qs[n++] = (char)c;
		else
			n += (size_t)snprintf(qs + n, cap - n, "%%%02X", c);
	}
	qs[n] = '\0';
}

static void print_line(const char *line, bool json)
{
	if (json)
		printf("%s\n", line);
	else
		tt_logq_print_human(stdout, line);
}

/* Follow: print matching lines appended to any file of the tree after start. Polls every
 * 200 ms; remembers each file's offset by path (at most FOLLOW_MAX files); files present at
 * start are followed from their end (their old lines were printed by the query). */
#define FOLLOW_MAX 512
static struct {
	char path[600];
	long off;
} ff[FOLLOW_MAX];
static unsigned nff;

static void follow_file(const struct tt_logq *q, const char *path, bool first, bool json)
{
	unsigned i;
	struct stat st;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	for (i = 0; i < nff; i++)
		if (strcmp(ff[i].path, path) == 0)
			break;
	if (i == nff) {
		if (nff == FOLLOW_MAX || stat(path, &st))
			return;
		snprintf(ff[nff].path, sizeof(ff[nff].path), "%s", path);
		ff[nff].off = first ? (long)st.st_size : 0;
		nff++;
	}
	f = fopen(path, "r");
	if (!f)
		return;
	if (fseek(f, ff[i].off, SEEK_SET) == 0) {
		/* only complete lines; a partial one is read again next time */
		while ((len = getline(&line, &cap, f)) > 0 && line[len - 1] == '\n') {
			int64_t ts;

			ff[i].off += len;
			line[len - 1] = '\0';
			if (tt_logq_match(q, line, &ts))
				print_line(line, json);
		}
	}
	free(line);
	fclose(f);
}

static void follow_dir(const struct tt_logq *q, const char *dir, int depth, bool first, bool json)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[600];

		if (e->d_name[0] == '.')
			continue;
		if (depth == 0 && q->env && strcmp(e->d_name, q->env))
			continue;
		if (depth == 1 && q->proc && strcmp(e->d_name, q->proc))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (depth < 2)
			follow_dir(q, path, depth + 1, first, json);
		else if (strlen(e->d_name) > 6 &&
			 strcmp(e->d_name + strlen(e->d_name) - 6, ".jsonl") == 0)
			follow_file(q, path, first, json);
	}
	closedir(d);
}

static int follow(const struct tt_logq *q, bool json)
{
	follow_dir(q, q->root, 0, true, json);
	while (!stop_flag) {
		usleep(200000);
		follow_dir(q, q->root, 0, false, json);
		fflush(stdout);
	}
	return 0;
}

static int serve_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"cert", required_argument, 0, 'c'},       {"key", required_argument, 0, 'k'},
	    {"token-file", required_argument, 0, 't'}, {"listen", required_argument, 0, 'l'},
	    {"allow", required_argument, 0, 'a'},      {"audit", required_argument, 0, 'A'},
	    {"rate", required_argument, 0, 'r'},       {"port-file", required_argument, 0, 'p'},
	    {"root", required_argument, 0, 'R'},       {0, 0, 0, 0}};
	struct tt_logsrv_cfg cfg = {.listen = "127.0.0.1:8443"};
	const char *token_file = NULL;
	unsigned na = 0;
	char audit_path[600];
	int c, rc;

	cfg.root = getenv("TT_LOGS_ROOT") ? getenv("TT_LOGS_ROOT") : "logs";
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg.cert = optarg;
			break;
		case 'k':
			cfg.key = optarg;
			break;
		case 't':
			token_file = optarg;
			break;
		case 'l':
			cfg.listen = optarg;
			break;
		case 'a':
			if (na == TT_LOGSRV_ALLOW_MAX)
				return bad("at most 16 --allow", "");
			cfg.allow[na++] = optarg;
			break;
		case 'A':
			cfg.audit = optarg;
			break;
		case 'r': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 10000)
				return bad("--rate wants 1..10000 requests/s, found '%s'", optarg);
			cfg.rate = (unsigned)v;
			break;
		}
		case 'p':
			cfg.port_file = optarg;
			break;
		case 'R':
			cfg.root = optarg;
			break;
		default:
			return bad("serve: unknown option%s", "");
		}
	}
	if (optind < argc)
		return bad("serve: unexpected argument '%s'", argv[optind]);
	if (!cfg.cert || !cfg.key || !token_file)
		return bad("serve needs --cert, --key and --token-file%s", "");
	cfg.token = read_token(token_file);
	if (!cfg.token)
		return bad("cannot read a token from '%s'", token_file);
	if (!cfg.audit) {
		snprintf(audit_path, sizeof(audit_path), "%s/serve-audit.jsonl", cfg.root);
		cfg.audit = audit_path;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = tt_logsrv_run(&cfg, &stop_flag);
	if (rc) {
		fprintf(stderr, "tt-logs serve: %s\n", tt_err_msg());
		return rc == -EINVAL ? 2 : 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"env", required_argument, 0, 'e'},
					     {"proc", required_argument, 0, 'p'},
					     {"level", required_argument, 0, 'l'},
					     {"since", required_argument, 0, 's'},
					     {"until", required_argument, 0, 'u'},
					     {"event", required_argument, 0, 'E'},
					     {"order", required_argument, 0, 'o'},
					     {"limit", required_argument, 0, 'n'},
					     {"follow", no_argument, 0, 'f'},
					     {"json", no_argument, 0, 'j'},
					     {"root", required_argument, 0, 'R'},
					     {"remote", required_argument, 0, 'r'},
					     {"token-file", required_argument, 0, 't'},
					     {"cacert", required_argument, 0, 'C'},
					     {0, 0, 0, 0}};
	static const char *const keys[] = {
	    ['e'] = "env",   ['p'] = "proc",  ['l'] = "level", ['s'] = "since",
	    ['u'] = "until", ['E'] = "event", ['o'] = "order", ['n'] = "limit"};
	struct tt_logq q = {0};
	const char *sub = NULL, *remote = NULL, *token_file = NULL, *cacert = NULL;
	char qs[2048] = "";
	bool json = false, fol = false;
	int c, rc;
	int64_t now = now_ns();

	tt_log_init("tt-logs");
	q.root = getenv("TT_LOGS_ROOT") ? getenv("TT_LOGS_ROOT") : "logs";
	if (argc > 1 && argv[1][0] != '-') {
		sub = argv[1];
		if (strcmp(sub, "serve") == 0)
			return serve_main(argc - 1, argv + 1);
		if (strcmp(sub, "denied") && strcmp(sub, "timeline") && strcmp(sub, "events"))
			return bad("unknown command '%s' (denied, timeline, events, serve)", sub);
		argc--;
		argv++;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
		case 'p':
		case 'l':
		case 's':
		case 'u':
		case 'E':
		case 'o':
		case 'n':
			if (tt_logq_set(&q, keys[c], optarg, now)) {
				rc = bad("%s", tt_err_msg());
				return rc;
			}
			qs_add(qs, sizeof(qs), keys[c], optarg);
			break;
		case 'f':
			fol = true;
			break;
		case 'j':
			json = true;
			break;
		case 'R':
			q.root = optarg;
			break;
		case 'r':
			remote = optarg;
			break;
		case 't':
			token_file = optarg;
			break;
		case 'C':
			cacert = optarg;
			break;
		case '?':
			return bad("unknown option or missing value near '%s'", argv[optind - 1]);
		default:
			return bad("bad option%s", "");
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	if (sub && strcmp(sub, "events") == 0) {
		if (remote)
			goto remote_call;
		tt_logq_print_events(stdout, json);
		return 0;
	}
	if (sub && strcmp(sub, "timeline") == 0 && !q.order)
		return bad("timeline needs --order ID%s", "");
	if (sub && strcmp(sub, "denied") == 0)
		q.event = "denied";
	if (fol && remote)
		return bad("--follow works on a local tree only%s", "");
	if (remote) {
		char path[2300];
		char *body = NULL;
		size_t blen = 0;
		FILE *m;
		const char *tok;

	remote_call:
		if (!token_file || !cacert)
			return bad("--remote needs --token-file and --cacert%s", "");
		tok = read_token(token_file);
		if (!tok)
			return bad("cannot read a token from '%s'", token_file);
		snprintf(path, sizeof(path), "/v1/%s%s", !sub ? "query" : sub, qs);
		m = open_memstream(&body, &blen);
		if (!m)
			return 1;
		rc = tt_logsrv_get(remote, path, tok, cacert, m);
		fclose(m);
		if (rc != 200) {
			if (rc < 0)
				fprintf(stderr, "tt-logs: %s\n", tt_err_msg());
			else
				fprintf(stderr, "tt-logs: server answered %d: %.*s\n", rc,
					(int)(blen > 200 ? 200 : blen), body ? body : "");
			free(body);
			return 1;
		}
		if (json || (sub && strcmp(sub, "events") == 0)) {
			fwrite(body, 1, blen, stdout);
		} else {
			char *save = NULL;

			for (char *l = strtok_r(body, "\n", &save); l;
			     l = strtok_r(NULL, "\n", &save))
				tt_logq_print_human(stdout, l);
		}
		free(body);
		return 0;
	}
	if (fol) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		setvbuf(stdout, NULL, _IOLBF, 0);
	}
	{
		struct tt_logq_result res = {0};

		rc = tt_logq_run(&q, &res);
		if (rc) {
			fprintf(stderr, "tt-logs: %s\n", tt_err_msg());
			tt_logq_result_free(&res);
			return 1;
		}
		for (size_t i = 0; i < res.n; i++)
			print_line(res.hit[i].line, json);
		if (res.bad_lines)
			fprintf(stderr, "tt-logs: %llu malformed lines skipped\n",
				(unsigned long long)res.bad_lines);
		tt_logq_result_free(&res);
	}
	if (fol)
		return follow(&q, json);
	return 0;
}
