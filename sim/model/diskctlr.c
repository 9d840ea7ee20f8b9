/*
 * diskctlr.c — the drive's controller (DiskSim's disksim_diskctlr.c): a
 * command from its arrival to its completion message.
 *
 * A command meets the cache (diskcache.c), takes the heads — stopping a
 * read-ahead that has read the minimum it promised, adopting one that
 * serves it, waiting for a flush — and sets the media going (diskmedia.c).
 * Meanwhile the interface moves its data: command overhead, then data over
 * the bus in chunks as the cache has it (reads) or has room for it
 * (writes), disconnecting while it waits and reselecting the host when
 * there is enough to send (the watermark), then the completion message.
 * Every step's delay is a parameter measured on the real drive.  At
 * completion the request's service time is split into overhead, seek,
 * rotation and transfer, and the overhead, by the interface's log of its
 * states, into the waits for the heads, the controller's overheads, the
 * bus, and waiting for the media or for room in the cache (acct_split).
 * (DiskSim keeps no such split; the states and what each charges are its
 * disk_ctlr's: disk_request_arrive's command overheads, disk_check_bus's
 * reselection and data preparation, the completion and disconnect
 * overheads of disksim_diskctlr.c.  The drive has its bus to itself, but
 * commands queued in it arrive over it, and a reselection waits while one
 * does: cmd_check_reconnect, disk.c's arrive.)
 */
#include "disk.h"
#include "disk_private.h"
#include "kassert.h"

#include <math.h>
#include <string.h>

#include <glib.h>

/* read_go's s when the caller has not looked the read up in the cache. */
#define	SEG_LOOKUP	(-2)
static void read_go(struct disk *d, struct disk_cmd *c, bool fresh, int s,
    enum hit hit);

/*
 * The command must wait for the heads (wait_media): from now until
 * disk_cmd_media_ready, logged under what holds them -- measured, for the
 * request's split (diskreq.wait_ns), not inferred from what is left.
 */
static void
wait_heads(struct disk *d, struct disk_cmd *c, int kind)
{
	c->wait_media = true;
	c->wait_kind = kind;
	disk_cmd_acct(c, sim_now(d->sim));
}
static void write_go(struct disk *d, struct disk_cmd *c, bool fresh, int s,
    enum hit hit, int ra);

/* ---- the interface --------------------------------------------------- */

static void
iface_delay(struct disk *d, sim_time_t delay, enum iface_next next)
{
	struct disk_cmd *c = d->cmd;

	c->ist = IF_DELAY;
	c->next = next;
	disk_cmd_acct(c, sim_now(d->sim));
	disk_timer_arm(d, &d->t_iface, (double)(sim_now(d->sim) + delay));
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
void
disk_bus_chunk(struct disk *d, int64_t n, sim_time_t now)
{
	struct disk_cmd *c = d->cmd;

	c->ist = IF_XFER;
	c->xfer_from = c->out;
	c->xfer_n = (int)n;
	c->xfer_t0 = (double)now;
	c->xfer_blk = c->write ? d->p.bus_write_ns : d->p.bus_read_ns;
	c->bus_ns += (double)n * c->xfer_blk;
	disk_cmd_acct(c, now);
	disk_timer_arm_at(d, &d->t_iface, c->xfer_t0 + (double)n * c->xfer_blk, now);
}

/*
 * A read's blocks the segment holds from the next one to send on: as
 * DiskSim's disk_buffer_transfer_size, up to where the segment ends,
 * whether or not its start has slid past them.  The start slides when the
 * media reads on into a full segment (disk_buffer_segment_wrap), and it
 * may pass the next block to send when a read adopts the read-ahead while
 * a sector is under the head: the segment was full when that sector began
 * (media_block_ready allowed it, no read being there to keep blocks), so
 * it ends one block past the segment's size.  DiskSim sends those blocks
 * all the same; refusing them would leave the read waiting for blocks the
 * segment never takes back, and the media waiting for room, for ever.
 */
static int64_t
read_ready(const struct disk_seg *g, const struct disk_cmd *c)
{
	return MIN(g->end, c->end) - c->out;
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
		disk_cmd_acct(c, sim_now(d->sim));
		return;
	}
	g = &d->seg[c->seg];
	if (!c->write)
		n = read_ready(g, c);
	else
		n = MIN(c->end - c->out, write_room(d));
	if (n > 0) {
		disk_bus_chunk(d, n, sim_now(d->sim));
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
	    (c->write ? d->p.hold_bus_write : d->p.hold_bus_read)) {
		c->ist = IF_HOLD;
		disk_cmd_acct(c, sim_now(d->sim));
	} else
		iface_delay(d, c->write ? d->p.ovh_disconnect_write :
		    d->p.ovh_disconnect_read[c->after], NX_DISC);
}

static bool
write_media_done(const struct disk *d)
{
	const struct disk_cmd *c = d->cmd;

	return write_in(d) >= c->end;
}

