/*
 * htmlreport.c — the report page (see htmlreport.h).
 *
 * Everything the page shows comes from the database: the runs table and
 * their profiles, the comparison table (compare.c, the same figures
 * vfssim compare prints) and the plots (plot.c, drawn as SVG and inlined).
 * gnuplot names the elements of every SVG alike ("gnuplot_canvas",
 * "gpPt0", ...); in one page ids must be unique, so each plot's ids and
 * the references to them get a prefix of their own.  The page needs
 * nothing from outside it: no script, no stylesheet, no image file.
 */
#include "htmlreport.h"
#include "stats.h"
#include "compare.h"
#include "dbopen.h"
#include "metrics.h"
#include "plot.h"
#include "profile.h"
#include "report.h"
#include "variants.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#define MAXOVERLAY	6	/* runs drawn over each other in one plot */

static const char style[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;"
	"max-width:1100px;color:#222;line-height:1.4}"
	"h1{font-size:1.6em;margin-bottom:0}h2{margin-top:2em;border-bottom:1px "
	"solid #ccc}p.meta{color:#666;margin-top:.2em}"
	"table{border-collapse:collapse;font-size:.9em;margin:.5em 0}"
	"th,td{padding:.15em .6em;text-align:left;vertical-align:top}"
	"table.runs td,table.runs th{border-bottom:1px solid #eee}"
	"table.cmp th{text-align:right}"
	"table.cmp td.v,table.cmp td.c{text-align:right;white-space:nowrap}"
	"table.cmp td.m{white-space:nowrap}"
	"table.cmp td.c{color:#555;font-size:.9em}table.cmp td.noise{color:#aaa}"
	"table.cmp tr.first th,table.cmp tr.first td{border-top:1px solid #ccc}"
	"figure{margin:1.5em 0}figure svg{width:100%;height:auto;"
	"max-width:1000px;display:block}figcaption{color:#555;font-size:.9em}"
	"pre{background:#f6f6f6;padding:.5em;font-size:.8em;overflow:auto}"
	"p.note{color:#666;font-size:.85em}code{font-size:.95em}"
	/* every table in a box of its own that scrolls sideways: a
	 * comparison of many variants scrolls, the page does not */
	"div.wide{max-width:100%;overflow-x:auto}"
	"nav.toc{font-size:.9em;margin:1em 0}nav.toc ul{margin:.2em 0}"
	/* on paper: nothing scrolls, tables shrink to the page, a figure
	 * or a row is not split between pages */
	"@media print{body{max-width:none;margin:0;font-size:9pt}"
	"nav.toc{display:none}div.wide{overflow:visible}"
	"table{font-size:7pt}table.cmp td.v,table.cmp td.c{white-space:normal}"
	"tr,figure{break-inside:avoid}h2{break-after:avoid}"
	"figure svg{max-width:100%}}";

/* Text from the database into the page: made valid UTF-8 (a label may
 * hold any bytes), then escaped. */
static void
esc(GString *out, const char *s)
{
	char *v = g_utf8_make_valid(s != NULL ? s : "", -1);
	char *e = g_markup_escape_text(v, -1);

	g_string_append(out, e);
	g_free(e);
	g_free(v);
}

/* An SVG from gnuplot, made fit to sit in a page: no XML prolog, and its
 * ids (and the references to them) prefixed. */
static char *
inline_svg(const char *text, const char *prefix)
{
	const char *start = strstr(text, "<svg");
	GString *out = g_string_new("");
	static const char *const pats[] = {
		"id=\"", "id='", "href=\"#", "href='#", "url(#",
	};
	const char *p;

	if (start == NULL)
		return g_string_free(out, FALSE);
	for (p = start; *p != '\0';) {
		unsigned i;
		bool hit = false;

		for (i = 0; i < G_N_ELEMENTS(pats); i++) {
			size_t n = strlen(pats[i]);

			/* only whole attribute names: "id=" after a blank */
			if (strncmp(p, pats[i], n) == 0 && (i > 1 || p == start ||
			    p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n')) {
				g_string_append_len(out, p, (gssize)n);
				g_string_append(out, prefix);
				p += n;
				hit = true;
				break;
			}
		}
		if (!hit)
			g_string_append_c(out, *p++);
	}
	return g_string_free(out, FALSE);
}

struct rrun {
	int64_t		 id;
	char		*label, *trace, *sources, *profile, *started;
	int64_t		 seed;
};

static void
rrun_clear(struct rrun *r)
{
	g_free(r->label);
	g_free(r->trace);
	g_free(r->sources);
	g_free(r->profile);
	g_free(r->started);
}

/* The settings of a profile that differ from the first run's, as
 * "key = value" lines. */
static char *
differences(const char *base, const char *profile)
{
	GKeyFile *a = g_key_file_new(), *b = g_key_file_new();
	GString *d = g_string_new("");
	const struct pkey *k;

	(void)g_key_file_load_from_data(a, base, -1, G_KEY_FILE_NONE, NULL);
	(void)g_key_file_load_from_data(b, profile, -1, G_KEY_FILE_NONE, NULL);
	for (k = profile_keys; k->group != NULL; k++) {
		char *va = g_key_file_get_value(a, k->group, k->key, NULL);
		char *vb = g_key_file_get_value(b, k->group, k->key, NULL);

		if (g_strcmp0(va, vb) != 0 && !(strcmp(k->group, "replay") == 0 &&
		    strcmp(k->key, "seed") == 0))
			g_string_append_printf(d, "%s%s.%s = %s", d->len ? "\n" : "",
			    k->group, k->key, vb != NULL ? vb : "");
		g_free(va);
		g_free(vb);
	}
	g_key_file_free(a);
	g_key_file_free(b);
	return g_string_free(d, FALSE);
}

static double
metric_of(sqlite3 *h, int64_t run, const char *metric)
{
	sqlite3_stmt *s;
	double v = 0;

	sqlite3_prepare_v2(h, "SELECT value FROM summary WHERE run = ? AND "
	    "metric = ?", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The compare table, as HTML, into the page. */
static bool
cmp_table(GString *page, const char *db, GPtrArray *variants, GError **err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok;

	if (f == NULL) {
		g_set_error(err, METRICS_ERROR, 0, "open_memstream: %s",
		    g_strerror(errno));
		return false;
	}
	ok = compare_print(db, variants, CMP_HTML, 0, f, err);
	fclose(f);
	if (ok)
		g_string_append_len(page, buf, (gssize)len);
	free(buf);
	return ok;
}

static const struct {
	const char	*kind;
	const char	*caption;
	bool		 all;		/* every run, not one a variant */
	unsigned	 max;		/* runs at most when overlaid */
} report_plots[] = {
	{ "latency-cdf", "Latency: the fraction of calls at or below each "
	  "latency (log scale).", false, MAXOVERLAY },
	{ "time-split", "Where the time went: each call type's mean latency "
	  "split into CPU, each kernel wait, and the disk's queue, controller, "
	  "bus, the drive's waits, seek, rotation and transfer (disk waits "
	  "split as the run's requests' time splits on average).", false, 4 },
	{ "latency-time", "Latency over the run: mean and 99th percentile in "
	  "100 slices of simulated time.", false, 4 },
	{ "buffers", "Dirty and free buffers, with hidirtybuffers (where "
	  "bwillwrite stalls writers), and below, the disk queue, sampled over "
	  "the run.", false, MAXOVERLAY },
	{ "risk", "Data at risk: bytes processes wrote that are not yet on "
	  "disk, and how old the oldest is: what a crash would lose.", false,
	  MAXOVERLAY },
	{ "disk-head", "Where the disk's heads went: the cylinder of each "
	  "request.", false, 4 },
	{ "hit-ratio", "Hit ratio against the buffer cache's size.", true, 0 },
	{ "sweep", "The mean latency of every call against the setting that "
	  "was swept.", true, 0 },
};

bool
html_report(const char *db, const GArray *runs, const char *out,
    guint *nplots, GError **err)
{
	return html_report_draw(db, runs, out, true, nplots, err);
}

bool
html_report_draw(const char *db, const GArray *runs, const char *out,
    bool draw, guint *nplots, GError **err)
{
	GPtrArray *variants = NULL;
	GArray *rr = g_array_new(FALSE, TRUE, sizeof(struct rrun));
	GArray *first = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *all = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GString *page = g_string_new(""), *skipped = g_string_new("");
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	char *dir = NULL, *tmp = NULL, *dbname = g_path_get_basename(db);
	GDateTime *now = g_date_time_new_now_utc();
	char *when = g_date_time_format(now, "%Y-%m-%d %H:%M UTC");
	bool ok = false;
	gsize tocpos = 0;
	GString *toc = g_string_new("");
	guint i, j, drawn = 0;

	g_date_time_unref(now);
	if (nplots != NULL)
		*nplots = 0;
	if (!g_str_has_suffix(out, ".html") && !g_str_has_suffix(out, ".htm")) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_INPUT,
		    "%s: the report must end in .html", out);
		goto out;
	}
	variants = variants_of(db, runs, err);
	if (variants == NULL)
		goto out;
	if ((h = db_open_readonly(db, err)) == NULL)
		goto out;
	sqlite3_prepare_v2(h, "SELECT label, trace, profile_sources, profile, "
	    "started, seed FROM runs WHERE id = ?", -1, &s, NULL);
	for (i = 0; i < variants->len; i++) {
		struct variant *v = g_ptr_array_index(variants, i);

		g_array_append_val(first, g_array_index(v->runs, int64_t, 0));
		for (j = 0; j < v->runs->len; j++) {
			struct rrun r;

			memset(&r, 0, sizeof(r));
			r.id = g_array_index(v->runs, int64_t, j);
			sqlite3_reset(s);
			sqlite3_bind_int64(s, 1, r.id);
			if (sqlite3_step(s) == SQLITE_ROW) {
				r.label = g_strdup((const char *)sqlite3_column_text(s, 0));
				r.trace = g_strdup((const char *)sqlite3_column_text(s, 1));
				r.sources = g_strdup((const char *)sqlite3_column_text(s, 2));
				r.profile = g_strdup((const char *)sqlite3_column_text(s, 3));
				r.started = g_strdup((const char *)sqlite3_column_text(s, 4));
				r.seed = sqlite3_column_int64(s, 5);
			}
			g_array_append_val(rr, r);
			g_array_append_val(all, r.id);
		}
	}
	sqlite3_finalize(s);

	/* ---- the page ---- */
	g_string_append(page, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<title>vfssim report: ");
	esc(page, dbname);
	g_string_append_printf(page, "</title>\n<style>%s</style>\n</head>\n"
	    "<body>\n<h1>vfssim report: ", style);
	esc(page, dbname);
	g_string_append_printf(page, "</h1>\n<p class=\"meta\">%u run%s, %u "
	    "variant%s; vfssim %s; written %s</p>\n", rr->len,
	    rr->len == 1 ? "" : "s", variants->len, variants->len == 1 ? "" : "s",
	    vfssim_version_full(), when);
	/* The table of contents goes here once the plots drawn are known. */
	tocpos = page->len;

	/* The runs. */
	g_string_append(page, "<h2 id=\"runs\">Runs</h2>\n<div class=\"wide\">"
	    "<table class=\"runs\">"
	    "<thead><tr><th>run</th><th>variant</th><th>seed</th><th>trace</th>"
	    "<th>profile</th><th>settings unlike run ");
	g_string_append_printf(page, "%lld", (long long)g_array_index(rr,
	    struct rrun, 0).id);
	g_string_append(page, "</th><th>calls</th><th>simulated</th></tr>"
	    "</thead>\n<tbody>\n");
	for (i = 0; i < rr->len; i++) {
		struct rrun *r = &g_array_index(rr, struct rrun, i);
		char *d = differences(g_array_index(rr, struct rrun, 0).profile,
		    r->profile);
		char t[32];

		human_time(t, sizeof(t), metric_of(h, r->id,
		    "time.simulated_ns"));
		g_string_append_printf(page, "<tr><td>%lld</td><td>",
		    (long long)r->id);
		esc(page, r->label != NULL ? r->label : "");
		g_string_append_printf(page, "</td><td>%lld</td><td><code>",
		    (long long)r->seed);
		esc(page, r->trace);
		g_string_append(page, "</code></td><td>");
		esc(page, r->sources);
		g_string_append(page, "</td><td><code>");
		{
			char *v = g_utf8_make_valid(d, -1);
			char *e = g_markup_escape_text(v, -1);
			char **lines = g_strsplit(e, "\n", -1);
			char *joined = g_strjoinv("<br>", lines);

			g_string_append(page, *d != '\0' ? joined : "—");
			g_free(joined);
			g_strfreev(lines);
			g_free(e);
			g_free(v);
		}
		g_string_append_printf(page, "</code></td><td>%.0f</td><td>%s</td>"
		    "</tr>\n", metric_of(h, r->id, "calls.total"), t);
		g_free(d);
	}
	g_string_append(page, "</tbody></table></div>\n");

	/* The comparison (or, for one variant, its figures). */
	g_string_append(page, variants->len > 1 ?
	    "<h2 id=\"comparison\">Comparison</h2>\n<p class=\"note\">Each "
	    "variant against the first; the figures are the runs' summary "
	    "rows.</p>\n" : "<h2 id=\"comparison\">Figures</h2>\n");
	g_string_append(page, "<div class=\"wide\">\n");
	if (!cmp_table(page, db, variants, err))
		goto out;
	g_string_append(page, "</div>\n");

	/* The plots, drawn as SVG and inlined. */
	g_string_append(page, "<h2 id=\"plots\">Plots</h2>\n");
	dir = g_dir_make_tmp("vfssim-report-XXXXXX", NULL);
	if (dir == NULL) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot make a temporary directory");
		goto out;
	}
	for (i = 0; i < G_N_ELEMENTS(report_plots); i++) {
		struct plot_req rq;
		guint nswept = 0;
		GArray *sel = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GError *perr = NULL;
		char *svg = g_strdup_printf("%s/%u.svg", dir, i), *text = NULL;

		/* A metric against a setting only for a sweep's runs (their
		 * labels are their settings): a comparison's variants differ
		 * in several settings at once. */
		if (strcmp(report_plots[i].kind, "sweep") == 0) {
			for (j = 0; j < variants->len; j++) {
				struct variant *v = g_ptr_array_index(variants, j);

				if (strchr(v->name, '=') == NULL)
					continue;
				g_array_append_vals(sel, v->runs->data, v->runs->len);
				nswept++;
			}
			if (nswept < 2) {
				g_free(svg);
				g_array_free(sel, TRUE);
				continue;
			}
		} else if (report_plots[i].all)
			g_array_append_vals(sel, all->data, all->len);
		else
			g_array_append_vals(sel, first->data, MIN(first->len,
			    report_plots[i].max));
		memset(&rq, 0, sizeof(rq));
		rq.db = db;
		rq.kind = report_plots[i].kind;
		rq.runs = sel;
		rq.out = svg;
		rq.script_only = !draw;
		if (plot_make(&rq, &perr) && !draw) {
			/* read and scripted, not drawn: nothing to inline */
		} else if (perr == NULL &&
		    g_file_get_contents(svg, &text, NULL, &perr)) {
			char *prefix = g_strdup_printf("p%u-", i);
			char *in = inline_svg(text, prefix);

			g_string_append_printf(page, "<figure id=\"plot-%s\" "
			    "class=\"plot\">\n", report_plots[i].kind);
			g_string_append_printf(toc, "<li><a href=\"#plot-%s\">%s"
			    "</a></li>", report_plots[i].kind,
			    report_plots[i].kind);
			g_string_append(page, in);
			g_string_append(page, "\n<figcaption>");
			esc(page, report_plots[i].caption);
			if (!report_plots[i].all && first->len >
			    report_plots[i].max) {
				/* say which were left out, by name */
				g_string_append_printf(page, " The first %u "
				    "variants; not drawn: ", report_plots[i].max);
				for (j = report_plots[i].max; j < variants->len;
				    j++) {
					struct variant *v = g_ptr_array_index(
					    variants, j);

					if (j > report_plots[i].max)
						g_string_append(page, ", ");
					esc(page, v->name);
				}
				g_string_append_c(page, '.');
			}
			g_string_append(page, "</figcaption>\n</figure>\n");
			g_free(prefix);
			g_free(in);
			drawn++;
		} else if (perr != NULL && perr->domain == PLOT_ERROR &&
		    perr->code == PLOT_ERROR_INPUT) {
			/* not in these runs: say why */
			g_string_append(skipped, "<li><b>");
			esc(skipped, report_plots[i].kind);
			g_string_append(skipped, "</b>: ");
			esc(skipped, perr->message);
			g_string_append(skipped, "</li>\n");
		} else {
			g_propagate_error(err, perr);
			perr = NULL;
			unlink(svg);
			g_free(svg);
			g_free(text);
			g_array_free(sel, TRUE);
			goto out;
		}
		if (perr != NULL)
			g_error_free(perr);
		unlink(svg);
		g_free(svg);
		g_free(text);
		g_array_free(sel, TRUE);
	}
	if (skipped->len > 0) {
		g_string_append(page, "<p class=\"note\">Not drawn:</p>\n<ul "
		    "class=\"note\">\n");
		g_string_append(page, skipped->str);
		g_string_append(page, "</ul>\n");
	}

	/* Each variant's effective profile. */
	g_string_append(page, "<h2 id=\"profiles\">Profiles</h2>\n");
	{
		GString *nav = g_string_new("<nav class=\"toc\"><b>Contents</b>"
		    "<ul><li><a href=\"#runs\">Runs</a></li>");

		g_string_append_printf(nav, "<li><a href=\"#comparison\">%s</a>"
		    "</li><li><a href=\"#plots\">Plots</a><ul>%s</ul></li>"
		    "<li><a href=\"#profiles\">Profiles</a></li></ul></nav>\n",
		    variants->len > 1 ? "Comparison" : "Figures", toc->str);
		g_string_insert(page, (gssize)tocpos, nav->str);
		g_string_free(nav, TRUE);
	}
	for (i = 0; i < variants->len; i++) {
		struct variant *v = g_ptr_array_index(variants, i);
		int64_t id = g_array_index(v->runs, int64_t, 0);

		for (j = 0; j < rr->len; j++) {
			struct rrun *r = &g_array_index(rr, struct rrun, j);

			if (r->id != id)
				continue;
			g_string_append(page, "<details><summary>");
			esc(page, v->name);
			g_string_append_printf(page, " (run %lld: ", (long long)id);
			esc(page, r->sources);
			g_string_append(page, ")</summary><pre>");
			esc(page, r->profile);
			g_string_append(page, "</pre></details>\n");
		}
	}
	g_string_append(page, "</body></html>\n");

	/* Written whole, then renamed into place. */
	tmp = g_strdup_printf("%s.partial", out);
	if (!g_file_set_contents(tmp, page->str, (gssize)page->len, err))
		goto out;
	if (rename(tmp, out) != 0) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", out, g_strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (nplots != NULL)
		*nplots = drawn;
	ok = true;
out:
	if (dir != NULL)
		rmdir(dir);
	sqlite3_close(h);
	variants_free(variants);
	for (i = 0; i < rr->len; i++)
		rrun_clear(&g_array_index(rr, struct rrun, i));
	g_array_free(rr, TRUE);
	g_array_free(first, TRUE);
	g_array_free(all, TRUE);
	g_string_free(page, TRUE);
	g_string_free(skipped, TRUE);
	g_string_free(toc, TRUE);
	g_free(dir);
	g_free(tmp);
	g_free(dbname);
	g_free(when);
	return ok;
}
