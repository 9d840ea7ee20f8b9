#!/usr/bin/env bash
# End-to-end tests of disk errors (issue #19, "Disk errors"): a sector the
# drive cannot read fails the read(2) that needs it with EIO (its syscalls
# row shows it); one it cannot write fails the fsync(2), the block stays
# dirty (brelse re-dirties a failed write) and the summary counts it lost;
# a transient error is retried and nothing is lost; a directory block
# that cannot be read fails the lookups through it (stat, open, a create)
# with EIO, a cylinder group that cannot be read is skipped by the
# allocator, and a create whose inode cannot be written fails with EIO;
# disk.error_rate is
# repeatable from the run's seed; bad settings are refused before anything
# is written.
#
#   VFSSIM=build/check/vfssim tests/e2e-diskerr.sh
. "$(dirname "$0")/lib.sh" e2e-diskerr
expect 19
metric() { sql "$1" "SELECT value FROM summary WHERE run = ${3:-1} AND metric = '$2'" | sed 's/\.0$//'; }

# A program reads 64 KB of a file that was there, then writes 64 KB to a
# new one and fsyncs it.
cat >"$T/a.trace" <<'EOF'
#vfssim-trace 1
1000000000 100 openat 3 1000 fd=AT_FDCWD path="/in" oflags=O_RDONLY
1000010000 100 read 65536 1000 fd=3 len=65536
1000020000 100 close 0 1000 fd=3
1000030000 100 openat 4 1000 fd=AT_FDCWD path="/out" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644
1000040000 100 write 65536 1000 fd=4 len=65536
1000050000 100 fsync 0 1000 fd=4
1000060000 100 close 0 1000 fd=4
2000000000 100 +++ 0 -
EOF

