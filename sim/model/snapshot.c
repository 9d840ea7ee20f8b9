/*
 * snapshot.c — FFS snapshots (ffs_snapshot.c) as 5.0-CURRENT had them in
 * 2001: taking one under write suspension, copy-on-write, freed blocks
 * claimed, removal.  RELENG_4 had none.
 *
 * A snapshot is a file as large as the file system whose logical block n
 * stands for fs block n: its pointer is 0 while the snapshot still shares
 * the live block (which must be copied before it is overwritten or freed),
 * BLK_NOCOPY for a block that was free when the snapshot was taken,
 * BLK_SNAP for an older snapshot's block, else the address of the private
 * copy — or the block itself, once the snapshot has claimed it as it was
 * freed.
 *
 * Taking one: the file and every indirect block it will need are made
 * while the file system is live (so that copy-on-write never has to
 * allocate metadata), with a block for each cylinder-group map, the
 * superblock and the summary; then writes are suspended (new writers wait
 * "suspfs", those in progress finish, everything is synced); while
 * suspended each group's map is copied and every block free in it marked
 * BLK_NOCOPY (read through the snapshot, a block of zeros), older
 * snapshots' blocks BLK_SNAP; the copies are written — the only writes
 * allowed then (B_VALIDSUSPWRT) — and the pointer blocks left dirty; then
 * writing resumes and they are written.  One snapshot is taken or removed
 * at a time.
 *
 * Copy-on-write runs in whoever writes a block (a process, buf_daemon, the
 * syncer): for each snapshot that still shares the block, a block is
 * allocated, the old contents read raw from the disk ("physrd", once for
 * all of them) and written to it, and the pointer written — all
 * synchronously, before the original write may go (the seed's 112f737245:
 * a snapshot must claim its copies on disk before the old blocks can be
 * overwritten).  A block is copied once per snapshot, however many write
 * it at once (9b97113391).  A full block freed while a snapshot shares it
 * is claimed by the snapshot instead (no copy, no free); a freed fragment
 * is copied.
 *
 * A snapshot file is read-only (SF_SNAPSHOT).  Removing its last name
 * (rm /.snap/NAME, or a rename over it) removes the snapshot: its copies
 * are freed, the blocks it claimed passed to the next snapshot that still
 * shares them.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "softdep.h"

#include <errno.h>
#include <string.h>

/* The metadata lbns on the way to lbn of a snapshot file. */
static int
snap_lbns(struct kern *k, int64_t lbn, int64_t *mlbn)
{
	int off[NIADDR + 2];

	return ffs_lbns(&k->fs, lbn, mlbn, off, NIADDR + 2);
}

/*
 * The snapshot's pointer for fs block b.  Looking it up reads the indirect
 * block that holds it through the buffer cache (normally a hit) — the cost
 * ffs_copyonwrite pays for every write while snapshots exist.
 */
static int64_t
snap_get(struct kern *k, struct snapshot *sn, int64_t b, bool io)
{
	int64_t mlbn[NIADDR + 2];
	int num;

	if (io && b >= NDADDR && ffs_online(k) &&
	    (num = snap_lbns(k, b, mlbn)) > 1) {
		struct buf *bp;

		bread_noerror(k, sn->sn_vp, mlbn[num - 1], k->fs.fs_bsize, &bp);
		bqrelse(k, bp);		/* needed again soon (9b97113391) */
	}
	return ffs_blk_get(sn->sn_ip, b);
}

/*
 * Write the block holding the snapshot's pointer for b: the inode for a
 * direct block, else the indirect block — synchronously (112f737245),
 * the new block's map first on soft updates (the snapshot's fsync in
 * ffs_copyonwrite: softdep_sync_metadata writes the bmsafemap before the
 * pointer).
 *
 * While writes are suspended this is a copy for an older snapshot made
 * as ffs_snapshot writes the new one's blocks (the older one still
 * sharing one of them: an earlier copy failed for lack of space).  The
 * same order holds then — copy, map, pointer, and only then the write
 * that asked for the copy — so that no crash finds the snapshot's block
 * free in the map, nor the old contents overwritten before the snapshot
 * claims its copy.  Those writes are the snapshot code's own and go with
 * B_VALIDSUSPWRT, as ffs_snapshot marks its writes ("snapshots must
 * explicitly label the blocks that they are writing during the
 * suspension", 9b97113391).  spec_strategy asks it only of buffers of the
 * suspended mount's vnodes (so the map, a buffer of the device, goes
 * through without) — as its 2002-2003 text reads; the 2001 text was not
 * read — and 2001's ffs_copyonwrite, reached here, would have panicked
 * there writing the snapshot's indirect block without it: a path 2001
 * never took in practice.  The model takes the order the copy needs.
 */
