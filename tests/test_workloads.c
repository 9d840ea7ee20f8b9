/*
 * Unit tests of the workload generators: the calls they make are read
 * back and analysed.  Every generator's calls are well formed (time
 * order, descriptors, processes); each has the access pattern it claims;
 * the same seed gives the same calls, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"
#include "workloads/workload.h"

typedef void (*visit_fn)(const struct trace_call *tc, void *arg);

/* What the well-formedness check knows of a process. */
struct pst {
	uint64_t	 fds;		/* open descriptors */
	int32_t		 parent;	/* 0: not created by a clone */
	bool		 exited;
};

static struct pst *
pst_get(GHashTable *procs, int32_t pid)
{
	struct pst *s = g_hash_table_lookup(procs, GINT_TO_POINTER(pid));

	if (s == NULL) {
		s = g_new0(struct pst, 1);
		s->fds = 0x7;
		g_hash_table_insert(procs, GINT_TO_POINTER(pid), s);
	}
	return s;
}

static bool
uses_fd(const struct trace_call *tc)
{
	switch (tc->sc) {
	case SC_CLOSE: case SC_READ: case SC_WRITE: case SC_PREAD: case SC_PWRITE:
	case SC_FSTAT: case SC_FSYNC: case SC_GETDENTS64: case SC_LSEEK:
		return true;
	default:
		return false;
	}
}

/* Every call any generator makes must pass these. */
static void
check_call(GHashTable *procs, int64_t *last_t, const struct trace_call *tc)
{
	struct pst *s, *c;
	guint i;

	if (tc->t_ns < *last_t)
		fail_msg("record at %lld ns after one at %lld ns",
		    (long long)tc->t_ns, (long long)*last_t);
	*last_t = tc->t_ns;
	s = pst_get(procs, tc->pid);
	if (s->exited)
		fail_msg("pid %d makes a call after its end", tc->pid);
	if (tc->kind == TC_EXIT) {
		s->exited = true;
		return;
	}
	assert_true(tc->dur_ns >= 0);
	if (uses_fd(tc) && (tc->fd < 0 || tc->fd >= 64 ||
	    !(s->fds & (1ULL << tc->fd))))
		fail_msg("pid %d: %s on fd %d, which is not open", tc->pid,
		    tc->name, tc->fd);
	switch (tc->sc) {
	case SC_OPENAT:
		assert_true(tc->path != NULL && tc->path[0] == '/');
		if (tc->ret < 3 || tc->ret >= 64 || (s->fds & (1ULL << tc->ret)))
			fail_msg("pid %d: openat returns fd %lld, already open",
			    tc->pid, (long long)tc->ret);
		/* the lowest free one, as open(2) gives */
		for (i = 3; i < tc->ret; i++)
			assert_true(s->fds & (1ULL << i));
		s->fds |= 1ULL << tc->ret;
		break;
	case SC_CLOSE:
		s->fds &= ~(1ULL << tc->fd);
		break;
	case SC_CLONE:
		if (g_hash_table_contains(procs, GINT_TO_POINTER((int32_t)tc->ret)))
			fail_msg("pid %d clones %lld, which has run already",
			    tc->pid, (long long)tc->ret);
		c = pst_get(procs, (int32_t)tc->ret);
		c->fds = s->fds;	/* a fork copies the descriptors */
		c->parent = tc->pid;
		break;
	case SC_WAIT4:
		c = g_hash_table_lookup(procs, GINT_TO_POINTER((int32_t)tc->ret));
		if (c == NULL || c->parent != tc->pid || !c->exited)
			fail_msg("pid %d waits for %lld, not an ended child of its",
			    tc->pid, (long long)tc->ret);
		break;
	default:
		break;
	}
}

/* Run a generator, handing each call to fn; check every call. */
static uint64_t
gen_each(const char *name, const char *const *params, uint64_t seed,
    visit_fn fn, void *arg)
{
	GError *err = NULL;
	struct gen *g = workload_open(name, (char **)params, seed, &err);
	GHashTable *procs = g_hash_table_new_full(g_direct_hash, g_direct_equal,
	    NULL, g_free);
	struct trace_call tc;
	GHashTableIter it;
	gpointer k, v;
	int64_t last = INT64_MIN;
	uint64_t n = 0;
	int rc;

	if (g == NULL)
		fail_msg("%s: %s", name, err->message);
	trace_call_init(&tc);
	while ((rc = workload_next(g, &tc, &err)) == 1) {
		check_call(procs, &last, &tc);
		if (fn != NULL)
			fn(&tc, arg);
		n++;
	}
	if (rc < 0)
		fail_msg("%s: %s", name, err->message);
	/* every process ended */
	g_hash_table_iter_init(&it, procs);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (!((struct pst *)v)->exited)
			fail_msg("%s: pid %d never ends", name, GPOINTER_TO_INT(k));
	g_hash_table_destroy(procs);
	trace_call_free(&tc);
	workload_close(g);
	return n;
}

/* The calls as native text (what vfssim gen would write). */
static void
to_text(const struct trace_call *tc, void *arg)
{
	native_format_call(arg, tc);
}

