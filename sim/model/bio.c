/*
 * bio.c — the buffer cache: vfs_bio.c.
 *
 * Buffers are found by (vnode, logical block) in a hash, and sit on one of
 * the free queues when no one holds them: CLEAN in LRU order (released to the
 * tail, recycled from the head), DIRTY oldest first (buf_daemon flushes from
 * the head), EMPTY for headers with no identity.  A buffer held by a thread,
 * or by the kernel while its I/O is in flight, is on no queue.
 *
 * Where the kernel sleeps, so does the simulated process:
 *   "getblk"  the buffer is locked by someone else (getblk)
 *   "newbuf"  no clean or empty buffer to recycle (getnewbuf)
 *   "biord"/"biowr"  waiting for I/O (biowait)
 *   "flswai"  too many dirty buffers (bwillwrite)
 *   "wdrain"  too many bytes of async writes in flight (waitrunningbufspace)
 */
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#define BKVASIZE	16384
#define MAXBSIZE	65536

static const char *const qname[BUFFER_QUEUES] G_GNUC_UNUSED = {
	"NONE", "CLEAN", "DIRTY", "EMPTY"
};

static guint
bufkey_hash(gconstpointer p)
{
	const struct bufkey *key = p;
	uint64_t h = key->vid * 0x9E3779B97F4A7C15ull ^ (uint64_t)key->lblkno;

	return (guint)(h ^ (h >> 32));
}

static gboolean
bufkey_equal(gconstpointer a, gconstpointer b)
{
	const struct bufkey *x = a, *y = b;

	return x->vid == y->vid && x->lblkno == y->lblkno;
}

/*
 * bufinit: size the cache from memory exactly as the kernel does when
 * kern.nbuf is 0 (kern_vfs_bio_buffer_alloc / machdep.c): 50 headers, plus
 * one per 64 KB of the first 64 MB of memory beyond 4 MB, plus two fifths of
 * one per 64 KB above 64 MB, capped by maxbcache (200 MB of BKVASIZE
 * buffers).  The dirty watermarks follow bufinit().
 */
void
bufinit(struct kern *k)
{
	struct bufcache *bc = &k->bc;
	int64_t kb = k->p.memory / 1024;
	int factor = 4 * BKVASIZE / 1024;
	int64_t maxbufspace, hibufspace;
	int i;

	if (k->p.nbuf > 0)
		bc->nbuf = k->p.nbuf;
	else {
		int64_t n = 50;

		if (kb > 4096)
			n += MIN((kb - 4096) / factor, 65536 / factor);
		if (kb > 65536)
			n += (kb - 65536) * 2 / (factor * 5);
		n = MIN(n, (200LL << 20) / BKVASIZE);
		bc->nbuf = (int)n;
	}
	bc->bsize = k->p.bsize;
	maxbufspace = (int64_t)bc->nbuf * BKVASIZE;
	hibufspace = MAX(3 * maxbufspace / 4, maxbufspace - 10 * MAXBSIZE);
	if (k->p.hidirtybuffers > 0)
		bc->hidirtybuffers = k->p.hidirtybuffers;
	else {
		bc->hidirtybuffers = bc->nbuf / 4 + 20;
		while ((int64_t)bc->hidirtybuffers * BKVASIZE > 3 * hibufspace / 4)
			bc->hidirtybuffers >>= 1;
	}
	bc->lodirtybuffers = k->p.lodirtybuffers > 0 ? k->p.lodirtybuffers :
	    bc->hidirtybuffers / 2;
	if (bc->lodirtybuffers >= bc->hidirtybuffers)
		bc->lodirtybuffers = bc->hidirtybuffers - 1;
	bc->lorunningspace = 512 * 1024;
	bc->hirunningspace = 1024 * 1024;

	for (i = 0; i < BUFFER_QUEUES; i++)
		TAILQ_INIT(&bc->queues[i]);
	bc->hash = g_hash_table_new(bufkey_hash, bufkey_equal);
	bc->bufs = g_new0(struct buf, bc->nbuf);
	for (i = 0; i < bc->nbuf; i++) {
		struct buf *bp = &bc->bufs[i];

		bp->b_qindex = QUEUE_EMPTY;
		bp->b_flags = B_INVAL;
		bp->b_lblkno = NOLBLK;
		bp->b_bufsize = bc->bsize;
		bp->b_io.arg = bp;
		TAILQ_INSERT_TAIL(&bc->queues[QUEUE_EMPTY], bp, b_freelist);
	}
	bc->qlen[QUEUE_EMPTY] = bc->nbuf;
	bc->numfreebuffers = bc->nbuf;
}

