/*
 * hplsrt.c — HP Laboratories' disk traces in their SRT form (TR_IOREC),
 * the traces of Ruemmler and Wilkes's "UNIX disk access patterns" (1993:
 * cello, snake, hplajw), as DiskSim's "hpl" and "hpl2" trace formats read
 * them (disksim_iotrace.c: iotrace_hpl_initialize_file,
 * iotrace_hpl_get_ioreq_event).  Read here from that description; no code
 * of DiskSim's is used.
 *
 * An "hpl" file is a text header ("$$TR_IOREC-1.3 ..." and key = value
 * lines describing the system and its disks) ended by a form feed (0x0C);
 * an "hpl2" file (hplcomb's output) has none.  Then records of 32-bit
 * big-endian words:
 *
 *   size  id  sec  usec  start  stop  bytes  blkno  dev  drivertype
 *   cylno  flags  info  [queuelen: version 4]  [susflags: suspect]
 *
 * size is the record's length in bytes; id's high half is the record's
 * version (1 to 4), its low half its kind: 1 a completed I/O, 4 one the
 * tracer suspected (skipped, as DiskSim skips it); anything else is not a
 * disk trace.  The request arrives at sec s and usec us after the trace's
 * start; bytes is a whole number of 512-byte sectors, blkno the first,
 * the device its major/minor's minor byte ((dev >> 8) & 0xff); flags bit
 * 0 is a read.  Nothing else is used (start and stop are the traced
 * service, which DiskSim does not compare either).
 */
#include "trace.h"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <zlib.h>

/* The header is a few KB; past this it is no header. */
#define	HPL_HEADER_MAX	(1 << 20)
#define	HPL_KIND_IO	1
#define	HPL_KIND_SUSPECT 4

struct hplsrt {
	char		*path;
	gzFile		 gz;
	uint64_t	 recno;		/* records read, suspect ones too */
	uint64_t	 offset;	/* bytes read */
	uint64_t	 rec_start;	/* where the record being read began */
};

static bool
bad(struct hplsrt *h, GError **err, const char *what)
{
	g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT, "%s: record %llu "
	    "(byte %llu): %s", h->path, (unsigned long long)h->recno + 1,
	    (unsigned long long)h->rec_start, what);
	return false;
}

/* n bytes, or false: *eof if none at all could be read. */
static bool
read_bytes(struct hplsrt *h, void *buf, unsigned n, bool *eof, GError **err)
{
	int got = gzread(h->gz, buf, n);

	*eof = got == 0;
	if (got == (int)n) {
		h->offset += n;
		return true;
	}
	if (got < 0) {
		int e;

		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", h->path,
		    gzerror(h->gz, &e));
		return false;
	}
	if (got > 0)
		return bad(h, err, "the file ends inside a record");
	return false;
}

struct hplsrt *
hplsrt_open(const char *path, bool header, GError **err)
{
	struct hplsrt *h = g_new0(struct hplsrt, 1);

	h->path = g_strdup(path);
	h->gz = gzopen(path, "rb");
	if (h->gz == NULL) {
		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", path, g_strerror(errno));
		hplsrt_close(h);
		return NULL;
	}
	(void)gzbuffer(h->gz, 1 << 16);
	if (header) {
		/* Up to and past the form feed that ends the text. */
		for (;;) {
			int c = gzgetc(h->gz);

			if (c == 0x0c)
				break;
			if (c < 0 || ++h->offset >= HPL_HEADER_MAX) {
				g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
				    "%s: no end to the HP trace's header (a form "
				    "feed) in its first %d bytes", path,
				    HPL_HEADER_MAX);
				hplsrt_close(h);
				return NULL;
			}
		}
		h->offset++;
	}
	return h;
}

bool
hplsrt_is_srt(const char *prefix, size_t len)
{
	static const char magic[] = "$$TR_IOREC";

	return len >= sizeof(magic) - 1 &&
	    memcmp(prefix, magic, sizeof(magic) - 1) == 0;
}

int
hplsrt_next(struct hplsrt *h, struct hplsrt_rec *r, GError **err)
{
	for (;;) {
		guint32 w[15];
		unsigned i, n, version, kind;
		bool eof;

		h->rec_start = h->offset;
		if (!read_bytes(h, w, 4 * sizeof(w[0]), &eof, err))
			return eof ? 0 : -1;
		for (i = 0; i < 4; i++)
			w[i] = GUINT32_FROM_BE(w[i]);
		version = w[1] >> 16;
		kind = w[1] & 0xffff;
		if (version < 1 || version > 4) {
			bad(h, err, "not an HP trace record (version outside 1-4)");
			return -1;
		}
		if (kind != HPL_KIND_IO && kind != HPL_KIND_SUSPECT) {
			bad(h, err, "a record of a kind other than I/O");
			return -1;
		}
		/* 13 words, a queue length in version 4, suspect flags in a
		 * suspect record: the size must say so. */
		n = 13 + (version == 4) + (kind == HPL_KIND_SUSPECT);
		if (w[0] != n * sizeof(w[0])) {
			bad(h, err, "the record's size is not its fields'");
			return -1;
		}
		if (!read_bytes(h, w + 4, (n - 4) * sizeof(w[0]), &eof, err)) {
			if (eof)
				bad(h, err, "the file ends inside a record");
			return -1;
		}
		for (i = 4; i < n; i++)
			w[i] = GUINT32_FROM_BE(w[i]);
		if (kind == HPL_KIND_SUSPECT) {
			h->recno++;
			continue;
		}
		if ((int32_t)w[2] < 0 || (int32_t)w[3] < 0) {
			bad(h, err, "a negative time");
			return -1;
		}
		if (w[6] % 512 != 0 || (int32_t)w[6] <= 0) {
			bad(h, err, "a size that is no whole number of 512-byte "
			    "sectors");
			return -1;
		}
		h->recno++;
		r->at_ms = (double)(int32_t)w[2] * 1000 +
		    (double)(int32_t)w[3] / 1000;
		r->nblocks = (int64_t)(w[6] / 512);
		r->blkno = (int64_t)(int32_t)w[7];
		r->dev = (int)((w[8] >> 8) & 0xff);
		r->read = (w[11] & 1) != 0;
		r->recno = h->recno;
		return 1;
	}
}

void
hplsrt_close(struct hplsrt *h)
{
	if (h == NULL)
		return;
	if (h->gz != NULL)
		(void)gzclose(h->gz);
	g_free(h->path);
	g_free(h);
}
