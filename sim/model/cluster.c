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

/* cluster_callback: the cluster's I/O is done: so is each component's. */
static void
cluster_callback(struct kern *k, struct buf *pbp)
{
	struct buf *tbp;

	while ((tbp = TAILQ_FIRST(&pbp->b_cluster_head)) != NULL) {
		TAILQ_REMOVE(&pbp->b_cluster_head, tbp, b_cluster);
		tbp->b_error = pbp->b_error;
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
 * that cannot cluster is written alone.
 */
void
cluster_wbuild(struct kern *k, struct vnode *vp, int size, int64_t start_lbn,
    int len)
{
	struct bufcache *bc = &k->bc;
	int maxpages = bc->iosize_max / PAGE_SIZE;

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
			tbp->b_flags &= ~(B_READ | B_DONE);
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
		start_lbn += n;
		len -= n;
	}
}
