/*
 * vm_mmap.c — mmap, munmap and msync as system calls (vm/vm_mmap.c of
 * 2001): what of a traced call is a file mapping; the mappings themselves
 * are vm_map.c's, the faults vm_fault.c's.
 */
#include "syscalls_private.h"

/*
 * mmap of a file (vm_mmap): the mapping made where the trace put it
 * (replacing what was there, as MAP_FIXED does), holding the vnode; then
 * the pages the program is taken to touch (replay.mmap: strace cannot
 * show them) faulted in, now, in order — read faults, or write faults on
 * a shared writable mapping — charged to this call.  An anonymous
 * mapping, or one of something that is not a file of the simulated file
 * system, takes the traced time; over a file mapping it takes the file's
 * place.
 */
void
sys_mmap(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	uint64_t addr = (uint64_t)tc->ret;
	struct vm_map_entry *e, c;
	struct file *fp = NULL;
	int prot = 0;
	uint64_t va, end;
	int64_t len = tc->len;

	out->fd = tc->fd;
	if (tc->ret_unknown || tc->ret < 0 || len <= 0 || len > INT64_MAX / 4 ||
	    p->p_vmspace == NULL) {
		out->cls = SYS_PASSTHROUGH;	/* failed: no mapping */
		return;
	}
	if (!(tc->xflags & TX_MAP_ANONYMOUS) && tc->fd >= 0)
		fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);
	if (fp == NULL || fp->f_type != DTYPE_VNODE ||
	    fp->f_vnode->v_type != VREG || tc->off < 0) {
		out->cls = SYS_PASSTHROUGH;
		if (tc->xflags & TX_MAP_FIXED)
			vm_map_delete(k, p->p_vmspace, addr, addr + (uint64_t)len);
		return;
	}
	if (tc->xflags & TX_PROT_READ)
		prot |= VM_PROT_READ;
	if (tc->xflags & TX_PROT_WRITE)
		prot |= VM_PROT_WRITE;
	if (tc->xflags & TX_PROT_EXEC)
		prot |= VM_PROT_EXECUTE;
	out->off = tc->off;
	out->bytes = len;
	e = vm_mmap(k, p->p_vmspace, addr, len, prot,
	    (tc->xflags & TX_MAP_SHARED) != 0, fp->f_vnode, tc->off);
	/* The touching works on a copy: another thread may unmap the entry
	 * while a fault sleeps. */
	c = *e;
	vref(c.vp);
	end = k->p.mmap_touch == MMAP_TOUCH_ALL ? c.end :
	    k->p.mmap_touch == MMAP_FIRST_PAGE ? c.start + PAGE_SIZE : c.start;
	for (va = c.start; va < end; va += PAGE_SIZE) {
		/* not past the end of the file (that would be SIGBUS) */
		if (c.offset + (int64_t)(va - c.start) >= vn_size(c.vp))
			break;
		k->cnt.mmap_touched++;
		vm_fault(k, &c, va, c.shared && (c.prot & VM_PROT_WRITE));
	}
	vrele(k, c.vp);
}

/*
 * Whether [start, end) of p's map touches a file mapping: the only
 * entries vfssim keeps (anonymous memory is passed through).
 */
static bool
range_maps_file(const struct kproc *p, uint64_t start, uint64_t end)
{
	const struct vm_map_entry *e;

	if (p->p_vmspace != NULL)
		TAILQ_FOREACH(e, &p->p_vmspace->vm_entries, link)
			if (e->start < end && e->end > start)
				return true;
	return false;
}

/* munmap: the range unmapped (vm_map_delete); nothing is written back. */
void
sys_munmap(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	uint64_t start = (uint64_t)tc->arg, end = start + (uint64_t)MAX(tc->len, 0);

	if (!range_maps_file(p, start, end)) {
		out->cls = SYS_PASSTHROUGH;	/* anonymous memory */
		return;
	}
	if (tc->ret == 0 && tc->len > 0)
		vm_map_delete(k, p->p_vmspace, start, end);
}

/* msync: vm_map_clean of the range, synchronous unless MS_ASYNC. */
void
sys_msync(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	uint64_t start = (uint64_t)tc->arg, end = start + (uint64_t)MAX(tc->len, 0);

	if (!range_maps_file(p, start, end)) {
		out->cls = SYS_PASSTHROUGH;	/* anonymous memory */
		return;
	}
	if (tc->ret == 0 && tc->len > 0)
		vm_map_clean(k, p->p_vmspace, start, end,
		    !(tc->xflags & TX_MS_ASYNC),
		    (tc->xflags & TX_MS_INVALIDATE) != 0);
}
