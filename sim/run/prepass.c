/*
 * prepass.c — discover the starting file system from the trace itself.
 *
 * The pass follows names, not data: every path a call uses is resolved to
 * an absolute path (working directories and directory descriptors tracked
 * per process, -y annotations believed when present), and mapped to an
 * object.  An object first met through a successful use (an open without
 * O_CREAT, a stat, a chdir) existed before the trace began; one first met
 * through a create did not.  Sizes come from what the trace saw of the
 * object before it changed it: st_size, the end of the furthest read of
 * bytes the trace had not written itself, a SEEK_END.
 *
 * This file is the pass's driver and the live tracker; prepass_path.c
 * names, prepass_call.c each call (see prepass_private.h).
 */
#include "prepass_private.h"
#include "fsmanifest.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* (what showed a size, for the list's evidence; enum size_ev) */
static const char *const size_ev_names[] = { "st_size", "bytes read", "SEEK_END" };

/* ---- orders between processes: pipes and futexes ------------------------ */

/*
 * Pipes, for replay.order = causal: the bytes in each (pipe:[N], as -y
 * shows it; in a trace without -y, the pipe its descriptor is, from the
 * pipe or pipe2 that made it: pfd_pipe), and which call of which process
 * wrote them, counted in the
 * order the calls returned (the trace's).  A read that returned data came
 * after the write that put its last byte there — the kernel made it wait
 * for it, or it found it there — and when another process (or thread)
 * made that write, the read waits for it in the replay too (git's parent
 * reading the name of the pack its child renamed; xargs reading find's
 * names).  A read whose last byte's write the trace shows later (a write
 * larger than the pipe returns once its reader has taken part of it) is
 * matched with that write when it comes, if it began before the read
 * returned.  A pipe whose reader is not traced keeps at most PIPE_CHUNKS
 * writes (the oldest taken as read), one whose writer is not, at most
 * PIPE_PENDING reads waiting for theirs.
 */
#define PIPE_CHUNKS	4096
#define PIPE_PENDING	64

struct ppend {
	uint64_t last;		/* the last byte it read */
	int64_t	 end;		/* when it returned (trace time) */
	uint64_t cidx;		/* the reader's call ... */
	int32_t	 pid;		/* ... of pid's k-th process */
	unsigned k;
};

struct pchunk {
	uint64_t end;		/* the pipe's bytes up to this one's end */
	uint64_t idx;		/* the writer's call ... */
	int64_t	 wend;		/* ... which returned then (trace time) */
	int32_t	 pid;		/* the writer: pid's k-th process */
	unsigned k;
};

struct ppipe {
	uint64_t written, readn;	/* bytes put in, taken out */
	GArray	*chunks;		/* struct pchunk, oldest first ... */
	guint	 head;			/* ... from here (before: read) */
	GArray	*pending;		/* struct ppend: reads past written */
};

/* The state kept for key in *t: made, zeroed, when it is not there. */
static gpointer
state_of(GHashTable **t, uint64_t key, gsize size, GDestroyNotify free_fn)
{
	gpointer v;

	if (*t == NULL)
		*t = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
		    free_fn);
	if ((v = g_hash_table_lookup(*t, &key)) == NULL) {
		v = g_malloc0(size);
		g_hash_table_insert(*t, g_memdup2(&key, sizeof(key)), v);
	}
	return v;
}

static void
ppipe_free(gpointer p)
{
	struct ppipe *pi = p;

	g_array_free(pi->chunks, TRUE);
	if (pi->pending != NULL)
		g_array_free(pi->pending, TRUE);
	g_free(pi);
}

/*
 * The k-th process of pid's cidx-th call waits for the pidx-th call of
 * wpid's wk-th, which returned at wend: its edge, in cidx order (a wait
 * matched when a later line came is put in its place).  At most
 * MAX_EDGES in a run: memory for the orders, not for every call.
 */
#define MAX_EDGES	(1u << 22)

void
add_edge(struct pass *ps, int32_t pid, unsigned k, uint64_t cidx,
    uint64_t pidx, int64_t wend, int32_t wpid, unsigned wk, uint8_t kind)
{
	GArray *a = g_hash_table_lookup(ps->pp->procs, GINT_TO_POINTER(pid));
	struct pp_proc *p = &g_array_index(a, struct pp_proc, k);
	struct pp_wait w = { cidx, pidx, wend, wpid, wk, kind };
	guint j;

	if (ps->pp->edges >= MAX_EDGES) {
		ps->pp->edges_dropped++;
		return;
	}
	if (p->edges == NULL)
		p->edges = g_array_new(FALSE, FALSE, sizeof(struct pp_wait));
	for (j = p->edges->len; j > 0 && g_array_index(p->edges,
	    struct pp_wait, j - 1).cidx > cidx; j--)
		;
	g_array_insert_val(p->edges, j, w);
	ps->pp->edges++;
}

