/*
 * ffs_fsck.c — what fsck_ffs checks, which in FreeBSD is userland
 * (sbin/fsck_ffs), not the kernel: every fragment claimed once, by a
 * block within its file's size, and not free in the map, and i_blocks
 * the sum (pass 1); each directory's size and its subdirectories' ".."
 * (pass 2); link counts (pass 4); the free maps against the cylinder
 * groups' counts and the superblock's totals (pass 5).  It runs over the
 * model's in-core state instead of a disk, with no I/O and no time:
 * after a run, on a loaded image, and in the tests.
 *
 * And ffs_layout, the layout score (Smith and Seltzer) and free runs of
 * the starting file system, for the summary: also a look from outside.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

#include <string.h>

/* The 64 bits of a map from bit x (a multiple of 64), for a test of all
 * free or all used: the byte order does not matter. */
static inline uint64_t
map_word(const uint8_t *map, int64_t x)
{
	uint64_t w;

	memcpy(&w, map + (x >> 3), sizeof(w));
	return w;
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
			int64_t b = ffs_blk_get(ip, lbn);

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
		int64_t base = cgbase(fs, c), n = ffs_cg_frags(fs, c), f, run = 0;

		for (f = 0; f + fs->fs_frag <= n; f += fs->fs_frag) {
			/* 64 fragments all free or all used at once. */
			if (((base + f) & 63) == 0 && f + 64 <= n) {
				uint64_t w = map_word(fs->fs_fmap, base + f);

				if (w == UINT64_MAX) {
					run += 64 / fs->fs_frag;
					f += 64 - fs->fs_frag;
					continue;
				}
				if (w == 0) {
					if (run > 0)
						l->free_runs++;
					run = 0;
					f += 64 - fs->fs_frag;
					continue;
				}
			}
			if (ffs_blkmap(fs, base + f) == full) {
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

/* Set n bits of map from bit x, whole bytes at once. */
static void
bits_set(uint8_t *map, int64_t x, int64_t n)
{
	int64_t e = x + n;

	for (; x < e && (x & 7) != 0; x++)
		map[x >> 3] |= (uint8_t)(1u << (x & 7));
	if (e - x >= 8) {
		memset(map + (x >> 3), 0xff, (size_t)((e - x) >> 3));
		x += (e - x) & ~(int64_t)7;
	}
	for (; x < e; x++)
		map[x >> 3] |= (uint8_t)(1u << (x & 7));
}

/* Fragments n from base: each one used or free, not both, not neither. */
static bool
map_agrees(const struct fsck *c, int64_t base, int64_t n)
{
	const struct fs *fs = c->fs;
	int64_t x = base, e = base + n;

	for (; x < e && (x & 7) != 0; x++)
		if (((c->used[x >> 3] >> (x & 7)) & 1) ==
		    ((fs->fs_fmap[x >> 3] >> (x & 7)) & 1))
			return false;
	for (; x + 64 <= e && (x & 63) != 0; x += 8)
		if ((uint8_t)(c->used[x >> 3] ^ fs->fs_fmap[x >> 3]) != 0xff)
			return false;
	for (; x + 64 <= e; x += 64)
		if ((map_word(c->used, x) ^ map_word(fs->fs_fmap, x)) != UINT64_MAX)
			return false;
	for (; x + 8 <= e; x += 8)
		if ((uint8_t)(c->used[x >> 3] ^ fs->fs_fmap[x >> 3]) != 0xff)
			return false;
	for (; x < e; x++)
		if (((c->used[x >> 3] >> (x & 7)) & 1) ==
		    ((fs->fs_fmap[x >> 3] >> (x & 7)) & 1))
			return false;
	return true;
}

/* Inodes in use of the n from first. */
static int64_t
inodes_used(const struct fs *fs, uint64_t first, int64_t n)
{
	uint64_t i = first, e = first + (uint64_t)n;
	int64_t used = 0;

	for (; i < e && (i & 7) != 0; i++)
		used += inoused(fs, i) != 0;
	for (; i + 64 <= e && (i & 63) != 0; i += 8)
		used += __builtin_popcount(fs->fs_imap[i >> 3]);
	for (; i + 64 <= e; i += 64)
		used += __builtin_popcountll(map_word(fs->fs_imap, (int64_t)i));
	for (; i + 8 <= e; i += 8)
		used += __builtin_popcount(fs->fs_imap[i >> 3]);
	for (; i < e; i++)
		used += inoused(fs, i) != 0;
	return used;
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
	for (cgx = 0; cgx < fs->fs_ncg; cgx++) {
		f = cgx > 0 ? fs->fs_sblkno : 0;
		bits_set(c.used, cgbase(fs, cgx) + f, fs->fs_dblkno - f);
	}
	bits_set(c.used, fs->fs_csaddr, numfrags(fs, fs->fs_cssize));
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
			int64_t b = ffs_blk_get(ip, lbn);
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
			int64_t base = cgbase(fs, cgx), n = ffs_cg_frags(fs, cgx);
			int64_t bf = 0, ff = 0, fi = 0;
			int frsum[MAXFRAG] = { 0 };
			unsigned full = (1u << fs->fs_frag) - 1;

			/* Every fragment used or free, not both, not neither
			 * (a byte at a time; fragment by fragment to say
			 * which when they do not agree). */
			if (!map_agrees(&c, base, n))
				for (f = 0; f < n; f++) {
					int64_t x = base + f;
					bool u = c.used[x >> 3] & (1u << (x & 7));

					if (u != (isfree(fs, x) != 0))
						continue;
					fsck_bad(&c, "fragment %lld: %s but %s",
					    (long long)x, u ? "used" : "unused",
					    u ? "free" : "not free");
				}
			for (f = 0; f < n; f += fs->fs_frag) {
				unsigned map;
				int run = 0;

				/* 64 fragments all used, or all free (that many
				 * whole blocks), at once. */
				if (((base + f) & 63) == 0 && f + 64 <= n) {
					uint64_t w = map_word(fs->fs_fmap, base + f);

					if (w == 0 || w == UINT64_MAX) {
						if (w != 0)
							bf += 64 / fs->fs_frag;
						f += 64 - fs->fs_frag;
						continue;
					}
				}
				map = ffs_blkmap(fs, base + f);
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
			fi = fs->fs_ipg - inodes_used(fs,
			    (uint64_t)cgx * fs->fs_ipg, fs->fs_ipg);
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
