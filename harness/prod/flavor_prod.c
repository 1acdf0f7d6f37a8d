/*
 * flavor_prod.c — the prod flavor marker. Prod-only source: refuses to compile elsewhere.
 *
 * It also keeps prod code out of testnet processes at run time. The link-time ASSERT
 * (flavor_testnet.ld) stops a prod library from being linked into a testnet binary, but
 * not from being loaded later: dlopen(), LD_PRELOAD, or a binary linked without the
 * linker script. Every prod object carries this file, so its constructor runs first in
 * all those cases: it looks for the testnet flavor marker in the main program's loaded
 * segments and, when it finds it, writes one `denied` event (what=exec,
 * rule=prod_flavor_in_testnet_process) and ends the process with status 126 before any
 * prod code runs or dlopen() returns (tests/redteam: dlopen_prod_library,
 * preload_prod_library, link_without_the_linker_script).
 */
#ifndef TT_FLAVOR_PROD
#error "ticktrade: prod-only source compiled outside the prod flavor (harness/prod/flavor_prod.c)"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dl_iterate_phdr, memmem; the project build defines it already */
#endif
#include "tt_flavor.h"

#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((used)) const char tt_flavor_marker[] = "ticktrade-flavor:prod";
__attribute__((used)) const char tt_flavor_prod_marker[] = "prod";

const char *tt_flavor_name(void)
{
	return tt_flavor_prod_marker;
}

int tt__flavor_is_prod(void)
{
	return 1;
}

extern char *program_invocation_short_name;

/* dl_iterate_phdr callback: the first object is the main program. 1 when one of its
 * readable segments holds the needle, 2 when not (both stop the walk). */
static int tt_flavor_prod_scan_main(struct dl_phdr_info *info, size_t size, void *needle)
{
	size_t n = strlen(needle);

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];

		if (p->p_type != PT_LOAD || !(p->p_flags & PF_R) || p->p_filesz < n)
			continue;
		if (memmem((const void *)(info->dlpi_addr + p->p_vaddr), p->p_filesz, needle, n))
			return 1;
	}
	return 2;
}

/* JSON-safe copy: anything but printable ASCII (and quote, backslash) becomes '?'. */
static void tt_flavor_prod_safe(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	for (; src && *src && i + 1 < cap; src++)
		dst[i++] =
		    (*src >= 0x20 && *src < 0x7f && *src != '"' && *src != '\\') ? *src : '?';
	dst[i] = '\0';
}

__attribute__((constructor)) static void tt_flavor_prod_refuse_testnet_process(void)
{
	char needle[64];
	char exe[256] = "";
	char target[256];
	char proc[64];
	char line[768];
	const char *colon = strchr(tt_flavor_marker, ':');
	ssize_t n;
	int len;

	/* "ticktrade-flavor:" + "testnet", assembled here so prod binaries never hold it */
	if (!colon || (size_t)(colon + 1 - tt_flavor_marker) + 8 > sizeof(needle))
		return;
	memcpy(needle, tt_flavor_marker, (size_t)(colon + 1 - tt_flavor_marker));
	strcpy(needle + (colon + 1 - tt_flavor_marker), "testnet");
	if (dl_iterate_phdr(tt_flavor_prod_scan_main, needle) != 1)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	tt_flavor_prod_safe(target, sizeof(target), exe[0] ? exe : "(main program)");
	tt_flavor_prod_safe(proc, sizeof(proc), program_invocation_short_name);
	len = snprintf(line, sizeof(line),
		       "{\"event\":\"denied\",\"what\":\"exec\",\"target\":\"%s\","
		       "\"rule\":\"prod_flavor_in_testnet_process\",\"process\":\"%s\","
		       "\"flavor\":\"prod\"}\n",
		       target, proc);
	if (len > 0) {
		ssize_t w;

		do {
			w = write(2, line,
				  (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
		} while (w < 0 && errno == EINTR);
	}
	_exit(126);
}
