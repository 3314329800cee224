#!/usr/bin/env bash
# run.sh - build the libFuzzer targets (clang, ASan + UBSan) and run each for a while.
#
#   fuzz/run.sh [SECONDS] [TARGET...]   SECONDS per target (default 60); all targets by default
#
# CI runs `fuzz/run.sh 10` as a smoke test. New inputs that reach new code go to
# build-fuzz/corpus/<target>/ (the committed seeds in fuzz/corpus/<target>/ are only read);
# a crash is saved under build-fuzz/artifacts/<target>/ and the script exits 1.
# Without clang/libFuzzer it prints why it skipped and exits 0. See docs/robustness.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
build=${FOLDFIT_FUZZ_BUILD:-build-fuzz}

cxx=""
for c in clang++-14 clang++; do
  if command -v "$c" >/dev/null; then cxx=$c; break; fi
done
cc=${cxx/clang++/clang}
if [ -z "$cxx" ] || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
    "$cxx" -x c++ -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
  echo "fuzz: skipped: no clang++ with libFuzzer (Debian: apt-get install clang-14 libclang-rt-14-dev)"
  exit 0
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFOLDFIT_FUZZ=ON -DFOLDFIT_BUILD_TESTS=OFF -DFOLDFIT_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]/#/fuzz_}"

status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  echo "fuzz: $t for ${seconds}s"
  # stdin from /dev/null: an input naming /dev/stdin must never block the run.
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t/" "$build/corpus/$t" "fuzz/corpus/$t" </dev/null \
      >"$build/artifacts/$t/log.txt" 2>&1; then
    status=1
    echo "fuzz: $t FAILED; last lines of $build/artifacts/$t/log.txt:"
    tail -n 40 "$build/artifacts/$t/log.txt"
    echo "fuzz: reproduce with $build/fuzz/fuzz_$t $build/artifacts/$t/<crash-file>"
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/artifacts/$t/log.txt" | tr '\n' ' '
    echo
  fi
done
exit $status
