/* Unit tests of the buffer cache and the page cache under it: sizing,
 * hits and misses, LRU order, the page cache surviving buffer recycling,
 * delayed writes and who writes them, bwillwrite, fsync, VMIO
 * directories, low memory, replacement policies, nothing lost — with the
 * accounting invariants checked after every event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testkern.h"

/* A machine with /f, 8 MB preallocated, held open (m->vp). */
static void
boot_with(struct machine *m, const char *const *sets, bool check)
{
	machine_boot(m, check ? machine_checked : NULL, sets);
	m->vp = machine_mkfile(m, "f", 8 << 20);
}

static void
boot(struct machine *m, const char *const *sets)
{
	boot_with(m, sets, true);
}

/* Run fn as a user process until it returns. */
static void
run(struct machine *m, sim_proc_fn *fn)
{
	machine_run(m, "test", fn, m);
	bufcache_check(m->k);
}

/* ---- sizing: the kernel's formulas ------------------------------------ */

static void
test_sizing(void **state)
{
	/* memory, nbuf, hidirtybuffers, lodirtybuffers, lofreebuffers,
	 * hibufspace, nswbuf — worked out by hand from bufinit() — and the
	 * buffer hash's chains: bufhashinit's smallest power of two of at
	 * least 8 and nbuf / 4 */
	static const struct {
		const char *mem;
		int nbuf, hidirty, lodirty, lofree;
		int64_t hibufspace;
		int nswbuf;
		unsigned chains;
	} want[] = {
		{ "32M", 498, 144, 72, 32, 498LL * 16384 - 655360, 64, 128 },
		{ "64M", 1010, 272, 136, 61, 1010LL * 16384 - 655360, 64, 256 },
		{ "128M", 1483, 390, 195, 87, 1483LL * 16384 - 655360, 64, 512 },
		{ "256M", 2302, 595, 297, 132, 2302LL * 16384 - 655360, 64, 1024 },
		{ "1G", 7218, 1824, 912, 406, 7218LL * 16384 - 655360, 64, 2048 },
	};
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		char *set = g_strdup_printf("machine.memory=%s", want[i].mem);
		const char *sets[] = { set, NULL };
		struct machine m;

		boot_with(&m, sets, false);
		assert_int_equal(m.k->bc.nbuf, want[i].nbuf);
		assert_int_equal(m.k->bc.hidirtybuffers, want[i].hidirty);
		assert_int_equal(m.k->bc.lodirtybuffers, want[i].lodirty);
		assert_int_equal(m.k->bc.lofreebuffers, want[i].lofree);
		assert_int_equal(m.k->bc.hifreebuffers, 2 * want[i].lofree);
		assert_int_equal(m.k->bc.maxbufspace, (int64_t)want[i].nbuf * 16384);
		assert_int_equal(m.k->bc.hibufspace, want[i].hibufspace);
		assert_int_equal(m.k->bc.lobufspace, want[i].hibufspace - 65536);
		assert_int_equal(m.k->bc.nswbuf, want[i].nswbuf);
		assert_int_equal(m.k->vm.cluster_pbuf_freecnt, want[i].nswbuf / 2);
		assert_int_equal(m.k->bc.hashmask + 1, want[i].chains);
		machine_shutdown(&m);
		g_free(set);
	}
}

/* The VM thresholds for 128 MB (vm_pageout.c). */
static void
test_vm_thresholds(void **state)
{
	struct machine m;
	struct vmmeter *c;

	boot_with(&m, NULL, false);
	c = &m.k->vm.cnt;
	assert_int_equal(c->v_page_count, 32768);
	/* v_free_min = 4 + (32768 - 1024) / 200 = 162; reserved = 16 + 34 +
	 * 32768/768 = 92; severe = 162/2 + 92 = 173; min += reserved = 254;
	 * target = 4 * 254 + 92 = 1108. */
	assert_int_equal(c->v_free_reserved, 92);
	assert_int_equal(c->v_free_severe, 173);
	assert_int_equal(c->v_free_min, 254);
	assert_int_equal(c->v_free_target, 1108);
	assert_int_equal(c->v_cache_min, 1108);
	assert_int_equal(c->v_cache_max, 2216);
	assert_int_equal(c->v_inactive_target, 1662);
	machine_shutdown(&m);
}

/* ---- a miss reads from the disk; the second read hits ---------------- */

static struct { uint64_t reads_after_first, reads_after_second; int cached; } hm;

static void
hitmiss_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp;

	assert_int_equal(bread(m->k, m->vp, 5, m->bsize, &bp), 0);
	hm.cached = (bp->b_flags & B_CACHE) != 0;
	bqrelse(m->k, bp);
	hm.reads_after_first = m->k->disk.st.reads;
	assert_int_equal(bread(m->k, m->vp, 5, m->bsize, &bp), 0);
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
	assert_int_equal(m.k->disk.st.sectors_read, m.bsize / DEV_BSIZE);
	/* the buffer's pages belong to the file's VM object */
	assert_int_equal(vm_object_resident(m.vp), m.bsize / PAGE_SIZE);
	machine_shutdown(&m);
}

/* ---- LRU: the least recently released clean buffer is recycled ------ */

static void
lru_body(void *arg)
{
	struct machine *m = arg;
	int n = 24, i;
	struct buf *bp;

	for (i = 0; i < n; i++) {
		bread(m->k, m->vp, i, m->bsize, &bp);
		bqrelse(m->k, bp);
	}
	/* touch block 0 again: now block 1 is the oldest */
	bread(m->k, m->vp, 0, m->bsize, &bp);
	bqrelse(m->k, bp);
	for (i = n; i < n + 4; i++) {
		bread(m->k, m->vp, i, m->bsize, &bp);
		bqrelse(m->k, bp);
	}
}

static void
test_lru(void **state)
{
	/* 24 buffers' worth of KVA below lobufspace: the cache grows to 24,
	 * then recycles the oldest released. */
	static const char *const sets[] = { "bio.nbuf=32",
	    "bio.lobufspace=393216", "bio.hibufspace=458752", NULL };
	struct machine m;
	struct buf *bp;

	boot(&m, sets);
	run(&m, lru_body);
	assert_non_null(incore(m.k, m.vp, 0));	/* touched: kept */
	assert_null(incore(m.k, m.vp, 1));	/* oldest: recycled first */
	assert_null(incore(m.k, m.vp, 2));
	bp = TAILQ_LAST(&m.k->bc.queues[QUEUE_CLEAN], bufqueue);
	assert_int_equal(bp->b_lblkno, 27);
	/* bufspace stayed between the marks */
	assert_true(m.k->bc.bufspace <= m.k->bc.hibufspace);
	machine_shutdown(&m);
}

/* ---- the page cache outlives buffer space ----------------------------- */

static struct { uint64_t reads1, reads2; int64_t size; } pc;

