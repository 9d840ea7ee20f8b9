/*
 * bench_engine.c — what a coroutine switch and an event cost (make bench).
 *
 *   pause:     two processes each pause 1 ns N times, in step, so every
 *              pause is an event pushed and popped and a switch out of and
 *              back into a process (a lone process's pauses take a fast
 *              path that skips both);
 *   ping-pong: two processes wake each other N times through tsleep and
 *              wakeup on a channel.
 */
#include <stdio.h>

#include <glib.h>

#include "engine.h"

#define N 5000000

struct pp {
	struct sim	*s;
	int		 ball;		/* whose turn: 0 or 1 */
	int		 me;
};

static void
pauser(void *arg)
{
	int i;

	for (i = 0; i < N; i++)
		sim_pause(arg, 1);
}

static struct pp players[2];

static void
player(void *arg)
{
	struct pp *p = arg;
	int i;

	for (i = 0; i < N; i++) {
		while (players[0].ball != p->me)
			tsleep(p->s, &players[0].ball, "ping", 0);
		players[0].ball = !p->me;
		wakeup(p->s, &players[0].ball);
	}
}

int
main(void)
{
	struct sim *s = sim_create();
	gint64 t0, t1;

	sim_spawn(s, "pauser", pauser, s, 0);
	sim_spawn(s, "pauser", pauser, s, 0);
	t0 = g_get_monotonic_time();
	sim_run(s);
	t1 = g_get_monotonic_time();
	printf("engine: %d pauses in %.2f s: %.0f ns each (an event and two "
	    "switches)\n", 2 * N, (t1 - t0) / 1e6, (t1 - t0) * 1e3 / (2 * N));
	sim_destroy(s);

	s = sim_create();
	players[0].s = players[1].s = s;
	players[0].me = 0;
	players[1].me = 1;
	sim_spawn(s, "ping", player, &players[0], 0);
	sim_spawn(s, "pong", player, &players[1], 0);
	t0 = g_get_monotonic_time();
	sim_run(s);
	t1 = g_get_monotonic_time();
	printf("engine: %d tsleep/wakeup hand-offs in %.2f s: %.0f ns each\n",
	    2 * N, (t1 - t0) / 1e6, (t1 - t0) * 1e3 / (2 * N));
	sim_destroy(s);
	return 0;
}
