/*
 * kern.c — one simulated machine: reads its parameters from a profile once,
 * then boots the pieces in the kernel's order: the disk and its queue, the
 * buffer cache (bufinit), the file system (mount), the syncer and buf_daemon.
 */
#include "kern.h"
#include "file.h"
#include "diskspecs.h"
#include "kassert.h"
#include "profile.h"

#include <string.h>

/*
 * A relative path in a profile is found from the current directory, or
 * else from the directory of a profile file that was loaded.
 */
static char *
find_file(const struct profile *pr, const char *path)
{
	const char *src = profile_sources(pr);
	char **files, **f, *found = NULL;

	if (g_path_is_absolute(path) || g_file_test(path, G_FILE_TEST_EXISTS) ||
	    strcmp(src, "defaults") == 0)
		return g_strdup(path);
	files = g_strsplit(src, ", ", -1);
	for (f = files; *f != NULL && found == NULL; f++) {
		char *dir = g_path_get_dirname(*f);
		char *cand = g_build_filename(dir, path, NULL);

		if (g_file_test(cand, G_FILE_TEST_EXISTS))
			found = cand;
		else
			g_free(cand);
		g_free(dir);
	}
	g_strfreev(files);
	return found != NULL ? found : g_strdup(path);
}

/*
 * The drive: from a DiskSim parameter file, or from the disk.* keys.  A
 * drive described by a file takes nothing from the keys, so a key changed
 * beside disk.diskspecs is an error rather than silently ignored.
 */
