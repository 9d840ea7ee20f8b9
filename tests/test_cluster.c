/* Unit tests of clustering (vfs_cluster.c) and the sequential heuristic:
 * a sequential reader gets MAXPHYS reads at the media rate and uses what
 * is read ahead; backwards and random readers get no read-ahead to waste;
 * write-behind starts a sequential writer's I/O early and keeps its dirty
 * buffers few, and leaves DBM's random writes alone (the seed's
 * e4649cfac3), which RELENG_4 of 2001 did not; ffs_reallocblks keeps a
 * file contiguous under interleaved writers; a read takes exactly the
 * blocks its bytes lie in at every block size.  The accounting invariants
 * are checked after every event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "testkern.h"

#define MB		(1024 * 1024)

/* Boot a 128 MB machine that records every disk request (m->reqs).  With
 * check, the accounting invariants are checked after every event (slow:
 * the big runs check only at the end). */
static void
boot_with(struct machine *m, const char *const *sets, bool check)
{
	machine_boot(m, check ? machine_checked : NULL, sets);
	machine_record_disk(m);
}

static void
boot(struct machine *m, const char *const *sets)
{
	boot_with(m, sets, true);
}

/* read(2)/write(2) of one open file as sys_rw does it: the sequential
 * heuristic, then VOP_READ/VOP_WRITE, then the offsets. */
static void
rw(struct kern *k, struct file *fp, int64_t off, int64_t len, bool write)
{
	int ioflag = sequential_heuristic(fp, off, len);

	if (write)
		(void)vn_write(k, fp->f_vnode, off, len, ioflag);
	else
		(void)vn_read(k, fp->f_vnode, off, len, ioflag);
	fp->f_offset = fp->f_nextoff = off + len;
}

/* Sectors a second the drive sustains reading its first zone: each track
 * takes a revolution, and each switch to the next track its skew. */
static double
zone0_rate(const struct kern *k)
{
	const struct disk_zone *z = &k->disk.p.zones[0];
	int heads = k->disk.p.heads;
	double revs = heads + ((heads - 1) * z->track_skew + z->cyl_skew) / z->spt;

	return (double)heads * z->spt * DEV_BSIZE / (revs * k->disk.period / 1e9);
}

static void
reads_writes(const struct machine *m, int *reads, int *writes)
{
	guint i;

	*reads = *writes = 0;
	for (i = 0; i < m->reqs->len; i++) {
		const struct diskreq *r = &g_array_index(m->reqs, struct diskreq, i);

		if (r->write)
			(*writes)++;
		else
			(*reads)++;
	}
}

/* ---- the sequential heuristic ----------------------------------------- */

static void
test_sequential_heuristic(void **state)
{
	struct file *fp = falloc(DTYPE_VNODE, FREAD, NULL);
	int i;

	(void)state;
	assert_int_equal(fp->f_seqcount, 1);		/* falloc */
	/* At 0 with a positive score: sequential, +64K/16K. */
	assert_int_equal(sequential_heuristic(fp, 0, 65536) >> IO_SEQSHIFT, 5);
	fp->f_nextoff = 65536;
	assert_int_equal(sequential_heuristic(fp, 65536, 100) >> IO_SEQSHIFT, 6);
	fp->f_nextoff = 65636;
	/* The kernel's (uio_resid + BKVASIZE - 1) / BKVASIZE at the
	 * edges: exactly BKVASIZE +1, one byte more +2, one byte +1. */
	assert_int_equal(sequential_heuristic(fp, 65636, BKVASIZE) >>
	    IO_SEQSHIFT, 7);
	assert_int_equal(sequential_heuristic(fp, 65636, BKVASIZE + 1) >>
	    IO_SEQSHIFT, 9);
	assert_int_equal(sequential_heuristic(fp, 65636, 1) >> IO_SEQSHIFT,
	    10);
	/* and no bytes, (0 + BKVASIZE - 1) / BKVASIZE: +0, still sequential */
	assert_int_equal(sequential_heuristic(fp, 65636, 0) >> IO_SEQSHIFT,
	    10);
	for (i = 0; i < 100; i++) {
		(void)sequential_heuristic(fp, fp->f_nextoff, MAXPHYS);
		fp->f_nextoff += MAXPHYS;
	}
	assert_int_equal(fp->f_seqcount, IO_SEQMAX);	/* capped */
	/* Elsewhere: quick draw-down to 1, then 0; no bits either time. */
	assert_int_equal(sequential_heuristic(fp, 12345, 8192), 0);
	assert_int_equal(fp->f_seqcount, 1);
	assert_int_equal(sequential_heuristic(fp, 99999, 8192), 0);
	assert_int_equal(fp->f_seqcount, 0);
	/* At 0 with a zero score: not sequential. */
	assert_int_equal(sequential_heuristic(fp, 0, 8192), 0);
	g_free(fp);
}

