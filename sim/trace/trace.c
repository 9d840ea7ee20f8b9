/*
 * trace.c — struct trace_call and the names in it, and opening a trace of
 * any format: detecting it, merging the files of an strace -ff set by
 * time, reading it (trace_read) and its digest.  The native format is
 * native.c's, strace's strace*.c's, line input lineio.c's.
 */
#include "trace_private.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>

#include <dlfcn.h>
#include <openssl/evp.h>

G_DEFINE_QUARK(vfssim-trace-error-quark, trace_error)

static const char *const sc_names[SC__COUNT] = {
	[SC_OTHER] = "?",
#define X(id, name) [SC_##id] = name,
	SC_LIST(X)
#undef X
};

const char *
sc_name(enum sc_id sc)
{
	return sc < SC__COUNT ? sc_names[sc] : "?";
}

enum sc_id
sc_lookup(const char *name)
{
	static GHashTable *idx;
	gpointer v;

	/* Called once per trace line: a hash table of the names, made once
	 * (read-only after, shared by runs in threads). */
	if (g_once_init_enter(&idx)) {
		GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
		int i;

		for (i = 1; i < SC__COUNT; i++)
			g_hash_table_insert(h, (gpointer)sc_names[i],
			    GINT_TO_POINTER(i));
		g_once_init_leave(&idx, h);
	}
	v = g_hash_table_lookup(idx, name);
	return v != NULL ? (enum sc_id)GPOINTER_TO_INT(v) : SC_OTHER;
}

enum sc_id
sc_lookup_memo(struct sc_memo *m, const char *name, size_t n)
{
	unsigned h;

	if (m == NULL || n == 0) {
		enum sc_id sc = sc_lookup(name);

		return sc == SC_OTHER && m != NULL && m->fallback != NULL ?
		    m->fallback(name) : sc;
	}
	h = memo_slot(n, (unsigned char)name[0], (unsigned char)name[n - 1]);
	if (n == m->slot[h].n) {
		/* a byte loop: a call of memcmp cost more than the four
		 * bytes of "read" */
		size_t i = 0;

		while (i < n && name[i] == m->slot[h].name[i])
			i++;
		if (i == n)
			return (enum sc_id)m->slot[h].sc;
	}
	m->slot[h].sc = (uint16_t)sc_lookup(name);
	if (m->slot[h].sc == SC_OTHER && m->fallback != NULL)
		m->slot[h].sc = (uint16_t)m->fallback(name);
	m->slot[h].w = 0;	/* fast_head sets it for a name it checked */
	if (n < sizeof(m->slot[h].name)) {
		memcpy(m->slot[h].name, name, n);
		m->slot[h].n = (uint8_t)n;
	} else
		m->slot[h].n = 0;
	return (enum sc_id)m->slot[h].sc;
}

static const char *const cmd_names[TCMD__COUNT] = {
	[TCMD_NONE] = NULL,
	[TCMD_F_DUPFD] = "F_DUPFD", [TCMD_F_DUPFD_CLOEXEC] = "F_DUPFD_CLOEXEC",
	[TCMD_F_GETFD] = "F_GETFD", [TCMD_F_SETFD] = "F_SETFD",
	[TCMD_F_GETFL] = "F_GETFL", [TCMD_F_SETFL] = "F_SETFL",
	[TCMD_F_GETLK] = "F_GETLK", [TCMD_F_SETLK] = "F_SETLK",
	[TCMD_F_SETLKW] = "F_SETLKW", [TCMD_F_OFD_GETLK] = "F_OFD_GETLK",
	[TCMD_F_OFD_SETLK] = "F_OFD_SETLK", [TCMD_F_OFD_SETLKW] = "F_OFD_SETLKW",
	[TCMD_F_OTHER] = "F_OTHER",
	[TCMD_SEEK_SET] = "SEEK_SET", [TCMD_SEEK_CUR] = "SEEK_CUR",
	[TCMD_SEEK_END] = "SEEK_END", [TCMD_SEEK_DATA] = "SEEK_DATA",
	[TCMD_SEEK_HOLE] = "SEEK_HOLE",
	[TCMD_FUTEX_WAIT] = "FUTEX_WAIT", [TCMD_FUTEX_WAKE] = "FUTEX_WAKE",
};

const char *
tc_cmd_name(enum tc_cmd cmd)
{
	return cmd < TCMD__COUNT ? cmd_names[cmd] : NULL;
}

