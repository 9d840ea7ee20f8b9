/*
 * ffs_risk.c — what a crash at this instant would lose of what processes
 * wrote: the data at risk.
 *
 * After a crash fsck finds what the disk holds: a file is there if its
 * directory entry is on the disk (and its directory is, up to the root),
 * as large as the inode on the disk says, with the blocks the on-disk
 * pointers name.  So a byte a process wrote survives only if
 *   - its data block is on the disk (not a delayed write, not a write
 *     still in flight — a synchronous one included),
 *   - the inode on the disk covers it: an appended file's new size lives
 *     in its inode block, which ffs_update leaves a delayed write,
 *   - the pointer to a newly allocated block is on the disk: in the
 *     inode for a direct block, in an indirect block (a delayed write
 *     too) for the others,
 *   - a new file's directory entry is on the disk (else all of it is
 *     lost), and its inode was written at all.
 * The kernel of 2001 orders none of these writes beyond the synchronous
 * inode and directory writes of a create with synchronous metadata, so
 * each can be late: the syncer writes the file's data filedelay (or the
 * next sweep) after it was dirtied, and the inode block, on the device
 * vnode, metadelay after that vnode got dirty.
 *
 * How it is known: the buffer cache hands each change to a buffer a data
 * version (bio_note_version; increasing), and records, for every metadata
 * block, the latest version the disk holds (bio_meta_ondisk).  Here each
 * inode that is ahead of the disk keeps what the disk must receive: the
 * size ffs_update copied into its inode block, with that block's version;
 * the version of the directory block that got its entry; for each block
 * allocated, the version of the indirect block that got its pointer (or,
 * for a direct block, the count of allocations the inode's next write
 * carries).  ffs_at_risk resolves these against the disk, drops what has
 * arrived, and sums, in bytes processes actually wrote (a buffer keeps
 * the range written into it since it was last clean):
 *   - of every regular file not reachable on the disk: all of it;
 *   - of the others: the bytes past the on-disk size, the bytes of new
 *     blocks whose pointer is not on the disk yet, and the bytes written
 *     into buffers not yet on the disk, below the on-disk size;
 * with the time the oldest of them was written.  Unlinked files (a crash
 * frees them anyway), snapshot files and symbolic links do not count.
 *
 * This is the seam issue #16 (soft updates' ordering, crash recovery)
 * builds on: the per-block on-disk versions and, per inode, what it
 * waits for.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"

/* One ffs_update not yet known on the disk: the inode as it copied it. */
struct risk_upd {
	uint64_t	 ru_ver;	/* the inode block's version */
	int64_t		 ru_blk;	/* the inode block (device sector) */
	int64_t		 ru_size;
	uint64_t	 ru_aseq;	/* allocations it carries */
	sim_time_t	 ru_time;
};

/* A new block whose pointer the disk may not hold yet. */
struct risk_ptr {
	int64_t		 rp_blk;	/* the indirect block, or -1: direct */
	uint64_t	 rp_ver;	/* its version; direct: an allocation count */
};

struct ffs_risk {
	int64_t		 r_dsize;	/* size of the inode on the disk; -1:
					   not written since it was allocated */
	uint64_t	 r_daseq;	/* direct allocations the disk's has */
	uint64_t	 r_aseq;	/* direct allocations so far */
	int64_t		 r_dent_blk;	/* the directory block with its entry;
					   -1: none yet */
	uint64_t	 r_dent_ver;	/* ... at this version (0: on disk) */
	uint64_t	 r_dent_dir;	/* the directory's inode number */
	const void	*r_dent_key;	/* its entry (NULL: from before) */
	/* A newer name, while the file still has the one above (ufs_link;
	 * a rename's new name until the old one is removed); -1: none. */
	int64_t		 r_dent2_blk;
	uint64_t	 r_dent2_ver;
	uint64_t	 r_dent2_dir;
	const void	*r_dent2_key;
	GArray		*r_upd;		/* struct risk_upd, oldest first */
	GHashTable	*r_ptr;		/* lbn -> struct risk_ptr */
	sim_time_t	 r_since;	/* the oldest unsafe byte's write; -1 */
};

