/*
 * main.c — the vfssim commands.
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
 *
 * Each command parses its own options with a GOptionContext.  Exit status:
 * 0 success, 1 a failure while running (I/O, database), 2 bad input (an
 * unknown option, a malformed trace or profile).
 */
#include "batch.h"
#include "stats.h"
#include "libkern.h"
#include "compare.h"
#include "disktrace.h"
#include "htmlreport.h"
#include "merge.h"
#include "mrc.h"
#include "metrics.h"
#include "plot.h"
#include "profile.h"
#include "replay.h"
#include "report.h"
#include "sweep.h"
#include "trace.h"
#include "variants.h"
#include "version.h"
#include "workload.h"
#include "kern.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#define EXIT_BADINPUT	2

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int
fail(GError *err, int code)
{
	fprintf(stderr, "vfssim: %s\n", err != NULL ? err->message : "failed");
	if (err != NULL)
		g_error_free(err);
	return code;
}

/* Errors about what the user gave us (exit 2) vs. failures (exit 1). */
static int
code_of(const GError *err)
{
	if (err == NULL)
		return 1;
	if (err->domain == TRACE_ERROR && err->code == TRACE_ERROR_FORMAT)
		return EXIT_BADINPUT;
	if (err->domain == TRACE_ERROR && err->code == TRACE_ERROR_IO)
		return EXIT_BADINPUT;	/* a trace that is not there */
	if (err->domain == PROFILE_ERROR || err->domain == G_OPTION_ERROR ||
	    err->domain == G_FILE_ERROR || err->domain == WORKLOAD_ERROR)
		return EXIT_BADINPUT;
	if (err->domain == MERGE_ERROR && err->code == MERGE_ERROR_INPUT)
		return EXIT_BADINPUT;
	if (err->domain == FFS_IMAGE_ERROR && err->code == FFS_IMAGE_ERROR_INPUT)
		return EXIT_BADINPUT;	/* a damaged or mismatched image */
	return 1;
}

/* Parse a command's options; on --help GOptionContext prints and exits. */
static bool
parse(GOptionContext *ctx, int *argc, char ***argv, GError **err)
{
	return g_option_context_parse(ctx, argc, argv, err);
}

static struct profile *
build_profile(const char *file, char **sets, gint64 seed, GError **err)
{
	struct profile *p = profile_new();
	char **s;

	if (file != NULL && !profile_load(p, file, err))
		goto bad;
	for (s = sets; s != NULL && *s != NULL; s++)
		if (!profile_set(p, *s, err))
			goto bad;
	if (seed >= 0) {
		char *a = g_strdup_printf("replay.seed=%" G_GINT64_FORMAT, seed);
		bool ok = profile_set(p, a, err);

		g_free(a);
		if (!ok)
			goto bad;
	}
	return p;
bad:
	profile_free(p);
	return NULL;
}

/* ---- replay ---------------------------------------------------------- */

/* vfssim replay --gen: the generator is opened afresh for the pre-pass and
 * for the run; with the same seed both see the same calls. */
struct genspec {
	const char	*name;
	char		**params;
	uint64_t	 seed;
};

static struct trace_reader *
open_gen(void *arg, GError **err)
{
	const struct genspec *gs = arg;

	return workload_reader(gs->name, gs->params, gs->seed, err);
}

/* --snapshot-at T...: the times joined into the profile's list key. */
static bool
set_times(struct profile *prof, const char *key, char **times, GError **err)
{
	char *list, *a;
	bool ok;

	if (times == NULL)
		return true;
	list = g_strjoinv(",", times);
	a = g_strdup_printf("%s=%s", key, list);
	ok = profile_set(prof, a, err);
	g_free(list);
	g_free(a);
	return ok;
}

