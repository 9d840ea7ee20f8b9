/*
 * disk.c — the drive's electronics: command processing, the bus, the
 * segmented cache, and the media access sector by sector.
 *
 * The drive serves one command at a time, as the drives DiskSim validated
 * were configured (no tagged queueing), and keeps working in the background
 * after a command: reading ahead into a cache segment after a read, writing
 * dirty data to the media after a write reported from the cache.  Three
 * activities overlap, each driven by its own timer:
 *
 *  - the interface: command overhead, then data over the bus in chunks as
 *    the cache has it (reads) or has room for it (writes), disconnecting
 *    while it waits and reselecting the host when there is enough to send
 *    (the watermark), then the completion message.  Every step's delay is
 *    a parameter measured on the real drive.
 *  - the media: a seek (or head switch) to the track, the rotational wait
 *    for the wanted sector, then sector after sector, switching tracks as
 *    the layout says; a sector is read only if the segment has room for it
 *    and written only once its data has come over the bus — otherwise the
 *    head waits a revolution for it to come round again.
 *  - the cache: segments of consecutive blocks, reused least recently used
 *    first; a read whose first block is in a segment is a (partial) hit and
 *    needs the bus only; a read-ahead in progress is stopped by a command
 *    that needs the heads elsewhere, or adopted by a read it serves.
 *
 * The platter's angle is a function of absolute simulated time (the angle
 * at t is t mod a revolution), so a request's rotational wait depends on
 * exactly when it reaches the media.  The behaviour follows DiskSim 4.0's
 * disk model (disksim_diskctlr.c, disksim_diskcache.c), whose parameters
 * describe real drives; where DiskSim's own code disagrees with its
 * documentation the comments say which was followed.
 */
#include "disk.h"
#include "kassert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* Segment states. */
enum {
	SEG_EMPTY,		/* holds nothing */
	SEG_CLEAN,		/* holds blocks also on the media */
	SEG_READING,		/* the media is filling it */
	SEG_WRITING,		/* the media is draining it */
	SEG_DIRTY,		/* holds blocks not yet on the media */
};

/* How a request meets the cache. */
enum hit { HIT_MISS, HIT_PARTIAL, HIT_WHOLE, HIT_APPEND };

enum media_state {
	M_IDLE,
	M_SEEK,			/* moving to the track of the next block */
	M_WAIT,			/* waiting for the next block's sector */
	M_SECTOR,		/* the next block's sector is under the head */
};

struct disk_media {
	enum media_state st;
	int		 seg;		/* segment filled (read) or drained */
	bool		 write;
	int64_t		 next;		/* next block */
	int64_t		 limit;		/* stop before this block */
	struct disk_pbn	 at;		/* where next is */
	/* The blocks of the track under the heads, and whether they lie on
	 * consecutive sectors (no slip inside): then the next block follows
	 * the last without any arithmetic. */
	int64_t		 tfirst, tend;
	bool		 tcontig;
	/* Zero-latency access: the blocks [imm_from, imm_to) of this track
	 * were taken as they came round, before [next, imm_from). */
	int64_t		 imm_from, imm_to;
	double		 t;		/* exact time the current step ends */
	double		 seek_end;
};

enum iface_state {
	IF_DELAY,		/* an overhead is running; then `next` */
	IF_XFER,		/* moving a chunk of blocks over the bus */
	IF_HOLD,		/* holding the bus until there is more to move */
	IF_DISC,		/* disconnected, to reselect when there is */
	IF_XD_WAIT,		/* extra write disconnect: between the two */
};

enum iface_next {
	NX_XFER,		/* start moving data */
	NX_DISC,		/* the disconnect is done */
	NX_XD_DISC,		/* the extra write disconnect is done */
	NX_RECHECK,		/* the extra write disconnect's pause is over */
	NX_COMPLETE,		/* the completion message is out */
};

struct disk_cmd {
	struct diskreq	*r;
	bool		 write;
	int64_t		 lbn, end;	/* blocks [lbn, end) */
	int		 n;
	int		 after;		/* 0 after a read, 1 after a write */
	int		 seg;
	enum hit	 hit;
	int		 watermark;
	bool		 fast;		/* write-back: report from the cache */
	bool		 xd;		/* extra write disconnect */
	bool		 xd_reselected;	/* its first reselection is done */
	bool		 wait_media;	/* waiting for the heads to be free */
	bool		 completion_sent;
	bool		 media_began;	/* the media was positioned for it */
	sim_time_t	 overhead_done;	/* mechanical work may begin */
	/* the interface */
	enum iface_state ist;
	enum iface_next	 next;
	int64_t		 out;		/* next block to move over the bus */
	int64_t		 xfer_from;
	int		 xfer_n;
	double		 xfer_t0, xfer_blk;
	/* accounting */
	sim_time_t	 seek_ns;
	double		 seek_end;
	double		 first_sector, last_sector_end;
	double		 bus_ns;
};

static void media_fire(struct disk *d);
static bool media_block_ready(struct disk *d, int64_t b, double t);
static bool cmd_on_seg(const struct disk *d, int s);
static int64_t bus_read_to(const struct disk *d, double t);
static void iface_fire(struct disk *d);
static void bus_chunk(struct disk *d, int64_t n, sim_time_t now);
static void arrive_fire(struct disk *d);
static void cmd_media_progress(struct disk *d);
static void cmd_media_ready(struct disk *d);
static void dispatch(struct disk *d);
static void read_go(struct disk *d, struct disk_cmd *c, bool fresh);
static void write_go(struct disk *d, struct disk_cmd *c, bool fresh);

/* ---- timers ---------------------------------------------------------- */

static void disk_check(const struct disk *d);

/*
 * The drive's timers are scheduled lazily.  Arming one takes its place in
 * the order of events (sim_ticket) but queues nothing; whatever armed it
 * queues it on the way out (timer_flush), unless it is a timer's callout
 * and the timer is the very next event due: then the callout moves the
 * clock and runs it at once (sim_callout_advance).  A run of sectors, and
 * the bus following them block by block, costs one event instead of two a
 * sector, and every step runs at the same time and in the same order as
 * from the queue.
 */
static void timer_fire(struct sim *s, void *arg);
static void media_stream(struct disk *d);

static void
timer_queue(struct disk *d, struct disk_timer *t)
{
	sim_at_ticket(d->sim, t->when, t->ticket, timer_fire, t);
	t->queued = true;
}

/*
 * Disarm a timer.  One armed but not yet queued is queued all the same,
 * as a stale event: had it been queued when armed, it would be there, and
 * it would run the timer if it were re-armed for exactly the same time.
 */
static void
timer_disarm(struct disk *d, struct disk_timer *t)
{
	if (t->armed && !t->queued)
		timer_queue(d, t);
	t->armed = false;
}

/*
 * llround(x), without the library call every sector's timer would make:
 * for 0 <= x < 2^53 the integer part is exact and so is x minus it (the
 * two are within a factor of two), and above that x is an integer.
 */
static inline sim_time_t
ns_round(double x)
{
	sim_time_t i;

	if (!(x >= 0 && x < 0x1p62))
		return (sim_time_t)llround(x);
	i = (sim_time_t)x;
	return i + (x - (double)i >= 0.5);
}

/* Arm a timer for `when`, at time `now` (never earlier than that). */
static void
timer_arm_at(struct disk *d, struct disk_timer *t, double when, sim_time_t now)
{
	sim_time_t w = ns_round(when);

	timer_disarm(d, t);
	t->when = w < now ? now : w;
	t->ticket = sim_ticket(d->sim);
	t->armed = true;
	t->queued = false;
	if (d->each_step)
		timer_queue(d, t);
}

static void
timer_arm(struct disk *d, struct disk_timer *t, double when)
{
	timer_arm_at(d, t, when, sim_now(d->sim));
}

static inline struct disk_timer *
timer_earlier(struct disk_timer *a, struct disk_timer *b)
{
	if (!b->armed || b->queued)
		return a;
	if (a == NULL || b->when < a->when ||
	    (b->when == a->when && b->ticket < a->ticket))
		return b;
	return a;
}

