/*
 * diskmedia.c — the media access, sector by sector (DiskSim keeps it in
 * disksim_diskctlr.c: disk_activate_read and _write, disk_buffer_seekdone,
 * disk_buffer_sector_done, disk_buffer_stop_access).
 *
 * One access at a time fills a segment (a read, and the read-ahead after
 * it) or drains one (writes): a seek (or head switch) to the track, the
 * rotational wait for the wanted sector, then sector after sector,
 * switching tracks as the layout (diskmap.c) says.  A sector is read only
 * if the segment has room for it and written only once its data has come
 * over the bus — otherwise the head waits a revolution for it to come
 * round again.  A read-ahead is stopped by a command that needs the heads
 * elsewhere; a drive with zero-latency access takes the wanted sectors of
 * a track as they come round.
 *
 * The platter's angle is a function of absolute simulated time (the angle
 * at t is t mod a revolution, diskmech.c), so a request's rotational wait
 * depends on exactly when it reaches the media.  In the middle of a track
 * runs of sectors are taken in one go (disk_media_stream), with the same
 * results as sector by sector.
 */
#include "disk.h"
#include "disk_private.h"
#include "kassert.h"

#include <math.h>

#include <glib.h>

/* The media's time set afresh: sector steps count from it. */
static inline void
media_time(struct disk_media *m, double t)
{
	m->t = m->t0 = t;
	m->k = 0;
}

/* The time the next sector of the track passes, after the one passing. */
static inline double
media_step(struct disk_media *m, double sec)
{
	m->k++;
	return m->t = m->t0 + (double)m->k * sec;
}

/* The time n sectors after the base's k, as media_step would reach it. */
static inline double
media_at(const struct disk_media *m, int64_t k, double sec)
{
	return m->t0 + (double)k * sec;
}

/*
 * The wait for a sector the heads just missed (a write's data not in,
 * room for a read-ahead) to come round: a revolution -- but on a track
 * holding fewer blocks than sectors (spares at a range's end, slips),
 * DiskSim's media steps sector by sector through the track's blocks
 * only, the last followed by the first (disk_buffer_sector_done), so
 * its wait is that many sectors: the spare sectors take no time
 * (disksim_quirks).
 */
static inline double
dry_revolution(struct disk *d)
{
	const struct disk_media *m = d->media;
	int64_t n = m->trk.end - m->trk.first;

	if (!d->p.disksim_quirks || n <= 0 || n >= m->trk.spt)
		return d->period;
	return (double)n * media_sector_ns(d);
}

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

/*
 * A write access has written its write's blocks (m->next at own_end): does
 * it go on?  With no write joined to it, no.  With one joined, DiskSim
 * ends the owner's access when the owner has its own blocks written
 * (disk_buffer_request_complete) -- but one whose completion has been
 * received (BUFFER_BACKGROUND: its command is no longer the drive's)
 * is done only when it has written everything the segment holds.  Owner
 * in service: the access ends, and the joined write's own begins where it
 * ended, at the same moment, as a sequential write stream
 * (disk_check_hda_pending: no minimum seek delay, the heads already at
 * its first sector) -- the same as going on, as that write's.  Owner
 * done: it goes on into the joined write's blocks (swept), which that
 * write's own access, after it, writes again: DiskSim counts a write's
 * blocks written only by its own access (inblkno).
 */
static bool
media_own_end(struct disk *d)
{
	struct disk_media *m = d->media;

	if (m->join_lbn < 0 || m->swept)
		return false;
	if (d->cmd != NULL && d->cmd->seq == m->owner) {
		if (m->join_lbn != m->next)
			return false;	/* not a stream: after this access */
		m->owner = m->join_owner;
		m->own_end = m->limit = m->join_end;
		m->join_lbn = -1;
		return true;
	}
	m->swept = true;
	m->limit = m->join_end;
	return m->next < m->limit;
}

/* The access is over: the heads are free -- unless a write joined this
 * write's access, whose own comes now (media_own_end), not a stream:
 * DiskSim's disk_find_new_seg_owner gives it the heads, with the minimum
 * seek delay of a write not in a stream. */
static void
media_finish(struct disk *d, double t)
{
	struct disk_media *m = d->media;

	m->st = M_IDLE;
	m->preempt = false;
	disk_timer_disarm(d, &d->t_media);
	d->mech_free = MAX(d->mech_free, ns_round(t));
	if (m->write && m->join_lbn >= 0) {
		int64_t lbn = m->join_lbn, end = m->join_end;
		uint64_t owner = m->join_owner;

		disk_media_begin(d, m->seg, true, lbn, end, sim_now(d->sim),
		    d->p.min_seek_delay, NULL);
		m->owner = owner;
		/* Its command, still in service, may go on now the access is
		 * its own (DiskSim's disk_check_bus as it takes the heads). */
		disk_cmd_media_progress(d);
		return;
	}
	if (m->write) {
		if (d->seg[m->seg].dirty >= d->seg[m->seg].end)
			disk_seg_settle(d, m->seg);
	} else if (d->seg[m->seg].state == SEG_READING)
		disk_seg_settle(d, m->seg);
	if (d->cmd != NULL && d->cmd->wait_media)
		disk_cmd_media_ready(d);
	else if (d->cmd != NULL)
		disk_cmd_media_progress(d);
	else if (d->dq.len > 0)
		disk_dispatch(d);	/* the next queued command the heads' */
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
	int spt = m->trk.spt;
	int64_t wend = MIN(m->limit, m->trk.end), j;
	double a0 = disk_track_angle(&m->trk, m->at.sector), x,
	    sec = d->period / spt;
	int k;

	if (!m->trk.contig || wend - m->next < 2)
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
	media_time(m, t + disk_rotate_ns(d, disk_angle_at(d, t), a0 +
	    (double)k / spt) + (double)(spt - k) * sec);
}

