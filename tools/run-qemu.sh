#!/usr/bin/env bash
# make run: boots Orbital in QEMU from the GRUB ISO (BIOS).
#   - the serial console is this terminal (Ctrl-A X quits, Ctrl-A C toggles
#     the QEMU monitor, Ctrl-A H lists the keys);
#   - where a display exists (DISPLAY or WAYLAND_DISPLAY set) QEMU also opens
#     a window with the VGA screen; over SSH or headless, serial only.
# Environment: BOOT=kernel boots build/orbital.elf directly (PVH) instead;
# UEFI=1 boots the ISO under OVMF; MEM=256M, SMP=1, QEMU_EXTRA="..." add options.
set -euo pipefail
build=${1:-build}
mem=${MEM:-256M}
smp=${SMP:-1}

args=(-M pc -m "$mem" -smp "$smp" -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-serial mon:stdio)
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
	args+=(-display gtk)
else
	args+=(-display none)
fi
if [ "${BOOT:-iso}" = kernel ]; then
	args+=(-kernel "$build/orbital.elf" -initrd "$build/bootfs.cpio" -append "${CMDLINE:-}")
else
	args+=(-cdrom "$build/orbital.iso" -boot d)
	[ -n "${UEFI:-}" ] && args+=(-bios /usr/share/ovmf/OVMF.fd)
fi
# shellcheck disable=SC2206
args+=(${QEMU_EXTRA:-})

echo "Starting Orbital in QEMU. Quit: Ctrl-A then X. QEMU monitor: Ctrl-A then C."
exec qemu-system-x86_64 "${args[@]}"
