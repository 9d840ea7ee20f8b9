/* workload.c — the generator registry and the helpers they share. */
#include "workload.h"
#include "profile.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(vfssim-workload-error-quark, workload_error)

#define NOMINAL_NS	1000	/* duration written for every generated call */

static const struct workload *const workloads[] = {
	&workload_seq,
	NULL
};

void
workload_list(FILE *out)
{
	int i;

	for (i = 0; workloads[i] != NULL; i++)
		fprintf(out, "%-10s %s\n           params: %s\n", workloads[i]->name,
		    workloads[i]->doc, workloads[i]->params);
}

static const char *
param(struct gen *g, const char *key)
{
	g_hash_table_add(g->used, (gpointer)key);
	return g_hash_table_lookup(g->params, key);
}

int64_t
gen_size(struct gen *g, const char *key, const char *dflt)
{
	const char *v = param(g, key);
	int64_t n = 0;

	if (!profile_parse_size(v != NULL ? v : dflt, &n) && g->error == NULL)
		g_set_error(&g->error, WORKLOAD_ERROR, 0,
		    "--param %s=%s: expected a size (e.g. 4K, 64M)", key, v);
	return n;
}

int64_t
gen_int(struct gen *g, const char *key, int64_t dflt)
{
	const char *v = param(g, key);
	char *end;
	int64_t n;

	if (v == NULL)
		return dflt;
	errno = 0;
	n = g_ascii_strtoll(v, &end, 10);
	if ((end == v || *end != '\0' || errno != 0 || n < 0) && g->error == NULL)
		g_set_error(&g->error, WORKLOAD_ERROR, 0,
		    "--param %s=%s: expected a non-negative integer", key, v);
	return n;
}

int64_t
gen_time(struct gen *g, const char *key, const char *dflt)
{
	const char *v = param(g, key);
	int64_t n = 0;

	if (!profile_parse_time(v != NULL ? v : dflt, &n) && g->error == NULL)
		g_set_error(&g->error, WORKLOAD_ERROR, 0,
		    "--param %s=%s: expected a time with its unit (e.g. 10us)", key, v);
	return n;
}

const char *
gen_str(struct gen *g, const char *key, const char *dflt)
{
	const char *v = param(g, key);

	return v != NULL ? v : dflt;
}

/* ---- emitting calls -------------------------------------------------- */

static struct trace_call *
begin(struct gen *g, struct gproc *p, const char *name)
{
	struct trace_call *tc = &g->tc;

	trace_call_reset(tc);
	tc->pid = p->pid;
	tc->t_ns = p->t;
	tc->dur_ns = NOMINAL_NS;
	g_strlcpy(tc->name, name, sizeof(tc->name));
	tc->sc = sc_lookup(name);
	return tc;
}

static void
emit(struct gen *g, struct gproc *p)
{
	if (g->error == NULL && !trace_write(g->w, &g->tc, &g->error))
		return;
	g->records++;
	p->t += NOMINAL_NS;
}

void
gen_think(struct gproc *p, int64_t ns)
{
	p->t += ns;
}

int
gen_open(struct gen *g, struct gproc *p, const char *path, uint32_t oflags)
{
	struct trace_call *tc = begin(g, p, "openat");

	tc->fd = TC_AT_FDCWD;
	trace_call_set_str(tc, &tc->path, path, strlen(path));
	tc->oflags = oflags;
	if (oflags & TO_CREAT)
		tc->mode = 0644;
	tc->ret = p->nextfd++;
	emit(g, p);
	return (int)tc->ret;
}

void
gen_close(struct gen *g, struct gproc *p, int fd)
{
	struct trace_call *tc = begin(g, p, "close");

	tc->fd = fd;
	tc->ret = 0;
	emit(g, p);
	if (fd == p->nextfd - 1)
		p->nextfd--;
}

void
gen_read(struct gen *g, struct gproc *p, int fd, int64_t len, int64_t got)
{
	struct trace_call *tc = begin(g, p, "read");

	tc->fd = fd;
	tc->len = len;
	tc->ret = got;
	emit(g, p);
}

void
gen_write(struct gen *g, struct gproc *p, int fd, int64_t len)
{
	struct trace_call *tc = begin(g, p, "write");

	tc->fd = fd;
	tc->len = len;
	tc->ret = len;
	emit(g, p);
}

void
gen_pread(struct gen *g, struct gproc *p, int fd, int64_t len, int64_t off,
    int64_t got)
{
	struct trace_call *tc = begin(g, p, "pread64");

	tc->fd = fd;
	tc->len = len;
	tc->off = off;
	tc->ret = got;
	emit(g, p);
}

