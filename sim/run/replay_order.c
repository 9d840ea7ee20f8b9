/*
 * replay_order.c — which order a run's processes keep across each other
 * (replay.order), beyond each process's own order of calls.
 *
 * A trace records one interleaving of its processes; the simulated machine
 * is faster or slower than the traced one, so a replay must decide which
 * cross-process orders to keep.  Weiss et al., "ROOT: Replaying
 * Multithreaded Traces with Resource-Oriented Ordering" (SOSP 2013), name
 * the choices this file offers:
 *
 *   causal    the order the kernel enforced and the trace shows: a child
 *	       starts when its parent's fork runs, a wait4 returns when the
 *	       child it reaped has exited (replay.c); a read of a pipe that
 *	       returned data comes after the write of another process that
 *	       put its last byte there, a futex wait that was woken after
 *	       the wake, an io_getevents after another thread's io_submit
 *	       of what it reaped (the pre-pass's edges: fed_blocker).  Captures
 *	       filtered with
 *	       strace -e trace=%file,%desc have no clone/fork/wait lines; for
 *	       a process whose creation the trace does not show, the order is
 *	       inferred from the trace's own times: its first call does not
 *	       start before every call of another process that had returned
 *	       before it began in the trace has returned in the simulation,
 *	       nor before every process that had ended by then has ended; and
 *	       if it made no wait calls either, none of its calls starts
 *	       before the processes that ended before it in the trace have
 *	       ended (it was their parent, waiting, or came after them).
 *   temporal  every call waits for every call of another process that had
 *	       returned before it started in the trace (ROOT's "temporal
 *	       ordering"), and for every process that had ended by then.
 *   resource  calls on the same file, name or pipe keep their traced order
 *	       across processes (ROOT's resource ordering): a call waits for
 *	       those on a resource it shares that had returned before it
 *	       started in the trace; calls that overlapped in the trace may
 *	       overlap in the replay.
 *   free      fork and wait only (what vfssim did before replay.order).
 *
 * A call held back by another process sleeps "order" before it starts
 * (the time is not part of its latency); once free, it starts no sooner
 * than the traced gap after the event it waited for, or its own think time
 * after its previous call, whichever is later.  Every edge points from a
 * call to something that began earlier in the trace — a pipe's or a
 * futex's to a write or wake that began before the read or wait it holds
 * returned, an io_getevents' to the io_submit of what it reaped — and no
 * call is both a read or wait and a write, wake or submit — so
 * the edges cannot form a cycle among themselves; a cycle through the simulated kernel (a
 * lock held in the replay by a process that did not hold it there in the
 * trace) is broken by the watchdog (order_watchdog), and counted.
 */
#include "replay_private.h"
#include "engine.h"
#include "prepass.h"
#include "profile.h"
#include "trace.h"

#include <string.h>

static const char *const order_names[] = {
	[ORDER_CAUSAL] = "causal",
	[ORDER_TEMPORAL] = "temporal",
	[ORDER_RESOURCE] = "resource",
	[ORDER_FREE] = "free",
};

const char *
order_rule_name(enum order_rule o)
{
	return order_names[o];
}

/*
 * replay.order = resource.  As the replay reads each record, the pre-pass's
 * way of following names (prepass_track) says which resources it touches;
 * the record joins each resource's list as (pid, its number among the
 * pid's calls, when it returned in the trace).  A call may start once no
 * call of another process on a resource it shares, that returned before
 * it started in the trace, is still to finish.  A pid's calls finish in
 * order, so "done" is a count per pid.
 */
struct oent {
	int32_t	 pid;
	uint64_t idx;			/* the pid's idx-th call (from 0) */
	int64_t	 end;			/* when it returned in the trace */
};

struct ores {
	GArray	*ents;			/* struct oent, in the order read */
	guint	 head;			/* those before are finished */
};

struct opid {
	uint64_t nread, ndone;		/* calls of the pid read, finished */
};

static void
ores_free(gpointer p)
{
	struct ores *rs = p;

	g_array_free(rs->ents, TRUE);
	g_free(rs);
}

static struct opid *
opid_of(struct replay *r, int32_t pid)
{
	struct opid *op = g_hash_table_lookup(r->pidcalls, GINT_TO_POINTER(pid));

	if (op == NULL) {
		op = g_new0(struct opid, 1);
		g_hash_table_insert(r->pidcalls, GINT_TO_POINTER(pid), op);
	}
	return op;
}

