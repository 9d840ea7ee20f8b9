#!/usr/bin/env bash
# End-to-end tests of the starting file system: vfssim fs, the initial_fs
# table, --fs-manifest, and what the pre-pass infers from real captures
# against listings of the real files made just before them (README "The
# starting file system").
#
#   VFSSIM=build/check/vfssim tests/e2e-fs.sh
. "$(dirname "$0")/lib.sh" e2e-fs
expect 18
expect_bad_width=90

metric() { sql "$1" "SELECT value FROM summary WHERE run = ${3:-1} AND metric = '$2'"; }
entries() { grep -v '^#' "$1"; }

# ---- real captures against the listings made before them ----------------
# traces/dN.listing: find DIRS -printf '%y\t%s\t%p\n' just before the
# capture.  Of what the pre-pass finds in the listed directories, every
# file's size must be the real one, and nothing may be there that the
# listing lacks (invented).
for t in d8-find-xargs-cat d9-git-commit-filtered; do
	list=traces/$t.listing
	if ! "$VFSSIM" fs traces/$t.strace.gz >"$T/$t.fs" 2>"$T/err"; then
		bad "vfssim fs $t"; head -3 "$T/err"; continue
	fi
	dirs=$(awk -F'\t' '$1 == "d" { print $3 }' "$list")
	# entries of vfssim fs in a listed directory
	entries "$T/$t.fs" | awk -F'\t' -v dirs="$dirs" 'BEGIN { n = split(dirs, d, "\n"); for (i = 1; i <= n; i++) in_list[d[i]] = 1 }
		{ p = $3; sub(/\/[^\/]*$/, "", p); if (p == "") p = "/"; if (($3 in in_list) || (p in in_list)) print }' >"$T/$t.in"
	read -r found sizes invented <<<"$(awk -F'\t' 'NR == FNR { ty[$3] = $1; sz[$3] = $2; next }
		{ n++; if (!($3 in ty)) inv++; else if ($1 == "f" && sz[$3] != $2) bad++ }
		END { print n + 0, bad + 0, inv + 0 }' "$list" "$T/$t.in")"
	files=$(awk -F'\t' '$1 == "f"' "$T/$t.in" | wc -l)
	if [ "$found" -gt 10 ] && [ "$files" -gt 5 ] && [ "$sizes" = 0 ] && [ "$invented" = 0 ]; then
		ok "$t: $found entries found in the listed directories, $files files: every size the real one, none invented"
	else
		bad "$t: $found entries, $files files, $sizes sizes wrong, $invented invented"
		awk -F'\t' 'NR == FNR { sz[$3] = $2; next } !($3 in sz) || ($1 == "f" && sz[$3] != $2)' "$list" "$T/$t.in" | head -5
	fi
	# Given back as the listing, the capture agrees with it.
	if "$VFSSIM" replay traces/$t.strace.gz --fs-manifest "$list" --db "$T/$t.db" >"$T/out" 2>&1 &&
		[ "$(metric "$T/$t.db" fs.manifest_disagreements)" = 0.0 ] &&
		grep -q "^  listing    the starting file system from a listing of $(grep -vc '^#' "$list") entries" "$T/out"; then
		ok "$t replays from its listing: no disagreement"
	else
		bad "$t with --fs-manifest $list: $(metric "$T/$t.db" fs.manifest_disagreements) disagreements"
		"$VFSSIM" fs traces/$t.strace.gz --fs-manifest "$list" | grep '^# disagrees' | head -3
	fi
done

# ---- vfssim fs is what --fs-manifest reads, and what the run records ----
t=traces/d3-git-commit.strace.gz
"$VFSSIM" fs $t >"$T/d3.fs" 2>"$T/err" || { bad "vfssim fs d3"; cat "$T/err"; }
form=$(entries "$T/d3.fs" | grep -cvP '^[fdl]\t[0-9]+\t/')
sorted=$(entries "$T/d3.fs" | cut -f3 | LC_ALL=C sort -c 2>&1 | wc -l)
if [ "$(entries "$T/d3.fs" | wc -l)" -gt 100 ] && [ "$form" = 0 ] && [ "$sorted" = 0 ]; then
	ok "vfssim fs: $(entries "$T/d3.fs" | wc -l) entries, each TYPE<tab>SIZE<tab>PATH, sorted by path"
else
	bad "vfssim fs form: $form malformed lines, sorted $sorted"
