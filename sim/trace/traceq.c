/*
 * traceq.c — a trace read on a thread of its own: the reading and
 * parsing of the calls (trace_read) beside whatever the caller does with
 * them (the pre-pass's bookkeeping and spooling), the calls handed over
 * in order, a block at a time.
 *
 * TRACEQ_BLOCKS blocks of TRACEQ_CALLS calls go round a ring: the
 * reading thread fills them in the trace's order, the caller hands their
 * calls over in the same order and gives each back to be filled again;
 * one mutex and one condition variable say which block is where.  A
 * call's slot keeps its string storage from one round to the next (the
 * parsers reset a call, keeping its storage: trace_call_reset), so
 * nothing is allocated a call.  Whatever ends the trace — its end, a
 * parse error, a truncated gzip, the stop flag (trace_set_stop) — comes
 * after the calls read before it, in the block that holds them: the
 * caller sees every call and error in the order of the trace, as if it
 * had called trace_read itself.
 *
 * A native trace's lines parse independently of one another (native.c,
 * trace_read_raw), and parsing is most of reading one (~550 of ~700
 * instructions a call), so the thread only reads its lines raw into a
 * block (their bytes, offsets, lengths and line numbers; comments, the
 * nominal mark, the stop flag and read errors handled as read_native
 * handles them), and a raw block is parsed by whichever thread gets to it
 * first: the caller, when the block it needs next is still raw (it would
 * otherwise wait), and the thread, once it has no empty block to fill,
 * the newest raw block no one has claimed -- last in, first out, so that
 * the two meet in the middle of the ring rather than contend for its
 * oldest block.  The pre-pass's two threads, one busy reading and
 * parsing while the other waited a quarter of the time, share the
 * parsing.  A parse error wins over whatever ended the reading later in
 * its block (the calls after it were never read, as far as the caller
 * can tell).  A generator and an strace log go as before: the thread
 * reads and parses their calls (trace_read; strace's lines do not parse
 * alone, a generator's state is its own).
 *
 * The first block is read on the caller's thread: a trace that ends
 * within it (a test's, a fuzzer's, a tiny capture) never starts a thread,
 * whose start, blocks and hand-overs would cost about as much as reading
 * it.  Beyond one block (1,024 calls: a quarter of a millisecond of the
 * native reader, a millisecond or more of strace's) the thread pays its
 * way: the pre-pass costs about the larger of reading and its own work
 * instead of their sum.
 *
 * With one processor to run on (its affinity) there is never a thread: the
 * two would only take turns, and a turn costs a sleep, a wake-up and the
 * block's calls no longer in the cache when the caller reads them
 * (`hits` on one core, taskset: about 10 % more time).  A machine whose
 * every core is busy pays the same and gains nothing; nothing here can
 * tell, but the caller can: a run of a sweep or compare whose runs
 * already fill the processors (batch.c) says it has one core
 * (traceq_open's cores), and its reading stays on its own thread.
 *
 * Memory is bounded: a block ends early once its lines' bytes (raw) or
 * its calls' strings reach TRACEQ_BYTES, a slot whose storage grew past
 * TRACEQ_KEEP (a call with a very long name) gives it back before it is
 * read into again, and a raw buffer grown past TRACEQ_RAWKEEP the same.
 * A block is 245 KB (its 1,024 calls of 216 bytes and their lines'
 * places) and a raw buffer of 260 KB (untouched pages of it never
 * resident), the eight about 4 MB; the slots' strings' storage comes on
 * top: what the calls last read into them needed, each slot's at most
 * TRACEQ_KEEP once read into again, and a block's in all about
 * TRACEQ_KEEPALL and one round's strings once it has gone round again
 * (slot_take; test_traceq_kept), some 13 MB for the eight at the worst
 * (`hits`: 13.2-13.4 MB peak RSS with these eight blocks as with the
 * four full ones before).  Eight rather
 * than four: more raw blocks for the two to meet among (the pre-pass of
 * `hits`, least of 14 runs in turn: 0.131 s with eight, 0.137 s with
 * four).
 */
