/*
 * metrics_writer.c — the recorder's writer thread: the batches of rows a
 * run hands over (metrics.c, "How rows get to SQLite" in
 * metrics_private.h), bound and inserted MULTI to a statement, each
 * table's rows in order, in transactions of BATCH rows.  One thread a
 * run, or one shared by a compare's or sweep's runs, each batch written
 * as its owner's run.
 */
#include "metrics_private.h"

#include <string.h>

/* ---- binding rows --------------------------------------------------------- */

/*
 * What a parameter of a bulk statement (MULTI rows of syscalls or disk_io)
 * holds.  SQLite keeps a statement's bindings across sqlite3_reset, and
 * most of a row's values are those of the row the same slot held last time
 * (the run, the pid, the descriptor, the size, zero waits, NULLs), so a
 * value already there is not bound again: binding was a third of the
 * writer's instructions (sqlite3_bind_int64, ~80 instructions each, 13 a
 * row).  A string from the batch is copied into the slot's own buffer and
 * bound from there, so the next row's equal string (the same call, the
 * same file) need not be bound again: the batch's bytes are reused by the
 * next batch, the slot's stay until it is bound again.
 */
static inline void
bind_int(sqlite3_stmt *s, struct bound *b, int i, int64_t v)
{
	if (b != NULL) {
		struct bound *p = &b[i - 1];

		if (p->kind == BK_INT && p->v == v)
			return;
		p->kind = BK_INT;
		p->v = v;
	}
	sqlite3_bind_int64(s, i, v);
}

static inline void
bind_null(sqlite3_stmt *s, struct bound *b, int i)
{
	if (b != NULL) {
		if (b[i - 1].kind == BK_NULL)
			return;
		b[i - 1].kind = BK_NULL;
	}
	sqlite3_bind_null(s, i);
}

/* t: the batch's copy.  Without b, bound as it is (SQLITE_STATIC: it
 * lives in the batch until the batch has been written); with b, from the
 * slot's copy, unless that holds the same text already. */
static inline void
bind_str(sqlite3_stmt *s, struct bound *b, int i, const char *t)
{
	struct bound *p;
	size_t n;

	if (t == NULL) {
		bind_null(s, b, i);
		return;
	}
	if (b == NULL) {
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
		return;
	}
	p = &b[i - 1];
	if (p->kind == BK_TEXT && strcmp(p->buf, t) == 0)
		return;
	n = strlen(t);
	if (n + 1 > p->cap) {
		/* SQLite still points at the old buffer: bound again below,
		 * before the statement runs */
		p->cap = MAX(n + 1, 32);
		p->buf = g_realloc(p->buf, p->cap);
	}
	memcpy(p->buf, t, n + 1);
	p->kind = BK_TEXT;
	sqlite3_bind_text(s, i, p->buf, (int)n, SQLITE_STATIC);
}

/* lit: a string in static storage (a literal, strerrorname_np's): the
 * same pointer is the same text. */
static inline void
bind_lit(sqlite3_stmt *s, struct bound *b, int i, const char *lit)
{
	if (lit == NULL) {
		bind_null(s, b, i);
		return;
	}
	if (b != NULL) {
		struct bound *p = &b[i - 1];

		if (p->kind == BK_STATIC && p->lit == lit)
			return;
		p->kind = BK_STATIC;
		p->lit = lit;
	}
	sqlite3_bind_text(s, i, lit, -1, SQLITE_STATIC);
}

/* A count or id that is absent when negative. */
static inline void
bind_i64_or_null(sqlite3_stmt *s, struct bound *b, int i, int64_t v)
{
	if (v >= 0)
		bind_int(s, b, i, v);
	else
		bind_null(s, b, i);
}

/* initial_fs.type as a string in static storage (bind_lit: the same
 * pointer is the same text, so a run of files is bound once); a type
 * the schema's CHECK does not take is still bound, to fail the insert as
 * it always has. */
