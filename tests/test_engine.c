/* Unit tests of the engine: event order, determinism, tsleep/wakeup, events
 * scheduled lazily, stale timeouts dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glib.h>

#include "engine.h"

struct log {
	struct sim *s;
	GString *out;
};

static void
note(struct log *l, const char *what)
{
	g_string_append_printf(l->out, "%lld:%s ", (long long)sim_now(l->s), what);
}

struct co { struct log *l; const char *name; };

static void
callout_note(struct sim *s, void *arg)
{
	struct co *c = arg;

	note(c->l, c->name);
}

static void
keepalive(void *arg)
{
	sim_pause(arg, 100);
}

/* Events at the same time run in the order they were scheduled. */
static void
test_event_order(void **state)
{
	struct log l = { sim_create(), g_string_new("") };
	struct co a = { &l, "a" }, b = { &l, "b" }, c = { &l, "c" }, d = { &l, "d" };

	sim_at(l.s, 20, callout_note, &a);
	sim_at(l.s, 10, callout_note, &b);
	sim_at(l.s, 20, callout_note, &c);
	sim_at(l.s, 10, callout_note, &d);
	sim_spawn(l.s, "k", keepalive, l.s, 0);
	assert_int_equal(sim_run(l.s), SIM_DONE);
	assert_string_equal(l.out->str, "10:b 10:d 20:a 20:c ");
	assert_int_equal(sim_now(l.s), 100);
	sim_destroy(l.s);
	g_string_free(l.out, TRUE);
}

/* A process asleep with nothing left to wake it is a deadlock; the hook may
 * break it. */
static int dl_chan;

static void
dl_sleeper(void *arg)
{
	struct sim *s = arg;

	assert_int_equal(tsleep(s, &dl_chan, "forever", 0), 0);
}

static void
dl_hook(struct sim *s, void *arg)
{
	int *calls = arg;

	(*calls)++;
	wakeup(s, &dl_chan);
}

static void
test_deadlock(void **state)
{
	struct sim *s = sim_create();
	int calls = 0;

	sim_spawn(s, "z", dl_sleeper, s, 0);
	assert_int_equal(sim_run(s), SIM_DEADLOCK);
	sim_set_deadlock_hook(s, dl_hook, &calls);
	assert_int_equal(sim_run(s), SIM_DONE);
	assert_int_equal(calls, 1);
	sim_destroy(s);
}

/* A shared-channel broadcast: every sleeper wakes, in sleep order, after the
 * waker has gone on (no preemption). */
struct bc { struct sim *s; GString *out; int chan; };

static void
bc_sleeper(void *arg)
{
	struct bc *b = arg;
	const char *me = sim_proc_name(curproc(b->s));

	g_string_append_printf(b->out, "%s@%lld ", me, (long long)sim_now(b->s));
	assert_int_equal(tsleep(b->s, &b->chan, "bc", 0), 0);
	g_string_append_printf(b->out, "%s@%lld ", me, (long long)sim_now(b->s));
}

static void
bc_waker(void *arg)
{
	struct bc *b = arg;

	sim_pause(b->s, 1000);
	wakeup(b->s, &b->chan);
	g_string_append(b->out, "waker-continues ");
	sim_pause(b->s, 5);
	g_string_append_printf(b->out, "waker@%lld ", (long long)sim_now(b->s));
}

static void
test_broadcast(void **state)
{
	struct bc b = { sim_create(), g_string_new(""), 0 };

	sim_spawn(b.s, "x", bc_sleeper, &b, 0);
	sim_spawn(b.s, "y", bc_sleeper, &b, 0);
	sim_spawn(b.s, "w", bc_waker, &b, 0);
	assert_int_equal(sim_run(b.s), SIM_DONE);
	assert_string_equal(b.out->str,
	    "x@0 y@0 waker-continues x@1000 y@1000 waker@1005 ");
	sim_destroy(b.s);
	g_string_free(b.out, TRUE);
}

