/*
 * native.c — vfssim's own trace format (README "Native trace format"): a
 * call as a line of text, and back.  Writing (native_format_call and the
 * trace writer), reading (native_parse_line: the general parser, and the
 * shortcuts for the common shapes that leave anything else to it), and
 * the reader's side (read_native, and the same in two halves for
 * traceq.c: a record's line read raw, then parsed on either thread).
 * Opening a trace of any format, and struct trace_call, are trace.c's.
 */
#include "trace_private.h"
#include "kassert.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

/* ---- flag names ------------------------------------------------------ */

struct flagname {
	uint32_t	 bit;
	const char	*name;
};

static const struct flagname oflag_names[] = {
	{ TO_WRONLY, "O_WRONLY" }, { TO_RDWR, "O_RDWR" },
	{ TO_CREAT, "O_CREAT" }, { TO_EXCL, "O_EXCL" }, { TO_TRUNC, "O_TRUNC" },
	{ TO_APPEND, "O_APPEND" }, { TO_NONBLOCK, "O_NONBLOCK" },
	{ TO_DIRECTORY, "O_DIRECTORY" }, { TO_NOFOLLOW, "O_NOFOLLOW" },
	{ TO_CLOEXEC, "O_CLOEXEC" }, { TO_DIRECT, "O_DIRECT" },
	{ TO_SYNC, "O_SYNC" }, { TO_DSYNC, "O_DSYNC" }, { TO_TMPFILE, "O_TMPFILE" },
	{ TO_EXLOCK, "O_EXLOCK" }, { TO_SHLOCK, "O_SHLOCK" }, { TO_PATH, "O_PATH" },
	{ TO_NOATIME, "O_NOATIME" }, { TO_NOCTTY, "O_NOCTTY" },
	{ TO_LARGEFILE, "O_LARGEFILE" }, { TO_ASYNC, "O_ASYNC" },
	{ 0, NULL }
};

