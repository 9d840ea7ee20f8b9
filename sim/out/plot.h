/*
 * plot.h — plots of runs, drawn by gnuplot from their database.
 *
 * Each kind reads one table and draws one run, or several overlaid (a
 * colour a run, its legend the run's label):
 *
 *   latency-cdf   latency_hist: the CDF of each call type of one run, or
 *                 of one call type (--call, default every call) of each run
 *   latency-time  syscalls: mean and 99th percentile latency in slices of
 *                 the run's time
 *   buffers       samples: dirty and free buffers (hidirtybuffers marked)
 *                 and the disk queue over time
 *   risk          samples: data at risk and the age of the oldest over time
 *   disk-head     disk_io: the cylinder of each request over time: the seek
 *                 pattern
 *   time-split    time_split: where each call type's time went, stacked bars
 *   hit-ratio     summary and mrc: hit ratios against the cache size, over
 *                 runs of different sizes and vfssim mrc's curve
 *   sweep         summary: a metric against a swept setting, a line for each
 *                 value of the other settings that vary, with 95 % intervals
 *                 over seeds
 *
 * The output is PNG or SVG by its extension.
 */
#ifndef VFSSIM_PLOT_H
#define VFSSIM_PLOT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define PLOT_ERROR plot_error_quark()
GQuark	plot_error_quark(void);
enum { PLOT_ERROR_INPUT, PLOT_ERROR_GNUPLOT };

struct plot_kind {
	const char	*name;
	const char	*what;
	bool		 all_runs;	/* by default every complete run, not
					   the newest */
};
extern const struct plot_kind plot_kinds[];	/* NULL-terminated */

struct plot_req {
	const char	*db;
	const char	*kind;		/* a plot_kinds name */
	const GArray	*runs;		/* int64_t ids; NULL or empty: default */
	const char	*out;		/* FILE.png or FILE.svg */
	const char	*call;		/* latency-cdf, latency-time: one call */
	const char	*param;		/* sweep: the setting on the x axis */
	const char	*metric;	/* sweep: the summary metric on y */
	int		 width, height;	/* pixels; 0: 1000 x 650 */
	bool		 script_only;	/* read the runs and write the script
					   and data, but run no gnuplot (the
					   fuzzing harness) */
};

/* Draw; PLOT_ERROR_INPUT when the runs lack what the kind draws (a run
 * recorded with --no-events has no syscalls or disk_io rows). */
bool	plot_make(const struct plot_req *rq, GError **err);

#endif
