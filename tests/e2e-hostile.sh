#!/usr/bin/env bash
# End-to-end tests of hostile input and faults (issue #19): a run label, a
# profile value or a database row never runs as gnuplot code in any plot
# kind or the report.
#
#   VFSSIM=build/check/vfssim tests/e2e-hostile.sh
. "$(dirname "$0")/lib.sh" e2e-hostile

# ---- labels and settings are never gnuplot code -----------------------------
# Every kind of plot, and the report, drawn in a directory where a file
# PWNED would appear if any string ran as code, from runs whose labels
# and profile values hold quotes, backslashes, newlines, system(),
# backquotes, @ macros, gnuplot's own doubled quotes and bytes that are
# not UTF-8.
W=$T/w
mkdir -p "$W"
labels=(
	"x\" . system('touch PWNED') #"
	"x' . system('touch PWNED') . '"
	$'new\nline\'; system(\'touch PWNED\')'
	"''''x' . system('touch PWNED') . 'a''''b'"
	"\`touch PWNED\` @x \\ back\\slash\\"
	$'control \x1b[31m, a=1,b=2 \x01'
)
# the settings a sweep plot names its lines and axis by: a string key
passes=(
	"/dev:x' . system('touch PWNED') . '"
	"/dev:\`touch PWNED\`"
	"/dev:''''y' . system('touch PWNED') . '"
)
G=(--gen random --param size=2M --param ops=150 --param read=0.6)
i=0
for l in "${labels[@]}"; do
	i=$((i + 1))
	"$VFSSIM" replay "${G[@]}" --seed $i --label "$l" --set bio.nbuf=$((40 + 60 * i)) \
		--set "replay.passthrough=${passes[$((i % 3))]}" --db "$W/lab.db" -q >"$T/out" 2>&1 ||
		{ bad "replay with a hostile label ($i)"; head -3 "$T/out"; }
done
"$VFSSIM" mrc "${G[@]}" --label "${labels[1]}" --db "$W/lab.db" -q >"$T/out" 2>&1 ||
	{ bad "mrc with a hostile label"; head -3 "$T/out"; }
# a label that is not UTF-8 (the command line takes only UTF-8; a
# database may hold anything)
sql "$W/lab.db" "UPDATE runs SET label = CAST(X'6e6f7420fffe2c20c3' AS TEXT) || label WHERE id = 6"
n=$(sql "$W/lab.db" "SELECT count(*) FROM runs WHERE status = 'complete'")
for kind in latency-cdf latency-time buffers risk disk-head time-split hit-ratio sweep; do
	for f in svg png; do
		(cd "$W" && "$VFSSIM" plot lab.db --kind "$kind" --runs 1-$n -o "$kind.$f") >"$T/out" 2>&1
		rc=$?
		if [ $rc = 0 ] && [ ! -e "$W/PWNED" ] && no_sanitizer_report "$T/out" &&
			{ [ $f = png ] || iconv -f UTF-8 -t UTF-8 "$W/$kind.$f" >/dev/null 2>&1; }; then
			ok "plot $kind .$f of $n runs with hostile labels and settings: drawn, nothing ran$([ $f = svg ] && echo ', valid UTF-8')"
		else
			bad "plot $kind .$f with hostile labels: exit $rc, PWNED $([ -e "$W/PWNED" ] && echo made || echo not made)"
			head -5 "$T/out"
		fi
		rm -f "$W/PWNED"
	done
done
# the labels are drawn as text, not dropped
if grep -qF "system('touch PWNED')" "$W/latency-cdf.svg" && grep -qF '`touch PWNED` @x' "$W/latency-cdf.svg"; then
	ok "plot: the hostile labels are in the legend, as text"
else
	bad "plot: the hostile labels are not in the legend"
