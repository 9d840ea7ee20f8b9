/*
 * Unit tests of the calls real programs make beyond reads and writes, each
 * replayed through syscall_replay as a trace would (records written in the
 * native format), against what the 2001 kernel did: hard links (ufs_link),
 * symbolic links short and long (ufs_symlink, ufs_readlink), path walks
 * through links (namei, lookup), lstat of a link (no file grown, no
 * repair), modes, owners and times (ufs_setattr), calls that cost only the
 * call (statfs, fadvise64, xattrs), copies as a read/write loop
 * (copy_file_range, sendfile), Linux's syncs of a range or a file system as
 * 2001's fsync and sync (sync_file_range, syncfs), allocation as writes of
 * zeros (fallocate), mapped files through the VM (vm_fault's clusters, the
 * vnode pager, dirty pages put back by msync and the syncer, not by
 * munmap). Every test ends with the fsck check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "syscalls.h"
#include "testkern.h"

/* ---- the harness: native records replayed by one process -------------- */

struct play {
	struct machine	*m;
	struct kproc	*p;
	const char	*const *lines;
	/* what a test looks at between records: called after record i */
	void		(*after)(struct play *pl, int i);
	void		*arg;
	uint32_t	 pass;		/* bit i: record i passes through */
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
		GError *err = NULL;

		trace_call_init(&tc);
		if (native_parse_line(pl->lines[i], strlen(pl->lines[i]), &tc,
		    &err) != 1)
			fail_msg("record %d: %s", i, err != NULL ? err->message :
			    "not a record");
		assert_true(syscall_modelled(tc.sc));
		syscall_replay(k, pl->p, &tc, &out);
		assert_int_equal(out.cls, i < 32 && (pl->pass & (1u << i)) ?
		    SYS_PASSTHROUGH : SYS_SIMULATED);
		trace_call_free(&tc);
		if (pl->after != NULL)
			pl->after(pl, i);
		vn_unpin_all(k);
	}
	exit1(k, pl->p, 0);
	pl->p = NULL;
}

/* The same, leaving the process alive (its files and mappings held) for a
 * later play_body on the same struct play. */
static void
play_body_keep(void *arg)
{
	struct play *pl = arg;
	struct kern *k = pl->m->k;
	int i;

	for (i = 0; pl->lines[i] != NULL; i++) {
		struct trace_call tc;
		struct sys_outcome out;

		trace_call_init(&tc);
		assert_int_equal(native_parse_line(pl->lines[i],
		    strlen(pl->lines[i]), &tc, NULL), 1);
		syscall_replay(k, pl->p, &tc, &out);
		trace_call_free(&tc);
		vn_unpin_all(k);
	}
}

/* Replay lines (NULL-terminated) as process 100, in the root; record i
 * is to pass through if bit i of pass is set, else to be simulated. */
static void
play_passing(struct machine *m, const char *const *lines,
    void (*after)(struct play *, int), void *arg, uint32_t pass)
{
	struct play pl = { m, NULL, lines, after, arg, pass };

	pl.p = proc_create(m->k, 100, fdinit(vn_root(m->k)));
	vn_unpin_all(m->k);
	machine_run(m, "play", play_body, &pl);
}

static void
play(struct machine *m, const char *const *lines,
    void (*after)(struct play *, int), void *arg)
{
	play_passing(m, lines, after, arg, 0);
}

static void
boot(struct machine *m, const char *const *sets)
{
	machine_boot(m, machine_checked, sets);
}

static void
shutdown_machine(struct machine *m)
{
	machine_fsck(m->k);
	machine_shutdown(m);
}

/* ---- hard links --------------------------------------------------------- */

struct linkstat {
	uint64_t	 sync0, sync1;	/* synchronous writes before/after link */
	int64_t		 free0;
};

static void
link_after(struct play *pl, int i)
{
	struct linkstat *ls = pl->arg;

	if (i == 2)
		ls->sync0 = pl->m->k->cnt.bwrite_sync;
	if (i == 3)
		ls->sync1 = pl->m->k->cnt.bwrite_sync;
}

/*
 * ufs_link: a second name for a file raises its link count, writes its
 * inode (synchronously on a default mount, before the name that depends
 * on it) and then the directory block with the new entry (synchronously
 * too): two synchronous writes.  Removing one name leaves the file; the
 * last removal frees its blocks (ufs_inactive).
 */
static void
test_link(void **state)
{
	static const char *const lines[] = {
		"- 1 mkdir 0 - path=\"/d\" mode=0755",
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/f\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 write 65536 - fd=3 len=65536",
		"- 1 link 0 - path=\"/d/f\" path2=\"/d/g\"",
		"- 1 close 0 - fd=3",
		"- 1 unlink 0 - path=\"/d/f\"",
		NULL
	};
	static const char *const rm[] = {
		"- 1 unlink 0 - path=\"/d/g\"",
		NULL
	};
	struct machine m;
	struct linkstat ls;
	struct inode *ip;
	int64_t free0;

	(void)state;
	boot(&m, NULL);
	free0 = ffs_freebytes(&m.k->fs);
	play(&m, lines, link_after, &ls);
	assert_int_equal(ls.sync1 - ls.sync0, 2);
	assert_null(machine_inode_at(&m, "/d/f"));
	ip = machine_inode_at(&m, "/d/g");
	assert_non_null(ip);
	assert_int_equal(ip->i_nlink, 1);
	assert_int_equal(ip->i_size, 65536);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	play(&m, rm, NULL, NULL);
	assert_null(machine_inode_at(&m, "/d/g"));
	machine_sync(&m);
	/* all that is left is the directory /d */
	assert_true(ffs_freebytes(&m.k->fs) >= free0 - 2 * m.k->fs.fs_bsize);
	assert_true(ffs_freebytes(&m.k->fs) < free0);
	shutdown_machine(&m);
	/* With delayed metadata (-o async) the link writes nothing at once. */
	{
		static const char *const async_set[] = { "ffs.metadata=async",
		    NULL };

		boot(&m, async_set);
		play(&m, lines, link_after, &ls);
		assert_int_equal(ls.sync1 - ls.sync0, 0);
		shutdown_machine(&m);
	}
}

/* ---- mknod: FIFOs and device nodes -------------------------------------------- */

struct mknodstat {
	uint64_t	 sync[3], dwrite[3], bread[3], hits[3], getblk[2];
};

static void
mknod_after(struct play *pl, int i)
{
	struct mknodstat *ms = pl->arg;
	struct kern *k = pl->m->k;

	if (i <= 2) {
		ms->sync[i] = k->cnt.bwrite_sync;
		ms->dwrite[i] = k->cnt.bdwrite;
		ms->bread[i] = k->cnt.bread;
		ms->hits[i] = k->cnt.bread_hits;
	}
	if (i == 3 || i == 8)
		ms->getblk[i == 8] = k->cnt.getblk;
}

/*
 * mknodat of a FIFO (mkfifo(2), VOP_MKNOD: ufs_mknod) makes an inode as a
 * file's is made — written synchronously, then its name (the directory
 * block, synchronously too) — and then, as ufs_mknod puts the vnode back
 * and reloads it through VFS_VGET, a delayed write of the inode with its
 * marked times (ufs_inactive) and a read of the inode block (a cache hit).
 * Opening it finds a FIFO: fifofs's descriptor holds the vnode but its
 * writes and reads are not the buffer cache's (they pass through, no
 * buffer touched), and its last close lets unlink free it.  mknod of a
 * regular file is the open(O_CREAT|O_EXCL) a 2001 program made: VOP_CREATE,
 * no reload.
 */
static void
test_mknod(void **state)
{
	static const char *const lines[] = {
		"- 1 mkdir 0 - path=\"/d\" mode=0755",
		"- 1 mknodat 0 - fd=AT_FDCWD path=\"/d/ff\" mode=0644 type=FIFO",
		"- 1 mknod 0 - path=\"/d/plain\" mode=0644 type=REG",
		"- 1 openat 3 - fd=AT_FDCWD path=\"/d/ff\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0666",
		"- 1 write 11 - fd=3 len=11",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/d/ff\" oflags=O_RDONLY",
		"- 1 read 11 - fd=4 len=131072",
		"- 1 close 0 - fd=3",
		"- 1 close 0 - fd=4",
		"- 1 unlink 0 - path=\"/d/ff\"",
		NULL
	};
	struct machine m;
	struct mknodstat ms;
	struct play pl = { &m, NULL, lines, mknod_after, &ms,
	    (1u << 4) | (1u << 6) | (1u << 7) | (1u << 8) };
	struct inode *ip;

	(void)state;
	boot(&m, NULL);
	pl.p = proc_create(m.k, 100, fdinit(vn_root(m.k)));
	vn_unpin_all(m.k);
	machine_run(&m, "play", play_body, &pl);
	/* the FIFO: inode and name written at once as a file's are, then
	 * the inode again (delayed: one more than the file's) and its block
	 * read back, from the cache */
	assert_int_equal(ms.sync[1] - ms.sync[0], 2);
	assert_int_equal(ms.sync[2] - ms.sync[1], 2);
	assert_int_equal(ms.dwrite[1] - ms.dwrite[0],
	    ms.dwrite[2] - ms.dwrite[1] + 1);
	assert_int_equal(ms.bread[1] - ms.bread[0], ms.hits[1] - ms.hits[0]);
	assert_true(ms.hits[1] - ms.hits[0] > ms.hits[2] - ms.hits[1]);
	ip = machine_inode_at(&m, "/d/plain");
	assert_non_null(ip);
	assert_int_equal(ip->i_special, VNON);
	assert_int_equal(ip->i_vnode != NULL ? ip->i_vnode->v_type : VREG, VREG);
	/* the FIFO's I/O touched no buffer; it is gone with its name */
	assert_int_equal(ms.getblk[1], ms.getblk[0]);
	assert_null(machine_inode_at(&m, "/d/ff"));
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	shutdown_machine(&m);
}

