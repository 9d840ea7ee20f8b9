/*
 * metrics.h — the SQLite recorder: every metric of a run lands here.
 *
 * Schema (created with CREATE TABLE IF NOT EXISTS; one database holds any
 * number of runs, told apart by run id):
 *
 *   runs(id, trace, format, profile, profile_sources, seed, version, label,
 *        started, finished, status, error, commit_id, trace_digest,
 *        trace_size, cmdline)
 *	one row a run; status is 'running' while it runs and becomes
 *	'complete' only when everything was recorded; a run that failed or was
 *	interrupted is 'failed' (its other rows are deleted) or stays 'running'
 *	(the process died).  profile is the effective profile, every key.
 *	commit_id the commit vfssim was built from; trace_digest the SHA-256
 *	of the trace's files (NULL for a generator's calls) and trace_size
 *	their bytes; cmdline the command that made the run (schema 2; NULL
 *	in older runs).
 *   run_settings(run, key, value)
 *	every effective setting of a run, group.key and its value as a
 *	profile writes it (schema 2).
 *   syscalls(run, seq, pid, call, class, path, fd, offset, bytes, start_ns,
 *        end_ns, result, error, wait_ns, wmesg, suspend_ns, cow_ns)
 *	one row a replayed call (unless --no-events); class 'sim' (through the
 *	simulated kernel) or 'pass' (not a file of the simulated fs: traced
 *	time); times are simulated ns since the start of the run.  seq
 *	numbers a run's rows of each table from 0, in the order recorded,
 *	and rows are stored in that order: appended with no key (schema 3;
 *	an index on (run, seq) once the database holds a second run, see
 *	metrics_index_runs), as in disk_io; the other tables' key is
 *	(run, seq) or, in a schema-2 database, these too.  wait_ns
 *	is the time the call spent asleep in the kernel, wmesg the wait
 *	message it spent longest in ("biord", "flswai", "getblk", ...);
 *	of it, suspend_ns waiting for a suspended file system (a snapshot
 *	being taken: "suspfs") and cow_ns for snapshot copy-on-write (the
 *	old contents read, "physrd", and the copy written, "cowwr").
 *   disk_io(run, seq, submit_ns, start_ns, end_ns, sector, sectors,
 *        is_write, queue_ns, seek_ns, rot_ns, xfer_ns, bufs, overhead_ns,
 *        cache_hit, cylinder)
 *	one row a disk request, in completion order (unless --no-events):
 *	handed to the driver at submit_ns, begun by the drive at start_ns,
 *	reported complete at end_ns; queue_ns = start - submit; the service
 *	end - start = overhead_ns + seek_ns + rot_ns + xfer_ns (see struct
 *	disk.h's struct diskreq); bufs the buffers the request carried (a cluster: several);
 *	cache_hit 0 miss, 1 partial read hit, 2 a read all from the drive's
 *	cache or a write reported from it (write-back); cylinder that of
 *	its first sector (where the heads went: the seek pattern).
 *	What it was for and who issued it (schema 2): ino and path the file
 *	(ino NULL for metadata), lblkno its first logical block (for
 *	metadata the fragment address), what "data", "directory",
 *	"indirect", "inode block", "cg", "superblock", "cg summary",
 *	"metadata" or "snapshot copy"; issuer "process" (pid its pid),
 *	"syncer", "bufdaemon", "pagedaemon", "vnlru", "snapshot",
 *	"shutdown" or "interrupt"; cause "read", "read-ahead", "page-in",
 *	"write", "async write", "write-behind", "syncer", "buf_daemon",
 *	"getnewbuf" or "snapshot copy".  Views over it and the summary
 *	answer the common questions: disk_by_file, disk_by_issuer,
 *	disk_busy_by_second, call_latency.  Of overhead_ns, drain_ns,
 *	cachefull_ns and readahead_ns are the time the command waited for
 *	the heads, measured (diskctlr.c): for the write cache's flush, for a
 *	flush because every segment held dirty data, for a read-ahead that
 *	could not be stopped yet; the rest of it, timed by what the
 *	drive's interface was doing outside the media access (schema 3):
 *	ctlr_ns the controller's overheads, bus_ns data over the bus,
 *	mediawait_ns off the bus or holding it waiting for the media,
 *	roomwait_ns waiting for room in the cache for a write's data; the
 *	seven add up to overhead_ns.
 *   samples(run, seq, t_ns, numdirtybuffers, clean_bufs, empty_bufs,
 *        busy_bufs, numfreebuffers, bufspace, runningbufspace, cached_pages,
 *        free_pages, wired_pages, disk_qlen, procs, calls_done,
 *        at_risk_bytes, at_risk_age_ns)
 *	the machine's state every replay.sample_interval: buffers dirty, on
 *	the CLEAN queue, without identity, held; free headers; buffer-map KVA
 *	and bytes of writes in flight; pages holding file data but in no
 *	buffer (inactive + cache), free, wired; data at risk: bytes of file
 *	data processes wrote that are not on the disk yet (dirty or being
 *	written) and how long ago the oldest of them was written — what a
 *	crash at that moment would lose.
 *   waits(run, t_ns, wmesg, procs)
 *	at each sample, how many processes sleep in each wait message.
 *   summary(run, metric, value)
 *	counts, ratios and latency percentiles; README lists the metrics.
 *   latency_hist(run, call, lo_ns, hi_ns, count)
 *	each call type's latency histogram (always kept, even with
 *	--no-events): what plots draw CDFs from.
 *   time_split(run, call, part, ns)
 *	where each call type's time went, summed over its simulated calls:
 *	part 'cpu' (not asleep), 'wait:WMESG' (asleep on anything but the
 *	disk), and the disk waits ("biord", "biowr", "ffsfsn") split into
 *	'disk:queue', 'disk:overhead', 'disk:seek', 'disk:rotation',
 *	'disk:transfer' as the run's read or write requests' response time
 *	splits on average.  The parts add up to the calls' latency.
 *   mrc(run, buffers, miss_ratio)
 *	vfssim mrc: the buffer cache's LRU miss ratio on the run's block
 *	references at each cache size (in buffers).
 *   crash(run, t_ns, metric, value)
 *	a crash at t_ns (crash.at): what the disk held, what fsck found and
 *	repaired and how long it took, what processes lost (README, "A
 *	crash at any instant").
 *   initial_fs(run, seq, path, type, size, evidence, line, note)
 *	the starting file system the run built (none when it was loaded
 *	from an image): each entry's path, type ('f' a file, 'd' a
 *	directory, 'l' another name for a file; '-' a name the trace found
 *	there that a listing given with --fs-manifest lacks, not made), size
 *	in bytes, the evidence that decided it ("listing" for a listing's
 *	entries; else the trace's: st_size, bytes read, SEEK_END, or the call
 *	that showed it was there) and its line in the trace or the listing;
 *	note, where the trace disagrees with the listing.  vfssim fs prints
 *	the same list.
 */
