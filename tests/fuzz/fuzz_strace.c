/*
 * fuzz_strace.c — strace logs and -ff sets, read as vfssim replay reads
 * them (trace_open, trace_read; fuzz_read_trace).
 *
 * An input is one log (plain or gzip'd); one that begins with a line
 * "ff:" is an -ff set, its members (at most 8, each one process's file)
 * separated by lines "--".
 */
#include "fuzz.h"

#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_begin();
	if (size >= 4 && memcmp(data, "ff:\n", 4) == 0) {
		const uint8_t *part[8];
		size_t len[8];
		unsigned n, i;
		char *prefix;

		fuzz_split(data + 4, size - 4, part, len, 8, &n);
		for (i = 0; i < n; i++) {
			char name[32];

			g_snprintf(name, sizeof(name), "app.strace.%u", 100 + i);
			fuzz_file(name, part[i], len[i]);
		}
		/* the prefix names the set */
		prefix = fuzz_path("app.strace");
		fuzz_read_trace(prefix);
		g_free(prefix);
		return 0;
	}
	fuzz_read_trace(fuzz_file("app.strace", data, size));
	return 0;
}
