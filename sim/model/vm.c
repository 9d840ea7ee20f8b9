/*
 * vm.c — the page cache under the buffer cache: vm_page.c's queues and
 * allocator, vm_pageout.c's thresholds and pagedaemon, vm_pager.c's pbufs.
 *
 * Only what file I/O needs is modelled: pages hold file data (they belong
 * to a vnode at a page index) or nothing; no anonymous memory, no swap.
 * A page is dirty only when written through a shared mapping of its file
 * (vm_map.c, vm_fault.c); otherwise a dirty block lives in its buffer
 * until written.  The pagedaemon does not launder dirty pages (they are
 * put back by msync, fsync, the syncer's vfs_msync and the vnode's
 * reclaim: vnode_pager.c); it passes them by.
 */
#include "kern.h"
#include "kassert.h"

#include <string.h>

#define MAXBSIZE_	65536

static guint
pagekey_hash(gconstpointer p)
{
	const struct vm_pagekey *key = p;
	uint64_t h = key->vid * 0x9E3779B97F4A7C15ull ^ (uint64_t)key->pindex;

	return (guint)(h ^ (h >> 32));
}

static gboolean
pagekey_equal(gconstpointer a, gconstpointer b)
{
	const struct vm_pagekey *x = a, *y = b;

	return x->vid == y->vid && x->pindex == y->pindex;
}

static int *
qcount(struct vmstate *vm, enum pq q)
{
	switch (q) {
	case PQ_FREE: return &vm->cnt.v_free_count;
	case PQ_CACHE: return &vm->cnt.v_cache_count;
	case PQ_INACTIVE: return &vm->cnt.v_inactive_count;
	case PQ_ACTIVE: return &vm->cnt.v_active_count;
	default: return NULL;
	}
}

static void
pq_remove(struct vmstate *vm, struct vm_page *m)
{
	int *c = qcount(vm, m->queue);

	if (c == NULL)
		return;
	TAILQ_REMOVE(&vm->queues[m->queue], m, pageq);
	(*c)--;
	m->queue = PQ_NONE;
}

static void
pq_insert(struct vmstate *vm, struct vm_page *m, enum pq q, bool head)
{
	KASSERT(m->queue == PQ_NONE, ("pq_insert: page already queued"));
	m->queue = q;
	if (head)
		TAILQ_INSERT_HEAD(&vm->queues[q], m, pageq);
	else
		TAILQ_INSERT_TAIL(&vm->queues[q], m, pageq);
	(*qcount(vm, q))++;
}

/*
 * vm_pageout_free_page_calc and the start of vm_pageout: the thresholds,
 * from the number of physical pages and the free pages at boot.
 */
static void
vm_thresholds(struct vmmeter *c)
{
	int pageout_page_count = c->v_page_count < 2000 ? 8 : 16;

	c->v_interrupt_free_min = 2;
	c->v_free_min = c->v_page_count > 1024 ?
	    4 + (c->v_page_count - 1024) / 200 : 4;
	c->v_pageout_free_min = 2 * MAXBSIZE_ / PAGE_SIZE + c->v_interrupt_free_min;
	c->v_free_reserved = pageout_page_count + c->v_pageout_free_min +
	    c->v_page_count / 768;
	c->v_free_severe = c->v_free_min / 2 + c->v_free_reserved;
	c->v_free_min += c->v_free_reserved;
	if (c->v_free_count > 6144)
		c->v_free_target = 4 * c->v_free_min + c->v_free_reserved;
	else
		c->v_free_target = 2 * c->v_free_min + c->v_free_reserved;
	if (c->v_free_count > 2048) {
		c->v_cache_min = c->v_free_target;
		c->v_cache_max = 2 * c->v_cache_min;
		c->v_inactive_target = 3 * c->v_free_target / 2;
	} else {
		c->v_cache_min = 0;
		c->v_cache_max = 0;
		c->v_inactive_target = c->v_free_count / 4;
	}
	if (c->v_inactive_target > c->v_free_count / 3)
		c->v_inactive_target = c->v_free_count / 3;
}

