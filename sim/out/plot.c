/*
 * plot.c — gnuplot over a results database (the kinds are in plot.h).
 *
 * The data goes to files in a private temporary directory; the script
 * names the user's output file and every title as gnuplot strings, quoted
 * so that no character can end the string, and draws titles with
 * noenhanced so that an underscore is an underscore.  gnuplot is run
 * directly (no shell) and its errors are reported.
 */
#include "plot.h"
#include "stats.h"
#include "hist.h"
#include "metrics.h"
#include "profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

G_DEFINE_QUARK(vfssim-plot-error-quark, plot_error)

#define MAXSERIES	8	/* call types in one run's plots */
#define TIMEBINS	100	/* latency-time: slices of the run */
#define MAXPOINTS	40000	/* disk-head: requests drawn per run */

const struct plot_kind plot_kinds[] = {
	{ "latency-cdf", "latency CDF of each call type (one run), or of one "
	  "call type in each run (--call; default every call)", false },
	{ "latency-time", "mean and p99 latency over the run's time (needs "
	  "per-call rows)", false },
	{ "buffers", "dirty and free buffers and the disk queue over time",
	  false },
	{ "risk", "data at risk and the age of the oldest over time", false },
	{ "disk-head", "the cylinder of each disk request over time: the seek "
	  "pattern (needs per-request rows)", false },
	{ "time-split", "where each call type's time went: CPU, each kernel "
	  "wait, disk queue, overhead, seek, rotation, transfer", false },
	{ "hit-ratio", "buffer and overall hit ratio against the cache size "
	  "(runs of several sizes; vfssim mrc's curve)", true },
	{ "sweep", "a metric (--metric) against a swept setting (--param), "
	  "a line for each value of the others", true },
	{ NULL, NULL, false }
};

/* A run on the plot: its id and the name in the legend. */
struct prun {
	int64_t		 id;
	char		*name;
	char		*profile;	/* its effective profile (INI text) */
	int64_t		 seed;
	char		*label;		/* or NULL */
};

struct pctx {
	const struct plot_req *rq;
	sqlite3		*h;
	char		*dir;
	int		 nfiles;
	GString		*gp;
	GArray		*runs;		/* struct prun */
};

/* A gnuplot single-quoted string: a quote is doubled, nothing else is
 * special. */
static char *
gp_quote(const char *s)
{
	GString *q = g_string_new("'");

	for (; *s != '\0'; s++) {
		if (*s == '\'')
			g_string_append(q, "''");
		else if (*s == '\n' || *s == '\r')
			g_string_append_c(q, '?');
		else
			g_string_append_c(q, *s);
	}
	g_string_append_c(q, '\'');
	return g_string_free(q, FALSE);
}

/* Append a quoted string to the script. */
static void
gpq(struct pctx *c, const char *s)
{
	char *q = gp_quote(s);

	g_string_append(c->gp, q);
	g_free(q);
}

static bool
run_gnuplot(const char *script, GError **err)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	char *errout = NULL;
	gint status = 0;
	GError *e = NULL;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &errout, &status, &e)) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot run gnuplot (install gnuplot-nox): %s", e->message);
		g_error_free(e);
		return false;
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT, "gnuplot failed: %s",
		    errout != NULL ? g_strstrip(errout) : "");
		g_free(errout);
		return false;
	}
	g_free(errout);
	return true;
}

static void
input_error(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
input_error(GError **err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, PLOT_ERROR, PLOT_ERROR_INPUT, m);
	g_free(m);
}

/* A new data file in the scratch directory: its path (kept by the
 * context) and the stream. */
static FILE *
data_file(struct pctx *c, char **path, GError **err)
{
	FILE *f;

	*path = g_strdup_printf("%s/%d.dat", c->dir, c->nfiles++);
	f = fopen(*path, "w");
	if (f == NULL)
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot write plot data: %s", g_strerror(errno));
	return f;
}

static const struct prun *
prun_at(struct pctx *c, guint i)
{
	return &g_array_index(c->runs, struct prun, i);
}

/* The runs to draw: those asked for, or the default (the newest complete
 * run, or every complete run). */
