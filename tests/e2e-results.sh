#!/usr/bin/env bash
# End-to-end tests of results a researcher can trust and query (issue
# #17): every call type shown (ordered by the time its calls took, --calls
# to limit), -jN, vfssim --version naming the commit; what a run is
# (runs' commit, trace digest and size, command line; run_settings;
# user_version), a single database file left behind, duplicate runs
# found by merge, seeds that could change nothing refused, a native trace
# named X.1 read as itself, databases of schema 1 and 2 still read, and
# how schema 3 stores the per-call rows (appended, indexed once a second
# run comes).
#
#   VFSSIM=build/check/vfssim tests/e2e-results.sh
. "$(dirname "$0")/lib.sh" e2e-results
expect 34

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
# Where the key lies: the y of the text element before a string in an SVG
# (gnuplot writes each text as <g transform="translate(X,Y)"> then it).
text_y() { grep -B3 -F "$2" "$1" | grep -o 'translate([0-9.]*,[0-9.]*)' | tail -1 |
	sed 's/.*,\(.*\))/\1/'; }
axis=$(text_y "$T/all.svg" 'latency (µs, log scale)')
key=$(text_y "$T/all.svg" 'fdatasync (52 calls)')
axis3=$(text_y "$T/three.svg" 'latency (µs, log scale)')
key3=$(text_y "$T/three.svg" 'fdatasync (52 calls)')
if [ -n "$axis" ] && [ -n "$key" ] && [ -n "$key3" ] &&
	awk -v a="$axis" -v k="$key" -v a3="$axis3" -v k3="$key3" \
	'BEGIN { exit !(k > a && k3 < a3) }'; then
	ok "plot latency-cdf: 16 call types' key below the axis label ($key > $axis), three's inside the plot ($key3 < $axis3): no key over the curves"
else
	bad "plot latency-cdf key: 16 types at y $key, axis label $axis; 3 types at $key3, axis label $axis3"
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

# ---- what a run is -------------------------------------------------------------
# run 1 of c.db: variant a of the compare above
row=$(sql "$T/c.db" "SELECT commit_id, trace_digest, trace_size, cmdline FROM runs WHERE id = 1")
want="$c|$(sha256sum "$D1" | cut -d' ' -f1)|$(stat -c %s "$D1")|vfssim compare $D1 -V a= -V b=vfs.write_behind=0 --db $T/c.db -j 2"
if [ "$row" = "$want" ]; then
	ok "runs: the commit built from, the trace's SHA-256 and size, the command line"
else
	bad "runs row: \"$row\", wanted \"$want\""
