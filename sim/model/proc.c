/*
 * proc.c — processes: fork, exec, exit and wait (kern_fork.c,
 * kern_exec.c, kern_exit.c), as far as the file system sees them.
 *
 * A child gets a copy of its parent's descriptor table, or shares it
 * (CLONE_FILES, i.e. a thread).  exec closes the close-on-exec
 * descriptors.  exit drops the table — closing files whose last reference
 * it held — and leaves a zombie until the parent waits for it.  A vfork
 * parent sleeps until its child execs or exits.  The file mappings
 * (struct vmspace) are copied at fork and shared by threads and by a
 * vfork child until it execs (the trace's CLONE_FILES or vfork stands for
 * CLONE_VM); exec and exit drop them.
 */
#include "file.h"
#include "kern.h"
#include "kassert.h"

#include <errno.h>

static void
proc_free(struct kern *k, struct kproc *p)
{
	if (p->p_pptr != NULL) {
		LIST_REMOVE(p, p_sibling);
		p->p_pptr->p_nchildren--;
	}
	g_hash_table_remove(k->procs, &p->p_pid);
	g_free(p);
}

struct kproc *
pfind(struct kern *k, int32_t pid)
{
	return g_hash_table_lookup(k->procs, &pid);
}

struct kproc *
proc_create(struct kern *k, int32_t pid, struct filedesc *fdp)
{
	struct kproc *p = pfind(k, pid);

	if (p != NULL) {
		/* A pid reused after its process ended: forget the zombie. */
		KASSERT(p->p_exited, ("proc_create: pid %d is alive", pid));
		proc_free(k, p);
	}
	p = g_new0(struct kproc, 1);
	p->p_pid = pid;
	p->p_fd = fdp;
	p->p_vmspace = vmspace_alloc();
	LIST_INIT(&p->p_children);
	g_hash_table_insert(k->procs, &p->p_pid, p);
	return p;
}

struct kproc *
fork1(struct kern *k, struct kproc *parent, int32_t childpid, bool share_files,
    bool vfork)
{
	struct filedesc *fdp = share_files ? fdshare(parent->p_fd) :
	    fdcopy(parent->p_fd);
	struct kproc *c = proc_create(k, childpid, fdp);

	c->p_pptr = parent;
	c->p_vforked = vfork;
	vmspace_free(k, c->p_vmspace);
	if ((share_files || vfork) && parent->p_vmspace != NULL) {
		c->p_vmspace = parent->p_vmspace;
		c->p_vmspace->vm_refcnt++;
	} else
		c->p_vmspace = parent->p_vmspace != NULL ?
		    vmspace_fork(parent->p_vmspace) : vmspace_alloc();
	LIST_INSERT_HEAD(&parent->p_children, c, p_sibling);
	parent->p_nchildren++;
	return c;
}

/* vfork: the parent is suspended until the child execs or exits. */
void
vfork_wait(struct kern *k, struct kproc *child)
{
	while (child->p_vforked)
		tsleep(k->sim, &child->p_vforked, "vfork", 0);
}

static void
vfork_release(struct kern *k, struct kproc *p)
{
	if (p->p_vforked) {
		p->p_vforked = false;
		wakeup(k->sim, &p->p_vforked);
	}
}

void
proc_exec(struct kern *k, struct kproc *p)
{
	struct vmspace *old = p->p_vmspace;

	/* exec_new_vmspace: a new image, the old one's mappings gone (the
	 * old stays the process's while they go: see exit1) */
	vmspace_free(k, old);
	p->p_vmspace = vmspace_alloc();
	fdcloseexec(k, p->p_fd);
	vfork_release(k, p);
}

void
exit1(struct kern *k, struct kproc *p, int xstat)
{
	struct filedesc *fdp = p->p_fd;
	struct kproc *c;

	KASSERT(!p->p_exited, ("exit1: pid %d exited twice", p->p_pid));
	aio_proc_rundown(k, p);
	/* The address space and the descriptor table stay the process's
	 * until they are freed: a mapping's last vrele or a last close may
	 * sleep (an unlinked file truncated, vn_close's flush), and a run
	 * stopped there frees what is left of them through p_vmspace and
	 * p_fd (kern_shutdown). */
	vmspace_free(k, p->p_vmspace);
	p->p_vmspace = NULL;
	if (fdp != NULL)
		fdfree(k, fdp);
	p->p_fd = NULL;
	p->p_exited = true;
	p->p_xstat = xstat;
	vfork_release(k, p);
	/* Children lose their parent; nobody will wait for the zombies. */
	while ((c = LIST_FIRST(&p->p_children)) != NULL) {
		if (c->p_exited)
			proc_free(k, c);
		else {
			LIST_REMOVE(c, p_sibling);
			p->p_nchildren--;
			c->p_pptr = NULL;
		}
	}
	if (p->p_pptr != NULL)
		wakeup(k->sim, p->p_pptr);
	else
		proc_free(k, p);
}

/*
 * Wait for a child to exit.  The trace says which child the call reaped,
 * so the simulated parent sleeps until that child has exited in the
 * simulation too; then the zombie is freed.
 */
int32_t
kern_wait(struct kern *k, struct kproc *p, int32_t pid)
{
	struct kproc *c = pid > 0 ? pfind(k, pid) : NULL;

	if (c == NULL || c->p_pptr != p)
		return pid;
	while (!c->p_exited)
		tsleep(k->sim, p, "wait", 0);
	proc_free(k, c);
	return pid;
}