static void
pp_proc_clear(gpointer p)
{
	struct pp_proc *pr = p;

	if (pr->edges != NULL)
		g_array_free(pr->edges, TRUE);
}

/* N + 1 of "pipe:[N]", 0 for any other annotation (and for an N of 2^63
 * or more: those ids are pfd_pipe's, for pipes without annotations). */
static uint64_t
pipe_id(const char *annot)
{
	const char *s;
	uint64_t n = 0;

	if (annot == NULL || strncmp(annot, "pipe:[", 6) != 0)
		return 0;
	for (s = annot + 6; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - 10) / 10)
			return 0;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	return s > annot + 6 && s[0] == ']' && s[1] == '\0' &&
	    n < PIPE_ANON - 1 ? n + 1 : 0;
}

/* Which pipe the call's process has as descriptor fd: its annotation's,
 * or, without one, the pipe the pre-pass saw made (0: not a pipe). */
static uint64_t
pipe_of(struct pass *ps, const struct trace_call *tc, int32_t fd,
    const char *annot)
{
	if (annot != NULL)
		return pipe_id(annot);
	return ps->anon_pipes != 0 ? pfd_pipe(ps, tc->pid, fd) : 0;
}

static void
note_pipe(struct pass *ps, unsigned k, const struct trace_call *tc,
    uint64_t idx)
{
	struct ppipe *pi;
	uint64_t id, rid, n, last;
	bool wr, sf = tc->sc == SC_SENDFILE;
	guint j;

	if (tc->ret_unknown || tc->ret <= 0)
		return;
	switch ((enum sc_id)tc->sc) {
	case SC_WRITE: case SC_WRITEV:
		wr = true;
		id = pipe_of(ps, tc, tc->fd, tc->fdpath);
		break;
	case SC_READ: case SC_READV:
		wr = false;
		id = pipe_of(ps, tc, tc->fd, tc->fdpath);
		break;
	case SC_COPY_FILE_RANGE: case SC_SENDFILE: case SC_SPLICE:
		/* cat's copy_file_range to a pipe, or from one, or a
		 * splice: a write of the pipe or a read of it (sendfile's
		 * output is fd) — not both (a splice of one pipe into
		 * another orders neither), which no 2001 loop was either */
		id = pipe_of(ps, tc, sf ? tc->fd : tc->fd2,
		    sf ? tc->fdpath : tc->fdpath2);
		rid = pipe_of(ps, tc, sf ? tc->fd2 : tc->fd,
		    sf ? tc->fdpath2 : tc->fdpath);
		if ((id != 0) == (rid != 0))
			return;
		wr = id != 0;
		id |= rid;
		break;
	default:
		return;
	}
	if (id == 0)
		return;
	n = (uint64_t)tc->ret;
	pi = state_of(&ps->pipes, id, sizeof(*pi), ppipe_free);
	if (pi->chunks == NULL)
		pi->chunks = g_array_new(FALSE, FALSE, sizeof(struct pchunk));
	if (wr) {
		struct pchunk c = { pi->written > UINT64_MAX - n ? UINT64_MAX :
		    pi->written + n, idx, tc->t_ns != TC_NOTIME ?
		    tc_end_in(tc, ps->line_times) : TC_NOTIME, tc->pid, k };

		/* reads that took its bytes before its line: theirs if it
		 * began before they returned */
		for (j = 0; pi->pending != NULL && j < pi->pending->len;) {
			const struct ppend *pd = &g_array_index(pi->pending,
			    struct ppend, j);

			if (pd->last >= c.end) {
				j++;
				continue;
			}
			if (tc->t_ns != TC_NOTIME && tc->t_ns <= pd->end &&
			    (pd->pid != tc->pid || pd->k != k))
				add_edge(ps, pd->pid, pd->k, pd->cidx, idx,
				    c.wend, tc->pid, k, PW_PIPE);
			g_array_remove_index(pi->pending, j);
		}
		if (pi->chunks->len - pi->head >= PIPE_CHUNKS) {
			/* nobody traced reads it: the oldest half taken as
			 * read */
			pi->head += PIPE_CHUNKS / 2;
			pi->readn = MAX(pi->readn, g_array_index(pi->chunks,
			    struct pchunk, pi->head - 1).end);
		}
		if (pi->head > 64 && pi->head > pi->chunks->len / 2) {
			g_array_remove_range(pi->chunks, 0, pi->head);
			pi->head = 0;
		}
		g_array_append_val(pi->chunks, c);
		pi->written = c.end;
		/* (bytes read before their write's line: taken already) */
		while (pi->head < pi->chunks->len && g_array_index(pi->chunks,
		    struct pchunk, pi->head).end <= pi->readn)
			pi->head++;
		return;
	}
	/* (saturating: a trace may claim any count) */
	pi->readn = pi->readn > UINT64_MAX - n ? UINT64_MAX : pi->readn + n;
	last = pi->readn - 1;
	if (last >= pi->written) {
		/* its last byte's write comes later in the trace: that
		 * write's line matches it */
		struct ppend pd = { last, tc->t_ns != TC_NOTIME ?
		    tc_end_in(tc, ps->line_times) : TC_NOTIME, idx, tc->pid, k };

		if (pi->pending == NULL)
			pi->pending = g_array_new(FALSE, FALSE, sizeof(struct ppend));
		if (pi->pending->len >= PIPE_PENDING)
			g_array_remove_index(pi->pending, 0);
		if (pd.end != TC_NOTIME)
			g_array_append_val(pi->pending, pd);
	} else
		for (j = pi->head; j < pi->chunks->len; j++) {
			const struct pchunk *c = &g_array_index(pi->chunks,
			    struct pchunk, j);

			if (c->end <= last)
				continue;
			if (c->pid != tc->pid || c->k != k)
				add_edge(ps, tc->pid, k, idx, c->idx, c->wend,
				    c->pid, c->k, PW_PIPE);
			break;
		}
	while (pi->head < pi->chunks->len && g_array_index(pi->chunks,
	    struct pchunk, pi->head).end <= pi->readn)
		pi->head++;
	/* A pipe read to its last byte written, with no read waiting for
	 * a write, is forgotten (its next write counts from 0 again): the
	 * pass keeps the pipes that hold something, not every pipe the
	 * trace used. */
	if (pi->head == pi->chunks->len && pi->readn == pi->written &&
	    (pi->pending == NULL || pi->pending->len == 0))
		(void)g_hash_table_remove(ps->pipes, &id);
}

