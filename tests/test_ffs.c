/* Unit tests of the file system and the vnode layer: what newfs lays out;
 * where files, directories and large files' sections go; fragments
 * growing and shrinking; a tree extracted into a directory stays in its
 * cylinder group, reads back with short seeks, and costs far fewer
 * synchronous writes with delayed metadata; the name cache (positive and
 * negative hits do no I/O); O_DIRECT leaves nothing cached; an unlinked
 * open file keeps its blocks until the last close; advisory locks
 * (conflicts, waiting, byte ranges, deadlock); rmdir and rename racing a
 * create and an unlink; stat; vnode recycling under
 * a small kern.maxvnodes.  Every test ends with the fsck check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "testkern.h"
#include "ffs_private.h"

static void
boot(struct machine *m, const char *const *sets, bool check)
{
	machine_boot(m, check ? machine_checked : NULL, sets);
}

static void
shutdown_machine(struct machine *m)
{
	machine_fsck(m->k);
	machine_shutdown(m);
}

/* The cylinder group of a fragment address / device block. */
static int
cg_of_db(struct kern *k, ufs2_daddr_t db)
{
	return dtog(&k->fs, dbtofsb(&k->fs, db));
}

static struct vnode *
mkdir_off(struct machine *m, struct vnode *dvp, const char *name)
{
	struct vnode *vp;

	assert_int_equal(vn_create(m->k, dvp, name, VDIR, &vp), 0);
	return vp;
}

/* ---- newfs ------------------------------------------------------------ */

static void
test_newfs(void **state)
{
	struct machine m;
	struct fs *fs;

	(void)state;
	boot(&m, NULL, false);
	fs = &m.k->fs;
	/* newfs's defaults: 16 KB blocks, 2 KB fragments (8 a block), an
	 * 8 GB file system; UFS1: 4-byte block pointers (16384 / 4 = 4096 an
	 * indirect block), 128-byte inodes (16384 / 128 = 128 a block). */
	assert_int_equal(fs->fs_bsize, 16384);
	assert_int_equal(fs->fs_fsize, 2048);
	assert_int_equal(fs->fs_frag, 8);
	assert_int_equal(fs->fs_nindir, 4096);
	assert_int_equal(fs->fs_inopb, 128);
	/* maxcontig = MAXPHYS / bsize - 1 = 7, and the cluster summary as
	 * long (min(maxcontig, FS_MAXCONTIG 16)). */
	assert_int_equal(fs->fs_maxcontig, 7);
	assert_int_equal(fs->fs_contigsumsize, 7);
	/* mkfs: the superblock after the 8 KB boot block, rounded up to a
	 * block: roundup(howmany(BBSIZE + SBSIZE, fsize), frag) =
	 * roundup(16384 / 2048, 8) = 8 fragments; the cg block after the
	 * superblock's block, 8 + roundup(howmany(8192, 2048), 8) = 16; the
	 * inodes a block later, 24. */
	assert_int_equal(fs->fs_sblkno, 8);
	assert_int_equal(fs->fs_cblkno, 16);
	assert_int_equal(fs->fs_iblkno, 24);
	assert_int_equal(fs->fs_dblkno, fs->fs_iblkno +
	    blkstofrags(fs, fs->fs_ipg / fs->fs_inopb));
	/* A cg block maps its fragments, inodes and clusters: one inode per
	 * 4 fragments (NFPI 4: density 8 KB), rounded down to a whole block
	 * of 128 inodes, and the bitmaps and the cluster summary (4 bytes
	 * for each of contigsumsize + 1 sizes) fit in the 16 KB block. */
	assert_int_equal(fs->fs_ipg, fs->fs_fpg / 4 - (fs->fs_fpg / 4) % 128);
	assert_true(fs->fs_fpg / 8 + fs->fs_ipg / 8 + fs->fs_fpg / 8 / 8 + 256 +
	    4 * (7 + 1) <= fs->fs_bsize);
	assert_true(fs->fs_fpg > 40000);
	assert_int_equal(fs->fs_ncg, (int)((fs->fs_size + fs->fs_fpg - 1) /
	    fs->fs_fpg));
	/* the root, its first directory block a fragment */
	assert_int_equal(fs->fs_root->i_number, ROOTINO);
	assert_int_equal(fs->fs_root->i_size, DIRBLKSIZ);
	assert_int_equal(fs->fs_root->i_blocks, fs->fs_fsize / DEV_BSIZE);
	assert_int_equal(fs->fs_nifree, (int64_t)fs->fs_ncg * fs->fs_ipg - 3);
	assert_int_equal(fs->fs_ndir, 1);
	assert_int_equal(fs->fs_minfree, 8);
	shutdown_machine(&m);
}

/* ---- allocation policy ------------------------------------------------ */

static void
test_allocation(void **state)
{
	struct machine m;
	struct kern *k;
	struct vnode *root, *d, *f, *big;
	int i, cgd, sections = 0, prevcg;
	char name[32];

	(void)state;
	boot(&m, NULL, false);
	k = m.k;
	ffs_offline_begin(k);
	root = vn_root(k);
	d = mkdir_off(&m, root, "dir");
	cgd = ino_to_cg(&k->fs, d->v_data->i_number);
	/* Files go next to their directory: inode and data in its group. */
	for (i = 0; i < 20; i++) {
		g_snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(vn_create(k, d, name, VREG, &f), 0);
		assert_true(ffs_prealloc(k, f->v_data, 20000));
		assert_int_equal(ino_to_cg(&k->fs, f->v_data->i_number), cgd);
		assert_int_equal(cg_of_db(k, ffs_bmap(k, f->v_data, 0)), cgd);
	}
	/* A big file: its first direct-and-one-indirect's worth in its
	 * inode's group, then sections of maxbpg blocks in other groups,
	 * each contiguous inside. */
	assert_int_equal(vn_create(k, root, "big", VREG, &big), 0);
	assert_true(ffs_prealloc(k, big->v_data,
	    (int64_t)(NDADDR + 3 * k->fs.fs_nindir) * k->fs.fs_bsize));
	prevcg = cg_of_db(k, ffs_bmap(k, big->v_data, 0));
	assert_int_equal(prevcg, ino_to_cg(&k->fs, big->v_data->i_number));
	for (i = 1; i < NDADDR + 3 * k->fs.fs_nindir; i++) {
		int cg = cg_of_db(k, ffs_bmap(k, big->v_data, i));

		if (cg != prevcg)
			sections++;
		prevcg = cg;
	}
	assert_true(sections >= 2 && sections <= 4);
	/* Top-level directories spread over the groups. */
	{
		GHashTable *cgs = g_hash_table_new(g_direct_hash, g_direct_equal);

		for (i = 0; i < 8; i++) {
			g_snprintf(name, sizeof(name), "top%d", i);
			f = mkdir_off(&m, root, name);
			g_hash_table_add(cgs, GINT_TO_POINTER(ino_to_cg(&k->fs,
			    f->v_data->i_number)));
		}
		assert_true(g_hash_table_size(cgs) >= 6);
		g_hash_table_destroy(cgs);
	}
	ffs_offline_end(k);
	shutdown_machine(&m);
}

