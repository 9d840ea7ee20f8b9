/*
 * strace_calls.c — a call's text after "NAME(" made into a struct
 * trace_call: the arguments of each modelled call, by a table of what it
 * takes (one letter per argument); the flag and constant values of Linux
 * x86_64 in each -X spelling; the structures strace prints (stat, statx,
 * iovec, flock, clone3's); the annotated descriptor of a call not modelled;
 * an execve of mksnap_ffs or "mount -o snapshot" as a snapshot_create; and
 * after the ')' the result, error name and -T duration.
 */
#include "strace_private.h"

#include <string.h>

#define MAXARGS		8	/* arguments kept per call (the rest are scanned) */

/* ---- flags and constants --------------------------------------------- */

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

/* mmap's prot and flags (MAP_SHARED_VALIDATE shares), msync's flags,
 * fallocate's mode: Linux x86_64 <asm-generic/mman-common.h>, <linux/falloc.h>. */
static const struct sym prot_syms[] = {
	{ "PROT_READ", TX_PROT_READ }, { "PROT_WRITE", TX_PROT_WRITE },
	{ "PROT_EXEC", TX_PROT_EXEC },
	{ NULL, 0 }
};

static const struct rawbit prot_raw[] = {
	{ 1, 1, TX_PROT_READ }, { 2, 2, TX_PROT_WRITE }, { 4, 4, TX_PROT_EXEC },
	{ 0, 0, 0 }
};

static const struct flagdef prot_def = { prot_syms, prot_raw };

static const struct sym map_syms[] = {
	{ "MAP_SHARED", TX_MAP_SHARED }, { "MAP_SHARED_VALIDATE", TX_MAP_SHARED },
	{ "MAP_PRIVATE", TX_MAP_PRIVATE }, { "MAP_ANONYMOUS", TX_MAP_ANONYMOUS },
	{ "MAP_ANON", TX_MAP_ANONYMOUS }, { "MAP_FIXED", TX_MAP_FIXED },
	{ "MAP_FIXED_NOREPLACE", TX_MAP_FIXED },
	{ NULL, 0 }
};

static const struct rawbit map_raw[] = {
	{ 0x03, 0x01, TX_MAP_SHARED }, { 0x03, 0x03, TX_MAP_SHARED },
	{ 0x03, 0x02, TX_MAP_PRIVATE }, { 0x20, 0x20, TX_MAP_ANONYMOUS },
	{ 0x10, 0x10, TX_MAP_FIXED }, { 0x100000, 0x100000, TX_MAP_FIXED },
	{ 0, 0, 0 }
};

static const struct flagdef map_def = { map_syms, map_raw };

static const struct sym msync_syms[] = {
	{ "MS_ASYNC", TX_MS_ASYNC }, { "MS_SYNC", TX_MS_SYNC },
	{ "MS_INVALIDATE", TX_MS_INVALIDATE },
	{ NULL, 0 }
};

static const struct rawbit msync_raw[] = {
	{ 1, 1, TX_MS_ASYNC }, { 4, 4, TX_MS_SYNC }, { 2, 2, TX_MS_INVALIDATE },
	{ 0, 0, 0 }
};

static const struct flagdef msync_def = { msync_syms, msync_raw };

static const struct sym falloc_syms[] = {
	{ "FALLOC_FL_KEEP_SIZE", TX_FALLOC_KEEP_SIZE },
	{ "FALLOC_FL_PUNCH_HOLE", TX_FALLOC_PUNCH_HOLE },
	{ "FALLOC_FL_ZERO_RANGE", TX_FALLOC_ZERO_RANGE },
	{ "FALLOC_FL_COLLAPSE_RANGE", TX_FALLOC_OTHER },
	{ "FALLOC_FL_INSERT_RANGE", TX_FALLOC_OTHER },
	{ "FALLOC_FL_UNSHARE_RANGE", TX_FALLOC_OTHER },
	{ NULL, 0 }
};

static const struct rawbit falloc_raw[] = {
	{ 0x01, 0x01, TX_FALLOC_KEEP_SIZE }, { 0x02, 0x02, TX_FALLOC_PUNCH_HOLE },
	{ 0x10, 0x10, TX_FALLOC_ZERO_RANGE }, { 0x08, 0x08, TX_FALLOC_OTHER },
	{ 0x20, 0x20, TX_FALLOC_OTHER }, { 0x40, 0x40, TX_FALLOC_OTHER },
	{ 0, 0, 0 }
};

static const struct flagdef falloc_def = { falloc_syms, falloc_raw };

/* sync_file_range's flags, kept as Linux's values (trace_call.arg). */
static const struct sym sfr_syms[] = {
	{ "SYNC_FILE_RANGE_WAIT_BEFORE", SFR_WAIT_BEFORE },
	{ "SYNC_FILE_RANGE_WRITE", SFR_WRITE },
	{ "SYNC_FILE_RANGE_WAIT_AFTER", SFR_WAIT_AFTER },
	{ NULL, 0 }
};

static const struct rawbit sfr_raw[] = {
	{ 1, 1, SFR_WAIT_BEFORE }, { 2, 2, SFR_WRITE }, { 4, 4, SFR_WAIT_AFTER },
	{ 0, 0, 0 }
};

