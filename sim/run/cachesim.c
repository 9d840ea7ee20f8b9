/*
 * cachesim.c — the cache alone (vfssim cache; see cachesim.h): a block
 * trace read once, in large blocks, each reference handed to the offline
 * cache of bufpolicy.c (bp_cache: the buffer cache's own policy tables)
 * as it is read, or gathered for OPT.
 */
#include "cachesim.h"
#include "bufpolicy.h"
#include "dbopen.h"
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>
#include <zlib.h>

G_DEFINE_QUARK(vfssim-cachesim-error-quark, cachesim_error)

/* libCacheSim's oracleGeneral record: 4 + 8 + 4 + 8 bytes, packed. */
#define ORACLE_REC	24
/* Records read at a time (1.5 MB). */
#define ORACLE_CHUNK	65536
/* References ahead whose table slot is prefetched. */
#define PREFETCH_AHEAD	8
/* Ctrl-C is looked at every so many references. */
#define STOP_EVERY	65536
/* The largest request in sectors a disk_io row may have (8 GB). */
#define DB_MAX_SECTORS	(INT64_C(1) << 24)

struct sink {
	const struct cachesim_opts *o;
	struct bp_cache	*cache;		/* NULL: OPT, refs gathered */
	GArray		*refs;		/* struct bp_key (OPT) */
	uint64_t	 requests, misses;
};

const char *
cachesim_format_name(enum cachesim_format f)
{
	switch (f) {
	case CS_CSV:
		return "csv";
	case CS_ORACLE:
		return "oracleGeneral";
	case CS_DB:
		return "db";
	default:
		return "auto";
	}
}

static bool
stopped(struct sink *s, GError **err)
{
	if (s->o->interrupted != NULL && *s->o->interrupted) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_RUN,
		    "%s: interrupted after %llu requests", s->o->trace,
		    (unsigned long long)s->requests);
		return true;
	}
	return false;
}

/* One reference to object id. */
static inline bool
ref(struct sink *s, uint64_t id, GError **err)
{
	struct bp_key k = { .vid = 0, .lblkno = (int64_t)id };

	s->requests++;
	if (s->cache != NULL)
		s->misses += !bp_cache_ref(s->cache, &k);
	else
		g_array_append_val(s->refs, k);
	return (s->requests % STOP_EVERY) != 0 || !stopped(s, err);
}

/* ---- libCacheSim csv ------------------------------------------------- */

/* The n-th (0-based) comma-separated field of line as a number; false if
 * it is not an unsigned decimal integer. */
static bool
field_u64(const char *line, size_t len, int n, uint64_t *v, char *buf,
    size_t bufsz)
{
	const char *p = line, *end = line + len, *q;
	size_t l;
	int i;

	for (i = 0; i < n; i++) {
		if ((p = memchr(p, ',', (size_t)(end - p))) == NULL)
			return false;
		p++;
	}
	q = memchr(p, ',', (size_t)(end - p));
	l = (size_t)((q != NULL ? q : end) - p);
	while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\r'))
		l--;
	while (l > 0 && *p == ' ') {
		p++;
		l--;
	}
	if (l == 0 || l >= bufsz)
		return false;
	memcpy(buf, p, l);
	buf[l] = '\0';
	return g_ascii_string_to_unsigned(buf, 10, 0, G_MAXUINT64, v, NULL);
}

