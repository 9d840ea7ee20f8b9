/*
 * disk.c — the drive: its queues, its timers, and the parts it is made of.
 *
 * The drive serves one command at a time -- with a queue of its own
 * (queue_depth), it receives others meanwhile, each in turn on its bus,
 * and takes the next when the heads are free (disk_dispatch, arrive) --
 * and keeps working in the background after a command: reading ahead
 * into a cache segment after a read, writing dirty data to the media
 * after a write reported from the cache.  Three
 * activities overlap, each driven by its own timer, each in its own file
 * (as DiskSim 4.0 splits its disk model, whose parameters describe real
 * drives; where DiskSim's own code disagrees with its documentation the
 * comments say which was followed):
 *
 *  - the interface (diskctlr.c, DiskSim's disksim_diskctlr.c): command
 *    overhead, then data over the bus in chunks as the cache has it
 *    (reads) or has room for it (writes), disconnecting while it waits and
 *    reselecting the host when there is enough to send (the watermark),
 *    then the completion message.  Every step's delay is a parameter
 *    measured on the real drive.
 *  - the media (diskmedia.c; DiskSim's disksim_diskctlr.c too): a seek (or
 *    head switch) to the track, the rotational wait for the wanted sector,
 *    then sector after sector, switching tracks as the layout (diskmap.c)
 *    says; a sector is read only if the segment has room for it and
 *    written only once its data has come over the bus — otherwise the head
 *    waits a revolution for it to come round again.
 *  - the cache (diskcache.c, DiskSim's disksim_diskcache.c): segments of
 *    consecutive blocks, reused least recently used first; a read whose
 *    first block is in a segment is a (partial) hit and needs the bus only;
 *    a read-ahead in progress is stopped by a command that needs the heads
 *    elsewhere, or adopted by a read it serves.
 *
 * Here are the drive as the kernel sees it (disk_strategy, the host's
 * queue and the drive's own, the next command handed to the controller),
 * the timers the three activities run on, and the drive's invariants.
 * What the files share is in disk_private.h.
 */
#include "disk.h"
#include "disk_private.h"
#include "kassert.h"

#include <math.h>
#include <string.h>

#include <glib.h>

static void arrive_fire(struct disk *d);

/* ---- tracks ---------------------------------------------------------- */

/*
 * The track holding lbn.  Working a track out (disk_track_map) takes a few
 * block maps; the media then uses it at every sector and every track
 * switch, and a command's first track is the one its media access seeks
 * to: the drive keeps the last few, replaced in turn.
 */
/*
 * Is lbn in [first, end)?  One unsigned comparison (first <= end: a track
 * kept, or one not yet used, 0 and 0): the requests of a trace fall on
 * either side of a track at random, and two comparisons' branches would
 * be mispredicted half the time.
 */
static inline bool
trk_holds(const struct disk_track *t, int64_t lbn)
{
	return (uint64_t)lbn - (uint64_t)t->first <
	    (uint64_t)t->end - (uint64_t)t->first;
}

/* A track not kept: mapped into the one kept longest.  (Out of line: its
 * copy of a track and its call need registers saved that a track found
 * does not -- 0.4-0.5 % of the instructions of a validate run.)  The track
 * before, which disk_track_map uses only in a zone mapped around slips,
 * is looked for only on a drive that has one. */
static struct disk_track * __attribute__((noinline))
track_miss(struct disk *d, int64_t lbn)
{
	struct disk_track *t, *prev = NULL, before;
	int i;

	if (d->p.slipped)
		for (i = 0; i < DISK_NTRACKS; i++) {
			t = &d->trk[i];
			if (t->end == lbn && t->has_next)
				prev = t;
		}
	d->trk_last = d->trk_next;
	t = &d->trk[d->trk_next];
	d->trk_next = (d->trk_next + 1) % DISK_NTRACKS;
	if (prev == t) {
		before = *prev;
		prev = &before;
	}
	disk_track_map(&d->p, lbn, prev, t);
	return t;
}

const struct disk_track *
disk_track(struct disk *d, int64_t lbn)
{
	unsigned in = 0;
	int i;

	/* Mostly the track found last (a command's sectors, one after
	 * another); else the one of those kept that holds lbn, which is a
	 * matter of chance: the four are tested without a branch each, the
	 * one found from the mask.  (Tracks kept do not overlap: at most
	 * one holds lbn.) */
	if (trk_holds(&d->trk[d->trk_last], lbn))
		return &d->trk[d->trk_last];
	G_STATIC_ASSERT(DISK_NTRACKS <= 8);
	for (i = 0; i < DISK_NTRACKS; i++)
		in |= (unsigned)trk_holds(&d->trk[i], lbn) << i;
	if (in != 0) {
		d->trk_last = __builtin_ctz(in);
		return &d->trk[d->trk_last];
	}
	return track_miss(d, lbn);
}

