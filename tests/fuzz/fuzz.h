/*
 * fuzz.h — what the fuzzing harnesses share (tests/fuzz/).
 *
 * Each harness is one libFuzzer entry point, LLVMFuzzerTestOneInput, that
 * hands an input to one of vfssim's parsers or loaders through the entry
 * point vfssim itself uses: trace_open, profile_load, diskspecs_load,
 * disktrace_run, ffs_image_load, db_open_readonly and the readers behind
 * merge, plot and report, cachesim_run.  Those read files, so the input is written to
 * a file first, in a private directory (on /dev/shm when there is one: no
 * disk I/O).  `make fuzz` links each with libFuzzer (clang,
 * -fsanitize=fuzzer,address,undefined); `make check` links each with
 * driver.c instead and runs it once over its corpus (tests/fuzz/corpus/NAME)
 * under the sanitizer build.
 *
 * A harness aborts (a finding) only where vfssim broke a promise it makes
 * of every input: a record that does not read back as it was written, a
 * profile that does not reload as it printed.  Bad input is expected and
 * simply refused.
 */
#ifndef VFSSIM_FUZZ_H
#define VFSSIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/* A new input: the harness's private directory, emptied (made the first
 * time). */
const char *fuzz_begin(void);
/* Write n bytes to NAME in that directory; its path (valid until the
 * next call). */
const char *fuzz_file(const char *name, const void *data, size_t n);
/* The path of NAME in that directory (newly allocated). */
char	*fuzz_path(const char *name);
/*
 * The input cut at each line "--" (the separator alone on its line) into
 * at most max parts; *n of them, each pointing into data with its length.
 * What a harness of several files (an -ff set, a DiskSim drive) reads.
 */
void	fuzz_split(const uint8_t *data, size_t size, const uint8_t **part,
	    size_t *len, unsigned max, unsigned *n);

/* Read a trace to its end as vfssim replay does, each record written in
 * the native format and parsed back: it must be the same record. */
void	fuzz_read_trace(const char *path);

/* A finding: vfssim broke a promise (abort, with why). */
void	fuzz_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

#endif
