#!/usr/bin/env bash
# End-to-end tests of replay.order: which order processes keep across each
# other (README "How a trace is replayed", "Process order").
#
#   VFSSIM=build/check/vfssim tests/e2e-order.sh
. "$(dirname "$0")/lib.sh" e2e-order
expect 32

metric() { sql "$1" "SELECT value FROM summary WHERE run = ${3:-1} AND metric = '$2'"; }
native() { { echo "#vfssim-trace 1"; cat; } >"$1"; }
# replay TRACE DB ORDER [more options]: one run into a fresh database.
replay() {
	local t=$1 db=$2 order=$3; shift 3
	rm -f "$db"
	"$VFSSIM" replay "$t" --db "$db" --set replay.order="$order" -q "$@" >"$T/out" 2>&1 &&
		no_sanitizer_report "$T/out" || { echo "     replay $t ($order) failed:"; head -5 "$T/out"; return 1; }
}
# Where a pid's first call started and its last call ended, in the run.
first() { sql "$1" "SELECT min(start_ns) FROM syscalls WHERE pid = $2"; }
last() { sql "$1" "SELECT max(end_ns) FROM syscalls WHERE pid = $2"; }
start_of() { sql "$1" "SELECT start_ns FROM syscalls WHERE pid = $2 AND call = '$3' ORDER BY seq LIMIT 1"; }
end_of() { sql "$1" "SELECT end_ns FROM syscalls WHERE pid = $2 AND call = '$3' ORDER BY seq LIMIT 1"; }

# ---- a process after one that ended: no fork/wait lines ----------------
# A reads an 8 MB file cold: 1 ms in the trace, hundreds in the simulation.
# B begins 9 ms after A ended in the trace; nothing says how they relate
# (a capture filtered with -e trace=%file,%desc has no clone or wait4).
native "$T/after.trace" <<'EOF'
1000000000 10 openat 3 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000002000 10 read 8388608 1000000 fd=3 len=8388608
1001003000 10 close 0 1000 fd=3
1001005000 10 +++ 0 -
1010000000 11 openat 3 1000 fd=AT_FDCWD path="/data/b" oflags=O_RDONLY
1010002000 11 read 4096 1000 fd=3 len=4096
1010004000 11 close 0 1000 fd=3
1010006000 11 +++ 0 -
EOF
for order in causal temporal free; do
	replay "$T/after.trace" "$T/after-$order.db" $order || { bad "replay after.trace ($order)"; continue; }
done
db=$T/after-causal.db
aend=$(last "$db" 10) bstart=$(first "$db" 11)
if [ -n "$aend" ] && [ "$aend" -gt 100000000 ] && [ $((bstart - aend)) -ge 8995000 ] &&
	[ $((bstart - aend)) -le 9100000 ] && [ "$(metric "$db" processes.max_alive)" = 1.0 ] &&
	[ "$(metric "$db" processes.max_alive_traced)" = 1.0 ] &&
	[ "$(metric "$db" replay.order_edges)" = 1.0 ] && [ "$(metric "$db" replay.order_inferred)" = 1.0 ]; then
	ok "causal: a process that began after another ended in the trace starts after it ends in the replay, the traced 9 ms later (A ends at $((aend / 1000000)) ms)"
else
	bad "causal: A ends at $aend, B starts at $bstart; max alive $(metric "$db" processes.max_alive), edges $(metric "$db" replay.order_edges)"
fi
db=$T/after-temporal.db
if [ $(( $(first "$db" 11) - $(last "$db" 10) )) -ge 8995000 ] &&
	[ "$(metric "$db" processes.max_alive)" = 1.0 ]; then
	ok "temporal: the same"
else
	bad "temporal: A ends at $(last "$db" 10), B starts at $(first "$db" 11)"
fi
db=$T/after-free.db
if [ "$(first "$db" 11)" = 10000000 ] && [ "$(last "$db" 10)" -gt 10000000 ] &&
	[ "$(metric "$db" processes.max_alive)" = 2.0 ] && [ "$(metric "$db" replay.order_edges)" = 0.0 ]; then
	ok "free: B starts at its traced 10 ms while A still reads: two processes at once, the trace's one"
else
	bad "free: B starts at $(first "$db" 11), A ends at $(last "$db" 10), max alive $(metric "$db" processes.max_alive)"
fi

