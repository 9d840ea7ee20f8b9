/*
 * Unit tests of the offline cache (bufpolicy.c's bp_cache, what vfssim
 * cache and bio.opt_bound run): on a small trace worked out by hand, and
 * on random traces, every policy misses exactly as an independent, simple
 * implementation of its reference algorithm written here:
 *
 *   LRU    evict the block used longest ago;
 *   CLOCK  frames in a ring, one reference bit each, set by a hit, clear
 *          when a block comes in; on a miss with no free frame the hand
 *          clears set bits as it passes and the first clear frame is
 *          replaced (the new block takes its frame, the hand moves on);
 *   2Q     Johnson & Shasha (VLDB 1994), "full version": Kin = c/4,
 *          Kout = c/2; X in Am moves to Am's head; X in A1in stays; X in
 *          A1out: reclaimfor(X), X to Am's head; else reclaimfor(X), X to
 *          A1in's head.  reclaimfor: a free slot, else A1in's tail if
 *          |A1in| > Kin (its identifier to A1out's head, A1out's tail
 *          forgotten beyond Kout), else Am's tail.  X's identifier leaves
 *          A1out when X comes back;
 *   ARC    Megiddo & Modha (FAST 2003), figure 4, p real;
 *   OPT    Belady: evict the block whose next use is furthest away.
 *
 * The implementations here are arrays scanned linearly (ages and
 * positions as numbers), nothing like the linked lists and hash tables of
 * bufpolicy.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include <glib.h>

#include "bufpolicy.h"

/* ---- the references -------------------------------------------------- */

/* A list of block numbers, oldest first (index 0 is the LRU end). */
struct list {
	int64_t	 v[512];
	int	 n;
};

static int
find(const struct list *l, int64_t x)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == x)
			return i;
	return -1;
}

static void
del_at(struct list *l, int i)
{
	memmove(&l->v[i], &l->v[i + 1], (size_t)(l->n - i - 1) * sizeof(int64_t));
	l->n--;
}

static int64_t
pop_oldest(struct list *l)
{
	int64_t x = l->v[0];

	del_at(l, 0);
	return x;
}

static void
push_newest(struct list *l, int64_t x)
{
	assert_true(l->n < 512);
	l->v[l->n++] = x;
}

static uint64_t
ref_lru(const int64_t *t, int n, int c)
{
	struct list l = { .n = 0 };
	uint64_t m = 0;
	int i, at;

	for (i = 0; i < n; i++) {
		if ((at = find(&l, t[i])) >= 0)
			del_at(&l, at);
		else {
			m++;
			if (l.n == c)
				(void)pop_oldest(&l);
		}
		push_newest(&l, t[i]);
	}
	return m;
}

static uint64_t
ref_clock(const int64_t *t, int n, int c)
{
	int64_t frame[512];
	int bit[512], used = 0, hand = 0, i, j;
	uint64_t m = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < used && frame[j] != t[i]; j++)
			;
		if (j < used) {
			bit[j] = 1;
			continue;
		}
		m++;
		if (used < c) {
			frame[used] = t[i];
			bit[used++] = 0;
			continue;
		}
		while (bit[hand]) {
			bit[hand] = 0;
			hand = (hand + 1) % c;
		}
		frame[hand] = t[i];
		bit[hand] = 0;
		hand = (hand + 1) % c;
	}
	return m;
}

static uint64_t
ref_2q(const int64_t *t, int n, int c)
{
	struct list a1in = { .n = 0 }, am = { .n = 0 }, a1out = { .n = 0 };
	int kin = c / 4 > 1 ? c / 4 : 1, kout = c / 2 > 1 ? c / 2 : 1;
	uint64_t m = 0;
	int i, at;

	for (i = 0; i < n; i++) {
		int64_t x = t[i];
		bool to_am;

		if ((at = find(&am, x)) >= 0) {
			del_at(&am, at);
			push_newest(&am, x);
			continue;
		}
		if (find(&a1in, x) >= 0)
			continue;
		m++;
		to_am = (at = find(&a1out, x)) >= 0;
		if (to_am)
			del_at(&a1out, at);
		/* reclaimfor(x) */
		if (a1in.n + am.n == c) {
			if (a1in.n > kin || am.n == 0) {
				push_newest(&a1out, pop_oldest(&a1in));
				if (a1out.n > kout)
					(void)pop_oldest(&a1out);
			} else
				(void)pop_oldest(&am);
		}
		push_newest(to_am ? &am : &a1in, x);
	}
	return m;
}

