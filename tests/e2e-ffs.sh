#!/usr/bin/env bash
# End-to-end tests of the file system and vnode layer (issue "The vnode
# layer and an FFS on disk") through the command line: O_TRUNC with
# O_EXLOCK ordered by era (the seed's fix), a blocking O_EXLOCK, fcntl and
# flock locks from an strace capture, a tar-like extraction with
# synchronous and with delayed metadata, O_DIRECT by era, the new profile
# keys by their sysctl names, and a consistent file system (fsck) after
# replays that recycle vnodes hard.
#
#   VFSSIM=build/check/vfssim tests/e2e-ffs.sh
. "$(dirname "$0")/lib.sh" e2e-ffs
expect 10
metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'" | sed 's/\.0$//'; }

# ---- O_TRUNC|O_EXLOCK|O_NONBLOCK on a locked file ---------------------------
# Process 7 holds /data/f with O_EXLOCK; process 8's O_TRUNC|O_EXLOCK|
# O_NONBLOCK open fails with EWOULDBLOCK (as the trace says); process 9
# opens it with O_EXLOCK while 7 reads, waiting until 7 has closed, and 2 s
# later a stat sees 64 KB.  In
# 5.0-CURRENT the failed open left the file alone (no repair needed); in
# RELENG_4 it had truncated the file before trying the lock, so the stat
# finds it empty and the replay must repair it.
cat >"$T/exlock.trace" <<'EOF'
#vfssim-trace 1
1000000000 7 openat 3 1000 fd=AT_FDCWD path="/data/f" oflags=O_RDWR|O_EXLOCK
1000001000 8 openat -EWOULDBLOCK 1000 fd=AT_FDCWD path="/data/f" oflags=O_WRONLY|O_TRUNC|O_EXLOCK|O_NONBLOCK
1000002000 7 read 65536 1000 fd=3 len=65536
1000002500 9 openat 3 1600 fd=AT_FDCWD path="/data/f" oflags=O_RDWR|O_EXLOCK
1000003000 7 close 0 1000 fd=3
1000005000 9 close 0 1000 fd=3
3000006000 9 newfstatat 0 1000 fd=AT_FDCWD path="/data/f" size=65536 type=REG
EOF
"$VFSSIM" replay "$T/exlock.trace" --db "$T/ex5.db" -q >"$T/out" 2>&1
"$VFSSIM" replay "$T/exlock.trace" --profile profiles/freebsd4.ini --db "$T/ex4.db" -q >>"$T/out" 2>&1
r5=$(metric "$T/ex5.db" 1 replay.repairs) r4=$(metric "$T/ex4.db" 1 replay.repairs)
w5=$(metric "$T/ex5.db" 1 vfs.lockf_waits)
if [ "$r5" = 0 ] && [ "$r4" = 1 ]; then
	ok "O_TRUNC|O_EXLOCK|O_NONBLOCK that fails: the file keeps its size in 5.0-CURRENT, RELENG_4 truncated it"
else
	bad "O_EXLOCK truncation by era: repairs $r5 (5.0-CURRENT), $r4 (RELENG_4)"; head -5 "$T/out"
fi
# Process 9's O_EXLOCK open comes while 7 still holds the lock in the
# simulation (7's read took disk time): it waits "lockf".
wmesg=$(sql "$T/ex5.db" "SELECT wmesg FROM syscalls WHERE pid = 9 AND call = 'openat'")
if [ "${w5:-0}" -ge 1 ] && [ "$wmesg" = lockf ]; then
	ok "an O_EXLOCK open waits \"lockf\" for the holder to close"
else
	bad "O_EXLOCK wait: $w5 waits, wmesg \"$wmesg\""
fi

