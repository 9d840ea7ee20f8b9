/*
 * metrics.c — the SQLite recorder (schema in metrics.h).
 *
 * Rows go in through prepared statements inside a transaction that is
 * committed every BATCH rows, written by a thread of the run's own
 * (metrics_writer.c; "How rows get to SQLite" in metrics_private.h) or,
 * for a compare's or sweep's runs, by one shared by them all ("A writer
 * shared by several runs", at the end).  A run is marked complete only by metrics_end_run, after its last
 * row.
 *
 * A full disk: the database is in WAL mode, and what a commit puts in the
 * WAL must be copied into the database (a checkpoint) before the WAL's
 * space can be used again or given back.  So each commit of rows is
 * checkpointed at once (metrics_txn_commit), and a batch is committed only while the
 * disk has room to take it into the database and still clean up; short of
 * that the run stops, failed: its uncommitted rows are rolled back, the
 * WAL truncated, its committed rows deleted and its status written in the
 * room that leaves (metrics_fail_run).
 */
#include "metrics_private.h"
#include "dbimage.h"
#include "dbopen.h"
#include "dbschema.h"
#include "kassert.h"
#include "merge.h"
#include "profile.h"
#include "version.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sqlite3.h>

G_DEFINE_QUARK(vfssim-metrics-error-quark, metrics_error)

/* Room a failed run needs on the disk to be cleaned up: its rows' deletion
 * and its status, in the WAL, and the checkpoint after. */
#define CLEANUP_ROOM	(INT64_C(1) << 20)

/*
 * Columns added since a table was first created: a database written by an
 * older vfssim gains them (NULL in its old rows) when opened, so that runs
 * old and new can share it.  (A new column goes here and into the schema
 * of dbschema.c; a new table, index or view needs DB_SCHEMA_VERSION raised, as a
 * database stamped with this version is not given the schema again.)
 */
static const struct { const char *table, *column, *decl; } added_columns[] = {
	{ "disk_io", "cylinder", "INTEGER" },
	{ "samples", "at_risk_bytes", "INTEGER" },
	{ "samples", "at_risk_age_ns", "INTEGER" },
	{ "syscalls", "suspend_ns", "INTEGER" },
	{ "syscalls", "cow_ns", "INTEGER" },
	/* schema 2: what a run is, to tell it from any other */
	{ "runs", "commit_id", "TEXT" },
	{ "runs", "trace_digest", "TEXT" },
	{ "runs", "trace_size", "INTEGER" },
	{ "runs", "cmdline", "TEXT" },
	{ "disk_io", "ino", "INTEGER" },
	{ "disk_io", "lblkno", "INTEGER" },
	{ "disk_io", "what", "TEXT" },
	{ "disk_io", "path", "TEXT" },
	{ "disk_io", "issuer", "TEXT" },
	{ "disk_io", "pid", "INTEGER" },
	{ "disk_io", "cause", "TEXT" },
	{ "disk_io", "drain_ns", "INTEGER" },
	{ "disk_io", "cachefull_ns", "INTEGER" },
	{ "disk_io", "readahead_ns", "INTEGER" },
	/* schema 3: the rest of overhead_ns, timed */
	{ "disk_io", "ctlr_ns", "INTEGER" },
	{ "disk_io", "bus_ns", "INTEGER" },
	{ "disk_io", "mediawait_ns", "INTEGER" },
	{ "disk_io", "roomwait_ns", "INTEGER" },
};

const char *const metrics_run_tables[] = {
	"syscalls", "disk_io", "samples", "waits", "summary", "latency_hist",
	"time_split", "mrc", "initial_fs", "crash", "run_settings", NULL
};


/*
 * The bulk tables' INSERTs are OR FAIL: a row that breaks a constraint
 * fails the statement (and so the run: note_error, metrics_fail_run
 * deletes its rows) without undoing the statement's earlier rows, which
 * the default, ABORT, would -- and to be able to, SQLite kept a statement
 * journal for every INSERT of several rows, a copy of each page before
 * the statement changed it (subjournalPageIfRequired and the savepoint
 * around each statement: 3 % of the writer's instructions).  Nothing
 * else differs: a failed run's rows all go.
 */
static const char *const stmt_sql[NST] = {
	[ST_SYSCALL] = "INSERT OR FAIL INTO syscalls (run, seq, pid, call, "
	    "class, path, fd, offset, bytes, start_ns, end_ns, result, error, "
	    "wait_ns, wmesg, suspend_ns, cow_ns) VALUES ",
	[ST_DISK] = "INSERT OR FAIL INTO disk_io (run, seq, submit_ns, start_ns, "
	    "end_ns, sector, sectors, is_write, queue_ns, seek_ns, rot_ns, "
	    "xfer_ns, bufs, overhead_ns, cache_hit, cylinder, ino, lblkno, what, "
	    "path, issuer, pid, cause, drain_ns, cachefull_ns, readahead_ns, "
	    "ctlr_ns, bus_ns, mediawait_ns, roomwait_ns) VALUES ",
	[ST_SAMPLE] = "INSERT INTO samples (run, seq, t_ns, numdirtybuffers, "
	    "clean_bufs, empty_bufs, busy_bufs, numfreebuffers, bufspace, "
	    "runningbufspace, cached_pages, free_pages, wired_pages, disk_qlen, "
	    "procs, calls_done, at_risk_bytes, at_risk_age_ns) VALUES ",
	[ST_SUMMARY] = "INSERT OR REPLACE INTO summary VALUES ",
	[ST_HIST] = "INSERT INTO latency_hist VALUES ",
	[ST_WAIT] = "INSERT INTO waits VALUES ",
	[ST_SPLIT] = "INSERT INTO time_split VALUES ",
	[ST_MRC] = "INSERT INTO mrc VALUES ",
	/* (in parentheses: clang takes a two-piece literal in an array for
	 * a missing comma) */
	[ST_INITIAL] = ("INSERT OR FAIL INTO initial_fs (run, seq, path, type, "
	    "size, evidence, line, note) VALUES "),
	[ST_CRASH] = "INSERT OR REPLACE INTO crash VALUES ",
	[ST_SETTING] = "INSERT INTO run_settings (run, key, value) VALUES ",
};
/* Each statement's values, a row. */
const int metrics_stmt_cols[NST] = {
	[ST_SYSCALL] = 17, [ST_DISK] = 30, [ST_SAMPLE] = 18, [ST_SUMMARY] = 3,
	[ST_HIST] = 5, [ST_WAIT] = 4, [ST_SPLIT] = 4, [ST_MRC] = 3,
	[ST_INITIAL] = 8, [ST_CRASH] = 4, [ST_SETTING] = 3,
};
/* Each statement's table, for messages. */
const char *const metrics_table_of[NST] = {
	[ST_SYSCALL] = "syscalls", [ST_DISK] = "disk_io",
	[ST_SAMPLE] = "samples", [ST_SUMMARY] = "summary",
	[ST_HIST] = "latency_hist", [ST_WAIT] = "waits",
	[ST_SPLIT] = "time_split", [ST_MRC] = "mrc", [ST_INITIAL] = "initial_fs",
	[ST_CRASH] = "crash", [ST_SETTING] = "run_settings",
};