static const char *const type_names[] = {
	[TT_NONE] = NULL, [TT_REG] = "REG", [TT_DIR] = "DIR", [TT_LNK] = "LNK",
	[TT_CHR] = "CHR", [TT_BLK] = "BLK", [TT_FIFO] = "FIFO", [TT_SOCK] = "SOCK",
};

const char *
tc_type_name(enum tc_type t)
{
	return t < G_N_ELEMENTS(type_names) ? type_names[t] : NULL;
}

/* Error names come from the C library (strerrorname_np), so the table is
 * the host's: traces are Linux captures, decoded on Linux. */
#define MAXERRNO 200

/* A whole number of at most 19 digits (optionally '-') at *s, within
 * int64_t, then a space or the end of the entry: false otherwise. */
static bool
entry_num(const char **s, int64_t *v, bool last)
{
	const char *p = *s;
	bool neg = *p == '-';
	uint64_t x = 0;
	int n = 0;

	if (neg)
		p++;
	for (; *p >= '0' && *p <= '9' && n < 19; p++, n++)
		x = x * 10 + (uint64_t)(*p - '0');
	if (n == 0 || (*p >= '0' && *p <= '9') || x > (uint64_t)INT64_MAX)
		return false;
	if (last ? (*p != ';' && *p != '\0') : *p != ' ')
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	*s = *p == ' ' || *p == ';' ? p + 1 : p;
	return true;
}

bool
tc_iocb_next(const char **s, struct tc_iocb *io)
{
	const char *p = *s;
	int64_t fd, data;

	if (p == NULL || (p[0] != 'r' && p[0] != 'w' && p[0] != 'f' &&
	    p[0] != 'd') || p[1] != ' ')
		return false;
	io->op = p[0];
	p += 2;
	if (!entry_num(&p, &fd, false) || fd < 0 || fd > INT32_MAX ||
	    !entry_num(&p, &io->off, false) || !entry_num(&p, &io->len, false) ||
	    !entry_num(&p, &data, true))
		return false;
	io->fd = (int32_t)fd;
	io->data = (uint64_t)data;
	*s = p;
	return true;
}

bool
tc_event_next(const char **s, uint64_t *data, int64_t *res)
{
	const char *p = *s;
	int64_t d;

	if (p == NULL || *p == '\0' || !entry_num(&p, &d, false) ||
	    !entry_num(&p, res, true))
		return false;
	*data = (uint64_t)d;
	*s = p;
	return true;
}

const char *
tc_errno_name(int err)
{
	if (err <= 0 || err >= MAXERRNO)
		return NULL;
	return strerrorname_np(err);
}

int
tc_errno_lookup(const char *name)
{
	static GHashTable *idx;
	gpointer v;

	if (g_once_init_enter(&idx)) {
		GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
		int e;

		for (e = MAXERRNO - 1; e > 0; e--) {
			const char *n = strerrorname_np(e);

			/* lowest number wins for aliases (EAGAIN/EWOULDBLOCK) */
			if (n != NULL)
				g_hash_table_insert(h, (gpointer)n, GINT_TO_POINTER(e));
		}
		/* names strace prints that libc spells differently or lacks */
		g_hash_table_insert(h, (gpointer)"EWOULDBLOCK", GINT_TO_POINTER(EAGAIN));
		g_hash_table_insert(h, (gpointer)"EDEADLOCK", GINT_TO_POINTER(EDEADLK));
		g_once_init_leave(&idx, h);
	}
	v = g_hash_table_lookup(idx, name);
	return v != NULL ? GPOINTER_TO_INT(v) : 0;
}

/* ---- struct trace_call ----------------------------------------------- */

#define STRFIELDS(tc) { &(tc)->path, &(tc)->path2, &(tc)->fdpath, \
	&(tc)->fdpath2, &(tc)->retpath }

void
trace_call_init(struct trace_call *tc)
{
	memset(tc, 0, sizeof(*tc));
	trace_call_reset(tc);
}

void
trace_call_reset(struct trace_call *tc)
{
	char *buf = tc->strbuf;
	size_t cap = tc->strcap;

	memset(tc, 0, sizeof(*tc));
	tc->strbuf = buf;
	tc->strcap = cap;
	tc->t_ns = TC_NOTIME;
	tc->dur_ns = -1;
	tc->off = TC_NOOFF;
	tc->len = -1;
	tc->st_size = -1;
	tc->fd = tc->fd2 = TC_NOFD;
	tc->rfd[0] = tc->rfd[1] = TC_NOFD;
}

