/*
 * sweep.c — grids of settings, jobs for a cluster, the sweep's table (see
 * sweep.h).
 *
 * A job is the same run a local sweep makes: vfssim replay with the same
 * profile, the same --set in the same order, the same seed and label, run
 * from the same directory (a relative trace or profile path names the
 * same file and is recorded as given).  Merged in job order, the jobs'
 * databases are the local sweep's database.
 */
#include "sweep.h"
#include "stats.h"
#include "dbopen.h"
#include "metrics.h"
#include "profile.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sqlite3.h>

bool
sweep_parse_axis(GPtrArray *axes, const char *spec, GError **err)
{
	const char *eq = strchr(spec, '=');
	struct grid_axis *a;
	struct profile *p;
	guint i;

	if (eq == NULL || eq == spec || eq[1] == '\0') {
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--grid %s: expected key=value1,value2,...", spec);
		return false;
	}
	a = g_new0(struct grid_axis, 1);
	a->key = g_strstrip(g_strndup(spec, (size_t)(eq - spec)));
	a->values = g_strsplit(eq + 1, ",", -1);
	a->nvalues = g_strv_length(a->values);
	p = profile_new();
	for (i = 0; i < a->nvalues; i++) {
		char *set;
		bool ok;

		g_strstrip(a->values[i]);
		if (a->values[i][0] == '\0') {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--grid %s: an empty value", spec);
			goto bad;
		}
		set = g_strdup_printf("%s=%s", a->key, a->values[i]);
		ok = profile_set(p, set, err);
		g_free(set);
		if (!ok) {
			g_prefix_error(err, "--grid: ");
			goto bad;
		}
	}
	for (i = 0; i < axes->len; i++) {
		struct grid_axis *b = g_ptr_array_index(axes, i);

		if (strcmp(b->key, a->key) == 0) {
			g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--grid %s: %s is already swept", spec, a->key);
			goto bad;
		}
	}
	profile_free(p);
	g_ptr_array_add(axes, a);
	return true;
bad:
	profile_free(p);
	sweep_axis_free(a);
	return false;
}

void
sweep_axis_free(gpointer p)
{
	struct grid_axis *a = p;

	g_free(a->key);
	g_strfreev(a->values);
	g_free(a);
}

guint
sweep_npoints(GPtrArray *axes)
{
	guint i, n = 1;

	for (i = 0; i < axes->len; i++)
		n *= ((struct grid_axis *)g_ptr_array_index(axes, i))->nvalues;
	return n;
}

/* The value of each axis at point i: mixed radix, the last axis fastest. */
static guint
value_at(GPtrArray *axes, guint i, guint axis)
{
	guint j;

	for (j = axes->len; j-- > axis + 1;)
		i /= ((struct grid_axis *)g_ptr_array_index(axes, j))->nvalues;
	return i % ((struct grid_axis *)g_ptr_array_index(axes, axis))->nvalues;
}

char **
sweep_point(GPtrArray *axes, guint i)
{
	char **sets = g_new0(char *, axes->len + 1);
	guint a;

	for (a = 0; a < axes->len; a++) {
		struct grid_axis *ax = g_ptr_array_index(axes, a);

		sets[a] = g_strdup_printf("%s=%s", ax->key,
		    ax->values[value_at(axes, i, a)]);
	}
	return sets;
}

char *
sweep_label(GPtrArray *axes, guint i)
{
	char **sets = sweep_point(axes, i);
	char *l = g_strjoinv(",", sets);

	g_strfreev(sets);
	return l;
}

/* ---- jobs for a cluster ---------------------------------------------- */

