/*
 * metrics_private.h — what metrics.c (the run's side: opening, a run's
 * rows queued in batches, its status) and metrics_writer.c (the writer
 * thread binding and inserting them) share.  Not for anyone else:
 * metrics.h is the recorder's interface.
 */
#ifndef METRICS_PRIVATE_H
#define METRICS_PRIVATE_H

#include "metrics.h"

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* Rows a transaction: committed (and checkpointed) every BATCH rows. */
#define BATCH	100000

/* The tables a run writes, each with its INSERT statements. */
enum { ST_SYSCALL, ST_DISK, ST_SAMPLE, ST_SUMMARY, ST_HIST, ST_WAIT, ST_SPLIT,
	ST_MRC, ST_INITIAL, ST_CRASH, ST_SETTING, NST };
/* Each statement's values, a row; each statement's table, for messages. */
extern const int metrics_stmt_cols[NST];
extern const char *const metrics_table_of[NST];

/*
 * How rows get to SQLite.  A run makes rows much faster than one SQLite
 * insert a row can take them (the per-call and per-request tables take a
 * row a call), so:
 *   - the run hands its rows to a writer thread of its own, in batches
 *     (struct qbatch: the rows' values, and a copy of their strings), and
 *     goes on; it waits only when QB_INFLIGHT batches are already queued,
 *     which bounds the memory rows take;
 *   - the writer inserts the per-call and per-request rows, and the
 *     starting file system's (a row a file: 22,404 on the bench's scan),
 *     MULTI to a statement ("INSERT ... VALUES (...), (...), ..."),
 *     prepared once: a statement's fixed cost is paid once for MULTI rows;
 *   - within a batch it writes table by table, each table's rows in the
 *     order they came: a table's content is the same as if the rows had
 *     gone in one by one, interleaved (rows are keyed by (run, seq), or
 *     kept in the order inserted).
 * Everything is in transactions of BATCH rows; the run is marked complete
 * in the same transaction as its last rows (metrics_end_run), so a crash
 * leaves a run that is not complete, never half a run marked complete.
 */
#define MULTI		32
#define QB_ROWS		2048
#define QB_STR		(64 * 1024)
#define QB_INFLIGHT	4

struct qrow {
	uint8_t		 st;		/* ST_* */
	int64_t		 seq;
	union {
		struct syscall_row sc;
		struct disk_io_row io;
		struct sample_row sa;
		struct { int64_t t_ns; const char *wmesg; int procs; } wait;
		struct { const char *metric; double value; } sum;
		struct { const char *call; int64_t lo, hi, count; } hist;
		struct { const char *call, *part; int64_t ns; } split;
		struct { int64_t buffers; double ratio; } mrc;
		struct { int64_t t_ns; const char *metric; double value; } crash;
		struct {
			const char *path, *evidence, *note;
			char	 type;
			int64_t	 size;
			uint64_t line;
		} init;
	} u;
};

struct qbatch {
	struct metrics	*owner;		/* the run whose rows these are */
	unsigned	 n;
	struct qrow	 rows[QB_ROWS];
	char		*str;		/* the rows' strings */
	size_t		 slen, scap;
};

/* What a parameter of a bulk statement holds (see bind_int, metrics_writer.c). */
enum { BK_NONE, BK_INT, BK_NULL, BK_STATIC, BK_TEXT };

struct bound {
	int64_t		 v;
	const char	*lit;
	char		*buf;		/* BK_TEXT: the text, the slot's own */
	size_t		 cap;
	uint8_t		 kind;
};

struct metrics {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*st[NST];	/* one row */
	sqlite3_stmt	*multi[NST];	/* MULTI rows (write_batch's bulk[]) */
	struct bound	*bound[NST];	/* what multi[]'s parameters hold */
	int64_t		 run;
	int64_t		 seq[NST];	/* rows of the run so far, per table */
	bool		 in_txn;
	unsigned	 pending;	/* rows since the last commit */
	char		*error;		/* first failure */
	/* the writer thread (while a run is being recorded) */
	GThread		*writer;
	bool		 lazy;		/* writer to start with the first batch */
	GAsyncQueue	*todo, *spare;	/* batches to write, written */
	struct qbatch	*cur;		/* being filled */
	unsigned	 nbatches;	/* made so far */
	int		 stop;		/* the token that ends the writer */
	gint		 discard;	/* the run failed: write nothing more */
	char		*trace_digest;	/* metrics_run_trace's, for end_run */
	int64_t		 trace_size;
	/*
	 * A writer shared by several runs (metrics_open_shared): the runs'
	 * handles (metrics_open_run) borrow its connection and queue, and
	 * hand it their batches.  On the writer's side: conn is held while
	 * its connection is used (by its thread writing a batch, or by a
	 * run's thread beginning, ending or failing its run), written
	 * counts each owner's batches written (drained is signalled), and
	 * first and nruns are the runs it was opened for.
	 */
	struct metrics	*shared;	/* a run's: the writer; else NULL */
	GMutex		 conn;
	GCond		 drained;
	unsigned	 handed, written;	/* a run's batches */
	int64_t		 first;
	guint		 nruns;
	bool		 created;	/* the writer made the file */
	bool		 fresh;		/* metrics_open made it from the image */
};

/* metrics.c */
void	metrics_note_error(struct metrics *m, const char *what);
sqlite3_stmt *metrics_stmt_one(struct metrics *m, int st);
sqlite3_stmt *metrics_stmt_multi(struct metrics *m, int st);
void	metrics_txn_begin(struct metrics *m);
void	metrics_txn_commit(struct metrics *m);

/* metrics_writer.c */
void	metrics_writer_start(struct metrics *m, bool lazy);
void	metrics_hand_off(struct metrics *m);
void	metrics_writer_stop(struct metrics *m);

#endif
