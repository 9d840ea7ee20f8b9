/*
 * engine.c — clock, event queue, coroutine processes, tsleep/wakeup.
 *
 * Events live in a binary min-heap ordered by (time, sequence number); the
 * sequence number is the order of insertion, so simultaneous events run in
 * the order they were scheduled and every run is deterministic.  A model
 * that steps a timer through long runs (the drive, sector by sector) may
 * take the sequence number when it schedules and queue the event only if
 * something else comes first (sim_ticket, sim_callout_advance): the order
 * is the same, the heap work is saved.  Timeouts of daemons woken before
 * them are dropped from the heap once they are half of it (ev_compact).
 *
 * Each simulated process runs on its own mmap'd stack with a guard page
 * below it.  A process is started once with makecontext/setcontext; every
 * later switch is an _setjmp/_longjmp pair, which saves and restores only
 * the callee-saved registers and makes no system call (sigprocmask is what
 * makes swapcontext slow).  Under AddressSanitizer each switch is announced
 * with __sanitizer_start_switch_fiber/__sanitizer_finish_switch_fiber so that
 * ASan tracks which stack is live.
 *
 * Sleep queues follow the kernel's: a sleeping process is queued on the
 * address it sleeps on ("wait channel"); wakeup() makes every process on that
 * channel runnable, in the order they went to sleep, by scheduling a resume
 * event at the current time.  The waker keeps running — the kernel of the
 * era was not preemptive.
 */
#undef _FORTIFY_SOURCE		/* __longjmp_chk refuses to jump between stacks */
#include "engine.h"
#include "kassert.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <ucontext.h>
#include <unistd.h>

#include <glib.h>

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif

#ifdef SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#define STACK_SIZE	(1024 * 1024)
#else
#define STACK_SIZE	(256 * 1024)
#endif
#define STACK_POOL_MAX	64	/* stacks kept for reuse after processes exit */

enum pstate { P_NEW, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_DEAD };

struct slpque;

struct sim_proc {
	jmp_buf		 jb;		/* where the process was switched out */
	ucontext_t	 uc;		/* only for the first start */
	struct sim	*sim;
	sim_proc_fn	*fn;
	void		*arg;
	char		*stack;		/* usable stack (above the guard page) */
	enum pstate	 state;
	unsigned	 flags;
	uint64_t	 gen;		/* bumped whenever the process is resumed;
					   events carrying an older value are stale */
	const void	*wchan;
	const char	*wmesg;
	int		 slpret;	/* 0 or EWOULDBLOCK */
	struct slpque	*sq;
	TAILQ_ENTRY(sim_proc) sqlink;	/* on its sleep queue */
	TAILQ_ENTRY(sim_proc) alllink;	/* on sim->sleepers */
	TAILQ_ENTRY(sim_proc) plink;	/* on sim->procs */
	bool		 started;
	bool		 timed;		/* asleep with a live timeout queued */
	unsigned	 pending;	/* events in the queue that name it: a
					   finished process is freed only when
					   none is left (a tsleep timeout
					   outlives an early wakeup) */
	void		*fake_stack;	/* ASan bookkeeping */
	char		 name[32];
	/* sleep time by wait message since the last reset */
	struct {
		const char	*wmesg;
		sim_time_t	 ns;
	}		 waits[8];
	int		 nwaits;
};

TAILQ_HEAD(procq, sim_proc);

struct slpque {
	const void	*chan;
	struct procq	 procs;
};

enum evkind { EV_CALLOUT, EV_RESUME, EV_TIMEOUT };

struct event {
	sim_time_t	 when;
	uint64_t	 seq;
	void		*arg;		/* callout argument or the process */
	sim_callout_fn	*fn;
	uint64_t	 gen;		/* for EV_RESUME / EV_TIMEOUT */
	enum evkind	 kind;
};

struct sim {
	sim_time_t	 now;
	uint64_t	 seq;
	uint64_t	 nevents;
	struct event	*heap;
	size_t		 nheap, heapcap;
	size_t		 nstale;	/* daemons' timeouts in it, woken before */
	sim_time_t	 stale_when;	/* the latest such timeout dropped */

	jmp_buf		 sched_jb;
	struct sim_proc	*cur;
	struct sim_proc	*reap;		/* finished process whose stack to free */
	void		*sched_fake_stack;
	const void	*main_bottom;
	size_t		 main_size;

