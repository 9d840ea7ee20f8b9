#!/usr/bin/env bash
# End-to-end tests of the buffer cache and the page cache under it
# (issue "The buffer cache as FreeBSD ran it"): sysctl sizing, the seed's
# bwillwrite scenario, the page cache, nothing lost, the policy bounds.
#
#   VFSSIM=build/check/vfssim tests/e2e-bio.sh
. "$(dirname "$0")/lib.sh" e2e-bio
# 15 checks, and one per bundled trace (nothing lost)
set -- traces/*.strace.gz
expect $((15 + $#))
metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'" | sed 's/\.0$//'; }

# ---- sysctl: the kernel's own sizing, settable by sysctl name -------------
out=$("$VFSSIM" sysctl --set machine.memory_mb=128 2>&1)
if echo "$out" | grep -qx 'kern.nbuf: 1483' && echo "$out" | grep -qx 'vfs.hidirtybuffers: 390' &&
	echo "$out" | grep -qx 'vfs.lodirtybuffers: 195' && echo "$out" | grep -qx 'kernel.era: freebsd5-current'; then
	ok "sysctl: 128 MB gives nbuf 1483, hidirtybuffers 390, lodirtybuffers 195"
else
	bad "sysctl 128 MB"; echo "$out" | head
fi
out=$("$VFSSIM" sysctl --set kern.nbuf=2000 --set vfs.hidirtybuffers=100 --set kernel.era=freebsd4 2>&1)
if echo "$out" | grep -qx 'kern.nbuf: 2000' && echo "$out" | grep -qx 'vfs.hidirtybuffers: 100' &&
	echo "$out" | grep -qx 'kernel.era: freebsd4'; then
	ok "sysctl: tunables set by their sysctl names"
else
	bad "sysctl --set"; echo "$out" | head
fi
"$VFSSIM" sysctl --set vfs.nosuchthing=1 >"$T/out" 2>&1
if [ $? = 2 ] && grep -q nosuchthing "$T/out"; then
	ok "sysctl: an unknown name is an error"
else
	bad "sysctl unknown name"
fi

# ---- the seed's bwillwrite scenario: a huge tree of small files ---------
# Two processes create 1500 files of 16 KB each as fast as they can, on a
# mount that delays metadata (soft updates): with synchronous metadata
# every create waits for two writes and dirty buffers never pile up.
# bwillwrite holds the creators at hidirtybuffers.  Without it the 2001
# kernel still does not let them run away: once dirty buffers are at
# hidirtybuffers (buf_dirty_count_severe) ffs_update writes each inode
# synchronously, and the creators wait for those writes — which, queued
# behind buf_daemon's, take long.
awk 'BEGIN {
	print "#vfssim-trace 1";
	t = 1000000000;
	for (p = 0; p < 2; p++) { printf "%d %d mkdir 0 1000 path=\"/tree%d\" mode=0755\n", t, 100 + p, p; t += 1000 }
	for (i = 0; i < 1500; i++) {
		p = i % 2;
		printf "%d %d openat 3 1000 fd=AT_FDCWD path=\"/tree%d/f%d\" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644\n", t, 100 + p, p, i; t += 2000;
		printf "%d %d write 16384 1000 fd=3 len=16384\n", t, 100 + p; t += 2000;
		printf "%d %d close 0 1000 fd=3\n", t, 100 + p; t += 2000;
	}
}' >"$T/tree.trace"
if "$VFSSIM" replay "$T/tree.trace" --profile profiles/small-32mb.ini --set ffs.metadata=delayed \
	--db "$T/tree.db" -q --no-events >"$T/out" 2>&1 &&
	"$VFSSIM" replay "$T/tree.trace" --profile profiles/small-32mb.ini --set ffs.metadata=delayed \
	--set vfs.bwillwrite=false --db "$T/tree.db" -q --no-events >>"$T/out" 2>&1; then
	hi=$(metric "$T/tree.db" 1 bio.hidirtybuffers)
	peak1=$(metric "$T/tree.db" 1 bio.dirty_peak)
	stalls1=$(metric "$T/tree.db" 1 bio.bwillwrite_stalls)
	peak2=$(metric "$T/tree.db" 2 bio.dirty_peak)
	stalls2=$(metric "$T/tree.db" 2 bio.bwillwrite_stalls)
	sync2=$(metric "$T/tree.db" 2 bio.bwrite_sync)
	# A process past bwillwrite (or past the inode write that held it)
	# dirties a few buffers before it is held again (the file's block,
	# its inode block, the directory block, the cg, an indirect block).
	if [ -n "$hi" ] && [ "$peak1" -le $((hi + 2 * 5)) ] && [ "$stalls1" -gt 0 ] &&
		[ "$stalls2" = 0 ] && [ "$peak2" -le $((hi + 2 * 5)) ] && [ "$sync2" -gt 0 ]; then
		ok "tree of small files on 32 MB: dirty peak $peak1 <= hidirtybuffers $hi + 2 processes x 5 ($stalls1 stalls); without bwillwrite $peak2, held by $sync2 synchronous inode writes"
	else
		bad "bwillwrite tree: hi $hi, peak $peak1 with $stalls1 stalls, $peak2 without ($stalls2 stalls, $sync2 sync writes)"
	fi
else
	bad "bwillwrite tree: a replay failed"; head -5 "$T/out"
fi

# ---- the page cache outlives buffer space ------------------------------
awk 'BEGIN {
	print "#vfssim-trace 1";
	t = 1000000000;
	printf "%d 7 openat 3 1000 fd=AT_FDCWD path=\"/data/big\" oflags=O_RDONLY\n", t;
	for (pass = 0; pass < 2; pass++) {
		t += 1000; printf "%d 7 lseek 0 1000 fd=3 off=0 cmd=SEEK_SET\n", t;
		for (i = 0; i < 256; i++) { t += 1000; printf "%d 7 read 65536 1000 fd=3 len=65536\n", t }
	}
	t += 1000; printf "%d 7 close 0 1000 fd=3\n", t;
}' >"$T/twice.trace"
"$VFSSIM" replay "$T/twice.trace" --set bio.nbuf=100 --db "$T/twice.db" -q >/dev/null 2>&1
half=$(sql "$T/twice.db" "SELECT min(start_ns) FROM syscalls WHERE call = 'lseek' AND seq > 2")
# (up to the last read: the unmount's sync then writes the file's inode,
# its access time, and may read the inode's block to do so)
end=$(sql "$T/twice.db" "SELECT max(end_ns) FROM syscalls WHERE call = 'read'")
late=$(sql "$T/twice.db" "SELECT count(*) FROM disk_io WHERE start_ns > $half AND start_ns <= $end AND is_write = 0")
early=$(sql "$T/twice.db" "SELECT count(*) FROM disk_io WHERE start_ns <= $half AND is_write = 0")
pch=$(metric "$T/twice.db" 1 bio.pagecache_hits)
# (16 MB is 1024 of newfs's 16 KB blocks: a page-cache hit each)
if [ "$early" -gt 0 ] && [ "$late" = 0 ] && [ "$pch" -ge 1024 ]; then
	ok "a 16 MB file read twice through 100 buffers: the second pass is all page-cache hits ($pch)"
else
	bad "page cache: $early disk reads in the first pass, $late in the second, $pch page-cache hits"
fi

# ---- low memory: the seed's fix, and the deadlock without it ------------
# A 4 MB machine whose kernel wires all but 100 pages, 100 buffers: the
# buffers alone would need 200 pages.
awk 'BEGIN {
	print "#vfssim-trace 1";
	t = 1000000000;
	printf "%d 7 openat 3 1000 fd=AT_FDCWD path=\"/data/big\" oflags=O_RDONLY\n", t;
	for (i = 0; i < 200; i++) { t += 1000; printf "%d 7 read 8192 1000 fd=3 len=8192\n", t }
	t += 1000; printf "%d 7 close 0 1000 fd=3\n", t;
}' >"$T/lowmem.trace"
small="--set machine.memory=4M --set vm.kernel_wired=3700K --set bio.nbuf=100"
if "$VFSSIM" replay "$T/lowmem.trace" $small --db "$T/low1.db" -q >"$T/out" 2>&1; then
	# every read completed, with all its data: 200 x 8 KB
	nread=$(metric "$T/low1.db" 1 latency.read.count) bytes=$(metric "$T/low1.db" 1 proc.bytes_read)
	st=$(sql "$T/low1.db" "SELECT status FROM runs")
	if [ "$nread" = 200 ] && [ "$bytes" = 1638400 ] && [ "$st" = complete ]; then
		ok "low memory with the seed's fix: I/O goes on: the 200 reads complete, $bytes bytes ($(metric "$T/low1.db" 1 disk.reads) disk reads)"
	else
		bad "low memory with the fix: $nread reads done, $bytes bytes, status $st"
	fi
else
	bad "low memory with the fix"; head -3 "$T/out"
fi
"$VFSSIM" replay "$T/lowmem.trace" $small --set vm.io_reserve=false --db "$T/low2.db" -q >"$T/out" 2>&1
rc=$?
st=$(sql "$T/low2.db" "SELECT status FROM runs")
if [ $rc != 0 ] && grep -q 'stuck' "$T/out" && grep -q 'vmwait' "$T/out" && [ "$st" = failed ]; then
	ok "without it: the low-memory deadlock is detected and reported: $(head -c 110 "$T/out")"
else
	bad "low memory without the fix: exit $rc, status $st"; head -3 "$T/out"
fi

# ---- why a call was slow -----------------------------------------------
# (samples every 100 ms: a sample finds the process asleep only by chance)
"$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --set replay.sample_interval=100ms \
	--db "$T/why.db" -q >/dev/null 2>&1
w=$(sql "$T/why.db" "SELECT count(*) FROM syscalls WHERE call = 'fdatasync' AND wmesg IN ('ffsfsn','wdrain','biowr') AND wait_ns > 0")
ws=$(sql "$T/why.db" "SELECT count(DISTINCT wmesg) FROM waits")
if [ "$w" -gt 0 ] && [ "$ws" -gt 0 ]; then
	ok "calls record where they slept ($w fdatasyncs waited for writes; $ws wait messages sampled)"
else
	bad "wait accounting: $w, $ws"
fi

# ---- nothing lost, on every real trace ---------------------------------
for t in traces/*.strace.gz; do
	db=$T/verify.db
	"$VFSSIM" replay "$t" --set replay.verify=true --db "$db" -q --no-events >/dev/null 2>&1
	run=$(sql "$db" "SELECT max(id) FROM runs")
	checked=$(metric "$db" "$run" verify.blocks_checked)
	lost=$(metric "$db" "$run" verify.lost_blocks)
	dirty=$(metric "$db" "$run" bio.dirty_at_end)
	if [ "$lost" = 0 ] && [ "$dirty" = 0 ] && [ -n "$checked" ]; then
		ok "nothing lost: $(basename "$t"): all $checked blocks written are on disk in their last version"
	else
		bad "verify $t: checked $checked lost $lost dirty $dirty"
	fi
done

# ---- the OPT bound: no policy beats Belady ----------------------------
"$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --set bio.opt_bound=true --set bio.nbuf=64 \
	--db "$T/bound.db" -q --no-events >/dev/null 2>&1
opt=$(metric "$T/bound.db" 1 bio.bound.opt_misses)
worst=1
for p in lru clock 2q arc; do
	m=$(metric "$T/bound.db" 1 "bio.bound.${p}_misses")
	[ -n "$m" ] && [ "$m" -ge "$opt" ] || worst=0
done
if [ -n "$opt" ] && [ $worst = 1 ]; then
	ok "bounds: OPT ($opt misses) is never beaten by LRU, CLOCK, 2Q, ARC on d1 with 64 buffers"
else
	bad "bounds: opt $opt"
fi

# ---- each policy replays a real trace ----------------------------------
# ... and is the one that chose: the run's profile names it, and
# the five give more than one answer for the buffer cache's hits.
hits=""
for p in freebsd lru clock 2q arc; do
	rm -f "$T/pol.db"
	if "$VFSSIM" replay traces/d3-git-commit.strace.gz --set bio.policy=$p --set bio.nbuf=32 \
		--db "$T/pol.db" -q --no-events >"$T/out" 2>&1; then
		used=$(sql "$T/pol.db" "SELECT profile FROM runs" | sed -n 's/^policy = //p')
		h=$(metric "$T/pol.db" 1 bio.buffer_hits)
		hits="$hits $h"
		if [ "$used" = "$p" ] && [ -n "$h" ]; then
			ok "bio.policy=$p replays d3 with 32 buffers ($h buffer hits)"
		else
			bad "policy $p: the run says it used \"$used\", $h hits"
		fi
	else
		bad "policy $p"; head -3 "$T/out"
	fi
done
if [ "$(echo $hits | tr ' ' '\n' | sort -u | wc -l)" -ge 3 ]; then
	ok "the policies choose differently: buffer hits$hits"
else
	bad "the policies all alike: buffer hits$hits"
fi

finish
