/* Unit tests of the starting file system the pre-pass infers from a trace
 * (prepass.c) and of a listing given instead (fsmanifest.c): what a read,
 * a stat and a create show and do not show, one entry a path, a directory
 * reached by two names, the listing read and made the start, and where
 * the trace disagrees with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "fsmanifest.h"
#include "prepass.h"
#include "trace.h"

/* The pre-pass over a native trace given as its lines. */
static struct prepass *
pass_of(const char *lines)
{
	char *path = NULL;
	GError *err = NULL;
	struct prepass *pp;
	int fd = g_file_open_tmp("vfssim-prepass-XXXXXX.trace", &path, &err);
	char *text = g_strconcat("#vfssim-trace 1\n", lines, NULL);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, text, -1, &err));
	pp = prepass_run(path, NULL, &err);
	if (pp == NULL)
		fail_msg("%s", err->message);
	unlink(path);
	g_free(path);
	g_free(text);
	return pp;
}

static const struct initial_file *
entry(const struct prepass *pp, const char *path)
{
	guint i;

	for (i = 0; i < pp->files->len; i++)
		if (strcmp(g_array_index(pp->files, struct initial_file,
		    i).path, path) == 0)
			return &g_array_index(pp->files, struct initial_file, i);
	return NULL;
}

static unsigned
entries_at(const struct prepass *pp, const char *path)
{
	unsigned n = 0;
	guint i;

	for (i = 0; i < pp->files->len; i++)
		n += strcmp(g_array_index(pp->files, struct initial_file,
		    i).path, path) == 0;
	return n;
}

/* A read that returns nothing at offset N shows only that the file ends
 * at or before N; a read of bytes up to N shows it is at least N long. */
static void
test_zero_read(void **state)
{
	struct prepass *pp;
	const struct initial_file *f;

	(void)state;
	pp = pass_of(
	    "1000 7 openat 3 10 fd=AT_FDCWD path=\"/d/f\" oflags=O_RDONLY\n"
	    "2000 7 pread64 0 10 fd=3 len=4096 off=65536\n"
	    "3000 7 openat 4 10 fd=AT_FDCWD path=\"/d/g\" oflags=O_RDONLY\n"
	    "4000 7 read 100 10 fd=4 len=4096\n"
	    "5000 7 read 0 10 fd=4 len=4096\n");
	f = entry(pp, "/d/f");
	assert_non_null(f);
	assert_int_equal(f->size, 0);
	f = entry(pp, "/d/g");
	assert_non_null(f);
	assert_int_equal(f->size, 100);
	assert_string_equal(f->evidence, "bytes read (read)");
	assert_int_equal(f->line, 5);	/* (the header is line 1) */
	prepass_free(pp);
}

/*
 * Linux AIO: a read io_submit queued shows the file's size only when its
 * completion comes back (io_getevents: the aio_data names the request,
 * res the bytes read) — /d/f reaches at least 65536 + 100; a completion
 * of a read of another context, or with no request, shows nothing; the
 * writes are the trace's own (/d/g, written, not there at the start).
 */
static void
test_aio_evidence(void **state)
{
	struct prepass *pp;
	const struct initial_file *f;

	(void)state;
	pp = pass_of(
	    "1000 7 openat 3 10 fd=AT_FDCWD path=\"/d/f\" oflags=O_RDONLY\n"
	    "2000 7 io_submit 2 10 fd=3 arg=9 len=2 path2=\"r 3 0 65536 1;r 3 65536 65536 2\"\n"
	    "3000 7 io_getevents 2 10 arg=9 path2=\"2 100;1 65536\"\n"
	    "3500 7 io_getevents 1 10 arg=8 path2=\"1 999999\"\n"
	    "4000 7 openat 4 10 fd=AT_FDCWD path=\"/d/g\" oflags=O_WRONLY|O_CREAT|O_TRUNC\n"
	    "5000 7 io_submit 1 10 fd=4 arg=9 len=1 path2=\"w 4 0 4096 3\"\n"
	    "6000 7 io_getevents 1 10 arg=9 path2=\"3 4096\"\n");
	f = entry(pp, "/d/f");
	assert_non_null(f);
	assert_int_equal(f->size, 65536 + 100);
	assert_string_equal(f->evidence, "bytes read (io_getevents)");
	assert_null(entry(pp, "/d/g"));
	prepass_free(pp);
}

