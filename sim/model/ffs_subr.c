/*
 * ffs_subr.c — the small pieces the FFS model is built of, as
 * ufs/ffs/ffs_subr.c (ffs_fragacct, ffs_isblock, ffs_setblock,
 * ffs_clrblock) and the macros of ufs/ffs/fs.h (blksize, freespace) hold
 * them: a block's size, the free map and the counts that must agree with
 * it, and the metadata buffers of the device.
 *
 * The free map is one bit a fragment for the whole file system; each
 * cylinder group keeps its counts (free blocks, free fragments, free-run
 * sizes, inodes, directories) and rotors, and every change to a block's
 * free pattern goes through ffs_blk_acct so that the counts always equal
 * the map (ffs_fsck checks it).
 */
#include <string.h>

#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

int
ffs_blksize(const struct fs *fs, const struct inode *ip, int64_t lbn)
{
	if (lbn >= NDADDR || ip->i_size >= lblktosize(fs, lbn + 1))
		return fs->fs_bsize;
	return (int)fragroundup(fs, blkoff(fs, ip->i_size));
}

int
ffs_blkkind(const struct fs *fs, int64_t frag)
{
	int64_t off = dtogd(fs, frag);

	if (frag >= fs->fs_csaddr && frag < fs->fs_csaddr +
	    numfrags(fs, fs->fs_cssize))
		return BIO_WHAT_CSUM;
	if (off >= fs->fs_sblkno && off < fs->fs_cblkno)
		return BIO_WHAT_SUPER;
	if (off >= fs->fs_cblkno && off < fs->fs_iblkno)
		return BIO_WHAT_CG;
	if (off >= fs->fs_iblkno && off < fs->fs_dblkno)
		return BIO_WHAT_INODE;
	return BIO_WHAT_META;
}

/* Fragments in cylinder group c (the last one may be short). */
int64_t
ffs_cg_frags(const struct fs *fs, int c)
{
	return MIN(fs->fs_fpg, fs->fs_size - cgbase(fs, c));
}

/* ---- the free map and the counts that must agree with it ------------- */

/*
 * Free-fragment pattern of the block at fragment bno: bit i, frag i.  A
 * block is 1, 2, 4 or 8 fragments and starts at a multiple of that, so
 * it is a whole byte of the map or a part of one: one load and a shift
 * (ffs_isblock's byte and nibble cases, for every block size).
 */
unsigned
ffs_blkmap(const struct fs *fs, int64_t bno)
{
	KASSERT(fragnum(fs, bno) == 0, ("ffs_blkmap: fragment %lld does not "
	    "start a block", (long long)bno));
	return (unsigned)(fs->fs_fmap[bno >> 3] >> (bno & 7)) &
	    ((1u << fs->fs_frag) - 1);
}

/* Mark n fragments from f free (or used), bytes at a time, the counts
 * left alone (newfs's map, made before any count). */
void
ffs_frags_fill(struct fs *fs, int64_t f, int64_t n, bool free)
{
	int64_t e = f + n;

	for (; f < e && (f & 7) != 0; f++)
		free ? setfree(fs, f) : clrfree(fs, f);
	if (e - f >= 8) {
		memset(fs->fs_fmap + (f >> 3), free ? 0xff : 0, (size_t)((e - f) >> 3));
		f += (e - f) & ~(int64_t)7;
	}
	for (; f < e; f++)
		free ? setfree(fs, f) : clrfree(fs, f);
}

/*
 * Add (sign 1) or take away (-1) one block's share of its group's counts:
 * a whole free block counts in nbfree, anything less in nffree and in the
 * run-length summary cg_frsum (what ffs_fragacct keeps).  Callers take the
 * share away, change the block's bits, and add it back.
 */
/* ffs_fragacct: the free runs of a block that is not wholly free (its
 * pattern map) into frsum, sign 1 or -1; returns the free fragments. */
static int
fragacct(const struct fs *fs, unsigned map, int *frsum, int sign)
{
	int i, run = 0, nfree = 0;

	for (i = 0; i <= fs->fs_frag; i++) {
		if (i < fs->fs_frag && (map & (1u << i)))
			run++;
		else if (run > 0) {
			frsum[run] += sign;
			nfree += run;
			run = 0;
		}
	}
	return nfree;
}

void
ffs_blk_acct(struct fs *fs, int64_t bno, int sign)
{
	struct cg *cgp = &fs->fs_cgs[dtog(fs, bno)];
	unsigned map = ffs_blkmap(fs, bno), full = (1u << fs->fs_frag) - 1;
	int nfree;

	if (map == full) {
		cgp->cg_nbfree += sign;
		fs->fs_nbfree += sign;
		return;
	}
	nfree = fragacct(fs, map, cgp->cg_frsum, sign);
	cgp->cg_nffree += sign * nfree;
	fs->fs_nffree += sign * nfree;
}

