/*
 * fsmanifest.c — a listing of the real files before the capture
 * (--fs-manifest), read and made the starting file system (fsmanifest.h).
 */
#include "fsmanifest.h"
#include "prepass.h"
#include "trace.h"

#include <errno.h>
#include <string.h>

G_DEFINE_QUARK(vfssim-fs-manifest-error-quark, fs_manifest_error)

static bool
bad(GError **err, const char *file, uint64_t line, const char *what)
{
	g_set_error(err, FS_MANIFEST_ERROR, 0, "%s:%llu: %s", file,
	    (unsigned long long)line, what);
	return false;
}

/* One line: TYPE<tab>SIZE<tab>PATH. */
static bool
parse_line(struct fs_manifest *m, const char *s, size_t len, uint64_t lineno,
    GError **err)
{
	struct fsm_entry e;
	const char *p, *end = s + len;
	char *raw;
	gpointer prev;
	int64_t size = 0;

	if (len == 0 || s[0] == '#')
		return true;
	if (memchr(s, '\0', len) != NULL)
		return bad(err, m->file, lineno, "binary data: not a listing");
	if (len < 5 || s[1] != '\t')
		return bad(err, m->file, lineno, "expected TYPE<tab>SIZE<tab>PATH, "
		    "as find DIR -printf '%y\\t%s\\t%p\\n' writes");
	for (p = s + 2; p < end && *p >= '0' && *p <= '9'; p++) {
		if (size > (INT64_MAX - 9) / 10)
			return bad(err, m->file, lineno, "the size is too large");
		size = size * 10 + (*p - '0');
	}
	if (p == s + 2 || p >= end || *p != '\t')
		return bad(err, m->file, lineno, "the size must be a number of "
		    "bytes followed by a tab");
	p++;
	if (p >= end || *p != '/')
		return bad(err, m->file, lineno, "the path must be absolute "
		    "(list with find /ABSOLUTE/DIR ...)");
	switch (s[0]) {
	case 'f': case 'd': case 'l':
		break;
	case 'b': case 'c': case 'p': case 's': case 'D':
		/* devices, pipes, sockets, doors: not files of the fs */
		m->skipped++;
		return true;
	default:
		return bad(err, m->file, lineno, "the type must be f, d or l "
		    "(find's %y)");
	}
	raw = g_strndup(p, (gsize)(end - p));
	e.type = s[0];
	e.size = e.type == 'd' ? 0 : size;
	e.path = g_canonicalize_filename(raw, "/");
	e.line = lineno;
	g_free(raw);
	if (g_hash_table_lookup_extended(m->at, e.path, NULL, &prev)) {
		char *msg = g_strdup_printf("%s is listed twice (first at line "
		    "%llu)", e.path, (unsigned long long)g_array_index(m->entries,
		    struct fsm_entry, GPOINTER_TO_SIZE(prev) - 1).line);

		g_free(e.path);
		bad(err, m->file, lineno, msg);
		g_free(msg);
		return false;
	}
	g_array_append_val(m->entries, e);
	g_hash_table_insert(m->at, g_array_index(m->entries, struct fsm_entry,
	    m->entries->len - 1).path, GSIZE_TO_POINTER(m->entries->len));
	return true;
}

struct fs_manifest *
fs_manifest_read(const char *file, GError **err)
{
	struct fs_manifest *m;
	struct lineio *in;
	const char *line;
	size_t len;
	int rc;

	in = lineio_open(file, err);
	if (in == NULL)
		return NULL;
	m = g_new0(struct fs_manifest, 1);
	m->file = g_strdup(file);
	m->entries = g_array_new(FALSE, FALSE, sizeof(struct fsm_entry));
	m->at = g_hash_table_new(g_str_hash, g_str_equal);
	while ((rc = lineio_next(in, &line, &len, err)) == 1)
		if (!parse_line(m, line, len, lineio_lineno(in), err)) {
			rc = -1;
			break;
		}
	lineio_close(in);
	if (rc < 0) {
		fs_manifest_free(m);
		return NULL;
	}
	return m;
}

void
fs_manifest_free(struct fs_manifest *m)
{
	guint i;

	if (m == NULL)
		return;
	for (i = 0; i < m->entries->len; i++)
		g_free(g_array_index(m->entries, struct fsm_entry, i).path);
	g_array_free(m->entries, TRUE);
	g_hash_table_destroy(m->at);
	g_free(m->file);
	g_free(m);
}

static const struct fsm_entry *
listed(const struct fs_manifest *m, const char *path)
{
	gsize i = GPOINTER_TO_SIZE(g_hash_table_lookup(m->at, path));

	return i > 0 ? &g_array_index(m->entries, struct fsm_entry, i - 1) : NULL;
}

/* The listing says what is in path's directory: the directory is listed
 * (find lists every entry of each directory it enters). */
static bool
covered(const struct fs_manifest *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	const struct fsm_entry *e;

	if (listed(m, path) != NULL)
		return true;
	if (slash == NULL)
		return false;
	dir = slash == path ? g_strdup("/") : g_strndup(path,
	    (gsize)(slash - path));
	e = listed(m, dir);
	g_free(dir);
	return e != NULL && e->type == 'd';
}

static void
note(struct prepass *pp, const struct initial_file *f, char type,
    char *what)
{
	struct fs_note n;

	n.path = g_strdup(f->path);
	n.type = type;
	n.size = f->size;
	n.evidence = f->evidence;
	n.line = f->line;
	n.what = what;
	g_array_append_val(pp->notes, n);
}

static const char *
kind(char type)
{
	return type == 'd' ? "a directory" : type == 'l' ? "a symbolic link" :
	    "a file";
}

