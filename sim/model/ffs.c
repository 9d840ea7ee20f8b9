/*
 * ffs.c — inodes, the block map and block allocation.
 *
 * The first model keeps what decides where data lands on the disk: a free
 * bitmap of file-system blocks, a preference for the block right after the
 * file's previous one (ffs_blkpref's contiguity), and a rotor from which new
 * files and broken runs search for free space.  Block 0 and the first 64 KB
 * (boot block, superblock) are never allocated, so 0 can mean "hole" as it
 * does in an inode.
 */
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#define isfree(fs, b)	((fs)->fs_blksfree[(b) >> 3] & (1u << ((b) & 7)))
#define setfree(fs, b)	((fs)->fs_blksfree[(b) >> 3] |= (uint8_t)(1u << ((b) & 7)))
#define clrfree(fs, b)	((fs)->fs_blksfree[(b) >> 3] &= (uint8_t)~(1u << ((b) & 7)))

static struct inode *
inode_new(struct kern *k, bool isdir)
{
	struct inode *ip = g_new0(struct inode, 1);

	ip->i_number = ++k->fs.fs_ninode;
	g_hash_table_insert(k->fs.fs_inodes, &ip->i_number, ip);
	ip->i_isdir = isdir;
	ip->i_db = g_array_new(FALSE, TRUE, sizeof(ufs2_daddr_t));
	if (isdir)
		ip->i_dir = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
	return ip;
}

bool
ffs_mount(struct kern *k, GError **err)
{
	struct fs *fs = &k->fs;
	int64_t disk_bytes = disk_capacity(&k->disk) * DEV_BSIZE;
	int64_t b;

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
	fs->fs_bsize = k->p.bsize;
	fs->fs_fsize = k->p.fsize;
	fs->fs_frag = fs->fs_bsize / fs->fs_fsize;
	fs->fs_size = k->p.fs_size / fs->fs_bsize;
	fs->fs_firstblk = (65536 + fs->fs_bsize - 1) / fs->fs_bsize;
	if (fs->fs_size < fs->fs_firstblk + 16) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "ffs.size %lld bytes is too small", (long long)k->p.fs_size);
		return false;
	}
	fs->fs_blksfree = g_malloc0((size_t)(fs->fs_size + 7) / 8);
	for (b = fs->fs_firstblk; b < fs->fs_size; b++)
		setfree(fs, b);
	fs->fs_nbfree = fs->fs_size - fs->fs_firstblk;
	fs->fs_rotor = fs->fs_firstblk;
	fs->fs_inodes = g_hash_table_new(g_int64_hash, g_int64_equal);
	fs->fs_root = inode_new(k, true);
	fs->fs_root->i_nlink = 2;
	fs->fs_root->i_parent = fs->fs_root;
	return true;
}

static void
inode_destroy(struct inode *ip)
{
	g_array_free(ip->i_db, TRUE);
	if (ip->i_sparse != NULL)
		g_hash_table_destroy(ip->i_sparse);
	if (ip->i_dir != NULL)
		g_hash_table_destroy(ip->i_dir);
	g_free(ip);
}

void
ffs_unmount(struct kern *k)
{
	GHashTableIter it;
	gpointer v;

	if (k->fs.fs_inodes != NULL) {
		/* Everything is freed, so the order does not matter. */
		g_hash_table_iter_init(&it, k->fs.fs_inodes);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct inode *ip = v;

			g_free(ip->i_vnode);
			inode_destroy(ip);
		}
		g_hash_table_destroy(k->fs.fs_inodes);
	}
	g_free(k->fs.fs_blksfree);
	memset(&k->fs, 0, sizeof(k->fs));
}

struct inode *
ffs_ialloc(struct kern *k, bool isdir)
{
	return inode_new(k, isdir);
}

void
ffs_ifree(struct kern *k, struct inode *ip)
{
	ffs_truncate_blocks(k, ip, 0);
	g_hash_table_remove(k->fs.fs_inodes, &ip->i_number);
	inode_destroy(ip);
}

/* The fs block of logical block lbn, 0 for a hole. */
static int64_t
blk_get(struct inode *ip, int64_t lbn)
{
	if (lbn < 0)
		return 0;
	if ((guint64)lbn < ip->i_db->len)
		return g_array_index(ip->i_db, ufs2_daddr_t, lbn);
	if (lbn >= FFS_DENSE && ip->i_sparse != NULL)
		return (int64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(ip->i_sparse,
		    GSIZE_TO_POINTER((gsize)lbn)));
	return 0;
}