	GHashTable	*slpq;		/* chan -> struct slpque */
	GPtrArray	*sqfree;	/* spare struct slpque */
	struct procq	 sleepers;	/* every sleeping process, in order */
	struct procq	 procs;		/* every process not yet reaped */
	struct procq	 zombies;	/* finished, stale events still queued */
	GPtrArray	*stackpool;

	unsigned	 nuser;		/* live user (non-daemon) processes */
	bool		 stop;
	bool		 running;
	volatile sig_atomic_t *intr;	/* set by a signal: stop (sim_set_interrupt);
					   never NULL: &nointr when no flag is
					   set, so a check is one load, not two
					   tests */
	volatile sig_atomic_t nointr;	/* (always 0) */
	void		(*deadlock_fn)(struct sim *, void *);
	void		*deadlock_arg;
	void		(*event_fn)(struct sim *, void *);
	void		*event_arg;
};

/* A signal asked the run to stop (sim_set_interrupt): stop as sim_stop
 * would.  One load an event. */
static inline bool
interrupted(struct sim *s)
{
	if (*s->intr)
		s->stop = true;
	return s->stop;
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vfssim: panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- fiber switches -------------------------------------------------- */

static inline void
asan_start(void **fake, const void *bottom, size_t size)
{
#ifdef SIM_ASAN
	__sanitizer_start_switch_fiber(fake, bottom, size);
#else
	(void)fake; (void)bottom; (void)size;
#endif
}

static inline void
asan_finish(void *fake, const void **bottom, size_t *size)
{
#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(fake, bottom, size);
#else
	(void)fake; (void)bottom; (void)size;
#endif
}

static char *
stack_alloc(struct sim *s)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *base;

	if (s->stackpool->len > 0)
		return g_ptr_array_steal_index(s->stackpool, s->stackpool->len - 1);
	base = mmap(NULL, STACK_SIZE + pg, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		panic("cannot map a process stack: %s", strerror(errno));
	/* Guard page below the stack: an overflow faults instead of
	 * silently corrupting whatever lies beneath. */
	if (mprotect(base, pg, PROT_NONE) != 0)
		panic("mprotect: %s", strerror(errno));
	return base + pg;
}

static void
stack_unmap(char *stack)
{
	long pg = sysconf(_SC_PAGESIZE);

	munmap(stack - pg, STACK_SIZE + pg);
}

static void
stack_free(struct sim *s, char *stack)
{
	if (s->stackpool->len < STACK_POOL_MAX)
		g_ptr_array_add(s->stackpool, stack);
	else
		stack_unmap(stack);
}

static void
proc_trampoline(unsigned int hi, unsigned int lo)
{
	struct sim_proc *p = (struct sim_proc *)(((uintptr_t)hi << 32) | lo);
	struct sim *s = p->sim;

	asan_finish(NULL, &s->main_bottom, &s->main_size);
	p->fn(p->arg);

	/* The process is finished: go back to the scheduler for good.  Its
	 * stack is freed by the scheduler, which no longer runs on it. */
	p->state = P_DEAD;
	if (!(p->flags & SIMP_DAEMON))
		s->nuser--;
	s->reap = p;
	asan_start(NULL, s->main_bottom, s->main_size);
	_longjmp(s->sched_jb, 1);
}

/* Scheduler -> process. */
static void
switch_to(struct sim *s, struct sim_proc *p)
{
	KASSERT(s->cur == NULL, ("switch_to from a process"));
	s->cur = p;
	p->state = P_RUNNING;
	p->gen++;
	if (_setjmp(s->sched_jb) == 0) {
		asan_start(&s->sched_fake_stack, p->stack, STACK_SIZE);
		if (!p->started) {
			p->started = true;
			setcontext(&p->uc);
			panic("setcontext failed");
		}
		_longjmp(p->jb, 1);
	}
	asan_finish(s->sched_fake_stack, NULL, NULL);
	s->cur = NULL;
	if (s->reap != NULL) {
		struct sim_proc *dead = s->reap;

		s->reap = NULL;
		TAILQ_REMOVE(&s->procs, dead, plink);
		stack_free(s, dead->stack);
		dead->stack = NULL;
		if (dead->pending > 0)
			TAILQ_INSERT_TAIL(&s->zombies, dead, plink);
		else
			g_free(dead);
	}
}

/* Process -> scheduler; returns when the process is resumed. */
static void
switch_out(struct sim *s)
{
	struct sim_proc *p = s->cur;

	if (_setjmp(p->jb) == 0) {
		asan_start(&p->fake_stack, s->main_bottom, s->main_size);
		_longjmp(s->sched_jb, 1);
	}
	asan_finish(p->fake_stack, &s->main_bottom, &s->main_size);
}

/* ---- the event heap -------------------------------------------------- */

static inline bool
ev_before(const struct event *a, const struct event *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void
ev_siftdown(struct sim *s, size_t i, struct event ev)
{
	size_t n = s->nheap;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && ev_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_before(&s->heap[c], &ev))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	s->heap[i] = ev;
}

static bool
ev_stale_timeout(const struct event *ev)
{
	const struct sim_proc *p = ev->arg;

	return ev->kind == EV_TIMEOUT && (p->flags & SIMP_DAEMON) &&
	    p->gen != ev->gen;
}

static void
proc_unpend(struct sim *s, struct sim_proc *p)
{
	if (--p->pending == 0 && p->state == P_DEAD && p->stack == NULL) {
		TAILQ_REMOVE(&s->zombies, p, plink);
		g_free(p);
	}
}

/*
 * Drop the timeouts of daemons woken before them.  A daemon that sleeps
 * with a timeout and is woken early again and again (the pagedaemon)
 * would otherwise fill the queue with events that do nothing when they
 * come, and make every push and pop slower.  Dropping them changes no
 * outcome: they would have run nothing, and events are ordered by (time,
 * sequence), which does not depend on where they sit in the heap.  Only
 * daemons': a user process's pending count says whether it sleeps with a
 * timeout (sim_proc_timed), stale ones included, and the watchdog reads it.
 */
static void
ev_compact(struct sim *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nheap; i++) {
		if (ev_stale_timeout(&s->heap[i])) {
			s->stale_when = MAX(s->stale_when, s->heap[i].when);
			proc_unpend(s, s->heap[i].arg);
		} else
			s->heap[n++] = s->heap[i];
	}
	KASSERT(s->nheap - n == s->nstale, ("engine: %zu stale timeouts "
	    "counted, %zu found", s->nstale, s->nheap - n));
	s->nheap = n;
	s->nstale = 0;
	for (i = n / 2; i-- > 0;)
		ev_siftdown(s, i, s->heap[i]);
}

