/*
 * cmd_fs.c — vfssim fs: the starting file system a replay of a trace
 * would begin from, printed in the form --fs-manifest reads.
 *
 *	vfssim fs TRACE|--gen NAME [--param KEY=VALUE]... [--profile F]
 *	    [--set KEY=VALUE]... [--fs-manifest FILE] [--evidence]
 *
 * One entry a line, TYPE<tab>SIZE<tab>PATH (f, d, l), sorted by path: what
 * find DIR -printf '%y\t%s\t%p\n' writes, so a user can compare the two,
 * edit the list and give it back with --fs-manifest.  With --fs-manifest,
 * the list a run would use, and where the trace disagrees with the
 * listing, as comments.
 */
#include "cmd.h"
#include "batch.h"
#include "fsmanifest.h"
#include "prepass.h"
#include "profile.h"
#include "trace.h"
#include "workload.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

static int
cmp_path(gconstpointer a, gconstpointer b)
{
	const struct initial_file *x = *(struct initial_file *const *)a;
	const struct initial_file *y = *(struct initial_file *const *)b;

	return strcmp(x->path, y->path);
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A path as a comment can show it: C escapes for what is not printable. */
static char *
shown(const char *path)
{
	return g_strescape(path, NULL);
}

static void
print_list(const struct prepass *pp, const char *trace, bool evidence)
{
	GPtrArray *sorted = g_ptr_array_new();
	guint i, unlistable = 0;

	for (i = 0; i < pp->files->len; i++)
		g_ptr_array_add(sorted, &g_array_index(pp->files,
		    struct initial_file, i));
	g_ptr_array_sort(sorted, cmp_path);
	printf("# the starting file system of %s (vfssim fs%s): "
	    "TYPE<tab>SIZE<tab>PATH\n", trace, pp->manifest != NULL ?
	    ", with --fs-manifest" : "");
	for (i = 0; i < sorted->len; i++) {
		const struct initial_file *f = g_ptr_array_index(sorted, i);
		int64_t size = f->size;

		if (strchr(f->path, '\n') != NULL) {
			char *s = shown(f->path);

			/* find prints such a name raw, on two lines; it cannot
			 * be given back in this form */
			printf("# not listable (a newline in its name): %s\n", s);
			g_free(s);
			unlistable++;
			continue;
		}
		/* a link's size is its target's length, as find's */
		if (f->symlink != NULL)
			size = (int64_t)strlen(f->symlink);
		else if (f->link_of >= 0)
			size = (int64_t)strlen(g_array_index(pp->files,
			    struct initial_file, f->link_of).path);
		if (evidence)
			printf("# %s, line %llu\n", f->evidence != NULL ?
			    f->evidence : "?", (unsigned long long)f->line);
		if (evidence && (f->symlink != NULL || f->link_of >= 0)) {
			/* where the link leads, on one line whatever it holds */
			char *to = shown(f->symlink != NULL ? f->symlink :
			    g_array_index(pp->files, struct initial_file,
			    f->link_of).path);

			printf("#   (to %s)\n", to);
			g_free(to);
		}
		printf("%c\t%lld\t%s\n", initial_file_type(f), (long long)size,
		    f->path);
	}
	{
		/* directories reached by two names: one, under -y's name */
		GPtrArray *keys = g_ptr_array_new();
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, pp->dir_alias);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(keys, k);
		g_ptr_array_sort(keys, cmp_str);
		for (i = 0; i < keys->len; i++) {
			char *a = shown(g_ptr_array_index(keys, i));
			char *b = shown(g_hash_table_lookup(pp->dir_alias,
			    g_ptr_array_index(keys, i)));

			printf("# directory %s is %s (a symbolic link, seen "
			    "through -y)\n", a, b);
			g_free(a);
			g_free(b);
		}
		g_ptr_array_free(keys, TRUE);
	}
	for (i = 0; i < pp->notes->len; i++) {
		const struct fs_note *n = &g_array_index(pp->notes, struct fs_note, i);
		char *s = shown(n->path);

		printf("# disagrees: %s: %s (the trace: %s, line %llu)%s\n", s,
		    n->what, n->evidence != NULL ? n->evidence : "?",
		    (unsigned long long)n->line, n->type == '-' ?
		    "; not made" : "");
		g_free(s);
	}
	if (pp->manifest != NULL)
		printf("# %u disagreements with %s\n", pp->notes->len,
		    pp->manifest);
	if (unlistable > 0)
		fprintf(stderr, "vfssim fs: %u names with a newline left out "
		    "(shown as comments)\n", unlistable);
	g_ptr_array_free(sorted, TRUE);
}