/*
 * The first failure is kept; the others are dropped.  While a run is
 * recorded the writer thread sets it and the run's side reads it
 * (metrics_error, from the sampler): the pointer is stored atomically,
 * after the message it points to is complete.
 */
static void
set_error(struct metrics *m, char *msg)
{
	if (!g_atomic_pointer_compare_and_exchange(&m->error, NULL, msg))
		g_free(msg);
}

void
metrics_note_error(struct metrics *m, const char *what)
{
	if (m->error == NULL)
		set_error(m, g_strdup_printf("%s: %s: %s", m->path, what,
		    sqlite3_errmsg(m->db)));
}

static bool
exec(struct metrics *m, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (m->error == NULL)
			set_error(m, g_strdup_printf("%s: %s", m->path,
			    msg != NULL ? msg : "error"));
		sqlite3_free(msg);
		return false;
	}
	return true;
}

/*
 * An older database gains the columns added since it was made.  What
 * columns its tables have is read in one statement (it had been one
 * pragma_table_info query a column, two dozen statements compiled for
 * every run: some 2.5 M instructions, a third of a short run's set-up).
 * Asked even of a database stamped with this schema's version: the
 * databases stamped 3 before disk_io's last four columns came lack them.
 */
static bool
add_columns(struct metrics *m, bool fresh)
{
	GHashTable *have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	sqlite3_stmt *s;
	unsigned i;
	bool ok = true;

	if (sqlite3_prepare_v2(m->db, "SELECT t.name || '.' || c.name FROM "
	    "sqlite_schema AS t, pragma_table_info(t.name) AS c WHERE "
	    "t.type = 'table' AND t.name IN ('runs', 'syscalls', 'disk_io', "
	    "'samples')", -1, &s, NULL) != SQLITE_OK) {
		metrics_note_error(m, "the schema");
		g_hash_table_destroy(have);
		return false;
	}
	while (sqlite3_step(s) == SQLITE_ROW)
		if (sqlite3_column_type(s, 0) == SQLITE_TEXT)
			g_hash_table_add(have, g_strdup((const char *)
			    sqlite3_column_text(s, 0)));
	sqlite3_finalize(s);
	for (i = 0; ok && i < G_N_ELEMENTS(added_columns); i++) {
		char *sql, *key = g_strdup_printf("%s.%s",
		    added_columns[i].table, added_columns[i].column);
		bool there = g_hash_table_contains(have, key);

		g_free(key);
		if (there)
			continue;
		/* a new database is made whole by the schema (metrics_open
		 * asks this of it in the test build) */
		KASSERT(!fresh, ("the schema lacks %s.%s",
		    added_columns[i].table, added_columns[i].column));
		sql = g_strdup_printf("ALTER TABLE %s ADD COLUMN %s %s",
		    added_columns[i].table, added_columns[i].column,
		    added_columns[i].decl);
		ok = exec(m, sql);
		g_free(sql);
	}
	g_hash_table_destroy(have);
	return ok;
}

/* What the file holds: its stamp (application_id, user_version) and how
 * many objects its schema has, in one statement. */
static bool
db_state(struct metrics *m, int64_t *appid, int64_t *version,
    int64_t *objects)
{
	sqlite3_stmt *s;
	bool ok;

	if (sqlite3_prepare_v2(m->db, "SELECT (SELECT application_id FROM "
	    "pragma_application_id), (SELECT user_version FROM "
	    "pragma_user_version), (SELECT count(*) FROM sqlite_schema)", -1,
	    &s, NULL) != SQLITE_OK) {
		metrics_note_error(m, "the schema");
		return false;
	}
	ok = sqlite3_step(s) == SQLITE_ROW;
	if (ok) {
		*appid = sqlite3_column_int64(s, 0);
		*version = sqlite3_column_int64(s, 1);
		*objects = sqlite3_column_int64(s, 2);
	} else
		metrics_note_error(m, "the schema");
	sqlite3_finalize(s);
	return ok;
}

