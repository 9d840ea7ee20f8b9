/*
 * trace.h — one traced system call as vfssim replays it, and the readers
 * and writer of trace files.
 *
 * Every input format (the native format, strace logs, strace -ff sets) is
 * read into the same struct trace_call, one call at a time: a trace of any
 * length streams through in bounded memory.  The trace readers know nothing
 * of the simulation.
 *
 * The native format (docs in README.md, "Native trace format"):
 *
 *	#vfssim-trace 1
 *	T PID CALL RESULT DUR [KEY=VALUE]...
 *
 * T is the call's entry time in ns ("-" if unknown), RESULT an integer,
 * "-ENAME" for a failure or "?" if the call never returned, DUR the time
 * spent in the call in ns ("-" if unknown).  CALL "+++" is not a call but
 * the end of a process (RESULT is its exit status).  Strings are quoted
 * with C escapes; flag sets are written by name ("O_RDWR|O_CREAT").
 */
#ifndef VFSSIM_TRACE_H
#define VFSSIM_TRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

/* The calls vfssim knows by name.  SC_OTHER is any call it does not model
 * (it keeps the traced name in trace_call.name). */
#define SC_LIST(X)							\
	X(OPEN, "open") X(OPENAT, "openat") X(CREAT, "creat")		\
	X(CLOSE, "close") X(CLOSE_RANGE, "close_range")			\
	X(READ, "read") X(PREAD, "pread64") X(READV, "readv")		\
	X(PREADV, "preadv")						\
	X(WRITE, "write") X(PWRITE, "pwrite64") X(WRITEV, "writev")	\
	X(PWRITEV, "pwritev")						\
	X(LSEEK, "lseek")						\
	X(FSYNC, "fsync") X(FDATASYNC, "fdatasync") X(SYNC, "sync")	\
	X(STAT, "stat") X(LSTAT, "lstat") X(FSTAT, "fstat")		\
	X(NEWFSTATAT, "newfstatat") X(STATX, "statx")			\
	X(ACCESS, "access") X(FACCESSAT, "faccessat")			\
	X(FACCESSAT2, "faccessat2")					\
	X(UNLINK, "unlink") X(UNLINKAT, "unlinkat")			\
	X(RENAME, "rename") X(RENAMEAT, "renameat")			\
	X(RENAMEAT2, "renameat2")					\
	X(MKDIR, "mkdir") X(MKDIRAT, "mkdirat") X(RMDIR, "rmdir")	\
	X(MKNOD, "mknod") X(MKNODAT, "mknodat")				\
	X(FTRUNCATE, "ftruncate") X(TRUNCATE, "truncate")		\
	X(GETDENTS64, "getdents64")					\
	X(DUP, "dup") X(DUP2, "dup2") X(DUP3, "dup3")			\
	X(FCNTL, "fcntl")						\
	X(CHDIR, "chdir") X(FCHDIR, "fchdir") X(GETCWD, "getcwd")	\
	X(FLOCK, "flock")						\
	X(CLONE, "clone") X(CLONE3, "clone3") X(FORK, "fork")		\
	X(VFORK, "vfork") X(EXECVE, "execve")				\
	X(WAIT4, "wait4") X(WAITID, "waitid")				\
	/* links, symbolic links and inode attributes */		\
	X(LINK, "link") X(LINKAT, "linkat")				\
	X(SYMLINK, "symlink") X(SYMLINKAT, "symlinkat")			\
	X(READLINK, "readlink") X(READLINKAT, "readlinkat")		\
	X(CHMOD, "chmod") X(FCHMOD, "fchmod") X(FCHMODAT, "fchmodat")	\
	X(FCHMODAT2, "fchmodat2")					\
	X(CHOWN, "chown") X(FCHOWN, "fchown") X(LCHOWN, "lchown")	\
	X(FCHOWNAT, "fchownat")						\
	X(UTIMENSAT, "utimensat") X(UTIMES, "utimes") X(UTIME, "utime")	\
	X(FUTIMESAT, "futimesat")					\
	/* copies and allocation */					\
	X(COPY_FILE_RANGE, "copy_file_range") X(SENDFILE, "sendfile")	\
	X(SPLICE, "splice")						\
	X(FALLOCATE, "fallocate")					\
	/* file system status, advice, extended attributes */		\
	X(STATFS, "statfs") X(FSTATFS, "fstatfs")			\
	X(FADVISE64, "fadvise64") X(IOCTL, "ioctl")			\
	X(READAHEAD, "readahead")					\
	X(GETXATTR, "getxattr") X(LGETXATTR, "lgetxattr")		\
	X(FGETXATTR, "fgetxattr") X(SETXATTR, "setxattr")		\
	X(LSETXATTR, "lsetxattr") X(FSETXATTR, "fsetxattr")		\
	X(LISTXATTR, "listxattr") X(LLISTXATTR, "llistxattr")		\
	X(FLISTXATTR, "flistxattr") X(REMOVEXATTR, "removexattr")	\
	X(LREMOVEXATTR, "lremovexattr")					\
	X(FREMOVEXATTR, "fremovexattr")					\
	/* mapped files */						\
	X(MMAP, "mmap") X(MUNMAP, "munmap") X(MSYNC, "msync")		\
	/* Linux's syncs of one file system or a file's range */	\
	X(SYNCFS, "syncfs") X(SYNC_FILE_RANGE, "sync_file_range")	\
	/* Linux AIO: requests queued, their completions reaped */	\
	X(IO_SUBMIT, "io_submit") X(IO_GETEVENTS, "io_getevents")	\
	X(IO_DESTROY, "io_destroy")					\
	/* vfssim's own records: a snapshot taken or removed (path=NAME),   \
	 * in native traces and generated workloads */			\
	X(SNAPSHOT_CREATE, "snapshot_create")				\
	X(SNAPSHOT_REMOVE, "snapshot_remove")