static void
snap_put_ptr(struct kern *k, struct snapshot *sn, int64_t b, int64_t v)
{
	bool susp = (k->mnt.mnt_kern_flag & MNTK_SUSPENDED) != 0;
	int64_t mlbn[NIADDR + 2];
	int num;
	struct buf *bp;

	ffs_blk_set(sn->sn_ip, b, v);
	if (!ffs_online(k))
		return;
	/* soft updates: the new block's map before the pointer */
	softdep_snap_flushmap(k, v);
	if (b < NDADDR) {
		if (susp) {
			/* the inode's block, let through once */
			bread_noerror(k, k->fs.fs_devvp, fsbtodb(&k->fs,
			    ino_to_fsba(&k->fs, sn->sn_ip->i_number)),
			    k->fs.fs_bsize, &bp);
			bp->b_flags |= B_VALIDSUSPWRT;
			bqrelse(k, bp);
		}
		ffs_update(k, sn->sn_ip, true);
		return;
	}
	num = snap_lbns(k, b, mlbn);
	bread_noerror(k, sn->sn_vp, mlbn[num - 1], k->fs.fs_bsize, &bp);
	if (susp)
		bp->b_flags |= B_VALIDSUSPWRT;
	bio_note_version(k, bp);
	(void)bwrite_wmesg(k, bp, "cowwr");
}

/* readblock: the block's old contents, raw from the disk, through a pbuf,
 * bypassing the cache; the caller sleeps "physrd". */
static void
readblock(struct kern *k, int64_t b)
{
	struct buf *bp = getpbuf(k, NULL);

	bp->b_flags = B_READ | B_PAGING;
	bp->b_vp = NULL;
	bp->b_blkno = fsbtodb(&k->fs, blkstofrags(&k->fs, b));
	bp->b_bcount = bp->b_bufsize = k->fs.fs_bsize;
	bp->b_lockholder = curproc(k->sim);
	bp->b_error = 0;
	bstrategy(k, bp);
	if (biowait(k, bp, "physrd") != 0)
		k->cnt.bio_read_ignored++;	/* as bread_noerror */
	bp->b_flags = 0;
	bp->b_lockholder = NULL;
	relpbuf(k, bp, NULL);
}

/* The versions of block b's data as the disk holds them now (the copy
 * takes them). */
static void
copy_versions(struct kern *k, struct snapshot *sn, int64_t b)
{
	struct fs *fs = &k->fs;
	int i;

	if (k->bc.ver_disk == NULL)
		return;
	for (i = 0; i < fs->fs_frag; i++) {
		int64_t db = fsbtodb(fs, blkstofrags(fs, b) + i);
		gpointer v = g_hash_table_lookup(k->bc.ver_disk, &db);

		if (v != NULL) {
			int64_t *key = g_new(int64_t, 1);

			*key = db;
			g_hash_table_insert(sn->sn_copied, key, v);
		}
	}
}

/*
 * The snapshot's pointer for fs block b once no copy of b into it is
 * under way (a concurrent writer of b waits for that copy, "cowwr"):
 * returned with nothing slept on since it was read, so that a caller
 * finding 0 can mark the block busy before anyone else looks.
 */
static int64_t
snap_ptr(struct kern *k, struct snapshot *sn, int64_t b)
{
	GHashTable *busy = sn->sn_busy;	/* stays while anyone waits */

	for (;;) {
		int64_t v = snap_get(k, sn, b, true);

		if (!g_hash_table_contains(busy, GSIZE_TO_POINTER((gsize)b)))
			return v;
		while (g_hash_table_contains(busy, GSIZE_TO_POINTER((gsize)b)))
			tsleep(k->sim, busy, "cowwr", 0);
	}
}

/*
 * Give snapshot sn a private copy of fs block b (its pointer was 0; the
 * caller saw that with snap_ptr, without sleeping since).  The block is
 * marked busy first — allocating may sleep — so that a concurrent writer
 * or freer of it waits for the copy rather than copying again, claiming
 * it, or going ahead.  The old contents were read already when
 * *have_old.
 */
static void
snap_copy(struct kern *k, struct snapshot *sn, int64_t b, bool *have_old)
{
	struct fs *fs = &k->fs;
	GHashTable *busy = sn->sn_busy;
	int64_t nb;
	struct buf *bp;

	g_hash_table_add(busy, GSIZE_TO_POINTER((gsize)b));
	if (ffs_alloc_blk(k, sn->sn_ip, b, fs->fs_bsize, &nb) != 0)
		goto out;		/* full: the snapshot loses the block */
	ffs_blk_set(sn->sn_ip, b, nb);	/* claimed in core at once */
	if (!*have_old && ffs_online(k)) {
		readblock(k, b);
		k->cnt.cow_reads++;
		*have_old = true;
	}
	copy_versions(k, sn, b);
	k->cnt.cow_copies++;
	if (ffs_online(k)) {
		bp = getblk(k, sn->sn_vp, b, fs->fs_bsize);
		vfs_bio_clrbuf(k, bp);
		bp->b_blkno = fsbtodb(fs, nb);
		bp->b_flags |= B_VALIDSUSPWRT;
		bio_note_version(k, bp);
		(void)bwrite_wmesg(k, bp, "cowwr");
	}
	snap_put_ptr(k, sn, b, nb);	/* and on disk, before the original */
out:
	g_hash_table_remove(busy, GSIZE_TO_POINTER((gsize)b));
	wakeup(k->sim, busy);
}

