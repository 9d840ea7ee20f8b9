/* Unit tests of the starting file system: its image (ffs_image.c) and
 * aging (fsage.c).  Saving and loading gives the same file system — every
 * inode, pointer, entry, chunk, map, count and rotor — and the same image
 * again; an image that is truncated, damaged, of another version or
 * another geometry, or edited into inconsistency behind a valid checksum
 * is refused with a message naming it, and the mounted file system is
 * left as it was; random damage never does worse (the test build has ASan
 * and UBSan).  Aging fills to its target, is the same for a seed and not
 * for another, passes fsck, and breaks files and free space up where
 * filling as much without churn does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsage.h"
#include "testkern.h"

#define HDR	64		/* the image's header */

static char *tmpdir;

static void
boot(struct machine *m, const char *const *sets)
{
	static const char *const base[] = {
		"ffs.size=64M",
		/* 8 KB blocks, 1 KB fragments (as before newfs's 16 KB
		 * default): an indirect block maps 2048 blocks, so build_tree's
		 * "big" file gets past the single indirect block within 64 MB
		 * (with 16 KB blocks it would need 64 MB more); the image keeps
		 * any geometry alike. */
		"ffs.bsize=8K", "ffs.fsize=1K", NULL
	};

	machine_boot(m, base, sets);
}

