/*
 * disk.h — the drive (disk.c, diskctlr.c, diskmedia.c, diskcache.c,
 * diskmap.c, diskmech.c), the request queues in front of it (diskq.c) and
 * DiskSim parameter files (diskspecs.c).
 *
 * The drive is modelled the way DiskSim 4.0 models one, so that DiskSim's
 * library of validated drives describes it unchanged:
 *
 *  - diskmap.c: the layout (DiskSim's dm_layout_g1): zones of equal tracks,
 *    each with its sectors per track, track and cylinder skew, the offset of
 *    its first block, a reserved area at its front, spare sectors or tracks,
 *    slipped defects and defects remapped to spares, so that a logical
 *    block maps to (cylinder, head, sector) exactly as the drive lays it
 *    out, and each sector has an angle.
 *  - diskmech.c: the mechanics (dm_mech_g1): seek time from distance (the
 *    Ruemmler-Wilkes curve, with or without an explicit table for the first
 *    ten distances, an extracted curve, Lee's three-point curve, a linear
 *    one), head switch, write settle, the spindle's speed.
 *  - the electronics (DiskSim's disk controller and cache): command
 *    overheads and bus transfer overlapped with the media (diskctlr.c),
 *    the media access sector by sector, the platter's angle from absolute
 *    time (diskmedia.c), a segmented cache with read-ahead and write-back
 *    (diskcache.c); the queues, the timers and the drive's entry points
 *    (disk.c).  What those files share is in disk_private.h.
 *
 * The queue order is a policy chosen by name (struct diskq_ops), like the
 * kernel's vnops: once for the host's queue and once for the drive's own.
 */
#ifndef VFSSIM_DISK_H
#define VFSSIM_DISK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <glib.h>

#include "engine.h"

/* What a command waited for the heads for (struct diskreq's wait_ns). */
#define	DISK_WAIT_DRAIN		0	/* the write cache being flushed */
#define	DISK_WAIT_FULL		1	/* every segment dirty: for a flush */
#define	DISK_WAIT_READAHEAD	2	/* a read-ahead to reach its minimum */
#define	DISK_WAIT_COUNT		3

/*
 * What else the command did, apart from the media access made for it and
 * the waits for the heads (struct diskreq's part_ns), by the state of the
 * drive's interface (diskctlr.c; DiskSim's disk_ctlr): the controller's
 * overheads, data moving over the bus, and, disconnected or holding the
 * bus, waiting for the media (a read's data, a write's data to reach the
 * media) or for room in the segment for a write's data.
 */
#define	DISK_PART_CTLR		0	/* command processing, disconnect,
					   reselection, completion */
#define	DISK_PART_BUS		1	/* data over the bus, or waiting for it */
#define	DISK_PART_MEDIA		2	/* waiting for the media */
#define	DISK_PART_ROOM		3	/* waiting for room in the cache */
#define	DISK_PART_COUNT		4

/* One request to the drive (the kernel queues struct buf; vfssim embeds a
 * diskreq in each buf). */
