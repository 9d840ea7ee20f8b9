/*
 * 12-aio.c — the program behind 12-aio.strace (traces/README.md): Linux
 * AIO by raw system calls, as libaio makes them.  A file there before the
 * capture ("data", 200,000 bytes) read by four requests queued at once
 * (the last one short: the file ends), a new file written by four, an
 * fdatasync request, each batch reaped by io_getevents.  Captured with
 *   head -c 200000 /dev/zero > data; strace -f -ttt -T -y -o t.st ./t
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static char buf[4][65536];

static int
batch(aio_context_t ctx, int fd, int op, int n)
{
	struct iocb cb[4], *cbs[4];
	struct io_event ev[4];
	int i;

	for (i = 0; i < n; i++) {
		memset(&cb[i], 0, sizeof(cb[i]));
		cb[i].aio_fildes = fd;
		cb[i].aio_lio_opcode = op;
		cb[i].aio_data = 100 + i;
		if (op == IOCB_CMD_PREAD || op == IOCB_CMD_PWRITE) {
			cb[i].aio_buf = (uint64_t)(uintptr_t)buf[i];
			cb[i].aio_nbytes = sizeof(buf[i]);
			cb[i].aio_offset = (int64_t)i * 65536;
		}
		cbs[i] = &cb[i];
	}
	if (syscall(SYS_io_submit, ctx, n, cbs) != n ||
	    syscall(SYS_io_getevents, ctx, n, n, ev, NULL) != n)
		return -1;
	return 0;
}

int
main(void)
{
	aio_context_t ctx = 0;
	int in, out;

	if (syscall(SYS_io_setup, 8, &ctx) != 0 ||
	    (in = open("data", O_RDONLY)) < 0 ||
	    (out = open("out", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return 1;
	if (batch(ctx, in, IOCB_CMD_PREAD, 4) != 0 ||
	    batch(ctx, out, IOCB_CMD_PWRITE, 4) != 0 ||
	    batch(ctx, out, IOCB_CMD_FDSYNC, 1) != 0)
		return 1;
	close(in);
	close(out);
	syscall(SYS_io_destroy, ctx);
	return 0;
}