/*
 * Futexes, for replay.order = causal: a wait that returned 0 was woken by
 * a wake on its address (one that returned the waiters it woke) of
 * another thread, begun before the wait returned.  The wake's line may
 * come before the wait's or after it (strace writes a call when it
 * returns): a wait meets the wakes seen so far with waiters left to wake,
 * newest first; one that finds none waits for a later wake, oldest first.
 * Keyed by the address alone (threads share their process's; another
 * process's futex at the same address could pair wrongly: an order that
 * the trace does not need, never a cycle — the wake began before the wait
 * returned).  A wait never matched orders nothing.
 */
#define FUTEX_WAKES	8
#define FUTEX_PENDING	64

struct fwake {
	int64_t	 start, end;
	uint64_t idx;
	int64_t	 left;		/* waiters it woke not yet matched */
	int32_t	 pid;
	unsigned k;
};

struct fpend {
	int64_t	 end;		/* when the wait returned */
	uint64_t cidx;		/* the waiter's call ... */
	int32_t	 pid;		/* ... of pid's k-th process */
	unsigned k;
};

struct pfutex {
	struct fwake wakes[FUTEX_WAKES];	/* a ring, newest at nw - 1 */
	unsigned nw;
	GArray	*pending;			/* struct fpend, oldest first */
};

static void
pfutex_free(gpointer p)
{
	struct pfutex *f = p;

	if (f->pending != NULL)
		g_array_free(f->pending, TRUE);
	g_free(f);
}

static void
match_wake(struct pass *ps, int32_t pid, unsigned k, uint64_t cidx,
    struct fwake *wk)
{
	add_edge(ps, pid, k, cidx, wk->idx, wk->end, wk->pid, wk->k, PW_FUTEX);
	wk->left--;
}

/* A futex with no wait to match and no wake with waiters left is
 * forgotten: the pass keeps what may still pair, not every address. */
static void
futex_forget(struct pass *ps, struct pfutex *f, uint64_t addr)
{
	unsigned i;

	if (f->pending != NULL && f->pending->len > 0)
		return;
	for (i = 0; i < MIN(f->nw, FUTEX_WAKES); i++)
		if (f->wakes[i].left > 0)
			return;
	(void)g_hash_table_remove(ps->futexes, &addr);
}

