/*
 * diskspecs.c — DiskSim 4.0 parameter files (libparam's syntax) read
 * directly, so that DiskSim's library of validated drives works unchanged.
 *
 * A file is a sequence of blocks, "TYPE [NAME] { Key = value, ... }", where
 * a key is words and a value a number, a word, a list "[ v, v ]", a nested
 * block, or "source FILE" (the block that file defines).  At the top level
 * "source FILE" reads another file in place, "instantiate [ names ] as
 * BLOCK" makes devices of a block, and "topology TYPE NAME [ ... ]" wires
 * them: driver, bus, controller, bus, disk.  '#' starts a comment.
 *
 * From that we take the disk (disksim_disk and its dm_disk model: a
 * dm_layout_g1 layout and a dm_mech_g1 mechanism) and, from the topology,
 * the bus the disk hangs on (its block transfer times).  Every parameter of
 * the disk, its model, layout, zones and mechanism must be one we read:
 * an unknown one, or a value asking for behaviour vfssim does not model
 * (zero-latency access, preseeking, remapped defects...), is an error that
 * names file, line and parameter.  Blocks about DiskSim's own runs
 * (statistics, synthetic workloads, logical organisation) are not read.
 */
#include "diskspecs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the parse tree ------------------------------------------------------ */

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

struct ctx {
	GPtrArray	*blocks;	/* every block, for freeing */
	GPtrArray	*vals;		/* every value, for freeing */
	GPtrArray	*top;		/* top-level blocks */
	GHashTable	*inst;		/* instance name -> block name */
	GPtrArray	*topos;		/* struct topo * roots */
	int		 depth;		/* source nesting */
	GError		**err;
	GPtrArray	*notes;		/* what is read and ignored, or NULL */
};

/* ---- tokens ---------------------------------------------------------------- */

struct lex {
	const char	*file;		/* interned */
	char		*dir;
	const char	*s;
	int		 line;
	/* the current token */
	char		 punct;		/* { } [ ] , = or 0 for a word, -1 at end */
	char		*word;
	int		 tline;
};

static void
lex_next(struct lex *lx)
{
	const char *p;

	g_free(lx->word);
	lx->word = NULL;
	for (;;) {
		while (*lx->s == ' ' || *lx->s == '\t' || *lx->s == '\r' ||
		    *lx->s == '\n') {
			if (*lx->s == '\n')
				lx->line++;
			lx->s++;
		}
		if (*lx->s != '#')
			break;
		while (*lx->s != '\0' && *lx->s != '\n')
			lx->s++;
	}
	lx->tline = lx->line;
	if (*lx->s == '\0') {
		lx->punct = -1;
		return;
	}
	if (strchr("{}[],=", *lx->s) != NULL) {
		lx->punct = *lx->s++;
		return;
	}
	p = lx->s;
	while (*p != '\0' && strchr("{}[],=# \t\r\n", *p) == NULL)
		p++;
	lx->word = g_strndup(lx->s, (size_t)(p - lx->s));
	lx->punct = 0;
	lx->s = p;
}

static bool
syntax(struct ctx *c, struct lex *lx, const char *what)
{
	char found[64];

	if (lx->punct == -1)
		g_strlcpy(found, "the end of the file", sizeof(found));
	else if (lx->punct == 0)
		g_snprintf(found, sizeof(found), "\"%.50s\"", lx->word);
	else
		g_snprintf(found, sizeof(found), "'%c'", lx->punct);
	g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
	    "%s:%d: expected %s, found %s", lx->file, lx->tline, what, found);
	return false;
}

static bool parse_file(struct ctx *c, const char *path, const char *from_dir,
	    struct pblock **only);
static bool parse_value(struct ctx *c, struct lex *lx, struct pval **out);

/* A path named in a file: from that file's directory, else as given. */
static char *
resolve(const char *dir, const char *path)
{
	char *cand;

	if (g_path_is_absolute(path) || dir == NULL)
		return g_strdup(path);
	cand = g_build_filename(dir, path, NULL);
	if (g_file_test(cand, G_FILE_TEST_EXISTS))
		return cand;
	g_free(cand);
	return g_strdup(path);
}

static struct pblock *
new_block(struct ctx *c, struct lex *lx, const char *type, const char *name)
{
	struct pblock *b = g_new0(struct pblock, 1);

	b->type = g_strdup(type);
	b->name = g_strdup(name);
	b->params = g_ptr_array_new();
	b->file = lx->file;
	b->line = lx->tline;
	g_ptr_array_add(c->blocks, b);
	return b;
}

/* After "TYPE [NAME] {": the parameters up to "}". */
static bool
parse_params(struct ctx *c, struct lex *lx, struct pblock *b)
{
	for (;;) {
		GString *key;
		struct pparam *pp;
		int line;

		if (lx->punct == '}') {
			lex_next(lx);
			return true;
		}
		if (lx->punct != 0)
			return syntax(c, lx, "a parameter name or '}'");
		key = g_string_new(NULL);
		line = lx->tline;
		while (lx->punct == 0) {
			if (key->len > 0)
				g_string_append_c(key, ' ');
			g_string_append(key, lx->word);
			lex_next(lx);
		}
		if (lx->punct != '=') {
			g_string_free(key, TRUE);
			return syntax(c, lx, "'=' after a parameter name");
		}
		lex_next(lx);
		pp = g_new0(struct pparam, 1);
		pp->key = g_string_free(key, FALSE);
		pp->line = line;
		g_ptr_array_add(b->params, pp);
		if (!parse_value(c, lx, &pp->v))
			return false;
		if (lx->punct == ',')
			lex_next(lx);
		else if (lx->punct != '}')
			return syntax(c, lx, "',' or '}' after a value");
	}
}

static struct pval *
new_val(struct ctx *c, struct lex *lx, enum pv_kind k)
{
	struct pval *v = g_new0(struct pval, 1);

	v->kind = k;
	v->file = lx->file;
	v->line = lx->tline;
	g_ptr_array_add(c->vals, v);
	return v;
}

