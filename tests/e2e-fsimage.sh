#!/usr/bin/env bash
# End-to-end tests of the starting file system's image (--fs-image) and of
# aging (ffs.age): a replay that saves the image and one that loads it
# record the same rows, and the same as a replay without it; aging is
# deterministic per seed, fills to its target and lays files out worse
# than a fresh file system does, and an aged image round-trips too; a
# damaged, truncated or foreign file, a profile with another geometry or
# another age, is bad input (exit 2, the file named) found before the
# database is touched, with no sanitizer report; compare and sweep load
# one image into every run.
#
#   VFSSIM=build/check/vfssim tests/e2e-fsimage.sh
. "$(dirname "$0")/lib.sh" e2e-fsimage
expect 32
expect_bad_width=110	# expect_bad quotes 110 characters of the message

metric() { sql "$1" "SELECT value FROM summary WHERE run = $2 AND metric = '$3'"; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }
# Every row of a run, without its id: the run's trace, profile, seed and
# status and every row it recorded (not its label, times or version).
dump_run() { # db run
	sql "$1" "SELECT trace, profile, seed, status FROM runs WHERE id = $2;
		SELECT seq, pid, call, class, path, fd, offset, bytes, start_ns, end_ns, result,
			error, wait_ns, wmesg FROM syscalls WHERE run = $2 ORDER BY seq;
		SELECT seq, submit_ns, start_ns, end_ns, sector, sectors, is_write, queue_ns,
			seek_ns, rot_ns, xfer_ns, bufs, overhead_ns, cache_hit, cylinder
			FROM disk_io WHERE run = $2 ORDER BY seq;
		SELECT seq, t_ns, numdirtybuffers, clean_bufs, empty_bufs, busy_bufs,
			numfreebuffers, bufspace, runningbufspace, cached_pages, free_pages,
			wired_pages, disk_qlen, procs, calls_done, at_risk_bytes, at_risk_age_ns
			FROM samples WHERE run = $2 ORDER BY seq;
		SELECT t_ns, wmesg, procs FROM waits WHERE run = $2 ORDER BY t_ns, wmesg;
		SELECT metric, printf('%.17g', value) FROM summary WHERE run = $2 ORDER BY rowid;
		SELECT call, lo_ns, hi_ns, count FROM latency_hist WHERE run = $2 ORDER BY rowid;
		SELECT call, part, ns FROM time_split WHERE run = $2 ORDER BY call, part"
}
# Nothing in DIR but the files named (no temporary image left over).
only() { # dir names...
	local d=$1; shift
	[ "$(cd "$d" && ls -A | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}

TR=traces/d3-git-commit.strace.gz
mkdir -p "$T/img"

# ---- save, then load: the same run, and the same as without an image -------
"$VFSSIM" replay "$TR" --db "$T/plain.db" -q >"$T/out" 2>&1 || bad "replay without an image"
if "$VFSSIM" replay "$TR" --fs-image "$T/img/fresh.img" --db "$T/save.db" >"$T/out1" 2>&1 &&
	grep -q "built and saved to $T/img/fresh.img" "$T/out1" && no_sanitizer_report "$T/out1" &&
	only "$T/img" fresh.img; then
	ok "replay --fs-image FILE (no such file): built the starting file system and saved it there"
else
	bad "replay --fs-image: saving"; head -5 "$T/out1"
fi
sum1=$(cksum <"$T/img/fresh.img")
if "$VFSSIM" replay "$TR" --fs-image "$T/img/fresh.img" --db "$T/load.db" >"$T/out2" 2>&1 &&
	grep -q "started from $T/img/fresh.img" "$T/out2" && no_sanitizer_report "$T/out2"; then
	ok "replay --fs-image FILE (there): started from it"
else
	bad "replay --fs-image: loading"; head -5 "$T/out2"
fi
if [ "$(cksum <"$T/img/fresh.img")" = "$sum1" ] && only "$T/img" fresh.img; then
	ok "loading leaves the image as it was and writes nothing beside it"
else
	bad "loading changed the image or left files"
fi
dump_run "$T/plain.db" 1 >"$T/plain.dump"
dump_run "$T/save.db" 1 >"$T/save.dump"
dump_run "$T/load.db" 1 >"$T/load.dump"
rows=$(wc -l <"$T/save.dump")
if [ "$rows" -gt 1000 ] && cmp -s "$T/save.dump" "$T/load.dump"; then
	ok "the run that loaded the image recorded the same $rows rows as the one that saved it"
else
	bad "save and load runs differ ($rows rows)"; diff "$T/save.dump" "$T/load.dump" | head -5
fi
if cmp -s "$T/plain.dump" "$T/save.dump"; then
	ok "... and the same as a replay without --fs-image"
else
	bad "an image changes the run"; diff "$T/plain.dump" "$T/save.dump" | head -5
fi
# The summary tells where the file system came from.
files=$(metric "$T/load.db" 1 fs.initial_files)
if [ "${files%.0}" -gt 50 ] &&
    [ "$files" = "$(metric "$T/save.db" 1 fs.initial_files)" ] &&
    [ "$(metric "$T/load.db" 1 fs.age)" = 0.0 ]; then
	ok "a loaded run reports the image's $files starting files, as the run that built it"
else
	bad "fs.initial_files $files after loading"
fi

# ---- aging ------------------------------------------------------------------
AGE=(--set ffs.size=256M --set ffs.age=0.5)
"$VFSSIM" replay "$TR" "${AGE[@]}" --seed 5 --fs-image "$T/img/aged.img" --db "$T/aged.db" \
	>"$T/out" 2>&1 || { bad "replay, aged"; head -5 "$T/out"; }
"$VFSSIM" replay "$TR" "${AGE[@]}" --seed 5 --fs-image "$T/img/aged2.img" --db "$T/aged2.db" \
	>"$T/out" 2>&1 || { bad "replay, aged again"; head -5 "$T/out"; }
"$VFSSIM" replay "$TR" "${AGE[@]}" --seed 6 --fs-image "$T/img/aged6.img" --db "$T/aged6.db" \
	>"$T/out" 2>&1 || { bad "replay, aged with seed 6"; head -5 "$T/out"; }
"$VFSSIM" replay "$TR" --set ffs.size=256M --db "$T/young.db" -q >"$T/out" 2>&1 ||
	bad "replay, 256M fresh"
if cmp -s "$T/img/aged.img" "$T/img/aged2.img" && ! cmp -s "$T/img/aged.img" "$T/img/aged6.img"; then
	ok "aging: the same seed gives the same image, byte for byte; another seed another"
else
	bad "aging is not deterministic per seed"
fi
used=$(metric "$T/aged.db" 1 fs.initial_used_fraction)
score=$(metric "$T/aged.db" 1 fs.initial_layout_score)
yscore=$(metric "$T/young.db" 1 fs.initial_layout_score)
runs=$(metric "$T/aged.db" 1 fs.initial_free_run_blocks)
yruns=$(metric "$T/young.db" 1 fs.initial_free_run_blocks)
left=$(metric "$T/aged.db" 1 fs.age_files_left)
if awk -v u="$used" 'BEGIN { exit !(u > 0.47 && u < 0.53) }' && lt "$score" "$yscore" &&
	lt "$runs" "$(awk -v y="$yruns" 'BEGIN { print y / 10 }')" && [ "${left%.0}" -gt 1000 ]; then
	ok "aging to 0.5: $used used, ${left%.0} filler files; layout score $score (fresh $yscore), free runs of $runs blocks (fresh $yruns)"
else
	bad "aging: used $used, score $score vs $yscore, free runs $runs vs $yruns, $left files"
fi
# The aged file system changes the run: the trace's files are elsewhere.
if ! cmp -s <(sql "$T/aged.db" "SELECT * FROM disk_io") <(sql "$T/young.db" "SELECT * FROM disk_io"); then
	ok "the aged file system changes the run's disk requests"
else
	bad "aging changed nothing"
fi
if "$VFSSIM" replay "$TR" "${AGE[@]}" --seed 5 --fs-image "$T/img/aged.img" --db "$T/agedl.db" \
	>"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
	cmp -s <(dump_run "$T/aged.db" 1) <(dump_run "$T/agedl.db" 1); then
	ok "an aged image loads into the same run as the one that aged it"
else
	bad "aged image: the loading run differs"; head -5 "$T/out"
fi

# Another name for a file laid out rounds before it (an open whose -y
# shows the file under another name, at the end of the list; aging takes
# idle vnodes apart between its rounds): a second name of the same file,
# made without touching the first one's vnode after it went.
{
	echo "#vfssim-trace 1"
	echo "1000000000 10 openat 3 1000 fd=AT_FDCWD path=\"/lib/a.so\" oflags=O_RDONLY retpath=\"/lib/a.so\""
	echo "1000002000 10 close 0 1000 fd=3"
	for i in $(seq 1 400); do
		echo "$((1000004000 + 4000 * i)) 10 openat 3 1000 fd=AT_FDCWD path=\"/data/d$((i / 50))/f$i\" oflags=O_RDONLY retpath=\"/data/d$((i / 50))/f$i\""
		echo "$((1000006000 + 4000 * i)) 10 close 0 1000 fd=3"
	done
	echo "1003000000 10 openat 3 1000 fd=AT_FDCWD path=\"/lib/b.so\" oflags=O_RDONLY retpath=\"/lib/a.so\""
	echo "1003002000 10 close 0 1000 fd=3"
} >"$T/alias.trace"
if "$VFSSIM" replay "$T/alias.trace" "${AGE[@]}" --db "$T/alias.db" -q >"$T/out" 2>&1 &&
    no_sanitizer_report "$T/out" && [ "$(metric "$T/alias.db" 1 replay.repairs)" = 0.0 ]; then
	ok "aged: a second name of a file laid out rounds before it is made (no repair)"
else
	bad "aged: another name for an earlier file"; head -5 "$T/out"
fi

# ---- snapshots of a loaded file system --------------------------------------
# A snapshot taken during the run (of the aged file system, its free blocks
# marked) goes the same whether the file system was built or loaded.
SNAP=(--snapshot-at 100ms --snapshot-remove-at 2s)
"$VFSSIM" replay "$TR" "${AGE[@]}" --seed 5 "${SNAP[@]}" --db "$T/snapb.db" -q >"$T/out" 2>&1 ||
	{ bad "replay with a snapshot, built"; head -3 "$T/out"; }
if "$VFSSIM" replay "$TR" "${AGE[@]}" --seed 5 "${SNAP[@]}" --fs-image "$T/img/aged.img" \
	--db "$T/snapl.db" -q >"$T/out" 2>&1 && no_sanitizer_report "$T/out" &&
	[ "$(metric "$T/snapl.db" 1 snapshot.created)" = 1.0 ] &&
	cmp -s <(dump_run "$T/snapb.db" 1) <(dump_run "$T/snapl.db" 1); then
	ok "a snapshot of a loaded aged file system: the same run as of the built one"
else
	bad "snapshot with an image"; head -3 "$T/out"
fi
expect_bad "freebsd4 with a snapshot" "no snapshots" \
	"$VFSSIM" replay "$TR" --profile profiles/freebsd4.ini "${SNAP[@]}" \
	--fs-image "$T/img/f4.img" --db "$T/f4.db"
if [ ! -e "$T/img/f4.img" ] && [ ! -e "$T/f4.db" ]; then
	ok "... refused before the file system is saved: no image, no database"
else
	bad "a refused run saved an image or a database"
fi

# ---- bad images: exit 2, the file named, the database untouched -------------
"$VFSSIM" replay "$TR" --db "$T/keep.db" -q >/dev/null 2>&1 || bad "replay into keep.db"
before=$(sql "$T/keep.db" "SELECT count(*) FROM runs")
sz=$(stat -c %s "$T/img/fresh.img")
# A byte in the middle of the payload flipped.
cp "$T/img/fresh.img" "$T/img/flip.img"
printf '\x5a' | dd of="$T/img/flip.img" bs=1 seek=$((sz / 2)) conv=notrunc status=none
expect_bad "a damaged image" "$T/img/flip.img: damaged" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/flip.img" --db "$T/keep.db"
head -c $((sz - 100)) "$T/img/fresh.img" >"$T/img/trunc.img"
expect_bad "a truncated image" "$T/img/trunc.img: truncated" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/trunc.img" --db "$T/keep.db"
head -c 64 /dev/urandom >"$T/img/junk.img"
expect_bad "not an image" "$T/img/junk.img: not a vfssim file system image" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/junk.img" --db "$T/keep.db"
: >"$T/img/empty.img"
expect_bad "an empty file" "$T/img/empty.img: not a vfssim file system image" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/empty.img" --db "$T/keep.db"
mkdir "$T/img/dir.img"
expect_bad "a directory" "$T/img/dir.img: not a regular file" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/dir.img" --db "$T/keep.db"
# Another version.
cp "$T/img/fresh.img" "$T/img/v9.img"
printf '\x09' | dd of="$T/img/v9.img" bs=1 seek=8 conv=notrunc status=none
expect_bad "another version" "image version 9" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/v9.img" --db "$T/keep.db"
# Random damage: never a crash, always exit 2 naming the file.
crash=0
for i in 1 2 3 4 5 6 7 8; do
	cp "$T/img/fresh.img" "$T/img/r.img"
	case $i in
	[1-4]) head -c $(( (sz * i) / 5 )) "$T/img/fresh.img" >"$T/img/r.img" ;;
	*) for j in 1 2 3; do
		printf "\\x$(printf %02x $(( (i * 37 + j * 101) % 256 )))" |
			dd of="$T/img/r.img" bs=1 seek=$(( (sz / 7) * j + i * 13 )) conv=notrunc status=none
	   done ;;
	esac
	"$VFSSIM" replay "$TR" --fs-image "$T/img/r.img" --db "$T/keep.db" >"$T/out" 2>&1
	rc=$?
	if [ $rc != 2 ] || ! grep -qF "$T/img/r.img" "$T/out" || ! no_sanitizer_report "$T/out"; then
		crash=$((crash + 1)); echo "     damage $i: exit $rc"; head -3 "$T/out"
	fi
