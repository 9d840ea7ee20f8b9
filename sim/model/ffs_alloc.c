/*
 * ffs_alloc.c — block, fragment and inode allocation, as
 * ufs/ffs/ffs_alloc.c: ffs_alloc, ffs_realloccg, ffs_reallocblks,
 * ffs_valloc, ffs_blkfree, ffs_vfree and the preferences, the cylinder
 * group allocators and the free-map searches under them.
 *
 * Addresses are fragments, as in the kernel (fsbtodb turns them into
 * DEV_BSIZE sectors).  Allocation follows the kernel's preferences: a
 * file's blocks after its previous one, a section of maxbpg blocks per
 * cylinder group, a file's first blocks in its inode's group, new files
 * next to their directory, new directories spread by ffs_dirpref;
 * ffs_hashalloc's overflow to other groups.
 *
 * I/O: an allocation reads the group's cg block and leaves it a delayed
 * write (ffs_alloccg's bread + bdwrite), through the buffer cache on the
 * device vnode (fs_devvp), so it is cached, delayed and clustered like
 * anything else.  Offline (set-up), none of it.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

#include <errno.h>
#include <string.h>

/* ffs_alloccg and friends: the group's cg block, read (normally a cache
 * hit) before the group is changed and left a delayed write after —
 * marked BX_BKGRDWRITE, as each of them marks it, so that bwrite writes
 * it in the background. */
static struct buf *
cg_read(struct kern *k, int c)
{
	struct buf *bp;

	if (!ffs_online(k))
		return NULL;
	if (k->mnt.mnt_snapcgbp != NULL)
		ffs_snapcg_wanted(k, c);	/* held by ffs_snapshot */
	bp = ffs_meta_bread(k, cgtod(&k->fs, c), k->fs.fs_bsize);
	bp->b_xflags |= BX_BKGRDWRITE;
	return bp;
}

/*
 * cg_read for the allocators that skip a group whose map cannot be read:
 * ffs_alloccg, ffs_fragextend, ffs_nodealloccg and ffs_clusteralloc each
 * bread the cg and, on an error, brelse it and return 0 — to
 * ffs_hashalloc that group has no room, and it tries the next (a read
 * error from the drive is not told apart from a full group).  EIO here:
 * *bpp is NULL and the caller returns 0.  Offline: 0 and NULL, as
 * cg_read.  (ffs_blkfree and ffs_vfree, which on the same error returned
 * without freeing — a block or inode lost until fsck — still use cg_read
 * and go on as if the read had worked: see the README's "Not yet".)
 */
static int
cg_read_err(struct kern *k, int c, struct buf **bpp)
{
	int error;

	*bpp = NULL;
	if (!ffs_online(k))
		return 0;
	if (k->mnt.mnt_snapcgbp != NULL)
		ffs_snapcg_wanted(k, c);	/* held by ffs_snapshot */
	if ((error = ffs_meta_bread_err(k, cgtod(&k->fs, c), k->fs.fs_bsize,
	    bpp)) != 0)
		return error;
	(*bpp)->b_xflags |= BX_BKGRDWRITE;
	return 0;
}

static void
cg_done(struct kern *k, struct buf *bp, bool changed)
{
	if (bp == NULL)
		return;
	if (changed) {
		k->fs.fs_fmod = true;	/* the summary in the superblock */
		/* soft updates: what the map now says must reach the disk
		 * before a pointer to it (softdep_setup_blkmapdep) */
		softdep_setup_blkmapdep(k, dbtofsb(&k->fs, bp->b_blkno));
		bio_note_version(k, bp);
		bdwrite(k, bp);
	} else
		bqrelse(k, bp);
}

/*
 * ffs_blkpref: where logical block lbn should go; indx is its slot in the
 * pointer array that will hold it (the direct blocks or an indirect
 * block), prev the block in the slot before (0 if none).  The start of a
 * section (each maxbpg blocks) goes to the inode's group for the first
 * direct-and-single-indirect's worth, then to the next group with at
 * least the average free blocks; inside a section, right after prev.
 */
int64_t
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
int64_t
ffs_blkpref_for(struct fs *fs, struct inode *ip, int64_t lbn)
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
	    indx > 0 && lbn > 0 ? ffs_blk_get(ip, lbn - 1) : 0);
}