bool
disk_from_profile(struct disk_params *dp, const struct profile *pr,
    GPtrArray *notes, GError **err)
{
	const char *specs = profile_str(pr, "disk", "diskspecs");
	const char *s;
	const struct pkey *k;
	char *why = NULL, *path;
	int64_t v;
	bool ok;

	memset(dp, 0, sizeof(*dp));
	if (*specs != '\0') {
		for (k = profile_keys; k->group != NULL; k++)
			if (strcmp(k->group, "disk") == 0 &&
			    strcmp(k->key, "diskspecs") != 0 &&
			    strcmp(k->key, "errors") != 0 &&	/* faults, not */
			    strcmp(k->key, "error_rate") != 0 &&	/* the drive */
			    strcmp(profile_str(pr, "disk", k->key), k->dflt) != 0) {
				g_set_error(err, PROFILE_ERROR, 0,
				    "disk.%s is set, but disk.diskspecs describes "
				    "the drive: change it in %s instead", k->key, specs);
				return false;
			}
		path = find_file(pr, specs);
		ok = diskspecs_load_notes(path, dp, notes, err);
		g_free(path);
		return ok;
	}
	dp->rpm = (int)profile_int(pr, "disk", "rpm");
	dp->heads = (int)profile_int(pr, "disk", "heads");
	if (!disk_zones_parse(profile_str(pr, "disk", "zones"), &dp->zones,
	    &dp->nzones, &why))
		goto bad;
	s = profile_str(pr, "disk", "seek");
	dp->seek = strcmp(s, "hplplus10") == 0 ? DSEEK_HPLPLUS10 :
	    strcmp(s, "extracted") == 0 ? DSEEK_EXTRACTED :
	    strcmp(s, "curve") == 0 ? DSEEK_CURVE :
	    strcmp(s, "linear") == 0 ? DSEEK_LINEAR : DSEEK_HPL;
	dp->seek_boundary = (double)profile_int(pr, "disk", "seek_boundary");
	dp->seek_a = profile_double(pr, "disk", "seek_a");
	dp->seek_b = profile_double(pr, "disk", "seek_b");
	dp->seek_c = profile_double(pr, "disk", "seek_c");
	dp->seek_e = profile_double(pr, "disk", "seek_e");
	v = profile_int(pr, "disk", "seek_single");
	dp->seek_single = v > 0 ? (double)v / 1e6 : -1;
	if (dp->seek == DSEEK_HPLPLUS10) {
		char **t = g_strsplit(profile_str(pr, "disk", "seek_first10"), ",", -1);
		int i;

		for (i = 0; i < 10 && t[i] != NULL; i++) {
			char *end, *f = g_strstrip(t[i]);

			dp->seek_first10[i] = g_ascii_strtod(f, &end);
			if (end == f || *end != '\0')
				break;
		}
		ok = i == 10 && t[i] == NULL;
		g_strfreev(t);
		if (!ok) {
			why = g_strdup("disk.seek_first10 must be ten times in ms, "
			    "comma-separated");
			goto bad;
		}
	}
	if (dp->seek == DSEEK_EXTRACTED) {
		path = find_file(pr, profile_str(pr, "disk", "seek_file"));
		ok = diskspecs_read_seek(path, &dp->seek_npoints, &dp->seek_dist,
		    &dp->seek_ms, err);
		g_free(path);
		if (!ok) {
			disk_params_free(dp);
			return false;
		}
	}
	dp->seek_min = (double)profile_int(pr, "disk", "seek_min") / 1e6;
	dp->seek_avg = (double)profile_int(pr, "disk", "seek_avg") / 1e6;
	dp->seek_max = (double)profile_int(pr, "disk", "seek_max") / 1e6;
	dp->head_switch = profile_int(pr, "disk", "head_switch");
	dp->write_settle = profile_int(pr, "disk", "write_settle");
	dp->ovh_read_hit[0] = dp->ovh_read_hit[1] =
	    profile_int(pr, "disk", "overhead_read_hit");
	dp->ovh_read_miss[0] = dp->ovh_read_miss[1] =
	    profile_int(pr, "disk", "overhead_read_miss");
	dp->ovh_write_hit[0] = dp->ovh_write_hit[1] = dp->ovh_write_miss[0] =
	    dp->ovh_write_miss[1] = profile_int(pr, "disk", "overhead_write");
	dp->ovh_complete_read = dp->ovh_complete_write =
	    profile_int(pr, "disk", "overhead_complete");
	v = profile_int(pr, "disk", "bus_rate");
	if (v <= 0) {
		why = g_strdup("disk.bus_rate must be positive");
		goto bad;
	}
	dp->bus_read_ns = dp->bus_write_ns = 512e9 / (double)v;
	/* A simple drive keeps the bus while it waits for the media. */
	dp->hold_bus_read = dp->hold_bus_write = true;
	dp->cache = true;
	dp->nsegs = dp->nwritesegs = (int)profile_int(pr, "disk", "cache_segments");
	dp->segsize = (int)(profile_int(pr, "disk", "cache_segment_size") / 512);
	dp->water_by_reqsize = true;
	s = profile_str(pr, "disk", "readahead");
	dp->readahead = strcmp(s, "none") == 0 ? DRA_NONE :
	    strcmp(s, "track") == 0 ? DRA_TRACK :
	    strcmp(s, "cylinder") == 0 ? DRA_CYLINDER :
	    strcmp(s, "next-track") == 0 ? DRA_DEC : DRA_SEGMENT;
	dp->max_readahead = (int)(profile_int(pr, "disk", "readahead_max") / 512);
	dp->keep_request_data = 1;
	dp->read_hits_on_writes = true;
	s = profile_str(pr, "disk", "write_cache");
	dp->fast_write = strcmp(s, "on") == 0 ? 2 : strcmp(s, "sequential") == 0;
	dp->combine_writes = true;
	dp->stop_in_sector = true;
	dp->write_hit_stop_prefetch = true;
	dp->immed_partial_hit = true;
	dp->queue_depth = (int)profile_int(pr, "disk", "queue_depth");
	dp->scheduler = profile_str(pr, "disk", "scheduler");
	if (!disk_params_finish(dp, &why))
		goto bad;
	return true;
bad:
	g_set_error(err, PROFILE_ERROR, 0, "%s", why);
	g_free(why);
	disk_params_free(dp);
	return false;
}

