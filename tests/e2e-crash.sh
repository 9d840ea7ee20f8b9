#!/usr/bin/env bash
# End-to-end tests of a crash at any instant (crash.at, --set
# crash.at=T1,T2,...; issue #16): a create/append/delete workload
# (PostMark-like, with think times so that the syncer writes part of it)
# crashed at every second of its run on a synchronous and on an async
# mount, a database log with fsync'd commits, and a snapshot under load;
# at every instant the disk is fsck'ed and what is lost checked against
# the version oracle:
#   - sync: fsck never repairs a name or a pointer to the wrong thing
#     (crash_unsafe_repairs) but inside a mkdir's window, every name whose
#     call returned is there, fsync'd data is never lost, recent data is;
#   - async: names of calls that returned are lost, and fsck repairs what
#     only unordered writes leave (names of free inodes, ...);
#   - soft updates (every 5 s for two minutes, so that the syncer's
#     rounds put names on the disk): the disk holds only consistent
#     states — fsck finds leaked blocks and inodes, files nothing names
#     and link counts too high, never a name of a free inode, a block
#     in a file but free in the map, or a count too low — and fsync'd data
#     is never lost; with a snapshot taken, and files it shares removed
#     after it (their blocks claimed from the worklist), the same;
#   - the RELENG_4 era keeps the same promises;
#   - the same run gives the same crash rows; bad times are refused.
#
#   VFSSIM=build/check/vfssim tests/e2e-crash.sh
. "$(dirname "$0")/lib.sh" e2e-crash
expect 20
AT=$(seq -s, 1 1 24 | sed 's/\([0-9][0-9]*\)/\1s/g')
small=(--set ffs.size=512M)
pm=(--gen postmark --param files=150 --param transactions=1000 --param think=20ms)
# At how many instants metric $3 of run db $1 satisfies "value $2".
at() { sql "$1" "SELECT count(*) FROM crash WHERE metric = '$3' AND value $2"; }
instants() { sql "$1" "SELECT count(DISTINCT t_ns) FROM crash"; }

# ---- a synchronous mount ------------------------------------------------------
if "$VFSSIM" replay "${pm[@]}" "${small[@]}" --set crash.at="$AT" \
	--db "$T/sync.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/sync.db")
	unsafe=$(at "$T/sync.db" "> 0" unsafe_repairs)
	lostnames=$(at "$T/sync.db" "> 0" committed_names_lost)
	fsynclost=$(at "$T/sync.db" "> 0" fsync_lost_bytes)
	recent=$(at "$T/sync.db" "> 0" bytes_lost)
	names=$(sql "$T/sync.db" "SELECT max(value) FROM crash WHERE metric = 'committed_names'" | sed 's/\.0$//')
	fsck=$(at "$T/sync.db" "> 0" fsck_ns)
	if [ "$n" = 24 ] && [ "$unsafe" = 0 ] && [ "$lostnames" = 0 ] &&
		[ "$fsynclost" = 0 ] && [ "$recent" -ge 12 ] && [ "${names:-0}" -ge 50 ] &&
		[ "$fsck" = 24 ]; then
		ok "sync: $n crashes, no unsafe repair, every returned name (up to $names) kept, recent data lost at $recent"
	else
		bad "sync: $n instants, unsafe at $unsafe, names lost at $lostnames, fsync lost at $fsynclost, data lost at $recent, names $names, fsck timed at $fsck"
	fi
else
	bad "replay sync"; head -5 "$T/out"
fi

# ---- a tree of directories on a synchronous mount ---------------------------------
# 2001's ufs_mkdir writes the new directory's inode, pointing at its block,
# before the block and the name: a crash in that window finds a directory
# nothing names (and its block stale) — the one unsafe repair the
# synchronous order leaves, and never a returned name lost.
if "$VFSSIM" replay --gen tree --param depth=2 "${small[@]}" --set crash.at="$AT" \
	--db "$T/tree.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/tree.db")
	lostnames=$(at "$T/tree.db" "> 0" committed_names_lost)
	back=$(at "$T/tree.db" "> 0" names_back)
	window=$(at "$T/tree.db" "> 0" dirs_reconnected)
	other=$(sql "$T/tree.db" "SELECT count(*) FROM crash WHERE metric IN ('dup_frags', 'bad_ptrs', 'inodes_cleared') AND value > 0")
	if [ "$n" -ge 10 ] && [ "$lostnames" = 0 ] && [ "$back" = 0 ] && [ "$window" -ge 1 ] &&
		[ "$other" = 0 ]; then
		ok "tree on sync: $n crashes, no returned name lost, none back, a mkdir's window at $window, no dup or bad block"
	else
		bad "tree on sync: $n instants, names lost at $lostnames, back at $back, window at $window, dup/bad at $other"
	fi
