/*
 * syscalls.c — the system-call layer's dispatcher: one traced call
 * replayed against the simulated kernel (the part of syscall() in 2001's
 * i386/trap.c that sends a call to its handler).  The handlers live where
 * the 2001 kernel had them (syscalls_private.h lists the files).
 *
 * Every call first pays cpu.syscall.  Calls on descriptors or paths that
 * are not files of the simulated file system are passed through: they take
 * the time the trace shows (the caller does that) and touch nothing here.
 */
#include "syscalls_private.h"
#include "kassert.h"

#include <string.h>

bool
path_is_passthrough(const struct kern *k, const char *path)
{
	char **pp;

	if (path == NULL || path[0] != '/')
		return false;
	for (pp = k->p.passthrough; *pp != NULL; pp++) {
		size_t n = strlen(*pp);

		if (n == 0)
			continue;
		if (strncmp(path, *pp, n) == 0 &&
		    (path[n] == '\0' || path[n] == '/' || (*pp)[n - 1] == '/'))
			return true;
	}
	return false;
}

/* Does the call change the name space or truncate (vn_start_write)? */
static bool
gates_writes(const struct trace_call *tc)
{
	switch ((enum sc_id)tc->sc) {
	case SC_OPEN: case SC_OPENAT: case SC_CREAT:
		return tc->sc == SC_CREAT || (tc->oflags & (TO_CREAT | TO_TRUNC));
	case SC_UNLINK: case SC_UNLINKAT: case SC_RMDIR:
	case SC_RENAME: case SC_RENAMEAT: case SC_RENAMEAT2:
	case SC_MKDIR: case SC_MKDIRAT: case SC_MKNOD: case SC_MKNODAT:
	case SC_LINK: case SC_LINKAT: case SC_SYMLINK: case SC_SYMLINKAT:
	case SC_CHMOD: case SC_FCHMOD: case SC_FCHMODAT: case SC_FCHMODAT2:
	case SC_CHOWN: case SC_FCHOWN: case SC_LCHOWN: case SC_FCHOWNAT:
	case SC_UTIMENSAT: case SC_UTIMES: case SC_UTIME: case SC_FUTIMESAT:
	case SC_FTRUNCATE: case SC_TRUNCATE: case SC_MSYNC:
	case SC_FSYNC: case SC_FDATASYNC:	/* fsync(2) gates itself too */
	case SC_SYNC_FILE_RANGE:
		return true;
	default:
		return false;
	}
}

bool
syscall_modelled(enum sc_id sc)
{
	return sc != SC_OTHER && sc < SC__COUNT;
}

