#!/usr/bin/env bash
# Runs every host unit test binary (cmocka, ASan+UBSan) in BUILD_DIR/host and prints one line
# per binary and a closing "N passed, N failed" (cases). Exit status 0 only if none failed.
#   tests/host/run.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hp=0
hf=0
for t in "$build"/host/test_*; do
	[ -x "$t" ] || continue
	out="$tmp/$(basename "$t").out"
	"$t" >"$out" 2>&1
	st=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ "$f" -ne 0 ]; then
		cat "$out"
		echo "FAIL  $(basename "$t") (exit status $st)"
	else
		echo "PASS  $(basename "$t"): $p cases"
	fi
	hp=$((hp + p))
	hf=$((hf + f))
done
if [ $((hp + hf)) -eq 0 ]; then
	echo "no host tests in $build/host"
	hf=1
fi
echo "$hp passed, $hf failed"
[ "$hf" -eq 0 ]
