/*
 * vnode.c — vnodes: their life (getnewvnode, vget, vrele, vhold, the free
 * list, vgonel, the vnlru process: vfs_subr.c), their lock, path lookup
 * (namei: vfs_lookup.c, through the name cache and ufs_lookup), and the
 * vnode-level read, write and stat (vfs_vnops.c, with ffs_read's and
 * ffs_write's per-block loops).
 *
 * The inode is the file system's truth and outlives its vnode.  A vnode is
 * made when a call needs the inode (reading the inode block) and, once
 * nothing uses it, goes to the free list — unless its file still has pages
 * cached, which keeps it out of the list (VSHOULDFREE).  getnewvnode takes
 * a free vnode without pages from the head of the list when enough are
 * free, else makes a new one; when too many vnodes are active it wakes
 * vnlru and sleeps "vlruwk".  vnlru reclaims vnodes with few pages, no
 * cached names and no users, writing and invalidating their buffers.  A
 * vnode the running call uses is pinned until the call ends, as the
 * kernel's references from namei would keep it.
 */
#include "file.h"
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#define PATH_MAX_	4096

static void vnode_destroy(struct kern *k, struct vnode *vp);

/* ---- the free list ---------------------------------------------------- */

/* VSHOULDFREE: nothing uses or holds it and its object has no pages. */
static bool
vshouldfree(const struct vnode *vp)
{
	return !(vp->v_flag & (VFREE | VXLOCK | VDOOMED | VROOT)) &&
	    vp->v_usecount == 0 && vp->v_holdcnt == 0 && vp->v_pincount == 0 &&
	    vp->v_npages == 0 && !(vp->v_flag & VDEVICE);
}

static void
vfree(struct kern *k, struct vnode *vp)
{
	if (vp->v_flag & VAGE)
		TAILQ_INSERT_HEAD(&k->vnode_free_list, vp, v_freelist);
	else
		TAILQ_INSERT_TAIL(&k->vnode_free_list, vp, v_freelist);
	vp->v_flag = (vp->v_flag & ~VAGE) | VFREE;
	k->freevnodes++;
}

static void
vbusy(struct kern *k, struct vnode *vp)
{
	KASSERT(vp->v_flag & VFREE, ("vbusy: not free"));
	TAILQ_REMOVE(&k->vnode_free_list, vp, v_freelist);
	vp->v_flag &= ~VFREE;
	k->freevnodes--;
}

/*
 * Nothing refers to vp any more: a vnode whose inode is gone (unlinked,
 * last reference closed) is destroyed and its inode freed; another goes
 * to the free list if it may (VSHOULDFREE).
 */
static void
vn_idle(struct kern *k, struct vnode *vp)
{
	if (vp->v_usecount > 0 || vp->v_holdcnt > 0 || vp->v_pincount > 0 ||
	    (vp->v_flag & (VXLOCK | VROOT | VDEVICE)))
		return;
	if (vp->v_flag & VDOOMED) {
		vnode_destroy(k, vp);
		return;
	}
	if (vshouldfree(vp))
		vfree(k, vp);
}

/* ---- references ------------------------------------------------------- */

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

void
vdrop(struct kern *k, struct vnode *vp)
{
	KASSERT(vp->v_holdcnt > 0, ("vdrop: holdcnt 0"));
	vp->v_holdcnt--;
	vn_idle(k, vp);
}

/*
 * ufs_inactive: the last use is gone.  A file with no name left has its
 * blocks freed now (its buffers thrown away unwritten, the truncation's
 * inode write made) and its inode when the vnode goes; any other inode
 * with pending changes is written, delayed.
 */
static void
ufs_inactive(struct kern *k, struct vnode *vp)
{
	struct inode *ip = vp->v_data;

	if (ip == NULL || (vp->v_flag & VROOT))
		return;
	/* (soft updates: not while a removal of it waits for its
	 * directory block — the disk's link count is not 0 yet) */
	if (ip->i_nlink == 0 && softdep_may_free(k, ip)) {
		vhold(vp);
		/* Freeing it changes the file system: not while it is
		 * suspended (the seed's 112f737245). */
		vn_write_suspend_wait(k);
		(void)vn_lock(k, vp, LK_EXCLUSIVE);
		vinvalbuf_range(k, vp, INT64_MIN);
		ffs_truncate(k, vp, 0);
		/* UFS_VFREE; the vnode goes when nothing refers to it
		 * (vrecycle). */
		cache_purge(k, vp);
		vp->v_flag |= VDOOMED;
		vp->v_data = NULL;
		ip->i_vnode = NULL;
		if (k->crash != NULL)
			ffs_crash_ifree(k, ip);
		ffs_vfree(k, ip);
		VOP_UNLOCK(k, vp);
		vp->v_holdcnt--;
		return;
	}
	if (ip->i_flag & (IN_ACCESS | IN_CHANGE | IN_UPDATE | IN_MODIFIED))
		ffs_update(k, ip, false);
}

void
vrele(struct kern *k, struct vnode *vp)
{
	KASSERT(vp->v_usecount > 0, ("vrele: usecount 0"));
	if (--vp->v_usecount > 0)
		return;
	ufs_inactive(k, vp);
	vn_idle(k, vp);
}

/* ---- pins: what the call in progress uses ----------------------------- */

void
vn_pin(struct kern *k, struct vnode *vp)
{
	struct sim_proc *p = curproc(k->sim);
	GPtrArray *pins;

	if (p == NULL || (vp->v_flag & VDEVICE))
		return;
	pins = g_hash_table_lookup(k->pins, p);
	if (pins == NULL) {
		pins = k->pins_spare->len > 0 ? g_ptr_array_steal_index_fast(
		    k->pins_spare, k->pins_spare->len - 1) : g_ptr_array_new();
		g_hash_table_insert(k->pins, p, pins);
		k->npinprocs++;
	}
	vp->v_pincount++;
	if (vp->v_flag & VFREE)
		vbusy(k, vp);
	g_ptr_array_add(pins, vp);
}

