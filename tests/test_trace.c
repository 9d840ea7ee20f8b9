/* Unit tests of the native trace format (round trips, and bad lines), of
 * line input's cap, and of the replay's binary records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <glib/gstdio.h>

#include "trace.h"

/* Every record of a real trace survives strace -> native text -> record. */
static void
roundtrip_file(const char *path)
{
	GError *err = NULL;
	struct trace_reader *r = trace_open(path, &err);
	struct trace_call a, b;
	GString *line = g_string_new("");
	uint64_t n = 0;
	int rc;

	assert_non_null(r);
	trace_call_init(&a);
	trace_call_init(&b);
	while ((rc = trace_read(r, &a, &err)) == 1) {
		g_string_truncate(line, 0);
		native_format_call(line, &a);
		assert_true(line->len > 0 && line->str[line->len - 1] == '\n');
		assert_int_equal(native_parse_line(line->str, line->len - 1, &b, &err), 1);
		b.line = a.line;
		if (!trace_call_equal(&a, &b))
			fail_msg("%s: record %llu does not round-trip: %s", path,
			    (unsigned long long)n, line->str);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_true(n > 50);
	trace_call_free(&a);
	trace_call_free(&b);
	g_string_free(line, TRUE);
	trace_close(r);
}

static void
test_roundtrip_real(void **state)
{
	roundtrip_file("traces/formats/07-zoo.strace");
	roundtrip_file("traces/formats/07-zoo.yy-Xraw-s64.strace");
	roundtrip_file("traces/formats/07-zoo.noy-Xverbose-xx.strace");
	roundtrip_file("traces/d3-git-commit.strace.gz");
	roundtrip_file("traces/d2-make-j2.strace.gz");
	roundtrip_file("traces/formats/08-calls.strace");
	roundtrip_file("traces/d6-tar-cp-links.strace.gz");
	roundtrip_file("traces/d7-sqlite-wal-mmap.strace.gz");
}

/*
 * The replay's records (tracebin.c): every call of real traces comes back
 * from its record field for field (its line too), the head read without
 * decoding agrees, and a spool long enough to go through its temporary
 * file gives every record back in order.
 */
static void
tbin_file(const char *path, struct tspool *sp, GPtrArray *kept)
{
	GError *err = NULL;
	struct trace_reader *r = trace_open(path, &err);
	struct trace_call a, b;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int rc;

	assert_non_null(r);
	trace_call_init(&a);
	trace_call_init(&b);
	while ((rc = trace_read(r, &a, &err)) == 1) {
		struct tbin_head h;
		size_t n;

		if (tbin_max(&a) > cap) {
			cap = tbin_max(&a);
			buf = g_realloc(buf, cap);
		}
		n = tbin_encode(&a, buf);
		assert_true(n <= tbin_max(&a));
		tbin_decode(buf, n, &b);
		if (!trace_call_equal(&a, &b) || a.line != b.line)
			fail_msg("%s:%llu: the record does not decode to the call",
			    path, (unsigned long long)a.line);
		tbin_head(buf, n, &h);
		assert_int_equal(h.pid, a.pid);
		assert_int_equal(h.t_ns, a.t_ns);
		assert_int_equal(h.dur_ns, a.dur_ns);
		assert_int_equal(h.ret, a.ret);
		assert_int_equal(h.sc, a.sc);
		assert_int_equal(h.kind, a.kind);
		assert_true(tspool_put(sp, &a, &err));
		g_ptr_array_add(kept, g_memdup2(buf, n));
		g_ptr_array_add(kept, GSIZE_TO_POINTER(n));
	}
	assert_int_equal(rc, 0);
	g_free(buf);
	trace_call_free(&a);
	trace_call_free(&b);
	trace_close(r);
}

static void
test_tbin_real(void **state)
{
	static const char *const paths[] = {
		"traces/formats/07-zoo.strace",
		"traces/formats/07-zoo.yy-Xraw-s64.strace",
		"traces/formats/07-zoo.noy-Xverbose-xx.strace",
		"traces/formats/07-zoo.stderr-mode.txt",
		"traces/formats/08-calls.strace",
		"traces/d1-sqlite-journal.strace.gz",
		"traces/d2-make-j2.strace.gz",
		"traces/d5-tar-gzip-tt-noy.strace.gz",
		"traces/d6-tar-cp-links.strace.gz",
	};
	struct tspool *sp = tspool_new();
	GPtrArray *kept = g_ptr_array_new();
	GError *err = NULL;
	const uint8_t *rec;
	size_t n;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(paths); i++)
		tbin_file(paths[i], sp, kept);
	/* d1 and d2 are 68,000 records: many blocks of the spool */
	assert_true(tspool_records(sp) > 60000);
	assert_int_equal(tspool_records(sp), kept->len / 2);
	assert_true(tspool_rewind(sp, &err));
	for (i = 0; i < kept->len; i += 2) {
		assert_int_equal(tspool_next(sp, &rec, &n, &err), 1);
		assert_int_equal(n, GPOINTER_TO_SIZE(g_ptr_array_index(kept, i + 1)));
		assert_memory_equal(rec, g_ptr_array_index(kept, i), n);
		g_free(g_ptr_array_index(kept, i));
	}
	assert_int_equal(tspool_next(sp, &rec, &n, &err), 0);
	g_ptr_array_free(kept, TRUE);
	tspool_free(sp);
}

/* Numbers at the edges of one, two, three and four bytes of a record
 * come back, and a record cut anywhere decodes without reading past its
 * end: with a field beyond the six (oflags: tbin_decode's loop over the
 * mask) and without (a read's shape), the name's bytes after its NUL zero
 * either way. */
static void
test_tbin_widths(void **state)
{
	static const int64_t v[] = {
		0, 1, 63, 64, 127, 128, 8191, 8192, 16383, 16384,
		1048575, 1048576, 2097151, 2097152, 268435455, 268435456,
		-1, -64, -65, -8192, -8193, -1048576, -1048577,
	};
	static const char readname[sizeof(((struct trace_call *)0)->name)] =
	    "read";
	struct trace_call tc, back;
	uint8_t buf[512];
	size_t n, cut;
	unsigned i;

	trace_call_init(&tc);
	trace_call_init(&back);
	for (i = 0; i < 2 * G_N_ELEMENTS(v); i++) {
		bool plain = i >= G_N_ELEMENTS(v);

		g_strlcpy(tc.name, "read", sizeof(tc.name));
		tc.sc = SC_READ;
		tc.t_ns = 1000;
		tc.ret = v[i % G_N_ELEMENTS(v)];
		tc.dur_ns = tc.ret;
		tc.off = tc.ret;
		tc.len = tc.ret == -1 ? 5 : tc.ret;
		tc.fd = (int32_t)tc.ret;
		tc.line = (uint64_t)(tc.ret < 0 ? -tc.ret : tc.ret);
		tc.oflags = plain ? 0 : (uint32_t)tc.line;
		assert_true(tbin_max(&tc) <= sizeof(buf));
		n = tbin_encode(&tc, buf);
		tbin_decode(buf, n, &back);
		assert_true(trace_call_equal(&tc, &back));
		assert_true(back.line == tc.line);
		assert_true(back.oflags == tc.oflags);
		assert_memory_equal(back.name, readname, sizeof(back.name));
		for (cut = 0; cut < n; cut++) {
			uint8_t *part = g_memdup2(buf, cut);

			tbin_decode(part, cut, &back);
			g_free(part);
		}
	}
	trace_call_free(&tc);
	trace_call_free(&back);
}

/* Values at the ends of their ranges, strings absent, empty and longer
 * than a block of the spool, a call vfssim does not know: all come back;
 * a record cut short decodes without reading past its end. */
