/*
 * vnode_pager.c — the pager between a file's VM object and its blocks
 * (vnode_pager.c, ffs_getpages of ufs_readwrite.c, spec_getpages), and the
 * putting back of the pages a mapping dirtied (vm_object_page_clean,
 * vfs_msync).
 *
 * Pages come in by direct device I/O, not through the buffer cache: the
 * run of pages around the one faulted on that the block map says are
 * contiguous on the disk (VOP_BMAP's runs, read first if the indirect
 * blocks are not in memory) is read with one pbuf into the object's pages
 * (spec_getpages), the process sleeping "spread"; meanwhile the pages are
 * busy, and whoever needs one — a fault, a buffer (allocbuf) — waits for
 * it ("pgtblk").  Then the faulted page is activated, the others
 * deactivated.  Later reads of those blocks through
 * the buffer cache find the pages valid.
 *
 * Dirty pages go back through the buffer cache (vnode_pager_generic_
 * putpages: VOP_WRITE with IO_VMIO, the data already in the pages), runs
 * of consecutive dirty pages a write each: synchronously (IO_SYNC) for
 * msync(MS_SYNC), a reclaimed vnode and the final sync, as ordinary
 * delayed or clustered writes otherwise (msync(MS_ASYNC), fsync before
 * its VOP_FSYNC, the syncer's vfs_msync).
 */
#include "kern.h"
#include "kassert.h"

/* The blocks before lbn (at most maxrun) that lie right before it on the
 * disk: VOP_BMAP's runb. */
static int
bmap_runb(struct kern *k, struct inode *ip, int64_t lbn, ufs2_daddr_t addr,
    int maxrun)
{
	int64_t step = k->fs.fs_bsize / DEV_BSIZE;
	int run = 0;

	while (run < maxrun && lbn - run - 1 >= 0 &&
	    (lbn >= NDADDR) == (lbn - run - 1 >= NDADDR) &&
	    ffs_bmap(k, ip, lbn - run - 1) == addr - step * (run + 1))
		run++;
	return run;
}

/* VOP_BMAP of lbn with its runs: the indirect blocks that map it read
 * first if they are not in memory. */
static ufs2_daddr_t
pager_bmap(struct kern *k, struct vnode *vp, int64_t lbn, int *runb, int *runa)
{
	struct inode *ip = vp->v_data;
	int maxrun = MAX(k->bc.iosize_max / k->fs.fs_bsize - 1, 0);
	ufs2_daddr_t addr;

	if (lbn >= NDADDR && !inmem(k, vp, lbn) && ufs_bmap_io(k, vp, lbn) != 0)
		k->cnt.pagein_errors++;		/* the pages taken as read */
	addr = ffs_bmap_run(k, ip, lbn, maxrun, runa);
	*runb = addr < 0 ? 0 : bmap_runb(k, ip, lbn, addr, maxrun);
	return addr;
}

/*
 * vnode_pager_haspage: is the page in the file (not past its end, not in
 * a hole), and how many pages before and after it lie in the same run on
 * the disk.
 */
bool
vnode_pager_haspage(struct kern *k, struct vnode *vp, int64_t pindex,
    int *before, int *after)
{
	int ppb = k->fs.fs_bsize / PAGE_SIZE;
	int64_t size = vn_size(vp), reqblock = pindex / ppb, poff;
	int runb, runa, numafter;

	if (vp->v_data == NULL || (vp->v_flag & VDOOMED) ||
	    pindex * PAGE_SIZE >= size)
		return false;
	if (pager_bmap(k, vp, reqblock, &runb, &runa) < 0)
		return false;
	poff = pindex - reqblock * ppb;
	*before = runb * ppb + (int)poff;
	numafter = ppb - (int)(poff + 1);
	if ((pindex + numafter) * PAGE_SIZE > size)
		numafter = (int)((size - pindex * PAGE_SIZE) / PAGE_SIZE);
	*after = runa * ppb + numafter;
	return true;
}

/*
 * spec_getpages: count pages from device block blkno into the object,
 * with a pbuf, synchronously ("spread").  The pages are held (wired) while
 * the I/O is in flight, so that nothing frees them under it; then the one
 * asked for is activated and the others deactivated.
 */
