/*
 * ffs.h — the Fast File System on the modelled disk: the superblock and
 * cylinder groups, inodes with direct and indirect blocks, block and
 * fragment allocation (ffs_alloc.c, ffs_balloc.c), truncation
 * (ffs_inode.c), the block map (ufs_bmap.c), directories as files of
 * entries (ufs_lookup.c), after ufs/ffs/fs.h, ufs/ufs/inode.h and
 * ufs/ufs/dir.h — UFS1 as newfs made it in 2001.
 *
 * What the file system holds is kept as the truth a disk would hold (the
 * free maps, every inode and its block pointers, every directory's
 * entries), so that any state can be checked (ffs_fsck); what it costs to
 * reach it — reading and writing cylinder-group maps, inode blocks,
 * indirect blocks and directory blocks through the buffer cache — is paid
 * by the code paths that would pay it in the kernel.  While the file system
 * is being set up (the starting file system, a trace's repairs) it is
 * "offline": state changes, no I/O, no time.
 *
 * The code is split as the kernel splits it: ffs_vfsops.c (mount, sync,
 * the in-core inode), ffs_alloc.c, ffs_balloc.c, ffs_inode.c (ffs_update,
 * ffs_truncate), ffs_subr.c (the free map's bits and counts), ufs_bmap.c;
 * ffs_fsck.c is what fsck_ffs checks, userland in FreeBSD; ffs_risk.c
 * what a crash at any moment would lose.  What they share and nothing
 * else needs is in ffs_private.h.
 */
#ifndef VFSSIM_FFS_H
#define VFSSIM_FFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <glib.h>

#include "buf.h"

struct kern;
struct vnode;
struct ffs_risk;

#define NDADDR		12		/* direct block pointers */
#define NIADDR		3		/* indirect: single, double, triple */
#define UFS1_INOSZ	128		/* bytes of an on-disk inode */
#define DIRBLKSIZ	DEV_BSIZE	/* a directory grows by this much */
#define BBSIZE		8192		/* boot block */
#define SBSIZE		8192		/* superblock */
#define ROOTINO		2
#define MAXFRAG		8
#define UFS_MAXNAMLEN	255
#define LINK_MAX	32767		/* names a file may have */
#define SYMLINK_MAX	4095		/* the longest target (Linux's PATH_MAX
					   less the NUL: the traces' systems) */
/* Targets shorter than this live in the inode's block pointers
 * (fs_maxsymlinklen: MAXSYMLINKLEN, 15 pointers of 4 bytes in UFS1). */
#define MAXSYMLINKLEN	((NDADDR + NIADDR) * 4)

/* Space a directory entry of a name of n bytes takes (DIRSIZ). */
#define DIRSIZ(n)	(8 + (((n) + 1 + 3) & ~3))

/* How metadata reaches the disk (the mount's options). */
enum metamode {
	META_SYNC,	/* the default mount: inodes and directories written
			   synchronously where the code says so */
	META_ASYNC,	/* -o async: every metadata write delayed */
	META_DELAYED,	/* soft-updates-like: delayed, flushed in order */
	META_SOFTDEP,	/* soft updates (softdep.c): delayed, ordered by
			   dependencies with rollbacks */
};

/* i_flag */
#define IN_ACCESS	0x0001		/* atime to update */
#define IN_CHANGE	0x0002		/* ctime */
#define IN_UPDATE	0x0004		/* mtime */
#define IN_MODIFIED	0x0008		/* the on-disk inode is stale */
#define IN_LAZYMOD	0x0010		/* only its atime is: written when
					   it is written anyway, or reclaimed */

/* Mark an inode's times for update (ufs_itimes's IN_ flags) — not while
 * setting up, when what is made was on disk all along. */
#define ITIMES(k, ip, f) do {						\
	if (ffs_online(k))						\
		(ip)->i_flag |= (f);					\
} while (0)

/* A directory's entries, laid out as ufs_direnter lays them out: in
 * DIRBLKSIZ chunks, each entry taking DIRSIZ(namlen) bytes of the first
 * chunk with room (compaction is implied), the chunk its lookups reach. */
