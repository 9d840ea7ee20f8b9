/*
 * variants.h — a database's runs as variants: runs with the same label
 * and trace are seeds of one variant, replayed once per seed.  What
 * vfssim compare prints and vfssim report shows is drawn a variant at a
 * time.
 */
#ifndef VFSSIM_VARIANTS_H
#define VFSSIM_VARIANTS_H

#include <stdint.h>

#include <glib.h>
#include <sqlite3.h>

struct variant {
	char		*name;
	GArray		*runs;		/* int64_t run ids, one a seed */
};

/* The variants of db's complete runs (all, or those in runs): runs with
 * the same label and trace are seeds of one variant (an unlabelled run is
 * a variant of its own, "run N"), in the order of their first run. */
GPtrArray *variants_of(const char *db, const GArray *runs, GError **err);
void	variants_free(GPtrArray *variants);

#endif
