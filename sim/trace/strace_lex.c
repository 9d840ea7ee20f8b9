/*
 * strace_lex.c — the lexer of strace(1) lines: identifiers and integers,
 * quoted strings and their C escapes (-x/-xx), comments, -y/-yy
 * annotations, lists and structures, flag sets and constants in each -X
 * spelling (abbrev, raw, verbose), descriptors, and a line's prefix (the
 * task id, a -t/-tt/-ttt time stamp, -r's relative time).
 *
 * The argument list is tokenized, never split on " = ": a file name, a data
 * buffer or a -y annotation can hold " = ", parentheses, commas and quotes.
 * The tokenizer steps over quoted strings (with their C escapes), comments,
 * -y annotations ("3</a/b>", whose '<' and '>' are always escaped inside the
 * path) and nested brackets, and so finds the ')' that ends the call and the
 * top-level commas between the arguments.
 *
 * Everything here reads the text alone and keeps no state; a helper that
 * fails says why in a struct errbuf, which the reader (strace.c) turns into
 * an error naming the file and line.
 */
#include "strace_private.h"

#include "kassert.h"

#include <stdarg.h>
#include <string.h>

#define MAXDEPTH	64	/* bracket nesting inside one call */

bool
strace_bad(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return false;
}

/* A short, printable excerpt of s for messages. */
const char *
strace_excerpt(const char *s, size_t n, char *buf, size_t bufsz)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < bufsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, bufsz - o, "\\x%02x", c);
	}
	if (i < n && o + 4 <= bufsz) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ---- lexical helpers ------------------------------------------------- */

/* Each byte's part in an identifier: IDENT_ANY for a letter, digit or
 * '_', IDENT_FIRST as well for a byte that can start one (a letter or
 * '_'); the same classes as g_ascii_isalnum and g_ascii_isalpha, looked up
 * without a call into GLib's table a byte (strace_lex_ident had been
 * fourteen instructions a character: call names, flags, error names). */
enum { IDENT_ANY = 1, IDENT_FIRST = 2 };
static const uint8_t ident_class[256] = {
	['0' ... '9'] = IDENT_ANY,
	['A' ... 'Z'] = IDENT_ANY | IDENT_FIRST,
	['a' ... 'z'] = IDENT_ANY | IDENT_FIRST,
	['_'] = IDENT_ANY | IDENT_FIRST,
};

/* Length of the identifier at s (0 if none). */
size_t
strace_lex_ident(const char *s, size_t n)
{
	size_t i = 1;

	if (n == 0 || !(ident_class[(unsigned char)s[0]] & IDENT_FIRST))
		return 0;
	while (i < n && ident_class[(unsigned char)s[i]] != 0)
		i++;
	return i;
}

/* Each byte's value as a hex digit plus one, 0 if it is none (so that
 * the value less one, unsigned, is no digit of any base). */
static const uint8_t xdigit_val1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/*
 * An integer as strace prints it: decimal, 0x hex or 0-led octal, perhaps
 * negative.  Returns the characters used, 0 if s does not start with one
 * (or it is followed by letters, as in "0x1g", or overflows).  Values above
 * INT64_MAX (addresses) wrap, as they do in the kernel's registers.
 */
size_t
strace_lex_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0, d0;
	uint64_t v = 0;
	unsigned base = 10;
	bool neg = false;

	if (i < n && s[i] == '-') {
		neg = true;
		i++;
	}
	if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (i < n && s[i] == '0')
		base = 8;
	d0 = i;
	/* a digit's value by a table (g_ascii_xdigit_value is a call into
	 * GLib a digit, and the test of overflow had been a division); the
	 * first fifteen digits cannot overflow in any base up to 16 (16^15 is
	 * 2^60), so only longer numbers test each step */
	for (; i < n && i - d0 < 15; i++) {
		unsigned d = (unsigned)xdigit_val1[(unsigned char)s[i]] - 1;

		if (d >= base)
			break;
		v = v * base + d;
	}
	for (; i < n; i++) {
		unsigned d = (unsigned)xdigit_val1[(unsigned char)s[i]] - 1;

		if (d >= base)
			break;
		if (!g_uint64_checked_mul(&v, v, base) ||
		    !g_uint64_checked_add(&v, v, d))
			return 0;
	}
	if (i == d0 || (i < n && is_identc(s[i])))
		return 0;
	*out = neg ? (int64_t)(~v + 1) : (int64_t)v;
	return i;
}

/* ---- a word at a time ------------------------------------------------ */

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Eight bytes of s from i as a word whose lowest byte is s[i] (on any
 * byte order), so that a hit's lowest set bit is its first byte. */
static inline uint64_t
load_le(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return GUINT64_FROM_LE(w);
}

/* The bytes of w equal to c, as their high bits.  Exact in its lowest set
 * bit: (x - 1) & ~x sets a byte's high bit for a zero byte, and a false one
 * only above a true one. */
