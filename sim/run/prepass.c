/*
 * prepass.c — discover the starting file system from the trace itself.
 *
 * The pass follows names, not data: every path a call uses is resolved to
 * an absolute path (working directories and directory descriptors tracked
 * per process, -y annotations believed when present), and mapped to an
 * object.  An object first met through a successful use (an open without
 * O_CREAT, a stat, a chdir) existed before the trace began; one first met
 * through a create did not.  Sizes come from what the trace saw of the
 * object before it changed it: st_size, the end of the furthest read of
 * bytes the trace had not written itself, a SEEK_END.
 */
#include "prepass.h"
#include "fsmanifest.h"
#include "kern.h"

#include <string.h>


struct pobj {
	uint64_t id;		/* its number, in the order objects were met */
	int	 refs;		/* names, open files and the list of the
				   start that hold it */
	int	 index;		/* in pp->files when initial, else -1 */
	bool	 isdir;
	bool	 created;	/* the trace created it */
	bool	 appeared;	/* met at a name whose start was settled: made
				   by something the trace does not show */
	const char *ev;		/* what showed it was there (interned) */
	uint64_t ev_line;
	int8_t	 size_how;	/* what showed its size (enum size_ev), -1 */
	uint16_t size_sc;	/* ... in which call */
	uint64_t size_line;
	bool	 truncated;	/* contents replaced in the trace */
	int64_t	 size;		/* evidence of the initial size */
	int64_t	 written;	/* furthest byte the trace wrote */
	char	*first_name;	/* its name when first met */
	bool	 islink;	/* a symbolic link (readlink, lstat, symlink) */
	char	*target;	/* ... to this, if the trace showed it */
	int64_t	 linklen;	/* ... of this length */
};

struct pfile {
	int	 refs;
	struct pobj *obj;	/* NULL: not a file of the simulated fs */
	char	*path;		/* for directory descriptors */
	int64_t	 offset;
	bool	 append;
};

struct pfdt {
	int	 refs;
	GHashTable *fds;	/* fd -> struct pfile */
	int32_t	 last_fd;	/* the descriptor looked up last ... */
	struct pfile *last;	/* ... its file (NULL: none remembered) */
};

struct pproc {
	char	*cwd;		/* NULL: not known yet */
	bool	 chdired;
	bool	 cwd_by_name;	/* cwd is the name it chdir'd to, not yet
				   confirmed by an annotation */
	struct pfdt *fdt;
};

struct pass {
	struct prepass	*pp;
	char		**passthrough;
	GHashTable	*names;		/* current absolute path -> pobj (a
					   reference) */
	GPtrArray	*initial;	/* the objects there at the start, in
					   pp->files order (a reference each) */
	uint64_t	 nobjs;		/* objects met so far */
	GHashTable	*procs;		/* pid -> pproc */
	GHashTable	*pids;		/* every pid seen (set) */
	GHashTable	*live;		/* pids whose last process has not exited */
	int32_t		 last_pid;	/* note_proc's last record's pid ... */
	GArray		*last_procs;	/* ... its processes, or NULL */
	int32_t		 cur_pid;	/* of the call being looked at */
	int32_t		 pr_pid;	/* the process proc_of found last ... */
	struct pproc	*pr_last;	/* ... (NULL: none remembered) */
	unsigned	 nlinks;	/* symbolic links with known targets */
	const struct trace_call *tc;	/* ... and the call */
	const char	*why;		/* how it met a name, if not by naming it
					   (a directory on the way, ...) */
	bool		 excl;		/* the call creates only a new name */
	GHashTable	*settled;	/* names whose object at the start is
					   known: created, removed, renamed or
					   found there by the trace */
	GHashTable	*dir_alias;	/* a directory's other name -> its name */
	uint64_t	 alias_lens;	/* bit (len % 64) of each key's length */
	/* prepass_track: the resources the call touches (NULL in the
	 * pre-pass itself) */
	GArray		*touched;	/* uint64_t keys */
	GHashTable	*keyids;	/* name or pipe -> its number */
};

/* The resources a call touches, for replay.order = resource: an object
 * (a file or directory, by identity), a name (an absolute path, whether
 * or not anything has it), a descriptor that is not a file (a pipe or
 * socket, by its -y annotation).  Keys tell them apart by their low bit. */
static void
touch_obj(struct pass *ps, const struct pobj *o)
{
	uint64_t k = o->id << 1;

	if (ps->touched != NULL)
		g_array_append_val(ps->touched, k);
}

static void
touch_name(struct pass *ps, const char *name)
{
	gpointer id;
	uint64_t k;

	if (ps->touched == NULL || name == NULL)
		return;
	if (!g_hash_table_lookup_extended(ps->keyids, name, NULL, &id)) {
		id = GSIZE_TO_POINTER(g_hash_table_size(ps->keyids));
		g_hash_table_insert(ps->keyids, g_strdup(name), id);
	}
	k = ((uint64_t)GPOINTER_TO_SIZE(id) << 1) | 1;
	g_array_append_val(ps->touched, k);
}

/* ---- paths ----------------------------------------------------------- */

static bool
passthrough(struct pass *ps, const char *abs)
{
	char **p;

	for (p = ps->passthrough; p != NULL && *p != NULL; p++) {
		size_t n = strlen(*p);

		if (n > 0 && strncmp(abs, *p, n) == 0 &&
		    (abs[n] == '\0' || abs[n] == '/' || (*p)[n - 1] == '/'))
			return true;
	}
	return false;
}

/* Normalise dir + "/" + rel: no ".", "..", or repeated slashes.  (Once
 * or twice a call: component by component into one buffer.) */