struct direntry {
	struct inode	*de_ip;
	int		 de_chunk;	/* which DIRBLKSIZ chunk */
	uint16_t	 de_reclen;	/* DIRSIZ(namlen) */
};

struct ufs_dir {
	GHashTable	*d_names;	/* name -> struct direntry */
	GArray		*d_free;	/* int: free bytes in each chunk */
};

struct lockf;

struct inode {
	uint64_t	 i_number;
	struct vnode	*i_vnode;	/* in core, or NULL */
	int64_t		 i_size;
	int		 i_nlink;	/* names that refer to it */
	bool		 i_isdir;
	bool		 i_snapshot;	/* SF_SNAPSHOT: a live snapshot's file
					   (read-only; unlinking removes it) */
	uint8_t		 i_special;	/* IFIFO, IFSOCK, IFCHR, IFBLK: a node
					   ufs_mknod made, its vnode's type
					   (enum vtype); VNON otherwise */
	char		*i_symlink;	/* IFLNK: a symbolic link's target
					   (i_size bytes), else NULL; a short
					   one lives in the inode, a longer
					   one in its first block */
	int		 i_flag;	/* IN_* */
	int64_t		 i_blocks;	/* DEV_BSIZE units held, with
					   indirect blocks (st_blocks) */
	uint32_t	 i_gen;
	/* The block map: fs fragment address of each logical block, 0 for
	 * a hole.  Blocks below FFS_DENSE in an array, those beyond (a sparse
	 * file written far out) in a table.  Which of them live in the inode
	 * (i_db) or in indirect blocks only decides what is read to find
	 * them: see ufs_getlbns. */
	GArray		*i_bmap;
	GHashTable	*i_sparse;
	/* Indirect blocks: metadata lbn (negative, ufs_getlbns's numbering)
	 * -> fragment address. */
	GHashTable	*i_ind;
	/* Directories */
	struct ufs_dir	*i_dir;
	struct inode	*i_parent;	/* ".." */
	int64_t		 i_diroff;	/* where the last lookup found its
					   name (ufs_lookup's cache) */
	/* Advisory locks (kern_lockf.c), held on the inode. */
	struct lockf	*i_lockf;
	/* How far the disk is behind this inode, for what a crash would
	 * lose (ffs_risk.c); NULL: not behind at all. */
	struct ffs_risk	*i_risk;
};

/* An in-core cylinder group: struct cg's counts and rotors. */
struct cg {
	int64_t		 cg_nbfree;	/* free whole blocks */
	int64_t		 cg_nffree;	/* free frags in partial blocks */
	int64_t		 cg_nifree;	/* free inodes */
	int64_t		 cg_ndir;	/* directories */
	int		 cg_frsum[MAXFRAG];	/* free runs of each length */
	int64_t		 cg_rotor;	/* last block allocated (cg-relative) */
	int64_t		 cg_frotor;	/* last fragment run allocated */
	int64_t		 cg_irotor;	/* last inode allocated */
	int		 cg_contigdirs;	/* directories made in a row (dirpref) */
	/* A stretch of the group (cg-relative blocks, [lo, hi)) known to
	 * hold no whole free block ([0]) and no free run of exactly s
	 * fragments ([s]), which the free-map searches step over.  Not the
	 * kernel's: a search that found nothing there has nothing to find
	 * there again until a block in it changes, which cuts the stretch
	 * short before that block (ffs_frags_set). */
	int64_t		 cg_emptylo[MAXFRAG], cg_emptyhi[MAXFRAG];
};

