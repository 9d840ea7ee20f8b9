/*
 * diskq.c — the host's disk request queue and its disciplines.
 *
 * A discipline is a small ops table chosen by name from the profile
 * (diskq.scheduler), like a vnode operations vector: it decides where a new
 * request goes and which one the drive is given next.  The first model has
 * FCFS; the elevator (bufqdisksort), SSTF and SPTF plug in beside it.
 */
#include "disk.h"

#include <string.h>

void
diskq_init(struct diskq *q)
{
	TAILQ_INIT(&q->head);
	q->len = 0;
}

void
diskq_remove(struct diskq *q, struct diskreq *r)
{
	TAILQ_REMOVE(&q->head, r, q);
	q->len--;
}

/* FCFS: requests are served in the order they arrive. */
static void
fcfs_insert(struct diskq *q, struct diskreq *r, int64_t headcyl)
{
	(void)headcyl;
	TAILQ_INSERT_TAIL(&q->head, r, q);
	q->len++;
}

static struct diskreq *
fcfs_first(struct diskq *q)
{
	return TAILQ_FIRST(&q->head);
}

static const struct diskq_ops diskq_fcfs = {
	.name = "fcfs",
	.insert = fcfs_insert,
	.first = fcfs_first,
};

static const struct diskq_ops *const disciplines[] = {
	&diskq_fcfs,
	NULL
};

const struct diskq_ops *
diskq_lookup(const char *name)
{
	int i;

	for (i = 0; disciplines[i] != NULL; i++)
		if (strcmp(disciplines[i]->name, name) == 0)
			return disciplines[i];
	return NULL;
}
