/*
 * ffs.c — the Fast File System: what newfs lays out (ffs_mount), block,
 * fragment and inode allocation (ffs_alloc.c), the block map and its
 * indirect blocks (ufs_bmap.c, ffs_balloc.c), truncation (ffs_inode.c),
 * the inode's own I/O (ffs_update, ffs_vget), ffs_sync, and an fsck-like
 * check of it all.
 *
 * Addresses are fragments, as in the kernel (fsbtodb turns them into
 * DEV_BSIZE sectors).  The free map is one bit a fragment for the whole
 * file system; each cylinder group keeps its counts (free blocks, free
 * fragments, free-run sizes, inodes, directories) and rotors, and every
 * change to a block's free pattern goes through blk_acct so that the
 * counts always equal the map (ffs_fsck checks it).  Allocation follows
 * the kernel's preferences: a file's blocks after its previous one, a
 * section of maxbpg blocks per cylinder group, a file's first blocks in
 * its inode's group, new files next to their directory, new directories
 * spread by ffs_dirpref; ffs_hashalloc's overflow to other groups.
 *
 * I/O: an allocation reads the group's cg block and leaves it a delayed
 * write (ffs_alloccg's bread + bdwrite); a new indirect block is written
 * before it is pointed to; an inode is written by ffs_update.  All of it
 * through the buffer cache on the device vnode (fs_devvp), so it is cached,
 * delayed and clustered like anything else.  Offline (set-up), none of it.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#define isfree(fs, f)	((fs)->fs_fmap[(f) >> 3] & (1u << ((f) & 7)))
#define setfree(fs, f)	((fs)->fs_fmap[(f) >> 3] |= (uint8_t)(1u << ((f) & 7)))
#define clrfree(fs, f)	((fs)->fs_fmap[(f) >> 3] &= (uint8_t)~(1u << ((f) & 7)))
#define inoused(fs, i)	((fs)->fs_imap[(i) >> 3] & (1u << ((i) & 7)))
#define setino(fs, i)	((fs)->fs_imap[(i) >> 3] |= (uint8_t)(1u << ((i) & 7)))
#define clrino(fs, i)	((fs)->fs_imap[(i) >> 3] &= (uint8_t)~(1u << ((i) & 7)))

bool
ffs_online(const struct kern *k)
{
	return k->fs.fs_offline == 0 && curproc(k->sim) != NULL;
}

void
ffs_offline_begin(struct kern *k)
{
	k->fs.fs_offline++;
}

void
ffs_offline_end(struct kern *k)
{
	KASSERT(k->fs.fs_offline > 0, ("ffs_offline_end: not offline"));
	k->fs.fs_offline--;
}

int
ffs_blksize(const struct fs *fs, const struct inode *ip, int64_t lbn)
{
	if (lbn >= NDADDR || ip->i_size >= lblktosize(fs, lbn + 1))
		return fs->fs_bsize;
	return (int)fragroundup(fs, blkoff(fs, ip->i_size));
}

/* Fragments in cylinder group c (the last one may be short). */
static int64_t
cg_frags(const struct fs *fs, int c)
{
	return MIN(fs->fs_fpg, fs->fs_size - cgbase(fs, c));
}

/* ---- the free map and the counts that must agree with it ------------- */

/* Free-fragment pattern of the block at fragment bno: bit i, frag i. */
static unsigned
blkmap(const struct fs *fs, int64_t bno)
{
	unsigned map = 0;
	int i;

	for (i = 0; i < fs->fs_frag; i++)
		if (isfree(fs, bno + i))
			map |= 1u << i;
	return map;
}

/*
 * Add (sign 1) or take away (-1) one block's share of its group's counts:
 * a whole free block counts in nbfree, anything less in nffree and in the
 * run-length summary cg_frsum (what ffs_fragacct keeps).  Callers take the
 * share away, change the block's bits, and add it back.
 */
static void
blk_acct(struct fs *fs, int64_t bno, int sign)
{
	struct cg *cgp = &fs->fs_cgs[dtog(fs, bno)];
	unsigned map = blkmap(fs, bno), full = (1u << fs->fs_frag) - 1;
	int i, run = 0;

	if (map == full) {
		cgp->cg_nbfree += sign;
		fs->fs_nbfree += sign;
		return;
	}
	for (i = 0; i <= fs->fs_frag; i++) {
		if (i < fs->fs_frag && (map & (1u << i)))
			run++;
		else if (run > 0) {
			cgp->cg_frsum[run] += sign;
			cgp->cg_nffree += sign * run;
			fs->fs_nffree += sign * run;
			run = 0;
		}
	}
}

/* Mark n fragments from f used (free false) or free, keeping the counts. */
static void
frags_set(struct fs *fs, int64_t f, int n, bool free)
{
	int64_t bno = blknum(fs, f);
	int i;

	KASSERT(fragnum(fs, f) + n <= fs->fs_frag,
	    ("frags_set: %d frags from %lld cross a block", n, (long long)f));
	blk_acct(fs, bno, -1);
	for (i = 0; i < n; i++) {
		KASSERT(!isfree(fs, f + i) == free, ("frags_set: fragment %lld "
		    "already %s", (long long)(f + i), free ? "free" : "used"));
		if (free)
			setfree(fs, f + i);
		else
			clrfree(fs, f + i);
	}
	blk_acct(fs, bno, 1);
}

/* freespace(fs, percentreserved): fragments left above the reserve. */
static int64_t
freespace(const struct fs *fs, int reserve)
{
	return blkstofrags(fs, fs->fs_nbfree) + fs->fs_nffree -
	    fs->fs_dsize * reserve / 100;
}

int64_t
ffs_freebytes(const struct fs *fs)
{
	int64_t f = freespace(fs, fs->fs_minfree);

	return f > 0 ? f * fs->fs_fsize : 0;
}

/* ---- metadata I/O ---------------------------------------------------- */

