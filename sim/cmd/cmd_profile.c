/*
 * cmd_profile.c — the machine a profile describes: vfssim profile (the
 * effective profile, or every key) and vfssim sysctl (the machine booted,
 * its tunables and derived sizes under the kernel's sysctl names).
 *
 *	vfssim profile [--profile F] [--set key=value]... [--list|--ini]
 *	vfssim sysctl [--profile F] [--set key=value]...
 */
#include "cmd.h"
#include "engine.h"
#include "kern.h"
#include "profile.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

/* ---- profile --------------------------------------------------------- */

int
cmd_profile(int argc, char **argv)
{
	char *prof_file = NULL;
	char **sets = NULL;
	gboolean list = FALSE, ini = FALSE;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Profile to apply over the defaults", "FILE" },
		{ "ini", 0, 0, G_OPTION_ARG_NONE, &ini,
		  "Print the defaults as a commented profile (profiles/default.ini)", NULL },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a key (repeatable)", "KEY=VALUE" },
		{ "list", 'l', 0, G_OPTION_ARG_NONE, &list,
		  "List every key with its type, default, sysctl name and meaning", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("- print the effective profile");
	GError *err = NULL;
	struct profile *p = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (ini) {
		const struct pkey *k;
		const char *group = "";

		printf("# vfssim default profile: the machine a FreeBSD user ran in 2001.\n"
		    "#\n# Every key vfssim knows, at its default (vfssim profile --ini\n"
		    "# writes this file).  A profile need only name the keys it changes;\n"
		    "# any key can also be set on the command line with\n"
		    "#   --set group.key=value   or by its sysctl name, e.g. "
		    "--set kern.filedelay=5s\n"
		    "# Sizes take K/M/G suffixes (powers of two); times need a unit "
		    "(ns, us, ms, s).\n");
		for (k = profile_keys; k->group != NULL; k++) {
			if (strcmp(group, k->group) != 0)
				printf("\n[%s]\n", group = k->group);
			printf("# %s", k->doc);
			if (k->sysctl != NULL)
				printf(" (sysctl %s)", k->sysctl);
			if (k->choices != NULL)
				printf(" [%s]", k->choices);
			printf("\n%s = %s\n", k->key, k->dflt);
		}
		goto out;
	}
	if (list) {
		const struct pkey *k;
		const char *lo, *hi, *why;
		bool zero;

		for (k = profile_keys; k->group != NULL; k++) {
			printf("%s.%s = %s", k->group, k->key, k->dflt);
			if (k->sysctl != NULL)
				printf("  (sysctl %s)", k->sysctl);
			if (k->choices != NULL)
				printf("  [%s]", k->choices);
			if (profile_key_range(k, &lo, &hi, &zero, &why))
				printf("  (range: %s%s to %s)", zero ? "0, or " : "",
				    lo, hi);
			printf("\n    %s\n", k->doc);
		}
		goto out;
	}
	p = cmd_build_profile(prof_file, sets, -1, &err);
	if (p == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	{
		char *t = profile_to_text(p);

		fputs(t, stdout);
		g_free(t);
	}
out:
	profile_free(p);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_strfreev(sets);
	return rc;
}

/* ---- sysctl ---------------------------------------------------------- */

static void
print_sysctl(const char *name, const char *value, void *arg)
{
	(void)arg;
	printf("%s: %s\n", name, value);
}

int
cmd_sysctl(int argc, char **argv)
{
	char *prof_file = NULL;
	char **sets = NULL;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Machine and policy profile (INI)", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a key, by its profile or sysctl name (repeatable)",
		  "KEY=VALUE" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("- boot the simulated machine "
	    "and print its tunables and derived values");
	GError *err = NULL;
	struct profile *p = NULL;
	struct sim *s = NULL;
	struct kern *k = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "Each line is \"name: value\" under the kernel's own sysctl name;\n"
	    "any of them can be set with --set name=value (memory as\n"
	    "machine.memory_mb, the era as kernel.era).");
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	p = cmd_build_profile(prof_file, sets, -1, &err);
	if (p == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	s = sim_create();
	k = kern_boot(s, p, &err);
	if (k == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	kern_sysctl_foreach(k, print_sysctl, NULL);
out:
	sim_destroy(s);
	kern_shutdown(k);
	profile_free(p);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_strfreev(sets);
	return rc;
}
