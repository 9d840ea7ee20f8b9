/*
 * fuzz_fsmanifest.c — listings of the real files (--fs-manifest, vfssim
 * fs), read as a run reads them (fs_manifest_read) and laid over the
 * starting file system a trace's pre-pass inferred (fs_manifest_apply).
 *
 * An input is a listing, then optionally a line "--" and an strace log
 * whose pre-pass the listing is applied to (without one, a pre-pass of no
 * calls).  What a listing that reads must give, whatever it holds:
 *   - entries of type f, d or l, sizes not negative, absolute paths, each
 *     found again by its path;
 *   - after the listing is applied, every path made once, every other name
 *     for a file (link_of) naming a made entry other than itself, and
 *     every listed file and directory made as listed.
 */
#include "fuzz.h"
#include "fsmanifest.h"
#include "prepass.h"
#include "trace.h"

#include <string.h>

static void
check_listing(const struct fs_manifest *m)
{
	guint i;

	for (i = 0; i < m->entries->len; i++) {
		const struct fsm_entry *e = &g_array_index(m->entries,
		    struct fsm_entry, i);
		gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(m->at, e->path));

		if (e->type != 'f' && e->type != 'd' && e->type != 'l')
			fuzz_fail("line %llu: type %d read",
			    (unsigned long long)e->line, e->type);
		if (e->size < 0)
			fuzz_fail("line %llu: size %lld read",
			    (unsigned long long)e->line, (long long)e->size);
		if (e->path[0] != '/')
			fuzz_fail("line %llu: a relative path read",
			    (unsigned long long)e->line);
		if (at == 0 || at > m->entries->len ||
		    strcmp(g_array_index(m->entries, struct fsm_entry,
		    at - 1).path, e->path) != 0)
			fuzz_fail("line %llu: its path finds another entry",
			    (unsigned long long)e->line);
	}
}

static void
check_applied(const struct prepass *pp, const struct fs_manifest *m)
{
	GHashTable *made = g_hash_table_new(g_str_hash, g_str_equal);
	guint i;

	for (i = 0; i < pp->files->len; i++) {
		const struct initial_file *f = &g_array_index(pp->files,
		    struct initial_file, i);

		if (!g_hash_table_insert(made, f->path, GUINT_TO_POINTER(i + 1)))
			fuzz_fail("%s is made twice", f->path);
		if (f->link_of != -1 && (f->link_of < 0 ||
		    (guint)f->link_of >= pp->files->len || (guint)f->link_of == i))
			fuzz_fail("%s: another name for entry %d of %u", f->path,
			    f->link_of, pp->files->len);
	}
	for (i = 0; i < m->entries->len; i++) {
		const struct fsm_entry *e = &g_array_index(m->entries,
		    struct fsm_entry, i);
		guint j = GPOINTER_TO_UINT(g_hash_table_lookup(made, e->path));
		const struct initial_file *f;

		if (e->type == 'l')
			continue;	/* made only where the trace saw through */
		if (j == 0)
			fuzz_fail("line %llu: %s is listed, not made",
			    (unsigned long long)e->line, e->path);
		f = &g_array_index(pp->files, struct initial_file, j - 1);
		if (f->isdir != (e->type == 'd') || f->link_of != -1 ||
		    (e->type == 'f' && f->size != e->size))
			fuzz_fail("line %llu: %s is not made as listed",
			    (unsigned long long)e->line, e->path);
	}
	g_hash_table_destroy(made);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[2];
	size_t len[2];
	unsigned n;
	struct fs_manifest *m;
	struct prepass *pp;
	char *none[] = { NULL };
	GError *err = NULL;

	fuzz_begin();
	fuzz_split(data, size, part, len, 2, &n);
	m = fs_manifest_read(fuzz_file("before.txt", part[0], len[0]), &err);
	if (m == NULL) {
		g_clear_error(&err);
		return 0;
	}
	check_listing(m);
	pp = prepass_run(fuzz_file("app.strace", n > 1 ? part[1] : data,
	    n > 1 ? len[1] : 0), none, &err);
	if (pp == NULL) {
		g_clear_error(&err);
		fs_manifest_free(m);
		return 0;
	}
	fs_manifest_apply(pp, m);
	check_applied(pp, m);
	prepass_free(pp);
	fs_manifest_free(m);
	return 0;
}
