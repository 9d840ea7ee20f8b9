/*
 * workload.c — the generator registry, the scheduler that runs their
 * processes side by side, and the helpers they share (parameters,
 * randomness, emitting calls).
 */
#include "workload.h"
#include "profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(vfssim-workload-error-quark, workload_error)

/* Steps in a row that made no call and moved no clock: a generator bug. */
#define GEN_MAX_IDLE	1000000

const struct workload *const workloads[] = {
	&workload_seq,
	&workload_random,
	&workload_dbm,
	&workload_tree,
	&workload_tar,
	&workload_find,
	&workload_postmark,
	&workload_dblog,
	&workload_dbench,
	&workload_mix,
	&workload_snapshot,
	NULL
};

/* One generation: every instance and process, and the call being made. */
struct gen {
	GSequence	*runq;		/* runnable processes by (t, order) */
	GHashTable	*procs;		/* every live process */
	GPtrArray	*insts;		/* every live instance */
	GPtrArray	*pending;	/* processes spawned by unfinished inits */
	GPtrArray	*pending_insts;	/* instances those inits started */
	int		 initdepth;
	struct gproc	*cur;		/* the process being stepped */
	struct trace_call tc;
	bool		 have;		/* tc holds a call not handed out */
	GError		*error;
	uint64_t	 records;
	int64_t		 last_t;
	int32_t		 nextpid;
	uint64_t	 order;
	unsigned	 sleeping;
	uint64_t	 idle;
};

const struct workload *
workload_lookup(const char *name)
{
	int i;

	for (i = 0; workloads[i] != NULL; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	return NULL;
}

void
workload_list(FILE *out)
{
	int i;

	for (i = 0; workloads[i] != NULL; i++)
		fprintf(out, "%-9s %s\n", workloads[i]->name, workloads[i]->doc);
}

char *
workload_help(void)
{
	GString *s = g_string_new("");
	int i;

	for (i = 0; workloads[i] != NULL; i++)
		g_string_append_printf(s, "  %-9s %s\n            %s\n",
		    workloads[i]->name, workloads[i]->doc, workloads[i]->params);
	return g_string_free(s, FALSE);
}

/* ---- failing ------------------------------------------------------- */

void
gen_fail(struct ginst *gi, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (gi->g->error != NULL)
		return;		/* the first reason is the one to tell */
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(&gi->g->error, WORKLOAD_ERROR, 0, "%s: %s", gi->label, msg);
	g_free(msg);
}

bool
gen_failed(const struct ginst *gi)
{
	return gi->g->error != NULL;
}

/* ---- parameters ---------------------------------------------------- */

static const char *
param(struct ginst *gi, const char *key)
{
	if (!g_hash_table_contains(gi->used, key))
		g_hash_table_add(gi->used, g_strdup(key));
	return g_hash_table_lookup(gi->params, key);
}

int64_t
gen_size(struct ginst *gi, const char *key, const char *dflt)
{
	const char *v = param(gi, key);
	int64_t n = 0;

	if (!profile_parse_size(v != NULL ? v : dflt, &n))
		gen_fail(gi, "%s=%s: expected a size (e.g. 4K, 64M)", key, v);
	return n;
}

int64_t
gen_int(struct ginst *gi, const char *key, int64_t dflt)
{
	const char *v = param(gi, key);
	char *end;
	int64_t n;

	if (v == NULL)
		return dflt;
	errno = 0;
	n = g_ascii_strtoll(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || n < 0) {
		gen_fail(gi, "%s=%s: expected a non-negative integer", key, v);
		return dflt;
	}
	return n;
}

int64_t
gen_time(struct ginst *gi, const char *key, const char *dflt)
{
	const char *v = param(gi, key);
	int64_t n = 0;

	if (!profile_parse_time(v != NULL ? v : dflt, &n))
		gen_fail(gi, "%s=%s: expected a time with its unit (e.g. 10us, 5s)",
		    key, v);
	return n;
}

double
gen_real(struct ginst *gi, const char *key, double dflt, double lo, double hi)
{
	const char *v = param(gi, key);
	char *end;
	double d;

	if (v == NULL)
		return dflt;
	errno = 0;
	d = g_ascii_strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < lo || d > hi) {
		gen_fail(gi, "%s=%s: expected a number from %g to %g", key, v, lo, hi);
		return dflt;
	}
	return d;
}