void
vm_init(struct kern *k)
{
	struct vmstate *vm = &k->vm;
	int i, n = (int)(k->p.memory / PAGE_SIZE);

	memset(vm, 0, sizeof(*vm));
	vm->cnt.v_page_count = n;
	vm->pages = g_new0(struct vm_page, n);
	vm->hash = g_hash_table_new(pagekey_hash, pagekey_equal);
	for (i = 0; i < PQ_COUNT; i++)
		TAILQ_INIT(&vm->queues[i]);
	/* The kernel's own text, data and tables are wired at boot and never
	 * available to the page cache. */
	vm->kernel_pages = (int)MIN(k->p.kernel_wired / PAGE_SIZE, n - 64);
	for (i = 0; i < n; i++) {
		struct vm_page *m = &vm->pages[i];

		if (i < vm->kernel_pages) {
			m->wire_count = 1;
			vm->cnt.v_wire_count++;
		} else
			pq_insert(vm, m, PQ_FREE, false);
	}
	vm_thresholds(&vm->cnt);
	vm->io_reserve = k->p.io_reserve;
}

void
vm_fini(struct kern *k)
{
	if (k->vm.hash != NULL)
		g_hash_table_destroy(k->vm.hash);
	g_free(k->vm.pages);
	g_free(k->vm.swbuf);
	if (k->vm.bswlist != NULL)
		g_ptr_array_free(k->vm.bswlist, TRUE);
	memset(&k->vm, 0, sizeof(k->vm));
}

bool
vm_page_count_severe(const struct kern *k)
{
	const struct vmmeter *c = &k->vm.cnt;

	return c->v_free_count + c->v_cache_count < c->v_free_severe;
}

bool
vm_page_count_min(const struct kern *k)
{
	const struct vmmeter *c = &k->vm.cnt;

	return c->v_free_count + c->v_cache_count < c->v_free_min;
}

/* vm_paging_needed: free + cache below the low-water mark. */
static bool
vm_paging_needed(const struct kern *k)
{
	const struct vmmeter *c = &k->vm.cnt;

	return c->v_free_count + c->v_cache_count <
	    c->v_free_reserved + c->v_cache_min;
}

static void
pagedaemon_wakeup(struct kern *k)
{
	wakeup(k->sim, &k->vm.pagedaemon_chan);
}

/* A page reached the free or cache queue: wake VM_WAIT sleepers once
 * memory is above v_free_min again. */
static void
vm_page_free_wakeup(struct kern *k)
{
	struct vmstate *vm = &k->vm;

	if (vm->vm_pages_needed && !vm_page_count_min(k)) {
		vm->vm_pages_needed = 0;
		wakeup(k->sim, &vm->cnt.v_free_count);
	}
}

struct vm_page *
vm_page_lookup(struct kern *k, struct vnode *vp, int64_t pindex)
{
	struct vm_pagekey key = { vp->v_number, pindex };

	return g_hash_table_lookup(k->vm.hash, &key);
}

/* Take a page's identity away (vm_page_remove). */
static void
vm_page_remove(struct kern *k, struct vm_page *m)
{
	if (m->object == NULL)
		return;
	if (m->rahead) {
		/* read ahead, and gone before anyone read it */
		k->cnt.readahead_unused++;
		m->rahead = false;
	}
	g_hash_table_remove(k->vm.hash, &m->key);
	TAILQ_REMOVE(&m->object->v_pages, m, listq);
	m->object->v_npages--;
	m->object = NULL;
	m->valid = false;
	m->dirty = false;
}

static void
vm_page_insert(struct kern *k, struct vm_page *m, struct vnode *vp,
    int64_t pindex)
{
	m->object = vp;
	m->key.vid = vp->v_number;
	m->key.pindex = pindex;
	m->valid = false;
	g_hash_table_insert(k->vm.hash, &m->key, m);
	TAILQ_INSERT_TAIL(&vp->v_pages, m, listq);
	vp->v_npages++;
}

/*
 * vm_page_alloc: a free page for (vp, pindex) — or, with vp NULL, a page
 * that belongs to no file (the memory of a non-VMIO buffer) — or NULL.  Normal requests
 * leave v_free_reserved pages alone; system requests (I/O, since the
 * seed's low-memory fix) may take them when nothing is cached; then a
 * cached page is taken from whatever file it held.  Never sleeps.
 */