static const struct flagdef sfr_def = { sfr_syms, sfr_raw };

static const struct sym crange_syms[] = {
	{ "CLOSE_RANGE_UNSHARE", CLOSE_RANGE_UNSHARE_ },
	{ "CLOSE_RANGE_CLOEXEC", CLOSE_RANGE_CLOEXEC_ },
	{ NULL, 0 }
};

static const struct rawbit crange_raw[] = {
	{ 2, 2, CLOSE_RANGE_UNSHARE_ }, { 4, 4, CLOSE_RANGE_CLOEXEC_ },
	{ 0, 0, 0 }
};

static const struct flagdef crange_def = { crange_syms, crange_raw };

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
	const char *lt = memchr(a.s, '<', a.n);
	size_t k = lt != NULL ? (size_t)(lt - a.s) : a.n;

	/* Most annotations have no escape: then the name ends at the first
	 * '<' (or the end) and is its own text, copied once.  With one, a
	 * '<' may be escaped: stepped over byte by byte as before. */
	if (memchr(a.s, '\\', k) == NULL) {
		trace_call_set_str(tc, field, a.s, k);
		return true;
	}
	k = 0;
	while (k < a.n && a.s[k] != '<')
		k += a.s[k] == '\\' ? 2 : 1;
	if (k > a.n)
		k = a.n;
	if (!strace_unescape(&p->e, a.s, k, p->str))
		return false;
	trace_call_set_str(tc, field, p->str->str, p->str->len);
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
		if (span_is(v, "NULL") || strace_parse_num(v, &x))
			return true;
		return strace_bad(&p->e, "expected a file name");
	}
	if (!strace_skip_string(&p->e, v.s, v.n, &i, &qend))
		return false;
	if (!strace_only_comment(v.s + i, v.n - i))
		return strace_bad(&p->e, "unexpected text after a file name");
	/* without an escape the name is the quoted text itself */
	if (memchr(v.s + 1, '\\', qend - 1) == NULL) {
		trace_call_set_str(tc, field, v.s + 1, qend - 1);
		return true;
	}
	if (!strace_unescape(&p->e, v.s + 1, qend - 1, p->str))
		return false;
	trace_call_set_str(tc, field, p->str->str, p->str->len);
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

	if (!strace_struct_fields(&p->e, v, keys, f, 4))
		return false;
	if (f[0].s == NULL)
		return true;		/* an address: nothing to go by */
	if ((x = strace_parse_enum(f[0], &ltype_def)) == 0)
		return strace_bad(&p->e, "fcntl: unknown l_type");
	tc->xflags |= x;
	if (f[1].s != NULL) {
		if ((x = strace_parse_enum(f[1], &lwhence_def)) == 0)
			return strace_bad(&p->e, "fcntl: unknown l_whence");
		tc->xflags |= x & (TX_LK_CUR | TX_LK_END);
	}
	if (f[2].s != NULL && !strace_parse_num(f[2], &tc->off))
		return strace_bad(&p->e, "fcntl: bad l_start");
	if (f[3].s != NULL && !strace_parse_num(f[3], &tc->arg))
		return strace_bad(&p->e, "fcntl: bad l_len");
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
	if (!strace_struct_fields(&p->e, v, statx ? stx_keys : st_keys, f, 2))
		return false;
	if (f[0].s != NULL) {
		if (!strace_parse_flags(&p->e, f[0], &mode_def, &mode))
			return false;
		tc->st_type = mode_type(mode);
	}
	if (f[1].s != NULL && !strace_parse_num(f[1], &tc->st_size))
		return strace_bad(&p->e, "bad size in a stat structure");
	return true;
}

/* An offset passed by pointer (copy_file_range, sendfile): "[N]", "[N =>
 * M]" or "[N] => [M]" — the value going in, N; NULL: none (*isnull). */
static bool
parse_offptr(struct strace_parser *p, struct span v, int64_t *out,
    bool *isnull)
{
	int64_t x;
	size_t k;

	*isnull = false;
	if (span_is(v, "NULL")) {
		*isnull = true;
		return true;
	}
	if (v.s[0] != '[') {
		if (strace_parse_num(v, &x))
			return true;	/* an address: the offset is not shown */
		return strace_bad(&p->e, "expected an offset in brackets");
	}
	if ((k = strace_lex_int(v.s + 1, v.n - 1, &x)) == 0 || x < 0)
		return strace_bad(&p->e, "expected an offset in brackets");
	*out = x;
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
	strace_iter_init(&it, v.s + 1, v.n - 1, ',');
	while ((r = strace_next_item(&p->e, &it, &x)) > 0) {
		if (span_is(x, "...")) {
			cut = true;
			continue;
		}
		if (x.n == 0)
			continue;
		if (!strace_struct_fields(&p->e, x, keys, &f, 1))
			return false;
		if (f.s == NULL)
			continue;
		if (!strace_parse_num(f, &l) || l < 0)
			return strace_bad(&p->e, "bad iov_len");
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
	    !strace_split_list(&p->e, v.s + 1, v.n - 1, ',', it, 2, &n, &stop) ||
	    n != 2)
		return;
	for (i = 0; i < 2; i++)
		if (!strace_parse_fd(&p->e, it[i], &fd[i], &ann[i], &del))
			return;
	tc->rfd[0] = fd[0];
	tc->rfd[1] = fd[1];
	if (ann[0].s != NULL && !set_annot(p, tc, &tc->retpath, ann[0]))
		tc->retpath = NULL;
}