static const struct flagname atflag_names[] = {
	{ TAT_REMOVEDIR, "AT_REMOVEDIR" },
	{ TAT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" },
	{ TAT_EMPTY_PATH, "AT_EMPTY_PATH" },
	{ TAT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW" },
	{ 0, NULL }
};

static const struct flagname xflag_names[] = {
	{ TX_RENAME_NOREPLACE, "RENAME_NOREPLACE" },
	{ TX_RENAME_EXCHANGE, "RENAME_EXCHANGE" },
	{ TX_RENAME_WHITEOUT, "RENAME_WHITEOUT" },
	{ TX_CLONE_VM, "CLONE_VM" }, { TX_CLONE_FS, "CLONE_FS" },
	{ TX_CLONE_FILES, "CLONE_FILES" }, { TX_CLONE_VFORK, "CLONE_VFORK" },
	{ TX_CLONE_THREAD, "CLONE_THREAD" },
	{ TX_LOCK_SH, "LOCK_SH" }, { TX_LOCK_EX, "LOCK_EX" },
	{ TX_LOCK_NB, "LOCK_NB" }, { TX_LOCK_UN, "LOCK_UN" },
	{ TX_LK_CUR, "LK_SEEK_CUR" }, { TX_LK_END, "LK_SEEK_END" },
	{ TX_PROT_READ, "PROT_READ" }, { TX_PROT_WRITE, "PROT_WRITE" },
	{ TX_PROT_EXEC, "PROT_EXEC" }, { TX_MAP_SHARED, "MAP_SHARED" },
	{ TX_MAP_PRIVATE, "MAP_PRIVATE" }, { TX_MAP_ANONYMOUS, "MAP_ANONYMOUS" },
	{ TX_MAP_FIXED, "MAP_FIXED" }, { TX_MS_ASYNC, "MS_ASYNC" },
	{ TX_MS_SYNC, "MS_SYNC" }, { TX_MS_INVALIDATE, "MS_INVALIDATE" },
	{ TX_FALLOC_KEEP_SIZE, "FALLOC_FL_KEEP_SIZE" },
	{ TX_FALLOC_PUNCH_HOLE, "FALLOC_FL_PUNCH_HOLE" },
	{ TX_FALLOC_ZERO_RANGE, "FALLOC_FL_ZERO_RANGE" },
	{ TX_FALLOC_OTHER, "FALLOC_FL_OTHER" },
	{ 0, NULL }
};

static void
format_flags(GString *out, const struct flagname *names, uint32_t v,
    const char *zero)
{
	const struct flagname *f;
	bool first = true;

	if (v == 0 && zero != NULL) {
		g_string_append(out, zero);
		return;
	}
	for (f = names; f->name != NULL; f++) {
		if ((v & f->bit) == f->bit && f->bit != 0) {
			/* O_RDWR and O_WRONLY share the access-mode field */
			if ((f->bit & TO_ACCMODE) && names == oflag_names &&
			    (v & TO_ACCMODE) != f->bit)
				continue;
			if (!first)
				g_string_append_c(out, '|');
			g_string_append(out, f->name);
			first = false;
			v &= ~f->bit;
		}
	}
	if (v != 0 || first)
		g_string_append_printf(out, "%s0x%x", first ? "" : "|", v);
}

static bool
parse_flags(const struct flagname *names, const char *s, size_t n,
    uint32_t *out)
{
	uint32_t v = 0;
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		const struct flagname *f;

		while (j < n && s[j] != '|')
			j++;
		if (j - i >= 2 && s[i] == '0' && s[i + 1] == 'x') {
			char *end;
			unsigned long x = strtoul(s + i + 2, &end, 16);

			if (end != s + j)
				return false;
			v |= (uint32_t)x;
		} else if (j - i == 8 && strncmp(s + i, "O_RDONLY", 8) == 0 &&
		    names == oflag_names) {
			/* access mode 0 */
		} else {
			for (f = names; f->name != NULL; f++)
				if (strlen(f->name) == j - i &&
				    strncmp(f->name, s + i, j - i) == 0)
					break;
			if (f->name == NULL)
				return false;
			v |= f->bit;
		}
		i = j + 1;
	}
	*out = v;
	return true;
}

/* ---- the native format: writing ------------------------------------- */

static void
format_str(GString *out, const char *key, const char *s)
{
	const unsigned char *p;

	g_string_append_printf(out, " %s=\"", key);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '\\': g_string_append(out, "\\\\"); break;
		case '"': g_string_append(out, "\\\""); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\t': g_string_append(out, "\\t"); break;
		case '\r': g_string_append(out, "\\r"); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				g_string_append_printf(out, "\\x%02x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
}

static void
format_fd(GString *out, const char *key, int32_t fd)
{
	if (fd == TC_AT_FDCWD)
		g_string_append_printf(out, " %s=AT_FDCWD", key);
	else
		g_string_append_printf(out, " %s=%d", key, fd);
}

void
native_format_header(GString *out)
{
	g_string_append_printf(out, "%s %d\n", NATIVE_MAGIC, NATIVE_VERSION);
	g_string_append(out,
	    "# T(ns) PID CALL RESULT DUR(ns) [KEY=VALUE]... — see vfssim's README\n");
}

static bool
is_open_call(enum sc_id sc)
{
	return sc == SC_OPEN || sc == SC_OPENAT || sc == SC_CREAT;
}

void
native_format_call(GString *out, const struct trace_call *tc)
{
	if (tc->t_ns == TC_NOTIME)
		g_string_append(out, "-");
	else
		g_string_append_printf(out, "%" G_GINT64_FORMAT, tc->t_ns);
	g_string_append_printf(out, " %d ", tc->pid);
	if (tc->kind == TC_EXIT) {
		g_string_append_printf(out, "+++ %" G_GINT64_FORMAT " -\n", tc->ret);
		return;
	}
	g_string_append(out, tc->name);
	if (tc->ret_unknown)
		g_string_append(out, " ?");
	else if (tc->ret == -1 && tc->err != 0) {
		const char *en = tc_errno_name(tc->err);

		if (en != NULL)
			g_string_append_printf(out, " -%s", en);
		else
			g_string_append_printf(out, " -ERRNO%d", tc->err);
	} else
		g_string_append_printf(out, " %" G_GINT64_FORMAT, tc->ret);
	if (tc->dur_ns < 0)
		g_string_append(out, " -");
	else
		g_string_append_printf(out, " %" G_GINT64_FORMAT, tc->dur_ns);

	if (tc->fd != TC_NOFD)
		format_fd(out, "fd", tc->fd);
	if (tc->fd2 != TC_NOFD)
		format_fd(out, "fd2", tc->fd2);
	if (tc->path != NULL)
		format_str(out, "path", tc->path);
	if (tc->path2 != NULL)
		format_str(out, "path2", tc->path2);
	if (tc->off != TC_NOOFF)
		g_string_append_printf(out, " off=%" G_GINT64_FORMAT, tc->off);
	if (tc->len != -1)
		g_string_append_printf(out, " len=%" G_GINT64_FORMAT, tc->len);
	if (tc->oflags != 0 || is_open_call(tc->sc)) {
		g_string_append(out, " oflags=");
		format_flags(out, oflag_names, tc->oflags, "O_RDONLY");
	}
	if (tc->atflags != 0) {
		g_string_append(out, " atflags=");
		format_flags(out, atflag_names, tc->atflags, NULL);
	}
	if (tc->xflags != 0) {
		g_string_append(out, " xflags=");
		format_flags(out, xflag_names, tc->xflags, NULL);
	}
	if (tc->cmd != TCMD_NONE)
		g_string_append_printf(out, " cmd=%s", tc_cmd_name(tc->cmd));
	if (tc->arg != 0)
		g_string_append_printf(out, " arg=%" G_GINT64_FORMAT, tc->arg);
	if (tc->mode != 0)
		g_string_append_printf(out, " mode=0%o", tc->mode);
	if (tc->st_size != -1)
		g_string_append_printf(out, " size=%" G_GINT64_FORMAT, tc->st_size);
	if (tc->st_type != TT_NONE)
		g_string_append_printf(out, " type=%s", tc_type_name(tc->st_type));
	if (tc->rfd[0] != TC_NOFD || tc->rfd[1] != TC_NOFD)
		g_string_append_printf(out, " rfd=%d,%d", tc->rfd[0], tc->rfd[1]);
	if (tc->fdpath != NULL)
		format_str(out, "fdpath", tc->fdpath);
	if (tc->fdpath2 != NULL)
		format_str(out, "fdpath2", tc->fdpath2);
	if (tc->retpath != NULL)
		format_str(out, "retpath", tc->retpath);
	if (tc->fd_deleted)
		g_string_append(out, " fd_deleted=1");
	if (tc->fd2_deleted)
		g_string_append(out, " fd2_deleted=1");
	if (tc->ret_deleted)
		g_string_append(out, " ret_deleted=1");
	g_string_append_c(out, '\n');
}

/* ---- the native format: reading ------------------------------------- */

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode a quoted value s[0..n) (quotes included) into out, which has room
 * for n bytes (decoding never lengthens); *outlen is the decoded length. */
static bool
unquote(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t i, o = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return false;
	for (i = 1; i < n - 1; i++) {
		char c = s[i];

		if (c == '"' || (unsigned char)c < 0x20 || c == 0x7f)
			return false;		/* must have been escaped */
		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		if (++i >= n - 1)
			return false;
		switch (s[i]) {
		case '\\': out[o++] = '\\'; break;
		case '"': out[o++] = '"'; break;
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case 'x': {
			int hi, lo;

			if (i + 2 >= n - 1 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return false;
			if (hi == 0 && lo == 0)
				return false;	/* no NUL inside a name */
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
			break;
		}
		default:
			return false;
		}
	}
	*outlen = o;
	return true;
}

static enum tc_cmd
cmd_lookup(const char *s, size_t n)
{
	int i;

	for (i = 1; i < TCMD__COUNT; i++) {
		const char *name = tc_cmd_name((enum tc_cmd)i);

		if (strlen(name) == n && strncmp(name, s, n) == 0)
			return (enum tc_cmd)i;
	}
	return TCMD_NONE;
}

static enum tc_type
type_lookup(const char *s, size_t n)
{
	const char *name;
	unsigned i;

	for (i = 1; (name = tc_type_name((enum tc_type)i)) != NULL; i++)
		if (strlen(name) == n && strncmp(name, s, n) == 0)
			return (enum tc_type)i;
	return TT_NONE;
}

/*
 * From i, past the bytes that are neither a space nor a quote, eight at a
 * time while eight remain: where the byte loop must take over.  A byte
 * equal to c leaves a zero in w ^ c; (x - 0x01..) & ~x & 0x80.. flags the
 * first zero byte exactly (a borrow only spoils the bytes after it).
 */
static inline size_t
plain_run(const char *line, size_t i, size_t len)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t top = UINT64_C(0x8080808080808080);

	while (len - i >= 8) {
		uint64_t w, a, q, m;

		memcpy(&w, line + i, 8);
		a = w ^ (ones * ' ');
		q = w ^ (ones * '"');
		m = (((a - ones) & ~a) | ((q - ones) & ~q)) & top;
		if (m != 0)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
		i += 8;
	}
#else
	(void)line;
	(void)len;
#endif
	return i;
}

/* Next space-separated token of line[*pos..len); a quoted value after
 * "key=" may contain spaces.  Returns false at the end of the line. */
static bool
next_token(const char *line, size_t len, size_t *pos, size_t *ts, size_t *te,
    GError **err)
{
	size_t i = *pos;
	bool inq = false;

	while (i < len && line[i] == ' ')
		i++;
	if (i >= len)
		return false;
	*ts = i;
	/* outside quotes only a space or a quote matters */
	i = plain_run(line, i, len);
	for (; i < len; i++) {
		char c = line[i];

		if (inq) {
			if (c == '\\')
				i++;
			else if (c == '"')
				inq = false;
		} else if (c == '"')
			inq = true;
		else if (c == ' ')
			break;
	}
	if (inq) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
		    "unterminated string");
		return false;
	}
	*te = i > len ? len : i;
	*pos = *te;
	return true;
}

