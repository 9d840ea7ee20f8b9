/*
 * ffs_inode.c — the inode's own write (ffs_update) and truncation
 * (ffs_truncate, reading the indirect blocks it frees as ffs_indirtrunc
 * does), as ufs/ffs/ffs_inode.c.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

/*
 * ffs_update: ufs_itimes first — a change or a write makes the on-disk
 * inode stale (IN_MODIFIED), an access alone only lazily so (IN_LAZYMOD:
 * not worth an I/O of its own).  A delayed update of an inode that is not
 * stale does nothing; otherwise its inode block is read and written:
 * synchronously if asked (and the mount is not async), else — as the 2001
 * ffs_update does (5.0-CURRENT's ffs_inode.c of 2001 read; RELENG_4's of
 * 2003 the same) — synchronously too when dirty buffers are at
 * hidirtybuffers (buf_dirty_count_severe) or memory is severely short
 * (vm_page_count_severe, with the seed's low-memory fix: vm.io_reserve),
 * so that inode updates do not pile more delayed writes on a cache that
 * has too many; otherwise delayed.  A synchronous write's error is
 * returned (bwrite's; brelse has made the block dirty again), as
 * ffs_update returns it to fsync and the callers that write inodes
 * synchronously.  So is the inode block's read error ("error = bread(...);
 * if (error) { brelse(bp); return (error); }"), whether the caller waits
 * or not: the inode is not written, and since IN_MODIFIED was cleared
 * before the read, it stays unwritten until it changes again (a delayed
 * update asked for nothing to wait for, and its callers drop the error).
 */
int
ffs_update(struct kern *k, struct inode *ip, bool waitfor)
{
	struct buf *bp;
	bool sync;
	int error;

	if (ip->i_flag & (IN_CHANGE | IN_UPDATE))
		ip->i_flag |= IN_MODIFIED;
	else if (ip->i_flag & IN_ACCESS)
		ip->i_flag |= IN_LAZYMOD;
	ip->i_flag &= ~(IN_ACCESS | IN_CHANGE | IN_UPDATE);
	if (!(ip->i_flag & IN_MODIFIED) && !waitfor)
		return 0;
	ip->i_flag &= ~(IN_MODIFIED | IN_LAZYMOD);
	if (!ffs_online(k))
		return 0;
	if ((error = ffs_meta_bread_err(k, ino_to_fsba(&k->fs, ip->i_number),
	    k->fs.fs_bsize, &bp)) != 0)
		return error;
	k->cnt.inode_writes++;
	/* The inode as the disk will have it once this block is there. */
	bio_note_version(k, bp);
	ffs_risk_update(k, ip, bp);
	softdep_update_inodeblock(k, ip);
	if (k->crash != NULL)
		ffs_crash_update(k, ip, bp);
	/* "if (waitfor && !DOINGASYNC(vp)) bwrite": a soft-updates mount is
	 * not async, and its namespace callers ask not to wait
	 * (UFS_UPDATE(vp, !DOINGSOFTDEP(vp))). */
	sync = waitfor && (k->fs.fs_meta == META_SYNC ||
	    k->fs.fs_meta == META_SOFTDEP);
	if (!sync && (buf_dirty_count_severe(k) ||
	    (k->p.io_reserve && vm_page_count_severe(k)))) {
		/* ffs_update's own bwrite: its error is not returned
		 * (the call was not asked to wait) */
		(void)bwrite(k, bp);
		return 0;
	}
	if (sync) {
		bio_note_version(k, bp);
		bp->b_flags |= B_CLUSTEROK;
		return bwrite(k, bp);
	}
	return ffs_meta_write(k, bp, false);
}

/* ---- truncation ------------------------------------------------------ */

/* The first data block under the indirect block with metadata lbn m: the
 * numbering puts it 0, 1 or 2 before -m, by the block's level. */
static int64_t
ufs_indir_first(const struct fs *fs, int64_t m)
{
	struct indir a[NIADDR + 2];
	int j, i, num;

	for (j = 0; j < NIADDR; j++) {
		int64_t f = -m - j;

		if (f < NDADDR || (num = ufs_getlbns(fs, f, a)) <= 0)
			continue;
		for (i = 1; i < num; i++)
			if (a[i].in_lbn == m)
				return f;
	}
	KASSERT(0, ("ufs_indir_first: %lld is no indirect block", (long long)m));
	return 0;
}

/* Throw away the buffer of (vp, lbn) if it is in core (vinvalbuf for one
 * block; the block is gone). */
static void
inval_block(struct kern *k, struct vnode *vp, int64_t lbn)
{
	struct buf *bp;

	if (vp == NULL || !ffs_online(k) || (bp = incore(k, vp, lbn)) == NULL)
		return;
	BUF_LOCK(k, bp, "getblk");
	if (bp->b_qindex != QUEUE_NONE)
		bremfree(k, bp);
	if (bp->b_flags & B_DELWRI)
		bundirty(k, bp);
	bp->b_flags |= B_INVAL | B_NOCACHE;
	brelse(k, bp);
}