static bool
resolve_runs(struct pctx *c, bool all, GError **err)
{
	const struct plot_req *rq = c->rq;
	sqlite3_stmt *s;
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	guint i;

	if (sqlite3_prepare_v2(c->h, "SELECT id, label, profile, seed FROM runs "
	    "WHERE status = 'complete' ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		input_error(err, "%s: not a vfssim database (%s)", rq->db,
		    sqlite3_errmsg(c->h));
		g_hash_table_destroy(names);
		return false;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct prun r;
		int64_t id = sqlite3_column_int64(s, 0);
		bool want = false;

		if (rq->runs != NULL && rq->runs->len > 0) {
			for (i = 0; i < rq->runs->len; i++)
				if (g_array_index(rq->runs, int64_t, i) == id)
					want = true;
		} else
			want = true;
		if (!want)
			continue;
		r.id = id;
		r.label = sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL :
		    g_strdup((const char *)sqlite3_column_text(s, 1));
		r.profile = g_strdup((const char *)sqlite3_column_text(s, 2));
		r.seed = sqlite3_column_int64(s, 3);
		r.name = NULL;
		g_array_append_val(c->runs, r);
	}
	sqlite3_finalize(s);
	if (rq->runs != NULL && rq->runs->len > 0) {
		for (i = 0; i < rq->runs->len; i++) {
			int64_t want = g_array_index(rq->runs, int64_t, i);
			guint j;
			bool found = false;

			for (j = 0; j < c->runs->len; j++)
				found |= prun_at(c, j)->id == want;
			if (!found) {
				input_error(err, "%s: no complete run %lld", rq->db,
				    (long long)want);
				g_hash_table_destroy(names);
				return false;
			}
		}
	} else if (!all && c->runs->len > 1) {
		/* the newest */
		struct prun last = g_array_index(c->runs, struct prun,
		    c->runs->len - 1);

		for (i = 0; i + 1 < c->runs->len; i++) {
			g_free(prun_at(c, i)->label);
			g_free(prun_at(c, i)->profile);
		}
		g_array_set_size(c->runs, 0);
		g_array_append_val(c->runs, last);
	}
	if (c->runs->len == 0) {
		input_error(err, "%s: no complete run", rq->db);
		g_hash_table_destroy(names);
		return false;
	}
	/* A sweep's labels are its settings ("a=1,b=2"): the legend needs
	 * only those that differ between the runs drawn. */
	if (c->runs->len > 1) {
		bool swept = true;
		char **first = NULL;

		for (i = 0; i < c->runs->len; i++)
			swept &= prun_at(c, i)->label != NULL &&
			    strchr(prun_at(c, i)->label, '=') != NULL;
		if (swept)
			first = g_strsplit(prun_at(c, 0)->label, ",", -1);
		for (guint k = 0; swept && first[k] != NULL; k++) {
			bool same = true;

			for (i = 1; i < c->runs->len && same; i++) {
				char **o = g_strsplit(prun_at(c, i)->label, ",", -1);

				same = k < g_strv_length(o) && strcmp(o[k],
				    first[k]) == 0;
				g_strfreev(o);
			}
			if (same)
				first[k][0] = '\0';	/* drop it below */
		}
		for (i = 0; swept && i < c->runs->len; i++) {
			struct prun *r = &g_array_index(c->runs, struct prun, i);
			char **o = g_strsplit(r->label, ",", -1);
			GString *l = g_string_new("");
			guint k;

			for (k = 0; o[k] != NULL; k++)
				if (k >= g_strv_length(first) || first[k][0] != '\0')
					g_string_append_printf(l, "%s%s", l->len ? "," : "",
					    o[k]);
			if (l->len > 0) {
				g_free(r->label);
				r->label = g_string_free(l, FALSE);
			} else
				g_string_free(l, TRUE);
			g_strfreev(o);
		}
		g_strfreev(first);
	}
	/* Legend names: the label, told apart by seed or run id when
	 * several runs share it. */
	for (i = 0; i < c->runs->len; i++) {
		struct prun *r = &g_array_index(c->runs, struct prun, i);
		const char *base = r->label;
		gpointer n;

		if (base == NULL)
			continue;
		n = g_hash_table_lookup(names, base);
		g_hash_table_insert(names, (gpointer)base,
		    GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
	}
	for (i = 0; i < c->runs->len; i++) {
		struct prun *r = &g_array_index(c->runs, struct prun, i);

		if (r->label == NULL)
			r->name = g_strdup_printf("run %lld", (long long)r->id);
		else if (GPOINTER_TO_INT(g_hash_table_lookup(names, r->label)) > 1)
			r->name = g_strdup_printf("%s (seed %lld)", r->label,
			    (long long)r->seed);
		else
			r->name = g_strdup(r->label);
	}
	g_hash_table_destroy(names);
	return true;
}

/* A summary value of a run, or NAN. */
static double
summary(struct pctx *c, int64_t run, const char *metric)
{
	sqlite3_stmt *s;
	double v = NAN;

	if (sqlite3_prepare_v2(c->h, "SELECT value FROM summary WHERE run = ? "
	    "AND metric = ?", -1, &s, NULL) != SQLITE_OK)
		return NAN;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* "run 3" or "3 runs" for titles. */
static char *
runs_title(struct pctx *c)
{
	if (c->runs->len == 1) {
		const struct prun *r = prun_at(c, 0);

		return r->label != NULL ? g_strdup_printf("run %lld (%s)",
		    (long long)r->id, r->label) : g_strdup_printf("run %lld",
		    (long long)r->id);
	}
	return g_strdup_printf("%u runs", c->runs->len);
}

/* The title line, the key's place, and the common look. */
static void
preamble(struct pctx *c, const char *title)
{
	g_string_append(c->gp, "set title ");
	gpq(c, title);
	g_string_append(c->gp, " noenhanced\n"
	    "set grid xtics ytics\n"
	    "set key outside right top box opaque noenhanced\n"
	    "set border 3\nset tics nomirror\n");
}

/* A series' plot clause: file, columns, title, then its style. */
static void
series(struct pctx *c, bool first, const char *file, const char *using,
    const char *title, const char *style, ...) G_GNUC_PRINTF(6, 7);

static void
series(struct pctx *c, bool first, const char *file, const char *using,
    const char *title, const char *style, ...)
{
	va_list ap;

	g_string_append(c->gp, first ? "plot " : ", \\\n     ");
	gpq(c, file);
	g_string_append_printf(c->gp, " using %s", using);
	if (title != NULL) {
		g_string_append(c->gp, " title ");
		gpq(c, title);
	} else
		g_string_append(c->gp, " notitle");
	g_string_append_c(c->gp, ' ');
	va_start(ap, style);
	g_string_append_vprintf(c->gp, style, ap);
	va_end(ap);
}

/* ---- latency-cdf ----------------------------------------------------- */

/* One CDF: the buckets of a run's call (NULL: every call), as upper bound
 * in µs and cumulative share.  False if there were no calls. */
static bool
write_cdf(struct pctx *c, int64_t run, const char *call, FILE *f)
{
	sqlite3_stmt *s;
	GArray *rows = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t total = 0, cum = 0;
	guint i;

	sqlite3_prepare_v2(c->h, call != NULL ?
	    "SELECT lo_ns, hi_ns, sum(count) FROM latency_hist WHERE run = ? AND "
	    "call = ? GROUP BY lo_ns, hi_ns ORDER BY lo_ns" :
	    "SELECT lo_ns, hi_ns, sum(count) FROM latency_hist WHERE run = ? "
	    "GROUP BY lo_ns, hi_ns ORDER BY lo_ns", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, run);
	if (call != NULL)
		sqlite3_bind_text(s, 2, call, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t v[3] = { sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2) };

		g_array_append_vals(rows, v, 3);
		total += v[2];
	}
	sqlite3_finalize(s);
	for (i = 0; i < rows->len; i += 3) {
		int64_t *v = &g_array_index(rows, int64_t, i);

		/* the CDF rises from 0 at the first bucket's start */
		if (i == 0)
			fprintf(f, "%.4f 0\n", (double)MAX(v[0], 1) / 1e3);
		cum += v[2];
		fprintf(f, "%.4f %.6f\n", (double)v[1] / 1e3,
		    (double)cum / (double)total);
	}
	g_array_free(rows, TRUE);
	return total > 0;
}

static bool
plot_latency_cdf(struct pctx *c, GError **err)
{
	GPtrArray *calls = g_ptr_array_new_with_free_func(g_free);
	GArray *counts = g_array_new(FALSE, FALSE, sizeof(int64_t));
	bool ok = false, first = true;
	char *title = NULL, *rt = runs_title(c);
	guint i;

	if (c->runs->len == 1) {
		sqlite3_stmt *s;

		sqlite3_prepare_v2(c->h, "SELECT call, sum(count) AS n FROM "
		    "latency_hist WHERE run = ? GROUP BY call ORDER BY n DESC, "
		    "call LIMIT ?", -1, &s, NULL);
		sqlite3_bind_int64(s, 1, prun_at(c, 0)->id);
		sqlite3_bind_int(s, 2, MAXSERIES);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t n = sqlite3_column_int64(s, 1);

			if (c->rq->call != NULL && strcmp(c->rq->call,
			    (const char *)sqlite3_column_text(s, 0)) != 0)
				continue;
			g_ptr_array_add(calls, g_strdup((const char *)
			    sqlite3_column_text(s, 0)));
			g_array_append_val(counts, n);
		}
		sqlite3_finalize(s);
		if (calls->len == 0) {
			input_error(err, "%s: %s has no simulated calls%s%s to plot",
			    c->rq->db, rt, c->rq->call ? " of " : "",
			    c->rq->call ? c->rq->call : "");
			goto out;
		}
		title = g_strdup_printf("Latency of each call type, %s", rt);
	} else
		title = g_strdup_printf("Latency of %s, each run",
		    c->rq->call != NULL ? c->rq->call : "every simulated call");
	preamble(c, title);
	g_string_append(c->gp, "set logscale x 10\nset format x '10^{%L}'\n"
	    "set xlabel 'latency (µs, log scale)'\n"
	    "set ylabel 'fraction of calls at or below'\n"
	    "set yrange [0:1.02]\nset grid mxtics\nset key bottom right inside\n");
	for (i = 0; i < (c->runs->len == 1 ? calls->len : c->runs->len); i++) {
		const struct prun *r = prun_at(c, c->runs->len == 1 ? 0 : i);
		const char *call = c->runs->len == 1 ? g_ptr_array_index(calls, i) :
		    c->rq->call;
		char *file, *t;
		FILE *f = data_file(c, &file, err);
		bool any;

		if (f == NULL) {
			g_free(file);
			goto out;
		}
		any = write_cdf(c, r->id, call, f);
		fclose(f);
		if (!any) {
			g_free(file);
			continue;
		}
		t = c->runs->len == 1 ? g_strdup_printf("%s (%lld calls)", call,
		    (long long)g_array_index(counts, int64_t, i)) :
		    g_strdup(r->name);
		series(c, first, file, "1:2", t, "with steps lw 2");
		first = false;
		g_free(t);
		g_free(file);
	}
	if (first) {
		input_error(err, "%s: no simulated calls of %s in these runs",
		    c->rq->db, c->rq->call);
		goto out;
	}
	g_string_append_c(c->gp, '\n');
	ok = true;
out:
	g_free(title);
	g_free(rt);
	g_ptr_array_free(calls, TRUE);
	g_array_free(counts, TRUE);
	return ok;
}