static char *
abspath(const char *dir, const char *rel)
{
	const char *src[2] = { rel[0] == '/' || dir == NULL ? NULL : dir, rel };
	size_t cap = (src[0] != NULL ? strlen(src[0]) : 0) + strlen(rel) + 2;
	char *out = g_malloc(cap);
	size_t o = 0;
	int k;

	for (k = 0; k < 2; k++) {
		const char *p = src[k];

		while (p != NULL && *p != '\0') {
			const char *e = strchrnul(p, '/');
			size_t n = (size_t)(e - p);

			if (n == 2 && p[0] == '.' && p[1] == '.') {
				/* up: drop the last component, if any */
				while (o > 0 && out[o - 1] != '/')
					o--;
				if (o > 0)
					o--;
			} else if (n > 0 && !(n == 1 && p[0] == '.')) {
				out[o++] = '/';
				memcpy(out + o, p, n);
				o += n;
			}
			p = *e == '/' ? e + 1 : e;
		}
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/*
 * Directories reached by two names: a symbolic link to a directory (/lib
 * to /usr/lib on a merged-/usr system), a working directory reached
 * through one.  -y annotations name the directory the kernel reached;
 * when a call's name and its annotation differ only above the last two
 * components (or the name is one component under its starting directory's
 * annotation), the two directories above them are one (learn_alias), and
 * every path is written with the annotated name (canonical).
 */
static char *
canonical_in(GHashTable *dir_alias, uint64_t lens, const char *path)
{
	char *p = g_strdup(path);
	int rounds;

	if (dir_alias == NULL || g_hash_table_size(dir_alias) == 0)
		return p;
	for (rounds = 0; rounds < 8; rounds++) {
		const char *to = NULL;
		size_t n = strlen(p);

		/* the longest prefix (whole components) with another name;
		 * only prefixes as long as some name in the table are looked
		 * up (lens), which spares hashing every prefix of every path:
		 * a tenth of the scan's pre-pass went there */
		while (n > 0) {
			if (lens & (UINT64_C(1) << (n & 63))) {
				char save = p[n];

				p[n] = '\0';
				to = g_hash_table_lookup(dir_alias, p);
				p[n] = save;
				if (to != NULL)
					break;
			}
			while (n > 0 && p[n - 1] != '/')
				n--;
			if (n > 0)
				n--;		/* the '/' before the component */
		}
		if (to == NULL)
			break;
		{
			char *q = g_strconcat(to, p + n, NULL);

			g_free(p);
			p = q;
		}
	}
	return p;
}

static char *
canonical(struct pass *ps, const char *path)
{
	return canonical_in(ps->dir_alias, ps->alias_lens, path);
}

char *
prepass_canonical(const struct prepass *pp, const char *path)
{
	return canonical_in(pp->dir_alias, pp->alias_lens, path);
}

static void
learn_alias(struct pass *ps, const char *from, const char *to)
{
	char *cf = canonical(ps, from), *ct = canonical(ps, to);
	size_t lf = strlen(cf);

	/* not the root, not a directory into itself or below itself */
	if (strcmp(cf, "/") != 0 && strcmp(cf, ct) != 0 &&
	    !(strncmp(ct, cf, lf) == 0 && ct[lf] == '/')) {
		g_hash_table_insert(ps->dir_alias, g_strdup(cf), g_strdup(ct));
		ps->alias_lens |= UINT64_C(1) << (lf & 63);
	}
	g_free(cf);
	g_free(ct);
}

/* The call named abs (from name as given) and reached annot: are the
 * directories above them one? */
static void
alias_from(struct pass *ps, const char *name, const char *abs,
    const char *annot)
{
	const char *b1 = strrchr(abs, '/'), *b2 = strrchr(annot, '/');
	char *d1, *d2;

	if (b1 == NULL || b2 == NULL || b1 == abs || b2 == annot ||
	    strcmp(b1, b2) != 0)
		return;
	d1 = g_strndup(abs, (size_t)(b1 - abs));
	d2 = g_strndup(annot, (size_t)(b2 - annot));
	/* the same file name in a directory of the same name, or a bare
	 * name looked up in the starting directory */
	if (strcmp(strrchr(d1, '/'), strrchr(d2, '/')) == 0 ||
	    (name[0] != '/' && strchr(name, '/') == NULL))
		learn_alias(ps, d1, d2);
	g_free(d1);
	g_free(d2);
}

/* ---- objects --------------------------------------------------------- */

static struct pobj *
obj_new(struct pass *ps, const char *name, bool isdir)
{
	struct pobj *o = g_new0(struct pobj, 1);

	o->id = ps->nobjs++;
	o->index = -1;
	o->size_how = -1;
	o->isdir = isdir;
	o->first_name = g_strdup(name);
	return o;
}

/*
 * An object lives while a name, an open file or the list of the start
 * holds it: one the trace made and removed, with nothing open on it, can
 * change nothing the pass finds any more, and goes (the pass's memory is
 * what is alive, not every object the trace ever named).
 */
static struct pobj *
obj_ref(struct pobj *o)
{
	o->refs++;
	return o;
}

static void
obj_unref(gpointer p)
{
	struct pobj *o = p;

	if (o == NULL || --o->refs > 0)
		return;
	g_free(o->first_name);
	g_free(o->target);
	g_free(o);
}

/* name now names o. */
static void
name_set(struct pass *ps, const char *name, struct pobj *o)
{
	g_hash_table_insert(ps->names, g_strdup(name), obj_ref(o));
}

/* "why (call)", or the call's name: evidence, for the table and vfssim fs. */
static const char *
why_now(struct pass *ps, const char *why)
{
	const char *call = ps->tc != NULL ? ps->tc->name : "?";
	char *s;
	const char *r;

	if (why == NULL)
		return g_intern_string(call);
	s = g_strdup_printf("%s (%s)", why, call);
	r = g_intern_string(s);
	g_free(s);
	return r;
}

static void
settle(struct pass *ps, const char *abs)
{
	if (!g_hash_table_contains(ps->settled, abs))
		g_hash_table_add(ps->settled, g_strdup(abs));
}

/* The object existed at the start: give it a place in the list.  Not one
 * made by something the trace does not show (it appeared at a name whose
 * start was already known), and at most one object a name. */
static void
mark_initial(struct pass *ps, struct pobj *o)
{
	struct initial_file f;

	if (o->index >= 0 || o->appeared)
		return;
	if (o->ev == NULL) {
		o->ev = why_now(ps, ps->why);
		o->ev_line = ps->tc != NULL ? ps->tc->line : 0;
	}
	f.path = g_strdup(o->first_name);
	f.isdir = o->isdir;
	f.size = 0;
	f.link_of = -1;
	f.symlink = NULL;
	f.evidence = o->ev;
	f.line = o->ev_line;
	o->index = (int)ps->pp->files->len;
	g_array_append_val(ps->pp->files, f);
	g_ptr_array_add(ps->initial, obj_ref(o));
	settle(ps, o->first_name);
}

static void use_parents(struct pass *ps, const char *abs);

/* abs exists (a call used it successfully). */
static struct pobj *
use(struct pass *ps, const char *abs, bool isdir)
{
	struct pobj *o = g_hash_table_lookup(ps->names, abs);

	if (o == NULL) {
		use_parents(ps, abs);
		o = obj_new(ps, abs, isdir);
		name_set(ps, abs, o);
		/* A name the trace created, removed or renamed before has
		 * no object from the start left: this one was made by a
		 * call the trace does not show. */
		if (g_hash_table_contains(ps->settled, abs))
			o->appeared = o->created = true;
		mark_initial(ps, o);
	}
	touch_obj(ps, o);
	if (isdir && !o->isdir && o->written == 0 && o->size == 0) {
		o->isdir = true;
		if (o->index >= 0)
			g_array_index(ps->pp->files, struct initial_file,
			    o->index).isdir = true;
	}
	return o;
}

static void
use_parents(struct pass *ps, const char *abs)
{
	const char *slash = strrchr(abs, '/');
	GArray *touched = ps->touched;
	char *parent;

	if (slash == NULL || slash == abs)
		return;		/* the root always exists */
	parent = g_strndup(abs, (size_t)(slash - abs));
	/* Finding that the directories were there is no use of them. */
	ps->touched = NULL;
	{
		const char *why = ps->why;

		ps->why = "directory on a path";
		(void)use(ps, parent, true);
		ps->why = why;
	}
	ps->touched = touched;
	g_free(parent);
}

/* A call changes the directory abs is in (prepass_track). */
static void
touch_parent(struct pass *ps, const char *abs)
{
	const char *slash = strrchr(abs, '/');
	char *parent;
	struct pobj *o;

	if (ps->touched == NULL || slash == NULL)
		return;
	parent = slash == abs ? g_strdup("/") :
	    g_strndup(abs, (size_t)(slash - abs));
	if ((o = g_hash_table_lookup(ps->names, parent)) != NULL)
		touch_obj(ps, o);
	else
		touch_name(ps, parent);
	g_free(parent);
}

/* abs was created by the call. */
static struct pobj *
create(struct pass *ps, const char *abs, bool isdir)
{
	struct pobj *o = g_hash_table_lookup(ps->names, abs);

	if (o == NULL) {
		use_parents(ps, abs);
		o = obj_new(ps, abs, isdir);
		o->created = true;
		name_set(ps, abs, o);
		touch_parent(ps, abs);
		/* made new where the trace had seen nothing: a listing of
		 * the start that has it disagrees (fs_manifest_apply) */
		if (ps->excl && !g_hash_table_contains(ps->settled, abs))
			g_hash_table_insert(ps->pp->created, g_strdup(abs),
			    GSIZE_TO_POINTER(ps->tc != NULL ? ps->tc->line : 0));
		settle(ps, abs);
	}
	touch_obj(ps, o);
	return o;
}

enum size_ev { SZ_STAT, SZ_READ, SZ_SEEK_END };
static const char *const size_ev_names[] = { "st_size", "bytes read", "SEEK_END" };

/*
 * What the trace saw of an object's size before changing it: bytes it read
 * that it had not written, st_size, where SEEK_END went.  Of a file the
 * trace made (O_CREAT of a name it had not seen), only bytes read show it
 * was there before: a size alone may come from calls the trace does not
 * show (a filtered capture's mmap or fallocate).  A link's size is its
 * target's length, not data.
 */
static void
evidence(struct pass *ps, struct pobj *o, int64_t end, enum size_ev how)
{
	if (o->truncated || o->isdir || o->islink || end <= o->written ||
	    end <= 0 || o->appeared || (o->created && how != SZ_READ))
		return;
	if (end > o->size) {
		/* (the words are made once, at the end: this is per read) */
		o->size = end;
		o->size_how = (int8_t)how;
		o->size_sc = ps->tc != NULL ? ps->tc->sc : SC_OTHER;
		o->size_line = ps->tc != NULL ? ps->tc->line : 0;
	}
	mark_initial(ps, o);
}

static void
unname(struct pass *ps, const char *abs, bool isdir)
{
	if (!g_hash_table_contains(ps->names, abs))
		(void)use(ps, abs, isdir);
	touch_parent(ps, abs);
	g_hash_table_remove(ps->names, abs);
	settle(ps, abs);
}

static void
rename_names(struct pass *ps, const char *from, const char *to)
{
	struct pobj *o = g_hash_table_lookup(ps->names, from);

	if (o == NULL)
		o = use(ps, from, false);
	touch_parent(ps, from);
	touch_parent(ps, to);
	settle(ps, from);
	settle(ps, to);
	obj_ref(o);		/* (its names go before it gets the new one) */
	g_hash_table_remove(ps->names, to);
	g_hash_table_remove(ps->names, from);
	name_set(ps, to, o);
	obj_unref(o);
	if (o->isdir) {
		/* Everything below moves too (order does not matter). */
		size_t fl = strlen(from);
		GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
		GHashTableIter it;
		gpointer k;
		guint i;

		g_hash_table_iter_init(&it, ps->names);
		while (g_hash_table_iter_next(&it, &k, NULL))
			if (strncmp(k, from, fl) == 0 && ((char *)k)[fl] == '/')
				g_ptr_array_add(keys, g_strdup(k));
		for (i = 0; i < keys->len; i++) {
			const char *old = g_ptr_array_index(keys, i);
			struct pobj *c = obj_ref(g_hash_table_lookup(ps->names,
			    old));
			char *nn = g_strconcat(to, old + fl, NULL);

			g_hash_table_remove(ps->names, old);
			name_set(ps, nn, c);
			obj_unref(c);
			g_free(nn);
		}
		g_ptr_array_free(keys, TRUE);
	}
}

/* ---- symbolic links -------------------------------------------------- */

static void
set_target(struct pass *ps, struct pobj *o, const char *target)
{
	if (o->target != NULL || target == NULL || target[0] == '\0')
		return;
	o->target = g_strdup(target);
	o->linklen = (int64_t)strlen(target);
	ps->nlinks++;
}

/*
 * abs names a symbolic link (readlink, lstat): to target if the trace
 * showed it, of length len.  A name first met here existed at the start;
 * one the pre-pass took for a file (an open's -y annotation made it a
 * second name of what it led to, or nothing showed its type) becomes a
 * link.  A name the trace made itself is left as the trace made it.
 */
static void
mark_symlink(struct pass *ps, const char *abs, const char *target, int64_t len)
{
	struct pobj *o = g_hash_table_lookup(ps->names, abs);
	guint i;

	if (o != NULL && (o->islink || o->created || o->isdir)) {
		if (o->islink)
			set_target(ps, o, target);
		return;
	}
	if (o != NULL && strcmp(o->first_name, abs) != 0) {
		/* abs was taken for another name of o (an open through it
		 * led to o): it is a link of its own. */
		struct pobj *l = obj_new(ps, abs, false);

		l->islink = true;
		name_set(ps, abs, l);
		for (i = 0; i < ps->pp->files->len; i++) {
			struct initial_file *f = &g_array_index(ps->pp->files,
			    struct initial_file, i);

			if (f->link_of >= 0 && strcmp(f->path, abs) == 0) {
				f->link_of = -1;
				l->index = (int)i;
				g_ptr_array_add(ps->initial, obj_ref(l));
				break;
			}
		}
		if (l->index < 0)
			mark_initial(ps, l);
		o = l;
	} else if (o == NULL) {
		use_parents(ps, abs);
		o = obj_new(ps, abs, false);
		name_set(ps, abs, o);
		mark_initial(ps, o);
	}
	/* (a name the pre-pass took for a file of its own: now a link,
	 * its size its length) */
	o->islink = true;
	o->size = 0;
	o->linklen = len;
	set_target(ps, o, target);
}

/*
 * abs with the symbolic links the pre-pass knows the targets of followed:
 * those in the middle of it always, the last one only with follow_last
 * (as namei follows).  Unknown links stay as they are.
 */
static char *
follow_links(struct pass *ps, char *abs, bool follow_last)
{
	int loops = 0;

	if (ps->nlinks == 0)
		return abs;
again:
	{
		char **comp = g_strsplit(abs, "/", -1);
		GString *prefix = g_string_new("");
		int i, n = (int)g_strv_length(comp);

		for (i = 0; i < n; i++) {
			struct pobj *o;
			bool last;
			int j;

			if (comp[i][0] == '\0')
				continue;
			g_string_append_printf(prefix, "/%s", comp[i]);
			for (j = i + 1; j < n && comp[j][0] == '\0'; j++)
				;
			last = j == n;
			o = g_hash_table_lookup(ps->names, prefix->str);
			if (o == NULL || !o->islink || o->target == NULL ||
			    (last && !follow_last) || loops++ >= MAXSYMLINKS)
				continue;
			{
				/* the target, from the link's directory, then
				 * the rest */
				char *dir = g_path_get_dirname(prefix->str);
				GString *np = g_string_new(o->target);
				char *next;

				for (j = i + 1; j < n; j++)
					if (comp[j][0] != '\0')
						g_string_append_printf(np, "/%s",
						    comp[j]);
				next = abspath(dir, np->str);
				g_free(dir);
				g_string_free(np, TRUE);
				g_string_free(prefix, TRUE);
				g_strfreev(comp);
				g_free(abs);
				abs = next;
				goto again;
			}
		}
		g_string_free(prefix, TRUE);
		g_strfreev(comp);
	}
	return abs;
}

/* ---- processes and descriptors --------------------------------------- */

static void
pfile_unref(gpointer p)
{
	struct pfile *f = p;

	if (--f->refs == 0) {
		obj_unref(f->obj);
		g_free(f->path);
		g_free(f);
	}
}

static struct pfdt *
fdt_new(void)
{
	struct pfdt *t = g_new0(struct pfdt, 1);

	t->refs = 1;
	t->fds = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    pfile_unref);
	return t;
}

static void
fdt_unref(struct pfdt *t)
{
	if (--t->refs == 0) {
		g_hash_table_destroy(t->fds);
		g_free(t);
	}
}

static void
pproc_free(gpointer p)
{
	struct pproc *pr = p;

	g_free(pr->cwd);
	fdt_unref(pr->fdt);
	g_free(pr);
}

/* (Calls come in runs of one process: the last one is remembered.) */
static struct pproc *
proc_of(struct pass *ps, int32_t pid)
{
	struct pproc *pr;

	if (ps->pr_last != NULL && ps->pr_pid == pid)
		return ps->pr_last;
	pr = g_hash_table_lookup(ps->procs, GINT_TO_POINTER(pid));
	if (pr == NULL) {
		pr = g_new0(struct pproc, 1);
		pr->fdt = fdt_new();
		g_hash_table_insert(ps->procs, GINT_TO_POINTER(pid), pr);
	}
	ps->pr_pid = pid;
	ps->pr_last = pr;
	return pr;
}

/* A process goes (it exited, or its pid starts afresh). */
static void
proc_gone(struct pass *ps, int32_t pid)
{
	if (ps->pr_pid == pid)
		ps->pr_last = NULL;
	g_hash_table_remove(ps->procs, GINT_TO_POINTER(pid));
}

static void
pfd_set(struct pproc *pr, int32_t fd, struct pfile *f)
{
	f->refs++;
	pr->fdt->last = NULL;
	g_hash_table_insert(pr->fdt->fds, GINT_TO_POINTER(fd), f);
}

static void
pfd_del(struct pproc *pr, int32_t fd)
{
	pr->fdt->last = NULL;
	g_hash_table_remove(pr->fdt->fds, GINT_TO_POINTER(fd));
}

static struct pfile *
pfile_new(struct pobj *o, const char *path)
{
	struct pfile *f = g_new0(struct pfile, 1);

	f->refs = 1;		/* the caller's */
	f->obj = o != NULL ? obj_ref(o) : NULL;
	f->path = path != NULL ? g_strdup(path) : NULL;
	return f;
}

/* The file behind fd; one open before the capture is learned from its
 * annotation. */
static struct pfile *
pfd_get(struct pass *ps, struct pproc *pr, int32_t fd, const char *annot,
    bool deleted)
{
	struct pfile *f;

	/* (the descriptor of the call before, most of the time) */
	if (pr->fdt->last != NULL && pr->fdt->last_fd == fd)
		f = pr->fdt->last;
	else
		f = g_hash_table_lookup(pr->fdt->fds, GINT_TO_POINTER(fd));
	if (f == NULL && fd >= 0) {
		if (annot != NULL && annot[0] == '/' && !deleted &&
		    !passthrough(ps, annot)) {
			const char *why = ps->why;
			char *canon = canonical(ps, annot);

			ps->why = "descriptor open before the capture";
			f = pfile_new(use(ps, canon, false), canon);
			ps->why = why;
			g_free(canon);
		} else
			f = pfile_new(NULL, NULL);
		pfd_set(pr, fd, f);
		pfile_unref(f);
	}
	if (f != NULL) {
		pr->fdt->last_fd = fd;
		pr->fdt->last = f;
	}
	if (f != NULL && f->obj != NULL)
		touch_obj(ps, f->obj);
	else if (f != NULL && annot != NULL && annot[0] != '/')
		touch_name(ps, annot);	/* pipe:[N], socket:[N] */
	return f;
}

/*
 * An AT_FDCWD annotation: where the process is, as the kernel names it.
 * The first tells where it started; a later one that differs from the name
 * it chdir'd to says that name is another for the annotated directory (a
 * symbolic link: chdir("proj") into /home/user/work, getcwd
 * /home/user/srv/proj).  The annotation is believed either way.
 */
static void
note_cwd(struct pass *ps, struct pproc *pr, const char *annot)
{
	char *a, *c;

	if (annot == NULL || annot[0] != '/' || passthrough(ps, annot) ||
	    pr->cwd == NULL)
		return;
	a = canonical(ps, annot);
	c = canonical(ps, pr->cwd);
	if (strcmp(a, c) != 0) {
		if (pr->cwd_by_name)
			learn_alias(ps, c, a);
		g_free(pr->cwd);
		pr->cwd = g_strdup(a);
	}
	pr->cwd_by_name = false;
	g_free(a);
	g_free(c);
}

/* The directory a relative name starts from. */
static const char *
dir_of(struct pass *ps, struct pproc *pr, int32_t dirfd, const char *annot)
{
	if (dirfd == TC_AT_FDCWD || dirfd == TC_NOFD) {
		if (pr->cwd == NULL) {
			/* The first annotation tells where the process was;
			 * without one, the replay starts it at the root too. */
			pr->cwd = g_strdup(annot != NULL && annot[0] == '/' &&
			    !passthrough(ps, annot) ? annot : "/");
			if (!pr->chdired)
				g_hash_table_insert(ps->pp->cwd0,
				    GINT_TO_POINTER(ps->cur_pid), g_strdup(pr->cwd));
		} else if (dirfd == TC_AT_FDCWD)
			note_cwd(ps, pr, annot);
		return pr->cwd;
	}
	{
		struct pfile *f = pfd_get(ps, pr, dirfd, annot, false);

		if (f->path != NULL)
			return f->path;
		return annot != NULL && annot[0] == '/' ? annot : NULL;
	}
}

/* Resolve a path argument; NULL if it is not in the simulated fs. */
static char *
resolve(struct pass *ps, struct pproc *pr, int32_t dirfd, const char *annot,
    const char *path)
{
	const char *dir;
	char *abs;

	if (path == NULL)
		return NULL;
	/* (an absolute name's call still says where the process is) */
	if (path[0] == '/' && dirfd == TC_AT_FDCWD && annot != NULL)
		(void)dir_of(ps, pr, dirfd, annot);
	dir = path[0] == '/' ? NULL : dir_of(ps, pr, dirfd, annot);
	if (path[0] != '/' && dir == NULL)
		return NULL;
	abs = abspath(dir, path);
	if (ps->dir_alias != NULL && g_hash_table_size(ps->dir_alias) > 0) {
		char *c = canonical(ps, abs);

		g_free(abs);
		abs = c;
	}
	abs = follow_links(ps, abs, false);
	if (passthrough(ps, abs)) {
		g_free(abs);
		return NULL;
	}
	touch_name(ps, abs);
	return abs;
}

/* The same for a call that follows a link at the end of the path; a link
 * whose target was not known learns it from the -y annotation of what the
 * call reached (retpath), if there is one. */
static char *
resolve_follow(struct pass *ps, struct pproc *pr, int32_t dirfd,
    const char *annot, const char *path, const char *retpath)
{
	char *abs = resolve(ps, pr, dirfd, annot, path);
	struct pobj *o;

	if (abs == NULL)
		return NULL;
	o = g_hash_table_lookup(ps->names, abs);
	if (o != NULL && o->islink && o->target == NULL && retpath != NULL &&
	    retpath[0] == '/')
		set_target(ps, o, retpath);
	abs = follow_links(ps, abs, true);
	if (passthrough(ps, abs)) {
		g_free(abs);
		return NULL;
	}
	touch_name(ps, abs);
	return abs;
}

/* ---- one call -------------------------------------------------------- */

static void
do_open(struct pass *ps, struct pproc *pr, const struct trace_call *tc)
{
	uint32_t of = tc->sc == SC_CREAT ? (TO_CREAT | TO_WRONLY | TO_TRUNC) :
	    tc->oflags;
	bool nofollow = (of & TO_NOFOLLOW) ||
	    (of & (TO_CREAT | TO_EXCL)) == (TO_CREAT | TO_EXCL);
	char *abs = nofollow ? resolve(ps, pr, tc->sc == SC_OPENAT ? tc->fd :
	    TC_AT_FDCWD, tc->fdpath, tc->path) : resolve_follow(ps, pr,
	    tc->sc == SC_OPENAT ? tc->fd : TC_AT_FDCWD, tc->fdpath, tc->path,
	    tc->ret >= 0 ? tc->retpath : NULL);
	struct pobj *o = NULL;
	struct pfile *f;

	if (tc->ret < 0)
		goto out;
	if (abs == NULL || (tc->retpath != NULL && tc->retpath[0] == '/' &&
	    passthrough(ps, tc->retpath))) {
		f = pfile_new(NULL, NULL);
		goto install;
	}
	if (tc->retpath != NULL && tc->retpath[0] == '/' && !tc->ret_deleted &&
	    strcmp(tc->retpath, abs) != 0 && tc->path != NULL) {
		/* Another name for the directory it is in? */
		alias_from(ps, tc->path, abs, tc->retpath);
		if (g_hash_table_size(ps->dir_alias) > 0) {
			char *c = canonical(ps, abs);

			g_free(abs);
			abs = c;
		}
	}
	if (of & TO_TMPFILE) {
		(void)use(ps, abs, true);
		o = obj_new(ps, abs, false);	/* unnamed */
		o->created = o->truncated = true;
	} else if (tc->retpath != NULL && tc->retpath[0] == '/' &&
	    !tc->ret_deleted && strcmp(tc->retpath, abs) != 0 &&
	    !g_hash_table_contains(ps->names, abs)) {
		/* The name led elsewhere (a symlink): the object lives at
		 * the annotated path; the name is another way to it. */
		o = g_hash_table_lookup(ps->names, tc->retpath);
		if (o == NULL)
			o = (of & TO_CREAT) ? create(ps, tc->retpath,
			    (of & TO_DIRECTORY) != 0) :
			    use(ps, tc->retpath, (of & TO_DIRECTORY) != 0);
		if (o->index >= 0) {
			struct initial_file alias = { .path = g_strdup(abs),
			    .isdir = o->isdir, .link_of = o->index,
			    .evidence = why_now(ps,
			    "another name, seen through -y"), .line = tc->line };

			use_parents(ps, abs);
			g_array_append_val(ps->pp->files, alias);
			settle(ps, abs);
		}
		name_set(ps, abs, o);
	} else if (of & TO_CREAT) {
		bool existed = g_hash_table_contains(ps->names, abs);

		ps->excl = (of & TO_EXCL) != 0;
		o = create(ps, abs, false);
		ps->excl = false;
		if ((of & TO_EXCL) || (!existed && (of & TO_TRUNC)))
			o->truncated = true;
	} else
		o = use(ps, abs, (of & TO_DIRECTORY) != 0);
	if ((of & TO_TRUNC) && (of & TO_ACCMODE) != TO_RDONLY)
		o->truncated = true;
	f = pfile_new(o, abs);
	f->append = (of & TO_APPEND) != 0;
install:
	pfd_set(pr, (int32_t)tc->ret, f);
	pfile_unref(f);
out:
	g_free(abs);
}

static void
do_rw(struct pass *ps, struct pproc *pr, const struct trace_call *tc, bool write)
{
	struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);
	bool positional = tc->sc == SC_PREAD || tc->sc == SC_PWRITE ||
	    tc->sc == SC_PREADV || tc->sc == SC_PWRITEV;
	int64_t off;

	if (tc->ret < 0 || f->obj == NULL)
		return;
	off = positional ? tc->off : f->offset;
	if (off < 0)
		return;
	if (write && f->append && !positional)
		off = MAX(f->obj->size, f->obj->written);
	if (write) {
		if (tc_add(off, tc->ret) > f->obj->written)
			f->obj->written = tc_add(off, tc->ret);
	} else if (tc->ret > 0)
		/* (a read that returns nothing at offset N shows only that
		 * the file is no longer than N) */
		evidence(ps, f->obj, tc_add(off, tc->ret), SZ_READ);
	if (!positional)
		f->offset = tc_add(off, tc->ret);
}