static GString *
gen_text(const char *name, const char *const *params, uint64_t seed)
{
	GString *s = g_string_new("");

	(void)gen_each(name, params, seed, to_text, s);
	return s;
}

/* Kept calls, for tests that look back. */
static void
keep(const struct trace_call *tc, void *arg)
{
	struct trace_call *c = g_new(struct trace_call, 1);
	GString *line = g_string_new("");
	GError *err = NULL;

	trace_call_init(c);
	native_format_call(line, tc);
	assert_int_equal(native_parse_line(line->str, line->len - 1, c, &err), 1);
	g_ptr_array_add(arg, c);
	g_string_free(line, TRUE);
}

static void
call_free(gpointer p)
{
	trace_call_free(p);
	g_free(p);
}

static GPtrArray *
gen_calls(const char *name, const char *const *params, uint64_t seed)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(call_free);

	(void)gen_each(name, params, seed, keep, a);
	return a;
}

#define CALL(a, i)	((const struct trace_call *)g_ptr_array_index((a), (i)))

static uint64_t
count_calls(GPtrArray *a, const char *name)
{
	uint64_t n = 0;
	guint i;

	for (i = 0; i < a->len; i++)
		if (CALL(a, i)->kind == TC_CALL && strcmp(CALL(a, i)->name, name) == 0)
			n++;
	return n;
}

/* Small parameters for every generator, so each test runs quickly. */
static const struct {
	const char	*name;
	const char	*params[8];
	bool		 random;	/* its calls depend on the seed */
} small[] = {
	{ "seq", { "size=256K", "procs=2", "mode=rw", NULL }, false },
	{ "random", { "size=1M", "ops=300", "procs=2", "zipf=0.9", "fsync=7", NULL },
	  true },
	{ "dbm", { "size=1M", "ops=300", "procs=2", "create=1", NULL }, true },
	{ "tree", { "depth=2", "fanout=3", "files=4", "size=10K", "mode=both",
	  NULL }, false },
	{ "tar", { "depth=2", "fanout=3", "files=4", NULL }, true },
	{ "find", { "depth=2", "fanout=3", "files=4", "procs=2", NULL }, true },
	{ "postmark", { "files=30", "transactions=60", NULL }, true },
	{ "dblog", { "clients=2", "txns=40", "checkpoint=20ms", "think=1ms", NULL },
	  true },
	{ "dbench", { "clients=3", "loops=1", NULL }, true },
	{ "mix", { "count=2", "clients=2", "random.ops=50", "postmark.files=10",
	  NULL }, true },
	{ "snapshot", { "at=1ms,2ms", "hold=1ms", "dbm.ops=3000", "dbm.size=1M",
	  NULL }, true },
};

/* The registry: every generator is there once, with its documentation. */
static void
test_registry(void **state)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	size_t j;
	int i;

	for (i = 0; workloads[i] != NULL; i++) {
		const struct workload *wl = workloads[i];

		assert_non_null(wl->name);
		assert_true(strlen(wl->doc) > 10 && strlen(wl->params) > 3);
		assert_non_null(wl->init);
		assert_non_null(wl->step);
		assert_true(wl->procsize >= sizeof(struct gproc));
		assert_false(g_hash_table_contains(seen, wl->name));
		g_hash_table_add(seen, (gpointer)wl->name);
		assert_ptr_equal(workload_lookup(wl->name), wl);
	}
	/* the list, and a test of each here */
	assert_int_equal(i, (int)G_N_ELEMENTS(small));
	for (j = 0; j < G_N_ELEMENTS(small); j++)
		assert_true(g_hash_table_contains(seen, small[j].name));
	assert_null(workload_lookup("nope"));
	g_hash_table_destroy(seen);
}

/* Every generator, with its defaults and with small parameters, makes
 * well-formed calls (checked by gen_each). */
static void
test_well_formed(void **state)
{
	static const char *const none[] = { NULL };
	size_t j;

	for (j = 0; j < G_N_ELEMENTS(small); j++)
		assert_true(gen_each(small[j].name, small[j].params, 1, NULL,
		    NULL) > 10);
	/* defaults, for the quick ones */
	assert_true(gen_each("postmark", none, 1, NULL, NULL) > 1000);
	assert_true(gen_each("dbench", none, 1, NULL, NULL) > 1000);
	assert_true(gen_each("mix", none, 1, NULL, NULL) > 1000);
}

/* The same seed gives the same calls byte for byte; the seed matters to
 * the generators that draw random numbers. */
static void
test_deterministic(void **state)
{
	size_t j;

	for (j = 0; j < G_N_ELEMENTS(small); j++) {
		GString *a = gen_text(small[j].name, small[j].params, 7);
		GString *b = gen_text(small[j].name, small[j].params, 7);
		GString *c = gen_text(small[j].name, small[j].params, 8);

		if (!g_string_equal(a, b))
			fail_msg("%s: two runs with seed 7 differ", small[j].name);
		if (small[j].random == g_string_equal(a, c))
			fail_msg("%s: seeds 7 and 8 %s", small[j].name,
			    small[j].random ? "give the same calls" : "differ");
		g_string_free(a, TRUE);
		g_string_free(b, TRUE);
		g_string_free(c, TRUE);
	}
}