static void
test_tbin_edges(void **state)
{
	struct tspool *sp = tspool_new();
	struct trace_call tc[4], back;
	char *huge = g_malloc(600 * 1024 + 1);
	GError *err = NULL;
	const uint8_t *rec;
	uint8_t *buf;
	size_t n, cut;
	int i;

	memset(huge, 'x', 600 * 1024);
	huge[0] = '/';
	huge[600 * 1024] = '\0';
	for (i = 0; i < 4; i++)
		trace_call_init(&tc[i]);
	trace_call_init(&back);
	/* extremes */
	tc[0].t_ns = TC_NOTIME;
	tc[0].dur_ns = INT64_MAX;
	tc[0].ret = INT64_MIN;
	tc[0].off = INT64_MAX;
	tc[0].len = INT64_MIN;
	tc[0].arg = -2;
	tc[0].st_size = INT64_MAX;
	tc[0].pid = INT32_MIN;
	tc[0].err = INT32_MAX;
	tc[0].fd = INT32_MAX;
	tc[0].fd2 = TC_AT_FDCWD;
	tc[0].rfd[0] = 0;
	tc[0].rfd[1] = INT32_MIN;
	tc[0].oflags = tc[0].atflags = tc[0].xflags = tc[0].mode = UINT32_MAX;
	tc[0].cmd = TCMD_SEEK_HOLE;
	tc[0].st_type = TT_SOCK;
	tc[0].ret_unknown = tc[0].fd_deleted = tc[0].fd2_deleted =
	    tc[0].ret_deleted = true;
	tc[0].line = UINT64_MAX;
	g_strlcpy(tc[0].name, "pwrite64", sizeof(tc[0].name));
	tc[0].sc = sc_lookup(tc[0].name);
	trace_call_set_str(&tc[0], &tc[0].path, "", 0);
	trace_call_set_str(&tc[0], &tc[0].retpath, "\xff\n\"", 3);
	/* a call it does not know, with the longest name */
	g_strlcpy(tc[1].name, "a_call_with_a_thirty_one_char_n", sizeof(tc[1].name));
	tc[1].sc = SC_OTHER;
	tc[1].t_ns = 0;
	/* a name longer than a block */
	g_strlcpy(tc[2].name, "openat", sizeof(tc[2].name));
	tc[2].sc = SC_OPENAT;
	trace_call_set_str(&tc[2], &tc[2].path, huge, strlen(huge));
	trace_call_set_str(&tc[2], &tc[2].fdpath2, huge, strlen(huge));
	/* the end of a process */
	tc[3].kind = TC_EXIT;
	tc[3].ret = 255;
	g_strlcpy(tc[3].name, "+++", sizeof(tc[3].name));
	for (i = 0; i < 4; i++) {
		buf = g_malloc(tbin_max(&tc[i]));
		n = tbin_encode(&tc[i], buf);
		tbin_decode(buf, n, &back);
		assert_true(trace_call_equal(&tc[i], &back));
		assert_int_equal(back.line, tc[i].line);
		/* cut short: decoded as far as it goes, nothing read past
		 * its end (the sanitizers watch) */
		for (cut = 0; cut < MIN(n, 64); cut++) {
			uint8_t *part = g_memdup2(buf, cut);

			tbin_decode(part, cut, &back);
			g_free(part);
		}
		g_free(buf);
		assert_true(tspool_put(sp, &tc[i], &err));
		assert_true(tspool_put(sp, &tc[i], &err));
	}
	assert_true(tspool_rewind(sp, &err));
	for (i = 0; i < 8; i++) {
		assert_int_equal(tspool_next(sp, &rec, &n, &err), 1);
		tbin_decode(rec, n, &back);
		assert_true(trace_call_equal(&tc[i / 2], &back));
	}
	assert_int_equal(tspool_next(sp, &rec, &n, &err), 0);
	for (i = 0; i < 4; i++)
		trace_call_free(&tc[i]);
	trace_call_free(&back);
	tspool_free(sp);
	g_free(huge);
}

/*
 * One call through its record (tracebin.c), checked every way: the record
 * (in a buffer of exactly tbin_max bytes: the encoder's stores of 8 must
 * fit it, under ASan) decodes to the call, its line too, from a copy of
 * exactly its bytes (nothing read past them); its head and fixed head
 * agree; and, when cuts, the record cut short at every byte decodes from
 * a copy of exactly those bytes without reading past them, to a blank
 * call when even its fixed part is cut, else with the fixed part's pid,
 * time, call and kind.
 */
static void
tbin_check(const struct trace_call *tc, bool cuts)
{
	size_t max = tbin_max(tc), n, cut;
	uint8_t *buf = g_malloc(max), *rec;
	struct trace_call back, blank;
	struct tbin_head h, hf;

	trace_call_init(&back);
	trace_call_init(&blank);
	n = tbin_encode(tc, buf);
	assert_true(n > 0 && n <= max);
	rec = g_memdup2(buf, n);
	tbin_decode(rec, n, &back);
	if (!trace_call_equal(tc, &back) || back.line != tc->line)
		fail_msg("%s (sc %u, pid %d, line %llu): the record does not "
		    "decode to the call", tc->name, tc->sc, tc->pid,
		    (unsigned long long)tc->line);
	tbin_head(rec, n, &h);
	tbin_head_fixed(rec, n, &hf);
	assert_true(h.t_ns == tc->t_ns && h.dur_ns == tc->dur_ns &&
	    h.ret == tc->ret && h.pid == tc->pid && h.sc == back.sc &&
	    h.kind == tc->kind);
	assert_true(hf.t_ns == tc->t_ns && hf.dur_ns == 0 && hf.ret == 0 &&
	    hf.pid == tc->pid && hf.sc == back.sc && hf.kind == tc->kind);
	g_free(rec);
	for (cut = 0; cuts && cut < n; cut++) {
		uint8_t *part = g_memdup2(buf, cut);

		tbin_decode(part, cut, &back);
		tbin_head(part, cut, &h);
		if (cut < 16) {
			assert_true(trace_call_equal(&back, &blank));
			assert_true(h.t_ns == 0 && h.pid == 0 && h.ret == 0);
		} else {
			assert_true(back.pid == tc->pid && back.t_ns == tc->t_ns &&
			    back.sc == h.sc && back.kind == tc->kind);
			assert_true(h.pid == tc->pid && h.t_ns == tc->t_ns);
		}
		g_free(part);
	}
	g_free(buf);
	trace_call_free(&back);
	trace_call_free(&blank);
}

/* Values at every edge of both encodings of a record's numbers: the six's
 * 1 to 8 bytes (+-2^(8k-1) and their neighbours), LEB128's groups of 7
 * bits (2^7k and neighbours), -1, 0 and the ends of each type. */
static GArray *
tbin_edge_values(void)
{
	GArray *v = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t x;
	int s, d;

	for (s = 0; s < 64; s++) {
		for (d = -1; d <= 1; d++) {
			x = (int64_t)((UINT64_C(1) << s) + (uint64_t)(int64_t)d);
			g_array_append_val(v, x);
			x = (int64_t)(-(UINT64_C(1) << s) + (uint64_t)(int64_t)d);
			g_array_append_val(v, x);
		}
	}
	x = INT64_MIN;
	g_array_append_val(v, x);
	x = INT64_MAX;
	g_array_append_val(v, x);
	x = 0;
	g_array_append_val(v, x);
	return v;
}

/* Each field of a call at each edge value its type holds, one at a time
 * on a read's record (the common shape) and on one that has a path and
 * its own name (the general one): every record comes back, and cut at
 * every byte decodes within its bytes. */
static void
test_tbin_extremes(void **state)
{
	GArray *v = tbin_edge_values();
	struct trace_call tc;
	guint i;
	int f, shape;

	trace_call_init(&tc);
	for (shape = 0; shape < 2; shape++) {
		for (i = 0; i < v->len; i++) {
			int64_t x = g_array_index(v, int64_t, i);
			bool i32 = x >= INT32_MIN && x <= INT32_MAX;
			bool u32 = x >= 0 && x <= (int64_t)UINT32_MAX;
			bool u8 = x >= 0 && x <= 255;

			for (f = 0; f < 21; f++) {
				trace_call_reset(&tc);
				g_strlcpy(tc.name, "read", sizeof(tc.name));
				tc.sc = SC_READ;
				tc.t_ns = 1000000000;
				tc.pid = 1000;
				tc.ret = tc.len = 4096;
				tc.dur_ns = 1000;
				tc.fd = 3;
				tc.line = 7;
				if (shape == 1) {
					trace_call_set_str(&tc, &tc.path, "/a/b", 4);
					g_strlcpy(tc.name, "readx", sizeof(tc.name));
				}
				switch (f) {
				case 0: tc.t_ns = x; break;
				case 1: tc.dur_ns = x; break;
				case 2: tc.ret = x; break;
				case 3: tc.off = x; break;
				case 4: tc.len = x; break;
				case 5: tc.arg = x; break;
				case 6: tc.st_size = x; break;
				case 7: tc.line = (uint64_t)x; break;
				case 8: if (!i32) continue; tc.pid = (int32_t)x; break;
				case 9: if (!i32) continue; tc.err = (int32_t)x; break;
				case 10: if (!i32) continue; tc.fd = (int32_t)x; break;
				case 11: if (!i32) continue; tc.fd2 = (int32_t)x; break;
				case 12: if (!i32) continue; tc.rfd[0] = (int32_t)x; break;
				case 13: if (!i32) continue; tc.rfd[1] = (int32_t)x; break;
				case 14: if (!u32) continue; tc.oflags = (uint32_t)x; break;
				case 15: if (!u32) continue; tc.atflags = (uint32_t)x; break;
				case 16: if (!u32) continue; tc.xflags = (uint32_t)x; break;
				case 17: if (!u32) continue; tc.mode = (uint32_t)x; break;
				case 18: if (!u8) continue; tc.cmd = (uint8_t)x; break;
				case 19: if (!u8) continue; tc.st_type = (uint8_t)x; break;
				case 20: if (!i32) continue;
					/* all six at once, the record at its longest */
					tc.ret = tc.dur_ns = tc.off = tc.len = x;
					tc.fd = (int32_t)x;
					tc.line = (uint64_t)x;
					break;
				}
				tbin_check(&tc, true);
			}
		}
	}
	/* the six at their longest (8 bytes each) and all else there */
	trace_call_reset(&tc);
	tc.t_ns = tc.ret = tc.off = tc.arg = INT64_MIN;
	tc.dur_ns = tc.len = tc.st_size = INT64_MAX;
	tc.line = UINT64_MAX;
	tc.pid = tc.err = tc.fd = tc.fd2 = tc.rfd[0] = tc.rfd[1] = INT32_MIN;
	tc.oflags = tc.atflags = tc.xflags = tc.mode = UINT32_MAX;
	tc.cmd = tc.st_type = 255;
	tc.kind = TC_EXIT;
	tc.ret_unknown = tc.fd_deleted = tc.fd2_deleted = tc.ret_deleted = true;
	tc.sc = SC_OTHER;
	g_strlcpy(tc.name, "a_call_with_a_thirty_one_char_n", sizeof(tc.name));
	trace_call_set_str(&tc, &tc.path, "p", 1);
	trace_call_set_str(&tc, &tc.path2, "p2", 2);
	trace_call_set_str(&tc, &tc.fdpath, "", 0);
	trace_call_set_str(&tc, &tc.fdpath2, "\xff", 1);
	trace_call_set_str(&tc, &tc.retpath, "r", 1);
	tbin_check(&tc, true);
	trace_call_free(&tc);
	g_array_free(v, TRUE);
}