static bool
oent_done(struct replay *r, const struct oent *e)
{
	struct opid *op = g_hash_table_lookup(r->pidcalls, GINT_TO_POINTER(e->pid));

	return op == NULL || op->ndone > e->idx;
}

void
order_key_add(struct qcall *qc, uint64_t k)
{
	if (qc->nkeys >= ORDER_MAXKEYS)
		return;
	if (qc->nkeys == qc->keycap) {
		qc->keycap = qc->keycap == 0 ? 4 : 2 * qc->keycap;
		qc->keys = g_renew(uint64_t, qc->keys, qc->keycap);
	}
	qc->keys[qc->nkeys++] = k;
}

/* A record has been read (pump): note the resources its call touches. */
void
order_read(struct replay *r, struct qcall *qc)
{
	const struct trace_call *tc = &qc->tc;
	uint64_t keys[ORDER_MAXKEYS];
	unsigned n, i;
	struct opid *op;

	qc->nkeys = 0;
	if (r->track == NULL)
		return;
	n = prepass_track(r->track, tc, keys, ORDER_MAXKEYS);
	if (tc->kind != TC_CALL)
		return;
	op = opid_of(r, tc->pid);
	for (i = 0; i < n; i++) {
		struct ores *rs = g_hash_table_lookup(r->res, &keys[i]);
		struct oent e = { tc->pid, op->nread, tc->t_ns != TC_NOTIME ?
		    tc_end_in(tc, r->pp->line_times) : TC_NOTIME };

		if (rs == NULL) {
			uint64_t *k = g_new(uint64_t, 1);

			*k = keys[i];
			rs = g_new0(struct ores, 1);
			rs->ents = g_array_new(FALSE, FALSE, sizeof(struct oent));
			g_hash_table_insert(r->res, k, rs);
		}
		/* drop what has finished from the front, and keep the list
		 * compact */
		while (rs->head < rs->ents->len && oent_done(r,
		    &g_array_index(rs->ents, struct oent, rs->head)))
			rs->head++;
		if (rs->head > 64 && rs->head > rs->ents->len / 2) {
			g_array_remove_range(rs->ents, 0, rs->head);
			rs->head = 0;
		}
		g_array_append_val(rs->ents, e);
		order_key_add(qc, keys[i]);
	}
	op->nread++;
}

void
order_init(struct replay *r, const struct profile *prof)
{
	const char *name = profile_str(prof, "replay", "order");
	unsigned i;

	r->order = ORDER_CAUSAL;
	for (i = 0; i < G_N_ELEMENTS(order_names); i++)
		if (strcmp(name, order_names[i]) == 0)
			r->order = (enum order_rule)i;
	TAILQ_INIT(&r->live);
	r->incarn = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (r->order == ORDER_RESOURCE) {
		r->track_pt = g_strsplit(profile_str(prof, "replay",
		    "passthrough"), ":", -1);
		r->track = prepass_track_new(r->track_pt);
		r->res = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		    g_free, ores_free);
		r->pidcalls = g_hash_table_new_full(g_direct_hash,
		    g_direct_equal, NULL, g_free);
	}
}

void
order_free(struct replay *r)
{
	if (r->incarn != NULL)
		g_hash_table_destroy(r->incarn);
	r->incarn = NULL;
	if (r->roots != NULL)
		g_array_free(r->roots, TRUE);
	r->roots = NULL;
	prepass_track_free(r->track);
	r->track = NULL;
	g_strfreev(r->track_pt);
	r->track_pt = NULL;
	if (r->res != NULL)
		g_hash_table_destroy(r->res);
	r->res = NULL;
	if (r->pidcalls != NULL)
		g_hash_table_destroy(r->pidcalls);
	r->pidcalls = NULL;
}

/* A process is made: it joins the live list and learns what the pre-pass
 * saw of it (the k-th process of its pid, as the pre-pass counts them). */
void
order_proc_new(struct replay *r, struct uproc *u)
{
	gpointer k = g_hash_table_lookup(r->incarn, GINT_TO_POINTER(u->pid));

	u->incarn = (unsigned)GPOINTER_TO_UINT(k);
	u->pp = r->pp != NULL ? prepass_proc(r->pp, u->pid, u->incarn) : NULL;
	g_hash_table_insert(r->incarn, GINT_TO_POINTER(u->pid),
	    GUINT_TO_POINTER(GPOINTER_TO_UINT(k) + 1));
	u->done_end = TC_NOTIME;
	TAILQ_INSERT_TAIL(&r->live, u, live);
}