static int
cmd_replay(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *label = NULL, *gen = NULL;
	char **sets = NULL, **params = NULL, *gentrace = NULL, *fs_image = NULL;
	char **snap_at = NULL, **snap_rm = NULL;
	struct genspec gs;
	gint64 seed = -1;
	gboolean no_events = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Machine and policy profile (INI)", "FILE" },
		{ "snapshot-at", 0, 0, G_OPTION_ARG_STRING_ARRAY, &snap_at,
		  "Take a snapshot of the file system at simulated time T, e.g. "
		  "30s (repeatable; snapshot.at)", "T" },
		{ "snapshot-remove-at", 0, 0, G_OPTION_ARG_STRING_ARRAY, &snap_rm,
		  "Remove the oldest snapshot at time T (repeatable; "
		  "snapshot.remove_at)", "T" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a profile key, e.g. bio.nbuf=2000 or kern.filedelay=5s (repeatable)",
		  "KEY=VALUE" },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "Seed of the run's random choices (replay.seed) and of --gen's "
		  "generator (default 1)", "N" },
		{ "gen", 'g', 0, G_OPTION_ARG_STRING, &gen,
		  "Replay generator NAME's calls, made as the run needs them, "
		  "instead of a TRACE (vfssim gen --list)", "NAME" },
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A parameter of the --gen generator (repeatable)", "KEY=VALUE" },
		{ "label", 0, 0, G_OPTION_ARG_STRING, &label,
		  "A name for this run in the runs table", "NAME" },
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &fs_image,
		  "Start from the file system saved in FILE; if there is no "
		  "FILE, build it as usual and save it there first", "FILE" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per call and per disk request", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print no summary", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - replay a trace "
	    "through the simulated kernel");
	GError *err = NULL;
	struct replay_opts o;
	struct replay_result res;
	struct profile *prof = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "TRACE is a native vfssim trace, an strace log (capture with\n"
	    "  strace -f -ttt -T -y -o FILE COMMAND\n"
	    "), or the prefix of an strace -ff set; gzip'd files are read directly.\n"
	    "With --gen NAME the calls come from a generator instead, made as the run\n"
	    "needs them (vfssim gen --list names them; vfssim gen --help, their parameters).\n"
	    "The run's calls, disk requests, samples and summary go to the database.");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != (gen != NULL ? 1 : 2) || (params != NULL && gen == NULL)) {
		fprintf(stderr, "vfssim replay: expected one TRACE, or --gen NAME "
		    "[--param KEY=VALUE]... (see vfssim replay --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (gen != NULL) {
		struct gen *g;
		GString *t = g_string_new("gen:");
		char **pp;

		gs.name = gen;
		gs.params = params;
		gs.seed = seed >= 0 ? (uint64_t)seed : 1;
		/* Bad parameters are bad input, found before anything runs. */
		g = workload_open(gs.name, gs.params, gs.seed, &err);
		if (g == NULL) {
			g_string_free(t, TRUE);
			rc = fail(err, EXIT_BADINPUT);
			goto out;
		}
		workload_close(g);
		g_string_append(t, gen);
		for (pp = params; pp != NULL && *pp != NULL; pp++)
			g_string_append_printf(t, " %s", *pp);
		g_string_append_printf(t, " seed=%llu", (unsigned long long)gs.seed);
		gentrace = g_string_free(t, FALSE);
	}
	prof = build_profile(prof_file, sets, seed, &err);
	if (prof == NULL || !set_times(prof, "snapshot.at", snap_at, &err) ||
	    !set_times(prof, "snapshot.remove_at", snap_rm, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.trace = gen != NULL ? gentrace : argv[1];
	if (gen != NULL) {
		o.open = open_gen;
		o.open_arg = &gs;
	}
	o.db = db != NULL ? db : "vfssim.db";
	o.prof = prof;
	o.events = !no_events;
	o.progress = isatty(STDERR_FILENO) && !quiet;
	o.label = label;
	o.interrupted = &interrupted;
	o.fs_image = fs_image;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!replay_run(&o, &res, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	if (!quiet) {
		if (!report_summary(o.db, res.run, stdout, &err)) {
			rc = fail(err, 1);
			goto out;
		}
		struct rusage ru;

		if (res.fs_image_loaded || res.fs_image_saved)
			printf("  fs image   %s %s\n", res.fs_image_loaded ?
			    "started from" : "built and saved to", fs_image);

		getrusage(RUSAGE_SELF, &ru);
		printf("  recorded   run %lld in %s; %.2f s wall, %.0f calls/s, "
		    "peak RSS %.1f MB\n", (long long)res.run, o.db,
		    res.wall_seconds, res.wall_seconds > 0 ?
		    (double)res.calls / res.wall_seconds : 0,
		    (double)ru.ru_maxrss / 1024);
	}
out:
	profile_free(prof);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_free(db);
	g_free(label);
	g_free(gen);
	g_free(gentrace);
	g_free(fs_image);
	g_strfreev(params);
	g_strfreev(sets);
	g_strfreev(snap_at);
	g_strfreev(snap_rm);
	return rc;
}

/* ---- runs side by side: compare, sweep -------------------------------- */

/* A generator as a run's source (vfssim mrc): the same calls for the
 * pre-pass and the run. */
struct gensrc {
	const struct batch_source *src;
	uint64_t	 seed;
};

static struct trace_reader *
open_gen_src(void *arg, GError **err)
{
	const struct gensrc *ga = arg;

	return workload_reader(ga->src->gen, ga->src->params, ga->seed, err);
}

/*
 * What compare and sweep share: where the calls come from (a TRACE, or
 * --gen with its parameters), checked before anything runs, and the
 * profile every variant starts from.
 */
struct batch_input {
	struct batch_source src;
	char		*prof_file;
	char		**sets;
	gint64		 seed;		/* first seed; -1: 1 */
	gint		 seeds;		/* how many */
};

/* Check the source: the trace opens and is a trace; the generator knows
 * its parameters.  Bad input, before anything runs. */
static bool
check_source(const struct batch_source *src, GError **err)
{
	if (src->gen != NULL) {
		struct gen *g = workload_open(src->gen, src->params, 1, err);

		if (g == NULL)
			return false;
		workload_close(g);
		return true;
	}
	{
		struct trace_reader *r = trace_open(src->trace, err);

		if (r == NULL)
			return false;
		trace_close(r);
	}
	return true;
}

/* Boot the machine a profile describes and shut it down again: what a
 * run would find wrong with it (a DiskSim file that does not parse, keys
 * that contradict each other) is found before any run starts. */
static bool
check_boot(const struct profile *p, const char *what, GError **err)
{
	struct sim *s = sim_create();
	struct kern *k = kern_boot(s, p, err);

	if (k == NULL) {
		g_prefix_error(err, "variant %s: ", what);
		sim_destroy(s);
		return false;
	}
	sim_destroy(s);
	kern_shutdown(k);
	return true;
}

/*
 * The job of one variant and seed: the common profile, then the
 * variant's own settings (a list of "@FILE" and "key=value", applied in
 * order), then the seed.
 */
static bool
make_job(const struct batch_input *in, const char *label, char **items,
    uint64_t seed, struct batch_job *j, GError **err)
{
	char **it;

	memset(j, 0, sizeof(*j));
	j->prof = build_profile(in->prof_file, in->sets, -1, err);
	if (j->prof == NULL)
		return false;
	for (it = items; it != NULL && *it != NULL; it++) {
		bool ok = (*it)[0] == '@' ? profile_load(j->prof, *it + 1, err) :
		    profile_set(j->prof, *it, err);

		if (!ok) {
			g_prefix_error(err, "variant %s: ", label);
			batch_job_clear(j);
			return false;
		}
	}
	{
		char *a = g_strdup_printf("replay.seed=%llu",
		    (unsigned long long)seed);

		(void)profile_set(j->prof, a, NULL);
		g_free(a);
	}
	j->label = g_strdup(label);
	j->gen_seed = seed;
	j->trace = in->src.gen != NULL ?
	    batch_gen_trace_name(in->src.gen, in->src.params, seed) :
	    g_strdup(in->src.trace);
	return true;
}

/*
 * --fs-image for several runs: every run loads the same image, so it is
 * built first (from the first job: its profile, its seed) if it is not
 * there, and then loaded into each variant's machine — a variant whose
 * geometry is not the image's is bad input found before any run starts.
 * jobs[i] for i in first[] are the variants' first jobs.
 */
static bool
check_image(const struct batch_input *in, const char *fs_image,
    struct batch_job *jobs, guint njobs, guint stride, GError **err)
{
	struct replay_opts o;
	struct gensrc ga = { &in->src, jobs[0].gen_seed };
	bool built;
	guint i;

	memset(&o, 0, sizeof(o));
	o.trace = jobs[0].trace;
	o.prof = jobs[0].prof;
	o.fs_image = fs_image;
	if (in->src.gen != NULL) {
		o.open = open_gen_src;
		o.open_arg = &ga;
	}
	if (!replay_make_image(&o, &built, err))
		return false;
	if (built)
		fprintf(stderr, "vfssim: built the starting file system of "
		    "variant %s and saved it to %s\n", jobs[0].label, fs_image);
	for (i = 0; i < njobs; i += stride) {
		struct sim *s = sim_create();
		struct kern *k = kern_boot(s, jobs[i].prof, err);
		struct ffs_origin orig;
		bool ok = k != NULL && ffs_image_load(k, fs_image, &orig, err);

		sim_destroy(s);
		kern_shutdown(k);
		if (!ok) {
			g_prefix_error(err, "variant %s: ", jobs[i].label);
			return false;
		}
	}
	return true;
}

/* A variant of -V: its name and its settings. */
struct variant_spec {
	char		*name;
	GPtrArray	*items;		/* "@FILE" or "key=value", NULL-ended */
};

/*
 * -V NAME=SETTING[,SETTING...]: SETTING is key=value (a profile key or
 * sysctl name) or @FILE (a profile).  NAME= alone is the common profile
 * unchanged.  The same NAME again adds to that variant.
 */
static bool
parse_variant(GPtrArray *variants, const char *spec, GError **err)
{
	const char *eq = strchr(spec, '=');
	char *name, **items, **it;
	struct variant_spec *v = NULL;
	guint i;

	if (eq == NULL || eq == spec) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "-V %s: expected NAME=key=value[,key=value...] or "
		    "NAME=@profile.ini", spec);
		return false;
	}
	name = g_strndup(spec, (size_t)(eq - spec));
	for (i = 0; i < variants->len; i++) {
		struct variant_spec *x = g_ptr_array_index(variants, i);

		if (strcmp(x->name, name) == 0)
			v = x;
	}
	if (strpbrk(name, ",@ \t") != NULL) {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "-V %s: the variant's name \"%s\" cannot hold ',', '@' or "
		    "blanks", spec, name);
		g_free(name);
		return false;
	}
	items = eq[1] != '\0' ? g_strsplit(eq + 1, ",", -1) : g_new0(char *, 1);
	for (it = items; *it != NULL; it++) {
		g_strstrip(*it);
		if ((*it)[0] == '@' ? (*it)[1] == '\0' :
		    (strchr(*it, '=') == NULL || (*it)[0] == '=')) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "-V %s: \"%s\" is neither key=value nor @profile.ini",
			    spec, *it);
			g_strfreev(items);
			g_free(name);
			return false;
		}
	}
	if (v == NULL) {
		v = g_new0(struct variant_spec, 1);
		v->name = name;
		v->items = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(variants, v);
	} else
		g_free(name);
	for (it = items; *it != NULL; it++)
		g_ptr_array_add(v->items, g_strdup(*it));
	g_strfreev(items);
	return true;
}