static void
spec_getpages(struct kern *k, struct vm_page **m, int count, int reqpage,
    int64_t size, ufs2_daddr_t blkno)
{
	struct buf *bp = getpbuf(k, NULL);
	int i;

	for (i = 0; i < count; i++) {
		vm_page_wire(k, m[i]);
		m[i]->busy = true;
	}
	bp->b_flags = B_READ | B_PAGING;
	bp->b_vp = NULL;
	bp->b_forvp = m[reqpage]->object;	/* for the record only */
	bp->b_blkno = blkno;
	bp->b_lblkno = blkno;
	bp->b_bcount = bp->b_bufsize = (int)((size + DEV_BSIZE - 1) / DEV_BSIZE *
	    DEV_BSIZE);
	bp->b_error = 0;
	bp->b_npages = count;
	for (i = 0; i < count; i++)
		bp->b_pages[i] = m[i];
	k->cnt.pageins++;
	k->cnt.pages_paged_in += (uint64_t)count;
	bstrategy(k, bp);
	if (biowait(k, bp, "spread") != 0) {
		/* The kernel's fault fails (SIGBUS to the process); the
		 * replay cannot do that to a traced process: counted, and
		 * the pages taken as read (README, "Not yet"). */
		k->cnt.pagein_errors++;
		for (i = 0; i < count; i++)
			m[i]->valid = true;
	}
	for (i = 0; i < count; i++) {
		struct vm_page *p = m[i];

		bp->b_pages[i] = NULL;
		vm_page_wakeup(k, p);
		vm_page_unwire(k, p, i == reqpage);
		/* Truncated under the I/O: the page is not the file's. */
		if (p->wire_count == 0 && p->object != NULL &&
		    p->key.pindex * PAGE_SIZE >= vn_size(p->object))
			vm_page_free(k, p);
	}
	bp->b_npages = 0;
	bp->b_flags = 0;
	bp->b_forvp = NULL;
	relpbuf(k, bp, NULL);
}

/*
 * ffs_getpages: the requested page's block through VOP_BMAP — a hole is
 * zeros, no I/O — and of the pages offered, those in the run of blocks
 * contiguous with it on the disk (the others freed), read at once.
 */
void
vnode_pager_getpages(struct kern *k, struct vnode *vp, struct vm_page **m,
    int count, int reqpage)
{
	struct fs *fs = &k->fs;
	int ppb = fs->fs_bsize / PAGE_SIZE;
	struct vm_page *mreq = m[reqpage];
	int64_t foff = mreq->key.pindex * PAGE_SIZE, reqlblkno = foff / fs->fs_bsize;
	int poff = (int)((foff % fs->fs_bsize) / PAGE_SIZE);
	int bbackwards, bforwards, pbackwards, pforwards, firstpage = 0, i;
	int pcount = count;
	ufs2_daddr_t reqblkno = pager_bmap(k, vp, reqlblkno, &bbackwards,
	    &bforwards);
	int64_t size;

	if (reqblkno < 0) {
		for (i = 0; i < count; i++)
			if (i != reqpage)
				vm_page_free(k, m[i]);
		mreq->valid = true;		/* zero-filled */
		return;
	}
	pbackwards = poff + bbackwards * ppb;
	if (reqpage > pbackwards) {
		firstpage = reqpage - pbackwards;
		for (i = 0; i < firstpage; i++)
			vm_page_free(k, m[i]);
	}
	pforwards = (ppb - (poff + 1)) + bforwards * ppb;
	if (pforwards < pcount - (reqpage + 1)) {
		for (i = reqpage + pforwards + 1; i < pcount; i++)
			vm_page_free(k, m[i]);
		pcount = reqpage + pforwards + 1;
	}
	pcount -= firstpage;
	size = (int64_t)pcount * PAGE_SIZE;
	if (m[firstpage]->key.pindex * PAGE_SIZE + size > vn_size(vp))
		size = vn_size(vp) - m[firstpage]->key.pindex * PAGE_SIZE;
	/* The first page's sector: the request's block, moved back by the
	 * pages before it (all in the same run on the disk). */
	spec_getpages(k, &m[firstpage], pcount, reqpage - firstpage, size,
	    reqblkno + (int64_t)(poff - (reqpage - firstpage)) *
	    (PAGE_SIZE / DEV_BSIZE));
}

/*
 * vnode_pager_generic_putpages: count dirty pages from pindex written
 * back with VOP_WRITE (ffs_write, IO_VMIO: through the buffer cache, no
 * copy), the caller holding the vnode's lock.  Pages past the end of the
 * file are only made clean.
 */
