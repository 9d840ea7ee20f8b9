/*
 * kern.h — one simulated machine.
 *
 * struct kern holds everything one simulation's kernel owns: its parameters
 * (read once from the profile at boot), the buffer cache, the syncer wheel,
 * the mounted file system, the disk, the process table, the counters the
 * recorder turns into metrics, and the hooks through which the kernel emits
 * events.  Nothing in the model is global, so two machines can run side by
 * side in two threads.  The kernel has no user interface and no SQL.
 */
#ifndef VFSSIM_KERN_H
#define VFSSIM_KERN_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <glib.h>

#include "engine.h"
#include "buf.h"
#include "bufpolicy.h"
#include "disk.h"
#include "ffs.h"
#include "vm.h"
#include "vnode.h"
#include "ffs_crash.h"
#include "softdep.h"

struct profile;
struct filedesc;

/* The mount's write gating (vfs_write_suspend), 5.0-CURRENT's. */
#define MNTK_SUSPEND	0x1	/* suspension requested: new writers wait */
#define MNTK_SUSPENDED	0x2	/* quiesced and synced */
struct mount {
	int		 mnt_writeopcount;	/* threads inside a write */
	int		 mnt_kern_flag;
	int		 mnt_flag_chan;		/* "suspfs" sleepers' channel */
	struct sim_proc	*mnt_snapowner;		/* taking or removing a
						   snapshot (one at a time) */
	int		 mnt_snapdepth;
	struct buf	*mnt_snapcgbp;		/* the group map ffs_snapshot
						   holds through its group */
	int		 mnt_snapcg_lent;	/* times it let it go to its
						   own copy (ffs_snapcg_wanted) */
};

/* ffs_snapshot.c: up to FSMAXSNAP snapshots of the file system. */
#define FSMAXSNAP	20
#define BLK_NOCOPY	1	/* free when the snapshot was taken */
#define BLK_SNAP	2	/* an older snapshot's block */
struct snapshot {
	char		*sn_name;
	struct inode	*sn_ip;		/* its file: block n stands for fs block n */
	struct vnode	*sn_vp;		/* referenced while it lives */
	GHashTable	*sn_copied;	/* device block -> data version the copy
					   holds (for checking what it reads) */
	sim_time_t	 sn_created;
	sim_time_t	 sn_susp_start, sn_susp_end;	/* writes held */
	int		 sn_susp_dirty;		/* dirty buffers, and bytes of */
	int64_t		 sn_susp_running;	/* writes in flight, once
						   suspended (both 0) */
	GHashTable	*sn_busy;	/* fs blocks being copied now (their
					   writers wait on it, "cowwr") */
};

enum era { ERA_FREEBSD5_CURRENT, ERA_FREEBSD4 };

/* replay.mmap: the pages of a new file mapping the program touches. */
enum mmap_touch { MMAP_TOUCH_ALL, MMAP_FIRST_PAGE, MMAP_NONE };

