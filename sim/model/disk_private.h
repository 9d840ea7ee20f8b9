/*
 * disk_private.h — what the drive's files share and no other subsystem
 * needs: the command in service (struct disk_cmd), the media access
 * (struct disk_media), the segment states, small helpers, and the
 * functions one of them calls in another.  The rest of the kernel uses
 * disk.h.
 *
 *  disk.c       the queues, disk_strategy, the timers, the invariants
 *  diskctlr.c   commands and the interface to the host (the bus)
 *  diskmedia.c  the media access sector by sector
 *  diskcache.c  the cache's segments
 */
#ifndef VFSSIM_DISK_PRIVATE_H
#define VFSSIM_DISK_PRIVATE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "disk.h"

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

/* The media access, one at a time (diskmedia.c). */
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
	/* The track under the heads: its blocks, and whether they lie on
	 * consecutive sectors (no slip inside), when the next block follows
	 * the last without any arithmetic; its sectors' angles.  (first =
	 * end = -1: none yet.) */
	struct disk_track trk;
	/* Zero-latency access: the blocks [imm_from, imm_to) of this track
	 * were taken as they came round, before [next, imm_from). */
	int64_t		 imm_from, imm_to;
	/* A command stopped this read-ahead to end at its next event (the
	 * seek's end, the sector's arrival or end: preempt_at_event). */
	bool		 preempt;
	double		 t;		/* exact time the current step ends */
	/* Sector after sector on a track, t is t0 + k sectors' time: the
	 * base set afresh by every seek, rotational wait or revolution
	 * (media_time), k counting the sectors since (media_step).  A run of
	 * sectors then costs one multiplication however it is taken, one
	 * step at a time or many in one go, and gives the same times. */
	double		 t0;
	int64_t		 k;
	double		 seek_end;
	/* Where the seek under way (M_SEEK) set out from: DiskSim's
	 * mechanical state, which a seek changes only at its end
	 * (disk_buffer_seekdone), for its SPTF estimates. */
	int64_t		 from_cyl;
	int		 from_head;
	/* Waiting on the track for a sector not to be skipped by (a write
	 * whose data is not in, a slip), since dry_base: DiskSim's media
	 * takes each sector passing meanwhile as one done, though it moves
	 * no data (disk_buffer_sector_done, bcount 2), and its mechanical
	 * state's time with it; after a seek it waits for the first sector
	 * in one step (dry false).  For disk_sector_end. */
	bool		 dry;
	double		 dry_base;
	/* The time a sector of cylinder sec_cyl takes to pass (a cache of
	 * sector_ns: the zone is looked up once a track). */
	int64_t		 sec_cyl;
	double		 sec_ns;
	/*
	 * A write access is one write's, as DiskSim gives each its own: the
	 * command `owner` (its seq) whose blocks end at own_end.  A write
	 * appending to the segment meanwhile has its data taken in and
	 * waits for an access of its own (DiskSim queues it: joined, its
	 * blocks [join_lbn, join_end), command join_owner; join_lbn < 0:
	 * none); until that access begins no other write joins.  At own_end
	 * the access goes on into the joined write's blocks as that access
	 * if the owner is still in service, or, the owner done (DiskSim's
	 * BUFFER_BACKGROUND), on to the segment's end as the owner's
	 * (swept) -- and the joined write then writes them again
	 * (media_own_end).  Without disksim_quirks none joins so: the
	 * access goes on into the write as its own (write_go).
	 */
	uint64_t	 owner;
	int64_t		 own_end;
	int64_t		 join_lbn, join_end;
	uint64_t	 join_owner;
	bool		 swept;
};

/* The interface (diskctlr.c): what it is doing, and what it does when
 * an overhead is over. */
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

/* The command the drive serves, from its arrival to its completion
 * (diskctlr.c). */
struct disk_cmd {
	struct diskreq	*r;
	uint64_t	 seq;		/* the drive's count of commands */
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
	bool		 bus_wait;	/* would reselect; the bus is taken */
	sim_time_t	 overhead_done;	/* mechanical work may begin */
	/* the interface */
	enum iface_state ist;
	enum iface_next	 next;
	int64_t		 out;		/* next block to move over the bus */
	int64_t		 xfer_from;
	int		 xfer_n;
	double		 xfer_t0, xfer_blk;
	/* accounting */
	int		 wait_kind;	/* DISK_WAIT_*: what holds the heads */
	sim_time_t	 seek_ns;
	double		 seek_end;
	double		 first_sector, last_sector_end;
	double		 bus_ns;
	/*
	 * The interface's log (disk_cmd_acct): from each entry's time until
	 * the next, what the command was doing -- DISK_PART_* (the
	 * controller, the bus, waiting for the media, for room), or waiting
	 * for the heads (ACCT_WAIT + DISK_WAIT_*).  complete() sums it
	 * outside the command's media access into diskreq.part_ns and
	 * wait_ns.  Entries wholly within the media access so far are
	 * dropped when the log is full (they count for nothing); it grows
	 * only if none is.  (Not cleared with the rest at each command: the
	 * entries are written before they are read.)
	 */
	int		 nacct;
	int		 acct_cap;
	struct disk_acct {
		sim_time_t	 t;
		int		 k;
	}		*acct;
};