static void
note_futex(struct pass *ps, unsigned k, const struct trace_call *tc,
    uint64_t idx)
{
	uint64_t addr = (uint64_t)tc->arg;
	int64_t end;
	struct pfutex *f;
	unsigned i;
	guint j;

	if (tc->ret_unknown || tc->t_ns == TC_NOTIME ||
	    (tc->cmd == TCMD_FUTEX_WAIT ? tc->ret != 0 : tc->ret <= 0))
		return;
	end = tc_end_in(tc, ps->line_times);
	f = state_of(&ps->futexes, addr, sizeof(*f), pfutex_free);
	if (tc->cmd == TCMD_FUTEX_WAIT) {
		struct fpend pd = { end, idx, tc->pid, k };

		for (i = f->nw; i-- > 0;) {
			struct fwake *wk = &f->wakes[i % FUTEX_WAKES];

			if (i + FUTEX_WAKES < f->nw)
				break;
			if (wk->left > 0 && wk->start <= end &&
			    (wk->pid != tc->pid || wk->k != k)) {
				match_wake(ps, tc->pid, k, idx, wk);
				futex_forget(ps, f, addr);
				return;
			}
		}
		if (f->pending == NULL)
			f->pending = g_array_new(FALSE, FALSE, sizeof(struct fpend));
		if (f->pending->len >= FUTEX_PENDING)
			g_array_remove_index(f->pending, 0);
		g_array_append_val(f->pending, pd);
		return;
	} else {
		struct fwake wk = { tc->t_ns, end, idx, tc->ret, tc->pid, k };

		for (j = 0; f->pending != NULL && j < f->pending->len &&
		    wk.left > 0;) {
			struct fpend *pd = &g_array_index(f->pending,
			    struct fpend, j);

			if (pd->end >= wk.start && (pd->pid != tc->pid ||
			    pd->k != k)) {
				match_wake(ps, pd->pid, pd->k, pd->cidx, &wk);
				g_array_remove_index(f->pending, j);
			} else
				j++;
		}
		f->wakes[f->nw++ % FUTEX_WAKES] = wk;
		futex_forget(ps, f, addr);
	}
}

/*
 * What the replay's ordering rules (replay.order) need of each process:
 * when it began and ended in the capture, whether a traced fork made it
 * and whether it waited for children.  A pid's records go to its current
 * process until its exit record; the next record (or a fork returning the
 * pid) begins another, as the replay sees it (struct uproc).
 */
static struct pp_proc *
pproc_begin(struct pass *ps, int32_t pid, bool forked)
{
	GArray *a = g_hash_table_lookup(ps->pp->procs, GINT_TO_POINTER(pid));
	struct pp_proc p = { TC_NOTIME, TC_NOTIME, forked, false, false, 0,
	    NULL };

	if (a == NULL) {
		a = g_array_new(FALSE, FALSE, sizeof(struct pp_proc));
		g_array_set_clear_func(a, pp_proc_clear);
		g_hash_table_insert(ps->pp->procs, GINT_TO_POINTER(pid), a);
	}
	g_array_append_val(a, p);
	g_hash_table_add(ps->live, GINT_TO_POINTER(pid));
	return &g_array_index(a, struct pp_proc, a->len - 1);
}

static void
note_proc(struct pass *ps, const struct trace_call *tc)
{
	struct pp_proc *p;
	int64_t end = tc->t_ns != TC_NOTIME ? tc_end_in(tc, ps->line_times) :
	    TC_NOTIME;

	/* (the same pid as the record before, most of the time) */
	if (ps->last_procs != NULL && tc->pid == ps->last_pid)
		p = &g_array_index(ps->last_procs, struct pp_proc,
		    ps->last_procs->len - 1);
	else if (g_hash_table_contains(ps->live, GINT_TO_POINTER(tc->pid))) {
		GArray *a = g_hash_table_lookup(ps->pp->procs,
		    GINT_TO_POINTER(tc->pid));

		p = &g_array_index(a, struct pp_proc, a->len - 1);
	} else
		p = pproc_begin(ps, tc->pid, false);
	if (ps->last_procs == NULL || tc->pid != ps->last_pid)
		ps->last_procs = g_hash_table_lookup(ps->pp->procs,
		    GINT_TO_POINTER(tc->pid));
	ps->last_pid = tc->pid;
	if (end != TC_NOTIME && (p->end_t == TC_NOTIME || end > p->end_t))
		p->end_t = end;
	if (tc->kind == TC_EXIT) {
		p->exited = true;
		g_hash_table_remove(ps->live, GINT_TO_POINTER(tc->pid));
		ps->last_procs = NULL;
		return;
	}
	if (p->first_t == TC_NOTIME)
		p->first_t = tc->t_ns;
	/* (most calls name no pipe and no futex: not a call further) */
	if (tc->cmd == TCMD_FUTEX_WAIT || tc->cmd == TCMD_FUTEX_WAKE)
		note_futex(ps, ps->last_procs->len - 1, tc, p->ncalls);
	else if (tc->sc == SC_IO_SUBMIT || tc->sc == SC_IO_GETEVENTS)
		aio_call(ps, ps->last_procs->len - 1, tc, p->ncalls);
	else if ((tc->fdpath != NULL && tc->fdpath[0] == 'p') ||
	    (tc->fdpath2 != NULL && tc->fdpath2[0] == 'p') ||
	    (ps->anon_pipes != 0 && tc->fdpath == NULL && tc->ret > 0))
		note_pipe(ps, ps->last_procs->len - 1, tc, p->ncalls);
	p->ncalls++;
	switch ((enum sc_id)tc->sc) {
	case SC_WAIT4: case SC_WAITID:
		p->waits = ps->pp->lifecycle = true;
		break;
	case SC_CLONE: case SC_CLONE3: case SC_FORK: case SC_VFORK:
		ps->pp->lifecycle = true;
		if (tc->ret > 0 && !g_hash_table_contains(ps->live,
		    GINT_TO_POINTER((int32_t)tc->ret)))
			(void)pproc_begin(ps, (int32_t)tc->ret, true);
		break;
	default:
		break;
	}
}

