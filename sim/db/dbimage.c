/*
 * dbimage.c — a new results database written whole from the build's
 * image (dbimage.h).
 */
#include "dbimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

static bool
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

bool
db_create_from_image(const char *path)
{
	char *dir, proc[64];
	unsigned char *img;
	bool made;
	size_t i;
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
	img = g_malloc0(db_image_len);
	for (i = 0; i < db_image_nruns; i++)
		memcpy(img + db_image_runs[i].off, db_image_runs[i].bytes,
		    db_image_runs[i].len);
	made = write_all(fd, img, db_image_len) && fdatasync(fd) == 0;
	g_free(img);
	/* Named only once whole; linkat fails (EEXIST) rather than replace a
	 * file another program made meanwhile. */
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	made = made && linkat(AT_FDCWD, proc, AT_FDCWD, path,
	    AT_SYMLINK_FOLLOW) == 0;
	(void)close(fd);
	return made;
}