/* A timed sleep returns EWOULDBLOCK when nobody wakes it, and a wakeup
 * before the timeout cancels the timeout. */
struct to { struct sim *s; int chan; int r1, r2; sim_time_t t1, t2; };

static void
to_sleeper(void *arg)
{
	struct to *t = arg;

	t->r1 = tsleep(t->s, &t->chan, "to", 500);
	t->t1 = sim_now(t->s);
	t->r2 = tsleep(t->s, &t->chan, "to", 500);
	t->t2 = sim_now(t->s);
	/* the first timeout event must not fire into a later sleep */
	sim_pause(t->s, 2000);
}

static void
to_waker(void *arg)
{
	struct to *t = arg;

	sim_pause(t->s, 700);
	wakeup(t->s, &t->chan);
}

static void
test_timeout(void **state)
{
	struct to t = { sim_create(), 0, -1, -1, 0, 0 };

	sim_spawn(t.s, "s", to_sleeper, &t, 0);
	sim_spawn(t.s, "w", to_waker, &t, 0);
	assert_int_equal(sim_run(t.s), SIM_DONE);
	assert_int_equal(t.r1, EWOULDBLOCK);
	assert_int_equal(t.t1, 500);
	assert_int_equal(t.r2, 0);
	assert_int_equal(t.t2, 700);
	assert_int_equal(sim_now(t.s), 2700);
	sim_destroy(t.s);
}

/* Daemons do not keep the run alive. */
static void
daemon_loop(void *arg)
{
	struct sim *s = arg;

	for (;;)
		sim_pause(s, 100);
}

static void
short_user(void *arg)
{
	sim_pause(arg, 250);
}

static void
test_daemon(void **state)
{
	struct sim *s = sim_create();

	sim_spawn(s, "daemon", daemon_loop, s, SIMP_DAEMON);
	sim_spawn(s, "user", short_user, s, 0);
	assert_int_equal(sim_run(s), SIM_DONE);
	assert_int_equal(sim_now(s), 250);
	sim_destroy(s);		/* the daemon is still parked: must be freed */
}

/* Many processes, many switches: the same schedule every time. */
struct many { struct sim *s; GChecksum *ck; int chan; int id; };

static void
many_proc(void *arg)
{
	struct many *m = arg;
	int i;

	for (i = 0; i < 200; i++) {
		char buf[64];
		int n = g_snprintf(buf, sizeof(buf), "%d@%lld;", m->id,
		    (long long)sim_now(m->s));

		g_checksum_update(m->ck, (const guchar *)buf, n);
		sim_pause(m->s, (m->id * 7 + i * 13) % 50);
		if (i % 17 == 0)
			wakeup(m->s, &m->chan);
		else if (i % 23 == 0)
			tsleep(m->s, &m->chan, "m", 40);
	}
}

static char *
run_many(void)
{
	struct sim *s = sim_create();
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	struct many m[50];
	char *r;
	int i;

	for (i = 0; i < 50; i++) {
		m[i].s = s;
		m[i].ck = ck;
		m[i].chan = 0;
		m[i].id = i;
		sim_spawn(s, "m", many_proc, &m[i], 0);
	}
	assert_int_equal(sim_run(s), SIM_DONE);
	r = g_strdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	sim_destroy(s);
	return r;
}

static void
test_determinism(void **state)
{
	char *a = run_many(), *b = run_many();

	assert_string_equal(a, b);
	g_free(a);
	g_free(b);
}

/*
 * Events scheduled lazily: a ticket keeps the place of the moment it was
 * taken; a callout advancing into its own next step does so only when
 * nothing queued comes first.
 */
struct stepper { struct log *l; int n; sim_time_t h[4]; };

static void
stepper(struct sim *s, void *arg)
{
	struct stepper *st = arg;

	for (;;) {
		sim_time_t when = sim_now(s) + 5;
		uint64_t tk;

		note(st->l, "s");
		st->h[st->n] = sim_callout_horizon(s);
		if (++st->n == 4)
			return;
		tk = sim_ticket(s);
		if (!sim_callout_advance(s, when, tk)) {
			sim_at_ticket(s, when, tk, stepper, st);
			return;
		}
	}
}