const char *
gen_str(struct ginst *gi, const char *key, const char *dflt)
{
	const char *v = param(gi, key);

	return v != NULL ? v : dflt;
}

bool
gen_path(struct ginst *gi, const char *key, const char *dflt, const char **out)
{
	const char *v = gen_str(gi, key, dflt);

	*out = v;
	if (v[0] != '/' || strlen(v) < 2 || strlen(v) > 900 ||
	    v[strlen(v) - 1] == '/' || strstr(v, "//") != NULL) {
		gen_fail(gi, "%s=%s: expected an absolute path, not the root, "
		    "without a trailing or doubled slash", key, v);
		return false;
	}
	return true;
}

int
gen_choice(struct ginst *gi, const char *key, const char *v,
    const char *const *names)
{
	GString *list;
	int i, n;

	for (n = 0; names[n] != NULL; n++)
		if (strcmp(v, names[n]) == 0)
			return n;
	/* "KEY must be A, B or C, not "V"" */
	list = g_string_new(names[0]);
	for (i = 1; i < n; i++)
		g_string_append_printf(list, "%s%s", i == n - 1 ? " or " : ", ",
		    names[i]);
	gen_fail(gi, "%s must be %s, not \"%s\"", key, list->str, v);
	g_string_free(list, TRUE);
	return -1;
}

GHashTable *
gen_subparams(struct ginst *gi, const char *prefix)
{
	GHashTable *sub = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	size_t n = strlen(prefix);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, gi->params);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *key = k;

		if (strncmp(key, prefix, n) == 0 && key[n] == '.' &&
		    key[n + 1] != '\0') {
			(void)param(gi, key);
			g_hash_table_insert(sub, g_strdup(key + n + 1), g_strdup(v));
		}
	}
	return sub;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A parameter the generator never read is a typo: say which (the first
 * in name order, so the message does not depend on hashing). */
static bool
check_unused(struct ginst *gi)
{
	GPtrArray *bad = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;
	bool ok;

	g_hash_table_iter_init(&it, gi->params);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (!g_hash_table_contains(gi->used, k))
			g_ptr_array_add(bad, k);
	ok = bad->len == 0;
	if (!ok) {
		g_ptr_array_sort(bad, cmp_str);
		gen_fail(gi, "no parameter \"%s\" (it has: %s)",
		    (char *)g_ptr_array_index(bad, 0), gi->wl->params);
	}
	g_ptr_array_free(bad, TRUE);
	return ok;
}

/* ---- randomness ---------------------------------------------------- */

double
gen_uniform(struct ginst *gi)
{
	return g_rand_double(gi->rng);
}

int64_t
gen_below(struct ginst *gi, int64_t n)
{
	int64_t v;

	if (n <= 1)
		return 0;
	if (n <= G_MAXINT32)
		return g_rand_int_range(gi->rng, 0, (gint32)n);
	v = (int64_t)(g_rand_double(gi->rng) * (double)n);
	return MIN(v, n - 1);
}

int64_t
gen_exponential(struct ginst *gi, int64_t mean)
{
	if (mean <= 0)
		return 0;
	return llround(-(double)mean * log1p(-g_rand_double(gi->rng)));
}

/* SplitMix64 (Steele, Lea and Flood): a bijective mixer, so that a value
 * can be derived from (seed, index) in any order. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

double
gen_hash_unit(uint64_t seed, uint64_t index)
{
	return (double)(mix64(seed ^ mix64(index)) >> 11) * 0x1p-53;
}

/*
 * Zipf by rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * ACM TOMACS 6(3), 1996): invert the integral H of the hat x^-s over
 * [1.5, n + 0.5], round to the nearest integer k, and accept k unless
 * the draw fell in the part of k's interval above h(k).  Constant memory
 * and time whatever n is; the acceptance rate is high for every s.
 */