static char *
tmp_path(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

/* ---- a dump of everything an image must keep -------------------------- */

static gint
cmp_ino(gconstpointer a, gconstpointer b)
{
	const struct inode *x = *(struct inode *const *)a;
	const struct inode *y = *(struct inode *const *)b;

	return x->i_number < y->i_number ? -1 : x->i_number > y->i_number;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static gint
cmp_pair(gconstpointer a, gconstpointer b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
dump_table(GString *s, const char *what, GHashTable *h)
{
	GArray *a = g_array_new(FALSE, FALSE, 2 * sizeof(int64_t));
	GHashTableIter it;
	gpointer k, v;
	guint i;

	if (h != NULL) {
		g_hash_table_iter_init(&it, h);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			int64_t p[2] = { (int64_t)GPOINTER_TO_SIZE(k),
			    (int64_t)GPOINTER_TO_SIZE(v) };

			g_array_append_vals(a, p, 1);
		}
	}
	g_array_sort(a, cmp_pair);
	for (i = 0; i < a->len; i++)
		g_string_append_printf(s, " %s %lld:%lld", what,
		    (long long)((int64_t *)a->data)[2 * i],
		    (long long)((int64_t *)a->data)[2 * i + 1]);
	g_array_free(a, TRUE);
}

/* Every field of the file system's state, in a fixed order. */
static char *
dump(const struct kern *k)
{
	const struct fs *fs = &k->fs;
	GString *s = g_string_new("");
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	guint i, j;
	int c, f;

	g_string_append_printf(s, "totals %lld %lld %lld %lld optim %d cgrotor %d\n",
	    (long long)fs->fs_nbfree, (long long)fs->fs_nffree,
	    (long long)fs->fs_nifree, (long long)fs->fs_ndir, fs->fs_optim_space,
	    fs->fs_cgrotor);
	for (c = 0; c < fs->fs_ncg; c++) {
		const struct cg *g = &fs->fs_cgs[c];

		g_string_append_printf(s, "cg %d: %lld %lld %lld %lld %lld %lld %lld %d",
		    c, (long long)g->cg_nbfree, (long long)g->cg_nffree,
		    (long long)g->cg_nifree, (long long)g->cg_ndir,
		    (long long)g->cg_rotor, (long long)g->cg_frotor,
		    (long long)g->cg_irotor, g->cg_contigdirs);
		for (f = 0; f < MAXFRAG; f++)
			g_string_append_printf(s, " %d", g->cg_frsum[f]);
		g_string_append_c(s, '\n');
	}
	for (i = 0; i < (guint)((fs->fs_size + 7) / 8); i++)
		g_string_append_printf(s, "%02x", fs->fs_fmap[i]);
	g_string_append_c(s, '\n');
	for (i = 0; i < (guint)((fs->fs_ncg * fs->fs_ipg + 7) / 8); i++)
		g_string_append_printf(s, "%02x", fs->fs_imap[i]);
	g_string_append_c(s, '\n');
	g_hash_table_iter_init(&it, fs->fs_inodes);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, cmp_ino);
	for (i = 0; i < all->len; i++) {
		const struct inode *ip = g_ptr_array_index(all, i);

		g_string_append_printf(s, "ino %llu size %lld nlink %d dir %d "
		    "link %s blocks %lld gen %u parent %llu bmap",
		    (unsigned long long)ip->i_number, (long long)ip->i_size,
		    ip->i_nlink, ip->i_isdir, ip->i_symlink != NULL ?
		    ip->i_symlink : "-", (long long)ip->i_blocks, ip->i_gen,
		    ip->i_parent != NULL ?
		    (unsigned long long)ip->i_parent->i_number : 0ULL);
		for (j = 0; j < ip->i_bmap->len; j++)
			g_string_append_printf(s, " %lld",
			    (long long)g_array_index(ip->i_bmap, int64_t, j));
		dump_table(s, "sparse", ip->i_sparse);
		dump_table(s, "ind", ip->i_ind);
		if (ip->i_dir != NULL) {
			GPtrArray *names = g_ptr_array_new();
			gpointer n;

			g_hash_table_iter_init(&it, ip->i_dir->d_names);
			while (g_hash_table_iter_next(&it, &n, NULL))
				g_ptr_array_add(names, n);
			g_ptr_array_sort(names, cmp_str);
			for (j = 0; j < names->len; j++) {
				const char *name = g_ptr_array_index(names, j);
				const struct direntry *de = ufs_dir_lookup(
				    (struct inode *)ip, name);

				g_string_append_printf(s, " [%s %llu %d %d]", name,
				    (unsigned long long)de->de_ip->i_number,
				    de->de_chunk, de->de_reclen);
			}
			for (j = 0; j < ip->i_dir->d_free->len; j++)
				g_string_append_printf(s, " free%u=%d", j,
				    g_array_index(ip->i_dir->d_free, int, j));
			g_ptr_array_free(names, TRUE);
		}
		g_string_append_c(s, '\n');
	}
	g_ptr_array_free(all, TRUE);
	return g_string_free(s, FALSE);
}

/* ---- a file system with a bit of everything --------------------------- */

static struct vnode *
mk(struct kern *k, struct vnode *dvp, const char *name, enum vtype t,
    int64_t size)
{
	struct vnode *vp;

	assert_int_equal(vn_create(k, dvp, name, t, &vp), 0);
	if (size > 0)
		assert_true(ffs_prealloc(k, vp->v_data, size));
	return vp;
}

static struct {
	struct kern	*k;
	struct vnode	*vp;
} wr;

/* A write 8 GB out: blocks in the sparse table, double indirection. */
static void
sparse_writer(void *arg)
{
	(void)arg;
	(void)vn_write(wr.k, wr.vp, (int64_t)FFS_DENSE * wr.k->fs.fs_bsize + 5000,
	    3000, 0);
	kern_sync(wr.k);
}

static void
build_tree(struct machine *m)
{
	struct kern *k = m->k;
	struct vnode *root = vn_root(k), *d1, *d2, *big, *sp;
	char name[64];
	int i;

	d1 = mk(k, root, "usr", VDIR, 0);
	d2 = mk(k, d1, "lib", VDIR, 0);
	(void)mk(k, d2, "libc.so", VREG, 700 * 1024);
	(void)mk(k, d2, "tiny", VREG, 100);
	(void)mk(k, d2, "empty", VREG, 0);
	/* Past the direct blocks and the single indirect block. */
	big = mk(k, d1, "big", VREG, (int64_t)(12 + 2048 + 40) * 8192 + 777);
	assert_non_null(big->v_data->i_ind);
	/* Hard links. */
	assert_int_equal(vn_link(k, big, root, "big.link"), 0);
	/* Symbolic links: one in the inode, one in a block. */
	{
		struct vnode *l;

		assert_int_equal(vn_symlink(k, d2, "libc.so.6", "libc.so", &l), 0);
		assert_int_equal(vn_symlink(k, root, "far", "/usr/lib/"
		    "file-with-a-longish-name-001/and/then/some/more/and/more", &l), 0);
		assert_true(l->v_data->i_blocks > 0);
	}
	/* A directory of many entries over several chunks, some removed
	 * (chunks with room to spare). */
	for (i = 0; i < 200; i++) {
		g_snprintf(name, sizeof(name), "file-with-a-longish-name-%03d", i);
		(void)mk(k, d2, name, VREG, (i % 7) * 1500);
	}
	for (i = 0; i < 200; i += 3) {
		g_snprintf(name, sizeof(name), "file-with-a-longish-name-%03d", i);
		assert_int_equal(vn_remove(k, d2, name, false), 0);
	}
	(void)mk(k, root, "etc", VDIR, 0);
	/* A hole larger than the file system (what a trace's claim that
	 * does not fit becomes). */
	sp = mk(k, root, "hole", VREG, 0);
	sp->v_data->i_size = (int64_t)1 << 40;
	/* The sparse file, written online. */
	sp = mk(k, root, "sparse", VREG, 0);
	vref(sp);
	wr.k = k;
	wr.vp = sp;
	machine_run(m, "writer", sparse_writer, NULL);
	vrele(k, sp);
	assert_non_null(sp->v_data->i_sparse);
	machine_fsck(k);
}

static const struct ffs_origin some_origin = {
	.files = 11, .dirs = 3, .bytes = 12345, .failed = 1,
};

static uint8_t *
slurp(const char *path, gsize *len)
{
	gchar *buf;

	assert_true(g_file_get_contents(path, &buf, len, NULL));
	return (uint8_t *)buf;
}

static void
spit(const char *path, const void *buf, gsize len)
{
	assert_true(g_file_set_contents(path, buf, (gssize)len, NULL));
}

/* ---- save and load ---------------------------------------------------- */

static char *saved_path, *fresh_dump;

static void
test_roundtrip(void **state)
{
	struct machine a, b;
	struct ffs_origin o;
	GError *err = NULL;
	char *da, *db, *p2 = tmp_path("again.img");
	uint8_t *x, *y;
	gsize nx, ny;

	(void)state;
	boot(&a, NULL);
	build_tree(&a);
	da = dump(a.k);
	saved_path = tmp_path("tree.img");
	assert_true(ffs_image_save(a.k, saved_path, &some_origin, &err));

	boot(&b, NULL);
	fresh_dump = dump(b.k);
	if (!ffs_image_load(b.k, saved_path, &o, &err))
		fail_msg("%s", err->message);
	machine_fsck(b.k);
	db = dump(b.k);
	assert_string_equal(da, db);
	assert_memory_equal(&o, &some_origin, sizeof(o));
	/* The root's vnode is the new root's. */
	assert_ptr_equal(vn_root(b.k)->v_data, b.k->fs.fs_root);
	/* ... and saving it again gives the same bytes. */
	assert_true(ffs_image_save(b.k, p2, &o, &err));
	x = slurp(saved_path, &nx);
	y = slurp(p2, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	/* The loaded file system works: a file made in it, and fsck. */
	(void)mk(b.k, vn_root(b.k), "new", VREG, 50000);
	machine_fsck(b.k);
	g_free(x);
	g_free(y);
	g_free(da);
	g_free(db);
	g_free(p2);
	machine_free(&a);
	machine_free(&b);
}

/* Load path into a fresh machine: refused, with a message naming the
 * file and holding want (if any), and nothing changed. */
static void
assert_refused(const char *path, const char *want, const char *const *sets)
{
	struct machine m;
	struct ffs_origin o;
	GError *err = NULL;
	char *d;

	boot(&m, sets);
	if (ffs_image_load(m.k, path, &o, &err))
		fail_msg("%s loaded (want: %s)", path, want);
	assert_true(err->domain == FFS_IMAGE_ERROR &&
	    err->code == FFS_IMAGE_ERROR_INPUT);
	if (strstr(err->message, path) == NULL ||
	    (want != NULL && strstr(err->message, want) == NULL))
		fail_msg("message \"%s\" lacks \"%s\"", err->message, want);
	g_error_free(err);
	machine_fsck(m.k);
	if (sets == NULL) {
		d = dump(m.k);
		assert_string_equal(d, fresh_dump);
		g_free(d);
	}
	machine_free(&m);
}

static void
test_damaged(void **state)
{
	char *p = tmp_path("bad.img");
	uint8_t *img;
	gsize len, cuts[] = { 0, 7, 63, 64, 65, 1000 }, i;

	(void)state;
	img = slurp(saved_path, &len);
	assert_refused("/nonexistent/x.img", "No such file", NULL);
	for (i = 0; i < G_N_ELEMENTS(cuts); i++) {
		spit(p, img, cuts[i]);
		assert_refused(p, cuts[i] < 64 ? "not a vfssim file system image" :
		    "truncated", NULL);
	}
	spit(p, img, len - 1);
	assert_refused(p, "truncated", NULL);
	{
		uint8_t *more = g_malloc(len + 3);

		memcpy(more, img, len);
		memset(more + len, 0, 3);
		spit(p, more, len + 3);
		assert_refused(p, "bytes after the end", NULL);
		g_free(more);
	}
	img[0] ^= 0x20;
	spit(p, img, len);
	assert_refused(p, "not a vfssim file system image", NULL);
	img[0] ^= 0x20;
	img[8] = 3;
	spit(p, img, len);
	assert_refused(p, "image version 3", NULL);
	img[8] = 1;
	spit(p, img, len);
	assert_refused(p, "image version 1", NULL);	/* no symbolic links */
	img[8] = 2;
	img[HDR + len / 3] ^= 0x01;
	spit(p, img, len);
	assert_refused(p, "checksum", NULL);
	img[HDR + len / 3] ^= 0x01;
	spit(p, img, len);
	{
		struct machine m;
		struct ffs_origin o;

		boot(&m, NULL);
		assert_true(ffs_image_load(m.k, p, &o, NULL));
		machine_free(&m);
	}
	g_free(img);
	g_free(p);
}

/* ---- edits behind a valid checksum ------------------------------------ */

#define NPARTS	13

/* The image's parts, to edit. */
struct parts {
	GVariant	*v[NPARTS];
};

static void
parts_read(const char *path, struct parts *pt)
{
	gsize len;
	uint8_t *img = slurp(path, &len);
	GBytes *b = g_bytes_new(img + HDR, len - HDR);
	GVariant *all = g_variant_ref_sink(g_variant_new_from_bytes(
	    G_VARIANT_TYPE("(a{sx}a{sv}a{sx}axayayaxaxaxaxayaiay)"), b, FALSE));
	int i;

	for (i = 0; i < NPARTS; i++)
		pt->v[i] = g_variant_get_child_value(all, (gsize)i);
	g_variant_unref(all);
	g_bytes_unref(b);
	g_free(img);
}

/* Write the parts as an image with a correct header and checksum. */
static void
write_payload(const char *path, const void *data, gsize n)
{
	uint8_t *out = g_malloc0(HDR + n);
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize dl = 32;
	int i;

	memcpy(out, "VFSSIMFS", 8);
	out[8] = 2;
	out[12] = HDR;
	for (i = 0; i < 8; i++)
		out[16 + i] = (uint8_t)((uint64_t)n >> (8 * i));
	memcpy(out + HDR, data, n);
	g_checksum_update(sum, out + HDR, (gssize)n);
	g_checksum_get_digest(sum, out + 24, &dl);
	g_checksum_free(sum);
	spit(path, out, HDR + n);
	g_free(out);
}

static void
parts_write(const char *path, struct parts *pt)
{
	GVariant *all = g_variant_ref_sink(g_variant_new_tuple(pt->v, NPARTS));

	write_payload(path, g_variant_get_data(all), g_variant_get_size(all));
	g_variant_unref(all);
}

static void
parts_free(struct parts *pt)
{
	int i;

	for (i = 0; i < NPARTS; i++)
		g_variant_unref(pt->v[i]);
}

/* An int64 array part, copied to change. */
static GArray *
xarray(struct parts *pt, int i)
{
	gsize n;
	const int64_t *x = g_variant_get_fixed_array(pt->v[i], &n, 8);
	GArray *a = g_array_sized_new(FALSE, FALSE, 8, (guint)n);

	g_array_append_vals(a, x, (guint)n);
	return a;
}

static void
xarray_put(struct parts *pt, int i, GArray *a)
{
	g_variant_unref(pt->v[i]);
	pt->v[i] = g_variant_ref_sink(g_variant_new_fixed_array(
	    G_VARIANT_TYPE_INT64, a->data, a->len, 8));
	g_array_free(a, TRUE);
}

static void
bytes_put(struct parts *pt, int i, const void *p, gsize n)
{
	g_variant_unref(pt->v[i]);
	pt->v[i] = g_variant_ref_sink(g_variant_new_fixed_array(
	    G_VARIANT_TYPE_BYTE, p, n, 1));
}

/* A dictionary part with one value changed. */
static void
dict_set(struct parts *pt, int i, const char *key, int64_t val)
{
	GVariantBuilder b;
	GVariantIter it;
	const char *k;
	gint64 x;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sx}"));
	g_variant_iter_init(&it, pt->v[i]);
	while (g_variant_iter_next(&it, "{&sx}", &k, &x))
		g_variant_builder_add(&b, "{sx}", k,
		    strcmp(k, key) == 0 ? (gint64)val : x);
	g_variant_unref(pt->v[i]);
	pt->v[i] = g_variant_ref_sink(g_variant_builder_end(&b));
}

enum { P_GEOM, P_ORIGIN, P_STATE, P_CGS, P_FMAP, P_IMAP, P_INOS, P_BLKS,
	P_DIRS, P_ENTS, P_NAMES, P_DFREE, P_TARGETS };

/* The first inode record of a regular file with blocks. */
static guint
a_file(GArray *inos)
{
	guint i;

	for (i = 0; i < inos->len; i += 10)
		if (g_array_index(inos, int64_t, i + 3) == 0 &&
		    g_array_index(inos, int64_t, i + 7) > 0)
			return i;
	fail_msg("no such inode");
	return 0;
}

/* Where inode record r's block pointers start. */
static guint
blocks_of(GArray *inos, guint r)
{
	guint i, at = 0;

	for (i = 0; i < r; i += 10)
		at += (guint)(g_array_index(inos, int64_t, i + 7) +
		    2 * g_array_index(inos, int64_t, i + 8) +
		    2 * g_array_index(inos, int64_t, i + 9));
	return at;
}

static void
test_inconsistent(void **state)
{
	char *p = tmp_path("edited.img");
	const char *const sets16k[] = { "ffs.bsize=16K", "ffs.fsize=2K", NULL };
	const char *const aged[] = { "ffs.age=0.5", NULL };
	struct parts pt;
	GArray *a, *inos;
	guint r, r2;

	(void)state;
	/* Another newfs: the message names both and the profile key. */
	assert_refused(saved_path, "fs_bsize 8192, the profile's 16384 "
	    "(ffs.bsize)", sets16k);
	assert_refused(saved_path, "ffs.age 0, the profile says 0.5", aged);
	parts_read(saved_path, &pt);
	dict_set(&pt, P_GEOM, "fs_ipg", 12);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "ffs.density", NULL);

	/* A block outside the file system. */
	parts_read(saved_path, &pt);
	inos = xarray(&pt, P_INOS);
	a = xarray(&pt, P_BLKS);
	r = a_file(inos);
	g_array_index(a, int64_t, blocks_of(inos, r)) = (int64_t)1 << 40;
	xarray_put(&pt, P_BLKS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "outside the file system", NULL);
	/* Two files with the same block: fsck's. */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_BLKS);
	for (r2 = r + 10; g_array_index(inos, int64_t, r2 + 3) != 0 ||
	    g_array_index(inos, int64_t, r2 + 7) == 0; r2 += 10)
		;
	g_array_index(a, int64_t, blocks_of(inos, r2)) =
	    g_array_index(a, int64_t, blocks_of(inos, r));
	xarray_put(&pt, P_BLKS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "fsck finds", NULL);
	/* A link count one off. */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_INOS);
	g_array_index(a, int64_t, r + 2) += 1;
	xarray_put(&pt, P_INOS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "link count", NULL);
	/* A size that puts its blocks past its end. */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_INOS);
	g_array_index(a, int64_t, r + 1) = 1;
	xarray_put(&pt, P_INOS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "inode", NULL);
	/* An inode the map says is free. */
	parts_read(saved_path, &pt);
	{
		gsize n;
		const guint8 *m = g_variant_get_fixed_array(pt.v[P_IMAP], &n, 1);
		guint8 *c = g_memdup2(m, n);
		uint64_t ino = (uint64_t)g_array_index(inos, int64_t, r);

		c[ino >> 3] &= (guint8)~(1u << (ino & 7));
		bytes_put(&pt, P_IMAP, c, n);
		g_free(c);
	}
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "inode map", NULL);
	/* A symbolic link's target cut short, or with a NUL in it. */
	parts_read(saved_path, &pt);
	{
		gsize n;
		const guint8 *t = g_variant_get_fixed_array(pt.v[P_TARGETS], &n, 1);
		guint8 *c = g_memdup2(t, n);

		assert_true(n > 60);
		bytes_put(&pt, P_TARGETS, c, n - 1);
		parts_write(p, &pt);
		assert_refused(p, "symbolic link", NULL);
		c[2] = 0;
		bytes_put(&pt, P_TARGETS, c, n);
		parts_write(p, &pt);
		assert_refused(p, "symbolic link", NULL);
		g_free(c);
	}
	parts_free(&pt);
	/* A free-map bit flipped: fsck's. */
	parts_read(saved_path, &pt);
	{
		gsize n;
		const guint8 *m = g_variant_get_fixed_array(pt.v[P_FMAP], &n, 1);
		guint8 *c = g_memdup2(m, n);

		c[n / 2] ^= 0x10;
		bytes_put(&pt, P_FMAP, c, n);
		g_free(c);
	}
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "fsck finds", NULL);
	/* A cylinder group's count. */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_CGS);
	g_array_index(a, int64_t, 0) -= 1;
	xarray_put(&pt, P_CGS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "fsck finds", NULL);
	/* A rotor out of its group. */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_CGS);
	g_array_index(a, int64_t, 4) = -8;
	xarray_put(&pt, P_CGS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "rotors", NULL);
	/* An entry in a chunk past the directory's end, and one whose
	 * chunk has more bytes free than its entries leave (fewer are
	 * entries without names: ufs_dir_pad). */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_ENTS);
	g_array_index(a, int64_t, 1) = 1000;
	xarray_put(&pt, P_ENTS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "chunk", NULL);
	parts_read(saved_path, &pt);
	{
		gsize n;
		const int32_t *f = g_variant_get_fixed_array(pt.v[P_DFREE], &n, 4);
		int32_t *c = g_memdup2(f, n * 4);

		c[0] += 4;
		g_variant_unref(pt.v[P_DFREE]);
		pt.v[P_DFREE] = g_variant_ref_sink(g_variant_new_fixed_array(
		    G_VARIANT_TYPE_INT32, c, n, 4));
		g_free(c);
	}
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "bytes free", NULL);
	/* A directory that is its own parent: a loop off the tree. */
	parts_read(saved_path, &pt);
	a = xarray(&pt, P_INOS);
	for (r = 0; g_array_index(a, int64_t, r + 3) != 1 ||
	    g_array_index(a, int64_t, r) == ROOTINO; r += 10)
		;
	g_array_index(a, int64_t, r + 6) = g_array_index(a, int64_t, r);
	xarray_put(&pt, P_INOS, a);
	parts_write(p, &pt);
	parts_free(&pt);
	assert_refused(p, "directory", NULL);
	/* Not in normal form (a GVariant framing offset broken). */
	{
		GVariant *bad = g_variant_ref_sink(g_variant_new_parsed(
		    "('not', 'an', 'image')"));

		write_payload(p, g_variant_get_data(bad), g_variant_get_size(bad));
		g_variant_unref(bad);
	}
	assert_refused(p, "well-formed", NULL);
	g_array_free(inos, TRUE);
	g_free(p);
}