# ---- a waiter resumes after the child it waited for --------------------
# P (no wait4 in the trace) stats the file C wrote after C exited.
native "$T/waiter.trace" <<'EOF'
1000000000 20 openat 3 1000 fd=AT_FDCWD path="/data/p" oflags=O_RDONLY
1001000000 21 openat 3 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1001002000 21 read 8388608 1000000 fd=3 len=8388608
1002003000 21 close 0 1000 fd=3
1003000000 21 +++ 0 -
1005000000 20 stat 0 1000 path="/data/a" size=8388608 type=REG
1006000000 20 close 0 1000 fd=3
1006002000 20 +++ 0 -
EOF
for order in causal free; do
	replay "$T/waiter.trace" "$T/waiter-$order.db" $order || bad "replay waiter.trace ($order)"
done
c=$T/waiter-causal.db f=$T/waiter-free.db
if [ $(( $(start_of "$c" 20 stat) - $(last "$c" 21) )) -ge 2000000 ] &&
	[ "$(start_of "$f" 20 stat)" -lt "$(last "$f" 21)" ]; then
	ok "causal: a process without wait4 resumes after the process that ended before in the trace (free: at its traced time, before it)"
else
	bad "waiter: causal stat at $(start_of "$c" 20 stat), C ends at $(last "$c" 21); free stat at $(start_of "$f" 20 stat)"
fi

# ---- temporal: every call after the calls that returned before it -------
# A and B run side by side; B's stat began after A's long read returned.
native "$T/temporal.trace" <<'EOF'
1000000000 30 openat 3 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000500000 31 openat 3 1000 fd=AT_FDCWD path="/data/b" oflags=O_RDONLY
1001000000 30 read 8388608 500000 fd=3 len=8388608
1003000000 31 stat 0 1000 path="/data/x" size=100 type=REG
1004000000 30 close 0 1000 fd=3
1004500000 31 close 0 1000 fd=3
1010000000 30 +++ 0 -
1010000000 31 +++ 0 -
EOF
for order in temporal causal; do
	replay "$T/temporal.trace" "$T/temporal-$order.db" $order || bad "replay temporal.trace ($order)"
done
tdb=$T/temporal-temporal.db cdb=$T/temporal-causal.db
tstat=$(start_of "$tdb" 31 stat) tread=$(end_of "$tdb" 30 read)
if [ $((tstat - tread)) -ge 1500000 ] &&
	[ "$(start_of "$cdb" 31 stat)" -lt "$(end_of "$cdb" 30 read)" ]; then
	ok "temporal: a call waits for another process's call that returned before it began (causal lets it go at its time)"
else
	bad "temporal: stat at $tstat, read ended $tread; causal stat at $(start_of "$cdb" 31 stat)"
fi

# ---- resource: calls on one file keep their order; others do not wait ---
native "$T/resource.trace" <<'EOF'
1000000000 40 openat 3 1000 fd=AT_FDCWD path="/data/f" oflags=O_RDONLY
1000002000 40 read 8388608 1000000 fd=3 len=8388608
1000500000 41 openat 3 1000 fd=AT_FDCWD path="/data/g" oflags=O_RDONLY
1000502000 41 read 4096 1000 fd=3 len=4096
1000504000 41 close 0 1000 fd=3
1002000000 41 openat 3 1000 fd=AT_FDCWD path="/data/f" oflags=O_RDONLY
1002002000 41 read 4096 1000 fd=3 len=4096
1002004000 41 close 0 1000 fd=3
1003000000 40 close 0 1000 fd=3
1010000000 40 +++ 0 -
1010000000 41 +++ 0 -
EOF
replay "$T/resource.trace" "$T/resource.db" resource || bad "replay resource.trace"
db=$T/resource.db
gread=$(sql "$db" "SELECT start_ns FROM syscalls WHERE pid = 41 AND call = 'read' ORDER BY seq LIMIT 1")
fopen=$(sql "$db" "SELECT start_ns FROM syscalls WHERE pid = 41 AND call = 'openat' ORDER BY seq LIMIT 1 OFFSET 1")
fread=$(end_of "$db" 40 read)
bread=$(last "$db" 41) aclose=$(start_of "$db" 40 close)
if [ "$gread" -lt "$fread" ] && [ "$fopen" -ge "$fread" ] && [ "$aclose" -ge "$bread" ] &&
	[ "$(metric "$db" replay.order_edges)" = 2.0 ]; then
	ok "resource: B's open of the file A reads waits for A's read, A's close for B's calls on it; B's other file waits for nothing"
