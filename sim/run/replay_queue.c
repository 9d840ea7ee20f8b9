/*
 * replay_queue.c — the calls read ahead for each process of a run, and
 * the spill files that hold them beyond replay.readahead.
 *
 * The pre-pass parsed the trace once and kept every call as a record (a
 * few bytes, tracebin.c) in the run's spool; the replay reads the spool
 * as the processes need their calls: a process that needs its next call
 * reads ahead (pump) until one for it turns up, and each record read goes
 * to the queue of its process (struct uproc) — or starts the process, or
 * names the child a fork will start.  A queue is the records themselves,
 * one after another in a chain of chunks: no allocation a call.  A call is
 * decoded only when its process makes it (next_call).
 *
 * With VFSSIM_REREAD set in the environment the replay parses the trace a
 * second time instead of reading the spool, as vfssim did before the
 * spool: the same records, for tests/e2e-speed-equiv.sh to compare.
 */
#include "replay_private.h"
#include "engine.h"
#include "prepass.h"
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- decoded calls ----------------------------------------------------- */

static struct qcall *
rec_get(struct replay *r)
{
	struct qcall *qc;

	if (r->npool > 0)
		return r->pool[--r->npool];
	qc = g_new(struct qcall, 1);
	trace_call_init(&qc->tc);
	qc->keys = NULL;
	qc->nkeys = qc->keycap = 0;
	return qc;
}

void
rec_destroy(gpointer p)
{
	struct qcall *qc = p;

	trace_call_free(&qc->tc);
	g_free(qc->keys);
	g_free(qc);
}

void
rec_put(struct replay *r, struct qcall *qc)
{
	if (r->npool < G_N_ELEMENTS(r->pool))
		r->pool[r->npool++] = qc;
	else
		rec_destroy(qc);
}

/* ---- entries: a record and its resources --------------------------------
 *
 * What a queue or a spill file holds of a call: its record's length, the
 * record, the number of resources it touches (replay.order = resource)
 * and those, 8 bytes each.
 */

static size_t
entry_size(size_t n, unsigned nkeys)
{
	uint8_t tmp[10];

	return tbin_put_len(tmp, n) + n + 1 + 8 * (size_t)nkeys;
}

static void
entry_write(uint8_t *p, const uint8_t *rec, size_t n, const uint64_t *keys,
    unsigned nkeys)
{
	p += tbin_put_len(p, n);
	memcpy(p, rec, n);
	p += n;
	*p++ = (uint8_t)nkeys;
	if (nkeys > 0)
		memcpy(p, keys, 8 * (size_t)nkeys);
}

/* The entry at p (avail bytes): its size, its record and resources; 0 if
 * the bytes do not hold all of it. */
static size_t
entry_read(const uint8_t *p, size_t avail, const uint8_t **rec, size_t *n,
    const uint8_t **keys, unsigned *nkeys)
{
	size_t h = tbin_get_len(p, avail, n);

	if (h == 0 || *n >= avail - h)
		return 0;
	*rec = p + h;
	*nkeys = p[h + *n];
	*keys = p + h + *n + 1;
	if (h + *n + 1 + 8 * (size_t)*nkeys > avail)
		return 0;
	return h + *n + 1 + 8 * (size_t)*nkeys;
}

/* Make qc the call of an entry. */
static void
entry_decode(const uint8_t *rec, size_t n, const uint8_t *keys,
    unsigned nkeys, struct qcall *qc)
{
	unsigned i;

	/* the resources first (they do not depend on the call), so that
	 * the decode ends the function (a jump, not a call) */
	qc->nkeys = 0;
	for (i = 0; i < nkeys; i++) {
		uint64_t k;

		memcpy(&k, keys + 8 * i, 8);
		order_key_add(qc, k);
	}
	tbin_decode(rec, n, &qc->tc);
}

/* ---- a process's queue --------------------------------------------------- */

#define QCHUNK		4096		/* bytes of a chunk (more for a long call) */
#define QSPARE		64		/* unused chunks kept for reuse */

struct qchunk {
	struct qchunk	*next;
	uint32_t	 len, cap;
	uint8_t		 data[];
};

static void
chunk_put(struct replay *r, struct qchunk *c)
{
	if (c->cap == QCHUNK && r->nspare < QSPARE) {
		c->next = r->spare;
		r->spare = c;
		r->nspare++;
	} else
		g_free(c);
}

