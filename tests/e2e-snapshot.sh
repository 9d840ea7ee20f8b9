#!/usr/bin/env bash
# End-to-end tests of FFS snapshots (issue "Snapshots: write suspension,
# snapshot creation and copy-on-write") through the command line: a
# snapshot under a DBM load (--gen snapshot), its summary and the syscalls
# rows that waited for the suspension or a copy; snapshots taken and
# removed with --snapshot-at / --snapshot-remove-at on a bundled trace and
# as a compare variant; snapshot records in a native trace and mksnap_ffs
# or mount -o snapshot run by a traced program, with nothing lost and a
# clean fsck; a snapshot file read-only, and removed by unlinking it or
# renaming over it; the freebsd4 era refusing them; bad times refused.
#
#   VFSSIM=build/check/vfssim tests/e2e-snapshot.sh
. "$(dirname "$0")/lib.sh" e2e-snapshot e2e-snap
expect 10
metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'" | sed 's/\.0$//'; }

# ---- a snapshot under a DBM load --------------------------------------------
if "$VFSSIM" replay --gen snapshot --param load=dbm --param dbm.ops=4000 \
	--param at=1s --db "$T/dbm.db" -q >"$T/out" 2>&1; then
	made=$(metric "$T/dbm.db" 1 snapshot.created)
	susp=$(metric "$T/dbm.db" 1 snapshot.suspended_ns)
	copies=$(metric "$T/dbm.db" 1 snapshot.cow_copies)
	reads=$(metric "$T/dbm.db" 1 snapshot.cow_reads)
	held=$(metric "$T/dbm.db" 1 snapshot.bytes_held)
	blocked=$(metric "$T/dbm.db" 1 snapshot.writers_blocked)
	fsck=$(metric "$T/dbm.db" 1 fs.fsck_problems)
	row=$(sql "$T/dbm.db" "SELECT count(*) FROM syscalls WHERE call = 'snapshot_create' AND path = 'snap1' AND end_ns > start_ns")
	waited=$(sql "$T/dbm.db" "SELECT count(*) FROM syscalls WHERE suspend_ns > 0 AND wait_ns >= suspend_ns")
	# (each block copied holds a whole block of the snapshot's, 16 KB)
	if [ "$made" = 1 ] && [ "${susp:-0}" -gt 0 ] && [ "${copies:-0}" -gt 100 ] &&
		[ "$reads" -le "$copies" ] && [ "$held" -ge $((copies * 16384)) ] &&
		[ "$row" = 1 ] && [ "$waited" -ge 1 ] && [ "$waited" -le "$blocked" ] && [ "$fsck" = 0 ]; then
		ok "a snapshot under DBM: suspended $((susp / 1000000)) ms, $waited calls waited (suspend_ns), $copies blocks copied, $((held / 1024)) KB held, fsck clean"
	else
		bad "snapshot under DBM: made $made, suspended $susp, copies $copies reads $reads held $held, rows $row, waited $waited of $blocked, fsck $fsck"
	fi
else
	bad "replay --gen snapshot"; head -5 "$T/out"
fi

# ---- --snapshot-at on a bundled trace, and as a compare variant --------------
if "$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --snapshot-at 0.5s \
	--snapshot-at 1s --snapshot-remove-at 1.5s --set replay.verify=true \
	--db "$T/d1.db" -q >"$T/out" 2>&1; then
	made=$(metric "$T/d1.db" 1 snapshot.created) gone=$(metric "$T/d1.db" 1 snapshot.removed)
	live=$(metric "$T/d1.db" 1 snapshot.live) lost=$(metric "$T/d1.db" 1 verify.lost_blocks)
	fsck=$(metric "$T/d1.db" 1 fs.fsck_problems)
	if [ "$made" = 2 ] && [ "$gone" = 1 ] && [ "$live" = 1 ] && [ "$lost" = 0 ] && [ "$fsck" = 0 ]; then
		ok "--snapshot-at twice, --snapshot-remove-at once on a SQLite trace: 1 left, nothing lost, fsck clean"
	else
		bad "--snapshot-at: made $made removed $gone live $live lost $lost fsck $fsck"
	fi
