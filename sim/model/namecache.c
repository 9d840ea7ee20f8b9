/*
 * namecache.c — the name cache (vfs_cache.c): (directory vnode, name) ->
 * vnode, or "no such name" (a negative entry).
 *
 * A hit saves ufs_lookup's reading of directory blocks.  Positive entries
 * live until their directory or target vnode is recycled (cache_purge);
 * only negative ones are bounded: when they would be more than
 * 1/ncnegfactor of all entries, the oldest goes.  A directory with cached
 * names is held (vhold), so it resists recycling while its children are
 * cached.  An entry names its directory by the vnode's identity
 * (v_number, never reused), so a recycled vnode's entries cannot match.
 */
#include "kern.h"
#include "kassert.h"

#include <string.h>

struct nckey {
	uint64_t	 dvid;
	const char	*name;
};

struct namecache {
	struct nckey		 nc_key;	/* nc_key.name is nc_name */
	struct vnode		*nc_dvp;
	struct vnode		*nc_vp;		/* NULL: negative */
	LIST_ENTRY(namecache)	 nc_src;	/* on nc_dvp's v_cache_src */
	LIST_ENTRY(namecache)	 nc_dst;	/* on nc_vp's v_cache_dst */
	TAILQ_ENTRY(namecache)	 nc_neg;	/* on the negative LRU */
	char			 nc_name[];
};

/* FNV-1 over the name, then over the directory's identity, as the
 * kernel hashes (fnv_32_str, then fnv_32_buf of v_id). */
static guint
nckey_hash(gconstpointer p)
{
	const struct nckey *key = p;
	const unsigned char *c;
	uint32_t h = 2166136261u;
	int i;

	for (c = (const unsigned char *)key->name; *c != '\0'; c++)
		h = (h * 16777619u) ^ *c;
	for (i = 0; i < 8; i++)
		h = (h * 16777619u) ^ (uint8_t)(key->dvid >> (8 * i));
	return h;
}

static gboolean
nckey_equal(gconstpointer a, gconstpointer b)
{
	const struct nckey *x = a, *y = b;

	return x->dvid == y->dvid && strcmp(x->name, y->name) == 0;
}

void
nchinit(struct kern *k)
{
	k->nc.hash = g_hash_table_new(nckey_hash, nckey_equal);
	TAILQ_INIT(&k->nc.neg);
}

static void
cache_zap(struct kern *k, struct namecache *ncp)
{
	struct vnode *dvp = ncp->nc_dvp;

	g_hash_table_remove(k->nc.hash, &ncp->nc_key);
	LIST_REMOVE(ncp, nc_src);
	if (ncp->nc_vp != NULL)
		LIST_REMOVE(ncp, nc_dst);
	else {
		TAILQ_REMOVE(&k->nc.neg, ncp, nc_neg);
		k->nc.numneg--;
	}
	k->nc.numcache--;
	g_free(ncp);
	/* The directory's last cached name: it may be recycled again. */
	if (LIST_EMPTY(&dvp->v_cache_src))
		vdrop(k, dvp);
}

void
nchfini(struct kern *k)
{
	if (k->nc.hash == NULL)
		return;
	while (!TAILQ_EMPTY(&k->nc.neg)) {
		struct namecache *ncp = TAILQ_FIRST(&k->nc.neg);

		TAILQ_REMOVE(&k->nc.neg, ncp, nc_neg);
		g_hash_table_remove(k->nc.hash, &ncp->nc_key);
		g_free(ncp);
	}
	{
		GHashTableIter it;
		gpointer v;

		g_hash_table_iter_init(&it, k->nc.hash);
		while (g_hash_table_iter_next(&it, NULL, &v))
			g_free(v);
	}
	g_hash_table_destroy(k->nc.hash);
	k->nc.hash = NULL;
}

/*
 * cache_lookup: 0 on a miss (the caller reads the directory), CACHE_HIT
 * with *vpp for a name, CACHE_NEG for a name known not to be there.  An
 * operation that will change the name (makeentry false: the last
 * component of a remove or rename) or create it drops the entry instead.
 */
