/*
 * fsck_ffs.c — fsck_ffs's passes over a crashed disk's image (as
 * sbin/fsck_ffs of 4.4BSD-Lite2 and FreeBSD 2001 has them, run with -y:
 * every repair made), and how long it takes on the modelled drive.
 *
 *   pass 1  every inode of every group, read INOBUFSIZE (56 KB) at a time
 *           (getnextinode); an inode in use has its block pointers
 *           checked (ckinode/iblock): out of the data area is bad
 *           (chkrange), a fragment claimed twice is a duplicate, pointers
 *           past the file's end are "PARTIALLY TRUNCATED"; an inode with
 *           no links is noted for pass 4 (zlnhead).  Each indirect block
 *           is read.  An indirect block whose contents are not pointers
 *           (never written there: the block held data or a directory)
 *           has garbage pointers: bad.
 *   pass 1b the inodes sharing a duplicate are found; they and the
 *           inodes with bad blocks are cleared (with -y, "CLEAR").
 *   pass 2  every directory's blocks are read, the directories in the
 *           order of their first blocks (blksort); a chunk that is not a
 *           directory's ("DIRECTORY CORRUPTED") is salvaged empty; an
 *           entry naming a free inode is removed ("UNALLOCATED"), one
 *           naming a cleared inode too; the others count as links.
 *   pass 3  a directory nothing reaches from the root is reconnected to
 *           lost+found — with soft updates (preen, usedsoftdep) left for
 *           pass 4 to clear instead, as an unreferenced file is: under
 *           soft updates that is a new directory whose name had not
 *           reached the disk (pass3.c's usedsoftdep case, as we read
 *           fsck_ffs of the time; see README).
 *   pass 4  link counts: a file nothing names is cleared if it has no
 *           links or no data ("UNREF"), or, with soft updates, always
 *           (adjust: "resolved && preen && usedsoftdep"), else
 *           reconnected to lost+found; a count too high is lowered, one
 *           too low ("LINK COUNT INCREASING") raised.
 *   pass 5  each group's maps, read, are compared with what pass 1 found
 *           in use: a fragment used but free in the map ("BLK(S) MISSING
 *           IN BIT MAPS"), one marked used that nothing holds (leaked),
 *           the same for inodes; a group that differs is written back.
 * Then the inode and directory blocks it changed are written.
 *
 * Every read and write is timed on a drive of the run's parameters,
 * started afresh (its cache empty, its heads at cylinder 0), one request
 * at a time as fsck issues them.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"
#include "ffs_crash_private.h"

#include <string.h>

#define INOBUFSIZE	(56 * 1024)	/* fsck.h: inodes read at a time */

/* One I/O fsck makes. */
struct fsck_io {
	int64_t		 sector;
	int		 nsect;
	bool		 write;
};

/* What fsck knows of an inode in use. */
struct fino {
	uint64_t	 ino;
	int		 type;
	int		 nlink;
	int64_t		 size;
	int		 refs;		/* names found in pass 2 */
	bool		 bad, dup, cleared;
	uint64_t	 parent;	/* the first directory naming it */
};

struct fsck {
	const struct fs	*fs;
	struct dimage	*im;
	bool		 softdep;
	struct crash_result *res;
	uint8_t		*used;		/* a bit a fragment */
	GHashTable	*dups;		/* fragment -> itself */
	GHashTable	*ino;		/* inode number -> struct fino */
	GArray		*order;		/* inode numbers in use, ascending */
	GArray		*io;		/* struct fsck_io */
	GHashTable	*dirty;		/* sectors of blocks to write back */
	GArray		*lostfound;	/* inode numbers reconnected */
	bool		 timing;	/* pass 1: reads count */
};

static void
io(struct fsck *f, int64_t sector, int64_t bytes, bool write)
{
	struct fsck_io x;

	x.sector = sector;
	x.nsect = (int)((bytes + DEV_BSIZE - 1) / DEV_BSIZE);
	x.write = write;
	g_array_append_val(f->io, x);
}

static bool
isused(const struct fsck *f, int64_t a)
{
	return (f->used[a >> 3] >> (a & 7)) & 1;
}

static void
setused(struct fsck *f, int64_t a, bool on)
{
	if (on)
		f->used[a >> 3] |= (uint8_t)(1u << (a & 7));
	else
		f->used[a >> 3] &= (uint8_t)~(1u << (a & 7));
}