/* A metadata block of the device (a cg map, an inode block). */
static struct buf *
meta_bread(struct kern *k, int64_t frag, int size)
{
	struct buf *bp;

	(void)bread(k, k->fs.fs_devvp, fsbtodb(&k->fs, frag), size, &bp);
	return bp;
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

/* ffs_alloccg and friends: the group's cg block, read (normally a cache
 * hit) before the group is changed and left a delayed write after. */
static struct buf *
cg_read(struct kern *k, int c)
{
	if (!ffs_online(k))
		return NULL;
	return meta_bread(k, cgtod(&k->fs, c), k->fs.fs_bsize);
}

static void
cg_done(struct kern *k, struct buf *bp, bool changed)
{
	if (bp == NULL)
		return;
	if (changed) {
		k->fs.fs_fmod = true;	/* the summary in the superblock */
		bio_note_version(k, bp);
		bdwrite(k, bp);
	} else
		bqrelse(k, bp);
}

/*
 * ffs_update: ufs_itimes first — a change or a write makes the on-disk
 * inode stale (IN_MODIFIED), an access alone only lazily so (IN_LAZYMOD:
 * not worth an I/O of its own).  A delayed update of an inode that is not
 * stale does nothing; otherwise its inode block is read and written.
 */
void
ffs_update(struct kern *k, struct inode *ip, bool waitfor)
{
	struct buf *bp;

	if (ip->i_flag & (IN_CHANGE | IN_UPDATE))
		ip->i_flag |= IN_MODIFIED;
	else if (ip->i_flag & IN_ACCESS)
		ip->i_flag |= IN_LAZYMOD;
	ip->i_flag &= ~(IN_ACCESS | IN_CHANGE | IN_UPDATE);
	if (!(ip->i_flag & IN_MODIFIED) && !waitfor)
		return;
	ip->i_flag &= ~(IN_MODIFIED | IN_LAZYMOD);
	if (!ffs_online(k))
		return;
	k->cnt.inode_writes++;
	bp = meta_bread(k, ino_to_fsba(&k->fs, ip->i_number), k->fs.fs_bsize);
	(void)ffs_meta_write(k, bp, waitfor);
}

void
ffs_iread(struct kern *k, struct inode *ip)
{
	struct buf *bp;

	if (!ffs_online(k))
		return;
	bp = meta_bread(k, ino_to_fsba(&k->fs, ip->i_number), k->fs.fs_bsize);
	bqrelse(k, bp);
}

/* ---- newfs ----------------------------------------------------------- */

static int
ilog2(int x)
{
	int n = 0;

	while ((1 << n) < x)
		n++;
	return n;
}

struct inode *
ffs_inode_new(struct fs *fs, uint64_t ino, bool isdir, uint32_t gen)
{
	struct inode *ip = g_new0(struct inode, 1);

	ip->i_number = ino;
	ip->i_isdir = isdir;
	ip->i_gen = gen;
	ip->i_bmap = g_array_new(FALSE, TRUE, sizeof(int64_t));
	if (isdir)
		ip->i_dir = ufs_dir_new();
	g_hash_table_insert(fs->fs_inodes, &ip->i_number, ip);
	return ip;
}

/* A new inode's generation number is random, as ffs_valloc's arc4random. */
static struct inode *
inode_new(struct fs *fs, uint64_t ino, bool isdir)
{
	fs->fs_rng_draws++;
	return ffs_inode_new(fs, ino, isdir, (uint32_t)g_rand_int(fs->fs_rng));
}

void
ffs_inode_destroy(struct inode *ip)
{
	lf_purge(ip);
	g_array_free(ip->i_bmap, TRUE);
	if (ip->i_sparse != NULL)
		g_hash_table_destroy(ip->i_sparse);
	if (ip->i_ind != NULL)
		g_hash_table_destroy(ip->i_ind);
	if (ip->i_dir != NULL)
		ufs_dir_free(ip->i_dir);
	g_free(ip);
}

/* Take an inode number in use (the root, newfs's reserved ones). */
static void
ino_take(struct fs *fs, uint64_t ino, bool isdir)
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

/*
 * ffs_mount: the file system newfs (mkfs.c) would have made on the disk.
 * Cylinder groups are as large as a cg block can map (the bitmaps of its
 * fragments, inodes and clusters must fit in one block, as mkfs demands)
 * or ffs.cgsize; each holds a superblock copy, its cg block and its inodes
 * before its data (cg 0 after the boot block; the others have data before
 * the copy too); one inode every `density` bytes; cg 0's first data
 * fragments hold the cg summary.  Inodes 0 and 1 are reserved and 2 is the
 * root directory.
 */
bool
ffs_mount(struct kern *k, GError **err)
{
	struct fs *fs = &k->fs;
	int64_t disk_bytes = disk_capacity(&k->disk) * DEV_BSIZE;
	int64_t density, per, c, f, maxfpg, dblkno_guess;
	int hdr;

	if (k->p.bsize < 4096 || k->p.bsize > 65536 ||
	    (k->p.bsize & (k->p.bsize - 1)) != 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "ffs.bsize %d: must be a power of two from 4K to 64K",
		    k->p.bsize);
		return false;
	}
	if (k->p.fsize < 512 || k->p.fsize > k->p.bsize ||
	    (k->p.fsize & (k->p.fsize - 1)) != 0 || k->p.bsize / k->p.fsize > 8) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "ffs.fsize %d: must be a power of two, at least 512 and at "
		    "least bsize/8", k->p.fsize);
		return false;
	}
	if (k->p.fs_size > disk_bytes) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "ffs.size %lld bytes does not fit on the %lld-byte disk",
		    (long long)k->p.fs_size, (long long)disk_bytes);
		return false;
	}
	memset(fs, 0, sizeof(*fs));
	fs->fs_bsize = k->p.bsize;
	fs->fs_fsize = k->p.fsize;
	fs->fs_frag = fs->fs_bsize / fs->fs_fsize;
	fs->fs_fragshift = ilog2(fs->fs_frag);
	fs->fs_nindir = fs->fs_bsize / (int)sizeof(int32_t);	/* UFS1 */
	fs->fs_inopb = fs->fs_bsize / UFS1_INOSZ;
	fs->fs_size = blknum(fs, k->p.fs_size / fs->fs_fsize);
	fs->fs_minfree = k->p.minfree;
	fs->fs_maxbpg = k->p.maxbpg > 0 ? k->p.maxbpg : fs->fs_nindir;
	fs->fs_maxcontig = MAX(1, MAXPHYS / fs->fs_bsize - 1);
	fs->fs_contigsumsize = MIN(fs->fs_maxcontig, 16);
	fs->fs_avgfilesize = 16384;
	fs->fs_avgfpdir = 64;
	fs->fs_meta = k->p.meta;
	fs->fs_noatime = k->p.noatime;
	fs->fs_dirpref = k->p.era != ERA_FREEBSD4;
	fs->fs_rng = g_rand_new_with_seed(0x5eed);

	/* mkfs: the superblock after the boot block, then the cg block,
	 * then the inodes. */
	fs->fs_sblkno = blknum(fs, numfrags(fs, BBSIZE + SBSIZE) + fs->fs_frag - 1);
	fs->fs_cblkno = fs->fs_sblkno + blknum(fs, numfrags(fs, SBSIZE) +
	    fs->fs_frag - 1);
	fs->fs_iblkno = fs->fs_cblkno + fs->fs_frag;
	density = k->p.density > 0 ? k->p.density : 4 * fs->fs_fsize;
	/* The cg block maps its fragments (a bit each), its inodes (a bit
	 * each), its blocks' cluster map (a bit each) and the cluster
	 * summary, after a header. */
	hdr = 256 + 4 * (fs->fs_contigsumsize + 1);
	per = 8 * density * fs->fs_frag;	/* bits of map per fragment x8 */
	maxfpg = (int64_t)(fs->fs_bsize - hdr) * per /
	    (density * fs->fs_frag + fs->fs_fsize * fs->fs_frag + density);
	if (k->p.cgsize > 0)
		maxfpg = MIN(maxfpg, k->p.cgsize / fs->fs_fsize);
	fs->fs_fpg = blknum(fs, maxfpg);
	fs->fs_ipg = (int)(fs->fs_fpg * fs->fs_fsize / density);
	fs->fs_ipg -= fs->fs_ipg % fs->fs_inopb;
	if (fs->fs_ipg < fs->fs_inopb)
		fs->fs_ipg = fs->fs_inopb;
	fs->fs_dblkno = fs->fs_iblkno + blkstofrags(fs,
	    fs->fs_ipg / fs->fs_inopb);
	dblkno_guess = fs->fs_dblkno + 16 * fs->fs_frag;
	if (fs->fs_fpg < dblkno_guess || fs->fs_size < dblkno_guess) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "ffs.size %lld bytes is too small for a cylinder group",
		    (long long)k->p.fs_size);
		return false;
	}
	fs->fs_ncg = (int)((fs->fs_size + fs->fs_fpg - 1) / fs->fs_fpg);
	/* mkfs drops a last group too small to hold its metadata and some
	 * data. */
	if (cg_frags(fs, fs->fs_ncg - 1) < dblkno_guess) {
		fs->fs_ncg--;
		fs->fs_size = cgbase(fs, fs->fs_ncg);
	}
	fs->fs_cssize = (int)fragroundup(fs, fs->fs_ncg * 16);
	fs->fs_csaddr = cgdmin(fs, 0);

	fs->fs_cgs = g_new0(struct cg, fs->fs_ncg);
	fs->fs_fmap = g_malloc0((size_t)(fs->fs_size + 7) / 8);
	fs->fs_imap = g_malloc0(((size_t)fs->fs_ncg * fs->fs_ipg + 7) / 8);
	for (c = 0; c < fs->fs_ncg; c++) {
		int64_t base = cgbase(fs, c), n = cg_frags(fs, (int)c);
		struct cg *cgp = &fs->fs_cgs[c];

		for (f = 0; f < n; f++) {
			bool data = f >= fs->fs_dblkno || (c > 0 && f < fs->fs_sblkno);

			if (c == 0 && f >= fs->fs_dblkno &&
			    f < fs->fs_dblkno + numfrags(fs, fs->fs_cssize))
				data = false;		/* the cg summary */
			if (data)
				setfree(fs, base + f);
		}
		for (f = 0; f < n; f += fs->fs_frag)
			blk_acct(fs, base + f, 1);
		cgp->cg_nifree = fs->fs_ipg;
		fs->fs_nifree += fs->fs_ipg;
		fs->fs_dsize += n - fs->fs_dblkno + (c > 0 ? fs->fs_sblkno : 0);
	}
	fs->fs_dsize -= numfrags(fs, fs->fs_cssize);
	fs->fs_inodes = g_hash_table_new(g_int64_hash, g_int64_equal);
	ino_take(fs, 0, false);
	ino_take(fs, 1, false);
	ino_take(fs, ROOTINO, true);
	fs->fs_root = inode_new(fs, ROOTINO, true);
	fs->fs_root->i_nlink = 2;
	fs->fs_root->i_parent = fs->fs_root;
	/* The device: metadata buffers hang off it. */
	fs->fs_devvp = g_new0(struct vnode, 1);
	fs->fs_devvp->v_number = ++k->nextvnode;
	fs->fs_devvp->v_type = VCHR;
	TAILQ_INIT(&fs->fs_devvp->v_cleanblkhd);
	TAILQ_INIT(&fs->fs_devvp->v_dirtyblkhd);
	TAILQ_INIT(&fs->fs_devvp->v_pages);
	fs->fs_devvp->v_usecount = 1;
	/* The root's first directory block ("." and ".."). */
	ffs_offline_begin(k);
	(void)ufs_dir_add(fs->fs_root, ".", fs->fs_root);
	(void)ufs_dir_add(fs->fs_root, "..", fs->fs_root);
	(void)ffs_prealloc(k, fs->fs_root, DIRBLKSIZ);
	ffs_offline_end(k);
	fs->fs_fmod = false;
	return true;
}

void
ffs_unmount(struct kern *k)
{
	GHashTableIter it;
	gpointer v;

	if (k->fs.fs_inodes != NULL) {
		/* Everything is freed, so the order does not matter. */
		g_hash_table_iter_init(&it, k->fs.fs_inodes);
		while (g_hash_table_iter_next(&it, NULL, &v))
			ffs_inode_destroy(v);
		g_hash_table_destroy(k->fs.fs_inodes);
	}
	g_free(k->fs.fs_devvp);
	g_free(k->fs.fs_cgs);
	g_free(k->fs.fs_fmap);
	g_free(k->fs.fs_imap);
	if (k->fs.fs_rng != NULL)
		g_rand_free(k->fs.fs_rng);
	memset(&k->fs, 0, sizeof(k->fs));
}