/* A random number of a random width (its bytes vary), either sign. */
static int64_t
tbin_random_number(GRand *g)
{
	uint64_t x = (uint64_t)g_rand_int(g) << 32 | g_rand_int(g);

	x >>= g_rand_int_range(g, 0, 64);
	return g_rand_boolean(g) ? (int64_t)x : -(int64_t)x;
}

static void
tbin_random_str(GRand *g, struct trace_call *tc, char **field)
{
	char s[48];
	int i, n = g_rand_int_range(g, 0, (int)sizeof(s));

	if (g_rand_int_range(g, 0, 6) != 0)
		return;
	for (i = 0; i < n; i++)
		s[i] = (char)g_rand_int_range(g, 1, 256);
	trace_call_set_str(tc, field, s, (size_t)n);
}

/* Random calls (a fixed seed: the same calls every run), each field there
 * or absent at random, its value of any width and sign: every one comes
 * back (every eighth also cut at every byte), and a spool of them gives
 * each record back as it was written. */
static void
test_tbin_random(void **state)
{
	GRand *g = g_rand_new_with_seed(14);
	struct tspool *sp = tspool_new();
	GPtrArray *kept = g_ptr_array_new_with_free_func(g_free);
	struct trace_call tc;
	GError *err = NULL;
	const uint8_t *rec;
	size_t n;
	guint i;

	trace_call_init(&tc);
	for (i = 0; i < 20000; i++) {
		uint8_t *b;

		trace_call_reset(&tc);
#define MAYBE(f, val) do { if (g_rand_boolean(g)) (f) = (val); } while (0)
		MAYBE(tc.t_ns, tbin_random_number(g));
		MAYBE(tc.dur_ns, tbin_random_number(g));
		MAYBE(tc.ret, tbin_random_number(g));
		MAYBE(tc.off, tbin_random_number(g));
		MAYBE(tc.len, tbin_random_number(g));
		MAYBE(tc.arg, tbin_random_number(g));
		MAYBE(tc.st_size, tbin_random_number(g));
		MAYBE(tc.line, (uint64_t)tbin_random_number(g));
		MAYBE(tc.pid, (int32_t)tbin_random_number(g));
		MAYBE(tc.err, (int32_t)tbin_random_number(g));
		MAYBE(tc.fd, (int32_t)tbin_random_number(g));
		MAYBE(tc.fd2, (int32_t)tbin_random_number(g));
		MAYBE(tc.rfd[0], (int32_t)tbin_random_number(g));
		MAYBE(tc.rfd[1], (int32_t)tbin_random_number(g));
		MAYBE(tc.oflags, (uint32_t)tbin_random_number(g));
		MAYBE(tc.atflags, (uint32_t)tbin_random_number(g));
		MAYBE(tc.xflags, (uint32_t)tbin_random_number(g));
		MAYBE(tc.mode, (uint32_t)tbin_random_number(g));
		MAYBE(tc.cmd, (uint8_t)tbin_random_number(g));
		MAYBE(tc.st_type, (uint8_t)tbin_random_number(g));
		MAYBE(tc.ret_unknown, true);
		MAYBE(tc.fd_deleted, true);
		MAYBE(tc.fd2_deleted, true);
		MAYBE(tc.ret_deleted, true);
#undef MAYBE
		tc.kind = g_rand_int_range(g, 0, 16) == 0 ? TC_EXIT : TC_CALL;
		tc.sc = (uint16_t)g_rand_int_range(g, 0, SC__COUNT);
		if (tc.sc != SC_OTHER && g_rand_boolean(g))
			g_strlcpy(tc.name, sc_name(tc.sc), sizeof(tc.name));
		else {
			int j, l = g_rand_int_range(g, 1, (int)sizeof(tc.name));

			for (j = 0; j < l; j++)
				tc.name[j] = (char)g_rand_int_range(g, 'a', 'z' + 1);
		}
		tbin_random_str(g, &tc, &tc.path);
		tbin_random_str(g, &tc, &tc.path2);
		tbin_random_str(g, &tc, &tc.fdpath);
		tbin_random_str(g, &tc, &tc.fdpath2);
		tbin_random_str(g, &tc, &tc.retpath);
		tbin_check(&tc, i % 8 == 0);
		b = g_malloc(tbin_max(&tc) + sizeof(size_t));
		n = tbin_encode(&tc, b + sizeof(size_t));
		memcpy(b, &n, sizeof(n));
		g_ptr_array_add(kept, b);
		assert_true(tspool_put(sp, &tc, &err));
	}
	assert_true(tspool_rewind(sp, &err));
	for (i = 0; i < kept->len; i++) {
		const uint8_t *b = g_ptr_array_index(kept, i);
		size_t want;

		memcpy(&want, b, sizeof(want));
		assert_int_equal(tspool_next(sp, &rec, &n, &err), 1);
		assert_int_equal(n, want);
		assert_memory_equal(rec, b + sizeof(size_t), n);
	}
	assert_int_equal(tspool_next(sp, &rec, &n, &err), 0);
	trace_call_free(&tc);
	g_ptr_array_free(kept, TRUE);
	tspool_free(sp);
	g_rand_free(g);
}

/* The writer and reader agree on a file, gzip'd or not. */
static void
writer_reader(const char *suffix)
{
	char *path = g_strdup_printf("%s/vfssim-test-%d%s", g_get_tmp_dir(),
	    (int)getpid(), suffix);
	GError *err = NULL;
	struct trace_writer *w = trace_writer_open(path,
	    g_str_has_suffix(path, ".gz"), &err);
	struct trace_reader *r;
	struct trace_call tc, back;
	const char name[] = "weird \"name\"\n\t\xc3\xa9\xff.txt";
	int i;

	assert_non_null(w);
	trace_call_init(&tc);
	trace_call_init(&back);
	for (i = 0; i < 1000; i++) {
		trace_call_reset(&tc);
		tc.t_ns = 1795914219276873000LL + i * 1000;
		tc.dur_ns = i;
		tc.pid = 42 + i % 3;
		g_strlcpy(tc.name, i % 2 ? "openat" : "pwrite64", sizeof(tc.name));
		tc.sc = sc_lookup(tc.name);
		tc.fd = i % 2 ? TC_AT_FDCWD : 3;
		tc.off = i * 4096;
		tc.oflags = TO_RDWR | TO_CREAT | TO_EXCL | TO_CLOEXEC | TO_DIRECT;
		tc.ret = i % 5 == 0 ? -1 : i;
		tc.err = i % 5 == 0 ? ENOENT : 0;
		trace_call_set_str(&tc, &tc.path, name, strlen(name));
		trace_call_set_str(&tc, &tc.fdpath, "/home/user", 10);
		assert_true(trace_write(w, &tc, &err));
	}
	assert_true(trace_writer_close(w, &err));
	{
		/* compressed exactly when asked: gzip's magic number */
		gchar *data = NULL;
		gsize len = 0;

		assert_true(g_file_get_contents(path, &data, &len, NULL));
		assert_true(len > 2);
		assert_int_equal((unsigned char)data[0] == 0x1f &&
		    (unsigned char)data[1] == 0x8b, g_str_has_suffix(path, ".gz"));
		g_free(data);
	}

	r = trace_open(path, &err);
	assert_non_null(r);
	assert_int_equal(trace_reader_format(r), TF_NATIVE);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(trace_read(r, &back, &err), 1);
		assert_int_equal(back.t_ns, 1795914219276873000LL + i * 1000);
		assert_int_equal(back.pid, 42 + i % 3);
		assert_string_equal(back.path, name);
		assert_int_equal(back.oflags,
		    TO_RDWR | TO_CREAT | TO_EXCL | TO_CLOEXEC | TO_DIRECT);
		assert_int_equal(back.err, i % 5 == 0 ? ENOENT : 0);
		assert_int_equal(back.fd, i % 2 ? TC_AT_FDCWD : 3);
	}
	assert_int_equal(trace_read(r, &back, &err), 0);
	trace_close(r);
	trace_call_free(&tc);
	trace_call_free(&back);
	unlink(path);
	g_free(path);
}

static void
test_writer_plain(void **state)
{
	writer_reader(".trace");
}

static void
test_writer_gzip(void **state)
{
	writer_reader(".trace.gz");
}

