/*
 * tar.c — a tar-like extract: read an archive sequentially, create the
 * tree it holds.
 *
 * The archive (ARCHIVE, existing before the run) holds a tree of the
 * shape of struct walk with file sizes exponential with mean `filesize`
 * (fixed by the seed), in ustar layout: a 512-byte header a member, each
 * file's data padded to 512 bytes, two zero blocks at the end, the whole
 * padded to a record of `iosize` bytes (tar's default blocking factor 20
 * makes 10 KB).  Each of `procs` processes extracts it into PATH.N: it
 * reads the archive a record at a time as it needs bytes, makes each
 * directory (mkdir) and each file (open O_CREAT|O_EXCL, its data written
 * out of the record buffer, close), in the archive's order — depth first,
 * a directory's files before its subdirectories.  Every create goes
 * through bwillwrite, like the tree generator's.  `think` follows every
 * call.
 */
#include "workload.h"

#define TAR_BLOCK	512

enum phase {
	AOPEN, AFSTAT, NEXT, NEED, MKDIR, FOPEN, FDATA, FCLOSE, ACLOSE, EXIT
};

struct xargs {
	int64_t		 depth, fanout, files, filesize, iosize, think;
	int64_t		 asize;		/* the archive's size */
	const char	*path, *archive;
};

struct xproc {
	struct gproc	 p;
	enum phase	 ph, after;	/* NEED: then what */
	struct walk	 w;
	char		*root;
	int		 afd, fd;
	int64_t		 apos;		/* archive bytes read */
	int64_t		 buf;		/* of them, not used yet */
	int64_t		 need;		/* NEED: bytes to use */
	int64_t		 left, pad;	/* the file being written */
};

static int64_t
roundup_blk(int64_t n, int64_t blk)
{
	return (n + blk - 1) / blk * blk;
}

/* Read the archive's next record into the buffer. */
static void
read_record(struct ginst *gi, struct gproc *gp, const struct xargs *a,
    struct xproc *s)
{
	int64_t n = gen_read_upto(gp, s->afd, a->iosize, a->asize - s->apos);

	s->apos += n;
	s->buf += n;
	if (n == 0)
		gen_fail(gi, "archive ends early (a bug)");
}

static void
tar_step(struct ginst *gi, struct gproc *gp)
{
	const struct xargs *a = gi->state;
	struct xproc *s = (struct xproc *)gp;
	int64_t n;

	for (;;) {
		switch (s->ph) {
		case AOPEN:
			s->afd = gen_openat(gp, a->archive, TO_RDONLY);
			s->ph = AFSTAT;
			goto made;
		case AFSTAT:
			gen_fstat(gp, s->afd, a->asize);
			s->ph = NEXT;
			goto made;
		case NEXT:
			switch (walk_next(&s->w)) {
			case WALK_ENTER:
				s->need = TAR_BLOCK;
				s->after = MKDIR;
				s->ph = NEED;
				break;
			case WALK_FILE:
				s->need = TAR_BLOCK;
				s->after = FOPEN;
				s->ph = NEED;
				break;
			case WALK_LEAVE:
				break;
			case WALK_END:
				s->need = 2 * TAR_BLOCK;
				s->after = ACLOSE;
				s->ph = NEED;
				break;
			}
			continue;
		case NEED:
			/* Use bytes already read, reading a record when short. */
			n = MIN(s->need, s->buf);
			s->need -= n;
			s->buf -= n;
			if (s->need == 0) {
				s->ph = s->after;
				continue;
			}
			read_record(gi, gp, a, s);
			goto made;
		case MKDIR:
			gen_mkdir(gp, s->w.path->str);
			s->ph = NEXT;
			goto made;
		case FOPEN:
			s->fd = gen_openat(gp, s->w.path->str,
			    TO_WRONLY | TO_CREAT | TO_EXCL);
			s->left = walk_file_size(gi->seed, s->w.file, a->filesize);
			s->pad = roundup_blk(s->left, TAR_BLOCK) - s->left;
			s->ph = FDATA;
			goto made;
		case FDATA:
			if (s->left == 0) {
				s->need = s->pad;
				s->after = FCLOSE;
				s->ph = NEED;
				continue;
			}
			if (s->buf == 0) {
				/* read the next record, then write out of it */
				read_record(gi, gp, a, s);
				goto made;
			}
			n = gen_write_upto(gp, s->fd, s->buf, s->left);
			s->buf -= n;
			s->left -= n;
			goto made;
		case FCLOSE:
			gen_close(gp, s->fd);
			s->ph = NEXT;
			goto made;
		case ACLOSE:
			gen_close(gp, s->afd);
			s->ph = EXIT;
			goto made;
		case EXIT:
			gen_exit(gp);
			return;
		}
	}
made:
	gen_think(gp, a->think);
}

static bool
tar_init(struct ginst *gi)
{
	struct xargs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1), i;
	struct walk w;
	enum walk_ev ev;

	a->depth = gen_int(gi, "depth", 2);
	a->fanout = gen_int(gi, "fanout", 8);
	a->files = gen_int(gi, "files", 16);
	a->filesize = gen_size(gi, "filesize", "16K");
	a->iosize = gen_size(gi, "iosize", "10K");
	a->think = gen_time(gi, "think", "0ns");
	if (!gen_path(gi, "path", "/data/x", &a->path) ||
	    !gen_path(gi, "archive", "/data/src.tar", &a->archive) ||
	    !walk_check(gi, a->depth, a->fanout, a->files))
		return false;
	if (a->iosize < TAR_BLOCK || a->iosize % TAR_BLOCK != 0 || procs < 1 ||
	    procs > 10000) {
		gen_fail(gi, "need iosize a multiple of 512 and 1 <= procs <= 10000");
		return false;
	}
	/* The archive's size: every member's header and padded data. */
	walk_init(&w, "x", (int)a->depth, (int)a->fanout, (int)a->files);
	while ((ev = walk_next(&w)) != WALK_END) {
		if (ev == WALK_ENTER)
			a->asize += TAR_BLOCK;
		else if (ev == WALK_FILE)
			a->asize += TAR_BLOCK + roundup_blk(walk_file_size(gi->seed,
			    w.file, a->filesize), TAR_BLOCK);
	}
	walk_free(&w);
	a->asize = roundup_blk(a->asize + 2 * TAR_BLOCK, a->iosize);
	for (i = 0; i < procs; i++) {
		struct xproc *s = (struct xproc *)gen_spawn(gi, i * GEN_CALL_NS);

		s->root = g_strdup_printf("%s.%lld", a->path, (long long)i);
		walk_init(&s->w, s->root, (int)a->depth, (int)a->fanout,
		    (int)a->files);
		s->ph = AOPEN;
	}
	return true;
}

static void
tar_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct xproc *s = (struct xproc *)gp;

	walk_free(&s->w);
	g_free(s->root);
}

const struct workload workload_tar = {
	.name = "tar",
	.doc = "tar-like extract: read an archive a record at a time, create its tree",
	.params = "depth=2 fanout=8 files=16 filesize=16K iosize=10K procs=1 "
	    "think=0ns path=/data/x archive=/data/src.tar",
	.statesize = sizeof(struct xargs),
	.procsize = sizeof(struct xproc),
	.init = tar_init,
	.step = tar_step,
	.proc_free = tar_proc_free,
};
