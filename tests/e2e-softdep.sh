#!/usr/bin/env bash
# End-to-end tests of soft updates (ffs.softdep=on, issue #16): the shapes
# published for them, on the project's own generators on the same
# simulated machine, with generous bounds (no number is hard-coded):
#   - creating many small files (tree): soft updates several times faster
#     than synchronous metadata (McKusick and Ganger, FREENIX 1999;
#     Seltzer et al., USENIX 2000) and within a few percent of async,
#     with fewer disk writes per created file than the synchronous mount;
#   - files created and removed before the syncer comes round cost no
#     disk write (the removal cancels the entry that never reached the
#     disk): as few writes as async, none during the run;
#   - a PostMark-like mix: several times faster than sync, near async;
#   - RELENG_4 keeps the shape; the option's bad combinations are refused
#     and vfssim sysctl shows it;
#   - past debug.max_softdeps (ffs.max_softdeps) creators and removers are
#     slowed down (request_cleanup: they sleep "softupdate").
# The README's sync/async/softdep table is printed by the same runs.
#
#   VFSSIM=build/check/vfssim tests/e2e-softdep.sh
. "$(dirname "$0")/lib.sh" e2e-softdep
expect 10
small=(--set ffs.size=512M)
tree=(--gen tree --param depth=2 --param fanout=10 --param files=10)
mode() {
	case $1 in
	softdep) echo "--set ffs.softdep=on" ;;
	*) echo "--set ffs.metadata=$1" ;;
	esac
}
val() { sql "$1" "SELECT value FROM summary WHERE metric = '$2'" | sed 's/\.0$//'; }
# run NAME MODE ARGS...: a replay into $T/NAME-MODE.db
run() {
	local name=$1 m=$2; shift 2
	# shellcheck disable=SC2046
	"$VFSSIM" replay "$@" "${small[@]}" $(mode "$m") --db "$T/$name-$m.db" -q \
		>"$T/out" 2>&1 || { bad "replay $name on $m"; head -5 "$T/out"; return 1; }
}

# ---- creating many small files ---------------------------------------------
for m in sync async softdep; do run create $m "${tree[@]}" --param mode=create || true; done
if [ -f "$T/create-softdep.db" ] && [ -f "$T/create-sync.db" ] && [ -f "$T/create-async.db" ]; then
	for m in sync async softdep; do
		eval "t_$m=\$(val \"\$T/create-$m.db\" time.simulated_ns)"
		eval "w_$m=\$(val \"\$T/create-$m.db\" disk.writes)"
	done
	files=$(val "$T/create-softdep.db" calls.openat)
	dirs=$(val "$T/create-softdep.db" calls.mkdir)
	n=$((files + dirs))
	echo "   created $n files and directories:"
	for m in sync async softdep; do
		eval "t=\$t_$m w=\$w_$m"
		awk -v m="$m" -v n="$n" -v t="$t" -v w="$w" 'BEGIN {
			printf "   %-8s %10.0f creates/s  %5.2f disk writes per file\n", m, n / (t / 1e9), w / n }'
	done
	# several times faster than sync, within a few percent of async
	if awk -v s="$t_sync" -v a="$t_async" -v d="$t_softdep" 'BEGIN { exit !(s >= 5 * d && d <= 1.05 * a) }'; then
		ok "create: softdep $t_softdep ns, sync $t_sync ns (>= 5x), async $t_async ns (within 5 %)"
	else
		bad "create: softdep $t_softdep ns, sync $t_sync, async $t_async"
	fi
	if [ "$w_softdep" -lt "$w_sync" ] && [ $((w_softdep * 2)) -le "$w_sync" ]; then
		ok "create: fewer disk writes per file than sync ($w_softdep vs $w_sync for $n)"
	else
		bad "create: $w_softdep disk writes on softdep, $w_sync on sync"
	fi
fi

# ---- created and removed before the syncer comes round ---------------------------
for m in sync async softdep; do run both $m "${tree[@]}" --param mode=both || true; done
if [ -f "$T/both-softdep.db" ] && [ -f "$T/both-sync.db" ] && [ -f "$T/both-async.db" ]; then
	during=$(sql "$T/both-softdep.db" "SELECT count(*) FROM disk_io WHERE is_write AND issuer <> 'shutdown'")
	ws=$(val "$T/both-softdep.db" disk.writes)
	wa=$(val "$T/both-async.db" disk.writes)
	wy=$(val "$T/both-sync.db" disk.writes)
	made=$(($(val "$T/both-softdep.db" calls.openat) + $(val "$T/both-softdep.db" calls.mkdir)))
	cancelled=$(val "$T/both-softdep.db" softdep.cancelled)
	if [ "$during" = 0 ] && [ "$ws" -le "$wa" ] && [ "$wy" -ge $((20 * ws)) ] &&
		[ "${cancelled:-0}" -ge $((made * 9 / 10)) ]; then
		ok "create and remove: no disk write during the run, $ws at the end (async $wa, sync $wy); $cancelled of $made names cancelled"
	else
		bad "create and remove: $during writes during the run, $ws in all (async $wa, sync $wy), $cancelled of $made cancelled"
	fi