/* Malformed native lines are errors with a message, never a crash. */
static void
test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"1 2",					/* truncated */
		"x 2 read 1 1",				/* bad time */
		"1 2 read 1 1 fd=",			/* empty value */
		"1 2 read 1 1 path=\"abc",		/* unterminated string */
		"1 2 read 1 1 path=\"a\\q\"",		/* bad escape */
		"1 2 read 1 1 path=\"a\\x00\"",		/* NUL in a name */
		"1 2 read 1 1 colour=blue",		/* unknown key */
		"1 2 read -EWHATEVER 1",		/* unknown error */
		"1 2 r!ad 1 1",				/* bad call name */
		"1 2 read 1 1 oflags=O_BOGUS",		/* unknown flag */
		"1 2 read 1 1 fd=99999999999",		/* out of range */
		"1 2 read 1 1 \x01junk",		/* control character */
		"99999999999999999999 2 read 1 1",	/* overflow */
		/* the header's numbers are read as they are lexed, up to 18
		 * digits; past that, and whatever is not all digits, by
		 * parse_i64: both must refuse the same */
		"9223372036854775808 2 read 1 1",	/* INT64_MAX + 1 */
		"1 2147483648 read 1 1",		/* pid past INT32_MAX */
		"1 999999999999999999 read 1 1",	/* 18 digits, not a pid */
		"1 2 read 1 9223372036854775808",	/* duration too */
		"1 2 read 1 12a",			/* a digit run, then not */
		"1a 2 read 1 1",
		"1 2 read 1 -5",			/* negative duration */
		/* a process's end is its status alone: what is written back
		 * (native_format_call) must be all there was (a fuzzing
		 * finding: fields after +++ were read, then lost) */
		"1 2 +++ 0 - fd=4",			/* fields on an end */
		"1 2 +++ 0 7000",			/* a duration */
		"1 2 +++ ? -",				/* no status */
		"1 2 +++ -EIO -",			/* an errno */
	};
	struct trace_call tc;
	unsigned i;

	trace_call_init(&tc);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;

		if (native_parse_line(bad[i], strlen(bad[i]), &tc, &err) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(err);
		assert_true(strlen(err->message) > 5);
		g_error_free(err);
	}
	assert_int_equal(native_parse_line("1 2 +++ 3 -", 11, &tc, NULL), 1);
	assert_int_equal(tc.kind, TC_EXIT);
	assert_int_equal(tc.ret, 3);
	assert_int_equal(native_parse_line("1 2 +++ 3", 9, &tc, NULL), 1);
	/* the largest values each header field takes, on both sides of
	 * the 18 digits read while lexing */
	{
		static const char big[] = "9223372036854775807 2147483647 read "
		    "9223372036854775807 999999999999999999";
		static const char neg[] = "- 0 read -9223372036854775807 -";

		assert_int_equal(native_parse_line(big, strlen(big), &tc, NULL), 1);
		assert_true(tc.t_ns == INT64_MAX);
		assert_int_equal(tc.pid, INT32_MAX);
		assert_true(tc.ret == INT64_MAX);
		assert_true(tc.dur_ns == 999999999999999999LL);
		assert_int_equal(tc.sc, SC_READ);
		assert_int_equal(native_parse_line(neg, strlen(neg), &tc, NULL), 1);
		assert_true(tc.t_ns == TC_NOTIME);
		assert_int_equal(tc.pid, 0);
		assert_true(tc.ret == -INT64_MAX);
		assert_true(tc.dur_ns == -1);
	}
	assert_int_equal(native_parse_line("# comment", 9, &tc, NULL), 0);
	assert_int_equal(native_parse_line("", 0, &tc, NULL), 0);
	trace_call_free(&tc);
}

/*
 * The header's numbers are read eight bytes at a time where eight bytes
 * remain (native.c, header_digits) and a byte at a time otherwise: every
 * length of every field, with leading zeros, and with a key after it or
 * at the end of the line, must give the value the digits spell; a digit
 * run broken by any other byte at any place must be refused as before.
 */
static void
test_header_numbers(void **state)
{
	GRand *rnd = g_rand_new_with_seed(5);
	struct trace_call tc;
	int field, n, round;

	trace_call_init(&tc);
	for (field = 0; field < 4; field++)
		for (n = 1; n <= 18; n++)
			for (round = 0; round < 12; round++) {
				char num[20], line[160];
				uint64_t want = 0;
				const char *f[4] = { "1000", "7", "4096", "1000" };
				int i, tail = round % 2;

				for (i = 0; i < n; i++) {
					/* round 2: all zeros; 3: all nines */
					int d = round == 2 ? 0 : round == 3 ? 9 :
					    g_rand_int_range(rnd, 0, 10);

					num[i] = (char)('0' + d);
					want = want * 10 + (uint64_t)d;
				}
				num[n] = '\0';
				if (field == 1 && want > INT32_MAX)
					continue;
				f[field] = num;
				g_snprintf(line, sizeof(line), "%s %s read %s %s%s",
				    f[0], f[1], f[2], f[3],
				    tail ? " fd=3 len=4096" : "");
				if (native_parse_line(line, strlen(line), &tc,
				    NULL) != 1)
					fail_msg("refused: %s", line);
				if ((field == 0 && (uint64_t)tc.t_ns != want) ||
				    (field == 1 && (uint64_t)tc.pid != want) ||
				    (field == 2 && (uint64_t)tc.ret != want) ||
				    (field == 3 && (uint64_t)tc.dur_ns != want))
					fail_msg("%s: field %d is not %llu", line,
					    field, (unsigned long long)want);
				if (tail)
					assert_true(tc.fd == 3 && tc.len == 4096);
			}
	/* a digit run broken at every place by a byte that is no digit */
	for (n = 0; n < 12; n++) {
		static const char odd[] = { 'a', '/', ':', '-', '+', '.', 'x',
		    '\x80', '\xff', '"', '=', '_' };
		char line[80];

		g_snprintf(line, sizeof(line), "123456789012 1 read 1 1 fd=3");
		line[n] = odd[n % G_N_ELEMENTS(odd)];
		if (native_parse_line(line, strlen(line), &tc, NULL) != -1)
			fail_msg("accepted: %s", line);
		g_snprintf(line, sizeof(line), "1 1 read 1 123456789012 fd=3");
		line[13 + n] = odd[(n + 5) % G_N_ELEMENTS(odd)];
		if (native_parse_line(line, strlen(line), &tc, NULL) != -1)
			fail_msg("accepted: %s", line);
	}
	trace_call_free(&tc);
	g_rand_free(rnd);
}

/*
 * Tokens are scanned eight bytes at a time up to the first space or quote
 * (native.c, plain_run) and a byte at a time from there: quoted names with
 * a space, a quote or a backslash at every place of the first words, two
 * of them in a line, each written by native_format_call and read back
 * the same.
 */
static void
test_token_alignment(void **state)
{
	static const char special[] = { ' ', '"', '\\', '=', 'x' };
	struct trace_call a, b;
	GString *line = g_string_new("");
	int at, sp, len2;

	trace_call_init(&a);
	trace_call_init(&b);
	for (at = 0; at < 20; at++)
		for (sp = 0; sp < (int)G_N_ELEMENTS(special); sp++)
			for (len2 = 0; len2 < 12; len2 += 5) {
				char p1[40], p2[40];

				memset(p1, 'a', (size_t)at);
				p1[at] = special[sp];
				g_strlcpy(p1 + at + 1, "/b c", sizeof(p1) - (size_t)at - 1);
				memset(p2, 'z', (size_t)len2 + 1);
				p2[len2 + 1] = '\0';
				trace_call_reset(&a);
				a.t_ns = 1000000000 + at;
				a.pid = 42;
				a.sc = SC_RENAME;
				g_strlcpy(a.name, "rename", sizeof(a.name));
				a.ret = 0;
				a.dur_ns = 1000;
				trace_call_set_str(&a, &a.path, p1, strlen(p1));
				trace_call_set_str(&a, &a.path2, p2, strlen(p2));
				g_string_truncate(line, 0);
				native_format_call(line, &a);
				assert_int_equal(native_parse_line(line->str,
				    line->len - 1, &b, NULL), 1);
				b.line = a.line;
				if (!trace_call_equal(&a, &b))
					fail_msg("does not round-trip: %s", line->str);
			}
	trace_call_free(&a);
	trace_call_free(&b);
	g_string_free(line, TRUE);
}

/* Random damage to valid lines: every result is a record or an error with
 * a message — never a crash (ASan/UBSan watch). */
static void
test_mutations(void **state)
{
	static const char *const seeds[] = {
		"1795914219280214000 13191 openat 3 64000 fd=AT_FDCWD path=\"/etc/ld.so.cache\" "
		"oflags=O_RDONLY|O_CLOEXEC fdpath=\"/home/user/work\" retpath=\"/etc/x\"",
		"1 2 pread64 4096 1000 fd=3 off=8192 len=4096 fdpath=\"/a\\x01b\\\"c\"",
		"5 6 renameat2 -EEXIST 10 fd=3 path=\"a\" fd2=AT_FDCWD path2=\"b\" "
		"xflags=RENAME_NOREPLACE",
		"7 8 +++ 0 -",
		"9 10 pipe2 0 10 rfd=3,4 oflags=O_CLOEXEC",
		"- 11 fcntl 0 - fd=4 cmd=F_SETFL oflags=O_APPEND|O_NONBLOCK arg=3072",
	};
	GRand *rng = g_rand_new_with_seed(12345);
	struct trace_call tc;
	int i;

	trace_call_init(&tc);
	for (i = 0; i < 200000; i++) {
		const char *seed = seeds[i % G_N_ELEMENTS(seeds)];
		GString *l = g_string_new(seed);
		int nmut = 1 + g_rand_int_range(rng, 0, 4), m, rc;
		GError *err = NULL;

		for (m = 0; m < nmut && l->len > 0; m++) {
			guint pos = (guint)g_rand_int_range(rng, 0, (gint32)l->len);

			switch (g_rand_int_range(rng, 0, 4)) {
			case 0:		/* replace a byte */
				l->str[pos] = (char)g_rand_int_range(rng, 0, 256);
				break;
			case 1: {	/* delete a run */
				gint32 n = g_rand_int_range(rng, 1, 8);

				/* (not inside MIN: it would draw twice) */
				g_string_erase(l, pos, MIN(n, (gint32)(l->len - pos)));
				break;
			}
			case 2:		/* insert a special byte */
				g_string_insert_c(l, pos, "\"\\= |x0-9\t"[g_rand_int_range(rng, 0, 11)]);
				break;
			default:	/* truncate */
				g_string_truncate(l, pos);
				break;
			}
		}
		rc = native_parse_line(l->str, l->len, &tc, &err);
		assert_true(rc == -1 || rc == 0 || rc == 1);
		if (rc == -1) {
			assert_non_null(err);
			g_error_free(err);
		} else
			assert_null(err);
		g_string_free(l, TRUE);
	}
	trace_call_free(&tc);
	g_rand_free(rng);
}