static bool
read_params(struct kern_params *kp, const struct profile *pr, GError **err)
{
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
	kp->cpu_fault = profile_int(pr, "cpu", "fault");
	kp->mmap_touch = strcmp(profile_str(pr, "replay", "mmap"), "none") == 0 ?
	    MMAP_NONE : strcmp(profile_str(pr, "replay", "mmap"), "first-page")
	    == 0 ? MMAP_FIRST_PAGE : MMAP_TOUCH_ALL;
	kp->nbuf = (int)profile_int(pr, "bio", "nbuf");
	kp->nswbuf = (int)profile_int(pr, "bio", "nswbuf");
	kp->maxbufspace = profile_int(pr, "bio", "maxbufspace");
	kp->hibufspace = profile_int(pr, "bio", "hibufspace");
	kp->lobufspace = profile_int(pr, "bio", "lobufspace");
	kp->hidirtybuffers = (int)profile_int(pr, "bio", "hidirtybuffers");
	kp->lodirtybuffers = (int)profile_int(pr, "bio", "lodirtybuffers");
	kp->lofreebuffers = (int)profile_int(pr, "bio", "lofreebuffers");
	kp->hifreebuffers = (int)profile_int(pr, "bio", "hifreebuffers");
	kp->lorunningspace = profile_int(pr, "bio", "lorunningspace");
	kp->hirunningspace = profile_int(pr, "bio", "hirunningspace");
	kp->bwillwrite = profile_bool(pr, "bio", "bwillwrite");
	kp->dobkgrdwrite = profile_bool(pr, "bio", "dobkgrdwrite");
	kp->bufpolicy = strcmp(profile_str(pr, "bio", "policy"), "freebsd") == 0 ?
	    NULL : bufpolicy_lookup(profile_str(pr, "bio", "policy"));
	kp->opt_bound = profile_bool(pr, "bio", "opt_bound");
	kp->kernel_wired = profile_int(pr, "vm", "kernel_wired");
	kp->vmiodirenable = profile_bool(pr, "vm", "vmiodirenable");
	kp->io_reserve = profile_bool(pr, "vm", "io_reserve");
	kp->iosize_max = (int)profile_int(pr, "vfs", "iosize_max");
	kp->cluster_read = profile_bool(pr, "cluster", "read");
	kp->cluster_write = profile_bool(pr, "cluster", "write");
	kp->read_max = (int)profile_int(pr, "cluster", "read_max");
	kp->write_behind = (int)profile_int(pr, "cluster", "write_behind");
	kp->doreallocblks = profile_bool(pr, "ffs", "doreallocblks");
	kp->verify = profile_bool(pr, "replay", "verify");
	kp->check_every_event = profile_bool(pr, "replay", "check_every_event");
	kp->syncdelay = profile_int(pr, "syncer", "syncdelay");
	kp->filedelay = profile_int(pr, "syncer", "filedelay");
	kp->dirdelay = profile_int(pr, "syncer", "dirdelay");
	kp->metadelay = profile_int(pr, "syncer", "metadelay");
	kp->bsize = (int)profile_int(pr, "ffs", "bsize");
	kp->fsize = (int)profile_int(pr, "ffs", "fsize");
	kp->fs_size = profile_int(pr, "ffs", "size");
	kp->minfree = (int)profile_int(pr, "ffs", "minfree");
	kp->maxbpg = (int)profile_int(pr, "ffs", "maxbpg");
	kp->density = profile_int(pr, "ffs", "density");
	kp->cgsize = profile_int(pr, "ffs", "cgsize");
	kp->age = profile_double(pr, "ffs", "age");
	kp->meta = strcmp(profile_str(pr, "ffs", "metadata"), "async") == 0 ?
	    META_ASYNC : strcmp(profile_str(pr, "ffs", "metadata"), "delayed") == 0 ?
	    META_DELAYED : META_SYNC;
	kp->max_softdeps = (int)profile_int(pr, "ffs", "max_softdeps");
	kp->noatime = profile_bool(pr, "ffs", "noatime");
	kp->namecache = profile_bool(pr, "vfs", "namecache");
	kp->ncnegfactor = (int)profile_int(pr, "vfs", "ncnegfactor");
	kp->maxvnodes = (int)profile_int(pr, "vfs", "maxvnodes");
	if (!disk_from_profile(&kp->disk, pr, NULL, err))
		return false;
	/* A replay's host queue is the kernel's: auto is bufqdisksort's
	 * elevator, whatever a DiskSim .parv's driver would do. */
	kp->diskq = profile_str(pr, "diskq", "scheduler");
	if (strcmp(kp->diskq, "auto") == 0)
		kp->diskq = "clook";
	kp->passthrough = g_strsplit(profile_str(pr, "replay", "passthrough"),
	    ":", -1);
	/* Faults to inject (diskerr.c), checked against the drive at boot. */
	{
		char *why = NULL;

		if (!disk_errors_parse(profile_str(pr, "disk", "errors"),
		    &kp->disk_faults, &kp->disk_nfaults, &why)) {
			g_set_error(err, PROFILE_ERROR, 0, "disk.errors: %s", why);
			g_free(why);
			return false;
		}
	}
	kp->disk_error_rate = profile_double(pr, "disk", "error_rate");
	kp->seed = profile_int(pr, "replay", "seed");

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, __VA_ARGS__); \
		return false;						\
	}								\
} while (0)
	/*
	 * ffs.softdep (tunefs -n: FS_DOSOFTDEP in the superblock): the
	 * mount does soft updates, and softdep_mount clears MNT_ASYNC — an
	 * async mount of such a file system is a soft-updates mount, as the
	 * 2001 kernel made it.  "delayed" is no mount option of the kernel:
	 * it is soft updates without their order, so the two exclude each
	 * other.
	 */
	if (strcmp(profile_str(pr, "ffs", "softdep"), "on") == 0) {
		CHECK(kp->meta != META_DELAYED, "ffs.softdep=on and "
		    "ffs.metadata=delayed exclude each other (delayed is soft "
		    "updates without their ordering)");
		kp->meta = META_SOFTDEP;
	}
	CHECK(kp->memory >= 4 << 20 && kp->memory <= (1LL << 40),
	    "machine.memory must be between 4M and 1T");
	CHECK(kp->hz >= 10 && kp->hz <= 10000, "machine.hz must be 10..10000");
	CHECK(rate > 0, "cpu.copy_rate must be positive");
	CHECK(kp->nbuf >= 0 && kp->nbuf <= 10000000, "bio.nbuf out of range");
	CHECK(kp->nbuf == 0 || kp->nbuf >= 16, "bio.nbuf must be at least 16");
	CHECK(kp->nswbuf >= 0 && kp->nswbuf <= 100000 &&
	    (kp->nswbuf == 0 || kp->nswbuf >= 2), "bio.nswbuf out of range");
	CHECK(kp->maxbufspace >= 0 && kp->hibufspace >= 0 && kp->lobufspace >= 0 &&
	    kp->maxbufspace <= (1LL << 40), "buffer space out of range");
	CHECK(kp->lorunningspace > 0 && kp->hirunningspace >= kp->lorunningspace,
	    "bio.lorunningspace must be positive and at most bio.hirunningspace");
	CHECK(kp->lofreebuffers >= 0 && kp->hifreebuffers >= 0,
	    "free-buffer marks must not be negative");
	CHECK(kp->iosize_max >= 4096 && kp->iosize_max <= MAXPHYS &&
	    kp->iosize_max % 4096 == 0,
	    "vfs.iosize_max must be a multiple of 4K from 4K to 128K");
	CHECK(kp->minfree >= 0 && kp->minfree <= 99, "ffs.minfree must be 0..99");
	CHECK(kp->maxbpg >= 0, "ffs.maxbpg must be >= 0");
	CHECK(kp->age >= 0 && kp->age <= 1, "ffs.age must be from 0 to 1");
	CHECK(kp->density >= 0 && kp->cgsize >= 0,
	    "ffs.density and ffs.cgsize must be >= 0");
	CHECK(kp->ncnegfactor >= 1, "vfs.ncnegfactor must be at least 1");
	CHECK(kp->maxvnodes >= 0, "kern.maxvnodes must be >= 0");
	CHECK(kp->read_max >= 1 && kp->read_max <= 1024,
	    "cluster.read_max must be 1..1024 blocks");
	CHECK(kp->write_behind >= 0 && kp->write_behind <= 2,
	    "cluster.write_behind must be 0, 1 or 2");
	CHECK(kp->kernel_wired >= 0 && kp->kernel_wired < kp->memory,
	    "vm.kernel_wired must be less than machine.memory");
	CHECK(kp->hidirtybuffers >= 0 && kp->lodirtybuffers >= 0,
	    "dirty-buffer limits must not be negative");
	CHECK(kp->filedelay >= 0 && kp->dirdelay >= 0 && kp->metadelay >= 0 &&
	    kp->syncdelay >= SIM_SEC, "syncer delays: syncdelay >= 1s");
	CHECK(diskq_lookup(kp->diskq) != NULL, "diskq.scheduler %s: unknown",
	    kp->diskq);
