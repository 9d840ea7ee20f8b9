/*
 * disktrace.c — the drive alone, driven by a block trace (vfssim disk).
 *
 * The trace is read twice: once to check every line before anything is
 * simulated or written (a bad line is an error naming file and line), then
 * by a simulated process that issues the requests — at their times for an
 * ascii trace, one at a time for a validate trace, each arriving the traced
 * gap after the one before completed.  Every request lands in disk_io with
 * where its time went; a validate trace's measured and simulated service
 * times are compared by the demerit figure.
 */
#include "disktrace.h"

#include "disk.h"
#include "engine.h"
#include "kern.h"
#include "metrics.h"
#include "profile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(vfssim-disktrace-error-quark, disktrace_error)

struct dtreq {
	int64_t		 block;
	int		 blocks;
	bool		 write;
	double		 at_ms;		/* ascii: arrival */
	double		 serv_ms;	/* validate: measured service */
	double		 gap_ms;	/* validate: idle before the next */
};

struct dtrun {
	const struct disktrace_opts *o;
	enum disktrace_format fmt;
	struct sim	*sim;
	struct disk	 d;
	bool		 disk_up;
	struct metrics	*m;
	FILE		*f;
	char		*buf;
	size_t		 bufsz;
	int		 line;
	int		 outstanding;
	GError		*error;
	/* per request, for the comparison */
	GArray		*meas, *simt;
	double		 resp_ns, serv_ns;
	uint64_t	 done, read_hits, write_hits;
};

/* ---- reading the trace ---------------------------------------------------- */

static bool
blank(const char *l)
{
	while (*l == ' ' || *l == '\t' || *l == '\r' || *l == '\n')
		l++;
	return *l == '\0' || *l == '#';
}

/* A bad line: the error names file and line; -1 for the reader. */
static int
bad_line(struct dtrun *t, GError **err, const char *what)
{
	g_set_error(err, DISKTRACE_ERROR, DISKTRACE_ERROR_INPUT, "%s:%d: %s",
	    t->o->trace, t->line, what);
	return -1;
}

/* Parse one line; 1 a request, 0 a blank line, -1 an error. */
static int
parse(struct dtrun *t, const char *l, struct dtreq *q, GError **err)
{
	char rw, cls[32], *end;
	double serv, gap, at;
	long long blk, n, dev;
	unsigned long flags;
	int k = 0;

	if (blank(l))
		return 0;
	memset(q, 0, sizeof(*q));
	if (t->fmt == DT_VALIDATE) {
		if (sscanf(l, " %c %31s %lld %lld %lf %lf %n", &rw, cls, &blk, &n,
		    &serv, &gap, &k) != 6 || l[k] != '\0')
			return bad_line(t, err, "expected R|W CLASS BLOCK BLOCKS "
			    "SERVICE_US GAP_US");
		if (rw != 'R' && rw != 'W')
			return bad_line(t, err, "the first field must be R or W");
		if (!isfinite(serv) || !isfinite(gap) || serv < 0 || gap < 0 ||
		    serv > 1e9 || gap > 1e12)
			return bad_line(t, err, "times must be positive microseconds");
		q->write = rw == 'W';
		q->serv_ms = serv / 1000;
		q->gap_ms = gap / 1000;
	} else {
		at = g_ascii_strtod(l, &end);
		if (end == l || sscanf(end, "%lld %lld %lld %lx %n", &dev, &blk, &n,
		    &flags, &k) != 4 || end[k] != '\0')
			return bad_line(t, err, "expected ARRIVAL_MS DEVICE BLOCK "
			    "BLOCKS FLAGS");
		if (!isfinite(at) || at < 0 || at > 366.0 * 86400e3)
			return bad_line(t, err, "the arrival time must be 0 to "
			    "366 days, in ms");
		q->at_ms = at;
		q->write = !(flags & 1);
	}
	if (blk < 0 || n < 1 || n > (1 << 20))
		return bad_line(t, err, "a request needs a block >= 0 and 1 to "
		    "2^20 blocks");
	if (blk + n > disk_capacity(&t->d)) {
		char *m = g_strdup_printf("blocks %lld-%lld are beyond the "
		    "drive's %lld", blk, blk + n - 1,
		    (long long)disk_capacity(&t->d));

		(void)bad_line(t, err, m);
		g_free(m);
		return -1;
	}
	q->block = blk;
	q->blocks = (int)n;
	return 1;
}

