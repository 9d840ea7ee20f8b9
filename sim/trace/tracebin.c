/*
 * tracebin.c — a call as a few bytes, and a spool of them: the form in
 * which a run keeps the calls it has read (trace.h, "binary records").
 *
 * A trace is parsed once, by the pre-pass; each call it reads is kept as
 * a record of its fixed part, the six numbers nearly every call has in as
 * few bytes as they need (their lengths in the record's first word), and
 * the other fields that differ from "absent" as variable-length integers
 * (LEB128, signed ones zigzagged) and length-prefixed strings (the
 * layout: "one record" below); the replay decodes them again instead of
 * parsing text.  A record is self-contained (no field refers to the record before), so it can be
 * copied from the spool to a process's queue and out to a spill file and
 * back as bytes.
 *
 * The spool is written and read in TSPOOL_BLOCK blocks: in memory as long
 * as it fits one, else through an unnamed temporary file, one write(2) or
 * read(2) a block.
 */
#include "trace.h"

#include "kassert.h"

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

/*
 * A record (records never leave the run that wrote them: the host's
 * order but where said):
 *
 *   bytes 0-3    a word: the flags (bits 0-5), six codes of 3 bits (bits
 *                6-23) and the call (bits 24-31; SC__COUNT < 256)
 *   bytes 4-7    the pid
 *   bytes 8-15   the time
 *   then         the six fields the codes describe: ret, dur_ns, off,
 *                len, fd and line, in that order
 *   then         if TB_MORE: a mask of the other fields there (a LEB128
 *                varint) and those, lowest bit first: numbers as LEB128
 *                varints (signed ones zigzagged), strings as their length
 *                (a varint) and their bytes
 *
 * The six are what nearly every call has (a read's ret, dur, len, fd and
 * line).  Each is kept as its difference from "absent" (ret 0, dur -1,
 * off TC_NOOFF, len -1, fd TC_NOFD, line 0), so that absent is 0, in the
 * fewest little-endian bytes, 1 to 8, that sign-extend back to it; its
 * code is that number of bytes less one.  A field's code is one
 * computation (from the position of its highest bit that differs from
 * its sign), its bytes one store of 8 (those past it are the next
 * field's, or slack inside tbin_max), and it is read back by one load of
 * the 8 bytes that end where it ends (its bytes are the word's high
 * ones) and one arithmetic shift: no branch, no loop, no byte at a time.
 * Such a load never starts before the record (the fixed part is 16
 * bytes) and never ends past it (the six lengths are added up and
 * checked against the record's length before any load; a record cut
 * short is read from a copy padded with zeros).  An absent field takes a
 * byte (a read's off): the price of no branch.
 *
 * (Before, every number was a LEB128 varint behind a mask: its length
 * found by a chain of compares, its bytes put and got one by one; the
 * `hits` read record was 25 bytes, now 27.)
 */
#define TB_FIXED	16
G_STATIC_ASSERT(SC__COUNT < 256);

/* The flags: the call's kind and what else is true of it. */
#define TB_EXIT		0x01
#define TB_RET_UNKNOWN	0x02
#define TB_FD_DEL	0x04
#define TB_FD2_DEL	0x08
#define TB_RET_DEL	0x10
#define TB_MORE		0x20	/* a mask and other fields follow the six */
#define TB_CODE0	6	/* the first code's bit */
#define TB_SC		24	/* the call's */

/* The six, in their order. */
enum { TBS_RET, TBS_DUR, TBS_OFF, TBS_LEN, TBS_FD, TBS_LINE, TBS__N };

/* The others (TB_MORE): a mask bit each, in this order.  Those real
 * traces have most come first, so that their mask is one byte. */
enum {
	TBF_PATH, TBF_FDPATH, TBF_OFLAGS, TBF_ERR, TBF_MODE, TBF_STSIZE,
	TBF_RETPATH, TBF_ARG, TBF_FD2, TBF_RFD0, TBF_RFD1, TBF_ATFLAGS,
	TBF_XFLAGS, TBF_CMD, TBF_STTYPE, TBF_PATH2, TBF_FDPATH2, TBF_NAME,
};
#define TB(f)	(1u << (f))