fi
(cd "$W" && "$VFSSIM" report lab.db -o lab.html) >"$T/out" 2>&1
rc=$?
if [ $rc = 0 ] && [ ! -e "$W/PWNED" ] && no_sanitizer_report "$T/out" &&
	iconv -f UTF-8 -t UTF-8 "$W/lab.html" >/dev/null 2>&1; then
	ok "report of runs with hostile labels: $(cat "$T/out"), nothing ran, valid UTF-8"
else
	bad "report with hostile labels: exit $rc"; head -5 "$T/out"
fi
# The issue's reproducer: a label that closed gnuplot's double-quoted
# newhistogram title ran system() from vfssim report.
rm -f "$W/PWNED"
(cd "$W" && "$VFSSIM" replay "$OLDPWD/traces/formats/07-zoo.strace" --db inj.db -q \
	--label "x\" . system('touch PWNED') #" &&
	"$VFSSIM" replay "$OLDPWD/traces/formats/07-zoo.strace" --db inj.db -q --label second &&
	"$VFSSIM" report inj.db -o inj.html) >"$T/out" 2>&1
rc=$?
if [ $rc = 0 ] && [ ! -e "$W/PWNED" ]; then
	ok "the issue's reproducer: report of a label ending gnuplot's string runs nothing"
else
	bad "the issue's reproducer: exit $rc, PWNED $([ -e "$W/PWNED" ] && echo made || echo not made)"
	head -5 "$T/out"
fi

# ---- --db: another program's database is left alone -------------------------
D=$T/db
mkdir -p "$D"
"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/ok.db" -q --label one >/dev/null 2>&1
"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/ok.db" -q --label two >/dev/null 2>&1
id=$(sql "$D/ok.db" "PRAGMA application_id; PRAGMA user_version" | tr '\n' ' ')
if [ "$id" = "1986425715 3 " ]; then
	ok "a new database is stamped: application_id 0x76667373 (\"vfss\"), user_version 3 (schema)"
else
	bad "stamp: application_id and user_version are $id"
fi
sql "$D/other.db" "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('mine')"
sql "$D/otherapp.db" "PRAGMA application_id = 1234; CREATE TABLE runs(id)"
printf 'not a database at all\n' >"$D/text.db"
cp "$D/other.db" "$D/other.orig"
cp "$D/otherapp.db" "$D/otherapp.orig"
cp "$D/text.db" "$D/text.orig"
expect_bad "replay --db another program's database" "other.db: not a vfssim database (it holds table notes)" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/other.db" -q
expect_bad "replay --db another application_id" "its application_id is 0x000004d2" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/otherapp.db" -q
expect_bad "replay --db a text file" "text.db: not a vfssim database (not an SQLite database)" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/text.db" -q
expect_bad "compare --db another program's database" "not a vfssim database" \
	"$VFSSIM" compare traces/formats/07-zoo.strace -V a= -V b=bio.nbuf=300 --db "$D/other.db" -q
expect_bad "sweep --db another program's database" "not a vfssim database" \
	"$VFSSIM" sweep traces/formats/07-zoo.strace --grid bio.nbuf=200,300 --db "$D/other.db" -q
expect_bad "mrc --db another program's database" "not a vfssim database" \
	"$VFSSIM" mrc traces/formats/07-zoo.strace --db "$D/other.db" -q
expect_bad "merge into another program's database" "not a vfssim database" \
	"$VFSSIM" merge "$D/other.db" "$D/ok.db"
expect_bad "disk --db another program's database" "not a vfssim database" \
	"$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv --db "$D/other.db" -q
expect_bad "plot of another program's database" "not a vfssim database" \
	"$VFSSIM" plot "$D/other.db" -o "$D/x.png"
expect_bad "report of a text file" "not a vfssim database" "$VFSSIM" report "$D/text.db" -o "$D/x.html"
if cmp -s "$D/other.db" "$D/other.orig" && cmp -s "$D/otherapp.db" "$D/otherapp.orig" &&
	cmp -s "$D/text.db" "$D/text.orig" && [ ! -e "$D/other.db-wal" ] && [ ! -e "$D/x.png" ]; then
	ok "the foreign files are byte for byte as they were, no WAL beside them"
