/*
 * vnode.c — vnodes and the vnode-level operations: reference counts and
 * the buffer lists (vfs_subr.c), path lookup (vfs_lookup.c), read and write
 * through the buffer cache (vfs_vnops.c with ufs_readwrite.c's per-block
 * loop), fsync (ffs_fsync), truncation, and the namespace operations of
 * ufs_vnops.c on the in-core directory tree.
 *
 * First model: a vnode lives as long as its inode; path lookup charges a
 * fixed CPU cost per component (the name cache and directory blocks come
 * with the FFS model).
 */
#include "file.h"
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#define NAME_MAX_	255
#define PATH_MAX_	4096

static struct vnode *
getnewvnode(struct kern *k, struct inode *ip)
{
	struct vnode *vp = g_new0(struct vnode, 1);

	vp->v_number = ++k->nextvnode;
	vp->v_type = ip->i_isdir ? VDIR : VREG;
	TAILQ_INIT(&vp->v_cleanblkhd);
	TAILQ_INIT(&vp->v_dirtyblkhd);
	TAILQ_INIT(&vp->v_pages);
	vp->v_data = ip;
	ip->i_vnode = vp;
	k->numvnodes++;
	k->cnt.vnodes_created++;
	return vp;
}

static struct vnode *
vnode_of(struct kern *k, struct inode *ip)
{
	return ip->i_vnode != NULL ? ip->i_vnode : getnewvnode(k, ip);
}

struct vnode *
vn_root(struct kern *k)
{
	struct vnode *vp = vnode_of(k, k->fs.fs_root);

	vp->v_flag |= VROOT;
	return vp;
}

int64_t
vn_size(struct vnode *vp)
{
	return vp->v_data->i_size;
}

/* ---- reference counts and reclaiming --------------------------------- */

void
vref(struct vnode *vp)
{
	vp->v_usecount++;
}

void
vhold(struct vnode *vp)
{
	vp->v_holdcnt++;
}

/* The last reference to a file that has no name any more is gone: free its
 * blocks and inode (ufs_inactive + ufs_reclaim). */
static void
vfree_if_unused(struct kern *k, struct vnode *vp)
{
	struct inode *ip = vp->v_data;

	if (vp->v_usecount > 0 || vp->v_holdcnt > 0 || ip->i_nlink > 0 ||
	    (vp->v_flag & VROOT))
		return;
	KASSERT(TAILQ_EMPTY(&vp->v_dirtyblkhd) && TAILQ_EMPTY(&vp->v_cleanblkhd),
	    ("freeing a vnode with buffers"));
	/* The VM object goes with the vnode (vm_object_terminate). */
	vm_object_page_remove(k, vp, 0);
	KASSERT(vp->v_npages == 0, ("freeing a vnode with wired pages"));
	vn_syncer_remove(k, vp);
	ip->i_vnode = NULL;
	ffs_ifree(k, ip);
	k->numvnodes--;
	k->cnt.vnodes_freed++;
	g_free(vp);
}

void
vdrop(struct kern *k, struct vnode *vp)
{
	KASSERT(vp->v_holdcnt > 0, ("vdrop: holdcnt 0"));
	vp->v_holdcnt--;
	vfree_if_unused(k, vp);
}

/*
 * vrele: drop a use reference.  When the last one goes from a file that was
 * unlinked while open, the file is finally freed — its buffers are thrown
 * away without being written (vinvalbuf without V_SAVE), then the blocks.
 */
void
vrele(struct kern *k, struct vnode *vp)
{
	KASSERT(vp->v_usecount > 0, ("vrele: usecount 0"));
	if (--vp->v_usecount > 0)
		return;
	if (vp->v_data->i_nlink == 0 && !(vp->v_flag & VROOT)) {
		/* Keep it alive while buffers are invalidated (we may sleep
		 * on a buffer whose write is in flight). */
		vhold(vp);
		vinvalbuf_range(k, vp, 0);
		vdrop(k, vp);
	}
}