fi
nkeys=$("$VFSSIM" profile --ini | grep -c '^[a-z_0-9]*=')
got=$(sql "$T/c.db" "SELECT count(*), sum(key = 'cluster.write_behind' AND value = '1') FROM run_settings WHERE run = 1;
	SELECT value FROM run_settings WHERE run = 2 AND key = 'cluster.write_behind'" | tr '\n' ' ')
if [ "$got" = "$nkeys|1 0 " ]; then
	ok "run_settings: every one of the $nkeys effective settings of a run, a row each (variant b: cluster.write_behind 0)"
else
	bad "run_settings: $got (wanted $nkeys keys, write_behind true then false)"
fi
if [ "$(sql "$T/c.db" "PRAGMA user_version")" = 3 ]; then
	ok "PRAGMA user_version is the schema version, 3"
else
	bad "user_version $(sql "$T/c.db" "PRAGMA user_version")"
fi
# A database is one file once its last writer has closed it.
"$VFSSIM" replay "$D1" --db "$T/r.db" >/dev/null 2>&1
"$VFSSIM" merge "$T/m.db" "$T/r.db" >/dev/null 2>&1
"$VFSSIM" plot "$T/m.db" -o "$T/m.png" >/dev/null 2>&1
left=$(cd "$T" && ls -- *-wal *-shm 2>/dev/null | tr '\n' ' ')
if [ -z "$left" ] && [ -s "$T/m.png" ]; then
	ok "replay, compare, merge and plot leave each database a single file (no -wal, -shm)"
else
	bad "left behind: $left"
fi

# ---- duplicates ---------------------------------------------------------------------
expect_bad "merge: the same run twice" "run 1 is run 1 of $T/m.db again" \
	"$VFSSIM" merge "$T/m.db" "$T/r.db"
if [ "$(sql "$T/m.db" "SELECT count(*) FROM runs")" = 1 ] &&
	"$VFSSIM" merge --allow-duplicates "$T/m.db" "$T/r.db" >/dev/null 2>"$T/err" &&
	grep -q 'warning: .*run 1 is run 1 of' "$T/err" &&
	[ "$(sql "$T/m.db" "SELECT count(*) FROM runs")" = 2 ]; then
	ok "merge: the refused duplicate added nothing; --allow-duplicates merges it with a warning"
else
	bad "merge --allow-duplicates"; head -3 "$T/err"
fi
if "$VFSSIM" compare "$D1" -V a= --db "$T/c2.db" -q >/dev/null 2>"$T/err" &&
	grep -q 'warning: .* is run 1 of .*c2.db again' "$T/err"; then
	ok "compare into a database that has its run already: kept, with a warning"
else
	bad "compare twice: no warning"; head -3 "$T/err"
fi
expect_bad "compare --seeds 3 on a trace" "replaying a trace is deterministic" \
	"$VFSSIM" compare "$D1" -V a= --seeds 3 --db "$T/s.db"

# ---- a native trace named like an -ff member ---------------------------------------
"$VFSSIM" gen seq --param size=1M -o "$T/x.1" >/dev/null 2>&1
"$VFSSIM" gen seq --param size=2M -o "$T/x.2" >/dev/null 2>&1
if "$VFSSIM" replay "$T/x.1" --db "$T/x.db" -q >"$T/out" 2>&1 &&
	[ "$(sql "$T/x.db" "SELECT format || ' ' || trace_size FROM runs")" = "native $(stat -c %s "$T/x.1")" ]; then
	ok "a native trace x.1 next to x.2 is replayed as that file, not an strace -ff set"
else
	bad "native x.1"; head -3 "$T/out"
fi

# ---- mrc records as replay does; plot passes over runs without rows ------------
"$VFSSIM" mrc "$D1" --db "$T/mrc.db" -q >/dev/null 2>&1
"$VFSSIM" mrc "$D1" --db "$T/mrc.db" -q --no-events --label quick >/dev/null 2>&1
n=$(sql "$T/mrc.db" "SELECT group_concat(n, ' ') FROM (SELECT (SELECT count(*) FROM syscalls
	WHERE run = r.id) AS n FROM runs r ORDER BY id)")
if [ "${n%% *}" -gt 0 ] && [ "${n#* }" = 0 ] &&
	"$VFSSIM" plot "$T/mrc.db" --kind latency-time -o "$T/lt.svg" >/dev/null 2>&1 &&
	grep -q 'mrc, d1-sqlite-journal.strace.gz (run 1)' "$T/lt.svg"; then
	ok "mrc records per-call rows unless --no-events; plot latency-time passes over run 2 (none) for run 1, named in the title"
else
	bad "mrc rows ($n) / plot default run"
fi

# ---- one name per setting ------------------------------------------------------
# Every line vfssim sysctl prints can be given back to --set as printed,
# or says it is read-only (and is refused).
"$VFSSIM" sysctl >"$T/sysctl.txt" 2>&1
bad_lines=0 n=0 ro=0
while IFS= read -r line; do
	name=${line%%: *} v=${line#*: }
	n=$((n + 1))
	case $v in
	*" (read-only)") ro=$((ro + 1))
		"$VFSSIM" sysctl --set "$name=${v% (read-only)}" >/dev/null 2>&1 && bad_lines=$((bad_lines + 1)) ;;
	*) "$VFSSIM" sysctl --set "$name=$v" >"$T/s1" 2>&1 && grep -qxF "$name: $v" "$T/s1" ||
		{ bad_lines=$((bad_lines + 1)); echo "     $name=$v: $(head -c 120 "$T/s1")"; } ;;
	esac
done <"$T/sysctl.txt"
if [ "$n" -gt 50 ] && [ "$bad_lines" = 0 ] && [ "$ro" -gt 0 ]; then
	ok "sysctl: each of its $n names takes back the value it prints ($ro marked read-only, and refused)"
else
	bad "sysctl: $bad_lines of $n lines are neither settable as printed nor marked read-only"
fi
if "$VFSSIM" sysctl --set kern.filedelay=7 2>&1 | grep -qx 'kern.filedelay: 7'; then
	ok "sysctl: kern.filedelay=7 is 7 seconds, an integer as the kernel's sysctl holds it"
else
	bad "kern.filedelay=7"
