/*
 * Unit tests of the strace log parser (strace.c): every line shape the
 * captures in traces/ contain, the joining and ordering of split calls,
 * malformed input, and every line of every bundled capture.
 *
 * Fixtures are written to a temporary file and read back through a lineio,
 * the way trace_open reads them.  Lines marked "verbatim" are copied from
 * the captures in traces/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "trace.h"
#include "strace_private.h"

/* ---- helpers --------------------------------------------------------- */

struct parsed {
	GArray	*recs;		/* struct trace_call, in the order handed out */
	char	*err;		/* the first error's message, or NULL */
	int	 nerr;		/* errors seen (when told to go on after one) */
	char	*path;		/* the fixture file */
	bool	 line_times;	/* strace_parser_line_times at the end */
};

static char *
write_fixture(const void *text, size_t len)
{
	GError *gerr = NULL;
	char *path = NULL;
	const char *s = text;
	int fd = g_file_open_tmp("vfssim-strace-XXXXXX", &path, &gerr);

	assert_true(fd >= 0);
	while (len > 0) {
		ssize_t w = write(fd, s, len);

		assert_true(w > 0);
		s += w;
		len -= (size_t)w;
	}
	close(fd);
	return path;
}

/* Parse text; stop at the first error, or (go_on) read on past errors. */
static void
parse_ext(const void *text, size_t len, int32_t hint, bool go_on,
    struct parsed *r)
{
	GError *gerr = NULL;
	struct lineio *in;
	struct strace_parser *p;
	int guard = 0;

	memset(r, 0, sizeof(*r));
	r->recs = g_array_new(FALSE, FALSE, sizeof(struct trace_call));
	r->path = write_fixture(text, len);
	in = lineio_open(r->path, &gerr);
	assert_non_null(in);
	p = strace_parser_new(in, hint);
	for (;;) {
		struct trace_call tc;
		int rc;

		trace_call_init(&tc);
		rc = strace_parser_next(p, &tc, &gerr);
		if (rc == 1) {
			/* the struct moves; its strings stay in its strbuf */
			g_array_append_val(r->recs, tc);
			continue;
		}
		trace_call_free(&tc);
		if (rc == 0)
			break;
		assert_int_equal(rc, -1);
		assert_non_null(gerr);
		assert_true(gerr->domain == TRACE_ERROR);
		assert_int_equal(gerr->code, TRACE_ERROR_FORMAT);
		r->nerr++;
		if (r->err == NULL)
			r->err = g_strdup(gerr->message);
		g_clear_error(&gerr);
		if (!go_on)
			break;
		assert_true(++guard < 10000000);
	}
	r->line_times = strace_parser_line_times(p);
	strace_parser_free(p);
}

static void
parse_mem(const void *text, size_t len, int32_t hint, struct parsed *r)
{
	parse_ext(text, len, hint, false, r);
}

static void
parsed_free(struct parsed *r)
{
	guint i;

	for (i = 0; i < r->recs->len; i++)
		trace_call_free(&g_array_index(r->recs, struct trace_call, i));
	g_array_free(r->recs, TRUE);
	g_unlink(r->path);
	g_free(r->path);
	g_free(r->err);
}

#define PARSE(r, text)		parse_mem(text, sizeof(text) - 1, 0, r)
#define PARSE_HINT(r, text, h)	parse_mem(text, sizeof(text) - 1, h, r)
#define REC(r, i)		(&g_array_index((r)->recs, struct trace_call, (i)))

/* Parse text that must parse without error into n records. */
static void
parse_ok(const char *text, int32_t hint, guint n, struct parsed *r)
{
	parse_mem(text, strlen(text), hint, r);
	if (r->err != NULL)
		fail_msg("unexpected error: %s", r->err);
	assert_int_equal(r->recs->len, n);
}

static void
assert_str(const char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
}

/* The text must fail at `line` with a message containing `what`. */
static void
expect_error_len(const char *text, size_t len, uint64_t line, const char *what)
{
	struct parsed r;
	char *pfx;

	parse_mem(text, len, 0, &r);
	if (r.err == NULL)
		fail_msg("no error for \"%.60s\"", text);
	pfx = g_strdup_printf("%s:%llu: ", r.path, (unsigned long long)line);
	if (!g_str_has_prefix(r.err, pfx))
		fail_msg("\"%s\" does not start with \"%s\"", r.err, pfx);
	if (strstr(r.err, what) == NULL)
		fail_msg("\"%s\" does not mention \"%s\"", r.err, what);
	g_free(pfx);
	parsed_free(&r);
}

static void
expect_error(const char *text, uint64_t line, const char *what)
{
	expect_error_len(text, strlen(text), line, what);
}

/* ---- sniffing -------------------------------------------------------- */

static void
test_sniff(void **state)
{
	static const char *const yes[] = {
		"13191 1795914219.276873 execve(\"/usr/bin/sqlite3\", [\"sqlite3\", \"test.db\"], 0x7fff83734f48 /* 37 vars */) = 0 <0.002515>",
		"13318 01:03:55.303711 execve(\"/usr/bin/sh\", [\"sh\"], 0x7ffe /* 37 vars */) = 0 <0.000289>",
		"1795915414.802747 execve(\"/home/user/srv/zoo/zoo\", [], 0x7fff /* 37 vars */) = 0 <0.000361>",
		"15128 01:23:34.845552 (+     0.000000) execve(\"/z\", [\"/z\"], 0x7ffc /* 37 vars */) = 0 <0.000256>",
		"openat(AT_FDCWD</home/user/srv/zrun>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>",
		"[pid 15136] read(9<pipe:[26691]>,  <unfinished ...>",
		"strace: Process 15136 attached",
		"15099 1795915414.731214 +++ exited with 0 +++",
		"--- SIGCHLD {si_signo=SIGCHLD} ---",
	};
	static const char *const no[] = {
		"#vfssim-trace 1",
		"# T(ns) PID CALL RESULT DUR(ns) [KEY=VALUE]...",
		"1795914219276873000 13191 openat 3 64000 fd=AT_FDCWD path=\"/etc/ld.so.cache\"",
		"- 13191 close 0 -",
		"",
		"hello, world",
		"1795914219.27a execve(\"/x\") = 0",
		"\x1f\x8b\x08\x00\x00\x00\x00\x00",
	};
	guint i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(yes); i++)
		if (!strace_sniff(yes[i], strlen(yes[i])))
			fail_msg("not sniffed: %s", yes[i]);
	for (i = 0; i < G_N_ELEMENTS(no); i++)
		if (strace_sniff(no[i], strlen(no[i])))
			fail_msg("sniffed: %s", no[i]);
	/* a NUL makes it binary */
	assert_false(strace_sniff("close(3) = 0\0", 13));
}

/* ---- single calls ---------------------------------------------------- */

static void
test_openat_annotated(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	/* verbatim, d1 */
	parse_ok("13191 1795914219.280214 openat(AT_FDCWD</home/user/work>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> <0.000064>\n",
	    0, 1, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->kind, TC_CALL);
	assert_str(tc->name, "openat");
	assert_int_equal(tc->sc, SC_OPENAT);
	assert_int_equal(tc->pid, 13191);
	assert_true(tc->t_ns == INT64_C(1795914219280214000));
	assert_int_equal(tc->dur_ns, 64000);
	assert_int_equal(tc->line, 1);
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->fdpath, "/home/user/work");
	assert_str(tc->path, "/etc/ld.so.cache");
	assert_int_equal(tc->oflags, TO_RDONLY | TO_CLOEXEC);
	assert_int_equal(tc->ret, 3);
	assert_int_equal(tc->err, 0);
	assert_false(tc->ret_unknown);
	assert_str(tc->retpath, "/etc/ld.so.cache");
	assert_false(tc->ret_deleted);
	assert_null(tc->path2);
	assert_int_equal(tc->fd2, TC_NOFD);
	assert_int_equal(tc->mode, 0);
	parsed_free(&r);
}

static void
test_weird_name(void **state)
{
	struct parsed r;
	struct trace_call *tc;
	static const char want[] = "weird \"name\"\n\t\303\251\377.txt";

	(void)state;
	/* verbatim, 07-zoo.strace */
	parse_ok(
	    "15098 1795915414.688872 openat(3</home/user/srv/zrun/sub dir>, \"weird \\\"name\\\"\\n\\t\\303\\251\\377.txt\", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 4</home/user/srv/zrun/sub dir/weird \\\"name\\\"\\n\\t\\303\\251\\377.txt> <0.000020>\n"
	    "15098 1795915414.689102 dup2(4</home/user/srv/zrun/sub dir/weird \\\"name\\\"\\n\\t\\303\\251\\377.txt>, 20) = 20</home/user/srv/zrun/sub dir/weird \\\"name\\\"\\n\\t\\303\\251\\377.txt> <0.000007>\n"
	    /* the same name, -xx */
	    "15113 1795915414.772619 openat(3, \"\\x77\\x65\\x69\\x72\\x64\\x20\\x22\\x6e\\x61\\x6d\\x65\\x22\\x0a\\x09\\xc3\\xa9\\xff\\x2e\\x74\\x78\\x74\", 0x800c2 /* O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC */, 0600) = 4 <0.000021>\n",
	    0, 3, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->fd, 3);
	assert_str(tc->fdpath, "/home/user/srv/zrun/sub dir");
	assert_str(tc->path, want);
	assert_int_equal(tc->oflags, TO_RDWR | TO_CREAT | TO_EXCL | TO_CLOEXEC);
	assert_int_equal(tc->mode, 0600);
	assert_int_equal(tc->ret, 4);
	assert_str(tc->retpath, "/home/user/srv/zrun/sub dir/weird \"name\"\n\t\303\251\377.txt");

	tc = REC(&r, 1);
	assert_int_equal(tc->sc, SC_DUP2);
	assert_int_equal(tc->fd, 4);
	assert_int_equal(tc->fd2, 20);
	assert_str(tc->fdpath, "/home/user/srv/zrun/sub dir/weird \"name\"\n\t\303\251\377.txt");
	assert_null(tc->fdpath2);
	assert_int_equal(tc->ret, 20);

	tc = REC(&r, 2);
	assert_str(tc->path, want);
	assert_null(tc->fdpath);
	assert_int_equal(tc->oflags, TO_RDWR | TO_CREAT | TO_EXCL | TO_CLOEXEC);
	parsed_free(&r);
}

static void
test_deleted(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	/* verbatim, 07-zoo.strace */
	parse_ok(
	    "15098 1795915414.709924 openat(AT_FDCWD</home/user/srv/zrun>, \".\", O_RDWR|O_TMPFILE, 0600) = 8</home/user/srv/zrun/#10969106>(deleted) <0.000034>\n"
	    "15098 1795915414.710041 write(8</home/user/srv/zrun/#10969106>(deleted), \"tmp\", 3) = 3 <0.000023>\n"
	    "15098 1795915414.732169 close(8</home/user/srv/zrun/#10969106>(deleted)) = 0 <0.000024>\n"
	    /* deleted in both arguments */
	    "15098 1795915414.732170 renameat(8</a>(deleted), \"x\", 9</b>(deleted), \"y\") = 0\n",
	    0, 4, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->oflags, TO_RDWR | TO_TMPFILE);
	assert_str(tc->path, ".");
	assert_str(tc->retpath, "/home/user/srv/zrun/#10969106");
	assert_true(tc->ret_deleted);
	assert_false(tc->fd_deleted);
	tc = REC(&r, 1);
	assert_int_equal(tc->sc, SC_WRITE);
	assert_int_equal(tc->fd, 8);
	assert_int_equal(tc->len, 3);
	assert_str(tc->fdpath, "/home/user/srv/zrun/#10969106");
	assert_true(tc->fd_deleted);
	assert_false(tc->ret_deleted);
	tc = REC(&r, 2);
	assert_int_equal(tc->sc, SC_CLOSE);
	assert_true(tc->fd_deleted);
	assert_int_equal(tc->dur_ns, 24000);
	tc = REC(&r, 3);
	assert_true(tc->fd_deleted);
	assert_true(tc->fd2_deleted);
	assert_str(tc->fdpath2, "/b");
	parsed_free(&r);
}

static void
test_results(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	parse_ok(
	    /* 0: no -T (a time stamp: a log without them on its first
	     * line has none on any, test_line_times) */
	    "1 1795914219.279000 access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)\n"
	    /* 1: hex, with an explanation */
	    "1 fcntl(4, F_GETFL) = 0x8c02 (flags O_RDWR|O_APPEND|O_NONBLOCK|O_LARGEFILE)\n"
	    /* 2: a pointer, padded to column 40 */
	    "1 1795914219.279563 brk(NULL)       = 0x5588995c0000 <0.000038>\n"
	    /* 3 */
	    "1 exit_group(0)                           = ?\n"
	    /* 4: interrupted, verbatim d2 */
	    "13198 1795914224.270217 pselect6(4, [3<pipe:[21829]>], NULL, NULL, NULL, {sigmask=[], sigsetsize=8}) = ? ERESTARTNOHAND (To be restarted if no handler) <0.000009>\n"
	    /* 5, 6 */
	    "1 read(0, 0x7ffc, 10) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
	    "1 nanosleep({tv_sec=1, tv_nsec=0}, 0x7ffc) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n"
	    /* 7 */
	    "1 close(3) = 0 <unavailable>\n"
	    /* 8: " = " and ")" inside names and annotations */
	    "1 openat(AT_FDCWD</a = b>, \"x = y) = 4\", O_RDONLY) = 3</a = b/x = y) = 4> <0.000010>\n"
	    /* 9 */
	    "1 poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)\n"
	    /* 10: verbatim d2 */
	    "13200 1795914224.218372 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 13202 <0.227333>\n"
	    "13200 1795914224.218373 wait4(13202, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 13202 <0.227333>\n"
	    /* 11 */
	    "1 restart_syscall(<... resuming interrupted read ...>) = 0\n"
	    /* 12 */
	    "1 capget({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_CHOWN|1<<CAP_KILL, permitted=1<<CAP_CHOWN, inheritable=0}) = 0\n"
	    /* 13: an error libc does not name */
	    "1 ioctl(3, 0x1234) = -1 ERRNO_999 (Unknown error 999)\n"
	    /* 14: a data buffer holding what looks like a result, verbatim d5 */
	    "13319 01:03:55.402476 read(6, \") = $fname =~ /^(.*)$/;\\n\\n    # I\"..., 10240) = 10240 <0.000011>\n"
	    /* 15 */
	    "1 write(1, \"x\", 1) = -1 EPIPE (Broken pipe)\n",
	    0, 16, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->ret, -1);
	assert_int_equal(tc->err, ENOENT);
	assert_int_equal(tc->dur_ns, -1);
	assert_true(tc->t_ns == INT64_C(1795914219279000000));
	assert_str(tc->path, "/etc/ld.so.preload");
	tc = REC(&r, 1);
	assert_int_equal(tc->ret, 0x8c02);
	assert_int_equal(tc->cmd, TCMD_F_GETFL);
	tc = REC(&r, 2);
	assert_true(tc->ret == INT64_C(0x5588995c0000));
	assert_int_equal(tc->dur_ns, 38000);
	tc = REC(&r, 3);
	assert_true(tc->ret_unknown);
	assert_str(tc->name, "exit_group");
	tc = REC(&r, 4);
	assert_false(tc->ret_unknown);
	assert_int_equal(tc->ret, -1);
	assert_int_equal(tc->err, EINTR);
	assert_int_equal(tc->dur_ns, 9000);
	assert_int_equal(REC(&r, 5)->err, EINTR);
	assert_int_equal(REC(&r, 6)->err, EINTR);
	assert_int_equal(REC(&r, 7)->dur_ns, -1);
	tc = REC(&r, 8);
	assert_str(tc->fdpath, "/a = b");
	assert_str(tc->path, "x = y) = 4");
	assert_str(tc->retpath, "/a = b/x = y) = 4");
	assert_int_equal(tc->ret, 3);
	assert_int_equal(tc->dur_ns, 10000);
	assert_int_equal(REC(&r, 9)->ret, 0);
	/* 10: the orphan resumed half is skipped */
	tc = REC(&r, 10);
	assert_int_equal(tc->sc, SC_WAIT4);
	assert_int_equal(tc->ret, 13202);
	assert_int_equal(tc->line, 12);
	assert_str(REC(&r, 11)->name, "restart_syscall");
	assert_int_equal(REC(&r, 12)->ret, 0);
	assert_int_equal(REC(&r, 13)->err, EINTR);
	tc = REC(&r, 14);
	assert_int_equal(tc->len, 10240);
	assert_int_equal(tc->ret, 10240);
	assert_int_equal(REC(&r, 15)->err, EPIPE);
	parsed_free(&r);
}

static void
test_timestamps(void **state)
{
	struct parsed r;
	const int64_t S = INT64_C(1000000000), DAY = 86400 * S;
	const int64_t t0 = (1 * 3600 + 3 * 60 + 55) * S;

	(void)state;
	parse_ok(
	    "1 1795914219.276873123 close(3) = 0\n"		/* -ttt, ns */
	    "1 1795914219.5 close(3) = 0\n"
	    "1 01:03:55.303711 close(3) = 0 <0.000041>\n"	/* -tt */
	    "1 01:03:55 close(3) = 0\n"			/* -t */
	    /* -tt -r, verbatim 07-zoo.proc-seccomp */
	    "15128 01:23:34.856556 (+     0.000095) clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f591f05b990, parent_tid=0x7f591f05b990, exit_signal=0, stack=0x7f591e85b000, stack_size=0x7fff80, tls=0x7f591f05b6c0} => {parent_tid=[15129]}, 88) = 15129 <0.000088>\n"
	    "1 close(3) = 0\n",				/* none */
	    0, 6, &r);
	assert_true(REC(&r, 0)->t_ns == INT64_C(1795914219276873123));
	assert_true(REC(&r, 1)->t_ns == INT64_C(1795914219500000000));
	assert_true(REC(&r, 2)->t_ns == t0 + 303711000);
	assert_int_equal(REC(&r, 2)->dur_ns, 41000);
	assert_true(REC(&r, 3)->t_ns == t0);
	assert_true(REC(&r, 4)->t_ns == (1 * 3600 + 23 * 60 + 34) * S + 856556000);
	assert_int_equal(REC(&r, 4)->dur_ns, 88000);
	assert_int_equal(REC(&r, 4)->ret, 15129);
	assert_int_equal(REC(&r, 4)->xflags, TX_CLONE_VM | TX_CLONE_FS |
	    TX_CLONE_FILES | TX_CLONE_THREAD);
	assert_true(REC(&r, 5)->t_ns == TC_NOTIME);
	parsed_free(&r);

	/* midnight: times of day keep growing; a straggler from before
	 * midnight stays before it */
	parse_ok(
	    "1 23:59:59.900000 close(3) = 0\n"
	    "2 23:59:59.950000 close(3) = 0\n"
	    "1 00:00:00.100000 close(3) = 0\n"
	    "2 23:59:59.990000 close(3) = 0\n"
	    "1 00:00:01.000000 close(3) = 0\n"
	    "1 12:00:00.000000 close(3) = 0\n"
	    "1 23:59:59.000000 close(3) = 0\n"
	    "1 00:00:02.000000 close(3) = 0\n",
	    0, 8, &r);
	assert_true(REC(&r, 0)->t_ns == DAY - 100000000);
	assert_true(REC(&r, 1)->t_ns == DAY - 50000000);
	assert_true(REC(&r, 2)->t_ns == DAY + 100000000);
	assert_true(REC(&r, 3)->t_ns == DAY - 10000000);
	assert_true(REC(&r, 4)->t_ns == DAY + S);
	assert_true(REC(&r, 5)->t_ns == DAY + DAY / 2);
	assert_true(REC(&r, 6)->t_ns == 2 * DAY - S);	/* the next evening */
	assert_true(REC(&r, 7)->t_ns == 2 * DAY + 2 * S);
	parsed_free(&r);

	/* -ttt seconds of 1 to 10 digits (the first eight are read a word
	 * at a time), leading zeros, a fraction of 1 to 12 digits (the
	 * first nine kept): the same nanoseconds as digit by digit */
	{
		GString *text = g_string_new(NULL);
		GArray *want = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GRand *rnd = g_rand_new_with_seed(14);
		guint j;

		for (j = 0; j < 400; j++) {
			int sd = 1 + (int)(j % 10), fd = 1 + (int)(j / 10 % 12);
			int64_t sec = 0, frac = 0, t;
			char digits[32];
			int d;

			for (d = 0; d < sd; d++) {
				digits[d] = (char)('0' + (j % 7 == 0 && d < 3 ? 0 :
				    g_rand_int_range(rnd, 0, 10)));
				sec = sec * 10 + (digits[d] - '0');
			}
			digits[sd] = '.';
			for (d = 0; d < fd; d++) {
				digits[sd + 1 + d] = (char)('0' +
				    g_rand_int_range(rnd, 0, 10));
				if (d < 9)
					frac = frac * 10 + (digits[sd + 1 + d] - '0');
			}
			for (d = fd; d < 9; d++)
				frac *= 10;
			digits[sd + 1 + fd] = '\0';
			if (sec > INT64_C(9000000000))
				continue;	/* past the bound: refused */
			t = sec * S + frac;
			g_array_append_val(want, t);
			g_string_append_printf(text, "1 %s close(3) = 0\n", digits);
		}
		parse_ok(text->str, 0, want->len, &r);
		for (j = 0; j < want->len; j++)
			assert_true(REC(&r, j)->t_ns ==
			    g_array_index(want, int64_t, j));
		parsed_free(&r);
		g_rand_free(rnd);
		g_array_free(want, TRUE);
		g_string_free(text, TRUE);
	}
}

