/* Unit tests of read errors on the metadata a call needs before it can do
 * anything, against what the 2001 kernel did with them: a directory block
 * that cannot be read fails the lookup — and so the open, stat, create,
 * unlink or mkdir — with EIO (ufs_lookup returns UFS_BLKATOFF's error);
 * an inode block that cannot be read fails it too, and the vnode made
 * for it is thrown away (ffs_vget: brelse, vput, return the error); a
 * cylinder group whose map cannot be read is skipped by the allocators
 * (ffs_alloccg, ffs_nodealloccg: brelse and return 0, ffs_hashalloc
 * going on to the next group).  Each call is replayed through
 * syscall_replay as a trace would, with the accounting invariants checked
 * after every event, and each test ends with the fsck check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "syscalls.h"
#include "testkern.h"

/* Give the drive one read fault on sectors [first, first + n). */
static void
fault(struct machine *m, int64_t first, int n, bool permanent)
{
	char *s = g_strdup_printf("%lld-%lld:r:%s", (long long)first,
	    (long long)(first + n - 1), permanent ? "permanent" : "transient");
	struct disk_fault *f = NULL;
	int nf = 0;
	char *why = NULL;

	assert_true(disk_errors_parse(s, &f, &nf, &why));
	disk_faults_free(&m->k->disk);
	assert_true(disk_set_faults(&m->k->disk, f, nf, 0, 1, &why));
	g_free(f);
	g_free(s);
}

/* ---- the harness: native records replayed by process 100 --------------- */

#define MAXREC	16

struct play {
	struct machine	*m;
	struct kproc	*p;
	const char	*const *lines;
	int		 error[MAXREC];		/* each record's out.error */
	bool		 fd_after[MAXREC];	/* its ret a descriptor held after */
	uint64_t	 reads[MAXREC];		/* the drive's reads after it */
};

static void
play_body(void *arg)
{
	struct play *pl = arg;
	struct kern *k = pl->m->k;
	int i;

	for (i = 0; pl->lines[i] != NULL; i++) {
		struct trace_call tc;
		struct sys_outcome out;

		assert_true(i < MAXREC);
		trace_call_init(&tc);
		assert_int_equal(native_parse_line(pl->lines[i],
		    strlen(pl->lines[i]), &tc, NULL), 1);
		syscall_replay(k, pl->p, &tc, &out);
		assert_int_equal(out.cls, SYS_SIMULATED);
		pl->error[i] = out.error;
		pl->fd_after[i] = tc.ret > 2 && fget(pl->p->p_fd,
		    (int)tc.ret) != NULL;
		pl->reads[i] = k->disk.st.reads;
		trace_call_free(&tc);
		vn_unpin_all(k);
	}
	exit1(k, pl->p, 0);
	pl->p = NULL;
}

static void
play(struct machine *m, struct play *pl, const char *const *lines)
{
	memset(pl, 0, sizeof(*pl));
	pl->m = m;
	pl->lines = lines;
	pl->p = proc_create(m->k, 100, fdinit(vn_root(m->k)));
	vn_unpin_all(m->k);
	machine_run(m, "play", play_body, pl);
	bufcache_check(m->k);
}

/*
 * A cold machine with /d (a directory) and /d/f (64 KB) made offline: no
 * buffer, no vnode but the root's, no name cached — the first lookup of
 * /d/f reads /d's inode block, its directory block and f's inode block.
 */
static void
boot_cold(struct machine *m)
{
	struct vnode *dvp, *vp;

	machine_boot(m, machine_checked, NULL);
	ffs_offline_begin(m->k);
	assert_int_equal(vn_create(m->k, vn_root(m->k), "d", VDIR, &dvp), 0);
	assert_int_equal(vn_create(m->k, dvp, "f", VREG, &vp), 0);
	assert_true(ffs_prealloc(m->k, vp->v_data, 65536));
	ffs_offline_end(m->k);
	vn_reclaim_idle(m->k);
}

/* The first sector of directory /d's first block. */
static int64_t
dirblk_sector(struct machine *m)
{
	return fsbtodb(&m->k->fs, ffs_blk_get(machine_inode_at(m, "/d"), 0));
}

/* ---- a directory block that cannot be read ------------------------------ */

