/*
 * bufpolicy.c — replacement policies for the buffer cache, and the offline
 * evaluation (with Belady's OPT) of a block-reference stream.
 *
 *   lru    least recently used (an access or a release moves a block to
 *          the most-recent end);
 *   clock  second chance: a hand sweeps the blocks, clearing reference
 *          bits, and takes the first block whose bit is clear;
 *   2q     Johnson & Shasha's full 2Q: first references wait in a FIFO
 *          (A1in, a quarter of the cache), blocks referenced again live in
 *          an LRU (Am), and the identities of blocks pushed out of A1in are
 *          remembered (A1out, half the cache) so a quick return goes to Am;
 *   arc    Megiddo & Modha's ARC: recency (T1) and frequency (T2) lists
 *          whose split p adapts to hits on the ghosts (B1, B2) of each.
 *
 * Offline (bp_cache: bufpolicy_misses, vfssim cache) a miss is announced
 * to the policy before the victim is chosen (the miss op), so each runs
 * exactly as its paper's pseudocode: 2Q decides Am or A1in before
 * reclaimfor, ARC adapts p and keeps its directory (cases II-IV of
 * Megiddo & Modha's figure 4) before REPLACE.  tests/test_cache.c checks
 * each against an independent implementation.  The buffer cache picks a
 * victim before it knows the block (getnewbuf), so there 2Q and ARC look
 * at their ghosts when the block is inserted.
 */
#include "bufpolicy.h"
#include "kassert.h"

#include <glib.h>
#include <limits.h>
#include <string.h>

/*
 * ---- the key table: a block's identity to what holds it ---------------
 *
 * Open addressing with linear probing in a power-of-two array, the keys
 * held in the slots themselves: a probe compares keys where it reads them,
 * with no pointer chased to an entry, and nothing is allocated per key.
 * GHashTable cannot do that for a 16-byte key (its keys are pointers, so
 * each comparison reads the entry the key lives in); vfssim cache spent
 * two-thirds of its time there.  A slot is empty when its value is NULL.
 * Deletion shifts the rest of the run back (Knuth's algorithm R), so there
 * are no tombstones and a lookup stops at the first empty slot.  At most
 * half the slots are full.  Only membership is kept here: nothing iterates
 * the table in an order that could decide what a run does.
 */
struct bpt_slot {
	struct bp_key	 key;
	void		*val;
};

struct bptab {
	struct bpt_slot	*s;
	size_t		 mask;		/* slots - 1 */
	size_t		 n;		/* full slots */
	unsigned	 shift;		/* 64 - log2(slots) */
};

/* Fibonacci hashing: the top bits of the mixed key pick the home slot. */
static inline size_t
bpt_home(const struct bptab *t, const struct bp_key *k)
{
	uint64_t h = (k->vid * 0x9E3779B97F4A7C15ull ^ (uint64_t)k->lblkno) *
	    0x9E3779B97F4A7C15ull;

	return (size_t)(h >> t->shift);
}

static inline bool
key_eq(const struct bp_key *x, const struct bp_key *y)
{
	return x->vid == y->vid && x->lblkno == y->lblkno;
}

/* A table for about want keys (it grows past that). */
static void
bpt_init(struct bptab *t, size_t want)
{
	unsigned bits = 4;

	while (((size_t)1 << bits) < 2 * want && bits < 62)
		bits++;
	t->s = g_new0(struct bpt_slot, (size_t)1 << bits);
	t->mask = ((size_t)1 << bits) - 1;
	t->n = 0;
	t->shift = 64 - bits;
}

static void
bpt_fini(struct bptab *t)
{
	g_free(t->s);
	t->s = NULL;
}

/* The slot holding key, or the empty slot where key would go. */
static inline size_t
bpt_probe(const struct bptab *t, const struct bp_key *k)
{
	size_t i = bpt_home(t, k);

	while (t->s[i].val != NULL && !key_eq(&t->s[i].key, k))
		i = (i + 1) & t->mask;
	return i;
}