static void
pagecache_body(void *arg)
{
	struct machine *m = arg;
	int nblk = (int)(pc.size / m->bsize), pass, i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nblk; i++) {
			struct buf *bp;

			bread(m->k, m->vp, i, m->bsize, &bp);
			bqrelse(m->k, bp);
		}
		if (pass == 0)
			pc.reads1 = m->k->disk.st.reads;
		else
			pc.reads2 = m->k->disk.st.reads;
	}
}

static void
test_pagecache(void **state)
{
	/* 64 buffers (1 MB of buffer space) on a 128 MB machine; a 4 MB file
	 * read twice: the second pass finds every block in the page cache.
	 * The block size is incidental: one read, then one page-cache hit,
	 * a block (256 of newfs's 16 KB blocks); 1024 4 KB pages resident. */
	static const char *const sets[] = { "bio.nbuf=64", NULL };
	struct machine m;
	int nblk;

	boot(&m, sets);
	pc.size = 4 << 20;
	nblk = (int)(pc.size / m.bsize);
	assert_int_equal(nblk, 256);
	run(&m, pagecache_body);
	assert_int_equal(pc.reads1, nblk);
	assert_int_equal(pc.reads2, nblk);		/* no disk reads at all */
	assert_int_equal(m.k->cnt.pagecache_hits, nblk);
	assert_int_equal(vm_object_resident(m.vp), 1024);
	machine_shutdown(&m);
}

/* ... but not when the file is twice the memory left for caching: read in
 * the same order again, LRU has always just evicted the next block. */
static void
test_pagecache_small(void **state)
{
	static const char *const sets[] = { "bio.nbuf=64", "machine.memory=8M",
	    "vm.kernel_wired=4M", NULL };
	struct machine m;

	boot(&m, sets);
	pc.size = 8 << 20;
	run(&m, pagecache_body);
	if (pc.reads2 - pc.reads1 <= 256)
		fail_msg("first pass %llu reads, second %llu",
		    (unsigned long long)pc.reads1,
		    (unsigned long long)(pc.reads2 - pc.reads1));
	assert_true(m.k->vm.freed_from_cache > 0);	/* cached pages reused */
	machine_shutdown(&m);
}

/* ---- delayed writes: dirty until the syncer ---------------------------
 *
 * A block written with bdwrite stays dirty until something writes it.
 * Without memory pressure that is the syncer, by whichever comes first:
 * the vnode's own slot on the wheel, kern.filedelay after it first got
 * dirty (reassignbuf -> vn_syncer_add_to_worklist), or the mount's syncer
 * vnode sweeping the file system — sync_fsync -> ffs_sync(MNT_LAZY), which
 * VOP_FSYNCs every vnode with dirty buffers, first 16 s after boot (the
 * first mount's offset in vfs_allocate_syncvnode) and every syncdelay
 * (30 s) after.  So with the default 30 s filedelay, a block dirtied at
 * 1 s is written by the sweep at 16 s, and a filedelay longer than the
 * time to the next sweep changes nothing. */

static struct { int dirty_after; uint64_t writes_before, writes_after; } dw;

/* Sleep until absolute simulated time t. */
static void
sleep_until(struct kern *k, sim_time_t t)
{
	if (t > sim_now(k->sim))
		sim_pause(k->sim, t - sim_now(k->sim));
}

/* Dirty block 3 at dirty_at; count the disk's writes just before and
 * just after t. */
static sim_time_t dw_dirty_at, dw_t;

static void
dirty_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp;

	sleep_until(m->k, dw_dirty_at);
	bp = getblk(m->k, m->vp, 3, m->bsize);
	vfs_bio_clrbuf(m->k, bp);
	bdwrite(m->k, bp);
	dw.dirty_after = m->k->bc.numdirtybuffers;
	sleep_until(m->k, dw_t - 100 * SIM_MS);
	dw.writes_before = m->k->disk.st.writes;
	sleep_until(m->k, dw_t + 500 * SIM_MS);
	dw.writes_after = m->k->disk.st.writes;
}

static void
delayed_write(const char *const *sets, sim_time_t dirty_at, sim_time_t t)
{
	struct machine m;

	dw_dirty_at = dirty_at;
	dw_t = t;
	memset(&dw, 0, sizeof(dw));
	boot(&m, sets);
	run(&m, dirty_body);
	assert_int_equal(dw.dirty_after, 1);
	assert_int_equal(dw.writes_before, 0);		/* none before t */
	assert_int_equal(dw.writes_after, 1);		/* written at t */
	assert_int_equal(m.k->bc.numdirtybuffers, 0);
	assert_int_equal(m.k->bc.writes_by[BW_SYNCER], 1);
	machine_shutdown(&m);
}

static void
test_delayed_write(void **state)
{
	/* Dirtied at 1.5 s: the sweep at 16 s writes it, 14.5 s later,
	 * not its own slot 30 s on. */
	delayed_write(NULL, 1500 * SIM_MS, 16 * SIM_SEC);
	/* Dirtied at 17.5 s, just after the first sweep: the next one, at
	 * 46 s, still comes before its slot (the wheel holds it at most
	 * syncer_maxdelay - 2 = 30 slots ahead of the next, 48 s). */
	delayed_write(NULL, 17500 * SIM_MS, 46 * SIM_SEC);
}

static void
test_filedelay(void **state)
{
	static const char *const five[] = { "kern.filedelay=5s", NULL };
	static const char *const twenty[] = { "kern.filedelay=20s", NULL };

	/* A filedelay shorter than the time to the next sweep counts: the
	 * vnode's slot comes first.  Dirtied at 1.5 s, after the syncer took
	 * slot 1 (sched_sync advances syncer_delayno as it takes a slot), it
	 * goes 5 slots past the next one: slot 7, taken at 7 s. */
	delayed_write(five, 1500 * SIM_MS, 7 * SIM_SEC);
	/* A longer one does not: the sweep at 16 s writes the block, not
	 * its slot at 22 s. */
	delayed_write(twenty, 1500 * SIM_MS, 16 * SIM_SEC);
}

/* While writes are suspended (5.0-CURRENT), sched_sync's
 * vn_start_write(V_NOWAIT) fails and the vnode goes back on the wheel
 * syncdelay (30 s) later, as a locked one does — the 2001 code; moving it
 * to the next slot is 2003's.  And sync_fsync, due while suspended,
 * re-queues itself and skips its sweep. */
static sim_time_t su_from, su_to;

static void
suspend_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp;

	sleep_until(m->k, dw_dirty_at);
	bp = getblk(m->k, m->vp, 3, m->bsize);
	vfs_bio_clrbuf(m->k, bp);
	bdwrite(m->k, bp);
	/* Suspended around the moment the syncer comes to it (the flag
	 * alone: vfs_write_suspend would sync everything first). */
	sleep_until(m->k, su_from);
	m->k->mnt.mnt_kern_flag |= MNTK_SUSPEND;
	sleep_until(m->k, su_to);
	vfs_write_resume(m->k);
	sleep_until(m->k, dw_t - 100 * SIM_MS);
	dw.writes_before = m->k->disk.st.writes;
	sleep_until(m->k, dw_t + 500 * SIM_MS);
	dw.writes_after = m->k->disk.st.writes;
}

