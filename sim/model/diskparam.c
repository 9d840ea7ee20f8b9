/*
 * diskparam.c — DiskSim 4.0's parameter files as its libparam reads them:
 * the generic reader of blocks and values, knowing nothing of drives
 * (DiskSim keeps its loader, libparam, apart from the disk model that asks
 * it for values; so does vfssim: diskspecs.c reads a drive out of what
 * this file parses).
 *
 * A file is a sequence of blocks, "TYPE [NAME] { Key = value, ... }", where
 * a key is words and a value a number, a word, a list "[ v, v ]", a nested
 * block, or "source FILE" (the block that file defines).  At the top level
 * "source FILE" reads another file in place, "instantiate [ names ] as
 * BLOCK" makes devices of a block, and "topology TYPE NAME [ ... ]" wires
 * them: driver, bus, controller, bus, disk.  '#' starts a comment.  Every
 * parameter keeps its file and line, so that whatever is wrong with a
 * value is reported where it is written.
 */
#include "diskparam.h"
#include "kassert.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokens ---------------------------------------------------------------- */

struct lex {
	const char	*file;		/* interned */
	char		*dir;
	const char	*s, *text;
	int		 line;
	/* the current token */
	char		 punct;		/* { } [ ] , = or 0 for a word, -1 at end */
	char		*word;		/* a word, in words: kept with the context */
	size_t		 wlen;
	int		 tline;
	/* The file's text again, each word in it ended by a NUL where the
	 * text has the blank or punctuation that ends it (never part of a
	 * word): every word is a string in place, with no allocation or copy
	 * a token (a drive's files are read at the start of every run), and
	 * lives as long as the context; so does a key, its words joined in
	 * place (parse_params). */
	char		*words;
};

