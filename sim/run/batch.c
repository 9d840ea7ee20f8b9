/*
 * batch.c — several runs side by side in threads (see batch.h).
 *
 * A run shares nothing with the others but the writer of their rows:
 * replay_run builds its own engine and machine and reads the trace
 * through its own reader (or its own instance of the generator); its rows
 * go, a batch at a time, to the one writer of the batch's database
 * (metrics_open_shared: one connection and its thread, which the runs
 * reach only through metrics.c's queue and lock), so the threads need no
 * locks but that and the batch's, which only counts progress.  The few
 * pieces of state that outlive a run are safe to share: profile strings
 * are interned by GLib (thread-safe), and the errno-name table in trace.c
 * is built once under g_once.
 */
#include "batch.h"
#include "dbopen.h"
#include "kassert.h"
#include "metrics.h"
#include "profile.h"
#include "replay.h"
#include "trace.h"
#include "workload.h"

#include <stdio.h>
#include <string.h>
/* malloc_trim: glibc's, and not under AddressSanitizer, whose allocator
 * replaces glibc's arenas (trimming them there crashes). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_MALLOC_TRIM
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
#define NO_MALLOC_TRIM
#endif
#ifndef NO_MALLOC_TRIM
#include <malloc.h>
#endif

struct slot {
	struct batch_job *job;
	uint64_t	 done, total;	/* calls, from the run's ticks */
	bool		 finished;
	GError		*error;
	int64_t		 run;		/* its id in the database */
	struct batch	*b;
};

struct batch {
	const struct batch_opts *o;
	struct slot	*slots;
	guint		 n;
	GMutex		 lock;
	GCond		 cond;
	guint		 finished;
	/* Runs replaying now, at most `threads`: a run's thread waits to
	 * start for one to end its replay (batch_replayed), the jobs
	 * starting in list order (admit: the next job's index).  The pool
	 * has twice as many threads, so that a run whose last rows are
	 * still being written does not hold up the next. */
	GCond		 gate;
	guint		 replaying, admit;
	unsigned	 threads, cpus;	/* runs replaying at once (-j); the
					   processors */
	int		 first_failed;	/* slot that failed first, or -1 */
	volatile sig_atomic_t stop;	/* asks every run to stop */
	struct metrics	*w;		/* the runs' writer */
	/* the trace's digest, hashed once for all the runs (share_digest) */
	GMutex		 dlock;
	GCond		 dcond;
	int		 dstate;	/* 0 not begun, 1 being hashed, 2 done */
	char		**dfiles;	/* what was hashed */
	char		*dhex;
	int64_t		 dsize;
	GError		*derr;
};

void
batch_job_clear(struct batch_job *j)
{
	g_free(j->label);
	g_free(j->trace);
	profile_free(j->prof);
	memset(j, 0, sizeof(*j));
}

char *
batch_gen_trace_name(const char *gen, char **params, uint64_t seed)
{
	GString *t = g_string_new("gen:");
	char **pp;

	g_string_append(t, gen);
	for (pp = params; pp != NULL && *pp != NULL; pp++)
		g_string_append_printf(t, " %s", *pp);
	g_string_append_printf(t, " seed=%llu", (unsigned long long)seed);
	return g_string_free(t, FALSE);
}

struct trace_reader *
batch_open_gen(void *arg, GError **err)
{
	const struct batch_gen *ga = arg;

	return workload_reader(ga->src->gen, ga->src->params, ga->seed, err);
}

static void
tick(void *arg, uint64_t done, uint64_t total)
{
	struct slot *sl = arg;

	g_mutex_lock(&sl->b->lock);
	sl->done = done;
	sl->total = total;
	g_mutex_unlock(&sl->b->lock);
}

/*
 * replay_opts.digest: every run of a batch reads the same trace, so its
 * files are hashed once, by the first run's digest thread to ask; the
 * others' threads wait for that digest (beside their runs, as their own
 * hashing did) rather than each reading every byte again -- for a trace
 * of 100 MB a third of a second of CPU a run.  Files other than those
 * hashed (none in a batch: one source) are hashed as they come.
 */
