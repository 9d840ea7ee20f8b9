#!/usr/bin/env bash
# End-to-end tests of runs side by side: compare (its table is what the
# runs' summary rows say; each run in a thread equals the same run made
# alone; the number of threads changes nothing; seeds give means and
# intervals), merge, and bad input found before anything runs.
#
#   VFSSIM=build/check/vfssim tests/e2e-compare.sh
. "$(dirname "$0")/lib.sh" e2e-compare e2e-cmp
expect 43

# Every row a run recorded, with the run's id left out, and its runs row
# but for id, started and finished: what must not depend on how the run
# was made.
dump_run() { # db run
	sql "$1" "SELECT trace, format, profile, profile_sources, seed, version, label, status
			FROM runs WHERE id = $2;
		SELECT seq, pid, call, class, path, fd, offset, bytes, start_ns, end_ns, result,
			error, wait_ns, wmesg FROM syscalls WHERE run = $2 ORDER BY seq;
		SELECT seq, submit_ns, start_ns, end_ns, sector, sectors, is_write, queue_ns,
			seek_ns, rot_ns, xfer_ns, bufs, overhead_ns, cache_hit, cylinder
			FROM disk_io WHERE run = $2 ORDER BY seq;
		SELECT seq, t_ns, numdirtybuffers, clean_bufs, empty_bufs, busy_bufs,
			numfreebuffers, bufspace, runningbufspace, cached_pages, free_pages,
			wired_pages, disk_qlen, procs, calls_done, at_risk_bytes, at_risk_age_ns
			FROM samples WHERE run = $2 ORDER BY seq;
		SELECT t_ns, wmesg, procs FROM waits WHERE run = $2 ORDER BY t_ns, wmesg;
		SELECT metric, printf('%.17g', value) FROM summary WHERE run = $2 ORDER BY rowid;
		SELECT call, lo_ns, hi_ns, count FROM latency_hist WHERE run = $2 ORDER BY rowid;
		SELECT call, part, ns FROM time_split WHERE run = $2 ORDER BY call, part;
		SELECT buffers, printf('%.17g', miss_ratio) FROM mrc WHERE run = $2 ORDER BY buffers"
}
# Every run of a database, in id order, ids included.
dump_db() {
	local r
	for r in $(sql "$1" "SELECT id FROM runs ORDER BY id"); do
		echo "== run $r"; dump_run "$1" "$r"
	done
}

# A small trace with reads and writes: a random reader/writer over a file
# that does not fit a 32 MB machine's buffers.
"$VFSSIM" gen random --param size=6M --param ops=600 --param read=0.6 --param zipf=0.6 \
	--param procs=2 --seed 3 -o "$T/r.trace" >/dev/null 2>&1 || bad "gen random"