static void
suspended_syncer(const char *const *sets, sim_time_t dirty_at, sim_time_t from,
    sim_time_t to, sim_time_t t)
{
	struct machine m;

	dw_dirty_at = dirty_at;
	su_from = from;
	su_to = to;
	dw_t = t;
	memset(&dw, 0, sizeof(dw));
	boot(&m, sets);
	run(&m, suspend_body);
	assert_int_equal(dw.writes_before, 0);
	assert_int_equal(dw.writes_after, 1);
	assert_int_equal(m.k->bc.writes_by[BW_SYNCER], 1);
	machine_shutdown(&m);
}

static void
test_syncer_suspended(void **state)
{
	static const char *const five[] = { "kern.filedelay=5s", NULL };

	/* Dirtied at 20.5 s, its slot at 26 s falls in a suspension from
	 * 25.5 s to 27.5 s: back on the wheel for 56 s, so the sweep at
	 * 46 s writes it — not the slot after the resumption, 28 s. */
	suspended_syncer(five, 20500 * SIM_MS, 25500 * SIM_MS, 27500 * SIM_MS,
	    46 * SIM_SEC);
	/* Dirtied at 1.5 s: the sweep due at 16 s is skipped (suspended
	 * 15.5 s to 16.5 s), so its own slot, at 32 s, writes it. */
	suspended_syncer(NULL, 1500 * SIM_MS, 15500 * SIM_MS, 16500 * SIM_MS,
	    32 * SIM_SEC);
}

/* buf_daemon's flushbufqueues of 2001 takes no vnode lock and calls no
 * vn_start_write: while writes are being suspended (MNTK_SUSPEND, before
 * the sync is done) it goes on writing dirty buffers down to
 * lodirtybuffers.  (Waiting out the suspension is 2003's.) */
static uint64_t bd_suspended;

static void
bufdaemon_suspended_body(void *arg)
{
	struct machine *m = arg;
	uint64_t before;
	int i;

	m->k->mnt.mnt_kern_flag |= MNTK_SUSPEND;
	before = m->k->bc.writes_by[BW_BUFDAEMON];
	for (i = 0; i < 35; i++) {
		struct buf *bp = getblk(m->k, m->vp, i, m->bsize);

		vfs_bio_clrbuf(m->k, bp);
		bp->b_flags |= B_CLUSTEROK;
		bdwrite(m->k, bp);
	}
	sim_pause(m->k->sim, 2 * SIM_SEC);
	bd_suspended = m->k->bc.writes_by[BW_BUFDAEMON] - before;
	vfs_write_resume(m->k);
}

static void
test_bufdaemon_suspended(void **state)
{
	static const char *const sets[] = { "bio.nbuf=512",
	    "vfs.hidirtybuffers=40", "vfs.lodirtybuffers=20", NULL };
	struct machine m;

	boot(&m, sets);
	run(&m, bufdaemon_suspended_body);
	/* 35 dirty: woken at the midpoint (30), it writes until 20 are
	 * left — at least 15 buffers, in clusters */
	assert_true(bd_suspended >= 15);
	assert_true(m.k->bc.numdirtybuffers <= 20);
	machine_shutdown(&m);
}

/* ---- background writes of cylinder-group maps --------------------------
 *
 * bwrite of a buffer FFS marked BX_BKGRDWRITE (its cg maps), async: a copy
 * is written (geteblk) and the original released at once, unlocked, to the
 * LOCKED queue, so an allocator can take it and change it while the copy
 * is on its way (cf60e8e4bf, January 2000: both eras).  While that write
 * is under way an async bwrite of the original leaves it dirty (bdwrite)
 * and a synchronous one waits for it ("biord"); buf_daemon passes it
 * over.  With debug.dobkgrdwrite off, the map is locked until its write is
 * done, and whoever wants it sleeps "getblk". */

static struct {
	sim_time_t	 getblk_ns, biord_ns;	/* slept, by the allocator */
	uint64_t	 getblk_waits;
	bool		 dirty_after_async;	/* the async bwrite in between */
	int		 outputs;		/* writes in flight then */
	uint64_t	 writes;		/* the disk's, at the end */
} bk;

static void
waits_of(const char *wmesg, sim_time_t ns, void *arg)
{
	(void)arg;
	if (strcmp(wmesg, "getblk") == 0)
		bk.getblk_ns += ns;
	else if (strcmp(wmesg, "biord") == 0)
		bk.biord_ns += ns;
}

static void
bkgrd_body(void *arg)
{
	struct machine *m = arg;
	struct kern *k = m->k;
	struct fs *fs = &k->fs;
	struct vnode *devvp = fs->fs_devvp;
	int64_t blk = fsbtodb(fs, cgtod(fs, 1));
	struct buf *bp;
	uint64_t w = k->cnt.getblk_waits;

	/* A map, changed: a delayed write, marked as FFS marks it. */
	(void)bread(k, devvp, blk, fs->fs_bsize, &bp);
	sim_proc_waits_reset(curproc(k->sim));		/* past the read */
	bp->b_xflags |= BX_BKGRDWRITE;
	bio_note_version(k, bp);
	bdwrite(k, bp);
	/* Written async (as buf_daemon or the syncer would) ... */
	bp = getblk(k, devvp, blk, fs->fs_bsize);
	bawrite(k, bp);
	/* ... and the allocator wants it right away, and changes it. */
	bp = getblk(k, devvp, blk, fs->fs_bsize);
	bio_note_version(k, bp);
	bk.outputs = devvp->v_numoutput;
	/* An async write now leaves it a delayed write. */
	bawrite(k, bp);
	bk.dirty_after_async = incore(k, devvp, blk)->b_flags & B_DELWRI;
	/* A synchronous one waits for the first to finish. */
	bp = getblk(k, devvp, blk, fs->fs_bsize);
	(void)bwrite(k, bp);
	bk.getblk_waits = k->cnt.getblk_waits - w;
	bk.writes = k->disk.st.writes;
	sim_proc_waits_foreach(curproc(k->sim), waits_of, NULL);
}