struct diskreq {
	int64_t		 sector;	/* first 512-byte block */
	int		 nsect;
	bool		 write;
	bool		 ordered;	/* B_ORDERED: a barrier bufqdisksort keeps */
	int		 nbufs;		/* buffers it covers */
	/* filled in as it is served */
	sim_time_t	 submit;	/* handed to disk_strategy */
	sim_time_t	 start;		/* the drive began the command */
	sim_time_t	 end;		/* the drive reported completion */
	/* Received into the drive's queue while it served another command
	 * (disk_request_arrive's disconnect): its command overhead is over
	 * at ovh_done, timed from its arrival; -1: not received so. */
	sim_time_t	 ovh_done;
	/* Queued in the drive, a read given the segment of the read-ahead
	 * another read took as it was queued (disk.c's prefetch_swap). */
	bool		 ra_attached;
	/*
	 * Where the service time (end - start) went; the four add up to it.
	 * seek, rot and xfer are the media access made for this request (seek
	 * with write settle, rotational latency, then the sectors including
	 * track switches and missed revolutions); for a cache hit or a
	 * write-back write, xfer is the bus transfer and seek = rot = 0.
	 * overhead is the rest, the time outside that media access, every
	 * nanosecond of it timed: wait_ns and part_ns add up to it.
	 */
	sim_time_t	 seek_ns, rot_ns, xfer_ns, overhead_ns;
	/*
	 * Of overhead, the time the command waited for the heads, measured
	 * from when it found them taken to when they were its
	 * (disk_cmd_media_ready), by what held them: a flush of the write
	 * cache (DISK_WAIT_DRAIN), a flush it had to wait for because every
	 * segment held dirty data (DISK_WAIT_FULL), a read-ahead that could
	 * not be stopped yet (DISK_WAIT_READAHEAD).  The rest of overhead is
	 * the controller's command processing and the bus.
	 */
	sim_time_t	 wait_ns[DISK_WAIT_COUNT];
	/*
	 * And the rest of overhead, as timed, by what the interface was doing
	 * outside the media access (DISK_PART_*): overhead = the waits + these
	 * four, to the nanosecond.
	 */
	sim_time_t	 part_ns[DISK_PART_COUNT];
	int		 cache_hit;	/* DISK_HIT_* */
	int64_t		 cyl;		/* cylinder of the first block */
	int		 error;		/* EIO: the drive failed it (diskerr.c) */
	/*
	 * What it is for and who started it, for the record (disk_io): set
	 * by the owner before disk_strategy (bstrategy, from its buffer);
	 * the drive does not look at them.  what -1: not known (a block
	 * trace driving the disk alone).
	 */
	int64_t		 ino;		/* the file's inode, or -1: metadata */
	int64_t		 lblkno;	/* the file's logical block (negative:
					   an indirect block), or for metadata
					   the fragment address */
	int		 what;		/* enum bio_what (buf.h), or -1 */
	int		 cause;		/* enum bio_cause (buf.h) */
	char		 issuer[16];	/* the name of the process running when
					   it was started ("pid 7", "syncer";
					   "": a callout), copied: the process
					   may be gone when it completes */
	TAILQ_ENTRY(diskreq) q;
	void		*arg;		/* the owner's (a struct buf) */
};

#define	DISK_HIT_NONE		0	/* read miss, write through to media */
#define	DISK_HIT_PARTIAL	1	/* read: the first blocks were cached */
#define	DISK_HIT_FULL		2	/* read: all cached; write: reported
					   from the cache (write-back) */

TAILQ_HEAD(diskreqq, diskreq);

/* A queue of requests, and the state its discipline keeps. */
struct diskq {
	struct diskreqq	 head;
	int		 len;
	/* bufqdisksort's (struct buf_queue_head) */
	int64_t		 last_pblkno;
	struct diskreq	*insert_point;
	struct diskreq	*switch_point;
	/* cycle_lbn's and sstf_lbn's (DiskSim's lastblkno; sstfupdown) */
	int64_t		 lbn_last;
	bool		 lbn_down;
};

struct disk;

/* A queue discipline: where a new request goes and which one is next. */
struct diskq_ops {
	const char	*name;
	void		(*insert)(struct diskq *q, struct diskreq *r,
			    const struct disk *d);
	struct diskreq	*(*first)(struct diskq *q, const struct disk *d);
};

const struct diskq_ops *diskq_lookup(const char *name);
void	diskq_init(struct diskq *q);
/* Take r out of q (as bufq_remove, which also keeps the elevator's
 * position). */
void	diskq_remove(struct diskq *q, struct diskreq *r);

/* ---- parameters ---------------------------------------------------- */

/* The largest disk described: 2^32 cylinders, 100,000 sectors a track
 * (with 1024 surfaces no count of blocks overflows). */
#define	DISK_MAX_CYLS	(1LL << 32)
#define	DISK_MAX_SPT	100000

