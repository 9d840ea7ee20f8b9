/*
 * diskspecs.c — a drive read out of DiskSim 4.0 parameter files, so that
 * DiskSim's library of validated drives works unchanged.  The files are
 * parsed by diskparam.c (DiskSim's libparam: blocks and values); this file
 * is DiskSim's disk model asking for its values.
 *
 * From the parsed files we take the disk (disksim_disk and its dm_disk
 * model: a dm_layout_g1 layout and a dm_mech_g1 mechanism) and, from the
 * topology, the bus the disk hangs on (its block transfer times).  Every
 * parameter of the disk, its model, layout, zones and mechanism must be one
 * we read: an unknown one, or a value asking for behaviour vfssim does not
 * model, is an error that names file, line and parameter.  Blocks about
 * DiskSim's own runs (statistics, synthetic workloads, logical
 * organisation) are not read.
 */
#include "diskspecs.h"
#include "diskparam.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the drive ----------------------------------------------------------- */

/*
 * A DiskSim ioqueue (disksim_ioqueue): the I/O driver's queue, or the
 * drive's own.  Its scheduling policy becomes one of vfssim's disciplines
 * (DiskSim's numbers, disksim_ioqueue.h), each as DiskSim 4.0 dispatches
 * it: 1 FCFS, 3 CYCLE_LBN (vfssim's cycle_lbn: C-LOOK by block, chosen
 * when the drive takes a request), 4 SSTF_LBN (sstf_lbn: nearest block to
 * the last one's end), 8 SPTF_OPT (sptf_opt).  5 ELEVATOR_CYL, 6 CYCLE_CYL and
 * 7 SSTF_CYL order by the cylinders the queue's mapping gives, and in
 * DiskSim 4.0 every request gets the same one unless the mapping takes it
 * from the trace or the average cylinder (strategies 5 and 6, refused):
 * strategy 0 is none, and for 1 to 4 disk_get_mapping hands
 * dm_translate_ltop the map type where the block goes and the block where
 * the map type goes.  With every request on one cylinder the three order
 * as CYCLE_LBN does (in DiskSim, on thirty queued traces: the same mean
 * response to the nanosecond), so they are cycle_lbn here.  The
 * read and write initiation delays are used by DiskSim 4.0 only in its
 * SPTF schedulers (ioqueue_get_request_from_opt_sptf_queue and its kin
 * add them to each request's estimate), so they are kept for sptf_opt
 * and noted under any other policy.  Under SPTF_OPT DiskSim estimates a
 * zero-latency access for a drive whose Immediate buffer read or write
 * is on, which its media never does (see Immediate buffer read): that is
 * refused.  What would change the order or the timing otherwise
 * — concatenating sequential requests, merging overlapping ones,
 * priorities — is refused; the parameters of schemes that are off are
 * noted.  A queue that never holds two requests (the drive's, taking one
 * command at a time) has no order to keep: all of it is noted.
 */
static bool
read_ioqueue(struct lp_ctx *c, struct pblock *qb, bool matters,
    const char **sched, sim_time_t delay[2], const struct disk_params *p)
{
	static const struct {
		int		 policy;
		const char	*name;
	} map[] = {
		{ 1, "fcfs" }, { 3, "cycle_lbn" }, { 4, "sstf_lbn" },
		{ 5, "cycle_lbn" }, { 6, "cycle_lbn" }, { 7, "cycle_lbn" },
		{ 8, "sptf_opt" },
	};
	/* (delay[] is read first, write second) */
	static const char *const delays[] = { "Read initiation delay",
	    "Write initiation delay" };
	int64_t policy, v;
	guint i;

	if (!matters) {
		lp_note_all(c, qb, "the drive takes one command at a time: its "
		    "queue never holds two, and has no order to keep");
		return true;
	}
	if (!lp_integer(c, qb, "Scheduling policy", 1, 1, 28, &policy))
		return false;
	for (i = 0; i < G_N_ELEMENTS(map) && map[i].policy != policy; i++)
		;
	if (i == G_N_ELEMENTS(map))
		return lp_perr(c, qb, lp_find(qb, "Scheduling policy"), "not supported: "
		    "1 (FCFS), 3 (C-LOOK by block), 4 (SSTF by block), 5 to 7 "
		    "(by cylinder, as DiskSim 4.0 runs them) and 8 (SPTF) are");
	*sched = map[i].name;
	if (!lp_integer(c, qb, "Cylinder mapping strategy", 0, 0, 6, &v))
		return false;
	if (policy >= 5 && policy <= 7 && v >= 5)
		return lp_perr(c, qb, lp_find(qb, "Cylinder mapping strategy"),
		    "not supported with a policy by cylinder: cylinders from "
		    "the trace or from the average sectors per cylinder (0 to "
		    "4 are)");
	lp_note(c, qb, "Cylinder mapping strategy", policy >= 5 && policy <= 7 ?
	    "DiskSim 4.0 maps every request to one cylinder with it "
	    "(disk_get_mapping's arguments out of order), so its policy by "
	    "cylinder orders as CYCLE_LBN: cycle_lbn" :
	    "how DiskSim's queue guesses a request's cylinder, for policies "
	    "by cylinder only");
	for (i = 0; i < G_N_ELEMENTS(delays); i++) {
		if (!lp_ms_signed(c, qb, delays[i], 0, &delay[i]))
			return false;
		if (policy != 8)
			lp_note(c, qb, delays[i], "DiskSim 4.0 uses it only "
			    "in its SPTF schedulers' estimates, not under this "
			    "policy");
	}
	if (policy == 8 && p != NULL && (p->immed_est[0] || p->immed_est[1]))
		return lp_perr(c, qb, lp_find(qb, "Scheduling policy"),
		    "not supported with the drive's Immediate buffer read or "
		    "write on: DiskSim's SPTF estimates a zero-latency access "
		    "then, which vfssim's sptf_opt does not");
	if (!lp_only(c, qb, "Sequential stream scheme", 0, "concatenating or "
	    "grouping sequential requests") ||
	    !lp_only(c, qb, "Overlapping request scheme", 0, "merging "
	    "overlapping requests") ||
	    !lp_only(c, qb, "Scheduling priority scheme", 0, "scheduling by "
	    "priority"))
		return false;
	lp_note(c, qb, "Maximum concat size", "used only by a sequential stream "
	    "scheme, which is off");
	lp_note(c, qb, "Sequential stream diff maximum", "used only by a "
	    "sequential stream scheme, which is off");
	lp_note(c, qb, "Scheduling timeout scheme", "DiskSim ignores it too (it "
	    "warns so)");
	lp_note(c, qb, "Timeout time/weight", "used only by a timeout scheme");
	lp_note(c, qb, "Timeout scheduling", "used only by a timeout scheme");
	lp_note(c, qb, "Priority scheduling", "used only by a priority scheme, "
	    "which is off");
	return lp_all_read(c, qb);
}