/*
 * Random damage, 400 images of four kinds: bits flipped behind a valid
 * checksum near the front (the dictionaries and records there are small:
 * hit them as often as the maps) and anywhere; the payload cut short at a
 * random length behind a valid checksum; and bytes changed anywhere in the
 * file, header included, and the file maybe cut, with the checksum left as
 * it was.  Never a crash or a leak (ASan, UBSan); what loads passes fsck;
 * what is refused names the file and leaves the mounted file system as it
 * was; the last two kinds are always refused.
 */
static void
test_fuzz(void **state)
{
	char *p = tmp_path("fuzz.img");
	GRand *rng = g_rand_new_with_seed(42);
	gsize len;
	uint8_t *img = slurp(saved_path, &len), *c = g_malloc(len);
	int i, j, loaded = 0, refused = 0;

	(void)state;
	for (i = 0; i < 400; i++) {
		struct machine t;
		struct ffs_origin o;
		GError *err = NULL;
		int n = g_rand_int_range(rng, 1, 5), kind = i % 4;
		gsize plen = len - HDR, flen = len;

		memcpy(c, img, len);
		for (j = 0; j < n && kind != 2; j++) {
			gsize at = kind == 0 ? HDR + (gsize)g_rand_int_range(rng, 0,
			    (gint32)MIN(plen, 4096)) : kind == 1 ? HDR +
			    (gsize)g_rand_int_range(rng, 0, (gint32)plen) :
			    (gsize)g_rand_int_range(rng, 0, (gint32)len);
			uint8_t was = c[at];

			do
				c[at] = kind == 3 ? (uint8_t)g_rand_int_range(rng,
				    0, 256) : was ^ (uint8_t)(1u <<
				    g_rand_int_range(rng, 0, 8));
			while (c[at] == was);
		}
		if (kind == 2)
			plen = (gsize)g_rand_int_range(rng, 0, (gint32)plen);
		if (kind == 3 && g_rand_boolean(rng))
			flen = (gsize)g_rand_int_range(rng, 0, (gint32)len);
		if (kind == 3)
			spit(p, c, flen);
		else
			write_payload(p, c + HDR, plen);
		boot(&t, NULL);
		if (ffs_image_load(t.k, p, &o, &err)) {
			loaded++;
			if (kind >= 2)
				fail_msg("damage %d (kind %d) loaded", i, kind);
			machine_fsck(t.k);
		} else {
			char *d = dump(t.k);

			refused++;
			if (strstr(err->message, p) == NULL)
				fail_msg("\"%s\" does not name the file", err->message);
			g_error_free(err);
			assert_string_equal(d, fresh_dump);
			g_free(d);
		}
		machine_free(&t);
	}
	/* Most damage is caught, some (a rotor, a generation) is harmless. */
	assert_true(refused > 300 && loaded + refused == 400);
	g_rand_free(rng);
	g_free(img);
	g_free(c);
	g_free(p);
}

