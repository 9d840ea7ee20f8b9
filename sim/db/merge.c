/*
 * merge.c — runs of several databases copied into one (see merge.h).
 *
 * Every input goes into one transaction.  An input's rows are copied
 * inside SQLite, attached read-only to the output's connection (one
 * INSERT ... SELECT a table and run), while SQLite can attach more (ten,
 * and none can be detached inside the transaction); the rest, and a row
 * SQLite refuses (to name it), value by value through prepared
 * statements.  Only the columns both sides know are copied, so a
 * database written by an older vfssim merges into a newer one (the
 * columns it lacks stay NULL).  (A compare's or sweep's runs are not
 * merged: they are written straight into their database,
 * metrics_open_shared.)
 */
#include "merge.h"
#include "dbopen.h"
#include "metrics.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>

G_DEFINE_QUARK(vfssim-merge-error-quark, merge_error)

/* The columns of table in db, in order; empty if there is no such table. */
static GPtrArray *
columns_of(sqlite3 *db, const char *table)
{
	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q) "
	    "ORDER BY cid", table);
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		while (sqlite3_step(s) == SQLITE_ROW)
			g_ptr_array_add(cols, g_strdup((const char *)
			    sqlite3_column_text(s, 0)));
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return cols;
}

/* The order a table's rows were stored in: rowid, or the primary key of
 * a WITHOUT ROWID table. */
static char *
order_of(sqlite3 *db, const char *table)
{
	GString *o = g_string_new("");
	char *sql = sqlite3_mprintf("SELECT rowid FROM \"%w\" LIMIT 0", table);
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_finalize(s);
		sqlite3_free(sql);
		g_string_assign(o, "rowid");
		return g_string_free(o, FALSE);
	}
	sqlite3_free(sql);
	sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q) "
	    "WHERE pk > 0 ORDER BY pk", table);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
			while (sqlite3_step(s) == SQLITE_ROW) {
			/* a name from the input: quoted as an identifier */
			char *q = sqlite3_mprintf("%s\"%w\"", o->len ? ", " : "",
			    (const char *)sqlite3_column_text(s, 0));

			g_string_append(o, q);
			sqlite3_free(q);
		}
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return g_string_free(o, FALSE);
}

/* Append fmt with one identifier, quoted as SQL quotes one ("%w"). */
static void
append_ident(GString *to, const char *fmt, const char *name)
{
	char *q = sqlite3_mprintf(fmt, name);

	g_string_append(to, q);
	sqlite3_free(q);
}

static bool
has(GPtrArray *cols, const char *name)
{
	guint i;

	for (i = 0; i < cols->len; i++)
		if (strcmp(g_ptr_array_index(cols, i), name) == 0)
			return true;
	return false;
}

/*
 * A vfssim database, opened read-only and checked (db_open_readonly: its
 * runs and the tables read whole keep the schema), or NULL with *err set.
 */
static sqlite3 *
open_input(const char *path, const char *out, GError **err)
{
	struct stat a, b;

	if (stat(path, &a) == 0 && stat(out, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_INPUT,
		    "%s: is the output database itself", path);
		return NULL;
	}
	return db_open_readonly(path, err);
}

/*
 * Copy the rows of run `from` in table of src into dst as run `to`.  The
 * rows go in COPY_MULTI to an INSERT (a statement's fixed cost paid once
 * for many rows), in the order they were stored.
 */
#define COPY_MULTI	32

static sqlite3_stmt *
prepare_insert(sqlite3 *dst, const GString *head, guint n, guint rows)
{
	GString *ins = g_string_new(head->str);
	sqlite3_stmt *s = NULL;
	guint r, i;

	for (r = 0; r < rows; r++) {
		g_string_append(ins, r == 0 ? "(?" : ",(?");
		for (i = 0; i < n; i++)
			g_string_append(ins, ",?");
		g_string_append_c(ins, ')');
	}
	if (sqlite3_prepare_v2(dst, ins->str, -1, &s, NULL) != SQLITE_OK)
		s = NULL;
	g_string_free(ins, TRUE);
	return s;
}

/*
 * The first of count rows of run from (in sel's order) from row first on
 * (0-based) that ws1 refuses, numbered from 1; dst's error is that row's.
 * Rows before it are inserted (the caller rolls everything back).
 */