/* ---- the block map ---------------------------------------------------- */

/* The fragment address of logical block lbn (>= 0) or of the indirect
 * block with metadata lbn (< 0); 0 for none. */
static int64_t
blk_get(const struct inode *ip, int64_t lbn)
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

static void
blk_set(struct inode *ip, int64_t lbn, int64_t b)
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
	int64_t b = blk_get(ip, lbn);

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
	int64_t b = blk_get(ip, lbn);
	int run = 0;

	if (snap_nonblock(ip, b))
		b = 0;
	if (b != 0)
		while (run < maxrun && (lbn >= NDADDR || lbn + run + 1 < NDADDR) &&
		    blk_get(ip, lbn + run + 1) == b + blkstofrags(fs, run + 1))
			run++;
	if (runp != NULL)
		*runp = run;
	return b == 0 ? -1 : fsbtodb(fs, b);
}

/* One step of the path to a block through indirect blocks. */
struct indir {
	int64_t	 in_lbn;	/* metadata lbn of the pointer block */
	int	 in_off;	/* the pointer's index in it */
};

/*
 * ufs_getlbns: the indirect blocks that lead to lbn, in the kernel's
 * numbering (negative metadata lbns: the single indirect block is
 * -NDADDR, the double -(NDADDR + 1 + NINDIR), ...).  ap[0] names the
 * inode's pointer (in_off: which of i_ib), each later entry an indirect
 * block and the slot in it.  Returns the number of entries; 0 for a direct
 * block, -1 past what triple indirection reaches.
 */
static int
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

void
ufs_bmap_io(struct kern *k, struct vnode *vp, int64_t lbn)
{
	struct indir a[NIADDR + 2];
	int num, i;

	if (lbn < NDADDR || !ffs_online(k) ||
	    (num = ufs_getlbns(&k->fs, lbn, a)) <= 0)
		return;
	/* Each indirect block on the way, through the buffer cache. */
	for (i = 1; i < num; i++) {
		struct buf *bp;

		if (blk_get(vp->v_data, a[i].in_lbn) == 0)
			return;
		(void)bread(k, vp, a[i].in_lbn, k->fs.fs_bsize, &bp);
		bqrelse(k, bp);
	}
}

/* ---- allocation ------------------------------------------------------ */

/*
 * ffs_blkpref: where logical block lbn should go; indx is its slot in the
 * pointer array that will hold it (the direct blocks or an indirect
 * block), prev the block in the slot before (0 if none).  The start of a
 * section (each maxbpg blocks) goes to the inode's group for the first
 * direct-and-single-indirect's worth, then to the next group with at
 * least the average free blocks; inside a section, right after prev.
 */
static int64_t
ffs_blkpref(struct fs *fs, struct inode *ip, int64_t lbn, int indx, int64_t prev)
{
	int cg, startcg;
	int64_t avgbfree;

	if (indx % fs->fs_maxbpg == 0 || prev == 0) {
		if (lbn < NDADDR + fs->fs_nindir) {
			cg = ino_to_cg(fs, ip->i_number);
			return cgbase(fs, cg) + fs->fs_frag;
		}
		/* Find a group with more than the average free blocks. */
		if (indx == 0 || prev == 0)
			startcg = (int)((ino_to_cg(fs, ip->i_number) +
			    lbn / fs->fs_maxbpg) % fs->fs_ncg);
		else
			startcg = (dtog(fs, prev) + 1) % fs->fs_ncg;
		avgbfree = fs->fs_nbfree / fs->fs_ncg;
		for (cg = startcg; cg < fs->fs_ncg; cg++)
			if (fs->fs_cgs[cg].cg_nbfree >= avgbfree) {
				fs->fs_cgrotor = cg;
				return cgbase(fs, cg) + fs->fs_frag;
			}
		for (cg = 0; cg <= startcg; cg++)
			if (fs->fs_cgs[cg].cg_nbfree >= avgbfree) {
				fs->fs_cgrotor = cg;
				return cgbase(fs, cg) + fs->fs_frag;
			}
		return 0;
	}
	return prev + fs->fs_frag;
}

/* The slot and the previous pointer for lbn (what ffs_balloc hands
 * ffs_blkpref: the direct array, or the last indirect block's). */
static int64_t
blkpref_for(struct fs *fs, struct inode *ip, int64_t lbn)
{
	struct indir a[NIADDR + 2];
	int num, indx;

	if (lbn < NDADDR)
		indx = (int)lbn;
	else if ((num = ufs_getlbns(fs, lbn, a)) > 0)
		indx = a[num - 1].in_off;
	else
		indx = 0;
	return ffs_blkpref(fs, ip, lbn, indx,
	    indx > 0 && lbn > 0 ? blk_get(ip, lbn - 1) : 0);
}

/*
 * ffs_mapsearch for a whole block: the first free one at or after from
 * (block-aligned, cg-relative), wrapping round the group.  -1 if none.
 */
static int64_t
mapsearch_blk(struct fs *fs, int c, int64_t from)
{
	int64_t base = cgbase(fs, c), n = cg_frags(fs, c), f;
	unsigned full = (1u << fs->fs_frag) - 1;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		int64_t lo = pass == 0 ? from : 0, hi = pass == 0 ? n : from;

		for (f = lo; f + fs->fs_frag <= hi; f += fs->fs_frag) {
			if (fs->fs_frag == 8) {
				/* a block is a byte of the map */
				if (fs->fs_fmap[(base + f) >> 3] == 0xff)
					return f;
			} else if (blkmap(fs, base + f) == full)
				return f;
		}
	}
	return -1;
}

/*
 * ffs_alloccgblk: a whole block in group c: the preferred one if free,
 * else the next free one after it — or, with no usable preference, after
 * the group's rotor (which then moves).
 */
static int64_t
ffs_alloccgblk(struct fs *fs, int c, int64_t bpref)
{
	struct cg *cgp = &fs->fs_cgs[c];
	int64_t bno;

	if (bpref <= 0 || dtog(fs, bpref) != c) {
		bno = mapsearch_blk(fs, c, cgp->cg_rotor);
		KASSERT(bno >= 0, ("ffs_alloccgblk: cg %d counts a free block "
		    "its map lacks", c));
		cgp->cg_rotor = bno;
	} else {
		bpref = blknum(fs, dtogd(fs, bpref));
		if (blkmap(fs, cgbase(fs, c) + bpref) == (1u << fs->fs_frag) - 1)
			bno = bpref;
		else {
			bno = mapsearch_blk(fs, c, bpref);
			KASSERT(bno >= 0, ("ffs_alloccgblk: no free block"));
			cgp->cg_rotor = bno;
		}
	}
	frags_set(fs, cgbase(fs, c) + bno, fs->fs_frag, false);
	return cgbase(fs, c) + bno;
}

/* ffs_mapsearch for fragments: a run of exactly allocsiz free fragments
 * in a partly used block, from the preference (or the group's fragment
 * rotor), wrapping.  Returns its first fragment (absolute). */
static int64_t
mapsearch_frags(struct fs *fs, int c, int64_t bpref, int allocsiz)
{
	struct cg *cgp = &fs->fs_cgs[c];
	int64_t base = cgbase(fs, c), n = cg_frags(fs, c), start, f;
	unsigned full = (1u << fs->fs_frag) - 1;
	int pass;

	start = bpref > 0 && dtog(fs, bpref) == c ? blknum(fs, dtogd(fs, bpref)) :
	    cgp->cg_frotor;
	for (pass = 0; pass < 2; pass++) {
		int64_t lo = pass == 0 ? start : 0, hi = pass == 0 ? n : start;

		for (f = lo; f + fs->fs_frag <= hi; f += fs->fs_frag) {
			unsigned map = blkmap(fs, base + f);
			int i, run = 0;

			if (map == 0 || map == full)
				continue;
			for (i = 0; i <= fs->fs_frag; i++) {
				if (i < fs->fs_frag && (map & (1u << i)))
					run++;
				else {
					if (run == allocsiz) {
						cgp->cg_frotor = f;
						return base + f + i - run;
					}
					run = 0;
				}
			}
		}
	}
	KASSERT(0, ("ffs_mapsearch: cg %d counts a %d-fragment run its map "
	    "lacks", c, allocsiz));
	return 0;
}

/*
 * ffs_alloccg: size bytes (a block or fragments) in group c.  A whole
 * block comes from ffs_alloccgblk.  Fragments come from the smallest free
 * run that holds them (cg_frsum says which sizes exist); with none, a
 * whole block is broken and its tail given back.
 */
