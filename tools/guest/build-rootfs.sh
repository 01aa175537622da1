#!/bin/bash
# Build the guest's root file system image: OUT/rootfs.img, ext4, made with
# `mkfs.ext4 -d` from a staging directory (no root, loop or mount needed).
#
# Owns: the image's contents. A busybox userland (busybox-static from the cache and its
# applet links), /etc/inittab (sysinit /etc/init.d/rcS; getty on ttyS0, respawned),
# /etc/passwd + /etc/shadow with the documented login **root / orbvm** (SHA-512 hash
# with a fixed salt, so the image is the same on every build), /etc/group, hostname
# "orbvm", and the virtio modules in /lib/modules (the initramfs loads them before it
# mounts this image: l2-init.sh, orb.root=/dev/vda).
# Boot it: orbvm --disk OUT/rootfs.img --cmdline 'console=ttyS0 orb.root=/dev/vda' ...
# (make run-vm). rcS prints "ORBVM-ROOTFS-READY" on the console before getty starts.
# Skips the build when the script and busybox are unchanged (OUT/rootfs.img.stamp), so
# a user's changes inside the image survive `make guest-images`; delete it to rebuild.
# File owners in the image are the building user's (root on the build machines).
set -euo pipefail

OUT=${1:-build/guest}
CACHE=${2:-cache}
SIZE=${ROOTFS_SIZE:-64M}
here=$(dirname "$0")
. "$CACHE/guest/env.sh"

moddir=$(dirname "$L2_KERNEL")/../lib/modules/${L2_KERNEL_PKG#linux-image-}/kernel/drivers
mods="virtio/virtio_ring virtio/virtio virtio/virtio_mmio block/virtio_blk"
img=$OUT/rootfs.img
stamp="$(sha256sum "$0" "$BUSYBOX" | sha256sum | cut -d' ' -f1) $SIZE"
if [ -f "$img" ] && [ "$(cat "$img.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

mkdir -p "$OUT"
stage=$(mktemp -d "$OUT/rootfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc/init.d dev proc sys tmp run root mnt lib/modules var/log
chmod 1777 tmp
chmod 0700 root
cp "$OLDPWD/$BUSYBOX" bin/busybox 2>/dev/null || cp "$BUSYBOX" bin/busybox
chmod 0755 bin/busybox
# One symlink per applet, at the path busybox itself lists (bin/ls, sbin/getty, ...).
for path in $(bin/busybox --list-full); do
	[ "$path" = bin/busybox ] && continue
	[ -e "$path" ] || [ -L "$path" ] && continue
	mkdir -p "$(dirname "$path")"
	ln -s /bin/busybox "$path"
done
for m in $mods; do
	src=$moddir/$m.ko
	case $src in /*) ;; *) src=$OLDPWD/$src ;; esac
	cp "$src" "lib/modules/${m#*/}.ko"
done

cat >etc/inittab <<'TAB'
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
::shutdown:/bin/umount -a -r
TAB
cat >etc/init.d/rcS <<'RCS'
#!/bin/sh
# orbvm rootfs start-up (tools/guest/build-rootfs.sh): file systems, hostname, marker.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -o remount,rw /
hostname -F /etc/hostname
echo "ORBVM-ROOTFS-READY"
RCS
chmod 0755 etc/init.d/rcS
echo orbvm >etc/hostname
echo "root:x:0:0:root:/root:/bin/sh" >etc/passwd
echo "root:x:0:" >etc/group
hash=$(bin/busybox mkpasswd -m sha512 -S orbvmsalt orbvm)
echo "root:$hash:19000:0:99999:7:::" >etc/shadow
chmod 0600 etc/shadow
printf 'ttyS0\nconsole\n' >etc/securetty
echo /bin/sh >etc/shells
printf 'export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nexport PS1="\\h:\\w# "\n' >etc/profile
cat >etc/fstab <<'FST'
/dev/vda / ext4 defaults 0 1
proc /proc proc defaults 0 0
FST
cd "$OLDPWD"

rm -f "$img.tmp"
mkfs.ext4 -q -F -L orbvm-root -d "$stage" "$img.tmp" "$SIZE"
mv "$img.tmp" "$img"
echo "$stamp" >"$img.stamp"
echo "build-rootfs: $img ($SIZE, login root / orbvm)"