void
metrics_init(void)
{
	/* SQLite's count of the memory it uses takes a mutex every malloc
	 * that every connection of the process shares: runs side by side in
	 * threads would queue on it.  Before any other SQLite call. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* "INSERT ... VALUES (?,...)" with n rows of st's values. */
static sqlite3_stmt *
prepare_rows(sqlite3 *db, int st, int n)
{
	GString *sql = g_string_new(stmt_sql[st]);
	sqlite3_stmt *s = NULL;
	int r, c;

	for (r = 0; r < n; r++) {
		g_string_append(sql, r == 0 ? "(" : ",(");
		for (c = 0; c < metrics_stmt_cols[st]; c++)
			g_string_append(sql, c == 0 ? "?" : ",?");
		g_string_append_c(sql, ')');
	}
	if (sqlite3_prepare_v2(db, sql->str, -1, &s, NULL) != SQLITE_OK)
		s = NULL;
	g_string_free(sql, TRUE);
	return s;
}

/* The header says whose the database is and of which schema: what
 * db_check_writable and db_open_readonly look at (dbopen.h).  Written once
 * the tables are this version's. */
static bool
stamp(struct metrics *m)
{
	char *sql = g_strdup_printf("PRAGMA application_id = %d; "
	    "PRAGMA user_version = %d;", DB_APPLICATION_ID, DB_SCHEMA_VERSION);
	bool ok = exec(m, sql);

	g_free(sql);
	return ok;
}

struct metrics *
metrics_open(const char *path, GError **err)
{
	struct metrics *m = g_new0(struct metrics, 1);
	int64_t appid = 0, version = 0, objects = 0;
	bool current, made, ok;

	g_mutex_init(&m->conn);
	g_cond_init(&m->drained);
	m->path = g_strdup(path);
	/* Another program's database is left alone: found before anything
	 * is written to it. */
	if (!db_check_writable(path, err)) {
		metrics_close(m);
		return NULL;
	}
	/* A new file is written whole from the build's image (dbimage.h):
	 * the schema, the views and the stamp, in WAL mode. */
	made = db_create_from_image(path);
	m->fresh = made;
	if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		g_set_error(err, METRICS_ERROR, 0, "%s: cannot open database: %s",
		    path, m->db != NULL ? sqlite3_errmsg(m->db) : "out of memory");
		metrics_close(m);
		return NULL;
	}
	sqlite3_busy_timeout(m->db, 60000);
	/* The schema, its upgrade, the views and the stamp in one
	 * transaction: one commit and one checkpoint rather than one of each
	 * (two fsyncs) a statement -- most of a short run's time on a disk.
	 * IMMEDIATE: another run opening the database at the same time waits
	 * (busy_timeout) rather than failing on a stale snapshot.  One look
	 * at the stamp decides what is to do: a new file gets the schema
	 * whole (no column to add), a database of this schema only the
	 * columns it may lack (see add_columns), an older one all of it:
	 * CREATE ... IF NOT EXISTS, the columns, the views, the stamp.
	 * (Compiling the schema's statements again for a database that has
	 * them all had been most of metrics_open.) */
	ok = exec(m, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
	    "PRAGMA wal_autocheckpoint=0;");
	if (made) {
		/* Made from the image: nothing to add (the test build asks
		 * that of the image itself). */
#ifdef INVARIANTS
		ok = ok && add_columns(m, true);
#endif
	} else {
		ok = ok && exec(m, "BEGIN IMMEDIATE") &&
		    db_state(m, &appid, &version, &objects);
		current = appid == DB_APPLICATION_ID &&
		    version == DB_SCHEMA_VERSION;
		ok = ok && (current || exec(m, db_schema_sql)) &&
#ifdef INVARIANTS
		    add_columns(m, objects == 0) &&
#else
		    (objects == 0 || add_columns(m, false)) &&
#endif
		    (current || (exec(m, db_views_sql) && stamp(m))) &&
		    exec(m, "COMMIT");
	}
	if (!ok) {
		if (!sqlite3_get_autocommit(m->db))
			(void)sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
		g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
		metrics_close(m);
		return NULL;
	}
	/* The insert statements are prepared when first used (metrics_stmt_one,
	 * metrics_stmt_multi): a run under --no-events writes no per-call row, and
	 * the 32-row statements alone took 2.9 M instructions to compile. */
	return m;
}

/* st's one-row statement, prepared the first time it is needed; NULL
 * (and the error noted) if it cannot be. */
sqlite3_stmt *
metrics_stmt_one(struct metrics *m, int st)
{
	if (m->st[st] == NULL &&
	    (m->st[st] = prepare_rows(m->db, st, 1)) == NULL)
		metrics_note_error(m, metrics_table_of[st]);
	return m->st[st];
}

/* st's MULTI-row statement (syscalls, disk_io, initial_fs) and its
 * slots' bindings, made the first time a batch has MULTI rows of it. */
sqlite3_stmt *
metrics_stmt_multi(struct metrics *m, int st)
{
	if (m->multi[st] == NULL) {
		if ((m->multi[st] = prepare_rows(m->db, st, MULTI)) == NULL) {
			metrics_note_error(m, metrics_table_of[st]);
			return NULL;
		}
		m->bound[st] = g_new0(struct bound, MULTI * metrics_stmt_cols[st]);
	}
	return m->multi[st];
}

/*
 * A run of a shared writer: wait until the writer has written every
 * batch the run handed it, and return holding the writer's connection
 * (g_mutex_unlock(&m->shared->conn) gives it back).  What the run does
 * with it then (its runs row, its status) comes after all its rows.
 */
static void
drain(struct metrics *m)
{
	struct metrics *w = m->shared;

	metrics_hand_off(m);
	g_mutex_lock(&w->conn);
	while (m->written < m->handed)
		g_cond_wait(&w->drained, &w->conn);
}

void
metrics_close(struct metrics *m)
{
	int i;

	if (m == NULL)
		return;
	metrics_writer_stop(m);
	if (m->in_txn)
		exec(m, "ROLLBACK");
	/* A run of a shared writer: its batches all back from the writer,
	 * and its statements finalized while the writer is not using the
	 * connection they belong to. */
	if (m->shared != NULL) {
		g_atomic_int_set(&m->discard, 1);	/* ended, or failed */
		drain(m);
	}
	for (i = 0; i < NST; i++) {
		sqlite3_finalize(m->st[i]);
		sqlite3_finalize(m->multi[i]);
		if (m->bound[i] != NULL) {
			int k;

			for (k = 0; k < MULTI * metrics_stmt_cols[i]; k++)
				g_free(m->bound[i][k].buf);
			g_free(m->bound[i]);
		}
	}
	if (m->shared != NULL)
		g_mutex_unlock(&m->shared->conn);
	else if (m->db != NULL)
		db_close_writer(m->db);	/* the WAL folded in: one file */
	if (m->cur != NULL) {
		g_free(m->cur->str);
		g_free(m->cur);
	}
	if (m->todo != NULL) {
		struct qbatch *b;

		while ((b = g_async_queue_try_pop(m->spare)) != NULL) {
			g_free(b->str);
			g_free(b);
		}
		g_async_queue_unref(m->todo);
		g_async_queue_unref(m->spare);
	}
	g_free(m->error);
	g_free(m->path);
	g_free(m->trace_digest);
	g_mutex_clear(&m->conn);
	g_cond_clear(&m->drained);
	g_free(m);
}

