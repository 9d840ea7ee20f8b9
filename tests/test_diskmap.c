/* Unit tests of the drive's layout as the media uses it (diskmap.c,
 * diskmech.c): a track's bounds, where its blocks lie and its sectors'
 * angles, worked out once a track (disk_track_map), are exactly what the
 * block map (disk_ltop, DiskSim's dm_layout_g1 ltop) and the angle formula
 * (g1_map_pbn_skew's offset plus skews, modulo the track) give block by
 * block, for every sparing and mapping scheme, with slips, reserved space,
 * remapped defects, negative and fractional skews; and the platter's
 * angle at a time is fmod's, to the bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "disk.h"
#include "diskspecs.h"

/* A small drive: 3 surfaces, two zones, seeks and overheads beside the
 * point. */
static void
small_params(struct disk_params *p, struct disk_zone *z)
{
	memset(p, 0, sizeof(*p));
	memset(z, 0, 2 * sizeof(*z));
	p->rpm = 7200;
	p->heads = 3;
	p->zones = z;
	p->nzones = 2;
	p->seek = DSEEK_HPL;
	p->seek_boundary = 100;
	p->seek_a = 1.0;
	p->seek_b = 0.5;
	p->seek_c = 5.0;
	p->seek_e = 0.01;
	p->seek_single = 1.0;
	p->head_switch = 500000;
	p->write_settle = 200000;
	p->cache = true;
	p->nsegs = p->nwritesegs = 2;
	p->segsize = 256;
	p->queue_depth = 1;
	p->scheduler = "fcfs";
	z[0].first_cyl = 0;
	z[0].last_cyl = 7;
	z[0].spt = 12;
	z[0].first_offset = 3;
	z[0].track_skew = 4;
	z[0].cyl_skew = 7;
	z[1].first_cyl = 8;
	z[1].last_cyl = 13;
	z[1].spt = 9;
	z[1].track_skew = 2;
	z[1].cyl_skew = 5;
}

/* The angle of a sector as dm_layout_g1 reckons it (the formula
 * disk_pbn_angle had before it kept a track's sum): the zone's first
 * block's offset, a track skew a track switch and a cylinder skew a
 * cylinder switch before it, the slips that push the skews on, and the
 * sector, modulo the track, with fmod. */
static double
ref_angle(const struct disk_params *p, const struct disk_pbn *b)
{
	const struct disk_zone *z = disk_zone_of_cyl(p, b->cyl);
	int64_t c = b->cyl - z->first_cyl, cutoff;
	bool back = p->mapping == 1 ? (c & 1) != 0 :
	    p->mapping == 2 ? (b->cyl & 1) != 0 : false;
	int place = back ? p->heads - 1 - b->head : b->head, slipoffs = 0, i;
	bool per_cyl = p->sparing == DSPARE_CYL ||
	    p->sparing == DSPARE_CYL_SLIPEND || p->sparing == DSPARE_CYL_FRONT ||
	    p->sparing == DSPARE_CYL_FRONT_SLIPEND;
	double s;

	if (per_cyl || p->sparing == DSPARE_TRACKSECT) {
		cutoff = c * p->heads;
		if (p->sparing == DSPARE_TRACKSECT)
			cutoff += b->head;
		cutoff *= z->spt;
		for (i = 0; i < z->nslips; i++)
			slipoffs += z->slips[i] < cutoff;
	}
	s = z->first_offset + z->track_skew * (double)(place +
	    (p->heads - 1) * c) + z->cyl_skew * (double)c + slipoffs + b->sector;
	s = fmod(s, (double)z->spt);
	if (s < 0)
		s += z->spt;
	return s / z->spt;
}

static bool
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

static bool
on_track(const struct disk_params *p, int64_t lbn, const struct disk_pbn *t)
{
	struct disk_pbn q;

	return disk_ltop(p, lbn, &q) && q.cyl == t->cyl && q.head == t->head;
}

/* Blocks [from, to) step by step: each one's track, as disk_ltop places
 * the blocks around it, and every sector's angle.  (A track may hold
 * more blocks than sectors: DiskSim's map for spares in every cylinder
 * moves a block that slips push past the cylinder's blocks onto the next
 * cylinder's first sectors, beside that cylinder's own blocks,
 * g1_ltop_sectpercylspare, and disk_ltop does as it does.) */