/* Where block lbn lies (disk_ltop's answer), from its track. */
void
disk_lbn_pbn(struct disk *d, int64_t lbn, struct disk_pbn *b)
{
	const struct disk_track *t = disk_track(d, lbn);

	if (t->contig) {
		*b = t->pfirst;
		b->sector += (int)(lbn - t->first);
	} else
		disk_ltop(&d->p, lbn, b);
}

/* ---- timers ---------------------------------------------------------- */

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

void
disk_timer_queue(struct disk *d, struct disk_timer *t)
{
	sim_at_ticket(d->sim, t->when, t->ticket, timer_fire, t);
	t->queued = true;
	d->pending &= ~t->bit;
}

/*
 * Is an armed timer already queued that is due before t (or at its time
 * with an earlier ticket)?  Then t need not be queued yet: that timer's
 * event comes first, and its callout takes t at once or queues it
 * (timer_fire).
 */
static bool
timer_covered(const struct disk *d, const struct disk_timer *t)
{
	const struct disk_timer *q[] = { &d->t_media, &d->t_iface,
	    &d->t_arrive };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(q); i++)
		if (q[i]->armed && q[i]->queued && (q[i]->when < t->when ||
		    (q[i]->when == t->when && q[i]->ticket < t->ticket)))
			return true;
	return false;
}

/*
 * On the way out: queue the first of the timers armed since, unless a
 * timer queued before comes before it.  The others wait, armed: every
 * one is due after a queued timer, whose callout runs them in turn if
 * nothing comes between (sim_callout_advance) and queues the first left
 * if something does -- so a command's interface timer and its media
 * access, armed together, cost one event, not two.  A timer disarmed
 * meanwhile is queued as it is then (disk_timer_disarm), where it would
 * have been.
 */
static void
timer_flush(struct disk *d)
{
	struct disk_timer *t = timer_next(d);

	if (t != NULL && !timer_covered(d, t))
		disk_timer_queue(d, t);
}

/*
 * The livelock guard.  A drive that has had requests outstanding for
 * DISK_STALL_NS of simulated time without completing one is going round
 * in circles (the media waiting a revolution at a time for room, a
 * command for data that never comes): rather than run on for ever, stop
 * the run (sim_stop) and say which request is stuck.  Checked at every
 * timer, where such a drive spends its time: one comparison.
 */
static bool
stalled(struct disk *d)
{
	const struct diskreq *r;
	sim_time_t now = sim_now(d->sim);

	if (d->stall != NULL)
		return true;
	if (now - d->progress <= DISK_STALL_NS || disk_qlen(d) == 0)
		return false;
	r = d->cmd != NULL ? d->cmd->r : d->arriving != NULL ? d->arriving :
	    TAILQ_FIRST(&d->dq.head) != NULL ? TAILQ_FIRST(&d->dq.head) :
	    TAILQ_FIRST(&d->q.head);
	{
		GString *m = g_string_new(NULL);

		g_string_printf(m, "the drive completed no request in %.0f s of "
		    "simulated time with %d outstanding (a simulator bug): the "
		    "%s of blocks %lld-%lld, submitted at %.6f s",
		    (double)DISK_STALL_NS / 1e9, disk_qlen(d),
		    r->write ? "write" : "read", (long long)r->sector,
		    (long long)(r->sector + r->nsect - 1),
		    (double)r->submit / 1e9);
		if (d->cmd != NULL)
			g_string_append_printf(m, " and begun at %.6f s",
			    (double)r->start / 1e9);
		g_string_append_printf(m, ", is stuck at %.6f s",
		    (double)now / 1e9);
		d->stall = g_string_free(m, FALSE);
	}
	sim_stop(d->sim);
	return true;
}

/* Timer t, due now: it, any run of sectors after it, then whichever timer
 * is due next if nothing queued comes before it, and so on. */
static void
timer_run(struct sim *s, struct disk *d, struct disk_timer *t)
{
	for (;;) {
		t->armed = false;
		d->pending &= ~t->bit;
		t->fn(d);
		disk_check(d);
		if (stalled(d))
			break;
		if (d->each_step)
			return;		/* everything is queued */
		disk_media_stream(d);
		if ((t = timer_next(d)) == NULL ||
		    !sim_callout_advance(s, t->when, t->ticket))
			break;
	}
	timer_flush(d);
}