/*
 * ffs_mapsearch's answer is the first block, from where the search
 * starts, that has what is asked (ffs_alloccg: a run of exactly the
 * fragments wanted, cg_frsum's smallest size that exists;
 * ffs_alloccgblk: a whole free block) — however many used words lie
 * before it.  Group 1 used from its start through nine words of its data
 * area and two blocks more (the searches step over used words four at a
 * time), then a block with its last three fragments free, then free
 * blocks; the preference is the group's first fragment.  Three
 * fragments are that block's three; a whole block the first free one
 * after it.  Then three fragments and a whole block are freed in the
 * used stretch, before where those searches found theirs: the next
 * searches from the same preference find those (the stretches the
 * searches step over, cg_emptylo to cg_emptyhi, end before a block in
 * them that changes).
 */
static void
test_mapsearch_after_used_words(void **state)
{
	struct machine m;
	struct kern *k;
	struct fs *fs;
	struct vnode *f;
	GArray *taken = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t base, start, part, bno, got[4];
	guint i;
	int fr;

	(void)state;
	boot(&m, NULL, false);
	k = m.k;
	fs = &k->fs;
	fr = fs->fs_frag;
	assert_true(fr > 4);
	ffs_offline_begin(k);
	assert_int_equal(vn_create(k, vn_root(k), "f", VREG, &f), 0);
	base = cgbase(fs, 1);
	start = (cgdmin(fs, 1) + 63) & ~(int64_t)63;
	assert_int_equal(dtog(fs, start + 64 * 12), 1);
	/* Group 1 untouched: its data blocks after start are all free. */
	for (bno = start; bno < start + 64 * 12; bno += fr)
		assert_int_equal(ffs_blkmap(fs, bno), (1u << fr) - 1);
	part = start + 64 * 9 + 2 * fr;
	for (bno = base; bno < part; bno++)
		if (isfree(fs, bno)) {
			ffs_frags_set(fs, bno, 1, false);
			g_array_append_val(taken, bno);
		}
	ffs_frags_set(fs, part, fr - 3, false);
	assert_int_equal(ffs_alloc(k, f->v_data, base, 3 * fs->fs_fsize,
	    &got[0]), 0);
	assert_int_equal(got[0], part + fr - 3);
	assert_int_equal(ffs_alloc(k, f->v_data, base, fs->fs_bsize, &got[1]), 0);
	assert_int_equal(got[1], part + fr);
	ffs_frags_set(fs, start + 64 * 4 + fr - 3, 3, true);
	ffs_frags_set(fs, start + 64 * 6, fr, true);
	assert_int_equal(ffs_alloc(k, f->v_data, base, 3 * fs->fs_fsize,
	    &got[2]), 0);
	assert_int_equal(got[2], start + 64 * 4 + fr - 3);
	assert_int_equal(ffs_alloc(k, f->v_data, base, fs->fs_bsize, &got[3]), 0);
	assert_int_equal(got[3], start + 64 * 6);
	/* Everything given back, for fsck at shutdown. */
	ffs_blkfree(k, f->v_data, got[0], 3 * fs->fs_fsize);
	ffs_blkfree(k, f->v_data, got[1], fs->fs_bsize);
	ffs_blkfree(k, f->v_data, got[2], 3 * fs->fs_fsize);
	ffs_blkfree(k, f->v_data, got[3], fs->fs_bsize);
	ffs_frags_set(fs, part, fr - 3, true);
	for (i = 0; i < taken->len; i++) {
		bno = g_array_index(taken, int64_t, i);
		if (!isfree(fs, bno))
			ffs_frags_set(fs, bno, 1, true);
	}
	g_array_free(taken, TRUE);
	ffs_offline_end(k);
	shutdown_machine(&m);
}

/* ---- fragments -------------------------------------------------------- */

static void
test_fragments(void **state)
{
	struct machine m;
	struct kern *k;
	struct vnode *f;
	struct inode *ip;
	int64_t nffree0;

	(void)state;
	boot(&m, NULL, false);
	k = m.k;
	ffs_offline_begin(k);
	assert_int_equal(vn_create(k, vn_root(k), "small", VREG, &f), 0);
	ip = f->v_data;
	nffree0 = k->fs.fs_nffree;
	/* 3000 bytes: two 2 KB fragments (from a free run of a partly used
	 * block — the root directory's — rather than breaking a whole
	 * block). */
	assert_true(ffs_prealloc(k, ip, 3000));
	assert_int_equal(ip->i_blocks, 2 * 2048 / DEV_BSIZE);
	assert_int_equal(ffs_blksize(&k->fs, ip, 0), 4096);
	assert_int_equal(k->fs.fs_nffree, nffree0 - 2);
	machine_fsck(m.k);
	/* 10000 bytes: still block 0 alone, grown to five fragments. */
	assert_true(ffs_prealloc(k, ip, 10000));
	assert_int_equal(ffs_blksize(&k->fs, ip, 0), 10240);
	assert_int_equal(ip->i_blocks, 5 * 2048 / DEV_BSIZE);
	machine_fsck(m.k);
	/* 20000 bytes: block 0 whole, block 1 a 4 KB fragment (3616 bytes
	 * rounded up to two fragments). */
	assert_true(ffs_prealloc(k, ip, 20000));
	assert_int_equal(ffs_blksize(&k->fs, ip, 0), 16384);
	assert_int_equal(ffs_blksize(&k->fs, ip, 1), 4096);
	assert_int_equal(ip->i_blocks, (16384 + 4096) / DEV_BSIZE);
	machine_fsck(m.k);
	/* Back to 1000 bytes: block 1 freed, block 0 shrinks to one
	 * fragment. */
	ffs_truncate(k, f, 1000);
	assert_int_equal(ip->i_blocks, 2048 / DEV_BSIZE);
	machine_fsck(m.k);
	ffs_truncate(k, f, 0);
	assert_int_equal(ip->i_blocks, 0);
	ffs_offline_end(k);
	shutdown_machine(&m);
}

