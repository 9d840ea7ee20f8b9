/*
 * replay.c — one run: trace -> simulated kernel -> metrics.
 *
 * The pieces, in the order a run uses them:
 *   1. the pre-pass reads the whole trace once: it validates it (bad input
 *      fails here, before the database is touched) and lists the files the
 *      trace found already there (prepass.c);
 *   2. the machine boots from the profile and the starting file system is
 *      laid out on its disk, without I/O;
 *   3. the trace is read again, one call at a time, and each call goes to
 *      the queue of its process (struct uproc); a process that needs its
 *      next call reads ahead until one for it turns up;
 *   4. each process is a coroutine that thinks, calls, and records;
 *   5. a sampler records the machine's state every sample interval, and
 *      the summary and histograms are written at the end.
 *
 * Process creation follows the trace: a clone/fork/vfork record names the
 * child, whose calls wait until the parent's clone runs in the simulation;
 * the child then starts with a copy (or a share) of the parent's
 * descriptors.  A vfork parent sleeps until its child execs or exits, and a
 * wait4 sleeps until the child it reaped in the trace has exited in the
 * simulation.
 */
#include "replay.h"
#include "kassert.h"
#include "engine.h"
#include "file.h"
#include "fsage.h"
#include "kern.h"
#include "metrics.h"
#include "prepass.h"
#include "profile.h"
#include "syscalls.h"
#include "trace.h"
#include "disktrace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(vfssim-replay-error-quark, replay_error)

enum ustate {
	U_AWAIT_FORK,		/* the parent's clone has not run yet */
	U_RUNNING,
	U_DONE,
};

struct replay;

/* A call read ahead, on its process's queue. */
struct qcall {
	TAILQ_ENTRY(qcall) link;
	struct trace_call tc;
};
TAILQ_HEAD(qcallq, qcall);

struct uproc {
	int32_t		 pid;
	enum ustate	 state;
	struct replay	*r;
	struct kproc	*kp;
	struct qcallq	 q;		/* calls read ahead */
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

/* Waits that are waits for the disk, and which requests' breakdown
 * splits them (time_split). */
static const struct {
	const char	*wmesg;
	bool		 write;
} disk_waits[] = {
	{ "biord", false },	/* bread, cluster_read: biowait */
	{ "biowr", true },	/* bwrite: biowait */
	{ "ffsfsn", true },	/* fsync: the vnode's writes in flight */
};

/* Response time of the run's read or write requests, by phase. */
enum { DP_QUEUE, DP_OVERHEAD, DP_SEEK, DP_ROT, DP_XFER, DP__COUNT };
static const char *const disk_part_names[DP__COUNT] = {
	"disk:queue", "disk:overhead", "disk:seek", "disk:rotation",
	"disk:transfer",
};

struct replay {
	const struct replay_opts *o;
	struct sim	*sim;
	struct kern	*k;
	struct metrics	*m;
	struct prepass	*pp;
	struct trace_reader *rd;
	GHashTable	*uprocs;	/* pid -> struct uproc (live ones) */
	GPtrArray	*pool;		/* spare struct trace_call */
	bool		 eof;
	GError		*error;		/* why the run stopped */
	int64_t		 t0;
	bool		 think;
	sim_time_t	 sample_interval;