/* ---- latency-time ---------------------------------------------------- */

static bool
plot_latency_time(struct pctx *c, GError **err)
{
	char *rt = runs_title(c), *title;
	bool first = true;
	guint i;

	title = g_strdup_printf("Latency over time%s%s, %s", c->rq->call ?
	    " of " : "", c->rq->call ? c->rq->call : "", rt);
	preamble(c, title);
	g_free(title);
	g_string_append(c->gp, "set logscale y 10\nset format y '10^{%L}'\n"
	    "set xlabel 'simulated time (s)'\n"
	    "set ylabel 'latency (ms, log scale)'\n");
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		struct hist *bins = NULL;
		sqlite3_stmt *s;
		int64_t tmax = 0, width;
		char *file, *t;
		FILE *f;
		int b;

		sqlite3_prepare_v2(c->h, "SELECT max(end_ns), count(*) FROM syscalls "
		    "WHERE run = ? AND class = 'sim' AND (?2 IS NULL OR call = ?2)",
		    -1, &s, NULL);
		sqlite3_bind_int64(s, 1, r->id);
		if (c->rq->call != NULL)
			sqlite3_bind_text(s, 2, c->rq->call, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 1) > 0)
			tmax = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (tmax <= 0)
			continue;
		width = tmax / TIMEBINS + 1;
		bins = g_new(struct hist, TIMEBINS);
		for (b = 0; b < TIMEBINS; b++)
			hist_init(&bins[b]);
		sqlite3_prepare_v2(c->h, "SELECT end_ns, end_ns - start_ns FROM "
		    "syscalls WHERE run = ? AND class = 'sim' AND (?2 IS NULL OR "
		    "call = ?2)", -1, &s, NULL);
		sqlite3_bind_int64(s, 1, r->id);
		if (c->rq->call != NULL)
			sqlite3_bind_text(s, 2, c->rq->call, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t at = sqlite3_column_int64(s, 0);

			hist_add(&bins[MIN(at / width, TIMEBINS - 1)],
			    sqlite3_column_int64(s, 1));
		}
		sqlite3_finalize(s);
		if ((f = data_file(c, &file, err)) == NULL) {
			g_free(file);
			g_free(bins);
			g_free(rt);
			return false;
		}
		/* time (s), mean (ms), p99 (ms); empty slices break the line */
		for (b = 0; b < TIMEBINS; b++) {
			if (bins[b].n == 0) {
				fputc('\n', f);
				continue;
			}
			fprintf(f, "%.6f %.6f %.6f\n", ((double)b + 0.5) *
			    (double)width / 1e9, MAX(hist_mean(&bins[b]), 1.0) / 1e6,
			    MAX((double)hist_quantile(&bins[b], 0.99), 1.0) / 1e6);
		}
		fclose(f);
		g_free(bins);
		t = g_strdup_printf("%s: mean", r->name);
		series(c, first, file, "1:2", t, "with linespoints lc %u pt 7 "
		    "ps 0.5 lw 2", i + 1);
		g_free(t);
		t = g_strdup_printf("%s: p99", r->name);
		series(c, false, file, "1:3", t, "with lines lc %u dt 2 lw 1.5",
		    i + 1);
		g_free(t);
		g_free(file);
		first = false;
	}
	g_free(rt);
	if (first) {
		input_error(err, "%s: no per-call rows to plot (were the runs "
		    "recorded with --no-events?)", c->rq->db);
		return false;
	}
	g_string_append_c(c->gp, '\n');
	return true;
}

/* ---- buffers, risk: the samples table -------------------------------- */

/* A run's samples: columns of the samples table, time first (s). */
static bool
write_samples(struct pctx *c, int64_t run, const char *cols, FILE *f)
{
	sqlite3_stmt *s;
	char *sql = g_strdup_printf("SELECT t_ns, %s FROM samples WHERE run = ? "
	    "ORDER BY seq", cols);
	int n = 0, i, ncol;

	if (sqlite3_prepare_v2(c->h, sql, -1, &s, NULL) != SQLITE_OK) {
		g_free(sql);
		return false;
	}
	g_free(sql);
	ncol = sqlite3_column_count(s);
	sqlite3_bind_int64(s, 1, run);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fprintf(f, "%.6f", (double)sqlite3_column_int64(s, 0) / 1e9);
		for (i = 1; i < ncol; i++) {
			if (sqlite3_column_type(s, i) == SQLITE_NULL)
				fputs(" NaN", f);
			else
				fprintf(f, " %.9g", sqlite3_column_double(s, i));
		}
		fputc('\n', f);
		n++;
	}
	sqlite3_finalize(s);
	return n > 0;
}

/*
 * A data file of a run's samples (cols, as write_samples): its name in
 * *file, or NULL in *file when the run has none.  False if the file cannot
 * be written.
 */
static bool
samples_file(struct pctx *c, int64_t run, const char *cols, char **file,
    GError **err)
{
	FILE *f = data_file(c, file, err);
	bool any;

	if (f == NULL) {
		g_free(*file);
		*file = NULL;
		return false;
	}
	any = write_samples(c, run, cols, f);
	fclose(f);
	if (!any) {
		g_free(*file);
		*file = NULL;
	}
	return true;
}