static void
timer_fire(struct sim *s, void *arg)
{
	struct disk_timer *t = arg;
	struct disk *d = t->d;

	KASSERT(timer_next(d) == NULL || timer_covered(d, timer_next(d)),
	    ("disk: a timer armed, due first, but not queued"));
	if (!t->armed || sim_now(s) != t->when)
		return;		/* disarmed or re-armed since */
	timer_run(s, d, t);
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
	d->seek_nmemo = MIN(MAX(p->cylinders, 1), DISK_SEEK_MEMO);
	d->seek_memo = g_new0(sim_time_t, d->seek_nmemo);
	d->seg = g_new0(struct disk_seg, p->nsegs);
	for (i = 0; i < p->nsegs; i++) {
		d->seg[i].ra_min = d->seg[i].ra_max = -1;
		d->seg[i].used = (uint64_t)i;
	}
	d->lru = (uint64_t)p->nsegs;
	d->mru = -1;
	d->sneak_seg = -1;
	d->ra_held_seg = -1;
	d->media = g_new0(struct disk_media, 1);
	d->media->sec_cyl = -1;
	d->media->join_lbn = -1;
	d->cmd_mem = g_new0(struct disk_cmd, 1);
	d->cmd_mem->acct_cap = 16;
	d->cmd_mem->acct = g_new(struct disk_acct, d->cmd_mem->acct_cap);
	d->t_media = (struct disk_timer){ .d = d, .bit = 1,
	    .fn = disk_media_fire };
	d->t_iface = (struct disk_timer){ .d = d, .bit = 2,
	    .fn = disk_iface_fire };
	d->t_arrive = (struct disk_timer){ .d = d, .bit = 4,
	    .fn = arrive_fire };
	d->pending = 0;
	d->pending_one[1] = &d->t_media;
	d->pending_one[2] = &d->t_iface;
	d->pending_one[4] = &d->t_arrive;
	/* Every step through the queue, as the drive's timers were before
	 * they were scheduled lazily: the reference tests compare against. */
	each = g_getenv("VFSSIM_DISK_EACH_STEP");
	d->each_step = each != NULL && *each != '\0' && strcmp(each, "0") != 0;
}

void
disk_destroy(struct disk *d)
{
	if (d->cmd_mem != NULL)
		g_free(d->cmd_mem->acct);
	g_free(d->cmd_mem);
	g_free(d->media);
	g_free(d->seg);
	g_free(d->seek_memo);
	g_free(d->stall);
	disk_faults_free(d);
	disk_params_free(&d->p);
	d->stall = NULL;
	d->cmd = d->cmd_mem = NULL;
	d->media = NULL;
	d->seg = NULL;
	d->seek_memo = NULL;
	d->seek_nmemo = 0;
}

int64_t
disk_capacity(const struct disk *d)
{
	return d->p.blocks;
}

int
disk_qlen(const struct disk *d)
{
	/* (a command being received is in the drive's queue, or served) */
	return d->q.len + d->dq.len + (d->cmd != NULL) +
	    (d->arriving != NULL && !d->arriving_rx);
}

/* ---- invariants ------------------------------------------------------ */

/*
 * The drive's invariants: segments hold runs of blocks, the dirty count
 * matches, the media works on a segment in its state, the command's bus
 * pointer lies within its blocks.
 */
