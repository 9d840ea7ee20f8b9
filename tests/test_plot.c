/*
 * Unit tests of what text may reach gnuplot: plot_gp_quote, the single
 * function every string of a plot script goes through, and plot_data_str,
 * every string of a data file.  Hostile strings (quotes, backslashes,
 * newlines, system(), backquotes, @ macros, bytes that are not UTF-8) come
 * out as one string expression of quoted pieces; gnuplot itself reads
 * each back as exactly the text it stands for, and nothing runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plot_private.h"

static const char *const hostile[] = {
	"plain",
	"x\" . system('touch PWNED') #",
	"x' . system('touch PWNED') . '",
	"''' . system(\"touch PWNED\") . '''",
	"'''x'",
	"a''''b' . system('touch PWNED') . '",
	"'",
	"back\\slash\\",
	"ends in a backslash \\",
	"new\nline; system('touch PWNED')",
	"cr\rlf\r\n",
	"`touch PWNED`",
	"@m @@ @x",
	"semi; colon # hash",
	"\x01\x02\x1b[31m\x7f",
	"not utf-8: \xff\xfe\xc3",
	"überschrift µs 日本",
	"{braces}^_ and \\n",
	"",
};

/* The text a quoted expression stands for: single-quoted pieces with no
 * quote inside, joined by  . "'" .  and nothing else. */
static char *
unquote(const char *q)
{
	static const char join[] = " . \"'\" . ";
	GString *t = g_string_new("");
	const char *p = q, *end;

	for (;;) {
		assert_int_equal(*p, '\'');
		end = strchr(p + 1, '\'');
		assert_non_null(end);
		g_string_append_len(t, p + 1, end - p - 1);
		p = end + 1;
		if (*p == '\0')
			break;
		assert_true(strncmp(p, join, strlen(join)) == 0);
		g_string_append_c(t, '\'');
		p += strlen(join);
	}
	return g_string_free(t, FALSE);
}

/* Every hostile string becomes single-quoted pieces of valid UTF-8 without
 * control characters, standing for exactly plot_gp_text's text. */
static void
test_quote_shape(void **state)
{
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		char *q = plot_gp_quote(hostile[i]);
		char *t = plot_gp_text(hostile[i]);
		char *u = unquote(q);
		const unsigned char *p;

		assert_true(g_utf8_validate(q, -1, NULL));
		for (p = (const unsigned char *)q; *p != '\0'; p++)
			assert_true(*p >= 0x20 && *p != 0x7f);
		assert_string_equal(u, t);
		g_free(q);
		g_free(t);
		g_free(u);
	}
	/* text that was fine to begin with is kept as it was */
	{
		char *t = plot_gp_text("überschrift µs 日本 a=1,b=2 {x}");

		assert_string_equal(t, "überschrift µs 日本 a=1,b=2 {x}");
		g_free(t);
	}
	{
		char *t = plot_gp_text("a\nb\x01" "c\xff");

		assert_string_equal(t, "a?b?c\xef\xbf\xbd");	/* U+FFFD */
		g_free(t);
	}
}

/* A data file's string field: one double-quoted field on one line. */
static void
test_data_str(void **state)
{
	unsigned i;

	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		char *buf = NULL;
		size_t len = 0, k;
		FILE *f = open_memstream(&buf, &len);

		plot_data_str(f, hostile[i]);
		fclose(f);
		assert_true(len >= 2);
		assert_int_equal(buf[0], '"');
		assert_int_equal(buf[len - 1], '"');
		for (k = 1; k + 1 < len; k++)
			assert_true(buf[k] != '"' && buf[k] != '\n' &&
			    buf[k] != '\r');
		assert_true(g_utf8_validate(buf, (gssize)len, NULL));
		free(buf);
	}
}

/*
 * gnuplot reads each quoted constant back as the text it stands for:
 * `print` of every one, in a directory where a file would appear if any
 * of them ran a command, prints exactly plot_gp_text's text, a line each.
 */
static void
test_gnuplot_reads_text(void **state)
{
	char *dir = g_dir_make_tmp("vfssim-test-plot-XXXXXX", NULL);
	GString *script = g_string_new("x = 'macro expanded'\n");
	GString *want = g_string_new("");
	char *path, *out = NULL, *errout = NULL, *pwned;
	char *argv[] = { "gnuplot", NULL, NULL };
	gint status = 0;
	GError *err = NULL;
	unsigned i;

	assert_non_null(dir);
	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		char *q = plot_gp_quote(hostile[i]);
		char *t = plot_gp_text(hostile[i]);

		/* the constant, and a command after it on its own line: it
		 * must still run (nothing above swallowed the line) */
		g_string_append_printf(script, "print %s\nprint 'after %u'\n", q, i);
		g_string_append_printf(want, "%s\nafter %u\n", t, i);
		g_free(q);
		g_free(t);
	}
	path = g_build_filename(dir, "t.gp", NULL);
	assert_true(g_file_set_contents(path, script->str, -1, NULL));
	argv[1] = path;
	/* gnuplot prints to stderr; run in dir, where PWNED would land */
	if (!g_spawn_sync(dir, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
	    &errout, &status, &err)) {
		/* no gnuplot here: the e2e tests need it anyway */
		print_message("gnuplot not found: %s\n", err->message);
		g_error_free(err);
		skip();
	}
	if (!g_spawn_check_wait_status(status, NULL))
		print_message("gnuplot: %s\n", errout);
	assert_true(g_spawn_check_wait_status(status, NULL));
	assert_string_equal(errout, want->str);
	pwned = g_build_filename(dir, "PWNED", NULL);
	assert_false(g_file_test(pwned, G_FILE_TEST_EXISTS));
	unlink(path);
	rmdir(dir);
	g_free(pwned);
	g_free(path);
	g_free(out);
	g_free(errout);
	g_free(dir);
	g_string_free(script, TRUE);
	g_string_free(want, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_shape),
		cmocka_unit_test(test_data_str),
		cmocka_unit_test(test_gnuplot_reads_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
