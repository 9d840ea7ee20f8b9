/*
 * softdep.c — soft updates, after ufs/ffs/ffs_softdep.c as 5.0-CURRENT and
 * RELENG_4 had it in 2001 (the two differ little here), and McKusick and
 * Ganger, "Soft Updates: A Technique for Eliminating Most Synchronous
 * Writes in the Fast Filesystem" (FREENIX 1999).
 *
 * Metadata is written with delayed writes; the order the disk must see is
 * kept by dependencies, with the kernel's names:
 *   - inodedep: an inode with changes not yet on the disk — whether the cg
 *     map that allocated it is (DEPCOMPLETE), its block pointers waiting
 *     (id_inoupdt: allocdirects), work waiting for its block to be written
 *     (id_bufwait: freeblks, freefile, the parent's side of a rmdir), the
 *     names of it not yet on the disk (id_pendinghd), and the link count
 *     the disk keeps while a removal waits (id_nlinkdelta);
 *   - bmsafemap: the cg maps before the pointers: a new block or inode is
 *     not pointed to or named on the disk before the map saying it is in
 *     use is there;
 *   - allocdirect (with its newblk): a pointer in the inode (direct, or to
 *     an indirect block's root) not on the disk before the block it points
 *     to and its map; a fragment moved or a block reallocated leaves a
 *     freefrag, freed once the inode pointing elsewhere is written;
 *   - pagedep/diradd: a directory entry not on the disk before the inode
 *     it names (with its link count); mkdir's two more (MKDIR_BODY: the new
 *     directory's first block; MKDIR_PARENT: the parent's inode with its
 *     raised link count);
 *   - dirrem: a name gone from the disk before the link count it held is
 *     lowered (handle_workitem_remove, from the worklist), and the file
 *     freed only then; a rmdir's parent's count once the directory's
 *     cleared inode is on the disk;
 *   - freeblks/freefile: a truncated or freed inode written before its
 *     blocks or its number go back to the maps.
 * A buffer written while what it depends on is not on the disk carries
 * the old contents of those parts (initiate_write_inodeblock,
 * initiate_write_filepage: the pointer, the size, the whole inode, the
 * entry) and is made dirty again when the write is done
 * (handle_written_inodeblock, handle_written_filepage): the block is
 * written twice — the cost soft updates really had.  The frees, the
 * removals and what waited for a write go on the worklist that the syncer
 * processes once a second (softdep_process_worklist, called from
 * sched_sync), and ffs_sync(MNT_WAIT) flushes (softdep_flushworklist).
 *
 * The model keeps the file system's truth in core (ffs.h) and no bytes in
 * buffers, so "written after X" is kept with stamps: every change a write
 * must carry (a cg map's allocation, an inode copied into its block, a
 * removal from a directory block) takes the next stamp, and a write
 * started at stamp s carries every change of its block stamped before.
 * The kernel's lists keyed by buffer are these stamps compared at
 * io_start (what the write carries, and rolls back) and at completion
 * (what is on the disk now).
 *
 * With snapshots, blocks a truncation frees are offered to them
 * (ffs_snapblkfree) when the worklist frees them, once the cleared inode
 * is on the disk, as 2001's handle_workitem_freeblocks calling
 * ffs_blkfree did; the worklist waits while writes are suspended.
 *
 * Not modelled (see README "Not yet"): the newdirblk dependency.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"
#include "ffs_crash_private.h"
#include "softdep.h"
#include "softdep_private.h"
#include "vnode.h"

#include <string.h>

gint
cmp_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
dep_add(struct softdep *sd)
{
	if (++sd->ndeps > sd->st.deps_peak)
		sd->st.deps_peak = sd->ndeps;
}

void
dep_del(struct softdep *sd)
{
	KASSERT(sd->ndeps > 0, ("softdep: dependency count below 0"));
	sd->ndeps--;
}

static struct worklist *setup_directory_change(struct kern *k,
	    struct inode *dp, struct inode *oip, const char *name);

/* ---- allocation and freeing of the structures ------------------------ */

void
wk_free(struct worklist *wk)
{
	if (wk->wk_blks != NULL)
		g_array_free(wk->wk_blks, TRUE);
	g_free(wk);
}

struct worklist *
wk_new(struct softdep *sd, int type, uint64_t ino)
{
	struct worklist *wk = g_new0(struct worklist, 1);

	wk->wk_type = type;
	wk->wk_ino = ino;
	if (type == D_FREEBLKS || type == D_FREEFRAG)
		wk->wk_blks = g_array_new(FALSE, FALSE, sizeof(struct sd_blk));
	dep_add(sd);
	return wk;
}

void
ad_free(struct softdep *sd, struct allocdirect *ad)
{
	if (g_hash_table_lookup(sd->adbyblk, &ad->ad_newblkno) == ad)
		g_hash_table_remove(sd->adbyblk, &ad->ad_newblkno);
	if (ad->ad_freefrag != NULL)
		g_array_free(ad->ad_freefrag, TRUE);
	g_free(ad);
	dep_del(sd);
}

void
da_free(struct softdep *sd, struct diradd *da)
{
	KASSERT(da->da_previous == NULL, ("da_free: %s's previous removal "
	    "left behind", da->da_name));
	g_free(da->da_name);
	g_free(da);
	dep_del(sd);
}