static uint64_t
ref_arc(const int64_t *t, int n, int c)
{
	struct list t1 = { .n = 0 }, t2 = { .n = 0 }, b1 = { .n = 0 },
	    b2 = { .n = 0 };
	double p = 0;
	uint64_t m = 0;
	int i, at;

	for (i = 0; i < n; i++) {
		int64_t x = t[i];
		bool ghost = false, xb2 = false, repl = false;

		/* case I: a hit, to T2's MRU end */
		if ((at = find(&t1, x)) >= 0) {
			del_at(&t1, at);
			push_newest(&t2, x);
			continue;
		}
		if ((at = find(&t2, x)) >= 0) {
			del_at(&t2, at);
			push_newest(&t2, x);
			continue;
		}
		m++;
		if ((at = find(&b1, x)) >= 0) {		/* case II */
			p = MIN((double)c, p + (b1.n >= b2.n ? 1.0 :
			    (double)b2.n / b1.n));
			del_at(&b1, at);
			ghost = repl = true;
		} else if ((at = find(&b2, x)) >= 0) {	/* case III */
			p = MAX(0.0, p - (b2.n >= b1.n ? 1.0 :
			    (double)b1.n / b2.n));
			del_at(&b2, at);
			ghost = repl = xb2 = true;
		} else if (t1.n + b1.n == c) {		/* case IV.A */
			if (t1.n < c) {
				(void)pop_oldest(&b1);
				repl = true;
			} else
				(void)pop_oldest(&t1);	/* gone, no ghost */
		} else if (t1.n + t2.n + b1.n + b2.n >= c) {	/* IV.B */
			if (t1.n + t2.n + b1.n + b2.n == 2 * c)
				(void)pop_oldest(&b2);
			repl = true;
		}
		/* REPLACE(x, p) (only ever with the cache full) */
		if (repl && t1.n + t2.n == c) {
			if (t1.n >= 1 && ((xb2 && (double)t1.n == p) ||
			    (double)t1.n > p))
				push_newest(&b1, pop_oldest(&t1));
			else
				push_newest(&b2, pop_oldest(&t2));
		}
		push_newest(ghost ? &t2 : &t1, x);
	}
	return m;
}

static uint64_t
ref_opt(const int64_t *t, int n, int c)
{
	int64_t res[512];
	int nres = 0, i, j, k;
	uint64_t m = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nres && res[j] != t[i]; j++)
			;
		if (j < nres)
			continue;
		m++;
		if (nres == c) {
			int victim = 0, far = -1;

			for (j = 0; j < nres; j++) {
				for (k = i + 1; k < n && t[k] != res[j]; k++)
					;
				if (k > far) {
					far = k;
					victim = j;
				}
			}
			res[victim] = t[i];
		} else
			res[nres++] = t[i];
	}
	return m;
}

/* ---- the offline cache ----------------------------------------------- */

static uint64_t
cache_misses(const char *pol, const int64_t *t, int n, int c)
{
	struct bp_key *k = g_new(struct bp_key, n ? n : 1);
	uint64_t m;
	int i;

	for (i = 0; i < n; i++) {
		k[i].vid = 0;
		k[i].lblkno = t[i];
	}
	m = strcmp(pol, "opt") == 0 ? bufpolicy_opt_misses(k, (size_t)n, c) :
	    bufpolicy_misses(bufpolicy_lookup(pol), k, (size_t)n, c);
	g_free(k);
	return m;
}

/* ---- the tests ------------------------------------------------------- */

static const char *const policies[] = { "lru", "clock", "2q", "arc", "opt" };

static uint64_t
reference(const char *pol, const int64_t *t, int n, int c)
{
	if (strcmp(pol, "lru") == 0)
		return ref_lru(t, n, c);
	if (strcmp(pol, "clock") == 0)
		return ref_clock(t, n, c);
	if (strcmp(pol, "2q") == 0)
		return ref_2q(t, n, c);
	if (strcmp(pol, "arc") == 0)
		return ref_arc(t, n, c);
	return ref_opt(t, n, c);
}

/*
 * Two traces worked out by hand (the working is in the README's "Cache
 * studies"): Belady's anomaly string 1 2 3 4 1 2 5 1 2 3 4 5 with 3
 * blocks — LRU 10, CLOCK 10 (no block is used twice before its bit is
 * looked at), 2Q 11 (Kin = Kout = 1: only the second 2 hits, in Am), ARC
 * 10 (T1 alone holds 3: case IV.A drops its LRU without a ghost until 1
 * and 2 hit into T2; then 5 returns from B1 and p = 1), OPT 7; and a loop
 * with a scan, 1 2 1 2 3 4 5 6 1 2 with 4 blocks — LRU 8 (the scan
 * pushes 1 and 2 out), CLOCK 6 (their bits save them), 2Q 8 (their
 * second references were in A1in: correlated), ARC 6 (they are in T2,
 * the scan stays in T1), OPT 6.
 */
static void
test_by_hand(void **state)
{
	static const int64_t a[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
	static const int64_t b[] = { 1, 2, 1, 2, 3, 4, 5, 6, 1, 2 };
	static const uint64_t want_a[] = { 10, 10, 11, 10, 7 };
	static const uint64_t want_b[] = { 8, 6, 8, 6, 6 };
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(policies); i++) {
		assert_int_equal(reference(policies[i], a, 12, 3), want_a[i]);
		assert_int_equal(cache_misses(policies[i], a, 12, 3), want_a[i]);
		assert_int_equal(reference(policies[i], b, 10, 4), want_b[i]);
		assert_int_equal(cache_misses(policies[i], b, 10, 4), want_b[i]);
	}
}