void
disk_check(const struct disk *d)
{
#ifdef INVARIANTS
	const struct disk_media *m = d->media;
	const struct disk_timer *tt[] = { &d->t_media, &d->t_iface,
	    &d->t_arrive };
	unsigned pend = 0;
	int s, ndirty = 0;

	for (s = 0; s < 3; s++)
		if (tt[s]->armed && !tt[s]->queued)
			pend |= tt[s]->bit;
	KASSERT(d->pending == pend, ("disk: pending timers %#x, not %#x",
	    d->pending, pend));

	for (s = 0; s < d->p.nsegs; s++) {
		const struct disk_seg *g = &d->seg[s];

		KASSERT(g->start <= g->end && g->end - g->start <= d->p.segsize,
		    ("disk: segment %d holds [%lld, %lld)", s,
		    (long long)g->start, (long long)g->end));
		ndirty += g->state == SEG_DIRTY || g->state == SEG_WRITING;
	}
	/* (disk_track's single comparison needs first <= end, and its
	 * trying the track found last first, that no two overlap.) */
	for (s = 0; s < DISK_NTRACKS; s++) {
		const struct disk_track *t = &d->trk[s];

		KASSERT(t->first <= t->end, ("disk: track kept as [%lld, %lld)",
		    (long long)t->first, (long long)t->end));
		for (int o = 0; o < s; o++)
			KASSERT(t->end <= d->trk[o].first ||
			    d->trk[o].end <= t->first,
			    ("disk: tracks kept overlap: [%lld, %lld), "
			    "[%lld, %lld)", (long long)t->first,
			    (long long)t->end, (long long)d->trk[o].first,
			    (long long)d->trk[o].end));
	}
	KASSERT(ndirty == d->ndirty, ("disk: %d dirty segments counted as %d",
	    ndirty, d->ndirty));
	if (m->st != M_IDLE) {
		KASSERT(m->next <= m->limit, ("disk: media past its limit"));
		KASSERT(d->seg[m->seg].state == (m->write ? SEG_WRITING :
		    SEG_READING), ("disk: media on a segment in state %d",
		    d->seg[m->seg].state));
		/* A write joined only a write access, after its owner's
		 * blocks and within what the segment may hold; the access
		 * goes on into them only with one joined (swept). */
		KASSERT(m->join_lbn < 0 || (m->write &&
		    m->join_lbn >= m->own_end && m->join_end > m->join_lbn),
		    ("disk: a write joined [%lld, %lld) an access to %lld",
		    (long long)m->join_lbn, (long long)m->join_end,
		    (long long)m->own_end));
		KASSERT(!m->swept || m->join_lbn >= 0,
		    ("disk: a sweep past its owner's blocks, none joined"));
	} else
		KASSERT(m->join_lbn < 0,
		    ("disk: a write joined an access that is over"));
	if (d->cmd != NULL)
		KASSERT(d->cmd->out >= d->cmd->lbn && d->cmd->out <= d->cmd->end,
		    ("disk: command's bus pointer out of its blocks"));
	/* Commands in the drive's queue were received beside the one it
	 * serves or while its heads were busy, and it takes the next as
	 * soon as it serves none and they are free; no more than it
	 * accepts. */
	KASSERT(d->dq.len == 0 || d->cmd != NULL || m->st != M_IDLE,
	    ("disk: %d commands queued in the drive, none served", d->dq.len));
	KASSERT(!d->arriving_rx || d->arriving != NULL,
	    ("disk: receiving no command"));
	KASSERT(d->sneak == SNEAK_NONE || (d->arriving != NULL &&
	    !d->arriving_rx && d->sneak_seg >= 0), ("disk: a sneaky hit "
	    "sent of no command"));
	/* (a command being received is in the queue, or served, already) */
	KASSERT(d->dq.len + (d->cmd != NULL) + (d->arriving != NULL &&
	    !d->arriving_rx) <= MAX(d->p.queue_depth, 1), ("disk: %d "
	    "commands in a drive of %d", d->dq.len + (d->cmd != NULL) +
	    (d->arriving != NULL && !d->arriving_rx), d->p.queue_depth));
#else
	(void)d;
#endif
}

/* ---- queues ---------------------------------------------------------- */

/* The segment a read-ahead fills, or -1. */
static int
prefetch_seg(const struct disk *d)
{
	const struct disk_media *m = d->media;

	return m->st != M_IDLE && !m->write ? m->seg : -1;
}

/* Does read r start among segment s's blocks (or, with almost read
 * hits, at the block it is reading ahead: disk_read_lookup's rule)? */
static bool
seg_read_hit(const struct disk *d, int s, const struct diskreq *r)
{
	const struct disk_seg *g = &d->seg[s];

	return !r->write && (g->state == SEG_READING || g->state == SEG_CLEAN) &&
	    r->sector >= g->start && (r->sector < g->end ||
	    (r->sector == g->end && g->state == SEG_READING &&
	    d->p.almost_read_hits));
}

/*
 * The segment read r will hold as a read-ahead's, taken from the queue
 * with the heads free, or -1: a whole hit in a segment short of the
 * read-ahead r asks for.  DiskSim's disk_check_hda_pending marks that
 * segment's access a background read (BUFFER_BACKGROUND, the segment
 * BUFFER_READING) whether or not the media then reads ahead
 * (readaheadifidle), and disk_check_hda offers it
 * to the queue as it offers a running read-ahead
 * (disk_check_prefetch_swap).  No side effects but the tracks' cache.
 */