/* Writes of a snapshot's own blocks need no copy in any snapshot: an
 * older snapshot's blocks are BLK_SNAP in a newer one, a newer one's were
 * free (BLK_NOCOPY) when the older was taken. */
static bool
is_snapshot_vnode(const struct kern *k, const struct vnode *vp)
{
	int i;

	for (i = 0; vp != NULL && i < k->nsnaps; i++)
		if (k->snaps[i].sn_vp == vp)
			return true;
	return false;
}

/*
 * ffs_copyonwrite: bp is about to be written to the disk.  Every fs block
 * it covers that a snapshot still shares is copied for that snapshot
 * first.  Looking a pointer up or copying may sleep; if a snapshot was
 * removed meanwhile the list has moved, and the block is looked at again
 * (what was copied stays copied).
 */
void
ffs_copyonwrite(struct kern *k, struct buf *bp)
{
	struct fs *fs = &k->fs;
	int64_t f = dbtofsb(fs, bp->b_blkno);
	int64_t b, first = fragstoblks(fs, f);
	int64_t last = fragstoblks(fs, f + numfrags(fs, bp->b_bcount) - 1);
	int i;

	if (is_snapshot_vnode(k, bp->b_vp))
		return;
	for (b = first; b <= last; b++) {
		bool have_old = false;
		uint64_t gen;

again:
		gen = k->snap_gen;
		for (i = 0; i < k->nsnaps; i++) {
			struct snapshot *sn = &k->snaps[i];

			k->cnt.cow_checks++;
			if (snap_ptr(k, sn, b) == 0)
				snap_copy(k, sn, b, &have_old);
			if (k->snap_gen != gen)
				goto again;
		}
	}
}

/*
 * ffs_snapblkfree: size bytes at fragment bno are being freed.  A whole
 * block a snapshot still shares is claimed by the first such snapshot —
 * its pointer becomes the block's own address, and the free is cancelled
 * (returns true).  A fragment is copied for each snapshot sharing it, and
 * the free goes on.  A block kept for an older snapshot (BLK_SNAP) is of
 * no interest once freed (BLK_NOCOPY).
 */
bool
ffs_snapblkfree(struct kern *k, int64_t bno, int size)
{
	struct fs *fs = &k->fs;
	int64_t b = fragstoblks(fs, bno);
	bool have_old = false;
	uint64_t gen;
	int i;

again:
	gen = k->snap_gen;
	for (i = 0; i < k->nsnaps; i++) {
		struct snapshot *sn = &k->snaps[i];
		int64_t v = snap_ptr(k, sn, b);

		if (v == BLK_SNAP) {
			snap_put_ptr(k, sn, b, BLK_NOCOPY);
		} else if (v == 0 && size == fs->fs_bsize) {
			sn->sn_ip->i_blocks += fs->fs_bsize / DEV_BSIZE;
			k->cnt.snap_claims++;
			snap_put_ptr(k, sn, b, bno);
			return true;
		} else if (v == 0)
			snap_copy(k, sn, b, &have_old);
		if (k->snap_gen != gen)
			goto again;
	}
	return false;
}

/*
 * Group c's map is about to be read by an allocation (ffs_alloccg and its
 * kin, through cg_read) while ffs_snapshot holds some group's map.  2001's
 * ffs_snapshot held each map through its group while it wrote the map's
 * copy and the snapshot's indirect blocks; each of those writes went
 * through ffs_copyonwrite, which checked every older snapshot (it skipped
 * only the snapshot whose own block was written, `bp->b_vp == vp`; the new
 * one was not on the i_copyonwrite list yet).  An older snapshot still
 * sharing the written block (its pointer 0: an earlier copy of it failed
 * for lack of space) had a copy allocated (VOP_BALLOC with B_NOWAIT, a
 * one-tick "nap" and a retry on EWOULDBLOCK), and ffs_alloccg's plain
 * bread of the map would then re-lock a buffer the process itself held:
 * lockmgr's "locking against myself" panic (as ffs_snapshot.c 8.11 of
 * 7/23/00 reads; lockmgr's text of FreeBSD's line, not its 2001 revision,
 * was read, and whether 2001's ffs_balloc carried B_NOWAIT to the map's
 * read was not).  There and only there the model diverges: the holder
 * lets the map go (bqrelse) so that its own copy may take it (counted in
 * mnt_snapcg_lent); ffs_snapshot's scan reads the in-core
 * map, and the copy's block, now allocated, is the older snapshot's
 * (BLK_SNAP in the new one by snap_mark_older).  Anyone else wanting the
 * held map waits for it ("getblk") as in 2001.
 */
