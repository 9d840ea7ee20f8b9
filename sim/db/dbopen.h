/*
 * dbopen.h — what a results database is, found out before it is read or
 * written.
 *
 * A vfssim database says so in its header: PRAGMA application_id is
 * DB_APPLICATION_ID and PRAGMA user_version the version of its schema,
 * DB_SCHEMA_VERSION when this vfssim wrote it.  A later vfssim that changes
 * the schema raises DB_SCHEMA_VERSION: it upgrades an older database when
 * it records into it (metrics_open) and reads older ones; an older vfssim
 * refuses a newer database rather than misread it.  A database written
 * before the header was stamped (application_id 0) is recognised by its
 * runs table, as schema version 0.
 *
 * Everything read from a database is untrusted input: another program's
 * file, a hand-made one, a damaged one.  db_open_readonly is the one way
 * the readers (merge, compare, plot, report, sweep's table) open one: it
 * refuses what is not a vfssim database of a schema this vfssim knows, and
 * checks every row of the tables it reads whole (runs, summary,
 * latency_hist, time_split, mrc) against the schema: types, NOT NULL,
 * ranges.  The per-event tables (syscalls, disk_io, samples) are checked
 * where they are read.  A bad row is refused with a message naming the
 * file, the table and the row (METRICS_ERROR_INPUT: bad input, exit 2).
 */
#ifndef VFSSIM_DBOPEN_H
#define VFSSIM_DBOPEN_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <sqlite3.h>

#define DB_APPLICATION_ID	0x76667373	/* "vfss" */
/* 1: the header stamped; 2: run_settings, and runs' commit_id,
 * trace_digest, trace_size and cmdline; 3: syscalls and disk_io are rowid
 * tables without a key, indexed on (run, seq) once the database holds a
 * second run (a schema-2 database recorded into keeps its keyed tables:
 * the readers take either), and disk_io's ctlr_ns, bus_ns, mediawait_ns
 * and roomwait_ns (the rest of overhead_ns, timed). */
#define DB_SCHEMA_VERSION	3

/* The largest magnitude of a value the readers take as a number: every
 * summary figure, count and time fits in an int64_t. */
#define DB_MAX_VALUE		9.0e18
/* The largest time in ns, count or size in a row (2^62: a trace spans at
 * most 366 days; a count of calls or bytes is far below). */
#define DB_MAX_NS		(INT64_C(1) << 62)

/*
 * May vfssim record into path?  Yes if there is no such file, if it is
 * empty (no tables: a new SQLite file or a zero-length one), or if it is a
 * vfssim database of this schema or an older one.  No (METRICS_ERROR_INPUT,
 * the file untouched) for another program's database, a file that is not
 * an SQLite database, or a newer schema.
 */
bool	db_check_writable(const char *path, GError **err);

/* path opened read-only and checked as above; NULL with *err set. */
sqlite3	*db_open_readonly(const char *path, GError **err);

/* Close a database written to, leaving a single file: the WAL is
 * checkpointed into it and removed (journal_mode back to DELETE), unless
 * another connection still has it open -- then that one's close does. */
void	db_close_writer(sqlite3 *h);

/* Text from a database made fit to print: valid UTF-8 (other bytes become
 * U+FFFD), control characters as '?' (newly allocated; "" for NULL). */
char	*db_printable(const char *s);

#endif
