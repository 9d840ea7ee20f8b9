/*
 * disktrace.c — the drive alone, driven by a block trace (vfssim disk).
 *
 * The trace is checked whole, every line, before anything is simulated or
 * written (a bad line is an error naming file and line); a simulated
 * process then issues the requests — an ascii trace's read again, at their
 * times, so that memory stays flat however long the trace; a validate
 * trace's kept from the check (its measured times are kept for the demerit
 * anyway), one at a time, each arriving the traced gap after the one before
 * completed.  Every request lands in disk_io with
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
#include <limits.h>
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
	/* A validate trace's requests, kept from the check (struct dtreq):
	 * its measured times are kept anyway, for the demerit. */
	GArray		*vreqs;
	guint		 vnext;
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

/*
 * The fields of a line, one after another: each number must be the whole
 * of its field and in range (strtoll's ERANGE is an error, never a clamp,
 * and nothing later overflows).
 */
static bool
is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *
skip_sep(const char *p)
{
	while (is_sep(*p))
		p++;
	return p;
}

/*
 * A whole field as an integer in the base (10, or 16 with an optional
 * 0x), with an optional sign: what strtoll reads, out of range being an
 * error (never a clamp).  Written out because the trace is read twice and
 * strtoll's locale and generality cost more than the drive's simulation.
 */
static bool
field_ll(const char **p, int base, long long *v)
{
	const char *s = skip_sep(*p);
	unsigned long long x = 0, lim;
	bool neg = false;
	int n = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    g_ascii_isxdigit(s[2]))
		s += 2;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (;; s++, n++) {
		int dg = g_ascii_isdigit(*s) ? *s - '0' : base == 16 &&
		    g_ascii_isxdigit(*s) ? g_ascii_xdigit_value(*s) : -1;

		if (dg < 0)
			break;
		if (x > (lim - (unsigned long long)dg) / (unsigned)base)
			return false;		/* out of range */
		x = x * (unsigned)base + (unsigned)dg;
	}
	if (n == 0 || !(is_sep(*s) || *s == '\0'))
		return false;
	*v = neg ? (long long)(0 - x) : (long long)x;
	*p = s;
	return true;
}

/*
 * A whole field as a finite double, as g_ascii_strtod reads it.  The
 * common form — digits with at most a point, up to 2^53 as an integer
 * and 22 places — is read directly: the digits make an exact integer m,
 * 10^k is exact, and m / 10^k is rounded once, to the nearest double, as
 * strtod's result is (Clinger's fast path).  Anything else goes to
 * g_ascii_strtod.
 */
static bool
field_double(const char **p, double *v)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
	    1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *s = skip_sep(*p), *q;
	uint64_t m = 0;
	int digits = 0, places = 0;
	bool neg = false, point = false;
	char *end;

	if (*s == '\0')
		return false;
	q = s;
	if (*q == '-' || *q == '+')
		neg = *q++ == '-';
	for (;; q++) {
		if (*q == '.' && !point) {
			point = true;
			continue;
		}
		if (!g_ascii_isdigit(*q) || m > (UINT64_C(1) << 53) / 10)
			break;
		m = m * 10 + (uint64_t)(*q - '0');
		digits++;
		places += point;
	}
	if (digits > 0 && places <= 22 && m <= (UINT64_C(1) << 53) &&
	    (is_sep(*q) || *q == '\0')) {
		*v = (double)m / pow10[places];
		if (neg)
			*v = -*v;
		*p = q;
		return true;
	}
	*v = g_ascii_strtod(s, &end);
	if (end == s || !isfinite(*v) || !(is_sep(*end) || *end == '\0'))
		return false;
	*p = end;
	return true;
}

/* A word of at most max - 1 characters. */
static bool
field_word(const char **p, char *w, size_t max)
{
	const char *s = skip_sep(*p);
	size_t n = 0;

	while (s[n] != '\0' && !is_sep(s[n]))
		n++;
	if (n == 0 || n >= max)
		return false;
	memcpy(w, s, n);
	w[n] = '\0';
	*p = s + n;
	return true;
}