/* The FIFO's node, and its vnode type, while it is there. */
static void
test_mknod_node(void **state)
{
	static const char *const lines[] = {
		"- 1 mknod 0 - path=\"/ff\" mode=0600 type=FIFO",
		"- 1 mknodat 0 - fd=AT_FDCWD path=\"/sock\" mode=0600 type=SOCK",
		"- 1 stat 0 - path=\"/ff\" size=0 type=FIFO",
		NULL
	};
	struct machine m;
	struct nameidata nd;
	struct inode *ip;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, NULL, NULL);
	ip = machine_inode_at(&m, "/ff");
	assert_non_null(ip);
	assert_int_equal(ip->i_special, VFIFO);
	assert_int_equal(ip->i_size, 0);
	assert_int_equal(ip->i_blocks, 0);
	assert_int_equal(namei_op(m.k, NULL, "/sock", LOOKUP, &nd), 0);
	assert_int_equal(nd.ni_vp->v_type, VSOCK);
	assert_true(VN_ISSPECIAL(nd.ni_vp));
	assert_false(VN_ISSPECIAL(m.k->fs.fs_devvp));
	vn_unpin_all(m.k);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* ---- symbolic links ------------------------------------------------------ */

#define LONG_TARGET "a-long-target-name-that-is-longer-than-sixty-bytes-for-sure-yes"

struct symstat {
	int		 dirty_short, dirty_long;	/* the links' dirty buffers */
};

static void
sym_after(struct play *pl, int i)
{
	struct symstat *ss = pl->arg;

	if (i == 1)
		ss->dirty_short = machine_inode_at(pl->m, "/d/s")->i_vnode->v_ndirty;
	if (i == 2)
		ss->dirty_long = machine_inode_at(pl->m, "/d/s2")->i_vnode->v_ndirty;
}

/*
 * ufs_symlink: a target shorter than maxsymlinklen (60 bytes in UFS1)
 * lives in the inode — no block; a longer one is written to the link's
 * first block (a fragment), left a delayed write.  readlink reads it back
 * without I/O for the short one and from that block for the long one
 * (ufs_readlink: VOP_READ).  lstat of a link sees the link.
 */
static void
test_symlink(void **state)
{
	static const char *const lines[] = {
		"- 1 mkdir 0 - path=\"/d\" mode=0755",
		"- 1 symlink 0 - path=\"f\" path2=\"/d/s\"",
		"- 1 symlinkat 0 - path=\"" LONG_TARGET "\" fd=AT_FDCWD path2=\"/d/s2\"",
		"- 1 readlink 1 - path=\"/d/s\" path2=\"f\" len=100",
		"- 1 readlinkat 63 - fd=AT_FDCWD path=\"/d/s2\" path2=\"a-long-target-name-that-is-longe\" len=100",
		"- 1 newfstatat 0 - fd=AT_FDCWD path=\"/d/s2\" atflags=AT_SYMLINK_NOFOLLOW size=63 type=LNK",
		"- 1 lstat 0 - path=\"/d/s\" size=1 type=LNK",
		NULL
	};
	struct machine m;
	struct symstat ss;
	struct inode *s, *s2;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, sym_after, &ss);
	s = machine_inode_at(&m, "/d/s");
	s2 = machine_inode_at(&m, "/d/s2");
	assert_non_null(s);
	assert_non_null(s2);
	assert_string_equal(s->i_symlink, "f");
	assert_int_equal(s->i_size, 1);
	assert_int_equal(s->i_blocks, 0);
	assert_int_equal(ss.dirty_short, 0);	/* nothing but the inode */
	assert_string_equal(s2->i_symlink, LONG_TARGET);
	assert_int_equal(s2->i_size, 63);
	assert_int_equal(s2->i_blocks, m.k->fs.fs_fsize / DEV_BSIZE);
	assert_int_equal(ss.dirty_long, 1);	/* its block, delayed */
	assert_int_equal(m.k->cnt.readlinks, 2);
	/* lstat and readlink of links found links: nothing to repair, no
	 * file grown */
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* Disk reads of readlink on a cold cache: short and long. */
struct rlstat {
	struct kern	*k;
	uint64_t	 reads_short, reads_long;
};

static void
rl_body(void *arg)
{
	struct rlstat *rs = arg;
	struct kern *k = rs->k;
	struct nameidata nd;
	uint64_t r;

	assert_int_equal(namei_op(k, NULL, "/s", LOOKUP, &nd), 0);
	assert_int_equal(nd.ni_vp->v_type, VLNK);
	r = k->disk.st.reads;
	(void)vn_readlink(k, nd.ni_vp);
	rs->reads_short = k->disk.st.reads - r;
	assert_int_equal(namei_op(k, NULL, "/s2", LOOKUP, &nd), 0);
	assert_int_equal(nd.ni_vp->v_type, VLNK);
	r = k->disk.st.reads;
	assert_string_equal(vn_readlink(k, nd.ni_vp), LONG_TARGET);
	rs->reads_long = k->disk.st.reads - r;
	vn_unpin_all(k);
}

static void
test_readlink_io(void **state)
{
	struct machine m;
	struct rlstat rs;
	struct vnode *vp;

	(void)state;
	boot(&m, NULL);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_symlink(m.k, vn_root(m.k), "s", "f", &vp), 0);
	assert_int_equal(vn_symlink(m.k, vn_root(m.k), "s2", LONG_TARGET, &vp), 0);
	ffs_offline_end(m.k);
	vn_reclaim_idle(m.k);		/* a cold start: nothing in core */
	rs.k = m.k;
	machine_run(&m, "readlink", rl_body, &rs);
	assert_int_equal(rs.reads_short, 0);
	assert_int_equal(rs.reads_long, 1);
	shutdown_machine(&m);
}

/* ---- path walks through links ---------------------------------------------- */

struct walk {
	struct kern	*k;
	int		 err_loop, err_chain;
	uint64_t	 followed, components;
	enum vtype	 nofollow_type;
	struct inode	*got_rel, *got_abs, *got_chain;
};

static void
walk_body(void *arg)
{
	struct walk *w = arg;
	struct kern *k = w->k;
	struct nameidata nd;
	uint64_t f, c;

	/* a link in the middle of a path is always followed, relative to
	 * its directory: 3 components looked up, 1 link followed */
	f = k->cnt.symlinks_followed;
	c = k->cnt.components;
	assert_int_equal(namei_op(k, NULL, "/rel/x", LOOKUP, &nd), 0);
	w->got_rel = nd.ni_vp != NULL ? nd.ni_vp->v_data : NULL;
	w->followed = k->cnt.symlinks_followed - f;
	w->components = k->cnt.components - c;
	vn_unpin_all(k);
	/* at the end only with FOLLOW */
	assert_int_equal(namei_op(k, NULL, "/abs", LOOKUP, &nd), 0);
	w->nofollow_type = nd.ni_vp->v_type;
	vn_unpin_all(k);
	assert_int_equal(namei_op(k, NULL, "/abs", LOOKUP | FOLLOW, &nd), 0);
	w->got_abs = nd.ni_vp != NULL ? nd.ni_vp->v_data : NULL;
	vn_unpin_all(k);
	/* a chain of links */
	w->err_chain = namei_op(k, NULL, "/c0", LOOKUP | FOLLOW, &nd);
	w->got_chain = nd.ni_vp != NULL ? nd.ni_vp->v_data : NULL;
	vn_unpin_all(k);
	/* a loop: ELOOP after MAXSYMLINKS */
	w->err_loop = namei_op(k, NULL, "/loop/x", LOOKUP | FOLLOW, &nd);
	vn_unpin_all(k);
}

/*
 * namei/lookup: a symbolic link met in the middle of a path is followed
 * (its target read, and the walk goes on from the link's directory or the
 * root), one at the end only with FOLLOW; more than MAXSYMLINKS (32) in
 * one walk is ELOOP.
 */
static void
test_namei_follow(void **state)
{
	struct machine m;
	struct walk w = { 0 };
	struct vnode *d, *x, *vp;
	struct inode *xip;
	int i;

	(void)state;
	boot(&m, NULL);
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "d", VDIR, &d), 0);
	assert_int_equal(vn_create(m.k, d, "x", VREG, &x), 0);
	xip = x->v_data;
	assert_int_equal(vn_symlink(m.k, vn_root(m.k), "rel", "d", &vp), 0);
	assert_int_equal(vn_symlink(m.k, vn_root(m.k), "abs", "/d/x", &vp), 0);
	for (i = 0; i < 10; i++) {
		char name[8], target[16];

		g_snprintf(name, sizeof(name), "c%d", i);
		g_snprintf(target, sizeof(target), i < 9 ? "c%d" : "/d/x", i + 1);
		assert_int_equal(vn_symlink(m.k, vn_root(m.k), name, target, &vp),
		    0);
	}
	assert_int_equal(vn_symlink(m.k, vn_root(m.k), "loop", "loop", &vp), 0);
	ffs_offline_end(m.k);
	vn_reclaim_idle(m.k);
	w.k = m.k;
	machine_run(&m, "walk", walk_body, &w);
	assert_ptr_equal(w.got_rel, xip);
	assert_int_equal(w.followed, 1);
	assert_int_equal(w.components, 3);
	assert_int_equal(w.nofollow_type, VLNK);
	assert_ptr_equal(w.got_abs, xip);
	assert_int_equal(w.err_chain, 0);
	assert_ptr_equal(w.got_chain, xip);
	assert_int_equal(w.err_loop, ELOOP);
	shutdown_machine(&m);
}

