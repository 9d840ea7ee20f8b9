/*
 * plot_private.h — what the plot kinds share (plot.c): the context of one
 * plot, the runs on it, and the helpers that write the gnuplot script.
 * Every string that goes into the script goes through plot_gp_quote, and
 * every string into a data file through plot_data_str.
 */
#ifndef VFSSIM_PLOT_PRIVATE_H
#define VFSSIM_PLOT_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>
#include <sqlite3.h>

#include "plot.h"

#define MAXSERIES	8	/* call types in one run's plots */
#define TIMEBINS	100	/* latency-time: slices of the run */
#define MAXPOINTS	40000	/* disk-head: requests drawn per run */

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

/* Text made fit for gnuplot: valid UTF-8, no control characters. */
char	*plot_gp_text(const char *s);
/* plot_gp_text(s) as a gnuplot string expression of single-quoted
 * pieces (newly allocated): nothing in it is ever read as code. */
char	*plot_gp_quote(const char *s);
/* A double-quoted string field of a data file. */
void	plot_data_str(FILE *f, const char *s);
/* Append a quoted string to the script. */
void	plot_gpq(struct pctx *c, const char *s);
/* A PLOT_ERROR_INPUT error: the runs lack what the kind draws. */
void	plot_input_error(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* A new data file in the scratch directory: its path (kept by the
 * context) and the stream. */
FILE	*plot_data_file(struct pctx *c, char **path, GError **err);
const struct prun *plot_run_at(struct pctx *c, guint i);
/* A summary value of a run, or NAN. */
double	plot_summary(struct pctx *c, int64_t run, const char *metric);
/* "run 3" or "3 runs" for titles. */
char	*plot_runs_title(struct pctx *c);
/* The title line, the key's place, and the common look. */
void	plot_preamble(struct pctx *c, const char *title);
/* A series' plot clause: file, columns, title, then its style. */
void	plot_series(struct pctx *c, bool first, const char *file,
	    const char *using, const char *title, const char *style, ...)
	    G_GNUC_PRINTF(6, 7);

/* The kinds (plot_latency.c, plot_samples.c, plot_timesplit.c,
 * plot_sweep.c). */
bool	plot_latency_cdf(struct pctx *c, GError **err);
bool	plot_latency_time(struct pctx *c, GError **err);
bool	plot_buffers(struct pctx *c, GError **err);
bool	plot_risk(struct pctx *c, GError **err);
bool	plot_disk_head(struct pctx *c, GError **err);
bool	plot_time_split(struct pctx *c, GError **err);
bool	plot_hit_ratio(struct pctx *c, GError **err);
bool	plot_sweep(struct pctx *c, GError **err);

#endif
