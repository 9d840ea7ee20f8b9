/*
 * replay_private.h — what the files of one run share (replay.h is the API).
 *
 *   replay.c         the run, and its processes: a coroutine per traced
 *                    thread that thinks, calls and ends as the trace did
 *   replay_queue.c   the calls read ahead for each process, and the spill
 *                    files that hold them beyond replay.readahead
 *   replay_fs.c      the starting file system: the pre-pass's files laid
 *                    out (and aged), or loaded from an image, and saved
 *   replay_record.c  what the run records: calls, samples, waits, the
 *                    time split and the summary
 *
 * All of a run's state hangs off one struct replay, on the stack of
 * replay_run (or of replay_make_image, which only sets up).
 */
#ifndef VFSSIM_REPLAY_PRIVATE_H
#define VFSSIM_REPLAY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <glib.h>

#include "replay.h"
#include "engine.h"
#include "kern.h"
#include "trace.h"

struct diskreq;
struct hist;
struct metrics;
struct prepass;
struct profile;
struct spill;
struct sys_outcome;
struct trace_reader;

enum ustate {
	U_AWAIT_FORK,		/* the parent's clone has not run yet */
	U_RUNNING,
	U_DONE,
};

struct replay;

/* replay.order: which order calls keep across processes (replay_order.c). */
enum order_rule {
	ORDER_CAUSAL,		/* fork/exec/wait/exit; inferred where absent */
	ORDER_TEMPORAL,		/* every call after those that returned first */
	ORDER_RESOURCE,		/* calls on one file, name or pipe in order */
	ORDER_FREE,		/* fork and wait only */
};

/* A call as a process makes it: decoded from its queue (replay_queue.c). */
struct qcall {
	struct trace_call tc;
	uint64_t	*keys;		/* replay.order = resource: the resources
					   the call touches (prepass_track) */
	unsigned	 nkeys, keycap;
};
#define ORDER_MAXKEYS	16		/* resources of one call, at most */

/* A process's calls read ahead: their records, one after another in a
 * chain of chunks (replay_queue.c). */
struct qchunk;
struct callq {
	struct qchunk	*head, *tail;
	uint32_t	 rpos;		/* the first call's place in head */
};

struct uproc {
	int32_t		 pid;
	enum ustate	 state;
	TAILQ_ENTRY(uproc) live;	/* r->live, in the order they were made */
	const struct pp_proc *pp;	/* what the pre-pass saw of it, or NULL */
	bool		 forked;	/* made by a fork the run replayed */
	bool		 started;	/* its first call has begun */
	uint64_t	 serial;	/* processes made before it in the run */
	uint64_t	 order_ignore;	/* 1 + the serial of the process whose
					   edges the watchdog dropped, or 0 */
	bool		 order_skip;	/* the watchdog let its call go */
	bool		 order_asleep;	/* sleeping "order" ... */
	struct uproc	*order_chan;	/* ... on this process */
	void		*order_wchan;	/* ... this channel of it */
	unsigned	 waiters;	/* processes sleeping "order" on it */
	/* processes sleeping "order" until it has made its fed_min-th call
	 * (a pipe's write, a futex's wake), woken only then rather than at
	 * each of its calls */
	unsigned	 fed_waiters;
	uint64_t	 fed_min;
	uint64_t	 fed_pidx;	/* the call its own wait is for */
	unsigned	 incarn;	/* the incarn-th process of its pid */
	uint64_t	 ncalls_done;	/* its calls that have returned */
	guint		 wait_pos;	/* in pp->edges: the next one */
	int64_t		 fed_after;	/* its call waited for a pipe's write
					   or a futex's wake that returned then
					   (trace time), or TC_NOTIME */
	char		*cwd_annot;	/* where the trace last showed it to be
					   (an AT_FDCWD annotation), or NULL */
	int64_t		 done_end;	/* trace time its last call returned */
	sim_time_t	 done_sim;	/* ... and simulated time it did */
	struct replay	*r;
	struct kproc	*kp;
	struct callq	 q;		/* calls read ahead */
	size_t		 nq;		/* how many */
	struct spill	*spill;		/* later calls, on disk (see spill_out) */
	int64_t		 trace_ref;	/* trace time the next think starts at */
	int64_t		 first_t;	/* root: entry time of its first call */
	bool		 root;
	struct qcall	*cur;		/* the call it is making (freed by the
					   teardown of a stopped run) */
};