/*
 * A link the trace lstat'ed or read that this replay lacks is made as a
 * link of the length the trace showed — not a regular file, and nothing
 * grows; a stat through a link reaches (and grows) what it points to.
 */
static void
test_lstat_repair(void **state)
{
	static const char *const lines[] = {
		"- 1 lstat 0 - path=\"/l\" size=9 type=LNK",
		"- 1 readlink 11 - path=\"/r\" path2=\"target-file\" len=100",
		"- 1 stat 0 - path=\"/r\" size=5000 type=REG",
		NULL
	};
	struct machine m;
	struct inode *l, *r, *t;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, NULL, NULL);
	l = machine_inode_at(&m, "/l");
	assert_non_null(l);
	assert_non_null(l->i_symlink);
	assert_int_equal(l->i_size, 9);
	r = machine_inode_at(&m, "/r");
	assert_non_null(r);
	assert_string_equal(r->i_symlink, "target-file");
	t = machine_inode_at(&m, "/target-file");
	assert_non_null(t);
	assert_null(t->i_symlink);
	assert_int_equal(t->i_size, 5000);
	/* the lstat and the readlink made a link each; the stat made the
	 * file the link leads to, and grew it to what it saw */
	assert_int_equal(m.k->cnt.trace_repairs, 4);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* ---- inode attributes --------------------------------------------------- */

struct attrstat {
	struct inode	*ip;
	int		 flag_mode;	/* i_flag after the chmod */
	uint64_t	 w0, w1, w2;	/* inode writes before/after */
	uint64_t	 s0, s1, s2;	/* synchronous writes */
	int		 flag_times;	/* i_flag after the utimensat */
};

static void
attr_after(struct play *pl, int i)
{
	struct attrstat *as = pl->arg;
	struct kern *k = pl->m->k;

	if (i == 2) {
		as->ip = machine_inode_at(pl->m, "/f");
		as->w0 = k->cnt.inode_writes;
		as->s0 = k->cnt.bwrite_sync;
	}
	if (i == 5) {
		as->flag_mode = as->ip->i_flag;
		as->w1 = k->cnt.inode_writes;
		as->s1 = k->cnt.bwrite_sync;
	}
	if (i == 7) {
		as->flag_times = as->ip->i_flag;
		as->w2 = k->cnt.inode_writes;
		as->s2 = k->cnt.bwrite_sync;
	}
}

/*
 * ufs_setattr: a new mode (ufs_chmod) or owner (ufs_chown) only marks the
 * inode changed — no write now, on a default mount too; new times write
 * the inode at once, as a delayed write (UFS_UPDATE(vp, 0)).  The file is
 * reached by path (following links), by descriptor, or by utimensat with
 * no path (futimens).
 */
static void
test_setattr(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 write 100 - fd=3 len=100",
		"- 1 fsync 0 - fd=3",
		"- 1 chmod 0 - path=\"/f\" mode=0600",
		"- 1 fchown 0 - fd=3",
		"- 1 fchmodat 0 - fd=AT_FDCWD path=\"/f\" mode=0644",
		"- 1 utimensat 0 - fd=3",
		"- 1 utimensat 0 - fd=AT_FDCWD path=\"/f\"",
		"- 1 close 0 - fd=3",
		NULL
	};
	struct machine m;
	struct attrstat as;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, attr_after, &as);
	assert_int_equal(as.w1 - as.w0, 0);
	assert_int_equal(as.s1 - as.s0, 0);
	assert_true(as.flag_mode & IN_CHANGE);
	assert_int_equal(as.w2 - as.w1, 2);	/* one for each utimensat */
	assert_int_equal(as.s2 - as.s1, 0);	/* delayed, not synchronous */
	assert_false(as.flag_times & (IN_CHANGE | IN_UPDATE));
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* ---- /proc/self/fd/N ------------------------------------------------------ */

struct fdlinkstat {
	struct kern	*k;
	int		 flag_mode;	/* the file's i_flag after the chmod */
	bool		 same;		/* descriptors 3 and 4: one file */
	uint64_t	 getblk0, getblk1;
};

static void
fdlink_after(struct play *pl, int i)
{
	struct fdlinkstat *fs = pl->arg;
	struct file *a, *b;

	if (i == 3)
		fs->flag_mode = machine_inode_at(pl->m, "/f")->i_flag;
	if (i == 4) {
		a = fget(pl->p->p_fd, 3);
		b = fget(pl->p->p_fd, 4);
		fs->same = a != NULL && b != NULL && a != b &&
		    a->f_vnode == b->f_vnode;
		fs->getblk0 = pl->m->k->cnt.getblk;
	}
	if (i == 5)
		fs->getblk1 = pl->m->k->cnt.getblk;
}

/*
 * Linux's /proc/self/fd/N (/proc/PID/fd/N of the caller, /dev/fd/N) is a
 * link to the file open at descriptor N: a call that follows it reaches
 * that file -- chmod marks it changed (ufs_setattr), open opens it again,
 * stat looks at it, and linkat with AT_SYMLINK_FOLLOW names an O_TMPFILE
 * file.  Not followed (lstat), another process's, or a descriptor that is
 * no file here (a pipe), the path is /proc's: passed through.
 */
static void
test_fd_links(void **state)
{
	static const char *const lines[] = {
		/* 0 */ "- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		/* 1 */ "- 1 write 8192 - fd=3 len=8192",
		/* 2 */ "- 1 fsync 0 - fd=3",
		/* 3 */ "- 1 chmod 0 - path=\"/proc/self/fd/3\" mode=0600",
		/* 4 */ "- 1 openat 4 - fd=AT_FDCWD path=\"/proc/self/fd/3\" oflags=O_RDONLY",
		/* 5 */ "- 1 read 8192 - fd=4 len=8192",
		/* 6 */ "- 1 newfstatat 0 - fd=AT_FDCWD path=\"/dev/fd/4\"",
		/* 7 */ "- 1 fchmodat 0 - fd=AT_FDCWD path=\"/proc/100/fd/3\" mode=0644",
		/* 8 */ "- 1 openat 5 - fd=AT_FDCWD path=\"/\" oflags=O_RDWR|O_TMPFILE mode=0600",
		/* 9 */ "- 1 write 10 - fd=5 len=10",
		/* 10 */ "- 1 linkat 0 - fd=AT_FDCWD path=\"/proc/self/fd/5\" fd2=AT_FDCWD path2=\"/named\" atflags=AT_SYMLINK_FOLLOW",
		/* passed through: */
		/* 11 */ "- 1 lstat 0 - path=\"/proc/self/fd/3\"",
		/* 12 */ "- 1 chmod 0 - path=\"/proc/200/fd/3\" mode=0600",
		/* 13 */ "- 1 chmod -ENOENT - path=\"/proc/self/fd/9\" mode=0600",
		/* 14 */ "- 1 close 0 - fd=3",
		/* 15 */ "- 1 close 0 - fd=4",
		/* 16 */ "- 1 close 0 - fd=5",
		NULL
	};
	struct machine m;
	struct fdlinkstat fs;
	struct play pl;
	struct inode *ip;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	boot(&m, NULL);
	pl = (struct play){ &m, NULL, lines, fdlink_after, &fs,
	    (1u << 11) | (1u << 12) | (1u << 13) };
	pl.p = proc_create(m.k, 100, fdinit(vn_root(m.k)));
	vn_unpin_all(m.k);
	machine_run(&m, "play", play_body, &pl);
	assert_true(fs.flag_mode & IN_CHANGE);
	assert_true(fs.same);
	assert_true(fs.getblk1 > fs.getblk0);	/* the read went to the cache */
	ip = machine_inode_at(&m, "/named");
	assert_non_null(ip);
	assert_int_equal(ip->i_size, 10);
	assert_int_equal(ip->i_nlink, 1);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* ---- calls that cost only the call ------------------------------------- */

struct cpustat {
	uint64_t	 getblk0, getblk1, io0, io1;
	sim_time_t	 t0, t1;
};

static void
cpu_after(struct play *pl, int i)
{
	struct cpustat *cs = pl->arg;
	struct kern *k = pl->m->k;

	if (i == 1 || i == 7) {
		uint64_t *g = i == 1 ? &cs->getblk0 : &cs->getblk1;
		uint64_t *io = i == 1 ? &cs->io0 : &cs->io1;

		*g = k->cnt.getblk;
		*io = k->disk.st.reads + k->disk.st.writes;
		*(i == 1 ? &cs->t0 : &cs->t1) = sim_now(pl->m->s);
	}
}

/*
 * statfs/fstatfs (ffs_statfs: the in-core superblock), fadvise64 (no such
 * call in 2001) and the extended-attribute calls (no UFS_EXTATTR in a
 * GENERIC kernel: EOPNOTSUPP after the lookup) cost the call and the
 * lookup of their path: no buffer-cache operation, no I/O.
 */
static void
test_cpu_only(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 statfs 0 - path=\"/f\"",		/* its name now cached */
		"- 1 statfs 0 - path=\"/f\"",
		"- 1 fstatfs 0 - fd=3",
		"- 1 fadvise64 0 - fd=3 off=0 len=0",
		"- 1 getxattr -ENODATA - path=\"/f\"",
		"- 1 fsetxattr 0 - fd=3",
		"- 1 lremovexattr -EPERM - path=\"/f\"",
		NULL
	};
	struct machine m;
	struct cpustat cs;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, cpu_after, &cs);
	assert_int_equal(cs.getblk1, cs.getblk0);
	assert_int_equal(cs.io1, cs.io0);
	/* six calls, three lookups of one component each */
	assert_int_equal(cs.t1 - cs.t0, 6 * m.k->p.cpu_syscall +
	    3 * m.k->p.cpu_lookup);
	shutdown_machine(&m);
}

