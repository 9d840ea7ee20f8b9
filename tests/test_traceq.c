/*
 * test_traceq.c — the hand-over of a native trace's raw blocks (traceq.c):
 * the reading thread reads record lines raw, and a raw block is parsed by
 * whichever thread gets to it first (the caller when it needs the block,
 * the thread, newest first, when it has nothing to fill).  Whoever
 * parses, the caller sees what trace_read gives (read_native): every
 * call with the same fields, strings and line numbers in the trace's
 * order, the same error with the same message after the calls before it,
 * the nominal mark as read_native reads it, and the stop flag after the
 * calls read before it.  traceq_test_who forces who parses, so that each
 * hand-over is taken for certain, not only when timing allows.
 *
 * Blocks: the first, 1,024 calls, is read on the caller's thread by
 * trace_read; the raw ones after it hold 1,024 record lines each (these
 * traces' lines are short, far from the blocks' byte bound).  Record k
 * (0-based) is in raw block (k - 1024) / 1024 + 1 from k = 1024 on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <glib/gstdio.h>
#include "trace.h"

#define BLOCK	1024	/* traceq.c's TRACEQ_CALLS */

static const enum traceq_who whos[] = {
	TRACEQ_EITHER, TRACEQ_CALLER, TRACEQ_THREAD, TRACEQ_TURNS,
};

/* Whether this process may run on two processors (else traceq never
 * starts its thread, and who parses is moot). */
static bool
two_cpus(void)
{
	cpu_set_t set;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	return CPU_COUNT(&set) >= 2;
}

/*
 * A native trace of `records` records of a few shapes (a read, a stat of
 * a quoted path with an escape, an openat with flags, a failed open, a
 * close), with comment and blank lines between them (every 7th record
 * has a comment before it, every 11th a blank line), record k's pid k +
 * 1; bad >= 0 puts a line no parser takes in record bad's place.
 * nominal_at: where "# times: nominal" goes (-1 nowhere, 0 before the
 * first record, k > 0 before record k).  gz: gzip'd, the file cut after
 * record cut's line (cut >= 0: a truncated gzip, the rest lost).
 */
static char *
native_file(int records, int bad, int nominal_at, bool gz, int cut)
{
	char *path = NULL;
	int fd = g_file_open_tmp(gz ? "vfssim-traceq-XXXXXX.trace.gz" :
	    "vfssim-traceq-XXXXXX.trace", &path, NULL);
	GString *s = g_string_new("#vfssim-trace 1\n");
	gzFile z = NULL;
	z_off_t cutoff = -1;
	int k;

	assert_true(fd >= 0);
	if (gz) {
		z = gzdopen(fd, "wb1");
		assert_non_null(z);
	}
	for (k = 0; k < records; k++) {
		long long t = 1000000LL + 100LL * k;
		int pid = k + 1;

		if (k == nominal_at || (k == 0 && nominal_at == 0))
			g_string_append(s, "# times: nominal\n");
		if (k % 7 == 3)
			g_string_append_printf(s, "# a comment before %d\n", k);
		if (k % 11 == 5)
			g_string_append(s, "\n");
		if (k == bad)
			g_string_append(s, "12 34 read not-a-number 10\n");
		else
			switch (k % 5) {
			case 0:
				g_string_append_printf(s,
				    "%lld %d read 4096 10 fd=3 len=4096\n", t, pid);
				break;
			case 1:
				g_string_append_printf(s,
				    "%lld %d stat 0 12 path=\"/d/f\\x20%d\"\n", t, pid, k);
				break;
			case 2:
				g_string_append_printf(s,
				    "%lld %d openat 4 30 fd=AT_FDCWD path=\"/data/%d\" "
				    "oflags=O_RDONLY\n", t, pid, k);
				break;
			case 3:
				g_string_append_printf(s,
				    "%lld %d openat -ENOENT 9 fd=AT_FDCWD "
				    "path=\"/no/%d\" oflags=O_RDONLY\n", t, pid, k);
				break;
			default:
				g_string_append_printf(s,
				    "%lld %d close 0 5 fd=4\n", t, pid);
				break;
			}
		if (gz && k == cut) {
			/* everything so far in the file, then the cut there */
			assert_int_equal(gzwrite(z, s->str, (unsigned)s->len),
			    (int)s->len);
			g_string_truncate(s, 0);
			assert_int_equal(gzflush(z, Z_SYNC_FLUSH), Z_OK);
			cutoff = gzoffset(z);
		}
	}
	if (gz) {
		if (s->len > 0)
			assert_int_equal(gzwrite(z, s->str, (unsigned)s->len),
			    (int)s->len);
		assert_int_equal(gzclose(z), Z_OK);
		if (cutoff >= 0)
			assert_int_equal(truncate(path, cutoff), 0);
	} else {
		assert_int_equal(write(fd, s->str, s->len), (ssize_t)s->len);
		close(fd);
	}
	g_string_free(s, TRUE);
	return path;
}

