/*
 * dbschema.c — the results database's tables and views, as SQL (metrics.h
 * says what each holds).  metrics_open runs it on a database that lacks
 * it; the build runs it once into the image a new database starts from
 * (tools/mkdbimage.c, dbimage.c), so both are made by the same text.
 */
#include "dbschema.h"

const char db_schema_sql[] =
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
	/* (schema 2's columns, as an older database gains them: a new one is
	 * made whole; see disk_io) */
	"  error TEXT, commit_id TEXT, trace_digest TEXT, trace_size INTEGER,"
	"  cmdline TEXT);"
	/* The per-call and per-request tables (schema 3) are plain rowid
	 * tables without a key: a run's rows are appended in seq order at the
	 * table's end, which is SQLite's cheapest insert (no key to compare,
	 * no second b-tree to keep).  Schema 2 kept them WITHOUT ROWID keyed
	 * by (run, seq): every row a key comparison down the tree and a
	 * uniqueness check, a quarter of the writer's instructions.  Their
	 * index on (run, seq) is made once the database holds a second run
	 * (metrics_index_runs); a database of one run needs none.  class's
	 * CHECK is two comparisons, not IN: SQLite tests an IN's left side
	 * for NULL by an integer BitAnd, converting the text to a number
	 * twice a row (sqlite3Atoi64: 4 % of the writer's instructions). */
	"CREATE TABLE IF NOT EXISTS syscalls ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  pid INTEGER NOT NULL, call TEXT NOT NULL,"
	"  class TEXT NOT NULL CHECK (class = 'sim' OR class = 'pass'),"
	"  path TEXT, fd INTEGER, offset INTEGER, bytes INTEGER,"
	"  start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,"
	"  result INTEGER, error TEXT, wait_ns INTEGER, wmesg TEXT,"
	"  suspend_ns INTEGER, cow_ns INTEGER);"
	"CREATE TABLE IF NOT EXISTS disk_io ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  submit_ns INTEGER NOT NULL, start_ns INTEGER NOT NULL,"
	"  end_ns INTEGER NOT NULL, sector INTEGER NOT NULL,"
	"  sectors INTEGER NOT NULL, is_write INTEGER NOT NULL,"
	"  queue_ns INTEGER NOT NULL, seek_ns INTEGER NOT NULL,"
	"  rot_ns INTEGER NOT NULL, xfer_ns INTEGER NOT NULL,"
	"  bufs INTEGER NOT NULL, overhead_ns INTEGER NOT NULL,"
	"  cache_hit INTEGER NOT NULL, cylinder INTEGER,"
	/* (the columns added since, in the order an older database gains
	 * them: a new one is made whole, no ALTER TABLE re-reading the
	 * schema for each) */
	"  ino INTEGER, lblkno INTEGER, what TEXT, path TEXT, issuer TEXT,"
	"  pid INTEGER, cause TEXT, drain_ns INTEGER, cachefull_ns INTEGER,"
	"  readahead_ns INTEGER, ctlr_ns INTEGER, bus_ns INTEGER,"
	"  mediawait_ns INTEGER, roomwait_ns INTEGER);"
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
	/* initial_fs's type CHECK is comparisons, not IN: an IN of more than
	 * two constants is coded as an ephemeral b-tree (OP_OpenEphemeral)
	 * built afresh by every one-row INSERT, some 37,000 instructions a
	 * row (the scan's 22,404 starting files: 885 M, a fifth of its
	 * run's instructions). */
	"CREATE TABLE IF NOT EXISTS initial_fs ("
	"  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK (type = 'f' OR type = 'd' OR type = 'l' OR "
	"  type = '-'),"
	"  size INTEGER NOT NULL, evidence TEXT, line INTEGER, note TEXT,"
	"  PRIMARY KEY (run, seq)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS run_settings ("
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  key TEXT NOT NULL, value TEXT NOT NULL,"
	"  PRIMARY KEY (run, key)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS crash ("
	"  run INTEGER NOT NULL REFERENCES runs(id), t_ns INTEGER NOT NULL,"
	"  metric TEXT NOT NULL, value REAL,"
	"  PRIMARY KEY (run, t_ns, metric)) WITHOUT ROWID;";

/*
 * Views for the common questions, made once the columns are there (and
 * so in every database vfssim records into or merges into): which files
 * got the most disk time and bytes, who wrote what, how busy the disk was
 * each second, each call type's latency figures per run.
 */
const char db_views_sql[] =
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
