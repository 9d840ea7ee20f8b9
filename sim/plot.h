/*
 * plot.h — plots of a run, drawn by gnuplot from its database.
 */
#ifndef VFSSIM_PLOT_H
#define VFSSIM_PLOT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define PLOT_ERROR plot_error_quark()
GQuark	plot_error_quark(void);
enum { PLOT_ERROR_INPUT, PLOT_ERROR_GNUPLOT };

/* The latency CDF of each call type of a run (log x axis), from its
 * latency_hist rows, as PNG or SVG by the output's extension. */
bool	plot_latency_cdf(const char *db, int64_t run, const char *out, GError **err);

#endif