static int
cmp_edge(gconstpointer a, gconstpointer b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	/* at the same instant a beginning counts before an end: processes
	 * that touch overlap (the ordering rules order only "ended before") */
	return (int)(y[1] - x[1]);
}

/* The most processes alive at once in the capture, each from its first
 * call's entry to its end. */
static unsigned
max_alive(const struct prepass *pp)
{
	GArray *ev = g_array_new(FALSE, FALSE, 2 * sizeof(int64_t));
	GHashTableIter it;
	gpointer v;
	unsigned cur = 0, most = 0;
	guint i;

	g_hash_table_iter_init(&it, pp->procs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		GArray *a = v;

		for (i = 0; i < a->len; i++) {
			const struct pp_proc *p = &g_array_index(a, struct pp_proc, i);
			int64_t b[2] = { p->first_t, 1 }, e[2] = { p->end_t, -1 };

			if (p->first_t == TC_NOTIME)
				continue;
			g_array_append_val(ev, b);
			g_array_append_val(ev, e);
		}
	}
	g_array_sort(ev, cmp_edge);
	for (i = 0; i < ev->len; i++) {
		int64_t *e = &g_array_index(ev, int64_t, 2 * i);

		cur = (unsigned)((int)cur + (int)e[1]);
		most = MAX(most, cur);
	}
	g_array_free(ev, TRUE);
	return most;
}

const struct pp_proc *
prepass_proc(const struct prepass *pp, int32_t pid, unsigned k)
{
	GArray *a = g_hash_table_lookup(pp->procs, GINT_TO_POINTER(pid));

	return a != NULL && k < a->len ? &g_array_index(a, struct pp_proc, k) :
	    NULL;
}

struct prepass *
prepass_run(const char *path, char **pt, GError **err)
{
	struct trace_reader *r = trace_open(path, err);

	if (r == NULL)
		return NULL;
	return prepass_read(r, path, pt, NULL, 0, err);
}

/*
 * The list's paths written with every directory's annotated name, and one
 * entry a path: two objects the pass took for different files at one
 * name (through two names of a directory) are one, with the larger size.
 * Another name for an entry that turns out to be the entry itself goes.
 */
static void
one_entry_a_path(struct pass *ps)
{
	GArray *old = ps->pp->files, *files;
	GHashTable *at = g_hash_table_new(g_str_hash, g_str_equal);
	int *map = g_new(int, old->len + 1);
	guint i;

	files = g_array_new(FALSE, FALSE, sizeof(struct initial_file));
	for (i = 0; i < old->len; i++) {
		struct initial_file f = g_array_index(old, struct initial_file, i);
		char *c = canonical(ps, f.path);
		gpointer k;

		g_free(f.path);
		f.path = c;
		if (f.link_of >= 0)
			f.link_of = map[f.link_of];
		if (g_hash_table_lookup_extended(at, f.path, NULL, &k)) {
			struct initial_file *e = &g_array_index(files,
			    struct initial_file, GPOINTER_TO_INT(k));

			map[i] = GPOINTER_TO_INT(k);
			if (f.link_of < 0 && e->link_of < 0) {
				e->isdir |= f.isdir;
				if (f.listed > e->listed) {
					e->listed = f.listed;
					e->listed_bytes = f.listed_bytes;
				}
				if (f.size > e->size) {
					e->size = f.size;
					e->evidence = f.evidence;
					e->line = f.line;
				}
			}
			g_free(f.path);
			continue;
		}
		if (f.link_of >= 0 && strcmp(g_array_index(files,
		    struct initial_file, f.link_of).path, f.path) == 0) {
			map[i] = f.link_of;
			g_free(f.path);
			continue;
		}
		map[i] = (int)files->len;
		g_array_append_val(files, f);
		g_hash_table_insert(at, g_array_index(files, struct initial_file,
		    files->len - 1).path, GINT_TO_POINTER(map[i]));
	}
	for (i = 0; i < files->len; i++) {
		struct initial_file *f = &g_array_index(files, struct initial_file, i);

		if (f->isdir)
			f->size = 0;
	}
	g_hash_table_destroy(at);
	g_free(map);
	g_array_free(old, TRUE);
	ps->pp->files = files;
}

