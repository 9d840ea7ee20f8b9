/*
 * bio.c — the buffer cache: vfs_bio.c as RELENG_4 and 5.0-CURRENT of 2001
 * ran it.
 *
 * A buffer holds one block of a file.  Its memory is VM pages of the
 * vnode's object (VMIO; vm.c) — so a recycled buffer's data stays in the
 * page cache and a later getblk finds it valid without I/O — or kernel
 * memory for non-VMIO buffers (directories unless vfs.vmiodirenable).  Each
 * buffer also takes a window of the buffer map's KVA (BKVASIZE units); the
 * KVA in use is bufspace, held between lobufspace and hibufspace.
 *
 * When no thread holds a buffer it sits on one free queue: LOCKED, CLEAN
 * (valid; LRU: released to the tail, recycled from the head), DIRTY
 * (B_DELWRI, oldest first), EMPTYKVA (no identity, KVA kept) or EMPTY.
 *
 * Where the kernel sleeps, so does the simulated process (wmesg):
 *   "getblk"  the buffer is locked by another thread or by its I/O
 *   "newbuf"/"nbufbs"/"nbufkv"  getnewbuf found nothing to recycle
 *   "biord"/"biowr"  waiting for I/O (biowait)
 *   "flswai"  too many dirty buffers (bwillwrite)
 *   "wdrain"  more than hirunningspace bytes of writes in flight
 *   "vmwait"  no free page for the buffer's memory (allocbuf)
 *   "wswbuf0" no pbuf for a cluster (cluster_wbuild)
 */
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

static const char *const qname[BUFFER_QUEUES] G_GNUC_UNUSED = {
	"NONE", "LOCKED", "CLEAN", "DIRTY", "EMPTYKVA", "EMPTY"
};

/*
 * bufhash: the chain a block's buffer hangs on.  The kernel adds the
 * block to the vnode's address shifted right by 7 ("the logical block
 * scans linearly, which gives us some L1 cache locality": a file's
 * consecutive blocks take consecutive chains); a simulated vnode has its
 * serial number instead of an address, spread by a multiplicative hash
 * so that neighbouring vnodes do not share chains.  Only the lookup's
 * cost depends on it: what incore finds is the same.
 */
static struct bufhashhdr *
bufhash(const struct bufcache *bc, uint64_t vid, int64_t lblkno)
{
	uint64_t h = vid * 0x9E3779B97F4A7C15ull;

	return &bc->hashtbl[((unsigned)(h >> 32) + (unsigned)lblkno) &
	    bc->hashmask];
}

#define round_page(x)	(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define round_kva(x)	(((x) + BKVASIZE - 1) / BKVASIZE * BKVASIZE)

/* ---- sizing ---------------------------------------------------------- */

/*
 * bufinit (and kern_vfs_bio_buffer_alloc / the i386 machdep.c autosizing
 * when kern.nbuf is 0): 50 headers, plus one per 64 KB of the first 64 MB
 * of memory beyond 4 MB, plus two fifths of one per 64 KB above 64 MB.
 * (The later 200 MB maxbcache cap postdates these eras.)  Then the space
 * and count watermarks, each overridable from the profile.
 */
void
bufinit(struct kern *k)
{
	struct bufcache *bc = &k->bc;
	int64_t kb = k->p.memory / 1024;
	int factor = 4 * BKVASIZE / 1024;
	int i;

	memset(bc, 0, sizeof(*bc));
	if (k->p.nbuf > 0)
		bc->nbuf = k->p.nbuf;
	else {
		int64_t n = 50;

		if (kb > 4096)
			n += MIN((kb - 4096) / factor, 65536 / factor);
		if (kb > 65536)
			n += (kb - 65536) * 2 / (factor * 5);
		bc->nbuf = (int)n;
	}
	/* nswbuf: pbufs for clustering and physical I/O.  The 2001 code
	 * capped it at 64 (later kernels at 256). */
	bc->nswbuf = k->p.nswbuf > 0 ? k->p.nswbuf :
	    MAX(MIN(bc->nbuf / 4, 64), 16);

	bc->maxbufspace = k->p.maxbufspace > 0 ? k->p.maxbufspace :
	    (int64_t)bc->nbuf * BKVASIZE;
	bc->hibufspace = k->p.hibufspace > 0 ? k->p.hibufspace :
	    MAX(3 * bc->maxbufspace / 4, bc->maxbufspace - 10 * MAXBSIZE);
	bc->lobufspace = k->p.lobufspace > 0 ? k->p.lobufspace :
	    bc->hibufspace - MAXBSIZE;
	bc->maxbufmallocspace = bc->hibufspace / 20;
	bc->lorunningspace = k->p.lorunningspace;
	bc->hirunningspace = k->p.hirunningspace;

	if (k->p.hidirtybuffers > 0)
		bc->hidirtybuffers = k->p.hidirtybuffers;
	else {
		/* Keep the dirty data under 3/4 of the buffer space. */
		bc->hidirtybuffers = bc->nbuf / 4 + 20;
		while ((int64_t)bc->hidirtybuffers * BKVASIZE > 3 * bc->hibufspace / 4)
			bc->hidirtybuffers >>= 1;
	}
	bc->lodirtybuffers = k->p.lodirtybuffers > 0 ? k->p.lodirtybuffers :
	    bc->hidirtybuffers / 2;
	if (bc->lodirtybuffers >= bc->hidirtybuffers)
		bc->lodirtybuffers = bc->hidirtybuffers - 1;
	bc->lofreebuffers = k->p.lofreebuffers > 0 ? k->p.lofreebuffers :
	    bc->nbuf / 18 + 5;
	bc->hifreebuffers = k->p.hifreebuffers > 0 ? k->p.hifreebuffers :
	    2 * bc->lofreebuffers;
	bc->iosize_max = k->p.iosize_max;
	bc->bwillwrite_on = k->p.bwillwrite;

	for (i = 0; i < BUFFER_QUEUES; i++)
		TAILQ_INIT(&bc->queues[i]);
	/* bufhashinit: the smallest power of two of at least 8 chains and
	 * at least nbuf / 4 */
	for (bc->hashmask = 8; (int)bc->hashmask < bc->nbuf / 4;
	    bc->hashmask <<= 1)
		;
	bc->hashtbl = g_new(struct bufhashhdr, bc->hashmask);
	for (i = 0; i < (int)bc->hashmask; i++)
		LIST_INIT(&bc->hashtbl[i]);
	bc->hashmask--;
	bc->nhashed = 0;
	bc->kvaunits = (int)(bc->maxbufspace / BKVASIZE);
	bc->kvamap = g_malloc0((size_t)bc->kvaunits + 1);
	bc->bufs = g_new0(struct buf, bc->nbuf);
	for (i = 0; i < bc->nbuf; i++) {
		struct buf *bp = &bc->bufs[i];

		bp->b_qindex = QUEUE_EMPTY;
		bp->b_flags = B_INVAL;
		bp->b_lblkno = NOLBLK;
		bp->b_kvabase = -1;
		bp->b_dirtytime = -1;
		bp->b_io.arg = bp;
		TAILQ_INIT(&bp->b_cluster_head);
		TAILQ_INSERT_TAIL(&bc->queues[QUEUE_EMPTY], bp, b_freelist);
	}
	bc->qlen[QUEUE_EMPTY] = bc->nbuf;
	bc->numfreebuffers = bc->nbuf;

	bc->policy = k->p.bufpolicy;
	if (bc->policy != NULL)
		bc->polstate = bc->policy->create(bc->nbuf);
	bc->meta_disk = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, NULL);
	if (k->p.verify) {
		bc->ver_mem = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		    g_free, NULL);
		bc->ver_disk = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		    g_free, NULL);
	}
	if (k->p.opt_bound)
		bc->refs = tmpfile();
}

void
bufdone_all(struct kern *k)
{
	struct bufcache *bc = &k->bc;

	g_free(bc->hashtbl);
	bc->hashtbl = NULL;
	if (bc->policy != NULL && bc->polstate != NULL)
		bc->policy->destroy(bc->polstate);
	if (bc->ver_mem != NULL)
		g_hash_table_destroy(bc->ver_mem);
	if (bc->ver_disk != NULL)
		g_hash_table_destroy(bc->ver_disk);
	if (bc->meta_disk != NULL)
		g_hash_table_destroy(bc->meta_disk);
	if (bc->refs != NULL)
		fclose(bc->refs);
	g_free(bc->kvamap);
	g_free(bc->bufs);
	memset(bc, 0, sizeof(*bc));
}

/* buf_dirty_count_severe: too many dirty buffers — used, as in 2001, by
 * bwrite (no background copy then) and ffs_update (a synchronous write
 * then). */
bool
buf_dirty_count_severe(const struct kern *k)
{
	return k->bc.numdirtybuffers >= k->bc.hidirtybuffers;
}

/* ---- the buffer map (KVA) -------------------------------------------- */

/* vm_map_findspace(buffer_map, vm_map_min(buffer_map), ...), as
 * getnewbuf calls it in 2001: the first hole large enough, from the
 * bottom of the map. */
