/*
 * testkern.h — a simulated machine for the kernel's unit tests.
 *
 * test_ffs, test_snapshot, test_ffsimage, test_bio and test_cluster each
 * boot machines, run processes on them, sync, look, and take them down:
 * this is what they share.  A refused setting, a kernel that does not
 * boot, a run that does not finish or an fsck problem fails the test
 * (cmocka).  Include it after <cmocka.h>.
 */
#ifndef VFSSIM_TESTKERN_H
#define VFSSIM_TESTKERN_H

#include "file.h"
#include "kern.h"
#include "profile.h"

struct machine {
	struct sim	*s;
	struct kern	*k;
	struct profile	*prof;
	int		 bsize;		/* the file system's block size */
	struct vnode	*vp;		/* a file the test works on (test_bio's
					   /f), or NULL: the test's to set */
	GArray		*reqs;		/* after machine_record_disk: struct
					   diskreq copies, by completion */
	/* machine_run's watchdog (testkern.c) */
	bool		 wd_active;	/* a machine_run is running */
	bool		 wd_queued;	/* its callout is on the queue */
	int		 wd_ticks;	/* checks in a row that found it stuck */
	sim_time_t	 wd_busy;	/* the drive's busy time at the last */
};

/* The setting that checks the accounting invariants after every event
 * (slow), for machine_boot's base. */
extern const char *const machine_checked[];

/*
 * A fresh engine and a profile with base's settings and then sets' (each
 * NULL-terminated, or NULL), a kernel booted on them.  *m is cleared
 * first.
 */
void	machine_boot(struct machine *m, const char *const *base,
	    const char *const *sets);
/* Kernel, engine, profile and recorded requests freed; no checks. */
void	machine_free(struct machine *m);
/* The buffer accounting checked (bufcache_check), then machine_free. */
void	machine_shutdown(struct machine *m);
/* The file system passes ffs_fsck. */
void	machine_fsck(struct kern *k);
/* The inode a path names now, or NULL: the directories in memory, no I/O
 * (the set-up's view, not namei's). */
struct inode *machine_inode_at(struct machine *m, const char *path);
/* Run fn(arg) as a process named name until every process is done; a run
 * whose processes are all asleep with the drive idle for three checks a
 * simulated minute apart (ten with a timed sleeper) fails instead of
 * running on for ever with the daemons (the replay's sampler does the same). */
void	machine_run(struct machine *m, const char *name, sim_proc_fn *fn,
	    void *arg);
/* machine_run, its status returned (SIM_STOPPED: stuck) rather than
 * asserted. */
enum sim_status machine_run_status(struct machine *m, const char *name,
	    sim_proc_fn *fn, void *arg);
/* Write everything out, as the end of a run does (kern_sync in a
 * process); then nothing is dirty. */
void	machine_sync(struct machine *m);
/* Create the regular file name in the root, with prealloc bytes of
 * blocks allocated (if > 0), held open by the test (vref). */
struct vnode *machine_mkfile(struct machine *m, const char *name,
	    int64_t prealloc);
/* From now on append every disk request, as it completes, to m->reqs
 * (made empty the first time). */
void	machine_record_disk(struct machine *m);

/* Files a test writes (a DiskSim parameter file, a seek curve): text
 * written as `name` in a directory of its own, its path returned; and
 * that file and directory removed, the path freed. */
char	*test_tmp_write(const char *name, const char *text);
void	test_tmp_remove(char *path);

#endif
