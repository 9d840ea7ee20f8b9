/*
 * ffs_balloc.c — ffs_balloc, as ufs/ffs/ffs_balloc.c: a file's block made
 * ready to be written, with the indirect blocks on the way to it (a new
 * one written before it is pointed to) and a fragment at the end of the
 * file grown or moved first; and ffs_prealloc, the same allocations made
 * offline, with no I/O, for the starting file system.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

#include <errno.h>

/* Allocate and write a new indirect block for metadata lbn mlbn (the
 * root of indirection level root, or -1: one further down, pointed to
 * from slot of indirect block pmlbn). */
static int
new_indir(struct kern *k, struct vnode *vp, int64_t mlbn, int64_t lbn,
    int64_t *pref, int root, int64_t pmlbn, int slot)
{
	struct fs *fs = &k->fs;
	struct inode *ip = vp->v_data;
	int64_t nb;
	struct buf *bp;
	int error;

	if (*pref == 0)
		*pref = ffs_blkpref(fs, ip, lbn, 0, 0);
	if ((error = ffs_alloc(k, ip, *pref, fs->fs_bsize, &nb)) != 0)
		return error;
	*pref = nb + fs->fs_frag;
	ffs_blk_set(ip, mlbn, nb);
	k->cnt.indir_allocs++;
	if (!ffs_online(k))
		return 0;
	bp = getblk(k, vp, mlbn, fs->fs_bsize);
	bp->b_blkno = fsbtodb(fs, nb);
	vfs_bio_clrbuf(k, bp);
	/*
	 * Written before anything points at it, so that an indirect block
	 * never points at garbage.  Soft updates: the pointer to it waits
	 * for it instead, and it is a delayed write — the inode's pointer to
	 * a root (softdep_setup_allocdirect), a parent indirect block's
	 * (softdep_setup_allocindir_meta), as 2001's ffs_balloc did.
	 */
	if (DOINGSOFTDEP(k)) {
		if (root < 0)
			softdep_setup_allocindir_meta(k, ip, pmlbn, slot, nb);
		else
			softdep_setup_allocdirect(k, ip, NDADDR + root, nb, 0,
			    fs->fs_bsize, 0);
	}
	return ffs_meta_write(k, bp, true);
}

/*
 * The fragment at the end of a file, lbn, is growing from osize to nsize:
 * read it (its data moves or grows), reallocate it (ffs_realloccg), and
 * return its buffer at the new size.
 */
static int
realloc_frag(struct kern *k, struct vnode *vp, int64_t lbn, int osize,
    int nsize, struct buf **bpp)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	struct buf *bp;
	int64_t bno, bprev;
	int error;

	if ((error = bread(k, vp, lbn, osize, &bp)) != 0) {
		brelse(k, bp);
		return error;
	}
	bprev = ffs_blk_get(ip, lbn);
	if ((bno = ffs_realloccg(k, ip, lbn, osize, nsize)) == 0) {
		brelse(k, bp);
		return ENOSPC;
	}
	softdep_setup_allocdirect(k, ip, lbn, bno, bprev, nsize, osize);
	allocbuf_grow(k, bp, nsize);
	bp->b_blkno = fsbtodb(fs, bno);
	bio_moved_block(k, bp);
	ffs_risk_newblock(k, ip, lbn, NULL);	/* its pointer moved */
	*bpp = bp;
	return 0;
}

