/*
 * hist.h — latency histograms in bounded memory.
 *
 * Log-linear buckets: values below 128 ns are counted exactly; above, each
 * power of two is split into 64 buckets, so a percentile read back is within
 * 1/128 (0.8 %) of the true value however many samples went in.
 */
#ifndef VFSSIM_HIST_H
#define VFSSIM_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS	6
#define HIST_SUB	(1 << HIST_SUB_BITS)
/* exact buckets below 2*HIST_SUB, then HIST_SUB per power of two up to 2^63 */
#define HIST_NBUCKETS	((64 - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t	 n;
	int64_t		 min, max;
	double		 sum;
	uint64_t	 counts[HIST_NBUCKETS];
};

void	hist_init(struct hist *h);
void	hist_add(struct hist *h, int64_t v);
/* The value at quantile q (0..1); 0 if empty. */
int64_t	hist_quantile(const struct hist *h, double q);
double	hist_mean(const struct hist *h);
/* Bucket bounds [lo, hi) of bucket i. */
void	hist_bucket(int i, int64_t *lo, int64_t *hi);

#endif
