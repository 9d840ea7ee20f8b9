/*
 * softdep_sync.c — soft updates' work done later (ffs_softdep.c's
 * worklist and its fsync side): the worklist the syncer processes once a
 * second (softdep_process_worklist, from sched_sync; handle_workitem_*),
 * the clearing request_cleanup asks of the syncer (clear_inodedeps,
 * clear_remove), ffs_sync(MNT_WAIT)'s flush (softdep_flushworklist), and
 * fsync(2) (softdep_sync_metadata, softdep_fsync).  See softdep.c for the
 * dependencies and how they are kept.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"
#include "ffs_crash_private.h"
#include "softdep.h"
#include "softdep_private.h"
#include "vnode.h"

#include <string.h>

/* ---- the worklist ------------------------------------------------------ */

/*
 * handle_workitem_remove: the name is off the disk; the link count it
 * held goes down (VFS_VGET, i_nlink--, vput: ufs_inactive frees a file
 * with no link left, or writes its inode, delayed).  A directory removed
 * by rmdir loses two (its name and its "."), and is truncated and freed;
 * its parent's count, for the "..", goes down only once the directory's
 * cleared inode is on the disk: the kernel turns the same dirrem into a
 * plain removal of the parent and hangs it on the directory's inodedep
 * (id_inowait), or does it at once if that inode is gone or was never
 * written (check_inode_unwritten).  A rename over a directory (DIRCHG)
 * has no such follow-up in 2001's code; the model lowers the parent's
 * count with the directory's there.  Returns true if wk was hung up
 * again (not to be freed).
 */
static bool
handle_workitem_remove(struct kern *k, struct worklist *wk)
{
	struct softdep *sd = k->softdep;
	bool twostep = wk->wk_rmdir && !wk->wk_dirchg;
	uint64_t inos[2] = { wk->wk_ino, wk->wk_dirino };
	int deltas[2] = { wk->wk_delta, wk->wk_rmdir && !twostep ? 1 : 0 }, i;
	struct inodedep *did;

	for (i = 0; i < 2; i++) {
		struct inodedep *id;
		struct inode *ip;
		struct vnode *vp;

		if (deltas[i] == 0)
			continue;
		id = inodedep_lookup(sd, inos[i], false);
		KASSERT(id != NULL && id->id_nlinkdelta >= deltas[i],
		    ("handle_workitem_remove: inode %llu has no removal",
		    (unsigned long long)inos[i]));
		id->id_nlinkdelta -= deltas[i];
		ip = g_hash_table_lookup(k->fs.fs_inodes, &inos[i]);
		if (ip == NULL)
			continue;
		ip->i_flag |= IN_CHANGE;
		if (id->id_nlinkdelta > 0)
			continue;
		/* VFS_VGET, then vput: ufs_inactive frees a file with no
		 * link left, or writes the inode (delayed); the vnode is not
		 * the running call's (the syncer makes no call). */
		vp = vn_get(k, ip);
		vref(vp);
		vrele(k, vp);
		vn_unpin(k, vp);
	}
	if (!twostep)
		return false;
	/* The parent's "..": a plain removal of the parent, once the
	 * directory's cleared inode is on the disk. */
	wk->wk_rmdir = false;
	wk->wk_delta = 1;
	wk->wk_ino = wk->wk_dirino;
	did = inodedep_lookup(sd, inos[0], false);
	if (did == NULL || !id_depcomplete(k, did)) {
		(void)handle_workitem_remove(k, wk);
		return false;
	}
	/* to the worklist at once if that copy is on the disk already */
	wk->wk_stamp = did->id_gen;
	bufwait_add(k, did, wk);
	return true;
}

static void
handle_workitem(struct kern *k, struct worklist *wk)
{
	struct fs *fs = &k->fs;
	guint i;

	k->softdep->st.workitems++;
	switch (wk->wk_type) {
	case D_FREEBLKS:
	case D_FREEFRAG:
		/* handle_workitem_freeblocks, handle_workitem_freefrag */
		for (i = 0; i < wk->wk_blks->len; i++) {
			struct sd_blk b = g_array_index(wk->wk_blks,
			    struct sd_blk, i);

			ffs_blkfree(k, NULL, b.bno, b.size);
		}
		break;
	case D_FREEFILE:
		/* handle_workitem_freefile */
		ffs_freefile(k, wk->wk_ino, wk->wk_isdir);
		{
			struct inodedep *id = inodedep_lookup(k->softdep,
			    wk->wk_ino, false);

			if (id != NULL && id->id_bufwait == NULL &&
			    id->id_pendinghd == NULL)
				g_hash_table_remove(k->softdep->inodedeps,
				    &wk->wk_ino);
		}
		break;
	case D_DIRREM:
		/* back on the directory's inodedep: not done yet */
		if (handle_workitem_remove(k, wk))
			return;
		k->softdep->num_dirrem--;
		break;
	default:
		KASSERT(0, ("handle_workitem: type %d", wk->wk_type));
	}
	(void)fs;
	dep_del(k->softdep);
	wk_free(wk);
}