/* One mounted file system: the superblock and everything in core. */
struct fs {
	int		 fs_bsize, fs_fsize, fs_frag, fs_fragshift;
	int		 fs_nindir;	/* block pointers an indirect block holds */
	int		 fs_inopb;	/* inodes a block holds */
	int64_t		 fs_size;	/* fragments */
	int64_t		 fs_dsize;	/* fragments that can hold data */
	int		 fs_ncg;
	int64_t		 fs_fpg;	/* fragments a cylinder group */
	int		 fs_ipg;	/* inodes a cylinder group */
	int64_t		 fs_sblkno;	/* offsets in each cg, fragments: */
	int64_t		 fs_cblkno;	/*   the cg block */
	int64_t		 fs_iblkno;	/*   the inode blocks */
	int64_t		 fs_dblkno;	/*   the first data block */
	int64_t		 fs_csaddr;	/* cg summary area (in cg 0) */
	int		 fs_cssize;	/* bytes */
	int		 fs_minfree;	/* percent kept back from non-root */
	int		 fs_maxbpg;	/* blocks a file puts in one cg */
	int		 fs_maxcontig;	/* blocks a cluster */
	int		 fs_contigsumsize;
	bool		 fs_optim_space;	/* FS_OPTSPACE, else FS_OPTTIME */
	int		 fs_avgfilesize, fs_avgfpdir;
	int		 fs_cgrotor;
	bool		 fs_dirpref;	/* Orlov's ffs_dirpref (5.0-CURRENT) */
	enum metamode	 fs_meta;
	bool		 fs_noatime;
	bool		 fs_fmod;	/* superblock to write */
	int		 fs_offline;	/* > 0: set-up, no I/O */
	/* totals (fs_cstotal) */
	int64_t		 fs_nbfree, fs_nffree, fs_nifree, fs_ndir;
	struct cg	*fs_cgs;
	uint8_t		*fs_fmap;	/* one bit a fragment: 1 = free */
	uint8_t		*fs_imap;	/* one bit an inode: 1 = in use */
	GHashTable	*fs_inodes;	/* i_number -> struct inode */
	GHashTable	*fs_risky;	/* inodes with an i_risk (a set) */
	struct inode	*fs_root;
	struct vnode	*fs_devvp;	/* the disk: metadata buffers */
	GRand		*fs_rng;	/* dirpref's random top-level cg */
	uint64_t	 fs_rng_draws;	/* ... numbers drawn from it (an image
					   keeps the count: GRand's state
					   cannot be saved) */
};

/* Logical blocks mapped by a plain array; further ones by a table. */
#define FFS_DENSE	(1 << 20)

/* Units. */
#define fsbtodb(fs, b)	((b) * ((fs)->fs_fsize / DEV_BSIZE))
#define dbtofsb(fs, d)	((d) / ((fs)->fs_fsize / DEV_BSIZE))
#define blkstofrags(fs, n) ((int64_t)(n) << (fs)->fs_fragshift)
#define fragstoblks(fs, n) ((n) >> (fs)->fs_fragshift)
#define fragnum(fs, f)	((f) & ((fs)->fs_frag - 1))
#define blknum(fs, f)	((f) & ~(int64_t)((fs)->fs_frag - 1))
#define numfrags(fs, n)	(((n) + (fs)->fs_fsize - 1) / (fs)->fs_fsize)
#define fragroundup(fs, n) (numfrags(fs, n) * (fs)->fs_fsize)
#define lblkno(fs, off)	((off) / (fs)->fs_bsize)
#define blkoff(fs, off)	((off) % (fs)->fs_bsize)
#define lblktosize(fs, b) ((int64_t)(b) * (fs)->fs_bsize)
/* Blocks needed to hold len bytes (no overflow for any len >= 0). */
#define howmany_blk(fs, len) ((len) / (fs)->fs_bsize + ((len) % (fs)->fs_bsize != 0))
#define cgbase(fs, c)	((int64_t)(c) * (fs)->fs_fpg)
#define dtog(fs, f)	((int)((f) / (fs)->fs_fpg))
#define dtogd(fs, f)	((f) % (fs)->fs_fpg)
#define cgdmin(fs, c)	(cgbase(fs, c) + (fs)->fs_dblkno)
#define cgtod(fs, c)	(cgbase(fs, c) + (fs)->fs_cblkno)
#define ino_to_cg(fs, i) ((int)((i) / (uint64_t)(fs)->fs_ipg))
/* The fragment address of the block holding inode i. */
#define ino_to_fsba(fs, i) (cgbase(fs, ino_to_cg(fs, i)) + (fs)->fs_iblkno + \
	blkstofrags(fs, ((i) % (uint64_t)(fs)->fs_ipg) / (uint64_t)(fs)->fs_inopb))

