/* Unit tests of disk errors: the faults the drive is given (disk.errors,
 * disk.error_rate), and what the 2001 kernel did with an I/O error —
 * biodone with B_ERROR, bread's EIO, brelse re-dirtying a failed write,
 * a cluster failing every component, ffs_fsync's synchronous last pass
 * returning the error, ffs_update's, a failed background write — with the
 * accounting invariants checked after every event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "testkern.h"

/* A machine with /f, 8 MB preallocated, held open (m->vp). */
static void
boot(struct machine *m, const char *const *sets)
{
	machine_boot(m, machine_checked, sets);
	m->vp = machine_mkfile(m, "f", 8 << 20);
}

static void
run(struct machine *m, sim_proc_fn *fn)
{
	machine_run(m, "test", fn, m);
	bufcache_check(m->k);
}

/* The first sector of block lbn of /f. */
static int64_t
sector_of(struct machine *m, int64_t lbn)
{
	return fsbtodb(&m->k->fs, ffs_blk_get(m->vp->v_data, lbn));
}

/* Give the drive one fault: sectors [first, first + n), rw "r", "w" or
 * "rw", permanent or not — through the parser, as disk.errors would. */
static void
fault(struct machine *m, int64_t first, int n, const char *rw, bool permanent)
{
	char *s = g_strdup_printf("%lld-%lld:%s:%s", (long long)first,
	    (long long)(first + n - 1), rw, permanent ? "permanent" :
	    "transient");
	struct disk_fault *f = NULL;
	int nf = 0;
	char *why = NULL;

	assert_true(disk_errors_parse(s, &f, &nf, &why));
	assert_int_equal(nf, 1);
	disk_faults_free(&m->k->disk);
	assert_true(disk_set_faults(&m->k->disk, f, nf, 0, 1, &why));
	g_free(f);
	g_free(s);
}

/* ---- the list: what disk.errors accepts and refuses -------------------- */

static void
test_parse(void **state)
{
	static const char *const bad[] = {
		"12", "12:x", "12:r:sometimes", "12-10:r", "-3:r", "a:r",
		"12-:r", "12-b:w", "1:r,,2:w", "1:r,", "12:r:permanent:x",
		"0x10:r", "99999999999999999999:r",
	};
	struct disk_fault *f = NULL;
	int n = -1;
	char *why = NULL;
	unsigned i;

	assert_true(disk_errors_parse("", &f, &n, &why));
	assert_int_equal(n, 0);
	g_free(f);
	assert_true(disk_errors_parse(" 100-107:r , 5:rw:transient,9:w",
	    &f, &n, &why));
	assert_int_equal(n, 3);
	assert_int_equal(f[0].first, 100);
	assert_int_equal(f[0].last, 107);
	assert_true(f[0].read && !f[0].write && f[0].permanent);
	assert_int_equal(f[1].first, 5);
	assert_int_equal(f[1].last, 5);
	assert_true(f[1].read && f[1].write && !f[1].permanent);
	assert_true(!f[2].read && f[2].write && f[2].permanent);
	g_free(f);
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		why = NULL;
		f = NULL;
		if (disk_errors_parse(bad[i], &f, &n, &why)) {
			print_message("accepted: %s\n", bad[i]);
			fail();
		}
		assert_non_null(why);
		g_free(why);
	}
}

/* A range beyond the drive, or a rate outside [0, 1], does not boot. */
static void
test_refused(void **state)
{
	static const char *const beyond[] = {
		"disk.errors=999999999999:r", NULL };
	struct profile *p = profile_new();
	struct sim *s = sim_create();
	GError *err = NULL;
	struct kern *k;
	int i;

	for (i = 0; beyond[i] != NULL; i++)
		assert_true(profile_set(p, beyond[i], &err));
	k = kern_boot(s, p, &err);
	assert_null(k);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "disk.errors"));
	g_clear_error(&err);
	/* a malformed list: the profile takes the text, the boot refuses */
	assert_true(profile_set(p, "disk.errors=1:q", &err));
	assert_null(kern_boot(s, p, &err));
	assert_non_null(err);
	assert_non_null(strstr(err->message, "disk.errors"));
	g_clear_error(&err);
	/* a rate is a probability (key_ranges) */
	assert_false(profile_set(p, "disk.error_rate=1.5", &err));
	g_clear_error(&err);
	sim_destroy(s);
	profile_free(p);
}