void
trace_call_free(struct trace_call *tc)
{
	g_free(tc->strbuf);
	tc->strbuf = NULL;
	tc->strcap = tc->strlen_ = 0;
	tc->path = tc->path2 = tc->fdpath = tc->fdpath2 = tc->retpath = NULL;
}

void
trace_call_set_str(struct trace_call *tc, char **field, const char *s, size_t n)
{
	size_t need = tc->strlen_ + n + 1;

	if (need > tc->strcap) {
		char *old = tc->strbuf;
		char **fields[] = STRFIELDS(tc);
		size_t i, cap = tc->strcap ? tc->strcap : 256;

		while (cap < need)
			cap *= 2;
		tc->strbuf = g_realloc(tc->strbuf, cap);
		tc->strcap = cap;
		for (i = 0; i < G_N_ELEMENTS(fields); i++)
			if (*fields[i] != NULL && fields[i] != field)
				*fields[i] = tc->strbuf + (*fields[i] - old);
	}
	*field = tc->strbuf + tc->strlen_;
	memcpy(*field, s, n);
	(*field)[n] = '\0';
	tc->strlen_ += n + 1;
}

void
trace_call_move(struct trace_call *dst, struct trace_call *src)
{
	g_free(dst->strbuf);
	*dst = *src;
	memset(src, 0, sizeof(*src));
	trace_call_reset(src);
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
trace_call_equal(const struct trace_call *a, const struct trace_call *b)
{
	return a->t_ns == b->t_ns && a->dur_ns == b->dur_ns &&
	    a->ret == b->ret && a->off == b->off && a->len == b->len &&
	    a->arg == b->arg && a->st_size == b->st_size && a->pid == b->pid &&
	    a->err == b->err && a->fd == b->fd && a->fd2 == b->fd2 &&
	    a->rfd[0] == b->rfd[0] && a->rfd[1] == b->rfd[1] &&
	    a->oflags == b->oflags && a->atflags == b->atflags &&
	    a->xflags == b->xflags && a->mode == b->mode && a->sc == b->sc &&
	    a->kind == b->kind && a->cmd == b->cmd && a->st_type == b->st_type &&
	    a->ret_unknown == b->ret_unknown &&
	    a->fd_deleted == b->fd_deleted && a->fd2_deleted == b->fd2_deleted &&
	    a->ret_deleted == b->ret_deleted &&
	    str_eq(a->path, b->path) && str_eq(a->path2, b->path2) &&
	    str_eq(a->fdpath, b->fdpath) && str_eq(a->fdpath2, b->fdpath2) &&
	    str_eq(a->retpath, b->retpath) && strcmp(a->name, b->name) == 0;
}

/* ---- opening a trace of any format ---------------------------------- */

struct ffsrc {
	int32_t	 pid;		/* the member is PATH.<pid> */
	struct strace_parser *p;
	struct trace_call next;
	bool	 have;		/* next holds a record */
	bool	 done;
};

const char *
trace_format_name(enum trace_format f)
{
	switch (f) {
	case TF_NATIVE: return "native";
	case TF_STRACE: return "strace";
	case TF_STRACE_FF: return "strace -ff";
	case TF_GENERATED: return "generated";
	}
	return "?";
}

enum trace_format
trace_reader_format(const struct trace_reader *r)
{
	return r->fmt;
}

static gint
cmp_i32(gconstpointer a, gconstpointer b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* The pids of the PATH.<digits> files of an strace -ff set. */
static GArray *
ff_members(const char *prefix)
{
	char *dir = g_path_get_dirname(prefix);
	char *base = g_path_get_basename(prefix);
	size_t bl = strlen(base);
	GArray *pids = g_array_new(FALSE, FALSE, sizeof(int32_t));
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		int32_t pid;

		if (strncmp(name, base, bl) == 0 && name[bl] == '.' &&
		    name[bl + 1] != '\0' &&
		    strspn(name + bl + 1, "0123456789") == strlen(name + bl + 1) &&
		    parse_i32(name + bl + 1, strlen(name + bl + 1), &pid))
			g_array_append_val(pids, pid);
	}
	if (d != NULL)
		g_dir_close(d);
	g_free(dir);
	g_free(base);
	return pids;
}

static struct trace_reader *
open_ff(const char *prefix, GArray *pids, GError **err)
{
	struct trace_reader *r = g_new0(struct trace_reader, 1);
	unsigned i;

	g_array_sort(pids, cmp_i32);
	r->fmt = TF_STRACE_FF;
	r->path = g_strdup(prefix);
	r->nff = pids->len;
	r->ff = g_new0(struct ffsrc, r->nff);
	for (i = 0; i < r->nff; i++) {
		int32_t pid = g_array_index(pids, int32_t, i);
		char *fn = g_strdup_printf("%s.%d", prefix, pid);
		struct lineio *in = lineio_open(fn, err);

		g_free(fn);
		r->ff[i].pid = pid;
		trace_call_init(&r->ff[i].next);
		if (in == NULL) {
			r->nff = i + 1;
			trace_close(r);
			return NULL;
		}
		r->ff[i].p = strace_parser_new(in, pid);
	}
	return r;
}

/*
 * Is the file at path a native trace (its first line that is not blank
 * the native header)?  A file the user named that is one is read as that
 * file, whatever its siblings are called: only strace logs form -ff sets.
 */
static bool
is_native(const char *path)
{
	struct lineio *in = lineio_open(path, NULL);
	const char *line = NULL;
	size_t len = 0;
	int rc;
	bool yes;

	if (in == NULL)
		return false;
	while ((rc = lineio_next(in, &line, &len, NULL)) == 1 && len == 0)
		;
	yes = rc == 1 && len >= strlen(NATIVE_MAGIC) &&
	    memcmp(line, NATIVE_MAGIC, strlen(NATIVE_MAGIC)) == 0;
	lineio_close(in);
	return yes;
}

/*
 * The SHA-256 is libcrypto's (OpenSSL's EVP) where it can be loaded: the
 * same digest as GLib's GChecksum (tests/test_trace.c compares the two),
 * so runs recorded before still match the same trace's new runs (merge's
 * duplicates), at about five times the speed where the CPU has SHA
 * instructions (1.4 GB/s against GLib's 277 MB/s here; GLib's had cost as
 * many instructions as the whole replay of a cache-hot trace).  libcrypto
 * is opened here, in the digest's own thread beside the run, by its
 * soname (CRYPTO_SONAME, from the Makefile), not linked: linked, the
 * dynamic loader's work on it cost every vfssim command 0.8 ms of CPU at
 * start.  Without it the digest is GLib's, the same value, slower.
 */
struct sha256 {
	void		*lib;		/* dlopen's handle, or NULL: GLib's */
	void		*ctx;		/* EVP_MD_CTX */
	GChecksum	*ck;
	__typeof__(&EVP_MD_CTX_free) ctx_free;
	__typeof__(&EVP_DigestUpdate) update;
	__typeof__(&EVP_DigestFinal_ex) final;
};

static void
sha256_init(struct sha256 *h)
{
	__typeof__(&EVP_MD_CTX_new) ctx_new;
	__typeof__(&EVP_sha256) sha256;
	__typeof__(&EVP_DigestInit_ex) init;

	memset(h, 0, sizeof(*h));
	if ((h->lib = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL)) != NULL) {
		ctx_new = (__typeof__(ctx_new))dlsym(h->lib, "EVP_MD_CTX_new");
		sha256 = (__typeof__(sha256))dlsym(h->lib, "EVP_sha256");
		init = (__typeof__(init))dlsym(h->lib, "EVP_DigestInit_ex");
		h->ctx_free = (__typeof__(h->ctx_free))dlsym(h->lib,
		    "EVP_MD_CTX_free");
		h->update = (__typeof__(h->update))dlsym(h->lib,
		    "EVP_DigestUpdate");
		h->final = (__typeof__(h->final))dlsym(h->lib,
		    "EVP_DigestFinal_ex");
		if (ctx_new != NULL && sha256 != NULL && init != NULL &&
		    h->ctx_free != NULL && h->update != NULL &&
		    h->final != NULL && (h->ctx = ctx_new()) != NULL &&
		    init(h->ctx, sha256(), NULL) == 1)
			return;
		if (h->ctx != NULL)
			h->ctx_free(h->ctx);
		h->ctx = NULL;
		dlclose(h->lib);
		h->lib = NULL;
	}
	h->ck = g_checksum_new(G_CHECKSUM_SHA256);
}