static bool
parse_value(struct ctx *c, struct lex *lx, struct pval **out)
{
	struct pval *v;

	if (lx->punct == '[') {
		v = new_val(c, lx, PV_LIST);
		v->items = g_ptr_array_new();
		lex_next(lx);
		while (lx->punct != ']') {
			struct pval *item;

			if (!parse_value(c, lx, &item))
				return false;
			g_ptr_array_add(v->items, item);
			if (lx->punct == ',')
				lex_next(lx);
			else if (lx->punct != ']')
				return syntax(c, lx, "',' or ']' in a list");
		}
		lex_next(lx);
		*out = v;
		return true;
	}
	if (lx->punct != 0)
		return syntax(c, lx, "a value");
	if (strcmp(lx->word, "source") == 0) {
		/* The block another file defines. */
		v = new_val(c, lx, PV_BLOCK);
		lex_next(lx);
		if (lx->punct != 0)
			return syntax(c, lx, "a file name after source");
		if (!parse_file(c, lx->word, lx->dir, &v->block))
			return false;
		lex_next(lx);
		*out = v;
		return true;
	}
	{
		char *first = g_strdup(lx->word), *end;
		int line = lx->tline;

		lex_next(lx);
		if (lx->punct == '{' || lx->punct == 0) {
			char *name = NULL;

			if (lx->punct == 0) {
				/* TYPE NAME { */
				name = g_strdup(lx->word);
				lex_next(lx);
				if (lx->punct != '{') {
					g_free(first);
					g_free(name);
					return syntax(c, lx, "'{' after a block's type and name");
				}
			}
			v = new_val(c, lx, PV_BLOCK);
			v->line = line;
			v->block = new_block(c, lx, first, name);
			v->block->line = line;
			g_free(first);
			g_free(name);
			lex_next(lx);
			*out = v;
			return parse_params(c, lx, v->block);
		}
		v = new_val(c, lx, PV_WORD);
		v->line = line;
		v->word = first;
		v->num = g_ascii_strtod(first, &end);
		if (end != first && *end == '\0' && isfinite(v->num))
			v->kind = PV_NUM;
		*out = v;
		return true;
	}
}

static bool
parse_topo(struct ctx *c, struct lex *lx, struct topo *parent, struct topo **out)
{
	struct topo *t = g_new0(struct topo, 1);

	t->kids = g_ptr_array_new();
	t->parent = parent;
	*out = t;
	if (lx->punct != 0)
		return syntax(c, lx, "a device type in the topology");
	t->type = g_strdup(lx->word);
	lex_next(lx);
	if (lx->punct != 0)
		return syntax(c, lx, "a device name in the topology");
	t->name = g_strdup(lx->word);
	lex_next(lx);
	if (lx->punct != '[')
		return syntax(c, lx, "'[' after a device in the topology");
	lex_next(lx);
	while (lx->punct != ']') {
		struct topo *k;
		bool ok = parse_topo(c, lx, t, &k);

		g_ptr_array_add(t->kids, k);
		if (!ok)
			return false;
		if (lx->punct == ',')
			lex_next(lx);
	}
	lex_next(lx);
	return true;
}

/* The top level of a file.  With only != NULL the file must define
 * exactly one block, which is returned (a "source" value). */
static bool
parse_top(struct ctx *c, struct lex *lx, struct pblock **only)
{
	int nblocks = 0;

	lex_next(lx);
	while (lx->punct != -1) {
		if (lx->punct != 0)
			return syntax(c, lx, "a block, source, instantiate or topology");
		if (strcmp(lx->word, "source") == 0) {
			lex_next(lx);
			if (lx->punct != 0)
				return syntax(c, lx, "a file name after source");
			if (!parse_file(c, lx->word, lx->dir, NULL))
				return false;
			lex_next(lx);
		} else if (strcmp(lx->word, "instantiate") == 0) {
			GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
			guint i;

			lex_next(lx);
			if (lx->punct != '[') {
				g_ptr_array_free(names, TRUE);
				return syntax(c, lx, "'[' after instantiate");
			}
			lex_next(lx);
			while (lx->punct == 0 || lx->punct == ',') {
				if (lx->punct == 0)
					g_ptr_array_add(names, g_strdup(lx->word));
				lex_next(lx);
			}
			if (lx->punct != ']') {
				g_ptr_array_free(names, TRUE);
				return syntax(c, lx, "']' closing the instances");
			}
			lex_next(lx);
			if (lx->punct != 0 || strcmp(lx->word, "as") != 0) {
				g_ptr_array_free(names, TRUE);
				return syntax(c, lx, "\"as\" after the instances");
			}
			lex_next(lx);
			if (lx->punct != 0) {
				g_ptr_array_free(names, TRUE);
				return syntax(c, lx, "a block name after as");
			}
			for (i = 0; i < names->len; i++)
				g_hash_table_insert(c->inst,
				    g_strdup(g_ptr_array_index(names, i)),
				    g_strdup(lx->word));
			g_ptr_array_free(names, TRUE);
			lex_next(lx);
		} else if (strcmp(lx->word, "topology") == 0) {
			struct topo *t;
			bool ok;

			lex_next(lx);
			ok = parse_topo(c, lx, NULL, &t);
			g_ptr_array_add(c->topos, t);
			if (!ok)
				return false;
		} else {
			struct pval *v;

			if (!parse_value(c, lx, &v))
				return false;
			if (v->kind != PV_BLOCK)
				return syntax(c, lx, "a block");
			g_ptr_array_add(c->top, v->block);
			nblocks++;
			if (only != NULL)
				*only = v->block;
		}
	}
	if (only != NULL && nblocks != 1) {
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: a sourced value must define exactly one block (it has %d)",
		    lx->file, nblocks);
		return false;
	}
	return true;
}

static bool
parse_file(struct ctx *c, const char *name, const char *from_dir,
    struct pblock **only)
{
	struct lex lx;
	char *path = resolve(from_dir, name), *text = NULL;
	GError *e = NULL;
	gsize len;
	bool ok;

	if (++c->depth > 16) {
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: files source each other too deeply", path);
		g_free(path);
		return false;
	}
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(c->err, G_FILE_ERROR, e->code, "%s", e->message);
		g_error_free(e);
		g_free(path);
		return false;
	}
	if (memchr(text, '\0', len) != NULL) {
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: not a text file", path);
		g_free(text);
		g_free(path);
		return false;
	}
	memset(&lx, 0, sizeof(lx));
	lx.file = g_intern_string(path);
	lx.dir = g_path_get_dirname(path);
	lx.s = text;
	lx.line = 1;
	ok = parse_top(c, &lx, only);
	g_free(lx.word);
	g_free(lx.dir);
	g_free(text);
	g_free(path);
	c->depth--;
	return ok;
}

static void
topo_free(struct topo *t)
{
	guint i;

	for (i = 0; i < t->kids->len; i++)
		topo_free(g_ptr_array_index(t->kids, i));
	g_ptr_array_free(t->kids, TRUE);
	g_free(t->type);
	g_free(t->name);
	g_free(t);
}