static int64_t
bad_row(sqlite3 *src, sqlite3 *dst, const char *sel, sqlite3_stmt *ws1,
    guint n, int64_t from, int64_t first, int64_t count)
{
	char *q = g_strdup_printf("%s LIMIT ? OFFSET ?", sel);
	sqlite3_stmt *rs = NULL;
	int64_t k, bad = first + 1;
	guint i;

	if (sqlite3_prepare_v2(src, q, -1, &rs, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(rs, 1, from);
		sqlite3_bind_int64(rs, 2, count);
		sqlite3_bind_int64(rs, 3, first);
		for (k = 0; sqlite3_step(rs) == SQLITE_ROW; k++) {
			for (i = 0; i < n; i++)
				sqlite3_bind_value(ws1, (int)i + 2,
				    sqlite3_column_value(rs, (int)i));
			if (sqlite3_step(ws1) != SQLITE_DONE) {
				bad = first + k + 1;
				break;
			}
			sqlite3_reset(ws1);
		}
	}
	sqlite3_finalize(rs);
	g_free(q);
	return bad;
}

/*
 * The fast way: src is attached to dst as schema `as` (db_merge_add), and
 * one INSERT ... SELECT copies the run's rows inside SQLite, in the order
 * they were stored -- no value crosses the API, which makes it about three
 * times cheaper than binding every value (the merge is what a sweep's
 * runs wait for).  False, with dst's transaction intact, if SQLite refused
 * it: the caller copies the rows again one by one, which names the bad row.
 */
static bool
copy_attached(sqlite3 *dst, const char *as, const char *table,
    const GString *cols, const char *order, int64_t from, int64_t to)
{
	GString *q = g_string_new("");
	sqlite3_stmt *s = NULL;
	bool ok;

	append_ident(q, "INSERT INTO main.\"%w\" (run, ", table);
	g_string_append(q, cols->str);
	g_string_append(q, ") SELECT ?1, ");
	g_string_append(q, cols->str);
	append_ident(q, " FROM \"%w\".", as);
	append_ident(q, "\"%w\" WHERE run = ?2 ORDER BY ", table);
	g_string_append(q, order);
	ok = sqlite3_prepare_v2(dst, q->str, -1, &s, NULL) == SQLITE_OK;
	if (ok) {
		sqlite3_bind_int64(s, 1, to);
		sqlite3_bind_int64(s, 2, from);
		ok = sqlite3_step(s) == SQLITE_DONE;
	}
	sqlite3_finalize(s);
	g_string_free(q, TRUE);
	return ok;
}

static bool
copy_table(sqlite3 *src, sqlite3 *dst, const char *as, const char *table,
    int64_t from, int64_t to, GError **err)
{
	GPtrArray *scols = columns_of(src, table), *dcols;
	GString *sel = g_string_new("SELECT "), *ins, *cols;
	sqlite3_stmt *rs = NULL, *cs = NULL, *ws1 = NULL, *wsm = NULL;
	char *order = NULL, *count = NULL;
	bool ok = false;
	guint i, n = 0;
	int64_t rows = 0, full, j;
	int rc;

	if (scols->len == 0) {		/* an older database without it */
		g_ptr_array_free(scols, TRUE);
		g_string_free(sel, TRUE);
		return true;
	}
	dcols = columns_of(dst, table);
	ins = g_string_new("");
	cols = g_string_new("");
	append_ident(ins, "INSERT INTO \"%w\" (run", table);
	for (i = 0; i < dcols->len; i++) {
		const char *c = g_ptr_array_index(dcols, i);

		if (strcmp(c, "run") == 0 || !has(scols, c))
			continue;
		append_ident(sel, n ? ", \"%w\"" : "\"%w\"", c);
		append_ident(ins, ", \"%w\"", c);
		append_ident(cols, n ? ", \"%w\"" : "\"%w\"", c);
		n++;
	}
	order = order_of(src, table);
	append_ident(sel, " FROM \"%w\" WHERE run = ? ORDER BY ", table);
	g_string_append(sel, order);
	g_string_append(ins, ") VALUES ");
	if (n == 0) {
		ok = true;
		goto out;
	}
	if (as != NULL && copy_attached(dst, as, table, cols, order, from, to)) {
		ok = true;
		goto out;
	}
	if (sqlite3_get_autocommit(dst)) {
		/* the refusal took the merge's transaction with it */
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s", table,
		    sqlite3_errmsg(dst));
		goto out;
	}
	/* How many: all but the last few go COPY_MULTI to a statement, the
	 * values bound as they are read. */
	count = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE run = ?", table);
	if (sqlite3_prepare_v2(src, count, -1, &cs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(src, sel->str, -1, &rs, NULL) != SQLITE_OK ||
	    (ws1 = prepare_insert(dst, ins, n, 1)) == NULL ||
	    (wsm = prepare_insert(dst, ins, n, COPY_MULTI)) == NULL) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s", table,
		    sqlite3_errmsg(cs == NULL || rs == NULL ? src : dst));
		goto out;
	}
	sqlite3_bind_int64(cs, 1, from);
	if (sqlite3_step(cs) == SQLITE_ROW)
		rows = sqlite3_column_int64(cs, 0);
	full = rows - rows % COPY_MULTI;
	sqlite3_bind_int64(rs, 1, from);
	for (j = 0; j < COPY_MULTI; j++)
		sqlite3_bind_int64(wsm, (int)(j * (n + 1) + 1), to);
	sqlite3_bind_int64(ws1, 1, to);
	for (j = 0; (rc = sqlite3_step(rs)) == SQLITE_ROW; j++) {
		sqlite3_stmt *ws = j < full ? wsm : ws1;
		int base = j < full ? (int)((j % COPY_MULTI) * (n + 1)) : 0;

		for (i = 0; i < n; i++)
			sqlite3_bind_value(ws, base + (int)i + 2,
			    sqlite3_column_value(rs, (int)i));
		if (j >= full || j % COPY_MULTI == COPY_MULTI - 1) {
			if (sqlite3_step(ws) != SQLITE_DONE) {
				/* which row: those of a refused statement
				 * again, one at a time (the statement's own
				 * rows are undone: SQLite's ABORT) */
				int64_t bad = j + 1;

				sqlite3_reset(ws);
				if (ws == wsm)
					bad = bad_row(src, dst, sel->str, ws1, n,
					    from, j + 1 - COPY_MULTI, COPY_MULTI);
				/* a row the schema refuses (a NULL where it
				 * takes none) is the input's fault */
				g_set_error(err, MERGE_ERROR,
				    (sqlite3_errcode(dst) & 0xff) ==
				    SQLITE_CONSTRAINT ? MERGE_ERROR_INPUT :
				    MERGE_ERROR_FAILED, "table %s, row %lld of "
				    "the run: %s", table, (long long)bad,
				    sqlite3_errmsg(dst));
				goto out;
			}
			sqlite3_reset(ws);
		}
	}
	if (rc != SQLITE_DONE || j != rows) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s", table,
		    rc != SQLITE_DONE ? sqlite3_errmsg(src) : "rows changed "
		    "while copied");
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(cs);
	sqlite3_finalize(rs);
	sqlite3_finalize(ws1);
	sqlite3_finalize(wsm);
	sqlite3_free(count);
	g_free(order);
	g_string_free(sel, TRUE);
	g_string_free(ins, TRUE);
	g_string_free(cols, TRUE);
	g_ptr_array_free(scols, TRUE);
	g_ptr_array_free(dcols, TRUE);
	return ok;
}