static void
ev_insert(struct sim *s, sim_time_t when, uint64_t seq, enum evkind kind,
    sim_callout_fn *fn, void *arg, uint64_t gen)
{
	struct event ev;
	size_t i;

	KASSERT(when >= s->now, ("event scheduled in the past: %lld < %lld",
	    (long long)when, (long long)s->now));
	if (s->nstale >= 64 && s->nstale >= s->nheap / 2)
		ev_compact(s);
	if (s->nheap == s->heapcap) {
		s->heapcap = s->heapcap ? s->heapcap * 2 : 256;
		s->heap = g_renew(struct event, s->heap, s->heapcap);
	}
	ev.when = when;
	ev.seq = seq;
	ev.kind = kind;
	ev.fn = fn;
	ev.arg = arg;
	ev.gen = gen;
	if (kind != EV_CALLOUT)
		((struct sim_proc *)arg)->pending++;
	i = s->nheap++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!ev_before(&ev, &s->heap[parent]))
			break;
		s->heap[i] = s->heap[parent];
		i = parent;
	}
	s->heap[i] = ev;
}

static void
ev_push(struct sim *s, sim_time_t when, enum evkind kind, sim_callout_fn *fn,
    void *arg, uint64_t gen)
{
	ev_insert(s, when, s->seq++, kind, fn, arg, gen);
}

static struct event
ev_pop(struct sim *s)
{
	struct event top = s->heap[0];

	if (--s->nheap > 0)
		ev_siftdown(s, 0, s->heap[s->nheap]);
	return top;
}

/* ---- public interface ------------------------------------------------ */

struct sim *
sim_create(void)
{
	struct sim *s = g_new0(struct sim, 1);

	s->intr = &s->nointr;
	s->slpq = g_hash_table_new(g_direct_hash, g_direct_equal);
	s->sqfree = g_ptr_array_new_with_free_func(g_free);
	s->stackpool = g_ptr_array_new();
	TAILQ_INIT(&s->sleepers);
	TAILQ_INIT(&s->procs);
	TAILQ_INIT(&s->zombies);
	return s;
}