static void
ctx_free(struct ctx *c)
{
	guint i, j;

	for (i = 0; i < c->blocks->len; i++) {
		struct pblock *b = g_ptr_array_index(c->blocks, i);

		for (j = 0; j < b->params->len; j++) {
			struct pparam *pp = g_ptr_array_index(b->params, j);

			g_free(pp->key);
			g_free(pp);
		}
		g_ptr_array_free(b->params, TRUE);
		g_free(b->type);
		g_free(b->name);
		g_free(b);
	}
	for (i = 0; i < c->vals->len; i++) {
		struct pval *v = g_ptr_array_index(c->vals, i);

		if (v->items != NULL)
			g_ptr_array_free(v->items, TRUE);
		g_free(v->word);
		g_free(v);
	}
	for (i = 0; i < c->topos->len; i++)
		topo_free(g_ptr_array_index(c->topos, i));
	g_ptr_array_free(c->blocks, TRUE);
	g_ptr_array_free(c->vals, TRUE);
	g_ptr_array_free(c->top, TRUE);
	g_ptr_array_free(c->topos, TRUE);
	g_hash_table_destroy(c->inst);
}

/* ---- reading parameters --------------------------------------------------- */

static struct pparam *
find(struct pblock *b, const char *key)
{
	guint i;

	for (i = 0; i < b->params->len; i++) {
		struct pparam *pp = g_ptr_array_index(b->params, i);

		if (strcmp(pp->key, key) == 0) {
			pp->used = true;
			return pp;
		}
	}
	return NULL;
}

static bool
perr(struct ctx *c, struct pblock *b, struct pparam *pp, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bool
perr(struct ctx *c, struct pblock *b, struct pparam *pp, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (pp != NULL)
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s:%d: %s = %s: %s", b->file, pp->line, pp->key,
		    pp->v->kind == PV_NUM || pp->v->kind == PV_WORD ?
		    pp->v->word : "...", msg);
	else
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s:%d: %s %s: %s", b->file, b->line, b->type,
		    b->name != NULL ? b->name : "", msg);
	g_free(msg);
	return false;
}

/* A number; required unless dflt is given (NAN: required). */
static bool
num(struct ctx *c, struct pblock *b, const char *key, double dflt, double *out)
{
	struct pparam *pp = find(b, key);

	if (pp == NULL) {
		if (isnan(dflt)) {
			g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:%d: %s %s has no \"%s\"", b->file, b->line, b->type,
			    b->name != NULL ? b->name : "", key);
			return false;
		}
		*out = dflt;
		return true;
	}
	if (pp->v->kind != PV_NUM)
		return perr(c, b, pp, "expected a number");
	*out = pp->v->num;
	return true;
}

static bool
integer(struct ctx *c, struct pblock *b, const char *key, double dflt,
    double lo, double hi, int64_t *out)
{
	double v;

	if (!num(c, b, key, dflt, &v))
		return false;
	if (v != floor(v) || v < lo || v > hi)
		return perr(c, b, find(b, key), "expected a whole number from "
		    "%.0f to %.0f", lo, hi);
	*out = (int64_t)v;
	return true;
}

static bool
ms(struct ctx *c, struct pblock *b, const char *key, double dflt, double scale,
    sim_time_t *out)
{
	double v;

	if (!num(c, b, key, dflt, &v))
		return false;
	if (v < 0)
		return perr(c, b, find(b, key), "a time must not be negative");
	*out = (sim_time_t)llround(v * scale * 1e6);
	return true;
}

/* A time that may be negative (DiskSim tests no sign), within a second. */
static bool
ms_signed(struct ctx *c, struct pblock *b, const char *key, double dflt,
    sim_time_t *out)
{
	double v;

	if (!num(c, b, key, dflt, &v))
		return false;
	if (fabs(v) > 1000)
		return perr(c, b, find(b, key), "more than a second either way");
	*out = (sim_time_t)llround(v * 1e6);
	return true;
}

static bool
flag(struct ctx *c, struct pblock *b, const char *key, double dflt, bool *out)
{
	int64_t v;

	if (!integer(c, b, key, dflt, 0, 1, &v))
		return false;
	*out = v != 0;
	return true;
}

/* A parameter vfssim accepts only at the value it models. */
static bool
only(struct ctx *c, struct pblock *b, const char *key, double want,
    const char *why)
{
	struct pparam *pp = find(b, key);

	if (pp == NULL)
		return true;
	if (pp->v->kind != PV_NUM || pp->v->num != want)
		return perr(c, b, pp, "not supported: %s (only %g is)", why, want);
	return true;
}

/*
 * A parameter read and ignored: it cannot change a result (DiskSim's own
 * statistics and the like), or changes one only in a case that cannot
 * arise here.  Noted, with why, for vfssim disk --explain.
 */
static void
note(struct ctx *c, struct pblock *b, const char *key, const char *why)
{
	struct pparam *pp = find(b, key);

	if (pp == NULL || c->notes == NULL)
		return;
	g_ptr_array_add(c->notes, g_strdup_printf("%s:%d: %s = %s: %s", b->file,
	    pp->line, pp->key, pp->v->kind == PV_NUM || pp->v->kind == PV_WORD ?
	    pp->v->word : "[...]", why));
}

/* Every parameter of a block, read and ignored for one reason. */
static void
note_all(struct ctx *c, struct pblock *b, const char *why)
{
	guint i;

	for (i = 0; i < b->params->len; i++) {
		struct pparam *pp = g_ptr_array_index(b->params, i);

		if (!pp->used)
			note(c, b, pp->key, why);
	}
}

static struct pblock *
sub_block(struct ctx *c, struct pblock *b, const char *key, const char *type)
{
	struct pparam *pp = find(b, key);
	struct pblock *sb = NULL;
	guint i;

	if (pp == NULL) {
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s:%d: %s %s has no \"%s\"", b->file, b->line, b->type,
		    b->name != NULL ? b->name : "", key);
		return NULL;
	}
	if (pp->v->kind == PV_BLOCK)
		sb = pp->v->block;
	else if (pp->v->kind == PV_WORD)
		/* A block defined elsewhere, by name. */
		for (i = 0; i < c->top->len; i++) {
			struct pblock *t = g_ptr_array_index(c->top, i);

			if (t->name != NULL && strcmp(t->name, pp->v->word) == 0)
				sb = t;
		}
	if (sb == NULL) {
		perr(c, b, pp, "expected a %s block", type);
		return NULL;
	}
	if (strcmp(sb->type, type) != 0) {
		perr(c, b, pp, "a %s is not supported (a %s is)", sb->type, type);
		return NULL;
	}
	return sb;
}

/* Every parameter of a block the drive is made of must have been read. */
static bool
all_read(struct ctx *c, struct pblock *b)
{
	guint i;

	for (i = 0; i < b->params->len; i++) {
		struct pparam *pp = g_ptr_array_index(b->params, i);

		if (!pp->used) {
			g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:%d: \"%s\" in %s is not a parameter vfssim "
			    "knows", b->file, pp->line, pp->key, b->type);
			return false;
		}
	}
	return true;
}

