/*
 * compare.c — the comparison table (see compare.h).
 *
 * Every figure in it is a summary row of a run (or the mean of several
 * runs' rows): the table adds nothing that the runs did not record, so
 * what it says can be checked against the database row by row.
 */
#include "compare.h"
#include "stats.h"
#include "report.h"
#include "dbopen.h"
#include "variants.h"

#include <math.h>
#include <string.h>
#include <sqlite3.h>

#define MAXCALLS	8	/* call types shown besides "all" (text, html) */

enum unit { U_NS, U_BYTES, U_RATIO, U_COUNT, U_PER_S, U_BYTES_PER_S };

/* The rows of the table, in order.  A metric with %s is one per call
 * type. */
static const struct crow {
	const char	*section;
	const char	*metric;
	const char	*title;
	enum unit	 unit;
} crows[] = {
	{ "latency", "latency.%s.mean_ns", "%s mean", U_NS },
	{ "latency", "latency.%s.p50_ns", "%s p50", U_NS },
	{ "latency", "latency.%s.p95_ns", "%s p95", U_NS },
	{ "latency", "latency.%s.p99_ns", "%s p99", U_NS },
	{ "latency", "latency.%s.max_ns", "%s max", U_NS },
	{ "throughput", "throughput.calls_per_s", "calls/s", U_PER_S },
	{ "throughput", "throughput.bytes_per_s", "bytes/s read+written",
	  U_BYTES_PER_S },
	{ "throughput", "time.simulated_ns", "simulated time", U_NS },
	{ "cache", "bio.buffer_hit_ratio", "buffer hit ratio", U_RATIO },
	{ "cache", "bio.pagecache_hit_ratio", "page-cache hit ratio", U_RATIO },
	{ "cache", "bio.hit_ratio", "reads without I/O", U_RATIO },
	{ "disk", "disk.reads", "reads", U_COUNT },
	{ "disk", "disk.writes", "writes", U_COUNT },
	{ "disk", "disk.bytes_read", "bytes read", U_BYTES },
	{ "disk", "disk.bytes_written", "bytes written", U_BYTES },
	{ "disk", "disk.busy_fraction", "busy", U_RATIO },
	{ "disk", "disk.mean_seek_ns", "mean seek", U_NS },
	{ "disk", "disk.mean_rot_ns", "mean rotation", U_NS },
	{ "writes", "bio.bwillwrite_stalls", "bwillwrite stalls", U_COUNT },
	{ "writes", "bio.bwillwrite_stall_ns", "time stalled", U_NS },
	{ "writes", "bio.dirty_peak", "dirty buffers peak", U_COUNT },
	{ "at risk", "risk.peak_bytes", "peak bytes", U_BYTES },
	{ "at risk", "risk.mean_bytes", "mean bytes", U_BYTES },
	{ "at risk", "risk.max_age_ns", "oldest", U_NS },
};

/* ---- statistics ------------------------------------------------------ */

struct cstat {
	unsigned	 n;		/* runs that have the metric */
	double		 mean, sd;
	double		 ci;		/* half-width of the 95 % interval */
};

static struct cstat
stat_of(const double *x, unsigned n)
{
	struct cstat st = { n, NAN, 0, 0 };
	double ss = 0;
	unsigned i;

	if (n == 0)
		return st;
	st.mean = 0;
	for (i = 0; i < n; i++)
		st.mean += x[i];
	st.mean /= n;
	for (i = 0; i < n; i++)
		ss += (x[i] - st.mean) * (x[i] - st.mean);
	if (n > 1) {
		st.sd = sqrt(ss / (n - 1));
		st.ci = stats_t95(n - 1) * st.sd / sqrt(n);
	}
	return st;
}

enum noise { N_UNKNOWN, N_NOISE, N_SIGNIFICANT };

/* Is b's difference from a inside the noise?  Welch's interval for the
 * difference of two means, Welch–Satterthwaite degrees of freedom. */