/*
 * Processes no traced fork made start at their first call's time.  Calls
 * are read as processes need them, so such a process's first call may not
 * have been read when its time comes: a callout reads on until it has
 * been, at each such time the pre-pass found.
 */
struct root_start {
	int64_t	 t;			/* trace time of its first call */
	int32_t	 pid;
	unsigned k;			/* the pid's k-th process */
};

static int
cmp_root(gconstpointer a, gconstpointer b)
{
	const struct root_start *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) :
	    (int)x->k - (int)y->k;
}

static void
read_root(struct sim *s, void *arg)
{
	struct replay *r = arg;

	while (r->next_root < r->roots->len) {
		const struct root_start *rs = &g_array_index(r->roots,
		    struct root_start, r->next_root);

		if (rs->t - r->t0 > sim_now(s)) {
			sim_at(s, rs->t - r->t0, read_root, r);
			return;
		}
		r->next_root++;
		/* Read until it is made, or until the process before it of
		 * the same pid (still running) has its calls. */
		while (!r->eof && GPOINTER_TO_UINT(g_hash_table_lookup(
		    r->incarn, GINT_TO_POINTER(rs->pid))) <= rs->k &&
		    !g_hash_table_contains(r->uprocs, GINT_TO_POINTER(rs->pid)))
			(void)pump(r);
	}
}

void
order_roots_start(struct replay *r)
{
	GHashTableIter it;
	gpointer k, v;
	guint i;

	r->roots = g_array_new(FALSE, FALSE, sizeof(struct root_start));
	if (!r->think || r->t0 == TC_NOTIME)
		return;
	g_hash_table_iter_init(&it, r->pp->procs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		GArray *a = v;

		for (i = 0; i < a->len; i++) {
			const struct pp_proc *p = &g_array_index(a, struct pp_proc, i);
			struct root_start rs = { p->first_t, GPOINTER_TO_INT(k), i };

			/* (those already read need no reading on) */
			if (!p->forked && p->first_t != TC_NOTIME &&
			    GPOINTER_TO_UINT(g_hash_table_lookup(r->incarn,
			    k)) <= i)
				g_array_append_val(r->roots, rs);
		}
	}
	g_array_sort(r->roots, cmp_root);
	if (r->roots->len > 0)
		sim_at(r->sim, MAX(0, g_array_index(r->roots, struct root_start,
		    0).t - r->t0), read_root, r);
}

/* When the call q will make next, or is making, returned in the trace:
 * its first not finished (false: none known, or not a call). */
static bool
pending_end(const struct replay *r, const struct uproc *q, int64_t *end)
{
	struct tbin_head h;

	if (q->cur != NULL) {
		if (q->cur->tc.kind != TC_CALL || q->cur->tc.t_ns == TC_NOTIME)
			return false;
		*end = tc_end_in(&q->cur->tc, r->pp->line_times);
		return true;
	}
	if (!queue_peek(q, &h) || h.kind != TC_CALL || h.t_ns == TC_NOTIME)
		return false;
	*end = r->pp->line_times ? h.t_ns :
	    tc_add(h.t_ns, h.dur_ns > 0 ? h.dur_ns : 0);
	return true;
}

enum edge { E_NONE, E_CALL, E_END, E_PIPE, E_FUTEX, E_AIO };

/*
 * Which edges u's call tc (entered at trace time s) has, by the rule: to
 * the calls of other processes that returned before s (calls), to the
 * processes that ended before s (ends).
 */
static void
edges_of(const struct replay *r, const struct uproc *u, bool *calls,
    bool *ends)
{
	*calls = *ends = false;
	switch (r->order) {
	case ORDER_TEMPORAL:
		*calls = *ends = true;
		break;
	case ORDER_CAUSAL:
		/* Lifecycle calls decide for a process a traced fork made;
		 * for the others, the trace's times — a capture's, not a
		 * generator's nominal ones (its processes run free). */
		if (u->forked || r->pp->nominal)
			break;
		if (!u->started)
			*calls = *ends = true;
		else if (u->pp == NULL || !u->pp->waits)
			*ends = true;
		break;
	case ORDER_RESOURCE:
	case ORDER_FREE:
		break;
	}
}

/* replay.order = resource: the process of the first unfinished call on a
 * resource u's call shares that returned before it started in the
 * trace. */
