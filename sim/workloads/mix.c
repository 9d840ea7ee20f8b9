/*
 * mix.c — a multi-process mix of the other generators, with think times,
 * in a closed or an open loop.
 *
 * Each job is a run of one of the generators named in `jobs`
 * ("name[:weight],...", chosen at random by weight), with small defaults
 * of its own (job_defaults below) that "NAME.KEY=VALUE" parameters
 * override, and working under PATH/jN (N numbers the jobs) unless
 * NAME.path says otherwise.
 *
 * loop=closed: `clients` shell-like processes each run `count` jobs one
 * after the other: fork the job's processes (clone), wait for them
 * (wait4), think for an exponentially distributed time of mean `think`,
 * start the next.  The replay starts a job's processes when the clone
 * runs in the simulation and returns from wait4 when they have exited
 * there, so a slower machine runs fewer jobs a second: a closed loop.
 *
 * loop=open: one dispatcher process, as inetd is, forks each of `count`
 * jobs as it arrives and sleeps (clock_nanosleep) for an exponentially
 * distributed time of mean `interval` until the next arrival, whether or
 * not earlier jobs have finished: an open loop, where a slower machine
 * has more jobs running at once.  It reaps them all at the end.
 */
#include "workload.h"

#include <string.h>

/* Jobs are small by default: a mix runs many of them. */
static const struct {
	const char	*name;
	const char	*params;
} job_defaults[] = {
	{ "seq",	"size=1M" },
	{ "random",	"size=4M ops=200" },
	{ "dbm",	"size=4M ops=200" },
	{ "tree",	"depth=2 fanout=4 files=8 size=1K mode=both" },
	{ "tar",	"depth=2 fanout=4 files=8" },
	{ "find",	"depth=2 fanout=4 files=8" },
	{ "postmark",	"files=50 transactions=100" },
	{ "dblog",	"txns=50 dbsize=4M checkpoint=100ms" },
	{ "dbench",	"clients=1 loops=1" },
};

struct job {
	const struct workload *wl;
	double		 weight;
	GHashTable	*params;	/* defaults, then the user's NAME.KEY */
	bool		 user_path;
};

struct margs {
	GArray		*jobs;		/* struct job */
	double		 total;
	bool		 open;
	int64_t		 clients, count, think, interval, started;
	const char	*path;
};

enum phase { START, CLONE, REAP, EXIT, ARRIVE, SLEEP };
enum loop { CLOSED_LOOP, OPEN_LOOP };

struct mproc {
	struct gproc	 p;
	enum phase	 ph;
	GArray		*pids;		/* the running job's processes */
	GArray		*all;		/* open loop: every job's processes */
	guint		 k;
	int64_t		 done;
};

static const struct job *
pick_job(struct ginst *gi, const struct margs *a)
{
	double x = gen_uniform(gi) * a->total;
	guint i;

	for (i = 0; i + 1 < a->jobs->len; i++) {
		const struct job *j = &g_array_index(a->jobs, struct job, i);

		if (x < j->weight)
			return j;
		x -= j->weight;
	}
	return &g_array_index(a->jobs, struct job, a->jobs->len - 1);
}

/* The parameters of job number n. */
static GHashTable *
job_params(const struct margs *a, const struct job *j, int64_t n)
{
	GHashTable *p = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, j->params);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(p, g_strdup(k), g_strdup(v));
	if (!j->user_path)
		g_hash_table_insert(p, g_strdup("path"),
		    g_strdup_printf("%s/j%lld", a->path, (long long)n));
	return p;
}

static bool
start_job(struct ginst *gi, struct margs *a, struct gproc *parent,
    GArray *pids, int64_t at)
{
	const struct job *j = pick_job(gi, a);
	GHashTable *params = job_params(a, j, a->started++);
	bool ok = gen_start(gi, j->wl, params, at, parent, pids);

	g_hash_table_destroy(params);
	return ok;
}

static void
mix_step(struct ginst *gi, struct gproc *gp)
{
	struct margs *a = gi->state;
	struct mproc *s = (struct mproc *)gp;

	switch (s->ph) {
	case ARRIVE:
		/* open loop: a job arrives now */
		if (s->done == a->count) {
			/* all arrived: wait for them, then reap them */
			s->k = 0;
			s->ph = s->all->len > 0 ? REAP : EXIT;
			gen_wait(gp);
			break;
		}
		/* FALLTHROUGH */
	case START:
		if (s->ph == START && s->done == a->count) {
			gen_exit(gp);
			break;
		}
		g_array_set_size(s->pids, 0);
		if (!start_job(gi, a, gp, s->pids, 0))
			break;
		s->done++;
		s->k = 0;
		s->ph = CLONE;
		/* FALLTHROUGH */
	case CLONE:
		gen_clone(gp, g_array_index(s->pids, int32_t, s->k));
		if (++s->k < s->pids->len)
			break;
		s->k = 0;
		if (a->open) {
			/* the next arrival; earlier jobs go on meanwhile */
			g_array_append_vals(s->all, s->pids->data, s->pids->len);
			s->ph = s->done < a->count ? SLEEP : ARRIVE;
		} else {
			s->ph = REAP;
			gen_wait(gp);
		}
		break;
	case SLEEP:
		gen_sleep(gp, gen_exponential(gi, a->interval));
		s->ph = ARRIVE;
		break;
	case REAP:
		if (a->open) {
			gen_wait4(gp, g_array_index(s->all, int32_t, s->k));
			if (++s->k == s->all->len)
				s->ph = EXIT;
			break;
		}
		gen_wait4(gp, g_array_index(s->pids, int32_t, s->k));
		if (++s->k == s->pids->len) {
			gen_think(gp, gen_exponential(gi, a->think));
			s->ph = START;
		}
		break;
	case EXIT:
		gen_exit(gp);
		break;
	}
}

