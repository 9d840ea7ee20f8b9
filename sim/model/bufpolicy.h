/*
 * bufpolicy.h — which clean buffer getnewbuf recycles: replacement
 * policies behind one small ops table.
 *
 * FreeBSD's own policy is the CLEAN queue itself: a released buffer goes
 * to its tail and getnewbuf takes the head — LRU by release (b_usecount was
 * removed in the seed's 1999 rework: "Straight LRU should work just as
 * well").  That needs no table.  The alternatives here rank every buffer
 * that has an identity; getnewbuf asks them for a victim among those that
 * are clean and free.  The same tables drive an offline evaluation of a
 * block-reference stream, beside Belady's OPT, to bound how far a policy is
 * from the best possible for the same number of buffers.
 */
#ifndef VFSSIM_BUFPOLICY_H
#define VFSSIM_BUFPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

/* A block's identity. */
struct bp_key {
	uint64_t	 vid;
	int64_t		 lblkno;
};

/* A policy's handle on one resident block (embedded in struct buf). */
struct bp_ent {
	struct bp_key	 key;
	TAILQ_ENTRY(bp_ent) link;
	uint8_t		 list;		/* which of the policy's lists */
	uint8_t		 ref;		/* CLOCK's reference bit */
};

typedef bool bp_evictable_fn(const struct bp_ent *e, void *arg);

struct bufpolicy_ops {
	const char	*name;
	const char	*doc;
	void		*(*create)(int capacity);
	void		(*destroy)(void *st);
	/*
	 * A reference to key missed, and its block will be inserted next
	 * (after a victim is evicted, if the cache is full): the policy
	 * looks key up in its ghosts and adapts now, as the algorithms do
	 * before they replace (NULL: nothing to do).  The offline cache
	 * calls it; the buffer cache, whose getnewbuf picks a victim before
	 * it is told which block will fill the buffer, does not, and insert
	 * then looks at the ghosts itself.
	 */
	void		(*miss)(void *st, const struct bp_key *key);
	/* e now holds key (a miss filled); ghosts may promote it */
	void		(*insert)(void *st, struct bp_ent *e);
	void		(*access)(void *st, struct bp_ent *e);	/* a hit */
	void		(*release)(void *st, struct bp_ent *e);	/* back on a
								   free queue */
	/* e no longer holds its block; evicted: chosen as a victim */
	void		(*remove)(void *st, struct bp_ent *e, bool evicted);
	/* the entry to evict among those ok() accepts, or NULL */
	struct bp_ent	*(*victim)(void *st, bp_evictable_fn *ok, void *arg);
};

/* "lru", "clock", "2q", "arc"; NULL if unknown. */
const struct bufpolicy_ops *bufpolicy_lookup(const char *name);
extern const struct bufpolicy_ops *const bufpolicies[];

/*
 * An offline cache of capacity blocks run by a policy: each reference is
 * a hit or a miss (misses fill the cache; a miss with the cache full
 * evicts the policy's victim first).  What bufpolicy_misses and vfssim
 * cache run.
 */
struct bp_cache;
struct bp_cache *bp_cache_new(const struct bufpolicy_ops *ops, int capacity);
/* true: a hit */
bool	bp_cache_ref(struct bp_cache *c, const struct bp_key *key);
/* A hint: key is referenced soon (the table's slot is fetched now). */
void	bp_cache_prefetch(const struct bp_cache *c, const struct bp_key *key);
void	bp_cache_free(struct bp_cache *c);

/* Misses of a policy on a reference stream with capacity buffers. */
uint64_t bufpolicy_misses(const struct bufpolicy_ops *ops,
	    const struct bp_key *refs, size_t n, int capacity);
/* Misses of Belady's OPT: evict the block used furthest in the future. */
uint64_t bufpolicy_opt_misses(const struct bp_key *refs, size_t n, int capacity);

#endif
