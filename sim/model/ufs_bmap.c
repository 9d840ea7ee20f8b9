/*
 * ufs_bmap.c — the block map, as ufs/ufs/ufs_bmap.c: a logical block's
 * device address (ufs_bmaparray, with the run length clustering asks
 * for), the indirect blocks that lead to it (ufs_getlbns) and what
 * VOP_BMAP reads to find it (ufs_bmap_io) — over the inode's in-core map
 * (ffs_blk_get, ffs_blk_set: the direct array, the sparse table, the
 * indirect blocks).  No allocation here: that is ffs_balloc.c.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

/* The fragment address of logical block lbn (>= 0) or of the indirect
 * block with metadata lbn (< 0); 0 for none. */
int64_t
ffs_blk_get(const struct inode *ip, int64_t lbn)
{
	if (lbn < 0)
		return ip->i_ind != NULL ? (int64_t)GPOINTER_TO_SIZE(
		    g_hash_table_lookup(ip->i_ind, GSIZE_TO_POINTER((gsize)lbn))) : 0;
	if ((guint64)lbn < ip->i_bmap->len)
		return g_array_index(ip->i_bmap, int64_t, lbn);
	if (lbn >= FFS_DENSE && ip->i_sparse != NULL)
		return (int64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(ip->i_sparse,
		    GSIZE_TO_POINTER((gsize)lbn)));
	return 0;
}

void
ffs_blk_set(struct inode *ip, int64_t lbn, int64_t b)
{
	if (lbn < 0) {
		if (ip->i_ind == NULL)
			ip->i_ind = g_hash_table_new(g_direct_hash, g_direct_equal);
		if (b == 0)
			g_hash_table_remove(ip->i_ind, GSIZE_TO_POINTER((gsize)lbn));
		else
			g_hash_table_insert(ip->i_ind, GSIZE_TO_POINTER((gsize)lbn),
			    GSIZE_TO_POINTER((gsize)b));
		return;
	}
	if (lbn < FFS_DENSE) {
		if ((guint64)lbn >= ip->i_bmap->len) {
			if (b == 0)
				return;
			g_array_set_size(ip->i_bmap, (guint)lbn + 1);	/* zeroed */
		}
		g_array_index(ip->i_bmap, int64_t, lbn) = b;
		return;
	}
	if (ip->i_sparse == NULL)
		ip->i_sparse = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (b == 0)
		g_hash_table_remove(ip->i_sparse, GSIZE_TO_POINTER((gsize)lbn));
	else
		g_hash_table_insert(ip->i_sparse, GSIZE_TO_POINTER((gsize)lbn),
		    GSIZE_TO_POINTER((gsize)b));
}

/* A snapshot's BLK_NOCOPY or BLK_SNAP is no block: read, it is a block of
 * zeros (9b97113391: read-ahead of a snapshot file would reach them). */
static inline bool
snap_nonblock(const struct inode *ip, int64_t b)
{
	return ip->i_snapshot && b > 0 && b <= BLK_SNAP;
}

ufs2_daddr_t
ffs_bmap(struct kern *k, struct inode *ip, int64_t lbn)
{
	int64_t b = ffs_blk_get(ip, lbn);

	return b == 0 || snap_nonblock(ip, b) ? -1 : fsbtodb(&k->fs, b);
}

/*
 * ufs_bmaparray with a run length: the device address of lbn (-1 for a
 * hole) and, in *runp, how many of the following blocks (at most maxrun)
 * lie right after it on the disk — what lets cluster_read and
 * cluster_write issue one I/O for several blocks.  (ufs_bmaparray counts
 * within one pointer array: the run stops where the direct blocks end.)
 */
ufs2_daddr_t
ffs_bmap_run(struct kern *k, struct inode *ip, int64_t lbn, int maxrun,
    int *runp)
{
	struct fs *fs = &k->fs;
	int64_t b = ffs_blk_get(ip, lbn);
	int run = 0;

	if (snap_nonblock(ip, b))
		b = 0;
	if (b != 0)
		while (run < maxrun && (lbn >= NDADDR || lbn + run + 1 < NDADDR) &&
		    ffs_blk_get(ip, lbn + run + 1) == b + blkstofrags(fs, run + 1))
			run++;
	if (runp != NULL)
		*runp = run;
	return b == 0 ? -1 : fsbtodb(fs, b);
}