static void
test_prefixes(void **state)
{
	struct parsed r;

	(void)state;
	/* stderr mode, verbatim 07-zoo.stderr-mode.txt */
	parse_ok(
	    "close(9</home/user/srv/zrun/sub dir>) = 0\n"
	    "strace: Process 15136 attached\n"
	    "[pid 15136] read(9<pipe:[26691]>,  <unfinished ...>\n"
	    "[pid 15135] write(11<pipe:[26691]>, \"x\", 1) = 1\n"
	    "[pid 15136] <... read resumed>\"x\", 1)   = 1\n"
	    "[pid 15136] +++ exited with 0 +++\n"
	    "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=15137, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
	    "[pid   123] close(3) = 0\n"
	    "77    close(3) = 0\n",
	    0, 6, &r);
	assert_int_equal(REC(&r, 0)->pid, 0);
	/* the first task, named once another was announced: still task 0
	 * (see test_stderr_lone_task) */
	assert_int_equal(REC(&r, 1)->pid, 0);
	assert_int_equal(REC(&r, 2)->pid, 15136);
	assert_int_equal(REC(&r, 2)->line, 3);
	assert_str(REC(&r, 2)->fdpath, "pipe:[26691]");
	assert_int_equal(REC(&r, 3)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 3)->pid, 15136);
	assert_int_equal(REC(&r, 4)->pid, 123);
	assert_int_equal(REC(&r, 5)->pid, 77);
	parsed_free(&r);

	/* an -ff file: the pid comes from its name */
	parse_ok("1795915414.817834 read(9<pipe:[25728]>, \"x\", 1) = 1 <0.020251>\n"
	    "1795915414.838284 +++ exited with 0 +++\n", 15121, 2, &r);
	assert_int_equal(REC(&r, 0)->pid, 15121);
	assert_int_equal(REC(&r, 1)->pid, 15121);
	assert_int_equal(REC(&r, 1)->kind, TC_EXIT);
	parsed_free(&r);
}

/*
 * strace's stderr form: a task's id is written before its line only while
 * more than one task is traced (strace's printleader: "[pid N] " when
 * nprocs > 1 and no -o), so a line without one is the only task's then.
 */
static void
test_stderr_lone_task(void **state)
{
	struct parsed r;

	(void)state;
	/* 07-zoo.stderr-mode.txt's shape: the first task's lines before and
	 * after its children's are one task, named by the one [pid N] no
	 * "attached" announced */
	parse_ok(
	    "openat(AT_FDCWD, \"a\", O_RDONLY) = 3\n"
	    "strace: Process 201 attached\n"
	    "[pid 201] read(9<pipe:[1]>,  <unfinished ...>\n"
	    "[pid 100] write(3, \"x\", 1) = 1\n"
	    "[pid 201] <... read resumed>\"x\", 1)   = 1\n"
	    "[pid 201] +++ exited with 0 +++\n"
	    "strace: Process 202 attached\n"
	    "[pid 202] close(4) = 0\n"
	    "[pid 202] +++ exited with 0 +++\n"
	    "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=202, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
	    "close(3) = 0\n"
	    "[pid 100] close(5) = 0\n"
	    "+++ exited with 0 +++\n",
	    0, 9, &r);
	assert_int_equal(REC(&r, 0)->pid, 0);		/* openat */
	assert_int_equal(REC(&r, 1)->pid, 0);		/* [pid 100] write */
	assert_int_equal(REC(&r, 2)->pid, 201);		/* read */
	assert_int_equal(REC(&r, 3)->pid, 201);		/* its exit */
	assert_int_equal(REC(&r, 4)->pid, 202);
	assert_int_equal(REC(&r, 5)->pid, 202);
	assert_int_equal(REC(&r, 6)->pid, 0);		/* close(3), alone again */
	assert_int_equal(REC(&r, 7)->pid, 0);		/* [pid 100] once more */
	assert_int_equal(REC(&r, 8)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 8)->pid, 0);
	parsed_free(&r);

	/* the first task exits first: the child left is the one unprefixed */
	parse_ok(
	    "close(3) = 0\n"
	    "strace: Process 201 attached\n"
	    "[pid 100] +++ exited with 0 +++\n"
	    "close(4) = 0\n"
	    "+++ exited with 0 +++\n",
	    0, 4, &r);
	assert_int_equal(REC(&r, 0)->pid, 0);
	assert_int_equal(REC(&r, 1)->pid, 0);
	assert_int_equal(REC(&r, 1)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 2)->pid, 201);
	assert_int_equal(REC(&r, 3)->pid, 201);
	assert_int_equal(REC(&r, 3)->kind, TC_EXIT);
	parsed_free(&r);

	/* -q: nothing announced, so a new id may be a child's as well as the
	 * first task's: each is taken as its own */
	parse_ok(
	    "close(3) = 0\n"
	    "[pid 201] close(4) = 0\n"
	    "[pid 100] close(5) = 0\n",
	    0, 3, &r);
	assert_int_equal(REC(&r, 0)->pid, 0);
	assert_int_equal(REC(&r, 1)->pid, 201);
	assert_int_equal(REC(&r, 2)->pid, 100);
	parsed_free(&r);

	/* -p: the task attached to is announced, and its lines are its */
	parse_ok(
	    "strace: Process 300 attached\n"
	    "close(3) = 0\n"
	    "strace: Process 300 detached\n",
	    0, 1, &r);
	assert_int_equal(REC(&r, 0)->pid, 300);
	parsed_free(&r);

	/* -o -f's "PID " form names every line's task, and an -ff file's
	 * lines are all its own task's, "attached" or not */
	parse_ok(
	    "strace: Process 201 attached\n"
	    "100   close(3) = 0\n"
	    "201   close(4) = 0\n",
	    0, 2, &r);
	assert_int_equal(REC(&r, 0)->pid, 100);
	assert_int_equal(REC(&r, 1)->pid, 201);
	parsed_free(&r);
	parse_ok(
	    "strace: Process 201 attached\n"
	    "close(3) = 0\n",
	    15121, 1, &r);
	assert_int_equal(REC(&r, 0)->pid, 15121);
	parsed_free(&r);
}

/*
 * On stderr strace announces a task it begins to follow right after
 * another's half-written line, whose rest comes on the next line: "
 * <unfinished ...>" when another task prints next, else the call's end
 * (verbatim from a capture with strace 6.1, -f -ttt -T -y -Y, no -o, but
 * for the second form, and the last line's name, made up).  -Y writes
 * each task's command after its id, "[pid 585<sh>]" (its '<' and '>'
 * escaped, so the first '>' ends it), and after a pid a call returns.
 */
static void
test_stderr_cut_lines(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "1796647619.039359 rt_sigprocmask(SIG_SETMASK, ~[RTMIN RT_1], NULL, 8) = 0 <0.000013>\n"
	    "1796647619.039410 vfork(strace: Process 585 attached\n"
	    " <unfinished ...>\n"
	    "[pid   585<sh>] 1796647619.040078 rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0 <0.000027>\n"
	    "[pid   584<sh>] 1796647619.040428 <... vfork resumed>) = 585<cat> <0.000998>\n"
	    "[pid   585<cat>] 1796647619.041000 close(3) = 0 <0.000010>\n"
	    "[pid   584<sh>] 1796647619.042000 vfork(strace: Process 586 attached\n"
	    ") = 586 <0.000900>\n"
	    "[pid   586<we\\74i\\76rd n\\1me>] 1796647619.043000 close(4) = 0 <0.000010>\n",
	    0, 6, &r);
	assert_int_equal(REC(&r, 0)->sc, SC_OTHER);	/* rt_sigprocmask */
	assert_int_equal(REC(&r, 1)->sc, SC_VFORK);	/* the cut one, */
	assert_int_equal(REC(&r, 1)->pid, 0);		/* the first task's */
	assert_int_equal(REC(&r, 1)->ret, 585);
	assert_int_equal(REC(&r, 1)->line, 2);		/* where it began */
	assert_int_equal(REC(&r, 2)->pid, 585);		/* the child's own */
	assert_int_equal(REC(&r, 3)->pid, 585);
	assert_int_equal(REC(&r, 3)->sc, SC_CLOSE);
	assert_int_equal(REC(&r, 4)->sc, SC_VFORK);	/* its rest at once */
	assert_int_equal(REC(&r, 4)->ret, 586);
	assert_int_equal(REC(&r, 4)->pid, 0);
	assert_int_equal(REC(&r, 5)->pid, 586);		/* an odd command */
	parsed_free(&r);
	/* the last line a half one: cut short, named by its own line */
	expect_error("close(3) = 0\n"
	    "vfork(strace: Process 585 attached\n", 2, "vfork: no ')'");
}

/*
 * Linux AIO (verbatim from captures with strace 6.1, -f -ttt -T -y, the
 * last two with -X raw, of traces/formats/12-aio.c and a PREADV and NOOP
 * made the same way): io_submit's requests into path2 as "OP FD OFFSET
 * LENGTH DATA" (tc_iocb_next), the first one's descriptor the call's;
 * io_getevents' completions as "DATA RESULT"; the context in arg.
 * PREADV's lengths come from its iovec; a no-op is no request.
 */
static void
test_aio_calls(void **state)
{
	struct parsed r;
	struct trace_call *tc;
	struct tc_iocb io;
	const char *s;
	uint64_t data;
	int64_t res;

	(void)state;
	parse_ok(
	    "2937  1796649152.469823 io_setup(8, [0x7f31cf4f4000]) = 0 <0.000036>\n"
	    "2937  1796649152.470095 io_submit(0x7f31cf4f4000, 4, [{aio_data=0x64, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3</tmp/cap3/data>, aio_buf=0x561f07715060, aio_nbytes=65536, aio_offset=0}, {aio_data=0x65, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3</tmp/cap3/data>, aio_buf=0x561f07725060, aio_nbytes=65536, aio_offset=65536}, {aio_data=0x66, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3</tmp/cap3/data>, aio_buf=0x561f07735060, aio_nbytes=65536, aio_offset=131072}, {aio_data=0x67, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3</tmp/cap3/data>, aio_buf=0x561f07745060, aio_nbytes=65536, aio_offset=196608}]) = 4 <0.000245>\n"
	    "2937  1796649152.470419 io_getevents(0x7f31cf4f4000, 4, 4, [{data=0x64, obj=0x7ffea13ab4d0, res=65536, res2=0}, {data=0x65, obj=0x7ffea13ab510, res=65536, res2=0}, {data=0x66, obj=0x7ffea13ab550, res=65536, res2=0}, {data=0x67, obj=0x7ffea13ab590, res=3392, res2=0}], NULL) = 4 <0.000013>\n"
	    "2937  1796649152.470769 io_submit(0x7f31cf4f4000, 1, [{aio_data=0x64, aio_lio_opcode=IOCB_CMD_FDSYNC, aio_fildes=4</tmp/cap3/out>}]) = 1 <0.000167>\n"
	    "2937  1796649152.472359 io_destroy(0x7f31cf4f4000) = 0 <0.031603>\n"
	    "3528  1796649161.344612 io_submit(0x7fe738f95000, 1, [{aio_data=0, aio_lio_opcode=IOCB_CMD_PREADV, aio_fildes=3</tmp/cap3/data>, aio_buf=[{iov_base=0x562980ed7040, iov_len=4096}, {iov_base=0x562980ed5040, iov_len=8192}], aio_offset=4096}]) = 1 <0.000047>\n"
	    "3533  1796649161.379467 io_submit(0x7f6480a7c000, 1, [{aio_data=0, aio_lio_opcode=7, aio_fildes=3</tmp/cap3/data>, aio_buf=[{iov_base=0x55f7f24d5040, iov_len=4096}, {iov_base=0x55f7f24d3040, iov_len=8192}], aio_offset=4096}]) = 1 <0.000065>\n"
	    "3533  1796649161.379707 io_submit(0x7f6480a7c000, 1, [{aio_data=0, aio_lio_opcode=6, aio_fildes=3</tmp/cap3/data>}]) = -1 EINVAL (Invalid argument) <0.000038>\n"
	    , 0, 8, &r);
	assert_int_equal(REC(&r, 0)->sc, SC_OTHER);	/* io_setup */
	tc = REC(&r, 1);
	assert_int_equal(tc->sc, SC_IO_SUBMIT);
	assert_int_equal(tc->arg, 0x7f31cf4f4000LL);
	assert_int_equal(tc->len, 4);
	assert_int_equal(tc->ret, 4);
	assert_int_equal(tc->fd, 3);
	assert_str(tc->fdpath, "/tmp/cap3/data");
	assert_str(tc->path2, "r 3 0 65536 100;r 3 65536 65536 101;"
	    "r 3 131072 65536 102;r 3 196608 65536 103");
	s = tc->path2;
	assert_true(tc_iocb_next(&s, &io));
	assert_int_equal(io.op, 'r');
	assert_int_equal(io.fd, 3);
	assert_int_equal(io.off, 0);
	assert_int_equal(io.len, 65536);
	assert_int_equal(io.data, 100);
	tc = REC(&r, 2);
	assert_int_equal(tc->sc, SC_IO_GETEVENTS);
	assert_int_equal(tc->arg, 0x7f31cf4f4000LL);
	assert_str(tc->path2, "100 65536;101 65536;102 65536;103 3392");
	s = tc->path2;
	assert_true(tc_event_next(&s, &data, &res));
	assert_int_equal(data, 100);
	assert_int_equal(res, 65536);
	assert_str(REC(&r, 3)->path2, "d 4 0 0 100");	/* IOCB_CMD_FDSYNC */
	assert_int_equal(REC(&r, 4)->sc, SC_IO_DESTROY);
	assert_int_equal(REC(&r, 4)->arg, 0x7f31cf4f4000LL);
	assert_str(REC(&r, 5)->path2, "r 3 4096 12288 0");	/* PREADV */
	assert_str(REC(&r, 6)->path2, "r 3 4096 12288 0");	/* -X raw */
	assert_null(REC(&r, 7)->path2);			/* IOCB_CMD_NOOP */
	parsed_free(&r);
	/* (made up) a request the kernel refused, at a negative offset:
	 * left out; aio_data past INT64_MAX wraps, as strace's numbers do */
	parse_ok("1 io_submit(0x7f, 2, [{aio_data=0xffffffffffffffff, aio_lio_opcode=IOCB_CMD_PREAD, aio_fildes=3, aio_buf=0x1, aio_nbytes=512, aio_offset=-512}, {aio_data=0xffffffffffffffff, aio_lio_opcode=IOCB_CMD_PWRITE, aio_fildes=4, aio_buf=0x1, aio_nbytes=512, aio_offset=0}]) = 1\n",
	    0, 1, &r);
	assert_str(REC(&r, 0)->path2, "w 4 0 512 -1");
	assert_int_equal(REC(&r, 0)->fd, 4);
	parsed_free(&r);
	/* what tc_iocb_next and tc_event_next take: nothing malformed */
	s = "r 3 0 1 2;x 3 0 1 2";
	assert_true(tc_iocb_next(&s, &io));
	assert_false(tc_iocb_next(&s, &io));
	s = "r 3 0 1";
	assert_false(tc_iocb_next(&s, &io));
	s = "w -3 0 1 2";
	assert_false(tc_iocb_next(&s, &io));
	s = "w 3 0 12345678901234567890 2";
	assert_false(tc_iocb_next(&s, &io));
	s = "5";
	assert_false(tc_event_next(&s, &data, &res));
	s = "-9223372036854775808 1";		/* past int64_t's range */
	assert_false(tc_event_next(&s, &data, &res));
	s = "-9223372036854775807 1";
	assert_true(tc_event_next(&s, &data, &res));
	assert_int_equal((int64_t)data, -INT64_MAX);
}

/*
 * A log without time stamps (strace -f -o, no -t): the order of its lines
 * is the order things happened in, kept as the records' times -- each the
 * line that completed the record, strace printing a call when it returns
 * (a split call's "resumed" line) -- so that it can order the processes
 * (trace_reader_line_times).  -T's durations are kept as they are.
 */
static void
test_line_times(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "100   openat(AT_FDCWD, \"a\", O_RDONLY) = 3\n"
	    "101   read(3,  <unfinished ...>\n"
	    "\n"
	    "100   close(3) = 0 <0.000010>\n"
	    "101   <... read resumed>\"x\", 1) = 1\n"
	    "101   +++ exited with 0 +++\n",
	    0, 4, &r);
	assert_true(r.line_times);
	assert_int_equal(REC(&r, 0)->t_ns, 1);		/* openat */
	assert_int_equal(REC(&r, 1)->t_ns, 4);		/* close */
	assert_int_equal(REC(&r, 1)->dur_ns, 10000);	/* its <0.000010> */
	assert_string_equal(REC(&r, 2)->name, "read");
	assert_int_equal(REC(&r, 2)->line, 2);		/* where it began */
	assert_int_equal(REC(&r, 2)->t_ns, 5);		/* where it returned */
	assert_int_equal(REC(&r, 3)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 3)->t_ns, 6);
	parsed_free(&r);

	/* with time stamps, the times are the log's */
	parse_ok("100   1795915414.817834 close(3) = 0 <0.000010>\n", 0, 1, &r);
	assert_false(r.line_times);
	assert_true(REC(&r, 0)->t_ns == INT64_C(1795915414817834000));
	assert_true(REC(&r, 0)->dur_ns == 10000);
	parsed_free(&r);

	/* a time stamp in a log whose first line has none: not one log */
	expect_error("100   close(3) = 0\n"
	    "100   1795915414.817834 close(4) = 0\n", 2,
	    "strace stamps every line or none");

	/* an -ff member's lines are one task's among the set's: no times */
	parse_ok("close(3) = 0\n", 15121, 1, &r);
	assert_false(r.line_times);
	assert_true(REC(&r, 0)->t_ns == TC_NOTIME);
	parsed_free(&r);
}

