/*
 * replay_record.c — what a run records.
 *
 * Each call as it ends: its latency and where its time went, on the CPU
 * or asleep on each wait message (record_call), and with --events its
 * syscalls row; each disk request (on_disk_done).  Every sample interval
 * the machine's state and who sleeps where (sampler, which is also the
 * watchdog of a stuck run).  At the end the summary, the histograms and
 * each call type's time split (write_summary), and the block references
 * handed to vfssim mrc (hand_refs).
 */
#include "replay_private.h"
#include "file.h"
#include "fsmanifest.h"
#include "disktrace.h"
#include "engine.h"
#include "hist.h"
#include "kassert.h"
#include "kern.h"
#include "metrics.h"
#include "prepass.h"
#include "vm.h"
#include "syscalls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Waits that are waits for the disk, and which requests' breakdown
 * splits them (time_split). */
static const struct {
	const char	*wmesg;
	bool		 write;
} disk_waits[] = {
	{ "biord", false },	/* bread, cluster_read: biowait */
	{ "biowr", true },	/* bwrite: biowait */
	{ "ffsfsn", true },	/* fsync: the vnode's writes in flight */
	{ "spread", false },	/* a page fault: the vnode pager's read */
};

/* The time split's names of the disk's phases. */
static const char *const disk_part_names[DP__COUNT] = {
	"disk:queue", "disk:controller", "disk:bus", "disk:media wait",
	"disk:cache room", "disk:cache drain", "disk:cache full",
	"disk:read-ahead", "disk:seek", "disk:rotation", "disk:transfer",
};

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys of a table in sorted order: iteration order must not leak into
 * what a run writes. */
static GPtrArray *
sorted_keys(GHashTable *h)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, cmp_str);
	return keys;
}

/* ---- recording ------------------------------------------------------- */

static struct callstat *
callstat(struct replay *r, const struct trace_call *tc)
{
	const char *name = tc->name;
	struct callstat *cs;

	if (tc->sc != SC_OTHER)
		return &r->scstats[tc->sc];
	cs = g_hash_table_lookup(r->stats, name);

	if (cs == NULL) {
		cs = g_new0(struct callstat, 1);
		g_hash_table_insert(r->stats, g_strdup(name), cs);
	}
	return cs;
}

void
callstat_free(gpointer p)
{
	struct callstat *cs = p;

	g_free(cs->h);
	if (cs->waits != NULL)
		g_hash_table_destroy(cs->waits);
	g_free(cs);
}

struct waitsum {
	sim_time_t	 total, best;
	sim_time_t	 suspend, cow;	/* snapshots' part of total */
	const char	*wmesg;
	struct callstat	*cs;		/* add each wait to its time split */
};

static void
sum_wait(const char *wmesg, sim_time_t ns, void *arg)
{
	struct waitsum *w = arg;

	w->total += ns;
	if (strcmp(wmesg, "suspfs") == 0)
		w->suspend += ns;
	else if (strcmp(wmesg, "physrd") == 0 || strcmp(wmesg, "cowwr") == 0)
		w->cow += ns;
	if (ns > w->best) {
		w->best = ns;
		w->wmesg = wmesg;
	}
	if (w->cs != NULL) {
		gpointer v = g_hash_table_lookup(w->cs->waits, wmesg);

		g_hash_table_insert(w->cs->waits, (gpointer)wmesg,
		    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(v) + (gsize)ns));
	}
}

/* The inode of the file at descriptor fd of the process, or -1. */
static int64_t
fd_ino(const struct uproc *u, int32_t fd)
{
	struct file *fp;

	if (fd < 0 || u->kp == NULL || u->kp->p_fd == NULL ||
	    (fp = fget(u->kp->p_fd, fd)) == NULL || fp->f_vnode == NULL ||
	    fp->f_vnode->v_data == NULL)
		return -1;
	return (int64_t)fp->f_vnode->v_data->i_number;
}

/*
 * The name a call reached a file by, for the record: the path it named
 * (open, stat, unlink ...) or, for a call on a descriptor, the file strace
 * -y said the descriptor was (its annotation) or failing that the name the
 * file was last reached by in the run.  Each file's latest name is kept
 * by inode, for the disk requests made for it (disk_io.path).
 */
static const char *
call_path(struct replay *r, struct uproc *u, const struct trace_call *tc,
    const struct sys_outcome *out)
{
	const char *name = out->path != NULL ? out->path : tc->fdpath;
	const char *had;
	int64_t ino = -1;

	if (out->fd >= 0)
		ino = fd_ino(u, out->fd);
	else if (out->path != NULL && !tc->ret_unknown && tc->ret >= 0 &&
	    (strcmp(tc->name, "open") == 0 || strcmp(tc->name, "openat") == 0 ||
	    strcmp(tc->name, "creat") == 0))
		ino = fd_ino(u, (int32_t)tc->ret);	/* the new descriptor */
	if (ino < 0)
		return name;
	/* A file's calls come in runs (open, read after read, close): the
	 * last inode's entry is remembered, and as only this function
	 * changes the table, it stays right until the next change here. */
	if (r->inopath_memo == ino + 1)
		had = r->inopath_had;
	else {
		had = g_hash_table_lookup(r->inopath, &ino);
		r->inopath_memo = ino + 1;
		r->inopath_had = had;
	}
	if (name != NULL) {
		/* most calls name the file it already had: nothing to copy */
		if (had == NULL || strcmp(had, name) != 0) {
			int64_t *key = g_new(int64_t, 1);
			char *copy = g_strdup(name);

			*key = ino;
			g_hash_table_replace(r->inopath, key, copy);
			r->inopath_had = copy;
		}
		return name;
	}
	return had;
}

