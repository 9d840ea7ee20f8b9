/*
 * ffs_crash.c — the disk's contents, block by block, and a crash at any
 * instant: the image it leaves, fsck_ffs on it (fsck_ffs.c), and what the
 * processes lose, checked exactly against a version oracle.
 *
 * The image.  In the kernel a buffer holds the block's bytes, changed
 * where the code changes them (ffs_alloccg in the cg block, ufs_direnter
 * in the directory block, ffs_balloc in the indirect block, ffs_update
 * copying the in-core inode into the inode block, ffs_write the data),
 * and a write carries what the buffer held when it was started.  Here
 * the file system's truth is kept in core (ffs.h) and buffers carry no
 * bytes, so a block's contents are made when its write is handed to the
 * drive (bstrategy) — or, for a background write, when bwrite copies it
 * (vfs_bio's bkgrdwrite) — from what the buffer would hold then:
 *   - a cylinder-group block: the group's maps, as in core (the model
 *     changes them only between the cg block's bread and its bdwrite,
 *     holding the buffer, as ffs_alloccg does);
 *   - a directory block: its entries, as in core (a change is made with
 *     the directory locked, and the block is read, locked, before it is
 *     written: a write already under way was started before);
 *   - an indirect block: its pointers, as in core (ffs_balloc sets them
 *     holding the block);
 *   - an inode block: kept aside, block by block, as ffs_update copies
 *     each inode into it (the in-core inode is ahead of its block);
 *   - a data block: its data version (bio_note_version).
 * When the write is done (biodone) those contents are the disk's.  At
 * the start (ffs_crash_init) the disk holds the starting file system:
 * every inode in use, directory block, indirect block and map.  A block
 * never written since is zeros, or the starting file system's data.
 *
 * The crash.  At t the machine stops: every completed write is on the
 * disk; a write the drive had begun and not finished reached it up to
 * some sector, chosen from the run's seed (a draw per request, seeded by
 * seed, t and its first sector: 0 to all of its sectors) — the drive
 * writes its sectors in order, so a block is new up to there and old
 * after; a request still queued reached nothing; nothing in memory
 * survives.  (The drive's write-back cache is taken as on the disk once
 * it reports a write done — what the 2001 kernel's ordering assumed; a
 * drive that loses its cache at power-off loses more: see "Not yet".)
 *
 * The oracle.  What processes had done by t is the in-core file system
 * at t: every name, every regular file's size and, for each of its
 * blocks, the data version the last write produced (kept per device
 * block, data_mem).  After fsck each name is looked up on the repaired
 * disk and each block written during the run compared by version.  And
 * what the kernel promised: data a process fsynced (fsync(2) waiting,
 * an O_SYNC write returned) — each block as it was then, kept lazily
 * (the block's version before its first write after the fsync) — must
 * be on the repaired disk, under a name; on a synchronous mount every
 * name whose call returned before t must be too.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"
#include "ffs_crash_private.h"

#include <string.h>

/* One write in flight: the contents it carries and its request. */
struct inflight {
	struct dblk	*b;		/* NULL: nothing modelled (superblock) */
	int64_t		 sector;
	int		 nsect;
	const struct diskreq *req;	/* the request carrying it: its own,
					   or its cluster's */
};

/* A file's last fsync (or O_SYNC write): what must survive. */
struct cr_sync {
	uint64_t	 w;		/* the last version handed out then */
	int64_t		 size;
	GHashTable	*floor;		/* lbn -> the version the block had
					   then, for blocks written since */
};

struct ffs_crash {
	struct dimage	 disk;		/* what the disk holds */
	GHashTable	*mem_ino;	/* sector -> struct dblk: inode blocks
					   as their buffers hold them */
	GHashTable	*inflight;	/* struct buf * -> struct inflight */
	GHashTable	*data_mem;	/* sector -> version last written into
					   the data block there */
	GHashTable	*sync;		/* inode number -> struct cr_sync */
	GHashTable	*pending;	/* "dir/name" -> sim_proc changing it */
	/* ffs_truncate's inode write: the pointers past length are cleared
	 * in the inode it writes (the model clears them after). */
	const struct inode *trunc_ip;
	int64_t		 trunc_len;
};

static gint
cmp_strp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- blocks ---------------------------------------------------------- */

struct dblk *
dblk_new(int kind, int nsect)
{
	struct dblk *b = g_new0(struct dblk, 1);

	b->kind = kind;
	b->refs = 1;
	b->nsect = nsect;
	if (kind == DBK_INODE)
		b->u.inodes = g_array_new(FALSE, FALSE, sizeof(struct dinode_img));
	else if (kind == DBK_DIR)
		b->u.ents = g_array_new(FALSE, FALSE, sizeof(struct dirent_img));
	return b;
}

struct dblk *
dblk_ref(struct dblk *b)
{
	if (b != NULL)
		b->refs++;
	return b;
}

void
dblk_unref(struct dblk *b)
{
	guint i;

	if (b == NULL || --b->refs > 0)
		return;
	switch (b->kind) {
	case DBK_INODE:
		g_array_free(b->u.inodes, TRUE);
		break;
	case DBK_CG:
		g_free(b->u.cg.fmap);
		g_free(b->u.cg.imap);
		break;
	case DBK_INDIR:
		g_free(b->u.ptr);
		break;
	case DBK_DIR:
		for (i = 0; i < b->u.ents->len; i++)
			g_free(g_array_index(b->u.ents, struct dirent_img, i).de_name);
		g_array_free(b->u.ents, TRUE);
		break;
	default:
		break;
	}
	g_free(b);
}

static size_t
cg_fbytes(const struct fs *fs)
{
	return (size_t)(fs->fs_fpg + 7) / 8;
}

static size_t
cg_ibytes(const struct fs *fs)
{
	return (size_t)(fs->fs_ipg + 7) / 8;
}

