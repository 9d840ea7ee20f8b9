/*
 * fuzz_boot.c — a profile (a file, or "set:" and --set assignments, as
 * fuzz_profile.c) that loads is booted: the machine it describes is built
 * (kern_boot: the drive from the disk.* keys or disk.diskspecs, the buffer
 * cache, the file system), its sysctls listed, and shut down.  This one
 * builds a machine for each input and so is slower than the parsers'.
 */
#include "fuzz.h"
#include "engine.h"
#include "kern.h"
#include "profile.h"

#include <string.h>

static void
sysctl_line(const char *name, const char *value, void *arg)
{
	(*(size_t *)arg) += strlen(name) + strlen(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = profile_new();
	GError *err = NULL;
	struct sim *s;
	struct kern *k;

	fuzz_begin();
	if (size >= 5 && memcmp(data, "set:\n", 5) == 0) {
		char *sets = g_strndup((const char *)data + 5, size - 5);
		char **line = g_strsplit(sets, "\n", 256), **l;

		for (l = line; *l != NULL; l++)
			if (!profile_set(p, *l, &err))
				g_clear_error(&err);
		g_strfreev(line);
		g_free(sets);
	} else if (!profile_load(p, fuzz_file("p.ini", data, size), &err)) {
		g_clear_error(&err);
		profile_free(p);
		return 0;
	}
	s = sim_create();
	k = kern_boot(s, p, &err);
	if (k != NULL) {
		size_t n = 0;

		kern_sysctl_foreach(k, sysctl_line, &n);
	} else
		g_clear_error(&err);
	sim_destroy(s);
	kern_shutdown(k);
	profile_free(p);
	return 0;
}
