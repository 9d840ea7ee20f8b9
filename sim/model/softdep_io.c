/*
 * softdep_io.c — soft updates' side of the writes (ffs_softdep.c's
 * bioops): what a write of a block with dependencies carries and rolls
 * back when it is started (initiate_write_inodeblock,
 * initiate_write_filepage), what is on the disk once it is done and what
 * that lets go (handle_written_inodeblock, handle_written_filepage, the
 * bitmaps' and the new blocks'), the block made dirty again when
 * something was rolled back; and the rollbacks applied to the crash
 * image's copy of the block.  See softdep.c.
 */
#include "kern.h"
#include "libkern.h"
#include "kassert.h"
#include "ffs_private.h"
#include "ffs_crash_private.h"
#include "softdep.h"
#include "softdep_private.h"

#include <string.h>

/* ---- the writes ------------------------------------------------------ */

/* What bp is: a cg block, an inode block, a directory block, a file's
 * indirect block, a block a pointer waits for (or -1). */
static int
buf_kind(struct kern *k, struct buf *bp)
{
	struct vnode *vp = bp->b_vp;
	struct inode *ip;

	if (vp == NULL || bp->b_blkno < 0)
		return -1;
	if (vp == k->fs.fs_devvp)
		return ffs_sector_kind(&k->fs, bp->b_blkno);
	if ((ip = vp->v_data) != NULL && bp->b_lblkno < 0)
		return SD_INDIR;
	if (ip != NULL && ip->i_isdir)
		return DBK_DIR;
	return DBK_DATA;
}

/* The indirdep's rollbacks: pointers to blocks not yet on the disk, or
 * whose map is not, carry what was there before (the kernel writes its
 * saved copy, ir_savebp, instead of the buffer). */
static void
initiate_write_indirblock(struct kern *k, struct buf *bp, struct sd_io *io)
{
	struct softdep *sd = k->softdep;
	struct inode *ip = bp->b_vp->v_data;
	struct indirdep *ir = indirdep_lookup(sd, ip->i_number, bp->b_lblkno,
	    false);
	GList *l;

	io->ino = ip->i_number;
	io->lbn = bp->b_lblkno;
	io->rb = g_array_new(FALSE, FALSE, sizeof(struct sd_rb));
	io->done = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	if (ir == NULL)
		return;
	for (l = ir->ir_deplisthd; l != NULL; l = l->next) {
		struct allocindir *ai = l->data;

		if (ai->ai_complete && sd->cg_wstamp[dtog(&k->fs,
		    ai->ai_newblkno)] >= ai->ai_mapstamp)
			g_array_append_val(io->done, ai->ai_id);
		else {
			struct sd_rb r = { ip->i_number, ai->ai_slot,
			    ai->ai_oldblkno, 0 };

			g_array_append_val(io->rb, r);
			io->rolled = true;
		}
	}
}

/* handle_written_indirblock: the pointers it carried are the disk's. */
static void
handle_written_indirblock(struct kern *k, struct sd_io *io)
{
	struct softdep *sd = k->softdep;
	struct indirdep *ir = indirdep_lookup(sd, io->ino, io->lbn, false);
	GList *l, *next;

	for (l = ir != NULL ? ir->ir_deplisthd : NULL; l != NULL; l = next) {
		struct allocindir *ai = l->data;

		next = l->next;
		if (!g_array_binary_search(io->done, &ai->ai_id, cmp_u64, NULL))
			continue;
		softdep_allocindir_done(k, ai);	/* its freefrag */
		/* (the last one frees the indirdep: stop there) */
		if (ai_free(sd, ir, ai))
			break;
	}
}

/* initiate_write_inodeblock: what the write carries of each inode in the
 * block, and what it rolls back. */
