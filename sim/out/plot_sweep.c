/*
 * plot_sweep.c — hit-ratio and sweep: a figure of many runs against a
 * setting (the summary, mrc and runs tables) (see plot.h).
 */
#include "plot_private.h"
#include "profile.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

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

bool
plot_hit_ratio(struct pctx *c, GError **err)
{
	GArray *pts = g_array_new(FALSE, FALSE, sizeof(struct xy));
	guint nsizes = 0;
	char *file = NULL, *rt = plot_runs_title(c), *title;
	bool first = true, ok = false;
	double bsize = NAN;
	guint i;
	FILE *f;

	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		struct xy p = { plot_summary(c, r->id, "bio.nbuf"),
		    plot_summary(c, r->id, "bio.buffer_hit_ratio"),
		    plot_summary(c, r->id, "bio.hit_ratio") };

		if (isnan(p.x) || isnan(p.y1))
			continue;
		if (isnan(bsize))
			bsize = plot_summary(c, r->id, "bio.bufsize");
		g_array_append_val(pts, p);
	}
	g_array_sort(pts, by_x);
	/* the cache sizes there are runs of (seeds share one) */
	for (i = 0; i < pts->len; i++)
		if (i == 0 || g_array_index(pts, struct xy, i).x !=
		    g_array_index(pts, struct xy, i - 1).x)
			nsizes++;
	title = g_strdup_printf("Hit ratio against the buffer cache's size, %s", rt);
	plot_preamble(c, title);
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
	if (nsizes >= 2) {
		if ((f = plot_data_file(c, &file, err)) == NULL)
			goto out;
		for (i = 0; i < pts->len; i++) {
			struct xy *p = &g_array_index(pts, struct xy, i);

			fprintf(f, "%.0f %.6f %.6f\n", p->x, 100 * p->y1,
			    100 * (isnan(p->y2) ? p->y1 : p->y2));
		}
		fclose(f);
		plot_series(c, first, file, "1:2", "buffer hits (runs)",
		    "with linespoints lw 2 pt 7 lc 1");
		plot_series(c, false, file, "1:3", "reads without disk I/O: buffer or "
		    "page cache (runs)", "with linespoints lw 2 pt 5 lc 2");
		first = false;
		g_free(file);
		file = NULL;
	}
	/* vfssim mrc's curves: LRU over every size at once. */
	for (i = 0; i < c->runs->len; i++) {
		const struct prun *r = plot_run_at(c, i);
		sqlite3_stmt *s;
		int n = 0;
		char *t;

		if ((f = plot_data_file(c, &file, err)) == NULL)
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
			plot_series(c, first, file, "1:2", t, "with lines lw 1.5 lc %u dt 1",
			    i + 3);
			g_free(t);
			first = false;
		}
		g_free(file);
		file = NULL;
	}
	if (first) {
		plot_input_error(err, "%s: hit-ratio needs runs at two or more cache "
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

bool
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
		(void)g_key_file_load_from_data(kf[i], plot_run_at(c, i)->profile, -1,
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
			plot_input_error(err, "--param %s: no such setting (vfssim profile "
			    "--list)", c->rq->param);
			goto out;
		}
	}
	if (xk == NULL) {
		plot_input_error(err, "%s: the runs do not differ in any setting: "
		    "nothing was swept", c->rq->db);
		goto out;
	}
	/* The points: a series for each value of the other varying settings. */
	for (i = 0; i < c->runs->len; i++) {
		double y = plot_summary(c, plot_run_at(c, i)->id, metric);
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
		plot_input_error(err, "%s: no run has the metric %s (the summary table "
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
	plot_preamble(c, title);
	g_string_append(c->gp, "set xlabel ");
	{
		char *xl = g_strdup_printf("%s.%s%s%s%s%s", xk->group, xk->key,
		    xk->sysctl != NULL ? " (" : "", xk->sysctl != NULL ? xk->sysctl :
		    "", xk->sysctl != NULL ? ")" : "", xunit);
		char *yl = g_strdup_printf("%s%s%s%s", metric, *yunit ? " (" : "",
		    yunit, *yunit ? ")" : "");

		plot_gpq(c, xl);
		g_string_append(c->gp, " noenhanced\nset ylabel ");
		plot_gpq(c, yl);
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
		FILE *f = plot_data_file(c, &file, err);

		if (f == NULL) {
			g_free(file);
			goto out;
		}
		for (p = 0; p < se->points->len; p++) {
			struct spoint *pt = g_ptr_array_index(se->points, p);
			double m = 0, ss = 0, ci = 0;
			guint d, n = pt->ys->len;

			for (d = 0; d < n; d++)
				m += g_array_index(pt->ys, double, d);
			m /= n;
			for (d = 0; d < n; d++)
				ss += (g_array_index(pt->ys, double, d) - m) *
				    (g_array_index(pt->ys, double, d) - m);
			if (n > 1)
				ci = stats_t95(n - 1) * sqrt(ss / (n - 1)) / sqrt(n);
			fprintf(f, "%.9g %.9g %.9g ", pt->x / xscale, m / yscale,
			    ci / yscale);
			plot_data_str(f, pt->xlabel);
			fputc('\n', f);
		}
		fclose(f);
		plot_series(c, j == 0, file, numeric ? (bars ? "1:2:3" : "1:2") :
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
