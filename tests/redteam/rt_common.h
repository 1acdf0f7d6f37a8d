/*
 * rt_common.h — shared by the red-team case programs (tests/redteam/): per-case result
 * files for the run summary, and capture of the `denied` events a case provokes.
 *
 * Every case ends in exactly one result written to $RT_RESULTS/<case>:
 *   refused  the escape attempt failed and the layer named in the table said so;
 *   escaped  the attempt reached its goal (a query, a connect, a load): a hole;
 *   skipped  the case could not run here (not root, tool missing) — never a pass;
 *   error    the case itself broke (setup failed, an assertion outside the attempt).
 * A case exits 0 (refused), 77 (skipped: ctest SKIP_RETURN_CODE) or 1 (anything else).
 */
#ifndef RT_COMMON_H
#define RT_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_SKIP_RC 77

/* Writes "<outcome>\t<layer>\t<detail>" to $RT_RESULTS/<name> (no-op when unset). */
static inline void rt_record(const char *name, const char *outcome, const char *layer,
			     const char *detail)
{
	const char *dir = getenv("RT_RESULTS");
	char path[4096];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "%s\t%s\t%s\n", outcome, layer, detail ? detail : "");
	fclose(f);
}

/* Occurrences of needle in hay. */
static inline int rt_count(const char *hay, const char *needle)
{
	int n = 0;
	size_t l = strlen(needle);

	if (!l)
		return 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

#endif /* RT_COMMON_H */
