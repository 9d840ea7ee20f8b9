/*
 * disk.h — the drive (disk.c) and the host's request queue (diskq.c).
 *
 * First model: one zone of equal tracks, a two-regime seek curve (a + b*sqrt(d)
 * for short seeks, c + e*d for long ones, an explicit one-cylinder time),
 * rotation tracked as the platter's real angular position from absolute
 * simulated time, head switches, controller overhead, media transfer; no
 * on-board cache.  Track skew is taken to be perfect (a transfer that crosses
 * a track continues right after the head switch).  The queue order is a
 * policy chosen by name (struct diskq_ops), like the kernel's vnops.
 */
#ifndef VFSSIM_DISK_H
#define VFSSIM_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "engine.h"

/* One request to the drive (the kernel queues struct buf; vfssim embeds a
 * diskreq in each buf). */
struct diskreq {
	int64_t		 sector;	/* first 512-byte sector */
	int		 nsect;
	bool		 write;
	int		 nbufs;		/* buffers it covers */
	/* filled in as it is served */
	sim_time_t	 submit, start, end;
	sim_time_t	 seek_ns, rot_ns, xfer_ns;
	int64_t		 cyl;
	TAILQ_ENTRY(diskreq) q;
	void		*arg;		/* the owner's (a struct buf) */
};

TAILQ_HEAD(diskreqq, diskreq);

struct diskq {
	struct diskreqq	 head;
	int		 len;
};

/* A queue discipline: how pending requests are ordered. */
struct diskq_ops {
	const char	*name;
	void		(*insert)(struct diskq *q, struct diskreq *r, int64_t headcyl);
	struct diskreq	*(*first)(struct diskq *q);
};

const struct diskq_ops *diskq_lookup(const char *name);
void	diskq_init(struct diskq *q);
void	diskq_remove(struct diskq *q, struct diskreq *r);

struct disk_params {
	int		 rpm;
	int64_t		 cylinders;
	int		 heads;
	int		 sectors_per_track;
	int64_t		 seek_boundary;
	double		 seek_a, seek_b, seek_c, seek_e;	/* ms */
	sim_time_t	 seek_single;
	sim_time_t	 head_switch;
	sim_time_t	 write_settle;
	sim_time_t	 overhead;
};

struct disk_stats {
	uint64_t	 reads, writes;
	uint64_t	 sectors_read, sectors_written;
	sim_time_t	 busy_ns, seek_ns, rot_ns, xfer_ns, queue_ns;
	int		 maxqlen;
};

struct disk {
	struct sim		*sim;
	struct disk_params	 p;
	const struct diskq_ops	*qops;
	struct diskq		 q;
	struct diskreq		*active;	/* being served */
	int64_t			 cur_cyl;
	int			 cur_head;
	sim_time_t		 period;	/* one revolution, ns */
	double			 sector_ns;	/* one sector under the head */
	struct disk_stats	 st;
	/* completion: called at interrupt level when a request ends */
	void			(*done)(void *arg, struct diskreq *r);
	void			*done_arg;
};

bool	disk_params_valid(const struct disk_params *p, char **why);
void	disk_init(struct disk *d, struct sim *s, const struct disk_params *p,
	    const struct diskq_ops *qops);
int64_t	disk_capacity(const struct disk *d);		/* sectors */
void	disk_strategy(struct disk *d, struct diskreq *r);	/* submit */
int	disk_qlen(const struct disk *d);		/* queued + active */

/* The mechanics, exposed for tests. */
sim_time_t disk_seek_time(const struct disk *d, int64_t dist);
void	disk_locate(const struct disk *d, int64_t sector, int64_t *cyl,
	    int *head, int *sect);
/* Serve r starting at now from the current head position: fills seek_ns,
 * rot_ns, xfer_ns, start, end and moves the head.  Pure mechanics. */
void	disk_service(struct disk *d, struct diskreq *r, sim_time_t now);

#endif
