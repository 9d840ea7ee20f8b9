/* Unit tests of profiles (GKeyFile files, --set, units, errors with lines)
 * and of the latency histograms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "profile.h"

static char *
write_tmp(const char *text)
{
	char *path = NULL;
	GError *err = NULL;
	int fd = g_file_open_tmp("vfssim-profile-XXXXXX.ini", &path, &err);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_defaults_and_units(void **state)
{
	struct profile *p = profile_new();
	int64_t v;

	assert_int_equal(profile_int(p, "machine", "memory"), 128 << 20);
	assert_int_equal(profile_int(p, "syncer", "filedelay"), 30 * 1000000000LL);
	assert_string_equal(profile_str(p, "machine", "era"), "freebsd5-current");
	assert_true(profile_parse_size("1.5K", &v));
	assert_int_equal(v, 1536);
	assert_true(profile_parse_time("1.5ms", &v));
	assert_int_equal(v, 1500000);
	assert_false(profile_parse_time("15", &v));	/* a time needs a unit */
	assert_false(profile_parse_size("12Q", &v));
	profile_free(p);
}

/* The shipped default profile says exactly what the built-in table says. */
static void
test_default_ini_matches(void **state)
{
	struct profile *dflt = profile_new(), *file = profile_new();
	GError *err = NULL;
	char *a, *b;

	assert_true(profile_load(file, "profiles/default.ini", &err));
	{
		/* and it names every key: none may be missing from it */
		GKeyFile *kf = g_key_file_new();
		const struct pkey *k;

		assert_true(g_key_file_load_from_file(kf, "profiles/default.ini",
		    G_KEY_FILE_NONE, NULL));
		for (k = profile_keys; k->group != NULL; k++)
			if (!g_key_file_has_key(kf, k->group, k->key, NULL))
				fail_msg("profiles/default.ini lacks %s.%s "
				    "(./vfssim profile --ini > profiles/default.ini)",
				    k->group, k->key);
		g_key_file_free(kf);
	}
	a = profile_to_text(dflt);
	b = profile_to_text(file);
	assert_string_equal(a, b);
	g_free(a);
	g_free(b);
	profile_free(dflt);
	profile_free(file);
}

static void
test_file_and_set(void **state)
{
	char *path = write_tmp("# a comment\n[machine]\nmemory = 32M\n\n[bio]\nnbuf = 200\n");
	struct profile *p = profile_new();
	GError *err = NULL;

	assert_true(profile_load(p, path, &err));
	assert_int_equal(profile_int(p, "machine", "memory"), 32 << 20);
	assert_int_equal(profile_int(p, "bio", "nbuf"), 200);
	/* --set by group.key and by sysctl name */
	assert_true(profile_set(p, "bio.nbuf=300", &err));
	assert_int_equal(profile_int(p, "bio", "nbuf"), 300);
	assert_true(profile_set(p, "kern.nbuf=400", &err));
	assert_int_equal(profile_int(p, "bio", "nbuf"), 400);
	assert_true(profile_set(p, "vfs.hidirtybuffers = 77", &err));
	assert_int_equal(profile_int(p, "bio", "hidirtybuffers"), 77);
	assert_true(strstr(profile_sources(p), path) != NULL);
	unlink(path);
	g_free(path);
	profile_free(p);
}

static void
expect_error(const char *text, const char *want)
{
	char *path = write_tmp(text);
	struct profile *p = profile_new();
	GError *err = NULL;
	char *full;

	assert_false(profile_load(p, path, &err));
	assert_non_null(err);
	full = g_strdup_printf("%s:%s", path, want);
	if (strstr(err->message, full) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err->message, full);
	g_free(full);
	g_error_free(err);
	/* nothing of a broken file is applied */
	assert_int_equal(profile_int(p, "machine", "memory"), 128 << 20);
	unlink(path);
	g_free(path);
	profile_free(p);
}

static void
test_errors_name_line(void **state)
{
	GError *err = NULL;
	struct profile *p = profile_new();

	expect_error("[machine]\nmemory = 64M\n[bio]\nnbuff = 3\n", "4: unknown key");
	expect_error("[machine]\nmemory = 64M\n[bioo]\nnbuf = 3\n", "3: unknown group");
	expect_error("[machine]\n\nmemory = big\n", "3: machine.memory");
	expect_error("[machine]\nera = freebsd3\n", "2: machine.era");
	expect_error("memory = 64M\n", "1: key outside");
	expect_error("[machine]\njunk line\n", "2: expected");
	expect_error("[machine\n", "1: malformed group");
	assert_false(profile_set(p, "bio.nbuf=many", &err));
	g_clear_error(&err);
	assert_false(profile_set(p, "nosuchkey=1", &err));
	g_clear_error(&err);
	assert_false(profile_set(p, "justtext", &err));
	g_clear_error(&err);
	/* a value is a line of UTF-8 text (found by fuzzing: GKeyFile gave
	 * back NULL for bytes that are not, and the disk read NULL) */
	assert_false(profile_set(p, "disk.zones=100:64,5.s\xff" "8", &err));
	assert_non_null(strstr(err->message, "not a line of UTF-8 text"));
	g_clear_error(&err);
	assert_false(profile_set(p, "replay.passthrough=/dev\n[bio]", &err));
	g_clear_error(&err);
	assert_true(profile_set(p, "replay.passthrough=/dev:/proc:/ünï", &err));
	profile_free(p);
}