/*
 * reassignbuf: move a buffer between its vnode's clean and dirty lists.
 * The first dirty buffer puts the vnode on the syncer wheel; the last one
 * cleaned takes it off.  Dirty buffers are kept roughly in block order, as
 * [4x] did: at the head if smaller than the head, right after block lbn-1
 * if that is dirty, else at the tail.
 */
void
reassignbuf(struct kern *k, struct buf *bp, bool dirty)
{
	struct vnode *vp = bp->b_vp;

	if (bp->b_xflags & BX_VNDIRTY) {
		TAILQ_REMOVE(&vp->v_dirtyblkhd, bp, b_vnbufs);
		vp->v_ndirty--;
	} else if (bp->b_xflags & BX_VNCLEAN)
		TAILQ_REMOVE(&vp->v_cleanblkhd, bp, b_vnbufs);

	if (dirty) {
		struct buf *head = TAILQ_FIRST(&vp->v_dirtyblkhd), *prev;

		if (!(vp->v_flag & VONWORKLST))
			vn_syncer_add_to_worklist(k, vp, vp->v_type == VDIR ?
			    k->p.dirdelay : k->p.filedelay);
		if (head == NULL || bp->b_lblkno < head->b_lblkno)
			TAILQ_INSERT_HEAD(&vp->v_dirtyblkhd, bp, b_vnbufs);
		else if (bp->b_lblkno > 0 &&
		    (prev = incore(k, vp, bp->b_lblkno - 1)) != NULL &&
		    (prev->b_xflags & BX_VNDIRTY))
			TAILQ_INSERT_AFTER(&vp->v_dirtyblkhd, prev, bp, b_vnbufs);
		else
			TAILQ_INSERT_TAIL(&vp->v_dirtyblkhd, bp, b_vnbufs);
		bp->b_xflags = (bp->b_xflags & ~BX_VNCLEAN) | BX_VNDIRTY;
		vp->v_ndirty++;
	} else {
		TAILQ_INSERT_TAIL(&vp->v_cleanblkhd, bp, b_vnbufs);
		bp->b_xflags = (bp->b_xflags & ~BX_VNDIRTY) | BX_VNCLEAN;
		if (vp->v_ndirty == 0)
			vn_syncer_remove(k, vp);
	}
}

/* ---- lookup ---------------------------------------------------------- */

struct vnode *
vn_lookup_child(struct vnode *dvp, const char *name)
{
	struct inode *ip;

	if (dvp->v_type != VDIR)
		return NULL;
	ip = g_hash_table_lookup(dvp->v_data->i_dir, name);
	return ip != NULL ? ip->i_vnode : NULL;
}

/*
 * namei: walk path one component at a time from the root (absolute) or
 * dir (relative), charging cpu.lookup for each.  On success ni_dvp is the
 * directory holding the last component and ni_vp the object (NULL when the
 * last component does not exist: the caller may be creating it).
 */
int
namei(struct kern *k, struct vnode *dir, const char *path,
    struct nameidata *nd)
{
	struct vnode *dvp = path[0] == '/' || dir == NULL ? vn_root(k) : dir;
	const char *p = path, *end;
	size_t n;

	memset(nd, 0, sizeof(*nd));
	k->cnt.lookups++;
	if (path[0] == '\0')
		return ENOENT;
	if (strlen(path) >= PATH_MAX_)
		return ENAMETOOLONG;
	nd->ni_dvp = dvp;
	nd->ni_vp = dvp;		/* "/" or "." alone */
	for (;;) {
		struct inode *ip;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > NAME_MAX_)
			return ENAMETOOLONG;
		if (nd->ni_vp == NULL)
			return ENOENT;		/* a missing directory */
		if (nd->ni_vp->v_type != VDIR)
			return ENOTDIR;
		dvp = nd->ni_vp;
		k->cnt.components++;
		kern_cpu(k, k->p.cpu_lookup);
		memcpy(nd->ni_last, p, n);
		nd->ni_last[n] = '\0';
		nd->ni_dvp = dvp;
		if (n == 1 && p[0] == '.')
			nd->ni_vp = dvp;
		else if (n == 2 && p[0] == '.' && p[1] == '.')
			nd->ni_vp = vnode_of(k, dvp->v_data->i_parent);
		else {
			ip = g_hash_table_lookup(dvp->v_data->i_dir, nd->ni_last);
			nd->ni_vp = ip != NULL ? vnode_of(k, ip) : NULL;
		}
		nd->ni_ncomp++;
		p += n;
	}
}