/* A written trace holds exactly the streamed calls, and is the same file
 * each time; read through workload_reader they are the same again. */
static void
test_file_and_reader(void **state)
{
	static const char *const params[] = { "count=2", "clients=2", NULL };
	char *p1 = g_strdup_printf("%s/vfssim-wl-%d-1.trace", g_get_tmp_dir(),
	    (int)getpid());
	char *p2 = g_strdup_printf("%s/vfssim-wl-%d-2.trace.gz", g_get_tmp_dir(),
	    (int)getpid());
	GPtrArray *calls = gen_calls("mix", params, 3);
	GError *err = NULL;
	struct trace_reader *rf, *rg;
	struct trace_call a, b;
	gchar *d1 = NULL, *d1b = NULL;
	gsize l1 = 0, l1b = 0;
	guint i;

	assert_true(workload_generate("mix", (char **)params, 3, p1, &err));
	assert_true(g_file_get_contents(p1, &d1, &l1, NULL));
	assert_true(workload_generate("mix", (char **)params, 3, p1, &err));
	assert_true(g_file_get_contents(p1, &d1b, &l1b, NULL));
	assert_true(l1 == l1b && memcmp(d1, d1b, l1) == 0);
	assert_true(workload_generate("mix", (char **)params, 3, p2, &err));

	rf = trace_open(p2, &err);
	rg = workload_reader("mix", (char **)params, 3, &err);
	assert_non_null(rf);
	assert_non_null(rg);
	assert_int_equal(trace_reader_format(rg), TF_GENERATED);
	trace_call_init(&a);
	trace_call_init(&b);
	for (i = 0; i < calls->len; i++) {
		assert_int_equal(trace_read(rf, &a, &err), 1);
		assert_int_equal(trace_read(rg, &b, &err), 1);
		assert_true(trace_call_equal(&a, CALL(calls, i)));
		assert_true(trace_call_equal(&b, CALL(calls, i)));
		/* a generated call says where it would be in the file */
		assert_int_equal(a.line, b.line);
	}
	assert_int_equal(trace_read(rf, &a, &err), 0);
	assert_int_equal(trace_read(rg, &b, &err), 0);
	trace_close(rf);
	trace_close(rg);
	trace_call_free(&a);
	trace_call_free(&b);
	g_ptr_array_free(calls, TRUE);
	unlink(p1);
	unlink(p2);
	g_free(d1);
	g_free(d1b);
	g_free(p1);
	g_free(p2);
}

/* Bad parameters are refused up front, with the key in the message. */
static void
test_bad_params(void **state)
{
	static const struct {
		const char	*name;
		const char	*params[3];
		const char	*want;
	} bad[] = {
		{ "nope", { NULL }, "no generator" },
		{ "seq", { "sise=1M", NULL }, "no parameter \"sise\"" },
		{ "seq", { "size=lots", NULL }, "size=lots" },
		{ "seq", { "mode=append", NULL }, "mode" },
		{ "seq", { "path=relative", NULL }, "path=relative" },
		{ "seq", { "novalue", NULL }, "novalue" },
		{ "random", { "read=1.5", NULL }, "read=1.5" },
		{ "random", { "zipf=-1", NULL }, "zipf=-1" },
		{ "random", { "iosize=1M", "size=64K", NULL }, "iosize" },
		{ "tree", { "depth=99", NULL }, "depth" },
		{ "tree", { "depth=8", "fanout=100", NULL }, "too large" },
		{ "tar", { "iosize=1000", NULL }, "512" },
		{ "dblog", { "checkpoint=1us", NULL }, "checkpoint" },
		{ "mix", { "jobs=mix", NULL }, "\"mix\"" },
		{ "mix", { "jobs=seq:0", NULL }, "weight" },
		{ "mix", { "seq.sise=1M", NULL }, "sise" },
		{ "mix", { "tree.depth=1", NULL }, "tree.depth" },
		{ "snapshot", { "load=snapshot", NULL }, "load" },
		{ "snapshot", { "at=soon", NULL }, "at=soon" },
		{ "snapshot", { "dbm.ops=x", NULL }, "ops=x" },
	};
	size_t j;

	for (j = 0; j < G_N_ELEMENTS(bad); j++) {
		GError *err = NULL;
		struct gen *g = workload_open(bad[j].name, (char **)bad[j].params,
		    1, &err);

		if (g != NULL)
			fail_msg("%s %s: accepted", bad[j].name, bad[j].params[0]);
		assert_non_null(err);
		assert_true(err->domain == WORKLOAD_ERROR);
		if (strstr(err->message, bad[j].want) == NULL)
			fail_msg("%s: \"%s\" does not say \"%s\"", bad[j].name,
			    err->message, bad[j].want);
		g_error_free(err);
	}
}

/* ---- access patterns ------------------------------------------------ */

/* seq: each pass reads or writes the file from its start to its end, one
 * request after the other, and only rewinds at the end. */
