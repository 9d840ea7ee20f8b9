/*
 * variants.c — a database's runs grouped into variants (see variants.h).
 *
 * A run's label names its variant, and its trace keeps apart variants of
 * one name on different traces.  A generated trace's name ends in its
 * seed, which is left out: the seeds of a --gen variant are one variant.
 */
#include "variants.h"
#include "dbopen.h"
#include "metrics.h"

#include <string.h>

void
variants_free(GPtrArray *variants)
{
	guint i;

	if (variants == NULL)
		return;
	for (i = 0; i < variants->len; i++) {
		struct variant *v = g_ptr_array_index(variants, i);

		g_free(v->name);
		g_array_free(v->runs, TRUE);
		g_free(v);
	}
	g_ptr_array_free(variants, TRUE);
}

static bool
wanted(const GArray *runs, int64_t id)
{
	guint i;

	if (runs == NULL)
		return true;
	for (i = 0; i < runs->len; i++)
		if (g_array_index(runs, int64_t, i) == id)
			return true;
	return false;
}

GPtrArray *
variants_of(const char *db, const GArray *runs, GError **err)
{
	sqlite3 *h = db_open_readonly(db, err);
	sqlite3_stmt *s;
	GPtrArray *vs;
	GHashTable *byname;

	if (h == NULL)
		return NULL;
	if (sqlite3_prepare_v2(h, "SELECT id, label, trace FROM runs WHERE "
	    "status = 'complete' ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
		g_set_error(err, METRICS_ERROR, 0, "%s: not a vfssim database (%s)",
		    db, sqlite3_errmsg(h));
		sqlite3_close(h);
		return NULL;
	}
	vs = g_ptr_array_new();
	byname = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const char *label = (const char *)sqlite3_column_text(s, 1);
		const char *trace = (const char *)sqlite3_column_text(s, 2);
		char *key;
		struct variant *v;

		if (!wanted(runs, id))
			continue;
		/* A generated trace is named with its seed: seeds of one
		 * variant differ there only. */
		if (label != NULL) {
			const char *sd = g_str_has_prefix(trace, "gen:") ?
			    g_strrstr(trace, " seed=") : NULL;

			key = g_strdup_printf("%s\n%.*s", label, sd != NULL ?
			    (int)(sd - trace) : (int)strlen(trace), trace);
		} else
			key = g_strdup_printf("#%lld", (long long)id);
		v = g_hash_table_lookup(byname, key);
		if (v == NULL) {
			v = g_new0(struct variant, 1);
			/* printed on terminals and in pages: any bytes a
			 * label holds are made fit to print */
			v->name = label != NULL ? db_printable(label) :
			    g_strdup_printf("run %lld", (long long)id);
			v->runs = g_array_new(FALSE, FALSE, sizeof(int64_t));
			g_ptr_array_add(vs, v);
			g_hash_table_insert(byname, key, v);
		} else
			g_free(key);
		g_array_append_val(v->runs, id);
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	g_hash_table_destroy(byname);
	if (runs != NULL) {
		guint i;

		for (i = 0; i < runs->len; i++) {
			guint j, k;
			bool found = false;

			for (j = 0; j < vs->len && !found; j++) {
				struct variant *v = g_ptr_array_index(vs, j);

				for (k = 0; k < v->runs->len; k++)
					if (g_array_index(v->runs, int64_t, k) ==
					    g_array_index(runs, int64_t, i))
						found = true;
			}
			if (!found) {
				g_set_error(err, METRICS_ERROR, 0, "%s: no complete "
				    "run %lld", db,
				    (long long)g_array_index(runs, int64_t, i));
				variants_free(vs);
				return NULL;
			}
		}
	}
	if (vs->len == 0) {
		g_set_error(err, METRICS_ERROR, 0, "%s: no complete run", db);
		variants_free(vs);
		return NULL;
	}
	return vs;
}