else
	bad "replay tree"; head -5 "$T/out"
fi

# ---- an async mount -----------------------------------------------------------
if "$VFSSIM" replay "${pm[@]}" "${small[@]}" --set crash.at="$AT" \
	--set ffs.metadata=async --db "$T/async.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/async.db")
	unsafe=$(at "$T/async.db" "> 0" unsafe_repairs)
	lostnames=$(at "$T/async.db" "> 0" committed_names_lost)
	if [ "$n" = 24 ] && [ "$unsafe" -ge 1 ] && [ "$lostnames" -ge 12 ]; then
		ok "async: $n crashes, unsafe repairs at $unsafe, returned names lost at $lostnames"
	else
		bad "async: $n instants, unsafe at $unsafe, names lost at $lostnames"
	fi
else
	bad "replay async"; head -5 "$T/out"
fi

# ---- soft updates -------------------------------------------------------------
SDAT=$(seq -s, 5 5 120 | sed 's/\([0-9][0-9]*\)/\1s/g')
if "$VFSSIM" replay "${pm[@]}" "${small[@]}" --set crash.at="$SDAT" \
	--set ffs.softdep=on --db "$T/softdep.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/softdep.db")
	meta=$(at "$T/softdep.db" "= 3" meta)
	unsafe=$(at "$T/softdep.db" "> 0" unsafe_repairs)
	wrong=$(sql "$T/softdep.db" "SELECT count(DISTINCT t_ns) FROM crash WHERE metric IN ('linkcnt_low', 'map_missing', 'ino_map_missing', 'partial_trunc', 'dirent_unalloc') AND value > 0")
	fsynclost=$(at "$T/softdep.db" "> 0" fsync_lost_bytes)
	safe=$(sql "$T/softdep.db" "SELECT count(DISTINCT t_ns) FROM crash WHERE metric IN ('leaked_frags', 'leaked_inodes', 'unref_cleared', 'linkcnt_high') AND value > 0")
	ondisk=$(sql "$T/softdep.db" "SELECT count(*) FROM (SELECT t_ns FROM crash GROUP BY t_ns HAVING sum(CASE metric WHEN 'files' THEN value WHEN 'files_lost' THEN -value ELSE 0 END) > 0)")
	if [ "$n" = 24 ] && [ "$meta" = 24 ] && [ "$unsafe" = 0 ] && [ "$wrong" = 0 ] &&
		[ "$fsynclost" = 0 ] && [ "$safe" -ge 6 ] && [ "$ondisk" -ge 4 ]; then
		ok "softdep: $n crashes, only leaks, unnamed files and high link counts to repair (at $safe), files found intact at $ondisk"
	else
		bad "softdep: $n instants (meta 3 at $meta), unsafe at $unsafe, wrong repairs at $wrong, fsync lost at $fsynclost, safe repairs at $safe, files intact at $ondisk"
	fi
else
	bad "replay softdep"; head -5 "$T/out"
fi
# directories made in new directories (tar), renames over names (dbench),
# files past their direct blocks moved by ffs_reallocblks (postmark's big
# files): the same properties at every instant
wrongs=""
for g in "--gen tar --param think=5ms" "--gen dbench --param think=5ms" \
	"--gen postmark --param files=100 --param transactions=300 --param maxsize=600000 --param think=20ms"; do
	# shellcheck disable=SC2086
	if "$VFSSIM" replay $g "${small[@]}" --set crash.at="$(seq -s, 2 2 40 | sed 's/\([0-9][0-9]*\)/\1s/g')" \
		--set ffs.softdep=on --db "$T/sdmix.db" -q >"$T/out" 2>&1; then
		w=$(sql "$T/sdmix.db" "SELECT count(*) FROM crash WHERE metric IN ('unsafe_repairs', 'linkcnt_low', 'map_missing', 'ino_map_missing', 'partial_trunc', 'fsync_lost_bytes') AND value > 0")
		[ "$w" = 0 ] || wrongs="$wrongs ${g%% *}:$w"
	else
		wrongs="$wrongs ${g%% *}:failed"
	fi
	rm -f "$T/sdmix.db"
