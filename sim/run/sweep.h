/*
 * sweep.h — a parameter sweep: the cartesian product of a few settings'
 * values, run on this machine's threads or written out as jobs for a
 * cluster (one command a run, each into its own database, merged after).
 */
#ifndef VFSSIM_SWEEP_H
#define VFSSIM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

/* One --grid key=v1,v2,...: a setting and its values. */
struct grid_axis {
	char		*key;		/* as the user wrote it */
	char		**values;
	guint		 nvalues;
};

/* Parse "key=v1,v2,..." (every value is checked to be one the key
 * takes; an unknown key is an error); axes must name different keys. */
bool	sweep_parse_axis(GPtrArray *axes, const char *spec, GError **err);
void	sweep_axis_free(gpointer p);

/* Points of the grid: the first axis varies slowest.  Point i's
 * settings ("key=value", one an axis, NULL-terminated) and label
 * ("key=value,key=value"). */
guint	sweep_npoints(GPtrArray *axes);
char	**sweep_point(GPtrArray *axes, guint i);
char	*sweep_label(GPtrArray *axes, guint i);

/* What one job is: a vfssim replay command line. */
struct sweep_jobspec {
	const char	*trace;		/* TRACE, or NULL with gen */
	const char	*gen;
	char		**params;
	const char	*prof_file;
	char		**sets;		/* common --set, then the point's */
	bool		 events;
	const char	*fs_image;	/* --fs-image (it exists), or NULL */
};

/*
 * Write dir/jobs.txt (one command a line: cd to the current directory,
 * then vfssim replay with this run's settings into dir/db/run-NNNNNN.db),
 * dir/slurm.sh (a job array running line $SLURM_ARRAY_TASK_ID),
 * dir/parallel.sh (GNU parallel over jobs.txt, then the merge) and
 * dir/merge.sh (vfssim merge DB dir/db/run-*.db).  Nothing is run.
 */
bool	sweep_emit_jobs(const char *dir, const char *db,
	    const struct sweep_jobspec *js, char ***point_sets, char **labels,
	    const uint64_t *seeds, guint n, GError **err);

/* The sweep's results, a line a run: its settings and the figures that
 * matter most, as text or tab-separated values. */
bool	sweep_print(const char *db, GPtrArray *axes, const int64_t *ids,
	    guint n, bool tsv, FILE *out, GError **err);

#endif