struct dblk *
dblk_clone(const struct fs *fs, const struct dblk *b)
{
	struct dblk *n = dblk_new(b->kind, b->nsect);
	guint i;

	switch (b->kind) {
	case DBK_INODE:
		g_array_append_vals(n->u.inodes, b->u.inodes->data,
		    b->u.inodes->len);
		break;
	case DBK_CG:
		n->u.cg.cg = b->u.cg.cg;
		n->u.cg.fmap = g_memdup2(b->u.cg.fmap, cg_fbytes(fs));
		n->u.cg.imap = g_memdup2(b->u.cg.imap, cg_ibytes(fs));
		break;
	case DBK_INDIR:
		n->u.ptr = g_memdup2(b->u.ptr, sizeof(int64_t) *
		    (size_t)fs->fs_nindir);
		break;
	case DBK_DIR:
		for (i = 0; i < b->u.ents->len; i++) {
			struct dirent_img e = g_array_index(b->u.ents,
			    struct dirent_img, i);

			e.de_name = g_strdup(e.de_name);
			g_array_append_val(n->u.ents, e);
		}
		break;
	default:
		n->u.ver = b->u.ver;
		break;
	}
	return n;
}

/* ---- images ---------------------------------------------------------- */

static void
dblk_unref_cb(gpointer p)
{
	dblk_unref(p);
}

void
dimage_init(struct dimage *im)
{
	im->blk = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    dblk_unref_cb);
}

void
dimage_free(struct dimage *im)
{
	if (im->blk != NULL)
		g_hash_table_destroy(im->blk);
	im->blk = NULL;
}

/* Takes over the caller's reference. */
void
dimage_put(struct dimage *im, int64_t sector, struct dblk *b)
{
	int64_t *key = g_new(int64_t, 1);

	*key = sector;
	g_hash_table_replace(im->blk, key, b);
}

struct dblk *
dimage_get(const struct dimage *im, int64_t sector)
{
	return g_hash_table_lookup(im->blk, &sector);
}

void
dimage_copy(struct dimage *dst, const struct dimage *src)
{
	GHashTableIter it;
	gpointer key, val;

	dimage_init(dst);
	g_hash_table_iter_init(&it, src->blk);
	while (g_hash_table_iter_next(&it, &key, &val))
		dimage_put(dst, *(int64_t *)key, dblk_ref(val));
}

int
ffs_sector_kind(const struct fs *fs, int64_t sector)
{
	int64_t f, off;

	if (sector % (fs->fs_fsize / DEV_BSIZE) != 0)
		return -1;
	f = dbtofsb(fs, sector);
	if (f < 0 || f >= fs->fs_size)
		return -1;
	off = dtogd(fs, f);
	if (off == fs->fs_cblkno)
		return DBK_CG;
	if (off >= fs->fs_iblkno && off < fs->fs_dblkno &&
	    (off - fs->fs_iblkno) % fs->fs_frag == 0)
		return DBK_INODE;
	return -1;
}

static int
cmp_dinode(gconstpointer a, gconstpointer b)
{
	const struct dinode_img *x = a, *y = b;

	return x->di_ino < y->di_ino ? -1 : x->di_ino > y->di_ino;
}

static struct dinode_img *
inodes_find(GArray *a, uint64_t ino)
{
	struct dinode_img key = { .di_ino = ino };
	guint i;

	if (g_array_binary_search(a, &key, cmp_dinode, &i))
		return &g_array_index(a, struct dinode_img, i);
	return NULL;
}

/* Put d into an inode block's list, in order. */
static void
inodes_set(GArray *a, const struct dinode_img *d)
{
	struct dinode_img *old = inodes_find(a, d->di_ino);
	guint i;

	if (old != NULL) {
		*old = *d;
		return;
	}
	for (i = 0; i < a->len; i++)
		if (g_array_index(a, struct dinode_img, i).di_ino > d->di_ino)
			break;
	g_array_insert_val(a, i, *d);
}

const struct dinode_img *
dimage_inode(const struct fs *fs, const struct dimage *im, uint64_t ino)
{
	struct dblk *b = dimage_get(im, fsbtodb(fs, ino_to_fsba(fs, ino)));
	const struct dinode_img *d;

	if (b == NULL || b->kind != DBK_INODE)
		return NULL;
	d = inodes_find(b->u.inodes, ino);
	return d != NULL && d->di_type != DI_FREE ? d : NULL;
}

bool
dimage_frag_free(const struct fs *fs, const struct dimage *im, int64_t f)
{
	int c = dtog(fs, f);
	struct dblk *b = dimage_get(im, fsbtodb(fs, cgtod(fs, c)));
	int64_t i = dtogd(fs, f);

	if (b == NULL || b->kind != DBK_CG)
		return false;		/* never written: unreadable, all used */
	return (b->u.cg.fmap[i >> 3] >> (i & 7)) & 1;
}

bool
dimage_ino_used(const struct fs *fs, const struct dimage *im, uint64_t ino)
{
	int c = ino_to_cg(fs, ino);
	struct dblk *b = dimage_get(im, fsbtodb(fs, cgtod(fs, c)));
	uint64_t i = ino % (uint64_t)fs->fs_ipg;

	if (b == NULL || b->kind != DBK_CG)
		return true;
	return (b->u.cg.imap[i >> 3] >> (i & 7)) & 1;
}

/* ---- contents from the in-core file system -------------------------- */

/* The three roots of the indirect trees: their metadata lbns. */
static int64_t
ind_root(const struct fs *fs, int level)
{
	struct indir a[NIADDR + 2];
	int64_t n = fs->fs_nindir, first = NDADDR;

	if (level >= 1)
		first += n;
	if (level >= 2)
		first += n * n;
	(void)ufs_getlbns(fs, first, a);
	return a[1].in_lbn;
}

static void
dinode_of(const struct fs *fs, const struct inode *ip, struct dinode_img *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->di_ino = ip->i_number;
	d->di_type = ip->i_isdir ? DI_DIR : ip->i_symlink != NULL ? DI_LNK :
	    DI_REG;
	d->di_nlink = ip->i_nlink;
	d->di_size = ip->i_size;
	for (i = 0; i < NDADDR; i++)
		d->di_db[i] = ffs_blk_get(ip, i);
	for (i = 0; i < NIADDR; i++)
		d->di_ib[i] = ffs_blk_get(ip, ind_root(fs, i));
}