# ---- compare: the table is the summary rows ---------------------------------
V=(-V base= -V small=@profiles/small-32mb.ini -V nowb=vfs.write_behind=0,kern.filedelay=5s)
if "$VFSSIM" compare "$T/r.trace" "${V[@]}" --db "$T/c.db" --tsv -j 3 >"$T/c.tsv" 2>"$T/err" &&
	no_sanitizer_report "$T/err"; then
	n=$(sql "$T/c.db" "SELECT count(*) FROM runs WHERE status = 'complete'")
	labels=$(sql "$T/c.db" "SELECT group_concat(label, ',') FROM (SELECT label FROM runs ORDER BY id)")
	if [ "$n" = 3 ] && [ "$labels" = base,small,nowb ]; then
		ok "compare: three variants, three complete runs labelled in -V order ($labels)"
	else
		bad "compare: $n runs, labels $labels"
	fi
	# Every figure of the table against its summary row, to the last digit.
	mism=0 rows=0
	while IFS=$'\t' read -r metric variant runs mean ci change noise; do
		[ "$metric" = metric ] && continue
		rows=$((rows + 1))
		# SQLite reads a 17-digit number back to the same double
		want=$(sql "$T/c.db" "SELECT value = $mean FROM summary WHERE metric = '$metric'
			AND run = (SELECT id FROM runs WHERE label = '$variant')")
		if [ "$runs" != 1 ] || [ "$want" != 1 ]; then
			mism=$((mism + 1))
			[ $mism -le 3 ] && echo "     $metric $variant: table $mean, summary $want"
		fi
	done <"$T/c.tsv"
	# and the other way: each metric the table names is there for every variant
	need=$(cut -f1 "$T/c.tsv" | sort -u | grep -vc '^metric$')
	if [ "$mism" = 0 ] && [ "$rows" -ge 60 ] && [ "$rows" = $((need * 3)) ]; then
		ok "compare: all $rows figures of the table equal the runs' summary rows"
	else
		bad "compare: $mism of $rows figures differ from the summary rows ($need metrics)"
	fi
	# The change column: relative to the first variant.
	chk=$(awk -F'\t' '$1 == "disk.writes" { v[$2] = $4; c[$2] = $6 }
		END { want = 100 * (v["small"] - v["base"]) / v["base"];
		      d = c["small"] - want; if (d < 0) d = -d; print (d < 1e-9 * (want < 0 ? -want : want + 1)) ? "ok" : "bad " c["small"] " " want }' "$T/c.tsv")
	if [ "$chk" = ok ]; then
		ok "compare: the change column is the relative difference from the first variant"
	else
		bad "compare: change column: $chk"
	fi
else
	bad "compare failed"; head -5 "$T/err"
fi

# ---- each run made in a thread is the run made alone ------------------------
"$VFSSIM" replay "$T/r.trace" --label base --db "$T/alone.db" -q >/dev/null 2>&1
"$VFSSIM" replay "$T/r.trace" --label small --profile profiles/small-32mb.ini --db "$T/alone.db" -q >/dev/null 2>&1
"$VFSSIM" replay "$T/r.trace" --label nowb --set vfs.write_behind=0 --set kern.filedelay=5s \
	--db "$T/alone.db" -q >/dev/null 2>&1
same=0
for r in 1 2 3; do
	dump_run "$T/c.db" $r >"$T/a.txt"
	dump_run "$T/alone.db" $r >"$T/b.txt"
	if cmp -s "$T/a.txt" "$T/b.txt"; then
		same=$((same + 1))
	else
		diff "$T/a.txt" "$T/b.txt" | head -4
	fi
done
rows=$(dump_run "$T/c.db" 2 | wc -l)
if [ "$same" = 3 ] && [ "$rows" -gt 1000 ]; then
	ok "compare: each of the 3 runs made side by side in threads equals vfssim replay of it alone (run 2: $rows rows)"
else
	bad "compare: $same of 3 runs equal their replay alone"
fi

# ---- the number of threads changes nothing ----------------------------------
"$VFSSIM" compare "$T/r.trace" "${V[@]}" --db "$T/c1.db" -q -j 1 >/dev/null 2>&1
"$VFSSIM" compare "$T/r.trace" "${V[@]}" --db "$T/c2.db" -q -j 2 >/dev/null 2>&1
if dump_db "$T/c.db" >"$T/a.txt" && dump_db "$T/c1.db" >"$T/b.txt" &&
	dump_db "$T/c2.db" >"$T/c.txt" && cmp -s "$T/a.txt" "$T/b.txt" && cmp -s "$T/a.txt" "$T/c.txt" &&
	[ "$(grep -c '^== run' "$T/a.txt")" = 3 ]; then
	ok "compare: 1, 2 or 3 threads give the same database ($(wc -l <"$T/a.txt") rows)"
else
	bad "compare: the database depends on the number of threads"
fi

# ---- the text table ---------------------------------------------------------
if "$VFSSIM" compare "$T/r.trace" "${V[@]}" --db "$T/c3.db" >"$T/c.txt" 2>&1 &&
	head -2 "$T/c.txt" | tail -1 | grep -q 'base.*small.*nowb' &&
	grep -q '^latency  *all mean' "$T/c.txt" && grep -q '^at risk  *peak bytes' "$T/c.txt" &&
	grep -q '^cache  *buffer hit ratio' "$T/c.txt" && grep -q 'bwillwrite stalls' "$T/c.txt" &&
	grep -q 'mean rotation' "$T/c.txt" && grep -q 'calls/s' "$T/c.txt"; then
	ok "compare: the text table names the variants and has latency, throughput, cache, disk, writes, data at risk"
else
	bad "compare: text table"; head -5 "$T/c.txt"
fi

# ---- seeds: means and 95 % intervals ----------------------------------------
G=(--gen random --param size=4M --param ops=300 --param zipf=0.9)
if "$VFSSIM" compare "${G[@]}" -V a= -V b=machine.memory=32M --seeds 3 --seed 5 \
	--db "$T/s.db" --tsv >"$T/s.tsv" 2>"$T/err"; then
	seeds=$(sql "$T/s.db" "SELECT group_concat(label || seed, ' ') FROM (SELECT * FROM runs ORDER BY id)")
	# the mean and the interval of a figure, from the summary rows
	got=$(awk -F'\t' '$1 == "latency.all.mean_ns" && $2 == "b" { print $3, $4, $5 }' "$T/s.tsv")
	read -r n mean ci <<<"$got"
	chk=$(sql "$T/s.db" "SELECT value FROM summary s JOIN runs r ON r.id = s.run
		WHERE r.label = 'b' AND metric = 'latency.all.mean_ns'" |
		awk -v mean="$mean" -v ci="$ci" '{ x[NR] = $1; s += $1 }
		END { m = s / NR; for (i = 1; i <= NR; i++) ss += (x[i] - m) ^ 2;
		      want = 4.303 * sqrt(ss / (NR - 1)) / sqrt(NR);
		      dm = m - mean; dc = want - ci; if (dm < 0) dm = -dm; if (dc < 0) dc = -dc;
		      print (NR == 3 && dm <= 1e-9 * m && dc <= 1e-6 * (want + 1)) ? "ok" : "bad " m " " want }')
	if [ "$seeds" = "a5 a6 a7 b5 b6 b7" ] && [ "$n" = 3 ] && [ "$chk" = ok ]; then
		ok "compare --seeds 3: runs $seeds; mean and 95 % interval (t = 4.303) from the summary rows"
	else
		bad "compare --seeds: runs $seeds, $got, $chk"
	fi
	if awk -F'\t' 'NR > 1 && $2 == "b" && ($7 == "noise" || $7 == "significant") { n++ } END { exit n > 0 ? 0 : 1 }' "$T/s.tsv"; then
		ok "compare --seeds: each change is judged inside the noise or not"
	else
		bad "compare --seeds: no noise column"
	fi
else
	bad "compare --seeds failed"; head -5 "$T/err"
fi

# ---- data at risk -----------------------------------------------------------
# 1 MB written at the start (a new file, created with synchronous metadata:
# its inode and directory entry are on the disk at once, its size 0), then
# nothing for 39 s.  What a crash would lose is all of it until the disk
# has the data blocks, the pointers to them (the file's indirect block for
# blocks 12 on) and the inode with the new size.  The data goes when the
# file's slot on the wheel comes (filedelay, rounded up to the syncer's
# next second), or the mount's sweep at 16 s (ffs_sync(MNT_LAZY) fsyncs
# every dirty vnode, its indirect block too), or at once with write-behind
# (but for the last four blocks, a cluster never completed, and the
# indirect block: the sweep).  The inode block is on the device vnode,
# which got dirty with the create's cylinder-group map: it is written
# metadelay (28 s) after that, at the syncer's second 29 — so all three
# variants lose 1 MB for 29 s, whatever filedelay and write-behind do;
# with metadelay 5s and write-behind, the size is there at 6 s and the
# rest waits for the sweep, 16 s.  The plainer figure, data buffers not on
# the disk (risk.dirty_peak_bytes), is 1 MB without write-behind and a
# few clusters with it.  (The data is written a few ms into the run.)
{
	echo "#vfssim-trace 1"
	echo '1000000000 7 openat 3 1000 fd=AT_FDCWD path="/data/f" oflags=O_WRONLY|O_CREAT mode=0644'
	for i in $(seq 1 128); do echo "$((1000000000 + i * 10000)) 7 write 8192 1000 fd=3 len=8192"; done
	echo '1002000000 7 close 0 1000 fd=3'
	echo '40000000000 7 newfstatat 0 1000 fd=AT_FDCWD path="/data/f" size=1048576 type=REG'
} >"$T/risk.trace"
if "$VFSSIM" compare "$T/risk.trace" -V d5=kern.filedelay=5s,vfs.write_behind=0 \
	-V d30=vfs.write_behind=0 -V wb=kern.filedelay=5s -V m5=kern.metadelay=5s \
	--tsv --db "$T/risk.db" >"$T/risk.tsv" 2>"$T/err"; then
	fig() { awk -F'\t' -v m="$1" -v v="$2" '$1 == m && $2 == v { print $4 }' "$T/risk.tsv"; }
	p5=$(fig risk.peak_bytes d5) a5=$(fig risk.max_age_ns d5)
	p30=$(fig risk.peak_bytes d30) a30=$(fig risk.max_age_ns d30)
	pwb=$(fig risk.peak_bytes wb) awb=$(fig risk.max_age_ns wb)
	am5=$(fig risk.max_age_ns m5)
	d5=$(sql "$T/risk.db" "SELECT CAST(value AS INTEGER) FROM summary WHERE run = 1 AND metric = 'risk.dirty_peak_bytes'")
	dwb=$(sql "$T/risk.db" "SELECT CAST(value AS INTEGER) FROM summary WHERE run = 3 AND metric = 'risk.dirty_peak_bytes'")
	at2=$(sql "$T/risk.db" "SELECT at_risk_bytes || ' ' || at_risk_age_ns FROM samples WHERE run = 1 AND t_ns = 2000000000")
	if [ "$p5" = 1048576 ] && [ "$p30" = 1048576 ] && [ "$pwb" = 1048576 ] &&
		[ "$a5" -ge 28500000000 ] && [ "$a5" -le 29000000000 ] &&
		[ "$a30" = "$a5" ] && [ "$awb" = "$a5" ] &&
		[ "$am5" -ge 15000000000 ] && [ "$am5" -le 16000000000 ] &&
		[ "$d5" = 1048576 ] && [ "$dwb" -lt 262144 ] &&
		[ "${at2% *}" = 1048576 ] && [ "${at2#* }" -ge 1900000000 ] && [ "${at2#* }" -le 2000000000 ]; then
		ok "data at risk: 1 MB for $((a5 / 1000000)) ms with filedelay 5s, 30s or write-behind (the inode's block waits for metadelay), $((am5 / 1000000)) ms with metadelay 5s; dirty buffers $d5 bytes, $dwb with write-behind; at 2 s: $at2 (bytes, ns)"
	else
		bad "data at risk: d5 $p5 $a5, d30 $p30 $a30, wb $pwb $awb, m5 $am5, dirty $d5 $dwb, at 2 s $at2"
	fi
else
	bad "data at risk: compare failed"; head -5 "$T/err"
fi

# ---- merge ------------------------------------------------------------------
if "$VFSSIM" merge "$T/m.db" "$T/alone.db" "$T/s.db" >"$T/out" 2>&1 &&
	grep -q "merged 9 runs from 2 databases" "$T/out"; then
	dump_db "$T/m.db" | sed 1,/'== run 4'/d | sed '/== run/d' >"$T/a.txt"
	for r in 1 2 3 4 5 6; do dump_run "$T/s.db" $r; done >"$T/b.txt"
	dump_run "$T/m.db" 2 >"$T/c.txt"
	dump_run "$T/alone.db" 2 >"$T/d.txt"
	if cmp -s "$T/a.txt" "$T/b.txt" && cmp -s "$T/c.txt" "$T/d.txt"; then
		ok "merge: 3 + 6 runs copied in order with every row ($(cat "$T/out"))"
	else
		bad "merge: the copies differ"
	fi
else
	bad "merge"; cat "$T/out"
fi
echo junk >"$T/junk.db"
cp "$T/m.db" "$T/m0.db"
expect_bad "merge: not a database" "junk.db" "$VFSSIM" merge "$T/m.db" "$T/s.db" "$T/junk.db"
expect_bad "merge: no such input" "no such database" "$VFSSIM" merge "$T/m.db" "$T/nope.db"
expect_bad "merge: into itself" "output database itself" "$VFSSIM" merge "$T/m.db" "$T/m.db"
if dump_db "$T/m.db" >"$T/a.txt" && dump_db "$T/m0.db" >"$T/b.txt" && cmp -s "$T/a.txt" "$T/b.txt" &&
	[ "$(grep -c '^== run' "$T/a.txt")" = 9 ]; then
	ok "merge: a bad input leaves the output as it was"
else
	bad "merge: a bad input changed the output"
fi
# More inputs than SQLite attaches to one connection at once (10 in most
# builds): the first inputs' rows are copied inside SQLite (INSERT ...
# SELECT from the attached input, merge.c's copy_attached), the rest value
# by value; either way every run is its input's, row for row.
ins=()
for i in $(seq 12); do ins+=("$T/alone.db"); done
if "$VFSSIM" merge --allow-duplicates "$T/m12.db" "${ins[@]}" >"$T/out" 2>/dev/null &&
	grep -q "merged 36 runs from 12 databases" "$T/out"; then
	same=1
	for k in 0 9 10 11; do
		for r in 1 2 3; do
			dump_run "$T/alone.db" $r >"$T/a.txt"
			dump_run "$T/m12.db" $((k * 3 + r)) >"$T/b.txt"
			cmp -s "$T/a.txt" "$T/b.txt" || same=0
		done
	done
	order=$(sql "$T/m12.db" "SELECT count(*) FROM syscalls a JOIN syscalls b ON b.rowid = a.rowid + 1 AND b.run = a.run WHERE b.seq < a.seq")
	if [ $same = 1 ] && [ "$order" = 0 ] && [ -s "$T/a.txt" ]; then
		ok "merge: 12 inputs, the first 10 attached and copied inside SQLite, the last 2 value by value: every run its input's, rows in order"
	else
		bad "merge: 12 inputs: a copy differs (same=$same, rows out of order $order)"
	fi
else
	bad "merge: 12 inputs"; cat "$T/out"
fi
# Inputs are attached by URI (file:PATH?mode=ro): a name with a blank,
# '?', '#' and '%' is still that file's, given whole or relative, and
# nothing else is made.
W="$T/we ird?#%dir"
mkdir "$W" && cp "$T/alone.db" "$W/in.db"
if (cd "$W" && "$VFSSIM" merge "$W/out.db" "in.db" >"$T/out" 2>&1) &&
	[ "$(ls "$W" | tr '\n' ' ')" = "in.db out.db " ]; then
	same=1
	for r in 1 2 3; do
		dump_run "$T/alone.db" $r >"$T/a.txt"
		dump_run "$W/out.db" $r >"$T/b.txt"
		cmp -s "$T/a.txt" "$T/b.txt" || same=0
	done
	if [ $same = 1 ]; then
		ok "merge: input and output in a directory named with a blank, ?, # and %"
	else
		bad "merge: odd names: the copies differ"
	fi
else
	bad "merge: odd names"; cat "$T/out"; ls "$W"
fi

# ---- sweep: the same sweep twice, and through GNU parallel ------------------
GRID=(--grid bio.nbuf=150,400 --grid kern.filedelay=5s,30s --grid vfs.write_behind=0,1)
if "$VFSSIM" sweep "$T/r.trace" "${GRID[@]}" --db "$T/sw1.db" --tsv >"$T/sw.tsv" 2>"$T/err" &&
	"$VFSSIM" sweep "$T/r.trace" "${GRID[@]}" --db "$T/sw2.db" -q -j 1 2>>"$T/err" &&
	no_sanitizer_report "$T/err"; then
	labels=$(sql "$T/sw1.db" "SELECT group_concat(label, ' ') FROM (SELECT label FROM runs ORDER BY id)")
	dump_db "$T/sw1.db" >"$T/a.txt"
	dump_db "$T/sw2.db" >"$T/b.txt"
	if [ "$(echo "$labels" | wc -w)" = 8 ] &&
		[ "${labels%% *}" = "bio.nbuf=150,kern.filedelay=5s,vfs.write_behind=0" ] &&
		[ "${labels##* }" = "bio.nbuf=400,kern.filedelay=30s,vfs.write_behind=1" ] &&
		[ "$(wc -l <"$T/sw.tsv")" = 9 ]; then
		ok "sweep: 2x2x2 grid, 8 runs, the first --grid varying slowest"
	else
		bad "sweep: runs $labels"
	fi
	if cmp -s "$T/a.txt" "$T/b.txt" && [ "$(grep -c '^== run' "$T/a.txt")" = 8 ]; then
		ok "sweep: the same sweep twice gives the same database ($(wc -l <"$T/a.txt") rows; -j 1 and one per processor)"
	else
		bad "sweep: two sweeps differ"; diff "$T/a.txt" "$T/b.txt" | head -5
	fi
	# the trace hashed once for all eight runs (share_digest): each
	# run's digest and size are the file's
	want="8|$(sha256sum "$T/r.trace" | cut -d' ' -f1)|$(stat -c %s "$T/r.trace")"
	got=$(sql "$T/sw1.db" "SELECT count(*), trace_digest, trace_size FROM runs
		GROUP BY trace_digest, trace_size")
	if [ "$got" = "$want" ]; then
		ok "sweep: every run's trace_digest and trace_size are the trace's (hashed once)"
	else
		bad "sweep: digests $got, want $want"
	fi
	# the table's figures are the runs' summary rows
	chk=$(awk -F'\t' 'NR > 1 { print $1, $7 }' "$T/sw.tsv" | while read -r run v; do
		sql "$T/sw1.db" "SELECT value = $v FROM summary WHERE run = $run AND metric = 'latency.all.p99_ns'"
		done | sort -u)
	if [ "$chk" = 1 ]; then
		ok "sweep: the table's figures are the runs' summary rows"
	else
		bad "sweep: table vs summary: $chk"
	fi
else
	bad "sweep failed"; head -5 "$T/err"
fi
mkdir "$T/wd"
if (cd "$T/wd" && "$VFSSIM" sweep ../r.trace "${GRID[@]}" --db ../par.db --emit-jobs ../jobs \
	>"$T/out" 2>&1) && [ "$(wc -l <"$T/jobs/jobs.txt")" = 8 ] && [ -x "$T/jobs/slurm.sh" ] &&
	grep -q '^#SBATCH --array=1-8$' "$T/jobs/slurm.sh" && [ ! -e "$T/par.db" ] && [ -z "$(ls "$T/jobs/db")" ]; then
	ok "sweep --emit-jobs: 8 commands in jobs.txt, a Slurm array of 8, nothing run"
else
	bad "sweep --emit-jobs"; cat "$T/out"
fi
if ! command -v parallel >/dev/null; then
	bad "GNU parallel is not installed (scripts/ensure-deps installs it)"
elif (cd / && "$T/jobs/parallel.sh" -j 2 >"$T/out" 2>&1) && grep -q "merged 8 runs" "$T/out"; then
	# The jobs ran from the directory the sweep was written in: the
	# trace is named ../r.trace there, as in a local sweep made there.
	(cd "$T/wd" && "$VFSSIM" sweep ../r.trace "${GRID[@]}" --db ../loc.db -q >/dev/null 2>&1)
	dump_db "$T/par.db" >"$T/a.txt"
	dump_db "$T/loc.db" >"$T/b.txt"
	if cmp -s "$T/a.txt" "$T/b.txt" && [ "$(grep -c '^== run' "$T/a.txt")" = 8 ]; then
		ok "sweep: the jobs run through GNU parallel and merged equal the local sweep ($(wc -l <"$T/a.txt") rows)"
	else
		bad "sweep: GNU parallel's database differs from the local sweep"; diff "$T/a.txt" "$T/b.txt" | head -5
	fi
else
	bad "sweep: parallel.sh failed"; tail -5 "$T/out"
fi

# ---- an interrupted sweep adds nothing ------------------------------------------
# The runs' rows go straight into --db (one writer shared by the runs), a
# run's committed with its 'complete': interrupted once one of its runs is
# complete, the sweep takes every one of its runs out again, rows and
# all, and the runs the database had stay as they were.
cp "$T/sw1.db" "$T/int.db"
before=$(dump_db "$T/int.db" | md5sum)
last=$(sql "$T/int.db" "SELECT max(id) FROM runs")
"$VFSSIM" sweep --gen seq --param size=8M --param iosize=4K --param mode=read \
	--param passes=60 --grid kern.filedelay=5s,10s,20s,30s --db "$T/int.db" -q -j 1 \
	>"$T/out" 2>&1 &
spid=$!
for _ in $(seq 1 1200); do
	[ "$(sql "$T/int.db" "SELECT count(*) FROM runs WHERE id > $last AND status = 'complete'" \
		2>/dev/null)" -ge 1 ] 2>/dev/null && break
	sleep 0.05
done
done1=$(sql "$T/int.db" "SELECT count(*) FROM runs WHERE id > $last AND status = 'complete'")
kill -INT $spid
wait $spid
rc=$?
left=$(sql "$T/int.db" "SELECT (SELECT count(*) FROM runs WHERE id > $last) +
	(SELECT count(*) FROM syscalls WHERE run > $last) + (SELECT count(*) FROM run_settings WHERE run > $last)")
if [ $rc != 0 ] && [ "$done1" -ge 1 ] && [ "$left" = 0 ] && [ "$(dump_db "$T/int.db" | md5sum)" = "$before" ] &&
	[ ! -e "$T/int.db-wal" ] && grep -q interrupted "$T/out" && no_sanitizer_report "$T/out"; then
	ok "sweep: interrupted once $done1 of its runs was complete in --db, it leaves the database as it was"
else
	bad "interrupted sweep: exit $rc, $done1 complete before, $left rows left"; head -3 "$T/out"
fi

# ---- bad variants: clear errors before anything runs ------------------------
expect_bad "compare: variant without =" "expected NAME=key=value" \
	"$VFSSIM" compare "$T/r.trace" -V base -V x=bio.nbuf=100 --db "$T/bad.db"
expect_bad "compare: setting neither key=value nor @file" "neither key=value" \
	"$VFSSIM" compare "$T/r.trace" -V base= -V x=bio.nbuf --db "$T/bad.db"
expect_bad "compare: unknown key" "unknown setting \"bio.nbufs\"" \
	"$VFSSIM" compare "$T/r.trace" -V base= -V x=bio.nbufs=100 --db "$T/bad.db"
expect_bad "compare: bad value" "expected a time" \
	"$VFSSIM" compare "$T/r.trace" -V base= -V x=syncer.filedelay=5 --db "$T/bad.db"
expect_bad "compare: missing profile" "nope.ini" \
	"$VFSSIM" compare "$T/r.trace" -V base= -V x=@"$T/nope.ini" --db "$T/bad.db"
printf '[bio]\nnbuff = 3\n' >"$T/badkey.ini"
expect_bad "compare: profile with an unknown key" "badkey.ini:2" \
	"$VFSSIM" compare "$T/r.trace" -V base= -V x=@"$T/badkey.ini" --db "$T/bad.db"
expect_bad "compare: a drive file that is no drive" "passwd" \
	"$VFSSIM" compare "$T/r.trace" -V base= -V x=disk.diskspecs=/etc/passwd --db "$T/bad.db"
expect_bad "compare: no variants" "-V" "$VFSSIM" compare "$T/r.trace" --db "$T/bad.db"
expect_bad "compare: no trace" "no such file" "$VFSSIM" compare "$T/nope.trace" -V a= --db "$T/bad.db"
expect_bad "compare: bad generator parameter" "sise" \
	"$VFSSIM" compare --gen seq --param sise=1 -V a= --db "$T/bad.db"
printf '#vfssim-trace 1\n1000 1 read 5 x\n' >"$T/bad.trace"
expect_bad "compare: malformed trace" "bad.trace:2" \
	"$VFSSIM" compare "$T/bad.trace" -V a= -V b=bio.nbuf=100 --db "$T/bad.db"
expect_bad "sweep: unknown key" "unknown setting \"bio.nbufs\"" \
	"$VFSSIM" sweep "$T/r.trace" --grid bio.nbufs=1,2 --db "$T/bad.db"
expect_bad "sweep: bad value" "expected an integer" \
	"$VFSSIM" sweep "$T/r.trace" --grid bio.nbuf=100,lots --db "$T/bad.db"
expect_bad "sweep: empty value" "empty value" \
	"$VFSSIM" sweep "$T/r.trace" --grid bio.nbuf=100,,200 --db "$T/bad.db"
expect_bad "sweep: no values" "expected key=value1" \
	"$VFSSIM" sweep "$T/r.trace" --grid bio.nbuf --db "$T/bad.db"
expect_bad "sweep: a key twice" "already swept" \
	"$VFSSIM" sweep "$T/r.trace" --grid bio.nbuf=100 --grid bio.nbuf=200 --db "$T/bad.db"
expect_bad "sweep: no grid" "--grid" "$VFSSIM" sweep "$T/r.trace" --db "$T/bad.db"
# The points' machines are booted side by side before any run
# (batch_cmd_boot): of two that cannot boot, the first listed is said.
echo "not a drive" >"$T/bad1.parv"
echo "nor this" >"$T/bad2.parv"
expect_bad "sweep: two points that cannot boot, the first said" "variant disk.diskspecs=$T/bad1.parv:" \
	"$VFSSIM" sweep "$T/r.trace" --grid disk.diskspecs="$T/bad1.parv,$T/bad2.parv" -j 2 --db "$T/bad.db"
expect_bad "sweep --emit-jobs: unknown key" "unknown setting" \
	"$VFSSIM" sweep "$T/r.trace" --grid x.y=1 --emit-jobs "$T/badjobs" --db "$T/bad.db"
if [ ! -e "$T/bad.db" ] && [ ! -e "$T/badjobs" ]; then
	ok "bad input leaves no database behind"
else
	bad "bad input left a database"
fi

finish