fi

# ---- a PostMark-like mix --------------------------------------------------------
pm=(--gen postmark --param files=300 --param transactions=2000)
for m in sync async softdep; do run pm $m "${pm[@]}" || true; done
if [ -f "$T/pm-softdep.db" ] && [ -f "$T/pm-sync.db" ] && [ -f "$T/pm-async.db" ]; then
	cs=$(val "$T/pm-sync.db" throughput.calls_per_s)
	ca=$(val "$T/pm-async.db" throughput.calls_per_s)
	cd=$(val "$T/pm-softdep.db" throughput.calls_per_s)
	left=$(val "$T/pm-softdep.db" softdep.deps_at_end)
	if awk -v s="$cs" -v a="$ca" -v d="$cd" 'BEGIN { exit !(d >= 5 * s && d >= 0.95 * a) }' &&
		[ "$left" = 0 ]; then
		ok "postmark: softdep $cd calls/s, sync $cs (< 1/5), async $ca; no dependency left at the end"
	else
		bad "postmark: softdep $cd calls/s, sync $cs, async $ca, $left dependencies left"
	fi
fi

# ---- RELENG_4 --------------------------------------------------------------------
for m in async softdep; do run r4 $m "${tree[@]}" --param mode=create --profile profiles/freebsd4.ini || true; done
if [ -f "$T/r4-softdep.db" ] && [ -f "$T/r4-async.db" ]; then
	a=$(val "$T/r4-async.db" time.simulated_ns)
	d=$(val "$T/r4-softdep.db" time.simulated_ns)
	p=$(val "$T/r4-softdep.db" fs.fsck_problems)
	if awk -v a="$a" -v d="$d" 'BEGIN { exit !(d <= 1.05 * a) }' && [ "$p" = 0 ]; then
		ok "RELENG_4: softdep $d ns, async $a ns; the file system consistent after"
	else
		bad "RELENG_4: softdep $d ns, async $a ns, fsck problems $p"
	fi
fi

# ---- more files than vnodes -------------------------------------------------------
# 11,110 files and 1,111 directories made and removed: the removals the
# syncer does at the end (handle_workitem_remove's VFS_VGET and vput)
# take vnodes past desiredvnodes, and must give them back.
if run big softdep --gen tree --param depth=3 --param fanout=10 --param files=10 \
	--param mode=both --set ffs.size=1G --no-events; then
	left=$(val "$T/big-softdep.db" softdep.deps_at_end)
	items=$(val "$T/big-softdep.db" softdep.workitems)
	p=$(val "$T/big-softdep.db" fs.fsck_problems)
	if [ "$left" = 0 ] && [ "$items" -ge 10000 ] && [ "$p" = 0 ]; then
		ok "a tree of 11,110 files made and removed: $items work items done, none left, consistent"
	else
		bad "big tree: $left dependencies left, $items work items, fsck $p"
	fi
fi

# ---- max_softdeps ------------------------------------------------------------------
if run limited softdep "${tree[@]}" --param mode=both --set ffs.max_softdeps=50; then
	slept=$(sql "$T/limited-softdep.db" "SELECT count(*) FROM syscalls WHERE wmesg = 'softupdate'")
	free=$(sql "$T/both-softdep.db" "SELECT count(*) FROM syscalls WHERE wmesg = 'softupdate'")
	push=$(val "$T/limited-softdep.db" softdep.blk_limit_push)
	left=$(val "$T/limited-softdep.db" softdep.deps_at_end)
	p=$(val "$T/limited-softdep.db" fs.fsck_problems)
	if [ "$slept" -ge 1 ] && [ "${free:-1}" = 0 ] && [ "$push" -ge 1 ] && [ "$left" = 0 ] && [ "$p" = 0 ]; then
		ok "max_softdeps=50: $slept calls slept \"softupdate\" ($push slowdowns), none with the default limit; consistent after"
	else
		bad "max_softdeps=50: $slept slept (default $free), $push slowdowns, $left left, fsck $p"
	fi
fi

# ---- the option ------------------------------------------------------------------
expect_bad "softdep with delayed" "ffs.softdep=on and ffs.metadata=delayed" \
	"$VFSSIM" replay "${tree[@]}" --set ffs.softdep=on --set ffs.metadata=delayed --db "$T/bad.db" -q
expect_bad "softdep=maybe" "ffs.softdep" \
	"$VFSSIM" replay "${tree[@]}" --set ffs.softdep=maybe --db "$T/bad2.db" -q
if "$VFSSIM" sysctl --set ffs.softdep=on --set ffs.metadata=async >"$T/out" 2>&1 &&
	grep -q '^vfs.ffs.softdep: on$' "$T/out" && grep -q '^vfs.ffs.metadata: sync$' "$T/out"; then
	ok "vfssim sysctl: vfs.ffs.softdep: on, and the mount not async (softdep_mount clears MNT_ASYNC)"
else
	bad "vfssim sysctl"; grep 'vfs.ffs' "$T/out"
fi
finish
