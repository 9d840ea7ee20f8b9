/*
 * vfs_syscalls.c — the calls on names (kern/vfs_syscalls.c of 2001): open,
 * stat and access, unlink and rmdir, mkdir, rename, truncate, chdir, link,
 * symlink, readlink, chmod/chown/utimes (setfmode, setfown, setutimes),
 * statfs and the extended-attribute calls; and the descriptor calls 2001
 * also kept there: fsync, lseek, getdirentries (with flock, which was
 * kern_descrip.c's, and Linux's sync_file_range and syncfs, in one switch
 * of the calls that need only a descriptor: sys_fdonly); fallocate,
 * which 2001 did not have (FreeBSD's posix_fallocate later came here).
 *
 * Where a traced call found a name this replay lacks, the name is made
 * (materialize) and the repair counted.
 */
#include "syscalls_private.h"

#include <string.h>

/*
 * A lookup that failed with a disk error where the traced call succeeded:
 * a directory block or an inode block on the path could not be read
 * (ufs_lookup's UFS_BLKATOFF, ffs_vget's bread), and namei's error is the
 * call's — before the call did anything (an open or a create that failed
 * left no descriptor and no name, an unlink or a rename changed nothing).
 * The row shows EIO and nothing is repaired; a later call on the
 * descriptor the process never got learns it from its annotation, as a
 * descriptor the trace had before the capture (getfile).
 */
static bool
lookup_eio(int error, const struct trace_call *tc, struct sys_outcome *out)
{
	if (error != EIO || tc->ret < 0)
		return false;
	out->error = EIO;
	return true;
}

/*
 * mkdir -p of every missing directory above path's last component, and
 * the last component itself, as a file, a directory or a symbolic link
 * (to target) by type.  Used to bring the file system in line with a
 * trace that says a path exists.  A symbolic link on the way is followed
 * (in the middle of the path always, at its end when follow), so that
 * what is made is what the traced call reached through it.
 */
struct vnode *
materialize_obj(struct kern *k, struct vnode *start, const char *path,
    enum vtype type, const char *target, bool follow)
{
	struct vnode *vp = path[0] == '/' || start == NULL ? vn_root(k) : start;
	char *cur = g_strdup(path);
	int loops = 0;

	/* What the trace says existed was on disk all along: no I/O. */
	ffs_offline_begin(k);
again:
	{
		char **comp = g_strsplit(cur, "/", -1), **c;

		for (c = comp; *c != NULL; c++) {
			char **rest = c + 1;
			bool last;
			struct vnode *next;

			while (*rest != NULL && (*rest)[0] == '\0')
				rest++;
			last = *rest == NULL;
			if ((*c)[0] == '\0' || strcmp(*c, ".") == 0)
				continue;
			if (vp->v_type != VDIR)
				break;
			if (strcmp(*c, "..") == 0) {
				vp = vn_get(k, vp->v_data->i_parent);
				continue;
			}
			next = vn_child(k, vp, *c);
			if (next == NULL) {
				enum vtype t = last ? type : VDIR;
				int error = t == VLNK ?
				    vn_symlink(k, vp, *c, target, &next) :
				    vn_create(k, vp, *c, t, &next);

				if (error != 0)
					break;
			}
			if (next->v_type == VLNK && (!last || follow) &&
			    loops++ < MAXSYMLINKS) {
				/* On through the link: its target, then what is
				 * left of the path. */
				const char *tg = next->v_data->i_symlink;
				GString *np = g_string_new(tg);

				for (; *rest != NULL; rest++)
					if ((*rest)[0] != '\0')
						g_string_append_printf(np, "/%s", *rest);
				if (tg[0] == '/')
					vp = vn_root(k);
				g_free(cur);
				cur = g_string_free(np, FALSE);
				g_strfreev(comp);
				goto again;
			}
			vp = next;
		}
		g_strfreev(comp);
	}
	ffs_offline_end(k);
	g_free(cur);
	return vp;
}

struct vnode *
materialize(struct kern *k, struct vnode *start, const char *path, bool want_dir)
{
	return materialize_obj(k, start, path, want_dir ? VDIR : VREG, NULL, true);
}

/* The vnode a relative path starts from: the working directory or a
 * directory descriptor.  *outside: it lies outside the simulated fs. */
static struct vnode *
start_dir(struct kern *k, struct kproc *p, int32_t dirfd, const char *fdpath,
    bool *outside)
{
	struct file *fp;

	*outside = false;
	if (dirfd == TC_AT_FDCWD || dirfd == TC_NOFD) {
		if (p->p_fd->fd_cdir == NULL)
			*outside = true;
		return p->p_fd->fd_cdir;
	}
	fp = fget(p->p_fd, dirfd);
	if (fp == NULL && annot_is_fs_path(k, fdpath)) {
		struct nameidata nd;

		if (namei(k, NULL, fdpath, &nd) == 0 && nd.ni_vp != NULL)
			return nd.ni_vp;
		return materialize(k, NULL, fdpath, true);
	}
	if (fp == NULL || fp->f_type != DTYPE_VNODE) {
		*outside = true;
		return NULL;
	}
	return fp->f_vnode;
}

/*
 * O_TRUNC and O_EXLOCK/O_SHLOCK of an open that succeeded.  RELENG_4
 * truncated inside vn_open, before taking the lock; 5.0-CURRENT takes the
 * lock first (sleeping "lockf" for it, unless O_NONBLOCK) and truncates
 * only then — the seed's fix, so that a failed non-blocking open leaves
 * the file alone.  A lock the trace got but the simulation cannot give
 * without waiting (O_NONBLOCK) is a repair.
 */
static void
open_lock_trunc(struct kern *k, struct file *fp, uint32_t of)
{
	struct vnode *vp = fp->f_vnode;
	bool trunc = (of & TO_TRUNC) && (of & TO_ACCMODE) != TO_RDONLY &&
	    vp->v_type == VREG && vn_size(vp) > 0;
	int type = (of & TO_EXLOCK) ? F_WRLCK : (of & TO_SHLOCK) ? F_RDLCK : 0;

	if (trunc && k->p.era == ERA_FREEBSD4)
		(void)vn_truncate(k, vp, 0);
	if (type != 0) {
		fp->f_flag |= FHASLOCK;
		if (lf_advlock(k, vp->v_data, fp, F_SETLK, type, 0, -1, F_FLOCK |
		    ((of & TO_NONBLOCK) ? 0 : F_WAIT)) != 0) {
			k->cnt.lock_repairs++;
			k->cnt.trace_repairs++;
		}
	}
	if (trunc && k->p.era != ERA_FREEBSD4)
		(void)vn_truncate(k, vp, 0);
}