#include "trace.h"
#include "kassert.h"

#include <sched.h>

#define TRACEQ_CALLS	1024
#define TRACEQ_BLOCKS	8
#define TRACEQ_BYTES	(256 * 1024)	/* a block's strings, at most about */
#define TRACEQ_KEEP	(64 * 1024)	/* a slot's storage kept for reuse */
#define TRACEQ_RAWKEEP	(2 * TRACEQ_BYTES)	/* a raw buffer kept */
#define TRACEQ_KEEPALL	(1024 * 1024)	/* a block's slots' storage kept */

/* Where a block is: with the reading thread to fill (or the caller's),
 * raw lines no one has claimed, being parsed, calls to hand over. */
enum tqstate { TQ_EMPTY, TQ_RAW, TQ_PARSING, TQ_READY };

/* A record's line in a raw block: raw[off..off+len), line lineno. */
struct tqline {
	size_t	 off, len;
	uint64_t lineno;
};

/* Calls read, and after them how the reading stopped. */
struct tqblock {
	struct trace_call tc[TRACEQ_CALLS];
	unsigned n;		/* calls read into tc */
	unsigned next;		/* the caller's: the next to hand over */
	int	 rc;		/* after the n calls: 1 more to come, 0 the
				 * end, -1 err */
	GError	*err;
	/* a native trace's lines, raw, before they are parsed into tc */
	struct tqline line[TRACEQ_CALLS];
	unsigned nraw;
	char	*raw;
	size_t	 rawcap;
	enum tqstate state;	/* under the traceq's mu */
	uint64_t seq;		/* its place in the trace: block seq */
	size_t	 kept;		/* its slots' string storage, in all */
};

struct traceq {
	struct trace_reader *r;
	bool		 alone;		/* one processor: never a thread */
	bool		 raw;		/* a native trace: the thread reads
					 * lines, either thread parses */
	GThread		*thread;	/* once the first block was full */
	GMutex		 mu;
	GCond		 cv;		/* a block changed state; stop */
	/* under mu: */
	bool		 stop;		/* traceq_close: the thread stops */
	uint64_t	 fill;		/* the next block the thread fills */
	uint64_t	 use;		/* the block the caller hands over */
	uint64_t	 last;		/* the block the trace ends in, once
					 * known (UINT64_MAX before) */
	unsigned	 parsed[2];	/* raw blocks parsed: caller, thread */
	enum traceq_who	 who;
	gint		 stopping;	/* stop, for the filling loops */
	/* block seq is blocks[seq % TRACEQ_BLOCKS]; [0] at once, the rest
	 * with the thread */
	struct tqblock	*blocks[TRACEQ_BLOCKS];
	struct tqblock	*cur;		/* the block being handed over */
	struct sc_memo	 memo[2];	/* the parsers': caller, thread */
};

/* The processors this process may run on (its affinity: a container's
 * or taskset's share, which g_get_num_processors does not heed). */
static unsigned
traceq_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return (unsigned)CPU_COUNT(&set);
	return g_get_num_processors();
}

static struct tqblock *
tqblock_new(void)
{
	struct tqblock *b = g_new(struct tqblock, 1);
	unsigned i;

	for (i = 0; i < TRACEQ_CALLS; i++)
		trace_call_init(&b->tc[i]);
	b->n = b->next = b->nraw = 0;
	b->rc = 1;
	b->err = NULL;
	b->raw = NULL;
	b->rawcap = 0;
	b->state = TQ_EMPTY;
	b->seq = 0;
	b->kept = 0;
	return b;
}

/*
 * Slot tc of b, before a call is read into it: its storage given back if
 * it grew past TRACEQ_KEEP (a call with a very long name), or if any
 * while the block's slots keep more than TRACEQ_KEEPALL in all -- else
 * slots that each once held a long call, one round after another, would
 * keep TRACEQ_KEEP apiece (64 MB a block).  What it keeps, to pass to
 * slot_kept after the read.
 */