/*
 * Add the blocks that start in fragments [bno, bno + n) to acc's
 * cg_nbfree, cg_nffree and cg_frsum, as ffs_blk_acct(fs, b, 1) would one
 * block at a time (the last block whole even if n ends inside it; bno
 * starts a block).  newfs's map is long stretches all used or all free,
 * so a 64-fragment word of the map that is all one or the other is
 * counted at once: no block straddles a word (fs_frag divides 64).
 */
void
ffs_map_count(const struct fs *fs, int64_t bno, int64_t n, struct cg *acc)
{
	unsigned map, full = (1u << fs->fs_frag) - 1;
	int64_t f = bno, e = bno + n;
	uint64_t w;

	KASSERT(fragnum(fs, bno) == 0, ("ffs_map_count: fragment %lld does "
	    "not start a block", (long long)bno));
	while (f < e) {
		if ((f & 63) == 0 && f + 64 <= e) {
			memcpy(&w, fs->fs_fmap + (f >> 3), sizeof(w));
			if (w == 0) {
				f += 64;
				continue;
			}
			if (w == UINT64_MAX) {
				acc->cg_nbfree += 64 / fs->fs_frag;
				f += 64;
				continue;
			}
		}
		map = ffs_blkmap(fs, f);
		if (map == full)
			acc->cg_nbfree++;
		else
			acc->cg_nffree += fragacct(fs, map, acc->cg_frsum, 1);
		f += fs->fs_frag;
	}
}

/* Mark n fragments from f used (free false) or free, keeping the counts. */
void
ffs_frags_set(struct fs *fs, int64_t f, int n, bool free)
{
	int64_t bno = blknum(fs, f);
	int i;

	KASSERT(fragnum(fs, f) + n <= fs->fs_frag,
	    ("ffs_frags_set: %d frags from %lld cross a block", n, (long long)f));
	ffs_blk_acct(fs, bno, -1);
	for (i = 0; i < n; i++) {
		KASSERT(!isfree(fs, f + i) == free, ("ffs_frags_set: fragment %lld "
		    "already %s", (long long)(f + i), free ? "free" : "used"));
		if (free)
			setfree(fs, f + i);
		else
			clrfree(fs, f + i);
	}
	ffs_blk_acct(fs, bno, 1);
	/* The block may now hold a run or a whole free block that the
	 * searches had found none of (ffs_alloc.c): their empty stretches
	 * end before it. */
	{
		struct cg *cgp = &fs->fs_cgs[dtog(fs, bno)];
		int64_t b = dtogd(fs, bno);
		int s;

		for (s = 0; s < MAXFRAG; s++)
			if (cgp->cg_emptylo[s] <= b && b < cgp->cg_emptyhi[s])
				cgp->cg_emptyhi[s] = b;
	}
}

/* Take an inode number in use (the root, newfs's reserved ones). */
void
ffs_ino_take(struct fs *fs, uint64_t ino, bool isdir)
{
	struct cg *cgp = &fs->fs_cgs[ino_to_cg(fs, ino)];

	setino(fs, ino);
	cgp->cg_nifree--;
	fs->fs_nifree--;
	if (isdir) {
		cgp->cg_ndir++;
		fs->fs_ndir++;
	}
}

/* freespace(fs, percentreserved): fragments left above the reserve. */
int64_t
ffs_freespace(const struct fs *fs, int reserve)
{
	return blkstofrags(fs, fs->fs_nbfree) + fs->fs_nffree -
	    fs->fs_dsize * reserve / 100;
}

int64_t
ffs_freebytes(const struct fs *fs)
{
	int64_t f = ffs_freespace(fs, fs->fs_minfree);

	return f > 0 ? f * fs->fs_fsize : 0;
}

/* ---- metadata I/O ---------------------------------------------------- */

/* A metadata block of the device (a cg map, an inode block). */
struct buf *
ffs_meta_bread(struct kern *k, int64_t frag, int size)
{
	struct buf *bp;

	bread_noerror(k, k->fs.fs_devvp, fsbtodb(&k->fs, frag), size, &bp);
	return bp;
}

/* The same, for a caller that carries a read error up (ffs_vget's and
 * ffs_alloccg's bread: "if (error) { brelse(bp); return ...; }"): the
 * failed buffer is released here (brelse throws a failed read away, so
 * the next read asks the disk again) and *bpp is NULL. */
int
ffs_meta_bread_err(struct kern *k, int64_t frag, int size, struct buf **bpp)
{
	int error = bread(k, k->fs.fs_devvp, fsbtodb(&k->fs, frag), size, bpp);

	if (error != 0) {
		brelse(k, *bpp);
		*bpp = NULL;
	}
	return error;
}

int
ffs_meta_write(struct kern *k, struct buf *bp, bool sync)
{
	bio_note_version(k, bp);
	bp->b_flags |= B_CLUSTEROK;
	if (sync && k->fs.fs_meta == META_SYNC)
		return bwrite(k, bp);
	bdwrite(k, bp);
	return 0;
}

bool
ffs_isblkfree(const struct fs *fs, int64_t bno)
{
	return ffs_blkmap(fs, bno) == (1u << fs->fs_frag) - 1;
}
