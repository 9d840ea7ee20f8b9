/*
 * cluster.c — clustering: vfs_cluster.c.
 *
 * cluster_wbuild turns a run of dirty, physically contiguous buffers into
 * one disk write.  The write is carried by a pbuf (a physical-I/O header
 * from vm_pager's pool; cluster I/O may hold at most half of them, and a
 * writer that finds none sleeps "wswbuf0"); the component buffers hang on
 * its list, and cluster_callback completes each of them when the one I/O
 * is done.
 */
#include "kern.h"
#include "kassert.h"

/* cluster_callback: the cluster's I/O is done: so is each component's,
 * and a failed cluster fails every one of them (B_ERROR with the pbuf's
 * b_error), as vfs_cluster.c's cluster_callback hands it on. */
static void
cluster_callback(struct kern *k, struct buf *pbp)
{
	struct buf *tbp;

	while ((tbp = TAILQ_FIRST(&pbp->b_cluster_head)) != NULL) {
		TAILQ_REMOVE(&pbp->b_cluster_head, tbp, b_cluster);
		if (pbp->b_flags & B_ERROR) {
			tbp->b_flags |= B_ERROR;
			tbp->b_error = pbp->b_error;
		}
		biodone(k, tbp);
	}
	pbp->b_vp = NULL;
	pbp->b_flags = 0;
	relpbuf(k, pbp, &k->vm.cluster_pbuf_freecnt);
}

/* May tbp join a cluster that has reached (first + i, blkno)? */
static bool
clusterable(struct kern *k, struct buf *tbp, int size, ufs2_daddr_t want)
{
	(void)k;
	return (tbp->b_flags & (B_DELWRI | B_CLUSTEROK | B_INVAL | B_LOCKED)) ==
	    (B_DELWRI | B_CLUSTEROK) && tbp->b_bcount == size &&
	    tbp->b_bufsize == size && tbp->b_lockholder == NULL &&
	    tbp->b_blkno == want;
}

/*
 * cluster_wbuild: write len blocks of vp from start_lbn, as clusters of
 * physically contiguous dirty buffers no longer than the mount's largest
 * I/O.  Blocks that are not dirty (written meanwhile) are skipped; a block
 * that cannot cluster is written alone.  Returns the writes issued.
 */
static int
cluster_wbuild_n(struct kern *k, struct vnode *vp, int size, int64_t start_lbn,
    int len, int *nbufs)
{
	struct bufcache *bc = &k->bc;
	int maxpages = bc->iosize_max / PAGE_SIZE, ios = 0;

	while (len > 0) {
		struct buf *tbp = incore(k, vp, start_lbn), *pbp;
		int i, n;

		if (tbp == NULL || tbp->b_lockholder != NULL ||
		    (tbp->b_flags & (B_LOCKED | B_INVAL | B_DELWRI)) != B_DELWRI) {
			start_lbn++;
			len--;
			continue;
		}
		BUF_LOCK_NOWAIT(k, tbp);
		bremfree(k, tbp);
		if (len == 1 || !(tbp->b_flags & B_CLUSTEROK) ||
		    tbp->b_bcount != size || tbp->b_bufsize != size ||
		    tbp->b_blkno < 0 || !(tbp->b_flags & B_VMIO)) {
			bawrite(k, tbp);
			ios++;
			k->cnt.wbuild_bufs++;
			(*nbufs)++;
			start_lbn++;
			len--;
			continue;
		}
		/* A pbuf: may sleep "wswbuf0" while half are in use.  Keep
		 * the first buffer locked meanwhile; the others are picked up
		 * only afterwards. */
		pbp = getpbuf(k, &k->vm.cluster_pbuf_freecnt);
		TAILQ_INIT(&pbp->b_cluster_head);
		pbp->b_flags = B_ASYNC | B_CALL | B_CLUSTER | B_PAGING | B_VMIO;
		pbp->b_iodone = cluster_callback;
		pbp->b_vp = vp;
		pbp->b_lblkno = tbp->b_lblkno;
		pbp->b_blkno = tbp->b_blkno;
		pbp->b_offset = tbp->b_offset;
		pbp->b_writer = (uint8_t)(curproc(k->sim) == bc->syncer ? BW_SYNCER :
		    curproc(k->sim) == bc->bufdaemon ? BW_BUFDAEMON : BW_PROCESS);
		pbp->b_lockholder = curproc(k->sim);
		TAILQ_INSERT_TAIL(&pbp->b_cluster_head, tbp, b_cluster);
		n = 1;
		for (i = 1; i < len && (n + 1) * size / PAGE_SIZE <= maxpages; i++) {
			struct buf *nbp = incore(k, vp, start_lbn + i);

			if (nbp == NULL || !clusterable(k, nbp, size,
			    tbp->b_blkno + (int64_t)i * size / DEV_BSIZE))
				break;
			BUF_LOCK_NOWAIT(k, nbp);
			bremfree(k, nbp);
			TAILQ_INSERT_TAIL(&pbp->b_cluster_head, nbp, b_cluster);
			n++;
		}
		/* Each component: clean now, kernel-owned, counted as output. */
		TAILQ_FOREACH(tbp, &pbp->b_cluster_head, b_cluster) {
			bundirty(k, tbp);
			tbp->b_flags &= ~(B_READ | B_DONE | B_ERROR);
			tbp->b_flags |= B_ASYNC | B_CACHE | B_WRITEINPROG;
			tbp->b_error = 0;
			tbp->b_lockholder = BUF_KERNPROC;
			vp->v_numoutput++;
		}
		bc->writes_by[pbp->b_writer] += (uint64_t)n;
		k->cnt.cluster_writes++;
		k->cnt.cluster_bufs += (uint64_t)n;
		pbp->b_bcount = pbp->b_bufsize = n * size;
		pbp->b_io.nbufs = n;
		k->cnt.bawrite++;
		(void)bwrite(k, pbp);
		ios++;
		k->cnt.wbuild_bufs += (uint64_t)n;
		*nbufs += n;
		start_lbn += n;
		len -= n;
	}
	k->cnt.wbuild_ios += (uint64_t)ios;
	return ios;
}

