#!/usr/bin/env bash
# End-to-end tests of what the runs look like: every plot kind drawn as
# PNG and SVG from test databases (with the variants in the legend and the
# units on the axes), the HTML report opened in headless Chromium with
# every plot rendered, and vfssim mrc's one-pass curve cross-checked
# against the same run's LRU bound and against full replays at a few
# cache sizes.
#
#   VFSSIM=build/check/vfssim tests/e2e-report.sh
. "$(dirname "$0")/lib.sh" e2e-report
expect 35

metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'"; }

# ---- the test databases -----------------------------------------------------
# A comparison with every row recorded: a reader and writer of a file
# larger than the small machine's buffers, fsyncing now and then.
"$VFSSIM" gen random --param size=6M --param ops=700 --param read=0.6 --param zipf=0.6 \
	--param procs=2 --param fsync=50 --seed 3 -o "$T/r.trace" >/dev/null 2>&1
"$VFSSIM" compare "$T/r.trace" -V base= -V small=@profiles/small-32mb.ini \
	-V nowb=vfs.write_behind=0,kern.filedelay=5s --db "$T/cmp.db" -q >"$T/out" 2>&1 ||
	{ bad "compare for the test database"; cat "$T/out"; }
# A sweep of the cache's size, two seeds a point (random workload: the
# seeds differ), and the one-pass curve of the same workload.
G=(--gen random --param size=8M --param ops=800 --param read=1 --param zipf=0.9)
"$VFSSIM" sweep "${G[@]}" --grid bio.nbuf=60,150,400,1200 --seeds 2 --db "$T/sw.db" -q \
	>"$T/out" 2>&1 || { bad "sweep for the test database"; cat "$T/out"; }
"$VFSSIM" mrc "${G[@]}" --db "$T/sw.db" -q >"$T/out" 2>&1 || { bad "mrc"; cat "$T/out"; }
# A run without per-call rows.
"$VFSSIM" replay "$T/r.trace" --no-events --db "$T/noev.db" -q >/dev/null 2>&1

# ---- where the time went adds up to the latency -----------------------------
# For every call type of every run: CPU + each wait + the disk's parts is
# the calls' total latency (count x mean), to the nanosecond.
off=$(sql "$T/cmp.db" "SELECT count(*) FROM (SELECT t.run, t.call, sum(t.ns) AS ns,
	(SELECT value FROM summary WHERE run = t.run AND metric = 'latency.' || t.call || '.count') *
	(SELECT value FROM summary WHERE run = t.run AND metric = 'latency.' || t.call || '.mean_ns') AS total
	FROM time_split t GROUP BY t.run, t.call) WHERE abs(ns - total) > 1e-6 * total + 1")
calls=$(sql "$T/cmp.db" "SELECT count(DISTINCT run || call) FROM time_split")
disk=$(sql "$T/cmp.db" "SELECT count(*) FROM time_split WHERE part LIKE 'disk:%' AND ns > 0")
if [ "$off" = 0 ] && [ "$calls" -ge 9 ] && [ "$disk" -gt 0 ]; then
	ok "time_split: the parts of each of $calls call types add up to its latency ($disk disk parts)"
else
	bad "time_split: $off of $calls call types do not add up"
fi