/* Empty slot i; the index of the empty slot that ended its run (a probe
 * that stopped there may now stop earlier). */
static size_t
bpt_delete(struct bptab *t, size_t i)
{
	size_t j = i;

	KASSERT(t->s[i].val != NULL, ("bpt_delete: slot %zu is empty", i));
	t->n--;
	for (;;) {
		t->s[i].val = NULL;
		for (;;) {
			size_t h;

			j = (j + 1) & t->mask;
			if (t->s[j].val == NULL)
				return j;
			/* j's entry may fill the hole at i if i lies
			 * between its home and j */
			h = bpt_home(t, &t->s[j].key);
			if (((j - h) & t->mask) >= ((j - i) & t->mask))
				break;
		}
		t->s[i] = t->s[j];
		i = j;
	}
}

static void bpt_put(struct bptab *t, const struct bp_key *k, void *val);

static void
bpt_grow(struct bptab *t)
{
	struct bptab old = *t;
	size_t i;

	bpt_init(t, (old.mask + 1));
	for (i = 0; i <= old.mask; i++)
		if (old.s[i].val != NULL)
			bpt_put(t, &old.s[i].key, old.s[i].val);
	g_free(old.s);
}

/* key, which is not in the table, now maps to val (not NULL). */
static void
bpt_put(struct bptab *t, const struct bp_key *k, void *val)
{
	size_t i;

	if (2 * (t->n + 1) > t->mask + 1)
		bpt_grow(t);
	i = bpt_probe(t, k);
	KASSERT(t->s[i].val == NULL, ("bpt_put: the key is in the table"));
	t->s[i].key = *k;
	t->s[i].val = val;
	t->n++;
}

/* Remove key; what it mapped to, or NULL if it was not there. */
static void *
bpt_take(struct bptab *t, const struct bp_key *k)
{
	size_t i = bpt_probe(t, k);
	void *v = t->s[i].val;

	if (v != NULL)
		bpt_delete(t, i);
	return v;
}

TAILQ_HEAD(entq, bp_ent);

/* The first entry of q that may be evicted. */
static struct bp_ent *
first_ok(struct entq *q, bp_evictable_fn *ok, void *arg)
{
	struct bp_ent *e;

	TAILQ_FOREACH(e, q, link)
		if (ok(e, arg))
			return e;
	return NULL;
}

/* ---- ghost lists: identities of blocks recently evicted -------------- */

struct ghost {
	TAILQ_ENTRY(ghost) link;
	struct bp_key	 key;
};

struct ghostlist {
	TAILQ_HEAD(, ghost) q;
	struct bptab	 h;		/* bp_key -> ghost */
	int		 n;
	TAILQ_HEAD(, ghost) spare;	/* ghosts forgotten, for reuse */
};

static void
ghost_init(struct ghostlist *g)
{
	TAILQ_INIT(&g->q);
	bpt_init(&g->h, 16);
	g->n = 0;
	TAILQ_INIT(&g->spare);
}

/* Forget x, which the table no longer holds. */
static void
ghost_drop(struct ghostlist *g, struct ghost *x)
{
	TAILQ_REMOVE(&g->q, x, link);
	g->n--;
	TAILQ_INSERT_HEAD(&g->spare, x, link);
}

static void
ghost_del(struct ghostlist *g, struct ghost *x)
{
	void *was = bpt_take(&g->h, &x->key);

	KASSERT(was == x, ("ghost_del: a ghost not in its table"));
	(void)was;
	ghost_drop(g, x);
}

static void
ghost_fini(struct ghostlist *g)
{
	struct ghost *x;

	while ((x = TAILQ_FIRST(&g->q)) != NULL)
		ghost_drop(g, x);
	while ((x = TAILQ_FIRST(&g->spare)) != NULL) {
		TAILQ_REMOVE(&g->spare, x, link);
		g_free(x);
	}
	bpt_fini(&g->h);
}

