/*
 * cmd_batch.c — runs side by side: vfssim compare (variants), vfssim sweep
 * (every point of a grid of settings, here or as jobs for a cluster), and
 * vfssim merge (databases into one, as a cluster's jobs come home).
 *
 *	vfssim compare TRACE -V NAME=SETTINGS... [--seeds N] [--db F]
 *	vfssim sweep TRACE --grid KEY=V1,V2... [--emit-jobs DIR] [--db F]
 *	vfssim merge OUT.db IN.db...
 *
 * compare and sweep differ only in what they vary (-V, --grid) and how
 * they print what came out; struct batch_cmd is the rest, written once:
 * their options, the trace or generator, and the jobs (every seed of
 * every variant or point), each checked before the first run starts.
 */
#include "cmd.h"
#include "batch.h"
#include "compare.h"
#include "engine.h"
#include "kern.h"
#include "merge.h"
#include "profile.h"
#include "replay.h"
#include "sweep.h"
#include "variants.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* ---- runs side by side: compare, sweep -------------------------------- */

/*
 * What compare and sweep share: their options but -V, --grid and
 * --emit-jobs, where the calls come from (a TRACE, or --gen with its
 * parameters), the profile every variant starts from, and the jobs.
 */
struct batch_cmd {
	const char	*name;		/* "compare", "sweep" */
	/* the options */
	char		**specs;	/* -V, --grid */
	char		*prof_file, *db, *gen, *fs_image;
	char		**sets, **params;
	gint64		 seed;		/* first seed; -1: 1 */
	gint		 seeds;		/* how many */
	gint		 threads;	/* -j; 0: one per processor */
	gint		 calls;		/* --calls: call types in the table;
					   0: every one */
	gboolean	 no_events, quiet, tsv;
	char		*help[3];	/* of --profile, --set, --seeds */
	/* what is made of them */
	struct batch_source src;
	char		*cmdline;	/* for the runs table */
	const char	*out;		/* --db, or vfssim.db */
	GArray		*jobs;		/* struct batch_job, a variant's or
					   point's seeds one after the other */
	int64_t		*ids;		/* each job's run, once run */
};

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
make_job(const struct batch_cmd *bc, const char *label, char **items,
    uint64_t seed, struct batch_job *j, GError **err)
{
	char **it;

	memset(j, 0, sizeof(*j));
	j->prof = cmd_build_profile(bc->prof_file, bc->sets, -1, err);
	if (j->prof == NULL)
		return false;
	for (it = items; it != NULL && *it != NULL; it++) {
		bool ok;

		if ((*it)[0] == '@') {
			char *found = cmd_find_data(*it + 1);

			ok = profile_load(j->prof, found, err);
			g_free(found);
		} else
			ok = profile_set(j->prof, *it, err);

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
	j->trace = bc->src.gen != NULL ?
	    batch_gen_trace_name(bc->src.gen, bc->src.params, seed) :
	    g_strdup(bc->src.trace);
	return true;
}

/*
 * --fs-image for several runs: every run loads the same image, so it is
 * built first (from the first job: its profile, its seed) if it is not
 * there, and then loaded into each variant's machine — a variant whose
 * geometry is not the image's is bad input found before any run starts.
 * Every seeds-th job is a variant's first.
 */
static bool
check_image(const struct batch_cmd *bc, GError **err)
{
	struct batch_job *jobs = (struct batch_job *)bc->jobs->data;
	const char *fs_image = bc->fs_image;
	struct replay_opts o;
	struct batch_gen ga = { &bc->src, jobs[0].gen_seed };
	bool built;
	guint i;

	memset(&o, 0, sizeof(o));
	o.trace = jobs[0].trace;
	o.prof = jobs[0].prof;
	o.fs_image = fs_image;
	if (bc->src.gen != NULL) {
		o.open = batch_open_gen;
		o.open_arg = &ga;
	}
	if (!replay_make_image(&o, &built, err))
		return false;
	if (built)
		fprintf(stderr, "vfssim: built the starting file system of "
		    "variant %s and saved it to %s\n", jobs[0].label, fs_image);
	for (i = 0; i < bc->jobs->len; i += (guint)bc->seeds) {
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

/* every: whom --profile and --set apply to; each: what --seeds repeats. */
static void
batch_cmd_init(struct batch_cmd *bc, const char *name, const char *every,
    const char *each)
{
	memset(bc, 0, sizeof(*bc));
	bc->name = name;
	bc->seed = -1;
	bc->seeds = 1;
	bc->help[0] = g_strdup_printf("Profile every %s starts from", every);
	bc->help[1] = g_strdup_printf("Override a key in every %s (repeatable)",
	    every);
	bc->help[2] = g_strdup_printf("Replay each %s with N seeds (default 1)",
	    each);
	bc->jobs = g_array_new(FALSE, TRUE, sizeof(struct batch_job));
}

static void
batch_cmd_clear(struct batch_cmd *bc)
{
	guint i;

	for (i = 0; i < bc->jobs->len; i++)
		batch_job_clear(&g_array_index(bc->jobs, struct batch_job, i));
	g_array_free(bc->jobs, TRUE);
	g_free(bc->ids);
	for (i = 0; i < G_N_ELEMENTS(bc->help); i++)
		g_free(bc->help[i]);
	g_free(bc->prof_file);
	g_free(bc->db);
	g_free(bc->gen);
	g_free(bc->fs_image);
	g_strfreev(bc->sets);
	g_strfreev(bc->params);
	g_strfreev(bc->specs);
	g_free(bc->cmdline);
}

/* The options, in the order --help lists them: the command's own first,
 * more (if not NULL) after --jobs. */
static void
batch_cmd_options(struct batch_cmd *bc, GOptionContext *ctx,
    const GOptionEntry *own, const GOptionEntry *more)
{
	const GOptionEntry runs[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &bc->prof_file,
		  bc->help[0], "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &bc->sets,
		  bc->help[1], "KEY=VALUE" },
		{ "seeds", 'n', 0, G_OPTION_ARG_INT, &bc->seeds,
		  bc->help[2], "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &bc->seed,
		  "The first seed (default 1)", "S" },
		{ "gen", 'g', 0, G_OPTION_ARG_STRING, &bc->gen,
		  "Replay generator NAME's calls instead of a TRACE", "NAME" },
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &bc->params,
		  "A parameter of the --gen generator (repeatable)", "KEY=VALUE" },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &bc->db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &bc->threads,
		  "Runs at once (default: one per processor)", "N" },
		{ NULL }
	};
	const GOptionEntry output[] = {
		{ "fs-image", 0, 0, G_OPTION_ARG_FILENAME, &bc->fs_image,
		  "Every run starts from the file system saved in FILE (built "
		  "from the first run's profile and saved there first if there "
		  "is no FILE)", "FILE" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &bc->no_events,
		  "Do not record a row per call and per disk request", NULL },
		{ "tsv", 0, 0, G_OPTION_ARG_NONE, &bc->tsv,
		  "Print the table as tab-separated values at full precision", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &bc->quiet,
		  "Print no table", NULL },
		{ NULL }
	};

	g_option_context_add_main_entries(ctx, own, NULL);
	g_option_context_add_main_entries(ctx, runs, NULL);
	if (more != NULL)
		g_option_context_add_main_entries(ctx, more, NULL);
	g_option_context_add_main_entries(ctx, output, NULL);
}