/*
 * -r without -t: each line's stamp is the time since the line before's
 * (strace's printleader, "%6ld.%06ld ": right-aligned, so a line without a
 * task's id begins with blanks), the first line's 0.  The times are their
 * sum; a split call's entry is its first half's.
 */
static void
test_relative(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "     0.000000 openat(AT_FDCWD, \"a\", O_RDONLY) = 3 <0.000020>\n"
	    "     0.000120 read(3, \"x\", 1) = 1\n"
	    "     1.500000 close(3) = 0\n",
	    0, 3, &r);
	assert_false(r.line_times);
	assert_int_equal(REC(&r, 0)->t_ns, 0);
	assert_int_equal(REC(&r, 0)->dur_ns, 20000);
	assert_int_equal(REC(&r, 1)->t_ns, 120000);
	assert_int_equal(REC(&r, 2)->t_ns, 1500120000);
	parsed_free(&r);

	/* -f -o -r: the task's id first; a split call's time is its first
	 * half's, the second half's stamp counted in the sum */
	parse_ok(
	    "100        0.000000 read(3,  <unfinished ...>\n"
	    "101        0.000010 close(4) = 0\n"
	    "100        0.000005 <... read resumed>\"x\", 1) = 1\n"
	    "101        0.000100 +++ exited with 0 +++\n",
	    0, 3, &r);
	assert_int_equal(REC(&r, 0)->pid, 101);
	assert_int_equal(REC(&r, 0)->t_ns, 10000);
	assert_int_equal(REC(&r, 1)->pid, 100);
	assert_int_equal(REC(&r, 1)->t_ns, 0);
	assert_int_equal(REC(&r, 2)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 2)->t_ns, 115000);
	parsed_free(&r);

	/* -ttt's seconds are not 0 on the first line: as they are */
	parse_ok("100   1795915414.817834 close(3) = 0\n"
	    "100   1795915414.817900 close(4) = 0\n", 0, 2, &r);
	assert_true(REC(&r, 1)->t_ns == INT64_C(1795915414817900000));
	parsed_free(&r);

	/* whole seconds (--timestamps=unix,s; -r with precision:s): a
	 * number past Linux's largest task id at a line's start is a stamp */
	parse_ok("1234  1795914219 close(3) = 0\n"
	    "1795914220 close(4) = 0\n", 0, 2, &r);
	assert_int_equal(REC(&r, 0)->pid, 1234);
	assert_true(REC(&r, 0)->t_ns == INT64_C(1795914219000000000));
	assert_int_equal(REC(&r, 1)->pid, 0);
	assert_true(REC(&r, 1)->t_ns == INT64_C(1795914220000000000));
	parsed_free(&r);
	parse_ok("     0 close(3) = 0\n     2 close(4) = 0\n", 0, 2, &r);
	assert_true(REC(&r, 1)->t_ns == INT64_C(2000000000));
	parsed_free(&r);

	/* a time of day among -r's stamps: not one log */
	expect_error("     0.000000 close(3) = 0\n"
	    "01:03:55.303711 close(4) = 0\n", 2, "relative time stamps");

	/* an -ff member's stamps count from the line before in any of the
	 * set's files: no time */
	parse_ok("     0.000342 close(3) = 0\n"
	    "     0.000100 close(4) = 0\n", 15121, 2, &r);
	assert_true(REC(&r, 0)->t_ns == TC_NOTIME);
	assert_true(REC(&r, 1)->t_ns == TC_NOTIME);
	parsed_free(&r);
}

/* -n's syscall number and -i's instruction pointer after the time stamp
 * (strace's printleader: "[%4lu] ", "[%016lx] ", "[?]" where not known,
 * eight digits for a 32-bit task's pointer). */
static void
test_number_and_pointer(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "1234  1795914219.279563 [00007f186d8b3e7b] openat(AT_FDCWD, \"/a\", O_RDONLY) = 3 <0.000010>\n"
	    "[pid  1235] [f7f1a2b4] close(4) = 0\n"
	    "1234  1795914219.279663 [????????????????] +++ exited with 0 +++\n"
	    "1236  1795914219.279700 [   3] [00007f186d8b3e7b] close(5) = 0\n"
	    "1236  1795914219.279800 [?] [?] +++ exited with 0 +++\n",
	    0, 5, &r);
	assert_string_equal(REC(&r, 0)->name, "openat");
	assert_str(REC(&r, 0)->path, "/a");
	assert_true(REC(&r, 0)->t_ns == INT64_C(1795914219279563000));
	assert_int_equal(REC(&r, 1)->pid, 1235);
	assert_int_equal(REC(&r, 1)->fd, 4);
	assert_int_equal(REC(&r, 2)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 3)->fd, 5);
	assert_int_equal(REC(&r, 4)->kind, TC_EXIT);
	parsed_free(&r);
	expect_error("1234  1795914219.279563 [0x7f18] close(3) = 0\n", 1,
	    "of -n or -i");
}

/* -C: the summary table strace writes at the end of the log, after the
 * calls, is not calls; -c's table alone has none to replay. */
static void
test_summary_table(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "100   1795914219.279563 close(3) = 0 <0.000010>\n"
	    "100   1795914219.279663 +++ exited with 0 +++\n"
	    "% time     seconds  usecs/call     calls    errors syscall\n"
	    "------ ----------- ----------- --------- --------- ----------------\n"
	    "100.00    0.000010          10         1           close\n"
	    "------ ----------- ----------- --------- --------- ----------------\n"
	    "100.00    0.000010          10         1           total\n",
	    0, 2, &r);
	assert_string_equal(REC(&r, 0)->name, "close");
	assert_int_equal(REC(&r, 1)->kind, TC_EXIT);
	parsed_free(&r);
	expect_error("% time     seconds  usecs/call     calls    errors syscall\n"
	    "------ ----------- ----------- --------- --------- ----------------\n",
	    1, "no calls to replay");
}

/* ---- split calls ----------------------------------------------------- */

static void
test_unfinished_resumed(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	/* verbatim d2 (lines 383-398), starting with an orphan "resumed" */
	parse_ok(
	    "13199 1795914223.965765 access(\"/etc/ld.so.preload\", R_OK <unfinished ...>\n"
	    "13200 1795914223.965788 <... rt_sigaction resumed>NULL, 8) = 0 <0.000024>\n"
	    "13200 1795914223.965802 rt_sigaction(SIGTERM, NULL,  <unfinished ...>\n"
	    "13199 1795914223.965814 <... access resumed>) = -1 ENOENT (No such file or directory) <0.000038>\n"
	    "13200 1795914223.965830 <... rt_sigaction resumed>{sa_handler=0x55e221042600, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f186d6c4050}, 8) = 0 <0.000021>\n"
	    "13200 1795914223.965846 rt_sigaction(SIGTERM, {sa_handler=SIG_DFL, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f186d6c4050},  <unfinished ...>\n"
	    "13199 1795914223.965860 openat(AT_FDCWD</home/user/srv/proj>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC <unfinished ...>\n"
	    "13200 1795914223.965893 <... rt_sigaction resumed>NULL, 8) = 0 <0.000037>\n"
	    "13200 1795914223.965908 rt_sigaction(SIGSTKFLT, NULL,  <unfinished ...>\n"
	    "13199 1795914223.965916 <... openat resumed>) = 3</etc/ld.so.cache> <0.000032>\n"
	    "13200 1795914223.965966 <... rt_sigaction resumed>{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0 <0.000052>\n"
	    "13200 1795914223.965984 rt_sigaction(SIGSTKFLT, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x7f186d6c4050},  <unfinished ...>\n"
	    "13199 1795914223.965997 newfstatat(3</etc/ld.so.cache>, \"\",  <unfinished ...>\n"
	    "13200 1795914223.966019 <... rt_sigaction resumed>NULL, 8) = 0 <0.000026>\n"
	    "13200 1795914223.966032 rt_sigaction(SIGCHLD, NULL,  <unfinished ...>\n"
	    "13199 1795914223.966044 <... newfstatat resumed>{st_mode=S_IFREG|0644, st_size=45723, ...}, AT_EMPTY_PATH) = 0 <0.000033>\n"
	    /* older strace: a space after "resumed>" */
	    "13200 1795914223.966100 <... rt_sigaction resumed> {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0 <0.000050>\n",
	    0, 8, &r);
	tc = REC(&r, 0);
	assert_str(tc->name, "access");
	assert_int_equal(tc->pid, 13199);
	assert_true(tc->t_ns == INT64_C(1795914223965765000));	/* entry time */
	assert_int_equal(tc->dur_ns, 38000);
	assert_int_equal(tc->line, 1);				/* entry line */
	assert_str(tc->path, "/etc/ld.so.preload");
	assert_int_equal(tc->err, ENOENT);
	tc = REC(&r, 1);
	assert_str(tc->name, "rt_sigaction");
	assert_int_equal(tc->line, 3);
	assert_int_equal(tc->sc, SC_OTHER);
	tc = REC(&r, 3);
	assert_int_equal(tc->sc, SC_OPENAT);
	assert_int_equal(tc->line, 7);
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->fdpath, "/home/user/srv/proj");
	assert_str(tc->path, "/etc/ld.so.cache");
	assert_int_equal(tc->oflags, TO_CLOEXEC);
	assert_str(tc->retpath, "/etc/ld.so.cache");
	assert_int_equal(tc->dur_ns, 32000);
	tc = REC(&r, 6);
	assert_int_equal(tc->sc, SC_NEWFSTATAT);
	assert_int_equal(tc->fd, 3);
	assert_str(tc->path, "");
	assert_int_equal(tc->st_type, TT_REG);
	assert_int_equal(tc->st_size, 45723);
	assert_int_equal(tc->atflags, TAT_EMPTY_PATH);
	tc = REC(&r, 7);
	assert_str(tc->name, "rt_sigaction");
	assert_int_equal(tc->line, 15);
	assert_int_equal(tc->dur_ns, 50000);
	parsed_free(&r);
}

/* verbatim d2, lines 1021-1042: a vfork whose child runs before it
 * returns, while another process keeps going */
static const char vfork_fixture[] =
	"13200 1795914223.977931 newfstatat(AT_FDCWD</home/user/srv/proj>, \"/usr/bin/cc\",  <unfinished ...>\n"
	"13199 1795914223.977950 pipe2( <unfinished ...>\n"
	"13200 1795914223.977983 <... newfstatat resumed>{st_mode=S_IFREG|0755, st_size=1301496, ...}, 0) = 0 <0.000040>\n"
	"13199 1795914223.978000 <... pipe2 resumed>[3<pipe:[22735]>, 4<pipe:[22735]>], O_CLOEXEC) = 0 <0.000044>\n"
	"13200 1795914223.978031 readlink(\"/usr\",  <unfinished ...>\n"
	"13199 1795914223.978048 vfork( <unfinished ...>\n"
	"13200 1795914223.978063 <... readlink resumed>0x7ffcfc6fb570, 1023) = -1 EINVAL (Invalid argument) <0.000023>\n"
	"13200 1795914223.978137 readlink(\"/usr/bin\",  <unfinished ...>\n"
	"13201 1795914223.978162 close(3<pipe:[22735]> <unfinished ...>\n"
	"13200 1795914223.978187 <... readlink resumed>0x7ffcfc6fb570, 1023) = -1 EINVAL (Invalid argument) <0.000040>\n"
	"13201 1795914223.978205 <... close resumed>) = 0 <0.000023>\n"
	"13200 1795914223.978219 readlink(\"/usr/bin/cc\",  <unfinished ...>\n"
	"13201 1795914223.978235 execve(\"/usr/lib/gcc/x86_64-linux-gnu/12/cc1\", [\"/usr/lib/gcc/x86_64-linux-gnu/12\"..., \"-quiet\", \"-imultiarch\", \"x86_64-linux-gnu\", \"f1.c\", \"-quiet\", \"-dumpbase\", \"f1.c\", \"-dumpbase-ext\", \".c\", \"-mtune=generic\", \"-march=x86-64\", \"-O2\", \"-fasynchronous-unwind-tables\", \"-o\", \"/tmp/ccQlaYSL.s\"], 0x16011290 /* 44 vars */ <unfinished ...>\n"
	"13200 1795914223.978265 <... readlink resumed>\"/etc/alternatives/cc\", 1023) = 20 <0.000036>\n"
	"13200 1795914223.978378 readlink(\"/etc\", 0x7ffcfc6fb570, 1023) = -1 EINVAL (Invalid argument) <0.000061>\n"
	"13200 1795914223.978495 readlink(\"/etc/alternatives\", 0x7ffcfc6fb570, 1023) = -1 EINVAL (Invalid argument) <0.000043>\n"
	"13200 1795914223.978591 readlink(\"/etc/alternatives/cc\", \"/usr/bin/gcc\", 1023) = 12 <0.000040>\n"
	"13200 1795914223.978685 readlink(\"/usr\", 0x7ffcfc6fb570, 1023) = -1 EINVAL (Invalid argument) <0.000072>\n"
	"13199 1795914223.978816 <... vfork resumed>) = 13201 <0.000761>\n"
	"13199 1795914223.978835 close(4<pipe:[22735]>) = 0 <0.000014>\n"
	"13199 1795914223.978881 read(3<pipe:[22735]>, \"\", 16) = 0 <0.000008>\n"
	"13199 1795914223.978912 close(3<pipe:[22735]>) = 0 <0.000013>\n";

static void
test_vfork_holdback(void **state)
{
	static const struct { int pid; const char *name; int line; } want[] = {
		{ 13200, "newfstatat", 1 }, { 13199, "pipe2", 2 },
		{ 13199, "vfork", 6 },
		/* completed while the vfork was unfinished, held back */
		{ 13200, "readlink", 5 }, { 13200, "readlink", 8 },
		{ 13201, "close", 9 }, { 13200, "readlink", 12 },
		{ 13200, "readlink", 15 }, { 13200, "readlink", 16 },
		{ 13200, "readlink", 17 }, { 13200, "readlink", 18 },
		{ 13199, "close", 20 }, { 13199, "read", 21 },
		{ 13199, "close", 22 },
		/* never resumed before the end of the trace */
		{ 13201, "execve", 13 },
	};
	struct parsed r;
	struct trace_call *tc;
	guint i;

	(void)state;
	parse_ok(vfork_fixture, 0, G_N_ELEMENTS(want), &r);
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		tc = REC(&r, i);
		if (tc->pid != want[i].pid || strcmp(tc->name, want[i].name) != 0 ||
		    (int)tc->line != want[i].line)
			fail_msg("record %u: %d %s line %d, want %d %s line %d", i,
			    tc->pid, tc->name, (int)tc->line, want[i].pid,
			    want[i].name, want[i].line);
	}
	tc = REC(&r, 1);
	assert_int_equal(tc->rfd[0], 3);
	assert_int_equal(tc->rfd[1], 4);
	assert_str(tc->retpath, "pipe:[22735]");
	assert_int_equal(tc->oflags, TO_CLOEXEC);
	tc = REC(&r, 2);
	assert_int_equal(tc->sc, SC_VFORK);
	assert_int_equal(tc->ret, 13201);
	assert_int_equal(tc->xflags, TX_CLONE_VFORK | TX_CLONE_VM);
	assert_true(tc->t_ns == INT64_C(1795914223978048000));
	assert_int_equal(tc->dur_ns, 761000);
	tc = REC(&r, 5);
	assert_str(tc->fdpath, "pipe:[22735]");
	assert_int_equal(tc->fd, 3);
	tc = REC(&r, 14);
	assert_true(tc->ret_unknown);
	assert_int_equal(tc->dur_ns, -1);
	assert_str(tc->path, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1");
	parsed_free(&r);
}

static void
test_nested_clones(void **state)
{
	static const char *const want[] = {
		"100 clone3", "200 vfork", "101 close", "201 close", "300 close",
		"100 close",
	};
	struct parsed r;
	guint i;

	(void)state;
	parse_ok(
	    "100 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f186d61f000, stack_size=0x9000}, 88 <unfinished ...>\n"
	    "200 vfork( <unfinished ...>\n"
	    "101 close(3) = 0\n"
	    "201 close(4) = 0\n"
	    "200 <... vfork resumed>) = 201\n"
	    "300 close(5) = 0\n"
	    "100 <... clone3 resumed>) = 101\n"
	    "100 close(6) = 0\n",
	    0, G_N_ELEMENTS(want), &r);
	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		char *got = g_strdup_printf("%d %s", REC(&r, i)->pid,
		    REC(&r, i)->name);

		assert_string_equal(got, want[i]);
		g_free(got);
	}
	assert_int_equal(REC(&r, 0)->xflags, TX_CLONE_VM | TX_CLONE_VFORK);
	assert_int_equal(REC(&r, 0)->ret, 101);
	assert_int_equal(REC(&r, 1)->ret, 201);
	parsed_free(&r);
}

static void
test_never_resumed(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	parse_ok(
	    "10 1.000000 read(0,  <unfinished ...>\n"
	    "11 1.100000 close(3) = 0\n"
	    "10 1.200000 +++ killed by SIGKILL +++\n"
	    "12 1.300000 fork( <unfinished ...>\n"
	    "13 1.400000 close(3) = 0\n"
	    "14 1.500000 wait4(-1,  <unfinished ...>\n"
	    "13 1.600000 +++ killed by SIGSEGV (core dumped) +++\n"
	    "15 1.700000 +++ exited with 3 +++\n",
	    0, 8, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->pid, 11);
	tc = REC(&r, 1);
	assert_int_equal(tc->pid, 10);
	assert_int_equal(tc->sc, SC_READ);
	assert_true(tc->ret_unknown);
	assert_int_equal(tc->dur_ns, -1);
	assert_int_equal(tc->fd, 0);
	assert_int_equal(tc->len, -1);
	assert_true(tc->t_ns == 1000000000);
	tc = REC(&r, 2);
	assert_int_equal(tc->kind, TC_EXIT);
	assert_int_equal(tc->pid, 10);
	assert_int_equal(tc->ret, 128 + 9);
	assert_true(tc->t_ns == 1200000000);
	assert_str(tc->name, "+++");
	/* the fork that never returned holds its place: first of the rest */
	tc = REC(&r, 3);
	assert_int_equal(tc->sc, SC_FORK);
	assert_true(tc->ret_unknown);
	assert_int_equal(tc->line, 4);
	assert_int_equal(REC(&r, 4)->pid, 13);
	assert_int_equal(REC(&r, 4)->kind, TC_CALL);
	assert_int_equal(REC(&r, 5)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 5)->ret, 128 + 11);
	assert_int_equal(REC(&r, 6)->ret, 3);
	/* the end of the trace ends the wait4 */
	assert_int_equal(REC(&r, 7)->sc, SC_WAIT4);
	assert_true(REC(&r, 7)->ret_unknown);
	parsed_free(&r);

	/* the end of the trace ends the waiting calls, oldest first */
	parse_ok(
	    "14 1.500000 wait4(-1,  <unfinished ...>\n"
	    "12 1.600000 read(0,  <unfinished ...>\n"
	    "13 1.700000 close(3) = 0\n",
	    0, 3, &r);
	assert_int_equal(REC(&r, 0)->pid, 13);
	assert_int_equal(REC(&r, 1)->pid, 14);
	assert_int_equal(REC(&r, 2)->pid, 12);
	assert_true(REC(&r, 1)->ret_unknown);
	parsed_free(&r);
}

