#!/bin/bash
# Build the L2 guest images: Debian's cloud kernel and a busybox initramfs.
#
# Owns: OUT/vmlinuz (a copy of the cloud kernel, so users need not know the cache
# layout) and OUT/initramfs.cpio.gz (busybox-static + tools/guest/l2-init.sh as /init +
# the cloud kernel's virtio-mmio, virtio-pci and virtio-blk modules in /lib/modules,
# loaded by /init in dependency order; ext4 is built in; and bin/blkbench, compiled here
# from vmm/guests/blkbench.c, for make bench-vm).
# Inputs come from tools/guest/fetch-debian.sh (CACHE/guest/env.sh); run that first.
# The archive is reproducible (tools/guest/mkcpio.py: owners 0, times 0).
set -euo pipefail

OUT=${1:-build/guest}
CACHE=${2:-cache}
PYTHON=${PYTHON:-python3}
here=$(dirname "$0")
. "$CACHE/guest/env.sh"

mkdir -p "$OUT"
cp "$L2_KERNEL" "$OUT/vmlinuz.tmp" && mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
echo "$L2_KERNEL_PKG" >"$OUT/kernel-version"

# The modules /init loads for orbvm's disks (uncompressed .ko in Debian 12's package).
moddir=$(dirname "$L2_KERNEL")/../lib/modules/${L2_KERNEL_PKG#linux-image-}/kernel/drivers
mods="virtio/virtio_ring virtio/virtio virtio/virtio_mmio virtio/virtio_pci_legacy_dev
virtio/virtio_pci_modern_dev virtio/virtio_pci block/virtio_blk"
for m in $mods; do
	[ -f "$moddir/$m.ko" ] || { echo "build-l2: missing module $moddir/$m.ko" >&2; exit 1; }
done

# make bench-vm's disk benchmark (orb.test=blkbench), static like boot-marker.
${CC:-gcc} -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static \
	-o "$OUT/blkbench" "$here/../../vmm/guests/blkbench.c"

spec=$OUT/initramfs.spec
cat >"$spec" <<SPEC
dir bin 0755
file bin/busybox $BUSYBOX 0755
slink bin/sh busybox
dir dev 0755
nod dev/console 0600 c 5 1
nod dev/null 0666 c 1 3
dir proc 0755
dir sys 0755
dir sbin 0755
dir usr 0755
dir usr/bin 0755
dir usr/sbin 0755
dir tmp 1777
dir root 0700
dir mnt 0755
dir newroot 0755
dir lib 0755
dir lib/modules 0755
file init $here/l2-init.sh 0755
file bin/blkbench $OUT/blkbench 0755
SPEC
for m in $mods; do
	echo "file lib/modules/${m#*/}.ko $moddir/$m.ko 0644" >>"$spec"
done
"$PYTHON" "$here/mkcpio.py" "$spec" "$OUT/initramfs.cpio.gz"
