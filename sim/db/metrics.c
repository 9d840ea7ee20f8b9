/*
 * metrics.c — the SQLite recorder (schema in metrics.h).
 *
 * Rows go in through prepared statements inside a transaction that is
 * committed every BATCH rows, so recording millions of rows costs little.
 * A run is marked complete only by metrics_end_run, after its last row.
 *
 * A full disk: the database is in WAL mode, and what a commit puts in the
 * WAL must be copied into the database (a checkpoint) before the WAL's
 * space can be used again or given back.  So each commit is checkpointed
 * at once (wal_autocheckpoint 1), and a batch is committed only while the
 * disk has room to take it into the database and still clean up; short of
 * that the run stops, failed: its uncommitted rows are rolled back, the
 * WAL truncated, its committed rows deleted and its status written in the
 * room that leaves (metrics_fail_run).
 */
#include "metrics.h"
#include "dbopen.h"
#include "profile.h"
#include "version.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sqlite3.h>

G_DEFINE_QUARK(vfssim-metrics-error-quark, metrics_error)

#define BATCH	100000
/* Room a failed run needs on the disk to be cleaned up: its rows' deletion
 * and its status, in the WAL, and the checkpoint after. */
#define CLEANUP_ROOM	(INT64_C(1) << 20)

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS runs ("
	"  id INTEGER PRIMARY KEY,"
	"  trace TEXT NOT NULL,"
	"  format TEXT,"
	"  profile TEXT NOT NULL,"
	"  profile_sources TEXT,"
	"  seed INTEGER NOT NULL,"
	"  version TEXT NOT NULL,"
	"  label TEXT,"
	"  started TEXT NOT NULL,"
	"  finished TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('running','complete','failed')),"
	"  error TEXT);"
	/* The per-event tables are keyed by (run, seq) and stored in that
	 * order (WITHOUT ROWID): a run's rows are one range, found without a
	 * separate index, and appending them costs no index upkeep. */
	"CREATE TABLE IF NOT EXISTS syscalls ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  pid INTEGER NOT NULL, call TEXT NOT NULL,"
	"  class TEXT NOT NULL CHECK (class IN ('sim','pass')),"
	"  path TEXT, fd INTEGER, offset INTEGER, bytes INTEGER,"
	"  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,"
	"  result INTEGER, error TEXT, wait_ns INTEGER, wmesg TEXT,"
	"  suspend_ns INTEGER, cow_ns INTEGER,"
	"  PRIMARY KEY (run, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS disk_io ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  submit_ns INTEGER NOT NULL, start_ns INTEGER NOT NULL,"
	"  end_ns INTEGER NOT NULL, sector INTEGER NOT NULL,"
	"  sectors INTEGER NOT NULL, is_write INTEGER NOT NULL,"
	"  queue_ns INTEGER NOT NULL, seek_ns INTEGER NOT NULL,"
	"  rot_ns INTEGER NOT NULL, xfer_ns INTEGER NOT NULL,"
	"  bufs INTEGER NOT NULL, overhead_ns INTEGER NOT NULL,"
	"  cache_hit INTEGER NOT NULL, cylinder INTEGER,"
	"  PRIMARY KEY (run, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS samples ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  t_ns INTEGER NOT NULL, numdirtybuffers INTEGER, clean_bufs INTEGER,"
	"  empty_bufs INTEGER, busy_bufs INTEGER, numfreebuffers INTEGER,"
	"  bufspace INTEGER, runningbufspace INTEGER, cached_pages INTEGER,"
	"  free_pages INTEGER, wired_pages INTEGER, disk_qlen INTEGER,"
	"  procs INTEGER, calls_done INTEGER,"
	"  at_risk_bytes INTEGER, at_risk_age_ns INTEGER,"
	"  PRIMARY KEY (run, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS waits ("
	"  run INTEGER NOT NULL REFERENCES runs(id), t_ns INTEGER NOT NULL,"
	"  wmesg TEXT NOT NULL, procs INTEGER NOT NULL,"
	"  PRIMARY KEY (run, t_ns, wmesg)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS summary ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  metric TEXT NOT NULL, value REAL,"
	"  PRIMARY KEY (run, metric));"
	"CREATE TABLE IF NOT EXISTS latency_hist ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  call TEXT NOT NULL, lo_ns INTEGER NOT NULL, hi_ns INTEGER NOT NULL,"
	"  count INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS latency_hist_run ON latency_hist(run);"
	"CREATE TABLE IF NOT EXISTS time_split ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  call TEXT NOT NULL, part TEXT NOT NULL, ns INTEGER NOT NULL,"
	"  PRIMARY KEY (run, call, part)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS mrc ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  buffers INTEGER NOT NULL, miss_ratio REAL NOT NULL,"
	"  PRIMARY KEY (run, buffers)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS run_settings ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY (run, key)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS initial_fs ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK (type IN ('f','d','l','-')),"
	"  size INTEGER NOT NULL, evidence TEXT, line INTEGER, note TEXT,"
	"  PRIMARY KEY (run, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS crash ("
	"  run INTEGER NOT NULL REFERENCES runs(id), t_ns INTEGER NOT NULL,"
	"  metric TEXT NOT NULL, value REAL,"
	"  PRIMARY KEY (run, t_ns, metric)) WITHOUT ROWID;";

/*
 * Columns added since a table was first created: a database written by an
 * older vfssim gains them (NULL in its old rows) when opened, so that runs
 * old and new can share it.
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
};

/*
 * Views for the common questions, made once the columns are there (and
 * so in every database vfssim records into or merges into): which files
 * got the most disk time and bytes, who wrote what, how busy the disk was
 * each second, each call type's latency figures per run.
 */
static const char views[] =
	"CREATE VIEW IF NOT EXISTS disk_by_file AS "
	"  SELECT run, coalesce(path, CASE WHEN ino IS NOT NULL THEN "
	"  'inode ' || ino END, 'metadata: ' || what) AS file, "
	"  count(*) AS requests, sum(is_write) AS writes, "
	"  sum(sectors) * 512 AS bytes, sum(end_ns - start_ns) AS disk_ns, "
	"  sum(end_ns - submit_ns) AS response_ns "
	"  FROM disk_io GROUP BY run, file;"
	"CREATE VIEW IF NOT EXISTS disk_by_issuer AS "
	"  SELECT run, issuer, pid, cause, is_write, "
	"  coalesce(path, CASE WHEN ino IS NOT NULL THEN 'inode ' || ino END, "
	"  'metadata: ' || what) AS file, count(*) AS requests, "
	"  sum(sectors) * 512 AS bytes, sum(end_ns - start_ns) AS disk_ns "
	"  FROM disk_io GROUP BY run, issuer, pid, cause, is_write, file;"
	"CREATE VIEW IF NOT EXISTS disk_busy_by_second AS "
	"  SELECT run, start_ns / 1000000000 AS second, count(*) AS requests, "
	"  sum(end_ns - start_ns) AS busy_ns, "
	"  min(1.0, sum(end_ns - start_ns) / 1e9) AS busy_fraction "
	"  FROM disk_io GROUP BY run, second;"
	"CREATE VIEW IF NOT EXISTS call_latency AS "
	"  SELECT run, substr(metric, 9, length(metric) - 14) AS call, "
	"  value AS calls, "
	"  (SELECT value FROM summary s WHERE s.run = c.run AND s.metric = "
	"   'latency.' || substr(c.metric, 9, length(c.metric) - 14) || "
	"   '.mean_ns') AS mean_ns, "
	"  (SELECT value FROM summary s WHERE s.run = c.run AND s.metric = "
	"   'latency.' || substr(c.metric, 9, length(c.metric) - 14) || "
	"   '.p50_ns') AS p50_ns, "
	"  (SELECT value FROM summary s WHERE s.run = c.run AND s.metric = "
	"   'latency.' || substr(c.metric, 9, length(c.metric) - 14) || "
	"   '.p95_ns') AS p95_ns, "
	"  (SELECT value FROM summary s WHERE s.run = c.run AND s.metric = "
	"   'latency.' || substr(c.metric, 9, length(c.metric) - 14) || "
	"   '.p99_ns') AS p99_ns, "
	"  (SELECT value FROM summary s WHERE s.run = c.run AND s.metric = "
	"   'latency.' || substr(c.metric, 9, length(c.metric) - 14) || "
	"   '.max_ns') AS max_ns "
	"  FROM summary c WHERE metric LIKE 'latency.%.count';";

const char *const metrics_run_tables[] = {
	"syscalls", "disk_io", "samples", "waits", "summary", "latency_hist",
	"time_split", "mrc", "initial_fs", "crash", "run_settings", NULL
};

enum { ST_SYSCALL, ST_DISK, ST_SAMPLE, ST_SUMMARY, ST_HIST, ST_WAIT, ST_SPLIT,
	ST_MRC, ST_INITIAL, ST_CRASH, ST_SETTING, NST };

static const char *const stmt_sql[NST] = {
	[ST_SYSCALL] = "INSERT INTO syscalls (run, seq, pid, call, class, path, "
	    "fd, offset, bytes, start_ns, end_ns, result, error, wait_ns, wmesg, "
	    "suspend_ns, cow_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_DISK] = "INSERT INTO disk_io (run, seq, submit_ns, start_ns, end_ns, "
	    "sector, sectors, is_write, queue_ns, seek_ns, rot_ns, xfer_ns, bufs, "
	    "overhead_ns, cache_hit, cylinder, ino, lblkno, what, path, issuer, "
	    "pid, cause, drain_ns, cachefull_ns, readahead_ns) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_SAMPLE] = "INSERT INTO samples (run, seq, t_ns, numdirtybuffers, "
	    "clean_bufs, empty_bufs, busy_bufs, numfreebuffers, bufspace, "
	    "runningbufspace, cached_pages, free_pages, wired_pages, disk_qlen, "
	    "procs, calls_done, at_risk_bytes, at_risk_age_ns) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_SUMMARY] = "INSERT OR REPLACE INTO summary VALUES (?,?,?)",
	[ST_HIST] = "INSERT INTO latency_hist VALUES (?,?,?,?,?)",
	[ST_WAIT] = "INSERT INTO waits VALUES (?,?,?,?)",
	[ST_SPLIT] = "INSERT INTO time_split VALUES (?,?,?,?)",
	[ST_MRC] = "INSERT INTO mrc VALUES (?,?,?)",
	[ST_INITIAL] = "INSERT INTO initial_fs (run, seq, path, type, size, "
	    "evidence, line, note) VALUES (?,?,?,?,?,?,?,?)",
	[ST_CRASH] = "INSERT OR REPLACE INTO crash VALUES (?,?,?,?)",
	[ST_SETTING] = "INSERT INTO run_settings (run, key, value) VALUES "
	    "(?,?,?)",
};

struct metrics {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*st[NST];
	int64_t		 run;
	int64_t		 seq[NST];	/* rows of the run so far, per table */
	bool		 in_txn;
	unsigned	 pending;	/* rows since the last commit */
	char		*error;		/* first failure */
};

static void
note_error(struct metrics *m, const char *what)
{
	if (m->error == NULL)
		m->error = g_strdup_printf("%s: %s: %s", m->path, what,
		    sqlite3_errmsg(m->db));
}

static bool
exec(struct metrics *m, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (m->error == NULL)
			m->error = g_strdup_printf("%s: %s", m->path,
			    msg != NULL ? msg : "error");
		sqlite3_free(msg);
		return false;
	}
	return true;
}

/* Does table have column? */
static bool
has_column(sqlite3 *db, const char *table, const char *column)
{
	char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(%Q) "
	    "WHERE name = %Q", table, column);
	sqlite3_stmt *s;
	bool yes = false;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		yes = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return yes;
}

static bool
add_columns(struct metrics *m)
{
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(added_columns); i++) {
		char *sql;
		bool ok;

		if (has_column(m->db, added_columns[i].table,
		    added_columns[i].column))
			continue;
		sql = g_strdup_printf("ALTER TABLE %s ADD COLUMN %s %s",
		    added_columns[i].table, added_columns[i].column,
		    added_columns[i].decl);
		ok = exec(m, sql);
		g_free(sql);
		if (!ok)
			return false;
	}
	return true;
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
	int i;

	m->path = g_strdup(path);
	/* Another program's database is left alone: found before anything
	 * is written to it. */
	if (!db_check_writable(path, err)) {
		metrics_close(m);
		return NULL;
	}
	if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		g_set_error(err, METRICS_ERROR, 0, "%s: cannot open database: %s",
		    path, m->db != NULL ? sqlite3_errmsg(m->db) : "out of memory");
		metrics_close(m);
		return NULL;
	}
	sqlite3_busy_timeout(m->db, 60000);
	/* The schema, its upgrade and the stamp in one transaction: each
	 * statement its own would be a commit and a checkpoint apiece. */
	if (!exec(m, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
	    "PRAGMA wal_autocheckpoint=1;") || !exec(m, "BEGIN IMMEDIATE") ||
	    !exec(m, schema) || !add_columns(m) || !exec(m, views) ||
	    !stamp(m) || !exec(m, "COMMIT")) {
		if (!sqlite3_get_autocommit(m->db))
			(void)sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
		g_set_error(err, METRICS_ERROR, 0, "%s", m->error);
		metrics_close(m);
		return NULL;
	}
	for (i = 0; i < NST; i++)
		if (sqlite3_prepare_v2(m->db, stmt_sql[i], -1, &m->st[i], NULL) !=
		    SQLITE_OK) {
			g_set_error(err, METRICS_ERROR, 0, "%s: %s (is it a vfssim "
			    "database?)", path, sqlite3_errmsg(m->db));
			metrics_close(m);
			return NULL;
		}
	return m;
}