/* The armed timer not yet queued that is due first, or NULL. */
static inline struct disk_timer *
timer_next(struct disk *d)
{
	return timer_earlier(timer_earlier(timer_earlier(NULL, &d->t_media),
	    &d->t_iface), &d->t_arrive);
}

/* Queue the timers armed since the drive last handed back control. */
static void
timer_flush(struct disk *d)
{
	struct disk_timer *t;

	while ((t = timer_next(d)) != NULL)
		timer_queue(d, t);
}

static void
timer_fire(struct sim *s, void *arg)
{
	struct disk_timer *t = arg;
	struct disk *d = t->d;

	KASSERT((!d->t_media.armed || d->t_media.queued) &&
	    (!d->t_iface.armed || d->t_iface.queued) &&
	    (!d->t_arrive.armed || d->t_arrive.queued),
	    ("disk: a timer armed but never queued"));
	if (!t->armed || sim_now(s) != t->when)
		return;		/* disarmed or re-armed since */
	/* The timer, any run of sectors after it, then whichever timer is
	 * due next if nothing queued comes before it, and so on. */
	for (;;) {
		t->armed = false;
		t->fn(d);
		disk_check(d);
		if (d->each_step)
			return;		/* everything is queued */
		media_stream(d);
		if ((t = timer_next(d)) == NULL ||
		    !sim_callout_advance(s, t->when, t->ticket))
			break;
	}
	timer_flush(d);
}

/* ---- setup ----------------------------------------------------------- */

void
disk_init(struct disk *d, struct sim *s, const struct disk_params *p,
    const struct diskq_ops *qops)
{
	const char *each;
	int i;

	memset(d, 0, sizeof(*d));
	d->sim = s;
	disk_params_copy(&d->p, p);
	d->qops = qops;
	diskq_init(&d->q);
	d->dqops = diskq_lookup(p->scheduler != NULL ? p->scheduler : "fcfs");
	if (d->dqops == NULL)
		d->dqops = diskq_lookup("fcfs");
	diskq_init(&d->dq);
	d->period = 60e9 / p->rpm;
	d->seg = g_new0(struct disk_seg, p->nsegs);
	for (i = 0; i < p->nsegs; i++) {
		d->seg[i].ra_min = d->seg[i].ra_max = -1;
		d->seg[i].used = (uint64_t)i;
	}
	d->lru = (uint64_t)p->nsegs;
	d->mru = -1;
	d->media = g_new0(struct disk_media, 1);
	d->t_media = (struct disk_timer){ .d = d, .fn = media_fire };
	d->t_iface = (struct disk_timer){ .d = d, .fn = iface_fire };
	d->t_arrive = (struct disk_timer){ .d = d, .fn = arrive_fire };
	/* Every step through the queue, as the drive's timers were before
	 * they were scheduled lazily: the reference tests compare against. */
	each = g_getenv("VFSSIM_DISK_EACH_STEP");
	d->each_step = each != NULL && *each != '\0' && strcmp(each, "0") != 0;
}

void
disk_destroy(struct disk *d)
{
	g_free(d->cmd);
	g_free(d->media);
	g_free(d->seg);
	disk_params_free(&d->p);
	d->cmd = NULL;
	d->media = NULL;
	d->seg = NULL;
}

int64_t
disk_capacity(const struct disk *d)
{
	return d->p.blocks;
}

int
disk_qlen(const struct disk *d)
{
	return d->q.len + d->dq.len + (d->cmd != NULL) + (d->arriving != NULL);
}

static int
zone_spt(const struct disk *d, int64_t cyl)
{
	const struct disk_zone *z = disk_zone_of_cyl(&d->p, cyl);

	return z != NULL ? z->spt : 1;
}

static double
sector_ns(const struct disk *d, int64_t cyl)
{
	return d->period / zone_spt(d, cyl);
}

/* ---- the cache ------------------------------------------------------- */

static void
seg_touch(struct disk *d, int s)
{
	d->seg[s].used = ++d->lru;
	d->mru = s;
}

/* The segment reserved for writes, if there is one: the last. */
static bool
is_write_seg(const struct disk *d, int s)
{
	return d->p.write_seg && s == d->p.nsegs - 1;
}

static void
seg_set_state(struct disk *d, int s, int state)
{
	struct disk_seg *g = &d->seg[s];
	bool was = g->state == SEG_DIRTY || g->state == SEG_WRITING;
	bool is = state == SEG_DIRTY || state == SEG_WRITING;

	d->ndirty += (int)is - (int)was;
	g->state = state;
	KASSERT(d->ndirty >= 0 && d->ndirty <= d->p.nsegs,
	    ("disk: %d dirty segments", d->ndirty));
}

/* A segment's data once the media is done with it: kept as a cache, or
 * dropped (written data only if reads may hit on it). */
static void
seg_settle(struct disk *d, int s)
{
	struct disk_seg *g = &d->seg[s];

	if (!d->p.cache || (g->write_data && !d->p.read_hits_on_writes))
		seg_set_state(d, s, SEG_EMPTY);
	else
		seg_set_state(d, s, SEG_CLEAN);
}

/*
 * The segment a read [lbn, end) would hit, best first (DiskSim's
 * disk_buffer_select_read_segment): all its blocks over only the first
 * ones; dirty data (the freshest) over a read-ahead under way over clean
 * data; the least recently used among equals.  The write-only segment is
 * never read from.
 */
static int
read_lookup(const struct disk *d, int64_t lbn, int64_t end, enum hit *hit)
{
	int s, best = -1, bestv = 0;

	*hit = HIT_MISS;
	if (!d->p.cache)
		return -1;
	for (s = 0; s < d->p.nsegs; s++) {
		const struct disk_seg *g = &d->seg[s];
		int v = 0;
		enum hit h;

		if (g->state == SEG_EMPTY || is_write_seg(d, s))
			continue;
		if (lbn >= g->start && lbn < g->end) {
			switch (g->state) {
			case SEG_DIRTY:
				v = d->p.read_hits_on_writes ? 11 : 0;
				break;
			case SEG_WRITING:
				v = d->p.read_hits_on_writes ? 10 : 0;
				break;
			case SEG_READING:
				v = 9;
				break;
			case SEG_CLEAN:
				v = !g->write_data || d->p.read_hits_on_writes ? 8 : 0;
				break;
			}
			if (v == 0)
				continue;
			h = g->end >= end ? HIT_WHOLE : HIT_PARTIAL;
			if (h == HIT_PARTIAL)
				v -= 4;
		} else if (lbn == g->end && g->state == SEG_READING &&
		    d->p.almost_read_hits) {
			/* The block being read ahead is the first wanted. */
			h = HIT_PARTIAL;
			v = 5;
		} else
			continue;
		if (v > bestv || (v == bestv && g->used < d->seg[best].used)) {
			best = s;
			bestv = v;
			*hit = h;
		}
	}
	return best;
}

/* The segment a read miss takes: an empty one, else the least recently
 * used clean one, else one being read ahead into (whose read-ahead the
 * caller stops). */
static int
read_victim(const struct disk *d)
{
	int s, best = -1, bestv = 0;

	for (s = 0; s < d->p.nsegs; s++) {
		const struct disk_seg *g = &d->seg[s];
		int v;

		if (is_write_seg(d, s))
			continue;
		v = g->state == SEG_EMPTY ? 3 : g->state == SEG_CLEAN ? 2 :
		    g->state == SEG_READING ? 1 : 0;
		if (v > bestv || (v > 0 && v == bestv && g->used < d->seg[best].used)) {
			best = s;
			bestv = v;
		}
	}
	return best;
}

/*
 * The segment a write takes (DiskSim's disk_buffer_select_write_segment):
 * appending to dirty data it continues; else a clean segment holding some
 * of its blocks (about to be stale anyway), an empty one, the least
 * recently used clean one, or one being read ahead into — while fewer than
 * the allowed number of segments hold dirty data.
 */