void
gen_pwrite(struct gen *g, struct gproc *p, int fd, int64_t len, int64_t off)
{
	struct trace_call *tc = begin(g, p, "pwrite64");

	tc->fd = fd;
	tc->len = len;
	tc->off = off;
	tc->ret = len;
	emit(g, p);
}

void
gen_lseek(struct gen *g, struct gproc *p, int fd, int64_t off)
{
	struct trace_call *tc = begin(g, p, "lseek");

	tc->fd = fd;
	tc->off = off;
	tc->cmd = TCMD_SEEK_SET;
	tc->ret = off;
	emit(g, p);
}

void
gen_fsync(struct gen *g, struct gproc *p, int fd)
{
	struct trace_call *tc = begin(g, p, "fsync");

	tc->fd = fd;
	tc->ret = 0;
	emit(g, p);
}

void
gen_mkdir(struct gen *g, struct gproc *p, const char *path)
{
	struct trace_call *tc = begin(g, p, "mkdir");

	trace_call_set_str(tc, &tc->path, path, strlen(path));
	tc->mode = 0755;
	tc->ret = 0;
	emit(g, p);
}

void
gen_unlink(struct gen *g, struct gproc *p, const char *path)
{
	struct trace_call *tc = begin(g, p, "unlink");

	trace_call_set_str(tc, &tc->path, path, strlen(path));
	tc->ret = 0;
	emit(g, p);
}

void
gen_exit(struct gen *g, struct gproc *p)
{
	struct trace_call *tc = &g->tc;

	trace_call_reset(tc);
	tc->kind = TC_EXIT;
	tc->pid = p->pid;
	tc->t_ns = p->t;
	tc->ret = 0;
	g_strlcpy(tc->name, "+++", sizeof(tc->name));
	if (g->error == NULL)
		(void)trace_write(g->w, tc, &g->error);
}

/* ---- running one ----------------------------------------------------- */

bool
workload_generate(const char *name, char **params, uint64_t seed,
    const char *out, GError **err)
{
	const struct workload *wl = NULL;
	struct gen g;
	char *tmp = NULL;
	bool ok = false;
	char **pp;
	int i;

	for (i = 0; workloads[i] != NULL; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			wl = workloads[i];
	if (wl == NULL) {
		g_set_error(err, WORKLOAD_ERROR, 0, "no generator \"%s\" "
		    "(vfssim gen --list shows them)", name);
		return false;
	}
	memset(&g, 0, sizeof(g));
	g.params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g.used = g_hash_table_new(g_str_hash, g_str_equal);
	for (pp = params; pp != NULL && *pp != NULL; pp++) {
		const char *eq = strchr(*pp, '=');

		if (eq == NULL || eq == *pp) {
			g_set_error(err, WORKLOAD_ERROR, 0,
			    "--param %s: expected key=value", *pp);
			goto out;
		}
		g_hash_table_insert(g.params, g_strndup(*pp, (size_t)(eq - *pp)),
		    g_strdup(eq + 1));
	}
	g.rng = g_rand_new_with_seed((guint32)(seed ^ (seed >> 32)));
	trace_call_init(&g.tc);
	tmp = g_strdup_printf("%s.partial", out);
	g.w = trace_writer_open(tmp, g_str_has_suffix(out, ".gz"), err);
	if (g.w == NULL)
		goto out;
	ok = wl->generate(&g) && g.error == NULL;
	if (!trace_writer_close(g.w, ok ? &g.error : NULL) && ok)
		ok = false;
	if (ok) {
		GHashTableIter it;
		gpointer k;

		/* A parameter the generator never asked for is a typo. */
		g_hash_table_iter_init(&it, g.params);
		while (g_hash_table_iter_next(&it, &k, NULL))
			if (!g_hash_table_contains(g.used, k)) {
				g_set_error(&g.error, WORKLOAD_ERROR, 0,
				    "generator %s has no parameter \"%s\" (it has: %s)",
				    name, (char *)k, wl->params);
				ok = false;
				break;
			}
	}
	if (ok && rename(tmp, out) != 0) {
		g_set_error(&g.error, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: %s", out, g_strerror(errno));
		ok = false;
	}
	if (!ok) {
		unlink(tmp);
		if (g.error != NULL)
			g_propagate_error(err, g.error);
		else
			g_set_error(err, WORKLOAD_ERROR, 0, "generator %s failed", name);
		g.error = NULL;
	}
out:
	if (g.rng != NULL)
		g_rand_free(g.rng);
	trace_call_free(&g.tc);
	g_hash_table_destroy(g.params);
	g_hash_table_destroy(g.used);
	g_free(tmp);
	return ok;
}
