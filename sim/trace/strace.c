/*
 * strace.c — reader of strace(1) logs: "strace -f -o", "strace -ff" files
 * and strace's stderr output, with or without -t/-tt/-ttt, -r, -T, -y/-yy,
 * -X raw/verbose and -x/-xx.
 *
 * A line is a prefix (the task id: "PID " with -f -o, "[pid N] " on stderr,
 * nothing in an -ff file or for the only task on stderr), an optional time
 * stamp and relative time, and a body: a call, one half of a call split by
 * another task's output ("NAME(args <unfinished ...>" and later
 * "<... NAME resumed>args) = result"), the end of a task ("+++ exited with 0
 * +++"), a signal ("--- SIGCHLD {...} ---") or one of strace's own messages.
 *
 * The argument list is tokenized, never split on " = ": a file name, a data
 * buffer or a -y annotation can hold " = ", parentheses, commas and quotes.
 * The tokenizer steps over quoted strings (with their C escapes), comments,
 * -y annotations ("3</a/b>", whose '<' and '>' are always escaped inside the
 * path) and nested brackets, and so finds the ')' that ends the call and the
 * top-level commas between the arguments.  The two halves of a split call
 * are joined by keeping the text of the first half and appending the second
 * half to it: the joined text is then parsed exactly like a one-line call.
 *
 * Records are handed out in the order their calls completed, which is the
 * order strace saw them end — with one exception.  A process-creating call
 * (clone, clone3, fork, vfork) that is split lets the child run before the
 * parent's half-line is completed; the child's calls would come out before
 * the call that created it.  So while such a call is unfinished, a
 * placeholder for it holds its place in the output queue and everything
 * completed after it waits behind it (up to HOLD_MAX records).
 *
 * Anything that is not strace output — binary junk, control characters,
 * unbalanced quotes or brackets, a line cut short — is an error naming the
 * file and line; the parser never guesses.
 */
#include "trace.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HOLD_MAX	100000	/* records held behind an unfinished clone, at most */
#define MAXARGS		8	/* arguments kept per call (the rest are scanned) */
#define MAXDEPTH	64	/* bracket nesting inside one call */
#define NOSLOT		UINT64_MAX

#define NS_PER_SEC	INT64_C(1000000000)
#define DAY_NS		(INT64_C(86400) * NS_PER_SEC)

struct span {
	const char	*s;
	size_t		 n;
};

/* Why the last helper failed; turned into a GError with file and line. */
struct errbuf {
	char		 msg[256];
};

/* One half-finished call of one task. */
struct pending {
	int32_t		 pid;
	int64_t		 t_ns;
	uint64_t	 line;
	uint64_t	 seq;		/* its placeholder in the queue, or NOSLOT */
	char		 name[32];
	GString		*args;		/* text after "NAME(", before "<unfinished" */
};

enum qstate {
	Q_READY,			/* a record to hand out */
	Q_WAIT,				/* placeholder of an unfinished clone */
	Q_DEAD,				/* placeholder given up (see release_holds) */
};

struct qent {
	struct trace_call tc;
	uint8_t		 state;
};

struct strace_parser {
	struct lineio	*in;
	int32_t		 pid_hint;
	GHashTable	*pending;	/* pid -> struct pending * */
	GPtrArray	*spare;		/* struct pending kept for reuse */

	/* The output queue: a ring of records in the order they are handed
	 * out.  Entries are addressed by sequence number; q[qhead] is qbase. */
	struct qent	*q;
	size_t		 qcap, qhead, qcount;
	uint64_t	 qbase;
	size_t		 nwait;		/* Q_WAIT entries in the queue */

	GString		*join;		/* the two halves of a split call */
	GString		*str;		/* a decoded string */
	int64_t		 day_ns;	/* days added to times of day (midnight) */
	int64_t		 last_tod;	/* the last time-of-day stamp, adjusted */
	uint64_t	 orphans;	/* "resumed" halves with no first half */
	uint64_t	 errline;	/* line an error is about, if not the current */
	bool		 eof;
	struct errbuf	 e;
};

static bool bad(struct errbuf *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool
bad(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return false;
}

/* A short, printable excerpt of s for messages. */
static const char *
excerpt(const char *s, size_t n, char *buf, size_t bufsz)
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

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_identc(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

static size_t
skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && is_space(s[i]))
		i++;
	return i;
}

static struct span
trim(const char *s, size_t n)
{
	struct span v;

	while (n > 0 && is_space(s[0])) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	v.s = s;
	v.n = n;
	return v;
}

static bool
has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t k = strlen(pfx);

	return n >= k && memcmp(s, pfx, k) == 0;
}

static bool
has_suffix(const char *s, size_t n, const char *sfx)
{
	size_t k = strlen(sfx);

	return n >= k && memcmp(s + n - k, sfx, k) == 0;
}

static bool
span_is(struct span v, const char *word)
{
	return v.n == strlen(word) && memcmp(v.s, word, v.n) == 0;
}

/* Length of the identifier at s (0 if none). */
static size_t
lex_ident(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !(g_ascii_isalpha(s[0]) || s[0] == '_'))
		return 0;
	while (i < n && is_identc(s[i]))
		i++;
	return i;
}

/*
 * An integer as strace prints it: decimal, 0x hex or 0-led octal, perhaps
 * negative.  Returns the characters used, 0 if s does not start with one
 * (or it is followed by letters, as in "0x1g", or overflows).  Values above
 * INT64_MAX (addresses) wrap, as they do in the kernel's registers.
 */
static size_t
lex_int(const char *s, size_t n, int64_t *out)
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
	for (; i < n; i++) {
		int d = g_ascii_xdigit_value(s[i]);

		if (d < 0 || (unsigned)d >= base)
			break;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return 0;
		v = v * base + (unsigned)d;
	}
	if (i == d0 || (i < n && is_identc(s[i])))
		return 0;
	*out = neg ? (int64_t)(~v + 1) : (int64_t)v;
	return i;
}

/* Is s nothing but blanks and comments? */
static bool
only_comment(const char *s, size_t n)
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
static bool
skip_string(struct errbuf *e, const char *s, size_t n, size_t *ip, size_t *qend)
{
	const char *q = NULL, *b;
	size_t i = *ip + 1;

	/* q is the next quote at or after i; escapes before it are stepped
	 * over, and q found anew only when an escaped quote was passed, so
	 * that long strings of escapes cost linear time */
	while (i < n) {
		if (q == NULL || (size_t)(q - s) < i) {
			q = memchr(s + i, '"', n - i);
			if (q == NULL)
				break;
		}
		b = memchr(s + i, '\\', (size_t)(q - s) - i);
		if (b != NULL) {
			i = (size_t)(b - s) + 2;	/* the escaped character */
			continue;
		}
		i = (size_t)(q - s);
		if (qend != NULL)
			*qend = i;
		i++;
		if (n - i >= 3 && memcmp(s + i, "...", 3) == 0)
			i += 3;
		*ip = i;
		return true;
	}
	return bad(e, "unterminated string (line cut short?)");
}

