/*
 * test_crash.c — a crash at any instant (ffs_crash.c, fsck_ffs.c): what
 * the disk holds, what fsck_ffs repairs, what is lost, and the kernel's
 * promises checked by data version.
 *
 * Each case runs a process on a booted machine whose disk is tracked
 * (ffs_crash_init), crashes it at chosen moments (ffs_crash_at: the run
 * goes on) and checks the figures against what the 2001 kernel's order
 * of writes leaves on the disk.  The calls are made directly, so the
 * test says when each "returns" (ffs_crash_syscall_done).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "testkern.h"

static struct {
	struct machine		 m;
	struct crash_result	 r[8];
	int			 n;
} cr;

static void
crash(struct kern *k)
{
	ffs_crash_at(k, 1, &cr.r[cr.n++]);
}

/* Let every write in flight finish. */
static void
quiet(struct kern *k)
{
	sim_pause(k->sim, SIM_SEC);
}

static void
returned(struct kern *k)
{
	ffs_crash_syscall_done(k);
	vn_unpin_all(k);
}

static void
run(const char *meta, sim_proc_fn *body)
{
	const char *sets[] = { meta, NULL };

	memset(&cr.r, 0, sizeof(cr.r));
	cr.n = 0;
	machine_boot(&cr.m, machine_checked, sets);
	ffs_crash_init(cr.m.k);
	machine_run(&cr.m, "body", body, NULL);
}

static void
done(void)
{
	machine_fsck(cr.m.k);
	machine_shutdown(&cr.m);
}

/*
 * A synchronous mount (the default): a new file's inode is written
 * before its name (ufs_makeinode: UFS_UPDATE(tvp, 1) then ufs_direnter's
 * synchronous write), so a crash right after creat() returns finds the
 * name and the inode — only the cylinder group's map is behind (a
 * delayed write, ffs_alloccg's bdwrite), which fsck's pass 5 puts right —
 * and loses the data, a delayed write, and its block (neither the inode
 * on the disk nor the map has it).  After fsync(2) (ffs_fsync: the
 * data, then the inode, synchronously) nothing is lost, and what was
 * fsynced is on the repaired disk.
 */
static void
sync_body(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	vref(vp);					/* the test holds it open */
	assert_int_equal(vn_write(k, vp, 0, 1000, 0), 0);
	returned(k);
	crash(k);					/* 0 */
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	(void)VOP_FSYNC(k, vp, MNT_WAIT);
	VOP_UNLOCK(k, vp);
	returned(k);
	crash(k);					/* 1 */
	vrele(k, vp);
}

static void
test_sync(void **state)
{
	const struct crash_result *r;

	(void)state;
	run("ffs.metadata=sync", sync_body);
	assert_int_equal(cr.n, 2);
	r = &cr.r[0];
	assert_int_equal(r->names, 1);
	assert_int_equal(r->committed_names, 1);
	assert_int_equal(r->committed_names_lost, 0);
	assert_int_equal(r->names_lost, 0);
	assert_int_equal(r->files, 1);
	assert_int_equal(r->bytes, 1000);
	assert_int_equal(r->bytes_lost, 1000);	/* the data, delayed */
	assert_int_equal(r->files_lost, 1);
	assert_int_equal(r->ino_map_missing, 1);	/* the map, delayed */
	assert_int_equal(r->map_missing, 0);	/* the data's pointer is
						   not on the disk either */
	assert_int_equal(crash_unsafe_repairs(r), 0);
	assert_int_equal(r->unref_cleared + r->unref_reconnected, 0);
	assert_true(r->fsck_reads > 0 && r->fsck_ns > 0);
	assert_true(r->fsck_inodes >= 2);	/* the root and "a" */
	r = &cr.r[1];
	assert_int_equal(r->bytes_lost, 0);
	assert_int_equal(r->files_lost, 0);
	assert_int_equal(r->fsync_bytes, 1000);
	assert_int_equal(r->fsync_lost_bytes, 0);
	assert_int_equal(crash_unsafe_repairs(r), 0);
	done();
}

