/*
 * profile.c — the table of every setting, GKeyFile profiles and --set.
 *
 * GKeyFile does the parsing.  Before handing it a file we walk the lines once
 * to remember where each group and key is, so that an error can name the
 * line: GKeyFile's own messages do not.
 */
#include "profile.h"
#include "libkern.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(vfssim-profile-error-quark, profile_error)

/*
 * Defaults describe the machine the era's users ran: a 128 MB PC with a
 * 10,000 rpm SCSI disk, FFS with 16 KB blocks and 2 KB fragments (newfs's
 * default in RELENG_4 from about 4.5 and in 5.x; 8 KB/1 KB before), hz = 100.
 */
const struct pkey profile_keys[] = {
	{ "machine", "era", PK_ENUM, "freebsd5-current", NULL,
	  "freebsd5-current|freebsd4",
	  "Kernel whose behaviour to model: the 5.0-CURRENT development branch "
	  "of May 2001, or RELENG_4" },
	{ "machine", "memory", PK_SIZE, "128M", "hw.physmem", NULL,
	  "Physical memory; buffer-cache sizes derive from it" },
	{ "machine", "hz", PK_INT, "100", "kern.hz", NULL,
	  "Clock ticks per second" },

	{ "cpu", "syscall", PK_TIME, "2us", NULL, NULL,
	  "Cost of entering and leaving the kernel, per call" },
	{ "cpu", "copy_rate", PK_SIZE, "300M", NULL, NULL,
	  "Bytes per second uiomove copies between user and buffer" },
	{ "cpu", "lookup", PK_TIME, "1us", NULL, NULL,
	  "Cost of looking up one path component" },
	{ "cpu", "bufop", PK_TIME, "300ns", NULL, NULL,
	  "Cost of one buffer-cache operation (getblk + release)" },
	{ "cpu", "fault", PK_TIME, "2us", NULL, NULL,
	  "Cost of a page fault on a mapped file (the trap and vm_fault), "
	  "besides any I/O it waits for" },

	{ "bio", "nbuf", PK_INT, "0", "kern.nbuf", NULL,
	  "Buffer headers; 0 sizes them from memory as the kernel does" },
	{ "bio", "nswbuf", PK_INT, "0", "kern.nswbuf", NULL,
	  "pbufs for cluster and raw I/O; 0: max(min(nbuf/4, 64), 16)" },
	{ "bio", "maxbufspace", PK_SIZE, "0", "vfs.maxbufspace", NULL,
	  "Buffer-map KVA; 0: nbuf * BKVASIZE (16K)" },
	{ "bio", "hibufspace", PK_SIZE, "0", "vfs.hibufspace", NULL,
	  "KVA normal allocations stay under; 0: max(3/4 maxbufspace, "
	  "maxbufspace - 10 * MAXBSIZE)" },
	{ "bio", "lobufspace", PK_SIZE, "0", "vfs.lobufspace", NULL,
	  "Below this the cache grows instead of recycling; 0: hibufspace - MAXBSIZE" },
	{ "bio", "hidirtybuffers", PK_INT, "0", "vfs.hidirtybuffers", NULL,
	  "Dirty buffers at which writers stall in bwillwrite; 0: nbuf/4 + 20, "
	  "halved while over 3/4 of hibufspace" },
	{ "bio", "lodirtybuffers", PK_INT, "0", "vfs.lodirtybuffers", NULL,
	  "Dirty buffers buf_daemon flushes down to; 0: hidirtybuffers/2" },
	{ "bio", "lofreebuffers", PK_INT, "0", "vfs.lofreebuffers", NULL,
	  "Free-header low-water mark; 0: nbuf/18 + 5" },
	{ "bio", "hifreebuffers", PK_INT, "0", "vfs.hifreebuffers", NULL,
	  "Free-header high-water mark; 0: 2 * lofreebuffers" },
	{ "bio", "lorunningspace", PK_SIZE, "512K", "vfs.lorunningspace", NULL,
	  "Async writes in flight at which \"wdrain\" sleepers wake" },
	{ "bio", "hirunningspace", PK_SIZE, "1M", "vfs.hirunningspace", NULL,
	  "Async writes in flight beyond which writers sleep \"wdrain\"" },
	{ "bio", "bwillwrite", PK_BOOL, "true", "vfs.bwillwrite", NULL,
	  "Writers stall at hidirtybuffers (the seed's bwillwrite); false "
	  "takes the throttle out" },
	{ "bio", "dobkgrdwrite", PK_BOOL, "true", "debug.dobkgrdwrite", NULL,
	  "Write cylinder-group maps in the background: a copy is written and "
	  "the map stays usable (bwrite, January 2000 on, both eras); the "
	  "2001 kernels had no switch for it (5.x's debug.dobkgrdwrite)" },
	{ "bio", "policy", PK_ENUM, "freebsd", "vfs.bufpolicy", "freebsd|lru|clock|2q|arc",
	  "Which clean buffer getnewbuf recycles: FreeBSD's CLEAN queue (LRU "
	  "by release), or textbook LRU, CLOCK, 2Q, ARC" },
	{ "bio", "opt_bound", PK_BOOL, "false", NULL, NULL,
	  "At the end, replay the run's block references through every "
	  "policy and Belady's OPT for the same nbuf (memory: 24 bytes a reference)" },

	{ "vm", "kernel_wired", PK_SIZE, "10M", NULL, NULL,
	  "Memory the kernel itself wires at boot (not available for caching)" },
	{ "vm", "vmiodirenable", PK_BOOL, "true", "vfs.vmiodirenable", NULL,
	  "Directories use VMIO buffers, their blocks cached in the VM" },
	{ "vm", "io_reserve", PK_BOOL, "true", "vm.io_reserve", NULL,
	  "The seed's low-memory fix: buffer I/O allocates from the page "
	  "reserve and gives memory back under pressure; false: it blocks" },
	{ "vfs", "namecache", PK_BOOL, "true", "debug.vfscache", NULL,
	  "The name cache (vfs_cache.c); false: every lookup reads directories" },
	{ "vfs", "ncnegfactor", PK_INT, "16", "debug.ncnegfactor", NULL,
	  "Negative name-cache entries are held to 1/ncnegfactor of all entries" },
	{ "vfs", "maxvnodes", PK_INT, "0", "kern.maxvnodes", NULL,
	  "desiredvnodes: vnodes before vnlru recycles; 0: maxproc + pages/4" },
	{ "vfs", "iosize_max", PK_SIZE, "128K", "vfs.iosize_max", NULL,
	  "The mount's largest I/O (mnt_iosize_max: 128K from the ATA driver)" },

	{ "cluster", "read", PK_BOOL, "true", NULL, NULL,
	  "Clustered reads and read-ahead (cluster_read); false is a mount "
	  "with noclusterr: one block a read, plus one block read ahead "
	  "(breadn) for a sequential reader" },
	{ "cluster", "write", PK_BOOL, "true", NULL, NULL,
	  "Write clustering (cluster_write); false is a mount with noclusterw: "
	  "each completed block is written at once, alone (bawrite)" },
	{ "cluster", "read_max", PK_INT, "32", "vfs.read_max", NULL,
	  "Most blocks cluster_read keeps read ahead (MAXRA, 32, in 2001; "
	  "later kernels made it vfs.read_max, 8)" },
	{ "cluster", "write_behind", PK_INT, "1", "vfs.write_behind", NULL,
	  "0: completed clusters stay delayed writes; 1: a sequential "
	  "writer's completed cluster is written at once; 2: the cluster "
	  "before it is (one cluster of lag)" },
	{ "ffs", "doreallocblks", PK_BOOL, "true", "vfs.ffs.doreallocblks", NULL,
	  "cluster_write may move a file's blocks to make a cluster "
	  "contiguous (ffs_reallocblks)" },

	{ "syncer", "syncdelay", PK_TIME, "30s", NULL, NULL,
	  "How long the syncer waits before revisiting a vnode it could not clean" },
	{ "syncer", "filedelay", PK_TIME, "30s", "kern.filedelay", NULL,
	  "Age at which a file's dirty data is written by the syncer" },
	{ "syncer", "dirdelay", PK_TIME, "29s", "kern.dirdelay", NULL,
	  "Same, for directories" },
	{ "syncer", "metadelay", PK_TIME, "28s", "kern.metadelay", NULL,
	  "Same, for file-system metadata" },

	{ "ffs", "bsize", PK_SIZE, "16K", NULL, NULL,
	  "File-system block size (newfs -b)" },
	{ "ffs", "fsize", PK_SIZE, "2K", NULL, NULL,
	  "Fragment size (newfs -f)" },
	{ "ffs", "minfree", PK_INT, "8", "vfs.ffs.minfree", NULL,
	  "Percent of the data blocks kept back from ordinary writers (newfs -m)" },
	{ "ffs", "maxbpg", PK_INT, "0", "vfs.ffs.maxbpg", NULL,
	  "Blocks of one file in one cylinder group before the next section "
	  "moves on (newfs -e); 0: an indirect block's worth" },
	{ "ffs", "density", PK_SIZE, "0", NULL, NULL,
	  "Bytes of data space per inode (newfs -i); 0: 4 fragments" },
	{ "ffs", "cgsize", PK_SIZE, "0", NULL, NULL,
	  "Cylinder-group size; 0: as large as a cg block can map, as newfs "
	  "made them" },
	{ "ffs", "metadata", PK_ENUM, "sync", "vfs.ffs.metadata",
	  "sync|async|delayed",
	  "How metadata reaches the disk: sync (the default mount: new inodes "
	  "and directory changes written synchronously), async (mount -o async: "
	  "all delayed), delayed (soft-updates-like: delayed, no rollbacks)" },
	{ "ffs", "softdep", PK_ENUM, "off", "vfs.ffs.softdep", "off|on",
	  "Soft updates (tunefs -n enable; both eras): metadata delayed and "
	  "ordered by dependencies, with rollbacks; overrides "
	  "ffs.metadata=async (softdep_mount clears MNT_ASYNC); not with "
	  "delayed" },
	{ "ffs", "max_softdeps", PK_INT, "0", "debug.max_softdeps", NULL,
	  "Soft updates' dependencies before creators are slowed down "
	  "(request_cleanup, \"softupdate\"); 0: desiredvnodes * 8, as "
	  "softdep_initialize set it" },
	{ "ffs", "noatime", PK_BOOL, "false", "vfs.ffs.noatime", NULL,
	  "mount -o noatime: reads do not mark the inode for writing" },
	{ "ffs", "size", PK_SIZE, "8G", NULL, NULL,
	  "File-system size; must fit on the disk" },
	{ "ffs", "age", PK_DOUBLE, "0", NULL, NULL,
	  "How used the starting file system looks, 0 to 1: filler files of "
	  "log-normal sizes are made and deleted in rounds, the trace's files "
	  "laid out among them, until this share of the space ordinary "
	  "writers may use is taken, its free space scattered (replay.seed "
	  "picks them); 0: a fresh file system" },

	/*
	 * The default drive is a 2000-era 10,000 rpm SCSI disk of about 11 GB
	 * (the class of the Seagate Cheetah 18XL and IBM Ultrastar 36LZX, and
	 * of the validated Cheetah 9LP in disks/): 12 zones of 1000 cylinders
	 * from 390 down to 247 sectors a track (33 to 21 MB/s), 6 surfaces,
	 * a seek of 1 ms to the next cylinder, 5.0 ms on average over all
	 * pairs of cylinders and 10 ms full stroke, and a 2 MB cache in four
	 * segments that reads ahead and reports writes from the cache.
	 */
	{ "disk", "diskspecs", PK_STRING, "", NULL, NULL,
	  "DiskSim 4.0 parameter file (.parv or .diskspecs, with its .model "
	  "and .seek files) describing the drive; when set, the keys that "
	  "describe the drive must stay at their defaults.  A relative path is "
	  "looked up from the current directory, then from each profile's" },
	{ "disk", "rpm", PK_INT, "10000", NULL, NULL, "Spindle speed" },
	{ "disk", "heads", PK_INT, "6", NULL, NULL, "Recording surfaces" },
	{ "disk", "zones", PK_STRING,
	  "1000:390, 1000:377, 1000:364, 1000:351, 1000:338, 1000:325, "
	  "1000:312, 1000:299, 1000:286, 1000:273, 1000:260, 1000:247", NULL, NULL,
	  "Zones from the outer edge, comma-separated: CYLINDERS:SECTORS_PER_TRACK"
	  "[:TRACK_SKEW[:CYLINDER_SKEW]], skews in sectors (left out: the head "
	  "switch or one-cylinder seek plus the write settle, rounded up to "
	  "whole sectors, so that sequential writes stream as reads do)" },
	{ "disk", "seek", PK_ENUM, "hpl", NULL,
	  "hpl|hplplus10|extracted|curve|linear",
	  "Seek curve: a + b*sqrt(d) below seek_boundary and c + e*d above "
	  "(hpl), the same with seek_first10 for d <= 10 (hplplus10), the "
	  "points of seek_file (extracted), or through seek_min/avg/max (Lee's "
	  "curve, or straight lines)" },
	{ "disk", "seek_boundary", PK_INT, "2000", NULL, NULL,
	  "Seek distance (cylinders) where the curve turns linear" },
	{ "disk", "seek_a", PK_DOUBLE, "0.8", NULL, NULL,
	  "Short seeks: a + b*sqrt(d) ms" },
	{ "disk", "seek_b", PK_DOUBLE, "0.0716", NULL, NULL, "See seek_a" },
	{ "disk", "seek_c", PK_DOUBLE, "2.8", NULL, NULL,
	  "Long seeks: c + e*d ms" },
	{ "disk", "seek_e", PK_DOUBLE, "0.0006", NULL, NULL, "See seek_c" },
	{ "disk", "seek_single", PK_TIME, "1ms", NULL, NULL,
	  "One-cylinder seek (hpl; 0: from the curve)" },
	{ "disk", "seek_first10", PK_STRING, "", NULL, NULL,
	  "hplplus10: seek times in ms for 1 to 10 cylinders, comma-separated" },
	{ "disk", "seek_file", PK_STRING, "", NULL, NULL,
	  "extracted: a DiskSim .seek file of distance, ms points" },
	{ "disk", "seek_min", PK_TIME, "1ms", NULL, NULL,
	  "curve, linear: one-cylinder seek" },
	{ "disk", "seek_avg", PK_TIME, "5ms", NULL, NULL,
	  "curve, linear: average seek over all pairs of cylinders" },
	{ "disk", "seek_max", PK_TIME, "10ms", NULL, NULL,
	  "curve, linear: full-stroke seek" },
	{ "disk", "head_switch", PK_TIME, "700us", NULL, NULL,
	  "Time to switch to another surface" },
	{ "disk", "write_settle", PK_TIME, "300us", NULL, NULL,
	  "Extra settle time before writing after a seek or head switch" },
	{ "disk", "overhead_read_hit", PK_TIME, "100us", NULL, NULL,
	  "Controller time for a read served from the cache" },
	{ "disk", "overhead_read_miss", PK_TIME, "300us", NULL, NULL,
	  "Controller time for a read from the media, before the seek" },
	{ "disk", "overhead_write", PK_TIME, "500us", NULL, NULL,
	  "Controller time for a write, before data or seek" },
	{ "disk", "overhead_complete", PK_TIME, "50us", NULL, NULL,
	  "Controller time to report a command complete" },
	{ "disk", "bus_rate", PK_SIZE, "80M", NULL, NULL,
	  "Bytes per second between drive and host (the bus overlaps the "
	  "media transfer)" },
	{ "disk", "cache_segments", PK_INT, "4", NULL, NULL,
	  "Segments of the on-board cache" },
	{ "disk", "cache_segment_size", PK_SIZE, "512K", NULL, NULL,
	  "Size of each cache segment" },
	{ "disk", "readahead", PK_ENUM, "segment", NULL,
	  "none|track|cylinder|segment|next-track",
	  "What the drive reads ahead after a read: nothing, to the end of the "
	  "track or cylinder, until the segment (or readahead_max) is full, or "
	  "to the end of the next track" },
	{ "disk", "readahead_max", PK_SIZE, "0", NULL, NULL,
	  "Most the drive reads past a request (0: the segment's size)" },
	{ "disk", "write_cache", PK_ENUM, "on", NULL, "off|sequential|on",
	  "Report writes complete once in the cache (write-back): never, for "
	  "sequential streams, or always" },
	{ "disk", "queue_depth", PK_INT, "1", NULL, NULL,
	  "Commands the drive accepts at once (tagged queueing): it receives "
	  "each as it arrives and serves one at a time, the next in "
	  "disk.scheduler's order when its heads are free" },
	{ "disk", "scheduler", PK_ENUM, "fcfs", NULL, "fcfs|sstf|clook|cycle_lbn|sstf_lbn|sptf|sptf_opt",
	  "Order of the drive's own queue (with queue_depth > 1)" },
	{ "disk", "errors", PK_STRING, "", NULL, NULL,
	  "Sectors the drive fails, comma-separated: FIRST[-LAST]:r|w|rw"
	  "[:transient|permanent] (512-byte sectors, as disk_io.sector; "
	  "permanent: every command touching them fails with EIO; transient: "
	  "the next one only; permanent when left out).  Not a property of "
	  "the drive: allowed beside disk.diskspecs" },
	{ "disk", "error_rate", PK_DOUBLE, "0", NULL, NULL,
	  "Chance that any command fails with EIO (transiently), drawn from "
	  "the run's seed (replay.seed)" },

	{ "diskq", "scheduler", PK_ENUM, "auto", NULL, "auto|fcfs|sstf|clook|cycle_lbn|sstf_lbn|sptf|sptf_opt",
	  "Host request-queue order: FreeBSD's one-way elevator (bufqdisksort, "
	  "what its disk drivers did), first come first served, shortest seek, "
	  "DiskSim 4.0's CYCLE_LBN and SSTF_LBN as it dispatches them, "
	  "shortest positioning time, DiskSim 4.0's SPTF_OPT (its estimate "
	  "from the platter's angle when the last sector passed); auto: "
	  "clook, but for vfssim disk with a DiskSim .parv whose I/O driver "
	  "names its own, that one" },

	{ "snapshot", "at", PK_TIMES, "", NULL, NULL,
	  "Simulated times at which a snapshot of the file system is taken "
	  "(snap1, snap2, ...; as mksnap_ffs would), comma-separated; "
	  "5.0-CURRENT only" },
	{ "snapshot", "remove_at", PK_TIMES, "", NULL, NULL,
	  "Simulated times at which the oldest snapshot is removed" },

	{ "crash", "at", PK_TIMES, "", NULL, NULL,
	  "Simulated times at which the machine crashes, comma-separated: at "
	  "each the disk as it is then is fsck'ed and what processes lose is "
	  "recorded (the run goes on as if it had not)" },

	{ "replay", "seed", PK_INT, "1", NULL, NULL,
	  "Seed of the run's random choices" },
	{ "replay", "think", PK_ENUM, "trace", NULL, "trace|none",
	  "Time between a process's calls: as traced, or none (back to back)" },
	{ "replay", "order", PK_ENUM, "causal", NULL,
	  "causal|temporal|resource|free",
	  "Which order processes' calls keep across processes: causal (the "
	  "trace's fork, exec, wait and exit; where a process's creation or "
	  "waits are not traced, it does not start, or resume, before the "
	  "processes that ended before it in the trace have ended), temporal "
	  "(no call starts before every call that had returned before it "
	  "started in the trace has returned), resource (calls on the same "
	  "file, name or pipe keep their traced order), free (only fork and "
	  "wait)" },
	{ "replay", "passthrough", PK_STRING, "/dev:/proc:/sys", NULL, NULL,
	  "Colon-separated path prefixes that are not files of the simulated "
	  "file system: calls on them take the traced time" },
	{ "replay", "readahead", PK_INT, "10000", NULL, NULL,
	  "Most calls held in memory ahead of the processes that need them; "
	  "beyond, a lagging process's calls wait in a temporary file" },
	{ "replay", "verify", PK_BOOL, "false", NULL, NULL,
	  "Track a version of every block written and check at the end that "
	  "the disk holds the last one (summary verify.*)" },
	{ "replay", "check_every_event", PK_BOOL, "false", NULL, NULL,
	  "Check the buffer and page accounting after every event (test "
	  "builds with INVARIANTS; slow)" },
	{ "replay", "sample_interval", PK_TIME, "1s", NULL, NULL,
	  "Simulated time between rows of the samples table" },
	{ "replay", "mmap", PK_ENUM, "touch-all", NULL,
	  "touch-all|first-page|none",
	  "Pages of a mapped file a program is taken to touch, as strace "
	  "cannot show it: every page of the mapping once (written, for a "
	  "shared writable one), the first page, or none" },
	{ NULL, NULL, 0, NULL, NULL, NULL, NULL }
};