# ---- every plot kind, PNG and SVG -------------------------------------------
# kind, database, runs, what the legend or axes must say
check_plot() {
	local kind=$1 db=$2 runs=$3 want=$4 f ok_png=0 ok_svg=0 paths
	for f in png svg; do
		if ! "$VFSSIM" plot "$db" --kind "$kind" ${runs:+--runs "$runs"} -o "$T/$kind.$f" \
			>"$T/out" 2>&1 || ! no_sanitizer_report "$T/out"; then
			bad "plot --kind $kind -o .$f"; head -3 "$T/out"; return
		fi
	done
	# a PNG: its signature and more than a blank canvas
	[ "$(head -c 8 "$T/$kind.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(stat -c %s "$T/$kind.png")" -gt 15000 ] && ok_png=1
	# an SVG: drawn paths, and the legend's and axes' words
	paths=$(grep -o '<path' "$T/$kind.svg" | wc -l)
	if grep -q '<svg' "$T/$kind.svg" && [ "$paths" -gt 20 ]; then
		ok_svg=1
		local w
		IFS='|' read -ra ws <<<"$want"
		for w in "${ws[@]}"; do
			grep -qF -- "$w" "$T/$kind.svg" || { ok_svg=0; echo "     no \"$w\" in the SVG"; }
		done
	fi
	if [ $ok_png = 1 ] && [ $ok_svg = 1 ]; then
		ok "plot $kind: PNG ($(stat -c %s "$T/$kind.png") bytes) and SVG ($paths paths; has: $want)"
	else
		bad "plot $kind: png $ok_png svg $ok_svg ($paths paths)"
	fi
}
check_plot latency-cdf "$T/cmp.db" 1-3 "base|small|nowb|latency (µs, log scale)|fraction of calls"
check_plot latency-time "$T/cmp.db" 1-3 "small: mean|nowb: p99|simulated time (s)|latency (ms, log scale)"
check_plot buffers "$T/cmp.db" 1-3 "small: dirty buffers|base: free buffers|hidirtybuffers (144)|requests in the disk queue"
check_plot risk "$T/cmp.db" 1-3 "nowb: MB at risk|age of the oldest (s)|bytes at risk (MB)"
check_plot disk-head "$T/cmp.db" 1-3 "base: reads|small: writes|cylinder of the request|simulated time (s)"
check_plot time-split "$T/cmp.db" 1-3 "CPU (not asleep)|disk: rotation|disk: seek|mean time per call ("
check_plot hit-ratio "$T/sw.db" "" "buffer hits (runs)|every size at once (mrc|buffer cache size (buffers of 16 KB|hit ratio (%)"
check_plot sweep "$T/sw.db" 1-8 "bio.nbuf (kern.nbuf)|latency.all.mean_ns (ms)|95 % intervals over seeds"
# one run: the latency CDF of each call type
if "$VFSSIM" plot "$T/cmp.db" --run 2 -o "$T/one.svg" >/dev/null 2>&1 &&
	grep -q 'pread64 (' "$T/one.svg" && grep -q 'pwrite64 (' "$T/one.svg" &&
	grep -q 'run 2 (small)' "$T/one.svg"; then
	ok "plot of one run: a CDF for each call type, counts in the legend"
else
	bad "plot of one run"
fi
# a metric other than the default
if "$VFSSIM" plot "$T/sw.db" --kind sweep --runs 1-8 --metric bio.buffer_hit_ratio --param kern.nbuf \
	-o "$T/hr.svg" >/dev/null 2>&1 && grep -q 'bio.buffer_hit_ratio (%)' "$T/hr.svg"; then
	ok "plot sweep --metric bio.buffer_hit_ratio --param kern.nbuf (a sysctl name)"
else
	bad "plot sweep --metric"
fi
expect_bad "plot: unknown kind" "unknown kind \"pie\"" "$VFSSIM" plot "$T/cmp.db" --kind pie -o "$T/x.png"
expect_bad "plot: no per-call rows" "no per-call rows" \
	"$VFSSIM" plot "$T/noev.db" --kind latency-time -o "$T/x.png"
expect_bad "plot: hit ratio of one size" "two or more cache sizes" \
	"$VFSSIM" plot "$T/noev.db" --kind hit-ratio -o "$T/x.png"
expect_bad "plot: no such run" "no complete run 99" "$VFSSIM" plot "$T/cmp.db" --runs 1,99 -o "$T/x.png"
expect_bad "plot: bad --runs" "--runs 1-x" "$VFSSIM" plot "$T/cmp.db" --runs 1-x -o "$T/x.png"
expect_bad "plot: not png or svg" "must end in .png or .svg" "$VFSSIM" plot "$T/cmp.db" -o "$T/x.jpg"
expect_bad "plot: unknown metric" "no run has the metric" \
	"$VFSSIM" plot "$T/sw.db" --kind sweep --metric no.such -o "$T/x.png"
expect_bad "plot: unknown setting" "--param bio.nbufs" \
	"$VFSSIM" plot "$T/sw.db" --kind sweep --param bio.nbufs -o "$T/x.png"
if [ ! -e "$T/x.png" ] && [ ! -e "$T/x.jpg" ]; then
	ok "bad plot input writes no image"
else
	bad "bad plot input wrote an image"
fi

# ---- the report, rendered by headless Chromium ------------------------------
CHROME=$(command -v chromium-headless-shell || command -v chromium || command -v chromium-browser || true)
# What the browser made of the page: each figure's kind, the size its SVG
# was laid out at and how many paths it drew; the comparison's rows.
probe='<script>addEventListener("load",function(){var r=[];
document.querySelectorAll("figure.plot").forEach(function(f){var s=f.querySelector("svg"),b=s?s.getBoundingClientRect():{width:0,height:0};
r.push(f.id+":"+Math.round(b.width)+":"+Math.round(b.height)+":"+(s?s.querySelectorAll("path").length:0))});
document.body.setAttribute("data-rendered",r.join(" "));
document.body.setAttribute("data-cmp-rows",document.querySelectorAll("table.cmp tbody tr").length)})</script>'
render() { # report.html -> what was rendered, one figure a line
	sed "s#</body>#${probe//$'\n'/ }</body>#" "$1" >"$T/probe.html"
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --window-size=1200,900 \
		--virtual-time-budget=5000 --dump-dom "file://$T/probe.html" 2>/dev/null >"$T/dom.html"
	sed -n 's/.*data-rendered="\([^"]*\)".*/\1/p' "$T/dom.html" | tr ' ' '\n'
}
check_report() { # db, name, expected kinds
	local db=$1 name=$2 kinds=$3 k line w h p okk=1 n
	if ! "$VFSSIM" report "$db" -o "$T/$name.html" >"$T/out" 2>&1 || ! no_sanitizer_report "$T/out"; then
		bad "report $name"; cat "$T/out"; return
	fi
	n=$(grep -o '([0-9]* plots)' "$T/out" | tr -dc 0-9)
	# self-contained: nothing fetched from anywhere
	if grep -qiE '<script|<link|<img|<iframe| src=|@import|url\((https?:|//)' "$T/$name.html"; then
		bad "report $name refers to something outside it"
	else
		ok "report $name: one self-contained page ($(stat -c %s "$T/$name.html") bytes, $n plots)"
	fi
	if [ -z "$CHROME" ]; then
		bad "no headless Chromium (scripts/ensure-deps installs chromium-headless-shell)"; return
	fi
	render "$T/$name.html" >"$T/rendered"
	for k in $kinds; do
		line=$(grep "^plot-$k:" "$T/rendered")
		IFS=: read -r _ w h p <<<"$line"
		if [ -z "$line" ] || [ "${w:-0}" -lt 400 ] || [ "${h:-0}" -lt 250 ] || [ "${p:-0}" -lt 20 ]; then
			okk=0; echo "     $k: ${line:-not in the page}"
		fi
	done
	rows=$(sed -n 's/.*data-cmp-rows="\([0-9]*\)".*/\1/p' "$T/dom.html")
	if [ $okk = 1 ] && [ "$(wc -l <"$T/rendered")" = "$n" ] && [ "${rows:-0}" -gt 30 ]; then
		ok "report $name in Chromium: every plot rendered ($(tr '\n' ' ' <"$T/rendered")), $rows comparison rows"
	else
		bad "report $name in Chromium: $(tr '\n' ' ' <"$T/rendered"), $rows rows, $n plots"
	fi
}
check_report "$T/cmp.db" compare "latency-cdf time-split latency-time buffers risk disk-head hit-ratio"
check_report "$T/sw.db" sweep "latency-cdf time-split latency-time buffers risk disk-head hit-ratio sweep"
if grep -q 'machine.memory = 32M' "$T/compare.html" && grep -q 'Comparison' "$T/compare.html" &&
	grep -q '<details><summary>nowb' "$T/compare.html"; then
	ok "report: the runs' differing settings, the comparison, each variant's profile"
