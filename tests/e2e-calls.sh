#!/usr/bin/env bash
# tests/e2e-calls.sh — the calls real programs make beyond reads and
# writes, from real captures: tar and cp with hard and symbolic links,
# modes, owners and times, copy_file_range (d6); SQLite mapping its
# database and its WAL index (d7); a program making every such call once
# (formats/08-calls); git's links (d3) and make's readlinks (d2); 32-bit
# tools' calls under i386's names (d10).  Each is
# replayed through the model, not skipped; names the trace makes are not
# taken for files that were there; replay.mmap decides the faults; every
# call still not modelled is named with its count.
. "$(dirname "$0")/lib.sh" e2e-calls
expect 17

metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'"; }
num() { local v; v=$(metric "$@"); echo "${v%.0}"; }

D6=traces/d6-tar-cp-links.strace.gz
D7=traces/d7-sqlite-wal-mmap.strace.gz
Z8=traces/formats/08-calls.strace

# ---- tar x and cp -a: links, symlinks, attributes, copies --------------------
"$VFSSIM" replay "$D6" --db "$T/d6.db" >"$T/d6.out" 2>&1 || { bad "d6 replay failed"; cat "$T/d6.out"; }
sim=1
for c in linkat symlinkat readlink utimensat fchmod fchownat copy_file_range \
    fchown fadvise64 flistxattr statfs; do
	if [ "$(num "$T/d6.db" 1 "latency.$c.count")" -gt 0 ] 2>/dev/null &&
	    [ -z "$(metric "$T/d6.db" 1 "not_modelled.$c")" ]; then :; else
		sim=0; bad "d6: $c not simulated"
	fi
done
[ $sim = 1 ] && ok "tar x and cp -a: linkat, symlinkat, readlink, utimensat, fchmod, fchownat, copy_file_range, fchown, fadvise64, flistxattr, statfs all replayed"
if [ "$(num "$T/d6.db" 1 replay.repairs)" = 0 ] &&
    [ "$(num "$T/d6.db" 1 fs.fsck_problems)" = 0 ] &&
    [ "$(num "$T/d6.db" 1 vfs.readlinks)" -ge 6 ]; then
	ok "... with no repair: the links and copies the trace made are there when it reads them ($(num "$T/d6.db" 1 vfs.readlinks) link reads)"
else
	bad "d6: $(num "$T/d6.db" 1 replay.repairs) repairs, $(num "$T/d6.db" 1 vfs.readlinks) link reads"
fi
# cp's copy_file_range is a read/write loop: what it copied was read and
# written by the process.
cfr=$(zcat "$D6" | grep -oE 'copy_file_range\(.*\) = [0-9]+' | awk '{ s += $NF } END { print s + 0 }')
if [ "$cfr" -gt 100000 ] && [ "$(num "$T/d6.db" 1 proc.bytes_written)" -ge "$cfr" ]; then
	ok "copy_file_range's $cfr bytes read and written through the buffer cache"
else
	bad "copy_file_range: $cfr bytes, $(num "$T/d6.db" 1 proc.bytes_written) written"
fi

# ---- the not-modelled calls are named ---------------------------------------
total=$(num "$T/d6.db" 1 calls.not_modelled)
named=$(sql "$T/d6.db" "SELECT sum(value) FROM summary WHERE run = 1 AND metric LIKE 'not_modelled.%'")
if [ "$total" -gt 0 ] && [ "${named%.0}" = "$total" ] &&
    grep -q "^  skipped    mprotect 29, brk 18" "$T/d6.out"; then
	ok "every call not modelled is named with its count ($total), the most frequent printed"
else
	bad "not modelled: $total in all, $named named"; grep skipped "$T/d6.out"
fi

# ---- mapped files: SQLite's database and WAL index --------------------------
"$VFSSIM" replay "$D7" --db "$T/d7.db" >"$T/d7.out" 2>&1 || { bad "d7 replay failed"; cat "$T/d7.out"; }
"$VFSSIM" replay "$D7" --db "$T/d7.db" --set replay.mmap=first-page >"$T/d7f.out" 2>&1
"$VFSSIM" replay "$D7" --db "$T/d7.db" --set replay.mmap=none -q >/dev/null 2>&1
maps=$(num "$T/d7.db" 1 vm.mmaps)
if [ "$maps" -gt 5 ] && [ "$(num "$T/d7.db" 1 vm.pages_paged_in)" -gt 300 ] &&
    [ "$(num "$T/d7.db" 1 vm.pages_dirtied)" -gt 0 ] &&
    grep -q "^  mmap       replay.mmap=touch-all: $maps file mappings" "$T/d7.out"; then
	ok "SQLite's mappings touched whole: $(num "$T/d7.db" 1 vm.mmap_touched_pages) pages, $(num "$T/d7.db" 1 vm.pages_paged_in) read in by $(num "$T/d7.db" 1 vm.pageins) faults, the WAL index's pages dirtied"