/* ---- reading a directory ----------------------------------------------------- */

struct dirstat {
	struct vnode	*dvp;
	int64_t		 size;		/* the directory's */
	uint64_t	 bytes[5];	/* bytes read through ffs_read after record i */
	uint64_t	 reads[5];	/* disk reads after record i */
	bool		 incore[5][3];	/* its blocks 0-2 in core after record i */
	bool		 atime;		/* its access time marked after record 1 */
};

static void
dir_after(struct play *pl, int i)
{
	struct dirstat *ds = pl->arg;
	struct kern *k = pl->m->k;
	int b;

	if (i == 0) {
		struct inode *ip = machine_inode_at(pl->m, "/d");

		ds->dvp = ip->i_vnode;
		ds->size = ip->i_size;
	}
	ds->bytes[i] = k->cnt.bytes_read;
	ds->reads[i] = k->disk.st.reads;
	for (b = 0; b < 3; b++)
		ds->incore[i][b] = inmem(k, ds->dvp, b);
	if (i == 1)
		ds->atime = (ds->dvp->v_data->i_flag & IN_ACCESS) != 0;
}

/*
 * getdents64 is getdirentries(2): VOP_READDIR, which for UFS (ufs_readdir)
 * is a VOP_READ of the directory itself at the descriptor's offset — its
 * blocks through the buffer cache, from the disk when cold, no read-ahead
 * (ioflag 0) — of the count asked for, cut to whole DIRBLKSIZ chunks; the
 * offset moves past it and the directory's access time is marked.  The
 * traced call that returned 0 (the program's end of the listing) reads
 * what the simulated directory still holds; one past its end reads
 * nothing.
 */
static void
test_getdents(void **state)
{
	static const char *const lines[] = {
		/* 0 */ "- 1 openat 3 - fd=AT_FDCWD path=\"/d\" oflags=O_RDONLY|O_DIRECTORY",
		/* 1 */ "- 1 getdents64 4000 - fd=3 len=4096",
		/* 2 */ "- 1 getdents64 32000 - fd=3 len=32768",
		/* 3 */ "- 1 getdents64 0 - fd=3 len=32768",
		/* 4 */ "- 1 getdents64 0 - fd=3 len=32768",
		NULL
	};
	static const char *const sets[] = { "ffs.bsize=16384",
	    "ffs.fsize=2048", NULL };
	struct machine m;
	struct dirstat ds = { 0 };
	struct vnode *dvp, *vp;
	char name[201];
	int i;

	(void)state;
	boot(&m, sets);
	/* 150 entries of DIRSIZ(200) = 212 bytes, two a 512-byte chunk: 75
	 * chunks, 38,400 bytes, blocks 0-2 of 16 KB */
	ffs_offline_begin(m.k);
	assert_int_equal(vn_create(m.k, vn_root(m.k), "d", VDIR, &dvp), 0);
	for (i = 0; i < 150; i++) {
		memset(name, 'a' + i % 26, 200);
		name[0] = (char)('0' + i / 100);
		name[1] = (char)('0' + i / 10 % 10);
		name[2] = (char)('0' + i % 10);
		name[200] = '\0';
		assert_int_equal(vn_create(m.k, dvp, name, VREG, &vp), 0);
	}
	ffs_offline_end(m.k);
	vn_reclaim_idle(m.k);		/* a cold start: nothing in core */
	play(&m, lines, dir_after, &ds);
	assert_int_equal(ds.size, 75 * DIRBLKSIZ);
	/* 4,096 bytes: block 0 alone, from the disk */
	assert_int_equal(ds.bytes[1] - ds.bytes[0], 4096);
	assert_true(ds.reads[1] > ds.reads[0]);
	assert_true(ds.incore[1][0] && !ds.incore[1][1] && !ds.incore[1][2]);
	/* 32,768 more, to 36,864: the rest of block 0, blocks 1 and 2 */
	assert_int_equal(ds.bytes[2] - ds.bytes[1], 32768);
	assert_true(ds.incore[2][1] && ds.incore[2][2]);
	/* the end: the last 1,536 bytes, block 2's, in core */
	assert_int_equal(ds.bytes[3] - ds.bytes[2], ds.size - 36864);
	assert_int_equal(ds.reads[3], ds.reads[2]);
	/* past the end: nothing */
	assert_int_equal(ds.bytes[4], ds.bytes[3]);
	assert_true(ds.atime);
	shutdown_machine(&m);
}

/* ---- getcwd ---------------------------------------------------------------- */

struct cwdstat {
	uint64_t	 found, fail;		/* numcwdfound, numcwdfail */
	uint64_t	 comps0, comps1;	/* path components looked up */
	uint64_t	 bytes0, bytes1;	/* bytes read through ffs_read */
	int64_t		 dirbytes;		/* min(4096, size) of / and /a */
};

static void
cwd_after(struct play *pl, int i)
{
	struct cwdstat *cs = pl->arg;
	struct kern *k = pl->m->k;

	if (i == 2) {
		cs->comps0 = k->cnt.components;
		cs->bytes0 = k->cnt.bytes_read;
		cs->dirbytes = MIN(4096, machine_inode_at(pl->m, "/")->i_size) +
		    MIN(4096, machine_inode_at(pl->m, "/a")->i_size);
	} else if (i == 3) {
		cs->comps1 = k->cnt.components;
		cs->bytes1 = k->cnt.bytes_read;
		cs->found = k->cnt.numcwdfound;
		cs->fail = k->cnt.numcwdfail;
	}
}

/*
 * getcwd(3): the kernel's __getcwd (vfs_cache.c) answers from the name
 * cache alone — /a/b, reached by chdir, is named in /a and /a in / — with
 * no lookup and no read.  With no name cache (debug.vfscache 0) it fails
 * and libc walks up itself: lstat of ".", "..", "../.." (the last the
 * root: 1 + 1 + 2 components), opendir of "..", "../.." (1 + 2) and
 * readdir of each until the entry of the level below: /a's and /'s first
 * page read.
 */
static void
test_getcwd(void **state)
{
	static const char *const lines[] = {
		"- 1 mkdir 0 - path=\"/a\" mode=0755",
		"- 1 mkdir 0 - path=\"/a/b\" mode=0755",
		"- 1 chdir 0 - path=\"/a/b\"",
		"- 1 getcwd 5 - path2=\"/a/b\" len=4096",
		NULL
	};
	static const char *const nocache[] = { "vfs.namecache=false", NULL };
	struct machine m;
	struct cwdstat cs;

	(void)state;
	boot(&m, NULL);
	memset(&cs, 0, sizeof(cs));
	play(&m, lines, cwd_after, &cs);
	assert_int_equal(cs.found, 1);
	assert_int_equal(cs.fail, 0);
	assert_int_equal(cs.comps1, cs.comps0);
	assert_int_equal(cs.bytes1, cs.bytes0);
	shutdown_machine(&m);

	boot(&m, nocache);
	memset(&cs, 0, sizeof(cs));
	play(&m, lines, cwd_after, &cs);
	assert_int_equal(cs.found, 0);
	assert_int_equal(cs.fail, 1);
	assert_int_equal(cs.comps1 - cs.comps0, 7);
	assert_int_equal(cs.bytes1 - cs.bytes0, cs.dirbytes);
	shutdown_machine(&m);
}

/*
 * ioctl on a file (vn_ioctl): isatty's TIOCGETA fails ENOTTY, FIONREAD
 * answers from the in-core inode: the system call alone, no buffer, no
 * I/O.  On a descriptor that is no file of the file system (a terminal)
 * it passes through.
 */
static void
test_ioctl(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 write 100 - fd=3 len=100",
		"- 1 ioctl -ENOTTY - fd=3",
		"- 1 ioctl 0 - fd=3",
		"- 1 ioctl 0 - fd=3",
		"- 1 ioctl 0 - fd=3",
		"- 1 ioctl 0 - fd=3",
		"- 1 ioctl -ENOTTY - fd=3",
		"- 1 ioctl 0 - fd=1 fdpath=\"/dev/pts/0\"",
		NULL
	};
	struct machine m;
	struct cpustat cs;
	struct play pl = { &m, NULL, lines, cpu_after, &cs, 1u << 8 };

	(void)state;
	boot(&m, NULL);
	pl.p = proc_create(m.k, 100, fdinit(vn_root(m.k)));
	vn_unpin_all(m.k);
	machine_run(&m, "play", play_body, &pl);
	assert_int_equal(cs.getblk1, cs.getblk0);
	assert_int_equal(cs.io1, cs.io0);
	assert_int_equal(cs.t1 - cs.t0, 6 * m.k->p.cpu_syscall);
	shutdown_machine(&m);
}