/* ---- reading ---------------------------------------------------------- */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	int64_t		 size, iosize;
	int		 pattern;	/* 0 forward, 1 backward, 2 random */
	sim_time_t	 t0, t1;
} rd;

static void
reader(void *arg)
{
	struct kern *k = rd.m->k;
	struct file *fp = falloc(DTYPE_VNODE, FREAD, rd.vp);
	int64_t n = rd.size / rd.iosize, i;
	GRand *rng = g_rand_new_with_seed(7);

	(void)arg;
	rd.t0 = sim_now(rd.m->s);
	for (i = 0; i < n; i++) {
		int64_t blk = rd.pattern == 0 ? i : rd.pattern == 1 ? n - 1 - i :
		    g_rand_int_range(rng, 0, (gint32)n);

		rw(k, fp, blk * rd.iosize, rd.iosize, false);
	}
	rd.t1 = sim_now(rd.m->s);
	g_rand_free(rng);
	fdrop(k, fp);
}

static void
run_reader(struct machine *m, int pattern, int64_t size, int64_t iosize)
{
	rd.m = m;
	rd.size = size;
	rd.iosize = iosize;
	rd.pattern = pattern;
	rd.vp = machine_mkfile(m, "big", size);
	machine_run(m, "reader", reader, NULL);
	bufcache_check(m->k);
}

/*
 * ffs_read's loop takes a request one block at a time: block lblkno(off)
 * from offset blkoff(off), up to the end of the block, the request or the
 * file (fs.h's lblkno and blkoff: the offset shifted by fs_bshift, masked
 * by fs_qbmask).  For every block size newfs makes, 4 KB to 64 KB, a
 * non-sequential read (bread, no read-ahead: cluster.read off, the score
 * 0) brings in exactly the blocks its bytes lie in and counts its bytes:
 * one byte; two bytes across a boundary; three blocks' worth from inside
 * one; across the last direct block into the first indirect one; past the
 * end of the file (only what is there).  Each on a file of its own, none
 * of whose blocks is in core before.
 */
static struct {
	struct machine	*m;
	struct vnode	*vp;
	int64_t		 off, len;
} rb;

static void
read_once(void *arg)
{
	(void)arg;
	(void)vn_read(rb.m->k, rb.vp, rb.off, rb.len, 0);
}

