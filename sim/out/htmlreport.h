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

#endif