static void
lex_next(struct lex *lx)
{
	/* What ends a word: 1 a blank, 2 punctuation, 3 a comment, 4 the
	 * end (a table, not strchr for every character: a drive's files
	 * are read at the start of every run). */
	static const unsigned char cls[256] = {
	    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
	    ['{'] = 2, ['}'] = 2, ['['] = 2, [']'] = 2, [','] = 2, ['='] = 2,
	    ['#'] = 3, ['\0'] = 4,
	};
	const char *p;

	lx->word = NULL;
	for (;;) {
		while (cls[(unsigned char)*lx->s] == 1) {
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
	if (cls[(unsigned char)*lx->s] == 2) {
		lx->punct = *lx->s++;
		return;
	}
	p = lx->s;
	while (cls[(unsigned char)*p] == 0)
		p++;
	lx->word = lx->words + (lx->s - lx->text);
	lx->wlen = (size_t)(p - lx->s);
	lx->word[lx->wlen] = '\0';
	lx->punct = 0;
	lx->s = p;
}

static bool
syntax(struct lp_ctx *c, struct lex *lx, const char *what)
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

static bool parse_file(struct lp_ctx *c, const char *path, const char *from_dir,
	    struct pblock **only);
static bool parse_value(struct lp_ctx *c, struct lex *lx, struct pval **out);

/* A path named in a file: from that file's directory, else as given. */
char *
lp_resolve(const char *dir, const char *path)
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
new_block(struct lp_ctx *c, struct lex *lx, char *type, char *name)
{
	struct pblock *b = g_new0(struct pblock, 1);

	b->type = type;		/* both in a file's words */
	b->name = name;
	b->params = g_ptr_array_new();
	b->file = lx->file;
	b->line = lx->tline;
	g_ptr_array_add(c->blocks, b);
	return b;
}

/* One of LP_SLAB zeroed objects of a size allocated together (a drive's
 * files make some 500 values and 120 parameters, each one a malloc and a
 * free before), all freed with the context. */
static void *
slab_take(GPtrArray *slabs, int *left, size_t size)
{
	char *s;

	if (*left == 0) {
		g_ptr_array_add(slabs, g_malloc0(size * LP_SLAB));
		*left = LP_SLAB;
	}
	s = g_ptr_array_index(slabs, slabs->len - 1);
	return s + size * (size_t)(LP_SLAB - (*left)--);
}

/* After "TYPE [NAME] {": the parameters up to "}". */
static bool
parse_params(struct lp_ctx *c, struct lex *lx, struct pblock *b)
{
	for (;;) {
		struct pparam *pp;
		char *key;
		size_t klen;
		int line;

		if (lx->punct == '}') {
			lex_next(lx);
			return true;
		}
		if (lx->punct != 0)
			return syntax(c, lx, "a parameter name or '}'");
		/* The key's words joined by single blanks in place, from its
		 * first word on: each next word lies past the one before's
		 * NUL, so the joined key never reaches past the last word
		 * (what lies between, blanks or a comment, is the original's
		 * alone: the copy holds only words). */
		line = lx->tline;
		key = lx->word;
		klen = lx->wlen;
		lex_next(lx);
		while (lx->punct == 0) {
			key[klen++] = ' ';
			memmove(key + klen, lx->word, lx->wlen);
			klen += lx->wlen;
			key[klen] = '\0';
			lex_next(lx);
		}
		if (lx->punct != '=')
			return syntax(c, lx, "'=' after a parameter name");
		lex_next(lx);
		pp = slab_take(c->pslabs, &c->pleft, sizeof(*pp));
		pp->key = key;
		pp->klen = klen;
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
new_val(struct lp_ctx *c, struct lex *lx, enum pv_kind k)
{
	struct pval *v = slab_take(c->vslabs, &c->vleft, sizeof(*v));

	v->kind = k;
	v->file = lx->file;
	v->line = lx->tline;
	return v;
}

/*
 * A plain decimal, [+-]digits[.digits] with at most 15 digits in all, as
 * a double without strtod: the digits as a whole number m < 10^15 < 2^53
 * and the k digits after the point, k <= 15, make m and 10^k both exact
 * doubles, so m / 10^k, one IEEE division, is the correctly rounded value
 * strtod returns (Clinger's fast path; this needs double arithmetic
 * without extended precision, FLT_EVAL_METHOD 0, as on x86-64).  *end is
 * where the digits stop.  False: no digits, or more than 15.
 */
static bool
plain_num(const char *w, const char **end, double *out)
{
	static const double p10[16] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *p = w;
	bool neg = false, point = false;
	uint64_t m = 0;
	int digits = 0, k = 0;
	double v;

	G_STATIC_ASSERT(FLT_EVAL_METHOD == 0);
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			if (++digits > 15)
				return false;
			m = m * 10 + (uint64_t)(*p - '0');
			k += point;
		} else if (*p == '.' && !point)
			point = true;
		else
			break;
	}
	if (digits == 0)
		return false;
	v = (double)m / p10[k];
	*out = neg ? -v : v;
	*end = p;
	return true;
}

double
lp_strtod(const char *s, char **end)
{
	const char *p = s, *e;
	double v;

	while (g_ascii_isspace(*p))
		p++;
	/* Where strtod could read on (an exponent, hex's x, a second
	 * point), it is left to read the whole. */
	if (plain_num(p, &e, &v) && *e != '.' && *e != 'e' && *e != 'E' &&
	    *e != 'x' && *e != 'X') {
#ifdef INVARIANTS
		char *de;
		double d = g_ascii_strtod(s, &de);

		KASSERT(de == e && memcmp(&d, &v, sizeof(d)) == 0,
		    ("lp_strtod: \"%s\" read as %.17g to %td, strtod %.17g "
		    "to %td", s, v, e - s, d, de - s));
#endif
		*end = (char *)(uintptr_t)e;
		return v;
	}
	return g_ascii_strtod(s, end);
}

bool
lp_word_num(const char *w, double *out)
{
	char *end;

	*out = lp_strtod(w, &end);
	return end != w && *end == '\0' && isfinite(*out);
}

/* The most names one range may make, and all of a file's ranges
 * together: DiskSim's arrays of disks have tens; a range of billions, or
 * a file of a million ranges of thousands, would only exhaust memory. */
#define	LP_RANGE_MAX	65536
#define	LP_RANGE_NAMES	(1 << 20)

/*
 * A name as DiskSim's libparam splits it for a range (dumb_split): its
 * trailing digits a number, what comes before them the stem (*stem_len
 * bytes).  libparam looks for the stem's end from the last character
 * back to the second, and refuses a name whose stem is one character or
 * none (d7, 12, x).  (No trailing digits: the number is 0, the stem the
 * whole name -- libparam's atoi of nothing.)
 */
static bool
range_split(const char *w, size_t *stem_len, long *num)
{
	size_t n = strlen(w), i = n;

	while (i > 1 && g_ascii_isdigit(w[i - 1]))
		i--;
	if (i <= 1)
		return false;
	/* more digits than a long holds: no end of a range either */
	if (n - i > 9)
		return false;
	*stem_len = i;
	*num = i < n ? strtol(w + i, NULL, 10) : 0;
	return true;
}

/*
 * "FROM .. TO" in a list (libparam's DOTDOT, in a list's items or an
 * instantiate's names): the names stem<a> to stem<b>, where FROM is
 * stem<a> and TO stem<b> (disk0 .. disk17: eighteen disks).  Each name is
 * made as libparam makes it, TO's stem and the number in decimal; it
 * lives with the context.  A range whose stems differ or that runs
 * backwards is refused, as libparam refuses it ("bad lex range").
 */
static bool
expand_range(struct lp_ctx *c, struct lex *lx, const char *from,
    const char *to, int line, GPtrArray *names)
{
	size_t s1, s2;
	long a, b, i;

	if (!range_split(from, &s1, &a) || !range_split(to, &s2, &b) ||
	    s1 != s2 || strncmp(from, to, s1) != 0 || b < a ||
	    b - a >= LP_RANGE_MAX) {
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s:%d: \"%.50s .. %.50s\" is no range of names (one stem "
		    "of two characters or more, numbers rising, at most %d "
		    "names)", lx->file, line, from, to, LP_RANGE_MAX);
		return false;
	}
	c->range_names += b - a + 1;
	if (c->range_names > LP_RANGE_NAMES) {
		g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s:%d: more than %d names made by ranges", lx->file, line,
		    LP_RANGE_NAMES);
		return false;
	}
	for (i = a; i <= b; i++) {
		char *name = g_strdup_printf("%.*s%ld", (int)s2, to, i);

		g_ptr_array_add(c->texts, name);
		g_ptr_array_add(names, name);
	}
	return true;
}

