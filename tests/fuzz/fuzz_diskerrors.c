/*
 * fuzz_diskerrors.c — disk.errors, the list of faults to inject, read as
 * the boot reads it (disk_errors_parse); no machine is built.  What is
 * accepted must be well formed (each range in order, non-negative, r or w
 * or both, no more than DISK_MAX_FAULTS of them) and read back the same
 * when written out again.
 */
#include "fuzz.h"
#include "disk.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = g_strndup((const char *)data, size);
	struct disk_fault *f = NULL, *g = NULL;
	int n = 0, m = 0, i;
	char *why = NULL;
	GString *out;

	if (!disk_errors_parse(s, &f, &n, &why)) {
		if (why == NULL)
			abort();		/* refused without a reason */
		g_free(why);
		g_free(s);
		return 0;
	}
	if (n < 0 || n > DISK_MAX_FAULTS)
		abort();
	out = g_string_new("");
	for (i = 0; i < n; i++) {
		if (f[i].first < 0 || f[i].last < f[i].first ||
		    !(f[i].read || f[i].write) || f[i].spent)
			abort();
		g_string_append_printf(out, "%s%lld-%lld:%s%s:%s",
		    i > 0 ? "," : "", (long long)f[i].first,
		    (long long)f[i].last, f[i].read ? "r" : "",
		    f[i].write ? "w" : "", f[i].permanent ? "permanent" :
		    "transient");
	}
	if (!disk_errors_parse(out->str, &g, &m, &why) || m != n ||
	    (n > 0 && memcmp(f, g, sizeof(*f) * (size_t)n) != 0))
		abort();			/* does not read back the same */
	g_free(f);
	g_free(g);
	g_string_free(out, TRUE);
	g_free(s);
	return 0;
}