static bool
read_csv(struct sink *s, GError **err)
{
	struct lineio *in = lineio_open(s->o->trace, err);
	const char *line;
	size_t len;
	char buf[32];
	int rc;
	bool ok = false;

	if (in == NULL)
		return false;
	while ((rc = lineio_next(in, &line, &len, err)) == 1) {
		uint64_t t, id, size;
		const char *c2;

		if (len == 0 || (len == 1 && line[0] == '\r'))
			continue;
		/* time,obj_id,obj_size: three fields, no fourth */
		c2 = memchr(line, ',', len);
		if (c2 != NULL)
			c2 = memchr(c2 + 1, ',', len - (size_t)(c2 + 1 - line));
		if (c2 == NULL || memchr(c2 + 1, ',', len -
		    (size_t)(c2 + 1 - line)) != NULL ||
		    !field_u64(line, len, 0, &t, buf, sizeof(buf)) ||
		    !field_u64(line, len, 1, &id, buf, sizeof(buf)) ||
		    !field_u64(line, len, 2, &size, buf, sizeof(buf))) {
			/* the first line may be a header */
			if (lineio_lineno(in) == 1 && memchr(line, '\0', len) ==
			    NULL && c2 != NULL)
				continue;
			g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
			    "%s:%llu: not time,obj_id,obj_size (three unsigned "
			    "integers)", s->o->trace,
			    (unsigned long long)lineio_lineno(in));
			goto out;
		}
		if (!ref(s, id, err))
			goto out;
	}
	ok = rc == 0;
out:
	lineio_close(in);
	return ok;
}

/* ---- libCacheSim oracleGeneral --------------------------------------- */

static bool
read_oracle(struct sink *s, GError **err)
{
	gzFile gz = gzopen(s->o->trace, "rb");
	uint8_t *buf;
	size_t have = 0;
	uint64_t off = 0;
	bool ok = false;

	if (gz == NULL) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s",
		    s->o->trace, g_strerror(errno));
		return false;
	}
	gzbuffer(gz, 256 * 1024);
	buf = g_malloc((size_t)ORACLE_REC * ORACLE_CHUNK);
	for (;;) {
		int n = gzread(gz, buf + have, (unsigned)((size_t)ORACLE_REC *
		    ORACLE_CHUNK - have));
		size_t i, whole;

		if (n < 0) {
			int zerr;

			g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s",
			    s->o->trace, gzerror(gz, &zerr));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		whole = have - have % ORACLE_REC;
		for (i = 0; i < whole; i += ORACLE_REC) {
			uint64_t id;

			/* the cache's table is larger than the processor's
			 * caches: its slot for a reference a few ahead is
			 * fetched while this one is served */
			if (s->cache != NULL && i + ORACLE_REC * PREFETCH_AHEAD <
			    whole) {
				struct bp_key k = { .vid = 0 };

				memcpy(&id, buf + i + ORACLE_REC * PREFETCH_AHEAD +
				    4, sizeof(id));
				k.lblkno = (int64_t)GUINT64_FROM_LE(id);
				bp_cache_prefetch(s->cache, &k);
			}
			/* {uint32 time; uint64 obj_id; ...}: the id at 4 */
			memcpy(&id, buf + i + 4, sizeof(id));
			if (!ref(s, GUINT64_FROM_LE(id), err))
				goto out;
		}
		memmove(buf, buf + whole, have - whole);
		off += whole;
		have -= whole;
	}
	if (have != 0) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "%s: %zu bytes at offset %llu: not a whole %d-byte "
		    "oracleGeneral record", s->o->trace, have,
		    (unsigned long long)off, ORACLE_REC);
		goto out;
	}
	ok = true;
out:
	g_free(buf);
	gzclose(gz);
	return ok;
}

/* ---- a vfssim database's disk_io ------------------------------------- */