/*
 * ufs_getlbns: the indirect blocks that lead to lbn, in the kernel's
 * numbering (negative metadata lbns: the single indirect block is
 * -NDADDR, the double -(NDADDR + 1 + NINDIR), ...).  ap[0] names the
 * inode's pointer (in_off: which of i_ib), each later entry an indirect
 * block and the slot in it.  Returns the number of entries; 0 for a direct
 * block, -1 past what triple indirection reaches.
 */
int
ufs_getlbns(const struct fs *fs, int64_t lbn, struct indir *ap)
{
	int64_t blockcnt, metalbn, bn = lbn;
	int i, num = 0, nindir = fs->fs_nindir;

	if (bn < NDADDR)
		return 0;
	/* How many levels: blockcnt ends as the blocks one pointer at the
	 * top level covers. */
	for (blockcnt = 1, i = NIADDR, bn -= NDADDR;; i--, bn -= blockcnt) {
		if (i == 0)
			return -1;
		blockcnt *= nindir;
		if (bn < blockcnt)
			break;
	}
	metalbn = -(lbn - bn + NIADDR - i);
	ap[num].in_lbn = metalbn;
	ap[num].in_off = NIADDR - i;
	num++;
	for (; i <= NIADDR; i++) {
		int off;

		blockcnt /= nindir;
		off = (int)((bn / blockcnt) % nindir);
		ap[num].in_lbn = metalbn;
		ap[num].in_off = off;
		num++;
		metalbn -= -1 + off * blockcnt;
	}
	return num;
}

/* One past the last logical block triple indirection reaches. */
static int64_t
ffs_maxlbn(const struct fs *fs)
{
	int64_t n = fs->fs_nindir;

	return NDADDR + n + n * n + n * n * n;
}

bool
ffs_lbn_valid(const struct fs *fs, int64_t lbn)
{
	struct indir a[NIADDR + 2];
	int j, i, num;

	if (lbn >= 0)
		return lbn < ffs_maxlbn(fs);
	if (lbn < -ffs_maxlbn(fs))
		return false;
	/* An indirect block's number is 0, 1 or 2 before minus the first
	 * data block under it (ufs_indir_first's search). */
	for (j = 0; j < NIADDR; j++) {
		int64_t f = -lbn - j;

		if (f < NDADDR || f >= ffs_maxlbn(fs) ||
		    (num = ufs_getlbns(fs, f, a)) <= 0)
			continue;
		for (i = 1; i < num; i++)
			if (a[i].in_lbn == lbn)
				return true;
	}
	return false;
}

int
ufs_bmap_io(struct kern *k, struct vnode *vp, int64_t lbn)
{
	struct indir a[NIADDR + 2];
	int num, i, error;

	if (lbn < NDADDR || !ffs_online(k) ||
	    (num = ufs_getlbns(&k->fs, lbn, a)) <= 0)
		return 0;
	/* Each indirect block on the way, through the buffer cache; one
	 * that cannot be read ends the lookup with its error (brelse'd, as
	 * ufs_bmaparray does after biowait). */
	for (i = 1; i < num; i++) {
		struct buf *bp;

		if (ffs_blk_get(vp->v_data, a[i].in_lbn) == 0)
			return 0;
		if ((error = bread(k, vp, a[i].in_lbn, k->fs.fs_bsize,
		    &bp)) != 0) {
			brelse(k, bp);
			return error;
		}
		bqrelse(k, bp);
	}
	return 0;
}

/* ---- for ffs_snapshot.c --------------------------------------------- */

int
ffs_lbns(const struct fs *fs, int64_t lbn, int64_t *mlbn, int *off, int max)
{
	struct indir a[NIADDR + 2];
	int num = ufs_getlbns(fs, lbn, a), i;

	for (i = 0; i < num && i < max; i++) {
		mlbn[i] = a[i].in_lbn;
		off[i] = a[i].in_off;
	}
	return num;
}
