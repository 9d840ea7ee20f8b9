/*
 * ffs_image.c — the file system saved to a file and loaded back, so that a
 * run can start from a given, reproducible laid-out file system instead of
 * one built from the trace (vfssim replay --fs-image).
 *
 * An image holds what the disk would (and what the model keeps in core in
 * its place): newfs's geometry, every cylinder group's counts and rotors,
 * the free-fragment and inode maps, every inode with its block map (the
 * direct array, the sparse table, the indirect blocks) and every
 * directory's entries with the chunk each is in — everything the
 * allocator and the lookups will go on from.  In-core state that a disk
 * does not hold (vnodes, buffers, i_flag, i_diroff) is not in it: an image
 * is saved right after setup, when there is none — but for two counters a
 * run depends on (the state dictionary's last two).  Nor is a snapshot:
 * only a run takes them.
 *
 * The file (version 2; version 1 had no symbolic links):
 *
 *	offset	bytes	what
 *	0	8	magic "VFSSIMFS"
 *	8	4	version, 2 (little-endian)
 *	12	4	header size, 64
 *	16	8	payload size P
 *	24	32	SHA-256 of the payload
 *	56	8	zero
 *	64	P	the payload: a GVariant of IMAGE_TYPE, little-endian,
 *			in normal form
 *
 * The payload is a tuple of flat arrays, so that 100,000 files are a few
 * memcpys rather than a million small GVariants:
 *
 *	a{sx}	geometry: fs_bsize, fs_fsize, ... (geom_fields[])
 *	a{sv}	origin: how it was made (struct ffs_origin), by name
 *	a{sx}	state: fs_optim_space, fs_cgrotor, the totals, and the
 *		vnode numbers and generator draws setup used (state_fields[])
 *	ax	cylinder groups, CG_NREC values each: nbfree, nffree, nifree,
 *		ndir, rotor, frotor, irotor, contigdirs, frsum[MAXFRAG]
 *	ay	the free map, a bit a fragment (1 free), fs_size bits
 *	ay	the inode map, a bit an inode (1 used), fs_ncg * fs_ipg bits
 *	ax	inodes in ascending number, INO_NREC values each: number,
 *		size, nlink, type (0 a file, 1 a directory, 2 a symbolic
 *		link), blocks (DEV_BSIZE units), gen, parent
 *		(directories; 0 for files), then how many direct-array
 *		entries, sparse pairs and indirect pairs it has in:
 *	ax	block pointers, inode after inode: its i_bmap entries (0: a
 *		hole), then (lbn, fragment) of each sparse block, then
 *		(metadata lbn, fragment) of each indirect block, by lbn
 *	ax	directories in ascending number, DIR_NREC values each:
 *		number, entries, chunks
 *	ax	their entries, ENT_NREC values each: inode, chunk, reclen,
 *		name length; by name
 *	ay	the names, one after another, no terminators
 *	ai	each directory's free bytes in each of its chunks (d_free)
 *	ay	the symbolic links' targets, in inode order, each as long as
 *		its link's size, no terminators
 *
 * A file is not trusted: loading checks the header, the checksum, the
 * GVariant's type and normal form, then every count against the arrays,
 * every index and address against the geometry, the directories' chunks
 * against their entries, that every inode is reached from the root once —
 * and then runs ffs_fsck on the result (every fragment used once, the
 * maps against the counts, link counts against the names).  Only then
 * does it replace the mounted file system.
 */
#include "kern.h"
#include "kassert.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(vfssim-ffs-image-error-quark, ffs_image_error)

#define IMAGE_MAGIC	"VFSSIMFS"
#define IMAGE_VERSION	2
#define IMAGE_HDRSIZE	64
#define IMAGE_TYPE	"(a{sx}a{sv}a{sx}axayayaxaxaxaxayaiay)"

#define CG_NREC		(8 + MAXFRAG)
#define INO_NREC	10
#define DIR_NREC	3
#define ENT_NREC	4

/* Draws from dirpref's generator an image may claim setup made: one an
 * inode made and one a top-level directory, far more than any set-up
 * makes, and few enough to repeat in a second. */
#define IMAGE_MAXDRAWS	(INT64_C(1) << 27)
/* The largest size a file may claim: the replay believes no offset past
 * 2^62 (a file the trace says is larger than the disk is a hole). */
#define IMAGE_MAXSIZE	(INT64_C(1) << 62)

/* newfs's geometry, as the image names it, and the profile key that
 * decides it (for the message when they differ). */
static const struct {
	const char	*name;
	const char	*key;
} geom_fields[] = {
	{ "fs_bsize", "ffs.bsize" },
	{ "fs_fsize", "ffs.fsize" },
	{ "fs_size", "ffs.size" },
	{ "fs_minfree", "ffs.minfree" },
	{ "fs_maxbpg", "ffs.maxbpg" },
	{ "fs_ipg", "ffs.density" },
	{ "fs_fpg", "ffs.cgsize" },
	{ "fs_ncg", "ffs.size and ffs.cgsize" },
	{ "fs_frag", "ffs.bsize and ffs.fsize" },
	{ "fs_nindir", "ffs.bsize" },
	{ "fs_inopb", "ffs.bsize" },
	{ "fs_dsize", "ffs.size" },
	{ "fs_sblkno", "ffs.bsize and ffs.fsize" },
	{ "fs_cblkno", "ffs.bsize and ffs.fsize" },
	{ "fs_iblkno", "ffs.bsize and ffs.fsize" },
	{ "fs_dblkno", "ffs.density" },
	{ "fs_csaddr", "ffs.density" },
	{ "fs_cssize", "ffs.size" },
	{ "fs_maxcontig", "ffs.bsize" },
	{ "fs_contigsumsize", "ffs.bsize" },
	{ "fs_avgfilesize", "newfs's -g" },
	{ "fs_avgfpdir", "newfs's -h" },
};
#define NGEOM	G_N_ELEMENTS(geom_fields)

static void
geom_values(const struct fs *fs, int64_t *v)
{
	int i = 0;

	v[i++] = fs->fs_bsize;
	v[i++] = fs->fs_fsize;
	v[i++] = fs->fs_size;
	v[i++] = fs->fs_minfree;
	v[i++] = fs->fs_maxbpg;
	v[i++] = fs->fs_ipg;
	v[i++] = fs->fs_fpg;
	v[i++] = fs->fs_ncg;
	v[i++] = fs->fs_frag;
	v[i++] = fs->fs_nindir;
	v[i++] = fs->fs_inopb;
	v[i++] = fs->fs_dsize;
	v[i++] = fs->fs_sblkno;
	v[i++] = fs->fs_cblkno;
	v[i++] = fs->fs_iblkno;
	v[i++] = fs->fs_dblkno;
	v[i++] = fs->fs_csaddr;
	v[i++] = fs->fs_cssize;
	v[i++] = fs->fs_maxcontig;
	v[i++] = fs->fs_contigsumsize;
	v[i++] = fs->fs_avgfilesize;
	v[i++] = fs->fs_avgfpdir;
	KASSERT(i == (int)NGEOM, ("geom_values: %d of %d", i, (int)NGEOM));
}

