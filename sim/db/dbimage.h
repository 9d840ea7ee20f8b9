/*
 * dbimage.h — the image a new results database starts from.
 *
 * The build runs the schema (dbschema.c), the views and the stamp once,
 * into an in-memory database, and keeps its pages (their bytes other than
 * zero) in the binary (tools/mkdbimage.c writes build/gen/dbimage_data.c).
 * A new file is then written in one go rather than made by running some thirty
 * CREATE statements, which SQLite compiles once to run them and again to
 * read the schema back: 4.5 M instructions, nearly half of a run of one
 * request (README "Speed").  SQLite reads the image's schema once, when
 * the file is first used, as it reads any database's.
 */
#ifndef VFSSIM_DBIMAGE_H
#define VFSSIM_DBIMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* The generated image: a whole database file of this schema, stamped
 * (application_id, user_version) and marked for WAL (header bytes 18-19),
 * db_image_len bytes, zero but for its runs of other bytes. */
struct db_image_run {
	size_t			 off, len;
	const unsigned char	*bytes;
};
extern const struct db_image_run db_image_runs[];
extern const size_t db_image_nruns, db_image_len;

/*
 * Makes path a database of this schema from the image, if nothing is at
 * path: written whole to an unnamed file in path's directory (O_TMPFILE),
 * flushed, and then given its name (linkat), so that no other program
 * ever sees it half written and an existing file is never replaced.
 * False if path exists, or the file system cannot do it this way: the
 * caller then lets SQLite make it, running the schema.
 */
bool db_create_from_image(const char *path);

#endif