else
	bad "a foreign file was changed"
fi
# a newer schema is refused, an older one (no stamp: before it existed)
# read and brought up to date
cp "$D/ok.db" "$D/newer.db"
sql "$D/newer.db" "PRAGMA user_version = 99"
expect_bad "replay into a newer schema" "written by a newer vfssim (database schema 99" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/newer.db" -q
expect_bad "plot of a newer schema" "written by a newer vfssim (database schema 99" \
	"$VFSSIM" plot "$D/newer.db" -o "$D/x.png"
cp "$D/ok.db" "$D/old.db"
sql "$D/old.db" "PRAGMA application_id = 0; PRAGMA user_version = 0"
if "$VFSSIM" plot "$D/old.db" -o "$D/old.png" >"$T/out" 2>&1 &&
	"$VFSSIM" replay traces/formats/07-zoo.strace --db "$D/old.db" -q >>"$T/out" 2>&1 &&
	[ "$(sql "$D/old.db" "PRAGMA application_id; SELECT count(*) FROM runs" | tr '\n' ' ')" = "1986425715 3 " ]; then
	ok "a database from before the stamp is read, recorded into and stamped"
else
	bad "a database from before the stamp"; head -3 "$T/out"
fi

# ---- hand-made and damaged databases ----------------------------------------
# A copy of ok.db made by hand: the same rows in tables without the
# schema's constraints, then one value changed.
handmade() { # out.db SQL
	rm -f "$1"
	sql "$1" "ATTACH '$D/ok.db' AS o;
		CREATE TABLE runs AS SELECT * FROM o.runs;
		CREATE TABLE summary AS SELECT * FROM o.summary;
		CREATE TABLE latency_hist AS SELECT * FROM o.latency_hist;
		CREATE TABLE time_split AS SELECT * FROM o.time_split;
		CREATE TABLE syscalls AS SELECT * FROM o.syscalls;
		CREATE TABLE disk_io AS SELECT * FROM o.disk_io;
		CREATE TABLE samples AS SELECT * FROM o.samples;
		CREATE TABLE waits AS SELECT * FROM o.waits;
		CREATE TABLE mrc AS SELECT * FROM o.mrc;" && sql "$1" "$2"
}
handmade "$D/h0.db" "SELECT 1" >/dev/null
if "$VFSSIM" report "$D/h0.db" -o "$D/h0.html" >"$T/out" 2>&1 && no_sanitizer_report "$T/out"; then
	ok "a hand-made copy that keeps the rules is read: $(cat "$T/out")"
else
	bad "a hand-made copy that keeps the rules"; head -3 "$T/out"
fi
handmade "$D/h1.db" "UPDATE runs SET status = NULL WHERE id = 1"
expect_bad "merge: NULL runs.status" "h1.db: table runs, row id 1: status must be running, complete or failed" \
	"$VFSSIM" merge "$D/m1.db" "$D/h1.db"
handmade "$D/h2.db" "UPDATE runs SET trace = NULL WHERE id = 2"
expect_bad "report: NULL runs.trace" "h2.db: table runs, row id 2: trace must be text" \
	"$VFSSIM" report "$D/h2.db" -o "$D/x.html"
handmade "$D/h3.db" "UPDATE summary SET metric = NULL WHERE rowid = 5"
expect_bad "report: NULL summary.metric" "h3.db: table summary, row run 1, metric NULL: metric must be text" \
	"$VFSSIM" report "$D/h3.db" -o "$D/x.html"
handmade "$D/h4.db" "UPDATE latency_hist SET count = 1e308 WHERE rowid = 3"
expect_bad "plot: latency_hist.count = 1e308" "h4.db: table latency_hist, row run 1, call" \
	"$VFSSIM" plot "$D/h4.db" -o "$D/x.png"
