/*
 * replay.c — one run: trace -> simulated kernel -> metrics.
 *
 * The pieces, in the order a run uses them:
 *   1. the pre-pass reads the whole trace, the only time it is parsed: it
 *      validates it (bad input fails here, before the database is
 *      touched), lists the files the trace found already there
 *      (prepass.c), and keeps every call as a record (tracebin.c);
 *   2. the machine boots from the profile and the starting file system is
 *      laid out on its disk, without I/O (replay_fs.c);
 *   3. the calls the pre-pass kept are read back, one at a time, and each
 *      goes to the queue of its process (struct uproc); a process that
 *      needs its next call reads ahead until one for it turns up
 *      (replay_queue.c);
 *   4. each process is a coroutine that thinks, calls, and records (here);
 *   5. a sampler records the machine's state every sample interval, and
 *      the summary and histograms are written at the end (replay_record.c).
 *
 * Process creation follows the trace: a clone/fork/vfork record names the
 * child, whose calls wait until the parent's clone runs in the simulation;
 * the child then starts with a copy (or a share) of the parent's
 * descriptors.  A vfork parent sleeps until its child execs or exits, and a
 * wait4 sleeps until the child it reaped in the trace has exited in the
 * simulation.
 */
#include "replay_private.h"
#include "dbopen.h"
#include "engine.h"
#include "file.h"
#include "kern.h"
#include "metrics.h"
#include "prepass.h"
#include "profile.h"
#include "syscalls.h"
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK(vfssim-replay-error-quark, replay_error)

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

struct uproc *
uproc_new(struct replay *r, int32_t pid, enum ustate st)
{
	struct uproc *u = g_new0(struct uproc, 1);

	u->pid = pid;
	u->state = st;
	u->r = r;
	u->trace_ref = TC_NOTIME;
	u->first_t = TC_NOTIME;
	g_hash_table_insert(r->uprocs, GINT_TO_POINTER(pid), u);
	u->serial = r->processes++;
	order_proc_new(r, u);
	return u;
}

/* A process the trace did not show being created: it starts when its
 * first call's time comes, in the directory the trace shows it in. */