void
io_free(gpointer p)
{
	struct sd_io *io = p;
	guint i;

	if (io->inos != NULL)
		g_array_free(io->inos, TRUE);
	if (io->rb != NULL)
		g_array_free(io->rb, TRUE);
	if (io->done != NULL)
		g_array_free(io->done, TRUE);
	if (io->de != NULL) {
		for (i = 0; i < io->de->len; i++)
			g_free(g_array_index(io->de, struct sd_de, i).name);
		g_array_free(io->de, TRUE);
	}
	g_free(io);
}

static void
inodedep_free_cb(gpointer p)
{
	struct inodedep *id = p;
	GList *l;

	for (l = id->id_inoupdt; l != NULL; l = l->next) {
		struct allocdirect *ad = l->data;

		if (ad->ad_freefrag != NULL)
			g_array_free(ad->ad_freefrag, TRUE);
		g_free(ad);
	}
	g_list_free(id->id_inoupdt);
	g_list_free_full(id->id_bufwait, (GDestroyNotify)wk_free);
	g_list_free(id->id_pendinghd);	/* the pagedeps own them */
	g_free(id);
}

static void
indirdep_free_cb(gpointer p)
{
	struct indirdep *ir = p;

	g_list_free_full(ir->ir_deplisthd, g_free);
	g_free(ir);
}

static void
pagedep_free_cb(gpointer p)
{
	struct pagedep *pd = p;
	GList *l;

	for (l = pd->pd_diraddhd; l != NULL; l = l->next) {
		struct diradd *da = l->data;

		if (da->da_previous != NULL)
			wk_free(da->da_previous);
		g_free(da->da_name);
		g_free(da);
	}
	g_list_free(pd->pd_diraddhd);
	g_list_free_full(pd->pd_dirremhd, (GDestroyNotify)wk_free);
	g_free(pd);
}

void
softdep_mount(struct kern *k)
{
	struct softdep *sd = g_new0(struct softdep, 1);

	sd->cg_astamp = g_new0(uint64_t, k->fs.fs_ncg);
	sd->cg_wstamp = g_new0(uint64_t, k->fs.fs_ncg);
	sd->inodedeps = g_hash_table_new_full(g_int64_hash, g_int64_equal,
	    NULL, inodedep_free_cb);
	sd->pagedeps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    pagedep_free_cb);
	sd->adbyblk = g_hash_table_new(g_int64_hash, g_int64_equal);
	sd->aibyblk = g_hash_table_new(g_int64_hash, g_int64_equal);
	sd->indirdeps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    indirdep_free_cb);
	sd->io = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    io_free);
	g_queue_init(&sd->worklist);
	k->softdep = sd;
}

void
softdep_unmount(struct kern *k)
{
	struct softdep *sd = k->softdep;

	if (sd == NULL)
		return;
	g_hash_table_destroy(sd->adbyblk);
	g_hash_table_destroy(sd->aibyblk);
	g_hash_table_destroy(sd->indirdeps);
	g_hash_table_destroy(sd->inodedeps);
	g_hash_table_destroy(sd->pagedeps);
	g_hash_table_destroy(sd->io);
	g_queue_clear_full(&sd->worklist, (GDestroyNotify)wk_free);
	g_free(sd->cg_astamp);
	g_free(sd->cg_wstamp);
	g_free(sd);
	k->softdep = NULL;
}

void
softdep_stats(const struct kern *k, struct softdep_stats *st)
{
	if (k->softdep == NULL)
		memset(st, 0, sizeof(*st));
	else
		*st = k->softdep->st;
}

uint64_t
softdep_count(const struct kern *k)
{
	return k->softdep != NULL ? k->softdep->ndeps : 0;
}

/* inodedep_lookup(..., DEPALLOC): a new one holds nothing; every copy
 * before it is on the disk (an inodedep goes only once they are). */
struct inodedep *
inodedep_lookup(struct softdep *sd, uint64_t ino, bool alloc)
{
	struct inodedep *id = g_hash_table_lookup(sd->inodedeps, &ino);

	if (id != NULL || !alloc)
		return id;
	id = g_new0(struct inodedep, 1);
	id->id_ino = ino;
	id->id_gen = id->id_wgen = sd->gen;
	g_hash_table_insert(sd->inodedeps, &id->id_ino, id);
	return id;
}

/* DEPCOMPLETE: the map that allocated the inode is on the disk. */
bool
id_depcomplete(const struct kern *k, const struct inodedep *id)
{
	return id->id_allocstamp == 0 || k->softdep->cg_wstamp[ino_to_cg(&k->fs,
	    id->id_ino)] >= id->id_allocstamp;
}

/* free_inodedep: nothing left to wait for. */
void
inodedep_maybe_free(struct kern *k, struct inodedep *id)
{
	if (id->id_wgen < id->id_gen || id->id_wgen < id->id_needgen ||
	    !id_depcomplete(k, id) ||
	    id->id_nlinkdelta != 0 || id->id_inoupdt != NULL ||
	    id->id_bufwait != NULL || id->id_pendinghd != NULL)
		return;
	g_hash_table_remove(k->softdep->inodedeps, &id->id_ino);
}

static char *
pd_key(uint64_t ino, int64_t lbn)
{
	return g_strdup_printf("%llu/%lld", (unsigned long long)ino,
	    (long long)lbn);
}

struct pagedep *
pagedep_lookup(struct softdep *sd, uint64_t ino, int64_t lbn, bool alloc)
{
	char *key = pd_key(ino, lbn);
	struct pagedep *pd = g_hash_table_lookup(sd->pagedeps, key);

	if (pd == NULL && alloc) {
		pd = g_new0(struct pagedep, 1);
		pd->pd_ino = ino;
		pd->pd_lbn = lbn;
		g_hash_table_insert(sd->pagedeps, key, pd);
		return pd;
	}
	g_free(key);
	return pd;
}