/* chkrange: n fragments from a lie in some group's data area. */
static bool
inrange(const struct fs *fs, int64_t a, int n)
{
	int c;

	if (a < 0 || a + n > fs->fs_size)
		return false;
	c = dtog(fs, a);
	if (a < cgdmin(fs, c) && a + n > cgbase(fs, c))
		return false;
	return dtog(fs, a + n - 1) == c;
}

/* Mark (or, with mark false, only look for duplicates among) n
 * fragments from a: false if any is bad. */
static bool
claim(struct fsck *f, struct fino *fi, int64_t a, int n, bool mark)
{
	int64_t i;

	/* A snapshot's "pointers" to blocks it need not copy (BLK_NOCOPY)
	 * or that belong to another snapshot (BLK_SNAP) are no blocks: the
	 * snapshot-aware fsck_ffs passes over them. */
	if (a == BLK_NOCOPY || a == BLK_SNAP)
		return true;
	if (!inrange(f->fs, a, n)) {
		if (mark) {
			f->res->bad_ptrs++;
			fi->bad = true;
		}
		return false;
	}
	for (i = a; i < a + n; i++) {
		if (mark) {
			if (isused(f, i)) {
				if (!g_hash_table_contains(f->dups, &i)) {
					int64_t *k = g_new(int64_t, 1);

					*k = i;
					g_hash_table_add(f->dups, k);
					f->res->dup_frags++;
				}
				fi->dup = true;
			}
			setused(f, i, true);
		} else if (g_hash_table_contains(f->dups, &i))
			fi->dup = true;
	}
	return true;
}

/* iblock: the indirect block at a, level levels above the data, whose
 * first data block is lbn; nblk blocks in the file. */
static void
iblock(struct fsck *f, struct fino *fi, int64_t a, int level, int64_t lbn,
    int64_t nblk, bool mark)
{
	const struct fs *fs = f->fs;
	const struct dblk *b;
	int64_t span = 1;
	int s, l;

	if (!claim(f, fi, a, fs->fs_frag, mark))
		return;
	if (f->timing)
		io(f, fsbtodb(fs, a), fs->fs_bsize, false);
	b = dimage_get(f->im, fsbtodb(fs, a));
	if (b == NULL)
		return;			/* zeros: no pointers */
	if (b->kind != DBK_INDIR) {
		/* Another kind of block where an indirect one should be:
		 * its "pointers" are garbage, out of range. */
		if (mark) {
			f->res->bad_ptrs++;
			fi->bad = true;
		}
		return;
	}
	for (l = 1; l < level; l++)
		span *= fs->fs_nindir;
	for (s = 0; s < fs->fs_nindir; s++) {
		int64_t p = b->u.ptr[s], first = lbn + s * span;

		if (p == 0)
			continue;
		if (first >= nblk) {
			if (mark)
				f->res->partial_trunc++;
			continue;
		}
		if (level == 1)
			(void)claim(f, fi, p, fs->fs_frag, mark);
		else
			iblock(f, fi, p, level - 1, first, nblk, mark);
	}
}

/* ckinode: every block of the inode. */
static void
ckinode(struct fsck *f, struct fino *fi, const struct dinode_img *d, bool mark)
{
	const struct fs *fs = f->fs;
	int64_t nblk = howmany_blk(fs, d->di_size), first = NDADDR, span = 1;
	int i;

	if (d->di_type == DI_LNK && d->di_size < MAXSYMLINKLEN)
		return;			/* the target is in the inode */
	for (i = 0; i < NDADDR; i++) {
		int n;

		if (d->di_db[i] == 0)
			continue;
		if (i >= nblk) {
			if (mark)
				f->res->partial_trunc++;
			continue;
		}
		n = i == nblk - 1 ? (int)numfrags(fs, d->di_size -
		    lblktosize(fs, i)) : fs->fs_frag;
		(void)claim(f, fi, d->di_db[i], MIN(n, fs->fs_frag), mark);
	}
	for (i = 0; i < NIADDR; i++) {
		span *= fs->fs_nindir;
		if (d->di_ib[i] != 0) {
			if (first >= nblk) {
				if (mark)
					f->res->partial_trunc++;
			} else
				iblock(f, fi, d->di_ib[i], i + 1, first, nblk,
				    mark);
		}
		first += span;
	}
}

