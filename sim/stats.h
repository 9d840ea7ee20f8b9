/*
 * stats.h — numbers for people, below everything that prints or plots a
 * figure: the compare and sweep tables, the summary, plots and the report.
 */
#ifndef VFSSIM_STATS_H
#define VFSSIM_STATS_H

#include <stddef.h>

#include <glib.h>

/* Student's t for a two-sided 95 % interval with df degrees of freedom
 * (df rounded down: the interval errs wide); infinite below 1. */
double	stats_t95(double df);

/* "12.3 ms", "4.0 KB": a time in ns or a size in bytes for people. */
void	human_time(char *buf, size_t n, double ns);
void	human_bytes(char *buf, size_t n, double b);

#endif