int
cluster_wbuild(struct kern *k, struct vnode *vp, int size, int64_t start_lbn,
    int len)
{
	int nbufs = 0;

	return cluster_wbuild_n(k, vp, size, start_lbn, len, &nbufs);
}

/* ---- reading ---------------------------------------------------------- */

/* Does the page cache or a buffer hold any of the block's data? */
static bool
block_has_data(struct kern *k, struct vnode *vp, int64_t lbn, int size)
{
	int64_t first = lbn * size / PAGE_SIZE;
	int i;

	if (incore(k, vp, lbn) != NULL)
		return true;
	for (i = 0; i < size / PAGE_SIZE; i++) {
		struct vm_page *m = vm_page_lookup(k, vp, first + i);

		if (m != NULL && m->valid)
			return true;
	}
	return false;
}

/* A block read ahead: count it, and mark its first page so that its use
 * (cluster_ra_used) or its loss unread (vm_page_remove) is seen. */
static void
cluster_ra_mark(struct kern *k, struct buf *bp)
{
	k->cnt.readahead_blocks++;
	if (bp->b_npages > 0)
		bp->b_pages[0]->rahead = true;
}

void
cluster_ra_used(struct kern *k, struct buf *bp)
{
	if (bp->b_npages > 0 && bp->b_pages[0]->rahead) {
		bp->b_pages[0]->rahead = false;
		k->cnt.readahead_used++;
	}
}

/*
 * cluster_rbuild: read run blocks from lbn (device address blkno) as one
 * I/O.  fbp, when given, is the requested block (read synchronously: its
 * caller waits for it) and the rest of the run is what the caller asked
 * for too; without fbp the whole run is read ahead (async, each buffer
 * released when the I/O completes).  The run stops at a block already in
 * memory, one of another size, or one mapped elsewhere.  Without a pbuf to
 * spare (trypbuf never sleeps) the first block is read alone.  Marks the
 * second block and the last with B_RAM, so that reaching them starts the
 * next read-ahead.  Returns the buffer to start (the pbuf, or the lone
 * first block); a read-ahead block found valid is returned with B_CACHE
 * for the caller to release.
 */
