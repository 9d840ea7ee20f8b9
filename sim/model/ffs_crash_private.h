/*
 * ffs_crash_private.h — what ffs_crash.c (the disk's image and a crash)
 * and fsck_ffs.c (the check that follows it) share: the contents of a
 * block as the disk holds it, and the image of a whole disk.
 *
 * A block's contents are kept as structure, not bytes: an inode block
 * is the inodes in it, a cylinder-group block its two maps, an indirect
 * block its pointers, a directory block its entries, a data block the
 * data version that produced its bytes (bio_note_version's, so the
 * version oracle can say whether a process's write is there).
 */
#ifndef VFSSIM_FFS_CRASH_PRIVATE_H
#define VFSSIM_FFS_CRASH_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "disk.h"
#include "ffs.h"
#include "ffs_crash.h"

enum dblk_kind {
	DBK_INODE,	/* an inode block */
	DBK_CG,		/* a cylinder group's block: its maps */
	DBK_INDIR,	/* an indirect block */
	DBK_DIR,	/* a directory block */
	DBK_DATA,	/* file data: a version */
};

/* di_type: what the on-disk mode says (0: a free inode). */
enum { DI_FREE, DI_REG, DI_DIR, DI_LNK };

/* An on-disk inode (struct dinode, the fields fsck reads). */
struct dinode_img {
	uint64_t	 di_ino;
	int		 di_type;
	int		 di_nlink;
	int64_t		 di_size;
	int64_t		 di_db[NDADDR];		/* fragment addresses */
	int64_t		 di_ib[NIADDR];
};

/* One entry of a directory block. */
struct dirent_img {
	int		 de_chunk;	/* DIRBLKSIZ chunk in the directory */
	uint64_t	 de_ino;
	char		*de_name;
};

/* A data version a torn write left: some sectors new, some old. */
#define DATA_TORN	UINT64_MAX

struct dblk {
	int		 kind;		/* enum dblk_kind */
	int		 refs;
	int		 nsect;		/* sectors it spans */
	union {
		GArray	*inodes;	/* struct dinode_img, by di_ino (in use
					   or not: as the block has them) */
		struct {
			int	 cg;
			uint8_t	*fmap;	/* bit i: fragment cgbase+i free */
			uint8_t	*imap;	/* bit i: inode cg*ipg+i in use */
		} cg;
		int64_t	*ptr;		/* fs_nindir fragment addresses */
		GArray	*ents;		/* struct dirent_img, by chunk, name */
		uint64_t ver;		/* data */
	} u;
};

struct dblk *dblk_new(int kind, int nsect);
struct dblk *dblk_ref(struct dblk *b);
void	dblk_unref(struct dblk *b);
/* A copy (refs 1) to change. */
struct dblk *dblk_clone(const struct fs *fs, const struct dblk *b);

/*
 * A disk's image: device sector of a block's first sector -> the
 * struct dblk it holds.  A block never written since the file system
 * was made is not there: its data is the starting file system's
 * (version 0), anything else zeros.
 */
struct dimage {
	GHashTable	*blk;		/* int64 sector -> struct dblk */
};

void	dimage_init(struct dimage *im);
void	dimage_free(struct dimage *im);
void	dimage_put(struct dimage *im, int64_t sector, struct dblk *b);
struct dblk *dimage_get(const struct dimage *im, int64_t sector);
/* A copy sharing the blocks. */
void	dimage_copy(struct dimage *dst, const struct dimage *src);

/* The inode ino as the image's inode block holds it (NULL: a free one). */
const struct dinode_img *dimage_inode(const struct fs *fs,
	    const struct dimage *im, uint64_t ino);
/* Whether the image's map says fragment f is free / inode i in use (a
 * group never written keeps the starting map: in the image from boot). */
bool	dimage_frag_free(const struct fs *fs, const struct dimage *im,
	    int64_t f);
bool	dimage_ino_used(const struct fs *fs, const struct dimage *im,
	    uint64_t ino);

/* What kind of metadata a device sector starts, by where it lies in its
 * cylinder group: DBK_CG, DBK_INODE, or -1 (superblock, summary, data). */
int	ffs_sector_kind(const struct fs *fs, int64_t sector);

/*
 * fsck_ffs.c: fsck_ffs's passes over im (changed in place to the
 * repaired file system), the repairs counted into res; its reads and
 * writes timed on a drive of params dp started afresh.
 */
void	fsck_ffs_run(const struct fs *fs, const struct disk_params *dp,
	    const char *diskq, struct dimage *im, bool softdep,
	    struct crash_result *res);

#endif