	uint64_t	 records, calls, simulated, passthrough, not_modelled;
	size_t		 queued, peak_queued;
	size_t		 readahead;	/* most calls held in memory */
	uint64_t	 spilled;	/* calls written to spill files */
	uint64_t	 spills;
	struct callstat	 scstats[SC__COUNT];	/* modelled calls, by id */
	GHashTable	*stats;		/* other call names -> struct callstat */
	GHashTable	*skipped;	/* not-modelled call name -> count */
	uint64_t	 processes;
	uint64_t	 deadlock_ticks;
	sim_time_t	 t_done;	/* when the last process ended */
	sim_time_t	 last_busy;
	uint64_t	 last_calls;
	gint64		 wall_start, last_progress;
	int64_t		 risk_peak, risk_age_max;	/* over the samples */
	double		 risk_sum;	/* at-risk bytes summed over samples */
	uint64_t	 nsamples;
	sim_time_t	 disk_ns[2][DP__COUNT];	/* reads, writes: by phase */
	struct ffs_origin origin;	/* how the starting fs was made */
	struct ffs_layout layout;	/* ... and how it is laid out */
};

/* ---- call records ---------------------------------------------------- */

static struct qcall *
rec_get(struct replay *r)
{
	struct qcall *qc;

	if (r->pool->len > 0)
		return g_ptr_array_steal_index(r->pool, r->pool->len - 1);
	qc = g_new(struct qcall, 1);
	trace_call_init(&qc->tc);
	return qc;
}

static void
rec_destroy(gpointer p)
{
	struct qcall *qc = p;

	trace_call_free(&qc->tc);
	g_free(qc);
}

static void
rec_put(struct replay *r, struct qcall *qc)
{
	if (r->pool->len < 1024)
		g_ptr_array_add(r->pool, qc);
	else
		rec_destroy(qc);
}

/* ---- processes ------------------------------------------------------- */

static void uproc_main(void *arg);

static struct vnode *
start_cwd(struct replay *r, int32_t pid)
{
	const char *cwd = g_hash_table_lookup(r->pp->cwd0, GINT_TO_POINTER(pid));
	struct nameidata nd;

	if (cwd != NULL && namei(r->k, NULL, cwd, &nd) == 0 && nd.ni_vp != NULL &&
	    nd.ni_vp->v_type == VDIR)
		return nd.ni_vp;
	return vn_root(r->k);
}

static struct uproc *
uproc_new(struct replay *r, int32_t pid, enum ustate st)
{
	struct uproc *u = g_new0(struct uproc, 1);

	u->pid = pid;
	u->state = st;
	u->r = r;
	u->trace_ref = TC_NOTIME;
	u->first_t = TC_NOTIME;
	TAILQ_INIT(&u->q);
	g_hash_table_insert(r->uprocs, GINT_TO_POINTER(pid), u);
	r->processes++;
	return u;
}

/* A process the trace did not show being created: it starts when its
 * first call's time comes, in the directory the trace shows it in. */
static struct uproc *
uproc_root(struct replay *r, int32_t pid, int64_t first_t)
{
	struct uproc *u = uproc_new(r, pid, U_RUNNING);
	char name[24];

	u->root = true;
	u->first_t = first_t;
	u->kp = proc_create(r->k, pid, fdinit(start_cwd(r, pid)));
	g_snprintf(name, sizeof(name), "pid %d", pid);
	sim_spawn(r->sim, name, uproc_main, u, 0);
	return u;
}

static bool
is_fork(const struct trace_call *tc)
{
	return tc->kind == TC_CALL && (tc->sc == SC_CLONE || tc->sc == SC_CLONE3 ||
	    tc->sc == SC_FORK || tc->sc == SC_VFORK);
}

/*
 * Spill files.  A process that lags behind the others in the simulation
 * (its calls take longer than they did when traced) accumulates calls read
 * ahead for it, and over a long trace that can be any number.  Once more
 * than replay.readahead calls are held in memory, the process holding the
 * most has its queue written to an unnamed temporary file (tmpfile(3)) in
 * the native format, and its later calls follow them there until it has
 * caught up.  No process ever waits for the reader, so memory is bounded
 * without changing a single simulated time.
 */
struct spill {
	FILE		*f;
	int64_t		 wr, rd;	/* write and read offsets */
	uint64_t	 n;		/* calls in it not yet read back */
	GString		*line;
	GString		*buf;		/* read buffer */
	size_t		 bpos;
};

static void
replay_fail(struct replay *r, const char *what)
{
	if (r->error == NULL)
		g_set_error(&r->error, REPLAY_ERROR, 0, "spill file: %s: %s", what,
		    g_strerror(errno));
	sim_stop(r->sim);
}

static bool
spill_put(struct replay *r, struct spill *sp, const struct trace_call *tc)
{
	g_string_truncate(sp->line, 0);
	native_format_call(sp->line, tc);
	if (fseeko(sp->f, sp->wr, SEEK_SET) != 0 ||
	    fwrite(sp->line->str, 1, sp->line->len, sp->f) != sp->line->len) {
		replay_fail(r, "write");
		return false;
	}
	sp->wr += (int64_t)sp->line->len;
	sp->n++;
	r->spilled++;
	return true;
}

static bool
spill_get(struct replay *r, struct spill *sp, struct trace_call *tc)
{
	GError *err = NULL;
	char *nl;

	while ((nl = memchr(sp->buf->str + sp->bpos, '\n',
	    sp->buf->len - sp->bpos)) == NULL) {
		char chunk[65536];
		size_t n;

		g_string_erase(sp->buf, 0, (gssize)sp->bpos);
		sp->bpos = 0;
		if (fflush(sp->f) != 0 || fseeko(sp->f, sp->rd, SEEK_SET) != 0 ||
		    (n = fread(chunk, 1, sizeof(chunk), sp->f)) == 0) {
			replay_fail(r, "read");
			return false;
		}
		sp->rd += (int64_t)n;
		g_string_append_len(sp->buf, chunk, (gssize)n);
	}
	if (native_parse_line(sp->buf->str + sp->bpos,
	    (size_t)(nl - sp->buf->str) - sp->bpos, tc, &err) != 1) {
		if (r->error == NULL)
			g_propagate_prefixed_error(&r->error, err, "spill file: ");
		else
			g_clear_error(&err);
		sim_stop(r->sim);
		return false;
	}
	sp->bpos = (size_t)(nl - sp->buf->str) + 1;
	sp->n--;
	return true;
}

static void
spill_close(struct spill *sp)
{
	if (sp == NULL)
		return;
	fclose(sp->f);
	g_string_free(sp->line, TRUE);
	g_string_free(sp->buf, TRUE);
	g_free(sp);
}

/* Too much in memory: move the longest queue to a spill file. */
static void
spill_out(struct replay *r)
{
	GHashTableIter it;
	gpointer v;
	struct uproc *u = NULL;
	struct qcall *qc;

	/* The longest queue not already followed by a spill (ties: lowest
	 * pid), whatever the table's order. */
	g_hash_table_iter_init(&it, r->uprocs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct uproc *c = v;

		if (c->nq >= 2 && (c->spill == NULL || c->spill->n == 0) &&
		    (u == NULL || c->nq > u->nq ||
		    (c->nq == u->nq && c->pid < u->pid)))
			u = c;
	}
	if (u == NULL || u->nq < 2)
		return;
	if (u->spill == NULL) {
		FILE *f = tmpfile();

		if (f == NULL) {
			replay_fail(r, "create");
			return;
		}
		u->spill = g_new0(struct spill, 1);
		u->spill->f = f;
		u->spill->line = g_string_new("");
		u->spill->buf = g_string_new("");
		r->spills++;
	}
	/* A process's calls are its queue, then its spill, then what is
	 * read later.  Keep the first call in memory and write the rest. */
	for (qc = TAILQ_NEXT(TAILQ_FIRST(&u->q), link); qc != NULL;) {
		struct qcall *next = TAILQ_NEXT(qc, link);

		if (!spill_put(r, u->spill, &qc->tc))
			return;
		TAILQ_REMOVE(&u->q, qc, link);
		u->nq--;
		r->queued--;
		rec_put(r, qc);
		qc = next;
	}
}

/* Read one record and queue it on its process.  False at the end. */
static bool
pump(struct replay *r)
{
	struct qcall *qc;
	struct trace_call *tc;
	struct uproc *u;
	GError *err = NULL;
	int rc;

	if (r->eof)
		return false;
	qc = rec_get(r);
	tc = &qc->tc;
	rc = trace_read(r->rd, tc, &err);
	if (rc <= 0) {
		rec_put(r, qc);
		r->eof = true;
		if (rc < 0) {
			if (r->error == NULL)
				r->error = err;
			else
				g_error_free(err);
			sim_stop(r->sim);
		}
		return false;
	}
	r->records++;
	u = g_hash_table_lookup(r->uprocs, GINT_TO_POINTER(tc->pid));
	if (u == NULL)
		u = uproc_root(r, tc->pid, tc->t_ns);
	if (u->spill != NULL && u->spill->n > 0) {
		/* This process is behind: its calls follow its spill. */
		(void)spill_put(r, u->spill, tc);
		rec_put(r, qc);
	} else {
		TAILQ_INSERT_TAIL(&u->q, qc, link);
		u->nq++;
		if (++r->queued > r->peak_queued)
			r->peak_queued = r->queued;
		if (r->queued > r->readahead)
			spill_out(r);
	}
	if (is_fork(tc) && tc->ret > 0 &&
	    !g_hash_table_contains(r->uprocs, GINT_TO_POINTER((int32_t)tc->ret)))
		(void)uproc_new(r, (int32_t)tc->ret, U_AWAIT_FORK);

	if (r->o->tick != NULL && (r->records & 0x3fff) == 0)
		r->o->tick(r->o->tick_arg, r->calls, r->pp->calls);
	if (r->o->progress && (r->records & 0x3fff) == 0) {
		gint64 now = g_get_monotonic_time();

		if (now - r->last_progress > 200000) {
			r->last_progress = now;
			fprintf(stderr, "\rreplay: %llu/%llu calls (%.0f%%), "
			    "simulated %.1f s ",
			    (unsigned long long)r->calls,
			    (unsigned long long)r->pp->calls,
			    r->pp->calls ? 100.0 * (double)r->calls /
			    (double)r->pp->calls : 100.0,
			    (double)sim_now(r->sim) / 1e9);
		}
	}
	return true;
}

/*
 * A process's next call: from its queue, else from its spill file, else
 * read ahead until one turns up.  Calls read for other processes go to
 * their queues (or their spill files).
 */
static struct qcall *
next_call(struct uproc *u)
{
	struct replay *r = u->r;
	struct qcall *qc;

	while ((qc = TAILQ_FIRST(&u->q)) == NULL) {
		if (u->spill != NULL && u->spill->n > 0) {
			qc = rec_get(r);
			if (!spill_get(r, u->spill, &qc->tc)) {
				rec_put(r, qc);
				return NULL;
			}
			if (u->spill->n == 0) {
				/* caught up: the file goes, so that only
				 * processes behind right now hold one */
				spill_close(u->spill);
				u->spill = NULL;
			}
			return qc;
		}
		if (!pump(r))
			return NULL;
	}
	TAILQ_REMOVE(&u->q, qc, link);
	u->nq--;
	r->queued--;
	return qc;
}

/* ---- recording ------------------------------------------------------- */

static struct callstat *
callstat(struct replay *r, const struct trace_call *tc)
{
	const char *name = tc->name;
	struct callstat *cs;

	if (tc->sc != SC_OTHER)
		return &r->scstats[tc->sc];
	cs = g_hash_table_lookup(r->stats, name);

	if (cs == NULL) {
		cs = g_new0(struct callstat, 1);
		g_hash_table_insert(r->stats, g_strdup(name), cs);
	}
	return cs;
}

static void
callstat_free(gpointer p)
{
	struct callstat *cs = p;

	g_free(cs->h);
	if (cs->waits != NULL)
		g_hash_table_destroy(cs->waits);
	g_free(cs);
}

struct waitsum {
	sim_time_t	 total, best;
	sim_time_t	 suspend, cow;	/* snapshots' part of total */
	const char	*wmesg;
	struct callstat	*cs;		/* add each wait to its time split */
};

static void
sum_wait(const char *wmesg, sim_time_t ns, void *arg)
{
	struct waitsum *w = arg;

	w->total += ns;
	if (strcmp(wmesg, "suspfs") == 0)
		w->suspend += ns;
	else if (strcmp(wmesg, "physrd") == 0 || strcmp(wmesg, "cowwr") == 0)
		w->cow += ns;
	if (ns > w->best) {
		w->best = ns;
		w->wmesg = wmesg;
	}
	if (w->cs != NULL) {
		gpointer v = g_hash_table_lookup(w->cs->waits, wmesg);

		g_hash_table_insert(w->cs->waits, (gpointer)wmesg,
		    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + (gsize)ns));
	}
}

static void
record_call(struct replay *r, struct uproc *u, const struct trace_call *tc,
    const struct sys_outcome *out, sim_time_t start, sim_time_t end)
{
	struct callstat *cs = callstat(r, tc);
	struct waitsum w = { 0, 0, 0, 0, NULL, NULL };

	cs->n++;
	if (out->cls == SYS_PASSTHROUGH)
		r->passthrough++;
	else {
		r->simulated++;
		if (cs->h == NULL) {
			cs->h = g_new(struct hist, 1);
			hist_init(cs->h);
			/* wmesgs are the kernel's string constants */
			cs->waits = g_hash_table_new(g_str_hash, g_str_equal);
		}
		hist_add(cs->h, end - start);
		/* Where the time went: each wait by its message, the rest
		 * on the CPU. */
		w.cs = cs;
		sim_proc_waits_foreach(curproc(r->sim), sum_wait, &w);
		cs->cpu += end - start - w.total;
	}
	if (r->o->events) {
		struct syscall_row row = {
			.pid = u->pid,
			.call = tc->name,
			.passthrough = out->cls == SYS_PASSTHROUGH,
			.path = out->path,
			.fd = out->fd,
			.offset = out->off,
			.bytes = out->bytes,
			.start_ns = start,
			.end_ns = end,
			.result = tc->ret_unknown ? -1 : tc->ret,
			.err = tc->ret == -1 ? tc->err : 0,
		};

		/* What the call slept on (passthrough time is not a wait). */
		if (w.cs == NULL)
			sim_proc_waits_foreach(curproc(r->sim), sum_wait, &w);
		row.wait_ns = w.total;
		row.wmesg = w.wmesg;
		row.suspend_ns = w.suspend;
		row.cow_ns = w.cow;
		metrics_syscall(r->m, &row);
	}
}