static double
log1p_over(double x)		/* log(1 + x) / x, continuous at 0 */
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double
expm1_over(double x)		/* (exp(x) - 1) / x, continuous at 0 */
{
	return fabs(x) > 1e-8 ? expm1(x) / x :
	    1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}

static double
zipf_H(const struct zipf *z, double x)	/* (x^(1-s) - 1) / (1 - s) */
{
	double lx = log(x);

	return expm1_over((1 - z->s) * lx) * lx;
}

static double
zipf_h(const struct zipf *z, double x)
{
	return exp(-z->s * log(x));
}

static double
zipf_Hinv(const struct zipf *z, double y)
{
	double t = y * (1 - z->s);

	if (t < -1)
		t = -1;		/* rounding at the far end */
	return exp(log1p_over(t) * y);
}

void
zipf_init(struct zipf *z, double s, int64_t n)
{
	z->s = s;
	z->n = (double)MAX(n, 1);
	z->hx1 = zipf_H(z, 1.5) - 1;
	z->hn = zipf_H(z, z->n + 0.5);
	z->thresh = 2 - zipf_Hinv(z, zipf_H(z, 2.5) - zipf_h(z, 2));
}

int64_t
zipf_next(const struct zipf *z, struct ginst *gi)
{
	for (;;) {
		double u = z->hn + g_rand_double(gi->rng) * (z->hx1 - z->hn);
		double x = zipf_Hinv(z, u);
		double k = floor(x + 0.5);

		if (k < 1)
			k = 1;
		else if (k > z->n)
			k = z->n;
		if (k - x <= z->thresh || u >= zipf_H(z, k + 0.5) - zipf_h(z, k))
			return (int64_t)k;
	}
}

/* ---- the scheduler ------------------------------------------------- */

static gint
proc_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct gproc *x = a, *y = b;

	(void)unused;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static struct gen *
gen_new(void)
{
	struct gen *g = g_new0(struct gen, 1);

	g->runq = g_sequence_new(NULL);
	g->procs = g_hash_table_new(g_direct_hash, g_direct_equal);
	g->insts = g_ptr_array_new();
	g->pending = g_ptr_array_new();
	g->pending_insts = g_ptr_array_new();
	g->nextpid = 1000;
	g->last_t = INT64_MIN;
	trace_call_init(&g->tc);
	return g;
}

static void
inst_free(struct ginst *gi)
{
	if (gi->wl->finish != NULL)
		gi->wl->finish(gi);
	g_ptr_array_remove_fast(gi->g->insts, gi);
	g_hash_table_destroy(gi->params);
	g_hash_table_destroy(gi->used);
	g_rand_free(gi->rng);
	g_free(gi->state);
	g_free((char *)gi->label);
	g_free(gi);
}

static void
proc_free(struct gen *g, struct gproc *p)
{
	if (p->it != NULL)
		g_sequence_remove(p->it);
	if (p->gi->wl->proc_free != NULL)
		p->gi->wl->proc_free(p->gi, p);
	g_hash_table_remove(g->procs, p);
	g_free(p);
}

static void
gen_free(struct gen *g)
{
	GHashTableIter it;
	gpointer k;

	if (g == NULL)
		return;
	/* Processes first: their proc_free may look at their instance. */
	while (g_hash_table_size(g->procs) > 0) {
		g_hash_table_iter_init(&it, g->procs);
		g_hash_table_iter_next(&it, &k, NULL);
		proc_free(g, k);
	}
	while (g->insts->len > 0)
		inst_free(g_ptr_array_index(g->insts, g->insts->len - 1));
	g_sequence_free(g->runq);
	g_hash_table_destroy(g->procs);
	g_ptr_array_free(g->insts, TRUE);
	g_ptr_array_free(g->pending, TRUE);
	g_ptr_array_free(g->pending_insts, TRUE);
	trace_call_free(&g->tc);
	if (g->error != NULL)
		g_error_free(g->error);
	g_free(g);
}

