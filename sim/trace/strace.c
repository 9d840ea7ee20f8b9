/*
 * strace.c — reader of strace(1) logs: "strace -f -o", "strace -ff" files
 * and strace's stderr output, with or without -t/-tt/-ttt, -r, -T, -y/-yy,
 * -X raw/verbose and -x/-xx.
 *
 * A line is a prefix (the task id: "PID " with -f -o, "[pid N] " on stderr,
 * nothing in an -ff file or for the only task on stderr), an optional time
 * stamp and relative time, and a body: a call, one half of a call split by
 * another task's output ("NAME(args <unfinished ...>" and later
 * "<... NAME resumed>args) = result"), the end of a task ("+++ exited with 0
 * +++"), a signal ("--- SIGCHLD {...} ---") or one of strace's own messages.
 *
 * This file reads the lines, pairs the halves of split calls and hands out
 * the records; strace_lex.c takes the text apart and strace_calls.c turns
 * the text of one call into a struct trace_call.  The two halves of a split
 * call are joined by keeping the text of the first half and appending the
 * second half to it: the joined text is then parsed exactly like a one-line
 * call.
 *
 * Records are handed out in the order their calls completed, which is the
 * order strace saw them end — with one exception.  A process-creating call
 * (clone, clone3, fork, vfork) that is split lets the child run before the
 * parent's half-line is completed; the child's calls would come out before
 * the call that created it.  So while such a call is unfinished, a
 * placeholder for it holds its place in the output queue and everything
 * completed after it waits behind it (up to HOLD_MAX records).
 *
 * Anything that is not strace output — binary junk, control characters,
 * unbalanced quotes or brackets, a line cut short — is an error naming the
 * file and line; the parser never guesses.
 */
#include "strace_private.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define HOLD_MAX	100000	/* records held behind an unfinished clone, at most */
#define NOSLOT		UINT64_MAX

#define DAY_NS		(INT64_C(86400) * NS_PER_SEC)

/* One half-finished call of one task. */
struct pending {
	int32_t		 pid;
	int64_t		 t_ns;
	uint64_t	 line;
	uint64_t	 seq;		/* its placeholder in the queue, or NOSLOT */
	char		 name[32];
	GString		*args;		/* text after "NAME(", before "<unfinished" */
};

enum qstate {
	Q_READY,			/* a record to hand out */
	Q_WAIT,				/* placeholder of an unfinished clone */
	Q_DEAD,				/* placeholder given up (see release_holds) */
};

struct qent {
	struct trace_call tc;
	uint8_t		 state;
};

/* ---- the output queue ------------------------------------------------ */

static struct qent *
q_at(struct strace_parser *p, uint64_t seq)
{
	if (seq < p->qbase || seq - p->qbase >= p->qcount)
		return NULL;
	return &p->q[(p->qhead + (size_t)(seq - p->qbase)) % p->qcap];
}

/* A new entry at the tail; pointers to entries are invalid afterwards. */
static struct qent *
q_push(struct strace_parser *p, enum qstate state, uint64_t *seqp)
{
	struct qent *e;

	if (p->qcount == p->qcap) {
		size_t ncap = p->qcap * 2, i;
		struct qent *nq = g_new0(struct qent, ncap);

		for (i = 0; i < p->qcap; i++)
			nq[i] = p->q[(p->qhead + i) % p->qcap];
		g_free(p->q);
		p->q = nq;
		p->qcap = ncap;
		p->qhead = 0;
	}
	e = &p->q[(p->qhead + p->qcount) % p->qcap];
	if (seqp != NULL)
		*seqp = p->qbase + p->qcount;
	p->qcount++;
	trace_call_reset(&e->tc);
	e->state = state;
	if (state == Q_WAIT)
		p->nwait++;
	return e;
}

/* Undo the last q_push (its record did not parse). */
static void
q_unpush(struct strace_parser *p)
{
	p->qcount--;
}

/*
 * Too many records wait behind unfinished clones (one that never ends, in
 * a long trace): give up holding them.  The placeholders become tombstones,
 * so everything queued goes out in order; those clones will come out when
 * they complete, like any call.
 */
