/*
 * tree.c — creating a huge tree of empty or small files, and removing it.
 *
 * The seed's bwillwrite change (bd5f5da94d): "Benchmarks that create huge
 * trees of empty files overwhelm the buffer cache", so every call that
 * creates something calls bwillwrite first.  Each of `procs` processes
 * builds its own tree at PATH.N (see struct walk: `depth` levels below the
 * root, `fanout` subdirectories and `files` files in each directory),
 * depth first as a recursive copy does: mkdir a directory, create its
 * files — open(O_CREAT|O_TRUNC), `size` bytes written in `iosize`
 * requests, close — then its subdirectories.
 *
 * `mode=remove` takes an existing tree of that shape away as rm -rf does:
 * read each directory (getdents64), stat and unlink its files, rmdir it
 * once it is empty.  `mode=both` creates the tree and then removes it.
 * `think` follows every call.
 */
#include "workload.h"

enum phase {
	NEXT, MKDIR, FOPEN, FWRITE, FCLOSE, DOPEN, DENTS, DCLOSE, STAT, UNLINK,
	RMDIR, EXIT
};
enum mode { CREATE, REMOVE, BOTH };

struct targs {
	int64_t		 depth, fanout, files, size, iosize, think;
	bool		 create, remove;
	const char	*path;
};

struct tproc {
	struct gproc	 p;
	enum phase	 ph;
	struct walk	 w;
	char		*root;
	bool		 removing;
	int		 fd;
	int64_t		 left;
};

static void
tree_step(struct ginst *gi, struct gproc *gp)
{
	const struct targs *a = gi->state;
	struct tproc *s = (struct tproc *)gp;
	const char *path;

	while (s->ph == NEXT) {
		switch (walk_next(&s->w)) {
		case WALK_ENTER:
			s->ph = s->removing ? DOPEN : MKDIR;
			break;
		case WALK_FILE:
			s->ph = s->removing ? STAT : FOPEN;
			break;
		case WALK_LEAVE:
			s->ph = s->removing ? RMDIR : NEXT;
			break;
		case WALK_END:
			if (!s->removing && a->remove) {
				walk_free(&s->w);
				walk_init(&s->w, s->root, (int)a->depth,
				    (int)a->fanout, (int)a->files);
				s->removing = true;
			} else
				s->ph = EXIT;
			break;
		}
	}
	path = s->w.path->str;
	switch (s->ph) {
	case NEXT:
		break;
	case MKDIR:
		gen_mkdir(gp, path);
		s->ph = NEXT;
		break;
	case FOPEN:
		s->fd = gen_openat(gp, path, TO_WRONLY | TO_CREAT | TO_TRUNC);
		s->left = a->size;
		s->ph = s->left > 0 ? FWRITE : FCLOSE;
		break;
	case FWRITE:
		s->left -= gen_write_upto(gp, s->fd, a->iosize, s->left);
		if (s->left == 0)
			s->ph = FCLOSE;
		break;
	case FCLOSE:
		gen_close(gp, s->fd);
		s->ph = NEXT;
		break;
	case DOPEN:
		s->fd = gen_openat(gp, path, TO_RDONLY | TO_DIRECTORY | TO_CLOEXEC);
		s->left = gen_dir_bytes(walk_entries(&s->w));
		s->ph = DENTS;
		break;
	case DENTS:
		/* as many 32 KB reads as the directory needs, then the empty one */
		if (gen_readdir(gp, s->fd, &s->left))
			s->ph = DCLOSE;
		break;
	case DCLOSE:
		gen_close(gp, s->fd);
		s->ph = NEXT;
		break;
	case STAT:
		gen_stat(gp, path, TT_REG, a->size);
		s->ph = UNLINK;
		break;
	case UNLINK:
		gen_unlink(gp, path);
		s->ph = NEXT;
		break;
	case RMDIR:
		gen_rmdir(gp, path);
		s->ph = NEXT;
		break;
	case EXIT:
		gen_exit(gp);
		return;
	}
	gen_think(gp, a->think);
}

static bool
tree_init(struct ginst *gi)
{
	static const char *const modes[] = { [CREATE] = "create",
	    [REMOVE] = "remove", [BOTH] = "both", NULL };
	struct targs *a = gi->state;
	int64_t procs = gen_int(gi, "procs", 1), i;
	const char *mode = gen_str(gi, "mode", "create");
	int m;

	a->depth = gen_int(gi, "depth", 3);
	a->fanout = gen_int(gi, "fanout", 10);
	a->files = gen_int(gi, "files", 10);
	a->size = gen_size(gi, "size", "0");
	a->iosize = gen_size(gi, "iosize", "8K");
	a->think = gen_time(gi, "think", "0ns");
	if (!gen_path(gi, "path", "/data/tree", &a->path) ||
	    !walk_check(gi, a->depth, a->fanout, a->files))
		return false;
	if (a->iosize <= 0 || procs < 1 || procs > 10000) {
		gen_fail(gi, "need iosize > 0 and 1 <= procs <= 10000");
		return false;
	}
	if ((m = gen_choice(gi, "mode", mode, modes)) < 0)
		return false;
	a->create = m == CREATE || m == BOTH;
	a->remove = m == REMOVE || m == BOTH;
	for (i = 0; i < procs; i++) {
		struct tproc *s = (struct tproc *)gen_spawn(gi, i * GEN_CALL_NS);

		s->root = g_strdup_printf("%s.%lld", a->path, (long long)i);
		walk_init(&s->w, s->root, (int)a->depth, (int)a->fanout,
		    (int)a->files);
		s->removing = !a->create;
		s->ph = NEXT;
	}
	return true;
}

static void
tree_proc_free(struct ginst *gi, struct gproc *gp)
{
	struct tproc *s = (struct tproc *)gp;

	walk_free(&s->w);
	g_free(s->root);
}

const struct workload workload_tree = {
	.name = "tree",
	.doc = "create (and/or remove) a huge tree of empty or small files",
	.params = "depth=3 fanout=10 files=10 size=0 iosize=8K "
	    "mode=create|remove|both procs=1 think=0ns path=/data/tree",
	.statesize = sizeof(struct targs),
	.procsize = sizeof(struct tproc),
	.init = tree_init,
	.step = tree_step,
	.proc_free = tree_proc_free,
};