static int
readahead_owed(struct disk *d, const struct diskreq *r)
{
	const struct disk_seg *g;
	enum hit hit;
	int s;

	if (r->write || d->p.readahead == DRA_NONE)
		return -1;
	s = disk_read_lookup(d, r->sector, r->sector + r->nsect, &hit);
	if (s < 0 || hit != HIT_WHOLE)
		return -1;
	g = &d->seg[s];
	return g->end < MAX(g->ra_max, disk_readahead_max(d, g, r->sector,
	    r->sector + r->nsect)) ? s : -1;
}

/*
 * The policy's choice r, or the read taken before it: while reads given
 * the held segment's access (attached, ra_held_seg) are queued, DiskSim
 * serves them first, in turn -- each comes to own the segment as the one
 * before completes (disk_find_new_seg_owner) and asks for the bus with
 * its blocks in, and the queue is not looked at while the last of them
 * holds the heads (disk_check_hda does nothing while effectivehda is
 * set); a write overlapping the segment meanwhile finds no segment
 * (disk_buffer_select_write_segment: a collision).  So the first such
 * read still queued that hits the segment comes first.  No side effects.
 */
static struct diskreq *
held_first(const struct disk *d, struct diskreq *r)
{
	struct diskreq *q;
	int s = d->ra_held_seg;

	if (s >= 0 && !(r->ra_attached && seg_read_hit(d, s, r)))
		TAILQ_FOREACH(q, &d->dq.head, q)
			if (q->ra_attached && seg_read_hit(d, s, q))
				return q;
	return r;
}

/*
 * Read r is given the held segment s's access (DiskSim's
 * disk_buffer_attempt_access_swap, or disk_check_hda_pending for the
 * read taken): its read-ahead bounds raised (disk_read_attach), and
 * whether the access is then a background read noted.
 */
static void
held_give(struct disk *d, int s, struct diskreq *r)
{
	const struct disk_seg *g = &d->seg[s];
	int64_t end = r->sector + r->nsect;

	disk_read_attach(d, s, r);
	d->ra_eff = r;
	d->ra_eff_end = end;
	d->ra_eff_seen = g->end;
	d->ra_eff_bg = g->end >= end && g->end < g->ra_max;
}

/*
 * May another read take the held segment's access over?  Only a
 * background read's: as it was given, or since -- the media having read
 * past the blocks of the read it was given to (disk_buffer_request_complete
 * sets BUFFER_BACKGROUND when those are in and it reads on), or that read
 * taken in its turn with its blocks in (prefetch_swap:
 * disk_buffer_attempt_seg_ownership sets it for the effectivehda that
 * comes to own the segment).
 */
static bool
held_background(const struct disk *d)
{
	const struct disk_seg *g = &d->seg[d->ra_held_seg];

	return d->ra_eff_bg || g->end > MAX(d->ra_eff_end, d->ra_eff_seen);
}

/*
 * Does read r, queued as it arrives while the read in service holds a
 * read-ahead's segment given it (ra_held_seg), join that segment, to have
 * it in its turn (ra_attached; prefetch_swap)?  DiskSim's
 * disk_activate_read, at disk_request_arrive, lets a read hitting the
 * segment share it (disk_buffer_attempt_access_swap) if
 * disk_buffer_stopable_access finds it the request its queue would take
 * next -- of those enabled: a write overlapping the held segment is not
 * (no segment may take it: disk_buffer_select_write_segment's
 * collision).  So r joins if the policy chooses it, or if every other
 * queued command is such a write (the only choice, whatever the policy;
 * for FCFS, which queues r last, the two are the same).
 */
static bool
arrive_attaches(struct disk *d, struct diskreq *r)
{
	struct diskreq *q;
	int s = d->ra_held_seg;

	if (s < 0 || d->cmd == NULL || d->cmd->write || d->cmd->seg != s ||
	    !seg_read_hit(d, s, r) || !held_background(d))
		return false;
	if (d->dqops->first(&d->dq, d) == r)
		return true;
	TAILQ_FOREACH(q, &d->dq.head, q)
		if (q != r && !q->ra_attached && !(q->write && disk_seg_overlaps(
		    &d->seg[s], q->sector, q->sector + q->nsect)))
			return false;
	return true;
}