/*
 * The free map a word at a time: the 64 fragments from a (a multiple of
 * 64), bit i fragment a + i.  The searches below look at a word's
 * blocks all at once with bit operations — as ffs_mapsearch looks at a
 * byte of the map at a time with scanc() and fragtbl — and take its
 * lowest match: the same answer, in the same order, as block by block.
 */
static inline uint64_t
map_word(const struct fs *fs, int64_t a)
{
	uint64_t w;

	memcpy(&w, fs->fs_fmap + (a >> 3), sizeof(w));
	return GUINT64_FROM_LE(w);
}

/* A word can be skipped from fragment a (cg-relative f) while looking
 * before hi: it starts a word and the word is all before hi. */
#define WORD_AT(a, f, hi)	(((a) & 63) == 0 && (f) + 64 <= (hi))

/*
 * Four words of the map from fragment a (a multiple of 64) all used: 256
 * fragments with no free block and no run of free fragments, which the
 * searches below step over at once.  A search that starts at a group's
 * first data block (ffs_blkpref's choice for a file's first blocks)
 * crosses every used word before the first free space: the same words
 * in the same order, the same answer, fewer instructions.
 */
static inline bool
four_used(const struct fs *fs, int64_t a)
{
	uint64_t w[4];

	memcpy(w, fs->fs_fmap + (a >> 3), sizeof(w));
	return (w[0] | w[1] | w[2] | w[3]) == 0;
}

/* The bits of a word that start a block (bit i, i % fs_frag == 0). */
static uint64_t
block_starts(const struct fs *fs)
{
	uint64_t m = 0;
	int i;

	for (i = 0; i < 64; i += fs->fs_frag)
		m |= (uint64_t)1 << i;
	return m;
}

/* The whole free blocks of word w (free bits set): a bit at the start of
 * each (bstart: block_starts). */
static inline uint64_t
free_blocks(uint64_t w, int frag, uint64_t bstart)
{
	uint64_t a = w & bstart;
	int j;

	for (j = 1; j < frag && a != 0; j++)
		a &= w >> j;
	return a;
}

/*
 * The free runs of exactly s fragments (0 < s < fs_frag) in the blocks
 * of word w: a bit at the first fragment of each.  A run is what the
 * block-by-block search counts: free fragments in a row within one
 * block, ended by a used fragment or the block's end (ffs_mapsearch's
 * fragtbl and around[]/inside[] tables say the same, a byte at a time).
 * Bit i starts such a run when i and the s - 1 after it are free and in
 * i's block (fits), i - 1 is used or in the block before (bstart), and
 * i + s is used or in the block after (ends).
 */
struct runmask {
	uint64_t	bstart, fits, ends;
	uint64_t	inner;	/* bits not the last of their block */
	int		s;
};

static void
runmask_init(const struct fs *fs, int s, struct runmask *m)
{
	int t;

	m->s = s;
	m->bstart = block_starts(fs);
	m->fits = 0;
	for (t = 0; t + s <= fs->fs_frag; t++)
		m->fits |= m->bstart << t;
	m->ends = m->bstart << (fs->fs_frag - s);
	m->inner = ~(m->bstart << (fs->fs_frag - 1));
}

static inline uint64_t
exact_runs(uint64_t w, const struct runmask *m)
{
	uint64_t a;
	int j;

	/* A word of whole blocks, free or used, has no run of fragments:
	 * a block is partly free iff two of its neighbouring bits differ
	 * (the common case, and four operations). */
	if (((w ^ (w >> 1)) & m->inner) == 0)
		return 0;
	a = w & m->fits;
	for (j = 1; j < m->s && a != 0; j++)
		a &= w >> j;
	return a & (~(w << 1) | m->bstart) & (~(w >> m->s) | m->ends);
}

/*
 * Where a pass of a search from lo may begin: past the group's empty
 * stretch [elo, ehi) for what it looks for (cg_emptylo, cg_emptyhi) if
 * lo lies in it — those blocks would be looked at and nothing found.
 */
static inline int64_t
past_empty(int64_t lo, int64_t elo, int64_t ehi)
{
	return elo <= lo && lo < ehi ? ehi : lo;
}

/*
 * ffs_mapsearch for a whole block: the first free one at or after from
 * (block-aligned, cg-relative), wrapping round the group.  -1 if none.
 * words: a whole word of the map at a time where one lies in the range
 * (the same answer: the tests' build asks both).  [elo, ehi): a stretch
 * with no free block, stepped over (elo == ehi: none).
 */
