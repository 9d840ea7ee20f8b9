/*
 * Unit tests of the recorder on a full disk: an SQLite VFS that passes
 * everything to the system's but refuses (SQLITE_FULL) a write that would
 * take the database and its WAL past a quota, as a full file system does.
 * A run that fills it is marked failed, its rows gone, and no WAL is left
 * behind; the same rows under a larger quota are recorded whole.  And
 * every row reads back as it was handed in (test_rows_as_given), also
 * across the commits of a long run, whose WAL stays the size of one
 * transaction (test_rows_past_a_commit), and a
 * database of this schema gains only the columns it lacks
 * (test_schema_once), a run into a new file syncs it twice and not
 * six times, its runs row kept for a crash all the same
 * (test_fresh_run_syncs), and several runs record through one writer
 * (test_shared_writer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dbimage.h"
#include "metrics.h"

/* ---- a VFS with a quota ---------------------------------------------- */

struct qfile {
	sqlite3_file	 base;		/* our methods */
	sqlite3_file	*real;		/* the system VFS's file, after us */
};

static sqlite3_vfs *realvfs;
static sqlite3_vfs quotavfs;
static char *quota_dir;		/* files under it count */
static int64_t quota;		/* bytes; 0: none */
static int nsyncs;		/* xSync calls, every file */

/* Bytes the database files in quota_dir take now. */
static int64_t
used(void)
{
	GDir *d = g_dir_open(quota_dir, 0, NULL);
	const char *n;
	int64_t sum = 0;

	while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(quota_dir, n, NULL);
		struct stat st;

		/* the -shm file is memory, mapped: not counted */
		if (!g_str_has_suffix(n, "-shm") && stat(p, &st) == 0)
			sum += st.st_size;
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	return sum;
}

static int
q_close(sqlite3_file *f)
{
	struct qfile *q = (struct qfile *)f;
	int rc = q->real->pMethods != NULL ? q->real->pMethods->xClose(q->real) :
	    SQLITE_OK;

	sqlite3_free(q->real);
	return rc;
}

static int
q_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xRead(q->real, buf, n, off);
}

static int
q_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	struct qfile *q = (struct qfile *)f;
	sqlite3_int64 size = 0;

	q->real->pMethods->xFileSize(q->real, &size);
	if (quota > 0 && off + n > size && used() + (off + n - size) > quota)
		return SQLITE_FULL;
	return q->real->pMethods->xWrite(q->real, buf, n, off);
}

static int
q_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xTruncate(q->real, size);
}

static int
q_sync(sqlite3_file *f, int flags)
{
	struct qfile *q = (struct qfile *)f;

	nsyncs++;
	return q->real->pMethods->xSync(q->real, flags);
}

static int
q_size(sqlite3_file *f, sqlite3_int64 *size)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xFileSize(q->real, size);
}

static int
q_lock(sqlite3_file *f, int l)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xLock(q->real, l);
}

static int
q_unlock(sqlite3_file *f, int l)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xUnlock(q->real, l);
}

static int
q_check(sqlite3_file *f, int *out)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xCheckReservedLock(q->real, out);
}

static int
q_fcntl(sqlite3_file *f, int op, void *arg)
{
	struct qfile *q = (struct qfile *)f;

	/* no preallocation behind the quota's back */
	if (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_CHUNK_SIZE)
		return SQLITE_NOTFOUND;
	return q->real->pMethods->xFileControl(q->real, op, arg);
}

static int
q_sector(sqlite3_file *f)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xSectorSize(q->real);
}

static int
q_dev(sqlite3_file *f)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xDeviceCharacteristics(q->real);
}

static int
q_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xShmMap(q->real, pg, sz, ext, pp);
}

static int
q_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xShmLock(q->real, off, n, flags);
}

static void
q_shmbarrier(sqlite3_file *f)
{
	struct qfile *q = (struct qfile *)f;

	q->real->pMethods->xShmBarrier(q->real);
}

static int
q_shmunmap(sqlite3_file *f, int del)
{
	struct qfile *q = (struct qfile *)f;

	return q->real->pMethods->xShmUnmap(q->real, del);
}

static const sqlite3_io_methods qmethods = {
	2, q_close, q_read, q_write, q_truncate, q_sync, q_size, q_lock,
	q_unlock, q_check, q_fcntl, q_sector, q_dev, q_shmmap, q_shmlock,
	q_shmbarrier, q_shmunmap, NULL, NULL
};