/*
 * ufs_lookup: "if ((error = UFS_BLKATOFF(vdp, (off_t)dp->i_offset, NULL,
 * &bp)) != 0) return (error);" — namei returns it, and the call fails
 * before it did anything: open(2) gets no descriptor, a create makes no
 * name, unlink(2) and mkdir(2) change nothing.  The directory itself can
 * still be stat'ed (its inode is elsewhere).  Nothing is repaired: the
 * trace's outcome is overridden, not the file system's state.
 */
static void
test_dirblk_eio(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/f\" oflags=O_RDONLY",
		"- 1 newfstatat 0 - fd=AT_FDCWD path=\"/d/f\" size=65536 type=REG",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/d/g\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 unlink 0 - path=\"/d/f\"",
		"- 1 mkdir 0 - path=\"/d/e\" mode=0755",
		"- 1 rename 0 - path=\"/d/f\" path2=\"/h\"",
		"- 1 newfstatat 0 - fd=AT_FDCWD path=\"/d\" size=512 type=DIR",
		NULL
	};
	struct machine m;
	struct play pl;
	int i;

	(void)state;
	boot_cold(&m);
	fault(&m, dirblk_sector(&m), 1, true);
	play(&m, &pl, lines);
	for (i = 0; i < 6; i++)
		assert_int_equal(pl.error[i], EIO);
	assert_int_equal(pl.error[6], 0);
	assert_false(pl.fd_after[0]);
	assert_false(pl.fd_after[2]);
	assert_non_null(machine_inode_at(&m, "/d/f"));		/* not unlinked */
	assert_null(machine_inode_at(&m, "/d/g"));		/* not created */
	assert_null(machine_inode_at(&m, "/d/e"));
	assert_null(machine_inode_at(&m, "/h"));		/* not renamed */
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	/* brelse threw each failed read away: every lookup asked the drive
	 * again, and the drive failed each time */
	assert_true(m.k->disk.st.read_errors >= 6);
	assert_int_equal(m.k->cnt.bio_read_errors, m.k->disk.st.read_errors);
	assert_int_equal(m.k->cnt.bio_read_ignored, 0);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

/* A transient error fails the one lookup that met it; the next reads the
 * block and the open succeeds, its descriptor installed. */
static void
test_dirblk_transient(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/f\" oflags=O_RDONLY",
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/f\" oflags=O_RDONLY",
		"- 1 read 65536 - fd=3 len=65536",
		NULL
	};
	struct machine m;
	struct play pl;

	(void)state;
	boot_cold(&m);
	fault(&m, dirblk_sector(&m), 1, false);
	play(&m, &pl, lines);
	assert_int_equal(pl.error[0], EIO);
	assert_false(pl.fd_after[0]);
	assert_int_equal(pl.error[1], 0);
	assert_true(pl.fd_after[1]);
	assert_int_equal(pl.error[2], 0);
	assert_int_equal(m.k->disk.st.read_errors, 1);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

/* ---- an inode block that cannot be read --------------------------------- */

/*
 * ffs_vget: the inode block's bread fails — "brelse(bp); vput(vp);
 * return (error)": the new vnode is thrown away (its inode has none
 * after), ufs_lookup returns the error, and the stat fails with EIO.  The
 * next lookup makes a vnode again and reads the block again.
 */
static void
test_inoblk_eio(void **state)
{
	static const char *const lines[] = {
		"- 1 newfstatat 0 - fd=AT_FDCWD path=\"/f\" size=65536 type=REG",
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY",
		NULL
	};
	struct machine m;
	struct play pl;
	struct vnode *vp;
	struct inode *ip;
	uint64_t freed;

	(void)state;
	machine_boot(&m, machine_checked, NULL);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "f", VREG, &vp), 0);
	ffs_offline_end(m.k);
	vn_reclaim_idle(m.k);
	ip = machine_inode_at(&m, "/f");
	assert_null(ip->i_vnode);
	freed = m.k->cnt.vnodes_freed;
	/* (the root's inode shares the block, but its vnode is never let
	 * go: only f's is read) */
	fault(&m, fsbtodb(&m.k->fs, ino_to_fsba(&m.k->fs, ip->i_number)), 1,
	    true);
	play(&m, &pl, lines);
	assert_int_equal(pl.error[0], EIO);
	assert_int_equal(pl.error[1], EIO);
	assert_false(pl.fd_after[1]);
	assert_null(ip->i_vnode);			/* thrown away */
	assert_true(m.k->cnt.vnodes_freed >= freed + 2);
	/* the second lookup read the inode block again */
	assert_int_equal(m.k->disk.st.read_errors, 2);
	assert_int_equal(m.k->cnt.bio_read_ignored, 0);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