else
	bad "resource: B reads g at $gread, opens f at $fopen, A's read of f ends $fread, edges $(metric "$db" replay.order_edges)"
fi

# ---- causal: a pipe's read after the write that fed it -----------------
# W reads an 8 MB file cold (0.5 ms in the trace, hundreds in the
# simulation), then writes 5 bytes to a pipe; R's read of them, blocked in
# the trace from before W began, returned 0.39 ms after W's write did.
native "$T/pipe.trace" <<'EOF'
1000001000 70 openat 4 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000002000 70 read 8388608 500000 fd=4 len=8388608
1002600000 70 write 5 10000 fd=5 fdpath="pipe:[7]" len=5
1000000000 71 read 5 3000000 fd=3 fdpath="pipe:[7]" len=4096
1002700000 70 +++ 0 -
1003100000 71 stat 0 1000 path="/data/a" size=8388608 type=REG
1003200000 71 +++ 0 -
EOF
if replay "$T/pipe.trace" "$T/pipe.db" causal && replay "$T/pipe.trace" "$T/pipef.db" free; then
	wend=$(end_of "$T/pipe.db" 70 write) rs=$(start_of "$T/pipe.db" 71 read) re=$(end_of "$T/pipe.db" 71 read)
	if [ "$rs" -ge "$wend" ] && [ $((re - wend)) = 390000 ] &&
	    [ "$(metric "$T/pipe.db" replay.order_pipe_edges)" = 1.0 ] &&
	    [ "$(end_of "$T/pipef.db" 71 read)" -lt "$(end_of "$T/pipef.db" 70 write)" ]; then
		ok "causal: the pipe's read returns $(( (re - wend) / 1000 )) us after the write that fed it, as in the trace (free: before the write)"
	else
		bad "pipe: write ends $wend, read $rs-$re, edges $(metric "$T/pipe.db" replay.order_pipe_edges)"
	fi
else
	bad "replay pipe.trace"
fi

# ... and without -y: no annotation names the pipe; R made it (pipe2's 3
# and 5) and forked W, whose 5 it is.
native "$T/pipe-noy.trace" <<'EOF'
999000000 71 pipe2 0 1000 rfd=3,5
999500000 71 clone 70 1000
1000001000 70 openat 4 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000002000 70 read 8388608 500000 fd=4 len=8388608
1002600000 70 write 5 10000 fd=5 len=5
1000000000 71 read 5 3000000 fd=3 len=4096
1002700000 70 +++ 0 -
1003100000 71 stat 0 1000 path="/data/a" size=8388608 type=REG
1003200000 71 +++ 0 -
EOF
if replay "$T/pipe-noy.trace" "$T/pipen.db" causal; then
	wend=$(end_of "$T/pipen.db" 70 write) rs=$(start_of "$T/pipen.db" 71 read) re=$(end_of "$T/pipen.db" 71 read)
	if [ "$rs" -ge "$wend" ] && [ $((re - wend)) = 390000 ] &&
	    [ "$(metric "$T/pipen.db" replay.order_pipe_edges)" = 1.0 ]; then
		ok "causal without -y: the pipe known by pipe2's descriptors, carried by the fork; its read again $(( (re - wend) / 1000 )) us after the write"
	else
		bad "pipe without -y: write ends $wend, read $rs-$re, edges $(metric "$T/pipen.db" replay.order_pipe_edges)"
	fi
else
	bad "replay pipe-noy.trace"
fi

# A real capture's pipes without -y: d4 (find | xargs cat, cat's writes
# read by wc) with every annotation taken out holds its reads for the
# same writes as with them; d5 (tar | gzip, captured without -y) holds
# gzip's reads for tar's writes.
zcat traces/d4-find-cat.strace.gz | sed -E 's/([0-9])<[^<>]*>/\1/g' >"$T/d4-noy.strace"
if replay traces/d4-find-cat.strace.gz "$T/d4y.db" causal && replay "$T/d4-noy.strace" "$T/d4n.db" causal &&
    replay traces/d5-tar-gzip-tt-noy.strace.gz "$T/d5.db" causal; then
	d4y=$(metric "$T/d4y.db" replay.order_pipe_edges) d4n=$(metric "$T/d4n.db" replay.order_pipe_edges)
	d5=$(metric "$T/d5.db" replay.order_pipe_edges)
	if [ "$d4y" = "$d4n" ] && [ "$d4y" != 0.0 ] && [ "${d5%.0}" -gt 0 ] &&
	    [ "$(metric "$T/d4n.db" replay.repairs)" = 0.0 ] && [ "$(metric "$T/d5.db" replay.repairs)" = 0.0 ]; then
		ok "pipes without -y: d4 stripped of its annotations holds ${d4n%.0} reads as with them; d5's gzip waits ${d5%.0} times for tar's writes"
	else
		bad "pipes without -y: d4 $d4y with annotations, $d4n without; d5 $d5"
	fi
