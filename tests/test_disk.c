/* Unit tests of the drive's mechanics: seek curve, rotation from absolute
 * time, transfer across tracks, and the timing of a known request pair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "disk.h"
#include "engine.h"

/* 6000 rpm: 10 ms a revolution; 100 sectors a track: 0.1 ms a sector. */
static const struct disk_params P = {
	.rpm = 6000,
	.cylinders = 1000,
	.heads = 2,
	.sectors_per_track = 100,
	.seek_boundary = 100,
	.seek_a = 1.0, .seek_b = 0.5,		/* d < 100: 1 + 0.5 sqrt(d) ms */
	.seek_c = 5.0, .seek_e = 0.01,		/* d >= 100: 5 + 0.01 d ms */
	.seek_single = 1000000,			/* 1 ms */
	.head_switch = 500000,			/* 0.5 ms */
	.write_settle = 200000,
	.overhead = 0,
};

static void
test_seek_curve(void **state)
{
	struct sim *s = sim_create();
	struct disk d;

	disk_init(&d, s, &P, diskq_lookup("fcfs"));
	assert_int_equal(disk_seek_time(&d, 0), 0);
	assert_int_equal(disk_seek_time(&d, 1), 1000000);
	assert_int_equal(disk_seek_time(&d, 4), 2000000);	/* 1 + 0.5*2 */
	assert_int_equal(disk_seek_time(&d, 99), 5974937);	/* 1 + 0.5*sqrt(99) */
	assert_int_equal(disk_seek_time(&d, 100), 6000000);	/* 5 + 0.01*100 */
	assert_int_equal(disk_seek_time(&d, 999), 14990000);
	assert_int_equal(disk_capacity(&d), 200000);
	sim_destroy(s);
}

static void
test_locate(void **state)
{
	struct sim *s = sim_create();
	struct disk d;
	int64_t cyl;
	int head, sect;

	disk_init(&d, s, &P, diskq_lookup("fcfs"));
	disk_locate(&d, 150, &cyl, &head, &sect);
	assert_int_equal(cyl, 0);
	assert_int_equal(head, 1);
	assert_int_equal(sect, 50);
	disk_locate(&d, 2020, &cyl, &head, &sect);
	assert_int_equal(cyl, 10);
	assert_int_equal(head, 0);
	assert_int_equal(sect, 20);
	sim_destroy(s);
}

struct pair {
	struct sim	*s;
	struct disk	 d;
	struct diskreq	 r[2];
	int		 done;
	sim_time_t	 at[2];
};

static void
pair_done(void *arg, struct diskreq *r)
{
	struct pair *p = arg;

	p->at[r == &p->r[0] ? 0 : 1] = sim_now(p->s);
	p->done++;
}

static void
submit(struct sim *s, void *arg)
{
	struct pair *p = arg;

	disk_strategy(&p->d, &p->r[0]);
	disk_strategy(&p->d, &p->r[1]);
}

static void
idle(void *arg)
{
	sim_pause(arg, 100000000);	/* keeps the run alive for 100 ms */
}

/*
 * Two reads queued at t = 0, served in order (FCFS):
 *  r0: sector 150 = cylinder 0, head 1, sector 50, 8 sectors.  The head is
 *      on cylinder 0 head 0: a head switch (0.5 ms).  At 0.5 ms sector 5 is
 *      under the head; sector 50 arrives 45 sectors later (4.5 ms); the
 *      transfer takes 8 x 0.1 ms: done at 5.8 ms.
 *  r1: sector 2020 = cylinder 10, head 0, sector 20, 16 sectors.  Seek 10
 *      cylinders: 1 + 0.5 sqrt(10) = 2.581139 ms, arriving at 8.381139 ms
 *      over sector 83.81139; sector 20 comes 36.18861 sectors later
 *      (3.618861 ms), at 12.0 ms; 16 sectors take 1.6 ms: done at 13.6 ms.
 */