/* Where block lbn of track tk lies. */
static inline void
track_pbn(struct disk *d, const struct disk_track *tk, int64_t lbn,
    struct disk_pbn *b)
{
	if (tk->contig) {
		*b = tk->pfirst;
		b->sector += (int)(lbn - tk->first);
	} else
		disk_ltop(&d->p, lbn, b);
}

/* The angle of block b, found on track tk or, remapped, on another
 * (diskmap.c). */
static inline double
block_angle(const struct disk *d, const struct disk_track *tk,
    const struct disk_pbn *b)
{
	if (b->cyl == tk->pfirst.cyl && b->head == tk->pfirst.head)
		return disk_track_angle(tk, b->sector);
	return disk_pbn_angle(&d->p, b);
}

/* Head for block m->next: a seek (or head switch) if it is on another
 * track than the heads -- the block's track's, or for a remapped defect
 * the spare's, and after it the track's again (DiskSim's
 * disk_get_remapped_sector and disk_got_remapped_sector) -- then the
 * wait for its sector. */
static void
media_locate(struct disk *d, double t)
{
	struct disk_media *m = d->media;
	struct disk_pbn b;
	sim_time_t move;

	if (m->next < m->trk.first || m->next >= m->trk.end)
		m->trk = *disk_track(d, m->next);
	track_pbn(d, &m->trk, m->next, &b);
	m->dry = false;
	if (b.cyl != d->cur_cyl || b.head != d->cur_head) {
		move = disk_move_time(d, b.cyl, b.head, m->write);
		m->from_cyl = d->cur_cyl;
		m->from_head = d->cur_head;
		d->cur_cyl = b.cyl;
		d->cur_head = b.head;
		m->at = b;
		m->st = M_SEEK;
		media_time(m, t + (double)move);
		m->seek_end = m->t;
		d->mech_free = ns_round(m->t);
		disk_timer_arm(d, &d->t_media, m->t);
		return;
	}
	m->at = b;
	m->st = M_WAIT;
	media_time(m, t + disk_rotate_ns(d, disk_angle_at(d, t),
	    block_angle(d, &m->trk, &b)));
	if (m->t > t && (m->write ? d->p.zero_latency_write :
	    d->p.zero_latency_read))
		media_zero_latency(d, t);
	if (m->t == t)
		disk_media_fire(d);		/* it is under the head now */
	else
		disk_timer_arm(d, &d->t_media, m->t);
}

/*
 * Begin a media access to segment s at block `from`, once the command's
 * overhead (`not_before`) is done and the heads have stopped.  The two
 * waits add up, as DiskSim's disk_check_hda adds them: the delay before
 * the seek is what is left of the overhead plus what is left until a
 * stopped read-ahead frees the heads (disk_seek_stoptime), not the later
 * of the two -- the drives DiskSim validated were fitted so, and a queued
 * read arriving behind a read-ahead that waits for its sector is a
 * revolution late otherwise.  A non-sequential write spends at least
 * min_delay positioning.
 */
void
disk_media_begin(struct disk *d, int s, bool write, int64_t from, int64_t limit,
    sim_time_t not_before, sim_time_t min_delay, struct disk_cmd *c)
{
	struct disk_media *m = d->media;
	struct disk_pbn b;
	sim_time_t now = sim_now(d->sim);
	double t0 = (double)(now + MAX(not_before - now, 0) +
	    MAX(d->mech_free - now, 0));
	sim_time_t move;

	KASSERT(m->st == M_IDLE, ("disk: media access begun while busy"));
	m->seg = s;
	m->write = write;
	m->next = from;
	m->limit = limit;
	m->trk.first = m->trk.end = -1;
	m->imm_from = m->imm_to = 0;
	m->preempt = false;
	m->dry = false;
	m->owner = 0;
	m->own_end = limit;
	m->join_lbn = -1;
	m->swept = false;
	disk_seg_set_state(d, s, write ? SEG_WRITING : SEG_READING);
	disk_lbn_pbn(d, from, &b);
	move = disk_move_time(d, b.cyl, b.head, write);
	if (move < min_delay)
		move = min_delay;
	m->from_cyl = d->cur_cyl;
	m->from_head = d->cur_head;
	d->cur_cyl = b.cyl;
	d->cur_head = b.head;
	m->at = b;
	m->st = M_SEEK;
	media_time(m, t0 + (double)move);
	m->seek_end = m->t;
	d->mech_free = ns_round(m->t);
	if (c != NULL && !c->media_began) {
		c->media_began = true;
		c->seek_ns = move;
		c->seek_end = m->seek_end;
	}
	disk_timer_arm(d, &d->t_media, m->t);
}

/*
 * A wait for a sector a revolution away (dry: room for a read-ahead's
 * block, a write's data, a slip) is, to DiskSim, a sector-done event at
 * each sector passing meanwhile (disk_buffer_sector_done, bcount 2): the
 * event pending is the end of the sector under the heads now, not the
 * wanted sector's return.  When that is.
 */