struct lazy { struct log *l; struct co *late; struct co *early; };

static void
lazy_first(struct sim *s, void *arg)
{
	struct lazy *z = arg;
	uint64_t tk = sim_ticket(s);

	/* Taken before `late` is queued: runs before it, though queued
	 * after. */
	sim_at(s, 30, callout_note, z->late);
	sim_at_ticket(s, 30, tk, callout_note, z->early);
}

static void
test_lazy_events(void **state)
{
	struct log l = { sim_create(), g_string_new("") };
	struct co q = { &l, "q" }, late = { &l, "late" }, early = { &l, "early" };
	struct stepper st = { &l, 0, { 0 } };
	struct lazy z = { &l, &late, &early };

	sim_spawn(l.s, "k", keepalive, l.s, 0);
	sim_at(l.s, 0, stepper, &st);
	sim_at(l.s, 10, callout_note, &q);
	sim_at(l.s, 20, lazy_first, &z);
	assert_int_equal(sim_run(l.s), SIM_DONE);
	/* The step due at 10 waits for q, queued before it. */
	assert_string_equal(l.out->str,
	    "0:s 5:s 10:q 10:s 15:s 30:early 30:late ");
	assert_int_equal(st.h[0], 10);
	assert_int_equal(st.h[1], 10);
	assert_int_equal(st.h[2], 20);
	/* The keepalive's start, 0 (and 5), q, 10 (and 15), lazy_first,
	 * early, late, the keepalive's end. */
	assert_int_equal(sim_events(l.s), 8);
	sim_destroy(l.s);
	g_string_free(l.out, TRUE);
}

/*
 * A daemon that sleeps with a timeout and is woken before it, again and
 * again, leaves those timeouts behind; they are dropped, but nothing else
 * changes: its real timeouts come when they should, and a run that ends
 * with everyone asleep ends at the time of the latest of them, as if each
 * had been taken off the queue in turn.  Its timeouts shrink, so that the
 * latest is among the first dropped.
 */
struct nag {
	struct sim	*s;
	int		 chan, done, forever;
	sim_time_t	 timed_out, latest;
};

static void
nag_daemon(void *arg)
{
	struct nag *n = arg;
	sim_time_t timo = SIM_SEC;

	while (!n->done) {
		n->latest = MAX(n->latest, sim_now(n->s) + timo);
		if (tsleep(n->s, &n->chan, "nag", timo) == EWOULDBLOCK &&
		    n->timed_out == 0)
			n->timed_out = sim_now(n->s);
		timo -= SIM_MS;
	}
	tsleep(n->s, &n->forever, "forever", 0);
}

static void
nag_user(void *arg)
{
	struct nag *n = arg;
	int i;

	for (i = 0; i < 300; i++) {
		sim_pause(n->s, 1000);
		wakeup(n->s, &n->chan);
	}
	/* Left alone, it times out: its 301st sleep, from 300 us, is of
	 * 700 ms. */
	sim_pause(n->s, 750 * SIM_MS - 300000);
	assert_int_equal(n->timed_out, 300000 + 700 * SIM_MS);
	for (i = 0; i < 300; i++) {
		sim_pause(n->s, 1000);
		wakeup(n->s, &n->chan);
	}
	n->done = 1;
	tsleep(n->s, &n->forever, "forever", 0);
}

static void
test_stale_timeouts(void **state)
{
	struct nag n = { .s = sim_create() };

	sim_spawn(n.s, "daemon", nag_daemon, &n, SIMP_DAEMON);
	sim_spawn(n.s, "user", nag_user, &n, 0);
	assert_int_equal(sim_run(n.s), SIM_DEADLOCK);
	/* The latest timeout: the second sleep after the first round's. */
	assert_int_equal(n.latest, 750 * SIM_MS + 1000 + SIM_SEC - 302 * SIM_MS);
	assert_int_equal(sim_now(n.s), n.latest);
	/* Fewer events than the resumes and the timeouts, had those all
	 * been taken off the queue. */
	assert_true(sim_events(n.s) < 3 * 600);
	sim_destroy(n.s);
}