static bool
share_digest(void *arg, char *const *files, char **hex, int64_t *size,
    GError **err)
{
	struct batch *b = arg;
	GError *e = NULL;
	bool ok;

	g_mutex_lock(&b->dlock);
	while (b->dstate == 1)
		g_cond_wait(&b->dcond, &b->dlock);
	if (b->dstate == 2) {
		bool same = g_strv_equal((const char *const *)b->dfiles,
		    (const char *const *)files);

		if (same) {
			*hex = g_strdup(b->dhex);
			*size = b->dsize;
			if (b->derr != NULL)
				g_propagate_error(err, g_error_copy(b->derr));
		}
		g_mutex_unlock(&b->dlock);
		if (same)
			return b->derr == NULL;
		return trace_files_digest(files, hex, size, err);
	}
	b->dstate = 1;
	g_mutex_unlock(&b->dlock);
	ok = trace_files_digest(files, hex, size, &e);
	g_mutex_lock(&b->dlock);
	b->dfiles = g_strdupv((char **)files);
	b->dhex = g_strdup(*hex);
	b->dsize = *size;
	b->derr = e != NULL ? g_error_copy(e) : NULL;
	b->dstate = 2;
	g_cond_broadcast(&b->dcond);
	g_mutex_unlock(&b->dlock);
	if (e != NULL)
		g_propagate_error(err, e);
	return ok;
}

/*
 * The processors a run starting now may count on for threads of its own
 * (replay_opts.cores): the machine's share of each run that will be
 * going beside it -- the runs replaying at once (-j), or fewer when
 * fewer runs are left.  With -j N on N processors that is one: the runs
 * fill the cores, and a run's reader thread (traceq.c) would only take
 * turns with them, at a hand-over a block.  The rows' writer is one
 * thread for all the runs and is not counted, nor is a run whose replay
 * is over, waiting for its last rows to be written.
 */
static unsigned
run_cores(struct batch *b)
{
	guint left;

	g_mutex_lock(&b->lock);
	left = b->n - b->finished;	/* this run among them */
	g_mutex_unlock(&b->lock);
	return MAX(1u, b->cpus / MAX(1u, MIN(b->threads, left)));
}

/*
 * A run's replay is over (its machine gone): it now only waits for the
 * writer to write its last rows and mark it complete, which it does
 * while the next run starts.  The writer, the runs' one bottleneck
 * with rows, then works on without the gap of a pre-pass between two
 * runs' rows; with -j 1 too, whose pool has a second thread for the run
 * that waits.  (Its rows waiting are at most QB_INFLIGHT batches: the
 * machine held no longer, a run waiting costs no memory to speak of.)
 */
static void
batch_replayed(void *arg)
{
	struct slot *sl = arg;
	struct batch *b = sl->b;

#ifndef NO_MALLOC_TRIM
	/* What the run's machine held, given back: the next run's thread
	 * takes its memory from another of glibc's arenas, so without it a
	 * -j 1 sweep peaks a third higher. */
	malloc_trim(0);
#endif
	g_mutex_lock(&b->lock);
	KASSERT(b->replaying > 0, ("batch_replayed: none replaying"));
	b->replaying--;
	g_cond_broadcast(&b->gate);
	g_mutex_unlock(&b->lock);
}

/* Stop every run (the first failure, or an interruption): those waiting
 * to start are woken to see it. */
static void
batch_stop(struct batch *b)
{
	b->stop = 1;
	g_cond_broadcast(&b->gate);
}