void
bufdone_all(struct kern *k)
{
	if (k->bc.hash != NULL)
		g_hash_table_destroy(k->bc.hash);
	g_free(k->bc.bufs);
	memset(&k->bc, 0, sizeof(k->bc));
}

/* ---- locks ----------------------------------------------------------- */

bool
BUF_LOCK_NOWAIT(struct kern *k, struct buf *bp)
{
	if (bp->b_lockholder != NULL)
		return false;
	bp->b_lockholder = curproc(k->sim) != NULL ? curproc(k->sim) : BUF_KERNPROC;
	return true;
}

void
BUF_LOCK(struct kern *k, struct buf *bp, const char *wmesg)
{
	while (!BUF_LOCK_NOWAIT(k, bp)) {
		bp->b_lockwaiters++;
		tsleep(k->sim, bp, wmesg, 0);
		bp->b_lockwaiters--;
	}
}

static void
BUF_UNLOCK(struct kern *k, struct buf *bp)
{
	KASSERT(bp->b_lockholder != NULL, ("BUF_UNLOCK: buffer not locked"));
	bp->b_lockholder = NULL;
	if (bp->b_lockwaiters > 0)
		wakeup(k->sim, bp);
}

/* ---- wakeups --------------------------------------------------------- */

static void
bd_wakeup(struct kern *k, int dirtybuflevel)
{
	struct bufcache *bc = &k->bc;

	if (bc->bd_request == 0 && bc->numdirtybuffers >= dirtybuflevel) {
		bc->bd_request = 1;
		wakeup(k->sim, &bc->bd_request);
	}
}

static void
bd_speedup(struct kern *k)
{
	bd_wakeup(k, 1);
}

static void
numdirtywakeup(struct kern *k, int level)
{
	struct bufcache *bc = &k->bc;

	if (bc->numdirtybuffers <= level &&
	    (bc->needsbuffer & VFS_BIO_NEED_DIRTYFLUSH)) {
		bc->needsbuffer &= ~VFS_BIO_NEED_DIRTYFLUSH;
		wakeup(k->sim, &bc->needsbuffer);
	}
}

static void
bufcountwakeup(struct kern *k)
{
	struct bufcache *bc = &k->bc;

	bc->numfreebuffers++;
	if (bc->needsbuffer) {
		bc->needsbuffer &= ~VFS_BIO_NEED_ANY;
		wakeup(k->sim, &bc->needsbuffer);
	}
}

static void
runningbufwakeup(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	if (bp->b_runningbufspace == 0)
		return;
	bc->runningbufspace -= bp->b_runningbufspace;
	bp->b_runningbufspace = 0;
	KASSERT(bc->runningbufspace >= 0, ("runningbufspace went negative"));
	if (bc->runningbufreq && bc->runningbufspace <= bc->lorunningspace) {
		bc->runningbufreq = 0;
		wakeup(k->sim, &bc->runningbufreq);
	}
}

/* Throttle async writers while more than hirunningspace bytes of writes
 * are in flight (the pipeline added to 4.x/-current in December 2000). */
static void
waitrunningbufspace(struct kern *k)
{
	struct bufcache *bc = &k->bc;

	while (bc->runningbufspace > bc->hirunningspace &&
	    curproc(k->sim) != NULL) {
		bc->runningbufreq++;
		k->cnt.wdrain_waits++;
		tsleep(k->sim, &bc->runningbufreq, "wdrain", 0);
	}
}

/* ---- queues ---------------------------------------------------------- */