static inline size_t
slot_take(struct tqblock *b, struct trace_call *tc)
{
	if (tc->strcap > TRACEQ_KEEP ||
	    (tc->strcap > 0 && b->kept > TRACEQ_KEEPALL)) {
		b->kept -= tc->strcap;
		trace_call_free(tc);
	}
	return tc->strcap;
}

/* After the read: what the slot grew by, counted in b->kept. */
static inline void
slot_kept(struct tqblock *b, const struct trace_call *tc, size_t before)
{
	b->kept += tc->strcap - before;
}

static void
tqblock_free(struct tqblock *b)
{
	unsigned i;

	if (b == NULL)
		return;
	for (i = 0; i < TRACEQ_CALLS; i++)
		trace_call_free(&b->tc[i]);
	if (b->err != NULL)
		g_error_free(b->err);
	g_free(b->raw);
	g_free(b);
}

/* Read calls into b until it is full, its strings reach TRACEQ_BYTES or
 * the trace ends or fails -- or the caller closes (it then waits for one
 * call at most, not a block: a trace read from a pipe may pause). */
static void
tqblock_fill(struct traceq *q, struct tqblock *b)
{
	size_t bytes = 0;
	int rc = 1;

	KASSERT(b->err == NULL, ("traceq: a block refilled with its error"));
	b->n = b->next = b->nraw = 0;
	while (b->n < TRACEQ_CALLS && bytes < TRACEQ_BYTES &&
	    !g_atomic_int_get(&q->stopping)) {
		struct trace_call *tc = &b->tc[b->n];
		size_t cap = slot_take(b, tc);

		rc = trace_read(q->r, tc, &b->err);
		slot_kept(b, tc, cap);
		if (rc != 1)
			break;
		bytes += tc->strlen_;
		b->n++;
	}
	b->rc = rc;
}

/* tqblock_fill's first half for a native trace: the records' lines, raw,
 * copied into b (lineio's line lasts only until the next), and how the
 * reading stopped after them; tqblock_parse the second half. */
static void
tqblock_read_raw(struct traceq *q, struct tqblock *b)
{
	size_t used = 0;
	int rc = 1;

	KASSERT(b->err == NULL, ("traceq: a block refilled with its error"));
	b->n = b->next = b->nraw = 0;
	if (b->rawcap > TRACEQ_RAWKEEP) {
		g_free(b->raw);
		b->raw = NULL;
		b->rawcap = 0;
	}
	while (b->nraw < TRACEQ_CALLS && used < TRACEQ_BYTES &&
	    !g_atomic_int_get(&q->stopping)) {
		struct tqline *l = &b->line[b->nraw];
		const char *line;
		size_t len;

		rc = trace_read_raw(q->r, &line, &len, &l->lineno, &b->err);
		if (rc != 1)
			break;
		if (used + len > b->rawcap) {
			b->rawcap = MAX(MAX(2 * b->rawcap, used + len),
			    TRACEQ_BYTES + 4096);
			b->raw = g_realloc(b->raw, b->rawcap);
		}
		memcpy(b->raw + used, line, len);
		l->off = used;
		l->len = len;
		used += len;
		b->nraw++;
	}
	b->rc = rc;
}

/* b's raw lines parsed into its calls on the calling thread, memo its
 * own.  A parse error ends the block after the calls before it, and
 * wins over how the reading stopped (a read error or the stop flag
 * after it): read_native would never have read past it. */