/*
 * readahead(2) (Linux's): FreeBSD had nothing of the kind in 2001, and a
 * program of then asked for no read-ahead of its own — the call costs
 * itself and reads nothing (the blocks come when the program reads them,
 * with the kernel's own read-ahead).
 */
static void
test_readahead_call(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR|O_CREAT|O_TRUNC mode=0644",
		"- 1 write 100000 - fd=3 len=100000",
		"- 1 readahead 0 - fd=3 off=0 len=65536",
		"- 1 readahead 0 - fd=3 off=65536 len=65536",
		"- 1 readahead 0 - fd=3 off=0 len=100000",
		"- 1 readahead -EINVAL - fd=3 off=0 len=1",
		"- 1 readahead 0 - fd=3 off=4096 len=4096",
		"- 1 readahead 0 - fd=3 off=0 len=0",
		NULL
	};
	struct machine m;
	struct cpustat cs;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, cpu_after, &cs);
	assert_int_equal(cs.getblk1, cs.getblk0);
	assert_int_equal(cs.io1, cs.io0);
	assert_int_equal(cs.t1 - cs.t0, 6 * m.k->p.cpu_syscall);
	shutdown_machine(&m);
}

/* ---- close_range ------------------------------------------------------------ */

struct crstat {
	sim_time_t	 t[6];
	bool		 open[6][4];	/* descriptors 3-6 open after record i */
	bool		 cloexec3;	/* descriptor 3 close-on-exec at the end */
};

static void
cr_after(struct play *pl, int i)
{
	struct crstat *cs = pl->arg;
	int fd;

	cs->t[i] = sim_now(pl->m->s);
	for (fd = 3; fd <= 6; fd++)
		cs->open[i][fd - 3] = fget(pl->p->p_fd, fd) != NULL;
	if (i == 5)
		cs->cloexec3 = pl->p->p_fd->fd_cloexec[3];
}

/*
 * close_range (Linux's; a 2001 program closed its descriptors one close
 * at a time): the open descriptors from the first to the last closed, a
 * system call's CPU each beyond the call's own; with CLOSE_RANGE_CLOEXEC
 * marked close-on-exec instead.
 */
static void
test_close_range(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/a\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/a\" oflags=O_RDONLY",
		"- 1 openat 5 - fd=AT_FDCWD path=\"/a\" oflags=O_RDONLY",
		"- 1 openat 6 - fd=AT_FDCWD path=\"/a\" oflags=O_RDONLY",
		"- 1 close_range 0 - fd=4 len=5",
		"- 1 close_range 0 - fd=3 len=4294967295 arg=4",
		NULL
	};
	struct machine m;
	struct crstat cs;

	(void)state;
	memset(&cs, 0, sizeof(cs));
	boot(&m, NULL);
	play(&m, lines, cr_after, &cs);
	/* 4 and 5 closed, 3 and 6 not: the call and one close more */
	assert_true(cs.open[4][0] && !cs.open[4][1] && !cs.open[4][2] &&
	    cs.open[4][3]);
	assert_int_equal(cs.t[4] - cs.t[3], 2 * m.k->p.cpu_syscall);
	/* 3 and 6 close-on-exec, still open: the call and one more */
	assert_true(cs.open[5][0] && cs.open[5][3] && cs.cloexec3);
	assert_int_equal(cs.t[5] - cs.t[4], 2 * m.k->p.cpu_syscall);
	shutdown_machine(&m);
}

/* ---- copies and allocation ------------------------------------------------ */

/* A machine whose file system holds /src, 1 MB written before the run. */
static void
boot_with_src(struct machine *m)
{
	struct vnode *src;

	boot(m, NULL);
	ffs_offline_begin(m->k);
	assert_int_equal(vn_create(m->k, vn_root(m->k), "src", VREG, &src), 0);
	assert_true(ffs_prealloc(m->k, src->v_data, 1048576));
	ffs_offline_end(m->k);
}

/*
 * copy_file_range: the read(2)/write(2) loop of 64 KB a program of 2001
 * made instead — the input read through the buffer cache (from the disk,
 * cold), the output written, the offsets moved; sendfile to a file the
 * same, at the offset it was given, its input's offset left alone.
 */
static void
test_copy(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/src\" oflags=O_RDONLY",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/dst\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 copy_file_range 1048576 - fd=3 fd2=4 arg=-1 len=9223372035781033984",
		"- 1 copy_file_range 0 - fd=3 fd2=4 arg=-1 len=9223372035781033984",
		"- 1 write 100 - fd=4 len=100",
		"- 1 openat 5 - fd=AT_FDCWD path=\"/dst2\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 sendfile 4096 - fd=5 fd2=3 off=8192 len=4096",
		"- 1 write 10 - fd=5 len=10",
		NULL
	};
	struct machine m;
	uint64_t reads;

	(void)state;
	boot_with_src(&m);
	vn_reclaim_idle(m.k);
	reads = m.k->disk.st.sectors_read;
	play(&m, lines, NULL, NULL);
	/* the whole input came from the disk (and its inode, directory) */
	assert_true((m.k->disk.st.sectors_read - reads) * DEV_BSIZE >= 1048576);
	assert_int_equal(m.k->cnt.bytes_read, 1048576 + 4096);
	assert_int_equal(m.k->cnt.bytes_written, 1048576 + 100 + 4096 + 10);
	/* the output's offset moved with the copy, the input's too */
	assert_int_equal(machine_inode_at(&m, "/dst")->i_size, 1048576 + 100);
	/* sendfile wrote at dst2's offset, and moved it */
	assert_int_equal(machine_inode_at(&m, "/dst2")->i_size, 4096 + 10);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/*
 * splice, Linux's move between a pipe and a file: the same loop as a copy
 * (sys_copy) with the pipe's half only a system call.  A file's bytes
 * spliced into a pipe at an offset the call names are read there, the
 * descriptor's offset left where it was (a later splice without one reads
 * from 0, and moves it); bytes spliced out of the pipe are written at the
 * output's offset, which moves on (the write after them lands past them);
 * a pipe into a pipe touches no file.
 */
static void
splice_after(struct play *pl, int i)
{
	const struct file *fp = fget(pl->p->p_fd, 3);

	if (i == 3 || i == 7)
		*((int64_t *)pl->arg + (i == 7)) = fp != NULL ? fp->f_offset : -1;
}

static void
test_splice(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/src\" oflags=O_RDONLY",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/dst\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 splice 65536 - fd=3 off=131072 fd2=6 fdpath2=\"pipe:[9]\" arg=-1 len=65536",
		"- 1 splice 4096 - fd=3 fd2=6 fdpath2=\"pipe:[9]\" arg=-1 len=4096",
		"- 1 splice 100000 - fd=5 fdpath=\"pipe:[9]\" fd2=4 arg=-1 len=131072",
		"- 1 write 10 - fd=4 len=10",
		"- 1 splice 3 - fd=7 fdpath=\"pipe:[10]\" fd2=8 fdpath2=\"pipe:[11]\" arg=-1 len=3",
		"- 1 read 8 - fd=3 len=8",
		NULL
	};
	struct machine m;
	int64_t off[2];

	(void)state;
	boot_with_src(&m);
	play_passing(&m, lines, splice_after, off, 1u << 6);
	assert_int_equal(m.k->cnt.bytes_read, 65536 + 4096 + 8);
	assert_int_equal(m.k->cnt.bytes_written, 100000 + 10);
	assert_int_equal(machine_inode_at(&m, "/dst")->i_size, 100000 + 10);
	/* the offset the second splice moved, the first did not */
	assert_int_equal(off[0], 4096);
	assert_int_equal(off[1], 4096 + 8);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/*
 * Linux AIO as 2001's aio daemons did requests (vfs_aio.c): io_submit
 * queues two reads and returns after the system call alone (aio_aqueue);
 * the daemons read ("aiod": the disk's reads are theirs) while the process
 * goes on, and io_getevents sleeps until the two it reaps are done (as
 * aio_waitcomplete); a request on a pipe completes at once; an fdatasync
 * request, which 2001 had no aio_fsync for, is the submitter's fsync(2)
 * there and then; the process's exit waits for a write nothing reaped
 * (aio_proc_rundown).
 */
struct aiostat {
	sim_time_t	 t[8];
	uint64_t	 bytes_read[8], done[8], disk_reads[8];
};

static void
aio_after(struct play *pl, int i)
{
	struct aiostat *st = pl->arg;

	st->t[i] = sim_now(pl->m->s);
	st->bytes_read[i] = pl->m->k->cnt.aio_bytes_read;
	st->done[i] = pl->m->k->cnt.aio_done;
	st->disk_reads[i] = pl->m->k->disk.st.reads;
}