/* ---- a directory as long as its listing ---------------------------------- */

/*
 * ufs_dir_pad: entries that nothing names, placed as ufs_direnter places
 * entries — first in the room the chunks have, then in new chunks at the
 * end, the directory's blocks allocated as for any growth — take room
 * but no name: the names are as they were, a new name goes in a new
 * chunk when none has room, and fsck finds the directory whole.
 */
static void
test_dir_pad(void **state)
{
	struct machine m;
	struct kern *k;
	struct vnode *d, *f;
	struct inode *dp;
	GArray *fr;
	int c;

	(void)state;
	boot(&m, NULL, false);
	k = m.k;
	ffs_offline_begin(k);
	assert_int_equal(vn_create(k, vn_root(k), "d", VDIR, &d), 0);
	assert_int_equal(vn_create(k, d, "a", VREG, &f), 0);
	dp = d->v_data;
	fr = dp->i_dir->d_free;
	/* ".", ".." and "a": 36 bytes of chunk 0 */
	assert_int_equal(fr->len, 1);
	assert_int_equal(g_array_index(fr, int, 0), DIRBLKSIZ - 36);
	/* 100 of 28 bytes: 17 fill chunk 0's 476, then 18 a chunk: 83 in
	 * five more, the last holding 11 */
	assert_true(ufs_dir_pad(k, dp, 100, 28));
	assert_int_equal(fr->len, 6);
	assert_int_equal(dp->i_size, 6 * DIRBLKSIZ);
	assert_int_equal(g_array_index(fr, int, 0), 0);
	for (c = 1; c < 5; c++)
		assert_int_equal(g_array_index(fr, int, c), DIRBLKSIZ - 18 * 28);
	assert_int_equal(g_array_index(fr, int, 5), DIRBLKSIZ - 11 * 28);
	assert_int_equal(ufs_dir_count(dp), 1);
	assert_true(ufs_dir_lookup(dp, "a") != NULL);
	/* a name of 28 bytes goes in the first chunk with room: the last */
	assert_int_equal(ufs_dir_add(dp, "bbbbbbbbbbbbbbbb", dp), 5);
	(void)ufs_dir_remove(dp, "bbbbbbbbbbbbbbbb");
	machine_fsck(k);
	ffs_offline_end(k);
	shutdown_machine(&m);
}

/* ---- a tree extracted, then read back ---------------------------------- */

struct tree {
	struct machine	*m;
	struct vnode	*dir;
	struct vnode	*files[40];
	uint64_t	 syncw;
	int		 nreads;
	double		 meandist;
};

static void
extract_body(void *arg)
{
	struct tree *t = arg;
	struct kern *k = t->m->k;
	uint64_t s0 = k->cnt.bwrite_sync;
	char name[32];
	int i;

	bwillwrite(k);
	assert_int_equal(vn_create(k, vn_root(k), "x", VDIR, &t->dir), 0);
	vref(t->dir);
	for (i = 0; i < 40; i++) {
		struct vnode *vp;

		g_snprintf(name, sizeof(name), "file%02d", i);
		bwillwrite(k);
		assert_int_equal(vn_create(k, t->dir, name, VREG, &vp), 0);
		vref(vp);
		assert_int_equal(vn_write(k, vp, 0, 12000, 0), 0);
		t->files[i] = vp;
		vn_unpin_all(k);
	}
	t->syncw = k->cnt.bwrite_sync - s0;
}

/* Throw away every cached block of the files (a cold cache). */
static void
drop_cache(struct tree *t)
{
	int i;

	for (i = 0; i < 40; i++) {
		vinvalbuf_range(t->m->k, t->files[i], INT64_MIN);
		vm_object_terminate(t->m->k, t->files[i]);
	}
}

static void
readback_body(void *arg)
{
	struct tree *t = arg;
	struct kern *k = t->m->k;
	guint first = 0;
	int i;

	(void)first;
	for (i = 0; i < 40; i++)
		(void)vn_read(k, t->files[i], 0, 12000, 0);
}

static GArray *reads;

static void
record_read(void *arg, const struct diskreq *r)
{
	(void)arg;
	if (!r->write)
		g_array_append_val(reads, r->sector);
}

static void
tree_run(const char *meta, struct tree *t)
{
	const char *sets[] = { meta, NULL };
	struct machine m;
	double sum = 0;
	guint i;
	int cg;

	memset(t, 0, sizeof(*t));
	boot(&m, sets, false);
	t->m = &m;
	machine_run(&m, "test", extract_body, t);
	machine_sync(&m);
	/* All in the directory's group. */
	cg = ino_to_cg(&m.k->fs, t->dir->v_data->i_number);
	for (i = 0; i < 40; i++) {
		assert_int_equal(ino_to_cg(&m.k->fs, t->files[i]->v_data->i_number), cg);
		assert_int_equal(cg_of_db(m.k, ffs_bmap(m.k, t->files[i]->v_data, 0)),
		    cg);
	}
	drop_cache(t);
	reads = g_array_new(FALSE, FALSE, sizeof(int64_t));
	m.k->hooks.disk_done = record_read;
	machine_run(&m, "test", readback_body, t);
	m.k->hooks.disk_done = NULL;
	for (i = 1; i < reads->len; i++) {
		int64_t d = g_array_index(reads, int64_t, i) -
		    g_array_index(reads, int64_t, i - 1);

		sum += (double)(d < 0 ? -d : d);
	}
	t->nreads = (int)reads->len;
	t->meandist = reads->len > 1 ? sum / (reads->len - 1) : 0;
	g_array_free(reads, TRUE);
	for (i = 0; i < 40; i++)
		vrele(m.k, t->files[i]);
	vrele(m.k, t->dir);
	shutdown_machine(&m);
}

