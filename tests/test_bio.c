/* Unit tests of the buffer cache: hits and misses, LRU order, delayed
 * writes and who writes them, bwillwrite, and the accounting invariants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "file.h"
#include "kern.h"
#include "profile.h"

struct machine {
	struct sim	*s;
	struct kern	*k;
	struct profile	*prof;
	struct vnode	*vp;		/* /f, 8 MB, preallocated */
};

static void
boot(struct machine *m, const char *const *sets)
{
	GError *err = NULL;

	m->s = sim_create();
	m->prof = profile_new();
	for (; sets != NULL && *sets != NULL; sets++)
		assert_true(profile_set(m->prof, *sets, &err));
	m->k = kern_boot(m->s, m->prof, &err);
	assert_non_null(m->k);
	assert_int_equal(vn_create(m->k, vn_root(m->k), "f", VREG, &m->vp), 0);
	assert_true(ffs_prealloc(m->k, m->vp->v_data, 8 << 20));
	vref(m->vp);
}

static void
shutdown_machine(struct machine *m)
{
	bufcache_check(m->k);
	sim_destroy(m->s);
	kern_shutdown(m->k);
	profile_free(m->prof);
}

/* Run fn as a user process until it returns. */
static void
run(struct machine *m, sim_proc_fn *fn)
{
	sim_spawn(m->s, "test", fn, m, 0);
	assert_int_equal(sim_run(m->s), SIM_DONE);
	bufcache_check(m->k);
}

/* ---- a miss reads from the disk; the second read hits ---------------- */

static struct { uint64_t reads_after_first, reads_after_second; int cached; } hm;

static void
hitmiss_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp;

	assert_int_equal(bread(m->k, m->vp, 5, m->k->bc.bsize, &bp), 0);
	hm.cached = (bp->b_flags & B_CACHE) != 0;
	bqrelse(m->k, bp);
	hm.reads_after_first = m->k->disk.st.reads;
	assert_int_equal(bread(m->k, m->vp, 5, m->k->bc.bsize, &bp), 0);
	bqrelse(m->k, bp);
	hm.reads_after_second = m->k->disk.st.reads;
}

static void
test_hit_miss(void **state)
{
	struct machine m;

	boot(&m, NULL);
	run(&m, hitmiss_body);
	assert_true(hm.cached);
	assert_int_equal(hm.reads_after_first, 1);
	assert_int_equal(hm.reads_after_second, 1);
	assert_int_equal(m.k->cnt.bread, 2);
	assert_int_equal(m.k->cnt.bread_hits, 1);
	/* the block came from where the file's block 5 lives */
	assert_int_equal(m.k->disk.st.sectors_read, m.k->bc.bsize / DEV_BSIZE);
	shutdown_machine(&m);
}

/* ---- LRU: the least recently used clean buffer is the one recycled --- */

static void
lru_body(void *arg)
{
	struct machine *m = arg;
	int nbuf = m->k->bc.nbuf, i;
	struct buf *bp;

	for (i = 0; i < nbuf; i++) {
		bread(m->k, m->vp, i, m->k->bc.bsize, &bp);
		bqrelse(m->k, bp);
	}
	/* touch block 0: now block 1 is the oldest */
	bread(m->k, m->vp, 0, m->k->bc.bsize, &bp);
	bqrelse(m->k, bp);
	/* one more block needs a buffer */
	bread(m->k, m->vp, nbuf, m->k->bc.bsize, &bp);
	bqrelse(m->k, bp);
}

static void
test_lru(void **state)
{
	static const char *const sets[] = { "bio.nbuf=16", NULL };
	struct machine m;
	struct buf *bp;
	int i;

	boot(&m, sets);
	assert_int_equal(m.k->bc.nbuf, 16);
	run(&m, lru_body);
	assert_non_null(incore(m.k, m.vp, 0));
	assert_null(incore(m.k, m.vp, 1));
	for (i = 2; i <= 16; i++)
		assert_non_null(incore(m.k, m.vp, i));
	/* CLEAN is in LRU order: oldest (2) first, newest (16) last */
	bp = TAILQ_FIRST(&m.k->bc.queues[QUEUE_CLEAN]);
	assert_int_equal(bp->b_lblkno, 2);
	bp = TAILQ_LAST(&m.k->bc.queues[QUEUE_CLEAN], bufqueue);
	assert_int_equal(bp->b_lblkno, 16);
	shutdown_machine(&m);
}

/* ---- delayed writes: dirty until the syncer's filedelay -------------- */

static struct { int dirty_after; uint64_t writes_after; } dw;