struct vm_page *
vm_page_alloc(struct kern *k, struct vnode *vp, int64_t pindex,
    enum vm_alloc req)
{
	struct vmstate *vm = &k->vm;
	struct vmmeter *c = &vm->cnt;
	struct vm_page *m = NULL;

	KASSERT(vp == NULL || vm_page_lookup(k, vp, pindex) == NULL,
	    ("vm_page_alloc: page already allocated"));
	if (c->v_free_count > c->v_free_reserved)
		m = TAILQ_FIRST(&vm->queues[PQ_FREE]);
	else if ((req == VM_ALLOC_SYSTEM && c->v_cache_count == 0 &&
	    c->v_free_count > c->v_interrupt_free_min) ||
	    (req == VM_ALLOC_INTERRUPT && c->v_free_count > 0))
		m = TAILQ_FIRST(&vm->queues[PQ_FREE]);
	else if (req != VM_ALLOC_INTERRUPT &&
	    (m = TAILQ_FIRST(&vm->queues[PQ_CACHE])) != NULL) {
		/* Reuse a cached page: its old contents are gone. */
		vm_page_remove(k, m);
		vm->freed_from_cache++;
	}
	if (m == NULL) {
		pagedaemon_wakeup(k);
		return NULL;
	}
	pq_remove(vm, m);
	vm_page_remove(k, m);
	if (vp != NULL)
		vm_page_insert(k, m, vp, pindex);
	vm->allocs++;
	if (vm_paging_needed(k))
		pagedaemon_wakeup(k);
	return m;
}

void
vm_page_wire(struct kern *k, struct vm_page *m)
{
	struct vmstate *vm = &k->vm;

	if (m->wire_count == 0) {
		if (m->queue == PQ_CACHE)
			vm->reactivations++;
		pq_remove(vm, m);
		vm->cnt.v_wire_count++;
	}
	m->wire_count++;
}

/* The last wiring gone, the page goes to the tail of the inactive queue
 * (or active): cached, in LRU order. */
void
vm_page_unwire(struct kern *k, struct vm_page *m, bool activate)
{
	struct vmstate *vm = &k->vm;

	KASSERT(m->wire_count > 0, ("vm_page_unwire: not wired"));
	if (--m->wire_count == 0) {
		vm->cnt.v_wire_count--;
		pq_insert(vm, m, activate ? PQ_ACTIVE : PQ_INACTIVE, false);
	}
}

void
vm_page_free(struct kern *k, struct vm_page *m)
{
	struct vmstate *vm = &k->vm;

	KASSERT(m->wire_count == 0, ("vm_page_free: wired page"));
	pq_remove(vm, m);
	vm_page_remove(k, m);
	/* Non-zeroed pages go to the head of the free queue. */
	pq_insert(vm, m, PQ_FREE, true);
	vm_page_free_wakeup(k);
}

void
vm_page_sleep_busy(struct kern *k, struct vm_page *m, const char *wmesg)
{
	if (m->busy)
		tsleep(k->sim, m, wmesg, 0);
}

void
vm_page_wakeup(struct kern *k, struct vm_page *m)
{
	m->busy = false;
	wakeup(k->sim, m);
}

void
vm_page_activate(struct kern *k, struct vm_page *m)
{
	struct vmstate *vm = &k->vm;

	if (m->wire_count > 0)
		return;
	if (m->queue == PQ_CACHE)
		vm->reactivations++;
	pq_remove(vm, m);
	pq_insert(vm, m, PQ_ACTIVE, false);
}

void
vm_page_deactivate(struct kern *k, struct vm_page *m)
{
	struct vmstate *vm = &k->vm;

	if (m->wire_count > 0)
		return;
	pq_remove(vm, m);
	pq_insert(vm, m, PQ_INACTIVE, false);
}

/* A clean page to the cache queue (a dirty one is not: its data would be
 * lost when the page is reused). */
void
vm_page_cache(struct kern *k, struct vm_page *m)
{
	struct vmstate *vm = &k->vm;

	if (m->wire_count > 0 || m->queue == PQ_CACHE || m->dirty)
		return;
	pq_remove(vm, m);
	pq_insert(vm, m, PQ_CACHE, false);
	vm_page_free_wakeup(k);
}