static bool
read_zone(struct lp_ctx *c, struct pblock *zb, double skew_revs,
    struct disk_zone *z)
{
	struct pparam *pp;
	int64_t v;
	guint i;

	if (strcmp(zb->type, "dm_layout_g1_zone") != 0)
		return lp_perr(c, zb, NULL, "a zone must be a dm_layout_g1_zone");
	if (!lp_integer(c, zb, "First cylinder number", NAN, 0, 1e12, &z->first_cyl) ||
	    !lp_integer(c, zb, "Last cylinder number", NAN, 0, 1e12, &z->last_cyl) ||
	    !lp_integer(c, zb, "Blocks per track", NAN, 1, 1e5, &v))
		return false;
	z->spt = (int)v;
	/* Skews and offset are in sectors, or in revolutions. */
	pp = lp_find(zb, "Skew units");
	if (pp != NULL) {
		if (pp->v->kind != PV_WORD || (strcmp(pp->v->word, "sectors") != 0 &&
		    strcmp(pp->v->word, "revolutions") != 0))
			return lp_perr(c, zb, pp, "expected sectors or revolutions");
		skew_revs = strcmp(pp->v->word, "revolutions") == 0;
	}
	if (!lp_num(c, zb, "Offset of first block", 0, &z->first_offset) ||
	    !lp_num(c, zb, "Skew for track switch", 0, &z->track_skew) ||
	    !lp_num(c, zb, "Skew for cylinder switch", 0, &z->cyl_skew))
		return false;
	/*
	 * As DiskSim 4.0's zone loader takes them: in revolutions exactly,
	 * in sectors as whole sectors ((int)d * sector_width, truncating).
	 * A negative skew is a skew backwards, as its angle arithmetic
	 * makes it: the skews DiskSim 2 computed from a negative value are
	 * dead code in 4.0 (initialize_bands returns at once).
	 */
	if (fabs(z->first_offset) > 1e9 || fabs(z->track_skew) > 1e9 ||
	    fabs(z->cyl_skew) > 1e9)
		return lp_perr(c, zb, NULL, "an offset or skew beyond 1e9");
	if (skew_revs != 0) {
		z->first_offset *= z->spt;
		z->track_skew *= z->spt;
		z->cyl_skew *= z->spt;
	} else {
		z->first_offset = trunc(z->first_offset);
		z->track_skew = trunc(z->track_skew);
		z->cyl_skew = trunc(z->cyl_skew);
	}
	if (!lp_integer(c, zb, "Empty space at zone front", 0, 0, 1e12, &z->deadspace) ||
	    !lp_integer(c, zb, "Number of spares", 0, 0, 1e12, &z->spares))
		return false;
	pp = lp_find(zb, "slips");
	if (pp != NULL) {
		if (pp->v->kind != PV_LIST)
			return lp_perr(c, zb, pp, "expected a list");
		z->nslips = (int)pp->v->items->len;
		z->slips = g_new0(int64_t, MAX(z->nslips, 1));
		for (i = 0; i < pp->v->items->len; i++) {
			struct pval *sv = g_ptr_array_index(pp->v->items, i);

			/* bounded as the other block counts: a huge one
			 * would not fit an int64_t */
			if (sv->kind != PV_NUM || sv->num < 0 || sv->num > 1e12 ||
			    sv->num != floor(sv->num))
				return lp_perr(c, zb, pp, "slips must be whole numbers "
				    "from 0 to 1e12");
			z->slips[i] = (int64_t)sv->num;
		}
	}
	/* Defects come in (defect, spare) pairs (DiskSim's defect and
	 * remap lists, dm_layout_g1_zone's "defects"); one "remapped" to
	 * itself is no remapping (DiskSim's mappings ignore it too).  Their
	 * place is checked with the zone's (disk_params_finish). */
	pp = lp_find(zb, "defects");
	if (pp != NULL) {
		if (pp->v->kind != PV_LIST || pp->v->items->len % 2 != 0)
			return lp_perr(c, zb, pp, "expected pairs of numbers");
		z->remaps = g_new0(int64_t, MAX(pp->v->items->len, 2));
		for (i = 0; i < pp->v->items->len; i += 2) {
			struct pval *a = g_ptr_array_index(pp->v->items, i);
			struct pval *r = g_ptr_array_index(pp->v->items, i + 1);

			if (a->kind != PV_NUM || r->kind != PV_NUM ||
			    a->num < 0 || a->num > 1e12 || r->num < 0 ||
			    r->num > 1e12 || a->num != floor(a->num) ||
			    r->num != floor(r->num))
				return lp_perr(c, zb, pp, "defects must be pairs "
				    "of whole numbers from 0 to 1e12");
			if (a->num == r->num)
				continue;
			z->remaps[2 * z->nremaps] = (int64_t)a->num;
			z->remaps[2 * z->nremaps + 1] = (int64_t)r->num;
			z->nremaps++;
		}
	}
	return lp_all_read(c, zb);
}