/* A zone of equal tracks (DiskSim's dm_layout_g1_zone). */
struct disk_zone {
	int64_t		 first_cyl, last_cyl;
	int		 spt;		/* sectors per track */
	double		 first_offset;	/* sectors: angle of the zone's first block */
	double		 track_skew;	/* sectors skipped at a track switch */
	double		 cyl_skew;	/* ... at a cylinder switch */
	/* Skews to compute (disk_params_finish): the head switch, or the
	 * one-cylinder seek, plus the write settle, in whole sectors. */
	bool		 track_skew_auto, cyl_skew_auto;
	int64_t		 deadspace;	/* blocks reserved at the zone's front */
	int64_t		 spares;	/* per track, cylinder or zone (sparing) */
	int64_t		*slips;		/* slipped defects, ascending */
	int		 nslips;
	/* Defects remapped to spares elsewhere: (defect, spare) pairs,
	 * ascending by defect, in DiskSim's numbers -- zone sectors in the
	 * mapping's order (cylinder after cylinder, track after track),
	 * zone tracks under sparing scheme 1. */
	int64_t		*remaps;
	int		 nremaps;	/* pairs */
	/* derived by disk_params_finish */
	int64_t		 first_lbn, nlbn;
	/* The skews as whole numbers, where they are and small enough that
	 * track_skew_sum's sum is exact either way (skew_int): the first
	 * block's offset, a sector's per surface, per cylinder. */
	bool		 skew_int;
	int64_t		 skew_base, skew_head, skew_cyl;
};

/* DiskSim's sparing schemes, by its numbers. */
enum disk_sparing {
	DSPARE_NONE = 0,		/* no spares */
	DSPARE_TRACK = 1,		/* spare tracks at the zone's end;
					   slips are zone track numbers */
	DSPARE_CYL = 2,			/* spare sectors at each cylinder's end */
	DSPARE_TRACKSECT = 3,		/* spare sectors at each track's end */
	DSPARE_CYL_SLIPEND = 4,		/* as 2, but a slip pushes every later
					   block of the zone on */
	DSPARE_CYL_FRONT = 5,		/* spare sectors at each cylinder's
					   front */
	DSPARE_CYL_FRONT_SLIPEND = 6,	/* as 5, slips as in 4 */
	DSPARE_DISK_END = 7,		/* spares at the disk's end: a slip
					   pushes every later block on */
	DSPARE_RANGE = 8,		/* spare sectors at the end of each
					   range of rangesize cylinders */
	DSPARE_ZONE = 9,		/* spare sectors at the zone's end;
					   slips are zone sector numbers */
	DSPARE_ZONE_SLIPEND = 10,	/* as 9, slips beyond the spares */
};

enum disk_seek {
	DSEEK_HPL,		/* a + b sqrt(d) below a boundary, c + e d above */
	DSEEK_HPLPLUS10,	/* the same, first ten distances from a table */
	DSEEK_EXTRACTED,	/* (distance, time) points, interpolated */
	DSEEK_CURVE,		/* Lee's curve through min/avg/max */
	DSEEK_LINEAR,		/* straight lines through min/avg/max */
};

/* What the drive reads ahead after a read (DiskSim's "Buffer continuous
 * read", by its numbers). */
enum disk_readahead {
	DRA_NONE = 0,
	DRA_TRACK = 1,		/* to the end of the track */
	DRA_CYLINDER = 2,	/* to the end of the cylinder */
	DRA_SEGMENT = 3,	/* until the segment (or the maximum) is full */
	DRA_DEC = 4,		/* to the end of the next track */
};

struct disk_params {
	/* geometry and layout */
	int		 heads;			/* data surfaces */
	int64_t		 cylinders;
	int		 nzones;
	struct disk_zone *zones;		/* owned */
	enum disk_sparing sparing;
	int64_t		 rangesize;		/* cylinders a range (sparing 8) */
	/* DiskSim's LBN-to-PBN mapping scheme: 0 every cylinder from the
	 * first surface to the last; 1 odd cylinders of a zone (counted
	 * from its first) from the last surface back, so that a cylinder
	 * switch stays on its surface; 2 the same for odd cylinders of the
	 * disk. */
	int		 mapping;
	int64_t		 blocks;		/* derived: addressable blocks */
	bool		 slipped;	/* derived: a zone maps around slips
					   (disk_track_map uses the track
					   before) */