#undef CHECK
	kp->cpu_copy_ns_per_byte = 1e9 / (double)rate;
	return true;
}

/* The process-table sizing the vnode layer derives from (RELENG_4's
 * machdep/subr_param autosizing): maxusers from memory, maxproc from
 * maxusers, desiredvnodes = maxproc + a quarter of the pages. */
static void
sizing(struct kern *k)
{
	int pages = k->vm.cnt.v_page_count;

	k->maxusers = CLAMP(pages / 512, 32, 384);
	k->maxproc = MIN(20 + 16 * k->maxusers, MAX(pages / 12, 20));
	k->desiredvnodes = k->p.maxvnodes > 0 ? k->p.maxvnodes :
	    k->maxproc + pages / 4;
	k->minvnodes = k->desiredvnodes / 4;
	k->wantfreevnodes = 25;
}

static void
check_invariants(struct sim *s, void *arg)
{
	(void)s;
	bufcache_check(arg);
}

/* The disk interrupt: finish the buffer's I/O, then tell the recorder.
 * A command the drive failed comes back as the drivers returned one:
 * B_ERROR, b_error = EIO, then biodone. */
static void
kern_disk_done(void *arg, struct diskreq *r)
{
	struct kern *k = arg;
	struct buf *bp = r->arg;

	if (k->hooks.disk_done != NULL)
		k->hooks.disk_done(k->hooks.arg, r);
	if (r->error != 0) {
		bp->b_flags |= B_ERROR;
		bp->b_error = r->error;
	}
	biodone(k, bp);
}