/*
 * Is the media writing c's segment in another write's access, one whose
 * command is done (c joined it: media_own_end)?  DiskSim's
 * disk_buffer_request_complete asks for the bus as an access moves on
 * only for the access's own request, and not at all once that is done
 * (BUFFER_BACKGROUND): c, disconnected to wait for room, waits for a
 * reselection to come from elsewhere (its own access, the bus let go).
 */
static inline bool
flush_not_cmds(const struct disk *d, const struct disk_cmd *c)
{
	const struct disk_media *m = d->media;

	return c->write && m->st != M_IDLE && m->write && m->seg == c->seg &&
	    m->owner != c->seq;
}

/*
 * Disconnected: reselect the host if there is something to do (DiskSim's
 * disk_request_needs_bus) and the bus is free.  Taken by a command
 * arriving, the drive asks for it then -- unless that command is already
 * being received, when the drive asks for the bus for nothing else
 * (disk_request_needs_bus: not while its own traffic is on it) -- and
 * an ask outstanding when the command received disconnects wins the bus
 * over the host's next command (bus_wanted; DiskSim's bus arbitrates by
 * slot, the drive's above the controller's); asked or not, it is asked
 * again then (disk_bus_free).
 */
static void
cmd_check_reconnect(struct disk *d)
{
	struct disk_cmd *c = d->cmd;
	struct disk_seg *g;
	sim_time_t resel, delay;
	enum iface_next next = NX_XFER;

	if (c == NULL || c->ist != IF_DISC || c->wait_media)
		return;
	g = &d->seg[c->seg];
	/* An extra write disconnect's first reselection costs the first
	 * reselect overhead, later ones the other. */
	resel = c->xd && c->xd_reselected ? d->p.ovh_reselect_other :
	    d->p.ovh_reselect_first;
	delay = resel + d->p.ovh_data_prep;
	if (!c->write) {
		if (!(g->start <= c->out && g->end > c->out &&
		    (g->end >= c->end || g->end - c->out >= c->watermark)))
			return;
	} else if (c->out >= c->end) {
		if (!write_media_done(d))
			return;
		delay = resel + d->p.ovh_complete_write;
		next = NX_COMPLETE;
	} else if (!(c->out == c->lbn && c->hit != HIT_APPEND) &&
	    !(write_room(d) > 0 &&
	    c->out - write_in(d) <= write_watermark(d, c->n)))
		return;
	if (d->arriving != NULL) {
		if (!d->arriving_rx && d->sneak == SNEAK_NONE)
			d->bus_wanted = true;
		if (!c->bus_wait) {
			c->bus_wait = true;
			disk_cmd_acct(c, sim_now(d->sim));
		}
		return;
	}
	d->bus_wanted = false;
	c->bus_wait = false;
	iface_delay(d, delay, next);
	if (next == NX_COMPLETE)
		c->completion_sent = true;
	if (c->xd)
		c->xd_reselected = true;
}

/*
 * Where the media's next block (write_in, or a read's segment end) must
 * be for cmd_check_reconnect to reselect the host, the command being
 * disconnected on the media's segment with no transfer in flight: the
 * media may take its blocks up to it without asking (disk_media_stream's
 * runs).  -1: it would reselect (or find the bus taken) at the next check
 * whatever the media does; INT64_MAX: the media alone never makes it.
 */
