#!/usr/bin/env bash
# setup.sh - install foldfit's build dependencies from Debian 12 packages (apt).
# Installs only what is missing; run as root or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  libfmt-dev nlohmann-json3-dev libcifpp-dev librdkit-dev libboost-dev
  libsqlite3-dev zlib1g-dev liblzma-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-venv clang-14 libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

# The project's own Python environment for tests/python (JAX on CPU, exact pins): .venv,
# git-ignored; rebuilt only when python/requirements-test.txt changes.
root="$(cd "$(dirname "$0")/.." && pwd)"
requirements="$root/python/requirements-test.txt"
if [ ! -x "$root/.venv/bin/python" ] || ! cmp -s "$requirements" "$root/.venv/foldfit-requirements.txt"; then
  echo "setup: creating $root/.venv from python/requirements-test.txt" >&2
  python3 -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$root/.venv/foldfit-requirements.txt"
fi