/*
 * ... and for replay.order = causal: 41's io_getevents reaped requests
 * 40's io_submits queued (a reaper thread): it waits for the later of
 * them; 40's own io_getevents, reaping its own, waits for nothing; a
 * completion no request matches, nothing.
 */
static void
test_aio_waits(void **state)
{
	struct prepass *pp;
	const struct pp_proc *p;
	const struct pp_wait *w;

	(void)state;
	pp = pass_of(
	    "1000 40 openat 3 10 fd=AT_FDCWD path=\"/d/f\" oflags=O_RDONLY\n"
	    "2000 40 io_submit 1 10 fd=3 arg=9 len=1 path2=\"r 3 0 4096 1\"\n"
	    "2100 40 io_submit 1 10 fd=3 arg=9 len=1 path2=\"r 3 4096 4096 2\"\n"
	    "1500 41 io_getevents 2 1000 arg=9 path2=\"1 4096;2 4096\"\n"
	    "3000 40 io_submit 1 10 fd=3 arg=9 len=1 path2=\"r 3 8192 4096 3\"\n"
	    "3100 40 io_getevents 1 10 arg=9 path2=\"3 4096\"\n"
	    "3200 41 io_getevents 1 10 arg=9 path2=\"7 4096\"\n");
	p = prepass_proc(pp, 41, 0);
	assert_non_null(p);
	assert_non_null(p->edges);
	assert_int_equal(p->edges->len, 1);
	w = &g_array_index(p->edges, struct pp_wait, 0);
	assert_int_equal(w->cidx, 0);
	assert_int_equal(w->pid, 40);
	assert_int_equal(w->pidx, 2);		/* the later io_submit */
	assert_int_equal(w->wend, 2110);
	assert_int_equal(w->kind, PW_AIO);
	assert_null(prepass_proc(pp, 40, 0)->edges);
	assert_int_equal(pp->edges, 1);
	prepass_free(pp);
}

/* A file the trace made is not there at the start, whatever size a stat
 * then shows (a mapping or a call not traced may have grown it); only
 * bytes read that the trace had not written show an O_CREAT without
 * O_EXCL found the file there. */
static void
test_created_first(void **state)
{
	struct prepass *pp;
	const struct initial_file *f;

	(void)state;
	pp = pass_of(
	    "1000 7 openat 3 10 fd=AT_FDCWD path=\"/d/new\" oflags=O_RDWR|O_CREAT|O_EXCL mode=0644\n"
	    "2000 7 write 10 10 fd=3 len=10\n"
	    "3000 7 fstat 0 10 fd=3 size=4096 type=REG\n"
	    "4000 7 close 0 10 fd=3\n"
	    "5000 7 openat 3 10 fd=AT_FDCWD path=\"/d/maybe\" oflags=O_RDWR|O_CREAT mode=0644\n"
	    "6000 7 fstat 0 10 fd=3 size=500 type=REG\n"
	    "7000 7 close 0 10 fd=3\n"
	    "8000 7 openat 3 10 fd=AT_FDCWD path=\"/d/old\" oflags=O_RDWR|O_CREAT mode=0644\n"
	    "9000 7 read 200 10 fd=3 len=4096\n");
	assert_null(entry(pp, "/d/new"));
	assert_null(entry(pp, "/d/maybe"));
	f = entry(pp, "/d/old");
	assert_non_null(f);
	assert_int_equal(f->size, 200);
	/* /d itself was there: the files were made in it */
	f = entry(pp, "/d");
	assert_non_null(f);
	assert_true(f->isdir);
	prepass_free(pp);
}

/*
 * A descriptor open before the capture is learned from its annotation by
 * every call on a descriptor the replay simulates, its file there at the
 * start: stdout and stderr redirected to files that the program only
 * asks isatty() (ioctl) or fcntl of; a pipe's is not a file.
 */