done
if [ $crash = 0 ]; then
	ok "8 truncated or damaged images: exit 2 naming the file, no sanitizer report"
else
	bad "$crash damaged images misbehaved"
fi
# Another geometry, another age.
expect_bad "another block size" "the profile's 8192 (ffs.bsize)" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/fresh.img" --set ffs.bsize=8K --set ffs.fsize=1K \
	--db "$T/keep.db"
expect_bad "another size" "(ffs.size" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/fresh.img" --set ffs.size=4G --db "$T/keep.db"
expect_bad "another age" "made with ffs.age 0, the profile says 0.3" \
	"$VFSSIM" replay "$TR" --fs-image "$T/img/fresh.img" --set ffs.age=0.3 --db "$T/keep.db"
expect_bad "an age out of range" "ffs.age" \
	"$VFSSIM" replay "$TR" --set ffs.age=1.5 --db "$T/keep.db"
after=$(sql "$T/keep.db" "SELECT count(*) FROM runs")
complete=$(sql "$T/keep.db" "SELECT count(*) FROM runs WHERE status = 'complete'")
if [ "$before" = 1 ] && [ "$after" = 1 ] && [ "$complete" = 1 ] &&
	only "$T/img" fresh.img aged.img aged2.img aged6.img flip.img trunc.img junk.img empty.img \
		dir.img v9.img r.img; then
	ok "bad images and profiles add no run to the database and write no file"