fi
expect_bad "a bad value names the setting as typed" "kern.filedelay = \"soon\"" \
	"$VFSSIM" sysctl --set kern.filedelay=soon
groups=$(grep '^\[' profiles/default.ini | sort | uniq -d)
if [ -z "$groups" ] && "$VFSSIM" profile --ini | cmp -s - profiles/default.ini; then
	ok "profiles/default.ini is vfssim profile --ini (GKeyFile), each group once"
else
	bad "default.ini: groups twice: $groups, or not what profile --ini writes"
fi
"$VFSSIM" sweep --gen seq --param size=1M --grid machine.memory=32M,64M --grid kern.filedelay=5s,30s \
	--db "$T/sw.db" -q >/dev/null 2>&1
if "$VFSSIM" plot "$T/sw.db" --kind sweep -o "$T/sw.svg" >/dev/null 2>&1 &&
	grep -q 'kern.filedelay=5s' "$T/sw.svg" && grep -q 'against machine.memory' "$T/sw.svg" &&
	! grep -q 'hw.physmem\|syncer.filedelay' "$T/sw.svg"; then
	ok "sweep plot: the settings named as typed in --grid (machine.memory, kern.filedelay), no other name"
else
	bad "sweep plot names"
fi

# ---- disk I/O tied to files and issuers ---------------------------------------
# A file written at 1 s and left dirty: its four blocks reach the disk as
# one cluster the syncer writes at the syncer vnode's first sweep, 16 s
# (sched_sync -> ffs_sync(MNT_LAZY)), its inode block at 29 s (metadelay
# 28 s), and at the end the final sync ("shutdown") writes what is left.
cat >"$T/sy.trace" <<'EOF2'
#vfssim-trace 1
1000000000 100 openat 3 10000 fd=AT_FDCWD path="/data/f" oflags=O_WRONLY|O_CREAT mode=0644 retpath="/data/f"
1000100000 100 write 65536 50000 fd=3 len=65536 fdpath="/data/f"
1000200000 100 close 0 1000 fd=3 fdpath="/data/f"
60000000000 100 newfstatat 0 1000 fd=AT_FDCWD path="/data/f" size=65536 type=REG
61000000000 100 +++ 0 -
EOF2
"$VFSSIM" replay "$T/sy.trace" --db "$T/sy.db" -q >"$T/out" 2>&1
got=$(sql "$T/sy.db" "SELECT submit_ns / 1000000000, bufs, lblkno, what, path, issuer, cause FROM disk_io
	WHERE is_write AND ino IS NOT NULL AND what = 'data'" | tr '\n' ' ')
meta=$(sql "$T/sy.db" "SELECT count(*) FROM disk_io WHERE is_write AND what = 'inode block' AND issuer = 'syncer'
	AND submit_ns BETWEEN 28e9 AND 31e9")
reads=$(sql "$T/sy.db" "SELECT count(*) FROM disk_io WHERE NOT is_write AND issuer = 'process' AND pid = 100")
if [ "$got" = "16|4|0|data|/data/f|syncer|syncer " ] && [ "$meta" -ge 1 ] && [ "$reads" -ge 1 ]; then
	ok "disk_io: /data/f's 4 blocks written by the syncer at 16 s as one cluster, its inode block by the syncer at 29 s; reads issued by pid 100"
else
	bad "disk_io identity: data \"$got\", inode block $meta, process reads $reads"
	sql "$T/sy.db" "SELECT * FROM disk_io" | head -12
fi
# The bundled sqlite capture (c.db, variant a): every request says what it
# was for and who issued it; the per-file view adds up to the table.
chk=$(sql "$T/c.db" "SELECT (SELECT count(*) FROM disk_io WHERE run = 1 AND (what IS NULL OR cause IS NULL OR issuer IS NULL)),
	(SELECT sum(bytes) FROM disk_by_file WHERE run = 1) = (SELECT sum(sectors) * 512 FROM disk_io WHERE run = 1),
	(SELECT file FROM disk_by_file WHERE run = 1 ORDER BY disk_ns DESC LIMIT 1),
	(SELECT count(DISTINCT cause) FROM disk_io WHERE run = 1) >= 5,
	(SELECT count(*) FROM disk_busy_by_second WHERE run = 1) > 3,
	(SELECT count(*) FROM call_latency WHERE run = 1 AND call = 'fdatasync' AND p99_ns > 0)" | tr '\n' ' ')
if [ "$chk" = "0|1|/home/user/srv/test.db|1|1|1 " ]; then
	ok "disk_io of a capture: every request has what, cause and issuer; disk_by_file adds up, test.db first; disk_busy_by_second, call_latency"
else
	bad "disk_io of a capture: $chk"
fi
# syscalls.path: every simulated call on a descriptor names its file.
nopath=$(sql "$T/c.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND class = 'sim' AND fd >= 0 AND path IS NULL")
withfd=$(sql "$T/c.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND class = 'sim' AND fd >= 0")
if [ "$nopath" = 0 ] && [ "$withfd" -gt 30000 ]; then
	ok "syscalls.path: all $withfd simulated calls on a descriptor name its file"
else
	bad "syscalls.path: $nopath of $withfd calls on a descriptor without a path"
fi

# ---- the drive's waits, measured -------------------------------------------------
# The capture's writes go to the drive's write cache; one arriving while
# the cache is being flushed waits for the heads (diskctlr.c: wait_media
# behind a flush) -- timed as drain_ns, within the request's overhead.
# What is left of the overhead (the controller and the bus) is no longer
# milliseconds on writes reported from the cache, and the time split
# names the wait.
w=$(sql "$T/c.db" "SELECT (SELECT count(*) FROM disk_io WHERE run = 1 AND (drain_ns < 0 OR cachefull_ns < 0
		OR readahead_ns < 0 OR drain_ns + cachefull_ns + readahead_ns > overhead_ns)),
	(SELECT sum(drain_ns) > 0 FROM disk_io WHERE run = 1 AND is_write),
	(SELECT avg(overhead_ns) > 1e6 AND avg(overhead_ns - drain_ns - cachefull_ns - readahead_ns) < 1e6
		FROM disk_io WHERE run = 1 AND is_write AND cache_hit = 2),
	(SELECT count(*) FROM time_split WHERE run = 1 AND call = 'fdatasync' AND part = 'disk:cache drain' AND ns > 0)" |
	tr '\n' ' ')
if [ "$w" = "0|1|1|1 " ]; then
	ok "disk waits measured: drain_ns within overhead; cached writes' controller-and-bus under 1 ms once the drain is named; fdatasync's split has 'disk:cache drain'"
else
	bad "disk waits: $w"
fi
# And the rest of the overhead, timed by what the interface did outside
# the media access (diskctlr.c: acct_split): every row's overhead is its
# seven parts; the writes reported from the cache spent it on the
# controller and waiting for the drain, not on the media; the time split
# names the controller's part and no longer has an untimed 'disk:overhead'.
w=$(sql "$T/c.db" "SELECT (SELECT count(*) FROM disk_io WHERE run = 1 AND overhead_ns != ctlr_ns + bus_ns +
		mediawait_ns + roomwait_ns + drain_ns + cachefull_ns + readahead_ns),
	(SELECT count(*) FROM disk_io WHERE run = 1 AND min(ctlr_ns, bus_ns, mediawait_ns, roomwait_ns) < 0),
	(SELECT sum(ctlr_ns) > 0 AND sum(ctlr_ns + drain_ns) > 0.9 * sum(overhead_ns)
		FROM disk_io WHERE run = 1 AND is_write AND cache_hit = 2),
	(SELECT count(*) FROM time_split WHERE run = 1 AND part = 'disk:overhead'),
	(SELECT count(*) > 0 FROM time_split WHERE run = 1 AND part = 'disk:controller' AND ns > 0)" |
	tr '\n' ' ')