void
metrics_close(struct metrics *m)
{
	int i;

	if (m == NULL)
		return;
	if (m->in_txn)
		exec(m, "ROLLBACK");
	for (i = 0; i < NST; i++)
		sqlite3_finalize(m->st[i]);
	if (m->db != NULL)
		db_close_writer(m->db);
	g_free(m->error);
	g_free(m->path);
	g_free(m);
}

const char *
metrics_error(const struct metrics *m)
{
	return m->error;
}

static void
begin(struct metrics *m)
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
			m->error = g_strdup_printf("%s: the disk is nearly full "
			    "(%.1f MB free, %.1f MB needed to go on): the run "
			    "stops while there is room to mark it failed", m->path,
			    (double)avail / 1048576, (double)need / 1048576);
			ok = false;
		}
	}
	g_free(dir);
	g_free(walpath);
	return ok;
}

static void
commit(struct metrics *m)
{
	if (m->in_txn && (m->error != NULL || !room_to_commit(m))) {
		/* not committed: metrics_fail_run rolls it back */
		m->pending = 0;
		return;
	}
	if (m->in_txn) {
		exec(m, "COMMIT");
		m->in_txn = false;
	}
	m->pending = 0;
}

static void
step(struct metrics *m, int st, const char *what)
{
	sqlite3_stmt *s = m->st[st];

	/* after a failure (a full disk) nothing more is written: the run
	 * will be failed */
	if (m->error == NULL && sqlite3_step(s) != SQLITE_DONE)
		note_error(m, what);
	sqlite3_reset(s);
	m->seq[st]++;
	if (++m->pending >= BATCH) {
		commit(m);
		begin(m);
	}
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
 * committed (commit keeps room for that).
 */
static bool
reclaim(struct metrics *m)
{
	return sqlite3_wal_checkpoint_v2(m->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL) == SQLITE_OK;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *t);

int64_t
metrics_begin_run(struct metrics *m, const struct run_info *ri, GError **err)
{
	sqlite3_stmt *s;
	char *now = utc_now();
	int rc;

	rc = sqlite3_prepare_v2(m->db,
	    "INSERT INTO runs (trace, format, profile, profile_sources, seed, "
	    "version, label, started, status, commit_id, trace_digest, "
	    "trace_size, cmdline) VALUES (?,?,?,?,?,?,?,?,'running',?,?,?,?)",
	    -1, &s, NULL);
	if (rc == SQLITE_OK) {
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
	m->run = sqlite3_last_insert_rowid(m->db);
	/* Every effective setting, a row each: what a query joins on.  In
	 * the run's first transaction (each row its own would be a commit
	 * and a checkpoint apiece).  What earlier runs left in the WAL goes
	 * into the database first (not waiting for readers): from here on
	 * it holds this run's. */
	(void)sqlite3_wal_checkpoint_v2(m->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	begin(m);
	if (ri->prof != NULL) {
		const struct pkey *k;

		for (k = profile_keys; k->group != NULL; k++) {
			sqlite3_stmt *st = m->st[ST_SETTING];
			char *key = g_strdup_printf("%s.%s", k->group, k->key);
			char *v = profile_value(ri->prof, k);

			sqlite3_bind_int64(st, 1, m->run);
			sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, v, -1, SQLITE_TRANSIENT);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			g_free(key);
			g_free(v);
			if (rc != SQLITE_DONE) {
				g_set_error(err, METRICS_ERROR, 0, "%s: cannot record "
				    "the run's settings: %s", m->path,
				    sqlite3_errmsg(m->db));
				return -1;
			}
		}
	}
	return m->run;
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *t)
{
	if (t != NULL)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_i64_or_null(sqlite3_stmt *s, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

void
metrics_syscall(struct metrics *m, const struct syscall_row *r)
{
	sqlite3_stmt *s = m->st[ST_SYSCALL];

	/* Strings are bound SQLITE_STATIC: they outlive the step below. */
	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, m->seq[ST_SYSCALL]);
	sqlite3_bind_int(s, 3, r->pid);
	sqlite3_bind_text(s, 4, r->call, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->passthrough ? "pass" : "sim", -1, SQLITE_STATIC);
	bind_text_or_null(s, 6, r->path);
	bind_i64_or_null(s, 7, r->fd);
	bind_i64_or_null(s, 8, r->offset);
	bind_i64_or_null(s, 9, r->bytes);
	sqlite3_bind_int64(s, 10, r->start_ns);
	sqlite3_bind_int64(s, 11, r->end_ns);
	sqlite3_bind_int64(s, 12, r->result);
	bind_text_or_null(s, 13, r->err != 0 ? strerrorname_np(r->err) : NULL);
	sqlite3_bind_int64(s, 14, r->wait_ns);
	bind_text_or_null(s, 15, r->wmesg);
	sqlite3_bind_int64(s, 16, r->suspend_ns);
	sqlite3_bind_int64(s, 17, r->cow_ns);
	step(m, ST_SYSCALL, "syscalls");
}

void
metrics_disk_io(struct metrics *m, const struct disk_io_row *r)
{
	sqlite3_stmt *s = m->st[ST_DISK];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, m->seq[ST_DISK]);
	sqlite3_bind_int64(s, 3, r->submit_ns);
	sqlite3_bind_int64(s, 4, r->start_ns);
	sqlite3_bind_int64(s, 5, r->end_ns);
	sqlite3_bind_int64(s, 6, r->sector);
	sqlite3_bind_int(s, 7, r->sectors);
	sqlite3_bind_int(s, 8, r->write);
	sqlite3_bind_int64(s, 9, r->start_ns - r->submit_ns);
	sqlite3_bind_int64(s, 10, r->seek_ns);
	sqlite3_bind_int64(s, 11, r->rot_ns);
	sqlite3_bind_int64(s, 12, r->xfer_ns);
	sqlite3_bind_int(s, 13, r->bufs);
	sqlite3_bind_int64(s, 14, r->overhead_ns);
	sqlite3_bind_int(s, 15, r->cache_hit);
	sqlite3_bind_int64(s, 16, r->cylinder);
	bind_i64_or_null(s, 17, r->ino);
	if (r->what != NULL)
		sqlite3_bind_int64(s, 18, r->lblkno);
	else
		sqlite3_bind_null(s, 18);
	bind_text_or_null(s, 19, r->what);
	bind_text_or_null(s, 20, r->path);
	bind_text_or_null(s, 21, r->issuer);
	bind_i64_or_null(s, 22, r->pid);
	bind_text_or_null(s, 23, r->cause);
	sqlite3_bind_int64(s, 24, r->drain_ns);
	sqlite3_bind_int64(s, 25, r->cachefull_ns);
	sqlite3_bind_int64(s, 26, r->readahead_ns);
	step(m, ST_DISK, "disk_io");
}

void
metrics_sample(struct metrics *m, const struct sample_row *r)
{
	sqlite3_stmt *s = m->st[ST_SAMPLE];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, m->seq[ST_SAMPLE]);
	sqlite3_bind_int64(s, 3, r->t_ns);
	sqlite3_bind_int(s, 4, r->dirty_bufs);
	sqlite3_bind_int(s, 5, r->clean_bufs);
	sqlite3_bind_int(s, 6, r->empty_bufs);
	sqlite3_bind_int(s, 7, r->busy_bufs);
	sqlite3_bind_int(s, 8, r->free_bufs);
	sqlite3_bind_int64(s, 9, r->bufspace);
	sqlite3_bind_int64(s, 10, r->running_bytes);
	sqlite3_bind_int(s, 11, r->cached_pages);
	sqlite3_bind_int(s, 12, r->free_pages);
	sqlite3_bind_int(s, 13, r->wired_pages);
	sqlite3_bind_int(s, 14, r->disk_qlen);
	sqlite3_bind_int(s, 15, r->procs);
	sqlite3_bind_int64(s, 16, (int64_t)r->calls_done);
	sqlite3_bind_int64(s, 17, r->at_risk_bytes);
	sqlite3_bind_int64(s, 18, r->at_risk_age_ns);
	step(m, ST_SAMPLE, "samples");
}

void
metrics_wait(struct metrics *m, int64_t t_ns, const char *wmesg, int procs)
{
	sqlite3_stmt *s = m->st[ST_WAIT];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, t_ns);
	sqlite3_bind_text(s, 3, wmesg, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, procs);
	step(m, ST_WAIT, "waits");
}