/*
 * The range of each numeric setting: what a machine of 2001 could have,
 * with headroom, and so what keeps a run's memory and time in proportion
 * to the machine it models (the simulation keeps a structure for every
 * page of memory, buffer header and cylinder group: a value far beyond
 * the era would cost gigabytes before the first call).  A value outside
 * is refused where it is given (the file and line, or --set) with the
 * range and why; where 0 means "sized as the kernel sizes it", 0 is taken
 * too.  Keys not listed have no range beyond their type's.
 */
static const struct krange {
	const char	*name;		/* group.key */
	const char	*lo, *hi;	/* in the key's units */
	bool		 zero;		/* 0 (derived) is taken too */
	const char	*why;
} key_ranges[] = {
	{ "machine.memory", "4M", "4G", false, "an i386 of 2001 addressed at "
	  "most 4 GB; the simulation keeps 64 bytes for each 4 KB page" },
	{ "machine.hz", "10", "10000", false, "clock ticks a second" },
	{ "cpu.copy_rate", "1M", "64G", false, "bytes a second" },
	{ "bio.nbuf", "16", "100000", true, "the kernel sizes 26,878 buffers "
	  "for 4 GB; each header costs the simulation about 600 bytes" },
	{ "bio.nswbuf", "2", "4096", true, "the kernel sized 16 to 256" },
	{ "bio.maxbufspace", "64K", "4G", true, "buffer-map KVA, within memory" },
	{ "bio.hibufspace", "4K", "4G", true, "buffer-map KVA, within memory" },
	{ "bio.lobufspace", "4K", "4G", true, "buffer-map KVA, within memory" },
	{ "bio.hidirtybuffers", "1", "100000", true, "at most the buffers" },
	{ "bio.lodirtybuffers", "1", "100000", true, "at most the buffers" },
	{ "bio.lofreebuffers", "1", "100000", true, "at most the buffers" },
	{ "bio.hifreebuffers", "1", "100000", true, "at most the buffers" },
	{ "bio.lorunningspace", "4K", "1G", false, "bytes of writes in flight" },
	{ "bio.hirunningspace", "4K", "1G", false, "bytes of writes in flight" },
	{ "vm.kernel_wired", "0", "4G", false, "within memory" },
	{ "vfs.ncnegfactor", "1", "1024", false, "a share of the name cache" },
	{ "vfs.maxvnodes", "16", "10000000", true, "vnodes are made as calls "
	  "need them; this only limits them" },
	{ "vfs.iosize_max", "4K", "128K", false, "MAXPHYS, 128 KB, bounds an "
	  "I/O" },
	{ "cluster.read_max", "1", "1024", false, "blocks read ahead" },
	{ "cluster.write_behind", "0", "2", false, "0, 1 or 2" },
	{ "ffs.bsize", "4K", "64K", false, "MAXBSIZE, 64 KB" },
	{ "ffs.fsize", "512", "64K", false, "a sector to a block" },
	{ "ffs.minfree", "0", "99", false, "a percentage" },
	{ "ffs.max_softdeps", "1", "100000000", true, "inode dependencies "
	  "(each costs the simulation about 100 bytes)" },
	{ "ffs.maxbpg", "1", "1000000", true, "blocks" },
	{ "ffs.density", "512", "1G", true, "bytes a file-system inode stands "
	  "for (newfs -i)" },
	{ "ffs.cgsize", "1M", "64G", true, "a cylinder group costs the "
	  "simulation its maps; newfs's groups were tens of MB" },
	{ "ffs.size", "1M", "256G", false, "the largest drives of 2001 held "
	  "about 180 GB; the simulation keeps a bit for each fragment" },
	{ "ffs.age", "0", "1", false, "a share of the space" },
	{ "disk.rpm", "1000", "30000", false, "drives of 2001 spun at 4,500 "
	  "to 15,000 rpm" },
	{ "disk.heads", "1", "255", false, "recording surfaces" },
	{ "disk.bus_rate", "64K", "16G", false, "bytes a second" },
	{ "disk.cache_segments", "1", "256", false, "segments of the drive's "
	  "cache" },
	{ "disk.cache_segment_size", "512", "256M", false, "a drive's cache of "
	  "2001 held 2 to 16 MB" },
	{ "disk.readahead_max", "0", "256M", false, "within the cache" },
	{ "disk.queue_depth", "1", "256", false, "tagged commands (SCSI: 256 "
	  "tags at most)" },
	{ "disk.error_rate", "0", "1", false, "a probability" },
	{ "replay.readahead", "16", "10000000", false, "calls held in memory "
	  "ahead of the processes, a few hundred bytes each, as they are "
	  "needed" },
	{ "replay.sample_interval", "1ms", "86400s", false, "a row of the samples "
	  "table each interval" },
	{ NULL, NULL, NULL, false, NULL }
};

