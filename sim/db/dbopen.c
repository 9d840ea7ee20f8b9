/*
 * dbopen.c — what a results database is, found out before it is read or
 * written (see dbopen.h).
 *
 * Nothing is written while finding out: the file is opened read-only, and
 * what would be a crash or an overflow further on (a NULL where a reader
 * takes text, a count of 1e308, a view where a table should be) is found
 * here, with the file, table and row it is in.
 */
#include "dbopen.h"
#include "metrics.h"

#include <stdarg.h>
#include <string.h>

static void
input_error(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
input_error(GError **err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, METRICS_ERROR, METRICS_ERROR_INPUT, m);
	g_free(m);
}

char *
db_printable(const char *s)
{
	char *v = g_utf8_make_valid(s != NULL ? s : "", -1);
	unsigned char *p;

	for (p = (unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return v;
}

void
db_close_writer(sqlite3 *h)
{
	/* journal_mode=DELETE checkpoints and deletes the WAL and its index
	 * when this is the only connection; busy (another reader or writer:
	 * a run of a sweep's jobs), it fails and the WAL stays for the last
	 * one to close.  No wait for that: the mode change is a courtesy. */
	sqlite3_busy_timeout(h, 0);
	/* Everything committed is in the database already (each commit is
	 * checkpointed and synced: metrics.c); the mode change itself need
	 * not be synced -- lost in a power cut, the file stays in WAL mode,
	 * as it was. */
	(void)sqlite3_exec(h, "PRAGMA synchronous=OFF; PRAGMA journal_mode=DELETE",
	    NULL, NULL, NULL);
	sqlite3_close(h);
}

/* ---- what the file is ------------------------------------------------ */

enum dbkind {
	DBK_EMPTY,		/* no tables at all: vfssim may make its own */
	DBK_VFSSIM,
	DBK_FOREIGN,
};

/*
 * The runs table every vfssim database has had since the first: a
 * database without the header stamp (written before it was) but with this
 * table is vfssim's, schema 0.
 */
static const char *const runs_columns[] = {
	"id", "trace", "format", "profile", "profile_sources", "seed",
	"version", "label", "started", "finished", "status", "error", NULL
};

/* Does table have each of cols?  The first one it lacks in *missing. */
static bool
has_columns(sqlite3 *h, const char *table, const char *const *cols,
    const char **missing)
{
	GHashTable *have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q)",
	    table);
	sqlite3_stmt *s;
	bool ok = true;

	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			if (sqlite3_column_type(s, 0) == SQLITE_TEXT)
				g_hash_table_add(have, g_strdup((const char *)
				    sqlite3_column_text(s, 0)));
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	for (; *cols != NULL && ok; cols++)
		if (!g_hash_table_contains(have, *cols)) {
			ok = false;
			*missing = *cols;
		}
	g_hash_table_destroy(have);
	return ok;
}

/* A pragma's integer, or false if the file cannot be read as SQLite. */
static bool
pragma_int(sqlite3 *h, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	bool ok;

	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
		return false;
	ok = sqlite3_step(s) == SQLITE_ROW;
	if (ok)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return ok;
}