/* A thread other than the leader called execve. */
static void
test_superseded(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "20 futex(0x7f, FUTEX_WAIT, 0, NULL <unfinished ...>\n"
	    "21 execve(\"/bin/true\", [\"true\"], 0x7ffc /* 1 var */ <unfinished ...>\n"
	    "20 +++ superseded by execve in pid 21 +++\n"
	    "20 <... execve resumed>) = 0\n",
	    0, 3, &r);
	assert_str(REC(&r, 0)->name, "futex");
	assert_true(REC(&r, 0)->ret_unknown);
	assert_int_equal(REC(&r, 1)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 1)->pid, 21);
	assert_int_equal(REC(&r, 2)->sc, SC_EXECVE);
	assert_int_equal(REC(&r, 2)->pid, 20);
	assert_int_equal(REC(&r, 2)->ret, 0);
	assert_str(REC(&r, 2)->path, "/bin/true");
	parsed_free(&r);
}

/*
 * The same calls under other ABIs' names and Linux's later variants
 * (strace_calls.c: abi_aliases): each is the modelled call, named as it,
 * with its arguments where they differ.  The i386 lines are verbatim from
 * traces/d10-i386-tar-cp-find.strace.gz (32-bit coreutils on a 64-bit
 * host); the rest are as strace 6.1 prints those calls.
 */
static void
test_abi_aliases(void **state)
{
	struct parsed r;
	const struct trace_call *tc;
	guint i = 0;

	(void)state;
	parse_ok("11782 1796636878.391713 mmap2(0xf7f9e000, 20480, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3</usr/lib/i386-linux-gnu/libacl.so.1.1.2301>, 0x2000) = 0xf7f9e000 <0.000054>\n"
	    "11782 1796636878.400168 _llseek(5</etc/passwd>, 0, [0], SEEK_SET) = 0 <0.000022>\n"
	    "1 _llseek(3</usr/share/zoneinfo/Etc/UTC>, -60, [54], SEEK_CUR) = 0 <0.000022>\n"
	    "11786 1796636878.481675 _llseek(0<pipe:[289808]>, 0, 0xff95c2d0, SEEK_CUR) = -1 ESPIPE (Illegal seek) <0.000022>\n"
	    "11782 1796636878.395992 statfs64(\"/sys/fs/selinux\", 84, 0xff811f08) = -1 ENOENT (No such file or directory) <0.000036>\n"
	    /* 5 */
	    "1 fstatfs64(3</home/user/cap/x>, 84, {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=1, f_bfree=1, f_bavail=1, f_files=1, f_ffree=1, f_fsid={val=[0, 0]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID}) = 0\n"
	    "11784 1796636878.434720 fadvise64_64(4</home/user/cap/src/a/b/small>, 0, 0, POSIX_FADV_SEQUENTIAL) = 0 <0.000054>\n"
	    "1 arm_fadvise64_64(4</f>, POSIX_FADV_WILLNEED, 4096, 8192) = 0\n"
	    "1 fcntl64(3</f>, F_DUPFD_CLOEXEC, 3) = 4</f>\n"
	    "1 fchown32(4</f>, 1000, 1000) = 0\n"
	    /* 10 */
	    "1 stat64(\"/etc/passwd\", {st_mode=S_IFREG|0644, st_size=1882, ...}) = 0\n"
	    "1 fstatat64(AT_FDCWD, \"d\", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_SYMLINK_NOFOLLOW) = 0\n"
	    "1 getdents(3</d>, 0x8a3c /* 5 entries */, 32768) = 120\n"
	    "1 ftruncate64(3</f>, 70000) = 0\n"
	    "1 sync_file_range2(3</f>, SYNC_FILE_RANGE_WRITE, 0, 4096) = 0\n"
	    /* 15 */
	    "1 preadv2(3</f>, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"\", iov_len=4096}], 2, 8192, RWF_NOWAIT) = 3\n"
	    "1 preadv2(3</f>, [{iov_base=\"abc\", iov_len=100}], 1, -1, 0) = 3\n"
	    "1 pwritev2(3</f>, [{iov_base=\"xyz\", iov_len=3}], 1, 512, RWF_DSYNC) = 3\n"
	    "1 openat2(AT_FDCWD, \"/etc/passwd\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}, 24) = 3</etc/passwd>\n"
	    "1 openat2(5</d>, \"new\", {flags=O_WRONLY|O_CREAT|O_EXCL, mode=0640, resolve=RESOLVE_BENEATH}, 24) = 6</d/new>\n",
	    0, 20, &r);
	tc = REC(&r, i++);	/* mmap2: the offset as strace prints it, bytes */
	assert_int_equal(tc->sc, SC_MMAP);
	assert_string_equal(tc->name, "mmap");
	assert_int_equal(tc->len, 20480);
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->off, 0x2000);
	tc = REC(&r, i++);	/* _llseek: the offset it set is the result */
	assert_int_equal(tc->sc, SC_LSEEK);
	assert_string_equal(tc->name, "lseek");
	assert_int_equal(tc->cmd, TCMD_SEEK_SET);
	assert_int_equal(tc->ret, 0);
	assert_false(tc->ret_unknown);
	tc = REC(&r, i++);
	assert_int_equal(tc->off, -60);
	assert_int_equal(tc->cmd, TCMD_SEEK_CUR);
	assert_int_equal(tc->ret, 54);
	tc = REC(&r, i++);	/* failed: as traced */
	assert_int_equal(tc->ret, -1);
	assert_int_equal(tc->err, ESPIPE);
	tc = REC(&r, i++);	/* statfs64: the size argument passed over */
	assert_int_equal(tc->sc, SC_STATFS);
	assert_string_equal(tc->name, "statfs");
	assert_str(tc->path, "/sys/fs/selinux");
	assert_int_equal(tc->err, ENOENT);
	tc = REC(&r, i++);
	assert_int_equal(tc->sc, SC_FSTATFS);
	assert_int_equal(tc->fd, 3);
	tc = REC(&r, i++);	/* fadvise64_64 */
	assert_int_equal(tc->sc, SC_FADVISE64);
	assert_string_equal(tc->name, "fadvise64");
	assert_int_equal(tc->fd, 4);
	tc = REC(&r, i++);	/* arm's: advice second */
	assert_int_equal(tc->sc, SC_FADVISE64);
	assert_int_equal(tc->off, 4096);
	assert_int_equal(tc->len, 8192);
	tc = REC(&r, i++);
	assert_int_equal(tc->sc, SC_FCNTL);
	assert_int_equal(tc->cmd, TCMD_F_DUPFD_CLOEXEC);
	assert_int_equal(tc->arg, 3);
	assert_int_equal(tc->ret, 4);
	assert_int_equal(REC(&r, i++)->sc, SC_FCHOWN);
	tc = REC(&r, i++);
	assert_int_equal(tc->sc, SC_STAT);
	assert_string_equal(tc->name, "stat");
	assert_int_equal(tc->st_size, 1882);
	tc = REC(&r, i++);
	assert_int_equal(tc->sc, SC_NEWFSTATAT);
	assert_int_equal(tc->st_type, TT_DIR);
	assert_true(tc->atflags & TAT_SYMLINK_NOFOLLOW);
	tc = REC(&r, i++);	/* the old getdents */
	assert_int_equal(tc->sc, SC_GETDENTS64);
	assert_int_equal(tc->arg, 5);
	assert_int_equal(tc->len, 32768);
	tc = REC(&r, i++);
	assert_int_equal(tc->sc, SC_FTRUNCATE);
	assert_int_equal(tc->off, 70000);
	tc = REC(&r, i++);	/* sync_file_range2: flags second */
	assert_int_equal(tc->sc, SC_SYNC_FILE_RANGE);
	assert_int_equal(tc->arg, SFR_WRITE);
	assert_int_equal(tc->off, 0);
	assert_int_equal(tc->len, 4096);
	tc = REC(&r, i++);	/* preadv2 at an offset */
	assert_int_equal(tc->sc, SC_PREADV);
	assert_string_equal(tc->name, "preadv");
	assert_int_equal(tc->len, 4099);
	assert_int_equal(tc->off, 8192);
	tc = REC(&r, i++);	/* ... at -1: readv */
	assert_int_equal(tc->sc, SC_READV);
	assert_string_equal(tc->name, "readv");
	assert_int_equal(tc->len, 100);
	assert_int_equal(tc->off, TC_NOOFF);
	tc = REC(&r, i++);
	assert_int_equal(tc->sc, SC_PWRITEV);
	assert_int_equal(tc->off, 512);
	tc = REC(&r, i++);	/* openat2: flags from its open_how */
	assert_int_equal(tc->sc, SC_OPENAT);
	assert_string_equal(tc->name, "openat");
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->path, "/etc/passwd");
	assert_int_equal(tc->oflags, TO_CLOEXEC);
	assert_int_equal(tc->ret, 3);
	tc = REC(&r, i++);
	assert_int_equal(tc->fd, 5);
	assert_int_equal(tc->oflags, TO_WRONLY | TO_CREAT | TO_EXCL);
	assert_int_equal(tc->mode, 0640);
	parsed_free(&r);

	/* a name that is no call's stays unmodelled, as it was */
	parse_ok("1 stat65(\"/x\", 0x1) = 0\n", 0, 1, &r);
	assert_int_equal(REC(&r, 0)->sc, SC_OTHER);
	assert_string_equal(REC(&r, 0)->name, "stat65");
	parsed_free(&r);
}

/* futex, not modelled: its address and whether it waits or wakes, for
 * the causal order between threads (verbatim lines from a capture of zstd
 * -T2; the raw and verbose forms as strace -X prints them). */
static void
test_futex(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok("14583 1796638333.026079 futex(0x55ac8ed7b248, FUTEX_WAKE_PRIVATE, 1) = 1 <0.000024>\n"
	    "14585 1796638333.025120 futex(0x55ac8ed7b248, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, FUTEX_BITSET_MATCH_ANY) = 0 <0.000991>\n"
	    "1 futex(0x10, 0x80, 2, NULL) = -1 EAGAIN (Resource temporarily unavailable)\n"
	    "1 futex(0x20, 0x81 /* FUTEX_WAKE_PRIVATE */, 1) = 0\n"
	    "1 futex(0x30, FUTEX_LOCK_PI_PRIVATE, 0) = 0\n"
	    "1 futex(0x40, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2147483647, 0x44, 2) = 1\n",
	    0, 6, &r);
	assert_int_equal(REC(&r, 0)->sc, SC_OTHER);
	assert_int_equal(REC(&r, 0)->cmd, TCMD_FUTEX_WAKE);
	assert_int_equal(REC(&r, 0)->arg, 0x55ac8ed7b248);
	assert_int_equal(REC(&r, 1)->cmd, TCMD_FUTEX_WAIT);
	assert_int_equal(REC(&r, 1)->arg, 0x55ac8ed7b248);
	assert_int_equal(REC(&r, 2)->cmd, TCMD_FUTEX_WAIT);
	assert_int_equal(REC(&r, 2)->err, EAGAIN);
	assert_int_equal(REC(&r, 3)->cmd, TCMD_FUTEX_WAKE);
	assert_int_equal(REC(&r, 3)->arg, 0x20);
	assert_int_equal(REC(&r, 4)->cmd, TCMD_NONE);	/* PI: neither */
	assert_int_equal(REC(&r, 4)->arg, 0);
	assert_int_equal(REC(&r, 5)->cmd, TCMD_FUTEX_WAKE);
	parsed_free(&r);
}

/* mknod's node type and permissions; readahead's range. */
static void
test_mknod_readahead(void **state)
{
	struct parsed r;
	const struct trace_call *tc;

	(void)state;
	parse_ok("19686 1796637410.958808 mknodat(AT_FDCWD</home/user/cap>, \"ff\", S_IFIFO|0666) = 0 <0.000049>\n"
	    "1 mknod(\"/home/user/null2\", S_IFCHR|0666, makedev(0x1, 0x3)) = 0\n"
	    "1 mknodat(AT_FDCWD, \"f\", 0644) = 0\n"
	    "1 mknodat(AT_FDCWD, \"s\", 0140755) = 0\n"
	    "1 mknod(\"b\", S_IFBLK|0600, makedev(0x8, 0)) = -1 EPERM (Operation not permitted)\n"
	    "1 readahead(3</f>, 4096, 65536) = 0\n",
	    0, 6, &r);
	tc = REC(&r, 0);	/* verbatim from traces/formats/09-mkfifo */
	assert_int_equal(tc->sc, SC_MKNODAT);
	assert_str(tc->fdpath, "/home/user/cap");
	assert_str(tc->path, "ff");
	assert_int_equal(tc->st_type, TT_FIFO);
	assert_int_equal(tc->mode, 0666);
	tc = REC(&r, 1);
	assert_int_equal(tc->sc, SC_MKNOD);
	assert_int_equal(tc->st_type, TT_CHR);
	tc = REC(&r, 2);	/* no type: a regular file */
	assert_int_equal(tc->st_type, TT_REG);
	assert_int_equal(tc->mode, 0644);
	tc = REC(&r, 3);	/* -X raw */
	assert_int_equal(tc->st_type, TT_SOCK);
	assert_int_equal(tc->mode, 0755);
	tc = REC(&r, 4);
	assert_int_equal(tc->st_type, TT_BLK);
	assert_int_equal(tc->err, EPERM);
	tc = REC(&r, 5);
	assert_int_equal(tc->sc, SC_READAHEAD);
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->off, 4096);
	assert_int_equal(tc->len, 65536);
	parsed_free(&r);
}

/* ---- argument forms -------------------------------------------------- */

static void
test_raw_flags(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	/* verbatim 07-zoo.yy-Xraw-s64 (-X raw), then made-up raw values */
	parse_ok(
	    "15106 1795915414.740504 openat(-100</home/user/srv/zrun>, \"sub dir\", 0x10000) = 3</home/user/srv/zrun/sub dir> <0.000009>\n"
	    "15106 1795915414.743261 openat(-100</home/user/srv/zrun>, \".\", 0x410002, 0600) = 8</home/user/srv/zrun/#10969125>(deleted) <0.000022>\n"
	    "15106 1795915414.743384 openat(-100</home/user/srv/zrun>, \"sub dir\", 0x90800) = 9</home/user/srv/zrun/sub dir> <0.000009>\n"
	    "15106 1795915414.742426 openat(-100</home/user/srv/zrun>, \"copy.dat\", 0x41, 0644) = 7</home/user/srv/zrun/copy.dat> <0.000018>\n"
	    "15106 1795915414.740878 dup3(4</x>, 21, 0x80000) = 21</x> <0.000009>\n"
	    "15106 1795915414.740938 fcntl(4</x>, 0x406, 30) = 30</x> <0.000007>\n"
	    "15106 1795915414.740977 fcntl(4</x>, 0x4, 0xc00) = 0 <0.000007>\n"
	    "15106 1795915414.741035 fcntl(4</x>, 0x2, 0x1) = 0 <0.000007>\n"
	    "15106 1795915414.741101 fcntl(4</x>, 0x25, {l_type=0x1, l_whence=0, l_start=0, l_len=100}) = -1 EAGAIN (Resource temporarily unavailable) <0.000008>\n"
	    "15106 1795915414.741136 flock(4</x>, 0x6) = 0 <0.000008>\n"
	    /* 10 */
	    "15106 1795915414.739924 lseek(3</x>, 8192, 0x4) = 12288 <0.000008>\n"
	    "15106 1795915414.739781 lseek(3</x>, 0, 0) = 0 <0.000007>\n"
	    "15106 1795915414.741885 newfstatat(-100</home/user/srv/zrun>, \"sub dir\", {st_mode=040755, st_size=4096, ...}, 0x100) = 0 <0.000008>\n"
	    "15106 1795915414.741989 statx(-100</home/user/srv/zrun>, \"sub dir/plain.dat\", |0x100, 0x7ff, {stx_mask=0x17ff, stx_attributes=0, stx_mode=0100644, stx_size=20000, ...}) = 0 <0.000008>\n"
	    "15106 1795915414.765251 unlinkat(-100</home/user/srv/zrun>, \"sub dir\", 0x200) = -1 ENOTEMPTY (Directory not empty) <0.000011>\n"
	    "15106 1795915414.742349 renameat2(3</home/user/srv/zrun/sub dir>, \"hard2\", -100</home/user/srv/zrun>, \"sub dir/renamed.dat\", 0x2) = 0 <0.000008>\n"
	    "15106 1795915414.743628 pipe2([9<pipe:[25707]>, 11<pipe:[25707]>], 0x80000) = 0 <0.000011>\n"
	    "1 faccessat2(3, \"plain.dat\", 0, 0x200) = 0\n"
	    "1 open(\"a\", 04010001) = 3\n"
	    "1 open(\"b\", 010002) = 3\n"
	    /* 20 */
	    "1 open(\"c\", 010000000) = 3\n"
	    "1 open(\"d\", 013767701) = 3\n"
	    "1 clone(child_stack=NULL, flags=0x3d0f00, child_tidptr=0x7f) = 5\n"
	    "1 clone(child_stack=NULL, flags=0x1200011, child_tidptr=0x7f) = 6\n"
	    "1 fcntl(4, 0x409, 0) = 0\n",
	    0, 25, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->fdpath, "/home/user/srv/zrun");
	assert_int_equal(tc->oflags, TO_DIRECTORY);
	tc = REC(&r, 1);
	assert_int_equal(tc->oflags, TO_RDWR | TO_TMPFILE);
	assert_int_equal(tc->mode, 0600);
	assert_true(tc->ret_deleted);
	assert_int_equal(REC(&r, 2)->oflags, TO_NONBLOCK | TO_DIRECTORY | TO_CLOEXEC);
	assert_int_equal(REC(&r, 3)->oflags, TO_WRONLY | TO_CREAT);
	assert_int_equal(REC(&r, 3)->mode, 0644);
	tc = REC(&r, 4);
	assert_int_equal(tc->fd, 4);
	assert_int_equal(tc->fd2, 21);
	assert_int_equal(tc->oflags, TO_CLOEXEC);
	tc = REC(&r, 5);
	assert_int_equal(tc->cmd, TCMD_F_DUPFD_CLOEXEC);
	assert_int_equal(tc->arg, 30);
	tc = REC(&r, 6);
	assert_int_equal(tc->cmd, TCMD_F_SETFL);
	assert_int_equal(tc->oflags, TO_APPEND | TO_NONBLOCK);
	tc = REC(&r, 7);
	assert_int_equal(tc->cmd, TCMD_F_SETFD);
	assert_int_equal(tc->arg, 1);
	assert_int_equal(REC(&r, 8)->cmd, TCMD_F_OFD_SETLK);
	assert_int_equal(REC(&r, 8)->err, EAGAIN);
	assert_int_equal(REC(&r, 9)->xflags, TX_LOCK_EX | TX_LOCK_NB);
	tc = REC(&r, 10);
	assert_int_equal(tc->cmd, TCMD_SEEK_HOLE);
	assert_int_equal(tc->off, 8192);
	assert_int_equal(REC(&r, 11)->cmd, TCMD_SEEK_SET);
	tc = REC(&r, 12);
	assert_int_equal(tc->st_type, TT_DIR);
	assert_int_equal(tc->st_size, 4096);
	assert_int_equal(tc->atflags, TAT_SYMLINK_NOFOLLOW);
	tc = REC(&r, 13);
	assert_int_equal(tc->sc, SC_STATX);
	assert_int_equal(tc->st_type, TT_REG);
	assert_int_equal(tc->st_size, 20000);
	assert_int_equal(tc->atflags, TAT_SYMLINK_NOFOLLOW);
	assert_int_equal(REC(&r, 14)->atflags, TAT_REMOVEDIR);
	assert_int_equal(REC(&r, 14)->err, ENOTEMPTY);
	tc = REC(&r, 15);
	assert_int_equal(tc->xflags, TX_RENAME_EXCHANGE);
	assert_int_equal(tc->fd2, TC_AT_FDCWD);
	assert_str(tc->fdpath2, "/home/user/srv/zrun");
	tc = REC(&r, 16);
	assert_int_equal(tc->rfd[0], 9);
	assert_int_equal(tc->rfd[1], 11);
	assert_int_equal(tc->oflags, TO_CLOEXEC);
	/* 0x200 is AT_EACCESS here, not AT_REMOVEDIR */
	assert_int_equal(REC(&r, 17)->atflags, 0);
	assert_int_equal(REC(&r, 18)->oflags, TO_WRONLY | TO_SYNC);
	assert_int_equal(REC(&r, 19)->oflags, TO_RDWR | TO_DSYNC);
	assert_int_equal(REC(&r, 20)->oflags, TO_PATH);
	/* every single-bit flag: O_WRONLY 1, O_CREAT 0100, O_EXCL 0200,
	 * O_NOCTTY 0400, O_TRUNC 01000, O_APPEND 02000, O_NONBLOCK 04000,
	 * O_ASYNC 020000, O_DIRECT 040000, O_LARGEFILE 0100000, O_DIRECTORY
	 * 0200000, O_NOFOLLOW 0400000, O_NOATIME 01000000, O_CLOEXEC
	 * 02000000, O_PATH 010000000 */
	assert_int_equal(REC(&r, 21)->oflags, TO_WRONLY | TO_CREAT | TO_EXCL |
	    TO_NOCTTY | TO_TRUNC | TO_APPEND | TO_NONBLOCK | TO_ASYNC |
	    TO_DIRECT | TO_LARGEFILE | TO_DIRECTORY | TO_NOFOLLOW |
	    TO_NOATIME | TO_CLOEXEC | TO_PATH);
	assert_int_equal(REC(&r, 22)->xflags, TX_CLONE_VM | TX_CLONE_FS |
	    TX_CLONE_FILES | TX_CLONE_THREAD);
	assert_int_equal(REC(&r, 23)->xflags, 0);
	assert_int_equal(REC(&r, 24)->cmd, TCMD_F_OTHER);
	parsed_free(&r);
}