static int64_t
ffs_alloccg(struct kern *k, struct inode *ip, int c, int64_t bpref, int size)
{
	struct fs *fs = &k->fs;
	struct cg *cgp = &fs->fs_cgs[c];
	struct buf *bp;
	int frags, allocsiz;
	int64_t bno;

	(void)ip;
	if (cgp->cg_nbfree == 0 && size == fs->fs_bsize)
		return 0;
	bp = cg_read(k, c);		/* may sleep: look again after */
	if (size == fs->fs_bsize) {
		if (cgp->cg_nbfree == 0) {
			cg_done(k, bp, false);
			return 0;
		}
		bno = ffs_alloccgblk(fs, c, bpref);
		cg_done(k, bp, true);
		return bno;
	}
	frags = (int)numfrags(fs, size);
	for (allocsiz = frags; allocsiz < fs->fs_frag; allocsiz++)
		if (cgp->cg_frsum[allocsiz] != 0)
			break;
	if (allocsiz == fs->fs_frag) {
		/* No run is big enough: break up a whole block. */
		if (cgp->cg_nbfree == 0) {
			cg_done(k, bp, false);
			return 0;
		}
		bno = ffs_alloccgblk(fs, c, bpref);
		frags_set(fs, bno + frags, fs->fs_frag - frags, true);
		cg_done(k, bp, true);
		return bno;
	}
	bno = mapsearch_frags(fs, c, bpref, allocsiz);
	frags_set(fs, bno, frags, false);
	cg_done(k, bp, true);
	return bno;
}

/*
 * ffs_nodealloccg: an inode in group c, the preferred one if free, else
 * the next free one after the group's inode rotor.
 */
static int64_t
ffs_nodealloccg(struct kern *k, struct inode *pip, int c, int64_t ipref,
    int isdir)
{
	struct fs *fs = &k->fs;
	struct cg *cgp = &fs->fs_cgs[c];
	uint64_t base = (uint64_t)c * (uint64_t)fs->fs_ipg, ino = 0;
	struct buf *bp;
	int i;

	(void)pip;
	if (cgp->cg_nifree == 0)
		return 0;
	bp = cg_read(k, c);
	if (cgp->cg_nifree == 0) {
		cg_done(k, bp, false);
		return 0;
	}
	if (ipref > 0 && (uint64_t)ipref >= base &&
	    (uint64_t)ipref < base + (uint64_t)fs->fs_ipg && !inoused(fs, ipref))
		ino = (uint64_t)ipref;
	else {
		for (i = 1; i <= fs->fs_ipg; i++) {
			ino = base + (uint64_t)((cgp->cg_irotor + i) % fs->fs_ipg);
			if (!inoused(fs, ino))
				break;
		}
		KASSERT(!inoused(fs, ino), ("ffs_nodealloccg: cg %d counts a "
		    "free inode its map lacks", c));
		cgp->cg_irotor = (int64_t)(ino - base);
	}
	ino_take(fs, ino, isdir != 0);
	cg_done(k, bp, true);
	return (int64_t)ino;
}

typedef int64_t allocfn(struct kern *k, struct inode *ip, int c, int64_t pref,
    int size);

static int64_t
alloccg_fn(struct kern *k, struct inode *ip, int c, int64_t pref, int size)
{
	return ffs_alloccg(k, ip, c, pref, size);
}

static int64_t
nodealloc_fn(struct kern *k, struct inode *ip, int c, int64_t pref, int isdir)
{
	return ffs_nodealloccg(k, ip, c, pref, isdir);
}

/*
 * ffs_hashalloc: the preferred group, then a quadratic rehash (c + 1, 2,
 * 4, ...), then every group in turn.  0 when all fail.
 */
static int64_t
ffs_hashalloc(struct kern *k, struct inode *ip, int cg, int64_t pref, int size,
    allocfn *fn)
{
	struct fs *fs = &k->fs;
	int64_t r;
	int i, icg = cg;

	if ((r = fn(k, ip, cg, pref, size)) != 0)
		return r;
	for (i = 1; i < fs->fs_ncg; i *= 2) {
		cg += i;
		if (cg >= fs->fs_ncg)
			cg -= fs->fs_ncg;
		if ((r = fn(k, ip, cg, 0, size)) != 0)
			return r;
	}
	cg = (icg + 2) % fs->fs_ncg;
	for (i = 2; i < fs->fs_ncg; i++) {
		if ((r = fn(k, ip, cg, 0, size)) != 0)
			return r;
		cg++;
		if (cg == fs->fs_ncg)
			cg = 0;
	}
	return 0;
}

/*
 * ffs_alloc: size bytes for logical block lbn of ip near bpref.  ENOSPC
 * when the file system is full — for a non-root writer (all of a trace's
 * processes are treated as one), when only the minfree reserve is left.
 */
static int
ffs_alloc(struct kern *k, struct inode *ip, int64_t bpref, int size,
    int64_t *bnp)
{
	struct fs *fs = &k->fs;
	int64_t bno;
	int cg;

	*bnp = 0;
	if (size == fs->fs_bsize && fs->fs_nbfree == 0)
		goto nospace;
	if (freespace(fs, fs->fs_minfree) - numfrags(fs, size) < 0)
		goto nospace;
	if (bpref >= fs->fs_size)
		bpref = 0;
	cg = bpref == 0 ? ino_to_cg(fs, ip->i_number) : dtog(fs, bpref);
	bno = ffs_hashalloc(k, ip, cg, bpref, size, alloccg_fn);
	if (bno > 0) {
		ip->i_blocks += size / DEV_BSIZE;
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		*bnp = bno;
		return 0;
	}
nospace:
	k->cnt.enospc++;
	return ENOSPC;
}

/* ffs_blkfree: size bytes from fragment bno go back to the free map —
 * unless a snapshot claims the block (ffs_snapblkfree). */
static void
ffs_blkfree(struct kern *k, struct inode *ip, int64_t bno, int size)
{
	struct fs *fs = &k->fs;
	int c = dtog(fs, bno), n = (int)numfrags(fs, size), i;
	struct buf *bp;

	KASSERT(bno > 0 && bno + n <= fs->fs_size && fragnum(fs, bno) + n <=
	    fs->fs_frag, ("ffs_blkfree: bad block %lld size %d",
	    (long long)bno, size));
	KASSERT(!(k->mnt.mnt_kern_flag & MNTK_SUSPENDED) || k->fs.fs_offline,
	    ("ffs_blkfree: the file system is suspended"));
	/* A block a snapshot still needs: it may take it over instead. */
	if (k->nsnaps > 0 && ffs_snapblkfree(k, bno, size)) {
		if (ip != NULL)
			ip->i_blocks -= size / DEV_BSIZE;
		for (i = 0; i < n; i++)
			bio_block_claimed(k, fsbtodb(fs, bno + i));
		return;
	}
	bp = cg_read(k, c);
	frags_set(fs, bno, n, true);
	cg_done(k, bp, true);
	if (ip != NULL)
		ip->i_blocks -= size / DEV_BSIZE;
	for (i = 0; i < n; i++)
		bio_forget_block(k, fsbtodb(fs, bno + i));
}

/*
 * ffs_fragextend: grow the fragment at bprev from osize to nsize in place,
 * if the fragments after it in the same block are free.
 */
static int64_t
ffs_fragextend(struct kern *k, int c, int64_t bprev, int osize, int nsize)
{
	struct fs *fs = &k->fs;
	int frags = (int)numfrags(fs, nsize), ofrags = (int)numfrags(fs, osize), i;
	struct buf *bp;

	if (fragnum(fs, bprev) + frags > fs->fs_frag)
		return 0;			/* would cross a block */
	if (fs->fs_cgs[c].cg_nffree < frags - ofrags)
		return 0;
	for (i = ofrags; i < frags; i++)
		if (!isfree(fs, bprev + i))
			return 0;
	bp = cg_read(k, c);
	for (i = ofrags; i < frags; i++)
		if (!isfree(fs, bprev + i)) {	/* taken while we slept */
			cg_done(k, bp, false);
			return 0;
		}
	frags_set(fs, bprev + ofrags, frags - ofrags, false);
	cg_done(k, bp, true);
	return bprev;
}

/*
 * ffs_realloccg: the state change of growing lbn's fragment from osize to
 * nsize: in place if it can be extended, else a new place (a whole block
 * with the tail given back under optimization for time, the exact size
 * under space — switched as fragmentation crosses the minfree marks), the
 * old fragment freed.  Returns the new address, 0 when full.
 */
static int64_t
ffs_realloccg(struct kern *k, struct inode *ip, int64_t lbn, int osize,
    int nsize)
{
	struct fs *fs = &k->fs;
	int64_t bprev = blk_get(ip, lbn), bno, bpref;
	int request;

	KASSERT(bprev != 0 && osize < nsize && nsize <= fs->fs_bsize,
	    ("ffs_realloccg: lbn %lld %d -> %d", (long long)lbn, osize, nsize));
	if (freespace(fs, fs->fs_minfree) - numfrags(fs, nsize - osize) < 0) {
		k->cnt.enospc++;
		return 0;
	}
	if ((bno = ffs_fragextend(k, dtog(fs, bprev), bprev, osize, nsize)) != 0) {
		ip->i_blocks += (nsize - osize) / DEV_BSIZE;
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		return bno;
	}
	if (fs->fs_optim_space) {
		if (fs->fs_minfree > 5 &&
		    fs->fs_nffree <= fs->fs_dsize * fs->fs_minfree / 200)
			fs->fs_optim_space = false;
	} else if (fs->fs_nffree >= fs->fs_dsize * (fs->fs_minfree - 2) / 100)
		fs->fs_optim_space = true;
	request = fs->fs_optim_space ? nsize : fs->fs_bsize;
	bpref = blkpref_for(fs, ip, lbn);
	if (bpref >= fs->fs_size)
		bpref = 0;
	bno = ffs_hashalloc(k, ip, dtog(fs, bprev), bpref, request, alloccg_fn);
	if (bno == 0) {
		k->cnt.enospc++;
		return 0;
	}
	blk_set(ip, lbn, bno);
	ffs_blkfree(k, NULL, bprev, osize);
	if (nsize < request)
		ffs_blkfree(k, NULL, bno + numfrags(fs, nsize), request - nsize);
	ip->i_blocks += (nsize - osize) / DEV_BSIZE;
	ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
	k->cnt.frag_moves++;
	return bno;
}

