/*
 * buf.h — struct buf and the buffer cache (vfs_bio.c), after sys/buf.h.
 *
 * A buffer is the kernel's handle on one block of a file: its identity
 * (vnode, logical block, device block), its memory (VM pages for VMIO
 * buffers, kernel memory otherwise), a window of buffer-map KVA, its flags,
 * and its place on one free queue or none.  The cache is sized from memory
 * exactly as bufinit() sizes it.
 */
#ifndef VFSSIM_BUF_H
#define VFSSIM_BUF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/queue.h>

#include <glib.h>

#include "engine.h"
#include "disk.h"
#include "bufpolicy.h"

struct kern;
struct vnode;
struct sim_proc;
struct vm_page;

typedef int64_t ufs2_daddr_t;	/* a block address (int64, as UFS2 has it) */

#define DEV_BSIZE	512
#define NOLBLK		INT64_MIN
#define BKVASIZE	16384		/* nominal KVA per buffer */
#define MAXBSIZE	65536		/* largest buffer */
#define MAXPHYS		(128 * 1024)	/* largest single I/O */
#define DFLTPHYS	(64 * 1024)

/* b_flags: those that change behaviour (sys/buf.h names and meanings). */
#define B_AGE		0x00000001	/* release to the head of its queue */
#define B_NEEDCOMMIT	0x00000002
#define B_ASYNC		0x00000004	/* don't wait for I/O completion */
#define B_DIRECT	0x00000008	/* free the pages on release (O_DIRECT) */
#define B_DEFERRED	0x00000010
#define B_VALIDSUSPWRT	0x00000100	/* may be written while the fs is
					   suspended (the snapshot's own) */
#define B_SCANNED	0x00000400	/* seen by this ffs_fsync pass */
#define B_CACHE		0x00000020	/* contents valid */
#define B_CALL		0x00000040	/* call b_iodone at completion */
#define B_DELWRI	0x00000080	/* delayed write: dirty */
#define B_DONE		0x00000200	/* I/O completed */
#define B_ERROR		0x00000800	/* the I/O failed: b_error says how */
#define B_INVAL		0x00002000	/* does not contain valid info */
#define B_LOCKED	0x00004000	/* on the LOCKED queue */
#define B_NOCACHE	0x00008000	/* do not cache after release */
#define B_MALLOC	0x00010000	/* kernel memory, not VM pages */
#define B_CLUSTEROK	0x00020000	/* may be clustered when written */
#define B_READ		0x00100000	/* the pending I/O is a read */
#define B_RELBUF	0x00400000	/* release the pages on brelse */
#define B_WRITEINPROG	0x01000000
#define B_CLUSTER	0x40000000	/* a cluster pbuf */
#define B_VMIO		0x20000000	/* pages belong to the vnode's object */
#define B_RAM		0x10000000	/* read-ahead mark */
#define B_NOWDRAIN	0x08000000	/* never wait in "wdrain" */
#define B_PAGING	0x04000000	/* a pbuf */

/* b_xflags */
#define BX_VNDIRTY	0x1		/* on the vnode's dirty list */
#define BX_VNCLEAN	0x2		/* on the vnode's clean list */
#define BX_BKGRDWRITE	0x4		/* write it in the background (FFS
					   marks its cylinder-group maps) */