/* The size of logical block lbn of ip: a whole block, or the fragments
 * the file's tail needs (blksize). */
int	ffs_blksize(const struct fs *fs, const struct inode *ip, int64_t lbn);
/* What the device's fragment frag holds (enum bio_what): the superblock,
 * a cylinder group block, an inode block, the cg summary, or other
 * metadata, by where it lies in its cylinder group (fs.h: cgsblock,
 * cgtod, cgimin, cgdmin; fs_csaddr). */
int	ffs_blkkind(const struct fs *fs, int64_t frag);

bool	ffs_mount(struct kern *k, GError **err);
void	ffs_unmount(struct kern *k);
/* Set-up without I/O (nests). */
void	ffs_offline_begin(struct kern *k);
void	ffs_offline_end(struct kern *k);
bool	ffs_online(const struct kern *k);

/* Inodes: a new one near pip (ffs_valloc, with dirpref for directories),
 * NULL when none is free; freeing one whose blocks are gone. */
struct inode *ffs_valloc(struct kern *k, struct inode *pip, bool isdir);
void	ffs_vfree(struct kern *k, struct inode *ip);

/* The device address of a logical block; -1 for a hole.  No I/O. */
ufs2_daddr_t ffs_bmap(struct kern *k, struct inode *ip, int64_t lbn);
/* The same, and in *runp how many following blocks (at most maxrun) are
 * physically contiguous with it (VOP_BMAP's run length). */
ufs2_daddr_t ffs_bmap_run(struct kern *k, struct inode *ip, int64_t lbn,
	    int maxrun, int *runp);
/* VOP_BMAP's cost: read the indirect blocks that map lbn, as a lookup
 * that misses in the buffer cache would.  Online only; may sleep.  A
 * failed read's error (EIO), as ufs_bmaparray returns it, or 0. */
int	ufs_bmap_io(struct kern *k, struct vnode *vp, int64_t lbn);

/* ffs_balloc flags */
#define BA_CLRBUF	0x01	/* the caller needs the old contents */
#define BA_SYNC		0x02	/* metadata writes synchronous (IO_SYNC) */
#define BA_SEQSHIFT	16	/* the writer's sequential score */
/*
 * ffs_balloc: make the file's block at offset off big enough for size
 * bytes from the start of the block, allocating it (or growing its
 * fragment, or the block before) and any indirect blocks on the way, and
 * return its buffer, locked, with b_blkno set.  ENOSPC when full.
 */
int	ffs_balloc(struct kern *k, struct vnode *vp, int64_t off, int size,
	    int flags, struct buf **bpp);
/* Truncate to length: free blocks and indirect blocks past it, shrink the
 * last block to the fragments it needs.  Invalidates their buffers. */
void	ffs_truncate(struct kern *k, struct vnode *vp, int64_t length);
/* The state change alone (no buffers, no I/O). */
void	ffs_truncate_state(struct kern *k, struct inode *ip, int64_t length);
/* Give a file all its blocks up to size at once, offline (the starting
 * file system).  False, changing nothing, if they do not fit. */
bool	ffs_prealloc(struct kern *k, struct inode *ip, int64_t size);
/* Move n buffers of consecutive blocks to one contiguous run (cluster_write);
 * 0 or ENOSPC. */
int	ffs_reallocblks(struct kern *k, struct vnode *vp, struct buf **bufs, int n);

/* Write the inode to its inode block (ffs_update): synchronously with
 * waitfor on a sync-metadata mount, else a delayed write.  Online only. */
int	ffs_update(struct kern *k, struct inode *ip, bool waitfor);
/* Bring in an inode that has no vnode: read its inode block (ffs_vget). */
int	ffs_iread(struct kern *k, struct inode *ip, bool carry);
/* ffs_sync: every in-core inode with pending changes written (delayed),
 * the superblock if modified. */
void	ffs_sync(struct kern *k, int waitfor);
/* A metadata buffer changed: written now on a sync-metadata mount (and
 * always when sync), else left delayed. */