static bool
sha256_update(struct sha256 *h, const void *buf, size_t n)
{
	if (h->lib != NULL)
		return h->update(h->ctx, buf, n) == 1;
	g_checksum_update(h->ck, buf, (gssize)n);
	return true;
}

/* The digest in hex, newly allocated; NULL if libcrypto failed. */
static char *
sha256_end(struct sha256 *h)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int i, len = 0;
	char *hex = NULL;

	if (h->lib == NULL) {
		hex = g_strdup(g_checksum_get_string(h->ck));
		g_checksum_free(h->ck);
		return hex;
	}
	if (h->final(h->ctx, md, &len) == 1) {
		KASSERT(len == 32, ("SHA-256 of %u bytes", len));
		hex = g_malloc(2 * len + 1);
		for (i = 0; i < len; i++) {
			hex[2 * i] = xd[md[i] >> 4];
			hex[2 * i + 1] = xd[md[i] & 15];
		}
		hex[2 * len] = '\0';
	}
	h->ctx_free(h->ctx);
	dlclose(h->lib);
	return hex;
}

const char *
trace_digest_engine(void)
{
	void *lib = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL)
		return "GLib";
	dlclose(lib);
	return "libcrypto";
}

char **
trace_reader_files(const struct trace_reader *r)
{
	GPtrArray *files;
	unsigned i;

	if (r->fmt == TF_GENERATED)
		return NULL;
	files = g_ptr_array_new();
	if (r->fmt == TF_STRACE_FF)
		for (i = 0; i < r->nff; i++)
			g_ptr_array_add(files, g_strdup_printf("%s.%d", r->path,
			    r->ff[i].pid));
	else
		g_ptr_array_add(files, g_strdup(r->path));
	g_ptr_array_add(files, NULL);
	return (char **)g_ptr_array_free(files, FALSE);
}