#define BAD(...) do {							\
	g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT, __VA_ARGS__);	\
	return -1;							\
} while (0)

static int parse_fields(const char *line, size_t len, struct trace_call *tc,
    struct sc_memo *memo, bool fast, GError **err);
static int parse_line(const char *line, size_t len, struct trace_call *tc,
    struct sc_memo *memo, bool fast, GError **err);

int
native_parse_line(const char *line, size_t len, struct trace_call *tc,
    GError **err)
{
	return parse_line(line, len, tc, NULL, true, err);
}

int
native_parse_line_general(const char *line, size_t len,
    struct trace_call *tc, GError **err)
{
	return parse_line(line, len, tc, NULL, false, err);
}

int
native_parse_line_memo(const char *line, size_t len, struct trace_call *tc,
    struct sc_memo *memo, GError **err)
{
	return parse_line(line, len, tc, memo, true, err);
}

/* native_parse_line, the call's name looked up through memo (a reader's,
 * or NULL); fast: with the shortcuts for the common shapes (fast_head,
 * fast_kv). */
static int
parse_line(const char *line, size_t len, struct trace_call *tc,
    struct sc_memo *memo, bool fast, GError **err)
{
	GError *perr = NULL;
	size_t i;
	int rc = parse_fields(line, len, tc, memo, fast, &perr);

