/*
 * test_softdep.c — soft updates (softdep.c, softdep_io.c): the order the
 * disk sees, the rollbacks a write carries and the second write they
 * cost, the frees deferred until no pointer to what is freed is on the
 * disk, the worklist, fsync; each as ffs_softdep.c of 2001 does it.
 *
 * The cases write chosen blocks themselves (as the syncer would, in an
 * order it may well choose) and crash the machine (ffs_crash_at) to see
 * what the disk holds, and what fsck_ffs makes of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "testkern.h"
#include "ffs_private.h"

static struct {
	struct machine		 m;
	struct crash_result	 r[8];
	int			 n;
	uint64_t		 ino;
	bool			 flag[8];
	uint64_t		 writes;
	/* crashes taken at every disk interrupt of a window (a hook) */
	uint64_t		 wcrashes, wbad, wcopies0, wcopies1;
	uint64_t		 wints;		/* interrupts seen */
	bool			 wall;		/* set all back */
	int			 wstride;	/* crash at every wstride-th */
} sd;

static const char *const softdep_on[] = { "ffs.softdep=on", NULL };

static void
crash(struct kern *k)
{
	ffs_crash_at(k, 1, &sd.r[sd.n++]);
}

static void
returned(struct kern *k)
{
	ffs_crash_syscall_done(k);
	vn_unpin_all(k);
}

static void
run_with(const char *const *sets, sim_proc_fn *body)
{
	memset(&sd, 0, sizeof(sd));
	machine_boot(&sd.m, machine_checked, sets);
	assert_int_equal(sd.m.k->fs.fs_meta, META_SOFTDEP);
	ffs_crash_init(sd.m.k);
	machine_run(&sd.m, "body", body, NULL);
}

static void
run_keep(sim_proc_fn *body)
{
	machine_boot(&sd.m, machine_checked, softdep_on);
	assert_int_equal(sd.m.k->fs.fs_meta, META_SOFTDEP);
	assert_non_null(sd.m.k->softdep);
	ffs_crash_init(sd.m.k);
	machine_run(&sd.m, "body", body, NULL);
}

static void
run(sim_proc_fn *body)
{
	memset(&sd, 0, sizeof(sd));
	machine_boot(&sd.m, machine_checked, softdep_on);
	assert_int_equal(sd.m.k->fs.fs_meta, META_SOFTDEP);
	assert_non_null(sd.m.k->softdep);
	ffs_crash_init(sd.m.k);
	machine_run(&sd.m, "body", body, NULL);
}

static void
done(void)
{
	machine_sync(&sd.m);
	assert_int_equal(softdep_count(sd.m.k), 0);
	machine_fsck(sd.m.k);
	machine_shutdown(&sd.m);
}

/* What soft updates promise of every crash taken (McKusick and Ganger:
 * fsck's only work is leaked blocks and inodes and link counts too high):
 * no unsafe repair, no link count too low, no block in a file that the map
 * calls free. */
static void
assert_crashes_safe(void)
{
	int i;

	for (i = 0; i < sd.n; i++) {
		assert_int_equal(crash_unsafe_repairs(&sd.r[i]), 0);
		assert_int_equal(sd.r[i].linkcnt_low, 0);
		assert_int_equal(sd.r[i].map_missing, 0);
	}
}

/* Write bp's block now if it is dirty (the syncer's choice of order);
 * whether it is dirty again afterwards. */
static bool
write_now(struct kern *k, struct buf *bp)
{
	bool again;

	if (bp->b_flags & B_DELWRI)
		(void)bwrite(k, bp);
	else
		brelse(k, bp);
	bp = incore(k, bp->b_vp, bp->b_lblkno);
	again = bp != NULL && (bp->b_flags & B_DELWRI);
	return again;
}

static bool
write_dirblk(struct kern *k, struct vnode *dvp, int64_t lbn)
{
	struct buf *bp;

	bread_noerror(k, dvp, lbn, ffs_blksize(&k->fs, dvp->v_data, lbn), &bp);
	return write_now(k, bp);
}

/* A file's block (or indirect block, lbn < 0) written now if dirty. */
static bool
write_now_lbn(struct kern *k, struct vnode *vp, int64_t lbn)
{
	struct buf *bp = incore(k, vp, lbn);

	if (bp == NULL || !(bp->b_flags & B_DELWRI) || bp->b_lockholder != NULL)
		return false;
	BUF_LOCK_NOWAIT(k, bp);
	bremfree(k, bp);
	return write_now(k, bp);
}

static bool
write_inoblk(struct kern *k, uint64_t ino)
{
	return write_now(k, ffs_meta_bread(k, ino_to_fsba(&k->fs, ino),
	    k->fs.fs_bsize));
}

static bool
write_cg(struct kern *k, int c)
{
	return write_now(k, ffs_meta_bread(k, cgtod(&k->fs, c),
	    k->fs.fs_bsize));
}

