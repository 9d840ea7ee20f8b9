#!/usr/bin/env bash
# End-to-end tests: the vfssim binary (built with ASan+UBSan by make check)
# on real traces and on small native traces written here.
#
#   VFSSIM=build/check/vfssim tests/e2e.sh
. "$(dirname "$0")/lib.sh" e2e
expect_bad_width=90	# expect_bad quotes 90 characters of the message

# A summary metric of a run.
metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'"; }

# ---- every real trace replays; every call is accounted for -------------
traces=(traces/*.strace.gz traces/formats/07-zoo.strace
	traces/formats/07-zoo.yy-Xraw-s64.strace traces/formats/07-zoo.noy-Xverbose-xx.strace
	traces/formats/07-zoo.proc-seccomp.strace traces/formats/07-zoo.stderr-mode.txt
	traces/formats/07-zoo.ff traces/formats/11-Y.strace traces/formats/11-Y.stderr-mode.txt)
if [ -d ../shared/traces ]; then
	for f in ../shared/traces/*.strace.gz; do traces+=("$f"); done
fi
expect $((35 + ${#traces[@]}))	# a check for each trace, and 35 more
# Calls in an strace log, counted independently of the parser: lines that
# start a call ("name(" after the optional pid and time), not "<... resumed>",
# signal, exit or strace's own lines.
count_calls() {
	local f=$1
	if [ -e "$f" ]; then
		zcat -f "$f"
	else
		cat "$f".*
	fi | sed -E 's/^\[pid +[0-9]+(<[^>]*>)?\] //; s/^[0-9]+(<[^>]*>)? +//; s/^[0-9.:]+ +(\(\+ *[0-9.]+\) +)?//' |
		grep -cE '^[a-z_0-9]+\('
}
for t in "${traces[@]}"; do
	db=$T/all.db
	if ! "$VFSSIM" replay "$t" --db "$db" -q >"$T/out" 2>&1 || ! no_sanitizer_report "$T/out"; then
		bad "replay $t"; sed 's/^/     /' "$T/out" | head -20; continue
	fi
	run=$(sql "$db" "SELECT max(id) FROM runs")
	status=$(sql "$db" "SELECT status FROM runs WHERE id = $run")
	total=$(metric "$db" "$run" calls.total)
	sum=$(sql "$db" "SELECT sum(value) FROM summary WHERE run = $run AND metric IN
		('calls.simulated','calls.passthrough','calls.not_modelled')")
	want=$(count_calls "$t")
	if [ "$status" = complete ] && [ "${total%.0}" = "$want" ] && [ "${sum%.0}" = "$want" ]; then
		ok "replay $t: $want calls = replayed + not modelled"
	else
		bad "replay $t: status $status, total $total, replayed+skipped $sum, lines $want"
	fi
done

# -Y's command names are no part of a call: 11-Y with them taken out (the
# task's after its id, a fork's after the pid it returned) replays to the
# same rows.
sed -E 's/^([0-9]+)<[^>]*>/\1/; /(vfork|clone|wait4)/ s/= ([0-9]+)<[^>]*>/= \1/' \
	traces/formats/11-Y.strace >"$T/noY.strace"
rowsof() { sql "$1" "SELECT * FROM syscalls; SELECT * FROM disk_io; SELECT metric, value FROM summary" | md5sum; }
if ! grep -qE '^[0-9]+<|(vfork|clone).*= [0-9]+<' "$T/noY.strace" &&
    "$VFSSIM" replay traces/formats/11-Y.strace --db "$T/y.db" -q >/dev/null 2>&1 &&
    "$VFSSIM" replay "$T/noY.strace" --db "$T/noy.db" -q >/dev/null 2>&1 &&
    [ "$(rowsof "$T/y.db")" = "$(rowsof "$T/noy.db")" ]; then
	ok "-Y: the commands after the task ids passed over, the same rows as without them"
else
	bad "-Y: 11-Y.strace and its copy without the names differ"
fi

# ---- a native trace reads back what the writer wrote -------------------
native() { # header + lines from stdin
	{ echo "#vfssim-trace 1"; cat; } >"$1"
}

# Reading a file twice: the second read is served by the buffer cache.
# The first is one clustered read of its 4 blocks of 16 KB (cluster_read:
# the request's blocks lie contiguous on the disk), then 3 buffer hits;
# the second, 4 more.
native "$T/twice.trace" <<'EOF'
1000000000 7 openat 3 1000 fd=AT_FDCWD path="/data/big" oflags=O_RDONLY
1000002000 7 read 65536 1000 fd=3 len=65536
1000004000 7 lseek 0 1000 fd=3 off=0 cmd=SEEK_SET
1000006000 7 read 65536 1000 fd=3 len=65536
1000008000 7 close 0 1000 fd=3
EOF
db=$T/twice.db
if "$VFSSIM" replay "$T/twice.trace" --db "$db" -q >"$T/out" 2>&1; then
	r1=$(sql "$db" "SELECT count(*) FROM disk_io d, syscalls s WHERE s.run = 1 AND
		s.seq = (SELECT min(seq) FROM syscalls WHERE call = 'read')
		AND d.is_write = 0 AND d.start_ns >= s.start_ns AND d.end_ns <= s.end_ns")
	r2=$(sql "$db" "SELECT count(*) FROM disk_io d, syscalls s WHERE s.run = 1 AND
		s.seq = (SELECT max(seq) FROM syscalls WHERE call = 'read')
		AND d.start_ns >= s.start_ns AND d.start_ns <= s.end_ns")
	hits=$(metric "$db" 1 bio.bread_hits)
	bufs=$(sql "$db" "SELECT max(bufs) FROM disk_io WHERE is_write = 0")
	if [ "$r1" = 1 ] && [ "$bufs" = 4 ] && [ "$r2" = 0 ] && [ "${hits%.0}" -ge 7 ]; then
		ok "a 64 KB read is one 4-block disk read; a second read hits the cache"
	else
		bad "second read: first read $r1 disk reads ($bufs buffers), second $r2, hits $hits"
	fi
else
	bad "replay twice.trace"; cat "$T/out"
fi

# Data written is on disk once fsync returns.
native "$T/fsync.trace" <<'EOF'
1000000000 9 openat 3 1000 fd=AT_FDCWD path="/data/new" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644
1000002000 9 write 65536 1000 fd=3 len=65536
1000004000 9 fsync 0 1000 fd=3
1000006000 9 close 0 1000 fd=3
EOF
db=$T/fsync.db
if "$VFSSIM" replay "$T/fsync.trace" --db "$db" -q >"$T/out" 2>&1; then
	fend=$(sql "$db" "SELECT end_ns FROM syscalls WHERE call = 'fsync'")
	before=$(sql "$db" "SELECT coalesce(sum(sectors), 0) FROM disk_io WHERE is_write = 1 AND end_ns <= $fend")
	dirty=$(metric "$db" 1 bio.dirty_at_end)
	if [ "$before" -ge 128 ] && [ "${dirty%.0}" = 0 ]; then
		ok "fsync returns after its 64 KB are on disk ($before sectors written by then)"
	else
		bad "fsync: $before sectors written by fsync's return, $dirty dirty at end"
	fi
else
	bad "replay fsync.trace"; cat "$T/out"
fi

# Without fsync the same data stays dirty in the cache (a delayed write):
# while the process runs only the create's metadata is written (its inode
# and its directory entry, synchronously on a default mount); the final
# sync writes the data (with the inode, cg and superblock).
grep -v fsync "$T/fsync.trace" >"$T/nofsync.trace"
db=$T/nofsync.db
if "$VFSSIM" replay "$T/nofsync.trace" --db "$db" -q >"$T/out" 2>&1; then
	lastcall=$(sql "$db" "SELECT max(end_ns) FROM syscalls")
	early=$(sql "$db" "SELECT count(*) FROM disk_io WHERE is_write = 1 AND submit_ns < $lastcall")
	sectors=$(sql "$db" "SELECT coalesce(sum(sectors), 0) FROM disk_io WHERE is_write = 1 AND
		submit_ns >= $lastcall")
	dirty=$(metric "$db" 1 bio.dirty_at_end)
	if [ "$early" = 2 ] && [ "$sectors" -ge 128 ] && [ "${dirty%.0}" = 0 ]; then
		ok "a write without fsync is a delayed write: on disk only after the final sync"
	else
		bad "delayed write: $early writes during the run, $sectors sectors in all, $dirty dirty at the end"
	fi
else
	bad "replay nofsync.trace"; cat "$T/out"
fi

# ---- determinism: the same run twice gives identical tables ------------
dump() {
	sql "$1" "SELECT * FROM syscalls; SELECT * FROM disk_io; SELECT * FROM samples;
		SELECT * FROM summary; SELECT * FROM latency_hist;
		SELECT trace, format, profile, seed, version, status FROM runs" | sed 's/^[0-9]*|//'
}
"$VFSSIM" replay traces/d3-git-commit.strace.gz --db "$T/a.db" -q >/dev/null 2>&1
"$VFSSIM" replay traces/d3-git-commit.strace.gz --db "$T/b.db" -q >/dev/null 2>&1
if [ -s "$T/a.db" ] && dump "$T/a.db" >"$T/a.txt" && dump "$T/b.db" >"$T/b.txt" &&
	[ "$(wc -l <"$T/a.txt")" -gt 1000 ] && cmp -s "$T/a.txt" "$T/b.txt"; then
	ok "the same trace and profile twice give identical tables ($(wc -l <"$T/a.txt") rows)"
else
	bad "two runs of d3 differ"; diff "$T/a.txt" "$T/b.txt" | head
fi

# Memory stays bounded: with room for only 16 calls in memory, the calls of
# processes that lag go to spill files, and nothing simulated changes.
"$VFSSIM" replay traces/d2-make-j2.strace.gz --db "$T/ra1.db" -q >/dev/null 2>&1
"$VFSSIM" replay traces/d2-make-j2.strace.gz --db "$T/ra2.db" -q --set replay.readahead=16 >/dev/null 2>&1
spilled=$(metric "$T/ra2.db" 1 replay.spilled_calls)
peak=$(metric "$T/ra2.db" 1 replay.peak_queued_calls)
dump2() { # every table but runs (whose profile differs), without replay.*
	sql "$1" "SELECT * FROM syscalls; SELECT * FROM disk_io; SELECT * FROM samples;
		SELECT * FROM summary WHERE metric NOT LIKE 'replay.%'; SELECT * FROM latency_hist"
}
if [ "${spilled%.0}" -gt 1000 ] && [ "${peak%.0}" -le 17 ] &&
	dump2 "$T/ra1.db" >"$T/ra1.txt" && dump2 "$T/ra2.db" >"$T/ra2.txt" &&
	cmp -s "$T/ra1.txt" "$T/ra2.txt"; then
	ok "bounded read-ahead: $spilled calls spilled, at most $peak in memory, identical tables"
else
	bad "read-ahead 16: spilled $spilled, peak $peak"; diff "$T/ra1.txt" "$T/ra2.txt" | head
fi

# A read-ahead above the pool of spare records (1024): spilling a queue
# frees the records it writes out, the one just read among them, whose
# fork was once looked at afterwards (a use after free under ASan).
"$VFSSIM" replay traces/d3-git-commit.strace.gz --db "$T/ra3.db" -q \
    --set replay.readahead=1100 >"$T/out" 2>&1
rc=$?
spilled=$(metric "$T/ra3.db" 1 replay.spilled_calls 2>/dev/null)
if [ $rc = 0 ] && no_sanitizer_report "$T/out" && [ "${spilled%.0}" -gt 0 ] &&
	dump2 "$T/a.db" >"$T/ra0.txt" && dump2 "$T/ra3.db" >"$T/ra3.txt" &&
	cmp -s "$T/ra0.txt" "$T/ra3.txt"; then
	ok "read-ahead 1100: $spilled calls spilled past the record pool, identical tables"
else
	bad "read-ahead 1100: exit $rc, spilled $spilled"; head -20 "$T/out"
	diff "$T/ra0.txt" "$T/ra3.txt" 2>/dev/null | head
fi

# Hostile values (huge offsets, counts, sizes, descriptors) neither crash
# nor hang the replay.
native "$T/hostile.trace" <<'EOF2'
1000 1 openat 3 10 fd=AT_FDCWD path="/x" oflags=O_RDWR|O_CREAT mode=0644
2000 1 pwrite64 4096 10 fd=3 len=4096 off=1125899906842624
3000 1 pread64 9223372036854775807 10 fd=3 len=10 off=4611686018427387904
4000 1 read 2147479552 10 fd=3 len=1
5000 1 ftruncate 0 10 fd=3 off=9000000000000000000
6000 1 newfstatat 0 10 fd=AT_FDCWD path="/big" size=9000000000000000000 type=REG
7000 1 openat 4 10 fd=AT_FDCWD path="/big" oflags=O_RDONLY
8000 1 pread64 8192 10 fd=4 len=8192 off=8000000000000000000
9000 1 dup2 99999999 10 fd=4 fd2=99999999
10000 1 close 0 10 fd=-5
11000 1 write 4096 10 fd=3 len=4096
EOF2
if "$VFSSIM" replay "$T/hostile.trace" --db "$T/hostile.db" -q >"$T/out" 2>&1 &&
	no_sanitizer_report "$T/out"; then
	ok "hostile values in a trace are survived"
else
	bad "hostile trace"; head -5 "$T/out"
fi

# A trace that claims to span centuries is refused, not simulated second by
# second.
native "$T/centuries.trace" <<'EOF2'
1000 1 openat 3 10 fd=AT_FDCWD path="/x" oflags=O_RDWR|O_CREAT mode=0644
9223372036854775000 1 write 4096 10 fd=3 len=4096
EOF2

# like_d3 DB: DB's tables are those of d3's replay above, the trace's name
# aside (differences printed).
like_d3() {
	dump "$1" | grep -v -e '^traces' -e "$T" >"$T/x.txt"
	grep -v -e '^traces' -e "$T" "$T/a.txt" >"$T/a2.txt"
	cmp -s "$T/a2.txt" "$T/x.txt" || { diff "$T/a2.txt" "$T/x.txt" | head; false; }
}

# ---- -r: relative time stamps replay as the absolute ones ----------------
# The same capture as strace -f -r would have written it: each line's time
# since the line before's, right-aligned ("%6ld.%06ld"), the first 0.
zcat traces/d3-git-commit.strace.gz | awk '{
	pid = $1; split($2, t, "."); us = t[1] * 1000000 + t[2]
	d = NR == 1 ? 0 : us - prev; prev = us
	sub(/^[0-9]+ +[0-9]+\.[0-9]+ /, "")
	printf "%-5d %6d.%06d %s\n", pid, int(d / 1000000), d % 1000000, $0 }' >"$T/d3-r.strace"
if "$VFSSIM" replay "$T/d3-r.strace" --db "$T/r.db" -q >/dev/null 2>&1 && like_d3 "$T/r.db"; then
	ok "strace -r's relative time stamps replay exactly as -ttt's"
else
	bad "-r replays otherwise"
fi

# ---- import: strace -> native replays the same ---------------------------
if "$VFSSIM" import strace traces/d3-git-commit.strace.gz -o "$T/d3.trace.gz" >/dev/null 2>&1 &&
	gzip -t "$T/d3.trace.gz" && [ ! -e "$T/d3.trace.gz.partial" ] &&
	"$VFSSIM" replay "$T/d3.trace.gz" --db "$T/c.db" -q >/dev/null 2>&1 && like_d3 "$T/c.db"; then
	ok "an imported (gzip'd) native trace replays exactly like the strace log"
else
	bad "import strace, or the imported trace replays otherwise"
fi

# ---- plot ----------------------------------------------------------------
if "$VFSSIM" plot "$T/a.db" -o "$T/lat.png" >"$T/out" 2>&1 &&
	[ "$(head -c 8 "$T/lat.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]; then
	ok "plot writes a PNG latency CDF"
else
	bad "plot"; cat "$T/out"
fi
if "$VFSSIM" plot "$T/a.db" -o "$T/lat.svg" >/dev/null 2>&1 && grep -q '<svg' "$T/lat.svg"; then
	ok "plot writes an SVG"
else
	bad "plot svg"
fi

# ---- gen: deterministic, and it replays ------------------------------------
"$VFSSIM" gen seq --param size=1M --param mode=rw --seed 3 -o "$T/g1.trace" >/dev/null 2>&1
"$VFSSIM" gen seq --param size=1M --param mode=rw --seed 3 -o "$T/g2.trace" >/dev/null 2>&1
if [ -s "$T/g1.trace" ] && cmp -s "$T/g1.trace" "$T/g2.trace" &&
	"$VFSSIM" replay "$T/g1.trace" --db "$T/g.db" -q >/dev/null 2>&1; then
	ok "gen seq is deterministic and replays"
else
	bad "gen seq"
fi

# ---- an interrupted run is marked failed, never complete ------------------
"$VFSSIM" gen seq --param size=8M --param iosize=4K --param mode=read --param passes=200 \
	-o "$T/long.trace" >/dev/null 2>&1
"$VFSSIM" replay "$T/long.trace" --db "$T/int.db" -q >"$T/out" 2>&1 &
rpid=$!
# Interrupted once its first rows are committed (100,000 of its 409,600
# calls: three-quarters of the run still to go), not a fixed time after
# its runs row appears: the run has become fast enough to end within such
# a wait.
for _ in $(seq 1 1200); do
	[ "$(sql "$T/int.db" "SELECT count(*) > 0 FROM syscalls" 2>/dev/null)" = 1 ] && break
	sleep 0.05
done
kill -INT $rpid
wait $rpid
rc=$?
st=$(sql "$T/int.db" "SELECT status FROM runs")
rows=$(sql "$T/int.db" "SELECT count(*) FROM syscalls")
if [ $rc != 0 ] && [ "$st" = failed ] && [ "$rows" = 0 ] && no_sanitizer_report "$T/out"; then
	ok "an interrupted run is marked failed and its rows are gone"
else
	bad "interrupt: exit $rc, status $st, $rows rows"; head -3 "$T/out"
fi

# ---- bad input: a clear error naming file and line, exit 2, no report ----
zcat traces/d4-find-cat.strace.gz | head -100 >"$T/trunc.strace"
zcat traces/d4-find-cat.strace.gz | sed -n 101p | cut -c1-60 >>"$T/trunc.strace"
expect_bad "truncated strace line" "trunc.strace:101:" \
	"$VFSSIM" replay "$T/trunc.strace" --db "$T/bad.db"
{ zcat traces/d4-find-cat.strace.gz | head -50; echo "this is not strace output at all"; } >"$T/garbage.strace"
expect_bad "garbage line" "garbage.strace:51:" "$VFSSIM" replay "$T/garbage.strace" --db "$T/bad.db"
{ zcat traces/d4-find-cat.strace.gz | head -20; head -c 300 /dev/urandom; } >"$T/junk.strace"
expect_bad "binary junk" "junk.strace:" "$VFSSIM" replay "$T/junk.strace" --db "$T/bad.db"
head -c 4000 /dev/urandom >"$T/random.bin"
expect_bad "a binary file" "random.bin" "$VFSSIM" replay "$T/random.bin" --db "$T/bad.db"
zcat traces/d3-git-commit.strace.gz | gzip -c | head -c 20000 >"$T/cut.strace.gz"
expect_bad "truncated gzip" "cut.strace.gz" "$VFSSIM" replay "$T/cut.strace.gz" --db "$T/bad.db"
printf '#vfssim-trace 1\n1 2 read 5 1 fd=3 len=5\n1 2 read 5 1 fd=3 len=\n' >"$T/bad.trace"
expect_bad "native: bad value" "bad.trace:3:" "$VFSSIM" replay "$T/bad.trace" --db "$T/bad.db"
printf '#vfssim-trace 1\n1 2 read 5\n' >"$T/short.trace"
expect_bad "native: truncated record" "short.trace:2:" "$VFSSIM" replay "$T/short.trace" --db "$T/bad.db"
printf '#vfssim-trace 9\n' >"$T/v9.trace"
expect_bad "native: unknown version" "v9.trace:1:" "$VFSSIM" replay "$T/v9.trace" --db "$T/bad.db"
printf '[machine]\nmemory = 64M\n\n[bio]\nnbuff = 100\n' >"$T/bad.ini"
expect_bad "unknown profile key" "bad.ini:5:" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --profile "$T/bad.ini" --db "$T/bad.db"
printf '[machine]\nmemory = lots\n' >"$T/bad2.ini"
expect_bad "bad profile value" "bad2.ini:2:" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --profile "$T/bad2.ini" --db "$T/bad.db"
printf '[machine\nmemory = 64M\n' >"$T/bad3.ini"
expect_bad "broken profile syntax" "bad3.ini:1:" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --profile "$T/bad3.ini" --db "$T/bad.db"
expect_bad "unknown --set key" "no.such" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --set no.such=1 --db "$T/bad.db"
expect_bad "unknown option" "--frobnicate" "$VFSSIM" replay --frobnicate x
expect_bad "a trace spanning centuries" "centuries.trace:3:" \
	"$VFSSIM" replay "$T/centuries.trace" --db "$T/bad.db"
expect_bad "unknown command" "unknown command" "$VFSSIM" frobnicate
# a run of nothing: an empty file, a log of strace's messages alone (a
# filter that matched no call), a native trace's header alone
: >"$T/empty.strace"
expect_bad "an empty trace" "empty.strace: no system calls to replay" \
	"$VFSSIM" replay "$T/empty.strace" --db "$T/bad.db"
printf '4242  1700000000.000000 +++ exited with 0 +++\n' >"$T/ends.strace"
expect_bad "strace's messages alone" "ends.strace: no system calls to replay (only processes' ends" \
	"$VFSSIM" replay "$T/ends.strace" --db "$T/bad.db"
printf '#vfssim-trace 1\n' >"$T/head.trace"
expect_bad "a native header alone" "head.trace: no system calls to replay" \
	"$VFSSIM" replay "$T/head.trace" --db "$T/bad.db"
expect_bad "missing trace" "nope.strace" "$VFSSIM" replay "$T/nope.strace" --db "$T/bad.db"
if [ ! -e "$T/bad.db" ]; then
	ok "bad input leaves no database behind"
else
	bad "bad input wrote $T/bad.db"
fi

# ---- help ------------------------------------------------------------------
if "$VFSSIM" --help | grep -q replay && "$VFSSIM" replay --help | grep -q -- --no-events &&
	"$VFSSIM" profile --list | grep -q kern.nbuf; then
	ok "--help, per-command help and profile --list"
else
	bad "help"
fi

finish
