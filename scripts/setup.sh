#!/usr/bin/env bash
# setup.sh - install foldfit's build dependencies from Debian 12 packages (apt).
# Installs only what is missing; run as root or with sudo available.
set -euo pipefail

packages=(
  build-essential cmake git pkg-config
  libfmt-dev nlohmann-json3-dev libcifpp-dev librdkit-dev libboost-dev
  libsqlite3-dev zlib1g-dev liblzma-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsimdjson-dev
  python3 python3-venv clang-14 libclang-rt-14-dev
  slurm-wlm slurmdbd munge mariadb-server
  chromium
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
  # Slurm, munge and MariaDB are here for the test cluster (tests/slurm/cluster.sh), which
  # starts its own daemons in a private folder: the packages' system services are not
  # started on install (policy-rc.d, only where the machine has none of its own).
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" > /dev/null && $sudo chmod 755 "$policy" && own_policy=1
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" || rc=$?
  [ "$own_policy" = 0 ] || $sudo rm -f "$policy"
  [ "$rc" = 0 ] || exit "$rc"
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
