/*
 * tracebin.c — a call as a few bytes, and a spool of them: the form in
 * which a run keeps the calls it has read (trace.h, "binary records").
 *
 * A trace is parsed once, by the pre-pass; each call it reads is kept as
 * a record of variable-length integers (LEB128, signed ones zigzagged) and
 * length-prefixed strings, only the fields that differ from "absent", and
 * the replay decodes them again instead of parsing text.  A record is
 * self-contained (no field refers to the record before), so it can be
 * copied from the spool to a process's queue and out to a spill file and
 * back as bytes.
 *
 * The spool is written and read in TSPOOL_BLOCK blocks: in memory as long
 * as it fits one, else through an unnamed temporary file, one write(2) or
 * read(2) a block.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- variable-length integers ----------------------------------------- */

static inline uint8_t *
put_u(uint8_t *p, uint64_t v)
{
	if (v < 0x80) {
		*p = (uint8_t)v;
		return p + 1;
	}
	if (v < 0x4000) {	/* a length, a result, a duration in us */
		p[0] = (uint8_t)(v | 0x80);
		p[1] = (uint8_t)(v >> 7);
		return p + 2;
	}
	if (v < 0x200000) {	/* a line number past 16,383, a duration in ns */
		p[0] = (uint8_t)(v | 0x80);
		p[1] = (uint8_t)((v >> 7) | 0x80);
		p[2] = (uint8_t)(v >> 14);
		return p + 3;
	}
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint8_t *
put_s(uint8_t *p, int64_t v)
{
	return put_u(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* Decoding stops at e: a record cut short decodes as zeros, never reads
 * past its end (the bytes come from this program, but a spill file is
 * still a file). */
static inline uint64_t
get_u(const uint8_t **pp, const uint8_t *e)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	int shift = 0;

	if (p < e && *p < 0x80) {
		*pp = p + 1;
		return *p;
	}
	/* Two and three bytes (a length, a line number, a duration in
	 * ns) without the loop, when the record has them. */
	if (e - p >= 3) {
		v = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7;
		if (p[1] < 0x80) {
			*pp = p + 2;
			return v;
		}
		if (p[2] < 0x80) {
			*pp = p + 3;
			return v | (uint64_t)p[2] << 14;
		}
		v = 0;
	}
	while (p < e && shift < 64) {
		uint8_t b = *p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*pp = p;
	return v;
}

static inline int64_t
get_s(const uint8_t **pp, const uint8_t *e)
{
	uint64_t v = get_u(pp, e);

	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- one record --------------------------------------------------------- */

/* Each known call's name (its record leaves it out), in a block the size
 * of a call's name field, zeros after it: one compare of a fixed size
 * tells the encoder a call has its own name, one copy of a fixed size
 * puts it in place for the decoder (the bytes trace_call_reset and a copy
 * of the name to its NUL leave there, zeros after it, are the same). */
static const char sc_name_blocks[SC__COUNT][sizeof(((struct trace_call *)0)->name)] = {
	[SC_OTHER] = "?",
#define X(id, name) [SC_##id] = name,
	SC_LIST(X)
#undef X
};
/* every name with its NUL fits its block */
#define X(id, nm) _Static_assert(sizeof(nm) <= \
    sizeof(((struct trace_call *)0)->name), "long name: " nm);
SC_LIST(X)
#undef X

/* The fixed part: a byte of flags, the call (SC__COUNT < 256), the pid
 * (4 bytes) and the time (8), in the host's order (records never leave
 * the run that wrote them). */
#define TB_FIXED	14
G_STATIC_ASSERT(SC__COUNT < 256);

/* The flags: the call's kind and what else is true of it. */
#define TB_EXIT		0x01
#define TB_RET_UNKNOWN	0x02
#define TB_FD_DEL	0x04
#define TB_FD2_DEL	0x08
#define TB_RET_DEL	0x10

/* Which optional fields follow, in this order.  Those most calls have
 * come first, so that a read's mask (off, len, fd, the line) is one
 * byte, not three. */
enum {
	TBF_OFF, TBF_LEN, TBF_FD, TBF_LINE, TBF_PATH, TBF_OFLAGS, TBF_ERR,
	TBF_ARG, TBF_STSIZE, TBF_FD2, TBF_RFD0, TBF_RFD1, TBF_ATFLAGS,
	TBF_XFLAGS, TBF_MODE, TBF_CMD, TBF_STTYPE, TBF_PATH2, TBF_FDPATH,
	TBF_FDPATH2, TBF_RETPATH, TBF_NAME,
};
#define TB(f)	(1u << (f))
/* tbin_decode's shortcut takes the four below TBF_PATH in this order */
G_STATIC_ASSERT(TBF_OFF == 0 && TBF_LEN == 1 && TBF_FD == 2 &&
    TBF_LINE == 3 && TBF_PATH == 4);

/* The most bytes a record's numbers take (strings aside). */
#define TB_NUMBYTES	(4 + 10 * 24)

static size_t
str_bytes(const char *s)
{
	return s != NULL ? strlen(s) + 10 : 0;
}

static uint8_t *
put_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	p = put_u(p, n);
	memcpy(p, s, n);
	return p + n;
}

/* A record's bound with its strings (their lengths): out of line, so that
 * the common case below takes no frame for it. */
static __attribute__((noinline)) size_t
max_with_strings(const struct trace_call *tc)
{
	return TB_NUMBYTES + str_bytes(tc->path) + str_bytes(tc->path2) +
	    str_bytes(tc->fdpath) + str_bytes(tc->fdpath2) +
	    str_bytes(tc->retpath) + sizeof(tc->name) + 10;
}

size_t
tbin_max(const struct trace_call *tc)
{
	/* Most calls have no string but their name: the five pointers
	 * tested together, the bound then a constant (str_bytes of each
	 * is 0: the same sum). */
	if (((uintptr_t)tc->path | (uintptr_t)tc->path2 |
	    (uintptr_t)tc->fdpath | (uintptr_t)tc->fdpath2 |
	    (uintptr_t)tc->retpath) == 0)
		return TB_NUMBYTES + sizeof(tc->name) + 10;
	return max_with_strings(tc);
}

size_t
tbin_encode(const struct trace_call *tc, uint8_t *out)
{
	uint8_t *p = out;
	uint32_t mask = 0;
	uint16_t sc = tc->sc < SC__COUNT ? tc->sc : SC_OTHER;
	/* The name against its block, the whole field a word at a time
	 * (a compare of fixed size, no call): equal when the name is the
	 * call's and zeros follow it, as trace_call_reset and every reader
	 * leave them.  Bytes after its NUL that are not zeros only make
	 * the record carry the name, which decodes to the same. */
	bool named = tc->kind == TC_EXIT || sc == SC_OTHER ||
	    memcmp(tc->name, sc_name_blocks[sc], sizeof(tc->name)) != 0;

	/* flags, call, pid and time at fixed places: the reader of the
	 * spool looks at them first */
	*p++ = (uint8_t)((tc->kind == TC_EXIT ? TB_EXIT : 0) |
	    (tc->ret_unknown ? TB_RET_UNKNOWN : 0) |
	    (tc->fd_deleted ? TB_FD_DEL : 0) |
	    (tc->fd2_deleted ? TB_FD2_DEL : 0) |
	    (tc->ret_deleted ? TB_RET_DEL : 0));
	*p++ = (uint8_t)sc;
	memcpy(p, &tc->pid, 4);
	memcpy(p + 4, &tc->t_ns, 8);
	p += 12;
	p = put_s(p, tc->ret);
	p = put_s(p, tc->dur_ns);
	/*
	 * Which fields are there.  Most calls have only some of off, len,
	 * fd, the line and a path: the sixteen others are tested together,
	 * one OR of their differences from "absent" (-1 as 0 by adding
	 * one, unsigned), and one by one only when that is not zero.
	 */
	mask = (tc->off != TC_NOOFF ? TB(TBF_OFF) : 0) |
	    (tc->len != -1 ? TB(TBF_LEN) : 0) |
	    (tc->fd != TC_NOFD ? TB(TBF_FD) : 0) |
	    (tc->line != 0 ? TB(TBF_LINE) : 0) |
	    (tc->path != NULL ? TB(TBF_PATH) : 0) |
	    (named ? TB(TBF_NAME) : 0);
	if (((uint64_t)tc->arg | ((uint64_t)tc->st_size + 1) |
	    (uint32_t)tc->err | ((uint32_t)tc->fd2 + 1) |
	    ((uint32_t)tc->rfd[0] + 1) | ((uint32_t)tc->rfd[1] + 1) |
	    tc->oflags | tc->atflags | tc->xflags | tc->mode | tc->cmd |
	    tc->st_type | (uintptr_t)tc->path2 | (uintptr_t)tc->fdpath |
	    (uintptr_t)tc->fdpath2 | (uintptr_t)tc->retpath) != 0) {
		mask |= tc->arg != 0 ? TB(TBF_ARG) : 0;
		mask |= tc->st_size != -1 ? TB(TBF_STSIZE) : 0;
		mask |= tc->err != 0 ? TB(TBF_ERR) : 0;
		mask |= tc->fd2 != TC_NOFD ? TB(TBF_FD2) : 0;
		mask |= tc->rfd[0] != TC_NOFD ? TB(TBF_RFD0) : 0;
		mask |= tc->rfd[1] != TC_NOFD ? TB(TBF_RFD1) : 0;
		mask |= tc->oflags != 0 ? TB(TBF_OFLAGS) : 0;
		mask |= tc->atflags != 0 ? TB(TBF_ATFLAGS) : 0;
		mask |= tc->xflags != 0 ? TB(TBF_XFLAGS) : 0;
		mask |= tc->mode != 0 ? TB(TBF_MODE) : 0;
		mask |= tc->cmd != 0 ? TB(TBF_CMD) : 0;
		mask |= tc->st_type != 0 ? TB(TBF_STTYPE) : 0;
		mask |= tc->path2 != NULL ? TB(TBF_PATH2) : 0;
		mask |= tc->fdpath != NULL ? TB(TBF_FDPATH) : 0;
		mask |= tc->fdpath2 != NULL ? TB(TBF_FDPATH2) : 0;
		mask |= tc->retpath != NULL ? TB(TBF_RETPATH) : 0;
	}
	p = put_u(p, mask);
	/* Only some of off, len, fd and the line (a read's, a write's, a
	 * close's...): in their order without the loop's dispatch. */
	if ((mask & ~(TB(TBF_OFF) | TB(TBF_LEN) | TB(TBF_FD) |
	    TB(TBF_LINE))) == 0) {
		if (mask & TB(TBF_OFF))
			p = put_s(p, tc->off);
		if (mask & TB(TBF_LEN))
			p = put_s(p, tc->len);
		if (mask & TB(TBF_FD))
			p = put_s(p, tc->fd);
		if (mask & TB(TBF_LINE))
			p = put_u(p, tc->line);
		return (size_t)(p - out);
	}
	/* the fields there, lowest bit first, as tbin_decode reads them */
	while (mask != 0) {
		unsigned f = (unsigned)__builtin_ctz(mask);

		mask &= mask - 1;
		switch (f) {
		case TBF_OFF:
			p = put_s(p, tc->off);
			break;
		case TBF_LEN:
			p = put_s(p, tc->len);
			break;
		case TBF_ARG:
			p = put_s(p, tc->arg);
			break;
		case TBF_STSIZE:
			p = put_s(p, tc->st_size);
			break;
		case TBF_ERR:
			p = put_s(p, tc->err);
			break;
		case TBF_FD:
			p = put_s(p, tc->fd);
			break;
		case TBF_FD2:
			p = put_s(p, tc->fd2);
			break;
		case TBF_RFD0:
			p = put_s(p, tc->rfd[0]);
			break;
		case TBF_RFD1:
			p = put_s(p, tc->rfd[1]);
			break;
		case TBF_OFLAGS:
			p = put_u(p, tc->oflags);
			break;
		case TBF_ATFLAGS:
			p = put_u(p, tc->atflags);
			break;
		case TBF_XFLAGS:
			p = put_u(p, tc->xflags);
			break;
		case TBF_MODE:
			p = put_u(p, tc->mode);
			break;
		case TBF_CMD:
			p = put_u(p, tc->cmd);
			break;
		case TBF_STTYPE:
			p = put_u(p, tc->st_type);
			break;
		case TBF_LINE:
			p = put_u(p, tc->line);
			break;
		case TBF_PATH:
			p = put_str(p, tc->path);
			break;
		case TBF_PATH2:
			p = put_str(p, tc->path2);
			break;
		case TBF_FDPATH:
			p = put_str(p, tc->fdpath);
			break;
		case TBF_FDPATH2:
			p = put_str(p, tc->fdpath2);
			break;
		case TBF_RETPATH:
			p = put_str(p, tc->retpath);
			break;
		case TBF_NAME:
			p = put_str(p, tc->name);
			break;
		}
	}
	return (size_t)(p - out);
}

void
tbin_head(const uint8_t *rec, size_t n, struct tbin_head *h)
{
	const uint8_t *p = rec + TB_FIXED, *e = rec + n;

	if (n < TB_FIXED) {
		memset(h, 0, sizeof(*h));
		return;
	}
	h->kind = (rec[0] & TB_EXIT) ? TC_EXIT : TC_CALL;
	h->sc = rec[1] < SC__COUNT ? rec[1] : SC_OTHER;
	memcpy(&h->pid, rec + 2, 4);
	memcpy(&h->t_ns, rec + 6, 8);
	h->ret = get_s(&p, e);
	h->dur_ns = get_s(&p, e);
}

void
tbin_head_fixed(const uint8_t *rec, size_t n, struct tbin_head *h)
{
	memset(h, 0, sizeof(*h));
	if (n < TB_FIXED)
		return;
	h->kind = (rec[0] & TB_EXIT) ? TC_EXIT : TC_CALL;
	h->sc = rec[1] < SC__COUNT ? rec[1] : SC_OTHER;
	memcpy(&h->pid, rec + 2, 4);
	memcpy(&h->t_ns, rec + 6, 8);
}

static void
get_str(const uint8_t **pp, const uint8_t *e, struct trace_call *tc,
    char **field)
{
	uint64_t n = get_u(pp, e);

	if (n > (uint64_t)(e - *pp))
		n = (uint64_t)(e - *pp);
	trace_call_set_str(tc, field, (const char *)*pp, (size_t)n);
	*pp += n;
}

/*
 * What trace_call_reset leaves, field by field, the call's string storage
 * kept and its name left to the caller: the reset's memset of the whole
 * call compiles to a `rep stos`, whose start-up was two-thirds of the
 * decode's cycles (perf, `hits`).  A field added to struct trace_call
 * must be added here too; the size below is the tripwire, and
 * test_trace's decodes compare every field with trace_call_equal.
 */
G_STATIC_ASSERT(sizeof(struct trace_call) == 216);

static inline void
decode_reset(struct trace_call *tc)
{
	tc->t_ns = TC_NOTIME;
	tc->dur_ns = -1;
	tc->ret = 0;
	tc->off = TC_NOOFF;
	tc->len = -1;
	tc->arg = 0;
	tc->st_size = -1;
	tc->pid = 0;
	tc->err = 0;
	tc->fd = tc->fd2 = TC_NOFD;
	tc->rfd[0] = tc->rfd[1] = TC_NOFD;
	tc->oflags = tc->atflags = tc->xflags = tc->mode = 0;
	tc->sc = 0;
	tc->kind = 0;
	tc->cmd = 0;
	tc->st_type = 0;
	tc->ret_unknown = tc->fd_deleted = tc->fd2_deleted =
	    tc->ret_deleted = false;
	tc->path = tc->path2 = tc->fdpath = tc->fdpath2 = tc->retpath = NULL;
	tc->line = 0;
	tc->strlen_ = 0;
}

/*
 * The fields a record's mask names, in their order, from p (its end e):
 * tbin_decode's general case, a function of its own so that the common
 * shape, which calls nothing, needs no frame.
 */
static void __attribute__((noinline))
decode_fields(const uint8_t *p, const uint8_t *e, uint32_t mask,
    struct trace_call *tc)
{
	/* Only the fields present, lowest bit first (the order they were
	 * written in): a read takes two or three, and the other twenty
	 * are not tested one by one. */
	while (mask != 0) {
		unsigned f = (unsigned)__builtin_ctz(mask);

		mask &= mask - 1;
		switch (f) {
		case TBF_OFF:
			tc->off = get_s(&p, e);
			break;
		case TBF_LEN:
			tc->len = get_s(&p, e);
			break;
		case TBF_ARG:
			tc->arg = get_s(&p, e);
			break;
		case TBF_STSIZE:
			tc->st_size = get_s(&p, e);
			break;
		case TBF_ERR:
			tc->err = (int32_t)get_s(&p, e);
			break;
		case TBF_FD:
			tc->fd = (int32_t)get_s(&p, e);
			break;
		case TBF_FD2:
			tc->fd2 = (int32_t)get_s(&p, e);
			break;
		case TBF_RFD0:
			tc->rfd[0] = (int32_t)get_s(&p, e);
			break;
		case TBF_RFD1:
			tc->rfd[1] = (int32_t)get_s(&p, e);
			break;
		case TBF_OFLAGS:
			tc->oflags = (uint32_t)get_u(&p, e);
			break;
		case TBF_ATFLAGS:
			tc->atflags = (uint32_t)get_u(&p, e);
			break;
		case TBF_XFLAGS:
			tc->xflags = (uint32_t)get_u(&p, e);
			break;
		case TBF_MODE:
			tc->mode = (uint32_t)get_u(&p, e);
			break;
		case TBF_CMD:
			tc->cmd = (uint8_t)get_u(&p, e);
			break;
		case TBF_STTYPE:
			tc->st_type = (uint8_t)get_u(&p, e);
			break;
		case TBF_LINE:
			tc->line = get_u(&p, e);
			break;
		case TBF_PATH:
			get_str(&p, e, tc, &tc->path);
			break;
		case TBF_PATH2:
			get_str(&p, e, tc, &tc->path2);
			break;
		case TBF_FDPATH:
			get_str(&p, e, tc, &tc->fdpath);
			break;
		case TBF_FDPATH2:
			get_str(&p, e, tc, &tc->fdpath2);
			break;
		case TBF_RETPATH:
			get_str(&p, e, tc, &tc->retpath);
			break;
		case TBF_NAME: {
			uint64_t l = get_u(&p, e);

			if (l > (uint64_t)(e - p))
				l = (uint64_t)(e - p);
			if (l >= sizeof(tc->name))
				l = sizeof(tc->name) - 1;
			memcpy(tc->name, p, (size_t)l);
			tc->name[l] = '\0';
			p += l;
			break;
		}
		default:
			/* no such field: ignored, as before */
			break;
		}
	}
}

/*
 * rec and tc never overlap (a record lies in the spool's, a queue's or a
 * spill file's buffer; the call is the caller's): restrict tells the
 * compiler so, so that decode_reset's stores of the fields set from the
 * record's fixed part right after are dropped, not made twice (a byte
 * read from rec could otherwise be the field just stored).
 */
void
tbin_decode(const uint8_t *restrict rec, size_t n,
    struct trace_call *restrict tc)
{
	const uint8_t *p = rec + TB_FIXED, *e = rec + n;
	uint8_t flags;
	uint32_t mask;

	if (n < TB_FIXED) {
		trace_call_reset(tc);
		return;
	}
	decode_reset(tc);
	flags = rec[0];
	tc->kind = (flags & TB_EXIT) ? TC_EXIT : TC_CALL;
	tc->ret_unknown = (flags & TB_RET_UNKNOWN) != 0;
	tc->fd_deleted = (flags & TB_FD_DEL) != 0;
	tc->fd2_deleted = (flags & TB_FD2_DEL) != 0;
	tc->ret_deleted = (flags & TB_RET_DEL) != 0;
	tc->sc = rec[1] < SC__COUNT ? rec[1] : SC_OTHER;
	memcpy(&tc->pid, rec + 2, 4);
	memcpy(&tc->t_ns, rec + 6, 8);
	tc->ret = get_s(&p, e);
	tc->dur_ns = get_s(&p, e);
	mask = (uint32_t)get_u(&p, e);
	/* The name: its block, or zeros for the record's own (below). */
	if (!(mask & TB(TBF_NAME)))
		memcpy(tc->name, sc_name_blocks[tc->sc], sizeof(tc->name));
	else
		memset(tc->name, 0, sizeof(tc->name));
	/*
	 * The common shape: only some of off, len, fd and the line (a
	 * read's, a write's, an lseek's, a close's), the low bits of the
	 * mask, taken in their order without the loop's jump table.
	 */
	if (mask < TB(TBF_PATH)) {
		if (mask & TB(TBF_OFF))
			tc->off = get_s(&p, e);
		if (mask & TB(TBF_LEN))
			tc->len = get_s(&p, e);
		if (mask & TB(TBF_FD))
			tc->fd = (int32_t)get_s(&p, e);
		if (mask & TB(TBF_LINE))
			tc->line = get_u(&p, e);
		return;
	}
	decode_fields(p, e, mask, tc);
}

size_t
tbin_put_len(uint8_t *p, size_t n)
{
	return (size_t)(put_u(p, n) - p);
}

size_t
tbin_get_len(const uint8_t *p, size_t avail, size_t *n)
{
	const uint8_t *q = p;
	uint64_t v = 0;
	int shift = 0;

	for (;;) {
		if (q == p + avail || shift > 35)
			return 0;
		v |= (uint64_t)(*q & 0x7f) << shift;
		if (!(*q++ & 0x80))
			break;
		shift += 7;
	}
	*n = (size_t)v;
	return (size_t)(q - p);
}

/* ---- the spool ------------------------------------------------------------- */

#define TSPOOL_BLOCK	(256 * 1024)

struct tspool {
	uint8_t	*buf;
	size_t	 cap;
	size_t	 len;		/* bytes in buf (writing: not yet written) */
	size_t	 pos;		/* reading: next record */
	int	 fd;		/* the temporary file, or -1 */
	int64_t	 wrote;		/* bytes in it */
	int64_t	 roff;		/* reading: bytes of it read */
	bool	 reading;
	uint64_t records;
};

struct tspool *
tspool_new(void)
{
	struct tspool *s = g_new0(struct tspool, 1);

	s->cap = TSPOOL_BLOCK;
	s->buf = g_malloc(s->cap);
	s->fd = -1;
	return s;
}

static bool
spool_io_error(GError **err, const char *what)
{
	g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
	    "the run's copy of the trace (a temporary file): %s: %s", what,
	    g_strerror(errno));
	return false;
}

/* Write the buffer out as one block. */
static bool
spool_flush(struct tspool *s, GError **err)
{
	size_t done = 0;

	if (s->fd < 0) {
		FILE *f = tmpfile();

		if (f == NULL)
			return spool_io_error(err, "create");
		s->fd = dup(fileno(f));
		fclose(f);
		if (s->fd < 0)
			return spool_io_error(err, "create");
	}
	while (done < s->len) {
		ssize_t w = pwrite(s->fd, s->buf + done, s->len - done,
		    s->wrote + (int64_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return spool_io_error(err, "write");
		done += (size_t)w;
	}
	s->wrote += (int64_t)s->len;
	s->len = 0;
	return true;
}

bool
tspool_put(struct tspool *s, const struct trace_call *tc, GError **err)
{
	size_t max = tbin_max(tc) + 10, n, h;
	uint8_t tmp[10];

	if (s->len + max > s->cap) {
		if (s->len > 0 && !spool_flush(s, err))
			return false;
		if (max > s->cap) {
			/* a record longer than a block (a very long name) */
			s->cap = max;
			s->buf = g_realloc(s->buf, s->cap);
		}
	}
	/* The record after a byte for its length (a record of under 128
	 * bytes, nearly every one, needs no more); a longer one is moved
	 * up to make room for its length's other bytes (max has room). */
	n = tbin_encode(tc, s->buf + s->len + 1);
	if (n < 0x80) {
		s->buf[s->len] = (uint8_t)n;
		h = 1;
	} else {
		h = tbin_put_len(tmp, n);
		memmove(s->buf + s->len + h, s->buf + s->len + 1, n);
		memcpy(s->buf + s->len, tmp, h);
	}
	s->len += h + n;
	s->records++;
	return true;
}

bool
tspool_rewind(struct tspool *s, GError **err)
{
	if (s->fd >= 0 && s->len > 0 && !spool_flush(s, err))
		return false;
	s->reading = true;
	s->pos = 0;
	s->roff = 0;
	if (s->fd >= 0)
		s->len = 0;	/* read from the file, block by block */
	return true;
}

int
tspool_next(struct tspool *s, const uint8_t **rec, size_t *n, GError **err)
{
	size_t h, len;

	for (;;) {
		/* A record shorter than 128 bytes (nearly all): its length
		 * is one byte, read here rather than by tbin_get_len's loop. */
		if (s->pos < s->len && s->buf[s->pos] < 0x80) {
			h = 1;
			len = s->buf[s->pos];
		} else
			h = tbin_get_len(s->buf + s->pos, s->len - s->pos, &len);
		if (h > 0 && len <= s->len - s->pos - h) {
			*rec = s->buf + s->pos + h;
			*n = len;
			s->pos += h + len;
			return 1;
		}
		if (s->fd < 0 || s->roff >= s->wrote) {
			if (s->pos < s->len) {
				errno = EIO;
				spool_io_error(err, "a record cut short");
				return -1;
			}
			return 0;
		}
		/* The rest of the block down, then more of the file. */
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
		if (s->len == s->cap) {
			s->cap *= 2;
			s->buf = g_realloc(s->buf, s->cap);
		}
		{
			size_t want = MIN(s->cap - s->len,
			    (size_t)(s->wrote - s->roff));
			ssize_t r = pread(s->fd, s->buf + s->len, want, s->roff);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r == 0)
					errno = EIO;
				spool_io_error(err, "read");
				return -1;
			}
			s->len += (size_t)r;
			s->roff += r;
		}
	}
}

uint64_t
tspool_records(const struct tspool *s)
{
	return s->records;
}

void
tspool_free(struct tspool *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	g_free(s->buf);
	g_free(s);
}