/*
 * parse_fields reads the common shapes of a line by shortcuts (fast_head:
 * "T PID CALL RESULT DUR" all numbers but the call; fast_kv: a number's
 * key with digits, a path's with a quoted name without escapes) and
 * leaves everything else to its general code.  The two must agree on
 * every line: the same result, the same record, the same message — on
 * lines of every shape, and on the same lines damaged at random (a
 * shortcut that took a line the general code refuses, or read a value
 * differently, fails here).
 */
static void
test_native_fast_same(void **state)
{
	static const char *const seeds[] = {
		"1000001000 1000 read 4096 1000 fd=3 len=4096",
		"1000000000 1000 openat 3 1000 fd=AT_FDCWD path=\"/data/seq.0\" oflags=O_RDONLY",
		"5 6 pread64 4096 10 fd=3 off=123456789 len=4096",
		"5 6 close 0 10 fd=3",
		"5 6 lseek 8192 10 fd=3 off=8192 cmd=SEEK_SET",
		"5 6 newfstatat 0 10 fd=AT_FDCWD path=\"/a b/\\x01c\" size=12 type=REG",
		"5 6 rename 0 10 path=\"a\" path2=\"b\" fdpath=\"/\" retpath=\"/x\"",
		"5 6 read 0 10 fd=2147483647 len=999999999999999999",
		"5 6 read 0 10 fd=2147483648 len=9999999999999999999",
		"5 6 read -EAGAIN 10 fd=3 len=4096",
		"- 6 read ? - fd=3 len=4096 arg=7",
		"7 8 +++ 0 -",
		"1795914219280214000 13191 openat 3 64000 fd=AT_FDCWD path=\"/etc/ld.so.cache\" "
		"oflags=O_RDONLY|O_CLOEXEC fdpath=\"/home/user/work\" fdpath2=\"/w\"",
		"9 10 pipe2 0 10 rfd=3,4 oflags=O_CLOEXEC",
		"9 10 write 5 10 fd=1 fd2=4 len=5  off=0 ",
		"9 10 a_call_name_of_thirty_one_bytes 0 1 fd=3",
		"9 10 a_call_name_of_thirty_two_bytes_ 0 1 fd=3",
	};
	GRand *rng = g_rand_new_with_seed(1414);
	struct trace_call a, b, c;
	struct sc_memo memo;	/* kept from line to line, as a reader's */
	int i;

	memset(&memo, 0, sizeof(memo));
	trace_call_init(&a);
	trace_call_init(&b);
	trace_call_init(&c);
	for (i = 0; i < 300000; i++) {
		const char *seed = seeds[i % G_N_ELEMENTS(seeds)];
		GString *l = g_string_new(seed);
		int nmut = i < (int)G_N_ELEMENTS(seeds) ? 0 :
		    g_rand_int_range(rng, 1, 4), m, ra, rb, rc;
		GError *ea = NULL, *eb = NULL, *ec = NULL;

		for (m = 0; m < nmut && l->len > 0; m++) {
			guint pos = (guint)g_rand_int_range(rng, 0, (gint32)l->len);

			switch (g_rand_int_range(rng, 0, 4)) {
			case 0:		/* replace a byte */
				l->str[pos] = (char)g_rand_int_range(rng, 1, 256);
				break;
			case 1:		/* delete a byte */
				g_string_erase(l, pos, 1);
				break;
			case 2:		/* insert a byte that matters */
				g_string_insert_c(l, pos,
				    "\"\\= -x09\x7f\x1f\xc3"[g_rand_int_range(rng, 0, 11)]);
				break;
			default:	/* truncate */
				g_string_truncate(l, pos);
				break;
			}
		}
		ra = native_parse_line(l->str, l->len, &a, &ea);
		rb = native_parse_line_general(l->str, l->len, &b, &eb);
		/* and through a memo of the names, as the reader does (its
		 * word shortcut in fast_head: hits, misses, and slots that
		 * damaged names take over from the seeds') */
		rc = native_parse_line_memo(l->str, l->len, &c, &memo, &ec);
		if (ra != rb || rc != rb)
			fail_msg("%d with shortcuts, %d with the memo, %d "
			    "without: %s", ra, rc, rb, l->str);
		if (ra == 1 && (!trace_call_equal(&a, &b) ||
		    !trace_call_equal(&c, &b)))
			fail_msg("read differently: %s", l->str);
		if (ra == -1 && (strcmp(ea->message, eb->message) != 0 ||
		    strcmp(ec->message, eb->message) != 0))
			fail_msg("%s: \"%s\" with shortcuts, \"%s\" with the "
			    "memo, \"%s\" without", l->str, ea->message,
			    ec->message, eb->message);
		/* the seeds themselves: all but the ones made to be refused
		 * (a number too large, a name too long) are records */
		if (nmut == 0 && ra != 1 && i != 8 && i != 16)
			fail_msg("seed refused: %s", l->str);
		g_clear_error(&ea);
		g_clear_error(&eb);
		g_clear_error(&ec);
		g_string_free(l, TRUE);
	}
	trace_call_free(&a);
	trace_call_free(&b);
	trace_call_free(&c);
	g_rand_free(rng);
}

/*
 * A number that ends the line (header_digits reads the line's last eight
 * bytes for it): every length of digits reads as its value, with the
 * shortcuts, through a memo and without, and a token that is not all
 * digits is refused as before.  The values are worked out here by
 * g_ascii_strtoll, not by the reader.
 */
static void
test_native_tail_numbers(void **state)
{
	static const char digits[] = "9081726354453627189";
	struct trace_call a, b;
	struct sc_memo memo;
	size_t k;

	memset(&memo, 0, sizeof(memo));
	trace_call_init(&a);
	trace_call_init(&b);
	for (k = 1; k < sizeof(digits); k++) {
		char *num = g_strndup(digits, k);
		int64_t want = g_ascii_strtoll(num, NULL, 10);
		char *l1 = g_strdup_printf("5 6 read 0 10 fd=3 len=%s", num);
		char *l2 = g_strdup_printf("5 6 read 0 %s", num);
		char *l3 = g_strdup_printf("5 6 read 0 10 fd=3 len=%sx", num);
		GError *e = NULL;

		assert_int_equal(native_parse_line(l1, strlen(l1), &a, NULL), 1);
		assert_int_equal(a.len, want);
		assert_int_equal(native_parse_line_memo(l1, strlen(l1), &b,
		    &memo, NULL), 1);
		assert_int_equal(b.len, want);
		assert_int_equal(native_parse_line_general(l1, strlen(l1), &b,
		    NULL), 1);
		assert_int_equal(b.len, want);
		assert_int_equal(native_parse_line(l2, strlen(l2), &a, NULL), 1);
		assert_int_equal(a.dur_ns, want);
		assert_int_equal(native_parse_line(l3, strlen(l3), &a, &e), -1);
		assert_non_null(strstr(e->message, "bad value for len"));
		g_clear_error(&e);
		g_free(num);
		g_free(l1);
		g_free(l2);
		g_free(l3);
	}
	trace_call_free(&a);
	trace_call_free(&b);
}

/*
 * trace_call_reset leaves a call as trace_call_init's rule says, whatever
 * it held: every field zero but the "absent" values (-1, TC_NOTIME,
 * TC_NOOFF, TC_NOFD), worked out here from a memset, the whole name zeros
 * (fast_head's and tbin_encode's word shortcuts count on them), and the
 * string storage kept.
 */
static void
test_call_reset(void **state)
{
	struct trace_call a, want;
	char *buf = g_malloc(64);

	memset(&a, 0xa5, sizeof(a));
	a.strbuf = buf;
	a.strcap = 64;
	trace_call_reset(&a);
	memset(&want, 0, sizeof(want));
	want.t_ns = TC_NOTIME;
	want.dur_ns = -1;
	want.off = TC_NOOFF;
	want.len = -1;
	want.st_size = -1;
	want.fd = want.fd2 = TC_NOFD;
	want.rfd[0] = want.rfd[1] = TC_NOFD;
	assert_true(trace_call_equal(&a, &want));
	assert_memory_equal(a.name, want.name, sizeof(a.name));
	assert_int_equal(a.line, 0);
	assert_int_equal(a.strlen_, 0);
	assert_ptr_equal(a.strbuf, buf);
	assert_int_equal(a.strcap, 64);
	g_free(buf);
}

/* sc_lookup knows every modelled call by its traced name. */
static void
test_names(void **state)
{
	int i;

	for (i = 1; i < SC__COUNT; i++)
		assert_int_equal(sc_lookup(sc_name(i)), i);
	assert_int_equal(sc_lookup("mremap"), SC_OTHER);
	assert_int_equal(sc_lookup("read2"), SC_OTHER);
	assert_int_equal(tc_errno_lookup("ENOENT"), ENOENT);
	assert_string_equal(tc_errno_name(EEXIST), "EEXIST");
}

