/*
 * fsage.c — aging the starting file system (see fsage.h).
 *
 * Filler files get log-normal sizes: median 4 KB, sigma 2 (natural log),
 * the body Downey (2001) and Douceur and Bolosky (1999) measured on real
 * file systems — most files a few fragments, most bytes in files of a
 * hundred kilobytes and more (the mean is about 30 KB); none larger than
 * a sixteenth of the target or 64 MB.  They go into a tree of their own:
 * eight directories at the top (which ffs_dirpref spreads over the
 * cylinder groups, as it spreads /usr, /var and /home), below them
 * directories under a random one of the filler's, one for every sixteen
 * files; each file into a random directory.  Each round fills the file
 * system past the target (a quarter of the way from it to full), then
 * deletes every filler file with probability 1/2 — uniform deaths, which
 * scatter holes of every file size over every group; the next round's
 * files go into those holes first (ffs_alloccgblk searches a group from
 * its start), in pieces where they do not fit.  The last round ends by
 * deleting filler files at random until the target is reached: without
 * that, its files would have plugged the holes and left the free space in
 * one run at each group's end, as on a fresh file system, where an aged
 * one has it scattered.  Files and directories are made and removed
 * through the vnode layer (vn_create, ffs_prealloc, vn_remove) offline,
 * exactly as the trace's own files are laid out: same allocator, same
 * preferences.
 *
 * Everything is drawn from one generator seeded from replay.seed, and the
 * lists are arrays walked in order: the same seed gives the same file
 * system.
 */
#include "fsage.h"
#include "kern.h"

#include <math.h>
#include <string.h>

#define AGE_TOPDIRS	8		/* filler directories under the root */
#define AGE_FILESPERDIR	16		/* files per filler directory */
#define AGE_MEDIAN	4096.0		/* bytes */
#define AGE_SIGMA	2.0		/* of ln(size) */
#define AGE_MAXFILE	(64 << 20)
#define AGE_RECLAIM	1024		/* files between vnode sweeps */
#define AGE_OVERSHOOT	0.25		/* a round fills this share of the
					   space past the target */

struct filler {
	struct inode	*dir;		/* directories are never removed */
	uint64_t	 name;		/* "fN" */
	int64_t		 size;
};

struct fsage {
	struct kern	*k;
	GRand		*rng;
	double		 age;
	uint64_t	 seed;
	int64_t		 target;	/* fragments in use to reach */
	int64_t		 high;		/* ... to fill to before deleting */
	int64_t		 maxsize;	/* largest filler file, bytes */
	GPtrArray	*dirs;		/* struct inode *: the filler's */
	GArray		*files;		/* struct filler: alive */
	GHashTable	*taken;		/* top-level names not to use */
	uint64_t	 written, deleted, names;
	unsigned	 made;		/* since the last vnode sweep */
	volatile sig_atomic_t *stop;	/* fsage_set_stop */
};

static bool
stopped(const struct fsage *a)
{
	return a->stop != NULL && *a->stop;
}

void
fsage_set_stop(struct fsage *a, volatile sig_atomic_t *stop)
{
	a->stop = stop;
}

/* Data fragments in use (ffs_layout's used_frags). */
static int64_t
used_frags(const struct fs *fs)
{
	return fs->fs_dsize - blkstofrags(fs, fs->fs_nbfree) - fs->fs_nffree;
}

struct fsage *
fsage_new(struct kern *k, double age, uint64_t seed, GHashTable *taken)
{
	struct fsage *a = g_new0(struct fsage, 1);
	const struct fs *fs = &k->fs;
	/* The generator is the run's seed, set apart from the other users
	 * of replay.seed by a constant. */
	guint32 s[3] = { (guint32)seed, (guint32)(seed >> 32), 0xa9e5eed };
	int64_t avail = fs->fs_dsize - fs->fs_dsize * fs->fs_minfree / 100;

	a->k = k;
	a->rng = g_rand_new_with_seed_array(s, G_N_ELEMENTS(s));
	a->age = age;
	a->seed = seed;
	a->target = (int64_t)(age * (double)avail);
	a->high = a->target + (int64_t)(AGE_OVERSHOOT *
	    (double)(avail - a->target));
	a->maxsize = MIN((int64_t)AGE_MAXFILE, a->target / 16 * fs->fs_fsize);
	a->maxsize = MAX(a->maxsize, fs->fs_fsize);
	a->dirs = g_ptr_array_new();
	a->files = g_array_new(FALSE, FALSE, sizeof(struct filler));
	a->taken = taken;
	return a;
}

/* A log-normal size (Box-Muller), at least a byte, at most maxsize. */
static int64_t
filler_size(struct fsage *a)
{
	double u1 = g_rand_double(a->rng), u2 = g_rand_double(a->rng);
	double z = sqrt(-2 * log(1 - u1)) * cos(2 * G_PI * u2);
	double x = AGE_MEDIAN * exp(AGE_SIGMA * z);

	if (x < 1)
		return 1;
	return x > (double)a->maxsize ? a->maxsize : (int64_t)x;
}