static void
test_tree(void **state)
{
	struct tree sync, async;

	(void)state;
	tree_run("ffs.metadata=sync", &sync);
	tree_run("ffs.metadata=async", &async);
	print_message("    40 files in a directory: %llu synchronous writes with "
	    "sync metadata, %llu with async; read back in %d reads, mean "
	    "distance %.0f sectors\n", (unsigned long long)sync.syncw,
	    (unsigned long long)async.syncw, sync.nreads, sync.meandist);
	/* Each create writes its inode and its directory entry. */
	assert_true(sync.syncw >= 80);
	assert_true(async.syncw * 10 < sync.syncw);
	/* Reading them back in order: short seeks, a group's span at
	 * most (a cylinder group is some 45 MB: ~90000 sectors). */
	assert_true(sync.nreads >= 40);
	assert_true(sync.meandist < 2000);
}

/* ---- the name cache ---------------------------------------------------- */

static struct {
	struct machine	*m;
	uint64_t	 reads_pos2, reads_neg1, reads_neg2, dirblk_neg2, dirblk_neg1;
} nc;

static uint64_t
disk_reads(struct kern *k)
{
	return k->disk.st.reads;
}

static void
nc_body(void *arg)
{
	struct kern *k = nc.m->k;
	struct nameidata nd;
	uint64_t r, d;
	int i;

	(void)arg;
	/* First lookups read directories and inodes; then it is cached. */
	assert_int_equal(namei(k, NULL, "/a/b/c/file", &nd), 0);
	assert_non_null(nd.ni_vp);
	vn_unpin_all(k);
	r = disk_reads(k);
	assert_int_equal(namei(k, NULL, "/a/b/c/file", &nd), 0);
	vn_unpin_all(k);
	nc.reads_pos2 = disk_reads(k) - r;
	/* More names cached: negative entries are held to 1/16 of all, so
	 * with a handful cached a new negative entry would go at once. */
	for (i = 0; i < 20; i++) {
		char path[64];

		g_snprintf(path, sizeof(path), "/a/b/c/n%d", i);
		assert_int_equal(namei(k, NULL, path, &nd), 0);
		vn_unpin_all(k);
	}
	/* A name that is not there: the directory is searched once. */
	r = disk_reads(k);
	d = k->cnt.dirblk_reads;
	assert_int_equal(namei(k, NULL, "/a/b/c/nothere", &nd), 0);
	assert_null(nd.ni_vp);
	vn_unpin_all(k);
	nc.dirblk_neg1 = k->cnt.dirblk_reads - d;
	r = disk_reads(k);
	d = k->cnt.dirblk_reads;
	assert_int_equal(namei(k, NULL, "/a/b/c/nothere", &nd), 0);
	assert_null(nd.ni_vp);
	vn_unpin_all(k);
	nc.reads_neg2 = disk_reads(k) - r;
	nc.dirblk_neg2 = k->cnt.dirblk_reads - d;
}

static void
test_namecache(void **state)
{
	struct machine m;
	struct vnode *vp;
	uint64_t neghits;
	int i;

	(void)state;
	boot(&m, NULL, true);
	nc.m = &m;
	ffs_offline_begin(m.k);
	vp = mkdir_off(&m, mkdir_off(&m, mkdir_off(&m, vn_root(m.k), "a"), "b"), "c");
	for (i = 0; i < 20; i++) {
		struct vnode *f;
		char name[16];

		g_snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(vn_create(m.k, vp, name, VREG, &f), 0);
	}
	assert_int_equal(vn_create(m.k, vp, "file", VREG, &vp), 0);
	ffs_offline_end(m.k);
	vn_reclaim_idle(m.k);		/* a cold start: nothing in core */
	neghits = m.k->cnt.nc_neghits;
	machine_run(&m, "test", nc_body, NULL);
	assert_int_equal(nc.reads_pos2, 0);
	assert_true(nc.dirblk_neg1 > 0);
	assert_int_equal(nc.reads_neg2, 0);
	assert_int_equal(nc.dirblk_neg2, 0);
	assert_int_equal(m.k->cnt.nc_neghits, neghits + 1);
	assert_true(m.k->cnt.nc_goodhits >= 4);
	shutdown_machine(&m);
}

/* ---- O_DIRECT ----------------------------------------------------------- */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	int		 pages_after_write, pages_after_read;
	uint64_t	 reads_normal;
} od;

static void
odirect_body(void *arg)
{
	struct kern *k = od.m->k;
	uint64_t r;

	(void)arg;
	assert_int_equal(vn_write(k, od.vp, 0, 65536, IO_DIRECT), 0);
	kern_sync(k);
	od.pages_after_write = od.vp->v_npages;
	(void)vn_read(k, od.vp, 0, 65536, IO_DIRECT);
	od.pages_after_read = od.vp->v_npages;
	r = disk_reads(k);
	(void)vn_read(k, od.vp, 0, 65536, 0);	/* a normal read misses */
	od.reads_normal = disk_reads(k) - r;
	vn_unpin_all(k);
}

static void
test_odirect(void **state)
{
	struct machine m;

	(void)state;
	boot(&m, NULL, true);
	od.m = &m;
	assert_int_equal(vn_create(m.k, vn_root(m.k), "d", VREG, &od.vp), 0);
	vref(od.vp);
	machine_run(&m, "test", odirect_body, NULL);
	assert_int_equal(od.pages_after_write, 0);
	assert_int_equal(od.pages_after_read, 0);
	assert_true(od.reads_normal > 0);
	vrele(m.k, od.vp);
	shutdown_machine(&m);
}

/* ---- unlinking an open file --------------------------------------------- */