static void
worker(gpointer data, gpointer user)
{
	struct batch *b = user;
	struct slot *sl = &b->slots[GPOINTER_TO_UINT(data) - 1];
	const struct batch_opts *o = b->o;
	struct replay_opts ro;
	struct replay_result res;
	struct batch_gen ga = { o->src, sl->job->gen_seed };
	GError *err = NULL;
	guint idx = GPOINTER_TO_UINT(data) - 1;
	bool ok = false, go;

	/* Its turn: every job before it started, and fewer than `threads`
	 * runs replaying. */
	g_mutex_lock(&b->lock);
	while (!b->stop && (b->admit != idx || b->replaying >= b->threads))
		g_cond_wait(&b->gate, &b->lock);
	go = !b->stop;
	if (go)
		b->replaying++;
	b->admit = MAX(b->admit, idx + 1);
	g_cond_broadcast(&b->gate);
	g_mutex_unlock(&b->lock);
	if (go) {
		memset(&ro, 0, sizeof(ro));
		ro.replayed = batch_replayed;
		ro.replayed_arg = sl;
		ro.cores = run_cores(b);
		ro.trace = sl->job->trace;
		ro.db = o->db;
		ro.shared = b->w;
		ro.shared_run = sl->run;
		ro.digest = share_digest;
		ro.digest_arg = b;
		ro.prof = sl->job->prof;
		ro.events = o->events;
		ro.label = sl->job->label;
		ro.cmdline = o->cmdline;
		ro.interrupted = &b->stop;
		if (o->src->gen != NULL) {
			ro.open = batch_open_gen;
			ro.open_arg = &ga;
		}
		ro.tick = tick;
		ro.tick_arg = sl;
		ro.fs_image = o->fs_image;
		ro.fs_image_load_only = true;
		ok = replay_run(&ro, &res, &err);
	} else
		g_set_error(&err, REPLAY_ERROR, 0, "not run: another run failed");
	KASSERT(!ok || res.run == sl->run, ("run %lld recorded as %lld",
	    (long long)sl->run, (long long)res.run));
	g_mutex_lock(&b->lock);
	sl->finished = true;
	if (!ok) {
		sl->error = err;
		/* The first failure stops the others: their results would
		 * be thrown away anyway. */
		if (b->first_failed < 0 && !b->stop)
			b->first_failed = (int)(sl - b->slots);
		batch_stop(b);
	} else
		sl->done = sl->total;
	b->finished++;
	g_cond_signal(&b->cond);
	g_mutex_unlock(&b->lock);
}

/* The progress bar: runs finished, and calls replayed over all runs (a
 * run's total is known once its pre-pass has read the trace; runs not yet
 * started are counted as long as the longest known). */
static void
draw(struct batch *b)
{
	uint64_t done = 0, total = 0, most = 0;
	double frac;
	char bar[31];
	guint i;
	int fill;

	for (i = 0; i < b->n; i++)
		most = MAX(most, b->slots[i].total);
	for (i = 0; i < b->n; i++) {
		done += b->slots[i].done;
		total += b->slots[i].total > 0 ? b->slots[i].total : most;
	}
	frac = total > 0 ? (double)done / (double)total :
	    (double)b->finished / (double)b->n;
	fill = (int)(frac * 30);
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(30 - fill));
	bar[30] = '\0';
	fprintf(stderr, "\r%s [%s] %3.0f%%  %u/%u runs done ",
	    b->o->what != NULL ? b->o->what : "runs", bar, 100 * frac,
	    b->finished, b->n);
}

