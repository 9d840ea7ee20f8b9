/*
 * fuzz_profile.c — profiles as vfssim reads them: a file (profile_load),
 * or --set assignments (profile_set); then printed (profile_to_text), the
 * print loaded back, and printed again: the two prints must be the same
 * (a run's profile column is such a print, and plot and report read it
 * back).  No machine is booted (fuzz_boot.c does that).
 *
 * An input is a profile file; one that begins with a line "set:" is a
 * list of assignments, one a line.
 */
#include "fuzz.h"
#include "profile.h"

#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile *p = profile_new(), *q;
	const struct pkey *k;
	GError *err = NULL;
	char *text, *again;

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
	/* the typed readers of every key (profile_str interns: not here) */
	for (k = profile_keys; k->group != NULL; k++) {
		int64_t *t;
		int n;

		switch (k->type) {
		case PK_INT:
		case PK_SIZE:
		case PK_TIME:
			(void)profile_int(p, k->group, k->key);
			break;
		case PK_DOUBLE:
			(void)profile_double(p, k->group, k->key);
			break;
		case PK_BOOL:
			(void)profile_bool(p, k->group, k->key);
			break;
		case PK_TIMES:
			t = profile_times(p, k->group, k->key, &n);
			g_free(t);
			break;
		default:
			break;
		}
	}
	text = profile_to_text(p);
	q = profile_new();
	if (!profile_load(q, fuzz_file("printed.ini", text, strlen(text)), &err))
		fuzz_fail("the printed profile does not load: %s\n%s", err->message,
		    text);
	again = profile_to_text(q);
	if (strcmp(text, again) != 0)
		fuzz_fail("a profile printed, loaded and printed again differs:\n"
		    "%s\n----\n%s", text, again);
	g_free(text);
	g_free(again);
	profile_free(q);
	profile_free(p);
	return 0;
}