else
	bad "after bad input: $after runs ($complete complete), files: $(ls "$T/img" | tr '\n' ' ')"
fi
if "$VFSSIM" replay "$TR" --fs-image "$T/nodir/x.img" --db "$T/nodir.db" >"$T/out" 2>&1; then
	bad "an image in a missing directory was saved"
elif grep -qF "$T/nodir/x.img" "$T/out" && [ ! -e "$T/nodir.db" ] && no_sanitizer_report "$T/out"; then
	ok "an image that cannot be written: an error naming it, no database"
else
	bad "unwritable image"; head -3 "$T/out"
fi

# ---- compare and sweep: every run loads the one image -----------------------
if "$VFSSIM" compare "$TR" -V base= -V small=@profiles/small-32mb.ini \
	--fs-image "$T/img/fresh.img" --db "$T/c.db" -j 2 -q >"$T/out" 2>&1 &&
	no_sanitizer_report "$T/out" &&
	"$VFSSIM" replay "$TR" --profile profiles/small-32mb.ini --fs-image "$T/img/fresh.img" \
	--db "$T/small.db" -q >/dev/null 2>&1 &&
	cmp -s <(dump_run "$T/c.db" 1) <(dump_run "$T/load.db" 1) &&
	cmp -s <(dump_run "$T/c.db" 2) <(dump_run "$T/small.db" 1); then
	ok "compare --fs-image: each variant's run equals replay --fs-image of it alone"