static void
ghost_add(struct ghostlist *g, const struct bp_key *key)
{
	struct ghost *x = TAILQ_FIRST(&g->spare);

	if (x != NULL)
		TAILQ_REMOVE(&g->spare, x, link);
	else
		x = g_new(struct ghost, 1);
	x->key = *key;
	TAILQ_INSERT_TAIL(&g->q, x, link);
	bpt_put(&g->h, &x->key, x);
	g->n++;
}

/* Remove key if present; whether it was. */
static bool
ghost_take(struct ghostlist *g, const struct bp_key *key)
{
	struct ghost *x = bpt_take(&g->h, key);

	if (x == NULL)
		return false;
	ghost_drop(g, x);
	return true;
}

static void
ghost_trim(struct ghostlist *g, int max)
{
	while (g->n > max && g->n > 0)
		ghost_del(g, TAILQ_FIRST(&g->q));
}

/* ---- lru ------------------------------------------------------------- */

struct lru {
	struct entq	 q;
	int		 n;		/* entries on q (CLOCK's full turn) */
};

static void *
lru_create(int capacity)
{
	struct lru *s = g_new0(struct lru, 1);

	(void)capacity;
	TAILQ_INIT(&s->q);
	return s;
}

static void
lru_destroy(void *st)
{
	g_free(st);
}

static void
lru_insert(void *st, struct bp_ent *e)
{
	struct lru *s = st;

	TAILQ_INSERT_TAIL(&s->q, e, link);
	s->n++;
}

static void
lru_touch(void *st, struct bp_ent *e)
{
	struct lru *s = st;

	if (TAILQ_NEXT(e, link) == NULL)
		return;			/* the most recent already */
	TAILQ_REMOVE(&s->q, e, link);
	TAILQ_INSERT_TAIL(&s->q, e, link);
}

static void
lru_remove(void *st, struct bp_ent *e, bool evicted)
{
	struct lru *s = st;

	(void)evicted;
	TAILQ_REMOVE(&s->q, e, link);
	s->n--;
}

static struct bp_ent *
lru_victim(void *st, bp_evictable_fn *ok, void *arg)
{
	struct lru *s = st;

	return first_ok(&s->q, ok, arg);
}

static const struct bufpolicy_ops pol_lru = {
	.name = "lru",
	.doc = "least recently used",
	.create = lru_create, .destroy = lru_destroy,
	.insert = lru_insert, .access = lru_touch, .release = lru_touch,
	.remove = lru_remove, .victim = lru_victim,
};

/* ---- clock ----------------------------------------------------------- */

/* The list is the clock face; its head is where the hand points. */
static void
clock_insert(void *st, struct bp_ent *e)
{
	struct lru *s = st;

	e->ref = 0;
	TAILQ_INSERT_TAIL(&s->q, e, link);	/* just behind the hand */
	s->n++;
}

static void
clock_access(void *st, struct bp_ent *e)
{
	(void)st;
	e->ref = 1;
}

static void
clock_release(void *st, struct bp_ent *e)
{
	(void)st;
	(void)e;
}

static struct bp_ent *
clock_victim(void *st, bp_evictable_fn *ok, void *arg)
{
	struct lru *s = st;
	struct bp_ent *e;
	int64_t limit;

	/* Two full turns clear every bit; past that nothing is evictable.
	 * (The length is counted as entries come and go: counting the queue
	 * here made every miss cost the whole cache.) */
	for (limit = 2 * (int64_t)s->n + 1; limit > 0 && (e = TAILQ_FIRST(&s->q)) != NULL;
	    limit--) {
		TAILQ_REMOVE(&s->q, e, link);
		TAILQ_INSERT_TAIL(&s->q, e, link);	/* the hand moves on */
		if (!ok(e, arg))
			continue;
		if (e->ref) {
			e->ref = 0;
			continue;
		}
		return e;
	}
	return NULL;
}

static const struct bufpolicy_ops pol_clock = {
	.name = "clock",
	.doc = "second chance: a sweeping hand clears reference bits",
	.create = lru_create, .destroy = lru_destroy,
	.insert = clock_insert, .access = clock_access, .release = clock_release,
	.remove = lru_remove, .victim = clock_victim,
};