static void
schedule(struct gen *g, struct gproc *p)
{
	p->it = g_sequence_insert_sorted(g->runq, p, proc_cmp, NULL);
}

static void
wake(struct gen *g, struct gproc *p)
{
	p->sleeping = false;
	g->sleeping--;
	p->t = MAX(p->t, p->child_end);
	schedule(g, p);
}

/* p has ended: tell its parent, and end its instance with its last. */
static void
proc_end(struct gen *g, struct gproc *p)
{
	struct gproc *w = p->waiter;
	struct ginst *gi = p->gi;

	if (w != NULL) {
		w->nchild--;
		w->child_end = MAX(w->child_end, p->t);
		if (w->nchild == 0 && w->sleeping)
			wake(g, w);
	}
	if (p->nchild > 0) {
		/* It did not wait for its children: they are orphans. */
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, g->procs);
		while (g_hash_table_iter_next(&it, &k, NULL))
			if (((struct gproc *)k)->waiter == p)
				((struct gproc *)k)->waiter = NULL;
	}
	proc_free(g, p);
	if (--gi->live == 0 && gi->initialized)
		inst_free(gi);
}

static struct gproc *
proc_new(struct ginst *gi)
{
	struct gen *g = gi->g;
	struct gproc *p = g_malloc0(MAX(gi->wl->procsize, sizeof(struct gproc)));

	p->gi = gi;
	p->pid = g->nextpid++;
	p->fds = 0x7;		/* stdin, stdout, stderr */
	p->order = g->order++;
	p->child_end = INT64_MIN;
	gi->live++;
	g_hash_table_add(g->procs, p);
	return p;
}

struct gproc *
gen_spawn(struct ginst *gi, int64_t delay)
{
	struct gen *g = gi->g;
	struct gproc *p = proc_new(gi);

	if (g->initdepth > 0) {
		/* Placed in time once the outermost init is done. */
		p->t = delay;
		g_ptr_array_add(g->pending, p);
	} else {
		p->t = gi->t0 + delay;
		schedule(g, p);
	}
	return p;
}

static struct ginst *
inst_new(struct gen *g, struct ginst *from, const struct workload *wl,
    GHashTable *params, uint64_t seed)
{
	struct ginst *gi = g_new0(struct ginst, 1);
	guint32 s[2];
	GHashTableIter it;
	gpointer k, v;

	gi->g = g;
	gi->wl = wl;
	gi->label = from != NULL ? g_strdup_printf("%s/%s", from->label, wl->name) :
	    g_strdup(wl->name);
	gi->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (params != NULL) {
		g_hash_table_iter_init(&it, params);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(gi->params, g_strdup(k), g_strdup(v));
	}
	gi->used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	/* A started generator draws its seed from its starter's stream, so
	 * every instance has its own and the whole run follows the seed. */
	if (from != NULL)
		seed = (uint64_t)g_rand_int(from->rng) << 32 | g_rand_int(from->rng);
	gi->seed = seed;
	s[0] = (guint32)seed;
	s[1] = (guint32)(seed >> 32);
	gi->rng = g_rand_new_with_seed_array(s, 2);
	if (wl->statesize > 0)
		gi->state = g_malloc0(wl->statesize);
	g_ptr_array_add(g->insts, gi);
	return gi;
}