static void
test_learned_descriptors(void **state)
{
	struct prepass *pp;
	const struct initial_file *f;

	(void)state;
	pp = pass_of(
	    "1000 7 fcntl 32769 10 fd=1 cmd=F_GETFL fdpath=\"/log/stdout\"\n"
	    "2000 7 ioctl -ENOTTY 10 fd=2 fdpath=\"/log/stderr\"\n"
	    "3000 7 fsync 0 10 fd=4 fdpath=\"/log/sync\"\n"
	    "4000 7 ioctl 0 10 fd=0 fdpath=\"pipe:[4242]\"\n");
	f = entry(pp, "/log/stdout");
	assert_non_null(f);
	assert_false(f->isdir);
	assert_string_equal(f->evidence, "descriptor open before the capture (fcntl)");
	assert_non_null(entry(pp, "/log/stderr"));
	assert_non_null(entry(pp, "/log/sync"));
	assert_int_equal(pp->files->len, 4);	/* and "/log" */
	prepass_free(pp);
}

/*
 * A pipe's bytes, counted in the order the calls returned: a read that
 * returned data waits for the write of another process that put its last
 * byte there.  Process 10 writes 100, 50 and 30 bytes to pipe:[5]; 11
 * reads 120 (its last byte in 10's second write: its call 1), then 60 (in
 * the third: call 2).  12 reads 10 bytes of pipe:[6] it wrote itself: no
 * edge; 13 reads bytes whose write the trace shows later, begun after the
 * read returned: no edge; the reads that
 * returned nothing or failed, none.  15's copy_file_range of a file to
 * pipe:[9] (cat's) is a write of it that 16's read waits for; 17's of one
 * pipe to another, neither.  18 reads 20 bytes of pipe:[11] whose write
 * by 19 (128 KB, begun before the read returned) the trace shows after
 * the read: the read waits for it.  splice is copy_file_range's kind
 * (Linux's splice(2), arguments in the same places): 20's of a file into
 * pipe:[12] is the write 21's splice of the pipe into a file waits for.
 */
static void
test_pipe_waits(void **state)
{
	struct prepass *pp;
	const struct pp_proc *p;
	const struct pp_wait *w;

	(void)state;
	pp = pass_of(
	    "1000 10 write 100 10 fd=1 fdpath=\"pipe:[5]\" len=100\n"
	    "2000 10 write 50 10 fd=1 fdpath=\"pipe:[5]\" len=50\n"
	    "2500 11 read 120 10 fd=0 fdpath=\"pipe:[5]\" len=4096\n"
	    "3000 10 write 30 10 fd=1 fdpath=\"pipe:[5]\" len=30\n"
	    "4000 11 read 60 10 fd=0 fdpath=\"pipe:[5]\" len=4096\n"
	    "4500 11 read 0 10 fd=0 fdpath=\"pipe:[5]\" len=4096\n"
	    "5000 12 write 10 10 fd=4 fdpath=\"pipe:[6]\" len=10\n"
	    "6000 12 read 10 10 fd=3 fdpath=\"pipe:[6]\" len=10\n"
	    "7000 13 read 8 10 fd=0 fdpath=\"pipe:[8]\" len=8\n"
	    "7500 13 read -EAGAIN 10 fd=0 fdpath=\"pipe:[8]\" len=8\n"
	    "8000 14 write 8 10 fd=1 fdpath=\"pipe:[8]\" len=8\n"
	    "9000 15 copy_file_range 30 10 fd=3 fdpath=\"/f\" fd2=1 fdpath2=\"pipe:[9]\" len=4096\n"
	    "9100 16 read 30 10 fd=0 fdpath=\"pipe:[9]\" len=4096\n"
	    "9200 17 copy_file_range 5 10 fd=0 fdpath=\"pipe:[9]\" fd2=1 fdpath2=\"pipe:[10]\" len=5\n"
	    "9500 18 read 20 100 fd=0 fdpath=\"pipe:[11]\" len=20\n"
	    "9400 19 write 131072 300 fd=1 fdpath=\"pipe:[11]\" len=131072\n"
	    "9800 20 splice 65536 10 fd=3 fdpath=\"/f\" off=0 fd2=4 fdpath2=\"pipe:[12]\" len=65536\n"
	    "9900 21 splice 65536 10 fd=3 fdpath=\"pipe:[12]\" fd2=4 fdpath2=\"/g\" len=65536\n");
	p = prepass_proc(pp, 11, 0);
	assert_non_null(p);
	assert_non_null(p->edges);
	assert_int_equal(p->edges->len, 2);
	w = &g_array_index(p->edges, struct pp_wait, 0);
	assert_int_equal(w->cidx, 0);
	assert_int_equal(w->pid, 10);
	assert_int_equal(w->k, 0);
	assert_int_equal(w->pidx, 1);
	assert_int_equal(w->wend, 2010);
	w = &g_array_index(p->edges, struct pp_wait, 1);
	assert_int_equal(w->cidx, 1);
	assert_int_equal(w->pidx, 2);
	assert_int_equal(w->wend, 3010);
	assert_null(prepass_proc(pp, 12, 0)->edges);
	assert_null(prepass_proc(pp, 13, 0)->edges);
	p = prepass_proc(pp, 18, 0);
	w = &g_array_index(p->edges, struct pp_wait, 0);
	assert_int_equal(w->pid, 19);
	assert_int_equal(w->pidx, 0);
	assert_int_equal(w->wend, 9700);
	p = prepass_proc(pp, 16, 0);
	assert_non_null(p->edges);
	assert_int_equal(g_array_index(p->edges, struct pp_wait, 0).pid, 15);
	assert_null(prepass_proc(pp, 17, 0)->edges);
	p = prepass_proc(pp, 21, 0);
	assert_non_null(p->edges);
	w = &g_array_index(p->edges, struct pp_wait, 0);
	assert_int_equal(w->pid, 20);
	assert_int_equal(w->wend, 9810);
	assert_null(prepass_proc(pp, 20, 0)->edges);
	assert_int_equal(pp->edges, 5);
	prepass_free(pp);
}