static double
dry_next(const struct disk *d, double now)
{
	const struct disk_media *m = d->media;
	double sec = sector_ns(d, m->at.cyl);
	double j = floor((now - m->dry_base) / sec + 1e-9);

	return MIN(m->t, m->dry_base + (MAX(j, 0) + 1) * sec);
}

/*
 * Stop a read-ahead for a command that needs the heads: a seek under way
 * is finished, a sector being read is abandoned — at once, or at its end
 * if the drive stops only between sectors.  The sector is not kept.  A
 * drive that stops only between sectors holds the heads while it waits
 * for a sector to come round, too, until the sector is there: the wait is
 * DiskSim's pending sector event (disk_buffer_seekdone schedules it for
 * the sector's start), and disk_buffer_stopable_access, not stopping in a
 * sector, frees the heads when that event would have come
 * (disk_seek_stoptime) -- for a wait of a revolution for room, at the
 * end of the sector passing (dry_next).  (A zero-latency access waiting
 * amid its track is taken as stopping at once: DiskSim 4.0 never reads a
 * sector early, see "Immediate buffer read".)
 */
void
disk_media_stop(struct disk *d)
{
	struct disk_media *m = d->media;
	double now = (double)sim_now(d->sim), free_at = now;

	KASSERT(!m->write, ("disk: stopping a write"));
	/* The sectors a run took in one go are counted from its base, which
	 * goes now: the last one's end kept (disk_sector_end). */
	d->sector_end = MAX(d->sector_end, disk_sector_end(d));
	switch (m->st) {
	case M_IDLE:
		return;
	case M_SEEK:
		free_at = m->seek_end;
		break;
	case M_WAIT:
		if (!d->p.stop_in_sector && m->imm_to == 0)
			free_at = m->dry ? dry_next(d, now) : m->t;
		break;
	case M_SECTOR:
		if (!d->p.stop_in_sector)
			free_at = m->t;
		break;
	}
	m->st = M_IDLE;
	m->imm_from = m->imm_to = 0;
	m->preempt = false;
	disk_timer_disarm(d, &d->t_media);
	d->mech_free = MAX(d->mech_free, ns_round(free_at));
	if (d->seg[m->seg].state == SEG_READING)
		disk_seg_settle(d, m->seg);
}

/*
 * A command would stop the read-ahead (the caller found it stoppable), on
 * a drive whose DiskSim "Disconnect write if seek" is on: the access ends
 * at its next event instead -- its seek's end, or on a drive that stops
 * only between sectors its sector's arrival or the end of the sector it
 * reads, which is kept -- and the command waits for the heads
 * (disk_buffer_stopable_access marks the segment BUFFER_PREEMPT, and the
 * seekdone or sector-done that finds it calls disk_release_hda; DiskSim
 * 4.0 then leaves the mark on the segment, and the next access of it
 * ends at its own seek's end and loses its command -- on five of its
 * validation drives its runs stop after 86 to 2,648 of 10,000 requests;
 * here the mark goes with the access it ended).  False: the caller stops
 * it now (disk_media_stop).
 */
bool
disk_media_preempt(struct disk *d)
{
	struct disk_media *m = d->media;

	/* A drive that stops in a sector stops a sector's wait or read at
	 * once even so: only its seek runs on (the sector-done event is
	 * DiskSim's to end then only when the drive stops between
	 * sectors). */
	if (!d->p.preempt_at_event || m->st == M_IDLE || m->write ||
	    m->imm_to > 0 || (d->p.stop_in_sector && m->st != M_SEEK))
		return false;
	m->preempt = true;
	/* A sector being read ends the access, as the limit does. */
	if (m->st == M_SECTOR)
		m->limit = m->next + 1;
	return true;
}