bool
batch_run(const struct batch_opts *o, struct batch_job *jobs, guint n,
    int64_t *ids, GError **err)
{
	struct batch b;
	GThreadPool *pool = NULL;
	GError *perr = NULL;
	GPtrArray *dups = NULL;
	const char **traces = g_new(const char *, n + 1);
	const char **labels = g_new(const char *, n + 1);
	unsigned threads = o->threads > 0 ? o->threads : g_get_num_processors();
	bool ok = false, keep;
	guint i;

	memset(&b, 0, sizeof(b));
	b.o = o;
	b.n = n;
	b.threads = threads;
	b.cpus = g_get_num_processors();
	b.first_failed = -1;
	g_mutex_init(&b.lock);
	g_cond_init(&b.cond);
	g_cond_init(&b.gate);
	g_mutex_init(&b.dlock);
	g_cond_init(&b.dcond);
	/* Another program's database is refused before anything runs. */
	if (!db_check_writable(o->db, err))
		goto out;
	/* One writer for all the runs, straight into o->db: the runs' rows
	 * made there now, their ids in list order. */
	for (i = 0; i < n; i++) {
		traces[i] = jobs[i].trace;
		labels[i] = jobs[i].label;
	}
	b.w = metrics_open_shared(o->db, traces, labels, n, ids, err);
	if (b.w == NULL)
		goto out;
	b.slots = g_new0(struct slot, n);
	for (i = 0; i < n; i++) {
		b.slots[i].job = &jobs[i];
		b.slots[i].b = &b;
		b.slots[i].run = ids[i];
	}
	pool = g_thread_pool_new(worker, &b, (gint)MIN(2 * threads, n), TRUE,
	    &perr);
	if (pool == NULL) {
		g_propagate_prefixed_error(err, perr, "thread pool: ");
		(void)metrics_close_shared(b.w, false, NULL, NULL);
		b.w = NULL;
		goto out;
	}
	/* In list order: the first jobs start first. */
	for (i = 0; i < n; i++)
		g_thread_pool_push(pool, GUINT_TO_POINTER(i + 1), NULL);
	g_mutex_lock(&b.lock);
	while (b.finished < n) {
		g_cond_wait_until(&b.cond, &b.lock,
		    g_get_monotonic_time() + 200 * G_TIME_SPAN_MILLISECOND);
		if (o->interrupted != NULL && *o->interrupted)
			batch_stop(&b);
		if (o->progress)
			draw(&b);
	}
	g_mutex_unlock(&b.lock);
	g_thread_pool_free(pool, FALSE, TRUE);
	if (o->progress)
		fprintf(stderr, "\r%*s\r", 72, "");

	keep = b.first_failed < 0 && !b.stop;
	if (!keep) {
		/* The run that failed first, or (interrupted) the first one
		 * listed that did not finish. */
		int f = b.first_failed;

		for (i = 0; f < 0 && i < n; i++)
			if (b.slots[i].error != NULL)
				f = (int)i;
		if (f >= 0) {
			g_propagate_prefixed_error(err, b.slots[f].error,
			    "variant %s: ", jobs[f].label);
			b.slots[f].error = NULL;
		} else
			g_set_error(err, REPLAY_ERROR, 0, "interrupted");
	}
	/* Kept, or (a run failed) every run taken out again: on failure
	 * nothing is added to o->db. */
	dups = g_ptr_array_new_with_free_func(g_free);
	ok = metrics_close_shared(b.w, keep, dups, keep ? err : NULL) && keep;
	b.w = NULL;
	/* The same runs made again into the same database: kept, but said
	 * (compare and report would take them for more seeds). */
	for (i = 0; ok && i < dups->len; i++)
		fprintf(stderr, "vfssim %s: warning: %s\n", o->what != NULL ?
		    o->what : "batch", (const char *)g_ptr_array_index(dups, i));
out:
	for (i = 0; b.slots != NULL && i < n; i++)
		if (b.slots[i].error != NULL)
			g_error_free(b.slots[i].error);
	if (dups != NULL)
		g_ptr_array_free(dups, TRUE);
	g_free(traces);
	g_free(labels);
	g_free(b.slots);
	g_strfreev(b.dfiles);
	g_free(b.dhex);
	if (b.derr != NULL)
		g_error_free(b.derr);
	g_mutex_clear(&b.lock);
	g_cond_clear(&b.cond);
	g_cond_clear(&b.gate);
	g_mutex_clear(&b.dlock);
	g_cond_clear(&b.dcond);
	return ok;
}