/* sc_lookup_memo gives what sc_lookup gives, whatever came before: the
 * same name again, a prefix of it, a longer one, an unknown one, a name
 * too long to remember; and a reader's calls carry the right call
 * through runs and changes of name. */
static void
test_names_memo(void **state)
{
	static const char *const seq[] = {
		"read", "read", "readv", "read", "rea", "mremap", "mremap",
		"write", "pread64", "pread64", "read",
		"a_name_much_longer_than_thirty_two_bytes_x",
		"a_name_much_longer_than_thirty_two_bytes_x", "read", "",
		/* two processes' calls interleaved, several names in the
		 * memo at once, some sharing a slot */
		"newfstatat", "read", "newfstatat", "getdents64", "read",
		"close", "openat", "close", "openat", "fstat", "fcntl",
		"fstat", "write", "writev", "write", "pread64", "mmap",
		"munmap", "mmap", "munmap", "pwrite64", "read",
	};
	static const char text[] =
	    "#vfssim-trace 1\n"
	    "1 7 read 1 1 fd=0 len=1\n"
	    "2 7 read 1 1 fd=0 len=1\n"
	    "3 7 mremap 0 1\n"
	    "4 7 write 1 1 fd=1 len=1\n"
	    "5 7 read 1 1 fd=0 len=1\n";
	static const enum sc_id want[] = {
		SC_READ, SC_READ, SC_OTHER, SC_WRITE, SC_READ,
	};
	struct sc_memo m;
	struct trace_call tc;
	struct trace_reader *r;
	GError *err = NULL;
	char *path = NULL;
	unsigned i;
	int fd;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < G_N_ELEMENTS(seq); i++)
		assert_int_equal(sc_lookup_memo(&m, seq[i], strlen(seq[i])),
		    sc_lookup(seq[i]));
	assert_int_equal(sc_lookup_memo(NULL, "read", 4), SC_READ);

	fd = g_file_open_tmp("vfssim-memo-XXXXXX", &path, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	r = trace_open(path, &err);
	assert_non_null(r);
	trace_call_init(&tc);
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		assert_int_equal(trace_read(r, &tc, &err), 1);
		assert_int_equal(tc.sc, want[i]);
	}
	assert_int_equal(trace_read(r, &tc, &err), 0);
	trace_call_free(&tc);
	trace_close(r);
	unlink(path);
	g_free(path);
}

/* A new temporary file of "line 1" to "line N", gzip'd: its name. */
static char *
gz_lines_file(int lines)
{
	char *path = NULL;
	int fd = g_file_open_tmp("vfssim-gz-XXXXXX", &path, NULL);
	gzFile gz;
	int i;

	assert_true(fd >= 0);
	close(fd);
	gz = gzopen(path, "wb1");
	assert_non_null(gz);
	for (i = 1; i <= lines; i++)
		assert_true(gzprintf(gz, "line %d\n", i) > 0);
	gzclose(gz);
	return path;
}

/* Read l's lines, each "line N" in turn from N = 1, until lineio_next
 * stops (at most stop_after lines if > 0): how many, and its last code. */
static int
read_lines(struct lineio *l, int stop_after, int *rc, GError **err)
{
	const char *line;
	size_t len;
	int n = 0;

	while ((*rc = lineio_next(l, &line, &len, err)) == 1) {
		char want[32];

		n++;
		snprintf(want, sizeof(want), "line %d", n);
		assert_int_equal(len, strlen(want));
		assert_memory_equal(line, want, len);
		assert_int_equal(lineio_lineno(l), (uint64_t)n);
		if (n == stop_after)
			break;
	}
	return n;
}

/* read_lines of path, opened afresh. */
static int
gz_lines(const char *path, int stop_after, int *rc, GError **err)
{
	struct lineio *l = lineio_open(path, err);
	int n;

	assert_non_null(l);
	n = read_lines(l, stop_after, rc, err);
	lineio_close(l);
	return n;
}

/*
 * A gzip'd trace beyond its first block is inflated by a thread of its own
 * (lineio.c): every line comes back in order, whole across the blocks'
 * edges; a reader closed with the thread part way stops it; data cut short
 * is refused at the line where it ends, naming the file and that line.
 */
static void
test_gz_blocks(void **state)
{
	const int lines = 400000;	/* about 5 MB */
	char *path = gz_lines_file(lines), *data = NULL;
	GError *err = NULL;
	gsize size;
	int n, rc;

	(void)state;
	n = gz_lines(path, 0, &rc, &err);
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_int_equal(n, lines);
	/* closed after the first block, and with the thread part way */
	assert_int_equal(gz_lines(path, 10, &rc, &err), 10);
	assert_int_equal(gz_lines(path, 250000, &rc, &err), 250000);
	assert_null(err);

	/* the compressed data cut in half */
	assert_true(g_file_get_contents(path, &data, &size, NULL));
	assert_true(g_file_set_contents(path, data, (gssize)(size / 2), NULL));
	n = gz_lines(path, 0, &rc, &err);
	assert_int_equal(rc, -1);
	assert_non_null(err);
	assert_true(n > 100000 && n < lines);
	{
		char *want = g_strdup_printf("%s:%d: truncated compressed data",
		    path, n + 1);

		assert_string_equal(err->message, want);
		g_free(want);
	}
	g_clear_error(&err);
	g_free(data);
	g_unlink(path);
	g_free(path);
}

/*
 * The reader on a thread of its own (traceq.c): a native trace of calls
 * "read" with line N's pid N; bad_at > 0 puts a line no parser takes
 * there; every long_every-th call names a path of 100 KB (a slot's
 * storage given back before it is read into again).
 */
static char *
traceq_file(int calls, int bad_at, int long_every)
{
	char *path = NULL, *big = g_strnfill(100 * 1024, 'x');
	int fd = g_file_open_tmp("vfssim-traceq-XXXXXX", &path, NULL);
	FILE *f;
	int i;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "#vfssim-trace 1\n");	/* line 1: calls from line 2 */
	for (i = 2; i <= calls + 1; i++) {
		if (i == bad_at)
			fprintf(f, "not a record\n");
		else if (long_every > 0 && i % long_every == 0)
			fprintf(f, "%d %d stat 0 10 path=\"/%s/%d\"\n", i * 100,
			    i, big, i);
		else
			fprintf(f, "%d %d read 4096 10 fd=3 len=4096\n", i * 100, i);
	}
	fclose(f);
	g_free(big);
	return path;
}

/* What trace_read gives, call by call: each call's record, its last code
 * and error. */
static GPtrArray *
traceq_direct(const char *path, int *rc, GError **err)
{
	struct trace_reader *r = trace_open(path, err);
	GPtrArray *recs = g_ptr_array_new_with_free_func(g_free);
	struct trace_call tc;

	assert_non_null(r);
	trace_call_init(&tc);
	while ((*rc = trace_read(r, &tc, err)) == 1) {
		uint8_t *b = g_malloc(tbin_max(&tc) + sizeof(size_t));
		size_t n = tbin_encode(&tc, b + sizeof(size_t));

		memcpy(b, &n, sizeof(n));
		g_ptr_array_add(recs, b);
	}
	trace_call_free(&tc);
	trace_close(r);
	return recs;
}

/* path through traceq (told it may count on cores processors), each call
 * kept in a spool, against traceq_direct: the same calls in the same
 * order, the same last code and message, the same records in the spool;
 * whether a thread read them. */
static bool
traceq_same(const char *path, unsigned cores, int want_calls, int want_rc)
{
	GError *derr = NULL, *err = NULL, *again = NULL;
	int drc, rc;
	GPtrArray *recs = traceq_direct(path, &drc, &derr);
	struct trace_reader *r = trace_open(path, &err);
	struct tspool *sp = tspool_new();
	struct traceq *q;
	struct trace_call *tc;
	const uint8_t *rec;
	size_t n;
	guint i = 0;
	bool threaded;

	assert_int_equal(drc, want_rc);
	assert_int_equal(recs->len, want_calls);
	assert_non_null(r);
	q = traceq_open(r, cores);
	while ((rc = traceq_next(q, &tc, &err)) == 1) {
		uint8_t *b;

		assert_true(i < recs->len);
		/* kept as the pre-pass keeps it (prepass_read) */
		assert_true(tspool_put(sp, tc, NULL));
		b = g_malloc(tbin_max(tc));
		n = tbin_encode(tc, b);
		if (n != *(size_t *)g_ptr_array_index(recs, i) ||
		    memcmp(b, (uint8_t *)g_ptr_array_index(recs, i) +
		    sizeof(size_t), n) != 0)
			fail_msg("%s: call %u is not trace_read's", path, i);
		g_free(b);
		i++;
	}
	assert_int_equal(rc, want_rc);
	assert_int_equal(i, recs->len);
	if (want_rc < 0) {
		assert_non_null(err);
		assert_string_equal(err->message, derr->message);
		assert_int_equal(err->code, derr->code);
		/* asked again: the same */
		assert_int_equal(traceq_next(q, &tc, &again), -1);
		assert_string_equal(again->message, derr->message);
		g_clear_error(&again);
	} else
		assert_int_equal(traceq_next(q, &tc, &again), 0);
	threaded = traceq_threaded(q);
	traceq_close(q);
	trace_close(r);
	/* the spool holds every call handed over, as the call's record */
	assert_true(tspool_rewind(sp, NULL));
	for (i = 0; tspool_next(sp, &rec, &n, NULL) == 1; i++) {
		assert_true(i < recs->len);
		assert_int_equal(n, *(size_t *)g_ptr_array_index(recs, i));
		assert_memory_equal(rec, (uint8_t *)g_ptr_array_index(recs, i) +
		    sizeof(size_t), n);
	}
	assert_int_equal(i, recs->len);
	tspool_free(sp);
	g_clear_error(&err);
	g_clear_error(&derr);
	g_ptr_array_free(recs, TRUE);
	return threaded;
}