/* ---- the drive ----------------------------------------------------------- */

/*
 * A DiskSim ioqueue (disksim_ioqueue): the I/O driver's queue, or the
 * drive's own.  Its scheduling policy becomes one of vfssim's disciplines
 * (DiskSim's numbers, disksim_ioqueue.h): 1 FCFS, 3 CYCLE_LBN (C-LOOK by
 * block number: what bufqdisksort does for a block trace's requests), 7
 * SSTF_CYL (vfssim's sstf, nearest cylinder), 8 SPTF_OPT (vfssim's sptf).
 * What would change the order or the timing otherwise — an initiation
 * delay, concatenating sequential requests, merging overlapping ones,
 * priorities — is refused; the parameters of schemes that are off are
 * noted.  A queue that never holds two requests (the drive's, taking one
 * command at a time) has no order to keep: all of it is noted.
 */
static bool
read_ioqueue(struct ctx *c, struct pblock *qb, bool matters, const char **sched)
{
	static const struct {
		int		 policy;
		const char	*name;
	} map[] = {
		{ 1, "fcfs" }, { 3, "clook" }, { 7, "sstf" }, { 8, "sptf" },
	};
	int64_t policy, v;
	double d;
	guint i;

	if (!matters) {
		note_all(c, qb, "the drive takes one command at a time: its "
		    "queue never holds two, and has no order to keep");
		return true;
	}
	if (!integer(c, qb, "Scheduling policy", 1, 1, 28, &policy))
		return false;
	for (i = 0; i < G_N_ELEMENTS(map) && map[i].policy != policy; i++)
		;
	if (i == G_N_ELEMENTS(map))
		return perr(c, qb, find(qb, "Scheduling policy"), "not supported: "
		    "1 (FCFS), 3 (C-LOOK by block), 7 (SSTF by cylinder) and 8 "
		    "(SPTF) are");
	*sched = map[i].name;
	if (!num(c, qb, "Write initiation delay", 0, &d))
		return false;
	if (d != 0)
		return perr(c, qb, find(qb, "Write initiation delay"),
		    "not supported: a delay before each write is issued (only "
		    "0 is)");
	if (!num(c, qb, "Read initiation delay", 0, &d))
		return false;
	if (d != 0)
		return perr(c, qb, find(qb, "Read initiation delay"),
		    "not supported: a delay before each read is issued (only "
		    "0 is)");
	if (!only(c, qb, "Sequential stream scheme", 0, "concatenating or "
	    "grouping sequential requests") ||
	    !only(c, qb, "Overlapping request scheme", 0, "merging "
	    "overlapping requests") ||
	    !only(c, qb, "Scheduling priority scheme", 0, "scheduling by "
	    "priority"))
		return false;
	if (!integer(c, qb, "Cylinder mapping strategy", 0, 0, 6, &v))
		return false;
	note(c, qb, "Cylinder mapping strategy", "how DiskSim's queue guesses "
	    "a request's cylinder; vfssim's disciplines take it from the "
	    "layout");
	note(c, qb, "Maximum concat size", "used only by a sequential stream "
	    "scheme, which is off");
	note(c, qb, "Sequential stream diff maximum", "used only by a "
	    "sequential stream scheme, which is off");
	note(c, qb, "Scheduling timeout scheme", "DiskSim ignores it too (it "
	    "warns so)");
	note(c, qb, "Timeout time/weight", "used only by a timeout scheme");
	note(c, qb, "Timeout scheduling", "used only by a timeout scheme");
	note(c, qb, "Priority scheduling", "used only by a priority scheme, "
	    "which is off");
	return all_read(c, qb);
}


static bool
read_zone(struct ctx *c, struct pblock *zb, double skew_revs,
    struct disk_zone *z)
{
	struct pparam *pp;
	int64_t v;
	guint i;

	if (strcmp(zb->type, "dm_layout_g1_zone") != 0)
		return perr(c, zb, NULL, "a zone must be a dm_layout_g1_zone");
	if (!integer(c, zb, "First cylinder number", NAN, 0, 1e12, &z->first_cyl) ||
	    !integer(c, zb, "Last cylinder number", NAN, 0, 1e12, &z->last_cyl) ||
	    !integer(c, zb, "Blocks per track", NAN, 1, 1e5, &v))
		return false;
	z->spt = (int)v;
	/* Skews and offset are in sectors, or in revolutions. */
	pp = find(zb, "Skew units");
	if (pp != NULL) {
		if (pp->v->kind != PV_WORD || (strcmp(pp->v->word, "sectors") != 0 &&
		    strcmp(pp->v->word, "revolutions") != 0))
			return perr(c, zb, pp, "expected sectors or revolutions");
		skew_revs = strcmp(pp->v->word, "revolutions") == 0;
	}
	if (!num(c, zb, "Offset of first block", 0, &z->first_offset) ||
	    !num(c, zb, "Skew for track switch", 0, &z->track_skew) ||
	    !num(c, zb, "Skew for cylinder switch", 0, &z->cyl_skew))
		return false;
	/*
	 * As DiskSim 4.0's zone loader takes them: in revolutions exactly,
	 * in sectors as whole sectors ((int)d * sector_width, truncating).
	 * A negative skew is a skew backwards, as its angle arithmetic
	 * makes it: the skews DiskSim 2 computed from a negative value are
	 * dead code in 4.0 (initialize_bands returns at once).
	 */
	if (fabs(z->first_offset) > 1e9 || fabs(z->track_skew) > 1e9 ||
	    fabs(z->cyl_skew) > 1e9)
		return perr(c, zb, NULL, "an offset or skew beyond 1e9");
	if (skew_revs != 0) {
		z->first_offset *= z->spt;
		z->track_skew *= z->spt;
		z->cyl_skew *= z->spt;
	} else {
		z->first_offset = trunc(z->first_offset);
		z->track_skew = trunc(z->track_skew);
		z->cyl_skew = trunc(z->cyl_skew);
	}
	if (!integer(c, zb, "Empty space at zone front", 0, 0, 1e12, &z->deadspace) ||
	    !integer(c, zb, "Number of spares", 0, 0, 1e12, &z->spares))
		return false;
	pp = find(zb, "slips");
	if (pp != NULL) {
		if (pp->v->kind != PV_LIST)
			return perr(c, zb, pp, "expected a list");
		z->nslips = (int)pp->v->items->len;
		z->slips = g_new0(int64_t, MAX(z->nslips, 1));
		for (i = 0; i < pp->v->items->len; i++) {
			struct pval *sv = g_ptr_array_index(pp->v->items, i);

			/* bounded as the other block counts: a huge one
			 * would not fit an int64_t */
			if (sv->kind != PV_NUM || sv->num < 0 || sv->num > 1e12 ||
			    sv->num != floor(sv->num))
				return perr(c, zb, pp, "slips must be whole numbers "
				    "from 0 to 1e12");
			z->slips[i] = (int64_t)sv->num;
		}
	}
	/* Defects come in (location, replacement) pairs; one "remapped" to
	 * itself is no remapping (DiskSim ignores it too). */
	pp = find(zb, "defects");
	if (pp != NULL) {
		if (pp->v->kind != PV_LIST || pp->v->items->len % 2 != 0)
			return perr(c, zb, pp, "expected pairs of numbers");
		for (i = 0; i < pp->v->items->len; i += 2) {
			struct pval *a = g_ptr_array_index(pp->v->items, i);
			struct pval *r = g_ptr_array_index(pp->v->items, i + 1);

			if (a->kind != PV_NUM || r->kind != PV_NUM)
				return perr(c, zb, pp, "expected pairs of numbers");
			if (a->num != r->num)
				return perr(c, zb, pp, "not supported: defects "
				    "remapped elsewhere (slipped ones are)");
		}
	}
	return all_read(c, zb);
}

