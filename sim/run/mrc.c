/*
 * mrc.c — stack distances, one pass (see mrc.h).
 *
 * Each followed block has its last-use time in a GHashTable (keyed by a
 * 64-bit hash of its identity: two blocks colliding would need ~2^32 of
 * them) and a 1 at that time in a Fenwick tree.  A reference at time t to
 * a block last used at p has stack distance 1 + (ones in (p, t)); the 1
 * moves from p to t.  Times only grow, so when the tree is full the live
 * times are renumbered 0..m-1 in order (they are all distinct) and the
 * tree rebuilt — the order decides, never the table's.
 */
#include "mrc.h"

#include <math.h>
#include <string.h>

#define SAMPLE_BITS	24		/* the hash's top bits against rate */
#define MIN_CAP		(1u << 16)

struct mrc {
	double		 rate;
	uint64_t	 threshold;	/* follow iff top bits < threshold */
	uint64_t	 refs, sampled, cold;
	GHashTable	*last;		/* hash -> time + 1 */
	int32_t		*tree;		/* Fenwick tree, 1-based, cap entries */
	uint64_t	 cap;
	uint64_t	 now;		/* the next time */
	GArray		*hist;		/* uint64_t: hist[d] references at d */
	GArray		*cum;		/* uint64_t: cum[d] at distance <= d,
					   NULL when hist has changed since */
};

/* splitmix64's finaliser: a block's identity to 64 well-mixed bits. */
static uint64_t
key_hash(const struct bp_key *k)
{
	uint64_t z = k->vid * 0x9e3779b97f4a7c15ULL ^ (uint64_t)k->lblkno;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct mrc *
mrc_new(double rate)
{
	struct mrc *m = g_new0(struct mrc, 1);

	m->rate = rate > 0 && rate < 1 ? rate : 1;
	m->threshold = (uint64_t)ceil(m->rate * (double)(1u << SAMPLE_BITS));
	m->last = g_hash_table_new(g_direct_hash, g_direct_equal);
	m->cap = MIN_CAP;
	m->tree = g_new0(int32_t, m->cap + 1);
	m->hist = g_array_new(FALSE, TRUE, sizeof(uint64_t));
	return m;
}

void
mrc_free(struct mrc *m)
{
	if (m == NULL)
		return;
	g_hash_table_destroy(m->last);
	g_free(m->tree);
	g_array_free(m->hist, TRUE);
	if (m->cum != NULL)
		g_array_free(m->cum, TRUE);
	g_free(m);
}

static void
tree_add(struct mrc *m, uint64_t i, int32_t v)
{
	for (i++; i <= m->cap; i += i & -i)
		m->tree[i] += v;
}

/* Ones at times 0..i-1. */
static uint64_t
tree_prefix(const struct mrc *m, uint64_t i)
{
	uint64_t s = 0;

	for (; i > 0; i -= i & -i)
		s += (uint64_t)m->tree[i];
	return s;
}

static gint
cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The tree is full: renumber the live times in their order. */
static void
compact(struct mrc *m)
{
	guint n = g_hash_table_size(m->last), i;
	uint64_t *pairs = g_new(uint64_t, 2 * (gsize)n);	/* time, hash */
	GHashTableIter it;
	gpointer k, v;

	i = 0;
	g_hash_table_iter_init(&it, m->last);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		pairs[2 * i] = GPOINTER_TO_SIZE(v) - 1;
		pairs[2 * i + 1] = GPOINTER_TO_SIZE(k);
		i++;
	}
	/* pairs of (time, hash) sort by time: times are distinct */
	qsort(pairs, n, 2 * sizeof(uint64_t), (int (*)(const void *,
	    const void *))cmp_u64);
	while (m->cap < 2 * (uint64_t)n + MIN_CAP)
		m->cap *= 2;
	g_free(m->tree);
	m->tree = g_new0(int32_t, m->cap + 1);
	for (i = 0; i < n; i++) {
		g_hash_table_insert(m->last, GSIZE_TO_POINTER(pairs[2 * i + 1]),
		    GSIZE_TO_POINTER((gsize)i + 1));
		tree_add(m, i, 1);
	}
	m->now = n;
	g_free(pairs);
}

