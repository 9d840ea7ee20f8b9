/*
 * workload.h — synthetic workload generators.
 *
 * A generator writes a native trace: the calls a program of a known shape
 * would make, with timestamps, so that one mechanism can be isolated.  Each
 * is deterministic for a seed.  Generators share the helpers below, which
 * keep the per-process clock and descriptor numbers the way a real process
 * would see them.
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

/* One generator's output in progress. */
struct gen {
	struct trace_writer	*w;
	GRand			*rng;
	GHashTable		*params;	/* key -> value, as given */
	GHashTable		*used;		/* keys a generator asked for */
	struct trace_call	 tc;
	GError			*error;
	uint64_t		 records;
};

/* A simulated program's own clock and descriptors. */
struct gproc {
	int32_t		 pid;
	int64_t		 t;		/* ns: when its next call starts */
	int		 nextfd;
};

struct workload {
	const char	*name;
	const char	*doc;		/* what it models, one line */
	const char	*params;	/* its parameters and defaults */
	bool		(*generate)(struct gen *g);
};

void	workload_list(FILE *out);
bool	workload_generate(const char *name, char **params, uint64_t seed,
	    const char *out, GError **err);

/* Parameters, with defaults; a bad value sets g->error. */
int64_t	gen_size(struct gen *g, const char *key, const char *dflt);
int64_t	gen_int(struct gen *g, const char *key, int64_t dflt);
int64_t	gen_time(struct gen *g, const char *key, const char *dflt);
const char *gen_str(struct gen *g, const char *key, const char *dflt);

/* Emit calls; each advances p->t by think + the nominal duration. */
int	gen_open(struct gen *g, struct gproc *p, const char *path, uint32_t oflags);
void	gen_close(struct gen *g, struct gproc *p, int fd);
void	gen_read(struct gen *g, struct gproc *p, int fd, int64_t len, int64_t got);
void	gen_write(struct gen *g, struct gproc *p, int fd, int64_t len);
void	gen_pread(struct gen *g, struct gproc *p, int fd, int64_t len, int64_t off,
	    int64_t got);
void	gen_pwrite(struct gen *g, struct gproc *p, int fd, int64_t len, int64_t off);
void	gen_lseek(struct gen *g, struct gproc *p, int fd, int64_t off);
void	gen_fsync(struct gen *g, struct gproc *p, int fd);
void	gen_mkdir(struct gen *g, struct gproc *p, const char *path);
void	gen_unlink(struct gen *g, struct gproc *p, const char *path);
void	gen_exit(struct gen *g, struct gproc *p);
void	gen_think(struct gproc *p, int64_t ns);

extern const struct workload workload_seq;

#endif
