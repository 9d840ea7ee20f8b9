/*
 * dbm.c — the DBM hash workload: random small writes into a large hashed
 * file.
 *
 * The seed's write-behind change (e4649cfac3) names it: "This solves a
 * number of annoying situations, especially with DBM (hash method)
 * writes".  A hash(3) database keeps its buckets in pages of the file; a
 * store hashes the key to a bucket, reads the bucket's page and writes it
 * back, so the writes are page-sized and land anywhere in the file — the
 * pattern a write-behind heuristic must not mistake for a sequential one.
 *
 * `procs` processes share one file of `size` bytes in pages of `pagesize`.
 * Each makes `ops` operations: with probability `read` a lookup (pread64
 * of the bucket's page), otherwise a store (pread64 then pwrite64 of the
 * page).  The bucket is uniform over the file, as a good hash makes it.
 * With `create` = 0 the file exists before the run (fstat gives its size);
 * with `create` = 1 one process creates it empty and forks the others
 * (sharing its descriptor), and it fills as a sparse file: reading a page
 * never written returns 0 bytes, as a read past the end does.  `think` follows every operation.
 */
#include "workload.h"

enum phase { OPEN, FSTAT, FORK, OP, STORE, CLOSE, REAP, EXIT };

struct dargs {
	int64_t		 size, pagesize, ops, think, npages;
	double		 read;
	bool		 create;
	const char	*path;
	guint8		*written;	/* create=1: pages written (bitmap) */
	int64_t		 eof;		/* create=1: the file's size so far */
};

struct dproc {
	struct gproc	 p;
	enum phase	 ph;
	int		 fd;
	int64_t		 done, page;
	GArray		*kids;		/* create=1: the workers it forked */
	int64_t		 forks;		/* of them, still to fork */
	guint		 k;
};

static bool
page_written(const struct dargs *a, int64_t pg)
{
	return !a->create || (a->written[pg >> 3] & (1u << (pg & 7))) != 0;
}

static void
dbm_step(struct ginst *gi, struct gproc *gp)
{
	struct dargs *a = gi->state;
	struct dproc *s = (struct dproc *)gp;
	int64_t off;

	switch (s->ph) {
	case OPEN:
		if (a->create) {
			s->fd = gen_openat(gp, a->path, TO_RDWR | TO_CREAT | TO_TRUNC);
			a->eof = 0;
			s->ph = s->forks > 0 ? FORK : s->done < a->ops ? OP : CLOSE;
		} else {
			s->fd = gen_openat(gp, a->path, TO_RDWR);
			s->ph = FSTAT;
		}
		break;
	case FORK: {
		/* The creator forks the other workers once the file exists:
		 * they share its descriptor, as after dbopen and fork. */
		struct dproc *c = (struct dproc *)gen_fork(gp);

		c->fd = s->fd;
		c->ph = a->ops > 0 ? OP : CLOSE;
		g_array_append_val(s->kids, c->p.pid);
		if (--s->forks == 0)
			s->ph = s->done < a->ops ? OP : CLOSE;
		break;
	}
	case FSTAT:
		gen_fstat(gp, s->fd, a->size);
		s->ph = s->done < a->ops ? OP : CLOSE;
		break;
	case OP:
		s->page = gen_below(gi, a->npages);
		off = s->page * a->pagesize;
		gen_pread(gp, s->fd, a->pagesize, off, page_written(a, s->page) ?
		    a->pagesize : MAX(MIN(a->eof - off, a->pagesize), 0));
		s->done++;
		if (gen_uniform(gi) < a->read) {
			gen_think(gp, a->think);
			s->ph = s->done < a->ops ? OP : CLOSE;
		} else
			s->ph = STORE;
		break;
	case STORE:
		off = s->page * a->pagesize;
		gen_pwrite(gp, s->fd, a->pagesize, off);
		if (a->create) {
			a->written[s->page >> 3] |= (guint8)(1u << (s->page & 7));
			a->eof = MAX(a->eof, off + a->pagesize);
		}
		gen_think(gp, a->think);
		s->ph = s->done < a->ops ? OP : CLOSE;
		break;
	case CLOSE:
		gen_close(gp, s->fd);
		s->ph = s->kids != NULL && s->kids->len > 0 ? REAP : EXIT;
		s->k = 0;
		gen_wait(gp);
		break;
	case REAP:
		gen_wait4(gp, g_array_index(s->kids, int32_t, s->k));
		if (++s->k == s->kids->len)
			s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(gp);
		break;
	}
}

static bool
dbm_init(struct ginst *gi)
{
	struct dargs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1), i;

	a->size = gen_size(gi, "size", "64M");
	a->pagesize = gen_size(gi, "pagesize", "4K");
	a->ops = gen_int(gi, "ops", 10000);
	a->read = gen_real(gi, "read", 0, 0, 1);
	a->create = gen_int(gi, "create", 0) != 0;
	a->think = gen_time(gi, "think", "0ns");
	if (!gen_path(gi, "path", "/data/dbm", &a->path) || gen_failed(gi))
		return false;
	if (a->pagesize <= 0 || a->size < a->pagesize || procs < 1 ||
	    procs > 10000 || a->size / a->pagesize > (1LL << 34)) {
		gen_fail(gi, "need 0 < pagesize <= size, at most 2^34 pages and "
		    "1 <= procs <= 10000");
		return false;
	}
	a->npages = a->size / a->pagesize;
	if (a->create) {
		struct dproc *s = (struct dproc *)gen_spawn(gi, 0);

		a->written = g_malloc0((size_t)((a->npages + 7) / 8));
		s->ph = OPEN;
		s->forks = procs - 1;
		s->kids = g_array_new(FALSE, FALSE, sizeof(int32_t));
		return true;
	}
	for (i = 0; i < procs; i++)
		((struct dproc *)gen_spawn(gi, i * GEN_CALL_NS))->ph = OPEN;
	return true;
}

static void
dbm_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct dproc *s = (struct dproc *)gp;

	if (s->kids != NULL)
		g_array_free(s->kids, TRUE);
}

static void
dbm_finish(struct ginst *gi)
{
	struct dargs *a = gi->state;

	g_free(a->written);
}

const struct workload workload_dbm = {
	.name = "dbm",
	.doc = "DBM hash file: random page-sized stores (read, then write back)",
	.params = "size=64M pagesize=4K ops=10000 read=0 create=0 procs=1 "
	    "think=0ns path=/data/dbm",
	.statesize = sizeof(struct dargs),
	.procsize = sizeof(struct dproc),
	.init = dbm_init,
	.step = dbm_step,
	.finish = dbm_finish,
	.proc_free = dbm_proc_free,
};
