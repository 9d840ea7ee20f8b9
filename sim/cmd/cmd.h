/*
 * cmd.h — the vfssim commands, and what they share.
 *
 * A command is a function of its arguments (argv[0] is its name) that
 * parses its own options with a GOptionContext and returns the exit
 * status: 0 success, 1 a failure while running (I/O, database), 2 bad
 * input (an unknown option, a malformed trace or profile).  main.c
 * dispatches to them; the files hold them by family:
 *
 *	cmd_replay.c	replay, crash, mrc: one run of a trace or generator
 *	cmd_trace.c	import, gen: native traces written
 *	cmd_batch.c	compare, sweep: runs side by side; merge
 *	cmd_plot.c	plot, report: runs read back and drawn
 *	cmd_profile.c	profile, sysctl: the machine a profile describes
 *	cmd_disk.c	disk: the drive alone
 *	cmd_cache.c	cache: a replacement policy alone
 *	cmd_fs.c	fs: the starting file system a replay begins from
 */
#ifndef VFSSIM_CMD_H
#define VFSSIM_CMD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define EXIT_BADINPUT	2

struct batch_source;
struct profile;
struct trace_reader;

int	cmd_replay(int argc, char **argv);
int	cmd_crash(int argc, char **argv);
int	cmd_mrc(int argc, char **argv);
int	cmd_import(int argc, char **argv);
int	cmd_gen(int argc, char **argv);
int	cmd_compare(int argc, char **argv);
int	cmd_sweep(int argc, char **argv);
int	cmd_merge(int argc, char **argv);
int	cmd_plot(int argc, char **argv);
int	cmd_report(int argc, char **argv);
int	cmd_profile(int argc, char **argv);
int	cmd_sysctl(int argc, char **argv);
int	cmd_disk(int argc, char **argv);
int	cmd_cache(int argc, char **argv);
int	cmd_fs(int argc, char **argv);

/* Say what went wrong ("vfssim: " and err's message, err freed); code. */
int	cmd_fail(GError *err, int code);

/* Errors about what the user gave us (exit 2) vs. failures (exit 1). */
int	cmd_code_of(const GError *err);

/* The data directory make install filled (profiles/, disks/): the
 * environment's VFSSIM_DATADIR, or the one vfssim was built with. */
const char *cmd_datadir(void);
/* A profile named on the command line: path itself if it is absolute or
 * there, else the data directory's path or profiles/path if that is
 * (newly allocated). */
char	*cmd_find_data(const char *path);

/* The command line as a shell would take it back ("vfssim replay
 * 'my trace' --db x.db"), for the runs table: called before the options
 * are parsed (argv[0] is the command's name). */
char	*cmd_line(int argc, char **argv);

/* Parse a command's options; on --help GOptionContext prints and exits. */
bool	cmd_parse(GOptionContext *ctx, int *argc, char ***argv, GError **err);

/* The profile of --profile FILE (or the defaults) with each --set applied
 * in order, then replay.seed if seed >= 0; NULL if one is bad. */
struct profile *cmd_build_profile(const char *file, char **sets, gint64 seed,
	    GError **err);

/* Check a run's source: the trace opens and is a trace; the generator
 * knows its parameters.  Bad input, before anything runs. */
bool	cmd_check_source(const struct batch_source *src, GError **err);

/* From now on SIGINT and SIGTERM set the flag returned (replay_opts,
 * batch_opts, disktrace_opts .interrupted): the run stops, marked
 * failed. */
volatile sig_atomic_t *cmd_catch_signals(void);

#endif