void
bremfree(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	KASSERT(bp->b_qindex != QUEUE_NONE, ("bremfree: buffer on no queue"));
	TAILQ_REMOVE(&bc->queues[bp->b_qindex], bp, b_freelist);
	bc->qlen[bp->b_qindex]--;
	if (bp->b_qindex != QUEUE_DIRTY)
		bc->numfreebuffers--;
	bp->b_qindex = QUEUE_NONE;
}

static void
binsfree(struct kern *k, struct buf *bp, int qindex, bool head)
{
	struct bufcache *bc = &k->bc;

	KASSERT(bp->b_qindex == QUEUE_NONE, ("binsfree: buffer already on %s",
	    qname[bp->b_qindex]));
	bp->b_qindex = qindex;
	bc->qlen[qindex]++;
	if (head)
		TAILQ_INSERT_HEAD(&bc->queues[qindex], bp, b_freelist);
	else
		TAILQ_INSERT_TAIL(&bc->queues[qindex], bp, b_freelist);
}

/* Attach bp to vp (bgetvp) / detach it (brelvp). */
static void
bgetvp(struct kern *k, struct vnode *vp, struct buf *bp)
{
	bp->b_vp = vp;
	bp->b_key.vid = vp->v_number;
	bp->b_key.lblkno = bp->b_lblkno;
	vhold(vp);
	bp->b_onvnlist_dirty = false;
	TAILQ_INSERT_TAIL(&vp->v_cleanblkhd, bp, b_vnbufs);
	g_hash_table_insert(k->bc.hash, &bp->b_key, bp);
}

static void
brelvp(struct kern *k, struct buf *bp)
{
	struct vnode *vp = bp->b_vp;

	KASSERT(vp != NULL, ("brelvp: no vnode"));
	KASSERT(!(bp->b_flags & B_DELWRI), ("brelvp: dirty buffer"));
	g_hash_table_remove(k->bc.hash, &bp->b_key);
	if (bp->b_onvnlist_dirty) {
		TAILQ_REMOVE(&vp->v_dirtyblkhd, bp, b_vnbufs);
		vp->v_ndirty--;
	} else
		TAILQ_REMOVE(&vp->v_cleanblkhd, bp, b_vnbufs);
	bp->b_vp = NULL;
	bp->b_lblkno = NOLBLK;
	vdrop(k, vp);
}

struct buf *
incore(struct kern *k, struct vnode *vp, int64_t lblkno)
{
	struct bufkey key = { vp->v_number, lblkno };

	return g_hash_table_lookup(k->bc.hash, &key);
}

/*
 * getnewbuf: find a header to reuse.  An EMPTY one first; else the least
 * recently used CLEAN buffer, whose identity is dropped.  When every buffer
 * is dirty or busy, kick buf_daemon and sleep "newbuf" until a buffer is
 * released; the caller then starts over (the kernel returns NULL too).
 */
static struct buf *
getnewbuf(struct kern *k)
{
	struct bufcache *bc = &k->bc;
	struct buf *bp;

	bp = TAILQ_FIRST(&bc->queues[QUEUE_EMPTY]);
	if (bp == NULL)
		bp = TAILQ_FIRST(&bc->queues[QUEUE_CLEAN]);
	if (bp == NULL) {
		bd_speedup(k);
		bc->needsbuffer |= VFS_BIO_NEED_ANY;
		k->cnt.newbuf_waits++;
		while (bc->needsbuffer & VFS_BIO_NEED_ANY)
			tsleep(k->sim, &bc->needsbuffer, "newbuf", 0);
		return NULL;
	}
	KASSERT(bp->b_lockholder == NULL, ("getnewbuf: locked buffer on a queue"));
	BUF_LOCK_NOWAIT(k, bp);
	bremfree(k, bp);
	if (bp->b_vp != NULL)
		brelvp(k, bp);
	bp->b_flags = 0;
	bp->b_error = 0;
	bp->b_bcount = 0;
	bp->b_blkno = -1;
	return bp;
}