/* What trace_read gives: the calls (copies), the last code, its error,
 * whether the times are nominal. */
struct direct {
	GArray	*calls;		/* struct trace_call, each with storage */
	int	 rc;
	GError	*err;
	bool	 nominal;
};

static void
direct_read(const char *path, struct direct *d)
{
	struct trace_reader *r = trace_open(path, &d->err);
	struct trace_call tc;

	assert_non_null(r);
	d->calls = g_array_new(FALSE, FALSE, sizeof(struct trace_call));
	for (;;) {
		trace_call_init(&tc);
		d->rc = trace_read(r, &tc, &d->err);
		if (d->rc != 1) {
			trace_call_free(&tc);
			break;
		}
		g_array_append_val(d->calls, tc);
	}
	d->nominal = trace_reader_nominal(r);
	trace_close(r);
}

static void
direct_free(struct direct *d)
{
	guint i;

	for (i = 0; i < d->calls->len; i++)
		trace_call_free(&g_array_index(d->calls, struct trace_call, i));
	g_array_free(d->calls, TRUE);
	g_clear_error(&d->err);
}

/*
 * path through traceq, who parsing: the same calls as trace_read (every
 * field and string, the line number), then the same code and message
 * (and again when asked again), the same nominal.  n: the raw blocks
 * each thread parsed.
 */
static void
traceq_as_direct(const char *path, enum traceq_who who,
    const struct direct *d, unsigned n[2])
{
	struct trace_reader *r;
	struct traceq *q;
	struct trace_call *tc;
	GError *err = NULL;
	guint i = 0;
	int rc;

	r = trace_open(path, &err);
	assert_non_null(r);
	q = traceq_open(r, 2);
	traceq_test_who(q, who);
	while ((rc = traceq_next(q, &tc, &err)) == 1) {
		const struct trace_call *want;

		if (i >= d->calls->len)
			fail_msg("%s, who %d: call %u beyond trace_read's %u",
			    path, who, i, d->calls->len);
		want = &g_array_index(d->calls, struct trace_call, i);
		if (!trace_call_equal(tc, want) || tc->line != want->line)
			fail_msg("%s, who %d: call %u (line %llu) is not "
			    "trace_read's (line %llu)", path, who, i,
			    (unsigned long long)tc->line,
			    (unsigned long long)want->line);
		i++;
	}
	assert_int_equal(i, d->calls->len);
	assert_int_equal(rc, d->rc);
	if (rc < 0) {
		assert_non_null(err);
		assert_int_equal(err->domain, d->err->domain);
		assert_int_equal(err->code, d->err->code);
		assert_string_equal(err->message, d->err->message);
		g_clear_error(&err);
		assert_int_equal(traceq_next(q, &tc, &err), -1);
		assert_string_equal(err->message, d->err->message);
		g_clear_error(&err);
	} else {
		assert_null(err);
		assert_int_equal(traceq_next(q, &tc, &err), 0);
	}
	traceq_parsed(q, n);
	assert_int_equal(traceq_threaded(q), two_cpus() && i >= BLOCK);
	traceq_close(q);
	assert_int_equal(trace_reader_nominal(r), d->nominal);
	trace_close(r);
}

/* Who parsed the raw blocks, as forced: the caller alone, the thread
 * alone, both by turns (a run: either, whichever is first).  blocks: the
 * raw blocks up to the one the trace ends in, each parsed once; after an
 * error (exact false) the thread may have parsed blocks beyond it too
 * (it parses the newest first), never the caller. */
static void
assert_who(enum traceq_who who, const unsigned n[2], unsigned blocks,
    bool exact)
{
	if (!two_cpus() || blocks == 0) {
		assert_int_equal(n[0] + n[1], 0);
		return;
	}
	switch (who) {
	case TRACEQ_CALLER:
		assert_int_equal(n[1], 0);
		assert_int_equal(n[0], blocks);
		break;
	case TRACEQ_THREAD:
		assert_int_equal(n[0], 0);
		assert_true(exact ? n[1] == blocks : n[1] >= blocks);
		break;
	case TRACEQ_TURNS:
		/* odd blocks the caller's, even the thread's (from 1) */
		assert_int_equal(n[0], (blocks + 1) / 2);
		assert_true(exact ? n[1] == blocks / 2 : n[1] >= blocks / 2);
		break;
	case TRACEQ_EITHER:
		assert_true(exact ? n[0] + n[1] == blocks :
		    n[0] + n[1] >= blocks);
		break;
	}
}

