/*
 * disk.c — the drive.
 *
 * A request's service time is controller overhead, then the seek to its
 * cylinder (or a head switch), then the rotational wait for its first sector,
 * then the media transfer.  The platter's angle is a function of absolute
 * simulated time — sector (t mod revolution) / sector time is under the head
 * at time t — so two requests to neighbouring sectors cost what they would on
 * the real drive, not an average half revolution.
 *
 * The queue in front of the drive is the host's (diskq.c); the drive serves
 * one request at a time and interrupts when it is done.
 */
#include "disk.h"
#include "kassert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

bool
disk_params_valid(const struct disk_params *p, char **why)
{
	const char *bad = NULL;

	if (p->rpm < 1000 || p->rpm > 30000)
		bad = "disk.rpm must be between 1000 and 30000";
	else if (p->cylinders < 1 || p->heads < 1 || p->sectors_per_track < 1)
		bad = "disk geometry must be positive";
	else if (p->cylinders > (1LL << 32) || p->heads > 1024 ||
	    p->sectors_per_track > 100000)
		bad = "disk geometry is implausibly large";
	else if (p->seek_boundary < 1)
		bad = "disk.seek_boundary must be at least 1";
	else if (p->seek_a < 0 || p->seek_b < 0 || p->seek_c < 0 || p->seek_e < 0)
		bad = "disk seek coefficients must not be negative";
	if (bad != NULL && why != NULL)
		*why = g_strdup(bad);
	return bad == NULL;
}

void
disk_init(struct disk *d, struct sim *s, const struct disk_params *p,
    const struct diskq_ops *qops)
{
	memset(d, 0, sizeof(*d));
	d->sim = s;
	d->p = *p;
	d->qops = qops;
	diskq_init(&d->q);
	d->period = (sim_time_t)llround(60e9 / p->rpm);
	d->sector_ns = (double)d->period / p->sectors_per_track;
}

int64_t
disk_capacity(const struct disk *d)
{
	return d->p.cylinders * d->p.heads * d->p.sectors_per_track;
}

int
disk_qlen(const struct disk *d)
{
	return d->q.len + (d->active != NULL);
}

sim_time_t
disk_seek_time(const struct disk *d, int64_t dist)
{
	double ms;

	if (dist == 0)
		return 0;
	if (dist == 1)
		return d->p.seek_single;
	if (dist < d->p.seek_boundary)
		ms = d->p.seek_a + d->p.seek_b * sqrt((double)dist);
	else
		ms = d->p.seek_c + d->p.seek_e * (double)dist;
	return (sim_time_t)llround(ms * 1e6);
}

void
disk_locate(const struct disk *d, int64_t sector, int64_t *cyl, int *head,
    int *sect)
{
	int64_t spc = (int64_t)d->p.heads * d->p.sectors_per_track;

	*cyl = sector / spc;
	*head = (int)((sector % spc) / d->p.sectors_per_track);
	*sect = (int)(sector % d->p.sectors_per_track);
}

void
disk_service(struct disk *d, struct diskreq *r, sim_time_t now)
{
	int64_t cyl;
	int head, sect, spt = d->p.sectors_per_track, remaining;
	sim_time_t t = now + d->p.overhead, seek;
	double pos, wait, xfer = 0;

	disk_locate(d, r->sector, &cyl, &head, &sect);
	if (cyl != d->cur_cyl) {
		seek = disk_seek_time(d, llabs(cyl - d->cur_cyl));
		if (r->write)
			seek += d->p.write_settle;
	} else if (head != d->cur_head)
		seek = d->p.head_switch;
	else
		seek = 0;
	t += seek;

	/* Which sector is under the head now, and how long until ours. */
	pos = (double)(t % d->period) / d->sector_ns;
	wait = (double)sect - pos;
	if (wait < 0)
		wait += spt;
	r->rot_ns = (sim_time_t)llround(wait * d->sector_ns);
	t += r->rot_ns;

	/* Media transfer, track by track; a crossing costs a head switch
	 * (or a one-cylinder seek) and, with perfect skew, nothing more. */
	remaining = r->nsect;
	while (remaining > 0) {
		int n = MIN(remaining, spt - sect);

		xfer += n * d->sector_ns;
		remaining -= n;
		if (remaining > 0) {
			sect = 0;
			if (++head == d->p.heads) {
				head = 0;
				cyl++;
				xfer += (double)d->p.seek_single;
			} else
				xfer += (double)d->p.head_switch;
		}
	}
	r->xfer_ns = (sim_time_t)llround(xfer);
	r->seek_ns = seek;
	r->start = now;
	r->end = t + r->xfer_ns;
	r->cyl = cyl;
	d->cur_cyl = cyl;
	d->cur_head = head;
}

static void disk_intr(struct sim *s, void *arg);

static void
disk_start(struct disk *d)
{
	struct diskreq *r;

	if (d->active != NULL || (r = d->qops->first(&d->q)) == NULL)
		return;
	diskq_remove(&d->q, r);
	d->active = r;
	disk_service(d, r, sim_now(d->sim));
	sim_at(d->sim, r->end, disk_intr, d);
}

/* The drive interrupts: the active request is done.  Start the next one
 * at once (the driver does so from its interrupt handler), then report. */
static void
disk_intr(struct sim *s, void *arg)
{
	struct disk *d = arg;
	struct diskreq *r = d->active;

	(void)s;
	KASSERT(r != NULL, ("disk interrupt with no active request"));
	d->active = NULL;
	if (r->write) {
		d->st.writes++;
		d->st.sectors_written += (uint64_t)r->nsect;
	} else {
		d->st.reads++;
		d->st.sectors_read += (uint64_t)r->nsect;
	}
	d->st.busy_ns += r->end - r->start;
	d->st.seek_ns += r->seek_ns;
	d->st.rot_ns += r->rot_ns;
	d->st.xfer_ns += r->xfer_ns;
	d->st.queue_ns += r->start - r->submit;
	disk_start(d);
	d->done(d->done_arg, r);
}

void
disk_strategy(struct disk *d, struct diskreq *r)
{
	KASSERT(r->nsect > 0, ("disk_strategy: empty request"));
	KASSERT(r->sector >= 0 && r->sector + r->nsect <= disk_capacity(d),
	    ("disk_strategy: sector %lld beyond the disk", (long long)r->sector));
	r->submit = sim_now(d->sim);
	d->qops->insert(&d->q, r, d->cur_cyl);
	if (d->q.len > d->st.maxqlen)
		d->st.maxqlen = d->q.len;
	disk_start(d);
}