/* The media timer: a seek ended, a sector came round, or one passed. */
void
disk_media_fire(struct disk *d)
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
		if (m->preempt)
			media_finish(d, t);	/* stopped, on the track */
		else
			media_locate(d, t);
		return;
	case M_WAIT:
		if (m->preempt) {
			media_finish(d, t);	/* stopped as the sector comes */
			return;
		}
		if (!media_block_ready(d, m->next, t)) {
			if (m->swept) {
				/* Caught up with the data coming in: DiskSim's
				 * background write access is done when it has
				 * written all the segment holds. */
				media_finish(d, t);
				return;
			}
			/* Not yet: it comes round again (dry_revolution). */
			if (!m->dry) {
				m->dry = true;
				m->dry_base = t;
			}
			media_time(m, t + dry_revolution(d));
			disk_timer_arm(d, &d->t_media, m->t);
			return;
		}
		if (c != NULL && cmd_on_seg(d, m->seg) && m->next >= c->lbn &&
		    m->next < c->end && c->first_sector < 0)
			c->first_sector = t;
		m->st = M_SECTOR;
		media_step(m, media_sector_ns(d));
		disk_timer_arm(d, &d->t_media, m->t);
		return;
	case M_SECTOR:
		break;
	}

	/* Block m->next has passed the head. */
	d->sector_end = t;
	if (c != NULL && cmd_on_seg(d, m->seg) && m->next >= c->lbn &&
	    m->next < c->end)
		c->last_sector_end = t;
	if (m->write)
		g->dirty = MAX(g->dirty, m->next + 1);	/* (a rewrite) */
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
			g->dirty = MAX(g->dirty, m->next);
		else {
			g->end = m->next;
			g->start = MAX(g->start, g->end - d->p.segsize);
		}
		m->imm_from = m->imm_to = 0;
	}
	if ((m->next >= m->limit && !(m->write && media_own_end(d))) ||
	    (m->swept && !media_block_ready(d, m->next, t))) {
		media_finish(d, t);	/* (swept: caught up with the data) */
		return;
	}
	disk_cmd_media_progress(d);
	if (m->st != M_SECTOR)
		return;		/* the command stopped or redirected it */
	if (m->trk.contig && m->next < m->trk.end) {
		/* The next sector of the track: under the head now. */
		m->at.sector++;
		m->st = M_WAIT;
		disk_media_fire(d);
		return;
	}
	if (m->next >= m->trk.first && m->next < m->trk.end) {
		/* On the same track, past a slip. */
		track_pbn(d, &m->trk, m->next, &b);
		if (b.cyl != d->cur_cyl || b.head != d->cur_head) {
			/* to or from a remapped defect's spare */
			media_locate(d, t);
			return;
		}
		if (d->p.disksim_quirks) {
			/* DiskSim's media steps from block to block of the
			 * track, a sector's time each (disk_buffer_sector_done
			 * counts blocks, not sectors): a slip between two takes
			 * no time, until the heads next move. */
			m->at = b;
			m->st = M_WAIT;
			disk_media_fire(d);
			return;
		}
		m->dry = true;
		m->dry_base = t;
		m->st = M_WAIT;
		media_time(m, t + disk_rotate_ns(d, disk_angle_at(d, t),
		    block_angle(d, &m->trk, &b)));
		m->at = b;
		if (m->t == t)
			disk_media_fire(d);
		else
			disk_timer_arm(d, &d->t_media, m->t);
		return;
	}
	/* The next block is on another track (a track's blocks are
	 * consecutive).  A read-ahead limited to the track (or cylinder)
	 * stops here. */
	if (media_background(d) && (d->p.readahead == DRA_TRACK ||
	    (d->p.readahead == DRA_CYLINDER &&
	    disk_track(d, m->next)->pfirst.cyl != m->at.cyl))) {
		media_finish(d, t);
		return;
	}
	media_locate(d, t);
}

/* Where DiskSim's mechanical state has the heads: it moves them at a
 * seek's end (disk_buffer_seekdone), here at its start. */
void
disk_mech_state(const struct disk *d, int64_t *cyl, int *head)
{
	const struct disk_media *m = d->media;

	*cyl = m->st == M_SEEK ? m->from_cyl : d->cur_cyl;
	*head = m->st == M_SEEK ? m->from_head : d->cur_head;
}

/*
 * When the last sector passed the heads, as DiskSim's media counts them
 * (disk_buffer_sector_done: each sector an event at its end, and the
 * first after a seek one at its start, its "first sector after repos").
 * The general code notes each end (disk_media_fire); while a sector is
 * under the heads the last was the one before it, a sector's time
 * before its end -- or, the first since the base (media_time), the
 * base itself: the seek's first sector's start, or the end of the sector
 * before it -- however the steps were taken (a run of them in one go,
 * below, notes none).  Waiting on the track for a sector not to be
 * skipped (dry), every sector passing since counts.
 */
double
disk_sector_end(const struct disk *d)
{
	const struct disk_media *m = d->media;
	double sec, j;

	if (m->st == M_SECTOR && m->k >= 1)
		return media_at(m, m->k - 1, media_sector_ns(d));
	if (m->dry && m->st == M_WAIT) {
		/* the sectors passing since dry_base, each at its end */
		sec = media_sector_ns(d);
		j = floor(((double)sim_now(d->sim) - m->dry_base) / sec + 1e-9);
		if (j >= 0)
			return MAX(d->sector_end, m->dry_base + j * sec);
	}
	return d->sector_end;
}

/* ---- runs of sectors ------------------------------------------------- */