static void
test_verbose_xx(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	/* verbatim 07-zoo.noy-Xverbose-xx */
	parse_ok(
	    "15113 1795915414.772585 openat(-100 /* AT_FDCWD */, \"\\x73\\x75\\x62\\x20\\x64\\x69\\x72\", 0x10000 /* O_RDONLY|O_DIRECTORY */) = 3 <0.000009>\n"
	    "15113 1795915414.773692 statx(-100 /* AT_FDCWD */, \"\\x73\\x75\\x62\\x20\\x64\\x69\\x72\\x2f\\x70\\x6c\\x61\\x69\\x6e\\x2e\\x64\\x61\\x74\", 0 /* AT_STATX_SYNC_AS_STAT */|0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7ff /* STATX_BASIC_STATS */, {stx_mask=0x17ff /* STATX_BASIC_STATS|STATX_MNT_ID */, stx_attributes=0, stx_mode=0100644 /* S_IFREG|0644 */, stx_size=20000, ...}) = 0 <0.000008>\n"
	    "15113 1795915414.772932 fcntl(4, 0x2 /* F_SETFD */, 0x1 /* FD_CLOEXEC */) = 0 <0.000006>\n"
	    "15113 1795915414.773013 flock(4, 0x6 /* LOCK_EX|LOCK_NB */) = 0 <0.000007>\n"
	    "15113 1795915414.772660 write(4, \"\\x68\\x65\\x6c\\x6c\\x6f\\x0a\", 6) = 6 <0.000014>\n"
	    "15113 1795915414.774026 renameat2(3, \"\\x68\\x61\\x72\\x64\\x32\", -100 /* AT_FDCWD */, \"\\x73\\x75\\x62\\x20\\x64\\x69\\x72\\x2f\\x72\\x65\\x6e\\x61\\x6d\\x65\\x64\\x2e\\x64\\x61\\x74\", 0x2 /* RENAME_EXCHANGE */) = 0 <0.000008>\n"
	    "15113 1795915414.775130 pipe2([9, 11], 0x80000 /* O_CLOEXEC */) = 0 <0.000011>\n"
	    "15113 1795915414.773600 newfstatat(-100 /* AT_FDCWD */, \"\\x73\\x75\\x62\\x20\\x64\\x69\\x72\", {st_mode=040755 /* S_IFDIR|0755 */, st_size=4096, ...}, 0x100 /* AT_SYMLINK_NOFOLLOW */) = 0 <0.000008>\n"
	    "15113 1795915414.773764 access(\"\\x73\\x75\\x62\\x20\\x64\\x69\\x72\\x2f\\x70\\x6c\\x61\\x69\\x6e\\x2e\\x64\\x61\\x74\", 0x6 /* R_OK|W_OK */) = 0 <0.000008>\n"
	    "15113 1795915414.772886 fcntl(4, 0x4 /* F_SETFL */, 0xc00 /* O_RDONLY|O_APPEND|O_NONBLOCK */) = 0 <0.000006>\n",
	    0, 10, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_null(tc->fdpath);
	assert_str(tc->path, "sub dir");
	assert_int_equal(tc->oflags, TO_DIRECTORY);
	assert_int_equal(tc->ret, 3);
	assert_null(tc->retpath);
	tc = REC(&r, 1);
	assert_str(tc->path, "sub dir/plain.dat");
	assert_int_equal(tc->atflags, TAT_SYMLINK_NOFOLLOW);
	assert_int_equal(tc->st_type, TT_REG);
	assert_int_equal(tc->st_size, 20000);
	assert_int_equal(REC(&r, 2)->arg, 1);
	assert_int_equal(REC(&r, 2)->cmd, TCMD_F_SETFD);
	assert_int_equal(REC(&r, 3)->xflags, TX_LOCK_EX | TX_LOCK_NB);
	assert_int_equal(REC(&r, 4)->len, 6);
	tc = REC(&r, 5);
	assert_str(tc->path, "hard2");
	assert_str(tc->path2, "sub dir/renamed.dat");
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->fd2, TC_AT_FDCWD);
	assert_int_equal(tc->xflags, TX_RENAME_EXCHANGE);
	tc = REC(&r, 6);
	assert_int_equal(tc->rfd[0], 9);
	assert_int_equal(tc->rfd[1], 11);
	assert_null(tc->retpath);
	assert_int_equal(REC(&r, 7)->st_type, TT_DIR);
	assert_int_equal(REC(&r, 7)->atflags, TAT_SYMLINK_NOFOLLOW);
	assert_str(REC(&r, 8)->path, "sub dir/plain.dat");
	assert_int_equal(REC(&r, 9)->oflags, TO_APPEND | TO_NONBLOCK);
	parsed_free(&r);

	/* -X verbose with -y: AT_FDCWD's path after its comment (verbatim,
	 * strace 6.1 -f -ttt -T -y -Xverbose -v -s 128) */
	parse_ok(
	    "4797  1796647812.561721 openat(-100 /* AT_FDCWD */</tmp/opt>, \"/etc/ld.so.cache\", 0x80000 /* O_RDONLY|O_CLOEXEC */) = 3</etc/ld.so.cache> <0.000024>\n",
	    0, 1, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->fdpath, "/tmp/opt");
	assert_str(tc->path, "/etc/ld.so.cache");
	assert_str(tc->retpath, "/etc/ld.so.cache");
	parsed_free(&r);
}

/*
 * -e inject and -e fault: strace marks a call it failed or set the result
 * of "(INJECTED)" (the kernel did not run it; the result is what the
 * program saw, and is replayed so), one it held back "(DELAYED)" (verbatim,
 * strace 6.1 -f -ttt -T -y with inject=newfstatat:error=ENOENT,
 * inject=openat:delay_enter=1000, fault=close, inject=getpid:retval=42).
 */
static void
test_inject_marks(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	parse_ok(
	    "4637  1796647811.777494 newfstatat(AT_FDCWD</tmp/opt>, \"/tmp/opt\", 0x7ffd26ad0450, 0) = -1 ENOENT (No such file or directory) (INJECTED) <0.000016>\n"
	    "4649  1796647811.815151 openat(AT_FDCWD</tmp/opt>, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> (DELAYED) <0.000908>\n"
	    "4661  1796647811.939609 close(3</usr/lib/x86_64-linux-gnu/libc.so.6>) = -1 ENOSYS (Function not implemented) (INJECTED) <0.000015>\n"
	    "4671  1796647811.959676 getpid()        = 42 (INJECTED) <0.000015>\n",
	    0, 4, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->ret, -1);
	assert_int_equal(tc->err, ENOENT);
	assert_int_equal(tc->dur_ns, 16000);
	tc = REC(&r, 1);
	assert_int_equal(tc->ret, 3);
	assert_str(tc->retpath, "/etc/ld.so.cache");
	assert_int_equal(tc->dur_ns, 908000);
	assert_int_equal(REC(&r, 2)->err, ENOSYS);
	assert_int_equal(REC(&r, 3)->ret, 42);
	parsed_free(&r);
	expect_error("1 close(3) = 0 (INJECTED) x <0.000015>\n", 1,
	    "unexpected text after the result");
}

static void
test_annotations(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	parse_ok(
	    /* -yy: device numbers after the path */
	    "1 read(0</dev/pts/0<char 136:0>>, \"x\", 1) = 1\n"
	    "1 connect(5<TCP:[127.0.0.1:40000->127.0.0.1:80]>, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n"
	    "1 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3<TCP:[12345]>\n"
	    "1 write(3<UNIX-STREAM:[81386->81387,\"@/tmp/.X11-unix/X0\"]>, \"x\", 1) = 1\n"
	    /* '<' and '>' of a path are escaped; '[' need not balance */
	    "1 openat(AT_FDCWD</tmp/a[b>, \"c\\76d\\74\", O_RDONLY) = 3</tmp/a[b/c\\76d\\74>\n"
	    /* a socketpair returns its descriptors in memory */
	    "1 socketpair(AF_UNIX, SOCK_STREAM, 0, [3<UNIX-STREAM:[1]>, 4<UNIX-STREAM:[2]>]) = 0\n"
	    "1 pipe([5, 6]) = 0\n"
	    "1 kcmp(1, 2, KCMP_FILE, 3</etc/ld.so.cache>, 4) = 0\n"
	    "1 fstat(0</dev/pts/0<char 136:0>>, {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}) = 0\n",
	    0, 9, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->fd, 0);
	assert_str(tc->fdpath, "/dev/pts/0");
	tc = REC(&r, 1);
	assert_int_equal(tc->sc, SC_OTHER);
	assert_int_equal(tc->fd, 5);
	assert_str(tc->fdpath, "TCP:[127.0.0.1:40000->127.0.0.1:80]");
	assert_str(REC(&r, 2)->retpath, "TCP:[12345]");
	assert_str(REC(&r, 3)->fdpath, "UNIX-STREAM:[81386->81387,\"@/tmp/.X11-unix/X0\"]");
	tc = REC(&r, 4);
	assert_str(tc->fdpath, "/tmp/a[b");
	assert_str(tc->path, "c>d<");
	assert_str(tc->retpath, "/tmp/a[b/c>d<");
	tc = REC(&r, 5);
	assert_int_equal(tc->rfd[0], 3);
	assert_int_equal(tc->rfd[1], 4);
	assert_str(tc->retpath, "UNIX-STREAM:[1]");
	assert_int_equal(REC(&r, 6)->rfd[0], 5);
	assert_int_equal(REC(&r, 6)->rfd[1], 6);
	/* an unknown call's descriptor is taken only from its first
	 * argument */
	assert_int_equal(REC(&r, 7)->fd, TC_NOFD);
	tc = REC(&r, 8);
	assert_int_equal(tc->st_type, TT_CHR);
	assert_int_equal(tc->st_size, -1);
	assert_str(tc->fdpath, "/dev/pts/0");
	parsed_free(&r);
}

/* strace_lex_int: strace's integers (decimal, 0x hex, 0-led octal, signed),
 * the characters used, 0 for none, for one followed by letters and for
 * one past 64 bits; 2^64 - 1 (an address) wraps to -1. */
static void
test_lex_int(void **state)
{
	static const struct {
		const char *s;
		size_t used;
		int64_t v;
	} c[] = {
		{ "0", 1, 0 }, { "42)", 2, 42 }, { "-17,", 3, -17 },
		{ "0x38800 ", 7, 0x38800 }, { "0XfF", 4, 255 },
		{ "0755", 4, 0755 }, { "0758", 0, 0 }, { "0x1g", 0, 0 },
		{ "12ab", 0, 0 }, { "x", 0, 0 }, { "-", 0, 0 }, { "0x", 0, 0 },
		{ "9223372036854775807", 19, INT64_MAX },
		{ "18446744073709551615", 20, -1 },
		{ "18446744073709551616", 0, 0 },
		{ "0xffffffffffffffff", 18, -1 },
		{ "0x10000000000000000", 0, 0 },
		{ "01777777777777777777777", 23, -1 },
		{ "02000000000000000000000", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(c); i++) {
		int64_t v = 12345;
		size_t used = strace_lex_int(c[i].s, strlen(c[i].s), &v);

		if (used != c[i].used || (used > 0 && v != c[i].v))
			fail_msg("\"%s\": %zu characters, %" PRId64
			    " (wanted %zu, %" PRId64 ")", c[i].s, used, v,
			    c[i].used, c[i].v);
	}
}

/* strace_lex_secfrac: seconds, '.', a fraction of any length (beyond
 * nanoseconds dropped); -ttt's and -T's six digits wherever they end. */
static void
test_lex_secfrac(void **state)
{
	static const struct {
		const char *s;
		size_t used;
		int64_t ns;
	} c[] = {
		{ "1796559523.754479 ", 17, INT64_C(1796559523754479000) },
		{ "1796559523.754479", 17, INT64_C(1796559523754479000) },
		{ "0.000004>", 8, 4000 },
		{ "0.000000", 8, 0 },
		{ "12.1234567>", 10, INT64_C(12123456700) },
		{ "5.12345 ", 7, INT64_C(5123450000) },
		{ "5.123456789123", 14, INT64_C(5123456789) },
		{ "5.12345x", 7, INT64_C(5123450000) },
		{ "5.1234a6", 6, INT64_C(5123400000) },
		{ "7.", 0, 0 }, { ".5", 0, 0 }, { "7", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(c); i++) {
		int64_t ns = -1;
		size_t used = strace_lex_secfrac(c[i].s, strlen(c[i].s), &ns);

		if (used != c[i].used || (used > 0 && ns != c[i].ns))
			fail_msg("\"%s\": %zu characters, %" PRId64
			    " ns (wanted %zu, %" PRId64 ")", c[i].s, used, ns,
			    c[i].used, c[i].ns);
	}
}

/* An annotation is stepped over eight bytes at a time (skip_annot): its
 * end is found wherever it falls in a word, a '>' escaped in a path or
 * inside a socket's brackets does not end it, and the next argument is
 * read from the right place.  Paths of every length from 1 to 40, each
 * plain and with an escaped '>' at each place. */
/*
 * The lexer's word-at-a-time scans (strace_skip_string, skip_annot through
 * strace_lex_annot, check_text) against the byte-by-byte rules they
 * implement, with every stop character at every offset of a word: random
 * strings over the characters that matter, each lexed at every alignment.
 */
static bool
ref_skip_string(const char *s, size_t n, size_t *ip, size_t *qend)
{
	size_t i;

	for (i = *ip + 1; i < n; ) {
		if (s[i] == '\\') {
			i += 2;
			continue;
		}
		if (s[i] == '"') {
			*qend = i++;
			if (n - i >= 3 && memcmp(s + i, "...", 3) == 0)
				i += 3;
			*ip = i;
			return true;
		}
		i++;
	}
	return false;
}

/* strace_lex_annot's rules for s[0] == '<' (strace_lex.c's comment above
 * skip_annot): in a path, '\' escapes and '<' '>' nest; elsewhere quoted
 * strings and brackets hold a raw '>'. */
static bool
ref_skip_annot(const char *s, size_t n, size_t *end)
{
	bool path = n > 1 && (s[1] == '/' || s[1] == '\\');
	int angle = 0, square = 0;
	size_t i = 0, q;

	while (i < n) {
		char c = s[i];

		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '"' && !path) {
			if (!ref_skip_string(s, n, &i, &q))
				return false;
			continue;
		}
		if (c == '[' && !path)
			square++;
		else if (c == ']' && !path && square > 0)
			square--;
		else if (c == '<' && square == 0)
			angle++;
		else if (c == '>' && square == 0 && --angle == 0) {
			*end = i + 1;
			return true;
		}
		i++;
	}
	return false;
}

static void
test_lex_words(void **state)
{
	static const char alpha[] = "aa/.\\\"<>[]";
	GRand *rnd = g_rand_new_with_seed(14);
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		size_t n = (size_t)g_rand_int_range(rnd, 1, 48), k, at;
		size_t off = (size_t)g_rand_int_range(rnd, 0, 16);
		/* every alignment, and nothing readable past the end (for
		 * the sanitizer) */
		char *buf = g_malloc(off + n), *s = buf + off;
		struct errbuf e;
		size_t ip, rip, qend = 0, rq = 0, end = 0;
		bool ok, rok;

		for (k = 0; k < n; k++)
			s[k] = alpha[g_rand_int_range(rnd, 0, sizeof(alpha) - 1)];
		/* a string */
		s[0] = '"';
		ip = rip = 0;
		ok = strace_skip_string(&e, s, n, &ip, &qend);
		rok = ref_skip_string(s, n, &rip, &rq);
		assert_int_equal(ok, rok);
		if (ok) {
			assert_int_equal(ip, rip);
			assert_int_equal(qend, rq);
		}
		/* an annotation, a path's or not */
		{
			struct span v = { s, n }, ann;
			bool del;

			s[0] = '<';
			at = 0;
			ok = strace_lex_annot(&e, v, &at, &ann, &del);
			rok = ref_skip_annot(s, n, &end);
			assert_int_equal(ok, rok);
			if (ok && !del)
				assert_int_equal(at, end);
		}
		g_free(buf);
	}
	g_rand_free(rnd);
}

/*
 * A flag set read in one pass (strace_parse_flags's flags_plain) says
 * what the general path says: each '|'-separated item, trimmed, a number
 * followed by nothing but a comment mapped through the raw table, a name
 * looked up, anything else ignored; an unbalanced set refused.  The
 * reference below is that general path written out with the list walker
 * (strace_next_item) and a strlen-and-memcmp look-up, run on random sets
 * made of names, numbers and the bytes that send the one-pass reader back
 * to the general path (comments, shifts, brackets, strings, junk).  And
 * strace_lex_ident's classes are GLib's, for every byte.
 */
