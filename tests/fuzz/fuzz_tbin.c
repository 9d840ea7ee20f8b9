/*
 * fuzz_tbin.c — the replay's binary records (tracebin.c), which a run
 * writes to its spool and its spill files and reads back as bytes.  The
 * bytes come from vfssim itself, but a spill file is still a file; the
 * promises, for any input:
 *
 *  - the input taken as records behind their lengths (tbin_get_len), as
 *    a queue or a spill file holds them: each decodes without reading
 *    past its end (each is copied to a block of exactly its bytes: the
 *    sanitizers watch), its head (tbin_head, tbin_head_fixed) agrees with
 *    its decoding, and the call it decodes to comes back from its own
 *    record;
 *  - the input read as a native trace (given the header if it has none,
 *    as fuzz_native does): every call comes back from its record field
 *    for field, its line too; its record cut at every byte, and changed
 *    at one byte the input chooses, decodes within its bytes.
 */
#include "fuzz.h"
#include "trace.h"

#include <string.h>

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

/* rec (n bytes, its own block) decoded, its head read, the call through
 * its record again.  what names it in a finding. */
static void
one_record(const uint8_t *rec, size_t n, struct trace_call *a,
    struct trace_call *b, const char *what)
{
	struct tbin_head h, hf;
	uint8_t *buf;
	size_t m;

	tbin_decode(rec, n, a);
	tbin_head(rec, n, &h);
	tbin_head_fixed(rec, n, &hf);
	/* (shorter than the fixed part: a blank call, a head of zeros) */
	if (n >= 16 && (h.pid != a->pid || h.t_ns != a->t_ns ||
	    h.kind != a->kind || h.sc != a->sc || h.ret != a->ret ||
	    h.dur_ns != a->dur_ns))
		fuzz_fail("%s: the head of a record of %zu bytes does not "
		    "agree with its decoding", what, n);
	if (hf.pid != h.pid || hf.t_ns != h.t_ns || hf.kind != h.kind ||
	    hf.sc != h.sc || hf.ret != 0 || hf.dur_ns != 0)
		fuzz_fail("%s: the fixed head of a record of %zu bytes does "
		    "not agree with its head", what, n);
	buf = g_malloc(tbin_max(a));
	m = tbin_encode(a, buf);
	if (m > tbin_max(a))
		fuzz_fail("%s: a record of %zu bytes past its bound %zu", what,
		    m, tbin_max(a));
	tbin_decode(buf, m, b);
	if (!trace_call_equal(a, b) || a->line != b->line)
		fuzz_fail("%s: a call decoded from %zu bytes does not come "
		    "back from its own record", what, n);
	g_free(buf);
}

/* The input as records behind their lengths. */
static void
raw_records(const uint8_t *data, size_t size)
{
	struct trace_call a, b;
	size_t at = 0, h, n;

	trace_call_init(&a);
	trace_call_init(&b);
	while (at < size && (h = tbin_get_len(data + at, size - at, &n)) > 0) {
		uint8_t *rec;

		at += h;
		if (n > size - at)
			n = size - at;
		rec = g_memdup2(data + at, n);
		one_record(rec, n, &a, &b, "raw input");
		g_free(rec);
		at += n;
	}
	trace_call_free(&a);
	trace_call_free(&b);
}

/* Every call of a native trace through its record. */
static void
native_records(const char *path, const uint8_t *data, size_t size)
{
	GError *err = NULL;
	struct trace_reader *r = trace_open(path, &err);
	struct trace_call tc, a, b;
	uint64_t calls = 0;

	if (r == NULL) {
		g_error_free(err);
		return;
	}
	trace_call_init(&tc);
	trace_call_init(&a);
	trace_call_init(&b);
	while (trace_read(r, &tc, &err) == 1) {
		uint8_t *buf = g_malloc(tbin_max(&tc)), *part;
		size_t n = tbin_encode(&tc, buf), cut, at;

		part = g_memdup2(buf, n);
		tbin_decode(part, n, &a);
		if (!trace_call_equal(&tc, &a) || tc.line != a.line)
			fuzz_fail("line %llu: the call does not come back from "
			    "its record", (unsigned long long)tc.line);
		g_free(part);
		for (cut = 0; cut < n; cut++) {
			part = g_memdup2(buf, cut);
			one_record(part, cut, &a, &b, "a record cut short");
			g_free(part);
		}
		/* one byte changed, where and to what the input says */
		at = (size_t)(calls * 31 + size) % n;
		buf[at] ^= size > 0 ? data[calls % size] | 1 : 0xff;
		part = g_memdup2(buf, n);
		one_record(part, n, &a, &b, "a record changed");
		g_free(part);
		g_free(buf);
		calls++;
	}
	g_clear_error(&err);
	trace_call_free(&tc);
	trace_call_free(&a);
	trace_call_free(&b);
	trace_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = NATIVE_MAGIC " 1\n";

	fuzz_begin();
	raw_records(data, size);
	if (size >= strlen(NATIVE_MAGIC) &&
	    memcmp(data, NATIVE_MAGIC, strlen(NATIVE_MAGIC)) == 0)
		native_records(fuzz_file("t.trace", data, size), data, size);
	else {
		GByteArray *b = g_byte_array_sized_new((guint)size + sizeof(head));

		g_byte_array_append(b, (const guint8 *)head, sizeof(head) - 1);
		g_byte_array_append(b, data, (guint)size);
		native_records(fuzz_file("t.trace", b->data, b->len), data,
		    size);
		g_byte_array_free(b, TRUE);
	}
	return 0;
}