/* ---- 2q -------------------------------------------------------------- */

enum { Q2_A1IN = 1, Q2_AM };

struct twoq {
	struct entq	 a1in, am;
	int		 n1in, nam, kin, kout;
	struct ghostlist a1out;
	bool		 hinted;	/* miss() said where the next goes: */
	bool		 to_am;		/* ... to Am (it was in A1out) */
};

static void *
twoq_create(int capacity)
{
	struct twoq *s = g_new0(struct twoq, 1);

	TAILQ_INIT(&s->a1in);
	TAILQ_INIT(&s->am);
	s->kin = MAX(1, capacity / 4);
	s->kout = MAX(1, capacity / 2);
	ghost_init(&s->a1out);
	return s;
}

static void
twoq_destroy(void *st)
{
	struct twoq *s = st;

	ghost_fini(&s->a1out);
	g_free(s);
}

/* "if X is in A1out: reclaimfor(X), add X to Am; else reclaimfor(X), add
 * X to A1in": which list is decided before reclaimfor pushes a victim's
 * identity into A1out (and perhaps X's out of it); X's identity leaves
 * A1out as X comes back. */
static void
twoq_miss(void *st, const struct bp_key *key)
{
	struct twoq *s = st;

	s->to_am = ghost_take(&s->a1out, key);
	s->hinted = true;
}

static void
twoq_insert(void *st, struct bp_ent *e)
{
	struct twoq *s = st;
	bool am = s->hinted ? s->to_am : ghost_take(&s->a1out, &e->key);

	s->hinted = false;
	if (am) {
		e->list = Q2_AM;
		TAILQ_INSERT_TAIL(&s->am, e, link);
		s->nam++;
	} else {
		e->list = Q2_A1IN;
		TAILQ_INSERT_TAIL(&s->a1in, e, link);
		s->n1in++;
	}
}

static void
twoq_access(void *st, struct bp_ent *e)
{
	struct twoq *s = st;

	/* A hit in A1in is a correlated reference: nothing moves. */
	if (e->list == Q2_AM) {
		TAILQ_REMOVE(&s->am, e, link);
		TAILQ_INSERT_TAIL(&s->am, e, link);
	}
}

static void
twoq_release(void *st, struct bp_ent *e)
{
	(void)st;
	(void)e;
}

static void
twoq_remove(void *st, struct bp_ent *e, bool evicted)
{
	struct twoq *s = st;

	if (e->list == Q2_AM) {
		TAILQ_REMOVE(&s->am, e, link);
		s->nam--;
	} else {
		TAILQ_REMOVE(&s->a1in, e, link);
		s->n1in--;
		if (evicted) {
			ghost_add(&s->a1out, &e->key);
			ghost_trim(&s->a1out, s->kout);
		}
	}
	e->list = 0;
}

static struct bp_ent *
twoq_victim(void *st, bp_evictable_fn *ok, void *arg)
{
	struct twoq *s = st;
	struct bp_ent *e = NULL;

	if (s->n1in > s->kin)
		e = first_ok(&s->a1in, ok, arg);
	if (e == NULL)
		e = first_ok(&s->am, ok, arg);
	if (e == NULL)
		e = first_ok(&s->a1in, ok, arg);
	return e;
}

static const struct bufpolicy_ops pol_2q = {
	.name = "2q",
	.doc = "2Q: a FIFO for first references, an LRU for the rest, ghosts",
	.create = twoq_create, .destroy = twoq_destroy, .miss = twoq_miss,
	.insert = twoq_insert, .access = twoq_access, .release = twoq_release,
	.remove = twoq_remove, .victim = twoq_victim,
};

/* ---- arc ------------------------------------------------------------- */

enum { ARC_T1 = 1, ARC_T2 };

