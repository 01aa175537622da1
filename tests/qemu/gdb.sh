#!/usr/bin/env bash
# `make debug` works: QEMU halted with a GDB stub, GDB with tools/gdbinit and the
# kernel's symbols connects, stops at kmain through the hardware breakpoint,
# and shows a backtrace and source line. Prints "N passed, N failed".
set -uo pipefail
build=${1:-build}
port=$((20000 + RANDOM % 20000))
qemu-system-x86_64 -M pc -m 128M -display none -monitor none -serial none -no-reboot \
	-kernel "$build/orbital.elf" -gdb "tcp:127.0.0.1:$port" -S &
qemu=$!
trap 'kill $qemu 2>/dev/null' EXIT
sleep 1
out=$(timeout 60 gdb -q -batch -nx -x tools/gdbinit -ex "target remote 127.0.0.1:$port" \
	-ex orbital-start -ex continue -ex bt -ex 'info line *$pc' -ex 'p/x magic' \
	-ex kill "$build/orbital.elf" 2>&1)
ok=1
for p in 'Breakpoint 1, kmain' '#0  kmain' 'main.c' '0x336ec578'; do
	grep -q -- "$p" <<<"$out" || { ok=0; echo "gdb output lacks '$p'"; }
done
if [ $ok = 1 ]; then
	echo "PASS  gdb stops at kmain with symbols"
	echo "1 passed, 0 failed"
else
	echo "FAIL  gdb session:"
	sed 's/^/      /' <<<"$out" | tail -20
	echo "0 passed, 1 failed"
	exit 1
fi
