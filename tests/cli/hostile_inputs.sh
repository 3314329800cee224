#!/usr/bin/env bash
# Hostile inputs through `foldfit tokens`: exit 2 with a located message and nothing on
# standard output; warnings keep exit 0. Rows of docs/robustness.md.
set -euo pipefail
: "${FOLDFIT:?}" "${SRC:?}"
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_invalid FILE EXPECTED_STDERR: exit 2, empty stdout, exact message.
expect_invalid() {
  local rc=0
  "$FOLDFIT" tokens --json_path="$1" >out.txt 2>err.txt || rc=$?
  [ "$rc" -eq 2 ] || fail "$1: exit $rc, expected 2 ($(cat err.txt))"
  [ ! -s out.txt ] || fail "$1: printed to standard output"
  [ "$(cat err.txt)" = "$2" ] || fail "$1: got '$(cat err.txt)', expected '$2'"
}

example="$SRC/examples/2pv7.json"
: >empty.json
expect_invalid empty.json "foldfit: error: empty.json:1:1: invalid JSON: empty file: expected a JSON value"
printf 'dialect: alphafold3\n' >yaml.json
expect_invalid yaml.json "foldfit: error: yaml.json:1:1: invalid JSON: expected a JSON value, found 'd'"
head -c 120 "$example" >truncated.json
expect_invalid truncated.json "foldfit: error: truncated.json:7:21: invalid JSON: unterminated string"
{ printf '\xef\xbb\xbf'; cat "$example"; } >bom.json
expect_invalid bom.json "foldfit: error: bom.json:1:1: invalid JSON: file starts with a UTF-8 byte-order mark, which AlphaFold 3's JSON reader rejects; save the file without it"
sed 's/"2PV7"/"2PV7\xe9"/' "$example" >latin1.json
expect_invalid latin1.json "foldfit: error: latin1.json:2:16: invalid JSON: invalid UTF-8 sequence in string"
python3 -c "print('[' * 200000)" >deep.json
expect_invalid deep.json "foldfit: error: deep.json:1:129: invalid JSON: nesting deeper than 128 levels"
sed 's/\["A", "B"\]/["A", "A"]/' "$example" >dupchain.json
expect_invalid dupchain.json "foldfit: error: dupchain.json:5:18: sequences[0].protein: chain id 'A' is used more than once (also in sequences[0])"
sed 's/"modelSeeds": \[1\]/"modelSeeds": [1e400]/' "$example" >bigseed.json
expect_invalid bigseed.json "foldfit: error: bigseed.json:11:18: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found 1e400"
expect_invalid missing.json "foldfit: error: missing.json: cannot open: No such file or directory"
mkdir folder.json
expect_invalid folder.json "foldfit: error: folder.json: is a directory, expected a file"
expect_invalid /dev/zero "foldfit: error: /dev/zero: is not a regular file"

# CRLF line endings read as LF.
sed 's/$/\r/' "$example" >crlf.json
"$FOLDFIT" tokens --json_path=crlf.json | grep -q "tokens 596 -> padded 768" || fail "CRLF input not read"

# Duplicate keys: a warning naming the place, the last value used, exit 0.
sed 's/"name": "2PV7",/"name": "first", "name": "2PV7",/' "$example" >dupkey.json
"$FOLDFIT" tokens --json_path=dupkey.json >out.txt 2>err.txt || fail "duplicate keys: exit $?"
[ "$(cat err.txt)" = "foldfit: warning: dupkey.json:2:20: duplicate member 'name' (first at line 2); the last one is used, as AlphaFold 3 does" ] \
  || fail "duplicate keys: $(cat err.txt)"
grep -q "^2PV7 (dupkey.json)" out.txt || fail "duplicate keys: the last name is not used"

# A FIFO, fed slowly by another process.
mkfifo fifo.json
(sleep 0.2; cat "$example") >fifo.json &
"$FOLDFIT" tokens --json_path=fifo.json | grep -q "tokens 596" || fail "FIFO input"
wait

# An input folder with 3000 files, symlink loops, a FIFO and a non-UTF-8 file name.
mkdir many
for i in $(seq 1000 3999); do cp "$example" "many/job$i.json"; done
ln -s loop1.json many/loop2.json && ln -s loop2.json many/loop1.json && ln -s . many/self.json
mkfifo many/pipe.json
cp "$example" "$(printf 'many/\xff.json')"
start=$SECONDS
"$FOLDFIT" tokens --input_dir=many --format=json >many.json || fail "input folder: exit $?"
python3 -c "import json,sys; d=json.load(open('many.json')); sys.exit(len(d) != 3001)" || fail "input folder: not 3001 reports"
[ $((SECONDS - start)) -lt 120 ] || fail "input folder of 3000 files took $((SECONDS - start)) s (hang guard)"
echo "hostile inputs: ok"
