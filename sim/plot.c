/*
 * plot.c — gnuplot over a results database.
 *
 * The data goes to files in a private temporary directory; the script
 * names the user's output file as a gnuplot string, quoted so that no
 * character of the path can end the string.  gnuplot is run directly (no
 * shell) and its errors are reported.
 */
#include "plot.h"
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

G_DEFINE_QUARK(vfssim-plot-error-quark, plot_error)

#define MAXSERIES	8

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

static const char *
terminal_for(const char *out, GError **err)
{
	if (g_str_has_suffix(out, ".png"))
		return "pngcairo size 1000,650 enhanced font 'DejaVu Sans,11'";
	if (g_str_has_suffix(out, ".svg"))
		return "svg size 1000,650 dynamic enhanced font 'DejaVu Sans,11'";
	g_set_error(err, PLOT_ERROR, PLOT_ERROR_INPUT,
	    "%s: the output must end in .png or .svg", out);
	return NULL;
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

struct series {
	char	*call;
	int64_t	 n;
};

bool
plot_latency_cdf(const char *db, int64_t run, const char *out, GError **err)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	GArray *series = g_array_new(FALSE, FALSE, sizeof(struct series));
	const char *term;
	char *dir = NULL, *script = NULL, *qout = NULL;
	GString *gp = NULL;
	bool ok = false;
	guint i;

	if ((term = terminal_for(out, err)) == NULL)
		goto done;
	if (!g_file_test(db, G_FILE_TEST_IS_REGULAR) ||
	    sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_INPUT, "%s: cannot open "
		    "database", db);
		goto done;
	}
	/* The call types with the most simulated calls. */
	if (sqlite3_prepare_v2(h, "SELECT call, sum(count) AS n FROM latency_hist "
	    "WHERE run = ? GROUP BY call ORDER BY n DESC, call LIMIT ?", -1, &s,
	    NULL) != SQLITE_OK) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_INPUT,
		    "%s: not a vfssim database (%s)", db, sqlite3_errmsg(h));
		goto done;
	}
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int(s, 2, MAXSERIES);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct series se;

		se.call = g_strdup((const char *)sqlite3_column_text(s, 0));
		se.n = sqlite3_column_int64(s, 1);
		g_array_append_val(series, se);
	}
	sqlite3_finalize(s);
	s = NULL;
	if (series->len == 0) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_INPUT,
		    "%s: run %lld has no simulated calls to plot", db, (long long)run);
		goto done;
	}
	dir = g_dir_make_tmp("vfssim-plot-XXXXXX", NULL);
	if (dir == NULL) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot make a temporary directory");
		goto done;
	}
	/* One data file per call: upper bucket bound (us), cumulative share. */
	sqlite3_prepare_v2(h, "SELECT lo_ns, hi_ns, count FROM latency_hist "
	    "WHERE run = ? AND call = ? ORDER BY lo_ns", -1, &s, NULL);
	for (i = 0; i < series->len; i++) {
		struct series *se = &g_array_index(series, struct series, i);
		char *fn = g_strdup_printf("%s/%u.dat", dir, i);
		FILE *f = fopen(fn, "w");
		int64_t cum = 0;

		g_free(fn);
		if (f == NULL) {
			g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
			    "cannot write plot data: %s", g_strerror(errno));
			goto done;
		}
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_text(s, 2, se->call, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			/* the CDF rises from 0 at the first bucket's start */
			if (cum == 0)
				fprintf(f, "%.4f 0\n",
				    (double)MAX(sqlite3_column_int64(s, 0), 1) / 1e3);
			cum += sqlite3_column_int64(s, 2);
			fprintf(f, "%.4f %.6f\n",
			    (double)sqlite3_column_int64(s, 1) / 1e3,
			    (double)cum / (double)se->n);
		}
		fclose(f);
	}
	sqlite3_finalize(s);
	s = NULL;

	qout = gp_quote(out);
	gp = g_string_new("");
	g_string_append_printf(gp, "set terminal %s\nset output %s\n", term, qout);
	g_string_append_printf(gp,
	    "set title 'Latency of each call type, run %lld (simulated calls)'\n"
	    "set logscale x 10\nset format x '10^{%%L}'\n"
	    "set xlabel 'latency (µs, log scale)'\n"
	    "set ylabel 'fraction of calls at or below'\n"
	    "set yrange [0:1.02]\nset grid xtics ytics mxtics\n"
	    "set key bottom right box opaque\n"
	    "set style data steps\n", (long long)run);
	g_string_append(gp, "plot ");
	for (i = 0; i < series->len; i++) {
		struct series *se = &g_array_index(series, struct series, i);
		char *file = g_strdup_printf("%s/%u.dat", dir, i);
		char *qf = gp_quote(file);
		char *title = g_strdup_printf("%s (%lld)", se->call, (long long)se->n);
		char *qt = gp_quote(title);

		g_string_append_printf(gp, "%s%s using 1:2 title %s noenhanced lw 2",
		    i ? ", \\\n     " : "", qf, qt);
		g_free(file);
		g_free(qf);
		g_free(title);
		g_free(qt);
	}
	g_string_append_c(gp, '\n');
	script = g_strdup_printf("%s/plot.gp", dir);
	if (!g_file_set_contents(script, gp->str, (gssize)gp->len, err))
		goto done;
	ok = run_gnuplot(script, err);
done:
	if (s != NULL)
		sqlite3_finalize(s);
	sqlite3_close(h);
	if (dir != NULL) {
		/* remove the scratch files */
		for (i = 0; i < series->len; i++) {
			char *fn = g_strdup_printf("%s/%u.dat", dir, i);

			unlink(fn);
			g_free(fn);
		}
		if (script != NULL)
			unlink(script);
		rmdir(dir);
	}
	for (i = 0; i < series->len; i++)
		g_free(g_array_index(series, struct series, i).call);
	g_array_free(series, TRUE);
	if (gp != NULL)
		g_string_free(gp, TRUE);
	g_free(script);
	g_free(qout);
	g_free(dir);
	return ok;
}