static void
test_unlink_open(void **state)
{
	struct machine m;
	struct vnode *vp, *root;
	int64_t free0, free1, free2;

	(void)state;
	boot(&m, NULL, false);
	root = vn_root(m.k);
	free0 = ffs_freebytes(&m.k->fs);
	assert_int_equal(vn_create(m.k, root, "gone", VREG, &vp), 0);
	assert_true(ffs_prealloc(m.k, vp->v_data, 1 << 20));
	vref(vp);			/* open */
	assert_int_equal(vn_remove(m.k, root, "gone", false), 0);
	free1 = ffs_freebytes(&m.k->fs);
	assert_true(free1 < free0);	/* still held */
	assert_null(ufs_dir_lookup(root->v_data, "gone"));
	vrele(m.k, vp);			/* last close */
	free2 = ffs_freebytes(&m.k->fs);
	assert_int_equal(free2, free0);
	shutdown_machine(&m);
}

/* ---- advisory locks ------------------------------------------------------ */

static struct {
	struct machine	*m;
	struct inode	*ip;
	sim_time_t	 got_at;
} lk;

static void
lock_holder(void *arg)
{
	struct kern *k = lk.m->k;

	(void)arg;
	assert_int_equal(lf_advlock(k, lk.ip, "A", F_SETLK, F_WRLCK, 0, -1,
	    F_FLOCK), 0);
	sim_pause(k->sim, SIM_SEC);
	lf_release(k, lk.ip, "A", F_FLOCK);
}

static void
lock_waiter(void *arg)
{
	struct kern *k = lk.m->k;

	(void)arg;
	sim_pause(k->sim, SIM_MS);
	/* Not waiting: EWOULDBLOCK; waiting: granted when A lets go. */
	assert_int_equal(lf_advlock(k, lk.ip, "B", F_SETLK, F_WRLCK, 0, -1,
	    F_FLOCK), EAGAIN);
	assert_int_equal(lf_advlock(k, lk.ip, "B", F_SETLK, F_RDLCK, 0, -1,
	    F_FLOCK | F_WAIT), 0);
	lk.got_at = sim_now(k->sim);
	lf_release(k, lk.ip, "B", F_FLOCK);
}

static void
test_lockf(void **state)
{
	struct machine m;
	struct vnode *vp;
	struct inode *ip;

	(void)state;
	boot(&m, NULL, false);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "l", VREG, &vp), 0);
	ip = vp->v_data;
	/* Byte ranges: owners P and Q, overlapping read locks are fine, a
	 * write lock over another's read lock is not; unlocking the middle
	 * of a range splits it. */
	assert_int_equal(lf_advlock(m.k, ip, "P", F_SETLK, F_RDLCK, 0, 99,
	    F_POSIX), 0);
	assert_int_equal(lf_advlock(m.k, ip, "Q", F_SETLK, F_RDLCK, 50, 149,
	    F_POSIX), 0);
	assert_int_equal(lf_advlock(m.k, ip, "Q", F_SETLK, F_WRLCK, 90, 95,
	    F_POSIX), EAGAIN);
	assert_int_equal(lf_advlock(m.k, ip, "Q", F_GETLK, F_WRLCK, 100, 149,
	    F_POSIX), 0);
	assert_int_equal(lf_advlock(m.k, ip, "P", F_SETLK, F_UNLCK, 40, 59,
	    F_POSIX), 0);
	assert_int_equal(lf_count(ip), 3);	/* P 0-39, P 60-99, Q 50-149 */
	assert_int_equal(lf_advlock(m.k, ip, "Q", F_SETLK, F_WRLCK, 40, 49,
	    F_POSIX), 0);
	lf_release(m.k, ip, "P", F_POSIX);
	lf_release(m.k, ip, "Q", F_POSIX);
	assert_int_equal(lf_count(ip), 0);
	/* flock: one waits for the other. */
	lk.m = &m;
	lk.ip = ip;
	sim_spawn(m.s, "A", lock_holder, NULL, 0);
	sim_spawn(m.s, "B", lock_waiter, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	assert_int_equal(lk.got_at, SIM_SEC);
	assert_int_equal(m.k->cnt.lockf_waits, 1);
	shutdown_machine(&m);
}

/* ---- the name space under concurrent changes ------------------------------ */

static struct {
	struct machine	*m;
	struct vnode	*dir;		/* /d */
	int		 create_err, rmdir_err, rename_err, unlink_err;
} ns;

/* A creates /d/x: the directory is locked from its lookup to the new
 * entry, across the synchronous inode write. */
static void
ns_creator(void *arg)
{
	struct vnode *vp;

	(void)arg;
	ns.create_err = vn_create(ns.m->k, ns.dir, "x", VREG, &vp);
}

/* B removes /d while A is inside it. */
static void
ns_remover(void *arg)
{
	(void)arg;
	ns.rmdir_err = vn_remove(ns.m->k, vn_root(ns.m->k), "d", true);
}

/* A renames /a to /b: the link count is written before the new name. */
static void
ns_renamer(void *arg)
{
	(void)arg;
	ns.rename_err = vn_rename(ns.m->k, vn_root(ns.m->k), "a",
	    vn_root(ns.m->k), "b", 0);
}

/* B, meanwhile, unlinks /a and makes a new /a. */
static void
ns_replacer(void *arg)
{
	struct vnode *vp;

	(void)arg;
	ns.unlink_err = vn_remove(ns.m->k, vn_root(ns.m->k), "a", false);
	assert_int_equal(vn_create(ns.m->k, vn_root(ns.m->k), "a", VREG, &vp), 0);
}

