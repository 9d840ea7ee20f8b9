/*
 * file.c — open files and descriptor tables (kern_descrip.c).
 *
 * The trace says which descriptor number each call returned, so a
 * descriptor is installed at that number (fdinstall) rather than at the
 * lowest free slot; everything else follows the kernel: a file object is
 * shared by dup'ed descriptors and forked tables and is closed (vn_close)
 * when its last reference is dropped.
 */
#include "file.h"
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#define NDFILE	20	/* initial table size, as the kernel's */

struct file *
falloc(enum ftype type, int flags, struct vnode *vp)
{
	struct file *fp = g_new0(struct file, 1);

	fp->f_count = 1;
	fp->f_type = type;
	fp->f_flag = flags;
	fp->f_vnode = vp;
	fp->f_seqcount = 1;	/* falloc starts every file at 1 */
	if (vp != NULL)
		vref(vp);
	return fp;
}

void
fhold(struct file *fp)
{
	fp->f_count++;
}

/* The last reference: vn_close. */
void
fdrop(struct kern *k, struct file *fp)
{
	KASSERT(fp->f_count > 0, ("fdrop: count %d", fp->f_count));
	if (--fp->f_count > 0)
		return;
	if (fp->f_vnode != NULL) {
		/* vn_closefile: a flock(2) lock (and a Linux OFD lock, the
		 * open file's) goes with the last reference. */
		if (fp->f_vnode->v_data != NULL &&
		    fp->f_vnode->v_data->i_lockf != NULL) {
			lf_release(k, fp->f_vnode->v_data, fp, F_FLOCK);
			lf_release(k, fp->f_vnode->v_data, fp, F_POSIX);
		}
		if (fp->f_flag & FWRITE)
			fp->f_vnode->v_writecount--;
		vrele(k, fp->f_vnode);
	}
	g_free(fp);
}

/*
 * closef: a descriptor of fdp's process is closed.  Its fcntl locks on the
 * file go at once — any close of the file releases them, however many
 * other descriptors still refer to it (POSIX's rule; the process is the
 * owner, its descriptor table standing for it) — then the reference.
 */
static void
closef(struct kern *k, struct filedesc *fdp, struct file *fp)
{
	if (fp->f_type == DTYPE_VNODE && fp->f_vnode != NULL &&
	    fp->f_vnode->v_data != NULL && fp->f_vnode->v_data->i_lockf != NULL)
		lf_release(k, fp->f_vnode->v_data, fdp, F_POSIX);
	fdrop(k, fp);
}

/* closef of a file no longer in the table (a descriptor closed, or
 * replaced by fdinstall): kept in fd_closing while closef may sleep. */
static void
closef_out(struct kern *k, struct filedesc *fdp, struct file *fp)
{
	if (fdp->fd_closing == NULL)
		fdp->fd_closing = g_ptr_array_new();
	g_ptr_array_add(fdp->fd_closing, fp);
	closef(k, fdp, fp);
	/* (fp may be freed now: only its address is compared) */
	(void)g_ptr_array_remove_fast(fdp->fd_closing, fp);
}

static void
fdgrow(struct filedesc *fdp, int fd)
{
	int n = fdp->fd_nfiles;

	while (n <= fd)
		n = n * 2;
	fdp->fd_ofiles = g_renew(struct file *, fdp->fd_ofiles, n);
	fdp->fd_cloexec = g_renew(bool, fdp->fd_cloexec, n);
	memset(fdp->fd_ofiles + fdp->fd_nfiles, 0,
	    (size_t)(n - fdp->fd_nfiles) * sizeof(struct file *));
	memset(fdp->fd_cloexec + fdp->fd_nfiles, 0,
	    (size_t)(n - fdp->fd_nfiles) * sizeof(bool));
	fdp->fd_nfiles = n;
}

struct filedesc *
fdinit(struct vnode *cdir)
{
	struct filedesc *fdp = g_new0(struct filedesc, 1);

	fdp->fd_refcnt = 1;
	fdp->fd_nfiles = NDFILE;
	fdp->fd_ofiles = g_new0(struct file *, NDFILE);
	fdp->fd_cloexec = g_new0(bool, NDFILE);
	fdp->fd_lastfile = -1;
	fdp->fd_cdir = cdir;
	if (cdir != NULL)
		vref(cdir);
	return fdp;
}