else
	bad "replay d4/d5 for pipes without -y"
fi

# ---- causal: an io_getevents after the io_submit of the requests it reaped --
# Thread 91 reads an 8 MB file cold (0.5 ms in the trace, hundreds in the
# simulation), then queues two reads of another file; thread 90, a reaper
# waiting since before, reaps them.  causal: the reaper waits for the
# io_submit, then for the reads (the aio daemons'); free: it finds nothing
# queued yet, and its two completions match no request.
native "$T/aio.trace" <<'EOF'
1000000500 91 openat 4 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000001000 91 openat 5 1000 fd=AT_FDCWD path="/data/b" oflags=O_RDONLY
1000002000 91 read 8388608 500000 fd=4 len=8388608
1002600000 91 io_submit 2 10000 fd=5 arg=7 len=2 path2="r 5 0 65536 1;r 5 65536 65536 2"
1000000000 90 io_getevents 2 3000000 arg=7 path2="1 65536;2 65536"
1002700000 91 +++ 0 -
1003100000 90 +++ 0 -
EOF
if replay "$T/aio.trace" "$T/aio.db" causal && replay "$T/aio.trace" "$T/aiof.db" free; then
	send=$(end_of "$T/aio.db" 91 io_submit) gs=$(start_of "$T/aio.db" 90 io_getevents) ge=$(end_of "$T/aio.db" 90 io_getevents)
	if [ "$gs" -ge "$send" ] && [ "$ge" -gt "$send" ] &&
	    [ "$(metric "$T/aio.db" replay.order_aio_edges)" = 1.0 ] &&
	    [ "$(metric "$T/aio.db" aio.unmatched)" = 0.0 ] &&
	    [ "$(metric "$T/aiof.db" aio.unmatched)" = 2.0 ]; then
		ok "causal: the reaper's io_getevents waits for the other thread's io_submit, then $(( (ge - send) / 1000 )) us for its reads (free: 2 completions matching nothing queued)"
	else
		bad "aio: io_submit ends $send, io_getevents $gs-$ge, edges $(metric "$T/aio.db" replay.order_aio_edges), unmatched $(metric "$T/aio.db" aio.unmatched) / free $(metric "$T/aiof.db" aio.unmatched)"
	fi
else
	bad "replay aio.trace"
fi

# ---- causal: a futex wait after the wake that woke it -------------------
# Thread 81 reads a file cold, then wakes 80, which had been waiting on
# the futex since before; 80's wait returned 0.2 ms after the wake did.
native "$T/futex.trace" <<'EOF'
1000001000 81 openat 4 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000002000 81 read 8388608 500000 fd=4 len=8388608
1002600000 81 futex 1 10000 cmd=FUTEX_WAKE arg=4096
1000000000 80 futex 0 2810000 cmd=FUTEX_WAIT arg=4096
1002700000 81 +++ 0 -
1003100000 80 stat 0 1000 path="/data/a" size=8388608 type=REG
1003200000 80 +++ 0 -
EOF
if replay "$T/futex.trace" "$T/futex.db" causal; then
	# (futex is not modelled: no row.  81's read ends; 2.098 ms later its
	# wake begins, 0.01 ms long; 80's wait returns 0.2 ms after it, and
	# 80's stat begins 0.29 ms after that: 2.598 ms, as in the trace)
	rend=$(end_of "$T/futex.db" 81 read) st=$(start_of "$T/futex.db" 80 stat)
	if [ $((st - rend)) = 2598000 ] && [ "$(metric "$T/futex.db" replay.order_futex_edges)" = 1.0 ]; then
		ok "causal: the futex wait returns after the wake that woke it, as in the trace (the waiter's next call $(( (st - rend) / 1000 )) us after the waker's read)"
	else
		bad "futex: 81's read ends $rend, 80's stat starts $st, edges $(metric "$T/futex.db" replay.order_futex_edges)"
	fi