static void
check_tracks(const struct disk_params *p, int64_t from, int64_t to, int64_t step)
{
	int64_t b, i;

	for (b = from; b < to && b < p->blocks; b += step) {
		struct disk_track t;
		struct disk_pbn at, q;
		int s;

		disk_track_map(p, b, NULL, &t);
		assert_true(disk_ltop(p, b, &at));
		assert_true(t.first <= b && b < t.end);
		if ((t.first > 0 && on_track(p, t.first - 1, &at)) ||
		    on_track(p, t.end, &at))
			fail_msg("sparing %d, mapping %d: block %lld's track is "
			    "not [%lld, %lld)", (int)p->sparing, p->mapping,
			    (long long)b, (long long)t.first, (long long)t.end);
		disk_ltop(p, t.first, &q);
		assert_true(q.cyl == at.cyl && q.head == at.head &&
		    q.sector == t.pfirst.sector);
		assert_true(t.pfirst.cyl == at.cyl && t.pfirst.head == at.head);
		disk_ltop(p, t.end - 1, &q);
		assert_int_equal(q.sector, t.last_sector);
		/* Consecutive sectors exactly when no slip lies among them. */
		{
			bool contig = true;

			for (i = t.first; i < t.end; i++) {
				disk_ltop(p, i, &q);
				assert_true(q.cyl == at.cyl && q.head == at.head);
				contig = contig && q.sector ==
				    t.pfirst.sector + (int)(i - t.first);
			}
			assert_int_equal(contig, t.contig);
		}
		/* The next track, mapped from this one as the media maps
		 * it going on, is the one mapped afresh. */
		if (t.end < p->blocks) {
			struct disk_track n1, n2;

			disk_track_map(p, t.end, &t, &n1);
			disk_track_map(p, t.end, NULL, &n2);
			assert_true(n1.first == n2.first && n1.end == n2.end &&
			    n1.contig == n2.contig && n1.last_sector ==
			    n2.last_sector && n1.pfirst.cyl == n2.pfirst.cyl &&
			    n1.pfirst.head == n2.pfirst.head &&
			    n1.pfirst.sector == n2.pfirst.sector &&
			    same_bits(n1.skew, n2.skew));
		}
		for (s = 0; s < t.spt; s++) {
			struct disk_pbn x = { at.cyl, at.head, s };

			assert_true(same_bits(disk_track_angle(&t, s),
			    ref_angle(p, &x)));
			assert_true(same_bits(disk_pbn_angle(p, &x),
			    ref_angle(p, &x)));
		}
	}
}

/* Every sparing scheme and a number of spares for it (7 none in a zone,
 * which DiskSim maps past the zone's end); none first. */
static const struct {
	enum disk_sparing sparing;
	int64_t spares;
} schemes[] = {
	{ DSPARE_NONE, 0 }, { DSPARE_TRACK, 3 }, { DSPARE_CYL, 3 },
	{ DSPARE_TRACKSECT, 2 }, { DSPARE_CYL_SLIPEND, 2 },
	{ DSPARE_CYL_FRONT, 2 }, { DSPARE_CYL_FRONT_SLIPEND, 3 },
	{ DSPARE_DISK_END, 0 }, { DSPARE_RANGE, 4 }, { DSPARE_ZONE, 5 },
	{ DSPARE_ZONE_SLIPEND, 6 },
};

/*
 * Every sparing scheme DiskSim has (0 to 10; 7 without spares in a zone,
 * which DiskSim maps past the zone's end), each mapping scheme, with and
 * without slips (disk_track_map works a zone without slips out directly,
 * one with slips by checking guesses against disk_ltop), a reserved front
 * and spares: the track of every block.
 */
static void
test_track_map_every_scheme(void **state)
{
	size_t i;
	int mapping, slipped;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(schemes); i++)
	    for (slipped = 0; slipped <= 1; slipped++)
		for (mapping = 0; mapping <= 2; mapping++) {
			struct disk_params p;
			struct disk_zone z[2];
			/* Slips: a sector (or, scheme 1, a track) in each
			 * zone, the first one twice in a track. */
			int64_t s0[3] = { 5, 7, 40 }, s1[1] = { 30 };
			char *why = NULL;

			small_params(&p, z);
			p.sparing = schemes[i].sparing;
			p.mapping = mapping;
			p.rangesize = 2;
			z[0].spares = z[1].spares = schemes[i].spares;
			if (slipped && p.sparing != DSPARE_NONE) {
				if (p.sparing == DSPARE_TRACK) {
					s0[0] = 1;
					s0[1] = 4;
					s0[2] = 9;
					s1[0] = 3;
				}
				z[0].slips = g_memdup2(s0, sizeof(s0));
				z[0].nslips = 3;
				z[1].slips = g_memdup2(s1, sizeof(s1));
				z[1].nslips = 1;
			}
			z[1].deadspace = 4;
			if (!disk_params_finish(&p, &why))
				fail_msg("scheme %d mapping %d: %s",
				    (int)p.sparing, mapping, why);
			check_tracks(&p, 0, p.blocks, 1);
			g_free(z[0].slips);
			g_free(z[1].slips);
		}
}