/* What the state dictionary holds, beyond the maps: the totals and the
 * optimization, and two things of the machine around the file system
 * that a run depends on — the vnode numbers used (a vnode's number is
 * part of its buffers' identity) and the numbers drawn from dirpref's
 * generator — so that a run that loads the image goes exactly as the run
 * that built it. */
static const char *const state_fields[] = {
	"fs_optim_space", "fs_cgrotor", "fs_nbfree", "fs_nffree", "fs_nifree",
	"fs_ndir", "nextvnode", "fs_rng_draws",
};
#define NSTATE	G_N_ELEMENTS(state_fields)

/* Fragments in cylinder group c (the last one may be short). */
static int64_t
cg_nfrags(const struct fs *fs, int c)
{
	return MIN(fs->fs_fpg, fs->fs_size - cgbase(fs, c));
}

static size_t
fmap_bytes(const struct fs *fs)
{
	return (size_t)(fs->fs_size + 7) / 8;
}

static size_t
imap_bytes(const struct fs *fs)
{
	return ((size_t)fs->fs_ncg * (size_t)fs->fs_ipg + 7) / 8;
}

/* ---- saving ------------------------------------------------------------ */

static gint
cmp_ino(gconstpointer a, gconstpointer b)
{
	const struct inode *x = *(struct inode *const *)a;
	const struct inode *y = *(struct inode *const *)b;

	return x->i_number < y->i_number ? -1 : x->i_number > y->i_number;
}

static gint
cmp_pair(gconstpointer a, gconstpointer b)
{
	int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];

	return x < y ? -1 : x > y;
}

static gint
cmp_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A table of lbn -> fragment as (lbn, fragment) pairs, by lbn. */
static void
put_pairs(GArray *blocks, GHashTable *h)
{
	GArray *pairs = g_array_new(FALSE, FALSE, 2 * sizeof(int64_t));
	GHashTableIter it;
	gpointer key, val;
	guint i;

	if (h != NULL) {
		g_hash_table_iter_init(&it, h);
		while (g_hash_table_iter_next(&it, &key, &val)) {
			int64_t p[2] = { (int64_t)GPOINTER_TO_SIZE(key),
			    (int64_t)GPOINTER_TO_SIZE(val) };

			g_array_append_vals(pairs, p, 1);
		}
	}
	g_array_sort(pairs, cmp_pair);
	for (i = 0; i < pairs->len; i++)
		g_array_append_vals(blocks, (int64_t *)pairs->data + 2 * i, 2);
	g_array_free(pairs, TRUE);
}

static void
dict_x(GVariantBuilder *b, const char *name, int64_t v)
{
	g_variant_builder_add(b, "{sx}", name, (gint64)v);
}

static GVariant *
fixed_x(GArray *a)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_INT64, a->data, a->len,
	    sizeof(int64_t));
}

/* The payload: everything, in a fixed order (inodes and directories by
 * number, names by bytes), so that the same file system always gives the
 * same image, byte for byte. */