bool
trace_files_digest(char *const *files, char **hex, int64_t *size,
    GError **err)
{
	struct sha256 h;
	char buf[65536];
	bool ok = true;
	unsigned i;

	*hex = NULL;
	*size = 0;
	if (files == NULL)
		return true;
	sha256_init(&h);
	for (i = 0; files[i] != NULL && ok; i++) {
		const char *fn = files[i];
		FILE *f = fopen(fn, "rb");
		size_t n;

		if (f == NULL) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", fn,
			    g_strerror(errno));
			ok = false;
			break;
		}
		while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
			if (!sha256_update(&h, buf, n)) {
				g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
				    "%s: SHA-256: libcrypto failed", fn);
				ok = false;
			}
			*size += (int64_t)n;
		}
		if (ok && ferror(f)) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: read "
			    "error", fn);
			ok = false;
		}
		fclose(f);
	}
	*hex = sha256_end(&h);
	if (ok && *hex == NULL) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: SHA-256: "
		    "libcrypto failed", files[0] != NULL ? files[0] : "trace");
		ok = false;
	}
	if (!ok) {
		g_free(*hex);
		*hex = NULL;
	}
	return ok;
}

bool
trace_reader_digest(const struct trace_reader *r, char **hex, int64_t *size,
    GError **err)
{
	char **files = trace_reader_files(r);
	bool ok = trace_files_digest(files, hex, size, err);

	g_strfreev(files);
	return ok;
}

struct trace_reader *
trace_open(const char *path, GError **err)
{
	struct trace_reader *r;
	struct lineio *in;
	const char *line = NULL;
	size_t len = 0;
	int rc;

	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		GArray *pids = ff_members(path);

		if (pids->len > 0) {
			r = open_ff(path, pids, err);
			g_array_free(pids, TRUE);
			return r;
		}
		g_array_free(pids, TRUE);
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
		    "%s: no such file (nor an strace -ff set %s.<pid>)", path, path);
		return NULL;
	}
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
		    "%s: is a directory, not a trace", path);
		return NULL;
	}
	/* PATH.<pid> with siblings: one member of an -ff set -- unless it is
	 * a native trace, which is never one. */
	{
		const char *dot = strrchr(path, '.');

		if (dot != NULL && dot[1] != '\0' &&
		    strspn(dot + 1, "0123456789") == strlen(dot + 1) &&
		    !is_native(path)) {
			char *prefix = g_strndup(path, (size_t)(dot - path));
			GArray *pids = ff_members(prefix);

			if (pids->len > 1) {
				r = open_ff(prefix, pids, err);
				g_array_free(pids, TRUE);
				g_free(prefix);
				return r;
			}
			g_array_free(pids, TRUE);
			g_free(prefix);
		}
	}

	in = lineio_open(path, err);
	if (in == NULL)
		return NULL;
	/* Sniff the first non-blank line. */
	while ((rc = lineio_next(in, &line, &len, err)) == 1 && len == 0)
		;
	if (rc < 0) {
		lineio_close(in);
		return NULL;
	}
	r = g_new0(struct trace_reader, 1);
	r->path = g_strdup(path);
	if (rc == 0) {
		/* An empty file is an empty trace of either kind. */
		r->fmt = TF_NATIVE;
		r->in = in;
		return r;
	}
	if (len >= strlen(NATIVE_MAGIC) &&
	    memcmp(line, NATIVE_MAGIC, strlen(NATIVE_MAGIC)) == 0) {
		int64_t v;
		size_t ml = strlen(NATIVE_MAGIC);

		if (len <= ml + 1 || line[ml] != ' ' ||
		    !parse_i64(line + ml + 1, len - ml - 1, &v)) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: malformed native trace header", path,
			    (unsigned long long)lineio_lineno(in));
			goto fail;
		}
		if (v != NATIVE_VERSION) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: native trace version %lld; this vfssim reads version %d",
			    path, (unsigned long long)lineio_lineno(in),
			    (long long)v, NATIVE_VERSION);
			goto fail;
		}
		r->fmt = TF_NATIVE;
		r->in = in;
		return r;
	}
	if (strace_sniff(line, len)) {
		/* Start over so the parser sees the first line too: from
		 * the buffer (inflating its first megabyte again had been 4 %
		 * of d1), or from the file if the lines read went past it. */
		if (!lineio_rewind(in)) {
			lineio_close(in);
			in = lineio_open(path, err);
			if (in == NULL)
				goto fail2;
		}
		r->fmt = TF_STRACE;
		r->sp = strace_parser_new(in, 0);
		return r;
	}
	g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
	    "%s:%llu: not a trace vfssim can read: neither a native trace "
	    "(\"%s %d\" header) nor an strace log", path,
	    (unsigned long long)lineio_lineno(in), NATIVE_MAGIC, NATIVE_VERSION);