done
if [ -z "$wrongs" ]; then
	ok "softdep on tar, dbench and big postmark files: no unsafe repair, count too low or block free in the map at any instant"
else
	bad "softdep on tar, dbench, postmark:$wrongs"
fi
if "$VFSSIM" replay --gen dblog --param txns=400 --param think=20ms \
	--param dbsize=8M "${small[@]}" --set crash.at="$AT" --set ffs.softdep=on \
	--db "$T/sddb.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/sddb.db")
	synced=$(at "$T/sddb.db" "> 0" fsync_bytes)
	fsynclost=$(at "$T/sddb.db" "> 0" fsync_lost_bytes)
	unsafe=$(at "$T/sddb.db" "> 0" unsafe_repairs)
	if [ "$n" -ge 5 ] && [ "$synced" = "$n" ] && [ "$fsynclost" = 0 ] && [ "$unsafe" = 0 ]; then
		ok "dblog on softdep: $n crashes, fsync'd data at every one, never lost (softdep_fsync)"
	else
		bad "dblog on softdep: $n instants, fsync'd at $synced, lost at $fsynclost, unsafe at $unsafe"
	fi
else
	bad "replay dblog on softdep"; head -5 "$T/out"
fi

# ---- fsync'd commits ----------------------------------------------------------
if "$VFSSIM" replay --gen dblog --param txns=400 --param think=20ms \
	--param dbsize=8M "${small[@]}" --set crash.at="$AT" \
	--db "$T/db.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/db.db")
	synced=$(at "$T/db.db" "> 0" fsync_bytes)
	fsynclost=$(at "$T/db.db" "> 0" fsync_lost_bytes)
	unsafe=$(at "$T/db.db" "> 0" unsafe_repairs)
	if [ "$n" -ge 5 ] && [ "$synced" = "$n" ] && [ "$fsynclost" = 0 ] && [ "$unsafe" = 0 ]; then
		ok "dblog on sync: $n crashes, fsync'd data at every one, never lost"
	else
		bad "dblog: $n instants, fsync'd at $synced, lost at $fsynclost, unsafe at $unsafe"
	fi
else
	bad "replay dblog"; head -5 "$T/out"
fi

# ---- with a snapshot taken ------------------------------------------------------
if "$VFSSIM" replay --gen snapshot --param load=dblog --param dblog.txns=300 \
	--param dblog.think=20ms --param dblog.dbsize=8M --param at=2s \
	"${small[@]}" --set crash.at="$AT" --db "$T/snap.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/snap.db")
	made=$(sql "$T/snap.db" "SELECT value FROM summary WHERE metric = 'snapshot.created'" | sed 's/\.0$//')
	synced=$(at "$T/snap.db" "> 0" fsync_bytes)
	fsynclost=$(at "$T/snap.db" "> 0" fsync_lost_bytes)
	lostnames=$(at "$T/snap.db" "> 0" committed_names_lost)
	unsafe=$(at "$T/snap.db" "> 0" unsafe_repairs)
	if [ "$n" -ge 3 ] && [ "$made" = 1 ] && [ "$synced" -ge 1 ] && [ "$fsynclost" = 0 ] &&
		[ "$lostnames" = 0 ] && [ "$unsafe" = 0 ]; then
		ok "a snapshot taken: $n crashes, fsync'd data and returned names kept, no unsafe repair"
	else
		bad "snapshot: $n instants, made $made, fsync'd at $synced, lost at $fsynclost, names lost at $lostnames, unsafe at $unsafe"
	fi
else
	bad "replay snapshot"; head -5 "$T/out"
fi

# ... and on a soft-updates mount
if "$VFSSIM" replay --gen snapshot --param load=dblog --param dblog.txns=300 \
	--param dblog.think=20ms --param dblog.dbsize=8M --param at=2s \
	"${small[@]}" --set crash.at="$AT" --set ffs.softdep=on --db "$T/sdsnap.db" -q \
	>"$T/out" 2>&1; then
	n=$(instants "$T/sdsnap.db")
	made=$(sql "$T/sdsnap.db" "SELECT value FROM summary WHERE metric = 'snapshot.created'" | sed 's/\.0$//')
	synced=$(at "$T/sdsnap.db" "> 0" fsync_bytes)
	fsynclost=$(at "$T/sdsnap.db" "> 0" fsync_lost_bytes)
	unsafe=$(at "$T/sdsnap.db" "> 0" unsafe_repairs)
	if [ "$n" -ge 3 ] && [ "$made" = 1 ] && [ "$synced" -ge 1 ] && [ "$fsynclost" = 0 ] &&
		[ "$unsafe" = 0 ]; then
		ok "a snapshot taken on softdep: $n crashes, fsync'd data kept, no unsafe repair"
	else
		bad "snapshot on softdep: $n instants, made $made, fsync'd at $synced, lost at $fsynclost, unsafe at $unsafe"
	fi
