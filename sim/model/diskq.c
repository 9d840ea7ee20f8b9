/*
 * diskq.c — request queues and their disciplines.
 *
 * A discipline is a small ops table chosen by name from the profile
 * (diskq.scheduler for the host's queue, disk.scheduler for the drive's
 * own), like a vnode operations vector: it decides where a new request
 * goes and which one the drive is given next.
 *
 *  fcfs   in arrival order.
 *  sstf   the request on the cylinder nearest the heads.
 *  clook  FreeBSD's one-way elevator, bufqdisksort(9) of subr_disklabel.c
 *         (4.x and 5.0): requests at or past the last one served, in
 *         ascending block order, then a second sweep from the lowest
 *         block; an ordered request (B_ORDERED) is a barrier nothing is
 *         sorted ahead of.
 *  cycle_lbn  DiskSim 4.0's CYCLE_LBN (policy 3), as its I/O queue
 *         dispatches it (ioqueue_get_request_from_lbn_scan_queue): the
 *         request with the lowest block at or past the first block of the
 *         last one taken, else the lowest -- chosen when the drive takes
 *         one, where bufqdisksort sorts as each arrives (a request into an
 *         empty queue is first, wherever it lies).
 *  sstf_lbn  DiskSim 4.0's SSTF_LBN (policy 4), as its I/O queue
 *         dispatches it (ioqueue_get_request_from_lbn_vscan_queue with no
 *         weight): the request whose first block is nearest, in blocks,
 *         the block after the last request taken; a tie goes up and down
 *         by turns.
 *  sptf   the request whose first block the drive can reach soonest:
 *         seek and rotation from where the heads are now, using the
 *         drive's rotational model (cache hits first).
 *  sptf_opt  DiskSim 4.0's SPTF_OPT (policy 8), as its I/O queue
 *         dispatches it (ioqueue_get_request_from_opt_sptf_queue): the
 *         request with the least initiation delay plus DiskSim's estimate
 *         of its positioning (disk_sptf_opt_estimate: the platter's angle
 *         as of the last sector read or written, not now), the lowest
 *         block of equals; none estimated at 100 s or more.
 */
#include "disk.h"

#include <stdlib.h>
#include <string.h>

void
diskq_init(struct diskq *q)
{
	TAILQ_INIT(&q->head);
	q->len = 0;
	q->last_pblkno = 0;
	q->lbn_last = 0;
	q->lbn_down = false;
	q->insert_point = NULL;
	q->switch_point = NULL;
}

/* bufq_remove: also note where the elevator is. */
void
diskq_remove(struct diskq *q, struct diskreq *r)
{
	if (r == q->switch_point)
		q->switch_point = TAILQ_NEXT(r, q);
	if (r == q->insert_point) {
		q->insert_point = TAILQ_PREV(r, diskreqq, q);
		if (q->insert_point == NULL)
			q->last_pblkno = 0;
	} else if (r == TAILQ_FIRST(&q->head))
		q->last_pblkno = r->sector;
	TAILQ_REMOVE(&q->head, r, q);
	if (TAILQ_FIRST(&q->head) == q->switch_point)
		q->switch_point = NULL;
	q->len--;
}

static void
insert_tail(struct diskq *q, struct diskreq *r)
{
	/* bufq_insert_tail: an ordered request becomes the barrier. */
	if (r->ordered) {
		q->insert_point = r;
		q->switch_point = NULL;
	}
	TAILQ_INSERT_TAIL(&q->head, r, q);
	q->len++;
}

/* ---- fcfs -------------------------------------------------------------- */

static void
fcfs_insert(struct diskq *q, struct diskreq *r, const struct disk *d)
{
	(void)d;
	insert_tail(q, r);
}

static struct diskreq *
fcfs_first(struct diskq *q, const struct disk *d)
{
	(void)d;
	return TAILQ_FIRST(&q->head);
}

/* ---- sstf -------------------------------------------------------------- */