static void
test_namespace_races(void **state)
{
	struct machine m;
	struct vnode *a, *b;
	struct direntry *de;

	(void)state;
	boot(&m, NULL, false);
	ns.m = &m;
	/*
	 * ufs_rmdir runs with the directory itself locked (namei's
	 * LOCKLEAF), and ufs_makeinode holds its directory locked until the
	 * new entry is in: an rmdir that comes while a create in the
	 * directory sleeps waits for it, and then finds it not empty.
	 */
	ns.dir = mkdir_off(&m, vn_root(m.k), "d");
	sim_spawn(m.s, "A", ns_creator, NULL, 0);
	sim_spawn(m.s, "B", ns_remover, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	assert_int_equal(ns.create_err, 0);
	assert_int_equal(ns.rmdir_err, ENOTEMPTY);
	assert_non_null(ufs_dir_lookup(vn_root(m.k)->v_data, "d"));
	machine_fsck(m.k);
	/*
	 * ufs_rename's step 3 looks the source name up again: if another
	 * process unlinked it (and made a new file of that name) while the
	 * rename slept, the rename leaves the new file alone.
	 */
	assert_int_equal(vn_create(m.k, vn_root(m.k), "a", VREG, &a), 0);
	sim_spawn(m.s, "A", ns_renamer, NULL, 0);
	sim_spawn(m.s, "B", ns_replacer, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	assert_int_equal(ns.rename_err, 0);
	assert_int_equal(ns.unlink_err, 0);
	de = ufs_dir_lookup(vn_root(m.k)->v_data, "b");
	assert_non_null(de);
	assert_ptr_equal(de->de_ip, a->v_data);
	assert_int_equal(((struct inode *)a->v_data)->i_nlink, 1);
	de = ufs_dir_lookup(vn_root(m.k)->v_data, "a");
	assert_non_null(de);
	b = vn_get(m.k, de->de_ip);
	assert_ptr_not_equal(b, a);
	assert_int_equal(de->de_ip->i_nlink, 1);
	shutdown_machine(&m);
}

/* ---- stat ---------------------------------------------------------------- */

static void
test_stat(void **state)
{
	struct machine m;
	struct vnode *vp;
	struct vattr va;

	(void)state;
	boot(&m, NULL, false);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "s", VREG, &vp), 0);
	assert_true(ffs_prealloc(m.k, vp->v_data, 86000));
	memset(&va, 0xa5, sizeof(va));	/* no garbage may survive */
	vn_stat(m.k, vp, &va);
	assert_int_equal(va.va_size, 86000);
	/* 5 whole 16 KB blocks and a 4 KB fragment (86000 - 81920 = 4080
	 * rounded up to two 2 KB fragments); st_blksize is fs_bsize. */
	assert_int_equal(va.va_bytes, 5 * 16384 + 2 * 2048);
	assert_int_equal(va.va_blocksize, 16384);
	assert_int_equal(va.va_nlink, 1);
	assert_int_equal(va.va_type, VREG);
	assert_true(va.va_fileid > ROOTINO);
	/* A 1 MB file holds an indirect block too: its 64 blocks, 52 past
	 * the 12 direct ones, need one (and a file past the direct blocks
	 * has no fragment). */
	assert_true(ffs_prealloc(m.k, vp->v_data, 1 << 20));
	vn_stat(m.k, vp, &va);
	assert_int_equal(va.va_bytes, (1 << 20) + 16384);
	shutdown_machine(&m);
}

/* ---- vnode recycling ------------------------------------------------------ */

static struct machine *vr_m;

static void
vr_body(void *arg)
{
	struct kern *k = vr_m->k;
	char path[64];
	int pass, i;

	(void)arg;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 300; i++) {
			struct nameidata nd;

			g_snprintf(path, sizeof(path), "/d%d/f%d", i % 10, i);
			assert_int_equal(namei(k, NULL, path, &nd), 0);
			assert_non_null(nd.ni_vp);
			(void)vn_read(k, nd.ni_vp, 0, 4096, 0);
			vn_unpin_all(k);
		}
}

static void
test_vnode_recycling(void **state)
{
	static const char *const sets[] = { "kern.maxvnodes=60", NULL };
	struct machine m;
	char name[32];
	int i;

	(void)state;
	boot(&m, sets, false);
	vr_m = &m;
	ffs_offline_begin(m.k);
	for (i = 0; i < 10; i++) {
		g_snprintf(name, sizeof(name), "d%d", i);
		(void)mkdir_off(&m, vn_root(m.k), name);
	}
	for (i = 0; i < 300; i++) {
		struct vnode *d, *f;

		g_snprintf(name, sizeof(name), "d%d", i % 10);
		d = vn_child(m.k, vn_root(m.k), name);
		g_snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(vn_create(m.k, d, name, VREG, &f), 0);
		assert_true(ffs_prealloc(m.k, f->v_data, 4096));
	}
	ffs_offline_end(m.k);
	vn_reclaim_idle(m.k);
	machine_run(&m, "test", vr_body, NULL);
	print_message("    300 files read twice with kern.maxvnodes=60: %lld "
	    "vnodes at the end, %llu recycled, %llu waits for vnlru\n",
	    (long long)m.k->numvnodes,
	    (unsigned long long)m.k->cnt.vnodes_recycled,
	    (unsigned long long)m.k->cnt.vlruwk_waits);
	assert_true(m.k->cnt.vnodes_recycled > 300);
	assert_true(m.k->numvnodes - m.k->freevnodes <= 60);
	shutdown_machine(&m);
}

/* ---- data at risk: what a crash now would lose --------------------------
 *
 * After a crash fsck keeps a file as its directory entry and inode on the
 * disk say: a byte a process wrote survives only with its data block, the
 * pointer to it and an inode covering it all on the disk, and the file's
 * name (ffs_risk.c).  Each case counts, at chosen moments, the bytes
 * ffs_at_risk says a crash would lose — in bytes written, not blocks. */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	int64_t		 at[8];
	int		 n;
	bool		 sampling;	/* the sampler's turn */
} rk;

static int64_t
at_risk(struct kern *k)
{
	int64_t b, d;
	sim_time_t t;

	ffs_at_risk(k, &b, &t, &d);
	return b;
}

static void
note(struct kern *k)
{
	rk.at[rk.n++] = at_risk(k);
}

/* Settle every write in flight. */
static void
quiet(struct kern *k)
{
	sim_pause(k->sim, SIM_SEC);
}

/* An existing file, 32 KB on the disk: appending 100 bytes puts 100 at
 * risk; the data block written (the file's fsync, MNT_LAZY: its inode
 * then a delayed write) leaves them at risk — the disk's inode still says
 * 32 KB — until the device's buffers go.  Overwriting 10 bytes in place
 * risks 10, until they are written. */