void
sim_destroy(struct sim *s)
{
	GHashTableIter it;
	gpointer v;
	struct sim_proc *p;
	size_t i;

	if (s == NULL)
		return;
	/* Processes left asleep or runnable by a stopped run are dropped:
	 * their stacks hold nothing that needs unwinding. */
	while ((p = TAILQ_FIRST(&s->procs)) != NULL) {
		TAILQ_REMOVE(&s->procs, p, plink);
		stack_unmap(p->stack);
		g_free(p);
	}
	while ((p = TAILQ_FIRST(&s->zombies)) != NULL) {
		TAILQ_REMOVE(&s->zombies, p, plink);
		g_free(p);
	}
	g_hash_table_iter_init(&it, s->slpq);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_free(v);
	g_hash_table_destroy(s->slpq);
	g_free(s->heap);
	g_ptr_array_free(s->sqfree, TRUE);
	for (i = 0; i < s->stackpool->len; i++)
		stack_unmap(g_ptr_array_index(s->stackpool, i));
	g_ptr_array_free(s->stackpool, TRUE);
	g_free(s);
}

sim_time_t
sim_now(const struct sim *s)
{
	return s->now;
}

uint64_t
sim_events(const struct sim *s)
{
	return s->nevents;
}

unsigned
sim_nprocs(const struct sim *s)
{
	return s->nuser;
}

void
sim_at(struct sim *s, sim_time_t when, sim_callout_fn *fn, void *arg)
{
	ev_push(s, when, EV_CALLOUT, fn, arg, 0);
}

uint64_t
sim_ticket(struct sim *s)
{
	return s->seq++;
}

void
sim_at_ticket(struct sim *s, sim_time_t when, uint64_t ticket,
    sim_callout_fn *fn, void *arg)
{
	KASSERT(ticket < s->seq, ("engine: ticket %llu never taken",
	    (unsigned long long)ticket));
	ev_insert(s, when, ticket, EV_CALLOUT, fn, arg, 0);
}

struct sim_proc *
sim_spawn(struct sim *s, const char *name, sim_proc_fn *fn, void *arg,
    unsigned flags)
{
	struct sim_proc *p = g_new0(struct sim_proc, 1);
	uintptr_t up = (uintptr_t)p;

	p->sim = s;
	p->fn = fn;
	p->arg = arg;
	p->flags = flags;
	p->stack = stack_alloc(s);
	g_strlcpy(p->name, name, sizeof(p->name));
	if (getcontext(&p->uc) != 0)
		panic("getcontext: %s", strerror(errno));
	p->uc.uc_stack.ss_sp = p->stack;
	p->uc.uc_stack.ss_size = STACK_SIZE;
	p->uc.uc_link = NULL;
	makecontext(&p->uc, (void (*)(void))proc_trampoline, 2,
	    (unsigned int)(up >> 32), (unsigned int)(up & 0xffffffffu));
	if (!(flags & SIMP_DAEMON))
		s->nuser++;
	TAILQ_INSERT_TAIL(&s->procs, p, plink);
	p->state = P_RUNNABLE;
	ev_push(s, s->now, EV_RESUME, NULL, p, p->gen);
	return p;
}

struct sim_proc *
curproc(const struct sim *s)
{
	return s->cur;
}

const char *
sim_proc_name(const struct sim_proc *p)
{
	return p->name;
}

const char *
sim_proc_wmesg(const struct sim_proc *p)
{
	return p->wmesg;
}

bool
sim_proc_timed(const struct sim_proc *p)
{
	return p->state == P_SLEEPING && p->pending > 0;
}

void *
sim_proc_arg(const struct sim_proc *p)
{
	return p->arg;
}

static void
sleepq_remove(struct sim *s, struct sim_proc *p)
{
	struct slpque *sq = p->sq;

	TAILQ_REMOVE(&sq->procs, p, sqlink);
	TAILQ_REMOVE(&s->sleepers, p, alllink);
	p->sq = NULL;
	p->wchan = NULL;
	if (TAILQ_EMPTY(&sq->procs)) {
		g_hash_table_remove(s->slpq, sq->chan);
		g_ptr_array_add(s->sqfree, sq);
	}
}

