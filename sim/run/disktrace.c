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
#include "kassert.h"
#include "kern.h"
#include "metrics.h"
#include "profile.h"
#include "trace.h"

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
	double		 serv_us;	/* validate: measured service */
	double		 gap_ms;	/* validate: idle before the next */
};

/*
 * A validate trace's request as kept from the check for its run
 * (issue_validate, on_done): 32 bytes, kept in chunks of 4,096 that are
 * never moved, so that each page of them is touched once -- an array
 * grown by doubling copies itself as it grows, and on a trace of 150,000
 * requests its copies were some 1,300 of the run's 3,200 page faults.
 */
struct vreq {
	int64_t		 block;
	double		 gap_ms;
	double		 serv_us;
	int32_t		 blocks;
	bool		 write;
};
#define	VREQ_SHIFT	12
#define	VREQ_CHUNK	(1u << VREQ_SHIFT)

struct dtrun {
	const struct disktrace_opts *o;
	enum disktrace_format fmt;
	struct sim	*sim;
	struct disk	 d;
	bool		 disk_up;
	struct metrics	*m;
	struct lineio	*in;		/* the trace, plain or gzip'd */
	struct hplsrt	*hpl;		/* or an HP trace's records */
	char		*buf;		/* its line, NUL-terminated */
	size_t		 bufsz;
	int		 line;
	int		 outstanding;
	GError		*error;
	/* Issuing (issue_validate, issue_ascii): an ascii trace's request
	 * read and waiting for its time; the trace all issued (or stopped);
	 * requests handed back, kept for the next. */
	struct dtreq	 pending;
	bool		 have_pending;
	bool		 issued;
	struct diskreq	*spare;
	/* per request, for the comparison */
	GArray		*meas, *simt;
	/* A validate trace's requests, kept from the check (struct vreq,
	 * chunks of VREQ_CHUNK): its measured times are kept anyway, for
	 * the demerit. */
	GPtrArray	*vchunks;
	guint		 nvreqs, vnext;
	double		 resp_ns, serv_ns;
	uint64_t	 done, read_hits, write_hits;
	/* An ascii trace's device (opts.device, else the first line's), the
	 * line that named it, and the requests of others left out (counted
	 * while the trace is checked, not again as it runs). */
	long long	 dev;
	int		 dev_line;
	bool		 checked;
	uint64_t	 other_devices;
};

/* The i-th kept request of a validate trace. */
static inline struct vreq *
vreq_at(const struct dtrun *t, guint i)
{
	KASSERT(i < t->nvreqs, ("request %u of %u kept", i, t->nvreqs));
	return &((struct vreq *)g_ptr_array_index(t->vchunks,
	    i >> VREQ_SHIFT))[i & (VREQ_CHUNK - 1)];
}

/* A validate trace's request kept, at the end. */
static void
vreq_keep(struct dtrun *t, const struct dtreq *q)
{
	struct vreq *v;

	if ((t->nvreqs & (VREQ_CHUNK - 1)) == 0)
		g_ptr_array_add(t->vchunks, g_new(struct vreq, VREQ_CHUNK));
	v = &((struct vreq *)g_ptr_array_index(t->vchunks,
	    t->nvreqs >> VREQ_SHIFT))[t->nvreqs & (VREQ_CHUNK - 1)];
	t->nvreqs++;
	v->block = q->block;
	v->gap_ms = q->gap_ms;
	v->serv_us = q->serv_us;
	v->blocks = q->blocks;
	v->write = q->write;
}

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
static inline bool
is_sep(char c)
{
	return c == ' ' || ((unsigned char)c < ' ' &&
	    (c == '\t' || c == '\r' || c == '\n'));
}

static inline const char *
skip_sep(const char *p)
{
	while (is_sep(*p))
		p++;
	return p;
}

static inline int
digit(char c)
{
	return (unsigned char)(c - '0') < 10 ? c - '0' : -1;
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
	const char *s = skip_sep(*p), *d0;
	unsigned long long x = 0, lim;
	bool neg = false;
	int dg;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    g_ascii_isxdigit(s[2]))
		s += 2;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	d0 = s;
	if (base == 10) {
		/* Up to 18 digits cannot overflow. */
		while ((dg = digit(*s)) >= 0 && s - d0 < 18) {
			x = x * 10 + (unsigned)dg;
			s++;
		}
	}
	for (;; s++) {
		dg = digit(*s);
		if (dg < 0 && base == 16 && g_ascii_isxdigit(*s))
			dg = g_ascii_xdigit_value(*s);
		if (dg < 0)
			break;
		if (x > (lim - (unsigned long long)dg) / (unsigned)base)
			return false;		/* out of range */
		x = x * (unsigned)base + (unsigned)dg;
	}
	if (s == d0 || !(is_sep(*s) || *s == '\0'))
		return false;
	*v = neg ? (long long)(0 - x) : (long long)x;
	*p = s;
	return true;
}

/*
 * A whole field as a finite double, as g_ascii_strtod reads it.  The
 * common form — digits with at most a point, at most 15 digits and so an
 * integer below 2^53 — is read directly: the digits make an exact integer
 * m, 10^k is exact, and m / 10^k is rounded once, to the nearest double,
 * as strtod's result is (Clinger's fast path).  Anything else goes to
 * g_ascii_strtod.
 */