/* Is the current token the ".." of a range? */
static bool
at_dotdot(const struct lex *lx)
{
	return lx->punct == 0 && strcmp(lx->word, "..") == 0;
}

static bool parse_word_value(struct lp_ctx *c, struct lex *lx, char *first,
    int line, struct pval **out);

/* A list's item: a value, or a range of names (expand_range), each name
 * an item. */
static bool
parse_list_item(struct lp_ctx *c, struct lex *lx, GPtrArray *items)
{
	struct pval *item;
	char *first;
	int line;

	if (lx->punct != 0 || strcmp(lx->word, "source") == 0) {
		if (!parse_value(c, lx, &item))
			return false;
		g_ptr_array_add(items, item);
		return true;
	}
	first = lx->word;
	line = lx->tline;
	lex_next(lx);
	if (at_dotdot(lx)) {
		GPtrArray *names = g_ptr_array_new();
		bool ok;
		guint i;

		lex_next(lx);
		if (lx->punct != 0) {
			g_ptr_array_free(names, TRUE);
			return syntax(c, lx, "a name after '..'");
		}
		ok = expand_range(c, lx, first, lx->word, line, names);
		for (i = 0; ok && i < names->len; i++) {
			item = new_val(c, lx, PV_WORD);
			item->line = line;
			item->word = g_ptr_array_index(names, i);
			g_ptr_array_add(items, item);
		}
		g_ptr_array_free(names, TRUE);
		if (ok)
			lex_next(lx);
		return ok;
	}
	if (!parse_word_value(c, lx, first, line, &item))
		return false;
	g_ptr_array_add(items, item);
	return true;
}

