/*
 * ffs_private.h — what the files of the FFS model share with one another
 * and with nothing else: ffs_subr.c, ufs_bmap.c, ffs_alloc.c,
 * ffs_balloc.c, ffs_inode.c, ffs_vfsops.c and ffs_fsck.c.  The rest of
 * the kernel sees ffs.h only.
 */
#ifndef VFSSIM_FFS_PRIVATE_H
#define VFSSIM_FFS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ffs.h"

/* The free map (a bit a fragment: 1 = free) and the inode map (a bit an
 * inode: 1 = in use). */
#define isfree(fs, f)	((fs)->fs_fmap[(f) >> 3] & (1u << ((f) & 7)))
#define setfree(fs, f)	((fs)->fs_fmap[(f) >> 3] |= (uint8_t)(1u << ((f) & 7)))
#define clrfree(fs, f)	((fs)->fs_fmap[(f) >> 3] &= (uint8_t)~(1u << ((f) & 7)))
#define inoused(fs, i)	((fs)->fs_imap[(i) >> 3] & (1u << ((i) & 7)))
#define setino(fs, i)	((fs)->fs_imap[(i) >> 3] |= (uint8_t)(1u << ((i) & 7)))
#define clrino(fs, i)	((fs)->fs_imap[(i) >> 3] &= (uint8_t)~(1u << ((i) & 7)))

/* ffs_subr.c */
/* Fragments in cylinder group c (the last one may be short). */
int64_t	ffs_cg_frags(const struct fs *fs, int c);
/* Free-fragment pattern of the block at fragment bno: bit i, frag i. */
unsigned ffs_blkmap(const struct fs *fs, int64_t bno);
/* Mark n fragments from f free (or used), without the counts. */
void	ffs_frags_fill(struct fs *fs, int64_t f, int64_t n, bool free);
/* Add (sign 1) or take away (-1) one block's share of its group's counts. */
void	ffs_blk_acct(struct fs *fs, int64_t bno, int sign);
/* The same, +1, for every block from bno in n fragments, into acc. */
void	ffs_map_count(const struct fs *fs, int64_t bno, int64_t n,
	    struct cg *acc);
/* Mark n fragments from f used (free false) or free, keeping the counts. */
void	ffs_frags_set(struct fs *fs, int64_t f, int n, bool free);
/* Take an inode number in use, keeping the counts. */
void	ffs_ino_take(struct fs *fs, uint64_t ino, bool isdir);
/* freespace(fs, percentreserved): fragments left above the reserve. */
int64_t	ffs_freespace(const struct fs *fs, int reserve);
/* A metadata block of the device (a cg map, an inode block), read. */
struct buf *ffs_meta_bread(struct kern *k, int64_t frag, int size);
int	ffs_meta_bread_err(struct kern *k, int64_t frag, int size,
	    struct buf **bpp);

/* ufs_bmap.c */
/* One step of the path to a block through indirect blocks. */
struct indir {
	int64_t	 in_lbn;	/* metadata lbn of the pointer block */
	int	 in_off;	/* the pointer's index in it */
};
/* The indirect blocks that lead to lbn; their number, 0 for a direct
 * block, -1 past what triple indirection reaches. */
int	ufs_getlbns(const struct fs *fs, int64_t lbn, struct indir *ap);

/* ffs_alloc.c */
/* Where logical block lbn should go, given its slot and the block before. */
int64_t	ffs_blkpref(struct fs *fs, struct inode *ip, int64_t lbn, int indx,
	    int64_t prev);
/* ffs_blkpref for lbn with the slot and previous block ffs_balloc hands it. */
int64_t	ffs_blkpref_for(struct fs *fs, struct inode *ip, int64_t lbn);
/* size bytes for ip near bpref, in *bnp; 0 or ENOSPC. */
int	ffs_alloc(struct kern *k, struct inode *ip, int64_t bpref, int size,
	    int64_t *bnp);
/* size bytes from fragment bno freed (or claimed by a snapshot). */
void	ffs_blkfree(struct kern *k, struct inode *ip, int64_t bno, int size);
void	ffs_freefile(struct kern *k, uint64_t ino, bool isdir);
/* Grow lbn's fragment from osize to nsize; its new address, 0 when full. */
int64_t	ffs_realloccg(struct kern *k, struct inode *ip, int64_t lbn, int osize,
	    int nsize);
/* A new in-core inode with a random generation number (ffs_valloc's). */
struct inode *ffs_inode_newgen(struct fs *fs, uint64_t ino, bool isdir);

#endif
