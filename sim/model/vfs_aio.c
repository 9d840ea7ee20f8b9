/*
 * vfs_aio.c — asynchronous I/O as kern/vfs_aio.c of 2001 did it (John
 * Dyson's POSIX 1003.1b AIO, RELENG_4's 1.70 and 5.0-CURRENT's of the
 * time): a request is queued (aio_aqueue) and one of a pool of kernel
 * daemons (aio_daemon, "aiod") takes it (aio_selectjob) and does it with
 * the file's own read or write at the request's offset (aio_process:
 * fo_read/fo_write with FOF_OFFSET), while the process goes on; it learns
 * of the completion later (aio_suspend, aio_waitcomplete, aio_return).
 *
 * Linux's AIO is replayed through it: io_submit's requests are lio_listio's
 * (LIO_NOWAIT: one system call queues them all), io_getevents waits as
 * aio_waitcomplete does for the requests whose completions it returned
 * (matched by the aio_data each carries back), io_destroy waits for its
 * context's requests to finish.  Linux keeps requests per context, 2001's
 * FreeBSD per process (struct kaioinfo); a context stands for the
 * process's kaioinfo here, so that a thread may reap what another
 * submitted.  2001 had no aio_fsync (it came in 2006): a program of the
 * time called fsync(2) itself, so an IOCB_CMD_FSYNC or _FDSYNC request is
 * that fsync, made by the submitting process there and then.  The pool:
 * TARGET_AIO_PROCS (4) daemons made at a context's first use
 * (aio_init_aioinfo), one more while none is free, up to MAX_AIO_PROCS
 * (32); a daemon takes no request of a context with MAX_AIO_PER_PROC (32)
 * already running.  Not modelled: an idle daemon's exit after
 * aiod_lifetime (it costs nothing here), the queue limits (a request the
 * trace queued is queued), physio for raw devices (aio_qphysio: no
 * device is a file of the simulated file system), signals on completion.
 * A process's exit waits for its requests to finish (aio_proc_rundown,
 * "kaiowt").
 */
#include "syscalls_private.h"
#include "kassert.h"
#include "vnode.h"

#include <string.h>

#define TARGET_AIO_PROCS	4
#define MAX_AIO_PROCS		32
#define MAX_AIO_PER_PROC	32
/* Completions a context keeps unreaped: Linux's ring holds at most
 * io_setup's nr_events, which aio-max-nr (65536 by default) bounds; a
 * trace that never reaps past that keeps only the newest (the oldest
 * done ones are dropped, as a full ring refuses new requests). */
#define AIO_MAX_UNREAPED	65536

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct aio_job {
	TAILQ_ENTRY(aio_job) list;	/* aio_jobs, while queued */
	TAILQ_ENTRY(aio_job) plist;	/* its context's jobs, oldest first */
	struct kaioinfo	*ki;
	struct kproc	*p;		/* who queued it (its rundown) */
	struct file	*fp;		/* held until it is done */
	char		 op;		/* 'r', 'w' */
	int		 state;
	bool		 claimed;	/* an io_getevents waits for it */
	int64_t		 off, len;
	uint64_t	 data;
};
TAILQ_HEAD(aio_jobq, aio_job);

/* A context's requests (2001: a process's struct kaioinfo). */
struct kaioinfo {
	uint64_t	 ctx;
	int		 active;	/* being done by a daemon */
	int		 pending;	/* queued or being done */
	int		 waiters;	/* in io_getevents */
	int		 njobs;		/* on jobs */
	struct aio_jobq	 jobs;		/* every request not yet reaped */
};

struct aiod {
	struct kern	*k;
	bool		 free;
};

struct kaio {
	struct aio_jobq	 queue;		/* aio_jobs: waiting for a daemon */
	GHashTable	*ctxs;		/* ctx -> struct kaioinfo */
	GPtrArray	*procs;		/* struct aiod */
	int		 nfree;
};