struct kern *
kern_boot(struct sim *s, const struct profile *prof, GError **err)
{
	struct kern *k = g_new0(struct kern, 1);

	k->sim = s;
	if (!read_params(&k->p, prof, err)) {
		disk_params_free(&k->p.disk);
		g_free(k->p.disk_faults);
		g_strfreev(k->p.passthrough);
		g_free(k);
		return NULL;
	}
	disk_init(&k->disk, s, &k->p.disk, diskq_lookup(k->p.diskq));
	k->disk.done = kern_disk_done;
	k->disk.done_arg = k;
	vm_init(k);
	bufinit(k);
	vm_pager_bufferinit(k);
	if (k->p.bsize > PAGE_SIZE * BUF_MAXPAGES) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "ffs.bsize larger than a buffer can hold");
		goto fail;
	}
	/* The faults the drive is to have (diskerr.c). */
	{
		char *why = NULL;

		if (!disk_set_faults(&k->disk, k->p.disk_faults,
		    k->p.disk_nfaults, k->p.disk_error_rate, (uint64_t)k->p.seed,
		    &why)) {
			g_set_error(err, PROFILE_ERROR, 0, "disk.errors: %s", why);
			g_free(why);
			goto fail;
		}
	}
	TAILQ_INIT(&k->vnode_free_list);
	TAILQ_INIT(&k->mntvnodes);
	k->pins = g_hash_table_new(g_direct_hash, g_direct_equal);
	k->pins_spare = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)g_ptr_array_unref);
	k->lf_waiters = g_hash_table_new(g_direct_hash, g_direct_equal);
	nchinit(k);
	if (!ffs_mount(k, err))
		goto fail;
	(void)vn_root(k);
	syncer_init(k);
	k->procs = g_hash_table_new(g_int_hash, g_int_equal);
	sizing(k);
	syncer_start(k);
	buf_daemon_start(k);
	vm_pagedaemon_start(k);
	vnlru_start(k);
	if (k->p.check_every_event)
		sim_set_event_hook(s, check_invariants, k);
	return k;