	/* mechanics */
	int		 rpm;
	enum disk_seek	 seek;
	double		 seek_boundary;		/* cylinders */
	double		 seek_a, seek_b, seek_c, seek_e;	/* ms */
	double		 seek_single;		/* ms; < 0: from the curve */
	double		 seek_first10[10];	/* ms, hplplus10 */
	int		 seek_npoints;		/* extracted */
	int64_t		*seek_dist;		/* owned */
	double		*seek_ms;		/* owned */
	double		 seek_min, seek_avg, seek_max;	/* ms: curve, linear */
	sim_time_t	 head_switch;
	sim_time_t	 write_settle;

	/* electronics: overheads, [0] after a read, [1] after a write */
	sim_time_t	 ovh_request;		/* before anything, every command */
	sim_time_t	 ovh_read_hit[2], ovh_read_miss[2];
	sim_time_t	 ovh_write_hit[2], ovh_write_miss[2];
	sim_time_t	 ovh_complete_read, ovh_complete_write;
	sim_time_t	 ovh_data_prep;
	sim_time_t	 ovh_reselect_first, ovh_reselect_other;
	sim_time_t	 ovh_disconnect_read[2], ovh_disconnect_write;
	/* A write that follows a non-sequential write first disconnects
	 * without taking data (seen on the HP C2247A; DiskSim's "extra write
	 * disconnect"). */
	bool		 extra_write_disconnect;
	sim_time_t	 xd_command, xd_disconnect1, xd_inter, xd_disconnect2,
			 xd_seekdelta;
	sim_time_t	 min_seek_delay;	/* a non-sequential write waits
						   at least this long for media */
	double		 bus_read_ns, bus_write_ns;	/* a block over the bus */
	bool		 hold_bus_read, hold_bus_write;

	/* the cache */
	bool		 cache;			/* keep data once transferred */
	int		 nsegs;
	int		 segsize;		/* blocks */
	int		 nwritesegs;		/* segments that may hold writes */
	bool		 write_seg;		/* one segment only for writes */
	double		 read_water, write_water;	/* fractions */
	bool		 water_by_reqsize;	/* of the request, else segment */
	enum disk_readahead readahead;
	int		 min_readahead, max_readahead;	/* blocks; 0: none/no cap */
	int		 keep_request_data;	/* -1, 0, 1 as DiskSim's */
	bool		 readahead_idle_hit;
	bool		 read_hits_on_writes;
	int		 fast_write;		/* 0 off, 1 sequential, 2 all */
	bool		 combine_writes;
	bool		 stop_in_sector;	/* a prefetch stops mid-sector */
	/* A prefetch a command stops ends at its next event, the command
	 * waiting (DiskSim's "Disconnect write if seek"). */
	bool		 preempt_at_event;
	bool		 write_hit_stop_prefetch;
	bool		 immed_partial_hit;
	bool		 almost_read_hits;
	/* A read the cache holds whole, arriving while the drive serves
	 * another command, is sent at once (DiskSim's sneaky full read
	 * hits: diskctlr.c's disk_sneak_start). */
	bool		 sneaky_full;
	bool		 zero_latency_read;	/* sectors read as they come round */
	bool		 zero_latency_write;	/* ... and written */
	bool		 never_disconnect;	/* hold the bus for whole commands */

	/* the drive's own queue */
	int		 queue_depth;		/* commands the drive accepts */
	const char	*scheduler;		/* its order (diskq_lookup) */
	/* The host queue's discipline a DiskSim .parv's I/O driver names
	 * (vfssim disk uses it unless diskq.scheduler is set), or NULL. */
	const char	*host_scheduler;
	/* The read and write initiation delays ([0] read, [1] write) of
	 * the drive's queue and of the host's, which DiskSim adds to each
	 * request's estimate under SPTF_OPT (sptf_opt) and uses nowhere
	 * else. */
	sim_time_t	 init_delay[2];
	sim_time_t	 host_init_delay[2];
	/* DiskSim's Immediate buffer read and write ([0], [1]) are on: its
	 * media never reads or writes early, but its SPTF_OPT estimates so
	 * (refused with that policy: diskspecs.c). */
	bool		 immed_est[2];
	/*
	 * Where DiskSim 4.0 departs from a drive's physics, do as it does
	 * (set for a drive read from its files, diskspecs_load): a write
	 * joining another's access is written again by an access of its
	 * own (media_own_end), a read-ahead's segment keeps stale copies of
	 * a write's blocks (write_go), and a wait on a track with spare
	 * sectors passes only its blocks (dry_revolution).  Off, the drive
	 * writes consecutive dirty data in one sweep, a write empties every
	 * clean copy, and a missed sector is a revolution away.
	 */
	bool		 disksim_quirks;
};

