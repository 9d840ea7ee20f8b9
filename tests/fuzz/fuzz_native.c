/*
 * fuzz_native.c — native traces, read as vfssim replay reads them
 * (trace_open, trace_read; fuzz_read_trace: every record must read back
 * as it is written).
 *
 * An input without the native header is given one, so that the fuzzer
 * spends its time in the records.  Each line is also read with the
 * reader's shortcuts for the common shapes and by its general code alone
 * (native_parse_line_general), and with the shortcuts through a memo of
 * the names kept from line to line, as the reader does
 * (native_parse_line_memo): the three must agree on the result, the
 * record and the message.
 */
#include "fuzz.h"
#include "trace.h"

#include <string.h>

static void
same_both_ways(const uint8_t *data, size_t size)
{
	struct trace_call a, b, c;
	struct sc_memo memo;
	size_t at = 0;

	memset(&memo, 0, sizeof(memo));
	trace_call_init(&a);
	trace_call_init(&b);
	trace_call_init(&c);
	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t n = (nl != NULL ? (size_t)(nl - data) : size) - at;
		const char *line = (const char *)data + at;
		GError *ea = NULL, *eb = NULL, *ec = NULL;
		int ra = native_parse_line(line, n, &a, &ea);
		int rb = native_parse_line_general(line, n, &b, &eb);
		int rc = native_parse_line_memo(line, n, &c, &memo, &ec);

		if (ra != rb || rc != rb)
			fuzz_fail("a line read as %d with the shortcuts, %d with "
			    "the memo, %d without", ra, rc, rb);
		if (ra == 1 && (!trace_call_equal(&a, &b) ||
		    !trace_call_equal(&c, &b)))
			fuzz_fail("a line read differently with the shortcuts");
		if (ra == -1 && (strcmp(ea->message, eb->message) != 0 ||
		    strcmp(ec->message, eb->message) != 0))
			fuzz_fail("\"%s\" with the shortcuts, \"%s\" with the "
			    "memo, \"%s\" without", ea->message, ec->message,
			    eb->message);
		g_clear_error(&ea);
		g_clear_error(&eb);
		g_clear_error(&ec);
		at += n + 1;
	}
	trace_call_free(&a);
	trace_call_free(&b);
	trace_call_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = NATIVE_MAGIC " 1\n";

	fuzz_begin();
	same_both_ways(data, size);
	if (size >= strlen(NATIVE_MAGIC) &&
	    memcmp(data, NATIVE_MAGIC, strlen(NATIVE_MAGIC)) == 0)
		fuzz_read_trace(fuzz_file("t.trace", data, size));
	else {
		GByteArray *b = g_byte_array_sized_new((guint)size + sizeof(head));

		g_byte_array_append(b, (const guint8 *)head, sizeof(head) - 1);
		g_byte_array_append(b, data, (guint)size);
		fuzz_read_trace(fuzz_file("t.trace", b->data, b->len));
		g_byte_array_free(b, TRUE);
	}
	return 0;
}