/*
 * The state change of truncation to length: every block wholly past it
 * freed, indirect blocks that map nothing any more freed, a direct last
 * block shrunk to the fragments it needs.  (ffs_truncate's order: the
 * pointers are cleared first, the blocks freed after.)
 */
void
ffs_truncate_state(struct kern *k, struct inode *ip, int64_t length)
{
	struct fs *fs = &k->fs;
	struct vnode *vp = ip->i_vnode;
	int64_t first = howmany_blk(fs, length), lbn, b;
	GArray *ind = g_array_new(FALSE, FALSE, sizeof(int64_t));
	guint i;

	/* Data blocks at or past first. */
	for (lbn = first; (guint64)lbn < ip->i_bmap->len; lbn++) {
		if ((b = ffs_blk_get(ip, lbn)) == 0)
			continue;
		ffs_blk_set(ip, lbn, 0);
		ffs_blkfree(k, ip, b, ffs_blksize(fs, ip, lbn));
	}
	if ((guint64)first < ip->i_bmap->len)
		g_array_set_size(ip->i_bmap, (guint)first);
	if (ip->i_sparse != NULL) {
		GHashTableIter it;
		gpointer key, v;
		GArray *gone = g_array_new(FALSE, FALSE, sizeof(int64_t));

		g_hash_table_iter_init(&it, ip->i_sparse);
		while (g_hash_table_iter_next(&it, &key, &v))
			if ((int64_t)GPOINTER_TO_SIZE(key) >= first) {
				int64_t l = (int64_t)GPOINTER_TO_SIZE(key);

				g_array_append_val(gone, l);
			}
		/* Freeing order decides nothing but the free map: sort for
		 * determinism anyway. */
		g_array_sort(gone, cmp_int64);
		for (i = 0; i < gone->len; i++) {
			lbn = g_array_index(gone, int64_t, i);
			b = ffs_blk_get(ip, lbn);
			ffs_blk_set(ip, lbn, 0);
			ffs_blkfree(k, ip, b, fs->fs_bsize);
		}
		g_array_free(gone, TRUE);
	}
	/* Indirect blocks no data block past length needs. */
	if (ip->i_ind != NULL) {
		GHashTableIter it;
		gpointer key;

		g_hash_table_iter_init(&it, ip->i_ind);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			int64_t m = (int64_t)GPOINTER_TO_SIZE(key);

			if (ufs_indir_first(fs, m) >= first)
				g_array_append_val(ind, m);
		}
		g_array_sort(ind, cmp_int64);
		for (i = 0; i < ind->len; i++) {
			int64_t m = g_array_index(ind, int64_t, i);

			b = ffs_blk_get(ip, m);
			inval_block(k, vp, m);
			ffs_blk_set(ip, m, 0);
			ffs_blkfree(k, ip, b, fs->fs_bsize);
		}
	}
	g_array_free(ind, TRUE);
	/* A direct last block shrinks to the fragments it needs. */
	if (first > 0 && first - 1 < NDADDR && length < ip->i_size &&
	    (b = ffs_blk_get(ip, first - 1)) != 0) {
		int osize = ffs_blksize(fs, ip, first - 1);
		int nsize = (int)fragroundup(fs, length - lblktosize(fs, first - 1));

		if (nsize < osize)
			ffs_blkfree(k, ip, b + numfrags(fs, nsize), osize - nsize);
	}
	ip->i_size = length;
	ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
}

/* How many data blocks the indirect block m covers: fs_nindir to the
 * power of its level above the data. */
static int64_t
ufs_indir_span(const struct fs *fs, int64_t m)
{
	struct indir a[NIADDR + 2];
	int64_t span = 1;
	int i, num = ufs_getlbns(fs, ufs_indir_first(fs, m), a);

	for (i = 1; i < num && a[i].in_lbn != m; i++)
		;
	for (; i < num; i++)
		span *= fs->fs_nindir;
	return span;
}

static int
cmp_span_desc(const void *a, const void *b, void *arg)
{
	const struct fs *fs = arg;
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	int64_t sx = ufs_indir_span(fs, x), sy = ufs_indir_span(fs, y);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * ffs_indirtrunc's first step on each indirect block the new end falls
 * inside (lastbn != -1): the entries past the end zeroed and the block
 * written — synchronously, or started at once on an async mount
 * (DOINGASYNC: bawrite) — before anything under it is freed, the top
 * level's first, as ffs_truncate calls it from TRIPLE down.  (A block
 * wholly past the end is only read: its pointers are not written back.)
 */