/*
 * Linux's /proc/self/fd/N (and /proc/thread-self/fd/N, /proc/PID/fd/N for
 * the caller's own PID, /dev/fd/N, a link to /proc/self/fd): a link to
 * whatever descriptor N has open, which a path-based call reaches when it
 * follows a link at the end of its path -- chmod of /proc/self/fd/3
 * changes the file open at 3 (coreutils' and tar's fchmodat for
 * AT_SYMLINK_NOFOLLOW), open of it opens that file again, and
 * linkat(..., AT_SYMLINK_FOLLOW) gives an O_TMPFILE file its name.  (The
 * 2001 kernel's nearest is fdescfs's /dev/fd/N, open alone; the replay
 * takes the path for the file it named on the machine traced.)  The vnode
 * open at N, pinned as namei pins what it finds, or NULL: not such a
 * path, or N is no file of the simulated file system (a pipe, a socket,
 * nothing: the call passes through, as any /proc path does).
 */
static struct vnode *
fd_link(struct kern *k, struct kproc *p, const char *path)
{
	static const char *const dirs[] = { "/proc/self/fd/",
	    "/proc/thread-self/fd/", "/dev/fd/" };
	const char *s = NULL;
	struct file *fp;
	int64_t pid, fd;
	char *end;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(dirs) && s == NULL; i++)
		if (g_str_has_prefix(path, dirs[i]))
			s = path + strlen(dirs[i]);
	if (s == NULL && g_str_has_prefix(path, "/proc/") &&
	    g_ascii_isdigit(path[6])) {
		pid = g_ascii_strtoll(path + 6, &end, 10);
		if (pid == p->p_pid && g_str_has_prefix(end, "/fd/"))
			s = end + 4;
	}
	if (s == NULL || !g_ascii_isdigit(*s))
		return NULL;
	fd = g_ascii_strtoll(s, &end, 10);
	if (*end != '\0' || fd >= FD_MAX ||
	    (fp = fget(p->p_fd, (int32_t)fd)) == NULL ||
	    fp->f_type != DTYPE_VNODE || fp->f_vnode == NULL)
		return NULL;
	vn_pin(k, fp->f_vnode);
	return fp->f_vnode;
}

void
sys_open(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	uint32_t of = tc->sc == SC_CREAT ? (TO_CREAT | TO_WRONLY | TO_TRUNC) :
	    tc->oflags;
	const char *path = tc->path != NULL ? tc->path : "";
	struct nameidata nd;
	struct vnode *start, *vp = NULL, *linked = NULL;
	struct file *fp;
	bool outside;
	int error;

	out->path = path;
	out->fd = tc->ret >= 0 ? (int32_t)tc->ret : -1;
	start = start_dir(k, p, tc->sc == SC_OPENAT ? tc->fd : TC_AT_FDCWD,
	    tc->fdpath, &outside);
	/* /proc/self/fd/N: the file open at N, opened again (fd_link);
	 * followed as vn_open follows a link */
	if (path_is_passthrough(k, path) && !(of & (TO_NOFOLLOW | TO_TMPFILE)) &&
	    (of & (TO_CREAT | TO_EXCL)) != (TO_CREAT | TO_EXCL))
		linked = fd_link(k, p, path);
	if ((linked == NULL && path_is_passthrough(k, path)) ||
	    (path[0] != '/' && outside) ||
	    (tc->retpath != NULL && path_is_passthrough(k, tc->retpath))) {
		out->cls = SYS_PASSTHROUGH;
		if (tc->ret >= 0 && tc->ret < FD_MAX) {
			fp = falloc(DTYPE_PASS, oflags_to_fflag(of), NULL);
			fdinstall(k, p->p_fd, (int)tc->ret, fp,
			    (of & TO_CLOEXEC) != 0);
			fdrop(k, fp);
		}
		return;
	}
	if ((of & TO_CREAT) || (of & TO_TRUNC))
		bwillwrite(k);		/* vn_open, before namei */
	/* vn_open follows a symbolic link at the end of the path unless
	 * O_NOFOLLOW or O_CREAT|O_EXCL. */
	if (linked != NULL) {
		memset(&nd, 0, sizeof(nd));
		nd.ni_vp = linked;
		error = 0;
	} else
		error = namei_op(k, start, path, ((of & TO_CREAT) ? CREATE :
		    LOOKUP) | ((of & TO_NOFOLLOW) || (of & (TO_CREAT |
		    TO_EXCL)) == (TO_CREAT | TO_EXCL) ? NOFOLLOW : FOLLOW), &nd);
	if (tc->ret < 0) {
		/* Failed in the trace: nothing changes — except that RELENG_4
		 * truncated inside vn_open, before it tried O_EXLOCK, so an
		 * open that then could not get its lock had truncated the file
		 * anyway (5.0-CURRENT truncates only once it holds the lock). */
		if (k->p.era == ERA_FREEBSD4 && (of & TO_TRUNC) &&
		    (of & (TO_EXLOCK | TO_SHLOCK)) && tc->err == EWOULDBLOCK &&
		    (of & TO_ACCMODE) != TO_RDONLY && error == 0 &&
		    nd.ni_vp != NULL && nd.ni_vp->v_type == VREG)
			(void)vn_truncate(k, nd.ni_vp, 0);
		return;
	}
	if (tc->ret >= FD_MAX) {
		k->cnt.trace_repairs++;
		return;
	}
	if (lookup_eio(error, tc, out))
		return;
	if (of & TO_TMPFILE) {
		/* An unnamed file in the directory: create, then unlink. */
		struct vnode *dvp = error == 0 && nd.ni_vp != NULL ? nd.ni_vp :
		    materialize(k, start, path, true);
		char name[32];

		g_snprintf(name, sizeof(name), ".tmpfile.%llu",
		    (unsigned long long)k->cnt.inodes_allocated + 1);
		if (dvp->v_type != VDIR || vn_create(k, dvp, name, VREG, &vp) != 0) {
			k->cnt.trace_repairs++;
			return;
		}
		fp = file_hold(p, falloc(DTYPE_VNODE, oflags_to_fflag(of), vp));
		(void)vn_remove(k, dvp, name, false);	/* may sleep */
		goto install;
	}
	if (error == 0 && nd.ni_vp != NULL) {
		vp = nd.ni_vp;
		if ((of & (TO_CREAT | TO_EXCL)) == (TO_CREAT | TO_EXCL)) {
			/* The trace created it, so it did not exist there. */
			k->cnt.trace_repairs++;
			if (vp->v_type == VREG)
				(void)vn_truncate(k, vp, 0);
		}
	} else if (error == 0 && nd.ni_dvp != NULL && (of & TO_CREAT)) {
		int cerr = vn_create(k, nd.ni_dvp, nd.ni_last, VREG, &vp);

		if (cerr == EEXIST && namei(k, start, path, &nd) == 0 &&
		    nd.ni_vp != NULL)
			/* Another process made it while we waited for the
			 * directory: open that one, as the kernel would. */
			vp = nd.ni_vp;
		else if (cerr == EIO) {
			/* ufs_makeinode's synchronous inode write failed: no
			 * name, no descriptor */
			out->error = EIO;
			return;
		} else if (cerr != 0) {
			k->cnt.trace_repairs++;
			vp = materialize(k, start, path, false);
		}
	} else {
		/* The trace opened something this replay has not got. */
		k->cnt.trace_repairs++;
		vp = materialize(k, start, path, (of & TO_DIRECTORY) != 0);
	}
	if (VN_ISSPECIAL(vp)) {
		/* A FIFO or device (fifo_open, spec_open): the descriptor
		 * holds the vnode, but what is read and written goes through
		 * a socket buffer or a driver, not the buffer cache — it
		 * takes the trace's time; nothing to truncate. */
		fp = file_hold(p, falloc(DTYPE_PASS, oflags_to_fflag(of), vp));
		goto install;
	}
	fp = falloc(DTYPE_VNODE, oflags_to_fflag(of), vp);
	/* The lock and the truncation may sleep before a descriptor names
	 * the file: the process holds it meanwhile (a run stopped there
	 * frees it with the process, kern_shutdown). */
	(void)file_hold(p, fp);
	open_lock_trunc(k, fp, of);
install:
	if (fp->f_flag & FWRITE)
		vp->v_writecount++;
	fdinstall(k, p->p_fd, (int)tc->ret, fp, (of & TO_CLOEXEC) != 0);
	fdrop(k, fp);
}

