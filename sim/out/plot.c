/*
 * plot.c — gnuplot over a results database (the kinds are in plot.h).
 *
 * The data goes to files in a private temporary directory; the script
 * names the user's output file and every title as gnuplot strings, quoted
 * so that no character can end the string, and draws titles with
 * noenhanced so that an underscore is an underscore.  gnuplot is run
 * directly (no shell) and its errors are reported.  This file holds what
 * every kind uses and the driver; the kinds are in plot_latency.c,
 * plot_samples.c, plot_timesplit.c and plot_sweep.c.
 */
#include "plot_private.h"
#include "dbopen.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

G_DEFINE_QUARK(vfssim-plot-error-quark, plot_error)

const struct plot_kind plot_kinds[] = {
	{ "latency-cdf", "latency CDF of each call type (one run), or of one "
	  "call type in each run (--call; default every call)", false },
	{ "latency-time", "mean and p99 latency over the run's time (needs "
	  "per-call rows)", false },
	{ "buffers", "dirty and free buffers and the disk queue over time",
	  false },
	{ "risk", "data at risk and the age of the oldest over time, and what a crash lost at each crash.at instant", false },
	{ "disk-head", "the cylinder of each disk request over time: the seek "
	  "pattern (needs per-request rows)", false },
	{ "time-split", "where each call type's time went: CPU, each kernel "
	  "wait, disk queue, controller, bus, the drive's waits, seek, "
	  "rotation, transfer", false },
	{ "hit-ratio", "buffer and overall hit ratio against the cache size "
	  "(runs of several sizes; vfssim mrc's curve)", true },
	{ "sweep", "a metric (--metric) against a swept setting (--param), "
	  "a line for each value of the others", true },
	{ NULL, NULL, false }
};

/*
 * Text as gnuplot may see it: valid UTF-8 (a byte that is not becomes
 * U+FFFD), no control character (each becomes '?': a newline would end
 * the command, and most of them are not allowed in an SVG).
 */
char *
plot_gp_text(const char *s)
{
	return db_printable(s);
}

/*
 * The one way text from a database, a trace, a profile or the command line
 * reaches a gnuplot script: single-quoted strings.  Inside single quotes
 * gnuplot expands nothing -- no `shell command`, no @macro, no backslash
 * escape -- and only a quote ends the string.  gnuplot's own way of
 * writing a quote inside one, doubled, cannot be trusted (its scanner
 * reads four quotes then x as an empty string and then 'x', and a, four
 * quotes, b as the string a' and then 'b'), so a quote is never written
 * inside one: the text is cut at its quotes and the pieces are joined by
 * gnuplot's concatenation with a quote of our own,  'it' . "'" . 's'.
 * With the text made safe by plot_gp_text first (a newline would end the
 * command), whatever s holds the result is one string expression and
 * nothing else, and it starts with a string constant, as gnuplot wants
 * wherever it takes a title.
 */
char *
plot_gp_quote(const char *s)
{
	char *t = plot_gp_text(s), *p;
	GString *q = g_string_sized_new(strlen(t) + 2);

	g_string_append_c(q, '\'');
	for (p = t; *p != '\0'; p++) {
		if (*p == '\'')
			g_string_append(q, "' . \"'\" . '");
		else
			g_string_append_c(q, *p);
	}
	g_string_append_c(q, '\'');
	g_free(t);
	return g_string_free(q, FALSE);
}

/*
 * A string field of a data file (an xtic label): double-quoted, as gnuplot
 * reads a field with blanks in it.  gnuplot reads data as data, never as
 * code; a double quote, which would end the field, becomes a single one.
 */
void
plot_data_str(FILE *f, const char *s)
{
	char *t = plot_gp_text(s), *p;

	for (p = t; *p != '\0'; p++)
		if (*p == '"')
			*p = '\'';
	fprintf(f, "\"%s\"", t);
	g_free(t);
}