/*
 * Parse the options and check what they say: one TRACE or --gen, the
 * command's specs (missing: what to say if there are none), each parsed
 * into parsed by parse_spec, and the source.  0, or the exit status.
 */
static int
batch_cmd_parse(struct batch_cmd *bc, GOptionContext *ctx, int *argc,
    char ***argv, const char *missing,
    bool (*parse_spec)(GPtrArray *, const char *, GError **), GPtrArray *parsed)
{
	GError *err = NULL;
	char **sp;

	bc->cmdline = cmd_line(*argc, *argv);
	if (!cmd_parse(ctx, argc, argv, &err))
		return cmd_fail(err, EXIT_BADINPUT);
	if (*argc != (bc->gen != NULL ? 1 : 2) ||
	    (bc->params != NULL && bc->gen == NULL)) {
		fprintf(stderr, "vfssim %s: expected one TRACE, or --gen NAME "
		    "[--param KEY=VALUE]... (see vfssim %s --help)\n", bc->name,
		    bc->name);
		return EXIT_BADINPUT;
	}
	if (bc->specs == NULL || bc->seeds < 1 || bc->threads < 0 ||
	    bc->calls < 0) {
		fprintf(stderr, "vfssim %s: %s\n", bc->name, bc->specs == NULL ?
		    missing : "--seeds, --jobs and --calls must be positive");
		return EXIT_BADINPUT;
	}
	for (sp = bc->specs; *sp != NULL; sp++)
		if (!parse_spec(parsed, *sp, &err))
			return cmd_fail(err, EXIT_BADINPUT);
	bc->src.gen = bc->gen;
	bc->src.params = bc->params;
	bc->src.trace = bc->gen != NULL ? bc->gen : (*argv)[1];
	if (!cmd_check_source(&bc->src, &err))
		return cmd_fail(err, EXIT_BADINPUT);
	bc->out = bc->db != NULL ? bc->db : "vfssim.db";
	return 0;
}