/* ---- inodes ---------------------------------------------------------- */

/*
 * ffs_dirpref: the group for a new directory.  RELENG_4 of 2001 had the
 * 4.4BSD rule: the group with the fewest directories among those with at
 * least the average free inodes — spreading directories, and so the files
 * made in them, over the disk.  5.0-CURRENT had Grigoriy Orlov's policy:
 * a directory at the top goes to a little-used group picked from a random
 * start, but below the top a directory stays in its parent's group (or
 * the next one with room) as long as that group is not too full of
 * directories made in a row — keeping a tree together.
 */
static int
ffs_dirpref(struct fs *fs, struct inode *pip)
{
	int64_t avgifree = fs->fs_nifree / fs->fs_ncg;
	int64_t avgbfree = fs->fs_nbfree / fs->fs_ncg;
	int64_t avgndir = fs->fs_ndir / fs->fs_ncg;
	int64_t minndir, maxndir, minifree, minbfree, cgsize, dirsize, curdirsize;
	int cg, prefcg, mincg, maxcontigdirs;

	if (!fs->fs_dirpref || pip == fs->fs_root) {
		minndir = fs->fs_ipg;
		mincg = 0;
		prefcg = 0;
		if (fs->fs_dirpref) {
			fs->fs_rng_draws++;
			prefcg = (int)g_rand_int_range(fs->fs_rng, 0, fs->fs_ncg);
		}
		for (cg = prefcg; cg < fs->fs_ncg; cg++)
			if (fs->fs_cgs[cg].cg_ndir < minndir &&
			    fs->fs_cgs[cg].cg_nifree >= avgifree &&
			    (!fs->fs_dirpref || fs->fs_cgs[cg].cg_nbfree >= avgbfree)) {
				mincg = cg;
				minndir = fs->fs_cgs[cg].cg_ndir;
			}
		for (cg = 0; cg < prefcg; cg++)
			if (fs->fs_cgs[cg].cg_ndir < minndir &&
			    fs->fs_cgs[cg].cg_nifree >= avgifree &&
			    fs->fs_cgs[cg].cg_nbfree >= avgbfree) {
				mincg = cg;
				minndir = fs->fs_cgs[cg].cg_ndir;
			}
		return mincg;
	}
	maxndir = MIN(avgndir + fs->fs_ipg / 16, fs->fs_ipg);
	minifree = MAX(avgifree - fs->fs_ipg / 4, 0);
	minbfree = MAX(avgbfree - fragstoblks(fs, fs->fs_fpg) / 4, 0);
	cgsize = fs->fs_fsize * fs->fs_fpg;
	dirsize = (int64_t)fs->fs_avgfilesize * fs->fs_avgfpdir;
	curdirsize = avgndir ? (cgsize - avgbfree * fs->fs_bsize) / avgndir : 0;
	if (dirsize < curdirsize)
		dirsize = curdirsize;
	maxcontigdirs = (int)MIN(cgsize / MAX(dirsize, 1), 255);
	if (fs->fs_avgfpdir > 0)
		maxcontigdirs = MIN(maxcontigdirs, fs->fs_ipg / fs->fs_avgfpdir);
	if (maxcontigdirs == 0)
		maxcontigdirs = 1;
	prefcg = ino_to_cg(fs, pip->i_number);
	for (cg = prefcg; cg < fs->fs_ncg; cg++)
		if (fs->fs_cgs[cg].cg_ndir < maxndir &&
		    fs->fs_cgs[cg].cg_nifree >= minifree &&
		    fs->fs_cgs[cg].cg_nbfree >= minbfree &&
		    fs->fs_cgs[cg].cg_contigdirs < maxcontigdirs)
			return cg;
	for (cg = 0; cg < prefcg; cg++)
		if (fs->fs_cgs[cg].cg_ndir < maxndir &&
		    fs->fs_cgs[cg].cg_nifree >= minifree &&
		    fs->fs_cgs[cg].cg_nbfree >= minbfree &&
		    fs->fs_cgs[cg].cg_contigdirs < maxcontigdirs)
			return cg;
	/* Everything is full: the first group with average free inodes. */
	for (cg = prefcg; cg < fs->fs_ncg; cg++)
		if (fs->fs_cgs[cg].cg_nifree >= avgifree)
			return cg;
	for (cg = 0; cg < prefcg; cg++)
		if (fs->fs_cgs[cg].cg_nifree >= avgifree)
			return cg;
	return prefcg;
}

/*
 * ffs_valloc: a new inode.  A file's is wanted next to its directory's
 * inode; a directory's in the group ffs_dirpref picks.  Directories made
 * in a row in a group count up its cg_contigdirs, files count it down.
 */
struct inode *
ffs_valloc(struct kern *k, struct inode *pip, bool isdir)
{
	struct fs *fs = &k->fs;
	int64_t ipref, ino;
	int cg;

	if (fs->fs_nifree == 0)
		return NULL;
	if (isdir)
		ipref = (int64_t)ffs_dirpref(fs, pip) * fs->fs_ipg;
	else
		ipref = (int64_t)pip->i_number;
	cg = ino_to_cg(fs, (uint64_t)ipref);
	if (fs->fs_dirpref) {
		if (isdir) {
			if (fs->fs_cgs[cg].cg_contigdirs < 255)
				fs->fs_cgs[cg].cg_contigdirs++;
		} else if (fs->fs_cgs[cg].cg_contigdirs > 0)
			fs->fs_cgs[cg].cg_contigdirs--;
	}
	ino = ffs_hashalloc(k, pip, cg, ipref, isdir, nodealloc_fn);
	if (ino == 0)
		return NULL;
	k->cnt.inodes_allocated++;
	return inode_new(fs, (uint64_t)ino, isdir);
}

/* ffs_vfree: the inode, its blocks already gone, is free again. */
void
ffs_vfree(struct kern *k, struct inode *ip)
{
	struct fs *fs = &k->fs;
	int c = ino_to_cg(fs, ip->i_number);
	struct cg *cgp = &fs->fs_cgs[c];
	struct buf *bp;

	KASSERT(ip->i_blocks == 0, ("ffs_vfree: inode %llu still has %lld "
	    "sectors", (unsigned long long)ip->i_number, (long long)ip->i_blocks));
	KASSERT(ip->i_vnode == NULL, ("ffs_vfree: inode in core"));
	g_hash_table_remove(fs->fs_inodes, &ip->i_number);
	bp = cg_read(k, c);
	KASSERT(inoused(fs, ip->i_number), ("ffs_vfree: inode free"));
	clrino(fs, ip->i_number);
	cgp->cg_nifree++;
	fs->fs_nifree++;
	if (ip->i_isdir) {
		cgp->cg_ndir--;
		fs->fs_ndir--;
	}
	cg_done(k, bp, true);
	ffs_inode_destroy(ip);
}

/* ---- ffs_balloc ------------------------------------------------------ */