static const struct sym flagtest_syms[] = {
	{ "O_RDONLY", 0x1 }, { "O_CLOEXEC", 0x2 }, { "O_CLO", 0x4 },
	{ "S_IFREG", 0x8 }, { "X", 0x10 },
	{ NULL, 0 }
};
static const struct rawbit flagtest_raw[] = {
	{ 0x80000, 0x80000, 0x20 }, { 0x3, 0x2, 0x40 }, { 0755, 0755, 0x80 },
	{ 0, 0, 0 }
};

static bool
ref_parse_flags(struct span v, const struct flagdef *def, uint32_t *out,
    bool *balanced)
{
	struct errbuf e;
	struct iter it;
	struct span x;
	uint32_t bits = 0;
	int r;

	*balanced = true;
	strace_iter_init(&it, v.s, v.n, '|');
	while ((r = strace_next_item(&e, &it, &x)) > 0) {
		int64_t num;
		size_t k;

		if ((k = strace_lex_int(x.s, x.n, &num)) > 0) {
			if (strace_only_comment(x.s + k, x.n - k)) {
				const struct rawbit *rb;

				for (rb = def->raw; rb->mask != 0; rb++)
					if (((uint64_t)num & rb->mask) == rb->match)
						bits |= rb->bits;
			}
		} else if ((k = strace_lex_ident(x.s, x.n)) > 0) {
			const struct sym *t;

			for (t = def->syms; t->name != NULL; t++)
				if (strlen(t->name) == k &&
				    memcmp(t->name, x.s, k) == 0) {
					bits |= t->val;
					break;
				}
		}
	}
	if (r < 0)
		return false;
	if (it.stop != v.n) {
		*balanced = false;
		return false;
	}
	*out = bits;
	return true;
}

static void
test_flags_one_pass(void **state)
{
	static const char *const tok[] = {
		"O_RDONLY", "O_CLOEXEC", "O_CLO", "O_CLOEXECX", "S_IFREG", "X",
		"O_BOGUS", "0x80000", "0755", "2", "-1", "0x1g", "09", "0x", "-",
		"|", "|", "|", " ", " ", "\t", "/* c */", "1<<X", "(", ")",
		"[", "]", "{", "}", "\"s|t\"", "<a>", "~", "=", "12ab",
	};
	static const struct flagdef def = { flagtest_syms, flagtest_raw };
	static const struct {
		const char	*set;
		uint32_t	 bits;
	} fixed[] = {
		{ "O_RDONLY|O_CLOEXEC", 0x1 | 0x2 },
		{ "O_RDONLY|O_BOGUS|O_CLOEXEC", 0x1 | 0x2 },
		{ "O_CLO|O_CLOEXECX", 0x4 },	/* a prefix is not a name */
		{ "S_IFREG|0755", 0x8 | 0x80 },
		{ "|0x80000", 0x20 },
		{ "O_RDONLY |  O_CLOEXEC|", 0x1 | 0x2 },
		{ "0x80000 /* O_CLOEXEC */", 0x20 },
		{ "2 /* c */|X", 0x40 | 0x10 },
		{ "1<<X|X", 0x10 },
		{ "", 0 },
	};
	GRand *rnd = g_rand_new_with_seed(1414);
	unsigned c;
	size_t i;
	int round;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(fixed); i++) {
		struct span v = { fixed[i].set, strlen(fixed[i].set) };
		struct errbuf e;
		uint32_t got = 0xdead;

		assert_true(strace_parse_flags(&e, v, &def, &got));
		assert_int_equal(got, fixed[i].bits);
	}
	for (round = 0; round < 20000; round++) {
		GString *g = g_string_new(NULL);
		int k, ntok = g_rand_int_range(rnd, 0, 8);
		struct errbuf e;
		struct span v;
		uint32_t got = 0, want = 0;
		bool ok, rok, bal;
		char *buf;

		for (k = 0; k < ntok; k++)
			g_string_append(g, tok[g_rand_int_range(rnd, 0,
			    G_N_ELEMENTS(tok))]);
		/* nothing readable past the end (for the sanitizer) */
		buf = g_memdup2(g->str, g->len);
		v.s = buf;
		v.n = g->len;
		ok = strace_parse_flags(&e, v, &def, &got);
		rok = ref_parse_flags(v, &def, &want, &bal);
		assert_int_equal(ok, rok);
		if (ok)
			assert_int_equal(got, want);
		g_free(buf);
		g_string_free(g, TRUE);
	}
	g_rand_free(rnd);

	for (c = 0; c < 256; c++) {
		char two[2] = { (char)c, 'a' }, lead[2] = { 'a', (char)c };

		assert_int_equal(strace_lex_ident(two, 2),
		    g_ascii_isalpha((char)c) || c == '_' ? 2 : 0);
		assert_int_equal(strace_lex_ident(lead, 2),
		    g_ascii_isalnum((char)c) || c == '_' ? 2 : 1);
	}
}

/*
 * A descriptor's annotation taken from the split of its call's arguments
 * (strace_split_args, strace_parse_fd_at) is the one strace_parse_fd finds
 * walking the argument alone: the same descriptor, annotation, "(deleted)"
 * and error, for fixed lists and random ones made of descriptors,
 * annotations, shifts, brackets, strings and separators.
 */
static void
fd_known_same(const char *list, size_t len)
{
	struct span a[8], an[8];
	struct errbuf e1, e2;
	size_t stop;
	int na, i;

	if (!strace_split_args(&e1, list, len, a, an, 8, &na, &stop))
		return;
	for (i = 0; i < MIN(na, 8); i++) {
		struct span ann1, ann2;
		int32_t fd1 = -7, fd2 = -7;
		bool del1 = false, del2 = false, ok1, ok2;

		ok1 = strace_parse_fd(&e1, a[i], &fd1, &ann1, &del1);
		ok2 = strace_parse_fd_at(&e2, a[i], an[i], &fd2, &ann2, &del2);
		assert_int_equal(ok1, ok2);
		if (!ok1) {
			assert_string_equal(e1.msg, e2.msg);
			continue;
		}
		assert_int_equal(fd1, fd2);
		assert_int_equal(del1, del2);
		assert_ptr_equal(ann1.s, ann2.s);
		assert_int_equal(ann1.n, ann2.n);
	}
}

static void
test_fd_known_annot(void **state)
{
	static const char *const fixed[] = {
		"3</a/b>, 4</c>(deleted), AT_FDCWD</x/y>",
		"3</a\\>b>(deleted) /* c */, 5<pipe:[1]>",
		"3<<x</a>, 4 </b>, 5</b> x",
		"[3<p>, 4<q>], 6<TCP:[1.2.3.4:5->6.7.8.9:10]>",
		"7<\"a>b\"</c>, 8</dev/pts/0<char 136:0>>",
	};
	static const char *const tok[] = {
		"3", "-100", "AT_FDCWD", "</a/b>", "<pipe:[1]>", "<\"x>\">",
		"</a\\>b>", "(deleted)", "<<", "<", ">", "[", "]", "(", ")",
		"\"s\"", ", ", ",", " ", "/* c */", "x",
	};
	GRand *rnd = g_rand_new_with_seed(1415);
	size_t i;
	int round;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(fixed); i++)
		fd_known_same(fixed[i], strlen(fixed[i]));
	for (round = 0; round < 20000; round++) {
		GString *g = g_string_new(NULL);
		int k, ntok = g_rand_int_range(rnd, 1, 10);
		char *buf;

		for (k = 0; k < ntok; k++)
			g_string_append(g, tok[g_rand_int_range(rnd, 0,
			    G_N_ELEMENTS(tok))]);
		buf = g_memdup2(g->str, g->len);
		fd_known_same(buf, g->len);
		g_free(buf);
		g_string_free(g, TRUE);
	}
	g_rand_free(rnd);
}

/* check_text: a control character (or DEL) is found at every column of a
 * long line, after a tab (which passes) at every column before it. */
static void
test_control_columns(void **state)
{
	static const unsigned char ctl[] = { 0x00, 0x01, 0x1f, 0x7f };
	unsigned col, tab, c;

	(void)state;
	for (col = 13; col < 60; col++)
		for (tab = 13; tab < col; tab += 5)
			for (c = 0; c < G_N_ELEMENTS(ctl); c++) {
				GString *l = g_string_new("1 write(1, \"");
				char *want;

				while (l->len + 1 < col)
					g_string_append_c(l, l->len + 1 == tab ?
					    '\t' : (l->len % 3 ? 'x' : '\xc3'));
				g_string_append_c(l, (char)ctl[c]);
				g_string_append(l, "\", 3) = 3 <0.000001>\n");
				want = g_strdup_printf("control character 0x%02x "
				    "at column %u:", ctl[c], col);
				expect_error_len(l->str, l->len, 1, want);
				g_free(want);
				g_string_free(l, TRUE);
			}
}

static void
test_annotation_lengths(void **state)
{
	GString *text = g_string_new(NULL), *want = g_string_new(NULL);
	struct parsed r;
	guint len, k, n = 0, i;

	(void)state;
	for (len = 1; len <= 40; len++) {
		g_string_set_size(want, 0);
		g_string_append_c(want, '/');
		for (k = 1; k < len; k++)
			g_string_append_c(want, (char)('a' + k % 26));
		g_string_append_printf(text,
		    "1 read(3<%s>, \"x\", %u) = 1\n", want->str, len);
		n++;
		for (k = 1; k <= len; k++) {
			g_string_append_printf(text, "1 read(3<%.*s\\76%s>, "
			    "\"x\", %u) = 1\n", (int)k, want->str,
			    want->str + k, len + k);
			n++;
		}
		g_string_append_printf(text, "1 read(4<TCP:[%.*s->1.2.3.4:80]>, "
		    "\"x\", %u) = 1\n", (int)len,
		    "1234567890123456789012345678901234567890", len);
		n++;
	}
	parse_ok(text->str, 0, n, &r);
	i = 0;
	for (len = 1; len <= 40; len++) {
		g_string_set_size(want, 0);
		g_string_append_c(want, '/');
		for (k = 1; k < len; k++)
			g_string_append_c(want, (char)('a' + k % 26));
		assert_int_equal(REC(&r, i)->fd, 3);
		assert_str(REC(&r, i)->fdpath, want->str);
		assert_int_equal(REC(&r, i)->len, len);
		i++;
		for (k = 1; k <= len; k++) {
			char *p = g_strdup_printf("%.*s>%s", (int)k, want->str,
			    want->str + k);

			assert_str(REC(&r, i)->fdpath, p);
			assert_int_equal(REC(&r, i)->len, len + k);
			g_free(p);
			i++;
		}
		assert_int_equal(REC(&r, i)->fd, 4);
		assert_int_equal(REC(&r, i)->len, len);
		assert_int_equal(strlen(REC(&r, i)->fdpath), len + 18);
		i++;
	}
	parsed_free(&r);
	g_string_free(text, TRUE);
	g_string_free(want, TRUE);
}

static void
test_iov(void **state)
{
	struct parsed r;
	struct trace_call *tc;

	(void)state;
	parse_ok(
	    /* verbatim 07-zoo.strace */
	    "15098 1795915414.688960 writev(4</home/user/srv/zrun/sub dir/weird \\\"name\\\"\\n\\t\\303\\251\\377.txt>, [{iov_base=\"A\\n\\\"\\\\\\t\\0\\377AAAAAAAAAAAAAAAAAAAAAAAAA\"..., iov_len=100}, {iov_base=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"..., iov_len=200}], 2) = 300 <0.000008>\n"
	    "15098 1795915414.688996 pwritev(4</x>, [{iov_base=\"A}\\\"]\"..., iov_len=100}, {iov_base=\"AAAA\"..., iov_len=200}], 2, 4096) = 300 <0.000012>\n"
	    /* an array cut short, and a bad address */
	    "1 readv(3, [{iov_base=\"a\", iov_len=1}, ...], 1024) = 5000\n"
	    "1 readv(3, 0x1234, 2) = -1 EFAULT (Bad address)\n"
	    "1 preadv(3, [], 0, 0) = 0\n",
	    0, 5, &r);
	tc = REC(&r, 0);
	assert_int_equal(tc->sc, SC_WRITEV);
	assert_int_equal(tc->len, 300);
	assert_int_equal(tc->off, TC_NOOFF);
	tc = REC(&r, 1);
	assert_int_equal(tc->len, 300);
	assert_int_equal(tc->off, 4096);
	assert_int_equal(REC(&r, 2)->len, 5000);
	assert_int_equal(REC(&r, 3)->len, -1);
	assert_int_equal(REC(&r, 4)->len, 0);
	assert_int_equal(REC(&r, 4)->off, 0);
	parsed_free(&r);
}

static void
test_modelled_calls(void **state)
{
	struct parsed r;
	struct trace_call *tc;
	int i = 0;

	(void)state;
	parse_ok(
	    "1 creat(\"new\", 0644) = 3\n"
	    "1 mkdir(\"sub dir\", 0755) = -1 EEXIST (File exists)\n"
	    "1 mkdirat(3, \"d\", 0700) = 0\n"
	    "1 rmdir(\"d\") = 0\n"
	    "1 chdir(\"/home/user/srv/zrun\") = 0\n"
	    "1 fchdir(3</home>) = 0\n"
	    "1 truncate(\"sub dir/plain.dat\", 20000) = 0\n"
	    "1 ftruncate(21, 50000) = 0\n"
	    "1 getdents64(9</d>, 0x55d58bfed2d0 /* 6 entries */, 32768) = 184\n"
	    "1 dup(4) = 5\n"
	    /* 10 */
	    "1 execve(\"/usr/bin/sqlite3\", [\"sqlite3\", \"test.db\"], 0x7fff83734f48 /* 37 vars */) = 0\n"
	    "1 fork() = 9\n"
	    "1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f591f05ca10) = 15130\n"
	    "1 wait4(-1, NULL, 0, NULL) = 15122\n"
	    "1 waitid(P_ALL, 0, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=77, si_uid=0, si_status=0, si_utime=0, si_stime=0}, WEXITED, NULL) = 0\n"
	    "1 sync() = 0\n"
	    "1 fsync(3) = 0\n"
	    "1 fdatasync(3) = 0\n"
	    "1 unlink(\"sub dir/link\") = 0\n"
	    "1 rename(\"sub dir/plain.dat\", \"sub dir/renamed.dat\") = 0\n"
	    /* 20 */
	    "1 faccessat(AT_FDCWD, \"x\", W_OK) = 0\n"
	    "1 stat(\"f10.o\", 0x7ffc7b857560) = -1 ENOENT (No such file or directory)\n"
	    "1 lstat(\"l\", {st_mode=S_IFLNK|0777, st_size=9, ...}) = 0\n"
	    "1 pread64(3, \"\\6\\0\\0\\0\\4\\0\\0\\0@\\0\\0\\0\\0\\0\\0\\0@\\0\\0\\0\\0\\0\\0\\0@\\0\\0\\0\\0\\0\\0\\0\"..., 784, 64) = 784\n"
	    "1 pwrite64(3, \"x\", 1, 1048576) = 1\n"
	    "1 lseek(3, 0, SEEK_END) = 1052672\n"
	    "1 open(\"ro\", O_RDONLY) = 3\n"
	    "1 unlinkat(AT_FDCWD, \"sub dir\", AT_REMOVEDIR) = 0\n"
	    "1 fcntl(3, F_DUPFD, 10) = 10\n"
	    "1 fcntl(3, F_SETLKW, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=1073741824, l_len=1}) = 0\n"
	    /* 30 */
	    "1 fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)\n"
	    "1 fcntl(3, F_SETFD, 0) = 0\n"
	    "1 vfork() = 10\n"
	    "1 newfstatat(AT_FDCWD, \"x\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}, 0) = 0\n"
	    "1 statx(AT_FDCWD, \"q\", AT_STATX_SYNC_AS_STAT, STATX_ALL, 0x7ffe) = -1 ENOENT (No such file or directory)\n"
	    "1 getcwd(\"/home/user/work\", 4096) = 16\n"
	    "1 getcwd(0x7ffd5d2c1e00, 2) = -1 ERANGE (Numerical result out of range)\n"
	    "1 getdents64(9</d>, [{d_ino=2, d_off=1, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, {d_ino=1, d_off=2, d_reclen=24, d_type=DT_DIR, d_name=\"..\"}, {d_ino=5, d_off=3, d_reclen=32, d_type=DT_REG, d_name=\"{d_ino=\"}], 32768) = 80\n"
	    "1 close_range(3, 4294967295, 0) = 0\n"
	    "1 close_range(4, -1, CLOSE_RANGE_CLOEXEC) = 0\n"
	    "1 close_range(5</x>, 7</y>, CLOSE_RANGE_UNSHARE|0x8) = 0\n",
	    0, 41, &r);
	tc = REC(&r, i++);	/* creat */
	assert_int_equal(tc->oflags, TO_CREAT | TO_WRONLY | TO_TRUNC);
	assert_int_equal(tc->mode, 0644);
	assert_str(tc->path, "new");
	tc = REC(&r, i++);	/* mkdir */
	assert_int_equal(tc->mode, 0755);
	assert_int_equal(tc->err, EEXIST);
	tc = REC(&r, i++);	/* mkdirat */
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->mode, 0700);
	assert_str(REC(&r, i++)->path, "d");
	assert_str(REC(&r, i++)->path, "/home/user/srv/zrun");
	tc = REC(&r, i++);	/* fchdir */
	assert_int_equal(tc->fd, 3);
	assert_str(tc->fdpath, "/home");
	tc = REC(&r, i++);	/* truncate */
	assert_str(tc->path, "sub dir/plain.dat");
	assert_int_equal(tc->off, 20000);
	tc = REC(&r, i++);	/* ftruncate */
	assert_int_equal(tc->fd, 21);
	assert_int_equal(tc->off, 50000);
	tc = REC(&r, i++);	/* getdents64 */
	assert_int_equal(tc->len, 32768);
	assert_int_equal(tc->ret, 184);
	assert_int_equal(tc->arg, 6);	/* strace's count of its entries */
	assert_int_equal(REC(&r, i++)->fd, 4);
	assert_str(REC(&r, i++)->path, "/usr/bin/sqlite3");
	tc = REC(&r, i++);	/* fork */
	assert_int_equal(tc->sc, SC_FORK);
	assert_int_equal(tc->xflags, 0);
	assert_int_equal(tc->ret, 9);
	tc = REC(&r, i++);	/* clone */
	assert_int_equal(tc->sc, SC_CLONE);
	assert_int_equal(tc->xflags, 0);
	assert_int_equal(tc->ret, 15130);
	assert_int_equal(REC(&r, i++)->ret, 15122);
	assert_int_equal(REC(&r, i++)->sc, SC_WAITID);
	assert_int_equal(REC(&r, i++)->sc, SC_SYNC);
	assert_int_equal(REC(&r, i++)->sc, SC_FSYNC);
	assert_int_equal(REC(&r, i++)->sc, SC_FDATASYNC);
	assert_str(REC(&r, i++)->path, "sub dir/link");
	tc = REC(&r, i++);	/* rename */
	assert_str(tc->path, "sub dir/plain.dat");
	assert_str(tc->path2, "sub dir/renamed.dat");
	tc = REC(&r, i++);	/* faccessat */
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->path, "x");
	tc = REC(&r, i++);	/* failed stat: no type, no size */
	assert_int_equal(tc->st_type, TT_NONE);
	assert_int_equal(tc->st_size, -1);
	assert_str(tc->path, "f10.o");
	tc = REC(&r, i++);	/* lstat */
	assert_int_equal(tc->st_type, TT_LNK);
	assert_int_equal(tc->st_size, 9);
	tc = REC(&r, i++);	/* pread64 */
	assert_int_equal(tc->len, 784);
	assert_int_equal(tc->off, 64);
	tc = REC(&r, i++);	/* pwrite64 */
	assert_int_equal(tc->len, 1);
	assert_int_equal(tc->off, 1048576);
	tc = REC(&r, i++);	/* lseek */
	assert_int_equal(tc->cmd, TCMD_SEEK_END);
	assert_int_equal(tc->off, 0);
	assert_int_equal(tc->ret, 1052672);
	tc = REC(&r, i++);	/* open */
	assert_int_equal(tc->oflags, TO_RDONLY);
	assert_int_equal(tc->fd, TC_NOFD);
	assert_int_equal(REC(&r, i++)->atflags, TAT_REMOVEDIR);
	tc = REC(&r, i++);	/* F_DUPFD */
	assert_int_equal(tc->cmd, TCMD_F_DUPFD);
	assert_int_equal(tc->arg, 10);
	assert_int_equal(REC(&r, i++)->cmd, TCMD_F_SETLKW);
	assert_int_equal(REC(&r, i++)->cmd, TCMD_F_GETFD);
	tc = REC(&r, i++);	/* F_SETFD 0 */
	assert_int_equal(tc->cmd, TCMD_F_SETFD);
	assert_int_equal(tc->arg, 0);
	assert_int_equal(REC(&r, i++)->xflags, TX_CLONE_VFORK | TX_CLONE_VM);
	assert_int_equal(REC(&r, i++)->st_type, TT_DIR);
	tc = REC(&r, i++);	/* failed statx */
	assert_int_equal(tc->st_type, TT_NONE);
	assert_int_equal(tc->atflags, 0);
	tc = REC(&r, i++);	/* getcwd: the name returned */
	assert_int_equal(tc->sc, SC_GETCWD);
	assert_str(tc->path2, "/home/user/work");
	assert_int_equal(tc->len, 4096);
	tc = REC(&r, i++);	/* failed getcwd: an address */
	assert_int_equal(tc->sc, SC_GETCWD);
	assert_null(tc->path2);
	assert_int_equal(tc->ret, -1);
	tc = REC(&r, i++);	/* -v's entries counted (not a name's text) */
	assert_int_equal(tc->arg, 3);
	tc = REC(&r, i++);	/* close_range: first, last, flags */
	assert_int_equal(tc->sc, SC_CLOSE_RANGE);
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->len, UINT32_MAX);
	assert_int_equal(tc->arg, 0);
	tc = REC(&r, i++);	/* ~0U as strace of 2020 printed it */
	assert_int_equal(tc->fd, 4);
	assert_int_equal(tc->len, UINT32_MAX);
	assert_int_equal(tc->arg, CLOSE_RANGE_CLOEXEC_);
	tc = REC(&r, i++);	/* annotated (strace of 2020's printfd) */
	assert_int_equal(tc->fd, 5);
	assert_int_equal(tc->len, 7);
	assert_int_equal(tc->arg, CLOSE_RANGE_UNSHARE_);
	assert_int_equal(i, 41);
	parsed_free(&r);
}

