/*
 * workload.h — synthetic workload generators.
 *
 * A generator makes the calls a program of a known shape would make, with
 * timestamps, so that one mechanism can be isolated.  Each is deterministic
 * for a seed, and each is a small state machine behind a struct workload:
 *
 *	init	reads every parameter and spawns the first processes;
 *	step	emits the next call of one process (at most one) and moves
 *		its state on;
 *	finish	frees what init made.
 *
 * A shared scheduler always steps the process whose next call starts
 * first, so the calls come out in time order across processes, as strace
 * writes them and as the replay reads them.  A step emits its call at the
 * time the process was chosen (p->t); only afterwards may it think
 * (gen_think), which sets when the process's next call starts.
 *
 * Calls stream: workload_next hands them out one at a time, so a
 * generator of any length runs in bounded memory, to a file (vfssim gen)
 * or straight into a replay (vfssim replay --gen, through a trace_source).
 *
 * Generators may start other generators (a mix runs jobs of the others,
 * a snapshot generator runs any of them as its load): gen_start makes a
 * new instance with its own parameters, state and random stream.
 */
#ifndef VFSSIM_WORKLOAD_H
#define VFSSIM_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "trace.h"

#define WORKLOAD_ERROR workload_error_quark()
GQuark	workload_error_quark(void);

#define GEN_CALL_NS	1000		/* the duration written for every call */
#define GEN_START_NS	1000000000LL	/* when the first processes start */
#define GEN_MAXFD	64		/* descriptors a generated process may hold */
#define GEN_DIRBUF	32768		/* getdents64's buffer: readdir(3)'s 32 KB */

struct gen;
struct ginst;

/* A simulated program.  A generator's process struct begins with one. */
struct gproc {
	struct ginst	*gi;		/* the instance it belongs to */
	int32_t		 pid;
	int64_t		 t;		/* ns: when its next call starts */
	uint64_t	 fds;		/* open descriptors, bit n for fd n */

	/* the scheduler's */
	GSequenceIter	*it;		/* place in the run queue, or NULL */
	uint64_t	 order;		/* creation order: breaks time ties */
	struct gproc	*waiter;	/* the parent that waits for it */
	unsigned	 nchild;	/* its own children still running */
	int64_t		 child_end;	/* when the last of them ended */
	bool		 done;		/* gen_exit was called */
	bool		 sleeping;	/* gen_wait: off the run queue */
};

/* One running generator. */
struct ginst {
	struct gen		*g;
	const struct workload	*wl;
	const char		*label;		/* "mix/tree", for messages */
	GHashTable		*params;	/* key -> value, as given */
	GHashTable		*used;		/* keys the generator read */
	GRand			*rng;
	uint64_t		 seed;
	void			*state;		/* wl->statesize bytes, zeroed */
	int64_t			 t0;		/* when it started */
	unsigned		 live;		/* its processes not yet ended */
	bool			 initialized;
};

struct workload {
	const char	*name;
	const char	*doc;		/* what it models, one line */
	const char	*params;	/* every parameter with its default */
	size_t		 statesize;	/* per instance, at gi->state */
	size_t		 procsize;	/* per process: begins with struct gproc */
	bool		(*init)(struct ginst *gi);
	void		(*step)(struct ginst *gi, struct gproc *p);
	void		(*finish)(struct ginst *gi);		/* or NULL */
	void		(*proc_free)(struct ginst *gi, struct gproc *p); /* or NULL */
};

extern const struct workload *const workloads[];	/* NULL-terminated */

const struct workload *workload_lookup(const char *name);
void	workload_list(FILE *out);
/* Every generator with its parameters, for help texts (caller frees). */
char	*workload_help(void);

/* Streaming.  workload_open checks every parameter (an unknown one or a
 * bad value is a WORKLOAD_ERROR) before any call is made. */
struct gen *workload_open(const char *name, char **params, uint64_t seed,
	    GError **err);
/* 1: *tc holds the next call; 0: the end; -1: *err says why. */
int	workload_next(struct gen *g, struct trace_call *tc, GError **err);
void	workload_close(struct gen *g);
/* The same calls behind a trace_reader (format "generated"). */
struct trace_reader *workload_reader(const char *name, char **params,
	    uint64_t seed, GError **err);