static void
vnode_pager_putpages(struct kern *k, struct vnode *vp, int64_t pindex,
    int count, bool sync)
{
	const struct vmmeter *c = &k->vm.cnt;
	int64_t off = pindex * PAGE_SIZE, len = (int64_t)count * PAGE_SIZE;
	int64_t size = vn_size(vp), i;

	/* Very short of memory: synchronous, not to pile up writes. */
	if (c->v_free_count + c->v_cache_count < c->v_pageout_free_min)
		sync = true;
	if (off + len > size)
		len = MAX(size - off, 0);
	/* Clean from now: dirtied again during the write, it is again. */
	for (i = pindex; i < pindex + count; i++) {
		struct vm_page *m = vm_page_lookup(k, vp, i);

		if (m != NULL)
			m->dirty = false;
	}
	if (len == 0)
		return;
	k->cnt.putpages++;
	k->cnt.pages_put += (uint64_t)count;
	(void)ffs_write(k, vp, off, len, IO_VMIO | (sync ? IO_SYNC : 0) |
	    (IO_SEQMAX << IO_SEQSHIFT));
}

static gint
cmp_i64(gconstpointer a, gconstpointer b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * vm_object_page_clean: vp's dirty pages in [start, end) (end 0: all) put
 * back in page order, consecutive ones together (at most
 * vm_pageout_page_count a write, vm_object_page_collect_flush), the caller
 * holding the vnode's lock.  Cleaning everything clears VOBJDIRTY first;
 * a page dirtied meanwhile sets it again.
 */
void
vm_object_page_clean(struct kern *k, struct vnode *vp, int64_t start,
    int64_t end, int flags)
{
	int maxrun = k->vm.cnt.v_page_count < 2000 ? 8 : 16;
	GArray *dirty;
	struct vm_page *m;
	guint i;

	if (!(vp->v_flag & VOBJDIRTY) || vp->v_data == NULL)
		return;
	if (start == 0 && end == 0)
		vp->v_flag &= ~VOBJDIRTY;
	dirty = g_array_new(FALSE, FALSE, sizeof(int64_t));
	TAILQ_FOREACH(m, &vp->v_pages, listq)
		if (m->dirty && m->valid && m->key.pindex >= start &&
		    (end == 0 || m->key.pindex < end))
			g_array_append_val(dirty, m->key.pindex);
	g_array_sort(dirty, cmp_i64);
	for (i = 0; i < dirty->len;) {
		int64_t first = g_array_index(dirty, int64_t, i);
		int n = 1;

		while (i + (guint)n < dirty->len && n < maxrun &&
		    g_array_index(dirty, int64_t, i + (guint)n) == first + n)
			n++;
		vnode_pager_putpages(k, vp, first, n,
		    (flags & (OBJPC_SYNC | OBJPC_INVAL)) != 0);
		i += (guint)n;
	}
	g_array_free(dirty, TRUE);
}

/*
 * vfs_msync: the mount's vnodes whose objects may be dirty, cleaned — with
 * MNT_WAIT all of them, synchronously; otherwise those nobody has locked,
 * with ordinary writes.  (A suspended file system is left alone: writes
 * wait for it.)
 */
void
vfs_msync(struct kern *k, int flags)
{
	GPtrArray *todo;
	struct vnode *vp;
	guint i;

	if (flags != MNT_WAIT && vn_write_suspended(k))
		return;
	todo = g_ptr_array_new();
	TAILQ_FOREACH(vp, &k->mntvnodes, v_mntvnodes)
		if ((vp->v_flag & VOBJDIRTY) && !(vp->v_flag & VXLOCK) &&
		    (flags == MNT_WAIT || !VOP_ISLOCKED(vp))) {
			vhold(vp);
			g_ptr_array_add(todo, vp);
		}
	for (i = 0; i < todo->len; i++) {
		vp = g_ptr_array_index(todo, i);
		if (vp->v_data != NULL && (vp->v_flag & VOBJDIRTY)) {
			(void)vn_lock(k, vp, LK_EXCLUSIVE);
			vm_object_page_clean(k, vp, 0, 0,
			    flags == MNT_WAIT ? OBJPC_SYNC : 0);
			VOP_UNLOCK(k, vp);
		}
		vdrop(k, vp);
	}
	g_ptr_array_free(todo, TRUE);
}
