/*
 * lineio.c — line input for the trace readers: a file, plain or gzip'd
 * (zlib reads both), in large blocks, one line at a time, with its number
 * for messages.
 *
 * A line may be at most TRACE_MAX_LINE (16 MB) bytes.  strace writes a
 * call on one line, a buffer's bytes cut at -s and each printed as at most
 * four characters ("\377"): 16 MB holds a call printed with -s up to about
 * 4 million (tests/test_strace.c replays a 4 MB line of -s 10000000), far
 * beyond the default 32 or the few KB people use.  A longer "line" is
 * junk, refused as soon as the reader has that much of it, so a 1 GB line
 * squeezed into a 1 MB .gz costs 32 MB of buffer at most and no more
 * reading.
 */
#include "trace.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#define LINEIO_BLOCK	(1 << 20)

struct lineio {
	gzFile	 gz;
	char	*path;
	char	*buf;
	size_t	 cap;		/* allocated */
	size_t	 start, end;	/* unread bytes are buf[start..end) */
	bool	 eof;
	uint64_t lineno;
};

struct lineio *
lineio_open(const char *path, GError **err)
{
	struct lineio *l;
	gzFile gz = gzopen(path, "rb");

	if (gz == NULL) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", path,
		    errno ? g_strerror(errno) : "cannot open");
		return NULL;
	}
	gzbuffer(gz, 256 * 1024);
	l = g_new0(struct lineio, 1);
	l->gz = gz;
	l->path = g_strdup(path);
	l->cap = LINEIO_BLOCK;
	l->buf = g_malloc(l->cap);
	return l;
}

int
lineio_next(struct lineio *l, const char **line, size_t *len, GError **err)
{
	for (;;) {
		char *nl = l->end > l->start ?
		    memchr(l->buf + l->start, '\n', l->end - l->start) : NULL;
		int n;

		if (l->end - l->start > TRACE_MAX_LINE &&
		    (nl == NULL || (size_t)(nl - (l->buf + l->start)) >
		    TRACE_MAX_LINE)) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: a line longer than %d MB: not a trace "
			    "(a line is at most %d bytes)", l->path,
			    (unsigned long long)l->lineno + 1, TRACE_MAX_LINE >> 20,
			    TRACE_MAX_LINE);
			return -1;
		}
		if (nl != NULL || (l->eof && l->end > l->start)) {
			size_t e = nl != NULL ? (size_t)(nl - l->buf) : l->end;

			*line = l->buf + l->start;
			*len = e - l->start;
			if (*len > 0 && (*line)[*len - 1] == '\r')
				(*len)--;
			l->start = nl != NULL ? e + 1 : e;
			l->lineno++;
			return 1;
		}
		if (l->eof)
			return 0;
		/* Make room: slide the partial line down, grow if a single
		 * line fills the buffer (to twice the line cap at most). */
		if (l->start > 0) {
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		}
		if (l->end == l->cap) {
			l->cap *= 2;
			l->buf = g_realloc(l->buf, l->cap);
		}
		n = gzread(l->gz, l->buf + l->end, (unsigned)(l->cap - l->end));
		if (n < 0) {
			int zerr;
			const char *msg = gzerror(l->gz, &zerr);

			g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
			    "%s:%llu: read error: %s", l->path,
			    (unsigned long long)l->lineno + 1,
			    zerr == Z_ERRNO ? g_strerror(errno) : msg);
			return -1;
		}
		if (n == 0) {
			int zerr;

			gzerror(l->gz, &zerr);
			if (zerr != Z_OK) {
				g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
				    "%s:%llu: %s compressed data", l->path,
				    (unsigned long long)l->lineno + 1,
				    zerr == Z_BUF_ERROR ? "truncated" : "corrupt");
				return -1;
			}
			l->eof = true;
		}
		l->end += (size_t)n;
	}
}

uint64_t
lineio_lineno(const struct lineio *l)
{
	return l->lineno;
}

const char *
lineio_path(const struct lineio *l)
{
	return l->path;
}

void
lineio_close(struct lineio *l)
{
	if (l == NULL)
		return;
	gzclose(l->gz);
	g_free(l->buf);
	g_free(l->path);
	g_free(l);
}