const char *
metrics_error(const struct metrics *m)
{
	const char *e = __atomic_load_n(&m->error, __ATOMIC_ACQUIRE);

	/* a run of a shared writer fails with whatever fails the writer */
	if (e == NULL && m->shared != NULL)
		e = __atomic_load_n(&m->shared->error, __ATOMIC_ACQUIRE);
	return e;
}

void
metrics_txn_begin(struct metrics *m)
{
	if (!m->in_txn && exec(m, "BEGIN"))
		m->in_txn = true;
}

/*
 * Is there room on the disk to commit the open transaction and then still
 * clean up a failed run?  The commit writes the pages still in SQLite's
 * cache to the WAL, and the checkpoint copies all the WAL holds into the
 * database: at most the WAL's size and twice the cache's.  Not asked of a
 * database that is not a file.
 */
static bool
room_to_commit(struct metrics *m)
{
	struct statvfs fs;
	struct stat wal;
	char *dir, *walpath;
	int64_t need, avail;
	bool ok = true;

	if (!g_file_test(m->path, G_FILE_TEST_IS_REGULAR))
		return true;
	dir = g_path_get_dirname(m->path);
	walpath = g_strdup_printf("%s-wal", m->path);
	if (statvfs(dir, &fs) == 0) {
		int cache = 0, hi = 0;

		(void)sqlite3_db_status(m->db, SQLITE_DBSTATUS_CACHE_USED, &cache,
		    &hi, 0);
		need = CLEANUP_ROOM + 2 * (int64_t)cache + (stat(walpath, &wal) == 0 ?
		    (int64_t)wal.st_size : 0);
		avail = (int64_t)fs.f_bavail * (int64_t)fs.f_frsize;
		if (avail < need && m->error == NULL) {
			set_error(m, g_strdup_printf("%s: the disk is nearly "
			    "full (%.1f MB free, %.1f MB needed to go on): the "
			    "run stops while there is room to mark it failed",
			    m->path, (double)avail / 1048576,
			    (double)need / 1048576));
			ok = false;
		}
	}
	g_free(dir);
	g_free(walpath);
	return ok;
}

/*
 * What the WAL holds copied into the database (a PASSIVE checkpoint: not
 * waiting for another connection's readers), after each commit of rows.
 * Only these commits are checkpointed, and once before the run's rows
 * (metrics_begin_run; wal_autocheckpoint 0): the schema's commit waits
 * in the WAL for the runs row's, where a checkpoint after each had cost a
 * short run three of its fourteen fdatasyncs.  With synchronous=NORMAL a
 * commit is not synced but is atomic (the WAL's frames carry their
 * commit): a crash loses at most the last commits whole, never half of
 * one, so a run is complete in the database or not at all; the
 * checkpoint syncs the WAL and then the database.  The writer waits for
 * it (20-50 ms of the disk's time on the bench's scan) before its next
 * transaction, and that is what bounds the WAL: SQLite starts the WAL
 * over only in a write transaction that begins with all of it copied
 * into the database (walRestartLog).  A checkpointer thread beside the
 * writer, tried, let the writer begin before each checkpoint had ended:
 * the WAL was never started over and grew to the whole run's size (139
 * MB on the bench's hits trace; test_metrics' test_rows_past_a_commit).
 */
