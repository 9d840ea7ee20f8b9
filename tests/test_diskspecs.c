/*
 * Unit tests of DiskSim parameter files read as DiskSim 4.0 reads them
 * (diskspecs.c, diskmap.c, diskmech.c): each parameter its validated
 * drives use that vfssim once refused, on a small drive file written here
 * that uses it — what the zones hold over the stated block count, zones
 * past the cylinder count, slips out of order, caching and zero-latency
 * levels of 2, a negative write settle, sparing schemes 5, 6 and 7,
 * mapping schemes 1 and 2, skews in whole sectors and backwards, defects
 * remapped to spares, the I/O driver's and the drive's queues, DiskSim's own adjustments of the
 * read-ahead parameters, and the parameters read and ignored.
 *
 * The drive: 2 surfaces, one zone of cylinders 0-9 with 20 sectors a
 * track (40 a cylinder, 400 in all), 6000 rpm (10 ms a revolution), a
 * one-cylinder seek of 1 ms and a head switch of 1 ms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "disk.h"
#include "diskspecs.h"
#include "diskparam.h"
#include "testkern.h"

static const char drive_template[] =
"disksim_disk D {\n"
"   Model = dm_disk M {\n"
"      Number of data surfaces = 2,\n"
"      Number of cylinders = @CYLS@,\n"
"      Block count = @BLOCKS@,\n"
"      Mechanical Model = dm_mech_g1 {\n"
"         Access time type = trackSwitchPlusRotation,\n"
"         Seek type = hpl,\n"
"         Single cylinder seek time = 0,\n"
"         Average seek time = 0,\n"
"         Full strobe seek time = 0,\n"
"         Add. write settling delay = @SETTLE@,\n"
"         HPL seek equation values = [ 100, 1.0, 0.5, 5.0, 0.01, 1.0 ],\n"
"         Head switch time = 1.0,\n"
"         Rotation speed (in rpms) = @RPM@,\n"
"         Percent error in rpms = 0.0\n"
"      },\n"
"      Layout Model = dm_layout_g1 {\n"
"         LBN-to-PBN mapping scheme = @MAP@,\n"
"         Sparing scheme used = @SPARING@,\n"
"         Rangesize for sparing = 1,\n"
"         Zones = [\n"
"            dm_layout_g1_zone {\n"
"               First cylinder number = @FIRST@,\n"
"               Last cylinder number = 9,\n"
"               Blocks per track = 20,\n"
"               Offset of first block = 0,\n"
"               Empty space at zone front = 0,\n"
"               Skew for track switch = @TSKEW@,\n"
"               Skew for cylinder switch = @CSKEW@,\n"
"               Number of spares = @SPARES@,\n"
"               slips = [ @SLIPS@ ],\n"
"               defects = [ @DEFECTS@ ]\n"
"            }\n"
"         ]\n"
"      }\n"
"   },\n"
"   Per-request overhead time = 0.0,\n"
"   Time scale for overheads = 1.0,\n"
"   Bulk sector transfer time = 0.0,\n"
"   Hold bus entire read xfer = 1,\n"
"   Hold bus entire write xfer = 1,\n"
"   Allow almost read hits = 0,\n"
"   Allow sneaky full read hits = 0,\n"
"   Allow sneaky partial read hits = 0,\n"
"   Allow sneaky intermediate read hits = 0,\n"
"   Allow read hits on write data = 1,\n"
"   Allow write prebuffering = 0,\n"
"   Preseeking level = 0,\n"
"   Never disconnect = 0,\n"
"   Print stats = 1,\n"
"   Avg sectors per cylinder = 40,\n"
"   Max queue length = @QLEN@,\n"
"   Scheduler = disksim_ioqueue {\n"
"      Scheduling policy = @DPOLICY@,\n"
"      Cylinder mapping strategy = 0,\n"
"      Write initiation delay = 0.0,\n"
"      Read initiation delay = 0.0,\n"
"      Sequential stream scheme = 0,\n"
"      Maximum concat size = 0,\n"
"      Overlapping request scheme = 0,\n"
"      Sequential stream diff maximum = 0,\n"
"      Scheduling timeout scheme = 0,\n"
"      Timeout time/weight = 0,\n"
"      Timeout scheduling = 0,\n"
"      Scheduling priority scheme = 0,\n"
"      Priority scheduling = 0\n"
"   },\n"
"   Number of buffer segments = 2,\n"
"   Maximum number of write segments = 1,\n"
"   Segment size (in blks) = 64,\n"
"   Use separate write segment = 0,\n"
"   Low (write) water mark = 0.5,\n"
"   High (read) water mark = 0.5,\n"
"   Set watermark by reqsize = 1,\n"
"   Calc sector by sector = 1,\n"
"   Enable caching in buffer = @CACHE@,\n"
"   Buffer continuous read = @CONTREAD@,\n"
"   Minimum read-ahead (blks) = 0,\n"
"   Maximum read-ahead (blks) = 10,\n"
"   Read-ahead over requested = @KEEP@,\n"
"   Read-ahead on idle hit = 0,\n"
"   Read any free blocks = @ANYFREE@,\n"
"   Fast write level = 0,\n"
"   Immediate buffer read = @IMMED@,\n"
"   Immediate buffer write = @IMMED@,\n"
"   Combine seq writes = 1,\n"
"   Stop prefetch in sector = @STOPIN@,\n"
"   Disconnect write if seek = @DWIS@,\n"
"   Write hit stop prefetch = 1,\n"
"   Read directly to buffer = 1,\n"
"   Immed transfer partial hit = 1,\n"
"   Read hit over. after read = 0.1,\n"
"   Read hit over. after write = 0.1,\n"
"   Read miss over. after read = 0.2,\n"
"   Read miss over. after write = 0.2,\n"
"   Write hit over. after read = 0.2,\n"
"   Write hit over. after write = 0.2,\n"
"   Write miss over. after read = 0.2,\n"
"   Write miss over. after write = 0.2,\n"
"   Read completion overhead = 0.0,\n"
"   Write completion overhead = 0.0,\n"
"   Data preparation overhead = 0.0,\n"
"   First reselect overhead = 0.0,\n"
"   Other reselect overhead = 0.0,\n"
"   Read disconnect afterread = 0.0,\n"
"   Read disconnect afterwrite = 0.0,\n"
"   Write disconnect overhead = 0.0,\n"
"   Extra write disconnect = 0,\n"
"   Extradisc command overhead = 0.0,\n"
"   Extradisc disconnect overhead = 0.0,\n"
"   Extradisc inter-disconnect delay = 0.0,\n"
"   Extradisc 2nd disconnect overhead = 0.0,\n"
"   Extradisc seek delta = 0.0,\n"
"   Minimum seek delay = 0.0\n"
"}\n";

/* A .parv around it: an I/O driver, a bus, a pass-through controller and
 * the drive's bus, as DiskSim's validation files have them. */