/* ---- bread: EIO to the reader; the buffer is not kept ------------------ */

static struct {
	int err1, err2;
	bool cached_after;
	bool valid_page;
	uint64_t reads;
} rd;

static void
read_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp;

	/* bread: biowait returns b_error; the caller releases (brelse) */
	rd.err1 = bread(m->k, m->vp, 5, m->bsize, &bp);
	assert_true(bp->b_flags & B_ERROR);
	assert_false(bp->b_flags & B_CACHE);
	brelse(m->k, bp);
	rd.cached_after = incore(m->k, m->vp, 5) != NULL;
	rd.valid_page = inmem(m->k, m->vp, 5);
	/* tried again: the disk is asked again */
	rd.err2 = bread(m->k, m->vp, 5, m->bsize, &bp);
	brelse(m->k, bp);
	rd.reads = m->k->disk.st.reads;
}

static void
read_error(bool permanent)
{
	struct machine m;

	memset(&rd, 0, sizeof(rd));
	boot(&m, NULL);
	fault(&m, sector_of(&m, 5) + 3, 1, "r", permanent);
	run(&m, read_body);
	assert_int_equal(rd.err1, EIO);
	assert_false(rd.cached_after);		/* brelse: B_INVAL, no identity */
	assert_false(rd.valid_page);		/* nor is the page cache's */
	/* permanent: it fails again; transient: it reads now */
	assert_int_equal(rd.err2, permanent ? EIO : 0);
	assert_int_equal(rd.reads, 2);
	assert_int_equal(m.k->disk.st.read_errors, permanent ? 2 : 1);
	assert_int_equal(m.k->cnt.bio_read_errors, permanent ? 2 : 1);
	machine_shutdown(&m);
}

static void
test_bread_eio(void **state)
{
	read_error(true);
	read_error(false);
}

/* vn_read (ffs_read) returns the error: the read(2) fails with EIO. */
static int vr_err;

static void
vnread_body(void *arg)
{
	struct machine *m = arg;

	vr_err = vn_read(m->k, m->vp, 0, 4 * m->bsize, 0);
}

static void
test_vn_read_eio(void **state)
{
	struct machine m;

	boot(&m, NULL);
	fault(&m, sector_of(&m, 2), 1, "r", true);
	run(&m, vnread_body);
	assert_int_equal(vr_err, EIO);
	/* The four blocks are one clustered read (cluster_read): its one
	 * failed sector fails the cluster, and every buffer in it
	 * (cluster_callback), the first one asked for included: nothing
	 * was read. */
	assert_int_equal(m.k->disk.st.reads, 1);
	assert_int_equal(m.k->cnt.bytes_read, 0);
	assert_int_equal(m.k->cnt.bio_read_errors, 4);
	machine_shutdown(&m);

	/* a write-only fault does not touch reads */
	boot(&m, NULL);
	fault(&m, sector_of(&m, 2), 1, "w", true);
	run(&m, vnread_body);
	assert_int_equal(vr_err, 0);
	assert_int_equal(m.k->disk.st.read_errors, 0);
	machine_shutdown(&m);
}

/* A block past the direct ones is found through its indirect block: one
 * that cannot be read fails the read (VOP_BMAP's error, ufs_bmaparray's
 * after biowait), and the data block is not read at all. */
static void
indir_body(void *arg)
{
	struct machine *m = arg;

	vr_err = vn_read(m->k, m->vp, (int64_t)(NDADDR + 8) * m->bsize,
	    m->bsize, 0);
}