static void
test_aio(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/src\" oflags=O_RDONLY",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/dst\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 io_submit 2 - fd=3 arg=7 len=2 path2=\"r 3 0 65536 1;r 3 524288 65536 2\"",
		"- 1 io_getevents 2 - arg=7 path2=\"1 65536;2 65536\"",
		"- 1 io_submit 2 - fd=4 arg=7 len=2 path2=\"w 4 0 65536 3;w 5 0 10 4\"",
		"- 1 io_submit 1 - fd=4 arg=7 len=1 path2=\"d 4 0 0 5\"",
		"- 1 io_getevents 3 - arg=7 path2=\"3 65536;4 10;5 0\"",
		"- 1 io_submit 1 - fd=4 arg=7 len=1 path2=\"w 4 65536 4096 6\"",
		NULL
	};
	struct machine m;
	struct aiostat st;
	sim_time_t sys;

	(void)state;
	memset(&st, 0, sizeof(st));
	boot_with_src(&m);
	vn_reclaim_idle(m.k);
	sys = m.k->p.cpu_syscall;
	play(&m, lines, aio_after, &st);
	/* queued: the call alone, no read yet */
	assert_int_equal(st.t[2] - st.t[1], sys);
	assert_int_equal(st.bytes_read[2], 0);
	/* reaped once the daemons had read both from the disk */
	assert_int_equal(st.bytes_read[3], 2 * 65536);
	assert_true(st.disk_reads[3] > st.disk_reads[2]);
	assert_true(st.t[3] - st.t[2] > 1000000);
	/* the pipe's request done at once, the file's queued */
	assert_int_equal(st.done[4] - st.done[3], 1);
	/* the fdatasync: the submitter's own, waited for */
	assert_int_equal(m.k->cnt.aio_fsyncs, 1);
	assert_true(st.t[5] - st.t[4] > sys);
	/* the exit waited for the last write */
	assert_int_equal(m.k->cnt.aio_requests, 6);
	assert_int_equal(m.k->cnt.aio_done, 6);
	assert_int_equal(m.k->cnt.aio_bytes_written, 65536 + 4096);
	assert_int_equal(machine_inode_at(&m, "/dst")->i_size, 65536 + 4096);
	assert_int_equal(m.k->cnt.aio_daemons, 4);
	assert_int_equal(m.k->cnt.aio_unmatched, 0);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

/*
 * A context's completions nothing reaps are kept to AIO_MAX_UNREAPED
 * (65,536, Linux's aio-max-nr: a ring holds no more); past it the oldest
 * done ones go.  65,546 requests on a pipe, each done at once, none
 * reaped: 10 dropped.
 */
static void
test_aio_unreaped(void **state)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	struct machine m;
	int i;

	(void)state;
	for (i = 0; i < 65546; i++)
		g_ptr_array_add(lines, g_strdup_printf("- 1 io_submit 1 - fd=5 "
		    "arg=7 len=1 path2=\"w 5 0 10 %d\"", i));
	g_ptr_array_add(lines, NULL);
	boot(&m, NULL);
	play_passing(&m, (const char *const *)lines->pdata, NULL, NULL, 0);
	assert_int_equal(m.k->cnt.aio_requests, 65546);
	assert_int_equal(m.k->cnt.aio_dropped, 10);
	shutdown_machine(&m);
	g_ptr_array_free(lines, TRUE);
}

/*
 * Linux's syncs of a range and of a file system, as the 2001 kernel could
 * do them: sync_file_range(WRITE) starts the file's writes and waits for
 * none (VOP_FSYNC with MNT_NOWAIT, as sync(2) does a file); with
 * WAIT_AFTER it is fsync(2), everything on the disk when it returns;
 * WAIT_BEFORE alone starts nothing; syncfs is sync(2).
 */
struct sfrstat {
	int		 dirty[8], inflight[8];
};

static void
sfr_after(struct play *pl, int i)
{
	struct sfrstat *st = pl->arg;
	struct vnode *vp = machine_inode_at(pl->m, "/f")->i_vnode;

	if (i < 8) {
		st->dirty[i] = vp->v_ndirty;
		st->inflight[i] = vp->v_numoutput;
	}
}

static void
test_sync_range(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644",
		"- 1 write 262144 - fd=3 len=262144",
		"- 1 sync_file_range 0 - fd=3 off=0 len=0 arg=1",
		"- 1 sync_file_range 0 - fd=3 off=0 len=0 arg=2",
		"- 1 write 262144 - fd=3 len=262144",
		"- 1 sync_file_range 0 - fd=3 off=0 len=0 arg=7",
		"- 1 write 262144 - fd=3 len=262144",
		"- 1 syncfs 0 - fd=3",
		NULL
	};
	static const char *const sets[] = { "vfs.write_behind=0", NULL };
	struct machine m;
	struct sfrstat st;

	(void)state;
	boot(&m, sets);
	memset(&st, 0, sizeof(st));
	play(&m, lines, sfr_after, &st);
	/* 256 KB delayed, nothing started by the write */
	assert_true(st.dirty[1] > 0);
	assert_int_equal(st.inflight[1], 0);
	/* WAIT_BEFORE alone: nothing started */
	assert_int_equal(st.dirty[2], st.dirty[1]);
	assert_int_equal(st.inflight[2], 0);
	/* WRITE: every dirty buffer on its way, none waited for */
	assert_int_equal(st.dirty[3], 0);
	assert_true(st.inflight[3] > 0);
	/* WAIT_BEFORE|WRITE|WAIT_AFTER: fsync(2), all on the disk */
	assert_true(st.dirty[4] > 0);
	assert_int_equal(st.dirty[5], 0);
	assert_int_equal(st.inflight[5], 0);
	/* syncfs: sync(2), the file's writes started */
	assert_true(st.dirty[6] > 0);
	assert_int_equal(st.dirty[7], 0);
	assert_int_equal(m.k->cnt.trace_repairs, 0);
	machine_sync(&m);
	shutdown_machine(&m);
}

struct fastat {
	int64_t		 blocks_full, blocks_keep, size_keep, blocks_punch;
	uint64_t	 reads;
};

static void
falloc_after(struct play *pl, int i)
{
	struct fastat *fa = pl->arg;
	struct inode *ip = machine_inode_at(pl->m, "/f");

	if (i == 1)
		fa->blocks_full = ip->i_blocks;
	if (i == 2) {
		fa->blocks_keep = ip->i_blocks;
		fa->size_keep = ip->i_size;
	}
	if (i == 3)
		fa->blocks_punch = ip->i_blocks;
}

/*
 * fallocate, as writes of zeros would allocate: 1 MB of a new file takes
 * its 64 blocks of 16 KB and the indirect block past the 12 direct ones;
 * KEEP_SIZE past the end allocates nothing (FFS holds no blocks past a
 * file's end); punching a hole writes zeros and frees nothing.
 */
static void
test_fallocate(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR|O_CREAT|O_TRUNC mode=0644",
		"- 1 fallocate 0 - fd=3 off=0 len=1048576",
		"- 1 fallocate 0 - fd=3 xflags=FALLOC_FL_KEEP_SIZE off=1048576 len=1048576",
		"- 1 fallocate 0 - fd=3 xflags=FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE off=16384 len=65536",
		"- 1 close 0 - fd=3",
		NULL
	};
	struct machine m;
	struct fastat fa;

	(void)state;
	boot(&m, NULL);
	play(&m, lines, falloc_after, &fa);
	assert_int_equal(fa.blocks_full, (1048576 + 16384) / DEV_BSIZE);
	assert_int_equal(fa.blocks_keep, fa.blocks_full);
	assert_int_equal(fa.size_keep, 1048576);
	assert_int_equal(fa.blocks_punch, fa.blocks_full);
	assert_int_equal(m.k->cnt.bytes_written, 1048576 + 65536);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* ---- mapped files ----------------------------------------------------------- */

/* A file of size bytes at the root, laid out offline; a cold cache. */
static void
mkfile_cold(struct machine *m, const char *name, int64_t size)
{
	struct vnode *vp;

	ffs_offline_begin(m->k);
	assert_int_equal(vn_create(m->k, vn_root(m->k), name, VREG, &vp), 0);
	assert_true(ffs_prealloc(m->k, vp->v_data, size));
	ffs_offline_end(m->k);
	vn_reclaim_idle(m->k);
}

/* Pages of vp on the cache queue. */
static int
cached_pages(struct vnode *vp)
{
	struct vm_page *pg;
	int n = 0;

	TAILQ_FOREACH(pg, &vp->v_pages, listq)
		if (pg->queue == PQ_CACHE)
			n++;
	return n;
}

struct mapstat {
	uint64_t	 io0, io1, sectors;
	int		 cached;
};

static void
map_after(struct play *pl, int i)
{
	struct mapstat *ms = pl->arg;
	struct kern *k = pl->m->k;

	if (i == 0) {
		ms->io0 = k->disk.st.reads;
		ms->sectors = k->disk.st.sectors_read;
	}
	if (i == 1) {
		ms->sectors = k->disk.st.sectors_read - ms->sectors;
		ms->cached = cached_pages(machine_inode_at(pl->m, "/big")->i_vnode);
		ms->io1 = k->disk.st.reads;
	}
}

/*
 * vm_fault and the vnode pager, a mapping read from end to end (touch-all,
 * the default): the first fault reads its page and the VM_FAULT_READ_AHEAD
 * (8) after it; each later one, sequential, 16 (read-behind turned into
 * read-ahead), the clean pages behind moved to the cache queue — one I/O
 * a cluster, by direct device I/O, all 1 MB from the disk.  A read(2) of
 * the file afterwards finds the pages: no I/O.
 */