/*
 * The same without -y (no annotation names a pipe): a pipe is known by
 * the descriptors pipe2 returned, carried by fork and dup2 as the kernel's
 * fork (fdcopy) and dup2 carry them.  30 makes a pipe (3, 4) and forks
 * 31, which dup2s the write end to 1 and writes 100 bytes; 30's read of
 * 3 waits for that write.  32, whose making the trace does not show,
 * reads its 5: no pipe it was seen to get, no edge; 30's 3 closed and
 * opened again as a file is no pipe either.
 */
static void
test_pipe_waits_unannotated(void **state)
{
	struct prepass *pp;
	const struct pp_proc *p;
	const struct pp_wait *w;

	(void)state;
	pp = pass_of(
	    "1000 30 pipe2 0 10 rfd=3,4\n"
	    "1100 30 clone 31 10\n"
	    "1200 31 dup2 1 10 fd=4 fd2=1\n"
	    "1300 31 close 0 10 fd=3\n"
	    "1400 31 write 100 10 fd=1 len=100\n"
	    "1500 30 read 100 10 fd=3 len=4096\n"
	    "1600 30 pipe2 0 10 rfd=5,6\n"
	    "1700 30 write 8 10 fd=6 len=8\n"
	    "1800 32 read 8 10 fd=5 len=8\n"
	    "1900 30 close 0 10 fd=3\n"
	    "2000 30 openat 3 10 fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY\n"
	    "2100 31 write 5 10 fd=1 len=5\n"
	    "2200 30 read 5 10 fd=3 len=5\n");
	p = prepass_proc(pp, 30, 0);
	assert_non_null(p);
	assert_non_null(p->edges);
	assert_int_equal(p->edges->len, 1);
	w = &g_array_index(p->edges, struct pp_wait, 0);
	assert_int_equal(w->cidx, 2);
	assert_int_equal(w->pid, 31);
	assert_int_equal(w->pidx, 2);
	assert_int_equal(w->wend, 1410);
	assert_null(prepass_proc(pp, 32, 0)->edges);
	assert_null(prepass_proc(pp, 31, 0)->edges);
	assert_int_equal(pp->edges, 1);
	prepass_free(pp);
}

/*
 * A futex wait that returned 0 was woken by a wake of another thread on
 * its address, begun before it returned: 21's wait (its call 0) by 20's
 * wake whose line came first; 21's second wait (call 1) by the wake whose
 * line came after it — and after 21's pipe read (call 2) had its edge:
 * the wait's goes before it; 22's wait that failed EAGAIN, and 20's own
 * wake's match of its own wait, order nothing; a wake that woke nobody
 * (0) is no wake.
 */
