/*
 * traceq.c — a trace read on a thread of its own: the reading and
 * parsing of the calls (trace_read) beside whatever the caller does with
 * them (the pre-pass's bookkeeping and spooling), the calls handed over
 * in order, a block at a time.
 *
 * The model is lineio's inflating thread (lineio.c): TRACEQ_BLOCKS blocks
 * of TRACEQ_CALLS calls go round through two GAsyncQueues, empty ones to
 * the reading thread, full ones back to the caller in order.  A call's
 * slot keeps its string storage from one round to the next (the parsers
 * reset a call, keeping its storage: trace_call_reset), so nothing is
 * allocated a call.  Whatever ends the trace — its end, a parse error, a
 * truncated gzip, the stop flag (trace_set_stop) — comes after the calls
 * read before it, in the block that holds them: the caller sees every
 * call and error in the order of the trace, as if it had called
 * trace_read itself.  A generator (trace_source_open) goes the same way:
 * making a call costs it about what parsing one costs a reader (seq:
 * ~1,640 instructions a call), and its state is its own.
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
 * Memory is bounded: a block ends early once its calls' strings reach
 * TRACEQ_BYTES, and a slot whose storage grew past TRACEQ_KEEP (a call
 * with a very long name) gives it back before it is read into again, so
 * the blocks hold at most about TRACEQ_BLOCKS x (TRACEQ_BYTES + one
 * longest line) whatever the trace.
 */
#include "trace.h"
#include "kassert.h"

#include <sched.h>

#define TRACEQ_CALLS	1024
#define TRACEQ_BLOCKS	4
#define TRACEQ_BYTES	(256 * 1024)	/* a block's strings, at most about */
#define TRACEQ_KEEP	(64 * 1024)	/* a slot's storage kept for reuse */

/* Calls read, and after them how the reading stopped. */
struct tqblock {
	struct trace_call tc[TRACEQ_CALLS];
	unsigned n;		/* calls read into tc */
	unsigned next;		/* the caller's: the next to hand over */
	int	 rc;		/* after the n calls: 1 more to come, 0 the
				 * end, -1 err */
	GError	*err;
};

struct traceq {
	struct trace_reader *r;
	bool		 alone;		/* one processor: never a thread */
	GThread		*thread;	/* once the first block was full */
	GAsyncQueue	*empty, *full;
	gint		 stop;		/* traceq_close: the thread stops */
	struct tqblock	*blocks[TRACEQ_BLOCKS];	/* [0] at once, the rest
						 * with the thread */
	struct tqblock	*cur;		/* the block being handed over */
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
	b->n = b->next = 0;
	b->rc = 1;
	b->err = NULL;
	return b;
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
	b->n = b->next = 0;
	while (b->n < TRACEQ_CALLS && bytes < TRACEQ_BYTES &&
	    !g_atomic_int_get(&q->stop)) {
		struct trace_call *tc = &b->tc[b->n];

		if (tc->strcap > TRACEQ_KEEP)
			trace_call_free(tc);
		rc = trace_read(q->r, tc, &b->err);
		if (rc != 1)
			break;
		bytes += tc->strlen_;
		b->n++;
	}
	b->rc = rc;
}

static gpointer
traceq_main(gpointer arg)
{
	struct traceq *q = arg;

	for (;;) {
		struct tqblock *b = g_async_queue_pop(q->empty);

		if (g_atomic_int_get(&q->stop))
			return NULL;
		tqblock_fill(q, b);
		g_async_queue_push(q->full, b);
		if (b->rc != 1)
			return NULL;
	}
}

/* The thread, for the calls after the first block. */
static void
traceq_start(struct traceq *q)
{
	int i;

	q->empty = g_async_queue_new();
	q->full = g_async_queue_new();
	for (i = 1; i < TRACEQ_BLOCKS; i++) {
		q->blocks[i] = tqblock_new();
		g_async_queue_push(q->empty, q->blocks[i]);
	}
	q->thread = g_thread_new("vfssim-traceq", traceq_main, q);
}

struct traceq *
traceq_open(struct trace_reader *r, unsigned cores)
{
	struct traceq *q = g_new0(struct traceq, 1);
	unsigned cpus = traceq_cpus();

	q->r = r;
	q->alone = (cores > 0 ? MIN(cores, cpus) : cpus) < 2;
	return q;
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
		g_async_queue_push(q->empty, b);
		b = q->cur = g_async_queue_pop(q->full);
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
	struct tqblock *b;
	int i;

	if (q == NULL)
		return;
	if (q->thread != NULL) {
		/* Wake it wherever it waits, as gunzip_stop does: every block
		 * it filled goes back empty, and it stops at the next it
		 * takes (or once it has pushed the trace's end). */
		g_atomic_int_set(&q->stop, 1);
		if (q->cur != NULL && q->cur->rc == 1)
			g_async_queue_push(q->empty, q->cur);
		while ((b = g_async_queue_try_pop(q->full)) != NULL)
			g_async_queue_push(q->empty, b);
		g_thread_join(q->thread);
		g_async_queue_unref(q->empty);
		g_async_queue_unref(q->full);
	}
	for (i = 0; i < TRACEQ_BLOCKS; i++)
		tqblock_free(q->blocks[i]);
	g_free(q);
}