/* The cylinder group's maps, as in core. */
static struct dblk *
cg_contents(const struct fs *fs, int c)
{
	struct dblk *b = dblk_new(DBK_CG, fs->fs_bsize / DEV_BSIZE);
	int64_t base = cgbase(fs, c), n = ffs_cg_frags(fs, c), i;
	uint64_t ibase = (uint64_t)c * (uint64_t)fs->fs_ipg;

	b->u.cg.cg = c;
	b->u.cg.fmap = g_malloc0(cg_fbytes(fs));
	b->u.cg.imap = g_malloc0(cg_ibytes(fs));
	for (i = 0; i < n; i++)
		if (isfree(fs, base + i))
			b->u.cg.fmap[i >> 3] |= (uint8_t)(1u << (i & 7));
	for (i = 0; i < fs->fs_ipg; i++)
		if (inoused(fs, ibase + (uint64_t)i))
			b->u.cg.imap[i >> 3] |= (uint8_t)(1u << (i & 7));
	return b;
}

/* The first data block under the indirect block m, its level above the
 * data (1: it points at data) and its place in the path. */
static bool
ind_where(const struct fs *fs, int64_t m, int64_t *first, int *depth, int *num)
{
	struct indir a[NIADDR + 2];
	int j, i, n;

	for (j = 0; j < NIADDR; j++) {
		int64_t f = -m - j;

		if (f < NDADDR || (n = ufs_getlbns(fs, f, a)) <= 0)
			continue;
		for (i = 1; i < n; i++)
			if (a[i].in_lbn == m) {
				*first = f;
				*depth = i;
				*num = n;
				return true;
			}
	}
	return false;
}

/* An indirect block's pointers, as in core; while ffs_truncate is
 * under way (keep: the data blocks it keeps, else INT64_MAX), those past
 * the new end zeroed, as ffs_indirtrunc zeroes them in the block it
 * writes. */
static struct dblk *
indir_contents(const struct fs *fs, const struct inode *ip, int64_t m,
    int64_t keep)
{
	struct dblk *b = dblk_new(DBK_INDIR, fs->fs_bsize / DEV_BSIZE);
	int64_t first, span = 1;
	int depth, num, s, l;

	b->u.ptr = g_new0(int64_t, fs->fs_nindir);
	if (!ind_where(fs, m, &first, &depth, &num))
		return b;
	for (l = depth + 1; l < num; l++)
		span *= fs->fs_nindir;
	for (s = 0; s < fs->fs_nindir; s++) {
		int64_t g = first + s * span, child = g;

		if (!ffs_lbn_valid(fs, g) || g >= keep)
			break;
		if (depth + 1 < num) {
			struct indir a[NIADDR + 2];

			(void)ufs_getlbns(fs, g, a);
			child = a[depth + 1].in_lbn;
		} else if (g >= (int64_t)ip->i_bmap->len && ip->i_sparse == NULL)
			break;			/* nothing mapped past here */
		b->u.ptr[s] = ffs_blk_get(ip, child);
	}
	return b;
}

static int
cmp_dirent(gconstpointer a, gconstpointer b)
{
	const struct dirent_img *x = a, *y = b;

	if (x->de_chunk != y->de_chunk)
		return x->de_chunk < y->de_chunk ? -1 : 1;
	return strcmp(x->de_name, y->de_name);
}

/* A directory block's entries (the chunks of nsect sectors from lbn), as
 * in core. */
static struct dblk *
dir_contents(const struct fs *fs, const struct inode *dp, int64_t lbn,
    int nsect)
{
	struct dblk *b = dblk_new(DBK_DIR, nsect);
	int c0 = (int)(lblktosize(fs, lbn) / DIRBLKSIZ);
	GHashTableIter it;
	gpointer key, val;

	g_hash_table_iter_init(&it, dp->i_dir->d_names);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		const struct direntry *de = val;
		struct dirent_img e;

		if (de->de_chunk < c0 || de->de_chunk >= c0 + nsect)
			continue;
		e.de_chunk = de->de_chunk;
		e.de_ino = de->de_ip->i_number;
		e.de_name = g_strdup(key);
		g_array_append_val(b->u.ents, e);
	}
	g_array_sort(b->u.ents, cmp_dirent);
	return b;
}

/* An inode block as its buffer holds it: aside if ffs_update changed
 * it, else as on the disk. */
static struct dblk *
ino_mem(struct ffs_crash *c, const struct fs *fs, int64_t sector, bool change)
{
	struct dblk *b = g_hash_table_lookup(c->mem_ino, &sector), *d;
	int64_t *key;

	if (b != NULL)
		return b;
	if (!change)
		return dimage_get(&c->disk, sector);
	d = dimage_get(&c->disk, sector);
	b = d != NULL && d->kind == DBK_INODE ? dblk_clone(fs, d) :
	    dblk_new(DBK_INODE, fs->fs_bsize / DEV_BSIZE);
	key = g_new(int64_t, 1);
	*key = sector;
	g_hash_table_insert(c->mem_ino, key, b);
	return b;
}

/* The contents bp's write carries, or NULL when not modelled. */
static struct dblk *
freeze(struct kern *k, struct buf *bp)
{
	struct fs *fs = &k->fs;
	struct vnode *vp = bp->b_vp;
	struct inode *ip;
	int nsect = (bp->b_bcount + DEV_BSIZE - 1) / DEV_BSIZE;
	struct dblk *b;

	if (vp == NULL || bp->b_blkno < 0)
		return NULL;
	if (vp == fs->fs_devvp) {
		switch (ffs_sector_kind(fs, bp->b_blkno)) {
		case DBK_CG:
			return cg_contents(fs, dtog(fs, dbtofsb(fs, bp->b_blkno)));
		case DBK_INODE:
			b = ino_mem(k->crash, fs, bp->b_blkno, false);
			if (b == NULL || b->kind != DBK_INODE)
				return dblk_new(DBK_INODE, nsect);
			return dblk_clone(fs, b);
		default:
			return NULL;	/* the superblock, the summary */
		}
	}
	if ((ip = vp->v_data) == NULL)
		return NULL;
	if (bp->b_lblkno < 0)
		return indir_contents(fs, ip, bp->b_lblkno,
		    k->crash->trunc_ip == ip ? howmany_blk(fs,
		    k->crash->trunc_len) : INT64_MAX);
	if (ip->i_isdir)
		return dir_contents(fs, ip, bp->b_lblkno, nsect);
	b = dblk_new(DBK_DATA, nsect);
	b->u.ver = bp->b_version;
	return b;
}