enum sc_id {
	SC_OTHER = 0,
#define X(id, name) SC_##id,
	SC_LIST(X)
#undef X
	SC__COUNT
};

const char *sc_name(enum sc_id sc);
enum sc_id sc_lookup(const char *name);	/* SC_OTHER if not known */
/* The last names a reader looked up and what sc_lookup found for them: a
 * trace's calls come in runs of the same name (read after read), and
 * comparing a few bytes costs a tenth of hashing them.  Several names, a
 * slot chosen by length and ends, because processes' calls interleave
 * (the real scan's find and cat: one remembered name missed on most
 * calls). */
#define SC_MEMO_SLOTS	8
struct sc_memo {
	/* names sc_lookup does not know, tried when set: the strace reader's
	 * other ABIs' names for the same calls (i386's stat64, mmap2, ...) */
	enum sc_id (*fallback)(const char *name);
	struct {
		char	 name[32];
		uint8_t	 n;	/* strlen(name); 0: nothing remembered */
		uint16_t sc;
		/* the name as a little-endian word, zero above it, once the
		 * native reader has checked its bytes (fast_head; a name of
		 * at most 7): 0 for none */
		uint64_t w;
	} slot[SC_MEMO_SLOTS];
};
/* sc_lookup(name) for a name of n bytes, through m (zeroed at first). */
enum sc_id sc_lookup_memo(struct sc_memo *m, const char *name, size_t n);

enum tc_kind {
	TC_CALL = 0,
	TC_EXIT,		/* the process ended ("+++ exited with N +++") */
};

#define TC_NOTIME	INT64_MIN	/* the trace has no timestamps */
#define TC_NOFD		(-1)
#define TC_AT_FDCWD	(-100)
#define TC_NOOFF	(-1)