/*
 * getblk: return the buffer for (vp, lblkno), locked.  A hit on a buffer
 * someone else holds sleeps "getblk" and starts over, since the buffer may
 * have changed identity meanwhile.  A miss takes a new header; its contents
 * are not valid (B_CACHE clear) until read or written.
 */
struct buf *
getblk(struct kern *k, struct vnode *vp, int64_t lblkno, int size)
{
	struct buf *bp;

	KASSERT(size > 0 && size <= MAXBSIZE, ("getblk: size %d", size));
	k->cnt.getblk++;
	kern_cpu(k, k->p.cpu_bufop);
loop:
	bp = incore(k, vp, lblkno);
	if (bp != NULL) {
		if (!BUF_LOCK_NOWAIT(k, bp)) {
			k->cnt.getblk_waits++;
			bp->b_lockwaiters++;
			tsleep(k->sim, bp, "getblk", 0);
			bp->b_lockwaiters--;
			goto loop;
		}
		if (bp->b_qindex != QUEUE_NONE)
			bremfree(k, bp);
		if (bp->b_flags & B_INVAL)
			bp->b_flags &= ~B_CACHE;
		else
			k->cnt.getblk_hits++;
		bp->b_flags &= ~B_DONE;
		return bp;
	}
	bp = getnewbuf(k);
	if (bp == NULL)
		goto loop;
	if (incore(k, vp, lblkno) != NULL) {
		/* Someone created it while getnewbuf slept. */
		bp->b_flags |= B_INVAL;
		brelse(k, bp);
		goto loop;
	}
	bp->b_lblkno = lblkno;
	bp->b_blkno = ffs_bmap(k, vp->v_data, lblkno);
	bp->b_bcount = size;
	bgetvp(k, vp, bp);
	return bp;
}

/* ---- I/O ------------------------------------------------------------- */

/* Hand the buffer to the disk (VOP_STRATEGY -> the driver's strategy). */
static void
bstrategy(struct kern *k, struct buf *bp)
{
	struct diskreq *r = &bp->b_io;

	KASSERT(bp->b_blkno >= 0, ("strategy on an unmapped buffer"));
	r->sector = bp->b_blkno;
	r->nsect = bp->b_bcount / DEV_BSIZE;
	r->write = !(bp->b_flags & B_READ);
	r->nbufs = 1;
	r->arg = bp;
	disk_strategy(&k->disk, r);
}

int
biowait(struct kern *k, struct buf *bp, const char *wmesg)
{
	while (!(bp->b_flags & B_DONE))
		tsleep(k->sim, bp, wmesg, 0);
	return bp->b_error;
}

/*
 * biodone: the I/O is finished.  Runs at interrupt level (from the disk's
 * completion callout) and never sleeps.  Async buffers are released here;
 * a synchronous caller is woken and releases its buffer itself.
 */
void
biodone(struct kern *k, struct buf *bp)
{
	KASSERT(!(bp->b_flags & B_DONE), ("biodone: already done"));
	bp->b_flags |= B_DONE;
	runningbufwakeup(k, bp);
	if (!(bp->b_flags & B_READ)) {
		struct vnode *vp = bp->b_vp;

		/* vwakeup */
		if (vp != NULL && --vp->v_numoutput == 0 &&
		    (vp->v_flag & VBWAIT)) {
			vp->v_flag &= ~VBWAIT;
			wakeup(k->sim, &vp->v_numoutput);
		}
	} else if (bp->b_error == 0)
		bp->b_flags |= B_CACHE;
	if (bp->b_flags & B_ASYNC) {
		if (bp->b_flags & (B_NOCACHE | B_INVAL | B_RELBUF))
			brelse(k, bp);
		else
			bqrelse(k, bp);
	} else
		wakeup(k->sim, bp);
}

/*
 * bread: the buffer for a block, with valid contents.  A hit returns at
 * once; a miss reads the block and sleeps "biord" until it arrives.  A hole
 * reads as zeros with no I/O.
 */
int
bread(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
    struct buf **bpp)
{
	struct buf *bp = getblk(k, vp, lblkno, size);