static int
kva_alloc(struct bufcache *bc, int units)
{
	int run, i, n = bc->kvaunits;

	for (i = 0; i + units <= n; i++) {
		for (run = 0; run < units && !bc->kvamap[i + run]; run++)
			;
		if (run == units) {
			memset(bc->kvamap + i, 1, (size_t)units);
			return i;
		}
		i += run;	/* past the hole too small, to the unit in use */
	}
	return -1;
}

static void
bfreekva(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	if (bp->b_kvasize == 0)
		return;
	memset(bc->kvamap + bp->b_kvabase, 0, (size_t)(bp->b_kvasize / BKVASIZE));
	bc->bufspace -= bp->b_kvasize;
	bp->b_kvasize = 0;
	bp->b_kvabase = -1;
}

/* ---- locks ----------------------------------------------------------- */

/*
 * A process about to sleep for a buffer's lock must not hold it itself.
 * 2001's lockmgr (kern_lock.c, LK_EXCLUSIVE) panics "locking against
 * myself" when the lock's holder asks for it again without LK_NOWAIT or
 * LK_CANRECURSE — never for LK_KERNPROC, which belongs to no process: a
 * buffer whose I/O went async (BUF_KERNPROC in bwrite, bread_start's
 * read-ahead, cluster_rbuild, cluster_wbuild) may be waited for by anyone,
 * and its completion releases it.  BUF_LOCK and getblk's sleeping relock
 * ask with neither flag, so if this fires the kernel would have panicked —
 * or the model left a buffer owned by a process where the kernel had
 * handed it to LK_KERNPROC.  The daemons' and the events' context
 * (curproc NULL) locks as BUF_KERNPROC, which never equals curproc.  Only
 * on the slow path (the lock was taken): the hot path pays nothing.
 */
static inline void
lockmgr_self_check(struct kern *k, const struct buf *bp, const char *wmesg)
{
	KASSERT(bp->b_lockholder != curproc(k->sim),
	    ("lockmgr: locking against myself (%s, lblkno %jd)", wmesg,
	    (intmax_t)bp->b_lblkno));
	(void)k; (void)bp; (void)wmesg;
}

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
		lockmgr_self_check(k, bp, wmesg);
		bp->b_lockwaiters++;
		tsleep(k->sim, bp, wmesg, 0);
		bp->b_lockwaiters--;
	}
}

void
BUF_UNLOCK(struct kern *k, struct buf *bp)
{
	KASSERT(bp->b_lockholder != NULL, ("BUF_UNLOCK: buffer not locked"));
	bp->b_lockholder = NULL;
	if (bp->b_lockwaiters > 0)
		wakeup(k->sim, bp);
}