int
tsleep(struct sim *s, const void *chan, const char *wmesg, sim_time_t timo)
{
	struct sim_proc *p = s->cur;
	struct slpque *sq;

	KASSERT(p != NULL, ("tsleep(%s) outside a process", wmesg));
	KASSERT(chan != NULL, ("tsleep on a NULL channel"));
	sq = g_hash_table_lookup(s->slpq, chan);
	if (sq == NULL) {
		sq = s->sqfree->len > 0 ?
		    g_ptr_array_steal_index(s->sqfree, s->sqfree->len - 1) :
		    g_new(struct slpque, 1);
		sq->chan = chan;
		TAILQ_INIT(&sq->procs);
		g_hash_table_insert(s->slpq, (gpointer)chan, sq);
	}
	TAILQ_INSERT_TAIL(&sq->procs, p, sqlink);
	TAILQ_INSERT_TAIL(&s->sleepers, p, alllink);
	p->sq = sq;
	p->wchan = chan;
	p->wmesg = wmesg;
	p->slpret = 0;
	p->state = P_SLEEPING;
	if (timo > 0) {
		ev_push(s, s->now + timo, EV_TIMEOUT, NULL, p, p->gen);
		p->timed = true;
	}
	{
		sim_time_t t0 = s->now;
		int i;

		switch_out(s);
		for (i = 0; i < p->nwaits; i++)
			if (p->waits[i].wmesg == wmesg ||
			    strcmp(p->waits[i].wmesg, wmesg) == 0)
				break;
		if (i == p->nwaits && i < (int)G_N_ELEMENTS(p->waits)) {
			p->waits[i].wmesg = wmesg;
			p->waits[i].ns = 0;
			p->nwaits++;
		}
		if (i < p->nwaits)
			p->waits[i].ns += s->now - t0;
	}
	p->wmesg = NULL;
	return p->slpret;
}

static void
setrunnable(struct sim *s, struct sim_proc *p)
{
	sleepq_remove(s, p);
	p->state = P_RUNNABLE;
	p->gen++;			/* a pending timeout is now stale */
	if (p->timed && (p->flags & SIMP_DAEMON))
		s->nstale++;
	p->timed = false;
	ev_push(s, s->now, EV_RESUME, NULL, p, p->gen);
}

void
wakeup(struct sim *s, const void *chan)
{
	struct slpque *sq = g_hash_table_lookup(s->slpq, chan);
	struct sim_proc *p;

	if (sq == NULL)
		return;
	/* setrunnable() frees the queue with its last process. */
	while (sq != NULL && (p = TAILQ_FIRST(&sq->procs)) != NULL) {
		bool last = TAILQ_NEXT(p, sqlink) == NULL;

		setrunnable(s, p);
		if (last)
			break;
	}
}

void
wakeup_one(struct sim *s, const void *chan)
{
	struct slpque *sq = g_hash_table_lookup(s->slpq, chan);

	if (sq != NULL)
		setrunnable(s, TAILQ_FIRST(&sq->procs));
}

bool
sim_has_sleepers(struct sim *s, const void *chan)
{
	return g_hash_table_lookup(s->slpq, chan) != NULL;
}

void
sim_proc_waits_reset(struct sim_proc *p)
{
	p->nwaits = 0;
}

void
sim_proc_waits_foreach(const struct sim_proc *p,
    void (*fn)(const char *wmesg, sim_time_t ns, void *arg), void *arg)
{
	int i;

	for (i = 0; i < p->nwaits; i++)
		fn(p->waits[i].wmesg, p->waits[i].ns, arg);
}

void
sim_pause(struct sim *s, sim_time_t ns)
{
	struct sim_proc *p = s->cur;

	KASSERT(p != NULL, ("sim_pause outside a process"));
	if (ns <= 0)
		return;
	/*
	 * Fast path: if nothing is due before this process would wake, the
	 * event would be the very next one dispatched, so skip the queue and
	 * the two switches and just move the clock.  The outcome is the same
	 * (later events keep their relative order), only cheaper.
	 */
	if (!interrupted(s) && (s->nheap == 0 || s->heap[0].when > s->now + ns)) {
		s->now += ns;
		return;
	}
	p->state = P_RUNNABLE;
	ev_push(s, s->now + ns, EV_RESUME, NULL, p, p->gen);
	switch_out(s);
}

/* sim_callout_advance's event hook, then its clock: out of line, so that
 * the advance itself calls nothing and saves no registers (a disk's
 * timers advance about nine times a request). */
static bool __attribute__((noinline))
callout_advance_hook(struct sim *s, sim_time_t when)
{
	s->event_fn(s, s->event_arg);	/* as between two events */
	s->now = when;
	return true;
}

