/*
 * bio_verify.c — the simulator's own data-version oracle, not the
 * kernel's: every change to a buffer's data is a new version
 * (bio_note_version), the latest of its block; the disk's side is kept by
 * biodone (bio.c).  A block freed, moved by ffs_reallocblks or claimed by
 * a snapshot has its expectations changed here; at the end of a run
 * bio_verify counts the blocks whose last version never reached the disk
 * ("nothing lost", replay.verify).  The versions also drive the crash
 * accounting (ffs_crash.c).  Moved out of bio.c: 2001's vfs_bio.c had
 * nothing of the kind.
 */
#include "kern.h"

/* The buffer's data changed: a new version, the latest of its block. */
uint64_t
bio_note_version(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;
	int64_t *key;

	if (bp->b_blkno < 0)
		return 0;
	bp->b_version = ++bc->version;
	if (k->crash != NULL)
		ffs_crash_version(k, bp);
	if (bc->ver_mem == NULL)
		return bp->b_version;
	key = g_new(int64_t, 1);
	*key = bp->b_blkno;
	g_hash_table_insert(bc->ver_mem, key, GSIZE_TO_POINTER((gsize)bp->b_version));
	return bp->b_version;
}

/* ffs_reallocblks moved bp's block: its data now belongs at the new
 * b_blkno (the old block was freed, and its versions forgotten with it). */
void
bio_moved_block(struct kern *k, struct buf *bp)
{
	struct bufcache *bc = &k->bc;
	int64_t *key;

	if (k->crash != NULL)
		ffs_crash_moved(k, bp);
	if (bc->ver_mem == NULL || bp->b_version == 0)
		return;
	key = g_new(int64_t, 1);
	*key = bp->b_blkno;
	g_hash_table_insert(bc->ver_mem, key, GSIZE_TO_POINTER((gsize)bp->b_version));
}

/* The block was freed but a snapshot took it over as the disk holds it:
 * a newer version of it in memory is never to be written there. */
void
bio_block_claimed(struct kern *k, ufs2_daddr_t blkno)
{
	if (k->bc.ver_mem != NULL)
		g_hash_table_remove(k->bc.ver_mem, &blkno);
}

/* The block was freed: nothing of it needs to reach the disk. */
void
bio_forget_block(struct kern *k, ufs2_daddr_t blkno)
{
	struct bufcache *bc = &k->bc;

	if (bc->ver_mem == NULL)
		return;
	g_hash_table_remove(bc->ver_mem, &blkno);
	g_hash_table_remove(bc->ver_disk, &blkno);
}

uint64_t
bio_verify(struct kern *k, uint64_t *checked)
{
	struct bufcache *bc = &k->bc;
	GHashTableIter it;
	gpointer key, v;
	uint64_t lost = 0;

	*checked = 0;
	if (bc->ver_mem == NULL)
		return 0;
	/* A count: the iteration order does not matter. */
	g_hash_table_iter_init(&it, bc->ver_mem);
	while (g_hash_table_iter_next(&it, &key, &v)) {
		gpointer d = g_hash_table_lookup(bc->ver_disk, key);

		(*checked)++;
		if (d != v)
			lost++;
	}
	return lost;
}