/* Resolve a path argument; *outside when it is not in the simulated fs. */
static int
lookup(struct kern *k, struct kproc *p, int32_t dirfd, const char *fdpath,
    const char *path, int nameiop, struct nameidata *nd, struct vnode **startp,
    bool *outside)
{
	struct vnode *start = start_dir(k, p, dirfd, fdpath, outside);

	*startp = start;
	if (path_is_passthrough(k, path)) {
		struct vnode *vp = (nameiop & OPMASK) == LOOKUP &&
		    (nameiop & FOLLOW) ? fd_link(k, p, path) : NULL;

		*outside = vp == NULL;
		if (vp != NULL) {
			memset(nd, 0, sizeof(*nd));
			nd->ni_vp = vp;
		}
		return 0;
	}
	if (path[0] == '/')
		*outside = false;
	if (*outside)
		return 0;
	return namei_op(k, start, path, nameiop, nd);
}

/* Does a stat-like call follow a symbolic link at the end of its path?
 * lstat and AT_SYMLINK_NOFOLLOW do not. */
static bool
stat_follows(const struct trace_call *tc)
{
	if (tc->sc == SC_LSTAT)
		return false;
	return !(tc->atflags & TAT_SYMLINK_NOFOLLOW);
}

void
sys_stat(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata nd;
	struct vnode *start;
	bool outside;
	int32_t dirfd = TC_AT_FDCWD;
	int error;

	if (tc->sc == SC_FSTAT || ((tc->atflags & TAT_EMPTY_PATH) &&
	    (tc->path == NULL || tc->path[0] == '\0'))) {
		struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);

		out->fd = tc->fd;
		if (fp == NULL || fp->f_type != DTYPE_VNODE)
			out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->sc == SC_NEWFSTATAT || tc->sc == SC_STATX ||
	    tc->sc == SC_FACCESSAT || tc->sc == SC_FACCESSAT2)
		dirfd = tc->fd;
	out->path = tc->path;
	error = lookup(k, p, dirfd, tc->fdpath, tc->path != NULL ? tc->path : "",
	    LOOKUP | (stat_follows(tc) ? FOLLOW : NOFOLLOW), &nd, &start,
	    &outside);
	if (outside) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (lookup_eio(error, tc, out))
		return;
	if (tc->ret == 0 && (error != 0 || nd.ni_vp == NULL) && tc->path != NULL) {
		struct vnode *vp;

		k->cnt.trace_repairs++;
		if (tc->st_type == TT_LNK) {
			/* The trace saw a link (lstat): a link, of the length
			 * it showed, whatever it led to. */
			char *target = vn_unknown_target(tc->st_size);

			(void)materialize_obj(k, start, tc->path, VLNK, target,
			    false);
			g_free(target);
			return;
		}
		vp = materialize_obj(k, start, tc->path, tc->st_type == TT_DIR ?
		    VDIR : VREG, NULL, stat_follows(tc));
		if (tc->st_size > 0 && vp->v_type == VREG)
			ensure_size(k, vp, tc->st_size);
	} else if (tc->ret == 0 && nd.ni_vp != NULL) {
		struct vattr va;

		vn_stat(k, nd.ni_vp, &va);	/* VOP_GETATTR: no I/O */
		/* The trace saw more data than there is here (a link's
		 * size is its target's length, not data to grow). */
		if (va.va_type == VREG && tc->st_type == TT_REG &&
		    tc->st_size > va.va_size)
			ensure_size(k, nd.ni_vp, tc->st_size);
	}
}

