/*
 * vm.h — the VM page cache under VMIO buffers (vm_page.c, vm_pageout.c,
 * vm_pager.c's pbufs), the parts vfs_bio leans on.
 *
 * Physical memory is an array of 4 KB pages.  A page belongs to at most one
 * vnode's VM object at one index, and sits on one queue: FREE (no
 * identity), CACHE (clean, still holding its file data, first to be
 * reused), INACTIVE (clean, cached), ACTIVE, or none while a buffer wires
 * it.  A buffer that is recycled leaves its pages on INACTIVE, so file data
 * survives in memory far beyond the buffer cache.  The pagedaemon moves
 * inactive pages to CACHE when free memory runs short; vm_page_alloc takes
 * FREE pages, then CACHE pages, and a process that finds neither sleeps in
 * VM_WAIT ("vmwait").
 */
#ifndef VFSSIM_VM_H
#define VFSSIM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <glib.h>

struct kern;
struct vnode;
struct buf;

#define PAGE_SIZE	4096
#define PAGE_SHIFT	12

enum pq { PQ_NONE, PQ_FREE, PQ_CACHE, PQ_INACTIVE, PQ_ACTIVE, PQ_COUNT };

/* vm_page_alloc request classes */
enum vm_alloc { VM_ALLOC_NORMAL, VM_ALLOC_SYSTEM, VM_ALLOC_INTERRUPT };

struct vm_pagekey {
	uint64_t	 vid;		/* the vnode's serial number */
	int64_t		 pindex;	/* page index in the file */
};

struct vm_page {
	struct vm_pagekey key;		/* identity, when object != NULL */
	struct vnode	*object;	/* the vnode whose data it holds */
	TAILQ_ENTRY(vm_page) pageq;	/* on its queue */
	uint8_t		 queue;		/* enum pq */
	bool		 valid;		/* holds the file's data */
	bool		 dirty;		/* written through a shared mapping
					   and not yet put back (putpages) */
	bool		 busy;		/* PG_BUSY: the vnode pager is reading
					   it in */
	bool		 rahead;	/* first page of a block read ahead
					   and not yet read by a process */
	uint16_t	 wire_count;	/* buffers that hold it */
	TAILQ_ENTRY(vm_page) listq;	/* on its vnode's page list */
};

TAILQ_HEAD(pglist, vm_page);

/* The vmmeter counts and the pageout thresholds (vm_pageout.c). */
struct vmmeter {
	int		 v_page_count;		/* physical pages */
	int		 v_free_count, v_cache_count, v_inactive_count;
	int		 v_active_count, v_wire_count;
	int		 v_free_min, v_free_reserved, v_free_severe;
	int		 v_free_target, v_cache_min, v_cache_max;
	int		 v_inactive_target, v_interrupt_free_min;
	int		 v_pageout_free_min;
};

struct vmstate {
	struct vm_page	*pages;
	struct vmmeter	 cnt;
	struct pglist	 queues[PQ_COUNT];
	GHashTable	*hash;		/* vm_pagekey -> vm_page */
	int		 vm_pages_needed;	/* someone waits in VM_WAIT */
	int		 pagedaemon_chan;
	int		 kernel_pages;	/* wired by the kernel at boot */
	bool		 io_reserve;	/* I/O may dip into the reserve */
	/* counters */
	uint64_t	 allocs, reactivations, vm_waits, cached_by_daemon,
			 freed_from_cache, pagedaemon_runs;

	/* pbufs (vm_pager.c): physical-I/O headers for clusters, raw I/O */
	struct buf	*swbuf;
	int		 nswbuf;
	GPtrArray	*bswlist;	/* free pbufs */
	int		 cluster_pbuf_freecnt;
	int		 pbuf_waits;
};

void	vm_init(struct kern *k);
void	vm_fini(struct kern *k);
void	vm_pagedaemon_start(struct kern *k);

struct vm_page *vm_page_lookup(struct kern *k, struct vnode *vp, int64_t pindex);
/* NULL when nothing can be allocated without waiting. */
struct vm_page *vm_page_alloc(struct kern *k, struct vnode *vp, int64_t pindex,
	    enum vm_alloc req);
void	vm_page_wire(struct kern *k, struct vm_page *m);
void	vm_page_unwire(struct kern *k, struct vm_page *m, bool activate);
void	vm_page_free(struct kern *k, struct vm_page *m);
/* Sleep until the pager is done with a busy page (vm_page_sleep_busy);
 * the caller looks the page up again.  vm_page_wakeup ends the busy. */
void	vm_page_sleep_busy(struct kern *k, struct vm_page *m, const char *wmesg);
void	vm_page_wakeup(struct kern *k, struct vm_page *m);
/* An unwired page to the tail of the active / inactive queue. */
void	vm_page_activate(struct kern *k, struct vm_page *m);
void	vm_page_deactivate(struct kern *k, struct vm_page *m);
void	vm_page_cache(struct kern *k, struct vm_page *m);
bool	vm_page_try_to_free(struct kern *k, struct vm_page *m);
bool	vm_page_try_to_cache(struct kern *k, struct vm_page *m);
/* Sleep until memory is free again ("vmwait"). */
void	vm_wait(struct kern *k);
/* Free every page of vp from index first on (truncation, reclaim). */
void	vm_object_page_remove(struct kern *k, struct vnode *vp, int64_t first);
void	vm_object_terminate(struct kern *k, struct vnode *vp);
/* Pages vp has in memory. */
int	vm_object_resident(struct vnode *vp);