struct kern_params {
	enum era	 era;
	int64_t		 memory;	/* bytes */
	int		 hz;
	sim_time_t	 cpu_syscall;	/* entering and leaving the kernel */
	double		 cpu_copy_ns_per_byte;
	sim_time_t	 cpu_lookup;	/* per path component */
	sim_time_t	 cpu_bufop;	/* per buffer-cache operation */
	sim_time_t	 cpu_fault;	/* per page fault (trap + vm_fault) */
	enum mmap_touch	 mmap_touch;	/* replay.mmap */
	int		 nbuf;		/* 0: from memory */
	int		 nswbuf;	/* 0: derived */
	int64_t		 maxbufspace, hibufspace, lobufspace;	/* 0: derived */
	int		 hidirtybuffers, lodirtybuffers;	/* 0: derived */
	int		 lofreebuffers, hifreebuffers;		/* 0: derived */
	int64_t		 lorunningspace, hirunningspace;
	int		 iosize_max;	/* the mount's largest I/O */
	bool		 cluster_read;	/* no MNT_NOCLUSTERR */
	bool		 cluster_write;	/* no MNT_NOCLUSTERW */
	int		 read_max;	/* MAXRA */
	int		 write_behind;	/* vfs.write_behind 0/1/2 */
	bool		 doreallocblks;	/* vfs.ffs.doreallocblks */
	bool		 bwillwrite;	/* the throttle is on */
	bool		 dobkgrdwrite;	/* background writes of cg maps */
	const struct bufpolicy_ops *bufpolicy;	/* NULL: FreeBSD's LRU */
	bool		 opt_bound;	/* evaluate policies offline at the end */
	bool		 verify;	/* track data versions */
	bool		 check_every_event;	/* INVARIANTS after each event */
	int64_t		 kernel_wired;	/* bytes the kernel wires at boot */
	bool		 vmiodirenable;
	bool		 io_reserve;	/* the seed's low-memory fix */
	sim_time_t	 syncdelay, filedelay, dirdelay, metadelay;
	int		 bsize, fsize;
	int64_t		 fs_size;	/* bytes */
	int		 minfree;	/* percent */
	int		 maxbpg;	/* 0: one indirect block's worth */
	int64_t		 density;	/* bytes per inode; 0: 4 fragments */
	int64_t		 cgsize;	/* bytes; 0: what a cg block maps */
	double		 age;		/* how used the starting fs looks, 0..1 */
	enum metamode	 meta;		/* META_SOFTDEP with ffs.softdep */
	int		 max_softdeps;	/* debug.max_softdeps; 0: derived */
	bool		 noatime;
	bool		 namecache;	/* debug.vfscache */
	int		 ncnegfactor;
	int		 maxvnodes;	/* 0: from memory */
	struct disk_params disk;
	struct disk_fault *disk_faults;	/* disk.errors (owned) */
	int		 disk_nfaults;
	double		 disk_error_rate;	/* disk.error_rate */
	int64_t		 seed;		/* replay.seed: the run's draws */
	const char	*diskq;
	char		**passthrough;	/* path prefixes outside the fs */
};

/* What the kernel counts.  The recorder reads these at the end of a run
 * (summary) and every sample interval (samples). */