struct profile {
	GKeyFile	*kf;		/* every key, always present */
	GString		*sources;
};

/* Other names some keys go by: the names vfssim sysctl prints them
 * under where the kernel has no sysctl of its own (the memory in MB, the
 * era; syncdelay is a static int of vfs_subr.c; the block and fragment
 * sizes are newfs's -b and -f, printed with the file system's
 * parameters), so that every line it prints can be given back to --set. */
static const struct alias {
	const char	*name;
	const char	*group, *key;
	const char	*suffix;	/* appended to the value given */
} aliases[] = {
	{ "machine.memory_mb", "machine", "memory", "M" },
	{ "kernel.era", "machine", "era", "" },
	{ "kern.syncdelay", "syncer", "syncdelay", "s" },
	{ "vfs.ffs.bsize", "ffs", "bsize", "" },
	{ "vfs.ffs.fsize", "ffs", "fsize", "" },
	{ NULL, NULL, NULL, NULL }
};

const char *
profile_alias_of(const struct pkey *k)
{
	const struct alias *a;

	for (a = aliases; a->name != NULL; a++)
		if (strcmp(a->group, k->group) == 0 && strcmp(a->key, k->key) == 0)
			return a->name;
	return NULL;
}

/*
 * A run reads some hundred settings by name (disk_from_profile alone some
 * fifty), each a walk down the table: the key's first byte is tested
 * before any strcmp, so that a walk costs a load and a comparison an
 * entry, not a call (about 80 strcmp calls a look-up otherwise).
 */