fail:
	lineio_close(in);
fail2:
	g_free(r->path);
	g_free(r);
	return NULL;
}

/* Merge the -ff files by entry time (ties: lowest pid first). */
static int
read_ff(struct trace_reader *r, struct trace_call *tc, GError **err)
{
	struct ffsrc *best = NULL;
	unsigned i;

	for (i = 0; i < r->nff; i++) {
		struct ffsrc *f = &r->ff[i];

		if (!f->have && !f->done) {
			int rc = strace_parser_next(f->p, &f->next, err);

			if (rc < 0)
				return -1;
			if (rc == 0)
				f->done = true;
			else
				f->have = true;
		}
		if (f->have && (best == NULL ||
		    (f->next.t_ns != TC_NOTIME && best->next.t_ns != TC_NOTIME &&
		    f->next.t_ns < best->next.t_ns)))
			best = f;
	}
	if (best == NULL)
		return 0;
	trace_call_move(tc, &best->next);
	best->have = false;
	return 1;
}

void
trace_set_stop(struct trace_reader *r, volatile sig_atomic_t *stop)
{
	r->stop = stop;
}

int
trace_read(struct trace_reader *r, struct trace_call *tc, GError **err)
{
	if (!trace_reader_ask(r, err))
		return -1;
	switch (r->fmt) {
	case TF_NATIVE:
		return read_native(r, tc, err);
	case TF_STRACE:
		return strace_parser_next(r->sp, tc, err);
	case TF_STRACE_FF:
		return read_ff(r, tc, err);
	case TF_GENERATED:
		return r->src->next(r->src_arg, tc, err);
	}
	return -1;
}

bool
trace_reader_nominal(const struct trace_reader *r)
{
	return r->fmt == TF_GENERATED || r->nominal;
}

bool
trace_reader_line_times(const struct trace_reader *r)
{
	return r->fmt == TF_STRACE ? strace_parser_line_times(r->sp) :
	    r->fmt == TF_NATIVE && r->line_times;
}

struct trace_reader *
trace_source_open(const struct trace_source_ops *ops, void *arg,
    const char *name)
{
	struct trace_reader *r = g_new0(struct trace_reader, 1);

	r->fmt = TF_GENERATED;
	r->path = g_strdup(name);
	r->src = ops;
	r->src_arg = arg;
	return r;
}

void
trace_close(struct trace_reader *r)
{
	unsigned i;

	if (r == NULL)
		return;
	lineio_close(r->in);
	if (r->src != NULL)
		r->src->close(r->src_arg);
	if (r->sp != NULL)
		strace_parser_free(r->sp);
	for (i = 0; i < r->nff; i++) {
		if (r->ff[i].p != NULL)
			strace_parser_free(r->ff[i].p);
		trace_call_free(&r->ff[i].next);
	}
	g_free(r->ff);
	g_free(r->path);
	g_free(r);
}
