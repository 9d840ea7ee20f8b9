/*
 * cmd_trace.c — native traces written: vfssim import (an strace log
 * converted) and vfssim gen (a synthetic workload's calls).
 *
 *	vfssim import strace IN -o OUT
 *	vfssim gen NAME [--param key=value]... [--seed N] -o OUT | gen --list
 */
#include "cmd.h"
#include "trace.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

/* ---- import ---------------------------------------------------------- */

int
cmd_import(int argc, char **argv)
{
	char *outpath = NULL;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Native trace to write (gzip'd if it ends in .gz)", "OUT" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("strace IN - convert an "
	    "strace log to a native trace");
	GError *err = NULL;
	struct trace_reader *r = NULL;
	struct trace_writer *w = NULL;
	struct trace_call tc;
	int rc = 0, n;
	uint64_t count = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	trace_call_init(&tc);
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 3 || strcmp(argv[1], "strace") != 0 || outpath == NULL) {
		fprintf(stderr, "vfssim import: usage: vfssim import strace IN -o OUT\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	r = trace_open(argv[2], &err);
	if (r == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	/* Ctrl-C stops the read, and the output is not left half-written */
	trace_set_stop(r, cmd_catch_signals());
	if (trace_reader_format(r) == TF_NATIVE) {
		fprintf(stderr, "vfssim import: %s is already a native trace\n", argv[2]);
		rc = EXIT_BADINPUT;
		goto out;
	}
	/* Write to a temporary name and rename at the end: a failed import
	 * leaves no half-written output. */
	{
		char *tmp = g_strdup_printf("%s.partial", outpath);

		w = trace_writer_open(tmp, g_str_has_suffix(outpath, ".gz"), &err);
		if (w == NULL) {
			g_free(tmp);
			rc = cmd_fail(err, 1);
			goto out;
		}
		while ((n = trace_read(r, &tc, &err)) == 1) {
			/* a log without times: its records' times are its
			 * lines, and the native trace says so */
			if (count++ == 0 && trace_reader_line_times(r))
				trace_writer_line_times(w);
			if (!trace_write(w, &tc, &err))
				break;
		}
		if (n == 1 || n < 0) {
			GError *e2 = NULL;

			trace_writer_close(w, &e2);
			g_clear_error(&e2);
			w = NULL;
			unlink(tmp);
			g_free(tmp);
			rc = cmd_fail(err, cmd_code_of(err));
			goto out;
		}
		if (!trace_writer_close(w, &err)) {
			w = NULL;
			unlink(tmp);
			g_free(tmp);
			rc = cmd_fail(err, 1);
			goto out;
		}
		w = NULL;
		if (rename(tmp, outpath) != 0) {
			fprintf(stderr, "vfssim import: %s: %s\n", outpath,
			    g_strerror(errno));
			unlink(tmp);
			rc = 1;
		}
		g_free(tmp);
	}
	if (rc == 0)
		printf("wrote %llu records to %s\n", (unsigned long long)count, outpath);
out:
	trace_call_free(&tc);
	trace_close(r);
	g_option_context_free(ctx);
	g_free(outpath);
	return rc;
}

/* ---- gen ------------------------------------------------------------- */

int
cmd_gen(int argc, char **argv)
{
	char *outpath = NULL;
	char **params = NULL;
	gint64 seed = 1;
	gboolean list = FALSE;
	GOptionEntry entries[] = {
		{ "param", 'P', 0, G_OPTION_ARG_STRING_ARRAY, &params,
		  "A generator parameter (repeatable)", "KEY=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "N" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &outpath,
		  "Native trace to write (gzip'd if it ends in .gz)", "OUT" },
		{ "list", 'l', 0, G_OPTION_ARG_NONE, &list,
		  "List the generators, one a line", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("NAME - write a synthetic "
	    "workload as a native trace");
	GError *err = NULL;
	char *help = workload_help(), *desc;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	desc = g_strdup_printf("Generators and their parameters (defaults shown):\n%s"
	    "Each is deterministic for a seed.  vfssim replay --gen NAME replays one\n"
	    "without writing a file.", help);
	g_option_context_set_description(ctx, desc);
	g_free(help);
	g_free(desc);
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (list) {
		workload_list(stdout);
		goto out;
	}
	if (argc != 2 || outpath == NULL) {
		fprintf(stderr, "vfssim gen: usage: vfssim gen NAME [--param k=v]... "
		    "-o OUT  (vfssim gen --list shows the generators)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (!workload_generate(argv[1], params, (uint64_t)seed, outpath, &err)) {
		rc = cmd_fail(err, err != NULL && err->domain == WORKLOAD_ERROR ?
		    EXIT_BADINPUT : 1);
		goto out;
	}
out:
	g_option_context_free(ctx);
	g_free(outpath);
	g_strfreev(params);
	return rc;
}