/* "name[:weight],..." into a->jobs, each with its parameters checked. */
static bool
parse_jobs(struct ginst *gi, struct margs *a, const char *spec)
{
	char **names = g_strsplit(spec, ",", -1), **np;
	bool ok = true;
	size_t d;

	for (np = names; *np != NULL && ok; np++) {
		char *colon = strchr(*np, ':'), *end;
		struct job j;
		GHashTable *user, *check;
		GHashTableIter it;
		gpointer k, v;

		memset(&j, 0, sizeof(j));
		j.weight = 1;
		if (colon != NULL) {
			*colon = '\0';
			j.weight = g_ascii_strtod(colon + 1, &end);
			if (end == colon + 1 || *end != '\0' || !(j.weight > 0) ||
			    j.weight > 1e9) {
				gen_fail(gi, "jobs: bad weight \"%s\"", colon + 1);
				ok = false;
				break;
			}
		}
		j.wl = workload_lookup(*np);
		if (j.wl == NULL || j.wl == &workload_mix ||
		    j.wl == &workload_snapshot) {
			gen_fail(gi, "jobs: \"%s\" is not a generator a mix can run",
			    *np);
			ok = false;
			break;
		}
		j.params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    g_free);
		for (d = 0; d < G_N_ELEMENTS(job_defaults); d++)
			if (strcmp(job_defaults[d].name, *np) == 0) {
				char **kv = g_strsplit(job_defaults[d].params, " ", -1);
				char **q;

				for (q = kv; *q != NULL; q++) {
					char *eq = strchr(*q, '=');

					g_hash_table_insert(j.params,
					    g_strndup(*q, (size_t)(eq - *q)),
					    g_strdup(eq + 1));
				}
				g_strfreev(kv);
			}
		user = gen_subparams(gi, *np);
		g_hash_table_iter_init(&it, user);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(j.params, g_strdup(k), g_strdup(v));
		g_hash_table_destroy(user);
		j.user_path = g_hash_table_contains(j.params, "path");
		g_array_append_val(a->jobs, j);
		a->total += j.weight;
		/* Every job is checked now, before any call is made. */
		check = job_params(a, &j, 0);
		ok = gen_validate(gi, j.wl, check);
		g_hash_table_destroy(check);
	}
	g_strfreev(names);
	if (ok && a->jobs->len == 0) {
		gen_fail(gi, "jobs: name at least one generator");
		ok = false;
	}
	return ok;
}

static bool
mix_init(struct ginst *gi)
{
	static const char *const loops[] = { [CLOSED_LOOP] = "closed",
	    [OPEN_LOOP] = "open", NULL };
	struct margs *a = gi->state;
	const char *loop = gen_str(gi, "loop", "closed");
	const char *jobs = gen_str(gi, "jobs", "seq,random,postmark,find");
	int64_t i;
	int l;

	a->jobs = g_array_new(FALSE, FALSE, sizeof(struct job));
	a->clients = gen_int(gi, "clients", 4);
	a->count = gen_int(gi, "count", 4);
	a->think = gen_time(gi, "think", "100ms");
	a->interval = gen_time(gi, "interval", "200ms");
	if (!gen_path(gi, "path", "/data/mix", &a->path) || gen_failed(gi))
		return false;
	if ((l = gen_choice(gi, "loop", loop, loops)) < 0)
		return false;
	a->open = l == OPEN_LOOP;
	if (a->clients < 1 || a->clients > 10000 || a->count > 1000000) {
		gen_fail(gi, "need 1 <= clients <= 10000 and count <= 10^6");
		return false;
	}
	if (!parse_jobs(gi, a, jobs))
		return false;
	for (i = 0; i < (a->open ? 1 : a->clients); i++) {
		struct mproc *s = (struct mproc *)gen_spawn(gi, i * GEN_CALL_NS);

		s->pids = g_array_new(FALSE, FALSE, sizeof(int32_t));
		s->all = g_array_new(FALSE, FALSE, sizeof(int32_t));
		s->ph = a->open ? ARRIVE : START;
	}
	return true;
}

static void
mix_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct mproc *s = (struct mproc *)gp;

	if (s->pids != NULL)
		g_array_free(s->pids, TRUE);
	if (s->all != NULL)
		g_array_free(s->all, TRUE);
}

static void
mix_finish(struct ginst *gi)
{
	struct margs *a = gi->state;
	guint i;

	if (a->jobs == NULL)
		return;
	for (i = 0; i < a->jobs->len; i++)
		g_hash_table_destroy(g_array_index(a->jobs, struct job, i).params);
	g_array_free(a->jobs, TRUE);
}

const struct workload workload_mix = {
	.name = "mix",
	.doc = "a mix of the other generators' jobs with think times, closed or open loop",
	.params = "jobs=seq,random,postmark,find (NAME[:WEIGHT],...) "
	    "loop=closed|open clients=4 count=4 think=100ms interval=200ms "
	    "path=/data/mix NAME.KEY=VALUE",
	.statesize = sizeof(struct margs),
	.procsize = sizeof(struct mproc),
	.init = mix_init,
	.step = mix_step,
	.finish = mix_finish,
	.proc_free = mix_proc_free,
};