/* The jobs of a variant or point, a seed each, their profiles built (the
 * machines are booted by batch_cmd_boot).  0, or the exit status. */
static int
batch_cmd_add(struct batch_cmd *bc, const char *label, char **items)
{
	GError *err = NULL;
	gint k;

	for (k = 0; k < bc->seeds; k++) {
		struct batch_job j;
		uint64_t sd = (uint64_t)(bc->seed >= 0 ? bc->seed : 1) + (uint64_t)k;

		if (!make_job(bc, label, items, sd, &j, &err))
			return cmd_fail(err, EXIT_BADINPUT);
		g_array_append_val(bc->jobs, j);
		/* A trace's replay makes no random choice: replay.seed only
		 * seeds the aging of the starting file system (ffs.age;
		 * fsage.c), and a file system loaded from --fs-image is the
		 * same for every seed.  Seeds that change nothing would give
		 * identical runs, and intervals of 0 that claim N samples. */
		if (k == 0 && bc->seeds > 1 && bc->gen == NULL &&
		    (bc->fs_image != NULL ||
		    profile_double(j.prof, "ffs", "age") == 0)) {
			fprintf(stderr, "vfssim %s: --seeds %d: replaying a "
			    "trace is deterministic, so the %d runs of %s %s "
			    "would be identical (replay.seed changes only the "
			    "aging of the starting file system, ffs.age, %s); "
			    "seeds vary --gen workloads\n", bc->name, bc->seeds,
			    bc->seeds, bc->name[0] == 'c' ? "variant" : "point",
			    label, bc->fs_image != NULL ? "and every run loads "
			    "--fs-image" : "which is 0 here");
			return EXIT_BADINPUT;
		}
	}
	return 0;
}

/* One variant's or point's check_boot, in a thread of batch_cmd_boot's. */
struct boot_check {
	const struct batch_job *job;
	GError		*err;
};

static void
boot_one(gpointer data, gpointer user)
{
	struct boot_check *bk = data;

	(void)user;
	(void)check_boot(bk->job->prof, bk->job->label, &bk->err);
}

/*
 * Boot every variant's or point's machine (its first job's: the seeds
 * differ only in replay.seed) before any run starts, side by side on
 * --jobs threads: one after the other they were work a sweep did alone
 * before its first run, about 3 ms a point (newfs), for a hundred points
 * a third of a second.  The first failure in list order is the one
 * said.  0, or the exit status.
 */