/* Drop one pin the running call took on vp (namei leaving a directory
 * behind, as lookup's vput of it; a daemon's vput after its VFS_VGET). */
void
vn_unpin(struct kern *k, struct vnode *vp)
{
	struct sim_proc *p = curproc(k->sim);
	GPtrArray *pins;
	guint i;

	if (p == NULL || (vp->v_flag & VDEVICE) ||
	    (pins = g_hash_table_lookup(k->pins, p)) == NULL)
		return;
	for (i = pins->len; i-- > 0;)
		if (g_ptr_array_index(pins, i) == vp) {
			g_ptr_array_remove_index(pins, i);
			vp->v_pincount--;
			vn_idle(k, vp);
			return;
		}
}

/* vn_unpin_all's work, for a process that may hold pins. */
static void __attribute__((noinline))
unpin_proc(struct kern *k, struct sim_proc *p)
{
	GPtrArray *pins;
	guint i;

	if ((pins = g_hash_table_lookup(k->pins, p)) == NULL)
		return;
	g_hash_table_steal(k->pins, p);
	KASSERT(k->npinprocs > 0, ("unpin_proc: no pins counted"));
	k->npinprocs--;
	KASSERT(k->npinprocs == g_hash_table_size(k->pins),
	    ("unpin_proc: %u pinning processes counted, %u in the table",
	    k->npinprocs, g_hash_table_size(k->pins)));
	for (i = 0; i < pins->len; i++) {
		struct vnode *vp = g_ptr_array_index(pins, i);

		KASSERT(vp->v_pincount > 0, ("vn_unpin_all: not pinned"));
		vp->v_pincount--;
		vn_idle(k, vp);
	}
	/* kept for the next call's pins: at most one a process pinning at
	 * once */
	g_ptr_array_set_size(pins, 0);
	g_ptr_array_add(k->pins_spare, pins);
}

void
vn_unpin_all(struct kern *k)
{
	struct sim_proc *p = curproc(k->sim);

	/* (the common case, no pins at all, without unpin_proc's frame) */
	if (p == NULL || k->npinprocs == 0)
		return;
	unpin_proc(k, p);
}

/* ---- the vnode lock ---------------------------------------------------- */

/* vn_lock's loop (lockmgr's): sleep "inode" until the lock can be had. */
static int __attribute__((noinline))
vn_lock_wait(struct kern *k, struct vnode *vp, int flags, struct sim_proc *me)
{
	for (;;) {
		if (vp->v_lockholder == me) {
			vp->v_lockrecurse++;
			return 0;
		}
		if ((flags & LK_EXCLUSIVE) && vp->v_lockholder == NULL &&
		    vp->v_lockshared == 0) {
			vp->v_lockholder = me;
			return 0;
		}
		if ((flags & LK_SHARED) && vp->v_lockholder == NULL) {
			vp->v_lockshared++;
			return 0;
		}
		if (flags & LK_NOWAIT)
			return EBUSY;
		vp->v_lockwaiters++;
		k->cnt.vnode_lock_waits++;
		tsleep(k->sim, &vp->v_lockholder, "inode", 0);
		vp->v_lockwaiters--;
	}
}

int
vn_lock(struct kern *k, struct vnode *vp, int flags)
{
	struct sim_proc *me = curproc(k->sim);

	if (me == NULL)
		return 0;		/* set-up: nobody else runs */
	/*
	 * The loop's first pass, for a lock that is the caller's or free:
	 * taken here, without the frame that a sleep needs (its register
	 * saves were half of vn_lock's instructions on every read); any
	 * other case goes to the loop, which looks again, as the kernel
	 * does after each wakeup.
	 */
	if (vp->v_lockholder == me) {
		vp->v_lockrecurse++;
		return 0;
	}
	if (vp->v_lockholder == NULL) {
		if ((flags & LK_EXCLUSIVE) && vp->v_lockshared == 0) {
			vp->v_lockholder = me;
			return 0;
		}
		if (flags & LK_SHARED) {
			vp->v_lockshared++;
			return 0;
		}
	}
	return vn_lock_wait(k, vp, flags, me);
}

void
VOP_UNLOCK(struct kern *k, struct vnode *vp)
{
	struct sim_proc *me = curproc(k->sim);

	if (me == NULL)
		return;
	if (vp->v_lockholder == me) {
		if (vp->v_lockrecurse > 0) {
			vp->v_lockrecurse--;
			return;
		}
		vp->v_lockholder = NULL;
	} else {
		KASSERT(vp->v_lockshared > 0, ("VOP_UNLOCK: not locked"));
		vp->v_lockshared--;
	}
	if (vp->v_lockwaiters > 0)
		wakeup(k->sim, &vp->v_lockholder);
}

bool
VOP_ISLOCKED(const struct vnode *vp)
{
	return vp->v_lockholder != NULL || vp->v_lockshared > 0;
}

/* ---- write gating (vn_start_write, vfs_write_suspend) ----------------- */

/*
 * 5.0-CURRENT gates every operation that changes a file system: a writer
 * enters with vn_start_write (waiting "suspfs" while a suspension is
 * asked for) and leaves with vn_finished_write; vfs_write_suspend waits
 * for those inside, syncs everything and holds the rest out until
 * vfs_write_resume.  RELENG_4 had no gating (and no snapshots): there
 * these do nothing.
 */
void
vn_start_write(struct kern *k)
{
	struct mount *mp = &k->mnt;

	if (k->p.era == ERA_FREEBSD4 || curproc(k->sim) == NULL)
		return;
	while (mp->mnt_kern_flag & MNTK_SUSPEND) {
		sim_time_t t = sim_now(k->sim);

		k->cnt.suspfs_waits++;
		tsleep(k->sim, &mp->mnt_flag_chan, "suspfs", 0);
		k->cnt.suspfs_wait_ns += sim_now(k->sim) - t;
	}
	mp->mnt_writeopcount++;
}

