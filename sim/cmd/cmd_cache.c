/*
 * cmd_cache.c — vfssim cache: a block trace through one of the buffer
 * cache's replacement policies (or OPT) alone, for cache studies.
 *
 *	vfssim cache TRACE --policy lru|clock|2q|arc|opt --size BLOCKS
 *	    [--format csv|oracleGeneral|db] [--run ID] [--block-size BYTES]
 */
#include "cmd.h"
#include "cachesim.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

int
cmd_cache(int argc, char **argv)
{
	char *policy = NULL, *format = NULL;
	gint64 size = 0, run = -1, bs = 8192;
	GOptionEntry entries[] = {
		{ "policy", 0, 0, G_OPTION_ARG_STRING, &policy,
		  "Replacement policy: lru, clock, 2q, arc (the buffer cache's, "
		  "bio.policy) or opt (Belady)", "NAME" },
		{ "size", 0, 0, G_OPTION_ARG_INT64, &size,
		  "Blocks (objects) the cache holds", "BLOCKS" },
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "csv, oracleGeneral or db (default: from the file's first bytes)",
		  "FMT" },
		{ "run", 0, 0, G_OPTION_ARG_INT64, &run,
		  "db: the run whose disk_io rows are read (default: the last "
		  "complete one)", "ID" },
		{ "block-size", 0, 0, G_OPTION_ARG_INT64, &bs,
		  "db: bytes a block; a request references every block its "
		  "sectors cover (default 8192)", "BYTES" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new("TRACE - a block trace "
	    "through one cache replacement policy");
	struct cachesim_opts o;
	struct cachesim_result res;
	GError *err = NULL;
	int rc = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
	    "TRACE is one of:\n"
	    "  csv            libCacheSim's: time,obj_id,obj_size a line, "
	    "header optional\n"
	    "  oracleGeneral  libCacheSim's binary: 24-byte records {uint32 "
	    "time;\n"
	    "                 uint64 obj_id; uint32 obj_size; int64 next}, "
	    "maybe gzip'd\n"
	    "  db             a vfssim database: the disk_io rows of a run\n"
	    "Every object takes one block of the cache, whatever its size.\n"
	    "Prints, for scripts:\n"
	    "  requests N\n  misses M\n  miss ratio R\n");
	if (!cmd_parse(ctx, &argc, &argv, &err)) {
		rc = cmd_fail(err, EXIT_BADINPUT);
		goto out;
	}
	if (argc != 2 || policy == NULL || size == 0) {
		fprintf(stderr, "vfssim cache: give one TRACE, --policy and --size "
		    "(vfssim cache --help)\n");
		rc = EXIT_BADINPUT;
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.format = CS_AUTO;
	if (format != NULL) {
		if (strcmp(format, "csv") == 0)
			o.format = CS_CSV;
		else if (strcmp(format, "oracleGeneral") == 0)
			o.format = CS_ORACLE;
		else if (strcmp(format, "db") == 0)
			o.format = CS_DB;
		else {
			fprintf(stderr, "vfssim cache: --format: csv, "
			    "oracleGeneral or db\n");
			rc = EXIT_BADINPUT;
			goto out;
		}
	}
	o.trace = argv[1];
	o.policy = policy;
	o.size = size;
	o.run = run;
	o.block_size = bs;
	o.interrupted = cmd_catch_signals();
	if (!cachesim_run(&o, &res, &err)) {
		rc = err != NULL && err->domain == CACHESIM_ERROR ?
		    (err->code == CACHESIM_ERROR_INPUT ? EXIT_BADINPUT : 1) :
		    cmd_code_of(err);
		cmd_fail(err, rc);
		goto out;
	}
	printf("policy %s, %lld blocks, %s", policy, (long long)size,
	    cachesim_format_name(res.format));
	if (res.run >= 0)
		printf(" (run %lld, %lld-byte blocks)", (long long)res.run,
		    (long long)bs);
	printf("\nrequests %llu\nmisses %llu\nmiss ratio %.6f\n",
	    (unsigned long long)res.requests, (unsigned long long)res.misses,
	    res.requests > 0 ? (double)res.misses / (double)res.requests : 0.0);
out:
	g_option_context_free(ctx);
	g_free(policy);
	g_free(format);
	return rc;
}