/* ---- wakeups (vfs_bio.c's helpers) ----------------------------------- */

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
bufspacewakeup(struct kern *k)
{
	struct bufcache *bc = &k->bc;

	if (bc->needsbuffer & VFS_BIO_NEED_BUFSPACE) {
		bc->needsbuffer &= ~VFS_BIO_NEED_BUFSPACE;
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
		if (bc->numfreebuffers >= bc->hifreebuffers)
			bc->needsbuffer &= ~VFS_BIO_NEED_FREE;
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

/*
 * waitrunningbufspace: the only throttle on how fast async writes are
 * issued.  While more than hirunningspace bytes are in flight, sleep
 * "wdrain" until completions bring it to lorunningspace.  (December 2000 in
 * both branches; the 2003 exemption of buf_daemon and the syncer came
 * later.)
 */
void
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

/* ---- queues, identity, the policy ------------------------------------ */

void
bremfree(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;
	int q = bp->b_qindex;

	KASSERT(q != QUEUE_NONE, ("bremfree: buffer on no queue"));
	TAILQ_REMOVE(&bc->queues[q], bp, b_freelist);
	bc->qlen[q]--;
	if (q == QUEUE_CLEAN || q == QUEUE_EMPTY || q == QUEUE_EMPTYKVA)
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
	if (bc->policy != NULL && bp->b_vp != NULL && qindex != QUEUE_EMPTY &&
	    qindex != QUEUE_EMPTYKVA)
		bc->policy->release(bc->polstate, &bp->b_pol);
}

/* binshash: into the hash (and the replacement policy's view), once
 * bgetvp (vnode.c) has attached the buffer to its vnode. */
static void
binshash(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	bp->b_key.vid = bp->b_vp->v_number;
	bp->b_key.lblkno = bp->b_lblkno;
	KASSERT(incore(k, bp->b_vp, bp->b_lblkno) == NULL,
	    ("bgetvp: block %lld of vnode %llu already has a buffer",
	    (long long)bp->b_lblkno, (unsigned long long)bp->b_vp->v_number));
	LIST_INSERT_HEAD(bufhash(bc, bp->b_key.vid, bp->b_key.lblkno), bp,
	    b_hash);
	bc->nhashed++;
	if (bc->policy != NULL) {
		bp->b_pol.key.vid = bp->b_key.vid;
		bp->b_pol.key.lblkno = bp->b_key.lblkno;
		bc->policy->insert(bc->polstate, &bp->b_pol);
	}
}

/* bremhash: out of the hash and the policy's view, before brelvp
 * (vnode.c) detaches the buffer from its vnode. */
static void
bremhash(struct kern *k, struct buf *bp, bool evicted)
{
	struct bufcache *bc = &k->bc;

	LIST_REMOVE(bp, b_hash);
	bc->nhashed--;
	if (bc->policy != NULL)
		bc->policy->remove(bc->polstate, &bp->b_pol, evicted);
}

struct buf *
incore(struct kern *k, struct vnode *vp, int64_t lblkno)
{
	struct buf *bp;

	/* gbincore: down the block's chain */
	LIST_FOREACH(bp, bufhash(&k->bc, vp->v_number, lblkno), b_hash)
		if (bp->b_key.lblkno == lblkno && bp->b_key.vid == vp->v_number)
			return bp;
	return NULL;
}

/* inmem's second look: the block's pages, all valid? */
static bool __attribute__((noinline))
inmem_pages(struct kern *k, struct vnode *vp, int64_t lblkno)
{
	int bsize = k->fs.fs_bsize, i;
	int64_t first = lblkno * bsize / PAGE_SIZE;

	for (i = 0; i < bsize / PAGE_SIZE; i++) {
		struct vm_page *m = vm_page_lookup(k, vp, first + i);

		if (m == NULL || !m->valid)
			return false;
	}
	return true;
}

/* inmem: is the block in core, as a buffer or as valid pages?  (The
 * pages looked at apart, so that a buffer found costs no frame.) */
bool
inmem(struct kern *k, struct vnode *vp, int64_t lblkno)
{
	if (incore(k, vp, lblkno) != NULL)
		return true;
	return inmem_pages(k, vp, lblkno);
}

/* ---- buffer memory (allocbuf, vfs_vmio_release) ---------------------- */

/* Does this vnode's data live in VM pages?  Regular files always;
 * directories only with vfs.vmiodirenable (the seed's July 1999 commit). */
static bool
vn_vmio(struct kern *k, struct vnode *vp)
{
	/* ... and the device: ffs_mountfs gives it a VM object, so
	 * metadata blocks are cached in pages too. */
	return vp->v_type == VREG || (vp->v_flag & VDEVICE) ||
	    (vp->v_type == VDIR && k->p.vmiodirenable);
}

static void
vfs_page_set_valid(struct buf *bp)
{
	int i;

	for (i = 0; i < bp->b_npages; i++)
		bp->b_pages[i]->valid = true;
}

/*
 * vfs_vmio_release: give back a buffer's pages.  Each is unwired; one no
 * longer wired stays in the object on the inactive queue (cached), unless
 * it is invalid (freed), the buffer was O_DIRECT (freed), or memory is
 * severely short (moved to the cache queue: first to be reused).
 */
static void
vfs_vmio_release(struct kern *k, struct buf *bp)
{
	int i;

	for (i = 0; i < bp->b_npages; i++) {
		struct vm_page *m = bp->b_pages[i];

		bp->b_pages[i] = NULL;
		vm_page_unwire(k, m, false);
		if (m->wire_count > 0)
			continue;
		if (!m->valid || m->object == NULL)
			vm_page_free(k, m);
		else if (bp->b_flags & B_DIRECT)
			(void)vm_page_try_to_free(k, m);
		else if (vm_page_count_severe(k))
			(void)vm_page_try_to_cache(k, m);
	}
	bp->b_npages = 0;
	bp->b_bufsize = 0;
	bp->b_flags &= ~(B_VMIO | B_MALLOC);
}

/*
 * allocbuf: give the buffer memory for size bytes.  VMIO buffers wire the
 * pages of the vnode's object — found (valid: the page cache hit), or
 * allocated; with no page to be had the process sleeps "vmwait".  B_CACHE
 * ends up set iff every page was already valid.  Non-VMIO buffers get
 * kernel pages of their own, which do not outlive the buffer.
 */
static void
allocbuf(struct kern *k, struct buf *bp, int size)
{
	struct vnode *vp = bp->b_vp;
	int want = (int)round_page(size) / PAGE_SIZE;
	bool vmio = vp != NULL && vn_vmio(k, vp);
	enum vm_alloc req = k->vm.io_reserve ? VM_ALLOC_SYSTEM : VM_ALLOC_NORMAL;
	bool allvalid = true;

	KASSERT(want <= BUF_MAXPAGES, ("allocbuf: %d bytes", size));
	while (bp->b_npages > want) {
		struct vm_page *m = bp->b_pages[--bp->b_npages];

		bp->b_pages[bp->b_npages] = NULL;
		vm_page_unwire(k, m, false);
		if (m->wire_count == 0 && (!vmio || !m->valid))
			vm_page_free(k, m);
	}
	while (bp->b_npages < want) {
		int64_t pindex = bp->b_offset / PAGE_SIZE + bp->b_npages;
		struct vm_page *m = vmio ? vm_page_lookup(k, vp, pindex) : NULL;

		if (m != NULL && m->busy) {
			/* the vnode pager is reading it in: wait, look again */
			vm_page_sleep_busy(k, m, "pgtblk");
			continue;
		}
		if (m == NULL) {
			m = vm_page_alloc(k, vmio ? vp : NULL, pindex, req);
			if (m == NULL) {
				vm_wait(k);
				continue;	/* the page may exist now */
			}
		}
		vm_page_wire(k, m);
		bp->b_pages[bp->b_npages++] = m;
	}
	if (vmio) {
		int i;

		bp->b_flags |= B_VMIO;
		bp->b_flags &= ~B_MALLOC;
		for (i = 0; i < bp->b_npages; i++)
			if (!bp->b_pages[i]->valid)
				allvalid = false;
		if (allvalid && bp->b_npages > 0)
			bp->b_flags |= B_CACHE;
		else
			bp->b_flags &= ~B_CACHE;
	} else {
		struct bufcache *bc = &k->bc;

		bc->bufmallocspace += (int64_t)want * PAGE_SIZE - bp->b_bufsize;
		bp->b_flags |= B_MALLOC;
	}
	bp->b_bufsize = want * PAGE_SIZE;
	bp->b_bcount = size;
}

/* ffs_realloccg: a fragment's buffer grows to nsize; what was there stays
 * and the rest is zeroed, so all of it is valid. */
void
allocbuf_grow(struct kern *k, struct buf *bp, int nsize)
{
	allocbuf(k, bp, nsize);
	bp->b_flags |= B_CACHE;
	vfs_page_set_valid(bp);
}

/* ffs_truncate: the last block of a file shrinks to its fragments. */
void
allocbuf_shrink(struct kern *k, struct buf *bp, int nsize)
{
	KASSERT(nsize <= bp->b_bcount, ("allocbuf_shrink: growing"));
	allocbuf(k, bp, nsize);
	bp->b_flags |= B_CACHE;
	vfs_page_set_valid(bp);
}

/* The memory of a non-VMIO buffer goes when it loses its identity. */
static void
bfreemem(struct kern *k, struct buf *bp)
{
	if (bp->b_flags & B_MALLOC)
		k->bc.bufmallocspace -= bp->b_bufsize;
	vfs_vmio_release(k, bp);
}

void
vfs_bio_clrbuf(struct kern *k, struct buf *bp)
{
	(void)k;
	bp->b_flags |= B_CACHE;
	vfs_page_set_valid(bp);
}

/* ---- getnewbuf ------------------------------------------------------- */

static bool
clean_free(const struct bp_ent *e, void *arg)
{
	const struct buf *bp = (const struct buf *)((const char *)e -
	    offsetof(struct buf, b_pol));

	(void)arg;
	return bp->b_qindex == QUEUE_CLEAN;
}

/* The next candidate of queue q after bp (or its first); the policy
 * chooses among CLEAN buffers when one is set. */
static struct buf *
candidate(struct kern *k, int q)
{
	struct bufcache *bc = &k->bc;

	if (q == QUEUE_CLEAN && bc->policy != NULL) {
		struct bp_ent *e = bc->policy->victim(bc->polstate, clean_free, NULL);

		return e == NULL ? NULL :
		    (struct buf *)((char *)e - offsetof(struct buf, b_pol));
	}
	return TAILQ_FIRST(&bc->queues[q]);
}

/*
 * getnewbuf: find a header (and KVA) to use for a new block.
 *
 * Below lobufspace the cache grows: fresh EMPTY headers are used before a
 * valid CLEAN buffer is recycled; above it the least recently released
 * CLEAN buffer goes first (its pages stay cached in the VM).  Above
 * hibufspace buffers are stripped of KVA until bufspace falls to
 * lobufspace ("flushingbufs").  A buffer-map too fragmented for the KVA a
 * size needs sets defrag, and the next pass frees a CLEAN buffer's KVA.
 * When nothing can be had, buf_daemon is urged on and the process sleeps
 * "newbuf" (or "nbufbs"/"nbufkv") and returns NULL: the caller retries.
 */
static struct buf *
getnewbuf(struct kern *k, int size, int maxsize)
{
	struct bufcache *bc = &k->bc;
	struct buf *bp;
	int defrag = 0, nqindex;

	maxsize = (int)round_kva(maxsize);
restart:
	nqindex = QUEUE_EMPTYKVA;
	bp = TAILQ_FIRST(&bc->queues[QUEUE_EMPTYKVA]);
	if (bp == NULL) {
		if (defrag || bc->bufspace >= bc->lobufspace) {
			nqindex = QUEUE_CLEAN;
			bp = candidate(k, QUEUE_CLEAN);
		}
		if (bp == NULL && !defrag &&
		    bc->bufspace + maxsize < bc->hibufspace) {
			nqindex = QUEUE_EMPTY;
			bp = TAILQ_FIRST(&bc->queues[QUEUE_EMPTY]);
		}
	}
	/* Fall through EMPTY -> EMPTYKVA -> CLEAN until something is found. */
	while (bp == NULL) {
		if (nqindex == QUEUE_EMPTY) {
			nqindex = QUEUE_EMPTYKVA;
			bp = TAILQ_FIRST(&bc->queues[QUEUE_EMPTYKVA]);
			continue;
		}
		if (nqindex == QUEUE_EMPTYKVA) {
			nqindex = QUEUE_CLEAN;
			bp = candidate(k, QUEUE_CLEAN);
			continue;
		}
		break;
	}
	if (bp == NULL) {
		const char *wmesg;
		int flags;

		if (defrag) {
			flags = VFS_BIO_NEED_BUFSPACE;
			wmesg = "nbufkv";
		} else if (bc->bufspace >= bc->hibufspace) {
			flags = VFS_BIO_NEED_BUFSPACE;
			wmesg = "nbufbs";
		} else {
			flags = VFS_BIO_NEED_ANY;
			wmesg = "newbuf";
		}
		bd_speedup(k);
		bc->needsbuffer |= flags;
		k->cnt.newbuf_waits++;
		while (bc->needsbuffer & flags)
			tsleep(k->sim, &bc->needsbuffer, wmesg, 0);
		return NULL;
	}

	KASSERT(bp->b_qindex == nqindex, ("getnewbuf: %s buffer on %s",
	    qname[nqindex], qname[bp->b_qindex]));
	KASSERT(bp->b_lockholder == NULL, ("getnewbuf: locked buffer on a queue"));
	BUF_LOCK_NOWAIT(k, bp);
	bremfree(k, bp);
	if (bp->b_vp != NULL) {
		/* A clean buffer recycled: its pages stay in the page cache. */
		bp->b_flags &= ~B_ASYNC;
		bfreemem(k, bp);
		bremhash(k, bp, true);
		brelvp(k, bp);
	}
	bp->b_flags = 0;
	bp->b_xflags = 0;
	bp->b_error = 0;
	bp->b_bcount = 0;
	bp->b_blkno = -1;
	bp->b_offset = -1;
	bp->b_version = 0;		/* a new block: no version of it yet */
	bp->b_dirtyoff = bp->b_dirtyend = 0;

	if (defrag) {
		/* Give back this buffer's KVA to unfragment the map. */
		bp->b_flags |= B_INVAL;
		bfreekva(k, bp);
		brelse(k, bp);
		defrag = 0;
		goto restart;
	}
	/* Over hibufspace: strip buffers of KVA until under lobufspace. */
	if (bc->bufspace >= bc->hibufspace)
		bc->flushingbufs = true;
	if (bc->flushingbufs && bp->b_kvasize != 0) {
		bp->b_flags |= B_INVAL;
		bfreekva(k, bp);
		brelse(k, bp);
		goto restart;
	}
	if (bc->bufspace < bc->lobufspace)
		bc->flushingbufs = false;

	if (maxsize != bp->b_kvasize) {
		int base;

		bfreekva(k, bp);
		base = kva_alloc(bc, maxsize / BKVASIZE);
		if (base < 0) {
			/* The map is too fragmented for this size. */
			bc->bufdefragcnt++;
			defrag = 1;
			bp->b_flags |= B_INVAL;
			brelse(k, bp);
			goto restart;
		}
		bp->b_kvabase = base;
		bp->b_kvasize = maxsize;
		bc->bufspace += maxsize;
	}
	(void)size;
	return bp;
}

/* ---- getblk ---------------------------------------------------------- */

static void
record_ref(struct bufcache *bc, struct vnode *vp, int64_t lblkno)
{
	struct bp_key key = { vp->v_number, lblkno };

	if (fwrite(&key, sizeof(key), 1, bc->refs) == 1)
		bc->nrefs++;
}

/* getblk's end for a block found in core, locked and off its queue: a
 * hit counted if valid, the replacement policy told, B_DONE cleared. */
static inline struct buf *
getblk_found(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;

	if (bp->b_flags & B_CACHE)
		k->cnt.getblk_hits++;
	if (bc->policy != NULL)
		bc->policy->access(bc->polstate, &bp->b_pol);
	bp->b_flags &= ~B_DONE;
	return bp;
}

/* getblk from its label "loop": look the block up, and sleep for it, make
 * it the size asked for or take a new buffer, starting over as the
 * kernel's getblk does. */
static struct buf * __attribute__((noinline))
getblk_loop(struct kern *k, struct vnode *vp, int64_t lblkno, int size)
{
	struct bufcache *bc = &k->bc;
	struct buf *bp;
	int maxsize;

loop:
	/* No free header at all: sleep once "newbuf" until one is released
	 * (bufcountwakeup), then look — no loop, as 2001's getblk has it
	 * (both eras; 5.x dropped the sleep). */
	if (bc->numfreebuffers == 0 && curproc(k->sim) != NULL) {
		bc->needsbuffer |= VFS_BIO_NEED_ANY;
		k->cnt.newbuf_waits++;
		tsleep(k->sim, &bc->needsbuffer, "newbuf", 0);
	}
	bp = incore(k, vp, lblkno);
	if (bp != NULL) {
		if (!BUF_LOCK_NOWAIT(k, bp)) {
			lockmgr_self_check(k, bp, "getblk");
			k->cnt.getblk_waits++;
			if (bp->b_xflags & BX_BKGRDWRITE)
				k->cnt.getblk_waits_bkgrd++;
			bp->b_lockwaiters++;
			tsleep(k->sim, bp, "getblk", 0);
			bp->b_lockwaiters--;
			goto loop;
		}
		if (bp->b_flags & B_INVAL)
			bp->b_flags &= ~B_CACHE;
		if (bp->b_qindex != QUEUE_NONE)
			bremfree(k, bp);
		if (bp->b_bcount != size) {
			bool fits = (bp->b_flags & B_VMIO) &&
			    round_page(size) <= bp->b_kvasize;

			if (!fits) {
				/* Write it out (if dirty) and drop it. */
				if (bp->b_flags & B_DELWRI) {
					bp->b_flags |= B_NOCACHE;
					bp->b_writer = BW_GETNEWBUF;
					(void)bwrite(k, bp);
				} else {
					bp->b_flags |= B_RELBUF;
					brelse(k, bp);
				}
				goto loop;
			}
			allocbuf(k, bp, size);
		}
		if ((bp->b_flags & (B_DELWRI | B_CACHE)) == B_DELWRI) {
			/* Grown and partly invalid: flush it first. */
			bp->b_flags |= B_NOCACHE;
			bp->b_writer = BW_GETNEWBUF;
			(void)bwrite(k, bp);
			goto loop;
		}
		return getblk_found(k, bp);
	}

	maxsize = MAX(size, k->fs.fs_bsize);
	bp = getnewbuf(k, size, maxsize);
	if (bp == NULL)
		goto loop;
	if (incore(k, vp, lblkno) != NULL) {
		/* Someone created it while getnewbuf slept. */
		bp->b_flags |= B_INVAL;
		brelse(k, bp);
		goto loop;
	}
	bp->b_lblkno = lblkno;
	if (vp->v_flag & VDEVICE) {
		/* The device: blocks are sectors. */
		bp->b_offset = lblkno * DEV_BSIZE;
		bp->b_blkno = lblkno;
	} else {
		/*
		 * The kernel leaves a new buffer unmapped (b_blkno =
		 * b_lblkno) until VOP_BMAP maps it — in cluster_read, bdwrite,
		 * ufs_strategy.  Mapping it here cannot change a result: the
		 * mapping is a lookup in the in-core block map, and what
		 * VOP_BMAP costs, reading the indirect blocks, is paid where
		 * the kernel pays it (ufs_bmap_io before a read, ffs_balloc
		 * for a write).
		 */
		bp->b_offset = lblkno * k->fs.fs_bsize;
		bp->b_blkno = ffs_bmap(k, vp->v_data, lblkno);
	}
	bgetvp(k, vp, bp);
	binshash(k, bp);
	allocbuf(k, bp, size);
	if (bp->b_flags & B_CACHE)
		k->cnt.pagecache_hits++;
	bp->b_flags &= ~B_DONE;
	return bp;
}

/*
 * getblk: the buffer for (vp, lblkno), locked.  A hit on a buffer another
 * thread holds sleeps "getblk" and starts over (the buffer may have
 * changed identity).  A size change on a cached buffer that the buffer
 * cannot absorb writes it out synchronously if dirty and starts over.  A
 * miss takes a new header from getnewbuf and gives it memory: if the pages
 * are in the page cache the buffer is valid (B_CACHE) without any I/O.
 */
struct buf *
getblk(struct kern *k, struct vnode *vp, int64_t lblkno, int size)
{
	struct bufcache *bc = &k->bc;
	struct buf *bp;

	KASSERT(size > 0 && size <= MAXBSIZE, ("getblk: size %d", size));
	k->cnt.getblk++;
	kern_cpu(k, k->p.cpu_bufop);
	if (bc->refs != NULL)
		record_ref(bc, vp, lblkno);
	/*
	 * A hit: the loop's first pass (getblk_loop) when the block is in
	 * core, unlocked, of the size asked for, neither B_INVAL nor a
	 * delayed write with invalid parts — taken here, every condition
	 * checked before anything changes, without the frame that the
	 * loop's sleeps and reallocations need (13 of a hit's 86
	 * instructions).  Anything else goes to the loop from its start,
	 * which finds the same and does what the kernel does with it.
	 */
	if ((bc->numfreebuffers != 0 || curproc(k->sim) == NULL) &&
	    (bp = incore(k, vp, lblkno)) != NULL &&
	    bp->b_lockholder == NULL && bp->b_bcount == size &&
	    !(bp->b_flags & B_INVAL) &&
	    (bp->b_flags & (B_DELWRI | B_CACHE)) != B_DELWRI) {
		(void)BUF_LOCK_NOWAIT(k, bp);
		if (bp->b_qindex != QUEUE_NONE)
			bremfree(k, bp);
		return getblk_found(k, bp);
	}
	return getblk_loop(k, vp, lblkno, size);
}

/* ---- I/O ------------------------------------------------------------- */

const char *
bio_what_name(int what)
{
	static const char *const names[BIO_WHAT_COUNT] = {
		"data", "directory", "indirect", "inode block", "cg",
		"superblock", "cg summary", "metadata", "snapshot copy"
	};

	return what >= 0 && what < BIO_WHAT_COUNT ? names[what] : NULL;
}

const char *
bio_cause_name(int cause)
{
	static const char *const names[BIO_CAUSE_COUNT] = {
		"read", "read-ahead", "page-in", "write", "async write",
		"write-behind", "syncer", "buf_daemon", "getnewbuf",
		"snapshot copy"
	};

	return cause >= 0 && cause < BIO_CAUSE_COUNT ? names[cause] : NULL;
}

/*
 * What a request is for and who started it, for the record: the buffer's
 * identity as the kernel's struct buf carries it (b_vp, b_lblkno; the
 * device vnode's blocks by where they lie, ffs_blkkind), the process
 * running (curproc), and why, from the flags the kernel set (B_ASYNC on a
 * read: read ahead, not waited for; a cluster pbuf: its first block's) and
 * from who the write belongs to (b_writer).  Nothing here changes what
 * the drive does.
 */
static void
io_identity(struct kern *k, const struct buf *bp, struct diskreq *r)
{
	struct vnode *vp = bp->b_vp != NULL ? bp->b_vp : bp->b_forvp;
	const struct buf *first = (bp->b_flags & B_CLUSTER) &&
	    !TAILQ_EMPTY(&bp->b_cluster_head) ?
	    TAILQ_FIRST(&bp->b_cluster_head) : bp;
	bool snap = vp != NULL && vp->v_data != NULL && vp->v_data->i_snapshot;

	g_strlcpy(r->issuer, curproc(k->sim) != NULL ?
	    sim_proc_name(curproc(k->sim)) : "", sizeof(r->issuer));
	r->ino = -1;
	r->lblkno = bp->b_lblkno;
	if (vp == NULL) {
		/* a raw pbuf: the old contents read for a snapshot (readblock) */
		r->what = BIO_WHAT_SNAPCOPY;
		r->lblkno = dbtofsb(&k->fs, bp->b_blkno);
	} else if (vp == k->fs.fs_devvp) {
		r->lblkno = dbtofsb(&k->fs, bp->b_blkno);
		r->what = ffs_blkkind(&k->fs, r->lblkno);
	} else {
		r->ino = vp->v_data != NULL ? (int64_t)vp->v_data->i_number : -1;
		r->what = bp->b_lblkno < 0 ? BIO_WHAT_INDIR :
		    vp->v_type == VDIR ? BIO_WHAT_DIR : BIO_WHAT_DATA;
		/* the pager's pbuf: the file's block its first page is in */
		if (bp->b_forvp != NULL && bp->b_npages > 0)
			r->lblkno = (int64_t)bp->b_pages[0]->key.pindex *
			    PAGE_SIZE / k->fs.fs_bsize;
	}
	if (bp->b_flags & B_READ)
		r->cause = vp == NULL ? BIO_CAUSE_SNAPSHOT :
		    bp->b_forvp != NULL ? BIO_CAUSE_PAGEIN :
		    (first->b_flags & B_ASYNC) ? BIO_CAUSE_READAHEAD :
		    BIO_CAUSE_READ;
	else if (snap)
		r->cause = BIO_CAUSE_SNAPSHOT;
	else
		switch (bp->b_writer) {
		case BW_SYNCER:
			r->cause = BIO_CAUSE_SYNCER;
			break;
		case BW_BUFDAEMON:
			r->cause = BIO_CAUSE_BUFDAEMON;
			break;
		case BW_GETNEWBUF:
			r->cause = BIO_CAUSE_GETNEWBUF;
			break;
		default:
			r->cause = !(bp->b_flags & B_ASYNC) ? BIO_CAUSE_WRITE :
			    (bp->b_flags & B_CLUSTER) ? BIO_CAUSE_WRITEBEHIND :
			    BIO_CAUSE_ASYNC;
			break;
		}
}

void
bstrategy(struct kern *k, struct buf *bp)
{
	struct diskreq *r = &bp->b_io;

	KASSERT(bp->b_blkno >= 0, ("strategy on an unmapped buffer"));
	if (!(bp->b_flags & B_READ)) {
		/* spec_strategy: nothing but the snapshot's own blocks may be
		 * written while the file system is suspended ... */
		if ((k->mnt.mnt_kern_flag & MNTK_SUSPENDED) &&
		    !(bp->b_flags & B_VALIDSUSPWRT)) {
			k->cnt.suspended_writes_bad++;
			KASSERT(0, ("write on a suspended file system: block "
			    "%lld", (long long)bp->b_blkno));
		}
		/* ... each time it asks: spec_strategy clears the flag once
		 * checked (its 2002-2003 text; 2001's not read), so a buffer
		 * written for one suspension is not let through the next */
		bp->b_flags &= ~B_VALIDSUSPWRT;
		/* ... and a block a snapshot shares is copied first. */
		if (k->nsnaps > 0)
			ffs_copyonwrite(k, bp);
		/* bioops.io_start (soft updates' rollbacks), then what the
		 * write carries, for a crash before it is done. */
		if (k->softdep != NULL)
			softdep_disk_io_initiation(k, bp);
		if (k->crash != NULL)
			ffs_crash_strategy(k, bp);
	}
	r->sector = bp->b_blkno;
	r->nsect = (bp->b_bcount + DEV_BSIZE - 1) / DEV_BSIZE;
	r->write = !(bp->b_flags & B_READ);
	if (!(bp->b_flags & B_CLUSTER))
		r->nbufs = 1;		/* a cluster says how many it carries */
	r->arg = bp;
	io_identity(k, bp, r);
	disk_strategy(&k->disk, r);
}

/* biowait: sleep until the I/O is done; its error (b_error, or EIO for
 * a B_ERROR without one, as vfs_bio.c's biowait says), or 0. */
int
biowait(struct kern *k, struct buf *bp, const char *wmesg)
{
	while (!(bp->b_flags & B_DONE))
		tsleep(k->sim, bp, wmesg, 0);
	if (bp->b_flags & B_ERROR)
		return bp->b_error != 0 ? bp->b_error : EIO;
	return 0;
}

/* A metadata block's write is done: the disk holds this version of it
 * now (a later write may carry an older one only if versions were noted
 * out of order, which they are not: keep the greatest). */
static void
meta_ondisk(struct kern *k, struct buf *bp)
{
	int64_t *key;
	uint64_t had = bio_meta_ondisk(k, bp->b_blkno);

	if (had >= bp->b_version)
		return;
	key = g_new(int64_t, 1);
	*key = bp->b_blkno;
	g_hash_table_insert(k->bc.meta_disk, key,
	    GSIZE_TO_POINTER((gsize)bp->b_version));
}

uint64_t
bio_meta_ondisk(const struct kern *k, ufs2_daddr_t blkno)
{
	return (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(k->bc.meta_disk,
	    &blkno));
}

/*
 * biodone: the I/O is finished.  Runs at interrupt level (from the disk's
 * completion) and never sleeps.  A read's pages become valid; a write's
 * version reaches the disk.  A B_CALL buffer (a cluster) hands on to its
 * iodone; other async buffers are released here; a synchronous caller is
 * woken and releases its buffer itself.  A failed I/O (B_ERROR) leaves
 * the disk as it was: a read's pages stay invalid, a write's data is
 * still only in memory (brelse decides what becomes of it).
 */
void
biodone(struct kern *k, struct buf *bp)
{
	KASSERT(!(bp->b_flags & B_DONE), ("biodone: already done"));
	bp->b_flags |= B_DONE;
	runningbufwakeup(k, bp);
	if ((bp->b_flags & (B_ERROR | B_CLUSTER)) == B_ERROR) {
		if (bp->b_flags & B_READ)
			k->cnt.bio_read_errors++;
		else
			k->cnt.bio_write_errors++;
	}
	if (!(bp->b_flags & B_READ)) {
		struct vnode *vp = bp->b_vp;

		if (bp->b_flags & B_ERROR) {
			if (k->crash != NULL)
				ffs_crash_failed(k, bp);
			if (k->softdep != NULL)
				softdep_disk_write_complete(k, bp, false);
			goto vwakeup;		/* nothing reached the disk */
		}
		bp->b_dirtytime = -1;		/* the data is on the disk */
		bp->b_dirtyoff = bp->b_dirtyend = 0;
		if (k->crash != NULL)
			ffs_crash_written(k, bp);
		/* bioops.io_complete: may make it dirty again */
		if (k->softdep != NULL)
			softdep_disk_write_complete(k, bp, true);
		if (vp != NULL && !(bp->b_flags & B_CLUSTER) &&
		    bp->b_version != 0 && (vp->v_type != VREG ||
		    bp->b_lblkno < 0))
			meta_ondisk(k, bp);
		if (k->bc.ver_disk != NULL && !(bp->b_flags & B_CLUSTER) &&
		    bp->b_blkno >= 0 && bp->b_version != 0) {
			int64_t *key = g_new(int64_t, 1);

			*key = bp->b_blkno;
			g_hash_table_insert(k->bc.ver_disk, key,
			    GSIZE_TO_POINTER((gsize)bp->b_version));
		}
		/* O_DIRECT data is not left in the cache once written (the
		 * seed's ac8f990bde; cluster_callback does the same for a
		 * cluster's components through here). */
		if (bp->b_flags & B_DIRECT)
			bp->b_flags |= B_RELBUF;
vwakeup:
		/* vwakeup (cluster pbufs are not counted in v_numoutput) */
		if (vp != NULL && !(bp->b_flags & B_PAGING) &&
		    --vp->v_numoutput == 0 && (vp->v_flag & VBWAIT)) {
			vp->v_flag &= ~VBWAIT;
			wakeup(k->sim, &vp->v_numoutput);
		}
	} else if (!(bp->b_flags & B_ERROR)) {
		bp->b_flags |= B_CACHE;
		vfs_page_set_valid(bp);
	}
	if (bp->b_flags & B_CALL) {
		bp->b_flags &= ~B_CALL;
		bp->b_iodone(k, bp);
		return;
	}
	if (bp->b_flags & B_ASYNC) {
		if (bp->b_flags & (B_NOCACHE | B_INVAL | B_RELBUF | B_ERROR))
			brelse(k, bp);
		else
			bqrelse(k, bp);
	} else
		wakeup(k->sim, bp);
}

/*
 * bread: the buffer for a block with valid contents.  A buffer hit or a
 * page-cache hit returns at once; otherwise the block is read and the
 * process sleeps "biord".  A hole reads as zeros with no I/O.
 */
int
bread(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
    struct buf **bpp)
{
	return breadn(k, vp, lblkno, size, NULL, NULL, 0, bpp);
}

/*
 * bread_noerror: bread for the paths that do not yet carry a read error
 * up (the metadata the simulation keeps in memory: inode blocks, cylinder
 * groups, directories, indirect blocks read to truncate or move blocks;
 * a page fault; a snapshot's blocks).  In the kernel each of them fails
 * its call with EIO (or, for a cylinder group, skips it); here a failed
 * read is counted (bio.read_errors_ignored) and the buffer taken as read,
 * so that what the call goes on to do is what it would have done had the
 * sector been good.  The README's "Not yet" lists this.
 */
void
bread_noerror(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
    struct buf **bpp)
{
	if (bread(k, vp, lblkno, size, bpp) == 0)
		return;
	k->cnt.bio_read_ignored++;
	(*bpp)->b_flags &= ~B_ERROR;
	(*bpp)->b_error = 0;
	(*bpp)->b_flags |= B_CACHE;
	vfs_page_set_valid(*bpp);
}

/* Start a read of a buffer not in core (B_CACHE clear). */
static void
bread_start(struct kern *k, struct buf *bp, bool async)
{
	if (bp->b_blkno < 0) {
		k->cnt.bread_holes++;
		vfs_bio_clrbuf(k, bp);		/* a hole: zeros */
		bp->b_flags |= B_DONE;
		if (async)
			brelse(k, bp);
		return;
	}
	bp->b_flags |= B_READ;
	bp->b_flags &= ~(B_INVAL | B_DONE | B_ERROR);
	bp->b_error = 0;
	if (async) {
		bp->b_flags |= B_ASYNC;
		bp->b_lockholder = BUF_KERNPROC;
	}
	bstrategy(k, bp);
}

/*
 * breadn: bread, plus read-ahead of cnt more blocks not already in memory
 * (issued async, released when their I/O completes).
 */
int
breadn(struct kern *k, struct vnode *vp, int64_t lblkno, int size,
    const int64_t *rablkno, const int *rabsize, int cnt, struct buf **bpp)
{
	struct buf *bp = getblk(k, vp, lblkno, size), *rabp;
	bool issued = false;
	int i;

	*bpp = bp;
	k->cnt.bread++;
	if (bp->b_flags & B_CACHE)
		k->cnt.bread_hits++;
	else if (bp->b_blkno < 0) {
		bread_start(k, bp, false);
		k->cnt.bread_hits++;	/* no I/O: a hole */
	} else {
		bread_start(k, bp, false);
		issued = true;
	}
	for (i = 0; i < cnt; i++) {
		if (inmem(k, vp, rablkno[i]))
			continue;
		rabp = getblk(k, vp, rablkno[i], rabsize[i]);
		if ((rabp->b_flags & B_CACHE) || rabp->b_blkno < 0) {
			brelse(k, rabp);
			continue;
		}
		k->cnt.readahead_blocks++;
		if (rabp->b_npages > 0)
			rabp->b_pages[0]->rahead = true;	/* see cluster_ra_used */
		bread_start(k, rabp, true);
	}
	if (issued)
		return biowait(k, bp, "biord");
	return 0;
}

/*
 * vfs_backgroundwritedone: the copy of a background write is on the disk
 * (interrupt level).  The original may be written again: its waiters
 * ("biord") are woken, and it leaves the LOCKED queue for its own — if
 * nobody holds it; whoever does releases it there.  The copy goes.
 *
 * A copy whose write failed: the 2001 kernel let brelse re-dirty the copy
 * itself (the failed-write rule; its copy was on the vnode's lists); here
 * the copy is on none, so the original — whose contents are the copy's or
 * newer — is made dirty in its place, to the same effect: the map is
 * written again later.  If someone holds the original just then, that
 * cannot be done without sleeping (this is interrupt level): the write is
 * counted as lost (bio.bkgrd_writes_lost) unless the map changes again.
 */
static void
vfs_backgroundwritedone(struct kern *k, struct buf *nbp)
{
	struct buf *bp = incore(k, nbp->b_vp, nbp->b_lblkno);
	bool failed = nbp->b_flags & B_ERROR;

	KASSERT(bp != NULL && (bp->b_xflags & BX_BKGRDINPROG),
	    ("backgroundwritedone: lost buffer"));
	bp->b_xflags &= ~BX_BKGRDINPROG;
	if (bp->b_xflags & BX_BKGRDWAIT) {
		bp->b_xflags &= ~BX_BKGRDWAIT;
		wakeup(k->sim, &bp->b_xflags);
	}
	bp->b_flags &= ~B_LOCKED;
	if (BUF_LOCK_NOWAIT(k, bp)) {
		bremfree(k, bp);
		if (failed) {
			k->cnt.bio_redirtied++;
			if (bp->b_dirtytime < 0)
				bp->b_dirtytime = nbp->b_dirtytime;
			bdirty(k, bp);
		}
		bqrelse(k, bp);
	} else if (failed)
		k->cnt.bio_bkgrd_lost++;
	nbp->b_flags &= ~B_ERROR;
	vdrop(k, nbp->b_vp);
	nbp->b_vp = NULL;
	nbp->b_xflags = 0;
	nbp->b_flags |= B_INVAL | B_NOCACHE;
	brelse(k, nbp);
}

/*
 * The background branch of bwrite (cf60e8e4bf, McKusick, January 2000 —
 * before RELENG_4 branched, so both eras): bp is a cylinder-group map
 * (BX_BKGRDWRITE) about to be written asynchronously.  Its contents go to
 * a copy (geteblk: a header and memory of its own, which may sleep in
 * getnewbuf), and the copy is written instead; the original — already
 * clean — is released to the LOCKED queue, unlocked, so that allocators
 * keep using and changing it instead of sleeping "getblk" until the write
 * is done; BX_BKGRDINPROG keeps a second copy from being written while
 * the first is.  Returns the copy, locked, to be written.
 */
static struct buf *
bkgrdwrite(struct kern *k, struct buf *bp)
{
	struct buf *nbp;

	while ((nbp = getnewbuf(k, bp->b_bufsize, bp->b_bufsize)) == NULL)
		continue;
	nbp->b_offset = bp->b_offset;
	allocbuf(k, nbp, bp->b_bcount);		/* no vnode: kernel memory */
	nbp->b_vp = bp->b_vp;			/* bgetvp, but not hashed */
	vhold(bp->b_vp);
	nbp->b_xflags = BX_BKGRDCOPY;
	nbp->b_lblkno = bp->b_lblkno;
	nbp->b_blkno = bp->b_blkno;
	nbp->b_version = bp->b_version;
	nbp->b_writer = bp->b_writer;
	/* The contents written now are the copy's; what changes in the
	 * original from here on is newer. */
	nbp->b_dirtytime = bp->b_dirtytime;
	nbp->b_dirtyoff = bp->b_dirtyoff;
	nbp->b_dirtyend = bp->b_dirtyend;
	bp->b_dirtytime = -1;
	bp->b_dirtyoff = bp->b_dirtyend = 0;
	nbp->b_flags |= B_ASYNC | B_CALL | B_CACHE;
	nbp->b_flags &= ~B_INVAL;
	nbp->b_iodone = vfs_backgroundwritedone;
	bp->b_xflags |= BX_BKGRDINPROG;
	bp->b_flags |= B_LOCKED;
	bqrelse(k, bp);
	k->cnt.bkgrd_writes++;
	/* The copy's contents are the map's now, not when it is started. */
	if (k->softdep != NULL)
		softdep_disk_io_initiation(k, nbp);
	if (k->crash != NULL)
		ffs_crash_strategy(k, nbp);
	return nbp;
}

/*
 * bwrite: start writing a buffer.  A synchronous write sleeps "biowr" and
 * releases the buffer; an async one belongs to the kernel until biodone,
 * and its issuer is held back ("wdrain") while too many bytes are in
 * flight.  A buffer whose background write is under way is not written
 * again meanwhile: an async write leaves it a delayed write, a sync one
 * waits for that write ("biord", as 2001's bwrite sleeps; "bwrbg" is
 * later).  A cylinder-group map written async is written in the
 * background (bkgrdwrite) — unless memory or dirty buffers are severely
 * short (the copy "eats a lot of memory"), or debug.dobkgrdwrite is off.
 */
int
bwrite(struct kern *k, struct buf *bp)
{
	return bwrite_wmesg(k, bp, "biowr");
}

/* bwrite, a synchronous one sleeping on wmesg: so that what a caller
 * waited for shows (a snapshot's copy-on-write, "cowwr"). */
int
bwrite_wmesg(struct kern *k, struct buf *bp, const char *wmesg)
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
	if (bp->b_xflags & BX_BKGRDINPROG) {
		if (async) {
			bdwrite(k, bp);
			return 0;
		}
		while (bp->b_xflags & BX_BKGRDINPROG) {
			bp->b_xflags |= BX_BKGRDWAIT;
			tsleep(k->sim, &bp->b_xflags, "biord", 0);
		}
	}
	if (bp->b_blkno < 0 && !(bp->b_flags & B_CLUSTER)) {
		/* Never allocated (the fs was full): the data is dropped. */
		k->cnt.enospc++;
		if (bp->b_flags & B_DELWRI)
			bundirty(k, bp);
		bp->b_flags |= B_INVAL;
		brelse(k, bp);
		return ENOSPC;
	}
	if (bp->b_flags & B_DELWRI)
		bundirty(k, bp);
	if (k->p.dobkgrdwrite && (bp->b_xflags & BX_BKGRDWRITE) && async &&
	    !vm_page_count_severe(k) && !buf_dirty_count_severe(k))
		bp = bkgrdwrite(k, bp);
	bp->b_flags &= ~(B_READ | B_DONE | B_ERROR);
	bp->b_flags |= B_CACHE | B_WRITEINPROG;
	bp->b_error = 0;
	if (!(bp->b_flags & B_PAGING))
		bp->b_vp->v_numoutput++;
	if (!(bp->b_flags & B_CLUSTER))
		bc->writes_by[bp->b_writer]++;	/* clusters count their parts */
	bp->b_runningbufspace = bp->b_bufsize;
	bc->runningbufspace += bp->b_runningbufspace;
	if (async)
		bp->b_lockholder = BUF_KERNPROC;
	bstrategy(k, bp);
	if (!async) {
		k->cnt.bwrite_sync++;
		error = biowait(k, bp, wmesg);
		brelse(k, bp);
		return error;
	}
	if (!(bp->b_flags & B_NOWDRAIN))
		waitrunningbufspace(k);
	return 0;
}

/* Who is writing: the daemons by their process, others are processes. */
static enum bwriter
writer_of(struct kern *k)
{
	struct sim_proc *p = curproc(k->sim);

	if (p != NULL && p == k->bc.syncer)
		return BW_SYNCER;
	if (p != NULL && p == k->bc.bufdaemon)
		return BW_BUFDAEMON;
	return BW_PROCESS;
}

void
bawrite(struct kern *k, struct buf *bp)
{
	k->cnt.bawrite++;
	bp->b_flags |= B_ASYNC;
	if (bp->b_writer != BW_GETNEWBUF)
		bp->b_writer = (uint8_t)writer_of(k);
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
		if (bp->b_dirtytime < 0)
			bp->b_dirtytime = sim_now(k->sim);
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
	bp->b_flags &= ~B_DEFERRED;
}

/*
 * bdwrite: delayed write.  Marks the buffer dirty, maps it if it is not
 * yet (VOP_BMAP), and releases it to the DIRTY queue.  Never starts I/O
 * and never sleeps.
 */
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
	vfs_page_set_valid(bp);
	if (bp->b_blkno < 0 && bp->b_vp != NULL && bp->b_vp->v_data != NULL)
		bp->b_blkno = ffs_bmap(k, bp->b_vp->v_data, bp->b_lblkno);
	bqrelse(k, bp);
	bd_wakeup(k, (bc->lodirtybuffers + bc->hidirtybuffers) / 2);
}