int
cmd_fs(int argc, char **argv)
{
	char *prof_file = NULL, *gen = NULL, *manifest = NULL, *name = NULL;
	char **sets = NULL, **params = NULL, **pt = NULL;
	gboolean evidence = FALSE;
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Machine and policy profile (INI): replay.passthrough", "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a profile key (repeatable)", "KEY=VALUE" },
		{ "gen", 'g', 0, G_OPTION_ARG_STRING, &gen,
		  "A generator's calls instead of a TRACE", "NAME" },
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A parameter of the --gen generator (repeatable)", "KEY=VALUE" },
		{ "fs-manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest,
		  "A listing of the real files (find DIR -printf "
		  "'%y\\t%s\\t%p\\n'): print what a run would start from, and "
		  "where the trace disagrees with it", "FILE" },
		{ "evidence", 'e', 0, G_OPTION_ARG_NONE, &evidence,
		  "Before each entry, a comment saying what in the trace "
		  "decided it", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - the starting file "
	    "system a replay of TRACE begins from");
	struct batch_source src;
	struct batch_gen gs;
	struct trace_reader *rd;
	struct profile *prof = NULL;
	struct prepass *pp = NULL;
	struct fs_manifest *m = NULL;
	GError *err = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "Prints one entry a line, TYPE<tab>SIZE<tab>PATH (f a file, d a "
	    "directory,\nl another name for a file, seen through -y), sorted "
	    "by path: what\n  find DIR -printf '%y\\t%s\\t%p\\n'\n"
	    "writes, and what --fs-manifest reads. Lines starting with # are "
	    "comments.");
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != (gen != NULL ? 1 : 2) || (params != NULL && gen == NULL)) {
		fprintf(stderr, "vfssim fs: expected one TRACE, or --gen NAME "
		    "(see vfssim fs --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	prof = cmd_build_profile(prof_file, sets, -1, &err);
	if (prof == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (manifest != NULL && (m = fs_manifest_read(manifest, &err)) == NULL) {
		rc = cmd_fail(err, cmd_code_of(err));
		goto out;
	}
	if (gen != NULL) {
		src.trace = NULL;
		src.gen = gen;
		src.params = params;
		gs.src = &src;
		gs.seed = (uint64_t)profile_int(prof, "replay", "seed");
		name = batch_gen_trace_name(gen, params, gs.seed);
		rd = batch_open_gen(&gs, &err);
	} else {
		name = g_strdup(argv[1]);
		rd = trace_open(argv[1], &err);
	}
	pt = g_strsplit(profile_str(prof, "replay", "passthrough"), ":", -1);
	if (rd == NULL || (pp = prepass_read(rd, name, pt, NULL, 0, &err)) == NULL) {
		rc = cmd_fail(err, cmd_code_of(err));
		goto out;
	}
	if (m != NULL)
		fs_manifest_apply(pp, m);
	print_list(pp, name, evidence);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "vfssim fs: writing the list failed\n");
		rc = 1;
	}
out:
	prepass_free(pp);
	fs_manifest_free(m);
	profile_free(prof);
	g_option_context_free(ctx);
	g_strfreev(pt);
	g_strfreev(sets);
	g_strfreev(params);
	g_free(prof_file);
	g_free(gen);
	g_free(manifest);
	g_free(name);
	return rc;
}
