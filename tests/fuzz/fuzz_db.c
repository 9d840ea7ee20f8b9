/*
 * fuzz_db.c — a results database, read by everything that reads one:
 * db_open_readonly, then one of (the input's last byte picks, so that an
 * input costs one reader's time) vfssim merge (db_merge into a new
 * database), the run's summary (report_summary) and compare's tables (text,
 * TSV, HTML), every plot kind (their data files and gnuplot script;
 * gnuplot is not run), the HTML report (likewise).  Nothing read may crash
 * or overflow.
 *
 * An input that begins as an SQLite file does ("SQLite format 3") is the
 * database.  Any other is SQL, run into a new database to make it by
 * hand: so the fuzzer writes rows, NULLs, huge values, odd tables and views
 * as text, statement by statement (one refused or wrong is skipped).  That
 * SQL may only make and fill tables, views and indexes and set the
 * application_id and user_version: no ATTACH (another file), no other
 * pragma, and a statement that runs long is cut short.
 */
#include "fuzz.h"
#include "compare.h"
#include "dbopen.h"
#include "htmlreport.h"
#include "merge.h"
#include "plot.h"
#include "report.h"
#include "variants.h"

#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

static FILE *devnull;

static int
allow(void *arg, int action, const char *a, const char *b, const char *db,
    const char *view)
{
	switch (action) {
	case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_VIEW: case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE:
	case SQLITE_DROP_VIEW: case SQLITE_INSERT: case SQLITE_UPDATE:
	case SQLITE_DELETE: case SQLITE_READ: case SQLITE_SELECT:
	case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT: case SQLITE_FUNCTION:
	case SQLITE_RECURSIVE: case SQLITE_ALTER_TABLE:
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		return a != NULL && (strcmp(a, "application_id") == 0 ||
		    strcmp(a, "user_version") == 0) ? SQLITE_OK : SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

static int
budget(void *arg)
{
	return ++*(int *)arg > 20000;	/* about 20 million VM steps */
}

/* The input as a database file at path. */
static bool
make_db(const char *path, const uint8_t *data, size_t size)
{
	sqlite3 *h = NULL;
	char *sql, *msg = NULL;
	int steps = 0;

	if (size >= 16 && memcmp(data, "SQLite format 3", 16) == 0) {
		fuzz_file("in.db", data, size);
		return true;
	}
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return false;
	}
	sqlite3_limit(h, SQLITE_LIMIT_LENGTH, 1 << 20);
	sqlite3_limit(h, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_set_authorizer(h, allow, NULL);
	sqlite3_progress_handler(h, 1000, budget, &steps);
	/* statement by statement: one refused or wrong is skipped */
	sql = g_strndup((const char *)data, size);
	{
		char *start = sql, *p;

		for (p = sql; *p != '\0'; p++) {
			char c;

			if (*p != ';')
				continue;
			c = p[1];
			p[1] = '\0';
			if (sqlite3_complete(start)) {
				(void)sqlite3_exec(h, start, NULL, NULL, &msg);
				sqlite3_free(msg);
				msg = NULL;
				start = p + 1;
			}
			p[1] = c;
		}
		if (*start != '\0') {
			(void)sqlite3_exec(h, start, NULL, NULL, &msg);
			sqlite3_free(msg);
		}
	}
	g_free(sql);
	sqlite3_close(h);
	return true;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	/* plot and report make their scratch directories here: memory */
	if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR))
		g_setenv("TMPDIR", "/dev/shm", TRUE);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *db, *out, *page;
	char *in[1];
	GError *err = NULL;
	GPtrArray *vs;
	sqlite3 *h;
	int64_t run;
	const struct plot_kind *pk;

	fuzz_begin();
	db = fuzz_path("in.db");
	if (!make_db(db, data, size)) {
		g_free(db);
		return 0;
	}
	/* the one validated open: nothing further unless it passes */
	if ((h = db_open_readonly(db, &err)) == NULL) {
		g_clear_error(&err);
		g_free(db);
		return 0;
	}
	sqlite3_close(h);
	switch (size > 0 ? data[size - 1] % 4 : 0) {
	case 0:
		out = fuzz_path("merged.db");
		in[0] = db;
		if (!db_merge(out, in, 1, NULL, NULL, &err))
			g_clear_error(&err);
		g_free(out);
		break;
	case 1:
		if ((run = report_latest_run(db, &err)) >= 0) {
			if (!report_summary(db, run, devnull, &err))
				g_clear_error(&err);
		} else
			g_clear_error(&err);
		if ((vs = variants_of(db, NULL, &err)) != NULL) {
			if (!compare_print(db, vs, CMP_TEXT, devnull, &err))
				g_clear_error(&err);
			if (!compare_print(db, vs, CMP_TSV, devnull, &err))
				g_clear_error(&err);
			if (!compare_print(db, vs, CMP_HTML, devnull, &err))
				g_clear_error(&err);
			variants_free(vs);
		} else
			g_clear_error(&err);
		break;
	case 2:
		for (pk = plot_kinds; pk->name != NULL; pk++) {
			struct plot_req rq = { 0 };

			rq.db = db;
			rq.kind = pk->name;
			rq.out = "x.svg";
			rq.script_only = true;
			if (!plot_make(&rq, &err))
				g_clear_error(&err);
		}
		break;
	default:
		page = fuzz_path("r.html");
		if (!html_report_draw(db, NULL, page, false, NULL, &err))
			g_clear_error(&err);
		g_free(page);
		break;
	}
	g_free(db);
	return 0;
}