static void
blk_set(struct inode *ip, int64_t lbn, int64_t b)
{
	if (lbn < FFS_DENSE) {
		if ((guint64)lbn >= ip->i_db->len)
			g_array_set_size(ip->i_db, (guint)lbn + 1);	/* zeroed */
		g_array_index(ip->i_db, ufs2_daddr_t, lbn) = b;
		return;
	}
	if (ip->i_sparse == NULL)
		ip->i_sparse = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_insert(ip->i_sparse, GSIZE_TO_POINTER((gsize)lbn),
	    GSIZE_TO_POINTER((gsize)b));
}

ufs2_daddr_t
ffs_bmap(struct kern *k, struct inode *ip, int64_t lbn)
{
	int64_t b = blk_get(ip, lbn);

	return b == 0 ? -1 : fsbtodb(&k->fs, b);
}

/*
 * ufs_bmaparray with a run length: the device address of lbn (-1 for a
 * hole) and, in *runp, how many of the following blocks (at most maxrun)
 * lie right after it on the disk — what lets cluster_read and
 * cluster_write issue one I/O for several blocks.
 */
ufs2_daddr_t
ffs_bmap_run(struct kern *k, struct inode *ip, int64_t lbn, int maxrun,
    int *runp)
{
	int64_t b = blk_get(ip, lbn);
	int run = 0;

	if (b != 0)
		while (run < maxrun && blk_get(ip, lbn + run + 1) == b + run + 1)
			run++;
	if (runp != NULL)
		*runp = run;
	return b == 0 ? -1 : fsbtodb(&k->fs, b);
}

/* ffs_blkpref + ffs_alloc: the block after the previous one if it is free,
 * else the first free block from the rotor on. */
static int64_t
ffs_alloc(struct kern *k, int64_t pref)
{
	struct fs *fs = &k->fs;
	int64_t b, n;

	if (fs->fs_nbfree == 0)
		return 0;
	if (pref >= fs->fs_firstblk && pref < fs->fs_size && isfree(fs, pref))
		b = pref;
	else {
		b = fs->fs_rotor;
		for (n = 0; n < fs->fs_size; n++) {
			if (b >= fs->fs_size)
				b = fs->fs_firstblk;
			if (isfree(fs, b))
				break;
			b++;
		}
		KASSERT(isfree(fs, b), ("ffs_alloc: free count says %lld free",
		    (long long)fs->fs_nbfree));
	}
	clrfree(fs, b);
	fs->fs_nbfree--;
	fs->fs_rotor = b + 1;
	return b;
}

static void
ffs_blkfree(struct kern *k, int64_t b)
{
	struct fs *fs = &k->fs;

	KASSERT(b >= fs->fs_firstblk && b < fs->fs_size,
	    ("ffs_blkfree: bad block %lld", (long long)b));
	KASSERT(!isfree(fs, b), ("ffs_blkfree: freeing free block %lld",
	    (long long)b));
	setfree(fs, b);
	fs->fs_nbfree++;
	bio_forget_block(k, fsbtodb(fs, b));
}

ufs2_daddr_t
ffs_balloc(struct kern *k, struct inode *ip, int64_t lbn)
{
	int64_t b = blk_get(ip, lbn), prev;

	KASSERT(lbn >= 0, ("ffs_balloc: lbn %lld", (long long)lbn));
	if (b != 0)
		return fsbtodb(&k->fs, b);
	/* Prefer the block after the previous logical block's. */
	prev = lbn > 0 ? blk_get(ip, lbn - 1) : 0;
	b = ffs_alloc(k, prev != 0 ? prev + 1 : 0);
	if (b == 0)
		return -1;
	blk_set(ip, lbn, b);
	return fsbtodb(&k->fs, b);
}

/*
 * A run of len free blocks, searched forward from pref to the end of the
 * file system and then from its start (ffs_clusteralloc scans a cylinder
 * group's free-cluster map forward from the preference only; ffs_hashalloc
 * then tries the other groups).  0 when there is none.
 */
