/*
 * cmd_replay.c — one run of a trace or a generator's calls: vfssim replay
 * (the run and its summary), vfssim crash (the run crashed at instants:
 * what fsck found and what was lost at each) and vfssim mrc (one run,
 * and from its block references LRU's miss ratio at every cache size).
 *
 *	vfssim replay TRACE|--gen NAME [--param key=value]... [--profile F]
 *	    [--set key=value]... [--db F] [--seed N] [--fs-image F]
 *	    [--crash-at T]...
 *	vfssim crash TRACE|--gen NAME --at T[,T...]... [replay's options]
 *	vfssim mrc TRACE|--gen NAME [--rate R] [--sizes N,...] [--db F]
 */
#include "cmd.h"
#include "batch.h"
#include "kern.h"
#include "libkern.h"
#include "metrics.h"
#include "mrc.h"
#include "profile.h"
#include "replay.h"
#include "report.h"
#include "stats.h"
#include "workload.h"

#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* ---- replay ---------------------------------------------------------- */

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

/* replay, or (crashcmd) crash: the same run, printing the summary or
 * the crash instants. */
static int
replay_main(int argc, char **argv, bool crashcmd)
{
	char *prof_file = NULL, *db = NULL, *label = NULL, *gen = NULL;
	char **sets = NULL, **params = NULL, *gentrace = NULL, *fs_image = NULL;
	char *fs_manifest = NULL;
	char **snap_at = NULL, **snap_rm = NULL, **crash_at = NULL;
	struct batch_source src;
	struct batch_gen gs;
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
		{ crashcmd ? "at" : "crash-at", 0, 0, G_OPTION_ARG_STRING_ARRAY,
		  &crash_at, "Crash the machine at simulated time T: fsck the "
		  "disk as it is then and count what is lost; the run goes on "
		  "(repeatable, or T1,T2,...; crash.at)", "T" },
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
		{ "fs-manifest", 0, 0, G_OPTION_ARG_FILENAME, &fs_manifest,
		  "A listing of the real files before the capture (find DIR "
		  "-printf '%y\\t%s\\t%p\\n'): the starting file system where "
		  "it speaks; vfssim fs TRACE --fs-manifest FILE shows where the "
		  "trace disagrees", "FILE" },
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &fs_image,
		  "Start from the file system saved in FILE; if there is no "
		  "FILE, build it as usual and save it there first", "FILE" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per call and per disk request", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print no summary", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new(crashcmd ? "TRACE - crash "
	    "the simulated machine at instants of a replay" : "TRACE - replay "
	    "a trace through the simulated kernel");
	GError *err = NULL;
	struct replay_opts o;
	struct replay_result res;
	struct profile *prof = NULL;
	char *cmdline = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "TRACE is a native vfssim trace, an strace log (capture with\n"
	    "  strace -f -ttt -T -y -o FILE COMMAND\n"
	    "), or the prefix of an strace -ff set; gzip'd files are read directly.\n"
	    "With --gen NAME the calls come from a generator instead, made as the run\n"
	    "needs them (vfssim gen --list names them; vfssim gen --help, their parameters).\n"
	    "The run's calls, disk requests, samples and summary go to the database.\n"
	    "At each --crash-at instant (vfssim crash: --at) the disk as a crash would\n"
	    "leave it is fsck'ed and what the processes lose is counted, into the\n"
	    "run's crash table; the run itself goes on as if it had not crashed.");
	cmdline = cmd_line(argc, argv);
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != (gen != NULL ? 1 : 2) || (params != NULL && gen == NULL)) {
		fprintf(stderr, "vfssim %s: expected one TRACE, or --gen NAME "
		    "[--param KEY=VALUE]... (see vfssim %s --help)\n",
		    argv[0], argv[0]);
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (gen != NULL) {
		struct gen *g;

		src.trace = NULL;
		src.gen = gen;
		src.params = params;
		gs.src = &src;
		gs.seed = seed >= 0 ? (uint64_t)seed : 1;
		/* Bad parameters are bad input, found before anything runs. */
		g = workload_open(gen, params, gs.seed, &err);
		if (g == NULL) {
			rc = cmd_fail(err, EXIT_BADINPUT);
			goto out;
		}
		workload_close(g);
		gentrace = batch_gen_trace_name(gen, params, gs.seed);
	}
	prof = cmd_build_profile(prof_file, sets, seed, &err);
	if (prof == NULL || !set_times(prof, "snapshot.at", snap_at, &err) ||
	    !set_times(prof, "snapshot.remove_at", snap_rm, &err) ||
	    !set_times(prof, "crash.at", crash_at, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (crashcmd && *profile_str(prof, "crash", "at") == '\0') {
		fprintf(stderr, "vfssim crash: expected --at T[,T...] (or "
		    "crash.at in the profile)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.trace = gen != NULL ? gentrace : argv[1];
	if (gen != NULL) {
		o.open = batch_open_gen;
		o.open_arg = &gs;
	}
	o.db = db != NULL ? db : "vfssim.db";
	o.prof = prof;
	o.events = !no_events;
	o.progress = isatty(STDERR_FILENO) && !quiet;
	o.label = label;
	o.cmdline = cmdline;
	o.fs_image = fs_image;
	o.fs_manifest = fs_manifest;
	o.interrupted = cmd_catch_signals();
	if (!replay_run(&o, &res, &err)) {
		rc = cmd_code_of(err);
		cmd_fail(err, rc);
		goto out;
	}
	if (!quiet) {
		if (!crashcmd && !report_summary(o.db, res.run, stdout, &err)) {
			rc = cmd_fail(err, 1);
			goto out;
		}
		if (crashcmd)
			/* (soft updates override async: softdep_mount) */
			printf("%s: %s\n", o.trace, strcmp(profile_str(prof,
			    "ffs", "softdep"), "on") == 0 ? "softdep" :
			    profile_str(prof, "ffs", "metadata"));
		if (*profile_str(prof, "crash", "at") != '\0' &&
		    !report_crash(o.db, res.run, stdout, &err)) {
			rc = cmd_fail(err, 1);
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
	g_free(cmdline);
	profile_free(prof);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_free(db);
	g_free(label);
	g_free(gen);
	g_free(gentrace);
	g_free(fs_image);
	g_free(fs_manifest);
	g_strfreev(params);
	g_strfreev(sets);
	g_strfreev(snap_at);
	g_strfreev(snap_rm);
	g_strfreev(crash_at);
	return rc;
}

int
cmd_replay(int argc, char **argv)
{
	return replay_main(argc, argv, false);
}

int
cmd_crash(int argc, char **argv)
{
	return replay_main(argc, argv, true);
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

int
cmd_mrc(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *label = NULL, *gen = NULL;
	char **sets = NULL, **params = NULL, *sizes = NULL, *fs_image = NULL;
	char *fs_manifest = NULL;
	gint64 seed = -1;
	gdouble rate = 0;
	gboolean quiet = FALSE, events = FALSE, no_events = FALSE;
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
		{ "fs-manifest", 0, 0, G_OPTION_ARG_FILENAME, &fs_manifest,
		  "A listing of the real files before the capture (find DIR "
		  "-printf '%y\\t%s\\t%p\\n'): the starting file system where "
		  "it speaks; vfssim fs TRACE --fs-manifest FILE shows where the "
		  "trace disagrees", "FILE" },
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &fs_image,
		  "Start from the file system saved in FILE; if there is no "
		  "FILE, build it as usual and save it there first", "FILE" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per call and per disk request", NULL },
		/* before --no-events, mrc recorded them only when asked: the
		 * old spelling still works, and does what it always did */
		{ "events", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &events,
		  NULL, NULL },
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
	char *gentrace = NULL, *cmdline = NULL;
	struct batch_gen ga;
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
	cmdline = cmd_line(argc, argv);
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
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
	if (!cmd_check_source(&src, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	prof = cmd_build_profile(prof_file, sets, seed, &err);
	if (prof == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
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
		o.open = batch_open_gen;
		o.open_arg = &ga;
	}
	o.db = db != NULL ? db : "vfssim.db";
	o.prof = prof;
	o.events = !no_events;
	o.progress = isatty(STDERR_FILENO) && !quiet;
	o.label = label != NULL ? label : "mrc";
	o.cmdline = cmdline;
	o.refs = mrc_refs_cb;
	o.finish = mrc_finish_cb;
	o.refs_arg = &mr;
	o.fs_image = fs_image;
	o.fs_manifest = fs_manifest;
	o.interrupted = cmd_catch_signals();
	if (!replay_run(&o, &res, &err)) {
		rc = cmd_code_of(err);
		cmd_fail(err, rc);
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
	g_free(cmdline);
	mrc_free(mr.m);
	g_array_free(mr.at, TRUE);
	g_free(sizes);
	g_free(fs_image);
	g_free(fs_manifest);
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