void
record_call(struct replay *r, struct uproc *u, const struct trace_call *tc,
    const struct sys_outcome *out, sim_time_t start, sim_time_t end)
{
	struct callstat *cs = callstat(r, tc);
	struct waitsum w = { 0, 0, 0, 0, NULL, NULL };
	/* The name is for the rows alone (syscalls.path, and through
	 * r->inopath disk_io.path): without them, neither is looked up. */
	const char *path = r->o->events ? call_path(r, u, tc, out) : NULL;

	cs->n++;
	if (out->error == EIO)
		r->k->cnt.eio_calls++;
	if (out->cls == SYS_PASSTHROUGH)
		r->passthrough++;
	else {
		r->simulated++;
		if (cs->h == NULL) {
			cs->h = g_new(struct hist, 1);
			hist_init(cs->h);
			/* wmesgs are the kernel's string constants */
			cs->waits = g_hash_table_new(g_str_hash, g_str_equal);
		}
		hist_add(cs->h, end - start);
		/* Where the time went: each wait by its message, the rest
		 * on the CPU. */
		w.cs = cs;
		sim_proc_waits_foreach(curproc(r->sim), sum_wait, &w);
		cs->cpu += end - start - w.total;
	}
	if (r->o->events) {
		/*
		 * Every field set one by one, none by an initializer: the
		 * initializer's zeroing of the whole struct (its padding
		 * too) compiled to a `rep stos` a recorded call, whose
		 * start-up costs more than the stores.  A field added to
		 * struct syscall_row must be set here (the size below is
		 * the tripwire); its padding is never read (metrics_syscall
		 * copies the struct, the writer binds field by field).
		 */
		struct syscall_row row;

		G_STATIC_ASSERT(sizeof(struct syscall_row) == 120);
		row.pid = u->pid;
		row.call = tc->name;
		row.passthrough = out->cls == SYS_PASSTHROUGH;
		row.path = path;
		row.fd = out->fd;
		row.offset = out->off;
		row.bytes = out->bytes;
		row.start_ns = start;
		row.end_ns = end;
		row.result = tc->ret_unknown ? -1 : tc->ret;
		row.err = tc->ret == -1 ? tc->err : 0;

		/* A disk error failed the simulated call: the row shows
		 * what the simulated kernel returned. */
		if (out->error != 0) {
			row.result = -1;
			row.err = out->error;
		}

		/* What the call slept on (passthrough time is not a wait). */
		if (w.cs == NULL)
			sim_proc_waits_foreach(curproc(r->sim), sum_wait, &w);
		row.wait_ns = w.total;
		row.wmesg = w.wmesg;
		row.suspend_ns = w.suspend;
		row.cow_ns = w.cow;
		metrics_syscall(r->m, &row);
	}
}

/*
 * Who started a disk request: a traced process (the coroutine replaying
 * it, "pid N") with its pid, or a daemon of the kernel by its name
 * ("syncer", "bufdaemon", "pagedaemon", "vnlru"), or the run's own
 * ("snapshot", the final sync "shutdown"), or a callout ("interrupt").
 */
static void
issuer_of(const char *name, struct disk_io_row *row)
{
	int pid = 0, n;

	row->pid = -1;
	if (*name == '\0') {
		row->issuer = "interrupt";
		return;
	}
	/* A process's name as replay.c makes it, "pid " and its digits, is
	 * read here; anything else by sscanf, as every name was (sscanf was
	 * a thousand instructions a disk request on the run's thread: 27 M
	 * on the bench's scan).  Nine digits at most: no int overflows. */
	if (strncmp(name, "pid ", 4) == 0) {
		for (n = 4; n < 13 && g_ascii_isdigit(name[n]); n++)
			pid = pid * 10 + (name[n] - '0');
		if (n > 4 && name[n] == '\0') {
			row->issuer = "process";
			row->pid = pid;
			return;
		}
	}
	if (sscanf(name, "pid %d", &pid) == 1) {
		row->issuer = "process";
		row->pid = pid;
	} else
		row->issuer = name;	/* the request's copy: it outlives the
					   row */
}

/* A disk request has completed (the kernel's hook): its phases for the
 * time split, and with --events its disk_io row. */
void
on_disk_done(void *arg, const struct diskreq *rq)
{
	struct replay *r = arg;
	struct disk_io_row row;
	sim_time_t *d = r->disk_ns[rq->write ? 1 : 0];

	d[DP_QUEUE] += rq->start - rq->submit;
	d[DP_CTLR] += rq->part_ns[DISK_PART_CTLR];
	d[DP_BUS] += rq->part_ns[DISK_PART_BUS];
	d[DP_MEDIA] += rq->part_ns[DISK_PART_MEDIA];
	d[DP_ROOM] += rq->part_ns[DISK_PART_ROOM];
	d[DP_DRAIN] += rq->wait_ns[DISK_WAIT_DRAIN];
	d[DP_FULL] += rq->wait_ns[DISK_WAIT_FULL];
	d[DP_RA] += rq->wait_ns[DISK_WAIT_READAHEAD];
	d[DP_SEEK] += rq->seek_ns;
	d[DP_ROT] += rq->rot_ns;
	d[DP_XFER] += rq->xfer_ns;
	if (r->o->events) {
		disk_io_row_of(rq, &row);
		issuer_of(rq->issuer, &row);
		if (rq->ino >= 0)
			row.path = g_hash_table_lookup(r->inopath, &rq->ino);
		metrics_disk_io(r->m, &row);
	}
}

/* ---- sampling -------------------------------------------------------- */

static void
count_sleeper(struct sim_proc *p, const void *chan, void *arg)
{
	(void)p;
	(void)chan;
	(*(unsigned *)arg)++;
}

static void
count_timed(struct sim_proc *p, const void *chan, void *arg)
{
	(void)chan;
	if (sim_proc_timed(p))
		(*(unsigned *)arg)++;
}

#define STALL_NAMES	16	/* stuck processes named one by one */

struct stuck {
	GString		*who;		/* the first STALL_NAMES, named */
	unsigned	 n;
};

static void
name_sleeper(struct sim_proc *p, const void *chan, void *arg)
{
	struct stuck *st = arg;

	(void)chan;
	if (st->n++ < STALL_NAMES)
		g_string_append_printf(st->who, "%s%s in \"%s\"",
		    st->who->len ? ", " : "", sim_proc_name(p),
		    sim_proc_wmesg(p) != NULL ? sim_proc_wmesg(p) : "?");
}