static void
release_holds(struct strace_parser *p)
{
	GHashTableIter hi;
	gpointer v;
	size_t i;

	for (i = 0; i < p->qcount; i++) {
		struct qent *e = &p->q[(p->qhead + i) % p->qcap];

		if (e->state == Q_WAIT)
			e->state = Q_DEAD;
	}
	g_hash_table_iter_init(&hi, p->pending);
	while (g_hash_table_iter_next(&hi, NULL, &v))
		((struct pending *)v)->seq = NOSLOT;
	p->nwait = 0;
}

/* A new record at the tail of the queue. */
static struct trace_call *
rec_new(struct strace_parser *p)
{
	if (p->nwait > 0 && p->qcount >= HOLD_MAX)
		release_holds(p);
	return &q_push(p, Q_READY, NULL)->tc;
}

/* Hand out the head of the queue if it is ready. */
static bool
q_pop(struct strace_parser *p, struct trace_call *tc)
{
	while (p->qcount > 0) {
		struct qent *e = &p->q[p->qhead];
		struct trace_call tmp;

		if (e->state == Q_WAIT)
			return false;
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qbase++;
		p->qcount--;
		if (e->state == Q_DEAD)
			continue;
		/* swap, so that the caller's string storage is reused */
		tmp = *tc;
		*tc = e->tc;
		e->tc = tmp;
		return true;
	}
	return false;
}

/* ---- tasks ----------------------------------------------------------- */

/* A call's name as traced, cut to fit trace_call.name. */
static void
copy_name(char *dst, size_t dstsz, const char *name, size_t namelen)
{
	size_t k = MIN(namelen, dstsz - 1);

	memcpy(dst, name, k);
	dst[k] = '\0';
}

static void
rec_begin(struct strace_parser *p, struct trace_call *tc, int32_t pid,
    int64_t t, uint64_t line, const char *name)
{
	tc->kind = TC_CALL;
	tc->pid = pid;
	/* (a split call's record is made when its second half is read: the
	 * line that completed it) */
	tc->t_ns = p->line_times ? (int64_t)p->curline : t;
	tc->line = line;
	g_strlcpy(tc->name, name, sizeof(tc->name));
	tc->sc = (uint16_t)sc_lookup_memo(&p->scm, tc->name, strlen(tc->name));
}

static bool
is_fork(enum sc_id sc)
{
	return sc == SC_CLONE || sc == SC_CLONE3 || sc == SC_FORK ||
	    sc == SC_VFORK;
}

static void
pending_free(struct strace_parser *p, struct pending *pd)
{
	g_hash_table_remove(p->pending, GINT_TO_POINTER(pd->pid));
	g_ptr_array_add(p->spare, pd);
}

/*
 * Complete the split call pd: with rest, the text of its second half after
 * "resumed>", or (rest == NULL) as a call that never returned because its
 * task ended, or the trace did.  The record takes the placeholder of a
 * clone, or the tail of the queue.  The entry time and line are the first
 * half's; the duration is the second half's.
 */
static bool
pending_finish(struct strace_parser *p, struct pending *pd, const char *rest,
    size_t restlen)
{
	struct trace_call *tc;
	struct qent *slot = NULL;
	bool ok;

	if (pd->seq != NOSLOT && (slot = q_at(p, pd->seq)) != NULL) {
		tc = &slot->tc;
		trace_call_reset(tc);
	} else
		tc = rec_new(p);
	rec_begin(p, tc, pd->pid, pd->t_ns, pd->line, pd->name);
	if (rest != NULL) {
		g_string_truncate(p->join, 0);
		g_string_append_len(p->join, pd->args->str, (gssize)pd->args->len);
		g_string_append_len(p->join, rest, (gssize)restlen);
		ok = strace_parse_call(p, tc, p->join->str, p->join->len, true);
	} else
		ok = strace_parse_call(p, tc, pd->args->str, pd->args->len, false);
	if (!ok && rest == NULL)
		p->errline = pd->line;
	if (slot != NULL) {
		slot->state = ok ? Q_READY : Q_DEAD;
		p->nwait--;
	} else if (!ok)
		q_unpush(p);
	pending_free(p, pd);
	return ok;
}

