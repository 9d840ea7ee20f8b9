/*
 * replay_fs.c — a run's set-up (steps 1 and 2 of replay.c): the pre-pass,
 * the machine booted, and its starting file system.
 *
 * The pre-pass lists the files the trace found already there (prepass.c);
 * they are made and their blocks laid out without I/O — with ffs.age,
 * among filler files made and deleted in rounds (fsage.c).  With
 * --fs-image the file system is loaded from an image instead, or saved to
 * one once built (ffs_image.c).
 */
#include "replay_private.h"
#include "fsage.h"
#include "fsmanifest.h"
#include "kern.h"
#include "prepass.h"
#include "profile.h"
#include "trace.h"

#include <stdio.h>
#include <string.h>

/* path's vnode, made with the directories on its way if need be (as
 * namei with CREATE would, without I/O).  The components are cut out of
 * one copy of the path in place (g_strsplit had made a string of each,
 * a third of the set-up's cost of a file); a component followed by no
 * '/' is the last, so "/a/b/" makes b a directory. */
static struct vnode *
mkpath(struct kern *k, const char *path, bool isdir)
{
	char *copy = g_strdup(path), *c = copy;
	struct vnode *vp = vn_root(k);

	while (vp != NULL) {
		struct vnode *next;
		char *end;
		bool last;

		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		end = strchr(c, '/');
		last = end == NULL;
		if (!last)
			*end = '\0';
		next = vn_child(k, vp, c);
		if (next == NULL &&
		    vn_create(k, vp, c, last && !isdir ? VREG : VDIR, &next) != 0)
			next = NULL;
		vp = next;
		if (last)
			break;
		c = end + 1;
	}
	g_free(copy);
	return vp;
}

static bool
interrupted(const struct replay *r)
{
	return r->o->interrupted != NULL && *r->o->interrupted;
}

/* One file of the pre-pass's list: made (with the directories on its
 * way), its blocks laid out, or another name for one made before.
 * made[] keeps the inodes, not their vnodes: aging takes idle vnodes
 * apart between its rounds (fsage.c), the one of a file made a round
 * before included. */
static void
populate_one(struct replay *r, struct inode **made, guint i,
    struct ffs_origin *o)
{
	struct initial_file *f = &g_array_index(r->pp->files, struct initial_file, i);
	struct vnode *vp;

	if (f->link_of >= 0) {
		struct inode *tip = made[f->link_of];
		struct vnode *target = tip != NULL ? vn_get(r->k, tip) : NULL;
		char *dir = g_path_get_dirname(f->path);
		char *base = g_path_get_basename(f->path);
		struct vnode *dvp = mkpath(r->k, dir, true);

		if (target != NULL && dvp != NULL && dvp->v_type == VDIR &&
		    target->v_type == VREG &&
		    vn_child(r->k, dvp, base) == NULL)
			(void)vn_link(r->k, target, dvp, base);
		made[i] = tip;
		g_free(dir);
		g_free(base);
		return;
	}
	if (f->symlink != NULL) {
		/* A symbolic link: its target in the inode or its block. */
		char *dir = g_path_get_dirname(f->path);
		char *base = g_path_get_basename(f->path);
		struct vnode *dvp = mkpath(r->k, dir, true);

		made[i] = NULL;
		if (dvp != NULL && dvp->v_type == VDIR &&
		    vn_child(r->k, dvp, base) == NULL &&
		    vn_symlink(r->k, dvp, base, f->symlink, &vp) == 0) {
			made[i] = vp->v_data;
			o->files++;
		} else
			o->failed++;
		g_free(dir);
		g_free(base);
		return;
	}
	vp = mkpath(r->k, f->path, f->isdir);
	made[i] = vp != NULL ? vp->v_data : NULL;
	if (vp == NULL) {
		o->failed++;
		return;
	}
	if (vp->v_type == VDIR) {
		o->dirs++;
		return;
	}
	o->files++;
	if (f->size > vn_size(vp)) {
		if (ffs_prealloc(r->k, vp->v_data, f->size))
			o->bytes += (uint64_t)f->size;
		else {
			/* Does not fit: a hole of the right size. */
			vp->v_data->i_size = f->size;
			o->failed++;
		}
	}
}

/*
 * The directories a listing in the trace showed to hold more entries
 * than the starting file system gives them (names the trace never uses:
 * find's and ls's directories, walked in part): the rest as entries that
 * take room and no name, so that reading the directory, and looking up a
 * name that is not there, reads as many blocks as it did.  Each the
 * average size of the listing's entries: Linux's take
 * roundup(19 + namelen + 1, 8) bytes, UFS's DIRSIZ(namelen).
 */