/* Random traces, skewed and not, every capacity from 1 to 40: the same
 * misses as the reference, every time. */
static void
test_random(void **state)
{
	GRand *rnd = g_rand_new_with_seed(14);
	int64_t t[600];
	int round, c, i, n;
	unsigned p;

	for (round = 0; round < 60; round++) {
		int blocks = 4 + round * 3;
		bool skew = round % 2 == 0;

		n = 200 + round * 6;
		for (i = 0; i < n; i++) {
			double u = g_rand_double(rnd);

			/* a loop now and then, else uniform or skewed */
			if (i > 20 && g_rand_int_range(rnd, 0, 10) == 0)
				t[i] = t[i - 20];
			else
				t[i] = (int64_t)((skew ? u * u * u : u) * blocks);
		}
		for (c = 1; c <= 40; c += round % 3 + 1)
			for (p = 0; p < G_N_ELEMENTS(policies); p++) {
				uint64_t want = reference(policies[p], t, n, c);
				uint64_t got = cache_misses(policies[p], t, n, c);

				if (want != got)
					fail_msg("%s, %d blocks, trace %d: %llu "
					    "misses, the reference %llu",
					    policies[p], c, round,
					    (unsigned long long)got,
					    (unsigned long long)want);
			}
	}
	g_rand_free(rnd);
}

/*
 * Whole identities: the buffer cache keys a block by its vnode and its
 * logical block (negative for indirect blocks), so the offline cache must
 * tell apart keys that share either half, at every magnitude.  A pool of
 * identities mixing a few vnodes with small, negative and extreme block
 * numbers, referenced with skew, against the references run on each
 * identity's index in the pool; capacities up to 250, so the cache's key
 * table (bufpolicy.c: open addressing, at most half full) holds runs of
 * neighbours that a victim's removal shifts back.
 */
static void
test_whole_keys(void **state)
{
	static const uint64_t vids[] = { 0, 1, 7, UINT64_C(1) << 40,
	    UINT64_MAX };
	static const int caps[] = { 1, 17, 64, 150, 250 };
	GRand *rnd = g_rand_new_with_seed(2001);
	enum { POOL = 1200, N = 5000 };
	struct bp_key *pool = g_new(struct bp_key, POOL);
	struct bp_key *k = g_new(struct bp_key, N);
	int64_t *t = g_new(int64_t, N);
	int i, ci;
	unsigned p;

	for (i = 0; i < POOL; i++) {
		int j;

		pool[i].vid = vids[i % G_N_ELEMENTS(vids)];
		switch (g_rand_int_range(rnd, 0, 4)) {
		case 0:		/* data blocks */
			pool[i].lblkno = i / (int)G_N_ELEMENTS(vids);
			break;
		case 1:		/* indirect blocks: negative */
			pool[i].lblkno = -12 - i;
			break;
		case 2:		/* far out */
			pool[i].lblkno = INT64_MAX - i;
			break;
		default:
			pool[i].lblkno = INT64_MIN + i;
			break;
		}
		/* each identity once in the pool */
		for (j = 0; j < i; j++)
			if (pool[j].vid == pool[i].vid &&
			    pool[j].lblkno == pool[i].lblkno)
				pool[i].lblkno = 1000000 + i;
	}
	for (i = 0; i < N; i++) {
		double u = g_rand_double(rnd);

		t[i] = (int64_t)(u * u * POOL);
		k[i] = pool[t[i]];
	}
	for (ci = 0; ci < (int)G_N_ELEMENTS(caps); ci++)
		for (p = 0; p < G_N_ELEMENTS(policies); p++) {
			int c = caps[ci];
			uint64_t want = reference(policies[p], t, N, c);
			uint64_t got = strcmp(policies[p], "opt") == 0 ?
			    bufpolicy_opt_misses(k, N, c) :
			    bufpolicy_misses(bufpolicy_lookup(policies[p]), k,
			    N, c);

			if (want != got)
				fail_msg("%s, %d blocks: %llu misses, the "
				    "reference %llu", policies[p], c,
				    (unsigned long long)got,
				    (unsigned long long)want);
		}
	g_free(t);
	g_free(k);
	g_free(pool);
	g_rand_free(rnd);
}

/* A cache larger than anything the stream brings (vfssim cache --size
 * up to INT_MAX): only the first reference to each block misses, and
 * nothing is set aside for blocks that never come. */
static void
test_huge_capacity(void **state)
{
	static const int64_t t[] = { 5, 6, 5, 7, 6, 5, 8, 9, 8, 5 };
	unsigned p;

	for (p = 0; p < G_N_ELEMENTS(policies); p++) {
		if (strcmp(policies[p], "opt") == 0)
			continue;	/* OPT's tables are the stream's */
		assert_int_equal(cache_misses(policies[p], t, 10, INT_MAX), 5);
		assert_int_equal(cache_misses(policies[p], t, 10, 1 << 30), 5);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_hand),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_whole_keys),
		cmocka_unit_test(test_huge_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