int	ffs_meta_write(struct kern *k, struct buf *bp, bool sync);

/* Free inodes and blocks (for statfs and the summary). */
int64_t	ffs_freebytes(const struct fs *fs);

/* The block map entry of logical block lbn (>= 0) or of the indirect
 * block with metadata lbn (< 0): a fragment address, 0 for none; and
 * setting one, the state alone (no counts, no free map). */
int64_t	ffs_blk_get(const struct inode *ip, int64_t lbn);
void	ffs_blk_set(struct inode *ip, int64_t lbn, int64_t b);
/* Whether lbn is a data block triple indirection reaches (lbn >= 0) or
 * the number ufs_getlbns gives an indirect block (lbn < 0). */
bool	ffs_lbn_valid(const struct fs *fs, int64_t lbn);
/* An inode of fs with the given number and generation, in fs_inodes,
 * with no blocks and no names; and its end (out of fs_inodes first). */
/*
 * ffs_risk.c: what a crash would lose.  The hooks note, as they happen,
 * what the disk must receive for a process's data to survive a crash —
 * the inode's new size (ffs_update), a new file's directory entry
 * (ufs_direnter), the pointer to a new block (ffs_balloc) — each as the
 * data version of the block that carries it; the buffer cache records
 * the version of each metadata block that reaches the disk
 * (bio_meta_ondisk).  ffs_at_risk sums what is not there yet.
 */
void	ffs_risk_clear(struct fs *fs);
void	ffs_risk_settle_all(struct kern *k);
void	ffs_risk_touch(struct kern *k, struct inode *ip);
void	ffs_risk_valloc(struct kern *k, struct inode *ip);
void	ffs_risk_update(struct kern *k, struct inode *ip, struct buf *bp);
void	ffs_risk_dirent(struct kern *k, struct inode *ip, struct inode *dp,
	    struct buf *bp, const void *key);
void	ffs_risk_dirremove(struct kern *k, struct inode *ip, const void *key);
void	ffs_risk_newblock(struct kern *k, struct inode *ip, int64_t lbn,
	    struct buf *ibp);
void	ffs_risk_write(struct kern *k, struct inode *ip, struct buf *bp,
	    int64_t boff, int64_t len);
void	ffs_risk_truncate(struct kern *k, struct inode *ip, int64_t length);
void	ffs_risk_ondisk(struct kern *k, struct inode *ip);
void	ffs_risk_forget(struct fs *fs, struct inode *ip);
/* The bytes processes wrote that a crash now would lose, and when the
 * oldest of them was written (-1: none); in *dirty the older, plainer
 * figure: dirty or in-flight data buffers of regular files, whole. */
void	ffs_at_risk(struct kern *k, int64_t *bytes, sim_time_t *oldest,
	    int64_t *dirty);

struct inode *ffs_inode_new(struct fs *fs, uint64_t ino, bool isdir,
	    uint32_t gen);
void	ffs_inode_destroy(struct inode *ip);

/* How the file system is laid out (the starting one's summary). */
struct ffs_layout {
	uint64_t	 files;		/* regular files of two or more blocks */
	uint64_t	 broken;	/* ... with a block not after the one
					   before it on the disk */
	uint64_t	 pairs;		/* their blocks after the first */
	uint64_t	 inrow;		/* ... that follow the one before:
					   layout score = inrow / pairs */
	uint64_t	 free_runs;	/* runs of whole free blocks */
	int64_t		 free_blocks;	/* whole free blocks */
	int64_t		 used_frags;	/* data fragments in use */
	int64_t		 avail_frags;	/* what ordinary writers may use
					   (fs_dsize less the minfree reserve) */
};
void	ffs_layout(const struct fs *fs, struct ffs_layout *l);

/* The fsck-like check: every block used once, free counts equal to the
 * maps, directories consistent.  Returns the number of problems and
 * describes the first in *why (g_free it). */
int	ffs_fsck(struct kern *k, char **why);

/* For ffs_snapshot.c (the block map is above).  ufs_getlbns: the
 * metadata lbns (and slots) leading to lbn; their number (0: a direct
 * block).  Then the allocator and the free map. */