static inline uint64_t
word_has(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return (x - ONES) & ~x & HIGHS;
}

/* The index in the word of the byte whose high bit is hit's lowest. */
static inline size_t
first_byte(uint64_t hit)
{
	return (size_t)__builtin_ctzll(hit) / 8;
}

/* The index of the first a or b in s[i..n), or n: eight bytes at a time,
 * jumping straight to the byte found. */
static inline size_t
skip_to_2(const char *s, size_t n, size_t i, unsigned char a, unsigned char b)
{
	for (; i + 8 <= n; i += 8) {
		uint64_t w = load_le(s + i);
		uint64_t hit = word_has(w, a) | word_has(w, b);

		if (hit != 0)
			return i + first_byte(hit);
	}
	while (i < n && (unsigned char)s[i] != a && (unsigned char)s[i] != b)
		i++;
	return MIN(i, n);
}

/* Is s nothing but blanks and comments? */
bool
strace_only_comment(const char *s, size_t n)
{
	size_t i = skip_space(s, n, 0);

	while (i < n) {
		const char *end;

		if (i + 1 >= n || s[i] != '/' || s[i + 1] != '*')
			return false;
		end = memmem(s + i + 2, n - i - 2, "*/", 2);
		if (end == NULL)
			return false;
		i = skip_space(s, n, (size_t)(end - s) + 2);
	}
	return true;
}

/* s[*ip] is '"': step over the string, and "..." if it was cut short.
 * *qend (if not NULL) is the index of the closing quote. */
bool
strace_skip_string(struct errbuf *e, const char *s, size_t n, size_t *ip, size_t *qend)
{
	size_t i = *ip + 1;

	/* To the next quote or backslash eight bytes at a time, then byte
	 * by byte while escapes come close together, a backslash stepping
	 * over the character it escapes, back to words after eight plain
	 * bytes.  A data buffer ("\r\0\0\t\1\250...") has an escape
	 * every two or three bytes: finding each by memchr, a call an escape,
	 * had been the costliest lexing of d1's reads and writes, and a word
	 * an escape still cost twice a byte. */
	for (;;) {
		int plain = 0;

		i = skip_to_2(s, n, i, '"', '\\');
		while (i < n && plain < 8) {
			if (s[i] == '\\') {
				i += 2;	/* the escaped character */
				plain = 0;
			} else if (s[i] == '"') {
				if (qend != NULL)
					*qend = i;
				i++;
				if (n - i >= 3 && memcmp(s + i, "...", 3) == 0)
					i += 3;
				*ip = i;
				return true;
			} else {
				i++;
				plain++;
			}
		}
		if (i >= n)
			break;
	}
	return strace_bad(e, "unterminated string (line cut short?)");
}

bool
strace_skip_comment(struct errbuf *e, const char *s, size_t n, size_t *ip)
{
	const char *end = n - *ip >= 4 ?
	    memmem(s + *ip + 2, n - *ip - 2, "*/", 2) : NULL;

	if (end == NULL)
		return strace_bad(e, "unterminated comment (line cut short?)");
	*ip = (size_t)(end - s) + 2;
	return true;
}

/*
 * s[*ip] is '<': step over an annotation.  A path ("</a/b>") has its '<'
 * and '>' escaped, but -yy appends a raw "<char 136:0>" to device paths, so
 * '<' nests.  Anything else ("<pipe:[1]>", "<TCP:[1.2.3.4:5->6.7.8.9:10]>",
 * "<... resuming interrupted read ...>") may hold a raw '>' inside
 * brackets or quotes, which do not close it; a path may hold an unbalanced
 * '[', so brackets are not counted in paths.
 */
/* The characters skip_annot and strace_next_item stop at; a run of
 * others is stepped over a table look-up a byte. */