static void
test_read_blocks(void **state)
{
	static const int bsizes[] = { 4096, 8192, 16384, 32768, 65536 };
	unsigned i, j;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(bsizes); i++) {
		int64_t bs = bsizes[i], fsz = 20 * bs;
		const struct { int64_t off, len; } cases[] = {
			{ 0, 1 },
			{ bs - 1, 2 },
			{ 3 * bs + 100, 2 * bs },
			{ NDADDR * bs - 10, 20 },
			{ fsz - 7, 4 * bs },
		};
		char bsz[32], fsize[32];
		const char *sets[] = { bsz, fsize, "cluster.read=false", NULL };
		struct machine m;

		g_snprintf(bsz, sizeof(bsz), "ffs.bsize=%lld", (long long)bs);
		g_snprintf(fsize, sizeof(fsize), "ffs.fsize=%lld",
		    (long long)bs / 8);
		boot(&m, sets);
		assert_int_equal(m.k->fs.fs_bsize, bs);
		for (j = 0; j < G_N_ELEMENTS(cases); j++) {
			char name[16];
			int64_t lo = cases[j].off / bs, end, hi, b;
			uint64_t before = m.k->cnt.bytes_read;

			end = MIN(cases[j].off + cases[j].len, fsz);
			hi = (end - 1) / bs;
			g_snprintf(name, sizeof(name), "f%u", j);
			rb.m = &m;
			rb.vp = machine_mkfile(&m, name, fsz);
			rb.off = cases[j].off;
			rb.len = cases[j].len;
			for (b = 0; b < fsz / bs; b++)
				assert_null(incore(m.k, rb.vp, b));
			machine_run(&m, "reader", read_once, NULL);
			for (b = 0; b < fsz / bs; b++) {
				if ((b >= lo && b <= hi) !=
				    (incore(m.k, rb.vp, b) != NULL))
					fail_msg("bsize %lld, read of %lld at "
					    "%lld: block %lld %s", (long long)bs,
					    (long long)cases[j].len,
					    (long long)cases[j].off, (long long)b,
					    b >= lo && b <= hi ? "not read" :
					    "read");
			}
			assert_int_equal(m.k->cnt.bytes_read - before,
			    end - cases[j].off);
		}
		machine_shutdown(&m);
	}
}

/*
 * Reading a 64 MB file front to back, 64 KB a call: nearly every disk
 * request is MAXPHYS (128 KB: one cluster of 8 blocks of 16 KB), the file
 * streams within 10 % of the drive's sustained rate in the zone it lies in,
 * and every block read ahead is read.
 */
static void
test_sequential_read(void **state)
{
	struct machine m;
	int64_t size = 64 * MB;
	int maxphys = 0, reads, writes;
	double rate, media;
	guint i;

	(void)state;
	boot_with(&m, NULL, false);
	run_reader(&m, 0, size, 65536);
	reads_writes(&m, &reads, &writes);
	for (i = 0; i < m.reqs->len; i++) {
		const struct diskreq *r = &g_array_index(m.reqs, struct diskreq, i);

		if (r->nsect == MAXPHYS / DEV_BSIZE)
			maxphys++;
		assert_true(r->nsect <= MAXPHYS / DEV_BSIZE);
	}
	print_message("    %d reads, %d of MAXPHYS; read-ahead %llu blocks, "
	    "%llu used, %llu unused\n", reads, maxphys,
	    (unsigned long long)m.k->cnt.readahead_blocks,
	    (unsigned long long)m.k->cnt.readahead_used,
	    (unsigned long long)m.k->cnt.readahead_unused);
	assert_int_equal(writes, 0);
	assert_true(maxphys >= reads * 95 / 100);
	assert_true(reads <= size / MAXPHYS + 8);
	rate = (double)size / ((double)(rd.t1 - rd.t0) / 1e9);
	media = zone0_rate(m.k);
	print_message("    %.2f MB/s; the zone sustains %.2f MB/s\n", rate / MB,
	    media / MB);
	assert_true(rate >= 0.9 * media && rate <= 1.01 * media);
	/* All of the file but what the first request asked for was read
	 * ahead, and all of it was read. */
	assert_true((int64_t)m.k->cnt.readahead_blocks * m.k->fs.fs_bsize >=
	    size * 9 / 10);
	assert_int_equal(m.k->cnt.readahead_used, m.k->cnt.readahead_blocks);
	assert_int_equal(m.k->cnt.readahead_unused, 0);
	machine_shutdown(&m);
}

/* The same with read clustering off (noclusterr): one block a request,
 * with one block read ahead by breadn — and the file takes longer. */
