#!/usr/bin/env bash
# quickstart.sh - install dependencies, build foldfit, and size the bundled example
# (the README's first command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFOLDFIT_BUILD_TESTS=OFF -DFOLDFIT_BUILD_BENCH=OFF >/dev/null
cmake --build build -j"$jobs" --target foldfit
build/foldfit tokens --json_path=examples/2pv7.json
