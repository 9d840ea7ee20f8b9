/*
 * fuzz_diskspecs.c — DiskSim parameter files, read as disk.diskspecs
 * reads them (diskspecs_load), and extracted seek curves
 * (diskspecs_read_seek).  The drive is described, not built.
 *
 * An input is up to four files separated by lines "--": d.parv,
 * d.diskspecs, d.model and d.seek, the names a .parv and a .diskspecs
 * source one another by.  d.parv is loaded, then d.diskspecs alone, then
 * d.seek.
 */
#include "fuzz.h"
#include "diskspecs.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "d.parv", "d.diskspecs", "d.model",
	    "d.seek" };
	const uint8_t *part[4];
	size_t len[4];
	unsigned n, i;
	struct disk_params dp;
	GError *err = NULL;
	char *path;
	int np = 0;
	int64_t *dist = NULL;
	double *ms = NULL;

	fuzz_begin();
	fuzz_split(data, size, part, len, 4, &n);
	for (i = 0; i < n; i++)
		fuzz_file(names[i], part[i], len[i]);
	for (i = 0; i < 2 && i < n; i++) {
		path = fuzz_path(names[i]);
		if (diskspecs_load(path, &dp, &err))
			disk_params_free(&dp);
		else
			g_clear_error(&err);
		g_free(path);
	}
	if (n == 4) {
		path = fuzz_path(names[3]);
		if (diskspecs_read_seek(path, &np, &dist, &ms, &err)) {
			g_free(dist);
			g_free(ms);
		} else
			g_clear_error(&err);
		g_free(path);
	}
	return 0;
}