/* ---- aging ------------------------------------------------------------ */

/* Age a 64 MB file system as the replay's set-up does, with no files of
 * a trace; churn false only fills, in one go, to the level the rounds
 * fill to before they delete (more than the target). */
static void
age(struct machine *m, double to, uint64_t seed, bool churn,
    struct ffs_origin *o)
{
	GHashTable *taken = g_hash_table_new(g_str_hash, g_str_equal);
	struct kern_counters before = m->k->cnt;
	struct fsage *a = fsage_new(m->k, to, seed, taken);
	int r;

	memset(o, 0, sizeof(*o));
	for (r = 0; r <= FSAGE_ROUNDS; r++) {
		fsage_fill(a, 0);
		if (churn && r < FSAGE_ROUNDS)
			fsage_churn(a);
	}
	if (churn)
		fsage_trim(a);
	fsage_finish(a, o);
	kern_setup_done(m->k, &before);
	g_hash_table_destroy(taken);
}

static void
test_aging(void **state)
{
	const char *const sets[] = { "ffs.age=0.6", NULL };
	struct machine a, b, c, d;
	struct ffs_origin oa, ob, oc, od, ol;
	struct ffs_layout la, lc, ld;
	char *da, *db, *dc, *p = tmp_path("aged.img");
	double used;
	GError *err = NULL;

	(void)state;
	boot(&a, sets);
	boot(&b, sets);
	boot(&c, sets);
	boot(&d, sets);
	age(&a, 0.6, 7, true, &oa);
	age(&b, 0.6, 7, true, &ob);
	age(&c, 0.6, 8, true, &oc);
	age(&d, 0.6, 7, false, &od);
	machine_fsck(a.k);
	machine_fsck(c.k);
	machine_fsck(d.k);
	/* The same seed, the same file system; another, another. */
	da = dump(a.k);
	db = dump(b.k);
	dc = dump(c.k);
	assert_string_equal(da, db);
	assert_string_not_equal(da, dc);
	assert_memory_equal(&oa, &ob, sizeof(oa));
	/* Filled to the target, with churn: about three files made for
	 * every one left. */
	ffs_layout(&a.k->fs, &la);
	used = (double)la.used_frags / (double)la.avail_frags;
	assert_true(used > 0.58 && used < 0.65);
	assert_true(oa.age_written > 2 * (oa.age_written - oa.age_deleted));
	assert_true(oa.age_dirs > 8);
	/* Churn breaks files and free space up: filling as much without
	 * it leaves the files in a row and the free space whole. */
	ffs_layout(&c.k->fs, &lc);
	ffs_layout(&d.k->fs, &ld);
	assert_int_equal(od.age_deleted, 0);
	assert_true((double)la.inrow / (double)la.pairs <
	    (double)ld.inrow / (double)ld.pairs - 0.05);
	assert_true((double)lc.inrow / (double)lc.pairs <
	    (double)ld.inrow / (double)ld.pairs - 0.05);
	assert_true((double)la.broken / (double)la.files >
	    (double)ld.broken / (double)ld.files + 0.1);
	assert_true((double)la.free_blocks / (double)la.free_runs <
	    (double)ld.free_blocks / (double)ld.free_runs / 4);
	/* An aged file system round-trips through an image too. */
	assert_true(ffs_image_save(a.k, p, &oa, &err));
	machine_free(&b);
	boot(&b, sets);
	if (!ffs_image_load(b.k, p, &ol, &err))
		fail_msg("%s", err->message);
	g_free(db);
	db = dump(b.k);
	assert_string_equal(da, db);
	assert_memory_equal(&oa, &ol, sizeof(oa));
	g_free(da);
	g_free(db);
	g_free(dc);
	g_free(p);
	machine_free(&a);
	machine_free(&b);
	machine_free(&c);
	machine_free(&d);
}

static void
rm_rf(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
		char *f = g_build_filename(dir, n, NULL);

		unlink(f);
		g_free(f);
	}
	if (d != NULL)
		g_dir_close(d);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_inconsistent),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_aging),
	};
	int rc;

	tmpdir = g_dir_make_tmp("vfssim-ffsimage-XXXXXX", NULL);
	assert_non_null(tmpdir);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rm_rf(tmpdir);
	g_free(tmpdir);
	g_free(saved_path);
	g_free(fresh_dump);
	return rc;
}
