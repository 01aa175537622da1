#!/bin/bash
# Build the nested lab's L1 images: Debian's generic kernel and a busybox initramfs.
#
# Owns: OUT/vmlinuz and OUT/initramfs.cpio (not compressed: under TCG, L1 unpacks a
# plain archive about 1.5 s faster than it inflates gzip). The initramfs holds busybox-static,
# tools/lab/l1-init.sh as /init, and the modules L1 needs (uncompressed .ko files,
# loaded by busybox insmod in the order of /modules.list: virtio + 9p, then KVM per tools/lab/README.md).
# Inputs come from tools/guest/fetch-debian.sh (CACHE/guest/env.sh).
set -euo pipefail

OUT=${1:-build/lab}
CACHE=${2:-cache}
PYTHON=${PYTHON:-python3}
here=$(dirname "$0")
. "$CACHE/guest/env.sh"

modules="
drivers/virtio/virtio_ring.ko
drivers/virtio/virtio.ko
drivers/virtio/virtio_pci_legacy_dev.ko
drivers/virtio/virtio_pci_modern_dev.ko
drivers/virtio/virtio_pci.ko
fs/netfs/netfs.ko
fs/fscache/fscache.ko
net/9p/9pnet.ko
net/9p/9pnet_virtio.ko
fs/9p/9p.ko
virt/lib/irqbypass.ko
drivers/crypto/ccp/ccp.ko
arch/x86/kvm/kvm.ko
arch/x86/kvm/kvm-amd.ko
"

mkdir -p "$OUT"
cp "$L1_KERNEL" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"

spec=$OUT/initramfs.spec
list=$OUT/modules.list
: >"$list"
{
	echo "dir bin 0755"
	echo "file bin/busybox $BUSYBOX 0755"
	echo "slink bin/sh busybox"
	echo "dir sbin 0755"
	echo "dir dev 0755"
	echo "nod dev/console 0600 c 5 1"
	echo "dir proc 0755"
	echo "dir sys 0755"
	echo "dir tmp 1777"
	echo "dir modules 0755"
	for m in $modules; do
		[ -f "$L1_MODULES/$m" ] || { echo "build-l1: missing module $m" >&2; exit 1; }
		echo "file modules/$(basename "$m") $L1_MODULES/$m 0644"
		basename "$m" >>"$list"
	done
	echo "file modules.list $list 0644"
	echo "file init $here/l1-init.sh 0755"
} >"$spec"
"$PYTHON" "$here/../guest/mkcpio.py" --no-gzip "$spec" "$OUT/initramfs.cpio"
rm -f "$OUT/initramfs.cpio.gz" "$OUT/initramfs.cpio.gz.stamp"