/*
 * initiate_write_filepage: a new entry whose inode is not on the disk is
 * rolled back in the block written (the disk never names an inode it
 * does not have), and handle_written_filepage makes the block dirty
 * again.  initiate_write_inodeblock: an inode whose cg map is not on the
 * disk (bmsafemap: not DEPCOMPLETE) is written as it was (free, the
 * id_savedino rollback), the block dirty again too.  Once the map, then
 * the inode, then the block are written, the name is there.
 */
static void
order_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	sd.ino = ((struct inode *)vp->v_data)->i_number;
	returned(k);
	sd.flag[0] = write_dirblk(k, vn_root(k), 0);	/* rolled back */
	crash(k);					/* 0 */
	sd.flag[1] = write_inoblk(k, sd.ino);		/* rolled back */
	crash(k);					/* 1 */
	sd.flag[2] = write_cg(k, ino_to_cg(&k->fs, sd.ino));
	sd.flag[3] = write_inoblk(k, sd.ino);		/* now whole */
	crash(k);					/* 2 */
	sd.flag[4] = write_dirblk(k, vn_root(k), 0);	/* now the name */
	crash(k);					/* 3 */
}

static void
test_order(void **state)
{
	struct softdep_stats st;
	int i;

	(void)state;
	run(order_body);
	assert_int_equal(sd.n, 4);
	assert_true(sd.flag[0]);	/* dirty again: a second write due */
	assert_true(sd.flag[1]);
	assert_false(sd.flag[2]);	/* a cg map: no rollback */
	assert_false(sd.flag[3]);
	assert_false(sd.flag[4]);
	/* The name reaches the disk only with the last write. */
	assert_int_equal(sd.r[0].names_lost, 1);
	assert_int_equal(sd.r[1].names_lost, 1);
	assert_int_equal(sd.r[2].names_lost, 1);
	assert_int_equal(sd.r[3].names_lost, 0);
	/* The inode on the disk only once its map is: before, nothing to
	 * repair; after, an inode nothing names yet — cleared by fsck, as a
	 * soft-updates preen does (pass 4). */
	assert_int_equal(sd.r[1].fsck_inodes, sd.r[0].fsck_inodes);
	assert_int_equal(sd.r[2].fsck_inodes, sd.r[0].fsck_inodes + 1);
	assert_int_equal(sd.r[2].unref_cleared, 1);
	for (i = 0; i < sd.n; i++) {
		assert_int_equal(sd.r[i].meta, META_SOFTDEP);
		assert_int_equal(sd.r[i].dirent_unalloc, 0);
	}
	assert_crashes_safe();
	softdep_stats(sd.m.k, &st);
	assert_true(st.rollbacks >= 2);
	assert_true(st.redirtied >= 2);
	done();
}

/*
 * softdep_setup_allocdirect: the inode's pointer to a new block is rolled
 * back, with the size, while the block itself (COMPLETE) or its map
 * (DEPCOMPLETE) is not on the disk — no crash finds a pointer to a block
 * that holds garbage or that the map calls free.
 */
static void
allocdirect_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *vp;
	struct inode *ip;
	struct buf *bp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	vref(vp);
	ip = vp->v_data;
	sd.ino = ip->i_number;
	/* The file and its name on the disk first. */
	(void)write_cg(k, ino_to_cg(&k->fs, sd.ino));
	(void)write_inoblk(k, sd.ino);
	(void)write_dirblk(k, vn_root(k), 0);
	returned(k);
	assert_int_equal(vn_write(k, vp, 0, 8192, 0), 0);
	returned(k);
	(void)ffs_update(k, ip, false);
	sd.flag[0] = write_inoblk(k, sd.ino);	/* neither block nor map */
	crash(k);				/* 0 */
	(void)write_cg(k, dtog(&k->fs, ffs_blk_get(ip, 0)));
	sd.flag[1] = write_inoblk(k, sd.ino);	/* the block still not */
	crash(k);				/* 1 */
	bread_noerror(k, vp, 0, k->fs.fs_bsize, &bp);
	sd.flag[2] = write_now(k, bp);		/* the data */
	sd.flag[3] = write_inoblk(k, sd.ino);	/* now the pointer */
	crash(k);				/* 2 */
	vrele(k, vp);
}

static void
test_allocdirect(void **state)
{
	int i;

	(void)state;
	run(allocdirect_body);
	assert_int_equal(sd.n, 3);
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_false(sd.flag[2]);
	assert_false(sd.flag[3]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(sd.r[i].names_lost, 0);
		assert_int_equal(sd.r[i].bytes_lost, 8192);	/* not pointed at */
		assert_int_equal(sd.r[i].partial_trunc, 0);
		assert_int_equal(sd.r[i].map_missing, 0);
	}
	/* the map before the pointer: the block, used in no file */
	assert_int_equal(sd.r[1].leaked_frags, 8192 / sd.m.k->fs.fs_fsize);
	assert_int_equal(sd.r[2].bytes_lost, 0);
	assert_int_equal(sd.r[2].leaked_frags, 0);
	assert_crashes_safe();
	done();
}

/*
 * softdep_setup_allocindir_page: a pointer inside an indirect block to a
 * new data block is rolled back in the indirect block's writes (the
 * indirdep's saved copy) until the block and its map are on the disk.
 */