else
	bad "compare --fs-image"; head -5 "$T/out"
fi
if "$VFSSIM" compare "$TR" -V a=ffs.age=0.5,ffs.size=256M -V b=ffs.age=0.5,ffs.size=256M,vfs.write_behind=0 \
	--seed 5 --fs-image "$T/img/built-by-compare.img" --db "$T/c2.db" -q >"$T/out" 2>&1 &&
	cmp -s "$T/img/built-by-compare.img" "$T/img/aged.img"; then
	ok "compare --fs-image FILE (no such file): built from the first variant, the same image replay builds"
else
	bad "compare building the image"; head -5 "$T/out"
fi
expect_bad "compare: a variant of another geometry" "variant old: " \
	"$VFSSIM" compare "$TR" -V base= -V old=ffs.bsize=8K,ffs.fsize=1K \
	--fs-image "$T/img/fresh.img" --db "$T/c3.db"
if [ ! -e "$T/c3.db" ]; then
	ok "... found before any run: no database"
else
	bad "a bad compare left a database"
fi
if "$VFSSIM" sweep "$TR" --grid vfs.write_behind=0,1 --fs-image "$T/img/fresh.img" \
	--emit-jobs "$T/jobs" --db "$T/s.db" >"$T/out" 2>&1 &&
	[ "$(grep -c -- "'--fs-image' '$T/img/fresh.img'" "$T/jobs/jobs.txt")" = 2 ]; then
	ok "sweep --emit-jobs --fs-image: every job loads the image"
else
	bad "sweep --emit-jobs --fs-image"; head -3 "$T/out"; head -2 "$T/jobs/jobs.txt"
fi

finish