/*
 * An async mount (-o async): every metadata write is delayed, fsync(2)'s
 * inode write too (ffs_update: "waitfor && !DOINGASYNC(vp)"), so what a
 * process fsynced is on the disk but neither its inode nor its name is:
 * the kernel of 2001 did not promise more, and the crash loses it.  And
 * a directory block that reaches the disk before the inode it names
 * leaves a name of a free inode, which fsck removes ("UNALLOCATED").
 */
static void
async_body(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "b", VREG, &vp), 0);
	vref(vp);					/* the test holds it open */
	assert_int_equal(vn_write(k, vp, 0, 1000, 0), 0);
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	(void)VOP_FSYNC(k, vp, MNT_WAIT);
	VOP_UNLOCK(k, vp);
	returned(k);
	crash(k);					/* 0 */
	/* The root's directory block alone: the name, not the inode. */
	(void)vn_lock(k, vn_root(k), LK_EXCLUSIVE);
	(void)VOP_FSYNC(k, vn_root(k), MNT_WAIT);
	VOP_UNLOCK(k, vn_root(k));
	quiet(k);
	crash(k);					/* 1 */
	/* And the inode block: consistent again, nothing lost. */
	(void)VOP_FSYNC(k, k->fs.fs_devvp, MNT_WAIT);
	crash(k);					/* 2 */
	vrele(k, vp);
}

static void
test_async(void **state)
{
	const struct crash_result *r;

	(void)state;
	run("ffs.metadata=async", async_body);
	assert_int_equal(cr.n, 3);
	r = &cr.r[0];
	assert_int_equal(r->fsync_bytes, 1000);
	assert_int_equal(r->fsync_lost_bytes, 1000);
	assert_int_equal(r->names_lost, 1);
	assert_int_equal(r->committed_names_lost, 1);
	assert_int_equal(crash_unsafe_repairs(r), 0);	/* nothing there */
	r = &cr.r[1];
	assert_int_equal(r->dirent_unalloc, 1);
	assert_true(crash_unsafe_repairs(r) >= 1);
	assert_int_equal(r->names_lost, 1);
	assert_int_equal(r->fsync_lost_bytes, 1000);
	r = &cr.r[2];
	assert_int_equal(r->dirent_unalloc, 0);
	assert_int_equal(r->names_lost, 0);
	assert_int_equal(r->bytes_lost, 0);
	assert_int_equal(r->fsync_lost_bytes, 0);
	done();
}

/*
 * Removing a file on a synchronous mount: the name goes first,
 * synchronously (ufs_dirremove), then ufs_inactive truncates it — the
 * inode, its pointers cleared and no links, written synchronously
 * before the blocks are freed (ffs_truncate: UFS_UPDATE(ovp, 1)) — and
 * frees the inode in the map, a delayed write.  A crash then finds the
 * inode with no links and no name (cleared, "UNREF"), its blocks and
 * inode still marked in the maps (leaked), and never the name back.
 */
static void
remove_body(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "c", VREG, &vp), 0);
	vref(vp);					/* the test holds it open */
	assert_int_equal(vn_write(k, vp, 0, 40000, 0), 0);
	vrele(k, vp);
	returned(k);
	kern_sync(k);
	quiet(k);
	crash(k);					/* 0 */
	assert_int_equal(vn_remove(k, vn_root(k), "c", false), 0);
	returned(k);
	crash(k);					/* 1 */
}

static void
test_remove(void **state)
{
	const struct crash_result *r;

	(void)state;
	run("ffs.metadata=sync", remove_body);
	assert_int_equal(cr.n, 2);
	r = &cr.r[0];
	assert_int_equal(r->bytes_lost, 0);
	assert_int_equal(r->names_lost, 0);
	assert_int_equal(r->unref_cleared + r->leaked_frags +
	    r->map_missing + r->ino_map_missing, 0);
	r = &cr.r[1];
	assert_int_equal(r->names, 0);
	assert_int_equal(r->names_back, 0);
	assert_int_equal(r->unref_cleared, 1);
	assert_true(r->leaked_frags > 0);
	assert_int_equal(r->leaked_inodes, 1);
	assert_int_equal(crash_unsafe_repairs(r), 0);
	assert_int_equal(r->dup_frags, 0);
	done();
}