static void
allocindir_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct fs *fs = &k->fs;
	struct vnode *vp;
	struct inode *ip;
	int64_t lbn = NDADDR, len = (int64_t)(NDADDR + 1) * fs->fs_bsize;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "big", VREG, &vp), 0);
	vref(vp);
	ip = vp->v_data;
	sd.ino = ip->i_number;
	returned(k);
	assert_int_equal(vn_write(k, vp, 0, len, 0), 0);
	returned(k);
	sim_pause(k->sim, SIM_SEC);	/* write-behind's writes done */
	/* Everything on the disk but the data block past the direct ones:
	 * the indirect block first, then the rest around it. */
	sd.flag[0] = write_now_lbn(k, vp, -(int64_t)NDADDR);	/* the
						   indirect block: rolled back */
	(void)write_cg(k, dtog(fs, ffs_blk_get(ip, lbn)));
	(void)write_cg(k, ino_to_cg(fs, sd.ino));
	for (int64_t l = 0; l < NDADDR; l++)
		(void)write_now_lbn(k, vp, l);
	(void)ffs_update(k, ip, false);
	(void)write_inoblk(k, sd.ino);
	(void)write_dirblk(k, vn_root(k), 0);
	crash(k);				/* 0: all but the last block */
	(void)write_now_lbn(k, vp, lbn);		/* the data */
	sd.flag[1] = write_now_lbn(k, vp, -(int64_t)NDADDR);
	crash(k);				/* 1: all of it */
	vrele(k, vp);
}

static void
test_allocindir(void **state)
{
	int64_t bs;

	(void)state;
	run(allocindir_body);
	bs = sd.m.k->fs.fs_bsize;
	assert_int_equal(sd.n, 2);
	assert_true(sd.flag[0]);	/* dirty again */
	assert_false(sd.flag[1]);
	assert_int_equal(sd.r[0].names_lost, 0);
	assert_int_equal(sd.r[0].bytes_lost, bs);	/* only the last block */
	assert_int_equal(sd.r[0].bad_ptrs, 0);
	assert_int_equal(sd.r[1].bytes_lost, 0);
	assert_crashes_safe();
	done();
}

/*
 * softdep_setup_allocindir_meta: a new indirect block below the root (the
 * first level under the double-indirect root) is a delayed write, and the
 * parent's pointer to it an allocindir: the parent written first carries
 * a hole there (initiate_write_indirblock) and is dirty again; once the
 * new block and its map are on the disk, the parent carries the pointer.
 * A synchronous mount writes the new block at once instead.
 */
static void
allocmeta_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct fs *fs = &k->fs;
	struct vnode *vp;
	struct inode *ip;
	struct indir a[NIADDR + 2];
	struct buf *bp;
	int64_t lbn = NDADDR + fs->fs_nindir, child, parent;

	(void)arg;
	assert_int_equal(ufs_getlbns(fs, lbn, a), 3);	/* double indirect */
	parent = a[1].in_lbn;
	child = a[2].in_lbn;
	assert_int_equal(vn_create(k, vn_root(k), "big", VREG, &vp), 0);
	vref(vp);
	ip = vp->v_data;
	sd.ino = ip->i_number;
	returned(k);
	assert_int_equal(vn_write(k, vp, lbn * fs->fs_bsize, fs->fs_bsize, 0),
	    0);
	returned(k);
	sim_pause(k->sim, SIM_SEC);	/* write-behind's writes done */
	bp = incore(k, vp, child);
	sd.flag[0] = bp != NULL && (bp->b_flags & B_DELWRI);	/* delayed */
	sd.flag[1] = write_now_lbn(k, vp, parent);	/* a hole: dirty again */
	(void)write_cg(k, dtog(fs, ffs_blk_get(ip, child)));
	(void)write_cg(k, dtog(fs, ffs_blk_get(ip, parent)));
	(void)write_cg(k, dtog(fs, ffs_blk_get(ip, lbn)));
	(void)write_cg(k, ino_to_cg(fs, sd.ino));
	(void)write_now_lbn(k, vp, lbn);		/* the data */
	(void)write_now_lbn(k, vp, parent);		/* still a hole */
	(void)ffs_update(k, ip, false);
	(void)write_inoblk(k, sd.ino);
	(void)write_dirblk(k, vn_root(k), 0);
	crash(k);				/* 0: all but the child */
	(void)write_now_lbn(k, vp, child);
	sd.flag[2] = write_now_lbn(k, vp, parent);	/* the pointer now */
	crash(k);				/* 1: all of it */
	vrele(k, vp);
}

static void
test_allocindir_meta(void **state)
{
	int64_t bs;

	(void)state;
	run(allocmeta_body);
	bs = sd.m.k->fs.fs_bsize;
	assert_int_equal(sd.n, 2);
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_false(sd.flag[2]);
	assert_int_equal(sd.r[0].names_lost, 0);
	assert_int_equal(sd.r[0].bytes_lost, bs);	/* behind the hole */
	assert_int_equal(sd.r[0].bad_ptrs, 0);
	assert_int_equal(sd.r[1].bytes_lost, 0);
	assert_crashes_safe();
	done();
}