else
	bad "d7 touch-all: $maps mappings, $(num "$T/d7.db" 1 vm.pages_paged_in) paged in"
fi
if [ "$(num "$T/d7.db" 2 vm.mmap_touched_pages)" -le "$(num "$T/d7.db" 2 vm.mmaps)" ] &&
    [ "$(num "$T/d7.db" 3 vm.faults)" = 0 ] &&
    [ "$(num "$T/d7.db" 3 disk.bytes_read)" -lt "$(num "$T/d7.db" 1 disk.bytes_read)" ]; then
	ok "replay.mmap=first-page touches one page a mapping, none none (and the disk reads less)"
else
	bad "replay.mmap: first-page $(num "$T/d7.db" 2 vm.mmap_touched_pages) pages, none $(num "$T/d7.db" 3 vm.faults) faults"
fi
# ... and the summary says what share of the disk's reads the faults made:
# touch-all's, most of them, its guess's upper bound; first-page's, not
paged=$(num "$T/d7.db" 1 vm.bytes_paged_in) rd=$(num "$T/d7.db" 1 disk.bytes_read)
share=$(( (100 * paged + rd / 2) / rd ))
if [ "$paged" = "$(( $(num "$T/d7.db" 1 vm.pages_paged_in) * 4096 ))" ] && [ "$share" -ge 50 ] &&
    grep -q "pages from the disk ($share% of its reads)" "$T/d7.out" &&
    grep -q "^             the pages touched are replay.mmap's guess, not the trace's: what the mappings read is an upper bound" "$T/d7.out" &&
    ! grep -q "the pages touched are replay.mmap's guess" "$T/d7f.out"; then
	ok "the mappings' share of the disk's reads, $share%: touch-all's said to be an upper bound, first-page's not"
else
	bad "mmap share: $paged of $rd bytes; $(grep -A1 '^  mmap' "$T/d7.out")"
fi

# ---- every call once: dirty pages put back by msync, nothing lost -----------
"$VFSSIM" replay "$Z8" --db "$T/z8.db" --set replay.verify=true -q >/dev/null 2>&1 || bad "08-calls replay failed"
if [ "$(num "$T/z8.db" 1 vm.pages_dirtied)" = 16 ] && [ "$(num "$T/z8.db" 1 vm.pages_put)" = 16 ] &&
    [ "$(num "$T/z8.db" 1 verify.lost_blocks)" = 0 ] &&
    [ "$(num "$T/z8.db" 1 calls.not_modelled)" = "$(sql "$T/z8.db" "SELECT sum(value) FROM summary WHERE run = 1 AND metric LIKE 'not_modelled.%'" | sed 's/\.0$//')" ] &&
    [ -z "$(sql "$T/z8.db" "SELECT metric FROM summary WHERE run = 1 AND metric IN ('not_modelled.link', 'not_modelled.mmap', 'not_modelled.msync', 'not_modelled.fallocate', 'not_modelled.sendfile', 'not_modelled.getxattr', 'not_modelled.utimensat')")" ]; then
	ok "08-calls: a shared mapping's 16 pages dirtied and put back by msync, nothing lost; no call of it skipped but the process's own"
else
	bad "08-calls: $(num "$T/z8.db" 1 vm.pages_dirtied) dirtied, $(num "$T/z8.db" 1 vm.pages_put) put back"
fi
# the native format carries the new calls: import, replay, the same rows
"$VFSSIM" import strace "$Z8" -o "$T/z8.trace" 2>/dev/null
"$VFSSIM" replay "$T/z8.trace" --db "$T/z8n.db" --set replay.verify=true -q >/dev/null 2>&1
if cmp -s <(sql "$T/z8.db" "SELECT metric, value FROM summary WHERE run = 1 ORDER BY metric") \
    <(sql "$T/z8n.db" "SELECT metric, value FROM summary WHERE run = 1 ORDER BY metric") &&
    grep -q " readlinkat 63 .* path2=\"a-long-target-name-that-is-longe\"" "$T/z8.trace" &&
    grep -q " mmap [0-9]* .*xflags=PROT_READ|PROT_WRITE|MAP_SHARED" "$T/z8.trace"; then
	ok "imported to the native format, the calls replay the same"