/* The next request of the trace; 1, 0 at the end, -1 on an error. */
static int
next(struct dtrun *t, struct dtreq *q, GError **err)
{
	ssize_t len;

	while ((len = getline(&t->buf, &t->bufsz, t->f)) >= 0) {
		int rc;

		t->line++;
		if (memchr(t->buf, '\0', (size_t)len) != NULL)
			return bad_line(t, err, "binary data");
		if ((rc = parse(t, t->buf, q, err)) != 0)
			return rc;
	}
	if (ferror(t->f)) {
		g_set_error(err, DISKTRACE_ERROR, DISKTRACE_ERROR_RUN, "%s: %s",
		    t->o->trace, g_strerror(errno));
		return -1;
	}
	return 0;
}

static bool
rewind_trace(struct dtrun *t, GError **err)
{
	if (t->f != NULL)
		fclose(t->f);
	t->f = fopen(t->o->trace, "r");
	t->line = 0;
	if (t->f == NULL) {
		g_set_error(err, DISKTRACE_ERROR, 0, "%s: %s", t->o->trace,
		    g_strerror(errno));
		return false;
	}
	return true;
}

/* Which format: a validate trace's lines start with R or W. */
static bool
detect(struct dtrun *t, GError **err)
{
	ssize_t len;

	t->fmt = t->o->format;
	if (t->fmt != DT_AUTO)
		return true;
	while ((len = getline(&t->buf, &t->bufsz, t->f)) >= 0) {
		const char *l = t->buf;

		if (blank(l))
			continue;
		while (*l == ' ' || *l == '\t')
			l++;
		t->fmt = *l == 'R' || *l == 'W' ? DT_VALIDATE : DT_ASCII;
		return rewind_trace(t, err);
	}
	g_set_error(err, DISKTRACE_ERROR, 0, "%s: no requests", t->o->trace);
	return false;
}

/* ---- the run --------------------------------------------------------------- */

const struct disk_io_row *
disk_io_row_of(const struct diskreq *r, struct disk_io_row *row)
{
	row->submit_ns = r->submit;
	row->start_ns = r->start;
	row->end_ns = r->end;
	row->sector = r->sector;
	row->sectors = r->nsect;
	row->write = r->write;
	row->seek_ns = r->seek_ns;
	row->rot_ns = r->rot_ns;
	row->xfer_ns = r->xfer_ns;
	row->overhead_ns = r->overhead_ns;
	row->bufs = r->nbufs;
	row->cache_hit = r->cache_hit;
	row->cylinder = r->cyl;
	return row;
}

static void
on_done(void *arg, struct diskreq *r)
{
	struct dtrun *t = arg;
	struct disk_io_row row;
	double serv = (double)(r->end - r->start);

	if (t->m != NULL && t->o->events)
		metrics_disk_io(t->m, disk_io_row_of(r, &row));
	g_array_append_val(t->simt, serv);
	t->serv_ns += serv;
	t->resp_ns += (double)(r->end - r->submit);
	t->done++;
	if (r->cache_hit == DISK_HIT_FULL) {
		if (r->write)
			t->write_hits++;
		else
			t->read_hits++;
	}
	t->outstanding--;
	g_free(r);
	wakeup(t->sim, t);
}

static void
submit(struct dtrun *t, const struct dtreq *q)
{
	struct diskreq *r = g_new0(struct diskreq, 1);

	r->sector = q->block;
	r->nsect = q->blocks;
	r->write = q->write;
	r->nbufs = 1;
	t->outstanding++;
	disk_strategy(&t->d, r);
}