static void
test_indirect_eio(void **state)
{
	struct machine m;
	int64_t mlbn[NIADDR + 2];
	int off[NIADDR + 2], num;
	struct inode *ip;

	boot(&m, NULL);
	ip = m.vp->v_data;
	num = ffs_lbns(&m.k->fs, NDADDR + 8, mlbn, off, NIADDR + 2);
	assert_int_equal(num, 2);		/* the single indirect block */
	fault(&m, fsbtodb(&m.k->fs, ffs_blk_get(ip, mlbn[1])), 1, "r", true);
	run(&m, indir_body);
	assert_int_equal(vr_err, EIO);
	assert_int_equal(m.k->disk.st.reads, 1);	/* the indirect only */
	assert_int_equal(m.k->disk.st.read_errors, 1);
	assert_int_equal(m.k->cnt.bytes_read, 0);
	assert_null(incore(m.k, m.vp, mlbn[1]));	/* not kept */
	machine_shutdown(&m);
}

/* Read-ahead that fails is dropped quietly (biodone releases the async
 * buffer: brelse invalidates it); the block asked for is fine. */
static int ra_err;
static bool ra_cached;

static void
readahead_body(void *arg)
{
	struct machine *m = arg;
	int64_t ra = 6;
	int rasize = m->bsize;
	struct buf *bp;

	ra_err = breadn(m->k, m->vp, 5, m->bsize, &ra, &rasize, 1, &bp);
	bqrelse(m->k, bp);
	sim_pause(m->k->sim, SIM_SEC);		/* the read-ahead completes */
	ra_cached = inmem(m->k, m->vp, 6);
}

static void
test_readahead_error(void **state)
{
	struct machine m;

	boot(&m, NULL);
	fault(&m, sector_of(&m, 6), 1, "r", true);
	run(&m, readahead_body);
	assert_int_equal(ra_err, 0);
	assert_false(ra_cached);
	assert_true(inmem(m.k, m.vp, 5));
	assert_int_equal(m.k->cnt.bio_read_errors, 1);
	machine_shutdown(&m);
}

/* ---- brelse: a failed write is made dirty again ------------------------ */

static struct {
	int err;
	bool dirty, error_flag;
	int ndirty;
} fw;

static void
write_body(void *arg)
{
	struct machine *m = arg;
	struct buf *bp = getblk(m->k, m->vp, 3, m->bsize);

	vfs_bio_clrbuf(m->k, bp);
	bio_note_version(m->k, bp);
	fw.err = bwrite(m->k, bp);		/* synchronous: EIO back */
	bp = incore(m->k, m->vp, 3);
	fw.dirty = bp != NULL && (bp->b_flags & B_DELWRI);
	fw.error_flag = bp != NULL && (bp->b_flags & B_ERROR);
	fw.ndirty = m->k->bc.numdirtybuffers;
	/* the syncer finds it dirty and writes it again */
	sim_pause(m->k->sim, 40 * SIM_SEC);
}

static void
test_failed_write_redirtied(void **state)
{
	struct machine m;

	/* transient: the syncer's second try gets it onto the disk */
	memset(&fw, 0, sizeof(fw));
	boot(&m, NULL);
	fault(&m, sector_of(&m, 3), 1, "w", false);
	run(&m, write_body);
	assert_int_equal(fw.err, EIO);
	assert_true(fw.dirty);
	assert_false(fw.error_flag);		/* cleared by brelse */
	assert_int_equal(fw.ndirty, 1);
	assert_int_equal(m.k->cnt.bio_redirtied, 1);
	assert_int_equal(m.k->disk.st.write_errors, 1);
	assert_int_equal(m.k->disk.st.writes, 2);
	assert_int_equal(m.k->bc.numdirtybuffers, 0);	/* written at last */
	machine_shutdown(&m);

	/* permanent: it never gets there and stays dirty, tried each time
	 * the syncer comes round to it */
	memset(&fw, 0, sizeof(fw));
	boot(&m, NULL);
	fault(&m, sector_of(&m, 3), 1, "w", true);
	run(&m, write_body);
	assert_int_equal(fw.err, EIO);
	assert_true(fw.dirty);
	assert_int_equal(m.k->bc.numdirtybuffers, 1);
	assert_true(m.k->disk.st.write_errors >= 2);
	assert_int_equal(m.k->disk.st.write_errors, m.k->disk.st.writes);
	assert_int_equal(m.k->cnt.bio_redirtied, m.k->disk.st.write_errors);
	machine_free(&m);	/* a dirty buffer left: not shut down clean */
}