/* Percentiles read back within 1/128 of the true values. */
static void
test_hist(void **state)
{
	struct hist *h = g_new(struct hist, 1);
	int64_t i, lo, hi;

	hist_init(h);
	for (i = 1; i <= 100000; i++)
		hist_add(h, i * 1000);		/* 1 us .. 100 ms */
	assert_int_equal(h->n, 100000);
	assert_true(llabs(hist_quantile(h, 0.5) - 50000000) <= 50000000 / 128);
	assert_true(llabs(hist_quantile(h, 0.99) - 99000000) <= 99000000 / 128);
	assert_int_equal(hist_quantile(h, 1.0), 100000000);
	assert_int_equal(hist_quantile(h, 0.0), 1000);
	/* buckets tile the line with no gaps */
	for (i = 0; i + 1 < HIST_NBUCKETS; i++) {
		int64_t lo2, hi2;

		hist_bucket((int)i, &lo, &hi);
		hist_bucket((int)i + 1, &lo2, &hi2);
		assert_int_equal(hi, lo2);
	}
	g_free(h);
}

/* A value of k a step beyond v (dir -1 below, +1 above), as a profile
 * writes it. */
static char *
beyond(const struct pkey *k, const char *v, int dir)
{
	int64_t i;

	switch (k->type) {
	case PK_SIZE:
		assert_true(profile_parse_size(v, &i));
		return g_strdup_printf("%lld", (long long)(i + dir));
	case PK_TIME:
		assert_true(profile_parse_time(v, &i));
		return g_strdup_printf("%lldns", (long long)(i + dir));
	case PK_DOUBLE:
		return g_strdup_printf("%.6f", g_ascii_strtod(v, NULL) + dir * 1e-3);
	default:
		return g_strdup_printf("%lld", (long long)(g_ascii_strtoll(v, NULL,
		    10) + dir));
	}
}

/*
 * Every numeric setting with a range takes its bounds and refuses a step
 * beyond either, naming the range; 0 only where it means "sized as the
 * kernel sizes it".  A profile file's bad value names its line.
 */
static void
test_ranges(void **state)
{
	const struct pkey *k;
	int with = 0;

	for (k = profile_keys; k->group != NULL; k++) {
		const char *lo, *hi, *why;
		char *vals[4], *a;
		bool zero;
		int i;

		if (!profile_key_range(k, &lo, &hi, &zero, &why))
			continue;
		with++;
		vals[0] = g_strdup(lo);
		vals[1] = g_strdup(hi);
		vals[2] = beyond(k, lo, -1);
		vals[3] = beyond(k, hi, +1);
		for (i = 0; i < 4; i++) {
			struct profile *p = profile_new();
			GError *err = NULL;
			bool took, want = i < 2;

			a = g_strdup_printf("%s.%s=%s", k->group, k->key, vals[i]);
			took = profile_set(p, a, &err);
			/* below the range is 0 for some: taken where 0 is */
			if (i == 2 && zero && g_ascii_strtod(vals[2], NULL) == 0)
				want = true;
			if (took != want)
				fail_msg("%s: %s", a, took ? "taken" : err->message);
			if (!took && strstr(err->message, "out of range") == NULL &&
			    strstr(err->message, "expected") == NULL)
				fail_msg("%s: %s", a, err->message);
			g_clear_error(&err);
			g_free(a);
			profile_free(p);
		}
		for (i = 0; i < 4; i++)
			g_free(vals[i]);
	}
	assert_true(with >= 30);
	/* the issue's: 1T and 256G of memory are refused, 4G taken */
	{
		struct profile *p = profile_new();
		GError *err = NULL;

		assert_false(profile_set(p, "machine.memory=1T", &err));
		assert_non_null(strstr(err->message, "out of range: 4M to 4G"));
		g_clear_error(&err);
		assert_false(profile_set(p, "hw.physmem=256G", &err));
		g_clear_error(&err);
		assert_false(profile_set(p, "machine.memory_mb=262144", &err));
		g_clear_error(&err);
		assert_true(profile_set(p, "machine.memory=4G", &err));
		assert_true(profile_set(p, "kern.nbuf=0", &err));
		assert_false(profile_set(p, "disk.seek_a=nan", &err));
		g_clear_error(&err);
		profile_free(p);
	}
	expect_error("[machine]\nhz = 100\nmemory = 256G\n",
	    "3: machine.memory = \"256G\": out of range");
	expect_error("[bio]\n\nnbuf = 8\n", "3: bio.nbuf = \"8\": out of range: "
	    "0, or 16 to 100000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_units),
		cmocka_unit_test(test_default_ini_matches),
		cmocka_unit_test(test_file_and_set),
		cmocka_unit_test(test_errors_name_line),
		cmocka_unit_test(test_hist),
		cmocka_unit_test(test_ranges),
	};

	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
