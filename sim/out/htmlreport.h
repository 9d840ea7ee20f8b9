/*
 * htmlreport.h — vfssim report: the runs of a database as one
 * self-contained HTML page (tables, and the plots inlined as SVG) that a
 * user can mail to a colleague.
 */
#ifndef VFSSIM_HTMLREPORT_H
#define VFSSIM_HTMLREPORT_H

#include <stdbool.h>

#include <glib.h>

/* Write the report of db's complete runs (all, or those in runs) to out.
 * The page is written to a temporary name and renamed: a failure leaves
 * no half-written page. *nplots (if not NULL) gets the plots drawn. */
bool	html_report(const char *db, const GArray *runs, const char *out,
	    guint *nplots, GError **err);
/* The same; with draw false every plot's data and script are made from
 * the database but gnuplot is not run (the fuzzing harness's way in). */
bool	html_report_draw(const char *db, const GArray *runs, const char *out,
	    bool draw, guint *nplots, GError **err);

#endif
