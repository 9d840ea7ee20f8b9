/*
 * diskcache.c — the drive's cache (DiskSim's disksim_diskcache.c).
 *
 * The cache is a set of segments, each a run of consecutive blocks, reused
 * least recently used first.  Here is which segment a request meets: a
 * read whose first block is in a segment is a (partial) hit and needs the
 * bus only; a read miss takes an empty segment, else a clean one, else one
 * being read ahead into; a write continues a segment of dirty data it
 * follows on from, or takes a segment while fewer than the allowed number
 * hold dirty data, and drops every clean copy of the blocks it changes.
 * How far the drive reads ahead after a read is decided here too.  Filling
 * and draining segments is the media's (diskmedia.c), moving their blocks
 * over the bus the controller's (diskctlr.c).
 */
#include "disk.h"
#include "disk_private.h"
#include "kassert.h"

#include <glib.h>

void
disk_seg_touch(struct disk *d, int s)
{
	d->seg[s].used = ++d->lru;
	d->mru = s;
}

/* The segment reserved for writes, if there is one, is the last: the
 * segments a read may use are those before it. */
static inline int
read_segs(const struct disk *d)
{
	return d->p.write_seg ? d->p.nsegs - 1 : d->p.nsegs;
}

void
disk_seg_set_state(struct disk *d, int s, int state)
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
void
disk_seg_settle(struct disk *d, int s)
{
	struct disk_seg *g = &d->seg[s];

	if (!d->p.cache || (g->write_data && !d->p.read_hits_on_writes))
		disk_seg_set_state(d, s, SEG_EMPTY);
	else
		disk_seg_set_state(d, s, SEG_CLEAN);
}

/*
 * The segment a read [lbn, end) would hit, best first (DiskSim's
 * disk_buffer_select_read_segment): all its blocks over only the first
 * ones; dirty data (the freshest) over a read-ahead under way over clean
 * data; the least recently used among equals.  The write-only segment is
 * never read from.
 */
int
disk_read_lookup(const struct disk *d, int64_t lbn, int64_t end, enum hit *hit)
{
	int s, best = -1, bestv = 0, n = read_segs(d);

	*hit = HIT_MISS;
	if (!d->p.cache)
		return -1;
	for (s = 0; s < n; s++) {
		const struct disk_seg *g = &d->seg[s];
		int v = 0;
		enum hit h;

		/* (Most segments hold nothing near lbn: that first, as one
		 * unsigned comparison -- lbn in [start, end], a segment always
		 * having start <= end (disk_check) -- rather than two whose
		 * branches a random request would mispredict.) */
		if ((uint64_t)lbn - (uint64_t)g->start >
		    (uint64_t)g->end - (uint64_t)g->start ||
		    g->state == SEG_EMPTY)
			continue;
		if (lbn < g->end) {
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
int
disk_read_victim(const struct disk *d)
{
	/* A state's rank, from a table rather than three tests; the best
	 * one's stamp kept at hand (a miss looks at every segment: on the
	 * DEC RZ26's ten, 21 instructions each). */
	static const int rank[] = { [SEG_EMPTY] = 3, [SEG_CLEAN] = 2,
	    [SEG_READING] = 1, [SEG_WRITING] = 0, [SEG_DIRTY] = 0 };
	int s, best = -1, bestv = 0, n = read_segs(d);
	uint64_t bestused = 0;

	for (s = 0; s < n; s++) {
		const struct disk_seg *g = &d->seg[s];
		int v;

		KASSERT((unsigned)g->state < G_N_ELEMENTS(rank),
		    ("disk_read_victim: segment %d in state %d", s, g->state));
		/* (not one a sneaky hit is being sent from) */
		v = s == d->sneak_seg ? 0 : rank[g->state];
		if (v > bestv || (v > 0 && v == bestv && g->used < bestused)) {
			best = s;
			bestv = v;
			bestused = g->used;
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
int
disk_write_lookup(const struct disk *d, int64_t lbn, int64_t end, enum hit *hit)
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
int64_t
disk_readahead_max(struct disk *d, const struct disk_seg *g, int64_t lbn,
    int64_t end)
{
	const struct disk_params *p = &d->p;
	int64_t r, tf;
	int n = (int)(end - lbn);

	switch (p->readahead) {
	case DRA_NONE:
		r = end;
		break;
	case DRA_DEC:
		if (end >= p->blocks)
			return p->blocks;
		tf = disk_track(d, end)->first;
		r = disk_track(d, end)->end;
		if (g->start < tf)
			r += disk_track(d, lbn)->spt;
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

/*
 * Writes drop every clean copy of the blocks they change -- but a segment
 * being read ahead into when the write takes its own (busy, or -1) keeps
 * its blocks, stale ones too: DiskSim's disk_buffer_set_segment empties
 * only clean segments no request holds, and the read-ahead's request
 * leaves its segment only when the write stops it, after.
 */
void
disk_invalidate_overlaps(struct disk *d, int keep, int busy, int64_t lbn,
    int64_t end)
{
	int s;

	for (s = 0; s < d->p.nsegs; s++) {
		struct disk_seg *g = &d->seg[s];

		if (s != keep && s != busy && g->state == SEG_CLEAN &&
		    lbn < g->end && end > g->start)
			disk_seg_set_state(d, s, SEG_EMPTY);
	}
}