static const uint8_t annot_path_stop[256] = {
	['\\'] = 1, ['<'] = 1, ['>'] = 1,
};
static const uint8_t annot_stop[256] = {
	['\\'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['['] = 1, [']'] = 1,
};
/* strace_next_item's stops: those of its switch and the list's separator,
 * one table for each separator there is (',' between arguments and fields,
 * '|' between flags, NUL in a list that has none), so that a plain byte
 * is one look-up and no comparison. */
#define ITEM_STOPS \
	['"'] = 1, ['/'] = 1, ['<'] = 1, ['('] = 1, ['['] = 1, ['{'] = 1, \
	[')'] = 1, [']'] = 1, ['}'] = 1
static const uint8_t item_stop_comma[256] = { ITEM_STOPS, [','] = 1 };
static const uint8_t item_stop_bar[256] = { ITEM_STOPS, ['|'] = 1 };
static const uint8_t item_stop_nul[256] = { ITEM_STOPS, ['\0'] = 1 };
#undef ITEM_STOPS

/* Where skip_annot stops in the eight bytes of w (as word_has gives them,
 * exact in the lowest): the same sets as annot_path_stop and annot_stop, a
 * word at a time. */
static inline uint64_t
annot_word_stops(uint64_t w, bool path)
{
	uint64_t hit = word_has(w, '\\') | word_has(w, '<') | word_has(w, '>');

	if (!path)
		hit |= word_has(w, '"') | word_has(w, '[') | word_has(w, ']');
	return hit;
}
#undef ONES
#undef HIGHS

static bool
skip_annot(struct errbuf *e, const char *s, size_t n, size_t *ip)
{
	size_t i = *ip;
	int angle = 0, square = 0;
	bool path = i + 1 < n && (s[i + 1] == '/' || s[i + 1] == '\\');
	const uint8_t *stop = path ? annot_path_stop : annot_stop;

	if (path) {
		/* Nearly every annotation is a path with no escape, whose
		 * first stop after its '<' is its '>': taken here straight
		 * (this, the item and the descriptor each lexing it, had
		 * been a tenth of d1's reading); anything else from the
		 * start below. */
		size_t j = i + 1;

		for (; j + 8 <= n; j += 8) {
			uint64_t hit = annot_word_stops(load_le(s + j), true);

			if (hit != 0) {
				j += first_byte(hit);
				break;
			}
		}
		while (j < n && !annot_path_stop[(unsigned char)s[j]])
			j++;
		if (j < n && s[j] == '>') {
			*ip = j + 1;
			return true;
		}
	}
	for (;;) {
		char c;

		/* Eight bytes at a time while none of them stops us (a
		 * -y path is tens of bytes with one stop, its '>': a byte
		 * at a time this was the scan's costliest lexing), straight
		 * to the stop in the word that has one; the last few bytes
		 * one by one. */
		for (;;) {
			uint64_t hit;

			if (i + 8 > n) {
				while (i < n && !stop[(unsigned char)s[i]])
					i++;
				break;
			}
			hit = annot_word_stops(load_le(s + i), path);
			if (hit != 0) {
				i += first_byte(hit);
				break;
			}
			i += 8;
		}
		if (i >= n)
			break;
		c = s[i];

		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '"' && !path) {
			if (!strace_skip_string(e, s, n, &i, NULL))
				return false;
			continue;
		}
		if (c == '[' && !path)
			square++;
		else if (c == ']' && !path && square > 0)
			square--;
		else if (c == '<' && square == 0)
			angle++;
		else if (c == '>' && square == 0 && --angle == 0) {
			*ip = i + 1;
			return true;
		}
		i++;
	}
	return strace_bad(e, "unterminated '<' annotation (line cut short?)");
}

void
strace_iter_init(struct iter *it, const char *s, size_t n, char sep)
{
	it->s = s;
	it->n = n;
	it->pos = 0;
	it->stop = n;
	it->ann.s = NULL;
	it->ann.n = 0;
	it->sep = sep;
	it->stops = sep == ',' ? item_stop_comma : sep == '|' ? item_stop_bar :
	    item_stop_nul;
	it->done = false;
	KASSERT(sep == ',' || sep == '|' || sep == '\0',
	    ("strace_iter_init: no stop table for separator %#x", (unsigned)sep));
}

/* The first byte of s[i..n) that stops, or n: four look-ups a round (the
 * scan's flag sets, numbers and addresses are tens of plain bytes an
 * argument list; the loop's test and step had been most of its cost). */
static inline size_t
skip_plain(const uint8_t *stops, const char *s, size_t n, size_t i)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; i + 4 <= n; i += 4) {
		if (stops[u[i]])
			return i;
		if (stops[u[i + 1]])
			return i + 1;
		if (stops[u[i + 2]])
			return i + 2;
		if (stops[u[i + 3]])
			return i + 3;
	}
	while (i < n && !stops[u[i]])
		i++;
	return i;
}

/* 1 and the next (trimmed) item; 0 at the end of the list; -1 if the list
 * is not well formed. */