static bool
plot_buffers(struct pctx *c, GError **err)
{
	char *rt = runs_title(c), *title;
	bool first = true, one = c->runs->len == 1;
	guint i;

	title = g_strdup_printf("Buffers and disk queue over time, %s", rt);
	preamble(c, title);
	g_free(title);
	g_free(rt);
	g_string_append(c->gp, "set xlabel 'simulated time (s)'\n"
	    "set ylabel 'buffers'\nset y2label 'requests in the disk queue'\n"
	    "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		double hi = summary(c, r->id, "bio.hidirtybuffers");
		char *file, *t;

		if (!samples_file(c, r->id, "numdirtybuffers, numfreebuffers, "
		    "disk_qlen", &file, err))
			return false;
		if (file == NULL)
			continue;
		/* colour: the series in one run, the run among several */
		t = g_strdup_printf("%s%sdirty buffers", one ? "" : r->name,
		    one ? "" : ": ");
		series(c, first, file, "1:2", t, "with lines lw 2 lc %u dt 1",
		    one ? 1 : i + 1);
		g_free(t);
		t = g_strdup_printf("%s%sfree buffers", one ? "" : r->name,
		    one ? "" : ": ");
		series(c, false, file, "1:3", t, "with lines lw 1.5 lc %u dt 2",
		    one ? 2 : i + 1);
		g_free(t);
		t = g_strdup_printf("%s%sdisk queue (right axis)", one ? "" :
		    r->name, one ? "" : ": ");
		series(c, false, file, "1:4", t, "axes x1y2 with steps lw 1 lc %u "
		    "dt 3", one ? 3 : i + 1);
		g_free(t);
		if (!isnan(hi)) {
			char *u = g_strdup_printf("1:(%g)", hi);

			t = g_strdup_printf("%s%shidirtybuffers (%.0f)", one ? "" :
			    r->name, one ? "" : ": ", hi);
			series(c, false, file, u, t, "with lines lw 1 lc %u dt 4",
			    one ? 4 : i + 1);
			g_free(u);
			g_free(t);
		}
		g_free(file);
		first = false;
	}
	if (first) {
		input_error(err, "%s: no samples to plot", c->rq->db);
		return false;
	}
	g_string_append_c(c->gp, '\n');
	return true;
}

static bool
plot_risk(struct pctx *c, GError **err)
{
	char *rt = runs_title(c), *title;
	bool first = true, one = c->runs->len == 1;
	guint i;

	title = g_strdup_printf("Data at risk: written, not yet on disk, %s", rt);
	preamble(c, title);
	g_free(title);
	g_free(rt);
	g_string_append(c->gp, "set xlabel 'simulated time (s)'\n"
	    "set ylabel 'bytes at risk (MB)'\n"
	    "set y2label 'age of the oldest (s)'\n"
	    "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		char *file, *t;

		if (!samples_file(c, r->id, "at_risk_bytes / 1048576.0, "
		    "at_risk_age_ns / 1e9", &file, err))
			return false;
		if (file == NULL)
			continue;
		t = g_strdup_printf("%s%sMB at risk", one ? "" : r->name,
		    one ? "" : ": ");
		series(c, first, file, "1:2", t, "with steps lw 2 lc %u dt 1",
		    one ? 1 : i + 1);
		g_free(t);
		t = g_strdup_printf("%s%sage of the oldest (right axis)", one ?
		    "" : r->name, one ? "" : ": ");
		series(c, false, file, "1:3", t, "axes x1y2 with lines lw 1.5 "
		    "lc %u dt 2", one ? 2 : i + 1);
		g_free(t);
		g_free(file);
		first = false;
	}
	if (first) {
		input_error(err, "%s: no samples to plot", c->rq->db);
		return false;
	}
	g_string_append_c(c->gp, '\n');
	return true;
}

/* ---- disk-head ------------------------------------------------------- */

static bool
plot_disk_head(struct pctx *c, GError **err)
{
	char *rt = runs_title(c), *title;
	bool first = true, thinned = false;
	guint i;

	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		sqlite3_stmt *s;
		int64_t n = 0, every;
		int w;

		sqlite3_prepare_v2(c->h, "SELECT count(*) FROM disk_io WHERE run = ?",
		    -1, &s, NULL);
		sqlite3_bind_int64(s, 1, r->id);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		if (n == 0)
			continue;
		every = (n + MAXPOINTS - 1) / MAXPOINTS;
		thinned |= every > 1;
		for (w = 0; w < 2; w++) {
			char *file, *t;
			FILE *f = data_file(c, &file, err);
			int64_t m = 0;

			if (f == NULL) {
				g_free(file);
				g_free(rt);
				return false;
			}
			/* where the heads went: the command's start and the
			 * cylinder (NULL in databases from before cylinders
			 * were recorded) */
			sqlite3_prepare_v2(c->h, "SELECT start_ns, cylinder FROM "
			    "disk_io WHERE run = ? AND is_write = ? AND seq % ? = 0 "
			    "AND cylinder IS NOT NULL ORDER BY seq", -1, &s, NULL);
			sqlite3_bind_int64(s, 1, r->id);
			sqlite3_bind_int(s, 2, w);
			sqlite3_bind_int64(s, 3, every);
			while (sqlite3_step(s) == SQLITE_ROW) {
				fprintf(f, "%.6f %lld\n", (double)sqlite3_column_int64(
				    s, 0) / 1e9, (long long)sqlite3_column_int64(s, 1));
				m++;
			}
			sqlite3_finalize(s);
			fclose(f);
			if (m > 0) {
				t = g_strdup_printf("%s%s%s", c->runs->len == 1 ? "" :
				    r->name, c->runs->len == 1 ? "" : ": ",
				    w ? "writes" : "reads");
				series(c, first, file, "1:2", t, "with points lc %u "
				    "pt %d ps 0.6", c->runs->len == 1 ? (unsigned)w + 1 :
				    i + 1, w ? 6 : 7);
				g_free(t);
				first = false;
			}
			g_free(file);
		}
	}
	if (first) {
		g_free(rt);
		input_error(err, "%s: no disk requests with their cylinder to "
		    "plot (were the runs recorded with --no-events?)", c->rq->db);
		return false;
	}
	/* The plot clauses were built first; the settings go before them. */
	{
		GString *pre = g_string_new("");
		GString *plots = c->gp;

		c->gp = pre;
		title = g_strdup_printf("Disk head position, %s%s", rt, thinned ?
		    " (every n-th request)" : "");
		preamble(c, title);
		g_free(title);
		g_string_append(c->gp, "set xlabel 'simulated time (s)'\n"
		    "set ylabel 'cylinder of the request'\nset yrange [0:*]\n"
		    "");
		g_string_append_len(c->gp, plots->str, (gssize)plots->len);
		g_string_free(plots, TRUE);
	}
	g_free(rt);
	g_string_append_c(c->gp, '\n');
	return true;
}

/* ---- time-split ------------------------------------------------------ */

static gint
part_order(gconstpointer a, gconstpointer b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	/* cpu, the waits by name, then the disk's phases in time order */
	static const char *const disk[] = { "disk:queue", "disk:overhead",
	    "disk:seek", "disk:rotation", "disk:transfer" };
	int rx = strcmp(x, "cpu") == 0 ? 0 : g_str_has_prefix(x, "wait:") ? 1 : 2;
	int ry = strcmp(y, "cpu") == 0 ? 0 : g_str_has_prefix(y, "wait:") ? 1 : 2;
	unsigned i, ix = 0, iy = 0;

	if (rx != ry)
		return rx - ry;
	if (rx == 2) {
		for (i = 0; i < G_N_ELEMENTS(disk); i++) {
			if (strcmp(x, disk[i]) == 0)
				ix = i;
			if (strcmp(y, disk[i]) == 0)
				iy = i;
		}
		return (int)ix - (int)iy;
	}
	return strcmp(x, y);
}

