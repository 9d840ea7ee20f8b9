/*
 * vnode.h — struct vnode and the vnode-level operations (vfs_vnops.c,
 * vfs_lookup.c, vfs_subr.c), after sys/vnode.h.
 *
 * A vnode is an inode in core: made when a lookup or an open needs the
 * inode (reading its inode block), kept while anything refers to it (use
 * counts from open files and working directories, holds from buffers and
 * cached names, pins from the call in progress), then put on the free list
 * or — while its file's pages are cached — left for vnlru, and recycled
 * when vnodes run short (getnewvnode, vnlru).  Its lock serializes writers
 * and the syncer.  Path lookup goes through the name cache and, on a miss,
 * reads directory blocks.
 */
#ifndef VFSSIM_VNODE_H
#define VFSSIM_VNODE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "buf.h"
#include "vm.h"

struct kern;
struct inode;

/* (VCHR, VBLK, VSOCK, VFIFO: nodes mknod(2) and mkfifo(2) made — and the
 * file system's device vnode, VCHR with VDEVICE) */
enum vtype { VNON, VREG, VDIR, VCHR, VBAD, VLNK, VBLK, VSOCK, VFIFO };

/* v_flag */
#define VROOT		0x0001
#define VONWORKLST	0x0002	/* on the syncer wheel */
#define VBWAIT		0x0004	/* someone waits for v_numoutput == 0 */
#define VFREE		0x0008	/* on the free list */
#define VXLOCK		0x0010	/* being recycled */
#define VXWANT		0x0020	/* someone waits for VXLOCK to clear */
#define VAGE		0x0040	/* to the head of the free list */
#define VDOOMED		0x0080	/* its inode is gone: destroy at last ref */
#define VOBJDIRTY	0x0100	/* its object may have dirty pages (mmap) */
#define VDEVICE		0x0200	/* the file system's device (ffs_mountfs's
				   devvp): metadata buffers; never freed */

/* A FIFO, socket or device node: opened through fifofs or specfs, its
 * I/O never the buffer cache's (the device vnode is not one). */
#define VN_ISSPECIAL(vp) \
	(((vp)->v_type == VCHR && !((vp)->v_flag & VDEVICE)) || \
	 (vp)->v_type == VBLK || (vp)->v_type == VSOCK || (vp)->v_type == VFIFO)

struct namecache;

struct vnode {
	uint64_t	 v_number;	/* identity, never reused (v_id): the
					   key of its buffers, pages, names */
	enum vtype	 v_type;
	int		 v_flag;
	int		 v_usecount;	/* opens, working directories */
	int		 v_holdcnt;	/* buffers, cached names */
	int		 v_pincount;	/* the calls in progress that use it */
	int		 v_writecount;	/* opens for writing */
	int		 v_numoutput;	/* writes in flight */
	int		 v_ndirty;	/* buffers on v_dirtyblkhd */
	struct bufqueue	 v_cleanblkhd;
	struct bufqueue	 v_dirtyblkhd;
	struct pglist	 v_pages;	/* its VM object's resident pages */
	int		 v_npages;
	TAILQ_ENTRY(vnode) v_synclist;	/* on a syncer-wheel slot */
	int		 v_syncslot;
	TAILQ_ENTRY(vnode) v_freelist;	/* on the free list */
	TAILQ_ENTRY(vnode) v_mntvnodes;	/* on the mount's list (vnlru) */
	LIST_HEAD(, namecache) v_cache_src;	/* names cached in it */
	LIST_HEAD(, namecache) v_cache_dst;	/* names cached for it */
	/* the vnode lock (lockmgr, as the inode lock "inode") */
	struct sim_proc	*v_lockholder;	/* exclusive holder */
	int		 v_lockrecurse;
	int		 v_lockshared;	/* shared holders */
	int		 v_lockwaiters;
	struct inode	*v_data;	/* the inode; NULL for the device */
	/* write clustering (cluster_write) */
	int64_t		 v_cstart;	/* first block of the cluster */
	int64_t		 v_lastw;	/* last block written */
	ufs2_daddr_t	 v_lasta;	/* its device address */
	int		 v_clen;	/* blocks the cluster may grow by */
};

TAILQ_HEAD(vnodelst, vnode);

/* vn_lock */
#define LK_SHARED	0x1
#define LK_EXCLUSIVE	0x2
#define LK_NOWAIT	0x4

/* ioflag bits passed to VOP_READ/VOP_WRITE */
#define IO_UNIT		0x01
#define IO_APPEND	0x02
#define IO_SYNC		0x04
#define IO_DIRECT	0x08
#define IO_VMIO		0x10	/* the pager's write: the data is already in
				   the object's pages (UIO_NOCOPY) */
/* The sequential score (f_seqcount) rides in the upper bits of ioflag. */
#define IO_SEQSHIFT	16
#define IO_SEQMAX	127

/* VOP_FSYNC waitfor */
#define MNT_WAIT	1
#define MNT_NOWAIT	2
#define MNT_LAZY	3

void	vref(struct vnode *vp);
void	vrele(struct kern *k, struct vnode *vp);
void	vhold(struct vnode *vp);
void	vdrop(struct kern *k, struct vnode *vp);
/* Pin vp for the call the running process is making (no pin outside a
 * process); vn_unpin_all at the end of the call. */
void	vn_pin(struct kern *k, struct vnode *vp);
void	vn_unpin_all(struct kern *k);
void	vn_unpin(struct kern *k, struct vnode *vp);
/* The vnode of an inode (ffs_vget): in core, or made (may sleep).
 * vn_get takes the inode block as read even if the disk failed it (the
 * callers that do not carry the error yet); vn_get_err returns the
 * error, the vnode thrown away, *vpp NULL. */