static void
test_futex_waits(void **state)
{
	struct prepass *pp;
	const struct pp_proc *p;
	const struct pp_wait *w;

	(void)state;
	pp = pass_of(
	    "1000 20 futex 1 10 cmd=FUTEX_WAKE arg=64\n"
	    "500 21 futex 0 600 cmd=FUTEX_WAIT arg=64\n"
	    "1500 20 write 4 10 fd=1 fdpath=\"pipe:[3]\" len=4\n"
	    "2000 21 futex 0 900 cmd=FUTEX_WAIT arg=64\n"
	    "2050 21 read 4 10 fd=0 fdpath=\"pipe:[3]\" len=4\n"
	    "2500 20 futex 0 10 cmd=FUTEX_WAKE arg=64\n"
	    "2600 20 futex 1 10 cmd=FUTEX_WAKE arg=64\n"
	    "3000 22 futex -EAGAIN 10 cmd=FUTEX_WAIT arg=64\n"
	    "4000 20 futex 0 50 cmd=FUTEX_WAIT arg=128\n"
	    "4010 20 futex 1 10 cmd=FUTEX_WAKE arg=128\n");
	p = prepass_proc(pp, 21, 0);
	assert_non_null(p->edges);
	assert_int_equal(p->edges->len, 3);
	w = &g_array_index(p->edges, struct pp_wait, 0);
	assert_int_equal(w->kind, PW_FUTEX);
	assert_int_equal(w->cidx, 0);
	assert_int_equal(w->pid, 20);
	assert_int_equal(w->pidx, 0);
	assert_int_equal(w->wend, 1010);
	w = &g_array_index(p->edges, struct pp_wait, 1);
	assert_int_equal(w->cidx, 1);
	assert_int_equal(w->kind, PW_FUTEX);
	assert_int_equal(w->pid, 20);
	assert_int_equal(w->pidx, 3);
	assert_int_equal(w->wend, 2610);
	w = &g_array_index(p->edges, struct pp_wait, 2);
	assert_int_equal(w->cidx, 2);
	assert_int_equal(w->kind, PW_PIPE);
	assert_int_equal(w->pidx, 1);
	assert_null(prepass_proc(pp, 22, 0)->edges);
	/* 20's own wait, matched by no wake of another thread: none */
	assert_null(prepass_proc(pp, 20, 0)->edges);
	assert_int_equal(pp->edges, 3);
	prepass_free(pp);
}

/*
 * A name the trace followed before it showed it was a link: what those
 * calls reached was the link's target, there at the start with the size
 * they saw (/b/p, read through, then readlink'd: /b/p.real holds the 5000
 * bytes, /b/p is the link).  readlink failing EINVAL found a name that is
 * not a link: there at the start (/b/q).  A name first shown as a link
 * (/b/r) says nothing of its target.
 */
static void
test_link_followed_before(void **state)
{
	struct prepass *pp;
	const struct initial_file *f, *t;

	(void)state;
	pp = pass_of(
	    "1000 7 faccessat2 0 10 fd=AT_FDCWD path=\"/b/p\"\n"
	    "2000 7 openat 3 10 fd=AT_FDCWD path=\"/b/p\" oflags=O_RDONLY\n"
	    "3000 7 read 5000 10 fd=3 len=8192\n"
	    "4000 7 close 0 10 fd=3\n"
	    "5000 7 readlink 6 10 path=\"/b/p\" path2=\"p.real\" len=4096\n"
	    "6000 7 readlink -EINVAL 10 path=\"/b/q\" len=4096\n"
	    "7000 7 readlink 5 10 path=\"/b/r\" path2=\"r.dst\" len=4096\n");
	f = entry(pp, "/b/p");
	assert_non_null(f);
	assert_string_equal(f->symlink, "p.real");
	t = entry(pp, "/b/p.real");
	assert_non_null(t);
	assert_false(t->isdir);
	assert_null(t->symlink);
	assert_int_equal(t->size, 5000);
	f = entry(pp, "/b/q");
	assert_non_null(f);
	assert_null(f->symlink);
	assert_non_null(entry(pp, "/b/r"));
	assert_null(entry(pp, "/b/r.dst"));
	prepass_free(pp);
}

