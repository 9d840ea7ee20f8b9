/*
 * softdep_private.h — what softdep.c (the dependencies as the file system
 * makes them, the worklist, fsync) and softdep_io.c (the writes: what a
 * write carries and rolls back, what is on the disk when it is done)
 * share: the kernel's structures, with stamps for "written after".
 */
#ifndef VFSSIM_SOFTDEP_PRIVATE_H
#define VFSSIM_SOFTDEP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "softdep.h"

struct kern;
struct inode;

/* wk_type */
enum { D_FREEBLKS, D_FREEFILE, D_FREEFRAG, D_DIRREM };

/* What a buffer is to soft updates, beyond enum dblk_kind's. */
#define SD_INDIR	100	/* an indirect block of a file */

/* One item of work: what it waits for (the disk to hold the copy of its
 * inode stamped wk_stamp, or its directory block written after it), then
 * done from the worklist. */
struct worklist {
	int		 wk_type;
	uint64_t	 wk_stamp;
	uint64_t	 wk_ino;	/* the inode it is about */
	/* D_FREEBLKS: the blocks; D_FREEFRAG: one (bno, size) */
	GArray		*wk_blks;	/* struct sd_blk */
	/* D_FREEFILE */
	bool		 wk_isdir;
	/* D_DIRREM */
	uint64_t	 wk_dirino;	/* the parent, for a rmdir */
	int		 wk_delta;	/* link counts it lowers */
	bool		 wk_rmdir;
	bool		 wk_dirchg;	/* a rename over the name (DIRCHG) */
};

struct sd_blk {
	int64_t		 bno;
	int		 size;
};

struct allocdirect {
	uint64_t	 ad_id;
	uint64_t	 ad_ino;
	int64_t		 ad_lbn;	/* < NDADDR, or NDADDR + level */
	int64_t		 ad_newblkno, ad_oldblkno;
	int		 ad_newsize, ad_oldsize;
	uint64_t	 ad_stamp;	/* set up at */
	uint64_t	 ad_mapstamp;	/* its cg's allocations up to here */
	bool		 ad_complete;	/* the block itself is written */
	GArray		*ad_freefrag;	/* struct sd_blk: freed when done */
};

struct inodedep {
	uint64_t	 id_ino;
	uint64_t	 id_allocstamp;	/* the cg map's change allocating it
					   (0: allocated before) */
	uint64_t	 id_gen;	/* the last copy into its block */
	uint64_t	 id_wgen;	/* the last copy the disk holds */
	uint64_t	 id_needgen;	/* a copy after this must reach the
					   disk (MKDIR_PARENT) */
	int		 id_nlinkdelta;
	GList		*id_inoupdt;	/* struct allocdirect */
	GList		*id_bufwait;	/* struct worklist */
	GList		*id_pendinghd;	/* struct diradd naming it */
};

struct diradd {
	uint64_t	 da_id;
	uint64_t	 da_dirino;
	int64_t		 da_lbn;
	int		 da_chunk;
	char		*da_name;
	uint64_t	 da_newinum, da_oldinum;
	uint64_t	 da_stamp;	/* the inode's copy it needs */
	bool		 da_mkdir;	/* MKDIR_BODY and MKDIR_PARENT */
	uint64_t	 da_mkstamp;	/* ... after this */
	bool		 da_bodydone;	/* MKDIR_BODY satisfied */
	/* DIRCHG: the removal of the inode the disk names there
	 * (da_oldinum), done once this entry is on the disk */
	struct worklist	*da_previous;
};

/* A pointer inside an indirect block to a new data block
 * (softdep_setup_allocindir_page), on the indirect block's indirdep. */
struct allocindir {
	uint64_t	 ai_id;
	uint64_t	 ai_ino;
	int64_t		 ai_mlbn;	/* the indirect block (metadata lbn) */
	int		 ai_slot;	/* the pointer's index in it */
	int64_t		 ai_newblkno, ai_oldblkno;
	uint64_t	 ai_mapstamp;	/* its cg's allocations up to here */
	bool		 ai_complete;	/* the block itself is written */
	bool		 ai_freeold;	/* ai_oldblkno freed once done (the
					   freefrag of ffs_reallocblks) */
};

/* An indirect block with pointers waiting (indirdep: its rollbacks are
 * the saved copy, ir_savebp, the kernel writes instead). */
struct indirdep {
	uint64_t	 ir_ino;
	int64_t		 ir_mlbn;
	GList		*ir_deplisthd;	/* struct allocindir */
};

struct pagedep {
	uint64_t	 pd_ino;
	int64_t		 pd_lbn;
	uint64_t	 pd_wstamp;	/* the last write done started here */
	GList		*pd_diraddhd;	/* struct diradd not yet on the disk */
	GList		*pd_dirremhd;	/* struct worklist (D_DIRREM) */
};

