/*
 * proc.c — tt_proc_lock_memory (tt_proc.h).
 */
#include "tt_proc.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "tt_log.h"

/* Touches 256 KiB of stack below us so its pages exist before the hot path needs them. */
static __attribute__((noinline)) void prefault_stack(void)
{
	volatile char buf[256 * 1024];

	for (size_t i = 0; i < sizeof(buf); i += 4096)
		buf[i] = 0;
}

bool tt_proc_lock_memory(void)
{
	prefault_stack();
	if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
		tt_log(TT_LOG_INFO, "mlock_ok", TT_LS("what", "all current and future mappings"));
		return true;
	}
	tt_log(TT_LOG_WARN, "mlock_unavailable", TT_LS("error", strerror(errno)),
	       TT_LS("fix", "run with CAP_IPC_LOCK or raise RLIMIT_MEMLOCK (ulimit -l); "
			    "page faults may then hit the hot path"));
	return false;
}