static bool
read_layout(struct lp_ctx *c, struct pblock *lb, struct disk_params *p)
{
	struct pparam *pp;
	int64_t v;
	double revs = 0;
	guint i;

	if (!lp_integer(c, lb, "LBN-to-PBN mapping scheme", 0, 0, 2, &v))
		return false;
	p->mapping = (int)v;
	if (!lp_integer(c, lb, "Sparing scheme used", 0, 0, 10, &v))
		return false;
	p->sparing = (enum disk_sparing)v;
	if (!lp_integer(c, lb, "Rangesize for sparing", 1, 1, 1e6, &p->rangesize))
		return false;
	pp = lp_find(lb, "Skew units");
	if (pp != NULL) {
		if (pp->v->kind != PV_WORD || (strcmp(pp->v->word, "sectors") != 0 &&
		    strcmp(pp->v->word, "revolutions") != 0))
			return lp_perr(c, lb, pp, "expected sectors or revolutions");
		revs = strcmp(pp->v->word, "revolutions") == 0;
	}
	pp = lp_find(lb, "Zones");
	if (pp == NULL || pp->v->kind != PV_LIST || pp->v->items->len == 0)
		return lp_perr(c, lb, pp, "expected a list of zones");
	p->nzones = (int)pp->v->items->len;
	p->zones = g_new0(struct disk_zone, p->nzones);
	for (i = 0; i < pp->v->items->len; i++) {
		struct pval *zv = g_ptr_array_index(pp->v->items, i);

		if (zv->kind != PV_BLOCK)
			return lp_perr(c, lb, pp, "zone %u is not a block", i + 1);
		if (!read_zone(c, zv->block, revs, &p->zones[i]))
			return false;
		/* No spares, nowhere to remap to: DiskSim's mapping without
		 * sparing (g1_ltop_nosparing) never looks at the defects. */
		if (p->sparing == DSPARE_NONE && p->zones[i].nremaps > 0) {
			lp_note(c, zv->block, "defects", "sparing scheme 0 has no "
			    "spares: DiskSim's mapping ignores remapped defects");
			p->zones[i].nremaps = 0;
		}
	}
	return lp_all_read(c, lb);
}

/* The extracted seek curve. */
bool
diskspecs_read_seek(const char *path, int *n, int64_t **dist, double **msv,
    GError **err)
{
	char *text = NULL, *line, *next;
	GArray *d = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *t = g_array_new(FALSE, FALSE, sizeof(double));
	GError *e = NULL;
	bool ok = true;
	int i;

	if (!g_file_get_contents(path, &text, NULL, &e)) {
		g_set_error(err, G_FILE_ERROR, e->code, "%s", e->message);
		g_error_free(e);
		ok = false;
		goto out;
	}
	/* Line by line in place (not g_strsplit's string a line). */
	for (i = 0, line = text; line != NULL && ok; i++, line = next) {
		char *nl = strchr(line, '\n'), *l, *ep, *fp = NULL;
		long long dd;
		double tt = 0;

		next = NULL;
		if (nl != NULL) {
			*nl = '\0';
			next = nl + 1;
		}
		l = g_strstrip(line);
		if (*l == '\0' || *l == '#' ||
		    g_str_has_prefix(l, "Seek distances measured:"))
			continue;
		/* "distance, ms" as sscanf's "%lld , %lf" reads it (what
		 * follows is not looked at), without scanf's cost: the
		 * C locale's strtoll and strtod (lp_strtod), blanks either
		 * side of the comma. */
		dd = g_ascii_strtoll(l, &ep, 10);
		while (g_ascii_isspace(*ep))
			ep++;
		if (ep != l && *ep == ',')
			tt = lp_strtod(ep + 1, &fp);
		if (ep == l || *ep != ',' || fp == ep + 1 || dd < 1 ||
		    tt < 0 || (d->len > 0 && dd <= g_array_index(d, int64_t,
		    d->len - 1))) {
			g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s:%d: expected \"distance, ms\" with distances "
			    "ascending from 1", path, i + 1);
			ok = false;
			break;
		}
		{
			int64_t d64 = dd;

			g_array_append_val(d, d64);
			g_array_append_val(t, tt);
		}
	}
	if (ok && d->len == 0) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: no seek times", path);
		ok = false;
	}
out:
	g_free(text);
	*n = ok ? (int)d->len : 0;
	*dist = ok ? (int64_t *)(void *)g_array_free(d, FALSE) : NULL;
	*msv = ok ? (double *)(void *)g_array_free(t, FALSE) : NULL;
	if (!ok) {
		g_array_free(d, TRUE);
		g_array_free(t, TRUE);
	}
	return ok;
}

