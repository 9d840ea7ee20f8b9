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
};

/* Stream path once.  passthrough: path prefixes that are not part of the
 * simulated file system (they are never created).  NULL and *err if the
 * trace cannot be read. */
struct prepass *prepass_run(const char *path, char **passthrough, GError **err);
/* The same over a trace already open (a file or any trace_source), named
 * name in messages; r is closed either way. */
struct prepass *prepass_read(struct trace_reader *r, const char *name,
	    char **passthrough, GError **err);
void	prepass_free(struct prepass *pp);

#endif