static int
write_lookup(const struct disk *d, int64_t lbn, int64_t end, enum hit *hit)
{
	int s, best = -1, bestv = 0;

	*hit = HIT_MISS;
	if (d->p.write_seg) {
		const struct disk_seg *g = &d->seg[d->p.nsegs - 1];

		s = d->p.nsegs - 1;
		if ((g->state == SEG_DIRTY || g->state == SEG_WRITING) &&
		    d->p.combine_writes && lbn == g->end &&
		    lbn - g->dirty < d->p.segsize)
			*hit = HIT_APPEND;
		return s;
	}
	for (s = 0; s < d->p.nsegs; s++) {
		const struct disk_seg *g = &d->seg[s];
		bool room = d->ndirty < d->p.nwritesegs;
		int v = 0;

		switch (g->state) {
		case SEG_WRITING:
		case SEG_DIRTY:
			if (d->p.combine_writes && lbn == g->end &&
			    lbn - g->dirty < d->p.segsize)
				v = g->state == SEG_WRITING ? 7 : 6;
			break;
		case SEG_CLEAN:
			if (room)
				v = lbn < g->end && end > g->start ? 4 : 2;
			break;
		case SEG_EMPTY:
			v = room ? 3 : 0;
			break;
		case SEG_READING:
			v = room ? 1 : 0;
			break;
		}
		if (v > bestv || (v > 0 && v == bestv && g->used < d->seg[best].used)) {
			best = s;
			bestv = v;
			*hit = v >= 6 ? HIT_APPEND : HIT_MISS;
		}
	}
	return best;
}

/*
 * How far to read ahead after a read of [lbn, end) into segment g
 * (DiskSim's disk_buffer_get_max_readahead): to the end of the next track
 * (the DEC scheme, one further track when the stream already spans one),
 * or a fixed amount past the request, or until the segment is full.
 */
static int64_t
readahead_max(const struct disk *d, const struct disk_seg *g, int64_t lbn,
    int64_t end)
{
	const struct disk_params *p = &d->p;
	int64_t r, tf, te;
	int n = (int)(end - lbn);

	switch (p->readahead) {
	case DRA_NONE:
		r = end;
		break;
	case DRA_DEC:
		if (end >= p->blocks)
			return p->blocks;
		disk_track_bounds(p, end, &tf, &te);
		r = te;
		if (g->start < tf) {
			struct disk_pbn b;

			disk_ltop(p, lbn, &b);
			r += zone_spt(d, b.cyl);
		}
		break;
	default:
		if (p->max_readahead > 0)
			r = end + p->max_readahead;
		else if (p->keep_request_data > 0)
			r = n >= p->segsize || p->segsize - n < p->min_readahead ?
			    end + p->min_readahead : lbn + p->segsize;
		else
			r = end + p->segsize;
		break;
	}
	return MIN(r, p->blocks);
}

/* Writes drop every clean copy of the blocks they change. */
static void
invalidate_overlaps(struct disk *d, int keep, int64_t lbn, int64_t end)
{
	int s;

	for (s = 0; s < d->p.nsegs; s++) {
		struct disk_seg *g = &d->seg[s];

		if (s != keep && g->state == SEG_CLEAN && lbn < g->end &&
		    end > g->start)
			seg_set_state(d, s, SEG_EMPTY);
	}
}

/*
 * The drive's invariants: segments hold runs of blocks, the dirty count
 * matches, the media works on a segment in its state, the command's bus
 * pointer lies within its blocks.
 */
static void
disk_check(const struct disk *d)
{
#ifdef INVARIANTS
	const struct disk_media *m = d->media;
	int s, ndirty = 0;

	for (s = 0; s < d->p.nsegs; s++) {
		const struct disk_seg *g = &d->seg[s];

		KASSERT(g->start <= g->end && g->end - g->start <= d->p.segsize,
		    ("disk: segment %d holds [%lld, %lld)", s,
		    (long long)g->start, (long long)g->end));
		ndirty += g->state == SEG_DIRTY || g->state == SEG_WRITING;
	}
	KASSERT(ndirty == d->ndirty, ("disk: %d dirty segments counted as %d",
	    ndirty, d->ndirty));
	if (m->st != M_IDLE) {
		KASSERT(m->next <= m->limit, ("disk: media past its limit"));
		KASSERT(d->seg[m->seg].state == (m->write ? SEG_WRITING :
		    SEG_READING), ("disk: media on a segment in state %d",
		    d->seg[m->seg].state));
	}
	if (d->cmd != NULL)
		KASSERT(d->cmd->out >= d->cmd->lbn && d->cmd->out <= d->cmd->end,
		    ("disk: command's bus pointer out of its blocks"));
#else
	(void)d;
#endif
}

/* ---- the media ------------------------------------------------------- */

static bool
cmd_on_seg(const struct disk *d, int s)
{
	return d->cmd != NULL && !d->cmd->wait_media && d->cmd->seg == s;
}

/* Blocks of a write that have come over the bus by time t: a chunk in
 * flight lands block by block. */
static int64_t
bus_written_to(const struct disk *d, double t)
{
	const struct disk_cmd *c = d->cmd;

	if (c->ist == IF_XFER && c->write && c->xfer_blk > 0) {
		int64_t k = (int64_t)floor((t - c->xfer_t0) / c->xfer_blk + 1e-9);

		return c->xfer_from + CLAMP(k, 0, c->xfer_n);
	}
	return c->out;
}

/* Blocks of a read that have left over the bus by time t. */
static int64_t
bus_read_to(const struct disk *d, double t)
{
	const struct disk_cmd *c = d->cmd;

	if (c->ist == IF_XFER && !c->write && c->xfer_blk > 0) {
		int64_t k = (int64_t)floor((t - c->xfer_t0) / c->xfer_blk + 1e-9);

		return c->xfer_from + CLAMP(k, 0, c->xfer_n);
	}
	return c->out;
}

/*
 * May the media take block b now?  A read needs room: the segment cannot
 * drop blocks the host has not been sent yet.  A write needs the block's
 * data, and a drive that disconnects before taking write data starts
 * writing only once a few blocks are in (DiskSim's rule for the HP
 * C2247A: ten, or all of a shorter request, fifteen of a long one).
 */
static bool
media_block_ready(struct disk *d, int64_t b, double t)
{
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];
	struct disk_cmd *c = d->cmd;

	if (!m->write) {
		/* (bus_read_to is never behind c->out: the test needs it only
		 * when the segment is nearly full.) */
		if (cmd_on_seg(d, m->seg) && !c->write && !c->completion_sent &&
		    b - c->out >= d->p.segsize &&
		    b - bus_read_to(d, t) >= d->p.segsize)
			return false;
		return true;
	}
	if (cmd_on_seg(d, m->seg) && c->write) {
		int64_t have = MAX(g->end, bus_written_to(d, t));

		if (b >= have)
			return false;
		if (d->p.extra_write_disconnect &&
		    have - MAX(g->start, have - d->p.segsize) <
		    (c->n < 45 ? MIN(c->n, 10) : 15))
			return false;
		return true;
	}
	return b < g->end;
}

static bool
media_background(const struct disk *d)
{
	const struct disk_media *m = d->media;

	return !m->write && !(cmd_on_seg(d, m->seg) && !d->cmd->write &&
	    m->next < d->cmd->end);
}

/* The access is over: the heads are free. */
static void
media_finish(struct disk *d, double t)
{
	struct disk_media *m = d->media;

	m->st = M_IDLE;
	timer_disarm(d, &d->t_media);
	d->mech_free = MAX(d->mech_free, (sim_time_t)llround(t));
	if (m->write) {
		if (d->seg[m->seg].dirty >= d->seg[m->seg].end)
			seg_settle(d, m->seg);
	} else if (d->seg[m->seg].state == SEG_READING)
		seg_settle(d, m->seg);
	if (d->cmd != NULL && d->cmd->wait_media)
		cmd_media_ready(d);
	else if (d->cmd != NULL)
		cmd_media_progress(d);
}