/* ---- calls that belong to the replay rather than the file system ----- */

/* Calls that hand back a new descriptor that is not a file of the fs. */
static const char *const nonfile_fd_calls[] = {
	"socket", "accept", "accept4", "eventfd", "eventfd2", "epoll_create",
	"epoll_create1", "memfd_create", "timerfd_create", "signalfd",
	"signalfd4", "inotify_init", "inotify_init1", "pidfd_open",
	"pidfd_getfd", "fanotify_init", "userfaultfd", "perf_event_open",
	"io_uring_setup", "open_tree", "fsopen", "fsmount", "fspick",
	"memfd_secret", "bpf", NULL
};

static void
install_nonfile(struct kern *k, struct kproc *p, int64_t fd)
{
	struct file *fp;

	if (fd < 0 || fd >= (1 << 20) || p->p_fd == NULL)
		return;
	fp = falloc(DTYPE_PASS, FREAD | FWRITE, NULL);
	fdinstall(k, p->p_fd, (int)fd, fp, false);
	fdrop(k, fp);
}

static void
skip_call(struct replay *r, struct uproc *u, const struct trace_call *tc)
{
	gpointer n = g_hash_table_lookup(r->skipped, tc->name);
	int i;

	g_hash_table_insert(r->skipped, g_strdup(tc->name),
	    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
	r->not_modelled++;
	/* Not simulated, but the time it took in the trace still passes. */
	if (tc->dur_ns > 0)
		sim_pause(r->sim, tc->dur_ns);
	if (tc->ret_unknown || tc->ret < 0)
		return;
	if (tc->rfd[0] >= 0) {
		install_nonfile(r->k, u->kp, tc->rfd[0]);
		install_nonfile(r->k, u->kp, tc->rfd[1]);
		return;
	}
	for (i = 0; nonfile_fd_calls[i] != NULL; i++)
		if (strcmp(tc->name, nonfile_fd_calls[i]) == 0) {
			install_nonfile(r->k, u->kp, tc->ret);
			break;
		}
}

static void
do_fork(struct replay *r, struct uproc *u, const struct trace_call *tc)
{
	struct uproc *c;
	bool vfork = tc->sc == SC_VFORK || (tc->xflags & TX_CLONE_VFORK);
	char name[24];

	kern_cpu(r->k, r->k->p.cpu_syscall);
	if (tc->ret <= 0)
		return;
	c = g_hash_table_lookup(r->uprocs, GINT_TO_POINTER((int32_t)tc->ret));
	if (c == NULL || c->state != U_AWAIT_FORK)
		return;
	c->kp = fork1(r->k, u->kp, c->pid, (tc->xflags & TX_CLONE_FILES) != 0,
	    vfork);
	c->state = U_RUNNING;
	c->trace_ref = tc->t_ns;
	g_snprintf(name, sizeof(name), "pid %d", c->pid);
	sim_spawn(r->sim, name, uproc_main, c, 0);
	if (vfork)
		vfork_wait(r->k, c->kp);
}

/* ---- the simulated process ------------------------------------------ */

static void
run_call(struct replay *r, struct uproc *u, struct trace_call *tc)
{
	struct sys_outcome out = { SYS_SIMULATED, -1, -1, -1, NULL };
	sim_time_t start = sim_now(r->sim), end;

	r->calls++;
	sim_proc_waits_reset(curproc(r->sim));
	switch ((enum sc_id)tc->sc) {
	case SC_OTHER:
		skip_call(r, u, tc);
		return;
	case SC_CLONE: case SC_CLONE3: case SC_FORK: case SC_VFORK:
		do_fork(r, u, tc);
		break;
	case SC_WAIT4: case SC_WAITID:
		kern_cpu(r->k, r->k->p.cpu_syscall);
		if (!tc->ret_unknown && tc->ret > 0)
			(void)kern_wait(r->k, u->kp, (int32_t)tc->ret);
		break;
	default:
		syscall_replay(r->k, u->kp, tc, &out);
		/* Not a file of the simulated fs: the call takes the time the
		 * trace shows (less what deciding that cost). */
		if (out.cls == SYS_PASSTHROUGH &&
		    tc->dur_ns > sim_now(r->sim) - start)
			sim_pause(r->sim, tc->dur_ns - (sim_now(r->sim) - start));
		break;
	}
	end = sim_now(r->sim);
	record_call(r, u, tc, &out, start, end);
}

static void
uproc_main(void *arg)
{
	struct uproc *u = arg;
	struct replay *r = u->r;
	struct qcall *qc;
	struct trace_call *tc;
	int xstat = 0;

	if (u->root && u->first_t != TC_NOTIME && r->t0 != TC_NOTIME) {
		/* A process the trace did not fork starts when it did. */
		sim_time_t at = u->first_t - r->t0;

		if (r->think && at > sim_now(r->sim))
			sim_pause(r->sim, at - sim_now(r->sim));
		u->trace_ref = u->first_t;
	}
	while ((qc = next_call(u)) != NULL) {
		tc = &qc->tc;
		u->cur = qc;
		if (r->o->interrupted != NULL && *r->o->interrupted) {
			u->cur = NULL;
			rec_put(r, qc);
			sim_stop(r->sim);
			break;
		}
		if (tc->kind == TC_EXIT) {
			xstat = (int)tc->ret;
			u->cur = NULL;
			rec_put(r, qc);
			break;
		}
		/* Think: as long as the trace shows between the return of the
		 * previous call and the entry of this one. */
		if (r->think && tc->t_ns != TC_NOTIME && u->trace_ref != TC_NOTIME &&
		    tc->t_ns > u->trace_ref)
			sim_pause(r->sim, tc->t_ns - u->trace_ref);
		run_call(r, u, tc);
		if (tc->t_ns != TC_NOTIME)
			u->trace_ref = tc_end(tc);
		u->cur = NULL;
		rec_put(r, qc);
	}
	u->state = U_DONE;
	exit1(r->k, u->kp, xstat);	/* may free kp */
	u->kp = NULL;
	g_hash_table_steal(r->uprocs, GINT_TO_POINTER(u->pid));
	/* Calls already read for this pid belong to a later process that
	 * reused the number. */
	if ((qc = TAILQ_FIRST(&u->q)) != NULL ||
	    (u->spill != NULL && u->spill->n > 0)) {
		struct uproc *n = uproc_root(r, u->pid,
		    qc != NULL ? qc->tc.t_ns : TC_NOTIME);

		while ((qc = TAILQ_FIRST(&u->q)) != NULL) {
			TAILQ_REMOVE(&u->q, qc, link);
			TAILQ_INSERT_TAIL(&n->q, qc, link);
			n->nq++;
		}
		u->nq = 0;
		n->spill = u->spill;
		u->spill = NULL;
	}
	spill_close(u->spill);
	g_free(u);
	/* Calls are read as running processes need them: with none left, a
	 * process whose first call comes after every other one ended would
	 * never be read.  Read on, so that it starts. */
	if (g_hash_table_size(r->uprocs) == 0)
		(void)pump(r);
}

/* ---- the starting file system ---------------------------------------- */

static struct trace_reader *open_trace(const struct replay_opts *o,
    GError **err);
static bool snapshots_asked(const struct profile *prof);

static struct vnode *
mkpath(struct kern *k, const char *path, bool isdir)
{
	char **comp = g_strsplit(path, "/", -1), **c;
	struct vnode *vp = vn_root(k);

	for (c = comp; *c != NULL && vp != NULL; c++) {
		struct vnode *next;
		bool last;

		if ((*c)[0] == '\0')
			continue;
		last = c[1] == NULL;
		next = vn_child(k, vp, *c);
		if (next == NULL &&
		    vn_create(k, vp, *c, last && !isdir ? VREG : VDIR, &next) != 0)
			next = NULL;
		vp = next;
	}
	g_strfreev(comp);
	return vp;
}

static bool
interrupted(const struct replay *r)
{
	return r->o->interrupted != NULL && *r->o->interrupted;
}

/* One file of the pre-pass's list: made (with the directories on its
 * way), its blocks laid out, or another name for one made before. */
static void
populate_one(struct replay *r, struct vnode **made, guint i,
    struct ffs_origin *o)
{
	struct initial_file *f = &g_array_index(r->pp->files, struct initial_file, i);
	struct vnode *vp;

	if (f->link_of >= 0) {
		struct vnode *target = made[f->link_of];
		char *dir = g_path_get_dirname(f->path);
		char *base = g_path_get_basename(f->path);
		struct vnode *dvp = mkpath(r->k, dir, true);

		if (target != NULL && dvp != NULL && dvp->v_type == VDIR &&
		    target->v_type == VREG &&
		    vn_child(r->k, dvp, base) == NULL)
			(void)vn_link(r->k, target, dvp, base);
		made[i] = target;
		g_free(dir);
		g_free(base);
		return;
	}
	vp = mkpath(r->k, f->path, f->isdir);
	made[i] = vp;
	if (vp == NULL) {
		o->failed++;
		return;
	}
	if (vp->v_type == VDIR) {
		o->dirs++;
		return;
	}
	o->files++;
	if (f->size > vn_size(vp)) {
		if (ffs_prealloc(r->k, vp->v_data, f->size))
			o->bytes += (uint64_t)f->size;
		else {
			/* Does not fit: a hole of the right size. */
			vp->v_data->i_size = f->size;
			o->failed++;
		}
	}
}

/* Fragments the files from i on will take (about: their blocks), for
 * aging to leave room for. */
static int64_t
frags_wanted(struct replay *r, guint from)
{
	const struct fs *fs = &r->k->fs;
	int64_t want = 0;
	guint i;

	for (i = from; i < r->pp->files->len; i++) {
		struct initial_file *f = &g_array_index(r->pp->files,
		    struct initial_file, i);

		if (f->link_of < 0 && !f->isdir && f->size > 0)
			want += blkstofrags(fs, MIN(howmany_blk(fs, f->size),
			    fragstoblks(fs, fs->fs_dsize)));
		if (want > fs->fs_dsize)
			return fs->fs_dsize;
	}
	return want;
}

/*
 * The starting file system from the pre-pass's list, without I/O.  With
 * ffs.age, the list goes in FSAGE_ROUNDS + 1 batches, each followed by
 * filler files past the target and (but the last) a churn, so that the
 * trace's files are laid out among the holes of a used file system as
 * files of different ages would be; then filler files go at random until
 * the target is reached (fsage.h).
 */
static void
populate(struct replay *r, struct ffs_origin *o)
{
	GArray *files = r->pp->files;
	struct vnode **made = g_new0(struct vnode *, files->len + 1);
	struct fsage *a = NULL;
	GHashTable *taken = NULL;
	guint i, b, nb = 1;

	memset(o, 0, sizeof(*o));
	if (r->k->p.age > 0) {
		/* The filler's directories keep off the names the trace
		 * uses at the top. */
		taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		for (i = 0; i < files->len; i++) {
			const char *p = g_array_index(files, struct initial_file,
			    i).path;
			const char *e;

			while (*p == '/')
				p++;
			e = strchrnul(p, '/');
			g_hash_table_add(taken, g_strndup(p, (gsize)(e - p)));
		}
		a = fsage_new(r->k, r->k->p.age,
		    (uint64_t)profile_int(r->o->prof, "replay", "seed"), taken);
		nb = FSAGE_ROUNDS + 1;
	}
	for (b = 0; b < nb; b++) {
		guint end = (guint)((uint64_t)files->len * (b + 1) / nb);

		for (i = (guint)((uint64_t)files->len * b / nb); i < end; i++)
			populate_one(r, made, i, o);
		if (a == NULL)
			continue;
		if (r->o->progress)
			fprintf(stderr, "\rreplay: aging the starting file system, "
			    "round %u of %u ", b + 1, nb);
		fsage_fill(a, frags_wanted(r, end));
		if (interrupted(r))
			break;		/* setup gives up */
		if (b + 1 < nb)
			fsage_churn(a);
	}
	if (a != NULL) {
		if (!interrupted(r))
			fsage_trim(a);
		fsage_finish(a, o);
		if (r->o->progress)
			fprintf(stderr, "\r%*s\r", 60, "");
	}
	if (taken != NULL)
		g_hash_table_destroy(taken);
	g_free(made);
}

/*
 * Steps 1 and 2 of a run: read the trace once (validating it, listing the
 * starting file system), boot the machine, and build the starting file
 * system — or load it from o->fs_image — then save it there if it was
 * built.  Nothing of how the file system came about reaches the run
 * (kern_setup_done).
 */
static bool
setup(struct replay *r, const struct replay_opts *o, bool *loaded,
    bool *saved, GError **err)
{
	struct kern_counters before;
	char **pt;

	*loaded = *saved = false;
	pt = g_strsplit(profile_str(o->prof, "replay", "passthrough"), ":", -1);
	r->rd = open_trace(o, err);
	r->pp = r->rd != NULL ? prepass_read(r->rd, o->trace, pt, err) : NULL;
	r->rd = NULL;
	g_strfreev(pt);
	if (r->pp == NULL)
		return false;
	r->sim = sim_create();
	r->k = kern_boot(r->sim, o->prof, err);
	if (r->k == NULL)
		return false;
	/* Before the starting file system is built (or saved): bad input
	 * is found before anything is written. */
	if (r->k->p.era == ERA_FREEBSD4 && (r->pp->snapshot_line > 0 ||
	    snapshots_asked(o->prof))) {
		if (r->pp->snapshot_line > 0)
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: a snapshot record, but the freebsd4 era "
			    "(RELENG_4) has no snapshots; use freebsd5-current",
			    o->trace, (unsigned long long)r->pp->snapshot_line);
		else
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "snapshot.at (--snapshot-at): the freebsd4 era "
			    "(RELENG_4) has no snapshots; use freebsd5-current");
		return false;
	}
	{
		/* A snapshot time past the longest run: refused, not walked
		 * to second by second. */
		static const char *const keys[] = { "at", "remove_at" };
		bool far = false;
		int64_t *t;
		int n, i, j;

		for (j = 0; j < 2; j++) {
			t = profile_times(o->prof, "snapshot", keys[j], &n);
			for (i = 0; i < n; i++)
				far |= t[i] > PREPASS_MAX_SPAN;
			g_free(t);
		}
		if (far) {
			g_set_error(err, PROFILE_ERROR, 0, "snapshot.at/remove_at: "
			    "a time past %d days, the longest run",
			    (int)(PREPASS_MAX_SPAN / 86400000000000LL));
			return false;
		}
	}
	before = r->k->cnt;
	if (o->fs_image != NULL && g_file_test(o->fs_image, G_FILE_TEST_EXISTS)) {
		if (!ffs_image_load(r->k, o->fs_image, &r->origin, err))
			return false;
		*loaded = true;
	} else if (o->fs_image != NULL && o->fs_image_load_only) {
		g_set_error(err, FFS_IMAGE_ERROR, FFS_IMAGE_ERROR_INPUT,
		    "%s: no such file system image", o->fs_image);
		return false;
	} else {
		populate(r, &r->origin);
		/* Aging a large file system takes a while: Ctrl-C stops it,
		 * and nothing half-made is saved. */
		if (interrupted(r)) {
			g_set_error(err, REPLAY_ERROR, 0, "interrupted while "
			    "building the starting file system");
			return false;
		}
	}
	kern_setup_done(r->k, &before);
	if (o->fs_image != NULL && !*loaded) {
		if (!ffs_image_save(r->k, o->fs_image, &r->origin, err))
			return false;
		*saved = true;
	}
	ffs_layout(&r->k->fs, &r->layout);
	return true;
}

