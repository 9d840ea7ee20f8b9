/*
 * batch.h — several runs side by side: the runs of a compare or a sweep,
 * each in a thread of a GLib thread pool, gathered into one database.
 *
 * Every run is a replay_run of its own (its own struct sim and struct
 * kern, so nothing is shared but the read-only inputs) and its rows are
 * written once, straight into the user's database, by one writer the
 * runs share (metrics_open_shared).  The runs' ids are given in the order
 * they were listed, before any starts, and a run's rows are its own
 * whichever thread finished first: a batch run twice gives the same
 * rows (but the runs' started/finished times), and its runs the same
 * rows as each made alone by vfssim replay.
 */
#ifndef VFSSIM_BATCH_H
#define VFSSIM_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct profile;

/* Where a run's calls come from: a trace file, or a generator. */
struct batch_source {
	const char	*trace;		/* the file; or, for a generator, the
					   name the runs table gives it */
	const char	*gen;		/* generator name, or NULL */
	char		**params;	/* its parameters */
};

struct batch_job {
	char		*label;		/* the runs table's label */
	struct profile	*prof;		/* owned by the job */
	uint64_t	 gen_seed;	/* the generator's seed (with gen) */
	char		*trace;		/* what runs.trace says (owned) */
};

struct batch_opts {
	const char		*db;		/* where the runs end up */
	const struct batch_source *src;
	bool			 events;	/* syscalls and disk_io rows */
	unsigned		 threads;	/* 0: one per processor */
	bool			 progress;	/* a bar on stderr */
	const char		*what;		/* "compare", "sweep": the bar's */
	volatile sig_atomic_t	*interrupted;	/* set on Ctrl-C; the batch sets
						   it too when a run fails */
	const char		*fs_image;	/* every run loads it (it must
						   exist), or NULL */
	const char		*cmdline;	/* the command, for the runs
						   table; or NULL */
};

void	batch_job_clear(struct batch_job *j);

/* Run every job; ids[i] gets job i's run id in o->db.  On failure nothing
 * is added to o->db and *err names the first job (in list order) that
 * failed, by its label. */
bool	batch_run(const struct batch_opts *o, struct batch_job *jobs, guint n,
	    int64_t *ids, GError **err);

/* The runs table's name for a generated trace ("gen:NAME k=v... seed=N"),
 * as vfssim replay --gen writes it. */
char	*batch_gen_trace_name(const char *gen, char **params, uint64_t seed);

/* A generator as a run's source: opened afresh for the pre-pass and for
 * the run, with the same seed both see the same calls. */
struct batch_gen {
	const struct batch_source *src;
	uint64_t	 seed;
};

/* replay_opts.open for a struct batch_gen. */
struct trace_reader *batch_open_gen(void *arg, GError **err);

#endif