static void
test_bkgrdwrite(void **state)
{
	static const char *const off[] = { "debug.dobkgrdwrite=false", NULL };
	struct machine m;

	memset(&bk, 0, sizeof(bk));
	boot(&m, NULL);
	run(&m, bkgrd_body);
	assert_int_equal(m.k->cnt.bkgrd_writes, 1);	/* only the async one */
	assert_int_equal(bk.getblk_waits, 0);		/* never waited for it */
	assert_int_equal(bk.getblk_ns, 0);
	assert_int_equal(bk.outputs, 1);		/* the copy in flight */
	assert_true(bk.dirty_after_async);
	assert_true(bk.biord_ns > 0);			/* the sync one waited */
	assert_int_equal(bk.writes, 2);			/* the copy, then it */
	machine_shutdown(&m);

	/* Off: the map stays locked while it is written. */
	memset(&bk, 0, sizeof(bk));
	boot(&m, off);
	run(&m, bkgrd_body);
	assert_int_equal(m.k->cnt.bkgrd_writes, 0);
	assert_true(bk.getblk_waits >= 1);
	assert_true(bk.getblk_ns > 0);
	assert_int_equal(bk.biord_ns, 0);
	machine_shutdown(&m);
}

/* ---- ffs_update under dirty-buffer pressure ------------------------------
 *
 * The 2001 ffs_update writes the inode block synchronously, instead of
 * leaving it a delayed write, once dirty buffers are at hidirtybuffers
 * (buf_dirty_count_severe); below that, delayed. */
static uint64_t upd_sync[2];

static void
update_body(void *arg)
{
	struct machine *m = arg;
	struct inode *ip = m->vp->v_data;
	int i;

	ip->i_flag |= IN_MODIFIED;
	upd_sync[0] = m->k->cnt.bwrite_sync;
	ffs_update(m->k, ip, false);
	upd_sync[0] = m->k->cnt.bwrite_sync - upd_sync[0];
	/* 20 dirty buffers: hidirtybuffers reached (without sleeping —
	 * buffer operations cost no CPU time here — so buf_daemon has had
	 * no chance to bring it down) */
	for (i = 0; i < 20; i++) {
		struct buf *bp = getblk(m->k, m->vp, 10 + i, m->bsize);

		vfs_bio_clrbuf(m->k, bp);
		bdwrite(m->k, bp);
	}
	assert_true(buf_dirty_count_severe(m->k));
	ip->i_flag |= IN_MODIFIED;
	upd_sync[1] = m->k->cnt.bwrite_sync;
	ffs_update(m->k, ip, false);
	upd_sync[1] = m->k->cnt.bwrite_sync - upd_sync[1];
}

static void
test_update_severe(void **state)
{
	static const char *const sets[] = { "bio.nbuf=512",
	    "vfs.hidirtybuffers=20", "vfs.lodirtybuffers=10", "cpu.bufop=0ns",
	    NULL };
	struct machine m;

	boot(&m, sets);
	run(&m, update_body);
	assert_int_equal(upd_sync[0], 0);	/* delayed */
	assert_int_equal(upd_sync[1], 1);	/* written at once, waited for */
	machine_shutdown(&m);
}

/* ---- getnewbuf's sleeps, defragmenting, flushingbufs; getblk's --------
 *
 * A tiny cache (16 headers) with the buffer map and its limits set so that
 * each of getnewbuf's ways out is reached: the process takes buffers and
 * holds them (getblk returns them locked), then asks for one more; a
 * second process releases a buffer a second later, which is what the
 * sleeper waits for.  Buffer operations cost no CPU time here, so nothing
 * else runs in between. */

#define GN_SETS(hi, lo) { "bio.nbuf=16", "vfs.maxbufspace=128K", \
	"vfs.hibufspace=" hi, "vfs.lobufspace=" lo, "cpu.bufop=0ns", NULL }

static struct {
	struct machine	*m;
	struct buf	*held[16];
	struct buf	*release;	/* what the helper releases */
	bool		 release_inval;
	sim_time_t	 slept[4];	/* newbuf, nbufbs, nbufkv, getblk */
	struct buf	*got;
	int		 freebufs_before;
} gn;

static void
gn_waits(const char *wmesg, sim_time_t ns, void *arg)
{
	(void)arg;
	if (strcmp(wmesg, "newbuf") == 0)
		gn.slept[0] += ns;
	else if (strcmp(wmesg, "nbufbs") == 0)
		gn.slept[1] += ns;
	else if (strcmp(wmesg, "nbufkv") == 0)
		gn.slept[2] += ns;
	else if (strcmp(wmesg, "getblk") == 0)
		gn.slept[3] += ns;
}

static void
gn_helper(void *arg)
{
	struct kern *k = gn.m->k;

	(void)arg;
	sim_pause(k->sim, SIM_SEC);
	if (gn.release_inval)
		gn.release->b_flags |= B_INVAL;
	bqrelse(k, gn.release);
}

/* Hold buffers of the given sizes (16 KB units) for blocks 0, 1, ... */
static void
gn_hold(int n, const int *units)
{
	int i;

	for (i = 0; i < n; i++)
		gn.held[i] = getblk(gn.m->k, gn.m->vp, i, units[i] * 16384);
}

static void
gn_run(const char *const *sets, sim_proc_fn *body)
{
	static struct machine m;

	memset(&gn, 0, sizeof(gn));
	gn.m = &m;
	boot(&m, sets);
	sim_spawn(m.s, "helper", gn_helper, NULL, 0);
	run(&m, body);
}

static void
gn_end(void)
{
	int i;

	for (i = 0; i < 16; i++)
		if (gn.held[i] != NULL && gn.held[i]->b_lockholder != NULL &&
		    gn.held[i]->b_qindex == QUEUE_NONE)
			brelse(gn.m->k, gn.held[i]);
	sim_proc_waits_foreach(curproc(gn.m->k->sim), gn_waits, NULL);
}

/* "newbuf": nothing on EMPTYKVA or CLEAN, and an EMPTY header would take
 * bufspace to hibufspace — though below it.  Woken by a clean release
 * (bufcountwakeup), it recycles that buffer. */
static void
gn_newbuf_body(void *arg)
{
	static const int u[] = { 1, 1, 1, 1, 1 };

	(void)arg;
	gn_hold(5, u);			/* 80 KB of 96 */
	gn.release = gn.held[2];
	gn.got = getblk(gn.m->k, gn.m->vp, 10, 16384);
	gn.held[2] = gn.got;
	gn_end();
}

/* "nbufbs": bufspace at hibufspace (an EMPTYKVA header taken for a 32 KB
 * buffer grew it); woken when a buffer with memory is released
 * (bufspacewakeup).  Still over hibufspace, getnewbuf sets flushingbufs
 * and strips the first candidate of its KVA, then takes a fresh header. */
static void
gn_nbufbs_body(void *arg)
{
	static const int u[] = { 1, 1, 1, 1, 1 };
	struct kern *k = gn.m->k;

	(void)arg;
	gn_hold(5, u);			/* 80 KB */
	gn.held[4]->b_flags |= B_INVAL;	/* to EMPTYKVA, its KVA kept */
	brelse(k, gn.held[4]);
	gn.held[4] = getblk(k, gn.m->vp, 4, 32768);	/* 96 KB */
	gn.release = gn.held[4];
	gn.got = getblk(k, gn.m->vp, 10, 16384);
	gn.held[4] = gn.got;
	gn_end();
}