/* Write them to a native trace (gzip'd if out ends in .gz). */
bool	workload_generate(const char *name, char **params, uint64_t seed,
	    const char *out, GError **err);

/* ---- for generators: parameters (a bad value sets the error) --------- */

int64_t	gen_size(struct ginst *gi, const char *key, const char *dflt);
int64_t	gen_int(struct ginst *gi, const char *key, int64_t dflt);
int64_t	gen_time(struct ginst *gi, const char *key, const char *dflt);
double	gen_real(struct ginst *gi, const char *key, double dflt, double lo,
	    double hi);
const char *gen_str(struct ginst *gi, const char *key, const char *dflt);
bool	gen_path(struct ginst *gi, const char *key, const char *dflt,
	    const char **out);
/* Which of names (NULL-terminated) v, the value of parameter key, is;
 * -1, with the error set ("mode must be a, b or c, not "v""), if none. */
int	gen_choice(struct ginst *gi, const char *key, const char *v,
	    const char *const *names);
/* The parameters "prefix.KEY=V" given to gi, as KEY -> V (marked read). */
GHashTable *gen_subparams(struct ginst *gi, const char *prefix);
/* Fail the whole generation with a message. */
void	gen_fail(struct ginst *gi, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
bool	gen_failed(const struct ginst *gi);

/* ---- for generators: processes and other generators ----------------- */

/* A new process of gi, zeroed (wl->procsize bytes), whose first call is
 * at delay ns after the instance starts. */
struct gproc *gen_spawn(struct ginst *gi, int64_t delay);
/*
 * Start generator wl with params (copied).  From a step: its processes
 * start at `at`, or, when parent is given, just after parent's next
 * pids->len calls (the clones that create them; parent then waits for
 * them with gen_wait).  From init: they start with gi's own.  pids (if
 * not NULL) receives the new processes' ids.  False if it could not start
 * (the error is set).
 */
bool	gen_start(struct ginst *from, const struct workload *wl,
	    GHashTable *params, int64_t at, struct gproc *parent, GArray *pids);
/* Check that wl accepts params, without running it. */
bool	gen_validate(struct ginst *from, const struct workload *wl,
	    GHashTable *params);
/* From a step: p forks a child of its own generator (the clone is p's
 * call); the child, zeroed but for its descriptors (copied), runs after
 * it. */
struct gproc *gen_fork(struct gproc *parent);
/* Sleep until every process started with p as parent has ended; p's next
 * call is then no earlier than the last one's end. */
void	gen_wait(struct gproc *p);

/* ---- for generators: randomness ------------------------------------- */

double	gen_uniform(struct ginst *gi);			/* [0, 1) */
int64_t	gen_below(struct ginst *gi, int64_t n);		/* [0, n) */
int64_t	gen_exponential(struct ginst *gi, int64_t mean);
/* A value in [0, 1) fixed by (seed, index): random access, no state. */
double	gen_hash_unit(uint64_t seed, uint64_t index);

/* Zipf-distributed ranks 1..n, P(k) proportional to 1/k^s (s > 0), drawn by
 * rejection-inversion in constant memory. */
struct zipf {
	double	 s, n;
	double	 hx1, hn, thresh;
};
void	zipf_init(struct zipf *z, double s, int64_t n);
int64_t	zipf_next(const struct zipf *z, struct ginst *gi);

/* ---- for generators: calls ------------------------------------------ */

/* Each emits one call at p->t and moves p->t past it. */
int	gen_openat(struct gproc *p, const char *path, uint32_t oflags);
void	gen_close(struct gproc *p, int fd);
void	gen_read(struct gproc *p, int fd, int64_t len, int64_t got);
void	gen_write(struct gproc *p, int fd, int64_t len);
/* A read(2) of len bytes with left bytes before the end of the file: it
 * gets, and returns, min(len, left), 0 at the end. */
int64_t	gen_read_upto(struct gproc *p, int fd, int64_t len, int64_t left);
/* The next write(2) of left bytes still to write in len-byte requests:
 * min(len, left) bytes, returned. */
int64_t	gen_write_upto(struct gproc *p, int fd, int64_t len, int64_t left);
void	gen_pread(struct gproc *p, int fd, int64_t len, int64_t off, int64_t got);
void	gen_pwrite(struct gproc *p, int fd, int64_t len, int64_t off);
void	gen_lseek(struct gproc *p, int fd, int64_t off);
void	gen_fsync(struct gproc *p, int fd);
void	gen_fstat(struct gproc *p, int fd, int64_t size);
void	gen_stat(struct gproc *p, const char *path, enum tc_type type,
	    int64_t size);
void	gen_getdents(struct gproc *p, int fd, int64_t got);
/* A directory of `entries` entries read to its end as readdir(3) does:
 * gen_dir_bytes is what getdents64 returns of it in all (a 32-byte record
 * an entry, with . and ..); each gen_readdir is the next getdents64, of at
 * most GEN_DIRBUF of the *left bytes still to come (*left starts at
 * gen_dir_bytes), and true when it was the last, the one that returns 0. */
int64_t	gen_dir_bytes(int entries);
bool	gen_readdir(struct gproc *p, int fd, int64_t *left);
void	gen_mkdir(struct gproc *p, const char *path);
void	gen_rmdir(struct gproc *p, const char *path);
void	gen_unlink(struct gproc *p, const char *path);
void	gen_rename(struct gproc *p, const char *from, const char *to);
void	gen_clone(struct gproc *p, int32_t child);
void	gen_wait4(struct gproc *p, int32_t child);
/* A call vfssim does not model (counted and skipped by the replay). */
void	gen_other(struct gproc *p, const char *name, const char *path);
/* The process ends ("+++"). */
void	gen_exit(struct gproc *p);
/* Time between calls (user time: the replay thinks as long). */
void	gen_think(struct gproc *p, int64_t ns);
/*
 * A process that waits for a time to come sleeps in a call
 * (clock_nanosleep, as sleep(1) does) rather than appearing only then:
 * the replay starts a process it did not see created when it reads the
 * process's first call, and reads calls only as running processes need
 * them, so a process is best present from the start.
 */
void	gen_sleep(struct gproc *p, int64_t ns);

/* ---- a tree of directories and files, walked depth first ----------- */

/*
 * The tree every tree-shaped generator uses: a root directory; in each
 * directory `files` files f0, f1, ... and, above the deepest level,
 * `fanout` subdirectories d0, d1, ...; `depth` levels below the root.
 * walk_next visits it in pre-order, a directory's files before its
 * subdirectories, with a leave event after a directory's contents.
 */
enum walk_ev { WALK_ENTER, WALK_FILE, WALK_LEAVE, WALK_END };

struct walk {
	int		 depth, fanout, files;
	GString		*path;		/* the entry just visited */
	int		 level;		/* its directory's level (root 0) */
	uint64_t	 file;		/* WALK_FILE: its number in the walk */
	uint64_t	 nfiles;	/* files visited so far */
	bool		 started;
	int		*fidx, *didx;	/* per level: next file, next subdir */
	size_t		*plen;		/* per level: the directory's path length */
};

void	walk_init(struct walk *w, const char *root, int depth, int fanout,
	    int files);
enum walk_ev walk_next(struct walk *w);
/* Entries in the directory just entered (its files, then subdirs). */
int	walk_entries(const struct walk *w);
void	walk_free(struct walk *w);
/* Directories and files of the whole tree. */
uint64_t walk_ndirs(int depth, int fanout);
/* The size of file number `file` of a tree: exponential with the given
 * mean, fixed by (seed, file) so that any process can tell it any time. */
int64_t	walk_file_size(uint64_t seed, uint64_t file, int64_t mean);
/* Check depth/fanout/files and that the tree is not absurdly large. */
bool	walk_check(struct ginst *gi, int64_t depth, int64_t fanout, int64_t files);

/* The generators. */
extern const struct workload workload_seq;
extern const struct workload workload_random;
extern const struct workload workload_dbm;
extern const struct workload workload_tree;
extern const struct workload workload_tar;
extern const struct workload workload_find;
extern const struct workload workload_postmark;
extern const struct workload workload_dblog;
extern const struct workload workload_mix;
extern const struct workload workload_dbench;
extern const struct workload workload_snapshot;

#endif
