#!/usr/bin/env bash
# quickstart.sh - install dependencies, build foldfit, and run it on the bundled example
# (the README's first command): sizes, then the memory estimate and plan for this
# machine's GPU, or for an A100 40GB when no GPU is detected.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target foldfit
build/foldfit tokens --json_path=examples/2pv7.json
echo
gpu=()
build/foldfit devices --format=json 2>/dev/null |
  python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["detected"]["gpus"] else 1)' || gpu=(--gpu=A100-40GB)
status=0
build/foldfit estimate --json_path=examples/2pv7.json "${gpu[@]}" || status=$?
# 10 (fits with a plan) and 11 (cannot fit) are answers, not failures.
[ "$status" -eq 0 ] || [ "$status" -eq 10 ] || [ "$status" -eq 11 ]