/* ---- a cylinder group that cannot be read ------------------------------- */

struct cgplay {
	struct machine	*m;
	struct vnode	*vp;
	int		 werr, cerr;
	struct inode	*newip;
};

static void
cg_body(void *arg)
{
	struct cgplay *cp = arg;
	struct kern *k = cp->m->k;
	struct vnode *nvp;

	cp->werr = vn_write(k, cp->vp, 0, k->fs.fs_bsize, 0);
	cp->cerr = vn_create(k, vn_root(k), "g", VREG, &nvp);
	cp->newip = cp->cerr == 0 ? nvp->v_data : NULL;
	vn_unpin_all(k);
}

/*
 * ffs_alloccg and ffs_nodealloccg: "error = bread(...cgtod(fs, cg)...);
 * if (error) { brelse(bp); return (0); }" — the group whose map cannot
 * be read has no room as far as ffs_hashalloc is concerned, and the
 * quadratic rehash's next group (cg + 1) gets the block, and the inode.
 * Without the fault both go to group 0, the root's.
 */
static void
cg_case(bool faulty, int *blkcg, int *inocg)
{
	struct machine m;
	struct cgplay cp;

	machine_boot(&m, machine_checked, NULL);
	assert_true(m.k->fs.fs_ncg > 2);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "f", VREG, &cp.vp), 0);
	ffs_offline_end(m.k);
	vref(cp.vp);
	assert_int_equal(ino_to_cg(&m.k->fs, cp.vp->v_data->i_number), 0);
	if (faulty)
		fault(&m, fsbtodb(&m.k->fs, cgtod(&m.k->fs, 0)), 1, true);
	cp.m = &m;
	machine_run(&m, "cg", cg_body, &cp);
	bufcache_check(m.k);
	assert_int_equal(cp.werr, 0);
	assert_int_equal(cp.cerr, 0);
	*blkcg = (int)dtog(&m.k->fs, ffs_blk_get(cp.vp->v_data, 0));
	*inocg = ino_to_cg(&m.k->fs, cp.newip->i_number);
	if (faulty) {
		assert_true(m.k->disk.st.read_errors >= 2);
		assert_int_equal(m.k->cnt.bio_read_ignored, 0);
	}
	vrele(m.k, cp.vp);
	machine_sync(&m);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

static void
test_cg_skipped(void **state)
{
	int bcg, icg;

	(void)state;
	cg_case(false, &bcg, &icg);
	assert_int_equal(bcg, 0);
	assert_int_equal(icg, 0);
	cg_case(true, &bcg, &icg);
	assert_int_equal(bcg, 1);
	assert_int_equal(icg, 1);
}

/* ---- a synchronous metadata write that fails ---------------------------- */

/* Faults on writes of two places: sectors a and b (each its first
 * sector), permanent. */
static void
wfault2(struct machine *m, int64_t a, int64_t b)
{
	char *s = g_strdup_printf("%lld:w,%lld:w", (long long)a, (long long)b);
	struct disk_fault *f = NULL;
	int nf = 0;
	char *why = NULL;

	assert_true(disk_errors_parse(s, &f, &nf, &why));
	assert_int_equal(nf, 2);
	disk_faults_free(&m->k->disk);
	assert_true(disk_set_faults(&m->k->disk, f, nf, 0, 1, &why));
	g_free(f);
	g_free(s);
}

static int64_t
inoblk_sector(struct machine *m, uint64_t ino)
{
	return fsbtodb(&m->k->fs, ino_to_fsba(&m->k->fs, ino));
}