struct arc {
	struct entq	 t1, t2;
	int		 n1, n2, c;
	double		 p;		/* target size of T1 */
	bool		 last_from_b2;	/* the last insert was a B2 ghost hit */
	struct ghostlist b1, b2;
	/* what miss() found out about the block about to be inserted */
	bool		 hinted;
	bool		 to_t2;		/* it was a ghost: it goes to T2 */
	bool		 in_b2;		/* ... of B2 (REPLACE's "x in B2") */
	bool		 no_ghost;	/* case IV.A with T1 full: the victim is
					   T1's LRU, remembered nowhere */
};

static void *
arc_create(int capacity)
{
	struct arc *s = g_new0(struct arc, 1);

	TAILQ_INIT(&s->t1);
	TAILQ_INIT(&s->t2);
	s->c = MAX(1, capacity);
	ghost_init(&s->b1);
	ghost_init(&s->b2);
	return s;
}

static void
arc_destroy(void *st)
{
	struct arc *s = st;

	ghost_fini(&s->b1);
	ghost_fini(&s->b2);
	g_free(s);
}

/*
 * Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache"
 * (FAST 2003), figure 4, for x not in T1 or T2: case II (x in B1: p grows
 * by max(1, |B2|/|B1|)), case III (x in B2: p shrinks by max(1,
 * |B1|/|B2|)), both with the sizes before x leaves its ghost list; case
 * IV (x nowhere): with |T1| + |B1| = c, B1's LRU is forgotten (or, with
 * T1 alone c long, T1's LRU goes without a ghost instead of REPLACE);
 * with less, B2's LRU is forgotten when the directory holds 2c.  REPLACE
 * itself is the victim, which the cache asks for when it is full.
 */
static void
arc_miss(void *st, const struct bp_key *key)
{
	struct arc *s = st;
	int b1 = s->b1.n, b2 = s->b2.n;

	s->hinted = true;
	s->to_t2 = s->in_b2 = s->no_ghost = false;
	if (ghost_take(&s->b1, key)) {
		s->p = MIN((double)s->c, s->p + (b1 >= b2 ? 1.0 :
		    (double)b2 / b1));
		s->to_t2 = true;
	} else if (ghost_take(&s->b2, key)) {
		s->p = MAX(0.0, s->p - (b2 >= b1 ? 1.0 : (double)b1 / b2));
		s->to_t2 = s->in_b2 = true;
	} else if (s->n1 + b1 == s->c) {
		if (s->n1 < s->c)
			ghost_del(&s->b1, TAILQ_FIRST(&s->b1.q));
		else
			s->no_ghost = true;
	} else if ((int64_t)s->n1 + s->n2 + b1 + b2 >= 2 * (int64_t)s->c &&
	    b2 > 0)		/* in 64 bits: c may be up to INT_MAX */
		ghost_del(&s->b2, TAILQ_FIRST(&s->b2.q));
}

static void
arc_insert(void *st, struct bp_ent *e)
{
	struct arc *s = st;

	if (s->hinted) {
		/* miss() kept the directory: x goes where it said */
		s->hinted = false;
		e->list = s->to_t2 ? ARC_T2 : ARC_T1;
		if (e->list == ARC_T1) {
			TAILQ_INSERT_TAIL(&s->t1, e, link);
			s->n1++;
		} else {
			TAILQ_INSERT_TAIL(&s->t2, e, link);
			s->n2++;
		}
		return;
	}
	s->last_from_b2 = false;
	if (ghost_take(&s->b1, &e->key)) {
		/* recency would have kept it: grow T1's share */
		s->p = MIN((double)s->c,
		    s->p + MAX(1.0, (double)s->b2.n / MAX(1, s->b1.n + 1)));
		e->list = ARC_T2;
	} else if (ghost_take(&s->b2, &e->key)) {
		s->p = MAX(0.0,
		    s->p - MAX(1.0, (double)s->b1.n / MAX(1, s->b2.n + 1)));
		e->list = ARC_T2;
		s->last_from_b2 = true;
	} else
		e->list = ARC_T1;
	if (e->list == ARC_T1) {
		TAILQ_INSERT_TAIL(&s->t1, e, link);
		s->n1++;
	} else {
		TAILQ_INSERT_TAIL(&s->t2, e, link);
		s->n2++;
	}
	/* The directory (resident + ghosts) holds at most 2c blocks, and
	 * T1 + B1 at most c. */
	ghost_trim(&s->b1, MAX(0, s->c - s->n1));
	ghost_trim(&s->b2, (int)MIN(INT_MAX, MAX(0, 2 * (int64_t)s->c -
	    s->n1 - s->n2 - s->b1.n)));
}