/* Allocate and write a new indirect block for metadata lbn mlbn. */
static int
new_indir(struct kern *k, struct vnode *vp, int64_t mlbn, int64_t lbn,
    int64_t *pref)
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
	blk_set(ip, mlbn, nb);
	k->cnt.indir_allocs++;
	if (!ffs_online(k))
		return 0;
	bp = getblk(k, vp, mlbn, fs->fs_bsize);
	bp->b_blkno = fsbtodb(fs, nb);
	vfs_bio_clrbuf(k, bp);
	/* Written before anything points at it, so that an indirect block
	 * never points at garbage. */
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
	int64_t bno;
	int error;

	if ((error = bread(k, vp, lbn, osize, &bp)) != 0) {
		brelse(k, bp);
		return error;
	}
	if ((bno = ffs_realloccg(k, ip, lbn, osize, nsize)) == 0) {
		brelse(k, bp);
		return ENOSPC;
	}
	allocbuf_grow(k, bp, nsize);
	bp->b_blkno = fsbtodb(fs, bno);
	bio_moved_block(k, bp);
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
		if (osize < fs->fs_bsize && osize > 0 && blk_get(ip, nb) != 0) {
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
		nb = blk_get(ip, lbn);
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
			error = ffs_alloc(k, ip, blkpref_for(fs, ip, lbn), nsize,
			    &newb);
			if (error != 0)
				return error;
			blk_set(ip, lbn, newb);
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
	if (blk_get(ip, a[1].in_lbn) == 0) {
		if ((error = new_indir(k, vp, a[1].in_lbn, lbn, &pref)) != 0)
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
		if (blk_get(ip, child) != 0) {
			bqrelse(k, bp);
			continue;
		}
		if ((error = new_indir(k, vp, child, lbn, &pref)) != 0) {
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
	nb = blk_get(ip, lbn);
	if (nb == 0) {
		struct buf *nbp;

		error = ffs_alloc(k, ip, blkpref_for(fs, ip, lbn), fs->fs_bsize,
		    &newb);
		if (error != 0) {
			brelse(k, bp);
			return error;
		}
		blk_set(ip, lbn, newb);
		nbp = getblk(k, vp, lbn, fs->fs_bsize);
		nbp->b_blkno = fsbtodb(fs, newb);
		if (flags & BA_CLRBUF)
			vfs_bio_clrbuf(k, nbp);
		bio_note_version(k, bp);
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
	if (lbn < NDADDR && lbn < nblk && blk_get(ip, lbn) != 0) {
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
				bp->b_blkno = fsbtodb(fs, blk_get(ip, lbn));
				bio_moved_block(k, bp);
			}
		}
	}
	for (lbn = 0; lbn < nblk; lbn++) {
		int nsize;

		if (blk_get(ip, lbn) != 0)
			continue;
		if (lbn >= NDADDR) {
			struct indir a[NIADDR + 2];
			int num = ufs_getlbns(fs, lbn, a), i;

			if (num < 0)
				return false;
			for (i = 1; i < num; i++)
				if (blk_get(ip, a[i].in_lbn) == 0) {
					if (pref == 0)
						pref = ffs_blkpref(fs, ip, lbn, 0, 0);
					if (ffs_alloc(k, ip, pref, fs->fs_bsize, &nb) != 0)
						return false;
					blk_set(ip, a[i].in_lbn, nb);
					pref = 0;
				}
		}
		nsize = lbn < NDADDR && lbn == nblk - 1 ?
		    (int)fragroundup(fs, size - lblktosize(fs, lbn)) : fs->fs_bsize;
		if (ffs_alloc(k, ip, blkpref_for(fs, ip, lbn), nsize, &nb) != 0)
			return false;
		blk_set(ip, lbn, nb);
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
	if (need > freespace(fs, fs->fs_minfree) + blkstofrags(fs,
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
	return true;
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
		if ((b = blk_get(ip, lbn)) == 0)
			continue;
		blk_set(ip, lbn, 0);
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
			b = blk_get(ip, lbn);
			blk_set(ip, lbn, 0);
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

			b = blk_get(ip, m);
			inval_block(k, vp, m);
			blk_set(ip, m, 0);
			ffs_blkfree(k, ip, b, fs->fs_bsize);
		}
	}
	g_array_free(ind, TRUE);
	/* A direct last block shrinks to the fragments it needs. */
	if (first > 0 && first - 1 < NDADDR && length < ip->i_size &&
	    (b = blk_get(ip, first - 1)) != 0) {
		int osize = ffs_blksize(fs, ip, first - 1);
		int nsize = (int)fragroundup(fs, length - lblktosize(fs, first - 1));

		if (nsize < osize)
			ffs_blkfree(k, ip, b + numfrags(fs, nsize), osize - nsize);
	}
	ip->i_size = length;
	ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
}

/*
 * ffs_truncate: to length.  Growing allocates the new last block (FFS
 * never leaves the end of a file a hole) and writes it zeroed; shrinking
 * to the middle of a block zeroes the rest of that block and writes it;
 * then the inode is written synchronously (so that no pointer to a freed
 * block survives a crash), the buffers past the end are invalidated, and
 * the blocks freed — reading each indirect block that is freed, as
 * ffs_indirtrunc must to find what it points to.  The clustering state
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
	if (blkoff(fs, length) != 0 && blk_get(ip, lblkno(fs, length)) != 0 &&
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
	ffs_update(k, ip, true);
	vinvalbuf_range(k, vp, howmany_blk(fs, length));
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

			if (blk_get(ip, m) == 0)
				continue;
			(void)bread(k, vp, m, fs->fs_bsize, &bp);
			bp->b_flags |= B_INVAL | B_NOCACHE;
			if (bp->b_flags & B_DELWRI)
				bundirty(k, bp);
			brelse(k, bp);
		}
		g_array_free(ind, TRUE);
	}
	ffs_truncate_state(k, ip, length);
}

/* ---- ffs_reallocblks -------------------------------------------------- */

/*
 * ffs_clusteralloc: len free blocks in a row in group c, at or after the
 * preference only (a run behind it would cost another pass of the
 * elevator: better to try the next group).  Returns the first fragment.
 */
static int64_t
ffs_clusteralloc(struct kern *k, struct inode *ip, int c, int64_t bpref, int len)
{
	struct fs *fs = &k->fs;
	int64_t base = cgbase(fs, c), n = cg_frags(fs, c), f, start, run = 0;
	unsigned full = (1u << fs->fs_frag) - 1;
	struct buf *bp;
	int i;

	(void)ip;
	if (fs->fs_cgs[c].cg_nbfree < len)
		return 0;
	start = bpref > 0 && dtog(fs, bpref) == c ? blknum(fs, dtogd(fs, bpref)) : 0;
	for (f = start; f + fs->fs_frag <= n; f += fs->fs_frag) {
		run = blkmap(fs, base + f) == full ? run + 1 : 0;
		if (run == len)
			break;
	}
	if (run < len)
		return 0;
	f = base + f - blkstofrags(fs, len - 1);
	bp = cg_read(k, c);
	for (i = 0; i < len; i++)
		if (blkmap(fs, f + blkstofrags(fs, i)) != full) {
			cg_done(k, bp, false);	/* taken while we slept */
			return 0;
		}
	for (i = 0; i < len; i++)
		frags_set(fs, f + blkstofrags(fs, i), fs->fs_frag, false);
	cg_done(k, bp, true);
	return f;
}

/*
 * ffs_reallocblks (VOP_REALLOCBLKS, from cluster_write): move the n
 * buffers of consecutive whole blocks in bufs[] to one run of free blocks
 * so that they can go to the disk as one cluster.  Refused when off
 * (vfs.ffs.doreallocblks), when the blocks straddle the direct and
 * indirect pointers or two groups (the allocator moved on on purpose),
 * or when no group has such a run at or after the preference.  On success
 * the old blocks are freed, the pointers (the inode's, or an indirect
 * block's, read and left a delayed write) point at the new ones, and each
 * buffer's b_blkno is retargeted; the caller bdwrites them all.
 */
int
ffs_reallocblks(struct kern *k, struct vnode *vp, struct buf **bufs, int n)
{
	struct fs *fs = &k->fs;
	struct inode *ip = vp->v_data;
	int64_t start = bufs[0]->b_lblkno, end = start + n - 1, pref, nb;
	struct indir sa[NIADDR + 2], ea[NIADDR + 2];
	int i, snum = 0, enumm = 0;

	if (!k->p.doreallocblks || n < 2 || fs->fs_contigsumsize <= 0)
		return ENOSPC;
	for (i = 0; i < n; i++)
		if (bufs[i]->b_lblkno != start + i || blk_get(ip, start + i) == 0 ||
		    bufs[i]->b_bcount != fs->fs_bsize)
			return ENOSPC;
	if (start < NDADDR && end >= NDADDR)
		return ENOSPC;
	if (dtog(fs, blk_get(ip, start)) != dtog(fs, blk_get(ip, end)))
		return ENOSPC;
	if (start >= NDADDR) {
		snum = ufs_getlbns(fs, start, sa);
		enumm = ufs_getlbns(fs, end, ea);
		if (snum <= 0 || snum != enumm ||
		    sa[snum - 1].in_lbn != ea[enumm - 1].in_lbn)
			return ENOSPC;	/* two indirect blocks */
	}
	k->cnt.realloc_calls++;
	pref = blkpref_for(fs, ip, start);
	nb = ffs_hashalloc(k, ip, pref > 0 ? dtog(fs, pref) :
	    ino_to_cg(fs, ip->i_number), pref, n, (allocfn *)ffs_clusteralloc);
	if (nb == 0)
		return ENOSPC;
	if (start >= NDADDR && ffs_online(k)) {
		/* The pointers live in an indirect block: read, changed,
		 * delayed (vfs.ffs.doasyncfree). */
		struct buf *ibp;

		(void)bread(k, vp, sa[snum - 1].in_lbn, fs->fs_bsize, &ibp);
		bio_note_version(k, ibp);
		ibp->b_flags |= B_CLUSTEROK;
		bdwrite(k, ibp);
	}
	for (i = 0; i < n; i++) {
		struct buf *bp = bufs[i];
		int64_t old = blk_get(ip, start + i), nw = nb + blkstofrags(fs, i);

		blk_set(ip, start + i, nw);
		ffs_blkfree(k, NULL, old, fs->fs_bsize);
		bp->b_blkno = fsbtodb(fs, nw);
		bio_moved_block(k, bp);
	}
	ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
	k->cnt.realloc_blocks += (uint64_t)n;
	return 0;
}

/* ---- ffs_sync -------------------------------------------------------- */

static int
cmp_vnum(gconstpointer a, gconstpointer b)
{
	const struct vnode *x = *(struct vnode *const *)a;
	const struct vnode *y = *(struct vnode *const *)b;

	return x->v_number < y->v_number ? -1 : x->v_number > y->v_number;
}

/*
 * ffs_sync: the mount's periodic sweep (MNT_LAZY, from the syncer vnode)
 * writes every in-core inode with pending changes as a delayed write
 * (its data has its own place on the syncer wheel); sync(2) (MNT_NOWAIT)
 * and unmount (MNT_WAIT) fsync every vnode, then the device's metadata
 * buffers; the superblock and cg summary go out if they changed.
 */
void
ffs_sync(struct kern *k, int waitfor)
{
	struct fs *fs = &k->fs;
	GPtrArray *vps = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	guint i;

	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct inode *ip = v;
		struct vnode *vp = ip->i_vnode;

		if (vp == NULL)
			continue;
		if ((ip->i_flag & (IN_ACCESS | IN_CHANGE | IN_UPDATE |
		    IN_MODIFIED)) == 0 && TAILQ_EMPTY(&vp->v_dirtyblkhd))
			continue;
		vhold(vp);
		g_ptr_array_add(vps, vp);
	}
	g_ptr_array_sort(vps, cmp_vnum);
	for (i = 0; i < vps->len; i++) {
		struct vnode *vp = g_ptr_array_index(vps, i);
		struct inode *ip = vp->v_data;

		/* Gone while an earlier one was written (unlinked, closed). */
		if (ip == NULL || (vp->v_flag & VXLOCK)) {
			vdrop(k, vp);
			continue;
		}
		if (waitfor == MNT_LAZY) {
			if (ip->i_flag & (IN_ACCESS | IN_CHANGE | IN_UPDATE |
			    IN_MODIFIED))
				ffs_update(k, ip, false);
		} else if (vn_lock(k, vp, LK_EXCLUSIVE |
		    (waitfor == MNT_NOWAIT ? LK_NOWAIT : 0)) == 0) {
			(void)VOP_FSYNC(k, vp, waitfor);
			VOP_UNLOCK(k, vp);
		}
		vdrop(k, vp);
	}
	g_ptr_array_free(vps, TRUE);
	if (waitfor != MNT_LAZY)
		(void)VOP_FSYNC(k, fs->fs_devvp, waitfor);
	if (fs->fs_fmod && ffs_online(k)) {
		/* ffs_sbupdate: the cg summary, then the superblock. */
		struct buf *bp;

		fs->fs_fmod = false;
		bp = getblk(k, fs->fs_devvp, fsbtodb(fs, fs->fs_csaddr),
		    fs->fs_cssize);
		vfs_bio_clrbuf(k, bp);
		bio_note_version(k, bp);
		if (waitfor == MNT_WAIT)
			(void)bwrite(k, bp);
		else
			bawrite(k, bp);
		bp = getblk(k, fs->fs_devvp, fsbtodb(fs, fs->fs_sblkno), SBSIZE);
		vfs_bio_clrbuf(k, bp);
		bio_note_version(k, bp);
		if (waitfor == MNT_WAIT)
			(void)bwrite(k, bp);
		else
			bawrite(k, bp);
	}
}

/* ---- the starting file system ---------------------------------------- */

/* Does b follow prev on the disk, but for indirect blocks of ip that
 * ffs_balloc put between (the first indirect block goes right after the
 * twelfth direct one, on purpose)? */
static bool
in_row(const struct fs *fs, const struct inode *ip, GHashTable *ind,
    int64_t prev, int64_t b)
{
	int64_t x = prev + fs->fs_frag;

	if (b == x)
		return true;
	if (ip->i_ind == NULL)
		return false;
	while (g_hash_table_contains(ind, &x))
		x += fs->fs_frag;
	return b == x;
}

/*
 * How the file system is laid out: Smith and Seltzer's layout score (of
 * the data blocks of files with two or more, the share that follow the
 * block before them on the disk — a tail fragment included, the file's
 * own indirect blocks in between allowed; a file's first block and the
 * blocks after a hole do not count), the files with any block out of
 * line, and the free space in runs of whole free blocks (runs end at a
 * cylinder group's end, as the allocator's searches do).
 */
void
ffs_layout(const struct fs *fs, struct ffs_layout *l)
{
	GHashTableIter it;
	gpointer v;
	unsigned full = (1u << fs->fs_frag) - 1;
	int c;

	GHashTable *ind = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);

	memset(l, 0, sizeof(*l));
	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct inode *ip = v;
		int64_t lbn, prev = 0, nblk = 0, pairs = 0, inrow = 0;

		if (ip->i_isdir)
			continue;
		g_hash_table_remove_all(ind);
		if (ip->i_ind != NULL) {
			GHashTableIter ii;
			gpointer b;

			g_hash_table_iter_init(&ii, ip->i_ind);
			while (g_hash_table_iter_next(&ii, NULL, &b))
				g_hash_table_add(ind, g_memdup2(&(int64_t){
				    (int64_t)GPOINTER_TO_SIZE(b) }, sizeof(int64_t)));
		}
		for (lbn = 0; (guint64)lbn < ip->i_bmap->len; lbn++) {
			int64_t b = blk_get(ip, lbn);

			if (b != 0) {
				nblk++;
				if (prev != 0) {
					pairs++;
					inrow += in_row(fs, ip, ind, prev, b);
				}
			}
			prev = b;
		}
		if (nblk < 2)
			continue;
		l->files++;
		l->pairs += (uint64_t)pairs;
		l->inrow += (uint64_t)inrow;
		if (inrow < pairs)
			l->broken++;
	}
	for (c = 0; c < fs->fs_ncg; c++) {
		int64_t base = cgbase(fs, c), n = cg_frags(fs, c), f, run = 0;

		for (f = 0; f + fs->fs_frag <= n; f += fs->fs_frag) {
			if (blkmap(fs, base + f) == full) {
				run++;
				continue;
			}
			if (run > 0)
				l->free_runs++;
			run = 0;
		}
		if (run > 0)
			l->free_runs++;
	}
	g_hash_table_destroy(ind);
	l->free_blocks = fs->fs_nbfree;
	l->used_frags = fs->fs_dsize - blkstofrags(fs, fs->fs_nbfree) - fs->fs_nffree;
	l->avail_frags = fs->fs_dsize - fs->fs_dsize * fs->fs_minfree / 100;
}

