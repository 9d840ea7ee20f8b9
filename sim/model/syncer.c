/*
 * syncer.c — the syncer wheel and sched_sync (vfs_subr.c).
 *
 * When a vnode gets its first dirty buffer (reassignbuf), it is put on the
 * wheel filedelay seconds ahead (dirdelay for directories, metadelay for
 * metadata).  The syncer thread visits one slot a second and, for every vnode
 * in it, starts asynchronous writes of all of that vnode's dirty buffers
 * (VOP_FSYNC with MNT_LAZY); a vnode still dirty afterwards is looked at again
 * syncdelay seconds later.  Net effect: dirty data lives about 30 s.  A
 * vnode another process has locked is skipped (and looked at again later),
 * as [4x]'s sched_sync does.  The mount's own syncer vnode comes round
 * every syncdelay seconds (16 s after boot the first time, the first
 * mount's offset) and sweeps the file system: ffs_sync(MNT_LAZY) writes
 * the inodes with pending changes.
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
			/* While writes are suspended: the next slot ([52]). */
			if (vn_write_suspended(k)) {
				vn_syncer_add_to_worklist(k, vp, SIM_SEC);
				continue;
			}
			if (vn_lock(k, vp, LK_EXCLUSIVE | LK_NOWAIT) == 0) {
				(void)VOP_FSYNC(k, vp, MNT_LAZY);
				VOP_UNLOCK(k, vp);
			}
			/* Still first in this slot: it stayed dirty (or got
			 * dirty again while we wrote), or was busy.  Look
			 * again later. */
			if (TAILQ_FIRST(slp) == vp)
				vn_syncer_add_to_worklist(k, vp, k->p.syncdelay);
		}
		if (sim_now(k->sim) >= fs_sync_at && !vn_write_suspended(k)) {
			/* sync_fsync: the mount's syncer vnode (mapped
			 * pages first: vfs_msync). */
			fs_sync_at += k->p.syncdelay;
			vfs_msync(k, MNT_NOWAIT);
			ffs_sync(k, MNT_LAZY);
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

void
syncer_start(struct kern *k)
{
	k->bc.syncer = sim_spawn(k->sim, "syncer", sched_sync, k, SIMP_DAEMON);
}