static void
test_mmap_read(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/big\" oflags=O_RDONLY",
		"- 1 mmap 1099511627776 - len=1048576 xflags=PROT_READ|MAP_PRIVATE fd=3 off=0",
		"- 1 read 1048576 - fd=3 len=1048576",
		"- 1 munmap 0 - arg=1099511627776 len=1048576",
		"- 1 close 0 - fd=3",
		NULL
	};
	struct machine m;
	struct mapstat ms;

	(void)state;
	boot(&m, NULL);
	mkfile_cold(&m, "big", 1048576);
	play(&m, lines, map_after, &ms);
	assert_int_equal(m.k->cnt.mmaps, 1);
	assert_int_equal(m.k->cnt.faults, 256);
	assert_int_equal(m.k->cnt.pages_paged_in, 256);
	assert_int_equal(m.k->cnt.pageins, 1 + (256 - 9 + 15) / 16);
	assert_int_equal(m.k->cnt.faults_hard, m.k->cnt.pageins);
	assert_true(ms.sectors * DEV_BSIZE >= 1048576);
	assert_true(ms.cached >= 256 - 2 * 16 - 16);
	/* the read found every block's pages: no I/O */
	assert_int_equal(m.k->disk.st.reads, ms.io1);
	assert_int_equal(m.k->cnt.bytes_read, 1048576);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* replay.mmap=first-page and none: one fault, and none. */
static void
test_mmap_policy(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/big\" oflags=O_RDONLY",
		"- 1 mmap 1099511627776 - len=1048576 xflags=PROT_READ|MAP_PRIVATE fd=3 off=0",
		NULL
	};
	static const char *const first[] = { "replay.mmap=first-page", NULL };
	static const char *const none[] = { "replay.mmap=none", NULL };
	struct machine m;

	(void)state;
	boot(&m, first);
	mkfile_cold(&m, "big", 1048576);
	play(&m, lines, NULL, NULL);
	assert_int_equal(m.k->cnt.faults, 1);
	assert_int_equal(m.k->cnt.mmap_touched, 1);
	assert_int_equal(m.k->cnt.pageins, 1);
	shutdown_machine(&m);
	boot(&m, none);
	mkfile_cold(&m, "big", 1048576);
	play(&m, lines, NULL, NULL);
	assert_int_equal(m.k->cnt.faults, 0);
	assert_int_equal(m.k->cnt.pageins, 0);
	shutdown_machine(&m);
}

struct dirtystat {
	uint64_t	 w_munmap, w_before, w_after, sync0, sync1;
	int		 ndirty;
};

static void
dirty_after(struct play *pl, int i)
{
	struct dirtystat *ds = pl->arg;
	struct kern *k = pl->m->k;
	struct vm_page *pg;

	if (i == 1)
		ds->w_before = k->disk.st.writes;
	if (i == 2) {
		/* munmap wrote nothing; the pages are still dirty */
		ds->w_munmap = k->disk.st.writes - ds->w_before;
		ds->ndirty = 0;
		TAILQ_FOREACH(pg, &machine_inode_at(pl->m, "/f")->i_vnode->v_pages, listq)
			ds->ndirty += pg->dirty;
		ds->sync0 = k->cnt.bwrite_sync;
	}
	if (i == 3)
		ds->sync1 = k->cnt.bwrite_sync;
}

/*
 * A shared writable mapping (touch-all writes each page once): munmap
 * writes nothing back — the dirty pages stay in the file's object; msync
 * (MS_SYNC) of a mapping puts them back through the buffer cache,
 * synchronously (vm_object_page_clean, VOP_WRITE with IO_SYNC): 4 blocks
 * of 16 KB and the inode.
 */
static void
test_mmap_shared_write(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 mmap 1099511627776 - len=65536 xflags=PROT_READ|PROT_WRITE|MAP_SHARED fd=3 off=0",
		"- 1 munmap 0 - arg=1099511627776 len=65536",
		"- 1 mmap 2199023255552 - len=65536 xflags=PROT_READ|PROT_WRITE|MAP_SHARED fd=3 off=0",
		"- 1 msync 0 - arg=2199023255552 len=65536 xflags=MS_SYNC",
		"- 1 munmap 0 - arg=2199023255552 len=65536",
		"- 1 close 0 - fd=3",
		NULL
	};
	struct machine m;
	struct dirtystat ds;

	(void)state;
	boot(&m, NULL);
	mkfile_cold(&m, "f", 65536);
	play(&m, lines, dirty_after, &ds);
	assert_int_equal(ds.w_munmap, 0);
	assert_int_equal(ds.ndirty, 16);
	assert_int_equal(m.k->cnt.pages_dirtied, 16);
	assert_int_equal(m.k->cnt.pages_put, 16);
	assert_int_equal(m.k->cnt.putpages, 1);
	assert_int_equal(ds.sync1 - ds.sync0, 0);
	assert_true(m.k->cnt.bwrite_sync >= ds.sync0 + 4);
	machine_sync(&m);
	shutdown_machine(&m);
}

static void
syncer_after(struct play *pl, int i)
{
	struct dirtystat *ds = pl->arg;

	if (i == 2) {
		ds->w_before = pl->m->k->cnt.pages_put;
		/* nothing else happens for a while: the syncer's sweep */
		sim_pause(pl->m->s, 70 * SIM_SEC);
		ds->w_after = pl->m->k->cnt.pages_put;
	}
}

/* After munmap the syncer puts the dirty pages back (sync_fsync's
 * vfs_msync, every syncdelay), as ordinary writes. */
static void
test_mmap_syncer(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 mmap 1099511627776 - len=65536 xflags=PROT_READ|PROT_WRITE|MAP_SHARED fd=3 off=0",
		"- 1 munmap 0 - arg=1099511627776 len=65536",
		"- 1 close 0 - fd=3",
		NULL
	};
	struct machine m;
	struct dirtystat ds;

	(void)state;
	boot(&m, NULL);
	mkfile_cold(&m, "f", 65536);
	play(&m, lines, syncer_after, &ds);
	assert_int_equal(ds.w_before, 0);
	assert_int_equal(ds.w_after, 16);
	assert_int_equal(m.k->bc.numdirtybuffers, 0);	/* on the disk too */
	shutdown_machine(&m);
}

/* A mapping holds its file: unlinked and closed, it keeps its blocks
 * until munmap (vnode_pager_alloc's reference). */
static void
test_mmap_holds_file(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY",
		"- 1 mmap 1099511627776 - len=65536 xflags=PROT_READ|MAP_SHARED fd=3 off=0",
		"- 1 close 0 - fd=3",
		"- 1 unlink 0 - path=\"/f\"",
		"- 1 munmap 0 - arg=1099511627776 len=65536",
		NULL
	};
	struct machine m;
	int64_t free0, free_mapped;

	(void)state;
	boot(&m, NULL);
	mkfile_cold(&m, "f", 65536);
	free0 = ffs_freebytes(&m.k->fs);
	{
		static const char *const first3[] = {
			"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY",
			"- 1 mmap 1099511627776 - len=65536 xflags=PROT_READ|MAP_SHARED fd=3 off=0",
			"- 1 close 0 - fd=3",
			"- 1 unlink 0 - path=\"/f\"",
			NULL
		};
		struct play pl = { &m, NULL, first3, NULL, NULL, 0 };

		/* the same process, stopped before munmap: its mapping
		 * still holds the file */
		pl.p = proc_create(m.k, 100, fdinit(vn_root(m.k)));
		vn_unpin_all(m.k);
		pl.lines = first3;
		(void)lines;
		sim_spawn(m.s, "play", play_body_keep, &pl, 0);
		assert_int_equal(sim_run(m.s), SIM_DONE);
		free_mapped = ffs_freebytes(&m.k->fs);
		assert_int_equal(free_mapped, free0);	/* nothing freed */
		pl.lines = lines + 4;
		sim_spawn(m.s, "play", play_body, &pl, 0);
		assert_int_equal(sim_run(m.s), SIM_DONE);
	}
	assert_true(ffs_freebytes(&m.k->fs) >= free0 + 65536);
	machine_sync(&m);
	shutdown_machine(&m);
}

/* ---- a run stopped while a process exits -------------------------------- */

static void
stop_now(struct sim *s, void *arg)
{
	(void)arg;
	sim_stop(s);
}

/* Replay pl's lines as process 100, then make the call pl->after makes,
 * with the run stopped a nanosecond later: inside the call, which
 * sleeps. */
static void
then_stop(void *arg)
{
	struct play *pl = arg;
	struct kern *k = pl->m->k;

	play_body_keep(pl);
	sim_at(k->sim, sim_now(k->sim) + 1, stop_now, NULL);
	pl->after(pl, -1);
	pl->lines = NULL;	/* not reached: the run stops first */
}

/* Boot, make /f and run then_stop with call until the run stops. */
static void
play_stopped(struct machine *m, struct play *pl, const char *const *lines,
    void (*call)(struct play *, int))
{
	boot(m, NULL);
	mkfile_cold(m, "f", 65536);
	*pl = (struct play){ m, NULL, lines, call, NULL, 0 };
	pl->p = proc_create(m->k, 100, fdinit(vn_root(m->k)));
	vn_unpin_all(m->k);
	sim_spawn(m->s, "play", then_stop, pl, 0);
	assert_int_equal(sim_run(m->s), SIM_STOPPED);
	assert_non_null(pl->lines);	/* still inside the call */
}

/* The last close of an unlinked file truncates it (vrele -> ufs_inactive
 * -> ffs_truncate, the inode written synchronously on the default mount),
 * so exit1's fdfree sleeps inside closef.  The run is stopped there: the
 * process's descriptor table, and the file being closed in it, must still
 * be reachable from the process, so that kern_shutdown frees them (the
 * check build's leak checker fails this test otherwise). */