/*
 * Complete and check a parameter set: derive each zone's blocks and the
 * capacity, compute skews given as "auto", check everything is in range.
 * false and *why (g_free it) on a bad set.
 */
bool	disk_params_finish(struct disk_params *p, char **why);
/* Which parameter disk_params_finish found wrong, so that a reader of a
 * drive's file can name the line it is written on: the field, and the
 * zone it belongs to (1 on) or 0. */
enum disk_param {
	DPAR_NONE,		/* none in particular (or from no file) */
	DPAR_RPM, DPAR_HEADS, DPAR_ZONES, DPAR_SPARING, DPAR_MAPPING, DPAR_RANGESIZE,
	DPAR_ZONE,		/* the zone as a whole */
	DPAR_ZONE_SPT, DPAR_ZONE_FIRST_CYL, DPAR_ZONE_LAST_CYL, DPAR_ZONE_DEADSPACE,
	DPAR_ZONE_SPARES, DPAR_ZONE_SLIPS, DPAR_ZONE_DEFECTS,
	DPAR_HEAD_SWITCH, DPAR_WRITE_SETTLE, DPAR_SEEK,
	DPAR_NSEGS, DPAR_SEGSIZE, DPAR_NWRITESEGS, DPAR_WRITE_SEG, DPAR_READ_WATER,
	DPAR_WRITE_WATER, DPAR_MIN_READAHEAD, DPAR_MAX_READAHEAD, DPAR_READAHEAD,
	DPAR_FAST_WRITE, DPAR_KEEP_REQUEST_DATA, DPAR_BUS, DPAR_QUEUE_DEPTH,
	DPAR_SCHEDULER, DPAR_EXTRA_WRITE_DISCONNECT,
};
struct disk_param_at {
	enum disk_param	 what;
	int		 zone;
};
/* disk_params_finish, saying in *at (if not NULL) which parameter is
 * wrong when it fails. */
bool	disk_params_finish_at(struct disk_params *p, char **why,
	    struct disk_param_at *at);
void	disk_params_copy(struct disk_params *dst, const struct disk_params *src);
void	disk_params_free(struct disk_params *p);	/* what it owns */
/* Zones written as "CYLS:SPT[:TRACKSKEW[:CYLSKEW]], ..." from the outer
 * edge; a missing skew is "auto".  false and *why on a malformed list. */
bool	disk_zones_parse(const char *s, struct disk_zone **zones, int *nzones,
	    char **why);

/* ---- the drive ------------------------------------------------------ */

struct disk_stats {
	uint64_t	 reads, writes;
	uint64_t	 sectors_read, sectors_written;
	uint64_t	 read_hits, read_partial_hits, write_hits;
	sim_time_t	 busy_ns, seek_ns, rot_ns, xfer_ns, queue_ns, overhead_ns;
	sim_time_t	 wait_ns[DISK_WAIT_COUNT];	/* of overhead_ns */
	sim_time_t	 part_ns[DISK_PART_COUNT];	/* and the rest of it */
	int		 maxqlen;
	uint64_t	 read_errors, write_errors;	/* commands failed */
};

/* A range of sectors the drive fails (disk.errors; diskerr.c). */
struct disk_fault {
	int64_t		 first, last;	/* sectors, inclusive */
	bool		 read, write;	/* which commands fail */
	bool		 permanent;	/* else: the next command only */
	bool		 spent;		/* a transient one that has failed */
};

#define	DISK_MAX_FAULTS	4096		/* ranges in disk.errors */