/* copy_file_range, sendfile: a read of the input and a write of the
 * output (sendfile's output is fd, its input fd2). */
static void
do_copy(struct pass *ps, struct pproc *pr, const struct trace_call *tc)
{
	bool sf = tc->sc == SC_SENDFILE;
	struct pfile *in = pfd_get(ps, pr, sf ? tc->fd2 : tc->fd,
	    sf ? tc->fdpath2 : tc->fdpath, sf ? tc->fd2_deleted : tc->fd_deleted);
	struct pfile *out = pfd_get(ps, pr, sf ? tc->fd : tc->fd2,
	    sf ? tc->fdpath : tc->fdpath2, sf ? tc->fd_deleted : tc->fd2_deleted);
	int64_t ioff, ooff;

	if (tc->ret <= 0)
		return;
	ioff = tc->off != TC_NOOFF ? tc->off : in->offset;
	ooff = !sf && tc->arg != -1 ? tc->arg : out->offset;
	if (out->obj != NULL && out->append)
		ooff = MAX(out->obj->size, out->obj->written);
	if (in->obj != NULL && ioff >= 0)
		evidence(ps, in->obj, tc_add(ioff, tc->ret), SZ_READ);
	if (out->obj != NULL && ooff >= 0 &&
	    tc_add(ooff, tc->ret) > out->obj->written)
		out->obj->written = tc_add(ooff, tc->ret);
	if (tc->off == TC_NOOFF && ioff >= 0)
		in->offset = tc_add(ioff, tc->ret);
	if ((sf || tc->arg == -1) && ooff >= 0)
		out->offset = tc_add(ooff, tc->ret);
}