fi
"$VFSSIM" replay $t --db "$T/d3.db" -q >"$T/out" 2>&1 || bad "replay d3"
rows=$(sql "$T/d3.db" "SELECT type || char(9) || size || char(9) || path FROM initial_fs
	WHERE type != 'l' ORDER BY path")
if [ -n "$rows" ] && [ "$rows" = "$(entries "$T/d3.fs" | grep -v '^l' | LC_ALL=C sort -t$'\t' -k3)" ] &&
	[ "$(sql "$T/d3.db" "SELECT count(*) FROM initial_fs WHERE evidence IS NULL OR line IS NULL")" = 0 ]; then
	ok "the run's initial_fs table is vfssim fs's list, each entry with its evidence and line"
else
	bad "initial_fs differs from vfssim fs"
fi
# The schema still allows only f, d, l and - (its CHECK is comparisons,
# not IN: metrics.c), tried on a copy.
cp "$T/d3.db" "$T/chk.db"
if ! sql "$T/chk.db" "INSERT INTO initial_fs (run, seq, path, type, size) VALUES (1, 1000000, '/x', 'x', 0)" 2>/dev/null &&
	sql "$T/chk.db" "INSERT INTO initial_fs (run, seq, path, type, size) VALUES (1, 1000000, '/x', '-', 0)" 2>/dev/null; then
	ok "initial_fs.type: '-' accepted, 'x' refused"
else
	bad "initial_fs.type's CHECK"
fi
# Fed back, the same starting file system: the same rows.
"$VFSSIM" replay $t --fs-manifest "$T/d3.fs" --db "$T/d3m.db" -q >"$T/out" 2>&1 || { bad "replay --fs-manifest"; head -3 "$T/out"; }
same() { sql "$1" "SELECT path, type, size FROM initial_fs ORDER BY path"; }
if [ "$(same "$T/d3.db")" = "$(same "$T/d3m.db")" ] &&
	[ "$(metric "$T/d3m.db" fs.manifest_disagreements)" = 0.0 ] &&
	[ "$(metric "$T/d3m.db" fs.initial_bytes)" = "$(metric "$T/d3.db" fs.initial_bytes)" ]; then
	ok "vfssim fs's list given back with --fs-manifest: the same starting file system, no disagreement"
else
	bad "fs list fed back: differs"
fi
# --evidence: a comment before each entry; still a listing.
"$VFSSIM" fs $t --evidence >"$T/d3e.fs" 2>&1
if grep -q '^# st_size (newfstatat), line [0-9]' "$T/d3e.fs" && [ "$(entries "$T/d3e.fs")" = "$(entries "$T/d3.fs")" ]; then
	ok "vfssim fs --evidence: what decided each entry, as comments"
else
	bad "vfssim fs --evidence"; head -5 "$T/d3e.fs"
fi

# ---- an edited listing: the listing wins, the disagreements are told ----
list=traces/d8-find-xargs-cat.listing
gone=$(awk -F'\t' '$1 == "f" { print $3; exit }' "$list")
grep -vF "$gone" "$list" | awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "f" && !done { $2 = $2 + 1000000; done = 1 } { print }' >"$T/edited.listing"
"$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --db "$T/e0.db" -q >/dev/null 2>&1
if "$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --fs-manifest "$T/edited.listing" --db "$T/e.db" >"$T/out" 2>&1; then
	notmade=$(sql "$T/e.db" "SELECT count(*) FROM initial_fs WHERE type = '-' AND path = '$gone' AND note LIKE '%the listing has none%'")
	more=$(( $(metric "$T/e.db" fs.initial_bytes | sed 's/\.0$//') - $(metric "$T/e0.db" fs.initial_bytes | sed 's/\.0$//') ))
	rep=$(metric "$T/e.db" replay.repairs) rep0=$(metric "$T/e0.db" replay.repairs)
	if [ "$notmade" = 1 ] && [ "$(metric "$T/e.db" fs.manifest_disagreements)" = 1.0 ] &&
		[ "$more" -gt 900000 ] && [ "${rep%.0}" -gt "${rep0%.0}" ] &&
		grep -q "the trace disagrees with it in 1 places" "$T/out"; then
		ok "an edited listing: a file grown by 1 MB is made so, one the trace reads but the listing lacks is not made (a repair, a note), 1 disagreement"
	else
		bad "edited listing: not made $notmade, bytes +$more, repairs $rep0 -> $rep"; grep listing "$T/out"
	fi
else
	bad "replay with an edited listing"; head -3 "$T/out"
fi
"$VFSSIM" fs traces/d8-find-xargs-cat.strace.gz --fs-manifest "$T/edited.listing" >"$T/e.fs"
if grep -qF "# disagrees: $gone: the trace finds a file there; the listing has none" "$T/e.fs" &&
	grep -q '^# 1 disagreements with' "$T/e.fs"; then
	ok "vfssim fs --fs-manifest lists the disagreements as comments"
else
	bad "vfssim fs --fs-manifest: disagreements"; grep '^#' "$T/e.fs" | tail -3
fi

# ---- a directory listed holds as many entries as the listing showed -----
# /w/big listed (2,000 entries in 80,000 bytes: names of about 16
# characters, 28 bytes in UFS, 18 to a 512-byte chunk: 112 chunks, four
# 16 KB blocks), then a name looked up that is not there: ufs_lookup
# reads every block.  Listed without strace's counts, the directory holds
# the one name the trace uses: one block.
listed_trace() {
	echo "1 1700000000.000000 openat(AT_FDCWD</w>, \"/w/big\", O_RDONLY|O_DIRECTORY) = 3</w/big> <0.000010>"
	for i in 1 2 3; do
		echo "1 1700000000.00000$i getdents64(3</w/big>, 0x55d58bfed2d0$1, 32768) = 26640 <0.000010>"
	done
	echo "1 1700000000.000004 getdents64(3</w/big>, 0x55d58bfed2d0$2, 32768) = 80 <0.000010>"
	echo "1 1700000000.000005 getdents64(3</w/big>, 0x55d58bfed2d0$2, 32768) = 0 <0.000010>"
	echo "1 1700000000.000006 openat(AT_FDCWD</w>, \"/w/big/known-file-00001\", O_RDONLY) = 4</w/big/known-file-00001> <0.000010>"
	echo "1 1700000000.000007 newfstatat(AT_FDCWD</w>, \"/w/big/not-there\", 0x7ffd5d2c1e00, 0) = -1 ENOENT (No such file or directory) <0.000010>"
}
listed_trace " /* 666 entries */" " /* 2 entries */" >"$T/listed.strace"
listed_trace "" "" >"$T/uncounted.strace"
if "$VFSSIM" replay "$T/listed.strace" --db "$T/l.db" -q >"$T/out" 2>&1 &&
	"$VFSSIM" replay "$T/uncounted.strace" --db "$T/u.db" -q >>"$T/out" 2>&1; then
	l=$(metric "$T/l.db" fs.dirblk_reads) u=$(metric "$T/u.db" fs.dirblk_reads)
	if [ -n "$l" ] && [ -n "$u" ] && [ $(( ${l%.0} - ${u%.0} )) = 3 ]; then
		ok "a directory listed with 2,000 entries is four blocks long: the lookup of a missing name reads three more ($l directory blocks read in all, $u when the listing showed no counts)"
	else
		bad "listed directory: $l directory blocks read, $u without counts (want 3 more)"
	fi
else
	bad "replay of a listed directory"; head -3 "$T/out"
fi

# ---- bad listings: exit 2, file and line named, nothing written --------
printf 'd\t4096\t/w\nf\tbig\t/w/a\n' >"$T/bad1.listing"
expect_bad "listing: a size that is not a number" "bad1.listing:2: the size" \
	"$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --fs-manifest "$T/bad1.listing" --db "$T/bad.db"
printf 'f\t10\tw/a\n' >"$T/bad2.listing"
expect_bad "listing: a relative path" "bad2.listing:1: the path must be absolute" \
	"$VFSSIM" fs traces/d8-find-xargs-cat.strace.gz --fs-manifest "$T/bad2.listing"
printf 'f\t10\t/a\x00b\n' >"$T/bad3.listing"
expect_bad "listing: binary junk" "bad3.listing:1: binary data" \
	"$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --fs-manifest "$T/bad3.listing" --db "$T/bad.db"
expect_bad "listing: no such file" "nope.listing" \
	"$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --fs-manifest "$T/nope.listing" --db "$T/bad.db"
"$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --fs-image "$T/img" --db "$T/img.db" -q >/dev/null 2>&1
expect_bad "--fs-manifest with an image that exists" "give --fs-manifest or an image" \
	"$VFSSIM" replay traces/d8-find-xargs-cat.strace.gz --fs-image "$T/img" --fs-manifest "$list" --db "$T/bad.db"
if [ ! -e "$T/bad.db" ]; then ok "nothing written for a bad listing"; else bad "a database was written for a bad listing"; fi

finish