handmade "$D/h5.db" "UPDATE summary SET value = 1e999 WHERE rowid = 7"
expect_bad "compare table: an infinite summary value" "value must be a number of magnitude at most 9e18" \
	"$VFSSIM" report "$D/h5.db" -o "$D/x.html"
handmade "$D/h6.db" "UPDATE runs SET profile = NULL WHERE id = 2"
expect_bad "plot sweep: NULL runs.profile" "h6.db: table runs, row id 2: profile must be text" \
	"$VFSSIM" plot "$D/h6.db" --kind sweep -o "$D/x.png"
handmade "$D/h7.db" "UPDATE syscalls SET end_ns = -5 WHERE rowid = (SELECT min(rowid) FROM syscalls WHERE class = 'sim' AND run = 2)"
expect_bad "plot latency-time: an end before the start" "table syscalls, row run 2, seq 0: start_ns and end_ns" \
	"$VFSSIM" plot "$D/h7.db" --kind latency-time -o "$D/x.png"
handmade "$D/h8.db" "DROP TABLE summary; CREATE VIEW summary AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 1 AS run, 'm' AS metric, x AS value FROM c"
expect_bad "a view that never ends where a table should be" "h8.db: summary is a view, not a table" \
	"$VFSSIM" report "$D/h8.db" -o "$D/x.html"
handmade "$D/h9.db" "UPDATE syscalls SET pid = NULL WHERE rowid = 3"
expect_bad "merge: a row the schema refuses" "table syscalls, row 3 of the run: NOT NULL constraint failed" \
	"$VFSSIM" merge "$D/m9.db" "$D/h9.db"
if [ ! -e "$D/m1.db" ] && [ ! -e "$D/m9.db" ] && [ ! -e "$D/x.html" ] && [ ! -e "$D/x.png" ]; then
	ok "bad databases leave nothing behind: no merge output, no page, no image"
else
	bad "a bad database left a file behind"; ls "$D"
fi
# merge quotes the names it takes from an input: a primary key column
# named with a double quote orders the copy
handmade "$D/hq.db" "DROP TABLE waits; CREATE TABLE waits (run INTEGER, t_ns INTEGER, wmesg TEXT, procs INTEGER, \"a\"\"b\" INTEGER, PRIMARY KEY (run, \"a\"\"b\")) WITHOUT ROWID; INSERT INTO waits VALUES (1, 5, 'biord', 1, 2), (1, 3, 'biord', 1, 1)"
if "$VFSSIM" merge "$D/mq.db" "$D/hq.db" >"$T/out" 2>&1 &&
	[ "$(sql "$D/mq.db" "SELECT group_concat(t_ns) FROM waits WHERE run = 1")" = "3,5" ]; then
	ok "merge: a primary key named a\"b orders the copy (quoted as an identifier)"
else
	bad "merge of a primary key with a quote in its name"; head -3 "$T/out"
fi

# ---- Linux AIO records that make no sense replay without a fault -------------
# A request at offset 2^63-1, descriptors 999999 and -1, a malformed entry
# (the rest of the list passed over), a context destroyed while another
# thread reaps it, completions of contexts and requests never queued, a
# count of 2^63-1.
printf '#vfssim-trace 1\n1000 5 openat 3 10 fd=AT_FDCWD path="/d/f" oflags=O_RDWR|O_CREAT\n2000 5 io_submit 3 10 fd=3 arg=7 len=3 path2="w 3 0 1048576 1;r 3 0 65536 2;w 3 9223372036854775807 5 3"\n2500 6 io_getevents 2 100 arg=7 path2="1 1048576;2 65536"\n2600 5 io_destroy 0 10 arg=7\n2700 5 io_submit 2 10 fd=3 arg=8 len=99 path2="f 3 0 0 1;r 999999 0 1 2;r -1 0 1 3;x;r 3"\n2800 5 io_getevents 9223372036854775807 10 arg=8 path2="1 0;1 0;9 9"\n2900 5 io_getevents 3 10 arg=99\n3000 6 io_destroy 0 10 arg=8\n' >"$T/aio.trace"
if "$VFSSIM" replay "$T/aio.trace" --db "$T/aio.db" >"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
    [ "$(sql "$T/aio.db" "SELECT value FROM summary WHERE metric = 'aio.requests'")" = 5.0 ] &&
    [ "$(sql "$T/aio.db" "SELECT status FROM runs")" = complete ]; then
	ok "hostile Linux AIO records: replayed, 5 requests done, nothing out of range believed"