static const char *
init_type(char type)
{
	static const char types[] = "fdl-";
	static const char *const lit[] = { "f", "d", "l", "-" };
	const char *p = type != '\0' ? strchr(types, type) : NULL;

	return p != NULL ? lit[p - types] : "?";
}

/* Bind row q's values from column i + 1 of s; b: what s's parameters hold
 * (a bulk statement), or NULL. */
static void
bind_row(struct metrics *m, sqlite3_stmt *s, struct bound *b, int i,
    const struct qrow *q)
{
	switch (q->st) {
	case ST_SYSCALL: {
		const struct syscall_row *r = &q->u.sc;

		bind_int(s, b, i + 1, m->run);
		bind_int(s, b, i + 2, q->seq);
		bind_int(s, b, i + 3, r->pid);
		bind_str(s, b, i + 4, r->call);
		bind_lit(s, b, i + 5, r->passthrough ? "pass" : "sim");
		bind_str(s, b, i + 6, r->path);
		bind_i64_or_null(s, b, i + 7, r->fd);
		bind_i64_or_null(s, b, i + 8, r->offset);
		bind_i64_or_null(s, b, i + 9, r->bytes);
		bind_int(s, b, i + 10, r->start_ns);
		bind_int(s, b, i + 11, r->end_ns);
		bind_int(s, b, i + 12, r->result);
		bind_lit(s, b, i + 13, r->err != 0 ? strerrorname_np(r->err) :
		    NULL);
		bind_int(s, b, i + 14, r->wait_ns);
		bind_str(s, b, i + 15, r->wmesg);
		bind_int(s, b, i + 16, r->suspend_ns);
		bind_int(s, b, i + 17, r->cow_ns);
		break;
	}
	case ST_DISK: {
		const struct disk_io_row *r = &q->u.io;

		bind_int(s, b, i + 1, m->run);
		bind_int(s, b, i + 2, q->seq);
		bind_int(s, b, i + 3, r->submit_ns);
		bind_int(s, b, i + 4, r->start_ns);
		bind_int(s, b, i + 5, r->end_ns);
		bind_int(s, b, i + 6, r->sector);
		bind_int(s, b, i + 7, r->sectors);
		bind_int(s, b, i + 8, r->write);
		bind_int(s, b, i + 9, r->start_ns - r->submit_ns);
		bind_int(s, b, i + 10, r->seek_ns);
		bind_int(s, b, i + 11, r->rot_ns);
		bind_int(s, b, i + 12, r->xfer_ns);
		bind_int(s, b, i + 13, r->bufs);
		bind_int(s, b, i + 14, r->overhead_ns);
		bind_int(s, b, i + 15, r->cache_hit);
		bind_int(s, b, i + 16, r->cylinder);
		bind_i64_or_null(s, b, i + 17, r->ino);
		if (r->what != NULL)
			bind_int(s, b, i + 18, r->lblkno);
		else
			bind_null(s, b, i + 18);
		bind_str(s, b, i + 19, r->what);
		bind_str(s, b, i + 20, r->path);
		bind_str(s, b, i + 21, r->issuer);
		bind_i64_or_null(s, b, i + 22, r->pid);
		bind_str(s, b, i + 23, r->cause);
		bind_int(s, b, i + 24, r->drain_ns);
		bind_int(s, b, i + 25, r->cachefull_ns);
		bind_int(s, b, i + 26, r->readahead_ns);
		bind_int(s, b, i + 27, r->ctlr_ns);
		bind_int(s, b, i + 28, r->bus_ns);
		bind_int(s, b, i + 29, r->mediawait_ns);
		bind_int(s, b, i + 30, r->roomwait_ns);
		break;
	}
	case ST_SAMPLE: {
		const struct sample_row *r = &q->u.sa;

		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_int64(s, i + 2, q->seq);
		sqlite3_bind_int64(s, i + 3, r->t_ns);
		sqlite3_bind_int(s, i + 4, r->dirty_bufs);
		sqlite3_bind_int(s, i + 5, r->clean_bufs);
		sqlite3_bind_int(s, i + 6, r->empty_bufs);
		sqlite3_bind_int(s, i + 7, r->busy_bufs);
		sqlite3_bind_int(s, i + 8, r->free_bufs);
		sqlite3_bind_int64(s, i + 9, r->bufspace);
		sqlite3_bind_int64(s, i + 10, r->running_bytes);
		sqlite3_bind_int(s, i + 11, r->cached_pages);
		sqlite3_bind_int(s, i + 12, r->free_pages);
		sqlite3_bind_int(s, i + 13, r->wired_pages);
		sqlite3_bind_int(s, i + 14, r->disk_qlen);
		sqlite3_bind_int(s, i + 15, r->procs);
		sqlite3_bind_int64(s, i + 16, (int64_t)r->calls_done);
		sqlite3_bind_int64(s, i + 17, r->at_risk_bytes);
		sqlite3_bind_int64(s, i + 18, r->at_risk_age_ns);
		break;
	}
	case ST_WAIT:
		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_int64(s, i + 2, q->u.wait.t_ns);
		sqlite3_bind_text(s, i + 3, q->u.wait.wmesg, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, i + 4, q->u.wait.procs);
		break;
	case ST_SUMMARY:
		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_text(s, i + 2, q->u.sum.metric, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, i + 3, q->u.sum.value);
		break;
	case ST_HIST:
		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_text(s, i + 2, q->u.hist.call, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, i + 3, q->u.hist.lo);
		sqlite3_bind_int64(s, i + 4, q->u.hist.hi);
		sqlite3_bind_int64(s, i + 5, q->u.hist.count);
		break;
	case ST_SPLIT:
		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_text(s, i + 2, q->u.split.call, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, i + 3, q->u.split.part, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, i + 4, q->u.split.ns);
		break;
	case ST_MRC:
		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_int64(s, i + 2, q->u.mrc.buffers);
		sqlite3_bind_double(s, i + 3, q->u.mrc.ratio);
		break;
	case ST_CRASH:
		sqlite3_bind_int64(s, i + 1, m->run);
		sqlite3_bind_int64(s, i + 2, q->u.crash.t_ns);
		sqlite3_bind_text(s, i + 3, q->u.crash.metric, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, i + 4, q->u.crash.value);
		break;
	case ST_INITIAL:
		bind_int(s, b, i + 1, m->run);
		bind_int(s, b, i + 2, q->seq);
		bind_str(s, b, i + 3, q->u.init.path);
		bind_lit(s, b, i + 4, init_type(q->u.init.type));
		bind_int(s, b, i + 5, q->u.init.size);
		bind_str(s, b, i + 6, q->u.init.evidence);
		if (q->u.init.line > 0)
			bind_int(s, b, i + 7, (int64_t)q->u.init.line);
		else
			bind_null(s, b, i + 7);
		bind_str(s, b, i + 8, q->u.init.note);
		break;
	}
}