static void
do_stat(struct pass *ps, struct pproc *pr, const struct trace_call *tc)
{
	struct pobj *o = NULL;
	bool isdir = tc->st_type == TT_DIR;

	if (tc->ret != 0)
		return;
	if (tc->sc == SC_FSTAT || ((tc->atflags & TAT_EMPTY_PATH) &&
	    (tc->path == NULL || tc->path[0] == '\0'))) {
		o = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted)->obj;
	} else {
		int32_t dirfd = (tc->sc == SC_NEWFSTATAT || tc->sc == SC_STATX ||
		    tc->sc == SC_FACCESSAT || tc->sc == SC_FACCESSAT2) ?
		    tc->fd : TC_AT_FDCWD;
		bool follows = tc->sc != SC_LSTAT &&
		    !(tc->atflags & TAT_SYMLINK_NOFOLLOW);
		char *abs = follows ? resolve_follow(ps, pr, dirfd, tc->fdpath,
		    tc->path, NULL) : resolve(ps, pr, dirfd, tc->fdpath, tc->path);

		if (abs != NULL && !follows && tc->st_type == TT_LNK) {
			/* lstat of a link: a link, of the length it
			 * showed — not a file to grow */
			mark_symlink(ps, abs, NULL, tc->st_size);
			g_free(abs);
			return;
		}
		if (abs != NULL)
			o = use(ps, abs, isdir);
		g_free(abs);
	}
	if (o == NULL)
		return;
	if (isdir && !o->isdir)
		(void)use(ps, o->first_name, true);
	if (tc->st_size >= 0 && tc->st_type == TT_REG)
		evidence(ps, o, tc->st_size, SZ_STAT);
}

