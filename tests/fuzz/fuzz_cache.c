/*
 * fuzz_cache.c — block traces as vfssim cache reads them (libCacheSim's
 * csv and oracleGeneral, the format found from the first bytes), through
 * every policy with a cache of 4 blocks.  The promises: each policy sees
 * the same references, misses no more than it is asked, and none misses
 * less than Belady's OPT.
 */
#include "fuzz.h"
#include "cachesim.h"

#include <string.h>

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pol[] = { "opt", "lru", "clock", "2q", "arc" };
	struct cachesim_opts o = { 0 };
	struct cachesim_result res;
	uint64_t requests = 0, opt = 0;
	GError *err = NULL;
	unsigned i;

	fuzz_begin();
	/* a database is fuzz_db's: not read here */
	if (size >= 6 && memcmp(data, "SQLite", 6) == 0)
		return 0;
	o.trace = fuzz_file("t.trace", data, size);
	o.format = CS_AUTO;
	o.size = 4;
	o.run = -1;
	o.block_size = 8192;
	for (i = 0; i < G_N_ELEMENTS(pol); i++) {
		o.policy = pol[i];
		if (!cachesim_run(&o, &res, &err)) {
			g_clear_error(&err);
			return 0;
		}
		if (res.misses > res.requests)
			fuzz_fail("%s: %llu misses of %llu requests", pol[i],
			    (unsigned long long)res.misses,
			    (unsigned long long)res.requests);
		if (i == 0) {
			requests = res.requests;
			opt = res.misses;
		} else if (res.requests != requests || res.misses < opt)
			fuzz_fail("%s: %llu requests, %llu misses; OPT %llu, %llu",
			    pol[i], (unsigned long long)res.requests,
			    (unsigned long long)res.misses,
			    (unsigned long long)requests,
			    (unsigned long long)opt);
	}
	return 0;
}