/* vm_page_count_severe(): free + cache below v_free_severe. */
bool	vm_page_count_severe(const struct kern *k);
bool	vm_page_count_min(const struct kern *k);

/* pbufs */
void	vm_pager_bufferinit(struct kern *k);
struct buf *getpbuf(struct kern *k, int *pfreecnt);	/* may sleep */
struct buf *trypbuf(struct kern *k, int *pfreecnt);	/* never sleeps */
void	relpbuf(struct kern *k, struct buf *bp, int *pfreecnt);

void	vm_check(struct kern *k);		/* INVARIANTS */

/*
 * Mapped files (vm_map.c, vm_fault.c, vnode_pager.c).  A process's
 * address space is kept only as far as files are mapped into it: a list
 * of entries, each a range of addresses, the vnode it maps (referenced,
 * as vnode_pager_alloc's v_usecount), the file offset of its start, its
 * protection and whether it is shared; anonymous memory is not kept (an
 * anonymous mapping over a file mapping only takes the file's place).
 */
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXECUTE	0x4

struct vm_map_entry {
	TAILQ_ENTRY(vm_map_entry) link;	/* by address */
	uint64_t	 start, end;	/* page-aligned addresses */
	struct vnode	*vp;
	int64_t		 offset;	/* file offset of start (page-aligned) */
	int		 prot;
	bool		 shared;	/* MAP_SHARED: writes reach the file */
	int64_t		 lastr;		/* vm_fault's sequential detection */
	uint64_t	 gone;		/* on vm_gone: the vm_map_delete */
};

struct vmspace {
	int		 vm_refcnt;	/* processes sharing it (threads, vfork) */
	TAILQ_HEAD(, vm_map_entry) vm_entries;
	/* Entries vm_map_delete took off the map whose vnodes it has not
	 * yet released (vrele may sleep): still the space's, so a run
	 * stopped there frees them with it (kern_shutdown).  Each call's
	 * entries carry its own number in gone. */
	TAILQ_HEAD(, vm_map_entry) vm_gone;
	uint64_t	 vm_ngone;	/* vm_map_delete calls so far */
	/* The ranges each vm_map_clean under way is putting back (GArrays
	 * of entry copies): the space's too, for the same reason. */
	GSList		*vm_cleaning;
};

/* vm_map.c */
struct vmspace *vmspace_alloc(void);
/* fork: a copy (each mapping referencing its vnode again) */
struct vmspace *vmspace_fork(struct vmspace *vm);
void	vmspace_free(struct kern *k, struct vmspace *vm);
/* vm_mmap: map len bytes of vp from file offset pos at addr (what the
 * trace's mmap returned), replacing whatever was mapped there. */
struct vm_map_entry *vm_mmap(struct kern *k, struct vmspace *vm,
	    uint64_t addr, int64_t len, int prot, bool shared, struct vnode *vp,
	    int64_t pos);
/* vm_map_delete: no mapping in [start, end) any more (munmap, MAP_FIXED). */
void	vm_map_delete(struct kern *k, struct vmspace *vm, uint64_t start,
	    uint64_t end);
/* vm_map_clean (msync): dirty pages of writable file mappings in the range
 * put back, synchronously if asked; with invalidate, dropped after. */
void	vm_map_clean(struct kern *k, struct vmspace *vm, uint64_t start,
	    uint64_t end, bool syncio, bool invalidate);

/* vm_fault.c: a fault on address va of a file mapping (write: a write
 * fault); may sleep. */
void	vm_fault(struct kern *k, struct vm_map_entry *e, uint64_t va, bool write);

/* vnode_pager.c: has the file the page (not a hole, not past its end), and
 * how many pages before and after it lie in its run on the disk; and the
 * pages m[0..count) read in, m[reqpage] the one faulted on. */
bool	vnode_pager_haspage(struct kern *k, struct vnode *vp, int64_t pindex,
	    int *before, int *after);
void	vnode_pager_getpages(struct kern *k, struct vnode *vp,
	    struct vm_page **m, int count, int reqpage);
#define OBJPC_SYNC	0x1	/* put the pages back synchronously */
#define OBJPC_INVAL	0x2	/* ... and invalidate them */
/* vm_object_page_clean: put back vp's dirty pages in [start, end) (end 0:
 * all), the caller holding the vnode's lock. */
void	vm_object_page_clean(struct kern *k, struct vnode *vp, int64_t start,
	    int64_t end, int flags);
/* vfs_msync: every vnode with dirty pages cleaned (MNT_WAIT: synchronously;
 * otherwise those nobody holds locked, as delayed writes). */
void	vfs_msync(struct kern *k, int flags);

#endif