static const char *
part_title(const char *part)
{
	static const struct { const char *part, *title; } t[] = {
		{ "cpu", "CPU (not asleep)" },
		{ "wait:getblk", "wait: buffer busy (getblk)" },
		{ "wait:flswai", "wait: bwillwrite (flswai)" },
		{ "wait:wdrain", "wait: writes in flight (wdrain)" },
		{ "wait:newbuf", "wait: no free buffer (newbuf)" },
		{ "wait:nbufbs", "wait: buffer space (nbufbs)" },
		{ "wait:nbufkv", "wait: buffer KVA (nbufkv)" },
		{ "wait:vmwait", "wait: free memory (vmwait)" },
		{ "wait:wswbuf0", "wait: pbuf (wswbuf0)" },
		{ "wait:vinvlbuf", "wait: buffers invalidated (vinvlbuf)" },
		{ "wait:vfork", "wait: vfork child (vfork)" },
		{ "wait:wait", "wait: child (wait)" },
		{ "disk:queue", "disk: queue" },
		{ "disk:overhead", "disk: controller and bus" },
		{ "disk:seek", "disk: seek" },
		{ "disk:rotation", "disk: rotation" },
		{ "disk:transfer", "disk: transfer" },
	};
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(t); i++)
		if (strcmp(t[i].part, part) == 0)
			return t[i].title;
	return part;
}

/* Colours of the bars' parts: distinct for as many parts as a run has. */
static const char *const part_colors[] = {
	"#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
	"#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd", "#1b9e77", "#d95f02",
	"#7570b3", "#e7298a", "#66a61e", "#e6ab02",
};

static bool
plot_time_split(struct pctx *c, GError **err)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *ncalls = g_ptr_array_new();	/* calls drawn per run */
	GPtrArray *calls = g_ptr_array_new_with_free_func(g_free);
	char *rt = runs_title(c), *title;
	double maxmean = 0, scale;
	const char *unit;
	bool ok = false;
	sqlite3_stmt *s;
	guint i, j, p;

	/* Every part any run has, in a fixed order: the colours mean the
	 * same in every group of bars. */
	for (i = 0; i < c->runs->len; i++) {
		sqlite3_prepare_v2(c->h, "SELECT DISTINCT part FROM time_split "
		    "WHERE run = ?", -1, &s, NULL);
		sqlite3_bind_int64(s, 1, prun_at(c, i)->id);
		while (sqlite3_step(s) == SQLITE_ROW) {
			const char *pt = (const char *)sqlite3_column_text(s, 0);
			bool have = false;

			for (p = 0; p < parts->len; p++)
				have |= strcmp(g_ptr_array_index(parts, p), pt) == 0;
			if (!have)
				g_ptr_array_add(parts, g_strdup(pt));
		}
		sqlite3_finalize(s);
	}
	if (parts->len == 0) {
		input_error(err, "%s: no time split recorded for %s (runs by an "
		    "older vfssim?)", c->rq->db, rt);
		goto out;
	}
	g_ptr_array_sort(parts, part_order);
	/* The call types: those the first run spent most time in, in that
	 * order, the same in every group of bars. */
	sqlite3_prepare_v2(c->h, "SELECT call, sum(ns) AS t FROM time_split "
	    "WHERE run = ? GROUP BY call ORDER BY t DESC, call LIMIT ?", -1, &s,
	    NULL);
	sqlite3_bind_int64(s, 1, prun_at(c, 0)->id);
	sqlite3_bind_int(s, 2, c->runs->len > 1 ? MAXSERIES / 2 : MAXSERIES);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_ptr_array_add(calls, g_strdup((const char *)
		    sqlite3_column_text(s, 0)));
	sqlite3_finalize(s);
	/* A data file a run: a row a call type, the mean time a call spent
	 * in each part. */
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		char *file;
		FILE *f = data_file(c, &file, err);
		sqlite3_stmt *q;
		guint n = 0, k;

		g_ptr_array_add(files, file);
		if (f == NULL)
			goto out;
		sqlite3_prepare_v2(c->h, "SELECT ns FROM time_split WHERE run = ? "
		    "AND call = ? AND part = ?", -1, &q, NULL);
		for (k = 0; k < calls->len; k++) {
			const char *call = g_ptr_array_index(calls, k);
			char *metric = g_strdup_printf("latency.%s.count", call);
			double count = summary(c, r->id, metric), total = 0;

			g_free(metric);
			fprintf(f, "\"%s\"", call);
			for (p = 0; p < parts->len; p++) {
				double ns = 0;

				sqlite3_reset(q);
				sqlite3_bind_int64(q, 1, r->id);
				sqlite3_bind_text(q, 2, call, -1, SQLITE_STATIC);
				sqlite3_bind_text(q, 3, g_ptr_array_index(parts, p), -1,
				    SQLITE_STATIC);
				if (sqlite3_step(q) == SQLITE_ROW && count > 0)
					ns = sqlite3_column_double(q, 0) / count;
				fprintf(f, " %.6g", ns);
				total += ns;
			}
			fputc('\n', f);
			maxmean = MAX(maxmean, total);
			n++;
		}
		sqlite3_finalize(q);
		fclose(f);
		g_ptr_array_add(ncalls, GUINT_TO_POINTER(n));
	}
	if (maxmean <= 0) {
		input_error(err, "%s: no simulated calls to split for %s",
		    c->rq->db, rt);
		goto out;
	}
	/* One unit for the axis, chosen by the longest bar. */
	if (maxmean >= 1e9) {
		scale = 1e9;
		unit = "s";
	} else if (maxmean >= 1e6) {
		scale = 1e6;
		unit = "ms";
	} else {
		scale = 1e3;
		unit = "µs";
	}
	title = g_strdup_printf("Where the time went: mean time per call, %s", rt);
	preamble(c, title);
	g_free(title);
	g_string_append_printf(c->gp, "set style data histograms\n"
	    "set style histogram rowstacked gap 1\n"
	    "set style fill solid 0.85 border -1\nset boxwidth 0.75\n"
	    "set ylabel 'mean time per call (%s)'\nset yrange [0:*]\n"
	    "set xtics rotate by -35 noenhanced font ',9'\nset grid noxtics ytics\n"
	    "set key outside right top\n", unit);
	if (c->runs->len == 1)
		g_string_append(c->gp, "set xlabel 'call type'\n");
	g_string_append(c->gp, "plot ");
	for (i = 0, j = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);

		if (GPOINTER_TO_UINT(g_ptr_array_index(ncalls, i)) == 0)
			continue;
		if (c->runs->len > 1) {
			const char *ch;

			/* the run's name under its group, a setting a line */
			g_string_append(c->gp, j > 0 ? ", \\\n     newhistogram \"" :
			    "newhistogram \"");
			for (ch = r->name; *ch != '\0'; ch++) {
				if (*ch == ',')
					g_string_append(c->gp, "\\n");
				else if (*ch == '"' || *ch == '\\' || *ch == '@' ||
				    *ch == '^' || *ch == '_' || *ch == '{' || *ch == '}')
					g_string_append_printf(c->gp, "\\\\%c", *ch);
				else if (*ch != '\n')
					g_string_append_c(c->gp, *ch);
			}
			g_string_append(c->gp, "\" font ',9'");
		}
		for (p = 0; p < parts->len; p++) {
			const char *pt = g_ptr_array_index(parts, p);

			g_string_append(c->gp, j > 0 || p > 0 || c->runs->len > 1 ?
			    ", \\\n     " : "");
			gpq(c, g_ptr_array_index(files, i));
			g_string_append_printf(c->gp, " using ($%u/%g):xtic(1)", p + 2,
			    scale);
			if (j == 0) {
				g_string_append(c->gp, " title ");
				gpq(c, part_title(pt));
			} else
				g_string_append(c->gp, " notitle");
			g_string_append_printf(c->gp, " lc rgb '%s'",
			    part_colors[p % G_N_ELEMENTS(part_colors)]);
		}
		j++;
	}
	g_string_append_c(c->gp, '\n');
	ok = true;
