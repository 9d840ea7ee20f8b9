/*
 * fsage.h — making the starting file system look used (ffs.age).
 *
 * A file system that has been in use for a while is not the fresh one
 * newfs made: files were made and deleted, and the free space they left is
 * scattered in holes of every size, so that a new file's blocks are no
 * longer in a row.  Smith and Seltzer (1997) aged a file system by
 * replaying a year of snapshots' creates and deletes through it; here, as
 * they suggest for a synthetic workload, filler files of realistic sizes
 * are made and deleted through the file system's own allocator until a
 * share of it is in use — offline: no I/O, no simulated time.
 *
 * The caller (the replay's set-up) interleaves the trace's own files with
 * the rounds, so that they too are laid out among the holes, as files of
 * different ages are:
 *
 *	a = fsage_new(k, age, seed, names);
 *	for each of FSAGE_ROUNDS + 1 batches of the trace's files:
 *		make the batch;
 *		fsage_fill(a, fragments the later batches need);
 *		fsage_churn(a) (but after the last);
 *	fsage_trim(a);
 *	fsage_finish(a, &origin);
 */
#ifndef VFSSIM_FSAGE_H
#define VFSSIM_FSAGE_H

#include <signal.h>
#include <stdint.h>

#include <glib.h>

struct kern;
struct ffs_origin;
struct fsage;

#define FSAGE_ROUNDS	4	/* churns: each deletes about half the filler */

/* Age k's file system to age (0..1) of the space ordinary writers may
 * use, the choices drawn from seed.  taken: names the trace uses at the
 * top of the tree (string set), which the filler's directories avoid. */
struct fsage *fsage_new(struct kern *k, double age, uint64_t seed,
	    GHashTable *taken);
/* From now on fill, churn and trim stop early once *stop is set (Ctrl-C):
 * aging 8 GB takes about 40 s.  The file system is then left consistent
 * but not aged as asked; the caller gives it up. */
void	fsage_set_stop(struct fsage *a, volatile sig_atomic_t *stop);
/* Make filler files until the space in use, with reserve fragments more,
 * reaches a quarter of the way from the target to full (or nothing more
 * fits). */
void	fsage_fill(struct fsage *a, int64_t reserve);
/* Delete each filler file with probability 1/2. */
void	fsage_churn(struct fsage *a);
/* Delete filler files at random until the space in use is down to the
 * target (or none is left). */
void	fsage_trim(struct fsage *a);
/* What aging did, into o; a is freed. */
void	fsage_finish(struct fsage *a, struct ffs_origin *o);

#endif