/* Parse one line; 1 a request, 0 a blank line, -1 an error. */
static int
parse(struct dtrun *t, const char *l, struct dtreq *q, GError **err)
{
	char rw[2], cls[32];
	const char *p = l;
	double serv, gap, at;
	long long blk, n, dev, flags;

	if (blank(l))
		return 0;
	memset(q, 0, sizeof(*q));
	if (t->fmt == DT_VALIDATE) {
		if (!field_word(&p, rw, sizeof(rw)) ||
		    !field_word(&p, cls, sizeof(cls)) ||
		    !field_ll(&p, 10, &blk) || !field_ll(&p, 10, &n) ||
		    !field_double(&p, &serv) || !field_double(&p, &gap) ||
		    *skip_sep(p) != '\0')
			return bad_line(t, err, "expected R|W CLASS BLOCK BLOCKS "
			    "SERVICE_US GAP_US");
		if (rw[0] != 'R' && rw[0] != 'W')
			return bad_line(t, err, "the first field must be R or W");
		if (serv < 0 || gap < 0 || serv > 1e9 || gap > 1e12)
			return bad_line(t, err, "times must be positive microseconds");
		q->write = rw[0] == 'W';
		q->serv_ms = serv / 1000;
		q->gap_ms = gap / 1000;
	} else {
		if (!field_double(&p, &at) || !field_ll(&p, 10, &dev) ||
		    !field_ll(&p, 10, &blk) || !field_ll(&p, 10, &n) ||
		    !field_ll(&p, 16, &flags) || *skip_sep(p) != '\0')
			return bad_line(t, err, "expected ARRIVAL_MS DEVICE BLOCK "
			    "BLOCKS FLAGS");
		if (at < 0 || at > 366.0 * 86400e3)
			return bad_line(t, err, "the arrival time must be 0 to "
			    "366 days, in ms");
		q->at_ms = at;
		q->write = !(flags & 1);
	}
	if (blk < 0 || n < 1 || n > (1 << 20))
		return bad_line(t, err, "a request needs a block >= 0 and 1 to "
		    "2^20 blocks");
	/* (blk + n could overflow: compare blk with what is left.) */
	if (blk > disk_capacity(&t->d) - n) {
		char *m = g_strdup_printf("blocks %lld-%lld are beyond the "
		    "drive's %lld", blk, blk > LLONG_MAX - (n - 1) ? LLONG_MAX :
		    blk + (n - 1), (long long)disk_capacity(&t->d));

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

	for (;;) {
		if (t->fmt == DT_VALIDATE) {
			if (t->vnext >= t->vreqs->len)
				break;
			q = g_array_index(t->vreqs, struct dtreq, t->vnext++);
		} else if ((rc = next(t, &q, &t->error)) != 1)
			break;
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

/*
 * Sort n times (ascending).  Service times are not negative, and the bits
 * of non-negative doubles sort as the numbers do: a radix sort on them,
 * 11 bits a pass (six passes), takes a fraction of qsort's time on a long
 * trace.  (Any other value, or a few hundred, qsort.)
 */
static void
sort_times(double *a, size_t n)
{
	uint64_t *x = (uint64_t *)(void *)a, *tmp, *from, *to, *sw;
	size_t i, count[1 << 11];
	int pass;

	for (i = 0; i < n; i++)
		if (!(a[i] >= 0) || n < 512) {
			qsort(a, n, sizeof(double), cmp_double);
			return;
		}
	G_STATIC_ASSERT(sizeof(double) == sizeof(uint64_t));
	tmp = g_new(uint64_t, n);
	from = x;
	to = tmp;
	for (pass = 0; pass < 6; pass++) {
		int shift = 11 * pass;
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(from[i] >> shift) & 0x7ff]++;
		for (i = 0; i < G_N_ELEMENTS(count); i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i] >> shift) & 0x7ff]++] = from[i];
		sw = from;
		from = to;
		to = sw;
	}
	/* Six passes: the sorted keys are back in a. */
	g_free(tmp);
}