static struct buf *
cluster_rbuild(struct kern *k, struct vnode *vp, int64_t filesize, int64_t lbn,
    ufs2_daddr_t blkno, int size, int run, struct buf *fbp)
{
	struct buf *bp, *tbp, *pbp;
	int i, inc = size / DEV_BSIZE;

	/* Not past the end of the file. */
	if ((lbn + run) * size > filesize)
		run = (int)((filesize - lbn * size + size - 1) / size);
	if (run < 1)
		run = 1;
	if (fbp != NULL) {
		tbp = fbp;
		tbp->b_flags |= B_READ;
	} else {
		tbp = getblk(k, vp, lbn, size);
		if (tbp->b_flags & B_CACHE)
			return tbp;		/* the caller releases it */
		tbp->b_flags |= B_ASYNC | B_READ | B_RAM;
		cluster_ra_mark(k, tbp);
	}
	tbp->b_blkno = blkno;
	if (run <= 1 || !(tbp->b_flags & B_VMIO) ||
	    (pbp = trypbuf(k, &k->vm.cluster_pbuf_freecnt)) == NULL)
		return tbp;

	TAILQ_INIT(&pbp->b_cluster_head);
	pbp->b_flags = B_ASYNC | B_READ | B_CALL | B_CLUSTER | B_PAGING | B_VMIO;
	pbp->b_iodone = cluster_callback;
	pbp->b_vp = vp;
	pbp->b_lblkno = lbn;
	pbp->b_blkno = blkno;
	pbp->b_offset = tbp->b_offset;
	pbp->b_lockholder = BUF_KERNPROC;
	/* Every buffer of the cluster, the first too — even the caller's fbp,
	 * read synchronously — is handed to the kernel (BUF_KERNPROC), for
	 * cluster_callback biodone()s them all (cluster_rbuild's "fbp from
	 * caller may not be B_ASYNC").  A read-ahead first block left owned
	 * by its reader would have that reader, coming back for it before
	 * the I/O is done, wait on a lock it holds itself. */
	tbp->b_lockholder = BUF_KERNPROC;
	TAILQ_INSERT_TAIL(&pbp->b_cluster_head, tbp, b_cluster);
	for (i = 1; i < run; i++) {
		if ((i + 1) * size > k->bc.iosize_max)
			break;
		bp = incore(k, vp, lbn + i);
		if (bp != NULL || block_has_data(k, vp, lbn + i, size))
			break;		/* in memory already: do not read it */
		if (ffs_bmap(k, vp->v_data, lbn + i) != blkno + (int64_t)i * inc)
			break;		/* not where the run continues */
		tbp = getblk(k, vp, lbn + i, size);
		if ((tbp->b_flags & B_CACHE) || !(tbp->b_flags & B_VMIO)) {
			bqrelse(k, tbp);
			break;
		}
		tbp->b_flags |= B_READ | B_ASYNC;
		if ((fbp != NULL && i == 1) || i == run - 1)
			tbp->b_flags |= B_RAM;
		tbp->b_blkno = blkno + (int64_t)i * inc;
		tbp->b_lockholder = BUF_KERNPROC;
		if (fbp == NULL)
			cluster_ra_mark(k, tbp);
		TAILQ_INSERT_TAIL(&pbp->b_cluster_head, tbp, b_cluster);
	}
	if (TAILQ_NEXT(TAILQ_FIRST(&pbp->b_cluster_head), b_cluster) == NULL) {
		/* Nothing joined: give the pbuf back, read the block alone. */
		tbp = TAILQ_FIRST(&pbp->b_cluster_head);
		TAILQ_REMOVE(&pbp->b_cluster_head, tbp, b_cluster);
		pbp->b_vp = NULL;
		pbp->b_flags = 0;
		pbp->b_lockholder = NULL;
		relpbuf(k, pbp, &k->vm.cluster_pbuf_freecnt);
		return tbp;
	}
	i = 0;
	TAILQ_FOREACH(tbp, &pbp->b_cluster_head, b_cluster) {
		tbp->b_flags &= ~(B_INVAL | B_DONE | B_ERROR);
		tbp->b_error = 0;
		i++;
	}
	pbp->b_bcount = pbp->b_bufsize = i * size;
	pbp->b_io.nbufs = i;
	return pbp;
}

