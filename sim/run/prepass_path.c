/*
 * prepass_path.c — a path argument as the pre-pass names it: absolute,
 * from the process's working directory or a directory descriptor (each
 * process's descriptors tracked, -y annotations believed when present),
 * written with each directory's annotated name, symbolic links whose
 * targets the trace showed followed as namei follows them.
 */
#include "prepass_private.h"

#include <string.h>

/* ---- paths ----------------------------------------------------------- */

bool
passthrough(struct pass *ps, const char *abs)
{
	char **p;
	size_t i;

	for (p = ps->passthrough, i = 0; p != NULL && *p != NULL; p++, i++) {
		size_t n = ps->ptlen[i];

		/* (the first two bytes tell most names apart without a
		 * call to strncmp) */
		if (n > 0 && abs[0] == (*p)[0] && (n < 2 || abs[1] == (*p)[1]) &&
		    strncmp(abs, *p, n) == 0 &&
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

char *
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
void
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

/* ---- symbolic links followed ---------------------------------------- */

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

void
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

void
fdt_unref(struct pfdt *t)
{
	if (--t->refs == 0) {
		g_hash_table_destroy(t->fds);
		g_free(t);
	}
}

/* The process's own copy of a descriptor table it shares (CLONE_FILES),
 * as close_range's CLOSE_RANGE_UNSHARE makes it. */
void
fdt_unshare(struct pproc *pr)
{
	struct pfdt *t;
	GHashTableIter it;
	gpointer k, v;

	if (pr->fdt->refs <= 1)
		return;
	t = pr->fdt;
	pr->fdt = fdt_new();
	g_hash_table_iter_init(&it, t->fds);
	while (g_hash_table_iter_next(&it, &k, &v))
		pfd_set(pr, GPOINTER_TO_INT(k), v);
	fdt_unref(t);
}

void
pproc_free(gpointer p)
{
	struct pproc *pr = p;

	g_free(pr->cwd);
	fdt_unref(pr->fdt);
	g_free(pr);
}

/* proc_of's look-up: pid is not the process it found last. */
struct pproc *
proc_lookup(struct pass *ps, int32_t pid)
{
	struct pproc *pr;

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
void
proc_gone(struct pass *ps, int32_t pid)
{
	if (ps->pr_pid == pid)
		ps->pr_last = NULL;
	g_hash_table_remove(ps->procs, GINT_TO_POINTER(pid));
}

void
pfd_set(struct pproc *pr, int32_t fd, struct pfile *f)
{
	f->refs++;
	pr->fdt->last = NULL;
	g_hash_table_insert(pr->fdt->fds, GINT_TO_POINTER(fd), f);
}

void
pfd_del(struct pproc *pr, int32_t fd)
{
	pr->fdt->last = NULL;
	g_hash_table_remove(pr->fdt->fds, GINT_TO_POINTER(fd));
}

struct pfile *
pfile_new(struct pobj *o, const char *path)
{
	struct pfile *f = g_new0(struct pfile, 1);

	f->refs = 1;		/* the caller's */
	f->lst_n = -1;
	f->obj = o != NULL ? obj_ref(o) : NULL;
	f->path = path != NULL ? g_strdup(path) : NULL;
	return f;
}

/* A pipe made (pipe, pipe2) in a trace without -y: both its descriptors
 * are that pipe, whose number the trace does not show; dup, fork and
 * clone carry it as they carry a file.  Which pipe a read or write is
 * then comes from here (note_pipe). */
void
pfd_pipes(struct pass *ps, struct pproc *pr, const int32_t fd[2])
{
	uint64_t id = PIPE_ANON + ps->anon_pipes++;
	int i;

	for (i = 0; i < 2; i++) {
		struct pfile *f = pfile_new(NULL, NULL);

		f->pipe = id;
		pfd_set(pr, fd[i], f);
		pfile_unref(f);
	}
}

/* The pipe pid's fd is, if pfd_pipes made it so (nothing learned). */
uint64_t
pfd_pipe(struct pass *ps, int32_t pid, int32_t fd)
{
	struct pproc *pr = g_hash_table_lookup(ps->procs, GINT_TO_POINTER(pid));
	const struct pfile *f;

	if (pr == NULL || fd < 0)
		return 0;
	f = g_hash_table_lookup(pr->fdt->fds, GINT_TO_POINTER(fd));
	return f != NULL ? f->pipe : 0;
}

/* The file behind fd; one open before the capture is learned from its
 * annotation. */
struct pfile *
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

			struct pobj *o;

			ps->why = "descriptor open before the capture";
			o = use(ps, canon, false);
			/* (a FIFO the trace made: not a file's I/O) */
			f = o->special ? pfile_new(NULL, NULL) :
			    pfile_new(o, canon);
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
	if (strcmp(annot, pr->cwd) == 0) {
		/* where it is known to be (most calls): the two names
		 * below would be one string, and nothing is learnt */
		pr->cwd_by_name = false;
		return;
	}
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
char *
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

char *
link_target(struct pass *ps, const char *abs, const char *target)
{
	char *dir = g_path_get_dirname(abs);
	char *t = follow_links(ps, abspath(dir, target), true);

	g_free(dir);
	if (passthrough(ps, t)) {
		g_free(t);
		return NULL;
	}
	return t;
}

/* The same for a call that follows a link at the end of the path; a link
 * whose target was not known learns it from the -y annotation of what the
 * call reached (retpath), if there is one. */
char *
resolve_follow(struct pass *ps, struct pproc *pr, int32_t dirfd,
    const char *annot, const char *path, const char *retpath)
{
	char *abs = resolve(ps, pr, dirfd, annot, path);
	struct pobj *o;

	if (abs == NULL)
		return NULL;
	/* (only a returned path teaches a link's target: no look-up
	 * without one) */
	if (retpath != NULL && retpath[0] == '/' &&
	    (o = g_hash_table_lookup(ps->names, abs)) != NULL && o->islink &&
	    o->target == NULL)
		set_target(ps, o, retpath);
	abs = follow_links(ps, abs, true);
	if (passthrough(ps, abs)) {
		g_free(abs);
		return NULL;
	}
	touch_name(ps, abs);
	return abs;
}
