/* report.c — the summary table of a run, from its database. */
#include "report.h"
#include "dbopen.h"
#include "stats.h"
#include "metrics.h"

#include <string.h>
#include <sqlite3.h>

int64_t
report_latest_run(const char *db, GError **err)
{
	sqlite3 *h = db_open_readonly(db, err);
	sqlite3_stmt *s;
	int64_t run = -1;

	if (h == NULL)
		return -1;
	if (sqlite3_prepare_v2(h, "SELECT max(id) FROM runs WHERE status = "
	    "'complete'", -1, &s, NULL) != SQLITE_OK) {
		g_set_error(err, METRICS_ERROR, 0, "%s: not a vfssim database (%s)",
		    db, sqlite3_errmsg(h));
		sqlite3_close(h);
		return -1;
	}
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		run = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	if (run < 0)
		g_set_error(err, METRICS_ERROR, 0, "%s: no complete run", db);
	return run;
}

static double
get(GHashTable *v, const char *metric)
{
	double *d = g_hash_table_lookup(v, metric);

	return d != NULL ? *d : 0;
}

struct skipped {
	const char	*name;
	double		 n;
};

/* Most first, then by name. */
static gint
cmp_skipped(gconstpointer a, gconstpointer b)
{
	const struct skipped *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Calls not modelled that move a file's data: io_uring's io_uring_enter
 * (its requests are in a ring shared with the kernel, which strace does
 * not print; Linux AIO's io_submit, whose requests strace shows, is
 * replayed: vfs_aio.c).  Said plainly: a run of such a trace is missing
 * that I/O.
 */
static void
print_hidden_io(FILE *out, const GArray *a)
{
	static const char *const hidden[] = { "io_uring_enter" };
	bool any = false;
	guint i, j;

	for (i = 0; i < a->len; i++)
		for (j = 0; j < G_N_ELEMENTS(hidden); j++)
			if (strcmp(g_array_index(a, struct skipped, i).name,
			    hidden[j]) == 0) {
				fprintf(out, "%s%s %.0f", any ? ", " :
				    "  warning    ", hidden[j],
				    g_array_index(a, struct skipped, i).n);
				any = true;
			}
	if (any)
		fprintf(out, ": the file I/O these calls queued is not "
		    "replayed\n");
}

/* The calls the run did not model, the most frequent first (every one is
 * in the summary as not_modelled.NAME). */
static void
print_skipped(FILE *out, GHashTable *v)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct skipped));
	GHashTableIter it;
	gpointer key, val;
	guint i;

	g_hash_table_iter_init(&it, v);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct skipped sk = { (const char *)key + strlen("not_modelled."),
		    *(double *)val };

		if (g_str_has_prefix(key, "not_modelled."))
			g_array_append_val(a, sk);
	}
	if (a->len > 0) {
		g_array_sort(a, cmp_skipped);
		fprintf(out, "  skipped    ");
		for (i = 0; i < a->len && i < 10; i++)
			fprintf(out, "%s%s %.0f", i > 0 ? ", " : "",
			    g_array_index(a, struct skipped, i).name,
			    g_array_index(a, struct skipped, i).n);
		if (a->len > 10)
			fprintf(out, " and %u more", a->len - 10);
		fprintf(out, " (not modelled: the time the trace shows)\n");
	}
	print_hidden_io(out, a);
	g_array_free(a, TRUE);
}