else
	bad "replay --snapshot-at"; head -5 "$T/out"
fi
if "$VFSSIM" compare traces/d1-sqlite-journal.strace.gz -V base= -V snap=snapshot.at=0.5s \
	--db "$T/cmp.db" -q --no-events >"$T/out" 2>&1; then
	a=$(metric "$T/cmp.db" 1 snapshot.created) b=$(metric "$T/cmp.db" 2 snapshot.created)
	if [ "$a" = 0 ] && [ "$b" = 1 ]; then
		ok "compare: a variant with snapshot.at=0.5s takes one, the base none"
	else
		bad "compare with snapshot.at: base made $a, variant $b"
	fi
else
	bad "compare -V snap=snapshot.at=0.5s"; head -5 "$T/out"
fi

# ---- snapshot records in a native trace --------------------------------------
# A file written, a snapshot, the file overwritten, truncated and deleted
# under it, a second snapshot, the first removed.
# (times past 2^31 ns: printed with %.0f, which every awk keeps whole)
awk 'BEGIN {
	print "#vfssim-trace 1";
	t = 1000000000;
	printf "%.0f 7 openat 3 1000 fd=AT_FDCWD path=\"/w/f\" oflags=O_RDWR|O_CREAT mode=0644\n", t;
	for (i = 0; i < 64; i++) { t += 1000; printf "%.0f 7 write 65536 1000 fd=3 len=65536\n", t }
	t += 1000; printf "%.0f 7 fsync 0 1000 fd=3\n", t;
	t += 1000000; printf "%.0f 8 snapshot_create 0 1000 path=\"first\"\n", t;
	t += 30000000000; printf "%.0f 7 lseek 0 1000 fd=3 off=0 cmd=SEEK_SET\n", t;
	for (i = 0; i < 64; i++) { t += 1000; printf "%.0f 7 write 65536 1000 fd=3 len=65536\n", t }
	t += 1000; printf "%.0f 7 ftruncate 0 1000 fd=3 len=1000000\n", t;
	t += 1000; printf "%.0f 7 close 0 1000 fd=3\n", t;
	t += 1000; printf "%.0f 7 unlink 0 1000 path=\"/w/f\"\n", t;
	t += 1000000; printf "%.0f 8 snapshot_create 0 1000 path=\"/.snap/second\"\n", t;
	t += 30000000000; printf "%.0f 8 snapshot_remove 0 1000 path=\"first\"\n", t;
}' >"$T/native.trace"
if "$VFSSIM" replay "$T/native.trace" --set replay.verify=true --db "$T/native.db" -q >"$T/out" 2>&1; then
	made=$(metric "$T/native.db" 1 snapshot.created) gone=$(metric "$T/native.db" 1 snapshot.removed)
	claimed=$(metric "$T/native.db" 1 snapshot.claimed_blocks) copies=$(metric "$T/native.db" 1 snapshot.cow_copies)
	reads=$(metric "$T/native.db" 1 snapshot.cow_reads)
	lost=$(metric "$T/native.db" 1 verify.lost_blocks) fsck=$(metric "$T/native.db" 1 fs.fsck_problems)
	rep=$(metric "$T/native.db" 1 replay.repairs)
	cow=$(sql "$T/native.db" "SELECT count(*) FROM syscalls WHERE cow_ns > 0")
	# In the trace's order (replay.order=causal: the snapshot after the
	# fsync, then the 4 MB overwritten) each of the file's 256 blocks is
	# overwritten while "first" shares it, and goes one of two ways: its
	# new contents are written (ffs_copyonwrite: one raw read of the old
	# contents, one copy per snapshot sharing it — two at most), or the
	# ftruncate or unlink frees it while that write is still delayed and
	# "first" claims it instead (ffs_snapblkfree: no read, no copy).  The
	# only other blocks first written after "first" are metadata, 8 at
	# most: the file's inode and indirect blocks, /w's directory and
	# inode blocks, /.snap's directory and inode blocks, and the inode
	# blocks of the two snapshot files (fewer when they share one).  So
	# 256 <= reads + claims <= 264, and reads <= copies <= 2 x reads.
	rc=$(( ${reads:-0} + ${claimed:-0} ))
	if [ "$made" = 2 ] && [ "$gone" = 1 ] && [ "${claimed:-0}" -gt 0 ] &&
		[ "$rc" -ge 256 ] && [ "$rc" -le 264 ] &&
		[ "${copies:-0}" -ge "$reads" ] && [ "$copies" -le $((2 * reads)) ] &&
		[ "$lost" = 0 ] && [ "$fsck" = 0 ] && [ "$rep" = 0 ]; then
		ok "native snapshot records: $copies blocks copied, $claimed claimed from the deleted file, $cow calls waited for a copy, nothing lost, fsck clean"
	else
		bad "native snapshots: made $made removed $gone claimed $claimed copies $copies reads $reads lost $lost fsck $fsck repairs $rep"
	fi
