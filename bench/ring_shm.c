/*
 * ring_shm.c — POSIX shared memory for the baseline queues in tt-bench-ring: one object
 * per ring under /dev/shm, created and initialised once, then mapped by each side. The
 * ticktrade ring does the same through its own tt_ring_create/attach.
 */
#include "ring_ops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void shm_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/%s", name);
}

int br_shm_create(const char *name, size_t len, void (*init)(void *mem))
{
	char path[BR_NAME_MAX + 2];
	void *mem;
	int fd;

	shm_path(path, sizeof(path), name);
	fd = shm_open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) < 0) {
		int rc = -errno;

		close(fd);
		shm_unlink(path);
		return rc;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED) {
		int rc = -errno;

		shm_unlink(path);
		return rc;
	}
	init(mem);
	munmap(mem, len);
	return 0;
}

int br_shm_open(struct br_q *q, const char *name, size_t len)
{
	char path[BR_NAME_MAX + 2];
	void *mem;
	int fd;

	memset(q, 0, sizeof(*q));
	shm_path(path, sizeof(path), name);
	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return -errno;
	/* MAP_POPULATE: fault the pages in now, not inside the timed loop. */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	close(fd);
	if (mem == MAP_FAILED)
		return -errno;
	q->mem = mem;
	q->mem_len = len;
	return 0;
}

void br_shm_close(struct br_q *q)
{
	if (q->mem)
		munmap(q->mem, q->mem_len);
	q->mem = NULL;
}

void br_shm_destroy(const char *name)
{
	char path[BR_NAME_MAX + 2];

	shm_path(path, sizeof(path), name);
	shm_unlink(path);
}
