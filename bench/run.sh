#!/usr/bin/env bash
# make bench: every benchmark, printed as `bench NAME VALUE UNIT` lines and tables.
set -euo pipefail
build=${1:-build}
echo "== Orbital boot under QEMU TCG"
python3 bench/boot_time.py "$build"