/* ---- start and end --------------------------------------------------- */

static void
cr_sync_free(gpointer p)
{
	struct cr_sync *s = p;

	if (s->floor != NULL)
		g_hash_table_destroy(s->floor);
	g_free(s);
}

static void
inflight_free(gpointer p)
{
	struct inflight *f = p;

	dblk_unref(f->b);
	g_free(f);
}

static gint
cmp_ino(gconstpointer a, gconstpointer b)
{
	const struct inode *x = *(struct inode *const *)a;
	const struct inode *y = *(struct inode *const *)b;

	return x->i_number < y->i_number ? -1 : x->i_number > y->i_number;
}

void
ffs_crash_init(struct kern *k)
{
	struct fs *fs = &k->fs;
	struct ffs_crash *c;
	GPtrArray *ips = g_ptr_array_new();
	GHashTableIter it;
	gpointer val;
	guint i;
	int g;

	if (k->crash != NULL)
		return;
	c = g_new0(struct ffs_crash, 1);
	dimage_init(&c->disk);
	c->mem_ino = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    dblk_unref_cb);
	c->inflight = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    inflight_free);
	c->data_mem = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    NULL);
	c->sync = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    cr_sync_free);
	c->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	k->crash = c;

	/* The starting file system is on the disk: every map, inode in
	 * use, indirect block and directory block. */
	for (g = 0; g < fs->fs_ncg; g++)
		dimage_put(&c->disk, fsbtodb(fs, cgtod(fs, g)), cg_contents(fs, g));
	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &val))
		g_ptr_array_add(ips, val);
	g_ptr_array_sort(ips, cmp_ino);
	for (i = 0; i < ips->len; i++) {
		struct inode *ip = g_ptr_array_index(ips, i);
		int64_t sector = fsbtodb(fs, ino_to_fsba(fs, ip->i_number));
		struct dblk *b = dimage_get(&c->disk, sector);
		struct dinode_img d;

		if (b == NULL) {
			b = dblk_new(DBK_INODE, fs->fs_bsize / DEV_BSIZE);
			dimage_put(&c->disk, sector, b);
		}
		dinode_of(fs, ip, &d);
		inodes_set(b->u.inodes, &d);
		if (ip->i_ind != NULL) {
			GHashTableIter mit;
			gpointer key, addr;

			g_hash_table_iter_init(&mit, ip->i_ind);
			while (g_hash_table_iter_next(&mit, &key, &addr))
				dimage_put(&c->disk, fsbtodb(fs,
				    (int64_t)GPOINTER_TO_SIZE(addr)),
				    indir_contents(fs, ip,
				    (int64_t)GPOINTER_TO_SIZE(key), INT64_MAX));
		}
		if (ip->i_isdir) {
			int64_t lbn, nblk = howmany_blk(fs, ip->i_size);

			for (lbn = 0; lbn < nblk; lbn++) {
				int64_t a = ffs_blk_get(ip, lbn);

				if (a != 0)
					dimage_put(&c->disk, fsbtodb(fs, a),
					    dir_contents(fs, ip, lbn,
					    ffs_blksize(fs, ip, lbn) / DEV_BSIZE));
			}
		}
	}
	g_ptr_array_free(ips, TRUE);
}

void
ffs_crash_fini(struct kern *k)
{
	struct ffs_crash *c = k->crash;

	if (c == NULL)
		return;
	dimage_free(&c->disk);
	g_hash_table_destroy(c->mem_ino);
	g_hash_table_destroy(c->inflight);
	g_hash_table_destroy(c->data_mem);
	g_hash_table_destroy(c->sync);
	g_hash_table_destroy(c->pending);
	g_free(c);
	k->crash = NULL;
}

/* ---- hooks ----------------------------------------------------------- */

static void
inflight_add(struct kern *k, struct buf *bp, const struct diskreq *req)
{
	struct inflight *f;

	if (g_hash_table_contains(k->crash->inflight, bp))
		return;			/* a background copy, frozen when made */
	f = g_new0(struct inflight, 1);
	f->b = freeze(k, bp);
	/* Soft updates: the write carries what its dependencies allow
	 * (initiate_write_inodeblock, initiate_write_filepage). */
	softdep_rollback_image(k, bp, f->b);
	f->sector = bp->b_blkno;
	f->nsect = (bp->b_bcount + DEV_BSIZE - 1) / DEV_BSIZE;
	f->req = req;
	g_hash_table_insert(k->crash->inflight, bp, f);
}

void
ffs_crash_strategy(struct kern *k, struct buf *bp)
{
	struct buf *cbp;

	if (k->crash == NULL || (bp->b_flags & B_READ))
		return;
	if (bp->b_flags & B_CLUSTER) {
		/* A cluster: its buffers' contents, in one request. */
		TAILQ_FOREACH(cbp, &bp->b_cluster_head, b_cluster)
			inflight_add(k, cbp, &bp->b_io);
		return;
	}
	inflight_add(k, bp, &bp->b_io);
}

void
ffs_crash_written(struct kern *k, struct buf *bp)
{
	struct ffs_crash *c = k->crash;
	struct inflight *f;

	if (c == NULL || (bp->b_flags & B_CLUSTER))
		return;
	f = g_hash_table_lookup(c->inflight, bp);
	if (f == NULL)
		return;
	if (f->b != NULL) {
		dimage_put(&c->disk, f->sector, f->b);
		f->b = NULL;
		/* The inode block on the disk is what was set aside, if
		 * nothing changed it since. */
	}
	g_hash_table_remove(c->inflight, bp);
}

/* A write the drive failed (disk.errors): nothing of it reached the disk
 * (biodone with B_ERROR), so the image keeps what it had; the buffer, made
 * dirty again by brelse, is handed to the drive anew later with what it
 * holds then. */
