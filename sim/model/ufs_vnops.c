/*
 * ufs_vnops.c — the UFS vnode operations that change the name space or an
 * inode: create, mkdir and mknod (ufs_makeinode, ufs_mkdir, ufs_mknod),
 * link, symlink,
 * remove and rmdir, rename, truncate, mode, owner and times (ufs_setattr),
 * and fsync (ffs_fsync); and sync of the whole file system.  And reading
 * a directory's entries (ufs_readdir).
 *
 * Each changes the file system's truth (ffs_alloc.c, ffs_inode.c,
 * ufs_lookup.c) and pays what the kernel paid for it on a default mount: a
 * new inode is written synchronously before its name goes into the
 * directory, each directory change reads the directory block and writes it
 * back synchronously, link counts are written before the names that depend
 * on them.  A mount with delayed metadata (-o async, or the
 * soft-updates-like mode) makes these writes delayed.  Offline (the
 * starting file system, repairs) only the truth changes.  The directory
 * being changed is locked for the change.
 */
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

/* The inode of a new file, directory or symbolic link (to target) named
 * name in dvp (ufs_makeinode, ufs_mkdir). */
static int
ufs_makeinode(struct kern *k, struct vnode *dvp, const char *name,
    enum vtype type, const char *target, struct vnode **vpp)
{
	struct inode *dp = dvp->v_data, *ip;
	struct vnode *vp;
	bool isdir = type == VDIR;
	int error;

	*vpp = NULL;
	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (dp->i_nlink == 0)
		return ENOENT;		/* the directory was removed */
	if (strlen(name) > UFS_MAXNAMLEN)
		return ENAMETOOLONG;
	/* The directory stays locked from the check to the new entry, so
	 * that two creators of one name cannot both make it. */
	(void)vn_lock(k, dvp, LK_EXCLUSIVE);
	if (ufs_dir_lookup(dp, name) != NULL || dp->i_nlink == 0) {
		VOP_UNLOCK(k, dvp);
		return dp->i_nlink == 0 ? ENOENT : EEXIST;
	}
	ip = ffs_valloc(k, dp, isdir);
	if (ip == NULL) {
		VOP_UNLOCK(k, dvp);
		return ENOSPC;
	}
	if (type == VLNK)
		ip->i_symlink = g_strdup(target);	/* IFLNK */
	else if (type != VREG && type != VDIR)
		ip->i_special = (uint8_t)type;		/* ufs_mknod's */
	/* ffs_valloc's VFS_VGET: a vnode, and the inode block read.  A
	 * block that cannot be read frees the inode again and fails the
	 * call ("if (error) { UFS_VFREE(pvp, ino, mode); return (error); }"):
	 * nothing else was done. */
	if ((error = vn_get_err(k, ip, &vp)) != 0) {
		if (k->crash != NULL)
			ffs_crash_ifree(k, ip);
		ffs_vfree(k, ip);
		VOP_UNLOCK(k, dvp);
		return error;
	}
	ITIMES(k, ip, IN_ACCESS | IN_CHANGE | IN_UPDATE);
	if (isdir) {
		struct buf *bp;

		/*
		 * ufs_mkdir as FreeBSD had it in 2001: the parent's link
		 * count raised (marked, not written: the UFS_UPDATE that
		 * "should be done before reference is created" names tvp,
		 * the new inode, in both eras), the new inode written, then
		 * its first block allocated ("." and ".."), the inode written
		 * again with its size and pointer, the block written, and
		 * only then the name — so that a crash never finds a name
		 * for a directory the disk does not have.  A synchronous
		 * write that fails ends it there ("if (error) goto bad",
		 * the inode's second write failing after "(void)BUF_WRITE
		 * (bp)" of the block): the call returns the error and bad:
		 * undoes the link counts — no name was entered.
		 */
		ip->i_nlink = 2;
		ip->i_parent = dp;
		dp->i_nlink++;
		ITIMES(k, dp, IN_CHANGE);
		error = ffs_update(k, ip, !DOINGSOFTDEP(k));
		(void)ufs_dir_add(ip, ".", ip);
		(void)ufs_dir_add(ip, "..", dp);
		if (error != 0)
			;
		else if (!ffs_online(k)) {
			if (!ffs_prealloc(k, ip, DIRBLKSIZ))
				error = ENOSPC;
			else
				error = 0;
		} else if ((error = ffs_balloc(k, vp, 0, DIRBLKSIZ, BA_CLRBUF,
		    &bp)) == 0) {
			ip->i_size = DIRBLKSIZ;
			ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
			if ((error = ffs_update(k, ip, !DOINGSOFTDEP(k))) != 0)
				(void)ffs_meta_write(k, bp, true);
			else
				error = ffs_meta_write(k, bp, true);
		}
		if (error == 0)
			error = ufs_direnter(k, dvp, name, ip, true);
		if (error != 0) {
			dp->i_nlink--;
			ip->i_nlink = 0;
			g_hash_table_remove_all(ip->i_dir->d_names);
			g_array_set_size(ip->i_dir->d_free, 0);
		}
	} else {
		/* ufs_makeinode: the inode, then the name.  The inode's
		 * synchronous write failing is "goto bad": no name, the
		 * link count 0, the inode freed by the vput; the call
		 * returns the error. */
		ip->i_nlink = 1;
		error = ffs_update(k, ip, !DOINGSOFTDEP(k));
		if (error == 0)
			error = ufs_direnter(k, dvp, name, ip, false);
		if (error != 0)
			ip->i_nlink = 0;
	}
	/* A "not there" cached for the name is wrong now. */
	cache_purge_name(k, dvp, name);
	VOP_UNLOCK(k, dvp);
	if (error != 0) {
		/* The inode goes when the vnode does (ufs_inactive). */
		vref(vp);
		vrele(k, vp);
		return error;
	}
	*vpp = vp;
	return 0;
}