/*
 * A directory's first whole listing (getdents64 from its start to the
 * call that returns 0, strace's count of each call's entries) is how many
 * entries it held, for the layout to give it as many: /a's 300 + 200 in
 * two calls; /b listed twice, the first listing counting; /c's listing
 * begun past its start (sought to 4096) counts nothing, nor /d's, whose
 * calls strace showed no count for, nor /e's, unfinished; /f, made by the
 * trace, was not there at the start; /g's million entries in 400 bytes
 * (a Linux entry takes 24 at least) are not believed.
 */
static void
test_listing(void **state)
{
	struct prepass *pp;

	(void)state;
	pp = pass_of(
	    "1000 7 openat 3 10 fd=AT_FDCWD path=\"/a\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "2000 7 getdents64 12000 10 fd=3 len=32768 arg=300\n"
	    "3000 7 getdents64 8000 10 fd=3 len=32768 arg=200\n"
	    "4000 7 getdents64 0 10 fd=3 len=32768\n"
	    "5000 7 openat 4 10 fd=AT_FDCWD path=\"/b\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "6000 7 getdents64 400 10 fd=4 len=32768 arg=10\n"
	    "7000 7 getdents64 0 10 fd=4 len=32768\n"
	    "8000 7 lseek 0 10 fd=4 off=0 cmd=SEEK_SET\n"
	    "9000 7 getdents64 800 10 fd=4 len=32768 arg=20\n"
	    "10000 7 getdents64 0 10 fd=4 len=32768\n"
	    "11000 7 openat 5 10 fd=AT_FDCWD path=\"/c\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "12000 7 lseek 4096 10 fd=5 off=4096 cmd=SEEK_SET\n"
	    "13000 7 getdents64 400 10 fd=5 len=32768 arg=10\n"
	    "14000 7 getdents64 0 10 fd=5 len=32768\n"
	    "15000 7 openat 6 10 fd=AT_FDCWD path=\"/d\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "16000 7 getdents64 400 10 fd=6 len=32768\n"
	    "17000 7 getdents64 0 10 fd=6 len=32768\n"
	    "18000 7 openat 7 10 fd=AT_FDCWD path=\"/e\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "19000 7 getdents64 400 10 fd=7 len=32768 arg=10\n"
	    "20000 7 mkdir 0 10 path=\"/f\" mode=0755\n"
	    "21000 7 openat 8 10 fd=AT_FDCWD path=\"/f\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "22000 7 getdents64 48 10 fd=8 len=32768 arg=2\n"
	    "23000 7 getdents64 0 10 fd=8 len=32768\n"
	    "24000 7 openat 9 10 fd=AT_FDCWD path=\"/g\" oflags=O_RDONLY|O_DIRECTORY\n"
	    "25000 7 getdents64 400 10 fd=9 len=32768 arg=1000000\n"
	    "26000 7 getdents64 0 10 fd=9 len=32768\n");
	assert_int_equal(entry(pp, "/a")->listed, 500);
	assert_int_equal(entry(pp, "/a")->listed_bytes, 20000);
	assert_int_equal(entry(pp, "/b")->listed, 10);
	assert_int_equal(entry(pp, "/b")->listed_bytes, 400);
	assert_int_equal(entry(pp, "/c")->listed, 0);
	assert_int_equal(entry(pp, "/d")->listed, 0);
	assert_int_equal(entry(pp, "/e")->listed, 0);
	assert_null(entry(pp, "/f"));
	assert_int_equal(entry(pp, "/g")->listed, 0);
	prepass_free(pp);
}

/* One name, at most one entry: a journal made and removed again and again
 * is never there at the start; a name the trace removed and then finds
 * again was remade by something the trace does not show. */
static void
test_one_entry_a_path(void **state)
{
	GString *t = g_string_new("");
	struct prepass *pp;
	const struct initial_file *f;
	int i;

	(void)state;
	for (i = 0; i < 59; i++)
		g_string_append_printf(t,
		    "%d 7 openat 4 10 fd=AT_FDCWD path=\"/db-journal\" oflags=O_RDWR|O_CREAT mode=0644\n"
		    "%d 7 pwrite64 512 10 fd=4 len=512 off=0\n"
		    "%d 7 pread64 0 10 fd=4 len=8 off=4096\n"
		    "%d 7 fstat 0 10 fd=4 size=512 type=REG\n"
		    "%d 7 close 0 10 fd=4\n"
		    "%d 7 unlink 0 10 path=\"/db-journal\"\n",
		    100 * i + 1, 100 * i + 2, 100 * i + 3, 100 * i + 4,
		    100 * i + 5, 100 * i + 6);
	g_string_append(t,
	    "10000 7 stat 0 10 path=\"/x\" size=10 type=REG\n"
	    "10010 7 unlink 0 10 path=\"/x\"\n"
	    "10020 7 stat 0 10 path=\"/x\" size=20 type=REG\n");
	pp = pass_of(t->str);
	g_string_free(t, TRUE);
	assert_int_equal(entries_at(pp, "/db-journal"), 0);
	assert_int_equal(entries_at(pp, "/x"), 1);
	f = entry(pp, "/x");
	assert_int_equal(f->size, 10);
	assert_string_equal(f->evidence, "st_size (stat)");
	prepass_free(pp);
}