void
sys_unlink(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata nd;
	struct vnode *start;
	bool outside, isdir = tc->sc == SC_RMDIR ||
	    (tc->sc == SC_UNLINKAT && (tc->atflags & TAT_REMOVEDIR));
	int error;

	out->path = tc->path;
	bwillwrite(k);
	error = lookup(k, p, tc->sc == SC_UNLINKAT ? tc->fd : TC_AT_FDCWD,
	    tc->fdpath, tc->path != NULL ? tc->path : "", DELETE, &nd, &start,
	    &outside);
	if (outside) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->ret != 0 || lookup_eio(error, tc, out))
		return;
	if (error != 0 || nd.ni_vp == NULL || nd.ni_dvp == NULL ||
	    nd.ni_vp == nd.ni_dvp)
		k->cnt.trace_repairs++;
	else if ((error = vn_remove(k, nd.ni_dvp, nd.ni_last, isdir)) == EIO)
		out->error = EIO;	/* the directory block's write */
	else if (error != 0)
		k->cnt.trace_repairs++;
}

/*
 * The start of mkdir(2), mknod(2) and symlink(2): bwillwrite, then namei
 * CREATE of the new name (from dirfd for the *at forms).  false: nothing
 * more to do — the name is outside the simulated file system (passed
 * through), the call failed in the trace, or the lookup's read failed
 * (lookup_eio).
 */
static bool
create_begin(struct kern *k, struct kproc *p, const struct trace_call *tc,
    int32_t dirfd, const char *name, struct nameidata *nd,
    struct vnode **start, int *error, struct sys_outcome *out)
{
	bool outside;

	out->path = name;
	bwillwrite(k);
	*error = lookup(k, p, dirfd, tc->fdpath, name != NULL ? name : "",
	    CREATE, nd, start, &outside);
	if (outside) {
		out->cls = SYS_PASSTHROUGH;
		return false;
	}
	return tc->ret == 0 && !lookup_eio(*error, tc, out);
}

void
sys_mkdir(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata nd;
	struct vnode *start, *vp;
	int error;

	if (!create_begin(k, p, tc, tc->sc == SC_MKDIRAT ? tc->fd : TC_AT_FDCWD,
	    tc->path, &nd, &start, &error, out))
		return;
	if (error == 0 && nd.ni_vp == NULL && nd.ni_dvp != NULL &&
	    (error = vn_create(k, nd.ni_dvp, nd.ni_last, VDIR, &vp)) == EIO) {
		out->error = EIO;	/* a synchronous write: no directory */
		return;
	}
	if (error != 0 || nd.ni_vp != NULL || nd.ni_dvp == NULL) {
		k->cnt.trace_repairs++;
		(void)materialize_obj(k, start, tc->path, VDIR, NULL, false);
	}
}

/*
 * mknod(2) and mkfifo(2) — Linux's mknod and mknodat are both: bwillwrite,
 * namei CREATE (not following a link at the end), then VOP_MKNOD
 * (ufs_mknod) for a FIFO, socket or device node.  Linux's mknod of a
 * regular file (S_IFREG, or no type) had no 2001 counterpart (FreeBSD's
 * mknod refused it): a program made it with open(O_CREAT|O_EXCL) and
 * close, VOP_CREATE.  A node the replay has already is a repair.
 */
void
sys_mknod(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	static const enum vtype types[] = { [TT_FIFO] = VFIFO,
	    [TT_SOCK] = VSOCK, [TT_CHR] = VCHR, [TT_BLK] = VBLK };
	enum vtype type = tc->st_type < G_N_ELEMENTS(types) &&
	    types[tc->st_type] != VNON ? types[tc->st_type] : VREG;
	struct nameidata nd;
	struct vnode *start, *vp;
	int error;

	if (!create_begin(k, p, tc, tc->sc == SC_MKNODAT ? tc->fd : TC_AT_FDCWD,
	    tc->path, &nd, &start, &error, out))
		return;
	if (error != 0 || nd.ni_vp != NULL || nd.ni_dvp == NULL) {
		k->cnt.trace_repairs++;
		return;
	}
	error = type == VREG ? vn_create(k, nd.ni_dvp, nd.ni_last, VREG, &vp) :
	    vn_mknod(k, nd.ni_dvp, nd.ni_last, type, &vp);
	if (error == EIO)
		out->error = EIO;	/* the inode's write: no name */
	else if (error != 0)
		k->cnt.trace_repairs++;
}

void
sys_rename(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata fnd, tnd;
	struct vnode *fstart, *tstart;
	bool fout, tout;
	int ferr, terr;
	unsigned flags = 0;

	out->path = tc->path;
	bwillwrite(k);
	ferr = lookup(k, p, tc->sc == SC_RENAME ? TC_AT_FDCWD : tc->fd,
	    tc->fdpath, tc->path != NULL ? tc->path : "", DELETE, &fnd, &fstart,
	    &fout);
	terr = lookup(k, p, tc->sc == SC_RENAME ? TC_AT_FDCWD : tc->fd2,
	    tc->fdpath2, tc->path2 != NULL ? tc->path2 : "", RENAME, &tnd, &tstart,
	    &tout);
	if (fout || tout) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->ret != 0 || lookup_eio(ferr, tc, out) ||
	    lookup_eio(terr, tc, out))
		return;
	if (tc->xflags & TX_RENAME_NOREPLACE)
		flags |= VN_RENAME_NOREPLACE;
	if (tc->xflags & TX_RENAME_EXCHANGE)
		flags |= VN_RENAME_EXCHANGE;
	if (ferr != 0 || fnd.ni_vp == NULL) {
		/* The source this replay lacks: make it, then move it. */
		k->cnt.trace_repairs++;
		(void)materialize_obj(k, fstart, tc->path, VREG, NULL, false);
		ferr = namei_op(k, fstart, tc->path, LOOKUP, &fnd);
	}
	if (terr != 0 || tnd.ni_dvp == NULL) {
		k->cnt.trace_repairs++;
		(void)materialize_obj(k, tstart, tc->path2, VREG, NULL, false);
		terr = namei_op(k, tstart, tc->path2, LOOKUP, &tnd);
	}
	if (ferr != 0 || terr != 0 || fnd.ni_dvp == NULL || tnd.ni_dvp == NULL ||
	    vn_rename(k, fnd.ni_dvp, fnd.ni_last, tnd.ni_dvp, tnd.ni_last,
	    flags) != 0)
		k->cnt.trace_repairs++;
}

