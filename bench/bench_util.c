/*
 * bench_util.c — machine description, TSC calibration, pinning and JSON helpers shared by
 * the tt-bench programs (see bench_util.h).
 */
#include "bench_util.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static void cpuinfo_read(struct tt_bench_machine *m)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool have_model = false;
	bool flags_done = false;

	snprintf(m->cpu, sizeof(m->cpu), "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && !(have_model && flags_done)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		if (!have_model && strncmp(line, "model name", 10) == 0) {
			char *v = colon + 1;

			while (*v == ' ')
				v++;
			v[strcspn(v, "\n")] = '\0';
			snprintf(m->cpu, sizeof(m->cpu), "%s", v);
			have_model = true;
		} else if (!flags_done && strncmp(line, "flags", 5) == 0) {
			m->constant_tsc = strstr(colon, " constant_tsc") && strstr(colon, " nonstop_tsc");
			flags_done = true;
		}
	}
	fclose(f);
}

void tt_bench_machine_get(struct tt_bench_machine *m)
{
	struct utsname u;
	cpu_set_t set;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	memset(m, 0, sizeof(*m));
	if (gethostname(m->host, sizeof(m->host) - 1) < 0)
		snprintf(m->host, sizeof(m->host), "unknown");
	for (char *p = m->host; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	gmtime_r(&now, &tm);
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(m->date_file, sizeof(m->date_file), "%Y-%m-%dT%H%M%SZ", &tm);
	cpuinfo_read(m);
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%.64s %.64s", u.sysname, u.release);
#if defined(__clang__)
	snprintf(m->compiler, sizeof(m->compiler), "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(m->compiler, sizeof(m->compiler), "gcc %s", __VERSION__);
#else
	snprintf(m->compiler, sizeof(m->compiler), "unknown");
#endif
	CPU_ZERO(&set);
	m->nproc = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
								 : (int)sysconf(_SC_NPROCESSORS_ONLN);
	m->tsc_ghz = 1.0;
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fgets(m->loadavg, sizeof(m->loadavg), f))
			m->loadavg[strcspn(m->loadavg, "\n")] = '\0';
		fclose(f);
	}
}

double tt_bench_tsc_calibrate(unsigned ms)
{
#if TT_BENCH_HAVE_TSC
	double best = 0;
	uint64_t window = (uint64_t)(ms ? ms : 1) * 1000000ull / 3;

	/* Three windows; keep the one whose clock reads were tightest around the TSC reads
	 * (least likely to have been preempted between them). */
	uint64_t best_err = UINT64_MAX;

	for (int i = 0; i < 3; i++) {
		uint64_t n0 = tt_bench_now_ns();
		uint64_t t0 = tt_bench_tsc();
		uint64_t n0b = tt_bench_now_ns();
		uint64_t n1, n1b, t1;

		do {
			n1 = tt_bench_now_ns();
		} while (n1 - n0 < window);
		t1 = tt_bench_tsc();
		n1b = tt_bench_now_ns();
		uint64_t err = (n0b - n0) + (n1b - n1);

		if (err < best_err) {
			best_err = err;
			best = (double)(t1 - t0) / ((double)((n1 + n1b) / 2 - (n0 + n0b) / 2));
		}
	}
	return best > 0 ? best : 1.0;
#else
	(void)ms;
	return 1.0;
#endif
}

int tt_bench_pick_cpus(int *a, int *b)
{
	cpu_set_t set;
	int n = 0;

	*a = -1;
	*b = -1;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (n == 0)
			*a = c;
		else if (n == 1)
			*b = c;
		n++;
	}
	return n;
}

int tt_bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* pid 0: the calling thread. */
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	return 0;
}

void tt_bench_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void tt_bench_json_machine(FILE *f, const struct tt_bench_machine *m)
{
	fputs("\"machine\": {\"host\": ", f);
	tt_bench_json_str(f, m->host);
	fputs(", \"date\": ", f);
	tt_bench_json_str(f, m->date);
	fputs(", \"cpu\": ", f);
	tt_bench_json_str(f, m->cpu);
	fprintf(f, ", \"nproc\": %d, \"kernel\": ", m->nproc);
	tt_bench_json_str(f, m->kernel);
	fputs(", \"compiler\": ", f);
	tt_bench_json_str(f, m->compiler);
	fprintf(f, ", \"constant_tsc\": %s, \"tsc_ghz\": %.6f, \"loadavg\": ",
		m->constant_tsc ? "true" : "false", m->tsc_ghz);
	tt_bench_json_str(f, m->loadavg);
	fputc('}', f);
}

int tt_bench_mkdir_p(const char *dir)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
