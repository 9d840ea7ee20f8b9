/*
 * merge.h — combining results databases: the runs of several databases
 * copied into one, as a cluster's jobs (one database each) come home.
 */
#ifndef VFSSIM_MERGE_H
#define VFSSIM_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define MERGE_ERROR merge_error_quark()
GQuark	merge_error_quark(void);
enum { MERGE_ERROR_INPUT, MERGE_ERROR_FAILED };

/*
 * Copy every complete run of each input into out (created if need be), in
 * the order the inputs are given and, within one, in run-id order: the
 * new runs' ids follow that order, so merging the same inputs into a new
 * database always gives the same one.  Each run keeps its rows, its runs
 * row (but the id) and the order of both.  Every input is checked to be a
 * vfssim database before anything is written (MERGE_ERROR_INPUT), and all
 * is copied in one transaction: out gains every run or none.  The new
 * ids are appended to ids (if not NULL); *skipped (if not NULL) counts
 * runs left out because they were not complete.
 *
 * A run that is one out has already, or one merged before it, again (the
 * same trace contents, settings, seed, label and vfssim: runs are
 * deterministic, so it would only pass for another seed) is refused,
 * MERGE_ERROR_INPUT and nothing merged -- or, if dups is not NULL, merged
 * all the same with a message saying so appended to dups.
 */
bool	db_merge(const char *out, char *const *in, guint nin, GArray *ids,
	    guint *skipped, GPtrArray *dups, GError **err);

/*
 * The same an input at a time (db_merge's steps): begin opens
 * out (created if need be) and holds one transaction on it until commit
 * or abort; abort takes back everything added, and removes out if begin
 * created it.  add checks its input, and refuses or says duplicates (dups),
 * as db_merge does.
 */
/*
 * Run `run` of db, complete, is a run of db with a lower id again (as
 * merge judges it, above): that run's id, or 0.  A sweep's or compare's
 * runs, written straight into its database (metrics_open_shared), are
 * judged so against the runs it held before.
 */
struct sqlite3;
int64_t	db_duplicate_of(struct sqlite3 *db, int64_t run);

struct db_merger;
struct db_merger *db_merge_begin(const char *out, GArray *ids,
	    GPtrArray *dups, GError **err);
bool	db_merge_add(struct db_merger *mg, const char *in, guint *skipped,
	    GError **err);
bool	db_merge_commit(struct db_merger *mg, GError **err);
void	db_merge_abort(struct db_merger *mg);

#endif