void
pagedep_maybe_free(struct softdep *sd, struct pagedep *pd)
{
	char *key;

	if (pd->pd_diraddhd != NULL || pd->pd_dirremhd != NULL)
		return;
	key = pd_key(pd->pd_ino, pd->pd_lbn);
	g_hash_table_remove(sd->pagedeps, key);
	g_free(key);
}

struct indirdep *
indirdep_lookup(struct softdep *sd, uint64_t ino, int64_t mlbn, bool alloc)
{
	char *key = pd_key(ino, mlbn);
	struct indirdep *ir = g_hash_table_lookup(sd->indirdeps, key);

	if (ir == NULL && alloc) {
		ir = g_new0(struct indirdep, 1);
		ir->ir_ino = ino;
		ir->ir_mlbn = mlbn;
		g_hash_table_insert(sd->indirdeps, key, ir);
		return ir;
	}
	g_free(key);
	return ir;
}

/* An allocindir done with (and its indirdep, once empty: true). */
bool
ai_free(struct softdep *sd, struct indirdep *ir, struct allocindir *ai)
{
	char *key;

	if (g_hash_table_lookup(sd->aibyblk, &ai->ai_newblkno) == ai)
		g_hash_table_remove(sd->aibyblk, &ai->ai_newblkno);
	ir->ir_deplisthd = g_list_remove(ir->ir_deplisthd, ai);
	g_free(ai);
	dep_del(sd);
	if (ir->ir_deplisthd != NULL)
		return false;
	key = pd_key(ir->ir_ino, ir->ir_mlbn);
	g_hash_table_remove(sd->indirdeps, key);
	g_free(key);
	return true;
}

/* ---- slowing creators down ------------------------------------------- */

enum { FLUSH_INODES = 1, FLUSH_REMOVE = 2 };
#define TICKDELAY	2	/* debug.tickdelay: ticks a slowdown lasts */

/*
 * request_cleanup: "a large burst of file addition or deletion activity
 * can drive the memory load excessively high", so the caller is slowed
 * down: the syncer is asked to clear some inode dependencies
 * (clear_inodedeps) or directories with removals (clear_remove), and the
 * caller sleeps "softupdate" until it has, or TICKDELAY ticks at most.
 * The syncer itself is never held up.  1: it slept.
 */
static int
request_cleanup(struct kern *k, int resource)
{
	struct softdep *sd = k->softdep;
	struct sim_proc *p = curproc(k->sim);
	sim_time_t tick = SIM_SEC / k->p.hz;

	if (p == NULL || p == k->bc.syncer)
		return 0;
	if (resource == FLUSH_INODES) {
		sd->st.ino_limit_push++;
		sd->req_clear_inodedeps = true;
	} else {
		sd->st.blk_limit_push++;
		sd->req_clear_remove = true;
	}
	/* (the kernel's pause_timer is the sleep's timeout here) */
	if (tsleep(k->sim, &sd->proc_waiting, "softupdate",
	    MAX(TICKDELAY, 2) * tick) != 0) {
		if (resource == FLUSH_INODES)
			sd->st.ino_limit_hit++;
		else
			sd->st.blk_limit_hit++;
	}
	return 1;
}

/* softdep_initialize: max_softdeps = desiredvnodes * 8 (the vnode
 * layer is sized after the mount: looked up when needed). */
static int
max_softdeps(const struct kern *k)
{
	return k->p.max_softdeps > 0 ? k->p.max_softdeps :
	    k->desiredvnodes * 8;
}

/* inodedep_lookup's "if we are over our limit, try to improve the
 * situation", before a new inodedep for ino is made. */
static void
inodedep_limit(struct kern *k, uint64_t ino)
{
	struct softdep *sd = k->softdep;

	if (g_hash_table_size(sd->inodedeps) <= (guint)max_softdeps(k) ||
	    g_hash_table_contains(sd->inodedeps, &ino))
		return;
	if (speedup_syncer(k) == 0)
		(void)request_cleanup(k, FLUSH_INODES);
}

/* add_to_worklist */
void
add_to_worklist(struct softdep *sd, struct worklist *wk)
{
	g_queue_push_tail(&sd->worklist, wk);
}

/* ---- allocation -------------------------------------------------------- */

/* softdep_setup_inomapdep: the inode is allocated in its cg's map, which
 * must reach the disk before the inode does (bmsafemap). */
void
softdep_setup_inomapdep(struct kern *k, uint64_t ino)
{
	struct softdep *sd = k->softdep;
	struct inodedep *id;
	int c;

	if (sd == NULL || !ffs_online(k))
		return;
	inodedep_limit(k, ino);
	c = ino_to_cg(&k->fs, ino);
	sd->cg_astamp[c] = ++sd->gen;
	id = inodedep_lookup(sd, ino, true);
	KASSERT(id->id_inoupdt == NULL && id->id_bufwait == NULL,
	    ("softdep_setup_inomapdep: inode %llu in use",
	    (unsigned long long)ino));
	id->id_allocstamp = sd->cg_astamp[c];
	id->id_nlinkdelta = 0;
}

/* softdep_setup_blkmapdep: a block taken in its cg's map. */
void
softdep_setup_blkmapdep(struct kern *k, int64_t blkno)
{
	struct softdep *sd = k->softdep;

	if (sd == NULL || !ffs_online(k))
		return;
	sd->cg_astamp[dtog(&k->fs, blkno)] = ++sd->gen;
}