static int64_t
ffs_findrun(struct fs *fs, int64_t pref, int len)
{
	int64_t b, run = 0, start = pref, pass;

	if (start < fs->fs_firstblk || start >= fs->fs_size)
		start = fs->fs_firstblk;
	for (pass = 0; pass < 2; pass++) {
		int64_t end = pass == 0 ? fs->fs_size : MIN(start + len, fs->fs_size);

		run = 0;
		for (b = pass == 0 ? start : fs->fs_firstblk; b < end; b++) {
			/* Whole bytes of allocated blocks at a time. */
			if (run == 0 && (b & 7) == 0 && b + 8 <= end &&
			    fs->fs_blksfree[b >> 3] == 0) {
				b += 7;
				continue;
			}
			run = isfree(fs, b) ? run + 1 : 0;
			if (run == len)
				return b - len + 1;
		}
	}
	return 0;
}

/*
 * ffs_reallocblks (VOP_REALLOCBLKS, from cluster_write): move the n
 * buffers of consecutive logical blocks in bufs[] to one run of free blocks
 * so that they can go to the disk as one cluster.  The preference is the
 * block after the one before the run (ffs_blkpref), the search forward
 * from it; on success the old blocks are freed, the block map points at
 * the new ones and each buffer's b_blkno is retargeted (the caller
 * bdwrites them all: their data now belongs at the new place).  ENOSPC,
 * changing nothing, when reallocation is off (vfs.ffs.doreallocblks) or
 * there is no such run.
 */
int
ffs_reallocblks(struct kern *k, struct inode *ip, struct buf **bufs, int n)
{
	struct fs *fs = &k->fs;
	int64_t start = bufs[0]->b_lblkno, pref, nb;
	int i;

	if (!k->p.doreallocblks || n < 2)
		return ENOSPC;
	for (i = 0; i < n; i++)
		if (bufs[i]->b_lblkno != start + i || blk_get(ip, start + i) == 0)
			return ENOSPC;
	k->cnt.realloc_calls++;
	pref = start > 0 && blk_get(ip, start - 1) != 0 ?
	    blk_get(ip, start - 1) + 1 : blk_get(ip, start);
	if (fs->fs_nbfree < n || (nb = ffs_findrun(fs, pref, n)) == 0)
		return ENOSPC;
	for (i = 0; i < n; i++) {
		struct buf *bp = bufs[i];
		int64_t old = blk_get(ip, start + i);

		clrfree(fs, nb + i);
		fs->fs_nbfree--;
		blk_set(ip, start + i, nb + i);
		ffs_blkfree(k, old);
		bp->b_blkno = fsbtodb(fs, nb + i);
		bio_moved_block(k, bp);
	}
	fs->fs_rotor = nb + n;
	k->cnt.realloc_blocks += (uint64_t)n;
	return 0;
}

void
ffs_truncate_blocks(struct kern *k, struct inode *ip, int64_t length)
{
	struct fs *fs = &k->fs;
	int64_t first = howmany_blk(fs, length);
	guint i;

	for (i = (guint)MIN(first, (int64_t)ip->i_db->len); i < ip->i_db->len; i++) {
		ufs2_daddr_t b = g_array_index(ip->i_db, ufs2_daddr_t, i);

		if (b != 0)
			ffs_blkfree(k, b);
	}
	if ((guint64)first < ip->i_db->len)
		g_array_set_size(ip->i_db, (guint)first);
	if (ip->i_sparse != NULL) {
		GHashTableIter it;
		gpointer key, v;

		/* Freeing order does not matter: each block's bit is set. */
		g_hash_table_iter_init(&it, ip->i_sparse);
		while (g_hash_table_iter_next(&it, &key, &v))
			if ((int64_t)GPOINTER_TO_SIZE(key) >= first) {
				ffs_blkfree(k, (int64_t)GPOINTER_TO_SIZE(v));
				g_hash_table_iter_remove(&it);
			}
	}
}

bool
ffs_prealloc(struct kern *k, struct inode *ip, int64_t size)
{
	int64_t nblk = howmany_blk(&k->fs, size), i, need = 0;

	if (nblk > k->fs.fs_size)
		return false;
	for (i = 0; i < nblk; i++)
		if (blk_get(ip, i) == 0 && ++need > k->fs.fs_nbfree)
			return false;
	for (i = 0; i < nblk; i++)
		(void)ffs_balloc(k, ip, i);
	if (size > ip->i_size)
		ip->i_size = size;
	return true;
}