static int
cmp_pending(gconstpointer a, gconstpointer b)
{
	const struct pending *x = *(struct pending *const *)a;
	const struct pending *y = *(struct pending *const *)b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/* At the end of the trace: calls that never finished, oldest first. */
static bool
flush_pending(struct strace_parser *p)
{
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter hi;
	gpointer v;
	bool ok = true;
	guint i;

	g_hash_table_iter_init(&hi, p->pending);
	while (g_hash_table_iter_next(&hi, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, cmp_pending);
	for (i = 0; i < all->len && ok; i++)
		ok = pending_finish(p, all->pdata[i], NULL, 0);
	g_ptr_array_free(all, TRUE);
	return ok;
}

/* ---- lines ----------------------------------------------------------- */

/* A line of text?  Tabs pass; other control characters, NULs included,
 * mean the file is not (or no longer) an strace log. */
#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Might one of the 8 bytes in w be below 0x20 or 0x7f?  Never no when one
 * is; sometimes yes when none is (a borrow from a byte that is), so a yes
 * is checked byte by byte. */
static inline bool
maybe_control(uint64_t w)
{
	uint64_t del = w ^ (0x7f * ONES);

	return (((w - 0x20 * ONES) & ~w) | ((del - ONES) & ~del)) & HIGHS;
}

static bool
check_text(struct errbuf *e, const char *s, size_t n)
{
	size_t i = 0;

	/* Sixteen bytes at a time where the processor has SSE2 (every
	 * x86-64: eight at a time this was still a tenth of d1's reading),
	 * else eight (a fifth of the scan's lexing went here a byte at a
	 * time); a word that may hold a control character (a tab), and the
	 * tail, byte by byte. */
	for (;;) {
		uint64_t w;

#ifdef __SSE2__
		/* exact: a byte is below 0x20 when its minimum with 0x1f is
		 * itself (unsigned), or is DEL */
		while (i + 16 <= n) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			__m128i bad = _mm_or_si128(
			    _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x),
			    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));

			if (_mm_movemask_epi8(bad) != 0)
				break;
			i += 16;
		}
#endif
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (maybe_control(w))
				break;
			i += 8;
		}
		if (i >= n)
			return true;
		{
			size_t end = MIN(i + 8, n);

			for (; i < end; i++) {
				unsigned char c = (unsigned char)s[i];

				if ((c < 0x20 && c != '\t') || c == 0x7f)
					return strace_bad(e, "control character "
					    "0x%02x at column %zu: not strace "
					    "output", c, i + 1);
			}
		}
	}
}
#undef ONES
#undef HIGHS

/* Lines that are strace's but say nothing about calls. */
static bool
is_chatter(const char *s, size_t n)
{
	return has_prefix(s, n, "strace: ") ||
	    has_prefix(s, n, "[ Process PID=") ||	/* personality change */
	    has_prefix(s, n, " > ") ||			/* -k stack frames */
	    has_prefix(s, n, " | ");			/* -e read= dumps */
}

/* ---- whose line: strace's stderr form ----------------------------------- */

/*
 * strace writes a task's id before its line only while it traces more than
 * one task (printleader: "[pid N] " when nprocs > 1 and no -o), so a line
 * on stderr without one is the one task traced then: the first, whose id
 * no line has shown yet (0 stands for it, as for a log of one task), or
 * whichever outlived the others.  Which tasks are alive the log says:
 * "strace: Process N attached" (each task -f follows, unless -q), its
 * "[pid N]" lines, "+++ exited"/"+++ killed", "Process N detached".  The
 * first task's own id turns up as the one "[pid N]" that no "attached"
 * announced, the others being announced: it is read as 0 from then on, so
 * that the first task's lines with and without the prefix are one
 * process, not two.  (Under -q nothing is announced, and a new id can be
 * a child's as well: it is taken as its own task.)  An -ff member's lines
 * are all its own task's.
 */
static void
task_alive(struct strace_parser *p, int32_t pid)
{
	g_hash_table_add(p->tasks, GINT_TO_POINTER(pid));
	p->tasks_seen = p->tasks_changed = true;
	p->last_bracket = 0;
}