out:
	g_free(rt);
	g_ptr_array_free(parts, TRUE);
	g_ptr_array_free(files, TRUE);
	g_ptr_array_free(ncalls, TRUE);
	g_ptr_array_free(calls, TRUE);
	return ok;
}

/* ---- hit-ratio ------------------------------------------------------- */

struct xy {
	double	 x, y1, y2;
};

static gint
by_x(gconstpointer a, gconstpointer b)
{
	const struct xy *p = a, *q = b;

	return p->x < q->x ? -1 : p->x > q->x;
}

static bool
plot_hit_ratio(struct pctx *c, GError **err)
{
	GArray *pts = g_array_new(FALSE, FALSE, sizeof(struct xy));
	GHashTable *sizes = g_hash_table_new(g_double_hash, g_double_equal);
	char *file = NULL, *rt = runs_title(c), *title;
	bool first = true, ok = false;
	double bsize = NAN;
	guint i;
	FILE *f;

	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		struct xy p = { summary(c, r->id, "bio.nbuf"),
		    summary(c, r->id, "bio.buffer_hit_ratio"),
		    summary(c, r->id, "bio.hit_ratio") };

		if (isnan(p.x) || isnan(p.y1))
			continue;
		if (isnan(bsize))
			bsize = summary(c, r->id, "bio.bufsize");
		g_array_append_val(pts, p);
		g_hash_table_add(sizes, &g_array_index(pts, struct xy,
		    pts->len - 1).x);
	}
	g_array_sort(pts, by_x);
	title = g_strdup_printf("Hit ratio against the buffer cache's size, %s", rt);
	preamble(c, title);
	g_free(title);
	{
		char *of = isnan(bsize) ? g_strdup("") : bsize >= 1024 ?
		    g_strdup_printf(" of %.0f KB", bsize / 1024) :
		    g_strdup_printf(" of %.0f bytes", bsize);

		g_string_append_printf(c->gp, "set logscale x 2\n"
		    "set xlabel 'buffer cache size (buffers%s, log scale)'\n"
		    "set ylabel 'hit ratio (%%)'\nset yrange [0:100]\n"
		    "", of);
		g_free(of);
	}
	if (g_hash_table_size(sizes) >= 2) {
		if ((f = data_file(c, &file, err)) == NULL)
			goto out;
		for (i = 0; i < pts->len; i++) {
			struct xy *p = &g_array_index(pts, struct xy, i);

			fprintf(f, "%.0f %.6f %.6f\n", p->x, 100 * p->y1,
			    100 * (isnan(p->y2) ? p->y1 : p->y2));
		}
		fclose(f);
		series(c, first, file, "1:2", "buffer hits (runs)",
		    "with linespoints lw 2 pt 7 lc 1");
		series(c, false, file, "1:3", "reads without disk I/O: buffer or "
		    "page cache (runs)", "with linespoints lw 2 pt 5 lc 2");
		first = false;
		g_free(file);
		file = NULL;
	}
	/* vfssim mrc's curves: LRU over every size at once. */
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = prun_at(c, i);
		sqlite3_stmt *s;
		int n = 0;
		char *t;

		if ((f = data_file(c, &file, err)) == NULL)
			goto out;
		sqlite3_prepare_v2(c->h, "SELECT buffers, miss_ratio FROM mrc WHERE "
		    "run = ? AND buffers > 0 ORDER BY buffers", -1, &s, NULL);
		sqlite3_bind_int64(s, 1, r->id);
		while (sqlite3_step(s) == SQLITE_ROW) {
			fprintf(f, "%lld %.6f\n", (long long)sqlite3_column_int64(s, 0),
			    100 * (1 - sqlite3_column_double(s, 1)));
			n++;
		}
		sqlite3_finalize(s);
		fclose(f);
		if (n > 0) {
			t = g_strdup_printf("LRU hit ratio, every size at once (mrc, "
			    "%s)", r->name);
			series(c, first, file, "1:2", t, "with lines lw 1.5 lc %u dt 1",
			    i + 3);
			g_free(t);
			first = false;
		}
		g_free(file);
		file = NULL;
	}
	if (first) {
		input_error(err, "%s: hit-ratio needs runs at two or more cache "
		    "sizes (a sweep over bio.nbuf or machine.memory) or a vfssim "
		    "mrc run", c->rq->db);
		goto out;
	}
	g_string_append_c(c->gp, '\n');
	ok = true;
out:
	g_free(file);
	g_free(rt);
	g_array_free(pts, TRUE);
	g_hash_table_destroy(sizes);
	return ok;
}

/* ---- sweep ----------------------------------------------------------- */

/* A point of the sweep plot: a value of the setting, the metric over the
 * runs (seeds) there. */
struct spoint {
	double		 x;
	char		*xlabel;
	GArray		*ys;		/* double */
};

struct sseries {
	char		*name;		/* the other settings' values */
	GPtrArray	*points;	/* struct spoint */
};

static void
sseries_free(gpointer p)
{
	struct sseries *se = p;
	guint i;

	for (i = 0; i < se->points->len; i++) {
		struct spoint *pt = g_ptr_array_index(se->points, i);

		g_free(pt->xlabel);
		g_array_free(pt->ys, TRUE);
		g_free(pt);
	}
	g_ptr_array_free(se->points, TRUE);
	g_free(se->name);
	g_free(se);
}

static gint
spoint_order(gconstpointer a, gconstpointer b)
{
	const struct spoint *p = *(const struct spoint *const *)a;
	const struct spoint *q = *(const struct spoint *const *)b;

	return p->x < q->x ? -1 : p->x > q->x;
}

/* How to show a metric: divide by scale, call it unit. */
static void
metric_unit(const char *metric, double maxv, double *scale, const char **unit)
{
	*scale = 1;
	*unit = "";
	if (g_str_has_suffix(metric, "_ns")) {
		if (maxv >= 1e9) {
			*scale = 1e9;
			*unit = "s";
		} else if (maxv >= 1e6) {
			*scale = 1e6;
			*unit = "ms";
		} else {
			*scale = 1e3;
			*unit = "µs";
		}
	} else if (g_str_has_suffix(metric, "bytes_per_s")) {
		*scale = 1048576;
		*unit = "MB/s";
	} else if (g_str_has_suffix(metric, "bytes") ||
	    g_str_has_prefix(metric, "disk.bytes_")) {
		*scale = 1048576;
		*unit = "MB";
	} else if (g_str_has_suffix(metric, "ratio") ||
	    g_str_has_suffix(metric, "fraction") ||
	    g_str_has_suffix(metric, "accuracy")) {
		*scale = 0.01;
		*unit = "%";
	} else if (g_str_has_suffix(metric, "per_s"))
		*unit = "/s";
}