int
vn_create(struct kern *k, struct vnode *dvp, const char *name, enum vtype type,
    struct vnode **vpp)
{
	KASSERT(type == VREG || type == VDIR, ("vn_create: type %d", type));
	return ufs_makeinode(k, dvp, name, type, NULL, vpp);
}

/*
 * ufs_mknod: a FIFO, socket or device node, made as a file's inode is
 * (written, then its name entered); then its times marked and the vnode
 * put back — ufs_inactive writes the marked inode, a delayed write of its
 * block — and thrown away (vgone: "reload it through VFS_VGET so it is
 * checked to see if it is an alias"), and VFS_VGET reads the inode block
 * again for a new one (in the cache: it was just written).  The replay
 * keeps the one vnode; what the kernel's second one cost is paid.
 */
int
vn_mknod(struct kern *k, struct vnode *dvp, const char *name, enum vtype type,
    struct vnode **vpp)
{
	struct inode *ip;
	int error;

	KASSERT(type == VFIFO || type == VSOCK || type == VCHR || type == VBLK,
	    ("vn_mknod: type %d", type));
	error = ufs_makeinode(k, dvp, name, type, NULL, vpp);
	if (error != 0)
		return error;
	ip = (*vpp)->v_data;
	ITIMES(k, ip, IN_ACCESS | IN_CHANGE | IN_UPDATE);
	if (!ffs_online(k))
		return 0;
	(void)ffs_update(k, ip, false);		/* vput: ufs_inactive */
	return ffs_iread(k, ip, true);		/* VFS_VGET */
}

/*
 * ufs_symlink: an inode made as for a file (written, then its name
 * entered), then the target: shorter than maxsymlinklen, into the inode
 * itself (its times marked, written later); longer, written to the link's
 * first block as ffs_write writes a partial block (vn_rdwr): allocated, and
 * left a delayed write.
 */
int
vn_symlink(struct kern *k, struct vnode *dvp, const char *name,
    const char *target, struct vnode **vpp)
{
	int64_t len = (int64_t)strlen(target);
	struct inode *ip;
	struct buf *bp;
	int error;

	if (len > SYMLINK_MAX)
		return ENAMETOOLONG;
	error = ufs_makeinode(k, dvp, name, VLNK, target, vpp);
	if (error != 0)
		return error;
	ip = (*vpp)->v_data;
	if (len < MAXSYMLINKLEN) {
		ip->i_size = len;
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		return 0;
	}
	if (!ffs_online(k)) {
		if (!ffs_prealloc(k, ip, len))
			ip->i_size = len;	/* a hole, as for any file */
		return 0;
	}
	(void)vn_lock(k, *vpp, LK_EXCLUSIVE);
	error = ffs_balloc(k, *vpp, 0, (int)len, BA_CLRBUF, &bp);
	if (error == 0) {
		ip->i_size = len;
		uiomove_cost(k, len);
		bio_note_version(k, bp);
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		bdwrite(k, bp);
	}
	VOP_UNLOCK(k, *vpp);
	return error;
}