static void
do_clone(struct pass *ps, struct pproc *pr, const struct trace_call *tc)
{
	struct pproc *c;

	if (tc->ret <= 0)
		return;
	/* A reused pid starts afresh. */
	proc_gone(ps, (int32_t)tc->ret);
	c = proc_of(ps, (int32_t)tc->ret);
	if (pr->cwd != NULL)
		c->cwd = g_strdup(pr->cwd);
	c->chdired = true;	/* its cwd is inherited, not its own start */
	if (tc->xflags & TX_CLONE_FILES) {
		fdt_unref(c->fdt);
		c->fdt = pr->fdt;
		c->fdt->refs++;
	} else {
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, pr->fdt->fds);
		while (g_hash_table_iter_next(&it, &k, &v))
			pfd_set(c, GPOINTER_TO_INT(k), v);
	}
}

static void
one_call(struct pass *ps, const struct trace_call *tc)
{
	struct pproc *pr;
	char *abs = NULL, *abs2 = NULL;

	if (tc->pid != ps->cur_pid || g_hash_table_size(ps->pids) == 0)
		g_hash_table_add(ps->pids, GINT_TO_POINTER(tc->pid));
	ps->cur_pid = tc->pid;
	ps->tc = tc;
	if (tc->kind == TC_EXIT) {
		proc_gone(ps, tc->pid);
		return;
	}
	pr = proc_of(ps, tc->pid);
	switch ((enum sc_id)tc->sc) {
	case SC_OPEN: case SC_OPENAT: case SC_CREAT:
		do_open(ps, pr, tc);
		break;
	case SC_CLOSE:
		if (tc->ret == 0)
			pfd_del(pr, tc->fd);
		break;
	case SC_READ: case SC_PREAD: case SC_READV: case SC_PREADV:
		do_rw(ps, pr, tc, false);
		break;
	case SC_WRITE: case SC_PWRITE: case SC_WRITEV: case SC_PWRITEV:
		do_rw(ps, pr, tc, true);
		break;
	case SC_LSEEK: {
		struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);

		if (tc->ret >= 0) {
			f->offset = tc->ret;
			if (f->obj != NULL && tc->cmd == TCMD_SEEK_END && tc->off == 0)
				evidence(ps, f->obj, tc->ret, SZ_SEEK_END);
		}
		break;
	}
	case SC_STAT: case SC_LSTAT: case SC_FSTAT: case SC_NEWFSTATAT:
	case SC_STATX: case SC_ACCESS: case SC_FACCESSAT: case SC_FACCESSAT2:
		do_stat(ps, pr, tc);
		break;
	case SC_UNLINK: case SC_UNLINKAT: case SC_RMDIR:
		abs = resolve(ps, pr, tc->sc == SC_UNLINKAT ? tc->fd : TC_AT_FDCWD,
		    tc->fdpath, tc->path);
		if (abs != NULL && tc->ret == 0)
			unname(ps, abs, tc->sc == SC_RMDIR ||
			    (tc->atflags & TAT_REMOVEDIR));
		break;
	case SC_RENAME: case SC_RENAMEAT: case SC_RENAMEAT2:
		abs = resolve(ps, pr, tc->sc == SC_RENAME ? TC_AT_FDCWD : tc->fd,
		    tc->fdpath, tc->path);
		abs2 = resolve(ps, pr, tc->sc == SC_RENAME ? TC_AT_FDCWD : tc->fd2,
		    tc->fdpath2, tc->path2);
		if (abs != NULL && abs2 != NULL && tc->ret == 0) {
			if (tc->xflags & TX_RENAME_EXCHANGE) {
				struct pobj *a = obj_ref(use(ps, abs, false));
				struct pobj *b = obj_ref(use(ps, abs2, false));

				name_set(ps, abs, b);
				name_set(ps, abs2, a);
				obj_unref(a);
				obj_unref(b);
			} else
				rename_names(ps, abs, abs2);
		}
		break;
	case SC_LINK: case SC_LINKAT:
		/* Another name for a file: made by the trace, not there at
		 * the start (linkat follows a link only when asked to). */
		abs = tc->sc == SC_LINK || (tc->atflags & TAT_SYMLINK_FOLLOW) ?
		    resolve_follow(ps, pr, tc->sc == SC_LINKAT ? tc->fd :
		    TC_AT_FDCWD, tc->fdpath, tc->path, NULL) :
		    resolve(ps, pr, TC_AT_FDCWD, tc->fdpath, tc->path);
		abs2 = resolve(ps, pr, tc->sc == SC_LINKAT ? tc->fd2 : TC_AT_FDCWD,
		    tc->fdpath2, tc->path2);
		if (abs != NULL && abs2 != NULL && tc->ret == 0) {
			struct pobj *o = use(ps, abs, false);

			use_parents(ps, abs2);
			name_set(ps, abs2, o);
		}
		break;
	case SC_SYMLINK: case SC_SYMLINKAT:
		/* A link the trace made: not there at the start. */
		abs2 = resolve(ps, pr, tc->sc == SC_SYMLINKAT ? tc->fd :
		    TC_AT_FDCWD, tc->fdpath, tc->path2);
		if (abs2 != NULL && tc->ret == 0 && tc->path != NULL) {
			struct pobj *o;

			g_hash_table_remove(ps->names, abs2);
			o = create(ps, abs2, false);
			o->islink = true;
			set_target(ps, o, tc->path);
		}
		break;
	case SC_READLINK: case SC_READLINKAT:
		abs = resolve(ps, pr, tc->sc == SC_READLINKAT ? tc->fd :
		    TC_AT_FDCWD, tc->fdpath, tc->path);
		if (abs != NULL && tc->ret > 0)
			/* the contents, unless strace cut them short */
			mark_symlink(ps, abs, tc->path2 != NULL &&
			    (int64_t)strlen(tc->path2) == tc->ret ? tc->path2 :
			    NULL, tc->ret);
		break;
	case SC_CHMOD: case SC_FCHMOD: case SC_FCHMODAT: case SC_FCHMODAT2:
	case SC_CHOWN: case SC_FCHOWN: case SC_LCHOWN: case SC_FCHOWNAT:
	case SC_UTIMENSAT: case SC_UTIMES: case SC_UTIME: case SC_FUTIMESAT:
		/* A file whose mode, owner or times changed existed then
		 * (by descriptor: learned from its annotation). */
		if (tc->ret != 0)
			break;
		if (tc->sc == SC_FCHMOD || tc->sc == SC_FCHOWN ||
		    (tc->sc == SC_UTIMENSAT && (tc->path == NULL ||
		    (tc->path[0] == '\0' && (tc->atflags & TAT_EMPTY_PATH))))) {
			(void)pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);
			break;
		}
		{
			int32_t dirfd = tc->sc == SC_FCHMODAT ||
			    tc->sc == SC_FCHMODAT2 || tc->sc == SC_FCHOWNAT ||
			    tc->sc == SC_UTIMENSAT || tc->sc == SC_FUTIMESAT ?
			    tc->fd : TC_AT_FDCWD;

			abs = tc->sc == SC_LCHOWN ||
			    (tc->atflags & TAT_SYMLINK_NOFOLLOW) ?
			    resolve(ps, pr, dirfd, tc->fdpath, tc->path) :
			    resolve_follow(ps, pr, dirfd, tc->fdpath, tc->path, NULL);
			if (abs != NULL)
				(void)use(ps, abs, false);
		}
		break;
	case SC_COPY_FILE_RANGE: case SC_SENDFILE:
		do_copy(ps, pr, tc);
		break;
	case SC_FALLOCATE: {
		/* Space the trace made (zeros), not data that was there. */
		struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);

		if (tc->ret == 0 && f->obj != NULL && tc->off >= 0 &&
		    tc->len > 0 && !(tc->xflags & TX_FALLOC_KEEP_SIZE) &&
		    tc_add(tc->off, tc->len) > f->obj->written)
			f->obj->written = tc_add(tc->off, tc->len);
		break;
	}
	case SC_MMAP:
		/* A file mapped through a descriptor opened before the
		 * capture is learned from its annotation (a mapping is no
		 * evidence of a size: it may run past the end). */
		if (tc->ret >= 0 && tc->fd >= 0 &&
		    !(tc->xflags & TX_MAP_ANONYMOUS))
			(void)pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);
		break;
	case SC_SNAPSHOT_CREATE: case SC_SNAPSHOT_REMOVE: {
		/* the file /.snap/NAME: made by the replay, not there before */
		const char *base = tc->path != NULL ? strrchr(tc->path, '/') : NULL;
		char *name = g_strconcat("/.snap/", base != NULL ? base + 1 :
		    tc->path != NULL ? tc->path : "snap", NULL);

		if (tc->ret == 0 && tc->sc == SC_SNAPSHOT_CREATE)
			(void)create(ps, name, false);
		else if (tc->ret == 0)
			unname(ps, name, false);
		g_free(name);
		break;
	}
	case SC_MKDIR: case SC_MKDIRAT:
		abs = resolve(ps, pr, tc->sc == SC_MKDIRAT ? tc->fd : TC_AT_FDCWD,
		    tc->fdpath, tc->path);
		if (abs != NULL && tc->ret == 0) {
			ps->excl = true;
			(void)create(ps, abs, true);
			ps->excl = false;
		}
		break;
	case SC_TRUNCATE:
		abs = resolve_follow(ps, pr, TC_AT_FDCWD, tc->fdpath, tc->path,
		    NULL);
		if (abs != NULL && tc->ret == 0)
			use(ps, abs, false)->truncated = true;
		break;
	case SC_FTRUNCATE: {
		struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);

		if (tc->ret == 0 && f->obj != NULL)
			f->obj->truncated = true;
		break;
	}
	case SC_DUP: case SC_DUP2: case SC_DUP3:
		if (tc->ret >= 0 && tc->ret != tc->fd)
			pfd_set(pr, (int32_t)tc->ret,
			    pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted));
		break;
	case SC_FCNTL:
		if ((tc->cmd == TCMD_F_DUPFD || tc->cmd == TCMD_F_DUPFD_CLOEXEC) &&
		    tc->ret >= 0)
			pfd_set(pr, (int32_t)tc->ret,
			    pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted));
		break;
	case SC_CHDIR:
		abs = resolve_follow(ps, pr, TC_AT_FDCWD, NULL, tc->path, NULL);
		if (tc->ret == 0) {
			if (abs != NULL)
				(void)use(ps, abs, true);
			g_free(pr->cwd);
			pr->cwd = abs != NULL ? g_strdup(abs) :
			    tc->path != NULL ? g_strdup(tc->path) : NULL;
			pr->chdired = true;
			pr->cwd_by_name = true;
		}
		break;
	case SC_FCHDIR: {
		struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);

		if (tc->ret == 0 && f->path != NULL) {
			g_free(pr->cwd);
			pr->cwd = g_strdup(f->path);
			pr->chdired = true;
			pr->cwd_by_name = false;
		}
		break;
	}
	case SC_GETDENTS64: {
		struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);

		if (f->obj != NULL && !f->obj->isdir)
			(void)use(ps, f->obj->first_name, true);
		break;
	}
	case SC_CLONE: case SC_CLONE3: case SC_FORK: case SC_VFORK:
		do_clone(ps, pr, tc);
		break;
	default:
		/* Descriptors that other calls return are not files of the
		 * fs (pipes, sockets): forget whatever had that number. */
		if (tc->ret >= 0 && tc->rfd[0] >= 0) {
			pfd_del(pr, tc->rfd[0]);
			pfd_del(pr, tc->rfd[1]);
		}
		break;
	}
	g_free(abs);
	g_free(abs2);
}

