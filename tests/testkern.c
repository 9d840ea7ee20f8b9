/* testkern.c — a simulated machine for the kernel's unit tests (see
 * testkern.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <glib/gstdio.h>

#include "testkern.h"

const char *const machine_checked[] = { "replay.check_every_event=true",
    NULL };

static void
set_all(struct profile *prof, const char *const *sets)
{
	GError *err = NULL;

	for (; sets != NULL && *sets != NULL; sets++)
		if (!profile_set(prof, *sets, &err))
			fail_msg("%s", err->message);
}

void
machine_boot(struct machine *m, const char *const *base,
    const char *const *sets)
{
	GError *err = NULL;

	memset(m, 0, sizeof(*m));
	m->s = sim_create();
	m->prof = profile_new();
	set_all(m->prof, base);
	set_all(m->prof, sets);
	m->k = kern_boot(m->s, m->prof, &err);
	if (m->k == NULL)
		fail_msg("boot: %s", err->message);
	m->bsize = m->k->fs.fs_bsize;
}

void
machine_free(struct machine *m)
{
	sim_destroy(m->s);
	kern_shutdown(m->k);
	profile_free(m->prof);
	if (m->reqs != NULL)
		g_array_free(m->reqs, TRUE);
}

void
machine_shutdown(struct machine *m)
{
	bufcache_check(m->k);
	machine_free(m);
}

void
machine_fsck(struct kern *k)
{
	char *why = NULL;
	int n = ffs_fsck(k, &why);

	if (n != 0)
		fail_msg("fsck: %d problems: %s", n, why);
	g_free(why);
}

struct inode *
machine_inode_at(struct machine *m, const char *path)
{
	char **comp = g_strsplit(path, "/", -1), **c;
	struct inode *ip = m->k->fs.fs_root;

	for (c = comp; *c != NULL && ip != NULL; c++) {
		struct direntry *de;

		if ((*c)[0] == '\0')
			continue;
		de = ip->i_dir != NULL ? ufs_dir_lookup(ip, *c) : NULL;
		ip = de != NULL ? de->de_ip : NULL;
	}
	g_strfreev(comp);
	return ip;
}

#define WD_INTERVAL	(60 * SIM_SEC)

static void
count_asleep(struct sim_proc *p, const void *chan, void *arg)
{
	unsigned *n = arg;

	(void)chan;
	n[0]++;
	if (sim_proc_timed(p))
		n[1]++;
}

/*
 * Every simulated minute of a machine_run: if every user process sleeps,
 * the drive has nothing queued and was not busy since the last check, the
 * run is stuck (a daemon's timeouts keep the queue from emptying, so
 * sim_run would never report SIM_DEADLOCK): after three such checks (ten
 * when a sleeper has a timeout of its own and may retry), stop it.
 */
static void
watchdog(struct sim *s, void *arg)
{
	struct machine *m = arg;
	unsigned n[2] = { 0, 0 };
	sim_time_t busy = m->k->disk.st.busy_ns;

	m->wd_queued = false;
	if (!m->wd_active)
		return;
	sim_foreach_sleeper(s, count_asleep, n);
	if (sim_nprocs(s) > 0 && n[0] == sim_nprocs(s) &&
	    disk_qlen(&m->k->disk) == 0 && busy == m->wd_busy) {
		if (++m->wd_ticks >= (n[1] > 0 ? 10 : 3)) {
			print_error("machine_run: stuck at %.3f s: %u processes "
			    "asleep, the drive idle\n", (double)sim_now(s) / 1e9,
			    n[0]);
			sim_stop(s);
			return;
		}
	} else
		m->wd_ticks = 0;
	m->wd_busy = busy;
	m->wd_queued = true;
	sim_at(s, sim_now(s) + WD_INTERVAL, watchdog, m);
}

enum sim_status
machine_run_status(struct machine *m, const char *name, sim_proc_fn *fn,
    void *arg)
{
	enum sim_status st;

	sim_spawn(m->s, name, fn, arg, 0);
	m->wd_active = true;
	m->wd_ticks = 0;
	m->wd_busy = m->k->disk.st.busy_ns;
	if (!m->wd_queued) {
		m->wd_queued = true;
		sim_at(m->s, sim_now(m->s) + WD_INTERVAL, watchdog, m);
	}
	st = sim_run(m->s);
	m->wd_active = false;
	return st;
}

void
machine_run(struct machine *m, const char *name, sim_proc_fn *fn, void *arg)
{
	assert_int_equal(machine_run_status(m, name, fn, arg), SIM_DONE);
}

static void
sync_proc(void *arg)
{
	struct kern *k = arg;

	kern_sync(k);
	vn_unpin_all(k);
}

void
machine_sync(struct machine *m)
{
	machine_run(m, "sync", sync_proc, m->k);
	assert_int_equal(m->k->bc.numdirtybuffers, 0);
}

struct vnode *
machine_mkfile(struct machine *m, const char *name, int64_t prealloc)
{
	struct vnode *vp;

	assert_int_equal(vn_create(m->k, vn_root(m->k), name, VREG, &vp), 0);
	if (prealloc > 0)
		assert_true(ffs_prealloc(m->k, vp->v_data, prealloc));
	vref(vp);
	return vp;
}

static void
record(void *arg, const struct diskreq *r)
{
	struct machine *m = arg;

	g_array_append_val(m->reqs, *r);
}

void
machine_record_disk(struct machine *m)
{
	if (m->reqs == NULL)
		m->reqs = g_array_new(FALSE, TRUE, sizeof(struct diskreq));
	m->k->hooks.arg = m;
	m->k->hooks.disk_done = record;
}

char *
test_tmp_write(const char *name, const char *text)
{
	char *dir = g_dir_make_tmp("vfssim-test-XXXXXX", NULL), *path;

	assert_non_null(dir);
	path = g_build_filename(dir, name, NULL);
	g_free(dir);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

void
test_tmp_remove(char *path)
{
	char *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
	g_free(dir);
	g_free(path);
}