char
initial_file_type(const struct initial_file *f)
{
	return f->link_of >= 0 || f->symlink != NULL ? 'l' : f->isdir ? 'd' :
	    'f';
}

/* A pass over a trace, from its first record. */
static void
pass_init(struct pass *ps, enum trace_format format, char **pt)
{
	memset(ps, 0, sizeof(*ps));
	ps->pp = g_new0(struct prepass, 1);
	ps->pp->files = g_array_new(FALSE, FALSE, sizeof(struct initial_file));
	ps->pp->cwd0 = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	ps->pp->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    (GDestroyNotify)g_array_unref);
	ps->pp->created = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	ps->pp->notes = g_array_new(FALSE, FALSE, sizeof(struct fs_note));
	ps->pp->format = format;
	ps->pp->t0 = TC_NOTIME;
	ps->pp->t_end = TC_NOTIME;
	ps->passthrough = pt;
	if (pt != NULL) {
		guint i, n = g_strv_length(pt);

		ps->ptlen = g_new(size_t, n + 1);
		for (i = 0; i < n; i++)
			ps->ptlen[i] = strlen(pt[i]);
	}
	ps->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    obj_unref);
	ps->initial = g_ptr_array_new_with_free_func(obj_unref);
	ps->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    pproc_free);
	ps->pids = g_hash_table_new(g_direct_hash, g_direct_equal);
	ps->live = g_hash_table_new(g_direct_hash, g_direct_equal);
	ps->settled = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ps->dir_alias = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
}

/* Everything but ps->pp, the result. */
static void
pass_fini(struct pass *ps)
{
	g_hash_table_destroy(ps->live);
	g_hash_table_destroy(ps->names);
	g_ptr_array_free(ps->initial, TRUE);
	g_hash_table_destroy(ps->procs);
	g_hash_table_destroy(ps->pids);
	g_hash_table_destroy(ps->settled);
	g_free(ps->ptlen);
	g_clear_pointer(&ps->dir_alias, g_hash_table_destroy);
	if (ps->touched != NULL)
		g_array_free(ps->touched, TRUE);
	g_clear_pointer(&ps->keyids, g_hash_table_destroy);
	g_clear_pointer(&ps->pipes, g_hash_table_destroy);
	g_clear_pointer(&ps->futexes, g_hash_table_destroy);
	g_clear_pointer(&ps->aio, g_hash_table_destroy);
}

struct prepass *
prepass_read(struct trace_reader *r, const char *path, char **pt,
    struct tspool *keep, unsigned cores, GError **err)
{
	struct trace_call *tc;
	struct traceq *q;
	struct pass ps;
	const char *ev;		/* the last evidence interned, of ... */
	int ev_how;		/* ... this size_how and ... */
	unsigned ev_sc;		/* ... this call */
	guint i;
	int rc;