if [ "$w" = "0|0|1|0|1 " ]; then
	ok "the drive's interface timed: overhead = controller + bus + waiting for media + for room + the waits for the heads, in every row; the time split has 'disk:controller', no 'disk:overhead'"
else
	bad "interface parts: $w"
fi

# ---- identical runs do not hide each other -------------------------------------
# Two variants with the same settings: the same figures.  Overlaid, the
# second run's line is drawn thinner inside the first's (4.0 then 3.3 px).
"$VFSSIM" compare --gen seq --param size=1M -V a= -V b= --db "$T/id.db" -q --no-events >/dev/null 2>&1
if "$VFSSIM" plot "$T/id.db" --runs 1,2 -o "$T/id.svg" >/dev/null 2>&1 &&
	grep -q 'stroke-width="4.00"' "$T/id.svg" &&
	grep -q 'stroke-width="3.30"' "$T/id.svg"; then
	ok "plot of two identical runs: the second line drawn thinner inside the first, both seen"
else
	bad "identical runs overlaid: widths $(grep -o 'stroke-width="[0-9.]*"' "$T/id.svg" | sort -u | tr '\n' ' ')"
fi

# ---- schema 1 -----------------------------------------------------------------------
# A database as vfssim wrote it before schema 2: no run_settings, no new
# columns in runs, user_version 1.
cp "$T/r.db" "$T/old.db"
sql "$T/old.db" "DROP TABLE run_settings; ALTER TABLE runs DROP COLUMN commit_id;
	ALTER TABLE runs DROP COLUMN trace_digest; ALTER TABLE runs DROP COLUMN trace_size;
	ALTER TABLE runs DROP COLUMN cmdline; PRAGMA user_version = 1"