char *
vn_unknown_target(int64_t len)
{
	len = CLAMP(len, 1, SYMLINK_MAX);
	return g_strnfill((gsize)len, '?');
}

/* Another name for an existing file (ufs_link): its link count first. */
int
vn_link(struct kern *k, struct vnode *vp, struct vnode *dvp, const char *name)
{
	struct inode *dp = dvp->v_data, *ip = vp->v_data;
	int error;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	if (vp->v_type == VDIR)
		return EPERM;
	if (strlen(name) > UFS_MAXNAMLEN)
		return ENAMETOOLONG;
	if (ip->i_nlink >= LINK_MAX)
		return EMLINK;
	(void)vn_lock(k, dvp, LK_EXCLUSIVE);
	if (ufs_dir_lookup(dp, name) != NULL || dp->i_nlink == 0) {
		VOP_UNLOCK(k, dvp);
		return dp->i_nlink == 0 ? ENOENT : EEXIST;
	}
	/* The file is locked too (tdvp != vp); its link count goes up and
	 * is written — synchronously on a default mount — before the name
	 * that depends on it.  That write failing, ufs_link enters no name
	 * ("if (!error) ... ufs_direnter"), takes the count back down and
	 * returns the error. */
	if (vp != dvp)
		(void)vn_lock(k, vp, LK_EXCLUSIVE);
	ip->i_nlink++;
	ITIMES(k, ip, IN_CHANGE);
	error = ffs_update(k, ip, !DOINGSOFTDEP(k));
	if (error == 0)
		error = ufs_direnter(k, dvp, name, ip, false);
	if (error != 0) {
		ip->i_nlink--;
		ITIMES(k, ip, IN_CHANGE);
	}
	if (vp != dvp)
		VOP_UNLOCK(k, vp);
	cache_purge_name(k, dvp, name);
	VOP_UNLOCK(k, dvp);
	return error;
}

/*
 * One name of ip is gone (removed, or renamed over): its link count goes
 * down — a directory's to 0, its parent's by one.  With no name left and
 * no user, the file goes now (ufs_inactive, as the vput that ends a remove
 * would); an open one, at its last close.
 */
static void
drop_name(struct kern *k, struct inode *ip)
{
	struct vnode *vp = vn_get(k, ip);

	if (ip->i_isdir) {
		ip->i_parent->i_nlink--;
		ITIMES(k, ip->i_parent, IN_CHANGE);
		ip->i_nlink = 0;
		cache_purge(k, vp);
	} else
		ip->i_nlink--;
	ITIMES(k, ip, IN_CHANGE);
	/* A snapshot's last name gone: the snapshot goes (its blocks
	 * given back or passed on), and the reference it held with it. */
	if (ip->i_nlink == 0 && ip->i_snapshot && ffs_snapgone(k, ip)) {
		vrele(k, vp);
		return;
	}
	if (ip->i_nlink == 0 && vp->v_usecount == 0) {
		vref(vp);
		vrele(k, vp);
	}
}