int
strace_next_item(struct errbuf *e, struct iter *it, struct span *item)
{
	char want[MAXDEPTH];
	const char *s = it->s, *ann = NULL;
	const uint8_t *stops = it->stops;
	size_t i = it->pos, n = it->n, annlen = 0;
	int depth = 0;

	if (it->done)
		return 0;
	for (;;) {
		char c;

		/* past the bytes that are none of the cases below, nor the
		 * separator */
		if ((i = skip_plain(stops, s, n, i)) >= n)
			break;
		c = s[i];
		switch (c) {
		case '"':
			if (!strace_skip_string(e, s, n, &i, NULL))
				return -1;
			continue;
		case '/':
			if (i + 1 < n && s[i + 1] == '*') {
				if (!strace_skip_comment(e, s, n, &i))
					return -1;
				continue;
			}
			break;
		case '<':
			/* "1<<CAP_CHOWN" is a shift, not an annotation */
			if (i + 1 < n && s[i + 1] == '<') {
				i += 2;
				continue;
			}
			{
				size_t a0 = i;

				if (!skip_annot(e, s, n, &i))
					return -1;
				if (ann == NULL) {
					ann = s + a0;
					annlen = i - a0;
				}
			}
			continue;
		case '(':
		case '[':
		case '{':
			if (depth == MAXDEPTH) {
				strace_bad(e, "brackets nested too deeply");
				return -1;
			}
			want[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
			break;
		case ')':
		case ']':
		case '}':
			if (depth == 0)
				goto end;
			if (want[--depth] != c) {
				strace_bad(e, "'%c' where '%c' was expected", c, want[depth]);
				return -1;
			}
			break;
		default:
			if (c == it->sep && depth == 0) {
				*item = trim(s + it->pos, i - it->pos);
				it->pos = i + 1;
				it->ann.s = ann;
				it->ann.n = annlen;
				return 1;
			}
		}
		i++;
	}
end:
	if (depth > 0) {
		strace_bad(e, "'%c' missing (line cut short?)", want[depth - 1]);
		return -1;
	}
	*item = trim(s + it->pos, i - it->pos);
	it->ann.s = ann;
	it->ann.n = annlen;
	it->stop = i;
	it->done = true;
	return 1;
}

/* Split a whole list into at most max items (more are scanned, counted and
 * dropped).  An empty list has no items.  anns (if not NULL) gets each
 * item's first annotation as the walk stepped over it (strace_iter's ann),
 * so that a descriptor's decoding need not walk it again
 * (strace_parse_fd_at). */
static bool
split_list(struct errbuf *e, const char *s, size_t n, char sep,
    struct span *items, struct span *anns, int max, int *nitems, size_t *stop)
{
	struct iter it;
	struct span x;
	int r, k = 0;

	strace_iter_init(&it, s, n, sep);
	while ((r = strace_next_item(e, &it, &x)) > 0) {
		if (k < max) {
			items[k] = x;
			if (anns != NULL)
				anns[k] = it.ann;
		}
		k++;
	}
	if (r < 0)
		return false;
	if (k == 1 && x.n == 0)
		k = 0;
	*nitems = k;
	*stop = it.stop;
	return true;
}

bool
strace_split_list(struct errbuf *e, const char *s, size_t n, char sep,
    struct span *items, int max, int *nitems, size_t *stop)
{
	return split_list(e, s, n, sep, items, NULL, max, nitems, stop);
}

/* A call's arguments: strace_split_list at ',' with each item's first
 * annotation in anns. */
bool
strace_split_args(struct errbuf *e, const char *s, size_t n,
    struct span *items, struct span *anns, int max, int *nitems, size_t *stop)
{
	return split_list(e, s, n, ',', items, anns, max, nitems, stop);
}

/*
 * Decode the C escapes strace writes (\n \t \r \v \f \\ \" \NNN \xHH) of
 * s[0..n) into out.  A decoded NUL is an error: these are file names.
 */
bool
strace_unescape(struct errbuf *e, const char *s, size_t n, GString *out)
{
	size_t i = 0;

	g_string_truncate(out, 0);
	while (i < n) {
		const char *b = memchr(s + i, '\\', n - i);
		size_t run = b != NULL ? (size_t)(b - s) - i : n - i;
		unsigned v;
		char c;

		g_string_append_len(out, s + i, (gssize)run);
		i += run;
		if (i >= n)
			break;
		if (++i >= n)
			return strace_bad(e, "'\\' at the end of a string");
		c = s[i++];
		switch (c) {
		case 'n': v = '\n'; break;
		case 't': v = '\t'; break;
		case 'r': v = '\r'; break;
		case 'v': v = '\v'; break;
		case 'f': v = '\f'; break;
		case '\\': v = '\\'; break;
		case '"': v = '"'; break;
		case 'x': {
			int k, d;

			for (v = 0, k = 0; k < 2 && i < n &&
			    (d = g_ascii_xdigit_value(s[i])) >= 0; k++, i++)
				v = v * 16 + (unsigned)d;
			if (k == 0)
				return strace_bad(e, "'\\x' without hex digits in a string");
			break;
		}
		default:
			if (c >= '0' && c <= '7') {
				int k;

				v = (unsigned)(c - '0');
				for (k = 1; k < 3 && i < n && s[i] >= '0' &&
				    s[i] <= '7'; k++, i++)
					v = v * 8 + (unsigned)(s[i] - '0');
				if (v > 0377)
					return strace_bad(e, "octal escape out of range in a string");
				break;
			}
			return strace_bad(e, "unknown escape '\\%c' in a string", c);
		}
		if (v == 0)
			return strace_bad(e, "NUL byte in a file name");
		g_string_append_c(out, (char)v);
	}
	return true;
}

/*
 * A number with a fractional part ("1795914219.276873", "0.000038"): sec
 * digits, '.', fraction digits (any number; beyond ns they are dropped).
 */
/*
 * Are the eight bytes at s all digits, and if so their value?  A word at
 * a time: a byte is a digit when its high nibble is 3 and adding 6 does
 * not carry into it; then pairs, quads and the halves are combined by
 * three multiplications.  Bytes are taken first-lowest, so this is for
 * little-endian machines; elsewhere it says no and the caller reads the
 * digits one by one.
 */
static inline bool
eight_digits(const char *s, uint64_t *v)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	const uint64_t hi = UINT64_C(0xf0f0f0f0f0f0f0f0);
	uint64_t w;

	memcpy(&w, s, 8);
	if (((w & hi) | (((w + UINT64_C(0x0606060606060606)) & hi) >> 4)) !=
	    UINT64_C(0x3333333333333333))
		return false;
	w -= UINT64_C(0x3030303030303030);
	/* each byte pair: 10 * first + second, in the lower byte */
	w = w * 10 + (w >> 8);
	/* the four pairs: 1000000, 10000, 100 and 1 times each */
	*v = ((w & UINT64_C(0x000000ff000000ff)) *
	    (100 + (UINT64_C(1000000) << 32)) +
	    ((w >> 16) & UINT64_C(0x000000ff000000ff)) *
	    (1 + (UINT64_C(10000) << 32))) >> 32;
	return true;
#else
	(void)s;
	(void)v;
	return false;
#endif
}