/*
 * io_submit's requests, strace's "[{aio_data=0, aio_lio_opcode=
 * IOCB_CMD_PWRITE, aio_fildes=3</f>, aio_buf=..., aio_nbytes=65536,
 * aio_offset=0}, ...]", into path2 as tc_iocb_next reads them (trace.h);
 * the first request's descriptor is the call's fd.  PREADV and PWRITEV
 * give their iovec in aio_buf (its lengths summed); a request of another
 * kind (a poll, a no-op) moves no file's data and is left out, as are one
 * at a negative offset or of a negative length (the kernel refuses it)
 * and what an array strace cut short ("...") did not show.
 */
static bool
parse_iocbs(struct strace_parser *p, struct trace_call *tc, struct span v)
{
	static const char *const keys[] = { "aio_lio_opcode", "aio_fildes",
	    "aio_nbytes", "aio_offset", "aio_data", "aio_buf" };
	static const struct { const char *name; char op; bool vec; } ops[] = {
		{ "IOCB_CMD_PREAD", 'r', false }, { "IOCB_CMD_PWRITE", 'w', false },
		{ "IOCB_CMD_FSYNC", 'f', false }, { "IOCB_CMD_FDSYNC", 'd', false },
		{ "IOCB_CMD_PREADV", 'r', true }, { "IOCB_CMD_PWRITEV", 'w', true },
	};
	/* -X raw: their numbers (linux/aio_abi.h) */
	static const int8_t raw[] = { 0, 1, 2, 3, -1, -1, -1, 4, 5 };
	GString *out;
	struct iter it;
	struct span x, f[6], ann;
	bool ok = true;
	int r, k;

	if (v.s[0] != '[')
		return true;		/* an address: nothing shown */
	/* (not p->str: set_annot decodes into it) */
	out = g_string_new(NULL);
	strace_iter_init(&it, v.s + 1, v.n - 1, ',');
	while ((r = strace_next_item(&p->e, &it, &x)) > 0) {
		int64_t fd64 = -1, off = 0, len = 0, data = 0, opn;
		int32_t fd;
		bool del;

		if (x.n == 0 || span_is(x, "..."))
			continue;
		if (!(ok = strace_struct_fields(&p->e, x, keys, f, 6)))
			break;
		if (f[0].s == NULL || f[1].s == NULL)
			continue;
		for (k = 0; k < (int)G_N_ELEMENTS(ops); k++)
			if (span_is(f[0], ops[k].name))
				break;
		if (k == (int)G_N_ELEMENTS(ops)) {
			k = strace_parse_num(f[0], &opn) && opn >= 0 &&
			    opn < (int64_t)sizeof(raw) ? raw[opn] : -1;
			if (k < 0)
				continue;	/* a poll, a no-op */
		}
		if (!(ok = strace_parse_fd(&p->e, f[1], &fd, &ann, &del)))
			break;
		fd64 = fd;
		if ((f[3].s != NULL && !strace_parse_num(f[3], &off)) ||
		    (f[4].s != NULL && !strace_parse_num(f[4], &data))) {
			ok = strace_bad(&p->e, "bad aio_offset or aio_data");
			break;
		}
		if (ops[k].vec && f[5].s != NULL) {
			int64_t keep = tc->len;

			if (!(ok = parse_iov(p, tc, f[5])))
				break;
			len = tc->len;
			tc->len = keep;
		} else if (f[2].s != NULL && !strace_parse_num(f[2], &len)) {
			ok = strace_bad(&p->e, "bad aio_nbytes");
			break;
		}
		if (off < 0 || len < 0)
			continue;	/* the kernel refused it (EINVAL) */
		if (out->len == 0) {
			tc->fd = fd;
			tc->fd_deleted = del;
			if (ann.s != NULL &&
			    !(ok = set_annot(p, tc, &tc->fdpath, ann)))
				break;
		}
		g_string_append_printf(out, "%s%c %lld %lld %lld %lld",
		    out->len > 0 ? ";" : "", ops[k].op, (long long)fd64,
		    (long long)off, (long long)len, (long long)data);
	}
	if (ok && r < 0)
		ok = false;
	if (ok && out->len > 0)
		trace_call_set_str(tc, &tc->path2, out->str, out->len);
	g_string_free(out, TRUE);
	return ok;
}

/* io_getevents' completions, "[{data=0, obj=0x7ffe..., res=65536,
 * res2=0}, ...]", into path2 as tc_event_next reads them. */