/*
 * Zero-latency access (DiskSim's immediate buffer read and write): landing
 * in the middle of the wanted blocks of a track, the drive takes them from
 * the next sector boundary on as they come round, then the ones before
 * when the head gets back to them, instead of waiting for the first.  The
 * blocks taken early count only once those before them are in, since the
 * host is sent blocks in order.  A read takes them only if the segment has
 * room for all, a write only if all their data is in.
 */
static void
media_zero_latency(struct disk *d, double t)
{
	struct disk_media *m = d->media;
	int spt = zone_spt(d, m->at.cyl);
	int64_t wend = MIN(m->limit, m->tend), j;
	double a0 = disk_pbn_angle(&d->p, &m->at), x, sec = d->period / spt;
	int k;

	if (!m->tcontig || wend - m->next < 2)
		return;
	/* The next sector boundary, counted from the wanted first sector. */
	x = disk_angle_at(d, t) - a0;
	x -= floor(x);
	k = (int)ceil(x * spt - 1e-6);
	if (k <= 0 || k >= wend - m->next)
		return;			/* the head is not amid them */
	j = m->next + k;
	if (m->write ? !media_block_ready(d, wend - 1, t) :
	    (cmd_on_seg(d, m->seg) && !d->cmd->write && !d->cmd->completion_sent &&
	    wend - bus_read_to(d, t) > d->p.segsize))
		return;
	m->imm_from = j;
	m->imm_to = wend;
	if (cmd_on_seg(d, m->seg) && d->cmd->first_sector < 0 &&
	    j < d->cmd->end && wend > d->cmd->lbn)
		d->cmd->first_sector = t + disk_rotate_ns(d, disk_angle_at(d, t),
		    a0 + (double)k / spt);
	/* The head reaches the first wanted block once round. */
	m->t = t + disk_rotate_ns(d, disk_angle_at(d, t), a0 + (double)k / spt) +
	    (double)(spt - k) * sec;
}

/* Head for block m->next: a seek (or head switch) if it is on another
 * track, then the wait for its sector. */
static void
media_locate(struct disk *d, double t)
{
	struct disk_media *m = d->media;
	struct disk_pbn b;
	sim_time_t move;

	disk_ltop(&d->p, m->next, &b);
	if (m->next < m->tfirst || m->next >= m->tend) {
		struct disk_pbn e0, e1;

		disk_track_bounds(&d->p, m->next, &m->tfirst, &m->tend);
		disk_ltop(&d->p, m->tfirst, &e0);
		disk_ltop(&d->p, m->tend - 1, &e1);
		m->tcontig = e1.sector - e0.sector == (int)(m->tend - m->tfirst - 1);
	}
	if (b.cyl != d->cur_cyl || b.head != d->cur_head) {
		move = disk_reposition_time(&d->p, d->cur_cyl, d->cur_head,
		    b.cyl, b.head, m->write);
		d->cur_cyl = b.cyl;
		d->cur_head = b.head;
		m->at = b;
		m->st = M_SEEK;
		m->t = m->seek_end = t + (double)move;
		d->mech_free = (sim_time_t)llround(m->t);
		timer_arm(d, &d->t_media, m->t);
		return;
	}
	m->at = b;
	m->st = M_WAIT;
	m->t = t + disk_rotate_ns(d, disk_angle_at(d, t), disk_pbn_angle(&d->p, &b));
	if (m->t > t && (m->write ? d->p.zero_latency_write :
	    d->p.zero_latency_read))
		media_zero_latency(d, t);
	if (m->t == t)
		media_fire(d);		/* it is under the head now */
	else
		timer_arm(d, &d->t_media, m->t);
}

/*
 * Begin a media access to segment s at block `from`, no earlier than
 * `not_before` and once the heads have stopped.  A non-sequential write
 * spends at least min_delay positioning.
 */
static void
media_begin(struct disk *d, int s, bool write, int64_t from, int64_t limit,
    sim_time_t not_before, sim_time_t min_delay, struct disk_cmd *c)
{
	struct disk_media *m = d->media;
	struct disk_pbn b;
	double t0 = (double)MAX(MAX(not_before, d->mech_free), sim_now(d->sim));
	sim_time_t move;

	KASSERT(m->st == M_IDLE, ("disk: media access begun while busy"));
	m->seg = s;
	m->write = write;
	m->next = from;
	m->limit = limit;
	m->tfirst = m->tend = -1;
	m->imm_from = m->imm_to = 0;
	seg_set_state(d, s, write ? SEG_WRITING : SEG_READING);
	disk_ltop(&d->p, from, &b);
	move = disk_reposition_time(&d->p, d->cur_cyl, d->cur_head, b.cyl,
	    b.head, write);
	if (move < min_delay)
		move = min_delay;
	d->cur_cyl = b.cyl;
	d->cur_head = b.head;
	m->at = b;
	m->st = M_SEEK;
	m->t = m->seek_end = t0 + (double)move;
	d->mech_free = (sim_time_t)llround(m->t);
	if (c != NULL && !c->media_began) {
		c->media_began = true;
		c->seek_ns = move;
		c->seek_end = m->seek_end;
	}
	timer_arm(d, &d->t_media, m->t);
}

/*
 * Stop a read-ahead for a command that needs the heads: a seek under way
 * is finished, a sector being read is abandoned — at once, or at its end
 * if the drive stops only between sectors.  The sector is not kept.
 */
static void
media_stop(struct disk *d)
{
	struct disk_media *m = d->media;
	double now = (double)sim_now(d->sim), free_at = now;

	KASSERT(!m->write, ("disk: stopping a write"));
	switch (m->st) {
	case M_IDLE:
		return;
	case M_SEEK:
		free_at = m->seek_end;
		break;
	case M_WAIT:
		break;
	case M_SECTOR:
		if (!d->p.stop_in_sector)
			free_at = m->t;
		break;
	}
	m->st = M_IDLE;
	m->imm_from = m->imm_to = 0;
	timer_disarm(d, &d->t_media);
	d->mech_free = MAX(d->mech_free, (sim_time_t)llround(free_at));
	if (d->seg[m->seg].state == SEG_READING)
		seg_settle(d, m->seg);
}

/* The media timer: a seek ended, a sector came round, or one passed. */
static void
media_fire(struct disk *d)
{
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];
	struct disk_cmd *c = d->cmd;
	struct disk_pbn b;
	double t = m->t;

	switch (m->st) {
	case M_IDLE:
		return;
	case M_SEEK:
		media_locate(d, t);
		return;
	case M_WAIT:
		if (!media_block_ready(d, m->next, t)) {
			/* Not yet: it comes round again in a revolution. */
			m->t = t + d->period;
			timer_arm(d, &d->t_media, m->t);
			return;
		}
		if (c != NULL && cmd_on_seg(d, m->seg) && m->next >= c->lbn &&
		    m->next < c->end && c->first_sector < 0)
			c->first_sector = t;
		m->st = M_SECTOR;
		m->t = t + sector_ns(d, m->at.cyl);
		timer_arm(d, &d->t_media, m->t);
		return;
	case M_SECTOR:
		break;
	}

	/* Block m->next has passed the head. */
	if (c != NULL && cmd_on_seg(d, m->seg) && m->next >= c->lbn &&
	    m->next < c->end)
		c->last_sector_end = t;
	if (m->write)
		g->dirty = m->next + 1;
	else {
		g->end = m->next + 1;
		g->start = MAX(g->start, g->end - d->p.segsize);
	}
	m->next++;
	if (m->imm_to > 0 && m->next == m->imm_from) {
		/* Back at the blocks taken early: they are all in now. */
		if (c != NULL && cmd_on_seg(d, m->seg) && m->imm_to > c->lbn &&
		    m->imm_from < c->end)
			c->last_sector_end = MAX(c->last_sector_end, t);
		m->next = m->imm_to;
		if (m->write)
			g->dirty = m->next;
		else {
			g->end = m->next;
			g->start = MAX(g->start, g->end - d->p.segsize);
		}
		m->imm_from = m->imm_to = 0;
	}
	if (m->next >= m->limit) {
		media_finish(d, t);
		return;
	}
	cmd_media_progress(d);
	if (m->st != M_SECTOR)
		return;		/* the command stopped or redirected it */
	if (m->tcontig && m->next < m->tend) {
		/* The next sector of the track: under the head now. */
		m->at.sector++;
		m->st = M_WAIT;
		media_fire(d);
		return;
	}
	disk_ltop(&d->p, m->next, &b);
	if (b.cyl == m->at.cyl && b.head == m->at.head) {
		m->st = M_WAIT;
		m->t = t + disk_rotate_ns(d, disk_angle_at(d, t),
		    disk_pbn_angle(&d->p, &b));
		m->at = b;
		if (m->t == t)
			media_fire(d);
		else
			timer_arm(d, &d->t_media, m->t);
		return;
	}
	/* The next block is on another track.  A read-ahead limited to the
	 * track (or cylinder) stops here. */
	if (media_background(d) && (d->p.readahead == DRA_TRACK ||
	    (d->p.readahead == DRA_CYLINDER && b.cyl != m->at.cyl))) {
		media_finish(d, t);
		return;
	}
	media_locate(d, t);
}

