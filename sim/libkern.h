/*
 * libkern.h — small helpers every layer may use, as the kernel has its
 * libkern (bcmp, qsort, ...) below everything else.
 */
#ifndef VFSSIM_LIBKERN_H
#define VFSSIM_LIBKERN_H

#include <glib.h>

/* A GCompareFunc for int64_t elements (g_array_sort, qsort): ascending. */
int	cmp_int64(gconstpointer a, gconstpointer b);

#endif