static bool
parse_events(struct strace_parser *p, struct trace_call *tc, struct span v)
{
	static const char *const keys[] = { "data", "res" };
	GString *out = p->str;
	struct iter it;
	struct span x, f[2];
	int r;

	if (v.s[0] != '[')
		return true;
	/* (p->str: nothing else decodes into it meanwhile) */
	g_string_truncate(out, 0);
	strace_iter_init(&it, v.s + 1, v.n - 1, ',');
	while ((r = strace_next_item(&p->e, &it, &x)) > 0) {
		int64_t data, res;

		if (x.n == 0 || span_is(x, "..."))
			continue;
		if (!strace_struct_fields(&p->e, x, keys, f, 2))
			return false;
		if (f[0].s == NULL || f[1].s == NULL)
			continue;
		if (!strace_parse_num(f[0], &data) || !strace_parse_num(f[1], &res))
			return strace_bad(&p->e, "bad data or res in an io_event");
		g_string_append_printf(out, "%s%lld %lld", out->len > 0 ? ";" : "",
		    (long long)data, (long long)res);
	}
	if (r < 0)
		return false;
	if (out->len > 0)
		trace_call_set_str(tc, &tc->path2, out->str, out->len);
	return true;
}

/* ---- calls ----------------------------------------------------------- */

/*
 * How many entries getdents64 returned, as strace shows its buffer: the
 * count in the comment after its address ("N entries"), or, with -v, the
 * entries themselves ("[{d_ino=...}, ...]"); 0 when it shows neither (an
 * output buffer: nothing to refuse).
 */
static int64_t
dirent_count(struct strace_parser *p, struct span v)
{
	static const char head[] = "/* ", tail[] = " entries */";
	static const char ent[] = "{d_ino=";
	const char *c;
	int64_t n = 0;
	size_t i = 0;

	if (v.n > 0 && v.s[0] == '[') {
		/* each entry's "{d_ino=", outside the quoted names (the
		 * arguments' split has checked their quotes already) */
		while (i < v.n) {
			if (v.s[i] == '"') {
				if (!strace_skip_string(&p->e, v.s, v.n, &i, NULL))
					break;
				continue;
			}
			if (v.s[i] == '{' && v.n - i >= sizeof(ent) - 1 &&
			    memcmp(v.s + i, ent, sizeof(ent) - 1) == 0)
				n++;
			i++;
		}
		return n;
	}
	if ((c = memmem(v.s, v.n, head, sizeof(head) - 1)) != NULL) {
		struct span d;

		d.s = c + sizeof(head) - 1;
		d.n = (size_t)(v.s + v.n - d.s);
		if ((c = memmem(d.s, d.n, tail, sizeof(tail) - 1)) == NULL)
			return 0;
		d.n = (size_t)(c - d.s);
		if (!strace_parse_num(d, &n) || n < 0)
			n = 0;
	}
	return n;
}

/*
 * What each modelled call's arguments are, one letter per argument:
 *   D descriptor (the first is fd, the second fd2)   P file name
 *   O open flags   M mode   L length   F offset   A AT_* flags
 *   S stat struct   X statx struct   V iovec   W whence   R rename flags
 *   K flock operation   C fcntl command   B a buffer strace shows as a
 *   string (readlink's contents, into path2)   Q an offset passed by
 *   pointer (the first into off, the second into arg)   T mmap's prot
 *   U mmap's flags   Y msync's flags   Z fallocate's mode   H an address
 *   (into arg)   G sync_file_range's flags (their Linux value, into arg)
 *   E getdents64's entries (how many it returned, into arg)   J a result
 *   passed back by pointer (_llseek's "[N]")   N openat2's struct open_how
 *   (its flags and mode)   I mknod's mode: the node's type (into
 *   st_type) and permissions   q io_submit's requests, e io_getevents'
 *   completions (into path2: parse_iocbs, parse_events)   . not used
 */
static const char *const sc_args[SC__COUNT] = {
	[SC_OPEN] = "POM", [SC_OPENAT] = "DPOM", [SC_CREAT] = "PM",
	[SC_CLOSE] = "D", [SC_CLOSE_RANGE] = "D",
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
	[SC_MKNOD] = "PI", [SC_MKNODAT] = "DPI",
	[SC_FTRUNCATE] = "DF", [SC_TRUNCATE] = "PF",
	[SC_GETDENTS64] = "DEL",
	[SC_DUP] = "D", [SC_DUP2] = "DD", [SC_DUP3] = "DDO",
	[SC_FCNTL] = "DC",
	[SC_CHDIR] = "P", [SC_FCHDIR] = "D", [SC_GETCWD] = "BL",
	[SC_FLOCK] = "DK",
	[SC_CLONE] = "", [SC_CLONE3] = "", [SC_FORK] = "", [SC_VFORK] = "",
	[SC_EXECVE] = "P",
	[SC_WAIT4] = "", [SC_WAITID] = "",
	[SC_SNAPSHOT_CREATE] = "P", [SC_SNAPSHOT_REMOVE] = "P",
	[SC_LINK] = "PP", [SC_LINKAT] = "DPDPA",
	[SC_SYMLINK] = "PP", [SC_SYMLINKAT] = "PDP",
	[SC_READLINK] = "PBL", [SC_READLINKAT] = "DPBL",
	[SC_CHMOD] = "PM", [SC_FCHMOD] = "DM", [SC_FCHMODAT] = "DPMA",
	[SC_FCHMODAT2] = "DPMA",
	[SC_CHOWN] = "P", [SC_FCHOWN] = "D", [SC_LCHOWN] = "P",
	[SC_FCHOWNAT] = "DP..A",
	[SC_UTIMENSAT] = "DP.A", [SC_UTIMES] = "P", [SC_UTIME] = "P",
	[SC_FUTIMESAT] = "DP",
	[SC_COPY_FILE_RANGE] = "DQDQL", [SC_SENDFILE] = "DDQL",
	[SC_SPLICE] = "DQDQL",
	[SC_FALLOCATE] = "DZFL",
	[SC_STATFS] = "P", [SC_FSTATFS] = "D", [SC_FADVISE64] = "DFL",
	[SC_IOCTL] = "D", [SC_READAHEAD] = "DFL",
	[SC_GETXATTR] = "P", [SC_LGETXATTR] = "P", [SC_FGETXATTR] = "D",
	[SC_SETXATTR] = "P", [SC_LSETXATTR] = "P", [SC_FSETXATTR] = "D",
	[SC_LISTXATTR] = "P", [SC_LLISTXATTR] = "P", [SC_FLISTXATTR] = "D",
	[SC_REMOVEXATTR] = "P", [SC_LREMOVEXATTR] = "P",
	[SC_FREMOVEXATTR] = "D",
	[SC_MMAP] = ".LTUDF", [SC_MUNMAP] = "HL", [SC_MSYNC] = "HLY",
	[SC_SYNCFS] = "D", [SC_SYNC_FILE_RANGE] = "DFLG",
	[SC_IO_SUBMIT] = "HLq", [SC_IO_GETEVENTS] = "H..e", [SC_IO_DESTROY] = "H",
};