/*
 * Runs of sectors in one go.  In the middle of a track the media's step is
 * always the same: the sector under the head is in (or out), the next
 * comes under the head at once, and it takes a sector's time; and a read
 * holding the bus sends each block as it comes.  While those steps are all
 * that is due (sim_callout_horizon), media_stream takes them here, each as
 * media_fire and iface_fire would at its time, without the general code's
 * checks for everything else; at the first step of any other kind it stops
 * and leaves the rest to them.  Each step's arithmetic is the general
 * code's, in the same order, so the times (doubles, rounded the same way)
 * are the same to the nanosecond.
 */

/* A sector has passed the head, and the next on the track comes round. */
static bool
stream_media(struct disk *d, double sec, sim_time_t now)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];
	struct disk_cmd *c = d->cmd;
	int64_t b = m->next;
	double t = m->t;
	bool onseg = cmd_on_seg(d, m->seg);

	/* Not the end of the access or the track, no blocks taken early
	 * (media_zero_latency) to account for, and nothing the interface
	 * would do but send a read's block (cmd_media_progress). */
	if (m->st != M_SECTOR || !m->tcontig || m->imm_to > 0 ||
	    b + 1 >= m->limit || b + 1 >= m->tend)
		return false;
	if (c != NULL && !c->wait_media && (c->ist == IF_DISC ||
	    (c->ist == IF_HOLD && (c->write || c->seg < 0 ||
	    c->out >= c->end))))
		return false;
	d->t_media.armed = false;
	if (onseg && b >= c->lbn && b < c->end)
		c->last_sector_end = t;
	if (m->write)
		g->dirty = b + 1;
	else {
		g->end = b + 1;
		g->start = MAX(g->start, g->end - p->segsize);
	}
	m->next = b + 1;
	if (c != NULL && !c->wait_media && c->ist == IF_HOLD) {
		/* A read holding the bus: what is in goes out (cmd_xfer). */
		struct disk_seg *cg = &d->seg[c->seg];

		if (cg->start <= c->out && cg->end > c->out)
			bus_chunk(d, MIN(cg->end, c->end) - c->out, now);
	}
	m->at.sector++;
	if (!media_block_ready(d, m->next, t)) {
		/* It comes round again in a revolution. */
		m->st = M_WAIT;
		m->t = t + d->period;
		timer_arm_at(d, &d->t_media, m->t, now);
		return true;
	}
	if (c != NULL && cmd_on_seg(d, m->seg) && m->next >= c->lbn &&
	    m->next < c->end && c->first_sector < 0)
		c->first_sector = t;
	m->t = t + sec;
	timer_arm_at(d, &d->t_media, m->t, now);
	return true;
}

/* A read's chunk is over the bus: the next, or hold the bus for more
 * (cmd_xfer_done, cmd_xfer). */
static bool
stream_iface(struct disk *d, sim_time_t now)
{
	const struct disk_params *p = &d->p;
	struct disk_cmd *c = d->cmd;
	struct disk_seg *cg;
	int64_t out, n;

	if (c == NULL || c->ist != IF_XFER || c->write || c->wait_media ||
	    c->seg < 0)
		return false;
	cg = &d->seg[c->seg];
	out = c->xfer_from + c->xfer_n;
	n = cg->start <= out ? MIN(cg->end, c->end) - out : 0;
	if (n <= 0 && (out >= c->end || !(p->never_disconnect ||
	    p->hold_bus_read)))
		return false;		/* completion or disconnect */
	d->t_iface.armed = false;
	c->out = out;
	if (n > 0)
		bus_chunk(d, n, now);
	else
		c->ist = IF_HOLD;
	return true;
}

/*
 * The commonest run: a read holding the bus, which is level with the
 * media and faster than it, so each block goes out as soon as it is in.
 * A sector is then a bus step (block b - 1 is out; hold) and a media step
 * (block b is in, and goes out; block b + 1 comes under the head) whose
 * outcome is known but for the times: take them with the timers left
 * aside, and give the two their places (tickets) at the end, in the order
 * the last step arms them.  Returns the time of the last step taken, or
 * -1 if none.
 */
static sim_time_t
stream_follow(struct disk *d, double sec, sim_time_t h)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];
	struct disk_cmd *c = d->cmd;
	struct disk_timer *ti = &d->t_iface, *tm = &d->t_media;
	sim_time_t at = -1, w = ti->when, e = tm->when;
	int64_t b = m->next, b0 = b;
	double t = m->t;

	if (c == NULL || c->write || c->wait_media || c->completion_sent ||
	    c->seg != m->seg || c->ist != IF_XFER || c->xfer_n != 1 ||
	    c->xfer_from != b - 1 || c->out != b - 1 || g->end != b ||
	    !(p->never_disconnect || p->hold_bus_read) || p->segsize < 2 ||
	    m->st != M_SECTOR || !m->tcontig || m->imm_to > 0 ||
	    !ti->armed || ti->queued || !tm->armed || tm->queued ||
	    ti->ticket > tm->ticket)
		return -1;
	KASSERT(c->xfer_blk == p->bus_read_ns, ("disk: a read at write speed"));
	/* Each step as stream_iface and stream_media would take it: the bus
	 * step at w comes first (armed first) and finds nothing more to
	 * send (the segment ends at b) short of the end; the media step at e
	 * sends block b at once, and block b + 1 is ready (one block ahead
	 * of the bus, in a segment of two or more). */
	while (w <= e && e < h && b >= c->lbn && b < c->end &&
	    b + 1 < m->limit && b + 1 < m->tend) {
		c->last_sector_end = t;
		g->end = b + 1;
		g->start = MAX(g->start, g->end - p->segsize);
		c->xfer_t0 = (double)e;
		c->bus_ns += (double)1 * c->xfer_blk;
		w = ns_round(c->xfer_t0 + (double)1 * c->xfer_blk);
		w = MAX(w, e);
		b++;
		if (c->first_sector < 0 && b >= c->lbn && b < c->end)
			c->first_sector = t;
		t += sec;
		at = e;
		e = MAX(ns_round(t), e);
	}
	if (at < 0)
		return -1;
	c->out = c->xfer_from = b - 1;
	m->next = b;
	m->at.sector += (int)(b - b0);
	m->t = t;
	ti->when = w;
	ti->ticket = sim_ticket(d->sim);
	tm->when = e;
	tm->ticket = sim_ticket(d->sim);
	return at;
}