static void
initiate_write_inodeblock(struct kern *k, struct buf *bp, struct sd_io *io)
{
	struct softdep *sd = k->softdep;
	struct fs *fs = &k->fs;
	int64_t f = dbtofsb(fs, bp->b_blkno);
	uint64_t ino0 = (uint64_t)dtog(fs, f) * (uint64_t)fs->fs_ipg +
	    (uint64_t)((dtogd(fs, f) - fs->fs_iblkno) / fs->fs_frag) *
	    (uint64_t)fs->fs_inopb;
	int i;

	io->inos = g_array_new(FALSE, FALSE, sizeof(struct sd_ino));
	io->rb = g_array_new(FALSE, FALSE, sizeof(struct sd_rb));
	io->done = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	for (i = 0; i < fs->fs_inopb; i++) {
		uint64_t ino = ino0 + (uint64_t)i;
		struct inodedep *id = g_hash_table_lookup(sd->inodedeps, &ino);
		struct sd_ino si = { ino, 0 };
		GList *l;

		if (id == NULL)
			continue;
		if (!id_depcomplete(k, id)) {
			/* The map allocating it is not on the disk: the
			 * whole inode is rolled back (id_savedino). */
			g_array_append_val(io->inos, si);
			io->rolled = true;
			continue;
		}
		si.gen = id->id_gen;
		g_array_append_val(io->inos, si);
		for (l = id->id_inoupdt; l != NULL; l = l->next) {
			struct allocdirect *ad = l->data;

			if (ad->ad_stamp > id->id_gen)
				continue;	/* not in this copy yet */
			if (ad->ad_complete && sd->cg_wstamp[dtog(fs,
			    ad->ad_newblkno)] >= ad->ad_mapstamp) {
				g_array_append_val(io->done, ad->ad_id);
				continue;
			}
			{
				struct sd_rb r = { ino, ad->ad_lbn,
				    ad->ad_oldblkno, ad->ad_oldsize };

				g_array_append_val(io->rb, r);
				io->rolled = true;
			}
		}
	}
}

/* initiate_write_filepage: entries whose inode is not on the disk yet are
 * rolled back (to nothing, or to the inode they named before). */
static void
initiate_write_filepage(struct kern *k, struct buf *bp, struct sd_io *io)
{
	struct softdep *sd = k->softdep;
	struct inode *dp = bp->b_vp->v_data;
	struct pagedep *pd = pagedep_lookup(sd, dp->i_number, bp->b_lblkno,
	    false);
	GList *l;

	io->ino = dp->i_number;
	io->lbn = bp->b_lblkno;
	io->done = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	io->de = g_array_new(FALSE, FALSE, sizeof(struct sd_de));
	if (pd == NULL)
		return;
	for (l = pd->pd_diraddhd; l != NULL; l = l->next) {
		struct diradd *da = l->data;

		if (diradd_ready(k, da))
			g_array_append_val(io->done, da->da_id);
		else {
			struct sd_de e = { da->da_chunk, g_strdup(da->da_name),
			    da->da_oldinum };

			g_array_append_val(io->de, e);
			io->rolled = true;
		}
	}
}

static void
io_start_one(struct kern *k, struct buf *bp)
{
	struct softdep *sd = k->softdep;
	struct sd_io *io;
	int kind = buf_kind(k, bp);

	if (kind < 0 || g_hash_table_contains(sd->io, bp))
		return;		/* a background copy: started when made */
	io = g_new0(struct sd_io, 1);
	io->kind = kind;
	io->stamp = sd->gen;
	switch (kind) {
	case DBK_CG:
		io->cg = dtog(&k->fs, dbtofsb(&k->fs, bp->b_blkno));
		break;
	case DBK_INODE:
		initiate_write_inodeblock(k, bp, io);
		break;
	case DBK_DIR:
		initiate_write_filepage(k, bp, io);
		break;
	case SD_INDIR:
		initiate_write_indirblock(k, bp, io);
		break;
	default:
		break;
	}
	if (io->rolled)
		sd->st.rollbacks++;
	g_hash_table_insert(sd->io, bp, io);
}

/* softdep_disk_io_initiation (bioops.io_start): from bstrategy, and when
 * a background write's copy is made. */