void
ffs_snapcg_wanted(struct kern *k, int c)
{
	struct buf *bp = k->mnt.mnt_snapcgbp;

	if (bp == NULL || bp->b_lockholder != curproc(k->sim) ||
	    bp->b_blkno != fsbtodb(&k->fs, cgtod(&k->fs, c)))
		return;
	KASSERT(k->mnt.mnt_snapowner == curproc(k->sim),
	    ("ffs_snapcg_wanted: map held by a process not taking a snapshot"));
	k->mnt.mnt_snapcgbp = NULL;
	k->mnt.mnt_snapcg_lent++;
	bqrelse(k, bp);
}

/* ---- taking one ------------------------------------------------------- */

/* One snapshot is taken or removed at a time: a second mksnap_ffs waits
 * ("snaplk"), or it would find writes already suspended by the first and
 * resume them under its feet. */
static void
snap_lock(struct kern *k)
{
	struct sim_proc *me = curproc(k->sim);

	while (k->mnt.mnt_snapowner != NULL && k->mnt.mnt_snapowner != me)
		tsleep(k->sim, &k->mnt.mnt_snapowner, "snaplk", 0);
	k->mnt.mnt_snapowner = me;
	k->mnt.mnt_snapdepth++;
}

static void
snap_unlock(struct kern *k)
{
	KASSERT(k->mnt.mnt_snapdepth > 0, ("snap_unlock: not locked"));
	if (--k->mnt.mnt_snapdepth == 0) {
		k->mnt.mnt_snapowner = NULL;
		wakeup(k->sim, &k->mnt.mnt_snapowner);
	}
}

/*
 * A block for the snapshot at logical n (the copy of a map, of the
 * superblock or summary, or the shadow of a snapshot's inode block),
 * allocated while the file system is live — and written, as ffs_snapshot
 * does ("this upsets the soft update code, so we go ahead and write the
 * new buffers": UFS_BALLOC, then bawrite); the VOP_FSYNC before the
 * suspension waits for these writes.
 */
static int64_t
snap_prealloc(struct kern *k, struct snapshot *sn, int64_t n)
{
	int64_t nb;
	struct buf *bp;

	if (ffs_blk_get(sn->sn_ip, n) != 0)
		return ffs_blk_get(sn->sn_ip, n);
	if (ffs_alloc_blk(k, sn->sn_ip, n, k->fs.fs_bsize, &nb) != 0)
		return 0;
	ffs_blk_set(sn->sn_ip, n, nb);
	if (ffs_online(k)) {
		bp = getblk(k, sn->sn_vp, n, k->fs.fs_bsize);
		vfs_bio_clrbuf(k, bp);
		bp->b_blkno = fsbtodb(&k->fs, nb);
		bio_note_version(k, bp);
		bawrite(k, bp);
	}
	return nb;
}

/*
 * While suspended: the snapshot's copy of the whole of fs block n (a
 * cylinder-group map, the superblock, the summary — and whatever file
 * fragments share their block) is made from the block as it is now, into
 * the block preallocated for it (bread of the snapshot's block: cached,
 * it was just written), and written asynchronously (bawrite, a write
 * allowed during suspension: B_VALIDSUSPWRT).  With raw, the block is
 * read raw from the disk first (readblock: the shadows of the snapshots'
 * inode blocks, the summary's last block); with delayed it is left a
 * delayed write (the shadows) instead.
 */
static void
snap_copy_now(struct kern *k, struct snapshot *sn, int64_t n, bool raw,
    bool delayed)
{
	struct buf *bp;

	if (ffs_blk_get(sn->sn_ip, n) == 0)
		return;
	if (raw && ffs_online(k))
		readblock(k, n);
	copy_versions(k, sn, n);
	if (!ffs_online(k))
		return;
	bread_noerror(k, sn->sn_vp, n, k->fs.fs_bsize, &bp);
	bp->b_flags |= B_VALIDSUSPWRT;
	bio_note_version(k, bp);
	if (delayed)
		bdwrite(k, bp);
	else
		bawrite(k, bp);
}

/* While suspended: the snapshot's indirect block with metadata lbn m,
 * its pointers set, written — asynchronously, or left delayed. */
static void
snap_indir_write(struct kern *k, struct snapshot *sn, int64_t m, bool delayed)
{
	struct buf *bp;

	bread_noerror(k, sn->sn_vp, m, k->fs.fs_bsize, &bp);
	bp->b_flags |= B_VALIDSUSPWRT;
	bio_note_version(k, bp);
	if (delayed)
		bdwrite(k, bp);
	else
		bawrite(k, bp);
}