double
disktrace_demerit(double *a, double *b, size_t n)
{
	double sum = 0;
	int i;

	if (n == 0)
		return 0;
	sort_times(a, n);
	sort_times(b, n);
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

/*
 * The host queue's discipline: diskq.scheduler, or with auto the one a
 * DiskSim .parv's I/O driver names (its Scheduling policy: DiskSim runs
 * every validation drive behind an FCFS driver), else FreeBSD's elevator.
 */
static const char *
host_scheduler(const struct profile *prof, const struct disk_params *dp,
    const char **why)
{
	const char *s = profile_str(prof, "diskq", "scheduler");

	if (strcmp(s, "auto") != 0) {
		*why = "diskq.scheduler";
		return s;
	}
	if (dp->host_scheduler != NULL) {
		*why = "diskq.scheduler=auto: the DiskSim I/O driver's Scheduling "
		    "policy";
		return dp->host_scheduler;
	}
	*why = "diskq.scheduler=auto: no DiskSim I/O driver, FreeBSD's "
	    "bufqdisksort";
	return "clook";
}

bool
disktrace_explain(const struct profile *prof, GString *out, GError **err)
{
	GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
	struct disk_params dp;
	const char *specs = profile_str(prof, "disk", "diskspecs"), *why, *q;
	guint i;

	if (!disk_from_profile(&dp, prof, notes, err)) {
		g_ptr_array_free(notes, TRUE);
		return false;
	}
	q = host_scheduler(prof, &dp, &why);
	g_string_append_printf(out, "drive: %s\n", *specs != '\0' ? specs :
	    "the profile's disk.* keys");
	g_string_append_printf(out, "  %lld blocks, %lld cylinders, %d surfaces, "
	    "%d zones, %d rpm, sparing scheme %d, mapping scheme %d\n",
	    (long long)dp.blocks, (long long)dp.cylinders, dp.heads, dp.nzones,
	    dp.rpm, (int)dp.sparing, dp.mapping);
	g_string_append_printf(out, "  cache: %d segments of %d blocks; the "
	    "drive takes %d command%s at a time (%s)\n", dp.nsegs, dp.segsize,
	    dp.queue_depth, dp.queue_depth == 1 ? "" : "s", dp.scheduler);
	g_string_append_printf(out, "host queue (vfssim disk): %s (%s)\n", q, why);
	if (*specs == '\0')
		g_string_append(out, "read and ignored: nothing (every disk.* key "
		    "is used)\n");
	else if (notes->len == 0)
		g_string_append(out, "read and ignored: nothing\n");
	else {
		g_string_append_printf(out, "read and ignored (%u):\n", notes->len);
		for (i = 0; i < notes->len; i++)
			g_string_append_printf(out, "  %s\n",
			    (const char *)g_ptr_array_index(notes, i));
	}
	disk_params_free(&dp);
	g_ptr_array_free(notes, TRUE);
	return true;
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
	const char *why;
	uint64_t n = 0;
	enum sim_status st;
	int rc;
	bool ok = false;

	memset(&t, 0, sizeof(t));
	memset(res, 0, sizeof(*res));
	res->run = -1;
	t.o = o;
	t.meas = g_array_new(FALSE, FALSE, sizeof(double));
	t.simt = g_array_new(FALSE, FALSE, sizeof(double));
	t.vreqs = g_array_new(FALSE, FALSE, sizeof(struct dtreq));
	if (!disk_from_profile(&dp, o->prof, NULL, err))
		goto out;
	t.sim = sim_create();
	qops = diskq_lookup(host_scheduler(o->prof, &dp, &why));
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
			if (t.fmt == DT_VALIDATE) {
				g_array_append_val(t.vreqs, q);
				g_array_append_val(t.meas, q.serv_ms);
			}
		}
		if (rc < 0)
			goto out;
	}
	if (n == 0) {
		g_set_error(err, DISKTRACE_ERROR, 0, "%s: no requests", o->trace);
		goto out;
	}
	if (o->check_only) {
		res->format = t.fmt;
		res->requests = n;
		ok = true;
		goto out;
	}
	/* An ascii trace is read again as it runs (memory stays flat); a
	 * validate trace's requests were kept. */
	if (t.fmt == DT_ASCII && !rewind_trace(&t, err))
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

	/* 3. Run.  A signal stops the engine itself (the drive may run on
	 * by itself after the last line), and so does the drive's livelock
	 * guard. */
	sim_set_interrupt(t.sim, o->interrupted);
	sim_spawn(t.sim, "issuer", issuer, &t, 0);
	st = sim_run(t.sim);
	if (t.error == NULL && t.d.stall != NULL)
		g_set_error(&t.error, DISKTRACE_ERROR, DISKTRACE_ERROR_RUN,
		    "%s: %s", o->trace, t.d.stall);
	else if (t.error == NULL && st == SIM_STOPPED)
		g_set_error(&t.error, DISKTRACE_ERROR, DISKTRACE_ERROR_RUN,
		    "interrupted at %.3f s simulated",
		    (double)sim_now(t.sim) / 1e9);
	else if (st == SIM_DEADLOCK && t.error == NULL)
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
	g_array_free(t.vreqs, TRUE);
	if (t.error != NULL)
		g_error_free(t.error);
	return ok;
}