static void
dirty_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp = getblk(m->k, m->vp, 3, m->k->bc.bsize);

	bp->b_flags |= B_CACHE;
	bdwrite(m->k, bp);
	dw.dirty_after = m->k->bc.numdirtybuffers;
	dw.writes_after = m->k->disk.st.writes;
	/* Stay around long enough for the syncer to act. */
	sim_pause(m->k->sim, 29 * SIM_SEC);
	dw.writes_after += 100 * m->k->disk.st.writes;	/* still 0 at 29 s */
	sim_pause(m->k->sim, 3 * SIM_SEC);
}

static void
test_delayed_write(void **state)
{
	struct machine m;

	boot(&m, NULL);
	run(&m, dirty_body);
	assert_int_equal(dw.dirty_after, 1);
	assert_int_equal(dw.writes_after, 0);		/* none by 29 s */
	assert_int_equal(m.k->disk.st.writes, 1);	/* written by 32 s */
	assert_int_equal(m.k->bc.numdirtybuffers, 0);
	assert_int_equal(m.k->cnt.syncer_writes, 1);
	shutdown_machine(&m);
}

/* A shorter filedelay makes the syncer write sooner. */
static void
short_delay_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp = getblk(m->k, m->vp, 3, m->k->bc.bsize);

	bp->b_flags |= B_CACHE;
	bdwrite(m->k, bp);
	sim_pause(m->k->sim, 7 * SIM_SEC);
}

static void
test_filedelay(void **state)
{
	static const char *const sets[] = { "kern.filedelay=5s", NULL };
	struct machine m;

	boot(&m, sets);
	run(&m, short_delay_body);
	assert_int_equal(m.k->disk.st.writes, 1);
	shutdown_machine(&m);
}

/* ---- bwillwrite: a writer stalls at hidirtybuffers -------------------- */

static void
flood_body(void *arg)
{
	struct machine *m = arg;
	int i;

	/* 3 MB: more than buf_daemon may have in flight (hirunningspace,
	 * 1 MB), so it waits in "wdrain" while the writer dirties on. */
	for (i = 0; i < 100 * 4; i++) {
		struct buf *bp;

		bwillwrite(m->k);
		bp = getblk(m->k, m->vp, i, m->k->bc.bsize);
		bp->b_flags |= B_CACHE;
		bdwrite(m->k, bp);
		bufcache_check(m->k);
	}
}

static void
test_bwillwrite(void **state)
{
	static const char *const sets[] = { "bio.nbuf=512", "vfs.hidirtybuffers=20",
	    "vfs.lodirtybuffers=10", NULL };
	struct machine m;

	boot(&m, sets);
	run(&m, flood_body);
	assert_true(m.k->cnt.bwillwrite_stalls > 0);
	assert_true(m.k->cnt.wdrain_waits > 0);
	/* the writer never gets past hidirtybuffers */
	assert_true(m.k->cnt.dirty_peak <= 20);
	assert_true(m.k->cnt.bufdaemon_writes > 0);
	shutdown_machine(&m);
}

/* ---- fsync: everything the vnode had dirty is on disk after it ------- */

static void
fsync_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 10; i++) {
		struct buf *bp = getblk(m->k, m->vp, i, m->k->bc.bsize);

		bp->b_flags |= B_CACHE;
		bdwrite(m->k, bp);
	}
	VOP_FSYNC(m->k, m->vp, MNT_WAIT);
}

static void
test_fsync(void **state)
{
	struct machine m;

	boot(&m, NULL);
	run(&m, fsync_body);
	assert_int_equal(m.k->disk.st.writes, 10);
	assert_int_equal(m.vp->v_numoutput, 0);
	assert_int_equal(m.k->bc.numdirtybuffers, 0);
	assert_true(TAILQ_EMPTY(&m.vp->v_dirtyblkhd));
	assert_false(m.vp->v_flag & VONWORKLST);
	shutdown_machine(&m);
}

/* ---- the kernel's own sizing of the cache from memory ---------------- */

static void
test_sizing(void **state)
{
	static const char *const sets[] = { "machine.memory=128M", NULL };
	struct machine m;

	/* 128 MB: 50 + 1024 + 409 = 1483 buffers, hidirtybuffers 390. */
	boot(&m, sets);
	assert_int_equal(m.k->bc.nbuf, 1483);
	assert_int_equal(m.k->bc.hidirtybuffers, 390);
	assert_int_equal(m.k->bc.lodirtybuffers, 195);
	shutdown_machine(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_miss),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_delayed_write),
		cmocka_unit_test(test_filedelay),
		cmocka_unit_test(test_bwillwrite),
		cmocka_unit_test(test_fsync),
		cmocka_unit_test(test_sizing),
	};

	return cmocka_run_group_tests_name("bio", tests, NULL, NULL);
}
