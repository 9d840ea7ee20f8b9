/*
 * dbimage.c — a new results database written whole from the build's
 * image (dbimage.h).
 */
#include "dbimage.h"
#include "kassert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <glib.h>

/* The gaps between the image's runs are written from this: no copy of
 * the image is made (68 KB zeroed and filled had been 17 pages of fresh
 * memory touched, a page fault each). */
static const unsigned char zeros[4096];

/* The image to fd in one writev: its runs where they are, its zeros from
 * zeros[]. */
static bool
write_image(int fd)
{
	struct iovec *iov, *v;
	size_t at = 0, i, n = 0, max = 2 * db_image_nruns + 1 +
	    db_image_len / sizeof(zeros);
	bool ok = true;

	iov = g_new(struct iovec, max);
	for (i = 0; i <= db_image_nruns; i++) {
		size_t to = i < db_image_nruns ? db_image_runs[i].off :
		    db_image_len;

		for (; at < to; at += iov[n++].iov_len) {
			iov[n].iov_base = (void *)zeros;
			iov[n].iov_len = MIN(to - at, sizeof(zeros));
		}
		if (i < db_image_nruns) {
			iov[n].iov_base = (void *)db_image_runs[i].bytes;
			iov[n].iov_len = db_image_runs[i].len;
			at += iov[n++].iov_len;
		}
	}
	KASSERT(n <= max && n <= IOV_MAX, ("dbimage: %zu pieces", n));
	for (v = iov; ok && n > 0;) {
		ssize_t w = writev(fd, v, (int)n);

		if (w < 0 && errno == EINTR)
			continue;
		ok = w > 0;
		/* a short write: on from where it stopped */
		while (ok && n > 0 && (size_t)w >= v->iov_len) {
			w -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (ok && n > 0) {
			v->iov_base = (char *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
	g_free(iov);
	return ok;
}

bool
db_create_from_image(const char *path)
{
	char *dir, proc[64];
	bool made;
	int fd;

	/* SQLite's names for a database that is no file */
	if (path[0] == '\0' || strcmp(path, ":memory:") == 0 ||
	    g_file_test(path, G_FILE_TEST_EXISTS))
		return false;
	dir = g_path_get_dirname(path);
	/* The mode SQLite gives a file it makes
	 * (SQLITE_DEFAULT_FILE_PERMISSIONS), less the umask. */
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	g_free(dir);
	if (fd < 0)
		return false;
	made = write_image(fd) && fdatasync(fd) == 0;
	/* Named only once whole; linkat fails (EEXIST) rather than replace a
	 * file another program made meanwhile. */
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	made = made && linkat(AT_FDCWD, proc, AT_FDCWD, path,
	    AT_SYMLINK_FOLLOW) == 0;
	(void)close(fd);
	return made;
}