/* ---- processes' lifetimes ---------------------------------------------- */

/*
 * What the replay's ordering rules (replay.order) need of each process:
 * when it began and ended in the capture, whether a traced fork made it
 * and whether it waited for children.  A pid's records go to its current
 * process until its exit record; the next record (or a fork returning the
 * pid) begins another, as the replay sees it (struct uproc).
 */
static struct pp_proc *
pproc_begin(struct pass *ps, int32_t pid, bool forked)
{
	GArray *a = g_hash_table_lookup(ps->pp->procs, GINT_TO_POINTER(pid));
	struct pp_proc p = { TC_NOTIME, TC_NOTIME, forked, false, false };

	if (a == NULL) {
		a = g_array_new(FALSE, FALSE, sizeof(struct pp_proc));
		g_hash_table_insert(ps->pp->procs, GINT_TO_POINTER(pid), a);
	}
	g_array_append_val(a, p);
	g_hash_table_add(ps->live, GINT_TO_POINTER(pid));
	return &g_array_index(a, struct pp_proc, a->len - 1);
}

static void
note_proc(struct pass *ps, const struct trace_call *tc)
{
	struct pp_proc *p;
	int64_t end = tc->t_ns != TC_NOTIME ? tc_end(tc) : TC_NOTIME;

	/* (the same pid as the record before, most of the time) */
	if (ps->last_procs != NULL && tc->pid == ps->last_pid)
		p = &g_array_index(ps->last_procs, struct pp_proc,
		    ps->last_procs->len - 1);
	else if (g_hash_table_contains(ps->live, GINT_TO_POINTER(tc->pid))) {
		GArray *a = g_hash_table_lookup(ps->pp->procs,
		    GINT_TO_POINTER(tc->pid));

		p = &g_array_index(a, struct pp_proc, a->len - 1);
	} else
		p = pproc_begin(ps, tc->pid, false);
	if (ps->last_procs == NULL || tc->pid != ps->last_pid)
		ps->last_procs = g_hash_table_lookup(ps->pp->procs,
		    GINT_TO_POINTER(tc->pid));
	ps->last_pid = tc->pid;
	if (end != TC_NOTIME && (p->end_t == TC_NOTIME || end > p->end_t))
		p->end_t = end;
	if (tc->kind == TC_EXIT) {
		p->exited = true;
		g_hash_table_remove(ps->live, GINT_TO_POINTER(tc->pid));
		ps->last_procs = NULL;
		return;
	}
	if (p->first_t == TC_NOTIME)
		p->first_t = tc->t_ns;
	switch ((enum sc_id)tc->sc) {
	case SC_WAIT4: case SC_WAITID:
		p->waits = ps->pp->lifecycle = true;
		break;
	case SC_CLONE: case SC_CLONE3: case SC_FORK: case SC_VFORK:
		ps->pp->lifecycle = true;
		if (tc->ret > 0 && !g_hash_table_contains(ps->live,
		    GINT_TO_POINTER((int32_t)tc->ret)))
			(void)pproc_begin(ps, (int32_t)tc->ret, true);
		break;
	default:
		break;
	}
}