size_t
strace_lex_secfrac(const char *s, size_t n, int64_t *ns)
{
	size_t i = 0;
	int64_t sec = 0, frac = 0;
	uint64_t v;
	int k;

	/* -ttt's seconds are ten digits: the first eight in one word (no
	 * eight digits can pass the bound below, so the loop goes on as if
	 * it had read them). */
	if (n >= 8 && eight_digits(s, &v)) {
		sec = (int64_t)v;
		i = 8;
	}
	while (i < n && g_ascii_isdigit(s[i])) {
		if (sec > (INT64_MAX / NS_PER_SEC - 10) / 10)
			return 0;
		sec = sec * 10 + (s[i++] - '0');
	}
	if (i == 0 || i >= n || s[i] != '.')
		return 0;
	i++;
	/* -ttt's and -T's fractions are six digits: after two '0's they
	 * are eight digits of the same value, read in one word */
	if (n - i >= 6 && (n - i == 6 || !g_ascii_isdigit(s[i + 6]))) {
		char w[8] = { '0', '0' };

		memcpy(w + 2, s + i, 6);
		if (eight_digits(w, &v)) {
			*ns = sec * NS_PER_SEC + (int64_t)v * 1000;
			return i + 6;
		}
	}
	for (k = 0; i < n && g_ascii_isdigit(s[i]); i++, k++)
		if (k < 9)
			frac = frac * 10 + (s[i] - '0');
	if (k == 0)
		return 0;
	for (; k < 9; k++)
		frac *= 10;
	*ns = sec * NS_PER_SEC + frac;
	return i;
}

/* ---- flags and constants --------------------------------------------- */

/* The entry of t named s[0..n), or NULL.  Compared a byte at a time, so
 * that a name is left at its first difference (most of a table's names
 * differ from the one sought within their first three bytes: "O_", "S_I",
 * "MAP_"), where a strlen of every name had been a call each. */
const struct sym *
strace_sym_find(const struct sym *t, const char *s, size_t n)
{
	for (; t->name != NULL; t++) {
		const char *a = t->name;
		size_t j = 0;

		/* a[j] is read only up to its NUL: a NUL differs from s[j]
		 * (which is never one: check_text refuses control bytes)
		 * or ends the loop with j == n */
		while (j < n && a[j] == s[j])
			j++;
		if (j == n && a[j] == '\0')
			return t;
	}
	return NULL;
}

static uint32_t
raw_map(const struct rawbit *r, uint64_t v)
{
	uint32_t bits = 0;

	if (r == NULL)
		return (uint32_t)v;
	for (; r->mask != 0; r++)
		if ((v & r->mask) == r->match)
			bits |= r->bits;
	return bits;
}

/*
 * A flag set in any of strace's spellings: "O_RDONLY|O_CLOEXEC" (-X abbrev),
 * "0x80000" (-X raw), "0x80000 /\* O_CLOEXEC *\/" (-X verbose), or mixed
 * ("0 /\* AT_STATX_SYNC_AS_STAT *\/|0x100 /\* ... *\/", "|0x100").  Numbers
 * are Linux x86_64 values; names this model does not know are ignored.
 */