static struct kaio *
kaio(struct kern *k)
{
	if (k->aio == NULL) {
		k->aio = g_new0(struct kaio, 1);
		TAILQ_INIT(&k->aio->queue);
		k->aio->ctxs = g_hash_table_new(g_int64_hash, g_int64_equal);
		k->aio->procs = g_ptr_array_new();
	}
	return k->aio;
}

static struct kaioinfo *
kaio_ctx(struct kern *k, uint64_t ctx, bool make)
{
	struct kaio *ka = kaio(k);
	struct kaioinfo *ki = g_hash_table_lookup(ka->ctxs, &ctx);

	if (ki == NULL && make) {
		ki = g_new0(struct kaioinfo, 1);
		ki->ctx = ctx;
		TAILQ_INIT(&ki->jobs);
		g_hash_table_insert(ka->ctxs, &ki->ctx, ki);
	}
	return ki;
}

/* aio_selectjob: the oldest queued request whose context may have one
 * more running. */
static struct aio_job *
aio_selectjob(struct kaio *ka)
{
	struct aio_job *j;

	TAILQ_FOREACH(j, &ka->queue, list)
		if (j->ki->active < MAX_AIO_PER_PROC)
			return j;
	return NULL;
}

/*
 * aio_process: the request done as the file's read or write at its
 * offset (the descriptor's offset does not move).  A read past what the
 * simulated file holds reads what there is — the trace's completion said
 * how much it read, and the pre-pass took that as the file's size.
 */
static void
aio_process(struct kern *k, struct aio_job *j)
{
	struct vnode *vp = j->fp->f_vnode;
	int64_t n = MIN(j->len, RW_MAX);
	int ioflag;

	/* (an O_APPEND file's write goes to its end: vn_write's IO_APPEND) */
	if (j->op == 'w' && (j->fp->f_flag & FAPPEND))
		j->off = vn_size(vp);
	if (j->op == 'r')
		n = MIN(n, MAX(0, vn_size(vp) - j->off));
	if (n <= 0)
		return;
	ioflag = sequential_heuristic(j->fp, j->off, n);
	if (j->fp->f_flag & FSYNC)
		ioflag |= IO_SYNC;
	if ((j->fp->f_flag & FDIRECT) && k->p.era != ERA_FREEBSD4)
		ioflag |= IO_DIRECT;
	if (j->op == 'w') {
		(void)vn_write(k, vp, j->off, n, ioflag);
		k->cnt.aio_bytes_written += (uint64_t)n;
	} else {
		(void)vn_read(k, vp, j->off, n, ioflag);
		k->cnt.aio_bytes_read += (uint64_t)n;
	}
	j->fp->f_nextoff = j->off + n;
}

/* A request is done: its waiters (io_getevents, io_destroy, the
 * submitter's exit) are woken. */
static void
aio_done(struct kern *k, struct aio_job *j)
{
	j->state = JOB_DONE;
	j->ki->pending--;
	if (j->p != NULL) {
		KASSERT(j->p->p_aio_pending > 0, ("aio: rundown count"));
		if (--j->p->p_aio_pending == 0)
			wakeup(k->sim, &j->p->p_aio_pending);
	}
	wakeup(k->sim, j->ki);
	k->cnt.aio_done++;
}

/*
 * aio_daemon: on the free list ("aiordy") until aio_aqueue takes it off
 * and wakes it; then the oldest request it may take, done and marked
 * done, and the next, until none is left.
 */
static void
aio_daemon(void *arg)
{
	struct aiod *d = arg;
	struct kern *k = d->k;
	struct kaio *ka = k->aio;
	struct aio_job *j;

	for (;;) {
		while (d->free)
			tsleep(k->sim, d, "aiordy", 0);
		while ((j = aio_selectjob(ka)) != NULL) {
			struct file *fp = j->fp;

			TAILQ_REMOVE(&ka->queue, j, list);
			j->state = JOB_RUNNING;
			j->ki->active++;
			aio_process(k, j);
			j->ki->active--;
			j->fp = NULL;
			aio_done(k, j);
			fdrop(k, fp);		/* may close the file: sleeps */
		}
		d->free = true;
		ka->nfree++;
	}
}