static const struct pkey *
find_key(const char *group, const char *key)
{
	const struct pkey *k;
	char c = key[0];

	for (k = profile_keys; k->group != NULL; k++)
		if (k->key[0] == c && strcmp(k->key, key) == 0 &&
		    strcmp(k->group, group) == 0)
			return k;
	return NULL;
}

static const struct pkey *
find_sysctl(const char *name)
{
	const struct pkey *k;

	for (k = profile_keys; k->group != NULL; k++)
		if (k->sysctl != NULL && strcmp(k->sysctl, name) == 0)
			return k;
	return NULL;
}

const struct pkey *
profile_lookup(const char *name)
{
	const char *dot = strchr(name, '.');
	const struct pkey *k = NULL;

	if (dot != NULL) {
		char *group = g_strndup(name, (size_t)(dot - name));

		k = find_key(group, dot + 1);
		g_free(group);
	}
	return k != NULL ? k : find_sysctl(name);
}

static bool
group_known(const char *group)
{
	const struct pkey *k;

	for (k = profile_keys; k->group != NULL; k++)
		if (strcmp(k->group, group) == 0)
			return true;
	return false;
}

/* ---- values ---------------------------------------------------------- */

bool
profile_parse_size(const char *s, int64_t *out)
{
	char *end;
	double v;
	int64_t mult = 1;

	errno = 0;
	v = g_ascii_strtod(s, &end);
	if (end == s || errno != 0 || v < 0 || !isfinite(v))
		return false;
	if (*end != '\0') {
		switch (g_ascii_toupper(*end)) {
		case 'K': mult = 1LL << 10; break;
		case 'M': mult = 1LL << 20; break;
		case 'G': mult = 1LL << 30; break;
		case 'T': mult = 1LL << 40; break;
		default: return false;
		}
		end++;
		if (g_ascii_toupper(*end) == 'B')
			end++;
		if (*end != '\0')
			return false;
	}
	if (v * (double)mult > 9.0e18)
		return false;
	*out = (int64_t)llround(v * (double)mult);
	return true;
}

