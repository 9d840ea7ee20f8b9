/*
 * replay.h — one run: a trace through a simulated machine into a database.
 *
 * Each traced thread (strace pid) becomes a simulated process that issues
 * its calls in order; between two calls it thinks for as long as the trace
 * shows between the previous call's return and this call's entry, and the
 * call itself takes as long as the simulation says.  The trace is streamed:
 * a process pulls its next call when it needs it, so memory holds only the
 * calls read ahead of the slowest process, never the whole trace.
 */
#ifndef VFSSIM_REPLAY_H
#define VFSSIM_REPLAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct profile;
struct bp_key;
struct metrics;
struct kern;

struct replay_opts {
	const char		*trace;		/* path of the trace */
	const char		*db;		/* database to record into */
	/* or, a run of a compare's or sweep's, the writer shared by its
	 * runs (metrics_open_shared) and this run's id there */
	struct metrics		*shared;
	int64_t			 shared_run;
	/* The processors this run may count on for threads of its own (the
	 * pre-pass's reader, traceq_open): a run of a batch that already
	 * fills the machine says 1.  0: all the process may run on. */
	unsigned		 cores;
	/* The trace's digest where several runs read the same files (a
	 * compare's or sweep's): called from the run's digest thread in
	 * place of trace_files_digest (same arguments), it may give what
	 * another run's thread found.  NULL: each run hashes its files. */
	bool			(*digest)(void *arg, char *const *files,
				    char **hex, int64_t *size, GError **err);
	void			*digest_arg;
	const struct profile	*prof;
	bool			 events;	/* syscalls and disk_io rows */
	bool			 progress;	/* a progress line on stderr */
	const char		*label;		/* variant name, or NULL */
	const char		*cmdline;	/* the command, for the runs
						   table; or NULL */
	volatile sig_atomic_t	*interrupted;	/* set asynchronously: stop */
	/* Where the calls come from when not from the file `trace` (which
	 * then only names them): called once for the pre-pass and once for
	 * the run, it must give the same calls both times (a generator and
	 * its seed). */
	struct trace_reader	*(*open)(void *arg, GError **err);
	void			*open_arg;
	/* Called now and then from the run's thread with the calls replayed
	 * so far and the trace's total (a progress bar over several runs). */
	void			(*tick)(void *arg, uint64_t done, uint64_t total);
	void			*tick_arg;
	/* vfssim mrc: the run's block references (every getblk, in order)
	 * are handed over in chunks once it has ended; then finish may add
	 * rows to the run before it is marked complete. */
	void			(*refs)(void *arg, const struct bp_key *refs,
				    size_t n, uint64_t total);
	void			(*finish)(void *arg, struct metrics *m,
				    const struct kern *k);
	void			*refs_arg;
	/* Called once from the run's thread when its replay is over and
	 * its machine gone, only the writing of its last rows left (or when
	 * it failed): a batch starts another run then.  NULL: none. */
	void			(*replayed)(void *arg);
	void			*replayed_arg;
	/* The starting file system's image: loaded from this file if it
	 * exists (the pre-pass's files are then not laid out: the trace's
	 * repairs make what it lacks), else built as usual and saved there
	 * before the run starts.  NULL: built, not saved. */
	const char		*fs_image;
	bool			 fs_image_load_only;	/* no file: an error */
	/* A listing of the real files before the capture (fsmanifest.h):
	 * the starting file system where it speaks.  NULL: inferred. */
	const char		*fs_manifest;
};

struct replay_result {
	int64_t		 run;		/* id in the runs table */
	uint64_t	 calls;		/* call records replayed or skipped */
	double		 wall_seconds;
	int64_t		 sim_ns;	/* simulated time the run took */
	size_t		 peak_queued;	/* most calls read ahead at once */
	bool		 fs_image_loaded;	/* from o->fs_image */
	bool		 fs_image_saved;	/* ... built and saved there */
};

/* Replay and record.  On failure *err says why, naming file and line for
 * bad input; a run that had begun is marked failed (never complete). */
bool	replay_run(const struct replay_opts *o, struct replay_result *res,
	    GError **err);

/* --fs-image for several runs (compare, sweep): if o->fs_image does not
 * exist, build the starting file system o describes (the pre-pass, boot,
 * layout and aging, no run) and save it there, so that every run loads
 * the same one.  *built says whether it did. */
bool	replay_make_image(const struct replay_opts *o, bool *built,
	    GError **err);

#define REPLAY_ERROR replay_error_quark()
GQuark	replay_error_quark(void);

#endif
