/*
 * ufs_lookup.c — directories as files of entries: their layout, and the
 * I/O of looking a name up (ufs_lookup), adding one (ufs_direnter),
 * removing one (ufs_dirremove) and pointing one elsewhere (ufs_dirrewrite).
 *
 * A directory is a file of DIRBLKSIZ (512-byte) chunks; an entry takes
 * DIRSIZ(namlen) bytes of one chunk.  A new entry goes in the first chunk
 * with room (ufs_lookup's slot search, compaction implied); with none the
 * directory grows by a chunk (ffs_balloc: a fragment at first, as for any
 * small file).  The names themselves are kept in a table — what matters
 * for the cost is which chunk, and so which block, holds a name: a lookup
 * reads the directory's blocks from where the last one left off
 * (i_diroff) until it reaches the name's, all of them for a name that is
 * not there; a change reads the entry's block and writes it back,
 * synchronously on a default mount.
 */
#include "kern.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

struct ufs_dir *
ufs_dir_new(void)
{
	struct ufs_dir *d = g_new0(struct ufs_dir, 1);

	d->d_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	d->d_free = g_array_new(FALSE, FALSE, sizeof(int));
	return d;
}

void
ufs_dir_free(struct ufs_dir *d)
{
	g_hash_table_destroy(d->d_names);
	g_array_free(d->d_free, TRUE);
	g_free(d);
}

struct direntry *
ufs_dir_lookup(struct inode *dp, const char *name)
{
	return g_hash_table_lookup(dp->i_dir->d_names, name);
}

/* Entries other than "." and "..". */
int
ufs_dir_count(struct inode *dp)
{
	int n = (int)g_hash_table_size(dp->i_dir->d_names);

	if (ufs_dir_lookup(dp, ".") != NULL)
		n--;
	if (ufs_dir_lookup(dp, "..") != NULL)
		n--;
	return n;
}

int
ufs_dir_add(struct inode *dp, const char *name, struct inode *ip)
{
	struct ufs_dir *d = dp->i_dir;
	struct direntry *de;
	int reclen = DIRSIZ((int)strlen(name)), c;

	if (ufs_dir_lookup(dp, name) != NULL)
		return -1;		/* the caller checked under the lock */
	de = g_new0(struct direntry, 1);
	for (c = 0; c < (int)d->d_free->len; c++)
		if (g_array_index(d->d_free, int, c) >= reclen)
			break;
	if (c == (int)d->d_free->len) {
		int room = DIRBLKSIZ;

		g_array_append_val(d->d_free, room);
	}
	g_array_index(d->d_free, int, c) -= reclen;
	de->de_ip = ip;
	de->de_chunk = c;
	de->de_reclen = (uint16_t)reclen;
	g_hash_table_replace(d->d_names, g_strdup(name), de);
	return c;
}

int
ufs_dir_remove(struct inode *dp, const char *name)
{
	struct direntry *de = ufs_dir_lookup(dp, name);
	int c;

	if (de == NULL)
		return -1;
	c = de->de_chunk;
	g_array_index(dp->i_dir->d_free, int, c) += de->de_reclen;
	g_hash_table_remove(dp->i_dir->d_names, name);
	return c;
}

void
ufs_dir_set(struct inode *dp, const char *name, struct inode *ip)
{
	struct direntry *de = ufs_dir_lookup(dp, name);

	KASSERT(de != NULL, ("ufs_dir_set: no entry %s", name));
	de->de_ip = ip;
}

/*
 * Entries the directory held that nothing names (a listing in the trace
 * showed more than the starting file system's names): n of reclen bytes
 * each, placed as ufs_direnter would have placed them after the names —
 * in the chunks with room, then in new chunks at the end.  They take room
 * and make the directory as long as it was; no lookup finds them, no
 * inode is theirs.  Offline (the starting file system): the truth only.
 * False when the directory cannot grow (no space).
 */