/* Start the read of bp (a pbuf or a single buffer): VOP_STRATEGY. */
static void
cluster_start(struct kern *k, struct buf *bp)
{
	if (bp->b_flags & B_CLUSTER) {
		k->cnt.cluster_reads++;
		k->cnt.cluster_read_bufs += (uint64_t)bp->b_io.nbufs;
	} else {
		if (bp->b_blkno < 0) {
			/* a hole: zeros, no I/O */
			k->cnt.bread_holes++;
			vfs_bio_clrbuf(k, bp);
			bp->b_flags |= B_DONE;
			if (bp->b_flags & B_ASYNC)
				brelse(k, bp);
			return;
		}
		bp->b_flags &= ~(B_INVAL | B_DONE | B_ERROR);
		bp->b_error = 0;
		if (bp->b_flags & B_ASYNC)
			bp->b_lockholder = BUF_KERNPROC;
	}
	bstrategy(k, bp);
}

/* The rest of cluster_read (below), for bp = getblk's buffer of lblkno
 * when it is not cached or carries a read-ahead mark. */
static int __attribute__((noinline))
cluster_read_ahead(struct kern *k, struct vnode *vp, int64_t filesize,
    int64_t lblkno, int size, int64_t totread, int seqcount, struct buf *bp)
{
	struct buf *rbp = NULL, *reqbp = NULL;
	int racluster, maxra, i, error = 0;
	int64_t origlbn = lblkno, origtotread = totread;

	/*
	 * The read-ahead's limits.  The kernel works them out before its
	 * getblk; here they come after it, so that a hit without a mark
	 * (cluster_read) skips their two divisions.  The same numbers: they
	 * depend on the mount's iosize, nbuf and cluster.read_max, none of
	 * which changes during a run, and the arguments.
	 */
	racluster = MAX(k->bc.iosize_max / size, 1);
	maxra = 2 * racluster + (int)MIN(totread / size, 1000000);
	maxra = MIN(maxra, k->p.read_max);
	maxra = MIN(maxra, k->bc.nbuf / 8);
	if (maxra < 1)
		maxra = 1;
	if (bp->b_flags & B_CACHE) {
		k->cnt.bread_hits++;
		/* A read-ahead mark: look past the cached run. */
		bp->b_flags &= ~B_RAM;
		for (i = 1; i < maxra; i++) {
			struct buf *tbp = incore(k, vp, lblkno + i);

			if (tbp == NULL)
				break;
			if (i % racluster == racluster - 1 || i == maxra - 1)
				tbp->b_flags |= B_RAM;
		}
		if (i >= maxra)
			return 0;
		lblkno += i;
	} else {
		ufs2_daddr_t blkno;
		int ncontig = 0;

		/* What the caller still wants, within the file. */
		if (totread > filesize - lblkno * size)
			totread = filesize - lblkno * size;
		reqbp = bp;
		if (totread > size && (blkno = ffs_bmap_run(k, vp->v_data, lblkno,
		    racluster - 1, &ncontig)) >= 0 && ncontig > 0) {
			int nblks = (int)MIN((totread + size - 1) / size, racluster);

			nblks = MIN(nblks, ncontig + 1);
			bp = cluster_rbuild(k, vp, filesize, lblkno, blkno, size,
			    nblks, bp);
			lblkno += (bp->b_flags & B_CLUSTER) ? bp->b_bufsize / size : 1;
		} else {
			/* single_block_read */
			bp->b_flags |= B_READ | B_RAM;
			lblkno += 1;
		}
	}

	/* Read ahead, as far as the sequential score reaches. */
	if (seqcount > 0 && lblkno < origlbn + seqcount &&
	    (lblkno + 1) * size <= filesize) {
		int num_ra = 0;
		ufs2_daddr_t blkno = ffs_bmap_run(k, vp->v_data, lblkno,
		    racluster - 1, &num_ra);

		if (blkno >= 0) {
			int ntoread = num_ra + 1;

			if (seqcount < (origtotread + size - 1) / size)
				seqcount = (int)((origtotread + size - 1) / size);
			ntoread = MIN(ntoread, seqcount);
			rbp = cluster_rbuild(k, vp, filesize, lblkno, blkno, size,
			    ntoread, NULL);
			if (!(rbp->b_flags & B_CLUSTER) &&
			    (rbp->b_flags & B_CACHE)) {
				bqrelse(k, rbp);	/* in memory after all */
				rbp = NULL;
			}
		}
	}

	/* The synchronous part first, then the read-ahead. */
	if (reqbp != NULL)
		cluster_start(k, bp);
	if (rbp != NULL)
		cluster_start(k, rbp);
	if (reqbp != NULL)
		error = biowait(k, reqbp, "biord");
	return error;
}