bool
profile_parse_time(const char *s, int64_t *out)
{
	char *end;
	double v, mult;

	errno = 0;
	v = g_ascii_strtod(s, &end);
	if (end == s || errno != 0 || v < 0 || !isfinite(v))
		return false;
	if (strcmp(end, "ns") == 0)
		mult = 1;
	else if (strcmp(end, "us") == 0)
		mult = 1e3;
	else if (strcmp(end, "ms") == 0)
		mult = 1e6;
	else if (strcmp(end, "s") == 0)
		mult = 1e9;
	else if (strcmp(end, "min") == 0)
		mult = 60e9;
	else
		return false;	/* a time needs its unit */
	if (v * mult > 9.0e18)
		return false;
	*out = (int64_t)llround(v * mult);
	return true;
}

static const struct krange *
range_of(const struct pkey *k)
{
	const struct krange *r;
	size_t gl = strlen(k->group);

	for (r = key_ranges; r->name != NULL; r++)
		if (strncmp(r->name, k->group, gl) == 0 && r->name[gl] == '.' &&
		    strcmp(r->name + gl + 1, k->key) == 0)
			return r;
	return NULL;
}

bool
profile_key_range(const struct pkey *k, const char **lo, const char **hi,
    bool *zero, const char **why)
{
	const struct krange *r = range_of(k);

	if (r == NULL)
		return false;
	*lo = r->lo;
	*hi = r->hi;
	*zero = r->zero;
	*why = r->why;
	return true;
}