static bool
read_layout(struct ctx *c, struct pblock *lb, struct disk_params *p)
{
	struct pparam *pp;
	int64_t v;
	double revs = 0;
	guint i;

	if (!integer(c, lb, "LBN-to-PBN mapping scheme", 0, 0, 2, &v))
		return false;
	p->mapping = (int)v;
	if (!integer(c, lb, "Sparing scheme used", 0, 0, 10, &v))
		return false;
	p->sparing = (enum disk_sparing)v;
	if (!integer(c, lb, "Rangesize for sparing", 1, 1, 1e6, &p->rangesize))
		return false;
	pp = find(lb, "Skew units");
	if (pp != NULL) {
		if (pp->v->kind != PV_WORD || (strcmp(pp->v->word, "sectors") != 0 &&
		    strcmp(pp->v->word, "revolutions") != 0))
			return perr(c, lb, pp, "expected sectors or revolutions");
		revs = strcmp(pp->v->word, "revolutions") == 0;
	}
	pp = find(lb, "Zones");
	if (pp == NULL || pp->v->kind != PV_LIST || pp->v->items->len == 0)
		return perr(c, lb, pp, "expected a list of zones");
	p->nzones = (int)pp->v->items->len;
	p->zones = g_new0(struct disk_zone, p->nzones);
	for (i = 0; i < pp->v->items->len; i++) {
		struct pval *zv = g_ptr_array_index(pp->v->items, i);

		if (zv->kind != PV_BLOCK)
			return perr(c, lb, pp, "zone %u is not a block", i + 1);
		if (!read_zone(c, zv->block, revs, &p->zones[i]))
			return false;
	}
	return all_read(c, lb);
}

/* The extracted seek curve. */
bool
diskspecs_read_seek(const char *path, int *n, int64_t **dist, double **msv,
    GError **err)
{
	char *text = NULL, **lines;
	GArray *d = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *t = g_array_new(FALSE, FALSE, sizeof(double));
	GError *e = NULL;
	bool ok = true;
	int i;

	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, G_FILE_ERROR, e->code, "%s", e->message);
		g_error_free(e);
		ok = false;
		goto out;
	}
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL && ok; i++) {
		char *l = g_strstrip(lines[i]);
		long long dd;
		double tt;
		int k;

		if (*l == '\0' || *l == '#' ||
		    g_str_has_prefix(l, "Seek distances measured:"))
			continue;
		if (sscanf(l, "%lld , %lf%n", &dd, &tt, &k) < 2 || dd < 1 ||
		    tt < 0 || (d->len > 0 && dd <= g_array_index(d, int64_t,
		    d->len - 1))) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:%d: expected \"distance, ms\" with distances "
			    "ascending from 1", path, i + 1);
			ok = false;
			break;
		}
		{
			int64_t d64 = dd;

			g_array_append_val(d, d64);
			g_array_append_val(t, tt);
		}
	}
	g_strfreev(lines);
	if (ok && d->len == 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: no seek times", path);
		ok = false;
	}
out:
	g_free(text);
	*n = ok ? (int)d->len : 0;
	*dist = ok ? (int64_t *)(void *)g_array_free(d, FALSE) : NULL;
	*msv = ok ? (double *)(void *)g_array_free(t, FALSE) : NULL;
	if (!ok) {
		g_array_free(d, TRUE);
		g_array_free(t, TRUE);
	}
	return ok;
}

static bool
read_mech(struct ctx *c, struct pblock *mb, struct disk_params *p)
{
	struct pparam *pp;
	int64_t v;
	guint i;

	pp = find(mb, "Access time type");
	if (pp == NULL || pp->v->kind != PV_WORD ||
	    strcmp(pp->v->word, "trackSwitchPlusRotation") != 0)
		return perr(c, mb, pp, "not supported: only trackSwitchPlusRotation "
		    "(seeks and the platter's real angle) is modelled");
	pp = find(mb, "Seek type");
	if (pp == NULL || pp->v->kind != PV_WORD)
		return perr(c, mb, pp, "expected a seek type");
	if (strcmp(pp->v->word, "hpl") == 0)
		p->seek = DSEEK_HPL;
	else if (strcmp(pp->v->word, "hplplus10") == 0)
		p->seek = DSEEK_HPLPLUS10;
	else if (strcmp(pp->v->word, "extracted") == 0)
		p->seek = DSEEK_EXTRACTED;
	else if (strcmp(pp->v->word, "curve") == 0)
		p->seek = DSEEK_CURVE;
	else if (strcmp(pp->v->word, "linear") == 0)
		p->seek = DSEEK_LINEAR;
	else
		return perr(c, mb, pp, "not supported: hpl, hplplus10, extracted, "
		    "curve and linear are");
	if (!num(c, mb, "Single cylinder seek time", 0, &p->seek_min) ||
	    !num(c, mb, "Average seek time", 0, &p->seek_avg) ||
	    !num(c, mb, "Full strobe seek time", 0, &p->seek_max))
		return false;
	p->seek_single = -1;
	pp = find(mb, "HPL seek equation values");
	if (p->seek == DSEEK_HPL || p->seek == DSEEK_HPLPLUS10) {
		double hv[6];

		if (pp == NULL || pp->v->kind != PV_LIST || pp->v->items->len != 6)
			return perr(c, mb, pp, "expected six values");
		for (i = 0; i < 6; i++) {
			struct pval *x = g_ptr_array_index(pp->v->items, i);

			if (x->kind != PV_NUM)
				return perr(c, mb, pp, "expected numbers");
			hv[i] = x->num;
		}
		p->seek_boundary = hv[0];
		p->seek_a = hv[1];
		p->seek_b = hv[2];
		p->seek_c = hv[3];
		p->seek_e = hv[4];
		p->seek_single = hv[5] == -1 ? -1 : hv[5];
	}
	pp = find(mb, "First ten seek times");
	if (p->seek == DSEEK_HPLPLUS10) {
		if (pp == NULL || pp->v->kind != PV_LIST || pp->v->items->len != 10)
			return perr(c, mb, pp, "expected ten seek times");
		for (i = 0; i < 10; i++) {
			struct pval *x = g_ptr_array_index(pp->v->items, i);

			if (x->kind != PV_NUM)
				return perr(c, mb, pp, "expected numbers");
			p->seek_first10[i] = x->num;
		}
	}
	pp = find(mb, "Full seek curve");
	if (p->seek == DSEEK_EXTRACTED) {
		char *dir, *path;
		bool ok;

		if (pp == NULL || pp->v->kind == PV_LIST || pp->v->kind == PV_BLOCK)
			return perr(c, mb, pp, "expected a seek curve file");
		dir = g_path_get_dirname(mb->file);
		path = resolve(dir, pp->v->word);
		ok = diskspecs_read_seek(path, &p->seek_npoints, &p->seek_dist,
		    &p->seek_ms, c->err);
		g_free(dir);
		g_free(path);
		if (!ok)
			return false;
	}
	if (!ms_signed(c, mb, "Add. write settling delay", NAN, &p->write_settle) ||
	    !ms(c, mb, "Head switch time", NAN, 1, &p->head_switch) ||
	    !integer(c, mb, "Rotation speed (in rpms)", NAN, 1, 1e6, &v))
		return false;
	p->rpm = (int)v;
	if (!only(c, mb, "Percent error in rpms", 0,
	    "a spindle speed drawn at random"))
		return false;
	return all_read(c, mb);
}

