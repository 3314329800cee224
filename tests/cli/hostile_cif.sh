#!/usr/bin/env bash
# A megabyte of mmCIF built to be expensive, as a userCCDPath of `foldfit tokens` and as
# the model of `foldfit template`: refused (exit 2) where the text goes wrong, with its
# line:column, and in bounded memory (peak RSS below 300 MB, the child's own, from
# wait4). bench/cif_bench prints the times and the memory of these and more cases.
set -euo pipefail
: "${FOLDFIT:?}" "${SRC:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

python3 - "$FOLDFIT" <<'EOF'
import json, os, resource, subprocess, sys

foldfit = sys.argv[1]
MB = 1_000_000


def filled(head, unit, tail=""):
    text = head
    while len(text) < MB:
        text += unit * 1000
    return text + tail


# name -> (text, expected message after "foldfit: error: ")
cases = {
    "unclosed_quote": (filled("data_MYL\nloop_\n_a.x\n", "'a' ") + "'open\n",
                       "user.cif:4:1000001: quoted string opened here with ' is not closed on its line"),
    "unclosed_text_field": (filled("data_MYL\n_a.b\n;x\n", "y \n"),
                            "user.cif:3:1: text field opened here with ';' is never closed (a line that starts with ';')"),
    "row_incomplete": (filled("data_MYL\nloop_\n_a.x\n_a.y\n", "a b\n") + "c\n",
                       "user.cif:2:1: loop_ has 500001 values, not a multiple of its 2 item names (a row is incomplete)"),
    "loop_without_names": (filled("data_MYL\nloop_\n", "1 "),
                           "user.cif:3:1: loop_ must start with item names (_category.item), found '1'"),
}


def run(args):
    """Runs foldfit in a child of its own and returns (exit code, stderr, peak RSS in MB)."""
    pid = os.fork()
    if pid == 0:
        err = os.open("err.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(err, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.execv(foldfit, [foldfit] + args)
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), open("err.txt").read().strip(), usage.ru_maxrss / 1024


failures = []
for name, (text, expected) in cases.items():
    with open("user.cif", "w") as f:
        f.write(text)
    with open("job.json", "w") as f:
        json.dump({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1],
                   "sequences": [{"ligand": {"id": "L", "ccdCodes": ["MYL"]}}], "userCCDPath": "user.cif"}, f)
    rc, err, rss = run(["tokens", "--json_path=job.json"])
    want = "foldfit: error: job.json:1:149: userCCDPath: " + expected
    if rc != 2 or err != want or rss > 300:
        failures.append(f"userCCD {name}: exit {rc}, peak RSS {rss:.0f} MB, stderr {err[:300]!r}, expected {want!r}")

    # The same text as a template model.
    with open("model.cif", "w") as f:
        f.write(text.replace("data_MYL", "data_model", 1))
    with open("job.json", "w") as f:
        json.dump({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1],
                   "sequences": [{"protein": {"id": "A", "sequence": "MK", "unpairedMsa": "", "pairedMsa": ""}}]}, f)
    rc, err, rss = run(["template", "--json_path=job.json", "--model=model.cif", "--output=out.json"])
    want = "foldfit: error: model.cif:" + expected.split(":", 1)[1]
    if rc != 2 or err != want or rss > 300 or os.path.exists("out.json"):
        failures.append(f"model {name}: exit {rc}, peak RSS {rss:.0f} MB, stderr {err[:300]!r}, expected {want!r}")

for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
EOF