static bool
start(struct gen *g, struct ginst *from, const struct workload *wl,
    GHashTable *params, uint64_t seed, int64_t at, struct gproc *parent,
    GArray *pids)
{
	bool outer = g->initdepth == 0;
	struct ginst *gi;
	int64_t base;
	guint i;
	bool ok;

	if (outer) {
		g_ptr_array_set_size(g->pending, 0);
		g_ptr_array_set_size(g->pending_insts, 0);
	}
	gi = inst_new(g, from, wl, params, seed);
	g_ptr_array_add(g->pending_insts, gi);
	g->initdepth++;
	ok = wl->init(gi) && g->error == NULL && check_unused(gi);
	g->initdepth--;
	gi->initialized = true;
	if (!outer)
		return ok;
	if (!ok || g->error != NULL) {
		for (i = 0; i < g->pending->len; i++)
			proc_free(g, g_ptr_array_index(g->pending, i));
		for (i = 0; i < g->pending_insts->len; i++)
			inst_free(g_ptr_array_index(g->pending_insts, i));
		g_ptr_array_set_size(g->pending, 0);
		g_ptr_array_set_size(g->pending_insts, 0);
		if (g->error == NULL)
			g_set_error(&g->error, WORKLOAD_ERROR, 0, "%s failed", wl->name);
		return false;
	}
	/* A parent creates each new process with a clone, one call each,
	 * and the processes begin after the last of those. */
	base = parent != NULL ? parent->t + (int64_t)g->pending->len * GEN_CALL_NS :
	    at;
	for (i = 0; i < g->pending_insts->len; i++)
		((struct ginst *)g_ptr_array_index(g->pending_insts, i))->t0 = base;
	for (i = 0; i < g->pending->len; i++) {
		struct gproc *p = g_ptr_array_index(g->pending, i);

		p->t += base;
		if (parent != NULL) {
			p->waiter = parent;
			parent->nchild++;
		}
		if (pids != NULL)
			g_array_append_val(pids, p->pid);
		schedule(g, p);
	}
	g_ptr_array_set_size(g->pending, 0);
	/* An instance that started no process is over already. */
	for (i = 0; i < g->pending_insts->len; i++) {
		struct ginst *x = g_ptr_array_index(g->pending_insts, i);

		if (x->live == 0)
			inst_free(x);
	}
	g_ptr_array_set_size(g->pending_insts, 0);
	return true;
}

bool
gen_start(struct ginst *from, const struct workload *wl, GHashTable *params,
    int64_t at, struct gproc *parent, GArray *pids)
{
	return start(from->g, from, wl, params, 0, at, parent, pids);
}

bool
gen_validate(struct ginst *from, const struct workload *wl, GHashTable *params)
{
	struct gen *tmp = gen_new();
	bool ok = start(tmp, NULL, wl, params, 0, 0, NULL, NULL);

	if (!ok)
		gen_fail(from, "%s", tmp->error->message);
	gen_free(tmp);
	return ok;
}

struct gproc *
gen_fork(struct gproc *parent)
{
	struct ginst *gi = parent->gi;
	struct gproc *c = proc_new(gi);

	gen_clone(parent, c->pid);
	/* It runs once the clone has returned, with a copy of the
	 * descriptors (fork1 copies the table). */
	c->t = parent->t;
	c->fds = parent->fds;
	c->waiter = parent;
	parent->nchild++;
	schedule(gi->g, c);
	return c;
}

void
gen_wait(struct gproc *p)
{
	if (p->nchild > 0)
		p->sleeping = true;	/* off the run queue after this step */
	else
		p->t = MAX(p->t, p->child_end);
}

struct gen *
workload_open(const char *name, char **params, uint64_t seed, GError **err)
{
	const struct workload *wl = workload_lookup(name);
	GHashTable *ptab;
	struct gen *g;
	char **pp;
	bool ok;

	if (wl == NULL) {
		g_set_error(err, WORKLOAD_ERROR, 0, "no generator \"%s\" "
		    "(vfssim gen --list shows them)", name);
		return NULL;
	}
	ptab = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (pp = params; pp != NULL && *pp != NULL; pp++) {
		const char *eq = strchr(*pp, '=');

		if (eq == NULL || eq == *pp) {
			g_set_error(err, WORKLOAD_ERROR, 0,
			    "--param %s: expected key=value", *pp);
			g_hash_table_destroy(ptab);
			return NULL;
		}
		g_hash_table_insert(ptab, g_strndup(*pp, (size_t)(eq - *pp)),
		    g_strdup(eq + 1));
	}
	g = gen_new();
	ok = start(g, NULL, wl, ptab, seed, GEN_START_NS, NULL, NULL);
	g_hash_table_destroy(ptab);
	if (!ok) {
		g_propagate_error(err, g->error);
		g->error = NULL;
		gen_free(g);
		return NULL;
	}
	return g;
}