/*
 * Is run `from` of src already in dst: a complete run of the same trace
 * contents (the digest of its files, or for a generator's calls, which
 * have no file, the same generator, parameters and seed: the trace's
 * name), settings (the effective profile), seed, label and vfssim (version
 * and commit)?  Each run is deterministic, so such a run is the same run
 * again: merged twice, it would pass for a second seed.  Its id in dst,
 * or 0.  Runs written before schema 2 (no digest) are never taken for
 * one another.  before > 0: only runs of dst with a lower id (src and dst
 * the same database: the runs there before it).
 */
static int64_t
duplicate_of(sqlite3 *src, sqlite3 *dst, int64_t from, int64_t before)
{
	sqlite3_stmt *r = NULL, *q = NULL;
	int64_t dup = 0;
	int i;

	if (sqlite3_prepare_v2(src, "SELECT trace_digest, format, trace, "
	    "profile, seed, label, version, commit_id FROM runs WHERE id = ?",
	    -1, &r, NULL) != SQLITE_OK)
		return 0;		/* an input older than schema 2 */
	sqlite3_bind_int64(r, 1, from);
	if (sqlite3_step(r) != SQLITE_ROW ||
	    (sqlite3_column_type(r, 0) == SQLITE_NULL &&
	    g_strcmp0((const char *)sqlite3_column_text(r, 1), "generated") != 0))
		goto out;
	if (sqlite3_prepare_v2(dst, "SELECT id FROM runs WHERE status = "
	    "'complete' AND (trace_digest = ?1 OR (?1 IS NULL AND trace_digest "
	    "IS NULL AND format = ?2 AND trace = ?3)) AND profile = ?4 AND "
	    "seed = ?5 AND label IS ?6 AND version IS ?7 AND commit_id IS ?8 "
	    "AND (?9 IS NULL OR id < ?9) ORDER BY id LIMIT 1", -1, &q, NULL) !=
	    SQLITE_OK)
		goto out;
	for (i = 0; i < 8; i++)
		sqlite3_bind_value(q, i + 1, sqlite3_column_value(r, i));
	if (before > 0)
		sqlite3_bind_int64(q, 9, before);
	if (sqlite3_step(q) == SQLITE_ROW)
		dup = sqlite3_column_int64(q, 0);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(r);
	return dup;
}

