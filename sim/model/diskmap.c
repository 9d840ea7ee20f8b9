/*
 * diskmap.c — where a logical block lives on the platters (DiskSim's
 * dm_layout_g1).
 *
 * The disk is cut into zones of equal tracks.  Within a zone, physical
 * sectors are numbered track after track, cylinder after cylinder (head 0
 * to the last head, then the next cylinder).  The zone's logical blocks
 * follow in that order, after a reserved area at the zone's front, skipping
 * slipped defects and leaving spares where the sparing scheme puts them:
 * spare tracks at the zone's end (scheme 1, whose slips are whole tracks),
 * spare sectors at the end of each cylinder (2), track (3), range of
 * cylinders (8), or at the zone's end (9, whose slips are sectors counted
 * from the zone's front and push every later block one sector on, across
 * tracks).  Schemes 4 and 10 are 2 and 9 whose slips also use up blocks
 * beyond the spares (DiskSim's "slip to end"); 5 and 6 are 2 and 4 with
 * the spares at each cylinder's front, and in 7 the spares are at the
 * disk's end: a slip pushes every later block of its zone one sector on.
 * A defect remapped to a spare takes its block there (remap_sector).
 *
 * Cylinder after cylinder the tracks go from the first surface to the
 * last (mapping scheme 0), or on alternate cylinders from the last back
 * to the first (1: the zone's odd cylinders, 2: the disk's), so that a
 * cylinder switch needs no head switch (g1_surfno_on_cyl).
 *
 * Every track's sector 0 is rotated from the zone's first block by the
 * track skew for each head switch and the cylinder skew for each cylinder
 * switch before it, so that a sequential transfer finds its next block
 * arriving under the head just after the switch.  Angles are fractions of a
 * revolution.
 */