struct callstat {
	uint64_t	 n;
	struct hist	*h;		/* latency of simulated calls */
	GHashTable	*waits;		/* wmesg -> ns asleep (simulated calls) */
	sim_time_t	 cpu;		/* ns not asleep (simulated calls) */
};

/* Response time of the run's read or write requests, by phase. */
/* A disk request's response, in time order: the host's queue, the
 * interface's parts of the overhead (the controller, the bus, waiting for
 * the media, for room in the cache), the waits for the heads (the write
 * cache's flush, a flush for a full cache, a read-ahead), the media. */
enum { DP_QUEUE, DP_CTLR, DP_BUS, DP_MEDIA, DP_ROOM, DP_DRAIN, DP_FULL,
	DP_RA, DP_SEEK, DP_ROT, DP_XFER, DP__COUNT };

struct replay {
	const struct replay_opts *o;
	struct sim	*sim;
	struct kern	*k;
	struct metrics	*m;
	struct prepass	*pp;
	bool		 aliases;	/* pp->dir_alias has any (settled by
					   the pre-pass: asked once, not a
					   GLib call a call) */
	struct tspool	*spool;		/* the calls the pre-pass read, as records */
	struct trace_reader *rd;	/* ... or the trace read again
					   (VFSSIM_REREAD) */
	struct trace_call rdtc;		/* (what it read) */
	uint8_t		*enc;		/* a record: rdtc's, or a call's going
					   to the spill */
	size_t		 enccap;
	struct qcall	*peek;		/* resource: the record read, decoded */
	struct qchunk	*spare;		/* unused chunks of queues */
	unsigned	 nspare;
	GHashTable	*uprocs;	/* pid -> struct uproc (live ones) */
	struct uproc	*last_u;	/* the one pump found last (NULL: none
					   remembered; forgotten as it goes) */
	TAILQ_HEAD(, uproc) live;	/* the same, in the order they were made */
	GHashTable	*incarn;	/* pid -> processes of that pid made so far */
	GArray		*roots;		/* struct root_start: when the processes no
					   traced fork made begin, in time order */
	guint		 next_root;
	enum order_rule	 order;
	struct prepass_track *track;	/* resource: each call's resources */
	char		**track_pt;	/* ... its passthrough prefixes */
	GHashTable	*res;		/* resource key -> struct ores */
	GHashTable	*pidcalls;	/* pid -> struct opid: calls read, done */
	uint64_t	 order_edges;	/* cross-process edges that held a call */
	uint64_t	 order_pipe_edges;	/* ... of them, a pipe's */
	uint64_t	 order_futex_edges;	/* ... a futex's */
	uint64_t	 order_aio_edges;	/* ... an io_submit's */
	sim_time_t	 order_wait_ns;	/* time calls were held by them */
	uint64_t	 order_inferred;	/* processes whose order was inferred */
	uint64_t	 order_broken;	/* edges the watchdog let go */
	unsigned	 alive, max_alive;	/* processes between first call
						   and exit */
	uint64_t	 nstarted;	/* processes whose first call began */
	/* spare decoded calls, a stack (rec_get, rec_put): no allocation
	 * and no GPtrArray call a call */
	struct qcall	*pool[64];
	unsigned	 npool;
	bool		 eof;
	GError		*error;		/* why the run stopped */
	int64_t		 t0;
	bool		 think;
	sim_time_t	 sample_interval;