int
cache_lookup(struct kern *k, struct vnode *dvp, const char *name,
    bool makeentry, bool creating, struct vnode **vpp)
{
	struct nckey key = { dvp->v_number, name };
	struct namecache *ncp;

	*vpp = NULL;
	if (!k->p.namecache)
		return 0;
	ncp = g_hash_table_lookup(k->nc.hash, &key);
	if (ncp == NULL) {
		k->cnt.nc_miss++;
		return 0;
	}
	if (!makeentry) {
		k->cnt.nc_miss++;
		cache_zap(k, ncp);
		return 0;
	}
	if (ncp->nc_vp != NULL) {
		k->cnt.nc_goodhits++;
		*vpp = ncp->nc_vp;
		return CACHE_HIT;
	}
	if (creating) {
		k->cnt.nc_miss++;
		cache_zap(k, ncp);
		return 0;
	}
	/* A negative hit: the entry is used again, to the tail. */
	k->cnt.nc_neghits++;
	TAILQ_REMOVE(&k->nc.neg, ncp, nc_neg);
	TAILQ_INSERT_TAIL(&k->nc.neg, ncp, nc_neg);
	return CACHE_NEG;
}

void
cache_enter(struct kern *k, struct vnode *dvp, struct vnode *vp,
    const char *name)
{
	size_t n = strlen(name);
	struct namecache *ncp;
	struct nckey key = { dvp->v_number, name };

	if (!k->p.namecache || n > UFS_MAXNAMLEN)
		return;
	if ((ncp = g_hash_table_lookup(k->nc.hash, &key)) != NULL)
		cache_zap(k, ncp);
	ncp = g_malloc0(sizeof(*ncp) + n + 1);
	memcpy(ncp->nc_name, name, n + 1);
	ncp->nc_key.dvid = dvp->v_number;
	ncp->nc_key.name = ncp->nc_name;
	ncp->nc_dvp = dvp;
	ncp->nc_vp = vp;
	g_hash_table_insert(k->nc.hash, &ncp->nc_key, ncp);
	k->nc.numcache++;
	if (LIST_EMPTY(&dvp->v_cache_src))
		vhold(dvp);
	LIST_INSERT_HEAD(&dvp->v_cache_src, ncp, nc_src);
	if (vp != NULL)
		LIST_INSERT_HEAD(&vp->v_cache_dst, ncp, nc_dst);
	else {
		TAILQ_INSERT_TAIL(&k->nc.neg, ncp, nc_neg);
		k->nc.numneg++;
		/* Negative entries are held to 1/ncnegfactor of all. */
		if (k->nc.numneg * k->p.ncnegfactor > k->nc.numcache)
			cache_zap(k, TAILQ_FIRST(&k->nc.neg));
	}
}

/* cache_purge: every entry from and to vp goes (it is being recycled, or
 * its names changed). */
void
cache_purge(struct kern *k, struct vnode *vp)
{
	vhold(vp);		/* zapping its last child would vdrop it */
	while (!LIST_EMPTY(&vp->v_cache_src))
		cache_zap(k, LIST_FIRST(&vp->v_cache_src));
	while (!LIST_EMPTY(&vp->v_cache_dst))
		cache_zap(k, LIST_FIRST(&vp->v_cache_dst));
	vp->v_holdcnt--;	/* not vdrop: the caller decides its fate */
}

/* Drop the entry for one name (a remove or rename of it). */
void
cache_purge_name(struct kern *k, struct vnode *dvp, const char *name)
{
	struct nckey key = { dvp->v_number, name };
	struct namecache *ncp = g_hash_table_lookup(k->nc.hash, &key);

	if (ncp != NULL)
		cache_zap(k, ncp);
}

/*
 * __getcwd (vfs_cache.c): the working directory's path from the name
 * cache alone, from it up to the root: at each level the entry that names
 * the directory most lately (the head of v_cache_dst), which must be in
 * its parent (v_dd); a level without one (numcwdfail2: ENOENT) fails the
 * call, and libc finds the path the slow way (sys_getcwd).  No lookup, no
 * I/O: the names are copied out.  A disabled cache (vfs.namecache = 0,
 * the kernel's doingcache) holds no entries: the call always fails.
 */
int
cache_getcwd(struct kern *k, struct vnode *cdir)
{
	struct inode *root = k->fs.fs_root;
	struct vnode *vp = cdir;
	int depth;

	for (depth = 0; vp->v_data != root; depth++) {
		struct namecache *ncp = LIST_FIRST(&vp->v_cache_dst);

		/* (MAXPATHLEN, 1,024 bytes, holds fewer levels: ENOMEM) */
		if (ncp == NULL || ncp->nc_dvp->v_data != vp->v_data->i_parent ||
		    depth >= 512) {
			k->cnt.numcwdfail++;
			return ENOENT;
		}
		vp = ncp->nc_dvp;
	}
	k->cnt.numcwdfound++;
	return 0;
}