/* Files whose bytes count: not directories, snapshots or symbolic links
 * (a link's target is a name, not data a process wrote to a file). */
static bool
regular(const struct inode *ip)
{
	return !ip->i_isdir && !ip->i_snapshot && ip->i_symlink == NULL;
}

static struct ffs_risk *
risk_new(struct kern *k, struct inode *ip)
{
	struct ffs_risk *r = g_new0(struct ffs_risk, 1);

	r->r_dsize = ip->i_size;
	r->r_dent2_blk = -1;
	r->r_since = -1;
	r->r_upd = g_array_new(FALSE, FALSE, sizeof(struct risk_upd));
	ip->i_risk = r;
	g_hash_table_add(k->fs.fs_risky, ip);
	return r;
}

static void
risk_free(struct inode *ip)
{
	struct ffs_risk *r = ip->i_risk;

	if (r == NULL)
		return;
	g_array_free(r->r_upd, TRUE);
	if (r->r_ptr != NULL)
		g_hash_table_destroy(r->r_ptr);
	g_free(r);
	ip->i_risk = NULL;
}

/* The inode's state, made (as in step with the disk) if it had none. */
static struct ffs_risk *
risk_of(struct kern *k, struct inode *ip)
{
	return ip->i_risk != NULL ? ip->i_risk : risk_new(k, ip);
}

void
ffs_risk_clear(struct fs *fs)
{
	GHashTableIter it;
	gpointer key;

	if (fs->fs_risky == NULL)
		return;
	g_hash_table_iter_init(&it, fs->fs_risky);
	while (g_hash_table_iter_next(&it, &key, NULL))
		risk_free(key);
	g_hash_table_remove_all(fs->fs_risky);
}

/* The starting file system is on the disk as it is. */
void
ffs_risk_settle_all(struct kern *k)
{
	ffs_risk_clear(&k->fs);
}

void
ffs_risk_forget(struct fs *fs, struct inode *ip)
{
	if (ip->i_risk == NULL)
		return;
	g_hash_table_remove(fs->fs_risky, ip);
	risk_free(ip);
}

/* Something is about to change ip that the disk will have to catch up
 * with: note where the disk is first (its size, before the change). */
void
ffs_risk_touch(struct kern *k, struct inode *ip)
{
	if (ffs_online(k) && regular(ip))
		(void)risk_of(k, ip);
}

/* A new inode: nothing of it is on the disk — no inode, no entry. */
void
ffs_risk_valloc(struct kern *k, struct inode *ip)
{
	struct ffs_risk *r;

	if (!ffs_online(k))
		return;
	r = risk_of(k, ip);
	r->r_dsize = -1;
	r->r_dent_blk = -1;
	r->r_dent_ver = 0;
}

/* ffs_update copied the inode into bp (whose version the caller noted). */
void
ffs_risk_update(struct kern *k, struct inode *ip, struct buf *bp)
{
	struct risk_upd u;

	if (ip->i_risk == NULL || !ffs_online(k))
		return;
	u.ru_ver = bp->b_version;
	u.ru_blk = bp->b_blkno;
	u.ru_size = ip->i_size;
	u.ru_aseq = ip->i_risk->r_aseq;
	u.ru_time = sim_now(k->sim);
	g_array_append_val(ip->i_risk->r_upd, u);
}

/* ip's name, entry key, went into directory dp's block bp (its version
 * noted): the name it is found by after a crash, once that block is on
 * the disk.  A file that has a name already keeps being found by that
 * one — a hard link (ufs_link) adds a name, it takes none away — so the
 * new one waits aside until the old is removed (a rename's: ufs_rename
 * enters the new name, then removes the old). */