# ---- O_TRUNC|O_EXLOCK that waits for the lock ---------------------------------
# Process 7 holds /data/f (64 KB) with O_EXLOCK and reads it; process 8's
# blocking O_WRONLY|O_TRUNC|O_EXLOCK open comes first and waits for the
# lock.  5.0-CURRENT (kern_open: the advisory lock, then the truncation)
# truncates only once 8 has the lock, after 7's close: 7 reads its 64 KB
# and 8's stat, later, finds the file empty — no repair either way.
# RELENG_4 (vn_open truncates before open() asks for the lock) empties the
# file under 7 while 8 waits: 7's read finds nothing, and the replay must
# repair the file to give it the 64 KB the trace says it read.
# (7's stat first gives the starting file system the file's 64 KB.)
cat >"$T/trunclock.trace" <<'EOF'
#vfssim-trace 1
999000000 7 newfstatat 0 1000 fd=AT_FDCWD path="/data/f" size=65536 type=REG
1000000000 7 openat 3 1000 fd=AT_FDCWD path="/data/f" oflags=O_RDWR|O_EXLOCK
1010000000 8 openat 3 1000 fd=AT_FDCWD path="/data/f" oflags=O_WRONLY|O_TRUNC|O_EXLOCK
1050000000 7 read 65536 1000 fd=3 len=65536
1060000000 7 close 0 1000 fd=3
1070000000 8 close 0 1000 fd=3
3000005000 8 newfstatat 0 1000 fd=AT_FDCWD path="/data/f" size=0 type=REG
EOF
if "$VFSSIM" replay "$T/trunclock.trace" --db "$T/tl5.db" -q >"$T/out" 2>&1 &&
	"$VFSSIM" replay "$T/trunclock.trace" --profile profiles/freebsd4.ini --db "$T/tl4.db" -q >>"$T/out" 2>&1; then
	r5=$(metric "$T/tl5.db" 1 replay.repairs) r4=$(metric "$T/tl4.db" 1 replay.repairs)
	w5=$(sql "$T/tl5.db" "SELECT wmesg FROM syscalls WHERE pid = 8 AND call = 'openat'")
	got5=$(sql "$T/tl5.db" "SELECT result FROM syscalls WHERE pid = 7 AND call = 'read'")
	w4=$(sql "$T/tl4.db" "SELECT wmesg FROM syscalls WHERE pid = 8 AND call = 'openat'")
	if [ "$r5" = 0 ] && [ "$w5" = lockf ] && [ "$got5" = 65536 ] && [ "$r4" = 1 ] &&
		[ "$w4" = lockf ]; then
		ok "a blocking O_TRUNC|O_EXLOCK open truncates once it has the lock in 5.0-CURRENT (the holder reads its 64 KB); RELENG_4 truncated before waiting ($r4 repairs)"
	else
		bad "blocking O_TRUNC|O_EXLOCK by era: 5.0-CURRENT waited \"$w5\", read $got5, $r5 repairs; RELENG_4 $r4 repairs"
	fi
else
	bad "blocking O_TRUNC|O_EXLOCK"; head -5 "$T/out"
fi

# ---- fcntl and flock from an strace capture -----------------------------------
cat >"$T/locks.strace" <<'EOF'
100 1700000000.000100 openat(AT_FDCWD, "/data/db", O_RDWR|O_CREAT, 0644) = 3</data/db> <0.000010>
101 1700000000.000150 openat(AT_FDCWD, "/data/db", O_RDWR) = 3</data/db> <0.000010>
100 1700000000.000200 fcntl(3</data/db>, F_SETLKW, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=100}) = 0 <0.000010>
101 1700000000.000250 fcntl(3</data/db>, F_SETLKW, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=50, l_len=10}) = 0 <0.200000>
100 1700000000.100000 pwrite64(3</data/db>, "x"..., 100, 0) = 100 <0.000010>
100 1700000000.200000 fcntl(3</data/db>, F_SETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=100}) = 0 <0.000010>
101 1700000000.200300 flock(3</data/db>, LOCK_EX) = 0 <0.000010>
100 1700000000.300000 close(3</data/db>) = 0 <0.000010>
101 1700000000.300100 close(3</data/db>) = 0 <0.000010>
EOF
if "$VFSSIM" replay "$T/locks.strace" --db "$T/locks.db" -q >"$T/out" 2>&1; then
	w=$(sql "$T/locks.db" "SELECT wmesg FROM syscalls WHERE pid = 101 AND call = 'fcntl'")
	wait_ns=$(sql "$T/locks.db" "SELECT wait_ns FROM syscalls WHERE pid = 101 AND call = 'fcntl'")
	rep=$(metric "$T/locks.db" 1 vfs.lock_repairs)
	if [ "$w" = lockf ] && [ "$wait_ns" -ge 150000000 ] && [ "$rep" = 0 ]; then
		ok "fcntl(F_SETLKW) over another's write lock waits \"lockf\" until it is unlocked ($((wait_ns / 1000000)) ms)"
	else
		bad "fcntl locks: wmesg \"$w\", waited $wait_ns ns, $rep lock repairs"
	fi
else
	bad "replay of an strace capture with locks"; head -5 "$T/out"
fi