static bool
read_mech(struct lp_ctx *c, struct pblock *mb, struct disk_params *p)
{
	struct pparam *pp;
	int64_t v;
	guint i;

	pp = lp_find(mb, "Access time type");
	if (pp == NULL || pp->v->kind != PV_WORD ||
	    strcmp(pp->v->word, "trackSwitchPlusRotation") != 0)
		return lp_perr(c, mb, pp, "not supported: only trackSwitchPlusRotation "
		    "(seeks and the platter's real angle) is modelled");
	pp = lp_find(mb, "Seek type");
	if (pp == NULL || pp->v->kind != PV_WORD)
		return lp_perr(c, mb, pp, "expected a seek type");
	if (strcmp(pp->v->word, "hpl") == 0)
		p->seek = DSEEK_HPL;
	else if (strcmp(pp->v->word, "hplplus10") == 0)
		p->seek = DSEEK_HPLPLUS10;
	else if (strcmp(pp->v->word, "extracted") == 0)
		p->seek = DSEEK_EXTRACTED;
	else if (strcmp(pp->v->word, "curve") == 0)
		p->seek = DSEEK_CURVE;
	else if (strcmp(pp->v->word, "linear") == 0)
		p->seek = DSEEK_LINEAR;
	else
		return lp_perr(c, mb, pp, "not supported: hpl, hplplus10, extracted, "
		    "curve and linear are");
	if (!lp_num(c, mb, "Single cylinder seek time", 0, &p->seek_min) ||
	    !lp_num(c, mb, "Average seek time", 0, &p->seek_avg) ||
	    !lp_num(c, mb, "Full strobe seek time", 0, &p->seek_max))
		return false;
	p->seek_single = -1;
	pp = lp_find(mb, "HPL seek equation values");
	if (p->seek == DSEEK_HPL || p->seek == DSEEK_HPLPLUS10) {
		double hv[6];

		if (pp == NULL || pp->v->kind != PV_LIST || pp->v->items->len != 6)
			return lp_perr(c, mb, pp, "expected six values");
		for (i = 0; i < 6; i++) {
			struct pval *x = g_ptr_array_index(pp->v->items, i);

			if (x->kind != PV_NUM)
				return lp_perr(c, mb, pp, "expected numbers");
			hv[i] = x->num;
		}
		p->seek_boundary = hv[0];
		p->seek_a = hv[1];
		p->seek_b = hv[2];
		p->seek_c = hv[3];
		p->seek_e = hv[4];
		p->seek_single = hv[5] == -1 ? -1 : hv[5];
	}
	pp = lp_find(mb, "First ten seek times");
	if (p->seek == DSEEK_HPLPLUS10) {
		if (pp == NULL || pp->v->kind != PV_LIST || pp->v->items->len != 10)
			return lp_perr(c, mb, pp, "expected ten seek times");
		for (i = 0; i < 10; i++) {
			struct pval *x = g_ptr_array_index(pp->v->items, i);

			if (x->kind != PV_NUM)
				return lp_perr(c, mb, pp, "expected numbers");
			p->seek_first10[i] = x->num;
		}
	}
	pp = lp_find(mb, "Full seek curve");
	if (p->seek == DSEEK_EXTRACTED) {
		char *dir, *path;
		bool ok;

		if (pp == NULL || pp->v->kind == PV_LIST || pp->v->kind == PV_BLOCK)
			return lp_perr(c, mb, pp, "expected a seek curve file");
		dir = g_path_get_dirname(mb->file);
		path = lp_resolve(dir, pp->v->word);
		ok = diskspecs_read_seek(path, &p->seek_npoints, &p->seek_dist,
		    &p->seek_ms, c->err);
		g_free(dir);
		g_free(path);
		if (!ok)
			return false;
	}
	if (!lp_ms_signed(c, mb, "Add. write settling delay", NAN, &p->write_settle) ||
	    !lp_ms(c, mb, "Head switch time", NAN, 1, &p->head_switch) ||
	    !lp_integer(c, mb, "Rotation speed (in rpms)", NAN, 1, 1e6, &v))
		return false;
	p->rpm = (int)v;
	if (!lp_only(c, mb, "Percent error in rpms", 0,
	    "a spindle speed drawn at random"))
		return false;
	return lp_all_read(c, mb);
}

static bool
read_model(struct lp_ctx *c, struct pblock *db, struct disk_params *p,
    int64_t *blocks)
{
	struct pblock *lb, *mb;
	int64_t v;

	if (!lp_integer(c, db, "Number of data surfaces", NAN, 1, 1024, &v))
		return false;
	p->heads = (int)v;
	if (!lp_integer(c, db, "Number of cylinders", NAN, 1, 1e12, &p->cylinders) ||
	    !lp_integer(c, db, "Block count", 0, 0, 1e15, blocks))
		return false;
	lp_note(c, db, "Block count", "DiskSim addresses what the zones hold, "
	    "whatever the count says (checknumblocks)");
	if ((lb = lp_sub_block(c, db, "Layout Model", "dm_layout_g1")) == NULL ||
	    !read_layout(c, lb, p))
		return false;
	if ((mb = lp_sub_block(c, db, "Mechanical Model", "dm_mech_g1")) == NULL ||
	    !read_mech(c, mb, p))
		return false;
	return lp_all_read(c, db);
}