static int
q_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct qfile *q = (struct qfile *)f;
	int rc;

	(void)v;
	q->base.pMethods = NULL;
	q->real = sqlite3_malloc(realvfs->szOsFile);
	if (q->real == NULL)
		return SQLITE_NOMEM;
	memset(q->real, 0, (size_t)realvfs->szOsFile);
	rc = realvfs->xOpen(realvfs, name, q->real, flags, out);
	if (rc != SQLITE_OK) {
		sqlite3_free(q->real);
		return rc;
	}
	q->base.pMethods = &qmethods;
	return SQLITE_OK;
}

static int
q_delete(sqlite3_vfs *v, const char *name, int sync)
{
	return realvfs->xDelete(realvfs, name, sync);
}

static int
q_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	return realvfs->xAccess(realvfs, name, flags, out);
}

static int
q_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	return realvfs->xFullPathname(realvfs, name, n, out);
}

static void
quota_install(void)
{
	realvfs = sqlite3_vfs_find(NULL);
	assert_non_null(realvfs);
	quotavfs = *realvfs;		/* randomness, time, sleep: the system's */
	quotavfs.zName = "quota";
	quotavfs.szOsFile = (int)sizeof(struct qfile);
	quotavfs.pNext = NULL;
	quotavfs.xOpen = q_open;
	quotavfs.xDelete = q_delete;
	quotavfs.xAccess = q_access;
	quotavfs.xFullPathname = q_fullpath;
	quotavfs.xDlOpen = NULL;
	quotavfs.xDlError = NULL;
	quotavfs.xDlSym = NULL;
	quotavfs.xDlClose = NULL;
	assert_int_equal(sqlite3_vfs_register(&quotavfs, 1), SQLITE_OK);
}

/* ---- the tests ------------------------------------------------------- */

/* The run every test records under (its trace and profile need not exist). */
#define TEST_RUN .trace = "t.trace", .format = "native", \
	.profile = "[machine]\n", .profile_sources = "defaults", .seed = 1

/* n rows of a process writing a file 4 KB at a time, a microsecond apart
 * (wmesg: where each slept, or NULL). */
static void
write_rows(struct metrics *m, int n, const char *wmesg)
{
	struct syscall_row row;
	int i;

	memset(&row, 0, sizeof(row));
	row.pid = 7;
	row.call = "write";
	row.path = "/a/long/enough/path/of/a/file/written/again/and/again";
	row.fd = 3;
	row.bytes = 4096;
	row.wmesg = wmesg;
	for (i = 0; i < n; i++) {
		row.offset = (int64_t)i * 4096;
		row.start_ns = (int64_t)i * 1000;
		row.end_ns = row.start_ns + 500;
		metrics_syscall(m, &row);
	}
}

/* n syscall rows of one run into db under the quota; metrics_end_run's
 * answer. */
static bool
record(const char *db, int n)
{
	struct run_info ri = { TEST_RUN, .label = "full" };
	GError *err = NULL;
	struct metrics *m = metrics_open(db, &err);
	bool ok;

	assert_non_null(m);
	assert_true(metrics_begin_run(m, &ri, &err) > 0);
	write_rows(m, n, "biowr");
	ok = metrics_end_run(m, &err);
	if (!ok)
		g_error_free(err);
	metrics_close(m);
	return ok;
}

