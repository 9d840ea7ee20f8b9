/*
 * trace_private.h — what trace.c (struct trace_call, opening a trace of
 * any format, reading it) and native.c (vfssim's own format) share.  Not
 * for anyone else: trace.h is the trace layer's interface.
 */
#ifndef TRACE_PRIVATE_H
#define TRACE_PRIVATE_H

#include "trace.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct ffsrc;	/* trace.c: a member of an strace -ff set */

/* An open trace of any format (trace_open, trace_source_open). */
struct trace_reader {
	enum trace_format fmt;
	char	*path;
	struct lineio *in;		/* TF_NATIVE */
	struct strace_parser *sp;	/* TF_STRACE */
	struct ffsrc *ff;		/* TF_STRACE_FF */
	unsigned nff;
	const struct trace_source_ops *src;	/* TF_GENERATED */
	void	*src_arg;
	bool	 nominal;	/* its times are a generator's (NATIVE_NOMINAL) */
	bool	 line_times;	/* TF_NATIVE: its times are lines (NATIVE_LINES) */
	bool	 records;	/* a record has been read */
	volatile sig_atomic_t *stop;	/* trace_set_stop */
	uint64_t nread;			/* calls read, for the message */
	struct sc_memo scm;		/* TF_NATIVE: the last calls' names */
};

/* The memo's slot for a name of n > 0 bytes from first to last. */
static inline unsigned
memo_slot(size_t n, unsigned char first, unsigned char last)
{
	return ((unsigned)n + first + 3 * (unsigned)last) % SC_MEMO_SLOTS;
}

/* A decimal integer of n bytes, a sign allowed (the native format's and
 * the -ff members' names). */
static inline bool
parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t v = 0;
	bool neg = false;
	size_t i = 0;

	if (n > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n || n - i > 19)
		return false;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9)
			return false;
		v = v * 10 + d;		/* 19 digits cannot wrap a uint64 */
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static inline bool
parse_i32(const char *s, size_t n, int32_t *out)
{
	int64_t v;

	if (!parse_i64(s, n, &v) || v < INT32_MIN || v > INT32_MAX)
		return false;
	*out = (int32_t)v;
	return true;
}

/* A call asked of r (trace_read, trace_read_raw): false, and the error
 * saying how many were read, once the stop flag is up; else counted. */
static inline bool
trace_reader_ask(struct trace_reader *r, GError **err)
{
	if (r->stop != NULL && *r->stop) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_STOPPED,
		    "%s: interrupted while reading it, after %llu records", r->path,
		    (unsigned long long)r->nread);
		return false;
	}
	r->nread++;
	return true;
}

/* native.c: the next call of a native trace (trace_read's). */
int	read_native(struct trace_reader *r, struct trace_call *tc, GError **err);

#endif