/*
 * The command arriving is at the drive (its ovh_request over): DiskSim's
 * disk_request_arrive.  A drive serving no command takes it at once as
 * the command it serves (disk_cmd_start) -- with a queue of its own, only
 * if the heads are its at once (disk_heads_free_for).  One serving
 * another, or whose heads a flush or an unfinished read-ahead holds,
 * receives it -- its command overhead timed from now, the mechanical
 * work to wait for its end (overhead_done), then the disconnect, holding
 * the bus throughout -- and queues it, to take the next by its policy
 * when the heads are free (disk_dispatch, disk_cmd_resume).  (One at a
 * time, the command taken at once waits for the heads itself, as long,
 * and its wait is counted as what held them: drain_ns, readahead_ns.)
 * The overheads are DiskSim's disconnect path of
 * disk_read_arrive and disk_write_arrive, by the last command's kind
 * (lastflags): a read's read-miss overhead whatever the cache holds, a
 * write's write-hit or write-miss overhead by whether writes are
 * reported from the cache.  (DiskSim 4.0 never sends the disconnect of a
 * write arriving so at a drive without fast writes -- that branch of
 * disk_write_arrive sends nothing -- and its bus stays taken; here it
 * disconnects as a write reported from the cache does.)  A drive that
 * never disconnects holds the bus through every command, so none
 * arrives while it serves one.
 */
static void
arrive(struct disk *d)
{
	const struct disk_params *p = &d->p;
	struct diskreq *r = d->arriving;
	sim_time_t now = sim_now(d->sim), ovh, disc;
	int after = d->last_write ? 1 : 0;

	if (disk_sneak_start(d, r))
		return;
	if (d->cmd == NULL && (d->p.queue_depth <= 1 ||
	    (d->dq.len == 0 && disk_heads_free_for(d, r)))) {
		/* Through the drive's queue all the same, empty as it is:
		 * DiskSim adds every command to it and takes it from there,
		 * and a policy that goes on from the last one taken
		 * (cycle_lbn, sstf_lbn, clook) counts this one.  (A queue
		 * of one is never ordered: not for a drive without one.) */
		if (p->queue_depth > 1) {
			struct diskreq *t;

			d->dqops->insert(&d->dq, r, d);
			t = d->dqops->first(&d->dq, d);
			KASSERT(t == r, ("disk: the drive's queue held another"));
			diskq_remove(&d->dq, t);
		}
		d->arriving = NULL;
		d->ra_held_seg = -1;	/* none given the read-ahead so */
		disk_cmd_start(d, r);
		return;
	}
	if (r->write) {
		ovh = p->fast_write > 0 ? p->ovh_write_hit[after] :
		    p->ovh_write_miss[after];
		disc = p->ovh_disconnect_write;
	} else {
		ovh = p->ovh_read_miss[after];
		disc = p->ovh_disconnect_read[after];
	}
	r->ovh_done = now + ovh;
	d->arriving_rx = true;
	/* In the drive's queue from now (ioqueue_add_new_request, at
	 * disk_request_arrive): the heads free before it has disconnected,
	 * the drive may choose it, and its work begins as its overhead
	 * ends; it reselects once it has let the bus go. */
	d->dqops->insert(&d->dq, r, d);
	if (r->write)
		disk_write_hit_stop(d, r);
	else if (arrive_attaches(d, r)) {
		r->ra_attached = true;
		held_give(d, d->ra_held_seg, r);
	}
	if (d->cmd == NULL)
		disk_heads_wanted(d);
	disk_timer_arm(d, &d->t_arrive, (double)(now + ovh + disc));
}

static void
arrive_fire(struct disk *d)
{
	if (d->sneak != SNEAK_NONE) {
		disk_sneak_fire(d);
		return;
	}
	if (!d->arriving_rx) {
		arrive(d);
		return;
	}
	/* Received and disconnected (queued in the drive, or taken from
	 * there already): the bus is free (disk_bus_free). */
	d->arriving = NULL;
	d->arriving_rx = false;
	disk_bus_free(d);
}

/*
 * The next command r, chosen by the drive's policy.  DiskSim's
 * disk_check_prefetch_swap gives a running read-ahead to a queued read
 * that hits it, and, while that read holds the segment, to each queued
 * read that hits it then too (attached: ra_attached); they keep the
 * segment, the read-ahead over or not, and are served in turn before
 * any other command (held_first).
 */