/* x's code: the fewest bytes that sign-extend back to x, less one.  u is
 * x with its sign bits as zeros (u | 1: 0 takes a byte too); its highest
 * bit b (63 ^ clz: one bsr) needs b + 2 bits with the sign, (b + 9) / 8
 * bytes. */
static inline unsigned
sx_code(uint64_t x)
{
	uint64_t u = x ^ (uint64_t)((int64_t)x >> 63);

	return (unsigned)((63 ^ __builtin_clzll(u | 1)) + 1) >> 3;
}

/* x in the c + 1 bytes of its code at p: one store of 8 (tbin_max has
 * room for the seven past it). */
static inline uint8_t *
put_sx(uint8_t *p, uint64_t x, unsigned c)
{
	uint64_t le = GUINT64_TO_LE(x);

	memcpy(p, &le, 8);
	return p + c + 1;
}

/* The k bytes at p (1 to 8) sign-extended: the 8 bytes ending at p + k
 * (p is at least 8 bytes into the record), shifted down. */
static inline uint64_t
get_sx(const uint8_t *p, unsigned k)
{
	uint64_t w;

	memcpy(&w, p + k - 8, 8);
	return (uint64_t)((int64_t)GUINT64_FROM_LE(w) >> (64 - 8 * k));
}

/* Field i of the six, x, at p, its code into *word; past it. */
static inline uint8_t *
put_six(uint8_t *p, uint32_t *word, unsigned i, uint64_t x)
{
	unsigned c = sx_code(x);

	*word |= c << (TB_CODE0 + 3 * i);
	return put_sx(p, x, c);
}

/*
 * The four flags after TB_EXIT are the four bools of struct trace_call
 * that follow one another (asserted below): a word of their bytes (0 or
 * 1 each) and the flags' four bits become one another by one multiply.
 * The multiplier's 1 << 0, 7, 14 and 21 move byte i's bit (8i) to 21 + i
 * (gathering), and bit i to 8i (spreading); no two of the sixteen
 * products fall on one bit, so nothing carries into those kept.
 */
#define TB_SPREAD	0x204081u
#define TB_BOOLS	offsetof(struct trace_call, ret_unknown)
G_STATIC_ASSERT(offsetof(struct trace_call, fd_deleted) == TB_BOOLS + 1 &&
    offsetof(struct trace_call, fd2_deleted) == TB_BOOLS + 2 &&
    offsetof(struct trace_call, ret_deleted) == TB_BOOLS + 3 &&
    TB_RET_UNKNOWN == 2 && TB_FD_DEL == 4 && TB_FD2_DEL == 8 &&
    TB_RET_DEL == 16 && TB_EXIT == 1 && TC_EXIT == 1 && TC_CALL == 0);

/* The n bytes (at most 8) of tc at off, zeros after, as one number:
 * neighbouring fields tested together, whatever the host's order (only
 * whether it is 0, or all ones, counts). */
static inline uint64_t
tc_word(const struct trace_call *tc, size_t off, size_t n)
{
	uint64_t w = 0;

	memcpy(&w, (const char *)tc + off, n);
	return w;
}
G_STATIC_ASSERT(offsetof(struct trace_call, rfd) + 8 ==
    offsetof(struct trace_call, oflags) &&
    offsetof(struct trace_call, atflags) ==
    offsetof(struct trace_call, oflags) + 4 &&
    offsetof(struct trace_call, xflags) ==
    offsetof(struct trace_call, oflags) + 8 &&
    offsetof(struct trace_call, mode) ==
    offsetof(struct trace_call, oflags) + 12 &&
    offsetof(struct trace_call, st_type) ==
    offsetof(struct trace_call, cmd) + 1);

/* The four bools' flags (bits 1-4). */
static inline uint32_t
bools_flags(const struct trace_call *tc)
{
	uint32_t b;

	memcpy(&b, (const char *)tc + TB_BOOLS, 4);
	return ((GUINT32_FROM_LE(b) * TB_SPREAD) >> 21 & 15) << 1;
}