static void
arc_access(void *st, struct bp_ent *e)
{
	struct arc *s = st;

	if (e->list == ARC_T1) {
		TAILQ_REMOVE(&s->t1, e, link);
		s->n1--;
		s->n2++;
		e->list = ARC_T2;
	} else
		TAILQ_REMOVE(&s->t2, e, link);
	TAILQ_INSERT_TAIL(&s->t2, e, link);
}

static void
arc_remove(void *st, struct bp_ent *e, bool evicted)
{
	struct arc *s = st;

	if (e->list == ARC_T1) {
		TAILQ_REMOVE(&s->t1, e, link);
		s->n1--;
		if (evicted && !(s->hinted && s->no_ghost))
			ghost_add(&s->b1, &e->key);
	} else {
		TAILQ_REMOVE(&s->t2, e, link);
		s->n2--;
		if (evicted)
			ghost_add(&s->b2, &e->key);
	}
	e->list = 0;
}

static struct bp_ent *
arc_victim(void *st, bp_evictable_fn *ok, void *arg)
{
	struct arc *s = st;
	struct bp_ent *e = NULL;
	bool b2 = s->hinted ? s->in_b2 : s->last_from_b2;

	if (s->hinted && s->no_ghost)
		return first_ok(&s->t1, ok, arg);
	/* REPLACE: take from T1 when it is over its target. */
	if (s->n1 > 0 && ((double)s->n1 > s->p ||
	    (b2 && (double)s->n1 == s->p)))
		e = first_ok(&s->t1, ok, arg);
	if (e == NULL)
		e = first_ok(&s->t2, ok, arg);
	if (e == NULL)
		e = first_ok(&s->t1, ok, arg);
	return e;
}

static const struct bufpolicy_ops pol_arc = {
	.name = "arc",
	.doc = "ARC: recency and frequency lists balanced by ghost hits",
	.create = arc_create, .destroy = arc_destroy, .miss = arc_miss,
	.insert = arc_insert, .access = arc_access, .release = twoq_release,
	.remove = arc_remove, .victim = arc_victim,
};

/* ---- lookup ---------------------------------------------------------- */

const struct bufpolicy_ops *const bufpolicies[] = {
	&pol_lru, &pol_clock, &pol_2q, &pol_arc, NULL
};

const struct bufpolicy_ops *
bufpolicy_lookup(const char *name)
{
	int i;

	for (i = 0; bufpolicies[i] != NULL; i++)
		if (strcmp(bufpolicies[i]->name, name) == 0)
			return bufpolicies[i];
	return NULL;
}

/* ---- offline evaluation ---------------------------------------------- */

/*
 * The offline cache: its resident blocks (entries made CACHE_CHUNK at a
 * time, reused as blocks leave: no allocation a miss) in a key table
 * that grows with them, and the policy's lists through their bp_ent.  A miss probes the table once for the lookup and, unless the
 * victim's removal reshuffled that probe's run, fills the slot it ended
 * at; the victim's entry becomes the new block's.
 */
#define CACHE_CHUNK	4096

struct cent {
	struct bp_ent	 e;		/* first: the policy sees this */
	struct cent	*next_free;
};

struct bp_cache {
	const struct bufpolicy_ops *ops;
	void		*st;
	struct bptab	 res;		/* bp_key -> struct cent */
	int		 capacity, nres;
	struct cent	*free;
	GPtrArray	*chunks;
};