else
	bad "replay of a native trace with snapshots"; head -5 "$T/out"
fi

# ---- a snapshot file is read-only; unlinking it removes the snapshot ---------
cat >"$T/rm.trace" <<'EOF'
#vfssim-trace 1
1000000000 7 openat 3 1000 fd=AT_FDCWD path="/w/f" oflags=O_RDWR|O_CREAT mode=0644
1000001000 7 write 65536 1000 fd=3 len=65536
1000002000 8 snapshot_create 0 1000 path="s"
1000003000 8 snapshot_create 0 1000 path="u"
60000000000 7 openat 4 1000 fd=AT_FDCWD path="/.snap/s" oflags=O_RDWR
60000002000 7 pwrite64 65536 1000 fd=4 len=65536 off=0
60000003000 7 ftruncate 0 1000 fd=4 off=0
60000004000 7 close 0 1000 fd=4
60000005000 7 unlink 0 1000 path="/.snap/s"
60000006000 7 rename 0 1000 path="/w/f" path2="/.snap/u"
60000007000 8 snapshot_create 0 1000 path="t"
EOF
if "$VFSSIM" replay "$T/rm.trace" --set replay.verify=true --db "$T/rm.db" -q >"$T/out" 2>&1; then
	made=$(metric "$T/rm.db" 1 snapshot.created) gone=$(metric "$T/rm.db" 1 snapshot.removed)
	live=$(metric "$T/rm.db" 1 snapshot.live) refused=$(metric "$T/rm.db" 1 snapshot.writes_refused)
	lost=$(metric "$T/rm.db" 1 verify.lost_blocks) fsck=$(metric "$T/rm.db" 1 fs.fsck_problems)
	if [ "$made" = 3 ] && [ "$gone" = 2 ] && [ "$live" = 1 ] && [ "$refused" = 2 ] &&
		[ "$lost" = 0 ] && [ "$fsck" = 0 ]; then
		ok "a snapshot file refuses a write and a truncation; unlink and rename over one remove it; fsck clean"
	else
		bad "snapshot files: made $made removed $gone live $live refused $refused lost $lost fsck $fsck"
	fi
else
	bad "replay of a trace touching snapshot files"; head -5 "$T/out"
fi