static void
append_body(void *arg)
{
	struct kern *k = rk.m->k;

	(void)arg;
	note(k);					/* 0 */
	assert_int_equal(vn_write(k, rk.vp, 32768, 100, 0), 0);
	note(k);					/* 100 */
	(void)vn_lock(k, rk.vp, LK_EXCLUSIVE);
	(void)VOP_FSYNC(k, rk.vp, MNT_LAZY);
	VOP_UNLOCK(k, rk.vp);
	quiet(k);
	note(k);					/* still 100 */
	(void)VOP_FSYNC(k, k->fs.fs_devvp, MNT_WAIT);
	note(k);					/* 0 */
	assert_int_equal(vn_write(k, rk.vp, 5000, 10, 0), 0);
	note(k);					/* 10 */
	(void)VOP_FSYNC(k, rk.vp, MNT_WAIT);
	note(k);					/* 0 */
	vn_unpin_all(k);
}

/* A new file on an async mount: its directory entry and inode are
 * delayed writes, so all of it is lost until both are on the disk, even
 * with its data there. */
static void
newfile_body(void *arg)
{
	struct kern *k = rk.m->k;
	struct vnode *vp;

	(void)arg;
	assert_int_equal(vn_create(k, vn_root(k), "new", VREG, &vp), 0);
	assert_int_equal(vn_write(k, vp, 0, 1000, 0), 0);
	note(k);					/* 1000 */
	(void)VOP_FSYNC(k, vp, MNT_WAIT);		/* data; inode delayed */
	quiet(k);
	note(k);					/* 1000 */
	(void)VOP_FSYNC(k, vn_root(k), MNT_WAIT);	/* the entry */
	quiet(k);
	note(k);					/* 1000: no inode */
	(void)VOP_FSYNC(k, k->fs.fs_devvp, MNT_WAIT);
	note(k);					/* 0 */
	vn_unpin_all(k);
}

/* A synchronous write is not safe before it is done: sampled while the
 * writer sleeps "biowr", its 16 KB are at risk. */
static void
sync_writer(void *arg)
{
	struct kern *k = rk.m->k;

	(void)arg;
	rk.sampling = true;
	assert_int_equal(vn_write(k, rk.vp, 0, 16384, IO_SYNC), 0);
	note(k);					/* 0 */
	vn_unpin_all(k);
}

static void
sync_sampler(void *arg)
{
	struct kern *k = rk.m->k;

	(void)arg;
	/* until the write is on its way (the block is read first) */
	while (!rk.sampling || k->bc.runningbufspace == 0)
		sim_pause(k->sim, 10 * SIM_US);
	note(k);					/* 16384 */
}

/* A block past the direct ones: its data and the inode with the new
 * size on the disk, but its pointer, in the file's indirect block, not:
 * lost until that block is written. */
static void
indirect_body(void *arg)
{
	struct kern *k = rk.m->k;
	struct inode *ip = rk.vp->v_data;
	struct buf *bp;

	(void)arg;
	assert_int_equal(vn_write(k, rk.vp, 20 * 16384, 16384, 0), 0);
	bp = incore(k, rk.vp, 20);
	BUF_LOCK(k, bp, "test");
	bremfree(k, bp);
	bawrite(k, bp);					/* the data */
	ffs_update(k, ip, true);			/* the size */
	quiet(k);
	note(k);					/* 16384 */
	(void)VOP_FSYNC(k, rk.vp, MNT_WAIT);		/* the pointer */
	note(k);					/* 0 */
	vn_unpin_all(k);
}

/* Hard links on an async mount (directory blocks delayed writes): a
 * second name (ufs_link) leaves the file found by its first, on the
 * disk — nothing at risk; with the first name removed it is found only
 * by the new one, not on the disk yet: all 32 KB at risk until the
 * directory block is written.  (A new symbolic link, not on the disk
 * either, is a name, not file data: nothing.) */
static void
link_body(void *arg)
{
	struct kern *k = rk.m->k;
	struct vnode *lvp;

	(void)arg;
	assert_int_equal(vn_symlink(k, vn_root(k), "l", "f", &lvp), 0);
	note(k);					/* 0 */
	assert_int_equal(vn_link(k, rk.vp, vn_root(k), "g"), 0);
	note(k);					/* 0 */
	assert_int_equal(vn_remove(k, vn_root(k), "f", false), 0);
	note(k);					/* 32768 */
	(void)VOP_FSYNC(k, vn_root(k), MNT_WAIT);	/* the entries */
	quiet(k);
	note(k);					/* 0 */
	vn_unpin_all(k);
}