static bool
write_file(const char *path, const char *text, bool exec, GError **err)
{
	if (!g_file_set_contents(path, text, -1, err))
		return false;
	if (exec && chmod(path, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", path, g_strerror(errno));
		return false;
	}
	return true;
}

static void
arg(GString *s, const char *a)
{
	char *q = g_shell_quote(a);

	g_string_append_c(s, ' ');
	g_string_append(s, q);
	g_free(q);
}

bool
sweep_emit_jobs(const char *dir, const char *db, const struct sweep_jobspec *js,
    char ***point_sets, char **labels, const uint64_t *seeds, guint n,
    GError **err)
{
	char *adir = NULL, *cwd = g_get_current_dir(), *self = NULL;
	char *dbdir = NULL, *logdir = NULL, *adb = NULL, *p = NULL;
	char *qdir = NULL, *qlog = NULL;
	GString *jobs = g_string_new(""), *sh = g_string_new("");
	bool ok = false;
	guint i;
	char **s;

	adir = g_canonicalize_filename(dir, cwd);
	adb = g_canonicalize_filename(db, cwd);
	/* The binary that wrote the jobs runs them (the cluster shares the
	 * file system, as it shares the trace). */
	self = g_file_read_link("/proc/self/exe", NULL);
	if (self == NULL)
		self = g_strdup("vfssim");
	dbdir = g_build_filename(adir, "db", NULL);
	logdir = g_build_filename(adir, "logs", NULL);
	qdir = g_shell_quote(adir);
	qlog = g_shell_quote(logdir);
	if (g_mkdir_with_parents(dbdir, 0755) != 0 ||
	    g_mkdir_with_parents(logdir, 0755) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", adir, g_strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *jdb = g_strdup_printf("%s/run-%06u.db", dbdir, i + 1);
		char *sd = g_strdup_printf("%llu", (unsigned long long)seeds[i]);

		g_string_append(jobs, "cd");
		arg(jobs, cwd);
		g_string_append(jobs, " &&");
		arg(jobs, self);
		g_string_append(jobs, " replay");
		if (js->gen != NULL) {
			arg(jobs, "--gen");
			arg(jobs, js->gen);
			for (s = js->params; s != NULL && *s != NULL; s++) {
				arg(jobs, "--param");
				arg(jobs, *s);
			}
		} else
			arg(jobs, js->trace);
		if (js->prof_file != NULL) {
			arg(jobs, "--profile");
			arg(jobs, js->prof_file);
		}
		for (s = js->sets; s != NULL && *s != NULL; s++) {
			arg(jobs, "--set");
			arg(jobs, *s);
		}
		for (s = point_sets[i]; *s != NULL; s++) {
			arg(jobs, "--set");
			arg(jobs, *s);
		}
		arg(jobs, "--seed");
		arg(jobs, sd);
		if (js->fs_image != NULL) {
			/* Built already (check_image): every job loads it. */
			char *img = g_canonicalize_filename(js->fs_image, cwd);

			arg(jobs, "--fs-image");
			arg(jobs, img);
			g_free(img);
		}
		arg(jobs, "--label");
		arg(jobs, labels[i]);
		arg(jobs, "--db");
		arg(jobs, jdb);
		arg(jobs, "-q");
		if (!js->events)
			arg(jobs, "--no-events");
		g_string_append_c(jobs, '\n');
		g_free(jdb);
		g_free(sd);
	}
	p = g_build_filename(adir, "jobs.txt", NULL);
	if (!write_file(p, jobs->str, false, err))
		goto out;
	g_free(p);

	/* Slurm: one array task a line of jobs.txt. */
	g_string_printf(sh, "#!/bin/sh\n"
	    "# A Slurm job array: task i runs line i of jobs.txt (vfssim replay\n"
	    "# into db/run-i.db).  Submit with   sbatch slurm.sh   and, when\n"
	    "# every task is done, run merge.sh.\n"
	    "#SBATCH --job-name=vfssim-sweep\n"
	    "#SBATCH --array=1-%u\n"
	    "#SBATCH --ntasks=1\n"
	    "#SBATCH --cpus-per-task=1\n"
	    "#SBATCH --output=%s/%%a.out\n"
	    "set -e\n"
	    "sed -n \"${SLURM_ARRAY_TASK_ID}p\" %s/jobs.txt | sh\n", n, logdir,
	    qdir);
	p = g_build_filename(adir, "slurm.sh", NULL);
	if (!write_file(p, sh->str, true, err))
		goto out;
	g_free(p);

	/* Merge, in job order. */
	{
		char *qs = g_shell_quote(self), *qdb = g_shell_quote(adb);
		char *qd = g_shell_quote(dbdir);

		g_string_printf(sh, "#!/bin/sh\n"
		    "# Gather the jobs' databases into one, in job order: the runs\n"
		    "# are numbered as a local vfssim sweep numbers them.\n"
		    "set -e\n"
		    "exec %s merge %s %s/run-*.db\n", qs, qdb, qd);
		p = g_build_filename(adir, "merge.sh", NULL);
		if (!write_file(p, sh->str, true, err)) {
			g_free(qs);
			g_free(qdb);
			g_free(qd);
			goto out;
		}
		g_free(p);
		g_string_printf(sh, "#!/bin/sh\n"
		    "# Every job with GNU parallel (on this machine, or on others\n"
		    "# with --sshloginfile: they must see the same paths), then the\n"
		    "# merge.  Extra arguments go to parallel (-j N, -S host,...).\n"
		    "set -e\n"
		    "parallel --halt now,fail=1 --joblog %s/parallel.log \"$@\" "
		    "< %s/jobs.txt\n"
		    "exec %s/merge.sh\n", qlog, qdir, qdir);
		g_free(qs);
		g_free(qdb);
		g_free(qd);
	}
	p = g_build_filename(adir, "parallel.sh", NULL);
	if (!write_file(p, sh->str, true, err))
		goto out;
	ok = true;
out:
	g_free(p);
	g_free(adir);
	g_free(adb);
	g_free(cwd);
	g_free(self);
	g_free(dbdir);
	g_free(logdir);
	g_free(qdir);
	g_free(qlog);
	g_string_free(jobs, TRUE);
	g_string_free(sh, TRUE);
	return ok;
}

/* ---- the sweep's table ----------------------------------------------- */

static const struct {
	const char	*metric;
	const char	*title;
	char		 unit;		/* t time, b bytes, r ratio, n number */
} sweep_cols[] = {
	{ "latency.all.mean_ns", "mean", 't' },
	{ "latency.all.p99_ns", "p99", 't' },
	{ "throughput.calls_per_s", "calls/s", 'n' },
	{ "bio.hit_ratio", "no-I/O", 'r' },
	{ "disk.busy_fraction", "disk busy", 'r' },
	{ "bio.bwillwrite_stalls", "stalls", 'n' },
	{ "risk.peak_bytes", "at risk", 'b' },
};

bool
sweep_print(const char *db, GPtrArray *axes, const int64_t *ids, guint n,
    bool tsv, FILE *out, GError **err)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL, *rs = NULL;
	guint i, a, c;
	size_t *w = g_new0(size_t, axes->len);
	char ***cells = g_new0(char **, n);

	if ((h = db_open_readonly(db, err)) == NULL) {
		g_free(w);
		g_free(cells);
		return false;
	}
	sqlite3_prepare_v2(h, "SELECT value FROM summary WHERE run = ? AND "
	    "metric = ?", -1, &s, NULL);
	sqlite3_prepare_v2(h, "SELECT label, seed FROM runs WHERE id = ?", -1,
	    &rs, NULL);
	for (a = 0; a < axes->len; a++)
		w[a] = strlen(((struct grid_axis *)g_ptr_array_index(axes, a))->key);
	/* The values of each run's point, from its label. */
	for (i = 0; i < n; i++) {
		char **kv = NULL;

		cells[i] = g_new0(char *, axes->len + 2);
		sqlite3_reset(rs);
		sqlite3_bind_int64(rs, 1, ids[i]);
		if (sqlite3_step(rs) == SQLITE_ROW) {
			kv = g_strsplit((const char *)sqlite3_column_text(rs, 0),
			    ",", -1);
			cells[i][axes->len] = g_strdup_printf("%lld",
			    (long long)sqlite3_column_int64(rs, 1));
		}
		for (a = 0; a < axes->len; a++) {
			const char *eq = kv != NULL && a < g_strv_length(kv) ?
			    strchr(kv[a], '=') : NULL;

			cells[i][a] = g_strdup(eq != NULL ? eq + 1 : "?");
			w[a] = MAX(w[a], strlen(cells[i][a]));
		}
		g_strfreev(kv);
	}
	if (tsv)
		fputs("run", out);
	else
		fprintf(out, "%5s", "run");
	for (a = 0; a < axes->len; a++) {
		const char *k = ((struct grid_axis *)g_ptr_array_index(axes, a))->key;

		if (tsv)
			fprintf(out, "\t%s", k);
		else
			fprintf(out, "  %*s", (int)w[a], k);
	}
	fprintf(out, tsv ? "\tseed" : "  %4s", "seed");
	for (c = 0; c < G_N_ELEMENTS(sweep_cols); c++)
		fprintf(out, tsv ? "\t%s" : "  %10s", tsv ? sweep_cols[c].metric :
		    sweep_cols[c].title);
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		fprintf(out, tsv ? "%lld" : "%5lld", (long long)ids[i]);
		for (a = 0; a < axes->len; a++) {
			if (tsv)
				fprintf(out, "\t%s", cells[i][a]);
			else
				fprintf(out, "  %*s", (int)w[a], cells[i][a]);
		}
		fprintf(out, tsv ? "\t%s" : "  %4s", cells[i][axes->len] != NULL ?
		    cells[i][axes->len] : "?");
		for (c = 0; c < G_N_ELEMENTS(sweep_cols); c++) {
			char buf[48];
			double v = NAN;

			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, ids[i]);
			sqlite3_bind_text(s, 2, sweep_cols[c].metric, -1,
			    SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW)
				v = sqlite3_column_double(s, 0);
			if (tsv) {
				if (isnan(v))
					fputs("\t", out);
				else
					fprintf(out, "\t%.17g", v);
				continue;
			}
			if (isnan(v))
				g_strlcpy(buf, "-", sizeof(buf));
			else if (sweep_cols[c].unit == 't')
				human_time(buf, sizeof(buf), v);
			else if (sweep_cols[c].unit == 'b')
				human_bytes(buf, sizeof(buf), v);
			else if (sweep_cols[c].unit == 'r')
				g_snprintf(buf, sizeof(buf), "%.1f%%", 100 * v);
			else
				g_snprintf(buf, sizeof(buf), "%.0f", v);
			fprintf(out, "  %10s", buf);
		}
		fputc('\n', out);
	}
	for (i = 0; i < n; i++)
		g_strfreev(cells[i]);
	g_free(cells);
	g_free(w);
	sqlite3_finalize(s);
	sqlite3_finalize(rs);
	sqlite3_close(h);
	return true;
}
