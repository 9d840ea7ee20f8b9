/*
 * prepass.h — what the file system looked like before the trace began.
 *
 * A trace uses files it never creates: libraries it reads, the database it
 * opens, the directory it works in.  The pre-pass streams the whole trace
 * once, follows every name through opens, renames and unlinks, and lists the
 * files and directories that existed at the start, each with the size the
 * trace shows it had (a stat's st_size, the furthest byte read before any
 * write, a SEEK_END), and the symbolic links it read or lstat'ed with
 * their targets.  It also validates the whole trace, so that a
 * malformed line is reported before a run records anything.
 */
#ifndef VFSSIM_PREPASS_H
#define VFSSIM_PREPASS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "trace.h"

struct initial_file {
	char	*path;		/* absolute */
	bool	 isdir;
	int64_t	 size;
	int	 link_of;	/* index of the entry this is another name for, or -1 */
	char	*symlink;	/* a symbolic link: its target (size is its
				   length; '?'s when the trace showed only
				   the length), else NULL */
	const char *evidence;	/* what decided it (an interned string): the
				   size's source if it has a size, else what
				   showed it was there */
	uint64_t line;		/* where in the trace, or 0 */
	int64_t	 listed;	/* a directory: the entries (with "." and
				   "..") a listing in the trace showed, 0 if
				   none; the layout gives it as many */
	int64_t	 listed_bytes;	/* ... the bytes of Linux's entries */
};

/* The entry's type as find -printf %y writes it: f, d, or l (another name
 * for an entry: a symbolic link, seen through -y). */
char	initial_file_type(const struct initial_file *f);

/*
 * One process as the trace shows it: a pid's records from its first to its
 * exit record ("+++ exited"); a pid used again after that is another
 * process (the replay numbers them the same way: the k-th process of a
 * pid is its k-th incarnation here).
 */
/*
 * An order between processes or threads the kernel made and the trace
 * shows (replay.order = causal): a read of a pipe that returned data came
 * after the write that put the last byte it read there (the pipe's bytes
 * counted in the order the calls returned); a futex wait that was woken,
 * after the wake; an io_getevents, after the io_submit of another thread
 * that queued a request it reaped.  Its process's cidx-th call (from 0)
 * waits for the pidx-th call of the k-th process of pid, which returned
 * at wend.
 */
enum pp_wait_kind { PW_PIPE, PW_FUTEX, PW_AIO };

struct pp_wait {
	uint64_t cidx, pidx;
	int64_t	 wend;		/* when the write or wake returned (trace
				   time), or TC_NOTIME */
	int32_t	 pid;
	unsigned k;
	uint8_t	 kind;		/* enum pp_wait_kind */
};

struct pp_proc {
	int64_t	 first_t;	/* entry of its first call, or TC_NOTIME */
	int64_t	 end_t;		/* the latest return of its calls or its exit
				   record, or TC_NOTIME */
	bool	 forked;	/* a traced clone/fork/vfork made it */
	bool	 waits;		/* it called wait4/waitid */
	bool	 exited;	/* its exit record is in the trace */
	uint64_t ncalls;	/* its call records */
	GArray	*edges;		/* struct pp_wait in cidx order, or NULL */
};

/* The longest trace replayed (the simulation walks every second of it). */
#define PREPASS_MAX_SPAN	(366LL * 86400 * 1000000000)	/* ns */

struct prepass {
	GArray		*files;		/* struct initial_file, in discovery order */
	GHashTable	*cwd0;		/* pid -> working directory it started in
					   (processes the trace did not fork) */
	enum trace_format format;
	uint64_t	 calls;		/* call records (not process ends) */
	uint64_t	 records;
	int64_t		 t0;		/* earliest entry time, or TC_NOTIME */
	int64_t		 t_end;		/* latest return time */
	unsigned	 npids;
	bool		 has_time, has_dur;
	uint64_t	 snapshot_line;	/* the first snapshot record's line, 0 */
	GHashTable	*procs;		/* pid -> GArray of struct pp_proc, one a
					   process of that pid, in order */
	uint64_t	 edges;		/* calls ordered after another's (pp_wait) */
	uint64_t	 edges_dropped;	/* ... past the most kept (MAX_EDGES) */
	unsigned	 max_alive;	/* most processes between their first call
					   and their end at once in the trace */
	bool		 lifecycle;	/* clone/fork/wait calls in the trace */
	bool		 nominal;	/* a generator's times (trace_reader_nominal) */
	bool		 line_times;	/* no times: t0, t_end and the records'
					   times are lines (trace_reader_line_times);
					   has_time is false */
	GHashTable	*created;	/* names the trace made new (O_EXCL, mkdir)
					   where nothing was before -> its line */
	GArray		*notes;		/* struct fs_note: where the trace and a
					   listing (--fs-manifest) disagree */
	GHashTable	*dir_alias;	/* a directory's other name (a symbolic
					   link, seen through -y) -> its name */
	uint64_t	 alias_lens;	/* bit (len % 64) of each name's length in
					   it: no other length is looked up */
	char		*manifest;	/* the listing the list came from, or NULL */
	char		**trace_files;	/* the files the trace was read from
					   (trace_reader_files), for the run's
					   digest; NULL for a generator */
	uint64_t	 manifest_entries;	/* its entries (f, d, l) */
};

/* Stream path once.  passthrough: path prefixes that are not part of the
 * simulated file system (they are never created).  NULL and *err if the
 * trace cannot be read. */
struct prepass *prepass_run(const char *path, char **passthrough, GError **err);
/* The same over a trace already open (a file or any trace_source), named
 * name in messages; r is closed either way.  With keep, every record read
 * is kept there too (what the replay reads instead of the trace).  cores:
 * the processors the reading may count on (traceq_open), 0 all. */
struct prepass *prepass_read(struct trace_reader *r, const char *name,
	    char **passthrough, struct tspool *keep, unsigned cores,
	    GError **err);
void	prepass_free(struct prepass *pp);
/* path with every directory written by its own name (dir_alias). */
char	*prepass_canonical(const struct prepass *pp, const char *path);
/* The k-th process (from 0) the trace shows with that pid, or NULL. */
const struct pp_proc *prepass_proc(const struct prepass *pp, int32_t pid,
	    unsigned k);

/*
 * The same pass, one record at a time, for replay.order = resource: the
 * resources each call touches — the objects (files, directories) it uses
 * by name or descriptor, the names it resolves, the pipes and sockets it
 * uses (by their -y annotation) — as numbers (at most max of them).
 * Records must come in the trace's order.
 */
struct prepass_track;
struct prepass_track *prepass_track_new(char **passthrough);
unsigned prepass_track(struct prepass_track *t, const struct trace_call *tc,
	    uint64_t *keys, unsigned max);
void	prepass_track_free(struct prepass_track *t);

#endif
