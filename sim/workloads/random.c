/*
 * random.c — random reads and writes over one existing file.
 *
 * `procs` processes open the same file of `size` bytes (it exists before
 * the run: each learns its size with fstat) and make `ops` requests of
 * `iosize` bytes each, at block-aligned offsets, pread64 with probability
 * `read` and pwrite64 otherwise.  Which block: with `zipf` = 0 uniformly;
 * with `zipf` = s > 0 the block of popularity rank k is chosen with
 * probability proportional to 1/k^s, and the ranks are scattered over the
 * file (rank k is block (k-1)*stride mod nblocks, stride coprime to
 * nblocks) so that the hot blocks are not all at its start.  `fsync` = N
 * fsyncs after every N writes (0: never); `think` follows every request.
 */
#include "workload.h"

enum phase { OPEN, FSTAT, IO, FSYNC, CLOSE, EXIT };

struct rargs {
	int64_t		 size, iosize, ops, think, fsync_every;
	int64_t		 nblocks, stride;
	double		 read, skew;
	struct zipf	 z;
	const char	*path;
};

struct rproc {
	struct gproc	 p;
	enum phase	 ph;
	int		 fd;
	int64_t		 done, writes;
};

static int64_t
gcd64(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int64_t
pick_block(struct ginst *gi, const struct rargs *a)
{
	int64_t rank;

	if (a->skew <= 0)
		return gen_below(gi, a->nblocks);
	rank = zipf_next(&a->z, gi);
	/* 128-bit product: (rank-1)*stride can exceed 2^63 for huge files */
	return (int64_t)(((unsigned __int128)(rank - 1) * (uint64_t)a->stride) %
	    (uint64_t)a->nblocks);
}

static void
random_step(struct ginst *gi, struct gproc *gp)
{
	const struct rargs *a = gi->state;
	struct rproc *s = (struct rproc *)gp;
	int64_t off;

	switch (s->ph) {
	case OPEN:
		s->fd = gen_openat(gp, a->path, TO_RDWR);
		s->ph = FSTAT;
		break;
	case FSTAT:
		gen_fstat(gp, s->fd, a->size);
		s->ph = s->done < a->ops ? IO : CLOSE;
		break;
	case IO:
		off = pick_block(gi, a) * a->iosize;
		if (gen_uniform(gi) < a->read)
			gen_pread(gp, s->fd, a->iosize, off, a->iosize);
		else {
			gen_pwrite(gp, s->fd, a->iosize, off);
			s->writes++;
		}
		gen_think(gp, a->think);
		s->done++;
		if (a->fsync_every > 0 && s->writes == a->fsync_every)
			s->ph = FSYNC;
		else if (s->done >= a->ops)
			s->ph = CLOSE;
		break;
	case FSYNC:
		gen_fsync(gp, s->fd);
		s->writes = 0;
		s->ph = s->done < a->ops ? IO : CLOSE;
		break;
	case CLOSE:
		gen_close(gp, s->fd);
		s->ph = EXIT;
		break;
	case EXIT:
		gen_exit(gp);
		break;
	}
}

static bool
random_init(struct ginst *gi)
{
	struct rargs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1), i;

	a->size = gen_size(gi, "size", "64M");
	a->iosize = gen_size(gi, "iosize", "8K");
	a->ops = gen_int(gi, "ops", 10000);
	a->read = gen_real(gi, "read", 0.7, 0, 1);
	a->skew = gen_real(gi, "zipf", 0, 0, 10);
	a->think = gen_time(gi, "think", "0ns");
	a->fsync_every = gen_int(gi, "fsync", 0);
	if (!gen_path(gi, "path", "/data/random", &a->path) || gen_failed(gi))
		return false;
	if (a->iosize <= 0 || a->size < a->iosize || procs < 1 || procs > 10000) {
		gen_fail(gi, "need 0 < iosize <= size and 1 <= procs <= 10000");
		return false;
	}
	a->nblocks = a->size / a->iosize;
	/* A stride near the golden section, coprime to nblocks: neighbouring
	 * ranks land far apart and every block has exactly one rank. */
	a->stride = MAX((int64_t)((double)a->nblocks * 0.6180339887), 1);
	while (gcd64(a->stride, a->nblocks) != 1)
		a->stride++;
	if (a->skew > 0)
		zipf_init(&a->z, a->skew, a->nblocks);
	for (i = 0; i < procs; i++)
		((struct rproc *)gen_spawn(gi, i * GEN_CALL_NS))->ph = OPEN;
	return true;
}

const struct workload workload_random = {
	.name = "random",
	.doc = "random reads and writes over a file, uniform or Zipf-skewed",
	.params = "size=64M iosize=8K ops=10000 read=0.7 zipf=0 procs=1 "
	    "think=0ns fsync=0 path=/data/random",
	.statesize = sizeof(struct rargs),
	.procsize = sizeof(struct rproc),
	.init = random_init,
	.step = random_step,
};