	if (rc >= 0)
		return rc;
	/* A control character explains the failure better than whichever
	 * field tripped over it. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f) {
			g_error_free(perr);
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "control character 0x%02x at column %zu: not a trace line",
			    c, i + 1);
			return -1;
		}
	}
	g_propagate_error(err, perr);
	return -1;
}

/*
 * The digits that start line[pos..], eight bytes at a time: how many it
 * read (0, 8, or fewer when a space ends the digits within the eight
 * bytes) and their value in *num.  The caller's loop reads the rest of
 * the token as before, so what it accepts and refuses is unchanged.  A
 * byte t = c ^ '0' is a digit iff t <= 9, that is iff neither t nor
 * t + 0x76 has its top bit set; a carry out of a non-digit byte only
 * spoils the bytes after it, and only the first non-digit counts.  The
 * digits are then aligned to the top of the word (zeros before them) and
 * summed in pairs, fours and eights, as the strace reader's eight_digits.
 */
static inline size_t
header_digits(const char *line, size_t len, size_t pos, uint64_t *num)
{
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	const uint64_t top = UINT64_C(0x8080808080808080);
	uint64_t w, t, m;
	size_t k;

	if (len - pos < 8)
		return 0;
	memcpy(&w, line + pos, 8);
	t = w ^ UINT64_C(0x3030303030303030);
	m = (t | (t + UINT64_C(0x7676767676767676))) & top;
	if (m == 0)
		k = 8;
	else {
		k = (size_t)__builtin_ctzll(m) >> 3;
		if (k == 0 || line[pos + k] != ' ')
			return 0;
		t <<= 64 - 8 * k;
	}
	t = t * 10 + (t >> 8);
	*num = ((t & UINT64_C(0x000000ff000000ff)) *
	    (100 + (UINT64_C(1000000) << 32)) +
	    ((t >> 16) & UINT64_C(0x000000ff000000ff)) *
	    (1 + (UINT64_C(10000) << 32))) >> 32;
	return k;
#else
	(void)line;
	(void)len;
	(void)pos;
	(void)num;
	return 0;
#endif
}

/*
 * The common shapes, without the general loops (a generated trace is all
 * of them; a real one mostly).  Each takes a part of a line only when it
 * is sure the general code below would read it the same way, and
 * otherwise leaves it to that code, which alone reports errors: what is
 * accepted, refused and stored is unchanged (test_trace's
 * native_fast_same checks lines both ways).
 */

/* A number token at line[pos..]: digits up to a space or the end of the
 * line, at most 18 (parse_fields' own limit for its shortcut).  The
 * position after it, or pos when the token is anything else. */
static inline size_t
num_token(const char *line, size_t len, size_t pos, uint64_t *num)
{
	uint64_t v = 0;
	size_t k = header_digits(line, len, pos, &v), i = pos + k;

	if (k > 0 && k < 8) {
		/* header_digits saw the space that ends them */
		*num = v;
		return i;
	}
	while (i < len && line[i] != ' ') {
		unsigned d = (unsigned)((unsigned char)line[i] - '0');

		if (d > 9)
			return pos;
		v = v * 10 + d;
		i++;
	}
	if (i == pos || i - pos > 18)
		return pos;
	*num = v;
	return i;
}

/* "T PID CALL RESULT DUR" all numbers but the call, one space apart, the
 * result not negative: stored in tc (just reset), *posp after DUR.  False
 * (tc untouched) for anything else: an error, an exit, a failed call, a
 * time or duration of "-", a result of "?". */
static inline bool
fast_head(const char *line, size_t len, struct trace_call *tc,
    struct sc_memo *memo, size_t *posp)
{
	uint64_t t = 0, pid = 0, ret = 0, dur = 0, wname = 0;
	size_t p, e, name, nn = 0;
	unsigned slot = 0;
	bool whit = false;

