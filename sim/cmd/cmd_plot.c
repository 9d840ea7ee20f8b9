/*
 * cmd_plot.c — runs read back from a database and drawn: vfssim plot (one
 * kind of plot, with gnuplot) and vfssim report (everything, as one HTML
 * page).
 *
 *	vfssim plot DB [--kind K] [--runs IDS] -o FILE
 *	vfssim report DB [--runs IDS] -o FILE.html
 */
#include "cmd.h"
#include "htmlreport.h"
#include "metrics.h"
#include "plot.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

/* ---- plot ------------------------------------------------------------ */

/* "3", "3,5", "2-6" or a mix: run ids, in the order given. */
static bool
parse_runs(const char *spec, GArray *runs, GError **err)
{
	char **parts = g_strsplit(spec, ",", -1), **p;
	bool ok = true;

	for (p = parts; *p != NULL && ok; p++) {
		char *dash = strchr(*p, '-'), *end;
		gint64 lo, hi, i;

		lo = g_ascii_strtoll(*p, &end, 10);
		ok = end != *p && (dash != NULL ? end == dash : *end == '\0') &&
		    lo > 0;
		hi = lo;
		if (ok && dash != NULL) {
			hi = g_ascii_strtoll(dash + 1, &end, 10);
			ok = end != dash + 1 && *end == '\0' && hi >= lo &&
			    hi - lo < 100000;
		}
		for (i = lo; ok && i <= hi; i++) {
			int64_t id = i;

			g_array_append_val(runs, id);
		}
	}
	if (!ok)
		g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		    "--runs %s: expected run ids like 3 or 2,5 or 1-4", spec);
	g_strfreev(parts);
	return ok;
}

int
cmd_plot(int argc, char **argv)
{
	char *outpath = NULL, *kind = NULL, *runspec = NULL, *call = NULL;
	char *param = NULL, *metric = NULL;
	gint64 run = -1;
	gint ncalls = 0;
	GOptionEntry entries[] = {
		{ "kind", 'k', 0, G_OPTION_ARG_STRING, &kind,
		  "What to plot (default latency-cdf; see below)", "KIND" },
		{ "runs", 'r', 0, G_OPTION_ARG_STRING, &runspec,
		  "Runs to draw, overlaid: 3 or 2,5 or 1-4 (default: the newest "
		  "complete run; for hit-ratio and sweep every complete run)",
		  "IDS" },
		{ "run", 0, 0, G_OPTION_ARG_INT64, &run,
		  "One run to draw (as --runs N)", "N" },
		{ "call", 'c', 0, G_OPTION_ARG_STRING, &call,
		  "latency-cdf, latency-time: only this call type", "NAME" },
		{ "calls", 0, 0, G_OPTION_ARG_INT, &ncalls,
		  "latency-cdf of one run, time-split: only the N call types "
		  "whose calls took the most time (default: every one, those "
		  "first)", "N" },
		{ "param", 0, 0, G_OPTION_ARG_STRING, &param,
		  "sweep: the setting on the x axis (default: the one with the "
		  "most values)", "KEY" },
		{ "metric", 'm', 0, G_OPTION_ARG_STRING, &metric,
		  "sweep: the summary metric on the y axis (default "
		  "latency.all.mean_ns)", "METRIC" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Image to write: .png or .svg", "FILE" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("DB - plot runs with gnuplot");
	GString *desc = g_string_new("Kinds:\n");
	const struct plot_kind *pk;
	GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct plot_req rq;
	GError *err = NULL;
	int rc = 0;

	for (pk = plot_kinds; pk->name != NULL; pk++)
		g_string_append_printf(desc, "  %-13s %s\n", pk->name, pk->what);
	g_string_append(desc, "Several runs are overlaid, each named by its "
	    "label.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, desc->str);
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2 || outpath == NULL) {
		fprintf(stderr, "vfssim plot: usage: vfssim plot DB [--kind K] "
		    "[--runs IDS] -o FILE.png|FILE.svg\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (runspec != NULL && !parse_runs(runspec, runs, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (ncalls < 0) {
		fprintf(stderr, "vfssim plot: --calls must be positive\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (run > 0)
		g_array_append_val(runs, run);
	memset(&rq, 0, sizeof(rq));
	rq.db = argv[1];
	rq.kind = kind != NULL ? kind : "latency-cdf";
	rq.runs = runs;
	rq.out = outpath;
	rq.call = call;
	rq.max_calls = (unsigned)ncalls;
	rq.param = param;
	rq.metric = metric;
	if (!plot_make(&rq, &err)) {
		rc = cmd_fail(err, err != NULL && err->domain == PLOT_ERROR &&
		    err->code == PLOT_ERROR_INPUT ? EXIT_BADINPUT : 1);
		goto out;
	}
	printf("wrote %s\n", outpath);
out:
	g_option_context_free(ctx);
	g_string_free(desc, TRUE);
	g_array_free(runs, TRUE);
	g_free(outpath);
	g_free(kind);
	g_free(runspec);
	g_free(call);
	g_free(param);
	g_free(metric);
	return rc;
}

/* ---- report ---------------------------------------------------------- */

int
cmd_report(int argc, char **argv)
{
	char *outpath = NULL, *runspec = NULL;
	GOptionEntry entries[] = {
		{ "runs", 'r', 0, G_OPTION_ARG_STRING, &runspec,
		  "Runs to report: 3 or 2,5 or 1-4 (default: every complete run)",
		  "IDS" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Page to write (.html)", "FILE" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("DB - write the runs of a "
	    "database as one self-contained HTML page");
	GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GError *err = NULL;
	guint nplots = 0;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "The page holds the runs and the settings they differ in, the\n"
	    "comparison table of vfssim compare (runs with the same label are\n"
	    "seeds of one variant), every plot the runs have data for, inlined\n"
	    "as SVG, and each variant's profile: nothing outside the file.");
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2 || outpath == NULL) {
		fprintf(stderr, "vfssim report: usage: vfssim report DB [--runs IDS] "
		    "-o FILE.html\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (runspec != NULL && !parse_runs(runspec, runs, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (!html_report(argv[1], runs->len > 0 ? runs : NULL, outpath, &nplots,
	    &err)) {
		rc = cmd_fail(err, err != NULL && (err->domain == METRICS_ERROR ||
		    (err->domain == PLOT_ERROR && err->code == PLOT_ERROR_INPUT)) ?
		    EXIT_BADINPUT : 1);
		goto out;
	}
	printf("wrote %s (%u plots)\n", outpath, nplots);
out:
	g_option_context_free(ctx);
	g_array_free(runs, TRUE);
	g_free(outpath);
	g_free(runspec);
	return rc;
}
