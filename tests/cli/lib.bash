# lib.sh - helpers for the command-line tests (sourced; not a test itself).
set -u
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect_rc RC CMD...: runs CMD, stdout to $tmp/out, stderr to $tmp/err, checks the exit code.
expect_rc() {
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $* (stderr: $(head -c 400 "$tmp/err"))"
}
expect_in() { grep -qF -- "$2" "$1" || fail "'$2' not in $1: $(head -c 400 "$1")"; }
expect_empty() { [ ! -s "$1" ] || fail "$1 is not empty: $(head -c 400 "$1")"; }
finish() { [ "$failures" -eq 0 ] && echo "ok" || { echo "$failures failure(s)"; exit 1; }; }