static int
cmp_edge(gconstpointer a, gconstpointer b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	/* at the same instant a beginning counts before an end: processes
	 * that touch overlap (the ordering rules order only "ended before") */
	return (int)(y[1] - x[1]);
}

/* The most processes alive at once in the capture, each from its first
 * call's entry to its end. */
static unsigned
max_alive(const struct prepass *pp)
{
	GArray *ev = g_array_new(FALSE, FALSE, 2 * sizeof(int64_t));
	GHashTableIter it;
	gpointer v;
	unsigned cur = 0, most = 0;
	guint i;

	g_hash_table_iter_init(&it, pp->procs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		GArray *a = v;

		for (i = 0; i < a->len; i++) {
			const struct pp_proc *p = &g_array_index(a, struct pp_proc, i);
			int64_t b[2] = { p->first_t, 1 }, e[2] = { p->end_t, -1 };

			if (p->first_t == TC_NOTIME)
				continue;
			g_array_append_val(ev, b);
			g_array_append_val(ev, e);
		}
	}
	g_array_sort(ev, cmp_edge);
	for (i = 0; i < ev->len; i++) {
		int64_t *e = &g_array_index(ev, int64_t, 2 * i);

		cur = (unsigned)((int)cur + (int)e[1]);
		most = MAX(most, cur);
	}
	g_array_free(ev, TRUE);
	return most;
}

const struct pp_proc *
prepass_proc(const struct prepass *pp, int32_t pid, unsigned k)
{
	GArray *a = g_hash_table_lookup(pp->procs, GINT_TO_POINTER(pid));

	return a != NULL && k < a->len ? &g_array_index(a, struct pp_proc, k) :
	    NULL;
}

struct prepass *
prepass_run(const char *path, char **pt, GError **err)
{
	struct trace_reader *r = trace_open(path, err);

	if (r == NULL)
		return NULL;
	return prepass_read(r, path, pt, NULL, err);
}

/*
 * The list's paths written with every directory's annotated name, and one
 * entry a path: two objects the pass took for different files at one
 * name (through two names of a directory) are one, with the larger size.
 * Another name for an entry that turns out to be the entry itself goes.
 */
static void
one_entry_a_path(struct pass *ps)
{
	GArray *old = ps->pp->files, *files;
	GHashTable *at = g_hash_table_new(g_str_hash, g_str_equal);
	int *map = g_new(int, old->len + 1);
	guint i;

	files = g_array_new(FALSE, FALSE, sizeof(struct initial_file));
	for (i = 0; i < old->len; i++) {
		struct initial_file f = g_array_index(old, struct initial_file, i);
		char *c = canonical(ps, f.path);
		gpointer k;

		g_free(f.path);
		f.path = c;
		if (f.link_of >= 0)
			f.link_of = map[f.link_of];
		if (g_hash_table_lookup_extended(at, f.path, NULL, &k)) {
			struct initial_file *e = &g_array_index(files,
			    struct initial_file, GPOINTER_TO_INT(k));

			map[i] = GPOINTER_TO_INT(k);
			if (f.link_of < 0 && e->link_of < 0) {
				e->isdir |= f.isdir;
				if (f.size > e->size) {
					e->size = f.size;
					e->evidence = f.evidence;
					e->line = f.line;
				}
			}
			g_free(f.path);
			continue;
		}
		if (f.link_of >= 0 && strcmp(g_array_index(files,
		    struct initial_file, f.link_of).path, f.path) == 0) {
			map[i] = f.link_of;
			g_free(f.path);
			continue;
		}
		map[i] = (int)files->len;
		g_array_append_val(files, f);
		g_hash_table_insert(at, g_array_index(files, struct initial_file,
		    files->len - 1).path, GINT_TO_POINTER(map[i]));
	}
	for (i = 0; i < files->len; i++) {
		struct initial_file *f = &g_array_index(files, struct initial_file, i);

		if (f->isdir)
			f->size = 0;
	}
	g_hash_table_destroy(at);
	g_free(map);
	g_array_free(old, TRUE);
	ps->pp->files = files;
}

char
initial_file_type(const struct initial_file *f)
{
	return f->link_of >= 0 || f->symlink != NULL ? 'l' : f->isdir ? 'd' :
	    'f';
}

/* A pass over a trace, from its first record. */
static void
pass_init(struct pass *ps, enum trace_format format, char **pt)
{
	memset(ps, 0, sizeof(*ps));
	ps->pp = g_new0(struct prepass, 1);
	ps->pp->files = g_array_new(FALSE, FALSE, sizeof(struct initial_file));
	ps->pp->cwd0 = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	ps->pp->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    (GDestroyNotify)g_array_unref);
	ps->pp->created = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	ps->pp->notes = g_array_new(FALSE, FALSE, sizeof(struct fs_note));
	ps->pp->format = format;
	ps->pp->t0 = TC_NOTIME;
	ps->pp->t_end = TC_NOTIME;
	ps->passthrough = pt;
	ps->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    obj_unref);
	ps->initial = g_ptr_array_new_with_free_func(obj_unref);
	ps->procs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    pproc_free);
	ps->pids = g_hash_table_new(g_direct_hash, g_direct_equal);
	ps->live = g_hash_table_new(g_direct_hash, g_direct_equal);
	ps->settled = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ps->dir_alias = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
}