	*bpp = bp;
	k->cnt.bread++;
	if (bp->b_flags & B_CACHE) {
		k->cnt.bread_hits++;
		return 0;
	}
	if (bp->b_blkno < 0) {
		k->cnt.bread_holes++;
		bp->b_flags |= B_CACHE;		/* vfs_bio_clrbuf */
		return 0;
	}
	bp->b_flags |= B_READ;
	bp->b_flags &= ~(B_INVAL | B_DONE);
	bp->b_error = 0;
	bstrategy(k, bp);
	return biowait(k, bp, "biord");
}

/*
 * bwrite: start writing a buffer.  Synchronous writes sleep "biowr" and
 * release the buffer; async ones are owned by the kernel until biodone, and
 * their issuer is throttled while too many bytes of writes are in flight.
 */
int
bwrite(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;
	bool async = bp->b_flags & B_ASYNC;
	int error;

	KASSERT(bp->b_lockholder != NULL, ("bwrite: buffer not locked"));
	KASSERT(bp->b_qindex == QUEUE_NONE, ("bwrite: buffer on a queue"));
	if (bp->b_flags & B_INVAL) {
		brelse(k, bp);
		return 0;
	}
	if (bp->b_blkno < 0) {
		/* Never allocated (the fs was full): drop the data. */
		k->cnt.enospc++;
		if (bp->b_flags & B_DELWRI)
			bundirty(k, bp);
		bp->b_flags |= B_INVAL;
		brelse(k, bp);
		return ENOSPC;
	}
	if (bp->b_flags & B_DELWRI)
		bundirty(k, bp);
	bp->b_flags &= ~(B_READ | B_DONE);
	bp->b_flags |= B_CACHE;
	bp->b_error = 0;
	bp->b_vp->v_numoutput++;
	bp->b_runningbufspace = bp->b_bufsize;
	bc->runningbufspace += bp->b_runningbufspace;
	if (async)
		bp->b_lockholder = BUF_KERNPROC;
	bstrategy(k, bp);
	if (!async) {
		k->cnt.bwrite_sync++;
		error = biowait(k, bp, "biowr");
		brelse(k, bp);
		return error;
	}
	waitrunningbufspace(k);
	return 0;
}

void
bawrite(struct kern *k, struct buf *bp)
{
	k->cnt.bawrite++;
	bp->b_flags |= B_ASYNC;
	(void)bwrite(k, bp);
}

/* bdirty: mark a buffer dirty and put its vnode on the syncer wheel. */
void
bdirty(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	KASSERT(bp->b_qindex == QUEUE_NONE, ("bdirty: buffer on a queue"));
	bp->b_flags &= ~(B_READ | B_RELBUF);
	if (!(bp->b_flags & B_DELWRI)) {
		bp->b_flags |= B_DONE | B_DELWRI;
		reassignbuf(k, bp, true);
		bc->numdirtybuffers++;
		if (bc->numdirtybuffers > k->cnt.dirty_peak)
			k->cnt.dirty_peak = bc->numdirtybuffers;
		bd_wakeup(k, (bc->lodirtybuffers + bc->hidirtybuffers) / 2);
	}
}

void
bundirty(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	KASSERT(bp->b_qindex == QUEUE_NONE, ("bundirty: buffer on a queue"));
	if (bp->b_flags & B_DELWRI) {
		bp->b_flags &= ~B_DELWRI;
		reassignbuf(k, bp, false);
		bc->numdirtybuffers--;
		KASSERT(bc->numdirtybuffers >= 0, ("numdirtybuffers negative"));
		numdirtywakeup(k, bc->lodirtybuffers);
	}
}

/* bdwrite: delayed write.  Never starts I/O and never sleeps. */
void
bdwrite(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	k->cnt.bdwrite++;
	if (bp->b_flags & B_INVAL) {
		brelse(k, bp);
		return;
	}
	bdirty(k, bp);
	bp->b_flags |= B_CACHE;
	bqrelse(k, bp);
	bd_wakeup(k, (bc->lodirtybuffers + bc->hidirtybuffers) / 2);
}

