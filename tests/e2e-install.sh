#!/usr/bin/env bash
# End-to-end tests of vfssim installed as a tool: make install into a
# staging DESTDIR puts the binary, the profiles and drives, the README and
# the man page where they belong; the installed binary finds its profiles
# and drives in its data directory from anywhere; vfssim(1) renders
# without a warning and covers every command and the exit statuses; make
# uninstall takes it all away; a tree without git metadata still builds,
# its version saying the commit is unknown, and `make` alone on a fresh
# tree links vfssim; the profile-guided release
# build's training (scripts/pgo-train) runs whole and leaves nothing
# behind.
#
#   VFSSIM=build/check/vfssim tests/e2e-install.sh
. "$(dirname "$0")/lib.sh" e2e-install
expect 9

S=$T/stage
P=/usr
make --no-print-directory install DESTDIR="$S" PREFIX=$P INSTALL_BIN="$VFSSIM" >"$T/out" 2>&1 ||
	{ bad "make install"; tail -5 "$T/out"; }
missing=""
for f in bin/vfssim share/man/man1/vfssim.1 share/doc/vfssim/README.md \
	share/vfssim/profiles/default.ini share/vfssim/profiles/small-32mb.ini \
	share/vfssim/profiles/disks/cheetah9lp.ini share/vfssim/disks/cheetah9LP/cheetah9LP.parv \
	share/vfssim/disks/cheetah9LP/cheetah9LP.seek; do
	[ -f "$S$P/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ] && [ -x "$S$P/bin/vfssim" ]; then
	ok "make install DESTDIR=... PREFIX=$P: binary, man page, README, profiles and drives"
else
	bad "make install: missing$missing"
fi

# The installed binary, elsewhere: profiles and drives from its data
# directory (VFSSIM_DATADIR stands for the DATADIR it would be built with).
mkdir -p "$T/elsewhere"
"$VFSSIM" gen seq --param size=2M -o "$T/elsewhere/s.trace" >/dev/null 2>&1
if (cd "$T/elsewhere" && VFSSIM_DATADIR="$S$P/share/vfssim" "$S$P/bin/vfssim" replay s.trace \
	--profile small-32mb.ini --db r.db -q >"$T/out" 2>&1) &&
	[ "$(sql "$T/elsewhere/r.db" "SELECT profile_sources FROM runs")" = "$S$P/share/vfssim/profiles/small-32mb.ini" ]; then
	ok "installed: --profile small-32mb.ini found in the data directory from another directory"
else
	bad "installed profile lookup"; head -3 "$T/out"
fi
if (cd "$T/elsewhere" && VFSSIM_DATADIR="$S$P/share/vfssim" "$S$P/bin/vfssim" disk --explain \
	--profile disks/cheetah9lp.ini >"$T/out" 2>&1) && grep -qi 'cheetah' "$T/out"; then
	ok "installed: a drive's profile and the DiskSim files it names, from the data directory"
else
	bad "installed drive lookup"; head -3 "$T/out"
fi

# vfssim(1): no warning from man, every command and the exit statuses.
M=$S$P/share/man/man1/vfssim.1
warn=$(man --warnings -l "$M" 2>&1 >/dev/null)
MANWIDTH=200 man -l "$M" 2>/dev/null >"$T/man.txt"
cmds=$("$VFSSIM" --help | sed -n 's/^  \([a-z]*\) .*/\1/p')
lack=""
for c in $cmds; do grep -q "vfssim $c" "$T/man.txt" || lack="$lack $c"; done
if [ -z "$warn" ] && [ -z "$lack" ] && grep -q 'EXIT STATUS' "$T/man.txt" &&
	grep -qE '^ +2 +Bad input' "$T/man.txt" && grep -q -- '--version' "$T/man.txt"; then
	ok "vfssim(1) renders without a warning: all $(echo $cmds | wc -w) commands, --version, the exit statuses"
else
	bad "man page: warnings \"$warn\", commands lacking:$lack"
fi

make --no-print-directory uninstall DESTDIR="$S" PREFIX=$P >/dev/null 2>&1
left=$(find "$S" -type f | head -3)
if [ -z "$left" ]; then
	ok "make uninstall removes every file make install put there"
else
	bad "make uninstall left $left"
fi

# A tree without git metadata (an unpacked release): the commit is
# "unknown", and the build says so.
mkdir -p "$T/nogit"
tar -cf - Makefile sim tools scripts | tar -C "$T/nogit" -xf -
if [ "$("$T/nogit/scripts/git-commit")" = unknown ] &&
	make --no-print-directory -n -C "$T/nogit" PGO=0 build/rel/sim/version.o 2>/dev/null |
	grep -q "VFSSIM_COMMIT='\"unknown\"'"; then
	ok "without git metadata the build embeds commit \"unknown\""
else
	bad "no-git build"
fi
# `make` with no target on a tree never built (every .d missing, so the
# rule naming their objects comes before `all`'s) links ./vfssim.
if make --no-print-directory -n -C "$T/nogit" PGO=0 2>/dev/null | grep -q -- "-o vfssim "; then
	ok "make with no target on a fresh tree builds vfssim"
else
	bad "make with no target on a fresh tree does not link vfssim"
fi
# The training `make` runs for the release build: every run of it must
# work (a failing one fails the build), with this build as with the
# counting one, and it writes only under the directory it is given.
before=$(git status --porcelain --ignored 2>/dev/null | grep -v '^!! build/' | sort)
if scripts/pgo-train "$VFSSIM" "$T/train" >"$T/train.out" 2>&1 && [ ! -e "$T/train" ] &&
	[ "$(git status --porcelain --ignored 2>/dev/null | grep -v '^!! build/' | sort)" = "$before" ]; then
	ok "scripts/pgo-train: every training run works; nothing left in the tree or its directory"
else
	bad "scripts/pgo-train"; tail -5 "$T/train.out"
fi
v=$("$VFSSIM" --version)
if [ "${v#vfssim }" != "$v" ] && echo "$v" | grep -q "(commit $(scripts/git-commit))"; then
	ok "vfssim --version: $v"
else
	bad "--version: $v"
fi

finish