struct uproc *
uproc_root(struct replay *r, int32_t pid, int64_t first_t)
{
	struct uproc *u = uproc_new(r, pid, U_RUNNING);
	char name[24];

	u->root = true;
	u->first_t = first_t;
	u->kp = proc_create(r->k, pid, fdinit(start_cwd(r, pid)));
	u->cwd_annot = g_strdup(g_hash_table_lookup(r->pp->cwd0,
	    GINT_TO_POINTER(pid)));
	g_snprintf(name, sizeof(name), "pid %d", pid);
	sim_spawn(r->sim, name, uproc_main, u, 0);
	return u;
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

/* The time a call not simulated takes: the trace's — for one that
 * another's write or wake fed (replay.order = causal), only what it took
 * after that returned: the rest was its wait, which the replay made. */
static int64_t
traced_dur(const struct replay *r, const struct uproc *u,
    const struct trace_call *tc)
{
	int64_t d = tc->dur_ns;

	if (u->fed_after != TC_NOTIME && tc->t_ns != TC_NOTIME &&
	    !r->pp->line_times)
		d = CLAMP(tc_end(tc) - u->fed_after, 0, d);
	return d;
}

static void
skip_call(struct replay *r, struct uproc *u, const struct trace_call *tc)
{
	gpointer n = g_hash_table_lookup(r->skipped, tc->name);
	int64_t d = traced_dur(r, u, tc);
	int i;

	g_hash_table_insert(r->skipped, g_strdup(tc->name),
	    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
	r->not_modelled++;
	/* Not simulated, but the time it took in the trace still passes. */
	if (d > 0)
		sim_pause(r->sim, d);
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
	c->forked = true;
	g_free(c->cwd_annot);
	c->cwd_annot = g_strdup(u->cwd_annot);
	c->trace_ref = tc->t_ns;
	g_snprintf(name, sizeof(name), "pid %d", c->pid);
	sim_spawn(r->sim, name, uproc_main, c, 0);
	if (vfork)
		vfork_wait(r->k, c->kp);
}

/* ---- the simulated process ------------------------------------------ */

/*
 * A directory the trace reached by two names is one directory in the
 * simulated file system, under the name -y showed (prepass.c): a path
 * through the other name is written with it — an absolute one, or one
 * relative to where the process is (its last AT_FDCWD annotation: chdir
 * "proj" into /home/user/work, a link to /home/user/srv/proj, is chdir
 * "/home/user/srv/proj").  Other paths are left as they are.
 */
static void
alias_paths(struct replay *r, struct uproc *u, struct trace_call *tc)
{
	char **fields[2] = { &tc->path, &tc->path2 };
	int32_t dirfds[2] = { tc->fd, tc->fd2 };
	int i;

	if (dirfds[0] == TC_AT_FDCWD && tc->fdpath != NULL &&
	    tc->fdpath[0] == '/' && (u->cwd_annot == NULL ||
	    strcmp(u->cwd_annot, tc->fdpath) != 0)) {
		g_free(u->cwd_annot);
		u->cwd_annot = g_strdup(tc->fdpath);
	}
	/* rename(2), not renameat: both names from the working directory */
	if (tc->sc == SC_RENAME)
		dirfds[1] = TC_AT_FDCWD;
	for (i = 0; i < 2; i++) {
		const char *p = *fields[i];
		char *abs, *c;

		if (p == NULL || p[0] == '\0')
			continue;
		if (p[0] == '/')
			abs = g_strdup(p);
		else if ((dirfds[i] == TC_AT_FDCWD || dirfds[i] == TC_NOFD ||
		    tc->sc == SC_CHDIR) && u->cwd_annot != NULL)
			abs = g_canonicalize_filename(p, u->cwd_annot);
		else
			continue;
		c = prepass_canonical(r->pp, abs);
		if (strcmp(c, abs) != 0)
			trace_call_set_str(tc, fields[i], c, strlen(c));
		g_free(abs);
		g_free(c);
	}
	/* after a chdir, until the next annotation says where */
	if (tc->sc == SC_CHDIR && tc->ret == 0 && tc->path != NULL &&
	    (tc->path[0] == '/' || u->cwd_annot != NULL)) {
		char *abs = tc->path[0] == '/' ? g_strdup(tc->path) :
		    g_canonicalize_filename(tc->path, u->cwd_annot);

		g_free(u->cwd_annot);
		u->cwd_annot = prepass_canonical(r->pp, abs);
		g_free(abs);
	}
}

static void
run_call(struct replay *r, struct uproc *u, struct trace_call *tc)
{
	struct sys_outcome out = { SYS_SIMULATED, -1, -1, -1, NULL, 0 };
	sim_time_t start = sim_now(r->sim), end;

	r->calls++;
	sim_proc_waits_reset(curproc(r->sim));
	if (!syscall_modelled(tc->sc)) {
		skip_call(r, u, tc);
		return;
	}
	switch ((enum sc_id)tc->sc) {
	case SC_CLONE: case SC_CLONE3: case SC_FORK: case SC_VFORK:
		do_fork(r, u, tc);
		break;
	case SC_WAIT4: case SC_WAITID:
		kern_cpu(r->k, r->k->p.cpu_syscall);
		if (!tc->ret_unknown && tc->ret > 0)
			(void)kern_wait(r->k, u->kp, (int32_t)tc->ret);
		break;
	default:
		if (r->aliases)
			alias_paths(r, u, tc);
		syscall_replay(r->k, u->kp, tc, &out);
		/* Not a file of the simulated fs: the call takes the time the
		 * trace shows (less what deciding that cost). */
		if (out.cls == SYS_PASSTHROUGH) {
			int64_t d = traced_dur(r, u, tc);

			if (d > sim_now(r->sim) - start)
				sim_pause(r->sim, d - (sim_now(r->sim) - start));
		}
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
	sim_time_t ready;
	struct tbin_head first;
	bool queued;
	int xstat = 0;

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
		ready = sim_now(r->sim);
		if (u->root && !u->started && u->first_t != TC_NOTIME &&
		    r->t0 != TC_NOTIME) {
			/* A process the trace did not fork starts when it
			 * did. */
			if (r->think)
				ready = MAX(ready, u->first_t - r->t0);
			u->trace_ref = u->first_t;
		}
		/* Think: as long as the trace shows between the return of the
		 * previous call and the entry of this one. */
		if (r->think && tc->t_ns != TC_NOTIME && u->trace_ref != TC_NOTIME &&
		    tc->t_ns > u->trace_ref)
			ready += tc->t_ns - u->trace_ref;
		/* ... and, by replay.order, after what it must come after. */
		order_wait(r, u, tc, &ready);
		if (ready > sim_now(r->sim))
			sim_pause(r->sim, ready - sim_now(r->sim));
		order_started(r, u);
		run_call(r, u, tc);
		if (tc->t_ns != TC_NOTIME)
			u->trace_ref = tc_end(tc);
		u->cur = NULL;
		order_call_done(r, u, tc);
		rec_put(r, qc);
	}
	u->state = U_DONE;
	exit1(r->k, u->kp, xstat);	/* may free kp */
	u->kp = NULL;
	g_hash_table_steal(r->uprocs, GINT_TO_POINTER(u->pid));
	if (r->last_u == u)
		r->last_u = NULL;
	order_proc_gone(r, u);
	/* Calls already read for this pid belong to a later process that
	 * reused the number. */
	if ((queued = queue_peek(u, &first)) || spill_pending(u->spill)) {
		struct uproc *n = uproc_root(r, u->pid,
		    queued ? first.t_ns : TC_NOTIME);

		queue_move(u, n);
	}
	spill_close(u->spill);
	g_free(u->cwd_annot);
	g_free(u);
	/* Calls are read as running processes need them: with none left, a
	 * process whose first call comes after every other one ended would
	 * never be read.  Read on, so that it starts. */
	if (g_hash_table_size(r->uprocs) == 0)
		(void)pump(r);
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

bool
snapshots_asked(const struct profile *prof)
{
	return *profile_str(prof, "snapshot", "at") != '\0' ||
	    *profile_str(prof, "snapshot", "remove_at") != '\0';
}

/* ---- the run --------------------------------------------------------- */

/* The trace file, or what the caller's opener stands for (a generator). */
struct trace_reader *
open_trace(const struct replay_opts *o, GError **err)
{
	if (o->open != NULL)
		return o->open(o->open_arg, err);
	return trace_open(o->trace, err);
}

/* The shutdown's sync: what a clean halt does before the power goes. */
static void
final_sync(void *arg)
{
	kern_sync(arg);
}

/*
 * A run stopped (Ctrl-C) before it began -- while the trace was read
 * through or its starting file system built -- is recorded all the same,
 * failed, with why: the runs table says what became of every run asked
 * for.  Its id, or -1 if even that cannot be written.
 */
static int64_t
record_stopped(const struct replay *r, const struct replay_opts *o,
    const GError *why)
{
	struct metrics *m = o->shared != NULL ?
	    metrics_open_run(o->shared, o->shared_run) :
	    metrics_open(o->db, NULL);
	struct run_info ri;
	char *ptext;
	int64_t run;

	if (m == NULL)
		return -1;
	ptext = profile_to_text(o->prof);
	memset(&ri, 0, sizeof(ri));
	ri.trace = o->trace;
	ri.format = r->pp != NULL ? trace_format_name(r->pp->format) : NULL;
	ri.profile = ptext;
	ri.profile_sources = profile_sources(o->prof);
	ri.seed = profile_int(o->prof, "replay", "seed");
	ri.label = o->label;
	ri.prof = o->prof;
	ri.cmdline = o->cmdline;
	run = metrics_begin_run(m, &ri, NULL);
	if (run >= 0)
		metrics_fail_run(m, why->message);
	metrics_close(m);
	g_free(ptext);
	return run;
}

/* The trace's digest, hashed beside the run.  The thread opens what it
 * hashes, by the names the pre-pass kept (trace_reader_files): the run's
 * thread opens no reader for it -- for an strace trace that would read
 * and inflate its first megabyte again to tell its format -- and calls
 * no o->open (a generator's, which has no digest anyway). */
struct digest_job {
	const struct replay_opts *o;
	char *const	*files;		/* r.pp->trace_files, borrowed */
	char		*hex;
	int64_t		 size;
	GError		*err;
};

static gpointer
digest_thread(gpointer arg)
{
	struct digest_job *dj = arg;

	if (dj->o->digest != NULL)	/* hashed once for several runs */
		(void)dj->o->digest(dj->o->digest_arg, dj->files, &dj->hex,
		    &dj->size, &dj->err);
	else
		(void)trace_files_digest(dj->files, &dj->hex, &dj->size,
		    &dj->err);
	return NULL;
}

/*
 * Everything of a run but its recorder: the processes and their queues,
 * the reader and the spool, the tallies, the engine, the machine and the
 * pre-pass's state.  A run that ends well lets them go before its last
 * rows are written (metrics_end_run, which waits for the writer), so that
 * a run waiting there holds no machine: a batch starts the next run then
 * (replay_opts.replayed).
 */
static void
teardown(struct replay *r)
{
	if (r->uprocs != NULL) {
		GHashTableIter it;
		gpointer v;

		/* Processes a stopped run left behind. */
		g_hash_table_iter_init(&it, r->uprocs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct uproc *u = v;

			queue_free(r, u);
			if (u->cur != NULL)
				rec_destroy(u->cur);
			spill_close(u->spill);
			g_free(u->cwd_annot);
			g_free(u);
		}
		g_clear_pointer(&r->uprocs, g_hash_table_destroy);
	}
	queue_fini(r);
	while (r->npool > 0)
		rec_destroy(r->pool[--r->npool]);
	g_clear_pointer(&r->rd, trace_close);
	g_clear_pointer(&r->spool, tspool_free);
	g_clear_pointer(&r->stats, g_hash_table_destroy);
	for (guint sc = 0; sc < SC__COUNT; sc++) {
		g_clear_pointer(&r->scstats[sc].h, g_free);
		g_clear_pointer(&r->scstats[sc].waits, g_hash_table_destroy);
	}
	g_clear_pointer(&r->skipped, g_hash_table_destroy);
	g_clear_pointer(&r->inopath, g_hash_table_destroy);
	order_free(r);
	crash_free(r);
	setup_free(r);
}

/* The run's replay is over, or it failed: said once (replay_opts). */
static void
say_replayed(const struct replay_opts *o, bool *said)
{
	if (o->replayed != NULL && !*said)
		o->replayed(o->replayed_arg);
	*said = true;
}

bool
replay_run(const struct replay_opts *o, struct replay_result *res,
    GError **err)
{
	struct replay r;
	char *ptext = NULL;
	struct digest_job dj = { o, NULL, NULL, 0, NULL };
	GThread *dthread = NULL;
	enum sim_status st;
	struct run_info ri;
	bool ok = false, torn = false, said = false;

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
	/* Another program's database is refused before the trace is read. */
	if (!db_check_writable(o->db, err))
		return false;
	/* The pre-pass keeps every call it reads, and the replay reads them
	 * from there; VFSSIM_REREAD parses the trace again instead (what
	 * tests/e2e-speed-equiv.sh compares with). */
	trace_call_init(&r.rdtc);
	if (g_getenv("VFSSIM_REREAD") == NULL)
		r.spool = tspool_new();

	/* 1. Read the whole trace once: validate it, find the starting fs.
	 * 2. Boot and lay out the starting file system (or load it). */
	if (!setup(&r, o, &res->fs_image_loaded, &res->fs_image_saved, err)) {
		if (o->interrupted != NULL && *o->interrupted)
			res->run = record_stopped(&r, o, *err);
		goto out;
	}
	/* Record the block references from here on (bio.opt_bound may
	 * already have asked for them). */
	if (o->refs != NULL && r.k->bc.refs == NULL &&
	    (r.k->bc.refs = tmpfile()) == NULL) {
		g_set_error(err, REPLAY_ERROR, 0, "block references: tmpfile: %s",
		    g_strerror(errno));
		goto out;
	}

	/* 3. Open what the run writes to and reads from. */
	r.m = o->shared != NULL ? metrics_open_run(o->shared, o->shared_run) :
	    metrics_open(o->db, err);
	if (r.m == NULL)
		goto out;
	if (r.spool == NULL && (r.rd = open_trace(o, err)) == NULL)
		goto out;
	ptext = profile_to_text(o->prof);
	memset(&ri, 0, sizeof(ri));
	ri.trace = o->trace;
	ri.format = trace_format_name(r.pp->format);
	ri.profile = ptext;
	ri.profile_sources = profile_sources(o->prof);
	ri.seed = profile_int(o->prof, "replay", "seed");
	ri.label = o->label;
	ri.prof = o->prof;
	ri.cmdline = o->cmdline;
	/* What the trace held, to tell this run from any other (merge's
	 * duplicates): its files' digest and size, hashed in a thread of
	 * its own while the run goes (a trace of 100 MB takes a third of a
	 * second to hash), and written into the runs row at the end; a file
	 * it cannot open fails the run when the thread is joined.  A
	 * generator has no files, no digest and no thread. */
	if ((dj.files = r.pp->trace_files) != NULL)
		dthread = g_thread_new("digest", digest_thread, &dj);
	res->run = metrics_begin_run(r.m, &ri, err);
	if (res->run < 0)
		goto out;
	record_initial_fs(&r, res->fs_image_loaded);

	r.k->hooks.arg = &r;
	r.k->hooks.disk_done = on_disk_done;
	r.uprocs = g_hash_table_new(g_direct_hash, g_direct_equal);
	r.stats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    callstat_free);
	r.skipped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r.inopath = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
	    g_free);
	r.t0 = r.pp->t0;
	/* (a trace whose times are its lines has no think time to show: its
	 * calls go back to back, as without times) */
	r.think = strcmp(profile_str(o->prof, "replay", "think"), "trace") == 0 &&
	    !r.pp->line_times;
	r.readahead = (size_t)profile_int(o->prof, "replay", "readahead");
	r.sample_interval = profile_int(o->prof, "replay", "sample_interval");
	order_init(&r, o->prof);
	if (r.sample_interval < SIM_MS)
		r.sample_interval = SIM_MS;

	/* 4. Run: the first record starts its process; the rest follows.  A
	 * signal stops the engine itself, even amid a callout's run of steps
	 * (the sampler's check comes only between samples). */
	sim_set_interrupt(r.sim, o->interrupted);
	sim_at(r.sim, 0, sampler, &r);
	if (snapshots_asked(o->prof))
		sim_spawn(r.sim, "snapshot", snapshot_proc, &r, 0);
	if (crashes_asked(o->prof))
		crash_start(&r);
	if (pump(&r)) {
		order_roots_start(&r);
		st = sim_run(r.sim);
		r.t_done = sim_now(r.sim);
		/* 5. Shut down cleanly: the run ends with a final sync, so
		 * that everything written reaches the disk. */
		if (st == SIM_DONE && r.error == NULL) {
			sim_spawn(r.sim, "shutdown", final_sync, r.k, 0);
			st = sim_run(r.sim);
		}
		if (r.error == NULL && r.k->disk.stall != NULL)
			g_set_error(&r.error, REPLAY_ERROR, 0, "%s",
			    r.k->disk.stall);	/* the drive's livelock guard */
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
	crash_record(&r);
	if (o->refs != NULL)
		hand_refs(&r);
	if (o->interrupted != NULL && *o->interrupted) {
		/* Ctrl-C while the references were handed over */
		g_set_error(err, REPLAY_ERROR, 0, "interrupted at the end of the "
		    "run");
		metrics_fail_run(r.m, (*err)->message);
		goto out;
	}
	if (o->finish != NULL)
		o->finish(o->refs_arg, r.m, r.k);
	if (dthread != NULL)
		g_thread_join(dthread);
	dthread = NULL;
	if (dj.err != NULL) {
		g_propagate_error(err, dj.err);
		dj.err = NULL;
		metrics_fail_run(r.m, (*err)->message);
		goto out;
	}
	metrics_run_trace(r.m, dj.hex, dj.size);
	res->calls = r.calls;
	res->sim_ns = sim_now(r.sim);
	res->peak_queued = r.peak_queued;
	/* Every row is made: the machine goes, then the run waits for the
	 * writer, which marks it complete in the commit of its last rows. */
	teardown(&r);
	torn = true;
	say_replayed(o, &said);
	if (!metrics_end_run(r.m, err))
		goto out;
	ok = true;
out:
	if (dthread != NULL)
		g_thread_join(dthread);	/* before r.pp (its names) is freed */
	if (dj.err != NULL)
		g_error_free(dj.err);
	g_free(dj.hex);
	res->wall_seconds = (double)(g_get_monotonic_time() - r.wall_start) / 1e6;
	g_free(ptext);
	if (!torn)
		teardown(&r);
	say_replayed(o, &said);
	metrics_close(r.m);
	if (r.error != NULL)
		g_error_free(r.error);
	return ok;
}