static void
checkpoint(struct metrics *m)
{
	(void)sqlite3_wal_checkpoint_v2(m->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
}

void
metrics_txn_commit(struct metrics *m)
{
	if (m->in_txn && (m->error != NULL || !room_to_commit(m))) {
		/* not committed: metrics_fail_run rolls it back */
		m->pending = 0;
		return;
	}
	if (m->in_txn) {
		exec(m, "COMMIT");
		m->in_txn = false;
		checkpoint(m);
	}
	m->pending = 0;
}

static char *
utc_now(void)
{
	GDateTime *now = g_date_time_new_now_utc();
	char *s = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(now);
	return s;
}

/*
 * Give the WAL's disk space back: everything committed is copied into the
 * database and the WAL truncated to nothing (a checkpoint, TRUNCATE).  It
 * fails, harmlessly, if the database cannot grow to take what was
 * committed (metrics_txn_commit keeps room for that).
 */
static bool
reclaim(struct metrics *m)
{
	return sqlite3_wal_checkpoint_v2(m->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL) == SQLITE_OK;
}


/* Bytes a copy of s takes (NULL: none). */
static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/*
 * A row of table st to fill in, numbered, in a batch with room for its
 * strings (strbytes, copied in with str): a batch that has none left is
 * handed off first, and an empty one grows for a row longer than it.
 */
static struct qrow *
row_new(struct metrics *m, int st, size_t strbytes)
{
	struct qrow *q;

	if (m->cur != NULL && (m->cur->n == QB_ROWS ||
	    m->cur->slen + strbytes > m->cur->scap))
		metrics_hand_off(m);
	if (m->cur == NULL) {
		if (m->nbatches < QB_INFLIGHT) {
			m->cur = g_new0(struct qbatch, 1);
			m->cur->owner = m;
			m->cur->scap = QB_STR;
			m->cur->str = g_malloc(m->cur->scap);
			m->nbatches++;
		} else
			m->cur = g_async_queue_pop(m->spare);
	}
	if (strbytes > m->cur->scap) {
		m->cur->scap = strbytes;
		m->cur->str = g_realloc(m->cur->str, m->cur->scap);
	}
	q = &m->cur->rows[m->cur->n++];
	q->st = (uint8_t)st;
	q->seq = m->seq[st]++;
	return q;
}

/* A copy of s in the current batch (row_new made room); NULL stays NULL. */
static const char *
str(struct metrics *m, const char *s)
{
	struct qbatch *b = m->cur;
	size_t n = slen(s);
	char *p;

	if (s == NULL)
		return NULL;
	p = b->str + b->slen;
	memcpy(p, s, n);
	b->slen += n;
	return p;
}

/* A text, or NULL for none, bound as it stands (it outlives the step). */
static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *t)
{
	if (t != NULL)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* ---- the run's side ----------------------------------------------------- */
/* The image's byte at off (its runs hold every byte but zeros). */
static unsigned
image_byte(size_t off)
{
	size_t i;

	for (i = 0; i < db_image_nruns; i++)
		if (off >= db_image_runs[i].off &&
		    off < db_image_runs[i].off + db_image_runs[i].len)
			return db_image_runs[i].bytes[off - db_image_runs[i].off];
	return 0;
}

/*
 * Does the database, as this connection sees it (its WAL included), fit
 * in the pages the image wrote?  Then a checkpoint only overwrites what
 * the file already has (the image is written whole, zeros and all: no
 * hole) and needs no more room.  (A file system that copies on write
 * needs room to overwrite too; CLEANUP_ROOM is kept for that, as for
 * every checkpoint.)
 */
static bool
within_image(struct metrics *m)
{
	/* the page size of the image's header (bytes 16-17, big-endian; 1
	 * is 65536), which a file made from it has: asked with one pragma,
	 * not two (the pragmas' table-valued forms took 130,000
	 * instructions to compile) */
	unsigned ps = image_byte(16) << 8 | image_byte(17);
	size_t pagesize = ps == 1 ? 65536 : ps;
	sqlite3_stmt *s;
	int64_t pages = -1;

	if (pagesize == 0 || sqlite3_prepare_v2(m->db, "PRAGMA page_count", -1,
	    &s, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(s) == SQLITE_ROW)
		pages = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return pages >= 0 && (size_t)pages <= db_image_len / pagesize;
}


/*
 * The run's runs row: inserted, or for a run of a shared writer, whose
 * row was made when the writer was opened (its id in list order), filled
 * in; its settings; and its writer started.  A shared writer's run has
 * the writer's connection (drain) meanwhile.
 */
static int64_t
begin_run(struct metrics *m, const struct run_info *ri, GError **err)
{
	sqlite3_stmt *s;
	char *now = utc_now();
	bool nosync = m->shared == NULL && m->fresh;
	int rc;

	/* A new file's first commit, this row, creates its WAL, and SQLite
	 * syncs a new WAL's header (and then the directory) before the
	 * frames: against a WAL started over, whose old frames a header
	 * lost in a power cut would make valid again (sqlite3WalFrames).  A
	 * new WAL has no old frames; a header lost leaves frames SQLite
	 * ignores, and the file as the image made it, which is what a power
	 * cut before the run's first checkpoint leaves of a new file anyway
	 * (the row is not synced, synchronous=NORMAL).  So the commit is not
	 * synced: the WAL's first sync is the checkpoint's, which syncs its
	 * header, frames and the directory together before copying them.
	 * One fdatasync fewer, and the file system's record of the new WAL
	 * no longer made durable before the replay (18 ms of d1's start). */
	if (nosync)
		(void)sqlite3_exec(m->db, "PRAGMA synchronous=OFF", NULL, NULL,
		    NULL);
	rc = sqlite3_prepare_v2(m->db, m->shared == NULL ?
	    "INSERT INTO runs (trace, format, profile, profile_sources, seed, "
	    "version, label, started, status, commit_id, trace_digest, "
	    "trace_size, cmdline) VALUES (?,?,?,?,?,?,?,?,'running',?,?,?,?)" :
	    "UPDATE runs SET trace = ?1, format = ?2, profile = ?3, "
	    "profile_sources = ?4, seed = ?5, version = ?6, label = ?7, "
	    "started = ?8, status = 'running', commit_id = ?9, "
	    "trace_digest = ?10, trace_size = ?11, cmdline = ?12 WHERE id = ?13",
	    -1, &s, NULL);
	if (rc == SQLITE_OK) {
		if (m->shared != NULL)
			sqlite3_bind_int64(s, 13, m->run);
		sqlite3_bind_text(s, 1, ri->trace, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, ri->format, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, ri->profile, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, ri->profile_sources, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, ri->seed);
		sqlite3_bind_text(s, 6, VFSSIM_VERSION, -1, SQLITE_STATIC);
		if (ri->label != NULL)
			sqlite3_bind_text(s, 7, ri->label, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 8, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 9, vfssim_commit(), -1, SQLITE_STATIC);
		bind_text_or_null(s, 10, ri->trace_digest);
		if (ri->trace_digest != NULL)
			sqlite3_bind_int64(s, 11, ri->trace_size);
		bind_text_or_null(s, 12, ri->cmdline);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	g_free(now);
	if (rc != SQLITE_DONE) {
		g_set_error(err, METRICS_ERROR, 0, "%s: cannot record the run: %s",
		    m->path, sqlite3_errmsg(m->db));
		return -1;
	}
	/* Every later commit and checkpoint synced as before: without it the
	 * run does not go on. */
	if (nosync && !exec(m, "PRAGMA synchronous=NORMAL")) {
		g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
		return -1;
	}
	if (m->shared == NULL) {
		m->run = sqlite3_last_insert_rowid(m->db);
		/* The schema, this row and whatever earlier runs left in the
		 * WAL go into the database now, before the run's rows can fill
		 * the disk: on a full disk, a WAL holding committed frames the
		 * database has no room to take could not be truncated
		 * (metrics_fail_run).  (A shared writer did so when opened,
		 * and is in a transaction already.)  Not a file just made
		 * from the image whose pages hold the row: the WAL then holds
		 * this row alone, which a checkpoint copies into pages the
		 * image has already given the file, so it needs no room the
		 * disk may lack -- and this checkpoint was three of the eight
		 * fdatasyncs of a short run (the WAL and the database synced,
		 * and the WAL's header again when the next commit started it
		 * over).  The row is as atomic in the WAL: a crash of the
		 * process keeps it (the WAL is read back); a power cut may
		 * lose it, and the run with it, where the file holds no other
		 * run to lose. */
		if (!m->fresh || !within_image(m))
			checkpoint(m);
		metrics_txn_begin(m);
	}
	/* Every effective setting, a row each: what a query joins on; in the
	 * run's first transaction (each row its own would be a commit and a
	 * checkpoint apiece), before the writer takes the connection. */
	if (ri->prof != NULL) {
		const struct pkey *k;

		for (k = profile_keys; k->group != NULL; k++) {
			sqlite3_stmt *st = metrics_stmt_one(m, ST_SETTING);
			char *key, *v;

			if (st == NULL) {
				g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
				return -1;
			}
			/* the texts bound where they are, until the step */
			key = g_strconcat(k->group, ".", k->key, NULL);
			v = profile_value(ri->prof, k);

			sqlite3_bind_int64(st, 1, m->run);
			sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, v, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			g_free(key);
			g_free(v);
			if (rc != SQLITE_DONE) {
				g_set_error(err, METRICS_ERROR, 0, "%s: cannot "
				    "record the run's settings: %s", m->path,
				    sqlite3_errmsg(m->db));
				return -1;
			}
		}
	}
	/* From here until the run ends, the writer has the connection. */
	if (m->shared == NULL)
		metrics_writer_start(m, true);
	return m->run;
}

int64_t
metrics_begin_run(struct metrics *m, const struct run_info *ri, GError **err)
{
	int64_t run;

	if (m->shared == NULL)
		return begin_run(m, ri, err);
	g_mutex_lock(&m->shared->conn);
	run = begin_run(m, ri, err);
	g_mutex_unlock(&m->shared->conn);
	return run;
}

void
metrics_syscall(struct metrics *m, const struct syscall_row *r)
{
	struct qrow *q = row_new(m, ST_SYSCALL, slen(r->call) + slen(r->path) +
	    slen(r->wmesg));

	q->u.sc = *r;
	q->u.sc.call = str(m, r->call);
	q->u.sc.path = str(m, r->path);
	q->u.sc.wmesg = str(m, r->wmesg);
}

void
metrics_disk_io(struct metrics *m, const struct disk_io_row *r)
{
	struct qrow *q = row_new(m, ST_DISK, slen(r->what) + slen(r->path) +
	    slen(r->issuer) + slen(r->cause));

	q->u.io = *r;
	q->u.io.what = str(m, r->what);
	q->u.io.path = str(m, r->path);
	q->u.io.issuer = str(m, r->issuer);
	q->u.io.cause = str(m, r->cause);
}

void
metrics_sample(struct metrics *m, const struct sample_row *r)
{
	row_new(m, ST_SAMPLE, 0)->u.sa = *r;
}

void
metrics_wait(struct metrics *m, int64_t t_ns, const char *wmesg, int procs)
{
	struct qrow *q = row_new(m, ST_WAIT, slen(wmesg));

	q->u.wait.t_ns = t_ns;
	q->u.wait.wmesg = str(m, wmesg);
	q->u.wait.procs = procs;
}

void
metrics_summary(struct metrics *m, const char *metric, double value)
{
	struct qrow *q = row_new(m, ST_SUMMARY, slen(metric));

	q->u.sum.metric = str(m, metric);
	q->u.sum.value = value;
}

void
metrics_hist(struct metrics *m, const char *call, const struct hist *h)
{
	int i;

	for (i = 0; i < HIST_NBUCKETS; i++) {
		struct qrow *q;

		if (h->counts[i] == 0)
			continue;
		q = row_new(m, ST_HIST, slen(call));
		q->u.hist.call = str(m, call);
		hist_bucket(i, &q->u.hist.lo, &q->u.hist.hi);
		q->u.hist.count = (int64_t)h->counts[i];
	}
}

void
metrics_time_split(struct metrics *m, const char *call, const char *part,
    int64_t ns)
{
	struct qrow *q = row_new(m, ST_SPLIT, slen(call) + slen(part));

	q->u.split.call = str(m, call);
	q->u.split.part = str(m, part);
	q->u.split.ns = ns;
}

void
metrics_mrc(struct metrics *m, int64_t buffers, double miss_ratio)
{
	struct qrow *q = row_new(m, ST_MRC, 0);

	q->u.mrc.buffers = buffers;
	q->u.mrc.ratio = miss_ratio;
}

void
metrics_crash(struct metrics *m, int64_t t_ns, const char *metric,
    double value)
{
	struct qrow *q = row_new(m, ST_CRASH, slen(metric));

	q->u.crash.t_ns = t_ns;
	q->u.crash.metric = str(m, metric);
	q->u.crash.value = value;
}

void
metrics_initial_fs(struct metrics *m, const char *path, char type,
    int64_t size, const char *evidence, uint64_t line, const char *note)
{
	struct qrow *q = row_new(m, ST_INITIAL, slen(path) + slen(evidence) +
	    slen(note));

	q->u.init.path = str(m, path);
	q->u.init.type = type;
	q->u.init.size = size;
	q->u.init.evidence = str(m, evidence);
	q->u.init.line = line;
	q->u.init.note = str(m, note);
}

static bool
set_status(struct metrics *m, const char *status, const char *why)
{
	sqlite3_stmt *s;
	char *now = utc_now();
	int rc;

	rc = sqlite3_prepare_v2(m->db, "UPDATE runs SET status = ?, error = ?, "
	    "finished = ? WHERE id = ?", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
		bind_text_or_null(s, 2, why);
		sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, m->run);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
	}
	g_free(now);
	if (rc != SQLITE_DONE)
		metrics_note_error(m, "runs");
	return rc == SQLITE_DONE;
}

/* Kept until the run ends: the writer has the connection until then. */
void
metrics_run_trace(struct metrics *m, const char *digest, int64_t size)
{
	g_free(m->trace_digest);
	m->trace_digest = g_strdup(digest);
	m->trace_size = size;
}

/* The trace's digest and size, known once the run has read it all. */
static void
set_trace(struct metrics *m)
{
	sqlite3_stmt *s;

	if (m->error != NULL || m->trace_digest == NULL)
		return;
	if (sqlite3_prepare_v2(m->db, "UPDATE runs SET trace_digest = ?, "
	    "trace_size = ? WHERE id = ?", -1, &s, NULL) != SQLITE_OK) {
		metrics_note_error(m, "runs");
		return;
	}
	sqlite3_bind_text(s, 1, m->trace_digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, m->trace_size);
	sqlite3_bind_int64(s, 3, m->run);
	if (sqlite3_step(s) != SQLITE_DONE)
		metrics_note_error(m, "runs");
	sqlite3_finalize(s);
}

/*
 * The per-call and per-request tables' index on (run, seq), made when a
 * database holds more than one run and not before.  A database of one
 * run is read whole by whatever reads it (every reader asks for a run's
 * rows, and they are all of them), so an index would be written for no
 * query; building it after the run costs about half of what keeping it
 * (or schema 2's key) row by row did, and it is built only once: a
 * database's later runs keep it up to date as they go.  A table that
 * already has a key of its own (schema 2's WITHOUT ROWID tables, in a
 * database recorded into since) needs none.
 */
static const char *const indexed[] = { "syscalls", "disk_io" };

bool
metrics_index_runs(struct sqlite3 *db)
{
	sqlite3_stmt *s;
	bool ok = true, several = false;
	unsigned i;

	if (sqlite3_prepare_v2(db, "SELECT count(*) > 1 FROM runs", -1, &s,
	    NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(s) == SQLITE_ROW)
		several = sqlite3_column_int(s, 0) != 0;
	else
		ok = false;
	sqlite3_finalize(s);
	for (i = 0; ok && several && i < G_N_ELEMENTS(indexed); i++) {
		char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_index_list(%Q) "
		    "WHERE origin = 'pk'", indexed[i]);
		bool keyed = false;

		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
			keyed = sqlite3_step(s) == SQLITE_ROW;
			sqlite3_finalize(s);
		} else
			ok = false;
		sqlite3_free(sql);
		if (!ok || keyed)
			continue;
		sql = sqlite3_mprintf("CREATE INDEX IF NOT EXISTS \"%w_run\" ON "
		    "\"%w\" (run, seq)", indexed[i], indexed[i]);
		ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_free(sql);
	}
	return ok;
}

/*
 * The end of a run of a shared writer: once all its rows are written, its
 * trace and status 'complete' go into the writer's transaction, which is
 * committed then: its last rows and its status in one commit, as a run
 * of its own writer (the other runs' rows written so far go with them,
 * their runs still 'running').
 */
static bool
end_shared(struct metrics *m, GError **err)
{
	struct metrics *w = m->shared;
	char *why;

	drain(m);
	if (w->error == NULL && m->error == NULL) {
		set_trace(m);
		if (m->error == NULL)
			set_status(m, "complete", NULL);
		if (m->error == NULL) {
			metrics_txn_commit(w);
			metrics_txn_begin(w);
		}
	}
	why = g_strdup(m->error != NULL ? m->error : w->error);
	g_mutex_unlock(&w->conn);
	if (why == NULL)
		return true;
	g_set_error(err, METRICS_ERROR, 0, "%s", why);
	metrics_fail_run(m, why);
	g_free(why);
	return false;
}

bool
metrics_end_run(struct metrics *m, GError **err)
{
	if (m->shared != NULL)
		return end_shared(m, err);
	/* The status changes in the same transaction as the last rows: a
	 * crash leaves either everything or a run that is not complete.
	 * The index, if the database now needs one, goes in the same
	 * transaction. */
	metrics_writer_stop(m);
	set_trace(m);
	if (m->error == NULL && !metrics_index_runs(m->db))
		metrics_note_error(m, "an index of the run's rows");
	if (m->error == NULL)
		set_status(m, "complete", NULL);
	metrics_txn_commit(m);
	if (m->error != NULL) {
		g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
		metrics_fail_run(m, m->error);
		return false;
	}
	return true;
}

/*
 * A failed run: its rows go, its status says why, and the WAL's space is
 * given back.  On a full disk the WAL is what filled it: what it holds
 * beyond the last commit is rolled back and, everything committed being in
 * the database already, the checkpoint truncates it; the deletion and the
 * status then fit in the room that freed, and a last checkpoint leaves no
 * WAL behind.  (Before, the status could not be written, or a WAL of
 * megabytes stayed, keeping the file system full.)
 */
/*
 * The rows of runs first..last undone: what is not committed rolled back
 * (on a full disk SQLite may have rolled back already), the WAL's space
 * given back, and the committed rows deleted in a transaction that
 * end_discard commits.  The cleanup writes whatever the error was (step
 * and commit write nothing once there is one): the first error is
 * returned, for end_discard to put back.
 */
static char *
begin_discard(struct metrics *m, int64_t first, int64_t last)
{
	char *saved = m->error;
	unsigned i;

	if (!sqlite3_get_autocommit(m->db))
		(void)sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
	m->in_txn = false;
	m->pending = 0;
	(void)reclaim(m);
	m->error = NULL;
	metrics_txn_begin(m);
	for (i = 0; metrics_run_tables[i] != NULL; i++) {
		char *sql = g_strdup_printf("DELETE FROM %s WHERE run BETWEEN "
		    "%lld AND %lld", metrics_run_tables[i], (long long)first,
		    (long long)last);

		exec(m, sql);
		g_free(sql);
	}
	return saved;
}

static void
end_discard(struct metrics *m, char *saved)
{
	if (m->in_txn) {
		exec(m, "COMMIT");
		m->in_txn = false;
	}
	(void)reclaim(m);
	if (saved != NULL) {
		g_free(m->error);
		m->error = saved;
	}
}

void
metrics_fail_run(struct metrics *m, const char *why)
{
	char *saved;

	if (m->shared != NULL) {
		/* A run of a shared writer: nothing more of it is written,
		 * and it is marked failed, committed with what the writer
		 * holds; its rows go with the others' when the writer is
		 * closed without keeping them (metrics_close_shared). */
		g_atomic_int_set(&m->discard, 1);
		drain(m);
		if (m->shared->error == NULL &&
		    set_status(m, "failed", why)) {
			metrics_txn_commit(m->shared);
			metrics_txn_begin(m->shared);
		}
		g_mutex_unlock(&m->shared->conn);
		return;
	}
	/* Rows still queued are thrown away, not written. */
	g_atomic_int_set(&m->discard, 1);
	metrics_writer_stop(m);
	g_atomic_int_set(&m->discard, 0);
	saved = begin_discard(m, m->run, m->run);
	set_status(m, "failed", why);
	end_discard(m, saved);
}

/* ---- a writer shared by several runs ------------------------------------ */

struct metrics *
metrics_open_shared(const char *path, const char *const *traces,
    const char *const *labels, guint n, int64_t *ids, GError **err)
{
	bool existed = g_file_test(path, G_FILE_TEST_EXISTS);
	struct metrics *m = metrics_open(path, err);
	sqlite3_stmt *s = NULL;
	char *now;
	guint i = 0;

	if (m == NULL)
		return NULL;
	m->created = !existed;
	/* The runs' rows, in list order: their ids are those a merge in
	 * list order gave them.  Each is 'running' until its run fills it
	 * in (begin_run) and 'complete' only with its last rows. */
	now = utc_now();
	metrics_txn_begin(m);
	if (m->in_txn && sqlite3_prepare_v2(m->db, "INSERT INTO runs (trace, "
	    "profile, seed, version, label, started, status, commit_id) "
	    "VALUES (?, '', 0, ?, ?, ?, 'running', ?)", -1, &s, NULL) ==
	    SQLITE_OK) {
		for (i = 0; i < n; i++) {
			sqlite3_bind_text(s, 1, traces[i], -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, VFSSIM_VERSION, -1,
			    SQLITE_STATIC);
			bind_text_or_null(s, 3, labels[i]);
			sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 5, vfssim_commit(), -1,
			    SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE)
				break;
			sqlite3_reset(s);
			ids[i] = sqlite3_last_insert_rowid(m->db);
			/* one transaction: the ids follow one another */
			KASSERT(ids[i] == ids[0] + (int64_t)i,
			    ("run ids %lld, %lld", (long long)ids[0],
			    (long long)ids[i]));
		}
	}
	if (i < n)
		metrics_note_error(m, "runs");
	sqlite3_finalize(s);
	g_free(now);
	/* Several runs: the per-call tables' index from the start, kept up
	 * to date as the runs' rows come (a run's rows follow its earlier
	 * ones, but the runs' batches are interleaved). */
	if (m->error == NULL && !metrics_index_runs(m->db))
		metrics_note_error(m, "an index of the runs' rows");
	m->first = n > 0 && i == n ? ids[0] : 0;
	m->nruns = n;
	/* Committed and checkpointed before any row, as a run's own row
	 * (begin_run): a full disk can still be cleaned up. */
	if (m->error == NULL)
		metrics_txn_commit(m);
	if (m->error != NULL) {
		g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
		m->nruns = 0;
		(void)metrics_close_shared(m, false, NULL, NULL);
		return NULL;
	}
	metrics_txn_begin(m);
	metrics_writer_start(m, false);
	return m;
}