/* drain_output: wait for vp's writes. */
static void
drain_output(struct kern *k, struct vnode *vp)
{
	while (vp->v_numoutput > 0) {
		vp->v_flag |= VBWAIT;
		tsleep(k->sim, &vp->v_numoutput, "drainvp", 0);
	}
}

/* fsync inode ino's vnode (MNT_WAIT, or MNT_NOWAIT and its writes waited
 * for), as VFS_VGET, VOP_FSYNC and vput would. */
static void
fsync_ino(struct kern *k, uint64_t ino, bool wait)
{
	struct inode *ip = g_hash_table_lookup(k->fs.fs_inodes, &ino);
	struct vnode *vp;

	if (ip == NULL)
		return;
	vp = vn_get(k, ip);
	vref(vp);
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	if (vp->v_data != NULL) {
		(void)VOP_FSYNC(k, vp, wait ? MNT_WAIT : MNT_NOWAIT);
		if (!wait)
			drain_output(k, vp);
	}
	VOP_UNLOCK(k, vp);
	vrele(k, vp);
	vn_unpin(k, vp);
}

/*
 * clear_inodedeps: the inodes with dependencies of one inode block
 * written, the last synchronously "to ensure that the inode block gets
 * written to free up the inodedeps" — the block after the last one
 * cleared (a rotor where the kernel walks its hash table).
 */
static void
clear_inodedeps(struct kern *k)
{
	struct softdep *sd = k->softdep;
	uint64_t inopb = (uint64_t)k->fs.fs_inopb, pick = UINT64_MAX;
	uint64_t lowest = UINT64_MAX, first, last, ino;
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, sd->inodedeps);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		ino = *(uint64_t *)key;
		lowest = MIN(lowest, ino);
		if (ino >= sd->clear_next && ino < pick)
			pick = ino;
	}
	if (pick == UINT64_MAX && (pick = lowest) == UINT64_MAX)
		return;
	first = pick - pick % inopb;
	sd->clear_next = first + inopb;
	for (last = first + inopb - 1; last > first; last--)
		if (g_hash_table_contains(sd->inodedeps, &last))
			break;
	for (ino = first; ino <= last; ino++)
		if (g_hash_table_contains(sd->inodedeps, &ino))
			fsync_ino(k, ino, ino == last);
}

/* clear_remove: a directory with removals waiting flushed. */
static void
clear_remove(struct kern *k)
{
	struct softdep *sd = k->softdep;
	uint64_t pick = UINT64_MAX;
	GHashTableIter it;
	gpointer val;

	g_hash_table_iter_init(&it, sd->pagedeps);
	while (g_hash_table_iter_next(&it, NULL, &val)) {
		struct pagedep *pd = val;

		if (pd->pd_dirremhd != NULL && pd->pd_ino < pick &&
		    g_hash_table_contains(k->fs.fs_inodes, &pd->pd_ino))
			pick = pd->pd_ino;
	}
	if (pick != UINT64_MAX)
		fsync_ino(k, pick, false);
}

/* What request_cleanup asked the syncer for, done; the waiters woken. */
static void
do_cleanup_requests(struct kern *k)
{
	struct softdep *sd = k->softdep;

	if (sd->req_clear_inodedeps) {
		clear_inodedeps(k);
		sd->req_clear_inodedeps = false;
		wakeup(k->sim, &sd->proc_waiting);
	}
	if (sd->req_clear_remove) {
		clear_remove(k);
		sd->req_clear_remove = false;
		wakeup(k->sim, &sd->proc_waiting);
	}
}

/*
 * softdep_process_worklist: the syncer's once a second (sched_sync's
 * bioops.io_sync), and ffs_sync's.  Items done may sleep (reading a cg
 * map); one pass at a time.  Cleanups request_cleanup asked for are done
 * first and after each item, as 2001's did.
 */
int
softdep_process_worklist(struct kern *k)
{
	struct softdep *sd = k->softdep;
	struct worklist *wk;
	int n = 0;

	if (sd == NULL || sd->processing)
		return 0;
	sd->processing = true;
	do_cleanup_requests(k);
	/* Nothing while the file system is suspended for a snapshot: the
	 * items free blocks and lower link counts, which a suspended file
	 * system may not (2001's softdep_process_worklist panics "freeblks
	 * on suspended filesystem"; the seed's 2000 commit makes the
	 * worklist never wait for a snapshot being taken).  They wait for
	 * the next pass after vfs_write_resume.  Only snapshots suspend. */
	while (!(k->mnt.mnt_kern_flag & MNTK_SUSPENDED) &&
	    (wk = g_queue_pop_head(&sd->worklist)) != NULL) {
		handle_workitem(k, wk);
		n++;
		do_cleanup_requests(k);
	}
	sd->processing = false;
	return n;
}

