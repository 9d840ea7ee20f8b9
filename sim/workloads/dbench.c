/*
 * dbench.c — dbench-like concurrent clients.
 *
 * The seed's buffer-cache rework (ad8ac923fa, which brought bwillwrite):
 * "I was able to run 'dbench 32' on a 32MB system without bringing the
 * machine to a grinding halt."  dbench replays, in each of N clients at
 * once, the file operations of an office client of a file server
 * (NetBench): directories made, documents written, read back, saved
 * through a temporary file and a rename, updated in place, and the whole
 * working tree deleted at the end of each loop.  Most data written is
 * deleted soon after, and N clients together write more than a small
 * machine's buffer cache holds.
 *
 * This is not dbench's client.txt but a script of the same kinds of
 * operations (the table below).  Each of `clients` processes makes its
 * directory PATH/clients/clientN (PATH/clients exists before the run),
 * runs the script `loops` times in it, and removes the directory.  Data
 * moves in `iosize` requests; `think` follows every call.
 */
#include "workload.h"

enum dbop { D_MKDIR, D_CREATE, D_READ, D_UPDATE, D_STAT, D_RENAME, D_UNLINK,
	D_RMDIR };

struct dbstep {
	enum dbop	 op;
	const char	*a, *b;
	int64_t		 size;
};

#define KB	1024

static const struct dbstep script[] = {
	{ D_MKDIR,	"~dmtmp", NULL, 0 },
	{ D_MKDIR,	"~dmtmp/WORD", NULL, 0 },
	{ D_MKDIR,	"~dmtmp/EXCEL", NULL, 0 },
	{ D_MKDIR,	"~dmtmp/PWRPNT", NULL, 0 },
	{ D_MKDIR,	"~dmtmp/ACCESS", NULL, 0 },
	{ D_CREATE,	"~dmtmp/WORD/CHAP1.DOC", NULL, 40 * KB },
	{ D_CREATE,	"~dmtmp/WORD/CHAP2.DOC", NULL, 120 * KB },
	{ D_CREATE,	"~dmtmp/EXCEL/BUDGET.XLS", NULL, 80 * KB },
	{ D_CREATE,	"~dmtmp/PWRPNT/PCBENCH.PPT", NULL, 300 * KB },
	{ D_CREATE,	"~dmtmp/ACCESS/SALES.MDB", NULL, 512 * KB },
	{ D_STAT,	"~dmtmp/WORD/CHAP1.DOC", NULL, 40 * KB },
	{ D_READ,	"~dmtmp/WORD/CHAP1.DOC", NULL, 40 * KB },
	/* a save: write a temporary copy, rename it over the document */
	{ D_CREATE,	"~dmtmp/WORD/~$CHAP1.TMP", NULL, 44 * KB },
	{ D_RENAME,	"~dmtmp/WORD/~$CHAP1.TMP", "~dmtmp/WORD/CHAP1.DOC", 0 },
	{ D_READ,	"~dmtmp/EXCEL/BUDGET.XLS", NULL, 80 * KB },
	{ D_UPDATE,	"~dmtmp/ACCESS/SALES.MDB", NULL, 512 * KB },
	{ D_READ,	"~dmtmp/PWRPNT/PCBENCH.PPT", NULL, 300 * KB },
	{ D_READ,	"~dmtmp/ACCESS/SALES.MDB", NULL, 512 * KB },
	{ D_STAT,	"~dmtmp/WORD/CHAP2.DOC", NULL, 120 * KB },
	{ D_READ,	"~dmtmp/WORD/CHAP2.DOC", NULL, 120 * KB },
	{ D_READ,	"~dmtmp/WORD/CHAP1.DOC", NULL, 44 * KB },
	/* the end of the loop: deltree */
	{ D_UNLINK,	"~dmtmp/WORD/CHAP1.DOC", NULL, 0 },
	{ D_UNLINK,	"~dmtmp/WORD/CHAP2.DOC", NULL, 0 },
	{ D_UNLINK,	"~dmtmp/EXCEL/BUDGET.XLS", NULL, 0 },
	{ D_UNLINK,	"~dmtmp/PWRPNT/PCBENCH.PPT", NULL, 0 },
	{ D_UNLINK,	"~dmtmp/ACCESS/SALES.MDB", NULL, 0 },
	{ D_RMDIR,	"~dmtmp/ACCESS", NULL, 0 },
	{ D_RMDIR,	"~dmtmp/PWRPNT", NULL, 0 },
	{ D_RMDIR,	"~dmtmp/EXCEL", NULL, 0 },
	{ D_RMDIR,	"~dmtmp/WORD", NULL, 0 },
	{ D_RMDIR,	"~dmtmp", NULL, 0 },
};

#define UPDATE_WRITES	8		/* in-place writes of a D_UPDATE */
#define UPDATE_SIZE	(4 * KB)