void
vn_finished_write(struct kern *k)
{
	struct mount *mp = &k->mnt;

	if (k->p.era == ERA_FREEBSD4 || curproc(k->sim) == NULL)
		return;
	KASSERT(mp->mnt_writeopcount > 0, ("vn_finished_write: none"));
	if (--mp->mnt_writeopcount == 0 && (mp->mnt_kern_flag & MNTK_SUSPEND))
		wakeup(k->sim, &mp->mnt_writeopcount);
}

/* For writes that come after an operation already inside (inactive's
 * freeing of a closed, unlinked file): wait only once fully suspended. */
void
vn_write_suspend_wait(struct kern *k)
{
	struct mount *mp = &k->mnt;

	while (curproc(k->sim) != NULL && (mp->mnt_kern_flag & MNTK_SUSPENDED)) {
		sim_time_t t = sim_now(k->sim);

		k->cnt.suspfs_waits++;
		tsleep(k->sim, &mp->mnt_flag_chan, "suspfs", 0);
		k->cnt.suspfs_wait_ns += sim_now(k->sim) - t;
	}
}

bool
vn_write_suspended(const struct kern *k)
{
	return (k->mnt.mnt_kern_flag & MNTK_SUSPEND) != 0;
}

void
vfs_write_suspend(struct kern *k)
{
	struct mount *mp = &k->mnt;

	if (mp->mnt_kern_flag & MNTK_SUSPEND)
		return;
	mp->mnt_kern_flag |= MNTK_SUSPEND;
	/* A single sleep, as vfs_write_suspend has it: the last writer's
	 * vn_finished_write wakes us. */
	if (mp->mnt_writeopcount > 0)
		tsleep(k->sim, &mp->mnt_writeopcount, "suspwt", 0);
	/* One VFS_SYNC(mp, MNT_WAIT): ffs_sync waits for every write it
	 * starts, and leaves nothing unwritten (the loophole the seed's
	 * 112f737245 closed). */
	ffs_sync(k, MNT_WAIT);
	mp->mnt_kern_flag |= MNTK_SUSPENDED;
}

void
vfs_write_resume(struct kern *k)
{
	struct mount *mp = &k->mnt;

	mp->mnt_kern_flag &= ~(MNTK_SUSPEND | MNTK_SUSPENDED);
	wakeup(k->sim, &mp->mnt_writeopcount);
	wakeup(k->sim, &mp->mnt_flag_chan);
}

/* ---- making and recycling vnodes ------------------------------------- */

static void
vnode_init(struct kern *k, struct vnode *vp)
{
	memset(vp, 0, sizeof(*vp));
	vp->v_number = ++k->nextvnode;
	TAILQ_INIT(&vp->v_cleanblkhd);
	TAILQ_INIT(&vp->v_dirtyblkhd);
	TAILQ_INIT(&vp->v_pages);
	LIST_INIT(&vp->v_cache_src);
	LIST_INIT(&vp->v_cache_dst);
}

static void
vnode_destroy(struct kern *k, struct vnode *vp)
{
	KASSERT(TAILQ_EMPTY(&vp->v_dirtyblkhd) && TAILQ_EMPTY(&vp->v_cleanblkhd),
	    ("destroying a vnode with buffers"));
	if (vp->v_flag & VFREE)
		vbusy(k, vp);
	cache_purge(k, vp);
	vm_object_terminate(k, vp);
	KASSERT(vp->v_npages == 0, ("destroying a vnode with wired pages"));
	vn_syncer_remove(k, vp);
	TAILQ_REMOVE(&k->mntvnodes, vp, v_mntvnodes);
	k->numvnodes--;
	k->cnt.vnodes_freed++;
	g_free(vp);
}

/*
 * vgonel: take vp away from its inode.  VXLOCK keeps vget off it; its
 * lock is drained; its dirty buffers are written (vinvalbuf with V_SAVE)
 * and all its buffers and pages dropped; its names leave the cache; an
 * inode with pending changes is written (ufs_reclaim).  The vnode is then
 * free to be used for another inode (or destroyed).
 */
static void
vgonel(struct kern *k, struct vnode *vp)
{
	struct inode *ip = vp->v_data;

	vp->v_flag |= VXLOCK;
	vhold(vp);
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	/* vm_object_terminate: pages dirtied through a mapping put back
	 * first, synchronously. */
	if (vp->v_flag & VOBJDIRTY)
		vm_object_page_clean(k, vp, 0, 0, OBJPC_SYNC);
	if (!TAILQ_EMPTY(&vp->v_dirtyblkhd))
		(void)VOP_FSYNC(k, vp, MNT_WAIT);
	vinvalbuf_range(k, vp, INT64_MIN);
	vm_object_terminate(k, vp);
	cache_purge(k, vp);
	/* ufs_reclaim: even an access time is written now. */
	if (ip != NULL && (ip->i_flag & IN_LAZYMOD))
		ip->i_flag |= IN_MODIFIED;
	if (ip != NULL && (ip->i_flag & (IN_ACCESS | IN_CHANGE | IN_UPDATE |
	    IN_MODIFIED)))
		ffs_update(k, ip, false);
	VOP_UNLOCK(k, vp);
	vp->v_holdcnt--;
	if (ip != NULL)
		ip->i_vnode = NULL;
	vp->v_data = NULL;
	vp->v_flag &= ~VXLOCK;
	if (vp->v_flag & VXWANT) {
		vp->v_flag &= ~VXWANT;
		wakeup(k->sim, vp);
	}
	k->cnt.vnodes_recycled++;
}

/*
 * getnewvnode: a vnode for a new in-core inode.  While more than
 * desiredvnodes are active, wake vnlru and wait ("vlruwk", re-checking
 * each second).  With enough free ones, take the first on the free list
 * whose object holds no pages (those that do are rotated to the tail);
 * else make a new one.
 */