int
workload_next(struct gen *g, struct trace_call *tc, GError **err)
{
	for (;;) {
		GSequenceIter *it;
		struct gproc *p;
		int64_t t;
		bool moved;

		if (g->error != NULL) {
			g_propagate_error(err, g_error_copy(g->error));
			return -1;
		}
		it = g_sequence_get_begin_iter(g->runq);
		if (g_sequence_iter_is_end(it)) {
			if (g->sleeping > 0) {
				g_set_error(&g->error, WORKLOAD_ERROR, 0,
				    "%u processes wait for children that never end",
				    g->sleeping);
				continue;
			}
			return 0;
		}
		p = g_sequence_get(it);
		t = p->t;
		g->cur = p;
		p->gi->wl->step(p->gi, p);
		g->cur = NULL;
		moved = p->done || p->sleeping || p->t != t;
		if (p->done)
			proc_end(g, p);		/* frees p */
		else if (p->sleeping) {
			g_sequence_remove(p->it);
			p->it = NULL;
			g->sleeping++;
		} else
			g_sequence_sort_changed(p->it, proc_cmp, NULL);
		if (g->have) {
			struct trace_call tmp = *tc;

			/* Hand the call over by swapping storage: no copy. */
			*tc = g->tc;
			g->tc = tmp;
			trace_call_reset(&g->tc);
			g->have = false;
			g->idle = 0;
			return 1;
		}
		if (moved)
			g->idle = 0;
		else if (++g->idle > GEN_MAX_IDLE && g->error == NULL)
			g_set_error(&g->error, WORKLOAD_ERROR, 0,
			    "%s: a process makes no progress", p->gi->label);
	}
}

void
workload_close(struct gen *g)
{
	gen_free(g);
}

/* ---- as a trace ------------------------------------------------------ */

static int
src_next(void *arg, struct trace_call *tc, GError **err)
{
	return workload_next(arg, tc, err);
}

static void
src_close(void *arg)
{
	workload_close(arg);
}

static const struct trace_source_ops workload_source = {
	.next = src_next,
	.close = src_close,
};

struct trace_reader *
workload_reader(const char *name, char **params, uint64_t seed, GError **err)
{
	struct gen *g = workload_open(name, params, seed, err);
	struct trace_reader *r;
	char *label;

	if (g == NULL)
		return NULL;
	label = g_strdup_printf("gen:%s", name);
	r = trace_source_open(&workload_source, g, label);
	g_free(label);
	return r;
}