else
	bad "hostile AIO records"; head -5 "$T/out"
fi

# ---- a line is at most 16 MB -------------------------------------------------
# The issue's reproducer: one unterminated 1 GB line in a 1 MB .gz (1024
# gzip members of 1 MB each) took 1 GB of memory and 36 s before the
# error; it is refused at once, naming the file and line.
L=$T/lines
mkdir -p "$L"
head -c 1048576 /dev/zero | tr '\0' a | gzip -9 >"$L/chunk.gz"
for i in $(seq 1024); do cat "$L/chunk.gz"; done >"$L/line.gz"
expect_bad "a 1 GB line in a $(($(stat -c %s "$L/line.gz") / 1024)) KB .gz" \
	"line.gz:1: a line longer than 16 MB" "$VFSSIM" replay "$L/line.gz" --db "$L/l.db" -q
{ echo "#vfssim-trace 1"; head -c 17000000 /dev/zero | tr '\0' 7; echo; } >"$L/native.trace"
expect_bad "a 17 MB line in a native trace" "native.trace:2: a line longer than 16 MB" \
	"$VFSSIM" replay "$L/native.trace" --db "$L/l.db" -q
{ head -n 3 traces/formats/07-zoo.strace; head -c 16777217 /dev/zero | tr '\0' x; echo; } >"$L/app.strace.101"
head -n 5 traces/formats/07-zoo.strace >"$L/app.strace.102"
expect_bad "a 16 MB + 1 line in an -ff member" "app.strace.101:4: a line longer than 16 MB" \
	"$VFSSIM" import strace "$L/app.strace" -o "$L/out.trace"
if [ ! -e "$L/l.db" ] && [ ! -e "$L/out.trace" ]; then
	ok "a trace with an overlong line writes nothing"
else
	bad "an overlong line left a file"
fi

# ---- sizes have ranges -------------------------------------------------------
# machine.memory up to 1T was taken, and 256G tried a single 4 GiB
# allocation: every size setting has a documented range, refused beyond.
expect_bad "machine.memory=256G" 'machine.memory = "256G": out of range: 4M to 4G' \
	"$VFSSIM" replay traces/formats/07-zoo.strace --set machine.memory=256G --db "$T/mem.db" -q
expect_bad "machine.memory_mb=1048576 (1T)" 'out of range: 4M to 4G' \
	"$VFSSIM" sysctl --set machine.memory_mb=1048576
printf '[bio]\nnbuf = 5000000\n' >"$T/huge.ini"
expect_bad "a profile with bio.nbuf = 5000000" "huge.ini:2: bio.nbuf = \"5000000\": out of range" \
	"$VFSSIM" compare traces/formats/07-zoo.strace -V a=@"$T/huge.ini" --db "$T/mem.db" -q
if "$VFSSIM" sysctl --set machine.memory=4G --set kern.nbuf=100000 >"$T/out" 2>&1 &&
	grep -q "kern.nbuf: 100000" "$T/out" && [ ! -e "$T/mem.db" ]; then
	ok "the top of the ranges boots (4 GB, 100,000 buffers); nothing written for those beyond"
else
	bad "the top of the ranges"; head -3 "$T/out"