static void
step(struct metrics *m, sqlite3_stmt *s, int st)
{
	/* after a failure (a full disk) nothing more is written: the run
	 * will be failed */
	if (m->error == NULL && sqlite3_step(s) != SQLITE_DONE)
		metrics_note_error(m, metrics_table_of[st]);
	sqlite3_reset(s);
}

/* Write one batch: the per-call and per-request rows and the starting
 * files MULTI at a time, then everything else, each table's rows in
 * order. */
static void
write_batch(struct metrics *m, struct qbatch *b)
{
	static const int bulk[] = { ST_SYSCALL, ST_DISK, ST_INITIAL };
	const struct qrow *rows[MULTI];
	unsigned i, j, n;

	for (j = 0; j < G_N_ELEMENTS(bulk); j++) {
		int st = bulk[j];

		n = 0;
		for (i = 0; i < b->n; i++) {
			if (b->rows[i].st != st)
				continue;
			rows[n++] = &b->rows[i];
			if (n == MULTI) {
				sqlite3_stmt *s = metrics_stmt_multi(m, st);
				unsigned k;

				if (s == NULL)
					return;
				for (k = 0; k < MULTI; k++)
					bind_row(m, s, m->bound[st],
					    k * metrics_stmt_cols[st], rows[k]);
				step(m, s, st);
				n = 0;
			}
		}
		for (i = 0; i < n; i++) {
			sqlite3_stmt *s = metrics_stmt_one(m, st);

			if (s == NULL)
				return;
			bind_row(m, s, NULL, 0, rows[i]);
			step(m, s, st);
		}
	}
	for (i = 0; i < b->n; i++) {
		int st = b->rows[i].st;
		sqlite3_stmt *s;

		if (st == ST_SYSCALL || st == ST_DISK || st == ST_INITIAL)
			continue;
		if ((s = metrics_stmt_one(m, st)) == NULL)
			return;
		bind_row(m, s, NULL, 0, &b->rows[i]);
		step(m, s, st);
	}
	m->pending += b->n;
	if (m->pending >= BATCH) {
		metrics_txn_commit(m);
		metrics_txn_begin(m);
	}
	b->n = 0;
	b->slen = 0;
}