static void
tqblock_parse(struct traceq *q, struct tqblock *b, struct sc_memo *memo)
{
	unsigned i;

	for (i = 0; i < b->nraw; i++) {
		struct trace_call *tc = &b->tc[i];
		const struct tqline *l = &b->line[i];
		GError *perr = NULL;
		size_t cap = slot_take(b, tc);
		int rc = trace_parse_raw(q->r, b->raw + l->off, l->len,
		    l->lineno, tc, memo, &perr);

		slot_kept(b, tc, cap);
		if (rc < 0) {
			g_clear_error(&b->err);
			b->err = perr;
			b->rc = -1;
			break;
		}
	}
	b->n = i;
}

/* Whether the caller (by_thread false) or the thread may parse raw block
 * seq (traceq_test_who; a run: either). */
static bool
may_parse(const struct traceq *q, uint64_t seq, bool by_thread)
{
	switch (q->who) {
	case TRACEQ_EITHER:
		return true;
	case TRACEQ_CALLER:
		return !by_thread;
	case TRACEQ_THREAD:
		return by_thread;
	case TRACEQ_TURNS:
		return by_thread == (seq % 2 == 0);
	}
	return true;
}

/* Claim raw block b (under mu), parse it without the lock, and say so:
 * the caller's (by_thread false) or the thread's. */
static void
tq_parse_claimed(struct traceq *q, struct tqblock *b, bool by_thread)
{
	KASSERT(b->state == TQ_RAW, ("traceq: block %llu claimed twice",
	    (unsigned long long)b->seq));
	b->state = TQ_PARSING;
	g_mutex_unlock(&q->mu);
	tqblock_parse(q, b, &q->memo[by_thread]);
	g_mutex_lock(&q->mu);
	b->state = TQ_READY;
	q->parsed[by_thread]++;
	if (b->rc != 1 && b->seq < q->last)
		q->last = b->seq;	/* nothing after it matters */
	g_cond_broadcast(&q->cv);
}

/* The newest raw block the thread may parse, or NULL (under mu): blocks
 * use..fill-1 are the caller's or read, none after last matters. */
static struct tqblock *
tq_newest_raw(struct traceq *q)
{
	uint64_t s = q->fill <= q->last ? q->fill : q->last + 1;

	while (s > q->use) {
		struct tqblock *b = q->blocks[--s % TRACEQ_BLOCKS];

		if (b->state == TQ_RAW && may_parse(q, s, true))
			return b;
	}
	return NULL;
}

static gpointer
traceq_main(gpointer arg)
{
	struct traceq *q = arg;
	struct tqblock *b;

	g_mutex_lock(&q->mu);
	while (!q->stop) {
		if (q->fill <= q->last && q->fill < q->use + TRACEQ_BLOCKS) {
			/* an empty block: fill it, raw or parsed */
			b = q->blocks[q->fill % TRACEQ_BLOCKS];
			KASSERT(b->state == TQ_EMPTY, ("traceq: block %llu "
			    "filled while in use", (unsigned long long)q->fill));
			b->seq = q->fill;
			g_mutex_unlock(&q->mu);
			if (q->raw)
				tqblock_read_raw(q, b);
			else
				tqblock_fill(q, b);
			g_mutex_lock(&q->mu);
			b->state = q->raw ? TQ_RAW : TQ_READY;
			if (b->rc != 1 && b->seq < q->last)
				q->last = b->seq;
			q->fill++;
			g_cond_broadcast(&q->cv);
		} else if (q->raw && (b = tq_newest_raw(q)) != NULL)
			tq_parse_claimed(q, b, true);
		else if (q->fill > q->last)
			break;		/* read to the end, nothing to parse */
		else
			g_cond_wait(&q->cv, &q->mu);
	}
	g_mutex_unlock(&q->mu);
	return NULL;
}

/* The thread, for the calls after the first block. */
static void
traceq_start(struct traceq *q)
{
	int i;

	q->raw = trace_reader_raw(q->r);
	q->fill = 1;
	q->use = 0;
	q->last = UINT64_MAX;
	for (i = 1; i < TRACEQ_BLOCKS; i++)
		q->blocks[i] = tqblock_new();
	q->thread = g_thread_new("vfssim-traceq", traceq_main, q);
}