bool
workload_generate(const char *name, char **params, uint64_t seed,
    const char *out, GError **err)
{
	struct gen *g = workload_open(name, params, seed, err);
	struct trace_writer *w;
	struct trace_call tc;
	GError *e2 = NULL;
	char *tmp;
	bool ok = true;
	int rc;

	if (g == NULL)
		return false;
	/* A temporary name until the end: a failure leaves nothing. */
	tmp = g_strdup_printf("%s.partial", out);
	w = trace_writer_open(tmp, g_str_has_suffix(out, ".gz"), err);
	if (w == NULL) {
		workload_close(g);
		g_free(tmp);
		return false;
	}
	/* A generator's times are nominal: the replay infers no order
	 * between its processes from them (replay.order). */
	trace_writer_nominal(w);
	trace_call_init(&tc);
	while ((rc = workload_next(g, &tc, err)) == 1)
		if (!trace_write(w, &tc, err)) {
			ok = false;
			break;
		}
	if (rc < 0)
		ok = false;
	if (!trace_writer_close(w, ok ? err : &e2))
		ok = false;
	g_clear_error(&e2);
	if (ok && rename(tmp, out) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", out, g_strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	trace_call_free(&tc);
	workload_close(g);
	g_free(tmp);
	return ok;
}

/* ---- emitting calls ------------------------------------------------ */

static struct trace_call *
begin(struct gproc *p, const char *name)
{
	struct trace_call *tc = &p->gi->g->tc;

	trace_call_reset(tc);
	tc->pid = p->pid;
	tc->t_ns = p->t;
	tc->dur_ns = GEN_CALL_NS;
	g_strlcpy(tc->name, name, sizeof(tc->name));
	tc->sc = sc_lookup(name);
	return tc;
}

/* The call in g->tc is made: check the rules and move p's clock past it. */
static void
emit(struct gproc *p)
{
	struct gen *g = p->gi->g;

	if (g->error != NULL)
		return;
	if (p != g->cur)
		gen_fail(p->gi, "pid %d made a call in another process's step",
		    p->pid);
	else if (g->have)
		gen_fail(p->gi, "pid %d made two calls in one step", p->pid);
	else if (g->tc.t_ns < g->last_t)
		gen_fail(p->gi, "pid %d made a call at %lld ns, before one at "
		    "%lld ns: it thought before its call", p->pid,
		    (long long)g->tc.t_ns, (long long)g->last_t);
	if (g->error != NULL)
		return;
	g->last_t = g->tc.t_ns;
	g->have = true;
	g->records++;
	g->tc.line = g->records + 3;	/* as in the file gen writes (3 header
					   lines) */
	if (g->tc.kind == TC_CALL)
		p->t += g->tc.dur_ns;
}

static void
set_path(struct trace_call *tc, char **field, const char *path)
{
	trace_call_set_str(tc, field, path, strlen(path));
}

void
gen_sleep(struct gproc *p, int64_t ns)
{
	struct trace_call *tc = begin(p, "clock_nanosleep");

	/* Not modelled: the replay lets the time the trace shows pass. */
	tc->dur_ns = MAX(ns, 0);
	tc->ret = 0;
	emit(p);
}

void
gen_think(struct gproc *p, int64_t ns)
{
	if (ns > 0)
		p->t += ns;
}

int
gen_openat(struct gproc *p, const char *path, uint32_t oflags)
{
	struct trace_call *tc = begin(p, "openat");
	int fd;

	/* The lowest free descriptor, as open(2) returns. */
	for (fd = 3; fd < GEN_MAXFD && (p->fds & (1ULL << fd)); fd++)
		;
	if (fd == GEN_MAXFD) {
		gen_fail(p->gi, "pid %d has %d descriptors open", p->pid, GEN_MAXFD);
		return -1;
	}
	p->fds |= 1ULL << fd;
	tc->fd = TC_AT_FDCWD;
	set_path(tc, &tc->path, path);
	tc->oflags = oflags;
	if (oflags & TO_CREAT)
		tc->mode = 0644;
	tc->ret = fd;
	emit(p);
	return fd;
}

void
gen_close(struct gproc *p, int fd)
{
	struct trace_call *tc = begin(p, "close");

	tc->fd = fd;
	tc->ret = 0;
	if (fd >= 0 && fd < GEN_MAXFD)
		p->fds &= ~(1ULL << fd);
	emit(p);
}

void
gen_read(struct gproc *p, int fd, int64_t len, int64_t got)
{
	struct trace_call *tc = begin(p, "read");

	tc->fd = fd;
	tc->len = len;
	tc->ret = got;
	emit(p);
}

void
gen_write(struct gproc *p, int fd, int64_t len)
{
	struct trace_call *tc = begin(p, "write");

	tc->fd = fd;
	tc->len = len;
	tc->ret = len;
	emit(p);
}

int64_t
gen_read_upto(struct gproc *p, int fd, int64_t len, int64_t left)
{
	int64_t got = MAX(MIN(len, left), 0);

	gen_read(p, fd, len, got);
	return got;
}

int64_t
gen_write_upto(struct gproc *p, int fd, int64_t len, int64_t left)
{
	int64_t n = MIN(len, left);

	gen_write(p, fd, n);
	return n;
}

void
gen_pread(struct gproc *p, int fd, int64_t len, int64_t off, int64_t got)
{
	struct trace_call *tc = begin(p, "pread64");

	tc->fd = fd;
	tc->len = len;
	tc->off = off;
	tc->ret = got;
	emit(p);
}

void
gen_pwrite(struct gproc *p, int fd, int64_t len, int64_t off)
{
	struct trace_call *tc = begin(p, "pwrite64");

	tc->fd = fd;
	tc->len = len;
	tc->off = off;
	tc->ret = len;
	emit(p);
}

void
gen_lseek(struct gproc *p, int fd, int64_t off)
{
	struct trace_call *tc = begin(p, "lseek");

	tc->fd = fd;
	tc->off = off;
	tc->cmd = TCMD_SEEK_SET;
	tc->ret = off;
	emit(p);
}

void
gen_fsync(struct gproc *p, int fd)
{
	struct trace_call *tc = begin(p, "fsync");

	tc->fd = fd;
	tc->ret = 0;
	emit(p);
}

void
gen_fstat(struct gproc *p, int fd, int64_t size)
{
	struct trace_call *tc = begin(p, "fstat");

	tc->fd = fd;
	tc->ret = 0;
	tc->st_size = size;
	tc->st_type = TT_REG;
	emit(p);
}

void
gen_stat(struct gproc *p, const char *path, enum tc_type type, int64_t size)
{
	struct trace_call *tc = begin(p, "newfstatat");

	tc->fd = TC_AT_FDCWD;
	set_path(tc, &tc->path, path);
	tc->atflags = TAT_SYMLINK_NOFOLLOW;
	tc->ret = 0;
	tc->st_type = type;
	tc->st_size = size;
	emit(p);
}

void
gen_getdents(struct gproc *p, int fd, int64_t got)
{
	struct trace_call *tc = begin(p, "getdents64");

	tc->fd = fd;
	tc->len = GEN_DIRBUF;
	tc->ret = got;
	emit(p);
}

int64_t
gen_dir_bytes(int entries)
{
	return 32 * ((int64_t)entries + 2);
}

bool
gen_readdir(struct gproc *p, int fd, int64_t *left)
{
	int64_t n = MIN(*left, GEN_DIRBUF);

	gen_getdents(p, fd, n);
	*left -= n;
	return n == 0;
}

void
gen_mkdir(struct gproc *p, const char *path)
{
	struct trace_call *tc = begin(p, "mkdir");

	set_path(tc, &tc->path, path);
	tc->mode = 0755;
	tc->ret = 0;
	emit(p);
}

void
gen_rmdir(struct gproc *p, const char *path)
{
	struct trace_call *tc = begin(p, "rmdir");

	set_path(tc, &tc->path, path);
	tc->ret = 0;
	emit(p);
}

void
gen_unlink(struct gproc *p, const char *path)
{
	struct trace_call *tc = begin(p, "unlink");

	set_path(tc, &tc->path, path);
	tc->ret = 0;
	emit(p);
}

void
gen_rename(struct gproc *p, const char *from, const char *to)
{
	struct trace_call *tc = begin(p, "rename");

	set_path(tc, &tc->path, from);
	set_path(tc, &tc->path2, to);
	tc->ret = 0;
	emit(p);
}

void
gen_clone(struct gproc *p, int32_t child)
{
	struct trace_call *tc = begin(p, "clone");

	/* A fork: the child gets a copy of the descriptor table. */
	tc->ret = child;
	emit(p);
}

void
gen_wait4(struct gproc *p, int32_t child)
{
	struct trace_call *tc = begin(p, "wait4");

	tc->ret = child;
	emit(p);
}

void
gen_other(struct gproc *p, const char *name, const char *path)
{
	struct trace_call *tc = begin(p, name);

	if (path != NULL)
		set_path(tc, &tc->path, path);
	tc->ret = 0;
	emit(p);
}

void
gen_exit(struct gproc *p)
{
	struct trace_call *tc = begin(p, "+++");

	tc->kind = TC_EXIT;
	tc->sc = SC_OTHER;
	tc->dur_ns = -1;
	tc->ret = 0;
	emit(p);
	p->done = true;
}