else
	bad "08-calls imported replays differently"
fi

# ---- git's links, make's readlinks ---------------------------------------------
"$VFSSIM" replay traces/d3-git-commit.strace.gz --db "$T/d3.db" -q --no-events >/dev/null 2>&1
"$VFSSIM" replay traces/d2-make-j2.strace.gz --db "$T/d2.db" -q --no-events >/dev/null 2>&1
if [ "$(num "$T/d3.db" 1 latency.link.count)" = 73 ] &&
    [ "$(num "$T/d3.db" 1 replay.repairs)" -lt 10 ] &&
    [ "$(num "$T/d3.db" 1 fs.initial_files)" -lt 120 ]; then
	ok "git: its 73 links made in the replay, not invented as files at the start ($(num "$T/d3.db" 1 fs.initial_files) starting files, $(num "$T/d3.db" 1 replay.repairs) repairs)"
else
	bad "git: $(num "$T/d3.db" 1 latency.link.count) links, $(num "$T/d3.db" 1 fs.initial_files) starting files, $(num "$T/d3.db" 1 replay.repairs) repairs"
fi
if [ "$(num "$T/d2.db" 1 latency.readlink.count)" -gt 10000 ] &&
    [ "$(num "$T/d2.db" 1 vfs.symlinks_followed)" -gt 100 ]; then
	ok "make: $(num "$T/d2.db" 1 latency.readlink.count) readlinks replayed; /usr/bin/cc and its chain are links the walks follow ($(num "$T/d2.db" 1 vfs.symlinks_followed) followed)"
else
	bad "make: $(num "$T/d2.db" 1 latency.readlink.count) readlinks, $(num "$T/d2.db" 1 vfs.symlinks_followed) followed"