/*
 * The calls of links, attributes, copies, advice, extended attributes,
 * mapped files and Linux's syncs of a range or a file system (verbatim from a capture with strace 6.1, -f -ttt -T -y,
 * but for the raw and verbose spellings).
 */
static void
test_more_calls(void **state)
{
	struct parsed r;
	struct trace_call *tc;
	int i = 0;

	(void)state;
	parse_ok(
	    "1 link(\"f\", \"f2\") = 0\n"
	    "1 linkat(AT_FDCWD</tmp/cap>, \"f\", 4</tmp/d>, \"f3\", AT_SYMLINK_FOLLOW) = 0\n"
	    "1 symlink(\"f\", \"s\") = 0\n"
	    "1 symlinkat(\"a-long-target\", AT_FDCWD</tmp/cap>, \"s2\") = 0\n"
	    "1 readlink(\"s\", \"f\", 100) = 1\n"
	    "1 readlinkat(AT_FDCWD</tmp/cap>, \"s2\", \"a-long-target-name-that-is-longe\"..., 100) = 63\n"
	    "1 readlink(\"f\", 0x7ffcaf5687a0, 100) = -1 EINVAL (Invalid argument)\n"
	    "1 chmod(\"f\", 0600) = 0\n"
	    "1 fchmod(3</tmp/cap/f>, 0640) = 0\n"
	    "1 fchmodat(AT_FDCWD</tmp/cap>, \"f\", 0644) = 0\n"
	    /* 10 */
	    "1 fchownat(AT_FDCWD</tmp/cap>, \"f\", -1, -1, AT_SYMLINK_NOFOLLOW) = 0\n"
	    "1 lchown(\"s\", -1, -1) = 0\n"
	    "1 utimensat(3</tmp/cap/f>, NULL, [UTIME_NOW, UTIME_OMIT], 0) = 0\n"
	    "1 utimensat(AT_FDCWD</tmp/cap>, \"f\", [{tv_sec=1, tv_nsec=0} /* 1970-01-01T00:00:01+0000 */, {tv_sec=2, tv_nsec=0} /* 1970-01-01T00:00:02+0000 */], 0) = 0\n"
	    "1 copy_file_range(3</tmp/cap/f>, [0], 4</tmp/cap/g>, [10], 100, 0) = 100\n"
	    "1 copy_file_range(3</tmp/cap/a>, NULL, 4</tmp/cap/b>, NULL, 9223372035781033984, 0) = 6\n"
	    "1 sendfile(4</tmp/cap/g>, 3</tmp/cap/f>, [0] => [1000], 1000) = 1000\n"
	    "1 sendfile(4</tmp/cap/g>, 3</tmp/cap/f>, NULL, 1000) = 1000\n"
	    "1 fallocate(3</tmp/cap/f>, FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE, 4096, 8192) = 0\n"
	    "1 fallocate(3, 0x3, 4096, 8192) = 0\n"
	    /* 20 */
	    "1 fadvise64(3</tmp/cap/f>, 0, 0, POSIX_FADV_DONTNEED) = 0\n"
	    "1 statfs(\"f\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, f_bfree=61132743, f_bavail=20164019, f_files=16777216, f_ffree=16349125, f_fsid={val=[0x2a504989, 0x84bb7b8b]}, f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0\n"
	    "1 fstatfs(3</tmp/cap/f>, 0x7ffd) = 0\n"
	    "1 getxattr(\"f\", \"user.x\", 0x7ffcaf5687a0, 100) = -1 ENODATA (No data available)\n"
	    "1 flistxattr(3</tmp/cap/f>, \"user.x\\0user.y\\0\", 100) = 14\n"
	    "1 mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0) = 0x7fb697993000\n"
	    "1 mmap(0x7fb6979b9000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0x26000) = 0x7fb6979b9000\n"
	    "1 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fb697b81000\n"
	    "1 mmap(NULL, 65536, 0x3, 0x1, 3, 0) = 0x7fb697980000\n"
	    "1 mmap(NULL, 65536, 0x3 /* PROT_READ|PROT_WRITE */, 0x3 /* MAP_SHARED_VALIDATE */, 3, 0) = 0x7fb697980000\n"
	    /* 30 */
	    "1 msync(0x7fb697980000, 65536, MS_SYNC) = 0\n"
	    "1 msync(0x7fb697980000, 4096, MS_ASYNC|MS_INVALIDATE) = 0\n"
	    "1 munmap(0x7fb697980000, 65536) = 0\n"
	    "1 sync_file_range(3</tmp/cap/f>, 0, 0, SYNC_FILE_RANGE_WRITE) = 0\n"
	    "1 sync_file_range(3</tmp/cap/f>, 4096, 8192, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE|SYNC_FILE_RANGE_WAIT_AFTER) = 0\n"
	    "1 sync_file_range(3, 0, 0, 0x4) = 0\n"
	    "1 syncfs(3</tmp/cap/f>) = 0\n"
	    "1 splice(3</tmp/cap/in>, [196608], 4<pipe:[632267]>, NULL, 65536, SPLICE_F_MORE) = 3392\n"
	    "1 splice(3<pipe:[632267]>, NULL, 4</tmp/cap/out>, NULL, 65536, SPLICE_F_MOVE) = 65536\n",
	    0, 39, &r);
	tc = REC(&r, i++);	/* link */
	assert_int_equal(tc->sc, SC_LINK);
	assert_str(tc->path, "f");
	assert_str(tc->path2, "f2");
	tc = REC(&r, i++);	/* linkat */
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_int_equal(tc->fd2, 4);
	assert_str(tc->fdpath2, "/tmp/d");
	assert_str(tc->path2, "f3");
	assert_int_equal(tc->atflags, TAT_SYMLINK_FOLLOW);
	tc = REC(&r, i++);	/* symlink: target, then the link */
	assert_str(tc->path, "f");
	assert_str(tc->path2, "s");
	tc = REC(&r, i++);	/* symlinkat: the descriptor is the link's */
	assert_str(tc->path, "a-long-target");
	assert_int_equal(tc->fd, TC_AT_FDCWD);
	assert_str(tc->fdpath, "/tmp/cap");
	assert_str(tc->path2, "s2");
	tc = REC(&r, i++);	/* readlink: the contents in path2 */
	assert_int_equal(tc->sc, SC_READLINK);
	assert_str(tc->path2, "f");
	assert_int_equal(tc->len, 100);
	assert_int_equal(tc->ret, 1);
	tc = REC(&r, i++);	/* cut short by -s: the result is the length */
	assert_str(tc->path, "s2");
	assert_str(tc->path2, "a-long-target-name-that-is-longe");
	assert_int_equal(tc->ret, 63);
	tc = REC(&r, i++);	/* a failed one shows an address: no contents */
	assert_null(tc->path2);
	assert_int_equal(tc->err, EINVAL);
	tc = REC(&r, i++);	/* chmod */
	assert_int_equal(tc->sc, SC_CHMOD);
	assert_int_equal(tc->mode, 0600);
	tc = REC(&r, i++);	/* fchmod */
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->mode, 0640);
	tc = REC(&r, i++);	/* fchmodat */
	assert_str(tc->path, "f");
	assert_int_equal(tc->mode, 0644);
	tc = REC(&r, i++);	/* fchownat */
	assert_int_equal(tc->atflags, TAT_SYMLINK_NOFOLLOW);
	assert_str(REC(&r, i++)->path, "s");	/* lchown */
	tc = REC(&r, i++);	/* utimensat(fd, NULL): futimens */
	assert_int_equal(tc->fd, 3);
	assert_null(tc->path);
	tc = REC(&r, i++);
	assert_str(tc->path, "f");
	assert_int_equal(tc->atflags, 0);
	tc = REC(&r, i++);	/* copy_file_range with offsets */
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->fd2, 4);
	assert_int_equal(tc->off, 0);
	assert_int_equal(tc->arg, 10);
	assert_int_equal(tc->len, 100);
	tc = REC(&r, i++);	/* ... and without */
	assert_int_equal(tc->off, TC_NOOFF);
	assert_int_equal(tc->arg, -1);
	assert_int_equal(tc->len, 9223372035781033984LL);
	assert_int_equal(tc->ret, 6);
	tc = REC(&r, i++);	/* sendfile: out, in, offset, count */
	assert_int_equal(tc->fd, 4);
	assert_int_equal(tc->fd2, 3);
	assert_int_equal(tc->off, 0);
	assert_int_equal(tc->len, 1000);
	assert_int_equal(REC(&r, i++)->off, TC_NOOFF);
	tc = REC(&r, i++);	/* fallocate */
	assert_int_equal(tc->xflags, TX_FALLOC_KEEP_SIZE | TX_FALLOC_PUNCH_HOLE);
	assert_int_equal(tc->off, 4096);
	assert_int_equal(tc->len, 8192);
	assert_int_equal(REC(&r, i++)->xflags, TX_FALLOC_KEEP_SIZE |
	    TX_FALLOC_PUNCH_HOLE);
	tc = REC(&r, i++);	/* fadvise64 */
	assert_int_equal(tc->off, 0);
	assert_int_equal(tc->len, 0);
	assert_str(REC(&r, i++)->path, "f");	/* statfs */
	assert_int_equal(REC(&r, i++)->fd, 3);	/* fstatfs */
	assert_int_equal(REC(&r, i++)->sc, SC_GETXATTR);
	assert_int_equal(REC(&r, i++)->sc, SC_FLISTXATTR);
	tc = REC(&r, i++);	/* mmap of a file */
	assert_int_equal(tc->sc, SC_MMAP);
	assert_int_equal(tc->len, 1974096);
	assert_int_equal(tc->xflags, TX_PROT_READ | TX_MAP_PRIVATE);
	assert_int_equal(tc->fd, 3);
	assert_str(tc->fdpath, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_int_equal(tc->off, 0);
	assert_int_equal(tc->ret, 0x7fb697993000LL);
	tc = REC(&r, i++);	/* MAP_FIXED at a hex offset */
	assert_int_equal(tc->xflags, TX_PROT_READ | TX_PROT_EXEC |
	    TX_MAP_PRIVATE | TX_MAP_FIXED);
	assert_int_equal(tc->off, 0x26000);
	tc = REC(&r, i++);	/* anonymous */
	assert_int_equal(tc->fd, -1);
	assert_true(tc->xflags & TX_MAP_ANONYMOUS);
	tc = REC(&r, i++);	/* -X raw */
	assert_int_equal(tc->xflags, TX_PROT_READ | TX_PROT_WRITE | TX_MAP_SHARED);
	tc = REC(&r, i++);	/* -X verbose, MAP_SHARED_VALIDATE */
	assert_int_equal(tc->xflags, TX_PROT_READ | TX_PROT_WRITE | TX_MAP_SHARED);
	tc = REC(&r, i++);	/* msync */
	assert_int_equal(tc->arg, 0x7fb697980000LL);
	assert_int_equal(tc->len, 65536);
	assert_int_equal(tc->xflags, TX_MS_SYNC);
	assert_int_equal(REC(&r, i++)->xflags, TX_MS_ASYNC | TX_MS_INVALIDATE);
	tc = REC(&r, i++);	/* munmap */
	assert_int_equal(tc->arg, 0x7fb697980000LL);
	assert_int_equal(tc->len, 65536);
	tc = REC(&r, i++);	/* sync_file_range: flags into arg */
	assert_int_equal(tc->sc, SC_SYNC_FILE_RANGE);
	assert_int_equal(tc->fd, 3);
	assert_int_equal(tc->arg, SFR_WRITE);
	tc = REC(&r, i++);
	assert_int_equal(tc->off, 4096);
	assert_int_equal(tc->len, 8192);
	assert_int_equal(tc->arg, SFR_WAIT_BEFORE | SFR_WRITE | SFR_WAIT_AFTER);
	assert_int_equal(REC(&r, i++)->arg, SFR_WAIT_AFTER);	/* -X raw */
	tc = REC(&r, i++);	/* syncfs */
	assert_int_equal(tc->sc, SC_SYNCFS);
	assert_int_equal(tc->fd, 3);
	tc = REC(&r, i++);	/* splice: copy_file_range's arguments */
	assert_int_equal(tc->sc, SC_SPLICE);
	assert_int_equal(tc->fd, 3);
	assert_str(tc->fdpath, "/tmp/cap/in");
	assert_int_equal(tc->off, 196608);
	assert_int_equal(tc->fd2, 4);
	assert_str(tc->fdpath2, "pipe:[632267]");
	assert_int_equal(tc->arg, -1);
	assert_int_equal(tc->len, 65536);
	assert_int_equal(tc->ret, 3392);
	tc = REC(&r, i++);	/* out of a pipe: no offset */
	assert_str(tc->fdpath, "pipe:[632267]");
	assert_int_equal(tc->off, TC_NOOFF);
	assert_str(tc->fdpath2, "/tmp/cap/out");
	assert_int_equal(i, 39);
	parsed_free(&r);
}

/* ---- lines that are not calls ---------------------------------------- */

static void
test_skipped_lines(void **state)
{
	struct parsed r;

	(void)state;
	parse_ok(
	    "\n"
	    "   \n"
	    "strace: Process 15136 attached\n"
	    "strace: Process 15136 detached\n"
	    "strace: [ Process PID=15136 runs in 32 bit mode. ]\n"
	    "15098 1795915414.731743 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=15100, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n"
	    "[pid 5] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n"
	    "5 --- stopped by SIGSTOP ---\n"
	    "--- SIGINT {si_signo=SIGINT, si_code=SI_KERNEL} ---\n"
	    "5 close(3) = 0\n"
	    "\t\n"
	    "5 +++ exited with 0 +++\n",
	    0, 2, &r);
	assert_int_equal(REC(&r, 0)->line, 10);
	assert_int_equal(REC(&r, 1)->kind, TC_EXIT);
	assert_int_equal(REC(&r, 1)->line, 12);
	parsed_free(&r);

	/* a second half whose first half was before the capture began */
	parse_ok("5 <... read resumed>\"x\", 1) = 1 <0.100000>\n"
	    "5 close(3) = 0\n", 0, 1, &r);
	assert_str(REC(&r, 0)->name, "close");
	parsed_free(&r);
}

/* ---- malformed input ------------------------------------------------- */

