/* Unit tests of FFS snapshots (snapshot.c) and write suspension: a
 * snapshot taken during a sequential overwrite holds writers only while
 * the file system is suspended, and afterwards the first overwrite of each
 * block costs a copy and the second none; nothing but the snapshot's own
 * blocks is written while suspended, and closing an unlinked file waits;
 * through a snapshot every block reads back its version at snapshot time
 * after overwrites, truncations, deletions and further snapshots, while
 * the live file system has the latest; a file a snapshot shares frees no
 * space until the snapshot goes (and a block free at snapshot time reads
 * through it as zeros, without I/O), and a removed snapshot's claims pass to
 * the next; the cost of a write grows with the snapshots that share its
 * block, and there are at most 20.  Every test ends with the fsck check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "testkern.h"

static void
boot(struct machine *m, const char *const *sets)
{
	static const char *const base[] = {
		/* a small file system keeps a snapshot's map cheap; versions on */
		"ffs.size=256M",
		/* 8 KB blocks, 1 KB fragments (as before newfs's 16 KB
		 * default): the tests' offsets and counts are in 8 KB blocks,
		 * and copy-on-write works the same whatever the block size */
		"ffs.bsize=8K", "ffs.fsize=1K",
		"replay.verify=true", NULL
	};

	machine_boot(m, base, sets);
}

static void
shutdown_machine(struct machine *m)
{
	machine_fsck(m->k);
	assert_int_equal(m->k->cnt.suspended_writes_bad, 0);
	machine_shutdown(m);
}

/* Write [off, off + len) in 64 KB calls. */
static void
write_range(struct kern *k, struct vnode *vp, int64_t off, int64_t len)
{
	int64_t o;

	for (o = off; o < off + len; o += 65536)
		assert_int_equal(vn_write(k, vp, o, MIN(65536, off + len - o),
		    0), 0);
}

static void
truncate_to(struct kern *k, struct vnode *vp, int64_t len)
{
	vn_start_write(k);
	assert_int_equal(vn_truncate(k, vp, len), 0);
	vn_finished_write(k);
}

static void
remove_name(struct kern *k, const char *name)
{
	vn_start_write(k);
	assert_int_equal(vn_remove(k, vn_root(k), name, false), 0);
	vn_finished_write(k);
}

/* The device blocks of a file's data and the versions the disk holds. */
static void
record_versions(struct kern *k, struct vnode *vp, GHashTable *into)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	int64_t lbn, n = (ip->i_size + fs->fs_bsize - 1) / fs->fs_bsize;

	for (lbn = 0; lbn < n; lbn++) {
		int64_t f = ffs_blk_get(ip, lbn), *key;
		gpointer v;

		if (f == 0)
			continue;
		key = g_new(int64_t, 1);
		*key = fsbtodb(fs, f);
		v = g_hash_table_lookup(k->bc.ver_disk, key);
		assert_non_null(v);	/* synced: every block on disk */
		g_hash_table_insert(into, key, v);
	}
}

/* Every recorded block reads back through snapshot i as it was. */
static void
check_view(struct kern *k, int i, GHashTable *was)
{
	GHashTableIter it;
	gpointer key, val;

	assert_true(g_hash_table_size(was) > 0);
	g_hash_table_iter_init(&it, was);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		int64_t got = ffs_snap_version(k, i, *(int64_t *)key);

		if (got != (int64_t)GPOINTER_TO_SIZE(val)) {
			fail_msg("snapshot %s: block %lld reads version %lld, "
			    "had %lld", k->snaps[i].sn_name,
			    (long long)*(int64_t *)key, (long long)got,
			    (long long)GPOINTER_TO_SIZE(val));
		}
	}
}

static GHashTable *
versions_new(void)
{
	return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

/* ---- a snapshot during a sequential overwrite ------------------------- */

#define BIG	(4 << 20)		/* 512 blocks of 8 KB */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	sim_time_t	 blocked_start, blocked_end;	/* the write that waited */
	uint64_t	 copies[3], reads[3], dreads[3], dwrites[3];
	uint64_t	 waits_after;
	int		 private_blocks;
	int		 calls;		/* writes of the first pass so far */
} ow;