void
ffs_crash_failed(struct kern *k, struct buf *bp)
{
	struct ffs_crash *c = k->crash;

	if (c == NULL || (bp->b_flags & B_CLUSTER))
		return;
	g_hash_table_remove(c->inflight, bp);
}

void
ffs_crash_version(struct kern *k, struct buf *bp)
{
	struct ffs_crash *c = k->crash;
	struct vnode *vp = bp->b_vp;
	struct inode *ip;
	int64_t *key;
	uint64_t was;
	struct cr_sync *s;

	if (c == NULL || vp == NULL || vp == k->fs.fs_devvp ||
	    bp->b_lblkno < 0 || bp->b_blkno < 0 || (ip = vp->v_data) == NULL ||
	    ip->i_isdir)
		return;
	was = (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(c->data_mem,
	    &bp->b_blkno));
	/* The first write since the file's fsync: keep what it had. */
	s = g_hash_table_lookup(c->sync, &ip->i_number);
	if (s != NULL && was <= s->w) {
		if (s->floor == NULL)
			s->floor = g_hash_table_new(g_direct_hash, g_direct_equal);
		if (!g_hash_table_contains(s->floor,
		    GSIZE_TO_POINTER((gsize)bp->b_lblkno)))
			g_hash_table_insert(s->floor,
			    GSIZE_TO_POINTER((gsize)bp->b_lblkno),
			    GSIZE_TO_POINTER((gsize)was));
	}
	key = g_new(int64_t, 1);
	*key = bp->b_blkno;
	g_hash_table_replace(c->data_mem, key,
	    GSIZE_TO_POINTER((gsize)bp->b_version));
}

/* The buffer's data goes to its new block (a buffer read and not
 * changed since has no version: its next write notes one). */
void
ffs_crash_moved(struct kern *k, struct buf *bp)
{
	struct ffs_crash *c = k->crash;
	int64_t *key;

	if (c == NULL || bp->b_version == 0 || bp->b_blkno < 0)
		return;
	key = g_new(int64_t, 1);
	*key = bp->b_blkno;
	g_hash_table_replace(c->data_mem, key,
	    GSIZE_TO_POINTER((gsize)bp->b_version));
}

void
ffs_crash_truncate(struct kern *k, const struct inode *ip, int64_t length)
{
	if (k->crash == NULL)
		return;
	k->crash->trunc_ip = ip;
	k->crash->trunc_len = length;
}

void
ffs_crash_update(struct kern *k, struct inode *ip, struct buf *bp)
{
	struct fs *fs = &k->fs;
	struct dinode_img d;
	int i;

	if (k->crash == NULL)
		return;
	dinode_of(&k->fs, ip, &d);
	/* Soft updates lower the link count on the disk only once the
	 * name is off it (the dirrem's i_nlink--; i_effnlink is the model's
	 * count). */
	d.di_nlink += softdep_nlinkdelta(k, ip);
	if (k->crash->trunc_ip == ip && k->crash->trunc_len < d.di_size) {
		int64_t nblk = howmany_blk(fs, k->crash->trunc_len), first;

		d.di_size = k->crash->trunc_len;
		for (i = 0; i < NDADDR; i++)
			if (i >= nblk)
				d.di_db[i] = 0;
		/* A tree none of whose blocks is kept goes with its root
		 * (ffs_truncate clears i_ib[level] when lastiblock < 0). */
		for (i = 0, first = NDADDR; i < NIADDR; i++) {
			int64_t span = fs->fs_nindir;
			int l;

			for (l = 0; l < i; l++)
				span *= fs->fs_nindir;
			if (nblk <= first)
				d.di_ib[i] = 0;
			first += span;
		}
	}
	inodes_set(ino_mem(k->crash, &k->fs, bp->b_blkno, true)->u.inodes, &d);
}

/* ufs_inactive: i_mode = 0 before UFS_VFREE, in the inode block the
 * next write of it carries (the model writes none of its own). */
void
ffs_crash_ifree(struct kern *k, struct inode *ip)
{
	struct dinode_img d;

	if (k->crash == NULL)
		return;
	memset(&d, 0, sizeof(d));
	d.di_ino = ip->i_number;
	d.di_type = DI_FREE;
	inodes_set(ino_mem(k->crash, &k->fs, fsbtodb(&k->fs,
	    ino_to_fsba(&k->fs, ip->i_number)), true)->u.inodes, &d);
	g_hash_table_remove(k->crash->sync, &ip->i_number);
}

void
ffs_crash_synced(struct kern *k, struct inode *ip)
{
	struct ffs_crash *c = k->crash;
	struct cr_sync *s;
	int64_t *key;

	if (c == NULL || ip->i_isdir || ip->i_symlink != NULL ||
	    ip->i_snapshot)
		return;
	s = g_hash_table_lookup(c->sync, &ip->i_number);
	if (s == NULL) {
		s = g_new0(struct cr_sync, 1);
		key = g_new(int64_t, 1);
		*key = (int64_t)ip->i_number;
		g_hash_table_insert(c->sync, key, s);
	}
	s->w = k->bc.version;
	s->size = ip->i_size;
	if (s->floor != NULL)
		g_hash_table_remove_all(s->floor);
}

static char *
pending_key(uint64_t dir, const char *name)
{
	return g_strdup_printf("%llu/%s", (unsigned long long)dir, name);
}

void
ffs_crash_dirop(struct kern *k, struct inode *dp, const char *name)
{
	if (k->crash == NULL || curproc(k->sim) == NULL)
		return;
	g_hash_table_replace(k->crash->pending, pending_key(dp->i_number, name),
	    curproc(k->sim));
}

void
ffs_crash_syscall_done(struct kern *k)
{
	GHashTableIter it;
	gpointer val;

	if (k->crash == NULL || g_hash_table_size(k->crash->pending) == 0)
		return;
	g_hash_table_iter_init(&it, k->crash->pending);
	while (g_hash_table_iter_next(&it, NULL, &val))
		if (val == curproc(k->sim))
			g_hash_table_iter_remove(&it);
}

/* ---- the crash ------------------------------------------------------- */

uint64_t
crash_unsafe_repairs(const struct crash_result *r)
{
	return r->dirent_unalloc + r->dup_frags + r->bad_ptrs +
	    r->dir_salvaged + r->dirs_reconnected + r->inodes_cleared;
}