	e = num_token(line, len, 0, &t);
	if (e == 0 || e >= len)
		return false;
	p = e + 1;
	e = num_token(line, len, p, &pid);
	if (e == p || e >= len || pid > INT32_MAX)
		return false;
	name = p = e + 1;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	/* A name of at most seven bytes and the space after it in one word:
	 * if the memo's slot holds that word, the name was checked when it
	 * was put there (below) and its sc is the slot's. */
	if (memo != NULL && len - p >= 8) {
		const uint64_t ones = UINT64_C(0x0101010101010101);
		uint64_t w, q, m;

		memcpy(&w, line + p, 8);
		q = w ^ (ones * ' ');
		m = (q - ones) & ~q & UINT64_C(0x8080808080808080);
		if (m != 0 && (nn = (size_t)__builtin_ctzll(m) >> 3) > 0) {
			wname = w & ((UINT64_C(1) << (8 * nn)) - 1);
			slot = memo_slot(nn, (unsigned char)line[p],
			    (unsigned char)line[p + nn - 1]);
			whit = memo->slot[slot].w == wname;
		}
	}
	if (whit)
		e = p + nn;
	else
#endif
	{
		for (e = p; e < len && line[e] != ' '; e++)
			if (!g_ascii_isalnum(line[e]) && line[e] != '_')
				return false;
		if (e == p || e - p >= sizeof(tc->name) || e >= len)
			return false;
		if (wname != 0 && e - p != nn)
			wname = 0;	/* a space came first: not this word */
	}
	nn = e - p;
	p = e + 1;
	e = num_token(line, len, p, &ret);
	if (e == p || e >= len)
		return false;
	p = e + 1;
	e = num_token(line, len, p, &dur);
	if (e == p)
		return false;
	tc->t_ns = (int64_t)t;
	tc->pid = (int32_t)pid;
	tc->ret = (int64_t)ret;
	tc->dur_ns = (int64_t)dur;
	if (whit) {
		/* the name and zeros after it (tc->name is zeroed by reset) */
		memcpy(tc->name, &wname, sizeof(wname));
		tc->sc = memo->slot[slot].sc;
	} else {
		memcpy(tc->name, line + name, nn);
		tc->name[nn] = '\0';
		tc->sc = sc_lookup_memo(memo, tc->name, nn);
		/* checked above, and sc_lookup_memo has just filled its
		 * slot with it */
		if (wname != 0)
			memo->slot[slot].w = wname;
	}
	*posp = e;
	return true;
}

/* One " KEY=VALUE" at line[*pos..] (*pos at its space) whose key is a
 * number's (fd, fd2, off, len, arg, size) with a value of digits, or a
 * path's with a quoted value holding no escape: stored, *pos after it.
 * False, *pos unchanged, for any other token. */
static inline bool
fast_kv(const char *line, size_t len, size_t *pos, struct trace_call *tc)
{
	size_t k = *pos + 1, kn = 0, v, e;
	uint64_t num;

	if (*pos >= len || line[*pos] != ' ')
		return false;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
	if (len - k >= 8) {
		/* the '=' among the next eight bytes, as plain_run finds
		 * a space (every key taken here is shorter) */
		const uint64_t ones = UINT64_C(0x0101010101010101);
		uint64_t w, q, m;

		memcpy(&w, line + k, 8);
		q = w ^ (ones * '=');
		m = (q - ones) & ~q & UINT64_C(0x8080808080808080);
		if (m == 0)
			return false;
		kn = (size_t)__builtin_ctzll(m) >> 3;
	} else
#endif
	{
		while (kn < 8 && k + kn < len && line[k + kn] != '=')
			kn++;
		if (k + kn >= len || line[k + kn] != '=')
			return false;
	}
	v = k + kn + 1;
#define FKEY(s) (kn == sizeof(s) - 1 && memcmp(line + k, s, kn) == 0)
	if (v < len && line[v] == '"') {
		char **field;

		if (FKEY("path"))
			field = &tc->path;
		else if (FKEY("path2"))
			field = &tc->path2;
		else if (FKEY("fdpath"))
			field = &tc->fdpath;
		else if (FKEY("fdpath2"))
			field = &tc->fdpath2;
		else if (FKEY("retpath"))
			field = &tc->retpath;
		else
			return false;
		for (e = v + 1; e < len; e++) {
			unsigned char c = (unsigned char)line[e];

			if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f)
				break;
		}
		if (e >= len || line[e] != '"' || (e + 1 < len && line[e + 1] != ' '))
			return false;
		trace_call_set_str(tc, field, line + v + 1, e - v - 1);
		*pos = e + 1;
		return true;
	}
	e = num_token(line, len, v, &num);
	if (e == v)
		return false;
	if (FKEY("fd") || FKEY("fd2")) {
		if (num > INT32_MAX)
			return false;
		*(FKEY("fd") ? &tc->fd : &tc->fd2) = (int32_t)num;
	} else if (FKEY("len"))
		tc->len = (int64_t)num;
	else if (FKEY("off"))
		tc->off = (int64_t)num;
	else if (FKEY("arg"))
		tc->arg = (int64_t)num;
	else if (FKEY("size"))
		tc->st_size = (int64_t)num;
	else
		return false;
#undef FKEY
	*pos = e;
	return true;
}

static int
parse_fields(const char *line, size_t len, struct trace_call *tc,
    struct sc_memo *memo, bool fast, GError **err)
{
	size_t pos = 0, ts, te, i;
	const char *tok;
	size_t n;
	uint64_t num;
	bool digits;
	int field;
	char small[512], *scratch;

	if (len == 0 || line[0] == '#')
		return 0;
	/* No separate pass for control characters: every field's parser
	 * rejects them, and bad_line() then names the culprit. */
	trace_call_reset(tc);