#ifndef VFSSIM_METRICS_H
#define VFSSIM_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "hist.h"

struct metrics;

struct profile;

struct run_info {
	const char	*trace;
	const char	*format;
	const char	*profile;	/* effective profile text */
	const char	*profile_sources;
	int64_t		 seed;
	const char	*label;		/* NULL for a plain replay */
	const struct profile *prof;	/* its settings: run_settings rows;
					   NULL: none */
	const char	*trace_digest;	/* SHA-256 of the trace's files, hex;
					   NULL: no file (a generator) */
	int64_t		 trace_size;	/* their bytes */
	const char	*cmdline;	/* the command that made the run */
};

struct syscall_row {
	int32_t		 pid;
	const char	*call;
	bool		 passthrough;
	const char	*path;
	int32_t		 fd;
	int64_t		 offset, bytes;
	int64_t		 start_ns, end_ns;
	int64_t		 result;
	int		 err;		/* errno, or 0 */
	int64_t		 wait_ns;	/* asleep in the kernel during the call */
	const char	*wmesg;		/* where it slept longest, or NULL */
	int64_t		 suspend_ns;	/* of wait_ns: "suspfs" */
	int64_t		 cow_ns;	/* of wait_ns: "physrd", "cowwr" */
};

/* A disk request as disk_io stores it: plain numbers, filled in by the
 * run from the drive's request (disk_io_row_of in disktrace.h). */
struct disk_io_row {
	int64_t		 submit_ns, start_ns, end_ns;
	int64_t		 sector;
	int		 sectors;
	bool		 write;
	int64_t		 seek_ns, rot_ns, xfer_ns, overhead_ns;
	int		 bufs;
	int		 cache_hit;	/* 0 miss, 1 partial read hit, 2 all */
	int64_t		 cylinder;
	/* what it was for and who issued it (NULL, -1: not known) */
	int64_t		 ino;		/* the file's inode; -1: metadata */
	int64_t		 lblkno;	/* its logical block, or the fragment
					   address of metadata */
	const char	*what;		/* "data", "directory", "inode block",
					   ... */
	const char	*path;		/* the file's name, when known */
	const char	*issuer;	/* "process", "syncer", ... */
	int32_t		 pid;		/* the process's, or -1 */
	const char	*cause;		/* "read", "read-ahead", "syncer", ... */
	/* of overhead_ns, the waits for the heads, measured */
	int64_t		 drain_ns, cachefull_ns, readahead_ns;
	/* and the rest of it by the interface's state (schema 3) */
	int64_t		 ctlr_ns, bus_ns, mediawait_ns, roomwait_ns;
};