/* Open flags, independent of the host that captured the trace. */
#define TO_ACCMODE	0x00000003
#define TO_RDONLY	0x00000000
#define TO_WRONLY	0x00000001
#define TO_RDWR		0x00000002
#define TO_CREAT	0x00000004
#define TO_EXCL		0x00000008
#define TO_TRUNC	0x00000010
#define TO_APPEND	0x00000020
#define TO_NONBLOCK	0x00000040
#define TO_DIRECTORY	0x00000080
#define TO_NOFOLLOW	0x00000100
#define TO_CLOEXEC	0x00000200
#define TO_DIRECT	0x00000400
#define TO_SYNC		0x00000800
#define TO_DSYNC	0x00001000
#define TO_TMPFILE	0x00002000
#define TO_EXLOCK	0x00004000	/* FreeBSD open(2) flags */
#define TO_SHLOCK	0x00008000
#define TO_PATH		0x00010000
#define TO_NOATIME	0x00020000
#define TO_NOCTTY	0x00040000
#define TO_LARGEFILE	0x00080000
#define TO_ASYNC	0x00100000

/* *at() flags */
#define TAT_REMOVEDIR		0x1
#define TAT_SYMLINK_NOFOLLOW	0x2
#define TAT_EMPTY_PATH		0x4
#define TAT_SYMLINK_FOLLOW	0x8

/* Call-specific flags (trace_call.xflags); names are unique across calls. */
#define TX_RENAME_NOREPLACE	0x0001
#define TX_RENAME_EXCHANGE	0x0002
#define TX_RENAME_WHITEOUT	0x0004
#define TX_CLONE_VM		0x0010
#define TX_CLONE_FS		0x0020
#define TX_CLONE_FILES		0x0040
#define TX_CLONE_VFORK		0x0080
#define TX_CLONE_THREAD		0x0100
#define TX_LOCK_SH		0x1000
#define TX_LOCK_EX		0x2000
#define TX_LOCK_NB		0x4000
#define TX_LOCK_UN		0x8000
/* fcntl F_GETLK/F_SETLK/F_SETLKW: the struct flock's l_type is one of
 * TX_LOCK_SH (F_RDLCK), TX_LOCK_EX (F_WRLCK), TX_LOCK_UN (F_UNLCK); its
 * l_whence one of these (none: SEEK_SET); l_start is off, l_len arg. */
#define TX_LK_CUR		0x10000
#define TX_LK_END		0x20000
/* mmap's prot and flags, msync's flags, fallocate's mode. */
#define TX_PROT_READ		0x00040000
#define TX_PROT_WRITE		0x00080000
#define TX_PROT_EXEC		0x00100000
#define TX_MAP_SHARED		0x00200000	/* and MAP_SHARED_VALIDATE */
#define TX_MAP_PRIVATE		0x00400000
#define TX_MAP_ANONYMOUS	0x00800000
#define TX_MAP_FIXED		0x01000000
#define TX_MS_ASYNC		0x02000000
#define TX_MS_SYNC		0x04000000
#define TX_MS_INVALIDATE	0x08000000
#define TX_FALLOC_KEEP_SIZE	0x10000000
#define TX_FALLOC_PUNCH_HOLE	0x20000000
#define TX_FALLOC_ZERO_RANGE	0x40000000
#define TX_FALLOC_OTHER		0x80000000	/* collapse, insert, unshare */

/* sync_file_range's flags, in trace_call.arg: Linux's values. */
#define SFR_WAIT_BEFORE		1
#define SFR_WRITE		2
#define SFR_WAIT_AFTER		4
/* close_range's flags (arg), Linux's values */
#define CLOSE_RANGE_UNSHARE_	2
#define CLOSE_RANGE_CLOEXEC_	4

/* trace_call.cmd: fcntl commands and lseek whence values. */
enum tc_cmd {
	TCMD_NONE = 0,
	TCMD_F_DUPFD, TCMD_F_DUPFD_CLOEXEC, TCMD_F_GETFD, TCMD_F_SETFD,
	TCMD_F_GETFL, TCMD_F_SETFL, TCMD_F_GETLK, TCMD_F_SETLK, TCMD_F_SETLKW,
	TCMD_F_OFD_GETLK, TCMD_F_OFD_SETLK, TCMD_F_OFD_SETLKW, TCMD_F_OTHER,
	TCMD_SEEK_SET, TCMD_SEEK_CUR, TCMD_SEEK_END, TCMD_SEEK_DATA, TCMD_SEEK_HOLE,
	/* futex (not modelled; its address in arg): a wait, or a wake of
	 * others (wake, wake_op, requeue; the PI and fd operations neither) */
	TCMD_FUTEX_WAIT, TCMD_FUTEX_WAKE,
	TCMD__COUNT
};