/*
 * cluster_read (RELENG_4's, which 5.0-CURRENT shared in 2001): get the
 * block, reading it — and the rest of the request that lies contiguous on
 * disk — in one I/O, and read ahead as far as the sequential score earns.
 *
 * A cached block without B_RAM costs nothing; one with B_RAM means the
 * reader has reached a mark: the cached run after it is probed (up to
 * maxra = 2 clusters plus the request, at most MAXRA and nbuf/8 blocks,
 * re-marking every cluster's last block) and read-ahead starts where it
 * ends.  A block not in memory is read with as much of the request as
 * VOP_BMAP says is contiguous (a cluster of at most mnt_iosize_max), and
 * read-ahead continues after it: one more cluster of up to seqcount
 * blocks (at least the request), while it stays within seqcount blocks of
 * the requested one and within the file.
 */
int
cluster_read(struct kern *k, struct vnode *vp, int64_t filesize, int64_t lblkno,
    int size, int64_t totread, int seqcount, struct buf **bpp)
{
	struct buf *bp;

	*bpp = bp = getblk(k, vp, lblkno, size);
	k->cnt.bread++;
	if ((bp->b_flags & B_CACHE) &&
	    (seqcount == 0 || !(bp->b_flags & B_RAM))) {
		/* cached, and no read-ahead mark: nothing more to do (and,
		 * the rest apart, no frame for it) */
		k->cnt.bread_hits++;
		return 0;
	}
	return cluster_read_ahead(k, vp, filesize, lblkno, size, totread,
	    seqcount, bp);
}

/* ---- writing ---------------------------------------------------------- */

/*
 * cluster_wbuild_wb: the write-behind policy (vfs.write_behind) between
 * cluster_write and cluster_wbuild: 0 never pushes (the blocks stay
 * delayed writes for buf_daemon and the syncer), 1 writes the cluster, 2
 * writes the one before it instead (one cluster of lag, so that a block
 * rewritten soon after is not written twice).
 */
static void
cluster_wbuild_wb(struct kern *k, struct vnode *vp, int size, int64_t start_lbn,
    int len)
{
	int ios, bufs = 0;

	switch (k->p.write_behind) {
	case 0:
		return;
	case 2:
		if (start_lbn < len)
			return;
		start_lbn -= len;
		/* FALLTHROUGH */
	default:
		/* (counted from what this push issued: it may sleep, and
		 * others issue clusters meanwhile) */
		ios = cluster_wbuild_n(k, vp, size, start_lbn, len, &bufs);
	}
	k->cnt.writebehind_ios += (uint64_t)ios;
	k->cnt.writebehind_bufs += (uint64_t)bufs;
}

/*
 * cluster_collectbufs: the buffers of the cluster being built (v_cstart ..
 * v_lastw, normally still in the cache: bread hits) and last_bp after
 * them, for ffs_reallocblks.  Returns how many.
 */
static int
cluster_collectbufs(struct kern *k, struct vnode *vp, struct buf *last_bp,
    struct buf **bufs)
{
	int64_t lbn;
	int n = 0;

	for (lbn = vp->v_cstart; lbn <= vp->v_lastw; lbn++) {
		struct buf *bp;

		bread_noerror(k, vp, lbn, last_bp->b_bcount, &bp);
		bufs[n++] = bp;
	}
	bufs[n++] = last_bp;
	return n;
}