static void
media_stream(struct disk *d)
{
	struct disk_media *m = d->media;
	struct disk_timer *t;
	sim_time_t h, at = -1;
	uint64_t tk = 0;
	double sec;

	if (m->st != M_SECTOR || !d->t_media.armed || d->t_media.queued)
		return;
	sec = sector_ns(d, m->at.cyl);		/* the track does not change */
	for (;;) {
		sim_time_t when;

		/* Nothing queued is due yet, nor a command arriving (its
		 * timer may be older than the stream's; it goes first).  A
		 * step may queue a stale event (timer_disarm): look again. */
		h = sim_callout_horizon(d->sim);
		if (d->t_arrive.armed && !d->t_arrive.queued)
			h = MIN(h, d->t_arrive.when);
		if ((t = timer_next(d)) == NULL || t->when >= h)
			break;
		if (t == &d->t_iface && (when = stream_follow(d, sec, h)) >= 0) {
			at = when;
			tk = sim_ticket(d->sim);	/* nothing queued since */
			disk_check(d);
			continue;
		}
		when = t->when;
		tk = t->ticket;
		if (t == &d->t_media ? !stream_media(d, sec, when) :
		    t == &d->t_iface ? !stream_iface(d, when) : true)
			break;
		at = when;
		disk_check(d);
	}
	if (at >= 0) {
		/* The clock to the last step taken, which came before
		 * anything queued. */
		bool next = sim_callout_advance(d->sim, at, tk);

		KASSERT(next, ("disk: a stream went past the next event"));
		(void)next;
	}
}

/* ---- the interface --------------------------------------------------- */

static void
iface_delay(struct disk *d, sim_time_t delay, enum iface_next next)
{
	struct disk_cmd *c = d->cmd;

	c->ist = IF_DELAY;
	c->next = next;
	timer_arm(d, &d->t_iface, (double)(sim_now(d->sim) + delay));
}

static int
read_watermark(const struct disk *d, int n)
{
	if (d->p.water_by_reqsize)
		return MAX(1, (int)((double)MIN(d->p.segsize, n) * d->p.read_water));
	return (int)((double)d->p.segsize * d->p.read_water + 0.9999999999);
}

static int
write_watermark(const struct disk *d, int n)
{
	if (d->p.water_by_reqsize)
		return MAX(1, (int)((double)MIN(d->p.segsize, n) * d->p.write_water));
	return (int)((double)d->p.segsize * d->p.write_water + 0.9999999999);
}

/* The first block of its data the media has not written yet. */
static int64_t
write_in(const struct disk *d)
{
	const struct disk_cmd *c = d->cmd;
	const struct disk_media *m = d->media;

	if (m->st != M_IDLE && m->write && m->seg == c->seg)
		return m->next;
	return d->seg[c->seg].dirty;
}

/* Room in the segment for more of a write's data. */
static int64_t
write_room(const struct disk *d)
{
	const struct disk_cmd *c = d->cmd;

	return d->p.segsize - (c->out - write_in(d));
}

/* Start moving the command's next n blocks over the bus at time now. */
static void
bus_chunk(struct disk *d, int64_t n, sim_time_t now)
{
	struct disk_cmd *c = d->cmd;

	c->ist = IF_XFER;
	c->xfer_from = c->out;
	c->xfer_n = (int)n;
	c->xfer_t0 = (double)now;
	c->xfer_blk = c->write ? d->p.bus_write_ns : d->p.bus_read_ns;
	c->bus_ns += (double)n * c->xfer_blk;
	timer_arm_at(d, &d->t_iface, c->xfer_t0 + (double)n * c->xfer_blk, now);
}

/*
 * Move what can be moved now — a read's cached blocks, a write's blocks
 * the segment has room for — or, with nothing to move, complete, hold
 * the bus, or disconnect.
 */
static void
cmd_xfer(struct disk *d)
{
	struct disk_cmd *c = d->cmd;
	struct disk_seg *g;
	int64_t n;

	if (c->wait_media || c->seg < 0) {
		/* A drive that never disconnects holds the bus even while it
		 * waits for the heads. */
		c->ist = IF_HOLD;
		return;
	}
	g = &d->seg[c->seg];
	if (!c->write)
		n = g->start <= c->out ? MIN(g->end, c->end) - c->out : 0;
	else
		n = MIN(c->end - c->out, write_room(d));
	if (n > 0) {
		bus_chunk(d, n, sim_now(d->sim));
		return;
	}
	if (c->out >= c->end) {
		if (!c->write) {
			c->completion_sent = true;
			iface_delay(d, d->p.ovh_complete_read, NX_COMPLETE);
		} else if (c->fast) {
			c->completion_sent = true;
			iface_delay(d, d->p.ovh_complete_write, NX_COMPLETE);
		} else
			iface_delay(d, c->xd ? d->p.xd_disconnect2 :
			    d->p.ovh_disconnect_write, NX_DISC);
	} else if (d->p.never_disconnect ||
	    (c->write ? d->p.hold_bus_write : d->p.hold_bus_read))
		c->ist = IF_HOLD;
	else
		iface_delay(d, c->write ? d->p.ovh_disconnect_write :
		    d->p.ovh_disconnect_read[c->after], NX_DISC);
}

static bool
write_media_done(const struct disk *d)
{
	const struct disk_cmd *c = d->cmd;

	return write_in(d) >= c->end;
}

/* Disconnected: reselect the host if there is something to do
 * (DiskSim's disk_request_needs_bus). */
static void
cmd_check_reconnect(struct disk *d)
{
	struct disk_cmd *c = d->cmd;
	struct disk_seg *g;
	sim_time_t resel;

	if (c == NULL || c->ist != IF_DISC || c->wait_media)
		return;
	g = &d->seg[c->seg];
	/* An extra write disconnect's first reselection costs the first
	 * reselect overhead, later ones the other. */
	resel = c->xd && c->xd_reselected ? d->p.ovh_reselect_other :
	    d->p.ovh_reselect_first;
	if (!c->write) {
		if (g->start <= c->out && g->end > c->out &&
		    (g->end >= c->end || g->end - c->out >= c->watermark))
			iface_delay(d, resel + d->p.ovh_data_prep, NX_XFER);
		else
			return;
	} else if (c->out >= c->end) {
		if (!write_media_done(d))
			return;
		iface_delay(d, resel + d->p.ovh_complete_write, NX_COMPLETE);
		c->completion_sent = true;
	} else if (c->out == c->lbn && c->hit != HIT_APPEND) {
		iface_delay(d, resel + d->p.ovh_data_prep, NX_XFER);
	} else if (write_room(d) > 0 &&
	    c->out - write_in(d) <= write_watermark(d, c->n)) {
		iface_delay(d, resel + d->p.ovh_data_prep, NX_XFER);
	} else
		return;
	if (c->xd)
		c->xd_reselected = true;
}

/* A chunk is over the bus. */
static void
cmd_xfer_done(struct disk *d)
{
	struct disk_cmd *c = d->cmd;
	struct disk_seg *g = &d->seg[c->seg];

	c->out = c->xfer_from + c->xfer_n;
	if (c->write) {
		g->end = MAX(g->end, c->out);
		g->start = MAX(g->start, g->end - d->p.segsize);
	}
	cmd_xfer(d);
}

/* The media moved on: a command waiting for data or room may go on. */
static void
cmd_media_progress(struct disk *d)
{
	struct disk_cmd *c = d->cmd;

	if (c == NULL || c->wait_media)
		return;
	if (c->ist == IF_HOLD) {
		struct disk_seg *g = &d->seg[c->seg];

		if ((!c->write && g->start <= c->out && g->end > c->out) ||
		    (c->write && (c->out >= c->end ? write_media_done(d) :
		    write_room(d) > 0)))
			cmd_xfer(d);
	} else if (c->ist == IF_DISC)
		cmd_check_reconnect(d);
}

static void complete(struct disk *d);