struct vnode *vn_get(struct kern *k, struct inode *ip);
int	vn_get_err(struct kern *k, struct inode *ip, struct vnode **vpp);
int	vn_lock(struct kern *k, struct vnode *vp, int flags);
void	VOP_UNLOCK(struct kern *k, struct vnode *vp);
bool	VOP_ISLOCKED(const struct vnode *vp);
void	vnlru_start(struct kern *k);
void	vn_reclaim_idle(struct kern *k);
/* Every vnode back: the end of a run. */
void	vn_destroy_all(struct kern *k);
void	reassignbuf(struct kern *k, struct buf *bp, bool dirty);

/*
 * Path lookup.  Resolves path relative to dir (for a relative path) or the
 * root.  With want_parent, returns the parent directory and the last
 * component instead (the component may not exist).  Charges the per-component
 * CPU cost to the running process.  Errors are errno values.
 */
struct nameidata {
	struct vnode	*ni_dvp;	/* parent directory of the last component */
	struct vnode	*ni_vp;		/* the object, or NULL */
	char		 ni_last[256];	/* last component */
	int		 ni_ncomp;	/* components walked */
	int		 ni_loopcnt;	/* symbolic links followed */
};
int	namei(struct kern *k, struct vnode *dir, const char *path,
	    struct nameidata *nd);
/* nameiop: what the lookup is for (how its last component is cached),
 * or'ed with FOLLOW to follow a symbolic link in the last component (one
 * in the middle of a path is always followed), as namei's cn_flags. */
#define LOOKUP		0
#define CREATE		1
#define DELETE		2
#define RENAME		3
#define OPMASK		3
#define NOFOLLOW	0x0000
#define FOLLOW		0x0040
#define MAXSYMLINKS	32	/* links followed in one lookup (ELOOP) */
int	namei_op(struct kern *k, struct vnode *dir, const char *path,
	    int nameiop, struct nameidata *nd);
/* VOP_READLINK (ufs_readlink): the link's target, read — from the inode
 * for a short one, its block for a long one (may sleep). */
const char *vn_readlink(struct kern *k, struct vnode *vp);
/* VOP_READDIR (ufs_readdir): count bytes of directory vp's entries at off,
 * the vnode locked; *offp the offset after them (may sleep). */
int	ufs_readdir(struct kern *k, struct vnode *vp, int64_t off,
	    int64_t count, int64_t *offp);

/* The sequential-access score of an open file, updated for an access of
 * resid bytes at off, as ioflag bits (vfs_vnops.c). */
struct file;
int	sequential_heuristic(struct file *fp, int64_t off, int64_t resid);
int	vn_read(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
	    int ioflag);
/* VOP_READ alone (ffs_read), the caller holding the vnode's lock. */
int	ffs_read(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
	    int ioflag);
int	vn_write(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
	    int ioflag);
/* VOP_WRITE alone (ffs_write), the caller holding the vnode's lock: no
 * bwillwrite, no write gating (the vnode pager's putpages). */
int	ffs_write(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
	    int ioflag);
int	VOP_FSYNC(struct kern *k, struct vnode *vp, int waitfor);
int	vn_truncate(struct kern *k, struct vnode *vp, int64_t length);
void	vn_sync_all(struct kern *k, int waitfor);

/* stat(2)'s view of a vnode (vn_stat: VOP_GETATTR). */
struct vattr {
	int64_t		 va_size;
	int64_t		 va_bytes;	/* st_blocks * 512 */
	int		 va_blocksize;	/* st_blksize */
	int		 va_nlink;
	uint64_t	 va_fileid;
	uint32_t	 va_gen;
	enum vtype	 va_type;
};
void	vn_stat(struct kern *k, struct vnode *vp, struct vattr *va);

/* VOP_SETATTR (ufs_setattr) of a file's mode, owner or times. */
#define VA_MODE		0x1	/* chmod: ufs_chmod */
#define VA_OWNER	0x2	/* chown: ufs_chown */
#define VA_TIMES	0x4	/* utimes: the times, and the inode written */
int	vn_setattr(struct kern *k, struct vnode *vp, int what);

/* Namespace changes (the work of ufs_vnops.c, on the in-core tree). */
int	vn_create(struct kern *k, struct vnode *dvp, const char *name,
	    enum vtype type, struct vnode **vpp);
int	vn_link(struct kern *k, struct vnode *vp, struct vnode *dvp,
	    const char *name);
/* A FIFO, socket or device node name in dvp (ufs_mknod). */
int	vn_mknod(struct kern *k, struct vnode *dvp, const char *name,
	    enum vtype type, struct vnode **vpp);
/* A symbolic link name in dvp to target (ufs_symlink). */
int	vn_symlink(struct kern *k, struct vnode *dvp, const char *name,
	    const char *target, struct vnode **vpp);
/* The target given a link whose length the trace showed but not its
 * contents: len '?'s (at least one, at most SYMLINK_MAX), a name that
 * leads nowhere (g_free it). */
char	*vn_unknown_target(int64_t len);
int	vn_remove(struct kern *k, struct vnode *dvp, const char *name,
	    bool isdir);
#define VN_RENAME_NOREPLACE	0x1	/* renameat2 flags */
#define VN_RENAME_EXCHANGE	0x2
int	vn_rename(struct kern *k, struct vnode *fdvp, const char *fname,
	    struct vnode *tdvp, const char *tname, unsigned flags);
struct vnode *vn_lookup_child(struct vnode *dvp, const char *name);
struct vnode *vn_child(struct kern *k, struct vnode *dvp, const char *name);
struct vnode *vn_root(struct kern *k);
int64_t	vn_size(struct vnode *vp);

#endif