/* What the database says, read through the system's VFS. */
static char *
query(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	char *v = NULL;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY,
	    realvfs->zName), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = g_strdup(sqlite3_column_type(s, 0) == SQLITE_NULL ? "NULL" :
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

/* The database's answer to sql (its first row's first column) is want. */
static void
assert_query(const char *db, const char *sql, const char *want)
{
	char *v = query(db, sql);

	assert_non_null(v);
	assert_string_equal(v, want);
	g_free(v);
}

static void
test_full_disk(void **state)
{
	char *db, *wal;
	struct stat st;

	quota_dir = g_dir_make_tmp("vfssim-full-XXXXXX", NULL);
	assert_non_null(quota_dir);
	quota_install();
	db = g_build_filename(quota_dir, "full.db", NULL);
	wal = g_strdup_printf("%s-wal", db);

	/* 1 MB: the rows fill it long before a batch is committed */
	quota = 1 << 20;
	assert_false(record(db, 60000));
	quota = 0;
	assert_query(db, "SELECT status || ' ' || (error LIKE '%full%') "
	    "FROM runs WHERE id = 1", "failed 1");
	assert_query(db, "SELECT count(*) FROM syscalls WHERE run = 1", "0");
	/* the WAL that filled the disk is gone */
	assert_true(stat(wal, &st) != 0 || st.st_size == 0);
	assert_true(used() < 1 << 20);

	/* the same rows with room: recorded whole, beside the failed run */
	quota = 64 << 20;
	assert_true(record(db, 60000));
	quota = 0;
	assert_query(db, "SELECT count(*) FROM syscalls WHERE run = 2",
	    "60000");
	assert_query(db, "SELECT group_concat(status) FROM runs",
	    "failed,complete");

	sqlite3_vfs_unregister(&quotavfs);
	{
		char *p = g_strdup_printf("%s-shm", db);

		unlink(p);
		g_free(p);
	}
	unlink(wal);
	unlink(db);
	rmdir(quota_dir);
	g_free(db);
	g_free(wal);
	g_free(quota_dir);
}

/*
 * Every syscalls row reads back as it was handed in, through the writer
 * that binds only what changed since the same slot of its bulk statement
 * was last used (metrics_writer.c, bind_int/bind_str): each value changes at its
 * own period (some every row, some never, NULL now and then), strings in
 * the caller's buffer are overwritten between rows, and one path grows
 * past any earlier (the slot's copy must grow).  Across several batches
 * and a partial last statement (5003 rows: 32 a statement, 2048 a batch).
 */
#define NROWS	5003

static void
expect_row(int i, struct syscall_row *r, char *callbuf, char *pathbuf)
{
	static const char *const wm[] = { NULL, "biord", "biowr", "getblk" };
	int k;

	memset(r, 0, sizeof(*r));
	r->pid = 7 + (i / 3) % 2;
	g_strlcpy(callbuf, i % 5 == 0 ? "read" : i % 5 == 1 ? "pwrite64" :
	    "write", 32);
	r->call = callbuf;
	r->passthrough = i % 23 == 0;
	if (i % 7 == 0)
		r->path = NULL;
	else {
		/* the same file for runs of rows, a longer one at times */
		g_snprintf(pathbuf, 512, "/data/f%d", (i / 4) % 3);
		if (i % 97 == 1)
			for (k = 0; k < i / 97 && strlen(pathbuf) < 400; k++)
				g_strlcat(pathbuf, "/deeper", 512);
		r->path = pathbuf;
	}
	r->fd = i % 11 == 0 ? -1 : 3;
	r->offset = i % 13 == 0 ? -1 : (int64_t)(i / 2) * 4096;
	r->bytes = (i / 100) * 10;
	r->start_ns = (int64_t)i * 1000;
	r->end_ns = r->start_ns + (i % 3) * 250;
	r->result = i % 19 == 0 ? -1 : 4096;
	r->err = i % 19 == 0 ? (i % 38 == 0 ? 5 : 2) : 0;	/* EIO, ENOENT */
	r->wait_ns = i % 17 == 0 ? i : 0;
	r->wmesg = wm[(i / 6) % 4];
	r->suspend_ns = i % 29 == 0 ? 1 : 0;
	r->cow_ns = 0;
}

static void
test_rows_as_given(void **state)
{
	struct run_info ri = { TEST_RUN };
	char *dir = g_dir_make_tmp("vfssim-rows-XXXXXX", NULL);
	char *db = g_build_filename(dir, "rows.db", NULL);
	char callbuf[32], pathbuf[512];
	struct syscall_row r;
	GError *err = NULL;
	struct metrics *m;
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	int i;

	m = metrics_open(db, &err);
	assert_non_null(m);
	assert_true(metrics_begin_run(m, &ri, &err) > 0);
	for (i = 0; i < NROWS; i++) {
		expect_row(i, &r, callbuf, pathbuf);
		metrics_syscall(m, &r);
		/* the caller's strings change under the batch's copies */
		memset(callbuf, 'x', sizeof(callbuf) - 1);
		memset(pathbuf, 'y', 40);
	}
	assert_true(metrics_end_run(m, &err));
	metrics_close(m);

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT seq, pid, call, class, "
	    "path, fd, offset, bytes, start_ns, end_ns, result, error, wait_ns, "
	    "wmesg, suspend_ns, cow_ns FROM syscalls WHERE run = 1 ORDER BY seq",
	    -1, &s, NULL), SQLITE_OK);
	for (i = 0; sqlite3_step(s) == SQLITE_ROW; i++) {
		const char *t;

		expect_row(i, &r, callbuf, pathbuf);
		assert_int_equal(sqlite3_column_int64(s, 0), i);
		assert_int_equal(sqlite3_column_int64(s, 1), r.pid);
		assert_string_equal(sqlite3_column_text(s, 2), r.call);
		assert_string_equal(sqlite3_column_text(s, 3),
		    r.passthrough ? "pass" : "sim");
		t = (const char *)sqlite3_column_text(s, 4);
		if (r.path == NULL)
			assert_null(t);
		else
			assert_string_equal(t, r.path);
		if (r.fd < 0)
			assert_int_equal(sqlite3_column_type(s, 5), SQLITE_NULL);
		else
			assert_int_equal(sqlite3_column_int64(s, 5), r.fd);
		if (r.offset < 0)
			assert_int_equal(sqlite3_column_type(s, 6), SQLITE_NULL);
		else
			assert_int_equal(sqlite3_column_int64(s, 6), r.offset);
		assert_int_equal(sqlite3_column_int64(s, 7), r.bytes);
		assert_int_equal(sqlite3_column_int64(s, 8), r.start_ns);
		assert_int_equal(sqlite3_column_int64(s, 9), r.end_ns);
		assert_int_equal(sqlite3_column_int64(s, 10), r.result);
		t = (const char *)sqlite3_column_text(s, 11);
		if (r.err == 0)
			assert_null(t);
		else
			assert_string_equal(t, r.err == 5 ? "EIO" : "ENOENT");
		assert_int_equal(sqlite3_column_int64(s, 12), r.wait_ns);
		t = (const char *)sqlite3_column_text(s, 13);
		if (r.wmesg == NULL)
			assert_null(t);
		else
			assert_string_equal(t, r.wmesg);
		assert_int_equal(sqlite3_column_int64(s, 14), r.suspend_ns);
		assert_int_equal(sqlite3_column_int64(s, 15), r.cow_ns);
	}
	assert_int_equal(i, NROWS);
	sqlite3_finalize(s);
	sqlite3_close(h);
	unlink(db);
	rmdir(dir);
	g_free(db);
	g_free(dir);
}