/* ---- namespace changes ----------------------------------------------- */

int
vn_create(struct kern *k, struct vnode *dvp, const char *name, enum vtype type,
    struct vnode **vpp)
{
	struct inode *dp = dvp->v_data, *ip;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (dp->i_nlink == 0)
		return ENOENT;		/* the directory was removed */
	if (strlen(name) > NAME_MAX_)
		return ENAMETOOLONG;
	if (g_hash_table_contains(dp->i_dir, name))
		return EEXIST;
	ip = ffs_ialloc(k, type == VDIR);
	ip->i_nlink = type == VDIR ? 2 : 1;
	if (type == VDIR) {
		ip->i_parent = dp;
		dp->i_nlink++;
	}
	g_hash_table_insert(dp->i_dir, g_strdup(name), ip);
	*vpp = vnode_of(k, ip);
	return 0;
}

/* Another name for an existing file (link(2)). */
int
vn_link(struct kern *k, struct vnode *vp, struct vnode *dvp, const char *name)
{
	struct inode *dp = dvp->v_data;

	(void)k;
	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (vp->v_type == VDIR)
		return EPERM;
	if (strlen(name) > NAME_MAX_)
		return ENAMETOOLONG;
	if (g_hash_table_contains(dp->i_dir, name))
		return EEXIST;
	vp->v_data->i_nlink++;
	g_hash_table_insert(dp->i_dir, g_strdup(name), vp->v_data);
	return 0;
}

/* Drop one name of ip (already removed from its directory). */
static void
drop_name(struct kern *k, struct inode *ip)
{
	struct vnode *vp = vnode_of(k, ip);

	if (ip->i_isdir) {
		ip->i_parent->i_nlink--;
		ip->i_nlink = 0;
	} else
		ip->i_nlink--;
	if (ip->i_nlink == 0 && vp->v_usecount == 0) {
		vhold(vp);
		vinvalbuf_range(k, vp, 0);
		vdrop(k, vp);
	}
}

int
vn_remove(struct kern *k, struct vnode *dvp, const char *name, bool isdir)
{
	struct inode *dp = dvp->v_data, *ip;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	ip = g_hash_table_lookup(dp->i_dir, name);
	if (ip == NULL)
		return ENOENT;
	if (isdir) {
		if (!ip->i_isdir)
			return ENOTDIR;
		if (g_hash_table_size(ip->i_dir) > 0)
			return ENOTEMPTY;
	} else if (ip->i_isdir)
		return EISDIR;
	g_hash_table_remove(dp->i_dir, name);
	drop_name(k, ip);
	return 0;
}

static bool
is_ancestor(struct inode *a, struct inode *d)
{
	/* Is a an ancestor of (or equal to) d?  Walk up from d. */
	for (;;) {
		if (d == a)
			return true;
		if (d->i_parent == d || d->i_parent == NULL)
			return false;
		d = d->i_parent;
	}
}

int
vn_rename(struct kern *k, struct vnode *fdvp, const char *fname,
    struct vnode *tdvp, const char *tname, unsigned flags)
{
	struct inode *fdp = fdvp->v_data, *tdp = tdvp->v_data, *ip, *tip;