/* A task's end ("+++ exited", "+++ killed", superseded, detached). */
static void
task_gone(struct strace_parser *p, int32_t pid)
{
	if (p->pid_hint == 0 && g_hash_table_remove(p->tasks,
	    GINT_TO_POINTER(pid))) {
		p->tasks_changed = true;
		p->last_bracket = 0;
	}
}

/* The task of an unprefixed line: the only one alive, else (none, or
 * more than one: a log that did not say) the one before. */
static int32_t
lone_task(struct strace_parser *p)
{
	GHashTableIter hi;
	gpointer k;

	if (!p->tasks_changed)
		return p->lone;
	/* the first line of all, the first task's (under -p, strace
	 * announced it: then it is known already) */
	if (!p->tasks_seen)
		task_alive(p, 0);
	if (g_hash_table_size(p->tasks) == 1) {
		g_hash_table_iter_init(&hi, p->tasks);
		if (g_hash_table_iter_next(&hi, &k, NULL))
			p->lone = GPOINTER_TO_INT(k);
	}
	p->tasks_changed = false;
	return p->lone;
}

static int32_t
line_pid(struct strace_parser *p, const struct prefix *pf)
{
	int32_t pid = pf->pid;

	if (p->pid_hint != 0 || (pf->has_pid && !pf->bracket))
		return pf->has_pid ? pid : p->pid_hint;
	if (!pf->has_pid)
		return lone_task(p);
	if (p->first_named && pid == p->first_pid)
		return 0;
	if (pid == p->last_bracket)
		return pid;
	if (!g_hash_table_contains(p->tasks, GINT_TO_POINTER(pid))) {
		if (!p->first_named && p->announced > 0 &&
		    g_hash_table_contains(p->tasks, GINT_TO_POINTER(0))) {
			p->first_named = true;
			p->first_pid = pid;
			return 0;
		}
		task_alive(p, pid);
	}
	p->last_bracket = pid;
	return pid;
}

/* "strace: Process N attached" / "... detached": a task begins or ends
 * being traced.  Any other message of strace's says nothing of tasks. */
static void
strace_message(struct strace_parser *p, const char *s, size_t n)
{
	int32_t pid;
	size_t k;

	if (p->pid_hint != 0 || !has_prefix(s, n, "strace: Process ") ||
	    (k = strace_lex_pid(s + 16, n - 16, &pid)) == 0)
		return;
	s += 16 + k;
	n -= 16 + k;
	if (p->first_named && pid == p->first_pid)
		pid = 0;
	if (has_prefix(s, n, " attached")) {
		p->announced++;
		task_alive(p, pid);
	} else if (has_prefix(s, n, " detached"))
		task_gone(p, pid);
}

/*
 * On stderr (no -o) strace's messages share the stream with the calls'
 * lines: a task that -f begins to follow while another's line is half
 * written ("vfork(", its arguments printed, the call not yet returned)
 * is announced right after that half, "vfork(strace: Process 585
 * attached", and the half line goes on in the next line — " <unfinished
 * ...>" when another task prints next (printleader), else the rest of
 * the call (") = 585 <0.000998>").  Where such a message ends a line
 * ("... attached", "... detached"), the offset it begins at; 0 if none.
 */
static size_t
cut_by_message(const char *s, size_t n)
{
	static const char msg[] = "strace: Process ";
	size_t i, m = sizeof(msg) - 1;

	/* (a call's line ends with its result or -T's '>': one test) */
	if (n < 9 || s[n - 1] != 'd' || (!has_suffix(s, n, " attached") &&
	    !has_suffix(s, n, " detached")))
		return 0;
	for (i = n - 9; i-- > 0;) {
		if (s[i] >= '0' && s[i] <= '9')
			continue;
		return i + 1 > m && memcmp(s + i + 1 - m, msg, m) == 0 &&
		    i + 1 < n - 9 ? i + 1 - m : 0;
	}
	return 0;
}

/*
 * Time of a line; times of day are made monotonic across midnight.  -r
 * without -t (strace's printleader: the time since the line before's,
 * "%6ld.%06ld", the first line's 0) looks like -ttt's seconds: its first
 * stamp, exactly 0, or blanks before it where no task's id is (the
 * seconds right-aligned), tell it apart, and the lines' times are the sum
 * of the stamps so far, from 0.  (An -ff member's stamps count from the
 * line before in any of the set's files: nothing to sum, no time.)
 */