struct kern_counters {
	/* asynchronous I/O (vfs_aio.c): requests queued, done, fsyncs made
	 * for them, completions reaped that match no request, daemons, the
	 * bytes the daemons moved */
	uint64_t	 aio_requests, aio_done, aio_fsyncs, aio_unmatched;
	uint64_t	 aio_dropped;	/* completions past AIO_MAX_UNREAPED */
	uint64_t	 aio_daemons, aio_bytes_read, aio_bytes_written;
	uint64_t	 getblk, getblk_hits, pagecache_hits;
	uint64_t	 bread, bread_hits, bread_holes;
	uint64_t	 readahead_blocks;	/* read ahead (not asked for) */
	uint64_t	 readahead_used;	/* ... and read by a process */
	uint64_t	 readahead_unused;	/* ... and gone before that */
	uint64_t	 cluster_reads, cluster_read_bufs;	/* multi-block reads */
	uint64_t	 cluster_writes, cluster_bufs;	/* multi-block writes */
	uint64_t	 wbuild_ios, wbuild_bufs;	/* cluster_wbuild's writes */
	uint64_t	 writebehind_ios, writebehind_bufs;
	uint64_t	 realloc_calls, realloc_blocks;	/* ffs_reallocblks */
	uint64_t	 bdwrite, bawrite, bwrite_sync;
	uint64_t	 bkgrd_writes;		/* bwrite's background copies */
	/* I/O errors (the drive's EIO, diskerr.c) as the buffers saw them */
	uint64_t	 bio_read_errors;	/* buffers whose read failed */
	uint64_t	 bio_write_errors;	/* buffers whose write failed */
	uint64_t	 bio_redirtied;		/* ... made dirty again (brelse) */
	uint64_t	 bio_bkgrd_lost;	/* background writes failed with
						   their original busy: dropped */
	uint64_t	 eio_calls;		/* calls that returned EIO */
	uint64_t	 fsync_errors;		/* VOP_FSYNCs that returned one */
	uint64_t	 pagein_errors;		/* page-ins that failed */
	uint64_t	 bio_read_ignored;	/* read errors not carried up
						   (bread_noerror) */
	uint64_t	 getblk_waits_bkgrd;	/* getblk sleeps on a buffer marked
						   for background writes (FFS's
						   cylinder-group maps) */
	uint64_t	 bwillwrite_stalls;
	sim_time_t	 bwillwrite_stall_ns;
	uint64_t	 newbuf_waits, wdrain_waits, getblk_waits;
	uint64_t	 bufdaemon_writes, syncer_writes, fsync_writes;
	int		 dirty_peak;
	uint64_t	 bytes_read, bytes_written;	/* by processes */
	uint64_t	 lookups, components;
	uint64_t	 symlinks_followed;	/* by namei */
	uint64_t	 readlinks;		/* VOP_READLINK: by namei, readlink */
	uint64_t	 nc_goodhits, nc_neghits, nc_miss;	/* nchstats */
	uint64_t	 numcwdfound, numcwdfail;	/* __getcwd's answers */
	uint64_t	 dirblk_reads;		/* ufs_lookup's block reads */
	uint64_t	 vnodes_created, vnodes_freed, vnodes_recycled;
	uint64_t	 vlruwk_waits, vnlru_runs, vnlru_nowhere;
	uint64_t	 vnode_lock_waits;
	uint64_t	 lockf_waits, lock_repairs;
	/* snapshots and write suspension */
	uint64_t	 snap_creates, snap_removes;
	sim_time_t	 snap_create_ns, snap_suspend_ns, snap_suspend_max_ns;
	uint64_t	 suspfs_waits;
	sim_time_t	 suspfs_wait_ns;
	uint64_t	 cow_copies, cow_reads, cow_checks, snap_claims;
	uint64_t	 suspended_writes_bad;
	uint64_t	 snap_writes_refused;	/* writes to a snapshot file */
	uint64_t	 inodes_allocated, inode_writes, indir_allocs, frag_moves;
	uint64_t	 enospc;
	uint64_t	 trace_repairs;		/* fs brought in line with the trace */
	/* mapped files (vm_map.c, vm_fault.c, vnode_pager.c) */
	uint64_t	 mmaps;			/* file mappings made */
	uint64_t	 mmap_touched;		/* pages replay.mmap touched */
	uint64_t	 faults;		/* page faults on mapped files */
	uint64_t	 faults_hard;		/* ... that called the pager */
	uint64_t	 pageins;		/* vnode pager reads (I/Os) */
	uint64_t	 pages_paged_in;	/* ... pages they brought in */
	uint64_t	 pages_dirtied;		/* pages written through a mapping */
	uint64_t	 putpages;		/* vnode pager writes (VOP_WRITEs) */
	uint64_t	 pages_put;		/* ... pages they wrote back */
	uint64_t	 learned_fds;		/* descriptors known from -y only */
};

/* A process as the kernel sees it (struct proc, the parts that matter). */
struct kproc {
	int32_t		 p_pid;
	struct filedesc	*p_fd;
	struct kproc	*p_pptr;	/* parent, or NULL */
	int		 p_nchildren;	/* children not yet reaped */
	LIST_HEAD(, kproc) p_children;
	LIST_ENTRY(kproc) p_sibling;
	bool		 p_exited;	/* a zombie until reaped */
	bool		 p_vforked;	/* parent waits until exec or exit */
	int		 p_xstat;
	struct vmspace	*p_vmspace;	/* its file mappings (vm_map.c) */
	/* files the call in progress uses (fget's reference), dropped when
	 * it ends: a thread that closes the descriptor meanwhile only drops
	 * the table's reference */
	struct file	*p_held[4];
	int		 p_nheld;
	int		 p_aio_pending;	/* its AIO requests not done (vfs_aio.c) */
};