static int
batch_cmd_boot(struct batch_cmd *bc)
{
	guint n = bc->jobs->len / (guint)bc->seeds, i;
	struct boot_check *bk = g_new0(struct boot_check, n);
	unsigned threads = bc->threads > 0 ? (unsigned)bc->threads :
	    g_get_num_processors();
	GThreadPool *pool;
	GError *err = NULL;
	int rc = 0;

	for (i = 0; i < n; i++)
		bk[i].job = &g_array_index(bc->jobs, struct batch_job,
		    i * (guint)bc->seeds);
	pool = g_thread_pool_new(boot_one, NULL, (gint)MAX(1, MIN(threads, n)),
	    TRUE, &err);
	if (pool == NULL) {
		g_prefix_error(&err, "thread pool: ");
		g_free(bk);
		return cmd_fail(err, 1);
	}
	for (i = 0; i < n; i++)
		g_thread_pool_push(pool, &bk[i], NULL);
	g_thread_pool_free(pool, FALSE, TRUE);	/* waits for them all */
	for (i = 0; i < n; i++) {
		if (bk[i].err != NULL && rc == 0)
			rc = cmd_fail(bk[i].err, EXIT_BADINPUT);
		else if (bk[i].err != NULL)
			g_error_free(bk[i].err);
	}
	g_free(bk);
	return rc;
}

/* Every machine booted (batch_cmd_boot), then --fs-image built if need
 * be and loaded into every variant's machine (check_image).  0, or the
 * exit status. */
static int
batch_cmd_image(struct batch_cmd *bc)
{
	GError *err = NULL;
	int rc;

	if ((rc = batch_cmd_boot(bc)) != 0)
		return rc;
	if (bc->fs_image != NULL && !check_image(bc, &err))
		return cmd_fail(err, cmd_code_of(err));
	return 0;
}

/* Run the jobs side by side into --db; bc->ids gets their runs.  0, or
 * the exit status. */
static int
batch_cmd_run(struct batch_cmd *bc)
{
	struct batch_opts bo;
	GError *err = NULL;

	memset(&bo, 0, sizeof(bo));
	bo.db = bc->out;
	bo.src = &bc->src;
	bo.events = !bc->no_events;
	bo.threads = (unsigned)bc->threads;
	bo.progress = isatty(STDERR_FILENO) && !bc->quiet;
	bo.fs_image = bc->fs_image;
	bo.what = bc->name;
	bo.cmdline = bc->cmdline;
	bo.interrupted = cmd_catch_signals();
	bc->ids = g_new(int64_t, bc->jobs->len);
	if (!batch_run(&bo, (struct batch_job *)bc->jobs->data, bc->jobs->len,
	    bc->ids, &err))
		return cmd_fail(err, cmd_code_of(err));
	return 0;
}

/* ---- compare --------------------------------------------------------- */

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