struct metrics *
metrics_open_run(struct metrics *w, int64_t run)
{
	struct metrics *m = g_new0(struct metrics, 1);

	KASSERT(w->shared == NULL && w->writer != NULL &&
	    run >= w->first && run < w->first + (int64_t)w->nruns,
	    ("run %lld of a shared writer of runs %lld..", (long long)run,
	    (long long)w->first));
	g_mutex_init(&m->conn);
	g_cond_init(&m->drained);
	m->shared = w;
	m->path = g_strdup(w->path);
	m->db = w->db;
	m->run = run;
	m->todo = g_async_queue_ref(w->todo);
	m->spare = g_async_queue_new();
	return m;
}

/* Remove the file a shared writer made. */
static void
unlink_db(const char *path)
{
	char *wal = g_strdup_printf("%s-wal", path);
	char *shm = g_strdup_printf("%s-shm", path);

	(void)g_unlink(path);
	(void)g_unlink(wal);
	(void)g_unlink(shm);
	g_free(wal);
	g_free(shm);
}

bool
metrics_close_shared(struct metrics *m, bool keep, GPtrArray *dups,
    GError **err)
{
	int64_t last = m->first + (int64_t)m->nruns - 1;
	char *path = NULL;
	bool ok = false;
	unsigned i;

	metrics_writer_stop(m);
	if (keep && m->error == NULL) {
		/* The same run as one the database held before, kept but
		 * said (merge's duplicates): a second copy would pass for
		 * another seed. */
		for (i = 0; dups != NULL && i < m->nruns; i++) {
			int64_t id = m->first + (int64_t)i;
			int64_t dup = db_duplicate_of(m->db, id);

			if (dup > 0)
				g_ptr_array_add(dups, g_strdup_printf("run %lld "
				    "is run %lld of %s again (the same trace "
				    "contents, settings, seed, label and vfssim): "
				    "it would count as another seed",
				    (long long)id, (long long)dup, m->path));
		}
		if (!metrics_index_runs(m->db))
			metrics_note_error(m, "an index of the runs' rows");
		metrics_txn_commit(m);
		ok = m->error == NULL;
		if (!ok)
			g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
	}
	if (!ok && m->created) {
		/* nothing added: not even the file */
		path = g_strdup(m->path);
	} else if (!ok && m->nruns > 0) {
		/* Every run of the writer goes, whatever became of it, as
		 * a failed run's rows go (metrics_fail_run): what is not
		 * committed rolled back, the WAL's space given back, the
		 * committed rows deleted. */
		char *saved = begin_discard(m, m->first, last);
		char *sql = g_strdup_printf("DELETE FROM runs WHERE id BETWEEN "
		    "%lld AND %lld", (long long)m->first, (long long)last);

		exec(m, sql);
		g_free(sql);
		end_discard(m, saved);
	}
	metrics_close(m);
	if (path != NULL)
		unlink_db(path);
	g_free(path);
	return ok;
}