/* "nbufkv" and defragmenting: 16 KB buffers in units 0-6, every other one
 * released clean; a 32 KB buffer finds no two free units together, so
 * getnewbuf frees clean buffers' KVA (bufdefragcnt) until none is left,
 * and sleeps; a released neighbour makes a hole of three units, and the
 * buffer takes the first two (vm_map_findspace: first fit, from the
 * bottom). */
static void
gn_nbufkv_body(void *arg)
{
	static const int u[] = { 1, 1, 1, 1, 1, 1, 1 };
	struct kern *k = gn.m->k;
	int i;

	(void)arg;
	gn_hold(7, u);			/* units 0-6, 112 KB */
	for (i = 1; i < 7; i += 2) {
		bqrelse(k, gn.held[i]);
		gn.held[i] = NULL;
	}
	gn.release = gn.held[2];
	gn.got = getblk(k, gn.m->vp, 10, 32768);
	gn.held[2] = gn.got;
	gn_end();
}

/* getblk's own sleep (2001, both eras): with no free header at all it
 * sleeps "newbuf" once before it even looks — for a block in core too. */
static void
gn_getblk_body(void *arg)
{
	static const int u[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	    1, 1 };
	struct kern *k = gn.m->k;

	(void)arg;
	gn_hold(16, u);			/* every header */
	bdwrite(k, gn.held[3]);		/* dirty: not a free header */
	gn.freebufs_before = k->bc.numfreebuffers;
	gn.release = gn.held[0];
	gn.got = getblk(k, gn.m->vp, 3, 16384);	/* a hit */
	gn.held[3] = gn.got;
	gn.held[0] = NULL;
	gn_end();
}

/* The buffer map's KVA is taken first fit from its bottom
 * (vm_map_findspace from vm_map_min): a header with no KVA, after units
 * 4-5 were last handed out, gets the hole at unit 1. */
static void
gn_firstfit_body(void *arg)
{
	static const int u[] = { 1, 1, 1, 1 };
	struct kern *k = gn.m->k;

	(void)arg;
	gn_hold(4, u);				/* units 0-3 */
	bqrelse(k, gn.held[1]);			/* CLEAN */
	gn.held[1] = getblk(k, gn.m->vp, 8, 32768);	/* its header, 4-5 */
	gn.got = getblk(k, gn.m->vp, 9, 16384);	/* an EMPTY header */
	gn.held[5] = gn.got;
	gn.release = gn.held[0];
	gn.held[0] = NULL;
	sim_pause(k->sim, 2 * SIM_SEC);
	gn_end();
}

static void
test_getnewbuf(void **state)
{
	static const char *const s96[] = GN_SETS("96K", "64K");
	static const char *const s128[] = GN_SETS("128K", "64K");
	static const char *const ff[] = GN_SETS("128K", "16K");
	static const char *const all[] = { "bio.nbuf=16",
	    "vfs.hibufspace=512K", "vfs.lobufspace=448K", "cpu.bufop=0ns",
	    NULL };

	gn_run(s96, gn_newbuf_body);
	assert_true(gn.slept[0] >= SIM_SEC - SIM_MS);	/* until the release */
	assert_int_equal(gn.slept[1] + gn.slept[2], 0);
	assert_ptr_equal(gn.got, gn.release);		/* recycled */
	machine_shutdown(gn.m);

	gn_run(s96, gn_nbufbs_body);
	assert_true(gn.slept[1] >= SIM_SEC - SIM_MS);
	assert_int_equal(gn.slept[0] + gn.slept[2], 0);
	assert_true(gn.m->k->bc.flushingbufs);
	/* the 32 KB buffer's KVA went back: four 16 KB buffers and the new */
	assert_int_equal(gn.m->k->bc.bufspace, 5 * 16384);
	machine_shutdown(gn.m);

	gn_run(s128, gn_nbufkv_body);
	assert_true(gn.slept[2] >= SIM_SEC - SIM_MS);
	assert_int_equal(gn.m->k->bc.bufdefragcnt, 2);
	assert_int_equal(gn.got->b_kvabase, 1);
	assert_int_equal(gn.got->b_kvasize, 32768);
	machine_shutdown(gn.m);

	gn_run(ff, gn_firstfit_body);
	assert_int_equal(gn.held[1]->b_kvabase, 4);
	assert_int_equal(gn.got->b_kvabase, 1);
	machine_shutdown(gn.m);

	gn_run(all, gn_getblk_body);
	assert_int_equal(gn.freebufs_before, 0);
	assert_true(gn.slept[0] >= SIM_SEC - SIM_MS);
	assert_int_equal(gn.slept[3], 0);
	assert_int_equal(gn.got->b_lblkno, 3);
	machine_shutdown(gn.m);
}

/* vfs_bio_awrite gathers a dirty buffer's contiguous dirty neighbours
 * backward as well as forward (the seed's 1999 reverse scan): from block
 * 5 of eight dirty ones, one write of all eight, starting at block 0. */
static void
awrite_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp = NULL;
	int i;

	for (i = 0; i < 8; i++) {
		bp = getblk(m->k, m->vp, i, m->bsize);
		vfs_bio_clrbuf(m->k, bp);
		bp->b_flags |= B_CLUSTEROK;
		bdwrite(m->k, bp);
	}
	(void)vfs_bio_awrite(m->k, incore(m->k, m->vp, 5));
	sim_pause(m->k->sim, SIM_SEC);
}

static void
test_awrite_backward(void **state)
{
	struct machine m;
	const struct diskreq *r;

	boot(&m, NULL);
	machine_record_disk(&m);
	run(&m, awrite_body);
	assert_int_equal(m.reqs->len, 1);
	r = &g_array_index(m.reqs, struct diskreq, 0);
	assert_true(r->write);
	assert_int_equal(r->nsect, 8 * m.bsize / DEV_BSIZE);
	assert_int_equal(r->sector,
	    fsbtodb(&m.k->fs, ffs_blk_get(m.vp->v_data, 0)));
	assert_int_equal(m.k->cnt.cluster_bufs, 8);
	machine_shutdown(&m);
}

/* ---- the syncer clusters contiguous dirty blocks --------------------- */

static void
cluster_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 32; i++) {
		struct buf *bp = getblk(m->k, m->vp, i, m->bsize);

		vfs_bio_clrbuf(m->k, bp);
		bp->b_flags |= B_CLUSTEROK;
		bdwrite(m->k, bp);
	}
	sim_pause(m->k->sim, 32 * SIM_SEC);
}