/*
 * The common spelling of a flag set, lexed in one pass: numbers and
 * names, blanks around them, '|' between.  Each token is read where it
 * stands and the '|' after it is the next thing there, where the general
 * path below walks the set to split it and then lexes each item again
 * (a flag set had been each byte twice and two calls an item: an openat's
 * flags and a stat's st_mode about 700 instructions each).  False, having
 * decided nothing, at anything else (a comment, a shift, a bracket, a
 * string, junk): the general path reads the whole set again from its
 * start.  Where this one finishes, the set holds none of the bytes the
 * general path's split stops at but '|', so its items are this one's
 * tokens, trimmed; a number is followed by nothing but blanks (the
 * general path's strace_only_comment holds), a name is looked up just
 * as there.
 */
static bool
flags_plain(struct span v, const struct flagdef *def, uint32_t *out)
{
	uint32_t bits = 0;
	size_t i = 0;

	for (;;) {
		int64_t num;
		size_t k;

		i = skip_space(v.s, v.n, i);
		if (i < v.n && v.s[i] != '|') {
			const char *x = v.s + i;
			size_t m = v.n - i;

			if ((k = strace_lex_int(x, m, &num)) > 0)
				bits |= raw_map(def->raw, (uint64_t)num);
			else if ((k = strace_lex_ident(x, m)) > 0) {
				const struct sym *sy = strace_sym_find(def->syms, x, k);

				if (sy != NULL)
					bits |= sy->val;
			} else
				return false;
			i = skip_space(v.s, v.n, i + k);
		}
		if (i == v.n)
			break;
		if (v.s[i] != '|')
			return false;
		i++;
	}
	*out = bits;
	return true;
}

bool
strace_parse_flags(struct errbuf *e, struct span v, const struct flagdef *def,
    uint32_t *out)
{
	struct iter it;
	struct span x;
	uint32_t bits = 0;
	int r;

	if (flags_plain(v, def, out))
		return true;
	strace_iter_init(&it, v.s, v.n, '|');
	while ((r = strace_next_item(e, &it, &x)) > 0) {
		int64_t num;
		size_t k;

		if ((k = strace_lex_int(x.s, x.n, &num)) > 0) {
			if (strace_only_comment(x.s + k, x.n - k))
				bits |= raw_map(def->raw, (uint64_t)num);
		} else if ((k = strace_lex_ident(x.s, x.n)) > 0) {
			const struct sym *sy = strace_sym_find(def->syms, x.s, k);

			if (sy != NULL)
				bits |= sy->val;
		}
		/* anything else ("1<<CAP_X", "~...") is not a flag we model */
	}
	if (r < 0)
		return false;
	if (it.stop != v.n)
		return strace_bad(e, "unbalanced '%c' in a flag set", v.s[it.stop]);
	*out = bits;
	return true;
}

uint32_t
strace_parse_enum(struct span v, const struct enumdef *def)
{
	int64_t num;
	size_t k;

	if ((k = strace_lex_int(v.s, v.n, &num)) > 0) {
		const struct numcode *c;

		if (!strace_only_comment(v.s + k, v.n - k))
			return def->other;
		for (c = def->nums; c->num >= 0; c++)
			if (c->num == num)
				return c->code;
	} else if ((k = strace_lex_ident(v.s, v.n)) > 0) {
		const struct sym *sy = strace_sym_find(def->syms, v.s, k);

		if (sy != NULL && strace_only_comment(v.s + k, v.n - k))
			return sy->val;
	}
	return def->other;
}

/* An integer argument, perhaps with a -X verbose comment. */
bool
strace_parse_num(struct span v, int64_t *out)
{
	size_t k = strace_lex_int(v.s, v.n, out);

	return k > 0 && strace_only_comment(v.s + k, v.n - k);
}

/* ---- arguments ------------------------------------------------------- */

/* Step over "<...>" and "(deleted)" at v.s[*ip] if there.  known: the
 * annotation that starts there if the caller's walk has already stepped
 * over it (s NULL or elsewhere: walk it here).  skip_annot ends an
 * annotation at its first closing '>', whatever follows, so a walk of
 * the whole list and one of an item that holds the annotation end at the
 * same byte. */
static bool
lex_annot(struct errbuf *e, struct span v, size_t *ip, struct span known,
    struct span *ann, bool *deleted)
{
	size_t i = *ip, j = i;

	ann->s = NULL;
	ann->n = 0;
	*deleted = false;
	if (i >= v.n || v.s[i] != '<')
		return true;
	if (known.s == v.s + i && known.n <= v.n - i) {
		KASSERT(known.n >= 2 && v.s[i + known.n - 1] == '>',
		    ("lex_annot: a known annotation not closed by '>'"));
		j = i + known.n;
	} else if (!skip_annot(e, v.s, v.n, &j))
		return false;
	ann->s = v.s + i + 1;
	ann->n = j - i - 2;
	if (v.n - j >= 9 && memcmp(v.s + j, "(deleted)", 9) == 0) {
		*deleted = true;
		j += 9;
	}
	*ip = j;
	return true;
}