/*
 * A callout that never hands back control — it takes step after step
 * itself with sim_callout_advance, as the drive does through a run of
 * sectors, and here for ever — stops once the interrupt flag is set (by a
 * signal handler, in vfssim): sim_callout_advance refuses the next step
 * and sim_run returns SIM_STOPPED.  Set before the run, nothing happens.
 */
struct spin {
	volatile sig_atomic_t	 flag;
	uint64_t		 steps;
};

static void
spin_fire(struct sim *s, void *arg)
{
	struct spin *sp = arg;

	while (sim_callout_advance(s, sim_now(s) + SIM_MS, sim_ticket(s)))
		if (++sp->steps == 1000)
			sp->flag = 1;		/* "the signal arrives" */
}

static void
window_fire(struct sim *s, void *arg)
{
	struct spin *sp = arg;
	sim_time_t h = sim_callout_horizon(s);

	assert_false(sim_stopping(s));
	assert_true(h > 5 * SIM_MS);	/* the user's wake-up, far off */
	sp->flag = 1;			/* "the signal arrives" */
	assert_false(sim_callout_advance(s, 5 * SIM_MS, sim_ticket(s)));
	assert_true(sim_stopping(s));
	sp->steps++;
}

static void
spin_user(void *arg)
{
	sim_pause(arg, 1000 * SIM_SEC);
}

static void
test_interrupt(void **state)
{
	struct sim *s = sim_create();
	struct spin sp = { 0 };

	sim_set_interrupt(s, &sp.flag);
	sim_spawn(s, "user", spin_user, s, 0);
	sim_at(s, 0, spin_fire, &sp);
	assert_int_equal(sim_run(s), SIM_STOPPED);
	assert_int_equal(sp.steps, 1000);
	assert_int_equal(sim_now(s), 1000 * SIM_MS);
	sim_destroy(s);

	s = sim_create();
	sp.flag = 1;
	sp.steps = 0;
	sim_set_interrupt(s, &sp.flag);
	sim_spawn(s, "user", spin_user, s, 0);
	assert_int_equal(sim_run(s), SIM_STOPPED);
	assert_int_equal(sim_now(s), 0);
	assert_int_equal(sp.steps, 0);
	sim_destroy(s);

	/* The window the drive's run of sectors has (disk_media_stream_run):
	 * the horizon asked, the steps up to it taken, and the flag set
	 * before the clock is moved to the last of them.  The advance is
	 * refused though nothing queued comes first; sim_stopping says why,
	 * and is false until the flag is set. */
	s = sim_create();
	sp.flag = 0;
	sim_set_interrupt(s, &sp.flag);
	sim_spawn(s, "user", spin_user, s, 0);
	sim_at(s, 0, window_fire, &sp);
	assert_int_equal(sim_run(s), SIM_STOPPED);
	assert_int_equal(sp.steps, 1);
	assert_int_equal(sim_now(s), 0);
	sim_destroy(s);

	/* A flag withdrawn (NULL) no longer stops the run, though it is
	 * still set: the process sleeps its second to the end. */
	s = sim_create();
	sim_set_interrupt(s, &sp.flag);
	sim_set_interrupt(s, NULL);
	sim_spawn(s, "user", spin_user, s, 0);
	assert_int_equal(sim_run(s), SIM_DONE);
	assert_int_equal(sim_now(s), 1000 * SIM_SEC);
	sim_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_order),
		cmocka_unit_test(test_deadlock),
		cmocka_unit_test(test_broadcast),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_daemon),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_lazy_events),
		cmocka_unit_test(test_stale_timeouts),
		cmocka_unit_test(test_interrupt),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