bool
sim_callout_advance(struct sim *s, sim_time_t when, uint64_t ticket)
{
	struct event ev = { .when = when, .seq = ticket };

	KASSERT(s->running && s->cur == NULL,
	    ("sim_callout_advance outside a callout"));
	KASSERT(when >= s->now, ("advance into the past: %lld < %lld",
	    (long long)when, (long long)s->now));
	/*
	 * As sim_pause's fast path, for callouts: sim_run would next check
	 * that the run goes on, then pop the least event, which is this one
	 * if it comes before everything queued.
	 */
	if (interrupted(s) || s->nuser == 0 ||
	    (s->nheap > 0 && !ev_before(&ev, &s->heap[0])))
		return false;
	if (s->event_fn != NULL)
		return callout_advance_hook(s, when);
	s->now = when;
	return true;
}

sim_time_t
sim_callout_horizon(const struct sim *s)
{
	KASSERT(s->running && s->cur == NULL,
	    ("sim_callout_horizon outside a callout"));
	if (s->stop || *s->intr || s->nuser == 0)
		return s->now;
	return s->nheap > 0 ? s->heap[0].when : INT64_MAX;
}

bool
sim_stopping(struct sim *s)
{
	return interrupted(s);
}

void
sim_stop(struct sim *s)
{
	s->stop = true;
}

void
sim_set_interrupt(struct sim *s, volatile sig_atomic_t *flag)
{
	s->intr = flag != NULL ? flag : &s->nointr;
}

void
sim_set_deadlock_hook(struct sim *s, void (*fn)(struct sim *, void *), void *arg)
{
	s->deadlock_fn = fn;
	s->deadlock_arg = arg;
}

void
sim_set_event_hook(struct sim *s, void (*fn)(struct sim *, void *), void *arg)
{
	s->event_fn = fn;
	s->event_arg = arg;
}

void
sim_foreach_sleeper(struct sim *s,
    void (*fn)(struct sim_proc *p, const void *chan, void *arg), void *arg)
{
	struct sim_proc *p, *next;

	for (p = TAILQ_FIRST(&s->sleepers); p != NULL; p = next) {
		next = TAILQ_NEXT(p, alllink);
		if (!(p->flags & SIMP_DAEMON))
			fn(p, p->wchan, arg);
	}
}

enum sim_status
sim_run(struct sim *s)
{
	KASSERT(!s->running, ("sim_run re-entered"));
	s->running = true;
	s->stop = false;
	while (s->nuser > 0 && !interrupted(s)) {
		struct event ev;
		struct sim_proc *p;

		if (s->nheap == 0) {
			/* Only sleeping processes are left.  The clock stands
			 * where the last event left it, dropped ones included. */
			s->now = MAX(s->now, s->stale_when);
			if (s->deadlock_fn == NULL)
				break;
			s->deadlock_fn(s, s->deadlock_arg);
			if (s->nheap == 0)
				break;
			continue;
		}
		ev = ev_pop(s);
		s->now = ev.when;
		s->nevents++;
		switch (ev.kind) {
		case EV_CALLOUT:
			ev.fn(s, ev.arg);
			break;
		case EV_RESUME:
			p = ev.arg;
			if (--p->pending == 0 && p->state == P_DEAD &&
			    p->stack == NULL) {
				TAILQ_REMOVE(&s->zombies, p, plink);
				g_free(p);
				break;
			}
			if (p->gen != ev.gen || p->state != P_RUNNABLE)
				break;			/* stale */
			switch_to(s, p);
			break;
		case EV_TIMEOUT:
			p = ev.arg;
			if (ev_stale_timeout(&ev))
				s->nstale--;
			if (--p->pending == 0 && p->state == P_DEAD &&
			    p->stack == NULL) {
				TAILQ_REMOVE(&s->zombies, p, plink);
				g_free(p);
				break;
			}
			if (p->gen != ev.gen || p->state != P_SLEEPING)
				break;			/* woken before it */
			sleepq_remove(s, p);
			p->timed = false;
			p->slpret = EWOULDBLOCK;
			switch_to(s, p);
			break;
		}
		if (s->event_fn != NULL)
			s->event_fn(s, s->event_arg);
	}
	s->running = false;
	if (s->stop)
		return SIM_STOPPED;
	return s->nuser > 0 ? SIM_DEADLOCK : SIM_DONE;
}