# ---- mksnap_ffs and mount -o snapshot in an strace capture -------------------
cat >"$T/mksnap.strace" <<'EOF'
100 1700000000.000100 openat(AT_FDCWD, "/data/f", O_RDWR|O_CREAT, 0644) = 3</data/f> <0.000010>
100 1700000000.000200 pwrite64(3</data/f>, "x"..., 65536, 0) = 65536 <0.000010>
101 1700000000.500000 execve("/sbin/mksnap_ffs", ["mksnap_ffs", "/", "/.snap/nightly"], 0x7ffd1 /* 20 vars */) = 0 <0.000300>
102 1700000000.600000 execve("/sbin/mount", ["mount", "-u", "-o", "snapshot", "/.snap/two", "/"], 0x7ffd1 /* 20 vars */ <unfinished ...>
100 1700000000.700000 pwrite64(3</data/f>, "x"..., 65536, 0) = 65536 <0.000010>
102 1700000000.800000 <... execve resumed>) = 0 <0.2>
103 1700000000.900000 execve("/bin/mount", ["mount", "-u", "-o", "ro", "/"], 0x7ffd1 /* 20 vars */) = 0 <0.000300>
100 1700000001.100000 close(3</data/f>) = 0 <0.000010>
EOF
if "$VFSSIM" replay "$T/mksnap.strace" --db "$T/mksnap.db" -q >"$T/out" 2>&1; then
	names=$(sql "$T/mksnap.db" "SELECT group_concat(path, ' ') FROM (SELECT path FROM syscalls WHERE call = 'snapshot_create' ORDER BY seq)")
	made=$(metric "$T/mksnap.db" 1 snapshot.created)
	execs=$(sql "$T/mksnap.db" "SELECT count(*) FROM syscalls WHERE call = 'execve'")
	if [ "$names" = "/.snap/nightly /.snap/two" ] && [ "$made" = 2 ] && [ "$execs" = 1 ]; then
		ok "strace: mksnap_ffs and mount -u -o snapshot become snapshots ($names); mount -o ro stays an execve"
	else
		bad "mksnap_ffs in strace: names '$names', made $made, execs $execs"
	fi
else
	bad "replay of an strace capture running mksnap_ffs"; head -5 "$T/out"
fi

# ---- refused: the freebsd4 era, bad times --------------------------------------
"$VFSSIM" replay "$T/native.trace" --profile profiles/freebsd4.ini --db "$T/r4.db" -q >"$T/out" 2>&1
rc=$?
runs=$(sql "$T/r4.db" "SELECT count(*) FROM runs WHERE status = 'complete'" 2>/dev/null || echo 0)
if [ "$rc" = 2 ] && grep -q "native.trace:[0-9]*: a snapshot record, but the freebsd4 era" "$T/out" && [ "${runs:-0}" = 0 ]; then
	ok "freebsd4 refuses a trace with snapshots: exit 2, file and line named, no run recorded"
else
	bad "freebsd4 with snapshot records: exit $rc, runs $runs: $(head -2 "$T/out")"
fi
"$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --profile profiles/freebsd4.ini --snapshot-at 1s \
	--db "$T/r4b.db" -q >"$T/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q "freebsd4 era (RELENG_4) has no snapshots" "$T/out"; then
	ok "freebsd4 refuses --snapshot-at: exit 2"
else
	bad "freebsd4 --snapshot-at: exit $rc: $(head -2 "$T/out")"
fi
"$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --snapshot-at 5x --db "$T/bad.db" -q >"$T/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q "snapshot.at" "$T/out" && [ ! -s "$T/bad.db" ]; then
	ok "--snapshot-at 5x: exit 2 naming snapshot.at, no database written"
else
	bad "--snapshot-at 5x: exit $rc: $(head -2 "$T/out")"
fi

"$VFSSIM" replay traces/d1-sqlite-journal.strace.gz --snapshot-at 40000000s --db "$T/far.db" -q >"$T/out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q "past 366 days" "$T/out" && [ ! -e "$T/far.db" ]; then
	ok "--snapshot-at past a year: exit 2, nothing written"
else
	bad "--snapshot-at 40000000s: exit $rc: $(head -2 "$T/out")"
fi

finish