static void
pad_listed(struct replay *r, struct inode **made, struct ffs_origin *o)
{
	guint i;

	for (i = 0; i < r->pp->files->len; i++) {
		const struct initial_file *f = &g_array_index(r->pp->files,
		    struct initial_file, i);
		struct inode *dp = made[i];
		int64_t n, namelen;

		if (!f->isdir || f->listed <= 2 || f->link_of >= 0 ||
		    dp == NULL || dp->i_dir == NULL)
			continue;
		/* (a count from the trace may be anything: a directory of
		 * 2^31 entries fills any disk of the day) */
		n = MIN(f->listed, INT32_MAX) - 2 - ufs_dir_count(dp);
		if (n <= 0)		/* ("." and ".." are not counted) */
			continue;
		/* the mean Linux entry less its 19 bytes, the NUL and half
		 * the padding to 8 */
		namelen = f->listed_bytes / f->listed - 24;
		namelen = CLAMP(namelen, 1, UFS_MAXNAMLEN);
		if (!ufs_dir_pad(r->k, dp, n, DIRSIZ((int)namelen)))
			o->failed++;
	}
}

/* Fragments the files from i on will take (about: their blocks), for
 * aging to leave room for. */
static int64_t
frags_wanted(struct replay *r, guint from)
{
	const struct fs *fs = &r->k->fs;
	int64_t want = 0;
	guint i;

	for (i = from; i < r->pp->files->len; i++) {
		struct initial_file *f = &g_array_index(r->pp->files,
		    struct initial_file, i);

		if (f->link_of < 0 && !f->isdir && f->symlink == NULL &&
		    f->size > 0)
			want += blkstofrags(fs, MIN(howmany_blk(fs, f->size),
			    fragstoblks(fs, fs->fs_dsize)));
		if (want > fs->fs_dsize)
			return fs->fs_dsize;
	}
	return want;
}

/*
 * The starting file system from the pre-pass's list, without I/O.  With
 * ffs.age, the list goes in FSAGE_ROUNDS + 1 batches, each followed by
 * filler files past the target and (but the last) a churn, so that the
 * trace's files are laid out among the holes of a used file system as
 * files of different ages would be; then filler files go at random until
 * the target is reached (fsage.h).
 */
static void
populate(struct replay *r, struct ffs_origin *o)
{
	GArray *files = r->pp->files;
	struct inode **made = g_new0(struct inode *, files->len + 1);
	int64_t sweep_at = r->k->desiredvnodes;
	struct fsage *a = NULL;
	GHashTable *taken = NULL;
	guint i, b, nb = 1;

	memset(o, 0, sizeof(*o));
	if (r->k->p.age > 0) {
		/* The filler's directories keep off the names the trace
		 * uses at the top. */
		taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		for (i = 0; i < files->len; i++) {
			const char *p = g_array_index(files, struct initial_file,
			    i).path;
			const char *e;

			while (*p == '/')
				p++;
			e = strchrnul(p, '/');
			g_hash_table_add(taken, g_strndup(p, (gsize)(e - p)));
		}
		a = fsage_new(r->k, r->k->p.age,
		    (uint64_t)profile_int(r->o->prof, "replay", "seed"), taken);
		fsage_set_stop(a, r->o->interrupted);
		nb = FSAGE_ROUNDS + 1;
	}
	for (b = 0; b < nb; b++) {
		guint end = (guint)((uint64_t)files->len * (b + 1) / nb);

		for (i = (guint)((uint64_t)files->len * b / nb); i < end &&
		    !interrupted(r); i++) {
			populate_one(r, made, i, o);
			/* Nothing holds the vnodes of the files made: past
			 * desiredvnodes they are taken apart, as
			 * kern_setup_done takes apart those left -- a machine
			 * that boots has none of them in core -- and the
			 * layout's memory is the inodes', not a vnode a file
			 * (find's tree of 94,000: 22 MB of vnodes).  A sweep
			 * walks them all: the next comes desiredvnodes
			 * vnodes later, whatever this one could not free. */
			if (r->k->numvnodes > sweep_at) {
				vn_reclaim_idle(r->k);
				sweep_at = r->k->numvnodes + r->k->desiredvnodes;
			}
		}
		if (a == NULL)
			continue;
		if (r->o->progress)
			fprintf(stderr, "\rreplay: aging the starting file system, "
			    "round %u of %u ", b + 1, nb);
		fsage_fill(a, frags_wanted(r, end));
		if (interrupted(r))
			break;		/* setup gives up */
		if (b + 1 < nb)
			fsage_churn(a);
	}
	if (!interrupted(r))
		pad_listed(r, made, o);
	if (a != NULL) {
		if (!interrupted(r))
			fsage_trim(a);
		fsage_finish(a, o);
		if (r->o->progress)
			fprintf(stderr, "\r%*s\r", 60, "");
	}
	if (taken != NULL)
		g_hash_table_destroy(taken);
	g_free(made);
}

/*
 * Steps 1 and 2 of a run: read the trace once (validating it, listing the
 * starting file system), boot the machine, and build the starting file
 * system — or load it from o->fs_image — then save it there if it was
 * built.  Nothing of how the file system came about reaches the run
 * (kern_setup_done).
 */