static int64_t
find_blk(const struct fs *fs, int c, int64_t from, int64_t elo, int64_t ehi,
    bool words)
{
	int64_t base = cgbase(fs, c), n = ffs_cg_frags(fs, c), f;
	unsigned full = (1u << fs->fs_frag) - 1;
	uint64_t bstart = block_starts(fs);
	int pass;

	for (pass = 0; pass < 2; pass++) {
		int64_t lo = past_empty(pass == 0 ? from : 0, elo, ehi),
		    hi = pass == 0 ? n : from;

		for (f = lo; f + fs->fs_frag <= hi; ) {
			/* A whole word's blocks at once: the first free one
			 * is its lowest bit. */
			while (words && WORD_AT(base + f, f, hi)) {
				uint64_t a;

				if (f + 256 <= hi && four_used(fs, base + f)) {
					f += 256;
					continue;
				}
				a = free_blocks(map_word(fs, base + f),
				    fs->fs_frag, bstart);

				if (a != 0)
					return f + __builtin_ctzll(a);
				f += 64;
			}
			if (f + fs->fs_frag > hi)
				break;
			if (ffs_blkmap(fs, base + f) == full)
				return f;
			f += fs->fs_frag;
		}
	}
	return -1;
}

/*
 * A search from start that found its answer at found has found nothing
 * from start to it — and, with start in the empty stretch, nothing from
 * the stretch's start; wrapped round (found < start), nothing from the
 * group's first block to it: that is the group's empty stretch now.
 * Files' searches start again and again at their group's first data
 * block (ffs_blkpref), and cross the same used blocks each time.
 */
static void
empty_note(int64_t *elo, int64_t *ehi, int64_t start, int64_t found)
{
	if (found < 0)
		return;
	if (found < start)
		*elo = 0;
	else if (!(*elo <= start && start <= *ehi))
		*elo = start;
	*ehi = found;
}

static int64_t
mapsearch_blk(struct fs *fs, int c, int64_t from)
{
	struct cg *cgp = &fs->fs_cgs[c];
	int64_t bno = find_blk(fs, c, from, cgp->cg_emptylo[0],
	    cgp->cg_emptyhi[0], true);

	KASSERT(bno == find_blk(fs, c, from, 0, 0, false), ("mapsearch_blk: "
	    "cg %d from %lld: %lld a word at a time past [%lld, %lld), %lld a "
	    "block at a time", c, (long long)from, (long long)bno,
	    (long long)cgp->cg_emptylo[0], (long long)cgp->cg_emptyhi[0],
	    (long long)find_blk(fs, c, from, 0, 0, false)));
	empty_note(&cgp->cg_emptylo[0], &cgp->cg_emptyhi[0], from, bno);
	return bno;
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
		if (ffs_blkmap(fs, cgbase(fs, c) + bpref) == (1u << fs->fs_frag) - 1)
			bno = bpref;
		else {
			bno = mapsearch_blk(fs, c, bpref);
			KASSERT(bno >= 0, ("ffs_alloccgblk: no free block"));
			cgp->cg_rotor = bno;
		}
	}
	ffs_frags_set(fs, cgbase(fs, c) + bno, fs->fs_frag, false);
	return cgbase(fs, c) + bno;
}

/* ffs_mapsearch for fragments: a run of exactly allocsiz free fragments
 * in a partly used block of group c, from block start (cg-relative),
 * wrapping.  Returns its first fragment (absolute), *blk its block
 * (cg-relative), or -1.  words: a whole word of the map at a time where
 * one lies in the range (the same answer: the tests' build asks both). */
static int64_t
find_frags(const struct fs *fs, int c, int64_t start, int64_t elo,
    int64_t ehi, int allocsiz, bool words, int64_t *blk)
{
	int64_t base = cgbase(fs, c), n = ffs_cg_frags(fs, c), f;
	unsigned full = (1u << fs->fs_frag) - 1;
	struct runmask m;
	int pass;

	runmask_init(fs, allocsiz, &m);
	for (pass = 0; pass < 2; pass++) {
		int64_t lo = past_empty(pass == 0 ? start : 0, elo, ehi),
		    hi = pass == 0 ? n : start;

		for (f = lo; f + fs->fs_frag <= hi; f += fs->fs_frag) {
			unsigned map;
			int i, run = 0;

			/* A whole word's blocks at once: the first run of
			 * allocsiz is its lowest bit, in the lowest block. */
			while (words && WORD_AT(base + f, f, hi)) {
				uint64_t r;

				if (f + 256 <= hi && four_used(fs, base + f)) {
					f += 256;
					continue;
				}
				r = exact_runs(map_word(fs, base + f), &m);

				if (r != 0) {
					int p = __builtin_ctzll(r);

					*blk = f + p - p % fs->fs_frag;
					return base + f + p;
				}
				f += 64;
			}
			if (f + fs->fs_frag > hi)
				break;
			map = ffs_blkmap(fs, base + f);
			if (map == 0 || map == full)
				continue;
			for (i = 0; i <= fs->fs_frag; i++) {
				if (i < fs->fs_frag && (map & (1u << i)))
					run++;
				else {
					if (run == allocsiz) {
						*blk = f;
						return base + f + i - run;
					}
					run = 0;
				}
			}
		}
	}
	return -1;
}