	if (fdvp->v_type != VDIR || tdvp->v_type != VDIR)
		return ENOTDIR;
	ip = g_hash_table_lookup(fdp->i_dir, fname);
	if (ip == NULL)
		return ENOENT;
	tip = g_hash_table_lookup(tdp->i_dir, tname);
	if (tip == ip)
		return 0;
	if (ip->i_isdir && is_ancestor(ip, tdp))
		return EINVAL;
	if (flags & VN_RENAME_NOREPLACE && tip != NULL)
		return EEXIST;
	if (flags & VN_RENAME_EXCHANGE) {
		if (tip == NULL)
			return ENOENT;
		g_hash_table_insert(fdp->i_dir, g_strdup(fname), tip);
		g_hash_table_insert(tdp->i_dir, g_strdup(tname), ip);
		if (ip->i_isdir)
			ip->i_parent = tdp;
		if (tip->i_isdir)
			tip->i_parent = fdp;
		return 0;
	}
	if (tip != NULL) {
		if (tip->i_isdir && !ip->i_isdir)
			return EISDIR;
		if (!tip->i_isdir && ip->i_isdir)
			return ENOTDIR;
		if (tip->i_isdir && g_hash_table_size(tip->i_dir) > 0)
			return ENOTEMPTY;
	}
	/* Take the source name out, then replace the target.  (The tables
	 * free their keys, never their inodes.) */
	g_hash_table_remove(fdp->i_dir, fname);
	if (tip != NULL) {
		g_hash_table_remove(tdp->i_dir, tname);
		drop_name(k, tip);
	}
	g_hash_table_insert(tdp->i_dir, g_strdup(tname), ip);
	if (ip->i_isdir && fdp != tdp) {
		fdp->i_nlink--;
		tdp->i_nlink++;
		ip->i_parent = tdp;
	}
	return 0;
}

/* ---- data ------------------------------------------------------------ */

void
uiomove_cost(struct kern *k, int64_t bytes)
{
	kern_cpu(k, (sim_time_t)((double)bytes * k->p.cpu_copy_ns_per_byte));
}

/*
 * sequential_heuristic (vfs_vnops.c): an access that starts where the
 * last one on this open file ended (or at 0 while the score is positive)
 * raises the file's score by the request's size in BKVASIZE units, up to
 * IO_SEQMAX; any other drops it to 1, or to 0 if it was 1 already.  Reads
 * and writes share the score.  Returns it in ioflag's upper bits.
 */
int
sequential_heuristic(struct file *fp, int64_t off, int64_t resid)
{
	if ((off == 0 && fp->f_seqcount > 0) || off == fp->f_nextoff) {
		int64_t inc = resid / BKVASIZE + (resid % BKVASIZE != 0);

		fp->f_seqcount = (int)MIN((int64_t)fp->f_seqcount + MAX(inc, 1),
		    IO_SEQMAX);
		return fp->f_seqcount << IO_SEQSHIFT;
	}
	fp->f_seqcount = fp->f_seqcount > 1 ? 1 : 0;
	return 0;
}

/*
 * vn_read: read len bytes at off, one fs block at a time, as ffs_read
 * does.  The primitive depends on where the block lies and the mount: the
 * last block of the file is a plain bread (nothing to read ahead); with
 * read clustering, cluster_read (the rest of the request in one I/O, and
 * read-ahead from the sequential score in ioflag); without it, breadn with
 * one block of read-ahead for a sequential reader, else bread.  A hit
 * costs only the copy; a miss waits for the disk.  The buffer goes back to
 * the tail of CLEAN (bqrelse) — or, for O_DIRECT, is released with its
 * pages (B_DIRECT | B_RELBUF) so that the data is not cached.
 */