bool
report_summary(const char *db, int64_t run, FILE *out, GError **err)
{
	sqlite3 *h = db_open_readonly(db, err);
	sqlite3_stmt *s;
	GHashTable *v;
	GPtrArray *calls;
	char a[32], b[32], c[32], d[32], e[32];
	char *trace = NULL, *sources = NULL, *order = NULL;
	guint i;

	if (h == NULL)
		return false;
	if (sqlite3_prepare_v2(h, "SELECT trace, profile_sources, profile FROM "
	    "runs WHERE id = ?", -1, &s, NULL) != SQLITE_OK) {
		g_set_error(err, METRICS_ERROR, 0, "%s: %s", db, sqlite3_errmsg(h));
		sqlite3_close(h);
		return false;
	}
	sqlite3_bind_int64(s, 1, run);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *prof = (const char *)sqlite3_column_text(s, 2);
		GKeyFile *kf = g_key_file_new();

		trace = db_printable((const char *)sqlite3_column_text(s, 0));
		sources = sqlite3_column_type(s, 1) == SQLITE_NULL ?
		    g_strdup("defaults") :
		    db_printable((const char *)sqlite3_column_text(s, 1));
		/* which ordering rule ran (runs before it existed: none); a
		 * database's text is shown only as printable text */
		if (prof != NULL && g_key_file_load_from_data(kf, prof, -1,
		    G_KEY_FILE_NONE, NULL)) {
			char *o = g_key_file_get_string(kf, "replay", "order",
			    NULL);

			if (o != NULL)
				order = db_printable(o);
			g_free(o);
		}
		g_key_file_free(kf);
	}
	sqlite3_finalize(s);
	if (trace == NULL) {
		g_set_error(err, METRICS_ERROR, 0, "%s: no run %lld", db,
		    (long long)run);
		sqlite3_close(h);
		return false;
	}
	v = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	calls = g_ptr_array_new_with_free_func(g_free);
	sqlite3_prepare_v2(h, "SELECT metric, value FROM summary WHERE run = ? "
	    "ORDER BY metric", -1, &s, NULL);
	sqlite3_bind_int64(s, 1, run);
	while (sqlite3_step(s) == SQLITE_ROW) {
		/* call types are printed: the metric made fit to print */
		char *m = db_printable((const char *)sqlite3_column_text(s, 0));
		double *dv = g_new(double, 1);

		*dv = sqlite3_column_double(s, 1);
		g_hash_table_replace(v, m, dv);	/* m stays the key */
		if (g_str_has_prefix(m, "latency.") && g_str_has_suffix(m, ".p50_ns") &&
		    strcmp(m, "latency.all.p50_ns") != 0)
			g_ptr_array_add(calls, g_strndup(m + 8,
			    strlen(m) - 8 - strlen(".p50_ns")));
	}
	sqlite3_finalize(s);
	sqlite3_close(h);

	fprintf(out, "run %lld: %s (profile: %s)\n", (long long)run, trace, sources);
	fprintf(out, "  calls      %.0f in the trace: %.0f simulated, %.0f passed "
	    "through, %.0f not modelled; %.0f processes\n",
	    get(v, "calls.total"), get(v, "calls.simulated"),
	    get(v, "calls.passthrough"), get(v, "calls.not_modelled"),
	    get(v, "processes"));
	print_skipped(out, v);
	human_time(a, sizeof(a), get(v, "time.simulated_ns"));
	human_time(b, sizeof(b), get(v, "time.traced_ns"));
	fprintf(out, "  time       %s simulated (%s traced)\n", a,
	    g_hash_table_contains(v, "time.traced_ns") ? b : "not");
	if (order != NULL && g_hash_table_contains(v, "replay.order_edges")) {
		/* replay.order: the rule, the edges it used, what came of it */
		human_time(a, sizeof(a), get(v, "replay.order_wait_ns"));
		fprintf(out, "  order      %s: %.0f cross-process edges held calls "
		    "back (%s in all)", order, get(v, "replay.order_edges"), a);
		if (get(v, "replay.order_pipe_edges") > 0 ||
		    get(v, "replay.order_futex_edges") > 0)
			fprintf(out, ", %.0f of them for a pipe's write, %.0f "
			    "for a futex's wake",
			    get(v, "replay.order_pipe_edges"),
			    get(v, "replay.order_futex_edges"));
		if (get(v, "replay.order_aio_edges") > 0)
			fprintf(out, ", %.0f for an io_submit",
			    get(v, "replay.order_aio_edges"));
		if (get(v, "replay.order_inferred") > 0)
			fprintf(out, "; %.0f processes ordered by the trace's "
			    "%s fork or wait lines)",
			    get(v, "replay.order_inferred"),
			    g_hash_table_contains(v, "time.traced_ns") ?
			    "times (no" : "lines (no times, no");
		if (get(v, "replay.order_broken") > 0)
			fprintf(out, "; %.0f edges dropped to break a cycle",
			    get(v, "replay.order_broken"));
		fprintf(out, "; at most %.0f processes at once ",
		    get(v, "processes.max_alive"));
		if (g_hash_table_contains(v, "processes.max_alive_traced"))
			fprintf(out, "(%.0f in the trace)\n",
			    get(v, "processes.max_alive_traced"));
		else
			fprintf(out, "(the trace has no times)\n");
	}
	fprintf(out, "  latency    %-12s %9s %10s %10s %10s %10s %10s   (simulated calls)\n",
	    "call", "count", "mean", "p50", "p95", "p99", "max");
	g_ptr_array_add(calls, g_strdup("all"));
	for (i = 0; i < calls->len; i++) {
		const char *cn = g_ptr_array_index(calls, i);
		char key[128];
		double n;

#define L(buf, what) do {						\
	g_snprintf(key, sizeof(key), "latency.%s." what, cn);		\
	human_time(buf, sizeof(buf), get(v, key));			\
} while (0)
		L(a, "mean_ns");
		L(b, "p50_ns");
		L(c, "p95_ns");
		L(d, "p99_ns");
		L(e, "max_ns");