struct kern_hooks {
	void	*arg;
	/* a disk request completed */
	void	(*disk_done)(void *arg, const struct diskreq *r);
};

struct kern {
	struct sim		*sim;
	struct kern_params	 p;
	struct kern_counters	 cnt;
	struct kern_hooks	 hooks;

	struct bufcache		 bc;
	struct vmstate		 vm;
	struct fs		 fs;
	struct disk		 disk;

	/* the process table's autosizing (used for desiredvnodes) */
	int			 maxusers, maxproc, desiredvnodes;

	/* vnodes (vfs_subr.c) */
	uint64_t		 nextvnode;
	int64_t			 numvnodes, freevnodes;
	int			 minvnodes, wantfreevnodes;
	struct vnodelst		 vnode_free_list;
	struct vnodelst		 mntvnodes;	/* the mount's vnodes */
	struct sim_proc		*vnlruproc;
	bool			 vnlruproc_sig;
	GHashTable		*pins;		/* sim_proc -> GPtrArray of vnodes */
	GPtrArray		*pins_spare;	/* emptied pin arrays, reused (a
						   call's pins had been two
						   allocations and two frees) */
	unsigned		 npinprocs;	/* pins' entries, counted here so
						   that vn_unpin_all's common
						   case asks GLib nothing */
	GHashTable		*lf_waiters;	/* lock owner -> what it waits for */

	/* the mount: write gating, snapshots */
	struct mount		 mnt;
	struct snapshot		 snaps[FSMAXSNAP];	/* oldest first */
	int			 nsnaps;
	/* snaps[nsnaps] is being taken (snap_take, until it is linked):
	 * a run stopped meanwhile frees its bookkeeping at unmount */
	bool			 snap_partial;
	uint64_t		 snap_gen;	/* bumped when one is removed */

	/* the name cache (vfs_cache.c) */
	struct {
		GHashTable	*hash;
		TAILQ_HEAD(, namecache) neg;	/* negative entries, LRU */
		int64_t		 numcache, numneg;
	} nc;

	/* the syncer wheel (syncer.c) */
	struct vnodelst		*syncer_workitem_pending;
	int			 syncer_maxdelay;
	int			 syncer_delayno;
	int			 syncer_chan;

	/* processes (proc.c): pid -> struct kproc */
	GHashTable		*procs;

	/* the disk's contents, for a crash at any instant (ffs_crash.c);
	 * NULL unless the run asks for one */
	struct ffs_crash	*crash;
	/* soft updates' dependencies (softdep.c); NULL unless the file
	 * system is mounted with them (ffs.softdep) */
	struct softdep		*softdep;
	/* asynchronous I/O (vfs_aio.c); NULL until a request */
	struct kaio		*aio;
	int			 rushjob;	/* seconds of the syncer's wheel
						   to run at once (speedup_syncer) */
};

/* The drive a profile describes (disk.* keys or disk.diskspecs); false and
 * *err on a bad description.  disk_params_free it.  notes (or NULL) gets
 * a line for each parameter of a DiskSim file read and ignored. */
bool	disk_from_profile(struct disk_params *dp, const struct profile *pr,
	    GPtrArray *notes, GError **err);

/* Boot a machine from a profile; NULL and *err on a bad configuration. */
struct kern *kern_boot(struct sim *s, const struct profile *prof, GError **err);
void	kern_shutdown(struct kern *k);

/* Every tunable and derived value under its kernel name, in order. */
void	kern_sysctl_foreach(struct kern *k,
	    void (*fn)(const char *name, const char *value, void *arg), void *arg);

/* The starting file system is in place (built offline, or loaded from an
 * image): setup's vnodes go, and the counters are put back to *before
 * (taken when setup began), so that a run counts only itself and is the
 * same either way (the rest of the machine's state that a run depends on,
 * the vnode numbers and the generator draws setup used, an image keeps). */
void	kern_setup_done(struct kern *k, const struct kern_counters *before);

/* Write everything dirty and wait for it (the end of a run). */
void	kern_sync(struct kern *k);