static struct vnode *
getnewvnode(struct kern *k)
{
	struct vnode *vp = NULL;
	int64_t n;

	while (curproc(k->sim) != NULL &&
	    k->numvnodes - k->freevnodes > k->desiredvnodes) {
		if (!k->vnlruproc_sig) {
			k->vnlruproc_sig = true;
			wakeup(k->sim, &k->vnlruproc);
		}
		k->cnt.vlruwk_waits++;
		tsleep(k->sim, &k->vnlruproc_sig, "vlruwk", SIM_SEC);
	}
	if (k->freevnodes >= k->wantfreevnodes && k->numvnodes >= k->minvnodes) {
		for (n = k->freevnodes; n > 0; n--) {
			vp = TAILQ_FIRST(&k->vnode_free_list);
			if (vp->v_npages == 0 && vp->v_holdcnt == 0)
				break;
			TAILQ_REMOVE(&k->vnode_free_list, vp, v_freelist);
			TAILQ_INSERT_TAIL(&k->vnode_free_list, vp, v_freelist);
			vp = NULL;
		}
	}
	if (vp != NULL) {
		vbusy(k, vp);
		vgonel(k, vp);
		TAILQ_REMOVE(&k->mntvnodes, vp, v_mntvnodes);
		vn_syncer_remove(k, vp);
		KASSERT(LIST_EMPTY(&vp->v_cache_src) && LIST_EMPTY(&vp->v_cache_dst),
		    ("getnewvnode: names still cached"));
		vnode_init(k, vp);
	} else {
		vp = g_new(struct vnode, 1);
		vnode_init(k, vp);
		k->numvnodes++;
	}
	TAILQ_INSERT_TAIL(&k->mntvnodes, vp, v_mntvnodes);
	k->cnt.vnodes_created++;
	return vp;
}

/*
 * vn_get (VFS_VGET: ffs_vget, then vget): the vnode of ip.  In core: take
 * it off the free list; being recycled: wait and look again.  Not in core:
 * a new vnode and a read of the inode block — after which another process
 * may have made it first (ufs_ihashins's race), and its vnode is used.
 * The vnode is pinned for the running call.
 */
static int
vget_inode(struct kern *k, struct inode *ip, bool carry, struct vnode **vpp)
{
	struct vnode *vp;
	int error;

	*vpp = NULL;
	for (;;) {
		vp = ip->i_vnode;
		if (vp != NULL && (vp->v_flag & VXLOCK) &&
		    curproc(k->sim) != NULL) {
			vp->v_flag |= VXWANT;
			tsleep(k->sim, vp, "vget", 0);
			continue;
		}
		if (vp != NULL) {
			vn_pin(k, vp);
			*vpp = vp;
			return 0;
		}
		vp = getnewvnode(k);
		if (ip->i_vnode != NULL) {
			/* Someone made it while we slept: ours is spare. */
			vn_idle(k, vp);
			continue;
		}
		vp->v_type = ip->i_special != VNON ? (enum vtype)ip->i_special :
		    ip->i_isdir ? VDIR : ip->i_symlink != NULL ? VLNK : VREG;
		vp->v_data = ip;
		ip->i_vnode = vp;
		vn_pin(k, vp);
		if (ip == k->fs.fs_root)
			vp->v_flag |= VROOT;
		if ((error = ffs_iread(k, ip, carry)) != 0) {
			/*
			 * ffs_vget's bread failed: "the inode does not
			 * contain anything useful", so the vnode leaves its
			 * inode and goes (vput of a vnode whose mode is
			 * still 0: ufs_inactive's vrecycle); the next
			 * lookup makes another and reads the block again.
			 * A process that took this vnode while the block
			 * was read keeps it as read — in the kernel it
			 * waited on the vnode's lock and then looked again,
			 * reading the block itself; not modelled (two
			 * lookups of one inode racing with a disk error).
			 */
			if (vp->v_pincount == 1 && ip->i_vnode == vp) {
				ip->i_vnode = NULL;
				vp->v_data = NULL;
				vp->v_flag |= VDOOMED;
			}
			vn_unpin(k, vp);
			return error;
		}
		*vpp = vp;
		return 0;
	}
}

struct vnode *
vn_get(struct kern *k, struct inode *ip)
{
	struct vnode *vp;

	(void)vget_inode(k, ip, false, &vp);
	return vp;
}

int
vn_get_err(struct kern *k, struct inode *ip, struct vnode **vpp)
{
	return vget_inode(k, ip, true, vpp);
}

struct vnode *
vn_root(struct kern *k)
{
	return vn_get(k, k->fs.fs_root);
}

int64_t
vn_size(struct vnode *vp)
{
	return vp->v_data->i_size;
}

/*
 * vlrureclaim: look at a tenth of the mount's vnodes from the head of its
 * list (each rotated to the tail) and recycle those nobody uses that have
 * no cached names and fewer pages than the trigger (2 * pages /
 * desiredvnodes).
 */
static int
vlrureclaim(struct kern *k)
{
	int64_t count = k->numvnodes / 10 + 1;
	int trigger = (int)(2 * (int64_t)k->vm.cnt.v_page_count /
	    MAX(k->desiredvnodes, 1));
	int done = 0;

	while (count-- > 0 && !TAILQ_EMPTY(&k->mntvnodes)) {
		struct vnode *vp = TAILQ_FIRST(&k->mntvnodes);

		TAILQ_REMOVE(&k->mntvnodes, vp, v_mntvnodes);
		TAILQ_INSERT_TAIL(&k->mntvnodes, vp, v_mntvnodes);
		if (vp->v_usecount > 0 || vp->v_pincount > 0 ||
		    (vp->v_flag & (VFREE | VXLOCK | VDOOMED | VROOT)) ||
		    !LIST_EMPTY(&vp->v_cache_src) || vp->v_npages >= trigger ||
		    vp->v_data == NULL || VOP_ISLOCKED(vp))
			continue;
		vgonel(k, vp);
		done++;
		if (vp->v_holdcnt == 0 && vp->v_usecount == 0 &&
		    vp->v_pincount == 0)
			vnode_destroy(k, vp);
	}
	return done;
}