	/* T PID CALL RESULT DUR: plain space-separated fields */
	for (field = fast && fast_head(line, len, tc, memo, &pos) ? 5 : 0;
	    field < 5; field++) {
		while (pos < len && line[pos] == ' ')
			pos++;
		if (pos >= len) {
			if (field == 4 && tc->kind == TC_EXIT)
				break;
			BAD("truncated record: expected T PID CALL RESULT DUR");
		}
		/* The token's end, and its value on the way when it is all
		 * digits (the common case: four of the five fields are
		 * numbers); at most 18 digits cannot pass INT64_MAX, and a
		 * longer or other token goes to parse_i64 as before. */
		ts = pos;
		num = 0;
		digits = true;
		pos += header_digits(line, len, pos, &num);
		while (pos < len && line[pos] != ' ') {
			unsigned d = (unsigned)((unsigned char)line[pos] - '0');

			digits &= d <= 9;
			num = num * 10 + d;
			pos++;
		}
		te = pos;
		tok = line + ts;
		n = te - ts;
		digits &= n <= 18;
		switch (field) {
		case 0:
			if (digits)
				tc->t_ns = (int64_t)num;
			else if (n == 1 && tok[0] == '-')
				tc->t_ns = TC_NOTIME;
			else if (!parse_i64(tok, n, &tc->t_ns) || tc->t_ns < 0)
				BAD("bad time \"%.*s\"", (int)MIN(n, 40), tok);
			break;
		case 1:
			if (digits && num <= INT32_MAX)
				tc->pid = (int32_t)num;
			else if (!parse_i32(tok, n, &tc->pid))
				BAD("bad pid \"%.*s\"", (int)MIN(n, 40), tok);
			break;
		case 2:
			if (n == 3 && memcmp(tok, "+++", 3) == 0) {
				tc->kind = TC_EXIT;
				g_strlcpy(tc->name, "+++", sizeof(tc->name));
				break;
			}
			if (n >= sizeof(tc->name))
				BAD("call name too long");
			for (i = 0; i < n; i++)
				if (!g_ascii_isalnum(tok[i]) && tok[i] != '_')
					BAD("bad call name \"%.*s\"", (int)MIN(n, 40), tok);
			memcpy(tc->name, tok, n);
			tc->name[n] = '\0';
			tc->sc = sc_lookup_memo(memo, tc->name, n);
			break;
		case 3:
			/* a process's end has an exit status, nothing else
			 * (native_format_call writes just that) */
			if (digits) {
				tc->ret = (int64_t)num;	/* an exit status too */
				break;
			}
			if (tc->kind == TC_EXIT && !parse_i64(tok, n, &tc->ret))
				BAD("bad exit status \"%.*s\" (+++ STATUS -)",
				    (int)MIN(n, 40), tok);
			else if (tc->kind == TC_EXIT)
				break;
			if (n == 1 && tok[0] == '?')
				tc->ret_unknown = true;
			else if (n > 2 && tok[0] == '-' && tok[1] == 'E') {
				char ename[40];

				if (n >= sizeof(ename))
					BAD("bad error name");
				memcpy(ename, tok + 1, n - 1);
				ename[n - 1] = '\0';
				tc->ret = -1;
				if (strncmp(ename, "ERRNO", 5) == 0 &&
				    parse_i32(ename + 5, n - 6, &tc->err) &&
				    tc->err > 0)
					break;
				tc->err = tc_errno_lookup(ename);
				if (tc->err == 0)
					BAD("unknown error name \"%s\"", ename);
			} else if (!parse_i64(tok, n, &tc->ret))
				BAD("bad result \"%.*s\"", (int)MIN(n, 40), tok);
			break;
		case 4:
			if (digits)
				tc->dur_ns = (int64_t)num;
			else if (n == 1 && tok[0] == '-')
				tc->dur_ns = -1;
			else if (!parse_i64(tok, n, &tc->dur_ns) || tc->dur_ns < 0)
				BAD("bad duration \"%.*s\"", (int)MIN(n, 40), tok);
			break;
		}
	}

	if (tc->kind == TC_EXIT) {
		while (pos < len && line[pos] == ' ')
			pos++;
		if (tc->dur_ns != -1 || pos < len)
			BAD("a process's end is \"T PID +++ STATUS -\": no "
			    "duration, no KEY=VALUE fields");
		return 1;
	}

	/* Decoded strings go to a buffer as long as the line (decoding never
	 * lengthens), on the stack when the line is short. */
	scratch = len <= sizeof(small) ? small : g_malloc(len);
	for (;;) {
		GError *terr = NULL;
		const char *key, *val, *eq;
		size_t kn, vn;
		int rc = 0;

		if (fast && fast_kv(line, len, &pos, tc))
			continue;
		if (!next_token(line, len, &pos, &ts, &te, &terr)) {
			if (terr != NULL) {
				g_propagate_error(err, terr);
				rc = -1;
			}
			if (scratch != small)
				g_free(scratch);
			return rc < 0 ? -1 : 1;
		}
		key = line + ts;
		eq = memchr(key, '=', te - ts);
		if (eq == NULL) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "expected KEY=VALUE, got \"%.*s\"",
			    (int)MIN(te - ts, 40), key);
			goto bad;
		}
		kn = (size_t)(eq - key);
		val = eq + 1;
		vn = te - ts - kn - 1;