/*
 * On a default (synchronous-metadata) mount the name-space calls write
 * their inode and directory blocks with bwrite and return its error:
 * ufs_makeinode's UFS_UPDATE of the new inode failing is "goto bad" — no
 * name entered, the link count 0, the inode freed by the vput — so the
 * create (and symlink, through it) fails with EIO; ufs_link's UFS_UPDATE
 * failing enters no name and takes the count back; ufs_remove returns
 * ufs_dirremove's BUF_WRITE error, the name gone all the same (the
 * buffer, re-dirtied by brelse, keeps trying).  Here /d/f's inode block
 * (where /d/g's and /d/s's inodes go too) and /d's directory block
 * cannot be written.
 */
static void
test_sync_write_eio(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/g\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 link 0 - path=\"/d/f\" path2=\"/d/h\"",
		"- 1 symlink 0 - path=\"f\" path2=\"/d/s\"",
		"- 1 unlink 0 - path=\"/d/f\"",
		"- 1 newfstatat 0 - fd=AT_FDCWD path=\"/d\" size=512 type=DIR",
		NULL
	};
	struct machine m;
	struct play pl;
	int i;

	(void)state;
	boot_cold(&m);
	wfault2(&m, inoblk_sector(&m, machine_inode_at(&m, "/d/f")->i_number),
	    dirblk_sector(&m));
	play(&m, &pl, lines);
	for (i = 0; i < 4; i++)
		assert_int_equal(pl.error[i], EIO);
	assert_int_equal(pl.error[4], 0);
	assert_false(pl.fd_after[0]);
	assert_null(machine_inode_at(&m, "/d/g"));		/* no name */
	assert_null(machine_inode_at(&m, "/d/h"));
	assert_null(machine_inode_at(&m, "/d/s"));
	assert_null(machine_inode_at(&m, "/d/f"));		/* removed all the same */
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	assert_true(m.k->disk.st.write_errors >= 4);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

/* The inode number mkdir /d/e gets on a cold machine (no fault). */
static const char *const mkdir_lines[] = {
	"- 1 mkdir 0 - path=\"/d/e\" mode=0755",
	NULL
};

/*
 * ufs_mkdir: the new directory's inode written (UFS_UPDATE, synchronous)
 * before its block and its name; that write failing is "goto bad": the
 * parent's link count back down, the new inode's to 0 (freed by the
 * vput), no name — mkdir fails with EIO, nothing repaired.
 */
static void
test_mkdir_write_eio(void **state)
{
	struct machine m;
	struct play pl;
	uint64_t ino;
	int nlink;

	(void)state;
	boot_cold(&m);
	play(&m, &pl, mkdir_lines);
	assert_int_equal(pl.error[0], 0);
	ino = machine_inode_at(&m, "/d/e")->i_number;
	machine_shutdown(&m);

	boot_cold(&m);
	nlink = machine_inode_at(&m, "/d")->i_nlink;
	wfault2(&m, inoblk_sector(&m, ino), dirblk_sector(&m));
	play(&m, &pl, mkdir_lines);
	assert_int_equal(pl.error[0], EIO);
	assert_int_equal(machine_inode_at(&m, "/d")->i_nlink, nlink);	/* undone */
	assert_null(machine_inode_at(&m, "/d/e"));
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

/* ---- a new inode's block, and "..": their inode blocks ------------------- */

/*
 * ffs_valloc: the inode is taken from the map and VFS_VGET reads its
 * block; that failing, "UFS_VFREE(pvp, ino, mode); return (error)" — the
 * create fails with EIO, the inode free again, no name.  /d stays in core
 * (held) so that the lookup reads only /d's directory block; the new
 * inode's block (f's) is then read for the first time.
 */
static void
test_valloc_vget_eio(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/g\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		NULL
	};
	struct machine m;
	struct play pl;
	struct vnode *dvp, *vp;
	int64_t nifree;

	(void)state;
	machine_boot(&m, machine_checked, NULL);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "d", VDIR, &dvp), 0);
	assert_int_equal(vn_create(m.k, dvp, "f", VREG, &vp), 0);
	ffs_offline_end(m.k);
	vref(dvp);
	vn_reclaim_idle(m.k);
	nifree = m.k->fs.fs_nifree;
	fault(&m, inoblk_sector(&m, machine_inode_at(&m, "/d/f")->i_number), 1, true);
	play(&m, &pl, lines);
	assert_int_equal(pl.error[0], EIO);
	assert_false(pl.fd_after[0]);
	assert_null(machine_inode_at(&m, "/d/g"));
	assert_int_equal(m.k->fs.fs_nifree, nifree);	/* UFS_VFREE */
	assert_int_equal(m.k->disk.st.read_errors, 1);
	assert_int_equal(m.k->cnt.bio_read_ignored, 0);
	vrele(m.k, dvp);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