int
vn_read(struct kern *k, struct vnode *vp, int64_t off, int64_t len, int ioflag)
{
	struct inode *ip = vp->v_data;
	int bsize = k->fs.fs_bsize;
	int seqcount = ioflag >> IO_SEQSHIFT;
	int error = 0;

	while (len > 0 && off < ip->i_size) {
		int64_t lbn = off / bsize, nextlbn = lbn + 1;
		int64_t boff = off % bsize;
		int64_t xfer = MIN(MIN((int64_t)bsize - boff, len), ip->i_size - off);
		struct buf *bp;

		if (nextlbn * bsize >= ip->i_size)
			error = bread(k, vp, lbn, bsize, &bp);
		else if (k->p.cluster_read)
			error = cluster_read(k, vp, ip->i_size, lbn, bsize, len,
			    seqcount, &bp);
		else if (seqcount > 1)
			error = breadn(k, vp, lbn, bsize, &nextlbn, &bsize, 1, &bp);
		else
			error = bread(k, vp, lbn, bsize, &bp);
		cluster_ra_used(k, bp);
		uiomove_cost(k, xfer);
		if (error != 0) {
			brelse(k, bp);
			break;
		}
		if (ioflag & IO_DIRECT) {
			bp->b_flags |= B_DIRECT | B_RELBUF;
			brelse(k, bp);
		} else
			bqrelse(k, bp);
		k->cnt.bytes_read += (uint64_t)xfer;
		off += xfer;
		len -= xfer;
	}
	return error;
}

/*
 * vn_write: bwillwrite first (before any lock, as vn_write does), then per
 * block (ffs_write): allocate it (ffs_balloc), get its buffer — reading the
 * old contents first only when part of an existing block is overwritten —
 * copy in, and dispose of it by ffs_write's rules (below).
 */
int
vn_write(struct kern *k, struct vnode *vp, int64_t off, int64_t len, int ioflag)
{
	struct inode *ip = vp->v_data;
	int bsize = k->fs.fs_bsize;
	int seqcount = ioflag >> IO_SEQSHIFT;
	int error = 0;

	bwillwrite(k);
	if (ioflag & IO_APPEND)
		off = ip->i_size;
	while (len > 0) {
		int64_t lbn = off / bsize;
		int64_t boff = off % bsize;
		int64_t xfer = MIN((int64_t)bsize - boff, len);
		ufs2_daddr_t blkno = ffs_balloc(k, ip, lbn);
		struct buf *bp;

		if (blkno < 0) {
			k->cnt.enospc++;
			error = ENOSPC;
			break;
		}
		if (xfer == bsize || lbn * bsize >= ip->i_size) {
			/* Whole block, or a block past EOF: nothing old to
			 * keep, so no read (vfs_bio_clrbuf). */
			bp = getblk(k, vp, lbn, bsize);
			if (!(bp->b_flags & B_CACHE))
				vfs_bio_clrbuf(k, bp);
		} else {
			error = bread(k, vp, lbn, bsize, &bp);
			if (error != 0) {
				brelse(k, bp);
				break;
			}
		}
		bp->b_blkno = blkno;
		uiomove_cost(k, xfer);
		bio_note_version(k, bp);
		if (off + xfer > ip->i_size)
			ip->i_size = off + xfer;
		/*
		 * The write-disposition rules of ffs_write, in order:
		 * synchronous if asked; async at once when memory is severely
		 * short (part of the seed's low-memory fix: keep I/O moving
		 * rather than pile up); a block now completely written goes to
		 * cluster_write (or, on a noclusterw mount, to the disk at
		 * once); a partial O_DIRECT block is written at once; anything
		 * else is a delayed write.  (The later rule that also writes
		 * at once when dirty buffers are severe is not in the 2001
		 * code: bwillwrite is what holds writers back.)
		 */
		bp->b_flags |= B_CLUSTEROK;
		if (ioflag & IO_DIRECT)
			bp->b_flags |= B_DIRECT;
		if (ioflag & IO_SYNC) {
			bp->b_flags &= ~B_CLUSTEROK;
			error = bwrite(k, bp);
		} else if (k->p.io_reserve && vm_page_count_severe(k))
			bawrite(k, bp);
		else if (xfer + boff == bsize) {
			if (k->p.cluster_write)
				cluster_write(k, bp, ip->i_size, seqcount);
			else
				bawrite(k, bp);
		} else if (ioflag & IO_DIRECT)
			bawrite(k, bp);
		else
			bdwrite(k, bp);
		k->cnt.bytes_written += (uint64_t)xfer;
		off += xfer;
		len -= xfer;
		if (error != 0)
			break;
	}
	return error;
}