void
softdep_disk_io_initiation(struct kern *k, struct buf *bp)
{
	struct buf *cbp;

	if (k->softdep == NULL || (bp->b_flags & B_READ))
		return;
	if (bp->b_flags & B_CLUSTER) {
		TAILQ_FOREACH(cbp, &bp->b_cluster_head, b_cluster)
			io_start_one(k, cbp);
		return;
	}
	io_start_one(k, bp);
}

/* handle_written_inodeblock */
static void
handle_written_inodeblock(struct kern *k, struct sd_io *io)
{
	struct softdep *sd = k->softdep;
	guint i;

	for (i = 0; i < io->inos->len; i++) {
		struct sd_ino si = g_array_index(io->inos, struct sd_ino, i);
		struct inodedep *id = g_hash_table_lookup(sd->inodedeps, &si.ino);
		GList *l, *next;

		if (id == NULL || si.gen == 0)
			continue;
		if (si.gen > id->id_wgen)
			id->id_wgen = si.gen;
		/* the pointers it carried: done, their freefrags free */
		for (l = id->id_inoupdt; l != NULL; l = next) {
			struct allocdirect *ad = l->data;

			next = l->next;
			if (!g_array_binary_search(io->done, &ad->ad_id,
			    cmp_u64, NULL))
				continue;
			ad_queue_freefrag(sd, ad);
			id->id_inoupdt = g_list_delete_link(id->id_inoupdt, l);
			ad_free(sd, ad);
		}
		/* what waited for this copy: to the worklist */
		for (l = id->id_bufwait; l != NULL; l = next) {
			struct worklist *wk = l->data;

			next = l->next;
			if (wk->wk_stamp > id->id_wgen)
				continue;
			id->id_bufwait = g_list_delete_link(id->id_bufwait, l);
			add_to_worklist(sd, wk);
		}
		inodedep_maybe_free(k, id);
	}
}

/* handle_written_filepage */
static void
handle_written_filepage(struct kern *k, struct sd_io *io)
{
	struct softdep *sd = k->softdep;
	struct pagedep *pd = pagedep_lookup(sd, io->ino, io->lbn, false);
	struct inodedep *nid;
	GList *l, *next;

	/* A new directory's first block: MKDIR_BODY of its entry. */
	if (io->lbn == 0 && (nid = g_hash_table_lookup(sd->inodedeps,
	    &io->ino)) != NULL)
		for (l = nid->id_pendinghd; l != NULL; l = l->next) {
			struct diradd *da = l->data;

			if (da->da_mkdir && io->stamp >= da->da_mkstamp)
				da->da_bodydone = true;
		}
	if (pd == NULL)
		return;
	if (io->stamp > pd->pd_wstamp)
		pd->pd_wstamp = io->stamp;
	for (l = pd->pd_diraddhd; l != NULL; l = next) {
		struct diradd *da = l->data;
		struct inodedep *id;

		next = l->next;
		if (!g_array_binary_search(io->done, &da->da_id, cmp_u64, NULL))
			continue;
		pd->pd_diraddhd = g_list_delete_link(pd->pd_diraddhd, l);
		/* DIRCHG: the old inode's name is off the disk now */
		if (da->da_previous != NULL) {
			add_to_worklist(sd, da->da_previous);
			da->da_previous = NULL;
		}
		if ((id = g_hash_table_lookup(sd->inodedeps, &da->da_newinum)) !=
		    NULL) {
			id->id_pendinghd = g_list_remove(id->id_pendinghd, da);
			da_free(sd, da);
			inodedep_maybe_free(k, id);
		} else
			da_free(sd, da);
	}
	for (l = pd->pd_dirremhd; l != NULL; l = next) {
		struct worklist *wk = l->data;

		next = l->next;
		if (wk->wk_stamp > io->stamp)
			continue;
		pd->pd_dirremhd = g_list_delete_link(pd->pd_dirremhd, l);
		add_to_worklist(sd, wk);
	}
	pagedep_maybe_free(sd, pd);
}

