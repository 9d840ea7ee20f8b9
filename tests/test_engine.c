/* Unit tests of the engine: event order, determinism, tsleep/wakeup. */
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
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
