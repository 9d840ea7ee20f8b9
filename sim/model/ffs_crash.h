/*
 * ffs_crash.h — a crash at any instant: what the disk holds, what the
 * simulated fsck finds and how long it takes, what processes lose
 * (ffs_crash.c, fsck_ffs.c).
 *
 * While a run tracks crashes (ffs_crash_init), every write that reaches
 * the disk leaves its block's contents in an image of the disk, as the
 * buffer held them when the write was started; ffs_crash_at takes that
 * image as a crash at this instant would leave it (the write in flight
 * torn), runs fsck_ffs's passes on it, and compares what is left with
 * what the processes had written — exactly, by data version.
 */
#ifndef VFSSIM_FFS_CRASH_H
#define VFSSIM_FFS_CRASH_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

struct kern;
struct buf;
struct inode;
struct ffs_crash;

/* What a crash at t leaves, what fsck does about it, what is lost. */
struct crash_result {
	sim_time_t	 t;
	int		 meta;		/* enum metamode of the mount */
	/* the disk at t */
	uint64_t	 writes_inflight;	/* writes the drive had begun */
	uint64_t	 writes_torn;		/* ... of them, part written */
	/* fsck_ffs: what it read and how long that took on the drive */
	sim_time_t	 fsck_ns;
	uint64_t	 fsck_reads, fsck_writes, fsck_bytes;
	uint64_t	 fsck_inodes;		/* in use on the disk */
	uint64_t	 fsck_dirs;
	/* ... and what it repaired.  The first group is what a disk
	 * written in the kernel's synchronous order may need at any time
	 * (leaks, link counts, files not yet named, maps behind); the
	 * second, from dirent_unalloc on, is a name or pointer to the wrong
	 * thing (names of free inodes, blocks in two files, pointers to
	 * garbage), which an unordered disk (async) may need at any time
	 * and the synchronous order only while a mkdir is under way: 2001's
	 * ufs_mkdir writes the new directory's inode, pointing at its first
	 * block, before that block and before its name, so a crash between
	 * finds a directory nothing names whose block holds what was there
	 * before (a freed directory's entries, or not a directory at all) */
	uint64_t	 unref_cleared;		/* inodes nothing names: cleared */
	uint64_t	 unref_reconnected;	/* ... with data: to lost+found */
	uint64_t	 linkcnt_high;		/* link counts lowered */
	uint64_t	 leaked_frags;		/* used in a map, in no file */
	uint64_t	 leaked_inodes;		/* used in a map, free on disk */
	uint64_t	 partial_trunc;		/* pointers past a file's end */
	uint64_t	 linkcnt_low;		/* more names than the count says
					   (a parent's, after ufs_mkdir) */
	uint64_t	 map_missing;		/* in a file, free in the map */
	uint64_t	 ino_map_missing;	/* in use, free in the map */
	uint64_t	 dirent_unalloc;	/* entries naming free inodes */
	uint64_t	 dup_frags;		/* fragments in two files */
	uint64_t	 bad_ptrs;		/* pointers out of the data area
					   (an indirect block never written) */
	uint64_t	 dir_salvaged;		/* directory chunks unreadable */
	uint64_t	 dirs_reconnected;	/* directories nothing reaches */
	uint64_t	 inodes_cleared;	/* for dup or bad blocks */
	/* what the processes lose (regular files, by data version) */
	uint64_t	 files;			/* named at t */
	uint64_t	 files_lost;		/* ... not found intact after fsck */
	uint64_t	 bytes;			/* bytes of them written in the run */
	uint64_t	 bytes_lost;		/* ... not found after fsck */
	uint64_t	 names;			/* names (any type) at t */
	uint64_t	 names_lost;		/* ... not on the repaired disk */
	uint64_t	 names_back;		/* names removed by t, back again */
	/* the kernel's promises: fsync'ed (and O_SYNC) data, and on a
	 * synchronous mount the names of calls that returned */
	uint64_t	 fsync_bytes;		/* bytes fsynced and unchanged */
	uint64_t	 fsync_lost_bytes;	/* ... not on the repaired disk */
	uint64_t	 fsync_torn_bytes;	/* ... lost only because a later
					   write of the block was torn */
	uint64_t	 committed_names;	/* names whose call returned */
	uint64_t	 committed_names_lost;
};

/* The sum of the second group: what the kernel's ordering (sync, soft
 * updates) never leaves for fsck — a name or pointer to the wrong
 * thing, which can cost data that was on the disk. */
uint64_t crash_unsafe_repairs(const struct crash_result *r);

/* Start tracking the disk's contents: the file system as it is now is
 * the disk's (call once the starting file system is in place). */
void	ffs_crash_init(struct kern *k);
void	ffs_crash_fini(struct kern *k);

/* Crash now: fill *res.  seed chooses how much of each write in flight
 * reached the disk.  No simulated time passes; nothing in the running
 * machine changes. */
void	ffs_crash_at(struct kern *k, uint64_t seed, struct crash_result *res);

/* Hooks (each a no-op unless k->crash): */
/* A write is handed to the drive (bstrategy); a background write's copy
 * is made (its contents are the copy's from then on). */
void	ffs_crash_strategy(struct kern *k, struct buf *bp);
/* A write is done (biodone): its contents are the disk's. */
void	ffs_crash_written(struct kern *k, struct buf *bp);
/* A write failed (biodone with B_ERROR): nothing of it is the disk's. */
void	ffs_crash_failed(struct kern *k, struct buf *bp);
/* A buffer's data changed: its new version (bio_note_version). */
void	ffs_crash_version(struct kern *k, struct buf *bp);
/* A data block's buffer moved to another block (bio_moved_block). */
void	ffs_crash_moved(struct kern *k, struct buf *bp);
/* ffs_update copied ip into its inode block bp; ip is freed (ufs_inactive
 * clears its mode before UFS_VFREE). */
void	ffs_crash_update(struct kern *k, struct inode *ip, struct buf *bp);
void	ffs_crash_ifree(struct kern *k, struct inode *ip);
/* ffs_truncate to length is about to write ip's inode (NULL: done). */
void	ffs_crash_truncate(struct kern *k, const struct inode *ip,
	    int64_t length);
/* ip's data is on the disk as the kernel promises it (an fsync that
 * waited, an O_SYNC write returned). */
void	ffs_crash_synced(struct kern *k, struct inode *ip);
/* A name in directory dp is being changed by the running call; the
 * call returned. */
void	ffs_crash_dirop(struct kern *k, struct inode *dp, const char *name);
void	ffs_crash_syscall_done(struct kern *k);

#endif