static void
setup_free(struct replay *r)
{
	/* The engine first (it drops the parked coroutines), then the
	 * machine they ran on. */
	if (r->sim != NULL)
		sim_destroy(r->sim);
	kern_shutdown(r->k);
	prepass_free(r->pp);
	r->sim = NULL;
	r->k = NULL;
	r->pp = NULL;
}

bool
replay_make_image(const struct replay_opts *o, bool *built, GError **err)
{
	struct replay r;
	bool loaded, ok;

	*built = false;
	if (o->fs_image == NULL || g_file_test(o->fs_image, G_FILE_TEST_EXISTS))
		return true;
	memset(&r, 0, sizeof(r));
	r.o = o;
	ok = setup(&r, o, &loaded, built, err);
	setup_free(&r);
	return ok;
}

/* ---- sampling -------------------------------------------------------- */

static void
count_sleeper(struct sim_proc *p, const void *chan, void *arg)
{
	(void)p;
	(void)chan;
	(*(unsigned *)arg)++;
}

static void
count_timed(struct sim_proc *p, const void *chan, void *arg)
{
	(void)chan;
	if (sim_proc_timed(p))
		(*(unsigned *)arg)++;
}

static void
name_sleeper(struct sim_proc *p, const void *chan, void *arg)
{
	GString *who = arg;

	(void)chan;
	if (who->len < 400)
		g_string_append_printf(who, "%s%s in \"%s\"", who->len ? ", " : "",
		    sim_proc_name(p), sim_proc_wmesg(p));
}