static void
ffs_indirtrunc_kept(struct kern *k, struct vnode *vp, int64_t nblk)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	GArray *kept = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GHashTableIter it;
	gpointer key;
	struct buf *bp;
	guint i;

	g_hash_table_iter_init(&it, ip->i_ind);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		int64_t m = (int64_t)GPOINTER_TO_SIZE(key);
		int64_t first = ufs_indir_first(fs, m);

		if (first < nblk && first + ufs_indir_span(fs, m) > nblk &&
		    ffs_blk_get(ip, m) != 0)
			g_array_append_val(kept, m);
	}
	g_array_sort_with_data(kept, cmp_span_desc, fs);
	for (i = 0; i < kept->len; i++) {
		(void)bread(k, vp, g_array_index(kept, int64_t, i), fs->fs_bsize,
		    &bp);
		bio_note_version(k, bp);
		if (fs->fs_meta == META_ASYNC)
			bawrite(k, bp);
		else
			(void)bwrite(k, bp);
	}
	g_array_free(kept, TRUE);
}

/*
 * ffs_truncate: to length.  Growing allocates the new last block (FFS
 * never leaves the end of a file a hole) and writes it zeroed; shrinking
 * to the middle of a block zeroes the rest of that block and writes it;
 * then the inode is written synchronously (so that no pointer to a freed
 * block survives a crash), the buffers past the end are invalidated, an
 * indirect block the end falls inside is written with the pointers past
 * it cleared, and the blocks freed — reading each indirect block that is
 * freed, as ffs_indirtrunc must to find what it points to.  The clustering state
 * goes with the old end.
 */
void
ffs_truncate(struct kern *k, struct vnode *vp, int64_t length)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	struct buf *bp;

	vp->v_cstart = vp->v_lastw = vp->v_lasta = 0;
	vp->v_clen = 0;
	ffs_risk_touch(k, ip);		/* where the disk is, before */
	ffs_risk_truncate(k, ip, length);
	if (!ffs_online(k)) {
		if (length < ip->i_size)
			ffs_truncate_state(k, ip, length);
		else
			ip->i_size = length;
		return;
	}
	if (length > ip->i_size) {
		if (ffs_balloc(k, vp, length - 1, 1, BA_CLRBUF, &bp) == 0) {
			ip->i_size = length;
			bio_note_version(k, bp);
			bawrite(k, bp);
		} else
			ip->i_size = length;	/* full: a hole */
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		ffs_update(k, ip, true);
		return;
	}
	if (length == ip->i_size)
		return;
	/*
	 * Soft updates (2001's ffs_truncate): to 0, softdep_setup_freeblocks
	 * clears the inode and frees the blocks once it is on the disk;
	 * shrinking to a length, the file is fsynced first and truncated
	 * as on a synchronous mount.
	 */
	if (length == 0 && softdep_setup_freeblocks(k, vp))
		return;
	if (DOINGSOFTDEP(k))
		(void)VOP_FSYNC(k, vp, MNT_WAIT);
	if (blkoff(fs, length) != 0 && ffs_blk_get(ip, lblkno(fs, length)) != 0 &&
	    !ip->i_isdir) {
		int64_t lbn = lblkno(fs, length);

		if (ffs_balloc(k, vp, length - 1, 1, BA_CLRBUF, &bp) == 0) {
			int nsize = lbn < NDADDR ?
			    (int)fragroundup(fs, blkoff(fs, length)) : fs->fs_bsize;

			/* The block keeps what is before length (zeroed
			 * after); it shrinks to its fragments below. */
			if (nsize < bp->b_bcount)
				allocbuf_shrink(k, bp, nsize);
			bio_note_version(k, bp);
			bawrite(k, bp);
		}
	}
	/* Pointers cleared first and the inode written, then the frees. */
	if (k->crash != NULL)
		ffs_crash_truncate(k, ip, length);
	ffs_update(k, ip, true);
	vinvalbuf_range(k, vp, howmany_blk(fs, length));
	if (ip->i_ind != NULL)
		ffs_indirtrunc_kept(k, vp, howmany_blk(fs, length));
	if (k->crash != NULL)
		ffs_crash_truncate(k, NULL, 0);
	if (ip->i_ind != NULL) {
		/* ffs_indirtrunc reads each indirect block it frees. */
		GArray *ind = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GHashTableIter it;
		gpointer key;
		guint i;

		g_hash_table_iter_init(&it, ip->i_ind);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			int64_t m = (int64_t)GPOINTER_TO_SIZE(key);

			if (ufs_indir_first(fs, m) >= howmany_blk(fs, length))
				g_array_append_val(ind, m);
		}
		g_array_sort(ind, cmp_int64);
		for (i = 0; i < ind->len; i++) {
			int64_t m = g_array_index(ind, int64_t, i);

			if (ffs_blk_get(ip, m) == 0)
				continue;
			bread_noerror(k, vp, m, fs->fs_bsize, &bp);
			bp->b_flags |= B_INVAL | B_NOCACHE;
			if (bp->b_flags & B_DELWRI)
				bundirty(k, bp);
			brelse(k, bp);
		}
		g_array_free(ind, TRUE);
	}
	ffs_truncate_state(k, ip, length);
}