/*
 * Runs of sectors in one go.  In the middle of a track the media's step is
 * always the same: the sector under the head is in (or out), the next
 * comes under the head at once, and it takes a sector's time; and a read
 * holding the bus sends each block as it comes.  While those steps are all
 * that is due (sim_callout_horizon), disk_media_stream takes them here,
 * each as disk_media_fire and disk_iface_fire would at its time, without
 * the general code's checks for everything else; at the first step of any
 * other kind it stops and leaves the rest to them.  Each step's arithmetic is the general
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
	 * would do but send a read's block (disk_cmd_media_progress). */
	if (m->st != M_SECTOR || !m->trk.contig || m->imm_to > 0 ||
	    b + 1 >= m->limit || b + 1 >= m->trk.end || m->swept)
		return false;
	if (c != NULL && !c->wait_media && (c->ist == IF_DISC ||
	    (c->ist == IF_HOLD && (c->write || c->seg < 0 ||
	    c->out >= c->end))))
		return false;
	d->t_media.armed = false;
	d->pending &= ~d->t_media.bit;
	if (onseg && b >= c->lbn && b < c->end)
		c->last_sector_end = t;
	if (m->write)
		g->dirty = MAX(g->dirty, b + 1);
	else {
		g->end = b + 1;
		g->start = MAX(g->start, g->end - p->segsize);
	}
	m->next = b + 1;
	if (c != NULL && !c->wait_media && c->ist == IF_HOLD) {
		/* A read holding the bus: what is in goes out (cmd_xfer). */
		struct disk_seg *cg = &d->seg[c->seg];

		if (MIN(cg->end, c->end) > c->out)
			disk_bus_chunk(d, MIN(cg->end, c->end) - c->out, now);
	}
	m->at.sector++;
	if (!media_block_ready(d, m->next, t)) {
		/* It comes round again (dry_revolution). */
		d->sector_end = t;	/* (the steps' count starts over) */
		m->dry = true;
		m->dry_base = t;
		m->st = M_WAIT;
		media_time(m, t + dry_revolution(d));
		disk_timer_arm_at(d, &d->t_media, m->t, now);
		return true;
	}
	if (c != NULL && cmd_on_seg(d, m->seg) && m->next >= c->lbn &&
	    m->next < c->end && c->first_sector < 0)
		c->first_sector = t;
	media_step(m, sec);
	disk_timer_arm_at(d, &d->t_media, m->t, now);
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
	n = MIN(cg->end, c->end) - out;
	if (n <= 0 && (out >= c->end || !(p->never_disconnect ||
	    p->hold_bus_read)))
		return false;		/* completion or disconnect */
	d->t_iface.armed = false;
	d->pending &= ~d->t_iface.bit;
	c->out = out;
	if (n > 0)
		disk_bus_chunk(d, n, now);
	else {
		c->ist = IF_HOLD;
		disk_cmd_acct(c, now);
	}
	return true;
}

/*
 * Where stream_follow's steps leave the times: the bus's and the media's
 * timers (w, e), the bus's time before the last step (held), the last
 * step's time (at; -1 for none), the block and the sector count, the
 * media's time, the last sector's start and the bus time summed.
 */
struct follow {
	sim_time_t	w, e, held, at;
	int64_t		b, k;
	double		t, last, bus;
};

/* stream_follow's steps one by one (fast: a bus step is e + wblk, see
 * there). */
static inline void
follow_steps(struct follow *f, double t0, double sec, double blk,
    sim_time_t wblk, bool fast, sim_time_t h, int64_t bmax)
{
	sim_time_t w = f->w, e = f->e, held = f->held, at = f->at;
	int64_t b = f->b, k = f->k;
	double t = f->t, last = f->last, bus = f->bus;

	while (w <= e && e < h && b < bmax) {
		held = w;
		last = t;
		bus += blk;
		w = fast ? e + wblk : MAX(ns_round((double)e + blk), e);
		KASSERT(w == MAX(ns_round((double)e + blk), e),
		    ("stream_follow: a bus step's time %lld rounded across a "
		    "half", (long long)w));
		b++;
		t = t0 + (double)++k * sec;	/* media_at */
		at = e;
		e = MAX(ns_round(t), e);
	}
	f->w = w;
	f->e = e;
	f->held = held;
	f->at = at;
	f->b = b;
	f->k = k;
	f->t = t;
	f->last = last;
	f->bus = bus;
}

/* R(k): sector k's media step time, ns_round(T(k)), T(k) the sector's
 * time as media_at sums it. */
static inline sim_time_t
follow_r(double t0, int64_t k, double sec)
{
	return ns_round(t0 + (double)k * sec);
}

/*
 * The same steps worked out without taking them one by one, where it can
 * be shown they come out so; false (nothing changed) where it cannot.
 * Step j + 1 (j >= 0) is taken while W(j) <= E(j), E(j) < h and
 * b + j < bmax, with W(0), E(0) the timers' times, E(j) = max(E(j - 1),
 * R(k0 + j)) and (a fast bus step) W(j) = E(j - 1) + wblk.  T and so R
 * never decrease (sec >= 0), so if E(0) <= R(k0 + 1), E(j) = R(k0 + j)
 * for every j >= 1.  For j >= 2, W(j) <= E(j) is R(k0 + j - 1) + wblk <=
 * R(k0 + j): R(x) lies in (x - 1/2, x + 1/2], and T's steps are sec to
 * within two sums' roundings, each below tmax * 2^-52 (t0 >= 0, every
 * sum at most tmax), so R's steps exceed sec - 1 - tmax * 2^-50; with sec
 * >= wblk + 1 + tmax * 2^-48 they are at least wblk and the test always
 * holds (a sector, ~193 us on the DEC RZ26, against a block on the bus,
 * ~71 us).  So n steps are taken: 1 if step 2's test fails, else nmax =
 * bmax - b unless some R(k0 + j), 2 <= j + 1 < nmax, reaches h first (R
 * ascends: the last below h from where T crosses h, checked there).  The
 * bus time summed n times is the one product's when every sum is a
 * whole number below 2^52 (a whole blk, a whole sum before), else summed
 * as the loop sums it.
 */