bool
setup(struct replay *r, const struct replay_opts *o, bool *loaded,
    bool *saved, GError **err)
{
	struct kern_counters before;
	char **pt;

	*loaded = *saved = false;
	pt = g_strsplit(profile_str(o->prof, "replay", "passthrough"), ":", -1);
	r->rd = open_trace(o, err);
	/* Ctrl-C stops the read-through at the next call */
	if (r->rd != NULL)
		trace_set_stop(r->rd, o->interrupted);
	r->pp = r->rd != NULL ? prepass_read(r->rd, o->trace, pt, r->spool,
	    o->cores, err) : NULL;
	r->rd = NULL;
	g_strfreev(pt);
	if (r->pp == NULL || (r->spool != NULL && !tspool_rewind(r->spool, err)))
		return false;
	r->aliases = r->pp->dir_alias != NULL &&
	    g_hash_table_size(r->pp->dir_alias) > 0;
	if (o->fs_manifest != NULL) {
		struct fs_manifest *m;

		/* An image there is the starting file system: a listing
		 * would be silently ignored. */
		if (o->fs_image != NULL && g_file_test(o->fs_image,
		    G_FILE_TEST_EXISTS)) {
			g_set_error(err, FS_MANIFEST_ERROR, 0, "%s: the "
			    "starting file system comes from the image %s; "
			    "give --fs-manifest or an image that exists, not "
			    "both", o->fs_manifest, o->fs_image);
			return false;
		}
		if ((m = fs_manifest_read(o->fs_manifest, err)) == NULL)
			return false;
		fs_manifest_apply(r->pp, m);
		fs_manifest_free(m);
	}
	r->sim = sim_create();
	r->k = kern_boot(r->sim, o->prof, err);
	if (r->k == NULL)
		return false;
	/* Before the starting file system is built (or saved): bad input
	 * is found before anything is written. */
	if (r->k->p.era == ERA_FREEBSD4 && (r->pp->snapshot_line > 0 ||
	    snapshots_asked(o->prof))) {
		if (r->pp->snapshot_line > 0)
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: a snapshot record, but the freebsd4 era "
			    "(RELENG_4) has no snapshots; use freebsd5-current",
			    o->trace, (unsigned long long)r->pp->snapshot_line);
		else
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "snapshot.at (--snapshot-at): the freebsd4 era "
			    "(RELENG_4) has no snapshots; use freebsd5-current");
		return false;
	}
	{
		/* A snapshot time past the longest run: refused, not walked
		 * to second by second. */
		static const char *const keys[] = { "at", "remove_at" };
		bool far = false;
		int64_t *t;
		int n, i, j;

		for (j = 0; j < 2; j++) {
			t = profile_times(o->prof, "snapshot", keys[j], &n);
			for (i = 0; i < n; i++)
				far |= t[i] > PREPASS_MAX_SPAN;
			g_free(t);
		}
		if (far) {
			g_set_error(err, PROFILE_ERROR, 0, "snapshot.at/remove_at: "
			    "a time past %d days, the longest run",
			    (int)(PREPASS_MAX_SPAN / 86400000000000LL));
			return false;
		}
	}
	before = r->k->cnt;
	if (o->fs_image != NULL && g_file_test(o->fs_image, G_FILE_TEST_EXISTS)) {
		if (!ffs_image_load(r->k, o->fs_image, &r->origin, err))
			return false;
		*loaded = true;
	} else if (o->fs_image != NULL && o->fs_image_load_only) {
		g_set_error(err, FFS_IMAGE_ERROR, FFS_IMAGE_ERROR_INPUT,
		    "%s: no such file system image", o->fs_image);
		return false;
	} else {
		populate(r, &r->origin);
		/* Aging a large file system takes a while: Ctrl-C stops it,
		 * and nothing half-made is saved. */
		if (interrupted(r)) {
			g_set_error(err, REPLAY_ERROR, 0, "interrupted while "
			    "building the starting file system");
			return false;
		}
	}
	kern_setup_done(r->k, &before);
	if (o->fs_image != NULL && !*loaded) {
		if (!ffs_image_save(r->k, o->fs_image, &r->origin, err))
			return false;
		*saved = true;
	}
	ffs_layout(&r->k->fs, &r->layout);
	return true;
}

void
setup_free(struct replay *r)
{
	/* The engine first (it drops the parked coroutines), then the
	 * machine they ran on. */
	if (r->sim != NULL)
		sim_destroy(r->sim);
	kern_shutdown(r->k);
	prepass_free(r->pp);
	r->sim = NULL;
	r->k = NULL;
	r->pp = NULL;
}

bool
replay_make_image(const struct replay_opts *o, bool *built, GError **err)
{
	struct replay r;
	bool loaded, ok;

	*built = false;
	if (o->fs_image == NULL || g_file_test(o->fs_image, G_FILE_TEST_EXISTS))
		return true;
	memset(&r, 0, sizeof(r));
	r.o = o;
	ok = setup(&r, o, &loaded, built, err);
	setup_free(&r);
	return ok;
}