/* A setting's value as a number on the axis, or NAN if it is not one. */
static double
setting_number(const struct pkey *k, const char *v)
{
	int64_t i;

	switch (k->type) {
	case PK_SIZE:
		return profile_parse_size(v, &i) ? (double)i : NAN;
	case PK_TIME:
		return profile_parse_time(v, &i) ? (double)i : NAN;
	case PK_INT:
	case PK_DOUBLE:
		return g_ascii_strtod(v, NULL);
	case PK_BOOL:
		return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	default:
		return NAN;
	}
}

static bool
plot_sweep(struct pctx *c, GError **err)
{
	const char *metric = c->rq->metric != NULL ? c->rq->metric :
	    "latency.all.mean_ns";
	GKeyFile **kf = g_new0(GKeyFile *, c->runs->len);
	GPtrArray *varying = g_ptr_array_new();	/* const struct pkey * */
	GPtrArray *lines = g_ptr_array_new_with_free_func(sseries_free);
	GPtrArray *cats = g_ptr_array_new_with_free_func(g_free);
	const struct pkey *xk = NULL, *k;
	double xscale = 1, yscale, maxy = 0, maxx = 0;
	const char *xunit = "", *yunit;
	bool ok = false, numeric, bars = false;
	char *title = NULL;
	guint i, j, p, best = 0;

	for (i = 0; i < c->runs->len; i++) {
		kf[i] = g_key_file_new();
		(void)g_key_file_load_from_data(kf[i], prun_at(c, i)->profile, -1,
		    G_KEY_FILE_NONE, NULL);
	}
	/* The settings that differ between the runs (the seed is not one). */
	for (k = profile_keys; k->group != NULL; k++) {
		GHashTable *vals = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);

		if (strcmp(k->group, "replay") == 0 && strcmp(k->key, "seed") == 0) {
			g_hash_table_destroy(vals);
			continue;
		}
		for (i = 0; i < c->runs->len; i++) {
			char *v = g_key_file_get_value(kf[i], k->group, k->key, NULL);

			g_hash_table_add(vals, v != NULL ? v : g_strdup(""));
		}
		if (g_hash_table_size(vals) > 1) {
			g_ptr_array_add(varying, (gpointer)k);
			/* without --param: the one with the most values */
			if (c->rq->param == NULL && g_hash_table_size(vals) > best) {
				best = g_hash_table_size(vals);
				xk = k;
			}
		}
		g_hash_table_destroy(vals);
	}
	if (c->rq->param != NULL) {
		xk = profile_lookup(c->rq->param);
		if (xk == NULL) {
			input_error(err, "--param %s: no such setting (vfssim profile "
			    "--list)", c->rq->param);
			goto out;
		}
	}
	if (xk == NULL) {
		input_error(err, "%s: the runs do not differ in any setting: "
		    "nothing was swept", c->rq->db);
		goto out;
	}
	/* The points: a series for each value of the other varying settings. */
	for (i = 0; i < c->runs->len; i++) {
		double y = summary(c, prun_at(c, i)->id, metric);
		char *xv = g_key_file_get_value(kf[i], xk->group, xk->key, NULL);
		GString *name = g_string_new("");
		struct sseries *se = NULL;
		struct spoint *pt = NULL;

		if (isnan(y) || xv == NULL) {
			g_free(xv);
			g_string_free(name, TRUE);
			continue;
		}
		for (j = 0; j < varying->len; j++) {
			const struct pkey *o = g_ptr_array_index(varying, j);
			char *v;

			if (o == xk)
				continue;
			v = g_key_file_get_value(kf[i], o->group, o->key, NULL);
			g_string_append_printf(name, "%s%s=%s", name->len ? ", " : "",
			    o->sysctl != NULL ? o->sysctl : o->key, v);
			g_free(v);
		}
		for (j = 0; j < lines->len; j++) {
			struct sseries *x = g_ptr_array_index(lines, j);

			if (strcmp(x->name, name->str) == 0)
				se = x;
		}
		if (se == NULL) {
			se = g_new0(struct sseries, 1);
			se->name = g_strdup(name->str);
			se->points = g_ptr_array_new();
			g_ptr_array_add(lines, se);
		}
		g_string_free(name, TRUE);
		for (p = 0; p < se->points->len; p++) {
			struct spoint *x = g_ptr_array_index(se->points, p);

			if (strcmp(x->xlabel, xv) == 0)
				pt = x;
		}
		if (pt == NULL) {
			pt = g_new0(struct spoint, 1);
			pt->xlabel = g_strdup(xv);
			pt->x = setting_number(xk, xv);
			pt->ys = g_array_new(FALSE, FALSE, sizeof(double));
			g_ptr_array_add(se->points, pt);
		}
		g_array_append_val(pt->ys, y);
		g_free(xv);
	}
	if (lines->len == 0) {
		input_error(err, "%s: no run has the metric %s (the summary table "
		    "lists them)", c->rq->db, metric);
		goto out;
	}
	/* Numbers on the x axis when the setting has them; else categories
	 * in order of appearance. */
	numeric = true;
	for (j = 0; j < lines->len; j++) {
		struct sseries *se = g_ptr_array_index(lines, j);

		for (p = 0; p < se->points->len; p++) {
			struct spoint *pt = g_ptr_array_index(se->points, p);
			guint ci;
			bool have = false;

			numeric &= !isnan(pt->x);
			for (ci = 0; ci < cats->len; ci++)
				have |= strcmp(g_ptr_array_index(cats, ci),
				    pt->xlabel) == 0;
			if (!have)
				g_ptr_array_add(cats, g_strdup(pt->xlabel));
		}
	}
	for (j = 0; j < lines->len; j++) {
		struct sseries *se = g_ptr_array_index(lines, j);

		for (p = 0; p < se->points->len; p++) {
			struct spoint *pt = g_ptr_array_index(se->points, p);
			guint ci, d;

			if (!numeric)
				for (ci = 0; ci < cats->len; ci++)
					if (strcmp(g_ptr_array_index(cats, ci),
					    pt->xlabel) == 0)
						pt->x = ci;
			maxx = MAX(maxx, pt->x);
			for (d = 0; d < pt->ys->len; d++)
				maxy = MAX(maxy, g_array_index(pt->ys, double, d));
			bars |= pt->ys->len > 1;
		}
		g_ptr_array_sort(se->points, spoint_order);
	}
	if (numeric && xk->type == PK_SIZE) {
		xscale = maxx >= 1 << 30 ? 1 << 30 : maxx >= 1 << 20 ? 1 << 20 :
		    maxx >= 1024 ? 1024 : 1;
		xunit = maxx >= 1 << 30 ? " (GB)" : maxx >= 1 << 20 ? " (MB)" :
		    maxx >= 1024 ? " (KB)" : " (bytes)";
	} else if (numeric && xk->type == PK_TIME) {
		xscale = maxx >= 1e9 ? 1e9 : maxx >= 1e6 ? 1e6 : 1e3;
		xunit = maxx >= 1e9 ? " (s)" : maxx >= 1e6 ? " (ms)" : " (µs)";
	}
	metric_unit(metric, maxy, &yscale, &yunit);

	title = g_strdup_printf("%s against %s.%s%s", metric, xk->group, xk->key,
	    bars ? " (means, 95 % intervals over seeds)" : "");
	preamble(c, title);
	g_string_append(c->gp, "set xlabel ");
	{
		char *xl = g_strdup_printf("%s.%s%s%s%s%s", xk->group, xk->key,
		    xk->sysctl != NULL ? " (" : "", xk->sysctl != NULL ? xk->sysctl :
		    "", xk->sysctl != NULL ? ")" : "", xunit);
		char *yl = g_strdup_printf("%s%s%s%s", metric, *yunit ? " (" : "",
		    yunit, *yunit ? ")" : "");

		gpq(c, xl);
		g_string_append(c->gp, " noenhanced\nset ylabel ");
		gpq(c, yl);
		g_string_append(c->gp, " noenhanced\n"
		    "set offsets graph 0.03, graph 0.03, graph 0.05, 0\n");
		g_free(xl);
		g_free(yl);
	}
	if (strcmp(yunit, "%") == 0 || maxy >= 0)
		g_string_append(c->gp, "set yrange [0:*]\n");
	for (j = 0; j < lines->len; j++) {
		struct sseries *se = g_ptr_array_index(lines, j);
		char *file;
		FILE *f = data_file(c, &file, err);

		if (f == NULL) {
			g_free(file);
			goto out;
		}
		for (p = 0; p < se->points->len; p++) {
			struct spoint *pt = g_ptr_array_index(se->points, p);
			double m = 0, ss = 0, ci = 0;
			guint d, n = pt->ys->len;
			char *ql;

			for (d = 0; d < n; d++)
				m += g_array_index(pt->ys, double, d);
			m /= n;
			for (d = 0; d < n; d++)
				ss += (g_array_index(pt->ys, double, d) - m) *
				    (g_array_index(pt->ys, double, d) - m);
			if (n > 1)
				ci = stats_t95(n - 1) * sqrt(ss / (n - 1)) / sqrt(n);
			ql = g_strescape(pt->xlabel, NULL);
			fprintf(f, "%.9g %.9g %.9g \"%s\"\n", pt->x / xscale,
			    m / yscale, ci / yscale, ql);
			g_free(ql);
		}
		fclose(f);
		series(c, j == 0, file, numeric ? (bars ? "1:2:3" : "1:2") :
		    (bars ? "1:2:3:xtic(4)" : "1:2:xtic(4)"),
		    se->name[0] != '\0' ? se->name : metric,
		    "with %s lw 2 pt 7 lc %u", bars ? "yerrorlines" : "linespoints",
		    j + 1);
		g_free(file);
	}
	g_string_append_c(c->gp, '\n');
	ok = true;