/*
 * softdep_disk_write_complete (bioops.io_complete), from biodone: what
 * the write carried is on the disk; a block written with a part rolled
 * back is dirty again (the kernel's bdirty in handle_written_*), to be
 * written once more.
 */
void
softdep_disk_write_complete(struct kern *k, struct buf *bp, bool ok)
{
	struct softdep *sd = k->softdep;
	struct sd_io *io;
	struct allocdirect *ad;
	struct allocindir *ai;
	int64_t f;

	if (sd == NULL || (bp->b_flags & (B_READ | B_CLUSTER)))
		return;
	io = g_hash_table_lookup(sd->io, bp);
	if (io == NULL)
		return;
	if (!ok) {
		g_hash_table_remove(sd->io, bp);
		return;
	}
	switch (io->kind) {
	case DBK_CG:
		if (io->stamp > sd->cg_wstamp[io->cg])
			sd->cg_wstamp[io->cg] = io->stamp;
		break;
	case DBK_INODE:
		g_array_sort(io->done, cmp_u64);
		handle_written_inodeblock(k, io);
		break;
	case DBK_DIR:
	case SD_INDIR:
		g_array_sort(io->done, cmp_u64);
		if (io->kind == DBK_DIR)
			handle_written_filepage(k, io);
		else
			handle_written_indirblock(k, io);
		/* a new directory or indirect block is a new block too */
		/* FALLTHROUGH */
	default:
		/* handle_allocdirect_partdone, handle_allocindir_partdone:
		 * the block is on the disk */
		f = dbtofsb(&k->fs, bp->b_blkno);
		if ((ad = g_hash_table_lookup(sd->adbyblk, &f)) != NULL)
			ad->ad_complete = true;
		if ((ai = g_hash_table_lookup(sd->aibyblk, &f)) != NULL)
			ai->ai_complete = true;
		break;
	}
	if (io->rolled && !(bp->b_xflags & BX_BKGRDCOPY) &&
	    !(bp->b_flags & B_INVAL)) {
		sd->st.redirtied++;
		bdirty(k, bp);
	}
	g_hash_table_remove(sd->io, bp);
}

/* ---- the crash image --------------------------------------------------- */

static void
rollback_inode(const struct fs *fs, struct dinode_img *d, GArray *rb)
{
	int64_t lastlbn = -1;
	guint i;
	int j;

	for (i = 0; i < rb->len; i++) {
		const struct sd_rb *r = &g_array_index(rb, struct sd_rb, i);

		if (r->ino != d->di_ino)
			continue;
		if (r->lbn >= NDADDR) {
			d->di_ib[r->lbn - NDADDR] = 0;
			continue;
		}
		d->di_db[r->lbn] = r->old;
		lastlbn = MAX(lastlbn, r->lbn);
		/* Rolled back to a fragment: the size cannot go past it,
		 * nor any pointer after it be there. */
		if (r->oldsize != 0 && r->oldsize != fs->fs_bsize) {
			d->di_size = MIN(d->di_size,
			    (int64_t)fs->fs_bsize * r->lbn + r->oldsize);
			for (j = (int)r->lbn + 1; j < NDADDR; j++)
				d->di_db[j] = 0;
			for (j = 0; j < NIADDR; j++)
				d->di_ib[j] = 0;
			return;
		}
	}
	/* The last block rolled back: the size to the last one there. */
	if (lastlbn >= 0 && d->di_size <= (lastlbn + 1) * fs->fs_bsize) {
		for (j = (int)lastlbn; j >= 0; j--)
			if (d->di_db[j] != 0)
				break;
		d->di_size = MIN(d->di_size, (int64_t)(j + 1) * fs->fs_bsize);
	}
}