/*
 * newdirrem: a file created and removed before any of it reached the disk
 * costs no write at all — the removal cancels the entry (the diradd never
 * on the disk), the inode and its block go back to the maps at once
 * (softdep_setup_freeblocks and softdep_freefile of an inode never
 * written), and the dirty blocks hold nothing of it.
 */
static void
cancel_body(void *arg)
{
	struct kern *k = sd.m.k;
	char name[16];
	int i;

	(void)arg;
	machine_record_disk(&sd.m);
	for (i = 0; i < 50; i++) {
		struct vnode *vp;

		g_snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(vn_create(k, vn_root(k), name, VREG, &vp), 0);
		vref(vp);
		assert_int_equal(vn_write(k, vp, 0, 3000, 0), 0);
		vrele(k, vp);
		returned(k);
		assert_int_equal(vn_remove(k, vn_root(k), name, false), 0);
		returned(k);
	}
	for (i = 0; i < (int)sd.m.reqs->len; i++)
		if (g_array_index(sd.m.reqs, struct diskreq, i).write)
			sd.writes++;
	crash(k);
}

static void
test_cancel(void **state)
{
	struct softdep_stats st;

	(void)state;
	run(cancel_body);
	assert_int_equal(sd.writes, 0);
	softdep_stats(sd.m.k, &st);
	assert_int_equal(st.cancelled, 50);
	assert_int_equal(crash_unsafe_repairs(&sd.r[0]), 0);
	assert_int_equal(sd.r[0].names_back, 0);
	/* every block and inode back in the in-core maps already */
	machine_fsck(sd.m.k);
	done();
}

/*
 * A removal of a name the disk has (dirrem): the link count on the disk
 * stays until the block without the name is written, and the file's
 * blocks and inode go back to the maps only after that, from the worklist
 * (handle_workitem_remove, then freeblks and freefile once the cleared
 * inode is written) — a crash in between finds a file nothing names,
 * which fsck clears, never a name of a free inode.
 */
static void
remove_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *vp;
	int64_t blk;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	vref(vp);
	assert_int_equal(vn_write(k, vp, 0, 8192, 0), 0);
	sd.ino = ((struct inode *)vp->v_data)->i_number;
	blk = ffs_blk_get(vp->v_data, 0);
	vrele(k, vp);
	returned(k);
	kern_sync(k);
	assert_int_equal(softdep_count(k), 0);
	crash(k);					/* 0: all there */
	assert_int_equal(vn_remove(k, vn_root(k), "a", false), 0);
	returned(k);
	sd.flag[0] = !isfree(&k->fs, blk);	/* held */
	crash(k);					/* 1: name on disk */
	(void)write_dirblk(k, vn_root(k), 0);
	sd.flag[1] = !isfree(&k->fs, blk);	/* still held */
	crash(k);					/* 2: name gone */
	(void)softdep_process_worklist(k);	/* the removal's turn */
	sd.flag[2] = !isfree(&k->fs, blk);	/* until the inode */
	(void)write_inoblk(k, sd.ino);
	(void)softdep_process_worklist(k);
	sd.flag[3] = isfree(&k->fs, blk) != 0;	/* free now */
	crash(k);					/* 3 */
}

static void
test_remove(void **state)
{

	(void)state;
	run(remove_body);
	assert_int_equal(sd.n, 4);
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_true(sd.flag[2]);
	assert_true(sd.flag[3]);
	assert_int_equal(sd.r[0].names_lost, 0);
	assert_int_equal(sd.r[1].names_back, 1);	/* not yet removed */
	assert_int_equal(sd.r[2].names_back, 0);
	assert_int_equal(sd.r[2].unref_cleared, 1);	/* the file, cleared */
	assert_int_equal(sd.r[3].unref_cleared, 0);
	assert_crashes_safe();
	done();
}

/*
 * Snapshots on a soft-updates mount: removing a file a snapshot shares
 * clears the in-core inode at once (softdep_setup_freeblocks, which
 * 2001's ffs_truncate called whatever snapshots there were), but its
 * block goes to ffs_blkfree — and so is offered to the snapshot
 * (ffs_snapblkfree) — only when handle_workitem_freeblocks runs from the
 * worklist, once the cleared inode is on the disk.  The snapshot then
 * takes the whole block over (never free in the map) and still reads the
 * version it was taken with.  A synchronous truncation would have offered
 * it at once, while the disk's inode still pointed at it.
 */
