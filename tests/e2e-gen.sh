#!/usr/bin/env bash
# End-to-end tests of the workload generators: every generator's trace
# replays, from a file and straight from the generator (replay --gen), with
# the same tables either way; the same seed writes the same file; and the
# seed's bwillwrite claim shows: the tree-creation workload stalls writers
# on a 32 MB machine and not on a 1 GB one.
#
# "Write-behind helps the sequential writer and not the DBM workload" is
# shown with the seq and dbm generators in tests/e2e-cluster.sh.
#
#   VFSSIM=build/check/vfssim tests/e2e-gen.sh
. "$(dirname "$0")/lib.sh" e2e-gen
expect 46
expect_bad_width=90	# expect_bad quotes 90 characters of the message

# A summary metric of a run.
metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'"; }
# Every table of run 1 but the runs row, which names the trace.
dump() {
	sql "$1" "SELECT * FROM syscalls; SELECT * FROM disk_io; SELECT * FROM samples;
		SELECT * FROM summary; SELECT * FROM latency_hist; SELECT seed, status FROM runs"
}
# Call records in a native trace: not the header or comments, not "+++".
count_records() { grep -v '^#' "$1" | grep -vc '^[0-9-]* [0-9]* +++ '; }

# ---- gen --list: one generator a line, its name first -----------------------
"$VFSSIM" gen --list >"$T/list" 2>&1
names=$(awk '{print $1}' "$T/list")
if [ "$(wc -l <"$T/list")" -ge 11 ] && ! grep -qv '^[a-z]\+ \+[a-zA-Z].\{10,\}$' "$T/list"; then
	ok "gen --list: $(echo $names | tr '\n' ' ')"
else
	bad "gen --list"; cat "$T/list"
fi

# Small parameters for each, so that the sanitizer build replays them quickly.
# None with two processes writing one file where the other reads (dbm
# create=1 procs=2): the simulation's timing differs from the trace's, and a
# read can come before the write it follows in the trace (a repair).
params_of() {
	case $1 in
	seq) echo "--param size=256K --param procs=2 --param mode=rw" ;;
	random) echo "--param size=1M --param ops=300 --param procs=2 --param zipf=0.9 --param fsync=7" ;;
	dbm) echo "--param size=1M --param ops=300 --param procs=2" ;;
	tree) echo "--param depth=2 --param fanout=3 --param files=4 --param size=10K --param mode=both" ;;
	tar) echo "--param depth=2 --param fanout=3 --param files=4" ;;
	find) echo "--param depth=2 --param fanout=3 --param files=4 --param procs=2" ;;
	postmark) echo "--param files=30 --param transactions=60" ;;
	dblog) echo "--param clients=2 --param txns=40 --param checkpoint=20ms" ;;
	dbench) echo "--param clients=3 --param loops=1" ;;
	mix) echo "--param count=2 --param clients=2 --param random.ops=50 --param postmark.files=10" ;;
	snapshot) echo "--param at=1ms,2ms --param hold=1ms --param dbm.ops=300 --param dbm.size=1M" ;;
	*) echo "" ;;
	esac
}

# ---- every generator: deterministic, replays, and replays the same from --gen
for g in $names; do
	p=$(params_of "$g")
	# shellcheck disable=SC2086
	if ! "$VFSSIM" gen "$g" $p --seed 4 -o "$T/$g.1.trace" >"$T/out" 2>&1 ||
		! "$VFSSIM" gen "$g" $p --seed 4 -o "$T/$g.2.trace" >>"$T/out" 2>&1; then
		bad "gen $g"; head -5 "$T/out"; continue
	fi
	if cmp -s "$T/$g.1.trace" "$T/$g.2.trace" && [ ! -e "$T/$g.1.trace.partial" ]; then
		ok "gen $g: the same seed writes the same trace, byte for byte"
	else
		bad "gen $g: two runs with seed 4 differ"
	fi
	want=$(count_records "$T/$g.1.trace")
	db=$T/$g.file.db
	if ! "$VFSSIM" replay "$T/$g.1.trace" --seed 4 --db "$db" -q >"$T/out" 2>&1 ||
		! no_sanitizer_report "$T/out"; then
		bad "replay $g trace"; head -5 "$T/out"; continue
	fi
	st=$(sql "$db" "SELECT status FROM runs WHERE id = 1")
	total=$(metric "$db" 1 calls.total)
	repairs=$(metric "$db" 1 replay.repairs)
	if [ "$st" = complete ] && [ "${total%.0}" = "$want" ] && [ "${repairs%.0}" = 0 ]; then
		ok "replay $g: all $want calls, no repairs (the trace is consistent with itself)"
	else
		bad "replay $g: status $st, $total of $want calls, $repairs repairs"
	fi
	db2=$T/$g.gen.db
	# shellcheck disable=SC2086
	if ! "$VFSSIM" replay --gen "$g" $p --seed 4 --db "$db2" -q >"$T/out" 2>&1 ||
		! no_sanitizer_report "$T/out"; then
		bad "replay --gen $g"; head -5 "$T/out"; continue
	fi
	fmt=$(sql "$db2" "SELECT format || ' ' || trace FROM runs")
	if dump "$db" >"$T/a.txt" && dump "$db2" >"$T/b.txt" && cmp -s "$T/a.txt" "$T/b.txt" &&
		[ "${fmt%% *}" = generated ]; then
		ok "replay --gen $g: the same tables as its trace file ($(wc -l <"$T/a.txt") rows; trace \"${fmt#* }\")"
	else
		bad "replay --gen $g differs from the file"; diff "$T/a.txt" "$T/b.txt" | head -5
	fi
done