/*
 * brelse: release a buffer.  Invalid or uncacheable buffers lose their
 * identity and go to the EMPTY queue, to be reused first; dirty ones go to
 * the tail of DIRTY; valid clean ones to the tail of CLEAN (the head with
 * B_AGE), which makes CLEAN an LRU list.
 */
void
brelse(struct kern *k, struct buf *bp)
{
	KASSERT(bp->b_qindex == QUEUE_NONE, ("brelse: buffer on %s queue",
	    qname[bp->b_qindex]));
	if (bp->b_flags & (B_NOCACHE | B_INVAL) || bp->b_error != 0) {
		if (bp->b_flags & B_DELWRI)
			bundirty(k, bp);
		bp->b_flags |= B_INVAL;
		bp->b_flags &= ~B_CACHE;
	}
	if ((bp->b_flags & B_INVAL) && bp->b_vp != NULL)
		brelvp(k, bp);
	if (bp->b_vp == NULL) {
		bp->b_flags = B_INVAL;
		binsfree(k, bp, QUEUE_EMPTY, true);
	} else if (bp->b_flags & B_DELWRI)
		binsfree(k, bp, QUEUE_DIRTY, false);
	else
		binsfree(k, bp, QUEUE_CLEAN, (bp->b_flags & B_AGE) != 0);
	if (!(bp->b_flags & B_DELWRI))
		bufcountwakeup(k);
	bp->b_flags &= ~(B_ASYNC | B_NOCACHE | B_AGE | B_RELBUF);
	BUF_UNLOCK(k, bp);
}

/* bqrelse: release a buffer we expect to use again soon. */
void
bqrelse(struct kern *k, struct buf *bp)
{
	KASSERT(bp->b_qindex == QUEUE_NONE, ("bqrelse: buffer on a queue"));
	if (bp->b_flags & (B_INVAL | B_NOCACHE | B_RELBUF)) {
		brelse(k, bp);
		return;
	}
	if (bp->b_flags & B_DELWRI)
		binsfree(k, bp, QUEUE_DIRTY, false);
	else {
		binsfree(k, bp, QUEUE_CLEAN, false);
		bufcountwakeup(k);
	}
	bp->b_flags &= ~(B_ASYNC | B_NOCACHE | B_AGE | B_RELBUF);
	BUF_UNLOCK(k, bp);
}

/*
 * bwillwrite: called before a write(2) takes any lock.  While the dirty
 * buffers are at or above hidirtybuffers, urge buf_daemon on and sleep
 * "flswai".  This is the seed's throttle that keeps one writer from filling
 * the whole cache with dirty data.
 */
void
bwillwrite(struct kern *k)
{
	struct bufcache *bc = &k->bc;
	sim_time_t t0;

	if (bc->numdirtybuffers < bc->hidirtybuffers)
		return;
	t0 = sim_now(k->sim);
	k->cnt.bwillwrite_stalls++;
	while (bc->numdirtybuffers >= bc->hidirtybuffers) {
		bd_wakeup(k, 1);
		bc->needsbuffer |= VFS_BIO_NEED_DIRTYFLUSH;
		tsleep(k->sim, &bc->needsbuffer, "flswai", 0);
	}
	k->cnt.bwillwrite_stall_ns += sim_now(k->sim) - t0;
}

/* Invalidate every buffer of vp at or past from_lblkno (truncation). */
void
vinvalbuf_range(struct kern *k, struct vnode *vp, int64_t from_lblkno)
{
	struct buf *bp, *next;
	int pass;

	/* Two lists, each walked until nothing at or past the cut remains;
	 * a buffer that is locked is waited for, and the walk restarts. */
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
			bremfree(k, bp);
			if (bp->b_flags & B_DELWRI)
				bundirty(k, bp);
			bp->b_flags |= B_INVAL;
			brelse(k, bp);
			goto restart;
		}
	}
	/* Writes already in flight complete on their own; their buffers are
	 * gone from the file once released. */
}

/* ---- buf_daemon ------------------------------------------------------ */