/*
 * Truncating a file into its single indirect block on a synchronous
 * mount: ffs_truncate writes the inode with the new size synchronously,
 * then ffs_indirtrunc zeroes the indirect block's pointers past the new
 * end and writes it synchronously too (lastbn != -1; bawrite only on an
 * async mount), and only then frees the blocks, their map a delayed
 * write.  A crash once it has returned finds no pointer past the end
 * ("PARTIALLY TRUNCATED" would be a pointer the kernel had cleared) and
 * the freed blocks still marked in the map: leaked, fsck's only work.
 */
static void
trunc_body(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;
	int64_t bs = k->fs.fs_bsize;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "t", VREG, &vp), 0);
	vref(vp);					/* the test holds it open */
	assert_int_equal(vn_write(k, vp, 0, (NDADDR + 20) * bs, 0), 0);
	returned(k);
	kern_sync(k);
	quiet(k);
	crash(k);					/* 0 */
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	assert_int_equal(vn_truncate(k, vp, (NDADDR + 5) * bs), 0);
	VOP_UNLOCK(k, vp);
	returned(k);
	crash(k);					/* 1 */
	vrele(k, vp);
}

static void
test_truncate(void **state)
{
	const struct crash_result *r;

	(void)state;
	run("ffs.metadata=sync", trunc_body);
	assert_int_equal(cr.n, 2);
	r = &cr.r[0];
	assert_int_equal(r->partial_trunc + r->leaked_frags, 0);
	assert_int_equal(r->bytes_lost, 0);
	r = &cr.r[1];
	assert_int_equal(r->partial_trunc, 0);
	assert_true(r->leaked_frags >= 15 * (uint64_t)cr.m.k->fs.fs_frag);
	assert_int_equal(crash_unsafe_repairs(r), 0);
	assert_int_equal(r->names_lost, 0);
	assert_int_equal(r->files_lost, 0);
	done();
}

/*
 * mkdir(2) on a synchronous mount, as ufs_mkdir had it in 2001: the new
 * directory's inode written (UFS_UPDATE(tvp, 1)), its first block
 * allocated and the inode written again with its size and pointer,
 * the block ("." and "..") written, and only then the name in the
 * parent (ufs_direnter, synchronously).  A crash right after it returns
 * finds the name and a whole directory: nothing for fsck to reconnect
 * or remove.  The parent's raised link count, though, was only marked
 * (the UFS_UPDATE the comment "should be done before reference is
 * created" asks for names tvp, not dvp, in both eras' ufs_mkdir), so
 * fsck finds one more name than its count says ("LINK COUNT
 * INCREASING"), which it raises: the one repair a 2001 kernel's
 * synchronous order left after a mkdir.  Once the syncer has written
 * the parent's inode, there is none.
 */
static void
mkdir_body(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "dir", VDIR, &vp), 0);
	returned(k);
	crash(k);					/* 0 */
	kern_sync(k);
	quiet(k);
	crash(k);					/* 1 */
}

static void
test_mkdir(void **state)
{
	const struct crash_result *r;

	(void)state;
	run("ffs.metadata=sync", mkdir_body);
	assert_int_equal(cr.n, 2);
	r = &cr.r[0];
	assert_int_equal(r->names, 1);
	assert_int_equal(r->committed_names, 1);
	assert_int_equal(r->names_lost, 0);
	assert_int_equal(r->committed_names_lost, 0);
	assert_int_equal(r->dirs_reconnected, 0);
	assert_int_equal(r->unref_cleared + r->unref_reconnected, 0);
	assert_int_equal(crash_unsafe_repairs(r), 0);
	assert_int_equal(r->linkcnt_low, 1);	/* the parent's count */
	assert_int_equal(r->fsck_dirs, 2);	/* the root and "dir" */
	r = &cr.r[1];
	assert_int_equal(r->linkcnt_low + r->linkcnt_high, 0);
	assert_int_equal(r->names_lost, 0);
	assert_int_equal(crash_unsafe_repairs(r), 0);
	done();
}