static void
test_syncer_clusters(void **state)
{
	/* 8 KB blocks, as before newfs's 16 KB default: the twelve direct
	 * blocks then fit one cluster, so the break at the indirect block
	 * is all that splits them (the block size is incidental here). */
	static const char *const sets[] = { "ffs.bsize=8K", "ffs.fsize=1K",
	    NULL };
	struct machine m;

	boot(&m, sets);
	run(&m, cluster_body);
	/* 32 8 KB blocks in clusters of what is contiguous, 16 at most: the
	 * 12 direct blocks, then — past the single indirect block, which
	 * FFS puts right after them — 16 and 4. */
	assert_int_equal(m.k->disk.st.writes, 3);
	assert_int_equal(m.k->disk.st.sectors_written, 32 * m.bsize / DEV_BSIZE);
	assert_int_equal(m.k->cnt.cluster_writes, 3);
	assert_int_equal(m.k->cnt.cluster_bufs, 32);
	assert_int_equal(m.k->bc.writes_by[BW_SYNCER], 32);
	machine_shutdown(&m);
}

/* ---- bwillwrite: a writer stalls at hidirtybuffers -------------------- */

static void
flood_body(void *arg)
{
	struct machine *m = arg;
	int i;

	/* 3 MB: more than buf_daemon may have in flight (hirunningspace,
	 * 1 MB), so it waits in "wdrain" while the writer dirties on. */
	for (i = 0; i < 400; i++) {
		struct buf *bp;

		bwillwrite(m->k);
		bp = getblk(m->k, m->vp, i, m->bsize);
		vfs_bio_clrbuf(m->k, bp);
		bdwrite(m->k, bp);
	}
}

static void
test_bwillwrite(void **state)
{
	static const char *const sets[] = { "bio.nbuf=512", "vfs.hidirtybuffers=20",
	    "vfs.lodirtybuffers=10", NULL };
	static const char *const off[] = { "bio.nbuf=512", "vfs.hidirtybuffers=20",
	    "vfs.lodirtybuffers=10", "vfs.bwillwrite=false", NULL };
	struct machine m;

	boot(&m, sets);
	run(&m, flood_body);
	assert_true(m.k->cnt.bwillwrite_stalls > 0);
	assert_true(m.k->cnt.wdrain_waits > 0);
	/* the writer never gets past hidirtybuffers */
	assert_true(m.k->cnt.dirty_peak <= 20);
	assert_true(m.k->bc.writes_by[BW_BUFDAEMON] > 0);
	machine_shutdown(&m);

	/* without the throttle the dirty count runs away */
	boot(&m, off);
	run(&m, flood_body);
	assert_int_equal(m.k->cnt.bwillwrite_stalls, 0);
	assert_true(m.k->cnt.dirty_peak > 40);
	machine_shutdown(&m);
}

/* ---- fsync: everything the vnode had dirty is on disk after it ------- */

static void
fsync_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 10; i++) {
		struct buf *bp = getblk(m->k, m->vp, i, m->bsize);

		vfs_bio_clrbuf(m->k, bp);
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
	/* the ten blocks, and the inode (ffs_fsync ends with ffs_update) */
	assert_int_equal(m.k->cnt.inode_writes, 1);
	assert_int_equal(m.k->disk.st.writes, 11);
	assert_int_equal(m.vp->v_numoutput, 0);
	assert_int_equal(m.k->bc.numdirtybuffers, 0);
	assert_true(TAILQ_EMPTY(&m.vp->v_dirtyblkhd));
	assert_false(m.vp->v_flag & VONWORKLST);
	machine_shutdown(&m);
}

/* ---- VMIO directories (vfs.vmiodirenable) ----------------------------- */

static struct vnode *dirvp;

static void
dirread_body(void *arg)
{
	struct machine *m = arg;
	int pass, i;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 128; i++) {
			struct buf *bp;

			bread(m->k, i < 64 ? dirvp : m->vp, i, m->bsize, &bp);
			bqrelse(m->k, bp);
		}
}

static uint64_t
dir_rereads(const char *setting)
{
	const char *sets[] = { "bio.nbuf=32", setting, NULL };
	struct machine m;
	uint64_t r;

	boot(&m, sets);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "d", VDIR, &dirvp), 0);
	assert_true(ffs_prealloc(m.k, dirvp->v_data, 64 * m.bsize));
	vref(dirvp);
	run(&m, dirread_body);
	r = m.k->disk.st.reads;
	vrele(m.k, dirvp);
	machine_shutdown(&m);
	return r;
}

static void
test_vmiodir(void **state)
{
	/* 64 directory blocks and 64 file blocks through 32 buffers, twice.
	 * With VMIO directories every block is cached in the VM (128 reads);
	 * without, the directory blocks are read again (64 more). */
	assert_int_equal(dir_rereads("vfs.vmiodirenable=true"), 128);
	assert_int_equal(dir_rereads("vfs.vmiodirenable=false"), 192);
}

/* ---- low memory: the seed's fix keeps I/O going ----------------------- */

static void
lowmem_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 200; i++) {
		struct buf *bp;

		bread(m->k, m->vp, i, m->bsize, &bp);
		bqrelse(m->k, bp);
	}
}

static void
stop_callout(struct sim *s, void *arg)
{
	(void)arg;
	sim_stop(s);
}

static char waitmsg[16];

static void
note_sleeper(struct sim_proc *p, const void *chan, void *arg)
{
	(void)chan;
	(void)arg;
	g_strlcpy(waitmsg, sim_proc_wmesg(p), sizeof(waitmsg));
}

static void
test_lowmem(void **state)
{
	/* 4 MB with all but ~100 pages wired by the kernel, and 100 buffers
	 * of 2 pages: the cache would grow past memory.  Without the seed's
	 * fix, clean buffers keep their pages wired, the page allocator will
	 * not touch the reserve, nothing is ever unwired, and the reader
	 * waits in vmwait for good — a low-memory deadlock.  With it, buffers
	 * give their pages back under pressure and I/O dips into the
	 * reserve: the reads go on. */
	static const char *const fix[] = { "machine.memory=4M",
	    "vm.kernel_wired=3700K", "bio.nbuf=100", NULL };
	static const char *const nofix[] = { "machine.memory=4M",
	    "vm.kernel_wired=3700K", "bio.nbuf=100", "vm.io_reserve=false", NULL };
	struct machine m;

	boot(&m, fix);
	run(&m, lowmem_body);
	assert_int_equal(m.k->disk.st.reads, 200);
	machine_shutdown(&m);

	boot(&m, nofix);
	sim_spawn(m.s, "test", lowmem_body, &m, 0);
	/* daemons keep ticking, so stop after a while and look */
	sim_at(m.s, 10 * SIM_SEC, stop_callout, NULL);
	assert_int_equal(sim_run(m.s), SIM_STOPPED);
	assert_true(m.k->disk.st.reads < 200);
	waitmsg[0] = '\0';
	sim_foreach_sleeper(m.s, note_sleeper, NULL);
	assert_string_equal(waitmsg, "vmwait");
	machine_shutdown(&m);
}