/* Write the oldest dirty buffer; 0 if there was none we could take. */
static int
flushbufqueues(struct kern *k)
{
	struct buf *bp;

	TAILQ_FOREACH(bp, &k->bc.queues[QUEUE_DIRTY], b_freelist) {
		KASSERT(bp->b_flags & B_DELWRI, ("non-dirty buffer on DIRTY"));
		if (bp->b_lockholder != NULL)
			continue;
		BUF_LOCK_NOWAIT(k, bp);
		bremfree(k, bp);
		k->cnt.bufdaemon_writes++;
		bawrite(k, bp);
		return 1;
	}
	return 0;
}

/*
 * buf_daemon: keeps the number of dirty buffers near lodirtybuffers.  It
 * wakes when bd_wakeup finds the count past the midpoint (or getnewbuf and
 * bwillwrite urge it), flushes oldest-first until the count is at
 * lodirtybuffers, releasing bwillwrite sleepers at the midpoint, and
 * otherwise looks again every second.
 */
static void
buf_daemon(void *arg)
{
	struct kern *k = arg;
	struct bufcache *bc = &k->bc;
	sim_time_t tick = SIM_SEC / k->p.hz;

	for (;;) {
		while (bc->numdirtybuffers > bc->lodirtybuffers) {
			if (flushbufqueues(k) == 0)
				break;
			waitrunningbufspace(k);
			numdirtywakeup(k, (bc->lodirtybuffers + bc->hidirtybuffers) / 2);
		}
		if (bc->numdirtybuffers <= bc->lodirtybuffers) {
			bc->bd_request = 0;
			tsleep(k->sim, &bc->bd_request, "psleep", k->p.hz * tick);
		} else
			tsleep(k->sim, &bc->bd_request, "qsleep", k->p.hz / 2 * tick);
	}
}

void
buf_daemon_start(struct kern *k)
{
	sim_spawn(k->sim, "bufdaemon", buf_daemon, k, SIMP_DAEMON);
}

/* ---- invariants ------------------------------------------------------ */

void
bufcache_check(struct kern *k)
{
#ifdef INVARIANTS
	struct bufcache *bc = &k->bc;
	int q, nfree = 0, ndirty = 0, onq = 0, i;
	struct buf *bp;

	for (q = 1; q < BUFFER_QUEUES; q++) {
		int n = 0;

		TAILQ_FOREACH(bp, &bc->queues[q], b_freelist) {
			n++;
			KASSERT(bp->b_qindex == q, ("buffer on %s says %s",
			    qname[q], qname[bp->b_qindex]));
			KASSERT(bp->b_lockholder == NULL,
			    ("locked buffer on %s", qname[q]));
			if (q != QUEUE_DIRTY)
				nfree++;
			onq++;
		}
		KASSERT(n == bc->qlen[q], ("queue %s holds %d, counted %d",
		    qname[q], bc->qlen[q], n));
	}
	for (i = 0; i < bc->nbuf; i++) {
		bp = &bc->bufs[i];
		if (bp->b_flags & B_DELWRI) {
			ndirty++;
			KASSERT(bp->b_vp != NULL, ("dirty buffer without vnode"));
			KASSERT(bp->b_onvnlist_dirty, ("dirty buffer on clean list"));
		}
		if (bp->b_qindex == QUEUE_NONE)
			KASSERT(bp->b_lockholder != NULL,
			    ("buffer on no queue and not locked"));
		if (bp->b_vp != NULL)
			KASSERT(incore(k, bp->b_vp, bp->b_lblkno) == bp,
			    ("buffer missing from the hash"));
	}
	KASSERT(nfree == bc->numfreebuffers, ("numfreebuffers %d, counted %d",
	    bc->numfreebuffers, nfree));
	KASSERT(ndirty == bc->numdirtybuffers, ("numdirtybuffers %d, counted %d",
	    bc->numdirtybuffers, ndirty));
	KASSERT((int)g_hash_table_size(bc->hash) <= bc->nbuf, ("hash too big"));
	(void)onq;
#else
	(void)k;
#endif
}