static void
test_request_pair(void **state)
{
	struct pair p;

	memset(&p, 0, sizeof(p));
	p.s = sim_create();
	disk_init(&p.d, p.s, &P, diskq_lookup("fcfs"));
	p.d.done = pair_done;
	p.d.done_arg = &p;
	p.r[0].sector = 150;
	p.r[0].nsect = 8;
	p.r[1].sector = 2020;
	p.r[1].nsect = 16;
	sim_at(p.s, 0, submit, &p);
	sim_spawn(p.s, "idle", idle, p.s, 0);
	assert_int_equal(sim_run(p.s), SIM_DONE);
	assert_int_equal(p.done, 2);

	assert_int_equal(p.r[0].seek_ns, 500000);
	assert_int_equal(p.r[0].rot_ns, 4500000);
	assert_int_equal(p.r[0].xfer_ns, 800000);
	assert_int_equal(p.r[0].end, 5800000);
	assert_int_equal(p.at[0], 5800000);

	assert_int_equal(p.r[1].submit, 0);
	assert_int_equal(p.r[1].start, 5800000);
	assert_int_equal(p.r[1].seek_ns, 2581139);
	assert_true(llabs(p.r[1].rot_ns - 3618861) <= 1);
	assert_int_equal(p.r[1].xfer_ns, 1600000);
	assert_true(llabs(p.r[1].end - 13600000) <= 1);
	assert_int_equal(p.d.st.reads, 2);
	assert_int_equal(p.d.cur_cyl, 10);
	sim_destroy(p.s);
}

/* A transfer that runs off the end of a track continues on the next
 * surface after a head switch, and onto the next cylinder after a
 * one-cylinder seek. */
static void
test_track_crossing(void **state)
{
	struct sim *s = sim_create();
	struct disk d;
	struct diskreq r;

	disk_init(&d, s, &P, diskq_lookup("fcfs"));
	memset(&r, 0, sizeof(r));
	r.sector = 90;		/* cyl 0 head 0 sector 90: 10 left on the track */
	r.nsect = 20;
	disk_service(&d, &r, 9000000);	/* 9 ms: sector 90 is under the head */
	assert_int_equal(r.seek_ns, 0);
	assert_int_equal(r.rot_ns, 0);
	assert_int_equal(r.xfer_ns, 20 * 100000 + 500000);
	assert_int_equal(d.cur_head, 1);

	r.sector = 195;		/* cyl 0 head 1 sector 95 -> cyl 1 head 0 */
	r.nsect = 10;
	disk_service(&d, &r, r.end);
	assert_int_equal(d.cur_cyl, 1);
	assert_int_equal(d.cur_head, 0);
	assert_int_equal(r.xfer_ns, 10 * 100000 + 1000000);
	sim_destroy(s);
}

/* Rotation depends on absolute time: the same request costs a different
 * wait a little later. */
static void
test_rotation_absolute(void **state)
{
	struct sim *s = sim_create();
	struct disk d;
	struct diskreq r;

	disk_init(&d, s, &P, diskq_lookup("fcfs"));
	memset(&r, 0, sizeof(r));
	r.sector = 30;
	r.nsect = 1;
	disk_service(&d, &r, 0);
	assert_int_equal(r.rot_ns, 3000000);
	disk_service(&d, &r, 10000000 + 2500000);	/* sector 25 under it */
	assert_int_equal(r.rot_ns, 500000);
	disk_service(&d, &r, 10000000 + 3100000);	/* just missed: a lap */
	assert_int_equal(r.rot_ns, 9900000);
	sim_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seek_curve),
		cmocka_unit_test(test_locate),
		cmocka_unit_test(test_request_pair),
		cmocka_unit_test(test_track_crossing),
		cmocka_unit_test(test_rotation_absolute),
	};

	return cmocka_run_group_tests_name("disk", tests, NULL, NULL);
}