void
sys_truncate(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct vnode *vp = NULL;

	if (tc->sc == SC_FTRUNCATE) {
		struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);

		out->fd = tc->fd;
		if (fp == NULL || fp->f_type != DTYPE_VNODE) {
			out->cls = SYS_PASSTHROUGH;
			return;
		}
		vp = fp->f_vnode;
	} else {
		struct nameidata nd;
		struct vnode *start;
		bool outside;
		int error;

		out->path = tc->path;
		error = lookup(k, p, TC_AT_FDCWD, tc->fdpath,
		    tc->path != NULL ? tc->path : "", LOOKUP | FOLLOW, &nd,
		    &start, &outside);
		if (outside) {
			out->cls = SYS_PASSTHROUGH;
			return;
		}
		if (tc->ret != 0 || lookup_eio(error, tc, out))
			return;
		if (error != 0 || nd.ni_vp == NULL) {
			k->cnt.trace_repairs++;
			vp = materialize(k, start, tc->path, false);
		} else
			vp = nd.ni_vp;
	}
	if (tc->ret == 0 && tc->off >= 0 && vp->v_type == VREG) {
		bwillwrite(k);
		(void)vn_truncate(k, vp, tc->off);
	}
}

void
sys_chdir(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct vnode *vp = NULL;

	if (tc->sc == SC_FCHDIR) {
		struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);

		out->fd = tc->fd;
		if (fp == NULL || fp->f_type != DTYPE_VNODE) {
			out->cls = SYS_PASSTHROUGH;
			if (tc->ret == 0 && p->p_fd->fd_cdir != NULL) {
				vrele(k, p->p_fd->fd_cdir);
				p->p_fd->fd_cdir = NULL;
			}
			return;
		}
		vp = fp->f_vnode;
	} else {
		struct nameidata nd;
		struct vnode *start;
		bool outside;
		int error;

		out->path = tc->path;
		error = lookup(k, p, TC_AT_FDCWD, NULL,
		    tc->path != NULL ? tc->path : "", LOOKUP | FOLLOW, &nd,
		    &start, &outside);
		if (outside) {
			out->cls = SYS_PASSTHROUGH;
			if (tc->ret == 0 && p->p_fd->fd_cdir != NULL) {
				vrele(k, p->p_fd->fd_cdir);
				p->p_fd->fd_cdir = NULL;	/* outside the fs */
			}
			return;
		}
		if (tc->ret != 0 || lookup_eio(error, tc, out))
			return;
		if (error != 0 || nd.ni_vp == NULL || nd.ni_vp->v_type != VDIR) {
			k->cnt.trace_repairs++;
			vp = materialize(k, start, tc->path, true);
		} else
			vp = nd.ni_vp;
	}
	if (tc->ret == 0 && vp->v_type == VDIR)
		fdchdir(k, p->p_fd, vp);
}

/*
 * getcwd(3) as FreeBSD's libc of 2001 ran it.  First the kernel's
 * __getcwd, which answers from the name cache alone (cache_getcwd): a
 * working directory reached by name (chdir, or names looked up through
 * it) is there, each level named in its parent.  When it fails (a level
 * no lookup entered: a process started in a directory of a machine just
 * booted), libc walks up itself, every step a system call (cpu.syscall):
 * stat("/"); then at each level lstat of it ("."; "..", "../..", ...: a
 * lookup of as many ".." from the working directory), opendir of its
 * parent (its path one ".." longer: open, fstat, fcntl F_SETFD and
 * fstatfs, __opendir2's calls) and readdir — getdirentries of a page at a
 * time — until the entry of the level's inode, then closedir; the lstat
 * that finds the root ends it.  The directories' blocks are read as any
 * reader's.  Outside the simulated file system the call passes through; a
 * traced failure costs the call alone.
 */
#define	LIBC_DIRBUF	4096	/* opendir's buffer: getpagesize() */

static int64_t
entry_chunk(struct inode *dp, struct inode *ip)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, dp->i_dir->d_names);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct direntry *de = v;

		if (de->de_ip == ip)
			return de->de_chunk;
	}
	return dp->i_size / DIRBLKSIZ;	/* not there: to the end */
}

static void
libc_getcwd(struct kern *k, struct vnode *cwd)
{
	struct vnode *root = vn_root(k);
	GString *up = g_string_new(".");
	struct nameidata nd;
	int depth;

	kern_cpu(k, k->p.cpu_syscall);			/* stat("/") */
	/* (libc's "../../.." outgrows MAXPATHLEN, 1,024, at 341 levels) */
	for (depth = 0; depth < 341; depth++) {
		struct vnode *lvl, *dvp;
		int64_t off = 0, want;

		kern_cpu(k, k->p.cpu_syscall);		/* lstat(up) */
		if (namei_op(k, cwd, up->str, LOOKUP | NOFOLLOW, &nd) != 0 ||
		    (lvl = nd.ni_vp) == NULL || lvl == root)
			break;
		if (depth == 0)
			g_string_assign(up, "..");
		else
			g_string_append(up, "/..");
		kern_cpu(k, k->p.cpu_syscall);		/* open(up) */
		if (namei_op(k, cwd, up->str, LOOKUP | FOLLOW, &nd) != 0 ||
		    (dvp = nd.ni_vp) == NULL || dvp->v_type != VDIR)
			break;
		/* fstat, fcntl, fstatfs */
		kern_cpu(k, 3 * k->p.cpu_syscall);
		want = entry_chunk(dvp->v_data, lvl->v_data) * DIRBLKSIZ;
		(void)vn_lock(k, dvp, LK_EXCLUSIVE);
		while (off <= want && off < dvp->v_data->i_size) {
			int64_t next;

			kern_cpu(k, k->p.cpu_syscall);	/* getdirentries */
			if (ufs_readdir(k, dvp, off, LIBC_DIRBUF, &next) != 0 ||
			    next <= off)
				break;
			off = next;
		}
		VOP_UNLOCK(k, dvp);
		kern_cpu(k, k->p.cpu_syscall);		/* closedir: close */
	}
	g_string_free(up, TRUE);
}