int64_t
disk_cmd_reconnect_at(const struct disk *d)
{
	const struct disk_cmd *c = d->cmd;
	const struct disk_seg *g = &d->seg[c->seg];
	int64_t at;

	KASSERT(c->ist == IF_DISC && !c->wait_media, ("disk: not disconnected"));
	/* Waiting for the bus, only its release moves it on (the first
	 * block where it would reselect is found as if the bus were free:
	 * there it finds the bus taken, and its wait is logged from then). */
	if (c->bus_wait || flush_not_cmds(d, c))
		return INT64_MAX;
	if (!c->write) {
		/* g->start <= out < g->end, with g->end - out reaching the
		 * watermark or the command's end; the start slides only past
		 * blocks beyond out + segsize, where the media stops. */
		if (g->start > c->out)
			return INT64_MAX;
		at = MAX(c->out + 1, MIN(c->end, c->out + c->watermark));
		return at <= c->out + d->p.segsize ? at : INT64_MAX;
	}
	if (c->out >= c->end)
		return c->end;			/* write_media_done */
	if (c->out == c->lbn && c->hit != HIT_APPEND)
		return -1;
	return MAX(c->out - d->p.segsize + 1,
	    c->out - write_watermark(d, c->n));
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
void
disk_cmd_media_progress(struct disk *d)
{
	struct disk_cmd *c = d->cmd;

	if (c == NULL || c->wait_media)
		return;
	if (c->ist == IF_HOLD) {
		struct disk_seg *g = &d->seg[c->seg];

		if ((!c->write && read_ready(g, c) > 0) ||
		    (c->write && (c->out >= c->end ? write_media_done(d) :
		    write_room(d) > 0)))
			cmd_xfer(d);
	} else if (c->ist == IF_DISC && !flush_not_cmds(d, c))
		cmd_check_reconnect(d);
}

static void complete(struct disk *d);

void
disk_iface_fire(struct disk *d)
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
		disk_cmd_acct(c, sim_now(d->sim));
		disk_bus_free(d);
		break;
	case NX_XD_DISC:
		/* The drive pauses, then reselects to take the data; the bus
		 * is free meanwhile. */
		c->ist = IF_XD_WAIT;
		c->next = NX_RECHECK;
		disk_cmd_acct(c, sim_now(d->sim));
		disk_timer_arm(d, &d->t_iface, (double)(sim_now(d->sim) +
		    d->p.xd_inter));
		disk_dispatch(d);
		break;
	case NX_RECHECK:
		c->ist = IF_DISC;
		disk_cmd_acct(c, sim_now(d->sim));
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

/*
 * With no side effect: may the read-ahead under way be stopped now --
 * reached its minimum, and not one that ends only at its next event
 * (disk_media_preempt's drives) or already marked to?
 */
static bool
readahead_stops_now(const struct disk *d)
{
	const struct disk_media *m = d->media;

	if (m->write || m->preempt || m->next < d->seg[m->seg].ra_min)
		return false;
	return !(d->p.preempt_at_event && m->imm_to == 0 &&
	    !(d->p.stop_in_sector && m->st != M_SEEK));
}

/*
 * May a write (hit on segment s) join the flush under way: have its data
 * taken in now, to be written after the blocks being written?  An append
 * to the flush's segment, while no write that joined it still waits for
 * an access of its own: DiskSim's disk_buffer_stopable_access lets an
 * append stop (merge with) a write access only if it is the next request
 * its queue would take, and the one that joined is ahead of it there.
 */
static inline bool
flush_joinable(const struct disk_media *m, int s, enum hit hit)
{
	return m->st != M_IDLE && m->write && hit == HIT_APPEND &&
	    m->seg == s && m->join_lbn < 0;
}

/*
 * Would r have the heads at once, arriving at a drive that serves no
 * command (read_arrive, write_arrive): idle, or busy with a read-ahead
 * that serves it or stops now, or with a flush it joins?  Else a flush,
 * or a read-ahead short of its minimum or ending only at its next
 * event, holds them, and DiskSim's drive queues it (disk_check_hda finds
 * its effectivehda taken) to choose the next by its policy when they are
 * free.  No side effects.
 */
bool
disk_heads_free_for(const struct disk *d, const struct diskreq *r)
{
	const struct disk_media *m = d->media;
	enum hit hit;
	int s;

	if (m->st == M_IDLE)
		return true;
	if (!r->write) {
		s = disk_read_lookup(d, r->sector, r->sector + r->nsect, &hit);
		return (!m->write && s == m->seg && hit != HIT_MISS) ||
		    readahead_stops_now(d);
	}
	s = disk_write_lookup(d, r->sector, r->sector + r->nsect, &hit);
	return s >= 0 && (flush_joinable(m, s, hit) || readahead_stops_now(d));
}

/* Are the heads idle, or busy with a read-ahead that stops now? */
bool
disk_heads_idle(const struct disk *d)
{
	return d->media->st == M_IDLE || readahead_stops_now(d);
}

/*
 * A command queued while the drive serves none, its heads busy: a
 * read-ahead is kept to its minimum, or marked to end at its next event,
 * as a command waiting for the heads would have it (prefetch_stoppable,
 * disk_media_preempt; DiskSim's disk_buffer_stopable_access).
 */
void
disk_heads_wanted(struct disk *d)
{
	struct disk_media *m = d->media;

	if (m->st != M_IDLE && !m->write && !m->preempt && prefetch_stoppable(d))
		(void)disk_media_preempt(d);
}

/*
 * Write r has arrived, or is taken, while the media reads ahead: one
 * overlapping the segment read into ends that read-ahead at the sector
 * under way (its bounds brought down to what it holds), if the drive
 * says so (Write hit stop prefetch).  DiskSim's
 * disk_buffer_stopable_access does this whenever it weighs such a write
 * against the access -- disk_activate_write, at the write's arrival
 * whether the drive then takes it or queues it -- unless the access is
 * a read's, in service, still short of its minimum read-ahead.
 */
void
disk_write_hit_stop(struct disk *d, const struct diskreq *r)
{
	struct disk_media *m = d->media;
	struct disk_seg *g;

	if (!d->p.write_hit_stop_prefetch || m->st == M_IDLE || m->write)
		return;
	g = &d->seg[m->seg];
	if ((d->cmd != NULL && !d->cmd->write && d->cmd->seg == m->seg &&
	    g->end < g->ra_min) ||
	    !disk_seg_overlaps(g, r->sector, r->sector + r->nsect))
		return;
	g->ra_min = g->ra_max = g->end;
	m->limit = MIN(m->limit, MAX(g->end, m->next + 1));
}

/*
 * The heads for read c (segment s and hit as looked up): the read-ahead
 * that serves it adopted, one that may stop stopped, or else it waits
 * for them (wait_heads).  True if a read-ahead was stopped: the segments
 * have settled since the lookup.
 */
static bool
read_heads(struct disk *d, struct disk_cmd *c, int s, enum hit hit)
{
	struct disk_media *m = d->media;

	if (m->st == M_IDLE || (!m->write && s == m->seg && hit != HIT_MISS))
		return false;	/* idle, or the read-ahead serves it */
	if (prefetch_stoppable(d) && !disk_media_preempt(d)) {
		disk_media_stop(d);
		return true;
	}
	wait_heads(d, c, m->write ? DISK_WAIT_DRAIN : DISK_WAIT_READAHEAD);
	return false;
}

/*
 * The heads for write c: the flush under way joined if c follows on from
 * it, a read-ahead that may stop stopped, or else it waits for them --
 * for a flush too if no segment may take it (s < 0: every one that may
 * hold writes is dirty).
 */
static void
write_heads(struct disk *d, struct disk_cmd *c, int s, enum hit hit)
{
	struct disk_media *m = d->media;

	disk_write_hit_stop(d, c->r);
	if (m->st != M_IDLE) {
		if (flush_joinable(m, s, hit))
			;		/* joins the flush under way */
		else if (prefetch_stoppable(d) && !disk_media_preempt(d))
			disk_media_stop(d);
		else
			wait_heads(d, c, m->write ? DISK_WAIT_DRAIN :
			    DISK_WAIT_READAHEAD);
	}
	if (s < 0) {
		KASSERT(m->st != M_IDLE, ("disk: no write segment, no flush"));
		wait_heads(d, c, DISK_WAIT_FULL);
	}
}

static void
read_arrive(struct disk *d, struct disk_cmd *c)
{
	enum hit hit;
	int s = disk_read_lookup(d, c->lbn, c->end, &hit);
	bool stopped;

	/* Mechanical work waits for the command (DiskSim counts a read
	 * miss's overhead for every read). */
	c->overhead_done = sim_now(d->sim) + d->p.ovh_read_miss[c->after];
	stopped = read_heads(d, c, s, hit);
	if (c->wait_media) {
		if (d->p.never_disconnect)
			iface_delay(d, d->p.ovh_read_miss[c->after] +
			    d->p.ovh_data_prep, NX_XFER);
		else
			iface_delay(d, d->p.ovh_read_miss[c->after] +
			    d->p.ovh_disconnect_read[c->after], NX_DISC);
		return;
	}
	/* The segments are as looked up above unless the read-ahead was
	 * stopped (disk_seg_settle): read_go need not look again (one
	 * lookup of every segment a read fewer, -1.4 % of the DEC RZ26's
	 * instructions). */
	read_go(d, c, true, stopped ? SEG_LOOKUP : s, hit);
}

/*
 * May a read-ahead of its own (no command waiting for its blocks) begin at
 * block b?  One that reads to the end of the track or cylinder goes
 * nowhere else: DiskSim's disk_initiate_seek refuses a background read's
 * move off the track (or cylinder) the heads are on.
 */
static bool
readahead_here(struct disk *d, int64_t b)
{
	const struct disk_track *t;

	if (d->p.readahead != DRA_TRACK && d->p.readahead != DRA_CYLINDER)
		return true;
	t = disk_track(d, b);
	return t->pfirst.cyl == d->cur_cyl && (d->p.readahead == DRA_CYLINDER ||
	    t->pfirst.head == d->cur_head);
}

/* Serve a read whose heads are free (or reading for it).  s and hit: the
 * segment disk_read_lookup finds for it, or s SEG_LOOKUP to look now. */
static void
read_go(struct disk *d, struct disk_cmd *c, bool fresh, int s, enum hit hit)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g;
	int64_t limit;
	bool enough;

	if (s == SEG_LOOKUP)
		s = disk_read_lookup(d, c->lbn, c->end, &hit);
#ifdef INVARIANTS
	else {
		enum hit again;

		KASSERT(disk_read_lookup(d, c->lbn, c->end, &again) == s &&
		    again == hit, ("read_go: the cache's segments changed "
		    "since the read was looked up"));
	}
#endif

	if (hit == HIT_MISS) {
		s = disk_read_victim(d);
		if (s < 0) {
			/* Every segment holds dirty data: wait for a flush. */
			KASSERT(m->st != M_IDLE, ("disk: no segment and no flush"));
			wait_heads(d, c, DISK_WAIT_FULL);
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
		disk_seg_set_state(d, s, SEG_CLEAN);
	}
	g = &d->seg[s];
	c->seg = s;
	c->hit = hit;
	c->r->cache_hit = hit == HIT_WHOLE ? DISK_HIT_FULL :
	    hit == HIT_PARTIAL ? DISK_HIT_PARTIAL : DISK_HIT_NONE;
	c->watermark = read_watermark(d, c->n);
	disk_seg_touch(d, s);
	g->ra_min = MAX(g->ra_min, MIN(c->end + p->min_readahead, p->blocks));
	g->ra_max = MAX(g->ra_max, disk_readahead_max(d, g, c->lbn, c->end));
	limit = MAX(c->end, p->readahead != DRA_NONE ? g->ra_max : c->end);
	enough = p->never_disconnect || hit == HIT_WHOLE || (hit == HIT_PARTIAL &&
	    (p->immed_partial_hit || (g->end > c->lbn &&
	    g->end - c->lbn >= MIN(c->watermark, c->n))));

	if (m->st != M_IDLE) {
		KASSERT(!m->write && m->seg == s, ("disk: read beside a busy media"));
		m->limit = MAX(m->limit, limit);
	} else if (g->end < c->end)
		disk_media_begin(d, s, false, g->end, limit, c->overhead_done, 0, c);
	else if (p->readahead_idle_hit && p->readahead != DRA_NONE &&
	    g->end < g->ra_max && readahead_here(d, g->end))
		disk_media_begin(d, s, false, g->end, g->ra_max, c->overhead_done,
		    0, NULL);

	if (!fresh)
		disk_cmd_media_progress(d);
	else if (enough)
		iface_delay(d, (hit == HIT_MISS ? p->ovh_read_miss[c->after] :
		    p->ovh_read_hit[c->after]) + p->ovh_data_prep, NX_XFER);
	else
		iface_delay(d, p->ovh_read_miss[c->after] +
		    p->ovh_disconnect_read[c->after], NX_DISC);
}

/*
 * Read r is given the access of segment s, held as a read-ahead's (disk.c's
 * held_give: a queued read joining it, or the read taken that holds it):
 * DiskSim's disk_buffer_attempt_access_swap makes it the one the media
 * works for (effectivehda), the read before it still being sent.  Its
 * read-ahead bounds are raised, and a media that had stopped begins again
 * for its blocks not yet read (disk_check_hda's seek, once its overhead is
 * over), or, all read, reads ahead if the drive does so on an idle hit
 * (readaheadifidle), as read_go does for a read taken.
 */
void
disk_read_attach(struct disk *d, int s, const struct diskreq *r)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g = &d->seg[s];
	int64_t end = r->sector + r->nsect, limit;

	if (m->st != M_IDLE && (m->write || m->seg != s))
		return;		/* the heads are another's */
	g->ra_min = MAX(g->ra_min, MIN(end + p->min_readahead, p->blocks));
	g->ra_max = MAX(g->ra_max, disk_readahead_max(d, g, r->sector, end));
	limit = MAX(end, p->readahead != DRA_NONE ? g->ra_max : end);
	if (m->st != M_IDLE)
		m->limit = MAX(m->limit, limit);
	else if (g->end < end)
		disk_media_begin(d, s, false, g->end, limit, r->ovh_done, 0, NULL);
	else if (p->readahead_idle_hit && p->readahead != DRA_NONE &&
	    g->end < g->ra_max && readahead_here(d, g->end))
		disk_media_begin(d, s, false, g->end, g->ra_max, r->ovh_done, 0,
		    NULL);
}