#include "disk.h"
#include "kassert.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/*
 * The binary searches below run for every request on a random block, so
 * each halves its range with a conditional move, not a branch that would
 * be mispredicted half the time (as the seek curve's, diskmech.c): the
 * same partition point of the same monotone test.
 */

/* Up to this many zones, zone_of_lbn counts them rather than search. */
#define ZONE_COUNT_MAX	16

/*
 * The zone holding logical block lbn (zones are in block order): the last
 * whose first block is at or before lbn (the first zone if none).  With a
 * few zones (the HP C2247A's 8, the Cheetah 9LP's 11) the zones after the
 * first whose first block is at or before lbn are counted: the loads and
 * comparisons are independent of each other, where each step of a binary
 * search waits for the load the step before chose.  Zones' first blocks
 * never descend, so the count is the search's partition point less one:
 * the same zone, equal first blocks (a zone of no blocks) included.
 */
static const struct disk_zone *
zone_of_lbn(const struct disk_params *p, int64_t lbn)
{
	int lo = 0, len = p->nzones;

	if (len <= ZONE_COUNT_MAX) {
		int i;

		for (i = 1; i < len; i++)
			lo += p->zones[i].first_lbn <= lbn;
		return &p->zones[lo];
	}
	while (len > 1) {
		int half = len / 2;

		lo = p->zones[lo + half].first_lbn <= lbn ? lo + half : lo;
		len -= half;
	}
	return &p->zones[lo];
}

/* The zone holding cylinder cyl, or NULL (between zones): zones ascend
 * and do not overlap (disk_params_finish). */
const struct disk_zone *
disk_zone_of_cyl(const struct disk_params *p, int64_t cyl)
{
	int lo = 0, len = p->nzones;

	while (len > 1) {
		int half = len / 2;

		lo = p->zones[lo + half].first_cyl <= cyl ? lo + half : lo;
		len -= half;
	}
	return cyl >= p->zones[lo].first_cyl && cyl <= p->zones[lo].last_cyl ?
	    &p->zones[lo] : NULL;
}

/*
 * How many slips lie at or before position x once the earlier slips have
 * pushed it on: the count k of slips with slip[i] <= x + i.  Slips ascend
 * strictly, so slip[i] - i never decreases and a binary search finds k.
 */
static int
slips_before(const struct disk_zone *z, int64_t x)
{
	int lo = 0, len = z->nslips;

	/* lo, once len is 1, is the last slip that may lie at or before
	 * x; the count is the slips before it and, if it does, itself.
	 * (One value chosen a step, lo: the compiler makes it a
	 * conditional move, where choosing both lo and len it branched.) */
	if (len == 0)
		return 0;
	while (len > 1) {
		int half = len / 2;

		lo = z->slips[lo + half] - (lo + half) <= x ? lo + half : lo;
		len -= half;
	}
	return lo + (z->slips[lo] - lo <= x);
}

/*
 * The surface of the t-th track of cylinder cyl in the mapping scheme's
 * order, or, the mapping being its own inverse, the place in that order
 * of surface t (DiskSim's g1_surfno_on_cyl).
 */
static int
surface(const struct disk_params *p, const struct disk_zone *z, int64_t cyl,
    int t)
{
	bool back = p->mapping == 1 ? ((cyl - z->first_cyl) & 1) != 0 :
	    p->mapping == 2 ? (cyl & 1) != 0 : false;

	return back ? p->heads - 1 - t : t;
}

/* A skew track_skew_sum may add up as a whole number: whole (-0 too:
 * the sum is +0 either way) and at most 2^20 in size. */
static bool
skew_whole(double x)
{
	return fabs(x) <= 0x1p20 && x == (double)(int64_t)x;
}

/* The number of slips before zone sector x (slips ascend). */
static int
slips_below(const struct disk_zone *z, int64_t x)
{
	int lo = 0, len = z->nslips;

	/* As slips_before. */
	if (len == 0)
		return 0;
	while (len > 1) {
		int half = len / 2;

		lo = z->slips[lo + half] < x ? lo + half : lo;
		len -= half;
	}
	return lo + (z->slips[lo] < x);
}

/*
 * DiskSim's count of the slips that push block l (counted from zone
 * sector first) on: each slip from first on that lies at or before the
 * block as pushed so far (slip - first <= l + slips), in ascending order,
 * plus `already` counted before.  Slips ascend, so the count stops at the
 * first that lies beyond: every later one does too.  Starting at the
 * first slip from first on (found by binary search) gives DiskSim's count
 * over the whole list, whose slips before first fail the test.
 */
static int
slips_reaching(const struct disk_zone *z, int64_t first, int64_t l, int already)
{
	int i, slips = already;

	for (i = slips_below(z, first); i < z->nslips; i++) {
		if (z->slips[i] - first > l + slips)
			break;
		slips++;
	}
	return slips;
}

static void
track_to_pbn(const struct disk_params *p, const struct disk_zone *z,
    int64_t track, int sector, struct disk_pbn *pbn)
{
	pbn->cyl = z->first_cyl + track / p->heads;
	pbn->head = surface(p, z, pbn->cyl, (int)(track % p->heads));
	pbn->sector = sector;
}

/*
 * Remapped defects.  A block whose sector (under sparing scheme 1, whose
 * track) is listed as a defect lives on the spare it is remapped to, as
 * DiskSim's mappings put it (g1_ltop_* with MAP_FULL): defect and spare
 * are numbered in the zone's order -- the sectors of its tracks, track
 * after track, cylinder after cylinder, surfaces in the mapping's order
 * (zone tracks under scheme 1) -- the block's sector found first with
 * the slips counted.  Under the cylinder schemes DiskSim compares a
 * block's place in its cylinder less the spares at the front (schemes 5
 * and 6, which its mapping gets wrong otherwise too, see ltop_in_zone):
 * here the sector's own place, spares and all.  Where the blocks of a
 * track are is otherwise unchanged: the track keeps the remapped block
 * among its blocks (DiskSim's track boundaries leave remapping out too),
 * but not on consecutive sectors (disk_track_map), and the media goes to
 * the spare for it and back (diskmedia.c).
 */

/* The place of pbn's track in the zone's order. */
static int64_t
zone_track(const struct disk_params *p, const struct disk_zone *z,
    const struct disk_pbn *pbn)
{
	return (pbn->cyl - z->first_cyl) * p->heads +
	    surface(p, z, pbn->cyl, pbn->head);
}

/* The first of z's remap pairs whose defect is x or after it. */
static int
remap_find(const struct disk_zone *z, int64_t x)
{
	int lo = 0, hi = z->nremaps;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (z->remaps[2 * mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The spare defect x is remapped to, or -1. */
static int64_t
remap_of(const struct disk_zone *z, int64_t x)
{
	int i;

	if (z->nremaps == 0)
		return -1;
	i = remap_find(z, x);
	return i < z->nremaps && z->remaps[2 * i] == x ? z->remaps[2 * i + 1] :
	    -1;
}

/* A block mapped to pbn (its sector, the slips counted) moved to its
 * spare if its sector is a remapped defect. */
static void
remap_sector(const struct disk_params *p, const struct disk_zone *z,
    struct disk_pbn *pbn)
{
	int64_t r = remap_of(z, zone_track(p, z, pbn) * z->spt + pbn->sector);

	if (r >= 0)
		track_to_pbn(p, z, r / z->spt, (int)(r % z->spt), pbn);
}

/* Sparing schemes with spares in every cylinder (DiskSim's issectpercyl),
 * and those whose slips push every later block of the zone on. */
static bool
spare_per_cyl(enum disk_sparing s)
{
	return s == DSPARE_CYL || s == DSPARE_CYL_SLIPEND ||
	    s == DSPARE_CYL_FRONT || s == DSPARE_CYL_FRONT_SLIPEND;
}

static bool
slip_to_end(enum disk_sparing s)
{
	return s == DSPARE_CYL_SLIPEND || s == DSPARE_CYL_FRONT_SLIPEND ||
	    s == DSPARE_DISK_END;
}

/* disk_ltop of a block lbn of zone z (found by zone_of_lbn). */
static void
ltop_in_zone(const struct disk_params *p, const struct disk_zone *z,
    int64_t lbn, struct disk_pbn *pbn)
{
	int64_t l, x, track, bpc, lpc, cyl, first, front;
	int slips;

	l = lbn - z->first_lbn + z->deadspace;
	switch (p->sparing) {
	case DSPARE_NONE:
		track_to_pbn(p, z, l / z->spt, (int)(l % z->spt), pbn);
		break;
	case DSPARE_ZONE:
	case DSPARE_ZONE_SLIPEND:
		x = l + slips_before(z, l);
		track_to_pbn(p, z, x / z->spt, (int)(x % z->spt), pbn);
		break;
	case DSPARE_TRACK:
		track = l / z->spt;
		track += slips_before(z, track);
		if (z->nremaps > 0 && (x = remap_of(z, track)) >= 0)
			track = x;	/* a track remapped whole */
		track_to_pbn(p, z, track, (int)(l % z->spt), pbn);
		break;
	case DSPARE_CYL:
	case DSPARE_CYL_SLIPEND:
	case DSPARE_CYL_FRONT:
	case DSPARE_CYL_FRONT_SLIPEND:
	case DSPARE_DISK_END:
		/*
		 * Slips on this cylinder push the block on within it (and,
		 * slipping to the end, those on cylinders before it too),
		 * as DiskSim's g1_ltop_sectpercylspare counts them; a block
		 * pushed past the cylinder's blocks goes on to the next.
		 * Spares at the front come before the cylinder's blocks
		 * (DiskSim's ltop leaves them out, its ptol and track
		 * boundaries keep them, and it fails on such a drive: here
		 * they are kept throughout).  Spares at the disk's end
		 * take no room in a zone.
		 */
		bpc = (int64_t)z->spt * p->heads;
		front = p->sparing == DSPARE_CYL_FRONT ||
		    p->sparing == DSPARE_CYL_FRONT_SLIPEND ? z->spares : 0;
		lpc = p->sparing == DSPARE_DISK_END ? bpc : bpc - z->spares;
		cyl = l / lpc;
		l %= lpc;
		first = cyl * bpc + front;
		/* Slipping to the end, every slip on an earlier cylinder
		 * (slip / bpc < cyl) counts. */
		slips = slips_reaching(z, first, l, slip_to_end(p->sparing) ?
		    slips_below(z, cyl * bpc) : 0);
		l += slips;
		cyl += l / lpc;
		l = l % lpc + front;
		pbn->cyl = z->first_cyl + cyl;
		pbn->head = surface(p, z, pbn->cyl, (int)(l / z->spt));
		pbn->sector = (int)(l % z->spt);
		break;
	case DSPARE_RANGE:
		/* Slips in this range push the block on within it. */
		bpc = (int64_t)z->spt * p->heads;
		lpc = bpc * p->rangesize - z->spares;	/* blocks a range */
		cyl = l / lpc;				/* the range */
		l %= lpc;
		first = cyl * bpc * p->rangesize;
		l += slips_reaching(z, first, l, 0);
		pbn->cyl = z->first_cyl + cyl * p->rangesize + l / bpc;
		pbn->head = surface(p, z, pbn->cyl, (int)((l % bpc) / z->spt));
		pbn->sector = (int)(l % z->spt);
		break;
	case DSPARE_TRACKSECT:
		track = l / (z->spt - z->spares);
		l %= z->spt - z->spares;
		first = track * z->spt;
		l += slips_reaching(z, first, l, 0);
		KASSERT(l < z->spt, ("disk_ltop: slips ran off track %lld",
		    (long long)track));
		track_to_pbn(p, z, track, (int)l, pbn);
		break;
	}
}

bool
disk_ltop(const struct disk_params *p, int64_t lbn, struct disk_pbn *pbn)
{
	const struct disk_zone *z;

	if (lbn < 0 || lbn >= p->blocks)
		return false;
	z = zone_of_lbn(p, lbn);
	ltop_in_zone(p, z, lbn, pbn);
	if (z->nremaps > 0 && p->sparing != DSPARE_TRACK)
		remap_sector(p, z, pbn);
	return true;
}

/* disk_ltop with the sectors' remapping left out: where the tracks'
 * blocks are laid out (disk_track_map). */
static bool
ltop_laid(const struct disk_params *p, int64_t lbn, struct disk_pbn *pbn)
{
	if (lbn < 0 || lbn >= p->blocks)
		return false;
	ltop_in_zone(p, zone_of_lbn(p, lbn), lbn, pbn);
	return true;
}

/*
 * The sum disk_pbn_angle reduces modulo the track, less the sector: the
 * zone's first block's offset, a track skew for each track switch and a
 * cylinder skew for each cylinder switch before the track, and the slips
 * before it that push the skews on (as dm_layout_g1 does; for a track it
 * counts the surface's number, not its place in the mapping's order,
 * g1_map_pbn_skew).  The same for every sector of a track.  In doubles,
 * as the skews may be fractions (disk.zones); out of line, so that the
 * whole numbers' sum below, every DiskSim drive's, needs no registers
 * saved.
 */
static double __attribute__((noinline))
track_skew_sum_fp(const struct disk_params *p, const struct disk_zone *z,
    int64_t cyl, int head, int slipoffs)
{
	int64_t c = cyl - z->first_cyl;

	return z->first_offset + z->track_skew * (double)(surface(p, z, cyl,
	    head) + (p->heads - 1) * c) + z->cyl_skew * (double)c + slipoffs;
}

/*
 * Where the zone's skews are whole (skew_int: each of at most 2^20 in
 * size, the zone under 2^21 cylinders, so under 2^31 tracks), every term
 * of track_skew_sum_fp's sum and every partial sum is a whole number
 * under 2^52 in size: each double product and sum is exact, and the
 * result is the exact whole sum, which int64 arithmetic gives as well,
 * grouped as it likes (a cylinder's track skews and its cylinder skew as
 * one factor, skew_cyl).  A sum of 0 is +0 either way (the last addition,
 * of slipoffs as +0 or more, never yields -0).  The test build compares
 * the two.
 */
static double
track_skew_sum(const struct disk_params *p, const struct disk_zone *z,
    int64_t cyl, int head)
{
	int64_t c = cyl - z->first_cyl, cutoff;
	int slipoffs = 0;
	double sum;

	if (z->nslips != 0 && (spare_per_cyl(p->sparing) ||
	    p->sparing == DSPARE_TRACKSECT)) {
		cutoff = c * p->heads;
		if (p->sparing == DSPARE_TRACKSECT)
			cutoff += head;
		cutoff *= z->spt;
		slipoffs = slips_below(z, cutoff);
	}
	if (!z->skew_int)
		return track_skew_sum_fp(p, z, cyl, head, slipoffs);
	sum = (double)(z->skew_base + z->skew_head * surface(p, z, cyl, head) +
	    z->skew_cyl * c + slipoffs);
#ifdef INVARIANTS
	{
		double fp = track_skew_sum_fp(p, z, cyl, head, slipoffs);

		KASSERT(memcmp(&fp, &sum, sizeof(sum)) == 0, ("track_skew_sum: "
		    "cylinder %lld surface %d: %.17g, not %.17g as in doubles",
		    (long long)cyl, head, sum, fp));
	}
#endif
	return sum;
}

/*
 * (sum + sector) mod spt, as a fraction of a revolution.  fmod is exact,
 * and so, while the sum is a whole number (skews are whole sectors but
 * for disk.zones, which may give fractions), is the integer remainder
 * (disk_whole_angle, disk.h): the two give the same double (even fmod's
 * -0 for a negative multiple), the integer one without fmod's long
 * division.
 */
double
disk_skew_angle(double sum, bool whole, int spt, int sector)
{
	double s;

	if (whole)
		return disk_whole_angle((int64_t)sum + sector, spt);
	s = fmod(sum + sector, (double)spt);
	if (s < 0)
		s += spt;
	return s / spt;
}

/* A whole number below 2^52 in size: x == floor(x) there, and so is
 * truncation's integer (exact in that range; -0 too), without floor's
 * call at every track mapped. */
static bool
is_whole(double x)
{
	return fabs(x) < 0x1p52 && x == (double)(int64_t)x;
}

double
disk_pbn_angle(const struct disk_params *p, const struct disk_pbn *pbn)
{
	const struct disk_zone *z = disk_zone_of_cyl(p, pbn->cyl);
	double sum;

	KASSERT(z != NULL, ("disk_pbn_angle: cylinder %lld in no zone",
	    (long long)pbn->cyl));
	sum = track_skew_sum(p, z, pbn->cyl, pbn->head);
	return disk_skew_angle(sum, is_whole(sum), z->spt, pbn->sector);
}

static bool
same_track(const struct disk_params *p, int64_t lbn, const struct disk_pbn *t)
{
	struct disk_pbn q;

	return ltop_laid(p, lbn, &q) && q.cyl == t->cyl && q.head == t->head;
}

/* Does t's track begin at block b (b on it, b - 1 not)?  *q: where b
 * lies (b == lbn: t). */
static bool
track_begins(const struct disk_params *p, int64_t b, int64_t lbn,
    const struct disk_pbn *t, struct disk_pbn *q)
{
	if (b < 0)
		return false;
	if (b == lbn)
		*q = *t;
	else if (!ltop_laid(p, b, q) || q->cyl != t->cyl || q->head != t->head)
		return false;
	return b == 0 || !same_track(p, b - 1, t);
}

/* Does t's track end before block b (b - 1 on it, b not)?  *q: where
 * b - 1 lies; tk->pnext where b does. */
static bool
track_ends(const struct disk_params *p, int64_t b, const struct disk_pbn *t,
    struct disk_pbn *q, struct disk_track *tk)
{
	if (b < 1 || !ltop_laid(p, b - 1, q) || q->cyl != t->cyl ||
	    q->head != t->head)
		return false;
	tk->has_next = ltop_laid(p, b, &tk->pnext);
	return !tk->has_next || tk->pnext.cyl != t->cyl ||
	    tk->pnext.head != t->head;
}

/*
 * The track holding lbn, whose blocks are zone sectors [lo, hi) counted
 * from the zone's reserved front (cut to the zone's blocks), lbn mapped
 * to t: its bounds, its first block's place and its last sector.
 */
static inline void
track_set(const struct disk_zone *z, int64_t lbn, int64_t lo, int64_t hi,
    const struct disk_pbn *t, struct disk_track *tk)
{
	lo = MAX(lo, z->deadspace);
	hi = MIN(hi, z->deadspace + z->nlbn);
	tk->first = z->first_lbn + lo - z->deadspace;
	tk->end = z->first_lbn + hi - z->deadspace;
	tk->pfirst = *t;
	tk->pfirst.sector -= (int)(lbn - tk->first);
	tk->last_sector = tk->pfirst.sector + (int)(tk->end - tk->first - 1);
	tk->has_next = false;
}

/*
 * The blocks of lbn's track in a zone without slips (or slipping whole
 * tracks), as disk_ltop lays them out there: in the order of the zone's sectors (less a reserved
 * front), a track's spt of them, or spt less its spares at the end
 * (scheme 3), or in a cylinder (or range of cylinders) whose spares are
 * at its end or front, those of its sectors that are not spares.  They
 * lie on consecutive sectors of the track.
 */
static void
track_regular(const struct disk_params *p, const struct disk_zone *z,
    int64_t lbn, const struct disk_pbn *t, struct disk_track *tk)
{
	int64_t l = lbn - z->first_lbn + z->deadspace, base, lo, hi, lpc, w, i;
	int64_t front = 0;

	switch (p->sparing) {
	case DSPARE_TRACKSECT:
		lpc = z->spt - z->spares;
		base = l - l % lpc;
		lo = 0;
		hi = lpc;
		break;
	case DSPARE_CYL:
	case DSPARE_CYL_SLIPEND:
	case DSPARE_CYL_FRONT:
	case DSPARE_CYL_FRONT_SLIPEND:
	case DSPARE_DISK_END:
	case DSPARE_RANGE:
		lpc = (int64_t)z->spt * p->heads;
		if (p->sparing == DSPARE_RANGE)
			lpc = lpc * p->rangesize - z->spares;
		else if (p->sparing != DSPARE_DISK_END)
			lpc -= z->spares;
		if (p->sparing == DSPARE_CYL_FRONT ||
		    p->sparing == DSPARE_CYL_FRONT_SLIPEND)
			front = z->spares;
		base = l - l % lpc;
		w = l - base + front;		/* the cylinder's sector */
		i = w - w % z->spt;		/* its track's first */
		lo = MAX(i - front, 0);
		hi = MIN(i + z->spt - front, lpc);
		break;
	default:
		base = l - l % z->spt;
		lo = 0;
		hi = z->spt;
		break;
	}
	track_set(z, lbn, base + lo, base + hi, t, tk);
}

/*
 * ltop_in_zone and track_regular at once where neither has sectors
 * slipped to count nor cylinder spares to skip: no slips, and spares (if
 * any) at each track's end (scheme 3) or none in a track; or whole tracks
 * slipped (scheme 1, the HP drives': the track found is moved on by the
 * slips before it).  Block l of the zone (from its reserved front) is
 * sector l mod lpc of the zone's track l / lpc, lpc the blocks a track
 * holds, as ltop_in_zone lays it out; the track's
 * blocks are the lpc from l less that sector, as track_regular finds
 * them.  The one division gives both quotient and remainder, which
 * track_regular had divided again (a division at each track mapped: a
 * random request's, 2.4 % of the RZ26's CPU in ltop_in_zone).  The test
 * build maps the track the general way too and compares.
 */
static bool
track_plain(const struct disk_params *p, const struct disk_zone *z,
    int64_t lbn, struct disk_pbn *t, struct disk_track *tk)
{
	int64_t l, lpc, track, sec, r;

	if (p->sparing == DSPARE_TRACK)
		;		/* (its slips are whole tracks left out) */
	else if (z->nslips != 0 || (p->sparing != DSPARE_NONE &&
	    p->sparing != DSPARE_TRACKSECT && p->sparing != DSPARE_ZONE &&
	    p->sparing != DSPARE_ZONE_SLIPEND))
		return false;
	l = lbn - z->first_lbn + z->deadspace;
	lpc = z->spt - (p->sparing == DSPARE_TRACKSECT ? z->spares : 0);
	track = l / lpc;
	sec = l % lpc;
	if (p->sparing == DSPARE_TRACK) {
		if (z->nslips != 0)
			track += slips_before(z, track);
		if (z->nremaps > 0 && (r = remap_of(z, track)) >= 0)
			track = r;	/* remapped whole (ltop_in_zone) */
	}
	track_to_pbn(p, z, track, (int)sec, t);
	track_set(z, lbn, l - sec, l - sec + lpc, t, tk);
#ifdef INVARIANTS
	{
		struct disk_pbn t2;
		struct disk_track k2;

		ltop_in_zone(p, z, lbn, &t2);
		track_regular(p, z, lbn, &t2, &k2);
		KASSERT(t2.cyl == t->cyl && t2.head == t->head &&
		    t2.sector == t->sector && k2.first == tk->first &&
		    k2.end == tk->end && k2.pfirst.cyl == tk->pfirst.cyl &&
		    k2.pfirst.head == tk->pfirst.head &&
		    k2.pfirst.sector == tk->pfirst.sector &&
		    k2.last_sector == tk->last_sector, ("track_plain: block "
		    "%lld mapped otherwise than by ltop_in_zone and "
		    "track_regular", (long long)lbn));
	}
#endif
	return true;
}

/*
 * The track holding lbn.  A track's blocks are consecutive, at most spt of
 * them (but see DiskSim's per-cylinder spares in disk_ltop): its bounds
 * are the blocks where the track begins and ends, each checked against
 * its neighbour.  Most tracks hold their blocks on consecutive sectors
 * from sector 0 on (or from the spares at the front), to the last sector
 * (or the spares at the end): guess so, and check the guess.  Where that
 * fails (a slip, a zone's reserved front, a cylinder's spares), search.
 * Given the track before (prev, or NULL), whose end is lbn and which knows
 * where that block lies, the track begins there: a sequential transfer
 * maps each next track with two block maps, not five.
 */
void
disk_track_map(const struct disk_params *p, int64_t lbn,
    const struct disk_track *prev, struct disk_track *tk)
{
	const struct disk_zone *z = zone_of_lbn(p, lbn);
	struct disk_pbn t, e;
	int64_t lo, hi, n, sp = z->spares;
	/* Slipping whole tracks (scheme 1: a slip is a track left out)
	 * leaves every track that holds blocks whole: its spt blocks on
	 * sectors 0 on, as in a zone without slips (disk_ltop). */
	bool regular = z->nslips == 0 || p->sparing == DSPARE_TRACK;

	if (regular) {
		/* The zone found above, not again (lbn is the drive's:
		 * the callers map only blocks it has). */
		KASSERT(lbn >= 0 && lbn < p->blocks, ("disk_track_map: "
		    "block %lld beyond the drive", (long long)lbn));
		if (!track_plain(p, z, lbn, &t, tk)) {
			ltop_in_zone(p, z, lbn, &t);
			track_regular(p, z, lbn, &t, tk);
		}
		e.sector = tk->last_sector;
	} else if (prev != NULL && prev->end == lbn && prev->has_next) {
		t = tk->pfirst = prev->pnext;
		tk->first = lbn;
	} else {
		ltop_laid(p, lbn, &t);
		if (track_begins(p, lbn - t.sector, lbn, &t, &tk->pfirst))
			tk->first = lbn - t.sector;
		else if (sp > 0 && sp <= t.sector && track_begins(p,
		    lbn - (t.sector - sp), lbn, &t, &tk->pfirst))
			tk->first = lbn - (t.sector - sp);
		else {
			lo = MAX(lbn - z->spt, 0);
			hi = lbn;
			while (lo < hi) {
				int64_t mid = lo + (hi - lo) / 2;

				if (same_track(p, mid, &t))
					hi = mid;
				else
					lo = mid + 1;
			}
			tk->first = lo;
			ltop_laid(p, lo, &tk->pfirst);
		}
	}
	/* To the last sector, less a track's spares at its end; else less
	 * spares at the end of the cylinder. */
	n = z->spt - tk->pfirst.sector - (p->sparing == DSPARE_TRACKSECT ? sp : 0);
	if (regular)
		;
	else if (track_ends(p, tk->first + n, &t, &e, tk))
		tk->end = tk->first + n;
	else if (sp > 0 && n - sp > 0 &&
	    track_ends(p, tk->first + n - sp, &t, &e, tk))
		tk->end = tk->first + n - sp;
	else {
		lo = lbn;
		hi = MIN(lbn + z->spt, p->blocks - 1);
		while (lo < hi) {
			int64_t mid = lo + (hi - lo + 1) / 2;

			if (same_track(p, mid, &t))
				lo = mid;
			else
				hi = mid - 1;
		}
		tk->end = lo + 1;
		ltop_laid(p, lo, &e);
		/* (The search looks no further than spt blocks on: the
		 * block at its end begins the next track only if it is on
		 * another.) */
		tk->has_next = ltop_laid(p, tk->end, &tk->pnext) &&
		    (tk->pnext.cyl != t.cyl || tk->pnext.head != t.head);
	}
	tk->last_sector = e.sector;
	tk->contig = tk->last_sector - tk->pfirst.sector ==
	    (int)(tk->end - tk->first - 1);
	/* A defect of the track remapped elsewhere: its block is not on
	 * the track's sectors (track_pbn asks disk_ltop for each). */
	if (z->nremaps > 0 && p->sparing != DSPARE_TRACK) {
		int64_t x0 = zone_track(p, z, &t) * z->spt;
		int i = remap_find(z, x0);

		if (i < z->nremaps && z->remaps[2 * i] < x0 + z->spt)
			tk->contig = false;
	}
	tk->spt = z->spt;
	tk->skew = track_skew_sum(p, z, t.cyl, t.head);
	/* (A sum of whole skews is whole and under 2^52: track_skew_sum.) */
	tk->whole = z->skew_int || is_whole(tk->skew);
	KASSERT(tk->whole == is_whole(tk->skew), ("disk_track_map: skew %.17g",
	    tk->skew));
}

void
disk_track_bounds(const struct disk_params *p, int64_t lbn, int64_t *first,
    int64_t *end)
{
	struct disk_track t;

	disk_track_map(p, lbn, NULL, &t);
	*first = t.first;
	*end = t.end;
}

/* ---- parameter sets ---------------------------------------------------- */

static int64_t
zone_blocks(const struct disk_params *p, const struct disk_zone *z)
{
	int64_t cyls = z->last_cyl - z->first_cyl + 1;
	int64_t n = cyls * z->spt * p->heads - z->deadspace;

	switch (p->sparing) {
	case DSPARE_NONE:
		break;
	case DSPARE_TRACK:
		n -= z->spares * z->spt;
		break;
	case DSPARE_CYL:
	case DSPARE_CYL_FRONT:
		n -= z->spares * cyls;
		break;
	case DSPARE_CYL_SLIPEND:
	case DSPARE_CYL_FRONT_SLIPEND:
		n -= z->spares * cyls + z->nslips;
		break;
	case DSPARE_DISK_END:
		n -= z->nslips;
		break;
	case DSPARE_ZONE_SLIPEND:
		n -= z->spares + z->nslips;
		break;
	case DSPARE_TRACKSECT:
		n -= z->spares * cyls * p->heads;
		break;
	case DSPARE_RANGE:
		n -= z->spares * (cyls / p->rangesize);
		break;
	case DSPARE_ZONE:
		n -= z->spares;
		break;
	}
	return n;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A zone's remapped defects, sorted by defect: each defect and spare a
 * sector (a track, under scheme 1) of the zone, no defect twice, no
 * spare taken twice or itself a defect (a block could land on a sector
 * that holds another's).  DiskSim checks none of it; its mapping takes
 * the first pair listed for a defect under some schemes and the last
 * under others.  Without spares (scheme 0) the defects were dropped
 * with a note (diskspecs.c): DiskSim's mapping ignores them.
 */
static bool
remaps_check(const struct disk_params *p, struct disk_zone *z, int zn,
    char **why)
{
	int64_t units = (z->last_cyl - z->first_cyl + 1) * p->heads *
	    (p->sparing == DSPARE_TRACK ? 1 : z->spt);
	const char *unit = p->sparing == DSPARE_TRACK ? "tracks" : "sectors";
	int64_t *spares;
	int j;

	if (z->nremaps == 0)
		return true;
	if (p->sparing == DSPARE_NONE) {
		*why = g_strdup_printf("zone %d: defects remapped with no "
		    "spares (sparing scheme 0)", zn);
		return false;
	}
	/* (Pairs sort by their first number, the defect.) */
	qsort(z->remaps, (size_t)z->nremaps, 2 * sizeof(int64_t), cmp_int64);
	spares = g_new(int64_t, z->nremaps);
	for (j = 0; j < z->nremaps && *why == NULL; j++) {
		int64_t d = z->remaps[2 * j], r = z->remaps[2 * j + 1];

		spares[j] = r;
		if (d >= units || r >= units)
			*why = g_strdup_printf("zone %d: defect %lld remapped to "
			    "%lld: the zone has %s 0 to %lld", zn, (long long)d,
			    (long long)r, unit, (long long)(units - 1));
		else if (j > 0 && d == z->remaps[2 * j - 2])
			*why = g_strdup_printf("zone %d: defect %lld remapped "
			    "twice", zn, (long long)d);
		else if (remap_of(z, r) >= 0)
			*why = g_strdup_printf("zone %d: defect %lld remapped to "
			    "%lld, itself a remapped defect", zn, (long long)d,
			    (long long)r);
	}
	if (*why == NULL) {
		qsort(spares, (size_t)z->nremaps, sizeof(int64_t), cmp_int64);
		for (j = 1; j < z->nremaps && *why == NULL; j++)
			if (spares[j] == spares[j - 1])
				*why = g_strdup_printf("zone %d: two defects "
				    "remapped to %lld", zn, (long long)spares[j]);
	}
	g_free(spares);
	return *why == NULL;
}

bool
disk_params_finish(struct disk_params *p, char **why)
{
	return disk_params_finish_at(p, why, NULL);
}

bool
disk_params_finish_at(struct disk_params *p, char **why,
    struct disk_param_at *at)
{
	enum disk_param what = DPAR_NONE;
	int zone = 0;
	char *bad = NULL;
	int64_t maxcyl = -1, lbn = 0;
	int i, j;

/* BAD(which parameter, zone or 0, what is wrong...) */
#define BAD(w, zn, ...) do { what = (w); zone = (zn); \
	bad = g_strdup_printf(__VA_ARGS__); goto out; } while (0)
	if (p->rpm < 1000 || p->rpm > 30000)
		BAD(DPAR_RPM, 0, "disk.rpm must be between 1000 and 30000 (it is %d)", p->rpm);
	if (p->heads < 1 || p->heads > 1024)
		BAD(DPAR_HEADS, 0, "the disk must have 1 to 1024 surfaces (it has %d)", p->heads);
	if (p->nzones < 1)
		BAD(DPAR_ZONES, 0, "the disk has no zones");
	if ((int)p->sparing < DSPARE_NONE || (int)p->sparing > DSPARE_ZONE_SLIPEND)
		BAD(DPAR_SPARING, 0, "sparing scheme %d: DiskSim's are 0 to 10", (int)p->sparing);
	if (p->mapping < 0 || p->mapping > 2)
		BAD(DPAR_MAPPING, 0, "LBN-to-PBN mapping scheme %d: DiskSim's are 0 to 2",
		    p->mapping);
	if (p->sparing == DSPARE_RANGE && (p->rangesize < 1 ||
	    p->rangesize > 1000000))
		BAD(DPAR_RANGESIZE, 0, "sparing by ranges needs a range of 1 or more cylinders");
	for (i = 0; i < p->nzones; i++) {
		struct disk_zone *z = &p->zones[i];

		if (z->spt < 1 || z->spt > DISK_MAX_SPT)
			BAD(DPAR_ZONE_SPT, i + 1, "zone %d: %d sectors per track", i + 1, z->spt);
		if (z->first_cyl < 0 || z->last_cyl < z->first_cyl ||
		    z->last_cyl >= DISK_MAX_CYLS)
			BAD(z->first_cyl < 0 ? DPAR_ZONE_FIRST_CYL :
			    DPAR_ZONE_LAST_CYL, i + 1, "zone %d: cylinders %lld-%lld", i + 1,
			    (long long)z->first_cyl, (long long)z->last_cyl);
		if (z->first_cyl <= maxcyl)
			BAD(DPAR_ZONE_FIRST_CYL, i + 1, "zone %d overlaps the zone before it", i + 1);
		maxcyl = z->last_cyl;
		if (z->deadspace < 0 || z->spares < 0)
			BAD(z->deadspace < 0 ? DPAR_ZONE_DEADSPACE :
			    DPAR_ZONE_SPARES, i + 1, "zone %d: negative reserved space or spares", i + 1);
		if (p->sparing == DSPARE_TRACKSECT && z->spares >= z->spt)
			BAD(DPAR_ZONE_SPARES, i + 1, "zone %d: all of a track is spare", i + 1);
		if (spare_per_cyl(p->sparing) &&
		    z->spares >= (int64_t)z->spt * p->heads)
			BAD(DPAR_ZONE_SPARES, i + 1, "zone %d: all of a cylinder is spare", i + 1);
		/* DiskSim's mapping takes a zone's spares from every
		 * cylinder while its count of the zone's blocks does not:
		 * the zone's last blocks would land past its end. */
		if (p->sparing == DSPARE_DISK_END && z->spares > 0)
			BAD(DPAR_ZONE_SPARES, i + 1, "zone %d: %lld spares with the spares at the disk's "
			    "end (sparing scheme 7), which DiskSim maps past the "
			    "zone's end", i + 1, (long long)z->spares);
		if (p->sparing == DSPARE_RANGE &&
		    z->spares >= (int64_t)z->spt * p->heads * p->rangesize)
			BAD(DPAR_ZONE_SPARES, i + 1, "zone %d: all of a range is spare", i + 1);
		/* DiskSim counts slips in the order listed, which for
		 * slips on different cylinders (the only disorder in its
		 * validated drives, the Atlas III's) is the count of the
		 * sorted list: sort them. */
		if (z->nslips > 1)
			qsort(z->slips, (size_t)z->nslips, sizeof(int64_t),
			    cmp_int64);
		for (j = 0; j < z->nslips; j++)
			if (z->slips[j] < 0 || (j > 0 && z->slips[j] == z->slips[j - 1]))
				BAD(DPAR_ZONE_SLIPS, i + 1, "zone %d: slip %lld is %s", i + 1,
				    (long long)z->slips[j], z->slips[j] < 0 ?
				    "negative" : "listed twice");
		if (p->sparing == DSPARE_NONE && z->nslips > 0)
			BAD(DPAR_ZONE_SLIPS, i + 1, "zone %d: slips need a sparing scheme", i + 1);
		if (!remaps_check(p, z, i + 1, &bad)) {
			what = DPAR_ZONE_DEFECTS;
			zone = i + 1;
			goto out;
		}
		z->first_lbn = lbn;
		z->nlbn = zone_blocks(p, z);
		if (z->nlbn <= 0)
			BAD(DPAR_ZONE, i + 1, "zone %d holds no blocks", i + 1);
		lbn += z->nlbn;
	}
	/* The cylinder count is the seek curves' (curve, linear); zones
	 * may run past it, as DiskSim lets them. */
	if (p->cylinders <= 0)
		p->cylinders = maxcyl + 1;
	p->blocks = lbn;
	/* DiskSim takes a negative write settle as it is: a write's
	 * repositioning is that much shorter than a read's
	 * (disk_reposition_time). */
	if (p->head_switch < 0 || p->head_switch > 10 * SIM_SEC)
		BAD(DPAR_HEAD_SWITCH, 0, "head switch of %lld ns", (long long)p->head_switch);
	if (p->write_settle < -10 * SIM_SEC || p->write_settle > 10 * SIM_SEC)
		BAD(DPAR_WRITE_SETTLE, 0, "write settle of %lld ns", (long long)p->write_settle);
	if (!disk_seek_params_check(p, &bad)) {
		what = DPAR_SEEK;
		goto out;
	}
	/*
	 * Skews given as "auto" are the smallest that let a sequential
	 * transfer keep going, reading or writing: the head switch, or a
	 * one-cylinder seek, plus the write settle, rounded up to whole
	 * sectors.  A write repositions for longer than a read (DiskSim's
	 * dm_seek_time_g1 adds the write settle to a head switch too), and
	 * real drives are formatted so that sequential writes stream as
	 * well: the HP C2247A's track skew (14 of 96 sectors, 1.62 ms)
	 * covers its 0.89 ms head switch plus 0.65 ms write settle, the
	 * Cheetah 9LP's (97 of 254, 2.28 ms) its 0.03 + 0.461 ms.  A skew
	 * hiding only the read's switch would cost every sequential write
	 * a revolution at every track switch.
	 */
	for (i = 0; i < p->nzones; i++) {
		struct disk_zone *z = &p->zones[i];
		double sector = 60e9 / p->rpm / z->spt;

		if (z->track_skew_auto)
			z->track_skew = ceil((double)disk_reposition_time(p, 0,
			    0, 0, 1, true) / sector - 1e-9);
		/* From the last surface of a cylinder to the first of the
		 * next, as the blocks run. */
		if (z->cyl_skew_auto)
			z->cyl_skew = ceil((double)disk_reposition_time(p,
			    z->first_cyl, surface(p, z, z->first_cyl,
			    p->heads - 1), z->first_cyl + 1, surface(p, z,
			    z->first_cyl + 1, 0), true) / sector - 1e-9);
		z->track_skew_auto = z->cyl_skew_auto = false;
		z->skew_int = skew_whole(z->first_offset) &&
		    skew_whole(z->track_skew) && skew_whole(z->cyl_skew) &&
		    z->last_cyl - z->first_cyl < (1 << 21);
		if (z->skew_int) {
			z->skew_base = (int64_t)z->first_offset;
			z->skew_head = (int64_t)z->track_skew;
			z->skew_cyl = (int64_t)z->track_skew *
			    (p->heads - 1) + (int64_t)z->cyl_skew;
		}
	}
	p->slipped = false;
	for (i = 0; i < p->nzones; i++)
		if (p->zones[i].nslips != 0 && p->sparing != DSPARE_TRACK)
			p->slipped = true;
	if (p->nsegs < 1 || p->nsegs > 1024)
		BAD(DPAR_NSEGS, 0, "the cache needs 1 to 1024 segments (it has %d)", p->nsegs);
	if (p->segsize < 1 || p->segsize > (1 << 24))
		BAD(DPAR_SEGSIZE, 0, "cache segments of %d blocks", p->segsize);
	/* The extra write disconnect starts writing a long write only once
	 * 15 of its blocks are in (disk_buffer_block_available): a smaller
	 * segment never holds them, and such a drive never writes (DiskSim
	 * aborts on it, its forward-progress check failing). */
	if (p->extra_write_disconnect && p->segsize < 15)
		BAD(DPAR_EXTRA_WRITE_DISCONNECT, 0, "cache segments of %d blocks with the extra write "
		    "disconnect, which waits for 15 blocks of a long write "
		    "before writing any: the drive would never write one",
		    p->segsize);
	if (p->nwritesegs < 1 || p->nwritesegs > p->nsegs)
		BAD(DPAR_NWRITESEGS, 0, "write segments must be 1 to the number of segments");
	if (p->write_seg && p->nsegs < 2)
		BAD(DPAR_WRITE_SEG, 0, "a separate write segment needs at least two segments");
	if (p->read_water < 0 || p->read_water > 1 || p->write_water < 0 ||
	    p->write_water > 1)
		BAD(p->read_water < 0 || p->read_water > 1 ? DPAR_READ_WATER :
		    DPAR_WRITE_WATER, 0, "watermarks are fractions between 0 and 1");
	if (p->min_readahead < 0 || p->max_readahead < 0 ||
	    p->min_readahead > p->segsize || p->max_readahead > p->segsize)
		BAD(p->min_readahead < 0 || p->min_readahead > p->segsize ?
		    DPAR_MIN_READAHEAD : DPAR_MAX_READAHEAD, 0, "read-ahead limits must be 0 to the segment size");
	if ((int)p->readahead < 0 || (int)p->readahead > 4)
		BAD(DPAR_READAHEAD, 0, "read-ahead kind %d", (int)p->readahead);
	if (p->fast_write < 0 || p->fast_write > 2)
		BAD(DPAR_FAST_WRITE, 0, "fast write level %d", p->fast_write);
	if (p->keep_request_data < -1 || p->keep_request_data > 1)
		BAD(DPAR_KEEP_REQUEST_DATA, 0, "read-ahead over requested must be -1, 0 or 1");
	if (p->bus_read_ns < 0 || p->bus_write_ns < 0)
		BAD(DPAR_BUS, 0, "bus transfer times must not be negative");
	if (p->queue_depth < 1 || p->queue_depth > 256)
		BAD(DPAR_QUEUE_DEPTH, 0, "disk.queue_depth must be 1 to 256");
	if (diskq_lookup(p->scheduler != NULL ? p->scheduler : "") == NULL)
		BAD(DPAR_SCHEDULER, 0, "disk.scheduler %s: unknown", p->scheduler != NULL ?
		    p->scheduler : "(none)");
#undef BAD
out:
	if (at != NULL) {
		at->what = bad != NULL ? what : DPAR_NONE;
		at->zone = bad != NULL ? zone : 0;
	}
	if (bad != NULL && why != NULL)
		*why = bad;
	else
		g_free(bad);
	return bad == NULL;
}

void
disk_params_copy(struct disk_params *dst, const struct disk_params *src)
{
	int i;

	*dst = *src;
	dst->zones = g_memdup2(src->zones, sizeof(*src->zones) * (size_t)src->nzones);
	for (i = 0; i < src->nzones; i++) {
		dst->zones[i].slips = src->zones[i].nslips > 0 ?
		    g_memdup2(src->zones[i].slips,
		    sizeof(int64_t) * (size_t)src->zones[i].nslips) : NULL;
		dst->zones[i].remaps = src->zones[i].nremaps > 0 ?
		    g_memdup2(src->zones[i].remaps,
		    2 * sizeof(int64_t) * (size_t)src->zones[i].nremaps) : NULL;
	}
	dst->seek_dist = src->seek_npoints > 0 ? g_memdup2(src->seek_dist,
	    sizeof(int64_t) * (size_t)src->seek_npoints) : NULL;
	dst->seek_ms = src->seek_npoints > 0 ? g_memdup2(src->seek_ms,
	    sizeof(double) * (size_t)src->seek_npoints) : NULL;
}

void
disk_params_free(struct disk_params *p)
{
	int i;

	for (i = 0; i < p->nzones; i++) {
		g_free(p->zones[i].slips);
		g_free(p->zones[i].remaps);
	}
	g_free(p->zones);
	g_free(p->seek_dist);
	g_free(p->seek_ms);
	p->zones = NULL;
	p->nzones = 0;
	p->seek_dist = NULL;
	p->seek_ms = NULL;
	p->seek_npoints = 0;
}

static bool
parse_num(const char *s, double *out)
{
	char *end;

	*out = g_ascii_strtod(s, &end);
	return end != s && *end == '\0' && isfinite(*out);
}

bool
disk_zones_parse(const char *s, struct disk_zone **zones, int *nzones,
    char **why)
{
	char **parts = g_strsplit_set(s, ",", -1);
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct disk_zone));
	int64_t cyl = 0;
	bool ok = true;
	int i;

	for (i = 0; parts[i] != NULL && ok; i++) {
		char *t = g_strstrip(parts[i]);
		char **f;
		struct disk_zone z;
		double v[4] = { 0, 0, -1, -1 };
		int n, k;

		if (*t == '\0')
			continue;
		f = g_strsplit(t, ":", -1);
		n = (int)g_strv_length(f);
		for (k = 0; k < n && k < 4; k++)
			if (!parse_num(g_strstrip(f[k]), &v[k]) ||
			    (strcmp(f[k], "auto") == 0))
				ok = false;
		g_strfreev(f);
		if (!ok || n < 2 || n > 4 || v[0] < 1 || v[0] != floor(v[0]) ||
		    v[1] < 1 || v[1] != floor(v[1]) || (n > 2 && v[2] < 0) ||
		    (n > 3 && v[3] < 0)) {
			ok = false;
			if (why != NULL)
				*why = g_strdup_printf("disk.zones: \"%s\" is not "
				    "CYLINDERS:SECTORS_PER_TRACK[:TRACK_SKEW[:CYLINDER_SKEW]]",
				    t);
			break;
		}
		/* Checked before any is converted or added up: a value past
		 * these would overflow the arithmetic (disk_params_finish
		 * holds the disk to the same bounds). */
		if (v[0] > DISK_MAX_CYLS - (double)cyl || v[1] > DISK_MAX_SPT ||
		    (n > 2 && v[2] > 1e9) || (n > 3 && v[3] > 1e9)) {
			ok = false;
			if (why != NULL)
				*why = g_strdup_printf("disk.zones: \"%s\": too "
				    "large (at most %lld cylinders in all, %d sectors "
				    "a track, skews of 1e9 sectors)", t,
				    (long long)DISK_MAX_CYLS, DISK_MAX_SPT);
			break;
		}
		memset(&z, 0, sizeof(z));
		z.first_cyl = cyl;
		z.last_cyl = cyl + (int64_t)v[0] - 1;
		z.spt = (int)v[1];
		z.track_skew = v[2];
		z.cyl_skew = v[3];
		z.track_skew_auto = n < 3;
		z.cyl_skew_auto = n < 4;
		cyl = z.last_cyl + 1;
		g_array_append_val(a, z);
	}
	g_strfreev(parts);
	if (ok && a->len == 0) {
		ok = false;
		if (why != NULL)
			*why = g_strdup("disk.zones: no zones");
	}
	*nzones = ok ? (int)a->len : 0;
	*zones = ok ? (struct disk_zone *)(void *)a->data : NULL;
	g_array_free(a, !ok);
	return ok;
}