# ---- where the data lies: a run without faults ---------------------------
"$VFSSIM" replay "$T/a.trace" --db "$T/clean.db" -q >"$T/out" 2>&1
rsec=$(sql "$T/clean.db" "SELECT sector + 10 FROM disk_io WHERE is_write = 0 ORDER BY sectors DESC, seq LIMIT 1")
# the second data block fsync writes (its first is written first)
wsec=$(sql "$T/clean.db" "SELECT sector FROM disk_io WHERE is_write = 1 AND submit_ns >=
	(SELECT start_ns FROM syscalls WHERE call = 'fsync') ORDER BY seq LIMIT 1 OFFSET 1")
if [ -n "$rsec" ] && [ -n "$wsec" ] && [ "$(metric "$T/clean.db" disk.read_errors)" = "" ] &&
	[ "$(sql "$T/clean.db" "SELECT count(*) FROM syscalls WHERE error IS NOT NULL")" = 0 ]; then
	ok "no faults: no errors, no error metrics (data read at $rsec, written at $wsec)"
else
	bad "the run without faults"; cat "$T/out"
fi

# ---- a sector that cannot be read: read(2) fails with EIO -----------------
"$VFSSIM" replay "$T/a.trace" --db "$T/r.db" -q --set "disk.errors=$rsec:r" >"$T/out" 2>&1
row=$(sql "$T/r.db" "SELECT call, result, error FROM syscalls WHERE error IS NOT NULL")
if [ "$row" = "read|-1|EIO" ] && no_sanitizer_report "$T/out"; then
	ok "a bad sector: the read's row is -1 EIO"
else
	bad "read error: rows: $row"; cat "$T/out"
fi
if [ "$(metric "$T/r.db" disk.read_errors)" = 1 ] && [ "$(metric "$T/r.db" replay.eio_calls)" = 1 ] &&
	[ "$(metric "$T/r.db" bio.lost_blocks)" = 0 ] &&
	[ "$(sql "$T/r.db" "SELECT result FROM syscalls WHERE call = 'write'")" = 65536 ]; then
	ok "a bad sector: one drive error, one call failed, the write unaffected, nothing lost"
else
	bad "read error: summary"; sql "$T/r.db" "SELECT metric, value FROM summary WHERE metric LIKE '%error%'"
fi

# ---- a sector that cannot be written: fsync(2) fails, the block is lost --
"$VFSSIM" replay "$T/a.trace" --db "$T/w.db" -q --set "disk.errors=$wsec:w:permanent" >"$T/out" 2>&1
row=$(sql "$T/w.db" "SELECT call, result, error FROM syscalls WHERE error IS NOT NULL")
if [ "$row" = "fsync|-1|EIO" ] && no_sanitizer_report "$T/out" &&
	[ "$(sql "$T/w.db" "SELECT status FROM runs")" = complete ]; then
	ok "a sector the drive will not write: fsync's row is -1 EIO, the run completes"
else
	bad "write error: rows: $row"; cat "$T/out"
fi
# The block is written again and again (re-dirtied by brelse each time):
# by fsync's NIADDR + 1 async passes and its synchronous last one, then
# by the final sync; it never gets there.
we=$(metric "$T/w.db" disk.write_errors)
if [ "$(metric "$T/w.db" bio.lost_blocks)" = 1 ] && [ "$(metric "$T/w.db" bio.lost_bytes)" = 16384 ] &&
	[ "$we" -ge 5 ] && [ "$(metric "$T/w.db" bio.writes_redirtied)" = "$we" ] &&
	[ "$(metric "$T/w.db" bio.dirty_at_end)" = 1 ]; then
	ok "a sector the drive will not write: retried $we times, one 16 KB block lost"
else
	bad "write error: summary"; sql "$T/w.db" "SELECT metric, value FROM summary WHERE metric LIKE 'bio.%'"
fi

# ---- O_SYNC: the write(2) itself fails -----------------------------------
sed 's/O_WRONLY|O_CREAT|O_TRUNC/&|O_SYNC/' "$T/a.trace" >"$T/s.trace"
"$VFSSIM" replay "$T/s.trace" --db "$T/sclean.db" -q >"$T/out" 2>&1
ssec=$(sql "$T/sclean.db" "SELECT d.sector FROM disk_io d, syscalls s WHERE s.call = 'write' AND
	d.is_write = 1 AND d.submit_ns BETWEEN s.start_ns AND s.end_ns ORDER BY d.seq LIMIT 1 OFFSET 1")
"$VFSSIM" replay "$T/s.trace" --db "$T/s.db" -q --set "disk.errors=$ssec:w" >"$T/out" 2>&1
row=$(sql "$T/s.db" "SELECT call, result, error FROM syscalls WHERE error IS NOT NULL" | tr '\n' ' ')
if [ -n "$ssec" ] && [ "$row" = "write|-1|EIO fsync|-1|EIO " ]; then
	ok "O_SYNC: the write's synchronous bwrite returns EIO to write(2), then fsync's"
else
	bad "O_SYNC write error at $ssec: rows: $row"; cat "$T/out"
fi

# ---- transient: the retry writes it, nothing is lost ----------------------
"$VFSSIM" replay "$T/a.trace" --db "$T/t.db" -q --set "disk.errors=$wsec:w:transient" >"$T/out" 2>&1
if [ "$(sql "$T/t.db" "SELECT count(*) FROM syscalls WHERE error IS NOT NULL")" = 0 ] &&
	[ "$(metric "$T/t.db" disk.write_errors)" = 1 ] && [ "$(metric "$T/t.db" bio.lost_blocks)" = 0 ] &&
	[ "$(metric "$T/t.db" vfs.fsync_errors)" = 0 ]; then
	ok "a transient write error: fsync's next pass writes it, fsync succeeds, nothing lost"
else
	bad "transient write error"; cat "$T/out"
fi

# ---- metadata a lookup needs: a directory block ---------------------------
# /d/f was there; /d/g is made.  ufs_lookup returns UFS_BLKATOFF's error:
# the stat, the open and the create through /d fail with EIO, before
# doing anything (no /d/g is written); the other calls go on.
cat >"$T/m.trace" <<'EOF'
#vfssim-trace 1
1000000000 100 newfstatat 0 1000 fd=AT_FDCWD path="/d/f" size=65536 type=REG
1000010000 100 openat 3 1000 fd=AT_FDCWD path="/d/f" oflags=O_RDONLY
1000020000 100 close 0 1000 fd=3
1000030000 100 openat 4 1000 fd=AT_FDCWD path="/d/g" oflags=O_WRONLY|O_CREAT|O_TRUNC mode=0644
1000040000 100 write 4096 1000 fd=4 len=4096
1000050000 100 close 0 1000 fd=4
2000000000 100 +++ 0 -
EOF
"$VFSSIM" replay "$T/m.trace" --db "$T/mclean.db" -q >"$T/out" 2>&1
dsec=$(sql "$T/mclean.db" "SELECT sector FROM disk_io WHERE what = 'directory' AND is_write = 0 AND ino != 2 ORDER BY seq LIMIT 1")
"$VFSSIM" replay "$T/m.trace" --db "$T/md.db" -q --set "disk.errors=$dsec:r" >"$T/out" 2>&1
row=$(sql "$T/md.db" "SELECT call, result, error FROM syscalls WHERE error IS NOT NULL" | tr '\n' ' ')
if [ -n "$dsec" ] && [ "$row" = "newfstatat|-1|EIO openat|-1|EIO openat|-1|EIO " ] &&
	[ "$(metric "$T/md.db" replay.eio_calls)" = 3 ] && [ "$(metric "$T/md.db" bio.read_errors_ignored)" = 0 ] &&
	no_sanitizer_report "$T/out"; then
	ok "a directory block that cannot be read: stat, open and create through it fail with EIO"
else
	bad "directory block read error at $dsec: rows: $row"; cat "$T/out"
fi
if [ "$(sql "$T/md.db" "SELECT count(*) FROM disk_io WHERE path = '/d/g'")" = 0 ] &&
	[ "$(sql "$T/md.db" "SELECT result FROM syscalls WHERE call = 'write'")" = 4096 ] &&
	[ "$(sql "$T/md.db" "SELECT status FROM runs")" = complete ]; then
	ok "a directory block that cannot be read: the failed create wrote nothing, the run completes"
else
	bad "directory block read error: after the failed create"
fi

# ---- a cylinder group that cannot be read: skipped ------------------------
# ffs_alloccg/ffs_nodealloccg: brelse and return 0 — ffs_hashalloc goes on
# to another group; the create and the write succeed, elsewhere.
csec=$(sql "$T/mclean.db" "SELECT sector FROM disk_io WHERE what = 'cg' AND is_write = 0 ORDER BY seq LIMIT 1")
"$VFSSIM" replay "$T/m.trace" --db "$T/mc.db" -q --set "disk.errors=$csec:r" >"$T/out" 2>&1
at() { sql "$1" "SELECT sector FROM disk_io WHERE path = '/d/g' AND is_write = 1"; }
if [ -n "$csec" ] && [ "$(sql "$T/mc.db" "SELECT count(*) FROM syscalls WHERE error IS NOT NULL")" = 0 ] &&
	[ "$(metric "$T/mc.db" disk.read_errors)" -ge 1 ] && [ "$(metric "$T/mc.db" bio.read_errors_ignored)" = 0 ] &&
	[ -n "$(at "$T/mc.db")" ] && [ "$(at "$T/mc.db")" != "$(at "$T/mclean.db")" ]; then
	ok "a cylinder group that cannot be read: skipped, /d/g's block at $(at "$T/mc.db") (not $(at "$T/mclean.db"))"
else
	bad "cg read error at $csec"; cat "$T/out"
fi

# ---- a create whose new inode cannot be written ---------------------------
# ufs_makeinode: the new inode's synchronous UFS_UPDATE fails, "goto bad":
# no name, the inode freed, open(2) fails with EIO (the write and close on
# the descriptor it never got pass through: no annotation names a file).
isec=$(sql "$T/mclean.db" "SELECT d.sector FROM disk_io d, syscalls s WHERE s.call = 'openat' AND s.fd = 4 AND
	d.is_write = 1 AND d.what = 'inode block' AND d.submit_ns BETWEEN s.start_ns AND s.end_ns ORDER BY d.seq LIMIT 1")
"$VFSSIM" replay "$T/m.trace" --db "$T/mw.db" -q --set "disk.errors=$isec:w" >"$T/out" 2>&1
row=$(sql "$T/mw.db" "SELECT call, result, error FROM syscalls WHERE error IS NOT NULL" | tr '\n' ' ')
if [ -n "$isec" ] && [ "$row" = "openat|-1|EIO " ] && [ "$(metric "$T/mw.db" replay.repairs)" = 0 ] &&
	[ "$(sql "$T/mw.db" "SELECT count(*) FROM disk_io WHERE path = '/d/g'")" = 0 ] &&
	[ "$(sql "$T/mw.db" "SELECT status FROM runs")" = complete ] && no_sanitizer_report "$T/out"; then
	ok "a new inode that cannot be written: the create fails with EIO, nothing of it written"
else
	bad "inode write error at $isec: rows: $row"; cat "$T/out"
fi

# ---- disk.error_rate: the same seed, the same errors ----------------------
for i in 1 2; do
	"$VFSSIM" replay traces/d4-find-cat.strace.gz --db "$T/rate.db" -q \
		--set disk.error_rate=0.05 --seed 7 >"$T/out$i" 2>&1
done
"$VFSSIM" replay traces/d4-find-cat.strace.gz --db "$T/rate.db" -q \
	--set disk.error_rate=0.05 --seed 8 >"$T/out3" 2>&1
errs() { sql "$T/rate.db" "SELECT seq, call FROM syscalls WHERE run = $1 AND error = 'EIO'
	UNION ALL SELECT metric, value FROM summary WHERE run = $1 AND metric IN
	('disk.read_errors', 'disk.write_errors', 'bio.lost_blocks')" | md5sum; }
n1=$(metric "$T/rate.db" disk.read_errors 1)
if [ -n "$n1" ] && [ "$n1" -gt 0 ] && [ "$(errs 1)" = "$(errs 2)" ]; then
	ok "disk.error_rate: $n1 read errors, the same calls failing in two runs with one seed"
else
	bad "error_rate repeatable"; cat "$T/out1"
fi
if [ "$(errs 1)" != "$(errs 3)" ]; then
	ok "disk.error_rate: another seed, other errors"
else
	bad "error_rate: seed 8 gave seed 7's errors"
fi

# ---- beside a DiskSim drive: faults are not the drive's description -------
if "$VFSSIM" replay "$T/a.trace" --db "$T/ds.db" -q --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv --set ffs.size=512M \
	--set "disk.errors=0-9:w" --set disk.error_rate=0.01 >"$T/out" 2>&1 &&
	[ -n "$(metric "$T/ds.db" disk.write_errors)" ]; then
	ok "disk.errors beside disk.diskspecs is accepted"
else
	bad "disk.errors beside disk.diskspecs"; cat "$T/out"
fi

# ---- vfssim disk: the drive alone, its failures counted ------------------
# (The times unchanged: the same three lines as without the faults.)
"$VFSSIM" disk --validate disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
	--no-db >"$T/nofault" 2>&1
if "$VFSSIM" disk --validate disks/hp_c2247a/hp_c2247a.trace --set disk.diskspecs=disks/hp_c2247a/hp_c2247a.parv \
	--set disk.error_rate=0.01 --db "$T/dk.db" >"$T/out" 2>&1 &&
	[ "$(metric "$T/dk.db" disk.read_errors)" -gt 0 ] && [ "$(metric "$T/dk.db" disk.write_errors)" -gt 0 ] &&
	grep -q '^demerit: ' "$T/out" && [ "$(tail -3 "$T/out")" = "$(tail -3 "$T/nofault")" ]; then
	ok "vfssim disk: $(metric "$T/dk.db" disk.read_errors) read and $(metric "$T/dk.db" disk.write_errors) write errors counted, the times unchanged"
else
	bad "vfssim disk with faults"; cat "$T/out"
fi

# ---- bad settings: refused before anything is written ---------------------
expect_bad "a malformed disk.errors" 'disk.errors: "5:x": the mode must be r, w or rw' \
	"$VFSSIM" replay "$T/a.trace" --db "$T/bad.db" -q --set disk.errors=5:x
expect_bad "a range beyond the drive" 'disk.errors: sectors 99999999999-99999999999: the drive has' \
	"$VFSSIM" replay "$T/a.trace" --db "$T/bad.db" -q --set disk.errors=99999999999:r
expect_bad "an error rate above 1" 'disk.error_rate = "2": out of range' \
	"$VFSSIM" replay "$T/a.trace" --db "$T/bad.db" -q --set disk.error_rate=2
if [ ! -e "$T/bad.db" ]; then
	ok "no database written for a refused setting"
else
	bad "a refused setting left $T/bad.db"
fi

finish
