#!/usr/bin/env bash
# End-to-end tests of the cache-only mode (vfssim cache): every input
# format gives the same requests and misses for the same references;
# Belady's anomaly string through each policy gives the misses worked out
# by hand (tests/test_cache.c checks the policies themselves against
# independent implementations); a replay's disk_io rows are read as the
# blocks they cover; bad input is refused with exit 2, naming file and
# line.
#
#   VFSSIM=build/check/vfssim tests/e2e-cache.sh
. "$(dirname "$0")/lib.sh" e2e-cache
expect 20

# misses POLICY SIZE FILE [ARGS]: "requests misses" as vfssim cache printed
misses() {
	local pol=$1 size=$2 f=$3; shift 3
	"$VFSSIM" cache "$f" --policy "$pol" --size "$size" "$@" >"$T/out" 2>&1 || {
		echo "exit $?"; return; }
	no_sanitizer_report "$T/out" || { echo "sanitizer report"; return; }
	echo "$(sed -n 's/^requests \([0-9]*\)$/\1/p' "$T/out") $(sed -n 's/^misses \([0-9]*\)$/\1/p' "$T/out")"
}

# ---- Belady's anomaly string, 3 blocks: the misses worked out by hand ------
# (test_cache.c's test_by_hand gives the working.)
refs="1 2 3 4 1 2 5 1 2 3 4 5"
i=0; for r in $refs; do echo "$((i += 1)),$r,4096"; done >"$T/belady.csv"
{ echo "time,obj_id,obj_size"; cat "$T/belady.csv"; } >"$T/belady-h.csv"
perl -e 'my $t = 0; for (@ARGV) { print pack("VQ<Vq<", ++$t, $_, 4096, -1) }' $refs \
    >"$T/belady.oracleGeneral"
gzip -c "$T/belady.oracleGeneral" >"$T/belady.oracleGeneral.gz"
for spec in lru:10 clock:10 2q:11 arc:10 opt:7; do
	pol=${spec%%:*} want=${spec#*:}
	got=$(misses "$pol" 3 "$T/belady.csv")
	all="$got|$(misses "$pol" 3 "$T/belady-h.csv")|$(misses "$pol" 3 "$T/belady.oracleGeneral")|$(misses "$pol" 3 "$T/belady.oracleGeneral.gz")"
	if [ "$all" = "12 $want|12 $want|12 $want|12 $want" ]; then
		ok "$pol, 3 blocks: 12 requests, $want misses (csv, csv with a header, oracleGeneral, gzip'd)"
	else
		bad "$pol, 3 blocks: $all (want 12 $want each)"
	fi
done

# ---- a longer skewed trace: csv and oracleGeneral agree ------------------
perl -e 'srand(7); for my $i (1 .. 20000) { my $id = int(2000 * rand() ** 3); print "$i,$id,512\n" }' \
    >"$T/zipf.csv"
perl -ne 'chomp; my ($t, $id, $s) = split /,/; print pack("VQ<Vq<", $t, $id, $s, -1)' \
    "$T/zipf.csv" >"$T/zipf.oracleGeneral"
for pol in lru clock 2q arc opt; do
	a=$(misses "$pol" 200 "$T/zipf.csv")
	b=$(misses "$pol" 200 "$T/zipf.oracleGeneral" --format oracleGeneral)
	m=${a#* }
	if [ "$a" = "$b" ] && [ "${a%% *}" = 20000 ] && [ "$m" -gt 0 ] && [ "$m" -lt 20000 ]; then
		ok "$pol, 200 blocks, 20,000 skewed references: $m misses from csv and oracleGeneral"
	else
		bad "$pol, 200 blocks: csv $a, oracleGeneral $b"
	fi
done
# OPT is the least any policy can miss
o=$(misses opt 200 "$T/zipf.csv"); o=${o#* }
worse=yes
for pol in lru clock 2q arc; do
	m=$(misses "$pol" 200 "$T/zipf.csv"); [ "${m#* }" -ge "$o" ] || worse=no
done
if [ "$worse" = yes ]; then ok "no policy misses less than OPT ($o)"; else bad "a policy beat OPT ($o)"; fi

# ---- a replay's disk_io rows -------------------------------------------
"$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --db "$T/d1.db" -q >"$T/rout" 2>&1
# each request references every 8 KB block its sectors cover
want=$(sql "$T/d1.db" "SELECT sum((sector + sectors) * 512 / 8192 - sector * 512 / 8192
    + ((sector + sectors) * 512 % 8192 != 0)) FROM disk_io WHERE run = 1")
got=$(misses lru 64 "$T/d1.db")
if [ "${got%% *}" = "$want" ] && [ "${want:-0}" -gt 0 ] && grep -q '^policy lru, 64 blocks, db (run 1, 8192-byte blocks)$' "$T/out"; then
	ok "d1's disk_io rows: $want block references, ${got#* } LRU misses in 64 blocks"
else
	bad "d1's disk_io rows: $got (want $want references)"; head -3 "$T/out"
fi
a=$(misses lru 64 "$T/d1.db" --run 1 --block-size 512)
want=$(sql "$T/d1.db" "SELECT sum(sectors) FROM disk_io WHERE run = 1")
if [ "${a%% *}" = "$want" ]; then
	ok "--block-size 512: a reference a sector ($want)"
else
	bad "--block-size 512: $a (want $want references)"
fi

# ---- bad input ------------------------------------------------------------
{ head -4 "$T/belady.csv"; echo "5,five,4096"; } >"$T/bad.csv"
expect_bad "a csv line with a textual id" "bad.csv:5: not time,obj_id,obj_size" \
    "$VFSSIM" cache "$T/bad.csv" --policy lru --size 3
head -c 100 "$T/belady.oracleGeneral" >"$T/short.oracleGeneral"
expect_bad "a truncated oracleGeneral record" "4 bytes at offset 96: not a whole 24-byte" \
    "$VFSSIM" cache "$T/short.oracleGeneral" --policy lru --size 3
expect_bad "an unknown policy" "--policy lfu: lru, clock, 2q, arc or opt" \
    "$VFSSIM" cache "$T/belady.csv" --policy lfu --size 3
expect_bad "a size of no blocks" "--size -1: from 1 to" \
    "$VFSSIM" cache "$T/belady.csv" --policy lru --size -1
expect_bad "a run that is not there" "no complete run 9" \
    "$VFSSIM" cache "$T/d1.db" --policy lru --size 3 --run 9
expect_bad "no such file" "nothere.csv" \
    "$VFSSIM" cache "$T/nothere.csv" --policy lru --size 3
sqlite3 "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
expect_bad "another program's database" "other.db" \
    "$VFSSIM" cache "$T/other.db" --policy lru --size 3
finish