static const char parv_template[] =
"disksim_iodriver DRIVER0 {\n"
"   type = 1,\n"
"   Constant access time = 0.0,\n"
"   Scheduler = disksim_ioqueue {\n"
"      Scheduling policy = @HPOLICY@,\n"
"      Cylinder mapping strategy = @HCYLMAP@,\n"
"      Write initiation delay = 0.0,\n"
"      Read initiation delay = @RDELAY@,\n"
"      Sequential stream scheme = 0,\n"
"      Maximum concat size = 128,\n"
"      Overlapping request scheme = 0,\n"
"      Sequential stream diff maximum = 0,\n"
"      Scheduling timeout scheme = 0,\n"
"      Timeout time/weight = 6,\n"
"      Timeout scheduling = 4,\n"
"      Scheduling priority scheme = 0,\n"
"      Priority scheduling = 4\n"
"   },\n"
"   Use queueing in subsystem = @USEQ@\n"
"}\n"
"disksim_bus BUS0 { type = 1, Arbitration type = 1, Arbitration time = 0.0,\n"
"   Read block transfer time = 0.0, Write block transfer time = 0.0,\n"
"   Print stats = 0 }\n"
"disksim_bus BUS1 { type = 1, Arbitration type = 1, Arbitration time = 0.0,\n"
"   Read block transfer time = 0.05, Write block transfer time = 0.06,\n"
"   Print stats = 1 }\n"
"disksim_ctlr CTLR0 { type = 1, Scale for delays = 0.0,\n"
"   Bulk sector transfer time = 0.0, Maximum queue length = 0,\n"
"   Print stats = 1 }\n"
"source drive.diskspecs\n"
"instantiate [ bus0 ] as BUS0\n"
"instantiate [ bus1 ] as BUS1\n"
"instantiate [ disk0 ] as D\n"
"instantiate [ driver0 ] as DRIVER0\n"
"instantiate [ ctlr0 ] as CTLR0\n"
"topology disksim_iodriver driver0 [\n"
"   disksim_bus bus0 [\n"
"      disksim_ctlr ctlr0 [\n"
"         disksim_bus bus1 [ disksim_disk disk0 [] ]\n"
"      ]\n"
"   ]\n"
"]\n";

/* The substitutions a test makes, over the defaults. */
struct subst {
	const char	*key, *value;
};

static const struct subst defaults[] = {
	{ "@CYLS@", "10" }, { "@BLOCKS@", "400" }, { "@SETTLE@", "0.0" },
	{ "@MAP@", "0" }, { "@SPARING@", "9" }, { "@FIRST@", "0" },
	{ "@TSKEW@", "0" }, { "@CSKEW@", "0" }, { "@SPARES@", "0" },
	{ "@SLIPS@", "" }, { "@QLEN@", "1" }, { "@DPOLICY@", "1" },
	{ "@CACHE@", "1" }, { "@CONTREAD@", "3" }, { "@KEEP@", "1" },
	{ "@ANYFREE@", "0" }, { "@IMMED@", "0" }, { "@HPOLICY@", "1" },
	{ "@RDELAY@", "0.0" }, { "@USEQ@", "1" }, { "@RPM@", "6000" },
	{ "@HCYLMAP@", "1" }, { "@STOPIN@", "1" }, { "@DWIS@", "0" },
	{ "@DEFECTS@", "" },
	{ NULL, NULL },
};

static char *
fill(const char *template, const struct subst *s)
{
	GString *g = g_string_new(template);
	const struct subst *d;
	int i;

	for (i = 0; s != NULL && s[i].key != NULL; i++)
		g_string_replace(g, s[i].key, s[i].value, 0);
	for (d = defaults; d->key != NULL; d++)
		g_string_replace(g, d->key, d->value, 0);
	return g_string_free(g, FALSE);
}

/*
 * Write the drive (and with parv, the .parv around it) into a temporary
 * directory and read it; true and p filled, or false and *err.  notes,
 * if not NULL, gets what is read and ignored.
 */
static bool
load(const struct subst *s, bool parv, struct disk_params *p,
    GPtrArray *notes, GError **err)
{
	char *dir = g_dir_make_tmp("vfssim-specs-XXXXXX", NULL);
	char *dpath = g_build_filename(dir, "drive.diskspecs", NULL);
	char *ppath = g_build_filename(dir, "drive.parv", NULL);
	char *dtext = fill(drive_template, s), *ptext = fill(parv_template, s);
	bool ok;

	assert_non_null(dir);
	assert_true(g_file_set_contents(dpath, dtext, -1, NULL));
	assert_true(g_file_set_contents(ppath, ptext, -1, NULL));
	ok = diskspecs_load_notes(parv ? ppath : dpath, p, notes, err);
	unlink(dpath);
	unlink(ppath);
	rmdir(dir);
	g_free(dtext);
	g_free(ptext);
	g_free(dpath);
	g_free(ppath);
	g_free(dir);
	return ok;
}

static void
load_ok(const struct subst *s, bool parv, struct disk_params *p)
{
	GError *err = NULL;

	if (!load(s, parv, p, NULL, &err))
		fail_msg("%s", err->message);
}