static struct vnode *
snap_dir(struct kern *k)
{
	struct vnode *root = vn_root(k), *vp = vn_child(k, root, ".snap");

	if (vp == NULL && vn_create(k, root, ".snap", VDIR, &vp) != 0)
		return NULL;
	return vp;
}

static int
snap_find(struct kern *k, const char *name)
{
	int i;

	for (i = 0; i < k->nsnaps; i++)
		if (strcmp(k->snaps[i].sn_name, name) == 0)
			return i;
	return -1;
}

/* The snapshot's pointer for fs block n changed: note the single
 * indirect block that holds it (by its first lbn's section), if any. */
static void
ptr_dirty(const struct fs *fs, GHashTable *dirty, int64_t n)
{
	if (n >= NDADDR)
		g_hash_table_add(dirty,
		    GSIZE_TO_POINTER((gsize)((n - NDADDR) / fs->fs_nindir)));
}

/* Mark in sn every block the older snapshot o holds (its copies, claimed
 * blocks and indirect blocks) BLK_SNAP: not shared, not to be copied. */
static void
snap_mark_older(struct kern *k, struct snapshot *sn, struct snapshot *o,
    GHashTable *dirty)
{
	struct fs *fs = &k->fs;
	int64_t n, nblk = fragstoblks(fs, fs->fs_size);
	GHashTableIter it;
	gpointer key, val;

	/* expunge: the older one's map is read through its indirect blocks */
	if (o->sn_ip->i_ind != NULL && ffs_online(k)) {
		GArray *lbns = g_array_new(FALSE, FALSE, sizeof(int64_t));
		guint j;

		g_hash_table_iter_init(&it, o->sn_ip->i_ind);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			int64_t l = (int64_t)GPOINTER_TO_SIZE(key);

			g_array_append_val(lbns, l);
		}
		g_array_sort(lbns, cmp_int64);
		for (j = 0; j < lbns->len; j++) {
			struct buf *bp;

			bread_noerror(k, o->sn_vp, g_array_index(lbns, int64_t, j),
			    fs->fs_bsize, &bp);
			bqrelse(k, bp);
		}
		g_array_free(lbns, TRUE);
	}
	for (n = 0; n < nblk; n++) {
		int64_t v = ffs_blk_get(o->sn_ip, n);

		if (v > BLK_SNAP && fragstoblks(fs, v) < nblk &&
		    ffs_blk_get(sn->sn_ip, fragstoblks(fs, v)) == 0) {
			ffs_blk_set(sn->sn_ip, fragstoblks(fs, v), BLK_SNAP);
			ptr_dirty(fs, dirty, fragstoblks(fs, v));
		}
	}
	if (o->sn_ip->i_ind == NULL)
		return;
	g_hash_table_iter_init(&it, o->sn_ip->i_ind);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		int64_t b = fragstoblks(fs, (int64_t)GPOINTER_TO_SIZE(val));

		if (ffs_blk_get(sn->sn_ip, b) == 0)
			ffs_blk_set(sn->sn_ip, b, BLK_SNAP);
	}
}

/* The distinct fs blocks holding the inodes of sn and of the older
 * snapshots (ffs_snapshot's inoblks[]). */
static int
snap_inoblks(struct kern *k, struct snapshot *sn, int64_t *inoblks)
{
	int i, j, n = 0;

	for (i = -1; i < k->nsnaps; i++) {
		struct inode *ip = i < 0 ? sn->sn_ip : k->snaps[i].sn_ip;
		int64_t b = fragstoblks(&k->fs, ino_to_fsba(&k->fs,
		    ip->i_number));

		for (j = 0; j < n && inoblks[j] != b; j++)
			continue;
		if (j == n)
			inoblks[n++] = b;
	}
	return n;
}

