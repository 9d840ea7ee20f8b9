/*
 * diskmech.c — how long the arm takes to move (DiskSim's dm_mech_g1).
 *
 * A seek accelerates, coasts and settles: short seeks are dominated by
 * acceleration and settling and grow with the square root of the distance,
 * long ones coast at full speed and grow linearly (Ruemmler and Wilkes,
 * "An introduction to disk drive modeling", 1994).  The drive's curve is
 * given in one of DiskSim's forms: the two-regime equation, the same with
 * measured times for the first ten distances (short seeks are choppy), a
 * measured curve interpolated between its points, or a curve through the
 * spec sheet's minimum, average and maximum (Lee's, or straight lines).
 *
 * Moving to another track costs the seek or the head switch, whichever is
 * longer, and a write also waits for the head to settle more precisely
 * (or, as some of DiskSim's extracted drives have it, less).
 */
#include "disk.h"
#include "disk_private.h"
#include "kassert.h"

#include <math.h>
#include <stdlib.h>

#include <glib.h>

static double
hpl_ms(const struct disk_params *p, double d)
{
	if (d < p->seek_boundary)
		return p->seek_a + p->seek_b * sqrt(d);
	return p->seek_c + p->seek_e * d;
}

/* The measured curve: exact at its points, linear between them, and
 * extended along its last segment beyond the last. */
static double
extracted_ms(const struct disk_params *p, double d)
{
	int n = p->seek_npoints, lo = 0, hi = n - 1;
	double d1, d2, t1, t2;

	if (d <= (double)p->seek_dist[0])
		return p->seek_ms[0] * d / (double)p->seek_dist[0];
	if (n == 1)
		return p->seek_ms[0];
	if (d >= (double)p->seek_dist[n - 1]) {
		lo = n - 2;
	} else {
		/* The one lo with dist[lo] <= d < dist[lo + 1] (the distances
		 * ascend, disk_seek_params_check): halving the range without
		 * a branch to mispredict, a seek's distance being random. */
		int len = hi;

		while (len > 1) {
			int half = len / 2;

			lo = (double)p->seek_dist[lo + half] <= d ? lo + half : lo;
			len -= half;
		}
	}
	d1 = (double)p->seek_dist[lo];
	d2 = (double)p->seek_dist[lo + 1];
	t1 = p->seek_ms[lo];
	t2 = p->seek_ms[lo + 1];
	return t1 + (d - d1) * (t2 - t1) / (d2 - d1);
}

/*
 * Lee's curve (1993): t(x) = a sqrt(x - 1) + b (x - 1) + c for a seek of x
 * cylinders on a disk of N, fitted so that t(1) is the one-cylinder time,
 * t(N) the full stroke and the mean over all pairs of cylinders the average
 * seek: a = (-10 min + 15 avg - 5 max) / (3 sqrt N),
 * b = (7 min - 15 avg + 8 max) / (3 N), c = min.
 */
static double
curve_ms(const struct disk_params *p, double d)
{
	double n = (double)p->cylinders;
	double a = (-10 * p->seek_min + 15 * p->seek_avg - 5 * p->seek_max) /
	    (3 * sqrt(n));
	double b = (7 * p->seek_min - 15 * p->seek_avg + 8 * p->seek_max) /
	    (3 * n);

	return a * sqrt(d - 1) + b * (d - 1) + p->seek_min;
}

/* Straight lines from the one-cylinder time to the average at a third of
 * the disk (the mean distance of a random seek), then to the full stroke. */
static double
linear_ms(const struct disk_params *p, double d)
{
	double third = MAX((double)p->cylinders / 3, 2);
	double full = MAX((double)p->cylinders - 1, third + 1);

	if (d <= third)
		return p->seek_min + (p->seek_avg - p->seek_min) * (d - 1) /
		    (third - 1);
	return p->seek_avg + (p->seek_max - p->seek_avg) * (d - third) /
	    (full - third);
}

sim_time_t
disk_seek_time(const struct disk_params *p, int64_t dist)
{
	double d = (double)llabs(dist), ms = 0;

	if (d == 0)
		return 0;
	switch (p->seek) {
	case DSEEK_HPL:
		ms = d == 1 && p->seek_single >= 0 ? p->seek_single : hpl_ms(p, d);
		break;
	case DSEEK_HPLPLUS10:
		ms = d <= 10 ? p->seek_first10[(int)d - 1] : hpl_ms(p, d);
		break;
	case DSEEK_EXTRACTED:
		ms = extracted_ms(p, d);
		break;
	case DSEEK_CURVE:
		ms = curve_ms(p, d);
		break;
	case DSEEK_LINEAR:
		ms = linear_ms(p, d);
		break;
	}
	if (ms < 0)
		ms = 0;
	return ns_round(ms * 1e6);
}