struct traceq *
traceq_open(struct trace_reader *r, unsigned cores)
{
	struct traceq *q = g_new0(struct traceq, 1);
	unsigned cpus = traceq_cpus();

	q->r = r;
	q->alone = (cores > 0 ? MIN(cores, cpus) : cpus) < 2;
	q->who = TRACEQ_EITHER;
	g_mutex_init(&q->mu);
	g_cond_init(&q->cv);
	return q;
}

void
traceq_test_who(struct traceq *q, enum traceq_who who)
{
	KASSERT(q->cur == NULL, ("traceq_test_who after the first call"));
	q->who = who;
}

size_t
traceq_kept(struct traceq *q)
{
	size_t kept = 0;
	int i;

	g_mutex_lock(&q->mu);
	for (i = 0; i < TRACEQ_BLOCKS; i++)
		if (q->blocks[i] != NULL)
			kept += q->blocks[i]->kept;
	g_mutex_unlock(&q->mu);
	return kept;
}

void
traceq_parsed(struct traceq *q, unsigned n[2])
{
	g_mutex_lock(&q->mu);
	n[0] = q->parsed[0];
	n[1] = q->parsed[1];
	g_mutex_unlock(&q->mu);
}

/* The caller's block after q->cur, which it gives back: once read, parsed
 * here if it is still raw (rather than wait for the thread), else waited
 * for. */
static struct tqblock *
traceq_advance(struct traceq *q)
{
	struct tqblock *b;

	g_mutex_lock(&q->mu);
	q->cur->state = TQ_EMPTY;
	q->use++;
	g_cond_broadcast(&q->cv);
	b = q->blocks[q->use % TRACEQ_BLOCKS];
	for (;;) {
		if (q->use < q->fill) {
			if (b->state == TQ_READY)
				break;
			if (b->state == TQ_RAW && may_parse(q, q->use, false)) {
				tq_parse_claimed(q, b, false);
				break;
			}
		}
		g_cond_wait(&q->cv, &q->mu);
	}
	g_mutex_unlock(&q->mu);
	KASSERT(b->seq == q->use, ("traceq: block %llu handed over as %llu",
	    (unsigned long long)b->seq, (unsigned long long)q->use));
	return b;
}

int
traceq_next(struct traceq *q, struct trace_call **tc, GError **err)
{
	struct tqblock *b = q->cur;

	if (b == NULL) {
		/* the first block, here */
		b = q->cur = q->blocks[0] = tqblock_new();
		tqblock_fill(q, b);
	}
	for (;;) {
		if (b->next < b->n) {
			*tc = &b->tc[b->next++];
			return 1;
		}
		if (b->rc != 1) {
			/* (again, if asked again) */
			if (b->rc < 0)
				g_propagate_error(err, g_error_copy(b->err));
			return b->rc;
		}
		if (q->alone) {
			/* read here, block after block */
			tqblock_fill(q, b);
			continue;
		}
		/* b handed over whole: the next, from the thread */
		if (q->thread == NULL)
			traceq_start(q);
		b = q->cur = traceq_advance(q);
	}
}

bool
traceq_threaded(const struct traceq *q)
{
	return q->thread != NULL;
}

void
traceq_close(struct traceq *q)
{
	int i;

	if (q == NULL)
		return;
	if (q->thread != NULL) {
		/* Wake it wherever it waits; it stops after the line it reads
		 * or the block it parses. */
		g_mutex_lock(&q->mu);
		q->stop = true;
		g_atomic_int_set(&q->stopping, 1);
		g_cond_broadcast(&q->cv);
		g_mutex_unlock(&q->mu);
		g_thread_join(q->thread);
	}
	for (i = 0; i < TRACEQ_BLOCKS; i++)
		tqblock_free(q->blocks[i]);
	g_mutex_clear(&q->mu);
	g_cond_clear(&q->cv);
	g_free(q);
}