if "$VFSSIM" plot "$T/old.db" -o "$T/old.png" >/dev/null 2>&1 &&
	"$VFSSIM" report "$T/old.db" -o "$T/old.html" >/dev/null 2>&1 &&
	"$VFSSIM" merge "$T/new.db" "$T/old.db" "$T/r.db" >/dev/null 2>&1 &&
	[ "$(sql "$T/new.db" "SELECT count(*) FROM runs; SELECT count(DISTINCT run) FROM run_settings;
		PRAGMA user_version" | tr '\n' ' ')" = "2 1 3 " ]; then
	ok "a schema-1 database is plotted, reported and merged (its run without settings rows)"
else
	bad "schema 1 database"
fi

# ---- schema 3: how the per-call rows are stored ----------------------------------
# syscalls and disk_io are rowid tables without a key, a run's rows
# appended in seq order; their index on (run, seq) is made once a
# database holds a second run (metrics_index_runs), never for one run.
idx() { sql "$1" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema
	WHERE type = 'index' AND tbl_name IN ('syscalls', 'disk_io') ORDER BY name)"; }
inorder=$(sql "$T/r.db" "SELECT count(*), sum(seq = rowid - (SELECT min(rowid) FROM syscalls)) FROM syscalls" | tr '|' ' ')
plan=$(sql "$T/c.db" "EXPLAIN QUERY PLAN SELECT start_ns FROM syscalls WHERE run = 2" | tr '\n' ' ')
if [ -z "$(idx "$T/r.db")" ] && [ "${inorder% *}" -gt 100 ] && [ "${inorder% *}" = "${inorder#* }" ] &&
	[ "$(idx "$T/c.db")" = "disk_io_run syscalls_run" ] && [ "${plan#*USING INDEX syscalls_run}" != "$plan" ]; then
	ok "schema 3: one run's ${inorder% *} syscalls rows appended in seq order with no index; two runs: syscalls_run and disk_io_run, and a run's rows found by it"
else
	bad "schema 3 storage: one run: index \"$(idx "$T/r.db")\", rows in order $inorder; two runs: \"$(idx "$T/c.db")\", plan $plan"
fi
# A second run recorded into a one-run database makes the index.
cp "$T/r.db" "$T/two.db"
"$VFSSIM" replay traces/formats/07-zoo.strace --db "$T/two.db" -q >/dev/null 2>&1
if [ "$(idx "$T/two.db")" = "disk_io_run syscalls_run" ] &&
	[ "$(sql "$T/two.db" "SELECT count(*) FROM runs WHERE status = 'complete'")" = 2 ]; then
	ok "schema 3: the second run recorded into a database makes the index"
else
	bad "schema 3: a second run: index \"$(idx "$T/two.db")\""
fi

# ---- schema 2 -----------------------------------------------------------------------
# A database as vfssim wrote it before schema 3: syscalls and disk_io
# WITHOUT ROWID, keyed by (run, seq), user_version 2.  Read as it is;
# recorded into, it keeps its keyed tables (no index added) and is
# stamped 3.
cp "$T/r.db" "$T/s2.db"
views=$(sql "$T/s2.db" "SELECT group_concat(sql || ';', ' ') FROM sqlite_schema WHERE type = 'view'")
conv="PRAGMA legacy_alter_table = ON; BEGIN;"
for t in syscalls disk_io; do
	ddl=$(sql "$T/s2.db" "SELECT sql FROM sqlite_schema WHERE name = '$t'")
	ddl=${ddl/CREATE TABLE $t/CREATE TABLE old_$t}
	conv="$conv ${ddl%)}, PRIMARY KEY (run, seq)) WITHOUT ROWID;
		INSERT INTO old_$t SELECT * FROM $t; DROP TABLE $t; ALTER TABLE old_$t RENAME TO $t;"