/* The same from the preference (or the group's fragment rotor, which
 * moves to the block found). */
static int64_t
mapsearch_frags(struct fs *fs, int c, int64_t bpref, int allocsiz)
{
	struct cg *cgp = &fs->fs_cgs[c];
	int64_t start, bno, blk = 0;

	start = bpref > 0 && dtog(fs, bpref) == c ? blknum(fs, dtogd(fs, bpref)) :
	    cgp->cg_frotor;
	bno = find_frags(fs, c, start, cgp->cg_emptylo[allocsiz],
	    cgp->cg_emptyhi[allocsiz], allocsiz, true, &blk);
#ifdef INVARIANTS
	{
		int64_t blk1 = 0, bno1 = find_frags(fs, c, start, 0, 0,
		    allocsiz, false, &blk1);

		KASSERT(bno1 == bno && (bno < 0 || blk1 == blk),
		    ("mapsearch_frags: cg %d, %d frags from %lld: %lld a word "
		    "at a time past [%lld, %lld), %lld a block at a time", c,
		    allocsiz, (long long)start, (long long)bno,
		    (long long)cgp->cg_emptylo[allocsiz],
		    (long long)cgp->cg_emptyhi[allocsiz], (long long)bno1));
	}
#endif
	KASSERT(bno >= 0, ("ffs_mapsearch: cg %d counts a %d-fragment run "
	    "its map lacks", c, allocsiz));
	if (bno < 0)
		return 0;
	empty_note(&cgp->cg_emptylo[allocsiz], &cgp->cg_emptyhi[allocsiz],
	    start, blk);
	cgp->cg_frotor = blk;
	return bno;
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
	if (cg_read_err(k, c, &bp) != 0)	/* may sleep: look again after */
		return 0;
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
		ffs_frags_set(fs, bno + frags, fs->fs_frag - frags, true);
		cg_done(k, bp, true);
		return bno;
	}
	bno = mapsearch_frags(fs, c, bpref, allocsiz);
	ffs_frags_set(fs, bno, frags, false);
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
	if (cg_read_err(k, c, &bp) != 0)
		return 0;
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
	ffs_ino_take(fs, ino, isdir != 0);
	softdep_setup_inomapdep(k, ino);
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
int
ffs_alloc(struct kern *k, struct inode *ip, int64_t bpref, int size,
    int64_t *bnp)
{
	struct fs *fs = &k->fs;
	int64_t bno;
	int cg;

	*bnp = 0;
	if (size == fs->fs_bsize && fs->fs_nbfree == 0)
		goto nospace;
	if (ffs_freespace(fs, fs->fs_minfree) - numfrags(fs, size) < 0)
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
void
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
	/* Soft updates' truncation: freed once the inode is on the disk
	 * (softdep_setup_freeblocks collects them). */
	if (softdep_collect_blkfree(k, ip, bno, size)) {
		if (ip != NULL)
			ip->i_blocks -= size / DEV_BSIZE;
		return;
	}
	/* A block a snapshot still needs: it may take it over instead. */
	if (k->nsnaps > 0 && ffs_snapblkfree(k, bno, size)) {
		if (ip != NULL)
			ip->i_blocks -= size / DEV_BSIZE;
		for (i = 0; i < n; i++)
			bio_block_claimed(k, fsbtodb(fs, bno + i));
		return;
	}
	bp = cg_read(k, c);
	ffs_frags_set(fs, bno, n, true);
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
	if (cg_read_err(k, c, &bp) != 0)
		return 0;
	for (i = ofrags; i < frags; i++)
		if (!isfree(fs, bprev + i)) {	/* taken while we slept */
			cg_done(k, bp, false);
			return 0;
		}
	ffs_frags_set(fs, bprev + ofrags, frags - ofrags, false);
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
int64_t
ffs_realloccg(struct kern *k, struct inode *ip, int64_t lbn, int osize,
    int nsize)
{
	struct fs *fs = &k->fs;
	int64_t bprev = ffs_blk_get(ip, lbn), bno, bpref;
	int request;

	KASSERT(bprev != 0 && osize < nsize && nsize <= fs->fs_bsize,
	    ("ffs_realloccg: lbn %lld %d -> %d", (long long)lbn, osize, nsize));
	if (ffs_freespace(fs, fs->fs_minfree) - numfrags(fs, nsize - osize) < 0) {
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
	bpref = ffs_blkpref_for(fs, ip, lbn);
	if (bpref >= fs->fs_size)
		bpref = 0;
	bno = ffs_hashalloc(k, ip, dtog(fs, bprev), bpref, request, alloccg_fn);
	if (bno == 0) {
		k->cnt.enospc++;
		return 0;
	}
	ffs_blk_set(ip, lbn, bno);
	/* Soft updates free the old place once the inode pointing at the
	 * new one is on the disk (the allocdirect's freefrag). */
	if (!softdep_defer_blkfree(k, ip, lbn, bprev, osize))
		ffs_blkfree(k, NULL, bprev, osize);
	if (nsize < request)
		ffs_blkfree(k, NULL, bno + numfrags(fs, nsize), request - nsize);
	ip->i_blocks += (nsize - osize) / DEV_BSIZE;
	ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
	k->cnt.frag_moves++;
	return bno;
}

/* ---- inodes ---------------------------------------------------------- */

/* A new inode's generation number is random, as ffs_valloc's arc4random. */
struct inode *
ffs_inode_newgen(struct fs *fs, uint64_t ino, bool isdir)
{
	fs->fs_rng_draws++;
	return ffs_inode_new(fs, ino, isdir, (uint32_t)g_rand_int(fs->fs_rng));
}

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
	struct inode *ip;
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
	ip = ffs_inode_newgen(fs, (uint64_t)ino, isdir);
	ffs_risk_valloc(k, ip);
	return ip;
}

/* The inode's number back in its group's map (ffs_vfree's second half;
 * soft updates' handle_workitem_freefile). */
void
ffs_freefile(struct kern *k, uint64_t ino, bool isdir)
{
	struct fs *fs = &k->fs;
	int c = ino_to_cg(fs, ino);
	struct cg *cgp = &fs->fs_cgs[c];
	struct buf *bp;

	bp = cg_read(k, c);
	KASSERT(inoused(fs, ino), ("ffs_freefile: inode %llu free",
	    (unsigned long long)ino));
	clrino(fs, ino);
	cgp->cg_nifree++;
	fs->fs_nifree++;
	if (isdir) {
		cgp->cg_ndir--;
		fs->fs_ndir--;
	}
	cg_done(k, bp, true);
}

/* ffs_vfree: the inode, its blocks already gone, is free again — its
 * number at once, or under soft updates once the cleared inode is on the
 * disk (softdep_freefile). */
void
ffs_vfree(struct kern *k, struct inode *ip)
{
	struct fs *fs = &k->fs;
	uint64_t ino = ip->i_number;
	bool isdir = ip->i_isdir, later;

	KASSERT(ip->i_blocks == 0, ("ffs_vfree: inode %llu still has %lld "
	    "sectors", (unsigned long long)ip->i_number, (long long)ip->i_blocks));
	KASSERT(ip->i_vnode == NULL, ("ffs_vfree: inode in core"));
	ffs_risk_forget(fs, ip);
	later = softdep_freefile(k, ip);
	g_hash_table_remove(fs->fs_inodes, &ip->i_number);
	ffs_inode_destroy(ip);
	if (!later)
		ffs_freefile(k, ino, isdir);
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
	int64_t base = cgbase(fs, c), n = ffs_cg_frags(fs, c), f, start, run = 0;
	unsigned full = (1u << fs->fs_frag) - 1;
	struct buf *bp;
	int i;

	(void)ip;
	if (fs->fs_cgs[c].cg_nbfree < len)
		return 0;
	start = bpref > 0 && dtog(fs, bpref) == c ? blknum(fs, dtogd(fs, bpref)) : 0;
	for (f = start; f + fs->fs_frag <= n; f += fs->fs_frag) {
		/* a word with no free fragment ends any run */
		if (WORD_AT(base + f, f, n) && map_word(fs, base + f) == 0) {
			run = 0;
			f += 64 - fs->fs_frag;
			continue;
		}
		run = ffs_blkmap(fs, base + f) == full ? run + 1 : 0;
		if (run == len)
			break;
	}
	if (run < len)
		return 0;
	f = base + f - blkstofrags(fs, len - 1);
	if (cg_read_err(k, c, &bp) != 0)
		return 0;
	for (i = 0; i < len; i++)
		if (ffs_blkmap(fs, f + blkstofrags(fs, i)) != full) {
			cg_done(k, bp, false);	/* taken while we slept */
			return 0;
		}
	for (i = 0; i < len; i++)
		ffs_frags_set(fs, f + blkstofrags(fs, i), fs->fs_frag, false);
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
		if (bufs[i]->b_lblkno != start + i || ffs_blk_get(ip, start + i) == 0 ||
		    bufs[i]->b_bcount != fs->fs_bsize)
			return ENOSPC;
	if (start < NDADDR && end >= NDADDR)
		return ENOSPC;
	if (dtog(fs, ffs_blk_get(ip, start)) != dtog(fs, ffs_blk_get(ip, end)))
		return ENOSPC;
	if (start >= NDADDR) {
		snum = ufs_getlbns(fs, start, sa);
		enumm = ufs_getlbns(fs, end, ea);
		if (snum <= 0 || snum != enumm ||
		    sa[snum - 1].in_lbn != ea[enumm - 1].in_lbn)
			return ENOSPC;	/* two indirect blocks */
	}
	k->cnt.realloc_calls++;
	pref = ffs_blkpref_for(fs, ip, start);
	nb = ffs_hashalloc(k, ip, pref > 0 ? dtog(fs, pref) :
	    ino_to_cg(fs, ip->i_number), pref, n, (allocfn *)ffs_clusteralloc);
	if (nb == 0)
		return ENOSPC;
	if (start >= NDADDR && ffs_online(k)) {
		/* The pointers live in an indirect block: read, changed,
		 * delayed (vfs.ffs.doasyncfree). */
		struct buf *ibp;

		bread_noerror(k, vp, sa[snum - 1].in_lbn, fs->fs_bsize, &ibp);
		bio_note_version(k, ibp);
		for (i = 0; i < n; i++)
			ffs_risk_newblock(k, ip, start + i, ibp);
		ibp->b_flags |= B_CLUSTEROK;
		bdwrite(k, ibp);
	} else
		for (i = 0; i < n; i++)
			ffs_risk_newblock(k, ip, start + i, NULL);
	for (i = 0; i < n; i++) {
		struct buf *bp = bufs[i];
		int64_t old = ffs_blk_get(ip, start + i), nw = nb + blkstofrags(fs, i);

		ffs_blk_set(ip, start + i, nw);
		/* Soft updates free the old block once the pointer to the
		 * new one is on the disk (the allocdirect's or allocindir's
		 * freefrag: "if (!DOINGSOFTDEP(vp)) ffs_blkfree"). */
		if (start + i < NDADDR) {
			if (!softdep_defer_blkfree(k, ip, start + i, old,
			    fs->fs_bsize))
				ffs_blkfree(k, NULL, old, fs->fs_bsize);
			softdep_setup_allocdirect(k, ip, start + i, nw, old,
			    fs->fs_bsize, fs->fs_bsize);
		} else if (!softdep_setup_allocindir_page(k, ip,
		    sa[snum - 1].in_lbn, sa[snum - 1].in_off + i, nw, old))
			ffs_blkfree(k, NULL, old, fs->fs_bsize);
		bp->b_blkno = fsbtodb(fs, nw);
		bio_moved_block(k, bp);
	}
	ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
	k->cnt.realloc_blocks += (uint64_t)n;
	return 0;
}

/* ---- for ffs_snapshot.c --------------------------------------------- */

int
ffs_alloc_blk(struct kern *k, struct inode *ip, int64_t lbn, int size,
    int64_t *bnp)
{
	return ffs_alloc(k, ip, ffs_blkpref_for(&k->fs, ip, lbn), size, bnp);
}

void
ffs_free_blk(struct kern *k, struct inode *ip, int64_t bno, int size)
{
	ffs_blkfree(k, ip, bno, size);
}