static void
queue_push(struct replay *r, struct callq *q, const uint8_t *rec, size_t n,
    const uint64_t *keys, unsigned nkeys)
{
	size_t sz = entry_size(n, nkeys);
	struct qchunk *c = q->tail;

	if (c == NULL || c->cap - c->len < sz) {
		if (sz <= QCHUNK && r->spare != NULL) {
			c = r->spare;
			r->spare = c->next;
			r->nspare--;
		} else {
			size_t cap = MAX(QCHUNK, sz);

			c = g_malloc(sizeof(*c) + cap);
			c->cap = (uint32_t)cap;
		}
		c->next = NULL;
		c->len = 0;
		if (q->tail != NULL)
			q->tail->next = c;
		else {
			q->head = c;
			q->rpos = 0;
		}
		q->tail = c;
	}
	entry_write(c->data + c->len, rec, n, keys, nkeys);
	c->len += (uint32_t)sz;
}

/* The first entry of a queue that has one. */
static size_t
queue_front(const struct callq *q, const uint8_t **rec, size_t *n,
    const uint8_t **keys, unsigned *nkeys)
{
	const struct qchunk *c = q->head;

	return entry_read(c->data + q->rpos, c->len - q->rpos, rec, n, keys,
	    nkeys);
}

static void
queue_drop(struct replay *r, struct callq *q, size_t sz)
{
	struct qchunk *c = q->head;

	q->rpos += (uint32_t)sz;
	if (q->rpos == c->len) {
		q->head = c->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->rpos = 0;
		chunk_put(r, c);
	}
}

/* What u's first queued call is, without taking it: false if none is in
 * memory. */
bool
queue_peek(const struct uproc *u, struct tbin_head *h)
{
	const uint8_t *rec, *keys;
	size_t n;
	unsigned nk;

	if (u->nq == 0 || queue_front(&u->q, &rec, &n, &keys, &nk) == 0)
		return false;
	tbin_head(rec, n, h);
	return true;
}

void
queue_free(struct replay *r, struct uproc *u)
{
	struct qchunk *c, *next;

	for (c = u->q.head; c != NULL; c = next) {
		next = c->next;
		chunk_put(r, c);
	}
	u->q.head = u->q.tail = NULL;
	u->nq = 0;
}

static bool
is_fork(const struct tbin_head *h)
{
	return h->kind == TC_CALL && (h->sc == SC_CLONE || h->sc == SC_CLONE3 ||
	    h->sc == SC_FORK || h->sc == SC_VFORK);
}

/*
 * Spill files.  A process that lags behind the others in the simulation
 * (its calls take longer than they did when traced) accumulates calls read
 * ahead for it, and over a long trace that can be any number.  Once more
 * than replay.readahead calls are held in memory, the process holding the
 * most has its queue moved to an unnamed temporary file (tmpfile(3)), and
 * its later calls follow them there until it has caught up.  No process
 * ever waits for the reader, so memory is bounded without changing a single
 * simulated time.  The entries go out and come back as they are, through
 * a buffer each way: a write(2) or a read(2) a SPILL_BLOCK, and calls that
 * are read back before their block was written never touch the file.
 */
#define SPILL_BLOCK	(64 * 1024)