static void
test_noclusterr(void **state)
{
	const char *sets[] = { "cluster.read=false", NULL };
	struct machine m;
	int reads, writes;
	guint i;

	(void)state;
	boot(&m, sets);
	run_reader(&m, 0, 2 * MB, 65536);
	reads_writes(&m, &reads, &writes);
	for (i = 0; i < m.reqs->len; i++)
		assert_int_equal(g_array_index(m.reqs, struct diskreq, i).nsect,
		    m.k->fs.fs_bsize / DEV_BSIZE);
	assert_int_equal(reads, 2 * MB / m.k->fs.fs_bsize);
	assert_true(m.k->cnt.readahead_blocks > 0);
	assert_int_equal(m.k->cnt.readahead_used, m.k->cnt.readahead_blocks);
	machine_shutdown(&m);
}

/* Backwards, and at random: the score stays at 0, so nothing is read
 * ahead (each 64 KB request is still one clustered read of its own
 * blocks), and so nothing read ahead lies unused.  With 8 KB blocks (as
 * before newfs's 16 KB default) the direct blocks end mid-request (at
 * 96 KB), so one request spans the indirect block's gap; with 16 KB ones
 * they end on a request boundary (192 KB) and none would. */
static void
test_backward_random_read(void **state)
{
	static const char *const sets[] = { "ffs.bsize=8K", "ffs.fsize=1K",
	    NULL };
	int pattern;

	(void)state;
	for (pattern = 1; pattern <= 2; pattern++) {
		struct machine m;
		int reads, writes;

		boot(&m, sets);
		run_reader(&m, pattern, 4 * MB, 65536);
		reads_writes(&m, &reads, &writes);
		print_message("    %s: %d reads, read-ahead %llu blocks\n",
		    pattern == 1 ? "backward" : "random", reads,
		    (unsigned long long)m.k->cnt.readahead_blocks);
		assert_int_equal(m.k->cnt.readahead_blocks, 0);
		assert_int_equal(m.k->cnt.readahead_unused, 0);
		/* Each request one I/O — but for the one that spans the
		 * single indirect block, which FFS put right after the
		 * twelve direct blocks (two I/Os), and that block's read. */
		if (pattern == 1)
			assert_int_equal(reads, 4 * MB / 65536 + 2);
		machine_shutdown(&m);
	}
}

/* ---- writing ---------------------------------------------------------- */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	int64_t		 size;
	int		 dbm;		/* random 1-8 KB stores */
	sim_time_t	 t1;
	int		 reqs_before_end;
} wr;

/* DBM stores that ended at the end of a file-system block. */
static int dbm_block_ends;

static void
writer(void *arg)
{
	struct kern *k = wr.m->k;
	struct file *fp = falloc(DTYPE_VNODE, FREAD, wr.vp);
	GRand *rng = g_rand_new_with_seed(11);
	int64_t off;

	(void)arg;
	if (!wr.dbm)
		for (off = 0; off < wr.size; off += 65536)
			rw(k, fp, off, 65536, true);
	else {
		int i;

		/* dbm(3)'s hash method: each store rewrites a page of the
		 * table (the seed's 1-8 KB), wherever the key hashes. */
		dbm_block_ends = 0;
		for (i = 0; i < 4000; i++) {
			int64_t len = 1024 << g_rand_int_range(rng, 0, 4);
			int64_t pg = g_rand_int_range(rng, 0, (gint32)(wr.size / len));

			rw(k, fp, pg * len, len, true);
			if ((pg + 1) * len % k->fs.fs_bsize == 0)
				dbm_block_ends++;
		}
	}
	wr.t1 = sim_now(wr.m->s);
	wr.reqs_before_end = (int)wr.m->reqs->len;
	g_rand_free(rng);
	fdrop(k, fp);
}

struct wresult {
	int	 dirty_peak, reqs_before_end, reads, writes;
	uint64_t writebehind_ios;
};

/* Write (sequentially, or DBM-style into a preallocated file) under the
 * given settings; then sync everything, as the end of a run does. */
static struct wresult
run_writer(const char *const *sets, int dbm, int64_t size)
{
	struct machine m;
	struct wresult res;

	boot_with(&m, sets, false);
	wr.m = &m;
	wr.size = size;
	wr.dbm = dbm;
	wr.vp = machine_mkfile(&m, "out", dbm ? size : 0);
	machine_run(&m, "writer", writer, NULL);
	machine_sync(&m);
	res.dirty_peak = m.k->cnt.dirty_peak;
	res.reqs_before_end = wr.reqs_before_end;
	res.writebehind_ios = m.k->cnt.writebehind_ios;
	reads_writes(&m, &res.reads, &res.writes);
	machine_shutdown(&m);
	return res;
}