/* vnlru_proc: keep the active vnodes under 9/10 of desiredvnodes. */
static void
vnlru_proc(void *arg)
{
	struct kern *k = arg;

	for (;;) {
		while (k->numvnodes - k->freevnodes <= k->desiredvnodes / 10 * 9) {
			k->vnlruproc_sig = false;
			wakeup(k->sim, &k->vnlruproc_sig);
			tsleep(k->sim, &k->vnlruproc, "vlruwt", SIM_SEC);
		}
		k->cnt.vnlru_runs++;
		if (vlrureclaim(k) == 0) {
			k->cnt.vnlru_nowhere++;
			tsleep(k->sim, &k->vnlruproc, "vlrup", 3 * SIM_SEC);
		}
	}
}

void
vnlru_start(struct kern *k)
{
	k->vnlruproc = sim_spawn(k->sim, "vnlru", vnlru_proc, k, SIMP_DAEMON);
}

/* After set-up: a machine that just booted has no inode in core but the
 * root.  Every vnode nothing refers to is taken apart, no I/O. */
void
vn_reclaim_idle(struct kern *k)
{
	struct vnode *vp, *next;

	for (vp = TAILQ_FIRST(&k->mntvnodes); vp != NULL; vp = next) {
		next = TAILQ_NEXT(vp, v_mntvnodes);
		if (vp->v_usecount > 0 || vp->v_holdcnt > 0 || vp->v_pincount > 0 ||
		    vp->v_npages > 0 || (vp->v_flag & VROOT) ||
		    !TAILQ_EMPTY(&vp->v_cleanblkhd))
			continue;
		if (vp->v_data != NULL)
			vp->v_data->i_vnode = NULL;
		vnode_destroy(k, vp);
	}
}

/* The end of a run: every vnode freed, no I/O. */
void
vn_destroy_all(struct kern *k)
{
	struct vnode *vp;

	while ((vp = TAILQ_FIRST(&k->mntvnodes)) != NULL) {
		TAILQ_REMOVE(&k->mntvnodes, vp, v_mntvnodes);
		if (vp->v_data != NULL)
			vp->v_data->i_vnode = NULL;
		g_free(vp);
	}
	TAILQ_INIT(&k->vnode_free_list);
	k->numvnodes = k->freevnodes = 0;
}

/* ---- buffers on a vnode ------------------------------------------------ */

/*
 * reassignbuf: move a buffer between its vnode's clean and dirty lists.
 * The first dirty buffer puts the vnode on the syncer wheel (dirdelay for
 * a directory, metadelay for the device's metadata, filedelay for a
 * file); the last one cleaned takes it off.  Dirty buffers are kept
 * roughly in block order, as [4x] did: at the head if smaller than the
 * head, right after block lbn-1 if that is dirty, indirect blocks (lbn <
 * 0) at the tail, else at the tail.
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
			vn_syncer_add_to_worklist(k, vp,
			    vp->v_type == VDIR ? k->p.dirdelay :
			    (vp->v_flag & VDEVICE) ? k->p.metadelay : k->p.filedelay);
		if (bp->b_lblkno < 0 && !(vp->v_flag & VDEVICE))
			TAILQ_INSERT_TAIL(&vp->v_dirtyblkhd, bp, b_vnbufs);
		else if (head == NULL || bp->b_lblkno < head->b_lblkno)
			TAILQ_INSERT_HEAD(&vp->v_dirtyblkhd, bp, b_vnbufs);
		else if (bp->b_lblkno > 0 && !(vp->v_flag & VDEVICE) &&
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

/* The vnode of dvp's entry name, made if need be (no lookup I/O): for
 * set-up and repairs. */
struct vnode *
vn_child(struct kern *k, struct vnode *dvp, const char *name)
{
	struct direntry *de;

	if (dvp->v_type != VDIR ||
	    (de = ufs_dir_lookup(dvp->v_data, name)) == NULL)
		return NULL;
	return vn_get(k, de->de_ip);
}

/* The vnode of dvp's entry name, if in core (no lookup, no I/O). */
struct vnode *
vn_lookup_child(struct vnode *dvp, const char *name)
{
	struct direntry *de;

	if (dvp->v_type != VDIR ||
	    (de = ufs_dir_lookup(dvp->v_data, name)) == NULL)
		return NULL;
	return de->de_ip->i_vnode;
}

/*
 * VOP_LOOKUP of one component (vfs_cache_lookup, then ufs_lookup): the
 * name cache first; on a miss, read the directory and enter what was
 * found — or, except when creating, that it is not there.  nameiop:
 * LOOKUP, or the last component of a CREATE/DELETE/RENAME (which do not
 * keep a positive entry for a name they are about to change).
 */
static int
vop_lookup(struct kern *k, struct vnode *dvp, const char *name, int nameiop,
    bool last, struct vnode **vpp)
{
	bool makeentry = !(last && (nameiop == DELETE || nameiop == RENAME));
	bool creating = last && nameiop == CREATE;
	struct direntry *de;
	struct vnode *vp;
	int r, error;

	*vpp = NULL;
	r = cache_lookup(k, dvp, name, makeentry, creating, &vp);
	if (r == CACHE_HIT) {
		*vpp = vn_get(k, vp->v_data);
		return 0;
	}
	if (r == CACHE_NEG)
		return ENOENT;
	de = ufs_dir_lookup(dvp->v_data, name);
	/* A directory block that cannot be read fails the lookup (ufs_lookup:
	 * UFS_BLKATOFF's error is returned), nothing entered in the cache. */
	error = ufs_lookup_io(k, dvp, de != NULL ? de->de_chunk : -1,
	    nameiop == LOOKUP);
	if (error != 0)
		return error;
	/* The directory may have changed while its blocks were read. */
	de = ufs_dir_lookup(dvp->v_data, name);
	if (de == NULL) {
		if (!creating)
			cache_enter(k, dvp, NULL, name);
		return ENOENT;
	}
	/* So does an inode block (ufs_lookup's VFS_VGET, ffs_vget). */
	if ((error = vget_inode(k, de->de_ip, true, vpp)) != 0)
		return error;
	if (makeentry)
		cache_enter(k, dvp, *vpp, name);
	return 0;
}