struct spill {
	int		 fd;
	int64_t		 wr, rd;	/* bytes written to the file, read */
	uint64_t	 n;		/* calls in it not yet read back */
	uint8_t		*wbuf;		/* entries not written yet */
	size_t		 wlen, wcap;
	uint8_t		*rbuf;		/* entries read, not all used yet */
	size_t		 rpos, rlen, rcap;
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
spill_flush(struct replay *r, struct spill *sp)
{
	size_t done = 0;

	while (done < sp->wlen) {
		ssize_t w = pwrite(sp->fd, sp->wbuf + done, sp->wlen - done,
		    sp->wr + (int64_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			replay_fail(r, "write");
			return false;
		}
		done += (size_t)w;
	}
	sp->wr += (int64_t)sp->wlen;
	sp->wlen = 0;
	return true;
}

static bool
spill_put(struct replay *r, struct spill *sp, const uint8_t *rec, size_t n,
    const uint64_t *keys, unsigned nkeys)
{
	size_t sz = entry_size(n, nkeys);

	if (sp->wlen + sz > sp->wcap) {
		if (sp->wlen > 0 && !spill_flush(r, sp))
			return false;
		if (sz > sp->wcap) {
			sp->wcap = sz;
			sp->wbuf = g_realloc(sp->wbuf, sp->wcap);
		}
	}
	entry_write(sp->wbuf + sp->wlen, rec, n, keys, nkeys);
	sp->wlen += sz;
	sp->n++;
	r->spilled++;
	return true;
}

static bool
spill_get(struct replay *r, struct spill *sp, struct qcall *qc)
{
	const uint8_t *rec, *keys;
	size_t n, sz;
	unsigned nk;

	while ((sz = entry_read(sp->rbuf + sp->rpos, sp->rlen - sp->rpos, &rec,
	    &n, &keys, &nk)) == 0) {
		/* What is left of the buffer down; then more from the file,
		 * or, once all of it is read, what has not been written. */
		size_t want;

		if (sp->rpos > 0)
			memmove(sp->rbuf, sp->rbuf + sp->rpos, sp->rlen - sp->rpos);
		sp->rlen -= sp->rpos;
		sp->rpos = 0;
		want = sp->rd < sp->wr ? (size_t)MIN(SPILL_BLOCK,
		    sp->wr - sp->rd) : sp->wlen;
		if (want == 0) {
			errno = EIO;
			replay_fail(r, "read (a call cut short)");
			return false;
		}
		if (sp->rlen + want > sp->rcap) {
			sp->rcap = MAX(sp->rlen + want, SPILL_BLOCK);
			sp->rbuf = g_realloc(sp->rbuf, sp->rcap);
		}
		if (sp->rd < sp->wr) {
			ssize_t got = pread(sp->fd, sp->rbuf + sp->rlen, want,
			    sp->rd);

			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0) {
				if (got == 0)
					errno = EIO;
				replay_fail(r, "read");
				return false;
			}
			sp->rlen += (size_t)got;
			sp->rd += got;
		} else {
			memcpy(sp->rbuf + sp->rlen, sp->wbuf, sp->wlen);
			sp->rlen += sp->wlen;
			sp->wlen = 0;
		}
	}
	entry_decode(rec, n, keys, nk, qc);
	sp->rpos += sz;
	sp->n--;
	return true;
}

/* Whether calls wait for their process in the spill file sp (or NULL). */
bool
spill_pending(const struct spill *sp)
{
	return sp != NULL && sp->n > 0;
}

void
spill_close(struct spill *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	g_free(sp->wbuf);
	g_free(sp->rbuf);
	g_free(sp);
}

/* Too much in memory: move the longest queue to a spill file. */
static void
spill_out(struct replay *r)
{
	GHashTableIter it;
	gpointer v;
	struct uproc *u = NULL;
	const uint8_t *rec, *keys;
	size_t n, sz;
	unsigned nk;
	bool failed = false;

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
		int fd = f != NULL ? dup(fileno(f)) : -1;

		if (f != NULL)
			fclose(f);
		if (fd < 0) {
			replay_fail(r, "create");
			return;
		}
		u->spill = g_new0(struct spill, 1);
		u->spill->fd = fd;
		u->spill->wcap = SPILL_BLOCK;
		u->spill->wbuf = g_malloc(u->spill->wcap);
		r->spills++;
	}
	/* A process's calls are its queue, then its spill, then what is
	 * read later.  Keep the first call in memory and write the rest. */
	sz = queue_front(&u->q, &rec, &n, &keys, &nk);
	{
		/* the first call goes to a queue of its own */
		struct callq rest = u->q;
		struct callq first = { NULL, NULL, 0 };

		queue_push(r, &first, rec, n, (const uint64_t *)keys, nk);
		queue_drop(r, &rest, sz);
		u->q = first;
		while (rest.head != NULL) {
			sz = queue_front(&rest, &rec, &n, &keys, &nk);
			if (failed || !spill_put(r, u->spill, rec, n,
			    (const uint64_t *)keys, nk)) {
				/* (the run stops: what could not go out
				 * stays queued) */
				failed = true;
				queue_push(r, &u->q, rec, n,
				    (const uint64_t *)keys, nk);
			} else {
				u->nq--;
				r->queued--;
			}
			queue_drop(r, &rest, sz);
		}
	}
}

/* ---- reading ahead --------------------------------------------------------- */

/* The next record of the trace: from the spool, or parsed again. */
static int
read_record(struct replay *r, const uint8_t **rec, size_t *n, GError **err)
{
	int rc;

	if (r->rd == NULL)
		return tspool_next(r->spool, rec, n, err);
	rc = trace_read(r->rd, &r->rdtc, err);
	if (rc <= 0)
		return rc;
	if (tbin_max(&r->rdtc) > r->enccap) {
		r->enccap = MAX(2 * r->enccap, tbin_max(&r->rdtc));
		r->enc = g_realloc(r->enc, r->enccap);
	}
	*n = tbin_encode(&r->rdtc, r->enc);
	*rec = r->enc;
	return 1;
}