/*
 * A sequential writer of 32 MB: with write-behind each completed cluster
 * goes to the disk at once, so writes complete while the process is still
 * writing and few buffers are ever dirty; without, the blocks pile up as
 * delayed writes until buf_daemon (at hidirtybuffers) and the syncer
 * write them.  Mode 2 lags one cluster behind.
 */
static void
test_write_behind(void **state)
{
	const char *on[] = { "vfs.write_behind=1", NULL };
	const char *off[] = { "vfs.write_behind=0", NULL };
	const char *lag[] = { "vfs.write_behind=2", NULL };
	struct wresult a, b, c;

	(void)state;
	a = run_writer(on, 0, 32 * MB);
	b = run_writer(off, 0, 32 * MB);
	c = run_writer(lag, 0, 32 * MB);
	print_message("    write-behind on: dirty peak %d, %d writes done while "
	    "writing, %llu write-behind I/Os\n", a.dirty_peak,
	    a.reqs_before_end, (unsigned long long)a.writebehind_ios);
	print_message("    off: dirty peak %d, %d; lagging: dirty peak %d, %d\n",
	    b.dirty_peak, b.reqs_before_end, c.dirty_peak, c.reqs_before_end);
	/*
	 * 32 MB of 16 KB blocks is 2048; the clusters are of 8 (128 KB).
	 * Blocks 0-7 fill one and are pushed; 8-11 start the next, which
	 * block 12 cuts short (mapped by the indirect block FFS put right
	 * after block 11, it is not next on the disk: cluster_write pushes
	 * the 4 then); 12-2043 fill 254 more; the last 4 never complete one.
	 * So exactly 1 + 1 + 254 = 256 pushes.
	 */
	assert_int_equal(a.writebehind_ios, 256);
	/* All but what may still be in flight when the writer returns are
	 * done by then: waitrunningbufspace keeps at most hirunningspace
	 * (1 MB) in flight, plus the cluster just issued — 9 clusters.
	 * (Without write-behind buf_daemon's writes alone get ~200 done.) */
	assert_true(a.reqs_before_end >= 256 - (1 * MB / MAXPHYS + 1));
	assert_true(b.reqs_before_end < 256 - (1 * MB / MAXPHYS + 1));
	/* Dirty at most: the cluster being built (8) and two metadata
	 * buffers — the indirect block, the cylinder-group map. */
	assert_true(a.dirty_peak <= MAXPHYS / 16384 + 2);
	assert_int_equal(b.writebehind_ios, 0);
	assert_true(b.dirty_peak >= 10 * a.dirty_peak);
	/* Lagging pushes the cluster before the one just completed (the
	 * same 256 pushes less the first, which has none before it:
	 * cluster_wbuild_wb skips it, and 0-3 stay dirty); dirty at most:
	 * blocks 0-3, the cluster completed and the one being built, and
	 * the two metadata buffers. */
	assert_int_equal(c.writebehind_ios, 255);
	assert_true(c.dirty_peak <= 4 + 2 * MAXPHYS / 16384 + 2);
	assert_true(c.dirty_peak > a.dirty_peak);
	/* What reaches the disk with write-behind: the 256 pushes; the
	 * last 4 blocks, one write each (the final sync's ffs_fsync with
	 * MNT_WAIT writes each with bawrite, unclustered); the new indirect
	 * block (written as it is allocated) and again with its pointers;
	 * the cylinder-group map and the inode block; the summary and the
	 * superblock — 266 in all. */
	print_message("    %d disk writes with write-behind\n", a.writes);
	assert_int_equal(a.writes, 256 + 4 + 2 + 2 + 2);
}