static int
snap_take(struct kern *k, const char *name)
{
	struct fs *fs = &k->fs;
	int64_t nblk = fragstoblks(fs, fs->fs_size), n, t0 = sim_now(k->sim), ts;
	struct snapshot *sn;
	struct vnode *dvp, *vp;
	GHashTable *dirty;
	int64_t inoblks[FSMAXSNAP + 1];
	int64_t ncs = (fs->fs_cssize + fs->fs_bsize - 1) / fs->fs_bsize;
	int c, i, error, nino;

	if (k->nsnaps == FSMAXSNAP)
		return ENOSPC;
	if (snap_find(k, name) >= 0)
		return EEXIST;
	/* 1. The file, under write gating like any create. */
	vn_start_write(k);
	if ((dvp = snap_dir(k)) == NULL) {
		vn_finished_write(k);
		return ENOSPC;
	}
	error = vn_create(k, dvp, name, VREG, &vp);
	if (error != 0) {
		vn_finished_write(k);
		return error;
	}
	vref(vp);			/* held while it is on the list */
	sn = &k->snaps[k->nsnaps];
	memset(sn, 0, sizeof(*sn));
	sn->sn_name = g_strdup(name);
	sn->sn_ip = vp->v_data;
	sn->sn_ip->i_snapshot = true;	/* SF_SNAPSHOT: read-only to all */
	sn->sn_vp = vp;
	sn->sn_copied = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);
	sn->sn_busy = g_hash_table_new(g_direct_hash, g_direct_equal);
	k->snap_partial = true;
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	sn->sn_ip->i_size = lblktosize(fs, nblk);
	/* 2. Every indirect block it will need, each written (delayed), and
	 * a block for its copy of each cylinder-group map, the superblock
	 * and the summary — while the file system is live. */
	for (n = NDADDR; n < nblk; n += fs->fs_nindir) {
		int64_t mlbn[NIADDR + 2];
		int num = snap_lbns(k, n, mlbn), j;

		for (j = 1; j < num; j++) {
			int64_t nb;
			struct buf *bp;

			if (ffs_blk_get(sn->sn_ip, mlbn[j]) != 0)
				continue;
			if (ffs_alloc_blk(k, sn->sn_ip, n, fs->fs_bsize, &nb) != 0)
				goto full;
			ffs_blk_set(sn->sn_ip, mlbn[j], nb);
			if (ffs_online(k)) {
				bp = getblk(k, vp, mlbn[j], fs->fs_bsize);
				bp->b_blkno = fsbtodb(fs, nb);
				vfs_bio_clrbuf(k, bp);
				bio_note_version(k, bp);
				bdwrite(k, bp);
			}
		}
	}
	/* Shadows of the snapshots' inode blocks (this one's and the older
	 * ones'), so that their copies can be expunged without allocating
	 * while suspended; then the maps, the superblock, the summary. */
	nino = snap_inoblks(k, sn, inoblks);
	for (i = 0; i < nino; i++)
		if (snap_prealloc(k, sn, inoblks[i]) == 0)
			goto full;
	for (c = 0; c < fs->fs_ncg; c++)
		if (snap_prealloc(k, sn, fragstoblks(fs, cgtod(fs, c))) == 0)
			goto full;
	if (snap_prealloc(k, sn, fragstoblks(fs, fs->fs_sblkno)) == 0)
		goto full;
	for (n = 0; n < ncs; n++)
		if (snap_prealloc(k, sn, fragstoblks(fs, fs->fs_csaddr) + n) == 0)
			goto full;
	(void)VOP_FSYNC(k, vp, MNT_WAIT);

	/* 3. Suspend: wait for the writes in progress, sync everything. */
	vn_finished_write(k);
	ts = sim_now(k->sim);
	vfs_write_suspend(k);
	sn->sn_susp_dirty = k->bc.numdirtybuffers;
	sn->sn_susp_running = k->bc.runningbufspace;

	/*
	 * 4. While suspended, as the 2001 ffs_snapshot does it — before
	 * McKusick's cc5a92334f (2001-12-14) moved the first pass over the
	 * maps ahead of the suspension: every group's map is read (bread:
	 * from the disk unless cached) and copied (bawrite); every block
	 * free in it is marked BLK_NOCOPY, through the snapshot's indirect
	 * blocks, each written (bawrite) once the scan has passed it — the
	 * group's last left delayed (bdwrite) for the next group to go on
	 * with.  Then the superblock and summary are copied (the summary's
	 * last block read raw first), the snapshots' inode blocks read raw
	 * into their shadows (bdwrite), and the older snapshots' blocks
	 * marked BLK_SNAP.  Nothing here waits for those writes: writing
	 * resumes right after (the VOP_FSYNC after resumption does).  So
	 * the window is the sync, plus a map read and the writes of about
	 * two blocks per group, plus the indirect blocks of a file as large
	 * as the file system: it grows with the file system's size.
	 */
	dirty = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (c = 0; c < fs->fs_ncg; c++) {
		int64_t base = fragstoblks(fs, cgbase(fs, c));
		int64_t end = fragstoblks(fs, MIN(cgbase(fs, c) + fs->fs_fpg,
		    fs->fs_size));
		int64_t first, last, m;
		struct buf *cbp = NULL;

		/* The map is read and held through the group, as 2001's
		 * ffs_snapshot held it (bread, then bqrelse only after its
		 * copy and the full indirect blocks were written); should a
		 * copy for an older snapshot, made by one of those writes,
		 * need this very map, ffs_snapcg_wanted lets it go then. */
		if (ffs_online(k)) {
			bread_noerror(k, fs->fs_devvp, fsbtodb(fs, cgtod(fs, c)),
			    fs->fs_bsize, &cbp);
			k->mnt.mnt_snapcgbp = cbp;
		}
		snap_copy_now(k, sn, fragstoblks(fs, cgtod(fs, c)), false,
		    false);
		for (n = base; n < end; n++)
			if (ffs_isblkfree(fs, blkstofrags(fs, n)) &&
			    ffs_blk_get(sn->sn_ip, n) == 0) {
				ffs_blk_set(sn->sn_ip, n, BLK_NOCOPY);
				ptr_dirty(fs, dirty, n);
			}
		/* the single indirect blocks that map [base, end): each
		 * full one written (bawrite), the map let go, the group's
		 * last left delayed (bdwrite) — 2001's order */
		first = (MAX(base, NDADDR) - NDADDR) / fs->fs_nindir;
		last = end > NDADDR ? (end - 1 - NDADDR) / fs->fs_nindir : -1;
		for (m = first; ffs_online(k) && m <= last; m++) {
			int64_t mlbn[NIADDR + 2];
			int num = snap_lbns(k, NDADDR + m * fs->fs_nindir, mlbn);

			if (m == last && k->mnt.mnt_snapcgbp != NULL) {
				bqrelse(k, k->mnt.mnt_snapcgbp);
				k->mnt.mnt_snapcgbp = NULL;
			}
			if (num > 1)
				snap_indir_write(k, sn, mlbn[num - 1], m == last);
			g_hash_table_remove(dirty, GSIZE_TO_POINTER((gsize)m));
		}
		if (k->mnt.mnt_snapcgbp != NULL) {
			bqrelse(k, k->mnt.mnt_snapcgbp);
			k->mnt.mnt_snapcgbp = NULL;
		}
	}
	snap_copy_now(k, sn, fragstoblks(fs, fs->fs_sblkno), false, false);
	for (n = 0; n < ncs; n++)
		snap_copy_now(k, sn, fragstoblks(fs, fs->fs_csaddr) + n,
		    n == ncs - 1, false);
	for (i = 0; i < nino; i++)
		snap_copy_now(k, sn, inoblks[i], true, true);
	for (i = 0; i < k->nsnaps; i++)
		snap_mark_older(k, sn, &k->snaps[i], dirty);
	/* The pointer blocks the older snapshots' marks changed are left
	 * dirty (bdwrite), as the snapshot's own; the fsync after the
	 * resumption writes them and the inode. */
	if (ffs_online(k)) {
		GHashTableIter it;
		gpointer key;
		GArray *idx = g_array_new(FALSE, FALSE, sizeof(int64_t));
		guint j;

		g_hash_table_iter_init(&it, dirty);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			int64_t x = (int64_t)GPOINTER_TO_SIZE(key);

			g_array_append_val(idx, x);
		}
		g_array_sort(idx, cmp_int64);
		for (j = 0; j < idx->len; j++) {
			int64_t mlbn[NIADDR + 2];
			int num = snap_lbns(k, NDADDR + g_array_index(idx,
			    int64_t, j) * fs->fs_nindir, mlbn);

			if (num > 1)
				snap_indir_write(k, sn, mlbn[num - 1], true);
		}
		g_array_free(idx, TRUE);
	}
	g_hash_table_destroy(dirty);

	/* 5. Linked; writing resumes. */
	sn->sn_created = sim_now(k->sim);
	sn->sn_susp_start = ts;
	sn->sn_susp_end = sim_now(k->sim);
	k->snap_partial = false;
	k->nsnaps++;
	vfs_write_resume(k);
	k->cnt.snap_suspend_ns += sim_now(k->sim) - ts;
	k->cnt.snap_suspend_max_ns = MAX(k->cnt.snap_suspend_max_ns,
	    sim_now(k->sim) - ts);
	(void)VOP_FSYNC(k, vp, MNT_WAIT);
	VOP_UNLOCK(k, vp);
	k->cnt.snap_creates++;
	k->cnt.snap_create_ns += sim_now(k->sim) - t0;
	return 0;
