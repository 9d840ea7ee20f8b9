/*
 * dblog.c — a database-like log: commits that append to a log and fsync
 * it, random page reads, and periodic checkpoints.
 *
 * The database is PATH/data (`dbsize` bytes in pages of `pagesize`,
 * existing before the run) and its write-ahead log PATH/log.  Each of
 * `clients` processes runs `txns` transactions: `reads` random pages read
 * (pread64; the database's own cache is not modelled, so every page read
 * is a read), `writes` random pages changed in memory only, a commit
 * record of `logrec` bytes appended to the log and the log fsynced —
 * every commit waits for the disk, the pattern fsync latency decides —
 * then `think` before the next transaction.  A checkpointer process sleeps
 * and wakes every `checkpoint`: it writes every page changed since the last
 * checkpoint (pwrite64, in page order), fsyncs the database, appends a
 * checkpoint record to the log and fsyncs it.  It makes a last checkpoint
 * once the clients are done.
 */
#include "workload.h"

enum phase {
	OPEN_D, FSTAT_D, OPEN_L, TXN, READ, COMMIT, LSYNC, CLOSE_D, CLOSE_L,
	EXIT,
	/* the checkpointer's */
	CP_SLEEP, CP_BEGIN, CP_WRITE, CP_DSYNC, CP_LOGW, CP_LSYNC
};

struct largs {
	int64_t		 clients, txns, reads, writes, pagesize, dbsize, npages;
	int64_t		 logrec, interval, think;
	const char	*path;
	char		*data, *log;
	GHashTable	*dirty;		/* pages changed since the checkpoint */
	int64_t		 live;		/* clients not done */
};

struct lproc {
	struct gproc	 p;
	enum phase	 ph;
	bool		 checkpointer;
	int		 dfd, lfd;
	int64_t		 txn, nread;
	GArray		*cp;		/* the checkpoint's pages, in order */
	guint		 cpi;
	int64_t		 next_cp;	/* when the next checkpoint is due */
};