/* Everything but ps->pp, the result. */
static void
pass_fini(struct pass *ps)
{
	g_hash_table_destroy(ps->live);
	g_hash_table_destroy(ps->names);
	g_ptr_array_free(ps->initial, TRUE);
	g_hash_table_destroy(ps->procs);
	g_hash_table_destroy(ps->pids);
	g_hash_table_destroy(ps->settled);
	if (ps->dir_alias != NULL)
		g_hash_table_destroy(ps->dir_alias);
	if (ps->touched != NULL)
		g_array_free(ps->touched, TRUE);
	if (ps->keyids != NULL)
		g_hash_table_destroy(ps->keyids);
}

struct prepass *
prepass_read(struct trace_reader *r, const char *path, char **pt,
    struct tspool *keep, GError **err)
{
	struct trace_call tc;
	struct pass ps;
	guint i;
	int rc;

	pass_init(&ps, trace_reader_format(r), pt);
	trace_call_init(&tc);
	while ((rc = trace_read(r, &tc, err)) == 1) {
		if (keep != NULL && !tspool_put(keep, &tc, err)) {
			rc = -1;
			break;
		}
		ps.pp->records++;
		if (tc.kind == TC_CALL)
			ps.pp->calls++;
		if ((tc.sc == SC_SNAPSHOT_CREATE || tc.sc == SC_SNAPSHOT_REMOVE) &&
		    ps.pp->snapshot_line == 0)
			ps.pp->snapshot_line = tc.line > 0 ? tc.line : ps.pp->records;
		if (tc.t_ns != TC_NOTIME) {
			int64_t end = tc_end(&tc);

			ps.pp->has_time = true;
			if (ps.pp->t0 == TC_NOTIME || tc.t_ns < ps.pp->t0)
				ps.pp->t0 = tc.t_ns;
			if (ps.pp->t_end == TC_NOTIME || end > ps.pp->t_end)
				ps.pp->t_end = end;
			/* The simulation walks every second of it (the syncer,
			 * the sampler), so an absurd span is refused. */
			if (ps.pp->t_end - ps.pp->t0 > PREPASS_MAX_SPAN) {
				g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
				    "%s:%llu: the trace would span %.0f days; vfssim "
				    "replays at most %d", path,
				    (unsigned long long)tc.line,
				    (double)(ps.pp->t_end - ps.pp->t0) / 86400e9,
				    (int)(PREPASS_MAX_SPAN / 86400000000000LL));
				rc = -1;
				break;
			}
		}
		if (tc.dur_ns >= 0)
			ps.pp->has_dur = true;
		note_proc(&ps, &tc);
		one_call(&ps, &tc);
	}
	trace_call_free(&tc);
	ps.pp->nominal = trace_reader_nominal(r);
	trace_close(r);
	/* Sizes: the evidence gathered after each object got its place. */
	for (i = 0; i < ps.initial->len; i++) {
		struct pobj *o = g_ptr_array_index(ps.initial, i);
		struct initial_file *f;

		if (o->index < 0)
			continue;
		f = &g_array_index(ps.pp->files, struct initial_file, o->index);
		f->isdir = o->isdir;
		f->size = o->isdir ? 0 : o->size;
		if (f->size > 0 && o->size_how >= 0) {
			char *e = g_strdup_printf("%s (%s)",
			    size_ev_names[o->size_how], sc_name(o->size_sc));

			f->evidence = g_intern_string(e);
			f->line = o->size_line;
			g_free(e);
		}
		if (o->islink) {
			/* A link the trace showed only the length of points
			 * nowhere, with that length. */
			f->isdir = false;
			f->symlink = o->target != NULL ? g_strdup(o->target) :
			    vn_unknown_target(o->linklen);
			f->size = (int64_t)strlen(f->symlink);
		}
	}
	one_entry_a_path(&ps);
	{
		/* the processes' starting directories by their own names */
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, ps.pp->cwd0);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			char *c = canonical(&ps, v);

			g_hash_table_iter_replace(&it, c);
		}
	}
	ps.pp->dir_alias = ps.dir_alias;
	ps.pp->alias_lens = ps.alias_lens;
	ps.dir_alias = NULL;
	ps.pp->npids = g_hash_table_size(ps.pids);
	ps.pp->max_alive = max_alive(ps.pp);
	pass_fini(&ps);
	if (rc < 0) {
		prepass_free(ps.pp);
		return NULL;
	}
	return ps.pp;
}

void
prepass_free(struct prepass *pp)
{
	guint i;

	if (pp == NULL)
		return;
	for (i = 0; i < pp->files->len; i++) {
		g_free(g_array_index(pp->files, struct initial_file, i).path);
		g_free(g_array_index(pp->files, struct initial_file, i).symlink);
	}
	g_array_free(pp->files, TRUE);
	g_hash_table_destroy(pp->cwd0);
	g_hash_table_destroy(pp->procs);
	g_hash_table_destroy(pp->created);
	for (i = 0; i < pp->notes->len; i++) {
		struct fs_note *n = &g_array_index(pp->notes, struct fs_note, i);

		g_free(n->path);
		g_free(n->what);
	}
	g_array_free(pp->notes, TRUE);
	if (pp->dir_alias != NULL)
		g_hash_table_destroy(pp->dir_alias);
	g_free(pp->manifest);
	g_free(pp);
}

/* ---- the resources of each call, as the replay reads them ------------- */

struct prepass_track {
	struct pass	 ps;
};

struct prepass_track *
prepass_track_new(char **passthrough)
{
	struct prepass_track *t = g_new0(struct prepass_track, 1);

	pass_init(&t->ps, TF_NATIVE, passthrough);
	t->ps.touched = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	t->ps.keyids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	return t;
}

/* A descriptor's file or pipe, if the process has it (nothing learned). */
static void
touch_fd(struct pass *ps, int32_t pid, int32_t fd, const char *annot)
{
	struct pproc *pr = g_hash_table_lookup(ps->procs, GINT_TO_POINTER(pid));
	struct pfile *f;

	if (pr == NULL || fd < 0)
		return;
	f = g_hash_table_lookup(pr->fdt->fds, GINT_TO_POINTER(fd));
	if (f != NULL && f->obj != NULL)
		touch_obj(ps, f->obj);
	else if (annot != NULL && annot[0] != '/')
		touch_name(ps, annot);
}

unsigned
prepass_track(struct prepass_track *t, const struct trace_call *tc,
    uint64_t *keys, unsigned max)
{
	struct pass *ps = &t->ps;
	unsigned n = 0;
	guint i;

	g_array_set_size(ps->touched, 0);
	/* Descriptors as they were before the call (close drops them). */
	if (tc->kind == TC_CALL) {
		touch_fd(ps, tc->pid, tc->fd, tc->fdpath);
		touch_fd(ps, tc->pid, tc->fd2, tc->fdpath2);
	}
	note_proc(ps, tc);
	one_call(ps, tc);
	if (tc->kind == TC_CALL && tc->sc == SC_OTHER && tc->path != NULL) {
		/* A call the pre-pass does not follow still names a file. */
		struct pproc *pr = g_hash_table_lookup(ps->procs,
		    GINT_TO_POINTER(tc->pid));

		if (pr != NULL)
			g_free(resolve(ps, pr, tc->path[0] == '/' ||
			    tc->fd < 0 ? TC_AT_FDCWD : tc->fd, tc->fdpath,
			    tc->path));
	}
	for (i = 0; i < ps->touched->len && n < max; i++) {
		uint64_t k = g_array_index(ps->touched, uint64_t, i);
		unsigned j;

		for (j = 0; j < n && keys[j] != k; j++)
			;
		if (j == n)
			keys[n++] = k;
	}
	return n;
}

void
prepass_track_free(struct prepass_track *t)
{
	if (t == NULL)
		return;
	pass_fini(&t->ps);
	prepass_free(t->ps.pp);
	g_free(t);
}