/* File types seen in stat results. */
enum tc_type { TT_NONE = 0, TT_REG, TT_DIR, TT_LNK, TT_CHR, TT_BLK, TT_FIFO, TT_SOCK };

/*
 * One call.  Which fields mean something depends on the call:
 *   fd	     the descriptor operated on; for *at() calls the directory
 *	     descriptor (TC_AT_FDCWD for AT_FDCWD); for dup2/dup3 the old fd;
 *	     copy_file_range's input, sendfile's output, mmap's file (-1)
 *   fd2     the second descriptor (dup2/dup3 new fd, renameat and linkat new
 *	     dirfd, copy_file_range's output, sendfile's input)
 *   path    the name passed (open, stat, unlink, rename old name, ...)
 *   path2   the second name (rename, link and symlink: the new name;
 *	     readlink: the contents strace showed, perhaps cut short — the
 *	     result is the link's whole length)
 *	     (symlink: path is the target, path2 the link; symlinkat's
 *	     descriptor is fd, for path2; getcwd: path2 the directory's
 *	     name it returned)
 *	     (close_range: fd the first descriptor, len the last, arg the
 *	     flags)
 *   off     explicit offset (pread64, pwrite64, preadv, pwritev, lseek,
 *	     fallocate, fadvise64, mmap's file offset; copy_file_range's and
 *	     sendfile's input offset, TC_NOOFF for NULL) or length (truncate,
 *	     ftruncate)
 *   len     bytes asked for (read/write count, sum of an iovec's lengths,
 *	     a mapping's length, readlink's buffer)
 *   cmd     fcntl command or lseek whence; arg its argument (munmap's and
 *	     msync's address; copy_file_range's output offset, -1 for NULL;
 *	     getdents64's entries returned, 0 if not shown)
 *   oflags  open flags (open, openat, creat; fcntl F_SETFL; dup3 O_CLOEXEC)
 *   atflags AT_* flags; xflags rename/clone/flock flags, mmap's PROT_ and
 *	     MAP_ flags, msync's MS_ flags, fallocate's FALLOC_FL_ mode
 *   st_size, st_type   what a successful stat-like call reported
 *   rfd     descriptors returned through memory (pipe2, socketpair)
 *   fdpath, fdpath2, retpath   strace -y annotations: what fd, fd2 and the
 *	     returned descriptor named when the call ran (for AT_FDCWD, the
 *	     working directory).  A path annotation is a path; anything else
 *	     ("pipe:[123]", "socket:[9]", "anon_inode:[eventfd]") is kept as is.
 *   fd_deleted, fd2_deleted, ret_deleted  the annotation ended "(deleted)"
 * Strings are NUL-terminated bytes (a file name may hold any byte but NUL);
 * NULL when absent.
 */
struct trace_call {
	int64_t	 t_ns;		/* entry time in ns; TC_NOTIME if unknown */
	int64_t	 dur_ns;	/* time in the call; -1 if unknown */
	int64_t	 ret;		/* result; -1 with err set when it failed */
	int64_t	 off;
	int64_t	 len;
	int64_t	 arg;
	int64_t	 st_size;	/* -1 if not seen */
	int32_t	 pid;
	int32_t	 err;		/* errno (host numbering) when ret == -1 */
	int32_t	 fd, fd2;
	int32_t	 rfd[2];
	uint32_t oflags, atflags, xflags;
	uint32_t mode;
	uint16_t sc;		/* enum sc_id */
	uint8_t	 kind;		/* enum tc_kind */
	uint8_t	 cmd;		/* enum tc_cmd */
	uint8_t	 st_type;	/* enum tc_type */
	bool	 ret_unknown;	/* "= ?": the call never returned */
	bool	 fd_deleted, fd2_deleted, ret_deleted;
	char	*path, *path2, *fdpath, *fdpath2, *retpath;
	char	 name[32];	/* the call's name as traced */
	uint64_t line;		/* where it came from, for messages */

