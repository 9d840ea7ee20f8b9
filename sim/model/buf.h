/*
 * buf.h — struct buf and the buffer cache (vfs_bio.c), after sys/buf.h.
 *
 * This is the first model: a fixed pool of nbuf buffers of one file-system
 * block each, looked up by (vnode, logical block), kept on the kernel's free
 * queues (CLEAN in LRU order, DIRTY oldest first, EMPTY), with delayed
 * writes, buf_daemon and the dirty-buffer and running-space throttles.  The
 * VM page cache under VMIO buffers, KVA accounting and buffer resizing come
 * with the faithful vfs_bio model.
 */
#ifndef VFSSIM_BUF_H
#define VFSSIM_BUF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "engine.h"
#include "disk.h"

struct kern;
struct vnode;
struct sim_proc;

typedef int64_t ufs2_daddr_t;	/* a block address (int64, as UFS2 has it) */

#define DEV_BSIZE	512
#define NOLBLK		INT64_MIN

/* b_flags: the ones that change behaviour here (sys/buf.h names). */
#define B_AGE		0x00000001	/* release to the head of its queue */
#define B_ASYNC		0x00000004	/* don't wait for I/O completion */
#define B_CACHE		0x00000020	/* contents valid */
#define B_DELWRI	0x00000080	/* delayed write: dirty */
#define B_DONE		0x00000200	/* I/O completed */
#define B_INVAL		0x00002000	/* does not contain valid info */
#define B_NOCACHE	0x00008000	/* do not cache after release */
#define B_READ		0x00100000	/* the pending I/O is a read */
#define B_RELBUF	0x00400000	/* release the buffer on brelse */
#define B_CLUSTEROK	0x00020000	/* may be clustered when written */

/* Free queues (b_qindex). */
enum {
	QUEUE_NONE,		/* locked by a thread or the kernel */
	QUEUE_CLEAN,		/* valid, not dirty: LRU order */
	QUEUE_DIRTY,		/* B_DELWRI: oldest first */
	QUEUE_EMPTY,		/* no identity */
	BUFFER_QUEUES
};

/* Lookup key: the vnode's serial number and the logical block. */
struct bufkey {
	uint64_t	 vid;
	int64_t		 lblkno;
};

struct buf {
	struct bufkey	 b_key;		/* hash key (when b_vp != NULL) */
	struct vnode	*b_vp;
	int64_t		 b_lblkno;	/* logical block in the file */
	ufs2_daddr_t	 b_blkno;	/* device block; -1: a hole */
	int		 b_bcount;	/* valid bytes */
	int		 b_bufsize;	/* allocated bytes */
	int		 b_flags;
	int		 b_qindex;
	int		 b_error;
	int		 b_runningbufspace;	/* bytes counted while written */
	struct sim_proc	*b_lockholder;	/* NULL: unlocked; BUF_KERNPROC */
	int		 b_lockwaiters;
	struct diskreq	 b_io;		/* the request while on the disk */
	TAILQ_ENTRY(buf) b_freelist;	/* on a free queue */
	TAILQ_ENTRY(buf) b_vnbufs;	/* on its vnode's clean or dirty list */
	bool		 b_onvnlist_dirty;
};

TAILQ_HEAD(bufqueue, buf);

/* Who owns a buffer whose async I/O is in flight (BUF_KERNPROC). */
#define BUF_KERNPROC	((struct sim_proc *)1)

/* "Why a waiter sleeps on &needsbuffer" bits (vfs_bio.c). */
#define VFS_BIO_NEED_ANY	0x01
#define VFS_BIO_NEED_DIRTYFLUSH	0x02
#define VFS_BIO_NEED_FREE	0x04

/* The buffer cache of one machine. */
struct bufcache {
	struct buf	*bufs;		/* nbuf headers */
	int		 nbuf;
	int		 bsize;		/* buffer size: the fs block size */
	struct bufqueue	 queues[BUFFER_QUEUES];
	int		 qlen[BUFFER_QUEUES];	/* buffers on each queue */
	GHashTable	*hash;		/* struct bufkey -> struct buf */

	int		 numdirtybuffers;
	int		 numfreebuffers;	/* on CLEAN or EMPTY */
	int		 hidirtybuffers, lodirtybuffers;
	int64_t		 runningbufspace;	/* bytes of writes in flight */
	int64_t		 lorunningspace, hirunningspace;
	int		 runningbufreq;
	int		 needsbuffer;
	int		 bd_request;
};

#include <glib.h>

void	bufinit(struct kern *k);
void	bufdone_all(struct kern *k);		/* free at shutdown */
void	buf_daemon_start(struct kern *k);

struct buf *getblk(struct kern *k, struct vnode *vp, int64_t lblkno, int size);
struct buf *incore(struct kern *k, struct vnode *vp, int64_t lblkno);
int	bread(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
	    struct buf **bpp);
int	bwrite(struct kern *k, struct buf *bp);
void	bawrite(struct kern *k, struct buf *bp);
void	bdwrite(struct kern *k, struct buf *bp);
void	bdirty(struct kern *k, struct buf *bp);
void	bundirty(struct kern *k, struct buf *bp);
void	brelse(struct kern *k, struct buf *bp);
void	bqrelse(struct kern *k, struct buf *bp);
int	biowait(struct kern *k, struct buf *bp, const char *wmesg);
void	biodone(struct kern *k, struct buf *bp);	/* interrupt level */
void	bwillwrite(struct kern *k);
void	bremfree(struct kern *k, struct buf *bp);
bool	BUF_LOCK_NOWAIT(struct kern *k, struct buf *bp);
void	BUF_LOCK(struct kern *k, struct buf *bp, const char *wmesg);
void	vinvalbuf_range(struct kern *k, struct vnode *vp, int64_t from_lblkno);

/* Bookkeeping checks (INVARIANTS builds): queue membership and counters. */
void	bufcache_check(struct kern *k);

#endif