/* The disk block: the electronics and the cache. */
static bool
read_disk(struct lp_ctx *c, struct pblock *b, struct disk_params *p,
    double *blktrans, int64_t *blocks)
{
	struct pblock *mb, *sb;
	double scale;
	int64_t v;
	bool sepseg, any_free;

	if ((mb = lp_sub_block(c, b, "Model", "dm_disk")) == NULL ||
	    !read_model(c, mb, p, blocks))
		return false;
	if (!lp_num(c, b, "Time scale for overheads", 1, &scale))
		return false;
	if (scale < 0)
		return lp_perr(c, b, lp_find(b, "Time scale for overheads"), "negative");
#define MS(key, out)	lp_ms(c, b, key, NAN, scale, out)
	if (!MS("Per-request overhead time", &p->ovh_request) ||
	    !lp_num(c, b, "Bulk sector transfer time", NAN, blktrans) ||
	    !lp_flag(c, b, "Hold bus entire read xfer", NAN, &p->hold_bus_read) ||
	    !lp_flag(c, b, "Hold bus entire write xfer", NAN, &p->hold_bus_write) ||
	    !lp_flag(c, b, "Allow almost read hits", NAN, &p->almost_read_hits) ||
	    !lp_integer(c, b, "Allow sneaky full read hits", NAN, 0, 1, &v) ||
	    !lp_only(c, b, "Allow sneaky partial read hits", 0, "serving a "
	    "partly cached read beside another command") ||
	    !lp_only(c, b, "Allow sneaky intermediate read hits", 0, "serving a "
	    "cached read beside another command") ||
	    !lp_flag(c, b, "Allow read hits on write data", NAN,
	    &p->read_hits_on_writes) ||
	    !lp_only(c, b, "Allow write prebuffering", 0, "taking a queued write's "
	    "data beside another command") ||
	    !lp_only(c, b, "Preseeking level", 0, "seeking for the next command "
	    "before this one completes") ||
	    !lp_flag(c, b, "Never disconnect", NAN, &p->never_disconnect))
		return false;
	p->sneaky_full = v != 0;
	/* DiskSim refuses it (disk_postpass_perdisk): a drive holding the
	 * bus for whole reads cannot send a hit beside another. */
	if (p->sneaky_full && p->hold_bus_read)
		return lp_perr(c, b, lp_find(b, "Allow sneaky full read hits"),
		    "with Hold bus entire read xfer = 1: DiskSim refuses it");
	lp_note(c, b, "Print stats", "DiskSim's statistics output");
	lp_note(c, b, "Avg sectors per cylinder", "used by DiskSim's host-side "
	    "schedulers' cylinder mapping only, which vfssim's take from the "
	    "layout");
	if (!lp_integer(c, b, "Max queue length", 1, 1, 256, &v))
		return false;
	p->queue_depth = (int)v;
	p->scheduler = "fcfs";
	if (lp_find(b, "Scheduler") != NULL) {
		/* The drive's own queue: its order matters only when it
		 * holds more than one command. */
		if ((sb = lp_sub_block(c, b, "Scheduler", "disksim_ioqueue")) == NULL ||
		    !read_ioqueue(c, sb, p->queue_depth > 1, &p->scheduler,
		    p->init_delay, NULL))
			return false;
	}
	if (!lp_integer(c, b, "Number of buffer segments", NAN, 1, 1024, &v))
		return false;
	p->nsegs = (int)v;
	if (!lp_integer(c, b, "Maximum number of write segments", NAN, 1, p->nsegs, &v))
		return false;
	p->nwritesegs = (int)v;
	if (!lp_integer(c, b, "Segment size (in blks)", NAN, 1, 1 << 24, &v))
		return false;
	p->segsize = (int)v;
	if (!lp_flag(c, b, "Use separate write segment", NAN, &sepseg))
		return false;
	p->write_seg = sepseg;
	if (!lp_num(c, b, "Low (write) water mark", NAN, &p->write_water) ||
	    !lp_num(c, b, "High (read) water mark", NAN, &p->read_water) ||
	    !lp_flag(c, b, "Set watermark by reqsize", NAN, &p->water_by_reqsize))
		return false;
	lp_note(c, b, "Calc sector by sector", "no effect in DiskSim 4.0 (its "
	    "manual: the simulator works as if it were always 1)");
	/* DiskSim takes any non-zero value (0 to 2) as on. */
	if (!lp_integer(c, b, "Enable caching in buffer", NAN, 0, 2, &v))
		return false;
	p->cache = v != 0;
	if (!lp_integer(c, b, "Buffer continuous read", NAN, 0, 4, &v))
		return false;
	p->readahead = (enum disk_readahead)v;
	if (!lp_integer(c, b, "Minimum read-ahead (blks)", NAN, 0, p->segsize, &v))
		return false;
	p->min_readahead = (int)v;
	if (!lp_integer(c, b, "Maximum read-ahead (blks)", NAN, 0, p->segsize, &v))
		return false;
	p->max_readahead = (int)v;
	/* DiskSim's disk_postpass_perdisk: no read-ahead forces the limits
	 * to zero, a maximum below the minimum to the minimum. */
	if (p->readahead == DRA_NONE)
		p->min_readahead = p->max_readahead = 0;
	if (p->max_readahead < p->min_readahead)
		p->max_readahead = p->min_readahead;
	if (!lp_integer(c, b, "Read-ahead over requested", NAN, -1, 1, &v))
		return false;
	/* DiskSim turns 0 into 1 and 1 into 0 before using it
	 * (keeprequestdata = abs(keeprequestdata - 1), its
	 * disk_postpass_perdisk): here it is used as DiskSim uses it. */
	p->keep_request_data = v >= 0 ? (int)(1 - v) : (int)v;
	if (!lp_flag(c, b, "Read-ahead on idle hit", NAN, &p->readahead_idle_hit) ||
	    !lp_flag(c, b, "Read any free blocks", NAN, &any_free) ||
	    !lp_integer(c, b, "Fast write level", NAN, 0, 2, &v))
		return false;
	p->fast_write = (int)v;
	/* DiskSim refuses these (disk_postpass_perdisk). */
	if ((p->readahead != DRA_NONE || p->fast_write != 0 || any_free) &&
	    !p->cache)
		return lp_perr(c, b, lp_find(b, "Enable caching in buffer"), "%s without "
		    "caching: DiskSim refuses it", p->readahead != DRA_NONE ?
		    "read-ahead" : p->fast_write != 0 ? "fast writes" :
		    "reading any free blocks");
	/*
	 * Zero-latency access and reading any free blocks as DiskSim 4.0
	 * does them: not at all.  Landing amid the wanted blocks, its
	 * g1_access_block finds the sector under the head with
	 * dm_convert_atop, takes the DM_OK (-3) it returns for an error
	 * and falls back to the wanted sector, so every access starts
	 * there as without them, and no block before it ever passes into
	 * an empty segment.  Its validated drives were fitted that way:
	 * taking them as the manual describes moves the Atlas 10K's
	 * demerit from DiskSim's 0.268 ms to 0.159 ms and the DEC RZ26's
	 * from 0.341 ms to 0.426 ms.
	 */
	if (!lp_integer(c, b, "Immediate buffer read", NAN, 0, 2, &v))
		return false;
	p->immed_est[0] = v != 0;
	if (!lp_integer(c, b, "Immediate buffer write", NAN, 0, 2, &v))
		return false;
	p->immed_est[1] = v != 0;
	p->zero_latency_read = p->zero_latency_write = false;
	/* (The drive's own queue was read before these: see read_ioqueue.) */
	if (p->queue_depth > 1 && strcmp(p->scheduler, "sptf_opt") == 0 &&
	    (p->immed_est[0] || p->immed_est[1]))
		return lp_perr(c, b, lp_find(b, p->immed_est[0] ?
		    "Immediate buffer read" : "Immediate buffer write"), "not "
		    "supported with the drive's queue under SPTF (policy 8): "
		    "DiskSim's SPTF estimates a zero-latency access then, which "
		    "vfssim's sptf_opt does not");
	lp_note(c, b, "Immediate buffer read", "DiskSim 4.0 never reads a "
	    "sector early: its g1_access_block takes the DM_OK it gets back "
	    "for an error and starts at the wanted sector");
	lp_note(c, b, "Immediate buffer write", "DiskSim 4.0 never writes a "
	    "sector early, as for Immediate buffer read");
	lp_note(c, b, "Read any free blocks", "DiskSim 4.0 never reads a block "
	    "before the wanted one: every access starts at the wanted sector "
	    "(see Immediate buffer read)");
	if (!lp_flag(c, b, "Combine seq writes", NAN, &p->combine_writes) ||
	    !lp_flag(c, b, "Stop prefetch in sector", NAN, &p->stop_in_sector) ||
	    !lp_flag(c, b, "Disconnect write if seek", NAN,
	    &p->preempt_at_event) ||
	    !lp_flag(c, b, "Write hit stop prefetch", NAN,
	    &p->write_hit_stop_prefetch) ||
	    !lp_only(c, b, "Read directly to buffer", 1, "a separate sector "
	    "buffer between media and cache") ||
	    !lp_flag(c, b, "Immed transfer partial hit", NAN, &p->immed_partial_hit))
		return false;
	if (!MS("Read hit over. after read", &p->ovh_read_hit[0]) ||
	    !MS("Read hit over. after write", &p->ovh_read_hit[1]) ||
	    !MS("Read miss over. after read", &p->ovh_read_miss[0]) ||
	    !MS("Read miss over. after write", &p->ovh_read_miss[1]) ||
	    !MS("Write hit over. after read", &p->ovh_write_hit[0]) ||
	    !MS("Write hit over. after write", &p->ovh_write_hit[1]) ||
	    !MS("Write miss over. after read", &p->ovh_write_miss[0]) ||
	    !MS("Write miss over. after write", &p->ovh_write_miss[1]) ||
	    !MS("Read completion overhead", &p->ovh_complete_read) ||
	    !MS("Write completion overhead", &p->ovh_complete_write) ||
	    !MS("Data preparation overhead", &p->ovh_data_prep) ||
	    !MS("First reselect overhead", &p->ovh_reselect_first) ||
	    !MS("Other reselect overhead", &p->ovh_reselect_other) ||
	    !MS("Read disconnect afterread", &p->ovh_disconnect_read[0]) ||
	    !MS("Read disconnect afterwrite", &p->ovh_disconnect_read[1]) ||
	    !MS("Write disconnect overhead", &p->ovh_disconnect_write) ||
	    !lp_flag(c, b, "Extra write disconnect", NAN, &p->extra_write_disconnect) ||
	    !MS("Extradisc command overhead", &p->xd_command) ||
	    !MS("Extradisc disconnect overhead", &p->xd_disconnect1) ||
	    !lp_ms(c, b, "Extradisc inter-disconnect delay", NAN, 1, &p->xd_inter) ||
	    !MS("Extradisc 2nd disconnect overhead", &p->xd_disconnect2) ||
	    !MS("Extradisc seek delta", &p->xd_seekdelta) ||
	    !lp_ms(c, b, "Minimum seek delay", NAN, 1, &p->min_seek_delay))
		return false;
#undef MS
	return lp_all_read(c, b);
}

