/*
 * logring.c — open/close of the calling thread's log ring (tt_logring.h). The ring handle
 * lives in thread-local storage so tt_logh() reaches it with one TLS load; nothing here
 * runs on the hot path.
 */
#include "tt_logring.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tt_err.h"

static __thread struct tt_ring tt_logring_handle;

struct tt_ring_params tt_logring_params(uint32_t capacity)
{
	struct tt_ring_params p = {
	    .slot_size = sizeof(struct tt_log_rec),
	    .capacity = capacity ? capacity : TT_LOGRING_CAP_DEFAULT,
	    .mode = TT_RING_LOSSY,
	    .msg_version = TT_LOGRING_MSG_VERSION,
	};
	return p;
}

static int name_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

int tt_logring_name(char *out, size_t cap, const char *instance, const char *proc, uint32_t tid)
{
	int n;

	if (!name_ok(instance) || !name_ok(proc))
		return tt_err_set(-EINVAL,
				  "log ring name: instance '%s' / proc '%s' must be "
				  "[A-Za-z0-9_-]+",
				  instance ? instance : "(null)", proc ? proc : "(null)");
	if (tid)
		n = snprintf(out, cap, "%s.log.%s.t%u", instance, proc, tid);
	else
		n = snprintf(out, cap, "%s.log.%s", instance, proc);
	if (n < 0 || (size_t)n >= cap || (size_t)n >= TT_RING_NAME_MAX)
		return tt_err_set(-ENAMETOOLONG, "log ring name for %s/%s too long", instance,
				  proc);
	return 0;
}

int tt_logring_open(const char *instance, const char *proc, uint32_t tid, uint32_t capacity)
{
	char name[TT_RING_NAME_MAX];
	struct tt_ring_params p = tt_logring_params(capacity);
	int rc;

	rc = tt_logring_name(name, sizeof(name), instance, proc, tid);
	if (rc)
		return rc;
	tt_logring_close();
	rc = tt_ring_attach(&tt_logring_handle, name, TT_RING_PRODUCER, &p, TT_WAIT_SPIN);
	if (rc == -ENOENT || rc == -TT_ELAYOUT || rc == -TT_EMAGIC || rc == -TT_EVERSION) {
		/* missing, or left by a build with another layout: start afresh */
		tt_err_clear();
		rc = tt_ring_create(name, &p);
		if (rc == 0)
			rc = tt_ring_attach(&tt_logring_handle, name, TT_RING_PRODUCER, &p,
					    TT_WAIT_SPIN);
	}
	if (rc) {
		tt_err_add("log ring %s", name);
		return rc;
	}
	tt__log_tid = tid;
	tt__log_pid = (int32_t)getpid();
	tt__log_ring = &tt_logring_handle;
	return 0;
}

void tt_logring_close(void)
{
	if (!tt__log_ring)
		return;
	tt__log_ring = NULL;
	tt_ring_detach(&tt_logring_handle);
}