done
sql "$T/s2.db" "$(sql "$T/s2.db" "SELECT group_concat('DROP VIEW ' || name || ';', ' ') FROM sqlite_schema WHERE type = 'view'")
	$conv $views PRAGMA user_version = 2; COMMIT;"
rows2=$(sql "$T/s2.db" "SELECT count(*) FROM syscalls WHERE run = 1")
if [ "$(sql "$T/s2.db" "SELECT count(*) FROM pragma_index_list('syscalls') WHERE origin = 'pk'; PRAGMA user_version" | tr '\n' ' ')" = "1 2 " ] &&
	[ "$rows2" = "${inorder% *}" ] &&
	"$VFSSIM" plot "$T/s2.db" --kind latency-time -o "$T/s2.png" >/dev/null 2>&1 &&
	"$VFSSIM" report "$T/s2.db" -o "$T/s2.html" >/dev/null 2>&1 &&
	"$VFSSIM" merge "$T/s2m.db" "$T/s2.db" "$T/two.db" --allow-duplicates >/dev/null 2>&1 &&
	[ "$(sql "$T/s2m.db" "SELECT count(*) FROM runs; SELECT count(*) FROM syscalls WHERE run = 1" | tr '\n' ' ')" = "3 $rows2 " ] &&
	[ "$(idx "$T/s2m.db")" = "disk_io_run syscalls_run" ] &&
	"$VFSSIM" replay traces/formats/07-zoo.strace --db "$T/s2.db" -q >/dev/null 2>&1 &&
	[ "$(sql "$T/s2.db" "PRAGMA user_version; SELECT count(*) FROM runs WHERE status = 'complete';
		SELECT min(seq) FROM syscalls WHERE run = 2" | tr '\n' ' ')" = "3 2 0 " ] &&
	[ -z "$(idx "$T/s2.db")" ]; then
	ok "a schema-2 database (keyed WITHOUT ROWID tables) is plotted, reported and merged ($rows2 rows), and recorded into: stamped 3, its keyed tables kept with no index added"
else
	bad "schema 2 database: $(sql "$T/s2.db" "PRAGMA user_version; SELECT count(*) FROM runs" 2>&1 | tr '\n' ' ') index \"$(idx "$T/s2.db")\""
fi

# ---- schema 2: the disk's overhead untimed -----------------------------------------------------------------------
# A database as vfssim wrote it at schema 2: disk_io without the interface's
# parts, a time split with the untimed 'disk:overhead'.  Read, plotted with
# that part's old title, reported and merged (the old rows' new columns
# NULL).
cp "$T/c.db" "$T/v2.db"
sql "$T/v2.db" "DROP VIEW IF EXISTS disk_by_file; DROP VIEW IF EXISTS disk_by_issuer;
	DROP VIEW IF EXISTS disk_busy_by_second; DROP VIEW IF EXISTS call_latency;
	ALTER TABLE disk_io DROP COLUMN ctlr_ns; ALTER TABLE disk_io DROP COLUMN bus_ns;
	ALTER TABLE disk_io DROP COLUMN mediawait_ns; ALTER TABLE disk_io DROP COLUMN roomwait_ns;
	DELETE FROM time_split WHERE part IN ('disk:bus', 'disk:media wait', 'disk:cache room');
	UPDATE time_split SET part = 'disk:overhead' WHERE part = 'disk:controller';
	PRAGMA user_version = 2" >/dev/null 2>&1
rm -f "$T/new2.db"
if "$VFSSIM" plot "$T/v2.db" --kind time-split -o "$T/v2.svg" >/dev/null 2>&1 &&
	grep -q 'controller and bus' "$T/v2.svg" &&
	"$VFSSIM" report "$T/v2.db" -o "$T/v2.html" >/dev/null 2>&1 &&
	"$VFSSIM" merge "$T/new2.db" "$T/v2.db" >/dev/null 2>&1 &&
	[ "$(sql "$T/new2.db" "SELECT count(*) = sum(ctlr_ns IS NULL) AND count(*) > 0 FROM disk_io;
		PRAGMA user_version" | tr '\n' ' ')" = "1 3 " ]; then
	ok "a schema-2 database is plotted ('disk: controller and bus'), reported and merged (its disk_io rows' new columns NULL)"
else
	bad "schema 2 database"
fi

finish
