/*
 * prepass_private.h — what the files of the pre-pass share (prepass.h is
 * the API):
 *
 *   prepass.c        the pass's driver: a trace read once, the processes'
 *                    lifetimes, the list of the start made final; and the
 *                    live tracker the replay asks for the resources of each
 *                    call (prepass_track)
 *   prepass_path.c   a path argument to an absolute name: working
 *                    directories and directory descriptors per process,
 *                    -y annotations, directories' other names, symbolic
 *                    links followed
 *   prepass_call.c   the names and objects, and what each call does to
 *                    them (one_call)
 *
 * All of a pass's state hangs off one struct pass.
 */
#ifndef VFSSIM_PREPASS_PRIVATE_H
#define VFSSIM_PREPASS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "prepass.h"
#include "kern.h"

struct pobj {
	uint64_t id;		/* its number, in the order objects were met */
	int	 refs;		/* names, open files and the list of the
				   start that hold it */
	int	 index;		/* in pp->files when initial, else -1 */
	bool	 isdir;
	bool	 created;	/* the trace created it */
	bool	 appeared;	/* met at a name whose start was settled: made
				   by something the trace does not show */
	const char *ev;		/* what showed it was there (interned) */
	uint64_t ev_line;
	int8_t	 size_how;	/* what showed its size (enum size_ev), -1 */
	uint16_t size_sc;	/* ... in which call */
	uint64_t size_line;
	bool	 truncated;	/* contents replaced in the trace */
	bool	 special;	/* a FIFO, socket or device node the trace
				   made (mknod): its I/O is not a file's */
	int64_t	 size;		/* evidence of the initial size */
	int64_t	 written;	/* furthest byte the trace wrote */
	char	*first_name;	/* its name when first met */
	bool	 islink;	/* a symbolic link (readlink, lstat, symlink) */
	char	*target;	/* ... to this, if the trace showed it */
	int64_t	 linklen;	/* ... of this length */
	int64_t	 listed;	/* a directory: the entries of its first whole
				   listing (getdents64 from its start to the
				   end), 0 if none */
	int64_t	 listed_bytes;	/* ... the bytes of Linux's entries */
};

struct pfile {
	int	 refs;
	struct pobj *obj;	/* NULL: not a file of the simulated fs */
	char	*path;		/* for directory descriptors */
	int64_t	 offset;
	bool	 append;
	uint64_t pipe;		/* the pipe it is, in a trace without -y
				   (pfd_pipe); 0: none known */
	/* a directory's listing under way, begun at its start: the
	 * entries and bytes so far (lst_n -1: none, or not countable) */
	int64_t	 lst_n, lst_bytes;
};

struct pfdt {
	int	 refs;
	GHashTable *fds;	/* fd -> struct pfile */
	int32_t	 last_fd;	/* the descriptor looked up last ... */
	struct pfile *last;	/* ... its file (NULL: none remembered) */
};

struct pproc {
	char	*cwd;		/* NULL: not known yet */
	bool	 chdired;
	bool	 cwd_by_name;	/* cwd is the name it chdir'd to, not yet
				   confirmed by an annotation */
	struct pfdt *fdt;
};

struct pass {
	struct prepass	*pp;
	bool		 line_times;	/* trace_reader_line_times, once a
					   record was read */
	char		**passthrough;
	size_t		*ptlen;		/* strlen of each (pass_init): passthrough
					   is asked of nearly every name */
	GHashTable	*names;		/* current absolute path -> pobj (a
					   reference) */
	GPtrArray	*initial;	/* the objects there at the start, in
					   pp->files order (a reference each) */
	uint64_t	 nobjs;		/* objects met so far */
	GHashTable	*procs;		/* pid -> pproc */
	GHashTable	*pids;		/* every pid seen (set) */
	GHashTable	*live;		/* pids whose last process has not exited */
	int32_t		 last_pid;	/* note_proc's last record's pid ... */
	GArray		*last_procs;	/* ... its processes, or NULL */
	int32_t		 cur_pid;	/* of the call being looked at */
	bool		 any_pid;	/* pids holds cur_pid (a call was seen) */
	int32_t		 pr_pid;	/* the process proc_of found last ... */
	struct pproc	*pr_last;	/* ... (NULL: none remembered) */
	unsigned	 nlinks;	/* symbolic links with known targets */
	const struct trace_call *tc;	/* ... and the call */
	const char	*why;		/* how it met a name, if not by naming it
					   (a directory on the way, ...) */
	bool		 excl;		/* the call creates only a new name */
	GHashTable	*settled;	/* names whose object at the start is
					   known: created, removed, renamed or
					   found there by the trace */
	GHashTable	*dir_alias;	/* a directory's other name -> its name */
	GHashTable	*pipes;		/* pipe:[N] -> struct ppipe: who wrote
					   the bytes in it (note_pipe) */
	GHashTable	*futexes;	/* address -> struct pfutex: its recent
					   wakes, its waits not yet matched */
	uint64_t	 anon_pipes;	/* pipes made without -y's annotation
					   (their ids: PIPE_ANON + n) */
	GHashTable	*aio;		/* (context, aio_data) -> GQueue of
					   struct paio: Linux AIO requests
					   queued, not yet reaped (aio_call) */
	uint64_t	 aio_kept;	/* ... how many */
	uint64_t	 alias_lens;	/* bit (len % 64) of each key's length */
	/* prepass_track: the resources the call touches (NULL in the
	 * pre-pass itself) */
	GArray		*touched;	/* uint64_t keys */
	GHashTable	*keyids;	/* name or pipe -> its number */
};