int
softdep_flushworklist(struct kern *k)
{
	int n = 0, m;

	while ((m = softdep_process_worklist(k)) > 0)
		n += m;
	return n;
}

/* ---- fsync ------------------------------------------------------------ */

/* Write the cg block of group c now if it holds allocations the disk
 * lacks (flush_inodedep_deps' bitmaps).  suspwrt: a write the snapshot
 * code makes while writes are suspended (B_VALIDSUSPWRT). */
static void
flush_cg(struct kern *k, int c, bool suspwrt)
{
	struct softdep *sd = k->softdep;
	struct buf *bp;

	if (sd->cg_wstamp[c] >= sd->cg_astamp[c])
		return;
	bp = ffs_meta_bread(k, cgtod(&k->fs, c), k->fs.fs_bsize);
	if (bp->b_flags & B_DELWRI) {
		if (suspwrt)
			bp->b_flags |= B_VALIDSUSPWRT;
		(void)bwrite(k, bp);
	} else
		brelse(k, bp);
	/* a write under way (a background copy) carries it: wait */
	while (sd->cg_wstamp[c] < sd->cg_astamp[c] &&
	    k->fs.fs_devvp->v_numoutput > 0)
		sim_pause(k->sim, SIM_MS);
}

/*
 * ffs_copyonwrite (April 2001, the seed's 112f737245) writes a copied
 * block and then fsyncs the snapshot (VOP_FSYNC, MNT_WAIT) so that its
 * on-disk pointer claims the copy before the original is overwritten;
 * under soft updates that fsync's softdep_sync_metadata writes the maps
 * the new pointer waits for (the allocindir's bmsafemap) before the
 * pointer itself.  The model writes the pointer's block at once
 * (snap_put_ptr), so the map goes first here — also while writes are
 * suspended (a copy for an older snapshot as ffs_snapshot writes the new
 * one's blocks): the map is then let through as the snapshot code's own
 * write (see snap_put_ptr).
 */
void
softdep_snap_flushmap(struct kern *k, int64_t bno)
{
	if (k->softdep == NULL || !ffs_online(k) || bno <= BLK_SNAP)
		return;
	flush_cg(k, dtog(&k->fs, bno),
	    (k->mnt.mnt_kern_flag & MNTK_SUSPENDED) != 0);
}

/* flush_inodedep_deps: the maps ip's inode and new blocks (pointed to
 * from the inode or from its indirect blocks) wait for. */
static void
flush_inodedep_deps(struct kern *k, struct inode *ip)
{
	struct softdep *sd = k->softdep;
	struct inodedep *id = inodedep_lookup(sd, ip->i_number, false);
	GHashTableIter it;
	gpointer val;
	GList *l;

	if (id != NULL && !id_depcomplete(k, id))
		flush_cg(k, ino_to_cg(&k->fs, ip->i_number), false);
	/* the lists may change while a cg is written: look again */
	for (;;) {
		int c = -1;

		id = inodedep_lookup(sd, ip->i_number, false);
		for (l = id != NULL ? id->id_inoupdt : NULL; l != NULL;
		    l = l->next) {
			struct allocdirect *ad = l->data;
			int g = dtog(&k->fs, ad->ad_newblkno);

			if (sd->cg_wstamp[g] < ad->ad_mapstamp) {
				c = g;
				break;
			}
		}
		g_hash_table_iter_init(&it, sd->indirdeps);
		while (c < 0 && g_hash_table_iter_next(&it, NULL, &val)) {
			struct indirdep *ir = val;

			if (ir->ir_ino != ip->i_number)
				continue;
			for (l = ir->ir_deplisthd; l != NULL; l = l->next) {
				struct allocindir *ai = l->data;
				int g = dtog(&k->fs, ai->ai_newblkno);

				if (sd->cg_wstamp[g] < ai->ai_mapstamp) {
					c = g;
					break;
				}
			}
		}
		if (c < 0)
			return;
		flush_cg(k, c, false);
		if (sd->cg_wstamp[c] < sd->cg_astamp[c])
			return;		/* could not: the write failed */
	}
}

/*
 * softdep_sync_metadata (ffs_fsync with MNT_WAIT): before the file's
 * buffers and inode are written, what they wait for — the maps of its
 * inode and blocks; for a directory, the inodes its new entries name,
 * and for a new subdirectory its first block and this directory's inode
 * (flush_pagedep_deps).
 */
