/*
 * crashreport.c — a run's crashes (crash.at, --crash-at, vfssim crash),
 * from its crash table: a line per instant with what fsck did and how
 * long it took and what the processes lost, then what fsck repaired at
 * each instant, by kind.  Read back from the database, so that what is
 * printed is what was stored.
 */
#include "report.h"
#include "dbopen.h"
#include "metrics.h"

#include <string.h>
#include <sqlite3.h>

/* fsck's repairs, in the order fsck_ffs makes them, as it names them. */
static const struct {
	const char	*metric;
	const char	*what;
} repairs[] = {
	{ "bad_ptrs", "bad block pointers" },
	{ "dup_frags", "duplicate fragments" },
	{ "partial_trunc", "partially truncated" },
	{ "inodes_cleared", "inodes cleared (bad/dup)" },
	{ "dir_salvaged", "directory chunks salvaged" },
	{ "dirent_unalloc", "entries of free inodes" },
	{ "dirs_reconnected", "directories reconnected" },
	{ "unref_cleared", "unreferenced cleared" },
	{ "unref_reconnected", "unreferenced to lost+found" },
	{ "linkcnt_high", "link counts lowered" },
	{ "linkcnt_low", "link counts raised" },
	{ "map_missing", "frags missing in maps" },
	{ "ino_map_missing", "inodes missing in maps" },
	{ "leaked_frags", "leaked frags" },
	{ "leaked_inodes", "leaked inodes" },
};

static double
val(GHashTable *v, const char *metric)
{
	double *d = g_hash_table_lookup(v, metric);

	return d != NULL ? *d : 0;
}

/* "lost/of" */
static char *
lost_of(GHashTable *v, const char *lost, const char *of)
{
	return g_strdup_printf("%.0f/%.0f", val(v, lost), val(v, of));
}

#define ROWFMT	"  %11s %9s %6s %7s %6s %11s %11s %19s %17s %13s\n"

static void
print_instant(FILE *out, int64_t t, GHashTable *v)
{
	double rep = 0;
	unsigned i;
	bool any = false;
	char *c[10];

	for (i = 0; i < G_N_ELEMENTS(repairs); i++)
		rep += val(v, repairs[i].metric);
	c[0] = g_strdup_printf("%.3f s", (double)t / 1e9);
	c[1] = g_strdup_printf("%.2f s", val(v, "fsck_ns") / 1e9);
	c[2] = g_strdup_printf("%.0f", val(v, "fsck_reads"));
	c[3] = g_strdup_printf("%.0f", rep);
	c[4] = g_strdup_printf("%.0f", val(v, "unsafe_repairs"));
	c[5] = lost_of(v, "names_lost", "names");
	c[6] = lost_of(v, "files_lost", "files");
	c[7] = lost_of(v, "bytes_lost", "bytes");
	c[8] = lost_of(v, "fsync_lost_bytes", "fsync_bytes");
	c[9] = lost_of(v, "committed_names_lost", "committed_names");
	fprintf(out, ROWFMT, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
	    c[8], c[9]);
	for (i = 0; i < G_N_ELEMENTS(c); i++)
		g_free(c[i]);
	fprintf(out, "  %11s fsck:", "");
	for (i = 0; i < G_N_ELEMENTS(repairs); i++) {
		double n = val(v, repairs[i].metric);

		if (n > 0) {
			fprintf(out, "%s %.0f %s", any ? "," : "", n,
			    repairs[i].what);
			any = true;
		}
	}
	if (!any)
		fprintf(out, " nothing to repair");
	if (val(v, "writes_inflight") > 0)
		fprintf(out, "; %.0f write%s in flight, %.0f torn",
		    val(v, "writes_inflight"),
		    val(v, "writes_inflight") == 1 ? "" : "s",
		    val(v, "writes_torn"));
	fprintf(out, "\n");
}

bool
report_crash(const char *db, int64_t run, FILE *out, GError **err)
{
	sqlite3 *h = db_open_readonly(db, err);
	sqlite3_stmt *s;
	GHashTable *v;
	int64_t t = -1;
	int rc, n = 0;

	if (h == NULL)
		return false;
	if (sqlite3_prepare_v2(h, "SELECT t_ns, metric, value FROM crash "
	    "WHERE run = ? ORDER BY t_ns", -1, &s, NULL) != SQLITE_OK) {
		g_set_error(err, METRICS_ERROR, 0, "%s: %s", db, sqlite3_errmsg(h));
		sqlite3_close(h);
		return false;
	}
	sqlite3_bind_int64(s, 1, run);
	v = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	fprintf(out, "\n" ROWFMT, "crash at", "fsck", "reads", "repairs",
	    "unsafe", "names lost", "files lost", "bytes lost",
	    "fsync'd lost", "returned lost");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ti = sqlite3_column_int64(s, 0);
		double *d = g_new(double, 1);

		if (ti != t && t >= 0) {
			print_instant(out, t, v);
			g_hash_table_remove_all(v);
			n++;
		}
		t = ti;
		*d = sqlite3_column_double(s, 2);
		g_hash_table_replace(v, g_strdup((const char *)
		    sqlite3_column_text(s, 1)), d);
	}
	if (t >= 0) {
		print_instant(out, t, v);
		n++;
	}
	if (n == 0)
		fprintf(out, "  (no crash instant within the run)\n");
	g_hash_table_destroy(v);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		g_set_error(err, METRICS_ERROR, 0, "%s: %s", db, sqlite3_errmsg(h));
		sqlite3_close(h);
		return false;
	}
	sqlite3_close(h);
	return true;
}