enum phase { START, OP, FIO, FCLOSE, FINISH, EXIT };

struct bargs {
	int64_t		 clients, loops, iosize, think;
	const char	*path;
};

struct bproc {
	struct gproc	 p;
	enum phase	 ph;
	char		*dir;
	GString		*a, *b;		/* the step's paths */
	int64_t		 loop, left, off;
	size_t		 i;		/* step of the script */
	int		 fd;
};

static void
dbench_step(struct ginst *gi, struct gproc *gp)
{
	const struct bargs *a = gi->state;
	struct bproc *s = (struct bproc *)gp;
	const struct dbstep *d = &script[s->i];

	switch (s->ph) {
	case START:
		gen_mkdir(gp, s->dir);
		s->ph = a->loops > 0 ? OP : FINISH;
		break;
	case OP:
		g_string_printf(s->a, "%s/%s", s->dir, d->a);
		if (d->b != NULL)
			g_string_printf(s->b, "%s/%s", s->dir, d->b);
		s->left = d->size;
		switch (d->op) {
		case D_MKDIR:
			gen_mkdir(gp, s->a->str);
			break;
		case D_RMDIR:
			gen_rmdir(gp, s->a->str);
			break;
		case D_UNLINK:
			gen_unlink(gp, s->a->str);
			break;
		case D_STAT:
			gen_stat(gp, s->a->str, TT_REG, d->size);
			break;
		case D_RENAME:
			gen_rename(gp, s->a->str, s->b->str);
			break;
		case D_CREATE:
			s->fd = gen_openat(gp, s->a->str, TO_RDWR | TO_CREAT | TO_TRUNC);
			s->ph = FIO;
			break;
		case D_READ:
			s->fd = gen_openat(gp, s->a->str, TO_RDONLY);
			s->ph = FIO;
			break;
		case D_UPDATE:
			s->fd = gen_openat(gp, s->a->str, TO_RDWR);
			s->left = UPDATE_WRITES;
			s->ph = FIO;
			break;
		}
		if (s->ph == OP)
			goto next;
		break;
	case FIO:
		if (d->op == D_UPDATE) {
			s->off = gen_below(gi, d->size / UPDATE_SIZE) * UPDATE_SIZE;
			gen_pwrite(gp, s->fd, UPDATE_SIZE, s->off);
			s->left--;
		} else {
			s->left -= d->op == D_READ ?
			    gen_read_upto(gp, s->fd, a->iosize, s->left) :
			    gen_write_upto(gp, s->fd, a->iosize, s->left);
		}
		if (s->left == 0)
			s->ph = FCLOSE;
		break;
	case FCLOSE:
		gen_close(gp, s->fd);
		s->ph = OP;
		goto next;
	case FINISH:
		gen_rmdir(gp, s->dir);
		s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(gp);
		return;
	}
	gen_think(gp, a->think);
	return;
next:
	/* on to the next step of the script, or the next loop */
	if (++s->i == G_N_ELEMENTS(script)) {
		s->i = 0;
		if (++s->loop == a->loops)
			s->ph = FINISH;
	}
	gen_think(gp, a->think);
}

static bool
dbench_init(struct ginst *gi)
{
	struct bargs *a = gi->state;
	int64_t i;

	a->clients = gen_int(gi, "clients", 32);
	a->loops = gen_int(gi, "loops", 2);
	a->iosize = gen_size(gi, "iosize", "64K");
	a->think = gen_time(gi, "think", "0ns");
	if (!gen_path(gi, "path", "/data/dbench", &a->path) || gen_failed(gi))
		return false;
	if (a->iosize <= 0 || a->clients < 1 || a->clients > 10000) {
		gen_fail(gi, "need iosize > 0 and 1 <= clients <= 10000");
		return false;
	}
	for (i = 0; i < a->clients; i++) {
		struct bproc *s = (struct bproc *)gen_spawn(gi, i * GEN_CALL_NS);

		s->dir = g_strdup_printf("%s/clients/client%lld", a->path,
		    (long long)i);
		s->a = g_string_new("");
		s->b = g_string_new("");
		s->ph = START;
	}
	return true;
}

static void
dbench_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct bproc *s = (struct bproc *)gp;

	g_free(s->dir);
	if (s->a != NULL)
		g_string_free(s->a, TRUE);
	if (s->b != NULL)
		g_string_free(s->b, TRUE);
}

const struct workload workload_dbench = {
	.name = "dbench",
	.doc = "dbench-like concurrent clients: office files written, read, renamed, deleted",
	.params = "clients=32 loops=2 iosize=64K think=0ns path=/data/dbench",
	.statesize = sizeof(struct bargs),
	.procsize = sizeof(struct bproc),
	.init = dbench_init,
	.step = dbench_step,
	.proc_free = dbench_proc_free,
};
