/*
 * plot_latency.c — latency-cdf and latency-time: a run's calls, from
 * latency_hist and syscalls (see plot.h).
 */
#include "plot_private.h"
#include "dbopen.h"
#include "hist.h"

#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

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

bool
plot_latency_cdf(struct pctx *c, GError **err)
{
	GPtrArray *calls = g_ptr_array_new_with_free_func(g_free);
	GArray *counts = g_array_new(FALSE, FALSE, sizeof(int64_t));
	bool ok = false, first = true;
	char *title = NULL, *rt = plot_runs_title(c);
	guint i;

	if (c->runs->len == 1) {
		sqlite3_stmt *s;

		/* Every call type of the run (or only --call, or the
		 * --calls that took the most time), the ones whose calls
		 * took the most time (count x mean, the run's summary)
		 * first. */
		sqlite3_prepare_v2(c->h, "SELECT h.call, sum(h.count) AS n, "
		    "sum(h.count) * coalesce((SELECT value FROM summary WHERE "
		    "run = ?1 AND metric = 'latency.' || h.call || '.mean_ns'), "
		    "0) AS t FROM latency_hist h WHERE h.run = ?1 AND (?2 IS NULL "
		    "OR h.call = ?2) GROUP BY h.call ORDER BY t DESC, n DESC, "
		    "h.call LIMIT ?3", -1, &s, NULL);
		sqlite3_bind_int64(s, 1, plot_run_at(c, 0)->id);
		if (c->rq->call != NULL)
			sqlite3_bind_text(s, 2, c->rq->call, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, c->rq->max_calls > 0 ?
		    (sqlite3_int64)c->rq->max_calls : -1);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t n = sqlite3_column_int64(s, 1);

			g_ptr_array_add(calls, g_strdup((const char *)
			    sqlite3_column_text(s, 0)));
			g_array_append_val(counts, n);
		}
		sqlite3_finalize(s);
		if (calls->len == 0) {
			plot_input_error(err, "%s: %s has no simulated calls%s%s to plot",
			    c->rq->db, rt, c->rq->call ? " of " : "",
			    c->rq->call ? c->rq->call : "");
			goto out;
		}
		title = g_strdup_printf("Latency of each call type, %s", rt);
	} else
		title = g_strdup_printf("Latency of %s, each run",
		    c->rq->call != NULL ? c->rq->call : "every simulated call");
	plot_preamble(c, title);
	g_string_append(c->gp, "set logscale x 10\nset format x '10^{%L}'\n"
	    "set xlabel 'latency (µs, log scale)'\n"
	    "set ylabel 'fraction of calls at or below'\n"
	    "set yrange [0:1.02]\nset grid mxtics\n");
	/* A few lines: the key fits inside, where the CDFs leave room, opaque
	 * so that no line runs through it; more stay below the plot (the
	 * preamble's), not over the curves. */
	if ((c->runs->len == 1 ? calls->len : c->runs->len) <= 6)
		g_string_append(c->gp, "set key bottom right inside opaque\n");
	else	/* room between the axis label and the key's box */
		g_string_append(c->gp, "set xlabel offset 0,0.3\n");
	for (i = 0; i < (c->runs->len == 1 ? calls->len : c->runs->len); i++) {
		const struct prun *r = plot_run_at(c, c->runs->len == 1 ? 0 : i);
		const char *call = c->runs->len == 1 ? g_ptr_array_index(calls, i) :
		    c->rq->call;
		char *file, *t;
		FILE *f = plot_data_file(c, &file, err);
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
		/* gnuplot has eight colours: past them a line is told
		 * apart by its dashes; runs' lines thin out (RUN_LW) */
		plot_series(c, first, file, "1:2", t, "with steps lw %.1f dt %u",
		    c->runs->len == 1 ? 2.0 : RUN_LW(i), i / 8 + 1);
		first = false;
		g_free(t);
		g_free(file);
	}
	if (first) {
		plot_input_error(err, "%s: no simulated calls of %s in these runs",
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

/*
 * A run's simulated calls (of --call, if given) from syscalls: each row
 * checked (start and end in [0, 2^62], the end not before the start), the
 * latest end in *tmax; with bins, each call's latency added to the slice
 * of width ns its end falls in.  False (and *err) at a row that breaks
 * the rule, naming it.
 */
static bool
syscall_rows(struct pctx *c, int64_t run, struct hist *bins, int64_t width,
    int64_t *tmax, GError **err)
{
	sqlite3_stmt *s;
	bool ok = true;
	int rc;

	*tmax = 0;
	if (sqlite3_prepare_v2(c->h, "SELECT seq, start_ns, end_ns FROM syscalls "
	    "WHERE run = ? AND class = 'sim' AND (?2 IS NULL OR call = ?2)",
	    -1, &s, NULL) != SQLITE_OK)
		return true;		/* no such table: no rows */
	sqlite3_bind_int64(s, 1, run);
	if (c->rq->call != NULL)
		sqlite3_bind_text(s, 2, c->rq->call, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t st = sqlite3_column_int64(s, 1);
		int64_t en = sqlite3_column_int64(s, 2);

		if (sqlite3_column_type(s, 1) != SQLITE_INTEGER ||
		    sqlite3_column_type(s, 2) != SQLITE_INTEGER || st < 0 ||
		    en < st || en > DB_MAX_NS) {
			char *seq = db_printable((const char *)
			    sqlite3_column_text(s, 0));

			plot_input_error(err, "%s: table syscalls, row run %lld, seq "
			    "%s: start_ns and end_ns must be integers with 0 <= "
			    "start_ns <= end_ns <= 2^62", c->rq->db, (long long)run,
			    seq);
			g_free(seq);
			ok = false;
			break;
		}
		*tmax = MAX(*tmax, en);
		if (bins != NULL)
			hist_add(&bins[MIN(en / width, TIMEBINS - 1)], en - st);
	}
	if (ok && rc != SQLITE_DONE) {
		plot_input_error(err, "%s: table syscalls: %s", c->rq->db,
		    sqlite3_errmsg(c->h));
		ok = false;
	}
	sqlite3_finalize(s);
	return ok;
}

bool
plot_latency_time(struct pctx *c, GError **err)
{
	char *rt = plot_runs_title(c), *title;
	bool first = true;
	guint i;

	title = g_strdup_printf("Latency over time%s%s, %s", c->rq->call ?
	    " of " : "", c->rq->call ? c->rq->call : "", rt);
	plot_preamble(c, title);
	g_free(title);
	g_string_append(c->gp, "set logscale y 10\nset format y '10^{%L}'\n"
	    "set xlabel 'simulated time (s)'\n"
	    "set ylabel 'latency (ms, log scale)'\n");
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		struct hist *bins = NULL;
		int64_t tmax = 0, width;
		char *file, *t;
		FILE *f;
		int b;

		/* Two passes: the run's length, then its calls into slices of
		 * it.  The rows are checked as they are read: a hand-made
		 * database may hold anything (dbopen.h). */
		if (!syscall_rows(c, r->id, NULL, 0, &tmax, err)) {
			g_free(rt);
			return false;
		}
		if (tmax <= 0)
			continue;
		width = tmax / TIMEBINS + 1;
		bins = g_new(struct hist, TIMEBINS);
		for (b = 0; b < TIMEBINS; b++)
			hist_init(&bins[b]);
		(void)syscall_rows(c, r->id, bins, width, &tmax, err);
		if ((f = plot_data_file(c, &file, err)) == NULL) {
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
		plot_series(c, first, file, "1:2", t, "with linespoints lc %u pt 7 "
		    "ps 0.5 lw 2", i + 1);
		g_free(t);
		t = g_strdup_printf("%s: p99", r->name);
		plot_series(c, false, file, "1:3", t, "with lines lc %u dt 2 lw 1.5",
		    i + 1);
		g_free(t);
		g_free(file);
		first = false;
	}
	if (first) {
		plot_input_error(err, "%s: %s: no per-call rows to plot (recorded "
		    "with --no-events?)", c->rq->db, rt);
		g_free(rt);
		return false;
	}
	g_free(rt);
	g_string_append_c(c->gp, '\n');
	return true;
}