/* A new filler directory: one of the first at the top, the rest under a
 * random one of the filler's.  False when no inode is left. */
static bool
new_dir(struct fsage *a)
{
	struct kern *k = a->k;
	struct inode *pip;
	struct vnode *vp;
	char name[32];

	if (a->dirs->len < AGE_TOPDIRS) {
		unsigned n = a->dirs->len;

		pip = k->fs.fs_root;
		do
			g_snprintf(name, sizeof(name), ".aged%u", n++);
		while (g_hash_table_contains(a->taken, name) ||
		    ufs_dir_lookup(pip, name) != NULL);
	} else {
		pip = g_ptr_array_index(a->dirs, g_rand_int_range(a->rng, 0,
		    (gint32)a->dirs->len));
		g_snprintf(name, sizeof(name), "d%llu",
		    (unsigned long long)a->names++);
	}
	if (vn_create(k, vn_get(k, pip), name, VDIR, &vp) != 0)
		return false;
	g_ptr_array_add(a->dirs, vp->v_data);
	return true;
}

/* One filler file of a random size in a random directory; false when it
 * does not fit (nothing is left of it then). */
static bool
new_file(struct fsage *a)
{
	struct kern *k = a->k;
	struct filler f;
	struct vnode *dvp, *vp;
	char name[32];

	if (a->dirs->len == 0 ||
	    a->files->len >= (guint)AGE_FILESPERDIR * a->dirs->len)
		if (!new_dir(a))
			return false;
	f.dir = g_ptr_array_index(a->dirs, g_rand_int_range(a->rng, 0,
	    (gint32)a->dirs->len));
	f.name = a->names++;
	f.size = filler_size(a);
	g_snprintf(name, sizeof(name), "f%llu", (unsigned long long)f.name);
	dvp = vn_get(k, f.dir);
	if (vn_create(k, dvp, name, VREG, &vp) != 0)
		return false;
	if (!ffs_prealloc(k, vp->v_data, f.size)) {
		(void)vn_remove(k, dvp, name, false);
		return false;
	}
	g_array_append_val(a->files, f);
	a->written++;
	/* Setup's vnodes are nobody's: let them go now and then, so that
	 * memory does not grow with the files made. */
	if (++a->made >= AGE_RECLAIM) {
		a->made = 0;
		vn_reclaim_idle(k);
	}
	return true;
}

void
fsage_fill(struct fsage *a, int64_t reserve)
{
	int misses = 0;

	/* A file that does not fit may be one of the large ones: give up
	 * only after a few in a row. */
	while (used_frags(&a->k->fs) + reserve < a->high && misses < 8 &&
	    !stopped(a))
		misses = new_file(a) ? 0 : misses + 1;
}

/* Remove a filler file from the file system (not from the list). */
static void
remove_filler(struct fsage *a, const struct filler *f)
{
	char name[32];

	g_snprintf(name, sizeof(name), "f%llu", (unsigned long long)f->name);
	(void)vn_remove(a->k, vn_get(a->k, f->dir), name, false);
	a->deleted++;
}

void
fsage_churn(struct fsage *a)
{
	guint i, kept = 0;

	for (i = 0; i < a->files->len; i++) {
		const struct filler *f = &g_array_index(a->files, struct filler, i);

		/* stopped: the rest are kept */
		if (stopped(a) || g_rand_boolean(a->rng))
			g_array_index(a->files, struct filler, kept++) = *f;
		else
			remove_filler(a, f);
	}
	g_array_set_size(a->files, kept);
	vn_reclaim_idle(a->k);
}

void
fsage_trim(struct fsage *a)
{
	unsigned n = 0;

	while (used_frags(&a->k->fs) > a->target && a->files->len > 0 &&
	    !stopped(a)) {
		/* A file at random; the last takes its place in the list. */
		guint i = (guint)g_rand_int_range(a->rng, 0,
		    (gint32)a->files->len);

		remove_filler(a, &g_array_index(a->files, struct filler, i));
		g_array_remove_index_fast(a->files, i);
		if (++n % AGE_RECLAIM == 0)
			vn_reclaim_idle(a->k);
	}
	vn_reclaim_idle(a->k);
}

void
fsage_finish(struct fsage *a, struct ffs_origin *o)
{
	guint i;

	o->age = a->age;
	o->age_seed = a->seed;
	o->age_written = a->written;
	o->age_deleted = a->deleted;
	o->age_dirs = a->dirs->len;
	o->age_bytes = 0;
	for (i = 0; i < a->files->len; i++)
		o->age_bytes += (uint64_t)g_array_index(a->files, struct filler,
		    i).size;
	g_rand_free(a->rng);
	g_ptr_array_free(a->dirs, TRUE);
	g_array_free(a->files, TRUE);
	g_free(a);
}