static void
snapclaim_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *vp;
	int64_t blk, db;
	uint64_t claims;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	vref(vp);
	assert_int_equal(vn_write(k, vp, 0, k->fs.fs_bsize, 0), 0);
	sd.ino = ((struct inode *)vp->v_data)->i_number;
	blk = ffs_blk_get(vp->v_data, 0);
	db = fsbtodb(&k->fs, blk);
	vrele(k, vp);
	returned(k);
	kern_sync(k);
	assert_int_equal(ffs_snapshot(k, "s"), 0);
	returned(k);
	kern_sync(k);
	assert_int_equal(softdep_count(k), 0);
	sd.writes = (uint64_t)ffs_snap_version(k, 0, db);
	claims = k->cnt.snap_claims;
	crash(k);					/* 0: all there */
	assert_int_equal(vn_remove(k, vn_root(k), "a", false), 0);
	returned(k);
	/* Not offered yet: the disk's inode still points at it. */
	sd.flag[0] = !isfree(&k->fs, blk) && k->cnt.snap_claims == claims;
	crash(k);					/* 1: name on disk */
	(void)write_dirblk(k, vn_root(k), 0);
	(void)softdep_process_worklist(k);		/* the removal */
	sd.flag[1] = k->cnt.snap_claims == claims;	/* until the inode */
	(void)write_inoblk(k, sd.ino);
	(void)softdep_process_worklist(k);		/* freeblks */
	sd.flag[2] = k->cnt.snap_claims == claims + 1 &&
	    !isfree(&k->fs, blk);			/* the snapshot's */
	sd.flag[3] = (uint64_t)ffs_snap_version(k, 0, db) == sd.writes;
	crash(k);					/* 2 */
}

static void
test_snapshot_claim(void **state)
{

	(void)state;
	run(snapclaim_body);
	assert_int_equal(sd.n, 3);
	assert_true(sd.writes > 0);	/* the snapshot reads the data */
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_true(sd.flag[2]);
	assert_true(sd.flag[3]);
	assert_int_equal(sd.r[1].names_back, 1);	/* not yet removed */
	assert_crashes_safe();
	done();
}

/*
 * Removing a snapshot on a soft-updates mount: 2001's ffs_truncate called
 * ffs_snapremove (BLK_NOCOPY/BLK_SNAP cleared, claims passed to snapshots
 * that still want them) and then softdep_setup_freeblocks as for any
 * file, so a block the snapshot claimed that no one takes over is freed
 * with its copies only once the snapshot's cleared inode is on the disk.
 * Freed at once, the map written (the syncer's choice) before the
 * removed name would leave the disk's snapshot file pointing at a block
 * the map calls free.
 */
static void
snapremove_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *vp, *dvp;
	int64_t blk;
	uint64_t sino;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	vref(vp);
	assert_int_equal(vn_write(k, vp, 0, k->fs.fs_bsize, 0), 0);
	sd.ino = ((struct inode *)vp->v_data)->i_number;
	blk = ffs_blk_get(vp->v_data, 0);
	vrele(k, vp);
	returned(k);
	kern_sync(k);
	assert_int_equal(ffs_snapshot(k, "s"), 0);
	returned(k);
	sino = k->snaps[0].sn_ip->i_number;
	assert_int_equal(vn_remove(k, vn_root(k), "a", false), 0);
	returned(k);
	kern_sync(k);			/* claimed, and its pointer on disk */
	kern_sync(k);
	assert_int_equal(softdep_count(k), 0);
	sd.flag[0] = k->cnt.snap_claims == 1 && !isfree(&k->fs, blk);
	assert_int_equal(ffs_snapremove(k, "s"), 0);
	returned(k);
	/* Not freed yet: the disk's snapshot inode still points at it. */
	sd.flag[1] = !isfree(&k->fs, blk);
	(void)write_cg(k, dtog(&k->fs, blk));
	crash(k);					/* 0: name on disk */
	dvp = vn_child(k, vn_root(k), ".snap");
	assert_non_null(dvp);
	(void)write_dirblk(k, dvp, 0);
	(void)softdep_process_worklist(k);		/* the removal */
	sd.flag[2] = !isfree(&k->fs, blk);		/* until the inode */
	(void)write_cg(k, dtog(&k->fs, blk));
	crash(k);					/* 1 */
	(void)write_inoblk(k, sino);
	(void)softdep_process_worklist(k);		/* freeblks */
	sd.flag[3] = isfree(&k->fs, blk);
	(void)write_cg(k, dtog(&k->fs, blk));
	crash(k);					/* 2: all gone */
}

static void
test_snapshot_remove(void **state)
{

	(void)state;
	run(snapremove_body);
	assert_int_equal(sd.n, 3);
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_true(sd.flag[2]);
	assert_true(sd.flag[3]);
	assert_int_equal(sd.r[0].names_back, 1);	/* "s" not yet removed */
	assert_crashes_safe();
	done();
}

/*
 * A copy for an older snapshot made while writes are suspended.  The new
 * snapshot's own writes then (its copies of the maps, the superblock, the
 * summary) go through ffs_copyonwrite like any other, and an older
 * snapshot that still shares one of those blocks gets a copy — which
 * needs an earlier copy of it to have failed for lack of space (the older
 * snapshot's pointer left 0, snap_copy's "full").  The condition is built
 * directly: at the first disk interrupt once writes are suspended, the
 * older snapshot's pointers to the blocks the new one is still to write
 * are set back to 0, as such a failure leaves them.  2001's
 * ffs_copyonwrite allocated the copy (UFS_BALLOC: the map changed,
 * softdep's bmsafemap), wrote it and fsynced the snapshot, its
 * softdep_sync_metadata writing the map before the pointer, the pointer
 * before the write that asked for the copy (112f737245).  A crash at
 * every disk interrupt while suspended must find no snapshot's block
 * free in the map (nor anything else fsck may not find on soft updates),
 * and nothing but those writes may reach the disk then (bstrategy's
 * suspension assertion, 2001's spec_strategy "bad I/O").  Without the
 * map written first the crashes find the copies free in the map; without
 * B_VALIDSUSPWRT on the pointer's block the assertion fires.
 */
