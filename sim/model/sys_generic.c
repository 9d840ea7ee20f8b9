/*
 * sys_generic.c — read and write (kern/sys_generic.c of 2001: read, pread,
 * readv, write, pwrite, writev through dofileread/dofilewrite), and
 * copy_file_range, sendfile and splice, replayed as the loop of reads and
 * writes a 2001 program ran instead.
 */
#include "syscalls_private.h"

/* ensure_size's repair, apart, so that the check every read makes costs
 * no frame. */
static void __attribute__((noinline))
grow_to(struct kern *k, struct vnode *vp, int64_t end)
{
	struct inode *ip = vp->v_data;

	k->cnt.trace_repairs++;
	/* If the data cannot fit, the file grows as a hole (reads of it
	 * cost no I/O) rather than filling the file system. */
	if (!ffs_prealloc(k, ip, end)) {
		ffs_offline_begin(k);
		ffs_truncate(k, vp, end);
		ffs_offline_end(k);
	}
}

/* Make a read at [off, off+len) possible: the trace read data the
 * starting file system did not have.  The data was on disk all along, so
 * the file grows without any I/O. */
void
ensure_size(struct kern *k, struct vnode *vp, int64_t end)
{
	const struct inode *ip = vp->v_data;

	if (vp->v_type != VREG || end <= ip->i_size)
		return;
	grow_to(k, vp, end);
}

void
sys_rw(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out, bool write)
{
	struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);
	bool positional = tc->sc == SC_PREAD || tc->sc == SC_PWRITE ||
	    tc->sc == SC_PREADV || tc->sc == SC_PWRITEV;
	struct vnode *vp;
	int64_t off, n = MIN(tc->ret, RW_MAX);

	out->fd = tc->fd;
	if (fp == NULL || fp->f_type != DTYPE_VNODE) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	vp = fp->f_vnode;
	if (tc->ret < 0 || vp->v_type != VREG) {
		/* failed, or a directory: just the call */
		return;
	}
	off = positional ? tc->off : fp->f_offset;
	if (off < 0 || off > INT64_MAX / 2) {
		k->cnt.trace_repairs++;		/* not a believable offset */
		return;
	}
	if (write && (fp->f_flag & FAPPEND) && !positional)
		off = vn_size(vp);
	out->off = off;
	out->bytes = n;
	if (n > 0) {
		int ioflag = sequential_heuristic(fp, off, n);

		if (fp->f_flag & FSYNC)
			ioflag |= IO_SYNC;
		/* O_DIRECT came to 5.0-CURRENT in May 2001 (ac8f990bde);
		 * RELENG_4 of the time ignored the flag. */
		if ((fp->f_flag & FDIRECT) && k->p.era != ERA_FREEBSD4)
			ioflag |= IO_DIRECT;
		/* A disk error (EIO) fails the call: dofileread and
		 * dofilewrite return it even when part of the data moved
		 * (only ERESTART, EINTR and EWOULDBLOCK turn a partial
		 * transfer into a short count). */
		if (write)
			out->error = vn_write(k, vp, off, n, ioflag);
		else {
			ensure_size(k, vp, off + n);
			out->error = vn_read(k, vp, off, n, ioflag);
		}
		out->error = io_error(out->error);
	}
	if (!positional)
		fp->f_offset = off + n;
	fp->f_nextoff = off + n;
}

/*
 * copy_file_range, sendfile and splice: none existed for files in 2001
 * (FreeBSD's sendfile sent a file to a socket; splice, Linux's of 2006,
 * moves bytes between a pipe and a file or socket and takes its arguments
 * as copy_file_range does).  The same program copied with a loop
 * of read(2) and write(2) through a MAXBSIZE buffer (cp's, above the size
 * it mapped), so that is what is replayed: for each 64 KB of what the call
 * moved, a read of the input through the buffer cache and a write of it,
 * each a system call of its own, each file's offset and sequential score
 * moving as the loop's would.  An input or output that is not a file of
 * the simulated file system (a pipe, a socket) is only the other half.
 */
void
sys_copy(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	bool sendfile = tc->sc == SC_SENDFILE;
	int32_t ifd = sendfile ? tc->fd2 : tc->fd, ofd = sendfile ? tc->fd : tc->fd2;
	struct file *ifp = getfile(k, p, ifd, sendfile ? tc->fdpath2 : tc->fdpath,
	    sendfile ? tc->fd2_deleted : tc->fd_deleted);
	struct file *ofp = getfile(k, p, ofd, sendfile ? tc->fdpath : tc->fdpath2,
	    sendfile ? tc->fd_deleted : tc->fd2_deleted);
	bool in = ifp != NULL && ifp->f_type == DTYPE_VNODE &&
	    ifp->f_vnode->v_type == VREG;
	bool outf = ofp != NULL && ofp->f_type == DTYPE_VNODE &&
	    ofp->f_vnode->v_type == VREG;
	int64_t ioff, ooff, left, done = 0;
	bool first = true;

	out->fd = ifd;
	if ((ifp == NULL || ifp->f_type != DTYPE_VNODE) &&
	    (ofp == NULL || ofp->f_type != DTYPE_VNODE)) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->ret <= 0 || (!in && !outf))
		return;
	ioff = tc->off != TC_NOOFF ? tc->off : in ? ifp->f_offset : 0;
	ooff = !sendfile && tc->arg != -1 ? tc->arg : outf ? ofp->f_offset : 0;
	if (outf && (ofp->f_flag & FAPPEND))
		ooff = vn_size(ofp->f_vnode);
	left = MIN(tc->ret, RW_MAX);
	if (ioff < 0 || ioff > INT64_MAX / 2 || ooff < 0 || ooff > INT64_MAX / 2) {
		k->cnt.trace_repairs++;		/* not believable offsets */
		return;
	}
	out->off = ioff;
	out->bytes = left;
	if (in)
		ensure_size(k, ifp->f_vnode, ioff + left);
	while (left > 0) {
		int64_t n = MIN(left, MAXBSIZE);

		/* read(2): its own call but for the first (this one) */
		if (!first)
			kern_cpu(k, k->p.cpu_syscall);
		first = false;
		if (in)
			(void)vn_read(k, ifp->f_vnode, ioff + done, n,
			    sequential_heuristic(ifp, ioff + done, n));
		/* write(2) */
		kern_cpu(k, k->p.cpu_syscall);
		if (outf)
			(void)vn_write(k, ofp->f_vnode, ooff + done, n,
			    sequential_heuristic(ofp, ooff + done, n));
		if (in)
			ifp->f_nextoff = ioff + done + n;
		if (outf)
			ofp->f_nextoff = ooff + done + n;
		done += n;
		left -= n;
	}
	/* The offsets the call was not given move on. */
	if (in && tc->off == TC_NOOFF)
		ifp->f_offset = ioff + done;
	if (outf && (sendfile || tc->arg == -1))
		ofp->f_offset = ooff + done;
}