void
softdep_rollback_image(struct kern *k, struct buf *bp, struct dblk *b)
{
	struct sd_io *io;
	guint i, j;

	if (k->softdep == NULL || b == NULL ||
	    (io = g_hash_table_lookup(k->softdep->io, bp)) == NULL ||
	    !io->rolled)
		return;
	if (io->kind == DBK_INODE && b->kind == DBK_INODE) {
		for (i = 0; i < b->u.inodes->len; i++) {
			struct dinode_img *d = &g_array_index(b->u.inodes,
			    struct dinode_img, i);

			for (j = 0; j < io->inos->len; j++) {
				const struct sd_ino *si = &g_array_index(io->inos,
				    struct sd_ino, j);

				if (si->ino != d->di_ino)
					continue;
				if (si->gen == 0) {
					uint64_t ino = d->di_ino;

					memset(d, 0, sizeof(*d));
					d->di_ino = ino;
					d->di_type = DI_FREE;
				} else
					rollback_inode(&k->fs, d, io->rb);
				break;
			}
		}
	} else if (io->kind == SD_INDIR && b->kind == DBK_INDIR) {
		for (j = 0; j < io->rb->len; j++) {
			const struct sd_rb *r = &g_array_index(io->rb,
			    struct sd_rb, j);

			if (r->lbn >= 0 && r->lbn < k->fs.fs_nindir)
				b->u.ptr[r->lbn] = r->old;
		}
	} else if (io->kind == DBK_DIR && b->kind == DBK_DIR) {
		for (j = 0; j < io->de->len; j++) {
			const struct sd_de *e = &g_array_index(io->de,
			    struct sd_de, j);

			for (i = 0; i < b->u.ents->len; i++) {
				struct dirent_img *de = &g_array_index(b->u.ents,
				    struct dirent_img, i);

				if (de->de_chunk == e->chunk &&
				    strcmp(de->de_name, e->name) == 0) {
					if (e->oldino != 0)
						de->de_ino = e->oldino;
					else {
						g_free(de->de_name);
						g_array_remove_index(b->u.ents, i);
					}
					break;
				}
			}
		}
	}
}


/*
 * softdep_count_dependencies (bioops.io_countdeps, for flushbufqueues):
 * what a write of bp's block would have to roll back — the inodes in it
 * not yet in their map or with new pointers, the directory block's new
 * entries.  A cg map's (bmsafemap's) are "never a dependency on these
 * blocks": it is what the others wait for.
 */
int
softdep_count_dependencies(struct kern *k, struct buf *bp)
{
	struct softdep *sd = k->softdep;
	struct fs *fs = &k->fs;
	struct pagedep *pd;
	struct indirdep *ir;
	int64_t f;
	uint64_t ino0;
	int n = 0, i;

	if (sd == NULL)
		return 0;
	switch (buf_kind(k, bp)) {
	case DBK_INODE:
		f = dbtofsb(fs, bp->b_blkno);
		ino0 = (uint64_t)dtog(fs, f) * (uint64_t)fs->fs_ipg +
		    (uint64_t)((dtogd(fs, f) - fs->fs_iblkno) / fs->fs_frag) *
		    (uint64_t)fs->fs_inopb;
		for (i = 0; i < fs->fs_inopb; i++) {
			uint64_t ino = ino0 + (uint64_t)i;
			struct inodedep *id = g_hash_table_lookup(sd->inodedeps,
			    &ino);

			if (id != NULL)
				n += (int)g_list_length(id->id_inoupdt) +
				    !id_depcomplete(k, id);
		}
		return n;
	case DBK_DIR:
		pd = pagedep_lookup(sd, ((struct inode *)bp->b_vp->v_data)->
		    i_number, bp->b_lblkno, false);
		return pd == NULL ? 0 : (int)g_list_length(pd->pd_diraddhd);
	case SD_INDIR:
		ir = indirdep_lookup(sd, ((struct inode *)bp->b_vp->v_data)->
		    i_number, bp->b_lblkno, false);
		return ir == NULL ? 0 : (int)g_list_length(ir->ir_deplisthd);
	default:
		return 0;
	}
}