/* aio_newproc: one more daemon, on the free list (2001's creator slept
 * "aiosta" until the new kthread had put itself there: not timed). */
static void
aio_newproc(struct kern *k)
{
	struct aiod *d = g_new0(struct aiod, 1);

	d->k = k;
	d->free = true;
	k->aio->nfree++;
	g_ptr_array_add(k->aio->procs, d);
	(void)sim_spawn(k->sim, "aiod", aio_daemon, d, SIMP_DAEMON);
	k->cnt.aio_daemons = k->aio->procs->len;
}

/* Wake a free daemon for a new request, or make one (aio_aqueue). */
static void
aio_kick(struct kern *k, struct kaioinfo *ki)
{
	struct kaio *ka = k->aio;
	guint i;

	if (ka->nfree > 0)
		for (i = 0; i < ka->procs->len; i++) {
			struct aiod *d = g_ptr_array_index(ka->procs, i);

			if (d->free) {
				d->free = false;
				ka->nfree--;
				wakeup(k->sim, d);
				return;
			}
		}
	if (ka->procs->len < MAX_AIO_PROCS && ki->active < MAX_AIO_PER_PROC) {
		aio_newproc(k);
		aio_kick(k, ki);
	}
}

static void
job_free(struct kaioinfo *ki, struct aio_job *j)
{
	TAILQ_REMOVE(&ki->jobs, j, plist);
	ki->njobs--;
	g_free(j);
}

/* The oldest completions nothing reaps, dropped past AIO_MAX_UNREAPED. */
static void
aio_trim(struct kern *k, struct kaioinfo *ki)
{
	struct aio_job *j, *nj;

	for (j = TAILQ_FIRST(&ki->jobs); j != NULL &&
	    ki->njobs > AIO_MAX_UNREAPED; j = nj) {
		nj = TAILQ_NEXT(j, plist);
		if (j->state == JOB_DONE && !j->claimed) {
			job_free(ki, j);
			k->cnt.aio_dropped++;
		}
	}
}

/*
 * io_submit: each request queued in turn (the trace's result says how
 * many were); an fsync is done there and then.  A request on something
 * that is not a file of the simulated file system (a socket, a pipe, a
 * device) is not the file system's: it completes at once.
 */
void
sys_io_submit(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct kaioinfo *ki;
	struct tc_iocb io;
	const char *s = tc->path2;
	int64_t n;

	out->fd = tc->fd;
	if (tc->ret_unknown || tc->ret <= 0 || s == NULL)
		return;
	ki = kaio_ctx(k, (uint64_t)tc->arg, true);
	/* aio_init_aioinfo: the pool brought to its target */
	while (k->aio->procs->len < TARGET_AIO_PROCS)
		aio_newproc(k);
	for (n = 0; n < tc->ret && tc_iocb_next(&s, &io); n++) {
		struct file *fp = getfile(k, p, io.fd, io.fd == tc->fd ?
		    tc->fdpath : NULL, io.fd == tc->fd && tc->fd_deleted);
		struct aio_job *j;
		bool file = fp != NULL && fp->f_type == DTYPE_VNODE &&
		    fp->f_vnode->v_type == VREG;

		j = g_new0(struct aio_job, 1);
		j->ki = ki;
		j->op = io.op;
		j->off = io.off;
		j->len = io.len;
		j->data = io.data;
		ki->pending++;
		TAILQ_INSERT_TAIL(&ki->jobs, j, plist);
		if (++ki->njobs > AIO_MAX_UNREAPED)
			aio_trim(k, ki);
		k->cnt.aio_requests++;
		if (file && (io.op == 'f' || io.op == 'd')) {
			/* no aio_fsync in 2001: the program's fsync(2) */
			k->cnt.aio_fsyncs++;
			vn_start_write(k);
			(void)kern_fsync(k, fp);
			vn_finished_write(k);
		}
		if (!file || io.op == 'f' || io.op == 'd' || io.off < 0 ||
		    io.off > INT64_MAX / 2) {
			aio_done(k, j);
			continue;
		}
		fhold(fp);
		j->fp = fp;
		j->p = p;
		p->p_aio_pending++;
		TAILQ_INSERT_TAIL(&k->aio->queue, j, list);
		aio_kick(k, ki);
	}
}