static bool
parse_value(struct lp_ctx *c, struct lex *lx, struct pval **out)
{
	struct pval *v;

	if (lx->punct == '[') {
		v = new_val(c, lx, PV_LIST);
		v->items = g_ptr_array_new();
		lex_next(lx);
		while (lx->punct != ']') {
			if (!parse_list_item(c, lx, v->items))
				return false;
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
		char *first = lx->word;
		int line = lx->tline;

		lex_next(lx);
		return parse_word_value(c, lx, first, line, out);
	}
}

/* After a value's first word (`first`, at line): a block "TYPE [NAME] {",
 * else the word itself, a number or not. */
static bool
parse_word_value(struct lp_ctx *c, struct lex *lx, char *first, int line,
    struct pval **out)
{
	struct pval *v;

	if (lx->punct == '{' || lx->punct == 0) {
		char *name = NULL;

		if (lx->punct == 0) {
			/* TYPE NAME { */
			name = lx->word;
			lex_next(lx);
			if (lx->punct != '{')
				return syntax(c, lx, "'{' after a block's type and name");
		}
		v = new_val(c, lx, PV_BLOCK);
		v->line = line;
		v->block = new_block(c, lx, first, name);
		v->block->line = line;
		lex_next(lx);
		*out = v;
		return parse_params(c, lx, v->block);
	}
	v = new_val(c, lx, PV_WORD);
	v->line = line;
	v->word = first;
	if (lp_word_num(first, &v->num))
		v->kind = PV_NUM;
	*out = v;
	return true;
}

static bool
parse_topo(struct lp_ctx *c, struct lex *lx, struct topo *parent, struct topo **out)
{
	struct topo *t = g_new0(struct topo, 1);

	t->kids = g_ptr_array_new();
	t->parent = parent;
	*out = t;
	if (lx->punct != 0)
		return syntax(c, lx, "a device type in the topology");
	t->type = lx->word;
	lex_next(lx);
	if (lx->punct != 0)
		return syntax(c, lx, "a device name in the topology");
	t->name = lx->word;
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

/* "instantiate [ NAMES ] as BLOCK": each name, or each of a range of
 * them (expand_range), an instance of the block.  The names are words and
 * range names the context keeps. */
static bool
parse_instantiate(struct lp_ctx *c, struct lex *lx)
{
	GPtrArray *names = g_ptr_array_new();
	bool ok = false;
	guint i;

	lex_next(lx);
	if (lx->punct != '[') {
		(void)syntax(c, lx, "'[' after instantiate");
		goto out;
	}
	lex_next(lx);
	while (lx->punct == 0 || lx->punct == ',') {
		if (at_dotdot(lx)) {
			/* from the name before it to the name after it */
			char *from = names->len > 0 ?
			    g_ptr_array_steal_index(names, names->len - 1) : NULL;
			int line = lx->tline;

			lex_next(lx);
			if (from == NULL || lx->punct != 0) {
				(void)syntax(c, lx, "a range's names around '..'");
				goto out;
			}
			if (!expand_range(c, lx, from, lx->word, line, names))
				goto out;
		} else if (lx->punct == 0)
			g_ptr_array_add(names, lx->word);
		lex_next(lx);
	}
	if (lx->punct != ']') {
		(void)syntax(c, lx, "']' closing the instances");
		goto out;
	}
	lex_next(lx);
	if (lx->punct != 0 || strcmp(lx->word, "as") != 0) {
		(void)syntax(c, lx, "\"as\" after the instances");
		goto out;
	}
	lex_next(lx);
	if (lx->punct != 0) {
		(void)syntax(c, lx, "a block name after as");
		goto out;
	}
	for (i = 0; i < names->len; i++)
		g_hash_table_insert(c->inst, g_strdup(g_ptr_array_index(names, i)),
		    g_strdup(lx->word));
	lex_next(lx);
	ok = true;
out:
	g_ptr_array_free(names, TRUE);
	return ok;
}

/* The top level of a file.  With only != NULL the file must define
 * exactly one block, which is returned (a "source" value). */
static bool
parse_top(struct lp_ctx *c, struct lex *lx, struct pblock **only)
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
			if (!parse_instantiate(c, lx))
				return false;
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
parse_file(struct lp_ctx *c, const char *name, const char *from_dir,
    struct pblock **only)
{
	struct lex lx;
	char *path = lp_resolve(from_dir, name), *text = NULL;
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
	lx.s = lx.text = text;
	lx.line = 1;
	lx.words = g_memdup2(text, len + 1);
	g_ptr_array_add(c->texts, lx.words);
	ok = parse_top(c, &lx, only);
	g_free(lx.dir);
	g_free(text);
	g_free(path);
	c->depth--;
	return ok;
}

void
lp_ctx_init(struct lp_ctx *c, GError **err, GPtrArray *notes)
{
	memset(c, 0, sizeof(*c));
	c->blocks = g_ptr_array_new();
	c->vslabs = g_ptr_array_new_with_free_func(g_free);
	c->pslabs = g_ptr_array_new_with_free_func(g_free);
	c->top = g_ptr_array_new();
	c->topos = g_ptr_array_new();
	c->inst = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->texts = g_ptr_array_new_with_free_func(g_free);
	c->err = err;
	c->notes = notes;
}

bool
lp_read(struct lp_ctx *c, const char *path)
{
	return parse_file(c, path, NULL, NULL);
}

static void
topo_free(struct topo *t)
{
	guint i;

	for (i = 0; i < t->kids->len; i++)
		topo_free(g_ptr_array_index(t->kids, i));
	g_ptr_array_free(t->kids, TRUE);
	g_free(t);
}

void
lp_ctx_free(struct lp_ctx *c)
{
	guint i, j;

	for (i = 0; i < c->blocks->len; i++) {
		struct pblock *b = g_ptr_array_index(c->blocks, i);

		g_ptr_array_free(b->params, TRUE);
		g_free(b);
	}
	for (i = 0; i < c->vslabs->len; i++)
		for (j = 0; j < LP_SLAB; j++) {
			struct pval *v = (struct pval *)
			    g_ptr_array_index(c->vslabs, i) + j;

			if (v->items != NULL)
				g_ptr_array_free(v->items, TRUE);
		}
	for (i = 0; i < c->topos->len; i++)
		topo_free(g_ptr_array_index(c->topos, i));
	g_ptr_array_free(c->blocks, TRUE);
	g_ptr_array_free(c->vslabs, TRUE);
	g_ptr_array_free(c->pslabs, TRUE);
	g_ptr_array_free(c->top, TRUE);
	g_ptr_array_free(c->topos, TRUE);
	g_hash_table_destroy(c->inst);
	g_ptr_array_free(c->texts, TRUE);
}

/* ---- reading parameters --------------------------------------------------- */

struct pparam *
lp_find(struct pblock *b, const char *key)
{
	guint i;

	size_t n = strlen(key);

	/* (The length first: strcmp only on the key of the same length,
	 * nearly always the one.) */
	for (i = 0; i < b->params->len; i++) {
		struct pparam *pp = g_ptr_array_index(b->params, i);

		if (pp->klen == n && memcmp(pp->key, key, n) == 0) {
			pp->used = true;
			return pp;
		}
	}
	return NULL;
}

bool
lp_perr(struct lp_ctx *c, struct pblock *b, struct pparam *pp, const char *fmt, ...)
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
bool
lp_num(struct lp_ctx *c, struct pblock *b, const char *key, double dflt, double *out)
{
	struct pparam *pp = lp_find(b, key);

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
		return lp_perr(c, b, pp, "expected a number");
	*out = pp->v->num;
	return true;
}

bool
lp_integer(struct lp_ctx *c, struct pblock *b, const char *key, double dflt,
    double lo, double hi, int64_t *out)
{
	double v;

	if (!lp_num(c, b, key, dflt, &v))
		return false;
	if (v != floor(v) || v < lo || v > hi)
		return lp_perr(c, b, lp_find(b, key), "expected a whole number from "
		    "%.0f to %.0f", lo, hi);
	*out = (int64_t)v;
	return true;
}

bool
lp_ms(struct lp_ctx *c, struct pblock *b, const char *key, double dflt, double scale,
    sim_time_t *out)
{
	double v;

	if (!lp_num(c, b, key, dflt, &v))
		return false;
	if (v < 0)
		return lp_perr(c, b, lp_find(b, key), "a time must not be negative");
	*out = (sim_time_t)llround(v * scale * 1e6);
	return true;
}

/* A time that may be negative (DiskSim tests no sign), within a second. */
bool
lp_ms_signed(struct lp_ctx *c, struct pblock *b, const char *key, double dflt,
    sim_time_t *out)
{
	double v;

	if (!lp_num(c, b, key, dflt, &v))
		return false;
	if (fabs(v) > 1000)
		return lp_perr(c, b, lp_find(b, key), "more than a second either way");
	*out = (sim_time_t)llround(v * 1e6);
	return true;
}

bool
lp_flag(struct lp_ctx *c, struct pblock *b, const char *key, double dflt, bool *out)
{
	int64_t v;

	if (!lp_integer(c, b, key, dflt, 0, 1, &v))
		return false;
	*out = v != 0;
	return true;
}

/* A parameter vfssim accepts only at the value it models. */
bool
lp_only(struct lp_ctx *c, struct pblock *b, const char *key, double want,
    const char *why)
{
	struct pparam *pp = lp_find(b, key);

	if (pp == NULL)
		return true;
	if (pp->v->kind != PV_NUM || pp->v->num != want)
		return lp_perr(c, b, pp, "not supported: %s (only %g is)", why, want);
	return true;
}

/*
 * A parameter read and ignored: it cannot change a result (DiskSim's own
 * statistics and the like), or changes one only in a case that cannot
 * arise here.  Noted, with why, for vfssim disk --explain.
 */
void
lp_note(struct lp_ctx *c, struct pblock *b, const char *key, const char *why)
{
	struct pparam *pp = lp_find(b, key);

	if (pp == NULL || c->notes == NULL)
		return;
	g_ptr_array_add(c->notes, g_strdup_printf("%s:%d: %s = %s: %s", b->file,
	    pp->line, pp->key, pp->v->kind == PV_NUM || pp->v->kind == PV_WORD ?
	    pp->v->word : "[...]", why));
}

/* Every parameter of a block, read and ignored for one reason. */
void
lp_note_all(struct lp_ctx *c, struct pblock *b, const char *why)
{
	guint i;

	for (i = 0; i < b->params->len; i++) {
		struct pparam *pp = g_ptr_array_index(b->params, i);

		if (!pp->used)
			lp_note(c, b, pp->key, why);
	}
}

struct pblock *
lp_sub_block(struct lp_ctx *c, struct pblock *b, const char *key, const char *type)
{
	struct pparam *pp = lp_find(b, key);
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
		lp_perr(c, b, pp, "expected a %s block", type);
		return NULL;
	}
	if (strcmp(sb->type, type) != 0) {
		lp_perr(c, b, pp, "a %s is not supported (a %s is)", sb->type, type);
		return NULL;
	}
	return sb;
}

/* Every parameter of a block the drive is made of must have been read. */
bool
lp_all_read(struct lp_ctx *c, struct pblock *b)
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

struct topo *
lp_topo_find(struct topo *t, const char *name)
{
	guint i;

	if (strcmp(t->name, name) == 0)
		return t;
	for (i = 0; i < t->kids->len; i++) {
		struct topo *f = lp_topo_find(g_ptr_array_index(t->kids, i), name);

		if (f != NULL)
			return f;
	}
	return NULL;
}

struct pblock *
lp_block_named(struct lp_ctx *c, const char *name)
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
struct pblock *
lp_instance_block(struct lp_ctx *c, const char *inst)
{
	const char *bname = g_hash_table_lookup(c->inst, inst);

	return bname != NULL ? lp_block_named(c, bname) : NULL;
}

