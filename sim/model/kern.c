/*
 * kern.c — one simulated machine: reads its parameters from a profile once,
 * then boots the pieces in the kernel's order: the disk and its queue, the
 * buffer cache (bufinit), the file system (mount), the syncer and buf_daemon.
 */
#include "kern.h"
#include "file.h"
#include "kassert.h"
#include "profile.h"

#include <string.h>

static bool
read_params(struct kern_params *kp, const struct profile *pr, GError **err)
{
	char *why = NULL;
	int64_t rate;

	memset(kp, 0, sizeof(*kp));
	kp->era = strcmp(profile_str(pr, "machine", "era"), "freebsd4") == 0 ?
	    ERA_FREEBSD4 : ERA_FREEBSD5_CURRENT;
	kp->memory = profile_int(pr, "machine", "memory");
	kp->hz = (int)profile_int(pr, "machine", "hz");
	kp->cpu_syscall = profile_int(pr, "cpu", "syscall");
	rate = profile_int(pr, "cpu", "copy_rate");
	kp->cpu_lookup = profile_int(pr, "cpu", "lookup");
	kp->cpu_bufop = profile_int(pr, "cpu", "bufop");
	kp->nbuf = (int)profile_int(pr, "bio", "nbuf");
	kp->hidirtybuffers = (int)profile_int(pr, "bio", "hidirtybuffers");
	kp->lodirtybuffers = (int)profile_int(pr, "bio", "lodirtybuffers");
	kp->syncdelay = profile_int(pr, "syncer", "syncdelay");
	kp->filedelay = profile_int(pr, "syncer", "filedelay");
	kp->dirdelay = profile_int(pr, "syncer", "dirdelay");
	kp->metadelay = profile_int(pr, "syncer", "metadelay");
	kp->bsize = (int)profile_int(pr, "ffs", "bsize");
	kp->fsize = (int)profile_int(pr, "ffs", "fsize");
	kp->fs_size = profile_int(pr, "ffs", "size");
	kp->disk.rpm = (int)profile_int(pr, "disk", "rpm");
	kp->disk.cylinders = profile_int(pr, "disk", "cylinders");
	kp->disk.heads = (int)profile_int(pr, "disk", "heads");
	kp->disk.sectors_per_track = (int)profile_int(pr, "disk", "sectors_per_track");
	kp->disk.seek_boundary = profile_int(pr, "disk", "seek_boundary");
	kp->disk.seek_a = profile_double(pr, "disk", "seek_a");
	kp->disk.seek_b = profile_double(pr, "disk", "seek_b");
	kp->disk.seek_c = profile_double(pr, "disk", "seek_c");
	kp->disk.seek_e = profile_double(pr, "disk", "seek_e");
	kp->disk.seek_single = profile_int(pr, "disk", "seek_single");
	kp->disk.head_switch = profile_int(pr, "disk", "head_switch");
	kp->disk.write_settle = profile_int(pr, "disk", "write_settle");
	kp->disk.overhead = profile_int(pr, "disk", "overhead");
	kp->diskq = profile_str(pr, "diskq", "scheduler");
	kp->passthrough = g_strsplit(profile_str(pr, "replay", "passthrough"),
	    ":", -1);

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__); \
		return false;						\
	}								\
} while (0)
	CHECK(kp->memory >= 4 << 20 && kp->memory <= (1LL << 40),
	    "machine.memory must be between 4M and 1T");
	CHECK(kp->hz >= 10 && kp->hz <= 10000, "machine.hz must be 10..10000");
	CHECK(rate > 0, "cpu.copy_rate must be positive");
	CHECK(kp->nbuf >= 0 && kp->nbuf <= 10000000, "bio.nbuf out of range");
	CHECK(kp->nbuf == 0 || kp->nbuf >= 16, "bio.nbuf must be at least 16");
	CHECK(kp->hidirtybuffers >= 0 && kp->lodirtybuffers >= 0,
	    "dirty-buffer limits must not be negative");
	CHECK(kp->filedelay >= 0 && kp->dirdelay >= 0 && kp->metadelay >= 0 &&
	    kp->syncdelay >= SIM_SEC, "syncer delays: syncdelay >= 1s");
	if (!disk_params_valid(&kp->disk, &why)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", why);
		g_free(why);
		return false;
	}
	CHECK(diskq_lookup(kp->diskq) != NULL, "diskq.scheduler %s: unknown",
	    kp->diskq);
#undef CHECK
	kp->cpu_copy_ns_per_byte = 1e9 / (double)rate;
	return true;
}

/* The disk interrupt: finish the buffer's I/O, then tell the recorder. */
static void
kern_disk_done(void *arg, struct diskreq *r)
{
	struct kern *k = arg;

	if (k->hooks.disk_done != NULL)
		k->hooks.disk_done(k->hooks.arg, r);
	biodone(k, r->arg);
}

struct kern *
kern_boot(struct sim *s, const struct profile *prof, GError **err)
{
	struct kern *k = g_new0(struct kern, 1);

	k->sim = s;
	if (!read_params(&k->p, prof, err)) {
		g_strfreev(k->p.passthrough);
		g_free(k);
		return NULL;
	}
	disk_init(&k->disk, s, &k->p.disk, diskq_lookup(k->p.diskq));
	k->disk.done = kern_disk_done;
	k->disk.done_arg = k;
	bufinit(k);
	if (!ffs_mount(k, err)) {
		bufdone_all(k);
		g_strfreev(k->p.passthrough);
		g_free(k);
		return NULL;
	}
	(void)vn_root(k);
	syncer_init(k);
	k->procs = g_hash_table_new(g_int_hash, g_int_equal);
	syncer_start(k);
	buf_daemon_start(k);
	return k;
}

void
kern_shutdown(struct kern *k)
{
	GHashTableIter it;
	gpointer v;

	if (k == NULL)
		return;
	/* Processes a stopped run left behind: free their tables and files
	 * without closing anything (the vnodes go with the file system).
	 * Tables and files may be shared, so each is freed once. */
	GHashTable *fdps = g_hash_table_new(g_direct_hash, g_direct_equal);
	GHashTable *fps = g_hash_table_new(g_direct_hash, g_direct_equal);

	g_hash_table_iter_init(&it, k->procs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct kproc *p = v;

		if (p->p_fd != NULL)
			g_hash_table_add(fdps, p->p_fd);
		g_free(p);
	}
	g_hash_table_iter_init(&it, fdps);
	while (g_hash_table_iter_next(&it, &v, NULL)) {
		struct filedesc *fdp = v;
		int i;

		for (i = 0; i <= fdp->fd_lastfile; i++)
			if (fdp->fd_ofiles[i] != NULL)
				g_hash_table_add(fps, fdp->fd_ofiles[i]);
		g_free(fdp->fd_ofiles);
		g_free(fdp->fd_cloexec);
		g_free(fdp);
	}
	g_hash_table_iter_init(&it, fps);
	while (g_hash_table_iter_next(&it, &v, NULL))
		g_free(v);
	g_hash_table_destroy(fdps);
	g_hash_table_destroy(fps);
	g_hash_table_destroy(k->procs);
	bufdone_all(k);
	ffs_unmount(k);
	g_free(k->syncer_workitem_pending);
	g_strfreev(k->p.passthrough);
	g_free(k);
}

void
kern_cpu(struct kern *k, sim_time_t ns)
{
	if (ns > 0 && curproc(k->sim) != NULL)
		sim_pause(k->sim, ns);
}