bool
strace_lex_annot(struct errbuf *e, struct span v, size_t *ip, struct span *ann,
    bool *deleted)
{
	static const struct span none = { NULL, 0 };

	return lex_annot(e, v, ip, none, ann, deleted);
}

/* A descriptor: "3", "-100", "AT_FDCWD", each perhaps with an annotation,
 * "(deleted)" and a comment ("-100 /\* AT_FDCWD *\/").  known: as
 * lex_annot's (the argument's first annotation, from strace_split_args). */
bool
strace_parse_fd_at(struct errbuf *e, struct span v, struct span known,
    int32_t *fd, struct span *ann, bool *deleted)
{
	int64_t x;
	size_t i;

	if (has_prefix(v.s, v.n, "AT_FDCWD") &&
	    (v.n == 8 || !is_identc(v.s[8]))) {
		x = TC_AT_FDCWD;
		i = 8;
	} else if ((i = strace_lex_int(v.s, v.n, &x)) == 0 || x < INT32_MIN ||
	    x > INT32_MAX)
		return strace_bad(e, "expected a descriptor");
	else if (i < v.n && v.s[i] == ' ') {
		/* -X verbose names a number in a comment after it ("-100
		 * \/\* AT_FDCWD *\/"), and -y's path comes after that */
		size_t j = skip_space(v.s, v.n, i);

		if (j + 1 < v.n && v.s[j] == '/' && v.s[j + 1] == '*') {
			if (!strace_skip_comment(e, v.s, v.n, &j))
				return false;
			if (j < v.n && v.s[j] == '<')
				i = j;
		}
	}
	if (!lex_annot(e, v, &i, known, ann, deleted))
		return false;
	if (!strace_only_comment(v.s + i, v.n - i))
		return strace_bad(e, "unexpected text after a descriptor");
	*fd = (int32_t)x;
	return true;
}

bool
strace_parse_fd(struct errbuf *e, struct span v, int32_t *fd, struct span *ann,
    bool *deleted)
{
	static const struct span none = { NULL, 0 };

	return strace_parse_fd_at(e, v, none, fd, ann, deleted);
}

/* Find fields of the structure v starts with ("{key=value, ...}"); text
 * after its '}' (clone3's " => {...}") is ignored.  vals[i].s stays NULL
 * for a field that is not there.  v not a structure (an address): none. */
bool
strace_struct_fields(struct errbuf *e, struct span v, const char *const *keys,
    struct span *vals, int nkeys)
{
	struct iter it;
	struct span x;
	int r, k;

	for (k = 0; k < nkeys; k++)
		vals[k].s = NULL;
	if (v.n == 0 || v.s[0] != '{')
		return true;
	strace_iter_init(&it, v.s + 1, v.n - 1, ',');
	while ((r = strace_next_item(e, &it, &x)) > 0) {
		const char *eq = memchr(x.s, '=', x.n);

		if (eq == NULL)
			continue;
		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k]) == (size_t)(eq - x.s) &&
			    memcmp(x.s, keys[k], (size_t)(eq - x.s)) == 0)
				vals[k] = trim(eq + 1, x.n - (size_t)(eq - x.s) - 1);
	}
	if (r < 0)
		return false;
	if (it.stop >= it.n || it.s[it.stop] != '}')
		return strace_bad(e, "structure not closed by '}'");
	return true;
}

/* ---- line prefixes --------------------------------------------------- */

size_t
strace_lex_pid(const char *s, size_t n, int32_t *pid)
{
	int64_t v = 0;
	size_t i = 0;

	while (i < n && g_ascii_isdigit(s[i]) && i < 10)
		v = v * 10 + (s[i++] - '0');
	if (i == 0 || v > INT32_MAX || (i < n && g_ascii_isdigit(s[i])))
		return 0;
	*pid = (int32_t)v;
	return i;
}

/* Whole seconds, no fraction (--timestamps=unix,s; -r with precision:s):
 * at most ten digits (nanoseconds in 64 bits), the stamp's end a blank. */
static size_t
whole_seconds(const char *s, size_t n, int64_t *ns)
{
	int64_t sec = 0;
	size_t i;

	for (i = 0; i < n && i < 10 && g_ascii_isdigit(s[i]); i++)
		sec = sec * 10 + (s[i] - '0');
	if (i == 0 || i >= n || s[i] != ' ' || sec > INT64_MAX / NS_PER_SEC)
		return 0;
	*ns = sec * NS_PER_SEC;
	return i;
}

