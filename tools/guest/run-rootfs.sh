#!/bin/bash
# make run-vm / make run-vm-lab: boot the Debian guest in orbvm with its root file system
# on a virtio disk (build/guest/rootfs.img, tools/guest/build-rootfs.sh) to `login:` on
# this terminal. Log in as root, password orbvm.
#
# Usage: tools/guest/run-rootfs.sh BUILD [lab]
#   without "lab": BUILD/orbvm on this host's /dev/kvm with --disk build/guest/rootfs.img
#     (changes persist in the image). Needs a KVM host with vmx/svm (tools/lab/README.md).
#   with "lab": BUILD/orbvm-static inside the nested lab's L1 (tools/lab/run-lab.py
#     --interactive); L1 can write only to its tmpfs, so it boots a copy of the image in
#     L1's /tmp and changes are lost when L1 ends. Slow (TCG) but works anywhere.
# The initramfs loads the virtio modules, mounts /dev/vda and switches root to it
# (orb.root=, tools/guest/l2-init.sh). Ctrl-A x quits orbvm; `poweroff` in the guest too.
# ORBVM_MEM (default 256M) and ORBVM_CMDLINE override memory and command line.
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD=${1:-build}
where=${2:-host}
PYTHON=${PYTHON:-python3}
kernel=build/guest/vmlinuz
initrd=build/guest/initramfs.cpio.gz
rootfs=build/guest/rootfs.img
mem=${ORBVM_MEM:-256M}
[ -f "$rootfs" ] || { echo "run-vm: $rootfs missing: run 'make guest-images'" >&2; exit 1; }

if [ "$where" = lab ]; then
	cmdline=${ORBVM_CMDLINE:-console=ttyS0 quiet panic=-1 reboot=t tsc=reliable lpj=5000000 no_timer_check orb.root=/dev/vda}
	[ -t 0 ] || { echo "run-vm-lab: needs a terminal" >&2; exit 2; }
	echo "run-vm-lab: L1 boots (~10 s), then orbvm boots the guest to login: (root / orbvm)." >&2
	echo "run-vm-lab: Ctrl-A x quits orbvm; if anything hangs, kill the qemu process." >&2
	exec "$PYTHON" tools/lab/run-lab.py --interactive -- sh -c \
		'cp "$1" /tmp/rootfs.img && shift && exec "$@" --disk /tmp/rootfs.img' sh \
		"$rootfs" "$BUILD/orbvm-static" --kernel "$kernel" --initrd "$initrd" \
		--mem "$mem" --cmdline "$cmdline"
fi

cmdline=${ORBVM_CMDLINE:-console=ttyS0 quiet panic=-1 orb.root=/dev/vda}
if ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
	echo "run-vm: warning: this CPU shows no vmx/svm flag, so /dev/kvm here is nested or" >&2
	echo "run-vm: paravirtual and cannot run an unmodified Linux guest (docs: tools/lab/README.md)." >&2
	echo "run-vm: use a real KVM host, or 'make run-vm-lab' (slow, nested)." >&2
fi
echo "run-vm: booting to login: (root / orbvm); Ctrl-A x quits." >&2
exec "$BUILD/orbvm" --kernel "$kernel" --initrd "$initrd" --mem "$mem" \
	--cmdline "$cmdline" --disk "$rootfs"