/* Append a quoted string to the script. */
void
plot_gpq(struct pctx *c, const char *s)
{
	char *q = plot_gp_quote(s);

	g_string_append(c->gp, q);
	g_free(q);
}

static bool
run_gnuplot(const char *script, GError **err)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	char *errout = NULL;
	gint status = 0;
	GError *e = NULL;

	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &errout, &status, &e)) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot run gnuplot (install gnuplot-nox): %s", e->message);
		g_error_free(e);
		return false;
	}
	if (!g_spawn_check_wait_status(status, NULL)) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT, "gnuplot failed: %s",
		    errout != NULL ? g_strstrip(errout) : "");
		g_free(errout);
		return false;
	}
	g_free(errout);
	return true;
}

void
plot_input_error(GError **err, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, PLOT_ERROR, PLOT_ERROR_INPUT, m);
	g_free(m);
}

/* A new data file in the scratch directory: its path (kept by the
 * context) and the stream. */
FILE *
plot_data_file(struct pctx *c, char **path, GError **err)
{
	FILE *f;

	*path = g_strdup_printf("%s/%d.dat", c->dir, c->nfiles++);
	f = fopen(*path, "w");
	if (f == NULL)
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot write plot data: %s", g_strerror(errno));
	return f;
}

const struct prun *
plot_run_at(struct pctx *c, guint i)
{
	return &g_array_index(c->runs, struct prun, i);
}

static void
prun_clear(struct prun *r)
{
	g_free(r->name);
	g_free(r->label);
	g_free(r->profile);
	g_free(r->trace);
}

/* Has run a row in table (a kind's per-event rows)? */
static bool
run_has_rows(sqlite3 *h, const char *table, int64_t run)
{
	char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" WHERE run = ? "
	    "LIMIT 1", table);
	sqlite3_stmt *s;
	bool yes = false;

	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, run);
		yes = sqlite3_step(s) == SQLITE_ROW;
		sqlite3_finalize(s);
	}
	sqlite3_free(sql);
	return yes;
}

/* The runs to draw: those asked for, or the default (the newest complete
 * run, or every complete run), by default only runs with rows in needs
 * (the per-event table the kind draws, or NULL): a run recorded with
 * --no-events (vfssim mrc's, say) is passed over, not drawn empty. */