#define KEY(k) (kn == sizeof(k) - 1 && memcmp(key, k, kn) == 0)
#define BADVAL() do {							\
	g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,		\
	    "bad value for %.*s: \"%.*s\"", (int)kn, key,		\
	    (int)MIN(vn, 40), val);					\
	goto bad;							\
} while (0)
		if (KEY("fd") || KEY("fd2")) {
			int32_t *fp = KEY("fd") ? &tc->fd : &tc->fd2;

			if (vn == 8 && memcmp(val, "AT_FDCWD", 8) == 0)
				*fp = TC_AT_FDCWD;
			else if (!parse_i32(val, vn, fp))
				BADVAL();
		} else if (KEY("path") || KEY("path2") || KEY("fdpath") ||
		    KEY("fdpath2") || KEY("retpath")) {
			char **field_p = KEY("path") ? &tc->path :
			    KEY("path2") ? &tc->path2 : KEY("fdpath") ? &tc->fdpath :
			    KEY("fdpath2") ? &tc->fdpath2 : &tc->retpath;

			size_t sl;

			if (!unquote(val, vn, scratch, &sl))
				BADVAL();
			trace_call_set_str(tc, field_p, scratch, sl);
		} else if (KEY("off")) {
			if (!parse_i64(val, vn, &tc->off))
				BADVAL();
		} else if (KEY("len")) {
			if (!parse_i64(val, vn, &tc->len))
				BADVAL();
		} else if (KEY("arg")) {
			if (!parse_i64(val, vn, &tc->arg))
				BADVAL();
		} else if (KEY("size")) {
			if (!parse_i64(val, vn, &tc->st_size))
				BADVAL();
		} else if (KEY("oflags")) {
			if (!parse_flags(oflag_names, val, vn, &tc->oflags))
				BADVAL();
		} else if (KEY("atflags")) {
			if (!parse_flags(atflag_names, val, vn, &tc->atflags))
				BADVAL();
		} else if (KEY("xflags")) {
			if (!parse_flags(xflag_names, val, vn, &tc->xflags))
				BADVAL();
		} else if (KEY("cmd")) {
			if ((tc->cmd = cmd_lookup(val, vn)) == TCMD_NONE)
				BADVAL();
		} else if (KEY("type")) {
			if ((tc->st_type = type_lookup(val, vn)) == TT_NONE)
				BADVAL();
		} else if (KEY("mode")) {
			char buf[16], *end;

			if (vn == 0 || vn >= sizeof(buf))
				BADVAL();
			memcpy(buf, val, vn);
			buf[vn] = '\0';
			tc->mode = (uint32_t)strtoul(buf, &end, 8);
			if (*end != '\0')
				BADVAL();
		} else if (KEY("rfd")) {
			const char *comma = memchr(val, ',', vn);

			if (comma == NULL ||
			    !parse_i32(val, (size_t)(comma - val), &tc->rfd[0]) ||
			    !parse_i32(comma + 1, vn - (size_t)(comma - val) - 1,
			    &tc->rfd[1]))
				BADVAL();
		} else if (KEY("fd_deleted") || KEY("fd2_deleted") ||
		    KEY("ret_deleted")) {
			bool *bp = KEY("fd_deleted") ? &tc->fd_deleted :
			    KEY("fd2_deleted") ? &tc->fd2_deleted : &tc->ret_deleted;

			if (vn != 1 || (val[0] != '0' && val[0] != '1'))
				BADVAL();
			*bp = val[0] == '1';
		} else {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "unknown key \"%.*s\"", (int)MIN(kn, 40), key);
			goto bad;
		}
#undef KEY
#undef BADVAL
	}
bad:
	if (scratch != small)
		g_free(scratch);
	return -1;
}
#undef BAD

/* ---- native writer --------------------------------------------------- */

struct trace_writer {
	gzFile	 gz;		/* compressed output */
	FILE	*fp;		/* plain output */
	char	*path;
	GString	*buf;
};

struct trace_writer *
trace_writer_open(const char *path, bool gzip, GError **err)
{
	struct trace_writer *w = g_new0(struct trace_writer, 1);

	w->path = g_strdup(path);
	if (gzip)
		w->gz = gzopen(path, "wb6");
	else
		w->fp = fopen(path, "w");
	if (w->gz == NULL && w->fp == NULL) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", path,
		    g_strerror(errno));
		g_free(w->path);
		g_free(w);
		return NULL;
	}
	w->buf = g_string_sized_new(1 << 16);
	native_format_header(w->buf);
	return w;
}