# gzip'd output is gzip and replays.
if "$VFSSIM" gen postmark --param files=20 --param transactions=20 -o "$T/pm.trace.gz" >/dev/null 2>&1 &&
	gzip -t "$T/pm.trace.gz" &&
	"$VFSSIM" replay "$T/pm.trace.gz" --db "$T/pm.db" -q >/dev/null 2>&1; then
	ok "gen writes a gzip'd trace when asked, and it replays"
else
	bad "gen .gz"
fi

# replay --gen writes nothing but its database.
mkdir "$T/empty"
if (cd "$T/empty" && "$VFSSIM" replay --gen seq --param size=1M --db only.db -q >/dev/null 2>&1) &&
	[ "$(ls -A "$T/empty")" = only.db ]; then
	ok "replay --gen writes only the database (the calls stream)"
else
	bad "replay --gen left files: $(ls -A "$T/empty")"
fi

# ---- the seed's bwillwrite claim --------------------------------------------
# bd5f5da94d: "Benchmarks that create huge trees of empty files overwhelm
# the buffer cache."  On a mount with synchronous metadata (the default)
# every create waits for its inode and directory writes and dirty buffers
# never pile up; with delayed metadata (soft updates, as such benchmarks
# ran) they do.  The tree's 1110 files get 16 KB each (two buffers and
# their share of inode and directory blocks): beyond a 32 MB machine's
# hidirtybuffers (144), within a 1 GB machine's (1824).
tree="--param depth=2 --param fanout=10 --param files=10 --param size=16K --set ffs.metadata=delayed"
# shellcheck disable=SC2086
"$VFSSIM" replay --gen tree $tree --profile profiles/small-32mb.ini --db "$T/bw32.db" -q --no-events \
	>"$T/out" 2>&1
# shellcheck disable=SC2086
"$VFSSIM" replay --gen tree $tree --set machine.memory=1G --db "$T/bw1g.db" -q --no-events \
	>>"$T/out" 2>&1
s32=$(metric "$T/bw32.db" 1 bio.bwillwrite_stalls)
s1g=$(metric "$T/bw1g.db" 1 bio.bwillwrite_stalls)
hi32=$(metric "$T/bw32.db" 1 bio.hidirtybuffers)
hi1g=$(metric "$T/bw1g.db" 1 bio.hidirtybuffers)
peak1g=$(metric "$T/bw1g.db" 1 bio.dirty_peak)
peak32=$(metric "$T/bw32.db" 1 bio.dirty_peak)
# On 32 MB the dirty count stays at hidirtybuffers: bwillwrite lets a call
# in only below it, and a call dirties at most two buffers past that check
# (a create: the cylinder-group map and the directory block — its inode is
# written synchronously there, ffs_update at buf_dirty_count_severe; a
# write: its data block, and the map if another group's) — so at most
# hidirtybuffers + 1.
if [ "${s32%.0}" -gt 0 ] 2>/dev/null && [ "${s1g%.0}" = 0 ] && [ "${peak1g%.0}" -ge 1000 ] &&
	[ -n "$peak32" ] && [ "${peak32%.0}" -le $((${hi32%.0} + 1)) ]; then
	ok "bwillwrite stalls creating a tree: ${s32%.0} on 32 MB (hidirtybuffers ${hi32%.0}, peak ${peak32%.0} dirty), none on 1 GB (${hi1g%.0}, peak ${peak1g%.0} dirty)"
else
	bad "bwillwrite: 32 MB $s32 stalls (peak $peak32 of $hi32), 1 GB $s1g stalls (peak $peak1g)"; head -5 "$T/out"
fi

# ---- a process that starts after all the others ended is replayed ----------
{ echo "#vfssim-trace 1"; cat; } >"$T/late.trace" <<'EOF'
1000 1 openat 3 10 fd=AT_FDCWD path="/x" oflags=O_RDWR|O_CREAT mode=0644
2000 1 close 0 10 fd=3
3000 1 +++ 0 -
5000000 2 openat 3 10 fd=AT_FDCWD path="/y" oflags=O_RDWR|O_CREAT mode=0644
6000000 2 close 0 10 fd=3
EOF
"$VFSSIM" replay "$T/late.trace" --db "$T/late.db" -q >/dev/null 2>&1
if [ "$(metric "$T/late.db" 1 calls.total)" = 4.0 ] && [ "$(metric "$T/late.db" 1 processes)" = 2.0 ]; then
	ok "a process whose first call comes after every other one ended is replayed"
else
	bad "late process: $(metric "$T/late.db" 1 calls.total) calls"
fi

# ---- bad input --------------------------------------------------------------
expect_bad "gen: unknown generator" "no generator" "$VFSSIM" gen nope -o "$T/bad.trace"
expect_bad "gen: unknown parameter" "sise" "$VFSSIM" gen seq --param sise=1M -o "$T/bad.trace"
expect_bad "gen: bad value" "ops=many" "$VFSSIM" gen random --param ops=many -o "$T/bad.trace"
expect_bad "replay --gen: unknown parameter" "fanot" \
	"$VFSSIM" replay --gen tree --param fanot=3 --db "$T/bad.db"
expect_bad "replay --gen: bad job of a mix" "frob" \
	"$VFSSIM" replay --gen mix --param jobs=seq,frob --db "$T/bad.db"
expect_bad "replay --gen and a TRACE" "expected one TRACE" \
	"$VFSSIM" replay --gen seq "$T/late.trace" --db "$T/bad.db"
expect_bad "replay --param without --gen" "expected one TRACE" \
	"$VFSSIM" replay --param size=1M "$T/late.trace" --db "$T/bad.db"
if [ ! -e "$T/bad.db" ] && [ ! -e "$T/bad.trace" ] && [ ! -e "$T/bad.trace.partial" ]; then
	ok "bad input leaves no database and no trace behind"
else
	bad "bad input left files behind"
fi

finish