static bool
field_double(const char **p, double *v)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	const char *s = skip_sep(*p), *q, *i0, *f0 = NULL;
	uint64_t m = 0;
	int dg, places = 0, digits;
	bool neg = false;
	char *end;

	if (*s == '\0')
		return false;
	q = s;
	if (*q == '-' || *q == '+')
		neg = *q++ == '-';
	i0 = q;
	while ((dg = digit(*q)) >= 0) {
		m = m * 10 + (uint64_t)dg;
		q++;
	}
	digits = (int)(q - i0);
	if (*q == '.') {
		f0 = ++q;
		while ((dg = digit(*q)) >= 0) {
			m = m * 10 + (uint64_t)dg;
			q++;
		}
		places = (int)(q - f0);
		digits += places;
	}
	/* (More than 15 digits may have wrapped m: strtod reads them.) */
	if (digits > 0 && digits <= 15 && (is_sep(*q) || *q == '\0')) {
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

/* A word of 1 to max characters; *w its first. */
static bool
field_word(const char **p, size_t max, char *w)
{
	const char *s = skip_sep(*p);
	size_t n = 0;

	while (s[n] != '\0' && !is_sep(s[n]))
		n++;
	if (n == 0 || n > max)
		return false;
	*w = *s;
	*p = s + n;
	return true;
}

/*
 * The digits at the start of eight bytes of the line, w (the first the
 * lowest): how many (0 to 8), their value in *v.  A word at a time: a byte is a
 * digit when its high nibble is 3 and adding 6 does not carry into it
 * (a carry from an earlier byte comes only from a byte that is not a
 * digit, before which the count stops); the digits, less '0', are moved
 * to the word's top as if led by zeros, and pairs, quads and halves are
 * combined by three multiplications.  On machines that are not
 * little-endian, 0 (and the line is read the general way).
 */
static inline int
word_digits_w(uint64_t w, uint64_t *v)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	const uint64_t hi = UINT64_C(0xf0f0f0f0f0f0f0f0),
	    zeros = UINT64_C(0x3030303030303030);
	uint64_t bad;
	int k;

	bad = ((w & hi) ^ zeros) |
	    (((w + UINT64_C(0x0606060606060606)) & hi) ^ zeros);
	k = bad == 0 ? 8 : __builtin_ctzll(bad) >> 3;
	if (k == 0) {
		*v = 0;
		return 0;
	}
	/* (No borrow among the k digits, each at least '0'.) */
	w = (w - zeros) << (8 * (8 - k));
	w = w * 10 + (w >> 8);
	*v = ((w & UINT64_C(0x000000ff000000ff)) *
	    (100 + (UINT64_C(1000000) << 32)) +
	    ((w >> 16) & UINT64_C(0x000000ff000000ff)) *
	    (1 + (UINT64_C(10000) << 32))) >> 32;
	return k;
#else
	(void)w;
	*v = 0;
	return 0;
#endif
}

/*
 * A run of digits from p (before e, in the line that begins at l),
 * appended to *x as x * 10 + digit each (modulo 2^64, as the loop digit
 * by digit would make it): eight bytes at a time while eight are left in
 * the line; the last one to seven as the line's last eight bytes, those
 * before p shifted out (zeros come in at the top, and a zero byte is not
 * a digit), when the line has eight; else one by one -- a validate line's
 * last field ends it, and its last digits were a loop of six a line
 * (some 80 instructions).  The end of the run.
 */
static inline const char *
digit_run(const char *l, const char *p, const char *e, uint64_t *x)
{
	static const uint64_t pow10u[] = { 1, 10, 100, 1000, 10000, 100000,
	    1000000, 10000000, 100000000 };
	uint64_t m = *x, v, w;
	int k;

	while (p < e) {
		if (e - p >= 8)
			memcpy(&w, p, 8);
		else if (e - l >= 8 && G_BYTE_ORDER == G_LITTLE_ENDIAN) {
			memcpy(&w, e - 8, 8);
			w >>= 8 * (8 - (e - p));
		} else
			break;
		k = word_digits_w(w, &v);
		m = m * pow10u[k] + v;
		p += k;
		if (k < 8) {
			*x = m;
			return p;
		}
	}
	for (; p < e && digit(*p) >= 0; p++)
		m = m * 10 + (uint64_t)(*p - '0');
	*x = m;
	return p;
}

static int validate_request(struct dtrun *t, struct dtreq *q, char rw,
    long long blk, long long n, double serv, double gap, GError **err);
static int block_range(struct dtrun *t, struct dtreq *q, long long blk,
    long long n, GError **err);

/*
 * A validate line of the usual form, read in one pass over [l, e): R or W,
 * a class, two unsigned integers of at most 18 digits, two unsigned
 * decimals of at most 15 digits, separated by blanks -- field_word,
 * field_ll and field_double's fast path, fused, giving the same values
 * (field_double's m / 10^k is exact but for the one rounding; an integer
 * of at most 18 digits is what field_ll reads), the digits eight at a time
 * (digit_run).  2: not of that form (a
 * NUL in it, a sign, an exponent, a comment...): parse reads it the
 * general way.  Else as parse: 1 a request, -1 an error.
 */
static int
parse_validate_fast(struct dtrun *t, const char *l, const char *e,
    struct dtreq *q, GError **err)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	/* 1: a separator (is_sep's) */
	static const unsigned char cclass[256] = {
	    ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1,
	};
	const char *p = l, *w;
	long long iv[2];
	double dv[2];
	char rw;
	int f;