/*
 * A cluster cut short is pushed (cluster_write's "not sequential" branch)
 * — but not on an MNT_ASYNC mount: there cluster_write leaves it to the
 * daemons (`if (!async && seqcount > 0)`); the push of a full cluster has
 * no such test.  Thirteen 16 KB blocks written in order over a
 * preallocated file: blocks 0-7 fill a cluster and go out as one write;
 * 8-11 start the next, and block 12, mapped by the indirect block that
 * FFS put right after block 11, is not next to 11 on the disk, so the
 * cluster 8-11 is cut short: pushed with the default mount, left dirty
 * with async.
 */
static int cut_writes;

static void
cut_writer(void *arg)
{
	struct kern *k = wr.m->k;
	struct file *fp = falloc(DTYPE_VNODE, FREAD, wr.vp);
	int reads;

	(void)arg;
	rw(k, fp, 0, 13 * 16384, true);
	sim_pause(k->sim, 100 * SIM_MS);
	reads_writes(wr.m, &reads, &cut_writes);
	fdrop(k, fp);
}

static int
cut_short(const char *const *sets, int *bufs)
{
	struct machine m;

	boot(&m, sets);
	wr.m = &m;
	wr.vp = machine_mkfile(&m, "out", 4 * MB);
	machine_run(&m, "writer", cut_writer, NULL);
	*bufs = (int)m.k->cnt.cluster_bufs;
	machine_sync(&m);
	machine_shutdown(&m);
	return cut_writes;
}

static void
test_async_mount(void **state)
{
	const char *async[] = { "ffs.metadata=async", NULL };
	int bufs, n;

	(void)state;
	n = cut_short(NULL, &bufs);
	assert_int_equal(n, 2);			/* 0-7, then 8-11 */
	assert_int_equal(bufs, 12);
	n = cut_short(async, &bufs);
	assert_int_equal(n, 1);			/* 0-7 only */
	assert_int_equal(bufs, 8);
}

/*
 * The seed's DBM case: random 1-8 KB stores into a 64 MB hash file.  The
 * writer's score stays at 0, so 5.0-CURRENT starts no write-behind I/O and
 * writes no more with write-behind on than off; RELENG_4 of 2001 pushed
 * each broken "cluster" of one block at once.
 */
static void
test_dbm(void **state)
{
	const char *on[] = { "vfs.write_behind=1", NULL };
	const char *off[] = { "vfs.write_behind=0", NULL };
	const char *era4[] = { "vfs.write_behind=1", "machine.era=freebsd4", NULL };
	struct wresult a, b, c;

	(void)state;
	a = run_writer(on, 1, 64 * MB);
	b = run_writer(off, 1, 64 * MB);
	c = run_writer(era4, 1, 64 * MB);
	print_message("    5.0-CURRENT: %llu write-behind I/Os, %d disk writes "
	    "(off: %d); RELENG_4: %llu write-behind I/Os, %d disk writes\n",
	    (unsigned long long)a.writebehind_ios, a.writes, b.writes,
	    (unsigned long long)c.writebehind_ios, c.writes);
	assert_int_equal(a.writebehind_ios, 0);
	assert_true(a.writes <= b.writes);
	/* RELENG_4: a store that ends at a block's end completes the block
	 * and goes to cluster_write (ffs_write's rule); a random one is never
	 * the next block, so the one-block "cluster" before it is pushed —
	 * every such store but the first, and the rare one that is the next
	 * block after all. */
	print_message("    RELENG_4: %d stores end a block, %llu pushes\n", dbm_block_ends, (unsigned long long)c.writebehind_ios);
	assert_true(c.writebehind_ios <= (uint64_t)dbm_block_ends - 1);
	assert_true(c.writebehind_ios >= (uint64_t)dbm_block_ends * 95 / 100);
	assert_true(c.writes > a.writes);
}

/*
 * Cluster writes hold pbufs until their I/O is done, and may hold only
 * half of nswbuf: with 4 pbufs a sequential writer that pushes clusters
 * faster than the disk takes them sleeps in "wswbuf0" — and nothing is
 * lost.  With the default pool it never does.
 */
