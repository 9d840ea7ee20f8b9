/*
 * vm_map.c — the file mappings of a process's address space (vm_map.c,
 * vm_mmap.c): mmap's vm_mmap, munmap's and MAP_FIXED's vm_map_delete,
 * msync's vm_map_clean, and the address space's life at fork, exec and
 * exit (vmspace_fork, vmspace_free).
 *
 * An entry maps a range of addresses to a range of a file.  It holds a
 * reference on the vnode (vnode_pager_alloc raises v_usecount for each
 * mapping, vm_object_vndeallocate drops it), so a mapped file stays in
 * use after its descriptor is closed, and an unlinked one keeps its
 * blocks until the last mapping goes.  munmap writes nothing back: dirty
 * pages stay in the file's object until msync, fsync, the syncer's
 * vfs_msync or the vnode's reclaim puts them back (vnode_pager.c).
 * Anonymous memory is not kept; an anonymous mapping over a file mapping
 * only removes what it covers.
 */
#include "kern.h"
#include "kassert.h"

struct vmspace *
vmspace_alloc(void)
{
	struct vmspace *vm = g_new0(struct vmspace, 1);

	vm->vm_refcnt = 1;
	TAILQ_INIT(&vm->vm_entries);
	TAILQ_INIT(&vm->vm_gone);
	return vm;
}

static struct vm_map_entry *
entry_new(uint64_t start, uint64_t end, struct vnode *vp, int64_t offset,
    int prot, bool shared)
{
	struct vm_map_entry *e = g_new0(struct vm_map_entry, 1);

	KASSERT(start < end && (start & (PAGE_SIZE - 1)) == 0 &&
	    (end & (PAGE_SIZE - 1)) == 0, ("entry_new: range"));
	e->start = start;
	e->end = end;
	e->vp = vp;
	e->offset = offset;
	e->prot = prot;
	e->shared = shared;
	vref(vp);
	return e;
}

/* Insert e in address order. */
static void
entry_link(struct vmspace *vm, struct vm_map_entry *e)
{
	struct vm_map_entry *x;

	TAILQ_FOREACH(x, &vm->vm_entries, link)
		if (x->start > e->start) {
			TAILQ_INSERT_BEFORE(x, e, link);
			return;
		}
	TAILQ_INSERT_TAIL(&vm->vm_entries, e, link);
}

struct vmspace *
vmspace_fork(struct vmspace *vm)
{
	struct vmspace *nvm = vmspace_alloc();
	struct vm_map_entry *e;

	TAILQ_FOREACH(e, &vm->vm_entries, link) {
		struct vm_map_entry *c = entry_new(e->start, e->end, e->vp,
		    e->offset, e->prot, e->shared);

		c->lastr = e->lastr;
		TAILQ_INSERT_TAIL(&nvm->vm_entries, c, link);
	}
	return nvm;
}

/*
 * The vnode references of the entries vm_map_delete call `gone' took off
 * the map, dropped once the map is consistent again, in the order they
 * were taken.  vrele may sleep (the last reference of an unlinked file
 * truncates it), and another thread sharing the space may take entries
 * off meanwhile, so each is looked up again after every release; an
 * entry leaves vm_gone only once its vnode is released, so a run
 * stopped in between frees the rest with the space (kern_shutdown).
 */
static void
entries_release(struct kern *k, struct vmspace *vm, uint64_t gone)
{
	struct vm_map_entry *e;

	for (;;) {
		TAILQ_FOREACH(e, &vm->vm_gone, link)
			if (e->gone == gone)
				break;
		if (e == NULL)
			return;
		vrele(k, e->vp);
		TAILQ_REMOVE(&vm->vm_gone, e, link);
		g_free(e);
	}
}

void
vmspace_free(struct kern *k, struct vmspace *vm)
{
	struct vm_map_entry *e;

	if (vm == NULL || --vm->vm_refcnt > 0)
		return;
	/* Each mapping unlinked only once its vnode is released, in order:
	 * vrele may sleep (the last reference of an unlinked file truncates
	 * it), and a run stopped there frees the rest through the process
	 * (kern_shutdown).  Nobody else looks at a space no process shares. */
	KASSERT(TAILQ_EMPTY(&vm->vm_gone) && vm->vm_cleaning == NULL,
	    ("vmspace_free: a vm_map_delete or vm_map_clean under way"));
	while ((e = TAILQ_FIRST(&vm->vm_entries)) != NULL) {
		vrele(k, e->vp);
		TAILQ_REMOVE(&vm->vm_entries, e, link);
		g_free(e);
	}
	g_free(vm);
}

/*
 * vm_map_delete: nothing mapped in [start, end) any more.  An entry
 * inside goes; one that sticks out is trimmed; one around the range is
 * split in two (vm_map_clip_start, vm_map_clip_end), the second half a
 * mapping of its own that references the vnode too.
 */
