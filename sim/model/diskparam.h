/*
 * diskparam.h — DiskSim 4.0's parameter files, parsed (diskparam.c): the
 * tree of blocks and values, and the readers of a value that report a
 * wrong one at its file and line.  For diskspecs.c alone.
 */
#ifndef VFSSIM_DISKPARAM_H
#define VFSSIM_DISKPARAM_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "engine.h"

/* The parse tree: every block and value keeps the file and line it is
 * written on. */
enum pv_kind { PV_NUM, PV_WORD, PV_LIST, PV_BLOCK };

struct pblock;

struct pval {
	enum pv_kind	 kind;
	double		 num;
	char		*word;		/* PV_WORD (and the text of PV_NUM) */
	GPtrArray	*items;		/* PV_LIST: struct pval * */
	struct pblock	*block;		/* PV_BLOCK (owned by the context) */
	const char	*file;
	int		 line;
};

struct pparam {
	char		*key;
	size_t		 klen;
	struct pval	*v;
	int		 line;
	bool		 used;
};

struct pblock {
	char		*type, *name;
	GPtrArray	*params;	/* struct pparam * */
	const char	*file;		/* interned */
	int		 line;
};

struct topo {
	char		*type, *name;
	GPtrArray	*kids;		/* struct topo * */
	struct topo	*parent;
};

#define LP_SLAB	128

struct lp_ctx {
	GPtrArray	*blocks;	/* every block, for freeing */
	GPtrArray	*vslabs;	/* every value, LP_SLAB a slab */
	GPtrArray	*pslabs;	/* every parameter, likewise */
	int		 vleft, pleft;	/* unused in the last slab of each */
	GPtrArray	*top;		/* top-level blocks */
	GHashTable	*inst;		/* instance name -> block name */
	GPtrArray	*topos;		/* struct topo * roots */
	GPtrArray	*texts;		/* each file's words and keys (diskparam.c) */
	int		 depth;		/* source nesting */
	int64_t		 range_names;	/* names ranges made (diskparam.c) */
	GError		**err;
	GPtrArray	*notes;		/* what is read and ignored, or NULL */
};

/* A context: lp_ctx_init, lp_read each file, read values, lp_ctx_free.
 * Errors go to err; with notes non-NULL, lp_note adds to it a line for
 * each parameter read and ignored. */
void	lp_ctx_init(struct lp_ctx *c, GError **err, GPtrArray *notes);
bool	lp_read(struct lp_ctx *c, const char *path);
void	lp_ctx_free(struct lp_ctx *c);

/* A block's parameter (marking it read), or NULL. */
struct pparam *lp_find(struct pblock *b, const char *key);
/* An error at the parameter's line (or the block's, with pp NULL):
 * "file:line: key = value: message"; false. */
bool	lp_perr(struct lp_ctx *c, struct pblock *b, struct pparam *pp,
	    const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Values: a number (required where dflt is NAN), a whole number within
 * lo..hi, a time in ms (times scale) as ns, not negative or within a
 * second either way, a 0/1 flag. */
bool	lp_num(struct lp_ctx *c, struct pblock *b, const char *key, double dflt,
	    double *out);
bool	lp_integer(struct lp_ctx *c, struct pblock *b, const char *key,
	    double dflt, double lo, double hi, int64_t *out);
bool	lp_ms(struct lp_ctx *c, struct pblock *b, const char *key, double dflt,
	    double scale, sim_time_t *out);
bool	lp_ms_signed(struct lp_ctx *c, struct pblock *b, const char *key,
	    double dflt, sim_time_t *out);
bool	lp_flag(struct lp_ctx *c, struct pblock *b, const char *key,
	    double dflt, bool *out);
/* A parameter accepted only at the value modelled (absent is fine). */
bool	lp_only(struct lp_ctx *c, struct pblock *b, const char *key,
	    double want, const char *why);
/* Read and ignored, with why (vfssim disk --explain); every parameter of
 * a block not read yet, for one reason. */
void	lp_note(struct lp_ctx *c, struct pblock *b, const char *key,
	    const char *why);
void	lp_note_all(struct lp_ctx *c, struct pblock *b, const char *why);
/* A nested block of the type, given in place or by name. */
struct pblock *lp_sub_block(struct lp_ctx *c, struct pblock *b,
	    const char *key, const char *type);
/* Every parameter of the block has been read (else an error naming the
 * first that was not). */
bool	lp_all_read(struct lp_ctx *c, struct pblock *b);
/* The topology: a device by name; a top-level block by name; the block
 * an instance was made from. */
struct topo *lp_topo_find(struct topo *t, const char *name);
struct pblock *lp_block_named(struct lp_ctx *c, const char *name);
struct pblock *lp_instance_block(struct lp_ctx *c, const char *inst);
/* g_ascii_strtod to the same bits and end, a plain decimal without
 * strtod's cost; a word of a file as a number: the whole word read so,
 * finite (else false; *out is strtod's reading). */
double	lp_strtod(const char *s, char **end);
bool	lp_word_num(const char *w, double *out);
/* A file named in a file in dir: from dir if it is there, else as given
 * (g_free it). */
char	*lp_resolve(const char *dir, const char *path);

#endif
