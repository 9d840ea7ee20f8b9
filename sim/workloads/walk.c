/*
 * walk.c — the tree that tree, tar and find work on, walked depth first
 * in constant memory per level (no list of the tree is ever built).
 */
#include "workload.h"

#include <math.h>
#include <string.h>

/* A tree beyond this many entries is a typo, not a workload. */
#define WALK_MAX_ENTRIES	100000000ULL

void
walk_init(struct walk *w, const char *root, int depth, int fanout, int files)
{
	memset(w, 0, sizeof(*w));
	w->depth = depth;
	w->fanout = fanout;
	w->files = files;
	w->path = g_string_new(root);
	w->level = 0;
	w->fidx = g_new0(int, depth + 1);
	w->didx = g_new0(int, depth + 1);
	w->plen = g_new0(size_t, depth + 1);
	w->plen[0] = w->path->len;
}

void
walk_free(struct walk *w)
{
	if (w->path != NULL)
		g_string_free(w->path, TRUE);
	g_free(w->fidx);
	g_free(w->didx);
	g_free(w->plen);
	memset(w, 0, sizeof(*w));
}

enum walk_ev
walk_next(struct walk *w)
{
	int l;

	if (!w->started) {
		w->started = true;
		return WALK_ENTER;	/* the root */
	}
	if (w->level < 0)
		return WALK_END;
	l = w->level;
	g_string_truncate(w->path, w->plen[l]);
	if (w->fidx[l] < w->files) {
		g_string_append_printf(w->path, "/f%d", w->fidx[l]++);
		w->file = w->nfiles++;
		return WALK_FILE;
	}
	if (l < w->depth && w->didx[l] < w->fanout) {
		g_string_append_printf(w->path, "/d%d", w->didx[l]++);
		w->level = ++l;
		w->plen[l] = w->path->len;
		w->fidx[l] = w->didx[l] = 0;
		return WALK_ENTER;
	}
	/* Everything in it done: leave it (path is the directory's). */
	w->level--;
	return WALK_LEAVE;
}

int
walk_entries(const struct walk *w)
{
	return w->files + (w->level < w->depth ? w->fanout : 0);
}

uint64_t
walk_ndirs(int depth, int fanout)
{
	uint64_t n = 0, level = 1;
	int i;

	for (i = 0; i <= depth; i++) {
		n += level;
		level *= (uint64_t)fanout;
	}
	return n;
}

int64_t
walk_file_size(uint64_t seed, uint64_t file, int64_t mean)
{
	if (mean <= 0)
		return 0;
	return llround(-(double)mean * log1p(-gen_hash_unit(seed, file)));
}

bool
walk_check(struct ginst *gi, int64_t depth, int64_t fanout, int64_t files)
{
	double dirs = 0, level = 1;
	int64_t i;

	if (gen_failed(gi))
		return false;
	if (depth > 30 || fanout > 100000 || files > 1000000 ||
	    (depth > 0 && fanout == 0)) {
		gen_fail(gi, "need depth <= 30, 1 <= fanout <= 100000 (when "
		    "depth > 0) and files <= 1000000");
		return false;
	}
	for (i = 0; i <= depth; i++) {
		dirs += level;
		level *= (double)fanout;
	}
	if (dirs * (double)(files + 1) > (double)WALK_MAX_ENTRIES) {
		gen_fail(gi, "a tree of %.3g entries is too large (at most %llu)",
		    dirs * (double)(files + 1), (unsigned long long)WALK_MAX_ENTRIES);
		return false;
	}
	return true;
}
