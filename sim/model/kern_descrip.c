/*
 * kern_descrip.c — the descriptor calls of kern/kern_descrip.c of 2001:
 * close, dup/dup2 and fcntl (F_DUPFD, F_SETFD, F_SETFL, F_SETLK/F_SETLKW);
 * and the file behind a descriptor, learned from the trace's annotation
 * when the trace never opened it (getfile).  The descriptor table itself
 * is file.c's.
 */
#include "syscalls_private.h"

/*
 * The file behind a descriptor.  A descriptor the trace never opened (it
 * was open before the capture began) is learned from its -y annotation: a
 * path of the simulated fs becomes a file, anything else passes through.
 */
struct file *
file_hold(struct kproc *p, struct file *fp)
{
	if (fp != NULL && p->p_nheld < (int)G_N_ELEMENTS(p->p_held)) {
		fhold(fp);
		p->p_held[p->p_nheld++] = fp;
	}
	return fp;
}

struct file *
getfile(struct kern *k, struct kproc *p, int32_t fd, const char *annot,
    bool deleted)
{
	struct file *fp = fget(p->p_fd, fd);
	struct vnode *vp = NULL;

	if (fp != NULL || fd < 0 || fd >= FD_MAX)
		return file_hold(p, fp);
	if (annot_is_fs_path(k, annot) && !deleted) {
		struct nameidata nd;

		if (namei(k, NULL, annot, &nd) == 0 && nd.ni_vp != NULL)
			vp = nd.ni_vp;
		else {
			vp = materialize(k, NULL, annot, false);
			k->cnt.trace_repairs++;
		}
	}
	/* (a FIFO or device node: its I/O is not the file system's) */
	fp = vp != NULL && !VN_ISSPECIAL(vp) ?
	    falloc(DTYPE_VNODE, FREAD | FWRITE, vp) :
	    falloc(DTYPE_PASS, FREAD | FWRITE, vp);
	if (vp != NULL)
		vp->v_writecount++;
	fdinstall(k, p->p_fd, fd, fp, false);
	fdrop(k, fp);		/* the table holds it now */
	k->cnt.learned_fds++;
	return file_hold(p, fp);
}

int
oflags_to_fflag(uint32_t of)
{
	int f = 0;

	switch (of & TO_ACCMODE) {
	case TO_RDONLY: f = FREAD; break;
	case TO_WRONLY: f = FWRITE; break;
	default: f = FREAD | FWRITE; break;
	}
	if (of & TO_APPEND)
		f |= FAPPEND;
	if (of & TO_NONBLOCK)
		f |= FNONBLOCK;
	if (of & TO_DIRECT)
		f |= FDIRECT;
	if (of & (TO_SYNC | TO_DSYNC))
		f |= FSYNC;
	return f;
}

void
sys_close(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct file *fp = fget(p->p_fd, tc->fd);

	out->fd = tc->fd;
	if (fp == NULL) {
		if (!annot_is_fs_path(k, tc->fdpath))
			out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (fp->f_type != DTYPE_VNODE)
		out->cls = SYS_PASSTHROUGH;
	if (tc->ret == 0 || tc->err != EBADF)
		(void)fdclose(k, p->p_fd, tc->fd);
}

/*
 * close_range(2) is Linux's (5.9); a program of 2001 closed what it had
 * open one close(2) at a time (closefrom(2) came years later): each of
 * the process's open descriptors from the first to the last is closed,
 * a system call's CPU each beyond the one paid — or, with
 * CLOSE_RANGE_CLOEXEC, marked close-on-exec (fcntl F_SETFD), likewise.
 * With CLOSE_RANGE_UNSHARE a table shared with other threads
 * (CLONE_FILES) is first the caller's own copy, as rfork(RFFDG) made it.
 */
void
sys_close_range(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct filedesc *fdp;
	int fd, last, n = 0;

	if (tc->ret < 0 || tc->fd < 0)
		return;
	if ((tc->arg & CLOSE_RANGE_UNSHARE_) && p->p_fd->fd_refcnt > 1) {
		fdp = fdcopy(p->p_fd);
		fdfree(k, p->p_fd);
		p->p_fd = fdp;
	}
	fdp = p->p_fd;
	last = (int)MIN(tc->len, (int64_t)fdp->fd_lastfile);
	for (fd = tc->fd; fd <= last && fd <= fdp->fd_lastfile; fd++) {
		if (fget(fdp, fd) == NULL)
			continue;
		if (n++ > 0)
			kern_cpu(k, k->p.cpu_syscall);
		if (tc->arg & CLOSE_RANGE_CLOEXEC_)
			fdsetcloexec(fdp, fd, true);
		else
			(void)fdclose(k, fdp, fd);
	}
}

void
sys_dup(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct file *fp;
	bool cloexec;

	out->fd = tc->fd;
	fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);
	if (fp == NULL || fp->f_type != DTYPE_VNODE)
		out->cls = SYS_PASSTHROUGH;
	if (fp == NULL || tc->ret < 0 || tc->ret >= FD_MAX || tc->ret == tc->fd)
		return;
	cloexec = (tc->sc == SC_DUP3 && (tc->oflags & TO_CLOEXEC)) ||
	    (tc->sc == SC_FCNTL && tc->cmd == TCMD_F_DUPFD_CLOEXEC);
	fdinstall(k, p->p_fd, (int)tc->ret, fp, cloexec);
}