/* CPU work by the running process (uiomove, lookups): time passes. */
void	kern_cpu(struct kern *k, sim_time_t ns);
void	uiomove_cost(struct kern *k, int64_t bytes);

/* vfs_vnops.c's write gating (vnode.c) */
void	vn_start_write(struct kern *k);
void	vn_finished_write(struct kern *k);
void	vn_write_suspend_wait(struct kern *k);
bool	vn_write_suspended(const struct kern *k);
void	vfs_write_suspend(struct kern *k);
void	vfs_write_resume(struct kern *k);

/* ffs_snapshot.c */
int	ffs_snapshot(struct kern *k, const char *name);
int	ffs_snapremove(struct kern *k, const char *name);
bool	ffs_snapgone(struct kern *k, struct inode *ip);
void	ffs_copyonwrite(struct kern *k, struct buf *bp);
bool	ffs_snapblkfree(struct kern *k, int64_t bno, int size);
void	ffs_snapcg_wanted(struct kern *k, int c);
/* What snapshot i reads at device block db: the data version, 0 for
 * nothing there (free then), -1 if unknown. */
int64_t	ffs_snap_version(struct kern *k, int i, ufs2_daddr_t db);
void	ffs_snapshot_unmount(struct kern *k);

/* lockf.c: advisory locks (FreeBSD's <fcntl.h> values) */
#define F_RDLCK		1
#define F_UNLCK		2
#define F_WRLCK		3
#define F_GETLK		7
#define F_SETLK		8
#define F_WAIT		0x010	/* wait until the lock is granted */
#define F_FLOCK		0x020	/* flock(2)/O_EXLOCK semantics */
#define F_POSIX		0x040	/* fcntl(2) semantics */
int	lf_advlock(struct kern *k, struct inode *ip, const void *id, int op,
	    int type, int64_t start, int64_t end, int flags);
void	lf_release(struct kern *k, struct inode *ip, const void *id, int flags);
void	lf_purge(struct inode *ip);
int	lf_count(const struct inode *ip);

/* namecache.c */
#define CACHE_HIT	(-1)
#define CACHE_NEG	ENOENT
void	nchinit(struct kern *k);
void	nchfini(struct kern *k);
int	cache_lookup(struct kern *k, struct vnode *dvp, const char *name,
	    bool makeentry, bool creating, struct vnode **vpp);
void	cache_enter(struct kern *k, struct vnode *dvp, struct vnode *vp,
	    const char *name);
void	cache_purge(struct kern *k, struct vnode *vp);
void	cache_purge_name(struct kern *k, struct vnode *dvp, const char *name);
int	cache_getcwd(struct kern *k, struct vnode *cdir);

/* syncer.c */
void	syncer_init(struct kern *k);
void	syncer_start(struct kern *k);
/* Run the syncer's next second at once (rushjob); 0 if far enough
 * ahead already. */
int	speedup_syncer(struct kern *k);
void	vn_syncer_add_to_worklist(struct kern *k, struct vnode *vp, sim_time_t delay);
void	vn_syncer_remove(struct kern *k, struct vnode *vp);

/* proc.c: processes, fork, exit, wait */
struct kproc *pfind(struct kern *k, int32_t pid);
struct kproc *proc_create(struct kern *k, int32_t pid, struct filedesc *fdp);
struct kproc *fork1(struct kern *k, struct kproc *parent, int32_t childpid,
	    bool share_files, bool vfork);
void	proc_exec(struct kern *k, struct kproc *p);
void	exit1(struct kern *k, struct kproc *p, int xstat);
/* vfs_aio.c: an exiting process's requests waited for; a stopped run's
 * freed (their files added to files, freed with the others) */
void	aio_proc_rundown(struct kern *k, struct kproc *p);
void	aio_shutdown(struct kern *k, GHashTable *files);
/* Wait for child pid to exit (-1: any child); the reaped child's pid. */
int32_t	kern_wait(struct kern *k, struct kproc *p, int32_t pid);
void	vfork_wait(struct kern *k, struct kproc *child);

#endif
