/*
 * plot_samples.c — buffers and risk (the samples table) and disk-head
 * (disk_io): the machine and the drive over a run's time (see plot.h).
 */
#include "plot_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

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
	FILE *f = plot_data_file(c, file, err);
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

/*
 * Two panels, one above the other: the buffers (dirty, free and
 * hidirtybuffers, where bwillwrite stalls writers) and, below, the disk
 * queue -- on a right axis of the same panel a queue of a few requests was
 * lost among the buffers' lines.  A colour a run when there are several.
 */
bool
plot_buffers(struct pctx *c, GError **err)
{
	char *rt = plot_runs_title(c), *title;
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	bool first = true, one = c->runs->len == 1;
	guint i;

	for (i = 0; i < c->runs->len; i++) {
		char *file;

		if (!samples_file(c, plot_run_at(c, i)->id, "numdirtybuffers, "
		    "numfreebuffers, disk_qlen", &file, err)) {
			g_ptr_array_free(files, TRUE);
			g_free(rt);
			return false;
		}
		g_ptr_array_add(files, file);	/* NULL: no samples */
	}
	title = g_strdup_printf("Buffers and disk queue over time, %s", rt);
	g_free(rt);
	plot_preamble(c, title);
	g_free(title);
	g_string_append(c->gp, "set multiplot\n"
	    "set lmargin 10\nset rmargin 4\n"
	    "set origin 0,0.34\nset size 1,0.66\nset format x ''\n"
	    "set ylabel 'buffers'\nset yrange [0:*]\n"
	    "set key below center horizontal box noenhanced\n");
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		double hi = plot_summary(c, r->id, "bio.hidirtybuffers");
		const char *file = g_ptr_array_index(files, i);
		char *t;

		if (file == NULL)
			continue;
		t = g_strdup_printf("%s%sdirty", one ? "" : r->name,
		    one ? "" : ": ");
		plot_series(c, first, file, "1:2", t, "with lines lw %.1f lc %u dt 1",
		    one ? 2.0 : RUN_LW(i), one ? 1 : i + 1);
		g_free(t);
		t = g_strdup_printf("%s%sfree", one ? "" : r->name, one ? "" : ": ");
		plot_series(c, false, file, "1:3", t, "with lines lw 1.5 lc %u dt 2",
		    one ? 2 : i + 1);
		g_free(t);
		if (!isnan(hi)) {
			char *u = g_strdup_printf("1:(%g)", hi);

			t = g_strdup_printf("%s%shidirtybuffers (%.0f)", one ? "" :
			    r->name, one ? "" : ": ", hi);
			plot_series(c, false, file, u, t, "with lines lw 1 lc %u dt 4",
			    one ? 4 : i + 1);
			g_free(u);
			g_free(t);
		}
		first = false;
	}
	if (first) {
		g_ptr_array_free(files, TRUE);
		plot_input_error(err, "%s: no samples to plot", c->rq->db);
		return false;
	}
	g_string_append(c->gp, "\nunset title\nset origin 0,0\nset size 1,0.34\n"
	    "set format x '%g'\nset xlabel 'simulated time (s)'\n"
	    "set ylabel 'disk queue (requests)'\nset yrange [0:*]\n"
	    "set key inside top left horizontal noenhanced\n");
	first = true;
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		const char *file = g_ptr_array_index(files, i);

		if (file == NULL)
			continue;
		plot_series(c, first, file, "1:4", one ? "requests in the disk "
		    "queue" : r->name, "with steps lw 1.5 lc %u", one ? 3 : i + 1);
		first = false;
	}
	g_string_append(c->gp, "\nunset multiplot\n");
	g_ptr_array_free(files, TRUE);
	return true;
}

/*
 * The run's crash instants (crash.at): at each, the MB a crash there
 * actually lost (bytes_lost: data the processes had written that the
 * repaired disk does not hold), for plot_risk to put over the data at
 * risk.  *file is NULL when the run has no crash rows.
 */