void
metrics_summary(struct metrics *m, const char *metric, double value)
{
	sqlite3_stmt *s = m->st[ST_SUMMARY];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, value);
	step(m, ST_SUMMARY, "summary");
}

void
metrics_hist(struct metrics *m, const char *call, const struct hist *h)
{
	int i;

	for (i = 0; i < HIST_NBUCKETS; i++) {
		sqlite3_stmt *s = m->st[ST_HIST];
		int64_t lo, hi;

		if (h->counts[i] == 0)
			continue;
		hist_bucket(i, &lo, &hi);
		sqlite3_bind_int64(s, 1, m->run);
		sqlite3_bind_text(s, 2, call, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, lo);
		sqlite3_bind_int64(s, 4, hi);
		sqlite3_bind_int64(s, 5, (int64_t)h->counts[i]);
		step(m, ST_HIST, "latency_hist");
	}
}

void
metrics_time_split(struct metrics *m, const char *call, const char *part,
    int64_t ns)
{
	sqlite3_stmt *s = m->st[ST_SPLIT];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_text(s, 2, call, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, part, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, ns);
	step(m, ST_SPLIT, "time_split");
}

void
metrics_mrc(struct metrics *m, int64_t buffers, double miss_ratio)
{
	sqlite3_stmt *s = m->st[ST_MRC];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, buffers);
	sqlite3_bind_double(s, 3, miss_ratio);
	step(m, ST_MRC, "mrc");
}