/* A numeric setting's value as a number (exact in every range). */
static bool
value_number(const struct pkey *k, const char *v, double *d)
{
	int64_t i;
	char *end;

	switch (k->type) {
	case PK_INT:
		errno = 0;
		i = g_ascii_strtoll(v, &end, 10);
		if (end == v || *end != '\0' || errno != 0)
			return false;
		*d = (double)i;
		return true;
	case PK_SIZE:
		if (!profile_parse_size(v, &i))
			return false;
		*d = (double)i;
		return true;
	case PK_TIME:
		if (!profile_parse_time(v, &i))
			return false;
		*d = (double)i;
		return true;
	case PK_DOUBLE:
		*d = g_ascii_strtod(v, &end);
		return end != v && *end == '\0';
	default:
		return false;
	}
}

/* Within its range (key_ranges), if it has one. */
static bool
check_range(const struct pkey *k, const char *v, GError **err,
    const char *where, const char *name)
{
	const struct krange *r = range_of(k);
	double x, lo, hi;

	if (r == NULL || !value_number(k, v, &x))
		return true;
	if (!value_number(k, r->lo, &lo) || !value_number(k, r->hi, &hi))
		g_error("profile: bad range of %s", r->name);	/* a bug */
	if ((r->zero && x == 0) || (x >= lo && x <= hi))
		return true;
	g_set_error(err, PROFILE_ERROR, 0, "%s%s = \"%s\": out of range: "
	    "%s%s to %s (%s)", where, name, v, r->zero ? "0, or " :
	    "", r->lo, r->hi, r->why);
	return false;
}

/* Is v a value of k?  An error names the setting as the user did (name:
 * group.key, or the sysctl name given to --set), after where. */
static bool
check_value(const struct pkey *k, const char *v, GError **err, const char *where,
    const char *name)
{
	int64_t i;
	char *end;
	bool ok = true;
	const char *what = NULL;
	const char *ch;

	/* A value is a line of text: GKeyFile hands back only UTF-8, and a
	 * control character would break the profile's print (the runs
	 * table's, which plot and report load back). */
	for (ch = v; *ch != '\0' && (unsigned char)*ch >= 0x20 && *ch != 0x7f;
	    ch++)
		;
	if (*ch != '\0' || !g_utf8_validate(v, -1, NULL)) {
		g_set_error(err, PROFILE_ERROR, 0, "%s%s: the value is not a "
		    "line of UTF-8 text", where, name);
		return false;
	}
	switch (k->type) {
	case PK_INT:
		errno = 0;
		(void)g_ascii_strtoll(v, &end, 10);
		ok = end != v && *end == '\0' && errno == 0;
		what = "an integer";
		break;
	case PK_SIZE:
		ok = profile_parse_size(v, &i);
		what = "a size (e.g. 512, 8K, 128M)";
		break;
	case PK_TIME:
		ok = profile_parse_time(v, &i);
		what = "a time with its unit (e.g. 500ns, 20us, 1.5ms, 30s)";
		break;
	case PK_DOUBLE: {
		double d;

		/* nan and inf are not numbers a model can use */
		errno = 0;
		d = g_ascii_strtod(v, &end);
		ok = end != v && *end == '\0' && errno == 0 && isfinite(d);
		what = "a number";
		break;
	}
	case PK_BOOL:
		/* 1 and 0 too: what sysctl(8) users write */
		ok = strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "1") == 0 || strcmp(v, "0") == 0;
		what = "true or false (or 1 or 0)";
		break;
	case PK_STRING:
		break;
	case PK_TIMES: {
		int64_t *t = NULL;
		int n;

		ok = profile_parse_times(v, &t, &n);
		g_free(t);
		what = "times with their units, comma-separated (e.g. 30s,1.5min), "
		    "at most " G_STRINGIFY(PROFILE_MAX_TIMES);
		break;
	}
	case PK_ENUM: {
		char **c = g_strsplit(k->choices, "|", -1), **cp;

		ok = false;
		for (cp = c; *cp != NULL; cp++)
			if (strcmp(*cp, v) == 0)
				ok = true;
		g_strfreev(c);
		what = k->choices;
		break;
	}
	}
	if (!ok) {
		g_set_error(err, PROFILE_ERROR, 0,
		    "%s%s = \"%s\": expected %s", where, name, v, what);
		return false;
	}
	return check_range(k, v, err, where, name);
}

/* ---- the profile object ---------------------------------------------- */

struct profile *
profile_new(void)
{
	struct profile *p = g_new0(struct profile, 1);
	const struct pkey *k;

	p->kf = g_key_file_new();
	for (k = profile_keys; k->group != NULL; k++)
		g_key_file_set_value(p->kf, k->group, k->key, k->dflt);
	p->sources = g_string_new("");
	return p;
}