/*
 * VOP_READLINK (ufs_readlink): a target shorter than the file system's
 * maxsymlinklen is copied out of the inode; a longer one is read from the
 * link's block through the buffer cache (VOP_READ), which may wait for
 * the disk.
 */
const char *
vn_readlink(struct kern *k, struct vnode *vp)
{
	struct inode *ip = vp->v_data;

	KASSERT(vp->v_type == VLNK && ip->i_symlink != NULL,
	    ("vn_readlink: not a symbolic link"));
	k->cnt.readlinks++;
	if (ip->i_size < MAXSYMLINKLEN || ip->i_blocks == 0)
		uiomove_cost(k, ip->i_size);
	else
		(void)vn_read(k, vp, 0, ip->i_size, 0);
	return ip->i_symlink;
}

/*
 * namei: walk path one component at a time from the root (absolute) or
 * dir (relative), charging cpu.lookup for each and looking each up.  On
 * success ni_dvp is the directory holding the last component and ni_vp the
 * object (NULL when the last component does not exist: the caller may be
 * creating it).  Both are pinned for the call.
 *
 * A symbolic link met on the way is followed, as namei and lookup do: in
 * the middle of a path always, as the last component only with FOLLOW.
 * Its target is read (VOP_READLINK) and put in front of what is left of
 * the path, and the walk goes on from the link's directory, or from the
 * root for an absolute target — each component of it a lookup of its own.
 * More than MAXSYMLINKS links in one walk is ELOOP; an empty target
 * ENOENT.
 */
int
namei_op(struct kern *k, struct vnode *dir, const char *path, int nameiop,
    struct nameidata *nd)
{
	struct vnode *dvp = path[0] == '/' || dir == NULL ? vn_root(k) : dir;
	int op = nameiop & OPMASK;
	const char *p = path, *end;
	char *buf = NULL;		/* the path after a link was followed */
	int error = 0;
	size_t n;

	memset(nd, 0, sizeof(*nd));
	k->cnt.lookups++;
	vn_pin(k, dvp);
	if (path[0] == '\0')
		return ENOENT;
	if (strlen(path) >= PATH_MAX_)
		return ENAMETOOLONG;
	nd->ni_dvp = dvp;
	nd->ni_vp = dvp;		/* "/" or "." alone */
	for (;;) {
		bool last;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > UFS_MAXNAMLEN) {
			error = ENAMETOOLONG;
			break;
		}
		if (nd->ni_vp == NULL) {
			error = ENOENT;		/* a missing directory */
			break;
		}
		if (nd->ni_vp->v_type != VDIR) {
			error = ENOTDIR;
			break;
		}
		dvp = nd->ni_vp;
		/* Moving down: the directory left behind is not needed. */
		if (nd->ni_dvp != dvp)
			vn_unpin(k, nd->ni_dvp);
		k->cnt.components++;
		kern_cpu(k, k->p.cpu_lookup);
		memcpy(nd->ni_last, p, n);
		nd->ni_last[n] = '\0';
		nd->ni_dvp = dvp;
		last = p[n] == '\0' || strspn(p + n, "/") == strlen(p + n);
		if (n == 1 && p[0] == '.')
			nd->ni_vp = dvp;
		else if (n == 2 && p[0] == '.' && p[1] == '.') {
			/* the ".." cache (v_dd): no lookup — but the parent's
			 * inode block if it is not in core (ufs_lookup's
			 * VFS_VGET of it, whose error is returned) */
			if ((error = vn_get_err(k, dvp->v_data->i_parent,
			    &nd->ni_vp)) != 0)
				break;
		} else {
			error = vop_lookup(k, dvp, nd->ni_last, op, last,
			    &nd->ni_vp);
			if (error != 0 && error != ENOENT)
				break;
			error = 0;
		}
		nd->ni_ncomp++;
		p += n;
		if (nd->ni_vp != NULL && nd->ni_vp->v_type == VLNK &&
		    (!last || (nameiop & FOLLOW))) {
			const char *target;
			char *next;

			if (nd->ni_loopcnt++ >= MAXSYMLINKS) {
				error = ELOOP;
				break;
			}
			k->cnt.symlinks_followed++;
			target = vn_readlink(k, nd->ni_vp);
			if (target[0] == '\0') {
				error = ENOENT;
				break;
			}
			if (strlen(target) + strlen(p) + 1 >= PATH_MAX_) {
				error = ENAMETOOLONG;
				break;
			}
			next = g_strconcat(target, p, NULL);
			g_free(buf);
			buf = next;
			p = buf;
			/* On from the link's directory, or from the root. */
			if (p[0] == '/') {
				struct vnode *root = vn_root(k);

				if (nd->ni_dvp != root)
					vn_unpin(k, nd->ni_dvp);
				nd->ni_dvp = root;
			}
			nd->ni_vp = nd->ni_dvp;
		}
	}
	g_free(buf);
	return error;
}

int
namei(struct kern *k, struct vnode *dir, const char *path, struct nameidata *nd)
{
	return namei_op(k, dir, path, LOOKUP | FOLLOW, nd);
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
		/*
		 * The kernel's (uio_resid + BKVASIZE - 1) / BKVASIZE, at
		 * least one: unsigned, so that it is a shift (a signed
		 * quotient and remainder had been a dozen instructions a
		 * call).  A positive count cannot overflow there; a count
		 * of zero adds nothing, as the kernel's quotient is 0 (none
		 * reaches here from a read or write, which has bytes).
		 */
		int64_t inc = resid > 0 ?
		    (int64_t)(((uint64_t)resid + BKVASIZE - 1) / BKVASIZE) : 0;

		fp->f_seqcount = (int)MIN((int64_t)fp->f_seqcount + inc,
		    IO_SEQMAX);
		return fp->f_seqcount << IO_SEQSHIFT;
	}
	fp->f_seqcount = fp->f_seqcount > 1 ? 1 : 0;
	return 0;
}

