/*
 * snapshot.c — snapshot under load: any other generator, with file-system
 * snapshots taken at given times.
 *
 * FFS snapshots (f2a2857bb3 and the fixes after it) suspend writes to the
 * file system while one is taken, and make the first write to each block
 * after it copy the old contents (ffs_copyonwrite): the cost shows under
 * load.  This runs `load` (its parameters given as LOAD.KEY=VALUE, e.g.
 * dbm.ops=20000) and, in a process of its own, makes a `snapshot_create`
 * call (path="NAMEk", k = 1, 2, ...) at each time of `at` after the start
 * (a comma-separated list, e.g. at=1s,3s) and, if `hold` is not 0, a
 * `snapshot_remove` of it `hold` later; it sleeps (clock_nanosleep) in
 * between, as a script would.  These are the records by which a
 * native trace asks for snapshots (replayed by sim/model/snapshot.c).
 */
#include "workload.h"
#include "profile.h"

#include <string.h>

struct snapev {
	int64_t		 t;		/* after the start */
	int		 k;		/* snapshot number */
	bool		 create;
};

struct sargs {
	GArray		*ev;		/* struct snapev, in time order */
	const char	*name;
};

struct sproc {
	struct gproc	 p;
	guint		 i;		/* next event */
	GString		*path;
};

static gint
cmp_ev(gconstpointer a, gconstpointer b)
{
	const struct snapev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->create != y->create)
		return x->create ? -1 : 1;
	return x->k - y->k;
}

static void
snapshot_step(struct ginst *gi, struct gproc *gp)
{
	const struct sargs *a = gi->state;
	struct sproc *s = (struct sproc *)gp;
	const struct snapev *e;
	int64_t due;

	if (s->i == a->ev->len) {
		gen_exit(gp);
		return;
	}
	e = &g_array_index(a->ev, struct snapev, s->i);
	due = gi->t0 + e->t;
	if (due > gp->t) {
		/* like "sleep 5; mount -u -o snapshot ..." in a script */
		gen_sleep(gp, due - gp->t);
		return;
	}
	g_string_printf(s->path, "%s%d", a->name, e->k);
	gen_other(gp, e->create ? "snapshot_create" : "snapshot_remove",
	    s->path->str);
	s->i++;
}

static bool
snapshot_init(struct ginst *gi)
{
	struct sargs *a = gi->state;
	const char *lname = gen_str(gi, "load", "dbm");
	const char *at = gen_str(gi, "at", "1s");
	int64_t hold = gen_time(gi, "hold", "0s");
	const struct workload *wl = workload_lookup(lname);
	char **times, **tp;
	struct sproc *s;
	GHashTable *lp;
	bool ok;
	int k = 0;

	a->ev = g_array_new(FALSE, FALSE, sizeof(struct snapev));
	a->name = gen_str(gi, "name", "snap");
	if (gen_failed(gi))
		return false;
	if (a->name[0] == '\0' || strchr(a->name, '/') != NULL) {
		gen_fail(gi, "name=%s: a snapshot name is one non-empty word",
		    a->name);
		return false;
	}
	if (wl == NULL || wl == &workload_snapshot) {
		gen_fail(gi, "load=%s: not a generator it can run", lname);
		return false;
	}
	times = g_strsplit(at, ",", -1);
	for (tp = times; *tp != NULL; tp++) {
		struct snapev e = { 0, ++k, true };

		if (!profile_parse_time(*tp, &e.t) || k > 1000) {
			gen_fail(gi, "at=%s: expected times with units, e.g. 1s,2.5s "
			    "(at most 1000)", at);
			g_strfreev(times);
			return false;
		}
		g_array_append_val(a->ev, e);
		if (hold > 0) {
			e.t += hold;
			e.create = false;
			g_array_append_val(a->ev, e);
		}
	}
	g_strfreev(times);
	g_array_sort(a->ev, cmp_ev);
	lp = gen_subparams(gi, lname);
	ok = gen_start(gi, wl, lp, 0, NULL, NULL);
	g_hash_table_destroy(lp);
	if (!ok)
		return false;
	/* There from the start, sleeping until each time comes. */
	s = (struct sproc *)gen_spawn(gi, 0);
	s->path = g_string_new("");
	return true;
}

static void
snapshot_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct sproc *s = (struct sproc *)gp;

	if (s->path != NULL)
		g_string_free(s->path, TRUE);
}

static void
snapshot_finish(struct ginst *gi)
{
	struct sargs *a = gi->state;

	if (a->ev != NULL)
		g_array_free(a->ev, TRUE);
}

const struct workload workload_snapshot = {
	.name = "snapshot",
	.doc = "snapshot under load: any other generator, snapshots taken at given times",
	.params = "load=dbm at=1s (T1,T2,...) hold=0s name=snap LOAD.KEY=VALUE",
	.statesize = sizeof(struct sargs),
	.procsize = sizeof(struct sproc),
	.init = snapshot_init,
	.step = snapshot_step,
	.finish = snapshot_finish,
	.proc_free = snapshot_proc_free,
};