/* prepass.c: the k-th process of pid's cidx-th call waits for the
 * pidx-th call of wpid's wk-th (an order edge, of kind enum pp_wait_kind) */
void	add_edge(struct pass *ps, int32_t pid, unsigned k, uint64_t cidx,
	    uint64_t pidx, int64_t wend, int32_t wpid, unsigned wk, uint8_t kind);
/* prepass_call.c: io_submit or io_getevents, the k-th process of its pid's
 * idx-th call: what it shows of files' sizes and of the order */
void	aio_call(struct pass *ps, unsigned k, const struct trace_call *tc,
	    uint64_t idx);

/* What showed an object's size (evidence; named in prepass.c). */
enum size_ev { SZ_STAT, SZ_READ, SZ_SEEK_END };

/* prepass.c: the resources a call touches (prepass_track) */
void	touch_obj(struct pass *ps, const struct pobj *o);
void	touch_name(struct pass *ps, const char *name);

/* prepass_path.c: names, working directories, descriptors */
bool	passthrough(struct pass *ps, const char *abs);
char	*canonical(struct pass *ps, const char *path);
void	alias_from(struct pass *ps, const char *name, const char *abs,
	    const char *annot);
void	pfile_unref(gpointer p);
void	fdt_unref(struct pfdt *t);
void	fdt_unshare(struct pproc *pr);
void	pproc_free(gpointer p);
struct pproc *proc_lookup(struct pass *ps, int32_t pid);

/* pid's process, made if new.  (Calls come in runs of one process: the
 * last one is remembered, and that case costs no call.) */
static inline struct pproc *
proc_of(struct pass *ps, int32_t pid)
{
	if (ps->pr_last != NULL && ps->pr_pid == pid)
		return ps->pr_last;
	return proc_lookup(ps, pid);
}

void	proc_gone(struct pass *ps, int32_t pid);
void	pfd_set(struct pproc *pr, int32_t fd, struct pfile *f);
void	pfd_del(struct pproc *pr, int32_t fd);
struct pfile *pfile_new(struct pobj *o, const char *path);
struct pfile *pfd_get(struct pass *ps, struct pproc *pr, int32_t fd,
	    const char *annot, bool deleted);
/* Pipes a trace without -y made: ids from PIPE_ANON up (an annotation's
 * pipe:[N] is N + 1, below it). */
#define PIPE_ANON	(UINT64_C(1) << 63)
void	pfd_pipes(struct pass *ps, struct pproc *pr, const int32_t fd[2]);
uint64_t pfd_pipe(struct pass *ps, int32_t pid, int32_t fd);
char	*resolve(struct pass *ps, struct pproc *pr, int32_t dirfd,
	    const char *annot, const char *path);
/* Where the link abs, to target, leads (the links known on the way
 * followed); NULL outside the simulated file system. */
char	*link_target(struct pass *ps, const char *abs, const char *target);
char	*resolve_follow(struct pass *ps, struct pproc *pr, int32_t dirfd,
	    const char *annot, const char *path, const char *retpath);

/* prepass_call.c: objects, and each call */
struct pobj *obj_ref(struct pobj *o);
void	obj_unref(gpointer p);
struct pobj *use(struct pass *ps, const char *abs, bool isdir);
void	set_target(struct pass *ps, struct pobj *o, const char *target);
void	one_call(struct pass *ps, const struct trace_call *tc);

#endif