/*
 * VOP_FSYNC (ffs_fsync): start an async write of every dirty buffer of the
 * vnode, restarting the scan after each (the list changes under us).  With
 * MNT_WAIT, then wait for all of the vnode's writes to finish ("ffsfsn") and
 * go round again if buffers got dirty meanwhile; a buffer another thread
 * holds is waited for.
 */
int
VOP_FSYNC(struct kern *k, struct vnode *vp, int waitfor)
{
	int passes = 0;
	struct buf *bp;

	vhold(vp);
	for (;;) {
		struct buf *busy = NULL;

		for (bp = TAILQ_FIRST(&vp->v_dirtyblkhd); bp != NULL;) {
			if (bp->b_lockholder != NULL) {
				if (busy == NULL)
					busy = bp;
				bp = TAILQ_NEXT(bp, b_vnbufs);
				continue;
			}
			if (waitfor == MNT_LAZY)
				k->cnt.syncer_writes++;
			else
				k->cnt.fsync_writes++;
			if (waitfor == MNT_WAIT) {
				BUF_LOCK_NOWAIT(k, bp);
				bremfree(k, bp);
				bawrite(k, bp);
			} else
				(void)vfs_bio_awrite(k, bp);	/* clustered */
			bp = TAILQ_FIRST(&vp->v_dirtyblkhd);
		}
		if (waitfor != MNT_WAIT)
			break;
		while (vp->v_numoutput > 0) {
			vp->v_flag |= VBWAIT;
			tsleep(k->sim, &vp->v_numoutput, "ffsfsn", 0);
		}
		if (TAILQ_EMPTY(&vp->v_dirtyblkhd) || ++passes > 3)
			break;
		if (busy != NULL && busy->b_lockholder != NULL &&
		    (busy->b_xflags & BX_VNDIRTY)) {
			busy->b_lockwaiters++;
			tsleep(k->sim, busy, "ffsfsn", 0);
			busy->b_lockwaiters--;
		}
	}
	vdrop(k, vp);
	return 0;
}

/* sync(2) / the whole file system: every vnode with dirty buffers is on
 * the syncer wheel, so sweep the wheel in slot order. */
void
vn_sync_all(struct kern *k, int waitfor)
{
	GPtrArray *vps = g_ptr_array_new();
	int i, slot;
	guint j;

	for (i = 0; i < k->syncer_maxdelay; i++) {
		struct vnode *vp;

		slot = (k->syncer_delayno + i) % k->syncer_maxdelay;
		TAILQ_FOREACH(vp, &k->syncer_workitem_pending[slot], v_synclist) {
			vhold(vp);
			g_ptr_array_add(vps, vp);
		}
	}
	for (j = 0; j < vps->len; j++) {
		struct vnode *vp = g_ptr_array_index(vps, j);

		(void)VOP_FSYNC(k, vp, waitfor);
		vdrop(k, vp);
	}
	g_ptr_array_free(vps, TRUE);
}

int
vn_truncate(struct kern *k, struct vnode *vp, int64_t length)
{
	struct inode *ip = vp->v_data;

	if (vp->v_type == VDIR)
		return EISDIR;
	if (length < ip->i_size) {
		/* Buffers wholly past the new end go (vtruncbuf), then the
		 * blocks (ffs_truncate). */
		vinvalbuf_range(k, vp, howmany_blk(&k->fs, length));
		ffs_truncate_blocks(k, ip, length);
	}
	/* ffs_truncate forgets the cluster being built. */
	vp->v_cstart = vp->v_lastw = vp->v_lasta = 0;
	vp->v_clen = 0;
	ip->i_size = length;
	return 0;
}