fi
# ---- 32-bit programs: i386's names are the same calls -------------------------
# d10: i386 coreutils, findutils and tar run by a 64-bit shell.  Their
# mmap2, fcntl64, _llseek, fadvise64_64, statfs64/fstatfs64 and fchown32
# are replayed as the calls they are; the same trace with each line
# written as x86_64's strace would have named it replays to the same rows.
D10=traces/d10-i386-tar-cp-find.strace.gz
L10=traces/d10-i386-tar-cp-find.listing
"$VFSSIM" replay "$D10" --fs-manifest "$L10" --db "$T/d10.db" >"$T/d10.out" 2>&1 || { bad "d10 replay failed"; cat "$T/d10.out"; }
zcat "$D10" | perl -pe 's/\b(f?statfs)64\(("[^"]*"|[^,]*), \d+/$1($2/;
    s/\b_llseek\(([^,]*), (-?\d+), \[(\d+)\], (SEEK_[A-Z]+)\)( +)= 0 /lseek($1, $2, $4)$5= $3 /;
    s/\b_llseek\(([^,]*), (-?\d+), 0x[0-9a-f]+, (SEEK_[A-Z]+)\)/lseek($1, $2, $3)/;
    s/(?<=[ .])(mmap)2(?=[( ])|(?<=[ .])(fcntl)64(?=[( ])|(?<=[ .])(fadvise64)_64(?=[( ])|(?<=[ .])(fchown)32(?=[( ])|(?<=[ .])(f?statfs)64(?=[( ])/$1$2$3$4$5/g' >"$T/d10-64.strace"
"$VFSSIM" replay "$T/d10-64.strace" --fs-manifest "$L10" --db "$T/d10-64.db" >"$T/d10-64.out" 2>&1 || { bad "d10 in x86_64's names: replay failed"; cat "$T/d10-64.out"; }
rows() { sql "$1" "SELECT seq, pid, call, class, path, fd, offset, bytes, start_ns, end_ns, result, error, wait_ns, wmesg FROM syscalls WHERE run = 1 ORDER BY seq; SELECT * FROM disk_io WHERE run = 1 ORDER BY seq"; }
skipped32=$(sql "$T/d10.db" "SELECT group_concat(metric) FROM summary WHERE run = 1 AND metric IN ('not_modelled.mmap2', 'not_modelled.fcntl64', 'not_modelled._llseek', 'not_modelled.fadvise64_64', 'not_modelled.statfs64', 'not_modelled.fstatfs64', 'not_modelled.fchown32')")
if [ -z "$skipped32" ] && ! grep -qE '_llseek|mmap2|fcntl64|fadvise64_64|fchown32|statfs64' "$T/d10-64.strace" &&
    [ "$(sql "$T/d10.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND call = 'mmap'")" = 174 ] &&
    [ "$(sql "$T/d10.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND call = 'lseek'")" = 12 ] &&
    [ "$(sql "$T/d10.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND call = 'lseek' AND path LIKE '%zoneinfo%' AND result = 54")" = 1 ] &&
    [ "$(num "$T/d10.db" 1 replay.repairs)" = 0 ]; then
	ok "i386's mmap2, fcntl64, _llseek, fadvise64_64, statfs64, fchown32 replayed as mmap, fcntl, lseek, ... (166 + 8 mmaps, 12 lseeks): none skipped, no repair"
else
	bad "d10: skipped $skipped32; $(sql "$T/d10.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND call IN ('mmap', 'lseek')") mmaps and lseeks, $(num "$T/d10.db" 1 replay.repairs) repairs"
fi
if [ -n "$(rows "$T/d10.db")" ] && cmp -s <(rows "$T/d10.db") <(rows "$T/d10-64.db"); then
	ok "... and the trace in x86_64's names replays to the same calls and disk requests, row for row"
else
	bad "d10 and its x86_64 spelling replay differently"
	diff <(rows "$T/d10.db") <(rows "$T/d10-64.db") | head -5
fi

# ---- a FIFO: mkfifo, its I/O not a file's ---------------------------------------
# formats/09-mkfifo: sh -c 'mkfifo ff && { cat ff > out & } && printf ... > ff;
# wait; cat out; rm ff out'.  mknodat makes the node (ufs_mknod); the
# FIFO's reads and writes take the trace's time, no buffer of it; it was
# not there at the start.
Z9=traces/formats/09-mkfifo.strace
"$VFSSIM" replay "$Z9" --db "$T/z9.db" >"$T/z9.out" 2>&1 || { bad "09-mkfifo replay failed"; cat "$T/z9.out"; }
fifo_sim=$(sql "$T/z9.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND class = 'sim' AND call IN ('read', 'write') AND path LIKE '%/ff'")
fifo_pass=$(sql "$T/z9.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND class = 'pass' AND call IN ('read', 'write') AND path LIKE '%/ff'")
if [ "$(sql "$T/z9.db" "SELECT class FROM syscalls WHERE run = 1 AND call = 'mknodat'")" = sim ] &&
    [ "$fifo_sim" = 0 ] && [ "$fifo_pass" = 3 ] &&
    [ -z "$(sql "$T/z9.db" "SELECT path FROM initial_fs WHERE run = 1 AND path LIKE '%/ff'")" ] &&
    [ "$(num "$T/z9.db" 1 fs.inodes_allocated)" = 2 ] &&
    [ "$(num "$T/z9.db" 1 replay.repairs)" = 0 ] && [ "$(num "$T/z9.db" 1 fs.fsck_problems)" = 0 ]; then
	ok "mkfifo: the FIFO made by mknodat, its 3 reads and writes passed through, not a starting file, no repair"
else
	bad "09-mkfifo: mknodat $(sql "$T/z9.db" "SELECT class FROM syscalls WHERE run = 1 AND call = 'mknodat'"), FIFO I/O $fifo_sim simulated / $fifo_pass passed, $(num "$T/z9.db" 1 fs.inodes_allocated) inodes made, $(num "$T/z9.db" 1 replay.repairs) repairs"
fi

# ---- splice: a file's bytes into a pipe and out of one ----------------------------
# formats/10-splice (10-splice.c): 200,000 bytes of a file spliced into a
# pipe at offsets the calls name, a child splicing the pipe into a new
# file, one pipe spliced into another.  Each file half is the 2001 loop's
# read or write (sys_copy); the pipe into a pipe passes through.
Z10=traces/formats/10-splice.strace
"$VFSSIM" replay "$Z10" --db "$T/z10.db" >"$T/z10.out" 2>&1 || { bad "10-splice replay failed"; cat "$T/z10.out"; }
if [ "$(sql "$T/z10.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND call = 'splice' AND class = 'sim'")" = 9 ] &&
    [ "$(sql "$T/z10.db" "SELECT count(*) FROM syscalls WHERE run = 1 AND call = 'splice' AND class = 'pass'")" = 1 ] &&
    [ "$(num "$T/z10.db" 1 proc.bytes_read)" = 202400 ] && [ "$(num "$T/z10.db" 1 proc.bytes_written)" = 400000 ] &&
    [ "$(num "$T/z10.db" 1 replay.repairs)" = 0 ] && [ "$(num "$T/z10.db" 1 fs.fsck_problems)" = 0 ] &&
    ! grep -q '^  warning' "$T/z10.out"; then
	ok "splice: the file's 200,000 bytes read into the pipe and written out of it, the pipe into a pipe passed through, no repair"
else
	bad "10-splice: splice $(sql "$T/z10.db" "SELECT group_concat(class || '=' || n) FROM (SELECT class, count(*) n FROM syscalls WHERE run = 1 AND call = 'splice' GROUP BY class)"), read $(num "$T/z10.db" 1 proc.bytes_read), written $(num "$T/z10.db" 1 proc.bytes_written), $(num "$T/z10.db" 1 replay.repairs) repairs"
fi

# ---- Linux AIO: requests done by 2001's aio daemons ----------------------------
# formats/12-aio (12-aio.c): a file there before the capture read by four
# requests queued at once (the last short: the file ends at 200,000
# bytes), a new file written by four, an fdatasync request, each batch
# reaped.  The file's size is what the completions read; the daemons do
# the reads and writes while io_submit returns at once, io_getevents
# waits for them; the fdatasync is the submitter's own.
Z12=traces/formats/12-aio.strace
"$VFSSIM" replay "$Z12" --db "$T/z12.db" >"$T/z12.out" 2>&1 || { bad "12-aio replay failed"; cat "$T/z12.out"; }
lat() { sql "$T/z12.db" "SELECT end_ns - start_ns FROM syscalls WHERE run = 1 AND call = '$1' ORDER BY seq LIMIT 1 OFFSET $2"; }
if [ "$(sql "$T/z12.db" "SELECT size || ' ' || evidence FROM initial_fs WHERE run = 1 AND path = '/home/user/cap/data'")" = "200000 bytes read (io_getevents)" ] &&
    [ "$(num "$T/z12.db" 1 aio.requests)" = 9 ] && [ "$(num "$T/z12.db" 1 aio.done)" = 9 ] &&
    [ "$(num "$T/z12.db" 1 aio.bytes_read)" = 200000 ] && [ "$(num "$T/z12.db" 1 aio.bytes_written)" = 262144 ] &&
    [ "$(num "$T/z12.db" 1 aio.fsyncs)" = 1 ] && [ "$(num "$T/z12.db" 1 aio.daemons)" = 4 ] &&
    [ "$(sql "$T/z12.db" "SELECT count(*) FROM disk_io WHERE run = 1 AND issuer = 'aiod' AND is_write = 0")" -gt 0 ] &&
    [ "$(lat io_submit 0)" -lt 10000 ] && [ "$(lat io_getevents 0)" -gt 1000000 ] &&
    [ "$(lat io_submit 2)" -gt 1000000 ] &&
    [ "$(num "$T/z12.db" 1 replay.repairs)" = 0 ] && [ "$(num "$T/z12.db" 1 fs.fsck_problems)" = 0 ] &&
    ! grep -q '^  warning' "$T/z12.out"; then
	ok "Linux AIO: the data file sized by its completions (200,000 bytes), 9 requests done by 4 aio daemons while io_submit returned at once, io_getevents waiting $(( $(lat io_getevents 0) / 1000 )) us for the reads, the fdatasync the submitter's own"
else
	bad "12-aio: $(grep '^  aio' "$T/z12.out"); data $(sql "$T/z12.db" "SELECT size || ' ' || evidence FROM initial_fs WHERE run = 1 AND path = '/home/user/cap/data'"); io_submit $(lat io_submit 0) ns, io_getevents $(lat io_getevents 0) ns"
fi

# ---- calls that move file data the trace does not show are named -------------
printf '#vfssim-trace 1\n1000 5 openat 3 10 fd=AT_FDCWD path="/d/f" oflags=O_RDONLY\n3000 5 io_uring_enter 1 10\n' >"$T/aio.trace"
"$VFSSIM" replay "$T/aio.trace" --db "$T/aio.db" >"$T/aio.out" 2>&1
if grep -q '^  warning    io_uring_enter 1: the file I/O these calls queued is not replayed$' "$T/aio.out" &&
    ! grep -q '^  warning' "$T/d6.out"; then
	ok "io_uring_enter: the file I/O it queued said not to be replayed"
else
	bad "hidden I/O warning: $(grep -E '^  (skipped|warning)' "$T/aio.out")"
fi

for f in "$T"/*.out; do
	no_sanitizer_report "$f" || bad "sanitizer report in $f"
done
finish