static GVariant *
image_build(const struct kern *k, const struct ffs_origin *o)
{
	const struct fs *fs = &k->fs;
	GVariantBuilder geom, orig, state;
	GArray *cgs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *inos = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *blocks = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *dirs = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *ents = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *dfree = g_array_new(FALSE, FALSE, sizeof(int32_t));
	GByteArray *names = g_byte_array_new();
	GByteArray *targets = g_byte_array_new();
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	int64_t g[NGEOM];
	GVariant *parts[13];
	guint i, j;
	int c;

	g_variant_builder_init(&geom, G_VARIANT_TYPE("a{sx}"));
	geom_values(fs, g);
	for (i = 0; i < NGEOM; i++)
		dict_x(&geom, geom_fields[i].name, g[i]);

	g_variant_builder_init(&orig, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&orig, "{sv}", "vfssim",
	    g_variant_new_string(VFSSIM_VERSION));
	g_variant_builder_add(&orig, "{sv}", "files", g_variant_new_uint64(o->files));
	g_variant_builder_add(&orig, "{sv}", "dirs", g_variant_new_uint64(o->dirs));
	g_variant_builder_add(&orig, "{sv}", "bytes", g_variant_new_uint64(o->bytes));
	g_variant_builder_add(&orig, "{sv}", "failed",
	    g_variant_new_uint64(o->failed));
	g_variant_builder_add(&orig, "{sv}", "age", g_variant_new_double(o->age));
	g_variant_builder_add(&orig, "{sv}", "age_seed",
	    g_variant_new_uint64(o->age_seed));
	g_variant_builder_add(&orig, "{sv}", "age_written",
	    g_variant_new_uint64(o->age_written));
	g_variant_builder_add(&orig, "{sv}", "age_deleted",
	    g_variant_new_uint64(o->age_deleted));
	g_variant_builder_add(&orig, "{sv}", "age_bytes",
	    g_variant_new_uint64(o->age_bytes));
	g_variant_builder_add(&orig, "{sv}", "age_dirs",
	    g_variant_new_uint64(o->age_dirs));

	g_variant_builder_init(&state, G_VARIANT_TYPE("a{sx}"));
	dict_x(&state, "fs_optim_space", fs->fs_optim_space);
	dict_x(&state, "fs_cgrotor", fs->fs_cgrotor);
	dict_x(&state, "fs_nbfree", fs->fs_nbfree);
	dict_x(&state, "fs_nffree", fs->fs_nffree);
	dict_x(&state, "fs_nifree", fs->fs_nifree);
	dict_x(&state, "fs_ndir", fs->fs_ndir);
	dict_x(&state, "nextvnode", (int64_t)k->nextvnode);
	dict_x(&state, "fs_rng_draws", (int64_t)fs->fs_rng_draws);

	for (c = 0; c < fs->fs_ncg; c++) {
		const struct cg *cgp = &fs->fs_cgs[c];
		int64_t r[CG_NREC] = { cgp->cg_nbfree, cgp->cg_nffree,
		    cgp->cg_nifree, cgp->cg_ndir, cgp->cg_rotor, cgp->cg_frotor,
		    cgp->cg_irotor, cgp->cg_contigdirs };

		for (i = 0; i < MAXFRAG; i++)
			r[8 + i] = cgp->cg_frsum[i];
		g_array_append_vals(cgs, r, CG_NREC);
	}

	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, cmp_ino);
	for (i = 0; i < all->len; i++) {
		const struct inode *ip = g_ptr_array_index(all, i);
		guint nblk = blocks->len, nsparse, nind;
		int64_t r[INO_NREC];

		g_array_append_vals(blocks, ip->i_bmap->data, ip->i_bmap->len);
		put_pairs(blocks, ip->i_sparse);
		nsparse = (blocks->len - nblk - ip->i_bmap->len) / 2;
		put_pairs(blocks, ip->i_ind);
		nind = (blocks->len - nblk - ip->i_bmap->len) / 2 - nsparse;
		r[0] = (int64_t)ip->i_number;
		r[1] = ip->i_size;
		r[2] = ip->i_nlink;
		r[3] = ip->i_isdir ? 1 : ip->i_symlink != NULL ? 2 : 0;
		if (ip->i_symlink != NULL)
			g_byte_array_append(targets, (const guint8 *)ip->i_symlink,
			    (guint)ip->i_size);
		r[4] = ip->i_blocks;
		r[5] = ip->i_gen;
		r[6] = ip->i_isdir ? (int64_t)ip->i_parent->i_number : 0;
		r[7] = ip->i_bmap->len;
		r[8] = nsparse;
		r[9] = nind;
		g_array_append_vals(inos, r, INO_NREC);
	}
	for (i = 0; i < all->len; i++) {
		const struct inode *ip = g_ptr_array_index(all, i);
		GPtrArray *keys;
		int64_t r[DIR_NREC];

		if (ip->i_dir == NULL)
			continue;
		keys = g_ptr_array_new();
		g_hash_table_iter_init(&it, ip->i_dir->d_names);
		while (g_hash_table_iter_next(&it, &v, NULL))
			g_ptr_array_add(keys, v);
		g_ptr_array_sort(keys, cmp_name);
		r[0] = (int64_t)ip->i_number;
		r[1] = keys->len;
		r[2] = ip->i_dir->d_free->len;
		g_array_append_vals(dirs, r, DIR_NREC);
		for (j = 0; j < keys->len; j++) {
			const char *name = g_ptr_array_index(keys, j);
			const struct direntry *de =
			    g_hash_table_lookup(ip->i_dir->d_names, name);
			int64_t e[ENT_NREC] = { (int64_t)de->de_ip->i_number,
			    de->de_chunk, de->de_reclen, (int64_t)strlen(name) };

			g_array_append_vals(ents, e, ENT_NREC);
			g_byte_array_append(names, (const guint8 *)name,
			    (guint)strlen(name));
		}
		for (j = 0; j < ip->i_dir->d_free->len; j++) {
			int32_t f = g_array_index(ip->i_dir->d_free, int, j);

			g_array_append_val(dfree, f);
		}
		g_ptr_array_free(keys, TRUE);
	}

	parts[0] = g_variant_builder_end(&geom);
	parts[1] = g_variant_builder_end(&orig);
	parts[2] = g_variant_builder_end(&state);
	parts[3] = fixed_x(cgs);
	parts[4] = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, fs->fs_fmap,
	    fmap_bytes(fs), 1);
	parts[5] = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, fs->fs_imap,
	    imap_bytes(fs), 1);
	parts[6] = fixed_x(inos);
	parts[7] = fixed_x(blocks);
	parts[8] = fixed_x(dirs);
	parts[9] = fixed_x(ents);
	parts[10] = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, names->data,
	    names->len, 1);
	parts[11] = g_variant_new_fixed_array(G_VARIANT_TYPE_INT32, dfree->data,
	    dfree->len, sizeof(int32_t));
	parts[12] = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, targets->data,
	    targets->len, 1);
	g_array_free(cgs, TRUE);
	g_array_free(inos, TRUE);
	g_array_free(blocks, TRUE);
	g_array_free(dirs, TRUE);
	g_array_free(ents, TRUE);
	g_array_free(dfree, TRUE);
	g_byte_array_free(names, TRUE);
	g_byte_array_free(targets, TRUE);
	g_ptr_array_free(all, TRUE);
	return g_variant_ref_sink(g_variant_new_tuple(parts, G_N_ELEMENTS(parts)));
}

static void
put_le32(guint8 *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (guint8)(v >> (8 * i));
}

static void
put_le64(guint8 *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (guint8)(v >> (8 * i));
}

static bool
write_all(int fd, const guint8 *p, size_t n)
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
ffs_image_save(struct kern *k, const char *path, const struct ffs_origin *o,
    GError **err)
{
	GVariant *img, *le;
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 hdr[IMAGE_HDRSIZE];
	gsize dlen = 32;
	char *tmp = g_strdup_printf("%s.XXXXXX", path);
	const guint8 *data;
	size_t len;
	int fd, e;
	bool ok = false;

	/* Saved right after setup: snapshots come later, in the run. */
	KASSERT(k->nsnaps == 0, ("ffs_image_save: %d snapshots", k->nsnaps));
	img = image_build(k, o);

	/* Little-endian on every host. */
	le = G_BYTE_ORDER == G_LITTLE_ENDIAN ? g_variant_ref(img) :
	    g_variant_byteswap(img);
	data = g_variant_get_data(le);
	len = g_variant_get_size(le);
	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, IMAGE_MAGIC, 8);
	put_le32(hdr + 8, IMAGE_VERSION);
	put_le32(hdr + 12, IMAGE_HDRSIZE);
	put_le64(hdr + 16, len);
	g_checksum_update(sum, data, (gssize)len);
	g_checksum_get_digest(sum, hdr + 24, &dlen);

	/* A temporary file beside it, renamed over it only when complete:
	 * no reader ever sees half an image. */
	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0) {
		e = errno;
		g_set_error(err, FFS_IMAGE_ERROR, FFS_IMAGE_ERROR_IO,
		    "%s: cannot create a file beside it: %s", path, g_strerror(e));
		goto out;
	}
	if (!write_all(fd, hdr, sizeof(hdr)) || !write_all(fd, data, len) ||
	    fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		g_set_error(err, FFS_IMAGE_ERROR, FFS_IMAGE_ERROR_IO,
		    "%s: write: %s", tmp, g_strerror(e));
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		g_set_error(err, FFS_IMAGE_ERROR, FFS_IMAGE_ERROR_IO,
		    "%s: %s", path, g_strerror(e));
		goto out;
	}
	ok = true;
