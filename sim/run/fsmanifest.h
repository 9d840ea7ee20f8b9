/*
 * fsmanifest.h — the starting file system as the user lists it.
 *
 * The pre-pass infers the files a trace found already there from what the
 * trace shows of them: that they were there, and lower bounds on their
 * sizes.  A listing of the real files, made just before the capture,
 *
 *	find DIR -printf '%y\t%s\t%p\n' > before.txt
 *
 * says exactly what was there: one entry a line, TYPE (f, d, l; find's
 * other types — devices, pipes, sockets — are skipped), SIZE in bytes and
 * the absolute PATH (the rest of the line: it may hold tabs, not
 * newlines); "#" lines and blank lines are comments.  vfssim fs prints the
 * pre-pass's list in the same form.
 *
 * fs_manifest_apply makes the listing the starting file system where it
 * speaks: every listed entry is made as listed; a path the listing covers
 * (its directory is listed) that the trace found there but the listing
 * lacks is not made; outside the listed directories the pre-pass's
 * inference stands.  Where the trace disagrees with the listing — it
 * finds a file the listing lacks, reads more of a file than the listing
 * says it has, uses a file as a directory, creates (O_EXCL, mkdir) a name
 * the listing has — a note says so.
 */
#ifndef VFSSIM_FSMANIFEST_H
#define VFSSIM_FSMANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct prepass;

struct fsm_entry {
	char	 type;		/* 'f', 'd', 'l' */
	int64_t	 size;
	char	*path;		/* absolute, canonical */
	uint64_t line;		/* in the listing */
};

struct fs_manifest {
	char	*file;
	GArray	*entries;	/* struct fsm_entry, in the listing's order */
	GHashTable *at;		/* path -> index + 1 */
	uint64_t skipped;	/* entries of other types */
};

/* Where the trace disagrees with the listing (prepass.notes). */
struct fs_note {
	char	*path;
	char	 type;		/* the entry as made: 'f', 'd', 'l', or '-'
				   (not made: the listing lacks it) */
	int64_t	 size;		/* the trace's size (of an entry not made) */
	const char *evidence;	/* the trace's evidence */
	uint64_t line;		/* ... where */
	char	*what;		/* what disagrees */
};

#define FS_MANIFEST_ERROR fs_manifest_error_quark()
GQuark	fs_manifest_error_quark(void);

/* Read a listing (gzip'd or not).  Errors name the file and line. */
struct fs_manifest *fs_manifest_read(const char *file, GError **err);
void	fs_manifest_free(struct fs_manifest *m);

/* Replace pp's starting file system by the listing where it covers it;
 * notes go to pp->notes. */
void	fs_manifest_apply(struct prepass *pp, const struct fs_manifest *m);

#endif