/* Copy one input's complete runs. */
static bool
merge_one(sqlite3 *src, const char *srcname, sqlite3 *dst, const char *dstname,
    const char *as, GArray *ids, guint *skipped, GPtrArray *dups, GError **err)
{
	GArray *runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray *scols = columns_of(src, "runs"), *dcols = columns_of(dst, "runs");
	GString *sel = g_string_new("SELECT "), *ins = g_string_new("INSERT INTO runs (");
	sqlite3_stmt *s = NULL, *rs = NULL, *ws = NULL;
	bool ok = false;
	guint i, n = 0;

	if (sqlite3_prepare_v2(src, "SELECT id, status = 'complete' FROM runs "
	    "ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_INPUT, "%s: %s", srcname,
		    sqlite3_errmsg(src));
		goto out;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		if (sqlite3_column_int(s, 1))
			g_array_append_val(runs, id);
		else if (skipped != NULL)
			(*skipped)++;
	}
	sqlite3_finalize(s);
	s = NULL;
	for (i = 0; i < dcols->len; i++) {
		const char *c = g_ptr_array_index(dcols, i);

		if (strcmp(c, "id") == 0 || !has(scols, c))
			continue;
		append_ident(sel, n ? ", \"%w\"" : "\"%w\"", c);
		append_ident(ins, n ? ", \"%w\"" : "\"%w\"", c);
		n++;
	}
	g_string_append(sel, " FROM runs WHERE id = ?");
	g_string_append(ins, ") VALUES (");
	for (i = 0; i < n; i++)
		g_string_append(ins, i ? ",?" : "?");
	g_string_append(ins, ")");
	if (sqlite3_prepare_v2(src, sel->str, -1, &rs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(dst, ins->str, -1, &ws, NULL) != SQLITE_OK) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: runs: %s",
		    srcname, sqlite3_errmsg(rs == NULL ? src : dst));
		goto out;
	}
	for (i = 0; i < runs->len; i++) {
		int64_t from = g_array_index(runs, int64_t, i), to, dup;
		guint c;
		int t;

		if ((dup = duplicate_of(src, dst, from, 0)) > 0) {
			char *m = g_strdup_printf("%s: run %lld is run %lld of %s "
			    "again (the same trace contents, settings, seed, label "
			    "and vfssim): merged twice, it would count as another "
			    "seed", srcname, (long long)from, (long long)dup,
			    dstname);

			if (dups == NULL) {
				g_set_error(err, MERGE_ERROR, MERGE_ERROR_INPUT,
				    "%s; nothing was merged (vfssim merge "
				    "--allow-duplicates takes it all the same)", m);
				g_free(m);
				goto out;
			}
			g_ptr_array_add(dups, m);
		}

		sqlite3_reset(rs);
		sqlite3_bind_int64(rs, 1, from);
		if (sqlite3_step(rs) != SQLITE_ROW) {
			g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED,
			    "%s: run %lld vanished", srcname, (long long)from);
			goto out;
		}
		for (c = 0; c < n; c++)
			sqlite3_bind_value(ws, (int)c + 1,
			    sqlite3_column_value(rs, (int)c));
		if (sqlite3_step(ws) != SQLITE_DONE) {
			g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "runs: %s",
			    sqlite3_errmsg(dst));
			goto out;
		}
		sqlite3_reset(ws);
		to = sqlite3_last_insert_rowid(dst);
		for (t = 0; metrics_run_tables[t] != NULL; t++)
			if (!copy_table(src, dst, as, metrics_run_tables[t], from,
			    to, err)) {
				g_prefix_error(err, "%s: run %lld: ", srcname,
				    (long long)from);
				goto out;
			}
		if (ids != NULL)
			g_array_append_val(ids, to);
	}
	ok = true;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(rs);
	sqlite3_finalize(ws);
	g_string_free(sel, TRUE);
	g_string_free(ins, TRUE);
	g_ptr_array_free(scols, TRUE);
	g_ptr_array_free(dcols, TRUE);
	g_array_free(runs, TRUE);
	return ok;
}

