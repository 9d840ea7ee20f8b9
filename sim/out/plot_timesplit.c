/*
 * plot_timesplit.c — time-split: where each call type's time went, as
 * stacked bars (the time_split table) (see plot.h).
 */
#include "plot_private.h"

#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

/* ---- time-split ------------------------------------------------------ */

static gint
part_order(gconstpointer a, gconstpointer b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	/* cpu, the waits by name, then the disk's phases in time order */
	static const char *const disk[] = { "disk:queue", "disk:overhead",
	    "disk:controller", "disk:bus", "disk:media wait", "disk:cache room",
	    "disk:cache drain", "disk:cache full", "disk:read-ahead",
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
		/* (a database of schema 2: the controller's and the bus's
		 * time and the waits on the interface, untimed) */
		{ "disk:overhead", "disk: controller and bus" },
		{ "disk:controller", "disk: controller (command, disconnect, "
		  "reselection, completion)" },
		{ "disk:bus", "disk: bus transfer (outside the media's)" },
		{ "disk:media wait", "disk: waiting for the media (off the bus "
		  "or holding it)" },
		{ "disk:cache room", "disk: waiting for room in the cache for "
		  "a write's data" },
		{ "disk:cache drain", "disk: waiting for the write cache to drain" },
		{ "disk:cache full", "disk: waiting for room (cache full)" },
		{ "disk:read-ahead", "disk: waiting for a read-ahead" },
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

bool
plot_time_split(struct pctx *c, GError **err)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *ncalls = g_ptr_array_new();	/* calls drawn per run */
	GPtrArray *calls = g_ptr_array_new_with_free_func(g_free);
	char *rt = plot_runs_title(c), *title;
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
		sqlite3_bind_int64(s, 1, plot_run_at(c, i)->id);
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
		plot_input_error(err, "%s: no time split recorded for %s (runs by an "
		    "older vfssim?)", c->rq->db, rt);
		goto out;
	}
	g_ptr_array_sort(parts, part_order);
	/* The call types: every one the first run has (or the --calls
	 * that took the most time), those it spent most time in first, the
	 * same in every group of bars. */
	sqlite3_prepare_v2(c->h, "SELECT call, sum(ns) AS t FROM time_split "
	    "WHERE run = ? GROUP BY call ORDER BY t DESC, call LIMIT ?", -1, &s,
	    NULL);
	sqlite3_bind_int64(s, 1, plot_run_at(c, 0)->id);
	sqlite3_bind_int64(s, 2, c->rq->max_calls > 0 ?
	    (sqlite3_int64)c->rq->max_calls : -1);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_ptr_array_add(calls, g_strdup((const char *)
		    sqlite3_column_text(s, 0)));
	sqlite3_finalize(s);
	/* A data file a run: a row a call type, the mean time a call spent
	 * in each part. */
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		char *file;
		FILE *f = plot_data_file(c, &file, err);
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
			double count = plot_summary(c, r->id, metric), total = 0;

			g_free(metric);
			plot_data_str(f, call);
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
		plot_input_error(err, "%s: no simulated calls to split for %s",
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
	plot_preamble(c, title);
	g_free(title);
	/* no enhanced-text markup anywhere: the groups' names are runs'
	 * labels, drawn as they are */
	g_string_append_printf(c->gp, "set termoption noenhanced\n"
	    "set style data histograms\n"
	    "set style histogram rowstacked gap 1\n"
	    "set style fill solid 0.85 border -1\nset boxwidth 0.75\n"
	    "set ylabel 'mean time per call (%s)'\nset yrange [0:*]\n"
	    "set xtics rotate by -35 noenhanced font ',9'\nset grid noxtics ytics\n"
	    "set key below center horizontal\n", unit);
	/* room under the rotated call names for the groups' run names */
	if (c->runs->len > 1)
		g_string_append(c->gp, "set xlabel ' ' offset 0,-1.5\n");
	if (c->runs->len == 1)
		g_string_append(c->gp, "set xlabel 'call type'\n");
	g_string_append(c->gp, "plot ");
	for (i = 0, j = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);

		if (GPOINTER_TO_UINT(g_ptr_array_index(ncalls, i)) == 0)
			continue;
		if (c->runs->len > 1) {
			char **set = g_strsplit(r->name, ",", -1);
			guint k;

			/* the run's name under its group, a setting a line:
			 * quoted pieces joined by newlines */
			g_string_append(c->gp, j > 0 ? ", \\\n     newhistogram " :
			    "newhistogram ");
			for (k = 0; set[k] != NULL; k++) {
				if (k > 0)
					g_string_append(c->gp, " . \"\\n\" . ");
				plot_gpq(c, set[k]);
			}
			g_strfreev(set);
			g_string_append(c->gp, " font ',9'");
		}
		for (p = 0; p < parts->len; p++) {
			const char *pt = g_ptr_array_index(parts, p);

			g_string_append(c->gp, j > 0 || p > 0 || c->runs->len > 1 ?
			    ", \\\n     " : "");
			plot_gpq(c, g_ptr_array_index(files, i));
			g_string_append_printf(c->gp, " using ($%u/%g):xtic(1)", p + 2,
			    scale);
			if (j == 0) {
				g_string_append(c->gp, " title ");
				plot_gpq(c, part_title(pt));
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