static bool
read_model(struct ctx *c, struct pblock *db, struct disk_params *p,
    int64_t *blocks)
{
	struct pblock *lb, *mb;
	int64_t v;

	if (!integer(c, db, "Number of data surfaces", NAN, 1, 1024, &v))
		return false;
	p->heads = (int)v;
	if (!integer(c, db, "Number of cylinders", NAN, 1, 1e12, &p->cylinders) ||
	    !integer(c, db, "Block count", 0, 0, 1e15, blocks))
		return false;
	note(c, db, "Block count", "DiskSim addresses what the zones hold, "
	    "whatever the count says (checknumblocks)");
	if ((lb = sub_block(c, db, "Layout Model", "dm_layout_g1")) == NULL ||
	    !read_layout(c, lb, p))
		return false;
	if ((mb = sub_block(c, db, "Mechanical Model", "dm_mech_g1")) == NULL ||
	    !read_mech(c, mb, p))
		return false;
	return all_read(c, db);
}

/* The disk block: the electronics and the cache. */
static bool
read_disk(struct ctx *c, struct pblock *b, struct disk_params *p,
    double *blktrans, int64_t *blocks)
{
	struct pblock *mb, *sb;
	double scale;
	int64_t v;
	bool sepseg, any_free;

	if ((mb = sub_block(c, b, "Model", "dm_disk")) == NULL ||
	    !read_model(c, mb, p, blocks))
		return false;
	if (!num(c, b, "Time scale for overheads", 1, &scale))
		return false;
	if (scale < 0)
		return perr(c, b, find(b, "Time scale for overheads"), "negative");
#define MS(key, out)	ms(c, b, key, NAN, scale, out)
	if (!MS("Per-request overhead time", &p->ovh_request) ||
	    !num(c, b, "Bulk sector transfer time", NAN, blktrans) ||
	    !flag(c, b, "Hold bus entire read xfer", NAN, &p->hold_bus_read) ||
	    !flag(c, b, "Hold bus entire write xfer", NAN, &p->hold_bus_write) ||
	    !flag(c, b, "Allow almost read hits", NAN, &p->almost_read_hits) ||
	    !only(c, b, "Allow sneaky full read hits", 0, "serving a cached read "
	    "beside another command (the drive serves one at a time)") ||
	    !only(c, b, "Allow sneaky partial read hits", 0, "serving a cached "
	    "read beside another command") ||
	    !only(c, b, "Allow sneaky intermediate read hits", 0, "serving a "
	    "cached read beside another command") ||
	    !flag(c, b, "Allow read hits on write data", NAN,
	    &p->read_hits_on_writes) ||
	    !only(c, b, "Allow write prebuffering", 0, "taking a queued write's "
	    "data beside another command") ||
	    !only(c, b, "Preseeking level", 0, "seeking for the next command "
	    "before this one completes") ||
	    !flag(c, b, "Never disconnect", NAN, &p->never_disconnect))
		return false;
	note(c, b, "Print stats", "DiskSim's statistics output");
	note(c, b, "Avg sectors per cylinder", "used by DiskSim's host-side "
	    "schedulers' cylinder mapping only, which vfssim's take from the "
	    "layout");
	if (!integer(c, b, "Max queue length", 1, 1, 256, &v))
		return false;
	p->queue_depth = (int)v;
	p->scheduler = "fcfs";
	if (find(b, "Scheduler") != NULL) {
		/* The drive's own queue: its order matters only when it
		 * holds more than one command. */
		if ((sb = sub_block(c, b, "Scheduler", "disksim_ioqueue")) == NULL ||
		    !read_ioqueue(c, sb, p->queue_depth > 1, &p->scheduler))
			return false;
	}
	if (!integer(c, b, "Number of buffer segments", NAN, 1, 1024, &v))
		return false;
	p->nsegs = (int)v;
	if (!integer(c, b, "Maximum number of write segments", NAN, 1, p->nsegs, &v))
		return false;
	p->nwritesegs = (int)v;
	if (!integer(c, b, "Segment size (in blks)", NAN, 1, 1 << 24, &v))
		return false;
	p->segsize = (int)v;
	if (!flag(c, b, "Use separate write segment", NAN, &sepseg))
		return false;
	p->write_seg = sepseg;
	if (!num(c, b, "Low (write) water mark", NAN, &p->write_water) ||
	    !num(c, b, "High (read) water mark", NAN, &p->read_water) ||
	    !flag(c, b, "Set watermark by reqsize", NAN, &p->water_by_reqsize))
		return false;
	note(c, b, "Calc sector by sector", "no effect in DiskSim 4.0 (its "
	    "manual: the simulator works as if it were always 1)");
	/* DiskSim takes any non-zero value (0 to 2) as on. */
	if (!integer(c, b, "Enable caching in buffer", NAN, 0, 2, &v))
		return false;
	p->cache = v != 0;
	if (!integer(c, b, "Buffer continuous read", NAN, 0, 4, &v))
		return false;
	p->readahead = (enum disk_readahead)v;
	if (!integer(c, b, "Minimum read-ahead (blks)", NAN, 0, p->segsize, &v))
		return false;
	p->min_readahead = (int)v;
	if (!integer(c, b, "Maximum read-ahead (blks)", NAN, 0, p->segsize, &v))
		return false;
	p->max_readahead = (int)v;
	/* DiskSim's disk_postpass_perdisk: no read-ahead forces the limits
	 * to zero, a maximum below the minimum to the minimum. */
	if (p->readahead == DRA_NONE)
		p->min_readahead = p->max_readahead = 0;
	if (p->max_readahead < p->min_readahead)
		p->max_readahead = p->min_readahead;
	if (!integer(c, b, "Read-ahead over requested", NAN, -1, 1, &v))
		return false;
	/* DiskSim turns 0 into 1 and 1 into 0 before using it
	 * (keeprequestdata = abs(keeprequestdata - 1), its
	 * disk_postpass_perdisk): here it is used as DiskSim uses it. */
	p->keep_request_data = v >= 0 ? (int)(1 - v) : (int)v;
	if (!flag(c, b, "Read-ahead on idle hit", NAN, &p->readahead_idle_hit) ||
	    !flag(c, b, "Read any free blocks", NAN, &any_free) ||
	    !integer(c, b, "Fast write level", NAN, 0, 2, &v))
		return false;
	p->fast_write = (int)v;
	/* DiskSim refuses these (disk_postpass_perdisk). */
	if ((p->readahead != DRA_NONE || p->fast_write != 0 || any_free) &&
	    !p->cache)
		return perr(c, b, find(b, "Enable caching in buffer"), "%s without "
		    "caching: DiskSim refuses it", p->readahead != DRA_NONE ?
		    "read-ahead" : p->fast_write != 0 ? "fast writes" :
		    "reading any free blocks");
	/*
	 * Zero-latency access and reading any free blocks as DiskSim 4.0
	 * does them: not at all.  Landing amid the wanted blocks, its
	 * g1_access_block finds the sector under the head with
	 * dm_convert_atop, takes the DM_OK (-3) it returns for an error
	 * and falls back to the wanted sector, so every access starts
	 * there as without them, and no block before it ever passes into
	 * an empty segment.  Its validated drives were fitted that way:
	 * taking them as the manual describes moves the Atlas 10K's
	 * demerit from DiskSim's 0.268 ms to 0.159 ms and the DEC RZ26's
	 * from 0.341 ms to 0.426 ms.
	 */
	if (!integer(c, b, "Immediate buffer read", NAN, 0, 2, &v) ||
	    !integer(c, b, "Immediate buffer write", NAN, 0, 2, &v))
		return false;
	p->zero_latency_read = p->zero_latency_write = false;
	note(c, b, "Immediate buffer read", "DiskSim 4.0 never reads a "
	    "sector early: its g1_access_block takes the DM_OK it gets back "
	    "for an error and starts at the wanted sector");
	note(c, b, "Immediate buffer write", "DiskSim 4.0 never writes a "
	    "sector early, as for Immediate buffer read");
	note(c, b, "Read any free blocks", "DiskSim 4.0 never reads a block "
	    "before the wanted one: every access starts at the wanted sector "
	    "(see Immediate buffer read)");
	if (!flag(c, b, "Combine seq writes", NAN, &p->combine_writes) ||
	    !flag(c, b, "Stop prefetch in sector", NAN, &p->stop_in_sector) ||
	    !only(c, b, "Disconnect write if seek", 0, "disconnecting while "
	    "the arm still moves") ||
	    !flag(c, b, "Write hit stop prefetch", NAN,
	    &p->write_hit_stop_prefetch) ||
	    !only(c, b, "Read directly to buffer", 1, "a separate sector "
	    "buffer between media and cache") ||
	    !flag(c, b, "Immed transfer partial hit", NAN, &p->immed_partial_hit))
		return false;
	if (!MS("Read hit over. after read", &p->ovh_read_hit[0]) ||
	    !MS("Read hit over. after write", &p->ovh_read_hit[1]) ||
	    !MS("Read miss over. after read", &p->ovh_read_miss[0]) ||
	    !MS("Read miss over. after write", &p->ovh_read_miss[1]) ||
	    !MS("Write hit over. after read", &p->ovh_write_hit[0]) ||
	    !MS("Write hit over. after write", &p->ovh_write_hit[1]) ||
	    !MS("Write miss over. after read", &p->ovh_write_miss[0]) ||
	    !MS("Write miss over. after write", &p->ovh_write_miss[1]) ||
	    !MS("Read completion overhead", &p->ovh_complete_read) ||
	    !MS("Write completion overhead", &p->ovh_complete_write) ||
	    !MS("Data preparation overhead", &p->ovh_data_prep) ||
	    !MS("First reselect overhead", &p->ovh_reselect_first) ||
	    !MS("Other reselect overhead", &p->ovh_reselect_other) ||
	    !MS("Read disconnect afterread", &p->ovh_disconnect_read[0]) ||
	    !MS("Read disconnect afterwrite", &p->ovh_disconnect_read[1]) ||
	    !MS("Write disconnect overhead", &p->ovh_disconnect_write) ||
	    !flag(c, b, "Extra write disconnect", NAN, &p->extra_write_disconnect) ||
	    !MS("Extradisc command overhead", &p->xd_command) ||
	    !MS("Extradisc disconnect overhead", &p->xd_disconnect1) ||
	    !ms(c, b, "Extradisc inter-disconnect delay", NAN, 1, &p->xd_inter) ||
	    !MS("Extradisc 2nd disconnect overhead", &p->xd_disconnect2) ||
	    !MS("Extradisc seek delta", &p->xd_seekdelta) ||
	    !ms(c, b, "Minimum seek delay", NAN, 1, &p->min_seek_delay))
		return false;
#undef MS
	return all_read(c, b);
}