/* The older snapshot's pointer to the block the newer one maps fs block n
 * to, if that is BLK_NOCOPY, set back to 0. */
static void
cowsusp_share(struct kern *k, int64_t n)
{
	struct fs *fs = &k->fs;
	struct snapshot *o = &k->snaps[0], *sn = &k->snaps[1];
	int64_t v = ffs_blk_get(sn->sn_ip, n), b;

	if (v <= BLK_SNAP)
		return;
	b = fragstoblks(fs, v);
	if (ffs_blk_get(o->sn_ip, b) == BLK_NOCOPY) {
		ffs_blk_set(o->sn_ip, b, 0);
		sd.writes++;
	}
}

static void
cowsusp_hook(void *arg, const struct diskreq *r)
{
	struct kern *k = arg;
	struct fs *fs = &k->fs;
	struct crash_result res;

	(void)r;
	if (k->nsnaps != 1 || k->snaps[1].sn_ip == NULL ||
	    !(k->mnt.mnt_kern_flag & MNTK_SUSPENDED))
		return;
	/* ffs_snapshot holds a group's map through the group, as 2001 */
	if (k->mnt.mnt_snapcgbp != NULL)
		sd.flag[1] = true;
	if (!sd.flag[0]) {
		/* the new snapshot's copies of the last map, the superblock
		 * and the summary, written while suspended after this — or
		 * every block it has */
		if (sd.wall) {
			int64_t n, nblk = fragstoblks(fs, fs->fs_size);
			struct snapshot *o = &k->snaps[0];
			GHashTableIter it;
			gpointer val;

			for (n = 0; n < nblk; n++)
				cowsusp_share(k, n);
			/* and its indirect blocks */
			g_hash_table_iter_init(&it, k->snaps[1].sn_ip->i_ind);
			while (g_hash_table_iter_next(&it, NULL, &val)) {
				int64_t b = fragstoblks(fs,
				    (int64_t)GPOINTER_TO_SIZE(val));

				if (ffs_blk_get(o->sn_ip, b) == BLK_NOCOPY) {
					ffs_blk_set(o->sn_ip, b, 0);
					sd.writes++;
				}
			}
		} else {
			cowsusp_share(k, fragstoblks(fs, cgtod(fs,
			    fs->fs_ncg - 1)));
			cowsusp_share(k, fragstoblks(fs, fs->fs_sblkno));
			cowsusp_share(k, fragstoblks(fs, fs->fs_csaddr));
		}
		sd.flag[0] = true;
	}
	if (sd.wints++ % sd.wstride != 0)
		return;
	if (sd.wcrashes == 0)
		sd.wcopies0 = k->cnt.cow_copies;
	sd.wcopies1 = k->cnt.cow_copies;
	memset(&res, 0, sizeof(res));
	ffs_crash_at(k, sd.wcrashes + 1, &res);
	sd.wcrashes++;
	sd.wbad += crash_unsafe_repairs(&res) + res.linkcnt_low +
	    res.map_missing;
}

static void
cowsusp_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "a", VREG, &vp), 0);
	vref(vp);
	assert_int_equal(vn_write(k, vp, 0, 4 * k->fs.fs_bsize, 0), 0);
	vrele(k, vp);
	returned(k);
	kern_sync(k);
	assert_int_equal(ffs_snapshot(k, "old"), 0);
	returned(k);
	kern_sync(k);
	k->hooks.arg = k;
	k->hooks.disk_done = cowsusp_hook;
	assert_int_equal(ffs_snapshot(k, "new"), 0);
	k->hooks.disk_done = NULL;
	returned(k);
	crash(k);					/* 0: resumed */
	kern_sync(k);
	crash(k);					/* 1: all written */
}

static void
cowsusp_check(void)
{
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);		/* a map held meanwhile */
	assert_null(sd.m.k->mnt.mnt_snapcgbp);	/* and let go */
	assert_true(sd.writes > 0);		/* pointers set back */
	assert_true(sd.wcrashes > 0);
	assert_true(sd.wcopies1 > sd.wcopies0);	/* copies while suspended */
	assert_int_equal(sd.wbad, 0);
	assert_int_equal(sd.m.k->cnt.suspended_writes_bad, 0);
	assert_int_equal(sd.n, 2);
	assert_crashes_safe();
	done();
}