fail:
	vn_destroy_all(k);
	nchfini(k);
	ffs_unmount(k);
	if (k->pins != NULL)
		g_hash_table_destroy(k->pins);
	if (k->pins_spare != NULL)
		g_ptr_array_free(k->pins_spare, TRUE);
	if (k->lf_waiters != NULL)
		g_hash_table_destroy(k->lf_waiters);
	bufdone_all(k);
	vm_fini(k);
	disk_destroy(&k->disk);
	disk_params_free(&k->p.disk);
	g_free(k->p.disk_faults);
	g_strfreev(k->p.passthrough);
	g_free(k);
	return NULL;
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
	GHashTable *vms = g_hash_table_new(g_direct_hash, g_direct_equal);

	g_hash_table_iter_init(&it, k->procs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct kproc *p = v;

		if (p->p_fd != NULL)
			g_hash_table_add(fdps, p->p_fd);
		if (p->p_vmspace != NULL)
			g_hash_table_add(vms, p->p_vmspace);
		while (p->p_nheld > 0)
			g_hash_table_add(fps, p->p_held[--p->p_nheld]);
		g_free(p);
	}
	aio_shutdown(k, fps);
	g_hash_table_iter_init(&it, fdps);
	while (g_hash_table_iter_next(&it, &v, NULL)) {
		struct filedesc *fdp = v;
		int i;

		for (i = 0; i <= fdp->fd_lastfile; i++)
			if (fdp->fd_ofiles[i] != NULL)
				g_hash_table_add(fps, fdp->fd_ofiles[i]);
		/* and those a close was closing when the run stopped */
		for (i = 0; fdp->fd_closing != NULL &&
		    i < (int)fdp->fd_closing->len; i++)
			g_hash_table_add(fps,
			    g_ptr_array_index(fdp->fd_closing, i));
		g_clear_pointer(&fdp->fd_closing, g_ptr_array_unref);
		g_free(fdp->fd_ofiles);
		g_free(fdp->fd_cloexec);
		g_free(fdp);
	}
	g_hash_table_iter_init(&it, fps);
	while (g_hash_table_iter_next(&it, &v, NULL))
		g_free(v);
	/* their mappings: the vnodes go with the file system */
	g_hash_table_iter_init(&it, vms);
	while (g_hash_table_iter_next(&it, &v, NULL)) {
		struct vmspace *vm = v;
		struct vm_map_entry *e;

		while ((e = TAILQ_FIRST(&vm->vm_entries)) != NULL) {
			TAILQ_REMOVE(&vm->vm_entries, e, link);
			g_free(e);
		}
		while ((e = TAILQ_FIRST(&vm->vm_gone)) != NULL) {
			TAILQ_REMOVE(&vm->vm_gone, e, link);
			g_free(e);
		}
		g_slist_free_full(vm->vm_cleaning,
		    (GDestroyNotify)g_array_unref);
		g_free(vm);
	}
	g_hash_table_destroy(vms);
	g_hash_table_destroy(fdps);
	g_hash_table_destroy(fps);
	g_hash_table_destroy(k->procs);
	nchfini(k);
	ffs_snapshot_unmount(k);
	vn_destroy_all(k);
	ffs_unmount(k);
	{
		GHashTableIter pit;
		gpointer pv;

		g_hash_table_iter_init(&pit, k->pins);
		while (g_hash_table_iter_next(&pit, NULL, &pv))
			g_ptr_array_free(pv, TRUE);
		g_hash_table_destroy(k->pins);
		g_ptr_array_free(k->pins_spare, TRUE);
	}
	g_hash_table_destroy(k->lf_waiters);
	ffs_crash_fini(k);
	bufdone_all(k);
	vm_fini(k);
	disk_destroy(&k->disk);
	disk_params_free(&k->p.disk);
	g_free(k->p.disk_faults);
	g_free(k->syncer_workitem_pending);
	g_strfreev(k->p.passthrough);
	g_free(k);
}