/*
 * The path from the host to the disk.  The bus the disk hangs on sets the
 * time a block takes over it (the drive's own bulk transfer time if that
 * is slower: disk_get_blktranstime); a bus higher up must move data in no
 * time, as every DiskSim validation drive's does.  The controller must
 * pass commands straight through, and the I/O driver must not replace the
 * drive by a constant access time; its queue's scheduling policy is the
 * host queue's discipline (p->host_scheduler), and a driver that keeps
 * one request at a time in the subsystem makes the drive's queue one
 * deep.
 */
static bool
read_path(struct lp_ctx *c, const char *disk_inst, struct disk_params *p,
    double *bus_r, double *bus_w)
{
	struct topo *t = NULL, *up;
	guint i;

	for (i = 0; i < c->topos->len && t == NULL; i++)
		t = lp_topo_find(g_ptr_array_index(c->topos, i), disk_inst);
	if (t == NULL)
		return true;		/* no topology: the drive alone */
	for (up = t->parent; up != NULL; up = up->parent) {
		struct pblock *b = lp_instance_block(c, up->name), *qb;
		double r, w;
		int64_t v;

		if (b == NULL) {
			g_set_error(c->err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "the topology names %s, which is not instantiated",
			    up->name);
			return false;
		}
		if (strcmp(b->type, "disksim_bus") == 0) {
			if (!lp_only(c, b, "Arbitration time", 0, "bus arbitration "
			    "delays") ||
			    !lp_num(c, b, "Read block transfer time", 0, &r) ||
			    !lp_num(c, b, "Write block transfer time", 0, &w))
				return false;
			if (r < 0 || w < 0)
				return lp_perr(c, b, lp_find(b, r < 0 ?
				    "Read block transfer time" :
				    "Write block transfer time"), "negative");
			if (up == t->parent) {
				*bus_r = r;
				*bus_w = w;
			} else if (r != 0 || w != 0)
				return lp_perr(c, b, lp_find(b, r != 0 ?
				    "Read block transfer time" :
				    "Write block transfer time"), "not "
				    "supported: a transfer time on a bus above "
				    "the controller (only 0 is)");
			lp_note(c, b, "type", "one drive on the bus: how it is "
			    "shared cannot matter");
			lp_note(c, b, "Arbitration type", "one drive on the bus: "
			    "nothing to arbitrate");
			lp_note(c, b, "Print stats", "DiskSim's statistics output");
			if (!lp_all_read(c, b))
				return false;
		} else if (strcmp(b->type, "disksim_ctlr") == 0) {
			double scale;

			if (!lp_integer(c, b, "type", 1, 1, 3, &v) ||
			    !lp_num(c, b, "Scale for delays", 0, &scale))
				return false;
			if (v != 1 || scale != 0)
				return lp_perr(c, b, lp_find(b, v != 1 ? "type" :
				    "Scale for delays"), "not supported: only a "
				    "controller that passes commands straight "
				    "through (type 1, no delays) is modelled");
			lp_note(c, b, "Bulk sector transfer time", "a pass-through "
			    "controller moves no data itself");
			lp_note(c, b, "Maximum queue length", "a pass-through "
			    "controller queues nothing");
			lp_note(c, b, "Print stats", "DiskSim's statistics output");
			if (!lp_all_read(c, b))
				return false;
		} else if (strcmp(b->type, "disksim_iodriver") == 0) {
			if (!lp_only(c, b, "Constant access time", 0,
			    "a constant access time instead of the drive") ||
			    !lp_integer(c, b, "Use queueing in subsystem", 1, 0, 1,
			    &v))
				return false;
			if (v == 0)
				p->queue_depth = 1;
			if (lp_find(b, "Scheduler") != NULL) {
				if ((qb = lp_sub_block(c, b, "Scheduler",
				    "disksim_ioqueue")) == NULL ||
				    !read_ioqueue(c, qb, true, &p->host_scheduler,
				    p->host_init_delay, p))
					return false;
			}
			lp_note(c, b, "type", "DiskSim keeps it \"for "
			    "extensibility\": it selects nothing");
			if (!lp_all_read(c, b))
				return false;
		}
	}
	return true;
}