/* ---- a cluster fails every one of its buffers -------------------------- */

static void
cluster_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 8; i++) {
		struct buf *bp = getblk(m->k, m->vp, i, m->bsize);

		vfs_bio_clrbuf(m->k, bp);
		bp->b_flags |= B_CLUSTEROK;
		bdwrite(m->k, bp);
	}
	(void)vfs_bio_awrite(m->k, incore(m->k, m->vp, 0));
	sim_pause(m->k->sim, SIM_SEC);
}

static void
test_cluster_error(void **state)
{
	struct machine m;
	int i;

	boot(&m, NULL);
	/* one bad sector, in the fifth block */
	fault(&m, sector_of(&m, 4) + 1, 1, "w", true);
	run(&m, cluster_body);
	assert_int_equal(m.k->disk.st.writes, 1);	/* one write of 8 */
	assert_int_equal(m.k->disk.st.write_errors, 1);
	assert_int_equal(m.k->cnt.bio_write_errors, 8);
	assert_int_equal(m.k->cnt.bio_redirtied, 8);
	assert_int_equal(m.k->bc.numdirtybuffers, 8);
	for (i = 0; i < 8; i++)
		assert_true(incore(m.k, m.vp, i)->b_flags & B_DELWRI);
	machine_free(&m);
}

/* ---- fsync: the last pass is synchronous and returns the error --------- */

static int fs_err;

static void
fsync_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 10; i++) {
		struct buf *bp = getblk(m->k, m->vp, i, m->bsize);

		vfs_bio_clrbuf(m->k, bp);
		bdwrite(m->k, bp);
	}
	fs_err = VOP_FSYNC(m->k, m->vp, MNT_WAIT);
}

static void
test_fsync_eio(void **state)
{
	struct machine m;

	/* permanent: the block is written by NIADDR + 1 async passes and
	 * the synchronous last one, whose EIO fsync returns at once (the
	 * inode is not written) */
	boot(&m, NULL);
	fault(&m, sector_of(&m, 7), 1, "w", true);
	run(&m, fsync_body);
	assert_int_equal(fs_err, EIO);
	assert_int_equal(m.k->disk.st.write_errors, NIADDR + 2);
	assert_int_equal(m.k->disk.st.writes, 9 + NIADDR + 2);
	assert_int_equal(m.k->cnt.inode_writes, 0);
	assert_int_equal(m.k->cnt.fsync_errors, 1);
	assert_int_equal(m.k->bc.numdirtybuffers, 1);
	assert_true(incore(m.k, m.vp, 7)->b_flags & B_DELWRI);
	machine_free(&m);

	/* transient: the second pass writes it; fsync succeeds */
	boot(&m, NULL);
	fault(&m, sector_of(&m, 7), 1, "w", false);
	run(&m, fsync_body);
	assert_int_equal(fs_err, 0);
	assert_int_equal(m.k->disk.st.write_errors, 1);
	assert_int_equal(m.k->disk.st.writes, 10 + 1 + 1);	/* + inode */
	assert_int_equal(m.k->bc.numdirtybuffers, 0);
	machine_shutdown(&m);
}

/* ---- ffs_update: a synchronous inode write's error is returned --------- */

static int up_err;

static void
update_body(void *arg)
{
	struct machine *m = arg;
	struct inode *ip = m->vp->v_data;

	ip->i_flag |= IN_CHANGE;
	up_err = ffs_update(m->k, ip, true);
}

static void
test_update_eio(void **state)
{
	struct machine m;
	struct inode *ip;
	struct fs *fs;
	struct buf *bp;

	boot(&m, NULL);
	ip = m.vp->v_data;
	fs = &m.k->fs;
	fault(&m, fsbtodb(fs, ino_to_fsba(fs, ip->i_number)), 1, "w", true);
	run(&m, update_body);
	assert_int_equal(up_err, EIO);
	/* the inode block is dirty again, for the syncer to retry */
	bp = incore(m.k, fs->fs_devvp, fsbtodb(fs, ino_to_fsba(fs,
	    ip->i_number)));
	assert_non_null(bp);
	assert_true(bp->b_flags & B_DELWRI);
	assert_int_equal(m.k->cnt.bio_redirtied, 1);
	machine_free(&m);
}