/* How an object of the schema is made: "table", "view", ..., or NULL. */
static char *
object_type(sqlite3 *h, const char *name)
{
	sqlite3_stmt *s;
	char *t = NULL;

	if (sqlite3_prepare_v2(h, "SELECT type, sql FROM sqlite_schema WHERE "
	    "name = ?", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(s, 0);
		const char *sql = (const char *)sqlite3_column_text(s, 1);

		/* a virtual table is listed as a table too */
		t = g_strdup(type == NULL ? "?" : sql != NULL &&
		    g_ascii_strncasecmp(sql, "CREATE VIRTUAL", 14) == 0 ?
		    "virtual table" : type);
	}
	sqlite3_finalize(s);
	return t;
}

/*
 * What the open file is: empty, vfssim's (with its schema version), or
 * another program's (why, in *detail).  False if it cannot be read as an
 * SQLite database at all.
 */
static bool
identify(sqlite3 *h, const char *path, enum dbkind *kind, int64_t *version,
    char **detail, GError **err)
{
	int64_t appid = 0, objects = 0;
	char *rt;
	const char *missing = NULL;

	*version = 0;
	*detail = NULL;
	/* The header's stamp first: the pragmas read the header alone,
	 * while counting the schema's objects parses the whole schema (a
	 * million instructions for vfssim's, before every run into it) and
	 * is asked only of a file that is not stamped vfssim's. */
	if (!pragma_int(h, "PRAGMA application_id", &appid) ||
	    !pragma_int(h, "PRAGMA user_version", version) ||
	    (appid != DB_APPLICATION_ID &&
	    !pragma_int(h, "SELECT count(*) FROM sqlite_schema", &objects))) {
		input_error(err, "%s: not a vfssim database (%s)", path,
		    sqlite3_errcode(h) == SQLITE_NOTADB ? "not an SQLite "
		    "database" : sqlite3_errmsg(h));
		return false;
	}
	if (appid == DB_APPLICATION_ID) {
		*kind = DBK_VFSSIM;
		return true;
	}
	if (appid != 0) {
		*kind = DBK_FOREIGN;
		*detail = g_strdup_printf("its application_id is 0x%08x, another "
		    "program's", (unsigned)appid);
		return true;
	}
	if (objects == 0 && *version == 0) {
		*kind = DBK_EMPTY;
		return true;
	}
	rt = object_type(h, "runs");
	if (*version == 0 && rt != NULL && strcmp(rt, "table") == 0 &&
	    has_columns(h, "runs", runs_columns, &missing)) {
		g_free(rt);
		*kind = DBK_VFSSIM;	/* written before the stamp */
		return true;
	}
	g_free(rt);
	*kind = DBK_FOREIGN;
	{
		/* say what it holds instead */
		GString *d = g_string_new("it holds ");
		sqlite3_stmt *s;
		int n = 0;

		if (sqlite3_prepare_v2(h, "SELECT type, name FROM sqlite_schema "
		    "ORDER BY rowid LIMIT 4", -1, &s, NULL) == SQLITE_OK) {
			while (sqlite3_step(s) == SQLITE_ROW) {
				char *name = db_printable((const char *)
				    sqlite3_column_text(s, 1));

				g_string_append_printf(d, "%s%s %.40s", n++ ? ", " : "",
				    (const char *)sqlite3_column_text(s, 0), name);
				g_free(name);
			}
			sqlite3_finalize(s);
		}
		if (objects > 4)
			g_string_append_printf(d, " and %lld more",
			    (long long)objects - 4);
		if (n == 0)
			g_string_assign(d, "user_version is set");
		*detail = g_string_free(d, FALSE);
	}
	return true;
}

static sqlite3 *
open_ro(const char *path, GError **err)
{
	sqlite3 *h = NULL;

	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		input_error(err, "%s: no such database", path);
		return NULL;
	}
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		input_error(err, "%s: not a database (not a regular file)", path);
		return NULL;
	}
	/* NOMUTEX: a connection is only ever used by the thread that
	 * opened it, so SQLite's per-call connection mutex buys nothing and
	 * costs a lock and an unlock on every sqlite3_column_* (a merge reads
	 * every value of every row through one: a quarter of its CPU). */
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		input_error(err, "%s: cannot open database: %s", path,
		    h != NULL ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 60000);
	/* Nothing in the file's schema may call functions with side effects
	 * (a view or trigger of a hand-made database). */
	sqlite3_db_config(h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_db_config(h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	return h;
}

bool
db_check_writable(const char *path, GError **err)
{
	sqlite3 *h;
	enum dbkind kind;
	int64_t version;
	char *detail = NULL;
	bool ok;

	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return true;		/* made afresh (or ":memory:") */
	if ((h = open_ro(path, err)) == NULL)
		return false;
	ok = identify(h, path, &kind, &version, &detail, err);
	sqlite3_close(h);
	if (ok && kind == DBK_FOREIGN) {
		input_error(err, "%s: not a vfssim database (%s): vfssim records "
		    "only into a database of its own or a new file, and has left "
		    "this one as it was", path, detail);
		ok = false;
	} else if (ok && kind == DBK_VFSSIM && version > DB_SCHEMA_VERSION) {
		input_error(err, "%s: written by a newer vfssim (database schema "
		    "%lld; this one knows %d and older)", path, (long long)version,
		    DB_SCHEMA_VERSION);
		ok = false;
	}
	g_free(detail);
	return ok;
}

/* ---- what the readers take from it ----------------------------------- */

/*
 * The tables the readers use and the columns they take from each.  Only
 * runs must be there; a table an older vfssim did not write is read as
 * empty.  A table that is there must be a table (not a view, which could
 * compute without end) with these columns.
 */
static const struct {
	const char	*table;
	const char	*cols[8];
} read_tables[] = {
	{ "summary", { "run", "metric", "value", NULL } },
	{ "latency_hist", { "run", "call", "lo_ns", "hi_ns", "count", NULL } },
	{ "time_split", { "run", "call", "part", "ns", NULL } },
	{ "mrc", { "run", "buffers", "miss_ratio", NULL } },
	{ "syscalls", { "run", "seq", "call", "class", "start_ns", "end_ns",
	    NULL } },
	{ "disk_io", { "run", "seq", "start_ns", "is_write", NULL } },
	{ "samples", { "run", "seq", "t_ns", "numdirtybuffers",
	    "numfreebuffers", "disk_qlen", NULL } },
	{ "waits", { "run", "t_ns", "wmesg", "procs", NULL } },
	{ "crash", { "run", "t_ns", "metric", "value", NULL } },
	{ "run_settings", { "run", "key", "value", NULL } },
};

/*
 * The rules every row of the tables read whole must keep, as the schema
 * in metrics.c states them (and some it cannot: ranges).  Each is an SQL
 * condition true of a good row; key names the row in a message.
 */
struct rowrule {
	const char	*cond;
	const char	*what;
};

#define MAXNS	"4611686018427387904"	/* DB_MAX_NS */
#define MAXCNT	"1125899906842624"	/* 2^50: calls of one type in a run */

static const struct {
	const char	*table;
	const char	*key;
	struct rowrule	 rules[10];
} row_rules[] = {
	{ "runs", "'id ' || quote(id)", {
		{ "typeof(id) = 'integer' AND id > 0",
		  "id must be a positive integer" },
		{ "typeof(trace) = 'text'", "trace must be text" },
		{ "typeof(profile) = 'text'", "profile must be text" },
		{ "typeof(seed) = 'integer'", "seed must be an integer" },
		{ "status IN ('running', 'complete', 'failed')",
		  "status must be running, complete or failed" },
		{ "label IS NULL OR typeof(label) = 'text'",
		  "label must be text or NULL" },
		{ "profile_sources IS NULL OR typeof(profile_sources) = 'text'",
		  "profile_sources must be text or NULL" },
		{ "format IS NULL OR typeof(format) = 'text'",
		  "format must be text or NULL" },
		{ "started IS NULL OR typeof(started) = 'text'",
		  "started must be text or NULL" },
		{ NULL, NULL } } },
	{ "run_settings", "'run ' || quote(run) || ', key ' || "
	  "substr(quote(key), 1, 60)", {
		{ "typeof(run) = 'integer'", "run must be an integer" },
		{ "typeof(key) = 'text'", "key must be text" },
		{ "typeof(value) = 'text'", "value must be text" },
		{ NULL, NULL } } },
	{ "summary", "'run ' || quote(run) || ', metric ' || "
	  "substr(quote(metric), 1, 60)", {
		{ "typeof(run) = 'integer'", "run must be an integer" },
		{ "typeof(metric) = 'text'", "metric must be text" },
		{ "value IS NULL OR (typeof(value) IN ('integer', 'real') AND "
		  "abs(value) <= 9.0e18)",
		  "value must be a number of magnitude at most 9e18, or NULL" },
		{ NULL, NULL } } },
	{ "latency_hist", "'run ' || quote(run) || ', call ' || "
	  "substr(quote(call), 1, 60) || ', lo_ns ' || quote(lo_ns)", {
		{ "typeof(run) = 'integer'", "run must be an integer" },
		{ "typeof(call) = 'text'", "call must be text" },
		{ "typeof(lo_ns) = 'integer' AND lo_ns BETWEEN 0 AND " MAXNS,
		  "lo_ns must be an integer from 0 to 2^62" },
		{ "typeof(hi_ns) = 'integer' AND hi_ns BETWEEN lo_ns AND " MAXNS,
		  "hi_ns must be an integer from lo_ns to 2^62" },
		{ "typeof(count) = 'integer' AND count BETWEEN 0 AND " MAXCNT,
		  "count must be an integer from 0 to 2^50" },
		{ NULL, NULL } } },
	{ "time_split", "'run ' || quote(run) || ', call ' || "
	  "substr(quote(call), 1, 60) || ', part ' || substr(quote(part), 1, 60)", {
		{ "typeof(run) = 'integer'", "run must be an integer" },
		{ "typeof(call) = 'text'", "call must be text" },
		{ "typeof(part) = 'text'", "part must be text" },
		{ "typeof(ns) = 'integer' AND ns BETWEEN 0 AND " MAXNS,
		  "ns must be an integer from 0 to 2^62" },
		{ NULL, NULL } } },
	{ "mrc", "'run ' || quote(run) || ', buffers ' || quote(buffers)", {
		{ "typeof(run) = 'integer'", "run must be an integer" },
		{ "typeof(buffers) = 'integer' AND buffers BETWEEN 0 AND "
		  "1099511627776", "buffers must be an integer from 0 to 2^40" },
		{ "typeof(miss_ratio) IN ('integer', 'real') AND miss_ratio "
		  "BETWEEN 0 AND 1", "miss_ratio must be a number from 0 to 1" },
		{ NULL, NULL } } },
	{ "crash", "'run ' || quote(run) || ', t_ns ' || quote(t_ns) || "
	  "', metric ' || substr(quote(metric), 1, 60)", {
		{ "typeof(run) = 'integer'", "run must be an integer" },
		{ "typeof(t_ns) = 'integer' AND t_ns BETWEEN 0 AND " MAXNS,
		  "t_ns must be an integer from 0 to 2^62" },
		{ "typeof(metric) = 'text'", "metric must be text" },
		{ "typeof(value) IN ('integer', 'real') AND abs(value) <= 9.0e18",
		  "value must be a number of magnitude at most 9e18" },
		{ NULL, NULL } } },
};

/* Is the table there?  False (with *err) if it is there but is not a
 * table with the columns readers take. */
static bool
check_table(sqlite3 *h, const char *path, const char *table,
    const char *const *cols, bool *present, GError **err)
{
	char *type = object_type(h, table);
	const char *missing = NULL;

	*present = type != NULL;
	if (type == NULL)
		return true;
	if (strcmp(type, "table") != 0) {
		input_error(err, "%s: %s is a %s, not a table", path, table, type);
		g_free(type);
		return false;
	}
	g_free(type);
	if (!has_columns(h, table, cols, &missing)) {
		input_error(err, "%s: table %s has no column %s", path, table,
		    missing);
		return false;
	}
	return true;
}

/* The first row of a table that breaks a rule: one pass over the table. */
static bool
check_rows(sqlite3 *h, const char *path, unsigned t, GError **err)
{
	GString *sql = g_string_new("SELECT ");
	GString *all = g_string_new("");
	sqlite3_stmt *s = NULL;
	bool ok = false;
	unsigned i;
	int rc;

	g_string_append_printf(sql, "%s, CASE", row_rules[t].key);
	for (i = 0; row_rules[t].rules[i].cond != NULL; i++) {
		/* a rule on NULL is NULL: counted as broken */
		g_string_append_printf(sql, " WHEN NOT coalesce((%s), 0) THEN %u",
		    row_rules[t].rules[i].cond, i);
		g_string_append_printf(all, "%scoalesce((%s), 0)", i ? " AND " : "",
		    row_rules[t].rules[i].cond);
	}
	g_string_append_printf(sql, " END FROM \"%s\" WHERE NOT (%s) LIMIT 1",
	    row_rules[t].table, all->str);
	if (sqlite3_prepare_v2(h, sql->str, -1, &s, NULL) != SQLITE_OK) {
		input_error(err, "%s: table %s cannot be read: %s", path,
		    row_rules[t].table, sqlite3_errmsg(h));
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		char *key = db_printable((const char *)sqlite3_column_text(s, 0));
		int r = sqlite3_column_int(s, 1);

		input_error(err, "%s: table %s, row %s: %s", path,
		    row_rules[t].table, key, row_rules[t].rules[r].what);
		g_free(key);
		goto out;
	}
	if (rc != SQLITE_DONE) {
		input_error(err, "%s: table %s cannot be read: %s", path,
		    row_rules[t].table, sqlite3_errmsg(h));
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(s);
	g_string_free(sql, TRUE);
	g_string_free(all, TRUE);
	return ok;
}

/* A run's latency histogram sums to a count of calls that fits in an
 * int64_t however its buckets are added. */
static bool
check_hist_totals(sqlite3 *h, const char *path, GError **err)
{
	sqlite3_stmt *s;
	bool ok = true;

	if (sqlite3_prepare_v2(h, "SELECT run FROM latency_hist GROUP BY run "
	    "HAVING total(count) > " MAXCNT " LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return true;	/* no such table */
	if (sqlite3_step(s) == SQLITE_ROW) {
		input_error(err, "%s: table latency_hist, the rows of run %lld: "
		    "their counts add up to more than 2^50 calls", path,
		    (long long)sqlite3_column_int64(s, 0));
		ok = false;
	}
	sqlite3_finalize(s);
	return ok;
}

sqlite3 *
db_open_readonly(const char *path, GError **err)
{
	sqlite3 *h = open_ro(path, err);
	enum dbkind kind;
	int64_t version;
	char *detail = NULL;
	bool present;
	unsigned i;

	if (h == NULL)
		return NULL;
	if (!identify(h, path, &kind, &version, &detail, err))
		goto bad;
	if (kind != DBK_VFSSIM) {
		input_error(err, "%s: not a vfssim database (%s)", path,
		    kind == DBK_EMPTY ? "it is empty" : detail);
		goto bad;
	}
	if (version > DB_SCHEMA_VERSION) {
		input_error(err, "%s: written by a newer vfssim (database schema "
		    "%lld; this one reads %d and older)", path, (long long)version,
		    DB_SCHEMA_VERSION);
		goto bad;
	}
	if (!check_table(h, path, "runs", runs_columns, &present, err))
		goto bad;
	if (!present) {
		input_error(err, "%s: not a vfssim database (no runs table)", path);
		goto bad;
	}
	for (i = 0; i < G_N_ELEMENTS(read_tables); i++)
		if (!check_table(h, path, read_tables[i].table,
		    read_tables[i].cols, &present, err))
			goto bad;
	for (i = 0; i < G_N_ELEMENTS(row_rules); i++) {
		char *type = object_type(h, row_rules[i].table);

		if (type != NULL && !check_rows(h, path, i, err)) {
			g_free(type);
			goto bad;
		}
		g_free(type);
	}
	if (!check_hist_totals(h, path, err))
		goto bad;
	g_free(detail);
	return h;
bad:
	g_free(detail);
	sqlite3_close(h);
	return NULL;
}