void
kern_setup_done(struct kern *k, const struct kern_counters *before)
{
	vn_reclaim_idle(k);
	ffs_risk_settle_all(k);
	k->cnt = *before;
}

/* Write everything dirty and wait for every write (sync, then the
 * wait a clean shutdown does). */
void
kern_sync(struct kern *k)
{
	int passes;

	/* (soft updates: a write lets the next be done — a removal, then
	 * the file's blocks and inode freed — so more passes, until no
	 * dependency is left) */
	for (passes = 0; passes < (DOINGSOFTDEP(k) ? 64 : 8) && (passes == 0 ||
	    k->bc.numdirtybuffers > 0 || k->bc.runningbufspace > 0 ||
	    softdep_count(k) > 0); passes++) {
		/* dounmount's VFS_SYNC(MNT_WAIT), after vfs_msync: what is
		 * dirty in mapped pages first */
		vfs_msync(k, MNT_WAIT);
		vn_sync_all(k, MNT_WAIT);
		while (k->bc.runningbufspace > 0)
			sim_pause(k->sim, SIM_MS);
	}
}

void
kern_sysctl_foreach(struct kern *k,
    void (*fn)(const char *name, const char *value, void *arg), void *arg)
{
	struct bufcache *bc = &k->bc;
	struct vmmeter *c = &k->vm.cnt;
	char v[64];

#define OUT(name, fmt, val) do {					\
	g_snprintf(v, sizeof(v), fmt, val);				\
	fn(name, v, arg);						\
} while (0)
	OUT("kernel.era", "%s", k->p.era == ERA_FREEBSD4 ? "freebsd4" :
	    "freebsd5-current");
	OUT("machine.memory_mb", "%lld", (long long)(k->p.memory >> 20));
	OUT("hw.physmem", "%lld", (long long)k->p.memory);
	OUT("hw.pagesize", "%d", PAGE_SIZE);
	OUT("kern.hz", "%d", k->p.hz);
	OUT("kern.maxusers", "%d", k->maxusers);
	OUT("kern.maxproc", "%d", k->maxproc);
	OUT("kern.maxvnodes", "%d", k->desiredvnodes);
	OUT("kern.nbuf", "%d", bc->nbuf);
	OUT("kern.nswbuf", "%d", bc->nswbuf);
	OUT("vfs.maxbufspace", "%lld", (long long)bc->maxbufspace);
	OUT("vfs.hibufspace", "%lld", (long long)bc->hibufspace);
	OUT("vfs.lobufspace", "%lld", (long long)bc->lobufspace);
	OUT("vfs.maxmallocbufspace", "%lld", (long long)bc->maxbufmallocspace);
	OUT("vfs.hidirtybuffers", "%d", bc->hidirtybuffers);
	OUT("vfs.lodirtybuffers", "%d", bc->lodirtybuffers);
	OUT("vfs.lofreebuffers", "%d", bc->lofreebuffers);
	OUT("vfs.hifreebuffers", "%d", bc->hifreebuffers);
	OUT("vfs.lorunningspace", "%lld", (long long)bc->lorunningspace);
	OUT("vfs.hirunningspace", "%lld", (long long)bc->hirunningspace);
	OUT("vfs.bwillwrite", "%d", bc->bwillwrite_on);
	OUT("debug.dobkgrdwrite", "%d", k->p.dobkgrdwrite);
	OUT("vfs.vmiodirenable", "%d", k->p.vmiodirenable);
	OUT("vfs.iosize_max", "%d", bc->iosize_max);
	OUT("vfs.read_max", "%d", k->p.read_max);
	OUT("vfs.write_behind", "%d", k->p.write_behind);
	OUT("vfs.ffs.doreallocblks", "%d", k->p.doreallocblks);
	OUT("vfs.bufpolicy", "%s", bc->policy != NULL ? bc->policy->name :
	    "freebsd");
	OUT("vm.io_reserve", "%d", k->p.io_reserve);
	OUT("vm.stats.vm.v_page_count", "%d", c->v_page_count);
	OUT("vm.stats.vm.v_wire_count", "%d", c->v_wire_count);
	OUT("vm.stats.vm.v_free_count", "%d", c->v_free_count);
	OUT("vm.stats.vm.v_free_min", "%d", c->v_free_min);
	OUT("vm.stats.vm.v_free_reserved", "%d", c->v_free_reserved);
	OUT("vm.stats.vm.v_free_severe", "%d", c->v_free_severe);
	OUT("vm.stats.vm.v_free_target", "%d", c->v_free_target);
	OUT("vm.stats.vm.v_cache_min", "%d", c->v_cache_min);
	OUT("vm.stats.vm.v_cache_max", "%d", c->v_cache_max);
	OUT("vm.stats.vm.v_inactive_target", "%d", c->v_inactive_target);
	OUT("kern.filedelay", "%lld", (long long)(k->p.filedelay / SIM_SEC));
	OUT("kern.dirdelay", "%lld", (long long)(k->p.dirdelay / SIM_SEC));
	OUT("kern.metadelay", "%lld", (long long)(k->p.metadelay / SIM_SEC));
	OUT("kern.syncdelay", "%lld", (long long)(k->p.syncdelay / SIM_SEC));
	OUT("vfs.ffs.bsize", "%d", k->fs.fs_bsize);
	OUT("vfs.ffs.fsize", "%d", k->fs.fs_fsize);
	OUT("vfs.ffs.ncg", "%d", k->fs.fs_ncg);
	OUT("vfs.ffs.fpg", "%lld", (long long)k->fs.fs_fpg);
	OUT("vfs.ffs.ipg", "%d", k->fs.fs_ipg);
	OUT("vfs.ffs.minfree", "%d", k->fs.fs_minfree);
	OUT("vfs.ffs.maxbpg", "%d", k->fs.fs_maxbpg);
	OUT("vfs.ffs.maxcontig", "%d", k->fs.fs_maxcontig);
	OUT("vfs.ffs.metadata", "%s", k->fs.fs_meta == META_ASYNC ? "async" :
	    k->fs.fs_meta == META_DELAYED ? "delayed" : "sync");
	OUT("vfs.ffs.softdep", "%s", k->fs.fs_meta == META_SOFTDEP ? "on" :
	    "off");
	OUT("debug.max_softdeps", "%d", k->p.max_softdeps > 0 ?
	    k->p.max_softdeps : k->desiredvnodes * 8);
	OUT("vfs.ffs.noatime", "%d", k->fs.fs_noatime);
	OUT("debug.vfscache", "%d", k->p.namecache);
	OUT("debug.ncnegfactor", "%d", k->p.ncnegfactor);
	OUT("kern.minvnodes", "%d", k->minvnodes);
#undef OUT
}

void
kern_cpu(struct kern *k, sim_time_t ns)
{
	if (ns > 0 && curproc(k->sim) != NULL)
		sim_pause(k->sim, ns);
}
