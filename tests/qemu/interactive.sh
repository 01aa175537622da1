#!/usr/bin/env bash
# Interactive QEMU tests: scripts that type into the system (QEMU's monitor
# `sendkey`, the serial port) and check what comes back. Runs every
# tests/qemu/*_test.py on -smp 1 and -smp 4; each prints its own
# "N passed, N failed" last; this adds them up into one such line.
#   tests/qemu/interactive.sh BUILD_DIR
set -uo pipefail
build=${1:-build}
pass=0
fail=0
for t in tests/qemu/*_test.py; do
	[ -e "$t" ] || continue
	for smp in 1 4; do
		out=$(python3 "$t" "$build" --smp "$smp" 2>&1)
		st=$?
		echo "$out" | tail -n 5
		line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
		if [ -z "$line" ]; then
			echo "FAIL  $(basename "$t") -smp $smp: no result line (exit status $st)"
			fail=$((fail + 1))
			continue
		fi
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
		fi
		echo "$( [ "$f" -eq 0 ] && echo PASS || echo FAIL)  $(basename "$t") -smp $smp: $line"
		pass=$((pass + p))
		fail=$((fail + f))
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