/* A physical sector. */
struct disk_pbn {
	int64_t		 cyl;
	int		 head;
	int		 sector;
};

/* A track: its blocks, where they lie, and what its sectors' angles are
 * reckoned from (disk_track_map). */
struct disk_track {
	int64_t		 first, end;	/* blocks [first, end) */
	struct disk_pbn	 pfirst;	/* where block first lies: the track */
	int		 last_sector;	/* the sector of block end - 1 */
	/* The blocks lie on consecutive sectors (no slip among them):
	 * block b on sector pfirst.sector + (b - first). */
	bool		 contig;
	int		 spt;		/* sectors a track */
	double		 skew;		/* disk_pbn_angle's sum, less the sector */
	bool		 whole;		/* skew is a whole number */
	/* Where block end lies, the next track's first (has_next: known,
	 * and on another track). */
	struct disk_pbn	 pnext;
	bool		 has_next;
};

/* A callout the drive can re-arm and disarm (the engine's cannot be
 * cancelled: a fired timer that is no longer armed does nothing).  It is
 * queued lazily (disk.c): armed, it has its place (ticket) among the
 * events due at `when`, but may not be in the queue yet. */
struct disk_timer {
	struct disk	*d;
	sim_time_t	 when;
	uint64_t	 ticket;	/* its place among events due then */
	bool		 armed;
	bool		 queued;	/* in the engine's queue (disk.c) */
	unsigned	 bit;		/* its bit in the drive's pending */
	void		(*fn)(struct disk *d);
};

/* A cache segment: a run of consecutive blocks. */
struct disk_seg {
	int64_t		 start, end;	/* blocks held: [start, end) */
	int		 state;		/* SEG_* (disk_private.h) */
	uint64_t	 used;		/* LRU stamp */
	bool		 write_data;	/* last filled by a write */
	int64_t		 ra_min, ra_max;	/* read-ahead bounds */
	int64_t		 dirty;		/* writes: first block not on media */
};

/* Tracks the drive keeps looked up: the media's, the next one, a new
 * command's and its read-ahead's. */
#define	DISK_NTRACKS	4

struct disk {
	struct sim		*sim;
	struct disk_params	 p;		/* a copy the drive owns */
	const struct diskq_ops	*qops;		/* the host's queue */
	struct diskq		 q;
	const struct diskq_ops	*dqops;		/* the drive's queue */
	struct diskq		 dq;
	double			 period;	/* one revolution, ns */
	struct disk_stats	 st;
	/* completion: called at interrupt level when a request ends */
	void			(*done)(void *arg, struct diskreq *r);
	void			*done_arg;

	/* the mechanism */
	int64_t			 cur_cyl;	/* where the heads are (or go) */
	int			 cur_head;
	sim_time_t		 mech_free;	/* until then it is still moving */
	/* When the last sector passed the heads, read or written (but see
	 * disk_sector_end): DiskSim's currtime, the time its mechanical
	 * state's angle was last brought up to date (disk_buffer_sector_done),
	 * from which its SPTF estimates. */
	double			 sector_end;
	/* Seek times by distance, each kept once first worked out
	 * (disk_move_time): the time + 1, 0 for not yet; distances 0 to
	 * seek_nmemo - 1 (the cylinders, up to DISK_SEEK_MEMO). */
	sim_time_t		*seek_memo;
	int64_t			 seek_nmemo;

	/* the cache */
	struct disk_seg		*seg;
	uint64_t		 lru;
	int			 mru;		/* segment used last, or -1 */
	int			 ndirty;
	bool			 last_write;	/* the last command completed */

	/* The tracks looked up last (disk_track): a track's bounds and angles
	 * are worked out once, not at every sector. */
	struct disk_track	 trk[DISK_NTRACKS];
	int			 trk_next;	/* the one to replace next */
	int			 trk_last;	/* the one found last */

