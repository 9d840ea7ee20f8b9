/*
 * cmd_disk.c — vfssim disk: the disk model alone, driven by a DiskSim
 * block trace; with --validate, the simulated mean service time against
 * the one measured on the real drive, and the demerit.
 *
 *	vfssim disk TRACE [--validate] [--profile F] [--set key=value]... [--db F | --no-db]
 *	vfssim disk --explain [--profile F] [--set key=value]...
 */
#include "cmd.h"
#include "disktrace.h"
#include "profile.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

int
cmd_disk(int argc, char **argv)
{
	char *prof_file = NULL, *db = NULL, *label = NULL, *format = NULL;
	char **sets = NULL;
	gboolean validate = FALSE, no_events = FALSE, quiet = FALSE,
	    explain = FALSE, check = FALSE, no_db = FALSE,
	    until_last_arrival = FALSE;
	gint64 device = G_MININT64;	/* not given */
	GOptionEntry entries[] = {
		{ "profile", 'p', 0, G_OPTION_ARG_FILENAME, &prof_file,
		  "Profile describing the drive (e.g. profiles/disks/hp_c2247a.ini)",
		  "FILE" },
		{ "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
		  "Override a profile key, e.g. disk.diskspecs=drive.parv (repeatable)",
		  "KEY=VALUE" },
		{ "validate", 0, 0, G_OPTION_ARG_NONE, &validate,
		  "TRACE is a validate trace: print the measured and simulated "
		  "mean service times and the demerit", NULL },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "Trace format: ascii, validate, hpl (HP Labs' SRT traces) or hpl2 "
		  "(the same without their header) (default: from the first line)",
		  "FMT" },
		{ "device", 0, 0, G_OPTION_ARG_INT64, &device,
		  "An ascii trace's device to replay, the others' requests left "
		  "out (without it, every request must name one device)", "N" },
		{ "until-last-arrival", 0, 0, G_OPTION_ARG_NONE,
		  &until_last_arrival, "End the run when the trace's last "
		  "request arrives, as DiskSim does: requests not done by then "
		  "are left out of every figure (default: run every request to "
		  "its end)", NULL },
		{ "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
		  "Database to record into (default vfssim.db)", "FILE" },
		{ "no-db", 0, 0, G_OPTION_ARG_NONE, &no_db,
		  "Record nothing: print the figures only (a validate run's "
		  "three lines, as DiskSim's validate does, or the summary)",
		  NULL },
		{ "label", 0, 0, G_OPTION_ARG_STRING, &label,
		  "A name for this run in the runs table", "NAME" },
		{ "no-events", 0, 0, G_OPTION_ARG_NONE, &no_events,
		  "Do not record a row per request", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print no summary (--validate still prints its three lines)", NULL },
		{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
		  "Read and check TRACE against the drive, and run nothing (what "
		  "reading the trace costs, for make bench)", NULL },
		{ "explain", 0, 0, G_OPTION_ARG_NONE, &explain,
		  "Run nothing: print the drive, the queues a run would use, and "
		  "each parameter of its DiskSim files read and ignored, with why "
		  "(no TRACE needed)", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - drive the disk "
	    "model alone with a block trace");
	GError *err = NULL;
	struct disktrace_opts o;
	struct disktrace_result res;
	struct profile *prof = NULL;
	char *cmdline = cmd_line(argc, argv);
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "TRACE is a DiskSim block trace, one request a line:\n"
	    "  ascii:     ARRIVAL_MS DEVICE BLOCK BLOCKS FLAGS  (flags bit 0: read;\n"
	    "             one device, or --device N)\n"
	    "  validate:  R|W CLASS BLOCK BLOCKS SERVICE_US GAP_US\n"
	    "  hpl:       HP Laboratories' SRT traces (cello, snake, hplajw),\n"
	    "             binary records after a text header; hpl2 without it\n"
	    "A validate trace was measured on a real drive one request at a time;\n"
	    "each request arrives GAP_US after the previous one completes.\n"
	    "--validate prints, for scripts:\n"
	    "  measured mean: X ms\n  simulated mean: Y ms\n"
	    "  demerit: Z ms (W % of measured mean)\n");
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2 && !(explain && argc == 1)) {
		fprintf(stderr, "vfssim disk: give one TRACE (vfssim disk --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.format = validate ? DT_VALIDATE : DT_AUTO;
	if (format != NULL) {
		if (strcmp(format, "ascii") == 0 && !validate)
			o.format = DT_ASCII;
		else if (strcmp(format, "hpl") == 0 && !validate)
			o.format = DT_HPL;
		else if (strcmp(format, "hpl2") == 0 && !validate)
			o.format = DT_HPL2;
		else if (strcmp(format, "validate") == 0)
			o.format = DT_VALIDATE;
		else {
			fprintf(stderr, "vfssim disk: --format %s: ascii, hpl, "
			    "hpl2 or validate%s\n", format, validate ?
			    " (--validate needs a validate trace)" : "");
			rc = EXIT_BADINPUT;
			goto out;
		}
	}
	prof = cmd_build_profile(prof_file, sets, -1, &err);
	if (prof == NULL) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (explain) {
		GString *g = g_string_new(NULL);

		if (!disktrace_explain(prof, g, &err))
			rc = cmd_fail(err, cmd_code_of(err));
		else
			fputs(g->str, stdout);
		g_string_free(g, TRUE);
		goto out;
	}
	if (no_db && (db != NULL || label != NULL)) {
		fprintf(stderr, "vfssim disk: --no-db records nothing: not with "
		    "%s\n", db != NULL ? "--db" : "--label");
		rc = EXIT_BADINPUT;
		goto out;
	}
	o.trace = argv[1];
	/* (disktrace_run opens no database without one: nothing is written,
	 * no file made, and no SQLite at all -- a short validate run's fixed
	 * cost was mostly the database's: README "The drive alone") */
	o.db = no_db ? NULL : db != NULL ? db : "vfssim.db";
	o.prof = prof;
	o.events = !no_events;
	o.label = label;
	o.cmdline = cmdline;
	o.interrupted = cmd_catch_signals();
	o.check_only = check;
	o.pick_device = device != G_MININT64;
	o.device = device;
	o.until_last_arrival = until_last_arrival;
	if (o.pick_device && (device < 0 || validate)) {
		fprintf(stderr, "vfssim disk: --device %lld: %s\n", (long long)
		    device, device < 0 ? "a device is a number from 0" :
		    "a validate trace names no device");
		rc = EXIT_BADINPUT;
		goto out;
	}
	if (!disktrace_run(&o, &res, &err)) {
		rc = err != NULL && err->domain == DISKTRACE_ERROR ?
		    (err->code == DISKTRACE_ERROR_INPUT ? EXIT_BADINPUT : 1) :
		    cmd_code_of(err);
		cmd_fail(err, rc);
		goto out;
	}
	if (check) {
		printf("%llu requests, %s format: well formed for the drive\n",
		    (unsigned long long)res.requests, res.format == DT_VALIDATE ?
		    "validate" : res.format == DT_ASCII ? "ascii" : "hpl");
		goto out;
	}
	if (!quiet) {
		/* (None done: every one still in flight at the last
		 * arrival, --until-last-arrival.) */
		if (res.requests == 0)
			printf("no request done");
		else
			printf("%llu requests: mean service %.3f ms, mean "
			    "response %.3f ms; %llu read hits, %llu writes "
			    "reported from the cache",
			    (unsigned long long)res.requests, res.sim_mean_ms,
			    res.resp_mean_ms, (unsigned long long)res.read_hits,
			    (unsigned long long)res.write_hits);
		if (res.other_devices > 0)
			printf("; %llu requests of other devices left out",
			    (unsigned long long)res.other_devices);
		if (o.until_last_arrival)
			printf("; %llu not done at the last arrival, left out",
			    (unsigned long long)res.left_outstanding);
		if (o.db != NULL)
			printf("; recorded run %lld in %s", (long long)res.run,
			    o.db);
		putchar('\n');
	}
	if (res.format == DT_VALIDATE) {
		printf("measured mean: %.3f ms\n", res.meas_mean_ms);
		printf("simulated mean: %.3f ms\n", res.sim_mean_ms);
		printf("demerit: %.3f ms (%.2f %% of measured mean)\n",
		    res.demerit_ms, res.demerit_pct);
	}
out:
	g_free(cmdline);
	profile_free(prof);
	g_option_context_free(ctx);
	g_free(prof_file);
	g_free(db);
	g_free(label);
	g_free(format);
	g_strfreev(sets);
	return rc;
}
