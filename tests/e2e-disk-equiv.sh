#!/usr/bin/env bash
# End-to-end check that the drive's lazily scheduled timers and its runs of
# sectors taken in one go (disk.c: timer_fire; diskmedia.c:
# disk_media_stream) change nothing: every run here is made twice, the
# second time with VFSSIM_DISK_EACH_STEP=1 (every timer queued as it is
# armed, every step taken from the event queue), and every table must come
# out the same, to the nanosecond — all but the count of events dispatched,
# which is what the lazy timers save.  The runs cover the validated drives'
# traces, queue disciplines, sequential streams on every kind of drive
# interface and cache (holding the bus or disconnecting, zero latency, never
# disconnecting, slow bus, small segments, write-back and write-through,
# each read-ahead scheme), and replays through the kernel.
#
#   VFSSIM=build/check/vfssim tests/e2e-disk-equiv.sh
. "$(dirname "$0")/lib.sh" e2e-disk-equiv e2e-equiv
expect 20
unset VFSSIM_DISK_EACH_STEP

# Every table but the run's start and end times and the event count.
dump() {
	sql "$1" "SELECT id, trace, format, profile, profile_sources, seed, label, status, error FROM runs;
		SELECT * FROM disk_io ORDER BY run, seq;
		SELECT * FROM summary WHERE metric NOT LIKE 'engine.%' ORDER BY run, metric;
		SELECT * FROM syscalls ORDER BY run, seq;
		SELECT * FROM samples ORDER BY run, seq;
		SELECT * FROM waits ORDER BY run, t_ns, wmesg;
		SELECT * FROM latency_hist ORDER BY run, call, lo_ns;
		SELECT * FROM time_split ORDER BY run, call, part"
}
events() { sql "$1" "SELECT value FROM summary WHERE metric = 'engine.events'"; }

# same NAME VFSSIM-ARGS...: the run both ways, compared.
same() {
	local name=$1; shift
	local i out rows
	for i in lazy each; do
		rm -f "$T/$i.db"*
		if [ $i = each ]; then
			VFSSIM_DISK_EACH_STEP=1 "$VFSSIM" "$@" --db "$T/$i.db" -q >"$T/$i.out" 2>&1
		else
			"$VFSSIM" "$@" --db "$T/$i.db" -q >"$T/$i.out" 2>&1
		fi
		echo "exit $?" >>"$T/$i.out"
		dump "$T/$i.db" >"$T/$i.dump" 2>&1
	done
	rows=$(sql "$T/lazy.db" "SELECT count(*) FROM disk_io")
	if ! no_sanitizer_report "$T/lazy.out" || ! no_sanitizer_report "$T/each.out"; then
		bad "$name: sanitizer report"; head -5 "$T/lazy.out" "$T/each.out" | sed 's/^/     /'
	elif ! grep -q '^exit 0$' "$T/lazy.out" || [ "${rows:-0}" = 0 ]; then
		bad "$name: did not run ($rows disk requests)"; head -5 "$T/lazy.out" | sed 's/^/     /'
	elif cmp -s "$T/lazy.out" "$T/each.out" && cmp -s "$T/lazy.dump" "$T/each.dump"; then
		out=$(events "$T/lazy.db")
		ok "$name: $rows disk requests, the same both ways${out:+ (events ${out%.*} against $(events "$T/each.db" | sed 's/\..*//'))}"
	else
		bad "$name: differs"
		diff "$T/each.out" "$T/lazy.out" | head -5 | sed 's/^/     /'
		diff "$T/each.dump" "$T/lazy.dump" | head -6 | sed 's/^/     /'
	fi
}

# ---- inputs -------------------------------------------------------------
# Random 4 KB requests, more than the drive can take.
awk 'BEGIN { srand(11); for (i = 0; i < 800; i++)
	printf "%.3f 0 %d 8 %x\n", i * 2.0, int(rand() * 1900000), rand() < 0.7 }' >"$T/heavy.ascii"
# Sequential streams of reads and of writes, 1 to 512 blocks, with jumps,
# bursts and gaps.
awk 'BEGIN { srand(7); t = 0; p = 1000; for (i = 0; i < 600; i++) {
	if (rand() < 0.05) p = int(rand() * 1500000);
	n = (rand() < 0.5) ? 16 * (1 + int(rand() * 16)) : 1 + int(rand() * 300);
	w = (int(i / 100) % 2 == 1) ? 0 : 1; if (rand() < 0.1) w = 1 - w;
	if (rand() < 0.3) t += rand() * 0.5; else if (rand() < 0.5) t += rand() * 40; else t += rand() * 5;
	printf "%.3f 0 %d %d %x\n", t, p, n, w; p += n; if (rand() < 0.1) p += int(rand() * 50) } }' >"$T/seq.ascii"
