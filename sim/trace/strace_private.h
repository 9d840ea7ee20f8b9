/*
 * strace_private.h — what the files of the strace(1) log reader share: the
 * lexer (strace_lex.c), the decoding of a call (strace_calls.c) and the
 * parser's state (strace.c).  Not part of the trace API (trace.h): only the
 * strace*.c files include it, and the helpers keep the short names they had
 * as statics of one file.
 */
#ifndef VFSSIM_STRACE_PRIVATE_H
#define VFSSIM_STRACE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "trace.h"

#define NS_PER_SEC	INT64_C(1000000000)

struct span {
	const char	*s;
	size_t		 n;
};

/* Why the last helper failed; turned into a GError with file and line. */
struct errbuf {
	char		 msg[256];
};

bool	strace_bad(struct errbuf *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
const char *strace_excerpt(const char *s, size_t n, char *buf, size_t bufsz);

/* ---- the lexer (strace_lex.c) ---------------------------------------- */

static inline bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool
is_identc(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

static inline size_t
skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && is_space(s[i]))
		i++;
	return i;
}

static inline struct span
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

static inline bool
has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t k = strlen(pfx);

	return n >= k && memcmp(s, pfx, k) == 0;
}

static inline bool
has_suffix(const char *s, size_t n, const char *sfx)
{
	size_t k = strlen(sfx);

	return n >= k && memcmp(s + n - k, sfx, k) == 0;
}

static inline bool
span_is(struct span v, const char *word)
{
	return v.n == strlen(word) && memcmp(v.s, word, v.n) == 0;
}

size_t	strace_lex_ident(const char *s, size_t n);
size_t	strace_lex_int(const char *s, size_t n, int64_t *out);
bool	strace_only_comment(const char *s, size_t n);
bool	strace_skip_string(struct errbuf *e, const char *s, size_t n, size_t *ip,
	    size_t *qend);
bool	strace_skip_comment(struct errbuf *e, const char *s, size_t n, size_t *ip);
bool	strace_unescape(struct errbuf *e, const char *s, size_t n, GString *out);
size_t	strace_lex_secfrac(const char *s, size_t n, int64_t *ns);

/*
 * Iterate over the items of a list: s[pos..n) split at `sep` (',' between
 * arguments and fields, '|' between flags) at nesting depth 0, up to a
 * closing bracket that was not opened inside (its index is left in stop)
 * or the end of s.
 */
struct iter {
	const char	*s;
	size_t		 n, pos, stop;
	const uint8_t	*stops;		/* the bytes the walk stops at */
	struct span	 ann;		/* the item's first -y annotation, "<...>"
					 * whole (s NULL: none) */
	char		 sep;
	bool		 done;
};

void	strace_iter_init(struct iter *it, const char *s, size_t n, char sep);
int	strace_next_item(struct errbuf *e, struct iter *it, struct span *item);
bool	strace_split_list(struct errbuf *e, const char *s, size_t n, char sep,
	    struct span *items, int max, int *nitems, size_t *stop);
bool	strace_split_args(struct errbuf *e, const char *s, size_t n,
	    struct span *items, struct span *anns, int max, int *nitems,
	    size_t *stop);

/* Flag sets and single values, by name or by number (the tables are in
 * strace_calls.c, the signals' in strace.c). */
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

const struct sym *strace_sym_find(const struct sym *t, const char *s, size_t n);
bool	strace_parse_flags(struct errbuf *e, struct span v, const struct flagdef *def,
	    uint32_t *out);
uint32_t strace_parse_enum(struct span v, const struct enumdef *def);
bool	strace_parse_num(struct span v, int64_t *out);

/* Arguments: descriptors and their -y annotations, structures. */
bool	strace_lex_annot(struct errbuf *e, struct span v, size_t *ip,
	    struct span *ann, bool *deleted);
bool	strace_parse_fd(struct errbuf *e, struct span v, int32_t *fd,
	    struct span *ann, bool *deleted);
bool	strace_parse_fd_at(struct errbuf *e, struct span v, struct span known,
	    int32_t *fd, struct span *ann, bool *deleted);
bool	strace_struct_fields(struct errbuf *e, struct span v,
	    const char *const *keys, struct span *vals, int nkeys);

/* The prefix of a line: task id, time stamp, relative time. */
enum { TS_NONE, TS_EPOCH, TS_TOD };

struct prefix {
	int32_t		 pid;
	bool		 has_pid;
	bool		 bracket;	/* "[pid N] ": strace's stderr form */
	bool		 padded;	/* blanks before the stamp, no task id:
					   -r's right-aligned seconds */
	int		 tskind;
	int64_t		 ts;		/* ns since the epoch or since midnight */
	size_t		 body;		/* where the body starts */
};

size_t	strace_lex_pid(const char *s, size_t n, int32_t *pid);
/* Linux's largest task id (PID_MAX_LIMIT on 64-bit machines): a larger
 * number at a line's start is a time stamp's seconds. */
#define PID_MAX_LIMIT	4194304
bool	strace_parse_prefix(struct errbuf *e, const char *s, size_t n,
	    struct prefix *pf);

/* ---- the parser (strace.c) ------------------------------------------- */

/*
 * The state of one parser.  The split calls (struct pending) and the
 * output queue (struct qent) are strace.c's; the decoders use only e and
 * str.
 */
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
	GString		*cut;		/* a line a message of strace's cut
					   (cut_by_message), until its rest */
	uint64_t	 cut_line;	/* ... its number */
	GString		*str;		/* a decoded string */
	int64_t		 day_ns;	/* days added to times of day (midnight) */
	int64_t		 last_tod;	/* the last time-of-day stamp, adjusted */
	uint64_t	 orphans;	/* "resumed" halves with no first half */
	uint64_t	 errline;	/* line an error is about, if not the current */
	struct sc_memo	 scm;		/* the last calls' names */
	/* Whose an unprefixed line is, on stderr (strace.c: line_pid): */
	GHashTable	*tasks;		/* pids of the tasks alive (a set): those
					   gone leave it, so that it holds what
					   is alive, not every id the log named */
	int32_t		 lone;		/* the task of unprefixed lines */
	int32_t		 first_pid;	/* the first task's own id, once named */
	int32_t		 last_bracket;	/* the last "[pid N]" looked up, or 0 */
	bool		 first_named;
	bool		 tasks_seen;	/* a task has been alive */
	bool		 tasks_changed;	/* lone is to be worked out again */
	uint64_t	 announced;	/* "strace: Process N attached" lines */
	/* A log without time stamps: its records' times are the lines that
	 * completed them (trace_reader_line_times); decided by its first
	 * line that says something of a task. */
	bool		 line_times, lt_decided;
	uint64_t	 curline;	/* the line being read */
	/* -r alone: each stamp is the time since the line before's, the
	 * first 0 (strace.c: line_time); their sum so far */
	bool		 relative, rel_decided;
	int64_t		 rel_ns;
	bool		 summary;	/* past -C's summary table's head */
	bool		 eof;
	struct errbuf	 e;
};

/* ---- a call (strace_calls.c) ----------------------------------------- */

/* The call another ABI's name is (i386's stat64, _llseek, mmap2, ...;
 * Linux's newer preadv2, openat2, ...): SC_OTHER for none. */
enum sc_id strace_abi_sc(const char *name);
bool	strace_parse_call(struct strace_parser *p, struct trace_call *tc,
	    const char *s, size_t n, bool complete);

#endif