/*
 * Where disk_params_finish's complaint is written: the wrong parameter's
 * line in its block — the disk's, its model's, layout's or mechanism's,
 * or the zone's — or the block's own line where the parameter was left to
 * its default or the fault is not one parameter's.  The error then names
 * file and line like every other (lp_perr).
 */
static bool
finish_error(struct lp_ctx *c, struct pblock *disk,
    const struct disk_param_at *at, const char *why)
{
	enum { B_DISK, B_MODEL, B_LAYOUT, B_MECH, B_ZONE };
	static const struct {
		enum disk_param	 what;
		int		 block;
		const char	*key;
	} keys[] = {
		{ DPAR_RPM, B_MECH, "Rotation speed (in rpms)" },
		{ DPAR_HEADS, B_MODEL, "Number of data surfaces" },
		{ DPAR_ZONES, B_LAYOUT, "Zones" },
		{ DPAR_SPARING, B_LAYOUT, "Sparing scheme used" },
		{ DPAR_MAPPING, B_LAYOUT, "LBN-to-PBN mapping scheme" },
		{ DPAR_RANGESIZE, B_LAYOUT, "Rangesize for sparing" },
		{ DPAR_ZONE, B_ZONE, NULL },
		{ DPAR_ZONE_SPT, B_ZONE, "Blocks per track" },
		{ DPAR_ZONE_FIRST_CYL, B_ZONE, "First cylinder number" },
		{ DPAR_ZONE_LAST_CYL, B_ZONE, "Last cylinder number" },
		{ DPAR_ZONE_DEADSPACE, B_ZONE, "Empty space at zone front" },
		{ DPAR_ZONE_SPARES, B_ZONE, "Number of spares" },
		{ DPAR_ZONE_SLIPS, B_ZONE, "slips" },
		{ DPAR_ZONE_DEFECTS, B_ZONE, "defects" },
		{ DPAR_HEAD_SWITCH, B_MECH, "Head switch time" },
		{ DPAR_WRITE_SETTLE, B_MECH, "Add. write settling delay" },
		{ DPAR_SEEK, B_MECH, "Seek type" },
		{ DPAR_NSEGS, B_DISK, "Number of buffer segments" },
		{ DPAR_SEGSIZE, B_DISK, "Segment size (in blks)" },
		{ DPAR_NWRITESEGS, B_DISK, "Maximum number of write segments" },
		{ DPAR_WRITE_SEG, B_DISK, "Use separate write segment" },
		{ DPAR_READ_WATER, B_DISK, "High (read) water mark" },
		{ DPAR_WRITE_WATER, B_DISK, "Low (write) water mark" },
		{ DPAR_MIN_READAHEAD, B_DISK, "Minimum read-ahead (blks)" },
		{ DPAR_MAX_READAHEAD, B_DISK, "Maximum read-ahead (blks)" },
		{ DPAR_READAHEAD, B_DISK, "Buffer continuous read" },
		{ DPAR_FAST_WRITE, B_DISK, "Fast write level" },
		{ DPAR_KEEP_REQUEST_DATA, B_DISK, "Read-ahead over requested" },
		{ DPAR_QUEUE_DEPTH, B_DISK, "Max queue length" },
		{ DPAR_EXTRA_WRITE_DISCONNECT, B_DISK, "Extra write disconnect" },
	};
	struct pblock *model, *b = disk;
	const char *key = NULL;
	guint i;

	/* (Every block below was read before: none is missing.) */
	model = lp_sub_block(c, disk, "Model", "dm_disk");
	for (i = 0; i < G_N_ELEMENTS(keys) && model != NULL; i++) {
		struct pparam *zp;

		if (keys[i].what != at->what)
			continue;
		key = keys[i].key;
		switch (keys[i].block) {
		case B_MODEL:
			b = model;
			break;
		case B_LAYOUT:
		case B_ZONE:
			b = lp_sub_block(c, model, "Layout Model", "dm_layout_g1");
			if (keys[i].block == B_ZONE && b != NULL &&
			    (zp = lp_find(b, "Zones")) != NULL &&
			    zp->v->kind == PV_LIST && at->zone >= 1 &&
			    (guint)at->zone <= zp->v->items->len)
				b = ((struct pval *)g_ptr_array_index(zp->v->items,
				    at->zone - 1))->block;
			break;
		case B_MECH:
			b = lp_sub_block(c, model, "Mechanical Model",
			    "dm_mech_g1");
			break;
		}
		break;
	}
	if (b == NULL)
		b = disk;
	return lp_perr(c, b, key != NULL ? lp_find(b, key) : NULL, "%s", why);
}