void
fs_manifest_apply(struct prepass *pp, const struct fs_manifest *m)
{
	GArray *old = pp->files, *files;
	GHashTable *at = g_hash_table_new(g_str_hash, g_str_equal);
	int *map = g_new(int, old->len + 1);
	const char *ev = g_intern_static_string("listing");
	gpointer v;
	guint i;

	files = g_array_new(FALSE, FALSE, sizeof(struct initial_file));
	/* Every listed file and directory, as listed (links below). */
	for (i = 0; i < m->entries->len; i++) {
		const struct fsm_entry *e = &g_array_index(m->entries,
		    struct fsm_entry, i);
		struct initial_file f = { .path = g_strdup(e->path),
		    .isdir = e->type == 'd', .size = e->size, .link_of = -1,
		    .evidence = ev, .line = e->line };

		if (e->type == 'l') {
			g_free(f.path);
			continue;
		}
		g_array_append_val(files, f);
		g_hash_table_insert(at, g_array_index(files, struct initial_file,
		    files->len - 1).path, GINT_TO_POINTER(files->len));
	}
	/* What the trace found there, against the listing. */
	for (i = 0; i < old->len; i++) {
		struct initial_file *f = &g_array_index(old, struct initial_file, i);
		const struct fsm_entry *e = listed(m, f->path);
		char t = initial_file_type(f);

		map[i] = -1;
		if (e != NULL && t == 'l' && f->symlink != NULL &&
		    e->type == 'l') {
			/* a symbolic link the trace read: kept, with the
			 * target it showed */
			struct initial_file c = *f;

			c.path = g_strdup(f->path);
			c.symlink = g_strdup(f->symlink);
			map[i] = (int)files->len;
			g_array_append_val(files, c);
			g_hash_table_insert(at, g_array_index(files,
			    struct initial_file, files->len - 1).path,
			    GINT_TO_POINTER(files->len));
			continue;
		}
		if (e != NULL && t == 'l') {
			/* another name for a file: made as one where the
			 * listing has a link there (see below) */
			if (e->type != 'l')
				note(pp, f, e->type, g_strdup_printf("the trace "
				    "reaches another file through it; the listing "
				    "has %s", kind(e->type)));
			continue;
		}
		if (e != NULL) {
			map[i] = GPOINTER_TO_INT(g_hash_table_lookup(at,
			    e->path)) - 1;
			if (e->type == 'l')
				continue;	/* (-y showed no other name) */
			if (f->isdir != (e->type == 'd'))
				note(pp, f, e->type, g_strdup_printf("the trace "
				    "uses it as %s; the listing has %s",
				    kind(t), kind(e->type)));
			else if (!f->isdir && f->size > e->size)
				note(pp, f, e->type, g_strdup_printf("the trace "
				    "shows %lld bytes; the listing has %lld",
				    (long long)f->size, (long long)e->size));
			continue;
		}
		if (covered(m, f->path)) {
			note(pp, f, '-', g_strdup_printf("the trace finds %s "
			    "there; the listing has none", kind(t)));
			continue;
		}
		/* Outside the listing: as the trace shows it. */
		{
			struct initial_file c = *f;

			if (c.link_of >= 0 && (c.link_of = map[c.link_of]) < 0)
				continue;
			c.path = g_strdup(f->path);
			c.symlink = g_strdup(f->symlink);
			map[i] = (int)files->len;
			g_array_append_val(files, c);
			g_hash_table_insert(at, g_array_index(files,
			    struct initial_file, files->len - 1).path,
			    GINT_TO_POINTER(files->len));
		}
	}
	/* Listed links the trace saw through (-y): other names for the
	 * entries they lead to; the others are not made (where a link
	 * leads, a listing does not say). */
	for (i = 0; i < old->len; i++) {
		struct initial_file *f = &g_array_index(old, struct initial_file, i);
		const struct fsm_entry *e = listed(m, f->path);
		struct initial_file c;

		if (e == NULL || e->type != 'l' || f->link_of < 0 ||
		    map[f->link_of] < 0 || g_hash_table_contains(at, f->path))
			continue;
		c = *f;
		c.path = g_strdup(f->path);
		c.link_of = map[f->link_of];
		c.evidence = ev;
		c.line = e->line;
		g_array_append_val(files, c);
		g_hash_table_insert(at, g_array_index(files, struct initial_file,
		    files->len - 1).path, GINT_TO_POINTER(files->len));
	}
	/* Names the trace made new (O_EXCL, mkdir) that the listing has, in
	 * the listing's order. */
	for (i = 0; i < m->entries->len; i++) {
		const struct fsm_entry *e = &g_array_index(m->entries,
		    struct fsm_entry, i);

		if (g_hash_table_lookup_extended(pp->created, e->path, NULL, &v)) {
			struct initial_file f = { .path = e->path,
			    .isdir = e->type == 'd', .link_of = -1,
			    .evidence = g_intern_static_string("created"),
			    .line = GPOINTER_TO_SIZE(v) };

			note(pp, &f, e->type, g_strdup_printf("the trace creates "
			    "it new (O_EXCL or mkdir); the listing has %s",
			    kind(e->type)));
		}
	}
	for (i = 0; i < old->len; i++) {
		g_free(g_array_index(old, struct initial_file, i).path);
		g_free(g_array_index(old, struct initial_file, i).symlink);
	}
	g_array_free(old, TRUE);
	g_hash_table_destroy(at);
	g_free(map);
	pp->files = files;
	g_free(pp->manifest);
	pp->manifest = g_strdup(m->file);
	pp->manifest_entries = m->entries->len;
}