static int64_t
line_time(struct strace_parser *p, const struct prefix *pf)
{
	int64_t t;

	if (pf->tskind == TS_NONE)
		return TC_NOTIME;
	if (!p->rel_decided) {
		p->rel_decided = true;
		p->relative = pf->tskind == TS_EPOCH && (pf->ts == 0 ||
		    pf->padded);
	}
	if (p->relative) {
		if (pf->tskind != TS_EPOCH)
			return TC_NOTIME;	/* refused by handle_line */
		p->rel_ns = tc_add(p->rel_ns, pf->ts);
		return p->pid_hint != 0 ? TC_NOTIME : p->rel_ns;
	}
	if (pf->tskind == TS_EPOCH)
		return pf->ts;
	t = pf->ts + p->day_ns;
	if (p->last_tod != TC_NOTIME) {
		if (t < p->last_tod - DAY_NS / 2) {
			p->day_ns += DAY_NS;
			t += DAY_NS;
		} else if (t > p->last_tod + DAY_NS / 2 && p->day_ns >= DAY_NS)
			t -= DAY_NS;	/* a late line from before midnight */
	}
	p->last_tod = t;
	return t;
}

/* Linux signal numbers, for "+++ killed by SIGxxx +++". */
static const struct sym signal_syms[] = {
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 },
	{ "SIGTRAP", 5 }, { "SIGABRT", 6 }, { "SIGBUS", 7 }, { "SIGFPE", 8 },
	{ "SIGKILL", 9 }, { "SIGUSR1", 10 }, { "SIGSEGV", 11 },
	{ "SIGUSR2", 12 }, { "SIGPIPE", 13 }, { "SIGALRM", 14 },
	{ "SIGTERM", 15 }, { "SIGSTKFLT", 16 }, { "SIGCHLD", 17 },
	{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 },
	{ "SIGTTIN", 21 }, { "SIGTTOU", 22 }, { "SIGURG", 23 },
	{ "SIGXCPU", 24 }, { "SIGXFSZ", 25 }, { "SIGVTALRM", 26 },
	{ "SIGPROF", 27 }, { "SIGWINCH", 28 }, { "SIGIO", 29 },
	{ "SIGPWR", 30 }, { "SIGSYS", 31 },
	{ NULL, 0 }
};

/* "+++ exited with N +++", "+++ killed by SIGxxx [(core dumped)] +++",
 * "+++ superseded by execve in pid N +++" */
static bool
handle_exit(struct strace_parser *p, int32_t pid, int64_t t, uint64_t line,
    const char *s, size_t n)
{
	struct pending *pd;
	struct trace_call *tc;
	int64_t status;
	size_t k;

	if (n < 8 || !has_suffix(s, n, " +++"))
		return strace_bad(&p->e, "\"+++\" line not closed by \" +++\"");
	s += 4;
	n -= 8;
	if (has_prefix(s, n, "exited")) {
		if (!has_prefix(s, n, "exited with ") ||
		    (k = strace_lex_int(s + 12, n - 12, &status)) == 0 || 12 + k != n)
			return strace_bad(&p->e, "bad exit status");
	} else if (has_prefix(s, n, "killed")) {
		const struct sym *sig;

		k = has_prefix(s, n, "killed by ") ? strace_lex_ident(s + 10, n - 10) : 0;
		if (k == 0 || (10 + k != n &&
		    !(10 + k + 14 == n && memcmp(s + 10 + k, " (core dumped)", 14) == 0)))
			return strace_bad(&p->e, "bad \"killed by\" line");
		sig = strace_sym_find(signal_syms, s + 10, k);
		status = 128 + (sig != NULL ? sig->val : 0);
	} else if (has_prefix(s, n, "superseded by execve in pid ")) {
		int32_t tid;
		struct pending *moved;

		/*
		 * "LEADER +++ superseded by execve in pid TID +++": thread TID
		 * (not the leader) called execve, and takes the leader's id.
		 * The leader's own unfinished call will never return; TID's
		 * execve resumes as LEADER's; TID is gone.
		 */
		if ((k = strace_lex_pid(s + 28, n - 28, &tid)) == 0 || 28 + k != n)
			return strace_bad(&p->e, "bad \"superseded\" line");
		if (p->first_named && tid == p->first_pid)
			tid = 0;
		if (tid == pid)
			return true;
		if ((pd = g_hash_table_lookup(p->pending,
		    GINT_TO_POINTER(pid))) != NULL &&
		    !pending_finish(p, pd, NULL, 0))
			return false;
		moved = g_hash_table_lookup(p->pending, GINT_TO_POINTER(tid));
		if (moved != NULL) {
			g_hash_table_remove(p->pending, GINT_TO_POINTER(tid));
			moved->pid = pid;
			g_hash_table_insert(p->pending, GINT_TO_POINTER(pid), moved);
		}
		pid = tid;
		status = 0;
	} else
		return true;	/* another kind of ending: nothing to record */
	task_gone(p, pid);

	if ((pd = g_hash_table_lookup(p->pending, GINT_TO_POINTER(pid))) != NULL &&
	    !pending_finish(p, pd, NULL, 0))
		return false;
	tc = rec_new(p);
	tc->kind = TC_EXIT;
	tc->pid = pid;
	tc->t_ns = p->line_times ? (int64_t)p->curline : t;
	tc->line = line;
	tc->ret = status;
	g_strlcpy(tc->name, "+++", sizeof(tc->name));
	return true;
}