static void
test_seq_is_sequential(void **state)
{
	static const char *const params[] = { "size=1000K", "iosize=64K",
	    "procs=3", "mode=rw", "passes=2", NULL };
	GPtrArray *a = gen_calls("seq", params, 1);
	GHashTable *off = g_hash_table_new(g_direct_hash, g_direct_equal);
	int64_t size = 1000 * 1024, wbytes = 0, rbytes = 0;
	unsigned rewinds = 0, eofs = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);
		gpointer key = GINT_TO_POINTER(tc->pid * 64 + tc->fd);
		int64_t o = GPOINTER_TO_SIZE(g_hash_table_lookup(off, key));

		switch (tc->sc) {
		case SC_OPENAT:
			key = GINT_TO_POINTER(tc->pid * 64 + (int)tc->ret);
			g_hash_table_insert(off, key, GSIZE_TO_POINTER(0));
			break;
		case SC_WRITE: case SC_READ:
			/* a read asks for a whole request; a write writes what
			 * is left when that is less */
			assert_true(tc->len == (tc->sc == SC_READ ? 64 * 1024 : tc->ret));
			assert_true(o + tc->ret <= size);
			/* every request but a file's last is whole */
			assert_true(tc->ret == tc->len || o + tc->ret == size);
			if (tc->ret == 0) {
				assert_int_equal(o, size);
				eofs++;
			}
			if (tc->sc == SC_WRITE)
				wbytes += tc->ret;
			else
				rbytes += tc->ret;
			g_hash_table_insert(off, key, GSIZE_TO_POINTER(o + tc->ret));
			break;
		case SC_LSEEK:
			/* only back to the start, only from the end */
			assert_int_equal(tc->off, 0);
			assert_int_equal(o, size);
			rewinds++;
			g_hash_table_insert(off, key, GSIZE_TO_POINTER(0));
			break;
		case SC_PREAD: case SC_PWRITE:
			fail_msg("seq made a positional request");
			break;
		default:
			break;
		}
	}
	assert_int_equal(wbytes, 3 * size);		/* rw writes once */
	assert_int_equal(rbytes, 3 * 2 * size);		/* and reads twice */
	assert_int_equal(rewinds, 3);
	assert_int_equal(eofs, 3 * 2);
	g_hash_table_destroy(off);
	g_ptr_array_free(a, TRUE);
}

struct blockcount {
	int64_t		 iosize, nblocks;
	uint64_t	*count;
	uint64_t	 reads, writes, fsyncs;
};

static void
count_block(const struct trace_call *tc, void *arg)
{
	struct blockcount *bc = arg;

	if (tc->sc == SC_FSYNC)
		bc->fsyncs++;
	if (tc->sc != SC_PREAD && tc->sc != SC_PWRITE)
		return;
	assert_int_equal(tc->off % bc->iosize, 0);
	assert_true(tc->off / bc->iosize < bc->nblocks);
	assert_int_equal(tc->len, bc->iosize);
	bc->count[tc->off / bc->iosize]++;
	if (tc->sc == SC_PREAD)
		bc->reads++;
	else
		bc->writes++;
}

static gint
cmp_desc(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x > y ? -1 : x < y;
}

/*
 * The Zipf exponent measured from the trace: block counts sorted into
 * ranks, the least-squares slope of log(count) against log(rank) over the
 * first ranks (where counts are large enough to trust).
 */
static double
measured_skew(const struct blockcount *bc, int ranks)
{
	uint64_t *c = g_memdup2(bc->count, sizeof(uint64_t) * (size_t)bc->nblocks);
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int r;

	qsort(c, (size_t)bc->nblocks, sizeof(uint64_t), cmp_desc);
	for (r = 1; r <= ranks; r++) {
		double x = log(r), y = log((double)c[r - 1]);

		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
	}
	g_free(c);
	return -(ranks * sxy - sx * sy) / (ranks * sxx - sx * sx);
}

static void
zipf_case(const char *skew, double want)
{
	char zp[32];
	const char *params[] = { "size=32M", "iosize=8K", "ops=200000",
	    "read=0.7", zp, NULL };
	struct blockcount bc = { 8192, 4096, NULL, 0, 0, 0 };
	uint64_t max = 0, hot = 0;
	int64_t b;

	g_snprintf(zp, sizeof(zp), "zipf=%s", skew);
	bc.count = g_new0(uint64_t, 4096);
	(void)gen_each("random", params, 11, count_block, &bc);
	assert_int_equal(bc.reads + bc.writes, 200000);
	/* the read fraction too */
	assert_true(fabs((double)bc.reads / 200000 - 0.7) < 0.01);
	for (b = 0; b < bc.nblocks; b++)
		max = MAX(max, bc.count[b]);
	if (want > 0) {
		double s = measured_skew(&bc, 50);

		if (fabs(s - want) > 0.06)
			fail_msg("zipf=%s: measured skew %.3f", skew, s);
		/* the hottest blocks are scattered, not all at the start */
		for (b = 0; b < 64; b++)
			hot += bc.count[b];
		assert_true(hot < 200000 / 4);
	} else {
		/* uniform: Pearson's chi-square over the 4096 blocks is within
		 * five standard deviations of its mean (4095 degrees of
		 * freedom: mean 4095, sd 90.5) */
		double m = 200000.0 / 4096, chi = 0;

		for (b = 0; b < bc.nblocks; b++)
			chi += ((double)bc.count[b] - m) * ((double)bc.count[b] - m) / m;
		if (fabs(chi - 4095) > 5 * 90.5)
			fail_msg("zipf=0: chi-square %.0f", chi);
		assert_true((double)max < 2 * m);
	}
	g_free(bc.count);
}