/* The four bools from a record's word. */
static inline void
flags_bools(uint32_t word, struct trace_call *tc)
{
	uint32_t b = GUINT32_TO_LE(((word >> 1) & 15) * TB_SPREAD & 0x01010101u);

	memcpy((char *)tc + TB_BOOLS, &b, 4);
}

/* The most bytes a record's numbers take (strings aside): the six's
 * stores end at most 8 bytes each past the fixed part; the mask and the
 * twelve other numbers are at most 10 bytes each. */
#define TB_NUMBYTES	(TB_FIXED + 8 * TBS__N + 10 + 10 * 12)

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

/* The fields after the six (TB_MORE), as tbin_decode's decode_fields
 * reads them: out of line, so that the common shape needs no frame. */
static __attribute__((noinline)) uint8_t *
encode_more(const struct trace_call *tc, uint8_t *p, bool named)
{
	uint32_t mask = 0;

	mask |= tc->path != NULL ? TB(TBF_PATH) : 0;
	mask |= tc->fdpath != NULL ? TB(TBF_FDPATH) : 0;
	mask |= tc->oflags != 0 ? TB(TBF_OFLAGS) : 0;
	mask |= tc->err != 0 ? TB(TBF_ERR) : 0;
	mask |= tc->mode != 0 ? TB(TBF_MODE) : 0;
	mask |= tc->st_size != -1 ? TB(TBF_STSIZE) : 0;
	mask |= tc->retpath != NULL ? TB(TBF_RETPATH) : 0;
	mask |= tc->arg != 0 ? TB(TBF_ARG) : 0;
	mask |= tc->fd2 != TC_NOFD ? TB(TBF_FD2) : 0;
	mask |= tc->rfd[0] != TC_NOFD ? TB(TBF_RFD0) : 0;
	mask |= tc->rfd[1] != TC_NOFD ? TB(TBF_RFD1) : 0;
	mask |= tc->atflags != 0 ? TB(TBF_ATFLAGS) : 0;
	mask |= tc->xflags != 0 ? TB(TBF_XFLAGS) : 0;
	mask |= tc->cmd != 0 ? TB(TBF_CMD) : 0;
	mask |= tc->st_type != 0 ? TB(TBF_STTYPE) : 0;
	mask |= tc->path2 != NULL ? TB(TBF_PATH2) : 0;
	mask |= tc->fdpath2 != NULL ? TB(TBF_FDPATH2) : 0;
	mask |= named ? TB(TBF_NAME) : 0;
	p = put_u(p, mask);
	/* the fields there, lowest bit first, as decode_fields reads them */
	while (mask != 0) {
		unsigned f = (unsigned)__builtin_ctz(mask);

		mask &= mask - 1;
		switch (f) {
		case TBF_PATH:
			p = put_str(p, tc->path);
			break;
		case TBF_FDPATH:
			p = put_str(p, tc->fdpath);
			break;
		case TBF_OFLAGS:
			p = put_u(p, tc->oflags);
			break;
		case TBF_ERR:
			p = put_s(p, tc->err);
			break;
		case TBF_MODE:
			p = put_u(p, tc->mode);
			break;
		case TBF_STSIZE:
			p = put_s(p, tc->st_size);
			break;
		case TBF_RETPATH:
			p = put_str(p, tc->retpath);
			break;
		case TBF_ARG:
			p = put_s(p, tc->arg);
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
		case TBF_ATFLAGS:
			p = put_u(p, tc->atflags);
			break;
		case TBF_XFLAGS:
			p = put_u(p, tc->xflags);
			break;
		case TBF_CMD:
			p = put_u(p, tc->cmd);
			break;
		case TBF_STTYPE:
			p = put_u(p, tc->st_type);
			break;
		case TBF_PATH2:
			p = put_str(p, tc->path2);
			break;
		case TBF_FDPATH2:
			p = put_str(p, tc->fdpath2);
			break;
		case TBF_NAME:
			p = put_str(p, tc->name);
			break;
		}
	}
	return p;
}

