#!/usr/bin/env bash
# The Python tests (tests/python: the run_alphafold.py adapter and the XLA verify helper), run
# with the project's own environment, .venv, which scripts/setup.sh creates (JAX on CPU).
set -euo pipefail
py="$SRC/.venv/bin/python"
if [ ! -x "$py" ]; then
  echo "python_tests: $py is missing: run scripts/setup.sh to create the project's Python environment" >&2
  exit 1
fi
cd "$SRC"
"$py" -m pytest -q -p no:cacheprovider tests/python