static void
load_bad(const struct subst *s, bool parv, const char *want)
{
	struct disk_params p;
	GError *err = NULL;

	assert_false(load(s, parv, &p, NULL, &err));
	assert_non_null(err);
	if (strstr(err->message, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err->message, want);
	g_error_free(err);
}

/* Where block b lands: cylinder, surface, sector. */
static void
where(const struct disk_params *p, int64_t b, int64_t cyl, int head, int sector)
{
	struct disk_pbn x;

	assert_true(disk_ltop(p, b, &x));
	if (x.cyl != cyl || x.head != head || x.sector != sector)
		fail_msg("block %lld at (%lld, %d, %d), not (%lld, %d, %d)",
		    (long long)b, (long long)x.cyl, x.head, x.sector,
		    (long long)cyl, head, sector);
}

/* The angle of a sector, in sectors of a 20-sector track. */
static double
angle_sectors(const struct disk_params *p, int64_t cyl, int head, int sector)
{
	struct disk_pbn x = { cyl, head, sector };

	return disk_pbn_angle(p, &x) * 20;
}

/* ---- what the zones hold, and where they end ------------------------------ */

/* DiskSim addresses what the zones hold, whatever Block count says
 * (checknumblocks); zones may run past Number of cylinders, which only
 * shapes the min/avg/max seek curves. */
static void
test_block_count_and_cylinders(void **state)
{
	const struct subst fewer[] = { { "@BLOCKS@", "100" }, { NULL, NULL } };
	const struct subst more[] = { { "@BLOCKS@", "1000" }, { NULL, NULL } };
	const struct subst past[] = { { "@CYLS@", "5" }, { NULL, NULL } };
	struct disk_params p;
	GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	guint i;
	bool noted = false;

	assert_true(load(fewer, false, &p, notes, &err));
	assert_int_equal(p.blocks, 400);
	for (i = 0; i < notes->len; i++)
		noted |= strstr(g_ptr_array_index(notes, i),
		    "Block count = 100: DiskSim addresses what the zones hold") !=
		    NULL;
	assert_true(noted);
	disk_params_free(&p);
	load_ok(more, false, &p);
	assert_int_equal(p.blocks, 400);
	disk_params_free(&p);
	load_ok(past, false, &p);
	assert_int_equal(p.blocks, 400);
	assert_int_equal(p.cylinders, 5);
	where(&p, 399, 9, 1, 19);
	disk_params_free(&p);
	g_ptr_array_free(notes, TRUE);
}

/* DiskSim counts slips in the order listed; sorted, the map is the same
 * for slips on different cylinders (the Atlas III's disorder).  A slip
 * listed twice is refused. */
static void
test_slips_out_of_order(void **state)
{
	const struct subst sorted[] = { { "@SLIPS@", "10, 130" },
	    { "@SPARES@", "2" }, { NULL, NULL } };
	const struct subst unsorted[] = { { "@SLIPS@", "130, 10" },
	    { "@SPARES@", "2" }, { NULL, NULL } };
	const struct subst twice[] = { { "@SLIPS@", "10, 10" },
	    { "@SPARES@", "2" }, { NULL, NULL } };
	struct disk_params a, b;
	int64_t i;

	load_ok(sorted, false, &a);
	load_ok(unsorted, false, &b);
	assert_int_equal(a.blocks, 398);
	assert_int_equal(b.blocks, 398);
	for (i = 0; i < a.blocks; i++) {
		struct disk_pbn x, y;

		disk_ltop(&a, i, &x);
		disk_ltop(&b, i, &y);
		assert_true(x.cyl == y.cyl && x.head == y.head &&
		    x.sector == y.sector);
	}
	/* Zone sectors 10 and 130 are skipped (sparing 9, two spares at the
	 * zone's end). */
	where(&b, 9, 0, 0, 9);
	where(&b, 10, 0, 0, 11);
	where(&b, 128, 3, 0, 9);
	where(&b, 129, 3, 0, 11);
	disk_params_free(&a);
	disk_params_free(&b);
	load_bad(twice, false, "slip 10 is listed twice");
}

/* ---- caching, zero latency, read-ahead: DiskSim's levels ------------------ */

/*
 * "Disconnect write if seek" is read, either way and on either kind of
 * drive (DiskSim's disconnectinseek: a read-ahead a command stops runs to
 * its next event, disk_buffer_stopable_access's BUFFER_PREEMPT; what it
 * does is test_disk's test_preempt_at_event), and a value past 1 refused
 * as DiskSim's loader refuses it (RANGE 0-1).
 */
static void
test_disconnect_if_seek(void **state)
{
	const struct subst on[] = { { "@DWIS@", "1" }, { NULL, NULL } };
	const struct subst on_between[] = { { "@DWIS@", "1" },
	    { "@STOPIN@", "0" }, { NULL, NULL } };
	const struct subst two[] = { { "@DWIS@", "2" }, { NULL, NULL } };
	struct disk_params p;

	(void)state;
	load_ok(NULL, false, &p);
	assert_false(p.preempt_at_event);
	assert_true(p.stop_in_sector);
	disk_params_free(&p);
	load_ok(on, false, &p);
	assert_true(p.preempt_at_event);
	disk_params_free(&p);
	load_ok(on_between, true, &p);
	assert_true(p.preempt_at_event);
	assert_false(p.stop_in_sector);
	disk_params_free(&p);
	load_bad(two, false, "Disconnect write if seek = 2");
}

static void
test_levels(void **state)
{
	const struct subst two[] = { { "@CACHE@", "2" }, { "@IMMED@", "2" },
	    { "@ANYFREE@", "1" }, { NULL, NULL } };
	const struct subst keep0[] = { { "@KEEP@", "0" }, { NULL, NULL } };
	const struct subst keep1[] = { { "@KEEP@", "1" }, { NULL, NULL } };
	const struct subst keepm[] = { { "@KEEP@", "-1" }, { NULL, NULL } };
	const struct subst nora[] = { { "@CONTREAD@", "0" }, { NULL, NULL } };
	const struct subst nocache[] = { { "@CACHE@", "0" }, { NULL, NULL } };
	struct disk_params p;
	GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	int found = 0;
	guint i;

	/* Caching 2 is on, as any non-zero value is to DiskSim.  Zero-latency
	 * levels and reading free blocks are read, and noted: DiskSim 4.0
	 * starts every access at the wanted sector. */
	assert_true(load(two, false, &p, notes, &err));
	assert_true(p.cache);
	assert_false(p.zero_latency_read);
	assert_false(p.zero_latency_write);
	for (i = 0; i < notes->len; i++) {
		const char *n = g_ptr_array_index(notes, i);

		found += strstr(n, "Immediate buffer read = 2: DiskSim 4.0 never "
		    "reads a sector early") != NULL;
		found += strstr(n, "Read any free blocks = 1: DiskSim 4.0 never") !=
		    NULL;
		found += strstr(n, "Calc sector by sector = 1: no effect") != NULL;
		found += strstr(n, "Print stats = 1: DiskSim's statistics") != NULL;
	}
	assert_int_equal(found, 4);
	disk_params_free(&p);
	/* Read-ahead over requested: DiskSim swaps 0 and 1
	 * (disk_postpass_perdisk). */
	load_ok(keep0, false, &p);
	assert_int_equal(p.keep_request_data, 1);
	disk_params_free(&p);
	load_ok(keep1, false, &p);
	assert_int_equal(p.keep_request_data, 0);
	disk_params_free(&p);
	load_ok(keepm, false, &p);
	assert_int_equal(p.keep_request_data, -1);
	disk_params_free(&p);
	/* No read-ahead forces the read-ahead limits to zero. */
	load_ok(nora, false, &p);
	assert_int_equal(p.readahead, DRA_NONE);
	assert_int_equal(p.max_readahead, 0);
	disk_params_free(&p);
	/* Read-ahead without caching: DiskSim refuses it. */
	load_bad(nocache, false, "read-ahead without caching: DiskSim refuses it");
	g_ptr_array_free(notes, TRUE);
}

/* ---- a negative write settle ------------------------------------------------ */

/* DiskSim adds the settle to a write's seek or head switch as it is
 * (dm_seek_time_g1), and a move that comes out negative ends at once
 * (disk_initiate_seek). */
static void
test_negative_settle(void **state)
{
	const struct subst less[] = { { "@SETTLE@", "-0.4" }, { NULL, NULL } };
	const struct subst much[] = { { "@SETTLE@", "-2.5" }, { NULL, NULL } };
	struct disk_params p;

	load_ok(less, false, &p);
	assert_int_equal(p.write_settle, -400000);
	/* A head switch: 1 ms reading, 0.6 ms writing. */
	assert_int_equal(disk_reposition_time(&p, 0, 0, 0, 1, false), 1000000);
	assert_int_equal(disk_reposition_time(&p, 0, 0, 0, 1, true), 600000);
	/* Ten cylinders: 1 + 0.5 sqrt(10) ms, less 0.4 writing. */
	assert_int_equal(disk_reposition_time(&p, 0, 0, 10, 0, true),
	    disk_reposition_time(&p, 0, 0, 10, 0, false) - 400000);
	/* Staying on the track costs nothing either way. */
	assert_int_equal(disk_reposition_time(&p, 3, 1, 3, 1, true), 0);
	disk_params_free(&p);
	load_ok(much, false, &p);
	assert_int_equal(disk_reposition_time(&p, 0, 0, 0, 1, true), 0);
	assert_int_equal(disk_reposition_time(&p, 0, 0, 1, 0, true), 0);
	assert_int_equal(disk_reposition_time(&p, 0, 0, 10, 0, true),
	    disk_reposition_time(&p, 0, 0, 10, 0, false) - 2500000);
	disk_params_free(&p);
}

/* ---- sparing schemes 5, 6 and 7 -------------------------------------------- */

static void
test_sparing_5_6_7(void **state)
{
	const struct subst s7[] = { { "@SPARING@", "7" }, { "@SLIPS@", "25" },
	    { NULL, NULL } };
	const struct subst s7spares[] = { { "@SPARING@", "7" },
	    { "@SPARES@", "2" }, { NULL, NULL } };
	const struct subst s5[] = { { "@SPARING@", "5" }, { "@SPARES@", "2" },
	    { NULL, NULL } };
	const struct subst s6[] = { { "@SPARING@", "6" }, { "@SPARES@", "2" },
	    { "@SLIPS@", "5" }, { NULL, NULL } };
	const struct subst s2[] = { { "@SPARING@", "2" }, { "@SPARES@", "2" },
	    { "@SLIPS@", "5" }, { NULL, NULL } };
	struct disk_params p;

	/* 7: spares at the disk's end; slip 25 (cylinder 0, surface 1,
	 * sector 5) pushes every later block of the zone one sector on, on
	 * later cylinders too.  The zone holds 400 - 1 blocks. */
	load_ok(s7, false, &p);
	assert_int_equal(p.sparing, DSPARE_DISK_END);
	assert_int_equal(p.blocks, 399);
	where(&p, 24, 0, 1, 4);
	where(&p, 25, 0, 1, 6);
	where(&p, 40, 1, 0, 1);
	where(&p, 398, 9, 1, 19);
	disk_params_free(&p);
	/* Spares in a zone with them at the disk's end: DiskSim's map takes
	 * them from every cylinder, its count of the zone's blocks does not. */
	load_bad(s7spares, false, "which DiskSim maps past the zone's end");
	/* 5: two spares at each cylinder's front: 38 blocks a cylinder,
	 * from sector 2. */
	load_ok(s5, false, &p);
	assert_int_equal(p.blocks, 380);
	where(&p, 0, 0, 0, 2);
	where(&p, 17, 0, 0, 19);
	where(&p, 37, 0, 1, 19);
	where(&p, 38, 1, 0, 2);
	disk_params_free(&p);
	/* 6: as 5, and a slip (zone sector 5) pushes the blocks after it on
	 * its cylinder and every later one. */
	load_ok(s6, false, &p);
	assert_int_equal(p.blocks, 379);
	where(&p, 2, 0, 0, 4);
	where(&p, 3, 0, 0, 6);
	where(&p, 38, 1, 0, 3);
	disk_params_free(&p);
	/* 2, for comparison: spares at the end, the slip pushing only its
	 * own cylinder's blocks. */
	load_ok(s2, false, &p);
	assert_int_equal(p.blocks, 380);
	where(&p, 4, 0, 0, 4);
	where(&p, 5, 0, 0, 6);
	where(&p, 38, 1, 0, 0);
	disk_params_free(&p);
}

/* ---- mapping schemes 1 and 2 ------------------------------------------------- */

/*
 * Mapping 1: on the zone's odd cylinders (counted from its first) the
 * tracks run from the last surface back, so a cylinder switch stays on its
 * surface; the skews count track switches in that order.  Mapping 2: the
 * disk's odd cylinders.
 */
static void
test_mapping_1_2(void **state)
{
	const struct subst m1[] = { { "@MAP@", "1" }, { "@TSKEW@", "3" },
	    { "@CSKEW@", "7" }, { NULL, NULL } };
	const struct subst m1odd[] = { { "@MAP@", "1" }, { "@FIRST@", "1" },
	    { NULL, NULL } };
	const struct subst m2odd[] = { { "@MAP@", "2" }, { "@FIRST@", "1" },
	    { NULL, NULL } };
	struct disk_params p;

	load_ok(m1, false, &p);
	assert_int_equal(p.mapping, 1);
	where(&p, 0, 0, 0, 0);
	where(&p, 20, 0, 1, 0);
	where(&p, 40, 1, 1, 0);
	where(&p, 60, 1, 0, 0);
	where(&p, 80, 2, 0, 0);
	/* The second track of cylinder 1 (surface 0) follows three switches
	 * (two track, one cylinder): 2 x 3 + 7 sectors; its first (surface
	 * 1) two: 3 + 7. */
	assert_true(fabs(angle_sectors(&p, 1, 1, 0) - 10) < 1e-9);
	assert_true(fabs(angle_sectors(&p, 1, 0, 0) - 13) < 1e-9);
	/* From the last block of cylinder 0 to the first of cylinder 1: a
	 * one-cylinder seek and no head switch. */
	{
		struct disk_pbn x, y;

		disk_ltop(&p, 39, &x);
		disk_ltop(&p, 40, &y);
		assert_int_equal(x.head, y.head);
		assert_int_equal(disk_reposition_time(&p, x.cyl, x.head, y.cyl,
		    y.head, false), disk_seek_time(&p, 1));
	}
	disk_params_free(&p);
	/* A zone from cylinder 1: mapping 1 starts it as usual, mapping 2
	 * (cylinder 1 is odd) from the last surface. */
	load_ok(m1odd, false, &p);
	where(&p, 0, 1, 0, 0);
	where(&p, 40, 2, 1, 0);
	disk_params_free(&p);
	load_ok(m2odd, false, &p);
	where(&p, 0, 1, 1, 0);
	where(&p, 40, 2, 0, 0);
	disk_params_free(&p);
}

/* ---- skews ------------------------------------------------------------------- */

/* In sectors, DiskSim 4.0 takes skews as whole sectors ((int)d); a
 * negative one is a skew backwards (what it once computed from a negative
 * value is dead code in 4.0). */
static void
test_skews(void **state)
{
	const struct subst frac[] = { { "@TSKEW@", "3.7" }, { "@CSKEW@", "5.9" },
	    { NULL, NULL } };
	const struct subst back[] = { { "@TSKEW@", "-1" }, { "@CSKEW@", "-2" },
	    { NULL, NULL } };
	struct disk_params p;

	load_ok(frac, false, &p);
	assert_true(fabs(angle_sectors(&p, 0, 1, 0) - 3) < 1e-9);
	assert_true(fabs(angle_sectors(&p, 1, 0, 0) - (3 + 5)) < 1e-9);
	disk_params_free(&p);
	load_ok(back, false, &p);
	assert_true(fabs(angle_sectors(&p, 0, 1, 0) - 19) < 1e-9);
	assert_true(fabs(angle_sectors(&p, 1, 0, 0) - 17) < 1e-9);
	disk_params_free(&p);
}

/* ---- the queues ---------------------------------------------------------------- */

static void
test_queues(void **state)
{
	const struct subst fcfs[] = { { NULL, NULL } };
	const struct subst cycle[] = { { "@HPOLICY@", "3" }, { NULL, NULL } };
	const struct subst elevator[] = { { "@HPOLICY@", "2" }, { NULL, NULL } };
	const struct subst sstf_cyl[] = { { "@HPOLICY@", "7" }, { NULL, NULL } };
	const struct subst sstf_avgcyl[] = { { "@HPOLICY@", "7" },
	    { "@HCYLMAP@", "6" }, { NULL, NULL } };
	const struct subst sstf_lbn[] = { { "@HPOLICY@", "4" },
	    { "@RDELAY@", "0.5" }, { NULL, NULL } };
	const struct subst delay[] = { { "@RDELAY@", "0.5" }, { NULL, NULL } };
	const struct subst sptf_delay[] = { { "@HPOLICY@", "8" },
	    { "@RDELAY@", "0.5" }, { NULL, NULL } };
	const struct subst sptf_immed[] = { { "@HPOLICY@", "8" },
	    { "@IMMED@", "1" }, { NULL, NULL } };
	const struct subst deep_immed[] = { { "@QLEN@", "4" },
	    { "@DPOLICY@", "8" }, { "@IMMED@", "2" }, { NULL, NULL } };
	GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	bool noted = false;
	guint i;
	const struct subst noq[] = { { "@QLEN@", "4" }, { "@USEQ@", "0" },
	    { NULL, NULL } };
	const struct subst deep[] = { { "@QLEN@", "4" }, { "@DPOLICY@", "8" },
	    { NULL, NULL } };
	struct disk_params p;

	/* The I/O driver's queue is the host queue's discipline; a
	 * .diskspecs alone names none.  The drive's own block transfer
	 * time comes from its bus. */
	load_ok(fcfs, true, &p);
	assert_string_equal(p.host_scheduler, "fcfs");
	assert_int_equal(llround(p.bus_read_ns), 50000);
	assert_int_equal(llround(p.bus_write_ns), 60000);
	disk_params_free(&p);
	load_ok(fcfs, false, &p);
	assert_null(p.host_scheduler);
	disk_params_free(&p);
	load_ok(cycle, true, &p);
	assert_string_equal(p.host_scheduler, "cycle_lbn");
	disk_params_free(&p);
	/* DiskSim 4.0's policies by cylinder see one cylinder for every
	 * request (disk_get_mapping) and order as CYCLE_LBN -- unless the
	 * cylinders come from the trace or the average, not modelled. */
	load_ok(sstf_cyl, true, &p);
	assert_string_equal(p.host_scheduler, "cycle_lbn");
	disk_params_free(&p);
	load_bad(sstf_avgcyl, true, "Cylinder mapping strategy = 6: not "
	    "supported with a policy by cylinder");
	load_bad(elevator, true, "Scheduling policy = 2: not supported");
	/* DiskSim 4.0's SSTF_LBN, as its queue dispatches it. */
	load_ok(sstf_lbn, true, &p);
	assert_string_equal(p.host_scheduler, "sstf_lbn");
	disk_params_free(&p);
	/* An initiation delay is used only by DiskSim's SPTF, which adds
	 * it to a request's estimate (ioqueue_get_request_from_opt_sptf_queue):
	 * noted under any other policy, kept for SPTF_OPT (sptf_opt). */
	assert_true(load(delay, true, &p, notes, &err));
	for (i = 0; i < notes->len; i++)
		noted |= strstr(g_ptr_array_index(notes, i), "Read initiation "
		    "delay = 0.5: DiskSim 4.0 uses it only in its SPTF") != NULL;
	assert_true(noted);
	disk_params_free(&p);
	g_ptr_array_free(notes, TRUE);
	load_ok(sptf_delay, true, &p);
	assert_string_equal(p.host_scheduler, "sptf_opt");
	assert_int_equal(p.host_init_delay[0], 500000);
	assert_int_equal(p.host_init_delay[1], 0);
	disk_params_free(&p);
	/* Under SPTF_OPT DiskSim estimates a zero-latency access for a
	 * drive whose Immediate buffer read or write is on, which its media
	 * never does: refused, for the host's queue and the drive's. */
	load_bad(sptf_immed, true, "Scheduling policy = 8: not supported with "
	    "the drive's Immediate buffer read or write on");
	load_bad(deep_immed, false, "Immediate buffer read = 2: not supported "
	    "with the drive's queue under SPTF");
	/* A driver that keeps one request in the subsystem at a time. */
	load_ok(noq, true, &p);
	assert_int_equal(p.queue_depth, 1);
	disk_params_free(&p);
	/* The drive's own queue, when it holds more than one command. */
	load_ok(deep, true, &p);
	assert_int_equal(p.queue_depth, 4);
	assert_string_equal(p.scheduler, "sptf_opt");
	disk_params_free(&p);
}

/* ---- errors found once the drive is read, at their lines ------------------ */

/*
 * What only the drive as a whole shows wrong (disk_params_finish: a slip
 * listed twice, a track all spares, a zone ending before it begins, a
 * speed out of range) is an error naming the file and the line of the
 * value, as a value wrong on its own is — in the .diskspecs a .parv
 * sources too.  The lines are the template's.
 */
/*
 * Defects remapped to spares (the zone's "defects", DiskSim's defect and
 * remap lists): pairs of zone sectors (zone tracks under scheme 1), listed
 * in any order; one remapped to itself is none.  Without spares DiskSim's
 * mapping ignores them (g1_ltop_nosparing): noted.  What no drive could
 * be is refused at the line (test_disk's test_remapped_defects times a
 * transfer over one).
 */
static void
test_remapped_defects(void **state)
{
	/* Scheme 3, one spare a track (sector 19): track 0's sector 5 and
	 * track 3's (cylinder 1, head 1) sector 0 remapped to their tracks'
	 * spares, listed out of order; sector 7 to itself. */
	const struct subst sect[] = { { "@SPARING@", "3" }, { "@SPARES@", "1" },
	    { "@DEFECTS@", "60, 79, 7, 7, 5, 19" }, { NULL, NULL } };
	/* Scheme 1, two spare tracks (cylinder 9): track 2 -> track 19. */
	const struct subst track[] = { { "@SPARING@", "1" }, { "@SPARES@", "2" },
	    { "@DEFECTS@", "2, 19" }, { NULL, NULL } };
	const struct subst none[] = { { "@SPARING@", "0" },
	    { "@DEFECTS@", "5, 19" }, { NULL, NULL } };
	const struct subst past[] = { { "@SPARING@", "3" }, { "@SPARES@", "1" },
	    { "@DEFECTS@", "5, 400" }, { NULL, NULL } };
	const struct subst twice[] = { { "@SPARING@", "3" }, { "@SPARES@", "1" },
	    { "@DEFECTS@", "5, 19, 5, 39" }, { NULL, NULL } };
	const struct subst shared[] = { { "@SPARING@", "3" }, { "@SPARES@", "1" },
	    { "@DEFECTS@", "5, 19, 6, 19" }, { NULL, NULL } };
	const struct subst chain[] = { { "@SPARING@", "3" }, { "@SPARES@", "1" },
	    { "@DEFECTS@", "5, 6, 6, 19" }, { NULL, NULL } };
	const struct subst odd[] = { { "@SPARING@", "3" }, { "@SPARES@", "1" },
	    { "@DEFECTS@", "5, 19, 6" }, { NULL, NULL } };
	struct disk_params p;
	GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	int found = 0;
	guint i;

	(void)state;
	load_ok(sect, false, &p);
	assert_int_equal(p.zones[0].nremaps, 2);
	where(&p, 4, 0, 0, 4);
	where(&p, 5, 0, 0, 19);		/* on its track's spare */
	where(&p, 6, 0, 0, 6);
	where(&p, 7, 0, 0, 7);
	where(&p, 3 * 19, 1, 1, 19);	/* track 3's first block */
	where(&p, 3 * 19 + 1, 1, 1, 1);
	disk_params_free(&p);
	load_ok(track, true, &p);
	where(&p, 2 * 20 + 3, 9, 1, 3);	/* track 2 on cylinder 9, head 1 */
	where(&p, 3 * 20, 1, 1, 0);
	disk_params_free(&p);
	assert_true(load(none, false, &p, notes, &err));
	assert_int_equal(p.zones[0].nremaps, 0);
	where(&p, 5, 0, 0, 5);
	for (i = 0; i < notes->len; i++)
		found += strstr(g_ptr_array_index(notes, i), "drive.diskspecs:33: "
		    "defects = [...]: sparing scheme 0 has no spares: DiskSim's "
		    "mapping ignores") != NULL;
	assert_int_equal(found, 1);
	disk_params_free(&p);
	g_ptr_array_free(notes, TRUE);
	load_bad(past, false, "drive.diskspecs:33: defects = ...: zone 1: defect "
	    "5 remapped to 400: the zone has sectors 0 to 399");
	load_bad(twice, true, "drive.diskspecs:33: defects = ...: zone 1: defect "
	    "5 remapped twice");
	load_bad(shared, false, "zone 1: two defects remapped to 19");
	load_bad(chain, false, "zone 1: defect 5 remapped to 6, itself a "
	    "remapped defect");
	load_bad(odd, false, "drive.diskspecs:33: defects = ...: expected pairs");
}

static void
test_finish_errors_at_lines(void **state)
{
	const struct subst twice[] = { { "@SLIPS@", "5, 5" }, { NULL, NULL } };
	const struct subst track[] = { { "@SPARING@", "3" },
	    { "@SPARES@", "20" }, { NULL, NULL } };
	const struct subst backwards[] = { { "@FIRST@", "12" },
	    { "@CYLS@", "13" }, { NULL, NULL } };
	const struct subst slow[] = { { "@RPM@", "500" }, { NULL, NULL } };

	load_bad(twice, false, "drive.diskspecs:32: slips = ...: zone 1: slip "
	    "5 is listed twice");
	load_bad(twice, true, "drive.diskspecs:32: slips = ...: zone 1: slip "
	    "5 is listed twice");
	load_bad(track, false, "drive.diskspecs:31: Number of spares = 20: "
	    "zone 1: all of a track is spare");
	/* (the zone's end is taken for the one out of place) */
	load_bad(backwards, false, "drive.diskspecs:25: Last cylinder number = "
	    "9: zone 1: cylinders 12-9");
	load_bad(slow, true, "drive.diskspecs:15: Rotation speed (in rpms) = "
	    "500: disk.rpm must be between 1000 and 30000");
}

/* ---- numbers as libparam reads them ------------------------------------- */

/* What a word was read as before lp_word_num's plain decimals: the whole
 * word by strtod in the C locale, finite (DiskSim's lexer, libparam's
 * lex.l, hands a number's text to atof/strtod likewise). */
static bool
ref_num(const char *w, double *out)
{
	char *end;

	*out = g_ascii_strtod(w, &end);
	return end != w && *end == '\0' && isfinite(*out);
}

static void
check_word(const char *w)
{
	double a = 0, b = 0;
	bool ka = lp_word_num(w, &a), kb = ref_num(w, &b);

	if (ka != kb || (ka && memcmp(&a, &b, sizeof(a)) != 0))
		fail_msg("\"%s\": lp_word_num %d %.17g, strtod %d %.17g", w,
		    ka, a, kb, b);
}

/* lp_strtod: strtod's value to the bit and its end, whatever follows. */
static void
check_strtod(const char *s)
{
	char *ea, *eb;
	double a = lp_strtod(s, &ea), b = g_ascii_strtod(s, &eb);

	if (ea != eb || memcmp(&a, &b, sizeof(a)) != 0)
		fail_msg("\"%s\": lp_strtod %.17g to %td, strtod %.17g to %td",
		    s, a, ea - s, b, eb - s);
}

/*
 * Every word a number to the same bits as strtod makes it, or a word
 * alike: the decimals read without strtod (up to 15 digits, any point,
 * either sign) and those left to it (16 digits and more, exponents, hex,
 * inf and nan, stray points and signs), and 200,000 random decimals of 1
 * to 17 digits — the short ones whose m / 10^k a careless reading (a
 * product by 0.1^k, or digit by digit) rounds otherwise; and lp_strtod
 * (a seek curve's times) the same as strtod, value and end, on each of
 * them with blanks before and each of what may follow a number after.
 */
static void
test_word_num(void **state)
{
	static const char *const words[] = { "0", "-0", "+0", "0.0", "-0.0",
	    "1", "1.", ".5", "-.5", "+3", "007", "0.1", "0.3", "2.675",
	    "1.0000000000001", "123456789012345", "999999999999999",
	    "1234567890123456", "9007199254740993", "0.000000000000001",
	    "0.1234567890123456", "5360", "4.48", "0.030000", "1e3", "1E-2",
	    "0x10", "inf", "-inf", "nan", "1e400", ".", "-", "+", "",
	    "1.2.3", "1-", "--1", "1,", "one", "1 ", " 1", "0.", "-.", NULL };
	static const char *const after[] = { "", " ms", ",", ".5", "e3", "e",
	    "E-2", "x1", "5", "inf", "#", NULL };
	GRand *r = g_rand_new_with_seed(18);
	char w[32], s[64];
	int i, j, a;

	(void)state;
	for (i = 0; words[i] != NULL; i++) {
		check_word(words[i]);
		for (a = 0; after[a] != NULL; a++) {
			g_snprintf(s, sizeof(s), "%s%s%s", a % 2 ? " \t" : "",
			    words[i], after[a]);
			check_strtod(s);
		}
	}
	for (i = 0; i < 200000; i++) {
		int n = g_rand_int_range(r, 1, 18), pt = g_rand_int_range(r,
		    -1, n + 1), k = 0;

		if (g_rand_boolean(r))
			w[k++] = '-';
		for (j = 0; j < n; j++) {
			if (j == pt)
				w[k++] = '.';
			w[k++] = (char)('0' + g_rand_int_range(r, 0, 10));
		}
		if (pt == n)
			w[k++] = '.';
		w[k] = '\0';
		check_word(w);
		g_snprintf(s, sizeof(s), "%s%s", w, after[i % 11]);
		check_strtod(s);
	}
	g_rand_free(r);
}

/*
 * A key is its words joined by single blanks whatever lies between them
 * (blanks, lines, a comment), and every word and key stays whole after
 * the words and keys after it are read (diskparam.c keeps them in place
 * in a copy of the file's text): the same keys, values and lines as a
 * file written plainly.
 */
static void
test_keys_in_place(void **state)
{
	static const char text[] =
	    "disksim_disk D {\n"
	    "  Number\t of # a comment , = { [\n"
	    "   data   surfaces = 2,\n"
	    "  Block count = 1e3, List = [ 1, 2.5 ,x], Name = some_word,\n"
	    "  Inner = blk B { Deep  key = -0.25 } }\n";
	char *dir = g_dir_make_tmp("vfssim-keys-XXXXXX", NULL);
	char *path = g_build_filename(dir, "k.parv", NULL);
	struct lp_ctx c;
	struct pblock *b, *in;
	struct pparam *pp;
	struct pval *v;
	GError *err = NULL;

	(void)state;
	assert_true(g_file_set_contents(path, text, -1, NULL));
	lp_ctx_init(&c, &err, NULL);
	assert_true(lp_read(&c, path));
	b = lp_block_named(&c, "D");
	assert_non_null(b);
	assert_string_equal(b->type, "disksim_disk");
	assert_null(lp_find(b, "Number of"));
	pp = lp_find(b, "Number of data surfaces");
	assert_non_null(pp);
	assert_int_equal(pp->line, 2);
	assert_int_equal(pp->v->kind, PV_NUM);
	assert_true(pp->v->num == 2);
	assert_string_equal(pp->v->word, "2");
	pp = lp_find(b, "Block count");
	assert_true(pp->v->kind == PV_NUM && pp->v->num == 1000);
	assert_int_equal(pp->line, 4);
	v = lp_find(b, "List")->v;
	assert_int_equal(v->kind, PV_LIST);
	assert_int_equal(v->items->len, 3);
	assert_true(((struct pval *)g_ptr_array_index(v->items, 1))->num == 2.5);
	assert_int_equal(((struct pval *)g_ptr_array_index(v->items, 2))->kind,
	    PV_WORD);
	assert_string_equal(((struct pval *)g_ptr_array_index(v->items, 2))->word,
	    "x");
	pp = lp_find(b, "Name");
	assert_int_equal(pp->v->kind, PV_WORD);
	assert_string_equal(pp->v->word, "some_word");
	in = lp_sub_block(&c, b, "Inner", "blk");
	assert_non_null(in);
	assert_string_equal(in->name, "B");
	pp = lp_find(in, "Deep key");
	assert_non_null(pp);
	assert_true(pp->v->num == -0.25);
	assert_int_equal(pp->line, 5);
	assert_true(lp_all_read(&c, in));
	lp_ctx_free(&c);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

/* err's message from the file's name on (before it, the temporary
 * directory), err freed. */
static char *
msg_from(GError *err, const char *name)
{
	const char *at = strstr(err->message, name);
	char *m = g_strdup(at != NULL ? at : err->message);

	g_error_free(err);
	return m;
}

/* Read text as a file of its own: true, or false and the error's text
 * from the file's name on (*msg). */
static bool
read_text(const char *text, struct lp_ctx *c, char **msg)
{
	char *path = test_tmp_write("r.parv", text);
	GError *err = NULL;
	bool ok;

	lp_ctx_init(c, &err, NULL);
	ok = lp_read(c, path);
	*msg = ok ? NULL : msg_from(err, "r.parv:");
	test_tmp_remove(path);
	return ok;
}

/*
 * "disk0 .. disk2" in a list, a value's or an instantiate's, is the names
 * disk0, disk1 and disk2, as libparam's grammar makes them (its DOTDOT:
 * the stem and number of each end split off the trailing digits by
 * dumb_split, each name the stem and a number in decimal): DiskSim's
 * ascii.parv, hplajw.parv, syntharrays.parv and synthraid5.parv give a
 * logical organization's devices so, and vfssim had read "disk0 .." as a
 * block's type and name.  A range whose stems differ, that runs
 * backwards, whose stem is one character (dumb_split's quirk), or that
 * would make more than 65,536 names is refused, naming its line
 * (libparam: "bad lex range").
 */
static void
test_name_ranges(void **state)
{
	static const char text[] =
	    "disksim_disk D { Block count = 8 }\n"
	    "instantiate [ disk0 .. disk2, spare ] as D\n"
	    "disksim_logorg org0 {\n"
	    "   devices = [ disk0 .. disk2 ],\n"
	    "   more = [ a, dd07 .. dd9, b ],\n"
	    "   Stripe unit = 64\n"
	    "}\n";
	static const char *const want[] = { "a", "dd7", "dd8", "dd9", "b" };
	struct lp_ctx c;
	struct pblock *b;
	struct pval *v;
	char *msg;
	guint i;

	(void)state;
	assert_true(read_text(text, &c, &msg));
	for (i = 0; i < 3; i++) {
		char name[8];

		g_snprintf(name, sizeof(name), "disk%u", i);
		assert_non_null(lp_instance_block(&c, name));
	}
	assert_non_null(lp_instance_block(&c, "spare"));
	assert_null(lp_instance_block(&c, ".."));
	assert_null(lp_instance_block(&c, "disk3"));
	b = lp_block_named(&c, "org0");
	assert_non_null(b);
	v = lp_find(b, "devices")->v;
	assert_int_equal(v->kind, PV_LIST);
	assert_int_equal(v->items->len, 3);
	assert_string_equal(((struct pval *)g_ptr_array_index(v->items, 2))->word,
	    "disk2");
	v = lp_find(b, "more")->v;
	assert_int_equal(v->items->len, G_N_ELEMENTS(want));
	for (i = 0; i < G_N_ELEMENTS(want); i++)
		assert_string_equal(((struct pval *)g_ptr_array_index(v->items,
		    i))->word, want[i]);
	assert_true(lp_find(b, "Stripe unit")->v->num == 64);
	lp_ctx_free(&c);

	assert_false(read_text("x { l = [ disk0 .. bus3 ] }\n", &c, &msg));
	assert_non_null(strstr(msg, "r.parv:1: \"disk0 .. bus3\" is no range"));
	lp_ctx_free(&c);
	g_free(msg);
	assert_false(read_text("x {\n l = [ dd5 .. dd2 ] }\n", &c, &msg));
	assert_non_null(strstr(msg, "r.parv:2: \"dd5 .. dd2\" is no range"));
	lp_ctx_free(&c);
	g_free(msg);
	assert_false(read_text("x { l = [ d0 .. d2 ] }\n", &c, &msg));
	assert_non_null(strstr(msg, "r.parv:1: \"d0 .. d2\" is no range"));
	lp_ctx_free(&c);
	g_free(msg);
	assert_false(read_text("instantiate [ dd0 .. dd99999999 ] as X\n", &c,
	    &msg));
	assert_non_null(strstr(msg, "r.parv:1: \"dd0 .. dd99999999\" is no "
	    "range"));
	lp_ctx_free(&c);
	g_free(msg);
	/* Nor may a file's ranges make more than 2^20 names in all. */
	{
		GString *g = g_string_new("x {\n l = [ ");
		int k;

		for (k = 0; k < 17; k++)
			g_string_append(g, "dd0 .. dd65535, ");
		g_string_append(g, "z ] }\n");
		assert_false(read_text(g->str, &c, &msg));
		assert_non_null(strstr(msg, "r.parv:2: more than 1048576 names "
		    "made by ranges"));
		lp_ctx_free(&c);
		g_free(msg);
		g_string_free(g, TRUE);
	}
	assert_false(read_text("x { l = [ dd0 .. ] }\n", &c, &msg));
	assert_non_null(strstr(msg, "expected a name after '..'"));
	lp_ctx_free(&c);
	g_free(msg);
}

/* A seek curve file (diskspecs_read_seek): its points, or false with an
 * error naming the line. */
static bool
seek_file(const char *text, int *n, int64_t **d, double **ms, char **msg)
{
	char *path = test_tmp_write("c.seek", text);
	GError *err = NULL;
	bool ok;

	ok = diskspecs_read_seek(path, n, d, ms, &err);
	*msg = ok ? NULL : msg_from(err, "c.seek:");
	test_tmp_remove(path);
	return ok;
}

/*
 * A seek curve read as sscanf's "%lld , %lf" read it before
 * diskspecs_read_seek did without it: "distance, ms" a line, blanks either side of the comma, whatever
 * follows the time not looked at, blank lines, comments and the "Seek
 * distances measured:" line skipped; distances ascending from 1, times
 * not negative, else an error at the line.
 */
static void
test_read_seek(void **state)
{
	int n;
	int64_t *d;
	double *ms;
	char *msg;

	(void)state;
	assert_true(seek_file("Seek distances measured: 3\n\n# c\n1, 1.5\n"
	    "  2 ,\t2.25 ms\n5,3e0\n9,0.1234567890123456789", &n, &d, &ms,
	    &msg));
	assert_int_equal(n, 4);
	assert_true(d[0] == 1 && d[1] == 2 && d[2] == 5 && d[3] == 9);
	assert_true(ms[0] == 1.5 && ms[1] == 2.25 && ms[2] == 3.0 &&
	    ms[3] == 0.1234567890123456789);
	g_free(d);
	g_free(ms);
	assert_false(seek_file("1, 1\n2, x\n", &n, &d, &ms, &msg));
	assert_string_equal(msg, "c.seek:2: expected \"distance, ms\" with "
	    "distances ascending from 1");
	g_free(msg);
	assert_false(seek_file("1, 1\n\n3, 2\n3, 4\n", &n, &d, &ms, &msg));
	assert_string_equal(msg, "c.seek:4: expected \"distance, ms\" with "
	    "distances ascending from 1");
	g_free(msg);
	assert_false(seek_file("1 2\n", &n, &d, &ms, &msg));
	assert_non_null(strstr(msg, "c.seek:1:"));
	g_free(msg);
	assert_false(seek_file("0, 1\n", &n, &d, &ms, &msg));
	assert_non_null(strstr(msg, "c.seek:1:"));
	g_free(msg);
	assert_false(seek_file("1, -1\n", &n, &d, &ms, &msg));
	assert_non_null(strstr(msg, "c.seek:1:"));
	g_free(msg);
	assert_false(seek_file("# nothing\n", &n, &d, &ms, &msg));
	assert_non_null(strstr(msg, "c.seek: no seek times"));
	g_free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_count_and_cylinders),
		cmocka_unit_test(test_slips_out_of_order),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_disconnect_if_seek),
		cmocka_unit_test(test_negative_settle),
		cmocka_unit_test(test_sparing_5_6_7),
		cmocka_unit_test(test_mapping_1_2),
		cmocka_unit_test(test_skews),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_remapped_defects),
		cmocka_unit_test(test_finish_errors_at_lines),
		cmocka_unit_test(test_word_num),
		cmocka_unit_test(test_keys_in_place),
		cmocka_unit_test(test_read_seek),
		cmocka_unit_test(test_name_ranges),
	};

	return cmocka_run_group_tests_name("diskspecs", tests, NULL, NULL);
}