static struct allocdirect *
ad_find(struct inodedep *id, int64_t lbn)
{
	GList *l;

	for (l = id->id_inoupdt; l != NULL; l = l->next)
		if (((struct allocdirect *)l->data)->ad_lbn == lbn)
			return l->data;
	return NULL;
}

static gint
cmp_ad(gconstpointer a, gconstpointer b)
{
	const struct allocdirect *x = a, *y = b;

	return x->ad_lbn < y->ad_lbn ? -1 : x->ad_lbn > y->ad_lbn;
}

/*
 * softdep_setup_allocdirect: the inode's pointer lbn is newblkno now.  The
 * inode block must not carry it before the block itself (COMPLETE, when
 * its write is done) and the map allocating it (DEPCOMPLETE, bmsafemap)
 * are on the disk.  An earlier allocdirect of the same pointer not yet
 * on the disk is merged into this one (allocdirect_merge): the disk still
 * has the older pointer, and the block in between was never pointed to
 * there, so it is freed at once.
 */
void
softdep_setup_allocdirect(struct kern *k, struct inode *ip, int64_t lbn,
    int64_t newblkno, int64_t oldblkno, int newsize, int oldsize)
{
	struct softdep *sd = k->softdep;
	struct inodedep *id;
	struct allocdirect *ad, *old;
	int64_t *key;

	if (sd == NULL || !ffs_online(k))
		return;
	inodedep_limit(k, ip->i_number);
	id = inodedep_lookup(sd, ip->i_number, true);
	ad = g_new0(struct allocdirect, 1);
	ad->ad_id = ++sd->ids;
	ad->ad_ino = ip->i_number;
	ad->ad_lbn = lbn;
	ad->ad_newblkno = newblkno;
	ad->ad_oldblkno = oldblkno;
	ad->ad_newsize = newsize;
	ad->ad_oldsize = oldsize;
	ad->ad_stamp = ++sd->gen;
	ad->ad_mapstamp = sd->cg_astamp[dtog(&k->fs, newblkno)];
	if ((old = ad_find(id, lbn)) != NULL) {
		/* allocdirect_merge */
		ad->ad_oldblkno = old->ad_oldblkno;
		ad->ad_oldsize = old->ad_oldsize;
		if (newblkno == old->ad_newblkno)
			ad->ad_complete = old->ad_complete;
		ad->ad_freefrag = old->ad_freefrag;
		old->ad_freefrag = NULL;
		id->id_inoupdt = g_list_remove(id->id_inoupdt, old);
		ad_free(sd, old);
	}
	dep_add(sd);
	id->id_inoupdt = g_list_insert_sorted(id->id_inoupdt, ad, cmp_ad);
	key = &ad->ad_newblkno;
	g_hash_table_replace(sd->adbyblk, key, ad);
}

/*
 * softdep_setup_allocindir_page: slot of the indirect block mlbn points at
 * the new data block newblkno now (it pointed at oldblkno: 0, or a block
 * ffs_reallocblks moved).  The indirect block's writes carry the old
 * pointer there (indirdep's saved copy) until the block and the map
 * allocating it are on the disk; the old block is freed then (its
 * freefrag).  An earlier allocindir of the slot not yet on the disk is
 * merged: the block in between was never pointed to there — false: the
 * caller frees oldblkno now.
 */
bool
softdep_setup_allocindir_page(struct kern *k, struct inode *ip, int64_t mlbn,
    int slot, int64_t newblkno, int64_t oldblkno)
{
	struct softdep *sd = k->softdep;
	struct indirdep *ir;
	struct allocindir *ai, *old = NULL;
	bool deferred = oldblkno != 0;
	GList *l;

	if (sd == NULL || !ffs_online(k))
		return false;
	ir = indirdep_lookup(sd, ip->i_number, mlbn, true);
	ai = g_new0(struct allocindir, 1);
	ai->ai_id = ++sd->ids;
	ai->ai_ino = ip->i_number;
	ai->ai_mlbn = mlbn;
	ai->ai_slot = slot;
	ai->ai_newblkno = newblkno;
	ai->ai_oldblkno = oldblkno;
	ai->ai_freeold = oldblkno != 0;
	ai->ai_mapstamp = sd->cg_astamp[dtog(&k->fs, newblkno)];
	for (l = ir->ir_deplisthd; l != NULL; l = l->next)
		if (((struct allocindir *)l->data)->ai_slot == slot)
			old = l->data;
	if (old != NULL && old->ai_newblkno == oldblkno) {
		ai->ai_oldblkno = old->ai_oldblkno;
		ai->ai_freeold = old->ai_freeold;
		deferred = false;
		old->ai_freeold = false;
		(void)ai_free(sd, ir, old);
		ir = indirdep_lookup(sd, ip->i_number, mlbn, true);
	}
	dep_add(sd);
	ir->ir_deplisthd = g_list_append(ir->ir_deplisthd, ai);
	g_hash_table_replace(sd->aibyblk, &ai->ai_newblkno, ai);
	return deferred;
}

/*
 * softdep_setup_allocindir_meta: a new indirect block below the root,
 * pointed to from slot of the indirect block mlbn.  2001's ffs_balloc
 * makes it an allocindir of the parent as for a data block and writes
 * the new block delayed (bdwrite) rather than at once: the parent's
 * writes carry a hole there (the indirdep's saved copy) until the new
 * block, zeroed, and the map allocating it are on the disk
 * (handle_allocindir_partdone).  Nothing was there before: no old block.
 */