void
mrc_add(struct mrc *m, const struct bp_key *refs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t h = key_hash(&refs[i]);
		gpointer v;

		m->refs++;
		if (m->cum != NULL) {
			g_array_free(m->cum, TRUE);
			m->cum = NULL;
		}
		if ((h >> (64 - SAMPLE_BITS)) >= m->threshold)
			continue;
		m->sampled++;
		if (m->now == m->cap)
			compact(m);
		v = g_hash_table_lookup(m->last, GSIZE_TO_POINTER(h));
		if (v == NULL)
			m->cold++;
		else {
			uint64_t p = GPOINTER_TO_SIZE(v) - 1;
			uint64_t d = 1 + tree_prefix(m, m->now) - tree_prefix(m, p + 1);

			if (d >= m->hist->len)
				g_array_set_size(m->hist, (guint)MAX(d + 1,
				    2 * (uint64_t)m->hist->len));
			g_array_index(m->hist, uint64_t, d)++;
			tree_add(m, p, -1);
		}
		tree_add(m, m->now, 1);
		g_hash_table_insert(m->last, GSIZE_TO_POINTER(h),
		    GSIZE_TO_POINTER((gsize)m->now + 1));
		m->now++;
	}
}

uint64_t
mrc_refs(const struct mrc *m)
{
	return m->refs;
}

uint64_t
mrc_sampled(const struct mrc *m)
{
	return m->sampled;
}

uint64_t
mrc_blocks(const struct mrc *m)
{
	return g_hash_table_size(m->last);
}

double
mrc_rate(const struct mrc *m)
{
	return m->rate;
}

double
mrc_miss_ratio(struct mrc *m, int64_t buffers)
{
	/* A cache of C blocks holds C * rate of the followed ones. */
	double c = floor((double)buffers * m->rate + 1e-9);
	uint64_t hits;
	guint d;

	if (m->sampled == 0)
		return 0;
	if (m->cum == NULL) {
		uint64_t sum = 0;

		m->cum = g_array_sized_new(FALSE, TRUE, sizeof(uint64_t),
		    m->hist->len);
		for (d = 0; d < m->hist->len; d++) {
			sum += g_array_index(m->hist, uint64_t, d);
			g_array_append_val(m->cum, sum);
		}
	}
	if (m->cum->len == 0 || c < 1)
		hits = 0;
	else
		hits = g_array_index(m->cum, uint64_t, (guint)MIN(c,
		    (double)(m->cum->len - 1)));
	if (m->rate >= 1)
		return (double)(m->sampled - hits) / (double)m->sampled;
	/*
	 * SHARDS_adj: a few very popular blocks make the sampled stream
	 * longer or shorter than rate * refs, which biases every size alike.
	 * The difference is counted as hits at the smallest distance (the
	 * popular blocks' own), against rate * refs references.
	 */
	{
		double expect = m->rate * (double)m->refs;
		double r = ((double)m->sampled - (double)hits) / expect;

		return r < 0 ? 0 : r > 1 ? 1 : r;
	}
}

GArray *
mrc_sizes(const struct mrc *m, const int64_t *extra, guint nextra)
{
	GArray *sz = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t top = 0, c;
	guint i, d;

	for (d = 1; d < m->hist->len; d++)
		if (g_array_index(m->hist, uint64_t, d) > 0)
			top = d;
	top = (int64_t)ceil((double)top / m->rate);	/* flat beyond */
	for (c = 0; c <= top; c = c < 64 ? c + 1 : MAX(c + 1, c + c / 100))
		g_array_append_val(sz, c);
	if (sz->len == 0 || g_array_index(sz, int64_t, sz->len - 1) != top) {
		g_array_append_val(sz, top);
	}
	for (i = 0; i < nextra; i++)
		g_array_append_val(sz, extra[i]);
	g_array_sort(sz, (GCompareFunc)cmp_u64);
	/* without repeats */
	for (i = 1; i < sz->len;)
		if (g_array_index(sz, int64_t, i) == g_array_index(sz, int64_t, i - 1))
			g_array_remove_index(sz, i);
		else
			i++;
	return sz;
}