static struct diskreq *
prefetch_swap(struct disk *d, struct diskreq *r)
{
	int s = d->ra_held_seg, ra = prefetch_seg(d);
	struct diskreq *q;
	bool attached;

	r = held_first(d, r);
	/* One attached already takes the segment in its turn; one that
	 * hits the read-ahead afresh takes it, attaching those that hit it
	 * now. */
	attached = r->ra_attached && s >= 0 && seg_read_hit(d, s, r);
	r->ra_attached = false;
	if (attached) {
		if (r == d->ra_eff && d->seg[s].end >= r->sector + r->nsect)
			d->ra_eff_bg = true;
		return r;
	}
	d->ra_held_seg = -1;
	if (ra < 0 || !seg_read_hit(d, ra, r))
		ra = readahead_owed(d, r);
	if (ra >= 0) {
		/* Given to r, then to each queued read that hits it, in
		 * turn, while the access stays a background read. */
		d->ra_held_seg = ra;
		held_give(d, ra, r);
		TAILQ_FOREACH(q, &d->dq.head, q)
			if (q != r && seg_read_hit(d, ra, q)) {
				if (!held_background(d))
					break;
				q->ra_attached = true;
				held_give(d, ra, q);
			}
	}
	return r;
}

/*
 * Is the command the drive takes next (the policy's, as prefetch_swap
 * passes a write over for a read given the held segment) a read the
 * read-ahead under way serves?  Then the heads are its at once, short of
 * the read-ahead's minimum or not: DiskSim's disk_check_prefetch_swap
 * gives the access to such a read (disk_buffer_attempt_access_swap).
 * No side effects.
 */
static bool
readahead_serves_next(struct disk *d)
{
	const struct disk_media *m = d->media;

	return m->st != M_IDLE && !m->write && seg_read_hit(d, m->seg,
	    held_first(d, d->dqops->first(&d->dq, d)));
}

/*
 * The host sends its next command when the drive's bus is free and the
 * drive has room for it (queue_depth: the commands it holds, queued,
 * in service or arriving), and the drive takes its next queued command
 * when it serves none.  Both at once -- the command in service has just
 * completed -- the host has the bus first (DiskSim's disk_completion lets
 * the bus go, and the host's request waiting for it is granted, before
 * disk_check_hda takes the next command), so the command taken finds the
 * bus taken if it would reselect, and the one arriving finds the drive
 * serving another: it is received.  The next queued command is taken
 * only when the heads are free, or busy with a read-ahead it may stop
 * (DiskSim's disk_check_hda with no effectivehda,
 * disk_check_prefetch_swap): else when they are (diskmedia.c's
 * media_finish).  A command in service that would
 * reselect asks for the bus before the one sent arrives (DiskSim's
 * disk_check_bus, in the same event as the release that granted the
 * host, before the grant's own): bus_wanted.
 */
void
disk_dispatch(struct disk *d)
{
	struct diskreq *r, *s = NULL;

	if (!disk_bus_busy(d) && d->dq.len + (d->cmd != NULL) <
	    d->p.queue_depth && (s = d->qops->first(&d->q, d)) != NULL) {
		diskq_remove(&d->q, s);
		s->start = sim_now(d->sim);	/* the drive has it */
		d->arriving = s;
		d->arriving_rx = false;
	}
	if (d->cmd == NULL && d->dq.len > 0 && !disk_heads_idle(d) &&
	    !readahead_serves_next(d))
		disk_heads_wanted(d);	/* taken when they are (media_finish) */
	else if (d->cmd == NULL && (r = d->dqops->first(&d->dq, d)) != NULL) {
		r = prefetch_swap(d, r);
		diskq_remove(&d->dq, r);
		r->start = sim_now(d->sim);
		disk_cmd_resume(d, r);
	} else if (s != NULL)
		disk_cmd_media_progress(d);
	if (s == NULL)
		return;
	if (d->p.ovh_request > 0)
		disk_timer_arm(d, &d->t_arrive, (double)(sim_now(d->sim) +
		    d->p.ovh_request));
	else
		arrive(d);
}

/*
 * The bus is free again (a command arrived and disconnected, or the one
 * in service disconnected): DiskSim's disk_disconnect lets the bus go,
 * which grants it to whoever already waits for it -- the command in
 * service, if it asked while the bus was taken (bus_wanted: the drive's
 * slot wins), else the host's next command -- and only then asks for it
 * for the command in service (disk_check_bus), which then waits if the
 * host has it.
 */
void
disk_bus_free(struct disk *d)
{
	if (d->bus_wanted) {
		d->bus_wanted = false;
		disk_cmd_media_progress(d);
	}
	disk_dispatch(d);
	disk_cmd_media_progress(d);
}