void
softdep_setup_allocindir_meta(struct kern *k, struct inode *ip, int64_t mlbn,
    int slot, int64_t nb)
{
	bool deferred;

	deferred = softdep_setup_allocindir_page(k, ip, mlbn, slot, nb, 0);
	KASSERT(!deferred, ("softdep_setup_allocindir_meta: an old block"));
	(void)deferred;
}

/* An allocindir's old block, to free once no pointer to it is left. */
static void
ai_oldblk(struct allocindir *ai, GArray *blks, int bsize)
{
	struct sd_blk b = { ai->ai_oldblkno, bsize };

	if (ai->ai_freeold && ai->ai_oldblkno != 0)
		g_array_append_val(blks, b);
	ai->ai_freeold = false;
}

void
softdep_allocindir_done(struct kern *k, struct allocindir *ai)
{
	struct softdep *sd = k->softdep;
	struct worklist *wk;

	if (!ai->ai_freeold || ai->ai_oldblkno == 0)
		return;
	wk = wk_new(sd, D_FREEFRAG, ai->ai_ino);
	ai_oldblk(ai, wk->wk_blks, k->fs.fs_bsize);
	add_to_worklist(sd, wk);
}

/*
 * ffs_realloccg / ffs_reallocblks under soft updates do not free the old
 * block (the kernel's "if (!DOINGSOFTDEP(vp)) ffs_blkfree"): the
 * allocdirect's freefrag frees it once the inode pointing at the new one
 * is on the disk.  The allocdirect is made right after by ffs_balloc; the
 * freefrag waits on an inodedep's lbn until then.
 */
bool
softdep_defer_blkfree(struct kern *k, struct inode *ip, int64_t lbn,
    int64_t bno, int size)
{
	struct softdep *sd = k->softdep;
	struct inodedep *id;
	struct allocdirect *ad;
	struct sd_blk b = { bno, size };

	if (sd == NULL || !ffs_online(k) || lbn >= NDADDR)
		return false;
	id = inodedep_lookup(sd, ip->i_number, true);
	ad = ad_find(id, lbn);
	if (ad != NULL && ad->ad_newblkno == bno && ad->ad_newblkno !=
	    ad->ad_oldblkno) {
		/* Moved again before the disk saw it: never pointed to on
		 * the disk, free now (allocdirect_merge).  The allocdirect
		 * stays, rolled back to what the disk has, until ffs_balloc
		 * merges the new one into it. */
		if (g_hash_table_lookup(sd->adbyblk, &ad->ad_newblkno) == ad)
			g_hash_table_remove(sd->adbyblk, &ad->ad_newblkno);
		ad->ad_complete = false;
		return false;
	}
	/* Kept on a placeholder allocdirect of the old pointer until
	 * ffs_balloc's softdep_setup_allocdirect merges it. */
	if (ad == NULL) {
		ad = g_new0(struct allocdirect, 1);
		ad->ad_id = ++sd->ids;
		ad->ad_ino = ip->i_number;
		ad->ad_lbn = lbn;
		ad->ad_newblkno = ad->ad_oldblkno = bno;
		ad->ad_newsize = ad->ad_oldsize = size;
		ad->ad_complete = true;
		ad->ad_stamp = UINT64_MAX;	/* in no copy: a placeholder */
		dep_add(sd);
		id->id_inoupdt = g_list_insert_sorted(id->id_inoupdt, ad, cmp_ad);
	}
	if (ad->ad_freefrag == NULL)
		ad->ad_freefrag = g_array_new(FALSE, FALSE, sizeof(struct sd_blk));
	g_array_append_val(ad->ad_freefrag, b);
	return true;
}

/* ffs_blkfree: kept while softdep_setup_freeblocks collects; otherwise
 * the block is free now and an allocdirect still naming it is stale. */
bool
softdep_collect_blkfree(struct kern *k, const struct inode *ip, int64_t bno,
    int size)
{
	struct softdep *sd = k->softdep;
	struct allocdirect *ad;
	struct allocindir *ai;

	if (sd == NULL)
		return false;
	if (sd->collect != NULL && ip != NULL && ip->i_number == sd->collect_ino) {
		struct sd_blk b = { bno, size };

		g_array_append_val(sd->collect, b);
		return true;
	}
	if ((ai = g_hash_table_lookup(sd->aibyblk, &bno)) != NULL) {
		struct indirdep *ir = indirdep_lookup(sd, ai->ai_ino,
		    ai->ai_mlbn, false);

		softdep_allocindir_done(k, ai);
		if (ir != NULL)
			(void)ai_free(sd, ir, ai);
		else
			g_hash_table_remove(sd->aibyblk, &bno);
	}
	if ((ad = g_hash_table_lookup(sd->adbyblk, &bno)) != NULL) {
		struct inodedep *id = inodedep_lookup(sd, ad->ad_ino, false);

		g_hash_table_remove(sd->adbyblk, &bno);
		if (id != NULL && g_list_find(id->id_inoupdt, ad) != NULL) {
			id->id_inoupdt = g_list_remove(id->id_inoupdt, ad);
			/* its freefrags go too: the disk points at neither */
			ad_queue_freefrag(sd, ad);
			ad_free(sd, ad);
		}
	}
	return false;
}

/* ---- inodes --------------------------------------------------------- */