else
	bad "replay futex.trace"
fi

# ---- a cycle through a lock is broken, not a hang ----------------------

# Q takes and drops a lock; P takes it after Q dropped it and, holding it,
# resumes after Q ended.  Q's cold read makes it late in the replay, so P
# gets the lock first there; Q's flock then waits for P and P for Q.
native "$T/cycle.trace" <<'EOF'
1000000000 50 openat 3 1000 fd=AT_FDCWD path="/data/l" oflags=O_RDONLY
1000100000 51 openat 3 1000 fd=AT_FDCWD path="/data/a" oflags=O_RDONLY
1000102000 51 read 8388608 100000 fd=3 len=8388608
1000300000 51 openat 4 1000 fd=AT_FDCWD path="/data/l" oflags=O_RDONLY
1000500000 51 flock 0 1000 fd=4 xflags=LOCK_EX
1001000000 51 flock 0 1000 fd=4 xflags=LOCK_UN
1001500000 50 flock 0 1000 fd=3 xflags=LOCK_EX
1002000000 51 +++ 0 -
1003000000 50 stat 0 1000 path="/data/a" size=8388608 type=REG
1004000000 50 flock 0 1000 fd=3 xflags=LOCK_UN
1005000000 50 +++ 0 -
EOF
if replay "$T/cycle.trace" "$T/cycle.db" causal; then
	db=$T/cycle.db
	if [ "$(sql "$db" "SELECT status FROM runs")" = complete ] &&
		[ "$(metric "$db" replay.order_broken)" = 1.0 ]; then
		ok "a lock and an inferred edge in a cycle: the watchdog lets the edge go (replay.order_broken 1)"
	else
		bad "cycle: status $(sql "$db" "SELECT status FROM runs"), broken $(metric "$db" replay.order_broken)"
	fi
else
	bad "replay cycle.trace"
fi

