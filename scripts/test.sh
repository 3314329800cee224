#!/usr/bin/env bash
# test.sh - build foldfit and run every test (the README's second command; CI runs it):
#   1. the test suite (build/), with the Python package built (build-py/) and installed into .venv,
#      and foldfit plan/submit/status on a real single-machine Slurm cluster (tests/cli/slurm.sh);
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/);
#   3. a fuzzing smoke run, 10 s per target (fuzz/run.sh; skipped, with a message, when
#      clang with libFuzzer is missing).
# FOLDFIT_QUICK_TEST=1 runs step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
# The Python package (pyproject.toml, docs/python.md) into .venv, as `pip install .` installs it
# (its own build folder, build-py/, kept between runs); tests/python/test_package.py tests it.
CMAKE_BUILD_PARALLEL_LEVEL="$jobs" .venv/bin/python -m pip install -q --disable-pip-version-check \
  --no-build-isolation --force-reinstall --no-deps .
export FOLDFIT_REQUIRE_PACKAGE=1
# tests/cli/slurm.sh starts a real Slurm cluster on this machine (tests/slurm/cluster.sh, as
# root); here, where setup.sh installed it, not being able to is a failure, not a skip.
export FOLDFIT_REQUIRE_SLURM=1
# tests/cli/html_chromium.sh renders the HTML report in headless Chromium (setup.sh installs it).
export FOLDFIT_REQUIRE_CHROMIUM=1
ctest --test-dir build --output-on-failure -j"$jobs"
[ "${FOLDFIT_QUICK_TEST:-0}" = 1 ] && exit 0

# -O1 keeps the instrumented build and run quick; the benchmarks add nothing here.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DCMAKE_C_FLAGS_DEBUG="-g -O1" \
  -DFOLDFIT_SANITIZE=ON -DFOLDFIT_BUILD_BENCH=OFF
cmake --build build-asan -j"$jobs"
# Leak reports from libraries foldfit cannot fix are suppressed one by one, each with its
# proof, in tests/sanitizers/lsan.supp.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
  LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

fuzz/run.sh 10
