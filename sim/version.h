#ifndef VFSSIM_VERSION_H
#define VFSSIM_VERSION_H
#define VFSSIM_VERSION "0.1.0"

/* The commit vfssim was built from (scripts/git-commit, given by the
 * Makefile; "unknown" when built outside a git checkout). */
const char	*vfssim_commit(void);
/* "0.1.0 (commit 3457ff6a1b2c)": what --version prints and a run
 * records. */
const char	*vfssim_version_full(void);
#endif
