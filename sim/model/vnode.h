/*
 * vnode.h — struct vnode and the vnode-level operations (vfs_vnops.c,
 * vfs_lookup.c, vfs_subr.c), after sys/vnode.h.
 *
 * First model: one vnode per inode for the inode's whole life (no recycling
 * yet), reference counts (use, hold, write), the per-vnode clean and dirty
 * buffer lists, the syncer-wheel linkage, and a path lookup that walks the
 * directory tree component by component.
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

enum vtype { VNON, VREG, VDIR, VBAD };

/* v_flag */
#define VROOT		0x0001
#define VONWORKLST	0x0002	/* on the syncer wheel */
#define VBWAIT		0x0004	/* someone waits for v_numoutput == 0 */

struct vnode {
	uint64_t	 v_number;	/* serial, never reused: the hash key */
	enum vtype	 v_type;
	int		 v_flag;
	int		 v_usecount;	/* opens, working directories */
	int		 v_holdcnt;	/* buffers */
	int		 v_writecount;	/* opens for writing */
	int		 v_numoutput;	/* writes in flight */
	int		 v_ndirty;	/* buffers on v_dirtyblkhd */
	struct bufqueue	 v_cleanblkhd;
	struct bufqueue	 v_dirtyblkhd;
	struct pglist	 v_pages;	/* its VM object's resident pages */
	int		 v_npages;
	TAILQ_ENTRY(vnode) v_synclist;	/* on a syncer-wheel slot */
	int		 v_syncslot;
	struct inode	*v_data;	/* the inode */
	/* write clustering (cluster_write) */
	int64_t		 v_cstart;	/* first block of the cluster */
	int64_t		 v_lastw;	/* last block written */
	ufs2_daddr_t	 v_lasta;	/* its device address */
	int		 v_clen;	/* blocks the cluster may grow by */
};

TAILQ_HEAD(vnodelst, vnode);

/* ioflag bits passed to VOP_READ/VOP_WRITE */
#define IO_UNIT		0x01
#define IO_APPEND	0x02
#define IO_SYNC		0x04
#define IO_DIRECT	0x08
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
};
int	namei(struct kern *k, struct vnode *dir, const char *path,
	    struct nameidata *nd);

/* The sequential-access score of an open file, updated for an access of
 * resid bytes at off, as ioflag bits (vfs_vnops.c). */
struct file;
int	sequential_heuristic(struct file *fp, int64_t off, int64_t resid);
int	vn_read(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
	    int ioflag);
int	vn_write(struct kern *k, struct vnode *vp, int64_t off, int64_t len,
	    int ioflag);
int	VOP_FSYNC(struct kern *k, struct vnode *vp, int waitfor);
int	vn_truncate(struct kern *k, struct vnode *vp, int64_t length);
void	vn_sync_all(struct kern *k, int waitfor);

/* Namespace changes (the work of ufs_vnops.c, on the in-core tree). */
int	vn_create(struct kern *k, struct vnode *dvp, const char *name,
	    enum vtype type, struct vnode **vpp);
int	vn_link(struct kern *k, struct vnode *vp, struct vnode *dvp,
	    const char *name);
int	vn_remove(struct kern *k, struct vnode *dvp, const char *name,
	    bool isdir);
#define VN_RENAME_NOREPLACE	0x1	/* renameat2 flags */
#define VN_RENAME_EXCHANGE	0x2
int	vn_rename(struct kern *k, struct vnode *fdvp, const char *fname,
	    struct vnode *tdvp, const char *tname, unsigned flags);
struct vnode *vn_lookup_child(struct vnode *dvp, const char *name);
struct vnode *vn_root(struct kern *k);
int64_t	vn_size(struct vnode *vp);

#endif