/*
 * io_getevents: the completions it returned, each matched with the
 * oldest request of its context carrying that aio_data and not yet
 * reaped; the call waits until they are all done ("aiowc", as
 * aio_waitcomplete sleeps), then they are reaped.  One the replay does
 * not know (queued before the trace began) is passed over and counted.
 * (io_destroy waits for the waiters: the context is theirs until then.)
 */
void
sys_io_getevents(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct kaioinfo *ki = k->aio != NULL ?
	    kaio_ctx(k, (uint64_t)tc->arg, false) : NULL;
	const char *s = tc->path2;
	struct aio_job *j, *nj;
	uint64_t data;
	int64_t res;
	bool wait;

	(void)p;
	(void)out;
	if (tc->ret_unknown || tc->ret <= 0)
		return;
	if (ki == NULL) {
		k->cnt.aio_unmatched += (uint64_t)tc->ret;
		return;
	}
	while (tc_event_next(&s, &data, &res)) {
		TAILQ_FOREACH(j, &ki->jobs, plist)
			if (!j->claimed && j->data == data)
				break;
		if (j != NULL)
			j->claimed = true;
		else
			k->cnt.aio_unmatched++;
	}
	ki->waiters++;
	for (;;) {
		wait = false;
		TAILQ_FOREACH(j, &ki->jobs, plist)
			if (j->claimed && j->state != JOB_DONE)
				wait = true;
		if (!wait)
			break;
		tsleep(k->sim, ki, "aiowc", 0);
	}
	for (j = TAILQ_FIRST(&ki->jobs); j != NULL; j = nj) {
		nj = TAILQ_NEXT(j, plist);
		if (j->claimed && j->state == JOB_DONE)
			job_free(ki, j);
	}
	ki->waiters--;
	wakeup(k->sim, ki);
}

/* io_destroy: the context's requests finished and its io_getevents
 * returned ("aiodes"), then it is gone. */
void
sys_io_destroy(struct kern *k, struct kproc *p, const struct trace_call *tc,
    struct sys_outcome *out)
{
	struct kaioinfo *ki = k->aio != NULL ?
	    kaio_ctx(k, (uint64_t)tc->arg, false) : NULL;
	struct aio_job *j;

	(void)p;
	(void)out;
	if (ki == NULL || tc->ret_unknown || tc->ret < 0)
		return;
	while (ki->pending > 0 || ki->waiters > 0)
		tsleep(k->sim, ki, "aiodes", 0);
	while ((j = TAILQ_FIRST(&ki->jobs)) != NULL)
		job_free(ki, j);
	g_hash_table_remove(k->aio->ctxs, &ki->ctx);
	g_free(ki);
}

/* aio_proc_rundown: an exiting process waits for its requests. */
void
aio_proc_rundown(struct kern *k, struct kproc *p)
{
	while (p->p_aio_pending > 0)
		tsleep(k->sim, &p->p_aio_pending, "kaiowt", 0);
}

/* A stopped run's requests: their files go with the other files
 * (kern_shutdown's set), the rest here. */
void
aio_shutdown(struct kern *k, GHashTable *files)
{
	struct kaio *ka = k->aio;
	GHashTableIter it;
	gpointer v;
	guint i;

	if (ka == NULL)
		return;
	g_hash_table_iter_init(&it, ka->ctxs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct kaioinfo *ki = v;
		struct aio_job *j;

		while ((j = TAILQ_FIRST(&ki->jobs)) != NULL) {
			if (j->fp != NULL)
				g_hash_table_add(files, j->fp);
			job_free(ki, j);
		}
		g_free(ki);
	}
	g_hash_table_destroy(ka->ctxs);
	for (i = 0; i < ka->procs->len; i++)
		g_free(g_ptr_array_index(ka->procs, i));
	g_ptr_array_free(ka->procs, TRUE);
	g_free(ka);
	k->aio = NULL;
}