struct filedesc *
fdcopy(struct filedesc *src)
{
	struct filedesc *fdp = fdinit(src->fd_cdir);
	int i;

	if (src->fd_nfiles > fdp->fd_nfiles)
		fdgrow(fdp, src->fd_nfiles - 1);
	for (i = 0; i <= src->fd_lastfile; i++) {
		if (src->fd_ofiles[i] == NULL)
			continue;
		fdp->fd_ofiles[i] = src->fd_ofiles[i];
		fdp->fd_cloexec[i] = src->fd_cloexec[i];
		fhold(fdp->fd_ofiles[i]);
	}
	fdp->fd_lastfile = src->fd_lastfile;
	return fdp;
}

struct filedesc *
fdshare(struct filedesc *fdp)
{
	fdp->fd_refcnt++;
	return fdp;
}

void
fdfree(struct kern *k, struct filedesc *fdp)
{
	int i;

	if (--fdp->fd_refcnt > 0)
		return;
	for (i = 0; i <= fdp->fd_lastfile; i++)
		if (fdp->fd_ofiles[i] != NULL) {
			struct file *fp = fdp->fd_ofiles[i];

			/* The slot cleared only once closef returns: were the
			 * run stopped while it sleeps, kern_shutdown finds
			 * the file here and frees it. */
			closef(k, fdp, fp);
			fdp->fd_ofiles[i] = NULL;
		}
	if (fdp->fd_cdir != NULL)
		vrele(k, fdp->fd_cdir);
	KASSERT(fdp->fd_closing == NULL || fdp->fd_closing->len == 0,
	    ("fdfree: %u files still closing", fdp->fd_closing->len));
	g_clear_pointer(&fdp->fd_closing, g_ptr_array_unref);
	g_free(fdp->fd_ofiles);
	g_free(fdp->fd_cloexec);
	g_free(fdp);
}

struct file *
fget(struct filedesc *fdp, int fd)
{
	if (fd < 0 || fd > fdp->fd_lastfile)
		return NULL;
	return fdp->fd_ofiles[fd];
}

static void
fdfixlast(struct filedesc *fdp)
{
	while (fdp->fd_lastfile >= 0 && fdp->fd_ofiles[fdp->fd_lastfile] == NULL)
		fdp->fd_lastfile--;
}

void
fdinstall(struct kern *k, struct filedesc *fdp, int fd, struct file *fp,
    bool cloexec)
{
	struct file *old;

	KASSERT(fd >= 0, ("fdinstall: fd %d", fd));
	if (fd >= fdp->fd_nfiles)
		fdgrow(fdp, fd);
	old = fdp->fd_ofiles[fd];
	fhold(fp);
	fdp->fd_ofiles[fd] = fp;
	fdp->fd_cloexec[fd] = cloexec;
	if (fd > fdp->fd_lastfile)
		fdp->fd_lastfile = fd;
	if (old != NULL)
		closef_out(k, fdp, old);
}

int
fdclose(struct kern *k, struct filedesc *fdp, int fd)
{
	struct file *fp = fget(fdp, fd);

	if (fp == NULL)
		return EBADF;
	fdp->fd_ofiles[fd] = NULL;
	fdp->fd_cloexec[fd] = false;
	fdfixlast(fdp);
	closef_out(k, fdp, fp);
	return 0;
}

void
fdcloseexec(struct kern *k, struct filedesc *fdp)
{
	int i;

	for (i = 0; i <= fdp->fd_lastfile; i++)
		if (fdp->fd_ofiles[i] != NULL && fdp->fd_cloexec[i])
			(void)fdclose(k, fdp, i);
}

void
fdsetcloexec(struct filedesc *fdp, int fd, bool on)
{
	if (fget(fdp, fd) != NULL)
		fdp->fd_cloexec[fd] = on;
}

void
fdchdir(struct kern *k, struct filedesc *fdp, struct vnode *vp)
{
	struct vnode *old = fdp->fd_cdir;

	vref(vp);
	fdp->fd_cdir = vp;
	if (old != NULL)
		vrele(k, old);
}