static struct wresult
run_pbuf_writer(const char *nswbuf, uint64_t *waits)
{
	const char *sets[] = { nswbuf, "vfs.hirunningspace=8M",
	    "vfs.lorunningspace=4M", NULL };
	struct machine m;
	struct wresult res;

	boot(&m, sets);
	wr.m = &m;
	wr.size = 4 * MB;
	wr.dbm = 0;
	wr.vp = machine_mkfile(&m, "out", 0);
	machine_run(&m, "writer", writer, NULL);
	*waits = (uint64_t)m.k->vm.pbuf_waits;
	machine_sync(&m);
	assert_int_equal(m.k->vm.cluster_pbuf_freecnt, m.k->bc.nswbuf / 2);
	reads_writes(&m, &res.reads, &res.writes);
	machine_shutdown(&m);
	return res;
}

static void
test_pbuf_exhaustion(void **state)
{
	uint64_t few, many;
	struct wresult a, b;

	(void)state;
	a = run_pbuf_writer("bio.nswbuf=4", &few);
	b = run_pbuf_writer("bio.nswbuf=0", &many);
	print_message("    4 pbufs: %llu waits; the default pool: %llu\n",
	    (unsigned long long)few, (unsigned long long)many);
	assert_true(few > 0);
	assert_int_equal(many, 0);
	assert_int_equal(a.writes, b.writes);	/* the same clusters */
}

/* ---- who holds a block read ahead ------------------------------------- */

static struct {
	struct machine	*m;
	struct vnode	*vp;
	struct sim_proc	*holder[3];	/* of blocks 1, 2 in flight; of 1 after */
	bool		 in_flight;
	uint64_t	 waits;
} ro;

static void
ra_owner_body(void *arg)
{
	struct kern *k = ro.m->k;
	int size = k->fs.fs_bsize;
	struct buf *bp, *b1, *b2;
	uint64_t waits;

	(void)arg;
	/* block 0 read, blocks 1.. read ahead as one cluster (fbp NULL) */
	assert_int_equal(cluster_read(k, ro.vp, vn_size(ro.vp), 0, size, size,
	    8, &bp), 0);
	b1 = incore(k, ro.vp, 1);
	b2 = incore(k, ro.vp, 2);
	assert_non_null(b1);
	assert_non_null(b2);
	ro.in_flight = !(b1->b_flags & B_DONE);
	ro.holder[0] = b1->b_lockholder;
	ro.holder[1] = b2->b_lockholder;
	bqrelse(k, bp);
	/* The reader comes back for block 1 before its I/O is done: it
	 * sleeps "getblk" for the kernel's lock, woken by the cluster's
	 * completion — no "locking against myself". */
	waits = k->cnt.getblk_waits;
	bp = getblk(k, ro.vp, 1, size);
	ro.waits = k->cnt.getblk_waits - waits;
	ro.holder[2] = bp->b_lockholder;
	assert_true(bp->b_flags & B_CACHE);
	bqrelse(k, bp);
}

/*
 * cluster_rbuild hands every buffer of a cluster to the kernel,
 * BUF_KERNPROC(tbp) — the first one too, even a caller's fbp ("fbp from
 * caller may not be B_ASYNC, but we are going to biodone() it in
 * cluster_callback() anyway"): while a read-ahead is in flight no process
 * owns its blocks, and the reader asking for one waits for its I/O (in
 * the test build, lockmgr's "locking against myself" KASSERT in getblk
 * would fire if the reader still owned the first).
 */
static void
test_readahead_owner(void **state)
{
	struct machine m;

	(void)state;
	boot(&m, NULL);
	memset(&ro, 0, sizeof(ro));
	ro.m = &m;
	ro.vp = machine_mkfile(&m, "f", 4 * MB);
	machine_run(&m, "reader", ra_owner_body, NULL);
	assert_true(ro.in_flight);
	assert_ptr_equal(ro.holder[0], BUF_KERNPROC);
	assert_ptr_equal(ro.holder[1], BUF_KERNPROC);
	assert_int_equal(ro.waits, 1);
	assert_true(ro.holder[2] != NULL && ro.holder[2] != BUF_KERNPROC);
	assert_true(m.k->cnt.cluster_reads >= 1);
	machine_shutdown(&m);
}