struct sample_row {
	int64_t		 t_ns;
	int		 dirty_bufs, clean_bufs, empty_bufs, busy_bufs, free_bufs;
	int64_t		 bufspace;
	int64_t		 running_bytes;
	int		 cached_pages, free_pages, wired_pages;
	int		 disk_qlen;
	int		 procs;
	uint64_t	 calls_done;
	int64_t		 at_risk_bytes;	/* written, not yet on disk */
	int64_t		 at_risk_age_ns;	/* since the oldest was written */
};

/* The tables with rows of a run (column run), NULL-terminated: what a
 * failed run loses and what merge copies. */
extern const char *const metrics_run_tables[];

#define METRICS_ERROR metrics_error_quark()
GQuark	metrics_error_quark(void);
/* METRICS_ERROR_INPUT: the database is bad input (another program's, a
 * newer schema, a row that breaks the schema: dbopen.h); FAILED: it could
 * not be written (a full disk, say). */
enum { METRICS_ERROR_FAILED, METRICS_ERROR_INPUT };

/* Once, before anything else uses SQLite (main). */
void	metrics_init(void);
/* Open (or create) a database to record into; one that is not vfssim's
 * is refused, untouched (db_check_writable).  It is stamped as vfssim's,
 * of this schema version. */
struct metrics *metrics_open(const char *path, GError **err);
void	metrics_close(struct metrics *m);

/* Start a run: insert its runs row (status 'running'); its id. */
int64_t	metrics_begin_run(struct metrics *m, const struct run_info *ri, GError **err);
void	metrics_syscall(struct metrics *m, const struct syscall_row *row);
void	metrics_disk_io(struct metrics *m, const struct disk_io_row *r);
void	metrics_sample(struct metrics *m, const struct sample_row *row);
void	metrics_wait(struct metrics *m, int64_t t_ns, const char *wmesg, int procs);
void	metrics_summary(struct metrics *m, const char *metric, double value);
void	metrics_hist(struct metrics *m, const char *call, const struct hist *h);
void	metrics_time_split(struct metrics *m, const char *call, const char *part,
	    int64_t ns);
void	metrics_mrc(struct metrics *m, int64_t buffers, double miss_ratio);
void	metrics_crash(struct metrics *m, int64_t t_ns, const char *metric,
	    double value);
void	metrics_initial_fs(struct metrics *m, const char *path, char type,
	    int64_t size, const char *evidence, uint64_t line, const char *note);
/* The run's trace: its files' digest (NULL: none) and size, set in its
 * runs row (known once the run has gone: hashed beside it). */
void	metrics_run_trace(struct metrics *m, const char *digest, int64_t size);
/* Commit everything and mark the run complete. */
bool	metrics_end_run(struct metrics *m, GError **err);
/* syscalls' and disk_io's index on (run, seq), made in db (in the caller's
 * transaction) if it holds more than one run and has none; false on an
 * SQLite error (sqlite3_errmsg says which). */
struct sqlite3;
bool	metrics_index_runs(struct sqlite3 *db);
/* Throw the run's rows away and mark it failed with why. */
void	metrics_fail_run(struct metrics *m, const char *why);
/*
 * One writer for several runs (a compare's or sweep's, side by side in
 * threads): the runs' rows are written once, straight into the database
 * at path, by one connection and its thread, rather than each into a
 * database of its own copied in afterwards.  metrics_open_shared makes
 * the n runs' rows (traces[i], labels[i]; 'running'), their ids in list
 * order into ids, and starts the writer; metrics_open_run gives run
 * ids[i] a handle to record through as metrics_open would (begin_run
 * fills its row in, end_run marks it complete in the commit of its last
 * rows, fail_run marks it failed; metrics_close), from any thread.  A
 * run's rows follow one another; the runs' are interleaved, a batch at a
 * time.  metrics_close_shared, after every run's handle is closed: keep,
 * the runs stay (dups, if not NULL, gets a message for each that is the
 * same run as one the database held before: db_duplicate_of); else, or
 * if the last commit fails (false, *err), every run of the writer is
 * removed, rows and all, and a file it made is removed.  A crash leaves
 * runs that are not complete, never half a run marked complete.
 */
struct metrics *metrics_open_shared(const char *path,
	    const char *const *traces, const char *const *labels, guint n,
	    int64_t *ids, GError **err);
struct metrics *metrics_open_run(struct metrics *shared, int64_t run);
bool	metrics_close_shared(struct metrics *m, bool keep, GPtrArray *dups,
	    GError **err);
/* First error seen while recording (a full disk, say), or NULL. */
const char *metrics_error(const struct metrics *m);

#endif