/* "HH:MM:SS" or "HH:MM:SS.frac" */
static size_t
lex_tod(const char *s, size_t n, int64_t *ns)
{
	int f[3], k;
	size_t i = 0;

	for (k = 0; k < 3; k++) {
		if (k > 0 && (i >= n || s[i++] != ':'))
			return 0;
		if (i + 2 > n || !g_ascii_isdigit(s[i]) || !g_ascii_isdigit(s[i + 1]))
			return 0;
		f[k] = (s[i] - '0') * 10 + (s[i + 1] - '0');
		i += 2;
	}
	if (f[0] > 23 || f[1] > 59 || f[2] > 60)
		return 0;
	*ns = ((int64_t)f[0] * 3600 + f[1] * 60) * NS_PER_SEC;
	if (i < n && s[i] == '.') {
		int64_t frac;
		/* reuse the seconds-and-fraction reader on "SS.frac" */
		size_t m = strace_lex_secfrac(s + i - 2, n - i + 2, &frac);

		if (m == 0)
			return 0;
		*ns += frac;
		i += m - 2;
	} else
		*ns += f[2] * NS_PER_SEC;
	return i;
}

/*
 * -Y (--decode-pids=comm): the task's command after its id, "<NAME>" —
 * printleader's print_comm_str quotes it with '<' and '>' escaped, so the
 * first '>' ends it (at most 16 bytes, each written as up to 4).  The
 * length of it at s[i], 0 if there is none.
 */
#define COMM_MAX	(2 + 16 * 4)

static size_t
lex_comm(const char *s, size_t n, size_t i)
{
	const char *c;

	if (i >= n || s[i] != '<')
		return 0;
	c = memchr(s + i + 1, '>', MIN(n - i - 1, COMM_MAX - 1));
	return c != NULL ? (size_t)(c - s) + 1 - i : 0;
}

/*
 * The prefix of a line: "[pid N] " or "PID " (with -Y, "[pid N<NAME>] "
 * or "PID<NAME> "), a time stamp (-ttt: epoch seconds; -tt/-t: time of
 * day), and -r's "(+ 0.000095)".  False if what is there is malformed.
 */
bool
strace_parse_prefix(struct errbuf *e, const char *s, size_t n, struct prefix *pf)
{
	size_t i = 0, k;

	memset(pf, 0, sizeof(*pf));
	if (has_prefix(s, n, "[pid")) {
		i = skip_space(s, n, 4);
		if ((k = strace_lex_pid(s + i, n - i, &pf->pid)) == 0)
			return strace_bad(e, "bad \"[pid N]\" prefix");
		k += lex_comm(s, n, i + k);
		if (i + k >= n || s[i + k] != ']')
			return strace_bad(e, "bad \"[pid N]\" prefix");
		pf->has_pid = true;
		pf->bracket = true;
		i = skip_space(s, n, i + k + 1);
	} else if ((k = strace_lex_pid(s, n, &pf->pid)) > 0 &&
	    (k += lex_comm(s, n, k)) < n && s[k] == ' ' &&
	    pf->pid <= PID_MAX_LIMIT) {
		pf->has_pid = true;
		i = skip_space(s, n, k);
	} else {
		/* (a larger number is no task's id: whole seconds since the
		 * epoch, --timestamps=unix,s, of a log without -f) */
		pf->pid = 0;
		/* -r alone right-aligns its seconds ("%6ld.%06ld "): a line
		 * without a task's id then begins with blanks */
		i = skip_space(s, n, 0);
		pf->padded = i > 0;
	}
	if (i < n && g_ascii_isdigit(s[i])) {
		k = 0;
		if (i + 2 < n && s[i + 2] == ':') {
			pf->tskind = TS_TOD;
			k = lex_tod(s + i, n - i, &pf->ts);
		} else {
			pf->tskind = TS_EPOCH;
			k = strace_lex_secfrac(s + i, n - i, &pf->ts);
			if (k == 0)
				k = whole_seconds(s + i, n - i, &pf->ts);
		}
		if (k == 0 || i + k >= n || !is_space(s[i + k]))
			return strace_bad(e, "bad time stamp");
		i = skip_space(s, n, i + k);
	}
	if (i + 1 < n && s[i] == '(' && s[i + 1] == '+') {
		const char *c = memchr(s + i, ')', MIN(n - i, 32));

		if (c == NULL)
			return strace_bad(e, "bad relative time stamp");
		i = skip_space(s, n, (size_t)(c - s) + 1);
	}
	/* -n's syscall number, "[%4lu] ", and -i's instruction pointer,
	 * "[%016lx] " (eight digits from a 32-bit task), in that order
	 * (strace's printleader), each "[?] " where it is not known */
	for (k = 0; k < 2 && i < n && s[i] == '['; k++) {
		size_t j = skip_space(s, n, i + 1), d = j;

		while (j < n && j - d < 16 && (g_ascii_isxdigit(s[j]) ||
		    s[j] == '?'))
			j++;
		if (j == d || j + 1 >= n || s[j] != ']' || s[j + 1] != ' ')
			return strace_bad(e, "bad \"[NUMBER]\" or \"[ADDRESS]\" "
			    "of -n or -i");
		i = skip_space(s, n, j + 1);
	}
	pf->body = i;
	return true;
}