static bool
writer_flush(struct trace_writer *w, GError **err)
{
	bool ok;

	if (w->buf->len == 0)
		return true;
	if (w->gz != NULL)
		ok = gzwrite(w->gz, w->buf->str, (unsigned)w->buf->len) ==
		    (int)w->buf->len;
	else
		ok = fwrite(w->buf->str, 1, w->buf->len, w->fp) == w->buf->len;
	g_string_truncate(w->buf, 0);
	if (!ok)
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: write failed",
		    w->path);
	return ok;
}

void
trace_writer_nominal(struct trace_writer *w)
{
	g_string_append(w->buf, NATIVE_NOMINAL "\n");
}

void
trace_writer_line_times(struct trace_writer *w)
{
	g_string_append(w->buf, NATIVE_LINES "\n");
}

bool
trace_write(struct trace_writer *w, const struct trace_call *tc, GError **err)
{
	native_format_call(w->buf, tc);
	if (w->buf->len >= (1 << 16))
		return writer_flush(w, err);
	return true;
}

bool
trace_writer_close(struct trace_writer *w, GError **err)
{
	bool ok = writer_flush(w, err);

	if (w->gz != NULL) {
		if (gzclose(w->gz) != Z_OK && ok) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO,
			    "%s: write failed", w->path);
			ok = false;
		}
	} else if (fclose(w->fp) != 0 && ok) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_IO, "%s: %s", w->path,
		    g_strerror(errno));
		ok = false;
	}
	g_string_free(w->buf, TRUE);
	g_free(w->path);
	g_free(w);
	return ok;
}

/* ---- reading a native trace ----------------------------------------- */

int
read_native(struct trace_reader *r, struct trace_call *tc, GError **err)
{
	const char *line;
	size_t len;
	int rc;

	for (;;) {
		GError *perr = NULL;

		rc = lineio_next(r->in, &line, &len, err);
		if (rc <= 0)
			return rc;
		rc = parse_line(line, len, tc, &r->scm, true, &perr);
		if (rc < 0) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: %s", r->path,
			    (unsigned long long)lineio_lineno(r->in), perr->message);
			g_error_free(perr);
			return -1;
		}
		if (rc == 1) {
			tc->line = lineio_lineno(r->in);
			r->records = true;
			return 1;
		}
		if (!r->records && len == strlen(NATIVE_NOMINAL) &&
		    memcmp(line, NATIVE_NOMINAL, len) == 0)
			r->nominal = true;
		if (!r->records && len == strlen(NATIVE_LINES) &&
		    memcmp(line, NATIVE_LINES, len) == 0)
			r->line_times = true;
	}
}

/*
 * read_native cut in two for traceq.c, whose reading thread hands raw
 * lines to whichever thread parses them first: a native line parses on
 * its own (the only state between lines is records, nominal and
 * line_times, which comment lines before the first record set, and the
 * line number), so a line read here and parsed by trace_parse_raw, on any
 * thread, is the call read_native would have read.
 *
 * trace_read_raw: trace_read for a native trace up to the parse -- the
 * stop flag, the comment lines and NATIVE_NOMINAL as there -- giving the
 * next record's line (valid until the next call) and its number.  A line
 * is a record's when it is not blank and not a comment (parse_fields
 * answers 0 for those alone); records is set once one is seen, before its
 * parse: a line that then fails to parse ends the trace, so nothing
 * after it could have read records otherwise.
 */
bool
trace_reader_raw(const struct trace_reader *r)
{
	return r->fmt == TF_NATIVE && r->in != NULL;
}

int
trace_read_raw(struct trace_reader *r, const char **line, size_t *len,
    uint64_t *lineno, GError **err)
{
	int rc;

	KASSERT(trace_reader_raw(r), ("trace_read_raw: not a native trace"));
	if (!trace_reader_ask(r, err))
		return -1;
	for (;;) {
		rc = lineio_next(r->in, line, len, err);
		if (rc <= 0)
			return rc;
		if (*len > 0 && (*line)[0] != '#')
			break;
		if (!r->records && *len == strlen(NATIVE_NOMINAL) &&
		    memcmp(*line, NATIVE_NOMINAL, *len) == 0)
			r->nominal = true;
		if (!r->records && *len == strlen(NATIVE_LINES) &&
		    memcmp(*line, NATIVE_LINES, *len) == 0)
			r->line_times = true;
	}
	r->records = true;
	*lineno = lineio_lineno(r->in);
	return 1;
}

/* The call on a line trace_read_raw gave (line lineno of r's file), 1, or
 * -1 and read_native's message; memo is the parsing thread's own.  It
 * reads nothing of r but its name, so threads may parse side by side. */
int
trace_parse_raw(const struct trace_reader *r, const char *line, size_t len,
    uint64_t lineno, struct trace_call *tc, struct sc_memo *memo,
    GError **err)
{
	GError *perr = NULL;
	int rc = parse_line(line, len, tc, memo, true, &perr);

	KASSERT(rc != 0, ("trace_parse_raw: line %llu is not a record's",
	    (unsigned long long)lineno));
	if (rc < 0) {
		g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT, "%s:%llu: %s",
		    r->path, (unsigned long long)lineno, perr->message);
		g_error_free(perr);
		return -1;
	}
	tc->line = lineno;
	return 1;
}