	uint64_t	 records, calls, simulated, passthrough, not_modelled;
	size_t		 queued, peak_queued;
	size_t		 readahead;	/* most calls held in memory */
	struct uproc	*want;		/* next_call's process, while it pumps */
	struct qcall	*got;		/* ... its call, when pump read it */
	uint64_t	 spilled;	/* calls written to spill files */
	uint64_t	 spills;
	struct callstat	 scstats[SC__COUNT];	/* modelled calls, by id */
	GHashTable	*stats;		/* other call names -> struct callstat */
	GHashTable	*skipped;	/* not-modelled call name -> count */
	GHashTable	*inopath;	/* inode number (int64 *) -> the name a
					   call last reached it by (for
					   disk_io.path) */
	int64_t		 inopath_memo;	/* call_path's last inode + 1 (0:
					   none) ... */
	const char	*inopath_had;	/* ... and its entry in inopath */
	uint64_t	 processes;
	uint64_t	 deadlock_ticks;
	sim_time_t	 t_done;	/* when the last process ended */
	sim_time_t	 last_busy;
	uint64_t	 last_calls;
	gint64		 wall_start, last_progress;
	int64_t		 risk_peak, risk_age_max;	/* over the samples */
	double		 risk_sum;	/* at-risk bytes summed over samples */
	int64_t		 risk_dirty_peak;	/* the dirty-buffer figure */
	double		 risk_dirty_sum;
	uint64_t	 nsamples;
	sim_time_t	 disk_ns[2][DP__COUNT];	/* reads, writes: by phase */
	struct ffs_origin origin;	/* how the starting fs was made */
	struct ffs_layout layout;	/* ... and how it is laid out */
	GArray		*crashes;	/* struct crash_result, crash.at's */
};

/* replay.c: the run and its processes */
struct uproc *uproc_new(struct replay *r, int32_t pid, enum ustate st);
struct uproc *uproc_root(struct replay *r, int32_t pid, int64_t first_t);
struct trace_reader *open_trace(const struct replay_opts *o, GError **err);
bool	snapshots_asked(const struct profile *prof);

/* replay_queue.c: calls read ahead, spill files */
void	rec_destroy(gpointer p);
void	rec_put(struct replay *r, struct qcall *qc);
bool	pump(struct replay *r);
struct qcall *next_call(struct uproc *u);
bool	queue_peek(const struct uproc *u, struct tbin_head *h);
bool	spill_pending(const struct spill *sp);
void	spill_close(struct spill *sp);
void	queue_move(struct uproc *from, struct uproc *to);
void	queue_free(struct replay *r, struct uproc *u);
void	queue_fini(struct replay *r);

/* replay_order.c: the order across processes (replay.order) */
const char *order_rule_name(enum order_rule o);
void	order_init(struct replay *r, const struct profile *prof);
void	order_free(struct replay *r);
void	order_proc_new(struct replay *r, struct uproc *u);
void	order_roots_start(struct replay *r);
void	order_read(struct replay *r, struct qcall *qc);
void	order_key_add(struct qcall *qc, uint64_t k);
void	order_wait(struct replay *r, struct uproc *u,
	    const struct trace_call *tc, sim_time_t *ready);
void	order_started(struct replay *r, struct uproc *u);
void	order_call_done(struct replay *r, struct uproc *u,
	    const struct trace_call *tc);
void	order_proc_gone(struct replay *r, struct uproc *u);
bool	order_watchdog(struct replay *r);

/* crash.c: crash.at's instants */
bool	crashes_asked(const struct profile *prof);
void	crash_start(struct replay *r);
void	crash_record(struct replay *r);
void	crash_free(struct replay *r);

/* replay_fs.c: the starting file system */
bool	setup(struct replay *r, const struct replay_opts *o, bool *loaded,
	    bool *saved, GError **err);
void	setup_free(struct replay *r);

/* replay_record.c: calls, samples, the summary */
void	callstat_free(gpointer p);
void	record_call(struct replay *r, struct uproc *u,
	    const struct trace_call *tc, const struct sys_outcome *out,
	    sim_time_t start, sim_time_t end);
void	on_disk_done(void *arg, const struct diskreq *rq);
void	take_sample(struct replay *r);
void	sampler(struct sim *s, void *arg);
void	write_summary(struct replay *r);
void	hand_refs(struct replay *r);
void	record_initial_fs(struct replay *r, bool loaded);

#endif
