/*
 * fuzzlib.c — the harnesses' files, and reading a trace through (see
 * fuzz.h).
 */
#include "fuzz.h"
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir;		/* made once, emptied before each input */
static char *last;		/* the last path handed out */

static void
remove_dir(void)
{
	GDir *d;
	const char *n;

	if (dir == NULL)
		return;
	if ((d = g_dir_open(dir, 0, NULL)) != NULL) {
		while ((n = g_dir_read_name(d)) != NULL) {
			char *p = g_build_filename(dir, n, NULL);

			unlink(p);
			g_free(p);
		}
		g_dir_close(d);
	}
	rmdir(dir);
	g_free(dir);
	g_free(last);
	dir = last = NULL;
}

const char *
fuzz_begin(void)
{
	GDir *d;
	const char *n;

	if (dir == NULL) {
		/* /dev/shm: memory, no disk I/O between executions */
		if (g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) &&
		    access("/dev/shm", W_OK) == 0) {
			char *t = g_strdup("/dev/shm/vfssim-fuzz-XXXXXX");

			dir = g_mkdtemp(t);
			if (dir == NULL)
				g_free(t);
		}
		if (dir == NULL)
			dir = g_dir_make_tmp("vfssim-fuzz-XXXXXX", NULL);
		if (dir == NULL)
			fuzz_fail("cannot make a directory for the inputs");
		atexit(remove_dir);
		return dir;
	}
	if ((d = g_dir_open(dir, 0, NULL)) != NULL) {
		while ((n = g_dir_read_name(d)) != NULL) {
			char *p = g_build_filename(dir, n, NULL);

			unlink(p);
			g_free(p);
		}
		g_dir_close(d);
	}
	return dir;
}

const char *
fuzz_file(const char *name, const void *data, size_t n)
{
	FILE *f;

	g_free(last);
	last = g_build_filename(dir != NULL ? dir : fuzz_begin(), name, NULL);
	f = fopen(last, "wb");
	if (f == NULL || (n > 0 && fwrite(data, 1, n, f) != n) || fclose(f) != 0)
		fuzz_fail("cannot write %s", last);
	return last;
}

char *
fuzz_path(const char *name)
{
	return g_build_filename(dir != NULL ? dir : fuzz_begin(), name, NULL);
}

void
fuzz_split(const uint8_t *data, size_t size, const uint8_t **part,
    size_t *len, unsigned max, unsigned *n)
{
	size_t start = 0, i;

	*n = 0;
	for (i = 0; i + 4 <= size && *n + 1 < max; i++) {
		/* "\n--\n": a line "--" */
		if (memcmp(data + i, "\n--\n", 4) == 0) {
			part[*n] = data + start;
			len[*n] = i + 1 - start;
			(*n)++;
			start = i + 4;
			i += 3;
		}
	}
	part[*n] = data + start;
	len[*n] = size - start;
	(*n)++;
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("vfssim fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void
fuzz_read_trace(const char *path)
{
	GError *err = NULL;
	struct trace_reader *r = trace_open(path, &err);
	struct trace_call tc, back;
	GString *line;
	int rc;

	if (r == NULL) {
		g_error_free(err);
		return;
	}
	line = g_string_new("");
	trace_call_init(&tc);
	trace_call_init(&back);
	while ((rc = trace_read(r, &tc, &err)) == 1) {
		GError *perr = NULL;

		g_string_truncate(line, 0);
		native_format_call(line, &tc);
		if (line->len == 0 || line->str[line->len - 1] != '\n')
			fuzz_fail("record of line %llu formats to no line",
			    (unsigned long long)tc.line);
		if (native_parse_line(line->str, line->len - 1, &back, &perr) != 1)
			fuzz_fail("line %llu: the native line \"%s\" does not parse "
			    "back: %s", (unsigned long long)tc.line, line->str,
			    perr != NULL ? perr->message : "a comment");
		back.line = tc.line;
		if (!trace_call_equal(&tc, &back))
			fuzz_fail("line %llu: the native line \"%s\" reads back as "
			    "another record", (unsigned long long)tc.line, line->str);
	}
	if (rc < 0)
		g_error_free(err);
	trace_call_free(&tc);
	trace_call_free(&back);
	g_string_free(line, TRUE);
	trace_close(r);
}