/* ---- nothing lost: every block's last version reaches the disk -------- */

static void
versions_body(void *arg)
{
	struct machine *m = arg;
	GRand *rng = g_rand_new_with_seed(7);
	int i;

	for (i = 0; i < 3000; i++) {
		int64_t lbn = g_rand_int_range(rng, 0, 300);
		struct buf *bp;

		bwillwrite(m->k);
		bread(m->k, m->vp, lbn, m->bsize, &bp);
		bio_note_version(m->k, bp);
		bp->b_flags |= B_CLUSTEROK;
		if (i % 7 == 0)
			bawrite(m->k, bp);
		else
			bdwrite(m->k, bp);
		if (i % 500 == 0)
			sim_pause(m->k->sim, 2 * SIM_SEC);
	}
	kern_sync(m->k);
	g_rand_free(rng);
}

static void
test_nothing_lost(void **state)
{
	static const char *const sets[] = { "replay.verify=true", "bio.nbuf=100",
	    "vfs.hidirtybuffers=30", NULL };
	struct machine m;
	uint64_t checked, lost;

	boot_with(&m, sets, false);
	run(&m, versions_body);
	lost = bio_verify(m.k, &checked);
	/* the 300 data blocks, and the metadata the final sync wrote */
	assert_true(checked >= 300);
	assert_int_equal(lost, 0);
	assert_int_equal(m.k->bc.numdirtybuffers, 0);
	machine_shutdown(&m);
}

/* ---- replacement policies -------------------------------------------- */

/* Misses of LRU with capacity c, from Mattson's stack distances: a
 * reference misses iff its block is not among the c most recently used. */
static uint64_t
mattson_lru_misses(const struct bp_key *refs, size_t n, int c)
{
	GArray *stack = g_array_new(FALSE, FALSE, sizeof(struct bp_key));
	uint64_t misses = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		guint d;

		for (d = 0; d < stack->len; d++) {
			struct bp_key *x = &g_array_index(stack, struct bp_key,
			    stack->len - 1 - d);

			if (x->vid == refs[i].vid && x->lblkno == refs[i].lblkno)
				break;
		}
		/* a first reference has infinite stack distance */
		if (d == stack->len || d >= (guint)c)
			misses++;
		if (d < stack->len)
			g_array_remove_index(stack, stack->len - 1 - d);
		g_array_append_val(stack, refs[i]);
	}
	g_array_free(stack, TRUE);
	return misses;
}

static struct bp_key *
make_refs(size_t n, unsigned seed)
{
	struct bp_key *refs = g_new(struct bp_key, n);
	GRand *rng = g_rand_new_with_seed(seed);
	size_t i;

	/* hot set, a sequential scan, and noise */
	for (i = 0; i < n; i++) {
		int kind = g_rand_int_range(rng, 0, 10);

		refs[i].vid = 1 + (uint64_t)g_rand_int_range(rng, 0, 3);
		if (kind < 5)
			refs[i].lblkno = g_rand_int_range(rng, 0, 40);
		else if (kind < 8)
			refs[i].lblkno = 1000 + (int64_t)(i % 300);
		else
			refs[i].lblkno = g_rand_int_range(rng, 0, 5000);
	}
	g_rand_free(rng);
	return refs;
}

static void
test_lru_mattson(void **state)
{
	size_t n = 20000;
	struct bp_key *refs = make_refs(n, 42);
	static const int sizes[] = { 1, 2, 8, 32, 64, 100, 250, 1000 };
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(sizes); i++)
		assert_int_equal(bufpolicy_misses(bufpolicy_lookup("lru"), refs, n,
		    sizes[i]), mattson_lru_misses(refs, n, sizes[i]));
	g_free(refs);
}

static void
test_opt_bound(void **state)
{
	size_t n = 20000;
	struct bp_key *refs = make_refs(n, 7);
	static const int sizes[] = { 1, 16, 64, 256 };
	unsigned i, j;

	for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
		uint64_t opt = bufpolicy_opt_misses(refs, n, sizes[i]);

		for (j = 0; bufpolicies[j] != NULL; j++) {
			uint64_t mine = bufpolicy_misses(bufpolicies[j], refs, n,
			    sizes[i]);

			if (opt > mine)
				fail_msg("OPT %llu > %s %llu at %d",
				    (unsigned long long)opt, bufpolicies[j]->name,
				    (unsigned long long)mine, sizes[i]);
		}
	}
	/* a known case: A B C A B D A B with 2 buffers.  OPT: A B C (evicts
	 * B, used after A) A B (evicts C, never used again) D (evicts B) A B:
	 * 6 misses; LRU misses all 8. */
	{
		struct bp_key s[8];
		const char *seq = "ABCABDAB";

		for (i = 0; i < 8; i++) {
			s[i].vid = 1;
			s[i].lblkno = seq[i];
		}
		assert_int_equal(bufpolicy_opt_misses(s, 8, 2), 6);
		assert_int_equal(bufpolicy_misses(bufpolicy_lookup("lru"), s, 8, 2), 8);
	}
	g_free(refs);
}

/* The in-kernel policies run a real workload with the invariants held. */
static void
policy_body(void *arg)
{
	struct machine *m = arg;
	GRand *rng = g_rand_new_with_seed(3);
	int i;

	for (i = 0; i < 2000; i++) {
		struct buf *bp;
		int64_t lbn = g_rand_int_range(rng, 0, 10) < 7 ?
		    g_rand_int_range(rng, 0, 20) : g_rand_int_range(rng, 0, 800);

		bread(m->k, m->vp, lbn, m->bsize, &bp);
		if (i % 10 == 0)
			bdwrite(m->k, bp);
		else
			bqrelse(m->k, bp);
	}
	g_rand_free(rng);
}

static void
test_policies_run(void **state)
{
	static const char *const names[] = { "freebsd", "lru", "clock", "2q", "arc" };
	uint64_t hits[G_N_ELEMENTS(names)];
	unsigned i, j, distinct = 0;

	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		char *set = g_strdup_printf("bio.policy=%s", names[i]);
		const char *sets[] = { set, "bio.nbuf=48", "machine.memory=8M",
		    "vm.kernel_wired=6M", NULL };
		struct machine m;

		boot(&m, sets);
		/* the policy asked is the one getnewbuf asks for victims */
		if (i == 0)
			assert_null(m.k->bc.policy);
		else
			assert_string_equal(m.k->bc.policy->name, names[i]);
		run(&m, policy_body);
		/* it had victims to choose: far more blocks than buffers */
		assert_true(m.k->cnt.getblk - m.k->cnt.getblk_hits > 200);
		hits[i] = m.k->cnt.getblk_hits;
		machine_shutdown(&m);
		g_free(set);
	}
	/* and they chose differently on this skewed load */
	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		for (j = 0; j < i && hits[j] != hits[i]; j++)
			continue;
		distinct += j == i;
	}
	print_message("    buffer hits: freebsd %llu, lru %llu, clock %llu, 2q %llu, "
	    "arc %llu\n", (unsigned long long)hits[0], (unsigned long long)hits[1],
	    (unsigned long long)hits[2], (unsigned long long)hits[3],
	    (unsigned long long)hits[4]);
	assert_true(distinct >= 3);
}