# The real drives' files, some with another interface or cache.
variant() { # name source-drive parv sed-expressions...
	local name=$1 src=$2 parv=$3 e; shift 3
	mkdir -p "$T/$name"; cp disks/$src/* "$T/$name/"
	for e in "$@"; do sed -i "$e" "$T/$name"/*.diskspecs; done
	echo "$T/$name/$parv"
}
HPZL=$(variant hpzl hp_c2247a hp_c2247a.parv 's/Immediate buffer read = 0/Immediate buffer read = 1/' \
	's/Immediate buffer write = 0/Immediate buffer write = 1/' 's/Buffer continuous read = 3/Buffer continuous read = 2/')
CHND=$(variant chnd cheetah9LP cheetah9LP.parv 's/Never disconnect = 0/Never disconnect = 1/')
CHHOLD=$(variant chhold cheetah9LP cheetah9LP.parv 's/Hold bus entire read xfer = 0/Hold bus entire read xfer = 1/' \
	's/Stop prefetch in sector = 0/Stop prefetch in sector = 1/' 's/Fast write level = 2/Fast write level = 1/')
CHPRE=$(variant chpre cheetah9LP cheetah9LP.parv 's/Disconnect write if seek = 0/Disconnect write if seek = 1/')
CHSEG=$(variant chseg cheetah9LP cheetah9LP.parv 's/Segment size (in blks) = 561/Segment size (in blks) = 40/' \
	's/Maximum read-ahead (blks) = 561/Maximum read-ahead (blks) = 40/' \
	's/Bulk sector transfer time = 0.105000/Bulk sector transfer time = 0.400000/')

# ---- the drive alone ------------------------------------------------------
same "validate hp_c2247a" disk --validate disks/hp_c2247a/hp_c2247a.trace \
    --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv
same "validate cheetah9LP" disk --validate disks/cheetah9LP/cheetah9LP.trace \
    --profile profiles/disks/cheetah9lp.ini
same "heavy load, sptf in the drive" disk "$T/heavy.ascii" --set disk.queue_depth=4 \
    --set disk.scheduler=sptf --set disk.write_cache=off
same "heavy load, clook, write-back" disk "$T/heavy.ascii" --set diskq.scheduler=clook
for p in profiles/disks/*.ini; do
	same "streams on $(basename "$p" .ini)" disk "$T/seq.ascii" --profile "$p"
done
same "streams, slow bus, small segments" disk "$T/seq.ascii" --set disk.bus_rate=5M \
    --set disk.cache_segment_size=32K
same "streams, write-through, read-ahead to the track end" disk "$T/seq.ascii" \
    --set disk.write_cache=off --set disk.readahead=track
same "streams, zero latency" disk "$T/seq.ascii" --set disk.diskspecs="$HPZL"
same "streams, never disconnecting" disk "$T/seq.ascii" --set disk.diskspecs="$CHND"
same "streams, holding the bus" disk "$T/seq.ascii" --set disk.diskspecs="$CHHOLD"
same "heavy load, read-ahead preempted at its next event" disk "$T/heavy.ascii" \
    --set disk.diskspecs="$CHPRE"
same "streams, read-ahead preempted at its next event" disk "$T/seq.ascii" \
    --set disk.diskspecs="$CHPRE"
same "streams, small segments, slow bus" disk "$T/seq.ascii" --set disk.diskspecs="$CHSEG"

# ---- through the kernel ---------------------------------------------------
same "replay: every read a miss" replay --gen seq --param size=32M --param iosize=8K \
    --param mode=read --param passes=2 --profile profiles/small-32mb.ini
same "replay: seq rw on the C2247A" replay --gen seq --param mode=rw --param size=16M \
    --profile profiles/disks/hp_c2247a.ini
same "replay: dbm on the Cheetah" replay --gen dbm --param ops=1500 --profile profiles/disks/cheetah9lp.ini
same "replay: d4 find/cat" replay traces/d4-find-cat.strace.gz

finish