# ---- a tar-like extraction: synchronous writes by metadata mode ---------------
for meta in sync async delayed; do
	"$VFSSIM" replay --gen tar --param depth=2 --param fanout=6 --param files=10 \
		--set ffs.metadata=$meta --db "$T/tar-$meta.db" -q >"$T/out" 2>&1 ||
		{ bad "tar extraction with $meta metadata"; head -5 "$T/out"; }
done
s1=$(metric "$T/tar-sync.db" 1 bio.bwrite_sync)
s2=$(metric "$T/tar-async.db" 1 bio.bwrite_sync)
s3=$(metric "$T/tar-delayed.db" 1 bio.bwrite_sync)
t1=$(metric "$T/tar-sync.db" 1 time.simulated_ns) t2=$(metric "$T/tar-async.db" 1 time.simulated_ns)
if [ "${s1:-0}" -gt 100 ] && [ $((s2 * 10)) -lt "$s1" ] && [ $((s3 * 10)) -lt "$s1" ] &&
	awk -v a="$t2" -v b="$t1" 'BEGIN { exit !(a < b) }'; then
	ok "tar extraction: $s1 synchronous writes with sync metadata, $s2 async, $s3 delayed; faster without"
else
	bad "tar extraction: synchronous writes sync $s1, async $s2, delayed $s3; time $t1 vs $t2"
fi