/* A block of the image to change: a copy of its own. */
static struct dblk *
writable(struct fsck *f, int64_t sector)
{
	struct dblk *b = dimage_get(f->im, sector), *n;
	int64_t *k;

	if (b == NULL)
		return NULL;
	if (b->refs > 1) {
		n = dblk_clone(f->fs, b);
		dimage_put(f->im, sector, n);
		b = n;
	}
	if (!g_hash_table_contains(f->dirty, &sector)) {
		k = g_new(int64_t, 1);
		*k = sector;
		g_hash_table_add(f->dirty, k);
	}
	return b;
}

/* clri: the inode is free on the repaired disk. */
static void
clri(struct fsck *f, struct fino *fi)
{
	const struct fs *fs = f->fs;
	struct dblk *b = writable(f, fsbtodb(fs, ino_to_fsba(fs, fi->ino)));
	guint i;

	fi->cleared = true;
	for (i = 0; b != NULL && i < b->u.inodes->len; i++) {
		struct dinode_img *d = &g_array_index(b->u.inodes,
		    struct dinode_img, i);

		if (d->di_ino == fi->ino)
			d->di_type = DI_FREE;
	}
}

static gint
cmp_u64(gconstpointer a, gconstpointer b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void
pass1(struct fsck *f)
{
	const struct fs *fs = f->fs;
	int c;
	guint i;

	f->timing = true;
	for (c = 0; c < fs->fs_ncg; c++) {
		int64_t base = fsbtodb(fs, cgbase(fs, c) + fs->fs_iblkno);
		int64_t bytes = (int64_t)fs->fs_ipg * UFS1_INOSZ, off;
		int b, nb = (fs->fs_ipg + fs->fs_inopb - 1) / fs->fs_inopb;

		/* getnextinode: the group's inodes, INOBUFSIZE at a time. */
		for (off = 0; off < bytes; off += INOBUFSIZE)
			io(f, base + off / DEV_BSIZE, MIN(INOBUFSIZE, bytes - off),
			    false);
		for (b = 0; b < nb; b++) {
			const struct dblk *blk = dimage_get(f->im, fsbtodb(fs,
			    cgbase(fs, c) + fs->fs_iblkno + (int64_t)b * fs->fs_frag));

			if (blk == NULL || blk->kind != DBK_INODE)
				continue;
			for (i = 0; i < blk->u.inodes->len; i++) {
				const struct dinode_img *d = &g_array_index(
				    blk->u.inodes, struct dinode_img, i);
				struct fino *fi;
				int64_t *k;

				if (d->di_type == DI_FREE || d->di_ino < ROOTINO)
					continue;
				fi = g_new0(struct fino, 1);
				fi->ino = d->di_ino;
				fi->type = d->di_type;
				fi->nlink = d->di_nlink;
				fi->size = d->di_size;
				k = g_new(int64_t, 1);
				*k = (int64_t)d->di_ino;
				g_hash_table_insert(f->ino, k, fi);
				g_array_append_val(f->order, d->di_ino);
				f->res->fsck_inodes++;
				if (d->di_type == DI_DIR)
					f->res->fsck_dirs++;
				ckinode(f, fi, d, true);
			}
		}
	}
	f->timing = false;
	g_array_sort(f->order, cmp_u64);
}

static const struct dinode_img *
inode_of(struct fsck *f, uint64_t ino)
{
	return dimage_inode(f->fs, f->im, ino);
}

static struct fino *
fino_of(struct fsck *f, uint64_t ino)
{
	int64_t k = (int64_t)ino;

	return g_hash_table_lookup(f->ino, &k);
}

/* pass 1b: the other holders of each duplicate; then clear the inodes
 * with duplicate or bad blocks, and count again what is in use. */
static void
pass1b(struct fsck *f)
{
	const struct fs *fs = f->fs;
	guint i;

	if (g_hash_table_size(f->dups) > 0)
		for (i = 0; i < f->order->len; i++) {
			struct fino *fi = fino_of(f, g_array_index(f->order,
			    uint64_t, i));
			const struct dinode_img *d = inode_of(f, fi->ino);

			if (d != NULL)
				ckinode(f, fi, d, false);
		}
	for (i = 0; i < f->order->len; i++) {
		struct fino *fi = fino_of(f, g_array_index(f->order, uint64_t, i));

		if ((fi->dup || fi->bad) && !fi->cleared) {
			f->res->inodes_cleared++;
			clri(f, fi);
		}
	}
	if (f->res->inodes_cleared == 0)
		return;
	/* What the cleared inodes held is free now: mark again. */
	memset(f->used, 0, (size_t)(fs->fs_size + 7) / 8);
	for (i = 0; i < f->order->len; i++) {
		struct fino *fi = fino_of(f, g_array_index(f->order, uint64_t, i));
		const struct dinode_img *d = inode_of(f, fi->ino);
		uint64_t bad = f->res->bad_ptrs, dup = f->res->dup_frags;

		if (d != NULL && !fi->cleared)
			ckinode(f, fi, d, true);
		f->res->bad_ptrs = bad;		/* counted once, above */
		f->res->dup_frags = dup;
	}
}

/* The image's block lbn of inode d (0: none). */
static int64_t
bmap(struct fsck *f, const struct dinode_img *d, int64_t lbn)
{
	const struct fs *fs = f->fs;
	struct indir a[NIADDR + 2];
	int num, i;
	int64_t p;

	if (lbn < NDADDR)
		return d->di_db[lbn];
	if ((num = ufs_getlbns(fs, lbn, a)) <= 0)
		return 0;
	p = d->di_ib[a[0].in_off];
	for (i = 1; i < num && p != 0; i++) {
		const struct dblk *b = dimage_get(f->im, fsbtodb(fs, p));

		if (b == NULL || b->kind != DBK_INDIR)
			return 0;
		p = b->u.ptr[a[i].in_off];
	}
	return p;
}

/* pass2's order: directories by the address of their first block
 * (blksort), then by number. */
struct dirsort {
	int64_t		 blk;
	uint64_t	 ino;
};

static gint
cmp_dirsort(gconstpointer a, gconstpointer b)
{
	const struct dirsort *x = a, *y = b;

	if (x->blk != y->blk)
		return x->blk < y->blk ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static void
pass2(struct fsck *f)
{
	const struct fs *fs = f->fs;
	GArray *dirs = g_array_new(FALSE, FALSE, sizeof(struct dirsort));
	guint i, j;

	/* fsck_ffs's pass 2 sorts the directories it found by their first
	 * block (qsort of inpsort with blksort) and reads them in that
	 * order: the disk's order, not the inodes'. */
	for (i = 0; i < f->order->len; i++) {
		struct fino *dfi = fino_of(f, g_array_index(f->order, uint64_t, i));
		const struct dinode_img *d;
		struct dirsort x;

		if (dfi->cleared || dfi->type != DI_DIR ||
		    (d = inode_of(f, dfi->ino)) == NULL)
			continue;
		x.blk = d->di_db[0];
		x.ino = dfi->ino;
		g_array_append_val(dirs, x);
	}
	g_array_sort(dirs, cmp_dirsort);
	for (i = 0; i < dirs->len; i++) {
		struct fino *dfi = fino_of(f, g_array_index(dirs, struct dirsort,
		    i).ino);
		const struct dinode_img *d = inode_of(f, dfi->ino);
		int64_t lbn, nblk;

		if (dfi->cleared)
			continue;
		nblk = howmany_blk(fs, d->di_size);
		for (lbn = 0; lbn < nblk; lbn++) {
			int64_t a = bmap(f, d, lbn), sector;
			int64_t bytes = MIN((int64_t)fs->fs_bsize,
			    d->di_size - lblktosize(fs, lbn));
			struct dblk *b;

			if (a == 0 || !inrange(fs, a, 1))
				continue;
			sector = fsbtodb(fs, a);
			io(f, sector, fragroundup(fs, bytes), false);
			b = dimage_get(f->im, sector);
			if (b == NULL || b->kind != DBK_DIR) {
				/* Not a directory's block: every chunk is
				 * corrupted, and salvaged empty. */
				struct dblk *n = dblk_new(DBK_DIR,
				    (int)(fragroundup(fs, bytes) / DEV_BSIZE));
				int64_t *k = g_new(int64_t, 1);

				f->res->dir_salvaged += (uint64_t)(bytes / DIRBLKSIZ);
				dimage_put(f->im, sector, n);
				*k = sector;
				g_hash_table_add(f->dirty, k);
				continue;
			}
			for (j = 0; j < b->u.ents->len; j++) {
				const struct dirent_img *e = &g_array_index(
				    b->u.ents, struct dirent_img, j);
				struct fino *t = fino_of(f, e->de_ino);

				/* "." and ".." naming a free inode are
				 * left for pass 3 (pass2check: "if
				 * (idesc->id_entryno <= 2) break;") */
				if (t == NULL && (strcmp(e->de_name, ".") == 0 ||
				    strcmp(e->de_name, "..") == 0))
					continue;
				if (t == NULL || t->cleared) {
					if (t == NULL)
						f->res->dirent_unalloc++;
					b = writable(f, sector);
					g_free(g_array_index(b->u.ents,
					    struct dirent_img, j).de_name);
					g_array_remove_index(b->u.ents, j);
					j--;
					continue;
				}
				t->refs++;
				if (strcmp(e->de_name, ".") == 0 ||
				    strcmp(e->de_name, "..") == 0)
					continue;
				if (t->type == DI_DIR && t->parent == 0)
					t->parent = dfi->ino;
			}
		}
	}
	g_array_free(dirs, TRUE);
}

/* Put ino in lost+found (made, as fsck makes it, when first needed: a
 * directory of the repaired image only). */
static void
linkup(struct fsck *f, uint64_t ino)
{
	g_array_append_val(f->lostfound, ino);
}

/* Is directory fi reached from the root through first parents?  (memo:
 * 1 yes, 2 no, 3 being asked). */
static bool
reached(struct fsck *f, struct fino *fi, GHashTable *memo, int depth)
{
	int64_t k = (int64_t)fi->ino, *kp;
	int m = GPOINTER_TO_INT(g_hash_table_lookup(memo, &k));
	struct fino *p;
	bool r;

	if (m != 0)
		return m == 1;
	if (fi->ino == ROOTINO)
		return true;
	kp = g_new(int64_t, 1);
	*kp = k;
	g_hash_table_insert(memo, kp, GINT_TO_POINTER(3));
	p = fi->parent != 0 ? fino_of(f, fi->parent) : NULL;
	r = p != NULL && !p->cleared && depth < 4096 &&
	    reached(f, p, memo, depth + 1);
	kp = g_new(int64_t, 1);
	*kp = k;
	g_hash_table_replace(memo, kp, GINT_TO_POINTER(r ? 1 : 2));
	return r;
}

/* A directory about to be cleared: the link its ".." gave the parent
 * goes (pass 2 counted it). */
static void
dotdot_unref(struct fsck *f, struct fino *c)
{
	const struct dinode_img *d = dimage_inode(f->fs, f->im, c->ino);
	const struct dblk *b;
	struct fino *p;
	guint j;

	if (d == NULL || d->di_db[0] == 0 ||
	    (b = dimage_get(f->im, fsbtodb(f->fs, d->di_db[0]))) == NULL ||
	    b->kind != DBK_DIR)
		return;
	for (j = 0; j < b->u.ents->len; j++) {
		const struct dirent_img *e = &g_array_index(b->u.ents,
		    struct dirent_img, j);

		if (strcmp(e->de_name, "..") == 0 && e->de_ino != c->ino &&
		    (p = fino_of(f, e->de_ino)) != NULL && p->refs > 0)
			p->refs--;
	}
}

static void
pass3(struct fsck *f)
{
	GHashTable *memo = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);
	guint i;

	for (i = 0; i < f->order->len; i++) {
		struct fino *c = fino_of(f, g_array_index(f->order, uint64_t, i));

		if (c->type != DI_DIR || c->cleared || reached(f, c, memo, 0))
			continue;
		if (f->softdep) {
			/* left in DSTATE for pass 4, which clears it
			 * ("UNREF"); its ".." no longer a link of its parent
			 * (a new directory inside it is unreached too) */
			f->res->unref_cleared++;
			dotdot_unref(f, c);
			clri(f, c);
			continue;
		}
		f->res->dirs_reconnected++;
		c->refs++;
		linkup(f, c->ino);
	}
	g_hash_table_destroy(memo);
}

static void
pass4(struct fsck *f)
{
	guint i;

	for (i = 0; i < f->order->len; i++) {
		struct fino *fi = fino_of(f, g_array_index(f->order, uint64_t, i));

		if (fi->cleared)
			continue;
		if (fi->refs == 0) {
			if (fi->nlink <= 0 || fi->size == 0 || f->softdep) {
				f->res->unref_cleared++;
				clri(f, fi);
			} else {
				f->res->unref_reconnected++;
				linkup(f, fi->ino);
			}
			continue;
		}
		if (fi->refs < fi->nlink)
			f->res->linkcnt_high++;
		else if (fi->refs > fi->nlink)
			f->res->linkcnt_low++;
	}
}

static void
pass5(struct fsck *f)
{
	const struct fs *fs = f->fs;
	int c;

	for (c = 0; c < fs->fs_ncg; c++) {
		int64_t sector = fsbtodb(fs, cgtod(fs, c));
		int64_t base = cgbase(fs, c), n = ffs_cg_frags(fs, c), a;
		uint64_t ino0 = (uint64_t)c * (uint64_t)fs->fs_ipg, i;
		bool differs = false;

		io(f, sector, fs->fs_bsize, false);
		for (a = cgdmin(fs, c); a < base + n; a++) {
			bool mapfree = dimage_frag_free(fs, f->im, a);

			if (isused(f, a) && mapfree) {
				f->res->map_missing++;
				differs = true;
			} else if (!isused(f, a) && !mapfree) {
				f->res->leaked_frags++;
				differs = true;
			}
		}
		for (i = ino0; i < ino0 + (uint64_t)fs->fs_ipg; i++) {
			struct fino *fi;
			bool inuse, mapused;

			if (i < ROOTINO)
				continue;
			fi = fino_of(f, i);
			inuse = fi != NULL && !fi->cleared;
			mapused = dimage_ino_used(fs, f->im, i);
			if (inuse && !mapused) {
				f->res->ino_map_missing++;
				differs = true;
			} else if (!inuse && mapused) {
				f->res->leaked_inodes++;
				differs = true;
			}
		}
		if (differs)
			io(f, sector, fs->fs_bsize, true);
	}
}

/* lost+found on the repaired image: an entry in the root and a
 * directory holding "#ino" for each inode reconnected, at an address
 * past the end of the disk (the image's own: fsck allocates it from
 * what pass 5 found free). */
static void
make_lostfound(struct fsck *f)
{
	const struct fs *fs = f->fs;
	const struct dinode_img *root = inode_of(f, ROOTINO);
	struct dblk *rb, *lb, *ib;
	struct dinode_img d;
	struct dirent_img e;
	uint64_t lf;
	int64_t sector;
	guint i;

	if (f->lostfound->len == 0 || root == NULL || root->di_db[0] == 0)
		return;
	/* A free inode number for it. */
	for (lf = ROOTINO + 1; lf < (uint64_t)fs->fs_ncg * (uint64_t)fs->fs_ipg;
	    lf++)
		if (inode_of(f, lf) == NULL && fino_of(f, lf) == NULL)
			break;
	memset(&d, 0, sizeof(d));
	d.di_ino = lf;
	d.di_type = DI_DIR;
	d.di_nlink = 2;
	d.di_size = fs->fs_bsize;
	d.di_db[0] = fs->fs_size;
	sector = fsbtodb(fs, ino_to_fsba(fs, lf));
	ib = writable(f, sector);
	if (ib == NULL) {
		ib = dblk_new(DBK_INODE, fs->fs_bsize / DEV_BSIZE);
		dimage_put(f->im, sector, ib);
	}
	g_array_append_val(ib->u.inodes, d);
	g_array_sort(ib->u.inodes, (GCompareFunc)cmp_u64);
	lb = dblk_new(DBK_DIR, fs->fs_bsize / DEV_BSIZE);
	for (i = 0; i < f->lostfound->len; i++) {
		e.de_chunk = 0;
		e.de_ino = g_array_index(f->lostfound, uint64_t, i);
		e.de_name = g_strdup_printf("#%llu", (unsigned long long)e.de_ino);
		g_array_append_val(lb->u.ents, e);
	}
	dimage_put(f->im, fsbtodb(fs, fs->fs_size), lb);
	rb = writable(f, fsbtodb(fs, root->di_db[0]));
	if (rb != NULL && rb->kind == DBK_DIR) {
		e.de_chunk = 0;
		e.de_ino = lf;
		e.de_name = g_strdup("lost+found");
		g_array_append_val(rb->u.ents, e);
	}
}

/* ---- timing ----------------------------------------------------------- */

struct fsck_clock {
	struct sim	*sim;
	struct disk	 d;
	const GArray	*io;
	bool		 done;
};

static void
fsck_done(void *arg, struct diskreq *r)
{
	struct fsck_clock *c = arg;

	(void)r;
	c->done = true;
	wakeup(c->sim, c);
}

/* fsck itself: one request at a time, each waited for. */
static void
fsck_issuer(void *arg)
{
	struct fsck_clock *c = arg;
	guint i;

	for (i = 0; i < c->io->len; i++) {
		const struct fsck_io *x = &g_array_index(c->io, struct fsck_io, i);
		struct diskreq r;

		memset(&r, 0, sizeof(r));
		r.sector = x->sector;
		r.nsect = x->nsect;
		r.write = x->write;
		r.nbufs = 1;
		if (r.sector < 0 || r.sector + r.nsect > disk_capacity(&c->d))
			continue;
		c->done = false;
		disk_strategy(&c->d, &r);
		while (!c->done)
			tsleep(c->sim, c, "biord", 0);
	}
}

static sim_time_t
fsck_time(const struct disk_params *dp, const char *diskq, const GArray *ios)
{
	struct fsck_clock c;
	sim_time_t t;

	memset(&c, 0, sizeof(c));
	c.sim = sim_create();
	c.io = ios;
	disk_init(&c.d, c.sim, dp, diskq_lookup(diskq));
	c.d.done = fsck_done;
	c.d.done_arg = &c;
	sim_spawn(c.sim, "fsck", fsck_issuer, &c, 0);
	(void)sim_run(c.sim);
	t = sim_now(c.sim);
	disk_destroy(&c.d);
	sim_destroy(c.sim);
	return t;
}

void
fsck_ffs_run(const struct fs *fs, const struct disk_params *dp,
    const char *diskq, struct dimage *im, bool softdep,
    struct crash_result *res)
{
	struct fsck f;
	GHashTableIter it;
	gpointer key;
	GArray *w;
	guint i;

	memset(&f, 0, sizeof(f));
	f.fs = fs;
	f.im = im;
	f.softdep = softdep;
	f.res = res;
	f.used = g_malloc0((size_t)(fs->fs_size + 7) / 8);
	f.dups = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	f.ino = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	f.order = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	f.io = g_array_new(FALSE, FALSE, sizeof(struct fsck_io));
	f.dirty = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	f.lostfound = g_array_new(FALSE, FALSE, sizeof(uint64_t));

	/* setup: the superblock, then the summary (fs_csaddr).  The
	 * summary's fragments are in use before pass 1, as fsck's setup
	 * marks them. */
	io(&f, BBSIZE / DEV_BSIZE, SBSIZE, false);
	io(&f, fsbtodb(fs, fs->fs_csaddr), fragroundup(fs, fs->fs_cssize), false);
	for (i = 0; i < (guint)numfrags(fs, fs->fs_cssize); i++)
		setused(&f, fs->fs_csaddr + i, true);

	pass1(&f);
	pass1b(&f);
	pass2(&f);
	pass3(&f);
	pass4(&f);
	pass5(&f);
	make_lostfound(&f);

	/* The blocks it changed, written back in order. */
	w = g_array_new(FALSE, FALSE, sizeof(int64_t));
	g_hash_table_iter_init(&it, f.dirty);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_array_append_val(w, *(int64_t *)key);
	g_array_sort(w, cmp_int64);
	for (i = 0; i < w->len; i++)
		io(&f, g_array_index(w, int64_t, i), fs->fs_bsize, true);
	g_array_free(w, TRUE);

	for (i = 0; i < f.io->len; i++) {
		const struct fsck_io *x = &g_array_index(f.io, struct fsck_io, i);

		if (x->write)
			res->fsck_writes++;
		else
			res->fsck_reads++;
		res->fsck_bytes += (uint64_t)x->nsect * DEV_BSIZE;
	}
	res->fsck_ns = fsck_time(dp, diskq, f.io);

	g_free(f.used);
	g_hash_table_destroy(f.dups);
	g_hash_table_destroy(f.ino);
	g_array_free(f.order, TRUE);
	g_array_free(f.io, TRUE);
	g_hash_table_destroy(f.dirty);
	g_array_free(f.lostfound, TRUE);
}