/* ---- fsck ------------------------------------------------------------ */

struct fsck {
	struct fs	*fs;
	uint8_t		*used;		/* a bit a fragment */
	int		 problems;
	GString		*why;
};

static void
fsck_bad(struct fsck *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fsck_bad(struct fsck *c, const char *fmt, ...)
{
	va_list ap;

	if (c->problems++ < 12) {
		if (c->problems > 1)
			g_string_append(c->why, "; ");
		va_start(ap, fmt);
		g_string_append_vprintf(c->why, fmt, ap);
		va_end(ap);
	}
}

static void
fsck_claim(struct fsck *c, int64_t f, int n, uint64_t ino, int64_t lbn)
{
	int i;

	if (f <= 0 || f + n > c->fs->fs_size || fragnum(c->fs, f) + n > c->fs->fs_frag) {
		fsck_bad(c, "inode %llu block %lld: bad address %lld (%d frags)",
		    (unsigned long long)ino, (long long)lbn, (long long)f, n);
		return;
	}
	for (i = 0; i < n; i++) {
		int64_t x = f + i;

		if (c->used[x >> 3] & (1u << (x & 7)))
			fsck_bad(c, "fragment %lld claimed twice (inode %llu "
			    "block %lld)", (long long)x, (unsigned long long)ino,
			    (long long)lbn);
		c->used[x >> 3] |= (uint8_t)(1u << (x & 7));
		if (isfree(c->fs, x))
			fsck_bad(c, "fragment %lld of inode %llu block %lld is "
			    "marked free", (long long)x, (unsigned long long)ino,
			    (long long)lbn);
	}
}

int
ffs_fsck(struct kern *k, char **why)
{
	struct fs *fs = &k->fs;
	struct fsck c = { fs, g_malloc0((size_t)(fs->fs_size + 7) / 8), 0,
	    g_string_new(NULL) };
	GHashTable *links = g_hash_table_new(g_direct_hash, g_direct_equal);
	int64_t *cgdirs = g_new0(int64_t, fs->fs_ncg);
	GHashTableIter it;
	gpointer v;
	int64_t f, ninodes = 0, ndirs = 0;
	int cgx, i;

	/* Metadata: everything below each group's data, the cg summary. */
	for (cgx = 0; cgx < fs->fs_ncg; cgx++)
		for (f = cgx > 0 ? fs->fs_sblkno : 0; f < fs->fs_dblkno; f++)
			c.used[(cgbase(fs, cgx) + f) >> 3] |=
			    (uint8_t)(1u << ((cgbase(fs, cgx) + f) & 7));
	for (f = 0; f < numfrags(fs, fs->fs_cssize); f++)
		c.used[(fs->fs_csaddr + f) >> 3] |=
		    (uint8_t)(1u << ((fs->fs_csaddr + f) & 7));
	/* Every inode's blocks. */
	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct inode *ip = v;
		int64_t sectors = 0, lbn;

		ninodes++;
		if (ip->i_isdir) {
			ndirs++;
			cgdirs[ino_to_cg(fs, ip->i_number)]++;
		}
		if (!inoused(fs, ip->i_number))
			fsck_bad(&c, "inode %llu in use but free in the map",
			    (unsigned long long)ip->i_number);
		for (lbn = 0; (guint64)lbn < ip->i_bmap->len; lbn++) {
			int64_t b = blk_get(ip, lbn);
			int size = ffs_blksize(fs, ip, lbn);

			/* 0: a hole; in a snapshot, 1 and 2 are no blocks
			 * (BLK_NOCOPY, BLK_SNAP). */
			if (b == 0 || (b <= BLK_SNAP && ip->i_size > 0))
				continue;
			if (lbn >= howmany_blk(fs, ip->i_size))
				fsck_bad(&c, "inode %llu: block %lld past its size "
				    "%lld", (unsigned long long)ip->i_number,
				    (long long)lbn, (long long)ip->i_size);
			fsck_claim(&c, b, (int)numfrags(fs, size), ip->i_number, lbn);
			sectors += size / DEV_BSIZE;
		}
		if (ip->i_sparse != NULL) {
			GHashTableIter si;
			gpointer key, val;

			g_hash_table_iter_init(&si, ip->i_sparse);
			while (g_hash_table_iter_next(&si, &key, &val)) {
				if ((int64_t)GPOINTER_TO_SIZE(key) >=
				    howmany_blk(fs, ip->i_size))
					fsck_bad(&c, "inode %llu: block %lld past "
					    "its size %lld",
					    (unsigned long long)ip->i_number,
					    (long long)GPOINTER_TO_SIZE(key),
					    (long long)ip->i_size);
				fsck_claim(&c, (int64_t)GPOINTER_TO_SIZE(val),
				    fs->fs_frag, ip->i_number,
				    (int64_t)GPOINTER_TO_SIZE(key));
				sectors += fs->fs_bsize / DEV_BSIZE;
			}
		}
		if (ip->i_ind != NULL) {
			GHashTableIter si;
			gpointer key, val;

			g_hash_table_iter_init(&si, ip->i_ind);
			while (g_hash_table_iter_next(&si, &key, &val)) {
				fsck_claim(&c, (int64_t)GPOINTER_TO_SIZE(val),
				    fs->fs_frag, ip->i_number,
				    (int64_t)GPOINTER_TO_SIZE(key));
				sectors += fs->fs_bsize / DEV_BSIZE;
			}
		}
		if (sectors != ip->i_blocks)
			fsck_bad(&c, "inode %llu: %lld sectors held, i_blocks "
			    "says %lld", (unsigned long long)ip->i_number,
			    (long long)sectors, (long long)ip->i_blocks);
		/* Names: count the references each inode gets. */
		if (ip->i_dir != NULL) {
			GHashTableIter di;
			gpointer key, val;

			if (ip->i_size != (int64_t)ip->i_dir->d_free->len * DIRBLKSIZ)
				fsck_bad(&c, "directory %llu: size %lld for %u "
				    "chunks", (unsigned long long)ip->i_number,
				    (long long)ip->i_size, ip->i_dir->d_free->len);
			g_hash_table_iter_init(&di, ip->i_dir->d_names);
			while (g_hash_table_iter_next(&di, &key, &val)) {
				struct direntry *de = val;
				gpointer n;

				if (strcmp(key, ".") == 0 || strcmp(key, "..") == 0)
					continue;
				n = g_hash_table_lookup(links, de->de_ip);
				g_hash_table_insert(links, de->de_ip,
				    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
				if (de->de_ip->i_isdir) {
					/* its ".." counts in this directory */
					n = g_hash_table_lookup(links, ip);
					g_hash_table_insert(links, ip,
					    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
					if (de->de_ip->i_parent != ip)
						fsck_bad(&c, "directory %llu: \"..\" is "
						    "not %llu",
						    (unsigned long long)de->de_ip->i_number,
						    (unsigned long long)ip->i_number);
				}
			}
		}
	}
	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct inode *ip = v;
		int64_t want = (int64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(links, ip));

		if (ip->i_isdir)
			want += 1;			/* its own "." */
		if (ip == fs->fs_root)
			want += 1;			/* its ".." is itself */
		/* An unlinked file still open has no names and nlink 0. */
		if (ip->i_nlink != want && !(ip->i_nlink == 0 && want == 0))
			fsck_bad(&c, "inode %llu: link count %d, %lld references",
			    (unsigned long long)ip->i_number, ip->i_nlink,
			    (long long)want);
	}
	/* The maps against the counts, group by group. */
	{
		int64_t nbfree = 0, nffree = 0, nifree = 0;

		for (cgx = 0; cgx < fs->fs_ncg; cgx++) {
			struct cg *cgp = &fs->fs_cgs[cgx];
			int64_t base = cgbase(fs, cgx), n = cg_frags(fs, cgx);
			int64_t bf = 0, ff = 0, fi = 0;
			int frsum[MAXFRAG] = { 0 };
			unsigned full = (1u << fs->fs_frag) - 1;

			for (f = 0; f < n; f += fs->fs_frag) {
				unsigned map = blkmap(fs, base + f);
				int run = 0;

				for (i = 0; i < fs->fs_frag; i++) {
					int64_t x = base + f + i;
					bool u = c.used[x >> 3] & (1u << (x & 7));

					if (u != (isfree(fs, x) != 0))
						continue;
					fsck_bad(&c, "fragment %lld: %s but %s",
					    (long long)x, u ? "used" : "unused",
					    u ? "free" : "not free");
				}
				if (map == full) {
					bf++;
					continue;
				}
				for (i = 0; i <= fs->fs_frag; i++) {
					if (i < fs->fs_frag && (map & (1u << i)))
						run++;
					else if (run > 0) {
						frsum[run]++;
						ff += run;
						run = 0;
					}
				}
			}
			for (i = 0; i < fs->fs_ipg; i++)
				if (!inoused(fs, (uint64_t)cgx * fs->fs_ipg + i))
					fi++;
			if (cgp->cg_ndir != cgdirs[cgx])
				fsck_bad(&c, "cg %d: %lld directories, cg_ndir says "
				    "%lld", cgx, (long long)cgdirs[cgx],
				    (long long)cgp->cg_ndir);
			if (bf != cgp->cg_nbfree || ff != cgp->cg_nffree ||
			    fi != cgp->cg_nifree)
				fsck_bad(&c, "cg %d: %lld/%lld/%lld free blocks/frags/"
				    "inodes, the counts say %lld/%lld/%lld", cgx,
				    (long long)bf, (long long)ff, (long long)fi,
				    (long long)cgp->cg_nbfree,
				    (long long)cgp->cg_nffree,
				    (long long)cgp->cg_nifree);
			for (i = 1; i < fs->fs_frag; i++)
				if (frsum[i] != cgp->cg_frsum[i])
					fsck_bad(&c, "cg %d: %d free runs of %d, "
					    "cg_frsum says %d", cgx, frsum[i], i,
					    cgp->cg_frsum[i]);
			nbfree += bf;
			nffree += ff;
			nifree += fi;
		}
		if (nbfree != fs->fs_nbfree || nffree != fs->fs_nffree ||
		    nifree != fs->fs_nifree)
			fsck_bad(&c, "totals: %lld/%lld/%lld free blocks/frags/"
			    "inodes, the superblock says %lld/%lld/%lld",
			    (long long)nbfree, (long long)nffree, (long long)nifree,
			    (long long)fs->fs_nbfree, (long long)fs->fs_nffree,
			    (long long)fs->fs_nifree);
		if ((int64_t)fs->fs_ncg * fs->fs_ipg - nifree != ninodes + 2)
			fsck_bad(&c, "%lld inodes used, %lld exist (+2 reserved)",
			    (long long)((int64_t)fs->fs_ncg * fs->fs_ipg - nifree),
			    (long long)ninodes);
		if (ndirs != fs->fs_ndir)
			fsck_bad(&c, "%lld directories, fs_ndir says %lld",
			    (long long)ndirs, (long long)fs->fs_ndir);
	}
	g_hash_table_destroy(links);
	g_free(cgdirs);
	g_free(c.used);
	if (why != NULL)
		*why = g_string_free(c.why, c.problems == 0);
	else
		g_string_free(c.why, TRUE);
	return c.problems;
}

/* ---- for ffs_snapshot.c and ffs_image.c -------------------------------- */

int64_t
ffs_blk_get(const struct inode *ip, int64_t lbn)
{
	return blk_get(ip, lbn);
}

void
ffs_blk_set(struct inode *ip, int64_t lbn, int64_t b)
{
	blk_set(ip, lbn, b);
}

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

int
ffs_alloc_blk(struct kern *k, struct inode *ip, int64_t lbn, int size,
    int64_t *bnp)
{
	return ffs_alloc(k, ip, blkpref_for(&k->fs, ip, lbn), size, bnp);
}

void
ffs_free_blk(struct kern *k, struct inode *ip, int64_t bno, int size)
{
	ffs_blkfree(k, ip, bno, size);
}

bool
ffs_isblkfree(const struct fs *fs, int64_t bno)
{
	return blkmap(fs, bno) == (1u << fs->fs_frag) - 1;
}