static void
iface_fire(struct disk *d)
{
	struct disk_cmd *c = d->cmd;

	if (c == NULL)
		return;
	if (c->ist == IF_XFER) {
		cmd_xfer_done(d);
		return;
	}
	switch (c->next) {
	case NX_XFER:
		cmd_xfer(d);
		break;
	case NX_DISC:
		c->ist = IF_DISC;
		cmd_check_reconnect(d);
		break;
	case NX_XD_DISC:
		/* The drive pauses, then reselects to take the data. */
		c->ist = IF_XD_WAIT;
		c->next = NX_RECHECK;
		timer_arm(d, &d->t_iface, (double)(sim_now(d->sim) + d->p.xd_inter));
		break;
	case NX_RECHECK:
		c->ist = IF_DISC;
		cmd_check_reconnect(d);
		break;
	case NX_COMPLETE:
		complete(d);
		break;
	}
}

/* ---- commands -------------------------------------------------------- */

/* Is the read-ahead under way one a new command may stop now?  Not before
 * it has read the minimum it promised. */
static bool
prefetch_stoppable(struct disk *d)
{
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];

	if (m->write)
		return false;
	if (m->next < g->ra_min) {
		m->limit = MIN(m->limit, MAX(g->ra_min, m->next + 1));
		return false;
	}
	return true;
}

static void
read_arrive(struct disk *d, struct disk_cmd *c)
{
	struct disk_media *m = d->media;
	enum hit hit;
	int s = read_lookup(d, c->lbn, c->end, &hit);

	/* Mechanical work waits for the command (DiskSim counts a read
	 * miss's overhead for every read). */
	c->overhead_done = sim_now(d->sim) + d->p.ovh_read_miss[c->after];
	if (m->st != M_IDLE) {
		if (!m->write && s == m->seg && hit != HIT_MISS)
			;		/* the read-ahead serves it: adopt it */
		else if (prefetch_stoppable(d))
			media_stop(d);
		else
			c->wait_media = true;
	}
	if (c->wait_media) {
		if (d->p.never_disconnect)
			iface_delay(d, d->p.ovh_read_miss[c->after] +
			    d->p.ovh_data_prep, NX_XFER);
		else
			iface_delay(d, d->p.ovh_read_miss[c->after] +
			    d->p.ovh_disconnect_read[c->after], NX_DISC);
		return;
	}
	read_go(d, c, true);
}

/* Serve a read whose heads are free (or reading for it). */
static void
read_go(struct disk *d, struct disk_cmd *c, bool fresh)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g;
	enum hit hit;
	int s = read_lookup(d, c->lbn, c->end, &hit);
	int64_t limit;
	bool enough;

	if (hit == HIT_MISS) {
		s = read_victim(d);
		if (s < 0) {
			/* Every segment holds dirty data: wait for a flush. */
			KASSERT(m->st != M_IDLE, ("disk: no segment and no flush"));
			c->wait_media = true;
			if (fresh && p->never_disconnect)
				iface_delay(d, p->ovh_read_miss[c->after] +
				    p->ovh_data_prep, NX_XFER);
			else if (fresh)
				iface_delay(d, p->ovh_read_miss[c->after] +
				    p->ovh_disconnect_read[c->after], NX_DISC);
			return;
		}
		g = &d->seg[s];
		g->start = g->end = g->dirty = c->lbn;
		g->ra_min = g->ra_max = -1;
		g->write_data = false;
		seg_set_state(d, s, SEG_CLEAN);
	}
	g = &d->seg[s];
	c->seg = s;
	c->hit = hit;
	c->r->cache_hit = hit == HIT_WHOLE ? DISK_HIT_FULL :
	    hit == HIT_PARTIAL ? DISK_HIT_PARTIAL : DISK_HIT_NONE;
	c->watermark = read_watermark(d, c->n);
	seg_touch(d, s);
	g->ra_min = MAX(g->ra_min, MIN(c->end + p->min_readahead, p->blocks));
	g->ra_max = MAX(g->ra_max, readahead_max(d, g, c->lbn, c->end));
	limit = MAX(c->end, p->readahead != DRA_NONE ? g->ra_max : c->end);
	enough = p->never_disconnect || hit == HIT_WHOLE || (hit == HIT_PARTIAL &&
	    (p->immed_partial_hit || (g->end > c->lbn &&
	    g->end - c->lbn >= MIN(c->watermark, c->n))));

	if (m->st != M_IDLE) {
		KASSERT(!m->write && m->seg == s, ("disk: read beside a busy media"));
		m->limit = MAX(m->limit, limit);
	} else if (g->end < c->end)
		media_begin(d, s, false, g->end, limit, c->overhead_done, 0, c);
	else if (p->readahead_idle_hit && p->readahead != DRA_NONE &&
	    g->end < g->ra_max)
		media_begin(d, s, false, g->end, g->ra_max, c->overhead_done, 0, NULL);

	if (!fresh)
		cmd_media_progress(d);
	else if (enough)
		iface_delay(d, (hit == HIT_MISS ? p->ovh_read_miss[c->after] :
		    p->ovh_read_hit[c->after]) + p->ovh_data_prep, NX_XFER);
	else
		iface_delay(d, p->ovh_read_miss[c->after] +
		    p->ovh_disconnect_read[c->after], NX_DISC);
}

static void
write_arrive(struct disk *d, struct disk_cmd *c)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	enum hit hit;
	int s = write_lookup(d, c->lbn, c->end, &hit);

	c->fast = p->fast_write > 0;
	c->overhead_done = sim_now(d->sim) + (c->fast ?
	    p->ovh_write_hit[c->after] : p->ovh_write_miss[c->after]);
	/* A write that does not follow on from the write before it first
	 * disconnects without its data (DiskSim's extra write disconnect). */
	c->xd = p->extra_write_disconnect && !p->never_disconnect && s >= 0 &&
	    s == d->mru &&
	    d->seg[s].write_data && c->lbn != d->seg[s].end;
	if (c->xd)
		c->overhead_done = sim_now(d->sim) + p->xd_command + p->xd_seekdelta;
	if (m->st != M_IDLE) {
		if (m->write && hit == HIT_APPEND && m->seg == s)
			;		/* joins the flush under way */
		else if (prefetch_stoppable(d))
			media_stop(d);
		else
			c->wait_media = true;
	}
	if (s < 0) {
		/* Every segment that may hold writes is dirty: wait for the
		 * flush. */
		KASSERT(m->st != M_IDLE, ("disk: no write segment, no flush"));
		c->wait_media = true;
	}
	if (c->wait_media) {
		c->xd = false;
		if (p->never_disconnect)
			iface_delay(d, (c->fast ? p->ovh_write_hit[c->after] :
			    p->ovh_write_miss[c->after]) + p->ovh_data_prep, NX_XFER);
		else
			iface_delay(d, (c->fast ? p->ovh_write_hit[c->after] :
			    p->ovh_write_miss[c->after]) + p->ovh_disconnect_write,
			    NX_DISC);
		return;
	}
	write_go(d, c, true);
}

/* Serve a write whose heads are free (or draining the segment it joins). */
static void
write_go(struct disk *d, struct disk_cmd *c, bool fresh)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g;
	enum hit hit;
	int s = write_lookup(d, c->lbn, c->end, &hit);

	KASSERT(s >= 0, ("disk: a write with no segment"));
	if (m->st != M_IDLE && !(m->write && m->seg == s && hit == HIT_APPEND)) {
		KASSERT(!m->write, ("disk: write beside a flush"));
		media_stop(d);
	}
	g = &d->seg[s];
	c->seg = s;
	c->hit = hit;
	c->r->cache_hit = c->fast ? DISK_HIT_FULL : DISK_HIT_NONE;
	if (hit != HIT_APPEND) {
		g->start = g->end = g->dirty = c->lbn;
		g->ra_min = g->ra_max = -1;
	}
	g->write_data = true;
	seg_set_state(d, s, m->st != M_IDLE && m->seg == s ? SEG_WRITING : SEG_DIRTY);
	seg_touch(d, s);
	invalidate_overlaps(d, s, c->lbn, c->end);

	if (m->st != M_IDLE)
		m->limit = c->end;		/* the flush goes on into it */
	else
		media_begin(d, s, true, g->dirty, c->end, c->overhead_done,
		    p->min_seek_delay, c);

	if (!fresh)
		cmd_media_progress(d);
	else if (c->xd)
		iface_delay(d, p->xd_command + p->xd_disconnect1, NX_XD_DISC);
	else
		iface_delay(d, (c->fast ? p->ovh_write_hit[c->after] :
		    p->ovh_write_miss[c->after]) + p->ovh_data_prep, NX_XFER);
}