/* softdep_update_inodeblock: ffs_update copied the inode into its block. */
void
softdep_update_inodeblock(struct kern *k, struct inode *ip)
{
	struct softdep *sd = k->softdep;
	struct inodedep *id;

	if (sd == NULL || !ffs_online(k))
		return;
	id = inodedep_lookup(sd, ip->i_number, true);
	id->id_gen = ++sd->gen;
}

int
softdep_nlinkdelta(const struct kern *k, const struct inode *ip)
{
	struct inodedep *id;

	if (k->softdep == NULL)
		return 0;
	id = g_hash_table_lookup(k->softdep->inodedeps, &ip->i_number);
	return id != NULL ? id->id_nlinkdelta : 0;
}

bool
softdep_may_free(const struct kern *k, const struct inode *ip)
{
	return softdep_nlinkdelta(k, ip) == 0;
}

/* The disk holds the copy of inode ino stamped s (or a later one)? */
bool
inode_written(const struct kern *k, uint64_t ino, uint64_t s)
{
	const struct inodedep *id = g_hash_table_lookup(k->softdep->inodedeps,
	    &ino);

	return id == NULL || (id->id_wgen >= s && id_depcomplete(k, id));
}

/* ---- directories ------------------------------------------------------ */

/*
 * softdep_setup_directory_add: the entry name -> ip in dp's chunk.  It
 * reaches the disk only once ip's inode, as copied by the ffs_update the
 * caller made before (ufs_makeinode, ufs_link, ufs_rename), is there; a
 * new directory's also once its first block (MKDIR_BODY) and its parent's
 * inode with the raised link count (MKDIR_PARENT) are.  A rewritten entry
 * (oldino) rolls back to the old inode, and the old inode loses a name
 * only once the block is written (softdep_setup_directory_change's
 * dirrem).
 */
void
softdep_setup_directory_add(struct kern *k, struct inode *dp, int chunk,
    const char *name, struct inode *ip, struct inode *oip, bool isnewdir)
{
	struct softdep *sd = k->softdep;
	struct pagedep *pd;
	struct inodedep *id, *pid;
	struct diradd *da;
	uint64_t oldino = oip != NULL ? oip->i_number : 0;
	bool ondisk = true;		/* the disk names oip there */
	struct worklist *previous = NULL;
	int64_t lbn;
	GList *l;

	if (sd == NULL || !ffs_online(k))
		return;
	inodedep_limit(k, ip->i_number);
	lbn = lblkno(&k->fs, (int64_t)chunk * DIRBLKSIZ);
	pd = pagedep_lookup(sd, dp->i_number, lbn, true);
	/* A pending entry of the same name is replaced. */
	for (l = pd->pd_diraddhd; l != NULL; l = l->next) {
		struct diradd *o = l->data;

		if (strcmp(o->da_name, name) == 0) {
			struct inodedep *oid = inodedep_lookup(sd, o->da_newinum,
			    false);

			/* the disk has what the pending entry replaced, and
			 * its removal waits for this entry now */
			if (oldino != 0) {
				oldino = o->da_oldinum;
				ondisk = false;
			}
			previous = o->da_previous;
			o->da_previous = NULL;
			if (oid != NULL)
				oid->id_pendinghd = g_list_remove(
				    oid->id_pendinghd, o);
			pd->pd_diraddhd = g_list_delete_link(pd->pd_diraddhd, l);
			da_free(sd, o);
			break;
		}
	}
	id = inodedep_lookup(sd, ip->i_number, true);
	da = g_new0(struct diradd, 1);
	da->da_id = ++sd->ids;
	da->da_dirino = dp->i_number;
	da->da_lbn = lbn;
	da->da_chunk = chunk;
	da->da_name = g_strdup(name);
	da->da_newinum = ip->i_number;
	da->da_oldinum = oldino;
	da->da_stamp = id->id_gen;
	if (isnewdir) {
		/* MKDIR_PARENT: a copy of the parent made from here on */
		pid = inodedep_lookup(sd, dp->i_number, true);
		da->da_mkdir = true;
		da->da_mkstamp = ++sd->gen;
		pid->id_needgen = MAX(pid->id_needgen, da->da_mkstamp);
	}
	dep_add(sd);
	pd->pd_diraddhd = g_list_append(pd->pd_diraddhd, da);
	id->id_pendinghd = g_list_prepend(id->id_pendinghd, da);
	/* softdep_setup_directory_change: the old inode loses its name
	 * once this entry, not just the block, is on the disk (DIRCHG:
	 * until then a write of the block carries the old entry) */
	da->da_previous = oip != NULL && ondisk ?
	    setup_directory_change(k, dp, oip, name) : previous;
}

/* Is the entry's every dependency on the disk (ALLCOMPLETE)? */
bool
diradd_ready(const struct kern *k, const struct diradd *da)
{
	struct softdep *sd = k->softdep;

	if (!inode_written(k, da->da_newinum, da->da_stamp))
		return false;
	if (da->da_mkdir) {
		const struct inodedep *pid = g_hash_table_lookup(sd->inodedeps,
		    &da->da_dirino);

		/* MKDIR_BODY */
		if (!da->da_bodydone)
			return false;
		/* MKDIR_PARENT: a copy of the parent made after the mkdir
		 * (the inodedep stays until one is on the disk) */
		if (pid != NULL && pid->id_wgen < da->da_mkstamp)
			return false;
	}
	return true;
}

/* A dirrem for ip (and, for a rmdir, the parent): the link counts the
 * disk keeps until the block without the entry is written. */