out:
	g_free(tmp);
	g_checksum_free(sum);
	g_variant_unref(le);
	g_variant_unref(img);
	return ok;
}

/* ---- loading ----------------------------------------------------------- */

struct loader {
	const char	*path;
	GError		**err;
	bool		 failed;
	struct fs	*fs;		/* being filled */
	uint64_t	 nextvnode;	/* the image's, for the machine */
};

static bool
bad(struct loader *l, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool
bad(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!l->failed) {
		va_start(ap, fmt);
		msg = g_strdup_vprintf(fmt, ap);
		va_end(ap);
		g_set_error(l->err, FFS_IMAGE_ERROR, FFS_IMAGE_ERROR_INPUT,
		    "%s: %s", l->path, msg);
		g_free(msg);
	}
	l->failed = true;
	return false;
}

static uint64_t
get_le(const guint8 *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* An int64 from an a{sx}; false (and the error) if it is not there. */
static bool
dict_get(struct loader *l, GVariant *d, const char *what, const char *name,
    int64_t *out)
{
	gint64 x;

	if (!g_variant_lookup(d, name, "x", &x))
		return bad(l, "the %s has no %s", what, name);
	*out = x;
	return true;
}

/* Every key of an a{sx} must be one of the n names. */
static bool
dict_known(struct loader *l, GVariant *d, const char *what,
    const char *(*name)(guint i), guint n)
{
	GVariantIter it;
	const char *key;
	gint64 x;
	guint i;

	g_variant_iter_init(&it, d);
	while (g_variant_iter_next(&it, "{&sx}", &key, &x)) {
		for (i = 0; i < n; i++)
			if (strcmp(key, name(i)) == 0)
				break;
		if (i == n)
			return bad(l, "the %s has an unknown field %s", what, key);
	}
	return true;
}

static const char *
geom_name(guint i)
{
	return geom_fields[i].name;
}

static const char *
state_name(guint i)
{
	return state_fields[i];
}

/* The image's geometry must be the mounted one's (what the profile says). */
static bool
load_geometry(struct loader *l, GVariant *d, const struct fs *fs)
{
	int64_t want[NGEOM], got = 0;
	guint i;

	geom_values(fs, want);
	for (i = 0; i < NGEOM; i++) {
		if (!dict_get(l, d, "geometry", geom_fields[i].name, &got))
			return false;
		if (got != want[i])
			return bad(l, "the image's file system has %s %lld, the "
			    "profile's %lld (%s): the image was made for another "
			    "newfs", geom_fields[i].name, (long long)got,
			    (long long)want[i], geom_fields[i].key);
	}
	return dict_known(l, d, "geometry", geom_name, NGEOM);
}

static bool
origin_u64(struct loader *l, GVariant *d, const char *name, uint64_t *out)
{
	guint64 x;

	if (!g_variant_lookup(d, name, "t", &x))
		return bad(l, "the origin has no %s", name);
	*out = x;
	return true;
}

static bool
load_origin(struct loader *l, GVariant *d, const struct kern *k,
    struct ffs_origin *o)
{
	memset(o, 0, sizeof(*o));
	if (!g_variant_lookup(d, "age", "d", &o->age))
		return bad(l, "the origin has no age");
	if (!(o->age >= 0 && o->age <= 1))
		return bad(l, "the origin's age %g is not from 0 to 1", o->age);
	if (o->age != k->p.age)
		return bad(l, "the image was made with ffs.age %g, the profile "
		    "says %g", o->age, k->p.age);
	return origin_u64(l, d, "files", &o->files) &&
	    origin_u64(l, d, "dirs", &o->dirs) &&
	    origin_u64(l, d, "bytes", &o->bytes) &&
	    origin_u64(l, d, "failed", &o->failed) &&
	    origin_u64(l, d, "age_seed", &o->age_seed) &&
	    origin_u64(l, d, "age_written", &o->age_written) &&
	    origin_u64(l, d, "age_deleted", &o->age_deleted) &&
	    origin_u64(l, d, "age_bytes", &o->age_bytes) &&
	    origin_u64(l, d, "age_dirs", &o->age_dirs);
}

/* The state; the mounted machine (k) has used vnode numbers and drawn
 * from the generator as the one that made the image did before it set up
 * its file system: the image's counts cannot be smaller. */
static bool
load_state(struct loader *l, GVariant *d, const struct kern *k)
{
	struct fs *fs = l->fs;
	int64_t v[NSTATE];
	guint i;

	for (i = 0; i < NSTATE; i++)
		if (!dict_get(l, d, "state", state_fields[i], &v[i]))
			return false;
	if (!dict_known(l, d, "state", state_name, NSTATE))
		return false;
	if (v[0] != 0 && v[0] != 1)
		return bad(l, "fs_optim_space %lld is not 0 or 1", (long long)v[0]);
	if (v[1] < 0 || v[1] >= fs->fs_ncg)
		return bad(l, "fs_cgrotor %lld is not a cylinder group of %d",
		    (long long)v[1], fs->fs_ncg);
	if (v[6] < (int64_t)k->nextvnode || v[6] > IMAGE_MAXSIZE)
		return bad(l, "nextvnode %lld out of range (%llu..2^62)",
		    (long long)v[6], (unsigned long long)k->nextvnode);
	if (v[7] < (int64_t)k->fs.fs_rng_draws || v[7] > IMAGE_MAXDRAWS)
		return bad(l, "fs_rng_draws %lld out of range (%llu..%lld)",
		    (long long)v[7], (unsigned long long)k->fs.fs_rng_draws,
		    (long long)IMAGE_MAXDRAWS);
	/* The totals are checked against the groups by fsck. */
	fs->fs_optim_space = v[0] != 0;
	fs->fs_cgrotor = (int)v[1];
	fs->fs_nbfree = v[2];
	fs->fs_nffree = v[3];
	fs->fs_nifree = v[4];
	fs->fs_ndir = v[5];
	l->nextvnode = (uint64_t)v[6];
	fs->fs_rng_draws = (uint64_t)v[7];
	return true;
}

static bool
load_cgs(struct loader *l, GVariant *a)
{
	struct fs *fs = l->fs;
	gsize n;
	const int64_t *r = g_variant_get_fixed_array(a, &n, sizeof(int64_t));
	int c, i;

	if (n != (gsize)fs->fs_ncg * CG_NREC)
		return bad(l, "%zu values for %d cylinder groups (%d each)",
		    (size_t)n, fs->fs_ncg, CG_NREC);
	fs->fs_cgs = g_new0(struct cg, fs->fs_ncg);
	for (c = 0; c < fs->fs_ncg; c++, r += CG_NREC) {
		struct cg *cgp = &fs->fs_cgs[c];
		int64_t nfrags = cg_nfrags(fs, c);

		/* Counts are checked against the maps by fsck; here, that
		 * they are in range and the rotors point into the group. */
		if (r[0] < 0 || r[0] > fragstoblks(fs, nfrags) || r[1] < 0 ||
		    r[1] > nfrags || r[2] < 0 || r[2] > fs->fs_ipg || r[3] < 0 ||
		    r[3] > fs->fs_ipg)
			return bad(l, "cylinder group %d: counts %lld/%lld/%lld/%lld "
			    "out of range", c, (long long)r[0], (long long)r[1],
			    (long long)r[2], (long long)r[3]);
		if (r[4] < 0 || r[4] >= nfrags || fragnum(fs, r[4]) != 0 ||
		    r[5] < 0 || r[5] >= nfrags || fragnum(fs, r[5]) != 0 ||
		    r[6] < 0 || r[6] >= fs->fs_ipg || r[7] < 0 || r[7] > 255)
			return bad(l, "cylinder group %d: rotors %lld/%lld/%lld/%lld "
			    "out of range", c, (long long)r[4], (long long)r[5],
			    (long long)r[6], (long long)r[7]);
		for (i = 0; i < MAXFRAG; i++)
			if (r[8 + i] < 0 || r[8 + i] > nfrags ||
			    ((i == 0 || i >= fs->fs_frag) && r[8 + i] != 0))
				return bad(l, "cylinder group %d: cg_frsum[%d] %lld "
				    "out of range", c, i, (long long)r[8 + i]);
		cgp->cg_nbfree = r[0];
		cgp->cg_nffree = r[1];
		cgp->cg_nifree = r[2];
		cgp->cg_ndir = r[3];
		cgp->cg_rotor = r[4];
		cgp->cg_frotor = r[5];
		cgp->cg_irotor = r[6];
		cgp->cg_contigdirs = (int)r[7];
		for (i = 0; i < MAXFRAG; i++)
			cgp->cg_frsum[i] = (int)r[8 + i];
	}
	return true;
}

/* A bitmap of nbits bits: its length, and no bit set past the end. */
static bool
load_map(struct loader *l, GVariant *a, const char *what, int64_t nbits,
    uint8_t **out)
{
	gsize n;
	const guint8 *p = g_variant_get_fixed_array(a, &n, 1);
	size_t want = (size_t)(nbits + 7) / 8;

	if (n != want)
		return bad(l, "the %s has %zu bytes, not %zu", what, (size_t)n, want);
	if ((nbits & 7) != 0 && (p[want - 1] >> (nbits & 7)) != 0)
		return bad(l, "the %s has bits set past its end", what);
	*out = g_memdup2(p, want);
	return true;
}

/* A fragment address of a block of the file system (0 is none).  1 and
 * 2 are no blocks in a snapshot (BLK_NOCOPY, BLK_SNAP), which fsck lets
 * pass; an image holds no snapshot, and they are in the boot block. */
static bool
addr_ok(const struct fs *fs, int64_t b)
{
	return b > BLK_SNAP && b < fs->fs_size;
}

static bool
load_inodes(struct loader *l, GVariant *ia, GVariant *ba, GVariant *ta,
    GHashTable *parents)
{
	struct fs *fs = l->fs;
	gsize ni, nb, bi = 0, nt, ti = 0;
	const int64_t *r = g_variant_get_fixed_array(ia, &ni, sizeof(int64_t));
	const int64_t *b = g_variant_get_fixed_array(ba, &nb, sizeof(int64_t));
	const char *t = g_variant_get_fixed_array(ta, &nt, 1);
	uint64_t maxino = (uint64_t)fs->fs_ncg * (uint64_t)fs->fs_ipg, last = 0;
	uint8_t *want = g_malloc0(imap_bytes(fs));
	gsize i;
	int64_t j;

	if (ni % INO_NREC != 0) {
		g_free(want);
		return bad(l, "%zu inode values, not a multiple of %d",
		    (size_t)ni, INO_NREC);
	}
	/* Inodes 0 and 1 are newfs's, in use and never files. */
	want[0] |= 3;
	for (i = 0; i < ni; i += INO_NREC, r += INO_NREC) {
		uint64_t ino = (uint64_t)r[0];
		int64_t size = r[1], nbmap = r[7], nsparse = r[8], nind = r[9];
		bool isdir = r[3] == 1;
		struct inode *ip;

		if (r[0] < ROOTINO || ino >= maxino || ino <= last) {
			g_free(want);
			return bad(l, "inode record %zu: number %lld out of order "
			    "or not an inode of the file system (2..%llu)",
			    (size_t)(i / INO_NREC), (long long)r[0],
			    (unsigned long long)maxino - 1);
		}
		last = ino;
		want[ino >> 3] |= (uint8_t)(1u << (ino & 7));
#define IBAD(...) do { g_free(want); (void)bad(l, __VA_ARGS__); return false; } while (0)
		if (r[3] < 0 || r[3] > 2)
			IBAD("inode %llu: type %lld", (unsigned long long)ino,
			    (long long)r[3]);
		/* A symbolic link's target: as long as its size, no NUL. */
		if (r[3] == 2 && (size < 1 || size > SYMLINK_MAX ||
		    (uint64_t)size > nt - ti || memchr(t + ti, '\0',
		    (size_t)size) != NULL))
			IBAD("inode %llu: a symbolic link of %lld bytes, %zu bytes "
			    "of targets left", (unsigned long long)ino,
			    (long long)size, (size_t)(nt - ti));
		if (size < 0 || size > IMAGE_MAXSIZE)
			IBAD("inode %llu: size %lld", (unsigned long long)ino,
			    (long long)size);
		if (r[2] < 1 || r[2] > LINK_MAX)
			IBAD("inode %llu: link count %lld", (unsigned long long)ino,
			    (long long)r[2]);
		if (r[4] < 0 || r[5] < 0 || r[5] > UINT32_MAX)
			IBAD("inode %llu: blocks %lld, generation %lld",
			    (unsigned long long)ino, (long long)r[4],
			    (long long)r[5]);
		if (isdir ? (r[6] < ROOTINO || (uint64_t)r[6] >= maxino ||
		    size % DIRBLKSIZ != 0 || size == 0) : r[6] != 0)
			IBAD("inode %llu: parent %lld, size %lld",
			    (unsigned long long)ino, (long long)r[6],
			    (long long)size);
		if (ino == ROOTINO && (!isdir || r[6] != ROOTINO))
			IBAD("inode 2 is not the root directory");
		if (nbmap < 0 || nbmap > FFS_DENSE ||
		    nbmap > howmany_blk(fs, size) || nsparse < 0 || nind < 0 ||
		    (uint64_t)nsparse > (nb - bi) / 2 ||
		    (uint64_t)nind > (nb - bi) / 2 ||
		    (uint64_t)nbmap + 2 * (uint64_t)nsparse + 2 * (uint64_t)nind >
		    nb - bi)
			IBAD("inode %llu: %lld + %lld + %lld block pointers, %zu "
			    "left", (unsigned long long)ino, (long long)nbmap,
			    (long long)nsparse, (long long)nind, (size_t)(nb - bi));
		if (r[3] == 2 && size < MAXSYMLINKLEN && nbmap + nsparse + nind > 0)
			IBAD("inode %llu: a short symbolic link with blocks",
			    (unsigned long long)ino);
		ip = ffs_inode_new(fs, ino, isdir, (uint32_t)r[5]);
		ip->i_size = size;
		if (r[3] == 2) {
			ip->i_symlink = g_strndup(t + ti, (gsize)size);
			ti += (gsize)size;
		}
		ip->i_nlink = (int)r[2];
		ip->i_blocks = r[4];
		if (isdir)
			g_hash_table_insert(parents, ip, GSIZE_TO_POINTER((gsize)r[6]));
		if (ino == ROOTINO)
			fs->fs_root = ip;
		/* Every pointer is an address inside the file system; that
		 * each fragment is used once and its block's size is the
		 * one ffs_blksize says, fsck checks. */
		g_array_set_size(ip->i_bmap, (guint)nbmap);
		for (j = 0; j < nbmap; j++, bi++) {
			if (b[bi] != 0 && !addr_ok(fs, b[bi]))
				IBAD("inode %llu: block %lld at fragment %lld, "
				    "outside the file system (%lld fragments)",
				    (unsigned long long)ino, (long long)j,
				    (long long)b[bi], (long long)fs->fs_size);
			g_array_index(ip->i_bmap, int64_t, j) = b[bi];
		}
		for (j = 0; j < nsparse + nind; j++, bi += 2) {
			int64_t lbn = b[bi], a = b[bi + 1];
			bool sparse = j < nsparse;

			if (sparse ? (lbn < FFS_DENSE || lbn >= howmany_blk(fs, size) ||
			    !ffs_lbn_valid(fs, lbn)) :
			    (lbn >= 0 || !ffs_lbn_valid(fs, lbn)))
				IBAD("inode %llu: %s block number %lld",
				    (unsigned long long)ino,
				    sparse ? "sparse" : "indirect", (long long)lbn);
			if (j != 0 && j != nsparse && lbn <= b[bi - 2])
				IBAD("inode %llu: block %lld out of order",
				    (unsigned long long)ino, (long long)lbn);
			if (!addr_ok(fs, a))
				IBAD("inode %llu: block %lld at fragment %lld, "
				    "outside the file system (%lld fragments)",
				    (unsigned long long)ino, (long long)lbn,
				    (long long)a, (long long)fs->fs_size);
			ffs_blk_set(ip, lbn, a);
		}
#undef IBAD
	}
	if (bi != nb || ti != nt) {
		g_free(want);
		return bad(l, "%zu block pointers and %zu bytes of link targets "
		    "left over after the last inode", (size_t)(nb - bi),
		    (size_t)(nt - ti));
	}
	if (fs->fs_root == NULL) {
		g_free(want);
		return bad(l, "no root directory (inode 2)");
	}
	/* The inode map must say exactly which inodes exist. */
	if (memcmp(want, fs->fs_imap, imap_bytes(fs)) != 0) {
		size_t x;
		int bit;

		for (x = 0; want[x] == fs->fs_imap[x]; x++)
			;
		for (bit = 0; ((want[x] ^ fs->fs_imap[x]) & (1u << bit)) == 0; bit++)
			;
		(void)bad(l, "inode %llu is %s in the inode map but %s",
		    (unsigned long long)(8 * x + (size_t)bit),
		    (fs->fs_imap[x] >> bit) & 1 ? "in use" : "free",
		    (want[x] >> bit) & 1 ? "listed" : "not listed");
		g_free(want);
		return false;
	}
	g_free(want);
	return true;
}

static struct inode *
ino_lookup(const struct fs *fs, int64_t ino)
{
	uint64_t i = (uint64_t)ino;

	return g_hash_table_lookup(fs->fs_inodes, &i);
}

static bool
load_dirs(struct loader *l, GVariant *da, GVariant *ea, GVariant *na,
    GVariant *fa, GHashTable *parents)
{
	struct fs *fs = l->fs;
	gsize nd, ne, nn, nf, ei = 0, ni = 0, fi = 0, i;
	const int64_t *d = g_variant_get_fixed_array(da, &nd, sizeof(int64_t));
	const int64_t *e = g_variant_get_fixed_array(ea, &ne, sizeof(int64_t));
	const char *names = g_variant_get_fixed_array(na, &nn, 1);
	const int32_t *fr = g_variant_get_fixed_array(fa, &nf, sizeof(int32_t));
	GHashTable *named = g_hash_table_new(g_direct_hash, g_direct_equal);
	GPtrArray *queue;
	guint ndirs = 0, reached = 0, q;
	int64_t last = 0;
	bool ok = false;

	if (nd % DIR_NREC != 0 || ne % ENT_NREC != 0) {
		bad(l, "directory records of %zu and %zu values", (size_t)nd,
		    (size_t)ne);
		goto out;
	}
	/* Parents first: each directory's ".." and i_parent. */
	{
		GHashTableIter it;
		gpointer k, v;

		g_hash_table_iter_init(&it, parents);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			struct inode *ip = k, *pp = ino_lookup(fs,
			    (int64_t)GPOINTER_TO_SIZE(v));

			if (pp == NULL || !pp->i_isdir) {
				bad(l, "directory %llu: parent %llu is not a "
				    "directory", (unsigned long long)ip->i_number,
				    (unsigned long long)GPOINTER_TO_SIZE(v));
				goto out;
			}
			ip->i_parent = pp;
		}
	}
	for (i = 0; i < nd; i += DIR_NREC, d += DIR_NREC) {
		struct inode *dp = ino_lookup(fs, d[0]);
		int64_t nent = d[1], nchunk = d[2], c;
		int64_t *used;
		int dots = 0;

		if (dp == NULL || !dp->i_isdir || d[0] <= last) {
			bad(l, "directory record %zu: inode %lld is not a directory "
			    "or out of order", (size_t)(i / DIR_NREC), (long long)d[0]);
			goto out;
		}
		last = d[0];
		ndirs++;
		if (nent < 2 || (uint64_t)nent > (ne - ei) / ENT_NREC ||
		    nchunk != dp->i_size / DIRBLKSIZ || (uint64_t)nchunk > nf - fi) {
			bad(l, "directory %lld: %lld entries, %lld chunks for size "
			    "%lld", (long long)d[0], (long long)nent,
			    (long long)nchunk, (long long)dp->i_size);
			goto out;
		}
		used = g_new0(int64_t, nchunk);
		for (c = 0; c < nent; c++, ei += ENT_NREC) {
			const int64_t *x = e + ei;
			struct inode *ip = ino_lookup(fs, x[0]);
			struct direntry *de;
			char *name;

			if (x[3] < 1 || x[3] > UFS_MAXNAMLEN || (uint64_t)x[3] > nn - ni) {
				g_free(used);
				bad(l, "directory %lld: entry %lld: a name of %lld "
				    "bytes", (long long)d[0], (long long)c,
				    (long long)x[3]);
				goto out;
			}
			name = g_strndup(names + ni, (gsize)x[3]);
			ni += (gsize)x[3];
			if (strlen(name) != (size_t)x[3] || strchr(name, '/') != NULL ||
			    ip == NULL || x[1] < 0 || x[1] >= nchunk ||
			    x[2] != DIRSIZ(x[3]) || ufs_dir_lookup(dp, name) != NULL) {
				char *esc = g_strescape(name, NULL);

				bad(l, "directory %lld: entry \"%s\": inode %lld, "
				    "chunk %lld, reclen %lld (a bad name, no such "
				    "inode, a chunk past the directory's end, a "
				    "wrong length, or a name twice)", (long long)d[0],
				    esc, (long long)x[0], (long long)x[1],
				    (long long)x[2]);
				g_free(esc);
				g_free(name);
				g_free(used);
				goto out;
			}
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
				if (ip != (name[1] == '\0' ? dp : dp->i_parent)) {
					bad(l, "directory %lld: \"%s\" is inode %lld",
					    (long long)d[0], name, (long long)x[0]);
					g_free(name);
					g_free(used);
					goto out;
				}
				dots++;
			} else if (ip->i_isdir) {
				/* A directory has one name, in its parent. */
				if (ip->i_parent != dp || ip == fs->fs_root ||
				    g_hash_table_contains(named, ip)) {
					bad(l, "directory %lld: entry \"%s\": directory "
					    "%lld named twice, or not in its parent",
					    (long long)d[0], name, (long long)x[0]);
					g_free(name);
					g_free(used);
					goto out;
				}
				g_hash_table_add(named, ip);
			}
			used[x[1]] += x[2];
			de = g_new0(struct direntry, 1);
			de->de_ip = ip;
			de->de_chunk = (int)x[1];
			de->de_reclen = (uint16_t)x[2];
			g_hash_table_insert(dp->i_dir->d_names, name, de);
		}
		if (dots != 2) {
			g_free(used);
			bad(l, "directory %lld: no \".\" or \"..\"", (long long)d[0]);
			goto out;
		}
		/* Each chunk's free bytes are at most what its named
		 * entries leave: the rest is entries without a name (a
		 * listed directory's others, ufs_dir_pad). */
		for (c = 0; c < nchunk; c++, fi++) {
			if (used[c] > DIRBLKSIZ || fr[fi] < 0 ||
			    fr[fi] > DIRBLKSIZ - used[c]) {
				bad(l, "directory %lld: chunk %lld has %d bytes free, "
				    "its entries leave %lld", (long long)d[0],
				    (long long)c, fr[fi],
				    (long long)(DIRBLKSIZ - used[c]));
				g_free(used);
				goto out;
			}
			g_array_append_val(dp->i_dir->d_free, fr[fi]);
		}
		g_free(used);
	}
	if (ndirs != g_hash_table_size(parents) || ei != ne || ni != nn ||
	    fi != nf) {
		bad(l, "%u directory records for %u directories, or entries, "
		    "names or chunks left over", ndirs, g_hash_table_size(parents));
		goto out;
	}
	/* Every inode is reached from the root (no loop of directories
	 * hanging free, no file without a name). */
	queue = g_ptr_array_new();
	g_ptr_array_add(queue, fs->fs_root);
	g_hash_table_remove_all(named);
	g_hash_table_add(named, fs->fs_root);
	for (q = 0; q < queue->len; q++) {
		struct inode *dp = g_ptr_array_index(queue, q);
		GHashTableIter it;
		gpointer k, v;

		reached++;
		if (dp->i_dir == NULL)
			continue;
		g_hash_table_iter_init(&it, dp->i_dir->d_names);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			struct direntry *de = v;

			if (!g_hash_table_contains(named, de->de_ip)) {
				g_hash_table_add(named, de->de_ip);
				g_ptr_array_add(queue, de->de_ip);
			}
		}
	}
	g_ptr_array_free(queue, TRUE);
	if (reached != g_hash_table_size(fs->fs_inodes)) {
		bad(l, "%u of %u inodes cannot be reached from the root",
		    g_hash_table_size(fs->fs_inodes) - reached,
		    g_hash_table_size(fs->fs_inodes));
		goto out;
	}
	ok = true;