/* What one write carries (the kernel's b_dep at io_start). */
struct sd_rb {			/* a rolled-back pointer */
	uint64_t	 ino;
	int64_t		 lbn;
	int64_t		 old;
	int		 oldsize;
};
struct sd_de {			/* a rolled-back entry */
	int		 chunk;
	char		*name;
	uint64_t	 oldino;
};
struct sd_ino {			/* an inode in a written inode block */
	uint64_t	 ino;
	uint64_t	 gen;		/* the copy written; 0: rolled back whole */
};
struct sd_io {
	int		 kind;		/* DBK_CG, DBK_INODE, DBK_DIR, DBK_DATA */
	uint64_t	 stamp;
	int		 cg;
	uint64_t	 ino;
	int64_t		 lbn;
	bool		 rolled;
	GArray		*inos;		/* struct sd_ino */
	GArray		*rb;		/* struct sd_rb */
	GArray		*done;		/* uint64 ids: allocdirects/diradds
					   this write puts on the disk */
	GArray		*de;		/* struct sd_de */
};

struct softdep {
	uint64_t	 gen;		/* the stamp */
	uint64_t	 ids;
	uint64_t	*cg_astamp;	/* per cg: its last allocation */
	uint64_t	*cg_wstamp;	/* ... the last write done began at */
	GHashTable	*inodedeps;	/* ino -> struct inodedep */
	GHashTable	*pagedeps;	/* "ino/lbn" -> struct pagedep */
	GHashTable	*adbyblk;	/* new block -> struct allocdirect */
	GHashTable	*indirdeps;	/* "ino/mlbn" -> struct indirdep */
	GHashTable	*aibyblk;	/* new block -> struct allocindir */
	GHashTable	*io;		/* struct buf * -> struct sd_io */
	GQueue		 worklist;	/* struct worklist, ready */
	GArray		*collect;	/* ffs_blkfree's blocks of inode
					   collect_ino, while set */
	uint64_t	 collect_ino;
	uint64_t	 ndeps;
	bool		 processing;	/* softdep_process_worklist running */
	/* request_cleanup: past max_softdeps inodedeps (or half of it in
	 * removals), creators wait ("softupdate") for the syncer to clear
	 * some, at most tickdelay ticks */
	int		 num_dirrem;
	bool		 req_clear_inodedeps, req_clear_remove;
	int		 proc_waiting;	/* the channel they sleep on */
	uint64_t	 clear_next;	/* clear_inodedeps' rotor */
	struct softdep_stats st;
};


gint	cmp_u64(gconstpointer a, gconstpointer b);
/* One dependency fewer (the count max_softdeps limits). */
void	dep_del(struct softdep *sd);
struct worklist *wk_new(struct softdep *sd, int type, uint64_t ino);
void	wk_free(struct worklist *wk);
/* inodedep_lookup(..., DEPALLOC when alloc) */
struct inodedep *inodedep_lookup(struct softdep *sd, uint64_t ino,
	    bool alloc);
/* Work waiting for the disk to hold inode id's copy wk->wk_stamp (to the
 * worklist at once if it does). */
void	bufwait_add(struct kern *k, struct inodedep *id, struct worklist *wk);
/* The fragments an allocdirect's block replaced, to the worklist to be
 * freed (its freefrag: the disk no longer points at them). */
void	ad_queue_freefrag(struct softdep *sd, struct allocdirect *ad);
void	ad_free(struct softdep *sd, struct allocdirect *ad);
void	da_free(struct softdep *sd, struct diradd *da);
void	io_free(gpointer p);
/* DEPCOMPLETE: the map that allocated the inode is on the disk. */
bool	id_depcomplete(const struct kern *k, const struct inodedep *id);
void	inodedep_maybe_free(struct kern *k, struct inodedep *id);
struct pagedep *pagedep_lookup(struct softdep *sd, uint64_t ino, int64_t lbn,
	    bool alloc);
void	pagedep_maybe_free(struct softdep *sd, struct pagedep *pd);
void	add_to_worklist(struct softdep *sd, struct worklist *wk);
struct indirdep *indirdep_lookup(struct softdep *sd, uint64_t ino,
	    int64_t mlbn, bool alloc);
/* An allocindir on the disk (or gone): its old block to the worklist. */
void	softdep_allocindir_done(struct kern *k, struct allocindir *ai);
/* true when it was the indirdep's last (the indirdep is freed too) */
bool	ai_free(struct softdep *sd, struct indirdep *ir, struct allocindir *ai);
/* The disk holds the copy of inode ino stamped s (or a later one)? */
bool	inode_written(const struct kern *k, uint64_t ino, uint64_t s);
/* Is a directory entry's every dependency on the disk (ALLCOMPLETE)? */
bool	diradd_ready(const struct kern *k, const struct diradd *da);

#endif