int64_t
db_duplicate_of(sqlite3 *db, int64_t run)
{
	return duplicate_of(db, db, run, run);
}

struct db_merger {
	sqlite3		*dst;
	char		*out;
	bool		 created;	/* out did not exist before */
	GArray		*ids;		/* the caller's, and its length before */
	guint		 before;
	GPtrArray	*dups;		/* the caller's: duplicates said, or NULL:
					   refused */
	int		 attached;	/* inputs attached to dst so far */
	bool		 uri;		/* dst opened with SQLITE_OPEN_URI: its
					   ATTACH reads file: URIs */
};

/* path as a file: URI (absolute, escaped: no '?', '#' or '%' in it reads
 * as anything but the name), with a query such as "?mode=ro". */
static char *
uri_of(const char *path, const char *query)
{
	char *cwd = g_get_current_dir();
	char *abs = g_canonicalize_filename(path, cwd);
	char *esc = g_uri_escape_string(abs, "/", FALSE);
	char *uri = g_strdup_printf("file:%s%s", esc, query);

	g_free(cwd);
	g_free(abs);
	g_free(esc);
	return uri;
}

struct db_merger *
db_merge_begin(const char *out, GArray *ids, GPtrArray *dups, GError **err)
{
	struct db_merger *mg = g_new0(struct db_merger, 1);
	struct metrics *m;
	int rc;

	mg->out = g_strdup(out);
	mg->created = !g_file_test(out, G_FILE_TEST_EXISTS);
	mg->ids = ids;
	mg->before = ids != NULL ? ids->len : 0;
	mg->dups = dups;
	/* The output's schema, current: created or brought up to date. */
	if ((m = metrics_open(out, err)) == NULL)
		goto fail;
	metrics_close(m);
	/* NOMUTEX: the merger's connection stays in the thread that
	 * merges (batch.c's main thread, or vfssim merge), and SQLite's
	 * connection mutex would be taken and released on every value
	 * bound.  SQLITE_OPEN_URI, so that the inputs can be attached
	 * read-only (attach): a connection reads URIs in ATTACH only if it
	 * was opened so, whatever SQLite's build.  It changes nothing for a
	 * name but one that begins "file:", which is opened as metrics_open
	 * opened it, without, and its inputs are not attached. */
	mg->uri = strncmp(out, "file:", 5) != 0;
	rc = sqlite3_open_v2(out, &mg->dst, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX | (mg->uri ? SQLITE_OPEN_URI : 0), NULL);
	if (rc != SQLITE_OK) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s", out,
		    mg->dst != NULL ? sqlite3_errmsg(mg->dst) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(mg->dst, 60000);
	/* The inputs are attached to this connection (db_merge_add): as
	 * when read through db_open_readonly, nothing in their schemas may
	 * call a function with side effects. */
	sqlite3_db_config(mg->dst, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_db_config(mg->dst, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	if (sqlite3_exec(mg->dst, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s", out,
		    sqlite3_errmsg(mg->dst));
		goto fail;
	}
	return mg;
fail:
	db_merge_abort(mg);
	return NULL;
}

/*
 * Attach input `in`, checked already (open_input), to the output's
 * connection, read-only, for copy_attached: its name there, or NULL if it
 * cannot be -- then its rows are copied value by value.  Inside the
 * merge's one transaction an input can be attached but not detached
 * again (SQLite keeps its read transaction open until the commit), so
 * only as many inputs as SQLite attaches at once (SQLITE_MAX_ATTACHED, 10
 * in most builds) take the fast way; the rest, the slow one.
 */
static char *
attach(struct db_merger *mg, const char *in)
{
	sqlite3_stmt *s = NULL;
	char *uri, *as;
	bool ok;

	/* Without URIs, "file:...?mode=ro" would be taken for a file's name
	 * and made. */
	if (!mg->uri ||
	    mg->attached >= sqlite3_limit(mg->dst, SQLITE_LIMIT_ATTACHED, -1))
		return NULL;
	/* A URI, to open it read-only (and never roll back a journal of
	 * the input's). */
	uri = uri_of(in, "?mode=ro");
	as = g_strdup_printf("in%d", mg->attached);
	ok = sqlite3_prepare_v2(mg->dst, "ATTACH ?1 AS ?2", -1, &s, NULL) ==
	    SQLITE_OK;
	if (ok) {
		sqlite3_bind_text(s, 1, uri, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, as, -1, SQLITE_STATIC);
		ok = sqlite3_step(s) == SQLITE_DONE;
	}
	sqlite3_finalize(s);
	g_free(uri);
	if (!ok) {
		g_free(as);
		return NULL;
	}
	mg->attached++;
	return as;
}

bool
db_merge_add(struct db_merger *mg, const char *in, guint *skipped,
    GError **err)
{
	sqlite3 *src = open_input(in, mg->out, err);
	char *as = NULL;
	bool ok;

	if (src == NULL)
		return false;
	as = attach(mg, in);
	ok = merge_one(src, in, mg->dst, mg->out, as, mg->ids, skipped,
	    mg->dups, err);
	/* The per-call tables' index, once there are two runs, and kept up
	 * to date by the later ones: built at the commit, it would be work
	 * the last run's merge waits for; here, for most inputs, the runs
	 * still going (a sweep's) hide it. */
	if (ok && !metrics_index_runs(mg->dst)) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s",
		    mg->out, sqlite3_errmsg(mg->dst));
		ok = false;
	}
	sqlite3_close(src);
	g_free(as);
	return ok;
}