/* The simulated process that issues the trace's requests. */
static void
issuer(void *arg)
{
	struct dtrun *t = arg;
	struct dtreq q;
	int rc;

	while ((rc = next(t, &q, &t->error)) == 1) {
		if (t->o->interrupted != NULL && *t->o->interrupted) {
			g_set_error(&t->error, DISKTRACE_ERROR, DISKTRACE_ERROR_RUN,
			    "interrupted at %.3f s simulated",
			    (double)sim_now(t->sim) / 1e9);
			return;
		}
		if (t->fmt == DT_ASCII) {
			sim_time_t at = (sim_time_t)llround(q.at_ms * 1e6);

			if (at > sim_now(t->sim))
				sim_pause(t->sim, at - sim_now(t->sim));
			submit(t, &q);
			continue;
		}
		/* One at a time; the next comes the gap after completion. */
		g_array_append_val(t->meas, q.serv_ms);
		submit(t, &q);
		while (t->outstanding > 0)
			tsleep(t->sim, t, "biowait", 0);
		if (q.gap_ms > 0)
			sim_pause(t->sim, (sim_time_t)llround(q.gap_ms * 1e6));
	}
	while (t->outstanding > 0)
		tsleep(t->sim, t, "biowait", 0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
disktrace_demerit(double *a, double *b, size_t n)
{
	double sum = 0;
	int i;

	if (n == 0)
		return 0;
	qsort(a, n, sizeof(double), cmp_double);
	qsort(b, n, sizeof(double), cmp_double);
	/* The p-quantile of a sample of n is its ceil(p n)-th smallest. */
	for (i = 1; i <= 10000; i++) {
		size_t k = (size_t)ceil((double)i * (double)n / 10000.0 - 1e-9);
		double dx;

		k = k == 0 ? 0 : k - 1;
		dx = a[k] - b[k];
		sum += dx * dx;
	}
	return sqrt(sum / 10000);
}

static void
put(struct dtrun *t, const char *name, double v)
{
	if (t->m != NULL)
		metrics_summary(t->m, name, v);
}

static void
free_req(struct diskreq *r, void *arg)
{
	(void)arg;
	g_free(r);
}

bool
disktrace_run(const struct disktrace_opts *o, struct disktrace_result *res,
    GError **err)
{
	struct dtrun t;
	struct disk_params dp;
	struct dtreq q;
	struct run_info ri;
	char *ptext = NULL;
	const struct diskq_ops *qops;
	uint64_t n = 0;
	int rc;
	bool ok = false;

	memset(&t, 0, sizeof(t));
	memset(res, 0, sizeof(*res));
	res->run = -1;
	t.o = o;
	t.meas = g_array_new(FALSE, FALSE, sizeof(double));
	t.simt = g_array_new(FALSE, FALSE, sizeof(double));
	if (!disk_from_profile(&dp, o->prof, err))
		goto out;
	t.sim = sim_create();
	qops = diskq_lookup(profile_str(o->prof, "diskq", "scheduler"));
	disk_init(&t.d, t.sim, &dp, qops);
	disk_params_free(&dp);
	t.disk_up = true;
	t.d.done = on_done;
	t.d.done_arg = &t;

	/* 1. Check the whole trace before anything is written. */
	if (!rewind_trace(&t, err) || !detect(&t, err))
		goto out;
	{
		double last = 0;

		while ((rc = next(&t, &q, err)) == 1) {
			if (t.fmt == DT_ASCII && q.at_ms < last) {
				(void)bad_line(&t, err,
				    "arrival times must not go back");
				goto out;
			}
			last = q.at_ms;
			n++;
		}
		if (rc < 0)
			goto out;
	}
	if (n == 0) {
		g_set_error(err, DISKTRACE_ERROR, 0, "%s: no requests", o->trace);
		goto out;
	}
	if (o->check_only) {
		res->requests = n;
		ok = true;
		goto out;
	}
	if (!rewind_trace(&t, err))
		goto out;

	/* 2. Open the database and begin the run. */
	if (o->db != NULL) {
		t.m = metrics_open(o->db, err);
		if (t.m == NULL)
			goto out;
		ptext = profile_to_text(o->prof);
		memset(&ri, 0, sizeof(ri));
		ri.trace = o->trace;
		ri.format = t.fmt == DT_VALIDATE ? "disk-validate" : "disk-ascii";
		ri.profile = ptext;
		ri.profile_sources = profile_sources(o->prof);
		ri.seed = profile_int(o->prof, "replay", "seed");
		ri.label = o->label;
		res->run = metrics_begin_run(t.m, &ri, err);
		if (res->run < 0)
			goto out;
	}

	/* 3. Run. */
	sim_spawn(t.sim, "issuer", issuer, &t, 0);
	if (sim_run(t.sim) == SIM_DEADLOCK && t.error == NULL)
		g_set_error(&t.error, DISKTRACE_ERROR, DISKTRACE_ERROR_RUN,
		    "the drive never "
		    "completed a request (a simulator bug)");
	if (t.error != NULL) {
		if (t.m != NULL)
			metrics_fail_run(t.m, t.error->message);
		g_propagate_error(err, t.error);
		t.error = NULL;
		goto out;
	}

	/* 4. The figures. */
	res->format = t.fmt;
	res->requests = t.done;
	res->sim_mean_ms = t.serv_ns / (double)t.done / 1e6;
	res->resp_mean_ms = t.resp_ns / (double)t.done / 1e6;
	res->read_hits = t.read_hits;
	res->write_hits = t.write_hits;
	{
		struct disk_stats *ds = &t.d.st;
		double nd = (double)(ds->reads + ds->writes);

		put(&t, "disk.requests", nd);
		put(&t, "disk.reads", (double)ds->reads);
		put(&t, "disk.writes", (double)ds->writes);
		put(&t, "disk.bytes_read", (double)ds->sectors_read * 512);
		put(&t, "disk.bytes_written", (double)ds->sectors_written * 512);
		put(&t, "disk.read_hits", (double)ds->read_hits);
		put(&t, "disk.read_partial_hits", (double)ds->read_partial_hits);
		put(&t, "disk.write_hits", (double)ds->write_hits);
		put(&t, "disk.mean_service_ns", (double)ds->busy_ns / nd);
		put(&t, "disk.mean_response_ns", t.resp_ns / nd);
		put(&t, "disk.mean_seek_ns", (double)ds->seek_ns / nd);
		put(&t, "disk.mean_rot_ns", (double)ds->rot_ns / nd);
		put(&t, "disk.mean_xfer_ns", (double)ds->xfer_ns / nd);
		put(&t, "disk.mean_overhead_ns", (double)ds->overhead_ns / nd);
		put(&t, "disk.mean_queue_ns", (double)ds->queue_ns / nd);
		put(&t, "disk.max_queue", ds->maxqlen);
		put(&t, "time.simulated_ns", (double)sim_now(t.sim));
	}
	if (t.fmt == DT_VALIDATE) {
		double *a = (double *)(void *)t.meas->data;
		double *b = (double *)(void *)t.simt->data;
		double ms = 0;
		size_t i;

		for (i = 0; i < t.simt->len; i++)
			b[i] /= 1e6;
		for (i = 0; i < t.meas->len; i++)
			ms += a[i];
		res->meas_mean_ms = ms / (double)t.meas->len;
		res->demerit_ms = disktrace_demerit(a, b, t.meas->len);
		res->demerit_pct = 100 * res->demerit_ms / res->meas_mean_ms;
		put(&t, "validate.measured_mean_ms", res->meas_mean_ms);
		put(&t, "validate.simulated_mean_ms", res->sim_mean_ms);
		put(&t, "validate.demerit_ms", res->demerit_ms);
		put(&t, "validate.demerit_pct", res->demerit_pct);
	}
	if (t.m != NULL && !metrics_end_run(t.m, err))
		goto out;
	ok = true;
out:
	g_free(ptext);
	if (t.f != NULL)
		fclose(t.f);
	free(t.buf);
	metrics_close(t.m);
	if (t.sim != NULL)
		sim_destroy(t.sim);
	if (t.disk_up) {
		disk_abort(&t.d, free_req, NULL);
		disk_destroy(&t.d);
	}
	g_array_free(t.meas, TRUE);
	g_array_free(t.simt, TRUE);
	if (t.error != NULL)
		g_error_free(t.error);
	return ok;
}