static void
overwrite_pass(struct kern *k, int pass)
{
	uint64_t c = k->cnt.cow_copies, r = k->cnt.cow_reads;
	uint64_t dr = k->disk.st.reads, dw = k->disk.st.writes;
	int64_t o;

	for (o = 0; o < BIG; o += 65536) {
		sim_time_t t = sim_now(k->sim);
		uint64_t w = k->cnt.suspfs_waits;

		assert_int_equal(vn_write(k, ow.vp, o, 65536, 0), 0);
		if (k->cnt.suspfs_waits != w) {
			ow.blocked_start = t;
			ow.blocked_end = sim_now(k->sim);
		}
		/* the first pass slow enough for the snapshot to come in it */
		sim_pause(k->sim, pass == 0 ? 10 * SIM_MS : 2 * SIM_MS);
		if (pass == 0)
			ow.calls++;
	}
	kern_sync(k);
	ow.copies[pass] = k->cnt.cow_copies - c;
	ow.reads[pass] = k->cnt.cow_reads - r;
	ow.dreads[pass] = k->disk.st.reads - dr;
	ow.dwrites[pass] = k->disk.st.writes - dw;
}

static void
overwriter(void *arg)
{
	struct kern *k = ow.m->k;
	struct inode *ip = ow.vp->v_data;
	uint64_t w;
	int64_t lbn;

	(void)arg;
	write_range(k, ow.vp, 0, BIG);
	kern_sync(k);
	overwrite_pass(k, 0);		/* the snapshot is taken meanwhile */
	assert_int_equal(k->nsnaps, 1);
	w = k->cnt.suspfs_waits;
	overwrite_pass(k, 1);
	overwrite_pass(k, 2);
	ow.waits_after = k->cnt.suspfs_waits - w;
	/* Every block of the file has its private copy in the snapshot. */
	for (lbn = 0; lbn < BIG / k->fs.fs_bsize; lbn++) {
		int64_t b = fragstoblks(&k->fs, ffs_blk_get(ip, lbn));
		int64_t v = ffs_blk_get(k->snaps[0].sn_ip, b);

		if (v > BLK_SNAP && fragstoblks(&k->fs, v) != b)
			ow.private_blocks++;
	}
	vn_unpin_all(k);
}

static void
snapshotter(void *arg)
{
	struct kern *k = ow.m->k;

	(void)arg;
	/* a third into the first overwrite pass */
	while (ow.calls < BIG / 65536 / 3)
		sim_pause(k->sim, SIM_MS);
	assert_int_equal(ffs_snapshot(k, "snap"), 0);
	vn_unpin_all(k);
}