/*
 * ffs_read: read len bytes at off, the vnode locked, one fs block at a
 * time.  The primitive depends on where the
 * block lies and the mount: the last block of the file is a plain bread
 * (nothing to read ahead); with read clustering, cluster_read (the rest
 * of the request in one I/O, and read-ahead from the sequential score in
 * ioflag); without it, breadn with one block of read-ahead for a
 * sequential reader, else bread.  A block past the direct ones first costs
 * the indirect blocks that map it, if they are not cached.  A hit costs
 * only the copy; a miss waits for the disk.  The buffer goes back to the
 * tail of CLEAN (bqrelse) — or, for O_DIRECT, is released with its pages
 * (B_DIRECT | B_RELBUF) so that the data is not cached.  The access time
 * is marked for a later inode write (unless the mount is noatime).
 */
int
ffs_read(struct kern *k, struct vnode *vp, int64_t off, int64_t len, int ioflag)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	int seqcount = ioflag >> IO_SEQSHIFT;
	int error = 0;
	/*
	 * ffs_read's lblkno and blkoff are fs.h's shift by fs_bshift and
	 * mask by fs_qbmask; the model's macros divide, which for the
	 * offsets a read has (never negative) and a block size that is a
	 * power of two (ffs_mount refuses any other) is the same number
	 * at the cost of a 64-bit division a block (a third of vn_read's
	 * cycles on a cache hit).
	 */
	int bshift = __builtin_ctz((unsigned)fs->fs_bsize);
	int64_t qbmask = (int64_t)fs->fs_bsize - 1;

	KASSERT(off >= 0 && fs->fs_bsize > 0 &&
	    (fs->fs_bsize & (fs->fs_bsize - 1)) == 0,
	    ("ffs_read: offset %lld, block size %d", (long long)off,
	    fs->fs_bsize));
	while (len > 0 && off < ip->i_size) {
		int64_t lbn = off >> bshift, nextlbn = lbn + 1;
		int64_t boff = off & qbmask;
		int size = ffs_blksize(fs, ip, lbn);
		int64_t xfer = MIN(MIN((int64_t)fs->fs_bsize - boff, len),
		    ip->i_size - off);
		int nextsize = fs->fs_bsize;
		struct buf *bp;

		/* An indirect block that cannot be read fails the read:
		 * ufs_strategy's VOP_BMAP error is bread's. */
		if (lbn >= NDADDR && !inmem(k, vp, lbn) &&
		    (error = ufs_bmap_io(k, vp, lbn)) != 0)
			break;
		if (lblktosize(fs, nextlbn) >= ip->i_size)
			error = bread(k, vp, lbn, size, &bp);
		else if (k->p.cluster_read)
			error = cluster_read(k, vp, ip->i_size, lbn, size, len,
			    seqcount, &bp);
		else if (seqcount > 1) {
			nextsize = ffs_blksize(fs, ip, nextlbn);
			error = breadn(k, vp, lbn, size, &nextlbn, &nextsize, 1,
			    &bp);
		} else
			error = bread(k, vp, lbn, size, &bp);
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
	if (!fs->fs_noatime)
		ITIMES(k, ip, IN_ACCESS);
	return error;
}

/* vn_read: VOP_READ (ffs_read) under the vnode's shared lock. */
int
vn_read(struct kern *k, struct vnode *vp, int64_t off, int64_t len, int ioflag)
{
	int error;

	(void)vn_lock(k, vp, LK_SHARED);
	error = ffs_read(k, vp, off, len, ioflag);
	VOP_UNLOCK(k, vp);
	return error;
}

/*
 * vn_write: bwillwrite first (before any lock, as vn_write does), then,
 * under the vnode's exclusive lock, VOP_WRITE (ffs_write, below).
 */
int
vn_write(struct kern *k, struct vnode *vp, int64_t off, int64_t len, int ioflag)
{
	struct inode *ip = vp->v_data;
	int error;

	if (ip->i_snapshot) {
		/* SF_SNAPSHOT: nobody writes a snapshot (the trace, from
		 * another system, named a file that is one here) */
		k->cnt.snap_writes_refused++;
		return EPERM;
	}
	bwillwrite(k);
	vn_start_write(k);
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	error = ffs_write(k, vp, off, len, ioflag);
	VOP_UNLOCK(k, vp);
	vn_finished_write(k);
	return error;
}

/*
 * ffs_write, per block: ffs_balloc allocates it (or its fragment, or the
 * indirect blocks on the way) and returns its buffer — with the old
 * contents read when part of it is kept — the data is copied in (but for
 * the pager's IO_VMIO write: the data is in the pages already), and the
 * buffer disposed of by ffs_write's rules (below).  A synchronous write
 * ends with a synchronous inode write.
 */