void
sys_getcwd(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct vnode *cwd = p->p_fd->fd_cdir;

	if (cwd == NULL) {
		out->cls = SYS_PASSTHROUGH;	/* outside the fs */
		return;
	}
	if (tc->ret < 0 && !tc->ret_unknown)
		return;
	if (cache_getcwd(k, cwd) != 0)
		libc_getcwd(k, cwd);
}

/*
 * getdirentries(2) (kern_getdirentries: libc's has the name), a program's
 * getdents64 on the 2001 kernel: under the directory's exclusive lock,
 * VOP_READDIR (ufs_readdir: the directory's blocks read through the
 * buffer cache as a file's, its access time marked) of the caller's
 * count at the descriptor's offset, which moves past what was read.
 *
 * How much one traced call reads: the count the program asked for, as
 * getdirentries reads that many bytes of the directory (at least a
 * DIRBLKSIZ chunk: readdir(3)'s buffer is never less).  Linux's entries
 * are bigger than UFS's and its directories are not laid out as the
 * simulated one, so the traced call that returned 0 — the end, for the
 * program — reads what the simulated directory still holds, and calls
 * past the simulated directory's end read nothing: a listing reads the
 * whole directory once, a program that stops early (the first call
 * only) reads the first count bytes.
 */
static int
kern_getdirentries(struct kern *k, struct file *fp, const struct trace_call *tc)
{
	struct vnode *vp = fp->f_vnode;
	struct inode *ip = vp->v_data;
	int64_t count;
	int error;

	if (vp->v_type != VDIR || tc->ret < 0)
		return 0;
	if (tc->ret == 0)
		count = ip->i_size - fp->f_offset;
	else
		count = MAX(tc->len, DIRBLKSIZ);
	if (count <= 0)
		return 0;
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	error = ufs_readdir(k, vp, fp->f_offset, count, &fp->f_offset);
	VOP_UNLOCK(k, vp);
	return error;
}

/* Calls that use a descriptor and only cost the call itself here. */
int
kern_fsync(struct kern *k, struct file *fp)
{
	int error;

	(void)vn_lock(k, fp->f_vnode, LK_EXCLUSIVE);
	/* fsync(2): mapped pages put back first, then VOP_FSYNC */
	vm_object_page_clean(k, fp->f_vnode, 0, 0, 0);
	error = io_error(VOP_FSYNC(k, fp->f_vnode, MNT_WAIT));
	/* Soft updates: the file's new names too (fsync(2)'s
	 * bioops.io_fsync, softdep_fsync); then the promise holds. */
	if (error == 0 && DOINGSOFTDEP(k)) {
		softdep_fsync(k, fp->f_vnode);
		if (k->crash != NULL && fp->f_vnode->v_data != NULL)
			ffs_crash_synced(k, fp->f_vnode->v_data);
	}
	VOP_UNLOCK(k, fp->f_vnode);
	return error;
}

void
sys_fdonly(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);

	out->fd = tc->fd;
	if (fp == NULL || fp->f_type != DTYPE_VNODE) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->ret < 0)
		return;
	switch (tc->sc) {
	case SC_LSEEK:
		fp->f_offset = tc->ret;
		break;
	case SC_FSYNC:
	case SC_FDATASYNC:
		out->error = kern_fsync(k, fp);
		break;
	case SC_SYNC_FILE_RANGE:
		/*
		 * Linux's sync_file_range has no 2001 counterpart: what the
		 * kernel could do for a program that wants a file's data
		 * started (SYNC_FILE_RANGE_WRITE) is VOP_FSYNC with
		 * MNT_NOWAIT, as sync(2) does a file at a time — clustered
		 * writes of all of its dirty buffers begun, nothing waited
		 * for; one that also waits (WAIT_AFTER) is fsync(2).  The
		 * whole file, not the range: 2001's fsync knew no range.
		 */
		if ((tc->arg & (SFR_WRITE | SFR_WAIT_AFTER)) == 0)
			break;
		(void)vn_lock(k, fp->f_vnode, LK_EXCLUSIVE);
		vm_object_page_clean(k, fp->f_vnode, 0, 0, 0);
		out->error = io_error(VOP_FSYNC(k, fp->f_vnode,
		    (tc->arg & SFR_WAIT_AFTER) ? MNT_WAIT : MNT_NOWAIT));
		VOP_UNLOCK(k, fp->f_vnode);
		break;
	case SC_SYNCFS:
		/* Linux's syncfs(fd): 2001 had only sync(2), which is what
		 * it does here (the one simulated file system). */
		if (!vn_write_suspended(k)) {
			vfs_msync(k, MNT_NOWAIT);
			vn_sync_all(k, MNT_NOWAIT);
		}
		break;
	case SC_GETDENTS64:
		out->error = io_error(kern_getdirentries(k, fp, tc));
		break;
	case SC_FLOCK: {
		struct inode *ip = fp->f_vnode->v_data;
		int type = (tc->xflags & TX_LOCK_UN) ? F_UNLCK :
		    (tc->xflags & TX_LOCK_EX) ? F_WRLCK : F_RDLCK;

		if (type == F_UNLCK) {
			fp->f_flag &= ~FHASLOCK;
			(void)lf_advlock(k, ip, fp, F_SETLK, F_UNLCK, 0, -1, F_FLOCK);
			break;
		}
		fp->f_flag |= FHASLOCK;
		if (lf_advlock(k, ip, fp, F_SETLK, type, 0, -1, F_FLOCK |
		    ((tc->xflags & TX_LOCK_NB) ? 0 : F_WAIT)) != 0) {
			/* The trace got it; here someone holds it. */
			k->cnt.lock_repairs++;
			k->cnt.trace_repairs++;
		}
		break;
	}
	default:
		break;
	}
}