	pass_init(&ps, trace_reader_format(r), pt);
	/* Only their names: the digest hashes them on a thread of its own,
	 * without a reader (replay_run). */
	ps.pp->trace_files = trace_reader_files(r);
	/* Reading and parsing the calls (trace_read) on a thread of their
	 * own beside keeping them and the bookkeeping here, the calls and
	 * any error coming in the trace's order (traceq.c).  The spool is
	 * written here, not there: the two threads' shares balance better
	 * (callgrind, hits: parsing ~810 instructions a call, the
	 * bookkeeping ~310, the spool ~330; the scan 5,250, 1,510 and 560). */
	q = traceq_open(r, cores);
	while ((rc = traceq_next(q, &tc, err)) == 1) {
		if (keep != NULL && !tspool_put(keep, tc, err)) {
			rc = -1;
			break;
		}
		/* (decided by the reader before its first record) */
		if (ps.pp->records++ == 0)
			ps.line_times = trace_reader_line_times(r);
		if (tc->kind == TC_CALL)
			ps.pp->calls++;
		if ((tc->sc == SC_SNAPSHOT_CREATE || tc->sc == SC_SNAPSHOT_REMOVE) &&
		    ps.pp->snapshot_line == 0)
			ps.pp->snapshot_line = tc->line > 0 ? tc->line : ps.pp->records;
		if (tc->t_ns != TC_NOTIME) {
			int64_t end = tc_end_in(tc, ps.line_times);

			ps.pp->has_time = true;
			if (ps.pp->t0 == TC_NOTIME || tc->t_ns < ps.pp->t0)
				ps.pp->t0 = tc->t_ns;
			if (ps.pp->t_end == TC_NOTIME || end > ps.pp->t_end)
				ps.pp->t_end = end;
			/* The simulation walks every second of it (the syncer,
			 * the sampler), so an absurd span is refused. */
			if (ps.pp->t_end - ps.pp->t0 > PREPASS_MAX_SPAN) {
				g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
				    "%s:%llu: the trace would span %.0f days; vfssim "
				    "replays at most %d", path,
				    (unsigned long long)tc->line,
				    (double)(ps.pp->t_end - ps.pp->t0) / 86400e9,
				    (int)(PREPASS_MAX_SPAN / 86400000000000LL));
				rc = -1;
				break;
			}
		}
		if (tc->dur_ns >= 0)
			ps.pp->has_dur = true;
		note_proc(&ps, tc);
		one_call(&ps, tc);
	}
	/* (an error here stops the thread part way) */
	traceq_close(q);
	/* A run of nothing tells nothing: an empty file, or a log of
	 * strace's own messages (a filter that matched no call, the wrong
	 * file), is refused as `vfssim disk` refuses a trace of no
	 * requests, not replayed into a run whose every figure is 0. */
	if (rc == 0 && ps.pp->calls == 0) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
		    "%s: no system calls to replay (%s)", path,
		    ps.pp->records == 0 ? "the trace holds none" :
		    "only processes' ends: was the capture filtered "
		    "(-e trace=...) to calls the program never made?");
		rc = -1;
	}
	ps.pp->nominal = trace_reader_nominal(r);
	/* Lines for times order the processes (replay_order.c) and count
	 * those alive at once (max_alive); they are no time of the trace's. */
	ps.pp->line_times = trace_reader_line_times(r);
	if (ps.pp->line_times)
		ps.pp->has_time = false;
	trace_close(r);
	/* Sizes: the evidence gathered after each object got its place. */
	ev = NULL;
	ev_how = -1;
	ev_sc = 0;
	for (i = 0; i < ps.initial->len; i++) {
		struct pobj *o = g_ptr_array_index(ps.initial, i);
		struct initial_file *f;

		if (o->index < 0)
			continue;
		f = &g_array_index(ps.pp->files, struct initial_file, o->index);
		f->isdir = o->isdir;
		f->size = o->isdir ? 0 : o->size;
		f->listed = o->isdir ? o->listed : 0;
		f->listed_bytes = o->isdir ? o->listed_bytes : 0;
		if (f->size > 0 && o->size_how >= 0) {
			/* files in a row mostly have the same evidence (the
			 * scan's 20,000: cat's fstat): formatted and interned
			 * once for a run of them */
			if (o->size_how != ev_how || o->size_sc != ev_sc) {
				char *e = g_strdup_printf("%s (%s)",
				    size_ev_names[o->size_how],
				    sc_name(o->size_sc));

				ev = g_intern_string(e);
				ev_how = o->size_how;
				ev_sc = o->size_sc;
				g_free(e);
			}
			f->evidence = ev;
			f->line = o->size_line;
		}
		if (o->islink) {
			/* A link the trace showed only the length of points
			 * nowhere, with that length. */
			f->isdir = false;
			f->symlink = o->target != NULL ? g_strdup(o->target) :
			    vn_unknown_target(o->linklen);
			f->size = (int64_t)strlen(f->symlink);
		}
	}
	one_entry_a_path(&ps);
	{
		/* the processes' starting directories by their own names */
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, ps.pp->cwd0);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			char *c = canonical(&ps, v);

			g_hash_table_iter_replace(&it, c);
		}
	}
	ps.pp->dir_alias = ps.dir_alias;
	ps.pp->alias_lens = ps.alias_lens;
	ps.dir_alias = NULL;
	ps.pp->npids = g_hash_table_size(ps.pids);
	ps.pp->max_alive = max_alive(ps.pp);
	pass_fini(&ps);
	if (rc < 0) {
		prepass_free(ps.pp);
		return NULL;
	}
	return ps.pp;
}