/* A block written up to sector w of its nsect: new before, old after. */
static struct dblk *
torn(const struct fs *fs, const struct dblk *old, const struct dblk *new,
    int w)
{
	struct dblk *b;
	guint i;
	int64_t lim;

	if (new->kind == DBK_DATA) {
		b = dblk_new(DBK_DATA, new->nsect);
		b->u.ver = DATA_TORN;
		return b;
	}
	if (old == NULL || old->kind != new->kind) {
		/* What was there before is not this kind of block: its old
		 * sectors are zeros (a new block) as far as fsck can tell. */
		old = NULL;
	}
	b = dblk_clone(fs, new);
	switch (new->kind) {
	case DBK_INODE:
		/* UFS1_INOSZ-byte inodes, DEV_BSIZE / UFS1_INOSZ a sector. */
		g_array_set_size(b->u.inodes, 0);
		for (i = 0; i < new->u.inodes->len; i++) {
			const struct dinode_img *d = &g_array_index(new->u.inodes,
			    struct dinode_img, i);

			if ((int)((d->di_ino % (uint64_t)fs->fs_inopb) *
			    UFS1_INOSZ / DEV_BSIZE) < w)
				g_array_append_val(b->u.inodes, *d);
		}
		for (i = 0; old != NULL && i < old->u.inodes->len; i++) {
			const struct dinode_img *d = &g_array_index(old->u.inodes,
			    struct dinode_img, i);

			if ((int)((d->di_ino % (uint64_t)fs->fs_inopb) *
			    UFS1_INOSZ / DEV_BSIZE) >= w)
				inodes_set(b->u.inodes, d);
		}
		break;
	case DBK_INDIR:
		/* 4-byte UFS1 pointers: DEV_BSIZE / 4 a sector. */
		lim = (int64_t)w * (DEV_BSIZE / 4);
		for (i = (guint)MIN(lim, fs->fs_nindir); i < (guint)fs->fs_nindir; i++)
			b->u.ptr[i] = old != NULL ? old->u.ptr[i] : 0;
		break;
	case DBK_DIR: {
		/* A chunk a sector.  Chunks are numbered in the directory:
		 * their place in the block is the number modulo its size. */
		GArray *keep = g_array_new(FALSE, FALSE, sizeof(struct dirent_img));

		for (i = 0; i < b->u.ents->len; i++) {
			struct dirent_img *e = &g_array_index(b->u.ents,
			    struct dirent_img, i);

			if (e->de_chunk % new->nsect < w)
				g_array_append_val(keep, *e);
			else
				g_free(e->de_name);
		}
		for (i = 0; old != NULL && i < old->u.ents->len; i++) {
			struct dirent_img e = g_array_index(old->u.ents,
			    struct dirent_img, i);

			if (e.de_chunk % old->nsect >= w) {
				e.de_name = g_strdup(e.de_name);
				g_array_append_val(keep, e);
			}
		}
		g_array_free(b->u.ents, TRUE);
		g_array_sort(keep, cmp_dirent);
		b->u.ents = keep;
		break;
	}
	case DBK_CG: {
		/*
		 * struct cg: its header, then the inode map (cg_iusedoff),
		 * then the fragment map (cg_freeoff).  The header's size is
		 * taken as UFS1's struct cg without the rotational tables
		 * (168 bytes): the maps begin close enough to it that a torn
		 * map is torn where the model says within a sector.
		 */
		int64_t ioff = 168, foff = ioff + (int64_t)cg_ibytes(fs);
		int64_t cut = (int64_t)w * DEV_BSIZE, j;

		for (j = 0; j < (int64_t)cg_ibytes(fs); j++)
			if (ioff + j >= cut)
				b->u.cg.imap[j] = old != NULL ? old->u.cg.imap[j] : 0;
		for (j = 0; j < (int64_t)cg_fbytes(fs); j++)
			if (foff + j >= cut)
				b->u.cg.fmap[j] = old != NULL ? old->u.cg.fmap[j] : 0;
		break;
	}
	default:
		break;
	}
	return b;
}

struct infl_ent {
	struct inflight	*f;
	uint64_t	 order;
};

static gint
cmp_infl(gconstpointer a, gconstpointer b)
{
	const struct infl_ent *x = a, *y = b;

	if (x->f->req->sector != y->f->req->sector)
		return x->f->req->sector < y->f->req->sector ? -1 : 1;
	if (x->f->sector != y->f->sector)
		return x->f->sector < y->f->sector ? -1 : 1;
	return 0;
}

/* The disk at the instant of the crash: every completed write, and what
 * the writes the drive had begun got onto it. */
static void
crash_image(struct kern *k, uint64_t seed, struct dimage *im,
    struct crash_result *res)
{
	struct ffs_crash *c = k->crash;
	GArray *fl = g_array_new(FALSE, FALSE, sizeof(struct infl_ent));
	GHashTableIter it;
	gpointer val;
	const struct diskreq *last = NULL;
	int64_t wsect = 0;
	guint i;

	dimage_copy(im, &c->disk);
	g_hash_table_iter_init(&it, c->inflight);
	while (g_hash_table_iter_next(&it, NULL, &val)) {
		struct infl_ent e = { val, 0 };

		g_array_append_val(fl, e);
	}
	g_array_sort(fl, cmp_infl);
	for (i = 0; i < fl->len; i++) {
		struct inflight *f = g_array_index(fl, struct infl_ent, i).f;
		const struct diskreq *r = f->req;
		int w;

		/* Begun by the drive: disk_dispatch sets start; disk_strategy
		 * set it to -1 when the request was handed over. */
		if (r->start < 0 || r->start > sim_now(k->sim))
			continue;
		if (r != last) {
			guint32 s[5] = { (guint32)seed, (guint32)(seed >> 32),
			    (guint32)sim_now(k->sim),
			    (guint32)((uint64_t)sim_now(k->sim) >> 32),
			    (guint32)r->sector };
			GRand *g = g_rand_new_with_seed_array(s, 5);

			wsect = g_rand_int_range(g, 0, r->nsect + 1);
			g_rand_free(g);
			last = r;
			res->writes_inflight++;
			if (wsect > 0 && wsect < r->nsect)
				res->writes_torn++;
		}
		w = (int)CLAMP(wsect - (f->sector - r->sector), 0, f->nsect);
		if (w == 0 || f->b == NULL)
			continue;
		if (w >= f->nsect)
			dimage_put(im, f->sector, dblk_ref(f->b));
		else
			dimage_put(im, f->sector, torn(&k->fs,
			    dimage_get(im, f->sector), f->b, w));
	}
	g_array_free(fl, TRUE);
}