void
metrics_crash(struct metrics *m, int64_t t_ns, const char *metric,
    double value)
{
	sqlite3_stmt *s = m->st[ST_CRASH];

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, t_ns);
	sqlite3_bind_text(s, 3, metric, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 4, value);
	step(m, ST_CRASH, "crash");
}

void
metrics_initial_fs(struct metrics *m, const char *path, char type,
    int64_t size, const char *evidence, uint64_t line, const char *note)
{
	sqlite3_stmt *s = m->st[ST_INITIAL];
	char t[2] = { type, '\0' };

	sqlite3_bind_int64(s, 1, m->run);
	sqlite3_bind_int64(s, 2, m->seq[ST_INITIAL]);
	sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, t, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, size);
	bind_text_or_null(s, 6, evidence);
	if (line > 0)
		sqlite3_bind_int64(s, 7, (int64_t)line);
	else
		sqlite3_bind_null(s, 7);
	bind_text_or_null(s, 8, note);
	step(m, ST_INITIAL, "initial_fs");
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
		note_error(m, "runs");
	return rc == SQLITE_DONE;
}

void
metrics_run_trace(struct metrics *m, const char *digest, int64_t size)
{
	sqlite3_stmt *s;

	if (m->error != NULL || digest == NULL)
		return;
	if (sqlite3_prepare_v2(m->db, "UPDATE runs SET trace_digest = ?, "
	    "trace_size = ? WHERE id = ?", -1, &s, NULL) != SQLITE_OK) {
		note_error(m, "runs");
		return;
	}
	sqlite3_bind_text(s, 1, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, size);
	sqlite3_bind_int64(s, 3, m->run);
	if (sqlite3_step(s) != SQLITE_DONE)
		note_error(m, "runs");
	sqlite3_finalize(s);
}

bool
metrics_end_run(struct metrics *m, GError **err)
{
	/* The status changes in the same transaction as the last rows: a
	 * crash leaves either everything or a run that is not complete. */
	if (m->error == NULL)
		set_status(m, "complete", NULL);
	commit(m);
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
void
metrics_fail_run(struct metrics *m, const char *why)
{
	char *saved = m->error;
	unsigned i;

	/* on a full disk SQLite may have rolled back already */
	if (!sqlite3_get_autocommit(m->db))
		(void)sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
	m->in_txn = false;
	m->pending = 0;
	(void)reclaim(m);
	/* The cleanup writes whatever the error was (step and commit write
	 * nothing once there is one); the first error is kept. */
	m->error = NULL;
	begin(m);
	for (i = 0; metrics_run_tables[i] != NULL; i++) {
		char *sql = g_strdup_printf("DELETE FROM %s WHERE run = %lld",
		    metrics_run_tables[i], (long long)m->run);

		exec(m, sql);
		g_free(sql);
	}
	set_status(m, "failed", why);
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