/*
 * A run of more rows than a transaction holds (metrics.c's BATCH, 100,000):
 * the writer commits twice on the way, each commit checkpointed before the
 * next transaction begins, so SQLite starts the WAL over from its
 * beginning (walRestartLog: only a write transaction that begins with
 * every frame copied into the database does) and the WAL holds about one
 * transaction's frames, not the run's.  (A checkpointer thread beside the
 * writer was tried: the writer's next transaction always began before the
 * checkpoint ended, the WAL was never started over and grew with the run,
 * to 139 MB on the bench's hits trace.)  The WAL's size just before the
 * close is the most it held.  Every row is there once, in order, the
 * database is sound, and closing it leaves no WAL.
 */
#define NBIG	300001

static void
test_rows_past_a_commit(void **state)
{
	struct run_info ri = { TEST_RUN };
	char *dir = g_dir_make_tmp("vfssim-big-XXXXXX", NULL);
	char *db = g_build_filename(dir, "big.db", NULL);
	char *wal = g_strdup_printf("%s-wal", db);
	char *shm = g_strdup_printf("%s-shm", db);
	struct stat wst, dst;
	GError *err = NULL;
	struct metrics *m;
	char *v, *want;

	m = metrics_open(db, &err);
	assert_non_null(m);
	assert_true(metrics_begin_run(m, &ri, &err) > 0);
	write_rows(m, NBIG, NULL);
	assert_true(metrics_end_run(m, &err));
	assert_int_equal(stat(wal, &wst), 0);
	assert_int_equal(stat(db, &dst), 0);
	metrics_close(m);
	/* three transactions' rows in the database; in the WAL at most
	 * about one's (the first also holds the settings and the runs row) */
	assert_true(wst.st_size < dst.st_size / 2);
	assert_true(stat(wal, &wst) != 0);

	assert_query(db, "SELECT status FROM runs WHERE id = 1", "complete");
	/* each seq once: 0 .. NBIG - 1, and each row's own offset */
	v = query(db, "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || "
	    "min(seq) || ' ' || max(seq) || ' ' || sum(offset = seq * 4096) "
	    "FROM syscalls WHERE run = 1");
	want = g_strdup_printf("%d %d 0 %d %d", NBIG, NBIG, NBIG - 1, NBIG);
	assert_string_equal(v, want);
	g_free(v);
	g_free(want);
	assert_query(db, "PRAGMA integrity_check", "ok");

	unlink(shm);
	unlink(wal);
	unlink(db);
	rmdir(dir);
	g_free(shm);
	g_free(wal);
	g_free(db);
	g_free(dir);
}

