/*
 * diskerr.c — faults injected into the drive: sectors it cannot read or
 * write (disk.errors) and requests that fail at random (disk.error_rate).
 *
 * What the 2001 kernel saw of a bad sector is what its driver reported
 * after its own retries (CAM's da retried a command, four times by
 * default; the ATA driver's retries were not read): the buffer came back
 * with B_ERROR and b_error = EIO, and biodone carried it up.
 * vfssim does not model the drivers' retries or the time they take: an
 * injected error is one the driver gave up on, reported when the command
 * completes, after the time the command took anyway.  The drive does not
 * consult its cache about it: a command that touches a failing sector
 * fails, whether its data came from the media or the cache (a write the
 * drive reported from its cache included — real drives of the time
 * reported a deferred write error on a later command instead; that
 * difference is not modelled).
 *
 * A range is permanent (every command that touches it fails) or transient
 * (the next command that touches it fails, then the sectors work again —
 * a sector that a later rewrite or re-read recovers).  disk.error_rate
 * fails each command with that probability, transiently, from a generator
 * seeded with the run's seed (replay.seed), so that a run is repeatable.
 */
#include "disk.h"
#include "kassert.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* Parse "FIRST[-LAST]:r|w|rw[:transient|permanent]". */
static bool
fault_parse(const char *s, struct disk_fault *f, char **why)
{
	char **part = g_strsplit(s, ":", -1);
	guint n = g_strv_length(part);
	char *end;
	bool ok = false;
	const char *mode;

	memset(f, 0, sizeof(*f));
	f->permanent = true;
	if (n < 2 || n > 3) {
		*why = g_strdup_printf("\"%s\": want SECTOR[-SECTOR]:r|w|rw"
		    "[:transient|permanent]", s);
		goto out;
	}
	g_strstrip(part[0]);
	errno = 0;
	f->first = g_ascii_strtoll(part[0], &end, 10);
	if (end == part[0] || errno != 0 || f->first < 0 ||
	    !g_ascii_isdigit(part[0][0])) {
		*why = g_strdup_printf("\"%s\": bad first sector", s);
		goto out;
	}
	f->last = f->first;
	if (*end == '-') {
		const char *l = end + 1;

		errno = 0;
		f->last = g_ascii_strtoll(l, &end, 10);
		if (end == l || errno != 0 || !g_ascii_isdigit(l[0])) {
			*why = g_strdup_printf("\"%s\": bad last sector", s);
			goto out;
		}
	}
	if (*end != '\0') {
		*why = g_strdup_printf("\"%s\": bad sector range", s);
		goto out;
	}
	if (f->last < f->first) {
		*why = g_strdup_printf("\"%s\": the range ends before it "
		    "begins", s);
		goto out;
	}
	mode = g_strstrip(part[1]);
	if (strcmp(mode, "r") == 0)
		f->read = true;
	else if (strcmp(mode, "w") == 0)
		f->write = true;
	else if (strcmp(mode, "rw") == 0)
		f->read = f->write = true;
	else {
		*why = g_strdup_printf("\"%s\": the mode must be r, w or rw", s);
		goto out;
	}
	if (n == 3) {
		const char *kind = g_strstrip(part[2]);

		if (strcmp(kind, "transient") == 0)
			f->permanent = false;
		else if (strcmp(kind, "permanent") != 0) {
			*why = g_strdup_printf("\"%s\": the kind must be "
			    "transient or permanent", s);
			goto out;
		}
	}
	ok = true;
out:
	g_strfreev(part);
	return ok;
}

bool
disk_errors_parse(const char *s, struct disk_fault **faults, int *nfaults,
    char **why)
{
	char **item = g_strsplit(s, ",", -1), **it;
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct disk_fault));
	bool ok = true;

	for (it = item; *it != NULL && ok; it++) {
		struct disk_fault f;
		char *t = g_strstrip(g_strdup(*it));

		if (t[0] == '\0') {
			/* "" is no faults; an empty item between commas is a
			 * mistake */
			if (it != item || it[1] != NULL) {
				*why = g_strdup("an empty item in the list");
				ok = false;
			}
		} else if (a->len >= DISK_MAX_FAULTS) {
			*why = g_strdup_printf("more than %d ranges",
			    DISK_MAX_FAULTS);
			ok = false;
		} else if ((ok = fault_parse(t, &f, why)))
			g_array_append_val(a, f);
		g_free(t);
	}
	g_strfreev(item);
	if (!ok) {
		g_array_free(a, TRUE);
		return false;
	}
	*nfaults = (int)a->len;
	*faults = (struct disk_fault *)(void *)g_array_free(a, FALSE);
	return true;
}

bool
disk_set_faults(struct disk *d, const struct disk_fault *faults, int n,
    double rate, uint64_t seed, char **why)
{
	int i;

	KASSERT(d->faults == NULL && d->fault_rng == NULL,
	    ("disk_set_faults: twice"));
	for (i = 0; i < n; i++)
		if (faults[i].last >= disk_capacity(d)) {
			*why = g_strdup_printf("sectors %lld-%lld: the drive "
			    "has %lld", (long long)faults[i].first,
			    (long long)faults[i].last,
			    (long long)disk_capacity(d));
			return false;
		}
	if (!(rate >= 0 && rate <= 1)) {
		*why = g_strdup("the error rate must be from 0 to 1");
		return false;
	}
	if (n > 0)
		d->faults = g_memdup2(faults, sizeof(*faults) * (gsize)n);
	d->nfaults = n;
	d->fault_rate = rate;
	/* Drawn from only when there is a rate: a run without one is the
	 * same run whatever its seed. */
	if (rate > 0)
		d->fault_rng = g_rand_new_with_seed((guint32)seed ^
		    (guint32)(seed >> 32));
	return true;
}

void
disk_faults_free(struct disk *d)
{
	g_free(d->faults);
	d->faults = NULL;
	d->nfaults = 0;
	if (d->fault_rng != NULL)
		g_rand_free(d->fault_rng);
	d->fault_rng = NULL;
}

/*
 * The command r is complete: did the drive fail it?  EIO (the drivers'
 * error for a medium error) or 0.  Every transient range the command
 * touches is used up by it, so that two bad ranges under one command do
 * not fail two later commands.
 */
int
disk_fault_check(struct disk *d, const struct diskreq *r)
{
	int64_t last = r->sector + r->nsect - 1;
	int error = 0, i;

	for (i = 0; i < d->nfaults; i++) {
		struct disk_fault *f = &d->faults[i];

		if (f->spent || f->last < r->sector || f->first > last ||
		    !(r->write ? f->write : f->read))
			continue;
		error = EIO;
		if (!f->permanent)
			f->spent = true;
	}
	if (d->fault_rng != NULL &&
	    g_rand_double(d->fault_rng) < d->fault_rate)
		error = EIO;
	if (error != 0) {
		if (r->write)
			d->st.write_errors++;
		else
			d->st.read_errors++;
	}
	return error;
}