bool
db_merge_commit(struct db_merger *mg, GError **err)
{
	/* More than one run: the per-call tables' index (metrics.c) is made
	 * in the merge's transaction -- by db_merge_add as soon as there are
	 * two runs; here only if the output had none (no input added). */
	bool ok = metrics_index_runs(mg->dst) &&
	    sqlite3_exec(mg->dst, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;

	if (!ok) {
		g_set_error(err, MERGE_ERROR, MERGE_ERROR_FAILED, "%s: %s",
		    mg->out, sqlite3_errmsg(mg->dst));
		db_merge_abort(mg);
		return false;
	}
	db_close_writer(mg->dst);	/* the WAL folded in: one file */
	g_free(mg->out);
	g_free(mg);
	return true;
}

void
db_merge_abort(struct db_merger *mg)
{
	if (mg == NULL)
		return;
	if (mg->dst != NULL) {
		sqlite3_exec(mg->dst, "ROLLBACK", NULL, NULL, NULL);
		db_close_writer(mg->dst);
	}
	if (mg->ids != NULL)
		g_array_set_size(mg->ids, mg->before);
	if (mg->created) {
		/* nothing added: not even the file */
		char *wal = g_strdup_printf("%s-wal", mg->out);
		char *shm = g_strdup_printf("%s-shm", mg->out);

		unlink(mg->out);
		unlink(wal);
		unlink(shm);
		g_free(wal);
		g_free(shm);
	}
	g_free(mg->out);
	g_free(mg);
}

bool
db_merge(const char *out, char *const *in, guint nin, GArray *ids,
    guint *skipped, GPtrArray *dups, GError **err)
{
	struct db_merger *mg;
	sqlite3 *src;
	guint i;

	if (skipped != NULL)
		*skipped = 0;
	/* Every input is checked before the output is touched. */
	for (i = 0; i < nin; i++) {
		if ((src = open_input(in[i], out, err)) == NULL)
			return false;
		sqlite3_close(src);
	}
	if ((mg = db_merge_begin(out, ids, dups, err)) == NULL)
		return false;
	for (i = 0; i < nin; i++)
		if (!db_merge_add(mg, in[i], skipped, err)) {
			db_merge_abort(mg);
			return false;
		}
	return db_merge_commit(mg, err);
}
