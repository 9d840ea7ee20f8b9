/*
 * cachesim.h — the cache alone (vfssim cache): a block-reference trace
 * through one replacement policy of the buffer cache (bufpolicy.c, the
 * same code getnewbuf asks) or Belady's OPT, counting misses.
 *
 * Three inputs, one reference an object (a block):
 *
 *   csv            libCacheSim's "csv": time,obj_id,obj_size a line, the
 *                  header line optional; obj_id a number (libCacheSim
 *                  hashes a textual id: that is not done here, such a line
 *                  is refused), time and size read and checked, unused;
 *   oracleGeneral  libCacheSim's binary format: 24-byte little-endian
 *                  records {uint32 time; uint64 obj_id; uint32 obj_size;
 *                  int64 next_access_vtime}, plain or gzip'd;
 *   db             a vfssim database's disk_io rows of one run, in the
 *                  order they were recorded: each request references the
 *                  block_size blocks its sectors cover.
 *
 * The cache holds `size` objects whatever their size (libCacheSim's
 * --ignore-obj-size), as the buffer cache's policies count buffers.  OPT
 * needs the whole stream in memory (8 bytes a reference); the others keep
 * only what is resident and their ghosts.
 */
#ifndef VFSSIM_CACHESIM_H
#define VFSSIM_CACHESIM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum cachesim_format { CS_AUTO, CS_CSV, CS_ORACLE, CS_DB };

struct cachesim_opts {
	const char		*trace;
	enum cachesim_format	 format;
	const char		*policy;	/* lru, clock, 2q, arc, opt */
	int64_t			 size;		/* blocks, >= 1 */
	int64_t			 run;		/* db: the run (-1: the last
						   complete one) */
	int64_t			 block_size;	/* db: bytes a block */
	volatile sig_atomic_t	*interrupted;
};

struct cachesim_result {
	enum cachesim_format	 format;	/* what was read */
	int64_t			 run;		/* db: the run read */
	uint64_t		 requests, misses;
};

bool	cachesim_run(const struct cachesim_opts *o, struct cachesim_result *res,
	    GError **err);
const char *cachesim_format_name(enum cachesim_format f);

#define CACHESIM_ERROR cachesim_error_quark()
#define CACHESIM_ERROR_INPUT	0	/* a bad trace or option (exit 2) */
#define CACHESIM_ERROR_RUN	1	/* a failure while running */
GQuark	cachesim_error_quark(void);

#endif
