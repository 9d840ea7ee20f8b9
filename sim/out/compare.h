/*
 * compare.h — variants side by side: the table vfssim compare prints and
 * vfssim report puts in its page, read back from the database.
 *
 * A variant is one setting of the machine, replayed once per seed; its
 * figure for a metric is the mean over its runs of the metric's summary
 * value, with a 95 % confidence interval (Student's t) when there are
 * several.  Each figure is set against the first variant's: the relative
 * change, and — with several seeds on both sides — whether the difference
 * lies inside the noise (Welch's 95 % interval for the difference of the
 * means contains 0).
 */
#ifndef VFSSIM_COMPARE_H
#define VFSSIM_COMPARE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

enum cmp_format {
	CMP_TEXT,		/* aligned columns, for a terminal */
	CMP_TSV,		/* metric, variant, runs, mean, ci95, change_pct,
				   noise: full precision, for scripts */
	CMP_HTML,		/* a <table> */
};

/* The table of variants (struct variant, from variants_of in variants.h),
 * each against the first.  Every call type has its latency rows, the
 * ones whose calls took the most time in all first; max_calls > 0 keeps
 * only that many of them (besides "all"). */
bool	compare_print(const char *db, GPtrArray *variants, enum cmp_format fmt,
	    unsigned max_calls, FILE *out, GError **err);

#endif