/* ---- a background write of a cylinder-group map that fails ------------- */

static void
bkgrd_body(void *arg)
{
	struct machine *m = arg;
	struct kern *k = m->k;
	struct fs *fs = &k->fs;
	int64_t blk = fsbtodb(fs, cgtod(fs, 1));
	struct buf *bp;

	(void)bread(k, fs->fs_devvp, blk, fs->fs_bsize, &bp);
	bp->b_xflags |= BX_BKGRDWRITE;
	bio_note_version(k, bp);
	bdwrite(k, bp);
	bp = getblk(k, fs->fs_devvp, blk, fs->fs_bsize);
	bawrite(k, bp);			/* the copy is written */
	sim_pause(k->sim, SIM_SEC);
}

static void
test_bkgrd_error(void **state)
{
	struct machine m;
	struct fs *fs;
	struct buf *bp;

	boot(&m, NULL);
	fs = &m.k->fs;
	fault(&m, fsbtodb(fs, cgtod(fs, 1)), 1, "w", true);
	run(&m, bkgrd_body);
	assert_int_equal(m.k->cnt.bkgrd_writes, 1);
	assert_int_equal(m.k->disk.st.write_errors, 1);
	/* the original is dirty again, in the copy's place */
	bp = incore(m.k, fs->fs_devvp, fsbtodb(fs, cgtod(fs, 1)));
	assert_non_null(bp);
	assert_true(bp->b_flags & B_DELWRI);
	assert_false(bp->b_xflags & BX_BKGRDINPROG);
	assert_int_equal(m.k->cnt.bio_bkgrd_lost, 0);
	machine_free(&m);
}

/* ---- disk.error_rate: seeded, repeatable ------------------------------- */

static void
many_body(void *arg)
{
	struct machine *m = arg;
	int i;

	for (i = 0; i < 200; i++) {
		struct buf *bp;

		if (bread(m->k, m->vp, i, m->bsize, &bp) != 0)
			brelse(m->k, bp);
		else
			bqrelse(m->k, bp);
	}
}

static uint64_t
rate_run(const char *rate, const char *seed)
{
	char *r = g_strdup_printf("disk.error_rate=%s", rate);
	char *s = g_strdup_printf("replay.seed=%s", seed);
	const char *sets[] = { r, s, "disk.readahead=none", NULL };
	struct machine m;
	uint64_t n;

	machine_boot(&m, NULL, sets);
	m.vp = machine_mkfile(&m, "f", 8 << 20);
	run(&m, many_body);
	n = m.k->disk.st.read_errors;
	assert_int_equal(m.k->cnt.bio_read_errors, n);
	assert_int_equal(m.k->disk.st.reads, 200);
	machine_shutdown(&m);
	g_free(r);
	g_free(s);
	return n;
}

static void
test_error_rate(void **state)
{
	uint64_t a = rate_run("0.1", "1"), b = rate_run("0.1", "1");
	uint64_t c = rate_run("0.1", "2");

	assert_int_equal(a, b);			/* the same seed, the same */
	assert_true(a >= 5 && a <= 40);		/* about 20 of 200 */
	assert_true(c >= 5 && c <= 40);
	assert_int_equal(rate_run("0", "1"), 0);
	assert_int_equal(rate_run("1", "1"), 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_bread_eio),
		cmocka_unit_test(test_vn_read_eio),
		cmocka_unit_test(test_indirect_eio),
		cmocka_unit_test(test_readahead_error),
		cmocka_unit_test(test_failed_write_redirtied),
		cmocka_unit_test(test_cluster_error),
		cmocka_unit_test(test_fsync_eio),
		cmocka_unit_test(test_update_eio),
		cmocka_unit_test(test_bkgrd_error),
		cmocka_unit_test(test_error_rate),
	};

	return cmocka_run_group_tests_name("diskerr", tests, NULL, NULL);
}