static void
count_wmesg(struct sim_proc *p, const void *chan, void *arg)
{
	GHashTable *h = arg;
	const char *w = sim_proc_wmesg(p);
	gpointer n;

	(void)chan;
	if (w == NULL)
		return;
	n = g_hash_table_lookup(h, w);
	g_hash_table_insert(h, (gpointer)w, GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
}

static gint cmp_str(gconstpointer a, gconstpointer b);

static void
take_sample(struct replay *r)
{
	struct bufcache *bc = &r->k->bc;
	struct vmmeter *vc = &r->k->vm.cnt;
	struct sample_row row;
	GHashTable *waits = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer key;
	guint i;

	memset(&row, 0, sizeof(row));
	row.t_ns = sim_now(r->sim);
	row.dirty_bufs = bc->numdirtybuffers;
	row.clean_bufs = bc->qlen[QUEUE_CLEAN];
	row.empty_bufs = bc->qlen[QUEUE_EMPTY] + bc->qlen[QUEUE_EMPTYKVA];
	row.busy_bufs = bc->nbuf - bc->qlen[QUEUE_CLEAN] - bc->qlen[QUEUE_DIRTY] -
	    bc->qlen[QUEUE_EMPTY] - bc->qlen[QUEUE_EMPTYKVA] - bc->qlen[QUEUE_LOCKED];
	row.free_bufs = bc->numfreebuffers;
	row.bufspace = bc->bufspace;
	row.running_bytes = bc->runningbufspace;
	row.cached_pages = vc->v_inactive_count + vc->v_cache_count +
	    vc->v_active_count;
	row.free_pages = vc->v_free_count;
	row.wired_pages = vc->v_wire_count;
	row.disk_qlen = disk_qlen(&r->k->disk);
	row.procs = (int)sim_nprocs(r->sim);
	row.calls_done = r->calls;
	{
		sim_time_t oldest;

		bio_at_risk(r->k, &row.at_risk_bytes, &oldest);
		row.at_risk_age_ns = oldest >= 0 ? row.t_ns - oldest : 0;
	}
	r->risk_peak = MAX(r->risk_peak, row.at_risk_bytes);
	r->risk_age_max = MAX(r->risk_age_max, row.at_risk_age_ns);
	r->risk_sum += (double)row.at_risk_bytes;
	r->nsamples++;
	metrics_sample(r->m, &row);

	/* Who sleeps where, in wait-message order. */
	sim_foreach_sleeper(r->sim, count_wmesg, waits);
	g_hash_table_iter_init(&it, waits);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(keys, key);
	g_ptr_array_sort(keys, cmp_str);
	for (i = 0; i < keys->len; i++) {
		const char *w = g_ptr_array_index(keys, i);

		metrics_wait(r->m, row.t_ns, w,
		    GPOINTER_TO_INT(g_hash_table_lookup(waits, w)));
	}
	g_ptr_array_free(keys, TRUE);
	g_hash_table_destroy(waits);
}

/*
 * The sampler: a row every interval, and a watchdog.  Kernel daemons keep
 * the event queue alive forever, so a replay whose processes all sleep on
 * channels nothing will ever signal would spin; if every live process has
 * been asleep with the disk idle and no call finishing for three intervals,
 * the replay is stuck and stops with the list of sleepers.  A process that
 * sleeps with a timeout (waiting for vnlru, "vlruwk") retries by itself:
 * it counts as stuck only after two minutes without a call finishing.
 */
static void
sampler(struct sim *s, void *arg)
{
	struct replay *r = arg;
	unsigned asleep = 0, timed = 0;
	sim_time_t busy = r->k->disk.st.busy_ns;

	take_sample(r);
	if (r->o->interrupted != NULL && *r->o->interrupted) {
		sim_stop(s);
		return;
	}
	sim_foreach_sleeper(s, count_sleeper, &asleep);
	sim_foreach_sleeper(s, count_timed, &timed);
	if (sim_nprocs(s) > 0 && asleep == sim_nprocs(s) &&
	    disk_qlen(&r->k->disk) == 0 && busy == r->last_busy &&
	    r->calls == r->last_calls) {
		int limit = timed > 0 ? (int)(120 * SIM_SEC / r->sample_interval) : 3;

		if (++r->deadlock_ticks >= MAX(limit, 3) && r->error == NULL) {
			GString *who = g_string_new("");

			sim_foreach_sleeper(s, name_sleeper, who);
			if (g_getenv("VFSSIM_DEBUG") != NULL) {
				GHashTableIter it;
				gpointer v;

				g_hash_table_iter_init(&it, r->uprocs);
				while (g_hash_table_iter_next(&it, NULL, &v)) {
					struct uproc *u = v;
					struct qcall *q;
					int n = 0;

					TAILQ_FOREACH(q, &u->q, link)
						n++;
					fprintf(stderr, "pid %d state %d queued %d\n",
					    u->pid, u->state, n);
				}
			}
			g_set_error(&r->error, REPLAY_ERROR, 0,
			    "replay stuck at %.3f s: %u processes asleep with "
			    "nothing left to wake them: %s",
			    (double)sim_now(s) / 1e9, asleep, who->str);
			g_string_free(who, TRUE);
			sim_stop(s);
			return;
		}
	} else
		r->deadlock_ticks = 0;
	r->last_busy = busy;
	r->last_calls = r->calls;
	sim_at(s, sim_now(s) + r->sample_interval, sampler, r);
}

/* ---- the summary ----------------------------------------------------- */

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys of a table in sorted order: iteration order must not leak into
 * what a run writes. */
static GPtrArray *
sorted_keys(GHashTable *h)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, cmp_str);
	return keys;
}

static void
put(struct replay *r, const char *metric, double v)
{
	metrics_summary(r->m, metric, v);
}