/*
 * A write in flight: the crash catches the drive in the middle of a
 * synchronous write — it counts as begun, and the rest of the disk is
 * as it was.  Two crashes at the same instant with the same seed see
 * the same disk (the torn sectors are the seed's).
 */
static bool inflight_go;

static void
inflight_writer(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "d", VREG, &vp), 0);
	vref(vp);					/* the test holds it open */
	returned(k);
	inflight_go = true;
	assert_int_equal(vn_write(k, vp, 0, 65536, IO_SYNC), 0);
	returned(k);
	vrele(k, vp);
}

static void
inflight_crasher(void *arg)
{
	struct kern *k = cr.m.k;

	(void)arg;
	while (!inflight_go || k->bc.runningbufspace == 0)
		sim_pause(k->sim, 10 * SIM_US);
	sim_pause(k->sim, 100 * SIM_US);
	crash(k);
	crash(k);
}

static void
inflight_body(void *arg)
{
	(void)arg;
	sim_spawn(cr.m.s, "writer", inflight_writer, NULL, 0);
	sim_spawn(cr.m.s, "crasher", inflight_crasher, NULL, 0);
}

static void
test_inflight(void **state)
{
	(void)state;
	run("ffs.metadata=sync", inflight_body);
	assert_int_equal(cr.n, 2);
	assert_int_equal(cr.r[0].writes_inflight, 1);
	assert_memory_equal(&cr.r[0], &cr.r[1], sizeof(cr.r[0]));
	assert_int_equal(crash_unsafe_repairs(&cr.r[0]), 0);
	assert_int_equal(cr.r[0].committed_names_lost, 0);
	done();
}

/*
 * A write the drive fails (disk.errors) leaves the disk as it was
 * (biodone with B_ERROR: nothing reached the media) and brelse makes the
 * buffer dirty again; the retry carries what the buffer holds then.  So
 * after the retries a crash finds nothing in flight, and what fsync(2)
 * wrote is on the disk.  (A failed write once stayed "in flight" in the
 * image, and its retry was taken for the failed write's contents.)  The
 * first write to the first 512 MB fails, once (transient): it is the new
 * inode's synchronous write, so that create fails with EIO and enters no
 * name (ufs_makeinode: UFS_UPDATE's error, "goto bad"); the next one
 * works.
 */
static void
failed_body(void *arg)
{
	struct kern *k = cr.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "e", VREG, &vp), EIO);
	assert_null(vn_lookup_child(vn_root(k), "e"));
	assert_int_equal(vn_create(k, vn_root(k), "e", VREG, &vp), 0);
	vref(vp);
	assert_int_equal(vn_write(k, vp, 0, 1000, 0), 0);
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	assert_int_equal(VOP_FSYNC(k, vp, MNT_WAIT), 0);
	VOP_UNLOCK(k, vp);
	returned(k);
	quiet(k);
	crash(k);
	vrele(k, vp);
}

static void
test_failed_write(void **state)
{
	const char *sets[] = { "ffs.metadata=sync",
	    "disk.errors=0-1048575:w:transient", NULL };

	(void)state;
	memset(&cr.r, 0, sizeof(cr.r));
	cr.n = 0;
	machine_boot(&cr.m, machine_checked, sets);
	ffs_crash_init(cr.m.k);
	machine_run(&cr.m, "body", failed_body, NULL);
	assert_int_equal(cr.n, 1);
	assert_int_equal(cr.m.k->cnt.bio_write_errors, 1);
	assert_int_equal(cr.r[0].writes_inflight, 0);
	assert_int_equal(cr.r[0].names_lost, 0);
	assert_int_equal(cr.r[0].fsync_lost_bytes, 0);
	assert_int_equal(crash_unsafe_repairs(&cr.r[0]), 0);
	done();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_async),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_mkdir),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_inflight),
		cmocka_unit_test(test_failed_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