struct profile *
profile_copy(const struct profile *src)
{
	struct profile *p = profile_new();
	const struct pkey *k;

	for (k = profile_keys; k->group != NULL; k++) {
		char *v = g_key_file_get_value(src->kf, k->group, k->key, NULL);

		g_key_file_set_value(p->kf, k->group, k->key, v);
		g_free(v);
	}
	g_string_assign(p->sources, src->sources->str);
	return p;
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	g_key_file_free(p->kf);
	g_string_free(p->sources, TRUE);
	g_free(p);
}

/* Where each group header and key sits in the file text. */
struct lines {
	GHashTable	*at;		/* "group\nkey" or "group" -> line */
};

static bool
index_lines(const char *path, const char *text, struct lines *li, GError **err)
{
	char **lines = g_strsplit(text, "\n", -1);
	char *group = NULL;
	bool ok = true;
	int n;

	li->at = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (n = 0; lines[n] != NULL; n++) {
		char *l = g_strstrip(lines[n]);
		char *eq;

		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');

			if (close == NULL || close[1] != '\0' || close == l + 1) {
				g_set_error(err, PROFILE_ERROR, 0,
				    "%s:%d: malformed group header \"%s\"", path,
				    n + 1, l);
				ok = false;
				break;
			}
			g_free(group);
			group = g_strndup(l + 1, (size_t)(close - l - 1));
			if (!g_hash_table_contains(li->at, group))
				g_hash_table_insert(li->at, g_strdup(group),
				    GINT_TO_POINTER(n + 1));
			continue;
		}
		eq = strchr(l, '=');
		if (eq == NULL || eq == l) {
			g_set_error(err, PROFILE_ERROR, 0,
			    "%s:%d: expected \"key = value\", a [group] or a "
			    "comment, got \"%s\"", path, n + 1, l);
			ok = false;
			break;
		}
		if (group == NULL) {
			g_set_error(err, PROFILE_ERROR, 0,
			    "%s:%d: key outside any [group]", path, n + 1);
			ok = false;
			break;
		}
		*eq = '\0';
		g_hash_table_insert(li->at,
		    g_strdup_printf("%s\n%s", group, g_strstrip(l)),
		    GINT_TO_POINTER(n + 1));
	}
	g_free(group);
	g_strfreev(lines);
	return ok;
}

static int
line_of(struct lines *li, const char *group, const char *key)
{
	char *k = key != NULL ? g_strdup_printf("%s\n%s", group, key) :
	    g_strdup(group);
	int n = GPOINTER_TO_INT(g_hash_table_lookup(li->at, k));

	g_free(k);
	return n;
}

bool
profile_load(struct profile *p, const char *path, GError **err)
{
	char *text = NULL;
	gsize len;
	GKeyFile *kf;
	GError *kerr = NULL;
	struct lines li = { NULL };
	gchar **groups = NULL, **g;
	bool ok = false;

	if (!g_file_get_contents(path, &text, &len, &kerr)) {
		g_set_error(err, PROFILE_ERROR, 0, "%s", kerr->message);
		g_error_free(kerr);
		return false;
	}
	if (memchr(text, '\0', len) != NULL || !g_utf8_validate(text, (gssize)len, NULL)) {
		g_set_error(err, PROFILE_ERROR, 0,
		    "%s: not a text file (binary or invalid UTF-8)", path);
		g_free(text);
		return false;
	}
	if (!index_lines(path, text, &li, err))
		goto out;
	kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &kerr)) {
		g_set_error(err, PROFILE_ERROR, 0, "%s: %s", path, kerr->message);
		g_error_free(kerr);
		g_key_file_free(kf);
		goto out;
	}
	/* Validate everything before changing anything. */
	groups = g_key_file_get_groups(kf, NULL);
	for (g = groups; *g != NULL; g++) {
		gchar **keys, **kp;

		if (!group_known(*g)) {
			g_set_error(err, PROFILE_ERROR, 0,
			    "%s:%d: unknown group [%s]", path, line_of(&li, *g, NULL),
			    *g);
			g_key_file_free(kf);
			goto out;
		}
		keys = g_key_file_get_keys(kf, *g, NULL, NULL);
		for (kp = keys; *kp != NULL; kp++) {
			const struct pkey *k = find_key(*g, *kp);
			char *v, *where, *kname;
			bool good;

			if (k == NULL) {
				g_set_error(err, PROFILE_ERROR, 0,
				    "%s:%d: unknown key \"%s\" in [%s]", path,
				    line_of(&li, *g, *kp), *kp, *g);
				g_strfreev(keys);
				g_key_file_free(kf);
				goto out;
			}
			v = g_key_file_get_string(kf, *g, *kp, NULL);
			where = g_strdup_printf("%s:%d: ", path, line_of(&li, *g, *kp));
			kname = g_strdup_printf("%s.%s", k->group, k->key);
			good = v != NULL && check_value(k, v, err, where, kname);
			g_free(kname);
			if (v == NULL)
				g_set_error(err, PROFILE_ERROR, 0,
				    "%sunreadable value for %s", where, *kp);
			g_free(where);
			g_free(v);
			if (!good) {
				g_strfreev(keys);
				g_key_file_free(kf);
				goto out;
			}
		}
		g_strfreev(keys);
	}
	for (g = groups; *g != NULL; g++) {
		gchar **keys = g_key_file_get_keys(kf, *g, NULL, NULL), **kp;

		for (kp = keys; *kp != NULL; kp++) {
			char *v = g_key_file_get_string(kf, *g, *kp, NULL);

			g_key_file_set_value(p->kf, *g, *kp, v);
			g_free(v);
		}
		g_strfreev(keys);
	}
	g_key_file_free(kf);
	if (p->sources->len > 0)
		g_string_append(p->sources, ", ");
	g_string_append(p->sources, path);
	ok = true;
out:
	g_strfreev(groups);
	if (li.at != NULL)
		g_hash_table_destroy(li.at);
	g_free(text);
	return ok;
}