void
ffs_risk_dirent(struct kern *k, struct inode *ip, struct inode *dp,
    struct buf *bp, const void *key)
{
	struct ffs_risk *r;

	if (!ffs_online(k))
		return;
	r = risk_of(k, ip);
	if (r->r_dent_blk == -1 || r->r_dent_key == key) {
		r->r_dent_blk = bp->b_blkno;
		r->r_dent_ver = bp->b_version;
		r->r_dent_dir = dp->i_number;
		r->r_dent_key = key;
	} else {
		r->r_dent2_blk = bp->b_blkno;
		r->r_dent2_ver = bp->b_version;
		r->r_dent2_dir = dp->i_number;
		r->r_dent2_key = key;
	}
}

/* ip's name, entry key, is being removed (ufs_dirremove).  If it is the
 * one the file is found by, the newer name takes over (the removal is
 * taken as on the disk at once: a crash may find the old name still
 * there, so this can only count more at risk, never less). */
void
ffs_risk_dirremove(struct kern *k, struct inode *ip, const void *key)
{
	struct ffs_risk *r = ip->i_risk;

	if (r == NULL || !ffs_online(k))
		return;
	if (r->r_dent2_blk != -1 && r->r_dent2_key == key) {
		r->r_dent2_blk = -1;		/* the newer name went */
		return;
	}
	if (r->r_dent2_blk == -1 ||
	    (r->r_dent_key != NULL && r->r_dent_key != key))
		return;
	r->r_dent_blk = r->r_dent2_blk;
	r->r_dent_ver = r->r_dent2_ver;
	r->r_dent_dir = r->r_dent2_dir;
	r->r_dent_key = r->r_dent2_key;
	r->r_dent2_blk = -1;
}

/* Block lbn of ip is newly allocated (or moved): its pointer is in ibp,
 * an indirect block whose version the caller noted, or, with ibp NULL,
 * in the inode, on the disk with the inode's next write. */
void
ffs_risk_newblock(struct kern *k, struct inode *ip, int64_t lbn,
    struct buf *ibp)
{
	struct ffs_risk *r;
	struct risk_ptr *p;

	if (!ffs_online(k) || !regular(ip))
		return;
	r = risk_of(k, ip);
	if (r->r_ptr == NULL)
		r->r_ptr = g_hash_table_new_full(g_direct_hash, g_direct_equal,
		    NULL, g_free);
	p = g_new(struct risk_ptr, 1);
	if (ibp == NULL) {
		p->rp_blk = -1;
		p->rp_ver = ++r->r_aseq;
	} else {
		p->rp_blk = ibp->b_blkno;
		p->rp_ver = ibp->b_version;
	}
	g_hash_table_insert(r->r_ptr, GSIZE_TO_POINTER((gsize)lbn), p);
}

/* A process wrote len bytes at boff into bp, a block of ip. */
void
ffs_risk_write(struct kern *k, struct inode *ip, struct buf *bp, int64_t boff,
    int64_t len)
{
	struct ffs_risk *r;

	if (!ffs_online(k) || !regular(ip))
		return;
	if (bp->b_dirtytime < 0) {
		bp->b_dirtytime = sim_now(k->sim);
		bp->b_dirtyoff = (int)boff;
		bp->b_dirtyend = (int)(boff + len);
	} else if (bp->b_dirtyend > 0) {
		bp->b_dirtyoff = MIN(bp->b_dirtyoff, (int)boff);
		bp->b_dirtyend = MAX(bp->b_dirtyend, (int)(boff + len));
	}
	r = risk_of(k, ip);
	if (r->r_since < 0)
		r->r_since = sim_now(k->sim);
}

/* Truncated to length: blocks past it have no pointer to wait for. */
void
ffs_risk_truncate(struct kern *k, struct inode *ip, int64_t length)
{
	GHashTableIter it;
	gpointer key;

	if (ip->i_risk == NULL || ip->i_risk->r_ptr == NULL)
		return;
	g_hash_table_iter_init(&it, ip->i_risk->r_ptr);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (lblktosize(&k->fs, (int64_t)GPOINTER_TO_SIZE(key)) >= length)
			g_hash_table_iter_remove(&it);
}