static void
count_wmesg(struct sim_proc *p, const void *chan, void *arg)
{
	GHashTable *h = arg;
	const char *w = sim_proc_wmesg(p);
	gpointer n;

	(void)chan;
	if (w == NULL)
		return;
	n = g_hash_table_lookup(h, w);
	g_hash_table_insert(h, (gpointer)w, GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
}

/*
 * Who is stuck: how many in each wait message, then every process by
 * name and wait message -- or, past STALL_NAMES of them, the first ones
 * and how many more.
 */
static char *
stuck_report(struct replay *r)
{
	GHashTable *waits = g_hash_table_new(g_str_hash, g_str_equal);
	struct stuck st = { g_string_new(""), 0 };
	GString *out = g_string_new("");
	GPtrArray *keys;
	guint i;

	sim_foreach_sleeper(r->sim, count_wmesg, waits);
	keys = sorted_keys(waits);
	for (i = 0; i < keys->len; i++) {
		const char *w = g_ptr_array_index(keys, i);

		g_string_append_printf(out, "%s%d in \"%s\"", i ? ", " : "",
		    GPOINTER_TO_INT(g_hash_table_lookup(waits, w)), w);
	}
	g_ptr_array_free(keys, TRUE);
	g_hash_table_destroy(waits);
	sim_foreach_sleeper(r->sim, name_sleeper, &st);
	if (st.n > STALL_NAMES)
		g_string_append_printf(out, "%sthe first %d: %s", out->len ? "; " :
		    "", STALL_NAMES, st.who->str);
	else
		g_string_append_printf(out, "%s%s", out->len ? ": " : "",
		    st.who->str);
	if (st.n > STALL_NAMES)
		g_string_append_printf(out, ", and %u more", st.n - STALL_NAMES);
	g_string_free(st.who, TRUE);
	return g_string_free(out, FALSE);
}

void
take_sample(struct replay *r)
{
	struct bufcache *bc = &r->k->bc;
	struct vmmeter *vc = &r->k->vm.cnt;
	struct sample_row row;
	GHashTable *waits = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *keys;
	guint i;

	memset(&row, 0, sizeof(row));
	row.t_ns = sim_now(r->sim);
	row.dirty_bufs = bc->numdirtybuffers;
	row.clean_bufs = bc->qlen[QUEUE_CLEAN];
	row.empty_bufs = bc->qlen[QUEUE_EMPTY] + bc->qlen[QUEUE_EMPTYKVA];
	row.busy_bufs = bc->nbuf - bc->qlen[QUEUE_CLEAN] - bc->qlen[QUEUE_DIRTY] -
	    bc->qlen[QUEUE_EMPTY] - bc->qlen[QUEUE_EMPTYKVA] - bc->qlen[QUEUE_LOCKED];
	row.free_bufs = bc->numfreebuffers;
	row.bufspace = bc->bufspace;
	row.running_bytes = bc->runningbufspace;
	row.cached_pages = vc->v_inactive_count + vc->v_cache_count +
	    vc->v_active_count;
	row.free_pages = vc->v_free_count;
	row.wired_pages = vc->v_wire_count;
	row.disk_qlen = disk_qlen(&r->k->disk);
	row.procs = (int)sim_nprocs(r->sim);
	row.calls_done = r->calls;
	{
		sim_time_t oldest;
		int64_t dirty;

		ffs_at_risk(r->k, &row.at_risk_bytes, &oldest, &dirty);
		row.at_risk_age_ns = oldest >= 0 ? row.t_ns - oldest : 0;
		r->risk_dirty_peak = MAX(r->risk_dirty_peak, dirty);
		r->risk_dirty_sum += (double)dirty;
	}
	r->risk_peak = MAX(r->risk_peak, row.at_risk_bytes);
	r->risk_age_max = MAX(r->risk_age_max, row.at_risk_age_ns);
	r->risk_sum += (double)row.at_risk_bytes;
	r->nsamples++;
	metrics_sample(r->m, &row);

	/* Who sleeps where, in wait-message order. */
	sim_foreach_sleeper(r->sim, count_wmesg, waits);
	keys = sorted_keys(waits);
	for (i = 0; i < keys->len; i++) {
		const char *w = g_ptr_array_index(keys, i);

		metrics_wait(r->m, row.t_ns, w,
		    GPOINTER_TO_INT(g_hash_table_lookup(waits, w)));
	}
	g_ptr_array_free(keys, TRUE);
	g_hash_table_destroy(waits);
}

/*
 * The sampler: a row every interval, and a watchdog.  Kernel daemons keep
 * the event queue alive forever, so a replay whose processes all sleep on
 * channels nothing will ever signal would spin; if every live process has
 * been asleep with the disk idle and no call finishing for three intervals,
 * the replay is stuck and stops with the list of sleepers.  A process that
 * sleeps with a timeout (waiting for vnlru, "vlruwk") retries by itself:
 * it counts as stuck only after two minutes without a call finishing.
 */
void
sampler(struct sim *s, void *arg)
{
	struct replay *r = arg;
	unsigned asleep = 0, timed = 0;
	sim_time_t busy = r->k->disk.st.busy_ns;

	take_sample(r);
	if (r->o->interrupted != NULL && *r->o->interrupted) {
		sim_stop(s);
		return;
	}
	/* Rows cannot be recorded (a full disk): the run stops, failed. */
	if (metrics_error(r->m) != NULL && r->error == NULL) {
		g_set_error(&r->error, REPLAY_ERROR, 0, "%s", metrics_error(r->m));
		sim_stop(s);
		return;
	}
	sim_foreach_sleeper(s, count_sleeper, &asleep);
	sim_foreach_sleeper(s, count_timed, &timed);
	if (sim_nprocs(s) > 0 && asleep == sim_nprocs(s) &&
	    disk_qlen(&r->k->disk) == 0 && busy == r->last_busy &&
	    r->calls == r->last_calls) {
		int limit = timed > 0 ? (int)(120 * SIM_SEC / r->sample_interval) : 3;

		/* Processes held back by replay.order in a cycle with the
		 * simulated kernel's own waits: let them go at once. */
		if (timed == 0 && order_watchdog(r)) {
			r->deadlock_ticks = 0;
			goto next;
		}
		if (++r->deadlock_ticks >= MAX(limit, 3) && r->error == NULL) {
			char *who = stuck_report(r);

			if (g_getenv("VFSSIM_DEBUG") != NULL) {
				GHashTableIter it;
				gpointer v;

				g_hash_table_iter_init(&it, r->uprocs);
				while (g_hash_table_iter_next(&it, NULL, &v)) {
					struct uproc *u = v;

					fprintf(stderr, "pid %d state %d queued %zu\n",
					    u->pid, u->state, u->nq);
				}
			}
			g_set_error(&r->error, REPLAY_ERROR, 0,
			    "replay stuck at %.3f s: %u processes asleep with "
			    "nothing left to wake them: %s",
			    (double)sim_now(s) / 1e9, asleep, who);
			g_free(who);
			sim_stop(s);
			return;
		}
	} else
		r->deadlock_ticks = 0;
next:
	r->last_busy = busy;
	r->last_calls = r->calls;
	sim_at(s, sim_now(s) + r->sample_interval, sampler, r);
}

/* ---- the summary ----------------------------------------------------- */

static void
put(struct replay *r, const char *metric, double v)
{
	metrics_summary(r->m, metric, v);
}

static void
putf(struct replay *r, double v, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
putf(struct replay *r, double v, const char *fmt, ...)
{
	va_list ap;
	char *name;

	va_start(ap, fmt);
	name = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	metrics_summary(r->m, name, v);
	g_free(name);
}

/* ---- the end of a run ------------------------------------------------ */

/*
 * Where a call type's time went (time_split): on the CPU, asleep on each
 * wait message, and — for the waits that are waits for the disk — in the
 * disk's queue, its overheads, seeking, rotating and transferring.  The
 * engine knows how long a call slept on "biord" but not which requests it
 * waited for, so a disk wait is split as the run's read (or write)
 * requests' response time splits on average.  Integer shares, the
 * remainder to the last phase: the parts add up to the calls' latency.
 */
/*
 * A disk wait's share (ns of a wait whose requests' parts are d, summing
 * to total) for the interface's four parts together, added to parts[] as
 * they split it; returns that share, *last the last of them the requests
 * had any of (if any).
 */
static sim_time_t
iface_shares(sim_time_t ns, const sim_time_t *d, double total,
    sim_time_t *parts, int *lastp)
{
	double sum = 0;
	sim_time_t share, given = 0;
	int p, last = -1;

	for (p = DP_CTLR; p <= DP_ROOM; p++)
		sum += (double)d[p];
	share = (sim_time_t)((double)ns * (sum / total));
	if (sum <= 0)
		return share;
	for (p = DP_CTLR; p <= DP_ROOM; p++) {
		sim_time_t one = (sim_time_t)((double)share *
		    ((double)d[p] / sum));

		if (d[p] > 0)
			last = p;
		parts[p] += one;
		given += one;
	}
	parts[last] += share - given;
	*lastp = last;
	return share;
}

static void
write_split(struct replay *r, const char *call, const struct callstat *cs)
{
	sim_time_t parts[DP__COUNT] = { 0 };
	GPtrArray *keys = sorted_keys(cs->waits);
	guint i;
	int p;

	metrics_time_split(r->m, call, "cpu", cs->cpu);
	for (i = 0; i < keys->len; i++) {
		const char *w = g_ptr_array_index(keys, i);
		sim_time_t ns = (sim_time_t)GPOINTER_TO_SIZE(
		    g_hash_table_lookup(cs->waits, w));
		const sim_time_t *d = NULL;
		double total = 0;
		sim_time_t given = 0;
		unsigned j;
		int last = -1;

		for (j = 0; j < G_N_ELEMENTS(disk_waits); j++)
			if (strcmp(disk_waits[j].wmesg, w) == 0)
				d = r->disk_ns[disk_waits[j].write ? 1 : 0];
		for (p = 0; d != NULL && p < DP__COUNT; p++)
			total += (double)d[p];
		if (d == NULL || total <= 0) {
			char *name = g_strdup_printf("wait:%s", w);

			metrics_time_split(r->m, call, name, ns);
			g_free(name);
			continue;
		}
		for (p = 0; p < DP__COUNT; p++) {
			sim_time_t share = (sim_time_t)((double)ns *
			    ((double)d[p] / total));

			if (p == DP_CTLR) {
				/* The interface's four parts take the share
				 * the overhead they are of would, split
				 * among them alike (the rest to the last):
				 * the other parts are as they were before
				 * it was split. */
				share = iface_shares(ns, d, total, parts,
				    &last);
				p = DP_ROOM;
			} else {
				if (d[p] > 0)
					last = p;
				parts[p] += share;
			}
			given += share;
		}
		parts[last] += ns - given;
	}
	for (p = 0; p < DP__COUNT; p++)
		if (parts[p] > 0)
			metrics_time_split(r->m, call, disk_part_names[p], parts[p]);
	g_ptr_array_free(keys, TRUE);
}

/* Replay the run's block references through every policy and OPT with
 * the same number of buffers (bio.opt_bound). */
static void
write_bounds(struct replay *r)
{
	struct bufcache *bc = &r->k->bc;
	struct bp_key *refs;
	size_t n;
	int i;

	if (bc->refs == NULL || bc->nrefs == 0)
		return;
	refs = g_new(struct bp_key, bc->nrefs);
	rewind(bc->refs);
	n = fread(refs, sizeof(*refs), bc->nrefs, bc->refs);
	put(r, "bio.bound.refs", (double)n);
	put(r, "bio.bound.opt_misses", (double)bufpolicy_opt_misses(refs, n,
	    bc->nbuf));
	for (i = 0; bufpolicies[i] != NULL; i++)
		putf(r, (double)bufpolicy_misses(bufpolicies[i], refs, n, bc->nbuf),
		    "bio.bound.%s_misses", bufpolicies[i]->name);
	g_free(refs);
}

static void write_io_errors(struct replay *r);

void
write_summary(struct replay *r)
{
	const struct ffs_origin *o = &r->origin;
	const struct ffs_layout *l = &r->layout;
	struct kern *k = r->k;
	struct kern_counters *c = &k->cnt;
	struct disk_stats *ds = &k->disk.st;
	sim_time_t dur = sim_now(r->sim);
	GPtrArray *keys;
	struct hist all;
	guint i;

	put(r, "calls.total", (double)r->calls);
	put(r, "calls.simulated", (double)r->simulated);
	put(r, "calls.passthrough", (double)r->passthrough);
	put(r, "calls.not_modelled", (double)r->not_modelled);
	put(r, "processes", (double)r->processes);
	/* How processes were ordered (replay.order), and how many ran at
	 * once against how many the trace shows at once. */
	put(r, "processes.max_alive", r->max_alive);
	if (r->pp->has_time || r->pp->line_times)
		put(r, "processes.max_alive_traced", r->pp->max_alive);
	put(r, "replay.order_edges", (double)r->order_edges);
	put(r, "replay.order_pipe_edges", (double)r->order_pipe_edges);
	put(r, "replay.order_futex_edges", (double)r->order_futex_edges);
	put(r, "replay.order_aio_edges", (double)r->order_aio_edges);
	put(r, "replay.order_edges_dropped", (double)r->pp->edges_dropped);
	put(r, "replay.order_wait_ns", (double)r->order_wait_ns);
	put(r, "replay.order_inferred", (double)r->order_inferred);
	put(r, "replay.order_broken", (double)r->order_broken);
	put(r, "time.simulated_ns", (double)r->t_done);
	/* Throughput over the time the processes ran (the final sync is
	 * not theirs). */
	put(r, "throughput.calls_per_s", r->t_done > 0 ?
	    (double)r->simulated / ((double)r->t_done / 1e9) : 0);
	put(r, "throughput.bytes_per_s", r->t_done > 0 ?
	    (double)(c->bytes_read + c->bytes_written) /
	    ((double)r->t_done / 1e9) : 0);
	/* Data at risk, over the samples: what a crash would have lost. */
	put(r, "risk.peak_bytes", (double)r->risk_peak);
	put(r, "risk.mean_bytes", r->nsamples > 0 ?
	    r->risk_sum / (double)r->nsamples : 0);
	put(r, "risk.max_age_ns", (double)r->risk_age_max);
	/* The plainer figure: data buffers not on the disk, whole. */
	put(r, "risk.dirty_peak_bytes", (double)r->risk_dirty_peak);
	put(r, "risk.dirty_mean_bytes", r->nsamples > 0 ?
	    r->risk_dirty_sum / (double)r->nsamples : 0);
	put(r, "time.final_sync_ns", (double)(dur - r->t_done));
	if (r->pp->has_time)
		put(r, "time.traced_ns", (double)(r->pp->t_end - r->pp->t0));

	hist_init(&all);
	/* Modelled calls live in scstats; fold them into the table so that
	 * every call is written in name order. */
	for (i = 1; i < SC__COUNT; i++)
		if (r->scstats[i].n > 0) {
			struct callstat *cs = g_new0(struct callstat, 1);

			*cs = r->scstats[i];
			r->scstats[i].h = NULL;
			r->scstats[i].waits = NULL;
			g_hash_table_insert(r->stats, g_strdup(sc_name(i)), cs);
		}
	keys = sorted_keys(r->stats);
	for (i = 0; i < keys->len; i++) {
		const char *name = g_ptr_array_index(keys, i);
		struct callstat *cs = g_hash_table_lookup(r->stats, name);
		int b;

		putf(r, (double)cs->n, "calls.%s", name);
		if (cs->h == NULL)
			continue;
		putf(r, (double)cs->h->n, "latency.%s.count", name);
		putf(r, hist_mean(cs->h), "latency.%s.mean_ns", name);
		putf(r, (double)hist_quantile(cs->h, 0.50), "latency.%s.p50_ns", name);
		putf(r, (double)hist_quantile(cs->h, 0.95), "latency.%s.p95_ns", name);
		putf(r, (double)hist_quantile(cs->h, 0.99), "latency.%s.p99_ns", name);
		putf(r, (double)cs->h->max, "latency.%s.max_ns", name);
		metrics_hist(r->m, name, cs->h);
		write_split(r, name, cs);
		for (b = 0; b < HIST_NBUCKETS; b++)
			all.counts[b] += cs->h->counts[b];
		if (all.n == 0 || cs->h->min < all.min)
			all.min = cs->h->min;
		if (cs->h->max > all.max)
			all.max = cs->h->max;
		all.n += cs->h->n;
		all.sum += cs->h->sum;
	}
	g_ptr_array_free(keys, TRUE);
	if (all.n > 0) {
		put(r, "latency.all.count", (double)all.n);
		put(r, "latency.all.mean_ns", hist_mean(&all));
		put(r, "latency.all.p50_ns", (double)hist_quantile(&all, 0.50));
		put(r, "latency.all.p95_ns", (double)hist_quantile(&all, 0.95));
		put(r, "latency.all.p99_ns", (double)hist_quantile(&all, 0.99));
		put(r, "latency.all.max_ns", (double)all.max);
	}
	keys = sorted_keys(r->skipped);
	for (i = 0; i < keys->len; i++) {
		const char *name = g_ptr_array_index(keys, i);

		putf(r, (double)GPOINTER_TO_SIZE(g_hash_table_lookup(r->skipped,
		    name)), "not_modelled.%s", name);
	}
	g_ptr_array_free(keys, TRUE);

	put(r, "bio.nbuf", k->bc.nbuf);
	put(r, "bio.bufsize", k->fs.fs_bsize);
	put(r, "bio.maxbufspace", (double)k->bc.maxbufspace);
	put(r, "bio.hibufspace", (double)k->bc.hibufspace);
	put(r, "bio.bufspace_at_end", (double)k->bc.bufspace);
	put(r, "bio.hidirtybuffers", k->bc.hidirtybuffers);
	put(r, "bio.lodirtybuffers", k->bc.lodirtybuffers);
	put(r, "bio.getblk", (double)c->getblk);
	put(r, "bio.getblk_hits", (double)c->getblk_hits);
	put(r, "bio.bread", (double)c->bread);
	put(r, "bio.bread_hits", (double)c->bread_hits);
	/* Reads satisfied without disk I/O: a buffer was there, or its pages
	 * were (the page cache under the buffers). */
	put(r, "bio.hit_ratio", c->bread ? (double)c->bread_hits /
	    (double)c->bread : 0);
	put(r, "bio.pagecache_hits", (double)c->pagecache_hits);
	put(r, "bio.buffer_hits", (double)c->getblk_hits);
	put(r, "bio.buffer_hit_ratio", c->getblk ? (double)c->getblk_hits /
	    (double)c->getblk : 0);
	put(r, "bio.pagecache_hit_ratio", c->getblk > c->getblk_hits ?
	    (double)c->pagecache_hits / (double)(c->getblk - c->getblk_hits) : 0);
	put(r, "bio.written_by_syncer", (double)k->bc.writes_by[BW_SYNCER]);
	put(r, "bio.written_by_bufdaemon", (double)k->bc.writes_by[BW_BUFDAEMON]);
	put(r, "bio.written_by_getnewbuf", (double)k->bc.writes_by[BW_GETNEWBUF]);
	put(r, "bio.written_by_processes", (double)k->bc.writes_by[BW_PROCESS]);
	put(r, "bio.cluster_writes", (double)c->cluster_writes);
	put(r, "bio.cluster_mean_bufs", c->cluster_writes ?
	    (double)c->cluster_bufs / (double)c->cluster_writes : 0);
	put(r, "bio.bufdefragcnt", (double)k->bc.bufdefragcnt);
	/* vfs_cluster: read-ahead and how much of it processes read, the
	 * multi-block I/Os, write-behind, block reallocation. */
	put(r, "cluster.readahead_blocks", (double)c->readahead_blocks);
	put(r, "cluster.readahead_used", (double)c->readahead_used);
	put(r, "cluster.readahead_unused", (double)c->readahead_unused);
	put(r, "cluster.readahead_accuracy", c->readahead_blocks ?
	    (double)c->readahead_used / (double)c->readahead_blocks : 0);
	put(r, "cluster.reads", (double)c->cluster_reads);
	put(r, "cluster.read_mean_bufs", c->cluster_reads ?
	    (double)c->cluster_read_bufs / (double)c->cluster_reads : 0);
	put(r, "cluster.writes", (double)c->cluster_writes);
	put(r, "cluster.write_mean_bufs", c->cluster_writes ?
	    (double)c->cluster_bufs / (double)c->cluster_writes : 0);
	put(r, "cluster.writebehind_ios", (double)c->writebehind_ios);
	put(r, "cluster.writebehind_bufs", (double)c->writebehind_bufs);
	put(r, "cluster.realloc_calls", (double)c->realloc_calls);
	put(r, "cluster.realloc_blocks", (double)c->realloc_blocks);
	put(r, "vm.page_count", k->vm.cnt.v_page_count);
	put(r, "vm.free_at_end", k->vm.cnt.v_free_count);
	put(r, "vm.cached_at_end", k->vm.cnt.v_cache_count +
	    k->vm.cnt.v_inactive_count + k->vm.cnt.v_active_count);
	put(r, "vm.page_allocs", (double)k->vm.allocs);
	put(r, "vm.reactivations", (double)k->vm.reactivations);
	put(r, "vm.cache_reused", (double)k->vm.freed_from_cache);
	put(r, "vm.vm_waits", (double)k->vm.vm_waits);
	put(r, "vm.pagedaemon_runs", (double)k->vm.pagedaemon_runs);
	put(r, "vm.pbuf_waits", (double)k->vm.pbuf_waits);
	/* mapped files: replay.mmap's touches and what they cost */
	put(r, "vm.mmap_policy", (double)k->p.mmap_touch);
	put(r, "vm.mmaps", (double)c->mmaps);
	put(r, "vm.mmap_touched_pages", (double)c->mmap_touched);
	put(r, "vm.faults", (double)c->faults);
	put(r, "vm.faults_hard", (double)c->faults_hard);
	put(r, "vm.pageins", (double)c->pageins);
	/* asynchronous I/O (vfs_aio.c) */
	put(r, "aio.requests", (double)c->aio_requests);
	put(r, "aio.done", (double)c->aio_done);
	put(r, "aio.fsyncs", (double)c->aio_fsyncs);
	put(r, "aio.unmatched", (double)c->aio_unmatched);
	put(r, "aio.dropped", (double)c->aio_dropped);
	put(r, "aio.daemons", (double)c->aio_daemons);
	put(r, "aio.bytes_read", (double)c->aio_bytes_read);
	put(r, "aio.bytes_written", (double)c->aio_bytes_written);
	put(r, "vm.pages_paged_in", (double)c->pages_paged_in);
	put(r, "vm.bytes_paged_in", (double)c->pages_paged_in * PAGE_SIZE);
	put(r, "vm.pages_dirtied", (double)c->pages_dirtied);
	put(r, "vm.putpages", (double)c->putpages);
	put(r, "vm.pages_put", (double)c->pages_put);
	put(r, "bio.bdwrite", (double)c->bdwrite);
	put(r, "bio.bawrite", (double)c->bawrite);
	put(r, "bio.bwrite_sync", (double)c->bwrite_sync);
	put(r, "bio.bwillwrite_stalls", (double)c->bwillwrite_stalls);
	put(r, "bio.bwillwrite_stall_ns", (double)c->bwillwrite_stall_ns);
	put(r, "bio.newbuf_waits", (double)c->newbuf_waits);
	put(r, "bio.wdrain_waits", (double)c->wdrain_waits);
	put(r, "bio.getblk_waits", (double)c->getblk_waits);
	put(r, "bio.bkgrd_writes", (double)c->bkgrd_writes);
	put(r, "bio.getblk_waits_maps", (double)c->getblk_waits_bkgrd);
	put(r, "bio.bufdaemon_writes", (double)c->bufdaemon_writes);
	put(r, "bio.syncer_writes", (double)c->syncer_writes);
	put(r, "bio.fsync_writes", (double)c->fsync_writes);
	put(r, "bio.dirty_peak", c->dirty_peak);
	put(r, "bio.dirty_at_end", k->bc.numdirtybuffers);
	put(r, "bio.dirty_bytes_at_end",
	    (double)k->bc.numdirtybuffers * k->fs.fs_bsize);

	put(r, "disk.reads", (double)ds->reads);
	put(r, "disk.writes", (double)ds->writes);
	put(r, "disk.bytes_read", (double)ds->sectors_read * DEV_BSIZE);
	put(r, "disk.bytes_written", (double)ds->sectors_written * DEV_BSIZE);
	put(r, "disk.busy_fraction", dur > 0 ? (double)ds->busy_ns / (double)dur : 0);
	if (ds->reads + ds->writes > 0) {
		double n = (double)(ds->reads + ds->writes);

		put(r, "disk.mean_seek_ns", (double)ds->seek_ns / n);
		put(r, "disk.mean_rot_ns", (double)ds->rot_ns / n);
		put(r, "disk.mean_xfer_ns", (double)ds->xfer_ns / n);
		put(r, "disk.mean_overhead_ns", (double)ds->overhead_ns / n);
		put(r, "disk.mean_wait_drain_ns",
		    (double)ds->wait_ns[DISK_WAIT_DRAIN] / n);
		put(r, "disk.mean_wait_cachefull_ns",
		    (double)ds->wait_ns[DISK_WAIT_FULL] / n);
		put(r, "disk.mean_wait_readahead_ns",
		    (double)ds->wait_ns[DISK_WAIT_READAHEAD] / n);
		put(r, "disk.mean_ctlr_ns",
		    (double)ds->part_ns[DISK_PART_CTLR] / n);
		put(r, "disk.mean_bus_ns",
		    (double)ds->part_ns[DISK_PART_BUS] / n);
		put(r, "disk.mean_wait_media_ns",
		    (double)ds->part_ns[DISK_PART_MEDIA] / n);
		put(r, "disk.mean_wait_room_ns",
		    (double)ds->part_ns[DISK_PART_ROOM] / n);
		put(r, "disk.mean_queue_ns", (double)ds->queue_ns / n);
		put(r, "disk.mean_service_ns", (double)ds->busy_ns / n);
	}
	put(r, "disk.max_queue", ds->maxqlen);
	put(r, "disk.read_hits", (double)ds->read_hits);
	put(r, "disk.read_partial_hits", (double)ds->read_partial_hits);
	put(r, "disk.write_hits", (double)ds->write_hits);
	if (k->disk.nfaults > 0 || k->disk.fault_rng != NULL)
		write_io_errors(r);

	put(r, "proc.bytes_read", (double)c->bytes_read);
	put(r, "proc.bytes_written", (double)c->bytes_written);
	put(r, "vfs.lookups", (double)c->lookups);
	put(r, "vfs.components", (double)c->components);
	put(r, "vfs.symlinks_followed", (double)c->symlinks_followed);
	put(r, "vfs.readlinks", (double)c->readlinks);
	put(r, "vfs.vnodes_created", (double)c->vnodes_created);
	put(r, "vfs.vnodes_freed", (double)c->vnodes_freed);
	put(r, "fs.initial_files", (double)o->files);
	put(r, "fs.initial_dirs", (double)o->dirs);
	put(r, "fs.initial_bytes", (double)o->bytes);
	put(r, "fs.initial_failed", (double)o->failed);
	/* The starting file system's layout (after aging, if any). */
	put(r, "fs.initial_used_fraction", l->avail_frags > 0 ?
	    (double)l->used_frags / (double)l->avail_frags : 0);
	put(r, "fs.initial_layout_score", l->pairs > 0 ?
	    (double)l->inrow / (double)l->pairs : 1);
	put(r, "fs.initial_fragmented_files", l->files > 0 ?
	    (double)l->broken / (double)l->files : 0);
	put(r, "fs.initial_free_run_blocks", l->free_runs > 0 ?
	    (double)l->free_blocks / (double)l->free_runs : 0);
	if (r->pp->manifest != NULL) {
		put(r, "fs.manifest_entries", (double)r->pp->manifest_entries);
		put(r, "fs.manifest_disagreements", (double)r->pp->notes->len);
	}
	put(r, "fs.age", o->age);
	put(r, "fs.age_files_written", (double)o->age_written);
	put(r, "fs.age_files_deleted", (double)o->age_deleted);
	put(r, "fs.age_files_left", (double)(o->age_written - o->age_deleted));
	put(r, "fs.age_bytes_left", (double)o->age_bytes);
	put(r, "fs.age_dirs", (double)o->age_dirs);
	put(r, "fs.free_bytes", (double)ffs_freebytes(&k->fs));
	put(r, "fs.enospc", (double)c->enospc);
	{
		/* fsck: the file system the run left is consistent. */
		char *why = NULL;
		int problems = ffs_fsck(k, &why);

		put(r, "fs.fsck_problems", problems);
		KASSERT(problems == 0, ("fsck after the run: %d problems; the "
		    "first: %s", problems, why));
		g_free(why);
	}
	if (DOINGSOFTDEP(k)) {
		/* soft updates: what ordering the writes cost */
		struct softdep_stats st;

		softdep_stats(k, &st);
		put(r, "softdep.rollbacks", (double)st.rollbacks);
		put(r, "softdep.redirtied", (double)st.redirtied);
		put(r, "softdep.workitems", (double)st.workitems);
		put(r, "softdep.cancelled", (double)st.cancelled);
		put(r, "softdep.deps_peak", (double)st.deps_peak);
		put(r, "softdep.deps_at_end", (double)softdep_count(k));
		put(r, "softdep.ino_limit_push", (double)st.ino_limit_push);
		put(r, "softdep.ino_limit_hit", (double)st.ino_limit_hit);
		put(r, "softdep.blk_limit_push", (double)st.blk_limit_push);
		put(r, "softdep.blk_limit_hit", (double)st.blk_limit_hit);
	}
	put(r, "fs.ncg", k->fs.fs_ncg);
	put(r, "fs.inodes_allocated", (double)c->inodes_allocated);
	put(r, "fs.inode_writes", (double)c->inode_writes);
	put(r, "fs.indirect_blocks_allocated", (double)c->indir_allocs);
	put(r, "fs.fragments_moved", (double)c->frag_moves);
	put(r, "fs.dirblk_reads", (double)c->dirblk_reads);
	put(r, "vfs.namecache_hits", (double)c->nc_goodhits);
	put(r, "vfs.namecache_neghits", (double)c->nc_neghits);
	put(r, "vfs.namecache_misses", (double)c->nc_miss);
	put(r, "vfs.cache.numcwdfound", (double)c->numcwdfound);
	put(r, "vfs.cache.numcwdfail", (double)c->numcwdfail);
	put(r, "vfs.vnodes_recycled", (double)c->vnodes_recycled);
	put(r, "vfs.vnodes_at_end", (double)k->numvnodes);
	put(r, "vfs.desiredvnodes", k->desiredvnodes);
	put(r, "vfs.vlruwk_waits", (double)c->vlruwk_waits);
	put(r, "vfs.vnode_lock_waits", (double)c->vnode_lock_waits);
	put(r, "vfs.lockf_waits", (double)c->lockf_waits);
	/* snapshots (5.0-CURRENT) */
	put(r, "snapshot.created", (double)c->snap_creates);
	put(r, "snapshot.removed", (double)c->snap_removes);
	put(r, "snapshot.live", k->nsnaps);
	put(r, "snapshot.create_ns", (double)c->snap_create_ns);
	put(r, "snapshot.suspended_ns", (double)c->snap_suspend_ns);
	put(r, "snapshot.suspended_max_ns", (double)c->snap_suspend_max_ns);
	put(r, "snapshot.writers_blocked", (double)c->suspfs_waits);
	put(r, "snapshot.writers_blocked_ns", (double)c->suspfs_wait_ns);
	put(r, "snapshot.cow_checks", (double)c->cow_checks);
	put(r, "snapshot.cow_copies", (double)c->cow_copies);
	put(r, "snapshot.cow_reads", (double)c->cow_reads);
	put(r, "snapshot.claimed_blocks", (double)c->snap_claims);
	put(r, "snapshot.writes_refused", (double)c->snap_writes_refused);
	{
		int64_t held = 0;
		int sn;

		for (sn = 0; sn < k->nsnaps; sn++)
			held += k->snaps[sn].sn_ip->i_blocks * DEV_BSIZE;
		put(r, "snapshot.bytes_held", (double)held);
	}
	put(r, "vfs.lock_repairs", (double)c->lock_repairs);
	put(r, "replay.repairs", (double)c->trace_repairs);
	put(r, "replay.learned_fds", (double)c->learned_fds);
	put(r, "replay.peak_queued_calls", (double)r->peak_queued);
	if (k->p.verify) {
		uint64_t checked, lost = bio_verify(k, &checked);

		put(r, "verify.blocks_checked", (double)checked);
		put(r, "verify.lost_blocks", (double)lost);
	}
	write_bounds(r);
	put(r, "replay.spilled_calls", (double)r->spilled);
	put(r, "replay.spill_files", (double)r->spills);
	put(r, "engine.events", (double)sim_events(r->sim));
}

/*
 * With faults injected (disk.errors, disk.error_rate): what failed and
 * what became of it.  What was lost is what never reached the disk: the
 * buffers still dirty after the final sync (their writes kept failing:
 * brelse made them dirty again each time, and the sync gave up with the
 * error), and background writes dropped (vfs_backgroundwritedone).
 */
static void
write_io_errors(struct replay *r)
{
	const struct kern *k = r->k;
	const struct kern_counters *c = &k->cnt;
	int64_t lost = 0, lost_bytes = 0;
	int i;

	for (i = 0; i < k->bc.nbuf; i++) {
		const struct buf *bp = &k->bc.bufs[i];

		if (bp->b_flags & B_DELWRI) {
			lost++;
			lost_bytes += bp->b_bcount;
		}
	}
	lost += (int64_t)c->bio_bkgrd_lost;
	put(r, "disk.read_errors", (double)k->disk.st.read_errors);
	put(r, "disk.write_errors", (double)k->disk.st.write_errors);
	put(r, "bio.read_errors", (double)c->bio_read_errors);
	put(r, "bio.read_errors_ignored", (double)c->bio_read_ignored);
	put(r, "bio.write_errors", (double)c->bio_write_errors);
	put(r, "bio.writes_redirtied", (double)c->bio_redirtied);
	put(r, "bio.bkgrd_writes_lost", (double)c->bio_bkgrd_lost);
	put(r, "bio.lost_blocks", (double)lost);
	put(r, "bio.lost_bytes", (double)lost_bytes);
	put(r, "vfs.fsync_errors", (double)c->fsync_errors);
	put(r, "vm.pagein_errors", (double)c->pagein_errors);
	put(r, "replay.eio_calls", (double)c->eio_calls);
}

/*
 * The starting file system the run built, with the evidence for each
 * entry (initial_fs); where a listing (--fs-manifest) and the trace
 * disagree, the note, and the names the trace found that the listing
 * lacks (type '-', not made).  Nothing when it was loaded from an image.
 */
void
record_initial_fs(struct replay *r, bool loaded)
{
	const struct prepass *pp = r->pp;
	GHashTable *notes = g_hash_table_new(g_str_hash, g_str_equal);
	guint i;

	if (loaded)
		goto out;
	for (i = 0; i < pp->notes->len; i++) {
		const struct fs_note *n = &g_array_index(pp->notes,
		    struct fs_note, i);

		if (n->type != '-' && !g_hash_table_contains(notes, n->path))
			g_hash_table_insert(notes, n->path, n->what);
	}
	for (i = 0; i < pp->files->len; i++) {
		const struct initial_file *f = &g_array_index(pp->files,
		    struct initial_file, i);

		metrics_initial_fs(r->m, f->path, initial_file_type(f),
		    f->link_of >= 0 ? 0 : f->size, f->evidence, f->line,
		    g_hash_table_lookup(notes, f->path));
	}
	for (i = 0; i < pp->notes->len; i++) {
		const struct fs_note *n = &g_array_index(pp->notes,
		    struct fs_note, i);

		if (n->type == '-')
			metrics_initial_fs(r->m, n->path, '-', n->size,
			    n->evidence, n->line, n->what);
	}
out:
	g_hash_table_destroy(notes);
}

/* The run's block references, in chunks, to the caller (vfssim mrc). */
void
hand_refs(struct replay *r)
{
	struct bufcache *bc = &r->k->bc;
	struct bp_key *chunk = g_new(struct bp_key, 65536);
	size_t n;

	rewind(bc->refs);
	/* A long run's references take a while: Ctrl-C stops between
	 * chunks (replay_run then fails the run). */
	while ((n = fread(chunk, sizeof(*chunk), 65536, bc->refs)) > 0 &&
	    !(r->o->interrupted != NULL && *r->o->interrupted))
		r->o->refs(r->o->refs_arg, chunk, n, bc->nrefs);
	g_free(chunk);
}