/* A sneaky full read hit's steps (struct disk's sneak; diskctlr.c). */
enum { SNEAK_NONE, SNEAK_OVH, SNEAK_XFER, SNEAK_DONE };

/* The log's classes beyond DISK_PART_*: the waits for the heads. */
#define	ACCT_WAIT	DISK_PART_COUNT
/* Bytes of struct disk_cmd cleared for each command (the log is not). */
#define	DISK_CMD_CLEAR	offsetof(struct disk_cmd, nacct)

/* ---- helpers --------------------------------------------------------- */

/*
 * Is the drive's bus taken?  By a command arriving (d->arriving, from the
 * host's sending it to its disconnect), or by the command in service
 * while it is connected: an overhead running (command, reselection,
 * disconnect, completion), data moving, or the bus held.  Disconnected,
 * or between an extra write disconnect's two, it leaves the bus free.
 */
static inline bool
disk_bus_busy(const struct disk *d)
{
	const struct disk_cmd *c = d->cmd;

	return d->arriving != NULL || (c != NULL && c->ist != IF_DISC &&
	    c->ist != IF_XD_WAIT);
}

/*
 * llround(x), without the library call every sector's timer would make:
 * for 0 <= x < 2^53 the integer part is exact and so is x minus it (the
 * two are within a factor of two), and above that x is an integer.
 * Whether 0 <= x < 2^62 is one integer comparison of x's bits: a
 * non-negative double's bits order as its value, 2^62's are
 * 0x43d0000000000000, and a negative x, -0 or a NaN has bits at or above
 * them (the sign bit, or an exponent of all ones) -- -0, which the two
 * float comparisons let through, takes llround and gives 0 all the same.
 */
static inline sim_time_t
ns_round(double x)
{
	sim_time_t i;
	uint64_t u;

	memcpy(&u, &x, sizeof(u));
	if (u >= UINT64_C(0x43d0000000000000))
		return (sim_time_t)llround(x);
	i = (sim_time_t)x;
	return i + (x - (double)i >= 0.5);
}

/* Do blocks [b, e) overlap segment g as DiskSim's disk_buffer_overlap
 * has it -- an empty segment lying within them too? */
static inline bool
disk_seg_overlaps(const struct disk_seg *g, int64_t b, int64_t e)
{
	return (b >= g->start && b < g->end) || (e > g->start && e <= g->end) ||
	    (b <= g->start && e >= g->end);
}

/* Sectors a track at cylinder cyl, and the time one takes to pass. */
static inline int
zone_spt(const struct disk *d, int64_t cyl)
{
	const struct disk_zone *z = disk_zone_of_cyl(&d->p, cyl);

	return z != NULL ? z->spt : 1;
}

static inline double
sector_ns(const struct disk *d, int64_t cyl)
{
	return d->period / zone_spt(d, cyl);
}

/* The time a sector under the heads takes to pass. */
static inline double
media_sector_ns(const struct disk *d)
{
	struct disk_media *m = d->media;

	if (m->sec_cyl != m->at.cyl) {
		m->sec_cyl = m->at.cyl;
		m->sec_ns = sector_ns(d, m->at.cyl);
	}
	return m->sec_ns;
}

/* The timers armed but not yet queued (disk.c schedules them lazily). */
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

/* The armed timer not yet queued that is due first, or NULL: none or
 * the one from the bits kept (d->pending), else the first of them. */
static inline struct disk_timer *
timer_next(struct disk *d)
{
	struct disk_timer *t = d->pending_one[d->pending];

	if (t != NULL || d->pending == 0)
		return t;
	return timer_earlier(timer_earlier(timer_earlier(NULL, &d->t_media),
	    &d->t_iface), &d->t_arrive);
}

/* ---- between the files ----------------------------------------------- */

/* disk.c: the tracks, the timers, the queues, the invariants */
const struct disk_track *disk_track(struct disk *d, int64_t lbn);
void	disk_lbn_pbn(struct disk *d, int64_t lbn, struct disk_pbn *b);
void	disk_timer_queue(struct disk *d, struct disk_timer *t);
void	disk_dispatch(struct disk *d);
void	disk_bus_free(struct disk *d);
void	disk_check(const struct disk *d);

/*
 * Disarm a timer.  One armed but not yet queued is queued all the same,
 * as a stale event: had it been queued when armed, it would be there, and
 * it would run the timer if it were re-armed for exactly the same time.
 * (These three are inline: the drive arms a timer some sixteen times a
 * request, and the call was most of what arming cost.)
 */