static struct diskreq *
sstf_first(struct diskq *q, const struct disk *d)
{
	struct diskreq *r, *best = NULL;
	int64_t bestd = 0;

	TAILQ_FOREACH(r, &q->head, q) {
		struct disk_pbn b;
		int64_t dist;

		disk_ltop(&d->p, r->sector, &b);
		dist = llabs(b.cyl - d->cur_cyl);
		if (best == NULL || dist < bestd) {
			best = r;
			bestd = dist;
		}
	}
	return best;
}

/* ---- cycle_lbn ---------------------------------------------------------- */

/*
 * DiskSim keeps its queue in block order (ioqueue_insert_ordered_to_queue,
 * a request after those equal to it) and takes the first at or past the
 * last one's first block, wrapping to the first of all: here the lowest
 * such block, the first to arrive of equal ones.  first is only ever
 * called to take the request (disk_dispatch removes it at once).
 */
static struct diskreq *
cycle_lbn_first(struct diskq *q, const struct disk *d)
{
	struct diskreq *r, *ahead = NULL, *lowest = NULL, *take;

	(void)d;
	TAILQ_FOREACH(r, &q->head, q) {
		if (r->sector >= q->lbn_last &&
		    (ahead == NULL || r->sector < ahead->sector))
			ahead = r;
		if (lowest == NULL || r->sector < lowest->sector)
			lowest = r;
	}
	take = ahead != NULL ? ahead : lowest;
	if (take != NULL)
		q->lbn_last = take->sector;
	return take;
}

/* ---- sstf_lbn ----------------------------------------------------------- */

/*
 * Of the requests at or after the block after the last one taken, the
 * lowest ("top"); of those before it, the highest ("bottom"); each the
 * first to arrive of equal ones (DiskSim keeps its queue in block order,
 * a request after those equal to it).  The nearer is taken, a tie the
 * other way from the last tie.  first is only ever called to take the
 * request (disk_dispatch removes it at once), so it moves the queue's
 * notion of where the last one ended, as DiskSim's get_next does.
 * (DiskSim orders its queue by cylinder, surface and block as its
 * cylinder mapping gives them: by block on every layout vfssim reads
 * but a surface-major one, mapping scheme 1 or 2, which no DiskSim drive
 * file pairs with this policy.)
 */
static struct diskreq *
sstf_lbn_first(struct diskq *q, const struct disk *d)
{
	struct diskreq *r, *top = NULL, *bottom = NULL, *take;
	int64_t last = q->lbn_last;

	(void)d;
	TAILQ_FOREACH(r, &q->head, q) {
		if (r->sector >= last) {
			if (top == NULL || r->sector < top->sector)
				top = r;
		} else if (bottom == NULL || r->sector > bottom->sector)
			bottom = r;
	}
	if (top == NULL)
		take = bottom;
	else if (bottom == NULL)
		take = top;
	else {
		int64_t up = top->sector - last, down = last - bottom->sector;

		take = up < down || (up == down && !q->lbn_down) ? top : bottom;
		if (up == down)
			q->lbn_down = !q->lbn_down;
	}
	if (take != NULL)
		q->lbn_last = take->sector + take->nsect;
	return take;
}

/* ---- clook: bufqdisksort ------------------------------------------------ */

