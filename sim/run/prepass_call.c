/*
 * prepass_call.c — the pre-pass's objects (what each name holds, what
 * showed it was there at the start and how large) and what each call
 * does to them (one_call).
 */
#include "prepass_private.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

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
struct pobj *
obj_ref(struct pobj *o)
{
	o->refs++;
	return o;
}

void
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
 * start was already known), and at most one object a name.  unsettled:
 * the caller has just found o's first name not settled (use), so it is
 * added without being hashed and looked up again. */
static void
mark_initial_at(struct pass *ps, struct pobj *o, bool unsettled)
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
	f.listed = f.listed_bytes = 0;
	o->index = (int)ps->pp->files->len;
	g_array_append_val(ps->pp->files, f);
	g_ptr_array_add(ps->initial, obj_ref(o));
	KASSERT(!unsettled || !g_hash_table_contains(ps->settled,
	    o->first_name), ("mark_initial_at: %s settled", o->first_name));
	if (unsettled)
		g_hash_table_add(ps->settled, g_strdup(o->first_name));
	else
		settle(ps, o->first_name);
}

static void
mark_initial(struct pass *ps, struct pobj *o)
{
	mark_initial_at(ps, o, false);
}

static void use_parents(struct pass *ps, const char *abs);

/* abs exists (a call used it successfully). */
struct pobj *
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
			o->appeared = o->created = true;	/* (not marked) */
		mark_initial_at(ps, o, !o->appeared);
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

void
set_target(struct pass *ps, struct pobj *o, const char *target)
{
	if (o->target != NULL || target == NULL || target[0] == '\0')
		return;
	o->target = g_strdup(target);
	o->linklen = (int64_t)strlen(target);
	ps->nlinks++;
}

/*
 * o, a name taken for a file of its own, is a link to target: the file the
 * calls before reached through it, following it, was the target's — there
 * at the start, with the size they showed (a pyenv shim's faccessat2 of
 * .../bin/python3, then python's readlink of it: "python3.11").
 */
static void
followed_before(struct pass *ps, struct pobj *o, const char *abs,
    const char *target)
{
	char *t = link_target(ps, abs, target);
	const char *why = ps->why;
	struct pobj *to;

	if (t == NULL || g_hash_table_contains(ps->names, t)) {
		g_free(t);
		return;
	}
	ps->why = "the target of a link followed before it was known";
	to = use(ps, t, o->isdir);
	ps->why = why;
	if (o->size_how >= 0 && !to->appeared && to->size_how < 0) {
		to->size = o->size;
		to->size_how = o->size_how;
		to->size_sc = o->size_sc;
		to->size_line = o->size_line;
	}
	g_free(t);
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
	} else if (target != NULL)
		followed_before(ps, o, abs, target);
	/* (a name the pre-pass took for a file of its own: now a link,
	 * its size its length) */
	o->islink = true;
	o->size = 0;
	o->linklen = len;
	set_target(ps, o, target);
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
	if (o->special) {
		/* a FIFO's or device's reads and writes say nothing of a
		 * file's size */
		f = pfile_new(NULL, NULL);
		goto install;
	}
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

/* copy_file_range, sendfile, splice: a read of the input and a write of
 * the output (sendfile's output is fd, its input fd2). */
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

/*
 * Linux AIO.  io_submit's writes are writes of their files; its reads say
 * how far a file reached only when their completions come back
 * (io_getevents: each completion's aio_data names its request, its res
 * the bytes read).  And for replay.order = causal, an io_getevents that
 * reaped requests another thread queued (a database's reaper) waits for
 * that io_submit — the latest of another thread's among those it reaped
 * (the model's wait for the requests themselves needs it: a request not
 * yet queued is not waited for).  So each request is kept, by context and
 * aio_data, oldest first, until a completion names it — at most
 * AIO_KEPT at once (past that a request shows neither).
 */
#define AIO_KEPT	65536

struct aio_key {
	uint64_t ctx, data;
};

struct paio {
	struct pobj *obj;	/* a read's file, or NULL */
	int64_t	 off;
	uint64_t idx;		/* the io_submit: the k-th process of pid's */
	int64_t	 end;		/* idx-th call, which returned then */
	int32_t	 pid;
	unsigned k;
};

static guint
aio_key_hash(gconstpointer p)
{
	const struct aio_key *a = p;

	return g_int64_hash(&a->ctx) * 31 + g_int64_hash(&a->data);
}

static gboolean
aio_key_equal(gconstpointer a, gconstpointer b)
{
	const struct aio_key *x = a, *y = b;

	return x->ctx == y->ctx && x->data == y->data;
}