static inline bool
follow_run(struct follow *f, double t0, double sec, double blk,
    sim_time_t wblk, sim_time_t h, int64_t bmax)
{
	int64_t k0 = f->k, nmax = bmax - f->b, n, j;
	sim_time_t e0 = f->e, r1, at, prev;
	double tmax;

	if (!(f->w <= e0 && e0 < h && nmax >= 2) || !(t0 >= 0))
		return false;
	tmax = t0 + (double)(k0 + nmax) * sec;
	if (!(tmax < 0x1p52) || !(sec >= (double)wblk + 1 + tmax * 0x1p-48))
		return false;
	r1 = follow_r(t0, k0 + 1, sec);
	if (e0 > r1)
		return false;		/* E(1) is E(0), not R(k0 + 1) */
	if (!(r1 < h && e0 + wblk <= r1))
		n = 1;
	else if (follow_r(t0, k0 + nmax - 1, sec) < h)
		n = nmax;
	else {
		/* The largest j in [1, nmax - 2] with R(k0 + j) < h (j = 1
		 * has it): from the quotient, a step either way if it
		 * rounded across. */
		double x = ((double)h - 0.5 - t0) / sec - (double)k0;

		j = !(x > 1) ? 1 : x >= (double)(nmax - 2) ? nmax - 2 :
		    (int64_t)x;
		while (j > 1 && follow_r(t0, k0 + j, sec) >= h)
			j--;
		while (j + 1 <= nmax - 2 && follow_r(t0, k0 + j + 1, sec) < h)
			j++;
		n = j + 1;
	}
	/* E(n - 1), the last step's time; E(n - 2), W(n - 1)'s. */
	at = n == 1 ? e0 : follow_r(t0, k0 + n - 1, sec);
	prev = n <= 2 ? e0 : follow_r(t0, k0 + n - 2, sec);
	f->held = n == 1 ? f->w : prev + wblk;
	f->last = n == 1 ? f->t : t0 + (double)(k0 + n - 1) * sec;
	f->at = at;
	f->w = at + wblk;
	f->b += n;
	f->k = k0 + n;
	f->t = t0 + (double)f->k * sec;
	f->e = ns_round(f->t);
	if (blk == (double)wblk && fabs(f->bus) < 0x1p52 &&
	    f->bus == (double)(int64_t)f->bus &&
	    fabs(f->bus) + (double)n * blk < 0x1p52)
		f->bus += (double)n * blk;
	else
		for (j = 0; j < n; j++)
			f->bus += blk;
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
	sim_time_t at = -1, w = ti->when, e = tm->when, held = w;
	int64_t b = m->next, b0 = b, k = m->k, lbn, cend, lim, start, bmax;
	double t = m->t, t0 = m->t0, blk, bus, first, last, x0, t1, ymax, frac;
	sim_time_t wblk;
	bool fast;
	struct follow f;

	if (c == NULL || c->write || c->wait_media || c->completion_sent ||
	    c->seg != m->seg || c->ist != IF_XFER || c->xfer_n != 1 ||
	    c->xfer_from != b - 1 || c->out != b - 1 || g->end != b ||
	    !(p->never_disconnect || p->hold_bus_read) || p->segsize < 2 ||
	    m->st != M_SECTOR || !m->trk.contig || m->imm_to > 0 ||
	    !ti->armed || ti->queued || !tm->armed || tm->queued ||
	    ti->ticket > tm->ticket)
		return -1;
	KASSERT(c->xfer_blk == p->bus_read_ns, ("disk: a read at write speed"));
	/* Each step as stream_iface and stream_media would take it: the bus
	 * step at w comes first (armed first) and finds nothing more to
	 * send (the segment ends at b) short of the end; the media step at e
	 * sends block b at once, and block b + 1 is ready (one block ahead
	 * of the bus, in a segment of two or more).  (The same sums, in
	 * locals: the command's and the segment's fields are set after.) */
	lbn = c->lbn;
	cend = c->end;
	lim = MIN(m->limit, m->trk.end);
	start = g->start;
	blk = c->xfer_blk;
	bus = c->bus_ns;
	first = c->first_sector;
	last = c->last_sector_end;
	/* A step is taken while b >= lbn (true for all once for the first,
	 * b only growing), b < cend and b + 1 < lim; the step that moves b
	 * to b0 + 1 sets the command's first sector if it has none and
	 * b0 + 1 < cend, no later one; and the segment's start is the
	 * largest of the steps' b + 1 - segsize, the last's: those three
	 * are worked out once, around the loop. */
	if (b < lbn)
		return -1;
	bmax = MIN(cend, lim - 1);
	t1 = t;
	/*
	 * A bus step's time, ns_round(e + blk) with e a whole number of
	 * nanoseconds, is e + ns_round(blk) unless the sum's rounding to a
	 * double crosses a half: the sum y is off by at most half its ulp,
	 * at most y * 2^-53, and ns_round (round half up) changes only where
	 * frac(blk) is a half.  Every step's e is below h and below the last
	 * sector's time (T grows with k) rounded, so ymax bounds every sum;
	 * far from a half (a whole blk always, below 2^52) the add is the
	 * rounding's result exactly, without the conversions on each step.
	 */
	ymax = MIN((double)h, MAX((double)e, t0 + (double)(k + (bmax - b)) *
	    sec + 1)) + blk;
	wblk = ns_round(blk);
	frac = blk - floor(blk);
	fast = blk >= 0 && sec >= 0 && ymax < 0x1p52 &&
	    fabs(frac - 0.5) > ymax * 0x1p-53;
	f = (struct follow){ .w = w, .e = e, .held = held, .at = at,
	    .b = b, .k = k, .t = t, .last = last, .bus = bus };
	if (!fast || !follow_run(&f, t0, sec, blk, wblk, h, bmax))
		follow_steps(&f, t0, sec, blk, wblk, fast, h, bmax);
#ifdef INVARIANTS
	else {
		/* (One by one from the same start: the same, to the bit.) */
		struct follow one = { .w = w, .e = e, .held = held, .at = at,
		    .b = b, .k = k, .t = t, .last = last, .bus = bus };

		follow_steps(&one, t0, sec, blk, wblk, fast, h, bmax);
		KASSERT(one.w == f.w && one.e == f.e && one.held == f.held &&
		    one.at == f.at && one.b == f.b && one.k == f.k &&
		    memcmp(&one.t, &f.t, sizeof(one.t)) == 0 &&
		    memcmp(&one.last, &f.last, sizeof(one.last)) == 0 &&
		    memcmp(&one.bus, &f.bus, sizeof(one.bus)) == 0,
		    ("stream_follow: %lld steps in one go where one by one "
		    "took %lld", (long long)(f.b - b), (long long)(one.b - b)));
	}
#endif
	held = f.held;
	at = f.at;
	b = f.b;
	k = f.k;
	t = f.t;
	last = f.last;
	bus = f.bus;
	w = f.w;
	e = f.e;
	if (at < 0)
		return -1;
	x0 = (double)at;	/* the last step's e */
	if (first < 0 && b0 + 1 < cend)
		first = t1;
	start = MAX(start, b - p->segsize);
	c->last_sector_end = last;
	g->end = b;
	g->start = start;
	c->xfer_t0 = x0;
	c->bus_ns = bus;
	c->first_sector = first;
	c->out = c->xfer_from = b - 1;
	m->next = b;
	m->at.sector += (int)(b - b0);
	m->t = t;
	m->k = k;
	/* The interface's log as the steps would leave it: holding the bus
	 * from the last chunk's end, sending the last block in (those
	 * before lie within the command's media access: they count for
	 * nothing in its split). */
	disk_cmd_acct_add(c, held, DISK_PART_MEDIA);
	disk_cmd_acct_add(c, at, DISK_PART_BUS);
	ti->when = w;
	ti->ticket = sim_ticket(d->sim);
	tm->when = e;
	tm->ticket = sim_ticket(d->sim);
	return at;
}

