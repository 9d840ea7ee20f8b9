/* Unit tests of the one-pass miss-ratio curve: with every block followed
 * it gives, at every size, exactly the misses of LRU simulated at that
 * size (bufpolicy's LRU, itself checked against Mattson's definition in
 * test_bio) — across the Fenwick tree's renumbering, whatever the
 * chunking; a cyclic scan misses everywhere below its length and nowhere
 * above; sampled, it stays close to the exact curve while following the
 * share of the references it was asked to; and the comparison table's
 * Student's t. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "bufpolicy.h"
#include "stats.h"
#include "mrc.h"

/* A hot set, a sequential scan over a region, and noise over many blocks
 * of a few files. */
static struct bp_key *
make_refs(size_t n, unsigned seed, int spread)
{
	struct bp_key *refs = g_new(struct bp_key, n);
	GRand *rng = g_rand_new_with_seed(seed);
	size_t i;

	for (i = 0; i < n; i++) {
		int kind = g_rand_int_range(rng, 0, 10);

		refs[i].vid = 1 + (uint64_t)g_rand_int_range(rng, 0, 3);
		if (kind < 5)
			refs[i].lblkno = g_rand_int_range(rng, 0, 40);
		else if (kind < 8)
			refs[i].lblkno = 1000 + (int64_t)(i % 300);
		else
			refs[i].lblkno = g_rand_int_range(rng, 0, spread);
	}
	g_rand_free(rng);
	return refs;
}

static void
test_exact_equals_lru(void **state)
{
	static const int sizes[] = { 1, 2, 3, 5, 8, 13, 40, 41, 64, 100, 299,
	    300, 301, 500, 1000, 2500, 5000, 20000 };
	size_t n = 30000;
	struct bp_key *refs = make_refs(n, 11, 5000);
	struct mrc *m = mrc_new(1);
	unsigned i;

	(void)state;
	mrc_add(m, refs, n);
	assert_int_equal(mrc_refs(m), n);
	assert_int_equal(mrc_sampled(m), n);
	assert_true(mrc_miss_ratio(m, 0) == 1.0);
	for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
		uint64_t lru = bufpolicy_misses(bufpolicy_lookup("lru"), refs, n,
		    sizes[i]);
		double r = mrc_miss_ratio(m, sizes[i]);

		if (llround(r * (double)n) != (long long)lru)
			fail_msg("size %d: mrc %.6f (%.1f misses), LRU %llu misses",
			    sizes[i], r, r * (double)n, (unsigned long long)lru);
	}
	mrc_free(m);
	g_free(refs);
}

/* Long enough for the tree to be renumbered several times (it starts
 * with 65536 times); fed in odd chunks. */
static void
test_renumbering_and_chunks(void **state)
{
	size_t n = 400000, at;
	struct bp_key *refs = make_refs(n, 5, 30000);
	struct mrc *a = mrc_new(1), *b = mrc_new(1);
	static const int sizes[] = { 10, 50, 350, 3000, 10000, 40000 };
	unsigned i, chunk = 1;

	(void)state;
	mrc_add(a, refs, n);
	for (at = 0; at < n; at += chunk, chunk = chunk * 3 % 9973 + 1)
		mrc_add(b, refs + at, MIN(chunk, n - at));
	for (i = 0; i < G_N_ELEMENTS(sizes); i++) {
		uint64_t lru = bufpolicy_misses(bufpolicy_lookup("lru"), refs, n,
		    sizes[i]);

		assert_int_equal(llround(mrc_miss_ratio(a, sizes[i]) * (double)n),
		    lru);
		assert_true(mrc_miss_ratio(a, sizes[i]) ==
		    mrc_miss_ratio(b, sizes[i]));
	}
	mrc_free(a);
	mrc_free(b);
	g_free(refs);
}

/* A loop over L blocks: LRU misses every time in a cache smaller than L
 * (the block needed is always the one just evicted) and only the first
 * pass at L or more. */
static void
test_cyclic_scan(void **state)
{
	enum { L = 500, PASSES = 10 };
	struct bp_key *refs = g_new(struct bp_key, L * PASSES);
	struct mrc *m = mrc_new(1);
	int i;

	(void)state;
	for (i = 0; i < L * PASSES; i++) {
		refs[i].vid = 7;
		refs[i].lblkno = i % L;
	}
	mrc_add(m, refs, L * PASSES);
	assert_true(mrc_miss_ratio(m, L - 1) == 1.0);
	assert_true(fabs(mrc_miss_ratio(m, L) - 1.0 / PASSES) < 1e-12);
	assert_true(fabs(mrc_miss_ratio(m, 10 * L) - 1.0 / PASSES) < 1e-12);
	assert_int_equal(mrc_blocks(m), L);
	mrc_free(m);
	g_free(refs);
}

/* Spatial sampling: about rate of the references followed, and the curve
 * within a couple of hundredths of the exact one at the sizes it
 * resolves (16/rate blocks and more: the sampled cache holds 16 of the
 * blocks followed). */
static void
test_sampling(void **state)
{
	size_t n = 600000;
	struct bp_key *refs = g_new(struct bp_key, n);
	GRand *rng = g_rand_new_with_seed(3);
	struct mrc *exact = mrc_new(1);
	static const double rates[] = { 0.1, 0.02 };
	size_t i;
	unsigned k;

	(void)state;
	/* skewed: block k of 200,000 with probability ~ 1/k^0.9, scattered */
	for (i = 0; i < n; i++) {
		double u = g_rand_double(rng);
		int64_t b = (int64_t)floor(pow(200000.0, u));

		refs[i].vid = 1 + (uint64_t)(b % 5);
		refs[i].lblkno = b * 7919 % 1000003;
	}
	g_rand_free(rng);
	mrc_add(exact, refs, n);
	for (k = 0; k < G_N_ELEMENTS(rates); k++) {
		struct mrc *s = mrc_new(rates[k]);
		double worst = 0, share;
		int64_t c;

		mrc_add(s, refs, n);
		share = (double)mrc_sampled(s) / (double)n;
		assert_true(share > rates[k] * 0.6 && share < rates[k] * 1.4);
		assert_true(mrc_rate(s) == rates[k]);
		assert_true(mrc_blocks(s) < mrc_blocks(exact) * rates[k] * 1.5);
		for (c = (int64_t)ceil(16 / rates[k]); c <= 300000; c = c * 5 / 4 + 1)
			worst = MAX(worst, fabs(mrc_miss_ratio(s, c) -
			    mrc_miss_ratio(exact, c)));
		mrc_free(s);
		if (worst > 0.025)
			fail_msg("rate %.2f: %.4f from the exact curve", rates[k],
			    worst);
	}
	mrc_free(exact);
	g_free(refs);
}

static void
test_t95(void **state)
{
	(void)state;
	assert_true(fabs(stats_t95(1) - 12.706) < 1e-9);
	assert_true(fabs(stats_t95(2) - 4.303) < 1e-9);
	assert_true(fabs(stats_t95(9.7) - 2.262) < 1e-9);	/* rounded down */
	assert_true(fabs(stats_t95(30) - 2.042) < 1e-9);
	assert_true(stats_t95(1e6) == 1.96);
	assert_true(isinf(stats_t95(0.5)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_equals_lru),
		cmocka_unit_test(test_renumbering_and_chunks),
		cmocka_unit_test(test_cyclic_scan),
		cmocka_unit_test(test_sampling),
		cmocka_unit_test(test_t95),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