else
	bad "replay snapshot on softdep"; head -5 "$T/out"
fi

# ... with files the snapshot shares removed after it: their blocks are
# offered to the snapshot only when the worklist frees them, once the
# cleared inodes are on the disk (handle_workitem_freeblocks' ffs_blkfree,
# ffs_snapblkfree), and a copy's map goes to the disk before the pointer
# to it; at every instant fsck finds only leaks, unnamed files and high
# link counts — never a block in a file but free in the map.
AT2=$(seq -s, 2 2 64 | sed 's/\([0-9][0-9]*\)/\1s/g')
if "$VFSSIM" replay --gen snapshot --param load=postmark --param postmark.files=100 \
	--param postmark.transactions=400 --param postmark.think=1ms \
	--param postmark.minsize=16384 --param postmark.maxsize=65536 --param at=1s \
	"${small[@]}" --set crash.at="$AT2" --set ffs.softdep=on --db "$T/sdsnaprm.db" -q \
	>"$T/out" 2>&1; then
	n=$(instants "$T/sdsnaprm.db")
	claimed=$(sql "$T/sdsnaprm.db" "SELECT value FROM summary WHERE metric = 'snapshot.claimed_blocks'" | sed 's/\.0$//')
	removed=$(sql "$T/sdsnaprm.db" "SELECT count(*) FROM syscalls WHERE call = 'unlink' AND result = 0")
	unsafe=$(at "$T/sdsnaprm.db" "> 0" unsafe_repairs)
	wrong=$(sql "$T/sdsnaprm.db" "SELECT count(DISTINCT t_ns) FROM crash WHERE metric IN ('linkcnt_low', 'map_missing', 'ino_map_missing', 'partial_trunc', 'dirent_unalloc') AND value > 0")
	if [ "$n" -ge 30 ] && [ "$claimed" -ge 1 ] && [ "$removed" -ge 100 ] &&
		[ "$unsafe" = 0 ] && [ "$wrong" = 0 ]; then
		ok "files removed under a snapshot on softdep: $claimed blocks claimed, $n crashes, only leaks and unnamed files"
	else
		bad "snapshot on softdep, files removed: $n instants, claimed $claimed, removed $removed, unsafe at $unsafe, wrong repairs at $wrong"
	fi
else
	bad "replay snapshot on softdep, files removed"; head -5 "$T/out"
fi

# ---- the other era: RELENG_4 orders its writes the same way -----------------------
if "$VFSSIM" replay --gen dblog --param txns=400 --param think=20ms --param dbsize=8M \
	"${small[@]}" --profile profiles/freebsd4.ini --set crash.at="$AT" \
	--db "$T/r4.db" -q >"$T/out" 2>&1; then
	n=$(instants "$T/r4.db")
	synced=$(at "$T/r4.db" "> 0" fsync_bytes)
	fsynclost=$(at "$T/r4.db" "> 0" fsync_lost_bytes)
	lostnames=$(at "$T/r4.db" "> 0" committed_names_lost)
	unsafe=$(at "$T/r4.db" "> 0" unsafe_repairs)
	if [ "$n" -ge 5 ] && [ "$synced" = "$n" ] && [ "$fsynclost" = 0 ] &&
		[ "$lostnames" = 0 ] && [ "$unsafe" = 0 ]; then
		ok "dblog on RELENG_4: $n crashes, fsync'd data and returned names never lost"
	else
		bad "RELENG_4: $n instants, fsync'd at $synced, lost at $fsynclost, names lost at $lostnames, unsafe at $unsafe"
	fi
else
	bad "replay dblog on freebsd4"; head -5 "$T/out"
fi

# ---- the same run, the same crashes ----------------------------------------------
if "$VFSSIM" replay "${pm[@]}" "${small[@]}" --set crash.at="$AT" \
	--db "$T/sync2.db" -q >"$T/out" 2>&1; then
	a=$(sql "$T/sync.db" "SELECT t_ns, metric, value FROM crash ORDER BY 1, 2" | md5sum)
	b=$(sql "$T/sync2.db" "SELECT t_ns, metric, value FROM crash ORDER BY 1, 2" | md5sum)
	if [ "$a" = "$b" ]; then
		ok "the same run twice: the same crash rows"
	else
		bad "crash rows differ between two identical runs"
	fi