/*
 * A run of up to max sector steps, as stream_media takes them one by one:
 * step i is taken at its timer's time E(i) if that is before h, E(0) the
 * timer's now and E(i) = max(E(i - 1), ns_round(T(i))), T(i) the sector's
 * time (media_at).  T and so E never decrease: the steps taken are all
 * up to the last whose E(i) is before h, found from where T crosses h and
 * checked there (a step either way if the quotient rounded across).
 * Returns their number n, with the time of the last in *at and the
 * timer's next time E(n) in *e; the media's time is T(n).
 */
static inline bool
step_before(const struct disk_media *m, int64_t i, double sec, sim_time_t h)
{
	return ns_round(media_at(m, m->k + i, sec)) < h;
}

static int64_t __attribute__((noinline))
media_steps_run(struct disk_media *m, double sec, sim_time_t h, int64_t max,
    sim_time_t *at, sim_time_t *e)
{
	sim_time_t e0 = *e;
	int64_t lo, hi;

	/* The largest i < max with E(i) < h (E(0) = e0 is; for i > 0 E(i)
	 * < h if ns_round(T(i)) < h, which holds up to some i). */
	hi = max - 1;
	if (hi == 0 || step_before(m, hi, sec, h))
		lo = hi;
	else {
		double x = ((double)h - 0.5 - m->t0) / sec - (double)m->k;

		lo = !(x > 0) ? 0 : x >= (double)hi ? hi - 1 : (int64_t)x;
		while (lo > 0 && !step_before(m, lo, sec, h))
			lo--;
		while (lo + 1 < hi && step_before(m, lo + 1, sec, h))
			lo++;
	}
	*at = lo == 0 ? e0 : MAX(e0, ns_round(media_at(m, m->k + lo, sec)));
	m->k += lo + 1;
	m->t = media_at(m, m->k, sec);
	*e = MAX(e0, ns_round(m->t));
	return lo + 1;
}

/* (No step: tested inline, a third of the C2490A's calls, without the
 * call's saving and restoring of registers.) */
static inline int64_t
media_steps(struct disk_media *m, double sec, sim_time_t h, int64_t max,
    sim_time_t *at, sim_time_t *e)
{
	if (max <= 0 || *e >= h)
		return 0;
	return media_steps_run(m, sec, h, max, at, e);
}

/*
 * The media on its own: no command uses the segment (none is in the drive,
 * or the one there waits for the heads) — a read-ahead, or the writing of
 * data a write reported from the cache left behind.  A read-ahead has room
 * for every sector (no read's blocks are kept for the host), a write the
 * data of every block below the segment's end; the next sector is under
 * the head at once, and the interface does nothing.  Only the time needs
 * stepping sector by sector (the same sums as stream_media's, so the same
 * times); the segment and the media are set once at the end, and the timer
 * given its place (ticket) then.  The run stops before the interface's
 * timer is due, and short of a block not ready.  Returns the time of the
 * last step taken, or -1 if none.
 */