int
cmd_compare(int argc, char **argv)
{
	struct batch_cmd bc;
	GOptionEntry entries[] = {
		{ "variant", 'V', 0, G_OPTION_ARG_STRING_ARRAY, &bc.specs,
		  "A variant: NAME=key=value[,key=value...] or NAME=@profile.ini "
		  "(repeatable; the first is the baseline)", "NAME=SETTINGS" },
		{ "calls", 0, 0, G_OPTION_ARG_INT, &bc.calls,
		  "Give latency rows only to the N call types whose calls took "
		  "the most time (default: every call type, those first)", "N" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - replay a trace "
	    "under several variants side by side and compare them");
	GError *err = NULL;
	GPtrArray *variants = g_ptr_array_new_with_free_func(variant_spec_free);
	guint i;
	int rc = 0;

	batch_cmd_init(&bc, "compare", "variant", "variant");
	batch_cmd_options(&bc, ctx, entries, NULL);
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
	rc = batch_cmd_parse(&bc, ctx, &argc, &argv,
	    "give the variants with -V NAME=SETTINGS (at least one)",
	    parse_variant, variants);
	if (rc != 0)
		goto out;
	/* Every variant's profile is built, and its machine booted, before
	 * the first run starts. */
	for (i = 0; i < variants->len; i++) {
		struct variant_spec *v = g_ptr_array_index(variants, i);

		g_ptr_array_add(v->items, NULL);
		rc = batch_cmd_add(&bc, v->name, (char **)v->items->pdata);
		if (rc != 0)
			goto out;
	}
	if ((rc = batch_cmd_image(&bc)) != 0 || (rc = batch_cmd_run(&bc)) != 0)
		goto out;
	if (!bc.quiet) {
		GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GPtrArray *cv;

		g_array_append_vals(runs, bc.ids, bc.jobs->len);
		cv = variants_of(bc.out, runs, &err);
		g_array_free(runs, TRUE);
		if (cv == NULL) {
			rc = cmd_fail(err, 1);
			goto out;
		}
		if (!bc.tsv)
			printf("compare: %u variants of %s, %d seed%s each; runs "
			    "%lld-%lld in %s\n", variants->len, bc.src.trace,
			    bc.seeds, bc.seeds > 1 ? "s" : "", (long long)bc.ids[0],
			    (long long)bc.ids[bc.jobs->len - 1], bc.out);
		if (!compare_print(bc.out, cv, bc.tsv ? CMP_TSV : CMP_TEXT,
		    (unsigned)bc.calls, stdout, &err))
			rc = cmd_fail(err, 1);
		variants_free(cv);
	}
out:
	g_option_context_free(ctx);
	batch_cmd_clear(&bc);
	g_ptr_array_free(variants, TRUE);
	return rc;
}

/* ---- sweep ----------------------------------------------------------- */

int
cmd_sweep(int argc, char **argv)
{
	struct batch_cmd bc;
	char *emit = NULL;
	GOptionEntry entries[] = {
		{ "grid", 'G', 0, G_OPTION_ARG_STRING_ARRAY, &bc.specs,
		  "A setting and its values (repeatable: every combination "
		  "is run)", "KEY=V1,V2,..." },
		{ NULL }
	};
	GOptionEntry more[] = {
		{ "emit-jobs", 0, 0, G_OPTION_ARG_FILENAME, &emit,
		  "Run nothing: write the runs as jobs for a cluster into DIR "
		  "(jobs.txt, slurm.sh, parallel.sh, merge.sh)", "DIR" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - replay a trace at "
	    "every point of a grid of settings");
	GError *err = NULL;
	GPtrArray *axes = g_ptr_array_new_with_free_func(sweep_axis_free);
	guint i, npoints;
	int rc = 0;

	batch_cmd_init(&bc, "sweep", "run", "point");
	batch_cmd_options(&bc, ctx, entries, more);
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
	rc = batch_cmd_parse(&bc, ctx, &argc, &argv,
	    "give the settings to sweep with --grid KEY=V1,V2,...",
	    sweep_parse_axis, axes);
	if (rc != 0)
		goto out;
	npoints = sweep_npoints(axes);
	for (i = 0; i < npoints; i++) {
		char **pt = sweep_point(axes, i);
		char *label = sweep_label(axes, i);

		rc = batch_cmd_add(&bc, label, pt);
		g_strfreev(pt);
		g_free(label);
		if (rc != 0)
			goto out;
	}
	if ((rc = batch_cmd_image(&bc)) != 0)
		goto out;
	if (emit != NULL) {
		struct sweep_jobspec js = { bc.gen == NULL ? bc.src.trace : NULL,
		    bc.gen, bc.params, bc.prof_file, bc.sets, !bc.no_events,
		    bc.fs_image };
		guint n = bc.jobs->len;
		char ***points = g_new0(char **, n + 1);
		char **labels = g_new0(char *, n + 1);
		uint64_t *seedv = g_new(uint64_t, n);
		bool ok;

		/* a point's seeds one after the other */
		for (i = 0; i < n; i++) {
			const struct batch_job *j = &g_array_index(bc.jobs,
			    struct batch_job, i);

			points[i] = sweep_point(axes, i / (guint)bc.seeds);
			labels[i] = j->label;
			seedv[i] = j->gen_seed;
		}
		ok = sweep_emit_jobs(emit, bc.out, &js, points, labels, seedv, n,
		    &err);
		for (i = 0; i < n; i++)
			g_strfreev(points[i]);
		g_free(points);
		g_free(labels);
		g_free(seedv);
		if (!ok) {
			rc = cmd_fail(err, 1);
			goto out;
		}
		printf("wrote %u jobs to %s/jobs.txt; run them with %s/parallel.sh "
		    "(GNU parallel) or sbatch %s/slurm.sh, then %s/merge.sh\n",
		    n, emit, emit, emit, emit);
		goto out;
	}
	if ((rc = batch_cmd_run(&bc)) != 0)
		goto out;
	if (!bc.quiet) {
		if (!bc.tsv)
			printf("sweep: %u runs (%u points, %d seed%s each) of %s; "
			    "runs %lld-%lld in %s\n", bc.jobs->len, npoints, bc.seeds,
			    bc.seeds > 1 ? "s" : "", bc.src.trace, (long long)bc.ids[0],
			    (long long)bc.ids[bc.jobs->len - 1], bc.out);
		if (!sweep_print(bc.out, axes, bc.ids, bc.jobs->len, bc.tsv, stdout,
		    &err))
			rc = cmd_fail(err, 1);
	}
out:
	g_option_context_free(ctx);
	batch_cmd_clear(&bc);
	g_ptr_array_free(axes, TRUE);
	g_free(emit);
	return rc;
}

/* ---- merge ----------------------------------------------------------- */

int
cmd_merge(int argc, char **argv)
{
	GOptionContext *ctx = g_option_context_new("OUT.db IN.db... - copy the "
	    "runs of several databases into one");
	GError *err = NULL;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray *dups = g_ptr_array_new_with_free_func(g_free);
	gboolean allow_dups = FALSE;
	GOptionEntry entries[] = {
		{ "allow-duplicates", 0, 0, G_OPTION_ARG_NONE, &allow_dups,
		  "Merge a run that OUT has already (or that an earlier IN "
		  "had) all the same, with a warning", NULL },
		{ NULL }
	};
	guint skipped = 0, i;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "Every complete run of each IN is copied into OUT (created if need\n"
	    "be) with all its rows, in the order the INs are given and, within\n"
	    "one, in run order: the runs of a sweep's jobs (--emit-jobs), merged\n"
	    "in job order, are numbered as a local sweep numbers them.  Runs\n"
	    "that failed or never finished are left out.  OUT gains every run\n"
	    "or, on an error, none.  A run OUT has already -- the same trace\n"
	    "contents, settings, seed, label and vfssim: merged twice -- is\n"
	    "refused (exit 2), as it would pass for another seed.");
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc < 3) {
		fprintf(stderr, "vfssim merge: usage: vfssim merge OUT.db IN.db...\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (!db_merge(argv[1], argv + 2, (guint)(argc - 2), ids, &skipped,
	    allow_dups ? dups : NULL, &err)) {
		rc = cmd_code_of(err);
		cmd_fail(err, rc);
		goto out;
	}
	for (i = 0; i < dups->len; i++)
		fprintf(stderr, "vfssim merge: warning: %s\n",
		    (const char *)g_ptr_array_index(dups, i));
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
	g_ptr_array_free(dups, TRUE);
	g_option_context_free(ctx);
	return rc;
}
