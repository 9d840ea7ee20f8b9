#!/usr/bin/env bash
# End-to-end tests of clustering, read-ahead and write-behind (issue
# "Clustering, read-ahead and write-behind"), through the command line and
# the workload generators: a sequential reader's disk reads are MAXPHYS
# and its read-ahead is all used; a random reader wastes none; write-behind
# helps the sequential writer and not the DBM workload (the seed's claim,
# e4649cfac3), which RELENG_4 of 2001 still pushed; the new keys are
# settable by their sysctl names; disk_io rows say how many buffers each
# request carried.
#
#   VFSSIM=build/check/vfssim tests/e2e-cluster.sh
. "$(dirname "$0")/lib.sh" e2e-cluster
expect 8
metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'" | sed 's/\.0$//'; }
# replay DB GEN [args...]: one run into DB (created afresh)
replay() {
	local db=$1 gen=$2
	shift 2
	rm -f "$db"
	"$VFSSIM" replay --gen "$gen" --db "$db" -q "$@" >"$T/out" 2>&1 ||
		{ echo "     replay --gen $gen $*:"; sed 's/^/     /' "$T/out" | head; return 1; }
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

# ---- the new keys, by sysctl name ---------------------------------------
out=$("$VFSSIM" sysctl --set vfs.write_behind=2 --set vfs.read_max=8 --set vfs.ffs.doreallocblks=0 2>&1)
if echo "$out" | grep -qx 'vfs.write_behind: 2' && echo "$out" | grep -qx 'vfs.read_max: 8' &&
	echo "$out" | grep -qx 'vfs.ffs.doreallocblks: 0'; then
	ok "sysctl: vfs.write_behind, vfs.read_max, vfs.ffs.doreallocblks"
else
	bad "sysctl cluster keys"; echo "$out" | head
fi
"$VFSSIM" sysctl --set vfs.write_behind=3 >"$T/out" 2>&1
if [ $? = 2 ] && grep -q write_behind "$T/out"; then
	ok "vfs.write_behind=3 is refused"
else
	bad "vfs.write_behind=3 accepted"
fi

# ---- a sequential reader ------------------------------------------------
db=$T/seqread.db
if replay "$db" seq --param mode=read --param size=32M; then
	n=$(sql "$db" "SELECT count(*) FROM disk_io WHERE is_write = 0")
	big=$(sql "$db" "SELECT count(*) FROM disk_io WHERE is_write = 0 AND sectors = 256")
	bufs=$(sql "$db" "SELECT min(bufs) FROM disk_io WHERE is_write = 0 AND sectors = 256")
	acc=$(metric "$db" 1 cluster.readahead_accuracy)
	# 128 KB (256 sectors) is 8 of newfs's 16 KB blocks
	if [ "$n" -gt 0 ] && [ $((big * 100)) -ge $((n * 95)) ] && [ "$bufs" = 8 ] && ge "$acc" 0.99; then
		ok "sequential read: $big of $n disk reads are 128 KB (8 buffers each), read-ahead accuracy $acc"
	else
		bad "sequential read: $big of $n reads of 128 KB, bufs $bufs, accuracy $acc"
	fi
else
	bad "sequential read: the replay failed"
fi

# ---- a random reader: nothing read ahead goes to waste ------------------
db=$T/random.db
if replay "$db" random --param read=1 --param size=32M --param ops=2000; then
	ra=$(metric "$db" 1 cluster.readahead_blocks)
	used=$(metric "$db" 1 cluster.readahead_used)
	# (both figures must be there: a missing one is no answer)
	if [ -n "$ra" ] && [ -n "$used" ] && [ $((ra - used)) -le 16 ]; then
		ok "random reads: $ra blocks read ahead, $used of them used"
	else
		bad "random reads: \"$ra\" blocks read ahead, \"$used\" used"
	fi
else
	bad "random reads: the replay failed"
fi

# ---- write-behind: the sequential writer and the DBM workload -----------
ran=1
for wb in 1 0; do
	replay "$T/seq$wb.db" seq --param mode=write --param size=32M --set vfs.write_behind=$wb || ran=0
	replay "$T/dbm$wb.db" dbm --param size=64M --param pagesize=8K --param ops=4000 \
		--set vfs.write_behind=$wb || ran=0
done
[ $ran = 1 ] || bad "write-behind: a replay failed"
p1=$(metric "$T/seq1.db" 1 bio.dirty_peak); p0=$(metric "$T/seq0.db" 1 bio.dirty_peak)
w1=$(metric "$T/seq1.db" 1 cluster.writebehind_ios)
# disk writes that completed before the writer's last write(2) returned
early() { sql "$1" "SELECT count(*) FROM disk_io WHERE is_write = 1 AND
	end_ns < (SELECT max(end_ns) FROM syscalls WHERE call = 'write')"; }
early1=$(early "$T/seq1.db") early0=$(early "$T/seq0.db")
# 32 MB in 2048 blocks of 16 KB: write-behind pushes blocks 0-7, then 8-11
# (cut short at block 12, past the indirect block on the disk), then 254
# clusters of 8; the last 4 blocks never complete one — 256 pushes.  All
# are done before the writer's last write returns but what may still be in
# flight: hirunningspace (1 MB) and the cluster just issued, 9 clusters —
# so at least 247; buf_daemon's writes alone (write-behind off) do not get
# there.
if [ "$w1" = 256 ] && [ "${early1:-0}" -ge 247 ] && [ "${early0:-0}" -lt 247 ] &&
	[ $((p1 * 10)) -le "${p0:-0}" ]; then
	ok "sequential writer: write-behind starts $w1 writes ($early1 done while writing, $early0 without); dirty peak $p1, $p0 without"
else
	bad "sequential writer: write-behind $w1 I/Os, $early1 early ($early0 off), dirty peak $p1 vs $p0 off"
fi
d1=$(metric "$T/dbm1.db" 1 cluster.writebehind_ios)
n1=$(metric "$T/dbm1.db" 1 disk.writes); n0=$(metric "$T/dbm0.db" 1 disk.writes)
if [ "$d1" = 0 ] && [ -n "$n1" ] && [ "$n1" -le "$n0" ]; then
	ok "DBM stores: no write-behind I/O, $n1 disk writes with write-behind on, $n0 off"
else
	bad "DBM stores: $d1 write-behind I/Os, $n1 disk writes on vs $n0 off"
fi
# RELENG_4 of 2001 did not have the seed's change: DBM's stores are pushed.
if replay "$T/dbm4.db" dbm --param size=64M --param pagesize=8K --param ops=4000 \
	--profile profiles/freebsd4.ini; then
	d4=$(metric "$T/dbm4.db" 1 cluster.writebehind_ios)
	n4=$(metric "$T/dbm4.db" 1 disk.writes)
	# A store of an 8 KB page that ends a 16 KB block completes it and goes
	# to cluster_write; random, it is not the next block, so the one-block
	# cluster before it is pushed — once for each such store but the first
	# (and the rare one that is the next block after all).
	ends=$(sql "$T/dbm4.db" "SELECT count(*) FROM syscalls WHERE call = 'pwrite64' AND
		(offset + bytes) % 16384 = 0")
	if [ -n "$d4" ] && [ "$d4" -le $((ends - 1)) ] && [ $((d4 * 100)) -ge $((ends * 95)) ] &&
		[ "$n4" -gt "$n1" ]; then
		ok "RELENG_4: the DBM stores start $d4 write-behind I/Os ($ends stores end a block; $n4 disk writes, $n1 in 5.0-CURRENT)"
	else
		bad "RELENG_4 DBM: $d4 write-behind I/Os for $ends block-ending stores, $n4 disk writes"
	fi
else
	bad "RELENG_4 DBM: the replay failed"
fi

# ---- clustering off: one block a request ---------------------------------
db=$T/nocl.db
if replay "$db" seq --param mode=rw --param size=4M --set cluster.read=false --set cluster.write=false; then
	maxb=$(sql "$db" "SELECT max(bufs) FROM disk_io")
	maxs=$(sql "$db" "SELECT max(sectors) FROM disk_io")
	if [ "$maxb" = 1 ] && [ "$maxs" = 32 ]; then
		ok "noclusterr/noclusterw: every request one 16 KB buffer"
	else
		bad "clustering off: max $maxb buffers, $maxs sectors a request"
	fi
else
	bad "clustering off: the replay failed"
fi

finish
