#!/bin/bash
# make run-vm, run-vm-lab and run-vm-shell: boot the Debian guest in orbvm on this terminal.
#
# Usage: tools/guest/run-vm.sh BUILD [host|lab] [disk|shell]
#   host (default): BUILD/orbvm on this host's /dev/kvm. That needs a KVM host with
#     hardware virtualization (vmx/svm): on a nested, paravirtual /dev/kvm (tools/lab/README.md)
#     a Linux guest does not boot, and this script says so first.
#   lab: BUILD/orbvm-static inside the nested lab's L1 (tools/lab/run-lab.py --interactive):
#     slow (TCG) but works on any x86-64 Linux with QEMU.
#   disk (default): the root file system on a virtio disk (build/guest/rootfs.img,
#     tools/guest/build-rootfs.sh), to `login:` (root, password orbvm). The initramfs loads
#     the virtio modules, mounts /dev/vda and switches root to it (orb.root=,
#     tools/guest/l2-init.sh). On the host the guest's changes persist in the image; L1 can
#     write only to its tmpfs, so in the lab the guest boots a copy in L1's /tmp and the
#     changes are lost when L1 ends.
#   shell: the initramfs alone, to a busybox shell (no disk).
# Ctrl-A x quits orbvm (in the lab L1 then powers off); `poweroff` in the guest does too.
# ORBVM_MEM (default 256M) and ORBVM_CMDLINE override the guest's memory and command line.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
	echo "usage: tools/guest/run-vm.sh BUILD [host|lab] [disk|shell]" >&2
	exit 2
}

BUILD=${1:-build}
where=${2:-host}
what=${3:-disk}
PYTHON=${PYTHON:-python3}
kernel=build/guest/vmlinuz
initrd=build/guest/initramfs.cpio.gz
rootfs=build/guest/rootfs.img
mem=${ORBVM_MEM:-256M}

case $where in
host | lab) ;;
*) usage ;;
esac
case $what in
disk)
	root=" orb.root=/dev/vda"
	goal="login: (root / orbvm)"
	[ -f "$rootfs" ] || { echo "run-vm: $rootfs missing: run 'make guest-images'" >&2; exit 1; }
	;;
shell)
	root=
	goal="a busybox shell"
	;;
*) usage ;;
esac

if [ "$where" = lab ]; then
	# Nested, the guest boots much faster when it trusts the TSC and skips the delay-loop
	# calibration and the timer check; reboot=t makes its reboot a triple fault orbvm
	# sees (tools/lab/README.md, "Facts").
	cmdline=${ORBVM_CMDLINE:-console=ttyS0 quiet panic=-1 reboot=t tsc=reliable lpj=5000000 no_timer_check$root}
	[ -t 0 ] || { echo "run-vm-lab: needs a terminal" >&2; exit 2; }
	echo "run-vm-lab: L1 boots (~10 s), then orbvm boots the guest to $goal." >&2
	echo "run-vm-lab: Ctrl-A x quits orbvm; if anything hangs, kill the qemu process." >&2
	vm=("$BUILD/orbvm-static" --kernel "$kernel" --initrd "$initrd" --mem "$mem" --cmdline "$cmdline")
	if [ "$what" = disk ]; then
		exec "$PYTHON" tools/lab/run-lab.py --interactive -- sh -c \
			'cp "$1" /tmp/rootfs.img && shift && exec "$@" --disk /tmp/rootfs.img' sh \
			"$rootfs" "${vm[@]}"
	fi
	exec "$PYTHON" tools/lab/run-lab.py --interactive -- "${vm[@]}"
fi

cmdline=${ORBVM_CMDLINE:-console=ttyS0 quiet panic=-1$root}
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	echo "run-vm: warning: this CPU shows no vmx/svm flag, so /dev/kvm here is nested or" >&2
	echo "run-vm: paravirtual and cannot run an unmodified Linux guest (docs: tools/lab/README.md)." >&2
	echo "run-vm: use a real KVM host, or 'make run-vm-lab' (slow, nested)." >&2
fi
disk=()
if [ "$what" = disk ]; then
	disk=(--disk "$rootfs")
fi
echo "run-vm: booting to $goal; Ctrl-A x quits." >&2
exec "$BUILD/orbvm" --kernel "$kernel" --initrd "$initrd" --mem "$mem" --cmdline "$cmdline" "${disk[@]}"
