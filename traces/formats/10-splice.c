/*
 * 10-splice.c — the program behind 10-splice.strace (traces/README.md):
 * a file spliced into a pipe at offsets it names, a child splicing the
 * pipe into a new file, and one pipe spliced into another.  Captured with
 *   strace -f -ttt -T -y -o t.st ./t   (in an empty directory)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	static char buf[200000];
	int fi, fo, p[2], q[2];
	loff_t off = 0;
	ssize_t n;
	pid_t pid;

	memset(buf, 'x', sizeof(buf));
	fi = open("in", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fi < 0 || write(fi, buf, sizeof(buf)) != sizeof(buf))
		return 1;
	close(fi);
	if (pipe(p) != 0 || pipe(q) != 0)
		return 1;
	if ((pid = fork()) == 0) {
		close(p[1]);
		fo = open("out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		while (splice(p[0], NULL, fo, NULL, 65536, SPLICE_F_MOVE) > 0)
			;
		close(fo);
		_exit(0);
	}
	close(p[0]);
	fi = open("in", O_RDONLY);
	while (off < (loff_t)sizeof(buf) &&
	    (n = splice(fi, &off, p[1], NULL, 65536, SPLICE_F_MORE)) > 0)
		;
	close(p[1]);
	/* a pipe into a pipe: no file's bytes */
	if (write(q[1], "abc", 3) != 3 || pipe(p) != 0 ||
	    splice(q[0], NULL, p[1], NULL, 3, 0) != 3)
		return 1;
	waitpid(pid, NULL, 0);
	close(fi);
	unlink("in");
	return 0;
}