#define	SEP(c)	(cclass[(unsigned char)(c)] == 1)
	while (p < e && SEP(*p))
		p++;
	/* (Anything but R or W -- a comment, junk -- the general way.) */
	if (p + 1 >= e || (*p != 'R' && *p != 'W') || !SEP(p[1]))
		return 2;
	rw = *p++;
	while (p < e && SEP(*p))
		p++;
	for (w = p; p < e && !SEP(*p); p++)
		if (*p == '\0')
			return 2;
	if (p == w || p - w > 31)
		return 2;
	for (f = 0; f < 2; f++) {
		uint64_t x = 0;

		while (p < e && SEP(*p))
			p++;
		w = p;
		p = digit_run(l, p, e, &x);
		if (p == w || p - w > 18 || (p < e && !SEP(*p)))
			return 2;
		iv[f] = (long long)x;
	}
	for (f = 0; f < 2; f++) {
		uint64_t m = 0;
		int places = 0, digits;

		while (p < e && SEP(*p))
			p++;
		w = p;
		p = digit_run(l, p, e, &m);
		digits = (int)(p - w);
		if (p < e && *p == '.') {
			w = ++p;
			p = digit_run(l, p, e, &m);
			places = (int)(p - w);
			digits += places;
		}
		if (digits == 0 || digits > 15 || (p < e && !SEP(*p)))
			return 2;
		dv[f] = (double)m / pow10[places];
	}
	while (p < e && SEP(*p))
		p++;
	if (p != e)
		return 2;
#undef	SEP
	memset(q, 0, sizeof(*q));
	return validate_request(t, q, rw, iv[0], iv[1], dv[0], dv[1], err);
}

/*
 * One drive is modelled: a trace of several devices is refused, unless
 * --device names the one to replay (the others' requests are left out
 * unchecked, as DiskSim's other devices would take them).  1: the
 * request is the drive's; 0: another device's, left out; -1: refused.
 */
static int
one_device(struct dtrun *t, long long dev, GError **err)
{
	if (t->o->pick_device) {
		if (dev == t->o->device)
			return 1;
		t->other_devices += !t->checked;
		return 0;
	}
	if (t->dev_line == 0) {
		t->dev = dev;
		t->dev_line = t->line;
	} else if (dev != t->dev) {
		char *why = g_strdup_printf("device %lld, where %s %d's is %lld: "
		    "vfssim models one drive (--device N replays one device's "
		    "requests)", dev, t->hpl != NULL ? "record" : "line",
		    t->dev_line, t->dev);
		int rc = bad_line(t, err, why);

		g_free(why);
		return rc;
	}
	return 1;
}

/* Parse one line; 1 a request, 0 a blank line, -1 an error. */
static int
parse(struct dtrun *t, const char *l, struct dtreq *q, GError **err)
{
	char rw, cls;
	const char *p = l;
	double serv, gap, at;
	long long blk, n, dev, flags;
	int rc;

	if (blank(l))
		return 0;
	memset(q, 0, sizeof(*q));
	if (t->fmt == DT_VALIDATE) {
		if (!field_word(&p, 1, &rw) || !field_word(&p, 31, &cls) ||
		    !field_ll(&p, 10, &blk) || !field_ll(&p, 10, &n) ||
		    !field_double(&p, &serv) || !field_double(&p, &gap) ||
		    *skip_sep(p) != '\0')
			return bad_line(t, err, "expected R|W CLASS BLOCK BLOCKS "
			    "SERVICE_US GAP_US");
		return validate_request(t, q, rw, blk, n, serv, gap, err);
	} else {
		if (!field_double(&p, &at) || !field_ll(&p, 10, &dev) ||
		    !field_ll(&p, 10, &blk) || !field_ll(&p, 10, &n) ||
		    !field_ll(&p, 16, &flags) || *skip_sep(p) != '\0')
			return bad_line(t, err, "expected ARRIVAL_MS DEVICE BLOCK "
			    "BLOCKS FLAGS");
		if (at < 0 || at > 366.0 * 86400e3)
			return bad_line(t, err, "the arrival time must be 0 to "
			    "366 days, in ms");
		if ((rc = one_device(t, dev, err)) != 1)
			return rc;
		q->at_ms = at;
		q->write = !(flags & 1);
	}
	return block_range(t, q, blk, n, err);
}

/* A validate line's fields, checked (parse, parse_validate_fast). */
static int
validate_request(struct dtrun *t, struct dtreq *q, char rw, long long blk,
    long long n, double serv, double gap, GError **err)
{
	if (rw != 'R' && rw != 'W')
		return bad_line(t, err, "the first field must be R or W");
	if (serv < 0 || gap < 0 || serv > 1e9 || gap > 1e12)
		return bad_line(t, err, "times must be positive microseconds");
	q->write = rw == 'W';
	q->serv_us = serv;
	q->gap_ms = gap / 1000;
	return block_range(t, q, blk, n, err);
}