int
ffs_write(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
    int ioflag)
{
	struct inode *ip = vp->v_data;
	struct fs *fs = &k->fs;
	int seqcount = ioflag >> IO_SEQSHIFT;
	int error = 0;

	ffs_risk_touch(k, ip);		/* where the disk is, before */
	if (ioflag & IO_APPEND)
		off = ip->i_size;
	while (len > 0) {
		int64_t boff = blkoff(fs, off);
		int64_t xfer = MIN((int64_t)fs->fs_bsize - boff, len);
		int flags = (int)MIN(seqcount, IO_SEQMAX) << BA_SEQSHIFT;
		struct buf *bp;

		if (fs->fs_bsize > xfer)
			flags |= BA_CLRBUF;
		if (ioflag & IO_SYNC)
			flags |= BA_SYNC;
		error = ffs_balloc(k, vp, off, (int)xfer, flags, &bp);
		if (error != 0)
			break;
		/* A whole block to overwrite that is not in memory: zero
		 * it rather than read it. */
		if (!(bp->b_flags & B_CACHE) && fs->fs_bsize <= xfer)
			vfs_bio_clrbuf(k, bp);
		if (off + xfer > ip->i_size)
			ip->i_size = off + xfer;
		if (!(ioflag & IO_VMIO))
			uiomove_cost(k, xfer);
		bio_note_version(k, bp);
		ffs_risk_write(k, ip, bp, boff, xfer);
		ITIMES(k, ip, IN_CHANGE | IN_UPDATE);
		/*
		 * The write-disposition rules of ffs_write, in order:
		 * synchronous if asked; async at once when memory is severely
		 * short (part of the seed's low-memory fix: keep I/O moving
		 * rather than pile up); a block now completely written goes to
		 * cluster_write (or, on a noclusterw mount, to the disk at
		 * once); a partial O_DIRECT block is written at once; anything
		 * else is a delayed write.  (ffs_write also writing at once
		 * when dirty buffers are severe, buf_dirty_count_severe, is
		 * in the 2003 text; whether the 2001 one had it is not known
		 * — its comment names only the page shortage, while 2001's
		 * ffs_update did have it — so it is left out: an
		 * uncertainty, see the README's "Not yet".)
		 */
		bp->b_flags |= B_CLUSTEROK;
		if (ioflag & IO_DIRECT)
			bp->b_flags |= B_DIRECT;
		if (ioflag & IO_SYNC) {
			bp->b_flags &= ~B_CLUSTEROK;
			error = bwrite(k, bp);
		} else if (k->p.io_reserve && vm_page_count_severe(k))
			bawrite(k, bp);
		else if (xfer + boff == fs->fs_bsize) {
			if (k->p.cluster_write)
				cluster_write(k, bp, ip->i_size, seqcount);
			else
				bawrite(k, bp);
		} else if (ioflag & IO_DIRECT)
			bawrite(k, bp);
		else
			bdwrite(k, bp);
		if (!(ioflag & IO_VMIO))
			k->cnt.bytes_written += (uint64_t)xfer;
		off += xfer;
		len -= xfer;
		if (error != 0)
			break;
	}
	if (error == 0 && (ioflag & IO_SYNC)) {
		/* soft updates: the maps the new blocks wait for first, so
		 * that the inode goes with its pointers (uncertain for 2001:
		 * see README) */
		softdep_sync_metadata(k, vp);
		error = ffs_update(k, ip, true);	/* its error too */
		if (error == 0 && k->crash != NULL)
			ffs_crash_synced(k, ip);
	}
	return error;
}

/* vn_stat: VOP_GETATTR's answer, as ufs_getattr computes it. */
void
vn_stat(struct kern *k, struct vnode *vp, struct vattr *va)
{
	struct inode *ip = vp->v_data;

	memset(va, 0, sizeof(*va));
	va->va_type = vp->v_type;
	va->va_size = ip->i_size;
	va->va_bytes = ip->i_blocks * DEV_BSIZE;
	va->va_nlink = ip->i_nlink;
	va->va_fileid = ip->i_number;
	va->va_gen = ip->i_gen;
	/* st_blksize: the file system's block size for its files. */
	va->va_blocksize = k->fs.fs_bsize;
}

/* ---- buffers of a vnode (vfs_subr.c's bgetvp, brelvp, vinvalbuf) ----- */

/* bgetvp: attach a buffer to its vnode — its clean list, a hold on the
 * vnode (vfs_subr.c's bgetvp); getblk then hashes it (binshash, bio.c). */
void
bgetvp(struct kern *k, struct vnode *vp, struct buf *bp)
{
	(void)k;
	bp->b_vp = vp;
	vhold(vp);
	bp->b_xflags = BX_VNCLEAN;
	TAILQ_INSERT_TAIL(&vp->v_cleanblkhd, bp, b_vnbufs);
}

/* brelvp: detach a buffer, clean and already out of the hash (bremhash,
 * bio.c), from its vnode's list, and let the vnode go (vfs_subr.c's
 * brelvp). */
void
brelvp(struct kern *k, struct buf *bp)
{
	struct vnode *vp = bp->b_vp;

	KASSERT(vp != NULL, ("brelvp: no vnode"));
	KASSERT(!(bp->b_flags & B_DELWRI), ("brelvp: dirty buffer"));
	if (bp->b_xflags & BX_VNDIRTY) {
		TAILQ_REMOVE(&vp->v_dirtyblkhd, bp, b_vnbufs);
		vp->v_ndirty--;
	} else
		TAILQ_REMOVE(&vp->v_cleanblkhd, bp, b_vnbufs);
	bp->b_xflags = 0;
	bp->b_vp = NULL;
	bp->b_lblkno = NOLBLK;
	vdrop(k, vp);
}

/*
 * Invalidate every buffer of vp at or past from_lblkno (vtruncbuf,
 * vinvalbuf without V_SAVE), waiting for any that are locked, then take
 * the file's pages past the cut out of the page cache.
 */
void
vinvalbuf_range(struct kern *k, struct vnode *vp, int64_t from_lblkno)
{
	struct buf *bp, *next;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct bufqueue *list = pass == 0 ? &vp->v_dirtyblkhd :
		    &vp->v_cleanblkhd;
restart:
		for (bp = TAILQ_FIRST(list); bp != NULL; bp = next) {
			next = TAILQ_NEXT(bp, b_vnbufs);
			if (bp->b_lblkno < from_lblkno)
				continue;
			if (!BUF_LOCK_NOWAIT(k, bp)) {
				bp->b_lockwaiters++;
				tsleep(k->sim, bp, "vinvlbuf", 0);
				bp->b_lockwaiters--;
				goto restart;
			}
			if (bp->b_qindex != QUEUE_NONE)
				bremfree(k, bp);
			if (bp->b_flags & B_DELWRI)
				bundirty(k, bp);
			bp->b_flags |= B_INVAL;
			brelse(k, bp);
			goto restart;
		}
	}
	if (from_lblkno == INT64_MIN)
		vm_object_terminate(k, vp);
	else
		vm_object_page_remove(k, vp,
		    from_lblkno * k->fs.fs_bsize / PAGE_SIZE);
}