static void
test_overwrite(void **state)
{
	struct machine m;
	struct snapshot *sn;
	int nblk = BIG / 8192;

	(void)state;
	boot(&m, NULL);
	memset(&ow, 0, sizeof(ow));
	ow.m = &m;
	ow.vp = machine_mkfile(&m, "big", 0);
	sim_spawn(m.s, "writer", overwriter, NULL, 0);
	sim_spawn(m.s, "mksnap", snapshotter, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	sn = &m.k->snaps[0];
	/* The writer waited once, from within the window to its end. */
	assert_int_equal(m.k->cnt.suspfs_waits, 1);
	assert_true(sn->sn_susp_end > sn->sn_susp_start);
	assert_true(ow.blocked_start >= sn->sn_susp_start);
	assert_true(ow.blocked_start < sn->sn_susp_end);
	assert_true(ow.blocked_end >= sn->sn_susp_end);
	assert_true(m.k->cnt.suspfs_wait_ns <=
	    sn->sn_susp_end - sn->sn_susp_start);
	assert_int_equal(ow.waits_after, 0);
	/* The first overwrite of each block copies it once: a read and a
	 * write more (and the snapshot's pointer).  ffs_copyonwrite sees
	 * every write to the device, so the one other block first written
	 * since the snapshot — the file's inode block (ffs_update of the new
	 * times) — is copied too: nblk + 1.  Nothing else: an overwrite in
	 * place changes no block pointer (the indirect block stays clean)
	 * and allocates nothing, and the maps and summary the copies'
	 * allocations change were copied when the snapshot was taken. */
	assert_int_equal(ow.private_blocks, nblk);
	assert_int_equal(ow.copies[0] + ow.copies[1], (uint64_t)nblk + 1);
	assert_true(ow.copies[1] > 0);
	assert_int_equal(ow.reads[0] + ow.reads[1], ow.copies[0] + ow.copies[1]);
	assert_true(ow.dreads[1] >= ow.copies[1]);
	assert_true(ow.dwrites[1] >= ow.dwrites[2] + 2 * ow.copies[1] - 8);
	/* The second costs nothing more. */
	assert_int_equal(ow.copies[2], 0);
	assert_int_equal(ow.reads[2], 0);
	assert_int_equal(ow.dreads[2], 0);
	assert_true(ow.dwrites[2] < ow.dwrites[1]);
	vrele(m.k, ow.vp);
	shutdown_machine(&m);
}

/* ---- nothing written while suspended; an unlinked file's close waits --- */

static struct {
	struct machine	*m;
	struct vnode	*vp[3];
	struct vnode	*gone;
	int64_t		 free_closed;	/* free bytes right after the close */
	sim_time_t	 closed_at;
	int		 dirty_at_snap;
} su;

static void
busy_writer(void *arg)
{
	struct kern *k = su.m->k;
	struct vnode *vp = arg;
	int64_t o;

	/* random-ish 8 KB writes: delayed, flushed by the syncer and
	 * buf_daemon, so dirty buffers are about when suspension comes */
	for (o = 0; o < 600; o++) {
		assert_int_equal(vn_write(k, vp, ((o * 37) % 400) * 8192,
		    8192, 0), 0);
		sim_pause(k->sim, 5 * SIM_MS);
	}
	vn_unpin_all(k);
}

static void
unlinked_closer(void *arg)
{
	struct kern *k = su.m->k;

	(void)arg;
	/* an open file is unlinked; it is closed once writes are
	 * suspended, which must wait before freeing it */
	write_range(k, su.gone, 0, 1 << 20);
	remove_name(k, "gone");
	while (!(k->mnt.mnt_kern_flag & MNTK_SUSPENDED))
		sim_pause(k->sim, 100 * SIM_US);
	vrele(k, su.gone);
	su.closed_at = sim_now(k->sim);
	su.free_closed = ffs_freebytes(&k->fs);
	vn_unpin_all(k);
}

static void
suspender(void *arg)
{
	struct kern *k = su.m->k;

	(void)arg;
	sim_pause(k->sim, SIM_SEC);
	su.dirty_at_snap = k->bc.numdirtybuffers;
	assert_int_equal(ffs_snapshot(k, "s"), 0);
	vn_unpin_all(k);
}

static void
test_suspended(void **state)
{
	struct machine m;
	const char *sets[] = { "machine.memory=32M", NULL };
	int i;

	(void)state;
	boot(&m, sets);
	memset(&su, 0, sizeof(su));
	su.m = &m;
	for (i = 0; i < 3; i++) {
		char name[8];

		g_snprintf(name, sizeof(name), "w%d", i);
		su.vp[i] = machine_mkfile(&m, name, 0);
		sim_spawn(m.s, "writer", busy_writer, su.vp[i], 0);
	}
	su.gone = machine_mkfile(&m, "gone", 0);
	sim_spawn(m.s, "closer", unlinked_closer, NULL, 0);
	sim_spawn(m.s, "mksnap", suspender, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	assert_true(su.dirty_at_snap > 0);
	/* vfs_write_suspend's one VFS_SYNC(MNT_WAIT) left nothing dirty and
	 * nothing being written when it set MNTK_SUSPENDED */
	assert_int_equal(m.k->snaps[0].sn_susp_dirty, 0);
	assert_int_equal(m.k->snaps[0].sn_susp_running, 0);
	/* the bstrategy check (a KASSERT in this build) never fired */
	assert_int_equal(m.k->cnt.suspended_writes_bad, 0);
	assert_true(m.k->cnt.suspfs_waits >= 2);
	/* the close waited for the resumption */
	assert_true(su.closed_at >= m.k->snaps[0].sn_susp_end);
	for (i = 0; i < 3; i++)
		vrele(m.k, su.vp[i]);
	shutdown_machine(&m);
}

/* ffs_snapshot with 1 MB dirty: it sleeps while the file system is
 * synced and suspended, the new snapshot not yet linked (k->nsnaps).  A
 * run stopped there must still let go of its bookkeeping (its name, its
 * copied and busy tables) when the file system is unmounted, or the
 * check build's leak checker fails this test. */
/* Stop the run once a snapshot is being taken, looked at every 100 us
 * (the take sleeps for milliseconds while the file system is synced). */
static void
stop_when_partial(struct sim *s, void *arg)
{
	struct kern *k = arg;

	if (k->snap_partial)
		sim_stop(s);
	else
		sim_at(s, sim_now(s) + 100 * SIM_US, stop_when_partial, k);
}

static void
snap_stopped_body(void *arg)
{
	struct machine *m = arg;
	struct kern *k = m->k;

	write_range(k, m->vp, 0, 1 << 20);
	sim_at(k->sim, sim_now(k->sim), stop_when_partial, k);
	(void)ffs_snapshot(k, "s");
	m->vp = NULL;		/* not reached: the run stops first */
}

static void
test_snapshot_stopped(void **state)
{
	struct machine m;

	(void)state;
	boot(&m, NULL);
	m.vp = machine_mkfile(&m, "f", 0);
	sim_spawn(m.s, "mksnap", snap_stopped_body, &m, 0);
	assert_int_equal(sim_run(m.s), SIM_STOPPED);
	assert_non_null(m.vp);		/* inside ffs_snapshot */
	assert_true(m.k->snap_partial);
	assert_int_equal(m.k->nsnaps, 0);
	machine_free(&m);
}

/* ---- what a snapshot reads back --------------------------------------- */

static struct {
	struct machine	*m;
	struct vnode	*f[6];
	GHashTable	*at1, *at2;
	uint64_t	 lost, checked;
} vw;

static const int64_t vw_size[6] = {
	3 * 1024, 20 * 1024, 200 * 1024, 1536 * 1024, 64 * 1024, 40 * 1024
};

static void
snap_body(void *arg)
{
	struct kern *k = vw.m->k;
	int i;

	(void)arg;
	for (i = 0; i < 5; i++)
		write_range(k, vw.f[i], 0, vw_size[i]);
	kern_sync(k);
	for (i = 0; i < 5; i++)
		record_versions(k, vw.f[i], vw.at1);
	assert_int_equal(ffs_snapshot(k, "s1"), 0);

	/* overwrite parts, truncate, delete, extend, create */
	write_range(k, vw.f[0], 0, 2048);
	write_range(k, vw.f[3], 100 * 8192, 300 * 1024);
	truncate_to(k, vw.f[1], 5000);		/* into a fragment */
	truncate_to(k, vw.f[3], 700 * 1024);
	remove_name(k, "f2");
	write_range(k, vw.f[4], 64 * 1024, 100 * 1024);
	write_range(k, vw.f[5], 0, vw_size[5]);
	kern_sync(k);
	check_view(k, 0, vw.at1);
	for (i = 0; i < 6; i++)
		if (i != 2)
			record_versions(k, vw.f[i], vw.at2);
	assert_int_equal(ffs_snapshot(k, "s2"), 0);

	/* more of the same, under two snapshots */
	write_range(k, vw.f[0], 0, 3 * 1024);
	write_range(k, vw.f[5], 8192, 8192);
	truncate_to(k, vw.f[4], 0);
	remove_name(k, "f3");
	write_range(k, vw.f[1], 0, 30 * 1024);
	kern_sync(k);
	check_view(k, 0, vw.at1);
	check_view(k, 1, vw.at2);
	/* s1 goes: s2 still reads its versions (it inherits the blocks s1
	 * had claimed and it still needs) */
	assert_int_equal(ffs_snapremove(k, "s1"), 0);
	kern_sync(k);
	check_view(k, 0, vw.at2);
	/* a block that was free when s2 was taken reads as zeros */
	{
		struct inode *ip = vw.f[1]->v_data;
		int64_t db = fsbtodb(&k->fs, ffs_blk_get(ip, 3));

		assert_false(g_hash_table_contains(vw.at2, &db));
		assert_int_equal(ffs_snap_version(k, 0, db), 0);
	}
	/* the live file system has every latest version on disk */
	vw.lost = bio_verify(k, &vw.checked);
	vn_unpin_all(k);
}

static void
test_snapshot_view(void **state)
{
	struct machine m;
	int i;

	(void)state;
	boot(&m, NULL);
	memset(&vw, 0, sizeof(vw));
	vw.m = &m;
	vw.at1 = versions_new();
	vw.at2 = versions_new();
	for (i = 0; i < 6; i++) {
		char name[8];

		g_snprintf(name, sizeof(name), "f%d", i);
		vw.f[i] = machine_mkfile(&m, name, 0);
	}
	machine_run(&m, "test", snap_body, NULL);
	assert_int_equal(vw.lost, 0);
	assert_true(vw.checked > 100);
	assert_true(m.k->cnt.snap_claims > 0);	/* deletions were kept */
	for (i = 0; i < 6; i++)
		vrele(m.k, vw.f[i]);
	g_hash_table_destroy(vw.at1);
	g_hash_table_destroy(vw.at2);
	shutdown_machine(&m);
}

/* ---- deleting a shared file frees nothing until the snapshot goes ----- */

static struct {
	struct machine	*m;
	int64_t		 before, with_snap, deleted, after;
	uint64_t	 nocopy_reads;
} dl;

static void
delete_body(void *arg)
{
	struct kern *k = dl.m->k;
	struct vnode *vp;

	(void)arg;
	/* /.snap made once, so that it is there before and after */
	assert_int_equal(ffs_snapshot(k, "s0"), 0);
	assert_int_equal(ffs_snapremove(k, "s0"), 0);
	kern_sync(k);
	dl.before = ffs_freebytes(&k->fs);
	vn_start_write(k);
	assert_int_equal(vn_create(k, vn_root(k), "shared", VREG, &vp), 0);
	vn_finished_write(k);
	vref(vp);
	write_range(k, vp, 0, 2 << 20);
	kern_sync(k);
	assert_int_equal(ffs_snapshot(k, "s1"), 0);
	kern_sync(k);
	dl.with_snap = ffs_freebytes(&k->fs);
	/* read through the snapshot, a block free when it was taken is
	 * zeros, read from nowhere */
	{
		struct vnode *svp = k->snaps[0].sn_vp;
		int64_t far = (int64_t)fragstoblks(&k->fs, k->fs.fs_size) - 100;
		uint64_t r = k->disk.st.reads;

		assert_int_equal(ffs_blk_get(k->snaps[0].sn_ip, far), BLK_NOCOPY);
		(void)vn_read(k, svp, far * k->fs.fs_bsize, 8192, 0);
		dl.nocopy_reads = k->disk.st.reads - r;
	}
	remove_name(k, "shared");
	vrele(k, vp);
	kern_sync(k);
	dl.deleted = ffs_freebytes(&k->fs);
	assert_int_equal(ffs_snapremove(k, "s1"), 0);
	kern_sync(k);
	dl.after = ffs_freebytes(&k->fs);
	vn_unpin_all(k);
}

static void
test_delete_shared(void **state)
{
	struct machine m;

	(void)state;
	boot(&m, NULL);
	memset(&dl, 0, sizeof(dl));
	dl.m = &m;
	machine_run(&m, "test", delete_body, NULL);
	/* The 2 MB went nowhere (the metadata changed by the deletion was
	 * copied, if anything: less free, never more). */
	assert_true(dl.deleted <= dl.with_snap);
	assert_true(dl.with_snap - dl.deleted < 16 * 8192);
	assert_true(m.k->cnt.snap_claims >= 256);
	assert_int_equal(dl.nocopy_reads, 0);
	/* The snapshot gone, all of it is free again. */
	assert_int_equal(dl.after, dl.before);
	shutdown_machine(&m);
}

/* ---- the cost of writes under 1, 2 and 20 snapshots ------------------- */

static struct {
	struct machine	*m;
	int		 existing;
	sim_time_t	 create_ns, write_ns;
	uint64_t	 checks, copies, reads;
} co;

static void
cost_body(void *arg)
{
	struct kern *k = co.m->k;
	struct vnode *vp;
	uint64_t c0, p0, r0;
	sim_time_t t;
	int i;

	(void)arg;
	vn_start_write(k);
	assert_int_equal(vn_create(k, vn_root(k), "data", VREG, &vp), 0);
	vn_finished_write(k);
	vref(vp);
	write_range(k, vp, 0, 1 << 20);
	kern_sync(k);
	for (i = 0; i < co.existing; i++) {
		char name[16];

		g_snprintf(name, sizeof(name), "old%d", i);
		assert_int_equal(ffs_snapshot(k, name), 0);
	}
	t = sim_now(k->sim);
	assert_int_equal(ffs_snapshot(k, "new"), 0);
	co.create_ns = sim_now(k->sim) - t;
	/* FSMAXSNAP: a 21st is refused; a name taken too */
	if (co.existing + 1 == FSMAXSNAP)
		assert_int_equal(ffs_snapshot(k, "one-too-many"), ENOSPC);
	assert_int_not_equal(ffs_snapshot(k, "new"), 0);
	kern_sync(k);
	c0 = k->cnt.cow_checks;
	p0 = k->cnt.cow_copies;
	r0 = k->cnt.cow_reads;
	t = sim_now(k->sim);
	write_range(k, vp, 0, 1 << 20);
	kern_sync(k);
	co.write_ns = sim_now(k->sim) - t;
	co.checks = k->cnt.cow_checks - c0;
	co.copies = k->cnt.cow_copies - p0;
	co.reads = k->cnt.cow_reads - r0;
	vrele(k, vp);
	vn_unpin_all(k);
}

static void
cost_with(int existing, sim_time_t *create_ns, sim_time_t *write_ns)
{
	struct machine m;
	const int nblk = (1 << 20) / 8192;

	boot(&m, NULL);
	memset(&co, 0, sizeof(co));
	co.m = &m;
	co.existing = existing;
	machine_run(&m, "test", cost_body, NULL);
	/* Each block written is checked against every snapshot and copied
	 * for each (all still share it), its old contents read once: the
	 * nblk data blocks and the file's inode block (ffs_update at the
	 * sync; see test_overwrite), nblk + 1 per snapshot. */
	assert_true(co.checks >= (uint64_t)(existing + 1) * nblk);
	assert_int_equal(co.copies, (uint64_t)(existing + 1) * (nblk + 1));
	assert_int_equal(co.reads, (uint64_t)nblk + 1);
	*create_ns = co.create_ns;
	*write_ns = co.write_ns;
	shutdown_machine(&m);
}

static void
test_cost(void **state)
{
	sim_time_t c0, c1, c19, w0, w1, w19;

	(void)state;
	cost_with(0, &c0, &w0);
	cost_with(1, &c1, &w1);
	cost_with(19, &c19, &w19);
	print_message("overwrite of 1 MB: %.1f ms with 1 snapshot, %.1f with 2, "
	    "%.1f with 20; taking the last %.1f, %.1f, %.1f ms\n", w0 / 1e6,
	    w1 / 1e6, w19 / 1e6, c0 / 1e6, c1 / 1e6, c19 / 1e6);
	/* A copy (and its pointer) written per snapshot, the old contents
	 * read once: the overwrite's time grows linearly with the snapshots
	 * sharing its blocks — each one more costs about the same. */
	assert_true(w1 > w0 + w0 / 4);
	assert_true(w19 > 5 * w1);
	{
		double one = (double)(w1 - w0), each = (double)(w19 - w1) / 18;

		assert_true(each > one / 2 && each < one * 2);
	}
}

/* ---- how long writes stay suspended --------------------------------------
 *
 * The 2001 ffs_snapshot reads and copies every cylinder group's map while
 * the file system is suspended (McKusick's two-pass scan, cc5a92334f of
 * 2001-12-14, which his BSDCon 2002 "less than one second, independent of
 * the size" describes, came after these eras), and writes the snapshot's
 * indirect blocks as the scan passes them; before that, vfs_write_suspend
 * syncs everything.  So the window grows with the number of groups, and a
 * load with dirty data lengthens it by the time to write that data. */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	int64_t		 dirty_mb;		/* written before the snapshot */
	sim_time_t	 win;			/* the suspension */
	uint64_t	 reads, writes;		/* the disk's, in the window */
	int		 cached_maps;		/* maps in memory as it began */
	int		 root_read;		/* the root's inode block, stale
						   on the disk and not in memory */
	int64_t		 dirty_bytes;		/* dirty then */
	int		 copies_in_flight;	/* the snapshot's writes still
						   going as it ended */
} sl;

static void
sl_watch(void *arg)
{
	struct kern *k = sl.m->k;
	uint64_t r0 = 0, w0 = 0;
	bool in = false;

	(void)arg;
	/* Poll (every 50 us) until the window has come and gone. */
	for (;;) {
		bool now = (k->mnt.mnt_kern_flag & MNTK_SUSPEND) != 0;

		if (now && !in) {
			struct fs *fs = &k->fs;
			struct buf *rbp;
			int c;

			r0 = k->disk.st.reads;
			w0 = k->disk.st.writes;
			for (c = 0; c < fs->fs_ncg; c++)
				if (incore(k, fs->fs_devvp,
				    fsbtodb(fs, cgtod(fs, c))) != NULL)
					sl.cached_maps++;
			/* mkdir /.snap raised the root's link count and
			 * wrote only the new directory's inode (ufs_mkdir's
			 * UFS_UPDATE(tvp)): the suspension's sync writes the
			 * root's, reading its block unless it is cached. */
			rbp = incore(k, fs->fs_devvp, fsbtodb(fs,
			    ino_to_fsba(fs, ROOTINO)));
			if ((rbp == NULL && (fs->fs_root->i_flag &
			    (IN_MODIFIED | IN_CHANGE | IN_UPDATE))) ||
			    (rbp != NULL && !(rbp->b_flags & B_CACHE)))
				sl.root_read = 1;	/* to read, or being read */
			for (c = 0; c < k->bc.nbuf; c++)
				if (k->bc.bufs[c].b_flags & B_DELWRI)
					sl.dirty_bytes += k->bc.bufs[c].b_bcount;
		} else if (!now && in) {
			sl.reads = k->disk.st.reads - r0;
			sl.writes = k->disk.st.writes - w0;
			sl.copies_in_flight = k->snaps[0].sn_vp->v_numoutput;
			break;
		}
		in = now;
		sim_pause(k->sim, 50 * SIM_US);
	}
}

static void
sl_snap(void *arg)
{
	struct kern *k = sl.m->k;

	(void)arg;
	if (sl.dirty_mb > 0)
		write_range(k, sl.vp, 0, sl.dirty_mb << 20);
	sim_pause(k->sim, 100 * SIM_MS);
	assert_int_equal(ffs_snapshot(k, "s"), 0);
	sl.win = k->snaps[0].sn_susp_end - k->snaps[0].sn_susp_start;
	vn_unpin_all(k);
}

/* The window of a snapshot of an fs of size bytes, after dirty_mb MB
 * were written (delayed); 16 KB blocks, newfs's default. */
static sim_time_t
suspension(const char *size, int64_t dirty_mb, int *ncg)
{
	/* write-behind off: what is written stays dirty until then */
	const char *sets[] = { size, "ffs.bsize=16K", "ffs.fsize=2K",
	    "vfs.write_behind=0", NULL };
	struct machine m;

	boot(&m, sets);
	memset(&sl, 0, sizeof(sl));
	sl.m = &m;
	sl.dirty_mb = dirty_mb;
	sl.vp = machine_mkfile(&m, "f", 0);
	sim_spawn(m.s, "watch", sl_watch, NULL, 0);
	sim_spawn(m.s, "mksnap", sl_snap, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	*ncg = m.k->fs.fs_ncg;
	/* Every map not in memory was read while suspended, and the
	 * summary's last block and the snapshot's inode block raw (their
	 * shadows), and the root's inode block for the sync if need be —
	 * nothing else is read then. */
	assert_int_equal(sl.reads, (uint64_t)(*ncg - sl.cached_maps + 2 +
	    sl.root_read));
	/* Each map's copy and the indirect blocks the scan passed were
	 * written in the window (the writes of the sync come on top). */
	assert_true(sl.writes >= (uint64_t)*ncg);
	/* ... and writing resumed without waiting for them to finish. */
	assert_true(sl.copies_in_flight > 0);
	vrele(m.k, sl.vp);
	shutdown_machine(&m);
	return sl.win;
}

static void
test_suspension_length(void **state)
{
	sim_time_t w256, w1g, w4g, wload;
	int n256, n1g, n4g, nload;

	(void)state;
	w256 = suspension("ffs.size=256M", 0, &n256);
	w1g = suspension("ffs.size=1G", 0, &n1g);
	w4g = suspension("ffs.size=4G", 0, &n4g);
	print_message("suspended: %d groups %.0f ms, %d groups %.0f ms, "
	    "%d groups %.0f ms\n", n256, w256 / 1e6, n1g, w1g / 1e6, n4g,
	    w4g / 1e6);
	assert_true(n256 < n1g && n1g < n4g);
	/* Longer with every group: at least a map read (a seek to the next
	 * group, 1 ms and more on this drive) per group more. */
	assert_true(w1g - w256 >= (sim_time_t)(n1g - n256) * SIM_MS);
	assert_true(w4g - w1g >= (sim_time_t)(n4g - n1g) * SIM_MS);
	/* 8 MB written: what is still dirty (bwillwrite holds it under
	 * hidirtybuffers, 6 MB, and buf_daemon brings it down to
	 * lodirtybuffers, 3 MB, while the snapshot's file is being made)
	 * the sync inside the window writes, no faster
	 * than the drive's outer zone streams — 390 sectors a revolution at
	 * 10,000 rpm, 33.3 MB/s. */
	wload = suspension("ffs.size=1G", 8, &nload);
	print_message("with %lld KB dirty: %.0f ms\n",
	    (long long)sl.dirty_bytes / 1024, wload / 1e6);
	assert_true(sl.dirty_bytes >= 2 << 20);
	assert_true(wload - w1g >= (sim_time_t)((double)sl.dirty_bytes /
	    (390 * 512 * 10000.0 / 60) * SIM_SEC));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overwrite),
		cmocka_unit_test(test_suspended),
		cmocka_unit_test(test_snapshot_stopped),
		cmocka_unit_test(test_snapshot_view),
		cmocka_unit_test(test_delete_shared),
		cmocka_unit_test(test_cost),
		cmocka_unit_test(test_suspension_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