/* Read one record and queue it on its process.  False at the end. */
bool
pump(struct replay *r)
{
	const uint8_t *rec;
	const uint64_t *keys = NULL;
	size_t n;
	unsigned nkeys = 0;
	struct tbin_head h;
	struct uproc *u;
	GError *err = NULL;
	bool forks;
	int32_t child;
	int rc;

	if (r->eof)
		return false;
	rc = read_record(r, &rec, &n, &err);
	if (rc <= 0) {
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
	if (r->track != NULL) {
		/* replay.order = resource: the resources it touches */
		if (r->peek == NULL)
			r->peek = rec_get(r);
		tbin_decode(rec, n, &r->peek->tc);
		order_read(r, r->peek);
		keys = r->peek->keys;
		nkeys = r->peek->nkeys;
	}
	/* The child a fork names: the result read only then. */
	tbin_head_fixed(rec, n, &h);
	if (is_fork(&h))
		tbin_head(rec, n, &h);
	forks = is_fork(&h) && h.ret > 0;
	child = (int32_t)h.ret;
	/* (records come in runs of one process) */
	if (r->last_u != NULL && r->last_u->pid == h.pid)
		u = r->last_u;
	else if ((u = g_hash_table_lookup(r->uprocs, GINT_TO_POINTER(h.pid))) ==
	    NULL)
		u = uproc_root(r, h.pid, h.t_ns);
	r->last_u = u;
	if (u->spill != NULL && u->spill->n > 0) {
		/* This process is behind: its calls follow its spill. */
		(void)spill_put(r, u->spill, rec, n, keys, nkeys);
	} else if (u == r->want && r->got == NULL && r->track == NULL &&
	    u->nq == 0 && r->queued < r->readahead) {
		/*
		 * The call next_call is pumping for, with nothing before it:
		 * decoded for it now rather than queued and taken off again
		 * (a third of the queue's work on a one-process trace).
		 * The counts are what queueing would have left: the peak
		 * with it queued; nothing spilled, since queueing it would
		 * not have passed the read-ahead.
		 */
		r->got = rec_get(r);
		entry_decode(rec, n, NULL, 0, r->got);
		if (r->queued + 1 > r->peak_queued)
			r->peak_queued = r->queued + 1;
	} else {
		queue_push(r, &u->q, rec, n, keys, nkeys);
		u->nq++;
		if (++r->queued > r->peak_queued)
			r->peak_queued = r->queued;
		if (r->queued > r->readahead)
			spill_out(r);
	}
	if (forks && !g_hash_table_contains(r->uprocs, GINT_TO_POINTER(child)))
		(void)uproc_new(r, child, U_AWAIT_FORK);

	/* (the record count first: one test a call, not two loads of the
	 * options and their tests) */
	if ((r->records & 0x3fff) == 0 && r->o->tick != NULL)
		r->o->tick(r->o->tick_arg, r->calls, r->pp->calls);
	if ((r->records & 0x3fff) == 0 && r->o->progress) {
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
struct qcall *
next_call(struct uproc *u)
{
	struct replay *r = u->r;
	struct qcall *qc;
	const uint8_t *rec, *keys;
	size_t n, sz;
	unsigned nk;
	bool more;

	while (u->nq == 0) {
		if (u->spill != NULL && u->spill->n > 0) {
			qc = rec_get(r);
			if (!spill_get(r, u->spill, qc)) {
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
		r->want = u;
		more = pump(r);
		r->want = NULL;
		if ((qc = r->got) != NULL) {
			r->got = NULL;
			return qc;
		}
		if (!more)
			return NULL;
	}
	qc = rec_get(r);
	sz = queue_front(&u->q, &rec, &n, &keys, &nk);
	entry_decode(rec, n, keys, nk, qc);
	queue_drop(r, &u->q, sz);
	u->nq--;
	r->queued--;
	return qc;
}

/* Hand the calls read ahead for one process, queued and spilled, to
 * another. */
void
queue_move(struct uproc *from, struct uproc *to)
{
	to->q = from->q;
	to->nq = from->nq;
	from->q.head = from->q.tail = NULL;
	from->nq = 0;
	to->spill = from->spill;
	from->spill = NULL;
}

/* What the queues keep between processes. */
void
queue_fini(struct replay *r)
{
	struct qchunk *c;

	while ((c = r->spare) != NULL) {
		r->spare = c->next;
		g_free(c);
	}
	r->nspare = 0;
	if (r->peek != NULL)
		rec_destroy(r->peek);
	r->peek = NULL;
	g_free(r->enc);
	r->enc = NULL;
	trace_call_free(&r->rdtc);
}
