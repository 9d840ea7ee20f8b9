#!/usr/bin/env bash
# End-to-end tests of the disk model: `vfssim disk` on the real drives'
# validate traces (the demerit figures the README quotes), block traces
# through each queue discipline, DiskSim parameter files and their errors,
# and replays on every shipped drive profile.
#
#   VFSSIM=build/check/vfssim tests/e2e-disk.sh
. "$(dirname "$0")/lib.sh" e2e-disk
# 85 checks, and a replay on each shipped drive
set -- profiles/disks/*.ini
expect $((85 + $#))

metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'"; }
# x <= y for decimals
le() { awk -v x="$1" -v y="$2" 'BEGIN { exit !(x + 0 <= y + 0) }'; }

# ---- the validated drives: demerit within the issue's bounds ------------
validate() { # name trace parv bound(% of mean)
	local name=$1 trace=$2 parv=$3 bound=$4 db=$T/$1.db
	if ! "$VFSSIM" disk --validate "$trace" --set disk.diskspecs="$parv" \
	    --db "$db" -q >"$T/out" 2>&1 || ! no_sanitizer_report "$T/out"; then
		bad "validate $name"; sed 's/^/     /' "$T/out" | head; return
	fi
	local meas sim dms dpct want n rows sums
	meas=$(sed -n 's/^measured mean: \([0-9.]*\) ms$/\1/p' "$T/out")
	sim=$(sed -n 's/^simulated mean: \([0-9.]*\) ms$/\1/p' "$T/out")
	dms=$(sed -n 's/^demerit: \([0-9.]*\) ms (\([0-9.]*\) % of measured mean)$/\1/p' "$T/out")
	dpct=$(sed -n 's/^demerit: \([0-9.]*\) ms (\([0-9.]*\) % of measured mean)$/\2/p' "$T/out")
	# The measured mean, computed from the trace independently.
	want=$(awk '{ s += $5; n++ } END { printf "%.3f", s / n / 1000 }' "$trace")
	if [ "$(wc -l <"$T/out")" = 3 ] && [ "$meas" = "$want" ] && [ -n "$sim" ] &&
	    [ -n "$dms" ] && le "$dpct" "$bound"; then
		ok "validate $name: measured $meas ms, simulated $sim ms, demerit $dms ms = $dpct % (<= $bound %)"
	else
		bad "validate $name: $(tr '\n' ' ' <"$T/out") (want measured $want, demerit <= $bound %)"
	fi
	# Every request is a row whose parts add up to its service time, and
	# overhead is the sum of its timed parts (diskctlr.c: acct_split).
	n=$(grep -c . "$trace")
	rows=$(sql "$db" "SELECT count(*) FROM disk_io WHERE run = 1")
	sums=$(sql "$db" "SELECT count(*) FROM disk_io WHERE run = 1 AND
		end_ns - start_ns = overhead_ns + seek_ns + rot_ns + xfer_ns AND
		overhead_ns = ctlr_ns + bus_ns + mediawait_ns + roomwait_ns +
		drain_ns + cachefull_ns + readahead_ns AND
		min(overhead_ns, seek_ns, rot_ns, xfer_ns, ctlr_ns, bus_ns,
		mediawait_ns, roomwait_ns) >= 0 AND cache_hit BETWEEN 0 AND 2")
	# Every command has the controller's overheads in it, unless it ran
	# while the command waited for the heads.
	local noctlr
	noctlr=$(sql "$db" "SELECT count(*) FROM disk_io WHERE run = 1 AND ctlr_ns = 0
		AND drain_ns + cachefull_ns + readahead_ns = 0")
	local sm
	sm=$(metric "$db" 1 validate.demerit_pct)
	if [ "$rows" = "$n" ] && [ "$sums" = "$n" ] && [ "$noctlr" = 0 ] && [ -n "$sm" ] &&
	    [ "$(sql "$db" "SELECT status || format FROM runs WHERE id = 1")" = completedisk-validate ]; then
		ok "validate $name: $n disk_io rows, overhead + seek + rotation + transfer = service in each, overhead = its seven timed parts, the controller's never 0 but behind the heads"
	else
		bad "validate $name: rows $rows of $n, $sums add up, $noctlr without the controller, summary demerit '$sm'"
	fi
}
validate hp_c2247a disks/hp_c2247a/hp_c2247a.trace disks/hp_c2247a/hp_c2247a.parv 2
validate cheetah9LP disks/cheetah9LP/cheetah9LP.trace disks/cheetah9LP/cheetah9LP.parv 5
# The demerit as DiskSim computes it (its rms tool on its statistics'
# bucketed curves): DiskSim 4.0 gives 0.089932 ms for the HP C2247A, and
# vfssim's times differ from its own in 10 of 9,999 requests.  The
# distance between the times themselves is recorded beside it.
dm=$(metric "$T/hp_c2247a.db" 1 validate.demerit_ms)
dx=$(metric "$T/hp_c2247a.db" 1 validate.demerit_exact_ms)
if awk -v d="$dm" -v x="$dx" 'BEGIN { e = d - 0.089932; exit !(e < 0.00002 && e > -0.00002 && x > d) }'; then
	ok "the HP C2247A's demerit as DiskSim computes it: $dm ms (DiskSim 4.0's rms: 0.089932); from the times themselves $dx ms"
else
	bad "the HP C2247A's demerit: $dm ms (DiskSim's rms 0.089932), exact $dx"
fi

# Remapped defects: the C2247A spares whole tracks (scheme 1) and DiskSim
# maps a remapped track to its spare (g1_ltop_trackspare) and reads it
# like any other, so here DiskSim is the reference.  Three tracks its
# trace reads remapped to spare tracks on cylinder 555: DiskSim 4.0's mean
# response 15.319152 ms (15.314707 without them).
mkdir -p "$T/remap"
cp disks/hp_c2247a/hp_c2247a.parv disks/hp_c2247a/hp_c2247a.diskspecs "$T/remap/"
awk 'BEGIN { n = 0 } /defects = \[\]/ && n++ == 0 {
	sub(/defects = \[\]/, "defects = [ 228, 7207, 392, 7226, 118, 7236 ]") } { print }' \
    disks/hp_c2247a/hp_c2247a_validate.model >"$T/remap/hp_c2247a_validate.model"
rm -f "$T/remap.db"
if "$VFSSIM" disk --validate disks/hp_c2247a/hp_c2247a.trace \
    --set disk.diskspecs="$T/remap/hp_c2247a.parv" --db "$T/remap.db" -q >"$T/out" 2>&1 &&
    no_sanitizer_report "$T/out" &&
    rm_mean=$(sql "$T/remap.db" "SELECT printf('%.6f', avg((end_ns - start_ns) / 1e6)) FROM disk_io") &&
    awk -v m="$rm_mean" 'BEGIN { d = m - 15.319152; exit !(d < 0.0001 && d > -0.0001) }'; then
	ok "the HP C2247A with three tracks remapped to spares: mean response $rm_mean ms (DiskSim 4.0: 15.319152)"
else
	bad "the HP C2247A with remapped tracks: $(head -3 "$T/out") mean ${rm_mean:-none}"
fi

# The shipped profiles name the same files, relative to themselves.
if "$VFSSIM" disk --validate disks/hp_c2247a/hp_c2247a.trace \
    --profile profiles/disks/hp_c2247a.ini --db "$T/p.db" -q >"$T/a" 2>&1 &&
    (cd "$T" && "$VFSSIM" disk --validate "$OLDPWD/disks/hp_c2247a/hp_c2247a.trace" \
    --profile "$OLDPWD/profiles/disks/hp_c2247a.ini" --db "$T/q.db" -q) >"$T/b" 2>&1 &&
    cmp -s "$T/a" "$T/b" && grep -q '^demerit' "$T/a"; then
	ok "profiles/disks/hp_c2247a.ini finds its DiskSim files from any directory"
else
	bad "profile-relative diskspecs: $(cat "$T/a" "$T/b" | head -4)"
fi

# --no-db records nothing and prints what a run with a database prints
# (the drive's figures do not depend on where they are kept); with --db
# it is a contradiction, refused.
mkdir -p "$T/nodb"
if (cd "$T/nodb" && "$VFSSIM" disk --validate "$OLDPWD/disks/hp_c2247a/hp_c2247a.trace" \
    --profile "$OLDPWD/profiles/disks/hp_c2247a.ini" --no-db -q) >"$T/c" 2>&1 &&
    cmp -s "$T/a" "$T/c" && [ -z "$(ls -A "$T/nodb")" ] &&
    (cd "$T/nodb" && "$VFSSIM" disk "$OLDPWD/disks/hp_c2247a/hp_c2247a.trace" \
    --profile "$OLDPWD/profiles/disks/hp_c2247a.ini" --no-db) >"$T/d" 2>&1 &&
    grep -q '^9999 requests: mean service [0-9.]* ms, mean response [0-9.]* ms; [0-9]* read hits, [0-9]* writes reported from the cache$' "$T/d" &&
    [ -z "$(ls -A "$T/nodb")" ] && no_sanitizer_report "$T/c" && no_sanitizer_report "$T/d"; then
	ok "vfssim disk --no-db: the same three lines, a summary naming no run, and no file made"
else
	bad "vfssim disk --no-db: $(cat "$T/c" "$T/d" | head -5; ls "$T/nodb")"
fi
expect_bad "--no-db with --db" "--no-db records nothing: not with --db" \
	"$VFSSIM" disk --no-db --db "$T/x.db" disks/hp_c2247a/hp_c2247a.trace

# ---- a queue-heavy random block trace: the schedulers -------------------
# 1500 random 4 KB reads and writes arriving every 2 ms, more than the
# drive can serve: the queue grows, and ordering it pays.
awk 'BEGIN { srand(11); for (i = 0; i < 1500; i++)
	printf "%.3f 0 %d 8 %x\n", i * 2.0, int(rand() * 17000000), rand() < 0.7 }' >"$T/heavy.ascii"
declare -A mean
for s in fcfs clook sstf sptf; do
	if "$VFSSIM" disk "$T/heavy.ascii" --set diskq.scheduler=$s --set disk.write_cache=off \
	    --db "$T/heavy.db" -q >"$T/out" 2>&1 && no_sanitizer_report "$T/out"; then
		run=$(sql "$T/heavy.db" "SELECT max(id) FROM runs")
		mean[$s]=$(metric "$T/heavy.db" "$run" disk.mean_response_ns)
	else
		bad "heavy trace with $s"; sed 's/^/     /' "$T/out" | head -5
		mean[$s]=0
	fi
done
if le "${mean[clook]}" "$(awk -v f="${mean[fcfs]}" 'BEGIN { print f * 0.8 }')" &&
    le "${mean[sptf]}" "$(awk -v f="${mean[fcfs]}" 'BEGIN { print f * 0.8 }')" &&
    le "${mean[sptf]}" "${mean[clook]}"; then
	ok "queue-heavy random load: mean response fcfs ${mean[fcfs]%.*} ns > clook ${mean[clook]%.*} > sptf ${mean[sptf]%.*} (sstf ${mean[sstf]%.*})"
else
	bad "schedulers: fcfs ${mean[fcfs]} clook ${mean[clook]} sstf ${mean[sstf]} sptf ${mean[sptf]}"
fi
# An open trace: requests wait in the queue; response = queue + service.
qrows=$(sql "$T/heavy.db" "SELECT count(*) FROM disk_io WHERE run = 1 AND
	start_ns - submit_ns = queue_ns AND queue_ns >= 0 AND start_ns >= submit_ns")
if [ "$qrows" = 1500 ] && [ "$(sql "$T/heavy.db" "SELECT max(queue_ns) > 100000000 FROM disk_io WHERE run = 1")" = 1 ]; then
	ok "an open block trace queues: every row's queue_ns = start - submit"
else
	bad "open trace queueing: $qrows rows consistent"
fi

# The same trace twice gives the same rows.
for i in 1 2; do
	"$VFSSIM" disk "$T/heavy.ascii" --set diskq.scheduler=sptf --db "$T/det$i.db" -q >/dev/null 2>&1
	sql "$T/det$i.db" "SELECT * FROM disk_io ORDER BY seq" >"$T/det$i.txt"
done
if [ -s "$T/det1.txt" ] && cmp -s "$T/det1.txt" "$T/det2.txt"; then
	ok "the same block trace twice gives identical disk_io rows"
else
	bad "block trace not deterministic"
fi

# A gzip'd trace is read as the plain one (the trace readers' lineio).
gzip -c disks/hp_c2247a/hp_c2247a.trace >"$T/c2247a.trace.gz"
for f in disks/hp_c2247a/hp_c2247a.trace "$T/c2247a.trace.gz"; do
	rm -f "$T/gz.db"
	"$VFSSIM" disk --validate "$f" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
	    --db "$T/gz.db" -q >/dev/null 2>&1
	sql "$T/gz.db" "SELECT * FROM disk_io ORDER BY seq" >"$T/gz.$(basename "$f").txt"
done
if [ "$(wc -l <"$T/gz.hp_c2247a.trace.txt")" = 9999 ] &&
    cmp -s "$T/gz.hp_c2247a.trace.txt" "$T/gz.c2247a.trace.gz.txt"; then
	ok "a gzip'd validate trace gives the plain one's 9999 disk_io rows"
else
	bad "a gzip'd validate trace: $(wc -l <"$T/gz.c2247a.trace.gz.txt") rows, not the plain one's"
fi

# A validate line of the usual form is read in one pass (disktrace.c:
# parse_validate_fast), any other the general way: the same requests
# spelt otherwise -- signs, exponents, more than 15 digits, tabs, CRLF,
# comments and blank lines between, and in the fast path's own spelling
# leading zeros and longer fractions (its digits are read eight at a time:
# digit_run; the last one to seven as the line's last eight bytes, here
# ending at the line's end or at a blank), and lines ending in a long run
# of blanks -- give the same rows.
awk 'NR % 5 == 1 { printf "# line %d\n\n", NR }
	NR % 4 == 0 { printf "%s\t%s\t+%s\t%s\t%se0\t%s000000000000\r\n", $1, $2, $3, $4, $5, $6; next }
	NR % 4 == 1 { printf "  %s %s %s +%s +%s %s  \n", $1, $2, $3, $4, $5, $6; next }
	NR % 8 == 2 { printf "%s %s 00000000%s 0%s %s000 %s \n", $1, $2, $3, $4, $5, $6; next }
	NR % 8 == 6 { printf "%s %s 00000000%s 0%s %s000 %s\n", $1, $2, $3, $4, $5, $6; next }
	NR % 16 == 3 { printf "%s %s %s %s %s %s%121s\n", $1, $2, $3, $4, $5, $6, ""; next }
	{ print }' disks/hp_c2247a/hp_c2247a.trace >"$T/odd.trace"
rm -f "$T/odd.db"
"$VFSSIM" disk --validate "$T/odd.trace" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --db "$T/odd.db" -q >"$T/odd.out" 2>&1
sql "$T/odd.db" "SELECT * FROM disk_io ORDER BY seq" >"$T/odd.txt" 2>&1
if cmp -s "$T/gz.hp_c2247a.trace.txt" "$T/odd.txt" && grep -q '^demerit' "$T/odd.out"; then
	ok "a validate trace spelt otherwise (signs, exponents, long decimals, tabs, CRLF, comments) gives the usual spelling's 9999 rows"
else
	bad "validate trace spelt otherwise: $(head -1 "$T/odd.out"), $(wc -l <"$T/odd.txt") rows"
fi

# The host queue of vfssim disk: with diskq.scheduler=auto (the default)
# the one a DiskSim .parv's I/O driver names (every validation drive's is
# FCFS), unless the user sets one.
awk 'BEGIN { srand(12); for (i = 0; i < 800; i++)
	printf "%.3f 0 %d 8 %x\n", i * 8.0, int(rand() * 2000000), rand() < 0.7 }' >"$T/c2247a.ascii"
run_mean() { # db, args...: the run's mean response, ns
	local db=$1; shift
	"$VFSSIM" disk "$T/c2247a.ascii" --db "$db" -q "$@" >/dev/null 2>&1 &&
	    metric "$db" "$(sql "$db" "SELECT max(id) FROM runs")" disk.mean_response_ns
}
pa=$(run_mean "$T/hq.db" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv)
pf=$(run_mean "$T/hq.db" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv --set diskq.scheduler=fcfs)
pc=$(run_mean "$T/hq.db" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv --set diskq.scheduler=clook)
if [ -n "$pa" ] && [ "$pa" = "$pf" ] && [ -n "$pc" ] && le "$pc" "$(awk -v f="$pa" 'BEGIN { print f * 0.8 }')"; then
	ok "the .parv's FCFS driver orders vfssim disk's host queue (mean response ${pa%.*} ns; with diskq.scheduler=clook set ${pc%.*})"
else
	bad "host queue from the .parv: auto $pa, fcfs $pf, clook $pc"
fi
# DiskSim's I/O driver policies against DiskSim 4.0's own runs: the order
# served and the mean response of all but the last request, which comes
# seconds later, past the end of DiskSim's run (its IOdriver Response
# time average).  driver POLICY TRACE ORDER MEAN_MS, on the HP C2247A.
driver() {
	local pol=$1 trace=$2 want=$3 mean=$4 db=$T/driver.db order m
	sed -e "s/^Scheduling policy = 1,/Scheduling policy = $pol,/" \
	    -e "s|^source hp_c2247a.diskspecs|source $PWD/disks/hp_c2247a/hp_c2247a.diskspecs|" \
	    disks/hp_c2247a/hp_c2247a.parv >"$T/driver$pol.parv"
	rm -f "$db"
	if ! "$VFSSIM" disk "$trace" --set disk.diskspecs="$T/driver$pol.parv" \
	    --db "$db" -q >"$T/out" 2>&1 || ! no_sanitizer_report "$T/out"; then
		bad "policy $pol driver: $(head -3 "$T/out")"; return
	fi
	order=$(sql "$db" "SELECT group_concat(sector, ' ') FROM
		(SELECT sector FROM disk_io ORDER BY start_ns)")
	m=$(sql "$db" "SELECT printf('%.6f', avg(end_ns - submit_ns) / 1e6)
		FROM disk_io WHERE submit_ns < (SELECT max(submit_ns) FROM disk_io)")
	if [ "$order" = "$want" ] &&
	    awk -v m="$m" -v w="$mean" 'BEGIN { d = m - w; exit !(d < 0.001 && d > -0.001) }'; then
		ok "DiskSim's policy $pol driver: served $order, mean response $m ms (DiskSim 4.0: $mean)"
	else
		bad "policy $pol driver: served $order, mean $m ms (want $want, $mean)"
	fi
}
# SSTF_LBN (4, hplajw.parv's): the request nearest in blocks to the end of
# the last one, ties up and down by turns
# (ioqueue_get_request_from_lbn_vscan_queue).  Four reads queue behind
# one at block 1,000,000: 1,005,008 and 995,008 (300 blocks) are 5,000
# blocks either side of the end, 1,000,008 -- up first; then 1,015,024
# and 995,008 are 10,008 from 1,005,016 -- down, though the first came
# first.
printf '0.0 0 1000000 8 1\n0.3 0 1005008 8 1\n0.6 0 995008 300 1\n0.9 0 1015024 8 1\n5000 0 0 8 1\n' \
    >"$T/ties.ascii"
driver 4 "$T/ties.ascii" "1000000 1005008 995008 1015024 0" 76.956339
# CYCLE_LBN (3, ascii.parv's), and SSTF_CYL (7), which in DiskSim sees one
# cylinder for every request and orders alike: chosen as the drive takes
# a request, the lowest block at or past the last one's first.  281,782
# arrives first into an empty queue, so FreeBSD's bufqdisksort would serve
# it first; CYCLE_LBN serves 1,039,002 and 1,777,197 before it.
printf '%s\n' '0.0 0 1000000 8 1' '0.200 0 281782 200 1' '0.400 0 1777197 8 1' \
    '0.600 0 534918 8 1' '0.800 0 1039002 64 1' '1.000 0 990370 200 1' \
    '1.200 0 796110 8 1' '9000 0 0 8 1' >"$T/cycle.ascii"
for pol in 3 7; do
	driver $pol "$T/cycle.ascii" "1000000 1039002 1777197 281782 534918 796110 990370 0" 123.744250
done
"$VFSSIM" disk --explain --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv >"$T/explain" 2>&1
if grep -q '^host queue (vfssim disk): fcfs (diskq.scheduler=auto: the DiskSim I/O driver' "$T/explain" &&
    grep -q 'hp_c2247a.diskspecs:[0-9]*: Calc sector by sector = 1: no effect in DiskSim 4.0' "$T/explain" &&
    grep -q 'hp_c2247a_validate.model:[0-9]*: Block count = 2054864: DiskSim addresses what the zones hold' "$T/explain" &&
    no_sanitizer_report "$T/explain"; then
	ok "vfssim disk --explain: the queues, and each parameter read and ignored with file, line and why ($(grep -c '^  /\|^  disks' "$T/explain") of them)"
else
	bad "vfssim disk --explain: $(head -5 "$T/explain")"
fi

# --check reads and checks a trace against the drive and runs nothing.
rm -f "$T/chk.db"
if "$VFSSIM" disk --check disks/hp_c2247a/hp_c2247a.trace --profile profiles/disks/hp_c2247a.ini \
    --db "$T/chk.db" >"$T/out" 2>&1 && grep -q '^9999 requests, validate format: well formed' "$T/out" &&
    [ ! -e "$T/chk.db" ] && no_sanitizer_report "$T/out"; then
	ok "vfssim disk --check: $(cat "$T/out"), nothing written"
else
	bad "vfssim disk --check: $(head -3 "$T/out")"
fi

# A drive's .diskspecs alone (no bus: the drive's own transfer time).
if "$VFSSIM" disk "$T/heavy.ascii" --set disk.diskspecs=disks/cheetah9LP/cheetah9LP.diskspecs \
    --db "$T/ds.db" -q >"$T/out" 2>&1 && no_sanitizer_report "$T/out"; then
	ok "a .diskspecs on its own describes the drive"
else
	bad "diskspecs alone: $(head -3 "$T/out")"
fi

# ---- commands received while the drive serves another -------------------
# With Max queue length 8 DiskSim's drive takes each command as it arrives
# (disk_request_arrive): its command overhead and disconnect then, on the
# bus, and into its queue, to be taken when the heads are free.  The bus
# is one: a command arriving waits for it, and so does a reselection.
# queued NAME PARV TRACE ENDS: each request's completion (ms, in the
# order submitted) against DiskSim 4.0's own run of the trace (its debug
# copy's completions, to the microsecond), ending, as DiskSim's does, at
# the last arrival.
CHQ=$T/chq
mkdir -p "$CHQ" && cp disks/cheetah9LP/* "$CHQ/" &&
    sed -i 's/Max queue length = 1,/Max queue length = 8,/' "$CHQ/cheetah9LP.diskspecs"
queued() {
	local name=$1 parv=$2 trace=$3 want=$4 db=$T/queued.db got
	rm -f "$db"
	if ! "$VFSSIM" disk "$trace" --set disk.diskspecs="$parv" --until-last-arrival \
	    --db "$db" -q >"$T/out" 2>&1 || ! no_sanitizer_report "$T/out"; then
		bad "$name: $(head -3 "$T/out")"; return
	fi
	got=$(sql "$db" "SELECT group_concat(e, ' ') FROM (SELECT
		printf('%.6f', end_ns / 1e6) AS e FROM disk_io ORDER BY submit_ns)")
	if awk -v g="$got" -v w="$want" 'BEGIN { n = split(g, a, " ")
	    if (n != split(w, b, " ")) exit 1
	    for (i = 1; i <= n; i++) { d = a[i] - b[i]; if (d > 0.001 || d < -0.001) exit 1 } }'; then
		ok "$name: done at $got ms (DiskSim 4.0: $want)"
	else
		bad "$name: done at $got ms, DiskSim 4.0 at $want"
	fi
}
# Three reads 0.1 ms apart: the second and third are received while the
# first is served (0.28 ms each, one after the other on the bus) and each
# seeks the moment the one before completes -- taken only then, their
# command overhead paid again, the second had missed its sector by a hair
# and lost a revolution (20.716940 ms).
printf '%s\n' '0.0 0 100000 8 1' '0.1 0 5000000 8 1' '0.2 0 9000000 8 1' \
    '1000 0 0 8 1' >"$T/q3.ascii"
queued "three reads received in the drive's queue" "$CHQ/cheetah9LP.parv" "$T/q3.ascii" \
    "8.741449 14.743823 22.833221"
# A read of 200 blocks holds the bus for 21 ms; three reads sent meanwhile
# wait for it and arrive one after another as each disconnects: the host's
# request waiting for the bus has it when the drive lets it go.
printf '%s\n' '0.0 0 0 200 1' '10.0 0 5000000 8 1' '10.01 0 9000000 8 1' \
    '10.02 0 3000000 8 1' '1000 0 0 8 1' >"$T/qbus.ascii"
queued "reads waiting for the bus, each arriving as the one before disconnects" \
    "$CHQ/cheetah9LP.parv" "$T/qbus.ascii" "26.996631 38.636389 46.725780 57.865128"
# The same with a write received early: when the long read completes the
# drive takes the write, which needs the bus for its data, as the host's
# next read is granted it; the drive asks for it then, before that read
# arrives, and when that read disconnects the drive's ask wins over the
# host's read still waiting (DiskSim's bus arbitrates by slot, the
# drive's above the controller's: disk_disconnect, then disk_check_bus).
# Sent after the host's read, the write's data would have waited 0.28 ms
# more (28.403877).
printf '%s\n' '0.0 0 0 200 1' '1.0 0 7000000 8 0' '10.0 0 5000000 8 1' \
    '10.01 0 9000000 8 1' '1000 0 0 8 1' >"$T/qask.ascii"
queued "a write asking for the bus while a read is granted it goes before the next" \
    "$CHQ/cheetah9LP.parv" "$T/qask.ascii" "26.996631 28.120251 44.609513 52.698905"
# Its wait for the bus (while the read granted it is received, 0.283620
# ms) is bus time, not a wait for room or the media.
w=$(sql "$T/queued.db" "SELECT overhead_ns || ' ' || bus_ns || ' ' || roomwait_ns ||
	' ' || mediawait_ns FROM disk_io WHERE sector = 7000000")
if [ "$w" = "283620 283620 0 0" ]; then
	ok "the write's wait for the bus is counted in bus_ns ($w)"
else
	bad "the write's wait for the bus: overhead, bus, room, media $w"
fi
# The drive's own policy chooses among the commands in its queue when the
# heads are free -- not when the one before completes if a flush of its
# write still holds them (disk_check_hda finds its effectivehda taken):
# reads and writes arriving meanwhile are queued, and a command still
# being received is among them (ioqueue_add_new_request, at its
# arrival).  Nine requests through the Cheetah 9LP with Max queue length
# 8 and the drive's SPTF_OPT (8), then CYCLE_LBN (3); the code before
# gave the command that arrived first behind the flush the heads (the
# fifth read at 71.956826, the third write at 35.310279 with policy 3
# served after 1420540).
printf '%s\n' '0.721052 0 16075944 32 1' '19.031754 0 6159966 64 1' \
    '20.108799 0 14367709 1 0' '26.423484 0 1420540 8 1' '47.926890 0 1143201 32 1' \
    '51.034304 0 12363017 2 0' '56.438350 0 655972 2 1' '59.650223 0 5069993 16 0' \
    '59.801611 0 6622886 8 0' '1000 0 0 8 1' >"$T/qpol.ascii"
for pol in 8 3; do
	mkdir -p "$T/chq$pol" && cp "$CHQ"/* "$T/chq$pol/" &&
	    sed -i "s/^      Scheduling policy = 1,/      Scheduling policy = $pol,/" \
	    "$T/chq$pol/cheetah9LP.diskspecs"
done
queued "the drive's SPTF_OPT choosing when a flush frees the heads" \
    "$T/chq8/cheetah9LP.parv" "$T/qpol.ascii" \
    "17.949518 35.205279 44.638209 44.533209 83.903157 55.706377 90.394822 68.865105 61.490223"
queued "the drive's CYCLE_LBN choosing when a flush frees the heads" \
    "$T/chq3/cheetah9LP.parv" "$T/qpol.ascii" \
    "17.949518 35.205279 35.310279 56.479449 89.876272 56.973069 78.448556 91.556272 98.317346"

# Sneaky full read hits (on in a copy of the Cheetah 9LP with Max queue
# length 8): a read the cache holds whole, arriving while another read
# seeks, is sent at once beside it (DiskSim's disk_read_arrive,
# READY_TO_TRANSFER) -- its hit overhead, its 8 blocks over the bus, done
# at 21.906 ms while the other completes at 28.806; without them it
# would wait in the drive's queue until then.
mkdir -p "$T/chsn" && cp "$CHQ"/* "$T/chsn/" &&
    sed -i 's/Allow sneaky full read hits = 0/Allow sneaky full read hits = 1/' \
    "$T/chsn/cheetah9LP.diskspecs"
printf '%s\n' '0 0 100000 8 1' '20 0 9000000 8 1' '21 0 100000 8 1' '1000 0 0 8 1' \
    >"$T/qsneak.ascii"
queued "a sneaky full read hit sent beside the command in service" \
    "$T/chsn/cheetah9LP.parv" "$T/qsneak.ascii" "8.741449 28.806340 21.906000"
# A cache hit's service: its transfer the bus's (8 blocks at 0.105 ms),
# the rest the controller's (the read-hit overhead after a read).
w=$(sql "$T/queued.db" "SELECT cache_hit || ' ' || xfer_ns || ' ' || overhead_ns || ' ' ||
	ctlr_ns FROM disk_io WHERE submit_ns = 21000000")
if [ "$w" = "2 840000 66000 66000" ]; then
	ok "the sneaky hit's service is a cache hit's: hit, transfer, overhead, controller $w"
else
	bad "the sneaky hit's service: hit, transfer, overhead, controller $w"
fi

# A read-ahead waiting for room in its segment, stopped by the next
# command: DiskSim passes each sector meanwhile as a sector-done event
# (disk_buffer_sector_done) and frees the heads at the end of the one
# passing (disk_seek_stoptime), not a revolution later when the sector it
# waits for comes round (25.390938).  The Cheetah 9LP with 64-block
# segments, one command at a time.
CHS=$T/chs
mkdir -p "$CHS" && cp disks/cheetah9LP/* "$CHS/" &&
    sed -i -e 's/Segment size (in blks) = 561/Segment size (in blks) = 64/' \
    -e 's/Maximum read-ahead (blks) = 561/Maximum read-ahead (blks) = 64/' "$CHS/cheetah9LP.diskspecs"
printf '%s\n' '0.0 0 896580 64 1' '8.0 0 831496 8 1' '1000 0 0 8 1' >"$T/qdry.ascii"
queued "a read-ahead waiting for room stops at the end of the sector passing" \
    "$CHS/cheetah9LP.parv" "$T/qdry.ascii" "14.057056 19.417882"

# ---- writes that follow on from a write being written ----------------------
# With fast writes DiskSim gives each write an access of its own.  One
# arriving while the write before it is still being written, and following
# on from it, has its data taken at once, and that write's access -- its
# command done (BUFFER_BACKGROUND) -- goes on to write it too; then its own
# access writes its blocks again, nearly a revolution later (its blocks
# count written only by its own access).  A third, arriving meanwhile, is
# not taken (disk_buffer_stopable_access: the one that joined is ahead of it
# in the queue) and waits for the heads until that access ends: 43.760870,
# not 35.48 as with all three written in one sweep.  The Cheetah 9LP as
# shipped, one command at a time.
printf '%s\n' '0 0 16968 4 0' '28.0 0 16972 4 0' '29.28 0 16976 4 0' \
    '31.62 0 16980 32 0' '1000 0 0 1 1' >"$T/qjoin.ascii"
queued "writes following on from a write being written: their own accesses, the third held back" \
    disks/cheetah9LP/cheetah9LP.parv "$T/qjoin.ascii" "1.168000 28.920000 30.200000 43.760870"
# A write arriving while a read-ahead overlapping it runs: DiskSim chooses
# the write's segment and empties clean copies of its blocks
# (disk_buffer_set_segment) before it stops the read-ahead, whose segment,
# not clean then, keeps its blocks -- so the read of 8204092 after it is a
# cache hit (14.708141), not a miss waiting for the write (15.260706).
printf '%s\n' '0.0 0 8204064 8 1' '9.04 0 8204068 4 1' '9.64 0 8204068 4 0' \
    '10.9 0 8204092 4 1' '1000 0 0 1 1' >"$T/qstale.ascii"
queued "a write stopping a read-ahead it overlaps: the read-ahead's segment kept" \
    disks/cheetah9LP/cheetah9LP.parv "$T/qstale.ascii" "8.970806 9.526000 10.808000 14.708141"
# Taken from the drive's queue instead (Max queue length 8: the write
# arrives while the read is served), DiskSim's write stops the read-ahead
# first (disk_activate_write) and empties its segment, now clean, after
# (disk_buffer_set_segment): the read after the write misses (9.545993,
# not 9.522425 as a hit).
printf '%s\n' '0.0 0 244109 32 1' '0.9 0 244141 8 0' '3.17 0 244149 2 1' \
    '1000 0 0 1 1' >"$T/qstale8.ascii"
queued "a write taken from the drive's queue stops the read-ahead first, and empties its segment" \
    "$CHQ/cheetah9LP.parv" "$T/qstale8.ascii" "5.782166 6.905786 9.545993"
# Reads hitting a read-ahead go before a write overlapping it: when the
# first read completes the read-ahead goes to the second, a hit, and,
# while that one holds the segment, to the fourth, a hit too
# (disk_check_prefetch_swap); the write between them finds no segment
# (a collision in disk_buffer_select_write_segment) and waits for both:
# the read of 8 done at 9.986635 and the write at 10.196635, not the
# write first (6.836637) and the read after it (15.517888).
printf '%s\n' '2.383456 0 0 2 1' '2.521779 0 2 4 1' '3.787605 0 6 2 0' \
    '3.816226 0 8 32 1' '1000 0 0 1 1' >"$T/qswap.ascii"
queued "reads hitting a read-ahead taken before a write overlapping it" \
    "$CHQ/cheetah9LP.parv" "$T/qswap.ascii" "6.206635 6.626635 10.196635 9.986635"
# The reads given the read-ahead keep its segment after the read-ahead
# has ended: the read of 25358, given it as the read of 25344 took it,
# still goes before the writes overlapping the segment once the
# read-ahead is over (done at 12.211974, not 22.785575 after them).
printf '%s\n' '0.060550 0 0 2 1' '1.655520 0 25336 8 1' '3.901742 0 25344 8 1' \
    '4.118984 0 25352 2 1' '4.374496 0 25354 2 0' '6.969860 0 25356 2 0' \
    '9.176985 0 25358 2 1' '1000 0 0 1 1' >"$T/qswap2.ascii"
queued "reads given a read-ahead keep its segment after it ends, writes overlapping it waiting" \
    "$CHQ/cheetah9LP.parv" "$T/qswap2.ascii" \
    "6.206634 10.951974 11.791974 12.001974 12.421974 16.741928 12.211974"
# A read arriving while a read given the read-ahead is served, that hits
# its segment, joins it then: DiskSim's disk_activate_read lets it share
# the access (disk_buffer_attempt_access_swap) when its queue would take it
# next of those a segment may take, and the write of 11 queued before it,
# overlapping the segment, may not.  So the read of 44 is done at
# 12.393772 and the write after it, at 12.498772 -- not the write first
# (10.818773) and the read at 14.684472.
printf '%s\n' '0.506833 0 1 8 1' '1.787941 0 9 2 1' '2.362415 0 11 1 0' \
    '3.163717 0 12 32 1' '6.947165 0 44 16 1' '1000 0 0 1 1' >"$T/qjoin8.ascii"
queued "a read arriving joins the read-ahead's segment held by the read served" \
    "$CHQ/cheetah9LP.parv" "$T/qjoin8.ascii" \
    "6.860152 7.070152 12.498772 10.713772 12.393772"
# A read taken as a whole hit in a segment short of the read-ahead it asks
# for holds that segment as a read-ahead's, the media idle
# (disk_check_hda_pending marks the access a background read): the read
# of 132, a hit there too, joins it, and the write of 68 overlapping it
# waits -- the read done at 20.665872, the write at 27.385872, not the
# write first (20.665872) and the read at 27.767021.
printf '%s\n' '2.194563 0 0 2 1' '7.208412 0 18 32 1' '7.574732 0 50 16 0' \
    '7.601652 0 66 2 1' '8.234494 0 68 64 0' '9.149691 0 132 64 1' \
    '1000 0 0 1 1' >"$T/qowed.ascii"
queued "a whole hit holds its segment as a read-ahead's, the media idle" \
    "$CHQ/cheetah9LP.parv" "$T/qowed.ascii" \
    "6.206635 10.634412 13.062412 13.945872 27.385872 20.665872"
# A write received while the read-ahead runs, overlapping its segment,
# ends it at the sector under way (Write hit stop prefetch, which
# disk_buffer_stopable_access applies as the write arrives); the read of
# 180990, arriving later and joining the segment, sets the media going
# again for its blocks at once, while the read before it is sent
# (disk_check_hda's seek after the swap): done at 16.012731, the write at
# 17.692731 -- not the write at 10.972731 and the reads at 19.539162 and
# 22.899162 (nor the read at 18.499 with the media set going only when it
# is taken).
printf '%s\n' '0.377309 0 180894 16 1' '1.778652 0 180910 8 1' \
    '2.370251 0 180918 16 1' '2.377057 0 180934 8 1' '4.672681 0 180942 16 0' \
    '5.183213 0 180958 32 1' '8.291907 0 180990 32 1' '1000 0 0 1 1' \
    >"$T/qwhs.ascii"
queued "a write ends the read-ahead it overlaps; a read joining sets the media going again" \
    "$CHQ/cheetah9LP.parv" "$T/qwhs.ascii" \
    "4.617491 5.457491 7.885491 9.009111 17.692731 12.652731 16.012731"
# Two more found by a search of random traces, each failing without one of
# the pieces above: without the write's stop of the read-ahead (the write
# of 75 done at 19.289168, the read of 139 at 27.931634 after it), and
# without taking, as the command in service completes, a read the
# read-ahead serves before that reaches its minimum (the write of 37
# before the read of 85: 12.278257, 20.688637).
printf '%s\n' '0.614484 0 0 1 1' '3.211067 0 1 32 1' '3.837420 0 33 8 1' \
    '5.990928 0 73 2 1' '6.091987 0 75 64 0' '6.397773 0 139 64 1' \
    '6.845444 0 203 16 0' '1000 0 0 1 1' >"$T/qwhs2.ascii"
queued "a write received ends the read-ahead it overlaps: reads first" \
    "$CHQ/cheetah9LP.parv" "$T/qwhs2.ascii" \
    "7.127548 10.771168 12.359168 12.569168 26.009168 19.289168 28.840852"
printf '%s\n' '0.217310 0 0 8 1' '0.421055 0 8 16 1' '2.184268 0 25 8 1' \
    '4.032706 0 33 2 1' '7.259926 0 37 16 0' '9.675487 0 85 64 1' \
    '1000 0 0 1 1' >"$T/qserve.ascii"
queued "the read the read-ahead serves is taken next, short of its minimum" \
    "$CHQ/cheetah9LP.parv" "$T/qserve.ascii" \
    "6.836635 8.516635 10.104635 10.598255 20.413061 18.733061"
# A read arriving takes the segment over only from a background read's
# access (disk_buffer_attempt_access_swap tests BUFFER_BACKGROUND): given
# to the read of 702, a whole hit with the read-ahead at its maximum, it
# is not, and the read of 752 arriving then keeps no place before the
# write of 750 -- the write done at 19.050591, the read at 23.251034, not
# the read first (19.680594) and the write at 19.890594.
printf '%s\n' '3.177819 0 164637 16 1' '3.802139 0 164653 32 1' \
    '3.858649 0 164685 4 1' '4.079332 0 164689 1 1' '5.474364 0 164690 8 1' \
    '10.535434 0 164702 32 1' '11.029116 0 164750 2 0' '11.454805 0 164752 8 1' \
    '1000 0 0 1 1' >"$T/qbg.ascii"
queued "a read takes a held segment over only from a background read's access" \
    "$CHQ/cheetah9LP.parv" "$T/qbg.ascii" \
    "9.440351 12.800351 13.503971 14.356971 15.480591 18.840591 19.050591 23.251034"
# Each queued read given the read-ahead as the one taken hits it raises
# its bounds, as disk_buffer_attempt_access_swap does: the read-ahead goes
# on past the read of 361326 into the read of 361430's blocks, done at
# 41.891852, not 42.449375.
printf '%s\n' '0.363395 0 0 8 1' '2.993262 0 13 8 0' '3.731870 0 34074 16 1' \
    '13.741972 0 361294 32 1' '14.028864 0 361326 64 1' '19.096266 0 361430 64 1' \
    '1000 0 0 1 1' >"$T/qbounds.ascii"
queued "each read given the read-ahead raises its bounds" \
    "$CHQ/cheetah9LP.parv" "$T/qbounds.ascii" \
    "6.836635 7.676635 18.917404 28.451852 35.171852 41.891852"
# The reads given the read-ahead are served, in turn, before any other
# command, whatever the policy would take (disk_find_new_seg_owner gives
# the segment to the next of them, and disk_check_hda does not look at the
# queue while the last holds the heads): the read of 387556, given it as
# it arrived, is done at 42.254480, before the write of 387475 (43.094480)
# queued ahead of it, which by then no longer overlaps the segment -- not
# the write first (36.374452) and the read at 48.038006.
printf '%s\n' '0.862659 0 387270 32 1' '1.409394 0 387302 8 0' \
    '5.340713 0 387339 64 1' '8.801017 0 387403 64 1' '8.811075 0 387467 8 1' \
    '8.980398 0 387475 8 0' '11.986240 0 387484 64 1' '13.796309 0 387548 8 1' \
    '14.422664 0 387556 64 1' '1000 0 0 1 1' >"$T/qturn.ascii"
queued "the reads given the read-ahead are served before any other command" \
    "$CHQ/cheetah9LP.parv" "$T/qturn.ascii" \
    "7.545884 8.669504 20.130860 27.134480 27.974480 43.094480 34.694480 35.534480 42.254480"
# DiskSim's media steps from block to block of a track, a sector's time
# each (disk_buffer_sector_done): a slip between two blocks takes no time.
# A write waiting for its data as its sector passes on a track of 253
# blocks on 254 sectors comes round after 253 sectors (dry_revolution),
# and the next block follows at once -- the heads free for the next write
# at 21.211271, which is done at 21.631271, not 21.655150 (a sector more
# for the slip).  And one read of a whole such track, the bus made fast
# enough that the media sets the pace: done at 13.522465, not 13.546345.
printf '%s\n' '0.194259 0 0 8 1' '0.920444 0 395786 8 0' '1.406886 0 395794 8 0' \
    '1.490663 0 395802 4 0' '1000 0 0 1 1' >"$T/qslip.ascii"
queued "a slip between two blocks of a track takes no time in DiskSim's media" \
    "$CHQ/cheetah9LP.parv" "$T/qslip.ascii" "6.836631 7.676631 15.913900 21.631271"
CHF=$T/chf
mkdir -p "$CHF" && cp disks/cheetah9LP/* "$CHF/" &&
    sed -i 's/Bulk sector transfer time = 0.105000,/Bulk sector transfer time = 0.001000,/' \
    "$CHF/cheetah9LP.diskspecs"
printf '%s\n' '0.5 0 395729 253 1' '1000 0 0 1 1' >"$T/qslip1.ascii"
queued "a whole track with a slip read in as many sectors as it holds blocks" \
    "$CHF/cheetah9LP.parv" "$T/qslip1.ascii" "13.522465"
# The same three writes on a track that holds fewer blocks than sectors
# (the Cheetah 9LP with 108 spares at the end of every 12 cylinders: the
# last track of a range holds 146 blocks on 254 sectors).  The third
# write's access finds its data not yet in as its sector passes, and
# waits for it to come round: DiskSim steps through the track's blocks
# only, the spare sectors taking no time (disk_buffer_sector_done), so the
# heads are free 146 sectors later, not a revolution, and the read after
# it is done at 19.606004, not 25.579068.
CHP=$T/chp
mkdir -p "$CHP" && cp disks/cheetah9LP/* "$CHP/" &&
    sed -i -e 's/Sparing scheme used = 9,/Sparing scheme used = 8,/' \
    -e 's/Rangesize for sparing = 1,/Rangesize for sparing = 12,/' \
    -e 's/Number of spares = [0-9]*,/Number of spares = 108,/' \
    -e 's/Block count = 17783240,/Block count = 17000000,/' "$CHP/cheetah9LP.model"
printf '%s\n' '0.0 0 36388 8 0' '1.5 0 36396 4 0' '2.2 0 36400 2 0' \
    '16.0 0 36000 8 1' '1000 0 0 1 1' >"$T/qspare.ascii"
queued "a wait for data on a track with spares: the track's blocks pass, not a revolution" \
    "$CHP/cheetah9LP.parv" "$T/qspare.ascii" "1.588000 2.508000 15.001701 19.606004"

# ---- DiskSim's end: the trace's last arrival ------------------------------
# DiskSim stops once its trace has no next request (getnextevent), so a
# request still queued or in the drive then is in none of its figures;
# vfssim runs every request to its end unless --until-last-arrival.  200
# requests every 15 ms on the HP C2247A, a third of them writes: DiskSim
# 4.0 handles 134 of them, mean response 496.937972 ms.
awk 'BEGIN { for (i = 0; i < 200; i++) printf "%d.5 0 %d 8 %d\n", i * 15,
	(i * 7919 * 131) % 2000000, (i % 3) ? 1 : 0 }' >"$T/busy.ascii"
rm -f "$T/ula.db" "$T/all.db"
if "$VFSSIM" disk "$T/busy.ascii" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --until-last-arrival --db "$T/ula.db" >"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
    "$VFSSIM" disk "$T/busy.ascii" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --db "$T/all.db" -q >>"$T/out" 2>&1 &&
    grep -q '^134 requests: .* 66 not done at the last arrival, left out' "$T/out" &&
    [ "$(metric "$T/ula.db" 1 disk.left_outstanding)" = 66.0 ] &&
    [ "$(sql "$T/all.db" "SELECT count(*) FROM disk_io")" = 200 ] &&
    head -1 "$T/busy.ascii" >"$T/one.ascii" &&
    "$VFSSIM" disk "$T/one.ascii" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --until-last-arrival --no-db 2>&1 | grep -q '^no request done; 1 not done at the last arrival, left out$' &&
    ula_mean=$(sql "$T/ula.db" "SELECT printf('%.6f', avg((end_ns - submit_ns) / 1e6)) FROM disk_io WHERE run = 1 HAVING count(*) = 134") &&
    awk -v m="$ula_mean" 'BEGIN { d = m - 496.937972; exit !(d < 0.001 && d > -0.001) }'; then
	ok "--until-last-arrival ends the run as DiskSim does: 134 of 200 requests done, mean response $ula_mean ms (DiskSim 4.0: 496.937972); without it all 200; a lone request: none done, no mean printed"
else
	bad "--until-last-arrival: $(head -3 "$T/out") mean ${ula_mean:-none}"
fi

# ---- DiskSim's SPTF_OPT (policy 8) -----------------------------------------
# DiskSim estimates each request's positioning from its mechanical state
# as it stood when the last sector passed the heads (the angle is brought
# up to date only then) and where the heads were before a seek under way:
# sptf_opt does the same.  The HP C2247A with its I/O driver on policy 8,
# ten reads queued behind a first one and ten more requests 30 ms on:
# DiskSim 4.0 serves them in the order below, mean response 190.790113
# ms; vfssim's own sptf (the angle now) serves them otherwise, faster.
mkdir -p "$T/sptf"
cp disks/hp_c2247a/hp_c2247a.diskspecs disks/hp_c2247a/hp_c2247a_validate.model "$T/sptf/"
sed '0,/^Scheduling policy = 1,/s//Scheduling policy = 8,/' disks/hp_c2247a/hp_c2247a.parv \
    >"$T/sptf/hp_c2247a.parv"
printf '%s\n' '0.000 0 1000000 8 1' '0.100 0 1306319 8 1' '0.100 0 535707 8 1' \
    '0.100 0 1555640 8 1' '0.100 0 751903 8 1' '0.100 0 1667641 8 1' \
    '0.100 0 1447971 8 1' '0.100 0 1976461 8 1' '0.100 0 1764776 8 1' \
    '0.100 0 1551679 8 1' '0.100 0 1367409 8 1' '30.000 0 1934255 16 0' \
    '30.000 0 1762337 16 1' '30.000 0 1627303 16 0' '30.000 0 1360998 16 0' \
    '30.000 0 1889325 16 0' '30.000 0 237410 16 1' '30.000 0 983709 16 0' \
    '30.000 0 798507 16 0' '30.000 0 1203641 16 0' '30.000 0 27502 16 0' \
    '9000 0 0 8 1' >"$T/sptf.ascii"
sptf_order="1000000 535707 798507 1203641 1360998 1367409 1764776 1551679 1306319 1447971 1555640 1667641 1762337 1889325 1934255 1976461 983709 1627303 27502 751903 237410"
sptf_run() { # db extra-args...
	local db=$1; shift
	rm -f "$db"
	"$VFSSIM" disk "$T/sptf.ascii" --set disk.diskspecs="$T/sptf/hp_c2247a.parv" \
	    --until-last-arrival --db "$db" -q "$@" >>"$T/out" 2>&1
}
sptf_of() { sql "$1" "SELECT group_concat(sector, ' ') FROM (SELECT sector FROM disk_io ORDER BY end_ns)"; }
: >"$T/out"
if sptf_run "$T/sopt.db" && sptf_run "$T/sown.db" --set diskq.scheduler=sptf &&
    no_sanitizer_report "$T/out" &&
    [ "$(sptf_of "$T/sopt.db")" = "$sptf_order" ] &&
    [ "$(sptf_of "$T/sown.db")" != "$sptf_order" ] &&
    sopt_mean=$(sql "$T/sopt.db" "SELECT printf('%.6f', avg((end_ns - submit_ns) / 1e6)) FROM disk_io") &&
    sown_mean=$(sql "$T/sown.db" "SELECT printf('%.3f', avg((end_ns - submit_ns) / 1e6)) FROM disk_io") &&
    awk -v m="$sopt_mean" -v o="$sown_mean" 'BEGIN { d = m - 190.790113; exit !(d < 0.001 && d > -0.001 && o < m - 10) }'; then
	ok "a .parv's SPTF (policy 8) as DiskSim 4.0's SPTF_OPT: its order of 21 requests, mean response $sopt_mean ms (DiskSim: 190.790113); vfssim's own sptf $sown_mean ms"
else
	bad "SPTF_OPT: $(head -3 "$T/out") order $(sptf_of "$T/sopt.db" 2>/dev/null) mean ${sopt_mean:-none}"
fi

# The Cheetah 9LP with policy 8, forty requests at about 2 ms apart, most
# of them writes it reports from its cache and writes behind: decisions
# made while the media seeks (DiskSim's state keeps the heads where the
# seek set out from), waits on the track for a write's data (each sector
# passing counts), has a read-ahead stopped mid-run or reads the first
# sector after a seek.  DiskSim 4.0: the order below, mean response
# 192.923659 ms (each of those four left out changes it).
mkdir -p "$T/sptf9"
cp disks/cheetah9LP/cheetah9LP.diskspecs disks/cheetah9LP/cheetah9LP.model \
    disks/cheetah9LP/cheetah9LP.seek "$T/sptf9/"
sed '0,/^Scheduling policy = 1,/s//Scheduling policy = 8,/' disks/cheetah9LP/cheetah9LP.parv \
    >"$T/sptf9/cheetah9LP.parv"
cat >"$T/sptf9.ascii" <<'EOF'
6.249 0 1897549 16 1
9.858 0 10339343 64 0
11.725 0 5314447 64 0
14.981 0 12484271 128 0
16.376 0 1205420 16 0
21.748 0 12751184 64 0
23.240 0 5953778 16 1
23.629 0 5824672 16 0
24.520 0 6101655 64 0
27.172 0 12222387 128 0
35.096 0 14957524 16 0
36.117 0 15482239 128 0
37.464 0 16712302 128 0
40.645 0 15256823 64 0
43.234 0 15319313 64 0
48.881 0 5572373 128 1
53.727 0 10387214 64 0
56.177 0 16919782 128 0
58.285 0 13645598 64 0
59.627 0 12300995 128 0
59.784 0 11457460 128 1
63.159 0 3562035 16 0
63.260 0 7603988 128 0
63.484 0 4580176 64 1
63.957 0 2026178 64 0
66.806 0 1905771 64 0
67.380 0 786606 16 1
67.520 0 1371523 128 0
68.454 0 4287824 16 0
69.935 0 64969 64 0
73.096 0 8315694 16 0
73.105 0 3795506 64 0
73.167 0 15054305 128 0
75.861 0 8856429 64 0
78.305 0 15863847 16 1
80.630 0 3424199 16 0
84.786 0 4279413 128 0
85.784 0 11004538 16 0
86.618 0 8785805 128 0
88.737 0 4716725 128 1
9000 0 0 8 1
EOF
sptf9_order="1897549 1205420 5314447 5953778 6101655 5824672 5572373 4580176 4287824 7603988 8785805 8315694 4716725 3424199 786606 2026178 3562035 3795506 8856429 10339343 10387214 12300995 12484271 12222387 12751184 11457460 13645598 11004538 15319313 15863847 15482239 16712302 16919782 15256823 14957524 15054305 1905771 4279413 64969 1371523"
rm -f "$T/s9.db"
if "$VFSSIM" disk "$T/sptf9.ascii" --set disk.diskspecs="$T/sptf9/cheetah9LP.parv" \
    --until-last-arrival --db "$T/s9.db" -q >"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
    [ "$(sptf_of "$T/s9.db")" = "$sptf9_order" ] &&
    s9_mean=$(sql "$T/s9.db" "SELECT printf('%.6f', avg((end_ns - submit_ns) / 1e6)) FROM disk_io") &&
    awk -v m="$s9_mean" 'BEGIN { d = m - 192.923659; exit !(d < 0.002 && d > -0.002) }'; then
	ok "SPTF_OPT on the Cheetah 9LP, writes behind and read-ahead: DiskSim 4.0's order of 40 requests, mean response $s9_mean ms (DiskSim: 192.923659)"
else
	bad "SPTF_OPT on the Cheetah 9LP: $(head -3 "$T/out") order $(sptf_of "$T/s9.db" 2>/dev/null) mean ${s9_mean:-none}"
fi

# ---- HP Laboratories' SRT traces (DiskSim's hpl format) -----------------
# Written here: the text header, then big-endian records -- version 4 and
# one of version 1 (a write), one the tracer marked suspect (skipped), the
# last past DiskSim's run.  DiskSim 4.0 on this file with the HP C2247A's
# .parv (format hpl): 6 requests, mean response 34.836958 ms.
hpl_trace() { # extra-device (0: none)
	perl -e 'my $extra = shift; binmode STDOUT;
	print "\$\$TR_IOREC-1.3 (vfssim test)\0\nversion      = 1.3;\n",
	    "tracedate    = \"Sat May 30 00:03:06 1992\";\n\f";
	sub rec { my ($v, $kind, $sec, $usec, $bytes, $blk, $dev, $flags) = @_;
		my @w = ($v << 16 | $kind, $sec, $usec, 0, 1000, $bytes, $blk,
		    ($dev << 8) | 7, 4, 0, $flags, 0);
		push @w, 1 if $v == 4; push @w, 0 if $kind == 4;
		print pack("N*", 4 * (@w + 1), @w); }
	rec(4, 1, 0, 0, 4096, 1000000, 0, 1);
	rec(4, 1, 0, 300, 8192, 1005008, 0, 1);
	rec(4, 4, 0, 400, 1024, 5, 0, 1);
	rec(1, 1, 0, 600, 2048, 995008, 0, 0);
	rec(4, 1, 0, 900, 4096, 1015024, 0, 1);
	rec(4, 1, 1, 0, 512, 2000, $extra, 1) if $extra;
	rec(4, 1, 2, 500000, 16384, 300000, 0, 0);
	rec(4, 1, 2, 500100, 4096, 300032, 0, 1);
	rec(4, 1, 5, 0, 4096, 0, 0, 1);' "$1"
}
hpl_trace 0 >"$T/a.srt"
hpl_trace 2 >"$T/b.srt"
gzip -c "$T/a.srt" >"$T/a.srt.gz"
hpl_mean() { sql "$1" "SELECT printf('%.6f', avg(end_ns - submit_ns) / 1e6) FROM disk_io
	WHERE submit_ns < (SELECT max(submit_ns) FROM disk_io)"; }
rm -f "$T/hpl.db" "$T/hplgz.db"
if "$VFSSIM" disk "$T/a.srt" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --db "$T/hpl.db" -q >"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
    "$VFSSIM" disk "$T/a.srt.gz" --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --db "$T/hplgz.db" -q >>"$T/out" 2>&1 &&
    [ "$(sql "$T/hpl.db" "SELECT count(*) || ' ' || sum(is_write) || ' ' || format FROM disk_io, runs")" = "7 2 disk-hpl" ] &&
    [ "$(hpl_mean "$T/hpl.db")" = "$(hpl_mean "$T/hplgz.db")" ] &&
    awk -v m="$(hpl_mean "$T/hpl.db")" 'BEGIN { d = m - 34.836958; exit !(d < 0.001 && d > -0.001) }'; then
	ok "an HP SRT trace (hpl): 7 requests, the suspect record left out, mean response $(hpl_mean "$T/hpl.db") ms (DiskSim 4.0: 34.836958); gzip'd the same"
else
	bad "HP SRT trace: $(head -3 "$T/out") mean $(hpl_mean "$T/hpl.db" 2>/dev/null)"
fi
# Named with --format: hpl, and hpl2 for the records without the header
# (its 94 bytes), as hplcomb writes them: the same requests.
tail -c +95 "$T/a.srt" >"$T/a.hpl2"
if "$VFSSIM" disk "$T/a.srt" --format hpl --no-db \
    --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv >"$T/out1" 2>&1 &&
    "$VFSSIM" disk "$T/a.hpl2" --format hpl2 --no-db \
    --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv >"$T/out2" 2>&1 &&
    grep -q '^7 requests: ' "$T/out1" && cmp -s "$T/out1" "$T/out2"; then
	ok "--format hpl, and hpl2 for the records alone: $(cut -c1-40 "$T/out1")"
else
	bad "--format hpl/hpl2: $(head -2 "$T/out1") / $(head -2 "$T/out2")"
fi
if "$VFSSIM" disk "$T/b.srt" --device 0 --no-db >"$T/out" 2>&1 &&
    grep -q '^7 requests: .*; 1 requests of other devices left out$' "$T/out"; then
	ok "an HP SRT trace of two devices: --device 0 replays one, the other's request counted"
else
	bad "HP SRT trace --device: $(head -2 "$T/out")"
fi

# ---- reads meeting a read-ahead under way (issue #18) --------------------
# On the HP 97560, two reads of exactly the segment's 128 blocks, the second
# arriving before the first completes, used to hang for ever: the second is
# a whole hit, sent from the cache as DiskSim sends it (2.2 ms of overhead
# and 128 blocks over the 10 MB/s bus).  And two sequential 41-block reads.
pair() { # name trace want-second-hit want-second-service-ns
	local db=$T/pair-$1.db
	rm -f "$db"
	if timeout -s KILL 60 "$VFSSIM" disk "$2" --profile profiles/disks/hp97560.ini \
	    --set diskq.scheduler=fcfs --db "$db" -q >"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
	    [ "$(sql "$db" "SELECT group_concat(cache_hit) FROM (SELECT cache_hit FROM disk_io ORDER BY seq)")" = "0,$3" ] &&
	    { [ -z "$4" ] || [ "$(sql "$db" "SELECT end_ns - start_ns FROM disk_io ORDER BY seq LIMIT 1 OFFSET 1")" = "$4" ]; }; then
		ok "HP 97560: $1: both complete ($(sql "$db" "SELECT group_concat(end_ns - submit_ns, ' and ') FROM disk_io") ns)"
	else
		bad "HP 97560: $1: $(head -2 "$T/out") $(sql "$db" "SELECT group_concat(cache_hit || ':' || (end_ns - start_ns)) FROM disk_io" 2>&1)"
	fi
}
printf '0 0 0 128 1\n20 0 0 128 1\n' >"$T/hang.ascii"
pair "two 128-block reads of one segment" "$T/hang.ascii" 2 8450000
printf '0 0 0 41 1\n20 0 41 41 1\n' >"$T/seq41.ascii"
pair "two sequential 41-block reads" "$T/seq41.ascii" 0 ""

# ---- replays on every shipped drive --------------------------------------
for p in profiles/disks/*.ini; do
	if "$VFSSIM" replay traces/d4-find-cat.strace.gz --profile "$p" --db "$T/r.db" -q \
	    >"$T/out" 2>&1 && no_sanitizer_report "$T/out"; then
		run=$(sql "$T/r.db" "SELECT max(id) FROM runs")
		n=$(sql "$T/r.db" "SELECT count(*) FROM disk_io WHERE run = $run")
		ok "replay on $p: complete, $n disk requests"
	else
		bad "replay on $p"; sed 's/^/     /' "$T/out" | head -5
	fi
done

# ---- bad input: exit 2, a message naming the file and line, no database --
# (Not lib.sh's expect_bad: the command is given --db, and may record no
# run.)
expect_bad() { # what, expected message part, command...
	local what=$1 want=$2; shift 2
	rm -f "$T/bad.db"
	"$@" --db "$T/bad.db" >"$T/out" 2>&1
	local rc=$?
	if [ $rc = 2 ] && grep -q -- "$want" "$T/out" && no_sanitizer_report "$T/out" &&
	    { [ ! -e "$T/bad.db" ] || [ "$(sql "$T/bad.db" "SELECT count(*) FROM runs")" = 0 ]; }; then
		ok "bad input: $what -> exit 2, \"$(head -1 "$T/out" | cut -c1-90)\""
	else
		bad "bad input: $what: exit $rc, $(head -2 "$T/out")"
	fi
}
printf 'R Miss 100 8 5000.0 100.0\nR Miss 200 eight 5000.0 100.0\n' >"$T/v1.trace"
expect_bad "malformed validate line" "v1.trace:2:" "$VFSSIM" disk "$T/v1.trace"
printf 'X Miss 100 8 5000.0 100.0\n' >"$T/v2.trace"
expect_bad "validate line not R or W" "v2.trace:1:" "$VFSSIM" disk --validate "$T/v2.trace"
printf '0.0 0 100 8 1\n5.0 0 99999999999 8 1\n' >"$T/a1.ascii"
expect_bad "block beyond the drive" "a1.ascii:2: blocks" "$VFSSIM" disk "$T/a1.ascii"
printf '0 0 9223372036854775807 1 1\n' >"$T/a3.ascii"
expect_bad "a block number at the end of the 64-bit range (block + count overflowed)" \
    "a3.ascii:1: blocks 9223372036854775807-9223372036854775807 are beyond" "$VFSSIM" disk "$T/a3.ascii"
printf '0 0 99999999999999999999 1 1\n' >"$T/a4.ascii"
expect_bad "a block number past the 64-bit range" "a4.ascii:1: expected" "$VFSSIM" disk "$T/a4.ascii"
expect_bad "a bad line under --check" "a4.ascii:1: expected" "$VFSSIM" disk --check "$T/a4.ascii"
# One drive is modelled: a block trace of two devices is refused at the
# first line naming the second; --device N replays one of them.
printf '0.0 0 100 8 1\n1.0 0 200 8 1\n2.0 3 300 8 1\n3.0 0 400 8 1\n' >"$T/a5.ascii"
expect_bad "a block trace of two devices" \
    "a5.ascii:3: device 3, where line 1's is 0: vfssim models one drive" "$VFSSIM" disk "$T/a5.ascii"
rm -f "$T/dev.db"
if "$VFSSIM" disk "$T/a5.ascii" --device 0 --db "$T/dev.db" >"$T/out" 2>&1 &&
    grep -q '^3 requests: .*; 1 requests of other devices left out; recorded run 1' "$T/out" &&
    [ "$(sql "$T/dev.db" "SELECT group_concat(sector) FROM disk_io")" = 100,200,400 ] &&
    "$VFSSIM" disk "$T/a5.ascii" --device 3 --no-db >"$T/out3" 2>&1 &&
    grep -q '^1 requests: .*; 3 requests of other devices left out$' "$T/out3"; then
	ok "vfssim disk --device: one device's requests replayed, the others left out and counted"
else
	bad "vfssim disk --device: $(head -2 "$T/out") / $(head -2 "$T/out3" 2>/dev/null)"
fi
expect_bad "--device naming none of the trace's" "a5.ascii: no requests of that device" \
    "$VFSSIM" disk "$T/a5.ascii" --device 7
expect_bad "an HP SRT trace of two devices" \
    "b.srt:6: device 2, where record 1's is 0: vfssim models one drive" "$VFSSIM" disk "$T/b.srt"
# (The header is 94 bytes: the first record begins at byte 94.)
head -c 130 "$T/a.srt" >"$T/cut.srt"
expect_bad "an HP SRT trace cut inside a record" "cut.srt: record 1 (byte 94): the file ends inside a record" \
    "$VFSSIM" disk "$T/cut.srt"
{ head -c 94 "$T/a.srt"; printf '\000\000\000\070\000\004\000\007'; tail -c +103 "$T/a.srt"; } >"$T/kind.srt"
expect_bad "an HP SRT record not of an I/O" "kind.srt: record 1 (byte 94): a record of a kind other than I/O" \
    "$VFSSIM" disk "$T/kind.srt"
printf '5.0 0 100 8 1\n1.0 0 100 8 1\n' >"$T/a2.ascii"
expect_bad "arrivals going back in time" "a2.ascii:2:" "$VFSSIM" disk "$T/a2.ascii"
expect_bad "--validate on an ascii trace" "a2.ascii:1:" "$VFSSIM" disk --validate "$T/a2.ascii"
# A NUL in a validate line, wherever it is (disktrace.c:
# parse_validate_fast must not take it for the line's end or a field's),
# and a line that ends early: the general way's error, naming the line.
printf 'R Miss 100 8 5000.0 100.0\nR Miss 100 8\0 5000.0 100.0\n' >"$T/n1.trace"
expect_bad "a NUL after a validate line's count" "n1.trace:2: binary data" "$VFSSIM" disk "$T/n1.trace"
printf 'R Miss 100 8 5000.0 100.0\nW Hi\0t 100 8 5000.0 100.0\n' >"$T/n2.trace"
expect_bad "a NUL in a validate line's class" "n2.trace:2: binary data" "$VFSSIM" disk "$T/n2.trace"
printf 'R Miss 100 8 5000.0 100.0\nR Miss 100 8 5000.0 100.0\0\n' >"$T/n3.trace"
expect_bad "a NUL ending a validate line" "n3.trace:2: binary data" "$VFSSIM" disk "$T/n3.trace"
printf 'R Miss 100 8 5000.0 100.0\nR Miss 100 8 5000.0 1\0.0\n' >"$T/n4.trace"
expect_bad "a NUL in a validate line's last number" "n4.trace:2: binary data" "$VFSSIM" disk "$T/n4.trace"
printf 'R Miss 100 8 5000.0 100.0\nR Miss 100 8 5000.0\n' >"$T/n5.trace"
expect_bad "a validate line without its gap" "n5.trace:2: expected R|W CLASS" "$VFSSIM" disk "$T/n5.trace"
printf 'R Miss 100 8 5000.0 100.0\nR Miss\n' >"$T/n6.trace"
expect_bad "a validate line ending after its class" "n6.trace:2: expected R|W CLASS" "$VFSSIM" disk "$T/n6.trace"
head -c 3000 /dev/urandom >"$T/junk.trace"
printf 'R' | cat - "$T/junk.trace" >"$T/junk2.trace"
expect_bad "binary junk" "junk2.trace:" "$VFSSIM" disk "$T/junk2.trace"
{ printf '0.0 0 100 8 1\n'; head -c $((17 << 20)) /dev/zero | tr '\0' ' '; } >"$T/long.ascii"
expect_bad "a 17 MB line (a line is at most 16 MB: no more is read)" \
    "long.ascii:2: a line longer than 16 MB" "$VFSSIM" disk "$T/long.ascii"

mkdir -p "$T/specs"
cp disks/hp_c2247a/* "$T/specs/"
sed -i 's/Allow write prebuffering = 0/Allow write prebuffering = 1/' "$T/specs/hp_c2247a.diskspecs"
expect_bad "an unsupported DiskSim parameter value" \
    "hp_c2247a.diskspecs:[0-9]*: Allow write prebuffering = 1: not supported: taking a queued write's data" \
    "$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs="$T/specs/hp_c2247a.parv"
cp disks/hp_c2247a/hp_c2247a.diskspecs "$T/specs/"
sed -i 's/Print stats = 1,/Print stats = 1,\n   Spindle colour = 3,/' "$T/specs/hp_c2247a.diskspecs"
expect_bad "an unknown DiskSim parameter" "\"Spindle colour\" in disksim_disk is not a parameter vfssim knows" \
    "$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs="$T/specs/hp_c2247a.parv"
cp disks/hp_c2247a/hp_c2247a.diskspecs "$T/specs/"
sed -i 's/Seek type = hplplus10/Seek type = psychic/' "$T/specs/hp_c2247a_validate.model"
expect_bad "an unsupported seek type" "hp_c2247a_validate.model:[0-9]*: Seek type = psychic" \
    "$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs="$T/specs/hp_c2247a.parv"
cp disks/hp_c2247a/* "$T/specs/"
sed -i 's/Segment size (in blks) = 256/Segment size (in blks) = 8/; s/Maximum read-ahead (blks) = 128/Maximum read-ahead (blks) = 8/' \
    "$T/specs/hp_c2247a.diskspecs"
expect_bad "a drive that can never write (DiskSim aborts on it)" "segments of 8 blocks with the extra write disconnect" \
    "$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs="$T/specs/hp_c2247a.parv"
expect_bad "a drive key beside disk.diskspecs" "disk.rpm is set, but disk.diskspecs describes the drive" \
    "$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
    --set disk.rpm=7200
expect_bad "a missing DiskSim file" "nope.parv" \
    "$VFSSIM" disk disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs="$T/nope.parv"
expect_bad "malformed disk.zones" "disk.zones" \
    "$VFSSIM" disk "$T/heavy.ascii" --set disk.zones=1000x300
expect_bad "a huge disk.zones value (it overflowed the cylinder count)" "disk.zones: \"99999999999999999999:100\": too large" \
    "$VFSSIM" disk "$T/heavy.ascii" --set disk.zones=99999999999999999999:100
expect_bad "zones adding up past 2^32 cylinders" "too large" \
    "$VFSSIM" disk "$T/heavy.ascii" --set disk.zones=4000000000:100,4000000000:100

finish