	/* storage for the strings above (owned) */
	char	*strbuf;
	size_t	 strlen_, strcap;
};

void	trace_call_init(struct trace_call *tc);	/* all fields "absent" */
void	trace_call_reset(struct trace_call *tc);	/* same, keeps storage */
void	trace_call_free(struct trace_call *tc);	/* frees the storage */
/* Store a string of n bytes in tc's storage and return it.  Pointers from
 * earlier calls stay valid (storage is rebased by trace_call_set_str). */
void	trace_call_set_str(struct trace_call *tc, char **field, const char *s, size_t n);
void	trace_call_move(struct trace_call *dst, struct trace_call *src);
bool	trace_call_equal(const struct trace_call *a, const struct trace_call *b);

/* a + b for non-negative a and b, saturating: traces may carry any value. */
static inline int64_t
tc_add(int64_t a, int64_t b)
{
	if (a < 0 || b < 0)
		return a < 0 ? a : b;
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* When the call returned in trace time (its entry if the duration is not
 * known). */
static inline int64_t
tc_end(const struct trace_call *tc)
{
	return tc_add(tc->t_ns, tc->dur_ns > 0 ? tc->dur_ns : 0);
}

/* The same where the trace's times may be its lines
 * (trace_reader_line_times): there a record's time is the line that
 * completed it already, and -T's seconds do not add to lines. */
static inline int64_t
tc_end_in(const struct trace_call *tc, bool line_times)
{
	return line_times ? tc->t_ns : tc_end(tc);
}

/*
 * Linux AIO's requests and completions, as a record carries them in path2
 * (the calls' other arguments: arg the context, len io_submit's count):
 * io_submit's requests "OP FD OFFSET LENGTH DATA" (OP r a read, w a write,
 * f an fsync, d an fdatasync; DATA the iocb's aio_data, which its
 * completion carries back), io_getevents' completions "DATA RESULT", each
 * ';'-separated.  The next one from *s (advanced past it); false at the
 * end of the list or at anything malformed (the rest is then ignored).
 */
struct tc_iocb {
	char	 op;			/* 'r', 'w', 'f', 'd' */
	int32_t	 fd;
	int64_t	 off, len;
	uint64_t data;
};
bool	tc_iocb_next(const char **s, struct tc_iocb *io);
bool	tc_event_next(const char **s, uint64_t *data, int64_t *res);

/* Names of flag bits, commands and errors, shared by all formats. */
const char *tc_cmd_name(enum tc_cmd cmd);
const char *tc_type_name(enum tc_type t);
const char *tc_errno_name(int err);	/* "ENOENT"; NULL if unknown */
int	tc_errno_lookup(const char *name);	/* 0 if unknown */

/* ---- reading --------------------------------------------------------- */

enum trace_format {
	TF_NATIVE,		/* vfssim native text (optionally gzip'd) */
	TF_STRACE,		/* strace -f log, one file */
	TF_STRACE_FF,		/* strace -ff: one file per process */
	TF_GENERATED,		/* made in memory (trace_source_open) */
};

struct trace_reader;

/*
 * Open a trace of any supported format, gzip'd or not, detected from its
 * content.  A path that names no file but has siblings PATH.<pid> is read as
 * an strace -ff set, as is a PATH.<pid> whose siblings share its prefix.
 * Errors name the file (and the line, for content errors).
 */
struct trace_reader *trace_open(const char *path, GError **err);
/* 1: *tc holds the next call; 0: end of trace; -1: *err says why. */
int	trace_read(struct trace_reader *r, struct trace_call *tc, GError **err);
enum trace_format trace_reader_format(const struct trace_reader *r);
/* The trace's times are a generator's nominal ones, not a capture's: it
 * is made in memory, or a native file whose header comments (before its
 * first record) include NATIVE_NOMINAL.  Known once a record was read. */
bool	trace_reader_nominal(const struct trace_reader *r);
/* The trace has no times, and its records' t_ns are the numbers of the
 * lines that completed them (a call's "resumed" line, an exit's own), so
 * that the order of its lines orders its processes (replay.order) as a
 * capture's times would: an strace log captured without -t/-tt/-ttt/-r
 * (not an -ff set: its files' lines are not one order), or a native trace
 * whose header says NATIVE_LINES.  -T's durations are kept (the time of
 * what is not modelled) but do not add to the lines (tc_end_in).  Known
 * once a record was read (before it is handed out). */
bool	trace_reader_line_times(const struct trace_reader *r);
/* From now on trace_read fails (TRACE_ERROR_STOPPED) once *stop is set
 * (asynchronously, by a signal handler): a long read-through stops at the
 * next call.  NULL: never. */
void	trace_set_stop(struct trace_reader *r, volatile sig_atomic_t *stop);
const char *trace_format_name(enum trace_format f);
/* What the trace's files hold: the SHA-256 of their bytes as stored
 * (compressed or not; an -ff set's members one after the other, by pid)
 * in hex (newly allocated) and their size.  *hex NULL for a source that
 * is no file (a generator). */
bool	trace_reader_digest(const struct trace_reader *r, char **hex,
	    int64_t *size, GError **err);
/* The same in two halves, so that the files can be hashed on another
 * thread without the reader: the names of the files r reads (the trace's
 * path, or an -ff set's members by pid; g_strfreev), NULL for a
 * generator; and the digest of those files (files NULL: *hex NULL). */
char	**trace_reader_files(const struct trace_reader *r);
bool	trace_files_digest(char *const *files, char **hex, int64_t *size,
	    GError **err);
/* What computes that SHA-256: "libcrypto" if it can be loaded, else
 * "GLib" (the same digest, slower). */
const char *trace_digest_engine(void);
void	trace_close(struct trace_reader *r);

/*
 * A source of records that is not a file: anything that makes calls in
 * order (a workload generator) stands behind a trace_reader, so whatever
 * reads traces reads it too, one call at a time, with nothing on disk.
 * next answers like trace_read; close frees arg.  The trace layer knows
 * nothing of what is behind the ops.
 */
struct trace_source_ops {
	int	(*next)(void *arg, struct trace_call *tc, GError **err);
	void	(*close)(void *arg);
};
struct trace_reader *trace_source_open(const struct trace_source_ops *ops,
	    void *arg, const char *name);

/* ---- the native format ----------------------------------------------- */

#define NATIVE_MAGIC	"#vfssim-trace"
#define NATIVE_VERSION	1
/* A header comment of traces vfssim gen writes: the times are nominal. */
#define NATIVE_NOMINAL	"# times: nominal"
/* ... and of traces imported from an strace log without times: the times
 * are the log's lines (trace_reader_line_times). */
#define NATIVE_LINES	"# times: lines"

/* Append one record (with its newline) to out. */
void	native_format_call(GString *out, const struct trace_call *tc);
void	native_format_header(GString *out);
/* Parse one line (without its newline).  Returns 1 for a record, 0 for a
 * comment or blank line, -1 on error (message without file/line prefix). */
int	native_parse_line(const char *line, size_t len, struct trace_call *tc,
	    GError **err);
/* The same without its shortcuts for the common shapes of a line: the
 * general code alone, for tests that the two agree. */
int	native_parse_line_general(const char *line, size_t len,
	    struct trace_call *tc, GError **err);
/* native_parse_line, the call's name looked up through memo (zeroed at
 * first, kept from line to line, as a reader's own): for tests that the
 * memo's shortcut (fast_head) reads every line the same. */
int	native_parse_line_memo(const char *line, size_t len,
	    struct trace_call *tc, struct sc_memo *memo, GError **err);

/* A writer for native traces, gzip-compressed when gzip is true (callers
 * pass whether the final name ends in ".gz"). */
struct trace_writer;
struct trace_writer *trace_writer_open(const char *path, bool gzip, GError **err);
/* Mark the trace's times as nominal (NATIVE_NOMINAL); before any record. */
void	trace_writer_nominal(struct trace_writer *w);
/* Mark them as lines (NATIVE_LINES); before any record. */
void	trace_writer_line_times(struct trace_writer *w);
bool	trace_write(struct trace_writer *w, const struct trace_call *tc, GError **err);
bool	trace_writer_close(struct trace_writer *w, GError **err);

/* ---- binary records (tracebin.c) ------------------------------------ */

/*
 * A call as a few bytes: what a run keeps of the calls its pre-pass read,
 * so that the replay decodes them instead of parsing the trace again.  A
 * record stands alone (it can be copied anywhere as bytes) and keeps every
 * field of struct trace_call.
 */
/* At most how many bytes tc's record takes. */
size_t	tbin_max(const struct trace_call *tc);
/* Write tc's record at out (tbin_max bytes of room: the bytes after the
 * record, up to that bound, may be written too; not in tc: restrict);
 * its length. */
size_t	tbin_encode(const struct trace_call *restrict tc,
	    uint8_t *restrict out);
/* The record rec of n bytes into tc (its strings in tc's storage); rec
 * must not lie in tc (restrict). */
void	tbin_decode(const uint8_t *restrict rec, size_t n,
	    struct trace_call *restrict tc);
/* What the reader of a trace looks at first, without decoding the rest. */
struct tbin_head {
	int64_t	 t_ns;
	int64_t	 dur_ns;
	int64_t	 ret;
	int32_t	 pid;
	uint16_t sc;
	uint8_t	 kind;
};
void	tbin_head(const uint8_t *rec, size_t n, struct tbin_head *h);
/* The same but for ret and dur_ns (left 0): the record's fixed bytes
 * only, for a reader that needs the rest seldom. */
void	tbin_head_fixed(const uint8_t *rec, size_t n, struct tbin_head *h);
/* A length as a prefix (at most 10 bytes), and read back: the prefix's
 * bytes, or 0 if the avail bytes at p do not hold a whole one. */
size_t	tbin_put_len(uint8_t *p, size_t n);
size_t	tbin_get_len(const uint8_t *p, size_t avail, size_t *n);

/*
 * A spool of records: written once in order (tspool_put), then read back
 * once in the same order (tspool_rewind, tspool_next).  It holds one block
 * in memory; a longer spool goes to an unnamed temporary file, a block a
 * write(2) and a read(2).
 */
struct tspool;
struct tspool *tspool_new(void);
bool	tspool_put(struct tspool *s, const struct trace_call *tc, GError **err);
bool	tspool_rewind(struct tspool *s, GError **err);
/* 1 and the next record (valid until the next call), 0 at the end, -1. */
int	tspool_next(struct tspool *s, const uint8_t **rec, size_t *n,
	    GError **err);
uint64_t tspool_records(const struct tspool *s);
void	tspool_free(struct tspool *s);

/* ---- a reader on a thread of its own (traceq.c) --------------------- */

/*
 * r's calls read on a thread of their own once the trace is longer than
 * a block, handed over in order: traceq_next answers as trace_read would
 * have, call by call and error by error, *tc valid until the next
 * traceq_next.  r is the caller's, not to be touched until traceq_close,
 * which stops the thread wherever it is (a caller may stop part way) and
 * frees what it used.  cores: the processors the caller may count on (a
 * run among others that fill the machine: 1), 0 all the process may run
 * on; with fewer than two the calls are read on the caller's thread.
 */
struct traceq;
struct traceq *traceq_open(struct trace_reader *r, unsigned cores);
int	traceq_next(struct traceq *q, struct trace_call **tc, GError **err);
/* Whether the calls come from a thread (the trace outgrew the first block). */
bool	traceq_threaded(const struct traceq *q);
/* For tests: who may parse a native trace's raw blocks after the first
 * (traceq.c): either thread (as a run does), the caller alone, the
 * reading thread alone, or by turns (odd blocks the caller, even ones the
 * thread); set before the first traceq_next.  traceq_parsed: how many
 * blocks each parsed, [0] the caller, [1] the thread (after the first,
 * which the caller reads with trace_read). */
enum traceq_who { TRACEQ_EITHER, TRACEQ_CALLER, TRACEQ_THREAD, TRACEQ_TURNS };
void	traceq_test_who(struct traceq *q, enum traceq_who who);
void	traceq_parsed(struct traceq *q, unsigned n[2]);
/* For tests: the string storage the blocks' call slots keep, in all
 * (asked once the trace has been read to its end). */
size_t	traceq_kept(struct traceq *q);
void	traceq_close(struct traceq *q);

/* For traceq alone: read_native in two halves, so that a native trace's
 * lines are read on one thread and parsed on either (native.c).  Whether r
 * is a native trace read so; its next record's line raw (1, 0 at the end,
 * -1: a read error or the stop flag, as trace_read); the call on such a
 * line (1, or -1 and trace_read's message), memo the parsing thread's. */
bool	trace_reader_raw(const struct trace_reader *r);
int	trace_read_raw(struct trace_reader *r, const char **line, size_t *len,
	    uint64_t *lineno, GError **err);
int	trace_parse_raw(const struct trace_reader *r, const char *line,
	    size_t len, uint64_t lineno, struct trace_call *tc,
	    struct sc_memo *memo, GError **err);

/* ---- line input (lineio.c, shared by the readers) -------------------- */

/* Reads lines from a file, gzip'd or plain, in large blocks.  A line may
 * contain NUL bytes (the caller decides whether that is junk); one longer
 * than TRACE_MAX_LINE bytes (without its newline) is an error
 * (TRACE_ERROR_FORMAT) naming the file and line. */
#define TRACE_MAX_LINE	(16 << 20)
struct lineio;
struct lineio *lineio_open(const char *path, GError **err);
/* 1 and *line, *len (no newline; valid until the next call), 0 at EOF,
 * -1 on a read error. */
int	lineio_next(struct lineio *l, const char **line, size_t *len, GError **err);
/* Back to line 1 without reading again, if no byte read so far has left
 * the buffer; false if one has (then open it afresh). */
bool	lineio_rewind(struct lineio *l);
uint64_t lineio_lineno(const struct lineio *l);
const char *lineio_path(const struct lineio *l);
void	lineio_close(struct lineio *l);

/* ---- HP Laboratories' SRT disk traces (hplsrt.c) --------------------- */

/* One request of an HP trace: arriving at_ms after the trace's start,
 * blocks [blkno, blkno + nblocks) of 512 bytes, on device dev. */
struct hplsrt_rec {
	double		 at_ms;
	int64_t		 blkno, nblocks;
	int		 dev;
	bool		 read;
	uint64_t	 recno;		/* its record, from 1 */
};
struct hplsrt;
/* Open an SRT trace, gzip'd or plain; header: it begins with the text
 * header ("$$TR_IOREC", DiskSim's hpl), else records only (hpl2). */
struct hplsrt *hplsrt_open(const char *path, bool header, GError **err);
/* Does a file beginning with these bytes start with the SRT header? */
bool	hplsrt_is_srt(const char *prefix, size_t len);
/* 1 and *r, 0 at the end, -1 and *err (naming file, record and byte). */
int	hplsrt_next(struct hplsrt *h, struct hplsrt_rec *r, GError **err);
void	hplsrt_close(struct hplsrt *h);

/* Error domain for trace problems. */
#define TRACE_ERROR trace_error_quark()
GQuark	trace_error_quark(void);
/* TRACE_ERROR_STOPPED: the reader's stop flag was set (trace_set_stop). */
enum { TRACE_ERROR_IO, TRACE_ERROR_FORMAT, TRACE_ERROR_STOPPED };

/* ---- strace logs (strace.c) ------------------------------------------ */

struct strace_parser;

/* True if the first line looks like an strace log line. */
bool	strace_sniff(const char *line, size_t len);
/* A parser over one file.  pid_hint is the pid of an -ff file (its lines
 * carry no pid), or 0. */
struct strace_parser *strace_parser_new(struct lineio *in, int32_t pid_hint);
int	strace_parser_next(struct strace_parser *p, struct trace_call *tc, GError **err);
bool	strace_parser_line_times(const struct strace_parser *p);
void	strace_parser_free(struct strace_parser *p);	/* closes its lineio */

#endif