/* The trace's repairs: what they add (offline, mid-run) was on the disk
 * all along. */
void
ffs_risk_ondisk(struct kern *k, struct inode *ip)
{
	(void)k;
	if (ip->i_risk != NULL && ip->i_risk->r_dsize >= 0 &&
	    ip->i_risk->r_dsize < ip->i_size)
		ip->i_risk->r_dsize = ip->i_size;
}

/* ---- what the disk has ---------------------------------------------------- */

/* Bring r up to what the disk holds: the latest of ip's inode writes that
 * arrived, its entry, the pointers. */
static void
risk_resolve(struct kern *k, struct inode *ip)
{
	struct ffs_risk *r = ip->i_risk;
	guint i, last = 0;
	bool any = false;

	for (i = 0; i < r->r_upd->len; i++) {
		struct risk_upd *u = &g_array_index(r->r_upd, struct risk_upd, i);

		if (bio_meta_ondisk(k, u->ru_blk) >= u->ru_ver) {
			last = i;
			any = true;
		}
	}
	if (any) {
		struct risk_upd *u = &g_array_index(r->r_upd, struct risk_upd,
		    last);

		r->r_dsize = u->ru_size;
		r->r_daseq = MAX(r->r_daseq, u->ru_aseq);
		/* What is still past it was written after that write. */
		if (r->r_since >= 0)
			r->r_since = MAX(r->r_since, u->ru_time);
		g_array_remove_range(r->r_upd, 0, last + 1);
	}
	if (r->r_dent_ver != 0 && r->r_dent_blk >= 0 &&
	    bio_meta_ondisk(k, r->r_dent_blk) >= r->r_dent_ver)
		r->r_dent_ver = 0;
	/* A newer name on the disk too: the file is found by either, and
	 * by the older while it stays. */
	if (r->r_dent2_blk >= 0 && r->r_dent_ver == 0 &&
	    bio_meta_ondisk(k, r->r_dent2_blk) >= r->r_dent2_ver)
		r->r_dent2_blk = -1;
	if (r->r_ptr != NULL) {
		GHashTableIter it;
		gpointer val;

		g_hash_table_iter_init(&it, r->r_ptr);
		while (g_hash_table_iter_next(&it, NULL, &val)) {
			const struct risk_ptr *p = val;

			if (p->rp_blk < 0 ? r->r_daseq >= p->rp_ver :
			    bio_meta_ondisk(k, p->rp_blk) >= p->rp_ver)
				g_hash_table_iter_remove(&it);
		}
	}
}

/* Does a crash now leave ip where its name says?  A directory or file
 * with no state is in step with the disk; one with state needs its inode
 * written, its entry on the disk, and its directory reachable in turn. */
static bool
reachable(struct kern *k, struct inode *ip, int depth)
{
	struct ffs_risk *r = ip->i_risk;
	struct inode *dp;

	if (r == NULL || ip == k->fs.fs_root)
		return true;
	if (r->r_dsize < 0 || r->r_dent_blk < 0 || r->r_dent_ver != 0)
		return false;
	dp = g_hash_table_lookup(k->fs.fs_inodes, &r->r_dent_dir);
	if (dp == NULL || depth > 64)
		return true;		/* the name is gone: not ours to say */
	return reachable(k, dp, depth + 1);
}

/* Bytes of [from, to) that are below lim. */
static int64_t
below(int64_t from, int64_t to, int64_t lim)
{
	return MAX(0, MIN(to, lim) - from);
}

/* Where the disk's copy of ip ends: all of it is lost past this (all of
 * it if ip is not reachable). */
