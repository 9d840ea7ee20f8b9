# tests/lib.sh — what every end-to-end script (tests/e2e*.sh) begins with.
# A script sources it first, naming itself (and, if it differs, the tag of
# its temporary directory), and ends with `finish`:
#
#   . "$(dirname "$0")/lib.sh" e2e-NAME [TAG]
#   expect N
#   ...checks, each calling ok or bad...
#   finish
#
# It sets: VFSSIM, the binary under test (default ./vfssim), made absolute
# so that a check may run it from another directory; the sanitizers'
# options, unless given; T, a temporary directory (/tmp/vfssim-TAG.XXXXXX,
# TAG defaulting to NAME) removed on exit; the counts of checks passed and
# failed.  Run from the top of the tree (the checks name traces/, disks/,
# profiles/ there).
set -u
E2E_NAME=$1
VFSSIM=${VFSSIM:-./vfssim}
case $VFSSIM in /*) ;; *) VFSSIM=$PWD/$VFSSIM ;; esac
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
T=$(mktemp -d "/tmp/vfssim-${2:-$1}.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 failn=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { failn=$((failn + 1)); echo "FAIL $*"; }
sql() { sqlite3 -batch -noheader "$@"; }
no_sanitizer_report() { ! grep -q -e 'AddressSanitizer' -e 'runtime error:' -e 'LeakSanitizer' "$1"; }
# expect_bad NAME EXPECTED-SUBSTRING COMMAND...: the command is bad input
# (exit 2) with a message containing the substring and no sanitizer
# report.  The check's line quotes the message's first expect_bad_width
# characters (100 unless the script sets it).
expect_bad() {
	local name=$1 want=$2; shift 2
	"$@" >"$T/out" 2>&1
	local rc=$?
	if [ $rc = 2 ] && grep -qF -- "$want" "$T/out" && no_sanitizer_report "$T/out"; then
		ok "bad input: $name -> exit 2, \"$(head -1 "$T/out" | cut -c1-"${expect_bad_width:-100}")\""
	else
		bad "bad input: $name: exit $rc, wanted \"$want\""; head -5 "$T/out"
	fi
}
# expect N: the script makes N checks (ok or bad) in all, whatever fails:
# finish fails if it made another number — a check skipped because
# something it depended on (a replay) failed without saying so.
expect() { E2E_EXPECT=$1; }
# The script's last command: the counts, and its exit status (0 only if
# every check passed, and as many were made as the script expects).
finish() {
	echo "$E2E_NAME: $pass passed, $failn failed"
	if [ -n "${E2E_EXPECT:-}" ] && [ $((pass + failn)) != "$E2E_EXPECT" ]; then
		echo "FAIL $E2E_NAME: $((pass + failn)) checks made, $E2E_EXPECT expected"
		return 1
	fi
	[ "$failn" = 0 ]
}