void
prepass_free(struct prepass *pp)
{
	guint i;

	if (pp == NULL)
		return;
	for (i = 0; i < pp->files->len; i++) {
		g_free(g_array_index(pp->files, struct initial_file, i).path);
		g_free(g_array_index(pp->files, struct initial_file, i).symlink);
	}
	g_array_free(pp->files, TRUE);
	g_hash_table_destroy(pp->cwd0);
	g_hash_table_destroy(pp->procs);
	g_hash_table_destroy(pp->created);
	for (i = 0; i < pp->notes->len; i++) {
		struct fs_note *n = &g_array_index(pp->notes, struct fs_note, i);

		g_free(n->path);
		g_free(n->what);
	}
	g_array_free(pp->notes, TRUE);
	if (pp->dir_alias != NULL)
		g_hash_table_destroy(pp->dir_alias);
	g_free(pp->manifest);
	g_strfreev(pp->trace_files);
	g_free(pp);
}

/* ---- the resources of each call, as the replay reads them ------------- */

/* The resources a call touches, for replay.order = resource: an object
 * (a file or directory, by identity), a name (an absolute path, whether
 * or not anything has it), a descriptor that is not a file (a pipe or
 * socket, by its -y annotation; without one, a pipe the trace made, by
 * pfd_pipe's number).  Keys tell them apart by their low bit. */
void
touch_obj(struct pass *ps, const struct pobj *o)
{
	uint64_t k = o->id << 1;

	if (ps->touched != NULL)
		g_array_append_val(ps->touched, k);
}

void
touch_name(struct pass *ps, const char *name)
{
	gpointer id;
	uint64_t k;

	if (ps->touched == NULL || name == NULL)
		return;
	if (!g_hash_table_lookup_extended(ps->keyids, name, NULL, &id)) {
		id = GSIZE_TO_POINTER(g_hash_table_size(ps->keyids));
		g_hash_table_insert(ps->keyids, g_strdup(name), id);
	}
	k = ((uint64_t)GPOINTER_TO_SIZE(id) << 1) | 1;
	g_array_append_val(ps->touched, k);
}

struct prepass_track {
	struct pass	 ps;
};

struct prepass_track *
prepass_track_new(char **passthrough)
{
	struct prepass_track *t = g_new0(struct prepass_track, 1);

	pass_init(&t->ps, TF_NATIVE, passthrough);
	t->ps.touched = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	t->ps.keyids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	return t;
}

/* A descriptor's file or pipe, if the process has it (nothing learned). */
static void
touch_fd(struct pass *ps, int32_t pid, int32_t fd, const char *annot)
{
	struct pproc *pr = g_hash_table_lookup(ps->procs, GINT_TO_POINTER(pid));
	struct pfile *f;

	if (pr == NULL || fd < 0)
		return;
	f = g_hash_table_lookup(pr->fdt->fds, GINT_TO_POINTER(fd));
	if (f != NULL && f->obj != NULL)
		touch_obj(ps, f->obj);
	else if (annot != NULL && annot[0] != '/')
		touch_name(ps, annot);
	else if (f != NULL && f->pipe != 0) {
		/* (no annotation begins with a control character) */
		char name[32];

		snprintf(name, sizeof(name), "\001pipe %" PRIu64,
		    f->pipe - PIPE_ANON);
		touch_name(ps, name);
	}
}

unsigned
prepass_track(struct prepass_track *t, const struct trace_call *tc,
    uint64_t *keys, unsigned max)
{
	struct pass *ps = &t->ps;
	unsigned n = 0;
	guint i;

	g_array_set_size(ps->touched, 0);
	/* Descriptors as they were before the call (close drops them). */
	if (tc->kind == TC_CALL) {
		touch_fd(ps, tc->pid, tc->fd, tc->fdpath);
		touch_fd(ps, tc->pid, tc->fd2, tc->fdpath2);
	}
	note_proc(ps, tc);
	one_call(ps, tc);
	if (tc->kind == TC_CALL && tc->sc == SC_OTHER && tc->path != NULL) {
		/* A call the pre-pass does not follow still names a file. */
		struct pproc *pr = g_hash_table_lookup(ps->procs,
		    GINT_TO_POINTER(tc->pid));

		if (pr != NULL)
			g_free(resolve(ps, pr, tc->path[0] == '/' ||
			    tc->fd < 0 ? TC_AT_FDCWD : tc->fd, tc->fdpath,
			    tc->path));
	}
	for (i = 0; i < ps->touched->len && n < max; i++) {
		uint64_t k = g_array_index(ps->touched, uint64_t, i);
		unsigned j;

		for (j = 0; j < n && keys[j] != k; j++)
			;
		if (j == n)
			keys[n++] = k;
	}
	return n;
}

void
prepass_track_free(struct prepass_track *t)
{
	if (t == NULL)
		return;
	pass_fini(&t->ps);
	prepass_free(t->ps.pp);
	g_free(t);
}