fi
if "$VFSSIM" profile --list | grep -q '^machine.memory = 128M  (sysctl hw.physmem)  (range: 4M to 4G)'; then
	ok "profile --list gives each range"
else
	bad "profile --list gives no range"
fi

# ---- Ctrl-C stops every long loop, and the run is marked failed -------------
# Each of these would take minutes under the sanitizers; a signal two
# seconds in stops it within a few (the flag is checked at every call
# read, every file made, every filler file of aging), and a replay's run
# is recorded, failed, with why.
I=$T/int
mkdir -p "$I"
stops() { # PID: true if it ends within 20 s
	local n=200
	while kill -0 "$1" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	! kill -0 "$1" 2>/dev/null
}
interrupt() { # name signal db wanted-error command...
	local name=$1 sig=$2 db=$3 want=$4 pid rc st
	shift 4
	"$@" >"$T/out" 2>&1 &
	pid=$!
	sleep 2
	kill -"$sig" $pid
	if ! stops $pid; then
		kill -9 $pid
		bad "$name: still running 20 s after SIG$sig"
		return
	fi
	wait $pid
	rc=$?
	st=$(sql "$db" "SELECT status || ': ' || error FROM runs" 2>/dev/null)
	if [ $rc = 1 ] && grep -qF -- "$want" "$T/out" && no_sanitizer_report "$T/out" &&
		case $st in "failed: "*"$want"*) true ;; *) false ;; esac; then
		ok "$name: SIG$sig stops it; run marked $st"
	else
		bad "$name: exit $rc, run: $st"; head -3 "$T/out"
	fi
}
interrupt "Ctrl-C in the pre-pass's read-through" INT "$I/a.db" "interrupted while reading it" \
	"$VFSSIM" replay --gen random --param ops=50000000 --db "$I/a.db" -q
interrupt "SIGTERM while aging the starting file system" TERM "$I/b.db" \
	"interrupted while building the starting file system" \
	"$VFSSIM" replay traces/formats/07-zoo.strace --set ffs.age=0.5 --db "$I/b.db" -q
# The drive alone, stopped with requests in flight and its timers armed:
# they are let go while the engine is still there (disktrace_run; the
# other way round, a timer disarmed then was queued on a freed engine).
for i in $(seq 100); do cat disks/cheetah9LP/cheetah9LP.trace; done >"$I/long.disk"
interrupt "Ctrl-C in vfssim disk" INT "$I/d.db" "interrupted at" \
	"$VFSSIM" disk --validate "$I/long.disk" --profile profiles/disks/cheetah9lp.ini \
	--db "$I/d.db" -q
rm -f "$I/long.disk"
"$VFSSIM" sweep traces/formats/07-zoo.strace --grid ffs.age=0.3,0.5,0.7 -j 2 --db "$I/c.db" -q \
	>"$T/out" 2>&1 &
pid=$!
sleep 2
kill -INT $pid
if stops $pid; then
	wait $pid
	rc=$?
	if [ $rc = 1 ] && grep -q "interrupted" "$T/out" && [ ! -e "$I/c.db" ]; then
		ok "Ctrl-C in a sweep's aging: stops, nothing added: $(head -c 90 "$T/out")"
	else
		bad "Ctrl-C in a sweep: exit $rc"; head -3 "$T/out"
	fi
else
	kill -9 $pid
	bad "Ctrl-C in a sweep: still running 20 s after"
fi
yes '100 write(1, "x", 1) = 1' | head -n 2000000 >"$I/long.strace"
"$VFSSIM" import strace "$I/long.strace" -o "$I/long.trace" >"$T/out" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
if stops $pid && ! wait $pid && [ ! -e "$I/long.trace" ] && [ ! -e "$I/long.trace.partial" ]; then
	ok "Ctrl-C in import: stops, no output and no .partial left"
else
	bad "Ctrl-C in import"; head -3 "$T/out"; ls "$I"