/* "NAME(args) = result" or its first half "NAME(args <unfinished ...>". */
static bool
handle_call(struct strace_parser *p, int32_t pid, int64_t t, uint64_t line,
    const char *s, size_t n, size_t namelen)
{
	const char *args = s + namelen + 1, *m;
	size_t alen = n - namelen - 1;
	struct trace_call *tc;
	struct pending *pd;
	bool unfinished = false;

	while (alen > 0 && is_space(args[alen - 1]))
		alen--;
	if (has_suffix(args, alen, "<unfinished ...>")) {
		alen -= 16;
		unfinished = true;
	} else if (has_suffix(args, alen, " ...>") &&
	    (m = g_strrstr_len(args, (gssize)alen, " <pid changed to ")) != NULL) {
		/* a thread's execve, cut where its id changed (see handle_exit) */
		alen = (size_t)(m - args);
		unfinished = true;
	}
	if (unfinished) {
		struct span a[1];
		size_t stop;
		int na;

		/* check the first half now, so that junk is reported here */
		if (!strace_split_list(&p->e, args, alen, ',', a, 1, &na, &stop))
			return false;
		if (stop != alen)
			return strace_bad(&p->e, "unbalanced '%c' before <unfinished ...>",
			    args[stop]);
		if ((pd = g_hash_table_lookup(p->pending,
		    GINT_TO_POINTER(pid))) != NULL &&
		    !pending_finish(p, pd, NULL, 0))
			return false;
		pd = p->spare->len > 0 ? g_ptr_array_steal_index_fast(p->spare,
		    p->spare->len - 1) : g_new0(struct pending, 1);
		if (pd->args == NULL)
			pd->args = g_string_sized_new(128);
		g_string_truncate(pd->args, 0);
		g_string_append_len(pd->args, args, (gssize)alen);
		pd->pid = pid;
		pd->t_ns = t;
		pd->line = line;
		pd->seq = NOSLOT;
		copy_name(pd->name, sizeof(pd->name), s, namelen);
		if (is_fork(sc_lookup_memo(&p->scm, pd->name,
		    strlen(pd->name))))
			q_push(p, Q_WAIT, &pd->seq);
		g_hash_table_insert(p->pending, GINT_TO_POINTER(pid), pd);
		return true;
	}

	tc = rec_new(p);
	copy_name(tc->name, sizeof(tc->name), s, namelen);
	rec_begin(p, tc, pid, t, line, tc->name);
	if (has_suffix(args, alen, "<detached ...>")) {
		/* strace let go of the task in the middle of the call */
		if (!strace_parse_call(p, tc, args, alen - 14, false)) {
			q_unpush(p);
			return false;
		}
		return true;
	}
	if (!strace_parse_call(p, tc, args, alen, true)) {
		q_unpush(p);
		return false;
	}
	return true;
}