full:
	k->snap_partial = false;
	sn->sn_ip->i_snapshot = false;
	VOP_UNLOCK(k, vp);
	vn_finished_write(k);
	g_free(sn->sn_name);
	g_hash_table_destroy(sn->sn_copied);
	g_hash_table_destroy(sn->sn_busy);
	(void)vn_remove(k, dvp, name, false);
	vrele(k, vp);
	return ENOSPC;
}

/*
 * ffs_snapshot: take snapshot name (a file in /.snap).  Returns 0, ENOSPC
 * (FSMAXSNAP reached, or no room), EEXIST.
 */
int
ffs_snapshot(struct kern *k, const char *name)
{
	int error;

	snap_lock(k);
	error = snap_take(k, name);
	snap_unlock(k);
	return error;
}

/*
 * ffs_snapgone: the last name of snapshot file ip is gone (ufs_remove, as
 * rm /.snap/NAME does).  It leaves the list — copies into it under way
 * finish first — and its pointers of no interest go back to 0; blocks it
 * claimed are offered to the other snapshots (the first that still needs
 * one takes it).  The rest — its copies, claims no one took — are freed
 * with the file, when the caller drops the reference the list held, by
 * the truncation as for any file (2001's ffs_truncate called
 * ffs_snapremove, which clears BLK_NOCOPY/BLK_SNAP and passes claims on,
 * and then, on a soft-updates mount, softdep_setup_freeblocks).  False if
 * ip is not a live snapshot.
 */