/* ---- the oracle ------------------------------------------------------ */

/* One name at t, or on the repaired disk: a path and the inode. */
struct nsent {
	uint64_t	 ino;
	int		 type;		/* DI_* */
	bool		 committed;	/* every call on the path returned */
};

static void
walk_core(struct kern *k, struct inode *dp, const char *path, bool committed,
    int depth, GHashTable *out)
{
	GPtrArray *names;
	GHashTableIter it;
	gpointer key;
	guint i;

	if (depth > 256)
		return;
	names = g_ptr_array_new();
	g_hash_table_iter_init(&it, dp->i_dir->d_names);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(names, key);
	g_ptr_array_sort(names, (GCompareFunc)cmp_strp);
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		struct direntry *de = ufs_dir_lookup(dp, name);
		struct inode *ip = de->de_ip;
		struct nsent *e;
		char *p, *pk;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		p = *path != '\0' ? g_strdup_printf("%s/%s", path, name) :
		    g_strdup(name);
		pk = pending_key(dp->i_number, name);
		e = g_new0(struct nsent, 1);
		e->ino = ip->i_number;
		e->type = ip->i_isdir ? DI_DIR : ip->i_symlink != NULL ? DI_LNK :
		    DI_REG;
		e->committed = committed &&
		    !g_hash_table_contains(k->crash->pending, pk);
		g_free(pk);
		g_hash_table_insert(out, p, e);
		if (ip->i_isdir && ip->i_dir != NULL)
			walk_core(k, ip, p, e->committed, depth + 1, out);
	}
	g_ptr_array_free(names, TRUE);
}

/* The image's pointer to the file's block lbn (0: none). */
static int64_t
img_bmap(const struct fs *fs, const struct dimage *im,
    const struct dinode_img *d, int64_t lbn)
{
	struct indir a[NIADDR + 2];
	int num, i;
	int64_t p;

	if (lbn < NDADDR)
		return d->di_db[lbn];
	if ((num = ufs_getlbns(fs, lbn, a)) <= 0)
		return 0;
	p = d->di_ib[a[0].in_off];
	for (i = 1; i < num && p != 0; i++) {
		const struct dblk *b = dimage_get(im, fsbtodb(fs, p));

		if (b == NULL || b->kind != DBK_INDIR)
			return 0;
		p = b->u.ptr[a[i].in_off];
	}
	return p;
}

/* The data version the image holds at fragment address a. */
static uint64_t
img_version(const struct fs *fs, const struct dimage *im, int64_t a)
{
	const struct dblk *b = dimage_get(im, fsbtodb(fs, a));

	if (b == NULL)
		return 0;
	return b->kind == DBK_DATA ? b->u.ver : DATA_TORN;
}

static void
walk_img(const struct fs *fs, const struct dimage *im, uint64_t dino,
    const char *path, int depth, GHashTable *out)
{
	const struct dinode_img *d = dimage_inode(fs, im, dino);
	int64_t lbn, nblk;
	GPtrArray *ents;
	guint i;

	if (d == NULL || d->di_type != DI_DIR || depth > 256)
		return;
	ents = g_ptr_array_new();
	nblk = howmany_blk(fs, d->di_size);
	for (lbn = 0; lbn < nblk; lbn++) {
		int64_t a = img_bmap(fs, im, d, lbn);
		const struct dblk *b = a != 0 ? dimage_get(im, fsbtodb(fs, a)) :
		    NULL;

		if (b == NULL || b->kind != DBK_DIR)
			continue;
		for (i = 0; i < b->u.ents->len; i++)
			g_ptr_array_add(ents, &g_array_index(b->u.ents,
			    struct dirent_img, i));
	}
	for (i = 0; i < ents->len; i++) {
		const struct dirent_img *e = g_ptr_array_index(ents, i);
		const struct dinode_img *c;
		struct nsent *n;
		char *p;

		if (strcmp(e->de_name, ".") == 0 || strcmp(e->de_name, "..") == 0)
			continue;
		if ((c = dimage_inode(fs, im, e->de_ino)) == NULL)
			continue;
		p = *path != '\0' ? g_strdup_printf("%s/%s", path, e->de_name) :
		    g_strdup(e->de_name);
		if (g_hash_table_contains(out, p)) {
			g_free(p);
			continue;
		}
		n = g_new0(struct nsent, 1);
		n->ino = e->de_ino;
		n->type = c->di_type;
		g_hash_table_insert(out, p, n);
		if (c->di_type == DI_DIR)
			walk_img(fs, im, e->de_ino, p, depth + 1, out);
	}
	g_ptr_array_free(ents, TRUE);
}

/* Bytes of block lbn of a file of size bytes. */
static int64_t
blk_bytes(const struct fs *fs, int64_t size, int64_t lbn)
{
	return MAX(0, MIN((int64_t)fs->fs_bsize, size - lblktosize(fs, lbn)));
}

static GPtrArray *
sorted_keys_of(GHashTable *h)
{
	GPtrArray *a = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(a, key);
	g_ptr_array_sort(a, (GCompareFunc)cmp_strp);
	return a;
}

/* Does the repaired image hold ip's block lbn as version v (or later)? */
static bool
img_has(const struct fs *fs, const struct dimage *im,
    const struct dinode_img *d, int64_t lbn, uint64_t v, bool exact)
{
	int64_t a;
	uint64_t got;

	if (d == NULL || lblktosize(fs, lbn) >= d->di_size)
		return false;
	if ((a = img_bmap(fs, im, d, lbn)) == 0)
		return false;
	got = img_version(fs, im, a);
	if (got == DATA_TORN)
		return false;
	return exact ? got == v : got >= v;
}