#define BX_BKGRDINPROG	0x8		/* a copy of it is being written */
#define BX_BKGRDWAIT	0x10		/* someone waits for that copy */
#define BX_BKGRDCOPY	0x20		/* it is such a copy: its vnode's, but
					   on neither of its lists nor in the
					   hash (geteblk's invalhash) */

/* Free queues (b_qindex), RELENG_4's set. */
enum {
	QUEUE_NONE,		/* held by a thread or by the kernel (I/O) */
	QUEUE_LOCKED,		/* B_LOCKED buffers */
	QUEUE_CLEAN,		/* valid, not dirty: LRU order */
	QUEUE_DIRTY,		/* B_DELWRI: oldest first */
	QUEUE_EMPTYKVA,		/* no identity, has KVA */
	QUEUE_EMPTY,		/* no identity, no KVA */
	BUFFER_QUEUES
};

/* Lookup key: the vnode's serial number and the logical block. */
struct bufkey {
	uint64_t	 vid;
	int64_t		 lblkno;
};

/* Who issued a write (for the summary's "written by" counts). */
enum bwriter { BW_PROCESS, BW_SYNCER, BW_BUFDAEMON, BW_GETNEWBUF, BW_COUNT };

/* What a disk request carries (struct diskreq's what): a file's blocks,
 * or metadata the file system reads and writes through its device vnode,
 * by where it lies (ffs_blkkind). */
enum bio_what {
	BIO_WHAT_DATA,		/* a regular file's (or symlink's) blocks */
	BIO_WHAT_DIR,		/* a directory's blocks */
	BIO_WHAT_INDIR,		/* an indirect block (negative lbn) */
	BIO_WHAT_INODE,		/* an inode block */
	BIO_WHAT_CG,		/* a cylinder group block */
	BIO_WHAT_SUPER,		/* the superblock */
	BIO_WHAT_CSUM,		/* the cylinder-group summary */
	BIO_WHAT_META,		/* other blocks of the device vnode */
	BIO_WHAT_SNAPCOPY,	/* a block's old contents read raw for a
				   snapshot's copy (ffs_copyonwrite) */
	BIO_WHAT_COUNT
};

/* Why it was started (struct diskreq's cause). */
enum bio_cause {
	BIO_CAUSE_READ,		/* a read waited for (bread, a cluster
				   holding the block asked for) */
	BIO_CAUSE_READAHEAD,	/* read ahead, not waited for (breadn,
				   cluster_read's B_ASYNC blocks) */
	BIO_CAUSE_PAGEIN,	/* the vnode pager's read for a fault */
	BIO_CAUSE_WRITE,	/* a synchronous write (bwrite) */
	BIO_CAUSE_ASYNC,	/* an async write a process started
				   (bawrite: fsync, a full block) */
	BIO_CAUSE_WRITEBEHIND,	/* a cluster a process's write completed
				   (cluster_write: write-behind) */
	BIO_CAUSE_SYNCER,	/* the syncer's (sched_sync) */
	BIO_CAUSE_BUFDAEMON,	/* buf_daemon's flushing */
	BIO_CAUSE_GETNEWBUF,	/* getnewbuf writing a dirty buffer out
				   to reuse it */
	BIO_CAUSE_SNAPSHOT,	/* a snapshot's copy-on-write */
	BIO_CAUSE_COUNT
};
const char *bio_what_name(int what);	/* "data", ...; NULL if unknown */
const char *bio_cause_name(int cause);

struct kern;
struct buf;
typedef void biodone_fn(struct kern *k, struct buf *bp);

#define BUF_MAXPAGES	(MAXPHYS / 4096)

TAILQ_HEAD(bufqueue, buf);
LIST_HEAD(bufhashhdr, buf);

struct buf {
	struct bufkey	 b_key;		/* hash key (when b_vp != NULL) */
	LIST_ENTRY(buf)	 b_hash;	/* its bufhash chain, bgetvp to brelvp */
	struct vnode	*b_vp;
	int64_t		 b_lblkno;	/* logical block in the file */
	ufs2_daddr_t	 b_blkno;	/* device block; -1: a hole */
	int64_t		 b_offset;	/* byte offset in the file */
	int		 b_bcount;	/* valid bytes */
	int		 b_bufsize;	/* memory held (page-rounded) */
	int		 b_kvasize;	/* buffer-map KVA held */
	int		 b_kvabase;	/* first BKVASIZE unit, or -1 */
	int		 b_flags;
	int		 b_xflags;
	int		 b_qindex;
	int		 b_error;
	int		 b_runningbufspace;	/* bytes counted while written */
	int		 b_npages;
	struct vm_page	*b_pages[BUF_MAXPAGES];
	struct sim_proc	*b_lockholder;	/* NULL: unlocked; BUF_KERNPROC */
	int		 b_lockwaiters;
	biodone_fn	*b_iodone;	/* with B_CALL */
	uint8_t		 b_writer;	/* enum bwriter of the pending write */
	uint64_t	 b_version;	/* data version (the "nothing lost" check) */
	sim_time_t	 b_dirtytime;	/* when its data first differed from the
					   disk's (bdirty, or a process's write
					   into it), until the write is done
					   (biodone) or the data dropped;
					   -1: clean */
	int		 b_dirtyoff, b_dirtyend;	/* the bytes processes wrote
					   since then (end 0: not known, all) */
	struct diskreq	 b_io;		/* the request while on the disk */
	struct vnode	*b_forvp;	/* a pbuf of the vnode pager: the vnode
					   whose pages it carries (b_vp is
					   NULL), for the record */
	struct bufqueue	 b_cluster_head;	/* pbuf: its component buffers */
	TAILQ_ENTRY(buf) b_cluster;	/* component: on its pbuf's list */
	TAILQ_ENTRY(buf) b_freelist;	/* on a free queue */
	TAILQ_ENTRY(buf) b_vnbufs;	/* on its vnode's clean or dirty list */
	struct bp_ent	 b_pol;		/* the replacement policy's entry */
};

/* Who owns a buffer whose async I/O is in flight (BUF_KERNPROC). */
#define BUF_KERNPROC	((struct sim_proc *)1)

/* "Why a waiter sleeps on &needsbuffer" bits (vfs_bio.c). */
#define VFS_BIO_NEED_ANY	0x01
#define VFS_BIO_NEED_DIRTYFLUSH	0x02
#define VFS_BIO_NEED_FREE	0x04
#define VFS_BIO_NEED_BUFSPACE	0x08

/* The buffer cache of one machine: its sizing and its state. */
struct bufcache {
	struct buf	*bufs;		/* nbuf headers */
	int		 nbuf;
	int		 nswbuf;
	int64_t		 maxbufspace, hibufspace, lobufspace;
	int64_t		 maxbufmallocspace;
	int		 hidirtybuffers, lodirtybuffers;
	int		 lofreebuffers, hifreebuffers;
	int64_t		 lorunningspace, hirunningspace;
	int		 iosize_max;	/* the mount's largest I/O */
	bool		 bwillwrite_on;

	struct bufqueue	 queues[BUFFER_QUEUES];
	int		 qlen[BUFFER_QUEUES];
	/* The kernel's buffer hash (bufhashtbl): chains, as many as
	 * bufhashinit makes (a power of two, at least 8 and nbuf / 4). */
	struct bufhashhdr *hashtbl;
	unsigned	 hashmask;
	int		 nhashed;	/* buffers on the chains */
	uint8_t		*kvamap;	/* buffer_map: one byte a BKVASIZE unit */
	int		 kvaunits;

	int		 numdirtybuffers;
	int		 numfreebuffers;	/* on CLEAN, EMPTY, EMPTYKVA */
	int64_t		 bufspace;		/* KVA in use */
	int64_t		 bufmallocspace;
	int64_t		 runningbufspace;	/* bytes of writes in flight */
	int		 runningbufreq;
	int		 needsbuffer;
	int		 bd_request;
	bool		 flushingbufs;
	uint64_t	 bufdefragcnt;

	const struct bufpolicy_ops *policy;	/* NULL: FreeBSD's LRU */
	void		*polstate;
	struct sim_proc	*bufdaemon;
	struct sim_proc	*syncer;
	uint64_t	 writes_by[BW_COUNT];
	uint64_t	 version;	/* last data version handed out */
	GHashTable	*ver_mem, *ver_disk;	/* fs block -> version (verify) */
	GHashTable	*meta_disk;	/* device sector of a metadata block ->
					   the latest version of it the disk
					   holds (what a crash would find) */
	FILE		*refs;		/* reference stream for the bounds */
	uint64_t	 nrefs;
};

void	bufinit(struct kern *k);
void	bufdone_all(struct kern *k);		/* free at shutdown */
void	buf_daemon_start(struct kern *k);

struct buf *getblk(struct kern *k, struct vnode *vp, int64_t lblkno, int size);
struct buf *incore(struct kern *k, struct vnode *vp, int64_t lblkno);
bool	inmem(struct kern *k, struct vnode *vp, int64_t lblkno);
int	bread(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
	    struct buf **bpp);
/* bread whose error the caller does not carry up: counted, taken as read */
void	bread_noerror(struct kern *k, struct vnode *vp, int64_t lblkno,
	    int size, struct buf **bpp);
int	breadn(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
	    const int64_t *rablkno, const int *rabsize, int cnt, struct buf **bpp);
int	bwrite(struct kern *k, struct buf *bp);
int	bwrite_wmesg(struct kern *k, struct buf *bp, const char *wmesg);
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
int	vfs_bio_awrite(struct kern *k, struct buf *bp);
void	vfs_bio_clrbuf(struct kern *k, struct buf *bp);
void	allocbuf_grow(struct kern *k, struct buf *bp, int nsize);
void	allocbuf_shrink(struct kern *k, struct buf *bp, int nsize);
bool	BUF_LOCK_NOWAIT(struct kern *k, struct buf *bp);
void	BUF_LOCK(struct kern *k, struct buf *bp, const char *wmesg);
void	BUF_UNLOCK(struct kern *k, struct buf *bp);
/* A buffer attached to its vnode / detached (vnode.c: vfs_subr's; getblk
 * hashes it after bgetvp, bio.c unhashes it before brelvp). */
void	bgetvp(struct kern *k, struct vnode *vp, struct buf *bp);
void	brelvp(struct kern *k, struct buf *bp);
/* Invalidate vp's buffers from from_lblkno on (INT64_MIN: all, with the
 * indirect blocks) and its pages past that point (vnode.c: vfs_subr's). */
void	vinvalbuf_range(struct kern *k, struct vnode *vp, int64_t from_lblkno);
/* Hand a buffer to the disk (VOP_STRATEGY). */
void	bstrategy(struct kern *k, struct buf *bp);
/* runningbufspace: start a write's accounting / wait for room. */
void	waitrunningbufspace(struct kern *k);
bool	buf_dirty_count_severe(const struct kern *k);

/* The data-version bookkeeping behind the "nothing lost" check and the
 * crash accounting (bio_verify.c; bio_meta_ondisk in bio.c): a buffer's
 * data changed — its new version, the latest handed out (always counted;
 * the per-block tables only with replay.verify). */
uint64_t bio_note_version(struct kern *k, struct buf *bp);
/* The latest version of the metadata block at device sector blkno that
 * the disk holds (0: none since boot, as set up). */
uint64_t bio_meta_ondisk(const struct kern *k, ufs2_daddr_t blkno);
void	bio_forget_block(struct kern *k, ufs2_daddr_t blkno);
void	bio_block_claimed(struct kern *k, ufs2_daddr_t blkno);
void	bio_moved_block(struct kern *k, struct buf *bp);
/* Blocks whose last written version is not on disk. */
uint64_t bio_verify(struct kern *k, uint64_t *checked);

/* Bookkeeping checks (INVARIANTS builds): queues, counters, bufspace. */
void	bufcache_check(struct kern *k);

/* vfs_cluster.c */
int	cluster_read(struct kern *k, struct vnode *vp, int64_t filesize,
	    int64_t lblkno, int size, int64_t totread, int seqcount,
	    struct buf **bpp);
void	cluster_write(struct kern *k, struct buf *bp, int64_t filesize,
	    int seqcount);
int	cluster_wbuild(struct kern *k, struct vnode *vp, int size,
	    int64_t start_lbn, int len);
/* The block's first page was read ahead and not yet used: count it used. */
void	cluster_ra_used(struct kern *k, struct buf *bp);

#endif