out:
	g_hash_table_destroy(named);
	return ok;
}

/*
 * The whole file into memory.  Only a regular file is read (a FIFO or a
 * device could block or never end; the open does not wait for a FIFO's
 * writer), and memory for it is asked for, not demanded: a file too large
 * for this machine is an error, not an abort.
 */
static bool
read_image(struct loader *l, gchar **bufp, gsize *lenp)
{
	struct stat st;
	gchar *buf;
	size_t got = 0;
	int fd, e;

	fd = open(l->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return bad(l, "cannot open it: %s", g_strerror(e));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bad(l, "not a regular file");
	}
	buf = g_try_malloc((gsize)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return bad(l, "%lld bytes: too large to load",
		    (long long)st.st_size);
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : 0;
			close(fd);
			g_free(buf);
			return bad(l, "read: %s", n < 0 ? g_strerror(e) :
			    "the file shrank while being read");
		}
		got += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	*lenp = got;
	return true;
}

/* Free what a struct fs owns of the file system's state (not the device
 * vnode or the generator, which the mount keeps). */
static void
fs_state_free(struct fs *fs)
{
	GHashTableIter it;
	gpointer v;

	ffs_risk_clear(fs);

	if (fs->fs_inodes != NULL) {
		g_hash_table_iter_init(&it, fs->fs_inodes);
		while (g_hash_table_iter_next(&it, NULL, &v))
			ffs_inode_destroy(v);
		g_hash_table_destroy(fs->fs_inodes);
	}
	g_free(fs->fs_cgs);
	g_free(fs->fs_fmap);
	g_free(fs->fs_imap);
	fs->fs_inodes = NULL;
	fs->fs_cgs = NULL;
	fs->fs_fmap = fs->fs_imap = NULL;
}