size_t
tbin_encode(const struct trace_call *restrict tc, uint8_t *restrict out)
{
	uint8_t *p = out + TB_FIXED;
	uint16_t sc = tc->sc < SC__COUNT ? tc->sc : SC_OTHER;
	/* The name against its block, the whole field a word at a time
	 * (a compare of fixed size, no call): equal when the name is the
	 * call's and zeros follow it, as trace_call_reset and every reader
	 * leave them.  Bytes after its NUL that are not zeros only make
	 * the record carry the name, which decodes to the same. */
	bool named = tc->kind == TC_EXIT || sc == SC_OTHER ||
	    memcmp(tc->name, sc_name_blocks[sc], sizeof(tc->name)) != 0;
	/*
	 * Whether any other field is there.  Most calls have none: the
	 * sixteen are tested together, one OR of their differences from
	 * "absent" (-1 as 0 by adding one, unsigned; both rfd -1 as 0 by
	 * inverting the word of the two; the four flags two words, cmd
	 * and st_type one: neighbours, asserted above), and one by one
	 * (encode_more) only when that is not zero.
	 */
	bool more = named || ((uint64_t)tc->arg |
	    ((uint64_t)tc->st_size + 1) |
	    (uint32_t)tc->err | ((uint32_t)tc->fd2 + 1) |
	    ~tc_word(tc, offsetof(struct trace_call, rfd), 8) |
	    tc_word(tc, offsetof(struct trace_call, oflags), 8) |
	    tc_word(tc, offsetof(struct trace_call, xflags), 8) |
	    tc_word(tc, offsetof(struct trace_call, cmd), 2) |
	    (uintptr_t)tc->path | (uintptr_t)tc->path2 |
	    (uintptr_t)tc->fdpath | (uintptr_t)tc->fdpath2 |
	    (uintptr_t)tc->retpath) != 0;
	/* the word but the six's codes, which the six add as they go */
	uint32_t word = (tc->kind == TC_EXIT ? TB_EXIT : 0) |
	    bools_flags(tc) | (more ? TB_MORE : 0) | (uint32_t)sc << TB_SC;
	G_GNUC_UNUSED uint8_t *six_end;

	/* the six as differences from absent (unsigned: no overflow) */
	p = put_six(p, &word, TBS_RET, (uint64_t)tc->ret);
	p = put_six(p, &word, TBS_DUR, (uint64_t)tc->dur_ns + 1);
	p = put_six(p, &word, TBS_OFF, (uint64_t)tc->off - (uint64_t)TC_NOOFF);
	p = put_six(p, &word, TBS_LEN, (uint64_t)tc->len + 1);
	p = put_six(p, &word, TBS_FD,
	    (uint64_t)(int64_t)tc->fd - (uint64_t)TC_NOFD);
	six_end = p + 8;	/* the last store's end */
	p = put_six(p, &word, TBS_LINE, tc->line);
	memcpy(out, &word, 4);
	memcpy(out + 4, &tc->pid, 4);
	memcpy(out + 8, &tc->t_ns, 8);
	if (more)
		p = encode_more(tc, p, named);
	/* every byte written, the six's slack too, within the bound */
	KASSERT((size_t)(MAX(p, six_end) - out) <= tbin_max(tc),
	    ("tbin_encode: %zu bytes past tbin_max %zu",
	    (size_t)(MAX(p, six_end) - out), tbin_max(tc)));
	return (size_t)(p - out);
}

/* The fixed part's fields. */
static inline void
head_fixed(const uint8_t *rec, uint32_t word, struct tbin_head *h)
{
	h->kind = (word & TB_EXIT) ? TC_EXIT : TC_CALL;
	h->sc = (word >> TB_SC) < SC__COUNT ? (uint16_t)(word >> TB_SC) :
	    SC_OTHER;
	memcpy(&h->pid, rec + 4, 4);
	memcpy(&h->t_ns, rec + 8, 8);
}

/* The bytes of field i of the six, from a record's word. */
#define TB_K(word, i)	((((word) >> (TB_CODE0 + 3 * (i))) & 7) + 1)