static void
test_traceq(void **state)
{
	struct {
		int calls, bad_at, long_every, want_calls, want_rc;
		bool threaded;
	} c[] = {
		{ 10, 0, 0, 10, 0, false },		/* one block: no thread */
		{ 1024, 0, 0, 1024, 0, true },		/* a full first block */
		{ 1023, 0, 0, 1023, 0, false },
		{ 20000, 0, 0, 20000, 0, true },	/* round the ring */
		{ 20000, 15001, 0, 14999, -1, true },	/* an error in its place */
		{ 20000, 500, 0, 498, -1, false },	/* ... in the first block */
		{ 20000, 1026, 0, 1024, -1, true },	/* ... first in a block */
		{ 600, 0, 3, 600, 0, true },		/* long names: blocks end
							 * at their bytes */
	};
	cpu_set_t all, one;
	unsigned i, round;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	for (round = 0; round < 4; round++) {
		/* round 1 on one processor: the same, never a thread; round
		 * 2 on every processor, but the caller says it has one (a
		 * run of a sweep whose runs fill the machine, batch.c):
		 * the same again; round 3 says two, as round 0 */
		unsigned cores = round == 2 ? 1 : round == 3 ? 2 : 0;
		bool alone = round == 1 || round == 2 || CPU_COUNT(&all) < 2;

		if (round == 1) {
			CPU_ZERO(&one);
			for (i = 0; !CPU_ISSET(i, &all); i++)
				;
			CPU_SET(i, &one);
			assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
		}
		if (round == 2)
			assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
		for (i = 0; i < G_N_ELEMENTS(c); i++) {
			char *path = traceq_file(c[i].calls, c[i].bad_at,
			    c[i].long_every);

			if (traceq_same(path, cores, c[i].want_calls, c[i].want_rc) !=
			    (c[i].threaded && !alone))
				fail_msg("case %u, round %u: threaded is not %d",
				    i, round, c[i].threaded && !alone);
			g_unlink(path);
			g_free(path);
		}
	}
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

/*
 * Closing part way (the pre-pass's own error, or its caller giving up):
 * the thread stops wherever it is, nothing leaks (ASan), nothing hangs;
 * the stop flag (trace_set_stop) comes as TRACE_ERROR_STOPPED after the
 * calls read before it, in order.
 */
static void
test_traceq_close(void **state)
{
	char *path = traceq_file(50000, 0, 0);
	static const int stops[] = { 0, 1, 1023, 1024, 1025, 3000, 49999 };
	volatile sig_atomic_t flag = 0;
	struct trace_reader *r;
	struct traceq *q;
	struct trace_call *tc;
	GError *err = NULL;
	unsigned i;
	int n, rc;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(stops); i++) {
		r = trace_open(path, &err);
		assert_non_null(r);
		q = traceq_open(r, 0);
		for (n = 0; n < stops[i]; n++) {
			assert_int_equal(traceq_next(q, &tc, &err), 1);
			assert_int_equal(tc->pid, n + 2);
		}
		traceq_close(q);
		trace_close(r);
	}
	/* the stop flag, raised after 3,000 calls */
	r = trace_open(path, &err);
	assert_non_null(r);
	trace_set_stop(r, &flag);
	q = traceq_open(r, 0);
	n = 0;
	while ((rc = traceq_next(q, &tc, &err)) == 1) {
		assert_int_equal(tc->pid, n + 2);
		assert_int_equal(tc->line, (uint64_t)n + 2);
		if (++n == 3000)
			flag = 1;
	}
	assert_int_equal(rc, -1);
	assert_non_null(err);
	assert_int_equal(err->code, TRACE_ERROR_STOPPED);
	assert_true(n >= 3000 && n < 50000);
	g_clear_error(&err);
	traceq_close(q);
	trace_close(r);
	g_unlink(path);
	g_free(path);
}

/*
 * lineio_rewind (trace_open's start over after telling the format): back
 * at line 1 with every line as before, the rest of a gzip'd file (its
 * inflating thread) after; refused once the reader has let go of the
 * file's first bytes (the caller then opens it afresh).
 */
static void
test_lineio_rewind(void **state)
{
	const int lines = 300000;	/* past the first 1 MB block */
	char *path = gz_lines_file(lines);
	GError *err = NULL;
	struct lineio *l;
	const char *line;
	size_t len;
	int i, rc;

	(void)state;
	l = lineio_open(path, &err);
	assert_non_null(l);
	for (i = 0; i < 3; i++)
		assert_int_equal(lineio_next(l, &line, &len, &err), 1);
	assert_true(lineio_rewind(l));
	assert_int_equal(lineio_lineno(l), 0);
	assert_int_equal(read_lines(l, 0, &rc, &err), lines);
	assert_int_equal(rc, 0);
	assert_null(err);
	/* the first block's bytes are gone by now */
	assert_false(lineio_rewind(l));
	lineio_close(l);
	g_unlink(path);
	g_free(path);
}

/*
 * A line may be TRACE_MAX_LINE (16 MB) long and no longer: a line of
 * exactly that is read whole, one byte more is refused naming the file
 * and line; so is a 64 MB unterminated line in a .gz.
 */
static void
test_line_cap(void **state)
{
	char *path = NULL;
	int fd = g_file_open_tmp("vfssim-lines-XXXXXX", &path, NULL);
	GString *text = g_string_new("first\n");
	GError *err = NULL;
	struct lineio *l;
	const char *line;
	size_t len;
	gzFile gz;
	char *chunk;
	int i;

	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < TRACE_MAX_LINE; i++)
		g_string_append_c(text, 'a');
	g_string_append(text, "\nthird\n");
	for (i = 0; i <= TRACE_MAX_LINE; i++)
		g_string_append_c(text, 'b');
	g_string_append(text, "\n");
	assert_true(g_file_set_contents(path, text->str, (gssize)text->len, NULL));
	l = lineio_open(path, &err);
	assert_non_null(l);
	assert_int_equal(lineio_next(l, &line, &len, &err), 1);
	assert_int_equal(len, 5);
	assert_int_equal(lineio_next(l, &line, &len, &err), 1);
	assert_int_equal(len, TRACE_MAX_LINE);
	assert_true(line[0] == 'a' && line[len - 1] == 'a');
	assert_int_equal(lineio_next(l, &line, &len, &err), 1);
	assert_int_equal(len, 5);
	assert_int_equal(lineio_next(l, &line, &len, &err), -1);
	assert_non_null(err);
	assert_true(err->domain == TRACE_ERROR && err->code == TRACE_ERROR_FORMAT);
	{
		char *want = g_strdup_printf("%s:4: a line longer than 16 MB", path);

		assert_true(g_str_has_prefix(err->message, want));
		g_free(want);
	}
	g_clear_error(&err);
	lineio_close(l);

	/* 64 MB of one line, compressed */
	gz = gzopen(path, "wb9");
	assert_non_null(gz);
	chunk = g_malloc(1 << 20);
	memset(chunk, 'x', 1 << 20);
	for (i = 0; i < 64; i++)
		assert_int_equal(gzwrite(gz, chunk, 1 << 20), 1 << 20);
	gzclose(gz);
	g_free(chunk);
	l = lineio_open(path, &err);
	assert_non_null(l);
	assert_int_equal(lineio_next(l, &line, &len, &err), -1);
	assert_true(g_str_has_suffix(err->message, "a line longer than 16 MB: not "
	    "a trace (a line is at most 16777216 bytes)"));
	assert_non_null(strstr(err->message, ":1: "));
	g_clear_error(&err);
	lineio_close(l);
	unlink(path);
	g_free(path);
	g_string_free(text, TRUE);
}

/* The trace's digest (runs.trace_digest) is libcrypto's SHA-256 now
 * (loaded when a digest is made); it must be the very digest GLib's
 * GChecksum gave before, or runs recorded before would no longer match
 * the same trace's new runs (vfssim merge's duplicates).  Plain, gzip'd
 * (several 64 KB reads) and an -ff set (its members one after the other,
 * by pid), each against GLib's SHA-256 of the same bytes. */
static void
digest_against_glib(const char *open_as, const char *const *files)
{
	GError *err = NULL;
	struct trace_reader *r = trace_open(open_as, &err);
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	int64_t size = -1, want = 0;
	char *hex = NULL, **names;
	unsigned i;

	assert_non_null(r);
	for (i = 0; files[i] != NULL; i++) {
		gchar *data;
		gsize len;

		assert_true(g_file_get_contents(files[i], &data, &len, NULL));
		g_checksum_update(ck, (const guchar *)data, (gssize)len);
		want += (int64_t)len;
		g_free(data);
	}
	assert_true(trace_reader_digest(r, &hex, &size, &err));
	assert_null(err);
	assert_non_null(hex);
	assert_int_equal(strlen(hex), 64);
	assert_string_equal(hex, g_checksum_get_string(ck));
	assert_int_equal(size, want);
	g_free(hex);
	/* The same by the reader's names alone, after the reader is gone
	 * (what replay_run's digest thread does): the names are the very
	 * files, in that order. */
	names = trace_reader_files(r);
	trace_close(r);
	assert_non_null(names);
	assert_int_equal(g_strv_length(names), i);
	for (i = 0; files[i] != NULL; i++)
		assert_string_equal(names[i], files[i]);
	size = -1;
	assert_true(trace_files_digest(names, &hex, &size, &err));
	assert_null(err);
	assert_string_equal(hex, g_checksum_get_string(ck));
	assert_int_equal(size, want);
	g_free(hex);
	g_strfreev(names);
	g_checksum_free(ck);
}

