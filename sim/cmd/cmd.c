/*
 * cmd.c — what the commands share (see cmd.h): errors and exit statuses,
 * option parsing, the profile of --profile and --set, a run's source
 * checked before anything runs, and Ctrl-C.
 */
#include "cmd.h"
#include "fsmanifest.h"
#include "batch.h"
#include "ffs.h"
#include "merge.h"
#include "metrics.h"
#include "profile.h"
#include "trace.h"
#include "workload.h"

#include <signal.h>
#include <stdio.h>

#include <glib.h>

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

volatile sig_atomic_t *
cmd_catch_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	return &interrupted;
}

int
cmd_fail(GError *err, int code)
{
	fprintf(stderr, "vfssim: %s\n", err != NULL ? err->message : "failed");
	if (err != NULL)
		g_error_free(err);
	return code;
}

int
cmd_code_of(const GError *err)
{
	if (err == NULL)
		return 1;
	if (err->domain == TRACE_ERROR && err->code == TRACE_ERROR_FORMAT)
		return EXIT_BADINPUT;
	if (err->domain == TRACE_ERROR && err->code == TRACE_ERROR_IO)
		return EXIT_BADINPUT;	/* a trace that is not there */
	if (err->domain == PROFILE_ERROR || err->domain == G_OPTION_ERROR ||
	    err->domain == G_FILE_ERROR || err->domain == WORKLOAD_ERROR)
		return EXIT_BADINPUT;
	if (err->domain == MERGE_ERROR && err->code == MERGE_ERROR_INPUT)
		return EXIT_BADINPUT;
	if (err->domain == METRICS_ERROR && err->code == METRICS_ERROR_INPUT)
		return EXIT_BADINPUT;	/* another program's database, a bad row */
	if (err->domain == FFS_IMAGE_ERROR && err->code == FFS_IMAGE_ERROR_INPUT)
		return EXIT_BADINPUT;	/* a damaged or mismatched image */
	if (err->domain == FS_MANIFEST_ERROR)
		return EXIT_BADINPUT;	/* a malformed listing */
	return 1;
}

bool
cmd_parse(GOptionContext *ctx, int *argc, char ***argv, GError **err)
{
	return g_option_context_parse(ctx, argc, argv, err);
}

struct profile *
cmd_build_profile(const char *file, char **sets, gint64 seed, GError **err)
{
	struct profile *p = profile_new();
	char **s;

	if (file != NULL && !profile_load(p, file, err))
		goto bad;
	for (s = sets; s != NULL && *s != NULL; s++)
		if (!profile_set(p, *s, err))
			goto bad;
	if (seed >= 0) {
		char *a = g_strdup_printf("replay.seed=%" G_GINT64_FORMAT, seed);
		bool ok = profile_set(p, a, err);

		g_free(a);
		if (!ok)
			goto bad;
	}
	return p;
bad:
	profile_free(p);
	return NULL;
}

bool
cmd_check_source(const struct batch_source *src, GError **err)
{
	if (src->gen != NULL) {
		struct gen *g = workload_open(src->gen, src->params, 1, err);

		if (g == NULL)
			return false;
		workload_close(g);
		return true;
	}
	{
		struct trace_reader *r = trace_open(src->trace, err);

		if (r == NULL)
			return false;
		trace_close(r);
	}
	return true;
}
