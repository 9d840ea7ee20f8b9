/*
 * fuzz_native.c — native traces, read as vfssim replay reads them
 * (trace_open, trace_read; fuzz_read_trace: every record must read back
 * as it is written).
 *
 * An input without the native header is given one, so that the fuzzer
 * spends its time in the records.
 */
#include "fuzz.h"
#include "trace.h"

#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = NATIVE_MAGIC " 1\n";

	fuzz_begin();
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
