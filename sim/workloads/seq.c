/*
 * seq.c — sequential reading and writing of a file.
 *
 * Each of `procs` processes works on its own file (PATH.N): `write` writes
 * it from start to end in `iosize` requests (then fsyncs it if `fsync` is
 * 1); `read` reads an existing file of `size` bytes; `rw` writes it and then
 * reads it back.  `passes` repeats the reading (or writing) that many times,
 * rewinding in between; `think` is the user time between calls.
 */
#include "workload.h"

#include <string.h>

enum phase { OPEN_W, WRITE, FSYNC, CLOSE_W, OPEN_R, READ, CLOSE_R, EXIT, DONE };

struct seqproc {
	struct gproc	 p;
	enum phase	 ph;
	char		*file;
	int		 fd;
	int64_t		 pass, off;
};

struct seqargs {
	int64_t		 size, iosize, passes, think;
	bool		 writing, reading, fsync;
};

/* Emit the process's next call; its state moves on. */
static void
step(struct gen *g, const struct seqargs *a, struct seqproc *s)
{
	struct gproc *p = &s->p;

	switch (s->ph) {
	case OPEN_W:
		s->fd = gen_open(g, p, s->file, TO_WRONLY | TO_CREAT | TO_TRUNC);
		s->pass = s->off = 0;
		s->ph = a->size > 0 ? WRITE : (a->fsync ? FSYNC : CLOSE_W);
		break;
	case WRITE:
		if (s->off >= a->size) {
			/* another pass over the file */
			gen_lseek(g, p, s->fd, 0);
			s->off = 0;
			break;
		}
		gen_think(p, a->think);
		gen_write(g, p, s->fd, MIN(a->iosize, a->size - s->off));
		s->off += a->iosize;
		if (s->off >= a->size && ++s->pass >= (a->reading ? 1 : a->passes))
			s->ph = a->fsync ? FSYNC : CLOSE_W;
		break;
	case FSYNC:
		gen_fsync(g, p, s->fd);
		s->ph = CLOSE_W;
		break;
	case CLOSE_W:
		gen_close(g, p, s->fd);
		s->ph = a->reading ? OPEN_R : EXIT;
		break;
	case OPEN_R:
		s->fd = gen_open(g, p, s->file, TO_RDONLY);
		s->pass = s->off = 0;
		s->ph = READ;
		break;
	case READ:
		if (s->off > a->size) {
			gen_lseek(g, p, s->fd, 0);
			s->off = 0;
			break;
		}
		gen_think(p, a->think);
		/* the last read returns what is left (0 at EOF) */
		gen_read(g, p, s->fd, a->iosize, MIN(a->iosize, a->size - s->off));
		s->off += a->iosize;
		if (s->off > a->size && ++s->pass >= a->passes)
			s->ph = CLOSE_R;
		break;
	case CLOSE_R:
		gen_close(g, p, s->fd);
		s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(g, p);
		s->ph = DONE;
		break;
	case DONE:
		break;
	}
}

static bool
seq_generate(struct gen *g)
{
	struct seqargs a;
	int64_t procs = gen_int(g, "procs", 1);
	const char *mode = gen_str(g, "mode", "write");
	const char *path = gen_str(g, "path", "/data/seq");
	struct seqproc *ps;
	int64_t i, live;

	a.size = gen_size(g, "size", "64M");
	a.iosize = gen_size(g, "iosize", "64K");
	a.passes = gen_int(g, "passes", 1);
	a.think = gen_time(g, "think", "0ns");
	a.fsync = gen_int(g, "fsync", 0) != 0;
	if (g->error != NULL)
		return false;
	if (a.iosize <= 0 || procs < 1 || procs > 10000 || a.passes < 1 ||
	    path[0] != '/') {
		g_set_error(&g->error, WORKLOAD_ERROR, 0, "seq: need iosize > 0, "
		    "1 <= procs <= 10000, passes >= 1 and an absolute path");
		return false;
	}
	if (strcmp(mode, "write") != 0 && strcmp(mode, "read") != 0 &&
	    strcmp(mode, "rw") != 0) {
		g_set_error(&g->error, WORKLOAD_ERROR, 0,
		    "seq: mode must be write, read or rw, not \"%s\"", mode);
		return false;
	}
	a.writing = strcmp(mode, "read") != 0;
	a.reading = strcmp(mode, "write") != 0;
	ps = g_new0(struct seqproc, procs);
	for (i = 0; i < procs; i++) {
		ps[i].p.pid = (int32_t)(1000 + i);
		ps[i].p.t = 1000000000LL + i * 1000;	/* a second in, staggered */
		ps[i].p.nextfd = 3;
		ps[i].ph = a.writing ? OPEN_W : OPEN_R;
		ps[i].file = g_strdup_printf("%s.%lld", path, (long long)i);
	}
	/* Processes run side by side: always emit the call that starts
	 * first, so the trace is in time order as strace writes it. */
	live = procs;
	while (live > 0 && g->error == NULL) {
		struct seqproc *next = NULL;

		for (i = 0; i < procs; i++)
			if (ps[i].ph != DONE && (next == NULL || ps[i].p.t < next->p.t))
				next = &ps[i];
		step(g, &a, next);
		if (next->ph == DONE)
			live--;
	}
	for (i = 0; i < procs; i++)
		g_free(ps[i].file);
	g_free(ps);
	return g->error == NULL;
}

const struct workload workload_seq = {
	.name = "seq",
	.doc = "sequential write and/or read of a file per process",
	.params = "size=64M iosize=64K procs=1 passes=1 mode=write|read|rw "
	    "think=0ns fsync=0 path=/data/seq",
	.generate = seq_generate,
};
