/*
 * seq.c — sequential reading and writing of a file.
 *
 * Each of `procs` processes works on its own file (PATH.N): `write` writes
 * it from start to end in `iosize` requests (then fsyncs it if `fsync` is
 * 1); `read` reads an existing file of `size` bytes to its end (the last
 * read returns 0); `rw` writes it and then reads it back.  `passes` repeats the reading (or writing) that many times,
 * rewinding in between; `think` is the user time after each request.  The
 * writer is the one the seed's write-behind change helps: its writes are
 * truly sequential (sequential_heuristic, cluster_write; e4649cfac3).
 */
#include "workload.h"

enum phase {
	OPEN_W, WRITE, REWIND_W, FSYNC, CLOSE_W, OPEN_R, READ, REWIND_R, CLOSE_R,
	EXIT
};
enum mode { WRITING, READING, RW };

struct seqargs {
	int64_t		 size, iosize, passes, think;
	bool		 writing, reading, fsync;
	const char	*path;
};

struct seqproc {
	struct gproc	 p;
	enum phase	 ph;
	int		 fd;
	int64_t		 pass, off;
	char		*file;
};

static void
seq_step(struct ginst *gi, struct gproc *gp)
{
	const struct seqargs *a = gi->state;
	struct seqproc *s = (struct seqproc *)gp;
	int64_t n;

	switch (s->ph) {
	case OPEN_W:
		s->fd = gen_openat(gp, s->file, TO_WRONLY | TO_CREAT | TO_TRUNC);
		s->pass = s->off = 0;
		s->ph = a->size > 0 ? WRITE : (a->fsync ? FSYNC : CLOSE_W);
		break;
	case WRITE:
		n = gen_write_upto(gp, s->fd, a->iosize, a->size - s->off);
		gen_think(gp, a->think);
		s->off += n;
		if (s->off >= a->size)
			s->ph = ++s->pass < (a->reading ? 1 : a->passes) ? REWIND_W :
			    a->fsync ? FSYNC : CLOSE_W;
		break;
	case REWIND_W:
	case REWIND_R:
		/* another pass over the file */
		gen_lseek(gp, s->fd, 0);
		s->off = 0;
		s->ph = s->ph == REWIND_W ? WRITE : READ;
		break;
	case FSYNC:
		gen_fsync(gp, s->fd);
		s->ph = CLOSE_W;
		break;
	case CLOSE_W:
		gen_close(gp, s->fd);
		s->ph = a->reading ? OPEN_R : EXIT;
		break;
	case OPEN_R:
		s->fd = gen_openat(gp, s->file, TO_RDONLY);
		s->pass = s->off = 0;
		s->ph = READ;
		break;
	case READ:
		/* to the end of the file, as cat does: the last read returns 0 */
		n = gen_read_upto(gp, s->fd, a->iosize, a->size - s->off);
		gen_think(gp, a->think);
		s->off += n;
		if (n == 0)
			s->ph = ++s->pass < a->passes ? REWIND_R : CLOSE_R;
		break;
	case CLOSE_R:
		gen_close(gp, s->fd);
		s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(gp);
		break;
	}
}

static bool
seq_init(struct ginst *gi)
{
	static const char *const modes[] = { [WRITING] = "write",
	    [READING] = "read", [RW] = "rw", NULL };
	struct seqargs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1);
	const char *mode = gen_str(gi, "mode", "write");
	int64_t i;
	int m;

	a->size = gen_size(gi, "size", "64M");
	a->iosize = gen_size(gi, "iosize", "64K");
	a->passes = gen_int(gi, "passes", 1);
	a->think = gen_time(gi, "think", "0ns");
	a->fsync = gen_int(gi, "fsync", 0) != 0;
	if (!gen_path(gi, "path", "/data/seq", &a->path) || gen_failed(gi))
		return false;
	if (a->iosize <= 0 || procs < 1 || procs > 10000 || a->passes < 1) {
		gen_fail(gi, "need iosize > 0, 1 <= procs <= 10000 and passes >= 1");
		return false;
	}
	if ((m = gen_choice(gi, "mode", mode, modes)) < 0)
		return false;
	a->writing = m != READING;
	a->reading = m != WRITING;
	for (i = 0; i < procs; i++) {
		/* side by side, a call apart */
		struct seqproc *s = (struct seqproc *)gen_spawn(gi, i * GEN_CALL_NS);

		s->ph = a->writing ? OPEN_W : OPEN_R;
		s->file = g_strdup_printf("%s.%lld", a->path, (long long)i);
	}
	return true;
}

static void
seq_proc_free(struct ginst *gi, struct gproc *gp)
{
	g_free(((struct seqproc *)gp)->file);
}

const struct workload workload_seq = {
	.name = "seq",
	.doc = "sequential write and/or read of a file per process",
	.params = "size=64M iosize=64K procs=1 passes=1 mode=write|read|rw "
	    "think=0ns fsync=0 path=/data/seq",
	.statesize = sizeof(struct seqargs),
	.procsize = sizeof(struct seqproc),
	.init = seq_init,
	.step = seq_step,
	.proc_free = seq_proc_free,
};