static enum noise
noise_of(const struct cstat *a, const struct cstat *b)
{
	double va, vb, se, df;

	if (a->n < 2 || b->n < 2)
		return N_UNKNOWN;
	va = a->sd * a->sd / a->n;
	vb = b->sd * b->sd / b->n;
	se = sqrt(va + vb);
	if (se == 0)
		return a->mean == b->mean ? N_NOISE : N_SIGNIFICANT;
	df = (va + vb) * (va + vb) /
	    (va * va / (a->n - 1) + vb * vb / (b->n - 1));
	return fabs(b->mean - a->mean) <= stats_t95(df) * se ? N_NOISE :
	    N_SIGNIFICANT;
}

/* ---- the table ------------------------------------------------------- */

struct cline {
	const struct crow *row;
	char		*metric;	/* the summary metric */
	char		*title;
	struct cstat	*st;		/* one per variant */
};

/* Every summary value of each run: run id -> (metric -> double *). */
static GHashTable *
load_summaries(sqlite3 *h, GPtrArray *variants)
{
	GHashTable *all = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    g_free, (GDestroyNotify)g_hash_table_destroy);
	sqlite3_stmt *s;
	guint i, j;

	sqlite3_prepare_v2(h, "SELECT metric, value FROM summary WHERE run = ?",
	    -1, &s, NULL);
	for (i = 0; i < variants->len; i++) {
		struct variant *v = g_ptr_array_index(variants, i);

		for (j = 0; j < v->runs->len; j++) {
			int64_t *id = g_new(int64_t, 1);
			GHashTable *m = g_hash_table_new_full(g_str_hash,
			    g_str_equal, g_free, g_free);

			*id = g_array_index(v->runs, int64_t, j);
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, *id);
			while (sqlite3_step(s) == SQLITE_ROW) {
				double *d = g_new(double, 1);

				if (sqlite3_column_type(s, 1) == SQLITE_NULL) {
					g_free(d);
					continue;
				}
				*d = sqlite3_column_double(s, 1);
				/* a metric names call types printed in the
				 * table: made fit to print */
				g_hash_table_insert(m, db_printable((const char *)
				    sqlite3_column_text(s, 0)), d);
			}
			g_hash_table_insert(all, id, m);
		}
	}
	sqlite3_finalize(s);
	return all;
}

struct callcount {
	char	*call;
	double	 n;
};

static gint
by_count(gconstpointer a, gconstpointer b)
{
	const struct callcount *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->call, y->call);
}

/* Call types with latency figures: "all", then by count in the first
 * variant that has them (the first variant's first run decides the
 * order), then by name. */
static GPtrArray *
call_types(GHashTable *sums, GPtrArray *variants, guint max)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GArray *cc = g_array_new(FALSE, FALSE, sizeof(struct callcount));
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	guint i, j;

	for (i = 0; i < variants->len; i++) {
		struct variant *v = g_ptr_array_index(variants, i);
		GHashTableIter it;
		gpointer k, val;

		for (j = 0; j < v->runs->len; j++) {
			int64_t id = g_array_index(v->runs, int64_t, j);
			GHashTable *m = g_hash_table_lookup(sums, &id);

			g_hash_table_iter_init(&it, m);
			while (g_hash_table_iter_next(&it, &k, &val)) {
				const char *metric = k;
				struct callcount c;

				if (!g_str_has_prefix(metric, "latency.") ||
				    !g_str_has_suffix(metric, ".count"))
					continue;
				c.call = g_strndup(metric + 8, strlen(metric) - 8 -
				    strlen(".count"));
				if (strcmp(c.call, "all") == 0 ||
				    g_hash_table_contains(seen, c.call)) {
					g_free(c.call);
					continue;
				}
				/* the count where first seen: variant order */
				c.n = *(double *)val;
				g_hash_table_add(seen, c.call);
				g_array_append_val(cc, c);
			}
		}
	}
	g_array_sort(cc, by_count);
	g_ptr_array_add(out, g_strdup("all"));
	for (i = 0; i < cc->len; i++) {
		struct callcount *c = &g_array_index(cc, struct callcount, i);

		if (out->len <= max)
			g_ptr_array_add(out, c->call);
		else
			g_free(c->call);
	}
	g_array_free(cc, TRUE);
	g_hash_table_destroy(seen);
	return out;
}

