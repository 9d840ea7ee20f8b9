#!/usr/bin/env bash
# End-to-end tests of results a researcher can trust and query (issue
# #17): every call type shown (ordered by the time its calls took, --calls
# to limit), -jN, vfssim --version naming the commit.
#
#   VFSSIM=build/check/vfssim tests/e2e-results.sh
. "$(dirname "$0")/lib.sh" e2e-results
expect 7

D1=traces/d1-sqlite-journal.strace.gz

# ---- every call type, the expensive ones first -------------------------------
# d1 has 16 call types; the old tables kept the 8 most frequent.
if "$VFSSIM" compare "$D1" -V a= -V b=vfs.write_behind=0 --db "$T/c.db" -j2 >"$T/c.txt" 2>"$T/err" &&
	no_sanitizer_report "$T/err"; then
	ok "compare -j2: the attached spelling of --jobs is taken"
	# the call types by total time (count x mean) in the first variant
	want=$(sql "$T/c.db" "SELECT group_concat(c, ' ') FROM (SELECT substr(a.metric, 9,
		length(a.metric) - 14) AS c FROM summary a JOIN summary b ON b.run = a.run AND
		b.metric = replace(a.metric, '.count', '.mean_ns') WHERE a.run = 1 AND
		a.metric LIKE 'latency.%.count' AND a.metric <> 'latency.all.count'
		ORDER BY a.value * b.value DESC, c)")
	got=$(awk '$NF != "" && / mean / && $1 != "all" { c = ($1 == "latency") ? $2 : $1;
		if (c != "all" && c != "mean") printf "%s%s", n++ ? " " : "", c }' "$T/c.txt")
	n=$(echo "$want" | wc -w)
	if [ "$n" -ge 12 ] && [ "$got" = "$want" ]; then
		ok "compare: all $n call types have rows, by the time their calls took ($(echo "$got" | cut -d' ' -f1-3) ...)"
	else
		bad "compare: call types shown \"$got\", wanted \"$want\""
	fi
else
	bad "compare -j2"; head -5 "$T/err"
fi
if "$VFSSIM" compare "$D1" -V a= --calls 2 --db "$T/c2.db" >"$T/c2.txt" 2>&1 &&
	[ "$(grep -c ' mean  ' "$T/c2.txt")" = 3 ]; then
	ok "compare --calls 2: latency rows for all and the two most expensive call types only"
else
	bad "compare --calls 2"; grep ' mean ' "$T/c2.txt"
fi

# ---- plots: any call type --------------------------------------------------
# unlink is the 10th call type by count: once cut before --call applied.
if "$VFSSIM" plot "$T/c.db" --run 1 --call unlink -o "$T/u.svg" >"$T/out" 2>&1 &&
	grep -q 'unlink (9 calls)' "$T/u.svg"; then
	ok "plot --call unlink: a call type past the 8 most frequent is plotted"
else
	bad "plot --call unlink"; head -3 "$T/out"
fi
# the distinct series' titles of an SVG
series() { grep -o '<title>[^<]* calls)</title>' "$1" | sort -u | wc -l; }
if "$VFSSIM" plot "$T/c.db" --run 1 -o "$T/all.svg" >"$T/out" 2>&1 &&
	[ "$(series "$T/all.svg")" -ge 16 ] &&
	"$VFSSIM" plot "$T/c.db" --run 1 --calls 3 -o "$T/three.svg" >/dev/null 2>&1 &&
	[ "$(series "$T/three.svg")" = 3 ] && grep -q 'fdatasync (52 calls)' "$T/three.svg"; then
	ok "plot latency-cdf of one run: every call type ($(series "$T/all.svg")); --calls 3 the three that took most time"
else
	bad "plot latency-cdf: every call type / --calls"; head -3 "$T/out"
fi

# ---- identity -----------------------------------------------------------------
c=$(scripts/git-commit)
if "$VFSSIM" --version >"$T/v" 2>&1 && grep -qE '^vfssim [0-9.]+ \(commit [0-9a-f]{12}(-dirty)?|unknown\)$' "$T/v" &&
	{ [ "$c" = unknown ] || grep -qF "$c" "$T/v"; }; then
	ok "vfssim --version names the commit: $(cat "$T/v")"
else
	bad "vfssim --version: $(cat "$T/v") (tree at $c)"
fi
expect_bad "compare: -jx is not a number" "-j" "$VFSSIM" compare "$D1" -V a= -jx --db "$T/bad.db"

finish