/* "<... NAME resumed>rest" */
static bool
handle_resumed(struct strace_parser *p, int32_t pid, const char *s, size_t n)
{
	struct pending *pd;
	size_t k = strace_lex_ident(s + 5, n - 5);
	char name[32];

	if (k == 0 || !has_prefix(s + 5 + k, n - 5 - k, " resumed>"))
		return strace_bad(&p->e, "bad \"<... resumed>\" line");
	pd = g_hash_table_lookup(p->pending, GINT_TO_POINTER(pid));
	if (pd == NULL) {
		/* The first half was before the trace began (strace -p
		 * attached in the middle of the call): nothing to join. */
		p->orphans++;
		return true;
	}
	copy_name(name, sizeof(name), s + 5, k);
	if (strcmp(name, pd->name) != 0)
		return strace_bad(&p->e, "\"%s\" resumed, but the unfinished call of "
		    "task %d (line %llu) is \"%s\"", name, pid,
		    (unsigned long long)pd->line, pd->name);
	k += 5 + 9;
	return pending_finish(p, pd, s + k, n - k);
}

/* One line of the log: queue what it completes. */
static bool
handle_line(struct strace_parser *p, const char *s, size_t n, uint64_t line)
{
	struct prefix pf;
	const char *b;
	char buf[64];
	size_t bn, k;
	int32_t pid;
	int64_t t;

	p->curline = line;
	if (!check_text(&p->e, s, n))
		return false;
	if (skip_space(s, n, 0) == n || p->summary)
		return true;
	/* -C's summary table (its head "% time     seconds  usecs/call
	 * ...", rules of dashes, a row a call and the total), written at the
	 * end of the log when the tasks are done: the rest of the log.  A
	 * table alone (-c) has no calls to replay. */
	if (has_prefix(s, n, "% time")) {
		if (!p->lt_decided)
			return strace_bad(&p->e, "strace -c's summary table: no "
			    "calls to replay (capture without -c; -C keeps the "
			    "calls and the table)");
		p->summary = true;
		return true;
	}
	if (is_chatter(s, n)) {
		strace_message(p, s, n);
		return true;
	}
	if (!strace_parse_prefix(&p->e, s, n, &pf))
		return false;
	/* Without time stamps the order of the lines is the order things
	 * happened in, and is kept as the records' times; not an -ff
	 * member's, whose lines are one task's among the set's (merged by
	 * time, they have none to merge by). */
	if (!p->lt_decided) {
		p->lt_decided = true;
		p->line_times = p->pid_hint == 0 && pf.tskind == TS_NONE;
	} else if (p->line_times && pf.tskind != TS_NONE)
		return strace_bad(&p->e, "a time stamp, where the log's first "
		    "line has none: strace stamps every line or none (-t, -tt, "
		    "-ttt, -r)");
	b = s + pf.body;
	bn = n - pf.body;
	pid = line_pid(p, &pf);
	t = line_time(p, &pf);
	if (p->relative && pf.tskind == TS_TOD)
		return strace_bad(&p->e, "a time of day in a log of -r's "
		    "relative time stamps: strace stamps every line alike");

	if (has_prefix(b, bn, "+++ "))
		return handle_exit(p, pid, t, line, b, bn);
	if (has_prefix(b, bn, "--- ")) {
		/* a signal, or "--- stopped by SIGSTOP ---": not a call */
		if (!has_suffix(b, bn, " ---") || bn < 8)
			return strace_bad(&p->e, "\"---\" line not closed by \" ---\"");
		return true;
	}
	if (has_prefix(b, bn, "<... "))
		return handle_resumed(p, pid, b, bn);
	if ((k = strace_lex_ident(b, bn)) > 0 && k < bn && b[k] == '(')
		return handle_call(p, pid, t, line, b, bn, k);
	return strace_bad(&p->e, "not an strace line: \"%s\"",
	    strace_excerpt(b, bn, buf, sizeof(buf)));
}

/* ---- interface ------------------------------------------------------- */