static struct uproc *
res_blocker(struct replay *r, struct uproc *u, enum edge *why)
{
	const struct qcall *qc = u->cur;
	int64_t s = qc->tc.t_ns;
	unsigned i;
	guint j;

	for (i = 0; i < qc->nkeys; i++) {
		struct ores *rs = g_hash_table_lookup(r->res, &qc->keys[i]);

		if (rs == NULL)
			continue;
		for (j = rs->head; j < rs->ents->len; j++) {
			const struct oent *e = &g_array_index(rs->ents,
			    struct oent, j);
			struct uproc *q;

			if (e->pid == u->pid || e->end == TC_NOTIME ||
			    e->end >= s || oent_done(r, e))
				continue;
			q = g_hash_table_lookup(r->uprocs, GINT_TO_POINTER(e->pid));
			if (q != NULL && q != u && u->order_ignore != q->serial + 1) {
				*why = E_CALL;
				return q;
			}
		}
	}
	return NULL;
}

/*
 * replay.order = causal: a read of a pipe waits for the write of another
 * process that put the last byte it read there, a futex wait for the wake
 * that woke it (the pre-pass's edges) — the process that made it, while
 * it has not made it yet.  One not started (or gone) holds nothing.
 */
static struct uproc *
fed_blocker(struct replay *r, struct uproc *u, enum edge *why)
{
	const GArray *w = u->pp != NULL ? u->pp->edges : NULL;
	const struct pp_wait *pw;
	struct uproc *q;

	if (w == NULL)
		return NULL;
	while (u->wait_pos < w->len && g_array_index(w, struct pp_wait,
	    u->wait_pos).cidx < u->ncalls_done)
		u->wait_pos++;
	if (u->wait_pos >= w->len ||
	    (pw = &g_array_index(w, struct pp_wait, u->wait_pos))->cidx !=
	    u->ncalls_done)
		return NULL;
	/* (waited for or not, its traced time after the write or wake is
	 * what the call takes: traced_dur) */
	u->fed_after = pw->wend;
	TAILQ_FOREACH(q, &r->live, live)
		if (q->pid == pw->pid && q->incarn == pw->k) {
			if (q == u || q->ncalls_done > pw->pidx ||
			    u->order_ignore == q->serial + 1)
				return NULL;
			*why = pw->kind == PW_FUTEX ? E_FUTEX :
			    pw->kind == PW_AIO ? E_AIO : E_PIPE;
			u->fed_pidx = pw->pidx;
			return q;
		}
	return NULL;
}

/* The first live process (in the order they were made) that holds tc
 * back, and why. */
static struct uproc *
blocker(struct replay *r, struct uproc *u, const struct trace_call *tc,
    enum edge *why)
{
	int64_t s = tc->t_ns;
	bool calls, ends;
	struct uproc *q;

	if (r->order == ORDER_RESOURCE)
		return res_blocker(r, u, why);
	if (r->order == ORDER_CAUSAL && u->pp != NULL && u->pp->edges != NULL &&
	    (q = fed_blocker(r, u, why)) != NULL)
		return q;
	edges_of(r, u, &calls, &ends);
	if (!calls && !ends)
		return NULL;
	TAILQ_FOREACH(q, &r->live, live) {
		int64_t d;

		if (q == u || u->order_ignore == q->serial + 1)
			continue;
		if (ends && q->pp != NULL && q->pp->end_t != TC_NOTIME &&
		    q->pp->end_t < s) {
			*why = E_END;
			return q;
		}
		if (calls && pending_end(r, q, &d) && d < s) {
			*why = E_CALL;
			return q;
		}
	}
	return NULL;
}

static struct uproc *
live_proc(struct replay *r, uint64_t serial)
{
	struct uproc *q;

	TAILQ_FOREACH(q, &r->live, live)
		if (q->serial == serial)
			return q;
	return NULL;
}

/*
 * Before u makes tc: sleep "order" while the rule says another process
 * must get further first.  *ready is when u would start the call by its
 * own clock (its think time after its previous call); it is raised to the
 * traced gap after each event u waited for.
 */
