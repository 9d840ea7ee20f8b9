/*
 * diskspecs.h — DiskSim 4.0 parameter files describing a drive.
 */
#ifndef VFSSIM_DISKSPECS_H
#define VFSSIM_DISKSPECS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "disk.h"

/*
 * Read a drive from a DiskSim .parv (with the .diskspecs, .model and .seek
 * files it sources) or a .diskspecs: the disk block, its dm_disk model, and
 * from the topology the bus it hangs on.  On success p is a finished
 * parameter set (disk_params_free it).  A parameter vfssim does not model,
 * or a value of one it models only partly, is an error naming the file,
 * line and parameter; on any error p is left empty.
 */
bool	diskspecs_load(const char *path, struct disk_params *p, GError **err);
/* The same, adding to notes (strings, g_free them) a line for each
 * parameter read and ignored: "file:line: key = value: why" (vfssim disk
 * --explain). */
bool	diskspecs_load_notes(const char *path, struct disk_params *p,
	    GPtrArray *notes, GError **err);

/* A DiskSim extracted seek curve: "distance, ms" lines, optionally after
 * "Seek distances measured: N". */
bool	diskspecs_read_seek(const char *path, int *n, int64_t **dist,
	    double **ms, GError **err);

#endif