/* path read by trace_read (want_calls calls, or any number if < 0, and
 * last code want_rc) and through traceq with each who; want_blocks raw
 * blocks parsed up to the trace's end or error (exact: none after). */
static void
check_file(const char *path, int want_calls, int want_rc,
    unsigned want_blocks, bool exact)
{
	struct direct d = { 0 };
	unsigned i, n[2];

	direct_read(path, &d);
	assert_int_equal(d.rc, want_rc);
	if (want_calls >= 0)
		assert_int_equal(d.calls->len, want_calls);
	for (i = 0; i < G_N_ELEMENTS(whos); i++) {
		traceq_as_direct(path, whos[i], &d, n);
		assert_who(whos[i], n, want_blocks, exact);
	}
	direct_free(&d);
}

/* 9,000 records with comments and blank lines among them: every call in
 * order, each as trace_read's, whichever thread parsed its block. */
static void
test_traceq_in_order(void **state)
{
	char *path = native_file(9000, -1, -1, false, -1);

	(void)state;
	/* raw blocks: the records after the first 1,024, 1,024 a block */
	check_file(path, 9000, 0, (9000 - BLOCK + BLOCK - 1) / BLOCK, true);
	g_unlink(path);
	g_free(path);
}

/* A parse error in the middle of a raw block, and at a raw block's first
 * line: the calls before it, then trace_read's message (file and line);
 * no block after it is parsed. */
static void
test_traceq_parse_error(void **state)
{
	static const struct { int bad, blocks; } c[] = {
		{ BLOCK + 500, 1 },		/* the middle of raw block 1 */
		{ 3 * BLOCK, 3 },		/* raw block 3's first line */
		{ 5 * BLOCK + 1023, 5 },	/* raw block 5's last line */
		{ BLOCK, 1 },			/* the first raw block's first */
	};
	unsigned i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(c); i++) {
		char *path = native_file(8000, c[i].bad, -1, false, -1);

		check_file(path, c[i].bad, -1, (unsigned)c[i].blocks, false);
		g_unlink(path);
		g_free(path);
	}
}

/* A truncated gzip: the calls read before the cut, then its read error;
 * with a parse error earlier in the same raw block, the parse error
 * (it comes first in the trace; read_native never reads past it). */
static void
test_traceq_read_error(void **state)
{
	char *path;
	struct direct d = { 0 };

	(void)state;
	/* the cut in raw block 2 (records 2,048..3,071), no parse error */
	path = native_file(6000, -1, -1, true, 2900);
	direct_read(path, &d);
	assert_int_equal(d.rc, -1);
	assert_int_equal(d.err->code, TRACE_ERROR_IO);
	assert_true(d.calls->len >= 2048 && d.calls->len <= 2901);
	direct_free(&d);
	check_file(path, -1, -1, 2, true);
	g_unlink(path);
	g_free(path);

	/* a bad line at 2,500, the cut at 2,900: the parse error wins */
	path = native_file(6000, 2500, -1, true, 2900);
	direct_read(path, &d);
	assert_int_equal(d.err->code, TRACE_ERROR_FORMAT);
	direct_free(&d);
	check_file(path, 2500, -1, 2, true);
	g_unlink(path);
	g_free(path);
}

/* "# times: nominal": marks the trace before the first record (read in the
 * caller's first block), not after records (read raw on the thread,
 * where read_native ignores it too). */
static void
test_traceq_nominal(void **state)
{
	static const struct { int at; bool nominal; } c[] = {
		{ 0, true }, { -1, false }, { 3000, false }, { 5, false },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(c); i++) {
		char *path = native_file(4000, -1, c[i].at, false, -1);
		struct direct d = { 0 };

		direct_read(path, &d);
		assert_int_equal(d.nominal, c[i].nominal);
		direct_free(&d);
		check_file(path, 4000, 0, 3, true);
		g_unlink(path);
		g_free(path);
	}
}

/* The stop flag (trace_set_stop), raised by the caller after 3,000
 * calls: the calls read before the reader saw it, in order, then
 * TRACE_ERROR_STOPPED naming as many records as were handed over. */