void
vm_map_delete(struct kern *k, struct vmspace *vm, uint64_t start, uint64_t end)
{
	uint64_t gone = ++vm->vm_ngone;
	struct vm_map_entry *e, *next;

	start &= ~(uint64_t)(PAGE_SIZE - 1);
	end = (end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	for (e = TAILQ_FIRST(&vm->vm_entries); e != NULL && start < end;
	    e = next) {
		next = TAILQ_NEXT(e, link);
		if (e->end <= start || e->start >= end)
			continue;
		if (e->start < start && e->end > end) {
			struct vm_map_entry *tail = entry_new(end, e->end, e->vp,
			    e->offset + (int64_t)(end - e->start), e->prot,
			    e->shared);

			e->end = start;
			TAILQ_INSERT_AFTER(&vm->vm_entries, e, tail, link);
			next = TAILQ_NEXT(tail, link);
		} else if (e->start < start)
			e->end = start;
		else if (e->end > end) {
			e->offset += (int64_t)(end - e->start);
			e->start = end;
		} else {
			TAILQ_REMOVE(&vm->vm_entries, e, link);
			e->gone = gone;
			TAILQ_INSERT_TAIL(&vm->vm_gone, e, link);
		}
	}
	entries_release(k, vm, gone);
}

/*
 * vm_mmap: the mapping of len bytes (rounded up to pages) of vp from file
 * offset pos at addr — where the traced mmap put it — after whatever was
 * mapped there is taken away (MAP_FIXED's semantics; a fresh address has
 * nothing).  Its lastr (vm_fault's sequential detection) starts at 0, as
 * in a zeroed entry.
 */
struct vm_map_entry *
vm_mmap(struct kern *k, struct vmspace *vm, uint64_t addr, int64_t len,
    int prot, bool shared, struct vnode *vp, int64_t pos)
{
	uint64_t pageoff = (uint64_t)pos & (PAGE_SIZE - 1);
	uint64_t start = (addr - pageoff) & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t end = (addr + (uint64_t)len + PAGE_SIZE - 1) &
	    ~(uint64_t)(PAGE_SIZE - 1);
	struct vm_map_entry *e;

	vm_map_delete(k, vm, start, end);
	e = entry_new(start, end, vp, pos - (int64_t)pageoff, prot, shared);
	entry_link(vm, e);
	k->cnt.mmaps++;
	return e;
}

/*
 * vm_map_clean (msync): for each writable file mapping in the range, the
 * vnode locked and its dirty pages in the range put back
 * (vm_object_page_clean) — synchronously with MS_SYNC or MS_INVALIDATE,
 * else as ordinary delayed writes — and with MS_INVALIDATE the pages
 * dropped from the object afterwards.
 */
void
vm_map_clean(struct kern *k, struct vmspace *vm, uint64_t start, uint64_t end,
    bool syncio, bool invalidate)
{
	GArray *todo = g_array_new(FALSE, FALSE, sizeof(struct vm_map_entry));
	struct vm_map_entry *e;
	guint i;

	start &= ~(uint64_t)(PAGE_SIZE - 1);
	end = (end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	/* The ranges first: the map may change while pages are written. */
	TAILQ_FOREACH(e, &vm->vm_entries, link) {
		struct vm_map_entry c;

		if (e->end <= start || e->start >= end)
			continue;
		c = *e;
		c.start = MAX(e->start, start);
		c.end = MIN(e->end, end);
		c.offset = e->offset + (int64_t)(c.start - e->start);
		vref(c.vp);
		g_array_append_val(todo, c);
	}
	/* Kept with the space while pages are written (they may sleep): a
	 * run stopped there frees it at shut-down (kern_shutdown). */
	vm->vm_cleaning = g_slist_prepend(vm->vm_cleaning, todo);
	for (i = 0; i < todo->len; i++) {
		struct vm_map_entry *c = &g_array_index(todo, struct vm_map_entry, i);
		int64_t first = c->offset / PAGE_SIZE;
		int64_t last = first + (int64_t)((c->end - c->start) / PAGE_SIZE);

		if ((c->prot & VM_PROT_WRITE) && c->vp->v_data != NULL) {
			(void)vn_lock(k, c->vp, LK_EXCLUSIVE);
			vm_object_page_clean(k, c->vp, first, last,
			    (syncio || invalidate ? OBJPC_SYNC : 0) |
			    (invalidate ? OBJPC_INVAL : 0));
			VOP_UNLOCK(k, c->vp);
		}
		if (invalidate) {
			int64_t pi;

			for (pi = first; pi < last; pi++) {
				struct vm_page *m = vm_page_lookup(k, c->vp, pi);

				if (m != NULL && m->wire_count == 0 && !m->dirty)
					vm_page_free(k, m);
			}
		}
		vrele(k, c->vp);
	}
	vm->vm_cleaning = g_slist_remove(vm->vm_cleaning, todo);
	g_array_free(todo, TRUE);
}
