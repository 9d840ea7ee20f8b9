/*
 * vm_fault.c — a page fault on a mapped file (vm_fault.c of RELENG_4):
 * the page found in the file's object (a soft fault: the trap and nothing
 * else), or brought in by the vnode pager together with a cluster of its
 * neighbours (vm_fault_additional_pages).
 *
 * The cluster: up to VM_FAULT_READ_BEHIND pages before the faulting one
 * and VM_FAULT_READ_AHEAD after it, within the mapping, stopping at a
 * page already in memory, bounded by the pages the pager says lie in the
 * same run on the disk (vnode_pager_haspage) and by free memory.  A fault
 * within VM_FAULT_READ pages past where the last cluster ended (the
 * entry's lastr) counts as sequential: the read-behind is turned into
 * read-ahead, and the clean pages behind the fault (up to 2 *
 * VM_FAULT_READ of them) are moved to the cache queue, the dirty ones
 * deactivated — a sequential reader of a mapping does not fill memory
 * with what it has passed.  A write fault on a shared mapping dirties the
 * page; one on a private mapping copies it (copy-on-write to anonymous
 * memory, not kept here), leaving the file's page as it was.
 */
#include "kern.h"
#include "kassert.h"

#define VM_FAULT_READ_AHEAD	8
#define VM_FAULT_READ_BEHIND	7
#define VM_FAULT_READ		(VM_FAULT_READ_AHEAD + VM_FAULT_READ_BEHIND + 1)

/*
 * vm_fault_additional_pages: the pages to read with m (at pindex, just
 * allocated): up to rbehind before and rahead after, all not in memory,
 * within what the pager has in one run; none when memory is short.
 * Returns how many, m among them at *reqpage; 0 when the pager does not
 * have the page at all (a hole: zero-filled).
 */
static int
vm_fault_additional_pages(struct kern *k, struct vnode *vp, struct vm_page *m,
    int rbehind, int rahead, struct vm_page **marray, int *reqpage)
{
	const struct vmmeter *c = &k->vm.cnt;
	int64_t pindex = m->key.pindex, objsize, start, tp, end;
	int cbehind, cahead, i, j;

	if (!vnode_pager_haspage(k, vp, pindex, &cbehind, &cahead))
		return 0;
	marray[0] = m;
	*reqpage = 0;
	if (cbehind == 0 && cahead == 0)
		return 1;
	rahead = MIN(rahead, cahead);
	rbehind = MIN(rbehind, cbehind);
	/* Read ahead only with free pages to spare. */
	if (rahead + rbehind > c->v_free_count + c->v_cache_count -
	    c->v_free_reserved)
		return 1;
	/* Behind: back to the nearest page in memory. */
	start = MAX(pindex - rbehind, 0);
	for (tp = pindex - 1; tp >= start; tp--)
		if (vm_page_lookup(k, vp, tp) != NULL) {
			start = tp + 1;
			break;
		}
	for (i = 0, tp = start; tp < pindex; i++, tp++) {
		struct vm_page *rtm = vm_page_alloc(k, vp, tp, VM_ALLOC_NORMAL);

		if (rtm == NULL) {
			for (j = 0; j < i; j++)
				vm_page_free(k, marray[j]);
			marray[0] = m;
			*reqpage = 0;
			return 1;
		}
		marray[i] = rtm;
	}
	marray[i] = m;
	*reqpage = i++;
	/* Ahead: up to the next page in memory, or the end of the file. */
	objsize = (vn_size(vp) + PAGE_SIZE - 1) / PAGE_SIZE;
	end = MIN(pindex + 1 + rahead, objsize);
	for (tp = pindex + 1; tp < end; i++, tp++) {
		struct vm_page *rtm;

		if (vm_page_lookup(k, vp, tp) != NULL ||
		    (rtm = vm_page_alloc(k, vp, tp, VM_ALLOC_NORMAL)) == NULL)
			break;
		marray[i] = rtm;
	}
	return i;
}

/* A page the buffer cache is reading (or has just dropped): fetch its
 * block through the buffer cache, as a read(2) would, and wait for it. */
static void
fault_through_buffer(struct kern *k, struct vnode *vp, int64_t pindex)
{
	struct fs *fs = &k->fs;
	struct inode *ip = vp->v_data;
	int64_t lbn = pindex * PAGE_SIZE / fs->fs_bsize;
	struct buf *bp;

	if (lbn >= NDADDR && !inmem(k, vp, lbn) && ufs_bmap_io(k, vp, lbn) != 0)
		k->cnt.bio_read_ignored++;	/* as bread_noerror */
	bread_noerror(k, vp, lbn, ffs_blksize(fs, ip, lbn), &bp);
	bqrelse(k, bp);
}

void
vm_fault(struct kern *k, struct vm_map_entry *e, uint64_t va, bool write)
{
	struct vnode *vp = e->vp;
	int64_t pindex = (e->offset + (int64_t)(va - e->start)) / PAGE_SIZE;
	struct vm_page *m;

	k->cnt.faults++;
	kern_cpu(k, k->p.cpu_fault);
	for (;;) {
		struct vm_page *marray[VM_FAULT_READ];
		int behind, ahead, count, reqpage;

		if (vp->v_data == NULL ||
		    pindex >= (vn_size(vp) + PAGE_SIZE - 1) / PAGE_SIZE)
			return;		/* past the end of the file: SIGBUS */
		m = vm_page_lookup(k, vp, pindex);
		if (m != NULL && m->busy) {
			/* another fault is reading it in */
			vm_page_sleep_busy(k, m, "pgtblk");
			continue;
		}
		if (m != NULL && m->valid)
			break;		/* soft */
		if (m != NULL) {
			fault_through_buffer(k, vp, pindex);
			continue;
		}
		if (vm_page_count_severe(k) ||
		    (m = vm_page_alloc(k, vp, pindex, VM_ALLOC_NORMAL)) == NULL) {
			vm_wait(k);		/* VM_WAITPFAULT */
			continue;
		}
		k->cnt.faults_hard++;
		behind = (int)MIN((va - e->start) / PAGE_SIZE,
		    VM_FAULT_READ_BEHIND);
		ahead = (int)MIN((e->end - va) / PAGE_SIZE - 1,
		    VM_FAULT_READ_AHEAD);
		if (pindex >= e->lastr && pindex < e->lastr + VM_FAULT_READ) {
			/* Sequential: the pages behind leave, the
			 * read-behind becomes read-ahead. */
			int64_t first = MAX(pindex - 2 * VM_FAULT_READ, 0), tp;

			for (tp = pindex - 1; tp >= first; tp--) {
				struct vm_page *mt = vm_page_lookup(k, vp, tp);

				if (mt == NULL || !mt->valid)
					break;
				if (mt->wire_count > 0)
					continue;
				if (mt->dirty)
					vm_page_deactivate(k, mt);
				else
					vm_page_cache(k, mt);
			}
			ahead += behind;
			behind = 0;
		}
		count = vm_fault_additional_pages(k, vp, m, behind, ahead,
		    marray, &reqpage);
		e->lastr = pindex + count - behind;
		if (count == 0) {
			/* A hole in the file: zeros, no I/O. */
			m->valid = true;
			break;
		}
		vnode_pager_getpages(k, vp, marray, count, reqpage);
		m = vm_page_lookup(k, vp, pindex);
		if (m != NULL && m->valid)
			break;
	}
	vm_page_activate(k, m);
	if (write && e->shared && (e->prot & VM_PROT_WRITE)) {
		if (!m->dirty)
			k->cnt.pages_dirtied++;
		m->dirty = true;
		vp->v_flag |= VOBJDIRTY;
	}
}