/* ---- ffs_reallocblks -------------------------------------------------- */

static struct {
	struct machine	*m;
	struct vnode	*vp[2];
	int		 nblk;
} il;

/* Two writers append 8 KB blocks to their own files in turn. */
static void
appender(void *arg)
{
	int which = (int)(intptr_t)arg, i;
	struct kern *k = il.m->k;
	struct file *fp = falloc(DTYPE_VNODE, FREAD, il.vp[which]);

	for (i = 0; i < il.nblk; i++) {
		rw(k, fp, (int64_t)i * 8192, 8192, true);
		sim_pause(il.m->s, 1000);	/* let the other one in */
	}
	fdrop(k, fp);
}

/* Logically adjacent blocks of the file that are not adjacent on disk. */
static int
breaks(struct kern *k, struct vnode *vp, int nblk)
{
	int i, n = 0;

	for (i = 1; i < nblk; i++)
		if (ffs_bmap(k, vp->v_data, i) != ffs_bmap(k, vp->v_data, i - 1) +
		    k->fs.fs_bsize / DEV_BSIZE)
			n++;
	return n;
}

static void
run_interleaved(const char *const *sets, int *brk, int *writes)
{
	struct machine m;
	int reads, w;

	boot(&m, sets);
	il.m = &m;
	il.nblk = 256;			/* 2 MB each */
	il.vp[0] = machine_mkfile(&m, "a", 0);
	il.vp[1] = machine_mkfile(&m, "b", 0);
	sim_spawn(m.s, "a", appender, (void *)(intptr_t)0, 0);
	sim_spawn(m.s, "b", appender, (void *)(intptr_t)1, 0);
	assert_int_equal(sim_run(m.s), SIM_DONE);
	machine_sync(&m);
	brk[0] = breaks(m.k, il.vp[0], il.nblk);
	brk[1] = breaks(m.k, il.vp[1], il.nblk);
	reads_writes(&m, &reads, &w);
	*writes = w;
	machine_shutdown(&m);
}

/*
 * Files written in order by interleaved writers: with reallocblks each
 * cluster is moved into one free run as it grows, so a file breaks at
 * most once a cluster (16 blocks) and goes to disk in full clusters;
 * without, the writers' blocks alternate and every block is a break.
 * The writers append 8 KB blocks: the file system has 8 KB blocks (as
 * before newfs's 16 KB default), so each write is one whole block.
 */
static void
test_reallocblks(void **state)
{
	const char *on[] = { "vfs.ffs.doreallocblks=1", "ffs.bsize=8K",
	    "ffs.fsize=1K", NULL };
	const char *off[] = { "vfs.ffs.doreallocblks=0", "ffs.bsize=8K",
	    "ffs.fsize=1K", NULL };
	int bon[2], boff[2], won, woff, i;

	(void)state;
	run_interleaved(on, bon, &won);
	run_interleaved(off, boff, &woff);
	print_message("    reallocblks on: %d and %d breaks, %d disk writes; "
	    "off: %d and %d breaks, %d disk writes\n", bon[0], bon[1], won,
	    boff[0], boff[1], woff);
	for (i = 0; i < 2; i++) {
		/* a break where a cluster ends, and a few at the start */
		assert_true(bon[i] <= 256 / 16 + 4);
		assert_true(boff[i] >= 256 * 9 / 10);
	}
	assert_true(won * 4 < woff);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential_heuristic),
		cmocka_unit_test(test_sequential_read),
		cmocka_unit_test(test_read_blocks),
		cmocka_unit_test(test_noclusterr),
		cmocka_unit_test(test_backward_random_read),
		cmocka_unit_test(test_write_behind),
		cmocka_unit_test(test_dbm),
		cmocka_unit_test(test_async_mount),
		cmocka_unit_test(test_pbuf_exhaustion),
		cmocka_unit_test(test_readahead_owner),
		cmocka_unit_test(test_reallocblks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