static struct worklist *
newdirrem(struct kern *k, struct inode *dp, struct inode *ip, bool isrmdir)
{
	struct softdep *sd = k->softdep;
	struct worklist *wk = wk_new(sd, D_DIRREM, ip->i_number);
	struct inodedep *id = inodedep_lookup(sd, ip->i_number, true);

	wk->wk_stamp = ++sd->gen;
	sd->num_dirrem++;
	wk->wk_rmdir = isrmdir;
	wk->wk_delta = isrmdir ? 2 : 1;
	wk->wk_dirino = dp->i_number;
	id->id_nlinkdelta += wk->wk_delta;
	if (isrmdir)
		inodedep_lookup(sd, dp->i_number, true)->id_nlinkdelta++;
	return wk;
}

/*
 * softdep_setup_remove (newdirrem): the entry is gone from the block.  If
 * the entry never reached the disk (its diradd is still pending), both are
 * obsolete: the link count goes down now and nothing is written for the
 * name (the dirrem is COMPLETE at once).  Otherwise the removal waits for
 * the block to be written, and the link count on the disk stays until
 * then (handle_workitem_remove lowers it).
 */
void
softdep_setup_remove(struct kern *k, struct inode *dp, int chunk,
    const char *name, struct inode *ip, bool isrmdir)
{
	struct softdep *sd = k->softdep;
	struct pagedep *pd;
	struct worklist *wk, *previous;
	int64_t lbn;
	GList *l;

	if (sd == NULL || !ffs_online(k))
		return;
	/* newdirrem: "limiting the number of dirrem structures will also
	 * limit the number of freefile and freeblks structures" */
	if (sd->num_dirrem > max_softdeps(k) / 2 && speedup_syncer(k) == 0)
		(void)request_cleanup(k, FLUSH_REMOVE);
	lbn = lblkno(&k->fs, (int64_t)chunk * DIRBLKSIZ);
	pd = pagedep_lookup(sd, dp->i_number, lbn, true);
	for (l = pd->pd_diraddhd; l != NULL; l = l->next) {
		struct diradd *da = l->data;
		struct inodedep *id;
		uint64_t oldino;

		if (strcmp(da->da_name, name) != 0)
			continue;
		oldino = da->da_oldinum;
		previous = da->da_previous;
		da->da_previous = NULL;
		if ((id = inodedep_lookup(sd, da->da_newinum, false)) != NULL)
			id->id_pendinghd = g_list_remove(id->id_pendinghd, da);
		pd->pd_diraddhd = g_list_delete_link(pd->pd_diraddhd, l);
		da_free(sd, da);
		/* The name never reached the disk: its inode's count goes
		 * down now (the dirrem is COMPLETE at once).  If the disk
		 * names an older inode there, that name goes with the next
		 * write of the block (the DIRCHG's previous dirrem). */
		sd->st.cancelled++;
		if (previous != NULL) {
			previous->wk_stamp = ++sd->gen;
			pd->pd_dirremhd = g_list_append(pd->pd_dirremhd,
			    previous);
		} else
			pagedep_maybe_free(sd, pd);
		(void)oldino;
		return;
	}
	wk = newdirrem(k, dp, ip, isrmdir);
	pd->pd_dirremhd = g_list_append(pd->pd_dirremhd, wk);
}

/* A rewritten entry's old inode: its removal, held by the new entry's
 * diradd (da_previous). */
static struct worklist *
setup_directory_change(struct kern *k, struct inode *dp, struct inode *oip,
    const char *name)
{
	struct worklist *wk = newdirrem(k, dp, oip, oip->i_isdir &&
	    strcmp(name, "..") != 0);

	wk->wk_dirchg = true;
	return wk;
}

/* ---- frees ---------------------------------------------------------- */

void
ad_queue_freefrag(struct softdep *sd, struct allocdirect *ad)
{
	struct worklist *wk;

	if (ad->ad_freefrag == NULL || ad->ad_freefrag->len == 0)
		return;
	wk = wk_new(sd, D_FREEFRAG, ad->ad_ino);
	g_array_append_vals(wk->wk_blks, ad->ad_freefrag->data,
	    ad->ad_freefrag->len);
	add_to_worklist(sd, wk);
}

/* Work waiting for the disk to hold inode id's copy wk_stamp: to the
 * worklist at once if it does (a write may have finished while the
 * caller slept). */
void
bufwait_add(struct kern *k, struct inodedep *id, struct worklist *wk)
{
	if (id->id_wgen >= wk->wk_stamp && id_depcomplete(k, id))
		add_to_worklist(k->softdep, wk);
	else
		id->id_bufwait = g_list_append(id->id_bufwait, wk);
}

/*
 * softdep_setup_freeblocks (ffs_truncate to 0 under soft updates): the
 * in-core inode loses its blocks now and is copied, cleared, into its
 * block (a delayed write); the maps get the blocks back once that copy is
 * on the disk (freeblks on id_bufwait) — at once if the inode never was
 * (its map not written: no pointer to them can be there).  Its
 * dependencies go with it (deallocate_dependencies): pointers never on
 * the disk are dropped (their freefrags, still the disk's, freed with the
 * rest), a directory's pending entries dropped and its removals made to
 * wait for the cleared inode.  Nothing here is held across a sleep: the
 * inodedep is looked up again after each.
 */