else
	bad "report: content"
fi
expect_bad "report: not .html" "must end in .html" "$VFSSIM" report "$T/cmp.db" -o "$T/x.pdf"
expect_bad "report: no database" "no-such.db" "$VFSSIM" report "$T/no-such.db" -o "$T/x.html"
if [ ! -e "$T/x.html" ] && [ ! -e "$T/x.html.partial" ]; then
	ok "a failed report leaves no page"
else
	bad "a failed report left a page"
fi

# ---- mrc: one pass against the runs -----------------------------------------
# The curve at the machine's nbuf is exactly LRU's misses on the same
# run's references (bio.opt_bound replays them through LRU at nbuf).
if "$VFSSIM" mrc "${G[@]}" --set bio.opt_bound=true --db "$T/m.db" >"$T/mrc.txt" 2>&1; then
	got=$(sql "$T/m.db" "SELECT value = (SELECT value FROM summary WHERE run = 1 AND metric = 'bio.bound.lru_misses')
		/ (SELECT value FROM summary WHERE run = 1 AND metric = 'bio.bound.refs')
		FROM summary WHERE run = 1 AND metric = 'mrc.miss_ratio_at_nbuf'")
	refs=$(metric "$T/m.db" 1 mrc.refs)
	getblk=$(metric "$T/m.db" 1 bio.getblk)
	pts=$(sql "$T/m.db" "SELECT count(*) FROM mrc WHERE run = 1")
	mono=$(sql "$T/m.db" "SELECT count(*) FROM mrc a JOIN mrc b ON a.run = b.run AND b.buffers > a.buffers
		WHERE a.run = 1 AND b.miss_ratio > a.miss_ratio")
	if [ "$got" = 1 ] && [ "$refs" = "$getblk" ] && [ "$pts" -gt 50 ] && [ "$mono" = 0 ] &&
		grep -q '<- nbuf' "$T/mrc.txt"; then
		ok "mrc: $pts points, never rising; at nbuf exactly LRU's misses on the run's ${refs%.0} references"
	else
		bad "mrc: exact $got, refs $refs getblk $getblk, $pts points, $mono rises"; cat "$T/mrc.txt"
	fi
else
	bad "mrc"; cat "$T/mrc.txt"
fi
# Full replays with an LRU buffer cache at a few sizes: the cache holds at
# most nbuf blocks and at least hibufspace / 16 KB (a buffer takes a
# BKVASIZE, 16 KB, of buffer map), so its miss ratio lies between the curve at
# those two sizes.
sizes="" n=0
for nbuf in 100 300 1000; do
	n=$((n + 1))
	"$VFSSIM" replay "${G[@]}" --set bio.nbuf=$nbuf --set bio.policy=lru --no-events \
		--db "$T/live.db" -q >/dev/null 2>&1
	hb=$(metric "$T/live.db" $n bio.hibufspace)
	sizes="$sizes,$nbuf,$(( ${hb%.*} / 16384 ))"
done
if "$VFSSIM" mrc "${G[@]}" --sizes "${sizes#,}" --db "$T/m2.db" -q >/dev/null 2>&1; then
	n=0 fine=0 said=""
	for nbuf in 100 300 1000; do
		n=$((n + 1))
		hb=$(metric "$T/live.db" $n bio.hibufspace)
		lo_size=$(( ${hb%.*} / 16384 ))
		live=$(sql "$T/live.db" "SELECT 1 - value FROM summary WHERE run = $n AND metric = 'bio.buffer_hit_ratio'")
		at_n=$(sql "$T/m2.db" "SELECT miss_ratio FROM mrc WHERE run = 1 AND buffers = $nbuf")
		at_lo=$(sql "$T/m2.db" "SELECT miss_ratio FROM mrc WHERE run = 1 AND buffers = $lo_size")
		if awk -v l="$live" -v a="$at_n" -v b="$at_lo" 'BEGIN { exit !(l >= a - 0.01 && l <= b + 0.01) }'; then
			fine=$((fine + 1))
		fi
		said="$said nbuf $nbuf: replay $(printf %.3f "$live"), curve $(printf %.3f "$at_n")..$(printf %.3f "$at_lo");"
	done
	if [ $fine = 3 ]; then
		ok "mrc against full replays:$said"
	else
		bad "mrc against full replays:$said"
	fi
else
	bad "mrc --sizes"
fi
# Sampled: a fifth of the blocks followed, the curve close to the exact
# one from 16 / rate buffers up (on so short a stream, within 0.05; the
# unit test holds a long one to 0.025).  8 KB blocks (as before newfs's
# 16 KB default): the 16 MB file is 2048 blocks, enough for a fifth of
# them to stand for all; the sampling is the same whatever the block size.
G2=(--gen random --param size=16M --param ops=8000 --param read=1 --param zipf=0.7
	--set ffs.bsize=8K --set ffs.fsize=1K)
if "$VFSSIM" mrc "${G2[@]}" --rate 0.2 --db "$T/m3.db" -q >/dev/null 2>&1 &&
	"$VFSSIM" mrc "${G2[@]}" --db "$T/m4.db" -q >/dev/null 2>&1; then
	rate=$(metric "$T/m3.db" 1 mrc.rate)
	sampled=$(metric "$T/m3.db" 1 mrc.sampled_refs)
	refs=$(metric "$T/m3.db" 1 mrc.refs)
	worst=$(sql "$T/m3.db" "ATTACH '$T/m4.db' AS x; SELECT printf('%.4f', max(abs(a.miss_ratio - b.miss_ratio)))
		FROM mrc a JOIN x.mrc b ON a.buffers = b.buffers WHERE a.buffers >= 80")
	if [ "$rate" = 0.2 ] && awk -v s="$sampled" -v r="$refs" -v w="$worst" \
		'BEGIN { exit !(s > 0.1 * r && s < 0.3 * r && w < 0.05) }'; then
		ok "mrc --rate 0.2: ${sampled%.0} of ${refs%.0} references followed; within $worst of the exact curve"
	else
		bad "mrc --rate 0.2: rate $rate, $sampled of $refs, worst $worst"
	fi
else
	bad "mrc --rate"
fi
expect_bad "mrc: bad rate" "--rate" "$VFSSIM" mrc "$T/r.trace" --rate 2 --db "$T/bad.db"
expect_bad "mrc: bad sizes" "--sizes" "$VFSSIM" mrc "$T/r.trace" --sizes 10,x --db "$T/bad.db"
expect_bad "mrc: unknown key" "unknown setting" "$VFSSIM" mrc "$T/r.trace" --set bio.nbufs=1 --db "$T/bad.db"
[ ! -e "$T/bad.db" ] && ok "bad mrc input leaves no database" || bad "bad mrc input left a database"

finish