int
ffs_balloc(struct kern *k, struct vnode *vp, int64_t off, int size, int flags,
    struct buf **bpp)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	int64_t lbn = lblkno(fs, off), nb, pref = 0, newb;
	struct indir a[NIADDR + 2];
	struct buf *bp;
	int osize, nsize, num, i, error;

	*bpp = NULL;
	size += (int)blkoff(fs, off);
	KASSERT(size <= fs->fs_bsize, ("ffs_balloc: size %d", size));
	/*
	 * A write past a fragment at the end of the file makes the fragment
	 * a whole block first (it is not the end any more).
	 */
	nb = lblkno(fs, ip->i_size);
	if (nb < NDADDR && nb < lbn) {
		osize = ffs_blksize(fs, ip, nb);
		if (osize < fs->fs_bsize && osize > 0 && ffs_blk_get(ip, nb) != 0) {
			if ((error = realloc_frag(k, vp, nb, osize, fs->fs_bsize,
			    &bp)) != 0)
				return error;
			ip->i_size = lblktosize(fs, nb + 1);
			ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
			bio_note_version(k, bp);
			if (flags & BA_SYNC)
				(void)bwrite(k, bp);
			else
				bawrite(k, bp);
		}
	}
	if (lbn < NDADDR) {
		nb = ffs_blk_get(ip, lbn);
		if (nb != 0 && ip->i_size >= lblktosize(fs, lbn + 1)) {
			/* A whole block already there: always read (the
			 * direct blocks of [4x] ffs_balloc). */
			error = bread(k, vp, lbn, fs->fs_bsize, &bp);
			if (error != 0) {
				brelse(k, bp);
				return error;
			}
			bp->b_blkno = fsbtodb(fs, nb);
			*bpp = bp;
			return 0;
		}
		if (nb != 0) {
			/* The file's tail fragment: big enough, or grown. */
			osize = (int)fragroundup(fs, blkoff(fs, ip->i_size));
			nsize = (int)fragroundup(fs, size);
			if (nsize <= osize) {
				error = bread(k, vp, lbn, osize, &bp);
				if (error != 0) {
					brelse(k, bp);
					return error;
				}
				bp->b_blkno = fsbtodb(fs, nb);
			} else if ((error = realloc_frag(k, vp, lbn, osize, nsize,
			    &bp)) != 0)
				return error;
		} else {
			nsize = ip->i_size < lblktosize(fs, lbn + 1) ?
			    (int)fragroundup(fs, size) : fs->fs_bsize;
			error = ffs_alloc(k, ip, ffs_blkpref_for(fs, ip, lbn), nsize,
			    &newb);
			if (error != 0)
				return error;
			ffs_blk_set(ip, lbn, newb);
			ffs_risk_newblock(k, ip, lbn, NULL);
			softdep_setup_allocdirect(k, ip, lbn, newb, 0, nsize, 0);
			bp = getblk(k, vp, lbn, nsize);
			bp->b_blkno = fsbtodb(fs, newb);
			if (flags & BA_CLRBUF)
				vfs_bio_clrbuf(k, bp);
		}
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		*bpp = bp;
		return 0;
	}

	/* Through the indirect blocks, allocating them as needed. */
	num = ufs_getlbns(fs, lbn, a);
	if (num < 0)
		return EFBIG;
	if (ffs_blk_get(ip, a[1].in_lbn) == 0) {
		if ((error = new_indir(k, vp, a[1].in_lbn, lbn, &pref,
		    a[0].in_off, 0, -1)) != 0)
			return error;
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
	}
	for (i = 1;; i++) {
		int64_t child = i + 1 < num ? a[i + 1].in_lbn : lbn;

		error = bread(k, vp, a[i].in_lbn, fs->fs_bsize, &bp);
		if (error != 0) {
			brelse(k, bp);
			return error;
		}
		if (i + 1 == num)
			break;
		if (ffs_blk_get(ip, child) != 0) {
			bqrelse(k, bp);
			continue;
		}
		if ((error = new_indir(k, vp, child, lbn, &pref, -1,
		    a[i].in_lbn, a[i].in_off)) != 0) {
			brelse(k, bp);
			return error;
		}
		/* The pointer to it, in this block. */
		bio_note_version(k, bp);
		if (flags & BA_SYNC)
			(void)bwrite(k, bp);
		else {
			bp->b_flags |= B_CLUSTEROK;
			bdwrite(k, bp);
		}
	}
	/* bp: the last indirect block.  The data block. */
	nb = ffs_blk_get(ip, lbn);
	if (nb == 0) {
		struct buf *nbp;

		error = ffs_alloc(k, ip, ffs_blkpref_for(fs, ip, lbn), fs->fs_bsize,
		    &newb);
		if (error != 0) {
			brelse(k, bp);
			return error;
		}
		ffs_blk_set(ip, lbn, newb);
		/* (soft updates: the pointer in bp waits for the block) */
		(void)softdep_setup_allocindir_page(k, ip, a[num - 1].in_lbn,
		    a[num - 1].in_off, newb, 0);
		nbp = getblk(k, vp, lbn, fs->fs_bsize);
		nbp->b_blkno = fsbtodb(fs, newb);
		if (flags & BA_CLRBUF)
			vfs_bio_clrbuf(k, nbp);
		bio_note_version(k, bp);
		ffs_risk_newblock(k, ip, lbn, bp);	/* its pointer, in bp */
		if (flags & BA_SYNC)
			(void)bwrite(k, bp);
		else {
			bp->b_flags |= B_CLUSTEROK;
			bdwrite(k, bp);
		}
		*bpp = nbp;
		return 0;
	}
	bqrelse(k, bp);
	if (flags & BA_CLRBUF) {
		int seqcount = flags >> BA_SEQSHIFT;

		if (seqcount > 0 && k->p.cluster_read)
			error = cluster_read(k, vp, ip->i_size, lbn, fs->fs_bsize,
			    MAXBSIZE, seqcount, &bp);
		else
			error = bread(k, vp, lbn, fs->fs_bsize, &bp);
		if (error != 0) {
			brelse(k, bp);
			return error;
		}
	} else {
		bp = getblk(k, vp, lbn, fs->fs_bsize);
		bp->b_blkno = fsbtodb(fs, nb);
	}
	*bpp = bp;
	return 0;
}