static void
paio_free(gpointer p)
{
	struct paio *a = p;

	if (a->obj != NULL)
		obj_unref(a->obj);
	g_free(a);
}

static void
paio_queue_free(gpointer q)
{
	g_queue_free_full(q, paio_free);
}

void
aio_call(struct pass *ps, unsigned k, const struct trace_call *tc,
    uint64_t idx)
{
	struct aio_key key = { (uint64_t)tc->arg, 0 };
	struct pproc *pr = proc_of(ps, tc->pid);
	const char *s = tc->path2;
	struct paio *best = NULL;
	uint64_t data;
	int64_t res;
	GQueue *q;

	if (tc->ret_unknown || tc->ret <= 0 || s == NULL)
		return;
	ps->tc = tc;		/* (called before one_call: the evidence's call) */
	if (tc->sc == SC_IO_SUBMIT) {
		struct tc_iocb io;
		int64_t n;

		for (n = 0; n < tc->ret && tc_iocb_next(&s, &io); n++) {
			struct pfile *f = pfd_get(ps, pr, io.fd, io.fd == tc->fd ?
			    tc->fdpath : NULL, io.fd == tc->fd && tc->fd_deleted);
			struct paio *a;

			if (f->obj != NULL && io.op == 'w' && io.off >= 0 &&
			    tc_add(io.off, io.len) > f->obj->written)
				f->obj->written = tc_add(io.off, io.len);
			if (ps->aio_kept >= AIO_KEPT)
				continue;
			if (ps->aio == NULL)
				ps->aio = g_hash_table_new_full(aio_key_hash,
				    aio_key_equal, g_free, paio_queue_free);
			key.data = io.data;
			if ((q = g_hash_table_lookup(ps->aio, &key)) == NULL) {
				q = g_queue_new();
				g_hash_table_insert(ps->aio,
				    g_memdup2(&key, sizeof(key)), q);
			}
			a = g_new(struct paio, 1);
			a->obj = f->obj != NULL && io.op == 'r' && io.off >= 0 ?
			    obj_ref(f->obj) : NULL;
			a->off = io.off;
			a->idx = idx;
			a->end = tc->t_ns != TC_NOTIME ?
			    tc_end_in(tc, ps->line_times) : TC_NOTIME;
			a->pid = tc->pid;
			a->k = k;
			g_queue_push_tail(q, a);
			ps->aio_kept++;
		}
		return;
	}
	/* io_getevents: each completion's request, oldest first */
	while (ps->aio != NULL && tc_event_next(&s, &data, &res)) {
		struct paio *a;

		key.data = data;
		if ((q = g_hash_table_lookup(ps->aio, &key)) == NULL)
			continue;
		a = g_queue_pop_head(q);
		ps->aio_kept--;
		if (a->obj != NULL && res > 0)
			evidence(ps, a->obj, tc_add(a->off, res), SZ_READ);
		if ((a->pid != tc->pid || a->k != k) && a->end != TC_NOTIME &&
		    (best == NULL || a->end > best->end)) {
			if (best != NULL)
				paio_free(best);
			best = a;
		} else
			paio_free(a);
		if (g_queue_is_empty(q))
			g_hash_table_remove(ps->aio, &key);
	}
	if (best != NULL && tc->t_ns != TC_NOTIME)
		add_edge(ps, tc->pid, k, idx, best->idx, best->end, best->pid,
		    best->k, PW_AIO);
	if (best != NULL)
		paio_free(best);
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

static gboolean
fd_in_range(gpointer key, gpointer value, gpointer range)
{
	const int64_t *r = range;
	int64_t fd = GPOINTER_TO_INT(key);

	(void)value;
	return fd >= r[0] && fd <= r[1];
}

/*
 * A directory listed (getdents64): the entries of its first whole
 * listing — from the start (an offset of 0: opened, or sought back) to
 * the call that returns 0 — are how many it held, for the starting file
 * system to hold as many (the names it never uses included:
 * initial_file.listed).  Only a directory there at the start, and only
 * when strace showed each call's count, and a count its bytes can hold:
 * a Linux entry takes at least 24 bytes (a name of one byte), so a
 * trace's claim of more entries than that is not believed (the layout
 * would make a directory of them).
 */
static void
listing(struct pfile *f, const struct trace_call *tc)
{
	struct pobj *o = f->obj;

	if (tc->ret < 0)
		return;
	if (tc->ret > 0) {
		if (f->offset == 0)
			f->lst_n = f->lst_bytes = 0;
		if (f->lst_n >= 0 && tc->arg > 0 && tc->arg <= tc->ret / 24) {
			f->lst_n = tc_add(f->lst_n, tc->arg);
			f->lst_bytes = tc_add(f->lst_bytes, tc->ret);
		} else
			f->lst_n = -1;
		f->offset = tc_add(f->offset, tc->ret);
		return;
	}
	if (f->lst_n > 0 && o->listed == 0 && o->index >= 0 && !o->created) {
		o->listed = f->lst_n;
		o->listed_bytes = f->lst_bytes;
	}
	f->lst_n = -1;
}

void
one_call(struct pass *ps, const struct trace_call *tc)
{
	struct pproc *pr;
	char *abs = NULL, *abs2 = NULL;

	if (tc->pid != ps->cur_pid || !ps->any_pid)
		g_hash_table_add(ps->pids, GINT_TO_POINTER(tc->pid));
	ps->cur_pid = tc->pid;
	ps->any_pid = true;
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
	case SC_CLOSE_RANGE:
		/* (close-on-exec is not followed here: exec keeps them) */
		if (tc->ret == 0 && (tc->arg & CLOSE_RANGE_UNSHARE_))
			fdt_unshare(pr);
		if (tc->ret == 0 && tc->fd >= 0 &&
		    !(tc->arg & CLOSE_RANGE_CLOEXEC_)) {
			int64_t r[2] = { tc->fd, tc->len };

			pr->fdt->last = NULL;
			(void)g_hash_table_foreach_remove(pr->fdt->fds,
			    fd_in_range, r);
		}
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
			f->lst_n = -1;		/* (a listing begins at 0 again) */
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
		else if (abs != NULL && tc->ret < 0 && tc->err == EINVAL)
			/* not a link — but there (ufs_readlink's EINVAL
			 * comes after the lookup found it) */
			(void)use(ps, abs, false);
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
	case SC_COPY_FILE_RANGE: case SC_SENDFILE: case SC_SPLICE:
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
	case SC_MKNOD: case SC_MKNODAT:
		/* A node the trace made (a FIFO, mostly; or a file) */
		abs = resolve(ps, pr, tc->sc == SC_MKNODAT ? tc->fd : TC_AT_FDCWD,
		    tc->fdpath, tc->path);
		if (abs != NULL && tc->ret == 0) {
			struct pobj *o;

			ps->excl = true;
			o = create(ps, abs, false);
			ps->excl = false;
			o->special = tc->st_type != TT_REG;
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
	case SC_FCNTL: {
		struct pfile *f = pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);

		if ((tc->cmd == TCMD_F_DUPFD || tc->cmd == TCMD_F_DUPFD_CLOEXEC) &&
		    tc->ret >= 0)
			pfd_set(pr, (int32_t)tc->ret, f);
		break;
	}
	case SC_FSYNC: case SC_FDATASYNC: case SC_FLOCK: case SC_SYNCFS:
	case SC_SYNC_FILE_RANGE: case SC_FSTATFS: case SC_FADVISE64: case SC_IOCTL:
	case SC_READAHEAD:
	case SC_FGETXATTR: case SC_FSETXATTR: case SC_FLISTXATTR:
	case SC_FREMOVEXATTR:
		/* The other calls on a descriptor: one open before the capture
		 * is learned here too (its file there at the start), as the
		 * replay learns it (getfile) — the capture's stdout and stderr,
		 * files that a program only asks isatty() of. */
		(void)pfd_get(ps, pr, tc->fd, tc->fdpath, tc->fd_deleted);
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
		else if (f->obj != NULL)
			listing(f, tc);
		break;
	}
	case SC_CLONE: case SC_CLONE3: case SC_FORK: case SC_VFORK:
		do_clone(ps, pr, tc);
		break;
	default:
		/* Descriptors that other calls return are not files of the
		 * fs (pipes, sockets): forget whatever had that number —
		 * but a pipe without -y's annotation is known by them. */
		if (tc->ret >= 0 && tc->rfd[0] >= 0) {
			if (tc->retpath == NULL && tc->ret == 0 &&
			    tc->rfd[1] >= 0 && tc->rfd[0] != tc->rfd[1] &&
			    (strcmp(tc->name, "pipe") == 0 ||
			    strcmp(tc->name, "pipe2") == 0))
				pfd_pipes(ps, pr, tc->rfd);
			else {
				pfd_del(pr, tc->rfd[0]);
				pfd_del(pr, tc->rfd[1]);
			}
		}
		break;
	}
	if (abs != NULL)	/* (most calls name nothing: no call) */
		g_free(abs);
	if (abs2 != NULL)
		g_free(abs2);
}