static void
clook_insert(struct diskq *q, struct diskreq *r, const struct disk *d)
{
	struct diskreq *bq, *bn, *be;

	(void)d;
	be = TAILQ_LAST(&q->head, diskreqq);
	/* An empty queue, or an ordered request: at the tail. */
	if ((bq = TAILQ_FIRST(&q->head)) == NULL || r->ordered) {
		insert_tail(q, r);
		return;
	}
	if (q->insert_point != NULL) {
		/* Nothing goes ahead of the barrier. */
		bq = q->insert_point;
	} else if (r->sector < q->last_pblkno) {
		/* Behind the heads: into the second sweep. */
		bq = q->switch_point;
		if (bq == NULL) {
			q->switch_point = r;
			insert_tail(q, r);
			return;
		}
		if (r->sector < bq->sector) {
			q->switch_point = r;
			TAILQ_INSERT_BEFORE(bq, r, q);
			q->len++;
			return;
		}
	} else {
		if (q->switch_point != NULL)
			be = TAILQ_PREV(q->switch_point, diskreqq, q);
		/* Between the heads and the first request: first. */
		if (r->sector < bq->sector) {
			TAILQ_INSERT_BEFORE(bq, r, q);
			q->len++;
			return;
		}
	}
	/* At or after bq in this sweep: at the sweep's end if it goes
	 * there (sequential I/O), else by insertion sort. */
	if (be != NULL && r->sector > be->sector) {
		TAILQ_INSERT_AFTER(&q->head, be, r, q);
		q->len++;
		return;
	}
	while ((bn = TAILQ_NEXT(bq, q)) != NULL) {
		if (bn == q->switch_point || r->sector < bn->sector)
			break;
		bq = bn;
	}
	TAILQ_INSERT_AFTER(&q->head, bq, r, q);
	q->len++;
}

/* ---- sptf -------------------------------------------------------------- */

static struct diskreq *
sptf_first(struct diskq *q, const struct disk *d)
{
	struct diskreq *r, *best = NULL;
	sim_time_t bestt = 0;

	TAILQ_FOREACH(r, &q->head, q) {
		sim_time_t t = disk_position_estimate(d, r);

		if (best == NULL || t < bestt) {
			best = r;
			bestt = t;
		}
	}
	return best;
}

static struct diskreq *
sptf_opt_first(struct diskq *q, const struct disk *d)
{
	/* The queue's own delays: the host's, or the drive's. */
	const sim_time_t *delay = q == &d->q ? d->p.host_init_delay :
	    d->p.init_delay;
	struct diskreq *r, *best = NULL;
	double bestt = 100000 * 1e6;	/* DiskSim's mintime, 100,000 ms */

	/* DiskSim keeps this queue in block order and takes the first of
	 * equals: of equal estimates the lowest block, of equal blocks the
	 * first to arrive (here the queue is in arrival order). */
	TAILQ_FOREACH(r, &q->head, q) {
		double t = (double)delay[r->write ? 1 : 0] +
		    disk_sptf_opt_estimate(d, r);

		if (t < bestt || (t == bestt && best != NULL &&
		    r->sector < best->sector)) {
			best = r;
			bestt = t;
		}
	}
	return best != NULL ? best : TAILQ_FIRST(&q->head);
}

static const struct diskq_ops diskq_fcfs = {
	.name = "fcfs", .insert = fcfs_insert, .first = fcfs_first,
};
static const struct diskq_ops diskq_sstf = {
	.name = "sstf", .insert = fcfs_insert, .first = sstf_first,
};
static const struct diskq_ops diskq_clook = {
	.name = "clook", .insert = clook_insert, .first = fcfs_first,
};
static const struct diskq_ops diskq_cycle_lbn = {
	.name = "cycle_lbn", .insert = fcfs_insert, .first = cycle_lbn_first,
};
static const struct diskq_ops diskq_sstf_lbn = {
	.name = "sstf_lbn", .insert = fcfs_insert, .first = sstf_lbn_first,
};
static const struct diskq_ops diskq_sptf = {
	.name = "sptf", .insert = fcfs_insert, .first = sptf_first,
};
static const struct diskq_ops diskq_sptf_opt = {
	.name = "sptf_opt", .insert = fcfs_insert, .first = sptf_opt_first,
};

static const struct diskq_ops *const disciplines[] = {
	&diskq_fcfs, &diskq_sstf, &diskq_clook, &diskq_cycle_lbn, &diskq_sstf_lbn,
	&diskq_sptf, &diskq_sptf_opt, NULL
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