out:
	for (i = 0; i < c->runs->len; i++)
		g_key_file_free(kf[i]);
	g_free(kf);
	g_free(title);
	g_ptr_array_free(varying, TRUE);
	g_ptr_array_free(lines, TRUE);
	g_ptr_array_free(cats, TRUE);
	return ok;
}

/* ---- the driver ------------------------------------------------------ */

static const char *
terminal_for(const struct plot_req *rq, GError **err)
{
	if (g_str_has_suffix(rq->out, ".png"))
		return "pngcairo size %d,%d enhanced font 'DejaVu Sans,11'";
	if (g_str_has_suffix(rq->out, ".svg"))
		return "svg size %d,%d dynamic enhanced font 'DejaVu Sans,11'";
	input_error(err, "%s: the output must end in .png or .svg", rq->out);
	return NULL;
}

bool
plot_make(const struct plot_req *rq, GError **err)
{
	static const struct {
		const char	*name;
		bool		(*fn)(struct pctx *, GError **);
	} kinds[] = {
		{ "latency-cdf", plot_latency_cdf },
		{ "latency-time", plot_latency_time },
		{ "buffers", plot_buffers },
		{ "risk", plot_risk },
		{ "disk-head", plot_disk_head },
		{ "time-split", plot_time_split },
		{ "hit-ratio", plot_hit_ratio },
		{ "sweep", plot_sweep },
	};
	struct pctx c;
	const char *term;
	const struct plot_kind *pk;
	bool ok = false;
	char *script = NULL;
	GString *head;
	unsigned i;
	int k;

	memset(&c, 0, sizeof(c));
	c.rq = rq;
	c.runs = g_array_new(FALSE, FALSE, sizeof(struct prun));
	for (pk = plot_kinds; pk->name != NULL; pk++)
		if (strcmp(pk->name, rq->kind) == 0)
			break;
	if (pk->name == NULL) {
		GString *known = g_string_new("");

		for (pk = plot_kinds; pk->name != NULL; pk++)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "",
			    pk->name);
		input_error(err, "unknown kind \"%s\" (known: %s)", rq->kind,
		    known->str);
		g_string_free(known, TRUE);
		goto done;
	}
	if ((term = terminal_for(rq, err)) == NULL)
		goto done;
	if (!g_file_test(rq->db, G_FILE_TEST_IS_REGULAR) ||
	    sqlite3_open_v2(rq->db, &c.h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		input_error(err, "%s: cannot open database", rq->db);
		goto done;
	}
	sqlite3_busy_timeout(c.h, 60000);
	if (!resolve_runs(&c, pk->all_runs, err))
		goto done;
	c.dir = g_dir_make_tmp("vfssim-plot-XXXXXX", NULL);
	if (c.dir == NULL) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot make a temporary directory");
		goto done;
	}
	c.gp = g_string_new("");
	for (i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strcmp(kinds[i].name, rq->kind) == 0 && !kinds[i].fn(&c, err))
			goto done;
	head = g_string_new("");
	g_string_append(head, "set terminal ");
	g_string_append_printf(head, term, rq->width > 0 ? rq->width : 1000,
	    rq->height > 0 ? rq->height : 650);
	g_string_append(head, "\nset encoding utf8\nset output ");
	{
		char *q = gp_quote(rq->out);

		g_string_append(head, q);
		g_free(q);
	}
	g_string_append_c(head, '\n');
	g_string_prepend(c.gp, head->str);
	g_string_free(head, TRUE);
	script = g_strdup_printf("%s/plot.gp", c.dir);
	if (!g_file_set_contents(script, c.gp->str, (gssize)c.gp->len, err))
		goto done;
	ok = run_gnuplot(script, err);
done:
	if (c.h != NULL)
		sqlite3_close(c.h);
	if (c.dir != NULL) {
		for (k = 0; k < c.nfiles; k++) {
			char *fn = g_strdup_printf("%s/%d.dat", c.dir, k);

			unlink(fn);
			g_free(fn);
		}
		if (script != NULL)
			unlink(script);
		rmdir(c.dir);
	}
	for (i = 0; i < c.runs->len; i++) {
		g_free(prun_at(&c, i)->name);
		g_free(prun_at(&c, i)->label);
		g_free(prun_at(&c, i)->profile);
	}
	g_array_free(c.runs, TRUE);
	if (c.gp != NULL)
		g_string_free(c.gp, TRUE);
	g_free(script);
	g_free(c.dir);
	return ok;
}