/*
 * metrics_open looks at a database's stamp once (metrics.c): a database of
 * this schema's version is not given the schema again, only the columns
 * it lacks -- those stamped 3 before disk_io's last four columns came
 * (and a runs table without schema 2's columns stands in for any other
 * such gap) gain them, and a run records into it.  A new database is
 * made whole by the image (the test build's KASSERT in add_columns).
 */
static int64_t
columns_named(sqlite3 *h, const char *table, const char *col)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM pragma_table_info(%Q) "
	    "WHERE name = %Q", table, col);
	sqlite3_stmt *s;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return n;
}

static void
test_schema_once(void **state)
{
	struct run_info ri = { TEST_RUN, .cmdline = "vfssim replay t.trace" };
	char *dir = g_dir_make_tmp("vfssim-schema-XXXXXX", NULL);
	char *db = g_build_filename(dir, "s.db", NULL);
	GError *err = NULL;
	struct metrics *m;
	sqlite3 *h = NULL;

	assert_non_null(dir);
	m = metrics_open(db, &err);
	assert_non_null(m);
	metrics_close(m);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(columns_named(h, "disk_io", "roomwait_ns"), 1);
	assert_int_equal(columns_named(h, "runs", "cmdline"), 1);
	assert_int_equal(sqlite3_exec(h, "ALTER TABLE disk_io DROP COLUMN "
	    "roomwait_ns; ALTER TABLE runs DROP COLUMN cmdline; "
	    "ALTER TABLE runs DROP COLUMN trace_size", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(columns_named(h, "disk_io", "roomwait_ns"), 0);
	sqlite3_close(h);
	assert_query(db, "PRAGMA user_version", "3");

	m = metrics_open(db, &err);
	assert_non_null(m);
	assert_true(metrics_begin_run(m, &ri, &err) > 0);
	assert_true(metrics_end_run(m, &err));
	metrics_close(m);
	assert_query(db,
	    "SELECT status || ' ' || cmdline FROM runs WHERE id = 1",
	    "complete vfssim replay t.trace");
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(columns_named(h, "disk_io", "roomwait_ns"), 1);
	assert_int_equal(columns_named(h, "runs", "trace_size"), 1);
	sqlite3_close(h);

	unlink(db);
	rmdir(dir);
	g_free(db);
	g_free(dir);
}

/*
 * A new database is written from the build's image (dbimage.c), one that
 * exists (even empty) is given the schema by SQLite running it
 * (metrics_open): both must be the same database to anything that reads
 * it -- the same objects with the same SQL, the same stamp and layout --
 * and the image must be a sound one a run records into.  An existing
 * file is never written over by the image, and the image's file has the
 * mode SQLite gives a file it makes.
 */
static char *
schema_of(const char *db)
{
	return query(db, "SELECT group_concat(x, char(10)) FROM (SELECT "
	    "type || '|' || name || '|' || tbl_name || '|' || rootpage || "
	    "'|' || coalesce(sql, '') AS x FROM sqlite_schema ORDER BY rowid) "
	    "UNION ALL SELECT application_id FROM pragma_application_id "
	    "UNION ALL SELECT user_version FROM pragma_user_version "
	    "UNION ALL SELECT page_size FROM pragma_page_size "
	    "UNION ALL SELECT encoding FROM pragma_encoding "
	    "UNION ALL SELECT auto_vacuum FROM pragma_auto_vacuum");
}

static void
test_new_from_image(void **state)
{
	struct run_info ri = { TEST_RUN, .cmdline = "vfssim replay t.trace" };
	char *dir = g_dir_make_tmp("vfssim-image-XXXXXX", NULL);
	char *a = g_build_filename(dir, "a.db", NULL);
	char *b = g_build_filename(dir, "b.db", NULL);
	char *c = g_build_filename(dir, "c.txt", NULL);
	char *wal = g_strconcat(a, "-wal", NULL);
	char *sa, *sb, *v;
	GError *err = NULL;
	struct metrics *m;
	struct stat sta, stb;
	sqlite3 *h = NULL;
	gsize len;

	assert_non_null(dir);
	/* not over an existing file */
	assert_true(g_file_set_contents(c, "kept", -1, NULL));
	assert_false(db_create_from_image(c));
	assert_true(g_file_get_contents(c, &v, &len, NULL));
	assert_string_equal(v, "kept");
	g_free(v);

	/* a: new, from the image; b: an empty file as SQLite makes one
	 * (its mode), the schema run */
	assert_int_equal(sqlite3_open(b, &h), SQLITE_OK);
	sqlite3_close(h);
	assert_true(g_file_test(b, G_FILE_TEST_EXISTS));
	m = metrics_open(a, &err);
	assert_non_null(m);
	metrics_close(m);
	m = metrics_open(b, &err);
	assert_non_null(m);
	metrics_close(m);
	sa = schema_of(a);
	sb = schema_of(b);
	assert_non_null(sa);
	assert_true(strstr(sa, "table|disk_io|disk_io|") != NULL);
	assert_true(strstr(sa, "view|call_latency|") != NULL);
	assert_string_equal(sa, sb);
	g_free(sa);
	g_free(sb);
	assert_int_equal(stat(a, &sta), 0);
	assert_int_equal(stat(b, &stb), 0);
	assert_int_equal(sta.st_mode, stb.st_mode);

	/* sound, and a run records into it in WAL mode */
	assert_query(a, "PRAGMA integrity_check", "ok");
	m = metrics_open(a, &err);
	assert_non_null(m);
	assert_true(metrics_begin_run(m, &ri, &err) > 0);
	assert_true(g_file_test(wal, G_FILE_TEST_EXISTS));
	assert_true(metrics_end_run(m, &err));
	metrics_close(m);
	assert_query(a,
	    "SELECT status || ' ' || cmdline FROM runs WHERE id = 1",
	    "complete vfssim replay t.trace");

	unlink(a);
	unlink(b);
	unlink(c);
	rmdir(dir);
	g_free(a);
	g_free(b);
	g_free(c);
	g_free(wal);
	g_free(dir);
}

/*
 * A run into a file just made from the image (metrics_begin_run): its
 * runs row waits in the WAL for the run's first checkpoint rather than
 * having a checkpoint of its own, and its commit, the new WAL's first,
 * is not synced, so a run of no rows syncs twice through SQLite (the WAL
 * and the database at the end's checkpoint) where it synced six (the new
 * WAL's header at the row's commit, the checkpoint's two, and the WAL's
 * header again when the end's commit started it over).  The row is
 * there all the same, for a reader and
 * for a crash of the process: the files as a killed vfssim leaves them
 * (the database and its WAL, copied while the run is open; SQLite reads
 * the WAL back) hold the run, 'running'.  A runs row too long for the
 * image's pages (a long profile) is checkpointed before the run as
 * before (five syncs), so that a full disk can still take what the WAL
 * holds (test_full_disk).
 */
static char *
after_crash(const char *dir, const char *db)
{
	char *k = g_build_filename(dir, "killed.db", NULL);
	char *kwal = g_strconcat(k, "-wal", NULL);
	char *wal = g_strconcat(db, "-wal", NULL);
	char *bytes, *v = NULL;
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	gsize len;

	assert_true(g_file_get_contents(db, &bytes, &len, NULL));
	assert_true(g_file_set_contents(k, bytes, (gssize)len, NULL));
	g_free(bytes);
	assert_true(g_file_get_contents(wal, &bytes, &len, NULL));
	assert_true(len > 0);
	assert_true(g_file_set_contents(kwal, bytes, (gssize)len, NULL));
	g_free(bytes);
	assert_int_equal(sqlite3_open_v2(k, &h, SQLITE_OPEN_READWRITE,
	    realvfs->zName), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT group_concat(id || ' ' "
	    "|| status) FROM runs", -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = g_strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(h);
	unlink(k);
	unlink(kwal);
	g_free(k);
	g_free(kwal);
	g_free(wal);
	return v;
}

/* A run of no rows into a new file at db; the syncs it made. */
static int
fresh_run(const char *dir, const char *db, const char *profile)
{
	struct run_info ri = { .trace = "t.trace", .format = "native",
	    .profile = profile, .profile_sources = "defaults", .seed = 1 };
	GError *err = NULL;
	struct metrics *m;
	char *v;
	int n;

	nsyncs = 0;
	m = metrics_open(db, &err);
	assert_non_null(m);
	assert_true(metrics_begin_run(m, &ri, &err) == 1);
	n = nsyncs;
	v = after_crash(dir, db);
	assert_non_null(v);
	assert_string_equal(v, "1 running");
	g_free(v);
	nsyncs = n;
	assert_true(metrics_end_run(m, &err));
	metrics_close(m);
	n = nsyncs;
	assert_query(db, "SELECT status FROM runs WHERE id = 1", "complete");
	assert_query(db, "PRAGMA integrity_check", "ok");
	return n;
}

static void
test_fresh_run_syncs(void **state)
{
	char *dir = g_dir_make_tmp("vfssim-fresh-XXXXXX", NULL);
	char *a, *b, *longprof, *p;

	assert_non_null(dir);
	quota_dir = dir;
	quota = 0;
	quota_install();
	a = g_build_filename(dir, "a.db", NULL);
	b = g_build_filename(dir, "b.db", NULL);
	/* the row in the image's pages: no checkpoint before the run */
	assert_int_equal(fresh_run(dir, a, "[machine]\n"), 2);
	/* a row past them (overflow pages the image has not given the
	 * file): checkpointed first, as in any database */
	longprof = g_strnfill((gsize)(2 * db_image_len), 'x');
	assert_int_equal(fresh_run(dir, b, longprof), 5);
	g_free(longprof);

	sqlite3_vfs_unregister(&quotavfs);
	quota_dir = NULL;
	for (p = a; p != NULL; p = p == a ? b : NULL) {
		char *shm = g_strconcat(p, "-shm", NULL);
		char *wal = g_strconcat(p, "-wal", NULL);

		unlink(shm);
		unlink(wal);
		unlink(p);
		g_free(shm);
		g_free(wal);
	}
	rmdir(dir);
	g_free(a);
	g_free(b);
	g_free(dir);
}

/*
 * One writer for several runs (metrics_open_shared, what a compare or
 * sweep records through): the runs' ids are given in list order when the
 * writer is opened, whichever run begins first; their rows, handed in
 * interleaved, are each run's as given; a run is 'complete' once it has
 * ended, in the commit of its last rows, while another is still
 * 'running'; a database that had a run keeps it, and a run that is that
 * one again is said (merge's duplicates).  Closed without keeping them,
 * every run of the writer goes, rows and all, and a file it made goes.
 */
static char *
count_rows(const char *db, const char *table, int64_t run)
{
	char *sql = g_strdup_printf("SELECT count(*) FROM %s WHERE run = %lld",
	    table, (long long)run);
	char *v = query(db, sql);

	g_free(sql);
	return v;
}

static void
test_shared_writer(void **state)
{
	struct run_info ri = { TEST_RUN, .trace_digest = "d1" };
	const char *traces[] = { "t.trace", "t.trace" };
	const char *labels[] = { "a", "b" };
	char *dir = g_dir_make_tmp("vfssim-shared-XXXXXX", NULL);
	char *db = g_build_filename(dir, "sh.db", NULL);
	char *made = g_build_filename(dir, "made.db", NULL);
	char callbuf[32], pathbuf[512];
	struct metrics *w, *ra, *rb;
	struct syscall_row r;
	GPtrArray *dups = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	int64_t ids[2];
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	char *v;
	int i, k;

	assert_non_null(dir);
	/* a database with a run of its own: run 1, label "a" */
	ri.label = "a";
	w = metrics_open(db, &err);
	assert_non_null(w);
	assert_int_equal(metrics_begin_run(w, &ri, &err), 1);
	metrics_run_trace(w, "d1", 10);
	assert_true(metrics_end_run(w, &err));
	metrics_close(w);

	w = metrics_open_shared(db, traces, labels, 2, ids, &err);
	assert_non_null(w);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 3);
	ra = metrics_open_run(w, ids[0]);
	rb = metrics_open_run(w, ids[1]);
	/* b begins first: its id is still the second */
	ri.label = "b";
	assert_int_equal(metrics_begin_run(rb, &ri, &err), 3);
	ri.label = "a";
	assert_int_equal(metrics_begin_run(ra, &ri, &err), 2);
	/* a's rows are expect_row's, b's the same rows backwards,
	 * interleaved a few hundred at a time */
	for (i = 0; i < NROWS; i += 300)
		for (k = i; k < i + 300 && k < NROWS; k++) {
			expect_row(k, &r, callbuf, pathbuf);
			metrics_syscall(ra, &r);
			expect_row(NROWS - 1 - k, &r, callbuf, pathbuf);
			metrics_syscall(rb, &r);
		}
	metrics_run_trace(rb, "d2", 20);
	assert_true(metrics_end_run(rb, &err));
	assert_query(db, "SELECT group_concat(status, ' ') FROM (SELECT status "
	    "FROM runs ORDER BY id)", "complete running complete");
	v = count_rows(db, "syscalls", 3);
	assert_int_equal(atoi(v), NROWS);
	g_free(v);
	metrics_run_trace(ra, "d1", 10);
	assert_true(metrics_end_run(ra, &err));
	metrics_close(ra);
	metrics_close(rb);
	assert_true(metrics_close_shared(w, true, dups, &err));
	/* run 2 is run 1 again (trace, settings, seed, label); run 3 not */
	assert_int_equal(dups->len, 1);
	assert_non_null(strstr(g_ptr_array_index(dups, 0), "run 2 is run 1 of"));

	assert_query(db, "SELECT group_concat(id || label || status || "
	    "trace_digest, ' ') FROM (SELECT * FROM runs ORDER BY id)",
	    "1acompleted1 2acompleted1 3bcompleted2");
	assert_query(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
	    "'syscalls_run'", "1");
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	for (k = 2; k <= 3; k++) {
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT seq, pid, call, "
		    "path, offset, start_ns, wmesg FROM syscalls WHERE run = ? "
		    "ORDER BY seq", -1, &s, NULL), SQLITE_OK);
		sqlite3_bind_int(s, 1, k);
		for (i = 0; sqlite3_step(s) == SQLITE_ROW; i++) {
			const char *t;

			expect_row(k == 2 ? i : NROWS - 1 - i, &r, callbuf,
			    pathbuf);
			assert_int_equal(sqlite3_column_int64(s, 0), i);
			assert_int_equal(sqlite3_column_int64(s, 1), r.pid);
			assert_string_equal(sqlite3_column_text(s, 2), r.call);
			t = (const char *)sqlite3_column_text(s, 3);
			if (r.path == NULL)
				assert_null(t);
			else
				assert_string_equal(t, r.path);
			if (r.offset < 0)
				assert_int_equal(sqlite3_column_type(s, 4),
				    SQLITE_NULL);
			else
				assert_int_equal(sqlite3_column_int64(s, 4),
				    r.offset);
			assert_int_equal(sqlite3_column_int64(s, 5), r.start_ns);
			t = (const char *)sqlite3_column_text(s, 6);
			if (r.wmesg == NULL)
				assert_null(t);
			else
				assert_string_equal(t, r.wmesg);
		}
		assert_int_equal(i, NROWS);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);

	/* A run fails: closed without keeping, both runs go, the ones
	 * before stay. */
	w = metrics_open_shared(db, traces, labels, 2, ids, &err);
	assert_non_null(w);
	assert_int_equal(ids[0], 4);
	ra = metrics_open_run(w, ids[0]);
	rb = metrics_open_run(w, ids[1]);
	ri.label = "a2";
	assert_int_equal(metrics_begin_run(ra, &ri, &err), 4);
	ri.label = "b2";
	assert_int_equal(metrics_begin_run(rb, &ri, &err), 5);
	for (k = 0; k < NROWS; k++) {
		expect_row(k, &r, callbuf, pathbuf);
		metrics_syscall(ra, &r);
		metrics_syscall(rb, &r);
	}
	assert_true(metrics_end_run(ra, &err));
	metrics_fail_run(rb, "interrupted");
	assert_query(db, "SELECT status || ' ' || error FROM runs WHERE id = 5",
	    "failed interrupted");
	metrics_close(ra);
	metrics_close(rb);
	assert_false(metrics_close_shared(w, false, NULL, NULL));
	assert_query(db, "SELECT count(*) || ' ' || max(id) FROM runs", "3 3");
	for (k = 4; k <= 5; k++) {
		v = count_rows(db, "syscalls", k);
		assert_string_equal(v, "0");
		g_free(v);
		v = count_rows(db, "run_settings", k);
		assert_string_equal(v, "0");
		g_free(v);
	}
	v = count_rows(db, "syscalls", 3);
	assert_int_equal(atoi(v), NROWS);
	g_free(v);

	/* a file the writer made is taken away with its runs */
	w = metrics_open_shared(made, traces, labels, 2, ids, &err);
	assert_non_null(w);
	assert_int_equal(ids[0], 1);
	assert_true(g_file_test(made, G_FILE_TEST_EXISTS));
	assert_false(metrics_close_shared(w, false, NULL, NULL));
	assert_false(g_file_test(made, G_FILE_TEST_EXISTS));

	g_ptr_array_free(dups, TRUE);
	unlink(db);
	rmdir(dir);
	g_free(db);
	g_free(made);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_as_given),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_rows_past_a_commit),
		cmocka_unit_test(test_schema_once),
		cmocka_unit_test(test_new_from_image),
		cmocka_unit_test(test_fresh_run_syncs),
		cmocka_unit_test(test_shared_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