bool
disk_seek_params_check(const struct disk_params *p, char **why)
{
	const char *bad = NULL;
	int i;

	switch (p->seek) {
	case DSEEK_HPLPLUS10:
		for (i = 0; i < 10; i++)
			if (p->seek_first10[i] < 0)
				bad = "the first ten seek times must not be negative";
		/* FALLTHROUGH */
	case DSEEK_HPL:
		if (p->seek_boundary < 1)
			bad = "the seek curve's boundary must be at least 1";
		else if (p->seek_a < 0 || p->seek_b < 0 || p->seek_c < 0 ||
		    p->seek_e < 0)
			bad = "seek coefficients must not be negative";
		break;
	case DSEEK_EXTRACTED:
		if (p->seek_npoints < 1)
			bad = "an extracted seek curve needs points";
		for (i = 0; i < p->seek_npoints && bad == NULL; i++)
			if (p->seek_dist[i] < 1 || p->seek_ms[i] < 0 ||
			    (i > 0 && p->seek_dist[i] <= p->seek_dist[i - 1]))
				bad = "seek curve points must have ascending "
				    "distances from 1 and times not negative";
		break;
	case DSEEK_CURVE:
	case DSEEK_LINEAR:
		if (p->seek_min < 0 || p->seek_avg < p->seek_min ||
		    p->seek_max < p->seek_avg)
			bad = "seek times need 0 <= min <= avg <= max";
		else if (p->cylinders < 3)
			bad = "a min/avg/max seek curve needs 3 cylinders or more";
		break;
	default:
		bad = "unknown seek curve";
	}
	if (bad != NULL && why != NULL)
		*why = g_strdup(bad);
	return bad == NULL;
}

/* A seek of time t between heads from_head and to_head: the head
 * switch if longer, and a write's settle (disk_reposition_time). */
static inline sim_time_t
reposition(const struct disk_params *p, sim_time_t t, int from_head,
    int to_head, bool write)
{
	if (from_head != to_head && p->head_switch > t)
		t = p->head_switch;
	/* A negative settle (the HP C2490A's and DEC RZ26's DiskSim files
	 * have one) shortens a write's move; DiskSim's dm_seek_time_g1
	 * adds it as it is, and disk_initiate_seek ends a move that comes
	 * out negative at once. */
	if (t > 0 && write)
		t = MAX(t + p->write_settle, 0);
	return t;
}

sim_time_t
disk_reposition_time(const struct disk_params *p, int64_t from_cyl,
    int from_head, int64_t to_cyl, int to_head, bool write)
{
	return reposition(p, disk_seek_time(p, to_cyl - from_cyl), from_head,
	    to_head, write);
}

/*
 * disk_reposition_time from where the heads are, each distance's seek
 * time worked out once and kept: a drive's parameters do not change
 * while it runs, and working out a measured curve's time (a search of
 * its points, a division) was a random request's costliest step.
 */
sim_time_t
disk_move_time(struct disk *d, int64_t to_cyl, int to_head, bool write)
{
	int64_t dist = to_cyl - d->cur_cyl;
	uint64_t a = dist < 0 ? -(uint64_t)dist : (uint64_t)dist;
	sim_time_t t;

	if (a < (uint64_t)d->seek_nmemo) {
		if ((t = d->seek_memo[a]) == 0)
			d->seek_memo[a] = t = disk_seek_time(&d->p, dist) + 1;
		t--;
		KASSERT(t == disk_seek_time(&d->p, dist),
		    ("disk_move_time: distance %lld kept as %lld",
		    (long long)dist, (long long)t));
	} else
		t = disk_seek_time(&d->p, dist);
	return reposition(&d->p, t, d->cur_head, to_head, write);
}

/*
 * fmod(t, p) for a time t: t - n p for the whole n that leaves it in
 * [0, p), which is exact (fmod's result always is).  Computed with a
 * fused multiply-add, which rounds the exact t - n p once and so gives
 * it exactly, for n from the quotient t / p (right, or one off near a
 * whole number and then corrected): the same double as fmod's, without
 * its bit-by-bit long division.
 */
static double
time_mod(double t, double p)
{
	double n, r;

	if (!(t >= 0 && t < 0x1p53))
		return fmod(t, p);
	n = (double)(int64_t)(t / p);
	r = fma(-n, p, t);
	if (r < 0)
		r = fma(-(n - 1), p, t);
	else if (r >= p)
		r = fma(-(n + 1), p, t);
	return r;
}

double
disk_angle_at(const struct disk *d, double t)
{
	return time_mod(t, d->period) / d->period;
}

/* A wait within a millionth of a revolution of a whole turn is no wait:
 * the target passed the head by rounding, not by a turn. */
double
disk_rotate_ns(const struct disk *d, double from, double to)
{
	double x = to - from;

	x -= floor(x);
	if (x > 1 - 1e-6)
		x = 0;
	return x * d->period;
}