/* ---- lockmgr: "locking against myself" -------------------------------- */

/*
 * 2001's lockmgr (kern_lock.c, LK_EXCLUSIVE) panics "locking against
 * myself" when a process asks, without LK_NOWAIT or LK_CANRECURSE, for an
 * exclusive lock it holds — as BUF_LOCK and getblk's sleeping relock do:
 * the buffer would otherwise wait for ever on its own holder.  Each case
 * runs in a child (the panic aborts it); the parent reads its stderr.
 */
enum self_mode { SELF_BUF_LOCK, SELF_GETBLK, SELF_OTHER };

static struct {
	struct machine	*m;
	enum self_mode	 mode;
	struct buf	*held;
} sl;

static void
self_holder(void *arg)
{
	struct kern *k = sl.m->k;

	(void)arg;
	sl.held = getblk(k, sl.m->vp, 5, sl.m->bsize);
	sim_pause(k->sim, SIM_SEC);
	bqrelse(k, sl.held);
}

static void
self_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp;

	if (sl.mode == SELF_OTHER) {
		/* another process holds block 5: waiting for it is the
		 * kernel's ordinary sleep, woken by its bqrelse */
		sim_spawn(m->s, "holder", self_holder, NULL, 0);
		sim_pause(m->k->sim, SIM_MS);
		assert_non_null(sl.held);
		BUF_LOCK(m->k, sl.held, "test");
		assert_ptr_equal(sl.held->b_lockholder, curproc(m->k->sim));
		bremfree(m->k, sl.held);
		bqrelse(m->k, sl.held);
		return;
	}
	bp = getblk(m->k, m->vp, 5, m->bsize);
	assert_ptr_equal(bp->b_lockholder, curproc(m->k->sim));
	if (sl.mode == SELF_BUF_LOCK)
		BUF_LOCK(m->k, bp, "test");
	else
		(void)getblk(m->k, m->vp, 5, m->bsize);
}

/* Run mode in a child; its exit status, and its stderr in err. */
static int
self_child(enum self_mode mode, char *err, size_t errlen)
{
	int fds[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct machine m;

		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		signal(SIGABRT, SIG_DFL);
		memset(&sl, 0, sizeof(sl));
		sl.m = &m;
		sl.mode = mode;
		boot_with(&m, NULL, false);
		machine_run(&m, "test", self_body, &m);
		_exit(0);
	}
	close(fds[1]);
	while (got + 1 < errlen &&
	    (n = read(fds[0], err + got, errlen - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_lock_against_myself(void **state)
{
#ifdef INVARIANTS
	char err[4096];
	int status;

	(void)state;
	status = self_child(SELF_BUF_LOCK, err, sizeof(err));
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(err, "lockmgr: locking against myself (test, "
	    "lblkno 5)"));
	status = self_child(SELF_GETBLK, err, sizeof(err));
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	assert_non_null(strstr(err, "lockmgr: locking against myself (getblk, "
	    "lblkno 5)"));
	/* the control: waiting for another process's lock is no panic */
	status = self_child(SELF_OTHER, err, sizeof(err));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_null(strstr(err, "locking against myself"));
#else
	(void)state;
	skip();		/* KASSERT is compiled out */
#endif
}

/* ---- the test harness's own watchdog ------------------------------------ */

struct stuck { struct machine *m; int mode; int chan; };

static void
stuck_body(void *arg)
{
	struct stuck *st = arg;
	struct sim *s = st->m->s;

	switch (st->mode) {
	case 0:		/* asleep on a channel nothing will wake */
		tsleep(s, &st->chan, "never", 0);
		break;
	case 1:		/* a timed sleeper that retries for ever */
		for (;;)
			tsleep(s, &st->chan, "retry", SIM_SEC);
	default:	/* one long timed sleep, then done: not stuck */
		tsleep(s, &st->chan, "long", 5 * 60 * SIM_SEC);
		break;
	}
}

/*
 * machine_run stops a run whose processes all sleep with the drive idle
 * (three checks a simulated minute apart; ten with a timed sleeper), as the
 * replay's sampler does, instead of running on for ever with the syncer's
 * timeouts (a merge once left a test that way).  A sleeper woken by its
 * own timeout within the allowance is not stuck.
 */
static void
test_harness_watchdog(void **state)
{
	struct machine m;
	struct stuck st;
	int mode;

	(void)state;
	for (mode = 0; mode < 3; mode++) {
		enum sim_status rc;
		sim_time_t t;

		boot_with(&m, NULL, false);
		memset(&st, 0, sizeof(st));
		st.m = &m;
		st.mode = mode;
		rc = machine_run_status(&m, "stuck", stuck_body, &st);
		t = sim_now(m.s);
		if (mode == 0) {
			assert_int_equal(rc, SIM_STOPPED);
			assert_true(t >= 3 * 60 * SIM_SEC && t <= 4 * 60 * SIM_SEC);
		} else if (mode == 1) {
			assert_int_equal(rc, SIM_STOPPED);
			assert_true(t >= 10 * 60 * SIM_SEC &&
			    t <= 11 * 60 * SIM_SEC);
		} else
			assert_int_equal(rc, SIM_DONE);
		machine_free(&m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizing),
		cmocka_unit_test(test_lock_against_myself),
		cmocka_unit_test(test_vm_thresholds),
		cmocka_unit_test(test_hit_miss),
		cmocka_unit_test(test_lru),
		cmocka_unit_test(test_pagecache),
		cmocka_unit_test(test_pagecache_small),
		cmocka_unit_test(test_delayed_write),
		cmocka_unit_test(test_filedelay),
		cmocka_unit_test(test_syncer_suspended),
		cmocka_unit_test(test_bufdaemon_suspended),
		cmocka_unit_test(test_bkgrdwrite),
		cmocka_unit_test(test_update_severe),
		cmocka_unit_test(test_getnewbuf),
		cmocka_unit_test(test_awrite_backward),
		cmocka_unit_test(test_syncer_clusters),
		cmocka_unit_test(test_bwillwrite),
		cmocka_unit_test(test_fsync),
		cmocka_unit_test(test_vmiodir),
		cmocka_unit_test(test_lowmem),
		cmocka_unit_test(test_nothing_lost),
		cmocka_unit_test(test_lru_mattson),
		cmocka_unit_test(test_opt_bound),
		cmocka_unit_test(test_policies_run),
		cmocka_unit_test(test_harness_watchdog),
	};

	return cmocka_run_group_tests_name("bio", tests, NULL, NULL);
}