/*
 * link(2): the file is looked up (following a symbolic link, as FreeBSD's
 * link did; linkat only with AT_SYMLINK_FOLLOW), then the new name's
 * directory, and ufs_link gives the file another name: its link count up
 * and its inode written, then the directory entry (vn_link).
 */
void
sys_link(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	bool at = tc->sc == SC_LINKAT;
	int follow = !at || (tc->atflags & TAT_SYMLINK_FOLLOW) ? FOLLOW : NOFOLLOW;
	struct nameidata fnd, tnd;
	struct vnode *fstart, *tstart;
	bool fout, tout;
	int ferr, terr;

	out->path = tc->path2;
	bwillwrite(k);
	ferr = lookup(k, p, at ? tc->fd : TC_AT_FDCWD, tc->fdpath,
	    tc->path != NULL ? tc->path : "", LOOKUP | follow, &fnd, &fstart,
	    &fout);
	terr = lookup(k, p, at ? tc->fd2 : TC_AT_FDCWD, tc->fdpath2,
	    tc->path2 != NULL ? tc->path2 : "", CREATE, &tnd, &tstart, &tout);
	if (fout || tout) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->ret != 0 || tc->path == NULL || tc->path2 == NULL ||
	    lookup_eio(ferr, tc, out) || lookup_eio(terr, tc, out))
		return;
	if (ferr != 0 || fnd.ni_vp == NULL) {
		/* The file this replay lacks was there all along. */
		k->cnt.trace_repairs++;
		(void)materialize_obj(k, fstart, tc->path, VREG, NULL,
		    follow == FOLLOW);
		ferr = namei_op(k, fstart, tc->path, LOOKUP | follow, &fnd);
	}
	if (ferr != 0 || fnd.ni_vp == NULL || terr != 0 || tnd.ni_dvp == NULL)
		k->cnt.trace_repairs++;
	else if ((ferr = vn_link(k, fnd.ni_vp, tnd.ni_dvp, tnd.ni_last)) == EIO)
		out->error = EIO;	/* the inode's write: no name */
	else if (ferr != 0)
		k->cnt.trace_repairs++;
}

/*
 * symlink(2): the new name's directory looked up, and ufs_symlink makes
 * the link — an inode written, the name entered, then the target: in the
 * inode when short, in a block when long (vn_symlink).
 */
void
sys_symlink(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata nd;
	struct vnode *start, *vp;
	int error;

	if (!create_begin(k, p, tc, tc->sc == SC_SYMLINKAT ? tc->fd :
	    TC_AT_FDCWD, tc->path2, &nd, &start, &error, out) ||
	    tc->path == NULL || tc->path2 == NULL)
		return;
	if (error != 0 || nd.ni_dvp == NULL || nd.ni_vp != NULL)
		k->cnt.trace_repairs++;
	else if ((error = vn_symlink(k, nd.ni_dvp, nd.ni_last, tc->path,
	    &vp)) == EIO)
		out->error = EIO;	/* the inode's write: no name */
	else if (error != 0)
		k->cnt.trace_repairs++;
}

/*
 * readlink(2): the name looked up without following it, then
 * VOP_READLINK.  A link the trace read that this replay lacks is made,
 * with the contents strace showed — or, when it showed them cut short,
 * as many '?' as the link's length (vn_unknown_target).  A failed
 * readlink (EINVAL: not a link) still made its lookup.
 */
void
sys_readlink(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata nd;
	struct vnode *start;
	bool outside;
	int error;

	out->path = tc->path;
	error = lookup(k, p, tc->sc == SC_READLINKAT ? tc->fd : TC_AT_FDCWD,
	    tc->fdpath, tc->path != NULL ? tc->path : "", LOOKUP | NOFOLLOW, &nd,
	    &start, &outside);
	if (outside) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	if (tc->ret < 0 || tc->path == NULL || lookup_eio(error, tc, out))
		return;
	out->bytes = tc->ret;
	if (error == 0 && nd.ni_vp != NULL && nd.ni_vp->v_type == VLNK) {
		(void)vn_readlink(k, nd.ni_vp);
		return;
	}
	k->cnt.trace_repairs++;
	if (error == 0 && nd.ni_vp == NULL) {
		bool whole = tc->path2 != NULL &&
		    (int64_t)strlen(tc->path2) == tc->ret && tc->ret > 0;
		char *target = whole ? g_strdup(tc->path2) :
		    vn_unknown_target(tc->ret);

		(void)materialize_obj(k, start, tc->path, VLNK, target, false);
		g_free(target);
	}
	/* else something else stands there: the trace's link is not made */
}

/*
 * chmod, chown, utimes and their kin (setfmode, setfown, setutimes): the
 * file found by its descriptor or its path (following a link but for
 * lchown and AT_SYMLINK_NOFOLLOW), locked, and VOP_SETATTR (vn_setattr).
 * utimensat(fd, NULL) is futimens.
 */
void
sys_setattr(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	int what = VA_TIMES;
	struct vnode *vp;

	switch ((enum sc_id)tc->sc) {
	case SC_CHMOD: case SC_FCHMOD: case SC_FCHMODAT: case SC_FCHMODAT2:
		what = VA_MODE;
		break;
	case SC_CHOWN: case SC_FCHOWN: case SC_LCHOWN: case SC_FCHOWNAT:
		what = VA_OWNER;
		break;
	default:
		break;
	}
	if (tc->sc == SC_FCHMOD || tc->sc == SC_FCHOWN ||
	    (tc->sc == SC_UTIMENSAT && (tc->path == NULL ||
	    (tc->path[0] == '\0' && (tc->atflags & TAT_EMPTY_PATH))))) {
		struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);

		out->fd = tc->fd;
		if (fp == NULL || fp->f_type != DTYPE_VNODE) {
			out->cls = SYS_PASSTHROUGH;
			return;
		}
		vp = fp->f_vnode;
	} else {
		bool at = tc->sc == SC_FCHMODAT || tc->sc == SC_FCHMODAT2 ||
		    tc->sc == SC_FCHOWNAT || tc->sc == SC_UTIMENSAT ||
		    tc->sc == SC_FUTIMESAT;
		bool follow = tc->sc != SC_LCHOWN &&
		    !(tc->atflags & TAT_SYMLINK_NOFOLLOW);
		struct nameidata nd;
		struct vnode *start;
		bool outside;
		int error;

		out->path = tc->path;
		error = lookup(k, p, at ? tc->fd : TC_AT_FDCWD, tc->fdpath,
		    tc->path != NULL ? tc->path : "", LOOKUP |
		    (follow ? FOLLOW : NOFOLLOW), &nd, &start, &outside);
		if (outside) {
			out->cls = SYS_PASSTHROUGH;
			return;
		}
		if (tc->ret != 0 || tc->path == NULL ||
		    lookup_eio(error, tc, out))
			return;
		if (error != 0 || nd.ni_vp == NULL) {
			k->cnt.trace_repairs++;
			vp = materialize_obj(k, start, tc->path, VREG, NULL, follow);
		} else
			vp = nd.ni_vp;
	}
	if (tc->ret != 0 || vp->v_data == NULL)
		return;
	(void)vn_lock(k, vp, LK_EXCLUSIVE);
	if (vn_setattr(k, vp, what) != 0)
		k->cnt.trace_repairs++;
	VOP_UNLOCK(k, vp);
}

