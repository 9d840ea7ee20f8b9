/*
 * syscalls_private.h — what the files of the system-call layer share and
 * no other subsystem needs: the calls' entry points (syscall_replay
 * dispatches to them), the descriptor and path helpers one file calls in
 * another, and small helpers.  The rest of the simulator uses syscalls.h.
 *
 *  syscalls.c      the dispatcher: syscall_replay, syscall_modelled,
 *                  vn_start_write's gate, path_is_passthrough
 *  vfs_syscalls.c  the calls on names (open, stat, unlink, mkdir, rename,
 *                  link, symlink, readlink, truncate, chdir, getcwd (and
 *                  libc's walk up when the kernel's fails), the setattr
 *                  family, statfs, the extended attributes), fsync, lseek
 *                  and getdirentries, fallocate; a path made to exist
 *                  (materialize)
 *  sys_generic.c   read and write (and copy_file_range/sendfile, replayed
 *                  as the read/write loop a 2001 program ran); a read made
 *                  possible (ensure_size)
 *  kern_descrip.c  close, dup, fcntl; a descriptor's file (getfile)
 *  vm_mmap.c       mmap, munmap, msync
 *  vfs_aio.c       Linux AIO's io_submit, io_getevents, io_destroy, as
 *                  2001's aio daemons did requests
 */
#ifndef VFSSIM_SYSCALLS_PRIVATE_H
#define VFSSIM_SYSCALLS_PRIVATE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "syscalls.h"
#include "file.h"

#define FD_MAX	(1 << 20)	/* larger descriptors are not believed */
#define RW_MAX	0x7ffff000LL	/* the most one read or write moves (Linux's
				   MAX_RW_COUNT): a larger count is not believed */

/*
 * What of a simulated call's error overrides the trace's outcome: a disk
 * error (EIO), which the traced program did not meet.  Others (ENOSPC
 * where the trace's machine had room) leave the traced outcome.
 */
static inline int
io_error(int error)
{
	return error == EIO ? EIO : 0;
}

/* An annotation names a path of the simulated fs (not "pipe:[..]"). */
static inline bool
annot_is_fs_path(const struct kern *k, const char *annot)
{
	return annot != NULL && annot[0] == '/' && !path_is_passthrough(k, annot);
}

/* vfs_syscalls.c */
struct vnode *materialize_obj(struct kern *k, struct vnode *start,
	    const char *path, enum vtype type, const char *target, bool follow);
struct vnode *materialize(struct kern *k, struct vnode *start,
	    const char *path, bool want_dir);
void	sys_open(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_stat(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_unlink(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_mknod(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_mkdir(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_rename(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_truncate(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_chdir(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_getcwd(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
/* fsync(2) of an open file (its mapped pages, VOP_FSYNC, soft updates'
 * names); the caller holds vn_start_write */
int	kern_fsync(struct kern *k, struct file *fp);
void	sys_io_submit(struct kern *k, struct kproc *p,
	    const struct trace_call *tc, struct sys_outcome *out);
void	sys_io_getevents(struct kern *k, struct kproc *p,
	    const struct trace_call *tc, struct sys_outcome *out);
void	sys_io_destroy(struct kern *k, struct kproc *p,
	    const struct trace_call *tc, struct sys_outcome *out);
void	sys_fdonly(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_link(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_symlink(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_readlink(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_setattr(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_cpuonly(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_fallocate(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);

/* sys_generic.c */
void	ensure_size(struct kern *k, struct vnode *vp, int64_t end);
void	sys_rw(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out, bool write);
void	sys_copy(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);

/* kern_descrip.c */
/* fp held by p for the rest of the call (syscall_replay drops it): a run
 * stopped while the call sleeps frees it with the process. */
struct file *file_hold(struct kproc *p, struct file *fp);
struct file *getfile(struct kern *k, struct kproc *p, int32_t fd,
	    const char *annot, bool deleted);
int	oflags_to_fflag(uint32_t of);
void	sys_close(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_close_range(struct kern *k, struct kproc *p,
	    const struct trace_call *tc, struct sys_outcome *out);
void	sys_dup(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_fcntl(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);

/* vm_mmap.c */
void	sys_mmap(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_munmap(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);
void	sys_msync(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);

#endif