static bool
crash_file(struct pctx *c, int64_t run, char **file, GError **err)
{
	sqlite3_stmt *s;
	FILE *f;
	int n = 0;

	*file = NULL;
	if (sqlite3_prepare_v2(c->h, "SELECT t_ns, value FROM crash WHERE "
	    "run = ? AND metric = 'bytes_lost' ORDER BY t_ns", -1, &s,
	    NULL) != SQLITE_OK)
		return true;		/* an older database: no crash table */
	if ((f = plot_data_file(c, file, err)) == NULL) {
		sqlite3_finalize(s);
		g_free(*file);
		*file = NULL;
		return false;
	}
	sqlite3_bind_int64(s, 1, run);
	while (sqlite3_step(s) == SQLITE_ROW) {
		fprintf(f, "%.6f %.9g\n", (double)sqlite3_column_int64(s, 0) /
		    1e9, sqlite3_column_double(s, 1) / 1048576.0);
		n++;
	}
	sqlite3_finalize(s);
	fclose(f);
	if (n == 0) {
		g_free(*file);
		*file = NULL;
	}
	return true;
}

bool
plot_risk(struct pctx *c, GError **err)
{
	char *rt = plot_runs_title(c), *title;
	bool first = true, one = c->runs->len == 1;
	guint i;

	title = g_strdup_printf("Data at risk: written, not yet on disk, %s", rt);
	plot_preamble(c, title);
	g_free(title);
	g_free(rt);
	g_string_append(c->gp, "set xlabel 'simulated time (s)'\n"
	    "set ylabel 'bytes at risk (MB)'\n"
	    "set y2label 'age of the oldest (s)'\n"
	    "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		char *file, *t;

		if (!samples_file(c, r->id, "at_risk_bytes / 1048576.0, "
		    "at_risk_age_ns / 1e9", &file, err))
			return false;
		if (file == NULL)
			continue;
		t = g_strdup_printf("%s%sMB at risk", one ? "" : r->name,
		    one ? "" : ": ");
		plot_series(c, first, file, "1:2", t, "with steps lw %.1f lc %u dt 1",
		    one ? 2.0 : RUN_LW(i), one ? 1 : i + 1);
		g_free(t);
		t = g_strdup_printf("%s%sage of the oldest (right axis)", one ?
		    "" : r->name, one ? "" : ": ");
		plot_series(c, false, file, "1:3", t, "axes x1y2 with lines lw 1.5 "
		    "lc %u dt 2", one ? 2 : i + 1);
		g_free(t);
		g_free(file);
		first = false;
		if (!crash_file(c, r->id, &file, err))
			return false;
		if (file != NULL) {
			t = g_strdup_printf("%s%sMB lost by a crash then", one ?
			    "" : r->name, one ? "" : ": ");
			plot_series(c, false, file, "1:2", t, "with points pt 7 "
			    "ps 1.2 lc %u", one ? 7 : i + 1);
			g_free(t);
			g_free(file);
		}
	}
	if (first) {
		plot_input_error(err, "%s: no samples to plot", c->rq->db);
		return false;
	}
	g_string_append_c(c->gp, '\n');
	return true;
}

/* ---- disk-head ------------------------------------------------------- */

bool
plot_disk_head(struct pctx *c, GError **err)
{
	char *rt = plot_runs_title(c), *title;
	bool first = true, thinned = false;
	guint i;

	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
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
			FILE *f = plot_data_file(c, &file, err);
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
				plot_series(c, first, file, "1:2", t, "with points lc %u "
				    "pt %d ps 0.6", c->runs->len == 1 ? (unsigned)w + 1 :
				    i + 1, w ? 6 : 7);
				g_free(t);
				first = false;
			}
			g_free(file);
		}
	}
	if (first) {
		plot_input_error(err, "%s: %s: no disk requests with their "
		    "cylinder to plot (recorded with --no-events?)", c->rq->db, rt);
		g_free(rt);
		return false;
	}
	/* The plot clauses were built first; the settings go before them. */
	{
		GString *pre = g_string_new("");
		GString *plots = c->gp;

		c->gp = pre;
		title = g_strdup_printf("Disk head position, %s%s", rt, thinned ?
		    " (every n-th request)" : "");
		plot_preamble(c, title);
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