/*
 * Calls that cost the system call (and the lookup of their path, if they
 * have one) and nothing else here: statfs/fstatfs (ffs_statfs answers
 * from the in-core superblock: no I/O); fadvise64, which FreeBSD of 2001
 * did not have (posix_fadvise came years later), so the advice changes
 * nothing; ioctl on a file or directory (vn_ioctl: FIONREAD from
 * VOP_GETATTR, FIONBIO and FIOASYNC nothing, the rest — isatty's TIOCGETA
 * — ENOTTY; on anything else, a terminal or a socket, it passes
 * through); and the extended-attribute calls — UFS1's extended attributes
 * (UFS_EXTATTR) were an option GENERIC kernels did not have, so the call
 * looks its file up and fails with EOPNOTSUPP, no I/O of its own.
 */
void
sys_cpuonly(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct nameidata nd;
	struct vnode *start;
	bool outside;
	int error;

	switch ((enum sc_id)tc->sc) {
	case SC_STATFS: case SC_GETXATTR: case SC_LGETXATTR: case SC_SETXATTR:
	case SC_LSETXATTR: case SC_LISTXATTR: case SC_LLISTXATTR:
	case SC_REMOVEXATTR: case SC_LREMOVEXATTR: {
		bool follow = tc->sc != SC_LGETXATTR && tc->sc != SC_LSETXATTR &&
		    tc->sc != SC_LLISTXATTR && tc->sc != SC_LREMOVEXATTR;

		out->path = tc->path;
		error = lookup(k, p, TC_AT_FDCWD, tc->fdpath, tc->path != NULL ?
		    tc->path : "", LOOKUP | (follow ? FOLLOW : NOFOLLOW), &nd,
		    &start, &outside);
		if (outside)
			out->cls = SYS_PASSTHROUGH;
		else
			(void)lookup_eio(error, tc, out);
		break;
	}
	default: {
		struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);

		out->fd = tc->fd;
		if (fp == NULL || fp->f_type != DTYPE_VNODE)
			out->cls = SYS_PASSTHROUGH;
		break;
	}
	}
}

/*
 * fallocate: no such call in 2001.  What a program had to do instead is
 * what is replayed: allocation by writes of zeros over the holes of the
 * range and the part past the end of the file (blocks already there are
 * left alone), through ffs_write like any write; with FALLOC_FL_KEEP_SIZE
 * only the holes inside the file (FFS keeps no blocks past a file's end).
 * Punching a hole, zeroing or shifting a range writes zeros over it
 * within the file.
 */
void
sys_fallocate(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct file *fp = getfile(k, p, tc->fd, tc->fdpath, tc->fd_deleted);
	struct vnode *vp;
	struct inode *ip;
	struct fs *fs = &k->fs;
	bool keep = (tc->xflags & TX_FALLOC_KEEP_SIZE) != 0;
	int64_t lo = tc->off, hi, size, lbn, run = -1;

	out->fd = tc->fd;
	if (fp == NULL || fp->f_type != DTYPE_VNODE) {
		out->cls = SYS_PASSTHROUGH;
		return;
	}
	vp = fp->f_vnode;
	if (tc->ret != 0 || vp->v_type != VREG || lo < 0 || tc->len <= 0 ||
	    lo > INT64_MAX / 4 || tc->len > INT64_MAX / 4) {
		if (tc->ret == 0 && vp->v_type == VREG)
			k->cnt.trace_repairs++;		/* not believable */
		return;
	}
	ip = vp->v_data;
	size = ip->i_size;
	hi = lo + tc->len;
	out->off = lo;
	out->bytes = tc->len;
	if (tc->xflags & (TX_FALLOC_PUNCH_HOLE | TX_FALLOC_ZERO_RANGE |
	    TX_FALLOC_OTHER)) {
		if (keep || !(tc->xflags & TX_FALLOC_ZERO_RANGE))
			hi = MIN(hi, size);
		if (hi > lo)
			(void)vn_write(k, vp, lo, hi - lo,
			    sequential_heuristic(fp, lo, hi - lo));
		return;
	}
	if (keep)
		hi = MIN(hi, size);
	/* Runs of blocks not there: past the end, or holes. */
	for (lbn = lblkno(fs, lo); lo < hi && lbn <= lblkno(fs, hi - 1); lbn++) {
		bool missing = lblktosize(fs, lbn) >= size ||
		    ffs_bmap(k, ip, lbn) < 0;

		if (missing && run < 0)
			run = lbn;
		if (!missing && run >= 0) {
			int64_t a = MAX(lblktosize(fs, run), lo);
			int64_t b = MIN(lblktosize(fs, lbn), hi);

			(void)vn_write(k, vp, a, b - a,
			    sequential_heuristic(fp, a, b - a));
			run = -1;
		}
	}
	if (run >= 0) {
		int64_t a = MAX(lblktosize(fs, run), lo);

		(void)vn_write(k, vp, a, hi - a, sequential_heuristic(fp, a, hi - a));
	}
}