bool
vm_page_try_to_free(struct kern *k, struct vm_page *m)
{
	if (m->wire_count > 0 || m->dirty)
		return false;
	vm_page_free(k, m);
	return true;
}

bool
vm_page_try_to_cache(struct kern *k, struct vm_page *m)
{
	if (m->wire_count > 0)
		return false;
	vm_page_cache(k, m);
	return true;
}

/*
 * VM_WAIT: no page could be had.  Tell the pagedaemon and sleep until it
 * has brought free + cache above v_free_min.
 */
void
vm_wait(struct kern *k)
{
	struct vmstate *vm = &k->vm;

	vm->vm_waits++;
	if (!vm->vm_pages_needed) {
		vm->vm_pages_needed = 1;
		pagedaemon_wakeup(k);
	}
	tsleep(k->sim, &vm->cnt.v_free_count, "vmwait", 0);
}

void
vm_object_page_remove(struct kern *k, struct vnode *vp, int64_t first)
{
	struct vm_page *m, *next;

	for (m = TAILQ_FIRST(&vp->v_pages); m != NULL; m = next) {
		next = TAILQ_NEXT(m, listq);
		if (m->key.pindex < first)
			continue;
		if (m->wire_count > 0) {
			/* Still in a buffer being invalidated: it goes with
			 * the buffer (vfs_vmio_release frees invalid pages). */
			m->valid = false;
			continue;
		}
		vm_page_free(k, m);
	}
}

/* vm_object_terminate: every page of vp goes (the vnode is recycled). */
void
vm_object_terminate(struct kern *k, struct vnode *vp)
{
	struct vm_page *m, *next;

	for (m = TAILQ_FIRST(&vp->v_pages); m != NULL; m = next) {
		next = TAILQ_NEXT(m, listq);
		if (m->wire_count > 0) {
			m->valid = false;
			continue;
		}
		vm_page_free(k, m);
	}
}

int
vm_object_resident(struct vnode *vp)
{
	return vp->v_npages;
}

/*
 * vm_pageout_scan, for clean file pages: move inactive pages to the cache
 * queue until free + cache reaches v_free_target, free cached pages while
 * the free queue is below its reserve, and refill the inactive queue from
 * the active one.
 */
static void
vm_pageout_scan(struct kern *k)
{
	struct vmstate *vm = &k->vm;
	struct vmmeter *c = &vm->cnt;
	int shortage = c->v_free_target - (c->v_free_count + c->v_cache_count);
	struct vm_page *m, *next;

	vm->pagedaemon_runs++;
	for (m = TAILQ_FIRST(&vm->queues[PQ_INACTIVE]); m != NULL && shortage > 0;
	    m = next) {
		next = TAILQ_NEXT(m, pageq);
		if (m->dirty)
			continue;	/* not laundered here (see above) */
		if (m->valid)
			vm_page_cache(k, m);
		else
			vm_page_free(k, m);
		vm->cached_by_daemon++;
		shortage--;
	}
	while (c->v_free_count < c->v_free_reserved &&
	    (m = TAILQ_FIRST(&vm->queues[PQ_CACHE])) != NULL)
		vm_page_free(k, m);
	while (c->v_inactive_count < c->v_inactive_target &&
	    (m = TAILQ_FIRST(&vm->queues[PQ_ACTIVE])) != NULL) {
		pq_remove(vm, m);
		pq_insert(vm, m, PQ_INACTIVE, false);
	}
	vm_page_free_wakeup(k);
}

/* The pagedaemon: runs when woken (a page shortage) and once a second. */
static void
vm_pageout(void *arg)
{
	struct kern *k = arg;
	struct vmstate *vm = &k->vm;

	for (;;) {
		tsleep(k->sim, &vm->pagedaemon_chan, "psleep", SIM_SEC);
		if (vm->vm_pages_needed || vm_paging_needed(k))
			vm_pageout_scan(k);
		if (vm->vm_pages_needed && vm_page_count_min(k)) {
			/* Nothing more to reclaim this pass: memory is all
			 * wired by buffers.  Let writes complete. */
			tsleep(k->sim, &vm->pagedaemon_chan, "psleep",
			    SIM_SEC / k->p.hz);
		}
	}
}