/* The heads are free for a command that waited for them. */
static void
cmd_media_ready(struct disk *d)
{
	struct disk_cmd *c = d->cmd;

	c->wait_media = false;
	if (c->write)
		write_go(d, c, false);
	else
		read_go(d, c, false);
}

static void
cmd_start(struct disk *d, struct diskreq *r)
{
	struct disk_cmd *c = g_new0(struct disk_cmd, 1);
	struct disk_pbn b;

	KASSERT(d->cmd == NULL, ("disk: two commands at once"));
	d->cmd = c;
	c->r = r;
	c->write = r->write;
	c->lbn = r->sector;
	c->n = r->nsect;
	c->end = r->sector + r->nsect;
	c->out = c->lbn;
	c->after = d->last_write ? 1 : 0;
	c->seg = -1;
	c->first_sector = -1;
	r->cache_hit = DISK_HIT_NONE;
	disk_ltop(&d->p, r->sector, &b);
	r->cyl = b.cyl;
	if (c->write)
		write_arrive(d, c);
	else
		read_arrive(d, c);
}

/* The completion message is out: account for the request and hand it
 * back, then take the next. */
static void
complete(struct disk *d)
{
	struct disk_cmd *c = d->cmd;
	struct diskreq *r = c->r;
	sim_time_t now = sim_now(d->sim), service;
	double rest;

	r->end = now;
	service = now - r->start;
	if (c->first_sector >= 0) {
		r->seek_ns = c->media_began ? c->seek_ns : 0;
		r->rot_ns = c->media_began ?
		    (sim_time_t)llround(MAX(c->first_sector - c->seek_end, 0)) : 0;
		r->xfer_ns = (sim_time_t)llround(MAX(c->last_sector_end -
		    c->first_sector, 0));
	} else {
		r->seek_ns = r->rot_ns = 0;
		r->xfer_ns = (sim_time_t)llround(c->bus_ns);
	}
	rest = (double)(service - r->seek_ns - r->rot_ns - r->xfer_ns);
	if (rest < 0) {
		/* Media and bus overlapped past the service (a transfer that
		 * ran on after the media): keep the parts within it. */
		r->xfer_ns += (sim_time_t)rest;
		if (r->xfer_ns < 0) {
			r->rot_ns += r->xfer_ns;
			r->xfer_ns = 0;
		}
		rest = 0;
	}
	r->overhead_ns = (sim_time_t)rest;

	/* A drive that does not keep what it sent (DiskSim's read-ahead over
	 * requested = -1) drops it from the segment. */
	if (!c->write && d->p.keep_request_data < 0 && c->seg >= 0) {
		struct disk_seg *g = &d->seg[c->seg];

		g->start = MAX(g->start, MIN(c->end, g->end));
	}
	d->last_write = c->write;
	if (r->write) {
		d->st.writes++;
		d->st.sectors_written += (uint64_t)r->nsect;
		d->st.write_hits += r->cache_hit == DISK_HIT_FULL;
	} else {
		d->st.reads++;
		d->st.sectors_read += (uint64_t)r->nsect;
		d->st.read_hits += r->cache_hit == DISK_HIT_FULL;
		d->st.read_partial_hits += r->cache_hit == DISK_HIT_PARTIAL;
	}
	d->st.busy_ns += service;
	d->st.seek_ns += r->seek_ns;
	d->st.rot_ns += r->rot_ns;
	d->st.xfer_ns += r->xfer_ns;
	d->st.overhead_ns += r->overhead_ns;
	d->st.queue_ns += r->start - r->submit;
	g_free(c);
	d->cmd = NULL;
	timer_disarm(d, &d->t_iface);
	dispatch(d);
	d->done(d->done_arg, r);
}

/* ---- queues ---------------------------------------------------------- */

static void
arrive_fire(struct disk *d)
{
	struct diskreq *r = d->arriving;

	d->arriving = NULL;
	cmd_start(d, r);
}

/* Fill the drive's queue from the host's, then start its next command. */
static void
dispatch(struct disk *d)
{
	struct diskreq *r;

	while (d->dq.len + (d->cmd != NULL) + (d->arriving != NULL) <
	    d->p.queue_depth && (r = d->qops->first(&d->q, d)) != NULL) {
		diskq_remove(&d->q, r);
		d->dqops->insert(&d->dq, r, d);
	}
	if (d->cmd != NULL || d->arriving != NULL ||
	    (r = d->dqops->first(&d->dq, d)) == NULL)
		return;
	diskq_remove(&d->dq, r);
	r->start = sim_now(d->sim);	/* the drive has it */
	if (d->p.ovh_request > 0) {
		d->arriving = r;
		timer_arm(d, &d->t_arrive, (double)(sim_now(d->sim) +
		    d->p.ovh_request));
	} else
		cmd_start(d, r);
}

void
disk_strategy(struct disk *d, struct diskreq *r)
{
	KASSERT(r->nsect > 0, ("disk_strategy: empty request"));
	KASSERT(r->sector >= 0 && r->sector + r->nsect <= disk_capacity(d),
	    ("disk_strategy: sector %lld beyond the disk", (long long)r->sector));
	r->submit = sim_now(d->sim);
	r->seek_ns = r->rot_ns = r->xfer_ns = r->overhead_ns = 0;
	d->qops->insert(&d->q, r, d);
	if (disk_qlen(d) > d->st.maxqlen)
		d->st.maxqlen = disk_qlen(d);
	dispatch(d);
	timer_flush(d);
}

void
disk_abort(struct disk *d, void (*fn)(struct diskreq *r, void *arg), void *arg)
{
	struct diskreq *r;

	while ((r = TAILQ_FIRST(&d->q.head)) != NULL) {
		diskq_remove(&d->q, r);
		fn(r, arg);
	}
	while ((r = TAILQ_FIRST(&d->dq.head)) != NULL) {
		diskq_remove(&d->dq, r);
		fn(r, arg);
	}
	if (d->arriving != NULL) {
		fn(d->arriving, arg);
		d->arriving = NULL;
	}
	if (d->cmd != NULL) {
		fn(d->cmd->r, arg);
		g_free(d->cmd);
		d->cmd = NULL;
	}
	timer_disarm(d, &d->t_iface);
	timer_disarm(d, &d->t_media);
	timer_disarm(d, &d->t_arrive);
	timer_flush(d);
}

sim_time_t
disk_position_estimate(const struct disk *d, const struct diskreq *r)
{
	const struct disk_params *p = &d->p;
	int after = d->last_write ? 1 : 0;
	struct disk_pbn b;
	enum hit hit;
	double t0, t1;

	if (!r->write && read_lookup(d, r->sector, r->sector + r->nsect,
	    &hit) >= 0 && hit == HIT_WHOLE)
		return 0;
	t0 = (double)MAX(sim_now(d->sim), d->mech_free) + (double)(r->write ?
	    (p->fast_write > 0 ? p->ovh_write_hit[after] :
	    p->ovh_write_miss[after]) : p->ovh_read_miss[after]);
	disk_ltop(p, r->sector, &b);
	t1 = t0 + (double)disk_reposition_time(p, d->cur_cyl, d->cur_head, b.cyl,
	    b.head, r->write);
	t1 += disk_rotate_ns(d, disk_angle_at(d, t1), disk_pbn_angle(p, &b));
	return (sim_time_t)llround(t1) - sim_now(d->sim);
}