static struct topo *
topo_find(struct topo *t, const char *name)
{
	guint i;

	if (strcmp(t->name, name) == 0)
		return t;
	for (i = 0; i < t->kids->len; i++) {
		struct topo *f = topo_find(g_ptr_array_index(t->kids, i), name);

		if (f != NULL)
			return f;
	}
	return NULL;
}

static struct pblock *
block_named(struct ctx *c, const char *name)
{
	guint i;

	for (i = 0; i < c->top->len; i++) {
		struct pblock *b = g_ptr_array_index(c->top, i);

		if (b->name != NULL && strcmp(b->name, name) == 0)
			return b;
	}
	return NULL;
}

/* The block an instance was made from. */
static struct pblock *
instance_block(struct ctx *c, const char *inst)
{
	const char *bname = g_hash_table_lookup(c->inst, inst);

	return bname != NULL ? block_named(c, bname) : NULL;
}

/*
 * The path from the host to the disk.  The bus the disk hangs on sets the
 * time a block takes over it (the drive's own bulk transfer time if that
 * is slower: disk_get_blktranstime); a bus higher up must move data in no
 * time, as every DiskSim validation drive's does.  The controller must
 * pass commands straight through, and the I/O driver must not replace the
 * drive by a constant access time; its queue's scheduling policy is the
 * host queue's discipline (p->host_scheduler), and a driver that keeps
 * one request at a time in the subsystem makes the drive's queue one
 * deep.
 */