static void
test_digest(void **state)
{
	static const char *const plain[] = { "traces/formats/07-zoo.strace",
	    NULL };
	static const char *const gz[] = { "traces/d1-sqlite-journal.strace.gz",
	    NULL };
	static const char *const small[] = {
	    "traces/d9-git-commit-filtered.strace.gz", NULL };
	static const char *const ff[] = { "traces/formats/07-zoo.ff.15120",
	    "traces/formats/07-zoo.ff.15121", "traces/formats/07-zoo.ff.15122",
	    NULL };
	GError *err = NULL;
	struct trace_reader *r;
	char *hex = NULL;
	int64_t size = -1;
	char *path;
	int fd;

	/* libcrypto is what computes it here (libssl-dev, so libcrypto, is
	 * one of the packages the build needs) */
	assert_string_equal(trace_digest_engine(), "libcrypto");
	digest_against_glib(plain[0], plain);
	digest_against_glib(gz[0], gz);
	digest_against_glib(small[0], small);
	digest_against_glib("traces/formats/07-zoo.ff", ff);

	/* A known answer besides: the SHA-256 of the three bytes "abc"
	 * (FIPS 180-2, appendix B.1) is no trace, so a trace is copied,
	 * opened, and its file rewritten to "abc" before the digest
	 * (which reads the files afresh). */
	fd = g_file_open_tmp("vfssim-digest-XXXXXX", &path, NULL);
	assert_true(fd >= 0);
	close(fd);
	{
		gchar *data;
		gsize len;

		assert_true(g_file_get_contents(plain[0], &data, &len, NULL));
		assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
		g_free(data);
	}
	r = trace_open(path, &err);
	if (r == NULL)
		fail_msg("%s", err->message);
	assert_true(g_file_set_contents(path, "abc", 3, NULL));
	assert_true(trace_reader_digest(r, &hex, &size, &err));
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(size, 3);
	g_free(hex);
	trace_close(r);
	unlink(path);

	/* A file gone by the time it is hashed: an error naming it, no
	 * digest; no files at all (a generator): no digest, no error. */
	{
		char *gone[] = { path, NULL };

		hex = NULL;
		assert_false(trace_files_digest(gone, &hex, &size, &err));
		assert_non_null(err);
		assert_non_null(strstr(err->message, path));
		assert_null(hex);
		g_clear_error(&err);
		assert_true(trace_files_digest(NULL, &hex, &size, &err));
		assert_null(hex);
		assert_int_equal(size, 0);
		assert_null(err);
	}
	g_free(path);
}

/* ---- HP Laboratories' SRT disk traces (hplsrt.c) ------------------------- */

/* An SRT record of version v and kind k, fields as DiskSim's
 * iotrace_hpl_get_ioreq_event reads them, big-endian, its size its own
 * unless size_fix is set. */
static void
srt_rec(GByteArray *b, unsigned v, unsigned k, int32_t sec, int32_t usec,
    uint32_t bytes, uint32_t blkno, unsigned dev, uint32_t flags,
    uint32_t size_fix)
{
	uint32_t w[15];
	unsigned n = 0, i;

	w[n++] = 0;
	w[n++] = v << 16 | k;
	w[n++] = (uint32_t)sec;
	w[n++] = (uint32_t)usec;
	w[n++] = 0;			/* traced start */
	w[n++] = 1000;			/* traced stop */
	w[n++] = bytes;
	w[n++] = blkno;
	w[n++] = dev << 8 | 7;
	w[n++] = 4;			/* driver type */
	w[n++] = 0;			/* cylinder */
	w[n++] = flags;
	w[n++] = 0;			/* info */
	if (v == 4)
		w[n++] = 1;		/* queue length */
	if (k == 4)
		w[n++] = 0;		/* suspect flags */
	w[0] = size_fix != 0 ? size_fix : 4 * n;
	for (i = 0; i < n; i++) {
		uint32_t be = GUINT32_TO_BE(w[i]);

		g_byte_array_append(b, (const guint8 *)&be, 4);
	}
}

/* What hplsrt_next makes of b (headerless, hpl2): the requests' fields
 * as text, and the error's from the file's name on. */
static char *
srt_read(GByteArray *b, char **msg)
{
	char *path;
	int fd = g_file_open_tmp("vfssim-srt-XXXXXX", &path, NULL);
	GString *out = g_string_new(NULL);
	GError *err = NULL;
	struct hplsrt *h;
	struct hplsrt_rec r;
	int rc;

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, (const char *)b->data,
	    (gssize)b->len, NULL));
	h = hplsrt_open(path, false, &err);
	assert_non_null(h);
	while ((rc = hplsrt_next(h, &r, &err)) == 1)
		g_string_append_printf(out, "%.3f %lld+%lld d%d %c #%llu;",
		    r.at_ms, (long long)r.blkno, (long long)r.nblocks, r.dev,
		    r.read ? 'r' : 'w', (unsigned long long)r.recno);
	*msg = NULL;
	if (rc < 0) {
		const char *at = strstr(err->message, ": record");

		*msg = g_strdup(at != NULL ? at + 2 : err->message);
		g_error_free(err);
	}
	hplsrt_close(h);
	unlink(path);
	g_free(path);
	return g_string_free(out, FALSE);
}

/* A trace of one record (after a good one if good_first), of version v
 * and kind k, with `bytes`, its size size_fix if that is set, cut after
 * `cut` bytes if that is set: refused with want. */
static void
srt_refused(GByteArray *b, bool good_first, unsigned v, unsigned k,
    uint32_t bytes, uint32_t size_fix, unsigned cut, const char *want)
{
	char *msg;

	g_byte_array_set_size(b, 0);
	if (good_first)
		srt_rec(b, 4, 1, 0, 0, 4096, 1000, 0, 1, 0);
	srt_rec(b, v, k, 0, 0, bytes, 1000, 0, 1, size_fix);
	if (cut != 0)
		g_byte_array_set_size(b, cut);
	g_free(srt_read(b, &msg));
	assert_non_null(msg);
	assert_string_equal(msg, want);
	g_free(msg);
}

/*
 * Records as DiskSim's hpl reader takes them: versions 1 to 4 (a queue
 * length in 4), a suspect record (kind 4) skipped, times sec * 1000 + usec
 * / 1000 ms, sizes in 512-byte sectors, the device the minor's low byte,
 * flags bit 0 a read.  And what it refuses, each an error naming the
 * record and the byte it begins at: a size that is not the fields', a
 * kind that is not an I/O, a version outside 1-4, bytes not a whole
 * number of sectors, the file ending inside a record.
 */
static void
test_hplsrt(void **state)
{
	GByteArray *b = g_byte_array_new();
	char *got, *msg;

	(void)state;
	srt_rec(b, 4, 1, 0, 1500, 4096, 1000, 0, 1, 0);
	srt_rec(b, 4, 4, 0, 1600, 1024, 5, 0, 1, 0);
	srt_rec(b, 1, 1, 2, 250, 1024, 77, 3, 0, 0);
	got = srt_read(b, &msg);
	assert_string_equal(got, "1.500 1000+8 d0 r #1;2000.250 77+2 d3 w #3;");
	assert_null(msg);
	g_free(got);

	/* One good record, then a record with a size that is not its
	 * fields' (at byte 56); then single bad records. */
	srt_refused(b, true, 4, 1, 4096, 60, 0, "record 2 (byte 56): the "
	    "record's size is not its fields'");
	srt_refused(b, false, 4, 2, 4096, 0, 0, "record 1 (byte 0): a record "
	    "of a kind other than I/O");
	srt_refused(b, false, 5, 1, 4096, 0, 0, "record 1 (byte 0): not an HP "
	    "trace record (version outside 1-4)");
	srt_refused(b, false, 3, 1, 1000, 0, 0, "record 1 (byte 0): a size "
	    "that is no whole number of 512-byte sectors");
	srt_refused(b, false, 4, 1, 4096, 0, 30, "record 1 (byte 0): the file "
	    "ends inside a record");
	g_byte_array_free(b, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_real),
		cmocka_unit_test(test_tbin_real),
		cmocka_unit_test(test_tbin_edges),
		cmocka_unit_test(test_tbin_widths),
		cmocka_unit_test(test_tbin_extremes),
		cmocka_unit_test(test_tbin_random),
		cmocka_unit_test(test_writer_plain),
		cmocka_unit_test(test_writer_gzip),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_memo),
		cmocka_unit_test(test_line_cap),
		cmocka_unit_test(test_gz_blocks),
		cmocka_unit_test(test_lineio_rewind),
		cmocka_unit_test(test_traceq),
		cmocka_unit_test(test_traceq_close),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_header_numbers),
		cmocka_unit_test(test_token_alignment),
		cmocka_unit_test(test_native_fast_same),
		cmocka_unit_test(test_native_tail_numbers),
		cmocka_unit_test(test_call_reset),
		cmocka_unit_test(test_hplsrt),
	};

	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