static void
test_snapshot_cow_suspended(void **state)
{

	(void)state;
	memset(&sd, 0, sizeof(sd));
	sd.wstride = 1;
	run_keep(cowsusp_body);
	/* the older snapshot's copies all land in other groups than the
	 * one whose map is held: 2001's order throughout, no divergence */
	assert_int_equal(sd.m.k->mnt.mnt_snapcg_lent, 0);
	cowsusp_check();
}

/*
 * The same with every block of the new snapshot shared by the older one:
 * a copy's allocation then lands in the group whose map ffs_snapshot
 * holds (2001 held it through the group) — its getblk of that map would
 * re-lock a buffer its own process holds (2001: lockmgr's "locking against
 * myself"; here a wait for ever), so ffs_snapcg_wanted lets the map go to
 * the copy, there only.  Crashes at every eighth interrupt, to keep the
 * case short.
 */
static void
test_snapshot_cow_suspended_all(void **state)
{

	(void)state;
	memset(&sd, 0, sizeof(sd));
	sd.wall = true;
	sd.wstride = 8;
	run_keep(cowsusp_body);
	assert_true(sd.writes > 3);
	assert_true(sd.m.k->mnt.mnt_snapcg_lent > 0);	/* the divergence */
	cowsusp_check();
}

/*
 * rmdir: handle_workitem_remove lowers the directory's count by two (its
 * name and its ".") and frees it, but the parent's count, for the "..",
 * only once the directory's cleared inode is on the disk (the same dirrem
 * hung on the directory's inodedep, id_inowait): until then the parent's
 * inode written carries the count with the "..", so no crash finds a
 * parent's count too low while the disk's directory still names it.
 */
static void
rmdir_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *dvp;
	struct inode *root;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "d", VDIR, &dvp), 0);
	sd.ino = ((struct inode *)dvp->v_data)->i_number;
	root = vn_root(k)->v_data;
	returned(k);
	kern_sync(k);
	assert_int_equal(softdep_count(k), 0);
	/* the two inodes in different blocks (ffs_dirpref spreads them) */
	sd.flag[7] = ino_to_fsba(&k->fs, sd.ino) != ino_to_fsba(&k->fs,
	    root->i_number);
	crash(k);					/* 0 */
	assert_int_equal(vn_remove(k, vn_root(k), "d", true), 0);
	returned(k);
	(void)write_dirblk(k, vn_root(k), 0);		/* name gone */
	(void)softdep_process_worklist(k);		/* the removal */
	sd.flag[0] = softdep_nlinkdelta(k, root) == 1;	/* ".." kept */
	(void)ffs_update(k, root, false);
	(void)write_inoblk(k, root->i_number);
	crash(k);					/* 1 */
	(void)write_inoblk(k, sd.ino);			/* cleared */
	(void)softdep_process_worklist(k);
	sd.flag[1] = softdep_nlinkdelta(k, root) == 0;	/* now */
	(void)ffs_update(k, root, false);
	(void)write_inoblk(k, root->i_number);
	crash(k);					/* 2 */
}

static void
test_rmdir(void **state)
{

	(void)state;
	run(rmdir_body);
	assert_int_equal(sd.n, 3);
	assert_true(sd.flag[7]);
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_crashes_safe();
	/* between: the parent's count one high, fsck lowers it */
	assert_int_equal(sd.r[1].linkcnt_high, 1);
	assert_int_equal(sd.r[2].linkcnt_high, 0);
	assert_int_equal(sd.r[2].unref_cleared, 0);
	done();
}

/*
 * mkdir's two more dependencies: the entry of a new directory waits for
 * the directory's first block (MKDIR_BODY) and for its parent's inode
 * with the raised link count (MKDIR_PARENT), besides its own inode.
 */
static void
mkdir_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *dvp;
	uint64_t root = ROOTINO;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "d", VDIR, &dvp), 0);
	sd.ino = ((struct inode *)dvp->v_data)->i_number;
	returned(k);
	(void)write_cg(k, ino_to_cg(&k->fs, sd.ino));
	(void)write_cg(k, dtog(&k->fs, ffs_blk_get(dvp->v_data, 0)));
	(void)write_inoblk(k, sd.ino);
	sd.flag[0] = write_dirblk(k, vn_root(k), 0);	/* body, parent: no */
	crash(k);					/* 0 */
	(void)write_dirblk(k, dvp, 0);			/* MKDIR_BODY */
	(void)write_inoblk(k, sd.ino);
	sd.flag[1] = write_dirblk(k, vn_root(k), 0);	/* parent: no */
	crash(k);					/* 1 */
	(void)ffs_update(k, vn_root(k)->v_data, false);
	(void)write_inoblk(k, root);			/* MKDIR_PARENT */
	sd.flag[2] = write_dirblk(k, vn_root(k), 0);
	crash(k);					/* 2 */
}

static void
test_mkdir(void **state)
{

	(void)state;
	run(mkdir_body);
	assert_int_equal(sd.n, 3);
	assert_true(sd.flag[0]);
	assert_true(sd.flag[1]);
	assert_false(sd.flag[2]);
	assert_int_equal(sd.r[0].names_lost, 1);
	assert_int_equal(sd.r[1].names_lost, 1);
	assert_int_equal(sd.r[2].names_lost, 0);
	assert_crashes_safe();
	done();
}