static void
variant_spec_free(gpointer p)
{
	struct variant_spec *v = p;

	g_free(v->name);
	g_ptr_array_free(v->items, TRUE);
	g_free(v);
}

static int
cmd_compare(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *gen = NULL, *fs_image = NULL;
	char **sets = NULL, **params = NULL, **vspecs = NULL;
	gint64 seed = -1;
	gint seeds = 1, threads = 0;
	gboolean no_events = FALSE, quiet = FALSE, tsv = FALSE;
	GOptionEntry entries[] = {
		{ "variant", 'V', 0, G_OPTION_ARG_STRING_ARRAY, &vspecs,
		  "A variant: NAME=key=value[,key=value...] or NAME=@profile.ini "
		  "(repeatable; the first is the baseline)", "NAME=SETTINGS" },
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Profile every variant starts from", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a key in every variant (repeatable)", "KEY=VALUE" },
		{ "seeds", 'n', 0, G_OPTION_ARG_INT, &seeds,
		  "Replay each variant with N seeds (default 1)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "The first seed (default 1)", "S" },
		{ "gen", 'g', 0, G_OPTION_ARG_STRING, &gen,
		  "Replay generator NAME's calls instead of a TRACE", "NAME" },
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A parameter of the --gen generator (repeatable)", "KEY=VALUE" },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &threads,
		  "Runs at once (default: one per processor)", "N" },
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &fs_image,
		  "Every run starts from the file system saved in FILE (built "
		  "from the first run's profile and saved there first if there "
		  "is no FILE)", "FILE" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per call and per disk request", NULL },
		{ "tsv", 0, 0, G_OPTION_ARG_NONE, &tsv,
		  "Print the table as tab-separated values at full precision", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print no table", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - replay a trace "
	    "under several variants side by side and compare them");
	GError *err = NULL;
	GPtrArray *variants = g_ptr_array_new_with_free_func(variant_spec_free);
	GArray *jobs = g_array_new(FALSE, TRUE, sizeof(struct batch_job));
	struct batch_input in;
	struct batch_opts bo;
	int64_t *ids = NULL;
	char **sp;
	guint i;
	int rc = 0;

	memset(&in, 0, sizeof(in));
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "Each variant is the common profile (--profile, --set) with its own\n"
	    "settings on top, e.g.\n"
	    "  vfssim compare app.strace -V base= -V wb0=vfs.write_behind=0 \\\n"
	    "      -V small=@profiles/small-32mb.ini,kern.filedelay=5s\n"
	    "The runs go side by side in threads, each deterministic, into one\n"
	    "database, labelled with the variant's name; the table sets each\n"
	    "variant against the first.  With --seeds N each variant is replayed\n"
	    "with seeds S..S+N-1 (replay.seed and --gen's generator) and the table\n"
	    "gives means with 95 % confidence intervals, marking with ~ a change\n"
	    "inside the noise.");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != (gen != NULL ? 1 : 2) || (params != NULL && gen == NULL)) {
		fprintf(stderr, "vfssim compare: expected one TRACE, or --gen NAME "
		    "[--param KEY=VALUE]... (see vfssim compare --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (vspecs == NULL || seeds < 1 || threads < 0) {
		fprintf(stderr, "vfssim compare: %s\n", vspecs == NULL ?
		    "give the variants with -V NAME=SETTINGS (at least one)" :
		    "--seeds and --jobs must be positive");
		rc = EXIT_BADINPUT;
		goto out;
	}
	for (sp = vspecs; *sp != NULL; sp++)
		if (!parse_variant(variants, *sp, &err)) {
			rc = fail(err, EXIT_BADINPUT);
			goto out;
		}
	in.src.gen = gen;
	in.src.params = params;
	in.src.trace = gen != NULL ? gen : argv[1];
	in.prof_file = prof_file;
	in.sets = sets;
	if (!check_source(&in.src, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	/* Every variant's profile is built, and its machine booted, before
	 * the first run starts. */
	for (i = 0; i < variants->len; i++) {
		struct variant_spec *v = g_ptr_array_index(variants, i);
		gint k;

		g_ptr_array_add(v->items, NULL);
		for (k = 0; k < seeds; k++) {
			struct batch_job j;
			uint64_t sd = (uint64_t)(seed >= 0 ? seed : 1) + (uint64_t)k;

			if (!make_job(&in, v->name, (char **)v->items->pdata, sd, &j,
			    &err)) {
				rc = fail(err, EXIT_BADINPUT);
				goto out;
			}
			g_array_append_val(jobs, j);
			if (k == 0 && !check_boot(j.prof, v->name, &err)) {
				rc = fail(err, EXIT_BADINPUT);
				goto out;
			}
		}
	}
	if (fs_image != NULL && !check_image(&in, fs_image,
	    (struct batch_job *)jobs->data, jobs->len, (guint)seeds, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	memset(&bo, 0, sizeof(bo));
	bo.db = db != NULL ? db : "vfssim.db";
	bo.src = &in.src;
	bo.events = !no_events;
	bo.threads = (unsigned)threads;
	bo.progress = isatty(STDERR_FILENO) && !quiet;
	bo.fs_image = fs_image;
	bo.what = "compare";
	bo.interrupted = &interrupted;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ids = g_new(int64_t, jobs->len);
	if (!batch_run(&bo, (struct batch_job *)jobs->data, jobs->len, ids, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	if (!quiet) {
		GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GPtrArray *cv;

		g_array_append_vals(runs, ids, jobs->len);
		cv = variants_of(bo.db, runs, &err);
		g_array_free(runs, TRUE);
		if (cv == NULL) {
			rc = fail(err, 1);
			goto out;
		}
		if (!tsv)
			printf("compare: %u variants of %s, %d seed%s each; runs "
			    "%lld-%lld in %s\n", variants->len, in.src.trace, seeds,
			    seeds > 1 ? "s" : "", (long long)ids[0],
			    (long long)ids[jobs->len - 1], bo.db);
		if (!compare_print(bo.db, cv, tsv ? CMP_TSV : CMP_TEXT, stdout,
		    &err))
			rc = fail(err, 1);
		variants_free(cv);
	}
out:
	for (i = 0; i < jobs->len; i++)
		batch_job_clear(&g_array_index(jobs, struct batch_job, i));
	g_array_free(jobs, TRUE);
	g_ptr_array_free(variants, TRUE);
	g_option_context_free(ctx);
	g_free(ids);
	g_free(prof_file);
	g_free(db);
	g_free(gen);
	g_free(fs_image);
	g_strfreev(sets);
	g_strfreev(params);
	g_strfreev(vspecs);
	return rc;
}

/* ---- sweep ----------------------------------------------------------- */

static int
cmd_sweep(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *gen = NULL, *emit = NULL;
	char **sets = NULL, **params = NULL, **grids = NULL, *fs_image = NULL;
	gint64 seed = -1;
	gint seeds = 1, threads = 0;
	gboolean no_events = FALSE, quiet = FALSE, tsv = FALSE;
	GOptionEntry entries[] = {
		{ "grid", 'G', 0, G_OPTION_ARG_STRING_ARRAY, &grids,
		  "A setting and its values (repeatable: every combination "
		  "is run)", "KEY=V1,V2,..." },
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Profile every run starts from", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a key in every run (repeatable)", "KEY=VALUE" },
		{ "seeds", 'n', 0, G_OPTION_ARG_INT, &seeds,
		  "Replay each point with N seeds (default 1)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "The first seed (default 1)", "S" },
		{ "gen", 'g', 0, G_OPTION_ARG_STRING, &gen,
		  "Replay generator NAME's calls instead of a TRACE", "NAME" },
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A parameter of the --gen generator (repeatable)", "KEY=VALUE" },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &threads,
		  "Runs at once (default: one per processor)", "N" },
		{ "emit-jobs", 0, 0, G_OPTION_ARG_FILENAME, &emit,
		  "Run nothing: write the runs as jobs for a cluster into DIR "
		  "(jobs.txt, slurm.sh, parallel.sh, merge.sh)", "DIR" },
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &fs_image,
		  "Every run starts from the file system saved in FILE (built "
		  "from the first run's profile and saved there first if there "
		  "is no FILE)", "FILE" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per call and per disk request", NULL },
		{ "tsv", 0, 0, G_OPTION_ARG_NONE, &tsv,
		  "Print the table as tab-separated values at full precision", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print no table", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - replay a trace at "
	    "every point of a grid of settings");
	GError *err = NULL;
	GPtrArray *axes = g_ptr_array_new_with_free_func(sweep_axis_free);
	GArray *jobs = g_array_new(FALSE, TRUE, sizeof(struct batch_job));
	GPtrArray *points = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)g_strfreev);
	GArray *seedv = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	struct batch_input in;
	struct batch_opts bo;
	int64_t *ids = NULL;
	char **sp;
	guint i, npoints;
	int rc = 0;

	memset(&in, 0, sizeof(in));
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "  vfssim sweep app.strace --grid machine.memory=32M,64M,128M \\\n"
	    "      --grid kern.filedelay=5s,30s\n"
	    "runs the six combinations (the first --grid varies slowest), side by\n"
	    "side on this machine's processors, into one database; each run is\n"
	    "labelled with its settings (\"machine.memory=32M,kern.filedelay=5s\").\n"
	    "A progress bar shows on a terminal.  With --emit-jobs DIR nothing\n"
	    "runs: DIR/jobs.txt gets one vfssim replay command a run (each into\n"
	    "its own database under DIR/db), with DIR/slurm.sh (a Slurm job\n"
	    "array), DIR/parallel.sh (GNU parallel) and DIR/merge.sh, which\n"
	    "gathers the databases into --db exactly as a local sweep fills it.");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != (gen != NULL ? 1 : 2) || (params != NULL && gen == NULL)) {
		fprintf(stderr, "vfssim sweep: expected one TRACE, or --gen NAME "
		    "[--param KEY=VALUE]... (see vfssim sweep --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (grids == NULL || seeds < 1 || threads < 0) {
		fprintf(stderr, "vfssim sweep: %s\n", grids == NULL ?
		    "give the settings to sweep with --grid KEY=V1,V2,..." :
		    "--seeds and --jobs must be positive");
		rc = EXIT_BADINPUT;
		goto out;
	}
	for (sp = grids; *sp != NULL; sp++)
		if (!sweep_parse_axis(axes, *sp, &err)) {
			rc = fail(err, EXIT_BADINPUT);
			goto out;
		}
	in.src.gen = gen;
	in.src.params = params;
	in.src.trace = gen != NULL ? gen : argv[1];
	in.prof_file = prof_file;
	in.sets = sets;
	if (!check_source(&in.src, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	npoints = sweep_npoints(axes);
	for (i = 0; i < npoints; i++) {
		char **pt = sweep_point(axes, i);
		char *label = sweep_label(axes, i);
		gint k;

		for (k = 0; k < seeds; k++) {
			struct batch_job j;
			uint64_t sd = (uint64_t)(seed >= 0 ? seed : 1) + (uint64_t)k;

			if (!make_job(&in, label, pt, sd, &j, &err)) {
				g_strfreev(pt);
				g_free(label);
				rc = fail(err, EXIT_BADINPUT);
				goto out;
			}
			g_array_append_val(jobs, j);
			g_ptr_array_add(points, g_strdupv(pt));
			g_array_append_val(seedv, sd);
			if (k == 0 && !check_boot(j.prof, label, &err)) {
				g_strfreev(pt);
				g_free(label);
				rc = fail(err, EXIT_BADINPUT);
				goto out;
			}
		}
		g_strfreev(pt);
		g_free(label);
	}
	if (fs_image != NULL && !check_image(&in, fs_image,
	    (struct batch_job *)jobs->data, jobs->len, (guint)seeds, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	if (emit != NULL) {
		struct sweep_jobspec js = { gen == NULL ? argv[1] : NULL, gen, params,
		    prof_file, sets, !no_events, fs_image };
		char **labels = g_new0(char *, jobs->len + 1);
		bool ok;

		for (i = 0; i < jobs->len; i++)
			labels[i] = g_array_index(jobs, struct batch_job, i).label;
		ok = sweep_emit_jobs(emit, db != NULL ? db : "vfssim.db", &js,
		    (char ***)points->pdata, labels, (uint64_t *)seedv->data,
		    jobs->len, &err);
		g_free(labels);
		if (!ok) {
			rc = fail(err, 1);
			goto out;
		}
		printf("wrote %u jobs to %s/jobs.txt; run them with %s/parallel.sh "
		    "(GNU parallel) or sbatch %s/slurm.sh, then %s/merge.sh\n",
		    jobs->len, emit, emit, emit, emit);
		goto out;
	}
	memset(&bo, 0, sizeof(bo));
	bo.db = db != NULL ? db : "vfssim.db";
	bo.src = &in.src;
	bo.events = !no_events;
	bo.threads = (unsigned)threads;
	bo.progress = isatty(STDERR_FILENO) && !quiet;
	bo.fs_image = fs_image;
	bo.what = "sweep";
	bo.interrupted = &interrupted;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ids = g_new(int64_t, jobs->len);
	if (!batch_run(&bo, (struct batch_job *)jobs->data, jobs->len, ids, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	if (!quiet) {
		if (!tsv)
			printf("sweep: %u runs (%u points, %d seed%s each) of %s; "
			    "runs %lld-%lld in %s\n", jobs->len, npoints, seeds,
			    seeds > 1 ? "s" : "", in.src.trace, (long long)ids[0],
			    (long long)ids[jobs->len - 1], bo.db);
		if (!sweep_print(bo.db, axes, ids, jobs->len, tsv, stdout, &err))
			rc = fail(err, 1);
	}
out:
	for (i = 0; i < jobs->len; i++)
		batch_job_clear(&g_array_index(jobs, struct batch_job, i));
	g_array_free(jobs, TRUE);
	g_ptr_array_free(points, TRUE);
	g_array_free(seedv, TRUE);
	g_ptr_array_free(axes, TRUE);
	g_option_context_free(ctx);
	g_free(ids);
	g_free(prof_file);
	g_free(db);
	g_free(gen);
	g_free(emit);
	g_free(fs_image);
	g_strfreev(sets);
	g_strfreev(params);
	g_strfreev(grids);
	return rc;
}

/* ---- mrc ------------------------------------------------------------- */

#define MRC_FOLLOW	(1u << 24)	/* references followed in full */

struct mrcrun {
	struct mrc	*m;
	double		 rate;		/* asked for; 0: chosen by length */
	GArray		*at;		/* int64_t: sizes asked for (--sizes) */
	int		 nbuf, bsize;
	double		 run_miss;	/* the run's own buffer miss ratio */
};

static void
mrc_refs_cb(void *arg, const struct bp_key *refs, size_t n, uint64_t total)
{
	struct mrcrun *mr = arg;

	if (mr->m == NULL) {
		/* A long stream is sampled down to about MRC_FOLLOW
		 * references, unless a rate was given. */
		double rate = mr->rate > 0 ? mr->rate : total > MRC_FOLLOW ?
		    (double)MRC_FOLLOW / (double)total : 1;

		mr->m = mrc_new(rate);
	}
	mrc_add(mr->m, refs, n);
}

static bool
in_array(const GArray *a, int64_t v)
{
	guint i;

	for (i = 0; i < a->len; i++)
		if (g_array_index(a, int64_t, i) == v)
			return true;
	return false;
}

static void
mrc_finish_cb(void *arg, struct metrics *m, const struct kern *k)
{
	struct mrcrun *mr = arg;
	int64_t extra[64];
	guint nextra = 0, i;
	GArray *sz;
	int64_t c;

	if (mr->m == NULL)
		mr->m = mrc_new(1);
	mr->nbuf = k->bc.nbuf;
	mr->bsize = k->fs.fs_bsize;
	mr->run_miss = k->cnt.getblk > 0 ? 1 - (double)k->cnt.getblk_hits /
	    (double)k->cnt.getblk : 0;
	extra[nextra++] = mr->nbuf;
	for (c = 1; c <= INT64_C(1) << 40 && nextra < G_N_ELEMENTS(extra); c *= 2)
		extra[nextra++] = c;
	sz = mrc_sizes(mr->m, extra, nextra);
	g_array_append_vals(sz, mr->at->data, mr->at->len);
	g_array_sort(sz, cmp_int64);
	for (i = 0; i < sz->len; i++) {
		int64_t b = g_array_index(sz, int64_t, i);

		/* past the largest distance the curve is flat: stop a
		 * little beyond it */
		if (i > 0 && b == g_array_index(sz, int64_t, i - 1))
			continue;
		if (b > 2 * (int64_t)mrc_blocks(mr->m) / mrc_rate(mr->m) + 2 &&
		    b != mr->nbuf && !in_array(mr->at, b))
			continue;
		metrics_mrc(m, b, mrc_miss_ratio(mr->m, b));
	}
	g_array_free(sz, TRUE);
	metrics_summary(m, "mrc.refs", (double)mrc_refs(mr->m));
	metrics_summary(m, "mrc.sampled_refs", (double)mrc_sampled(mr->m));
	metrics_summary(m, "mrc.blocks", (double)mrc_blocks(mr->m));
	metrics_summary(m, "mrc.rate", mrc_rate(mr->m));
	metrics_summary(m, "mrc.miss_ratio_at_nbuf", mrc_miss_ratio(mr->m,
	    mr->nbuf));
}

static int
cmd_mrc(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *label = NULL, *gen = NULL;
	char **sets = NULL, **params = NULL, *sizes = NULL, *fs_image = NULL;
	gint64 seed = -1;
	gdouble rate = 0;
	gboolean quiet = FALSE, events = FALSE;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Machine and policy profile (INI)", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a profile key (repeatable)", "KEY=VALUE" },
		{ "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate,
		  "Follow this share of the blocks (spatial sampling; default: "
		  "every block, or enough for about 16 million references)", "R" },
		{ "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes,
		  "Cache sizes (buffers) to print and record besides the usual "
		  "ones, comma-separated", "N,N,..." },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "Seed (replay.seed and --gen's generator)", "N" },
		{ "gen", 'g', 0, G_OPTION_ARG_STRING, &gen,
		  "Replay generator NAME's calls instead of a TRACE", "NAME" },
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A parameter of the --gen generator (repeatable)", "KEY=VALUE" },
		{ "label", 0, 0, G_OPTION_ARG_STRING, &label,
		  "A name for the run (default \"mrc\")", "NAME" },
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &fs_image,
		  "Start from the file system saved in FILE; if there is no "
		  "FILE, build it as usual and save it there first", "FILE" },
		{ "events", 0, 0, G_OPTION_ARG_NONE, &events,
		  "Record a row per call and per disk request too", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print no table", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - the buffer cache's "
	    "miss ratio at every size, in one pass");
	GError *err = NULL;
	struct batch_source src;
	struct mrcrun mr;
	struct replay_opts o;
	struct replay_result res;
	struct profile *prof = NULL;
	char *gentrace = NULL;
	struct gensrc ga;
	int rc = 0;

	memset(&mr, 0, sizeof(mr));
	mr.at = g_array_new(FALSE, FALSE, sizeof(int64_t));
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "The trace is replayed once (a run in the database, labelled \"mrc\")\n"
	    "and every block reference the buffer cache sees (each getblk) is\n"
	    "kept; Mattson's stack distances then give LRU's miss ratio for every\n"
	    "cache size at once, into the mrc table (vfssim plot --kind hit-ratio\n"
	    "draws it).  The references are those of the profile's machine: a\n"
	    "smaller cache reads the same blocks, as long as read-ahead does not\n"
	    "change with the cache's size.");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != (gen != NULL ? 1 : 2) || (params != NULL && gen == NULL) ||
	    rate < 0 || rate > 1) {
		fprintf(stderr, "vfssim mrc: %s\n", rate < 0 || rate > 1 ?
		    "--rate is a share of the blocks, in (0, 1]" :
		    "expected one TRACE, or --gen NAME [--param KEY=VALUE]...");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (sizes != NULL) {
		char **v = g_strsplit(sizes, ",", -1), **p;

		for (p = v; *p != NULL; p++) {
			char *end;
			gint64 n = g_ascii_strtoll(*p, &end, 10);

			if (end == *p || *end != '\0' || n < 1) {
				fprintf(stderr, "vfssim mrc: --sizes %s: expected "
				    "buffer counts like 100,300,1000\n", sizes);
				g_strfreev(v);
				rc = EXIT_BADINPUT;
				goto out;
			}
			g_array_append_val(mr.at, n);
		}
		g_strfreev(v);
		g_array_sort(mr.at, cmp_int64);
	}
	src.gen = gen;
	src.params = params;
	src.trace = gen != NULL ? gen : argv[1];
	if (!check_source(&src, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	prof = build_profile(prof_file, sets, seed, &err);
	if (prof == NULL) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	mr.rate = rate;
	memset(&o, 0, sizeof(o));
	o.trace = argv[1];
	if (gen != NULL) {
		ga.src = &src;
		ga.seed = seed >= 0 ? (uint64_t)seed : 1;
		gentrace = batch_gen_trace_name(gen, params, ga.seed);
		o.trace = gentrace;
		o.open = open_gen_src;
		o.open_arg = &ga;
	}
	o.db = db != NULL ? db : "vfssim.db";
	o.prof = prof;
	o.events = events;
	o.progress = isatty(STDERR_FILENO) && !quiet;
	o.label = label != NULL ? label : "mrc";
	o.interrupted = &interrupted;
	o.refs = mrc_refs_cb;
	o.finish = mrc_finish_cb;
	o.refs_arg = &mr;
	o.fs_image = fs_image;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!replay_run(&o, &res, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	if (!quiet) {
		int64_t c, top = (int64_t)((double)mrc_blocks(mr.m) /
		    mrc_rate(mr.m));
		bool said = false;
		GArray *rows = g_array_new(FALSE, FALSE, sizeof(int64_t));
		guint i;

		printf("mrc: %llu block references (%llu blocks), ",
		    (unsigned long long)mrc_refs(mr.m),
		    (unsigned long long)(mrc_blocks(mr.m) / mrc_rate(mr.m)));
		if (mrc_rate(mr.m) < 1)
			printf("%.4g of the blocks followed (%llu references); ",
			    mrc_rate(mr.m), (unsigned long long)mrc_sampled(mr.m));
		printf("recorded run %lld in %s\n", (long long)res.run, o.db);
		printf("  %12s %10s %11s %9s\n", "buffers", "size", "LRU misses",
		    "hits");
		/* powers of two from 16 to beyond the largest distance, the
		 * machine's nbuf, and the sizes asked for */
		for (c = 16; c <= 2 * top || c <= mr.nbuf; c *= 2)
			g_array_append_val(rows, c);
		g_array_append_vals(rows, mr.at->data, mr.at->len);
		c = mr.nbuf;
		g_array_append_val(rows, c);
		g_array_sort(rows, cmp_int64);
		for (i = 0; i < rows->len; i++) {
			char sz[32];

			c = g_array_index(rows, int64_t, i);
			if (i > 0 && c == g_array_index(rows, int64_t, i - 1))
				continue;
			human_bytes(sz, sizeof(sz), (double)c * mr.bsize);
			printf("  %12lld %10s %10.2f%% %8.2f%%", (long long)c, sz,
			    100 * mrc_miss_ratio(mr.m, c),
			    100 * (1 - mrc_miss_ratio(mr.m, c)));
			if (c == mr.nbuf && !said) {
				/* the machine's own size, and what it did */
				printf("   <- nbuf; the run itself missed %.2f%%",
				    100 * mr.run_miss);
				said = true;
			}
			putchar('\n');
		}
		g_array_free(rows, TRUE);
	}
out:
	mrc_free(mr.m);
	g_array_free(mr.at, TRUE);
	g_free(sizes);
	g_free(fs_image);
	profile_free(prof);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_free(db);
	g_free(label);
	g_free(gen);
	g_free(gentrace);
	g_strfreev(sets);
	g_strfreev(params);
	return rc;
}

/* ---- merge ----------------------------------------------------------- */

static int
cmd_merge(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new("OUT.db IN.db... - copy the "
	    "runs of several databases into one");
	GError *err = NULL;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	guint skipped = 0;
	int rc = 0;

	g_option_context_set_description(ctx,
	    "Every complete run of each IN is copied into OUT (created if need\n"
	    "be) with all its rows, in the order the INs are given and, within\n"
	    "one, in run order: the runs of a sweep's jobs (--emit-jobs), merged\n"
	    "in job order, are numbered as a local sweep numbers them.  Runs\n"
	    "that failed or never finished are left out.  OUT gains every run\n"
	    "or, on an error, none.");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc < 3) {
		fprintf(stderr, "vfssim merge: usage: vfssim merge OUT.db IN.db...\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (!db_merge(argv[1], argv + 2, (guint)(argc - 2), ids, &skipped, &err)) {
		rc = code_of(err);
		fail(err, rc);
		goto out;
	}
	printf("merged %u run%s from %d database%s into %s", ids->len,
	    ids->len == 1 ? "" : "s", argc - 2, argc == 3 ? "" : "s", argv[1]);
	if (ids->len > 0)
		printf(" (runs %lld-%lld)", (long long)g_array_index(ids, int64_t, 0),
		    (long long)g_array_index(ids, int64_t, ids->len - 1));
	if (skipped > 0)
		printf("; %u incomplete run%s left out", skipped,
		    skipped == 1 ? "" : "s");
	printf("\n");
out:
	g_array_free(ids, TRUE);
	g_option_context_free(ctx);
	return rc;
}

/* ---- import ---------------------------------------------------------- */

static int
cmd_import(int argc, char **argv)
{
	char *outpath = NULL;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Native trace to write (gzip'd if it ends in .gz)", "OUT" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("strace IN - convert an "
	    "strace log to a native trace");
	GError *err = NULL;
	struct trace_reader *r = NULL;
	struct trace_writer *w = NULL;
	struct trace_call tc;
	int rc = 0, n;
	uint64_t count = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	trace_call_init(&tc);
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 3 || strcmp(argv[1], "strace") != 0 || outpath == NULL) {
		fprintf(stderr, "vfssim import: usage: vfssim import strace IN -o OUT\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	r = trace_open(argv[2], &err);
	if (r == NULL) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (trace_reader_format(r) == TF_NATIVE) {
		fprintf(stderr, "vfssim import: %s is already a native trace\n", argv[2]);
		rc = EXIT_BADINPUT;
		goto out;
	}
	/* Write to a temporary name and rename at the end: a failed import
	 * leaves no half-written output. */
	{
		char *tmp = g_strdup_printf("%s.partial", outpath);

		w = trace_writer_open(tmp, g_str_has_suffix(outpath, ".gz"), &err);
		if (w == NULL) {
			g_free(tmp);
			rc = fail(err, 1);
			goto out;
		}
		while ((n = trace_read(r, &tc, &err)) == 1) {
			count++;
			if (!trace_write(w, &tc, &err))
				break;
		}
		if (n == 1 || n < 0) {
			GError *e2 = NULL;

			trace_writer_close(w, &e2);
			g_clear_error(&e2);
			w = NULL;
			unlink(tmp);
			g_free(tmp);
			rc = fail(err, code_of(err));
			goto out;
		}
		if (!trace_writer_close(w, &err)) {
			w = NULL;
			unlink(tmp);
			g_free(tmp);
			rc = fail(err, 1);
			goto out;
		}
		w = NULL;
		if (rename(tmp, outpath) != 0) {
			fprintf(stderr, "vfssim import: %s: %s\n", outpath,
			    g_strerror(errno));
			unlink(tmp);
			rc = 1;
		}
		g_free(tmp);
	}
	if (rc == 0)
		printf("wrote %llu records to %s\n", (unsigned long long)count, outpath);
out:
	trace_call_free(&tc);
	trace_close(r);
	g_option_context_free(ctx);
	g_free(outpath);
	return rc;
}

/* ---- plot ------------------------------------------------------------ */

/* "3", "3,5", "2-6" or a mix: run ids, in the order given. */
static bool
parse_runs(const char *spec, GArray *runs, GError **err)
{
	char **parts = g_strsplit(spec, ",", -1), **p;
	bool ok = true;

	for (p = parts; *p != NULL && ok; p++) {
		char *dash = strchr(*p, '-'), *end;
		gint64 lo, hi, i;

		lo = g_ascii_strtoll(*p, &end, 10);
		ok = end != *p && (dash != NULL ? end == dash : *end == '\0') &&
		    lo > 0;
		hi = lo;
		if (ok && dash != NULL) {
			hi = g_ascii_strtoll(dash + 1, &end, 10);
			ok = end != dash + 1 && *end == '\0' && hi >= lo &&
			    hi - lo < 100000;
		}
		for (i = lo; ok && i <= hi; i++) {
			int64_t id = i;

			g_array_append_val(runs, id);
		}
	}
	if (!ok)
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--runs %s: expected run ids like 3 or 2,5 or 1-4", spec);
	g_strfreev(parts);
	return ok;
}

static int
cmd_plot(int argc, char **argv)
{
	char *outpath = NULL, *kind = NULL, *runspec = NULL, *call = NULL;
	char *param = NULL, *metric = NULL;
	gint64 run = -1;
	GOptionEntry entries[] = {
		{ "kind", 'k', 0, G_OPTION_ARG_STRING, &kind,
		  "What to plot (default latency-cdf; see below)", "KIND" },
		{ "runs", 'r', 0, G_OPTION_ARG_STRING, &runspec,
		  "Runs to draw, overlaid: 3 or 2,5 or 1-4 (default: the newest "
		  "complete run; for hit-ratio and sweep every complete run)",
		  "IDS" },
		{ "run", 0, 0, G_OPTION_ARG_INT64, &run,
		  "One run to draw (as --runs N)", "N" },
		{ "call", 'c', 0, G_OPTION_ARG_STRING, &call,
		  "latency-cdf, latency-time: only this call type", "NAME" },
		{ "param", 0, 0, G_OPTION_ARG_STRING, &param,
		  "sweep: the setting on the x axis (default: the one with the "
		  "most values)", "KEY" },
		{ "metric", 'm', 0, G_OPTION_ARG_STRING, &metric,
		  "sweep: the summary metric on the y axis (default "
		  "latency.all.mean_ns)", "METRIC" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Image to write: .png or .svg", "FILE" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("DB - plot runs with gnuplot");
	GString *desc = g_string_new("Kinds:\n");
	const struct plot_kind *pk;
	GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct plot_req rq;
	GError *err = NULL;
	int rc = 0;

	for (pk = plot_kinds; pk->name != NULL; pk++)
		g_string_append_printf(desc, "  %-13s %s\n", pk->name, pk->what);
	g_string_append(desc, "Several runs are overlaid, each named by its "
	    "label.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, desc->str);
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2 || outpath == NULL) {
		fprintf(stderr, "vfssim plot: usage: vfssim plot DB [--kind K] "
		    "[--runs IDS] -o FILE.png|FILE.svg\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (runspec != NULL && !parse_runs(runspec, runs, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (run > 0)
		g_array_append_val(runs, run);
	memset(&rq, 0, sizeof(rq));
	rq.db = argv[1];
	rq.kind = kind != NULL ? kind : "latency-cdf";
	rq.runs = runs;
	rq.out = outpath;
	rq.call = call;
	rq.param = param;
	rq.metric = metric;
	if (!plot_make(&rq, &err)) {
		rc = fail(err, err != NULL && err->domain == PLOT_ERROR &&
		    err->code == PLOT_ERROR_INPUT ? EXIT_BADINPUT : 1);
		goto out;
	}
	printf("wrote %s\n", outpath);
out:
	g_option_context_free(ctx);
	g_string_free(desc, TRUE);
	g_array_free(runs, TRUE);
	g_free(outpath);
	g_free(kind);
	g_free(runspec);
	g_free(call);
	g_free(param);
	g_free(metric);
	return rc;
}

/* ---- report ---------------------------------------------------------- */

static int
cmd_report(int argc, char **argv)
{
	char *outpath = NULL, *runspec = NULL;
	GOptionEntry entries[] = {
		{ "runs", 'r', 0, G_OPTION_ARG_STRING, &runspec,
		  "Runs to report: 3 or 2,5 or 1-4 (default: every complete run)",
		  "IDS" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Page to write (.html)", "FILE" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("DB - write the runs of a "
	    "database as one self-contained HTML page");
	GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GError *err = NULL;
	guint nplots = 0;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "The page holds the runs and the settings they differ in, the\n"
	    "comparison table of vfssim compare (runs with the same label are\n"
	    "seeds of one variant), every plot the runs have data for, inlined\n"
	    "as SVG, and each variant's profile: nothing outside the file.");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2 || outpath == NULL) {
		fprintf(stderr, "vfssim report: usage: vfssim report DB [--runs IDS] "
		    "-o FILE.html\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (runspec != NULL && !parse_runs(runspec, runs, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (!html_report(argv[1], runs->len > 0 ? runs : NULL, outpath, &nplots,
	    &err)) {
		rc = fail(err, err != NULL && (err->domain == METRICS_ERROR ||
		    (err->domain == PLOT_ERROR && err->code == PLOT_ERROR_INPUT)) ?
		    EXIT_BADINPUT : 1);
		goto out;
	}
	printf("wrote %s (%u plots)\n", outpath, nplots);
out:
	g_option_context_free(ctx);
	g_array_free(runs, TRUE);
	g_free(outpath);
	g_free(runspec);
	return rc;
}

/* ---- gen ------------------------------------------------------------- */

static int
cmd_gen(int argc, char **argv)
{
	char *outpath = NULL;
	char **params = NULL;
	gint64 seed = 1;
	gboolean list = FALSE;
	GOptionEntry entries[] = {
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A generator parameter (repeatable)", "KEY=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Native trace to write (gzip'd if it ends in .gz)", "OUT" },
		{ "list", 'l', 0, G_OPTION_ARG_NONE, &list,
		  "List the generators, one a line", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("NAME - write a synthetic "
	    "workload as a native trace");
	GError *err = NULL;
	char *help = workload_help(), *desc;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	desc = g_strdup_printf("Generators and their parameters (defaults shown):\n%s"
	    "Each is deterministic for a seed.  vfssim replay --gen NAME replays one\n"
	    "without writing a file.", help);
	g_option_context_set_description(ctx, desc);
	g_free(help);
	g_free(desc);
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (list) {
		workload_list(stdout);
		goto out;
	}
	if (argc != 2 || outpath == NULL) {
		fprintf(stderr, "vfssim gen: usage: vfssim gen NAME [--param k=v]... "
		    "-o OUT  (vfssim gen --list shows the generators)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (!workload_generate(argv[1], params, (uint64_t)seed, outpath, &err)) {
		rc = fail(err, err != NULL && err->domain == WORKLOAD_ERROR ?
		    EXIT_BADINPUT : 1);
		goto out;
	}
out:
	g_option_context_free(ctx);
	g_free(outpath);
	g_strfreev(params);
	return rc;
}

/* ---- profile --------------------------------------------------------- */

static int
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
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
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

		for (k = profile_keys; k->group != NULL; k++) {
			printf("%s.%s = %s", k->group, k->key, k->dflt);
			if (k->sysctl != NULL)
				printf("  (sysctl %s)", k->sysctl);
			if (k->choices != NULL)
				printf("  [%s]", k->choices);
			printf("\n    %s\n", k->doc);
		}
		goto out;
	}
	p = build_profile(prof_file, sets, -1, &err);
	if (p == NULL) {
		rc = fail(err, EXIT_BADINPUT);
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

/* ---- disk ------------------------------------------------------------ */

static int
cmd_disk(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *label = NULL, *format = NULL;
	char **sets = NULL;
	gboolean validate = FALSE, no_events = FALSE, quiet = FALSE;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Profile describing the drive (e.g. profiles/disks/hp_c2247a.ini)",
		  "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a profile key, e.g. disk.diskspecs=drive.parv (repeatable)",
		  "KEY=VALUE" },
		{ "validate", 0, 0, G_OPTION_ARG_NONE, &validate,
		  "TRACE is a validate trace: print the measured and simulated "
		  "mean service times and the demerit", NULL },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Trace format: ascii or validate (default: from the first line)",
		  "FMT" },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "label", 0, 0, G_OPTION_ARG_STRING, &label,
		  "A name for this run in the runs table", "NAME" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per request", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print no summary (--validate still prints its three lines)", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - drive the disk "
	    "model alone with a block trace");
	GError *err = NULL;
	struct disktrace_opts o;
	struct disktrace_result res;
	struct profile *prof = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "TRACE is a DiskSim block trace, one request a line:\n"
	    "  ascii:     ARRIVAL_MS DEVICE BLOCK BLOCKS FLAGS  (flags bit 0: read)\n"
	    "  validate:  R|W CLASS BLOCK BLOCKS SERVICE_US GAP_US\n"
	    "A validate trace was measured on a real drive one request at a time;\n"
	    "each request arrives GAP_US after the previous one completes.\n"
	    "--validate prints, for scripts:\n"
	    "  measured mean: X ms\n  simulated mean: Y ms\n"
	    "  demerit: Z ms (W % of measured mean)\n");
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2) {
		fprintf(stderr, "vfssim disk: give one TRACE (vfssim disk --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.format = validate ? DT_VALIDATE : DT_AUTO;
	if (format != NULL) {
		if (strcmp(format, "ascii") == 0 && !validate)
			o.format = DT_ASCII;
		else if (strcmp(format, "validate") == 0)
			o.format = DT_VALIDATE;
		else {
			fprintf(stderr, "vfssim disk: --format %s: ascii or "
			    "validate%s\n", format, validate ?
			    " (--validate needs a validate trace)" : "");
			rc = EXIT_BADINPUT;
			goto out;
		}
	}
	prof = build_profile(prof_file, sets, -1, &err);
	if (prof == NULL) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	o.trace = argv[1];
	o.db = db != NULL ? db : "vfssim.db";
	o.prof = prof;
	o.events = !no_events;
	o.label = label;
	o.interrupted = &interrupted;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!disktrace_run(&o, &res, &err)) {
		rc = err != NULL && err->domain == DISKTRACE_ERROR ?
		    (err->code == DISKTRACE_ERROR_INPUT ? EXIT_BADINPUT : 1) :
		    code_of(err);
		fail(err, rc);
		goto out;
	}
	if (!quiet)
		printf("%llu requests: mean service %.3f ms, mean response %.3f ms; "
		    "%llu read hits, %llu writes reported from the cache; "
		    "recorded run %lld in %s\n", (unsigned long long)res.requests,
		    res.sim_mean_ms, res.resp_mean_ms,
		    (unsigned long long)res.read_hits,
		    (unsigned long long)res.write_hits, (long long)res.run, o.db);
	if (res.format == DT_VALIDATE) {
		printf("measured mean: %.3f ms\n", res.meas_mean_ms);
		printf("simulated mean: %.3f ms\n", res.sim_mean_ms);
		printf("demerit: %.3f ms (%.2f %% of measured mean)\n",
		    res.demerit_ms, res.demerit_pct);
	}
out:
	profile_free(prof);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_free(db);
	g_free(label);
	g_free(format);
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

static int
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
	if (!parse(ctx, &argc, &argv, &err)) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	p = build_profile(prof_file, sets, -1, &err);
	if (p == NULL) {
		rc = fail(err, EXIT_BADINPUT);
		goto out;
	}
	s = sim_create();
	k = kern_boot(s, p, &err);
	if (k == NULL) {
		rc = fail(err, EXIT_BADINPUT);
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

/* ---- dispatch -------------------------------------------------------- */

static const struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*what;
} commands[] = {
	{ "replay", cmd_replay, "replay a trace through the simulated kernel" },
	{ "import", cmd_import, "convert an strace log to a native trace" },
	{ "plot", cmd_plot, "plot runs with gnuplot (vfssim plot --help: kinds)" },
	{ "gen", cmd_gen, "write a synthetic workload as a native trace" },
	{ "profile", cmd_profile, "print the effective profile, or every key" },
	{ "sysctl", cmd_sysctl, "print the kernel's tunables and derived sizes" },
	{ "disk", cmd_disk, "drive the disk model alone with a block trace" },
	{ "compare", cmd_compare, "replay a trace under several variants and "
	  "compare them" },
	{ "sweep", cmd_sweep, "replay a trace at every point of a grid of "
	  "settings" },
	{ "merge", cmd_merge, "copy the runs of several databases into one" },
	{ "report", cmd_report, "write runs as one self-contained HTML page" },
	{ "mrc", cmd_mrc, "the buffer cache's miss ratio at every size, in one "
	  "pass" },
	{ NULL, NULL, NULL }
};

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
		printf("vfssim %s\n", VFSSIM_VERSION);
		return 0;
	}
	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0) {
			char *prg = g_strdup_printf("vfssim %s", c->name);

			g_set_prgname(prg);
			g_free(prg);
			return c->fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "vfssim: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return EXIT_BADINPUT;
}
