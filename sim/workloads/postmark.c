/*
 * postmark.c — a PostMark-like small-file mix, the load of a mail server.
 *
 * After J. Katcher, "PostMark: a new file system benchmark" (NetApp
 * TR3022, 1997).  Each of `procs` processes works in its own directory
 * PATH.N: it creates a pool of `files` files of sizes uniform in
 * [minsize, maxsize], then runs `transactions` transactions, each a read
 * or an append (a read with probability `read`) of a random file of the
 * pool followed by a create or a delete (a create with probability
 * `create`), and at the end deletes what is left and the directory.  A
 * read reads the whole file; an append adds minsize..maxsize bytes
 * (uniform); a create writes its whole size.  Data moves in `iosize`
 * requests (PostMark's block size).  `think` follows every call.
 */
#include "workload.h"

enum phase { MKDIR, NEXT, FOPEN, FIO, FCLOSE, UNLINK, RMDIR, EXIT };
enum op { OP_CREATE, OP_READ, OP_APPEND, OP_DELETE };

struct pargs {
	int64_t		 files, transactions, minsize, maxsize, iosize, think;
	double		 read, create;
	const char	*path;
};

struct pmfile {
	uint32_t	 id;
	int64_t		 size;
};

struct pproc {
	struct gproc	 p;
	enum phase	 ph;
	char		*dir;
	GArray		*pool;		/* struct pmfile, the live files */
	GString		*file;		/* path of the file being worked on */
	uint32_t	 nextid;
	int64_t		 created, txn;
	bool		 second;	/* the create/delete half of a transaction */
	enum op		 op;
	int		 fd;
	int64_t		 left;
};

static int64_t
pick_size(struct ginst *gi, const struct pargs *a)
{
	return a->minsize + gen_below(gi, a->maxsize - a->minsize + 1);
}

/* Choose the next file operation, or what ends the run. */
static void
next_op(struct ginst *gi, const struct pargs *a, struct pproc *s)
{
	struct pmfile f, *pf;
	guint i;

	for (;;) {
		if (s->created < a->files) {
			s->created++;
			s->op = OP_CREATE;
		} else if (s->txn < a->transactions) {
			if (!s->second) {
				s->second = true;
				if (s->pool->len == 0)
					continue;
				s->op = gen_uniform(gi) < a->read ? OP_READ : OP_APPEND;
			} else {
				s->second = false;
				s->txn++;
				s->op = gen_uniform(gi) < a->create ? OP_CREATE : OP_DELETE;
				if (s->op == OP_DELETE && s->pool->len == 0)
					continue;
			}
		} else if (s->pool->len > 0) {
			/* the end: delete what is left */
			s->op = OP_DELETE;
		} else {
			s->ph = RMDIR;
			return;
		}
		break;
	}
	if (s->op == OP_CREATE) {
		f.id = s->nextid++;
		f.size = pick_size(gi, a);
		g_array_append_val(s->pool, f);
		i = s->pool->len - 1;
	} else if (s->txn >= a->transactions && s->created >= a->files)
		i = s->pool->len - 1;
	else
		i = (guint)gen_below(gi, s->pool->len);
	pf = &g_array_index(s->pool, struct pmfile, i);
	g_string_printf(s->file, "%s/f%u", s->dir, pf->id);
	switch (s->op) {
	case OP_CREATE:
		s->left = pf->size;
		s->ph = FOPEN;
		break;
	case OP_READ:
		s->left = pf->size;
		s->ph = FOPEN;
		break;
	case OP_APPEND:
		s->left = pick_size(gi, a);
		pf->size += s->left;
		s->ph = FOPEN;
		break;
	case OP_DELETE:
		g_array_remove_index_fast(s->pool, i);
		s->ph = UNLINK;
		break;
	}
}

static void
postmark_step(struct ginst *gi, struct gproc *gp)
{
	const struct pargs *a = gi->state;
	struct pproc *s = (struct pproc *)gp;
	int64_t n;

	if (s->ph == NEXT)
		next_op(gi, a, s);
	switch (s->ph) {
	case MKDIR:
		gen_mkdir(gp, s->dir);
		s->ph = NEXT;
		break;
	case NEXT:
		break;
	case FOPEN:
		s->fd = gen_openat(gp, s->file->str, s->op == OP_CREATE ?
		    TO_RDWR | TO_CREAT | TO_TRUNC : s->op == OP_APPEND ?
		    TO_WRONLY | TO_APPEND : TO_RDONLY);
		s->ph = s->left > 0 ? FIO : FCLOSE;
		break;
	case FIO:
		n = MIN(s->left, a->iosize);
		if (s->op == OP_READ)
			gen_read(gp, s->fd, n, n);
		else
			gen_write(gp, s->fd, n);
		s->left -= n;
		if (s->left == 0)
			s->ph = FCLOSE;
		break;
	case FCLOSE:
		gen_close(gp, s->fd);
		s->ph = NEXT;
		break;
	case UNLINK:
		gen_unlink(gp, s->file->str);
		s->ph = NEXT;
		break;
	case RMDIR:
		gen_rmdir(gp, s->dir);
		s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(gp);
		return;
	}
	gen_think(gp, a->think);
}

static bool
postmark_init(struct ginst *gi)
{
	struct pargs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1), i;

	a->files = gen_int(gi, "files", 500);
	a->transactions = gen_int(gi, "transactions", 500);
	a->minsize = gen_size(gi, "minsize", "500");
	a->maxsize = gen_size(gi, "maxsize", "10000");
	a->iosize = gen_size(gi, "iosize", "512");
	a->read = gen_real(gi, "read", 0.5, 0, 1);
	a->create = gen_real(gi, "create", 0.5, 0, 1);
	a->think = gen_time(gi, "think", "0ns");
	if (!gen_path(gi, "path", "/data/pm", &a->path) || gen_failed(gi))
		return false;
	if (a->iosize <= 0 || a->minsize > a->maxsize || a->files > 10000000 ||
	    procs < 1 || procs > 10000) {
		gen_fail(gi, "need iosize > 0, minsize <= maxsize, files <= 10^7 "
		    "and 1 <= procs <= 10000");
		return false;
	}
	for (i = 0; i < procs; i++) {
		struct pproc *s = (struct pproc *)gen_spawn(gi, i * GEN_CALL_NS);

		s->dir = g_strdup_printf("%s.%lld", a->path, (long long)i);
		s->pool = g_array_new(FALSE, FALSE, sizeof(struct pmfile));
		s->file = g_string_new("");
		s->ph = MKDIR;
	}
	return true;
}

static void
postmark_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct pproc *s = (struct pproc *)gp;

	g_free(s->dir);
	if (s->pool != NULL)
		g_array_free(s->pool, TRUE);
	if (s->file != NULL)
		g_string_free(s->file, TRUE);
}

const struct workload workload_postmark = {
	.name = "postmark",
	.doc = "PostMark-like mail-server mix: create, append, read, delete small files",
	.params = "files=500 transactions=500 minsize=500 maxsize=10000 "
	    "iosize=512 read=0.5 create=0.5 procs=1 think=0ns path=/data/pm",
	.statesize = sizeof(struct pargs),
	.procsize = sizeof(struct pproc),
	.init = postmark_init,
	.step = postmark_step,
	.proc_free = postmark_proc_free,
};
