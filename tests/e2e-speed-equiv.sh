#!/usr/bin/env bash
# End-to-end check that the replay's ways of going fast change no result.
# The pre-pass parses the trace once and keeps every call as a binary
# record (tracebin.c) that the replay reads back, queues per process and
# spills to files in blocks; VFSSIM_REREAD=1 makes the replay parse the
# trace a second time instead, as vfssim did before.  Every bundled trace,
# every generator and the runs below are made both ways, and every table
# must come out the same but the runs' wall-clock times.  Runs with a
# read-ahead of 16 calls (nearly every call through a spill file) must
# give the same tables as with the default, but the read-ahead's own
# counts (replay.peak_queued_calls, replay.spilled_calls,
# replay.spill_files).
#
# (The same against an older commit: scripts/same-rows BASE.)
#
#   VFSSIM=build/check/vfssim tests/e2e-speed-equiv.sh
. "$(dirname "$0")/lib.sh" e2e-speed-equiv
unset VFSSIM_REREAD

# Every table but the runs' start and end (and, with "noqueue", the
# read-ahead's counts and its setting's row).
dump() {
	local db=$1 what=$2 t cols
	for t in $(sql "$db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
		echo "== $t"
		case $t in
		runs)
			cols=$(sql "$db" "SELECT group_concat(quote(name), ',') FROM pragma_table_info('runs') WHERE name NOT IN ('started','finished')")
			sql "$db" "SELECT $cols FROM runs ORDER BY id" ;;
		summary)
			if [ "$what" = noqueue ]; then
				sql "$db" "SELECT * FROM summary WHERE metric NOT IN ('replay.peak_queued_calls', 'replay.spilled_calls', 'replay.spill_files') ORDER BY 1, 2"
			else
				sql "$db" "SELECT * FROM summary ORDER BY 1, 2"
			fi ;;
		run_settings)
			# the read-ahead itself is the setting that differs
			if [ "$what" = noqueue ]; then
				sql "$db" "SELECT * FROM run_settings WHERE key <> 'replay.readahead' ORDER BY 1, 2"
			else
				sql "$db" "SELECT * FROM run_settings ORDER BY 1, 2"
			fi ;;
		*)	sql "$db" "SELECT * FROM \"$t\" ORDER BY 1, 2, 3" ;;
		esac
	done
}

# run TAG ENV ARGS...: one run into $T/TAG.db, its output and dump.
run() {
	local tag=$1 env=$2; shift 2
	rm -f "$T/$tag.db"*
	env $env "$VFSSIM" "$@" --db "$T/$tag.db" >"$T/$tag.out" 2>&1
	echo "exit $?" >>"$T/$tag.out"
	sed -i -e 's/[0-9.]* s wall.*//' -e 's/[0-9.]*[kM]\{0,1\} calls\/s.*//' "$T/$tag.out"
}

# same NAME ARGS...: the spool against the trace parsed again.
same() {
	local name=$1; shift
	run spool "" "$@"
	run reread VFSSIM_REREAD=1 "$@"
	dump "$T/spool.db" all >"$T/spool.dump" 2>&1
	dump "$T/reread.db" all >"$T/reread.dump" 2>&1
	if ! no_sanitizer_report "$T/spool.out" || ! no_sanitizer_report "$T/reread.out"; then
		bad "$name: sanitizer report"; head -5 "$T/spool.out" "$T/reread.out" | sed 's/^/     /'
	elif ! grep -q '^exit 0$' "$T/spool.out"; then
		bad "$name: did not run"; head -5 "$T/spool.out" | sed 's/^/     /'
	elif cmp -s "$T/spool.out" "$T/reread.out" && cmp -s "$T/spool.dump" "$T/reread.dump"; then
		ok "$name: the same read from the spool as parsed again ($(wc -l <"$T/spool.dump") rows)"
	else
		bad "$name: differs"
		diff "$T/reread.out" "$T/spool.out" | head -5 | sed 's/^/     /'
		diff "$T/reread.dump" "$T/spool.dump" | head -6 | sed 's/^/     /'
	fi
}

# spilled NAME ARGS...: read-ahead 16 against the default.
spilled() {
	local name=$1 n; shift
	run dflt "" "$@"
	run ra16 "" "$@" --set replay.readahead=16
	dump "$T/dflt.db" noqueue >"$T/dflt.dump" 2>&1
	dump "$T/ra16.db" noqueue >"$T/ra16.dump" 2>&1
	n=$(sql "$T/ra16.db" "SELECT CAST(value AS INTEGER) FROM summary WHERE metric = 'replay.spilled_calls'")
	if ! no_sanitizer_report "$T/ra16.out"; then
		bad "$name: sanitizer report"; head -5 "$T/ra16.out" | sed 's/^/     /'
	elif [ "${n:-0}" -lt 100 ]; then
		bad "$name: only ${n:-no} calls spilled"
	elif cmp -s "$T/dflt.dump" "$T/ra16.dump"; then
		ok "$name: $n calls through spill files, the same tables"
	else
		bad "$name: spilled differs"
		diff "$T/dflt.dump" "$T/ra16.dump" | head -6 | sed 's/^/     /'
	fi
}

for t in traces/*.strace.gz traces/formats/*.strace traces/formats/07-zoo.stderr-mode.txt; do
	same "$(basename "$t")" replay "$t" -q
done
same "07-zoo -ff set" replay traces/formats/07-zoo.ff -q
for g in $("$VFSSIM" gen --list | awk '{ print $1 }'); do
	same "gen $g" replay --gen "$g" -q
done
# A native trace with a call far longer than a block of the spool, of the
# queues and of the spill files.
# (perl: mawk's sprintf cannot make a 300,000-character string, and
# awk had written no record at all, the header alone)
perl -e 'my $p = "/data/" . ("0" x 300000);
	print "#vfssim-trace 1\n";
	for my $i (0 .. 2999) {
		printf "%d %d openat %s 1000 fd=AT_FDCWD path=\"%s\" oflags=O_RDONLY\n",
		    1000000 + $i * 10000, 100 + $i % 3, ($i % 5 == 0 ? "-ENOENT" : "3"),
		    ($i % 500 == 0 ? $p : "/data/f" . ($i % 7)) }' >"$T/long.trace"
[ "$(grep -c openat "$T/long.trace")" = 3000 ] || bad "long.trace: not 3000 records"
same "calls longer than a block" replay "$T/long.trace" -q --set replay.readahead=16
same "d2, resource order, read-ahead 16" replay traces/d2-make-j2.strace.gz -q \
    --set replay.order=resource --set replay.readahead=16
spilled "d2 (43 processes)" replay traces/d2-make-j2.strace.gz -q
spilled "d2, resource order" replay traces/d2-make-j2.strace.gz -q --set replay.order=resource
spilled "gen dbench (32 clients)" replay --gen dbench -q
spilled "gen mix" replay --gen mix -q
finish