static void
human(char *buf, size_t n, double v, enum unit u)
{
	if (isnan(v)) {
		g_strlcpy(buf, "-", n);
		return;
	}
	switch (u) {
	case U_NS:
		human_time(buf, n, v);
		break;
	case U_BYTES:
		human_bytes(buf, n, v);
		break;
	case U_BYTES_PER_S: {
		char b[32];

		human_bytes(b, sizeof(b), v);
		g_snprintf(buf, n, "%s/s", b);
		break;
	}
	case U_RATIO:
		g_snprintf(buf, n, "%.1f%%", 100 * v);
		break;
	case U_PER_S:
		g_snprintf(buf, n, v >= 100 ? "%.0f" : "%.2f", v);
		break;
	case U_COUNT:
		g_snprintf(buf, n, v == floor(v) ? "%.0f" : "%.1f", v);
		break;
	}
}

/* The figure of a variant: "12.3 ms" or "12.3 ms ± 0.4 ms". */
static char *
cell_value(const struct cstat *st, enum unit u)
{
	char a[48], b[48];

	human(a, sizeof(a), st->mean, u);
	if (st->n < 2)
		return g_strdup(a);
	if (u == U_RATIO)
		g_snprintf(b, sizeof(b), "%.1f", 100 * st->ci);
	else
		human(b, sizeof(b), st->ci, u);
	return g_strdup_printf("%s ± %s", a, b);
}

/* The change against the first variant: "+12.3%", with "~" when inside
 * the noise. */
static char *
cell_change(const struct cstat *base, const struct cstat *st, enum unit u)
{
	enum noise nz = noise_of(base, st);
	const char *mark = nz == N_NOISE ? " ~" : "";

	if (isnan(st->mean) || isnan(base->mean))
		return g_strdup("");
	if (st->mean == base->mean)
		return g_strdup("=");
	if (u == U_RATIO)
		return g_strdup_printf("%+.1f pt%s", 100 * (st->mean - base->mean),
		    mark);
	if (base->mean == 0) {
		char a[48];

		human(a, sizeof(a), st->mean - base->mean, u);
		return g_strdup_printf("%s%s%s", st->mean > 0 ? "+" : "", a, mark);
	}
	return g_strdup_printf("%+.1f%%%s", 100 * (st->mean - base->mean) /
	    fabs(base->mean), mark);
}

static void
html_escape(FILE *out, const char *s)
{
	char *v = g_utf8_make_valid(s, -1);
	char *e = g_markup_escape_text(v, -1);

	fputs(e, out);
	g_free(e);
	g_free(v);
}