/* Field i of the six at *pp (checked to lie in the record), *pp moved
 * past it. */
static inline uint64_t
get_six(const uint8_t **pp, uint32_t word, unsigned i)
{
	unsigned k = TB_K(word, i);
	uint64_t v = get_sx(*pp, k);

	*pp += k;
	return v;
}

void
tbin_head(const uint8_t *rec, size_t n, struct tbin_head *h)
{
	const uint8_t *p;
	uint8_t pad[TB_FIXED + 16];
	uint32_t word;
	unsigned k0, k1;

	if (n < TB_FIXED) {
		memset(h, 0, sizeof(*h));
		return;
	}
	p = rec + TB_FIXED;
	memcpy(&word, rec, 4);
	head_fixed(rec, word, h);
	k0 = TB_K(word, TBS_RET);
	k1 = TB_K(word, TBS_DUR);
	if (k0 + k1 > n - TB_FIXED) {
		/* cut short: its bytes, zeros after */
		memset(pad, 0, sizeof(pad));
		memcpy(pad, rec, n);
		p = pad + TB_FIXED;
	}
	h->ret = (int64_t)get_sx(p, k0);
	h->dur_ns = (int64_t)(get_sx(p + k0, k1) - 1);
}

void
tbin_head_fixed(const uint8_t *rec, size_t n, struct tbin_head *h)
{
	uint32_t word;

	memset(h, 0, sizeof(*h));
	if (n < TB_FIXED)
		return;
	memcpy(&word, rec, 4);
	head_fixed(rec, word, h);
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
 * What trace_call_reset leaves of the fields the record's fixed part and
 * six do not set, the call's string storage kept and its name left to
 * the caller: the reset's memset of the whole call compiles to a `rep
 * stos`, whose start-up was two-thirds of the decode's cycles (perf,
 * `hits`).  A field added to struct trace_call must be added here too;
 * the size below is the tripwire, and test_trace's decodes compare every
 * field with trace_call_equal.
 */
G_STATIC_ASSERT(sizeof(struct trace_call) == 216);

static inline void
decode_reset(struct trace_call *tc)
{
	tc->arg = 0;
	tc->st_size = -1;
	tc->err = 0;
	tc->fd2 = TC_NOFD;
	tc->rfd[0] = tc->rfd[1] = TC_NOFD;
	tc->oflags = tc->atflags = tc->xflags = tc->mode = 0;
	tc->cmd = 0;
	tc->st_type = 0;
	tc->path = tc->path2 = tc->fdpath = tc->fdpath2 = tc->retpath = NULL;
	tc->strlen_ = 0;
}

/*
 * The fields a record's mask names, in their order, from p (its end e):
 * a function of its own so that the common shape, which calls nothing,
 * needs no frame.
 */
static void __attribute__((noinline))
decode_fields(const uint8_t *p, const uint8_t *e, uint32_t mask,
    struct trace_call *tc)
{
	/* Only the fields present, lowest bit first (the order they were
	 * written in). */
	while (mask != 0) {
		unsigned f = (unsigned)__builtin_ctz(mask);

		mask &= mask - 1;
		switch (f) {
		case TBF_PATH:
			get_str(&p, e, tc, &tc->path);
			break;
		case TBF_FDPATH:
			get_str(&p, e, tc, &tc->fdpath);
			break;
		case TBF_OFLAGS:
			tc->oflags = (uint32_t)get_u(&p, e);
			break;
		case TBF_ERR:
			tc->err = (int32_t)get_s(&p, e);
			break;
		case TBF_MODE:
			tc->mode = (uint32_t)get_u(&p, e);
			break;
		case TBF_STSIZE:
			tc->st_size = get_s(&p, e);
			break;
		case TBF_RETPATH:
			get_str(&p, e, tc, &tc->retpath);
			break;
		case TBF_ARG:
			tc->arg = get_s(&p, e);
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
		case TBF_ATFLAGS:
			tc->atflags = (uint32_t)get_u(&p, e);
			break;
		case TBF_XFLAGS:
			tc->xflags = (uint32_t)get_u(&p, e);
			break;
		case TBF_CMD:
			tc->cmd = (uint8_t)get_u(&p, e);
			break;
		case TBF_STTYPE:
			tc->st_type = (uint8_t)get_u(&p, e);
			break;
		case TBF_PATH2:
			get_str(&p, e, tc, &tc->path2);
			break;
		case TBF_FDPATH2:
			get_str(&p, e, tc, &tc->fdpath2);
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
 * A record shorter than its fixed part and six (cut short: the bytes come
 * from this program, but a spill file is still a file): decoded as far as
 * it goes, from a copy with zeros after its bytes, and no more.
 */
static void __attribute__((noinline))
decode_short(const uint8_t *rec, size_t n, struct trace_call *tc)
{
	uint8_t pad[TB_FIXED + 8 * TBS__N];
	uint32_t word;

	if (n < TB_FIXED || n >= sizeof(pad)) {
		trace_call_reset(tc);
		return;
	}
	memset(pad, 0, sizeof(pad));
	memcpy(pad, rec, n);
	memcpy(&word, pad, 4);
	word &= ~(uint32_t)TB_MORE;
	memcpy(pad, &word, 4);
	tbin_decode(pad, sizeof(pad), tc);
}

/*
 * rec and tc never overlap (a record lies in the spool's, a queue's or a
 * spill file's buffer; the call is the caller's): restrict tells the
 * compiler so, so that no store to the call makes it load the record's
 * bytes again.
 */
void
tbin_decode(const uint8_t *restrict rec, size_t n,
    struct trace_call *restrict tc)
{
	const uint8_t *p, *e;
	uint32_t word, mask, t;

	/* (rec may be NULL when n is 0: no arithmetic on it before) */
	if (n < TB_FIXED + TBS__N) {
		decode_short(rec, n, tc);
		return;
	}
	p = rec + TB_FIXED;
	e = rec + n;
	memcpy(&word, rec, 4);
	/*
	 * Whether the six end in the record, before any is read: their
	 * bytes are six plus their codes' sum.  The codes are the six
	 * octal digits of t; adding the odd ones to the even ones leaves
	 * three sums of 6 bits, and one multiply adds those up in bits
	 * 12-17 (no sum reaches 64, so none carries into the next).
	 */
	t = word >> TB_CODE0;
	t = (t & 070707) + ((t >> 3) & 070707);
	if (TB_FIXED + TBS__N + (((t * 010101) >> 12) & 63) > n) {
		decode_short(rec, n, tc);
		return;
	}
	decode_reset(tc);
	tc->kind = word & TB_EXIT;
	flags_bools(word, tc);
	tc->sc = (word >> TB_SC) < SC__COUNT ? (uint16_t)(word >> TB_SC) :
	    SC_OTHER;
	memcpy(&tc->pid, rec + 4, 4);
	memcpy(&tc->t_ns, rec + 8, 8);
	/* the six: each one load and a shift, absent as 0 plus absent */
	tc->ret = (int64_t)get_six(&p, word, TBS_RET);
	tc->dur_ns = (int64_t)(get_six(&p, word, TBS_DUR) - 1);
	tc->off = (int64_t)(get_six(&p, word, TBS_OFF) + (uint64_t)TC_NOOFF);
	tc->len = (int64_t)(get_six(&p, word, TBS_LEN) - 1);
	tc->fd = (int32_t)(get_six(&p, word, TBS_FD) + (uint64_t)TC_NOFD);
	tc->line = get_six(&p, word, TBS_LINE);
	if (!(word & TB_MORE)) {
		/* The common shape: its name is its call's. */
		memcpy(tc->name, sc_name_blocks[tc->sc], sizeof(tc->name));
		return;
	}
	mask = (uint32_t)get_u(&p, e);
	/* The name: its block, or zeros for the record's own. */
	if (!(mask & TB(TBF_NAME)))
		memcpy(tc->name, sc_name_blocks[tc->sc], sizeof(tc->name));
	else
		memset(tc->name, 0, sizeof(tc->name));
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