static bool
always(const struct bp_ent *e, void *arg)
{
	(void)e;
	(void)arg;
	return true;
}

struct bp_cache *
bp_cache_new(const struct bufpolicy_ops *ops, int capacity)
{
	struct bp_cache *c = g_new0(struct bp_cache, 1);

	c->ops = ops;
	c->capacity = MAX(1, capacity);
	c->st = ops->create(c->capacity);
	/* grown as blocks come in: a capacity far beyond what the stream
	 * ever fills costs nothing */
	bpt_init(&c->res, (size_t)MIN(c->capacity, CACHE_CHUNK));
	c->chunks = g_ptr_array_new_with_free_func(g_free);
	return c;
}

bool
bp_cache_ref(struct bp_cache *c, const struct bp_key *key)
{
	const struct bufpolicy_ops *ops = c->ops;
	size_t slot;
	struct cent *o;

	/* room for one more before the probe, whose slot the miss fills */
	if (2 * (c->res.n + 1) > c->res.mask + 1)
		bpt_grow(&c->res);
	slot = bpt_probe(&c->res, key);
	o = c->res.s[slot].val;

	if (o != NULL) {
		ops->access(c->st, &o->e);
		ops->release(c->st, &o->e);
		return true;
	}
	if (ops->miss != NULL)
		ops->miss(c->st, key);
	if (c->nres >= c->capacity) {
		struct bp_ent *v = ops->victim(c->st, always, NULL);
		size_t vs;

		KASSERT(v != NULL, ("%s: no victim in a full cache", ops->name));
		ops->remove(c->st, v, true);
		vs = bpt_probe(&c->res, &v->key);
		KASSERT(c->res.s[vs].val == v, ("%s: a victim not resident",
		    ops->name));
		/* the victim's run ended at our empty slot: entries of the
		 * run may have moved back, and key's place with them */
		if (bpt_delete(&c->res, vs) == slot)
			slot = bpt_probe(&c->res, key);
		o = (struct cent *)v;
		c->nres--;
	} else if ((o = c->free) != NULL)
		c->free = o->next_free;
	else {
		int i, n = MIN(CACHE_CHUNK, c->capacity);
		struct cent *chunk = g_new0(struct cent, n);

		g_ptr_array_add(c->chunks, chunk);
		for (i = 1; i < n; i++) {
			chunk[i].next_free = c->free;
			c->free = &chunk[i];
		}
		o = &chunk[0];
	}
	memset(&o->e, 0, sizeof(o->e));
	o->e.key = *key;
	/* grown above: never more than half full */
	KASSERT(c->res.s[slot].val == NULL && 2 * (c->res.n + 1) <=
	    c->res.mask + 1, ("bp_cache_ref: no place for the key"));
	c->res.s[slot].key = *key;
	c->res.s[slot].val = o;
	c->res.n++;
	c->nres++;
	ops->insert(c->st, &o->e);
	ops->release(c->st, &o->e);
	return false;
}

/* key will be looked up soon: start bringing its home slot in. */
void
bp_cache_prefetch(const struct bp_cache *c, const struct bp_key *key)
{
	__builtin_prefetch(&c->res.s[bpt_home(&c->res, key)]);
}

void
bp_cache_free(struct bp_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	/* The policy lets go of its entries before they are freed. */
	for (i = 0; i <= c->res.mask; i++)
		if (c->res.s[i].val != NULL)
			c->ops->remove(c->st,
			    &((struct cent *)c->res.s[i].val)->e, false);
	bpt_fini(&c->res);
	c->ops->destroy(c->st);
	g_ptr_array_free(c->chunks, TRUE);
	g_free(c);
}

uint64_t
bufpolicy_misses(const struct bufpolicy_ops *ops, const struct bp_key *refs,
    size_t n, int capacity)
{
	struct bp_cache *c = bp_cache_new(ops, capacity);
	uint64_t misses = 0;
	size_t i;

	for (i = 0; i < n; i++)
		misses += !bp_cache_ref(c, &refs[i]);
	bp_cache_free(c);
	return misses;
}

