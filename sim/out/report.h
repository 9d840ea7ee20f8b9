/*
 * report.h — what a run's results look like to a person: the summary table
 * printed after a replay, read back from the database so that what is
 * printed is exactly what was stored.
 */
#ifndef VFSSIM_REPORT_H
#define VFSSIM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

bool	report_summary(const char *db, int64_t run, FILE *out, GError **err);
/* The run's crash instants (crash.at): a line each, and fsck's repairs
 * (crashreport.c). */
bool	report_crash(const char *db, int64_t run, FILE *out, GError **err);
/* The newest complete run in db, or -1. */
int64_t	report_latest_run(const char *db, GError **err);

#endif