/*
 * The blocks of a file up to size, allocated with no I/O: the starting
 * file system and the trace's repairs (data that was on disk all along).
 * The allocator is the same as for a writer, so the layout is.
 */
static bool
prealloc_blocks(struct kern *k, struct inode *ip, int64_t size)
{
	struct fs *fs = &k->fs;
	int64_t nblk = howmany_blk(fs, size), lbn, nb;
	int64_t pref = 0;

	/* A tail fragment that the new size goes past grows first. */
	lbn = lblkno(fs, ip->i_size);
	if (lbn < NDADDR && lbn < nblk && ffs_blk_get(ip, lbn) != 0) {
		int osize = ffs_blksize(fs, ip, lbn);
		int nsize = lbn + 1 < nblk || size >= lblktosize(fs, lbn + 1) ?
		    fs->fs_bsize : (int)fragroundup(fs, size - lblktosize(fs, lbn));

		if (osize < nsize) {
			struct buf *bp;

			if (ffs_realloccg(k, ip, lbn, osize, nsize) == 0)
				return false;
			/* A cached copy of the tail now lives elsewhere. */
			if (ip->i_vnode != NULL &&
			    (bp = incore(k, ip->i_vnode, lbn)) != NULL) {
				bp->b_blkno = fsbtodb(fs, ffs_blk_get(ip, lbn));
				bio_moved_block(k, bp);
			}
		}
	}
	for (lbn = 0; lbn < nblk; lbn++) {
		int nsize;

		if (ffs_blk_get(ip, lbn) != 0)
			continue;
		if (lbn >= NDADDR) {
			struct indir a[NIADDR + 2];
			int num = ufs_getlbns(fs, lbn, a), i;

			if (num < 0)
				return false;
			for (i = 1; i < num; i++)
				if (ffs_blk_get(ip, a[i].in_lbn) == 0) {
					if (pref == 0)
						pref = ffs_blkpref(fs, ip, lbn, 0, 0);
					if (ffs_alloc(k, ip, pref, fs->fs_bsize, &nb) != 0)
						return false;
					ffs_blk_set(ip, a[i].in_lbn, nb);
					pref = 0;
				}
		}
		nsize = lbn < NDADDR && lbn == nblk - 1 ?
		    (int)fragroundup(fs, size - lblktosize(fs, lbn)) : fs->fs_bsize;
		if (ffs_alloc(k, ip, ffs_blkpref_for(fs, ip, lbn), nsize, &nb) != 0)
			return false;
		ffs_blk_set(ip, lbn, nb);
	}
	return true;
}

bool
ffs_prealloc(struct kern *k, struct inode *ip, int64_t size)
{
	struct fs *fs = &k->fs;
	int64_t nblk = howmany_blk(fs, size);
	int64_t need = blkstofrags(fs, nblk) + blkstofrags(fs, nblk / fs->fs_nindir + 2);

	if (size <= ip->i_size)
		return true;
	/* A quick no, before anything changes: it cannot fit. */
	if (need > ffs_freespace(fs, fs->fs_minfree) + blkstofrags(fs,
	    howmany_blk(fs, ip->i_size)))
		return false;
	ffs_offline_begin(k);
	if (!prealloc_blocks(k, ip, size)) {
		/* Give back what was taken (each block at the size it was
		 * given): the file keeps its old size. */
		int64_t old = ip->i_size;

		ip->i_size = size;
		ffs_truncate_state(k, ip, old);
		ffs_offline_end(k);
		return false;
	}
	ffs_offline_end(k);
	ip->i_size = size;
	ffs_risk_ondisk(k, ip);
	return true;
}