static bool
resolve_runs(struct pctx *c, bool all, const char *needs, GError **err)
{
	const struct plot_req *rq = c->rq;
	sqlite3_stmt *s;
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	bool asked = rq->runs != NULL && rq->runs->len > 0;
	int64_t passed = 0;	/* the newest run passed over */
	guint i;

	if (sqlite3_prepare_v2(c->h, "SELECT id, label, profile, seed, trace "
	    "FROM runs WHERE status = 'complete' ORDER BY id", -1, &s, NULL) !=
	    SQLITE_OK) {
		plot_input_error(err, "%s: not a vfssim database (%s)", rq->db,
		    sqlite3_errmsg(c->h));
		g_hash_table_destroy(names);
		return false;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct prun r;
		int64_t id = sqlite3_column_int64(s, 0);
		bool want = false;

		if (rq->runs != NULL && rq->runs->len > 0) {
			for (i = 0; i < rq->runs->len; i++)
				if (g_array_index(rq->runs, int64_t, i) == id)
					want = true;
		} else
			want = true;
		if (!want)
			continue;
		if (!asked && needs != NULL && !run_has_rows(c->h, needs, id)) {
			passed = id;
			continue;
		}
		r.id = id;
		r.label = sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL :
		    g_strdup((const char *)sqlite3_column_text(s, 1));
		r.profile = g_strdup((const char *)sqlite3_column_text(s, 2));
		r.seed = sqlite3_column_int64(s, 3);
		r.trace = g_strdup((const char *)sqlite3_column_text(s, 4));
		r.name = NULL;
		g_array_append_val(c->runs, r);
	}
	sqlite3_finalize(s);
	if (c->runs->len == 0 && passed > 0) {
		plot_input_error(err, "%s: no complete run has the per-event rows "
		    "(%s) this plot draws (the newest, run %lld, was recorded "
		    "with --no-events)", rq->db, needs, (long long)passed);
		g_hash_table_destroy(names);
		return false;
	}
	if (rq->runs != NULL && rq->runs->len > 0) {
		for (i = 0; i < rq->runs->len; i++) {
			int64_t want = g_array_index(rq->runs, int64_t, i);
			guint j;
			bool found = false;

			for (j = 0; j < c->runs->len; j++)
				found |= plot_run_at(c, j)->id == want;
			if (!found) {
				plot_input_error(err, "%s: no complete run %lld", rq->db,
				    (long long)want);
				g_hash_table_destroy(names);
				return false;
			}
		}
	} else if (!all && c->runs->len > 1) {
		/* the newest */
		struct prun last = g_array_index(c->runs, struct prun,
		    c->runs->len - 1);

		for (i = 0; i + 1 < c->runs->len; i++)
			prun_clear(&g_array_index(c->runs, struct prun, i));
		g_array_set_size(c->runs, 0);
		g_array_append_val(c->runs, last);
	}
	if (c->runs->len == 0) {
		plot_input_error(err, "%s: no complete run", rq->db);
		g_hash_table_destroy(names);
		return false;
	}
	/* A sweep's labels are its settings ("a=1,b=2"): the legend needs
	 * only those that differ between the runs drawn. */
	if (c->runs->len > 1) {
		bool swept = true;
		char **first = NULL;

		for (i = 0; i < c->runs->len; i++)
			swept &= plot_run_at(c, i)->label != NULL &&
			    strchr(plot_run_at(c, i)->label, '=') != NULL;
		if (swept)
			first = g_strsplit(plot_run_at(c, 0)->label, ",", -1);
		for (guint k = 0; swept && first[k] != NULL; k++) {
			bool same = true;

			for (i = 1; i < c->runs->len && same; i++) {
				char **o = g_strsplit(plot_run_at(c, i)->label, ",", -1);

				same = k < g_strv_length(o) && strcmp(o[k],
				    first[k]) == 0;
				g_strfreev(o);
			}
			if (same)
				first[k][0] = '\0';	/* drop it below */
		}
		for (i = 0; swept && i < c->runs->len; i++) {
			struct prun *r = &g_array_index(c->runs, struct prun, i);
			char **o = g_strsplit(r->label, ",", -1);
			GString *l = g_string_new("");
			guint k;

			for (k = 0; o[k] != NULL; k++)
				if (k >= g_strv_length(first) || first[k][0] != '\0')
					g_string_append_printf(l, "%s%s", l->len ? "," : "",
					    o[k]);
			if (l->len > 0) {
				g_free(r->label);
				r->label = g_string_free(l, FALSE);
			} else
				g_string_free(l, TRUE);
			g_strfreev(o);
		}
		g_strfreev(first);
	}
	/* Legend names: the label, told apart by seed or run id when
	 * several runs share it. */
	for (i = 0; i < c->runs->len; i++) {
		struct prun *r = &g_array_index(c->runs, struct prun, i);
		const char *base = r->label;
		gpointer n;

		if (base == NULL)
			continue;
		n = g_hash_table_lookup(names, base);
		g_hash_table_insert(names, (gpointer)base,
		    GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
	}
	for (i = 0; i < c->runs->len; i++) {
		struct prun *r = &g_array_index(c->runs, struct prun, i);

		if (r->label == NULL)
			r->name = g_strdup_printf("run %lld", (long long)r->id);
		else if (GPOINTER_TO_INT(g_hash_table_lookup(names, r->label)) > 1)
			r->name = g_strdup_printf("%s (seed %lld)", r->label,
			    (long long)r->seed);
		else
			r->name = g_strdup(r->label);
	}
	g_hash_table_destroy(names);
	return true;
}

/* A summary value of a run, or NAN. */
double
plot_summary(struct pctx *c, int64_t run, const char *metric)
{
	sqlite3_stmt *s;
	double v = NAN;

	if (sqlite3_prepare_v2(c->h, "SELECT value FROM summary WHERE run = ? "
	    "AND metric = ?", -1, &s, NULL) != SQLITE_OK)
		return NAN;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

char *
plot_runs_title(struct pctx *c)
{
	if (c->runs->len == 1) {
		const struct prun *r = plot_run_at(c, 0);
		char *base = g_path_get_basename(r->trace != NULL ? r->trace : "?");
		char *t = r->label != NULL ? g_strdup_printf("%s, %s (run %lld)",
		    r->label, base, (long long)r->id) : g_strdup_printf("%s "
		    "(run %lld)", base, (long long)r->id);

		g_free(base);
		return t;
	}
	{
		const struct prun *r0 = plot_run_at(c, 0);
		bool same = r0->trace != NULL;
		guint i;

		for (i = 1; same && i < c->runs->len; i++)
			same = g_strcmp0(plot_run_at(c, i)->trace, r0->trace) == 0;
		if (same) {
			char *base = g_path_get_basename(r0->trace);
			char *t = g_strdup_printf("%u runs of %s", c->runs->len,
			    base);

			g_free(base);
			return t;
		}
	}
	return g_strdup_printf("%u runs", c->runs->len);
}

/* The title line, the key's place, and the common look.  The key goes
 * below the plot, its entries side by side: beside it, a key of long
 * labels took a third to a half of the width from the data. */
void
plot_preamble(struct pctx *c, const char *title)
{
	g_string_append(c->gp, "set title ");
	plot_gpq(c, title);
	g_string_append(c->gp, " noenhanced\n"
	    "set grid xtics ytics\n"
	    "set key below center horizontal box noenhanced\n"
	    "set border 3\nset tics nomirror\n");
}

void
plot_series(struct pctx *c, bool first, const char *file, const char *using,
    const char *title, const char *style, ...)
{
	va_list ap;

	g_string_append(c->gp, first ? "plot " : ", \\\n     ");
	plot_gpq(c, file);
	g_string_append_printf(c->gp, " using %s", using);
	if (title != NULL) {
		g_string_append(c->gp, " title ");
		plot_gpq(c, title);
	} else
		g_string_append(c->gp, " notitle");
	g_string_append_c(c->gp, ' ');
	va_start(ap, style);
	g_string_append_vprintf(c->gp, style, ap);
	va_end(ap);
}

/* ---- the driver ------------------------------------------------------ */

static const char *
terminal_for(const struct plot_req *rq, GError **err)
{
	if (g_str_has_suffix(rq->out, ".png"))
		return "pngcairo size %d,%d enhanced font 'DejaVu Sans,11'";
	if (g_str_has_suffix(rq->out, ".svg"))
		return "svg size %d,%d dynamic enhanced font 'DejaVu Sans,11'";
	plot_input_error(err, "%s: the output must end in .png or .svg", rq->out);
	return NULL;
}

bool
plot_make(const struct plot_req *rq, GError **err)
{
	static const struct {
		const char	*name;
		bool		(*fn)(struct pctx *, GError **);
		const char	*needs;		/* per-event rows drawn */
	} kinds[] = {
		{ "latency-cdf", plot_latency_cdf, NULL },
		{ "latency-time", plot_latency_time, "syscalls" },
		{ "buffers", plot_buffers, NULL },
		{ "risk", plot_risk, NULL },
		{ "disk-head", plot_disk_head, "disk_io" },
		{ "time-split", plot_time_split, NULL },
		{ "hit-ratio", plot_hit_ratio, NULL },
		{ "sweep", plot_sweep, NULL },
	};
	const char *needs = NULL;
	struct pctx c;
	const char *term;
	const struct plot_kind *pk;
	bool ok = false;
	char *script = NULL, *image = NULL;
	GError *dberr = NULL;
	GString *head;
	unsigned i;
	int k;

	memset(&c, 0, sizeof(c));
	c.rq = rq;
	c.runs = g_array_new(FALSE, FALSE, sizeof(struct prun));
	for (pk = plot_kinds; pk->name != NULL; pk++)
		if (strcmp(pk->name, rq->kind) == 0)
			break;
	if (pk->name == NULL) {
		GString *known = g_string_new("");

		for (pk = plot_kinds; pk->name != NULL; pk++)
			g_string_append_printf(known, "%s%s", known->len ? ", " : "",
			    pk->name);
		plot_input_error(err, "unknown kind \"%s\" (known: %s)", rq->kind,
		    known->str);
		g_string_free(known, TRUE);
		goto done;
	}
	if ((term = terminal_for(rq, err)) == NULL)
		goto done;
	if ((c.h = db_open_readonly(rq->db, &dberr)) == NULL) {
		/* a database that is not vfssim's, or a row that breaks its
		 * schema: bad input, as a kind's data the runs lack */
		plot_input_error(err, "%s", dberr->message);
		g_error_free(dberr);
		goto done;
	}
	for (i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strcmp(kinds[i].name, rq->kind) == 0)
			needs = kinds[i].needs;
	if (!resolve_runs(&c, pk->all_runs, needs, err))
		goto done;
	c.dir = g_dir_make_tmp("vfssim-plot-XXXXXX", NULL);
	if (c.dir == NULL) {
		g_set_error(err, PLOT_ERROR, PLOT_ERROR_GNUPLOT,
		    "cannot make a temporary directory");
		goto done;
	}
	c.gp = g_string_new("");
	for (i = 0; i < G_N_ELEMENTS(kinds); i++)
		if (strcmp(kinds[i].name, rq->kind) == 0 && !kinds[i].fn(&c, err))
			goto done;
	head = g_string_new("");
	g_string_append(head, "set terminal ");
	g_string_append_printf(head, term, rq->width > 0 ? rq->width : 1000,
	    rq->height > 0 ? rq->height : 650);
	/* gnuplot draws into the scratch directory; the image is put in
	 * place whole once drawn, under the name asked for, whatever bytes
	 * that name holds. */
	image = g_strdup_printf("%s/image%s", c.dir, strrchr(rq->out, '.'));
	g_string_append(head, "\nset encoding utf8\nset output ");
	{
		char *q = plot_gp_quote(image);

		g_string_append(head, q);
		g_free(q);
	}
	g_string_append_c(head, '\n');
	g_string_prepend(c.gp, head->str);
	g_string_free(head, TRUE);
	script = g_strdup_printf("%s/plot.gp", c.dir);
	if (!g_file_set_contents(script, c.gp->str, (gssize)c.gp->len, err))
		goto done;
	if (rq->script_only) {
		ok = true;
		goto done;
	}
	if (!run_gnuplot(script, err))
		goto done;
	{
		char *img = NULL;
		gsize len = 0;

		ok = g_file_get_contents(image, &img, &len, err) &&
		    g_file_set_contents(rq->out, img, (gssize)len, err);
		g_free(img);
	}
done:
	if (c.h != NULL)
		sqlite3_close(c.h);
	if (c.dir != NULL) {
		for (k = 0; k < c.nfiles; k++) {
			char *fn = g_strdup_printf("%s/%d.dat", c.dir, k);

			unlink(fn);
			g_free(fn);
		}
		if (script != NULL)
			unlink(script);
		if (image != NULL)
			unlink(image);
		rmdir(c.dir);
	}
	for (i = 0; i < c.runs->len; i++)
		prun_clear(&g_array_index(c.runs, struct prun, i));
	g_array_free(c.runs, TRUE);
	if (c.gp != NULL)
		g_string_free(c.gp, TRUE);
	g_free(script);
	g_free(image);
	g_free(c.dir);
	return ok;
}
