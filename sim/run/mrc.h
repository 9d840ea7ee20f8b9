/*
 * mrc.h — the buffer cache's miss-ratio curve in one pass: LRU's miss
 * ratio at every cache size at once, from a run's block references.
 *
 * Mattson et al. (1970): LRU is a stack algorithm — a cache of C blocks
 * holds the C most recently used — so a reference hits in every cache at
 * least as large as its stack distance (1 + the distinct blocks used since
 * the block's last use) and misses in every smaller one; first references
 * miss everywhere.  One histogram of stack distances gives the misses of
 * every size.  Distances are counted with a Fenwick tree over reference
 * times, each block marked at its last use: O(log n) a reference.
 *
 * Very long streams are sampled spatially (SHARDS, Waldspurger et al.,
 * FAST 2015): a block is followed iff a hash of its identity falls below
 * rate * 2^24, so a sampled block keeps all its references; distances
 * measured among the sampled blocks are scaled by 1/rate, and the
 * difference between rate * references and the references followed is
 * counted as hits at the smallest distance (SHARDS_adj: the bias of a few
 * very popular blocks).  Memory and time shrink by the rate; a sampled
 * curve resolves sizes from about 16/rate blocks up, to a couple of
 * hundredths.
 */
#ifndef VFSSIM_MRC_H
#define VFSSIM_MRC_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "bufpolicy.h"

struct mrc;

/* rate in (0, 1]: the share of blocks followed (1: every one, exact). */
struct mrc *mrc_new(double rate);
void	mrc_free(struct mrc *m);

/* The next references, in order. */
void	mrc_add(struct mrc *m, const struct bp_key *refs, size_t n);

uint64_t mrc_refs(const struct mrc *m);		/* references seen */
uint64_t mrc_sampled(const struct mrc *m);	/* of them followed */
uint64_t mrc_blocks(const struct mrc *m);	/* distinct blocks followed */
double	mrc_rate(const struct mrc *m);

/* LRU's miss ratio with a cache of `buffers` blocks (0: every reference
 * misses).  With rate 1, exactly misses / references; sampled, an
 * estimate, for sizes of about 16/rate blocks and more. */
double	mrc_miss_ratio(struct mrc *m, int64_t buffers);

/* Sizes at which to draw the curve: every size up to 64, then steps of
 * about 1 % up to where the curve is flat (the largest distance), and
 * the sizes in extra (NULL-free array, may be NULL). */
GArray	*mrc_sizes(const struct mrc *m, const int64_t *extra, guint nextra);

#endif