/*
 * fsync(2) under soft updates (softdep_sync_metadata, then the syscall's
 * softdep_fsync): a new file in a new directory — its data, maps, inode,
 * its name and the directory's — on the disk when it returns; nothing
 * fsynced is lost.
 */
static void
fsync_body(void *arg)
{
	struct kern *k = sd.m.k;
	struct vnode *dvp, *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "d", VDIR, &dvp), 0);
	returned(k);
	assert_int_equal(vn_create(k, dvp, "f", VREG, &vp), 0);
	vref(vp);
	assert_int_equal(vn_write(k, vp, 0, 20000, 0), 0);
	returned(k);
	crash(k);					/* 0 */
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	assert_int_equal(VOP_FSYNC(k, vp, MNT_WAIT), 0);
	softdep_fsync(k, vp);
	ffs_crash_synced(k, vp->v_data);
	VOP_UNLOCK(k, vp);
	returned(k);
	crash(k);					/* 1 */
	vrele(k, vp);
}

static void
test_fsync(void **state)
{
	(void)state;
	run(fsync_body);
	assert_int_equal(sd.n, 2);
	assert_int_equal(sd.r[0].names_lost, 2);
	assert_int_equal(sd.r[0].bytes_lost, 20000);
	assert_int_equal(sd.r[1].names_lost, 0);
	assert_int_equal(sd.r[1].bytes_lost, 0);
	assert_int_equal(sd.r[1].fsync_bytes, 20000);
	assert_int_equal(sd.r[1].fsync_lost_bytes, 0);
	assert_int_equal(crash_unsafe_repairs(&sd.r[0]), 0);
	assert_int_equal(crash_unsafe_repairs(&sd.r[1]), 0);
	done();
}

/*
 * request_cleanup and max_softdeps: past half of max_softdeps removals
 * waiting (newdirrem), or max_softdeps inode dependencies, a process is
 * slowed down — the syncer rushed (speedup_syncer), asked to clear some
 * (clear_remove, clear_inodedeps), the process asleep "softupdate" a few
 * ticks at most; with the default limit (desiredvnodes * 8) nothing is.
 */
static void
burst_body(void *arg)
{
	struct kern *k = sd.m.k;
	char name[16];
	int i;

	(void)arg;
	for (i = 0; i < 200; i++) {
		struct vnode *vp;

		g_snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(vn_create(k, vn_root(k), name, VREG, &vp), 0);
		returned(k);
	}
	kern_sync(k);		/* the names on the disk: removals wait */
	for (i = 0; i < 200; i++) {
		g_snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(vn_remove(k, vn_root(k), name, false), 0);
		returned(k);
	}
}

static void
test_cleanup(void **state)
{
	static const char *const limited[] = { "ffs.softdep=on",
	    "ffs.max_softdeps=20", NULL };
	struct softdep_stats st, free_st;

	(void)state;
	run(burst_body);
	softdep_stats(sd.m.k, &free_st);
	done();
	run_with(limited, burst_body);
	softdep_stats(sd.m.k, &st);
	done();
	assert_int_equal(free_st.blk_limit_push + free_st.ino_limit_push, 0);
	assert_true(free_st.deps_peak >= 200);
	assert_true(st.blk_limit_push > 0);
	assert_true(st.deps_peak <= free_st.deps_peak);
	/* the removals slowed down: some waits cut short by the syncer's
	 * clear_remove, some the full TICKDELAY */
	assert_true(st.blk_limit_hit <= st.blk_limit_push);
}

/* The mount option: softdep_mount clears MNT_ASYNC (an async mount of a
 * soft-updates file system does soft updates); "delayed" is refused with
 * it; the sysctl shows it. */
static void
test_option(void **state)
{
	struct profile *p = profile_new();
	struct sim *s = sim_create();
	struct kern *k;
	GError *err = NULL;

	(void)state;
	assert_true(profile_set(p, "ffs.softdep=on", &err));
	assert_true(profile_set(p, "ffs.metadata=async", &err));
	k = kern_boot(s, p, &err);
	assert_non_null(k);
	assert_int_equal(k->fs.fs_meta, META_SOFTDEP);
	kern_shutdown(k);
	assert_true(profile_set(p, "ffs.metadata=delayed", &err));
	k = kern_boot(s, p, &err);
	assert_null(k);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "ffs.softdep"));
	g_clear_error(&err);
	assert_false(profile_set(p, "ffs.softdep=maybe", &err));
	g_clear_error(&err);
	sim_destroy(s);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_allocdirect),
		cmocka_unit_test(test_allocindir),
		cmocka_unit_test(test_allocindir_meta),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_snapshot_claim),
		cmocka_unit_test(test_snapshot_remove),
		cmocka_unit_test(test_snapshot_cow_suspended),
		cmocka_unit_test(test_snapshot_cow_suspended_all),
		cmocka_unit_test(test_rmdir),
		cmocka_unit_test(test_mkdir),
		cmocka_unit_test(test_fsync),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