static bool
read_path(struct ctx *c, const char *disk_inst, struct disk_params *p,
    double *bus_r, double *bus_w)
{
	struct topo *t = NULL, *up;
	guint i;

	for (i = 0; i < c->topos->len && t == NULL; i++)
		t = topo_find(g_ptr_array_index(c->topos, i), disk_inst);
	if (t == NULL)
		return true;		/* no topology: the drive alone */
	for (up = t->parent; up != NULL; up = up->parent) {
		struct pblock *b = instance_block(c, up->name), *qb;
		double r, w;
		int64_t v;

		if (b == NULL) {
			g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "the topology names %s, which is not instantiated",
			    up->name);
			return false;
		}
		if (strcmp(b->type, "disksim_bus") == 0) {
			if (!only(c, b, "Arbitration time", 0, "bus arbitration "
			    "delays") ||
			    !num(c, b, "Read block transfer time", 0, &r) ||
			    !num(c, b, "Write block transfer time", 0, &w))
				return false;
			if (r < 0 || w < 0)
				return perr(c, b, find(b, r < 0 ?
				    "Read block transfer time" :
				    "Write block transfer time"), "negative");
			if (up == t->parent) {
				*bus_r = r;
				*bus_w = w;
			} else if (r != 0 || w != 0)
				return perr(c, b, find(b, r != 0 ?
				    "Read block transfer time" :
				    "Write block transfer time"), "not "
				    "supported: a transfer time on a bus above "
				    "the controller (only 0 is)");
			note(c, b, "type", "one drive on the bus: how it is "
			    "shared cannot matter");
			note(c, b, "Arbitration type", "one drive on the bus: "
			    "nothing to arbitrate");
			note(c, b, "Print stats", "DiskSim's statistics output");
			if (!all_read(c, b))
				return false;
		} else if (strcmp(b->type, "disksim_ctlr") == 0) {
			double scale;

			if (!integer(c, b, "type", 1, 1, 3, &v) ||
			    !num(c, b, "Scale for delays", 0, &scale))
				return false;
			if (v != 1 || scale != 0)
				return perr(c, b, find(b, v != 1 ? "type" :
				    "Scale for delays"), "not supported: only a "
				    "controller that passes commands straight "
				    "through (type 1, no delays) is modelled");
			note(c, b, "Bulk sector transfer time", "a pass-through "
			    "controller moves no data itself");
			note(c, b, "Maximum queue length", "a pass-through "
			    "controller queues nothing");
			note(c, b, "Print stats", "DiskSim's statistics output");
			if (!all_read(c, b))
				return false;
		} else if (strcmp(b->type, "disksim_iodriver") == 0) {
			if (!only(c, b, "Constant access time", 0,
			    "a constant access time instead of the drive") ||
			    !integer(c, b, "Use queueing in subsystem", 1, 0, 1,
			    &v))
				return false;
			if (v == 0)
				p->queue_depth = 1;
			if (find(b, "Scheduler") != NULL) {
				if ((qb = sub_block(c, b, "Scheduler",
				    "disksim_ioqueue")) == NULL ||
				    !read_ioqueue(c, qb, true, &p->host_scheduler))
					return false;
			}
			note(c, b, "type", "DiskSim keeps it \"for "
			    "extensibility\": it selects nothing");
			if (!all_read(c, b))
				return false;
		}
	}
	return true;
}

bool
diskspecs_load(const char *path, struct disk_params *p, GError **err)
{
	return diskspecs_load_notes(path, p, NULL, err);
}

bool
diskspecs_load_notes(const char *path, struct disk_params *p, GPtrArray *notes,
    GError **err)
{
	struct ctx c;
	struct pblock *disk = NULL;
	const char *inst = NULL;
	double blktrans = 0, bus_r = 0, bus_w = 0;
	int64_t stated = 0;
	char *why = NULL;
	bool ok = false;
	guint i;
	GHashTableIter it;
	gpointer k, v;

	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	c.blocks = g_ptr_array_new();
	c.vals = g_ptr_array_new();
	c.top = g_ptr_array_new();
	c.topos = g_ptr_array_new();
	c.inst = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c.err = err;
	c.notes = notes;
	if (!parse_file(&c, path, NULL, NULL))
		goto out;

	/* The drive: the instantiated disk, else the file's only disk. */
	g_hash_table_iter_init(&it, c.inst);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct pblock *b = block_named(&c, v);

		if (b != NULL && strcmp(b->type, "disksim_disk") == 0) {
			if (disk != NULL && disk != b) {
				g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: more than one kind of disk is "
				    "instantiated; vfssim models one drive", path);
				goto out;
			}
			disk = b;
			if (inst == NULL || strcmp(k, inst) < 0)
				inst = k;
		}
	}
	for (i = 0; i < c.top->len && disk == NULL; i++) {
		struct pblock *b = g_ptr_array_index(c.top, i);

		if (strcmp(b->type, "disksim_disk") == 0)
			disk = b;
	}
	if (disk == NULL) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: no disksim_disk block", path);
		goto out;
	}
	if (!read_disk(&c, disk, p, &blktrans, &stated))
		goto out;
	if (inst != NULL && !read_path(&c, inst, p, &bus_r, &bus_w))
		goto out;
	/* A block crosses the bus at the slower of bus and drive. */
	p->bus_read_ns = MAX(bus_r, blktrans) * 1e6;
	p->bus_write_ns = MAX(bus_w, blktrans) * 1e6;
	if (!disk_params_finish(p, &why)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s",
		    disk->file, why);
		g_free(why);
		goto out;
	}
	/* (The stated Block count is noted: DiskSim addresses what the
	 * zones hold.) */
	(void)stated;
	ok = true;
out:
	ctx_free(&c);
	if (!ok)
		disk_params_free(p);
	return ok;
}