void
syscall_replay(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	bool gated;

	out->cls = SYS_SIMULATED;
	out->fd = -1;
	out->off = -1;
	out->bytes = -1;
	out->path = NULL;
	out->error = 0;
	kern_cpu(k, k->p.cpu_syscall);

	/* vn_start_write: operations that change the name space wait while
	 * the file system is suspended (writes gate themselves in vn_write). */
	gated = gates_writes(tc);
	if (gated)
		vn_start_write(k);
	switch ((enum sc_id)tc->sc) {
	case SC_OPEN: case SC_OPENAT: case SC_CREAT:
		sys_open(k, p, tc, out);
		break;
	case SC_CLOSE:
		sys_close(k, p, tc, out);
		break;
	case SC_CLOSE_RANGE:
		sys_close_range(k, p, tc, out);
		break;
	case SC_READ: case SC_PREAD: case SC_READV: case SC_PREADV:
		sys_rw(k, p, tc, out, false);
		break;
	case SC_WRITE: case SC_PWRITE: case SC_WRITEV: case SC_PWRITEV:
		sys_rw(k, p, tc, out, true);
		break;
	case SC_LSEEK: case SC_FSYNC: case SC_FDATASYNC: case SC_GETDENTS64:
	case SC_FLOCK: case SC_SYNCFS: case SC_SYNC_FILE_RANGE:
		sys_fdonly(k, p, tc, out);
		break;
	case SC_SYNC:
		/* sync(2) passes over a suspended file system
		 * (vn_start_write with V_NOWAIT fails) */
		if (!vn_write_suspended(k)) {
			vfs_msync(k, MNT_NOWAIT);
			vn_sync_all(k, MNT_NOWAIT);
		}
		break;
	case SC_STAT: case SC_LSTAT: case SC_FSTAT: case SC_NEWFSTATAT:
	case SC_STATX: case SC_ACCESS: case SC_FACCESSAT: case SC_FACCESSAT2:
		sys_stat(k, p, tc, out);
		break;
	case SC_UNLINK: case SC_UNLINKAT: case SC_RMDIR:
		sys_unlink(k, p, tc, out);
		break;
	case SC_RENAME: case SC_RENAMEAT: case SC_RENAMEAT2:
		sys_rename(k, p, tc, out);
		break;
	case SC_MKDIR: case SC_MKDIRAT:
		sys_mkdir(k, p, tc, out);
		break;
	case SC_MKNOD: case SC_MKNODAT:
		sys_mknod(k, p, tc, out);
		break;
	case SC_LINK: case SC_LINKAT:
		sys_link(k, p, tc, out);
		break;
	case SC_SYMLINK: case SC_SYMLINKAT:
		sys_symlink(k, p, tc, out);
		break;
	case SC_READLINK: case SC_READLINKAT:
		sys_readlink(k, p, tc, out);
		break;
	case SC_CHMOD: case SC_FCHMOD: case SC_FCHMODAT: case SC_FCHMODAT2:
	case SC_CHOWN: case SC_FCHOWN: case SC_LCHOWN: case SC_FCHOWNAT:
	case SC_UTIMENSAT: case SC_UTIMES: case SC_UTIME: case SC_FUTIMESAT:
		sys_setattr(k, p, tc, out);
		break;
	case SC_STATFS: case SC_FSTATFS: case SC_FADVISE64: case SC_IOCTL:
	case SC_READAHEAD:
	case SC_GETXATTR: case SC_LGETXATTR: case SC_FGETXATTR:
	case SC_SETXATTR: case SC_LSETXATTR: case SC_FSETXATTR:
	case SC_LISTXATTR: case SC_LLISTXATTR: case SC_FLISTXATTR:
	case SC_REMOVEXATTR: case SC_LREMOVEXATTR: case SC_FREMOVEXATTR:
		sys_cpuonly(k, p, tc, out);
		break;
	case SC_COPY_FILE_RANGE: case SC_SENDFILE: case SC_SPLICE:
		sys_copy(k, p, tc, out);
		break;
	case SC_FALLOCATE:
		sys_fallocate(k, p, tc, out);
		break;
	case SC_MMAP:
		sys_mmap(k, p, tc, out);
		break;
	case SC_MUNMAP:
		sys_munmap(k, p, tc, out);
		break;
	case SC_MSYNC:
		sys_msync(k, p, tc, out);
		break;
	case SC_FTRUNCATE: case SC_TRUNCATE:
		sys_truncate(k, p, tc, out);
		break;
	case SC_IO_SUBMIT:
		sys_io_submit(k, p, tc, out);
		break;
	case SC_IO_GETEVENTS:
		sys_io_getevents(k, p, tc, out);
		break;
	case SC_IO_DESTROY:
		sys_io_destroy(k, p, tc, out);
		break;
	case SC_DUP: case SC_DUP2: case SC_DUP3:
		sys_dup(k, p, tc, out);
		break;
	case SC_FCNTL:
		sys_fcntl(k, p, tc, out);
		break;
	case SC_CHDIR: case SC_FCHDIR:
		sys_chdir(k, p, tc, out);
		break;
	case SC_GETCWD:
		sys_getcwd(k, p, tc, out);
		break;
	case SC_EXECVE:
		out->path = tc->path;
		if (tc->ret == 0)
			proc_exec(k, p);
		break;
	case SC_SNAPSHOT_CREATE:
	case SC_SNAPSHOT_REMOVE: {
		/* Names without a directory live in /.snap. */
		const char *name = tc->path != NULL ? tc->path : "snap";
		const char *base = strrchr(name, '/');

		out->path = tc->path;
		base = base != NULL ? base + 1 : name;
		if (!tc->ret_unknown && tc->ret < 0)
			break;		/* it failed when traced: nothing made */
		if (tc->sc == SC_SNAPSHOT_CREATE) {
			if (ffs_snapshot(k, base) != 0)
				k->cnt.trace_repairs++;
		} else if (ffs_snapremove(k, base) != 0)
			k->cnt.trace_repairs++;
		break;
	}
	default:
		KASSERT(0, ("syscall_replay: %s is not replayed here", tc->name));
		break;
	}
	if (gated)
		vn_finished_write(k);
	if (k->crash != NULL)
		ffs_crash_syscall_done(k);
	/* The files and vnodes the call used are free to go now. */
	while (p->p_nheld > 0) {
		struct file *fp = p->p_held[--p->p_nheld];

		p->p_held[p->p_nheld] = NULL;
		fdrop(k, fp);
	}
	vn_unpin_all(k);
}