bool
profile_set(struct profile *p, const char *assignment, GError **err)
{
	const char *eq = strchr(assignment, '=');
	char *name, *value, *dot;
	const struct pkey *k = NULL;
	bool ok;

	if (eq == NULL || eq == assignment) {
		g_set_error(err, PROFILE_ERROR, 0,
		    "--set %s: expected group.key=value", assignment);
		return false;
	}
	name = g_strstrip(g_strndup(assignment, (size_t)(eq - assignment)));
	value = g_strstrip(g_strdup(eq + 1));
	dot = strchr(name, '.');
	if (dot != NULL) {
		*dot = '\0';
		k = find_key(name, dot + 1);
		*dot = '.';
	}
	if (k == NULL && (k = find_sysctl(name)) != NULL && k->type == PK_TIME &&
	    *value != '\0' && strspn(value, "0123456789") == strlen(value)) {
		/* By its sysctl name a delay is what the kernel's sysctl
		 * holds, an integer of seconds (vfs_subr.c: time_t
		 * filedelay = 30, SYSCTL_INT(_kern, OID_AUTO, filedelay)),
		 * as vfssim sysctl prints it; by its profile name a time
		 * needs its unit. */
		char *v2 = g_strconcat(value, "s", NULL);

		g_free(value);
		value = v2;
	}
	if (k == NULL) {
		const struct alias *a;

		for (a = aliases; a->name != NULL; a++)
			if (strcmp(a->name, name) == 0)
				break;
		if (a->name != NULL) {
			char *v2 = g_strconcat(value, a->suffix, NULL);

			k = find_key(a->group, a->key);
			g_free(value);
			value = v2;
		}
	}
	if (k == NULL) {
		g_set_error(err, PROFILE_ERROR, 0,
		    "--set %s: unknown setting \"%s\" (vfssim profile --list shows them all)",
		    assignment, name);
		g_free(name);
		g_free(value);
		return false;
	}
	ok = check_value(k, value, err, "--set ", name);
	if (ok)
		g_key_file_set_value(p->kf, k->group, k->key, value);
	g_free(name);
	g_free(value);
	return ok;
}

/* The key group.key of the table (a bug if there is none). */
static const struct pkey *
must_key(const char *group, const char *key)
{
	const struct pkey *k = find_key(group, key);

	if (k == NULL)
		g_error("profile: no key %s.%s", group, key);	/* a bug */
	return k;
}

static char *
raw(const struct profile *p, const char *group, const char *key,
    enum pkey_type want)
{
	(void)must_key(group, key);
	(void)want;
	return g_key_file_get_string(p->kf, group, key, NULL);
}

int64_t
profile_int(const struct profile *p, const char *group, const char *key)
{
	/* The key looked up once, not again by raw(). */
	const struct pkey *k = must_key(group, key);
	char *v = g_key_file_get_string(p->kf, group, key, NULL);
	int64_t r = 0;

	switch (k->type) {
	case PK_SIZE:
		profile_parse_size(v, &r);
		break;
	case PK_TIME:
		profile_parse_time(v, &r);
		break;
	default:
		r = g_ascii_strtoll(v, NULL, 10);
		break;
	}
	g_free(v);
	return r;
}

double
profile_double(const struct profile *p, const char *group, const char *key)
{
	char *v = raw(p, group, key, PK_DOUBLE);
	double d = g_ascii_strtod(v, NULL);

	g_free(v);
	return d;
}

bool
profile_bool(const struct profile *p, const char *group, const char *key)
{
	char *v = raw(p, group, key, PK_BOOL);
	bool b = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;

	g_free(v);
	return b;
}

const char *
profile_str(const struct profile *p, const char *group, const char *key)
{
	char *v = raw(p, group, key, PK_STRING);
	/* Keep the string alive as long as the profile: GKeyFile hands out
	 * copies, so intern it. */
	const char *s = g_intern_string(v);

	g_free(v);
	return s;
}

bool
profile_parse_times(const char *s, int64_t **out, int *n)
{
	char **v = g_strsplit(s, ",", -1), **vp;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(int64_t));
	bool ok = true;

	for (vp = v; *vp != NULL && ok; vp++) {
		char *w = g_strstrip(*vp);
		int64_t t;

		if (*w == '\0' && v[1] == NULL)
			break;		/* "": no times */
		ok = profile_parse_time(w, &t) && t >= 0 &&
		    a->len < PROFILE_MAX_TIMES;
		if (ok)
			g_array_append_val(a, t);
	}
	g_strfreev(v);
	g_array_sort(a, cmp_int64);
	*n = (int)a->len;
	*out = (int64_t *)(void *)g_array_free(a, FALSE);
	return ok;
}

int64_t *
profile_times(const struct profile *p, const char *group, const char *key,
    int *n)
{
	char *v = raw(p, group, key, PK_TIMES);
	int64_t *t = NULL;

	(void)profile_parse_times(v, &t, n);
	g_free(v);
	return t;
}

char *
profile_value(const struct profile *p, const struct pkey *k)
{
	char *v = g_key_file_get_value(p->kf, k->group, k->key, NULL);

	return v != NULL ? v : g_strdup(k->dflt);
}

char *
profile_to_text(const struct profile *p)
{
	GString *out = g_string_new("");
	const struct pkey *k;
	const char *group = "";

	for (k = profile_keys; k->group != NULL; k++) {
		char *v = g_key_file_get_value(p->kf, k->group, k->key, NULL);

		/* appended piece by piece: printf's formatting had been most
		 * of the 0.2 M instructions this costs every run */
		if (strcmp(group, k->group) != 0) {
			if (*group)
				g_string_append_c(out, '\n');
			g_string_append_c(out, '[');
			g_string_append(out, k->group);
			g_string_append(out, "]\n");
			group = k->group;
		}
		g_string_append(out, k->key);
		g_string_append(out, " = ");
		g_string_append(out, v);
		g_string_append_c(out, '\n');
		g_free(v);
	}
	return g_string_free(out, FALSE);
}

const char *
profile_sources(const struct profile *p)
{
	return p->sources->len > 0 ? p->sources->str : "defaults";
}