#undef L
		g_snprintf(key, sizeof(key), "latency.%s.count", cn);
		n = get(v, key);
		fprintf(out, "             %-12s %9.0f %10s %10s %10s %10s %10s\n",
		    cn, n, a, b, c, d, e);
	}
	fprintf(out, "  cache      %.1f%% of %.0f block reads without disk I/O: "
	    "%.0f buffer hits, %.0f page-cache hits (%.0f buffers of %s)\n",
	    100 * get(v, "bio.hit_ratio"), get(v, "bio.bread"),
	    get(v, "bio.buffer_hits"), get(v, "bio.pagecache_hits"),
	    get(v, "bio.nbuf"), (human_bytes(a, sizeof(a), get(v, "bio.bufsize")), a));
	fprintf(out, "             dirty peak %.0f (hidirtybuffers %.0f); %.0f bwillwrite "
	    "stalls; written by syncer %.0f, buf_daemon %.0f, processes %.0f\n",
	    get(v, "bio.dirty_peak"), get(v, "bio.hidirtybuffers"),
	    get(v, "bio.bwillwrite_stalls"), get(v, "bio.written_by_syncer"),
	    get(v, "bio.written_by_bufdaemon"), get(v, "bio.written_by_processes"));
	fprintf(out, "  cluster    read-ahead %.0f blocks, %.1f%% of them read; %.0f "
	    "cluster reads (mean %.1f blocks), %.0f cluster writes (mean %.1f); "
	    "write-behind %.0f I/Os; %.0f blocks moved by reallocblks; %.0f pbuf "
	    "waits\n",
	    get(v, "cluster.readahead_blocks"),
	    100 * get(v, "cluster.readahead_accuracy"), get(v, "cluster.reads"),
	    get(v, "cluster.read_mean_bufs"), get(v, "cluster.writes"),
	    get(v, "cluster.write_mean_bufs"), get(v, "cluster.writebehind_ios"),
	    get(v, "cluster.realloc_blocks"), get(v, "vm.pbuf_waits"));
	if (get(v, "aio.requests") > 0) {
		human_bytes(a, sizeof(a), get(v, "aio.bytes_read"));
		human_bytes(b, sizeof(b), get(v, "aio.bytes_written"));
		fprintf(out, "  aio        %.0f requests (io_submit), %.0f done; "
		    "%.0f aio daemons read %s, wrote %s; %.0f fsyncs; %.0f "
		    "completions of requests not in the trace\n",
		    get(v, "aio.requests"), get(v, "aio.done"),
		    get(v, "aio.daemons"), a, b, get(v, "aio.fsyncs"),
		    get(v, "aio.unmatched"));
	}
	if (get(v, "vm.mmaps") > 0) {
		static const char *const policy[] = { "touch-all", "first-page",
		    "none" };
		int pol = (int)get(v, "vm.mmap_policy");
		double rd = get(v, "disk.bytes_read"), share = rd > 0 ?
		    get(v, "vm.bytes_paged_in") / rd : 0;

		fprintf(out, "  mmap       replay.mmap=%s: %.0f file mappings, %.0f "
		    "pages touched; %.0f faults read %.0f pages from the disk "
		    "(%.0f%% of its reads); %.0f pages dirtied, %.0f put back\n",
		    pol >= 0 && pol < 3 ? policy[pol] : "?", get(v, "vm.mmaps"),
		    get(v, "vm.mmap_touched_pages"), get(v, "vm.pageins"),
		    get(v, "vm.pages_paged_in"), 100 * share,
		    get(v, "vm.pages_dirtied"), get(v, "vm.pages_put"));
		/* Which pages a program touched strace does not show: where
		 * touch-all's guess is most of what the disk read, said so —
		 * what the mappings read is then an upper bound (a program's
		 * start maps large libraries and runs through little of
		 * them: a compiler's, a JVM's). */
		if (pol == 0 && share >= 0.5)
			fprintf(out, "             the pages touched are "
			    "replay.mmap's guess, not the trace's: what the "
			    "mappings read is an upper bound (replay.mmap="
			    "first-page gives the lower)\n");
	}
	human_bytes(a, sizeof(a), get(v, "disk.bytes_read"));
	human_bytes(b, sizeof(b), get(v, "disk.bytes_written"));
	fprintf(out, "  disk       %.0f reads (%s), %.0f writes (%s), busy %.1f%%\n",
	    get(v, "disk.reads"), a, get(v, "disk.writes"), b,
	    100 * get(v, "disk.busy_fraction"));
	human_time(a, sizeof(a), get(v, "disk.mean_seek_ns"));
	human_time(b, sizeof(b), get(v, "disk.mean_rot_ns"));
	human_time(c, sizeof(c), get(v, "disk.mean_xfer_ns"));
	human_time(d, sizeof(d), get(v, "disk.mean_queue_ns"));
	fprintf(out, "             mean seek %s, rotation %s, transfer %s, queue %s\n",
	    a, b, c, d);
	if (g_hash_table_contains(v, "risk.peak_bytes")) {
		/* what a crash would have lost, at the samples */
		human_bytes(a, sizeof(a), get(v, "risk.peak_bytes"));
		human_time(b, sizeof(b), get(v, "risk.max_age_ns"));
		human_bytes(c, sizeof(c), get(v, "risk.mean_bytes"));
		fprintf(out, "  at risk    written, not yet on disk: peak %s, oldest "
		    "%s, mean %s\n", a, b, c);
	}
	human_bytes(a, sizeof(a), get(v, "fs.initial_bytes"));
	human_time(b, sizeof(b), get(v, "time.final_sync_ns"));
	fprintf(out, "  files      %.0f files (%s) and %.0f directories there at the "
	    "start; final sync %s; %.0f repairs\n",
	    get(v, "fs.initial_files"), a, get(v, "fs.initial_dirs"), b,
	    get(v, "replay.repairs"));
	if (g_hash_table_contains(v, "fs.manifest_entries"))
		fprintf(out, "  listing    the starting file system from a listing "
		    "of %.0f entries (--fs-manifest); the trace disagrees with "
		    "it in %.0f places (initial_fs.note; vfssim fs TRACE "
		    "--fs-manifest FILE)\n", get(v, "fs.manifest_entries"),
		    get(v, "fs.manifest_disagreements"));
	if (g_hash_table_contains(v, "fs.initial_layout_score")) {
		/* how the run's file system was laid out when it began */
		fprintf(out, "  layout     %.1f%% used at the start; layout score "
		    "%.3f, %.0f%% of files out of line, free space in runs of "
		    "%.0f blocks\n", 100 * get(v, "fs.initial_used_fraction"),
		    get(v, "fs.initial_layout_score"),
		    100 * get(v, "fs.initial_fragmented_files"),
		    get(v, "fs.initial_free_run_blocks"));
		if (get(v, "fs.age") > 0) {
			human_bytes(a, sizeof(a), get(v, "fs.age_bytes_left"));
			fprintf(out, "  aged       to %.2f: %.0f filler files (%s) in "
			    "%.0f directories left of %.0f made\n",
			    get(v, "fs.age"), get(v, "fs.age_files_left"), a,
			    get(v, "fs.age_dirs"), get(v, "fs.age_files_written"));
		}
	}
	if (g_hash_table_contains(v, "verify.lost_blocks"))
		fprintf(out, "  verify     %.0f blocks checked, %.0f not on disk in "
		    "their last version\n", get(v, "verify.blocks_checked"),
		    get(v, "verify.lost_blocks"));
	if (g_hash_table_contains(v, "bio.bound.opt_misses"))
		fprintf(out, "  bounds     misses on the run's %.0f block references: "
		    "OPT %.0f, LRU %.0f, CLOCK %.0f, 2Q %.0f, ARC %.0f\n",
		    get(v, "bio.bound.refs"), get(v, "bio.bound.opt_misses"),
		    get(v, "bio.bound.lru_misses"), get(v, "bio.bound.clock_misses"),
		    get(v, "bio.bound.2q_misses"), get(v, "bio.bound.arc_misses"));
	g_ptr_array_free(calls, TRUE);
	g_hash_table_destroy(v);
	g_free(trace);
	g_free(sources);
	g_free(order);
	return true;
}