static void
loss(struct kern *k, const struct dimage *im, struct crash_result *res)
{
	struct fs *fs = &k->fs;
	struct ffs_crash *c = k->crash;
	GHashTable *core = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
	GHashTable *disk = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
	GHashTable *named = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);
	GPtrArray *paths;
	GHashTableIter it;
	gpointer key, val;
	guint i;

	walk_core(k, fs->fs_root, "", true, 0, core);
	walk_img(fs, im, ROOTINO, "", 0, disk);
	/* Inodes the repaired disk names (lost+found's included). */
	g_hash_table_iter_init(&it, disk);
	while (g_hash_table_iter_next(&it, NULL, &val)) {
		int64_t *ino = g_new(int64_t, 1);

		*ino = (int64_t)((struct nsent *)val)->ino;
		g_hash_table_replace(named, ino, ino);
	}

	paths = sorted_keys_of(core);
	for (i = 0; i < paths->len; i++) {
		const char *p = g_ptr_array_index(paths, i);
		const struct nsent *e = g_hash_table_lookup(core, p);
		const struct nsent *o = g_hash_table_lookup(disk, p);
		struct inode *ip;
		const struct dinode_img *d;
		int64_t lbn, nblk;
		bool found = o != NULL && o->ino == e->ino, intact = found;

		res->names++;
		if (!found)
			res->names_lost++;
		if (e->committed) {
			res->committed_names++;
			if (!found) {
				res->committed_names_lost++;
				if (g_getenv("VFSSIM_CRASH_DEBUG") != NULL)
					fprintf(stderr, "crash %.3f: %s (%llu) lost%s\n",
					    (double)res->t / 1e9, p,
					    (unsigned long long)e->ino,
					    o != NULL ? " (another inode)" : "");
			}
		}
		if (e->type != DI_REG)
			continue;
		ip = g_hash_table_lookup(fs->fs_inodes, &e->ino);
		if (ip == NULL || ip->i_snapshot)
			continue;
		res->files++;
		d = found ? dimage_inode(fs, im, e->ino) : NULL;
		nblk = howmany_blk(fs, ip->i_size);
		for (lbn = 0; lbn < nblk; lbn++) {
			int64_t a = ffs_blk_get(ip, lbn), n;
			uint64_t v;

			if (a == 0)
				continue;
			v = (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(
			    c->data_mem, &(int64_t){ fsbtodb(fs, a) }));
			if (v == 0)
				continue;	/* not written in the run */
			n = blk_bytes(fs, ip->i_size, lbn);
			res->bytes += (uint64_t)n;
			if (!img_has(fs, im, d, lbn, v, true)) {
				res->bytes_lost += (uint64_t)n;
				intact = false;
			}
		}
		if (d != NULL && d->di_size < ip->i_size)
			intact = false;
		if (!intact)
			res->files_lost++;
	}
	g_ptr_array_free(paths, TRUE);
	/* Names the disk has that were gone by t: removals undone. */
	paths = sorted_keys_of(disk);
	for (i = 0; i < paths->len; i++) {
		const char *p = g_ptr_array_index(paths, i);

		/* (fsck's lost+found and what it put there aside) */
		if (strcmp(p, "lost+found") != 0 &&
		    !g_str_has_prefix(p, "lost+found/") &&
		    !g_hash_table_contains(core, p))
			res->names_back++;
	}
	g_ptr_array_free(paths, TRUE);

	/* fsync'ed data: every block as it was at the fsync, unless the
	 * file has since been removed or cut short. */
	g_hash_table_iter_init(&it, c->sync);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		const struct cr_sync *s = val;
		uint64_t ino = (uint64_t)*(int64_t *)key;
		struct inode *ip = g_hash_table_lookup(fs->fs_inodes, &ino);
		const struct dinode_img *d;
		int64_t lbn, nblk, lim;

		if (ip == NULL || ip->i_nlink == 0)
			continue;
		d = g_hash_table_contains(named, &(int64_t){ (int64_t)ino }) ?
		    dimage_inode(fs, im, ino) : NULL;
		lim = MIN(s->size, ip->i_size);
		nblk = howmany_blk(fs, lim);
		for (lbn = 0; lbn < nblk; lbn++) {
			int64_t a = ffs_blk_get(ip, lbn), n;
			gpointer fv;
			uint64_t f;
			bool since = false;

			if (s->floor != NULL && g_hash_table_lookup_extended(
			    s->floor, GSIZE_TO_POINTER((gsize)lbn), NULL, &fv)) {
				f = (uint64_t)GPOINTER_TO_SIZE(fv);
				since = true;	/* written again since */
			}
			else if (a != 0)
				f = (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(
				    c->data_mem, &(int64_t){ fsbtodb(fs, a) }));
			else
				continue;
			if (f == 0)
				continue;	/* the starting data */
			n = blk_bytes(fs, lim, lbn);
			res->fsync_bytes += (uint64_t)n;
			if (img_has(fs, im, d, lbn, f, false))
				continue;
			/* A later write of the block, in place, torn by the
			 * crash: FFS writes a block over its old self, and a
			 * block is many sectors. */
			if (since && d != NULL && img_bmap(fs, im, d, lbn) != 0 &&
			    img_version(fs, im, img_bmap(fs, im, d, lbn)) ==
			    DATA_TORN)
				res->fsync_torn_bytes += (uint64_t)n;
			else
				res->fsync_lost_bytes += (uint64_t)n;
		}
	}
	g_hash_table_destroy(core);
	g_hash_table_destroy(disk);
	g_hash_table_destroy(named);
}

void
ffs_crash_at(struct kern *k, uint64_t seed, struct crash_result *res)
{
	struct dimage im;

	memset(res, 0, sizeof(*res));
	res->t = sim_now(k->sim);
	res->meta = k->fs.fs_meta;
	KASSERT(k->crash != NULL, ("ffs_crash_at: not tracking"));
	crash_image(k, seed, &im, res);
	fsck_ffs_run(&k->fs, &k->p.disk, k->p.diskq, &im,
	    k->fs.fs_meta == META_SOFTDEP, res);
	loss(k, &im, res);
	dimage_free(&im);
}