int	ffs_lbns(const struct fs *fs, int64_t lbn, int64_t *mlbn, int *off,
	    int max);
int	ffs_alloc_blk(struct kern *k, struct inode *ip, int64_t lbn, int size,
	    int64_t *bnp);
void	ffs_free_blk(struct kern *k, struct inode *ip, int64_t bno, int size);
bool	ffs_isblkfree(const struct fs *fs, int64_t bno);

/*
 * ffs_image.c: the file system saved to a file and loaded back — the
 * layout (geometry, cylinder groups, free maps, every inode and block
 * pointer, every directory's entries and chunks), so that a run can start
 * from a given, laid-out file system.  With it, how the file system was
 * made (struct ffs_origin), so that a run that loads it reports what the
 * run that built it did.
 */
struct ffs_origin {
	uint64_t	 files, dirs;	/* the trace's, laid out */
	uint64_t	 bytes;		/* ... their data */
	uint64_t	 failed;	/* ... what did not fit */
	double		 age;		/* ffs.age */
	uint64_t	 age_seed;	/* replay.seed it was aged with */
	uint64_t	 age_written;	/* filler files made */
	uint64_t	 age_deleted;	/* ... and deleted again */
	uint64_t	 age_bytes;	/* bytes of the ones left */
	uint64_t	 age_dirs;	/* directories made for them */
};
/* Write the file system (offline, right after setup) to path: a
 * temporary file in the same directory, renamed over path when complete.
 * FFS_IMAGE_ERROR_IO when it cannot be written. */
bool	ffs_image_save(struct kern *k, const char *path,
	    const struct ffs_origin *o, GError **err);
/* Replace the file system ffs_mount made (nothing may have used it yet)
 * with the one in path.  Everything is checked, and then fsck'd; a
 * geometry other than the profile's (or another ffs.age) is an error
 * naming both.  On error (FFS_IMAGE_ERROR_INPUT) the file system is left
 * as it was. */
bool	ffs_image_load(struct kern *k, const char *path, struct ffs_origin *o,
	    GError **err);

#define FFS_IMAGE_ERROR ffs_image_error_quark()
enum { FFS_IMAGE_ERROR_INPUT, FFS_IMAGE_ERROR_IO };
GQuark	ffs_image_error_quark(void);

/* Directories (ufs_lookup.c's layout) */
struct ufs_dir *ufs_dir_new(void);
void	ufs_dir_free(struct ufs_dir *d);
struct direntry *ufs_dir_lookup(struct inode *dp, const char *name);
int	ufs_dir_count(struct inode *dp);
/* Add an entry; returns its chunk, the directory growing by a chunk when
 * no chunk has room. */
int	ufs_dir_add(struct inode *dp, const char *name, struct inode *ip);
/* Remove an entry; returns its chunk or -1. */
int	ufs_dir_remove(struct inode *dp, const char *name);
/* Point an existing entry at another inode (rename over a name). */
void	ufs_dir_set(struct inode *dp, const char *name, struct inode *ip);
/* n entries of reclen bytes that nothing names, offline (the starting
 * file system's directories as long as a listing showed); false: no
 * room to grow. */
bool	ufs_dir_pad(struct kern *k, struct inode *dp, int64_t n, int reclen);

/* ... and their I/O (online only; offline they change the state alone).
 * ufs_lookup_io: the blocks a lookup reads to find the entry in chunk
 * found (-1: not there); plain for a LOOKUP, which starts at i_diroff; the
 * error of a block that could not be read (ufs_lookup returns it). */
int	ufs_lookup_io(struct kern *k, struct vnode *dvp, int found, bool plain);
int	ufs_direnter(struct kern *k, struct vnode *dvp, const char *name,
	    struct inode *ip, bool isnewdir);
int	ufs_dirremove(struct kern *k, struct vnode *dvp, const char *name,
	    bool isrmdir);
void	ufs_dirrewrite(struct kern *k, struct vnode *dvp, const char *name,
	    struct inode *ip);

#endif
