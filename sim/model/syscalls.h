/*
 * syscalls.h — the system-call layer: a traced call, replayed against the
 * simulated kernel.
 *
 * The trace is the ground truth of what the program did: a replayed call
 * always has the traced outcome (an open that failed with ENOENT fails and
 * creates nothing; one that returned descriptor 5 installs descriptor 5).
 * The simulation decides how long it takes.  Where the simulated file
 * system disagrees with the trace (a file another process created has not
 * been created yet in this replay), the file system is brought in line and
 * the repair is counted.
 */
#ifndef VFSSIM_SYSCALLS_H
#define VFSSIM_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "kern.h"
#include "trace.h"

enum sys_class {
	SYS_SIMULATED,		/* ran through the simulated kernel */
	SYS_PASSTHROUGH,	/* not a file of the simulated fs: traced time */
};

/* What a replayed call did, for the syscalls table. */
struct sys_outcome {
	enum sys_class	 cls;
	int32_t		 fd;		/* descriptor used, or -1 */
	int64_t		 off;		/* file offset of a read/write, or -1 */
	int64_t		 bytes;		/* bytes moved, or -1 */
	const char	*path;		/* the name involved, if any */
	/* The error the simulated kernel returned where the traced call
	 * did not fail: EIO from a disk error (disk.errors).  The one case
	 * where a replayed call's outcome is not the traced one: the syscalls
	 * row shows it.  0: the traced outcome. */
	int		 error;
};

/* Does syscall_replay replay this call?  The others are counted by name
 * as not modelled (and take the time the trace shows). */
bool	syscall_modelled(enum sc_id sc);

/* Replay one call of process p (not clone/fork/exit: see replay.c). */
void	syscall_replay(struct kern *k, struct kproc *p, const struct trace_call *tc,
	    struct sys_outcome *out);

/* Is this absolute path outside the simulated file system? */
bool	path_is_passthrough(const struct kern *k, const char *path);

#endif