bool
ffs_snapgone(struct kern *k, struct inode *ip)
{
	struct fs *fs = &k->fs;
	int64_t n, nblk = fragstoblks(fs, fs->fs_size);
	struct snapshot sn;
	int i, j;

	snap_lock(k);
	for (;;) {
		for (i = 0; i < k->nsnaps && k->snaps[i].sn_ip != ip; i++)
			continue;
		if (i == k->nsnaps) {
			snap_unlock(k);
			return false;
		}
		if (g_hash_table_size(k->snaps[i].sn_busy) == 0)
			break;
		tsleep(k->sim, k->snaps[i].sn_busy, "cowwr", 0);
	}
	sn = k->snaps[i];
	for (j = i; j + 1 < k->nsnaps; j++)
		k->snaps[j] = k->snaps[j + 1];
	k->nsnaps--;
	k->snap_gen++;
	ip->i_snapshot = false;
	(void)vn_lock(k, sn.sn_vp, LK_EXCLUSIVE);
	for (n = 0; n < nblk; n++) {
		int64_t v = ffs_blk_get(ip, n);

		if (v == BLK_NOCOPY || v == BLK_SNAP)
			ffs_blk_set(ip, n, 0);
		else if (v > BLK_SNAP && fragstoblks(fs, v) == n &&
		    ffs_snapblkfree(k, v, fs->fs_bsize)) {
			/* another snapshot took the claim over */
			ffs_blk_set(ip, n, 0);
			ip->i_blocks -= fs->fs_bsize / DEV_BSIZE;
		}
		/* else a claim no one wants stays in the file, freed with
		 * its copies by the truncation (2001's ffs_snapremove leaves
		 * it for ffs_truncate: under soft updates
		 * softdep_setup_freeblocks, once the cleared inode is on the
		 * disk — never free in the map while the disk's snapshot
		 * file still points at it). */
	}
	VOP_UNLOCK(k, sn.sn_vp);
	k->cnt.snap_removes++;
	g_hash_table_destroy(sn.sn_copied);
	g_hash_table_destroy(sn.sn_busy);
	g_free(sn.sn_name);
	snap_unlock(k);
	return true;
}

/*
 * ffs_snapremove: remove snapshot name, as rm /.snap/NAME would: its name
 * goes, and with it the snapshot (ffs_snapgone).  One renamed out of
 * /.snap is let go of where it is.  Returns 0 or ENOENT.
 */
int
ffs_snapremove(struct kern *k, const char *name)
{
	struct vnode *dvp, *vp;
	int i, error;

	snap_lock(k);
	if ((i = snap_find(k, name)) < 0) {
		snap_unlock(k);
		return ENOENT;
	}
	vp = k->snaps[i].sn_vp;
	vn_start_write(k);
	dvp = snap_dir(k);
	/* (EIO from vn_remove: the name went, only its directory block's
	 * write failed — the snapshot went with it) */
	if (dvp == NULL || vn_child(k, dvp, name) != vp ||
	    ((error = vn_remove(k, dvp, name, false)) != 0 && error != EIO)) {
		if (ffs_snapgone(k, vp->v_data))
			vrele(k, vp);
	}
	vn_finished_write(k);
	snap_unlock(k);
	return 0;
}

int64_t
ffs_snap_version(struct kern *k, int i, ufs2_daddr_t db)
{
	struct fs *fs = &k->fs;
	struct snapshot *sn = &k->snaps[i];
	int64_t b = fragstoblks(fs, dbtofsb(fs, db)), v;
	gpointer p;

	v = ffs_blk_get(sn->sn_ip, b);
	if (v == BLK_NOCOPY || v == BLK_SNAP)
		return 0;
	if (v > BLK_SNAP && fragstoblks(fs, v) != b) {
		p = g_hash_table_lookup(sn->sn_copied, &db);
		return p != NULL ? (int64_t)GPOINTER_TO_SIZE(p) : -1;
	}
	/* shared, or claimed: the live block on disk */
	if (k->bc.ver_disk == NULL)
		return -1;
	p = g_hash_table_lookup(k->bc.ver_disk, &db);
	return p != NULL ? (int64_t)GPOINTER_TO_SIZE(p) : -1;
}

/* The end of a run: the snapshots' bookkeeping goes (their files stay). */
void
ffs_snapshot_unmount(struct kern *k)
{
	int i;

	/* and one a stopped run was still taking */
	for (i = 0; i < k->nsnaps + (k->snap_partial ? 1 : 0); i++) {
		g_hash_table_destroy(k->snaps[i].sn_copied);
		g_hash_table_destroy(k->snaps[i].sn_busy);
		g_free(k->snaps[i].sn_name);
	}
	k->nsnaps = 0;
	k->snap_partial = false;
}
