#!/usr/bin/env bash
# make run-orbvm: boots Orbital in orbvm on this host's /dev/kvm, as `make run`
# with BOOT=kernel does in QEMU: the kernel through PVH, the boot archive as
# the first module, the serial console on this terminal (Ctrl-A x quits).
# Environment: MEM=256M, CMDLINE="...", ORBVM_EXTRA="..." add options.
set -euo pipefail
build=${1:-build}
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	echo "run-orbvm: /dev/kvm is missing or not usable here (the nested lab path is not wired up)" >&2
	exit 1
fi
echo "Starting Orbital in orbvm. Quit: Ctrl-A then x."
# shellcheck disable=SC2086
exec "$build/orbvm" --kernel "$build/orbital.elf" --initrd "$build/bootfs.cpio" \
	--mem "${MEM:-256M}" --debug-exit 0xf4 --cmdline "${CMDLINE:-}" ${ORBVM_EXTRA:-}