/* Where pbn lies in its zone's order: its track (place) or sector, as a
 * remapped defect names it (the surfaces' order as ref_angle's). */
static int64_t
zone_place(const struct disk_params *p, const struct disk_pbn *b, bool track)
{
	const struct disk_zone *z = disk_zone_of_cyl(p, b->cyl);
	int64_t c = b->cyl - z->first_cyl;
	bool back = p->mapping == 1 ? (c & 1) != 0 :
	    p->mapping == 2 ? (b->cyl & 1) != 0 : false;
	int64_t t = c * p->heads + (back ? p->heads - 1 - b->head : b->head);

	return track ? t : t * z->spt + b->sector;
}

/*
 * Remapped defects under every scheme with spares, each mapping, with and
 * without slips: a block on a listed defect is on its spare and every
 * other block where it was; the tracks are laid out as without the
 * defects (DiskSim's track boundaries leave remapping out), but one
 * holding a remapped block is not on consecutive sectors -- or, scheme 1,
 * a track remapped whole is on its spare track, on the same sectors.
 */
static void
test_remaps_every_scheme(void **state)
{
	size_t i;
	int mapping, slipped;

	(void)state;
	/* (every scheme but none: without spares nothing is remapped) */
	for (i = 1; i < G_N_ELEMENTS(schemes); i++)
	    for (slipped = 0; slipped <= 1; slipped++)
		for (mapping = 0; mapping <= 2; mapping++) {
			struct disk_params a, r;
			struct disk_zone za[2], zr[2];
			bool whole = schemes[i].sparing == DSPARE_TRACK;
			/* Zone 0: three defects, listed out of order (under
			 * scheme 1 tracks); zone 1: one. */
			int64_t r0[6] = { 20, 95, 6, 94, 7, 93 },
			    r1[2] = { 15, 53 }, s0[2] = { 5, 40 };
			int64_t b, n = 0;
			char *why = NULL;

			if (whole) {
				int64_t t0[6] = { 2, 23, 0, 22, 5, 21 },
				    t1[2] = { 1, 17 };

				memcpy(r0, t0, sizeof(r0));
				memcpy(r1, t1, sizeof(r1));
				s0[0] = 3;
				s0[1] = 9;
			}
			small_params(&a, za);
			a.sparing = schemes[i].sparing;
			a.mapping = mapping;
			a.rangesize = 2;
			za[0].spares = za[1].spares = schemes[i].spares;
			za[1].deadspace = 4;
			if (slipped) {
				za[0].slips = s0;
				za[0].nslips = 2;
			}
			r = a;
			memcpy(zr, za, sizeof(zr));
			r.zones = zr;
			zr[0].remaps = r0;
			zr[0].nremaps = 3;
			zr[1].remaps = r1;
			zr[1].nremaps = 1;
			if (!disk_params_finish(&a, &why) ||
			    !disk_params_finish(&r, &why))
				fail_msg("scheme %d mapping %d: %s",
				    (int)a.sparing, mapping, why);
			assert_int_equal(a.blocks, r.blocks);
			for (b = 0; b < a.blocks; b++) {
				struct disk_pbn pa, pr;
				struct disk_track ta, tr;
				const struct disk_zone *z;
				int64_t place, spare = -1;
				int k;

				disk_ltop(&a, b, &pa);
				disk_ltop(&r, b, &pr);
				z = disk_zone_of_cyl(&r, pa.cyl);
				place = zone_place(&a, &pa, whole);
				for (k = 0; k < z->nremaps; k++)
					if (z->remaps[2 * k] == place)
						spare = z->remaps[2 * k + 1];
				if (spare < 0)
					assert_true(pa.cyl == pr.cyl &&
					    pa.head == pr.head &&
					    pa.sector == pr.sector);
				else {
					n++;
					assert_int_equal(zone_place(&r, &pr,
					    whole), spare);
					if (whole)
						assert_int_equal(pr.sector,
						    pa.sector);
				}
				disk_track_map(&a, b, NULL, &ta);
				disk_track_map(&r, b, NULL, &tr);
				assert_true(ta.first == tr.first &&
				    ta.end == tr.end &&
				    ta.last_sector == tr.last_sector &&
				    ta.pfirst.sector == tr.pfirst.sector);
				if (whole) {
					/* the track where its blocks are */
					assert_true(tr.contig == ta.contig);
					assert_true(tr.pfirst.cyl == pr.cyl &&
					    tr.pfirst.head == pr.head);
				} else {
					assert_true(ta.pfirst.cyl ==
					    tr.pfirst.cyl && ta.pfirst.head ==
					    tr.pfirst.head &&
					    same_bits(ta.skew, tr.skew));
					if (spare >= 0)
						assert_false(tr.contig);
					if (tr.contig != ta.contig)
						assert_false(tr.contig);
				}
			}
			/* Each defect was met (each holds a block). */
			assert_int_equal(n, whole ? 3 * za[0].spt + za[1].spt :
			    4);
		}
}