else
	bad "replay sync again"; head -5 "$T/out"
fi

# ---- the command line: --crash-at, vfssim crash, sweep, plot -------------------------
if "$VFSSIM" replay "${pm[@]}" "${small[@]}" --crash-at 5s --crash-at 10s,15s \
	--db "$T/opt.db" >"$T/out" 2>&1 &&
	"$VFSSIM" replay "${pm[@]}" "${small[@]}" --set crash.at=5s,10s,15s \
	--db "$T/set.db" -q >/dev/null 2>&1; then
	a=$(sql "$T/opt.db" "SELECT t_ns, metric, value FROM crash ORDER BY 1, 2" | md5sum)
	b=$(sql "$T/set.db" "SELECT t_ns, metric, value FROM crash ORDER BY 1, 2" | md5sum)
	rows=$(grep -c '^ *[0-9.]* s  *[0-9.]* s ' "$T/out")
	if [ "$a" = "$b" ] && [ "$(instants "$T/opt.db")" = 3 ] && [ "$rows" = 3 ] &&
		grep -q 'fsck:' "$T/out"; then
		ok "--crash-at 5s --crash-at 10s,15s: crash.at's rows, and a line per instant after the summary"
	else
		bad "--crash-at: rows differ from crash.at's, or $rows lines printed"; head -40 "$T/out"
	fi
else
	bad "replay --crash-at"; head -5 "$T/out"
fi
if "$VFSSIM" crash "${pm[@]}" "${small[@]}" --set ffs.metadata=async --at 5s,30s \
	--db "$T/cmd.db" >"$T/out" 2>&1; then
	rows=$(grep -c '^ *[0-9.]* s  *[0-9.]* s ' "$T/out")
	lost=$(sql "$T/cmd.db" "SELECT count(*) FROM crash WHERE metric = 'committed_names_lost' AND value > 0")
	if [ "$rows" = 2 ] && grep -q ': async$' "$T/out" && ! grep -q '^  latency' "$T/out" &&
		[ "$lost" -ge 1 ]; then
		ok "vfssim crash --at 5s,30s: two instants printed (no summary), returned names lost on async"
	else
		bad "vfssim crash: $rows lines, names lost at $lost"; cat "$T/out"
	fi
else
	bad "vfssim crash"; head -5 "$T/out"
fi
expect_bad "vfssim crash without --at" "expected --at" "$VFSSIM" crash "${pm[@]}" --db "$T/bad.db" -q
if "$VFSSIM" sweep "${pm[@]}" "${small[@]}" --grid crash.at=5s,10s --db "$T/sweep.db" -q \
	>"$T/out" 2>&1; then
	per=$(sql "$T/sweep.db" "SELECT group_concat(n) FROM (SELECT run, count(DISTINCT t_ns) AS n FROM crash GROUP BY run ORDER BY run)")
	ts=$(sql "$T/sweep.db" "SELECT group_concat(t) FROM (SELECT DISTINCT t_ns / 1000000000 AS t FROM crash ORDER BY t)")
	if [ "$per" = "1,1" ] && [ "$ts" = "5,10" ]; then
		ok "sweep --grid crash.at=5s,10s: a run crashed at each"
	else
		bad "sweep: instants per run $per, at $ts"
	fi
else
	bad "sweep crash.at"; head -5 "$T/out"
fi
if "$VFSSIM" plot "$T/opt.db" --kind risk -o "$T/risk.svg" >"$T/out" 2>&1 &&
	grep -q 'MB lost by a crash then' "$T/risk.svg"; then
	ok "plot --kind risk: the loss at the crash instants overlaid"
else
	bad "plot --kind risk"; head -5 "$T/out"
fi

# ---- bad input ----------------------------------------------------------------------
expect_bad "crash.at=soon" "crash.at" "$VFSSIM" replay "${pm[@]}" --set crash.at=soon --db "$T/bad.db" -q
expect_bad "crash.at=-1s" "crash.at" "$VFSSIM" replay "${pm[@]}" --set crash.at=-1s --db "$T/bad.db" -q
if [ ! -e "$T/bad.db" ]; then
	ok "bad crash times: no database written"
else
	bad "a database was written for bad crash times"
fi
finish