static void
test_random_zipf(void **state)
{
	zipf_case("0", 0);
	zipf_case("0.8", 0.8);
	zipf_case("1.2", 1.2);
}

/* The sampler on its own: P(1)/P(2) = 2^s, and ranks stay in range. */
static void
test_zipf_sampler(void **state)
{
	struct ginst gi;
	struct zipf z;
	uint64_t c1 = 0, c2 = 0;
	int i;

	/* an instance only for its random stream */
	memset(&gi, 0, sizeof(gi));
	gi.rng = g_rand_new_with_seed(5);
	zipf_init(&z, 1.0, 1000);
	for (i = 0; i < 400000; i++) {
		int64_t k = zipf_next(&z, &gi);

		assert_true(k >= 1 && k <= 1000);
		c1 += k == 1;
		c2 += k == 2;
	}
	assert_true(fabs((double)c1 / (double)c2 - 2.0) < 0.08);
	zipf_init(&z, 2.5, 3);
	for (i = 0; i < 1000; i++) {
		int64_t k = zipf_next(&z, &gi);

		assert_true(k >= 1 && k <= 3);
	}
	g_rand_free(gi.rng);
}

/* dbm: page-sized stores anywhere in the file: read then write back of
 * the same page, no two consecutive stores adjacent most of the time. */
static void
test_dbm_random_pages(void **state)
{
	static const char *const params[] = { "size=16M", "pagesize=4K",
	    "ops=2000", NULL };
	GPtrArray *a = gen_calls("dbm", params, 2);
	int64_t last = -1, lastw = -100;
	unsigned stores = 0, adjacent = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);

		assert_true(tc->sc != SC_WRITE && tc->sc != SC_READ);
		if (tc->sc == SC_PREAD) {
			assert_int_equal(tc->len, 4096);
			assert_int_equal(tc->off % 4096, 0);
			last = tc->off;
		} else if (tc->sc == SC_PWRITE) {
			/* the page just read */
			assert_int_equal(tc->off, last);
			stores++;
			if (llabs(tc->off - lastw) == 4096)
				adjacent++;
			lastw = tc->off;
		}
	}
	assert_int_equal(stores, 2000);		/* read=0: every op stores */
	assert_true(adjacent < 20);
	/* the file exists with its size: an fstat says so */
	assert_int_equal(count_calls(a, "fstat"), 1);
	g_ptr_array_free(a, TRUE);
}

static unsigned
slashes(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '/';
	return n;
}

/* tree: the asked-for shape, created before it is removed, parents
 * before children and children before parents respectively. */
static void
test_tree_shape(void **state)
{
	static const char *const params[] = { "depth=3", "fanout=3", "files=5",
	    "size=10K", "iosize=4K", "mode=both", NULL };
	GPtrArray *a = gen_calls("tree", params, 1);
	GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);	/* path -> entries made in it */
	GHashTable *live = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	unsigned mkdirs = 0, creates = 0, writes = 0, unlinks = 0, rmdirs = 0;
	unsigned maxdepth = 0, interior = 0, leaves = 0;
	bool removing = false;
	GHashTableIter it;
	gpointer k, v;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);
		char *parent = tc->path != NULL ? g_path_get_dirname(tc->path) : NULL;

		switch (tc->sc) {
		case SC_MKDIR:
			assert_false(removing);
			mkdirs++;
			if (strcmp(tc->path, "/data/tree.0") != 0)
				assert_true(g_hash_table_contains(dirs, parent));
			g_hash_table_insert(dirs, g_strdup(tc->path), GINT_TO_POINTER(0));
			g_hash_table_add(live, g_strdup(tc->path));
			if (strcmp(tc->path, "/data/tree.0") != 0)
				g_hash_table_insert(dirs, g_strdup(parent),
				    GINT_TO_POINTER(GPOINTER_TO_INT(
				    g_hash_table_lookup(dirs, parent)) + 1));
			break;
		case SC_OPENAT:
			if (tc->oflags & TO_CREAT) {
				creates++;
				assert_true(g_hash_table_contains(dirs, parent));
				g_hash_table_insert(dirs, g_strdup(parent),
				    GINT_TO_POINTER(GPOINTER_TO_INT(
				    g_hash_table_lookup(dirs, parent)) + 1));
				g_hash_table_add(live, g_strdup(tc->path));
				maxdepth = MAX(maxdepth, slashes(tc->path));
			} else
				removing = true;	/* rm -rf reads directories */
			break;
		case SC_WRITE:
			writes++;
			break;
		case SC_UNLINK:
			unlinks++;
			assert_true(g_hash_table_remove(live, tc->path));
			break;
		case SC_RMDIR: {
			/* empty by now: nothing under it is left */
			char *prefix = g_strconcat(tc->path, "/", NULL);

			g_hash_table_iter_init(&it, live);
			while (g_hash_table_iter_next(&it, &k, NULL))
				assert_false(g_str_has_prefix(k, prefix));
			g_free(prefix);
			assert_true(g_hash_table_remove(live, tc->path));
			rmdirs++;
			break;
		}
		default:
			break;
		}
		g_free(parent);
	}
	/* 1 + 3 + 9 + 27 directories, 5 files in each, 3 writes a file */
	assert_int_equal(mkdirs, 40);
	assert_int_equal(creates, 200);
	assert_int_equal(writes, 600);
	g_hash_table_iter_init(&it, dirs);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (GPOINTER_TO_INT(v) == 5 + 3)
			interior++;
		else if (GPOINTER_TO_INT(v) == 5)
			leaves++;
		else
			fail_msg("%s holds %d entries", (char *)k, GPOINTER_TO_INT(v));
	}
	assert_int_equal(interior, 13);
	assert_int_equal(leaves, 27);
	/* /data/tree.0/d/d/d/f: 3 levels below the root */
	assert_int_equal(maxdepth, 6);
	/* and all of it removed */
	assert_int_equal(unlinks, 200);
	assert_int_equal(rmdirs, 40);
	assert_int_equal(g_hash_table_size(live), 0);
	g_hash_table_destroy(dirs);
	g_hash_table_destroy(live);
	g_ptr_array_free(a, TRUE);
}