void
vm_pagedaemon_start(struct kern *k)
{
	sim_spawn(k->sim, "pagedaemon", vm_pageout, k, SIMP_DAEMON);
}

/* ---- pbufs (vm_pager.c) ---------------------------------------------- */

/* vm_pager_bufferinit: nswbuf pbufs; cluster I/O may hold half of them. */
void
vm_pager_bufferinit(struct kern *k)
{
	struct vmstate *vm = &k->vm;
	int i;

	vm->nswbuf = k->bc.nswbuf;
	vm->swbuf = g_new0(struct buf, vm->nswbuf);
	vm->bswlist = g_ptr_array_sized_new((guint)vm->nswbuf);
	for (i = 0; i < vm->nswbuf; i++) {
		struct buf *bp = &vm->swbuf[i];

		bp->b_qindex = QUEUE_NONE;
		bp->b_kvabase = -1;
		bp->b_io.arg = bp;
		TAILQ_INIT(&bp->b_cluster_head);
		g_ptr_array_add(vm->bswlist, bp);
	}
	vm->cluster_pbuf_freecnt = vm->nswbuf / 2;
}

struct buf *
trypbuf(struct kern *k, int *pfreecnt)
{
	struct vmstate *vm = &k->vm;

	if ((pfreecnt != NULL && *pfreecnt == 0) || vm->bswlist->len == 0)
		return NULL;
	if (pfreecnt != NULL)
		(*pfreecnt)--;
	return g_ptr_array_steal_index(vm->bswlist, vm->bswlist->len - 1);
}

/* getpbuf: sleeps "wswbuf0" while the caller's quota is used up (cluster
 * I/O may hold at most half the pbufs) and "wswbuf1" while none is free. */
struct buf *
getpbuf(struct kern *k, int *pfreecnt)
{
	struct vmstate *vm = &k->vm;

	for (;;) {
		if (pfreecnt != NULL && *pfreecnt == 0) {
			vm->pbuf_waits++;
			tsleep(k->sim, pfreecnt, "wswbuf0", 0);
			continue;
		}
		if (vm->bswlist->len == 0) {
			vm->pbuf_waits++;
			tsleep(k->sim, &vm->bswlist, "wswbuf1", 0);
			continue;
		}
		break;
	}
	return trypbuf(k, pfreecnt);
}

void
relpbuf(struct kern *k, struct buf *bp, int *pfreecnt)
{
	struct vmstate *vm = &k->vm;

	g_ptr_array_add(vm->bswlist, bp);
	wakeup(k->sim, &vm->bswlist);
	if (pfreecnt != NULL && ++(*pfreecnt) == 1)
		wakeup(k->sim, pfreecnt);
}

/* ---- invariants ------------------------------------------------------ */

void
vm_check(struct kern *k)
{
#ifdef INVARIANTS
	struct vmstate *vm = &k->vm;
	int counts[PQ_COUNT] = { 0 }, wired = 0, i;

	for (i = 0; i < vm->cnt.v_page_count; i++) {
		struct vm_page *m = &vm->pages[i];

		counts[m->queue]++;
		if (m->wire_count > 0) {
			wired++;
			KASSERT(m->queue == PQ_NONE, ("wired page on a queue"));
		}
		KASSERT(m->queue != PQ_FREE || m->object == NULL,
		    ("page both free and cached"));
		KASSERT(!m->busy || m->wire_count > 0,
		    ("a busy page the pager does not hold"));
		KASSERT(!m->dirty || m->object != NULL, ("a dirty page of no file"));
		if (m->object != NULL)
			KASSERT(vm_page_lookup(k, m->object, m->key.pindex) == m,
			    ("page missing from the hash"));
	}
	KASSERT(counts[PQ_FREE] == vm->cnt.v_free_count, ("free count"));
	KASSERT(counts[PQ_CACHE] == vm->cnt.v_cache_count, ("cache count"));
	KASSERT(counts[PQ_INACTIVE] == vm->cnt.v_inactive_count, ("inactive"));
	KASSERT(counts[PQ_ACTIVE] == vm->cnt.v_active_count, ("active"));
	KASSERT(wired == vm->cnt.v_wire_count, ("wire count %d vs %d", wired,
	    vm->cnt.v_wire_count));
#else
	(void)k;
#endif
}