static void
test_traceq_stop(void **state)
{
	char *path = native_file(40000, -1, -1, false, -1);
	unsigned i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(whos); i++) {
		volatile sig_atomic_t flag = 0;
		GError *err = NULL;
		struct trace_reader *r = trace_open(path, &err);
		struct traceq *q;
		struct trace_call *tc;
		char *want;
		int n = 0, rc;

		assert_non_null(r);
		trace_set_stop(r, &flag);
		q = traceq_open(r, 2);
		traceq_test_who(q, whos[i]);
		while ((rc = traceq_next(q, &tc, &err)) == 1) {
			assert_int_equal(tc->pid, n + 1);
			if (++n == 3000)
				flag = 1;
		}
		assert_int_equal(rc, -1);
		assert_int_equal(err->code, TRACE_ERROR_STOPPED);
		assert_true(n >= 3000 && n < 40000);
		want = g_strdup_printf("%s: interrupted while reading it, "
		    "after %d records", path, n);
		assert_string_equal(err->message, want);
		g_free(want);
		g_clear_error(&err);
		traceq_close(q);
		trace_close(r);
	}
	g_unlink(path);
	g_free(path);
}

/* Closing part way, with blocks raw, claimed or being parsed, whoever
 * parses: the thread joined, nothing leaks (the check build's leak
 * checker), nothing hangs. */
static void
test_traceq_close_midway(void **state)
{
	char *path = native_file(30000, -1, -1, false, -1);
	static const int stops[] = { 0, 1023, 1024, 1025, 2100, 7000, 29999 };
	unsigned i, j;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(whos); i++)
		for (j = 0; j < G_N_ELEMENTS(stops); j++) {
			GError *err = NULL;
			struct trace_reader *r = trace_open(path, &err);
			struct traceq *q;
			struct trace_call *tc;
			int n;

			assert_non_null(r);
			q = traceq_open(r, 2);
			traceq_test_who(q, whos[i]);
			for (n = 0; n < stops[j]; n++) {
				assert_int_equal(traceq_next(q, &tc, &err), 1);
				assert_int_equal(tc->pid, n + 1);
			}
			traceq_close(q);
			trace_close(r);
		}
	g_unlink(path);
	g_free(path);
}

/*
 * A block's call slots keep their strings' storage from one round to the
 * next, each at most TRACEQ_KEEP (64 KB).  Long calls that land in other
 * slots each time a block comes round would otherwise leave every slot
 * keeping its share: here 128 rounds, each some short records and then
 * sixteen with a path of 16,000 bytes (a block's 256 KB of lines), the
 * short run's length moving so that the long ones fall in new slots
 * every round: without a bound on a block's whole the slots kept 17.9 MB
 * here, and would keep more the longer the trace.  The blocks' slots
 * keep about TRACEQ_KEEPALL (1 MB) a block and one round's strings at
 * most (traceq.c, slot_take): under 8 x (1 MB + 2 x 256 KB + 64 KB);
 * 9.3 MB here.
 */
static void
test_traceq_kept(void **state)
{
	char *path = NULL;
	int fd = g_file_open_tmp("vfssim-traceq-XXXXXX.trace", &path, NULL);
	GString *s = g_string_new("#vfssim-trace 1\n");
	char *name = g_strnfill(16000, 'a');
	struct trace_reader *r;
	struct traceq *q;
	struct trace_call *tc;
	GError *err = NULL;
	long long t = 1000000;
	size_t kept;
	int j, i, calls = 0, rc;

	(void)state;
	assert_true(fd >= 0);
	for (j = 0; j < 128; j++) {
		for (i = 0; i < (j * 16) % 1008; i++, calls++)
			g_string_append_printf(s, "%lld 1 read 10 1 fd=3 len=10\n",
			    t++);
		for (i = 0; i < 16; i++, calls++)
			g_string_append_printf(s, "%lld 1 stat 0 1 path=\"/%s\"\n",
			    t++, name);
	}
	assert_int_equal(write(fd, s->str, s->len), (ssize_t)s->len);
	close(fd);
	r = trace_open(path, &err);
	assert_non_null(r);
	q = traceq_open(r, 2);
	for (i = 0; (rc = traceq_next(q, &tc, &err)) == 1; i++)
		;
	assert_int_equal(rc, 0);
	assert_int_equal(i, calls);
	kept = traceq_kept(q);
	assert_true(kept > 0);
	if (kept > 8 * ((size_t)1024 * 1024 + 2 * 256 * 1024 + 64 * 1024))
		fail_msg("the blocks' slots keep %zu bytes", kept);
	traceq_close(q);
	trace_close(r);
	g_unlink(path);
	g_free(path);
	g_free(name);
	g_string_free(s, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traceq_in_order),
		cmocka_unit_test(test_traceq_parse_error),
		cmocka_unit_test(test_traceq_read_error),
		cmocka_unit_test(test_traceq_nominal),
		cmocka_unit_test(test_traceq_stop),
		cmocka_unit_test(test_traceq_close_midway),
		cmocka_unit_test(test_traceq_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