# ---- real captures without their lifecycle lines ------------------------
# What strace -e trace=%file,%desc captures of the same run: no clone,
# fork, vfork, wait4 or waitid lines (execve and "+++ exited" remain).
nolifecycle() {
	zcat -f "$1" | grep -vE '^[0-9]+ +[0-9.:]+ +(<\.\.\. )?(clone|clone3|fork|vfork|wait4|waitid)[( ]'
}
# The capture's processes, each from its first call's entry to its last
# return or its exit line: pid|start|end in trace ns (from the native form).
traced_spans() {
	"$VFSSIM" import strace "$1" -o "$T/spans.trace" >/dev/null 2>&1
	awk '!/^#/ && $1 != "-" { p = $2; t = $1; d = ($5 == "-") ? 0 : $5
		if ($3 == "+++") { if (!(p in e) || t > e[p]) e[p] = t; next }
		if (!(p in s) || t < s[p]) s[p] = t
		if (!(p in e) || t + d > e[p]) e[p] = t + d }
		END { for (p in s) print p "|" s[p] "|" e[p] }' "$T/spans.trace" >"$T/spans.txt"
}
# Pairs of processes the capture orders (one ended before the other's first
# call) and how many of them the run DB ordered the other way.
pairs() {
	sql "$1" <<EOF
CREATE TEMP TABLE tr(pid INTEGER, s INTEGER, e INTEGER);
.import $T/spans.txt tr
CREATE TEMP TABLE sm AS SELECT pid, min(start_ns) s, max(end_ns) e FROM syscalls GROUP BY pid;
SELECT count(*) || ' ' || coalesce(sum(b.s < a.e), 0) FROM tr q
	JOIN tr p ON q.e < p.s JOIN sm a ON a.pid = q.pid JOIN sm b ON b.pid = p.pid;
EOF
}
for t in d2-make-j2 d3-git-commit d8-find-xargs-cat; do
	nolifecycle traces/$t.strace.gz >"$T/$t-nolc.strace"
	traced_spans traces/$t.strace.gz
	replay traces/$t.strace.gz "$T/u.db" causal &&
		replay traces/$t.strace.gz "$T/uf.db" free &&
		replay "$T/$t-nolc.strace" "$T/c.db" causal &&
		replay "$T/$t-nolc.strace" "$T/t.db" temporal &&
		replay "$T/$t-nolc.strace" "$T/f.db" free || { bad "replay $t"; continue; }
	u=$(pairs "$T/u.db") c=$(pairs "$T/c.db") tp=$(pairs "$T/t.db") f=$(pairs "$T/f.db")
	n=${u% *}
	# The full capture's causal order keeps fork, exec and wait, not every
	# pair: make -j2 reaps one job (wait4 WNOHANG) and starts the next
	# while the other still runs, so where the simulated job runs longer
	# than the traced one the two overlap.  The filtered capture must keep
	# at least the pairs the full one keeps.
	if [ "$n" -gt 20 ] && [ "${c#* }" -le "${u#* }" ] && [ "${tp#* }" -le "${u#* }" ] &&
		[ "${f#* }" -gt "${u#* }" ]; then
		ok "$t without fork/wait lines keeps the order of the $n pairs of processes the capture orders as the full capture does (out of order: full ${u#* }, causal ${c#* }, temporal ${tp#* }; free ${f#* })"
	else
		bad "$t: pairs ordered otherwise: full $u, causal $c, temporal $tp, free $f"
	fi
	traced=$(metric "$T/c.db" processes.max_alive_traced)
	mc=$(metric "$T/c.db" processes.max_alive) mt=$(metric "$T/t.db" processes.max_alive)
	mf=$(metric "$T/f.db" processes.max_alive) mu=$(metric "$T/u.db" processes.max_alive)
	if [ "${mc%.0}" -le "${traced%.0}" ] && [ "${mt%.0}" -le "${traced%.0}" ] &&
		[ "${mu%.0}" -le "${traced%.0}" ] && [ "${mf%.0}" -gt "${traced%.0}" ]; then
		ok "$t: at most $traced processes at once as in the capture (full $mu, filtered causal $mc, temporal $mt); free $mf"
	else
		bad "$t: processes at once: capture $traced, full $mu, causal $mc, temporal $mt, free $mf"
	fi
	# The same filtered capture without time stamps or durations
	# (strace -f -o, no -t or -T): the order of its lines orders its
	# processes as its times did (strace.c: line_times).
	sed -E 's/^([0-9]+) +[0-9]+\.[0-9]+ /\1 /; s/ <[0-9]+\.[0-9]+>$//' \
	    "$T/$t-nolc.strace" >"$T/$t-nolc-nt.strace"
	if replay "$T/$t-nolc-nt.strace" "$T/n.db" causal &&
	    replay "$T/$t-nolc-nt.strace" "$T/nf.db" free; then
		nt=$(pairs "$T/n.db") ntf=$(pairs "$T/nf.db")
		mn=$(metric "$T/n.db" processes.max_alive) mnf=$(metric "$T/nf.db" processes.max_alive)
		tn=$(metric "$T/n.db" processes.max_alive_traced)
		if [ "${nt#* }" -le "${u#* }" ] && [ "${ntf#* }" -gt "${u#* }" ] &&
		    [ "${mn%.0}" -le "${traced%.0}" ] && [ "${tn%.0}" = "${traced%.0}" ] &&
		    [ "${mnf%.0}" -gt "${traced%.0}" ] &&
		    [ -z "$(metric "$T/n.db" time.traced_ns)" ]; then
			ok "$t without times or fork/wait lines: its lines keep the capture's order (out of order: ${nt#* } of $n pairs, full ${u#* }; free ${ntf#* }), at most $mn processes at once as its lines show $tn (free $mnf)"
		else
			bad "$t without times: pairs $nt (full $u, free $ntf), at once $mn of $tn traced $traced (free $mnf)"
		fi
	else
		bad "replay $t without times"
	fi
	# ... and with -T's durations (strace -f -T -o): the same order, the
	# durations no lines
	sed -E 's/^([0-9]+) +[0-9]+\.[0-9]+ /\1 /' "$T/$t-nolc.strace" >"$T/$t-nolc-T.strace"
	# durations (what is not modelled takes them) may change how many
	# run at once, never past what the lines show
	if replay "$T/$t-nolc-T.strace" "$T/nT.db" causal &&
	    [ "$(pairs "$T/nT.db")" = "$nt" ] &&
	    [ "$(metric "$T/nT.db" processes.max_alive_traced)" = "$tn" ] &&
	    [ "$(metric "$T/nT.db" processes.max_alive | cut -d. -f1)" -le "${tn%.0}" ]; then
		ok "$t without times but with -T's durations: out of order ${nt#* } of ${nt% *} pairs as without them, at most $(metric "$T/nT.db" processes.max_alive) at once"
	else
		bad "$t with -T alone: pairs $(pairs "$T/nT.db") against $nt, at once $(metric "$T/nT.db" processes.max_alive) of $(metric "$T/nT.db" processes.max_alive_traced)"
	fi
	# With the lifecycle lines the default is the trace's causal order
	# and nothing more — fork and wait, a pipe's reads after the writes
	# that fed them, futex waits after their wakes: no edge inferred, and
	# without a pipe's or futex's edge the same rows as free.
	dump() { sql "$1" "SELECT * FROM syscalls; SELECT * FROM disk_io"; }
	pe=$(metric "$T/u.db" replay.order_pipe_edges) fe=$(metric "$T/u.db" replay.order_futex_edges)
	if [ "$(metric "$T/u.db" replay.order_edges)" = "$(awk -v a="$pe" -v b="$fe" 'BEGIN { printf "%.1f", a + b }')" ] &&
	    [ "$(metric "$T/u.db" replay.order_inferred)" = 0.0 ] &&
	    { [ "$pe$fe" != 0.00.0 ] || [ "$(dump "$T/u.db" | md5sum)" = "$(dump "$T/uf.db" | md5sum)" ]; }; then
		ok "$t with its fork/wait lines: no edge inferred; ${pe%.0} pipe and ${fe%.0} futex edges$([ "$pe$fe" = 0.00.0 ] && echo ", so the same rows as free")"
	else
		bad "$t: causal on the full capture: $(metric "$T/u.db" replay.order_edges) edges, $pe of pipes, $fe of futexes, inferred $(metric "$T/u.db" replay.order_inferred)"
	fi