static void
risk_run(const char *const *sets, int64_t size, sim_proc_fn *body,
    sim_proc_fn *other)
{
	static struct machine m;

	memset(&rk, 0, sizeof(rk));
	rk.m = &m;
	boot(&m, sets, true);
	rk.vp = machine_mkfile(&m, "f", size);
	sim_spawn(m.s, "body", body, NULL, 0);
	if (other != NULL)
		sim_spawn(m.s, "other", other, NULL, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	vrele(m.k, rk.vp);
}

static void
test_at_risk(void **state)
{
	static const char *const async[] = { "ffs.metadata=async", NULL };
	static const int64_t append[] = { 0, 100, 100, 0, 10, 0 };
	static const int64_t newfile[] = { 1000, 1000, 1000, 0 };
	static const int64_t sync_in_flight[] = { 16384, 0 };
	static const int64_t indirect[] = { 16384, 0 };
	static const int64_t links[] = { 0, 0, 32768, 0 };
	int i;

	(void)state;
	risk_run(NULL, 32768, append_body, NULL);
	assert_int_equal(rk.n, 6);
	for (i = 0; i < rk.n; i++)
		assert_int_equal(rk.at[i], append[i]);
	shutdown_machine(rk.m);

	risk_run(async, 0, newfile_body, NULL);
	assert_int_equal(rk.n, 4);
	for (i = 0; i < rk.n; i++)
		assert_int_equal(rk.at[i], newfile[i]);
	shutdown_machine(rk.m);

	risk_run(NULL, 65536, sync_writer, sync_sampler);
	assert_int_equal(rk.n, 2);
	for (i = 0; i < rk.n; i++)
		assert_int_equal(rk.at[i], sync_in_flight[i]);
	shutdown_machine(rk.m);

	risk_run(NULL, 20 * 16384, indirect_body, NULL);
	assert_int_equal(rk.n, 2);
	for (i = 0; i < rk.n; i++)
		assert_int_equal(rk.at[i], indirect[i]);
	shutdown_machine(rk.m);

	risk_run(async, 32768, link_body, NULL);
	assert_int_equal(rk.n, 4);
	for (i = 0; i < rk.n; i++)
		assert_int_equal(rk.at[i], links[i]);
	shutdown_machine(rk.m);
}

/* ---- the free map's counts ---------------------------------------------- */

/* The counts of the blocks from bno in n fragments, fragment by fragment:
 * a wholly free block in cg_nbfree, every other block's free fragments
 * in cg_nffree and its maximal free runs in cg_frsum (ffs_fragacct's
 * bookkeeping, ufs/ffs/ffs_subr.c), written here without ffs_subr.c. */
static void
ref_count(const struct fs *fs, int64_t bno, int64_t n, struct cg *acc)
{
	int64_t b;

	for (b = bno; b < bno + n; b += fs->fs_frag) {
		int i, run = 0, nfree = 0;
		int runs[MAXFRAG + 1] = { 0 };

		for (i = 0; i < fs->fs_frag; i++) {
			int64_t x = b + i;

			if ((fs->fs_fmap[x >> 3] >> (x & 7)) & 1) {
				run++;
				nfree++;
				continue;
			}
			if (run > 0)
				runs[run]++;
			run = 0;
		}
		if (nfree == fs->fs_frag) {
			acc->cg_nbfree++;
			continue;
		}
		if (run > 0)
			runs[run]++;
		acc->cg_nffree += nfree;
		for (i = 1; i < fs->fs_frag; i++)
			acc->cg_frsum[i] += runs[i];
	}
}

static void
assert_counts_equal(const struct cg *a, const struct cg *b)
{
	int i;

	assert_int_equal(a->cg_nbfree, b->cg_nbfree);
	assert_int_equal(a->cg_nffree, b->cg_nffree);
	for (i = 0; i < MAXFRAG; i++)
		assert_int_equal(a->cg_frsum[i], b->cg_frsum[i]);
}

/*
 * The counts mount derives from newfs's map (ffs_map_count, a word of the
 * map at a time) are the block-by-block ones, for every fragment size and
 * on a map of random words (all free, all used, mixed) from a block that
 * is not word-aligned to one that ends inside the last block; and fsck's
 * pass 5 (also a word at a time) still finds a single fragment out of
 * place in a wholly free word, and a count that is one off.
 */
static void
test_free_map_counts(void **state)
{
	static const char *const fsizes[] = { "ffs.fsize=16384",
	    "ffs.fsize=8192", "ffs.fsize=4096", "ffs.fsize=2048" };
	size_t z;

	(void)state;
	for (z = 0; z < G_N_ELEMENTS(fsizes); z++) {
		const char *sets[] = { fsizes[z], NULL };
		struct machine m;
		struct fs *fs;
		struct cg want, got;
		GRand *rnd = g_rand_new_with_seed(14);
		int64_t bno, n, x, save_len;
		uint8_t *save;
		char *why = NULL;
		int c, t;

		boot(&m, sets, false);
		fs = &m.k->fs;
		assert_int_equal(fs->fs_frag, 1 << z);	/* 16 KB blocks */
		assert_true(fs->fs_ncg >= 2);
		for (c = 0; c < fs->fs_ncg; c++) {
			memset(&want, 0, sizeof(want));
			ref_count(fs, cgbase(fs, c), ffs_cg_frags(fs, c), &want);
			assert_counts_equal(&want, &fs->fs_cgs[c]);
		}

		/* Random words in group 1's data area. */
		bno = cgdmin(fs, 1);
		save_len = 64 * 40;
		save = g_memdup2(fs->fs_fmap + (bno >> 3), (size_t)save_len / 8);
		for (t = 0; t < 50; t++) {
			for (x = 0; x < save_len / 8; x++) {
				int kind = g_rand_int_range(rnd, 0, 3);

				fs->fs_fmap[(bno >> 3) + x] = kind == 0 ? 0 :
				    kind == 1 ? 0xff : (uint8_t)g_rand_int(rnd);
			}
			/* From a block start off the word grid, ending
			 * inside a block where it can. */
			x = bno + fs->fs_frag * g_rand_int_range(rnd, 0,
			    64 / fs->fs_frag + 1);
			n = save_len - 64 - (x - bno) + g_rand_int_range(rnd, 0, 64);
			memset(&want, 0, sizeof(want));
			memset(&got, 0, sizeof(got));
			ref_count(fs, x, n, &want);
			ffs_map_count(fs, x, n, &got);
			assert_counts_equal(&want, &got);
		}
		memcpy(fs->fs_fmap + (bno >> 3), save, (size_t)save_len / 8);
		g_free(save);
		machine_fsck(m.k);

		/* One fragment of a wholly free word taken out of the map. */
		x = (cgdmin(fs, 1) + 64 * 8) & ~(int64_t)63;
		assert_true(fs->fs_fmap[x >> 3] == 0xff);
		clrfree(fs, x + 9);
		assert_true(ffs_fsck(m.k, &why) > 0);
		assert_non_null(strstr(why, "unused but not free"));
		g_free(why);
		setfree(fs, x + 9);
		machine_fsck(m.k);
		/* A count one off. */
		fs->fs_cgs[1].cg_nbfree++;
		assert_true(ffs_fsck(m.k, &why) > 0);
		assert_non_null(strstr(why, "the counts say"));
		g_free(why);
		fs->fs_cgs[1].cg_nbfree--;
		g_rand_free(rnd);
		shutdown_machine(&m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newfs),
		cmocka_unit_test(test_dir_pad),
		cmocka_unit_test(test_allocation),
		cmocka_unit_test(test_mapsearch_after_used_words),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_namecache),
		cmocka_unit_test(test_odirect),
		cmocka_unit_test(test_unlink_open),
		cmocka_unit_test(test_lockf),
		cmocka_unit_test(test_namespace_races),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_vnode_recycling),
		cmocka_unit_test(test_at_risk),
		cmocka_unit_test(test_free_map_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