bool
compare_print(const char *db, GPtrArray *variants, enum cmp_format fmt,
    FILE *out, GError **err)
{
	sqlite3 *h = db_open_readonly(db, err);
	GHashTable *sums;
	GPtrArray *calls, *lines;
	guint i, j, c, nv = variants->len;
	size_t wsect = 0, wtitle = 0, *wval, *wchg;
	double *x = NULL;
	unsigned maxruns = 0;

	if (h == NULL)
		return false;
	sums = load_summaries(h, variants);
	sqlite3_close(h);
	calls = call_types(sums, variants, fmt == CMP_TSV ? G_MAXUINT : MAXCALLS);
	for (i = 0; i < nv; i++) {
		struct variant *v = g_ptr_array_index(variants, i);

		maxruns = MAX(maxruns, v->runs->len);
	}
	x = g_new(double, maxruns);

	/* Build the lines: each row (per call type where it has %s), each
	 * variant's statistics over its runs. */
	lines = g_ptr_array_new();
	for (i = 0; i < G_N_ELEMENTS(crows); i++) {
		const struct crow *r = &crows[i];
		guint ncall = strstr(r->metric, "%s") != NULL ? calls->len : 1;

		for (c = 0; c < ncall; c++) {
			struct cline *l = g_new0(struct cline, 1);
			const char *call = g_ptr_array_index(calls, c);

			l->row = r;
			l->metric = g_strdup_printf(r->metric, call);
			l->title = g_strdup_printf(r->title, call);
			l->st = g_new0(struct cstat, nv);
			for (j = 0; j < nv; j++) {
				struct variant *v = g_ptr_array_index(variants, j);
				unsigned n = 0, k;

				for (k = 0; k < v->runs->len; k++) {
					int64_t id = g_array_index(v->runs, int64_t, k);
					double *d = g_hash_table_lookup(
					    g_hash_table_lookup(sums, &id), l->metric);

					if (d != NULL)
						x[n++] = *d;
				}
				l->st[j] = stat_of(x, n);
			}
			g_ptr_array_add(lines, l);
		}
	}
	/* Latency rows are grouped by call type, not by statistic. */
	{
		GPtrArray *sorted = g_ptr_array_new();
		guint nlat = 0;

		for (i = 0; i < lines->len; i++)
			if (strcmp(((struct cline *)g_ptr_array_index(lines, i))->
			    row->section, "latency") == 0)
				nlat++;
		for (c = 0; c < calls->len; c++)
			for (i = 0; i < nlat; i++)
				if (i % calls->len == c)
					g_ptr_array_add(sorted,
					    g_ptr_array_index(lines, i));
		for (i = nlat; i < lines->len; i++)
			g_ptr_array_add(sorted, g_ptr_array_index(lines, i));
		g_ptr_array_free(lines, TRUE);
		lines = sorted;
	}

	if (fmt == CMP_TSV) {
		fprintf(out, "metric\tvariant\truns\tmean\tci95\tchange_pct\tnoise\n");
		for (i = 0; i < lines->len; i++) {
			struct cline *l = g_ptr_array_index(lines, i);

			for (j = 0; j < nv; j++) {
				struct variant *v = g_ptr_array_index(variants, j);
				struct cstat *st = &l->st[j], *b = &l->st[0];
				enum noise nz = noise_of(b, st);

				if (st->n == 0)
					continue;
				fprintf(out, "%s\t%s\t%u\t%.17g\t", l->metric, v->name,
				    st->n, st->mean);
				if (st->n > 1)
					fprintf(out, "%.17g", st->ci);
				fputc('\t', out);
				if (j > 0 && b->n > 0 && b->mean != 0)
					fprintf(out, "%.17g", 100 * (st->mean - b->mean) /
					    fabs(b->mean));
				fprintf(out, "\t%s\n", j == 0 || nz == N_UNKNOWN ? "" :
				    nz == N_NOISE ? "noise" : "significant");
			}
		}
		goto done;
	}

	/* Text and HTML: the cells first, then the layout. */
	wval = g_new0(size_t, nv);
	wchg = g_new0(size_t, nv);
	for (i = 0; i < lines->len; i++) {
		struct cline *l = g_ptr_array_index(lines, i);

		wsect = MAX(wsect, strlen(l->row->section));
		wtitle = MAX(wtitle, (size_t)g_utf8_strlen(l->title, -1));
		for (j = 0; j < nv; j++) {
			char *a = cell_value(&l->st[j], l->row->unit);
			char *b = j > 0 ? cell_change(&l->st[0], &l->st[j],
			    l->row->unit) : g_strdup("");

			wval[j] = MAX(wval[j], (size_t)g_utf8_strlen(a, -1));
			wchg[j] = MAX(wchg[j], (size_t)g_utf8_strlen(b, -1));
			g_free(a);
			g_free(b);
		}
	}
	for (j = 0; j < nv; j++) {
		struct variant *v = g_ptr_array_index(variants, j);

		wval[j] = MAX(wval[j], (size_t)g_utf8_strlen(v->name, -1));
	}
	if (fmt == CMP_HTML) {
		fputs("<table class=\"cmp\">\n<thead><tr><th></th><th></th>", out);
		for (j = 0; j < nv; j++) {
			struct variant *v = g_ptr_array_index(variants, j);
			char *e = g_markup_escape_text(v->name, -1);
			char **parts = g_strsplit(e, ",", -1);
			char *name = g_strjoinv(",<wbr>", parts);

			/* a sweep's label breaks between its settings */
			fprintf(out, "<th colspan=\"%d\">%s", j > 0 ? 2 : 1, name);
			g_free(name);
			g_strfreev(parts);
			g_free(e);
			if (v->runs->len > 1)
				fprintf(out, " <small>(%u seeds)</small>", v->runs->len);
			fputs("</th>", out);
		}
		fputs("</tr></thead>\n<tbody>\n", out);
	} else {
		fprintf(out, "%-*s", (int)(wsect + 1 + wtitle), "");
		for (j = 0; j < nv; j++) {
			struct variant *v = g_ptr_array_index(variants, j);

			fprintf(out, "  %*s", (int)wval[j], v->name);
			if (j > 0 && j + 1 < nv)
				fprintf(out, " %-*s", (int)wchg[j], "");
		}
		fputc('\n', out);
	}
	for (i = 0; i < lines->len; i++) {
		struct cline *l = g_ptr_array_index(lines, i);
		const char *section = l->row->section;
		bool first = i == 0 || strcmp(section, ((struct cline *)
		    g_ptr_array_index(lines, i - 1))->row->section) != 0;
		bool any = false;

		for (j = 0; j < nv; j++)
			any |= l->st[j].n > 0;
		if (!any)
			continue;
		if (fmt == CMP_HTML) {
			fprintf(out, "<tr%s><th>%s</th><td class=\"m\">",
			    first ? " class=\"first\"" : "", first ? section : "");
			html_escape(out, l->title);
			fprintf(out, "</td>");
		} else
			fprintf(out, "%-*s %s%*s", (int)wsect, first ? section : "",
			    l->title, (int)(wtitle -
			    (size_t)g_utf8_strlen(l->title, -1)), "");
		for (j = 0; j < nv; j++) {
			char *a = cell_value(&l->st[j], l->row->unit);
			char *b = j > 0 ? cell_change(&l->st[0], &l->st[j],
			    l->row->unit) : g_strdup("");

			if (fmt == CMP_HTML) {
				fputs("<td class=\"v\">", out);
				html_escape(out, a);
				fputs("</td>", out);
				if (j > 0) {
					fprintf(out, "<td class=\"c%s\">",
					    g_str_has_suffix(b, "~") ? " noise" : "");
					html_escape(out, b);
					fputs("</td>", out);
				}
			} else {
				fprintf(out, "  %*s%s", (int)(wval[j] -
				    (size_t)g_utf8_strlen(a, -1)), "", a);
				if (j > 0)
					fprintf(out, " %s%*s", b, j + 1 < nv ?
					    (int)(wchg[j] -
					    (size_t)g_utf8_strlen(b, -1)) : 0, "");
			}
			g_free(a);
			g_free(b);
		}
		fputs(fmt == CMP_HTML ? "</tr>\n" : "\n", out);
	}
	if (fmt == CMP_HTML)
		fputs("</tbody></table>\n", out);
	if (maxruns > 1) {
		const char *note = "figures are means over the seeds ± the "
		    "half-width of their 95 % confidence interval; ~ marks a "
		    "change inside the noise (Welch's 95 % interval for the "
		    "difference contains 0)";

		if (fmt == CMP_HTML)
			fprintf(out, "<p class=\"note\">%s.</p>\n", note);
		else
			fprintf(out, "(%s)\n", note);
	}
	g_free(wval);
	g_free(wchg);
done:
	for (i = 0; i < lines->len; i++) {
		struct cline *l = g_ptr_array_index(lines, i);

		g_free(l->metric);
		g_free(l->title);
		g_free(l->st);
		g_free(l);
	}
	g_ptr_array_free(lines, TRUE);
	g_ptr_array_free(calls, TRUE);
	g_hash_table_destroy(sums);
	g_free(x);
	return true;
}