static void
test_malformed(void **state)
{
	static const char good[] = "1 close(3) = 0\n1 close(4) = 0\n";
	struct parsed r;
	char *t;

	(void)state;
	expect_error("hello world\n", 1, "not an strace line");
	expect_error("13191 1795914219.280918 read(3</usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6>, \"\\177ELF\\2\\1\\1\\0\\0\n",
	    1, "unterminated string");
	expect_error("13191 1795914219.280918 close(3)\n", 1, "no result");
	expect_error("13191 1795914219.280918 close(3) =\n", 1, "bad result");
	expect_error("13191 1795914219.280918 close(3</etc/ld.so\n", 1,
	    "unterminated '<'");
	expect_error("1 openat(AT_FDCWD, \"abc, O_RDONLY) = 3\n", 1,
	    "unterminated string");
	expect_error("1 write(1, [1, 2}, 3) = 3\n", 1, "'}' where ']'");
	expect_error("1 read(3, {a=1, 5) = 5\n", 1, "')' where '}'");
	expect_error("1 read(3, {a=1, 5\n", 1, "missing");
	expect_error("1 close(3) = abc\n", 1, "bad result");
	expect_error("1 close(3) = 0 junk\n", 1, "unexpected text after the result");
	expect_error("1 close(3) = 0 <0.0x>\n", 1, "bad duration");
	expect_error("1 close(3) = 0 <0.000038\n", 1, "bad duration");
	expect_error("1 1795914219.27a close(3) = 0\n", 1, "bad time stamp");
	expect_error("1 25:00:00.000000 close(3) = 0\n", 1, "bad time stamp");
	expect_error("[pid x] close(3) = 0\n", 1, "[pid N]");
	expect_error("1 +++ exited with +++\n", 1, "bad exit status");
	expect_error("1 +++ exited with 0\n", 1, "not closed");
	expect_error("1 --- SIGCHLD {si_signo=SIGCHLD\n", 1, "not closed");
	expect_error("1 read(\"abc <unfinished ...>\n", 1, "unterminated string");
	expect_error("1 read(3, ) <unfinished ...>\n", 1, "unbalanced");
	expect_error("1 read(3,  <unfinished ...>\n1 <... write resumed>\"x\", 1) = 1\n",
	    2, "\"write\" resumed");
	expect_error("1 <... read resumed\"x\", 1) = 1\n", 1, "resumed");
	expect_error("1 open(\"a\\qb\", O_RDONLY) = 3\n", 1, "unknown escape");
	expect_error("1 open(\"a\\0b\", O_RDONLY) = 3\n", 1, "NUL byte");
	expect_error("1 open(\"a\\x\", O_RDONLY) = 3\n", 1, "hex digits");
	expect_error("1 open(\"a\\777\", O_RDONLY) = 3\n", 1, "octal");
	expect_error("1 open(O_RDONLY, \"a\") = 3\n", 1, "open: first argument");
	expect_error("1 close(foo) = 0\n", 1, "close: first argument: expected a descriptor");
	expect_error("1 close(3<) = 0\n", 1, "unterminated '<'");
	expect_error("1 read(3, /* comment, 5) = 5\n", 1, "unterminated comment");
	expect_error("1 openat(3</a>garbage, \"x\", O_RDONLY) = 3\n", 1,
	    "unexpected text after a descriptor");
	expect_error("1 read(3, \"a\"..., 1x) = 1\n", 1, "expected a length");
	expect_error("1 newfstatat(3, \"x\", {st_mode=S_IFREG, st_size=1x}, 0) = 0\n", 1,
	    "bad size");
	expect_error("1 openat(AT_FDCWD</a\\>, \"x\", O_RDONLY) = 3\n", 1,
	    "unterminated '<'");
	expect_error("1 openat(AT_FDCWD</a\\q>, \"x\", O_RDONLY) = 3\n", 1,
	    "unknown escape");
	/* raw control characters and binary junk */
	expect_error_len("1 close(3) = 0\0junk\n", 20, 1, "control character 0x00");
	expect_error_len("1 close(3) = 0\x01\n", 16, 1, "control character 0x01");
	/* (a file that starts like gzip is zlib's to judge: lineio) */
	expect_error_len("1 close(3) = 0\n\x7f" "ELF\x02\x01\x01\x00\x00\x00\n", 26, 2,
	    "control character 0x7f");
	expect_error_len("1 close(3) = 0\x7f\n", 16, 1, "control character 0x7f");
	/* check_text looks at eight bytes at a time: the first control
	 * character is named at its own column wherever it falls in a word,
	 * after tabs, bytes >= 0x80 and bytes just above 0x1f and below
	 * 0x7f (which a borrow could mistake), and before another one */
	{
		static const unsigned char ctl[] = { 0x01, 0x09, 0x1f, 0x7f };
		unsigned k, c;

		for (k = 0; k < 20; k++)
			for (c = 0; c < G_N_ELEMENTS(ctl); c++) {
				GString *l = g_string_new("1 write(1, \"");
				char *want;
				size_t col;

				g_string_append(l, "\t\xc3\xa9 ~");
				while (l->len < 12 + k)
					g_string_append_c(l, ' ');
				col = l->len + 1;
				g_string_append_c(l, (char)ctl[c]);
				g_string_append(l, "\x01\", 3) = 3\n");
				if (ctl[c] == '\t')
					col++;	/* a tab passes: the next is named */
				want = g_strdup_printf("control character 0x%02x "
				    "at column %zu:", ctl[c] == '\t' ? 1 : ctl[c],
				    col);
				expect_error_len(l->str, l->len, 1, want);
				g_free(want);
				g_string_free(l, TRUE);
			}
	}
	/* an error names its line; the good lines before it came out */
	t = g_strconcat(good, "1 close(5) = 0 <\n", NULL);
	parse_mem(t, strlen(t), 0, &r);
	assert_int_equal(r.recs->len, 2);
	assert_non_null(r.err);
	g_free(t);
	t = g_strdup_printf("%s:3: ", r.path);
	assert_true(g_str_has_prefix(r.err, t));
	g_free(t);
	parsed_free(&r);
	/* brackets nested beyond reason */
	t = g_strnfill(100000, '(');
	expect_error(t, 1, "not an strace line");
	g_free(t);
	{
		char *b = g_strnfill(100000, '[');

		t = g_strconcat("1 read(", b, ") = 1\n", NULL);
		expect_error(t, 1, "nested too deeply");
		g_free(t);
		g_free(b);
	}
}

static void
test_long_lines(void **state)
{
	struct parsed r;
	GString *s = g_string_new("1 write(1, \"");
	size_t i;

	(void)state;
	/* a 4 MB data buffer (strace -s 10000000) and a 64 kB file name */
	for (i = 0; i < 1000000; i++)
		g_string_append(s, "\\0\\\"");
	g_string_append(s, "\", 2000000) = 2000000\n1 open(\"");
	for (i = 0; i < 65536; i++)
		g_string_append_c(s, (char)('a' + i % 26));
	g_string_append(s, "\", O_RDONLY) = 3\n");
	parse_ok(s->str, 0, 2, &r);
	assert_int_equal(REC(&r, 0)->len, 2000000);
	assert_int_equal(strlen(REC(&r, 1)->path), 65536);
	parsed_free(&r);

	/* 16 MB of one garbage line, and one of a string that never ends */
	g_string_truncate(s, 0);
	for (i = 0; i < 16 * 1024 * 1024; i++)
		g_string_append_c(s, 'x');
	expect_error_len(s->str, s->len, 1, "not an strace line");
	g_string_overwrite(s, 0, "1 write(1, \"");
	expect_error_len(s->str, s->len, 1, "unterminated string");
	g_string_free(s, TRUE);
}

/*
 * Lines cut anywhere before their ')' are errors; lines cut or mangled at
 * random never crash the parser, hang it or make it read out of bounds
 * (the sanitizers watch).
 */
static const char *const fuzz_lines[] = {
	"15098 1795915414.688872 openat(3</home/user/srv/zrun/sub dir>, \"weird \\\"name\\\"\\n\\t\\303\\251\\377.txt\", O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 4</home/user/srv/zrun/sub dir/weird \\\"name\\\"\\n\\t\\303\\251\\377.txt> <0.000020>",
	"15098 1795915414.690123 statx(AT_FDCWD</home/user/srv/zrun>, \"sub dir/plain.dat\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=20000, ...}) = 0 <0.000008>",
	"15098 1795915414.688960 writev(4</x>, [{iov_base=\"A\\n\\\"\\\\\\t\\0\\377AAAA\"..., iov_len=100}, {iov_base=\"AAAA\"..., iov_len=200}], 2) = 300 <0.000008>",
	"13200 1795914224.218372 wait4(13202, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 13202 <0.227333>",
	"15128 01:23:34.856556 (+     0.000095) clone3({flags=CLONE_VM|CLONE_THREAD, child_tid=0x7f591f05b990, exit_signal=0} => {parent_tid=[15129]}, 88) = 15129 <0.000088>",
	"15113 1795915414.773692 statx(-100 /* AT_FDCWD */, \"\\x73\\x75\\x62\", 0 /* AT_STATX_SYNC_AS_STAT */|0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7ff /* STATX_BASIC_STATS */, {stx_mode=0100644 /* S_IFREG|0644 */, stx_size=20000, ...}) = 0 <0.000008>",
	"15098 1795915414.732169 close(8</home/user/srv/zrun/#10969106>(deleted)) = 0 <0.000024>",
	"1 read(0</dev/pts/0<char 136:0>>, \"x\", 1) = 1",
	"1 connect(5<TCP:[127.0.0.1:40000->127.0.0.1:80]>, {sa_family=AF_INET}, 16) = 0",
	"15098 1795915414.710371 pipe2([9<pipe:[26636]>, 11<pipe:[26636]>], O_CLOEXEC) = 0 <0.000014>",
	"13198 1795914224.270217 pselect6(4, [3<pipe:[21829]>], NULL, NULL, NULL, {sigmask=[], sigsetsize=8}) = ? ERESTARTNOHAND (To be restarted if no handler) <0.000009>",
	"[pid 15136] read(9<pipe:[26691]>,  <unfinished ...>",
	"[pid 15136] <... read resumed>\"x\", 1)   = 1",
	"13199 1795914223.978048 vfork( <unfinished ...>",
	"13199 1795914223.978816 <... vfork resumed>) = 13201 <0.000761>",
	"15099 1795915414.731214 +++ exited with 0 +++",
	"13295 1795914230.403969 +++ killed by SIGPIPE +++",
	"15098 1795915414.731743 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=15100} ---",
	"strace: Process 15136 attached",
};

static void
check_sane(struct parsed *r)
{
	guint i;

	for (i = 0; i < r->recs->len; i++) {
		struct trace_call *tc = REC(r, i);

		assert_true(memchr(tc->name, '\0', sizeof(tc->name)) != NULL);
		assert_true(tc->kind == TC_CALL || tc->kind == TC_EXIT);
		assert_true(tc->sc < SC__COUNT);
		if (tc->path != NULL)
			assert_true(strlen(tc->path) < 1000);
	}
}

static void
test_truncated(void **state)
{
	GString *s = g_string_new(NULL);
	struct parsed r;
	int want = 0;
	size_t k;

	(void)state;
	/* fuzz_lines[0..6] are complete calls: every cut before their ')'
	 * is an error */
	for (k = 0; k < 7; k++) {
		const char *l = fuzz_lines[k];
		const char *close = strstr(l, ") = ");
		size_t n;

		assert_non_null(close);
		for (n = 1; n <= (size_t)(close - l); n++) {
			g_string_append_len(s, l, (gssize)n);
			g_string_append_c(s, '\n');
			want++;
		}
	}
	parse_ext(s->str, s->len, 0, true, &r);
	assert_int_equal(r.nerr, want);
	assert_int_equal(r.recs->len, 0);
	parsed_free(&r);

	/* every line cut everywhere: no crash, sane records */
	g_string_truncate(s, 0);
	for (k = 0; k < G_N_ELEMENTS(fuzz_lines); k++) {
		size_t n, len = strlen(fuzz_lines[k]);

		for (n = 0; n <= len; n++) {
			g_string_append_len(s, fuzz_lines[k], (gssize)n);
			g_string_append_c(s, '\n');
		}
	}
	parse_ext(s->str, s->len, 0, true, &r);
	check_sane(&r);
	parsed_free(&r);
	g_string_free(s, TRUE);
}

static void
test_fuzz(void **state)
{
	static const char special[] = "\"\\<>()[]{},|=/* .\t\n0x-?";
	GRand *rnd = g_rand_new_with_seed(20240229);
	GString *s = g_string_new(NULL);
	struct parsed r;
	int round, i;

	(void)state;
	for (round = 0; round < 4; round++) {
		g_string_truncate(s, 0);
		for (i = 0; i < 5000; i++) {
			const char *l = fuzz_lines[g_rand_int_range(rnd, 0,
			    G_N_ELEMENTS(fuzz_lines))];
			GString *m = g_string_new(l);
			int k, nmut = g_rand_int_range(rnd, 1, 4);

			for (k = 0; k < nmut && m->len > 0; k++) {
				gsize at = (gsize)g_rand_int_range(rnd, 0, (gint32)m->len);

				switch (g_rand_int_range(rnd, 0, 5)) {
				case 0:		/* a special character */
					m->str[at] = special[g_rand_int_range(rnd, 0,
					    sizeof(special) - 1)];
					break;
				case 1:		/* any byte, NUL included */
					m->str[at] = (char)g_rand_int_range(rnd, 0, 256);
					break;
				case 2:
					g_string_erase(m, (gssize)at, 1);
					break;
				case 3:		/* cut */
					g_string_truncate(m, at);
					break;
				case 4: {	/* repeat a piece */
					char *piece = g_strndup(m->str + at,
					    (gsize)g_rand_int_range(rnd, 1, 40));

					g_string_insert(m, (gssize)at, piece);
					g_free(piece);
					break;
				}
				}
			}
			g_string_append_len(s, m->str, (gssize)m->len);
			g_string_append_c(s, '\n');
			g_string_free(m, TRUE);
		}
		parse_ext(s->str, s->len, round, true, &r);
		check_sane(&r);
		assert_true(r.nerr > 0);
		parsed_free(&r);
	}
	g_string_free(s, TRUE);
	g_rand_free(rnd);
}

/* ---- the bundled captures -------------------------------------------- */

static char *
traces_dir(void)
{
	const char *env = g_getenv("VFSSIM_TRACES");
	char *dir, *d;

	if (env != NULL)
		return g_strdup(env);
	dir = g_path_get_dirname(__FILE__);	/* tests/ */
	d = g_build_filename(dir, "..", "traces", NULL);
	g_free(dir);
	return d;
}

/* The whole (decompressed) file. */
static GString *
slurp(const char *path)
{
	GString *s = g_string_new(NULL);
	gzFile gz = gzopen(path, "rb");
	char buf[65536];
	int n;

	assert_non_null(gz);
	while ((n = gzread(gz, buf, sizeof(buf))) > 0)
		g_string_append_len(s, buf, n);
	assert_true(n == 0);
	gzclose(gz);
	return s;
}

/* Count, independently of strace.c, the lines that start a call and the
 * lines that end a process. */
static void
count_lines(const GString *text, const GRegex *re, long *calls, long *exits)
{
	const char *l = text->str, *end = text->str + text->len;

	*calls = *exits = 0;
	while (l < end) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		gssize n = (nl != NULL ? nl : end) - l;
		GMatchInfo *mi;

		if (g_regex_match_full(re, l, n, 0, 0, &mi, NULL)) {
			char *kind = g_match_info_fetch(mi, 1);

			if (strcmp(kind, "+++") == 0)
				(*exits)++;
			else
				(*calls)++;
			g_free(kind);
		}
		g_match_info_free(mi);
		l += n + 1;
	}
}

static void
check_capture(const char *path, int32_t hint, const GRegex *re)
{
	GString *text = slurp(path);
	GHashTable *first = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *made = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTableIter hi;
	gpointer k, v;
	struct parsed r;
	long calls, exits, ncall = 0, nexit = 0;
	bool stderr_mode = strstr(path, "stderr-mode") != NULL;
	guint i;

	parse_mem(text->str, text->len, hint, &r);
	if (r.err != NULL)
		fail_msg("%s", r.err);
	count_lines(text, re, &calls, &exits);
	for (i = 0; i < r.recs->len; i++) {
		struct trace_call *tc = REC(&r, i);

		if (tc->kind == TC_EXIT)
			nexit++;
		else
			ncall++;
		assert_true(tc->line >= 1);
		if (!stderr_mode) {
			assert_true(tc->pid > 0);
			assert_true(tc->t_ns != TC_NOTIME);
		}
		if (tc->kind == TC_CALL && tc->sc != SC_OTHER)
			assert_string_equal(sc_name(tc->sc), tc->name);
		if (!g_hash_table_contains(first, GINT_TO_POINTER(tc->pid)))
			g_hash_table_insert(first, GINT_TO_POINTER(tc->pid),
			    GUINT_TO_POINTER(i + 1));
		if ((tc->sc == SC_CLONE || tc->sc == SC_CLONE3 ||
		    tc->sc == SC_FORK || tc->sc == SC_VFORK) && tc->ret > 0)
			g_hash_table_insert(made, GINT_TO_POINTER((int)tc->ret),
			    GUINT_TO_POINTER(i + 1));
	}
	if (ncall != calls || nexit != exits)
		fail_msg("%s: %ld calls and %ld exits, counted %ld and %ld",
		    path, ncall, nexit, calls, exits);
	/* a child never shows before the call that created it */
	g_hash_table_iter_init(&hi, made);
	while (g_hash_table_iter_next(&hi, &k, &v)) {
		gpointer f = g_hash_table_lookup(first, k);

		if (f != NULL && GPOINTER_TO_UINT(f) < GPOINTER_TO_UINT(v))
			fail_msg("%s: pid %d runs before its creation",
			    path, GPOINTER_TO_INT(k));
	}
	g_hash_table_destroy(first);
	g_hash_table_destroy(made);
	parsed_free(&r);
	g_string_free(text, TRUE);
}

static void
test_captures(void **state)
{
	char *dir = traces_dir(), *fdir = g_build_filename(dir, "formats", NULL);
	const char *const dirs[] = { dir, fdir };
	GRegex *re = g_regex_new(
	    "^(?:\\[pid +[0-9]+(?:<[^>]*>)?\\] |[0-9]+(?:<[^>]*>)? +)?" /* task */
	    "(?:[0-9][0-9.:]* +)?"			/* time */
	    "(?:\\(\\+ *[0-9.]+\\) +)?"			/* -r */
	    "(\\+\\+\\+(?= (?:exited|killed))|[A-Za-z_][A-Za-z0-9_]*(?=\\())",
	    G_REGEX_OPTIMIZE, 0, NULL);
	int nfiles = 0;
	guint d;

	(void)state;
	assert_non_null(re);
	for (d = 0; d < G_N_ELEMENTS(dirs); d++) {
		GDir *gd = g_dir_open(dirs[d], 0, NULL);
		const char *name;

		if (gd == NULL)
			fail_msg("no captures in %s", dirs[d]);
		while ((name = g_dir_read_name(gd)) != NULL) {
			char *path = g_build_filename(dirs[d], name, NULL);
			const char *dot = strrchr(name, '.');
			int32_t hint = 0;

			if (g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
			    (strstr(name, ".strace") != NULL ||
			    strstr(name, ".ff.") != NULL ||
			    g_str_has_suffix(name, ".txt"))) {
				if (strstr(name, ".ff.") != NULL)
					hint = (int32_t)atoi(dot + 1);
				check_capture(path, hint, re);
				nfiles++;
			}
			g_free(path);
		}
		g_dir_close(gd);
	}
	assert_true(nfiles >= 16);
	g_regex_unref(re);
	g_free(dir);
	g_free(fdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_openat_annotated),
		cmocka_unit_test(test_weird_name),
		cmocka_unit_test(test_deleted),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_stderr_lone_task),
		cmocka_unit_test(test_stderr_cut_lines),
		cmocka_unit_test(test_aio_calls),
		cmocka_unit_test(test_line_times),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_number_and_pointer),
		cmocka_unit_test(test_summary_table),
		cmocka_unit_test(test_unfinished_resumed),
		cmocka_unit_test(test_vfork_holdback),
		cmocka_unit_test(test_nested_clones),
		cmocka_unit_test(test_never_resumed),
		cmocka_unit_test(test_superseded),
		cmocka_unit_test(test_abi_aliases),
		cmocka_unit_test(test_mknod_readahead),
		cmocka_unit_test(test_futex),
		cmocka_unit_test(test_raw_flags),
		cmocka_unit_test(test_verbose_xx),
		cmocka_unit_test(test_inject_marks),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_lex_int),
		cmocka_unit_test(test_lex_words),
		cmocka_unit_test(test_flags_one_pass),
		cmocka_unit_test(test_fd_known_annot),
		cmocka_unit_test(test_control_columns),
		cmocka_unit_test(test_lex_secfrac),
		cmocka_unit_test(test_annotation_lengths),
		cmocka_unit_test(test_iov),
		cmocka_unit_test(test_modelled_calls),
		cmocka_unit_test(test_more_calls),
		cmocka_unit_test(test_skipped_lines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
