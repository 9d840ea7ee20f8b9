/*
 * disktrace.h — the drive alone, driven by a block trace (vfssim disk).
 *
 * Two of DiskSim's trace formats are read, one request a line:
 *
 *   ascii     ARRIVAL_MS DEVICE BLOCK BLOCKS FLAGS   (flags: bit 0 = read)
 *   validate  R|W CLASS BLOCK BLOCKS SERVICE_US GAP_US
 *
 * An ascii trace is open: each request arrives at its time, whatever the
 * drive is doing, and waits in the queues.  A validate trace was captured
 * one request at a time on a real drive: each line gives the service time
 * measured on the bus and the idle gap before the next request, which
 * arrives that long after this one completes (as DiskSim replays it).  Its
 * measured and simulated service times are compared by the demerit figure
 * (Ruemmler and Wilkes): the root-mean-square horizontal distance between
 * the two cumulative distributions, taken at every 0.01 % of probability.
 */
#ifndef VFSSIM_DISKTRACE_H
#define VFSSIM_DISKTRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct profile;
struct diskreq;
struct disk_io_row;

/* DT_HPL, DT_HPL2: HP Laboratories' SRT traces, with their text header
 * and without (hplsrt.c; DiskSim's hpl and hpl2), open arrivals as an
 * ascii trace's. */
enum disktrace_format { DT_AUTO, DT_ASCII, DT_VALIDATE, DT_HPL, DT_HPL2 };

struct disktrace_opts {
	const char		*trace;
	enum disktrace_format	 format;
	const char		*db;		/* NULL: record nothing */
	const struct profile	*prof;
	bool			 events;	/* a disk_io row per request */
	const char		*label;
	const char		*cmdline;	/* for the runs table, or NULL */
	volatile sig_atomic_t	*interrupted;
	bool			 check_only;	/* read and check the trace
						   (res->requests), run nothing:
						   the fuzzing harness */
	/* With pick_device, an ascii trace's device whose requests are
	 * replayed, the others left out; without, every request must name
	 * one device (vfssim models one drive). */
	bool			 pick_device;
	int64_t			 device;
	/* End the run when the trace's last request arrives, as DiskSim
	 * does (it stops once its trace has no next event): requests not
	 * done by then are left out of every figure.  Without it every
	 * request is run to its end. */
	bool			 until_last_arrival;
};

struct disktrace_result {
	int64_t		 run;		/* -1 without a database */
	enum disktrace_format format;
	uint64_t	 requests;
	uint64_t	 other_devices;	/* requests of other devices left out */
	uint64_t	 left_outstanding;	/* not done at the last arrival
						   (until_last_arrival) */
	double		 sim_mean_ms;	/* mean simulated service time */
	double		 resp_mean_ms;	/* mean response (queue + service) */
	uint64_t	 read_hits, write_hits;
	/* validate traces */
	double		 meas_mean_ms;
	double		 demerit_ms, demerit_pct;	/* as DiskSim's rms */
	double		 demerit_exact_ms;	/* from the times themselves */
};

bool	disktrace_run(const struct disktrace_opts *o, struct disktrace_result *res,
	    GError **err);
/* What a profile's drive is and how vfssim disk would run it: its size,
 * cache and queues, and every parameter of its DiskSim files read and
 * ignored, with why (vfssim disk --explain). */
bool	disktrace_explain(const struct profile *prof, GString *out, GError **err);

/* The disk_io row of a completed request (vfssim disk and replay record
 * the drive's requests alike); returns row. */
const struct disk_io_row *disk_io_row_of(const struct diskreq *r,
	    struct disk_io_row *row);

/* The demerit of two samples of n times (sorted in place): the RMS
 * horizontal distance between their CDFs at every 0.01 % of probability. */
double	disktrace_demerit(double *a, double *b, size_t n);
/* The demerit as DiskSim computes it (its rms tool): the same distance
 * between the two samples' curves as DiskSim's statistics print them,
 * times counted into its statdefs' buckets and interpolated between
 * them.  a and b in order, in milliseconds. */
double	disktrace_demerit_disksim(const double *a, const double *b, size_t n);

#define DISKTRACE_ERROR disktrace_error_quark()
#define	DISKTRACE_ERROR_INPUT	0	/* a bad trace (exit status 2) */
#define	DISKTRACE_ERROR_RUN	1	/* a failure while running */
GQuark	disktrace_error_quark(void);

#endif
