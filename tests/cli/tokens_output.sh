#!/usr/bin/env bash
# `foldfit tokens --output`: atomic, never overwrites without --force, nothing written on
# invalid input, clean failure when the disk is full or the folder is not writable.
set -euo pipefail
: "${FOLDFIT:?}" "${SRC:?}"
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
example="$SRC/examples/2pv7.json"
run() { rc=0; "$FOLDFIT" tokens "$@" >out.txt 2>err.txt || rc=$?; }
entries() { ls -A "$1" | wc -l; }

mkdir out
run --json_path="$example" --format=json --output=out/report.json
[ "$rc" -eq 0 ] || fail "write: exit $rc"
[ ! -s out.txt ] || fail "write: report also printed"
python3 -m json.tool out/report.json >/dev/null || fail "write: not JSON"
[ "$(entries out)" -eq 1 ] || fail "write: temporary file left"

cp out/report.json before.json
run --json_path="$example" --output=out/report.json
[ "$rc" -eq 2 ] || fail "existing file: exit $rc"
[ "$(cat err.txt)" = "foldfit: out/report.json: already exists; give --force to overwrite it" ] || fail "existing: $(cat err.txt)"
cmp -s before.json out/report.json || fail "existing file changed"

run --json_path="$example" --output=out/report.json --force
[ "$rc" -eq 0 ] || fail "force: exit $rc"
grep -q "tokens 596" out/report.json || fail "force: not overwritten"
[ "$(entries out)" -eq 1 ] || fail "force: temporary file left"

: >empty.json
run --json_path=empty.json --output=out/new.txt
[ "$rc" -eq 2 ] || fail "invalid input: exit $rc"
[ ! -e out/new.txt ] || fail "invalid input: output written"

run --json_path="$example" --output=no/such/folder/report.txt
[ "$rc" -eq 1 ] || fail "missing folder: exit $rc"
[ "$(cat err.txt)" = "foldfit: error: no/such/folder/report.txt: cannot write: the folder no/such/folder does not exist" ] \
  || fail "missing folder: $(cat err.txt)"

run --json_path="$example" --output=/dev/full --force
[ "$rc" -eq 2 ] || fail "/dev/full: exit $rc"

if [ "$(id -u)" -ne 0 ]; then
  mkdir locked && chmod 555 locked
  run --json_path="$example" --output=locked/report.txt
  [ "$rc" -eq 1 ] || fail "unwritable folder: exit $rc"
  [ "$(cat err.txt)" = "foldfit: error: locked/report.txt: cannot write in locked: Permission denied" ] \
    || fail "unwritable folder: $(cat err.txt)"
  [ "$(entries locked)" -eq 0 ] || fail "unwritable folder: file left"
fi

# Disk full, simulated with the file-size limit: write() fails with EFBIG part way
# through (SIGXFSZ ignored, so the process sees the error as it would see ENOSPC).
mkdir many full
for i in $(seq 1 40); do cp "$example" "many/job$i.json"; done
rc=0
(ulimit -f 4; trap '' XFSZ; exec "$FOLDFIT" tokens --input_dir=many --format=json --output=full/report.json) >out.txt 2>err.txt || rc=$?
[ "$rc" -eq 1 ] || fail "disk full: exit $rc ($(cat err.txt))"
[ "$(cat err.txt)" = "foldfit: error: full/report.json: cannot write: File too large" ] || fail "disk full: $(cat err.txt)"
[ "$(entries full)" -eq 0 ] || fail "disk full: partial or temporary file left"
echo "tokens --output: ok"
