#!/usr/bin/env bash
# The Python adapter against the stand-in AlphaFold 3 (tests/python/test_adapter.py).
set -euo pipefail
python3 -m unittest discover -s "$SRC/tests/python" -p 'test_*.py' -v
