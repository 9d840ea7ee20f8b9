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
 *
 * A gzip'd file is inflated by a thread of its own once the reader wants
 * its second block (a file opened to read its first lines, to tell its
 * format, never starts one): GUNZIP_BLOCKS blocks go round between it and
 * the reader, so inflating (zlib: a tenth of the work of reading an
 * strace) runs beside the parsing on another core.  The reader copies a
 * block's bytes into its line buffer as it did gzread's, and a read error
 * or the end of the data comes in its place in the order of the bytes:
 * what a reader sees, line by line and error by error, is the same.
 */
#include "trace.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#define LINEIO_BLOCK	(1 << 20)
#define LINEIO_FIRST	(64 * 1024)	/* the first read, and the thread's first block */
#define GZ_BUFFER	(LINEIO_FIRST / 2)	/* gzread inflates straight into a
					 * read of twice this or more (a smaller
					 * one fills zlib's own buffer of twice
					 * this first) */
#define GUNZIP_BLOCK	(512 * 1024)
#define GUNZIP_BLOCKS	4

/* A block of inflated bytes, or (last) the end of the data or an error. */
struct zblock {
	char	*data;
	size_t	 n, off;	/* bytes in data; those the reader has taken */
	bool	 last;		/* no bytes: the end (zerr Z_OK), or not */
	int	 rc;		/* last: 0, or -1 for a read error */
	int	 zerr;		/* last: gzerror's code */
	char	*msg;		/* rc -1: the error's text */
};

/* The inflating thread and its blocks: empty ones go to it, full ones
 * come back in order. */
struct gunzip {
	GThread		*thread;
	GAsyncQueue	*empty, *full;
	gint		 stop;
	gzFile		 gz;
	struct zblock	 blocks[GUNZIP_BLOCKS];
	struct zblock	*cur;	/* the block the reader is taking from */
	bool		 first;	/* the next block is the first */
};

struct lineio {
	gzFile	 gz;
	char	*path;
	char	*buf;
	size_t	 cap;		/* allocated */
	size_t	 start, end;	/* unread bytes are buf[start..end) */
	bool	 eof;
	uint64_t lineno;
	bool	 more;		/* gzread filled the first block: start the
				 * thread for the rest (a gzip'd file) */
	bool	 slid;		/* buf no longer begins at the file's start
				 * (lineio_rewind must open it afresh) */
	struct gunzip *z;	/* the inflating thread, once started */
};

/* One gzread: its count; at 0 the code of how the data ended, at -1 the
 * error's text (zlib's, or the system's for an I/O error). */
static int
gz_read(gzFile gz, char *dst, size_t room, int *zerr, char **msg)
{
	int n = gzread(gz, dst, (unsigned)room);

	*zerr = Z_OK;
	if (n < 0) {
		const char *m = gzerror(gz, zerr);

		*msg = g_strdup(*zerr == Z_ERRNO ? g_strerror(errno) : m);
	} else if (n == 0)
		(void)gzerror(gz, zerr);
	return n;
}

static gpointer
gunzip_main(gpointer arg)
{
	struct gunzip *z = arg;

	for (;;) {
		struct zblock *b = g_async_queue_pop(z->empty);
		int n;

		if (g_atomic_int_get(&z->stop))
			return NULL;
		/* the first small, so that the reader, waiting for it,
		 * starts again soon */
		n = gz_read(z->gz, b->data, z->first ? LINEIO_FIRST :
		    GUNZIP_BLOCK, &b->zerr, &b->msg);
		z->first = false;
		b->off = 0;
		b->n = n > 0 ? (size_t)n : 0;
		b->last = n <= 0;
		b->rc = n < 0 ? -1 : 0;
		g_async_queue_push(z->full, b);
		if (b->last)
			return NULL;
	}
}

static void
gunzip_start(struct lineio *l)
{
	struct gunzip *z = g_new0(struct gunzip, 1);
	int i;

	z->gz = l->gz;
	z->first = true;
	z->empty = g_async_queue_new();
	z->full = g_async_queue_new();
	for (i = 0; i < GUNZIP_BLOCKS; i++) {
		z->blocks[i].data = g_malloc(GUNZIP_BLOCK);
		g_async_queue_push(z->empty, &z->blocks[i]);
	}
	z->thread = g_thread_new("vfssim-gunzip", gunzip_main, z);
	l->z = z;
}