static void
strategy(struct disk *d, struct diskreq *r)
{
	KASSERT(r->nsect > 0, ("disk_strategy: empty request"));
	KASSERT(r->sector >= 0 && r->sector + r->nsect <= disk_capacity(d),
	    ("disk_strategy: sector %lld beyond the disk", (long long)r->sector));
	r->submit = sim_now(d->sim);
	r->start = -1;			/* not begun (disk_dispatch) */
	r->ovh_done = -1;
	r->ra_attached = false;
	r->seek_ns = r->rot_ns = r->xfer_ns = r->overhead_ns = 0;
	r->error = 0;
	memset(r->wait_ns, 0, sizeof(r->wait_ns));
	memset(r->part_ns, 0, sizeof(r->part_ns));
	if (disk_qlen(d) == 0)
		d->progress = r->submit;	/* busy from now on */
	d->qops->insert(&d->q, r, d);
	if (disk_qlen(d) > d->st.maxqlen)
		d->st.maxqlen = disk_qlen(d);
	disk_dispatch(d);
}

void
disk_strategy(struct disk *d, struct diskreq *r)
{
	strategy(d, r);
	timer_flush(d);
}

/*
 * disk_strategy from a callout with nothing more to do at this time (a
 * validate trace's issue): if the timer the request armed first is the
 * next event due, run it here (sim_callout_advance), as timer_fire would
 * from the queue -- the same steps at the same times in the same order,
 * one event less a request; else queue it.
 */
void
disk_strategy_callout(struct disk *d, struct diskreq *r)
{
	struct disk_timer *t;

	strategy(d, r);
	t = timer_next(d);
	if (t != NULL && !d->each_step && !timer_covered(d, t) &&
	    sim_callout_advance(d->sim, t->when, t->ticket))
		timer_run(d->sim, d, t);
	else
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
	d->ra_eff = NULL;
	d->ra_held_seg = -1;
	if (d->arriving != NULL) {
		/* (one being received was in the drive's queue, or served) */
		if (!d->arriving_rx)
			fn(d->arriving, arg);
		d->arriving = NULL;
		d->arriving_rx = false;
		d->sneak = SNEAK_NONE;
		d->sneak_seg = -1;
	}
	if (d->cmd != NULL) {
		fn(d->cmd->r, arg);
		d->cmd = NULL;
	}
	d->bus_wanted = false;
	disk_timer_disarm(d, &d->t_iface);
	disk_timer_disarm(d, &d->t_media);
	disk_timer_disarm(d, &d->t_arrive);
	timer_flush(d);
}

/*
 * DiskSim 4.0's SPTF_OPT estimate (disk_buffer_estimate_servtime without
 * the cache): the seek (or head switch, and a write's settle) from where
 * the heads are to r's first block, and the rotation from there to it --
 * the access time less the transfer of r's blocks on that track -- with
 * the platter's angle taken from DiskSim's mechanical state, which is
 * brought up to date only as a sector passes the heads
 * (disk_buffer_sector_done): as it stood when the last one did, not now.
 * So a drive idle since, or waiting for its bus, is estimated as if it
 * had begun r then: the rotation of every estimate is off by the same
 * time since, and SPTF_OPT often chooses a request whose sector has just
 * gone by.  A write takes at least the minimum seek delay.  (The drive's
 * cache and its overheads do not count; zero-latency estimates are
 * refused with the policy: diskspecs.c.)
 */
double
disk_sptf_opt_estimate(const struct disk *d, const struct diskreq *r)
{
	const struct disk_params *p = &d->p;
	struct disk_pbn b;
	double seek, t;
	int64_t cyl;
	int head;

	disk_ltop(p, r->sector, &b);
	disk_mech_state(d, &cyl, &head);
	seek = (double)disk_reposition_time(p, cyl, head, b.cyl, b.head,
	    r->write);
	t = seek + disk_rotate_ns(d, disk_angle_at(d, disk_sector_end(d) +
	    seek), disk_pbn_angle(p, &b));
	if (r->write && t < (double)p->min_seek_delay)
		t = (double)p->min_seek_delay;
	return t;
}

sim_time_t
disk_position_estimate(const struct disk *d, const struct diskreq *r)
{
	const struct disk_params *p = &d->p;
	int after = d->last_write ? 1 : 0;
	struct disk_pbn b;
	enum hit hit;
	double t0, t1;

	if (!r->write && disk_read_lookup(d, r->sector, r->sector + r->nsect,
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