/*
 * brelse: release a buffer.  Invalid, uncacheable or failed buffers lose
 * their contents (their pages are freed) and go to the head of CLEAN, or
 * EMPTY when they have no memory.  Dirty buffers go to the tail of DIRTY;
 * valid clean ones to the tail of CLEAN (the head with B_AGE).  When memory
 * is severely short, a clean buffer's pages are given back (B_RELBUF).
 *
 * A failed write is the exception: the buffer is made dirty again, its
 * error cleared ("Failed write, redirty.  Must clear B_ERROR to prevent
 * pages from being scrapped"), so that the data is written again later —
 * by the syncer, buf_daemon or the next fsync, for as long as the write
 * keeps failing.  RELENG_4's vfs_bio.c has it; so has 5.x's, as
 * b_iocmd == BIO_WRITE with BIO_ERROR in b_ioflags (the bio split of
 * 2000, before May 2001; the 2001 text itself was not read, later 5.x
 * texts were: inferred).  Giving up on a write that fails for good
 * (ENXIO, a device gone; later any error but EIO) came to FreeBSD only
 * after 5.x.  A buffer on the LOCKED queue is not failed (B_LOCKED clears
 * B_ERROR first), nor is an invalidated one re-dirtied.
 */
void
brelse(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;
	bool hadmem;

	KASSERT(bp->b_qindex == QUEUE_NONE, ("brelse: buffer on %s queue",
	    qname[bp->b_qindex]));
	if (bp->b_flags & B_LOCKED)
		bp->b_flags &= ~B_ERROR;
	if ((bp->b_flags & (B_READ | B_ERROR | B_INVAL)) == B_ERROR) {
		bp->b_flags &= ~B_ERROR;
		bp->b_error = 0;
		k->cnt.bio_redirtied++;
		bdirty(k, bp);
	} else if ((bp->b_flags & (B_NOCACHE | B_INVAL | B_ERROR)) ||
	    bp->b_bufsize == 0) {
		bp->b_flags |= B_INVAL;
		if (bp->b_flags & B_DELWRI)
			bundirty(k, bp);
		bp->b_flags &= ~(B_DELWRI | B_CACHE);
	}
	if (bp->b_flags & B_DELWRI)
		bp->b_flags &= ~B_RELBUF;
	else if (vm_page_count_severe(k) && k->p.io_reserve)
		bp->b_flags |= B_RELBUF;
	if ((bp->b_flags & B_INVAL) && bp->b_npages > 0) {
		int i;

		/* The contents are no good: the pages must not be found. */
		for (i = 0; i < bp->b_npages; i++)
			bp->b_pages[i]->valid = false;
	}
	hadmem = bp->b_bufsize > 0 || bp->b_kvasize > 0;
	if (bp->b_flags & B_INVAL) {
		bp->b_dirtytime = -1;		/* the data is gone, not at risk */
		bp->b_dirtyoff = bp->b_dirtyend = 0;
	}
	if (bp->b_flags & (B_INVAL | B_RELBUF)) {
		bfreemem(k, bp);
		if (bp->b_vp != NULL) {
			bremhash(k, bp, false);
			brelvp(k, bp);
		}
	}

	if (bp->b_bufsize == 0 && bp->b_vp == NULL) {
		/* No identity: EMPTYKVA if it kept KVA, else EMPTY. */
		bp->b_flags = B_INVAL;
		bp->b_xflags = 0;
		if (bp->b_kvasize != 0)
			binsfree(k, bp, QUEUE_EMPTYKVA, true);
		else
			binsfree(k, bp, QUEUE_EMPTY, true);
	} else if (bp->b_flags & B_LOCKED)
		binsfree(k, bp, QUEUE_LOCKED, false);
	else if (bp->b_flags & B_DELWRI)
		binsfree(k, bp, QUEUE_DIRTY, (bp->b_flags & B_AGE) != 0);
	else
		binsfree(k, bp, QUEUE_CLEAN, (bp->b_flags & B_AGE) != 0);

	if (!(bp->b_flags & (B_LOCKED | B_DELWRI)))
		bufcountwakeup(k);
	if (hadmem)
		bufspacewakeup(k);
	/* An O_DIRECT buffer still to be written keeps B_DIRECT, so that
	 * its pages go when the write is done (biodone). */
	bp->b_flags &= ~(B_ASYNC | B_NOCACHE | B_AGE | B_RELBUF | B_NOWDRAIN |
	    B_WRITEINPROG | ((bp->b_flags & B_DELWRI) ? 0 : B_DIRECT));
	bp->b_writer = BW_PROCESS;
	BUF_UNLOCK(k, bp);
	(void)bc;
}