static bool
skip_comment(struct errbuf *e, const char *s, size_t n, size_t *ip)
{
	const char *end = n - *ip >= 4 ?
	    memmem(s + *ip + 2, n - *ip - 2, "*/", 2) : NULL;

	if (end == NULL)
		return bad(e, "unterminated comment (line cut short?)");
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
static bool
skip_annot(struct errbuf *e, const char *s, size_t n, size_t *ip)
{
	size_t i = *ip;
	int angle = 0, square = 0;
	bool path = i + 1 < n && (s[i + 1] == '/' || s[i + 1] == '\\');

	while (i < n) {
		char c = s[i];

		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '"' && !path) {
			if (!skip_string(e, s, n, &i, NULL))
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
	return bad(e, "unterminated '<' annotation (line cut short?)");
}

/*
 * Iterate over the items of a list: s[pos..n) split at `sep` (',' between
 * arguments and fields, '|' between flags) at nesting depth 0, up to a
 * closing bracket that was not opened inside (its index is left in stop)
 * or the end of s.
 */
struct iter {
	const char	*s;
	size_t		 n, pos, stop;
	char		 sep;
	bool		 done;
};

static void
iter_init(struct iter *it, const char *s, size_t n, char sep)
{
	it->s = s;
	it->n = n;
	it->pos = 0;
	it->stop = n;
	it->sep = sep;
	it->done = false;
}

/* 1 and the next (trimmed) item; 0 at the end of the list; -1 if the list
 * is not well formed. */
static int
next_item(struct errbuf *e, struct iter *it, struct span *item)
{
	char want[MAXDEPTH];
	const char *s = it->s;
	size_t i = it->pos, n = it->n;
	int depth = 0;

	if (it->done)
		return 0;
	while (i < n) {
		char c = s[i];

		switch (c) {
		case '"':
			if (!skip_string(e, s, n, &i, NULL))
				return -1;
			continue;
		case '/':
			if (i + 1 < n && s[i + 1] == '*') {
				if (!skip_comment(e, s, n, &i))
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
			if (!skip_annot(e, s, n, &i))
				return -1;
			continue;
		case '(':
		case '[':
		case '{':
			if (depth == MAXDEPTH) {
				bad(e, "brackets nested too deeply");
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
				bad(e, "'%c' where '%c' was expected", c, want[depth]);
				return -1;
			}
			break;
		default:
			if (c == it->sep && depth == 0) {
				*item = trim(s + it->pos, i - it->pos);
				it->pos = i + 1;
				return 1;
			}
		}
		i++;
	}
end:
	if (depth > 0) {
		bad(e, "'%c' missing (line cut short?)", want[depth - 1]);
		return -1;
	}
	*item = trim(s + it->pos, i - it->pos);
	it->stop = i;
	it->done = true;
	return 1;
}

/* Split a whole list into at most max items (more are scanned, counted and
 * dropped).  An empty list has no items. */
static bool
split_list(struct errbuf *e, const char *s, size_t n, char sep,
    struct span *items, int max, int *nitems, size_t *stop)
{
	struct iter it;
	struct span x;
	int r, k = 0;

	iter_init(&it, s, n, sep);
	while ((r = next_item(e, &it, &x)) > 0) {
		if (k < max)
			items[k] = x;
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

/*
 * Decode the C escapes strace writes (\n \t \r \v \f \\ \" \NNN \xHH) of
 * s[0..n) into out.  A decoded NUL is an error: these are file names.
 */
static bool
unescape(struct errbuf *e, const char *s, size_t n, GString *out)
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
			return bad(e, "'\\' at the end of a string");
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
				return bad(e, "'\\x' without hex digits in a string");
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
					return bad(e, "octal escape out of range in a string");
				break;
			}
			return bad(e, "unknown escape '\\%c' in a string", c);
		}
		if (v == 0)
			return bad(e, "NUL byte in a file name");
		g_string_append_c(out, (char)v);
	}
	return true;
}

/*
 * A number with a fractional part ("1795914219.276873", "0.000038"): sec
 * digits, '.', fraction digits (any number; beyond ns they are dropped).
 */
static size_t
lex_secfrac(const char *s, size_t n, int64_t *ns)
{
	size_t i = 0;
	int64_t sec = 0, frac = 0;
	int k;

	while (i < n && g_ascii_isdigit(s[i])) {
		if (sec > (INT64_MAX / NS_PER_SEC - 10) / 10)
			return 0;
		sec = sec * 10 + (s[i++] - '0');
	}
	if (i == 0 || i >= n || s[i] != '.')
		return 0;
	i++;
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

struct sym {
	const char	*name;
	uint32_t	 val;
};

/* A raw (-X raw, -X verbose) Linux x86_64 value: (v & mask) == match
 * sets bits. */
struct rawbit {
	uint64_t	 mask, match;
	uint32_t	 bits;
};

struct flagdef {
	const struct sym	*syms;
	const struct rawbit	*raw;	/* NULL: the number is the value */
};

static const struct sym oflag_syms[] = {
	{ "O_RDONLY", 0 }, { "O_WRONLY", TO_WRONLY }, { "O_RDWR", TO_RDWR },
	{ "O_CREAT", TO_CREAT }, { "O_EXCL", TO_EXCL }, { "O_NOCTTY", TO_NOCTTY },
	{ "O_TRUNC", TO_TRUNC }, { "O_APPEND", TO_APPEND },
	{ "O_NONBLOCK", TO_NONBLOCK }, { "O_NDELAY", TO_NONBLOCK },
	{ "O_DSYNC", TO_DSYNC }, { "O_SYNC", TO_SYNC }, { "__O_SYNC", TO_SYNC },
	{ "O_RSYNC", TO_SYNC }, { "O_ASYNC", TO_ASYNC }, { "FASYNC", TO_ASYNC },
	{ "O_DIRECT", TO_DIRECT }, { "O_LARGEFILE", TO_LARGEFILE },
	{ "O_DIRECTORY", TO_DIRECTORY }, { "O_NOFOLLOW", TO_NOFOLLOW },
	{ "O_NOATIME", TO_NOATIME }, { "O_CLOEXEC", TO_CLOEXEC },
	{ "O_PATH", TO_PATH }, { "O_TMPFILE", TO_TMPFILE },
	{ "__O_TMPFILE", TO_TMPFILE }, { "O_EXLOCK", TO_EXLOCK },
	{ "O_SHLOCK", TO_SHLOCK },
	{ NULL, 0 }
};

/* Linux x86_64 <asm-generic/fcntl.h>.  O_SYNC is __O_SYNC|O_DSYNC and
 * O_TMPFILE is __O_TMPFILE|O_DIRECTORY: each counts as the one flag. */
static const struct rawbit oflag_raw[] = {
	{ 03, 01, TO_WRONLY }, { 03, 02, TO_RDWR }, { 03, 03, TO_RDWR },
	{ 0100, 0100, TO_CREAT }, { 0200, 0200, TO_EXCL },
	{ 0400, 0400, TO_NOCTTY }, { 01000, 01000, TO_TRUNC },
	{ 02000, 02000, TO_APPEND }, { 04000, 04000, TO_NONBLOCK },
	{ 04010000, 010000, TO_DSYNC }, { 04000000, 04000000, TO_SYNC },
	{ 020000, 020000, TO_ASYNC }, { 040000, 040000, TO_DIRECT },
	{ 0100000, 0100000, TO_LARGEFILE },
	{ 020200000, 0200000, TO_DIRECTORY },
	{ 020000000, 020000000, TO_TMPFILE },
	{ 0400000, 0400000, TO_NOFOLLOW }, { 01000000, 01000000, TO_NOATIME },
	{ 02000000, 02000000, TO_CLOEXEC }, { 010000000, 010000000, TO_PATH },
	{ 0, 0, 0 }
};

static const struct flagdef oflags_def = { oflag_syms, oflag_raw };

/* AT_EACCESS (faccessat) and AT_REMOVEDIR (unlinkat) are both 0x200, so the
 * raw bit means "remove directory" only for unlinkat. */
static const struct sym atflag_syms[] = {
	{ "AT_SYMLINK_NOFOLLOW", TAT_SYMLINK_NOFOLLOW },
	{ "AT_REMOVEDIR", TAT_REMOVEDIR },
	{ "AT_SYMLINK_FOLLOW", TAT_SYMLINK_FOLLOW },
	{ "AT_EMPTY_PATH", TAT_EMPTY_PATH },
	{ NULL, 0 }
};

static const struct rawbit atflag_raw[] = {
	{ 0x100, 0x100, TAT_SYMLINK_NOFOLLOW },
	{ 0x400, 0x400, TAT_SYMLINK_FOLLOW },
	{ 0x1000, 0x1000, TAT_EMPTY_PATH },
	{ 0, 0, 0 }
};

static const struct rawbit atflag_raw_unlinkat[] = {
	{ 0x200, 0x200, TAT_REMOVEDIR },
	{ 0x100, 0x100, TAT_SYMLINK_NOFOLLOW },
	{ 0x400, 0x400, TAT_SYMLINK_FOLLOW },
	{ 0x1000, 0x1000, TAT_EMPTY_PATH },
	{ 0, 0, 0 }
};

static const struct flagdef atflags_def = { atflag_syms, atflag_raw };
static const struct flagdef atflags_unlinkat_def = { atflag_syms,
    atflag_raw_unlinkat };

static const struct sym clone_syms[] = {
	{ "CLONE_VM", TX_CLONE_VM }, { "CLONE_FS", TX_CLONE_FS },
	{ "CLONE_FILES", TX_CLONE_FILES }, { "CLONE_VFORK", TX_CLONE_VFORK },
	{ "CLONE_THREAD", TX_CLONE_THREAD },
	{ NULL, 0 }
};

static const struct rawbit clone_raw[] = {
	{ 0x100, 0x100, TX_CLONE_VM }, { 0x200, 0x200, TX_CLONE_FS },
	{ 0x400, 0x400, TX_CLONE_FILES }, { 0x4000, 0x4000, TX_CLONE_VFORK },
	{ 0x10000, 0x10000, TX_CLONE_THREAD },
	{ 0, 0, 0 }
};

static const struct flagdef clone_def = { clone_syms, clone_raw };

static const struct sym rename_syms[] = {
	{ "RENAME_NOREPLACE", TX_RENAME_NOREPLACE },
	{ "RENAME_EXCHANGE", TX_RENAME_EXCHANGE },
	{ "RENAME_WHITEOUT", TX_RENAME_WHITEOUT },
	{ NULL, 0 }
};

static const struct rawbit rename_raw[] = {
	{ 1, 1, TX_RENAME_NOREPLACE }, { 2, 2, TX_RENAME_EXCHANGE },
	{ 4, 4, TX_RENAME_WHITEOUT },
	{ 0, 0, 0 }
};

static const struct flagdef rename_def = { rename_syms, rename_raw };

static const struct sym flock_syms[] = {
	{ "LOCK_SH", TX_LOCK_SH }, { "LOCK_EX", TX_LOCK_EX },
	{ "LOCK_NB", TX_LOCK_NB }, { "LOCK_UN", TX_LOCK_UN },
	{ NULL, 0 }
};

static const struct rawbit flock_raw[] = {
	{ 1, 1, TX_LOCK_SH }, { 2, 2, TX_LOCK_EX }, { 4, 4, TX_LOCK_NB },
	{ 8, 8, TX_LOCK_UN },
	{ 0, 0, 0 }
};

static const struct flagdef flock_def = { flock_syms, flock_raw };

static const struct sym fdflag_syms[] = {
	{ "FD_CLOEXEC", 1 },
	{ NULL, 0 }
};

static const struct rawbit fdflag_raw[] = {
	{ 1, 1, 1 },
	{ 0, 0, 0 }
};

static const struct flagdef fdflags_def = { fdflag_syms, fdflag_raw };

/* Mode bits are the same everywhere; S_IF* give the file type. */
static const struct sym mode_syms[] = {
	{ "S_IFSOCK", 0140000 }, { "S_IFLNK", 0120000 }, { "S_IFREG", 0100000 },
	{ "S_IFBLK", 0060000 }, { "S_IFDIR", 0040000 }, { "S_IFCHR", 0020000 },
	{ "S_IFIFO", 0010000 },
	{ "S_ISUID", 04000 }, { "S_ISGID", 02000 }, { "S_ISVTX", 01000 },
	{ "S_IRWXU", 0700 }, { "S_IRUSR", 0400 }, { "S_IWUSR", 0200 },
	{ "S_IXUSR", 0100 }, { "S_IRWXG", 070 }, { "S_IRGRP", 040 },
	{ "S_IWGRP", 020 }, { "S_IXGRP", 010 }, { "S_IRWXO", 07 },
	{ "S_IROTH", 04 }, { "S_IWOTH", 02 }, { "S_IXOTH", 01 },
	{ NULL, 0 }
};

static const struct flagdef mode_def = { mode_syms, NULL };

/* Single-valued arguments: fcntl commands and lseek whence. */
struct numcode {
	int64_t		 num;
	uint32_t	 code;
};

struct enumdef {
	const struct sym	*syms;
	const struct numcode	*nums;
	uint32_t		 other;	/* any other value */
};

static const struct sym fcntl_syms[] = {
	{ "F_DUPFD", TCMD_F_DUPFD }, { "F_DUPFD_CLOEXEC", TCMD_F_DUPFD_CLOEXEC },
	{ "F_GETFD", TCMD_F_GETFD }, { "F_SETFD", TCMD_F_SETFD },
	{ "F_GETFL", TCMD_F_GETFL }, { "F_SETFL", TCMD_F_SETFL },
	{ "F_GETLK", TCMD_F_GETLK }, { "F_SETLK", TCMD_F_SETLK },
	{ "F_SETLKW", TCMD_F_SETLKW }, { "F_GETLK64", TCMD_F_GETLK },
	{ "F_SETLK64", TCMD_F_SETLK }, { "F_SETLKW64", TCMD_F_SETLKW },
	{ "F_OFD_GETLK", TCMD_F_OFD_GETLK }, { "F_OFD_SETLK", TCMD_F_OFD_SETLK },
	{ "F_OFD_SETLKW", TCMD_F_OFD_SETLKW },
	{ NULL, 0 }
};

static const struct numcode fcntl_nums[] = {
	{ 0, TCMD_F_DUPFD }, { 1, TCMD_F_GETFD }, { 2, TCMD_F_SETFD },
	{ 3, TCMD_F_GETFL }, { 4, TCMD_F_SETFL }, { 5, TCMD_F_GETLK },
	{ 6, TCMD_F_SETLK }, { 7, TCMD_F_SETLKW }, { 36, TCMD_F_OFD_GETLK },
	{ 37, TCMD_F_OFD_SETLK }, { 38, TCMD_F_OFD_SETLKW },
	{ 1030, TCMD_F_DUPFD_CLOEXEC },
	{ -1, 0 }
};

static const struct enumdef fcntl_def = { fcntl_syms, fcntl_nums, TCMD_F_OTHER };

static const struct sym whence_syms[] = {
	{ "SEEK_SET", TCMD_SEEK_SET }, { "SEEK_CUR", TCMD_SEEK_CUR },
	{ "SEEK_END", TCMD_SEEK_END }, { "SEEK_DATA", TCMD_SEEK_DATA },
	{ "SEEK_HOLE", TCMD_SEEK_HOLE },
	{ NULL, 0 }
};

static const struct numcode whence_nums[] = {
	{ 0, TCMD_SEEK_SET }, { 1, TCMD_SEEK_CUR }, { 2, TCMD_SEEK_END },
	{ 3, TCMD_SEEK_DATA }, { 4, TCMD_SEEK_HOLE },
	{ -1, 0 }
};

static const struct enumdef whence_def = { whence_syms, whence_nums, TCMD_NONE };

/* Linux signal numbers, for "+++ killed by SIGxxx +++". */
static const struct sym signal_syms[] = {
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 },
	{ "SIGTRAP", 5 }, { "SIGABRT", 6 }, { "SIGBUS", 7 }, { "SIGFPE", 8 },
	{ "SIGKILL", 9 }, { "SIGUSR1", 10 }, { "SIGSEGV", 11 },
	{ "SIGUSR2", 12 }, { "SIGPIPE", 13 }, { "SIGALRM", 14 },
	{ "SIGTERM", 15 }, { "SIGSTKFLT", 16 }, { "SIGCHLD", 17 },
	{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 },
	{ "SIGTTIN", 21 }, { "SIGTTOU", 22 }, { "SIGURG", 23 },
	{ "SIGXCPU", 24 }, { "SIGXFSZ", 25 }, { "SIGVTALRM", 26 },
	{ "SIGPROF", 27 }, { "SIGWINCH", 28 }, { "SIGIO", 29 },
	{ "SIGPWR", 30 }, { "SIGSYS", 31 },
	{ NULL, 0 }
};

static const struct sym *
sym_find(const struct sym *t, const char *s, size_t n)
{
	for (; t->name != NULL; t++)
		if (strlen(t->name) == n && memcmp(t->name, s, n) == 0)
			return t;
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
static bool
parse_flags(struct errbuf *e, struct span v, const struct flagdef *def,
    uint32_t *out)
{
	struct iter it;
	struct span x;
	uint32_t bits = 0;
	int r;

	iter_init(&it, v.s, v.n, '|');
	while ((r = next_item(e, &it, &x)) > 0) {
		int64_t num;
		size_t k;

		if ((k = lex_int(x.s, x.n, &num)) > 0) {
			if (only_comment(x.s + k, x.n - k))
				bits |= raw_map(def->raw, (uint64_t)num);
		} else if ((k = lex_ident(x.s, x.n)) > 0) {
			const struct sym *sy = sym_find(def->syms, x.s, k);

			if (sy != NULL)
				bits |= sy->val;
		}
		/* anything else ("1<<CAP_X", "~...") is not a flag we model */
	}
	if (r < 0)
		return false;
	if (it.stop != v.n)
		return bad(e, "unbalanced '%c' in a flag set", v.s[it.stop]);
	*out = bits;
	return true;
}

static uint32_t
parse_enum(struct span v, const struct enumdef *def)
{
	int64_t num;
	size_t k;

	if ((k = lex_int(v.s, v.n, &num)) > 0) {
		const struct numcode *c;

		if (!only_comment(v.s + k, v.n - k))
			return def->other;
		for (c = def->nums; c->num >= 0; c++)
			if (c->num == num)
				return c->code;
	} else if ((k = lex_ident(v.s, v.n)) > 0) {
		const struct sym *sy = sym_find(def->syms, v.s, k);

		if (sy != NULL && only_comment(v.s + k, v.n - k))
			return sy->val;
	}
	return def->other;
}

/* An integer argument, perhaps with a -X verbose comment. */
static bool
parse_num(struct span v, int64_t *out)
{
	size_t k = lex_int(v.s, v.n, out);

	return k > 0 && only_comment(v.s + k, v.n - k);
}

static enum tc_type
mode_type(uint32_t mode)
{
	switch (mode & 0170000) {
	case 0100000: return TT_REG;
	case 0040000: return TT_DIR;
	case 0120000: return TT_LNK;
	case 0020000: return TT_CHR;
	case 0060000: return TT_BLK;
	case 0010000: return TT_FIFO;
	case 0140000: return TT_SOCK;
	default: return TT_NONE;
	}
}

/* ---- arguments ------------------------------------------------------- */

/*
 * The annotation of a descriptor, decoded.  -yy appends device numbers to
 * a path ("/dev/pts/0<char 136:0>"): only the path is kept.  A '<' that is
 * part of the path is escaped ("\74"), so the first raw one starts the
 * suffix.
 */
static bool
set_annot(struct strace_parser *p, struct trace_call *tc, char **field,
    struct span a)
{
	size_t k = 0;

	while (k < a.n && a.s[k] != '<')
		k += a.s[k] == '\\' ? 2 : 1;
	if (k > a.n)
		k = a.n;
	if (!unescape(&p->e, a.s, k, p->str))
		return false;
	trace_call_set_str(tc, field, p->str->str, p->str->len);
	return true;
}

/* Step over "<...>" and "(deleted)" at v.s[*ip] if there. */
static bool
lex_annot(struct errbuf *e, struct span v, size_t *ip, struct span *ann,
    bool *deleted)
{
	size_t i = *ip, j = i;

	ann->s = NULL;
	ann->n = 0;
	*deleted = false;
	if (i >= v.n || v.s[i] != '<')
		return true;
	if (!skip_annot(e, v.s, v.n, &j))
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

/* A descriptor: "3", "-100", "AT_FDCWD", each perhaps with an annotation,
 * "(deleted)" and a comment ("-100 /\* AT_FDCWD *\/"). */
static bool
parse_fd(struct errbuf *e, struct span v, int32_t *fd, struct span *ann,
    bool *deleted)
{
	int64_t x;
	size_t i;

	if (has_prefix(v.s, v.n, "AT_FDCWD") &&
	    (v.n == 8 || !is_identc(v.s[8]))) {
		x = TC_AT_FDCWD;
		i = 8;
	} else if ((i = lex_int(v.s, v.n, &x)) == 0 || x < INT32_MIN ||
	    x > INT32_MAX)
		return bad(e, "expected a descriptor");
	if (!lex_annot(e, v, &i, ann, deleted))
		return false;
	if (!only_comment(v.s + i, v.n - i))
		return bad(e, "unexpected text after a descriptor");
	*fd = (int32_t)x;
	return true;
}

/* A file name: a quoted string.  NULL or an address when the call was
 * given a bad pointer: then there is no name. */
static bool
parse_path(struct strace_parser *p, struct trace_call *tc, char **field,
    struct span v)
{
	int64_t x;
	size_t i = 0, qend = 0;

	if (v.s[0] != '"') {
		if (span_is(v, "NULL") || parse_num(v, &x))
			return true;
		return bad(&p->e, "expected a file name");
	}
	if (!skip_string(&p->e, v.s, v.n, &i, &qend))
		return false;
	if (!only_comment(v.s + i, v.n - i))
		return bad(&p->e, "unexpected text after a file name");
	if (!unescape(&p->e, v.s + 1, qend - 1, p->str))
		return false;
	trace_call_set_str(tc, field, p->str->str, p->str->len);
	return true;
}

/* Find fields of the structure v starts with ("{key=value, ...}"); text
 * after its '}' (clone3's " => {...}") is ignored.  vals[i].s stays NULL
 * for a field that is not there.  v not a structure (an address): none. */
static bool
struct_fields(struct errbuf *e, struct span v, const char *const *keys,
    struct span *vals, int nkeys)
{
	struct iter it;
	struct span x;
	int r, k;

	for (k = 0; k < nkeys; k++)
		vals[k].s = NULL;
	if (v.n == 0 || v.s[0] != '{')
		return true;
	iter_init(&it, v.s + 1, v.n - 1, ',');
	while ((r = next_item(e, &it, &x)) > 0) {
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
		return bad(e, "structure not closed by '}'");
	return true;
}

/* struct flock's l_type and l_whence, by name or (-X raw) by value. */
static const struct sym ltype_syms[] = {
	{ "F_RDLCK", TX_LOCK_SH }, { "F_WRLCK", TX_LOCK_EX },
	{ "F_UNLCK", TX_LOCK_UN }, { NULL, 0 }
};
static const struct numcode ltype_nums[] = {
	{ 0, TX_LOCK_SH }, { 1, TX_LOCK_EX }, { 2, TX_LOCK_UN }, { -1, 0 }
};
static const struct enumdef ltype_def = { ltype_syms, ltype_nums, 0 };
static const struct sym lwhence_syms[] = {
	{ "SEEK_SET", 1 }, { "SEEK_CUR", TX_LK_CUR }, { "SEEK_END", TX_LK_END },
	{ NULL, 0 }
};
static const struct numcode lwhence_nums[] = {
	{ 0, 1 }, { 1, TX_LK_CUR }, { 2, TX_LK_END }, { -1, 0 }
};
static const struct enumdef lwhence_def = { lwhence_syms, lwhence_nums, 0 };

/* fcntl's struct flock: the lock asked for ({l_type=F_WRLCK,
 * l_whence=SEEK_SET, l_start=0, l_len=0}): its type and whence as xflags,
 * l_start in off, l_len in arg.  (What F_GETLK wrote back is not kept.) */
static bool
parse_flock(struct strace_parser *p, struct trace_call *tc, struct span v)
{
	static const char *const keys[] = { "l_type", "l_whence", "l_start",
	    "l_len" };
	struct span f[4];
	uint32_t x;

	if (!struct_fields(&p->e, v, keys, f, 4))
		return false;
	if (f[0].s == NULL)
		return true;		/* an address: nothing to go by */
	if ((x = parse_enum(f[0], &ltype_def)) == 0)
		return bad(&p->e, "fcntl: unknown l_type");
	tc->xflags |= x;
	if (f[1].s != NULL) {
		if ((x = parse_enum(f[1], &lwhence_def)) == 0)
			return bad(&p->e, "fcntl: unknown l_whence");
		tc->xflags |= x & (TX_LK_CUR | TX_LK_END);
	}
	if (f[2].s != NULL && !parse_num(f[2], &tc->off))
		return bad(&p->e, "fcntl: bad l_start");
	if (f[3].s != NULL && !parse_num(f[3], &tc->arg))
		return bad(&p->e, "fcntl: bad l_len");
	if (tc->off == TC_NOOFF)
		tc->off = 0;
	return true;
}

/* stat, newfstatat, statx: the type and size found, on success only. */
static bool
parse_stat(struct strace_parser *p, struct trace_call *tc, struct span v,
    bool statx)
{
	static const char *const st_keys[] = { "st_mode", "st_size" };
	static const char *const stx_keys[] = { "stx_mode", "stx_size" };
	struct span f[2];
	uint32_t mode;

	if (tc->ret_unknown || tc->ret != 0)
		return true;
	if (!struct_fields(&p->e, v, statx ? stx_keys : st_keys, f, 2))
		return false;
	if (f[0].s != NULL) {
		if (!parse_flags(&p->e, f[0], &mode_def, &mode))
			return false;
		tc->st_type = mode_type(mode);
	}
	if (f[1].s != NULL && !parse_num(f[1], &tc->st_size))
		return bad(&p->e, "bad size in a stat structure");
	return true;
}

/* readv/writev/preadv/pwritev: the sum of the iov_len of an iovec array.
 * An array strace cut short ("..." as last element) sums what it shows. */
static bool
parse_iov(struct strace_parser *p, struct trace_call *tc, struct span v)
{
	static const char *const keys[] = { "iov_len" };
	struct iter it;
	struct span x, f;
	int64_t sum = 0, l;
	bool cut = false;
	int r;

	if (v.s[0] != '[')
		return true;		/* an address: nothing to sum */
	iter_init(&it, v.s + 1, v.n - 1, ',');
	while ((r = next_item(&p->e, &it, &x)) > 0) {
		if (span_is(x, "...")) {
			cut = true;
			continue;
		}
		if (x.n == 0)
			continue;
		if (!struct_fields(&p->e, x, keys, &f, 1))
			return false;
		if (f.s == NULL)
			continue;
		if (!parse_num(f, &l) || l < 0)
			return bad(&p->e, "bad iov_len");
		sum += l;
	}
	if (r < 0)
		return false;
	/* a cut array asked for at least what it transferred */
	if (cut && !tc->ret_unknown && tc->ret > sum)
		sum = tc->ret;
	tc->len = sum;
	return true;
}

/* pipe/pipe2/socketpair: "[3<pipe:[1]>, 4<pipe:[1]>]" or "[3, 4]". */
static void
parse_fdpair(struct strace_parser *p, struct trace_call *tc, struct span v)
{
	struct span it[2], ann[2];
	int32_t fd[2];
	bool del;
	size_t stop;
	int n, i;

	if (v.n < 2 || v.s[0] != '[' ||
	    !split_list(&p->e, v.s + 1, v.n - 1, ',', it, 2, &n, &stop) ||
	    n != 2)
		return;
	for (i = 0; i < 2; i++)
		if (!parse_fd(&p->e, it[i], &fd[i], &ann[i], &del))
			return;
	tc->rfd[0] = fd[0];
	tc->rfd[1] = fd[1];
	if (ann[0].s != NULL && !set_annot(p, tc, &tc->retpath, ann[0]))
		tc->retpath = NULL;
}

/*
 * What each modelled call's arguments are, one letter per argument:
 *   D descriptor (the first is fd, the second fd2)   P file name
 *   O open flags   M mode   L length   F offset   A AT_* flags
 *   S stat struct   X statx struct   V iovec   W whence   R rename flags
 *   K flock operation   C fcntl command   . not used
 */
static const char *const sc_args[SC__COUNT] = {
	[SC_OPEN] = "POM", [SC_OPENAT] = "DPOM", [SC_CREAT] = "PM",
	[SC_CLOSE] = "D",
	[SC_READ] = "D.L", [SC_PREAD] = "D.LF", [SC_READV] = "DV",
	[SC_PREADV] = "DV.F",
	[SC_WRITE] = "D.L", [SC_PWRITE] = "D.LF", [SC_WRITEV] = "DV",
	[SC_PWRITEV] = "DV.F",
	[SC_LSEEK] = "DFW",
	[SC_FSYNC] = "D", [SC_FDATASYNC] = "D", [SC_SYNC] = "",
	[SC_STAT] = "PS", [SC_LSTAT] = "PS", [SC_FSTAT] = "DS",
	[SC_NEWFSTATAT] = "DPSA", [SC_STATX] = "DPA.X",
	[SC_ACCESS] = "P", [SC_FACCESSAT] = "DP", [SC_FACCESSAT2] = "DP.A",
	[SC_UNLINK] = "P", [SC_UNLINKAT] = "DPA",
	[SC_RENAME] = "PP", [SC_RENAMEAT] = "DPDP", [SC_RENAMEAT2] = "DPDPR",
	[SC_MKDIR] = "PM", [SC_MKDIRAT] = "DPM", [SC_RMDIR] = "P",
	[SC_FTRUNCATE] = "DF", [SC_TRUNCATE] = "PF",
	[SC_GETDENTS64] = "D.L",
	[SC_DUP] = "D", [SC_DUP2] = "DD", [SC_DUP3] = "DDO",
	[SC_FCNTL] = "DC",
	[SC_CHDIR] = "P", [SC_FCHDIR] = "D",
	[SC_FLOCK] = "DK",
	[SC_CLONE] = "", [SC_CLONE3] = "", [SC_FORK] = "", [SC_VFORK] = "",
	[SC_EXECVE] = "P",
	[SC_WAIT4] = "", [SC_WAITID] = "",
	[SC_SNAPSHOT_CREATE] = "P", [SC_SNAPSHOT_REMOVE] = "P",
};

static const char *const argnames[] = {
	"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
	"eighth"
};

/* Prefix the helper's message with the call and argument. */
static bool
bad_arg(struct strace_parser *p, const struct trace_call *tc, int i)
{
	char msg[sizeof(p->e.msg)];

	memcpy(msg, p->e.msg, sizeof(msg));
	return bad(&p->e, "%s: %s argument: %s", tc->name, argnames[i], msg);
}

/* The descriptor of a call this model does not know, if its first argument
 * is an annotated descriptor (an unannotated number might be anything). */
static void
decode_other(struct strace_parser *p, struct trace_call *tc,
    const struct span *a, int na)
{
	struct span ann;
	int32_t fd;
	bool del;

	/* (the '<' test spares the common "NULL", "0x7f..." a formatted
	 * error message) */
	if (na >= 1 && a[0].n > 0 && memchr(a[0].s, '<', a[0].n) != NULL &&
	    parse_fd(&p->e, a[0], &fd, &ann, &del) && ann.s != NULL) {
		tc->fd = fd;
		tc->fd_deleted = del;
		if (!set_annot(p, tc, &tc->fdpath, ann))
			tc->fdpath = NULL;
	}
	if (strcmp(tc->name, "pipe") == 0 || strcmp(tc->name, "pipe2") == 0) {
		if (na >= 1)
			parse_fdpair(p, tc, a[0]);
		if (na >= 2 && a[1].n > 0 &&
		    !parse_flags(&p->e, a[1], &oflags_def, &tc->oflags))
			tc->oflags = 0;
	} else if (strcmp(tc->name, "socketpair") == 0 && na >= 4)
		parse_fdpair(p, tc, a[3]);
}

/* clone: "flags=..." among the arguments; clone3: in its structure. */
static bool
decode_clone(struct strace_parser *p, struct trace_call *tc,
    const struct span *a, int na)
{
	static const char *const keys[] = { "flags" };
	struct span f;
	int i;

	f.s = NULL;
	if (tc->sc == SC_CLONE3) {
		if (na >= 1 && !struct_fields(&p->e, a[0], keys, &f, 1))
			return bad_arg(p, tc, 0);
	} else {
		for (i = 0; i < na && f.s == NULL; i++)
			if (has_prefix(a[i].s, a[i].n, "flags="))
				f = trim(a[i].s + 6, a[i].n - 6);
	}
	if (f.s != NULL && !parse_flags(&p->e, f, &clone_def, &tc->xflags))
		return bad(&p->e, "%s: bad flags: %s", tc->name, p->e.msg);
	return true;
}

/*
 * A snapshot taken by a command the traced program ran: execve of
 * mksnap_ffs (mksnap_ffs MOUNTPOINT NAME) or of mount with "-o snapshot"
 * (mount -u -o snapshot NAME MOUNTPOINT).  The call becomes a
 * snapshot_create of NAME; that process does nothing else of interest.
 */
static bool
decode_snapshot_exec(struct strace_parser *p, struct trace_call *tc,
    const struct span *a, int na)
{
	struct span it[16];
	const char *base;
	size_t stop;
	int n, i, name = -1;
	bool mount, snapopt = false;

	if (tc->path == NULL || na < 2 || a[1].n < 2 || a[1].s[0] != '[')
		return true;
	base = strrchr(tc->path, '/');
	base = base != NULL ? base + 1 : tc->path;
	mount = strcmp(base, "mount") == 0 || strcmp(base, "mount_ufs") == 0;
	if (!mount && strcmp(base, "mksnap_ffs") != 0)
		return true;
	if (!split_list(&p->e, a[1].s + 1, a[1].n - 1, ',', it,
	    G_N_ELEMENTS(it), &n, &stop))
		return true;		/* not a list we can read: an exec */
	n = MIN(n, (int)G_N_ELEMENTS(it));
	if (mount) {
		/* the first operand after the options names the snapshot */
		for (i = 1; i < n; i++) {
			if (it[i].n >= 2 && it[i].s[1] == '-')
				continue;
			if (i > 1 && it[i - 1].n == 4 &&
			    memcmp(it[i - 1].s, "\"-o\"", 4) == 0) {
				if (memmem(it[i].s, it[i].n, "snapshot", 8) != NULL)
					snapopt = true;
				continue;
			}
			if (name < 0)
				name = i;
		}
		if (!snapopt)
			return true;
	} else if (n >= 3)
		name = 2;
	if (name < 0 || name >= n || it[name].s[0] != '"')
		return true;
	tc->path = NULL;
	if (!parse_path(p, tc, &tc->path, it[name]))
		return bad_arg(p, tc, 1);
	tc->sc = SC_SNAPSHOT_CREATE;
	g_strlcpy(tc->name, sc_name(SC_SNAPSHOT_CREATE), sizeof(tc->name));
	return true;
}

static bool
decode_args(struct strace_parser *p, struct trace_call *tc,
    const struct span *a, int na)
{
	const char *sig = sc_args[tc->sc];
	int i, nfd = 0, npath = 0;

	if (sig == NULL) {
		decode_other(p, tc, a, na);
		return true;
	}
	for (i = 0; sig[i] != '\0' && i < na; i++) {
		struct span v = a[i], ann;
		int32_t fd;
		bool del;
		bool ok = true;

		if (v.n == 0)
			continue;	/* the unseen half of a call */
		switch (sig[i]) {
		case 'D':
			if (!parse_fd(&p->e, v, &fd, &ann, &del))
				return bad_arg(p, tc, i);
			if (nfd++ == 0) {
				tc->fd = fd;
				tc->fd_deleted = del;
				ok = ann.s == NULL || set_annot(p, tc, &tc->fdpath, ann);
			} else {
				tc->fd2 = fd;
				tc->fd2_deleted = del;
				ok = ann.s == NULL || set_annot(p, tc, &tc->fdpath2, ann);
			}
			break;
		case 'P':
			ok = parse_path(p, tc, npath++ == 0 ? &tc->path :
			    &tc->path2, v);
			break;
		case 'O':
			ok = parse_flags(&p->e, v, &oflags_def, &tc->oflags);
			break;
		case 'M': {
			uint32_t m;

			ok = parse_flags(&p->e, v, &mode_def, &m);
			tc->mode = m & 07777;
			break;
		}
		case 'L':
			if (!parse_num(v, &tc->len))
				ok = bad(&p->e, "expected a length");
			break;
		case 'F':
			if (!parse_num(v, &tc->off))
				ok = bad(&p->e, "expected an offset");
			break;
		case 'A':
			ok = parse_flags(&p->e, v, tc->sc == SC_UNLINKAT ?
			    &atflags_unlinkat_def : &atflags_def, &tc->atflags);
			break;
		case 'S':
		case 'X':
			ok = parse_stat(p, tc, v, sig[i] == 'X');
			break;
		case 'V':
			ok = parse_iov(p, tc, v);
			break;
		case 'W':
			tc->cmd = (uint8_t)parse_enum(v, &whence_def);
			break;
		case 'R':
			ok = parse_flags(&p->e, v, &rename_def, &tc->xflags);
			break;
		case 'K':
			ok = parse_flags(&p->e, v, &flock_def, &tc->xflags);
			break;
		case 'C':
			tc->cmd = (uint8_t)parse_enum(v, &fcntl_def);
			break;
		}
		if (!ok)
			return bad_arg(p, tc, i);
	}

	switch (tc->sc) {
	case SC_CREAT:
		tc->oflags = TO_CREAT | TO_WRONLY | TO_TRUNC;
		break;
	case SC_VFORK:
		tc->xflags = TX_CLONE_VFORK | TX_CLONE_VM;
		break;
	case SC_CLONE:
	case SC_CLONE3:
		return decode_clone(p, tc, a, na);
	case SC_EXECVE:
		return decode_snapshot_exec(p, tc, a, na);
	case SC_FCNTL:
		if (na < 3 || a[2].n == 0)
			break;
		switch (tc->cmd) {
		case TCMD_F_DUPFD:
		case TCMD_F_DUPFD_CLOEXEC:
			if (!parse_num(a[2], &tc->arg))
				return bad(&p->e, "fcntl: third argument: expected a descriptor");
			break;
		case TCMD_F_SETFD: {
			uint32_t f;

			if (!parse_flags(&p->e, a[2], &fdflags_def, &f))
				return bad_arg(p, tc, 2);
			tc->arg = f;
			break;
		}
		case TCMD_F_SETFL:
			if (!parse_flags(&p->e, a[2], &oflags_def, &tc->oflags))
				return bad_arg(p, tc, 2);
			break;
		case TCMD_F_GETLK:
		case TCMD_F_SETLK:
		case TCMD_F_SETLKW:
		case TCMD_F_OFD_GETLK:
		case TCMD_F_OFD_SETLK:
		case TCMD_F_OFD_SETLKW:
			if (!parse_flock(p, tc, a[2]))
				return false;
			break;
		default:
			break;		/* owners, leases: not modelled */
		}
		break;
	default:
		break;
	}
	/* O_TMPFILE includes O_DIRECTORY, O_SYNC includes O_DSYNC: whichever
	 * way strace spelled them, keep the one flag */
	if (tc->oflags & TO_TMPFILE)
		tc->oflags &= ~TO_DIRECTORY;
	if (tc->oflags & TO_SYNC)
		tc->oflags &= ~TO_DSYNC;
	return true;
}

/*
 * After the call's ')': " = RESULT [annotation] [ENAME] [(explanation)]
 * [<duration>]".  RESULT is a number (decimal, hex) or '?'.  An error name
 * libc does not know (ERESTARTSYS, ERESTARTNOHAND, ...: the call was
 * interrupted by a signal and will be restarted) counts as EINTR; "= ?
 * ENAME" is such an interrupted call and is recorded as failed with it.
 */
static bool
parse_result(struct strace_parser *p, struct trace_call *tc, const char *s,
    size_t n)
{
	size_t i = skip_space(s, n, 0), k;
	char ename[32];

	if (i >= n)
		return bad(&p->e, "%s: no result (line cut short?)", tc->name);
	if (s[i] != '=')
		return bad(&p->e, "%s: expected '=' after the arguments", tc->name);
	i = skip_space(s, n, i + 1);
	if (i < n && s[i] == '?') {
		tc->ret_unknown = true;
		i++;
	} else {
		struct span v = { s, n }, ann;
		bool del;

		if ((k = lex_int(s + i, n - i, &tc->ret)) == 0)
			return bad(&p->e, "%s: bad result", tc->name);
		i += k;
		if (!lex_annot(&p->e, v, &i, &ann, &del))
			return false;
		tc->ret_deleted = del;
		if (ann.s != NULL && !set_annot(p, tc, &tc->retpath, ann))
			return false;
	}
	i = skip_space(s, n, i);
	if (i < n && s[i] == 'E' && (k = lex_ident(s + i, n - i)) > 0 &&
	    (tc->ret_unknown || tc->ret < 0)) {
		if (k < sizeof(ename)) {
			memcpy(ename, s + i, k);
			ename[k] = '\0';
			tc->err = tc_errno_lookup(ename);
		}
		if (tc->err == 0)
			tc->err = tc_errno_lookup("EINTR");
		if (tc->ret_unknown) {
			tc->ret_unknown = false;
			tc->ret = -1;
		}
		i = skip_space(s, n, i + k);
	}
	if (i < n && s[i] == '(') {
		struct iter it;
		struct span x;
		int r;

		iter_init(&it, s + i + 1, n - i - 1, '\0');
		while ((r = next_item(&p->e, &it, &x)) > 0)
			;
		if (r < 0)
			return false;
		if (it.stop >= it.n || it.s[it.stop] != ')')
			return bad(&p->e, "%s: unbalanced result explanation",
			    tc->name);
		i = skip_space(s, n, i + 1 + it.stop + 1);
	}
	if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
		if (!skip_comment(&p->e, s, n, &i))
			return false;
		i = skip_space(s, n, i);
	}
	if (i < n && s[i] == '<') {
		if (has_prefix(s + i, n - i, "<unavailable>"))
			i += 13;
		else if ((k = lex_secfrac(s + i + 1, n - i - 1, &tc->dur_ns)) > 0 &&
		    i + 1 + k < n && s[i + 1 + k] == '>')
			i += k + 2;
		else
			return bad(&p->e, "%s: bad duration", tc->name);
		i = skip_space(s, n, i);
	}
	if (i != n) {
		char buf[64];

		return bad(&p->e, "%s: unexpected text after the result: \"%s\"",
		    tc->name, excerpt(s + i, n - i, buf, sizeof(buf)));
	}
	return true;
}

/*
 * Parse a call's text after "NAME(" into tc (whose name, pid, time and
 * line are set).  complete: through ") = result"; else only the first half
 * of a call that never finished.
 */
static bool
parse_call(struct strace_parser *p, struct trace_call *tc, const char *s,
    size_t n, bool complete)
{
	struct span a[MAXARGS];
	size_t stop;
	int na;

	if (!split_list(&p->e, s, n, ',', a, MAXARGS, &na, &stop)) {
		char msg[sizeof(p->e.msg)];

		memcpy(msg, p->e.msg, sizeof(msg));
		return bad(&p->e, "%s: %s", tc->name, msg);
	}
	if (complete) {
		if (stop == n)
			return bad(&p->e, "%s: no ')' after the arguments (line cut short?)",
			    tc->name);
		if (s[stop] != ')')
			return bad(&p->e, "%s: unbalanced '%c' in the arguments",
			    tc->name, s[stop]);
		if (!parse_result(p, tc, s + stop + 1, n - stop - 1))
			return false;
	} else {
		if (stop != n)
			return bad(&p->e, "%s: unbalanced '%c' before <unfinished ...>",
			    tc->name, s[stop]);
		tc->ret_unknown = true;
	}
	return decode_args(p, tc, a, MIN(na, MAXARGS));
}

/* ---- the output queue ------------------------------------------------ */

static struct qent *
q_at(struct strace_parser *p, uint64_t seq)
{
	if (seq < p->qbase || seq - p->qbase >= p->qcount)
		return NULL;
	return &p->q[(p->qhead + (size_t)(seq - p->qbase)) % p->qcap];
}

/* A new entry at the tail; pointers to entries are invalid afterwards. */
static struct qent *
q_push(struct strace_parser *p, enum qstate state, uint64_t *seqp)
{
	struct qent *e;

	if (p->qcount == p->qcap) {
		size_t ncap = p->qcap * 2, i;
		struct qent *nq = g_new0(struct qent, ncap);

		for (i = 0; i < p->qcap; i++)
			nq[i] = p->q[(p->qhead + i) % p->qcap];
		g_free(p->q);
		p->q = nq;
		p->qcap = ncap;
		p->qhead = 0;
	}
	e = &p->q[(p->qhead + p->qcount) % p->qcap];
	if (seqp != NULL)
		*seqp = p->qbase + p->qcount;
	p->qcount++;
	trace_call_reset(&e->tc);
	e->state = state;
	if (state == Q_WAIT)
		p->nwait++;
	return e;
}

/* Undo the last q_push (its record did not parse). */
static void
q_unpush(struct strace_parser *p)
{
	p->qcount--;
}

/*
 * Too many records wait behind unfinished clones (one that never ends, in
 * a long trace): give up holding them.  The placeholders become tombstones,
 * so everything queued goes out in order; those clones will come out when
 * they complete, like any call.
 */
static void
release_holds(struct strace_parser *p)
{
	GHashTableIter hi;
	gpointer v;
	size_t i;

	for (i = 0; i < p->qcount; i++) {
		struct qent *e = &p->q[(p->qhead + i) % p->qcap];

		if (e->state == Q_WAIT)
			e->state = Q_DEAD;
	}
	g_hash_table_iter_init(&hi, p->pending);
	while (g_hash_table_iter_next(&hi, NULL, &v))
		((struct pending *)v)->seq = NOSLOT;
	p->nwait = 0;
}

/* A new record at the tail of the queue. */
static struct trace_call *
rec_new(struct strace_parser *p)
{
	if (p->nwait > 0 && p->qcount >= HOLD_MAX)
		release_holds(p);
	return &q_push(p, Q_READY, NULL)->tc;
}

/* Hand out the head of the queue if it is ready. */
static bool
q_pop(struct strace_parser *p, struct trace_call *tc)
{
	while (p->qcount > 0) {
		struct qent *e = &p->q[p->qhead];
		struct trace_call tmp;

		if (e->state == Q_WAIT)
			return false;
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qbase++;
		p->qcount--;
		if (e->state == Q_DEAD)
			continue;
		/* swap, so that the caller's string storage is reused */
		tmp = *tc;
		*tc = e->tc;
		e->tc = tmp;
		return true;
	}
	return false;
}

/* ---- tasks ----------------------------------------------------------- */

/* A call's name as traced, cut to fit trace_call.name. */
static void
copy_name(char *dst, size_t dstsz, const char *name, size_t namelen)
{
	size_t k = MIN(namelen, dstsz - 1);

	memcpy(dst, name, k);
	dst[k] = '\0';
}

static void
rec_begin(struct trace_call *tc, int32_t pid, int64_t t, uint64_t line,
    const char *name)
{
	tc->kind = TC_CALL;
	tc->pid = pid;
	tc->t_ns = t;
	tc->line = line;
	g_strlcpy(tc->name, name, sizeof(tc->name));
	tc->sc = (uint16_t)sc_lookup(tc->name);
}

static bool
is_fork(enum sc_id sc)
{
	return sc == SC_CLONE || sc == SC_CLONE3 || sc == SC_FORK ||
	    sc == SC_VFORK;
}

static void
pending_free(struct strace_parser *p, struct pending *pd)
{
	g_hash_table_remove(p->pending, GINT_TO_POINTER(pd->pid));
	g_ptr_array_add(p->spare, pd);
}

/*
 * Complete the split call pd: with rest, the text of its second half after
 * "resumed>", or (rest == NULL) as a call that never returned because its
 * task ended, or the trace did.  The record takes the placeholder of a
 * clone, or the tail of the queue.  The entry time and line are the first
 * half's; the duration is the second half's.
 */
static bool
pending_finish(struct strace_parser *p, struct pending *pd, const char *rest,
    size_t restlen)
{
	struct trace_call *tc;
	struct qent *slot = NULL;
	bool ok;

	if (pd->seq != NOSLOT && (slot = q_at(p, pd->seq)) != NULL) {
		tc = &slot->tc;
		trace_call_reset(tc);
	} else
		tc = rec_new(p);
	rec_begin(tc, pd->pid, pd->t_ns, pd->line, pd->name);
	if (rest != NULL) {
		g_string_truncate(p->join, 0);
		g_string_append_len(p->join, pd->args->str, (gssize)pd->args->len);
		g_string_append_len(p->join, rest, (gssize)restlen);
		ok = parse_call(p, tc, p->join->str, p->join->len, true);
	} else
		ok = parse_call(p, tc, pd->args->str, pd->args->len, false);
	if (!ok && rest == NULL)
		p->errline = pd->line;
	if (slot != NULL) {
		slot->state = ok ? Q_READY : Q_DEAD;
		p->nwait--;
	} else if (!ok)
		q_unpush(p);
	pending_free(p, pd);
	return ok;
}

static int
cmp_pending(gconstpointer a, gconstpointer b)
{
	const struct pending *x = *(struct pending *const *)a;
	const struct pending *y = *(struct pending *const *)b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/* At the end of the trace: calls that never finished, oldest first. */
static bool
flush_pending(struct strace_parser *p)
{
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter hi;
	gpointer v;
	bool ok = true;
	guint i;

	g_hash_table_iter_init(&hi, p->pending);
	while (g_hash_table_iter_next(&hi, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, cmp_pending);
	for (i = 0; i < all->len && ok; i++)
		ok = pending_finish(p, all->pdata[i], NULL, 0);
	g_ptr_array_free(all, TRUE);
	return ok;
}

/* ---- lines ----------------------------------------------------------- */

enum { TS_NONE, TS_EPOCH, TS_TOD };

struct prefix {
	int32_t		 pid;
	bool		 has_pid;
	int		 tskind;
	int64_t		 ts;		/* ns since the epoch or since midnight */
	size_t		 body;		/* where the body starts */
};

static size_t
lex_pid(const char *s, size_t n, int32_t *pid)
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
		size_t m = lex_secfrac(s + i - 2, n - i + 2, &frac);

		if (m == 0)
			return 0;
		*ns += frac;
		i += m - 2;
	} else
		*ns += f[2] * NS_PER_SEC;
	return i;
}

/*
 * The prefix of a line: "[pid N] " or "PID ", a time stamp (-ttt: epoch
 * seconds; -tt/-t: time of day), and -r's "(+ 0.000095)".  False if what
 * is there is malformed.
 */
static bool
parse_prefix(struct errbuf *e, const char *s, size_t n, struct prefix *pf)
{
	size_t i = 0, k;

	memset(pf, 0, sizeof(*pf));
	if (has_prefix(s, n, "[pid")) {
		i = skip_space(s, n, 4);
		if ((k = lex_pid(s + i, n - i, &pf->pid)) == 0 || i + k >= n ||
		    s[i + k] != ']')
			return bad(e, "bad \"[pid N]\" prefix");
		pf->has_pid = true;
		i = skip_space(s, n, i + k + 1);
	} else if ((k = lex_pid(s, n, &pf->pid)) > 0 && k < n && s[k] == ' ') {
		pf->has_pid = true;
		i = skip_space(s, n, k);
	}
	if (i < n && g_ascii_isdigit(s[i])) {
		k = 0;
		if (i + 2 < n && s[i + 2] == ':') {
			pf->tskind = TS_TOD;
			k = lex_tod(s + i, n - i, &pf->ts);
		} else {
			pf->tskind = TS_EPOCH;
			k = lex_secfrac(s + i, n - i, &pf->ts);
		}
		if (k == 0 || i + k >= n || !is_space(s[i + k]))
			return bad(e, "bad time stamp");
		i = skip_space(s, n, i + k);
	}
	if (i + 1 < n && s[i] == '(' && s[i + 1] == '+') {
		const char *c = memchr(s + i, ')', MIN(n - i, 32));

		if (c == NULL)
			return bad(e, "bad relative time stamp");
		i = skip_space(s, n, (size_t)(c - s) + 1);
	}
	pf->body = i;
	return true;
}

/* A line of text?  Tabs pass; other control characters, NULs included,
 * mean the file is not (or no longer) an strace log. */
static bool
check_text(struct errbuf *e, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return bad(e, "control character 0x%02x at column %zu: "
			    "not strace output", c, i + 1);
	}
	return true;
}

/* Lines that are strace's but say nothing about calls. */
static bool
is_chatter(const char *s, size_t n)
{
	return has_prefix(s, n, "strace: ") ||
	    has_prefix(s, n, "[ Process PID=") ||	/* personality change */
	    has_prefix(s, n, " > ") ||			/* -k stack frames */
	    has_prefix(s, n, " | ");			/* -e read= dumps */
}

/* Time of a line; times of day are made monotonic across midnight. */
static int64_t
line_time(struct strace_parser *p, const struct prefix *pf)
{
	int64_t t;

	if (pf->tskind == TS_NONE)
		return TC_NOTIME;
	if (pf->tskind == TS_EPOCH)
		return pf->ts;
	t = pf->ts + p->day_ns;
	if (p->last_tod != TC_NOTIME) {
		if (t < p->last_tod - DAY_NS / 2) {
			p->day_ns += DAY_NS;
			t += DAY_NS;
		} else if (t > p->last_tod + DAY_NS / 2 && p->day_ns >= DAY_NS)
			t -= DAY_NS;	/* a late line from before midnight */
	}
	p->last_tod = t;
	return t;
}

/* "+++ exited with N +++", "+++ killed by SIGxxx [(core dumped)] +++",
 * "+++ superseded by execve in pid N +++" */
static bool
handle_exit(struct strace_parser *p, int32_t pid, int64_t t, uint64_t line,
    const char *s, size_t n)
{
	struct pending *pd;
	struct trace_call *tc;
	int64_t status;
	size_t k;

	if (n < 8 || !has_suffix(s, n, " +++"))
		return bad(&p->e, "\"+++\" line not closed by \" +++\"");
	s += 4;
	n -= 8;
	if (has_prefix(s, n, "exited")) {
		if (!has_prefix(s, n, "exited with ") ||
		    (k = lex_int(s + 12, n - 12, &status)) == 0 || 12 + k != n)
			return bad(&p->e, "bad exit status");
	} else if (has_prefix(s, n, "killed")) {
		const struct sym *sig;

		k = has_prefix(s, n, "killed by ") ? lex_ident(s + 10, n - 10) : 0;
		if (k == 0 || (10 + k != n &&
		    !(10 + k + 14 == n && memcmp(s + 10 + k, " (core dumped)", 14) == 0)))
			return bad(&p->e, "bad \"killed by\" line");
		sig = sym_find(signal_syms, s + 10, k);
		status = 128 + (sig != NULL ? sig->val : 0);
	} else if (has_prefix(s, n, "superseded by execve in pid ")) {
		int32_t tid;
		struct pending *moved;

		/*
		 * "LEADER +++ superseded by execve in pid TID +++": thread TID
		 * (not the leader) called execve, and takes the leader's id.
		 * The leader's own unfinished call will never return; TID's
		 * execve resumes as LEADER's; TID is gone.
		 */
		if ((k = lex_pid(s + 28, n - 28, &tid)) == 0 || 28 + k != n)
			return bad(&p->e, "bad \"superseded\" line");
		if (tid == pid)
			return true;
		if ((pd = g_hash_table_lookup(p->pending,
		    GINT_TO_POINTER(pid))) != NULL &&
		    !pending_finish(p, pd, NULL, 0))
			return false;
		moved = g_hash_table_lookup(p->pending, GINT_TO_POINTER(tid));
		if (moved != NULL) {
			g_hash_table_remove(p->pending, GINT_TO_POINTER(tid));
			moved->pid = pid;
			g_hash_table_insert(p->pending, GINT_TO_POINTER(pid), moved);
		}
		pid = tid;
		status = 0;
	} else
		return true;	/* another kind of ending: nothing to record */

	if ((pd = g_hash_table_lookup(p->pending, GINT_TO_POINTER(pid))) != NULL &&
	    !pending_finish(p, pd, NULL, 0))
		return false;
	tc = rec_new(p);
	tc->kind = TC_EXIT;
	tc->pid = pid;
	tc->t_ns = t;
	tc->line = line;
	tc->ret = status;
	g_strlcpy(tc->name, "+++", sizeof(tc->name));
	return true;
}

/* "NAME(args) = result" or its first half "NAME(args <unfinished ...>". */
static bool
handle_call(struct strace_parser *p, int32_t pid, int64_t t, uint64_t line,
    const char *s, size_t n, size_t namelen)
{
	const char *args = s + namelen + 1, *m;
	size_t alen = n - namelen - 1;
	struct trace_call *tc;
	struct pending *pd;
	bool unfinished = false;

	while (alen > 0 && is_space(args[alen - 1]))
		alen--;
	if (has_suffix(args, alen, "<unfinished ...>")) {
		alen -= 16;
		unfinished = true;
	} else if (has_suffix(args, alen, " ...>") &&
	    (m = g_strrstr_len(args, (gssize)alen, " <pid changed to ")) != NULL) {
		/* a thread's execve, cut where its id changed (see handle_exit) */
		alen = (size_t)(m - args);
		unfinished = true;
	}
	if (unfinished) {
		struct span a[1];
		size_t stop;
		int na;

		/* check the first half now, so that junk is reported here */
		if (!split_list(&p->e, args, alen, ',', a, 1, &na, &stop))
			return false;
		if (stop != alen)
			return bad(&p->e, "unbalanced '%c' before <unfinished ...>",
			    args[stop]);
		if ((pd = g_hash_table_lookup(p->pending,
		    GINT_TO_POINTER(pid))) != NULL &&
		    !pending_finish(p, pd, NULL, 0))
			return false;
		pd = p->spare->len > 0 ? g_ptr_array_steal_index_fast(p->spare,
		    p->spare->len - 1) : g_new0(struct pending, 1);
		if (pd->args == NULL)
			pd->args = g_string_sized_new(128);
		g_string_truncate(pd->args, 0);
		g_string_append_len(pd->args, args, (gssize)alen);
		pd->pid = pid;
		pd->t_ns = t;
		pd->line = line;
		pd->seq = NOSLOT;
		copy_name(pd->name, sizeof(pd->name), s, namelen);
		if (is_fork(sc_lookup(pd->name)))
			q_push(p, Q_WAIT, &pd->seq);
		g_hash_table_insert(p->pending, GINT_TO_POINTER(pid), pd);
		return true;
	}

	tc = rec_new(p);
	copy_name(tc->name, sizeof(tc->name), s, namelen);
	rec_begin(tc, pid, t, line, tc->name);
	if (has_suffix(args, alen, "<detached ...>")) {
		/* strace let go of the task in the middle of the call */
		if (!parse_call(p, tc, args, alen - 14, false)) {
			q_unpush(p);
			return false;
		}
		return true;
	}
	if (!parse_call(p, tc, args, alen, true)) {
		q_unpush(p);
		return false;
	}
	return true;
}

/* "<... NAME resumed>rest" */
static bool
handle_resumed(struct strace_parser *p, int32_t pid, const char *s, size_t n)
{
	struct pending *pd;
	size_t k = lex_ident(s + 5, n - 5);
	char name[32];

	if (k == 0 || !has_prefix(s + 5 + k, n - 5 - k, " resumed>"))
		return bad(&p->e, "bad \"<... resumed>\" line");
	pd = g_hash_table_lookup(p->pending, GINT_TO_POINTER(pid));
	if (pd == NULL) {
		/* The first half was before the trace began (strace -p
		 * attached in the middle of the call): nothing to join. */
		p->orphans++;
		return true;
	}
	copy_name(name, sizeof(name), s + 5, k);
	if (strcmp(name, pd->name) != 0)
		return bad(&p->e, "\"%s\" resumed, but the unfinished call of "
		    "task %d (line %llu) is \"%s\"", name, pid,
		    (unsigned long long)pd->line, pd->name);
	k += 5 + 9;
	return pending_finish(p, pd, s + k, n - k);
}

/* One line of the log: queue what it completes. */
static bool
handle_line(struct strace_parser *p, const char *s, size_t n, uint64_t line)
{
	struct prefix pf;
	const char *b;
	char buf[64];
	size_t bn, k;
	int32_t pid;
	int64_t t;

	if (!check_text(&p->e, s, n))
		return false;
	if (skip_space(s, n, 0) == n || is_chatter(s, n))
		return true;
	if (!parse_prefix(&p->e, s, n, &pf))
		return false;
	b = s + pf.body;
	bn = n - pf.body;
	pid = pf.has_pid ? pf.pid : p->pid_hint;
	t = line_time(p, &pf);

	if (has_prefix(b, bn, "+++ "))
		return handle_exit(p, pid, t, line, b, bn);
	if (has_prefix(b, bn, "--- ")) {
		/* a signal, or "--- stopped by SIGSTOP ---": not a call */
		if (!has_suffix(b, bn, " ---") || bn < 8)
			return bad(&p->e, "\"---\" line not closed by \" ---\"");
		return true;
	}
	if (has_prefix(b, bn, "<... "))
		return handle_resumed(p, pid, b, bn);
	if ((k = lex_ident(b, bn)) > 0 && k < bn && b[k] == '(')
		return handle_call(p, pid, t, line, b, bn, k);
	return bad(&p->e, "not an strace line: \"%s\"",
	    excerpt(b, bn, buf, sizeof(buf)));
}

/* ---- interface ------------------------------------------------------- */

bool
strace_sniff(const char *line, size_t len)
{
	struct errbuf e;
	struct prefix pf;
	const char *b;
	size_t bn, k;

	if (!check_text(&e, line, len))
		return false;
	if (has_prefix(line, len, "strace: "))
		return true;
	if (!parse_prefix(&e, line, len, &pf))
		return false;
	b = line + pf.body;
	bn = len - pf.body;
	if (has_prefix(b, bn, "+++ ") || has_prefix(b, bn, "--- ") ||
	    has_prefix(b, bn, "<... "))
		return true;
	k = lex_ident(b, bn);
	return k > 0 && k < bn && b[k] == '(';
}

struct strace_parser *
strace_parser_new(struct lineio *in, int32_t pid_hint)
{
	struct strace_parser *p = g_new0(struct strace_parser, 1);

	p->in = in;
	p->pid_hint = pid_hint;
	p->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	p->spare = g_ptr_array_new();
	p->qcap = 64;
	p->q = g_new0(struct qent, p->qcap);
	p->join = g_string_sized_new(256);
	p->str = g_string_sized_new(256);
	p->last_tod = TC_NOTIME;
	return p;
}

int
strace_parser_next(struct strace_parser *p, struct trace_call *tc,
    GError **err)
{
	for (;;) {
		const char *line;
		size_t len;
		bool ok;
		int rc;

		if (q_pop(p, tc))
			return 1;
		if (p->eof)
			return 0;
		rc = lineio_next(p->in, &line, &len, err);
		if (rc < 0)
			return -1;
		p->errline = 0;
		if (rc == 0) {
			p->eof = true;
			ok = flush_pending(p);
		} else
			ok = handle_line(p, line, len, lineio_lineno(p->in));
		if (!ok) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: %s", lineio_path(p->in),
			    (unsigned long long)(p->errline != 0 ? p->errline :
			    lineio_lineno(p->in)), p->e.msg);
			return -1;
		}
	}
}

void
strace_parser_free(struct strace_parser *p)
{
	GHashTableIter hi;
	gpointer v;
	size_t i;

	if (p == NULL)
		return;
	if (p->orphans > 0)
		g_debug("%s: %llu second halves of calls begun before the trace",
		    lineio_path(p->in), (unsigned long long)p->orphans);
	g_hash_table_iter_init(&hi, p->pending);
	while (g_hash_table_iter_next(&hi, NULL, &v))
		g_ptr_array_add(p->spare, v);
	for (i = 0; i < p->spare->len; i++) {
		struct pending *pd = p->spare->pdata[i];

		if (pd->args != NULL)
			g_string_free(pd->args, TRUE);
		g_free(pd);
	}
	g_ptr_array_free(p->spare, TRUE);
	g_hash_table_destroy(p->pending);
	for (i = 0; i < p->qcap; i++)
		trace_call_free(&p->q[i].tc);
	g_free(p->q);
	g_string_free(p->join, TRUE);
	g_string_free(p->str, TRUE);
	lineio_close(p->in);
	g_free(p);
}