fi
rm -f "$I/long.strace"

# ---- a stall names every stuck process, or the count and the first ones ------
# 32 readers on a 4 MB machine without the seed's I/O reserve: all wait
# in "vmwait" for good (tests/e2e-bio.sh has one reader).
stall() { # processes
	awk -v n=$1 'BEGIN {
		print "#vfssim-trace 1"; t = 1000000000;
		for (p = 0; p < n; p++)
			printf "%d %d openat 3 1000 fd=AT_FDCWD path=\"/data/big%d\" oflags=O_RDONLY\n", t, 100 + p, p;
		for (i = 0; i < 200; i++) for (p = 0; p < n; p++) {
			t += 1000; printf "%d %d read 8192 1000 fd=3 len=8192\n", t, 100 + p }
	}' >"$T/stall.trace"
	"$VFSSIM" replay "$T/stall.trace" --set machine.memory=4M --set vm.kernel_wired=3700K \
		--set bio.nbuf=100 --set vm.io_reserve=false --db "$T/stall$1.db" -q >"$T/out" 2>&1
}
stall 32
named=$(grep -o 'pid [0-9]* in "vmwait"' "$T/out" | sort -u | wc -l)
if grep -q '32 processes asleep' "$T/out" && grep -q ': 32 in "vmwait"; the first 16: ' "$T/out" &&
	grep -q ', and 16 more$' "$T/out" && [ "$named" = 16 ] &&
	[ "$(sql "$T/stall32.db" "SELECT status FROM runs")" = failed ]; then
	ok "a stall of 32 processes: the count by wait message, the first 16 named, and 16 more"
else
	bad "a stall of 32 processes ($named named)"; head -c 600 "$T/out"
fi
stall 10
named=$(grep -o 'pid [0-9]* in "vmwait"' "$T/out" | sort -u | wc -l)
if grep -q ': 10 in "vmwait": pid' "$T/out" && [ "$named" = 10 ] && ! grep -q "more" "$T/out"; then
	ok "a stall of 10 processes names every one"
else
	bad "a stall of 10 processes ($named named)"; head -c 600 "$T/out"
fi

# ---- a full disk: the run is marked failed and no WAL is left ---------------
# A small tmpfs (root only: elsewhere tests/test_metrics.c fills a quota
# through an SQLite VFS).  A run too large for it fails with its status
# written and the file system as empty as before; before, the status could
# stay "running" and a WAL of megabytes stayed, keeping it full.
F=$T/full
mkdir -p "$F"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=3M tmpfs "$F" 2>/dev/null; then
	for what in "a run that fills the WAL|--gen random --param ops=60000" \
		"a run whose commits leave too little room|traces/d1-sqlite-journal.strace.gz"; do
		name=${what%%|*}
		rm -f "$F"/*
		"$VFSSIM" replay ${what#*|} --db "$F/full.db" -q >"$T/out" 2>&1
		rc=$?
		st=$(sql "$F/full.db" "SELECT status FROM runs")
		n=$(sql "$F/full.db" "SELECT count(*) FROM syscalls")
		usedkb=$(df -k "$F" | awk 'NR == 2 { print $3 }')
		if [ $rc = 1 ] && [ "$st" = failed ] && [ "$n" = 0 ] && [ ! -s "$F/full.db-wal" ] &&
			[ "$usedkb" -lt 1024 ] && no_sanitizer_report "$T/out"; then
			ok "full disk, $name: failed ($(head -c 80 "$T/out")), no WAL, ${usedkb} KB of 3 MB used"
		else
			bad "full disk, $name: exit $rc, status $st, $n rows, ${usedkb} KB used"
			head -3 "$T/out"; ls -la "$F"
		fi
	done
	umount "$F"
else
	echo "skip full disk on tmpfs: cannot mount one here (tests/test_metrics.c covers it)"
fi

finish