/*
 * bqrelse: release a buffer expected to be used again soon: no question
 * of its pages going (unless memory is severely short, when it behaves as
 * brelse).
 */
void
bqrelse(struct kern *k, struct buf *bp)
{
	KASSERT(bp->b_qindex == QUEUE_NONE, ("bqrelse: buffer on a queue"));
	if (bp->b_flags & (B_INVAL | B_NOCACHE | B_RELBUF | B_ERROR) ||
	    bp->b_bufsize == 0) {
		brelse(k, bp);
		return;
	}
	if (bp->b_flags & B_LOCKED)
		binsfree(k, bp, QUEUE_LOCKED, false);
	else if (bp->b_flags & B_DELWRI)
		binsfree(k, bp, QUEUE_DIRTY, false);
	else if (vm_page_count_severe(k) && k->p.io_reserve) {
		/* Low on memory: give the pages back instead of caching. */
		bp->b_flags |= B_RELBUF;
		brelse(k, bp);
		return;
	} else {
		binsfree(k, bp, QUEUE_CLEAN, false);
		bufcountwakeup(k);
		bufspacewakeup(k);
	}
	bp->b_flags &= ~(B_ASYNC | B_NOCACHE | B_AGE | B_RELBUF | B_NOWDRAIN |
	    B_WRITEINPROG | ((bp->b_flags & B_DELWRI) ? 0 : B_DIRECT));
	bp->b_writer = BW_PROCESS;
	BUF_UNLOCK(k, bp);
}