/*
 * cluster_write: a process has completely written a block (ffs_write, for
 * full blocks only).  Build clusters from the vnode's v_cstart (first
 * block of the cluster), v_lastw (last block written), v_lasta (its device
 * address) and v_clen (blocks the cluster may still grow by):
 *  - a block that does not continue the cluster logically and physically
 *    ends it: the cluster is pushed (cluster_wbuild_wb) — unless the block
 *    is appended at end of file right after it, when ffs_reallocblks may
 *    move the cluster's blocks next to each other and keep it growing;
 *    then a new cluster starts with this block;
 *  - the block that fills the cluster (v_cstart + v_clen) pushes it;
 *  - any other block stays a delayed write (bdwrite), written at once
 *    only when memory is severely short.
 * Whether a cluster is pushed at all is the seed's write-behind change
 * (e4649cfac3, April 2000): only a sequential writer (seqcount > 1, or > 0
 * for the push of a cluster cut short) starts I/O; a random writer — DBM's
 * hash pages — leaves its blocks delayed.  RELENG_4 of 2001 did not have it:
 * there every completed cluster is pushed.  That split is an inference: the
 * seqcount tests are in RELENG_4's vfs_cluster.c 1.92.2.9 of 2001/11/18
 * (≈4.5) and not in the pre-2000 text, and no RELENG_4 revision between
 * was read.
 *
 * On an MNT_ASYNC mount (ffs.metadata=async) a cluster cut short is not
 * pushed and a block that cannot cluster is not written at once either —
 * cluster_write's `!async` tests, in its FreeBSD text before 2000 and in
 * 2001's, so both eras; the full-cluster and reallocation-failure pushes
 * have none.
 */
void
cluster_write(struct kern *k, struct buf *bp, int64_t filesize, int seqcount)
{
	struct vnode *vp = bp->b_vp;
	int lblocksize = k->fs.fs_bsize;
	int64_t lbn = bp->b_lblkno;
	bool gated = k->p.era != ERA_FREEBSD4;
	bool async = vp->v_type == VREG && k->fs.fs_meta == META_ASYNC;

	KASSERT(bp->b_bcount == lblocksize, ("cluster_write: partial block"));
	if (lbn == 0)
		vp->v_lasta = vp->v_clen = vp->v_cstart = vp->v_lastw = 0;

	if (vp->v_clen == 0 || lbn != vp->v_lastw + 1 ||
	    bp->b_blkno != vp->v_lasta + lblocksize / DEV_BSIZE) {
		int maxclen = k->bc.iosize_max / lblocksize - 1;

		if (vp->v_clen != 0) {
			int cursize = (int)(vp->v_lastw - vp->v_cstart + 1);

			if (bp->b_offset + lblocksize != filesize ||
			    lbn != vp->v_lastw + 1 || vp->v_clen <= cursize) {
				/* Not an append right after it: push it. */
				if (!async && (!gated || seqcount > 0))
					cluster_wbuild_wb(k, vp, lblocksize,
					    vp->v_cstart, cursize);
			} else {
				struct buf *bufs[MAXPHYS / DEV_BSIZE + 1];
				int n = cluster_collectbufs(k, vp, bp, bufs), i;

				if (ffs_reallocblks(k, vp, bufs, n) != 0) {
					for (i = 0; i < n - 1; i++)
						brelse(k, bufs[i]);
					if (!gated || seqcount > 1)
						cluster_wbuild_wb(k, vp, lblocksize,
						    vp->v_cstart, cursize);
				} else {
					/* Contiguous now: all delayed, the
					 * cluster keeps growing. */
					for (i = 0; i < n; i++)
						bdwrite(k, bufs[i]);
					vp->v_lastw = lbn;
					vp->v_lasta = bp->b_blkno;
					return;
				}
			}
		}
		/*
		 * Begin a cluster.  (The kernel asks VOP_BMAP for the run
		 * after a block not yet mapped; ffs_write's blocks come from
		 * VOP_BALLOC, always mapped, so maxclen stays the largest.)
		 */
		vp->v_clen = maxclen;
		if (!async && maxclen == 0) {
			/* no clustering possible: write it now */
			vp->v_cstart = lbn + 1;
			bawrite(k, bp);
		} else {
			vp->v_cstart = lbn;
			bdwrite(k, bp);
		}
	} else if (lbn == vp->v_cstart + vp->v_clen) {
		/* The cluster is full: write it if the writer is sequential. */
		bdwrite(k, bp);
		if (!gated || seqcount > 1)
			cluster_wbuild_wb(k, vp, lblocksize, vp->v_cstart,
			    vp->v_clen + 1);
		vp->v_clen = 0;
		vp->v_cstart = lbn + 1;
	} else if (k->p.io_reserve && vm_page_count_severe(k)) {
		/* The seed's low-memory rule: keep I/O moving. */
		bawrite(k, bp);
	} else {
		bdwrite(k, bp);
	}
	vp->v_lastw = lbn;
	vp->v_lasta = bp->b_blkno;
}
