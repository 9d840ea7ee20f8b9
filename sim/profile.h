/*
 * profile.h — machine and policy settings: GKeyFile profiles, --set
 * overrides, and the table of every key vfssim knows.
 *
 * A profile is an INI file read with GKeyFile:
 *
 *	[machine]
 *	memory = 128M
 *	[bio]
 *	nbuf = 0		# 0: size from memory as the kernel does
 *
 * Every key has a type, a default, and where it models a kernel tunable, the
 * sysctl name (kern.nbuf, vfs.hidirtybuffers, ...).  A key can be set as
 * group.key=value or by its sysctl name.  An unknown group or key, a value of
 * the wrong type, or a line GKeyFile cannot read is an error naming the file
 * and line.  Values may carry units: sizes 512, 8K, 128M, 4G (powers of two);
 * times 500ns, 20us, 1.5ms, 30s.
 */
#ifndef VFSSIM_PROFILE_H
#define VFSSIM_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum pkey_type {
	PK_INT,			/* plain integer */
	PK_SIZE,		/* bytes, with K/M/G suffixes */
	PK_TIME,		/* nanoseconds, with ns/us/ms/s suffixes */
	PK_DOUBLE,
	PK_BOOL,
	PK_STRING,
	PK_ENUM,		/* one of a '|'-separated list */
	PK_TIMES,		/* comma-separated times, possibly none */
};

struct pkey {
	const char	*group;
	const char	*key;
	enum pkey_type	 type;
	const char	*dflt;		/* default, as written in a profile */
	const char	*sysctl;	/* kernel name, or NULL */
	const char	*choices;	/* PK_ENUM: "a|b|c" */
	const char	*doc;
};

/* The table of every known key (NULL-terminated). */
extern const struct pkey profile_keys[];
/* The key called "group.key" or by a sysctl name, or NULL. */
const struct pkey *profile_lookup(const char *name);
/* A numeric key's range, lo to hi in its units (and 0 too if *zero), and
 * why; false if it has none beyond its type's.  A value outside is refused
 * where it is given. */
bool	profile_key_range(const struct pkey *k, const char **lo,
	    const char **hi, bool *zero, const char **why);

struct profile;

struct profile *profile_new(void);		/* every key at its default */
struct profile *profile_copy(const struct profile *p);
void	profile_free(struct profile *p);

/* Apply a profile file on top of what is there. */
bool	profile_load(struct profile *p, const char *path, GError **err);
/* Apply "group.key=value" or "sysctl.name=value". */
bool	profile_set(struct profile *p, const char *assignment, GError **err);

/* Typed access; the key must be in the table (a bad name is a bug). */
int64_t	profile_int(const struct profile *p, const char *group, const char *key);
double	profile_double(const struct profile *p, const char *group, const char *key);
bool	profile_bool(const struct profile *p, const char *group, const char *key);
const char *profile_str(const struct profile *p, const char *group, const char *key);
/* PK_TIMES: the times in ascending order (ns); *n of them. */
int64_t	*profile_times(const struct profile *p, const char *group,
	    const char *key, int *n);

/* The effective profile as INI text (every key), for the runs table. */
char	*profile_to_text(const struct profile *p);
/* The files the settings came from, ", "-separated ("defaults" if none). */
const char *profile_sources(const struct profile *p);

/* Parse a value of a type (exposed for tests and the CLI). */
bool	profile_parse_size(const char *s, int64_t *out);
bool	profile_parse_time(const char *s, int64_t *out);
bool	profile_parse_times(const char *s, int64_t **out, int *n);

#define PROFILE_ERROR profile_error_quark()
GQuark	profile_error_quark(void);

#endif