/*
 * fcntl(F_SETLK/F_SETLKW): a byte-range lock owned by the process (its
 * descriptor table stands for it), or by the open file for Linux's OFD
 * locks.  l_whence and l_start/l_len give the range as fcntl computes it;
 * l_len 0 runs to infinity.  F_SETLKW may sleep "lockf"; a lock the trace
 * got without waiting that the simulation cannot give is a repair.
 */
static void
fcntl_lock(struct kern *k, struct kproc *p, struct file *fp,
    const struct trace_call *tc)
{
	bool ofd = tc->cmd == TCMD_F_OFD_SETLK || tc->cmd == TCMD_F_OFD_SETLKW;
	bool wait = tc->cmd == TCMD_F_SETLKW || tc->cmd == TCMD_F_OFD_SETLKW;
	int type = (tc->xflags & TX_LOCK_UN) ? F_UNLCK :
	    (tc->xflags & TX_LOCK_EX) ? F_WRLCK :
	    (tc->xflags & TX_LOCK_SH) ? F_RDLCK : 0;
	int64_t start = tc->off == TC_NOOFF ? 0 : tc->off, end;

	if (type == 0 || fp->f_vnode->v_type != VREG)
		return;			/* no structure in the trace */
	if (tc->xflags & TX_LK_CUR)
		start += fp->f_offset;
	else if (tc->xflags & TX_LK_END)
		start += vn_size(fp->f_vnode);
	if (tc->arg > 0)
		end = start + tc->arg - 1;
	else if (tc->arg < 0) {
		end = start - 1;
		start += tc->arg;
	} else
		end = -1;
	if (start < 0)
		return;
	if (lf_advlock(k, fp->f_vnode->v_data, ofd ? (void *)fp : (void *)p->p_fd,
	    F_SETLK, type, start, end, F_POSIX | (wait ? F_WAIT : 0)) != 0) {
		k->cnt.lock_repairs++;
		k->cnt.trace_repairs++;
	}
}

void
sys_fcntl(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct file *fp;

	if (tc->cmd == TCMD_F_DUPFD || tc->cmd == TCMD_F_DUPFD_CLOEXEC) {
		sys_dup(k, p, tc, out);
		return;
	}
	out->fd = tc->fd;
	fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);
	if (fp == NULL || fp->f_type != DTYPE_VNODE)
		out->cls = SYS_PASSTHROUGH;
	if (fp == NULL || tc->ret < 0)
		return;
	switch (tc->cmd) {
	case TCMD_F_SETFD:
		fdsetcloexec(p->p_fd, tc->fd, (tc->arg & 1) != 0);
		break;
	case TCMD_F_SETLK:
	case TCMD_F_SETLKW:
	case TCMD_F_OFD_SETLK:
	case TCMD_F_OFD_SETLKW:
		fcntl_lock(k, p, fp, tc);
		break;
	case TCMD_F_SETFL:
		/* Only O_APPEND, O_NONBLOCK and O_DIRECT can change. */
		fp->f_flag &= ~(FAPPEND | FNONBLOCK | FDIRECT);
		fp->f_flag |= oflags_to_fflag(tc->oflags) &
		    (FAPPEND | FNONBLOCK | FDIRECT);
		break;
	default:
		break;
	}
}