	/* the command being served (one at a time; others wait in dq,
	 * received), or NULL; it lives in cmd_mem, allocated once */
	struct disk_cmd		*cmd;
	struct disk_cmd		*cmd_mem;
	uint64_t		 cmd_seq;	/* commands served so far */
	/* the media access (diskmedia.c) and interface timers */
	struct disk_media	*media;
	struct disk_timer	 t_media, t_iface, t_arrive;
	/* the bits of the timers armed and not queued: timer_next's
	 * answer without looking at the three when none or one is */
	unsigned		 pending;
	/* by pending: the one timer its bit names, or NULL (none, or two or
	 * more: compared) -- one indexed load for the usual case where a
	 * switch took a chain of comparisons (set by disk_init) */
	struct disk_timer	*pending_one[8];
	/* Queue every timer as it is armed and take no step without the
	 * queue (disk.c runs them lazily, diskmedia.c runs of sectors in one
	 * go): the plain reference the tests compare with.  Set from the
	 * environment (VFSSIM_DISK_EACH_STEP) by disk_init. */
	bool			 each_step;
	/* The command on its way in over the bus: waiting out ovh_request,
	 * then, if the drive is serving another (rx), its command and
	 * disconnect overheads before it joins the drive's queue.  The bus
	 * is the drive's one at a time: while a command arrives the one in
	 * service cannot reselect, and while that one holds it none
	 * arrives (disk_bus_busy). */
	struct diskreq		*arriving;
	bool			 arriving_rx;
	/* or, a sneaky full read hit, being sent: its step (SNEAK_*), and
	 * its segment, kept from reuse until it is done (-1: none) */
	int			 sneak;
	int			 sneak_seg;
	/* The segment held by the reads given its read-ahead, each in turn
	 * (-1: none): DiskSim's disk_check_prefetch_swap and
	 * disk_find_new_seg_owner (disk.c's prefetch_swap). */
	int			 ra_held_seg;
	/* The last of them given the access (DiskSim's effectivehda): the
	 * read, the end of its blocks, the segment's end then, and whether
	 * the access was then a background read -- its blocks in and the
	 * read-ahead short of its maximum -- as disk_check_hda_pending sets
	 * BUFFER_BACKGROUND; only then may another read take it over
	 * (held_background). */
	struct diskreq		*ra_eff;	/* (NULL once it completes) */
	int64_t			 ra_eff_end, ra_eff_seen;
	bool			 ra_eff_bg;
	/* The command in service asked for the bus while the one arriving
	 * had it, before it was being received: it reselects first when
	 * that one disconnects (cmd_check_reconnect). */
	bool			 bus_wanted;
	/* The livelock guard (disk.c): when the drive last completed a
	 * request or took one while idle, and, once it has gone
	 * DISK_STALL_NS with requests outstanding and none completed, why
	 * it stopped the run (g_free'd by disk_destroy). */
	sim_time_t		 progress;
	char			*stall;

	/* Injected faults (diskerr.c): failing ranges, and the chance that
	 * any command fails, drawn from fault_rng (NULL: no chance). */
	struct disk_fault	*faults;
	int			 nfaults;
	double			 fault_rate;
	GRand			*fault_rng;
};

/* Simulated time the drive may go with requests outstanding and none
 * completing before the run is stopped as a simulator bug: no real
 * request takes a thousandth of it. */
#define	DISK_STALL_NS	(600 * SIM_SEC)
/* The most seek distances whose times a drive keeps (disk_move_time):
 * 512 KB; longer ones are worked out each time. */
#define	DISK_SEEK_MEMO	65536

/* p is copied; qops orders the host queue. */
void	disk_init(struct disk *d, struct sim *s, const struct disk_params *p,
	    const struct diskq_ops *qops);
void	disk_destroy(struct disk *d);
int64_t	disk_capacity(const struct disk *d);		/* blocks */
void	disk_strategy(struct disk *d, struct diskreq *r);	/* submit */
/* The same from a callout that does nothing more at this time: the drive
 * may run on from it (sim_callout_advance). */
void	disk_strategy_callout(struct disk *d, struct diskreq *r);
int	disk_qlen(const struct disk *d);	/* queued + in the drive */
/* Hand back every request not yet completed (a run that stops early). */
void	disk_abort(struct disk *d, void (*fn)(struct diskreq *r, void *arg),
	    void *arg);