/* A directory reached by two names is one: a working directory reached
 * through a symbolic link (chdir by a name, AT_FDCWD annotations with
 * another), and /lib/x86_64-linux-gnu annotated as /usr/lib/... */
static void
test_dir_alias(void **state)
{
	struct prepass *pp;
	const struct initial_file *f;
	char *c;
	guint i;

	(void)state;
	pp = pass_of(
	    "1000 7 openat 3 10 fd=AT_FDCWD path=\"/etc/x\" oflags=O_RDONLY fdpath=\"/home/u/work\" retpath=\"/etc/x\"\n"
	    "2000 7 stat 0 10 path=\"/lib/x86_64-linux-gnu/libm.so.6\" size=7 type=REG\n"
	    "3000 7 openat 4 10 fd=AT_FDCWD path=\"/lib/x86_64-linux-gnu/libc.so.6\" oflags=O_RDONLY fdpath=\"/home/u/work\" retpath=\"/usr/lib/x86_64-linux-gnu/libc.so.6\"\n"
	    "4000 7 read 832 10 fd=4 len=832\n"
	    "5000 7 chdir 0 10 path=\"proj\"\n"
	    "6000 7 openat 5 10 fd=AT_FDCWD path=\"Makefile\" oflags=O_RDONLY fdpath=\"/home/u/srv/proj\" retpath=\"/home/u/srv/proj/Makefile\"\n"
	    "7000 7 read 103 10 fd=5 len=4096\n"
	    "8000 7 stat 0 10 path=\"/home/u/work/proj/f.c\" size=50 type=REG\n"
	    /* a file symlink whose target has the same name: not a
	     * directory's other name */
	    "9000 7 openat 6 10 fd=AT_FDCWD path=\"/usr/share/locale/locale.alias\" oflags=O_RDONLY fdpath=\"/home/u/srv/proj\" retpath=\"/etc/locale.alias\"\n");
	/* no entry under the other names */
	for (i = 0; i < pp->files->len; i++) {
		const char *p = g_array_index(pp->files, struct initial_file,
		    i).path;

		assert_false(g_str_has_prefix(p, "/lib/x86_64-linux-gnu"));
		assert_false(g_str_has_prefix(p, "/home/u/work/proj"));
	}
	f = entry(pp, "/usr/lib/x86_64-linux-gnu/libm.so.6");
	assert_non_null(f);
	assert_int_equal(f->size, 7);
	assert_int_equal(entry(pp, "/usr/lib/x86_64-linux-gnu/libc.so.6")->size, 832);
	assert_int_equal(entries_at(pp, "/usr/lib/x86_64-linux-gnu"), 1);
	assert_int_equal(entry(pp, "/home/u/srv/proj/Makefile")->size, 103);
	assert_int_equal(entry(pp, "/home/u/srv/proj/f.c")->size, 50);
	/* the locale file: another name for a file, not a directory */
	f = entry(pp, "/usr/share/locale/locale.alias");
	assert_non_null(f);
	assert_int_equal(initial_file_type(f), 'l');
	assert_non_null(entry(pp, "/etc/locale.alias"));
	c = prepass_canonical(pp, "/lib/x86_64-linux-gnu/libz.so.1");
	assert_string_equal(c, "/usr/lib/x86_64-linux-gnu/libz.so.1");
	g_free(c);
	assert_string_equal(g_hash_table_lookup(pp->cwd0, GINT_TO_POINTER(7)),
	    "/home/u/work");
	prepass_free(pp);
}

