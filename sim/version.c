/*
 * version.c — which vfssim this is: the release and the commit it was
 * built from.  Only this file sees the commit (the Makefile passes it as
 * VFSSIM_COMMIT and rebuilds this file alone when it changes).
 */
#include "version.h"

#ifndef VFSSIM_COMMIT
#define VFSSIM_COMMIT	"unknown"
#endif

const char *
vfssim_commit(void)
{
	return VFSSIM_COMMIT;
}

const char *
vfssim_version_full(void)
{
	return VFSSIM_VERSION " (commit " VFSSIM_COMMIT ")";
}
