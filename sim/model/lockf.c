/*
 * lockf.c — advisory record locks (kern_lockf.c): flock(2) and open's
 * O_EXLOCK/O_SHLOCK (whole-file locks owned by the open file, F_FLOCK) and
 * fcntl's byte-range locks (owned by the process, F_POSIX).
 *
 * A request conflicts with a lock of another owner that overlaps it when
 * either is exclusive.  A request that may wait (F_WAIT) sleeps "lockf"
 * until the conflict is gone — every release wakes the inode's waiters,
 * which look again (lf_setlock's loop); one that may not fails EAGAIN.
 * An owner's new range replaces the parts of its own locks it overlaps
 * (lf_setlock's splitting and merging), and unlocking a range takes those
 * parts away.  flock and fcntl locks are kept apart: they do not block
 * each other, as on Linux, where the traces come from (FreeBSD kept both
 * on one list, and a Linux program that relies on the difference could
 * not be replayed).  A POSIX owner that would wait for a process that waits for
 * it gets EDEADLK.  The locks are kept on the inode, so they outlive the
 * vnode.
 */
#include "kern.h"
#include "kassert.h"

#include <errno.h>

struct lockf {
	int		 lf_flags;	/* F_POSIX or F_FLOCK */
	int		 lf_type;	/* F_RDLCK, F_WRLCK */
	int64_t		 lf_start, lf_end;	/* end -1: to EOF and beyond */
	const void	*lf_id;		/* the owner: process or file */
	struct lockf	*lf_next;	/* the inode's list, by start */
};

/* Which owner each sleeping POSIX owner waits for (deadlock check). */
struct lf_waiter {
	const void	*id;
	const void	*waits_for;
};

static bool
overlap(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
	return (e1 < 0 || s2 <= e1) && (e2 < 0 || s1 <= e2);
}

/* The first lock of another owner, of the same kind, that blocks the
 * request. */
static struct lockf *
lf_getblock(struct inode *ip, const void *id, int kind, int type,
    int64_t start, int64_t end)
{
	struct lockf *lf;

	for (lf = ip->i_lockf; lf != NULL; lf = lf->lf_next)
		if (lf->lf_id != id && lf->lf_flags == kind &&
		    overlap(lf->lf_start, lf->lf_end, start, end) &&
		    (type == F_WRLCK || lf->lf_type == F_WRLCK))
			return lf;
	return NULL;
}

static void
lf_insert(struct inode *ip, struct lockf *n)
{
	struct lockf **pp = &ip->i_lockf;

	while (*pp != NULL && (*pp)->lf_start <= n->lf_start)
		pp = &(*pp)->lf_next;
	n->lf_next = *pp;
	*pp = n;
}

/* Take [start, end] out of owner id's locks (splitting where needed). */
static void
lf_clear(struct inode *ip, const void *id, int flags, int64_t start,
    int64_t end)
{
	struct lockf **pp = &ip->i_lockf, *lf;
	GPtrArray *tail = g_ptr_array_new();
	guint i;

	while ((lf = *pp) != NULL) {
		if (lf->lf_id != id || lf->lf_flags != flags ||
		    !overlap(lf->lf_start, lf->lf_end, start, end)) {
			pp = &lf->lf_next;
			continue;
		}
		*pp = lf->lf_next;
		/* What is left of it before and after the cleared range. */
		if (lf->lf_start < start) {
			struct lockf *b = g_new(struct lockf, 1);

			*b = *lf;
			b->lf_end = start - 1;
			g_ptr_array_add(tail, b);
		}
		if (end >= 0 && (lf->lf_end < 0 || lf->lf_end > end)) {
			struct lockf *a = g_new(struct lockf, 1);

			*a = *lf;
			a->lf_start = end + 1;
			g_ptr_array_add(tail, a);
		}
		g_free(lf);
	}
	for (i = 0; i < tail->len; i++)
		lf_insert(ip, g_ptr_array_index(tail, i));
	g_ptr_array_free(tail, TRUE);
}

/* Would owner id waiting for blocker close a cycle of waiting owners? */
static bool
lf_deadlock(struct kern *k, const void *id, const void *blocker)
{
	int depth;

	for (depth = 0; depth < 50 && blocker != NULL; depth++) {
		struct lf_waiter *w;

		if (blocker == id)
			return true;
		w = g_hash_table_lookup(k->lf_waiters, blocker);
		blocker = w != NULL ? w->waits_for : NULL;
	}
	return false;
}

/*
 * lf_advlock: op F_SETLK (type F_RDLCK/F_WRLCK/F_UNLCK) or F_GETLK for
 * owner id over [start, end] (end -1: to infinity).  flags: F_POSIX or
 * F_FLOCK, with F_WAIT to sleep for a conflicting lock.  F_GETLK returns
 * EAGAIN when something would block the request.
 */
int
lf_advlock(struct kern *k, struct inode *ip, const void *id, int op, int type,
    int64_t start, int64_t end, int flags)
{
	int kind = flags & (F_POSIX | F_FLOCK);
	struct lockf *blk, *n;

	if (start < 0 || (end >= 0 && end < start))
		return EINVAL;
	if (op == F_GETLK)
		return lf_getblock(ip, id, kind, type, start, end) != NULL ?
		    EAGAIN : 0;
	if (type == F_UNLCK) {
		lf_clear(ip, id, kind, start, end);
		wakeup(k->sim, &ip->i_lockf);
		return 0;
	}
	/* flock(2) converting a lock lets go of the old one first. */
	if (kind == F_FLOCK) {
		lf_clear(ip, id, kind, 0, -1);
		wakeup(k->sim, &ip->i_lockf);
	}
	while ((blk = lf_getblock(ip, id, kind, type, start, end)) != NULL) {
		struct lf_waiter w;

		if (!(flags & F_WAIT) || curproc(k->sim) == NULL)
			return EAGAIN;
		if (kind == F_POSIX && lf_deadlock(k, id, blk->lf_id))
			return EDEADLK;
		w.id = id;
		w.waits_for = blk->lf_id;
		g_hash_table_insert(k->lf_waiters, (gpointer)id, &w);
		k->cnt.lockf_waits++;
		tsleep(k->sim, &ip->i_lockf, "lockf", 0);
		g_hash_table_remove(k->lf_waiters, id);
	}
	lf_clear(ip, id, kind, start, end);
	n = g_new0(struct lockf, 1);
	n->lf_flags = kind;
	n->lf_type = type;
	n->lf_start = start;
	n->lf_end = end;
	n->lf_id = id;
	lf_insert(ip, n);
	return 0;
}

/* Every lock of owner id on ip goes (close, exit). */
void
lf_release(struct kern *k, struct inode *ip, const void *id, int flags)
{
	lf_clear(ip, id, flags & (F_POSIX | F_FLOCK), 0, -1);
	wakeup(k->sim, &ip->i_lockf);
}

/* The inode is freed: so are any locks left on it. */
void
lf_purge(struct inode *ip)
{
	struct lockf *lf;

	while ((lf = ip->i_lockf) != NULL) {
		ip->i_lockf = lf->lf_next;
		g_free(lf);
	}
}

int
lf_count(const struct inode *ip)
{
	const struct lockf *lf;
	int n = 0;

	for (lf = ip->i_lockf; lf != NULL; lf = lf->lf_next)
		n++;
	return n;
}