static void
gunzip_stop(struct gunzip *z)
{
	struct zblock *b;
	int i;

	/* Wake it wherever it waits: every block it has filled goes back
	 * empty, and it stops at the next it takes. */
	g_atomic_int_set(&z->stop, 1);
	if (z->cur != NULL)
		g_async_queue_push(z->empty, z->cur);
	while ((b = g_async_queue_try_pop(z->full)) != NULL)
		g_async_queue_push(z->empty, b);
	g_thread_join(z->thread);
	for (i = 0; i < GUNZIP_BLOCKS; i++) {
		g_free(z->blocks[i].data);
		g_free(z->blocks[i].msg);
	}
	g_async_queue_unref(z->empty);
	g_async_queue_unref(z->full);
	g_free(z);
}

/* Up to room bytes of the file at dst, as gz_read: from gzread itself for
 * the first block, then from the inflating thread's blocks (a gzip'd
 * file; a plain one is read by gzread all along). */
static int
lineio_read(struct lineio *l, char *dst, size_t room, int *zerr, char **msg)
{
	struct gunzip *z = l->z;
	struct zblock *b;
	size_t k;

	if (z == NULL) {
		int n;

		if (l->more) {
			gunzip_start(l);
			z = l->z;
		} else {
			/* gzread gives all it is asked for but at the end:
			 * a small file never starts the thread.  The first
			 * read is small: inflated on the caller's thread
			 * before anything else can start, a first megabyte
			 * had been d1's first 3 ms (9.5 M instructions). */
			if (l->end == 0 && !l->slid)
				room = MIN(room, LINEIO_FIRST);
			n = gz_read(l->gz, dst, room, zerr, msg);
			l->more = l->end == 0 && n > 0 && (size_t)n == room &&
			    !gzdirect(l->gz);
			return n;
		}
	}
	if ((b = z->cur) != NULL && !b->last && b->off == b->n) {
		g_async_queue_push(z->empty, b);
		b = z->cur = NULL;
	}
	if (b == NULL)
		b = z->cur = g_async_queue_pop(z->full);
	if (b->last) {
		*zerr = b->zerr;
		if (b->rc < 0)
			*msg = g_strdup(b->msg);
		return b->rc;
	}
	k = MIN(room, b->n - b->off);
	memcpy(dst, b->data + b->off, k);
	b->off += k;
	*zerr = Z_OK;
	return (int)k;
}

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
	gzbuffer(gz, GZ_BUFFER);
	l = g_new0(struct lineio, 1);
	l->gz = gz;
	l->path = g_strdup(path);
	l->cap = LINEIO_BLOCK;
	l->buf = g_malloc(l->cap);
	return l;
}

/*
 * Back to the first line, if the bytes read so far are all still in the
 * buffer (a reader that looked at the first lines to tell the format):
 * nothing is read or inflated again, and whatever follows still comes
 * from where it would have.  False if not; the caller opens it afresh.
 */
bool
lineio_rewind(struct lineio *l)
{
	if (l->slid)
		return false;
	l->start = 0;
	l->lineno = 0;
	return true;
}

int
lineio_next(struct lineio *l, const char **line, size_t *len, GError **err)
{
	for (;;) {
		char *nl = l->end > l->start ?
		    memchr(l->buf + l->start, '\n', l->end - l->start) : NULL;
		char *msg = NULL;
		int n, zerr;

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
			l->slid = true;
			memmove(l->buf, l->buf + l->start, l->end - l->start);
			l->end -= l->start;
			l->start = 0;
		}
		if (l->end == l->cap) {
			l->cap *= 2;
			l->buf = g_realloc(l->buf, l->cap);
		}
		n = lineio_read(l, l->buf + l->end, l->cap - l->end, &zerr, &msg);
		if (n < 0) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
			    "%s:%llu: read error: %s", l->path,
			    (unsigned long long)l->lineno + 1, msg);
			g_free(msg);
			return -1;
		}
		if (n == 0) {
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
	if (l->z != NULL)
		gunzip_stop(l->z);
	gzclose(l->gz);
	g_free(l->buf);
	g_free(l->path);
	g_free(l);
}
