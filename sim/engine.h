/*
 * engine.h — the discrete-event engine: clock, event queue, simulated
 * processes as coroutines, and the kernel's tsleep/wakeup.
 *
 * Time is an integer count of nanoseconds and passes only through the event
 * queue.  Events are ordered by (time, insertion sequence), so a run is a pure
 * function of its inputs.  A simulated process (a traced thread, or a kernel
 * daemon such as the syncer) runs on its own stack; model code called from it
 * reads like kernel code and blocks exactly where the kernel would sleep:
 *
 *	while (bp->b_flags & B_BUSY)
 *		tsleep(s, bp, "getblk", 0);
 *
 * The engine knows nothing about kernels.  All of its state hangs off one
 * struct sim, so two simulations can run side by side in two threads.
 */
#ifndef VFSSIM_ENGINE_H
#define VFSSIM_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef int64_t sim_time_t;		/* nanoseconds */

#define SIM_NS	((sim_time_t)1)
#define SIM_US	((sim_time_t)1000)
#define SIM_MS	((sim_time_t)1000000)
#define SIM_SEC	((sim_time_t)1000000000)

struct sim;
struct sim_proc;

/* A callout: runs in the scheduler's context ("interrupt level"); it may
 * wake processes and schedule events but must never sleep. */
typedef void sim_callout_fn(struct sim *s, void *arg);

/* The body of a simulated process. When it returns the process is gone. */
typedef void sim_proc_fn(void *arg);

/* What sim_run() reports. */
enum sim_status {
	SIM_DONE = 0,		/* every user process finished */
	SIM_STOPPED,		/* sim_stop() was called */
	SIM_DEADLOCK,		/* user processes asleep, nothing left to wake them */
};

#define SIMP_DAEMON	0x1	/* kernel thread: does not keep sim_run() alive */

struct sim *sim_create(void);
void	sim_destroy(struct sim *s);

sim_time_t sim_now(const struct sim *s);
uint64_t sim_events(const struct sim *s);	/* events dispatched so far */

/* Schedule a callout at an absolute time (never in the past). */
void	sim_at(struct sim *s, sim_time_t when, sim_callout_fn *fn, void *arg);

/*
 * Events scheduled lazily.  An event's place among those due at the same
 * time is the order it was scheduled in; sim_ticket takes that place now
 * for an event that may be queued later with sim_at_ticket — it then runs
 * exactly where it would have had it been queued at once — or never
 * queued at all: a callout whose last act is to let such an event run
 * calls sim_callout_advance, which, if the event would be the very next
 * one dispatched (it comes before everything queued, and the run goes
 * on), moves the clock to `when` and returns true, and the callout carries
 * on as that event; otherwise it returns false and changes nothing.  A run
 * of steps with nothing else due in between then costs one event.
 */
uint64_t sim_ticket(struct sim *s);
void	sim_at_ticket(struct sim *s, sim_time_t when, uint64_t ticket,
	    sim_callout_fn *fn, void *arg);
bool	sim_callout_advance(struct sim *s, sim_time_t when, uint64_t ticket);
/* Events a callout schedules now and due strictly before this time would
 * be dispatched before anything queued (and the run goes on until then):
 * a callout may take a whole run of such steps itself, then move the clock
 * to the last with sim_callout_advance. */
sim_time_t sim_callout_horizon(const struct sim *s);
/* The run is stopping (sim_stop, or the interrupt flag is set, which a
 * signal or another thread may do at any moment): why a callout's
 * sim_callout_advance may refuse a step that its horizon allowed. */
bool	sim_stopping(struct sim *s);

/* Create a process that starts running at the current time. */
struct sim_proc *sim_spawn(struct sim *s, const char *name, sim_proc_fn *fn,
	    void *arg, unsigned flags);

/* The running process, or NULL in a callout or outside sim_run(). */
struct sim_proc *curproc(const struct sim *s);
const char *sim_proc_name(const struct sim_proc *p);
const char *sim_proc_wmesg(const struct sim_proc *p);
void	*sim_proc_arg(const struct sim_proc *p);
/* Asleep with a timeout that will wake it (tsleep with timo > 0). */
bool	sim_proc_timed(const struct sim_proc *p);

/*
 * tsleep: put the running process to sleep on chan until wakeup(chan) or,
 * if timo > 0, until timo nanoseconds have passed.  Returns 0 when woken and
 * EWOULDBLOCK on timeout, as tsleep(9) does.  Like the kernel's, a wakeup is
 * a broadcast: callers sleep in a loop that re-checks their condition.
 */
int	tsleep(struct sim *s, const void *chan, const char *wmesg, sim_time_t timo);
void	wakeup(struct sim *s, const void *chan);
void	wakeup_one(struct sim *s, const void *chan);
bool	sim_has_sleepers(struct sim *s, const void *chan);

/* Time a process has spent asleep since the last reset, by wait message:
 * why a call was slow.  fn is called for each (wmesg, ns), in the order the
 * messages were first seen. */
void	sim_proc_waits_reset(struct sim_proc *p);
void	sim_proc_waits_foreach(const struct sim_proc *p,
	    void (*fn)(const char *wmesg, sim_time_t ns, void *arg), void *arg);

/* The running process spends ns of time (CPU work, or a user's think time)
 * without sleeping on a channel. */
void	sim_pause(struct sim *s, sim_time_t ns);

/*
 * Run events until every user process has finished, sim_stop() is called,
 * or no event is left while user processes still sleep (a deadlock).  On a
 * deadlock the hook (if set) is called with the sleepers still asleep; if it
 * wakes any of them the run continues.  (While a daemon sleeps with a timeout
 * the queue is never empty; a caller that runs daemons detects its own
 * deadlocks, e.g. from a periodic callout, with sim_foreach_sleeper.)
 */
enum sim_status sim_run(struct sim *s);
void	sim_stop(struct sim *s);
/* Stop as sim_stop does once *flag is set (by a signal handler): checked
 * before every event and every step a callout takes by itself
 * (sim_callout_advance), so even a run whose callout never hands back
 * control stops at once.  NULL: never. */
void	sim_set_interrupt(struct sim *s, volatile sig_atomic_t *flag);
void	sim_set_deadlock_hook(struct sim *s, void (*fn)(struct sim *, void *), void *arg);

/* Visit every sleeping user process in the order they went to sleep. */
void	sim_foreach_sleeper(struct sim *s,
	    void (*fn)(struct sim_proc *p, const void *chan, void *arg), void *arg);

unsigned sim_nprocs(const struct sim *s);	/* live user processes */

/* Call fn after every event (invariant checks in test builds). */
void	sim_set_event_hook(struct sim *s, void (*fn)(struct sim *, void *),
	    void *arg);

#endif