bool
ffs_image_load(struct kern *k, const char *path, struct ffs_origin *o,
    GError **err)
{
	struct loader l = { path, err, false, NULL, 0 };
	struct fs nfs, old;
	struct vnode *rootvp = k->fs.fs_root->i_vnode;
	gchar *buf = NULL;
	gsize len = 0;
	GBytes *payload = NULL;
	GVariant *img = NULL, *c[13] = { NULL };
	GHashTable *parents = NULL;
	GChecksum *sum;
	guint8 digest[32];
	gsize dlen = sizeof(digest);
	uint64_t plen, d;
	char *why = NULL;
	int problems;
	guint i;
	bool ok = false;

	KASSERT(k->nsnaps == 0 && k->numvnodes <= 1 && (rootvp == NULL ||
	    TAILQ_EMPTY(&rootvp->v_cleanblkhd)), ("ffs_image_load: the file "
	    "system is in use"));
	memset(o, 0, sizeof(*o));
	if (!read_image(&l, &buf, &len))
		goto out;
	if (len < IMAGE_HDRSIZE || memcmp(buf, IMAGE_MAGIC, 8) != 0) {
		bad(&l, "not a vfssim file system image (%s)", len < IMAGE_HDRSIZE ?
		    "too short" : "no VFSSIMFS magic");
		goto out;
	}
	if (get_le((guint8 *)buf + 8, 4) != IMAGE_VERSION ||
	    get_le((guint8 *)buf + 12, 4) != IMAGE_HDRSIZE) {
		bad(&l, "image version %llu (header of %llu bytes); this vfssim "
		    "reads version %d", (unsigned long long)get_le((guint8 *)buf +
		    8, 4), (unsigned long long)get_le((guint8 *)buf + 12, 4),
		    IMAGE_VERSION);
		goto out;
	}
	if (get_le((guint8 *)buf + 56, 8) != 0) {
		bad(&l, "damaged: the header's last 8 bytes are not zero");
		goto out;
	}
	plen = get_le((guint8 *)buf + 16, 8);
	if (plen != len - IMAGE_HDRSIZE) {
		bad(&l, "%s: the header says %llu bytes follow it, the file has "
		    "%llu", plen > len - IMAGE_HDRSIZE ? "truncated" :
		    "bytes after the end", (unsigned long long)plen,
		    (unsigned long long)(len - IMAGE_HDRSIZE));
		goto out;
	}
	sum = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(sum, (guint8 *)buf + IMAGE_HDRSIZE, (gssize)plen);
	g_checksum_get_digest(sum, digest, &dlen);
	g_checksum_free(sum);
	if (memcmp(digest, buf + 24, sizeof(digest)) != 0) {
		bad(&l, "damaged: the contents do not match the checksum in the "
		    "header");
		goto out;
	}
	/* The payload stays in buf (8-byte aligned past the header). */
	payload = g_bytes_new_with_free_func(buf + IMAGE_HDRSIZE, (gsize)plen,
	    g_free, buf);
	buf = NULL;
	img = g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE(
	    IMAGE_TYPE), payload, FALSE));
	if (!g_variant_is_normal_form(img)) {
		bad(&l, "the contents are not a well-formed image");
		goto out;
	}
	if (G_BYTE_ORDER != G_LITTLE_ENDIAN) {
		GVariant *h = g_variant_byteswap(img);

		g_variant_unref(img);
		img = h;
	}
	for (i = 0; i < G_N_ELEMENTS(c); i++)
		c[i] = g_variant_get_child_value(img, i);

	/* A new file system with the mounted one's geometry and options;
	 * the device vnode and the generator stay the mount's. */
	nfs = k->fs;
	nfs.fs_cgs = NULL;
	nfs.fs_fmap = nfs.fs_imap = NULL;
	nfs.fs_root = NULL;
	nfs.fs_inodes = g_hash_table_new(g_int64_hash, g_int64_equal);
	l.fs = &nfs;
	parents = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (!load_geometry(&l, c[0], &k->fs) || !load_origin(&l, c[1], k, o) ||
	    !load_state(&l, c[2], k) || !load_cgs(&l, c[3]) ||
	    !load_map(&l, c[4], "free map", nfs.fs_size, &nfs.fs_fmap) ||
	    !load_map(&l, c[5], "inode map", (int64_t)nfs.fs_ncg * nfs.fs_ipg,
	    &nfs.fs_imap) ||
	    !load_inodes(&l, c[6], c[7], c[12], parents) ||
	    !load_dirs(&l, c[8], c[9], c[10], c[11], parents)) {
		fs_state_free(&nfs);
		goto out;
	}
	/* Consistent as a whole: fsck it in place, and keep it only if it
	 * has nothing to say. */
	old = k->fs;
	k->fs = nfs;
	problems = ffs_fsck(k, &why);
	if (problems != 0) {
		nfs = k->fs;
		k->fs = old;
		fs_state_free(&nfs);
		bad(&l, "fsck finds %d problem%s; the first: %s", problems,
		    problems > 1 ? "s" : "", why);
		goto out;
	}
	/* The root's vnode (the only one) now stands for the new root. */
	if (rootvp != NULL) {
		old.fs_root->i_vnode = NULL;
		rootvp->v_data = k->fs.fs_root;
		k->fs.fs_root->i_vnode = rootvp;
	}
	fs_state_free(&old);
	/* The machine goes on as the one that made the image did. */
	k->nextvnode = l.nextvnode;
	for (d = old.fs_rng_draws; d < k->fs.fs_rng_draws; d++)
		(void)g_rand_int(k->fs.fs_rng);
	ok = true;
out:
	g_free(why);
	for (i = 0; i < G_N_ELEMENTS(c); i++)
		if (c[i] != NULL)
			g_variant_unref(c[i]);
	if (img != NULL)
		g_variant_unref(img);
	if (payload != NULL)
		g_bytes_unref(payload);
	if (parents != NULL)
		g_hash_table_destroy(parents);
	g_free(buf);
	return ok;
}