bool
strace_sniff(const char *line, size_t len)
{
	struct errbuf e;
	struct prefix pf;
	const char *b;
	size_t bn, k;

	if (!check_text(&e, line, len))
		return false;
	if (has_prefix(line, len, "strace: ") || has_prefix(line, len, "% time"))
		return true;
	if (!strace_parse_prefix(&e, line, len, &pf))
		return false;
	b = line + pf.body;
	bn = len - pf.body;
	if (has_prefix(b, bn, "+++ ") || has_prefix(b, bn, "--- ") ||
	    has_prefix(b, bn, "<... "))
		return true;
	k = strace_lex_ident(b, bn);
	return k > 0 && k < bn && b[k] == '(';
}

struct strace_parser *
strace_parser_new(struct lineio *in, int32_t pid_hint)
{
	struct strace_parser *p = g_new0(struct strace_parser, 1);

	p->in = in;
	p->pid_hint = pid_hint;
	p->scm.fallback = strace_abi_sc;
	p->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	p->spare = g_ptr_array_new();
	p->qcap = 64;
	p->q = g_new0(struct qent, p->qcap);
	p->join = g_string_sized_new(256);
	p->cut = g_string_new(NULL);
	p->str = g_string_sized_new(256);
	p->last_tod = TC_NOTIME;
	p->tasks = g_hash_table_new(g_direct_hash, g_direct_equal);
	p->tasks_changed = true;
	return p;
}

bool
strace_parser_line_times(const struct strace_parser *p)
{
	return p->line_times;
}

int
strace_parser_next(struct strace_parser *p, struct trace_call *tc,
    GError **err)
{
	for (;;) {
		const char *line;
		size_t len, k;
		uint64_t lineno;
		bool ok;
		int rc;

		if (q_pop(p, tc))
			return 1;
		if (p->eof)
			return 0;
		rc = lineio_next(p->in, &line, &len, err);
		if (rc < 0)
			return -1;
		p->errline = 0;
		lineno = lineio_lineno(p->in);
		if (p->cut->len > 0) {
			/* a half line and its rest (cut_by_message), read as
			 * one line: the half's */
			if (rc > 0)
				g_string_append_len(p->cut, line, (gssize)len);
			line = p->cut->str;
			len = p->cut->len;
			lineno = p->errline = p->cut_line;
		} else if (rc == 0) {
			p->eof = true;
			ok = flush_pending(p);
			goto done;
		} else if ((k = cut_by_message(line, len)) > 0) {
			strace_message(p, line + k, len - k);
			g_string_append_len(p->cut, line, (gssize)k);
			p->cut_line = lineno;
			continue;
		}
		/* (one call of it: inlined here) */
		ok = handle_line(p, line, len, lineno);
		if (p->cut->len > 0)
			g_string_truncate(p->cut, 0);
	done:
		if (!ok) {
			g_set_error(err, TRACE_ERROR, TRACE_ERROR_FORMAT,
			    "%s:%llu: %s", lineio_path(p->in),
			    (unsigned long long)(p->errline != 0 ? p->errline :
			    lineio_lineno(p->in)), p->e.msg);
			return -1;
		}
	}
}

void
strace_parser_free(struct strace_parser *p)
{
	GHashTableIter hi;
	gpointer v;
	size_t i;

	if (p == NULL)
		return;
	if (p->orphans > 0)
		g_debug("%s: %llu second halves of calls begun before the trace",
		    lineio_path(p->in), (unsigned long long)p->orphans);
	g_hash_table_iter_init(&hi, p->pending);
	while (g_hash_table_iter_next(&hi, NULL, &v))
		g_ptr_array_add(p->spare, v);
	for (i = 0; i < p->spare->len; i++) {
		struct pending *pd = p->spare->pdata[i];

		if (pd->args != NULL)
			g_string_free(pd->args, TRUE);
		g_free(pd);
	}
	g_ptr_array_free(p->spare, TRUE);
	g_hash_table_destroy(p->pending);
	g_hash_table_destroy(p->tasks);
	for (i = 0; i < p->qcap; i++)
		trace_call_free(&p->q[i].tc);
	g_free(p->q);
	g_string_free(p->join, TRUE);
	g_string_free(p->cut, TRUE);
	g_string_free(p->str, TRUE);
	lineio_close(p->in);
	g_free(p);
}
