#!/bin/bash
# make run-vm / make run-vm-lab: boot the Debian guest in orbvm to a busybox shell here.
#
# Usage: tools/lab/run-vm.sh BUILD [lab]
#   without "lab": BUILD/orbvm on this host's /dev/kvm. That needs a KVM host with
#     hardware virtualization (vmx/svm): on a nested, paravirtual /dev/kvm (the project's
#     build machines, tools/lab/README.md) Linux guests do not boot, and this script says so first.
#   with "lab": BUILD/orbvm-static inside the nested lab's L1 (tools/lab/run-lab.py
#     --interactive): slow (TCG) but works on any x86-64 Linux with QEMU.
# Ctrl-A x quits orbvm (then L1 powers off); `poweroff -f` in the guest does too.
# ORBVM_MEM (default 256M) and ORBVM_CMDLINE override the guest's memory and command line.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD=${1:-build}
where=${2:-host}
PYTHON=${PYTHON:-python3}
kernel=build/guest/vmlinuz
initrd=build/guest/initramfs.cpio.gz
mem=${ORBVM_MEM:-256M}

if [ "$where" = lab ]; then
	cmdline=${ORBVM_CMDLINE:-console=ttyS0 quiet panic=-1 reboot=t tsc=reliable lpj=5000000 no_timer_check}
	[ -t 0 ] || { echo "run-vm-lab: needs a terminal" >&2; exit 2; }
	echo "run-vm-lab: L1 boots (~10 s), then orbvm boots the guest (~5 s) to a busybox shell." >&2
	echo "run-vm-lab: Ctrl-A x quits orbvm; if anything hangs, kill the qemu process." >&2
	exec "$PYTHON" tools/lab/run-lab.py --interactive -- \
		"$BUILD/orbvm-static" --kernel "$kernel" --initrd "$initrd" --mem "$mem" \
		--cmdline "$cmdline"
fi

cmdline=${ORBVM_CMDLINE:-console=ttyS0 quiet panic=-1}
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	echo "run-vm: warning: this CPU shows no vmx/svm flag, so /dev/kvm here is nested or" >&2
	echo "run-vm: paravirtual and cannot run an unmodified Linux guest (docs: tools/lab/README.md)." >&2
	echo "run-vm: use a real KVM host, or 'make run-vm-lab' (slow, nested)." >&2
fi
exec "$BUILD/orbvm" --kernel "$kernel" --initrd "$initrd" --mem "$mem" --cmdline "$cmdline"
