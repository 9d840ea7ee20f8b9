/*
 * main.c — vfssim: the command table and dispatch.
 *
 *	vfssim replay TRACE|--gen NAME [--param key=value]... [--profile F]
 *	    [--set key=value]... [--db F] [--seed N] [--fs-image F]
 *	vfssim import strace IN -o OUT
 *	vfssim plot DB [--kind K] [--runs IDS] -o FILE
 *	vfssim compare TRACE -V NAME=SETTINGS... [--seeds N] [--db F]
 *	vfssim sweep TRACE --grid KEY=V1,V2... [--emit-jobs DIR] [--db F]
 *	vfssim merge OUT.db IN.db...
 *	vfssim report DB [--runs IDS] -o FILE.html
 *	vfssim mrc TRACE [--rate R] [--db F]
 *	vfssim gen NAME [--param key=value]... [--seed N] -o OUT | gen --list
 *	vfssim profile [--profile F] [--set key=value]... [--list|--ini]
 *	vfssim sysctl [--profile F] [--set key=value]...
 *	vfssim disk TRACE [--validate] [--profile F] [--set key=value]... [--db F]
 *	vfssim fs TRACE [--fs-manifest F] [--evidence]
 *	vfssim cache TRACE --policy P --size BLOCKS [--format F]
 *
 * Each command parses its own options with a GOptionContext (the commands
 * are in cmd_*.c, by family; see cmd.h).  Exit status: 0 success, 1 a
 * failure while running (I/O, database), 2 bad input (an unknown option, a
 * malformed trace or profile).
 */
#include "cmd.h"
#include "metrics.h"
#include "version.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

static const struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*what;
} commands[] = {
	{ "replay", cmd_replay, "replay a trace through the simulated kernel" },
	{ "crash", cmd_crash, "crash the machine at instants of a replay: what "
	  "fsck finds, what is lost" },
	{ "import", cmd_import, "convert an strace log to a native trace" },
	{ "plot", cmd_plot, "plot runs with gnuplot (vfssim plot --help: kinds)" },
	{ "gen", cmd_gen, "write a synthetic workload as a native trace" },
	{ "profile", cmd_profile, "print the effective profile, or every key" },
	{ "sysctl", cmd_sysctl, "print the kernel's tunables and derived sizes" },
	{ "disk", cmd_disk, "drive the disk model alone with a block trace" },
	{ "cache", cmd_cache, "a block trace through one cache replacement "
	  "policy alone" },
	{ "compare", cmd_compare, "replay a trace under several variants and "
	  "compare them" },
	{ "sweep", cmd_sweep, "replay a trace at every point of a grid of "
	  "settings" },
	{ "merge", cmd_merge, "copy the runs of several databases into one" },
	{ "report", cmd_report, "write runs as one self-contained HTML page" },
	{ "mrc", cmd_mrc, "the buffer cache's miss ratio at every size, in one "
	  "pass" },
	{ "fs", cmd_fs, "print the starting file system a replay of a trace "
	  "begins from" },
	{ NULL, NULL, NULL }
};

/*
 * GOptionContext takes a short option's value only as the next word
 * (-j 2); -j2, the spelling make and parallel taught everyone, is split
 * into the two words here.  Nothing after "--" is touched.  A new vector
 * (NULL-terminated, the caller frees it, not the strings).
 */
static char **
split_attached(int argc, char **argv)
{
	GPtrArray *v = g_ptr_array_new();
	bool rest = false;
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			rest = true;
		if (!rest && strncmp(a, "-j", 2) == 0 && a[2] != '\0' &&
		    strspn(a + 2, "0123456789") == strlen(a + 2)) {
			g_ptr_array_add(v, (char *)"-j");
			g_ptr_array_add(v, argv[i] + 2);
		} else
			g_ptr_array_add(v, argv[i]);
	}
	g_ptr_array_add(v, NULL);
	return (char **)g_ptr_array_free(v, FALSE);
}

static void
usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: vfssim COMMAND [OPTIONS] ARGS\n\n"
	    "A trace-driven simulator of the FreeBSD 4.x/5.0 VFS, buffer cache "
	    "and disk.\n\ncommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->what);
	fprintf(out, "\n'vfssim COMMAND --help' describes a command.\n"
	    "Quick start: vfssim replay app.strace --db runs.db && "
	    "vfssim plot runs.db -o latency.png\n");
}

int
main(int argc, char **argv)
{
	const struct command *c;

	metrics_init();
	if (argc < 2) {
		usage(stderr);
		return EXIT_BADINPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *hv[] = { argv[2], "--help", NULL };

			for (c = commands; c->name != NULL; c++)
				if (strcmp(c->name, argv[2]) == 0)
					return c->fn(2, hv);
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("vfssim %s\n", vfssim_version_full());
		return 0;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			char *prg = g_strdup_printf("vfssim %s", c->name);
			char **av = split_attached(argc - 1, argv + 1);
			int rc;

			g_set_prgname(prg);
			g_free(prg);
			rc = c->fn((int)g_strv_length(av), av);
			g_free(av);
			return rc;
		}
	fprintf(stderr, "vfssim: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return EXIT_BADINPUT;
}