static void
write_arrive(struct disk *d, struct disk_cmd *c)
{
	const struct disk_params *p = &d->p;
	const struct disk_media *m = d->media;
	enum hit hit;
	int s = disk_write_lookup(d, c->lbn, c->end, &hit), ra;

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
	ra = p->disksim_quirks && m->st != M_IDLE && !m->write ? m->seg : -1;
	write_heads(d, c, s, hit);
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
	write_go(d, c, true, p->disksim_quirks ? s : SEG_LOOKUP, hit, ra);
}

/*
 * Serve a write whose heads are free (or draining the segment it joins).
 * s and hit: the segment disk_write_lookup found for it before
 * write_heads stopped a read-ahead, or s SEG_LOOKUP to look now; ra: the
 * segment a read-ahead was filling then, or -1.  DiskSim chooses a
 * write's segment (disk_buffer_select_write_segment) and, arriving,
 * empties clean copies of its blocks (disk_buffer_set_segment) with the
 * read-ahead still running (in its segment, not clean: left alone, its
 * stale copies with it: disksim_quirks), and stops it only after
 * (disk_activate_write).  Otherwise the write looks once the read-ahead
 * has stopped, and empties every clean copy.
 */
static void
write_go(struct disk *d, struct disk_cmd *c, bool fresh, int s, enum hit hit,
    int ra)
{
	const struct disk_params *p = &d->p;
	struct disk_media *m = d->media;
	struct disk_seg *g;

	if (s == SEG_LOOKUP)
		s = disk_write_lookup(d, c->lbn, c->end, &hit);
	KASSERT(s >= 0, ("disk: a write with no segment"));
	if (m->st != M_IDLE && !flush_joinable(m, s, hit)) {
		KASSERT(!m->write, ("disk: write beside a flush"));
		disk_media_stop(d);
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
	disk_seg_set_state(d, s, m->st != M_IDLE && m->seg == s ? SEG_WRITING :
	    SEG_DIRTY);
	disk_seg_touch(d, s);
	disk_invalidate_overlaps(d, s, ra, c->lbn, c->end);

	if (m->st != M_IDLE && p->disksim_quirks) {
		/* It joins the flush under way: its blocks are written after
		 * the owner's, as DiskSim writes them (media_own_end). */
		m->join_lbn = c->lbn;
		m->join_end = c->end;
		m->join_owner = c->seq;
	} else if (m->st != M_IDLE) {
		/* The flush goes on into it, one sweep, as its own. */
		m->limit = m->own_end = c->end;
		m->owner = c->seq;
	} else {
		disk_media_begin(d, s, true, g->dirty, c->end, c->overhead_done,
		    p->min_seek_delay, c);
		m->owner = c->seq;
		m->own_end = c->end;
	}

	if (!fresh)
		disk_cmd_media_progress(d);
	else if (c->xd)
		iface_delay(d, p->xd_command + p->xd_disconnect1, NX_XD_DISC);
	else
		iface_delay(d, (c->fast ? p->ovh_write_hit[c->after] :
		    p->ovh_write_miss[c->after]) + p->ovh_data_prep, NX_XFER);
}

/* The heads are free for a command that waited for them. */
void
disk_cmd_media_ready(struct disk *d)
{
	struct disk_cmd *c = d->cmd;

	c->wait_media = false;
	disk_cmd_acct(c, sim_now(d->sim));
	if (c->write)
		write_go(d, c, false, SEG_LOOKUP, HIT_MISS, -1);
	else
		read_go(d, c, false, SEG_LOOKUP, HIT_MISS);
}

/* The command in service is r's from now: its state made afresh. */
static struct disk_cmd *
cmd_init(struct disk *d, struct diskreq *r)
{
	struct disk_cmd *c = d->cmd_mem;

	KASSERT(d->cmd == NULL, ("disk: two commands at once"));
	memset(c, 0, DISK_CMD_CLEAR);
	d->cmd = c;
	c->seq = ++d->cmd_seq;
	c->nacct = 1;
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
	r->cyl = disk_track(d, r->sector)->pfirst.cyl;
	return c;
}

void
disk_cmd_start(struct disk *d, struct diskreq *r)
{
	struct disk_cmd *c = cmd_init(d, r);

	/* From the drive's taking it (r->start: disk_dispatch) the
	 * controller works on it: the request overhead, then the command's. */
	c->acct[0] = (struct disk_acct){ r->start, DISK_PART_CTLR };
	if (c->write)
		write_arrive(d, c);
	else
		read_arrive(d, c);
}

/*
 * A command received while the drive served another (disk.c's arrive),
 * taken now that the heads are the drive's to give: DiskSim's
 * disk_check_hda taking the next request from its queue.  Its command
 * overhead and disconnect are behind it -- the mechanical work waits
 * only for what is left of the overhead (r->ovh_done) -- so it starts
 * disconnected: it meets the cache and the heads as a command arriving
 * at an idle drive does (stopping or adopting the read-ahead, waiting for
 * a flush), and reselects the host when it has data to send or room for
 * data (cmd_check_reconnect).  Not an extra write disconnect: DiskSim
 * clears that for a write received so.
 */
void
disk_cmd_resume(struct disk *d, struct diskreq *r)
{
	struct disk_cmd *c = cmd_init(d, r);
	enum hit hit;
	bool stopped;
	int s;

	KASSERT(r->ovh_done >= 0, ("disk: resuming a command not received"));
	c->ist = IF_DISC;
	c->overhead_done = r->ovh_done;
	c->acct[0] = (struct disk_acct){ r->start, disk_cmd_class(c) };
	if (c->write) {
		c->fast = d->p.fast_write > 0;
		/* Taken from the queue, DiskSim's write stops the read-ahead
		 * before it empties clean copies of its blocks
		 * (disk_activate_write, then disk_buffer_set_segment): no
		 * segment spared. */
		s = disk_write_lookup(d, c->lbn, c->end, &hit);
		write_heads(d, c, s, hit);
		if (!c->wait_media)
			write_go(d, c, false, d->p.disksim_quirks ? s :
			    SEG_LOOKUP, hit, -1);
		return;
	}
	s = disk_read_lookup(d, c->lbn, c->end, &hit);
	stopped = read_heads(d, c, s, hit);
	if (!c->wait_media)
		read_go(d, c, false, stopped ? SEG_LOOKUP : s, hit);
}

/* ---- accounting ------------------------------------------------------ */

/*
 * Drop from the log what lies wholly within the command's media access
 * so far -- from its seek's start (or, adopting a read-ahead, its first
 * sector) to a little before its last sector's end, a margin for the
 * rounding of the parts complete() places the access by -- or, with none
 * to drop, make it longer.
 */
static void
acct_make_room(struct disk_cmd *c)
{
	sim_time_t lo, hi;
	int i, j;

	if (c->first_sector >= 0 && c->last_sector_end > c->first_sector) {
		lo = c->media_began ? (sim_time_t)c->seek_end - c->seek_ns :
		    ns_round(c->first_sector);
		hi = (sim_time_t)floor(c->last_sector_end) - 4;
		for (i = j = 1; i < c->nacct - 1; i++)
			if (!(c->acct[i].t >= lo && c->acct[i + 1].t <= hi))
				c->acct[j++] = c->acct[i];
		c->acct[j++] = c->acct[c->nacct - 1];
		c->nacct = j;
	}
	if (c->nacct == c->acct_cap) {
		c->acct_cap *= 2;
		c->acct = g_renew(struct disk_acct, c->acct, c->acct_cap);
	}
}

/* The command began doing k at time now. */
void
disk_cmd_acct_add(struct disk_cmd *c, sim_time_t now, int k)
{
	struct disk_acct *e = &c->acct[c->nacct - 1];

	KASSERT(now >= e->t, ("disk: the interface's log goes back in time"));
	if (now == e->t) {
		/* What it was doing took no time. */
		if (c->nacct > 1 && e[-1].k == k)
			c->nacct--;
		else
			e->k = k;
		return;
	}
	if (c->nacct == c->acct_cap)
		acct_make_room(c);
	c->acct[c->nacct++] = (struct disk_acct){ now, k };
}

/*
 * Split the request's overhead by its log: each state's time outside the
 * media access made for it.  That access is placed where it was -- from
 * its seek's start, or its first sector's (a read-ahead adopted) -- and is
 * as long as the seek, rotation and transfer counted for it, so the parts
 * and those three add up to the service time to the nanosecond; it is
 * moved back only if the rounding of those three would take it past the
 * completion.  With no sector of its own (a hit, or a write reported
 * before the media reached it) the transfer counted is the bus's: that
 * comes out of the bus's time, and any nanosecond the bus's chunks,
 * each rounded to its timer, fall short of it out of the controller's.
 */
static void
acct_split(struct disk_cmd *c, struct diskreq *r)
{
	sim_time_t sum[ACCT_WAIT + DISK_WAIT_COUNT] = { 0 };
	sim_time_t w0 = 0, w1 = 0, media = r->seek_ns + r->rot_ns + r->xfer_ns;
	sim_time_t a, b, over, take, total = 0;
	int i, k;

	if (c->first_sector >= 0) {
		w0 = c->media_began ? (sim_time_t)c->seek_end - c->seek_ns :
		    ns_round(c->first_sector);
		w0 = MAX(r->start, MIN(w0, r->end - media));
		w1 = w0 + media;
		take = 0;
	} else
		take = media;
	/* Each entry [a, b) less its overlap with [w0, w1): the log ascends
	 * and w0 <= w1, so the overlap is MIN(b, w1) - MAX(a, w0) when that
	 * is positive, and none (it is at most 0) when not -- taken without
	 * a branch on the times, which a random request mispredicted. */
	b = r->end;
	for (i = c->nacct - 1; i >= 0; i--) {
		a = c->acct[i].t;
		KASSERT(a <= b && w0 <= w1, ("disk: the log out of order"));
		over = MIN(b, w1) - MAX(a, w0);
		over = over > 0 ? over : 0;
		sum[c->acct[i].k] += b - a - over;
		b = a;
	}
	/* The bus's time counted as the transfer, first from the bus's,
	 * then (rounding) the controller's, then any other. */
	for (i = 0; i < ACCT_WAIT + DISK_WAIT_COUNT && take > 0; i++) {
		k = i == 0 ? DISK_PART_BUS : i == 1 ? DISK_PART_CTLR : i;
		over = MIN(take, sum[k]);
		sum[k] -= over;
		take -= over;
	}
	KASSERT(take == 0, ("disk: a transfer longer than the service"));
	for (k = 0; k < DISK_PART_COUNT; k++) {
		r->part_ns[k] = sum[k];
		total += sum[k];
	}
	for (k = 0; k < DISK_WAIT_COUNT; k++) {
		r->wait_ns[k] = sum[ACCT_WAIT + k];
		total += sum[ACCT_WAIT + k];
	}
	KASSERT(total == r->overhead_ns && r->end - r->start == total +
	    r->seek_ns + r->rot_ns + r->xfer_ns, ("disk: request %lld+%d: "
	    "the parts of its service (%lld ns) sum to %lld ns", (long long)
	    r->sector, r->nsect, (long long)(r->end - r->start), (long long)
	    (total + r->seek_ns + r->rot_ns + r->xfer_ns)));
}

/* A read's blocks up to end are sent from segment s: a drive that does
 * not keep what it sent (DiskSim's read-ahead over requested = -1) drops
 * them from it. */
static void
read_sent(struct disk *d, int s, int64_t end)
{
	if (d->p.keep_request_data < 0 && s >= 0) {
		struct disk_seg *g = &d->seg[s];

		g->start = MAX(g->start, MIN(end, g->end));
	}
}

/* A request done, its parts worked out: the drive's counts, and the
 * error an injected fault gives it (diskerr.c). */
static inline void
req_count(struct disk *d, struct diskreq *r)
{
	int k;

	for (k = 0; k < DISK_WAIT_COUNT; k++)
		d->st.wait_ns[k] += r->wait_ns[k];
	for (k = 0; k < DISK_PART_COUNT; k++)
		d->st.part_ns[k] += r->part_ns[k];
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
	d->st.busy_ns += r->end - r->start;
	d->st.seek_ns += r->seek_ns;
	d->st.rot_ns += r->rot_ns;
	d->st.xfer_ns += r->xfer_ns;
	d->st.overhead_ns += r->overhead_ns;
	d->st.queue_ns += r->start - r->submit;
	if (d->nfaults > 0 || d->fault_rng != NULL)
		r->error = disk_fault_check(d, r);
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
	d->progress = now;
	service = now - r->start;
	if (c->first_sector >= 0) {
		r->seek_ns = c->media_began ? c->seek_ns : 0;
		r->rot_ns = c->media_began ?
		    ns_round(MAX(c->first_sector - c->seek_end, 0)) : 0;
		r->xfer_ns = ns_round(MAX(c->last_sector_end -
		    c->first_sector, 0));
	} else {
		r->seek_ns = r->rot_ns = 0;
		r->xfer_ns = ns_round(c->bus_ns);
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
	acct_split(c, r);
	if (!c->write)
		read_sent(d, c->seg, c->end);
	d->last_write = c->write;
	req_count(d, r);
	if (d->ra_eff == r)
		d->ra_eff = NULL;	/* (r may be reused) */
	d->cmd = NULL;
	d->bus_wanted = false;
	disk_timer_disarm(d, &d->t_iface);
	disk_dispatch(d);
	d->done(d->done_arg, r);
}

/* ---- sneaky full read hits -------------------------------------------- */

/*
 * A read the cache holds whole, arriving (its request overhead over) while
 * another command has the heads -- one in service, disconnected, or a
 * flush or a read-ahead the read may not stop -- on a drive that allows
 * sneaky full read hits: sent at once, beside it, as DiskSim's
 * disk_read_arrive sends it (READY_TO_TRANSFER: the hit is enough to go,
 * no command has the bus or waits to reselect -- currentbus, which
 * disk_check_bus sets as it asks for the bus -- and sneaky full read
 * hits are on): the read-hit overhead and data preparation, its blocks over the
 * bus, the completion, the bus held throughout (disk_sneak_fire), while
 * the command in service goes on with the media.  Its segment is kept
 * from reuse until it is done (DiskSim's diskreq on it).  False: r is not
 * such a read; it arrives as any other.
 */
bool
disk_sneak_start(struct disk *d, struct diskreq *r)
{
	const struct disk_params *p = &d->p;
	const struct disk_cmd *c = d->cmd;
	enum hit hit;
	int s;

	if (!p->sneaky_full || r->write || (c != NULL ? c->ist != IF_DISC ||
	    c->bus_wait : disk_heads_free_for(d, r)))
		return false;
	s = disk_read_lookup(d, r->sector, r->sector + r->nsect, &hit);
	if (s < 0 || hit != HIT_WHOLE)
		return false;
	d->sneak = SNEAK_OVH;
	d->sneak_seg = s;
	disk_seg_touch(d, s);
	r->cache_hit = DISK_HIT_FULL;
	r->cyl = disk_track(d, r->sector)->pfirst.cyl;
	disk_timer_arm(d, &d->t_arrive, (double)(sim_now(d->sim) +
	    p->ovh_read_hit[d->last_write ? 1 : 0] + p->ovh_data_prep));
	return true;
}

/* A step of the sneaky hit being sent is over. */
void
disk_sneak_fire(struct disk *d)
{
	const struct disk_params *p = &d->p;
	struct diskreq *r = d->arriving;
	sim_time_t now = sim_now(d->sim);

	switch (d->sneak) {
	case SNEAK_OVH:
		/* Its blocks all in the segment: one transfer. */
		d->sneak = SNEAK_XFER;
		disk_timer_arm(d, &d->t_arrive, (double)now +
		    (double)r->nsect * p->bus_read_ns);
		return;
	case SNEAK_XFER:
		d->sneak = SNEAK_DONE;
		disk_timer_arm(d, &d->t_arrive, (double)(now +
		    p->ovh_complete_read));
		return;
	}
	KASSERT(d->sneak == SNEAK_DONE, ("disk: a sneaky hit's step %d",
	    d->sneak));
	/* Done: a cache hit's transfer is the bus's, the rest of its
	 * service the controller's (the request, read-hit, preparation and
	 * completion overheads). */
	r->end = now;
	d->progress = now;
	r->seek_ns = r->rot_ns = 0;
	r->xfer_ns = MIN(ns_round((double)r->nsect * p->bus_read_ns),
	    r->end - r->start);
	r->overhead_ns = r->end - r->start - r->xfer_ns;
	r->part_ns[DISK_PART_CTLR] = r->overhead_ns;
	read_sent(d, d->sneak_seg, r->sector + r->nsect);
	d->last_write = false;
	req_count(d, r);
	d->sneak = SNEAK_NONE;
	d->sneak_seg = -1;
	d->arriving = NULL;
	disk_bus_free(d);
	d->done(d->done_arg, r);
}
