/*
 * driver.c — a harness without libFuzzer: each input named (a file, or
 * every file of a directory, in name order) is handed once to
 * LLVMFuzzerTestOneInput.  `make check` runs every harness over its corpus
 * this way under the sanitizer build, so the seeds and every finding kept
 * as a regression input stay clean without clang.
 *
 *	build/check/fuzz/NAME tests/fuzz/corpus/NAME...
 */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>

/* A harness with nothing to set up has no LLVMFuzzerInitialize. */
int	LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static gint
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
one(const char *path)
{
	char *data = NULL;
	gsize len = 0;
	GError *err = NULL;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		return 1;
	}
	(void)LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	g_free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned n = 0;
	int i, bad = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			GDir *d = g_dir_open(argv[i], 0, NULL);
			GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
			const char *nm;
			guint k;

			while (d != NULL && (nm = g_dir_read_name(d)) != NULL)
				g_ptr_array_add(names, g_build_filename(argv[i], nm,
				    NULL));
			if (d != NULL)
				g_dir_close(d);
			g_ptr_array_sort(names, by_name);
			for (k = 0; k < names->len; k++, n++)
				bad |= one(g_ptr_array_index(names, k));
			g_ptr_array_free(names, TRUE);
		} else {
			bad |= one(argv[i]);
			n++;
		}
	}
	printf("%s: %u inputs, none broke a promise\n", argv[0], n);
	return bad;
}