bool
ufs_dir_pad(struct kern *k, struct inode *dp, int64_t n, int reclen)
{
	GArray *fr = dp->i_dir->d_free;
	int per = DIRBLKSIZ / reclen, room, c;
	int64_t more;

	KASSERT(reclen > 0 && reclen <= DIRBLKSIZ && !ffs_online(k),
	    ("ufs_dir_pad: reclen %d", reclen));
	for (c = 0; c < (int)fr->len && n > 0; c++)
		while (n > 0 && g_array_index(fr, int, c) >= reclen) {
			g_array_index(fr, int, c) -= reclen;
			n--;
		}
	if (n == 0)
		return true;
	more = (n + per - 1) / per;
	if (!ffs_prealloc(k, dp, (int64_t)(fr->len + more) * DIRBLKSIZ))
		return false;
	for (; n > 0; n -= per) {
		room = DIRBLKSIZ - (int)MIN(n, per) * reclen;
		g_array_append_val(fr, room);
	}
	return true;
}

/* ---- I/O ------------------------------------------------------------- */

/* Read the directory block holding chunk c (ufs_blkatoff). */
static struct buf *
dir_blkatoff(struct kern *k, struct vnode *dvp, int c)
{
	struct inode *dp = dvp->v_data;
	int64_t lbn = lblkno(&k->fs, (int64_t)c * DIRBLKSIZ);
	struct buf *bp;

	bread_noerror(k, dvp, lbn, ffs_blksize(&k->fs, dp, lbn), &bp);
	return bp;
}

/*
 * ufs_lookup's reads.  found: the chunk holding the name, or -1 when it
 * is not there (then every block is read, as the search for the name —
 * and for a slot to create it in — must).  A plain lookup starts at
 * i_diroff and wraps (two passes); anything else starts at the top.  A
 * plain lookup that finds its name remembers where.  A block that cannot
 * be read ends the search with its error, which ufs_lookup returns
 * ("if ((error = UFS_BLKATOFF(vdp, (off_t)dp->i_offset, NULL, &bp)) != 0)
 * return (error);"): the failed buffer is released (brelse throws it
 * away), i_diroff is left as it was.
 */
int
ufs_lookup_io(struct kern *k, struct vnode *dvp, int found, bool plain)
{
	struct inode *dp = dvp->v_data;
	struct fs *fs = &k->fs;
	int64_t nblk = howmany_blk(fs, dp->i_size), first, last, lbn, i;
	int error;

	if (!ffs_online(k) || nblk == 0)
		return 0;
	first = plain && dp->i_diroff > 0 && dp->i_diroff < dp->i_size ?
	    lblkno(fs, dp->i_diroff) : 0;
	last = found >= 0 ? lblkno(fs, (int64_t)found * DIRBLKSIZ) :
	    (first + nblk - 1) % nblk;
	for (i = 0, lbn = first; i < nblk; i++, lbn = (lbn + 1) % nblk) {
		struct buf *bp;

		k->cnt.dirblk_reads++;
		error = bread(k, dvp, lbn, ffs_blksize(fs, dp, lbn), &bp);
		brelse(k, bp);
		if (error != 0)
			return error;
		if (lbn == last)
			break;
	}
	if (found >= 0 && plain)
		dp->i_diroff = (int64_t)found * DIRBLKSIZ;
	dp->i_flag |= fs->fs_noatime ? 0 : IN_ACCESS;
	return 0;
}

/*
 * ufs_direnter: put name -> ip in dvp.  A chunk with room is read and
 * written back; with none the directory grows by a chunk, through
 * ffs_balloc, and the new block is written.  Written synchronously unless
 * the mount delays metadata (DOINGASYNC).  Under soft updates the block
 * is a delayed write whose entry waits for ip's inode (and, for a new
 * directory, isnewdir: its first block and dp's inode) —
 * softdep_setup_directory_add.
 */
int
ufs_direnter(struct kern *k, struct vnode *dvp, const char *name,
    struct inode *ip, bool isnewdir)
{
	struct inode *dp = dvp->v_data;
	struct fs *fs = &k->fs;
	int c = ufs_dir_add(dp, name, ip);
	int64_t off = (int64_t)c * DIRBLKSIZ;
	struct buf *bp;
	int error;