/* A request's blocks, checked against the drive. */
static int
block_range(struct dtrun *t, struct dtreq *q, long long blk, long long n,
    GError **err)
{
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

/*
 * The trace's next line, NUL-terminated in t->buf (*len bytes before the
 * NUL): 1, 0 at the end, -1 on an error.  Read in large blocks by the
 * trace readers' lineio, which refuses a line over TRACE_MAX_LINE (16 MB)
 * naming file and line, so that a hostile trace cannot make a line take
 * all memory, and reads a gzip'd trace as well.
 */
static void
keep_line(struct dtrun *t, const char *l, size_t len)
{
	if (len + 1 > t->bufsz) {
		t->bufsz = MAX(len + 1, 2 * t->bufsz);
		t->buf = g_realloc(t->buf, t->bufsz);
	}
	memcpy(t->buf, l, len);
	t->buf[len] = '\0';
}

static int
read_line(struct dtrun *t, size_t *len, GError **err)
{
	const char *l;
	int rc = lineio_next(t->in, &l, len, err);

	if (rc != 1)
		return rc;
	t->line++;
	keep_line(t, l, *len);
	return 1;
}

/* The next request of an HP trace, as next(); its record number stands
 * for the line in what is wrong with it. */
static int
next_hpl(struct dtrun *t, struct dtreq *q, GError **err)
{
	struct hplsrt_rec r;
	int rc;

	for (;;) {
		if ((rc = hplsrt_next(t->hpl, &r, err)) != 1)
			return rc;
		t->line = (int)MIN(r.recno, (uint64_t)INT_MAX);
		if ((rc = one_device(t, r.dev, err)) == 0)
			continue;
		if (rc < 0)
			return rc;
		if (r.at_ms > 366.0 * 86400e3)
			return bad_line(t, err, "the arrival time must be 0 to "
			    "366 days");
		memset(q, 0, sizeof(*q));
		q->at_ms = r.at_ms;
		q->write = !r.read;
		return block_range(t, q, r.blkno, r.nblocks, err);
	}
}

/* The next request of the trace; 1, 0 at the end, -1 on an error. */
static int
next(struct dtrun *t, struct dtreq *q, GError **err)
{
	const char *l;
	size_t len;
	int rc;

	if (t->hpl != NULL)
		return next_hpl(t, q, err);
	for (;;) {
		if ((rc = lineio_next(t->in, &l, &len, err)) != 1)
			return rc;
		t->line++;
		/* The usual validate line straight from the reader's buffer;
		 * anything else copied, NUL-terminated, and read the general
		 * way. */
		if (t->fmt == DT_VALIDATE &&
		    (rc = parse_validate_fast(t, l, l + len, q, err)) != 2)
			return rc;
		keep_line(t, l, len);
		if (memchr(t->buf, '\0', len) != NULL)
			return bad_line(t, err, "binary data");
		if ((rc = parse(t, t->buf, q, err)) != 0)
			return rc;
	}
}

static bool
rewind_trace(struct dtrun *t, GError **err)
{
	lineio_close(t->in);
	t->in = NULL;
	hplsrt_close(t->hpl);
	t->hpl = NULL;
	t->line = 0;
	if (t->fmt == DT_HPL || t->fmt == DT_HPL2) {
		t->hpl = hplsrt_open(t->o->trace, t->fmt == DT_HPL, err);
		return t->hpl != NULL;
	}
	t->in = lineio_open(t->o->trace, err);
	return t->in != NULL;
}

/* Which format: a validate trace's lines start with R or W. */
static bool
detect(struct dtrun *t, GError **err)
{
	size_t len;
	int rc;

	t->fmt = t->o->format;
	if (t->fmt != DT_AUTO)
		return rewind_trace(t, err);	/* an HP trace's own reader */
	while ((rc = read_line(t, &len, err)) == 1) {
		const char *l = t->buf;

		if (blank(l))
			continue;
		if (hplsrt_is_srt(l, len))
			t->fmt = DT_HPL;
		else {
			while (*l == ' ' || *l == '\t')
				l++;
			t->fmt = *l == 'R' || *l == 'W' ? DT_VALIDATE :
			    DT_ASCII;
		}
		return rewind_trace(t, err);
	}
	if (rc == 0)
		g_set_error(err, DISKTRACE_ERROR, 0, "%s: no requests",
		    t->o->trace);
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
	/* what it was for: the buffer's identity bstrategy noted; who
	 * issued it is the run's to name (replay_record.c) */
	row->ino = r->what >= 0 ? r->ino : -1;
	row->lblkno = r->lblkno;
	row->what = bio_what_name(r->what);
	row->cause = r->what >= 0 ? bio_cause_name(r->cause) : NULL;
	row->path = NULL;
	row->issuer = NULL;
	row->pid = -1;
	row->drain_ns = r->wait_ns[DISK_WAIT_DRAIN];
	row->cachefull_ns = r->wait_ns[DISK_WAIT_FULL];
	row->readahead_ns = r->wait_ns[DISK_WAIT_READAHEAD];
	row->ctlr_ns = r->part_ns[DISK_PART_CTLR];
	row->bus_ns = r->part_ns[DISK_PART_BUS];
	row->mediawait_ns = r->part_ns[DISK_PART_MEDIA];
	row->roomwait_ns = r->part_ns[DISK_PART_ROOM];
	return row;
}

/*
 * Requests are issued as one simulated process would issue them: an
 * ascii trace's at their times (sim_pause to each), a validate trace's
 * one at a time, each the traced gap after the one before completed
 * (tsleep until it has, then sim_pause).  So that a request costs no
 * switch between stacks, they are issued from callouts instead, each
 * scheduled exactly where the process's wakeup or pause would have put
 * it among the events (the same time, and its place among those due then
 * taken at the same moment), so every run is the one the process gives.
 * The process itself issues what is due at the start, then sleeps until
 * the last request has completed: the run ends when it does.
 */
static void issue_validate(struct dtrun *t, bool callout);
static void issue_ascii(struct dtrun *t);

/* Everything is issued and done (or the run stopped, or it ends at the
 * last arrival): the process ends the run. */
static void
issued_all(struct dtrun *t)
{
	t->issued = true;
	if (t->outstanding == 0 || t->o->until_last_arrival)
		wakeup(t->sim, &t->issued);
}

static void
issue_validate_fire(struct sim *s, void *arg)
{
	(void)s;
	issue_validate(arg, true);
}

/* The request before has completed with no gap after it: the next, in
 * the event where the waiting process's wakeup would go. */
static void
validate_done_fire(struct sim *s, void *arg)
{
	(void)s;
	issue_validate(arg, true);
}

/*
 * llround(ms * 1e6), without the library call each request: a gap is at
 * most 1e9 ms (validate_request), so 0 < x < 2^62, where the integer part
 * is exact and so is x less it (either x < 1 or the two are within a
 * factor of two; above 2^53 x is whole): half rounds up, as llround's
 * away from zero.
 */
static inline sim_time_t
gap_ns(double ms)
{
	double x = ms * 1e6;
	sim_time_t i = (sim_time_t)x;

	KASSERT(x > 0 && x < 0x1p62, ("validate gap %g ms", ms));
	return i + (x - (double)i >= 0.5);
}

static void
on_done(void *arg, struct diskreq *r)
{
	struct dtrun *t = arg;
	struct disk_io_row row;
	double serv = (double)(r->end - r->start);

	if (t->m != NULL && t->o->events)
		metrics_disk_io(t->m, disk_io_row_of(r, &row));
	/* A validate trace's service times, for the demerit, in the room
	 * made for them (each request completes once; an ascii trace's are
	 * not kept: nothing reads them). */
	if (t->fmt == DT_VALIDATE) {
		KASSERT(t->done < t->simt->len, ("request %llu of %u done",
		    (unsigned long long)t->done + 1, t->simt->len));
		g_array_index(t->simt, double, t->done) = serv;
	}
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
	r->arg = t->spare;
	t->spare = r;
	if (t->issued) {
		if (t->outstanding == 0)
			wakeup(t->sim, &t->issued);
	} else if (t->fmt == DT_VALIDATE) {
		const struct vreq *q = vreq_at(t, t->vnext - 1);

		/* The next request: after its gap, queued now -- one event
		 * a request, not two.  (Queued from the wakeup's event, as
		 * before, it would come after, not before, a drive's timer
		 * armed in between for that very nanosecond: a coincidence
		 * no disk_io row of the ten validation drives, x1 or x15,
		 * meets.)  With no gap, in the event where the waiting
		 * process's wakeup would go. */
		if (q->gap_ms > 0)
			sim_at(t->sim, sim_now(t->sim) + gap_ns(q->gap_ms),
			    issue_validate_fire, t);
		else
			sim_at(t->sim, sim_now(t->sim), validate_done_fire, t);
	}
}

static void
submit(struct dtrun *t, const struct dtreq *q, bool callout)
{
	struct diskreq *r = t->spare;

	if (r != NULL)
		t->spare = r->arg;
	else
		r = g_new(struct diskreq, 1);
	memset(r, 0, sizeof(*r));
	r->sector = q->block;
	r->nsect = q->blocks;
	r->write = q->write;
	r->nbufs = 1;
	r->what = -1;		/* a block trace's: for no file */
	r->ino = -1;
	t->outstanding++;
	if (callout)
		disk_strategy_callout(&t->d, r);
	else
		disk_strategy(&t->d, r);
}

static bool
stop_if_interrupted(struct dtrun *t)
{
	if (t->o->interrupted == NULL || !*t->o->interrupted)
		return false;
	g_set_error(&t->error, DISKTRACE_ERROR, DISKTRACE_ERROR_RUN,
	    "interrupted at %.3f s simulated", (double)sim_now(t->sim) / 1e9);
	issued_all(t);
	return true;
}

/* A validate trace's next request, now (from a callout: the drive may run
 * on from it, disk_strategy_callout). */
static void
issue_validate(struct dtrun *t, bool callout)
{
	const struct vreq *v;

	if (t->vnext >= t->nvreqs) {
		issued_all(t);
		return;
	}
	v = vreq_at(t, t->vnext++);
	if (stop_if_interrupted(t))
		return;
	submit(t, &(struct dtreq){ .block = v->block, .blocks = v->blocks,
	    .write = v->write }, callout);
}

static void
issue_ascii_fire(struct sim *s, void *arg)
{
	(void)s;
	issue_ascii(arg);
}

/* An ascii trace's requests due now, and the next one's time. */
static void
issue_ascii(struct dtrun *t)
{
	for (;;) {
		sim_time_t at;

		if (!t->have_pending) {
			if (next(t, &t->pending, &t->error) != 1) {
				issued_all(t);
				return;
			}
			if (stop_if_interrupted(t))
				return;
			t->have_pending = true;
			at = (sim_time_t)llround(t->pending.at_ms * 1e6);
			if (at > sim_now(t->sim)) {
				sim_at(t->sim, at, issue_ascii_fire, t);
				return;
			}
		}
		t->have_pending = false;
		submit(t, &t->pending, false);
	}
}

/* The run's process. */
static void
issuer(void *arg)
{
	struct dtrun *t = arg;

	if (t->fmt == DT_VALIDATE)
		issue_validate(t, false);
	else
		issue_ascii(t);
	while (!t->issued || (t->outstanding > 0 && !t->o->until_last_arrival))
		tsleep(t->sim, &t->issued, "biowait", 0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Sort n keys by their low npass * 11 bits (the rest all zero), 11 bits a
 * pass, least significant first, tmp (room for n) the other buffer.  The
 * digits' counts are taken in one pass over the keys, and a pass whose
 * digit is the same in every key is skipped: it would move nothing.
 */
static void
radix_sort(uint64_t *x, size_t n, int npass, uint64_t *tmp)
{
	uint64_t *from, *to, *sw;
	size_t i, (*count)[1 << 11];
	int pass;

	count = g_malloc0((size_t)npass * sizeof(*count));
	for (i = 0; i < n; i++) {
		uint64_t k = x[i];

		for (pass = 0; pass < npass; pass++)
			count[pass][(k >> (11 * pass)) & 0x7ff]++;
	}
	from = x;
	to = tmp;
	for (pass = 0; pass < npass; pass++) {
		int shift = 11 * pass;
		size_t sum = 0, *c = count[pass];

		if (c[(from[0] >> shift) & 0x7ff] == n)
			continue;
		for (i = 0; i < G_N_ELEMENTS(count[0]); i++) {
			size_t k = c[i];

			c[i] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			to[c[(from[i] >> shift) & 0x7ff]++] = from[i];
		sw = from;
		from = to;
		to = sw;
	}
	if (from != x)
		memcpy(x, from, n * sizeof(*x));
	g_free(count);
}

/*
 * Sort n times (ascending).  Service times are not negative, and the bits
 * of non-negative doubles sort as the numbers do: a radix sort on them
 * (six passes of 11 bits) takes a fraction of qsort's time on a long
 * trace.  Times that are all whole numbers (below 2^53: exact as
 * integers) -- a trace's microseconds, the drive's nanoseconds, before
 * they are made milliseconds -- are sorted as the integers, in only as
 * many passes as the largest needs (two or three, not six).  Times
 * already in order are left as they are.  (Any other value, or a few
 * hundred, qsort.)  scratch: room for n keys, or NULL to make it here
 * when it is needed.  The whole numbers are sorted as integers in a's own
 * room, not a copy (fewer pages touched: each page first touched is a
 * page fault, a few microseconds of the kernel's).
 */
static void
sort_times(double *a, size_t n, uint64_t *scratch)
{
	uint64_t *x, *tmp, max = 0;
	bool sorted = true, whole = true;
	size_t i;
	int npass;

	/* (Whether in order and whether whole in the same pass: both are
	 * needed of a long trace's times, whole numbers all.) */
	for (i = 0; i < n; i++) {
		if (!(a[i] >= 0) || n < 512) {
			qsort(a, n, sizeof(double), cmp_double);
			return;
		}
		sorted &= i == 0 || a[i] >= a[i - 1];
		whole &= a[i] < 0x1p53 && a[i] == (double)(int64_t)a[i];
	}
	if (sorted)
		return;
	G_STATIC_ASSERT(sizeof(double) == sizeof(uint64_t));
	tmp = scratch != NULL ? scratch : g_new(uint64_t, n);
	x = (uint64_t *)(void *)a;
	if (!whole) {
		radix_sort(x, n, 6, tmp);
		goto out;
	}
	/* Each time made its integer in place (by memcpy: the room is read
	 * and written as the one type, then the other). */
	for (i = 0; i < n; i++) {
		uint64_t k = (uint64_t)(int64_t)a[i];

		memcpy(&a[i], &k, sizeof(k));
		max = MAX(max, k);
	}
	for (npass = 1; npass < 6 && (max >> (11 * npass)) != 0; npass++)
		;
	radix_sort(x, n, npass, tmp);
	for (i = 0; i < n; i++) {
		uint64_t k;

		memcpy(&k, &a[i], sizeof(k));
		a[i] = (double)(int64_t)k;
	}
out:
	if (tmp != scratch)
		g_free(tmp);
}

/* disktrace_demerit of times already in order. */
static double
demerit_sorted(const double *a, const double *b, size_t n)
{
	double sum = 0;
	int i;

	if (n == 0)
		return 0;
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

double
disktrace_demerit(double *a, double *b, size_t n)
{
	sort_times(a, n, NULL);
	sort_times(b, n, NULL);
	return demerit_sorted(a, b, n);
}

/*
 * DiskSim's statistics count a time into a distribution of buckets its
 * statdefs file describes; the validation runs' "Trace access time" and
 * "Physical access time" are alike: 1,750 buckets of microseconds (scale
 * 1000), from 0, each 1 us wider than 1 % of where it starts (step 1,
 * grow 1).  stat_update counts a time whose whole microseconds lie in
 * [start(k), start(k+1)) into bucket k + 1, and stat_print_large_dist
 * prints each bucket's start in milliseconds to three places and the
 * cumulative fraction to six: the curve DiskSim's rms tool reads, up to
 * the first point that reaches 1.
 */
#define	DS_BUCKETS	1750

static size_t
ds_curve(const double *v, size_t n, double *x, double *y)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	int64_t start = 0, next;
	double dist = 0;
	size_t i = 0, np = 0;
	int k;

	for (k = 0; k < DS_BUCKETS; k++) {
		size_t cnt = 0;

		/* (start(k) in 64 bits: DiskSim's int overflows past 2^31
		 * us, a time no trace reaches before the curve is whole) */
		next = start + 1 + (int64_t)((double)start / 100.0);
		for (; i < n; i++, cnt++) {
			double us = v[i] * 1000;
			int64_t iv = us < 0x1p62 ? (int64_t)us : INT64_MAX;

			if (k < DS_BUCKETS - 1 && iv >= start)
				break;
		}
		dist += (double)cnt / (double)n;
		/* What "%6.3f" prints of a whole number of microseconds, read
		 * back, is that number over 1000 (both correctly rounded). */
		x[np] = (double)start / 1000;
		if (np > 0 && cnt == 0)
			y[np] = y[np - 1];
		else {
			/* "%f" of dist read back: its millionths rounded, over
			 * a million -- printf itself where the product is too
			 * near a half to round by (printf rounds the exact
			 * binary value; the product may have rounded). */
			double u = dist * 1e6, f = u - floor(u);

			if (fabs(f - 0.5) > 1e-6)
				y[np] = nearbyint(u) / 1e6;
			else
				y[np] = g_ascii_strtod(g_ascii_formatd(buf,
				    sizeof(buf), "%f", dist), NULL);
		}
		if (y[np++] >= 1.0)
			break;
		start = next;
	}
	/* A sum of fractions that prints short of 1 would leave DiskSim's
	 * rms reading past its curve: it ends at 1 here. */
	y[np - 1] = 1.0;
	return np;
}

double
disktrace_demerit_disksim(const double *a, const double *b, size_t n)
{
	double *x1, *y1, *x2, *y2, pnt, sq = 0;
	size_t i1 = 0, i2 = 0;
	int count = 0;

	if (n == 0)
		return 0;
	x1 = g_new(double, 4 * DS_BUCKETS);
	y1 = x1 + DS_BUCKETS;
	x2 = y1 + DS_BUCKETS;
	y2 = x2 + DS_BUCKETS;
	(void)ds_curve(a, n, x1, y1);
	(void)ds_curve(b, n, x2, y2);
	/* compute_rms: at each 0.0001 of probability (the step added up as
	 * rms.c adds it), each curve's time interpolated between the points
	 * either side; the first point is 0, below any probability. */
	for (pnt = 0.0001; pnt <= 1.0; pnt += 0.0001) {
		double f, t1, t2;

		while (y1[i1] < pnt)
			i1++;
		while (y2[i2] < pnt)
			i2++;
		KASSERT(i1 > 0 && i2 > 0, ("demerit: a curve starts above 0"));
		f = (pnt - y1[i1 - 1]) / (y1[i1] - y1[i1 - 1]);
		t1 = x1[i1 - 1] + f * (x1[i1] - x1[i1 - 1]);
		f = (pnt - y2[i2 - 1]) / (y2[i2] - y2[i2 - 1]);
		t2 = x2[i2 - 1] + f * (x2[i2] - x2[i2 - 1]);
		sq += (t1 - t2) * (t1 - t2);
		count++;
	}
	g_free(x1);
	return sqrt(sq / count);
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

static void
free_spares(struct dtrun *t)
{
	struct diskreq *r;

	while ((r = t->spare) != NULL) {
		t->spare = r->arg;
		g_free(r);
	}
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
	t.vchunks = g_ptr_array_new_with_free_func(g_free);
	if (!disk_from_profile(&dp, o->prof, NULL, err))
		goto out;
	t.sim = sim_create();
	qops = diskq_lookup(host_scheduler(o->prof, &dp, &why));
	disk_init(&t.d, t.sim, &dp, qops);
	disk_params_free(&dp);
	t.disk_up = true;
	t.d.done = on_done;
	t.d.done_arg = &t;
	/* The faults the profile asks for (diskerr.c): a failed request is
	 * counted, and timed as it would have been anyway. */
	{
		struct disk_fault *f = NULL;
		int nf = 0;
		char *why2 = NULL;
		bool fok = disk_errors_parse(profile_str(o->prof, "disk",
		    "errors"), &f, &nf, &why2) && disk_set_faults(&t.d, f, nf,
		    profile_double(o->prof, "disk", "error_rate"),
		    (uint64_t)profile_int(o->prof, "replay", "seed"), &why2);

		g_free(f);
		if (!fok) {
			g_set_error(err, PROFILE_ERROR, 0, "disk.errors: %s",
			    why2);
			g_free(why2);
			goto out;
		}
	}

	/* 1. Check the whole trace before anything is written. */
	if (!rewind_trace(&t, err) || !detect(&t, err))
		goto out;
	{
		double last = 0;

		while ((rc = next(&t, &q, err)) == 1) {
			if (t.fmt != DT_VALIDATE && q.at_ms < last) {
				(void)bad_line(&t, err,
				    "arrival times must not go back");
				goto out;
			}
			last = q.at_ms;
			n++;
			if (t.fmt == DT_VALIDATE)
				vreq_keep(&t, &q);
		}
		if (rc < 0)
			goto out;
	}
	t.checked = true;
	res->other_devices = t.other_devices;
	if (n == 0) {
		g_set_error(err, DISKTRACE_ERROR, 0, "%s: no requests%s",
		    o->trace, t.other_devices > 0 ? " of that device" : "");
		goto out;
	}
	if (t.fmt == DT_VALIDATE) {
		guint i;

		g_array_set_size(t.meas, t.nvreqs);
		for (i = 0; i < t.nvreqs; i++)
			g_array_index(t.meas, double, i) =
			    vreq_at(&t, i)->serv_us;
		g_array_set_size(t.simt, t.nvreqs);
	}
	if (o->check_only) {
		res->format = t.fmt;
		res->requests = n;
		ok = true;
		goto out;
	}
	/* An ascii trace is read again as it runs (memory stays flat); a
	 * validate trace's requests were kept. */
	if (t.fmt != DT_VALIDATE && !rewind_trace(&t, err))
		goto out;

	/* 2. Open the database and begin the run. */
	if (o->db != NULL) {
		t.m = metrics_open(o->db, err);
		if (t.m == NULL)
			goto out;
		ptext = profile_to_text(o->prof);
		memset(&ri, 0, sizeof(ri));
		ri.trace = o->trace;
		ri.format = t.fmt == DT_VALIDATE ? "disk-validate" :
		    t.fmt == DT_ASCII ? "disk-ascii" : "disk-hpl";
		ri.profile = ptext;
		ri.profile_sources = profile_sources(o->prof);
		ri.seed = profile_int(o->prof, "replay", "seed");
		ri.label = o->label;
		ri.prof = o->prof;
		ri.cmdline = o->cmdline;
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

	/* 4. The figures: of the requests done (with until_last_arrival,
	 * those done by the last arrival; the drive's own figures, t.d.st,
	 * count a request at its completion too). */
	res->format = t.fmt;
	res->requests = t.done;
	res->left_outstanding = t.outstanding;
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
		put(&t, "disk.mean_wait_drain_ns",
		    (double)ds->wait_ns[DISK_WAIT_DRAIN] / nd);
		put(&t, "disk.mean_wait_cachefull_ns",
		    (double)ds->wait_ns[DISK_WAIT_FULL] / nd);
		put(&t, "disk.mean_wait_readahead_ns",
		    (double)ds->wait_ns[DISK_WAIT_READAHEAD] / nd);
		put(&t, "disk.mean_ctlr_ns",
		    (double)ds->part_ns[DISK_PART_CTLR] / nd);
		put(&t, "disk.mean_bus_ns",
		    (double)ds->part_ns[DISK_PART_BUS] / nd);
		put(&t, "disk.mean_wait_media_ns",
		    (double)ds->part_ns[DISK_PART_MEDIA] / nd);
		put(&t, "disk.mean_wait_room_ns",
		    (double)ds->part_ns[DISK_PART_ROOM] / nd);
		put(&t, "disk.mean_queue_ns", (double)ds->queue_ns / nd);
		put(&t, "disk.max_queue", ds->maxqlen);
		if (t.d.nfaults > 0 || t.d.fault_rng != NULL) {
			put(&t, "disk.read_errors", (double)ds->read_errors);
			put(&t, "disk.write_errors", (double)ds->write_errors);
		}
		if (o->until_last_arrival)
			put(&t, "disk.left_outstanding", (double)t.outstanding);
		put(&t, "time.simulated_ns", (double)sim_now(t.sim));
	}
	if (t.fmt == DT_VALIDATE) {
		double *a = (double *)(void *)t.meas->data, *b;
		double ms = 0;
		uint64_t *scratch;
		size_t i;

		/* (The times of the requests done: all of them, here.) */
		g_array_set_size(t.simt, (guint)t.done);
		b = (double *)(void *)t.simt->data;

		/* The measured times are the trace's microseconds, the
		 * simulated ones the drive's nanoseconds: their mean in
		 * milliseconds in the trace's order; both sorted as they are
		 * (whole numbers, mostly: sort_times' integer passes), then
		 * made milliseconds -- the same sorted times as sorting the
		 * milliseconds, a division by a positive constant keeping
		 * their order -- for the demerit (demerit_sorted: sorting
		 * them again would find them in order, a pass over each). */
		for (i = 0; i < t.meas->len; i++)
			ms += a[i] / 1000;
		res->meas_mean_ms = ms / (double)t.meas->len;
		/* (One scratch buffer for both sorts: fewer pages touched.) */
		scratch = g_new(uint64_t, MAX(t.meas->len, t.simt->len));
		sort_times(a, t.meas->len, scratch);
		for (i = 0; i < t.meas->len; i++)
			a[i] /= 1000;
		sort_times(b, t.simt->len, scratch);
		for (i = 0; i < t.simt->len; i++)
			b[i] /= 1e6;
		g_free(scratch);
		/* The demerit as DiskSim gives it (its rms tool on its
		 * statistics' distributions), and from the times themselves. */
		res->demerit_ms = disktrace_demerit_disksim(a, b, t.meas->len);
		res->demerit_pct = 100 * res->demerit_ms / res->meas_mean_ms;
		res->demerit_exact_ms = demerit_sorted(a, b, t.meas->len);
		put(&t, "validate.measured_mean_ms", res->meas_mean_ms);
		put(&t, "validate.simulated_mean_ms", res->sim_mean_ms);
		put(&t, "validate.demerit_ms", res->demerit_ms);
		put(&t, "validate.demerit_pct", res->demerit_pct);
		put(&t, "validate.demerit_exact_ms", res->demerit_exact_ms);
	}
	if (t.m != NULL && !metrics_end_run(t.m, err))
		goto out;
	ok = true;
out:
	g_free(ptext);
	lineio_close(t.in);
	hplsrt_close(t.hpl);
	g_free(t.buf);
	metrics_close(t.m);
	/* The drive's requests and timers let go while the engine is there:
	 * disarming a timer may queue it stale (an interrupted run stops
	 * with timers armed), and sim_destroy frees what is queued. */
	if (t.disk_up)
		disk_abort(&t.d, free_req, NULL);
	if (t.sim != NULL)
		sim_destroy(t.sim);
	if (t.disk_up)
		disk_destroy(&t.d);
	free_spares(&t);
	g_array_free(t.meas, TRUE);
	g_array_free(t.simt, TRUE);
	g_ptr_array_free(t.vchunks, TRUE);
	if (t.error != NULL)
		g_error_free(t.error);
	return ok;
}
