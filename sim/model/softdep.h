/*
 * softdep.h — soft updates (softdep.c, after ufs/ffs/ffs_softdep.c as
 * 5.0-CURRENT and RELENG_4 had it in 2001; McKusick and Ganger, "Soft
 * Updates: A Technique for Eliminating Most Synchronous Writes in the Fast
 * Filesystem", FREENIX 1999).
 *
 * On a file system mounted with soft updates (ffs.softdep = on, tunefs -n
 * enable: FS_DOSOFTDEP; softdep_mount clears MNT_ASYNC) metadata is written
 * with delayed writes, and the order the disk must see is kept by
 * dependencies: a buffer written while what it depends on is not on the
 * disk yet carries the old contents of those parts (a rollback) and is
 * made dirty again once written, and frees wait until no pointer to what
 * is freed remains on the disk.  The hooks below are the kernel's; each is
 * a no-op unless the mount does soft updates (k->softdep != NULL).
 */
#ifndef VFSSIM_SOFTDEP_H
#define VFSSIM_SOFTDEP_H

#include <stdbool.h>
#include <stdint.h>

struct kern;
struct buf;
struct inode;
struct vnode;
struct dblk;

/* DOINGSOFTDEP(vp): the mount does soft updates. */
#define DOINGSOFTDEP(k)	((k)->softdep != NULL)

/* What soft updates did in a run (the summary's softdep.* rows). */
struct softdep_stats {
	uint64_t	 rollbacks;	/* blocks written with a part rolled back */
	uint64_t	 redirtied;	/* ... made dirty again once written */
	uint64_t	 workitems;	/* frees and removals done by the worklist */
	uint64_t	 cancelled;	/* names removed before they reached the
					   disk: nothing to write for them */
	uint64_t	 deps_peak;	/* dependencies outstanding, at most */
	/* request_cleanup: slowdowns asked for (push) and taken in full
	 * (hit: the syncer did not wake the process first) */
	uint64_t	 ino_limit_push, ino_limit_hit;
	uint64_t	 blk_limit_push, blk_limit_hit;
};

/* softdep_mount / the unmount's end. */
void	softdep_mount(struct kern *k);
void	softdep_unmount(struct kern *k);
void	softdep_stats(const struct kern *k, struct softdep_stats *st);
/* Dependencies outstanding now (structures not yet done with). */
uint64_t softdep_count(const struct kern *k);

/* Allocation: a cg map changed for inode ino / block blkno (ffs_alloccg's
 * softdep_setup_blkmapdep, ffs_nodealloccg's softdep_setup_inomapdep). */
void	softdep_setup_inomapdep(struct kern *k, uint64_t ino);
void	softdep_setup_blkmapdep(struct kern *k, int64_t blkno);
/* ffs_balloc: the inode's pointer lbn (< NDADDR, or NDADDR + level for an
 * indirect root) now newblkno of newsize, was oldblkno of oldsize. */
void	softdep_setup_allocdirect(struct kern *k, struct inode *ip,
	    int64_t lbn, int64_t newblkno, int64_t oldblkno, int newsize,
	    int oldsize);
/* ffs_balloc, ffs_reallocblks: slot of indirect block mlbn (metadata lbn)
 * of ip now points at the new data block newblkno, not oldblkno
 * (softdep_setup_allocindir_page); true: oldblkno is freed later. */
bool	softdep_setup_allocindir_page(struct kern *k, struct inode *ip,
	    int64_t mlbn, int slot, int64_t newblkno, int64_t oldblkno);
/* ffs_balloc: slot of indirect block mlbn of ip now points at a new
 * indirect block nb below it (softdep_setup_allocindir_meta). */
void	softdep_setup_allocindir_meta(struct kern *k, struct inode *ip,
	    int64_t mlbn, int slot, int64_t nb);
/* ffs_realloccg / ffs_reallocblks: oldblkno is freed once the inode
 * pointing elsewhere is on the disk (a freefrag on the allocdirect). */
bool	softdep_defer_blkfree(struct kern *k, struct inode *ip, int64_t lbn,
	    int64_t bno, int size);
/* ffs_blkfree while softdep_setup_freeblocks collects: true, kept. */
bool	softdep_collect_blkfree(struct kern *k, const struct inode *ip,
	    int64_t bno, int size);
/* ffs_update copied ip into its inode block (softdep_update_inodeblock);
 * on-disk link count is i_nlink plus what this returns
 * (removals not yet on the disk: the dirrems' pending decrements). */
void	softdep_update_inodeblock(struct kern *k, struct inode *ip);
int	softdep_nlinkdelta(const struct kern *k, const struct inode *ip);
/* ufs_direnter (new entry), ufs_dirrewrite (oip: the inode the entry
 * named), ufs_mkdir's entry (isnewdir: MKDIR_BODY and MKDIR_PARENT). */
void	softdep_setup_directory_add(struct kern *k, struct inode *dp,
	    int chunk, const char *name, struct inode *ip, struct inode *oip,
	    bool isnewdir);
/* ufs_dirremove: the entry (in chunk) is gone from dp's block; bp held. */
void	softdep_setup_remove(struct kern *k, struct inode *dp, int chunk,
	    const char *name, struct inode *ip, bool isrmdir);
/* ufs_inactive: may the file with no name go now (no removal of it
 * still waiting for its directory block)? */
bool	softdep_may_free(const struct kern *k, const struct inode *ip);
/* ffs_truncate to 0: softdep_setup_freeblocks (true: done). */
bool	softdep_setup_freeblocks(struct kern *k, struct vnode *vp);
/* ffs_vfree: softdep_freefile (true: the map's bit is cleared later). */
bool	softdep_freefile(struct kern *k, struct inode *ip);

/* bioops.io_countdeps (softdep_count_dependencies): what bp's block has
 * waiting on it or for it; flushbufqueues puts such a buffer last once. */
int	softdep_count_dependencies(struct kern *k, struct buf *bp);
/* bioops: a write is started / is done (ok: not failed). */
void	softdep_disk_io_initiation(struct kern *k, struct buf *bp);
void	softdep_disk_write_complete(struct kern *k, struct buf *bp, bool ok);
/* What bp's write carries, with its rollbacks, applied to the crash
 * image's copy of the block (initiate_write_inodeblock,
 * initiate_write_filepage). */
void	softdep_rollback_image(struct kern *k, struct buf *bp, struct dblk *b);

/* The syncer's pass (softdep_process_worklist), ffs_sync's
 * softdep_flushworklist (returns items done), fsync's
 * softdep_sync_metadata and the fsync(2) syscall's softdep_fsync. */
int	softdep_process_worklist(struct kern *k);
int	softdep_flushworklist(struct kern *k);
void	softdep_sync_metadata(struct kern *k, struct vnode *vp);
void	softdep_fsync(struct kern *k, struct vnode *vp);

/* A snapshot's new block (a copy-on-write copy) about to be pointed to
 * from a block written now: its cg map goes to the disk first. */
void	softdep_snap_flushmap(struct kern *k, int64_t bno);

#endif