	if (c < 0)
		return EEXIST;
	if (k->crash != NULL)
		ffs_crash_dirop(k, dp, name);
	ITIMES(k, dp, IN_CHANGE | IN_UPDATE);
	if (off < dp->i_size) {
		if (ffs_online(k)) {
			bp = dir_blkatoff(k, dvp, c);
			bio_note_version(k, bp);
			ffs_risk_dirent(k, ip, dp, bp, ufs_dir_lookup(dp, name));
			softdep_setup_directory_add(k, dp, c, name, ip, NULL,
			    isnewdir);
			(void)ffs_meta_write(k, bp, true);
		}
		return 0;
	}
	/* A new chunk. */
	if (!ffs_online(k)) {
		if (!ffs_prealloc(k, dp, off + DIRBLKSIZ)) {
			(void)ufs_dir_remove(dp, name);
			g_array_set_size(dp->i_dir->d_free, (guint)c);
			return ENOSPC;
		}
		return 0;
	}
	error = ffs_balloc(k, dvp, off, DIRBLKSIZ, BA_CLRBUF, &bp);
	if (error != 0) {
		(void)ufs_dir_remove(dp, name);
		g_array_set_size(dp->i_dir->d_free, (guint)c);
		return error;
	}
	dp->i_size = off + DIRBLKSIZ;
	bio_note_version(k, bp);
	ffs_risk_dirent(k, ip, dp, bp, ufs_dir_lookup(dp, name));
	softdep_setup_directory_add(k, dp, c, name, ip, NULL, isnewdir);
	(void)ffs_meta_write(k, bp, true);
	/* The directory's new size and block pointer: written after the
	 * block, synchronously unless the mount delays metadata (2001's
	 * ufs_direnter: BUF_WRITE(bp), then UFS_UPDATE(dvp, 1)) — else a
	 * crash finds the entry in a block the directory does not reach. */
	ITIMES(k, dp, IN_CHANGE | IN_UPDATE);
	ffs_update(k, dp, !DOINGSOFTDEP(k));
	(void)fs;
	return 0;
}

/* ufs_dirremove: clear name's entry in its block and write it back
 * (under soft updates, softdep_setup_remove: isrmdir for rmdir).  The
 * synchronous write's error is returned ("error = BUF_WRITE(bp); ...
 * return (error)"): the entry is gone all the same — the buffer, made
 * dirty again by brelse, takes it to the disk later. */
int
ufs_dirremove(struct kern *k, struct vnode *dvp, const char *name,
    bool isrmdir)
{
	struct direntry *de = ufs_dir_lookup(dvp->v_data, name);
	struct inode *ip;
	struct buf *bp;
	int c, error = 0;

	KASSERT(de != NULL, ("ufs_dirremove: no %s", name));
	if (k->crash != NULL)
		ffs_crash_dirop(k, dvp->v_data, name);
	ffs_risk_dirremove(k, de->de_ip, de);	/* before de goes */
	ip = de->de_ip;
	c = ufs_dir_remove(dvp->v_data, name);
	ITIMES(k, dvp->v_data, IN_CHANGE | IN_UPDATE);
	if (ffs_online(k)) {
		bp = dir_blkatoff(k, dvp, c);
		softdep_setup_remove(k, dvp->v_data, c, name, ip, isrmdir);
		error = ffs_meta_write(k, bp, true);
	}
	return error;
}

/* ufs_dirrewrite: point name at ip instead, in place. */
void
ufs_dirrewrite(struct kern *k, struct vnode *dvp, const char *name,
    struct inode *ip)
{
	struct direntry *de = ufs_dir_lookup(dvp->v_data, name);
	struct inode *oip;

	KASSERT(de != NULL, ("ufs_dirrewrite: no %s", name));
	if (k->crash != NULL)
		ffs_crash_dirop(k, dvp->v_data, name);
	oip = de->de_ip;
	if (de->de_ip != ip)
		ffs_risk_dirremove(k, de->de_ip, de);	/* its name, gone */
	de->de_ip = ip;
	ITIMES(k, dvp->v_data, IN_CHANGE | IN_UPDATE);
	if (ffs_online(k)) {
		struct buf *bp = dir_blkatoff(k, dvp, de->de_chunk);

		bio_note_version(k, bp);
		ffs_risk_dirent(k, ip, dvp->v_data, bp, de);
		/* softdep_setup_directory_change */
		if (oip != ip)
			softdep_setup_directory_add(k, dvp->v_data,
			    de->de_chunk, name, ip, oip, false);
		(void)ffs_meta_write(k, bp, true);
	}
}