int
vn_remove(struct kern *k, struct vnode *dvp, const char *name, bool isdir)
{
	struct inode *dp = dvp->v_data;
	struct direntry *de;
	struct inode *ip;
	int error;

	if (dvp->v_type != VDIR)
		return ENOTDIR;
	de = ufs_dir_lookup(dp, name);
	if (de == NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return de == NULL ? ENOENT : EINVAL;
	ip = de->de_ip;
	if (isdir) {
		struct vnode *vp;

		if (!ip->i_isdir)
			return ENOTDIR;
		/*
		 * ufs_rmdir runs with the directory itself locked (namei's
		 * LOCKLEAF): a create inside it, which holds that lock from
		 * its lookup to its new entry, finishes first, and the
		 * directory is then no longer empty.
		 */
		vp = vn_get(k, ip);
		(void)vn_lock(k, vp, LK_EXCLUSIVE);
		de = ufs_dir_lookup(dp, name);
		if (de == NULL || de->de_ip != ip || ufs_dir_count(ip) > 0) {
			VOP_UNLOCK(k, vp);
			return de == NULL || de->de_ip != ip ? ENOENT : ENOTEMPTY;
		}
		(void)vn_lock(k, dvp, LK_EXCLUSIVE);
		if ((de = ufs_dir_lookup(dp, name)) == NULL || de->de_ip != ip) {
			VOP_UNLOCK(k, dvp);
			VOP_UNLOCK(k, vp);
			return ENOENT;
		}
		/* (The directory block's write error is not returned here:
		 * what 2001's ufs_rmdir undid after a failed ufs_dirremove
		 * was not established; see the README's "Not yet".) */
		(void)ufs_dirremove(k, dvp, name, true);
		cache_purge_name(k, dvp, name);
		VOP_UNLOCK(k, dvp);
		VOP_UNLOCK(k, vp);
		drop_name(k, ip);
		return 0;
	}
	if (ip->i_isdir)
		return EISDIR;
	(void)vn_lock(k, dvp, LK_EXCLUSIVE);
	/* The kernel holds the directory from the lookup to the removal;
	 * here the lookup came first, so look again now that it is held
	 * (another process may have removed or replaced the name). */
	if ((de = ufs_dir_lookup(dp, name)) == NULL || de->de_ip != ip) {
		VOP_UNLOCK(k, dvp);
		return ENOENT;
	}
	/* ufs_remove returns ufs_dirremove's error: a failed synchronous
	 * write of the directory block fails the unlink with EIO, the name
	 * gone and the link count down all the same. */
	error = ufs_dirremove(k, dvp, name, false);
	cache_purge_name(k, dvp, name);
	VOP_UNLOCK(k, dvp);
	drop_name(k, ip);
	return error;
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

/*
 * ufs_rename: the file's link count up (written), the new name entered or
 * rewritten, the old name removed, the link count down; a directory moved
 * to another parent has its ".." rewritten and both parents' link counts
 * changed.  (RENAME_EXCHANGE, from Linux captures: both names rewritten.)
 */
int
vn_rename(struct kern *k, struct vnode *fdvp, const char *fname,
    struct vnode *tdvp, const char *tname, unsigned flags)
{
	struct inode *fdp = fdvp->v_data, *tdp = tdvp->v_data, *ip, *tip;
	struct direntry *fde, *tde;

	if (fdvp->v_type != VDIR || tdvp->v_type != VDIR)
		return ENOTDIR;
	fde = ufs_dir_lookup(fdp, fname);
	if (fde == NULL)
		return ENOENT;
	ip = fde->de_ip;
	tde = ufs_dir_lookup(tdp, tname);
	tip = tde != NULL ? tde->de_ip : NULL;
	if (tip == ip)
		return 0;
	if (ip->i_isdir && is_ancestor(ip, tdp))
		return EINVAL;
	if ((flags & VN_RENAME_NOREPLACE) && tip != NULL)
		return EEXIST;
	if (strlen(tname) > UFS_MAXNAMLEN)
		return ENAMETOOLONG;
	if (flags & VN_RENAME_EXCHANGE) {
		if (tip == NULL)
			return ENOENT;
		(void)vn_lock(k, fdvp, LK_EXCLUSIVE);
		ufs_dirrewrite(k, fdvp, fname, tip);
		cache_purge_name(k, fdvp, fname);
		VOP_UNLOCK(k, fdvp);
		(void)vn_lock(k, tdvp, LK_EXCLUSIVE);
		ufs_dirrewrite(k, tdvp, tname, ip);
		cache_purge_name(k, tdvp, tname);
		VOP_UNLOCK(k, tdvp);
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
		if (tip->i_isdir && ufs_dir_count(tip) > 0)
			return ENOTEMPTY;
	}
	/* Link count up for the duration, written. */
	(void)vn_get(k, ip);
	ip->i_nlink++;
	ITIMES(k, ip, IN_CHANGE);
	ffs_update(k, ip, !DOINGSOFTDEP(k));
	(void)vn_lock(k, tdvp, LK_EXCLUSIVE);
	/* The target may have changed while the inode was written. */
	tde = ufs_dir_lookup(tdp, tname);
	if ((tde != NULL ? tde->de_ip : NULL) != tip &&
	    (tde == NULL || tde->de_ip->i_isdir != ip->i_isdir ||
	    tde->de_ip == ip)) {
		VOP_UNLOCK(k, tdvp);
		ip->i_nlink--;
		return EEXIST;
	}
	tip = tde != NULL ? tde->de_ip : NULL;
	if (tip != NULL)
		ufs_dirrewrite(k, tdvp, tname, ip);
	else if (ufs_direnter(k, tdvp, tname, ip, false) != 0) {
		VOP_UNLOCK(k, tdvp);
		ip->i_nlink--;
		return ENOSPC;
	}
	cache_purge_name(k, tdvp, tname);
	VOP_UNLOCK(k, tdvp);
	if (ip->i_isdir && fdp != tdp) {
		struct vnode *vp = vn_get(k, ip);

		/* ".." now names the new parent. */
		tdp->i_nlink++;
		ITIMES(k, tdp, IN_CHANGE);
		ffs_update(k, tdp, !DOINGSOFTDEP(k));
		(void)vn_lock(k, vp, LK_EXCLUSIVE);
		ufs_dirrewrite(k, vp, "..", tdp);
		VOP_UNLOCK(k, vp);
		ip->i_parent = tdp;
		fdp->i_nlink--;
		ITIMES(k, fdp, IN_CHANGE);
	}
	(void)vn_lock(k, fdvp, LK_EXCLUSIVE);
	/*
	 * ufs_rename's step 3 looks the source up again (relookup): while
	 * this rename slept, another process may have unlinked or renamed
	 * it, or made a new file of that name.  Only if the name still
	 * leads to ip is it removed and the link count dropped; otherwise
	 * whoever took the name away did that.
	 */
	fde = ufs_dir_lookup(fdp, fname);
	if (fde != NULL && fde->de_ip == ip) {
		(void)ufs_dirremove(k, fdvp, fname, false);
		cache_purge_name(k, fdvp, fname);
		ip->i_nlink--;
		ITIMES(k, ip, IN_CHANGE);
	}
	VOP_UNLOCK(k, fdvp);
	if (tip != NULL)
		drop_name(k, tip);
	return 0;
}

/*
 * ufs_setattr of a mode (ufs_chmod), an owner (ufs_chown) or times, the
 * caller holding the vnode's lock: a mode or an owner only marks the inode
 * changed (IN_CHANGE) — it is written when something writes it anyway: its
 * last close (ufs_inactive), its reclaim, the syncer's ffs_sync; new times
 * are written at once, as a delayed write of the inode block
 * (UFS_UPDATE(vp, 0)) — on every mount, the default one included.
 */
int
vn_setattr(struct kern *k, struct vnode *vp, int what)
{
	struct inode *ip = vp->v_data;

	if (ip->i_snapshot && (what & VA_TIMES))
		return EPERM;		/* SF_SNAPSHOT: immutable */
	if (what & (VA_MODE | VA_OWNER))
		ITIMES(k, ip, IN_CHANGE);
	if (what & VA_TIMES) {
		ITIMES(k, ip, IN_ACCESS | IN_CHANGE | IN_UPDATE);
		ffs_update(k, ip, false);
	}
	return 0;
}

int
vn_truncate(struct kern *k, struct vnode *vp, int64_t length)
{
	if (vp->v_type == VDIR)
		return EISDIR;
	if (((struct inode *)vp->v_data)->i_snapshot) {
		k->cnt.snap_writes_refused++;	/* SF_SNAPSHOT: EPERM */
		return EPERM;
	}
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	ffs_truncate(k, vp, length);
	VOP_UNLOCK(k, vp);
	return 0;
}

/*
 * VOP_FSYNC (ffs_fsync), the caller holding the vnode lock: start an async
 * write of every dirty buffer of the
 * vnode, restarting the scan after each (the list changes under us).  With
 * MNT_WAIT, then wait for all of the vnode's writes to finish ("ffsfsn") and
 * go round again if buffers got dirty meanwhile; a buffer another thread
 * holds is waited for.
 *
 * Rounds after the first are ffs_fsync's "passes" (NIADDR + 1 of them):
 * a write that failed leaves its buffer dirty again (brelse), so it is
 * tried again; on the last round the writes are synchronous ("so that we
 * can find out if our flush is failing because of write errors") and the
 * first error is returned at once.  Otherwise the inode's write decides
 * what fsync(2) returns.
 */
int
VOP_FSYNC(struct kern *k, struct vnode *vp, int waitfor)
{
	int passes = NIADDR + 1, error;
	struct buf *bp;

	vhold(vp);
	/* Soft updates: what the buffers and the inode wait for, first
	 * (ffs_fsync's softdep_sync_metadata). */
	if (waitfor == MNT_WAIT)
		softdep_sync_metadata(k, vp);
	for (;;) {
		struct buf *busy = NULL;

		/* B_SCANNED: each buffer once a pass, even one that stays
		 * dirty (its background write under way: bwrite leaves it a
		 * delayed write), as ffs_fsync marks them. */
		TAILQ_FOREACH(bp, &vp->v_dirtyblkhd, b_vnbufs)
			bp->b_flags &= ~B_SCANNED;
		for (bp = TAILQ_FIRST(&vp->v_dirtyblkhd); bp != NULL;) {
			if (bp->b_flags & B_SCANNED) {
				bp = TAILQ_NEXT(bp, b_vnbufs);
				continue;
			}
			if (bp->b_lockholder != NULL) {
				if (busy == NULL)
					busy = bp;
				bp = TAILQ_NEXT(bp, b_vnbufs);
				continue;
			}
			bp->b_flags |= B_SCANNED;
			if (waitfor == MNT_LAZY)
				k->cnt.syncer_writes++;
			else
				k->cnt.fsync_writes++;
			if (waitfor == MNT_WAIT && passes == 0) {
				BUF_LOCK_NOWAIT(k, bp);
				bremfree(k, bp);
				if ((error = bwrite(k, bp)) != 0) {
					k->cnt.fsync_errors++;
					vdrop(k, vp);
					return error;
				}
			} else if (waitfor == MNT_WAIT) {
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
		if (TAILQ_EMPTY(&vp->v_dirtyblkhd) || passes-- == 0)
			break;
		if (busy != NULL && busy->b_lockholder != NULL &&
		    (busy->b_xflags & BX_VNDIRTY)) {
			busy->b_lockwaiters++;
			tsleep(k->sim, busy, "ffsfsn", 0);
			busy->b_lockwaiters--;
		}
	}
	/* Then the inode: written synchronously for MNT_WAIT (fsync(2)
	 * writes the file's inode too), else only if it changed. */
	error = vp->v_data != NULL ?
	    ffs_update(k, vp->v_data, waitfor == MNT_WAIT) : 0;
	if (error != 0)
		k->cnt.fsync_errors++;
	/* fsync(2) returns success: the kernel's promise is kept from here
	 * on (a failed one promises nothing). */
	else if (waitfor == MNT_WAIT && vp->v_data != NULL &&
	    k->crash != NULL && !DOINGSOFTDEP(k))
		ffs_crash_synced(k, vp->v_data);
	vdrop(k, vp);
	return error;
}

/*
 * sync(2) / the whole file system: ffs_sync, waiting for everything with
 * MNT_WAIT.  Each vnode is locked for its fsync; the periodic sweep skips
 * those that are busy.
 */
void
vn_sync_all(struct kern *k, int waitfor)
{
	ffs_sync(k, waitfor);
}

/*
 * ufs_readdir: VOP_READDIR of a directory, count bytes of it at off,
 * *offp where the next read begins.  UFS's entries on disk are the
 * entries handed out (struct direct is struct dirent), so the read is a
 * VOP_READ of the directory itself (ffs_read, the vnode locked by the
 * caller) with ioflag 0 — no sequential count, so no read-ahead past
 * what is asked — of count cut so that it ends on a DIRBLKSIZ boundary
 * (EINVAL if nothing is left of it).  Nothing is read at or past the end.
 */
int
ufs_readdir(struct kern *k, struct vnode *vp, int64_t off, int64_t count,
    int64_t *offp)
{
	struct inode *ip = vp->v_data;
	int64_t n;
	int error;

	*offp = off;
	if (off < 0 || off >= ip->i_size)
		return 0;
	/* (no sum past the directory's end: count may be anything) */
	n = MIN(count, ip->i_size - off + DIRBLKSIZ);
	n -= (off + n) & (DIRBLKSIZ - 1);
	if (n <= 0)
		return EINVAL;
	if ((error = ffs_read(k, vp, off, n, 0)) == 0)
		*offp = MIN(off + n, ip->i_size);
	return error;
}