bool
diskspecs_load(const char *path, struct disk_params *p, GError **err)
{
	return diskspecs_load_notes(path, p, NULL, err);
}

bool
diskspecs_load_notes(const char *path, struct disk_params *p, GPtrArray *notes,
    GError **err)
{
	struct lp_ctx c;
	struct pblock *disk = NULL;
	const char *inst = NULL;
	double blktrans = 0, bus_r = 0, bus_w = 0;
	int64_t stated = 0;
	char *why = NULL;
	struct disk_param_at at;
	bool ok = false;
	guint i;
	GHashTableIter it;
	gpointer k, v;

	memset(p, 0, sizeof(*p));
	lp_ctx_init(&c, err, notes);
	if (!lp_read(&c, path))
		goto out;

	/* The drive: the instantiated disk, else the file's only disk. */
	g_hash_table_iter_init(&it, c.inst);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct pblock *b = lp_block_named(&c, v);

		if (b != NULL && strcmp(b->type, "disksim_disk") == 0) {
			if (disk != NULL && disk != b) {
				g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    "%s: more than one kind of disk is "
				    "instantiated; vfssim models one drive", path);
				goto out;
			}
			disk = b;
			if (inst == NULL || strcmp(k, inst) < 0)
				inst = k;
		}
	}
	for (i = 0; i < c.top->len && disk == NULL; i++) {
		struct pblock *b = g_ptr_array_index(c.top, i);

		if (strcmp(b->type, "disksim_disk") == 0)
			disk = b;
	}
	if (disk == NULL) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: no disksim_disk block", path);
		goto out;
	}
	if (!read_disk(&c, disk, p, &blktrans, &stated))
		goto out;
	if (inst != NULL && !read_path(&c, inst, p, &bus_r, &bus_w))
		goto out;
	/* A block crosses the bus at the slower of bus and drive. */
	p->bus_read_ns = MAX(bus_r, blktrans) * 1e6;
	p->bus_write_ns = MAX(bus_w, blktrans) * 1e6;
	/* Its results are DiskSim's, artifacts and all (disk.h). */
	p->disksim_quirks = true;
	if (!disk_params_finish_at(p, &why, &at)) {
		(void)finish_error(&c, disk, &at, why);
		g_free(why);
		goto out;
	}
	/* (The stated Block count is noted: DiskSim addresses what the
	 * zones hold.) */
	(void)stated;
	ok = true;
out:
	lp_ctx_free(&c);
	if (!ok)
		disk_params_free(p);
	return ok;
}