/*
 * The same calls under other names: those of the 32-bit ABIs (i386, arm),
 * whose programs strace shows on a 64-bit host as they are (a 64-bit shell
 * running 32-bit tools makes a trace of both), and Linux's later variants
 * of a modelled call.  Each is replayed as the call it is and recorded
 * under that call's name.  sig: its arguments where they differ.
 *   _llseek(fd, offset, [result], whence) = 0: the offset it set comes
 *     back through a pointer (J), and becomes the result, as lseek's;
 *   mmap2's offset is in pages, but strace prints it in bytes;
 *   statfs64/fstatfs64 take the structure's size before it;
 *   arm_fadvise64_64 and sync_file_range2 take the advice or flags second;
 *   preadv2/pwritev2 take RWF_* flags after the offset, and offset -1 is
 *     the descriptor's own (readv/writev);
 *   openat2's flags and mode are in a structure (open_how, N); its
 *     RESOLVE_* rules had no 2001 counterpart: a call that succeeded met
 *     nothing they refuse, so it is the openat that a 2001 program made.
 */
struct abi_alias {
	const char	*name;
	enum sc_id	 sc;
	const char	*sig;		/* NULL: the call's own */
};

static const struct abi_alias abi_aliases[] = {
	{ "stat64", SC_STAT, NULL }, { "lstat64", SC_LSTAT, NULL },
	{ "fstat64", SC_FSTAT, NULL }, { "fstatat64", SC_NEWFSTATAT, NULL },
	{ "_llseek", SC_LSEEK, "DFJW" }, { "mmap2", SC_MMAP, NULL },
	{ "fcntl64", SC_FCNTL, NULL }, { "getdents", SC_GETDENTS64, NULL },
	{ "truncate64", SC_TRUNCATE, NULL },
	{ "ftruncate64", SC_FTRUNCATE, NULL },
	{ "statfs64", SC_STATFS, "P" }, { "fstatfs64", SC_FSTATFS, "D" },
	{ "fadvise64_64", SC_FADVISE64, NULL },
	{ "arm_fadvise64_64", SC_FADVISE64, "D.FL" },
	{ "chown32", SC_CHOWN, NULL }, { "fchown32", SC_FCHOWN, NULL },
	{ "lchown32", SC_LCHOWN, NULL }, { "sendfile64", SC_SENDFILE, NULL },
	{ "io_pgetevents", SC_IO_GETEVENTS, NULL },
	{ "sync_file_range2", SC_SYNC_FILE_RANGE, "DGFL" },
	{ "arm_sync_file_range", SC_SYNC_FILE_RANGE, "DGFL" },
	{ "preadv2", SC_PREADV, NULL }, { "pwritev2", SC_PWRITEV, NULL },
	{ "openat2", SC_OPENAT, "DPN" },
	{ NULL, SC_OTHER, NULL }
};

static const struct abi_alias *
abi_alias(const char *name)
{
	static GHashTable *idx;

	/* made once, read-only after (runs read traces in threads) */
	if (g_once_init_enter(&idx)) {
		GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
		const struct abi_alias *al;

		for (al = abi_aliases; al->name != NULL; al++)
			g_hash_table_insert(h, (gpointer)al->name, (gpointer)al);
		g_once_init_leave(&idx, h);
	}
	return g_hash_table_lookup(idx, name);
}

enum sc_id
strace_abi_sc(const char *name)
{
	const struct abi_alias *al = abi_alias(name);

	return al != NULL ? al->sc : SC_OTHER;
}

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
	return strace_bad(&p->e, "%s: %s argument: %s", tc->name, argnames[i], msg);
}

