#!/usr/bin/env bash
# Runs libFuzzer targets for a bounded time each; builds nothing.
#
#   tests/fuzz/run.sh build/fuzz/fuzz_bootinfo [more fuzz_* binaries...]
#
# Each binary fuzz_NAME runs for FUZZ_SECONDS (default 20) seconds, one
# process, over a temporary copy of its corpus tests/fuzz/corpus/NAME (so the
# repository's corpus changes only with FUZZ_UPDATE_CORPUS=1, when new inputs
# are written straight into it). A crash, sanitizer report, leak or timeout
# fails the target; the reproducer is kept next to the binary as
# artifacts/NAME/crash-* and the log's tail is printed. Last line:
# "N passed, N failed"; the exit status is non-zero if any failed.
set -u

seconds=${FUZZ_SECONDS:-20}
root=$(cd "$(dirname "$0")/../.." && pwd)
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for bin in "$@"; do
	base=$(basename "$bin")
	name=${base#fuzz_}
	if [ ! -x "$bin" ]; then
		echo "fuzz $name: FAIL ($bin is not an executable; run make fuzz)"
		failed=$((failed + 1))
		continue
	fi
	corpus="$root/tests/fuzz/corpus/$name"
	if [ "${FUZZ_UPDATE_CORPUS:-0}" = 1 ]; then
		mkdir -p "$corpus"
		work=$corpus
	else
		work="$tmp/corpus-$name"
		mkdir -p "$work"
		if [ -d "$corpus" ]; then
			cp -R "$corpus"/. "$work"/
		fi
	fi
	artifacts="$(cd "$(dirname "$bin")" && pwd)/artifacts/$name"
	mkdir -p "$artifacts"
	log="$tmp/$name.log"
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$artifacts/" "$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $name: ok (${runs:-?} runs in ${seconds}s)"
		passed=$((passed + 1))
	else
		echo "fuzz $name: FAIL (exit $rc); reproducer in $artifacts/, log tail:"
		tail -n 40 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