/*
 * bwillwrite: called by write(2) and the calls that create things, before
 * they lock anything.  While the dirty buffers are at hidirtybuffers, urge
 * buf_daemon on and sleep "flswai" — the seed's throttle, added because
 * "benchmarks that create huge trees of empty files overwhelm the buffer
 * cache".  vfs.bwillwrite=false takes it out, to show what it prevents.
 */
void
bwillwrite(struct kern *k)
{
	struct bufcache *bc = &k->bc;
	sim_time_t t0;

	if (!bc->bwillwrite_on || bc->numdirtybuffers < bc->hidirtybuffers)
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

/*
 * vfs_bio_awrite: write a dirty buffer, gathering its dirty, physically
 * contiguous neighbours forward and backward (the seed's 1999 addition of
 * the reverse scan) into one cluster of up to MAXPHYS.  Returns the bytes
 * written.
 */
int
vfs_bio_awrite(struct kern *k, struct buf *bp)
{
	struct vnode *vp = bp->b_vp;
	int64_t lblkno = bp->b_lblkno;
	int size, maxcl, i, j, nwritten;

	if (vp != NULL && vp->v_type == VREG && (bp->b_flags & B_CLUSTEROK) &&
	    !(bp->b_flags & B_INVAL) && bp->b_blkno >= 0) {
		size = k->fs.fs_bsize;
		maxcl = MAXPHYS / size;
		for (i = 1; i < maxcl; i++) {
			struct buf *bpa = incore(k, vp, lblkno + i);

			if (bpa == NULL || bpa->b_lockholder != NULL ||
			    (bpa->b_flags & (B_DELWRI | B_CLUSTEROK | B_INVAL)) !=
			    (B_DELWRI | B_CLUSTEROK) ||
			    bpa->b_bufsize != bp->b_bufsize || bpa->b_blkno < 0 ||
			    bpa->b_blkno != bp->b_blkno + (int64_t)i * size / DEV_BSIZE)
				break;
		}
		for (j = 1; i + j <= maxcl && j <= lblkno; j++) {
			struct buf *bpa = incore(k, vp, lblkno - j);

			if (bpa == NULL || bpa->b_lockholder != NULL ||
			    (bpa->b_flags & (B_DELWRI | B_CLUSTEROK | B_INVAL)) !=
			    (B_DELWRI | B_CLUSTEROK) ||
			    bpa->b_bufsize != bp->b_bufsize || bpa->b_blkno < 0 ||
			    bpa->b_blkno != bp->b_blkno - (int64_t)j * size / DEV_BSIZE)
				break;
		}
		j--;
		if (i + j > 1) {
			cluster_wbuild(k, vp, size, lblkno - j, i + j);
			return (i + j) * size;
		}
	}
	BUF_LOCK(k, bp, "bufwait");
	if (bp->b_qindex != QUEUE_NONE)
		bremfree(k, bp);
	nwritten = bp->b_bufsize;
	if (!(bp->b_flags & B_DELWRI)) {
		/* Written by someone else while we waited for it. */
		bqrelse(k, bp);
		return 0;
	}
	bawrite(k, bp);
	return nwritten;
}

/* ---- buf_daemon ------------------------------------------------------ */

/*
 * flushbufqueues: write the oldest dirty buffer (with its cluster); 0 if
 * none could be.  As in 2001 (both eras): no vnode lock and no
 * vn_start_write — the gate that makes buf_daemon wait out a suspension
 * is a 2003 addition; while suspended there is nothing left dirty for it
 * but the snapshot's own blocks.
 */
static int
flushbufqueues(struct kern *k)
{
	struct bufqueue *q = &k->bc.queues[QUEUE_DIRTY];
	struct buf *bp = TAILQ_FIRST(q);

	while (bp != NULL) {
		KASSERT(bp->b_flags & B_DELWRI, ("non-dirty buffer on DIRTY"));
		if (bp->b_xflags & BX_BKGRDINPROG) {
			bp = TAILQ_NEXT(bp, b_freelist);
			continue;
		}
		if (bp->b_flags & B_INVAL) {
			BUF_LOCK_NOWAIT(k, bp);
			bremfree(k, bp);
			brelse(k, bp);
			return 1;
		}
		/* A buffer with soft-updates dependencies goes to the end
		 * once (bioops.io_countdeps, B_DEFERRED): what it waits for
		 * may be written first, sparing it a rollback. */
		if (k->softdep != NULL && !(bp->b_flags & B_DEFERRED) &&
		    softdep_count_dependencies(k, bp) > 0) {
			TAILQ_REMOVE(q, bp, b_freelist);
			TAILQ_INSERT_TAIL(q, bp, b_freelist);
			bp->b_flags |= B_DEFERRED;
			bp = TAILQ_FIRST(q);
			continue;
		}
		(void)vfs_bio_awrite(k, bp);
		return 1;
	}
	return 0;
}

/*
 * buf_daemon: keeps the number of dirty buffers near lodirtybuffers.  It
 * wakes when bd_wakeup finds the count past the midpoint (or getnewbuf and
 * bwillwrite urge it), flushes oldest first until the count is at
 * lodirtybuffers — releasing bwillwrite sleepers at the midpoint, waiting
 * in "wdrain" like anyone else — and otherwise looks again every second
 * ("psleep"), or every half second while it is behind ("qsleep").
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
	k->bc.bufdaemon = sim_spawn(k->sim, "bufdaemon", buf_daemon, k,
	    SIMP_DAEMON);
}

/* ---- invariants ------------------------------------------------------ */

void
bufcache_check(struct kern *k)
{
#ifdef INVARIANTS
	struct bufcache *bc = &k->bc;
	int q, nfree = 0, ndirty = 0, nhashed = 0, i;
	int64_t space = 0, malloced = 0;
	struct buf *bp;

	for (q = 1; q < BUFFER_QUEUES; q++) {
		int n = 0;

		TAILQ_FOREACH(bp, &bc->queues[q], b_freelist) {
			n++;
			KASSERT(bp->b_qindex == q, ("buffer on %s says %s",
			    qname[q], qname[bp->b_qindex]));
			KASSERT(bp->b_lockholder == NULL,
			    ("locked buffer on %s", qname[q]));
			if (q == QUEUE_CLEAN || q == QUEUE_EMPTY ||
			    q == QUEUE_EMPTYKVA)
				nfree++;
			if (q == QUEUE_DIRTY)
				KASSERT(bp->b_flags & B_DELWRI,
				    ("clean buffer on DIRTY"));
			if (q == QUEUE_EMPTY)
				KASSERT(bp->b_kvasize == 0 && bp->b_vp == NULL,
				    ("EMPTY buffer with KVA or identity"));
			if (q == QUEUE_CLEAN)
				KASSERT(!(bp->b_flags & B_DELWRI),
				    ("dirty buffer on CLEAN"));
		}
		KASSERT(n == bc->qlen[q], ("queue %s holds %d, counted %d",
		    qname[q], bc->qlen[q], n));
	}
	for (i = 0; i < bc->nbuf; i++) {
		bp = &bc->bufs[i];
		space += bp->b_kvasize;
		if (bp->b_flags & B_MALLOC)
			malloced += bp->b_bufsize;
		if (bp->b_flags & B_DELWRI) {
			ndirty++;
			KASSERT(bp->b_vp != NULL, ("dirty buffer without vnode"));
			KASSERT(bp->b_dirtytime >= 0, ("dirty buffer without "
			    "b_dirtytime"));
			KASSERT(bp->b_xflags & BX_VNDIRTY,
			    ("dirty buffer on the clean list"));
		}
		if (bp->b_qindex == QUEUE_NONE)
			KASSERT(bp->b_lockholder != NULL,
			    ("buffer on no queue and not locked"));
		if (bp->b_vp != NULL && !(bp->b_xflags & BX_BKGRDCOPY)) {
			KASSERT(incore(k, bp->b_vp, bp->b_lblkno) == bp,
			    ("buffer missing from the hash"));
			nhashed++;
		}
		if (bp->b_xflags & BX_BKGRDCOPY)
			KASSERT(bp->b_qindex == QUEUE_NONE &&
			    bp->b_lockholder == BUF_KERNPROC,
			    ("a background copy not being written"));
		if (bp->b_xflags & BX_BKGRDINPROG)
			KASSERT((bp->b_flags & B_LOCKED) ||
			    bp->b_qindex == QUEUE_NONE,
			    ("a background write's original loose"));
		KASSERT(bp->b_npages * PAGE_SIZE == bp->b_bufsize,
		    ("b_bufsize %d with %d pages", bp->b_bufsize, bp->b_npages));
	}
	KASSERT(nfree == bc->numfreebuffers, ("numfreebuffers %d, counted %d",
	    bc->numfreebuffers, nfree));
	KASSERT(ndirty == bc->numdirtybuffers, ("numdirtybuffers %d, counted %d",
	    bc->numdirtybuffers, ndirty));
	KASSERT(space == bc->bufspace, ("bufspace %lld, counted %lld",
	    (long long)bc->bufspace, (long long)space));
	KASSERT(malloced == bc->bufmallocspace, ("bufmallocspace"));
	KASSERT(nhashed == bc->nhashed, ("%d buffers hashed, counted %d",
	    bc->nhashed, nhashed));
	vm_check(k);
#else
	(void)k;
#endif
}