done

# An strace log without times, imported: the native trace says its times
# are lines (NATIVE_LINES) and replays as the log does.
rows() { sql "$1" "SELECT pid, call, path, result, start_ns, end_ns FROM syscalls ORDER BY seq" | md5sum; }
if "$VFSSIM" import strace "$T/d2-make-j2-nolc-nt.strace" -o "$T/nt.trace" >"$T/out" 2>&1 &&
    grep -qx '# times: lines' "$T/nt.trace" &&
    replay "$T/d2-make-j2-nolc-nt.strace" "$T/n1.db" causal &&
    replay "$T/nt.trace" "$T/n2.db" causal && [ "$(rows "$T/n1.db")" = "$(rows "$T/n2.db")" ] &&
    [ "$(metric "$T/n2.db" processes.max_alive)" = "$(metric "$T/n1.db" processes.max_alive)" ]; then
	ok "an strace log without times imported: '# times: lines', and the same rows replayed"
else
	bad "import of a log without times: $(head -3 "$T/out")"
fi

# ---- resource: each call's resources survive the spill files ------------
replay "$T/d2-make-j2-nolc.strace" "$T/r1.db" resource --set replay.readahead=16 &&
	replay "$T/d2-make-j2-nolc.strace" "$T/r2.db" resource || bad "replay resource"
spilled=$(metric "$T/r1.db" replay.spilled_calls)
if [ "${spilled%.0}" -gt 1000 ] && [ "$(metric "$T/r1.db" replay.order_edges)" = "$(metric "$T/r2.db" replay.order_edges)" ] &&
	[ "$(sql "$T/r1.db" "SELECT * FROM syscalls" | md5sum)" = "$(sql "$T/r2.db" "SELECT * FROM syscalls" | md5sum)" ]; then
	ok "resource order with ${spilled%.0} calls through spill files: the same rows as all in memory"
else
	bad "resource order and spill files: $spilled spilled, rows differ"
fi

# ---- the summary names the rule; a bad rule is refused -----------------
"$VFSSIM" replay "$T/d2-make-j2-nolc.strace" --db "$T/s.db" >"$T/out" 2>&1
if grep -qE '^  order      causal: [0-9]+ cross-process edges held calls back .*; 42 processes ordered by the trace.s times .*at most [0-9]+ processes at once \([0-9]+ in the trace\)' "$T/out"; then
	ok "the summary says which rule ran and how many edges it used: $(grep '^  order' "$T/out" | cut -c14-90)..."
else
	bad "summary order line"; grep -A1 '^  time' "$T/out"
fi
expect_bad "replay.order=sideways" "replay.order" "$VFSSIM" replay "$T/after.trace" --db "$T/bad.db" --set replay.order=sideways
if [ ! -e "$T/bad.db" ]; then ok "nothing written for a bad rule"; else bad "a database was written for a bad rule"; fi

finish
