/*
 * syncer.c — the syncer wheel and sched_sync (vfs_subr.c), and the
 * mount's syncer vnode (sync_fsync).
 *
 * When a vnode gets its first dirty buffer (reassignbuf), it is put on the
 * wheel filedelay seconds ahead (dirdelay for directories, metadelay for
 * metadata).  The syncer thread visits one slot a second and, for every vnode
 * in it, starts asynchronous writes of all of that vnode's dirty buffers
 * (VOP_FSYNC with MNT_LAZY); a vnode still first in its slot afterwards —
 * it stayed dirty, or was skipped — is put back syncdelay (30 s) later.
 * A vnode another process has locked is skipped, as is every vnode while
 * the file system is suspended (5.0-CURRENT's vn_start_write(V_NOWAIT) in
 * sched_sync fails): both come round again 30 s later, as the 2001
 * sched_sync had it in both eras (moving them to the next slot instead is
 * a 2003 change, after these eras).
 *
 * The mount's own syncer vnode comes round every syncdelay seconds (16 s
 * after boot the first time: vfs_allocate_syncvnode's offset for the first
 * mount) and sweeps the file system — sync_fsync's VFS_SYNC(MNT_LAZY),
 * ffs_sync: every vnode with pending inode changes or dirty buffers that
 * is not locked is fsynced with MNT_LAZY, which writes all of its dirty
 * buffers, clustered, and then its inode.  So no file data waits for its
 * own filedelay longer than the next sweep: data written at time t is on
 * its way by the first sweep after t (at most syncdelay later, about half
 * of it on average), whatever kern.filedelay says.  (Skipping the vnodes
 * with only dirty buffers, ffs_sync_lazy, is FreeBSD 10's, of 2012.)
 * A sweep that falls while writes are suspended is skipped; the next is
 * syncdelay later (sync_fsync re-queues itself first, then fails
 * vn_start_write(V_NOWAIT)).
 */
#include "kern.h"
#include "kassert.h"

#define SYNCER_MAXDELAY	32

void
syncer_init(struct kern *k)
{
	int i;

	k->syncer_maxdelay = SYNCER_MAXDELAY;
	k->syncer_workitem_pending = g_new(struct vnodelst, SYNCER_MAXDELAY);
	for (i = 0; i < SYNCER_MAXDELAY; i++)
		TAILQ_INIT(&k->syncer_workitem_pending[i]);
	k->syncer_delayno = 0;
}

static int
delay_slots(struct kern *k, sim_time_t delay)
{
	int64_t secs = delay / SIM_SEC;

	/* The wheel cannot look further ahead than its size. */
	if (secs > k->syncer_maxdelay - 2)
		secs = k->syncer_maxdelay - 2;
	if (secs < 0)
		secs = 0;
	return (int)secs;
}

void
vn_syncer_add_to_worklist(struct kern *k, struct vnode *vp, sim_time_t delay)
{
	int slot;

	if (vp->v_flag & VONWORKLST)
		TAILQ_REMOVE(&k->syncer_workitem_pending[vp->v_syncslot], vp,
		    v_synclist);
	slot = (k->syncer_delayno + delay_slots(k, delay)) % k->syncer_maxdelay;
	/* The kernel inserts at the head of the slot. */
	TAILQ_INSERT_HEAD(&k->syncer_workitem_pending[slot], vp, v_synclist);
	vp->v_syncslot = slot;
	vp->v_flag |= VONWORKLST;
}

void
vn_syncer_remove(struct kern *k, struct vnode *vp)
{
	if (vp->v_flag & VONWORKLST) {
		TAILQ_REMOVE(&k->syncer_workitem_pending[vp->v_syncslot], vp,
		    v_synclist);
		vp->v_flag &= ~VONWORKLST;
	}
}

/*
 * sync_fsync: the mount's syncer vnode came round.  It goes back on the
 * wheel syncdelay ahead first; then, unless writes are suspended (its
 * vn_start_write(V_NOWAIT) fails), the file system is swept: vfs_msync
 * puts mapped files' dirty pages back first, then VFS_SYNC(MNT_LAZY).
 */
static void
sync_fsync(struct kern *k, sim_time_t *next_sweep)
{
	*next_sweep += k->p.syncdelay;
	if (vn_write_suspended(k))
		return;
	vfs_msync(k, MNT_NOWAIT);	/* mapped pages first */
	ffs_sync(k, MNT_LAZY);
}

static void
sched_sync(void *arg)
{
	struct kern *k = arg;
	sim_time_t next = sim_now(k->sim);
	sim_time_t fs_sync_at = next + 16 * SIM_SEC;

	for (;;) {
		struct vnodelst *slp;
		struct vnode *vp;

		slp = &k->syncer_workitem_pending[k->syncer_delayno];
		k->syncer_delayno = (k->syncer_delayno + 1) % k->syncer_maxdelay;
		while ((vp = TAILQ_FIRST(slp)) != NULL) {
			/* Not if another process holds it, nor while writes
			 * are suspended (5.0-CURRENT: vn_start_write with
			 * V_NOWAIT fails). */
			if (!vn_write_suspended(k) &&
			    vn_lock(k, vp, LK_EXCLUSIVE | LK_NOWAIT) == 0) {
				(void)VOP_FSYNC(k, vp, MNT_LAZY);
				VOP_UNLOCK(k, vp);
			}
			/* Still first in this slot: it stayed dirty (or got
			 * dirty again while we wrote), or was skipped.  Look
			 * again syncdelay later. */
			if (TAILQ_FIRST(slp) == vp)
				vn_syncer_add_to_worklist(k, vp, k->p.syncdelay);
		}
		/* Soft updates' work (2001's sched_sync: bioops.io_sync,
		 * softdep_process_worklist, every pass). */
		if (k->softdep != NULL)
			(void)softdep_process_worklist(k);
		if (sim_now(k->sim) >= fs_sync_at)
			sync_fsync(k, &fs_sync_at);
		/* rushjob: the next seconds' work at once (speedup_syncer,
		 * asked by soft updates when dependencies pile up) */
		if (k->rushjob > 0) {
			k->rushjob--;
			next = sim_now(k->sim);
			continue;
		}
		/* One slot a second: sleep until the next second (lbolt). */
		next += SIM_SEC;
		if (next > sim_now(k->sim))
			tsleep(k->sim, &k->syncer_chan, "syncer",
			    next - sim_now(k->sim));
		else
			next = sim_now(k->sim);
	}
}

/*
 * speedup_syncer: soft updates have too many dependencies — the syncer
 * runs its next second's work now (rushjob), up to half of syncdelay
 * ahead; 0 when it is that far ahead already.
 */
int
speedup_syncer(struct kern *k)
{
	wakeup(k->sim, &k->syncer_chan);
	if (k->rushjob < (int)(k->p.syncdelay / SIM_SEC) / 2) {
		k->rushjob++;
		return 1;
	}
	return 0;
}

void
syncer_start(struct kern *k)
{
	k->bc.syncer = sim_spawn(k->sim, "syncer", sched_sync, k, SIMP_DAEMON);
}
