/*
 * replay_queue.c — the calls read ahead for each process of a run, and
 * the spill files that hold them beyond replay.readahead.
 *
 * The trace is read a second time as the processes need their calls: a
 * process that needs its next call reads ahead (pump) until one for it
 * turns up, and each record read goes to the queue of its process
 * (struct uproc) — or starts the process, or names the child a fork will
 * start.  Call records are recycled through a pool.
 */
#include "replay_private.h"
#include "engine.h"
#include "prepass.h"
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- call records ---------------------------------------------------- */

static struct qcall *
rec_get(struct replay *r)
{
	struct qcall *qc;

	if (r->pool->len > 0)
		return g_ptr_array_steal_index(r->pool, r->pool->len - 1);
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
	if (r->pool->len < 1024)
		g_ptr_array_add(r->pool, qc);
	else
		rec_destroy(qc);
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
spill_put(struct replay *r, struct spill *sp, const struct qcall *qc)
{
	unsigned i;

	g_string_truncate(sp->line, 0);
	/* A call's resources (replay.order = resource) go before it:
	 * "@K,K,...<tab>". */
	if (qc->nkeys > 0) {
		for (i = 0; i < qc->nkeys; i++)
			g_string_append_printf(sp->line, "%c%" G_GUINT64_FORMAT,
			    i == 0 ? '@' : ',', qc->keys[i]);
		g_string_append_c(sp->line, '\t');
	}
	native_format_call(sp->line, &qc->tc);
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
spill_get(struct replay *r, struct spill *sp, struct qcall *qc)
{
	GError *err = NULL;
	char *nl, *line;

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
	line = sp->buf->str + sp->bpos;
	qc->nkeys = 0;
	if (*line == '@') {
		/* the call's resources, as spill_put wrote them */
		char *p = line;

		while (*p == '@' || *p == ',') {
			uint64_t k = g_ascii_strtoull(p + 1, &p, 10);

			order_key_add(qc, k);
		}
		line = p + (*p == '\t');
	}
	if (native_parse_line(line, (size_t)(nl - line), &qc->tc, &err) != 1) {
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

		if (!spill_put(r, u->spill, qc))
			return;
		TAILQ_REMOVE(&u->q, qc, link);
		u->nq--;
		r->queued--;
		rec_put(r, qc);
		qc = next;
	}
}

/* Read one record and queue it on its process.  False at the end. */
bool
pump(struct replay *r)
{
	struct qcall *qc;
	struct trace_call *tc;
	struct uproc *u;
	GError *err = NULL;
	bool forks;
	int32_t child;
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
	order_read(r, qc);
	/* The child a fork names, taken now: once queued or spilled below,
	 * the record may already be written out and freed (rec_put). */
	forks = is_fork(tc) && tc->ret > 0;
	child = (int32_t)tc->ret;
	u = g_hash_table_lookup(r->uprocs, GINT_TO_POINTER(tc->pid));
	if (u == NULL)
		u = uproc_root(r, tc->pid, tc->t_ns);
	if (u->spill != NULL && u->spill->n > 0) {
		/* This process is behind: its calls follow its spill. */
		(void)spill_put(r, u->spill, qc);
		rec_put(r, qc);
	} else {
		TAILQ_INSERT_TAIL(&u->q, qc, link);
		u->nq++;
		if (++r->queued > r->peak_queued)
			r->peak_queued = r->queued;
		if (r->queued > r->readahead)
			spill_out(r);
	}
	if (forks && !g_hash_table_contains(r->uprocs, GINT_TO_POINTER(child)))
		(void)uproc_new(r, child, U_AWAIT_FORK);

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
struct qcall *
next_call(struct uproc *u)
{
	struct replay *r = u->r;
	struct qcall *qc;

	while ((qc = TAILQ_FIRST(&u->q)) == NULL) {
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
		if (!pump(r))
			return NULL;
	}
	TAILQ_REMOVE(&u->q, qc, link);
	u->nq--;
	r->queued--;
	return qc;
}

/* Hand the calls read ahead for one process, queued and spilled, to
 * another. */
void
queue_move(struct uproc *from, struct uproc *to)
{
	struct qcall *qc;

	while ((qc = TAILQ_FIRST(&from->q)) != NULL) {
		TAILQ_REMOVE(&from->q, qc, link);
		TAILQ_INSERT_TAIL(&to->q, qc, link);
		to->nq++;
	}
	from->nq = 0;
	to->spill = from->spill;
	from->spill = NULL;
}