bool
softdep_setup_freeblocks(struct kern *k, struct vnode *vp)
{
	struct softdep *sd = k->softdep;
	struct inode *ip = vp->v_data;
	struct inodedep *id;
	struct worklist *fb;
	GList *moved = NULL, *l;
	GPtrArray *pds;
	GHashTableIter it;
	gpointer val;
	guint i;

	/* With snapshots too (2001's ffs_truncate calls this whatever
	 * snapshots there are): the blocks go to ffs_blkfree, and so are
	 * offered to the snapshots (ffs_snapblkfree), only when the
	 * worklist frees them.  A snapshot file is truncated here too, once
	 * ffs_snapgone has taken it off the list (2001's ffs_truncate called
	 * ffs_snapremove first, then this); a live one never is: read-only. */
	if (sd == NULL || !ffs_online(k) || ip->i_snapshot ||
	    sd->collect != NULL)
		return false;
	fb = wk_new(sd, D_FREEBLKS, ip->i_number);
	/* The in-core inode loses its blocks now; the maps keep them. */
	sd->collect = fb->wk_blks;
	sd->collect_ino = ip->i_number;
	ffs_truncate_state(k, ip, 0);
	sd->collect = NULL;
	id = inodedep_lookup(sd, ip->i_number, true);
	for (l = id->id_inoupdt; l != NULL; l = l->next) {
		struct allocdirect *ad = l->data;

		if (ad->ad_freefrag != NULL)
			g_array_append_vals(fb->wk_blks, ad->ad_freefrag->data,
			    ad->ad_freefrag->len);
		ad_free(sd, ad);
	}
	g_list_free(id->id_inoupdt);
	id->id_inoupdt = NULL;
	/* Its indirect blocks' pointers: gone with the blocks. */
	pds = g_ptr_array_new();
	g_hash_table_iter_init(&it, sd->indirdeps);
	while (g_hash_table_iter_next(&it, NULL, &val))
		if (((struct indirdep *)val)->ir_ino == ip->i_number)
			g_ptr_array_add(pds, val);
	for (i = 0; i < pds->len; i++) {
		struct indirdep *ir = g_ptr_array_index(pds, i);

		for (l = ir->ir_deplisthd; l != NULL; l = l->next)
			ai_oldblk(l->data, fb->wk_blks, k->fs.fs_bsize);
		while (!ai_free(sd, ir, ir->ir_deplisthd->data))
			continue;
	}
	g_ptr_array_free(pds, TRUE);
	if (ip->i_isdir) {
		pds = g_ptr_array_new();
		g_hash_table_iter_init(&it, sd->pagedeps);
		while (g_hash_table_iter_next(&it, NULL, &val))
			if (((struct pagedep *)val)->pd_ino == ip->i_number)
				g_ptr_array_add(pds, val);
		for (i = 0; i < pds->len; i++) {
			struct pagedep *pd = g_ptr_array_index(pds, i);

			for (l = pd->pd_diraddhd; l != NULL; l = l->next) {
				struct diradd *da = l->data;
				struct inodedep *cid = inodedep_lookup(sd,
				    da->da_newinum, false);

				if (cid != NULL)
					cid->id_pendinghd = g_list_remove(
					    cid->id_pendinghd, da);
				if (da->da_previous != NULL)
					moved = g_list_append(moved,
					    da->da_previous);
				da->da_previous = NULL;
				da_free(sd, da);
			}
			g_list_free(pd->pd_diraddhd);
			pd->pd_diraddhd = NULL;
			moved = g_list_concat(moved, pd->pd_dirremhd);
			pd->pd_dirremhd = NULL;
			pagedep_maybe_free(sd, pd);
		}
		g_ptr_array_free(pds, TRUE);
	}
	vinvalbuf_range(k, vp, INT64_MIN);
	/* The cleared inode into its block (a delayed write). */
	ip->i_flag |= IN_CHANGE | IN_UPDATE;
	(void)ffs_update(k, ip, false);
	id = inodedep_lookup(sd, ip->i_number, true);
	fb->wk_stamp = id->id_gen;
	for (l = moved; l != NULL; l = l->next) {
		((struct worklist *)l->data)->wk_stamp = id->id_gen;
		bufwait_add(k, id, l->data);
	}
	g_list_free(moved);
	if (!id_depcomplete(k, id) && id->id_bufwait == NULL) {
		add_to_worklist(sd, fb);
		(void)softdep_process_worklist(k);
	} else
		bufwait_add(k, id, fb);
	return true;
}

/*
 * softdep_freefile: the inode's number goes back to the map once the
 * cleared inode is on the disk — at once if the inode never was
 * (check_inode_unwritten).  The cleared inode goes to its block now (what
 * 2001's ufs_reclaim's UFS_UPDATE wrote).
 */
bool
softdep_freefile(struct kern *k, struct inode *ip)
{
	struct softdep *sd = k->softdep;
	struct inodedep *id;
	struct worklist *fx;
	struct buf *bp;

	if (sd == NULL || !ffs_online(k))
		return false;
	id = inodedep_lookup(sd, ip->i_number, true);
	if (!id_depcomplete(k, id) && id->id_bufwait == NULL &&
	    id->id_pendinghd == NULL && id->id_inoupdt == NULL) {
		g_hash_table_remove(sd->inodedeps, &ip->i_number);
		return false;
	}
	fx = wk_new(sd, D_FREEFILE, ip->i_number);
	fx->wk_isdir = ip->i_isdir;
	bp = ffs_meta_bread(k, ino_to_fsba(&k->fs, ip->i_number),
	    k->fs.fs_bsize);
	id = inodedep_lookup(sd, ip->i_number, true);
	id->id_gen = ++sd->gen;
	fx->wk_stamp = id->id_gen;
	bufwait_add(k, id, fx);
	(void)ffs_meta_write(k, bp, false);
	return true;
}