# ---- O_DIRECT by era -------------------------------------------------------
# 5.0-CURRENT (ac8f990bde, May 2001) leaves O_DIRECT data out of the cache,
# so the second read of the file goes to the disk again; RELENG_4 ignored
# the flag and the second read hits.
cat >"$T/direct.trace" <<'EOF'
#vfssim-trace 1
1000000000 7 openat 3 1000 fd=AT_FDCWD path="/data/big" oflags=O_RDONLY|O_DIRECT
1000001000 7 read 262144 1000 fd=3 len=262144
1000002000 7 close 0 1000 fd=3
1000003000 7 openat 3 1000 fd=AT_FDCWD path="/data/big" oflags=O_RDONLY
1000004000 7 read 262144 1000 fd=3 len=262144
1000005000 7 close 0 1000 fd=3
EOF
"$VFSSIM" replay "$T/direct.trace" --db "$T/d5.db" -q >"$T/out" 2>&1
"$VFSSIM" replay "$T/direct.trace" --profile profiles/freebsd4.ini --db "$T/d4.db" -q >>"$T/out" 2>&1
# (until the read ends: the unmount's sync then writes the inode's access
# time, and may read its block to do so)
second() { sql "$1" "SELECT count(*) FROM disk_io d WHERE d.is_write = 0 AND d.start_ns >=
	(SELECT max(start_ns) FROM syscalls WHERE call = 'read') AND d.start_ns <
	(SELECT max(end_ns) FROM syscalls WHERE call = 'read')"; }
d5=$(second "$T/d5.db") d4=$(second "$T/d4.db")
if [ "$d5" -gt 0 ] && [ "$d4" = 0 ]; then
	ok "O_DIRECT: the next read misses in 5.0-CURRENT ($d5 disk reads), hits in RELENG_4"
else
	bad "O_DIRECT by era: second read $d5 disk reads (5.0-CURRENT), $d4 (RELENG_4)"
fi

# ---- a file closed by one thread while another reads it ----------------------
# Thread 101 shares 100's descriptors; 100 closes fd 3 while 101's 1 MB read
# waits for the disk.  The read holds its own reference to the file (fget,
# fhold), so it completes with all its data, and the file goes — its
# O_EXLOCK lock with it (vn_closefile at the last fdrop) — only when the
# read ends: process 200, asking for the lock after the close, gets it
# then, not at the close.  (In the capture too the read lasts 100 ms and
# 200's open waits out the rest of it: replay.order=causal holds 200 back
# only for what had returned before it began, 100's calls.)
cat >"$T/thr.trace" <<'EOF'
#vfssim-trace 1
1000000000 100 openat 3 1000 fd=AT_FDCWD path="/data/big" oflags=O_RDONLY|O_EXLOCK
1000001000 100 clone 101 1000 xflags=CLONE_VM|CLONE_FILES|CLONE_THREAD
1000002000 101 read 1048576 100000000 fd=3 len=1048576
1001002500 100 close 0 1000 fd=3
1001004000 200 openat 4 99000000 fd=AT_FDCWD path="/data/big" oflags=O_RDONLY|O_EXLOCK
1101003000 101 read -EBADF 1000 fd=3 len=4096
EOF
if "$VFSSIM" replay "$T/thr.trace" --db "$T/thr.db" -q >"$T/out" 2>&1; then
	inside=$(sql "$T/thr.db" "SELECT count(*) FROM syscalls c, syscalls r WHERE c.call = 'close' AND
		r.call = 'read' AND r.result = 1048576 AND c.start_ns > r.start_ns AND c.end_ns < r.end_ns")
	bytes=$(metric "$T/thr.db" 1 proc.bytes_read)
	# the lock went with the read's reference: 200's open, begun after
	# the close and before the read ended, ends when the read does
	after=$(sql "$T/thr.db" "SELECT count(*) FROM syscalls o, syscalls r, syscalls c WHERE
		o.pid = 200 AND o.call = 'openat' AND o.result = 4 AND r.call = 'read' AND
		r.result = 1048576 AND c.call = 'close' AND o.start_ns >= c.end_ns AND
		o.start_ns < r.end_ns AND o.end_ns >= r.end_ns")
	if [ "$inside" = 1 ] && [ "$bytes" = 1048576 ] && [ "$after" = 1 ]; then
		ok "a descriptor closed by one thread during another's read: the read completes with its 1 MB, and the file (its lock) goes when the read ends"
	else
		bad "close during a read: close inside the read $inside, $bytes bytes read, lock released after the read $after"
	fi
else
	bad "close during a read"; head -5 "$T/out"
fi

# ---- the new keys by sysctl name --------------------------------------------
out=$("$VFSSIM" sysctl --set vfs.ffs.metadata=async --set kern.maxvnodes=500 --set debug.vfscache=0 2>&1)
if echo "$out" | grep -qx 'vfs.ffs.metadata: async' && echo "$out" | grep -qx 'kern.maxvnodes: 500' &&
	echo "$out" | grep -qx 'debug.vfscache: 0' && echo "$out" | grep -q '^vfs.ffs.ncg: '; then
	ok "sysctl: vfs.ffs.metadata, kern.maxvnodes, debug.vfscache; the cylinder groups"
else
	bad "sysctl keys"; echo "$out" | head -3
fi

# ---- background writes of the cylinder-group maps ----------------------------
# Four processes create a tree of small files on a 32 MB machine: the maps
# are changed by every allocation and written by buf_daemon and the syncer.
# With bwrite's background writes (both eras' default) a copy is written
# and no allocator ever waits for a map; with debug.dobkgrdwrite=false the
# map is locked while it is written and allocators sleep "getblk" on it.
if "$VFSSIM" compare --gen tree --param files=20 --param depth=2 --param fanout=8 \
	--param size=4K --param procs=4 --profile profiles/small-32mb.ini \
	-V on= -V off=debug.dobkgrdwrite=false --db "$T/bk.db" -q >"$T/out" 2>&1; then
	bon=$(metric "$T/bk.db" 1 bio.bkgrd_writes) boff=$(metric "$T/bk.db" 2 bio.bkgrd_writes)
	won=$(metric "$T/bk.db" 1 bio.getblk_waits_maps) woff=$(metric "$T/bk.db" 2 bio.getblk_waits_maps)
	if [ "${bon:-0}" -gt 0 ] && [ "$boff" = 0 ] && [ "$won" = 0 ] && [ "${woff:-0}" -gt 0 ]; then
		ok "background map writes: $bon copies written, allocators never wait for a map; off: $woff waits"
	else
		bad "background map writes: copies $bon/$boff, waits on maps $won/$woff (on/off)"
	fi
else
	bad "compare dobkgrdwrite"; head -5 "$T/out"
fi

# ---- vnodes recycled hard, the name cache off: still consistent --------------
if "$VFSSIM" replay --gen find --set kern.maxvnodes=60 --set debug.vfscache=0 \
	--db "$T/find.db" -q >"$T/out" 2>&1; then
	rec=$(metric "$T/find.db" 1 vfs.vnodes_recycled)
	hits=$(metric "$T/find.db" 1 vfs.namecache_hits)
	fsck=$(metric "$T/find.db" 1 fs.fsck_problems)
	if [ "${rec:-0}" -gt 100 ] && [ "$hits" = 0 ] && [ "$fsck" = 0 ]; then
		ok "a find over a tree with 60 vnodes and no name cache: $rec vnodes recycled, fsck clean"
	else
		bad "find with few vnodes: $rec recycled, $hits cache hits, fsck $fsck"
	fi
else
	bad "find with kern.maxvnodes=60"; head -5 "$T/out"
fi

finish
