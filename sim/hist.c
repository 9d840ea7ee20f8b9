/* hist.c — log-linear latency histograms (see hist.h). */
#include "hist.h"

#include <string.h>

void
hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

static int
bucket_of(int64_t v)
{
	int e;

	if (v < 2 * HIST_SUB)
		return (int)(v < 0 ? 0 : v);
	e = 63 - __builtin_clzll((unsigned long long)v);	/* >= 7 */
	/* the top HIST_SUB_BITS bits below the leading one */
	return (e - HIST_SUB_BITS + 1) * HIST_SUB +
	    (int)((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

void
hist_bucket(int i, int64_t *lo, int64_t *hi)
{
	int e, sub;

	if (i < 2 * HIST_SUB) {
		*lo = i;
		*hi = i + 1;
		return;
	}
	e = i / HIST_SUB + HIST_SUB_BITS - 1;
	sub = i % HIST_SUB;
	*lo = ((int64_t)HIST_SUB + sub) << (e - HIST_SUB_BITS);
	/* the top bucket ends at the largest int64 */
	*hi = *lo > INT64_MAX - ((int64_t)1 << (e - HIST_SUB_BITS)) ? INT64_MAX :
	    *lo + ((int64_t)1 << (e - HIST_SUB_BITS));
}

void
hist_add(struct hist *h, int64_t v)
{
	if (v < 0)
		v = 0;
	if (h->n == 0 || v < h->min)
		h->min = v;
	if (h->n == 0 || v > h->max)
		h->max = v;
	h->n++;
	h->sum += (double)v;
	h->counts[bucket_of(v)]++;
}

double
hist_mean(const struct hist *h)
{
	return h->n > 0 ? h->sum / (double)h->n : 0;
}

int64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	int i;

	if (h->n == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)(q * (double)h->n);
	if (rank >= h->n)
		rank = h->n - 1;
	for (i = 0; i < HIST_NBUCKETS; i++) {
		seen += h->counts[i];
		if (seen > rank) {
			int64_t lo, hi, mid;

			hist_bucket(i, &lo, &hi);
			mid = lo + (hi - lo - 1) / 2;
			/* never outside what was seen */
			if (mid < h->min)
				mid = h->min;
			if (mid > h->max)
				mid = h->max;
			return mid;
		}
	}
	return h->max;
}