/* tar: the archive is read sequentially, record by record, and the bytes
 * written into the tree are the files' sizes, which fit the archive. */
static void
test_tar_extract(void **state)
{
	static const char *const params[] = { "depth=2", "fanout=3", "files=4",
	    "filesize=20K", NULL };
	GPtrArray *a = gen_calls("tar", params, 4);
	int64_t asize = -1, aread = 0, written = 0, blocks = 0, cur = 0;
	unsigned mkdirs = 0, files = 0, shortreads = 0;
	int afd = -1;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);

		switch (tc->sc) {
		case SC_OPENAT:
			if (strcmp(tc->path, "/data/src.tar") == 0)
				afd = (int)tc->ret;
			else {
				assert_true(tc->oflags & TO_EXCL);
				files++;
				cur = 0;
			}
			break;
		case SC_FSTAT:
			asize = tc->st_size;
			break;
		case SC_READ:
			assert_int_equal(tc->fd, afd);
			assert_int_equal(tc->len, 10240);
			if (tc->ret < tc->len)
				shortreads++;
			aread += tc->ret;
			break;
		case SC_WRITE:
			written += tc->ret;
			cur += tc->ret;
			break;
		case SC_CLOSE:
			if (tc->fd != afd)
				blocks += (cur + 511) / 512;
			break;
		case SC_MKDIR:
			mkdirs++;
			break;
		default:
			break;
		}
	}
	assert_int_equal(mkdirs, 13);
	assert_int_equal(files, 52);
	/* headers, padded data and two end blocks, in 10 KB records */
	assert_int_equal(asize, ((13 + 52 + blocks + 2) * 512 + 10239) / 10240 * 10240);
	assert_true(aread <= asize && aread > asize - 10240);
	assert_int_equal(shortreads, 0);
	assert_true(written > 52 * 20 * 1024 / 2 && written < 52 * 20 * 1024 * 2);
	g_ptr_array_free(a, TRUE);
}

/* find: every directory read and its entries stated; with grep every file
 * read to its end, the size its stat showed. */
static void
test_find_scan(void **state)
{
	static const char *const params[] = { "depth=2", "fanout=3", "files=4",
	    "iosize=4K", NULL };
	GPtrArray *a = gen_calls("find", params, 9);
	GHashTable *sizes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	const char *file = NULL;
	unsigned dirs = 0, stats = 0, greps = 0;
	int64_t got = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);

		switch (tc->sc) {
		case SC_NEWFSTATAT:
			stats++;
			if (tc->st_type == TT_REG)
				g_hash_table_insert(sizes, g_strdup(tc->path),
				    GSIZE_TO_POINTER(tc->st_size));
			break;
		case SC_OPENAT:
			if (tc->oflags & TO_DIRECTORY)
				dirs++;
			else {
				/* stated before it is read */
				assert_true(g_hash_table_contains(sizes, tc->path));
				file = tc->path;
				got = 0;
				greps++;
			}
			break;
		case SC_READ:
			got += tc->ret;
			if (tc->ret == 0)
				assert_int_equal(got, (int64_t)GPOINTER_TO_SIZE(
				    g_hash_table_lookup(sizes, file)));
			break;
		default:
			break;
		}
	}
	assert_int_equal(dirs, 13);
	/* the root, then each directory's entries: 12 dirs and 52 files */
	assert_int_equal(stats, 1 + 12 + 52);
	assert_int_equal(greps, 52);
	assert_int_equal(count_calls(a, "getdents64"), 2 * 13);
	g_hash_table_destroy(sizes);
	g_ptr_array_free(a, TRUE);
}

/* postmark: a pool created, transactions of the asked-for mix, and every
 * file deleted at the end; a read reads the whole current file. */
