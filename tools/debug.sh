#!/usr/bin/env bash
# make debug: starts QEMU halted at the first instruction with a GDB stub on
# localhost:1234, then GDB with the kernel's symbols, connected and stopped at
# kmain (tools/gdbinit). The kernel boots directly (PVH), so the symbols match
# from the first instruction. Serial output goes to build/debug-serial.log
# (watch it with: tail -f build/debug-serial.log). Quitting GDB stops QEMU.
set -euo pipefail
build=${1:-build}
log="$build/debug-serial.log"
qemu-system-x86_64 -M pc -m "${MEM:-256M}" -no-reboot -display none \
	-serial "file:$log" -kernel "$build/orbital.elf" -initrd "$build/bootfs.cpio" -append "${CMDLINE:-}" \
	-gdb tcp:127.0.0.1:1234 -S &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
echo "QEMU is waiting for GDB (pid $qemu); serial output: $log"
gdb -q -x tools/gdbinit -ex "target remote 127.0.0.1:1234" -ex orbital-start "$build/orbital.elf"