/* Write b as its owner's rows (unless the run, or the writer, has failed)
 * and give it back to its owner; the caller has the connection. */
static void
write_owned(struct metrics *m, struct qbatch *b)
{
	struct metrics *o = b->owner;

	if (!g_atomic_int_get(&m->discard) && !g_atomic_int_get(&o->discard)) {
		m->run = o->run;
		write_batch(m, b);
	}
	b->n = 0;
	b->slen = 0;
	g_async_queue_push(o->spare, b);
	o->written++;
}

static gpointer
writer_main(gpointer arg)
{
	struct metrics *m = arg;
	struct qbatch *b;

	while ((b = g_async_queue_pop(m->todo)) != (void *)&m->stop) {
		/* A shared writer's batches are of several runs: each is
		 * written as its run's, and given back to that run. */
		g_mutex_lock(&m->conn);
		write_owned(m, b);
		g_cond_broadcast(&m->drained);
		g_mutex_unlock(&m->conn);
	}
	return NULL;
}

/*
 * The writer of a run of its own (lazy) starts with the run's first full
 * batch: a run whose rows all fit in one (a drive's trace under
 * --no-events: its summary) has them written by its own thread when it
 * ends, and no thread is made -- a thread's making, its stack mapped and
 * unmapped, and the waits to hand it the batch and join it had been
 * ~0.4 ms of such a run's 5.7 of CPU (vfssim disk of one request into a
 * new file).
 * A shared writer's thread takes several runs' batches: started now.
 */
void
metrics_writer_start(struct metrics *m, bool lazy)
{
	if (m->todo == NULL) {
		m->todo = g_async_queue_new();
		m->spare = g_async_queue_new();
	}
	m->lazy = lazy;
	if (!lazy)
		m->writer = g_thread_new("vfssim-db", writer_main, m);
}

/* Hand the batch being filled to the writer (started now if it is a lazy
 * one yet to start). */
void
metrics_hand_off(struct metrics *m)
{
	if (m->cur != NULL && m->cur->n > 0) {
		if (m->lazy) {
			m->lazy = false;
			m->writer = g_thread_new("vfssim-db", writer_main, m);
		}
		m->handed++;
		g_async_queue_push(m->todo, m->cur);
		m->cur = NULL;
	}
}

/* Everything handed off written, and the writer gone: the connection is
 * the caller's again.  A lazy writer never started: the batch being
 * filled is written here. */
void
metrics_writer_stop(struct metrics *m)
{
	if (m->lazy) {
		m->lazy = false;
		if (m->cur != NULL && m->cur->n > 0) {
			write_owned(m, m->cur);
			m->cur = NULL;
		}
	} else if (m->writer != NULL) {
		metrics_hand_off(m);
		g_async_queue_push(m->todo, &m->stop);
		g_thread_join(m->writer);
		m->writer = NULL;
	} else
		return;		/* a shared writer's run: its batches are
				 * the writer's to write (drain) */
	if (m->cur != NULL) {
		g_async_queue_push(m->spare, m->cur);
		m->cur = NULL;
	}
}