static inline void
disk_timer_disarm(struct disk *d, struct disk_timer *t)
{
	if (t->armed && !t->queued)
		disk_timer_queue(d, t);
	t->armed = false;
	d->pending &= ~t->bit;
}

/* Arm a timer for `when`, at time `now` (never earlier than that). */
static inline void
disk_timer_arm_at(struct disk *d, struct disk_timer *t, double when,
    sim_time_t now)
{
	sim_time_t w = ns_round(when);

	disk_timer_disarm(d, t);
	t->when = w < now ? now : w;
	t->ticket = sim_ticket(d->sim);
	t->armed = true;
	t->queued = false;
	d->pending |= t->bit;
	if (d->each_step)
		disk_timer_queue(d, t);
}

static inline void
disk_timer_arm(struct disk *d, struct disk_timer *t, double when)
{
	disk_timer_arm_at(d, t, when, sim_now(d->sim));
}

/* diskctlr.c: commands and the interface */
void	disk_cmd_start(struct disk *d, struct diskreq *r);
void	disk_cmd_resume(struct disk *d, struct diskreq *r);
bool	disk_heads_free_for(const struct disk *d, const struct diskreq *r);
bool	disk_heads_idle(const struct disk *d);
void	disk_heads_wanted(struct disk *d);
void	disk_write_hit_stop(struct disk *d, const struct diskreq *r);
void	disk_read_attach(struct disk *d, int s, const struct diskreq *r);
bool	disk_sneak_start(struct disk *d, struct diskreq *r);
void	disk_sneak_fire(struct disk *d);
void	disk_cmd_media_progress(struct disk *d);
void	disk_cmd_media_ready(struct disk *d);
void	disk_iface_fire(struct disk *d);
void	disk_bus_chunk(struct disk *d, int64_t n, sim_time_t now);
int64_t	disk_cmd_reconnect_at(const struct disk *d);
void	disk_cmd_acct_add(struct disk_cmd *c, sim_time_t now, int k);

/*
 * What the command is doing now, for its log: waiting for the heads, or
 * by the interface's state -- an overhead running is the controller's, a
 * chunk moving is the bus's, and off the bus or holding it a write that
 * still has data to send waits for room in its segment, anything else
 * (a read's data, a write's data reaching the media) for the media.
 */
static inline int
disk_cmd_class(const struct disk_cmd *c)
{
	if (c->wait_media)
		return ACCT_WAIT + c->wait_kind;
	switch (c->ist) {
	case IF_DELAY:
	case IF_XD_WAIT:
		return DISK_PART_CTLR;
	case IF_XFER:
		return DISK_PART_BUS;
	case IF_DISC:
		if (c->bus_wait)
			return DISK_PART_BUS;	/* waiting for the bus */
		/* FALLTHROUGH */
	default:
		return c->write && c->out < c->end ? DISK_PART_ROOM :
		    DISK_PART_MEDIA;
	}
}

/* The command's state may have changed at time now: log it (the usual
 * case here, disk_cmd_acct_add the rest). */
static inline void
disk_cmd_acct(struct disk_cmd *c, sim_time_t now)
{
	int k = disk_cmd_class(c);
	struct disk_acct *e = &c->acct[c->nacct - 1];

	if (e->k == k)
		return;
	if (now > e->t && c->nacct < c->acct_cap) {
		e[1].t = now;
		e[1].k = k;
		c->nacct++;
	} else
		disk_cmd_acct_add(c, now, k);
}

/* diskmedia.c: the media access */
void	disk_media_begin(struct disk *d, int s, bool write, int64_t from,
	    int64_t limit, sim_time_t not_before, sim_time_t min_delay,
	    struct disk_cmd *c);
void	disk_media_stop(struct disk *d);
bool	disk_media_preempt(struct disk *d);
void	disk_media_fire(struct disk *d);
void	disk_media_stream_run(struct disk *d);

/* Runs of sectors in one go, if a sector is passing the heads and its
 * timer is not queued (diskmedia.c). */
static inline void
disk_media_stream(struct disk *d)
{
	if (d->media->st == M_SECTOR && d->t_media.armed &&
	    !d->t_media.queued && !d->media->preempt)
		disk_media_stream_run(d);
}

/* diskcache.c: the segments */
void	disk_seg_touch(struct disk *d, int s);
void	disk_seg_set_state(struct disk *d, int s, int state);
void	disk_seg_settle(struct disk *d, int s);
int	disk_read_lookup(const struct disk *d, int64_t lbn, int64_t end,
	    enum hit *hit);
int	disk_read_victim(const struct disk *d);
int	disk_write_lookup(const struct disk *d, int64_t lbn, int64_t end,
	    enum hit *hit);
int64_t	disk_readahead_max(struct disk *d, const struct disk_seg *g,
	    int64_t lbn, int64_t end);
void	disk_invalidate_overlaps(struct disk *d, int keep, int busy,
	    int64_t lbn, int64_t end);

#endif