static struct fs_manifest *
listing(const char *text, GError **err)
{
	char *path = NULL;
	struct fs_manifest *m;
	int fd = g_file_open_tmp("vfssim-listing-XXXXXX.txt", &path, err);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, text, -1, err));
	m = fs_manifest_read(path, err);
	unlink(path);
	g_free(path);
	return m;
}

/* A listing is the start where it speaks; the trace's disagreements are
 * noted; a malformed listing is refused, naming the line. */
static void
test_manifest(void **state)
{
	struct prepass *pp;
	struct fs_manifest *m;
	GError *err = NULL;
	const struct initial_file *f;
	guint i, absent = 0, size = 0, created = 0;

	(void)state;
	pp = pass_of(
	    "1000 7 openat 3 10 fd=AT_FDCWD path=\"/w/a\" oflags=O_RDONLY\n"
	    "2000 7 read 900 10 fd=3 len=4096\n"
	    "3000 7 stat 0 10 path=\"/w/gone\" size=5 type=REG\n"
	    "4000 7 stat 0 10 path=\"/elsewhere/z\" size=9 type=REG\n"
	    "5000 7 mkdir 0 10 path=\"/w/sub\" mode=0755\n");
	m = listing("# find /w -printf '%y\\t%s\\t%p\\n'\n"
	    "d\t4096\t/w\n"
	    "f\t512\t/w/a\n"
	    "f\t100000\t/w/big\tname\n"
	    "d\t4096\t/w/sub\n"
	    "p\t0\t/w/fifo\n", &err);
	assert_non_null(m);
	assert_int_equal(m->entries->len, 4);
	assert_int_equal(m->skipped, 1);
	fs_manifest_apply(pp, m);
	/* listed entries as listed, the outside as inferred, the name the
	 * listing lacks not made */
	assert_int_equal(entry(pp, "/w/a")->size, 512);
	assert_string_equal(entry(pp, "/w/a")->evidence, "listing");
	f = entry(pp, "/w/big\tname");
	assert_non_null(f);
	assert_int_equal(f->size, 100000);
	assert_null(entry(pp, "/w/gone"));
	assert_int_equal(entry(pp, "/elsewhere/z")->size, 9);
	assert_true(entry(pp, "/w/sub")->isdir);
	for (i = 0; i < pp->notes->len; i++) {
		const struct fs_note *n = &g_array_index(pp->notes,
		    struct fs_note, i);

		if (strcmp(n->path, "/w/gone") == 0 && n->type == '-')
			absent++;
		if (strcmp(n->path, "/w/a") == 0 && strstr(n->what, "900"))
			size++;
		if (strcmp(n->path, "/w/sub") == 0 && strstr(n->what, "creates"))
			created++;
	}
	assert_int_equal(pp->notes->len, 3);
	assert_int_equal(absent, 1);
	assert_int_equal(size, 1);
	assert_int_equal(created, 1);
	fs_manifest_free(m);
	prepass_free(pp);

	/* bad listings: the file and line named */
	m = listing("d\t4096\t/w\nf\tx\t/w/a\n", &err);
	assert_null(m);
	assert_non_null(strstr(err->message, ":2: the size"));
	g_clear_error(&err);
	m = listing("f\t1\trelative/a\n", &err);
	assert_null(m);
	assert_non_null(strstr(err->message, ":1: the path must be absolute"));
	g_clear_error(&err);
	m = listing("f\t1\t/a\nf\t2\t/a/\n", &err);
	assert_null(m);
	assert_non_null(strstr(err->message, ":2: /a is listed twice"));
	g_clear_error(&err);
	m = listing("q\t1\t/a\n", &err);
	assert_null(m);
	assert_non_null(strstr(err->message, ":1: the type"));
	g_clear_error(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_read),
		cmocka_unit_test(test_aio_evidence),
		cmocka_unit_test(test_aio_waits),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_learned_descriptors),
		cmocka_unit_test(test_link_followed_before),
		cmocka_unit_test(test_pipe_waits),
		cmocka_unit_test(test_pipe_waits_unannotated),
		cmocka_unit_test(test_futex_waits),
		cmocka_unit_test(test_created_first),
		cmocka_unit_test(test_one_entry_a_path),
		cmocka_unit_test(test_dir_alias),
		cmocka_unit_test(test_manifest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