static bool
read_db(struct sink *s, struct cachesim_result *res, GError **err)
{
	sqlite3 *db = db_open_readonly(s->o->trace, err);
	sqlite3_stmt *st = NULL;
	int64_t run = s->o->run, bs = s->o->block_size;
	bool ok = false;
	int rc;

	if (db == NULL)
		return false;
	if (run < 0) {
		if (sqlite3_prepare_v2(db, "SELECT max(id) FROM runs WHERE "
		    "status = 'complete'", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW ||
		    sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
			g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
			    "%s: no complete run", s->o->trace);
			goto out;
		}
		run = sqlite3_column_int64(st, 0);
	} else if (sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE id = ? AND "
	    "status = 'complete'", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, run) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "%s: no complete run %lld", s->o->trace, (long long)run);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	res->run = run;
	if (sqlite3_prepare_v2(db, "SELECT seq, sector, sectors FROM disk_io "
	    "WHERE run = ? ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "%s: disk_io: %s", s->o->trace, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, run);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		int64_t sec = sqlite3_column_int64(st, 1);
		int64_t n = sqlite3_column_int64(st, 2);
		int64_t b, last;

		/* a row is untrusted input (dbopen.h): checked here */
		if (sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 2) != SQLITE_INTEGER || sec < 0 ||
		    sec > DB_MAX_NS / 512 || n < 1 || n > DB_MAX_SECTORS) {
			g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
			    "%s: disk_io, run %lld, seq %lld: sector and sectors "
			    "must be integers, sector >= 0 and 1 <= sectors <= %lld",
			    s->o->trace, (long long)run, (long long)seq,
			    (long long)DB_MAX_SECTORS);
			goto out;
		}
		last = ((sec + n) * 512 - 1) / bs;
		for (b = sec * 512 / bs; b <= last; b++)
			if (!ref(s, (uint64_t)b, err))
				goto out;
	}
	if (rc != SQLITE_DONE) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "%s: disk_io: %s", s->o->trace, sqlite3_errmsg(db));
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* ---- the run ----------------------------------------------------------- */

/* csv, oracleGeneral or db, from the file's first bytes: SQLite's header,
 * or bytes that are not text. */
static enum cachesim_format
sniff(const char *path, GError **err)
{
	static const char sqlite_magic[16] = "SQLite format 3";
	char head[4096];
	FILE *f = fopen(path, "rb");
	gzFile gz;
	size_t n;
	int i, got;

	if (f == NULL) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", path,
		    g_strerror(errno));
		return CS_AUTO;
	}
	n = fread(head, 1, sizeof(sqlite_magic), f);
	fclose(f);
	if (n == sizeof(sqlite_magic) && memcmp(head, sqlite_magic, n) == 0)
		return CS_DB;
	if ((gz = gzopen(path, "rb")) == NULL) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", path,
		    g_strerror(errno));
		return CS_AUTO;
	}
	got = gzread(gz, head, sizeof(head));
	gzclose(gz);
	for (i = 0; i < got; i++) {
		unsigned char c = (unsigned char)head[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return CS_ORACLE;
	}
	return CS_CSV;
}

bool
cachesim_run(const struct cachesim_opts *o, struct cachesim_result *res,
    GError **err)
{
	struct sink s = { .o = o };
	const struct bufpolicy_ops *ops = NULL;
	bool opt = strcmp(o->policy, "opt") == 0, ok;

	memset(res, 0, sizeof(*res));
	res->run = -1;
	if (!opt && (ops = bufpolicy_lookup(o->policy)) == NULL) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "--policy %s: lru, clock, 2q, arc or opt", o->policy);
		return false;
	}
	if (o->size < 1 || o->size > INT_MAX) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "--size %lld: from 1 to %d blocks", (long long)o->size,
		    INT_MAX);
		return false;
	}
	if (o->block_size < 512 || o->block_size > (1 << 30) ||
	    o->block_size % 512 != 0) {
		g_set_error(err, CACHESIM_ERROR, CACHESIM_ERROR_INPUT,
		    "--block-size %lld: a multiple of 512 up to 1 GB",
		    (long long)o->block_size);
		return false;
	}
	res->format = o->format;
	if (res->format == CS_AUTO && (res->format = sniff(o->trace, err)) ==
	    CS_AUTO)
		return false;
	if (opt)
		s.refs = g_array_new(FALSE, FALSE, sizeof(struct bp_key));
	else
		s.cache = bp_cache_new(ops, (int)o->size);
	switch (res->format) {
	case CS_CSV:
		ok = read_csv(&s, err);
		break;
	case CS_ORACLE:
		ok = read_oracle(&s, err);
		break;
	default:
		ok = read_db(&s, res, err);
		break;
	}
	if (ok && opt)
		s.misses = bufpolicy_opt_misses((const struct bp_key *)s.refs->data,
		    s.refs->len, (int)o->size);
	if (s.refs != NULL)
		g_array_free(s.refs, TRUE);
	bp_cache_free(s.cache);
	res->requests = s.requests;
	res->misses = s.misses;
	return ok;
}