static gint
cmp_i64(gconstpointer a, gconstpointer b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
client_step(struct ginst *gi, struct largs *a, struct lproc *s)
{
	struct gproc *gp = &s->p;
	int64_t i;

	switch (s->ph) {
	case OPEN_D:
		s->dfd = gen_openat(gp, a->data, TO_RDWR);
		s->ph = FSTAT_D;
		break;
	case FSTAT_D:
		gen_fstat(gp, s->dfd, a->dbsize);
		s->ph = OPEN_L;
		break;
	case OPEN_L:
		s->lfd = gen_openat(gp, a->log, TO_WRONLY | TO_CREAT | TO_APPEND);
		s->ph = s->txn < a->txns ? TXN : CLOSE_D;
		break;
	case TXN:
	case READ:
		if (s->ph == TXN) {
			/* the transaction's changes, in memory until a checkpoint */
			for (i = 0; i < a->writes; i++)
				g_hash_table_add(a->dirty, GSIZE_TO_POINTER(
				    (gsize)gen_below(gi, a->npages)));
			s->nread = 0;
			s->ph = READ;
		}
		if (s->nread < a->reads) {
			gen_pread(gp, s->dfd, a->pagesize,
			    gen_below(gi, a->npages) * a->pagesize, a->pagesize);
			s->nread++;
			break;
		}
		/* no reads left: commit now */
		/* FALLTHROUGH */
	case COMMIT:
		gen_write(gp, s->lfd, a->logrec);
		s->ph = LSYNC;
		break;
	case LSYNC:
		gen_fsync(gp, s->lfd);
		gen_think(gp, a->think);
		s->ph = ++s->txn < a->txns ? TXN : CLOSE_D;
		break;
	case CLOSE_D:
		gen_close(gp, s->dfd);
		s->ph = CLOSE_L;
		break;
	case CLOSE_L:
		gen_close(gp, s->lfd);
		s->ph = EXIT;
		break;
	case EXIT:
		a->live--;
		gen_exit(gp);
		break;
	default:
		gen_fail(gi, "client in a checkpointer's state (a bug)");
		break;
	}
}

static void
checkpointer_step(struct ginst *gi, struct largs *a, struct lproc *s)
{
	struct gproc *gp = &s->p;
	GHashTableIter it;
	gpointer k;

	switch (s->ph) {
	case OPEN_D:
		s->dfd = gen_openat(gp, a->data, TO_RDWR);
		s->ph = OPEN_L;
		break;
	case OPEN_L:
		s->lfd = gen_openat(gp, a->log, TO_WRONLY | TO_CREAT | TO_APPEND);
		s->next_cp = gi->t0 + a->interval;
		s->ph = CP_SLEEP;
		break;
	case CP_SLEEP:
		if (s->next_cp > gp->t) {
			gen_sleep(gp, s->next_cp - gp->t);
			s->ph = CP_BEGIN;
			break;
		}
		/* FALLTHROUGH */
	case CP_BEGIN:
		/* Page order, whatever the table's: determinism. */
		g_array_set_size(s->cp, 0);
		g_hash_table_iter_init(&it, a->dirty);
		while (g_hash_table_iter_next(&it, &k, NULL)) {
			int64_t pg = (int64_t)GPOINTER_TO_SIZE(k);

			g_array_append_val(s->cp, pg);
		}
		g_hash_table_remove_all(a->dirty);
		g_array_sort(s->cp, cmp_i64);
		s->cpi = 0;
		s->ph = CP_WRITE;
		/* FALLTHROUGH */
	case CP_WRITE:
		if (s->cpi < s->cp->len) {
			gen_pwrite(gp, s->dfd, a->pagesize,
			    g_array_index(s->cp, int64_t, s->cpi) * a->pagesize);
			s->cpi++;
			break;
		}
		/* FALLTHROUGH */
	case CP_DSYNC:
		gen_fsync(gp, s->dfd);
		s->ph = CP_LOGW;
		break;
	case CP_LOGW:
		gen_write(gp, s->lfd, a->logrec);
		s->ph = CP_LSYNC;
		break;
	case CP_LSYNC:
		gen_fsync(gp, s->lfd);
		if (a->live > 0) {
			s->next_cp += a->interval;
			s->ph = CP_SLEEP;
		} else
			s->ph = CLOSE_D;
		break;
	case CLOSE_D:
		gen_close(gp, s->dfd);
		s->ph = CLOSE_L;
		break;
	case CLOSE_L:
		gen_close(gp, s->lfd);
		s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(gp);
		break;
	default:
		gen_fail(gi, "checkpointer in a client's state (a bug)");
		break;
	}
}

static void
dblog_step(struct ginst *gi, struct gproc *gp)
{
	struct lproc *s = (struct lproc *)gp;

	if (s->checkpointer)
		checkpointer_step(gi, gi->state, s);
	else
		client_step(gi, gi->state, s);
}

static bool
dblog_init(struct ginst *gi)
{
	struct largs *a = gi->state;
	struct lproc *s;
	int64_t i;

	a->clients = gen_int(gi, "clients", 1);
	a->txns = gen_int(gi, "txns", 1000);
	a->reads = gen_int(gi, "reads", 4);
	a->writes = gen_int(gi, "writes", 2);
	a->pagesize = gen_size(gi, "pagesize", "8K");
	a->dbsize = gen_size(gi, "dbsize", "64M");
	a->logrec = gen_size(gi, "logrec", "512");
	a->interval = gen_time(gi, "checkpoint", "5s");
	a->think = gen_time(gi, "think", "1ms");
	if (!gen_path(gi, "path", "/data/db", &a->path) || gen_failed(gi))
		return false;
	if (a->pagesize <= 0 || a->dbsize < a->pagesize || a->logrec <= 0 ||
	    a->dbsize / a->pagesize > G_MAXINT32 || a->interval < 1000000 ||
	    a->clients < 1 || a->clients > 10000) {
		gen_fail(gi, "need 0 < pagesize <= dbsize (at most 2^31 pages), "
		    "logrec > 0, checkpoint >= 1ms and 1 <= clients <= 10000");
		return false;
	}
	a->npages = a->dbsize / a->pagesize;
	a->data = g_strdup_printf("%s/data", a->path);
	a->log = g_strdup_printf("%s/log", a->path);
	a->dirty = g_hash_table_new(g_direct_hash, g_direct_equal);
	a->live = a->clients;
	for (i = 0; i < a->clients; i++)
		((struct lproc *)gen_spawn(gi, i * GEN_CALL_NS))->ph = OPEN_D;
	/* There from the start, sleeping between checkpoints. */
	s = (struct lproc *)gen_spawn(gi, a->clients * GEN_CALL_NS);
	s->checkpointer = true;
	s->cp = g_array_new(FALSE, FALSE, sizeof(int64_t));
	s->ph = OPEN_D;
	return true;
}

static void
dblog_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct lproc *s = (struct lproc *)gp;

	if (s->cp != NULL)
		g_array_free(s->cp, TRUE);
}

static void
dblog_finish(struct ginst *gi)
{
	struct largs *a = gi->state;

	g_free(a->data);
	g_free(a->log);
	if (a->dirty != NULL)
		g_hash_table_destroy(a->dirty);
}

const struct workload workload_dblog = {
	.name = "dblog",
	.doc = "database log: fsync'd appends per commit, random page reads, checkpoints",
	.params = "clients=1 txns=1000 reads=4 writes=2 pagesize=8K dbsize=64M "
	    "logrec=512 checkpoint=5s think=1ms path=/data/db",
	.statesize = sizeof(struct largs),
	.procsize = sizeof(struct lproc),
	.init = dblog_init,
	.step = dblog_step,
	.finish = dblog_finish,
	.proc_free = dblog_proc_free,
};