static void
exit_call(struct play *pl, int i)
{
	exit1(pl->m->k, pl->p, 0);
}

/* play_stopped with the run stopped inside the process's exit1; the
 * process, still not exited, in *pp. */
static void
exit_stopped(struct machine *m, const char *const *lines,
    struct kproc **pp)
{
	struct play pl;

	play_stopped(m, &pl, lines, exit_call);
	assert_false(pl.p->p_exited);
	*pp = pl.p;
}

static void
test_exit_stopped_in_close(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 unlink 0 - path=\"/f\"",
		NULL
	};
	struct machine m;
	struct kproc *p;

	(void)state;
	exit_stopped(&m, lines, &p);
	assert_non_null(p->p_fd);	/* fdfree not done: the table is held */
	assert_true(p->p_fd->fd_lastfile >= 3);
	assert_non_null(p->p_fd->fd_ofiles[3]);	/* the file closef sleeps in */
	machine_free(&m);
}

/* /f opened, mapped whole, closed and unlinked: its mapping holds the
 * last reference, whose release truncates it. */
static const char *const mapped_unlinked[] = {
	"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY",
	"- 1 mmap 1099511627776 - len=65536 xflags=PROT_READ|MAP_SHARED fd=3 off=0",
	"- 1 close 0 - fd=3",
	"- 1 unlink 0 - path=\"/f\"",
	NULL
};

/* The same with a mapping: the file closed and unlinked, its mapping the
 * last reference, so exit1's vmspace_free sleeps inside the mapping's
 * vrele (ufs_inactive -> ffs_truncate).  Stopped there, the address
 * space and the mapping are still the process's. */
static void
test_exit_stopped_in_unmap(void **state)
{
	struct machine m;
	struct kproc *p;

	(void)state;
	exit_stopped(&m, mapped_unlinked, &p);
	assert_non_null(p->p_vmspace);	/* vmspace_free not done */
	assert_non_null(TAILQ_FIRST(&p->p_vmspace->vm_entries));
	machine_free(&m);
}

/* munmap of an unlinked file's last mapping: vm_map_delete's vrele sleeps
 * in ufs_inactive's truncation.  The run stopped there, the entry taken
 * off the map must still be the space's (vm_gone), so that kern_shutdown
 * frees it (the check build's leak checker fails this test otherwise). */
static void
munmap_call(struct play *pl, int i)
{
	vm_map_delete(pl->m->k, pl->p->p_vmspace, 1099511627776ULL,
	    1099511627776ULL + 65536);
}

static void
test_munmap_stopped(void **state)
{
	struct machine m;
	struct play pl;

	(void)state;
	play_stopped(&m, &pl, mapped_unlinked, munmap_call);
	assert_null(TAILQ_FIRST(&pl.p->p_vmspace->vm_entries));
	assert_non_null(TAILQ_FIRST(&pl.p->p_vmspace->vm_gone));
	machine_free(&m);
}

/* msync(MS_SYNC) of a shared mapping's dirty pages: vm_map_clean sleeps
 * while they are written.  The run stopped there, the ranges it was
 * putting back must still be the space's (vm_cleaning). */
static void
msync_call(struct play *pl, int i)
{
	vm_map_clean(pl->m->k, pl->p->p_vmspace, 2199023255552ULL,
	    2199023255552ULL + 65536, true, false);
}

static void
test_msync_stopped(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 mmap 2199023255552 - len=65536 xflags=PROT_READ|PROT_WRITE|MAP_SHARED fd=3 off=0",
		NULL
	};
	struct machine m;
	struct play pl;

	(void)state;
	play_stopped(&m, &pl, lines, msync_call);
	assert_non_null(pl.p->p_vmspace->vm_cleaning);
	machine_free(&m);
}

/* close(2) of an unlinked file's last descriptor: fdclose takes the
 * descriptor out of the table, then closef's last reference truncates the
 * file (vrele -> ufs_inactive -> ffs_truncate) and sleeps.  Stopped there,
 * the file is no descriptor's but must still be the table's (fd_closing),
 * for the shut-down to free; likewise a descriptor that dup2 (fdinstall)
 * replaces. */
static void
close_call(struct play *pl, int i)
{
	(void)fdclose(pl->m->k, pl->p->p_fd, 3);
}

static void
test_close_stopped_in_truncate(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 unlink 0 - path=\"/f\"",
		NULL
	};
	struct machine m;
	struct play pl;

	(void)state;
	play_stopped(&m, &pl, lines, close_call);
	assert_null(fget(pl.p->p_fd, 3));	/* the descriptor is gone */
	assert_non_null(pl.p->p_fd->fd_closing);
	assert_int_equal(pl.p->p_fd->fd_closing->len, 1);
	machine_free(&m);
}

static void
dup2_call(struct play *pl, int i)
{
	fdinstall(pl->m->k, pl->p->p_fd, 3, fget(pl->p->p_fd, 4), false);
}

static void
test_dup2_stopped_in_truncate(void **state)
{
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDWR",
		"- 1 unlink 0 - path=\"/f\"",
		"- 1 openat 4 - fd=AT_FDCWD path=\"/\" oflags=O_RDONLY|O_DIRECTORY",
		NULL
	};
	struct machine m;
	struct play pl;

	(void)state;
	play_stopped(&m, &pl, lines, dup2_call);
	assert_ptr_equal(fget(pl.p->p_fd, 3), fget(pl.p->p_fd, 4));
	assert_int_equal(pl.p->p_fd->fd_closing->len, 1);
	machine_free(&m);
}

/* open(O_TRUNC) of a file with blocks: 2001's vn_open truncates after the
 * file is made (falloc, then the VOP_SETATTR of size 0: ffs_truncate,
 * the inode written synchronously on the default mount), so the call
 * sleeps holding its new file before a descriptor names it.  The run
 * stopped there, the file must still be the process's (p_held), so that
 * kern_shutdown frees it (the check build's leak checker fails this test
 * otherwise). */
static struct trace_call open_tc;

static void
open_trunc_call(struct play *pl, int i)
{
	static const char line[] =
	    "- 1 openat 4 - fd=AT_FDCWD path=\"/f\" oflags=O_WRONLY|O_TRUNC";
	struct kern *k = pl->m->k;
	struct sys_outcome out;

	assert_int_equal(native_parse_line(line, strlen(line), &open_tc, NULL),
	    1);
	/* past the call's own CPU time, into the inode's write */
	sim_at(k->sim, sim_now(k->sim) + 200 * SIM_US, stop_now, NULL);
	syscall_replay(k, pl->p, &open_tc, &out);
}

/* then_stop's, with the call itself choosing when the run stops */
static void
open_then_stop(void *arg)
{
	struct play *pl = arg;

	play_body_keep(pl);
	pl->after(pl, -1);
	pl->lines = NULL;	/* not reached: the run stops first */
}

static void
test_open_stopped_in_trunc(void **state)
{
	/* /f looked up once, so that the open's first sleep is the
	 * truncation's */
	static const char *const lines[] = {
		"- 1 openat 3 - fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY",
		"- 1 close 0 - fd=3",
		NULL
	};
	struct machine m;
	struct play pl;

	(void)state;
	trace_call_init(&open_tc);
	boot(&m, NULL);
	mkfile_cold(&m, "f", 65536);
	pl = (struct play){ &m, NULL, lines, open_trunc_call, NULL, 0 };
	pl.p = proc_create(m.k, 100, fdinit(vn_root(m.k)));
	vn_unpin_all(m.k);
	sim_spawn(m.s, "play", open_then_stop, &pl, 0);
	assert_int_equal(sim_run(m.s), SIM_STOPPED);
	assert_non_null(pl.lines);	/* still inside the call */
	assert_int_equal(pl.p->p_nheld, 1);	/* the new file, held */
	assert_null(fget(pl.p->p_fd, 4));	/* not installed */
	machine_free(&m);
	trace_call_free(&open_tc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_readlink_io),
		cmocka_unit_test(test_namei_follow),
		cmocka_unit_test(test_lstat_repair),
		cmocka_unit_test(test_setattr),
		cmocka_unit_test(test_fd_links),
		cmocka_unit_test(test_cpu_only),
		cmocka_unit_test(test_getdents),
		cmocka_unit_test(test_mknod),
		cmocka_unit_test(test_mknod_node),
		cmocka_unit_test(test_readahead_call),
		cmocka_unit_test(test_getcwd),
		cmocka_unit_test(test_ioctl),
		cmocka_unit_test(test_close_range),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_aio),
		cmocka_unit_test(test_aio_unreaped),
		cmocka_unit_test(test_sync_range),
		cmocka_unit_test(test_fallocate),
		cmocka_unit_test(test_mmap_read),
		cmocka_unit_test(test_mmap_policy),
		cmocka_unit_test(test_mmap_shared_write),
		cmocka_unit_test(test_mmap_syncer),
		cmocka_unit_test(test_mmap_holds_file),
		cmocka_unit_test(test_exit_stopped_in_close),
		cmocka_unit_test(test_exit_stopped_in_unmap),
		cmocka_unit_test(test_munmap_stopped),
		cmocka_unit_test(test_msync_stopped),
		cmocka_unit_test(test_open_stopped_in_trunc),
		cmocka_unit_test(test_close_stopped_in_truncate),
		cmocka_unit_test(test_dup2_stopped_in_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