static void
test_postmark_mix(void **state)
{
	static const char *const params[] = { "files=100", "transactions=2000",
	    "read=0.3", "create=0.5", NULL };
	GPtrArray *a = gen_calls("postmark", params, 6);
	GHashTable *size = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	unsigned creates = 0, reads = 0, appends = 0, deletes = 0;
	const char *cur = NULL;
	int64_t n = 0;
	uint32_t of = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);

		switch (tc->sc) {
		case SC_OPENAT:
			cur = tc->path;
			of = tc->oflags;
			n = 0;
			if (of & TO_CREAT) {
				assert_false(g_hash_table_contains(size, cur));
				creates++;
			} else if (of & TO_APPEND)
				appends++;
			else
				reads++;
			break;
		case SC_WRITE:
			n += tc->ret;
			break;
		case SC_READ:
			n += tc->ret;
			break;
		case SC_CLOSE: {
			int64_t s = (int64_t)GPOINTER_TO_SIZE(
			    g_hash_table_lookup(size, cur));

			if (of & TO_CREAT) {
				assert_true(n >= 500 && n <= 10000);
				s = n;
			} else if (of & TO_APPEND)
				s += n;
			else
				assert_int_equal(n, s);
			g_hash_table_insert(size, g_strdup(cur), GSIZE_TO_POINTER(s));
			break;
		}
		case SC_UNLINK:
			assert_true(g_hash_table_remove(size, tc->path));
			deletes++;
			break;
		default:
			break;
		}
	}
	assert_int_equal(g_hash_table_size(size), 0);
	assert_int_equal(creates, deletes);
	assert_int_equal(reads + appends, 2000);
	assert_true(fabs((double)reads / 2000 - 0.3) < 0.04);
	assert_true(fabs((double)(creates - 100) / 2000 - 0.5) < 0.04);
	assert_int_equal(count_calls(a, "mkdir"), 1);
	assert_int_equal(count_calls(a, "rmdir"), 1);
	g_hash_table_destroy(size);
	g_ptr_array_free(a, TRUE);
}

/* dblog: every commit is a log append then an fsync of the log before the
 * transaction's client goes on; checkpoints write pages in order and sync. */
static void
test_dblog_commits(void **state)
{
	static const char *const params[] = { "clients=3", "txns=200", "reads=2",
	    "writes=3", "checkpoint=30ms", "think=1ms", NULL };
	GPtrArray *a = gen_calls("dblog", params, 5);
	GHashTable *pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	int32_t cp = 0;
	int64_t lastoff = -1;
	unsigned fsyncs = 0, preads = 0, checkpoints = 0, sleeps = 0;
	guint i;

	/* the checkpointer is the process that sleeps */
	for (i = 0; i < a->len && cp == 0; i++)
		if (strcmp(CALL(a, i)->name, "clock_nanosleep") == 0)
			cp = CALL(a, i)->pid;
	assert_true(cp != 0);
	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);
		gpointer pid = GINT_TO_POINTER(tc->pid);

		if (tc->pid == cp) {
			if (tc->sc == SC_PWRITE) {
				assert_true(tc->off > lastoff);	/* page order */
				lastoff = tc->off;
			} else if (tc->sc == SC_FSYNC) {
				checkpoints += lastoff >= 0;
				lastoff = -1;
			} else if (tc->kind == TC_CALL &&
			    strcmp(tc->name, "clock_nanosleep") == 0)
				sleeps++;
			continue;
		}
		if (tc->sc == SC_WRITE) {
			assert_int_equal(tc->len, 512);
			g_hash_table_add(pending, pid);
		} else if (tc->sc == SC_FSYNC) {
			assert_true(g_hash_table_remove(pending, pid));
			fsyncs++;
		} else if (tc->sc == SC_PREAD) {
			/* no new transaction before the last commit is synced */
			assert_false(g_hash_table_contains(pending, pid));
			preads++;
		}
	}
	assert_int_equal(fsyncs, 3 * 200);
	assert_int_equal(preads, 3 * 200 * 2);
	/* 200 ms of transactions, a checkpoint every 30 ms */
	assert_true(checkpoints >= 6 && sleeps >= 6);
	g_hash_table_destroy(pending);
	g_ptr_array_free(a, TRUE);
}

/* dbench: each client works in its own directory, writes what the script
 * says each loop, and removes everything it made. */
static void
test_dbench_clients(void **state)
{
	static const char *const params[] = { "clients=4", "loops=3", NULL };
	GPtrArray *a = gen_calls("dbench", params, 1);
	GHashTable *pids = g_hash_table_new(g_direct_hash, g_direct_equal);
	int64_t written = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);
		char *dir = g_strdup_printf("/data/dbench/clients/client%d/",
		    tc->pid - 1000);

		g_hash_table_add(pids, GINT_TO_POINTER(tc->pid));
		if (tc->path != NULL && tc->sc != SC_MKDIR && tc->sc != SC_RMDIR)
			assert_true(g_str_has_prefix(tc->path, dir));
		if (tc->sc == SC_WRITE)
			written += tc->ret;
		g_free(dir);
	}
	assert_int_equal(g_hash_table_size(pids), 4);
	/* five documents and a temporary copy a loop */
	assert_int_equal(written, 4 * 3 * (40 + 120 + 80 + 300 + 512 + 44) * 1024LL);
	assert_int_equal(count_calls(a, "unlink"), 4 * 3 * 5);
	assert_int_equal(count_calls(a, "rename"), 4 * 3);
	assert_int_equal(count_calls(a, "mkdir"), count_calls(a, "rmdir"));
	g_hash_table_destroy(pids);
	g_ptr_array_free(a, TRUE);
}