/* Skews backwards, and fractions of a sector (disk.zones may give
 * them): the angles are still the formula's, to the bit (fmod's -0 for
 * a negative multiple of the track included).  Whole skews of at most
 * 2^20 sectors are summed as integers (track_skew_sum; -0 as 0), others
 * in doubles: the two sides of that bound, and -0, give the formula's
 * angles too (the fourth column: summed as integers). */
static void
test_track_angles_odd_skews(void **state)
{
	static const double skews[][4] = {
		{ -5, -7, 0, 1 }, { -12, 12, -3, 1 }, { 2.5, 0.25, 1.5, 0 },
		{ -0.5, 3, 0, 0 }, { 0, -24, -12, 1 },
		{ 0x1p20, -0x1p20, 0x1p20, 1 }, { -0x1p20 - 1, 5, 2, 0 },
		{ 3, 0x1p20 + 1, 0, 0 }, { -0.0, -0.0, -0.0, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(skews); i++) {
		struct disk_params p;
		struct disk_zone z[2];

		small_params(&p, z);
		z[0].track_skew = z[1].track_skew = skews[i][0];
		z[0].cyl_skew = z[1].cyl_skew = skews[i][1];
		z[0].first_offset = skews[i][2];
		assert_true(disk_params_finish(&p, NULL));
		assert_int_equal(z[0].skew_int, skews[i][3] != 0);
		check_tracks(&p, 0, p.blocks, 1);
	}
}

/* The two drives in disks/: a track in every few hundred, and every
 * zone's first and last. */
static void
test_track_map_real_drives(void **state)
{
	static const char *const files[] = {
		"disks/hp_c2247a/hp_c2247a.parv", "disks/cheetah9LP/cheetah9LP.parv",
	};
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		struct disk_params p;
		GError *err = NULL;

		assert_true(diskspecs_load(files[i], &p, &err));
		check_tracks(&p, 0, p.blocks, 997);
		for (k = 0; k < p.nzones; k++) {
			const struct disk_zone *z = &p.zones[k];

			check_tracks(&p, z->first_lbn, z->first_lbn + 3, 1);
			check_tracks(&p, z->first_lbn + z->nlbn - 3,
			    z->first_lbn + z->nlbn, 1);
		}
		disk_params_free(&p);
	}
}

/*
 * The platter's angle at time t is t mod a revolution (diskmech.c), the
 * same double fmod gives: for spindle speeds whose revolution is no
 * whole number of nanoseconds, at times near every multiple of it and at
 * random ones up to a simulated month.
 */
static void
test_angle_at_is_fmod(void **state)
{
	static const int rpms[] = { 5400, 5360, 7200, 10025, 10045, 15000 };
	GRand *rnd = g_rand_new_with_seed(18);
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(rpms); i++) {
		struct disk d;

		memset(&d, 0, sizeof(d));
		d.period = 60e9 / rpms[i];
		for (k = 0; k < 200000; k++) {
			double t, n = floor(g_rand_double_range(rnd, 0, 2.6e15 /
			    d.period));

			switch (k % 4) {
			case 0:
				t = floor(g_rand_double_range(rnd, 0, 2.6e15));
				break;
			case 1:
				t = n * d.period;
				break;
			case 2:
				t = nextafter(n * d.period, 0);
				break;
			default:
				t = nextafter(n * d.period, INFINITY);
				break;
			}
			if (!same_bits(disk_angle_at(&d, t), fmod(t, d.period) /
			    d.period))
				fail_msg("rpm %d, t %.17g: %.17g against fmod's %.17g",
				    rpms[i], t, disk_angle_at(&d, t),
				    fmod(t, d.period) / d.period);
		}
	}
	g_rand_free(rnd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_map_every_scheme),
		cmocka_unit_test(test_remaps_every_scheme),
		cmocka_unit_test(test_track_angles_odd_skews),
		cmocka_unit_test(test_track_map_real_drives),
		cmocka_unit_test(test_angle_at_is_fmod),
	};

	return cmocka_run_group_tests_name("diskmap", tests, NULL, NULL);
}