/*
 * Faults (diskerr.c).  disk.errors as "FIRST[-LAST]:r|w|rw[:transient|
 * permanent], ..." (sectors; permanent when the kind is left out): false
 * and *why on a malformed list.  disk_set_faults gives them to the drive,
 * with the chance that any command fails and the seed of its draws (false
 * and *why if a range lies beyond the drive); disk_fault_check says
 * whether a completed command failed (EIO) or not (0).
 */
bool	disk_errors_parse(const char *s, struct disk_fault **faults,
	    int *nfaults, char **why);
bool	disk_set_faults(struct disk *d, const struct disk_fault *faults, int n,
	    double rate, uint64_t seed, char **why);
void	disk_faults_free(struct disk *d);
int	disk_fault_check(struct disk *d, const struct diskreq *r);

/* The mechanics and layout, exposed for tests and schedulers. */
sim_time_t disk_seek_time(const struct disk_params *p, int64_t dist);
bool	disk_seek_params_check(const struct disk_params *p, char **why);
/* Repositioning between tracks: seek or head switch, write settle. */
sim_time_t disk_reposition_time(const struct disk_params *p, int64_t from_cyl,
	    int from_head, int64_t to_cyl, int to_head, bool write);
/* The same for the drive's heads (where they are) to a track, its seek
 * times kept by distance. */
sim_time_t disk_move_time(struct disk *d, int64_t to_cyl, int to_head,
	    bool write);
bool	disk_ltop(const struct disk_params *p, int64_t lbn, struct disk_pbn *pbn);
const struct disk_zone *disk_zone_of_cyl(const struct disk_params *p, int64_t cyl);
/* The angle (revolutions, [0, 1)) at which sector pbn begins. */
double	disk_pbn_angle(const struct disk_params *p, const struct disk_pbn *pbn);
/* The blocks [*first, *end) on the track that holds lbn. */
void	disk_track_bounds(const struct disk_params *p, int64_t lbn,
	    int64_t *first, int64_t *end);
/* The track that holds lbn (prev: NULL, or a track that may end at lbn,
 * to start from), and the angle of its sector `sector` (disk_pbn_angle's,
 * to the bit). */
void	disk_track_map(const struct disk_params *p, int64_t lbn,
	    const struct disk_track *prev, struct disk_track *t);
double	disk_skew_angle(double sum, bool whole, int spt, int sector);

/* x mod spt (x whole) as a fraction of a revolution, as fmod gives it:
 * its -0 for a negative multiple too. */
static inline double
disk_whole_angle(int64_t x, int spt)
{
	int64_t r = x % spt;

	if (r == 0 && x < 0)
		return -0.0 / spt;
	return (double)(r < 0 ? r + spt : r) / spt;
}

/* (Inline: the media asks it at every sector it waits for, and every
 * DiskSim drive's skews are whole.) */
static inline double
disk_track_angle(const struct disk_track *t, int sector)
{
	if (t->whole)
		return disk_whole_angle((int64_t)t->skew + sector, t->spt);
	return disk_skew_angle(t->skew, false, t->spt, sector);
}
/* Time for the disk to turn from angle a to angle b, ns. */
double	disk_rotate_ns(const struct disk *d, double from, double to);
/* The platter's angle at time t. */
double	disk_angle_at(const struct disk *d, double t);
/* Estimated time until r's first block could be under the head if the
 * drive began r now: overhead, seek and rotation; 0 for a cache hit.  The
 * positioning estimate SPTF orders by. */
sim_time_t disk_position_estimate(const struct disk *d, const struct diskreq *r);
/* DiskSim 4.0's estimate of r's positioning for its SPTF_OPT queues
 * (disk_buffer_estimate_servtime, the cache not consulted), ns. */
double	disk_sptf_opt_estimate(const struct disk *d, const struct diskreq *r);
/* When the last sector passed the heads (struct disk's sector_end). */
double	disk_sector_end(const struct disk *d);
/* Where DiskSim's mechanical state has the heads: where they are, or
 * during a seek where it set out from (it moves them at the seek's end). */
void	disk_mech_state(const struct disk *d, int64_t *cyl, int *head);

#endif
