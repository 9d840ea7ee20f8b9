/*
 * file.h — open files and descriptor tables (kern_descrip.c), after
 * sys/file.h and sys/filedesc.h.
 *
 * A struct file is shared by every descriptor dup'ed from it and by the
 * tables of forked children; it holds the offset and the sequential-access
 * score.  It is reference counted (fhold/fdrop): a file closed by one thread
 * while another still uses it stays valid until the last drop.
 */
#ifndef VFSSIM_FILE_H
#define VFSSIM_FILE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct kern;
struct vnode;

enum ftype {
	DTYPE_VNODE = 1,	/* a file or directory of the simulated fs */
	DTYPE_PASS,		/* anything else: pipes, sockets, ttys, /dev */
};

/* f_flag */
#define FREAD		0x0001
#define FWRITE		0x0002
#define FAPPEND		0x0008
#define FNONBLOCK	0x0004
#define FDIRECT		0x0010
#define FSYNC		0x0020
#define FHASLOCK	0x4000	/* holds a flock(2)/O_EXLOCK lock */

struct file {
	int		 f_count;	/* references: descriptors + in-flight calls */
	enum ftype	 f_type;
	int		 f_flag;
	struct vnode	*f_vnode;	/* DTYPE_VNODE */
	int64_t		 f_offset;
	int64_t		 f_nextoff;	/* where the last read/write ended */
	int		 f_seqcount;	/* sequential-access score */
};

struct filedesc {
	int		 fd_refcnt;	/* processes sharing it (CLONE_FILES) */
	int		 fd_nfiles;	/* size of the arrays */
	int		 fd_lastfile;	/* highest descriptor in use, or -1 */
	struct file	**fd_ofiles;
	bool		*fd_cloexec;
	struct vnode	*fd_cdir;	/* working directory */
	/* Files a close took out of the table and is still closing (the
	 * last close sleeps: vrele -> ufs_inactive's truncation): a run
	 * stopped there frees them with the table (kern_shutdown).  NULL
	 * until the first. */
	GPtrArray	*fd_closing;
};

struct file *falloc(enum ftype type, int flags, struct vnode *vp);
void	fhold(struct file *fp);
void	fdrop(struct kern *k, struct file *fp);

struct filedesc *fdinit(struct vnode *cdir);
struct filedesc *fdcopy(struct filedesc *fdp);	/* fork: a copy */
struct filedesc *fdshare(struct filedesc *fdp);	/* CLONE_FILES */
void	fdfree(struct kern *k, struct filedesc *fdp);	/* exit */
struct file *fget(struct filedesc *fdp, int fd);
/* Put fp at descriptor fd (closing what was there); takes a reference. */
void	fdinstall(struct kern *k, struct filedesc *fdp, int fd, struct file *fp,
	    bool cloexec);
int	fdclose(struct kern *k, struct filedesc *fdp, int fd);
void	fdcloseexec(struct kern *k, struct filedesc *fdp);
void	fdsetcloexec(struct filedesc *fdp, int fd, bool on);
void	fdchdir(struct kern *k, struct filedesc *fdp, struct vnode *vp);

#endif