static int64_t
disk_reach(struct kern *k, struct inode *ip)
{
	if (ip->i_risk == NULL)
		return ip->i_size;
	if (!reachable(k, ip, 0))
		return 0;
	return MIN(ip->i_risk->r_dsize, ip->i_size);
}

static void
oldest_of(sim_time_t *oldest, sim_time_t t)
{
	if (t >= 0 && (*oldest < 0 || t < *oldest))
		*oldest = t;
}

void
ffs_at_risk(struct kern *k, int64_t *bytes, sim_time_t *oldest, int64_t *dirty)
{
	struct bufcache *bc = &k->bc;
	struct fs *fs = &k->fs;
	GHashTableIter it;
	gpointer key;
	int i;

	*bytes = *dirty = 0;
	*oldest = -1;
	/* The inodes first: what the disk has of them now. */
	g_hash_table_iter_init(&it, fs->fs_risky);
	while (g_hash_table_iter_next(&it, &key, NULL))
		risk_resolve(k, key);

	/* Data buffers not on the disk: what was written into them, below
	 * where the disk's copy of the file ends (past it, it is counted
	 * whole below). */
	for (i = 0; i < bc->nbuf; i++) {
		const struct buf *bp = &bc->bufs[i];
		struct inode *ip;
		int64_t start, from, to;

		if (bp->b_dirtytime < 0 || bp->b_vp == NULL ||
		    bp->b_vp->v_type != VREG || bp->b_lblkno < 0 ||
		    (ip = bp->b_vp->v_data) == NULL || !regular(ip))
			continue;
		*dirty += bp->b_bcount;
		if (ip->i_nlink == 0)
			continue;
		start = lblktosize(fs, bp->b_lblkno);
		from = start + (bp->b_dirtyend > 0 ? bp->b_dirtyoff : 0);
		to = start + (bp->b_dirtyend > 0 ? bp->b_dirtyend : bp->b_bcount);
		to = MIN(to, ip->i_size);
		if (below(from, to, disk_reach(k, ip)) > 0) {
			*bytes += below(from, to, disk_reach(k, ip));
			oldest_of(oldest, bp->b_dirtytime);
		}
	}

	/* Then, per file: past the disk's end, and new blocks the disk has
	 * no pointer to (those not counted as buffers above). */
	g_hash_table_iter_init(&it, fs->fs_risky);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct inode *ip = key;
		struct ffs_risk *r = ip->i_risk;
		int64_t reach, lost = 0;

		if (!regular(ip) || ip->i_nlink == 0)
			continue;
		reach = disk_reach(k, ip);
		lost = MAX(0, ip->i_size - reach);
		if (r->r_ptr != NULL) {
			GHashTableIter pit;
			gpointer lbn;

			g_hash_table_iter_init(&pit, r->r_ptr);
			while (g_hash_table_iter_next(&pit, &lbn, NULL)) {
				int64_t b = (int64_t)GPOINTER_TO_SIZE(lbn);
				struct buf *bp = ip->i_vnode != NULL ?
				    incore(k, ip->i_vnode, b) : NULL;

				if (bp != NULL && bp->b_dirtytime >= 0)
					continue;
				lost += below(lblktosize(fs, b),
				    lblktosize(fs, b + 1), reach);
			}
		}
		if (lost > 0) {
			*bytes += lost;
			oldest_of(oldest, r->r_since);
		}
	}

	/* In step with the disk again: no state to keep. */
	g_hash_table_iter_init(&it, fs->fs_risky);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct inode *ip = key;
		struct ffs_risk *r = ip->i_risk;

		if (r->r_upd->len == 0 && r->r_dsize == ip->i_size &&
		    r->r_dent_blk != -1 && r->r_dent_ver == 0 &&
		    r->r_dent2_blk == -1 &&
		    (r->r_ptr == NULL || g_hash_table_size(r->r_ptr) == 0) &&
		    reachable(k, ip, 0)) {
			g_hash_table_iter_remove(&it);
			risk_free(ip);
		}
	}
}