/* OPT's tables (GHashTable: the keys are the references themselves). */
static guint
key_hash(gconstpointer p)
{
	const struct bp_key *k = p;
	uint64_t h = k->vid * 0x9E3779B97F4A7C15ull ^ (uint64_t)k->lblkno;

	return (guint)(h ^ (h >> 32));
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
	return key_eq(a, b);
}

/* A max-heap of (next use, reference index) for OPT. */
struct heapent {
	uint64_t	 next;		/* index of the next use; n: never */
	size_t		 ref;		/* a reference to the block */
};

static void
heap_push(GArray *h, struct heapent x)
{
	size_t i;

	g_array_append_val(h, x);
	i = h->len - 1;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct heapent *a = &g_array_index(h, struct heapent, p);

		if (a->next >= x.next)
			break;
		g_array_index(h, struct heapent, i) = *a;
		i = p;
	}
	g_array_index(h, struct heapent, i) = x;
}

static struct heapent
heap_pop(GArray *h)
{
	struct heapent top = g_array_index(h, struct heapent, 0);
	struct heapent last = g_array_index(h, struct heapent, h->len - 1);
	size_t i = 0, n;

	g_array_set_size(h, h->len - 1);
	n = h->len;
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && g_array_index(h, struct heapent, c + 1).next >
		    g_array_index(h, struct heapent, c).next)
			c++;
		if (g_array_index(h, struct heapent, c).next <= last.next)
			break;
		g_array_index(h, struct heapent, i) =
		    g_array_index(h, struct heapent, c);
		i = c;
	}
	if (n > 0)
		g_array_index(h, struct heapent, i) = last;
	return top;
}

/*
 * Belady's MIN: on a miss with the cache full, evict the resident block
 * whose next use lies furthest ahead.  Next uses come from one backward
 * pass; the heap may hold stale entries (a block's earlier next use, or a
 * block since evicted), skipped when popped.
 */
uint64_t
bufpolicy_opt_misses(const struct bp_key *refs, size_t n, int capacity)
{
	uint64_t *next = g_new(uint64_t, n ? n : 1), misses = 0;
	GHashTable *last = g_hash_table_new(key_hash, key_equal);
	GHashTable *res = g_hash_table_new(key_hash, key_equal);	/* key -> next+1 */
	GArray *heap = g_array_new(FALSE, FALSE, sizeof(struct heapent));
	size_t i;
	int nres = 0;

	for (i = n; i-- > 0;) {
		gpointer v;

		next[i] = g_hash_table_lookup_extended(last, &refs[i], NULL, &v) ?
		    (uint64_t)GPOINTER_TO_SIZE(v) : n;
		g_hash_table_insert(last, (gpointer)&refs[i], GSIZE_TO_POINTER(i));
	}
	for (i = 0; i < n; i++) {
		struct heapent x;

		if (g_hash_table_contains(res, &refs[i])) {
			g_hash_table_insert(res, (gpointer)&refs[i],
			    GSIZE_TO_POINTER(next[i] + 1));
			x.next = next[i];
			x.ref = i;
			heap_push(heap, x);
			continue;
		}
		misses++;
		if (nres >= capacity) {
			for (;;) {
				struct heapent v = heap_pop(heap);
				gpointer cur;

				/* current entry of a resident block? */
				if (g_hash_table_lookup_extended(res, &refs[v.ref],
				    NULL, &cur) &&
				    (uint64_t)GPOINTER_TO_SIZE(cur) == v.next + 1) {
					g_hash_table_remove(res, &refs[v.ref]);
					nres--;
					break;
				}
			}
		}
		g_hash_table_insert(res, (gpointer)&refs[i],
		    GSIZE_TO_POINTER(next[i] + 1));
		nres++;
		x.next = next[i];
		x.ref = i;
		heap_push(heap, x);
	}
	g_array_free(heap, TRUE);
	g_hash_table_destroy(res);
	g_hash_table_destroy(last);
	g_free(next);
	return misses;
}