/* mix, closed loop: each client runs its jobs one at a time (clone, the
 * job's processes end, wait4, think); open loop: a dispatcher forks jobs
 * at its own pace and reaps them at the end. */
static void
test_mix_loops(void **state)
{
	static const char *const closed[] = { "clients=3", "count=5",
	    "jobs=seq:2,postmark,dbm", "think=50ms", "postmark.files=5",
	    "dbm.ops=20", NULL };
	static const char *const open[] = { "loop=open", "count=6",
	    "interval=1ms", "jobs=random,tree", "random.ops=2000",
	    "tree.depth=1", NULL };
	GPtrArray *a = gen_calls("mix", closed, 2);
	GHashTable *busy = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	unsigned clones = 0, waits = 0, overlap = 0;
	int32_t disp = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);
		gpointer pid = GINT_TO_POINTER(tc->pid);

		g_hash_table_add(seen, pid);
		if (tc->sc == SC_CLONE) {
			/* the previous job of this client was reaped */
			assert_int_equal(GPOINTER_TO_INT(
			    g_hash_table_lookup(busy, pid)), 0);
			g_hash_table_insert(busy, pid, GINT_TO_POINTER(1));
			clones++;
		} else if (tc->sc == SC_WAIT4) {
			g_hash_table_insert(busy, pid, GINT_TO_POINTER(0));
			waits++;
		}
	}
	assert_int_equal(clones, 3 * 5);	/* one process a job here */
	assert_int_equal(waits, 3 * 5);
	assert_int_equal(g_hash_table_size(seen), 3 + 15);
	/* jobs go under PATH/jN */
	for (i = 0; i < a->len; i++)
		if (CALL(a, i)->path != NULL)
			assert_true(g_str_has_prefix(CALL(a, i)->path, "/data/mix/j"));
	g_ptr_array_free(a, TRUE);
	g_hash_table_remove_all(busy);

	a = gen_calls("mix", open, 2);
	clones = waits = 0;
	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);

		if (tc->sc == SC_CLONE) {
			if (disp == 0)
				disp = tc->pid;
			assert_int_equal(tc->pid, disp);
			/* arrivals do not wait for the jobs before them */
			if (g_hash_table_size(busy) > 0)
				overlap++;
			g_hash_table_add(busy, GINT_TO_POINTER((int32_t)tc->ret));
			clones++;
		} else if (tc->kind == TC_EXIT)
			g_hash_table_remove(busy, GINT_TO_POINTER(tc->pid));
		else if (tc->sc == SC_WAIT4)
			waits++;
	}
	assert_int_equal(clones, 6);
	assert_int_equal(waits, 6);
	assert_true(overlap > 0);
	assert_int_equal(count_calls(a, "clock_nanosleep"), 5);
	g_hash_table_destroy(busy);
	g_hash_table_destroy(seen);
	g_ptr_array_free(a, TRUE);
}

/* snapshot: the create and remove calls come at the asked-for times after
 * the start, with the load running alongside. */
static void
test_snapshot_times(void **state)
{
	static const char *const params[] = { "at=2ms,5ms", "hold=1500us",
	    "name=s", "dbm.ops=5000", "dbm.size=4M", NULL };
	static const char *const want[][2] = {
		{ "snapshot_create", "s1" }, { "snapshot_remove", "s1" },
		{ "snapshot_create", "s2" }, { "snapshot_remove", "s2" },
	};
	static const int64_t at[] = { 2000000, 3500000, 5000000, 6500000 };
	GPtrArray *a = gen_calls("snapshot", params, 1);
	int64_t t0 = CALL(a, 0)->t_ns;
	unsigned k = 0, before = 0, after = 0;
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct trace_call *tc = CALL(a, i);

		if (g_str_has_prefix(tc->name, "snapshot_")) {
			assert_true(k < 4);
			assert_string_equal(tc->name, want[k][0]);
			assert_string_equal(tc->path, want[k][1]);
			assert_int_equal(tc->t_ns - t0, at[k]);
			k++;
		} else if (tc->sc == SC_PWRITE && k == 0)
			before++;
		else if (tc->sc == SC_PWRITE)
			after++;
	}
	assert_int_equal(k, 4);
	/* under load: the DBM stores go on before and after the first */
	assert_true(before > 100 && after > 100);
	g_ptr_array_free(a, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_file_and_reader),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_seq_is_sequential),
		cmocka_unit_test(test_random_zipf),
		cmocka_unit_test(test_zipf_sampler),
		cmocka_unit_test(test_dbm_random_pages),
		cmocka_unit_test(test_tree_shape),
		cmocka_unit_test(test_tar_extract),
		cmocka_unit_test(test_find_scan),
		cmocka_unit_test(test_postmark_mix),
		cmocka_unit_test(test_dblog_commits),
		cmocka_unit_test(test_dbench_clients),
		cmocka_unit_test(test_mix_loops),
		cmocka_unit_test(test_snapshot_times),
	};

	return cmocka_run_group_tests_name("workloads", tests, NULL, NULL);
}
