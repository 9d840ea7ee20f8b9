/*
 * crash.c — crash.at (--crash-at T): at each instant the machine
 * crashes, as far as its disk is concerned (ffs_crash_at: the image a
 * crash leaves, fsck_ffs on it, what the processes lose); the run itself
 * goes on as if it had not, so that one replay answers for many
 * instants.  Each instant's figures go to the run's crash table.
 */
#include "replay_private.h"
#include "profile.h"
#include "metrics.h"

#include <stddef.h>

bool
crashes_asked(const struct profile *prof)
{
	return *profile_str(prof, "crash", "at") != '\0';
}

/* A callout: at interrupt level, as the power failing is; nothing in
 * the machine changes. */
static void
crash_now(struct sim *s, void *arg)
{
	struct replay *r = arg;
	struct crash_result res;

	(void)s;
	ffs_crash_at(r->k, (uint64_t)profile_int(r->o->prof, "replay", "seed"),
	    &res);
	g_array_append_val(r->crashes, res);
}

void
crash_start(struct replay *r)
{
	int64_t *at;
	int n, i;

	at = profile_times(r->o->prof, "crash", "at", &n);
	r->crashes = g_array_new(FALSE, FALSE, sizeof(struct crash_result));
	/* The starting file system is what the disk holds. */
	ffs_crash_init(r->k);
	for (i = 0; i < n; i++)
		sim_at(r->sim, at[i], crash_now, r);
	g_free(at);
}

/* The crash table's metrics: each a field of struct crash_result. */
static const struct {
	const char	*name;
	size_t		 off;
} crash_fields[] = {
#define F(n)	{ #n, offsetof(struct crash_result, n) }
	F(writes_inflight), F(writes_torn),
	F(fsck_reads), F(fsck_writes), F(fsck_bytes), F(fsck_inodes),
	F(fsck_dirs),
	F(unref_cleared), F(unref_reconnected), F(linkcnt_high),
	F(leaked_frags), F(leaked_inodes), F(partial_trunc),
	F(linkcnt_low), F(dirent_unalloc), F(dup_frags), F(bad_ptrs),
	F(map_missing), F(ino_map_missing), F(dir_salvaged),
	F(dirs_reconnected), F(inodes_cleared),
	F(files), F(files_lost), F(bytes), F(bytes_lost), F(names),
	F(names_lost), F(names_back), F(fsync_bytes), F(fsync_lost_bytes),
	F(fsync_torn_bytes),
	F(committed_names), F(committed_names_lost),
#undef F
};

void
crash_record(struct replay *r)
{
	guint i, j;

	if (r->crashes == NULL)
		return;
	for (i = 0; i < r->crashes->len; i++) {
		const struct crash_result *c = &g_array_index(r->crashes,
		    struct crash_result, i);

		metrics_crash(r->m, c->t, "meta", c->meta);
		metrics_crash(r->m, c->t, "fsck_ns", (double)c->fsck_ns);
		metrics_crash(r->m, c->t, "unsafe_repairs",
		    (double)crash_unsafe_repairs(c));
		for (j = 0; j < G_N_ELEMENTS(crash_fields); j++)
			metrics_crash(r->m, c->t, crash_fields[j].name,
			    (double)*(const uint64_t *)(const void *)
			    ((const char *)c + crash_fields[j].off));
	}
}

void
crash_free(struct replay *r)
{
	if (r->crashes != NULL)
		g_array_free(r->crashes, TRUE);
	r->crashes = NULL;
}
