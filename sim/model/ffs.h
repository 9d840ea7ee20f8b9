/*
 * ffs.h — inodes, the block map and block allocation (ffs_alloc.c,
 * ffs_balloc.c, ffs_inode.c, ufs_bmap.c), after ufs/ufs/inode.h and
 * ufs/ffs/fs.h.
 *
 * First model: every file's logical blocks map to whole fs blocks, allocated
 * contiguously where the next block is free (from a single rotor otherwise);
 * directories are in-core name tables.  Cylinder groups, fragments, indirect
 * blocks and metadata I/O come with the FFS model.
 */
#ifndef VFSSIM_FFS_H
#define VFSSIM_FFS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "buf.h"

struct kern;
struct vnode;

struct inode {
	uint64_t	 i_number;
	struct vnode	*i_vnode;
	int64_t		 i_size;
	int		 i_nlink;	/* names that refer to it */
	bool		 i_isdir;
	GArray		*i_db;		/* fs block of each logical block below
					   FFS_DENSE; 0: a hole */
	GHashTable	*i_sparse;	/* lbn -> fs block, for blocks past
					   FFS_DENSE (sparse files), or NULL */
	GHashTable	*i_dir;		/* directories: name -> struct inode */
	struct inode	*i_parent;	/* directories: ".." */
};

/* One mounted file system. */
struct fs {
	int		 fs_bsize;	/* block size, bytes */
	int		 fs_fsize;	/* fragment size, bytes */
	int		 fs_frag;	/* fragments per block */
	int64_t		 fs_size;	/* blocks */
	int64_t		 fs_nbfree;	/* free blocks */
	int64_t		 fs_rotor;	/* where the next search starts */
	int64_t		 fs_firstblk;	/* blocks below are reserved (boot, sb) */
	uint8_t		*fs_blksfree;	/* bitmap: 1 = free */
	uint64_t	 fs_ninode;	/* inode numbers handed out */
	GHashTable	*fs_inodes;	/* i_number -> struct inode (in core) */
	struct inode	*fs_root;
};

/* Logical blocks mapped by a plain array; further ones (a sparse file
 * written far out) by a hash table, so that a block map costs memory for
 * the blocks a file has, not for its size. */
#define FFS_DENSE	(1 << 20)

/* Device block (DEV_BSIZE units) of an fs block number. */
#define fsbtodb(fs, b)	((b) * ((fs)->fs_bsize / DEV_BSIZE))
#define lblkno(fs, off)	((off) / (fs)->fs_bsize)
/* Blocks needed to hold len bytes (no overflow for any len >= 0). */
#define howmany_blk(fs, len) ((len) / (fs)->fs_bsize + ((len) % (fs)->fs_bsize != 0))
#define blkoff(fs, off)	((off) % (fs)->fs_bsize)

bool	ffs_mount(struct kern *k, GError **err);
void	ffs_unmount(struct kern *k);
struct inode *ffs_ialloc(struct kern *k, bool isdir);
void	ffs_ifree(struct kern *k, struct inode *ip);
/* The device address of a logical block; -1 for a hole. */
ufs2_daddr_t ffs_bmap(struct kern *k, struct inode *ip, int64_t lbn);
/* The same, and in *runp how many following blocks (at most maxrun) are
 * physically contiguous with it (VOP_BMAP's run length). */
ufs2_daddr_t ffs_bmap_run(struct kern *k, struct inode *ip, int64_t lbn,
	    int maxrun, int *runp);
/* Move n buffers of consecutive blocks to one contiguous run (cluster_write);
 * 0 or ENOSPC. */
int	ffs_reallocblks(struct kern *k, struct inode *ip, struct buf **bufs, int n);
/* Allocate the block if it is a hole; returns its device address or -1
 * when the file system is full. */
ufs2_daddr_t ffs_balloc(struct kern *k, struct inode *ip, int64_t lbn);
/* Free every block at or past the first block beyond length. */
void	ffs_truncate_blocks(struct kern *k, struct inode *ip, int64_t length);
/* Give a file all its blocks up to size at once (the starting file
 * system).  False, changing nothing, if they do not fit. */
bool	ffs_prealloc(struct kern *k, struct inode *ip, int64_t size);

#endif