struct dotdot {
	struct machine	*m;
	struct vnode	*evp;
	int		 error;
	bool		 vp_null;
};

static void
dotdot_body(void *arg)
{
	struct dotdot *dd = arg;
	struct nameidata nd;

	dd->error = namei(dd->m->k, dd->evp, "../f", &nd);
	dd->vp_null = nd.ni_vp == NULL;
	vn_unpin_all(dd->m->k);
}

/* "..": the parent not in core is VFS_VGET'ed by ufs_lookup, and its
 * inode block failing fails the lookup with EIO. */
static void
test_dotdot_eio(void **state)
{
	struct machine m;
	struct dotdot dd;
	struct vnode *dvp, *vp;

	(void)state;
	machine_boot(&m, machine_checked, NULL);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "d", VDIR, &dvp), 0);
	assert_int_equal(vn_create(m.k, dvp, "e", VDIR, &dd.evp), 0);
	assert_int_equal(vn_create(m.k, dvp, "f", VREG, &vp), 0);
	ffs_offline_end(m.k);
	vref(dd.evp);
	vn_reclaim_idle(m.k);
	assert_null(machine_inode_at(&m, "/d")->i_vnode);
	fault(&m, inoblk_sector(&m, machine_inode_at(&m, "/d")->i_number), 1, true);
	dd.m = &m;
	machine_run(&m, "dotdot", dotdot_body, &dd);
	assert_int_equal(dd.error, EIO);
	assert_true(dd.vp_null);
	assert_null(machine_inode_at(&m, "/d")->i_vnode);
	vrele(m.k, dd.evp);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

/* ---- an inode block read to write the inode into ------------------------ */

/*
 * ffs_update reads the inode's block to copy the inode into it: "error =
 * bread(...ino_to_fsba(fs, ip->i_number)...); if (error) { brelse(bp);
 * return (error); }" — the inode is not written and fsync(2) returns the
 * error (ffs_fsync returns UFS_UPDATE's).  /f's vnode is held, made
 * offline, so that the open finds it in core and nothing has read its
 * inode block; the fault is transient, so the second fsync reads the
 * block and writes the inode.
 */
static void
test_update_read_eio(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 write 100 - fd=3 len=100",
		"- 1 fsync 0 - fd=3",
		"- 1 fsync 0 - fd=3",
		NULL
	};
	struct machine m;
	struct play pl;
	struct vnode *vp;
	struct inode *ip;

	(void)state;
	machine_boot(&m, machine_checked, NULL);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "f", VREG, &vp), 0);
	ffs_offline_end(m.k);
	vref(vp);
	ip = vp->v_data;
	fault(&m, inoblk_sector(&m, ip->i_number), 1, false);
	play(&m, &pl, lines);
	assert_int_equal(pl.error[0], 0);
	assert_int_equal(pl.error[1], 0);
	assert_int_equal(pl.error[2], EIO);		/* the read's error */
	assert_int_equal(pl.error[3], 0);		/* read, then written */
	assert_int_equal(m.k->disk.st.read_errors, 1);
	assert_int_equal(m.k->cnt.bio_read_ignored, 0);
	assert_int_equal(m.k->cnt.fsync_errors, 1);
	assert_int_equal(ip->i_size, 100);
	vrele(m.k, vp);
	machine_fsck(m.k);
	machine_shutdown(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirblk_eio),
		cmocka_unit_test(test_dirblk_transient),
		cmocka_unit_test(test_inoblk_eio),
		cmocka_unit_test(test_cg_skipped),
		cmocka_unit_test(test_sync_write_eio),
		cmocka_unit_test(test_mkdir_write_eio),
		cmocka_unit_test(test_valloc_vget_eio),
		cmocka_unit_test(test_dotdot_eio),
		cmocka_unit_test(test_update_read_eio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