static void
putf(struct replay *r, double v, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
putf(struct replay *r, double v, const char *fmt, ...)
{
	va_list ap;
	char *name;

	va_start(ap, fmt);
	name = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	metrics_summary(r->m, name, v);
	g_free(name);
}

/* ---- the end of a run ------------------------------------------------ */

/*
 * Where a call type's time went (time_split): on the CPU, asleep on each
 * wait message, and — for the waits that are waits for the disk — in the
 * disk's queue, its overheads, seeking, rotating and transferring.  The
 * engine knows how long a call slept on "biord" but not which requests it
 * waited for, so a disk wait is split as the run's read (or write)
 * requests' response time splits on average.  Integer shares, the
 * remainder to the last phase: the parts add up to the calls' latency.
 */
static void
write_split(struct replay *r, const char *call, const struct callstat *cs)
{
	sim_time_t parts[DP__COUNT] = { 0 };
	GPtrArray *keys = sorted_keys(cs->waits);
	guint i;
	int p;

	metrics_time_split(r->m, call, "cpu", cs->cpu);
	for (i = 0; i < keys->len; i++) {
		const char *w = g_ptr_array_index(keys, i);
		sim_time_t ns = (sim_time_t)GPOINTER_TO_SIZE(
		    g_hash_table_lookup(cs->waits, w));
		const sim_time_t *d = NULL;
		double total = 0;
		sim_time_t given = 0;
		unsigned j;
		int last = -1;

		for (j = 0; j < G_N_ELEMENTS(disk_waits); j++)
			if (strcmp(disk_waits[j].wmesg, w) == 0)
				d = r->disk_ns[disk_waits[j].write ? 1 : 0];
		for (p = 0; d != NULL && p < DP__COUNT; p++)
			total += (double)d[p];
		if (d == NULL || total <= 0) {
			char *name = g_strdup_printf("wait:%s", w);

			metrics_time_split(r->m, call, name, ns);
			g_free(name);
			continue;
		}
		for (p = 0; p < DP__COUNT; p++) {
			sim_time_t share = (sim_time_t)((double)ns *
			    ((double)d[p] / total));

			if (d[p] > 0)
				last = p;
			parts[p] += share;
			given += share;
		}
		parts[last] += ns - given;
	}
	for (p = 0; p < DP__COUNT; p++)
		if (parts[p] > 0)
			metrics_time_split(r->m, call, disk_part_names[p], parts[p]);
	g_ptr_array_free(keys, TRUE);
}

/* The shutdown's sync: what a clean halt does before the power goes. */
static void
final_sync(void *arg)
{
	kern_sync(arg);
}

/* Replay the run's block references through every policy and OPT with
 * the same number of buffers (bio.opt_bound). */
static void
write_bounds(struct replay *r)
{
	struct bufcache *bc = &r->k->bc;
	struct bp_key *refs;
	size_t n;
	int i;

	if (bc->refs == NULL || bc->nrefs == 0)
		return;
	refs = g_new(struct bp_key, bc->nrefs);
	rewind(bc->refs);
	n = fread(refs, sizeof(*refs), bc->nrefs, bc->refs);
	put(r, "bio.bound.refs", (double)n);
	put(r, "bio.bound.opt_misses", (double)bufpolicy_opt_misses(refs, n,
	    bc->nbuf));
	for (i = 0; bufpolicies[i] != NULL; i++)
		putf(r, (double)bufpolicy_misses(bufpolicies[i], refs, n, bc->nbuf),
		    "bio.bound.%s_misses", bufpolicies[i]->name);
	g_free(refs);
}

static void
write_summary(struct replay *r)
{
	const struct ffs_origin *o = &r->origin;
	const struct ffs_layout *l = &r->layout;
	struct kern *k = r->k;
	struct kern_counters *c = &k->cnt;
	struct disk_stats *ds = &k->disk.st;
	sim_time_t dur = sim_now(r->sim);
	GPtrArray *keys;
	struct hist all;
	guint i;

	put(r, "calls.total", (double)r->calls);
	put(r, "calls.simulated", (double)r->simulated);
	put(r, "calls.passthrough", (double)r->passthrough);
	put(r, "calls.not_modelled", (double)r->not_modelled);
	put(r, "processes", (double)r->processes);
	put(r, "time.simulated_ns", (double)r->t_done);
	/* Throughput over the time the processes ran (the final sync is
	 * not theirs). */
	put(r, "throughput.calls_per_s", r->t_done > 0 ?
	    (double)r->simulated / ((double)r->t_done / 1e9) : 0);
	put(r, "throughput.bytes_per_s", r->t_done > 0 ?
	    (double)(c->bytes_read + c->bytes_written) /
	    ((double)r->t_done / 1e9) : 0);
	/* Data at risk, over the samples: what a crash would have lost. */
	put(r, "risk.peak_bytes", (double)r->risk_peak);
	put(r, "risk.mean_bytes", r->nsamples > 0 ?
	    r->risk_sum / (double)r->nsamples : 0);
	put(r, "risk.max_age_ns", (double)r->risk_age_max);
	put(r, "time.final_sync_ns", (double)(dur - r->t_done));
	if (r->pp->has_time)
		put(r, "time.traced_ns", (double)(r->pp->t_end - r->pp->t0));

	hist_init(&all);
	/* Modelled calls live in scstats; fold them into the table so that
	 * every call is written in name order. */
	for (i = 1; i < SC__COUNT; i++)
		if (r->scstats[i].n > 0) {
			struct callstat *cs = g_new0(struct callstat, 1);

			*cs = r->scstats[i];
			r->scstats[i].h = NULL;
			r->scstats[i].waits = NULL;
			g_hash_table_insert(r->stats, g_strdup(sc_name(i)), cs);
		}
	keys = sorted_keys(r->stats);
	for (i = 0; i < keys->len; i++) {
		const char *name = g_ptr_array_index(keys, i);
		struct callstat *cs = g_hash_table_lookup(r->stats, name);
		int b;

		putf(r, (double)cs->n, "calls.%s", name);
		if (cs->h == NULL)
			continue;
		putf(r, (double)cs->h->n, "latency.%s.count", name);
		putf(r, hist_mean(cs->h), "latency.%s.mean_ns", name);
		putf(r, (double)hist_quantile(cs->h, 0.50), "latency.%s.p50_ns", name);
		putf(r, (double)hist_quantile(cs->h, 0.95), "latency.%s.p95_ns", name);
		putf(r, (double)hist_quantile(cs->h, 0.99), "latency.%s.p99_ns", name);
		putf(r, (double)cs->h->max, "latency.%s.max_ns", name);
		metrics_hist(r->m, name, cs->h);
		write_split(r, name, cs);
		for (b = 0; b < HIST_NBUCKETS; b++)
			all.counts[b] += cs->h->counts[b];
		if (all.n == 0 || cs->h->min < all.min)
			all.min = cs->h->min;
		if (cs->h->max > all.max)
			all.max = cs->h->max;
		all.n += cs->h->n;
		all.sum += cs->h->sum;
	}
	g_ptr_array_free(keys, TRUE);
	if (all.n > 0) {
		put(r, "latency.all.count", (double)all.n);
		put(r, "latency.all.mean_ns", hist_mean(&all));
		put(r, "latency.all.p50_ns", (double)hist_quantile(&all, 0.50));
		put(r, "latency.all.p95_ns", (double)hist_quantile(&all, 0.95));
		put(r, "latency.all.p99_ns", (double)hist_quantile(&all, 0.99));
		put(r, "latency.all.max_ns", (double)all.max);
	}
	keys = sorted_keys(r->skipped);
	for (i = 0; i < keys->len; i++) {
		const char *name = g_ptr_array_index(keys, i);

		putf(r, (double)GPOINTER_TO_SIZE(g_hash_table_lookup(r->skipped,
		    name)), "not_modelled.%s", name);
	}
	g_ptr_array_free(keys, TRUE);

	put(r, "bio.nbuf", k->bc.nbuf);
	put(r, "bio.bufsize", k->fs.fs_bsize);
	put(r, "bio.maxbufspace", (double)k->bc.maxbufspace);
	put(r, "bio.hibufspace", (double)k->bc.hibufspace);
	put(r, "bio.bufspace_at_end", (double)k->bc.bufspace);
	put(r, "bio.hidirtybuffers", k->bc.hidirtybuffers);
	put(r, "bio.lodirtybuffers", k->bc.lodirtybuffers);
	put(r, "bio.getblk", (double)c->getblk);
	put(r, "bio.getblk_hits", (double)c->getblk_hits);
	put(r, "bio.bread", (double)c->bread);
	put(r, "bio.bread_hits", (double)c->bread_hits);
	/* Reads satisfied without disk I/O: a buffer was there, or its pages
	 * were (the page cache under the buffers). */
	put(r, "bio.hit_ratio", c->bread ? (double)c->bread_hits /
	    (double)c->bread : 0);
	put(r, "bio.pagecache_hits", (double)c->pagecache_hits);
	put(r, "bio.buffer_hits", (double)c->getblk_hits);
	put(r, "bio.buffer_hit_ratio", c->getblk ? (double)c->getblk_hits /
	    (double)c->getblk : 0);
	put(r, "bio.pagecache_hit_ratio", c->getblk > c->getblk_hits ?
	    (double)c->pagecache_hits / (double)(c->getblk - c->getblk_hits) : 0);
	put(r, "bio.written_by_syncer", (double)k->bc.writes_by[BW_SYNCER]);
	put(r, "bio.written_by_bufdaemon", (double)k->bc.writes_by[BW_BUFDAEMON]);
	put(r, "bio.written_by_getnewbuf", (double)k->bc.writes_by[BW_GETNEWBUF]);
	put(r, "bio.written_by_processes", (double)k->bc.writes_by[BW_PROCESS]);
	put(r, "bio.cluster_writes", (double)c->cluster_writes);
	put(r, "bio.cluster_mean_bufs", c->cluster_writes ?
	    (double)c->cluster_bufs / (double)c->cluster_writes : 0);
	put(r, "bio.bufdefragcnt", (double)k->bc.bufdefragcnt);
	/* vfs_cluster: read-ahead and how much of it processes read, the
	 * multi-block I/Os, write-behind, block reallocation. */
	put(r, "cluster.readahead_blocks", (double)c->readahead_blocks);
	put(r, "cluster.readahead_used", (double)c->readahead_used);
	put(r, "cluster.readahead_unused", (double)c->readahead_unused);
	put(r, "cluster.readahead_accuracy", c->readahead_blocks ?
	    (double)c->readahead_used / (double)c->readahead_blocks : 0);
	put(r, "cluster.reads", (double)c->cluster_reads);
	put(r, "cluster.read_mean_bufs", c->cluster_reads ?
	    (double)c->cluster_read_bufs / (double)c->cluster_reads : 0);
	put(r, "cluster.writes", (double)c->cluster_writes);
	put(r, "cluster.write_mean_bufs", c->cluster_writes ?
	    (double)c->cluster_bufs / (double)c->cluster_writes : 0);
	put(r, "cluster.writebehind_ios", (double)c->writebehind_ios);
	put(r, "cluster.writebehind_bufs", (double)c->writebehind_bufs);
	put(r, "cluster.realloc_calls", (double)c->realloc_calls);
	put(r, "cluster.realloc_blocks", (double)c->realloc_blocks);
	put(r, "vm.page_count", k->vm.cnt.v_page_count);
	put(r, "vm.free_at_end", k->vm.cnt.v_free_count);
	put(r, "vm.cached_at_end", k->vm.cnt.v_cache_count +
	    k->vm.cnt.v_inactive_count + k->vm.cnt.v_active_count);
	put(r, "vm.page_allocs", (double)k->vm.allocs);
	put(r, "vm.reactivations", (double)k->vm.reactivations);
	put(r, "vm.cache_reused", (double)k->vm.freed_from_cache);
	put(r, "vm.vm_waits", (double)k->vm.vm_waits);
	put(r, "vm.pagedaemon_runs", (double)k->vm.pagedaemon_runs);
	put(r, "vm.pbuf_waits", (double)k->vm.pbuf_waits);
	put(r, "bio.bdwrite", (double)c->bdwrite);
	put(r, "bio.bawrite", (double)c->bawrite);
	put(r, "bio.bwrite_sync", (double)c->bwrite_sync);
	put(r, "bio.bwillwrite_stalls", (double)c->bwillwrite_stalls);
	put(r, "bio.bwillwrite_stall_ns", (double)c->bwillwrite_stall_ns);
	put(r, "bio.newbuf_waits", (double)c->newbuf_waits);
	put(r, "bio.wdrain_waits", (double)c->wdrain_waits);
	put(r, "bio.getblk_waits", (double)c->getblk_waits);
	put(r, "bio.bufdaemon_writes", (double)c->bufdaemon_writes);
	put(r, "bio.syncer_writes", (double)c->syncer_writes);
	put(r, "bio.fsync_writes", (double)c->fsync_writes);
	put(r, "bio.dirty_peak", c->dirty_peak);
	put(r, "bio.dirty_at_end", k->bc.numdirtybuffers);
	put(r, "bio.dirty_bytes_at_end",
	    (double)k->bc.numdirtybuffers * k->fs.fs_bsize);

	put(r, "disk.reads", (double)ds->reads);
	put(r, "disk.writes", (double)ds->writes);
	put(r, "disk.bytes_read", (double)ds->sectors_read * DEV_BSIZE);
	put(r, "disk.bytes_written", (double)ds->sectors_written * DEV_BSIZE);
	put(r, "disk.busy_fraction", dur > 0 ? (double)ds->busy_ns / (double)dur : 0);
	if (ds->reads + ds->writes > 0) {
		double n = (double)(ds->reads + ds->writes);

		put(r, "disk.mean_seek_ns", (double)ds->seek_ns / n);
		put(r, "disk.mean_rot_ns", (double)ds->rot_ns / n);
		put(r, "disk.mean_xfer_ns", (double)ds->xfer_ns / n);
		put(r, "disk.mean_overhead_ns", (double)ds->overhead_ns / n);
		put(r, "disk.mean_queue_ns", (double)ds->queue_ns / n);
		put(r, "disk.mean_service_ns", (double)ds->busy_ns / n);
	}
	put(r, "disk.max_queue", ds->maxqlen);
	put(r, "disk.read_hits", (double)ds->read_hits);
	put(r, "disk.read_partial_hits", (double)ds->read_partial_hits);
	put(r, "disk.write_hits", (double)ds->write_hits);

	put(r, "proc.bytes_read", (double)c->bytes_read);
	put(r, "proc.bytes_written", (double)c->bytes_written);
	put(r, "vfs.lookups", (double)c->lookups);
	put(r, "vfs.components", (double)c->components);
	put(r, "vfs.vnodes_created", (double)c->vnodes_created);
	put(r, "vfs.vnodes_freed", (double)c->vnodes_freed);
	put(r, "fs.initial_files", (double)o->files);
	put(r, "fs.initial_dirs", (double)o->dirs);
	put(r, "fs.initial_bytes", (double)o->bytes);
	put(r, "fs.initial_failed", (double)o->failed);
	/* The starting file system's layout (after aging, if any). */
	put(r, "fs.initial_used_fraction", l->avail_frags > 0 ?
	    (double)l->used_frags / (double)l->avail_frags : 0);
	put(r, "fs.initial_layout_score", l->pairs > 0 ?
	    (double)l->inrow / (double)l->pairs : 1);
	put(r, "fs.initial_fragmented_files", l->files > 0 ?
	    (double)l->broken / (double)l->files : 0);
	put(r, "fs.initial_free_run_blocks", l->free_runs > 0 ?
	    (double)l->free_blocks / (double)l->free_runs : 0);
	put(r, "fs.age", o->age);
	put(r, "fs.age_files_written", (double)o->age_written);
	put(r, "fs.age_files_deleted", (double)o->age_deleted);
	put(r, "fs.age_files_left", (double)(o->age_written - o->age_deleted));
	put(r, "fs.age_bytes_left", (double)o->age_bytes);
	put(r, "fs.age_dirs", (double)o->age_dirs);
	put(r, "fs.free_bytes", (double)ffs_freebytes(&k->fs));
	put(r, "fs.enospc", (double)c->enospc);
	{
		/* fsck: the file system the run left is consistent. */
		char *why = NULL;
		int problems = ffs_fsck(k, &why);

		put(r, "fs.fsck_problems", problems);
		KASSERT(problems == 0, ("fsck after the run: %d problems; the "
		    "first: %s", problems, why));
		g_free(why);
	}
	put(r, "fs.ncg", k->fs.fs_ncg);
	put(r, "fs.inodes_allocated", (double)c->inodes_allocated);
	put(r, "fs.inode_writes", (double)c->inode_writes);
	put(r, "fs.indirect_blocks_allocated", (double)c->indir_allocs);
	put(r, "fs.fragments_moved", (double)c->frag_moves);
	put(r, "fs.dirblk_reads", (double)c->dirblk_reads);
	put(r, "vfs.namecache_hits", (double)c->nc_goodhits);
	put(r, "vfs.namecache_neghits", (double)c->nc_neghits);
	put(r, "vfs.namecache_misses", (double)c->nc_miss);
	put(r, "vfs.vnodes_recycled", (double)c->vnodes_recycled);
	put(r, "vfs.vnodes_at_end", (double)k->numvnodes);
	put(r, "vfs.desiredvnodes", k->desiredvnodes);
	put(r, "vfs.vlruwk_waits", (double)c->vlruwk_waits);
	put(r, "vfs.vnode_lock_waits", (double)c->vnode_lock_waits);
	put(r, "vfs.lockf_waits", (double)c->lockf_waits);
	/* snapshots (5.0-CURRENT) */
	put(r, "snapshot.created", (double)c->snap_creates);
	put(r, "snapshot.removed", (double)c->snap_removes);
	put(r, "snapshot.live", k->nsnaps);
	put(r, "snapshot.create_ns", (double)c->snap_create_ns);
	put(r, "snapshot.suspended_ns", (double)c->snap_suspend_ns);
	put(r, "snapshot.suspended_max_ns", (double)c->snap_suspend_max_ns);
	put(r, "snapshot.writers_blocked", (double)c->suspfs_waits);
	put(r, "snapshot.writers_blocked_ns", (double)c->suspfs_wait_ns);
	put(r, "snapshot.cow_checks", (double)c->cow_checks);
	put(r, "snapshot.cow_copies", (double)c->cow_copies);
	put(r, "snapshot.cow_reads", (double)c->cow_reads);
	put(r, "snapshot.claimed_blocks", (double)c->snap_claims);
	put(r, "snapshot.writes_refused", (double)c->snap_writes_refused);
	{
		int64_t held = 0;
		int sn;

		for (sn = 0; sn < k->nsnaps; sn++)
			held += k->snaps[sn].sn_ip->i_blocks * DEV_BSIZE;
		put(r, "snapshot.bytes_held", (double)held);
	}
	put(r, "vfs.lock_repairs", (double)c->lock_repairs);
	put(r, "replay.repairs", (double)c->trace_repairs);
	put(r, "replay.learned_fds", (double)c->learned_fds);
	put(r, "replay.peak_queued_calls", (double)r->peak_queued);
	if (k->p.verify) {
		uint64_t checked, lost = bio_verify(k, &checked);

		put(r, "verify.blocks_checked", (double)checked);
		put(r, "verify.lost_blocks", (double)lost);
	}
	write_bounds(r);
	put(r, "replay.spilled_calls", (double)r->spilled);
	put(r, "replay.spill_files", (double)r->spills);
	put(r, "engine.events", (double)sim_events(r->sim));
}

/* The run's block references, in chunks, to the caller (vfssim mrc). */
static void
hand_refs(struct replay *r)
{
	struct bufcache *bc = &r->k->bc;
	struct bp_key *chunk = g_new(struct bp_key, 65536);
	size_t n;

	rewind(bc->refs);
	while ((n = fread(chunk, sizeof(*chunk), 65536, bc->refs)) > 0)
		r->o->refs(r->o->refs_arg, chunk, n, bc->nrefs);
	g_free(chunk);
}

/* ---- snapshots asked for on the command line ------------------------- */

static int
cmp_time_kind(gconstpointer a, gconstpointer b)
{
	const sim_time_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (int)(y[1] - x[1]);
}

/*
 * snapshot.at / snapshot.remove_at (--snapshot-at, --snapshot-remove-at): a
 * process of its own, as mksnap_ffs would be, sleeps until each time and
 * takes snapshot snapN, or removes the oldest one.  It is a user process:
 * the run lasts until it is done.
 */
static void
snapshot_proc(void *arg)
{
	struct replay *r = arg;
	GArray *ev = g_array_new(FALSE, FALSE, sizeof(sim_time_t) * 2);
	int64_t *at, *rm;
	int nat, nrm, i, made = 0;

	at = profile_times(r->o->prof, "snapshot", "at", &nat);
	rm = profile_times(r->o->prof, "snapshot", "remove_at", &nrm);
	for (i = 0; i < nat; i++) {
		sim_time_t e[2] = { at[i], 1 };

		g_array_append_val(ev, e);
	}
	for (i = 0; i < nrm; i++) {
		sim_time_t e[2] = { rm[i], 0 };

		g_array_append_val(ev, e);
	}
	g_free(at);
	g_free(rm);
	/* by time; at equal times a removal goes after the creation */
	g_array_sort(ev, cmp_time_kind);
	for (i = 0; i < (int)ev->len; i++) {
		sim_time_t *e = &g_array_index(ev, sim_time_t, 2 * i);
		char name[32];

		if (e[0] > sim_now(r->sim))
			sim_pause(r->sim, e[0] - sim_now(r->sim));
		if (e[1]) {
			g_snprintf(name, sizeof(name), "snap%d", ++made);
			(void)ffs_snapshot(r->k, name);
		} else if (r->k->nsnaps > 0) {
			g_strlcpy(name, r->k->snaps[0].sn_name, sizeof(name));
			(void)ffs_snapremove(r->k, name);
		}
		vn_unpin_all(r->k);
	}
	g_array_free(ev, TRUE);
}

static bool
snapshots_asked(const struct profile *prof)
{
	return *profile_str(prof, "snapshot", "at") != '\0' ||
	    *profile_str(prof, "snapshot", "remove_at") != '\0';
}

/* ---- the run --------------------------------------------------------- */

/* The trace file, or what the caller's opener stands for (a generator). */
static struct trace_reader *
open_trace(const struct replay_opts *o, GError **err)
{
	if (o->open != NULL)
		return o->open(o->open_arg, err);
	return trace_open(o->trace, err);
}

static void
on_disk_done(void *arg, const struct diskreq *rq)
{
	struct replay *r = arg;
	struct disk_io_row row;
	sim_time_t *d = r->disk_ns[rq->write ? 1 : 0];

	d[DP_QUEUE] += rq->start - rq->submit;
	d[DP_OVERHEAD] += rq->overhead_ns;
	d[DP_SEEK] += rq->seek_ns;
	d[DP_ROT] += rq->rot_ns;
	d[DP_XFER] += rq->xfer_ns;
	if (r->o->events)
		metrics_disk_io(r->m, disk_io_row_of(rq, &row));
}

bool
replay_run(const struct replay_opts *o, struct replay_result *res,
    GError **err)
{
	struct replay r;
	char *ptext = NULL;
	enum sim_status st;
	struct run_info ri;
	bool ok = false;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	res->run = -1;
	r.o = o;
	if (profile_int(o->prof, "replay", "readahead") < 16) {
		g_set_error(err, PROFILE_ERROR, 0,
		    "replay.readahead must be at least 16");
		return false;
	}
	r.wall_start = g_get_monotonic_time();

	/* 1. Read the whole trace once: validate it, find the starting fs.
	 * 2. Boot and lay out the starting file system (or load it). */
	if (!setup(&r, o, &res->fs_image_loaded, &res->fs_image_saved, err))
		goto out;
	/* Record the block references from here on (bio.opt_bound may
	 * already have asked for them). */
	if (o->refs != NULL && r.k->bc.refs == NULL &&
	    (r.k->bc.refs = tmpfile()) == NULL) {
		g_set_error(err, REPLAY_ERROR, 0, "block references: tmpfile: %s",
		    g_strerror(errno));
		goto out;
	}

	/* 3. Open what the run writes to and reads from. */
	r.m = metrics_open(o->db, err);
	if (r.m == NULL)
		goto out;
	r.rd = open_trace(o, err);
	if (r.rd == NULL)
		goto out;
	ptext = profile_to_text(o->prof);
	ri.trace = o->trace;
	ri.format = trace_format_name(r.pp->format);
	ri.profile = ptext;
	ri.profile_sources = profile_sources(o->prof);
	ri.seed = profile_int(o->prof, "replay", "seed");
	ri.label = o->label;
	res->run = metrics_begin_run(r.m, &ri, err);
	if (res->run < 0)
		goto out;

	r.k->hooks.arg = &r;
	r.k->hooks.disk_done = on_disk_done;
	r.uprocs = g_hash_table_new(g_direct_hash, g_direct_equal);
	r.pool = g_ptr_array_new_with_free_func(rec_destroy);
	r.stats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    callstat_free);
	r.skipped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r.t0 = r.pp->t0;
	r.think = strcmp(profile_str(o->prof, "replay", "think"), "trace") == 0;
	r.readahead = (size_t)profile_int(o->prof, "replay", "readahead");
	r.sample_interval = profile_int(o->prof, "replay", "sample_interval");
	if (r.sample_interval < SIM_MS)
		r.sample_interval = SIM_MS;

	/* 4. Run: the first record starts its process; the rest follows. */
	sim_at(r.sim, 0, sampler, &r);
	if (snapshots_asked(o->prof))
		sim_spawn(r.sim, "snapshot", snapshot_proc, &r, 0);
	if (pump(&r)) {
		st = sim_run(r.sim);
		r.t_done = sim_now(r.sim);
		/* 5. Shut down cleanly: the run ends with a final sync, so
		 * that everything written reaches the disk. */
		if (st == SIM_DONE && r.error == NULL) {
			sim_spawn(r.sim, "shutdown", final_sync, r.k, 0);
			st = sim_run(r.sim);
		}
		if (st == SIM_DEADLOCK && r.error == NULL)
			g_set_error(&r.error, REPLAY_ERROR, 0,
			    "replay deadlocked at %.3f s", (double)sim_now(r.sim) / 1e9);
		if (st == SIM_STOPPED && r.error == NULL)
			g_set_error(&r.error, REPLAY_ERROR, 0,
			    "interrupted at %.3f s simulated",
			    (double)sim_now(r.sim) / 1e9);
	}
	if (o->progress)
		fprintf(stderr, "\r%*s\r", 60, "");
	if (r.error != NULL) {
		metrics_fail_run(r.m, r.error->message);
		g_propagate_error(err, r.error);
		r.error = NULL;
		goto out;
	}

	/* 5. The final state and the summary. */
	take_sample(&r);
	write_summary(&r);
	if (o->refs != NULL)
		hand_refs(&r);
	if (o->finish != NULL)
		o->finish(o->refs_arg, r.m, r.k);
	if (!metrics_end_run(r.m, err))
		goto out;
	res->calls = r.calls;
	res->sim_ns = sim_now(r.sim);
	res->peak_queued = r.peak_queued;
	ok = true;
out:
	res->wall_seconds = (double)(g_get_monotonic_time() - r.wall_start) / 1e6;
	g_free(ptext);
	if (r.uprocs != NULL) {
		GHashTableIter it;
		gpointer v;

		/* Processes a stopped run left behind. */
		g_hash_table_iter_init(&it, r.uprocs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct uproc *u = v;
			struct qcall *qc;

			while ((qc = TAILQ_FIRST(&u->q)) != NULL) {
				TAILQ_REMOVE(&u->q, qc, link);
				rec_destroy(qc);
			}
			if (u->cur != NULL)
				rec_destroy(u->cur);
			spill_close(u->spill);
			g_free(u);
		}
		g_hash_table_destroy(r.uprocs);
	}
	if (r.pool != NULL)
		g_ptr_array_free(r.pool, TRUE);
	if (r.stats != NULL)
		g_hash_table_destroy(r.stats);
	for (guint sc = 0; sc < SC__COUNT; sc++) {
		g_free(r.scstats[sc].h);
		if (r.scstats[sc].waits != NULL)
			g_hash_table_destroy(r.scstats[sc].waits);
	}
	if (r.skipped != NULL)
		g_hash_table_destroy(r.skipped);
	trace_close(r.rd);
	metrics_close(r.m);
	setup_free(&r);
	if (r.error != NULL)
		g_error_free(r.error);
	return ok;
}