void
order_wait(struct replay *r, struct uproc *u, const struct trace_call *tc,
    sim_time_t *ready)
{
	int64_t s = tc->t_ns;
	struct uproc *q;
	uint64_t last = 0;
	sim_time_t began = sim_now(r->sim);
	enum edge why;

	u->fed_after = TC_NOTIME;
	if (r->order == ORDER_FREE || s == TC_NOTIME || tc->kind != TC_CALL)
		return;
	while ((q = blocker(r, u, tc, &why)) != NULL) {
		/* what q is, kept: q may be gone when u wakes */
		int64_t qend = q->pp != NULL ? q->pp->end_t : TC_NOTIME;
		uint64_t qserial = q->serial;
		sim_time_t gap;

		if (qserial + 1 != last) {
			r->order_edges++;
			if (why == E_PIPE)
				r->order_pipe_edges++;
			else if (why == E_FUTEX)
				r->order_futex_edges++;
			else if (why == E_AIO)
				r->order_aio_edges++;
		}
		last = qserial + 1;
		u->order_asleep = true;
		u->order_chan = q;
		if (why == E_PIPE || why == E_FUTEX || why == E_AIO) {
			/* woken once q has made the call, not at each */
			if (q->fed_waiters++ == 0 || u->fed_pidx < q->fed_min)
				q->fed_min = u->fed_pidx;
			u->order_wchan = &q->fed_waiters;
		} else {
			q->waiters++;
			u->order_wchan = q;
		}
		tsleep(r->sim, u->order_wchan, "order", 0);
		/* (q is gone if it ended: only its serial is used below) */
		u->order_asleep = false;
		if (u->order_skip) {
			/* the watchdog: q's edges to u are dropped for good */
			u->order_ignore = qserial + 1;
			u->order_skip = false;
			continue;
		}
		if (!r->think)
			continue;
		if ((q = live_proc(r, qserial)) == NULL) {
			/* q ended just now */
			gap = qend != TC_NOTIME && qend < s ? s - qend : 0;
		} else if (q->done_end != TC_NOTIME && q->done_end < s) {
			/* q's call returned: the trace's gap after it */
			gap = s - q->done_end - (sim_now(r->sim) - q->done_sim);
		} else
			continue;
		if (sim_now(r->sim) + gap > *ready)
			*ready = sim_now(r->sim) + gap;
	}
	r->order_wait_ns += sim_now(r->sim) - began;
}

/* u's call tc returned: those waiting for it may go on. */
void
order_call_done(struct replay *r, struct uproc *u, const struct trace_call *tc)
{
	if (tc->t_ns != TC_NOTIME) {
		u->done_end = tc_end_in(tc, r->pp->line_times);
		u->done_sim = sim_now(r->sim);
	}
	u->ncalls_done++;
	if (r->pidcalls != NULL)
		opid_of(r, u->pid)->ndone++;
	if (u->waiters > 0) {
		u->waiters = 0;		/* a wakeup wakes them all */
		wakeup(r->sim, u);
	}
	if (u->fed_waiters > 0 && u->ncalls_done > u->fed_min) {
		u->fed_waiters = 0;	/* (those still early wait again) */
		wakeup(r->sim, &u->fed_waiters);
	}
}

/* u's first call is about to start: it is alive. */
void
order_started(struct replay *r, struct uproc *u)
{
	if (u->started)
		return;
	u->started = true;
	/* Processes after the first that no traced fork made: their place
	 * among the others is inferred from the trace's times, or its lines'
	 * order (pp->line_times); without either nothing orders them. */
	if (!u->forked && r->order == ORDER_CAUSAL && !r->pp->nominal &&
	    r->nstarted > 0 && u->first_t != TC_NOTIME)
		r->order_inferred++;
	r->nstarted++;
	if (++r->alive > r->max_alive)
		r->max_alive = r->alive;
}

/* u has exited. */
void
order_proc_gone(struct replay *r, struct uproc *u)
{
	TAILQ_REMOVE(&r->live, u, live);
	if (u->started)
		r->alive--;
	if (u->waiters > 0) {
		u->waiters = 0;
		wakeup(r->sim, u);
	}
	if (u->fed_waiters > 0) {
		u->fed_waiters = 0;
		wakeup(r->sim, &u->fed_waiters);
	}
}

/*
 * The sampler found every process asleep and nothing moving.  If some
 * sleep "order", the rule's edges and the simulated kernel's waits have
 * closed a cycle: let those calls go (counted in replay.order_broken).
 */
bool
order_watchdog(struct replay *r)
{
	struct uproc *u;
	bool freed = false;

	TAILQ_FOREACH(u, &r->live, live)
		if (u->order_asleep && !u->order_skip) {
			u->order_skip = true;
			r->order_broken++;
			/* (u sleeps on a live process: the run is stuck) */
			if (u->order_wchan == &u->order_chan->fed_waiters)
				u->order_chan->fed_waiters = 0;
			else
				u->order_chan->waiters = 0;
			wakeup(r->sim, u->order_wchan);
			freed = true;
		}
	return freed;
}
