/*
 * find.c — a find/grep-like scan of an existing tree.
 *
 * The tree at PATH (the shape of struct walk; file sizes exponential with
 * mean `filesize`, fixed by the seed) exists before the run.  Each of
 * `procs` processes scans all of it the way find(1) does through fts(3):
 * stat the root; for each directory open it, read it to the end
 * (getdents64), close it and stat every entry; then, with `grep` = 1, open
 * every file and read it to the end in `iosize` requests as grep does.
 * Directories are read before their subdirectories are entered, and the
 * scan goes depth first.  `think` follows every call.
 */
#include "workload.h"

enum phase {
	ROOTSTAT, NEXT, DOPEN, DENTS, DCLOSE, ESTAT, FOPEN, FREAD, FCLOSE, EXIT
};

struct fargs {
	int64_t		 depth, fanout, files, filesize, iosize, think;
	bool		 grep;
	const char	*path;
};

struct fproc {
	struct gproc	 p;
	enum phase	 ph;
	struct walk	 w;
	GString		*entry;		/* scratch: a path in the directory */
	int		 fd, ent, nent;
	int64_t		 left;
};

static void
find_step(struct ginst *gi, struct gproc *gp)
{
	const struct fargs *a = gi->state;
	struct fproc *s = (struct fproc *)gp;
	int64_t n;

	while (s->ph == NEXT) {
		switch (walk_next(&s->w)) {
		case WALK_ENTER:
			s->ph = DOPEN;
			break;
		case WALK_FILE:
			s->ph = a->grep ? FOPEN : NEXT;
			break;
		case WALK_LEAVE:
			break;
		case WALK_END:
			s->ph = EXIT;
			break;
		}
	}
	switch (s->ph) {
	case NEXT:
		break;
	case ROOTSTAT:
		gen_stat(gp, a->path, TT_DIR, 0);
		s->ph = NEXT;
		break;
	case DOPEN:
		s->fd = gen_openat(gp, s->w.path->str,
		    TO_RDONLY | TO_DIRECTORY | TO_CLOEXEC | TO_NONBLOCK);
		s->nent = walk_entries(&s->w);
		s->left = gen_dir_bytes(s->nent);
		s->ph = DENTS;
		break;
	case DENTS:
		if (gen_readdir(gp, s->fd, &s->left))
			s->ph = DCLOSE;
		break;
	case DCLOSE:
		gen_close(gp, s->fd);
		s->ent = 0;
		s->ph = s->nent > 0 ? ESTAT : NEXT;
		break;
	case ESTAT:
		/* This directory's files are the next ones the walk numbers. */
		g_string_assign(s->entry, s->w.path->str);
		if (s->ent < a->files) {
			g_string_append_printf(s->entry, "/f%d", s->ent);
			gen_stat(gp, s->entry->str, TT_REG, walk_file_size(gi->seed,
			    s->w.nfiles + (uint64_t)s->ent, a->filesize));
		} else {
			g_string_append_printf(s->entry, "/d%d",
			    s->ent - (int)a->files);
			gen_stat(gp, s->entry->str, TT_DIR, 0);
		}
		if (++s->ent == s->nent)
			s->ph = NEXT;
		break;
	case FOPEN:
		s->fd = gen_openat(gp, s->w.path->str, TO_RDONLY | TO_NOCTTY);
		s->left = walk_file_size(gi->seed, s->w.file, a->filesize);
		s->ph = FREAD;
		break;
	case FREAD:
		/* to the end: the last read returns 0 */
		n = gen_read_upto(gp, s->fd, a->iosize, s->left);
		s->left -= n;
		if (n == 0)
			s->ph = FCLOSE;
		break;
	case FCLOSE:
		gen_close(gp, s->fd);
		s->ph = NEXT;
		break;
	case EXIT:
		gen_exit(gp);
		return;
	}
	gen_think(gp, a->think);
}

static bool
find_init(struct ginst *gi)
{
	struct fargs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1), i;

	a->depth = gen_int(gi, "depth", 3);
	a->fanout = gen_int(gi, "fanout", 8);
	a->files = gen_int(gi, "files", 16);
	a->filesize = gen_size(gi, "filesize", "16K");
	a->iosize = gen_size(gi, "iosize", "32K");
	a->grep = gen_int(gi, "grep", 1) != 0;
	a->think = gen_time(gi, "think", "0ns");
	if (!gen_path(gi, "path", "/data/src", &a->path) ||
	    !walk_check(gi, a->depth, a->fanout, a->files))
		return false;
	if (a->iosize <= 0 || procs < 1 || procs > 10000) {
		gen_fail(gi, "need iosize > 0 and 1 <= procs <= 10000");
		return false;
	}
	for (i = 0; i < procs; i++) {
		struct fproc *s = (struct fproc *)gen_spawn(gi, i * GEN_CALL_NS);

		walk_init(&s->w, a->path, (int)a->depth, (int)a->fanout,
		    (int)a->files);
		s->entry = g_string_new("");
		s->ph = ROOTSTAT;
	}
	return true;
}

static void
find_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct fproc *s = (struct fproc *)gp;

	walk_free(&s->w);
	if (s->entry != NULL)
		g_string_free(s->entry, TRUE);
}

const struct workload workload_find = {
	.name = "find",
	.doc = "find/grep-like scan of an existing tree: read dirs, stat, read files",
	.params = "depth=3 fanout=8 files=16 filesize=16K iosize=32K grep=1 "
	    "procs=1 think=0ns path=/data/src",
	.statesize = sizeof(struct fargs),
	.procsize = sizeof(struct fproc),
	.init = find_init,
	.step = find_step,
	.proc_free = find_proc_free,
};