/*
 * futex, not modelled, but an order between threads (replay.order =
 * causal): its address (arg) and whether it waits or wakes others (cmd),
 * from the operation by name ("FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_...")
 * or, with -X raw, by number (the low 7 bits).  Anything else is left
 * alone: the call is skipped as before.
 */
static void
decode_futex(struct trace_call *tc, const struct span *a)
{
	static const struct { const char *name; uint8_t cmd; } ops[] = {
		{ "FUTEX_WAIT_BITSET", TCMD_FUTEX_WAIT },
		{ "FUTEX_WAIT", TCMD_FUTEX_WAIT },
		{ "FUTEX_WAKE_BITSET", TCMD_FUTEX_WAKE },
		{ "FUTEX_WAKE_OP", TCMD_FUTEX_WAKE },
		{ "FUTEX_WAKE", TCMD_FUTEX_WAKE },
		{ "FUTEX_CMP_REQUEUE", TCMD_FUTEX_WAKE },
		{ "FUTEX_REQUEUE", TCMD_FUTEX_WAKE },
	};
	struct span v = a[1];
	int64_t addr, op;
	size_t i, k;

	if (a[0].n == 0 || strace_lex_int(a[0].s, a[0].n, &addr) == 0 ||
	    v.n == 0)
		return;
	if (v.s[0] >= '0' && v.s[0] <= '9') {
		if (strace_lex_int(v.s, v.n, &op) == 0)
			return;
		switch (op & 127) {
		case 0: case 9:
			tc->cmd = TCMD_FUTEX_WAIT;
			break;
		case 1: case 3: case 4: case 5: case 10:
			tc->cmd = TCMD_FUTEX_WAKE;
			break;
		default:
			return;
		}
	} else {
		/* the operation's name, before "_PRIVATE" or '|' */
		for (k = 0; k < v.n && v.s[k] != '|' && v.s[k] != ' '; k++)
			;
		if (k >= 8 && memcmp(v.s + k - 8, "_PRIVATE", 8) == 0)
			k -= 8;
		for (i = 0; i < G_N_ELEMENTS(ops); i++)
			if (strlen(ops[i].name) == k &&
			    memcmp(v.s, ops[i].name, k) == 0)
				break;
		if (i == G_N_ELEMENTS(ops))
			return;
		tc->cmd = ops[i].cmd;
	}
	tc->arg = addr;
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
	    strace_parse_fd(&p->e, a[0], &fd, &ann, &del) && ann.s != NULL) {
		tc->fd = fd;
		tc->fd_deleted = del;
		if (!set_annot(p, tc, &tc->fdpath, ann))
			tc->fdpath = NULL;
	}
	if (strcmp(tc->name, "pipe") == 0 || strcmp(tc->name, "pipe2") == 0) {
		if (na >= 1)
			parse_fdpair(p, tc, a[0]);
		if (na >= 2 && a[1].n > 0 &&
		    !strace_parse_flags(&p->e, a[1], &oflags_def, &tc->oflags))
			tc->oflags = 0;
	} else if (strcmp(tc->name, "socketpair") == 0 && na >= 4)
		parse_fdpair(p, tc, a[3]);
	else if (strcmp(tc->name, "futex") == 0 && na >= 2)
		decode_futex(tc, a);
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
		if (na >= 1 && !strace_struct_fields(&p->e, a[0], keys, &f, 1))
			return bad_arg(p, tc, 0);
	} else {
		for (i = 0; i < na && f.s == NULL; i++)
			if (has_prefix(a[i].s, a[i].n, "flags="))
				f = trim(a[i].s + 6, a[i].n - 6);
	}
	if (f.s != NULL && !strace_parse_flags(&p->e, f, &clone_def, &tc->xflags))
		return strace_bad(&p->e, "%s: bad flags: %s", tc->name, p->e.msg);
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
	if (!strace_split_list(&p->e, a[1].s + 1, a[1].n - 1, ',', it,
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

/* a: the arguments; an: each one's first annotation (strace_split_args) */
static bool
decode_args(struct strace_parser *p, struct trace_call *tc,
    const struct span *a, const struct span *an, int na)
{
	const char *sig = sc_args[tc->sc];
	const struct abi_alias *al = NULL;
	int64_t through = -1;		/* J: what came back by pointer */
	int i, nfd = 0, npath = 0, noff = 0;

	if (sig == NULL) {
		decode_other(p, tc, a, na);
		return true;
	}
	/* another name of a modelled call (abi_aliases) */
	if (tc->name[0] != sc_name(tc->sc)[0] ||
	    strcmp(tc->name, sc_name(tc->sc)) != 0) {
		al = abi_alias(tc->name);
		if (al != NULL && al->sig != NULL)
			sig = al->sig;
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
			if (!strace_parse_fd_at(&p->e, v, an[i], &fd, &ann, &del))
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
			ok = strace_parse_flags(&p->e, v, &oflags_def, &tc->oflags);
			break;
		case 'M':
		case 'I': {
			uint32_t m;

			ok = strace_parse_flags(&p->e, v, &mode_def, &m);
			tc->mode = m & 07777;
			/* mknod's: the type of node too (none: a file) */
			if (sig[i] == 'I')
				tc->st_type = (m & 0170000) != 0 ? mode_type(m) :
				    TT_REG;
			break;
		}
		case 'L':
			if (!strace_parse_num(v, &tc->len))
				ok = strace_bad(&p->e, "expected a length");
			break;
		case 'F':
			if (!strace_parse_num(v, &tc->off))
				ok = strace_bad(&p->e, "expected an offset");
			break;
		case 'A':
			ok = strace_parse_flags(&p->e, v, tc->sc == SC_UNLINKAT ?
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
			tc->cmd = (uint8_t)strace_parse_enum(v, &whence_def);
			break;
		case 'R':
			ok = strace_parse_flags(&p->e, v, &rename_def, &tc->xflags);
			break;
		case 'K':
			ok = strace_parse_flags(&p->e, v, &flock_def, &tc->xflags);
			break;
		case 'C':
			tc->cmd = (uint8_t)strace_parse_enum(v, &fcntl_def);
			break;
		case 'B':
			ok = parse_path(p, tc, &tc->path2, v);
			break;
		case 'Q': {
			int64_t x = TC_NOOFF;
			bool isnull;

			ok = parse_offptr(p, v, &x, &isnull);
			if (noff++ == 0)
				tc->off = x;
			else
				tc->arg = isnull ? -1 : x;
			break;
		}
		case 'T':
		case 'U':
		case 'Y':
		case 'Z': {
			uint32_t x;

			ok = strace_parse_flags(&p->e, v, sig[i] == 'T' ? &prot_def :
			    sig[i] == 'U' ? &map_def : sig[i] == 'Y' ? &msync_def :
			    &falloc_def, &x);
			tc->xflags |= x;
			break;
		}
		case 'G': {
			uint32_t x;

			ok = strace_parse_flags(&p->e, v, &sfr_def, &x);
			tc->arg = x;
			break;
		}
		case 'H':
			if (!span_is(v, "NULL") && !strace_parse_num(v, &tc->arg))
				ok = strace_bad(&p->e, "expected an address");
			break;
		case 'E':
			tc->arg = dirent_count(p, v);
			break;
		case 'J': {
			int64_t x;
			size_t k;

			/* "[N]"; an address when nothing came back */
			if (v.s[0] == '[' &&
			    (k = strace_lex_int(v.s + 1, v.n - 1, &x)) > 0 &&
			    1 + k < v.n && v.s[1 + k] == ']' && x >= 0)
				through = x;
			break;
		}
		case 'q':
			ok = parse_iocbs(p, tc, v);
			break;
		case 'e':
			ok = parse_events(p, tc, v);
			break;
		case 'N': {
			static const char *const keys[] = { "flags", "mode" };
			struct span f[2];
			uint32_t m;

			ok = strace_struct_fields(&p->e, v, keys, f, 2);
			if (ok && f[0].s != NULL)
				ok = strace_parse_flags(&p->e, f[0], &oflags_def,
				    &tc->oflags);
			if (ok && f[1].s != NULL) {
				ok = strace_parse_flags(&p->e, f[1], &mode_def, &m);
				tc->mode = m & 07777;
			}
			break;
		}
		}
		if (!ok)
			return bad_arg(p, tc, i);
	}
	if (al != NULL) {
		/* _llseek: the offset it set is the result, as lseek's
		 * (unknown if strace could not show it) */
		if (tc->sc == SC_LSEEK && !tc->ret_unknown && tc->ret == 0) {
			tc->ret = through;
			tc->ret_unknown = through < 0;
		}
		/* preadv2/pwritev2 at offset -1 (TC_NOOFF): the
		 * descriptor's offset */
		if (tc->sc == SC_PREADV && tc->off == -1)
			tc->sc = SC_READV;
		else if (tc->sc == SC_PWRITEV && tc->off == -1)
			tc->sc = SC_WRITEV;
		g_strlcpy(tc->name, sc_name(tc->sc), sizeof(tc->name));
	}

	switch (tc->sc) {
	case SC_CREAT:
		tc->oflags = TO_CREAT | TO_WRONLY | TO_TRUNC;
		break;
	case SC_CLOSE_RANGE: {
		/* the last descriptor: a number (~0U as 4294967295, or as -1
		 * by strace of 2020, whose printfd also annotated it) */
		struct span v = na > 1 ? a[1] : (struct span){ "", 0 };
		uint32_t x = 0;

		while (v.n > 0 && v.s[v.n - 1] == '>') {
			const char *lt = memchr(v.s, '<', v.n);

			if (lt == NULL)
				break;
			v.n = (size_t)(lt - v.s);
		}
		if (v.n == 0)
			tc->len = UINT32_MAX;	/* (not seen: the usual) */
		else if (!strace_parse_num(v, &tc->len)) {
			(void)strace_bad(&p->e, "expected a descriptor");
			return bad_arg(p, tc, 1);
		}
		if (tc->len < 0)
			tc->len = UINT32_MAX;
		if (na > 2 && !strace_parse_flags(&p->e, a[2], &crange_def, &x))
			return bad_arg(p, tc, 2);
		tc->arg = x;
		break;
	}
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
			if (!strace_parse_num(a[2], &tc->arg))
				return strace_bad(&p->e, "fcntl: third argument: expected a descriptor");
			break;
		case TCMD_F_SETFD: {
			uint32_t f;

			if (!strace_parse_flags(&p->e, a[2], &fdflags_def, &f))
				return bad_arg(p, tc, 2);
			tc->arg = f;
			break;
		}
		case TCMD_F_SETFL:
			if (!strace_parse_flags(&p->e, a[2], &oflags_def, &tc->oflags))
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
		return strace_bad(&p->e, "%s: no result (line cut short?)", tc->name);
	if (s[i] != '=')
		return strace_bad(&p->e, "%s: expected '=' after the arguments", tc->name);
	i = skip_space(s, n, i + 1);
	if (i < n && s[i] == '?') {
		tc->ret_unknown = true;
		i++;
	} else {
		struct span v = { s, n }, ann;
		bool del;

		if ((k = strace_lex_int(s + i, n - i, &tc->ret)) == 0)
			return strace_bad(&p->e, "%s: bad result", tc->name);
		i += k;
		if (!strace_lex_annot(&p->e, v, &i, &ann, &del))
			return false;
		tc->ret_deleted = del;
		if (ann.s != NULL && !set_annot(p, tc, &tc->retpath, ann))
			return false;
	}
	i = skip_space(s, n, i);
	if (i < n && s[i] == 'E' && (k = strace_lex_ident(s + i, n - i)) > 0 &&
	    (tc->ret_unknown || tc->ret < 0)) {
		if (k < sizeof(ename)) {
			memcpy(ename, s + i, k);
			ename[k] = '\0';
			tc->err = tc_errno_lookup(ename);
		}
		if (tc->err == 0)
			tc->err = tc_errno_lookup("EINTR");
		/* A failure is -1 and its errno (struct trace_call; strace
		 * prints -1): another negative number before the errno is
		 * taken as -1, as the native format can only say -ENAME. */
		tc->ret_unknown = false;
		tc->ret = -1;
		i = skip_space(s, n, i + k);
	}
	if (i < n && s[i] == '(') {
		struct iter it;
		struct span x;
		int r;

		strace_iter_init(&it, s + i + 1, n - i - 1, '\0');
		while ((r = strace_next_item(&p->e, &it, &x)) > 0)
			;
		if (r < 0)
			return false;
		if (it.stop >= it.n || it.s[it.stop] != ')')
			return strace_bad(&p->e, "%s: unbalanced result explanation",
			    tc->name);
		i = skip_space(s, n, i + 1 + it.stop + 1);
	}
	/* -e inject's marks (strace's syscall_exiting_trace): the kernel
	 * did not run the call but failed it or returned what strace set
	 * (the result is the call's outcome as the program saw it), or ran
	 * it late */
	while (i < n && s[i] == '(') {
		if (has_prefix(s + i, n - i, "(INJECTED)"))
			i = skip_space(s, n, i + 10);
		else if (has_prefix(s + i, n - i, "(DELAYED)"))
			i = skip_space(s, n, i + 9);
		else
			break;
	}
	if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
		if (!strace_skip_comment(&p->e, s, n, &i))
			return false;
		i = skip_space(s, n, i);
	}
	if (i < n && s[i] == '<') {
		if (has_prefix(s + i, n - i, "<unavailable>"))
			i += 13;
		else if ((k = strace_lex_secfrac(s + i + 1, n - i - 1, &tc->dur_ns)) > 0 &&
		    i + 1 + k < n && s[i + 1 + k] == '>')
			i += k + 2;
		else
			return strace_bad(&p->e, "%s: bad duration", tc->name);
		i = skip_space(s, n, i);
	}
	if (i != n) {
		char buf[64];

		return strace_bad(&p->e, "%s: unexpected text after the result: \"%s\"",
		    tc->name, strace_excerpt(s + i, n - i, buf, sizeof(buf)));
	}
	return true;
}

/*
 * Parse a call's text after "NAME(" into tc (whose name, pid, time and
 * line are set).  complete: through ") = result"; else only the first half
 * of a call that never finished.
 */
bool
strace_parse_call(struct strace_parser *p, struct trace_call *tc, const char *s,
    size_t n, bool complete)
{
	struct span a[MAXARGS], an[MAXARGS];
	size_t stop;
	int na;

	if (!strace_split_args(&p->e, s, n, a, an, MAXARGS, &na, &stop)) {
		char msg[sizeof(p->e.msg)];

		memcpy(msg, p->e.msg, sizeof(msg));
		return strace_bad(&p->e, "%s: %s", tc->name, msg);
	}
	if (complete) {
		if (stop == n)
			return strace_bad(&p->e, "%s: no ')' after the arguments (line cut short?)",
			    tc->name);
		if (s[stop] != ')')
			return strace_bad(&p->e, "%s: unbalanced '%c' in the arguments",
			    tc->name, s[stop]);
		if (!parse_result(p, tc, s + stop + 1, n - stop - 1))
			return false;
	} else {
		if (stop != n)
			return strace_bad(&p->e, "%s: unbalanced '%c' before <unfinished ...>",
			    tc->name, s[stop]);
		tc->ret_unknown = true;
	}
	return decode_args(p, tc, a, an, MIN(na, MAXARGS));
}
