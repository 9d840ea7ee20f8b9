/*
 * fuzz_disktrace.c — DiskSim block traces (ascii and validate), read as
 * vfssim disk reads them (disktrace_run, checking only: the drive is not
 * run).
 */
#include "fuzz.h"
#include "disktrace.h"
#include "profile.h"

static struct profile *prof;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	prof = profile_new();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disktrace_opts o = { 0 };
	struct disktrace_result res;
	GError *err = NULL;

	fuzz_begin();
	o.trace = fuzz_file("t.trace", data, size);
	o.format = DT_AUTO;
	o.prof = prof;
	o.check_only = true;
	if (!disktrace_run(&o, &res, &err))
		g_clear_error(&err);
	return 0;
}