void
softdep_sync_metadata(struct kern *k, struct vnode *vp)
{
	struct softdep *sd = k->softdep;
	struct inode *ip = vp->v_data;

	if (sd == NULL || ip == NULL || !ffs_online(k))
		return;
	flush_inodedep_deps(k, ip);
	if (ip->i_isdir) {
		GPtrArray *kids = g_ptr_array_new();
		GHashTableIter it;
		gpointer val;
		bool parent = false;
		guint i;

		g_hash_table_iter_init(&it, sd->pagedeps);
		while (g_hash_table_iter_next(&it, NULL, &val)) {
			struct pagedep *pd = val;
			GList *l;

			if (pd->pd_ino != ip->i_number)
				continue;
			for (l = pd->pd_diraddhd; l != NULL; l = l->next) {
				struct diradd *da = l->data;

				g_ptr_array_add(kids, GSIZE_TO_POINTER(
				    (gsize)da->da_newinum));
				if (da->da_mkdir)
					parent = true;
			}
		}
		g_ptr_array_sort(kids, cmp_u64);
		for (i = 0; i < kids->len; i++) {
			uint64_t ino = (uint64_t)GPOINTER_TO_SIZE(
			    g_ptr_array_index(kids, i));
			struct inode *cip = g_hash_table_lookup(k->fs.fs_inodes,
			    &ino);
			struct buf *bp;

			if (cip == NULL || cip == ip)
				continue;
			flush_inodedep_deps(k, cip);
			if (cip->i_isdir && cip->i_vnode != NULL &&
			    (bp = incore(k, cip->i_vnode, 0)) != NULL &&
			    (bp->b_flags & B_DELWRI) && bp->b_lockholder == NULL) {
				/* MKDIR_BODY */
				BUF_LOCK_NOWAIT(k, bp);
				bremfree(k, bp);
				(void)bwrite(k, bp);
			}
			if (!inode_written(k, ino, UINT64_MAX - 1))
				(void)ffs_update(k, cip, true);
		}
		g_ptr_array_free(kids, TRUE);
		if (parent)
			(void)ffs_update(k, ip, true);	/* MKDIR_PARENT */
	}
}

/*
 * softdep_fsync (the fsync(2) syscall's bioops.io_fsync): the file's
 * names not yet on the disk are written — each parent's block, after what
 * it waits for — and so on up while a parent's own name is new.
 */
void
softdep_fsync(struct kern *k, struct vnode *vp)
{
	struct softdep *sd = k->softdep;
	struct inode *ip = vp->v_data;
	uint64_t ino;
	int tries;

	if (sd == NULL || ip == NULL || !ffs_online(k))
		return;
	ino = ip->i_number;
	for (tries = 0; tries < 64; tries++) {
		struct inodedep *id = inodedep_lookup(sd, ino, false);
		const struct diradd *da;
		struct inode *dp, *cip;
		struct buf *bp;
		uint64_t dirino, stamp, daid;
		int64_t lbn;

		/* This inode's names on the disk: then its parent's, while
		 * the parent is new too. */
		if (id == NULL || id->id_pendinghd == NULL) {
			cip = g_hash_table_lookup(k->fs.fs_inodes, &ino);
			if (cip == NULL || cip == k->fs.fs_root ||
			    cip->i_parent == NULL || !cip->i_isdir ||
			    (id = inodedep_lookup(sd, cip->i_parent->i_number,
			    false)) == NULL)
				return;
			/* (a directory's name: its parent's entry) */
			ino = cip->i_parent->i_number;
			if (id->id_pendinghd == NULL)
				return;
		}
		da = id->id_pendinghd->data;
		dirino = da->da_dirino;
		lbn = da->da_lbn;
		stamp = da->da_stamp;
		daid = da->da_id;
		dp = g_hash_table_lookup(k->fs.fs_inodes, &dirino);
		cip = g_hash_table_lookup(k->fs.fs_inodes, &ino);
		if (dp == NULL || dp->i_vnode == NULL || cip == NULL)
			return;
		if (!inode_written(k, ino, stamp)) {
			flush_inodedep_deps(k, cip);
			(void)ffs_update(k, cip, true);
		}
		softdep_sync_metadata(k, dp->i_vnode);
		if (dp->i_vnode == NULL || lbn >= howmany_blk(&k->fs,
		    dp->i_size))
			return;
		bread_noerror(k, dp->i_vnode, lbn, ffs_blksize(&k->fs, dp, lbn),
		    &bp);
		if (bp->b_flags & B_DELWRI)
			(void)bwrite(k, bp);
		else
			brelse(k, bp);
		/* Still pending: the write failed, or rolled it back. */
		if ((id = inodedep_lookup(sd, ino, false)) != NULL &&
		    id->id_pendinghd != NULL &&
		    ((const struct diradd *)id->id_pendinghd->data)->da_id == daid)
			return;
		/* The next name, or up to the parent. */
		if (id == NULL || id->id_pendinghd == NULL)
			ino = dirino;
	}
}