static sim_time_t
stream_background(struct disk *d, double sec, sim_time_t h)
{
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];
	struct disk_cmd *c = d->cmd;
	struct disk_timer *tm = &d->t_media, *ti = &d->t_iface;
	sim_time_t at = -1, e = tm->when;
	int64_t n, stop;

	if (m->st != M_SECTOR || !m->trk.contig || m->imm_to > 0 ||
	    !tm->armed || tm->queued || (c != NULL && !c->wait_media))
		return -1;
	if (ti->armed && !ti->queued)
		h = MIN(h, ti->when);
	/* stream_media's steps: block next passes, next + 1 comes under the
	 * head (not the end of the access or of the track) and is ready. */
	stop = MIN(m->limit, m->trk.end);
	if (m->write)
		stop = MIN(stop, g->end);
	n = media_steps(m, sec, h, stop - 1 - m->next, &at, &e);
	if (n == 0)
		return -1;
	m->next += n;
	m->at.sector += (int)n;
	if (m->write)
		g->dirty = MAX(g->dirty, m->next);
	else {
		g->end = m->next;
		g->start = MAX(g->start, g->end - d->p.segsize);
	}
	tm->when = e;
	tm->ticket = sim_ticket(d->sim);
	return at;
}

/*
 * The media working for a command whose interface waits on something else
 * than the media: an overhead, a chunk in flight over the bus, the extra
 * write disconnect's pause; or that has disconnected, no transfer in
 * flight (a write waiting for the media to drain its data or finish, a
 * read for the watermark), when it asks for nothing until the media
 * reaches the block at which it would reselect the host
 * (disk_cmd_reconnect_at).  Each sector is then in (or out) as it passes
 * while the next block is ready: a write's data is in (what the segment
 * held and the bus had brought when the run began: a chunk in flight
 * lands later), a read has room (counted from the first block of a chunk
 * in flight, which leaves sooner).  The run stops short of a block not
 * surely ready and of the reselection: those are stream_media's and
 * disk_media_fire's.  Only the time is stepped sector by sector, as
 * stream_media steps it.  Returns the time of the last step taken, or -1
 * if none.
 */
static sim_time_t
stream_cmd(struct disk *d, double sec, sim_time_t h)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[m->seg];
	struct disk_cmd *c = d->cmd;
	struct disk_timer *tm = &d->t_media, *ti = &d->t_iface;
	sim_time_t at = -1, e = tm->when;
	int64_t b0 = m->next, k0 = m->k, stop, have, n, i;

	if (m->st != M_SECTOR || !m->trk.contig || m->imm_to > 0 || !tm->armed ||
	    tm->queued || c == NULL || c->wait_media || c->seg != m->seg ||
	    c->write != m->write || c->ist == IF_HOLD)
		return -1;
	if (ti->armed && !ti->queued)
		h = MIN(h, ti->when);
	stop = MIN(m->limit, m->trk.end);
	if (c->ist == IF_DISC)
		stop = MIN(stop, disk_cmd_reconnect_at(d));
	if (m->write) {
		/* media_block_ready, counting no data on the bus: below what
		 * is in, and the extra write disconnect's count reached (it
		 * only grows with what is in). */
		have = MAX(g->end, c->out);
		if (p->extra_write_disconnect &&
		    have - MAX(g->start, have - p->segsize) <
		    (c->n < 45 ? MIN(c->n, 10) : 15))
			return -1;
		stop = MIN(stop, have);
	} else if (!c->completion_sent)
		stop = MIN(stop, c->out + p->segsize);	/* room */
	/* Step i passes block b0 + i, which must be below stop - 1 (the
	 * block coming under the head below stop). */
	n = media_steps(m, sec, h, stop - 1 - b0, &at, &e);
	if (n == 0)
		return -1;
	/* The command's last block to pass in the run, and its first to
	 * come under the head: their sectors' times, as stream_media sets them. */
	i = MIN(n - 1, c->end - 1 - b0);
	if (i >= 0 && b0 + i >= c->lbn)
		c->last_sector_end = media_at(m, k0 + i, sec);
	i = MAX(0, c->lbn - 1 - b0);
	if (c->first_sector < 0 && i < n && b0 + i + 1 < c->end)
		c->first_sector = media_at(m, k0 + i, sec);
	m->next = b0 + n;
	m->at.sector += (int)n;
	if (m->write)
		g->dirty = MAX(g->dirty, m->next);
	else {
		g->end = m->next;
		g->start = MAX(g->start, g->end - p->segsize);
	}
	tm->when = e;
	tm->ticket = sim_ticket(d->sim);
	return at;
}

void
disk_media_stream_run(struct disk *d)
{
	struct disk_timer *t;
	sim_time_t h, at = -1;
	uint64_t tk = 0;
	double sec;

	KASSERT(d->media->st == M_SECTOR && d->t_media.armed &&
	    !d->t_media.queued, ("disk: a run of sectors with none passing"));
	sec = media_sector_ns(d);	/* the track does not change */
	for (;;) {
		sim_time_t when;

		/* Nothing queued is due yet, nor a command arriving (its
		 * timer may be older than the stream's; it goes first).  A
		 * step may queue a stale event (disk_timer_disarm): look
		 * again. */
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
		if (t == &d->t_media && ((when = stream_background(d, sec, h)) >= 0 ||
		    (when = stream_cmd(d, sec, h)) >= 0)) {
			at = when;
			tk = sim_ticket(d->sim);
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
		 * anything queued -- unless the run began to stop after the
		 * horizon was asked (a signal, or another run of a batch
		 * failing, sets the interrupt flag at any moment): the steps
		 * are taken, the clock stays, and the run ends there. */
		bool next = sim_callout_advance(d->sim, at, tk);

		KASSERT(next || sim_stopping(d->sim),
		    ("disk: a stream went past the next event"));
		(void)next;
	}
}
