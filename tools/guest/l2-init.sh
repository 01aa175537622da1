#!/bin/busybox sh
# shellcheck shell=dash
# /init of the L2 guest initramfs (a busybox userland for orbvm's Linux guests).
#
# Owns: the guest side of the lab tests' protocol on the serial console. It mounts
# proc/sys/dev, prints two marker lines that tests and benchmarks wait for:
#     ORBVM-GUEST-MEM-KB <MemTotal in KiB>
#     ORBVM-GUEST-READY
# and then does what `orb.test=` on the kernel command line asks:
#     (absent)   an interactive busybox shell on the console (make run-vm)
#     poweroff   poweroff -f at once        (the VMM must report a power-off)
#     reboot     reboot -f at once          (with reboot=t: a triple fault)
#     halt       halt -f at once            (CPUs stopped with interrupts off)
#     echo       read one line from the console, print "ORBVM-ECHO <LINE IN UPPER CASE>",
#                then poweroff -f           (proves console input reaches the guest)
#     shell      a non-interactive shell reading commands from the console
#     hold       wait for one line of input, then poweroff -f (benchmarks measure
#                the VMM while the guest idles at the marker)
#     disk       load the virtio modules, print one line per virtio disk
#                    ORBVM-DISK <vdX> <size in 512-byte sectors> ro=<0|1>
#                and "ORBVM-DISKS-DONE", then like `shell` (commands from the console)
#     blkbench   load the virtio modules (virtio-pci too, for QEMU), run
#                /bin/blkbench on /dev/vda: seq_write, seq_read over 64 MiB, rand_read of
#                2000 x 4 KiB (O_DIRECT; lines "ORBVM-BLK ..."), print
#                "ORBVM-BLKBENCH-DONE" and poweroff -f
# and, independently of orb.test=, `orb.root=DEV` (e.g. /dev/vda): load the virtio
# modules, mount DEV (ext4) and switch_root to its /sbin/init (after the markers).
# The modules (lib/modules/*.ko, from tools/guest/build-l2.sh) are loaded in dependency
# order; a module that fails to load prints "ORBVM-MODULE-FAILED <name>".
# Invariant: the markers are printed only after the mounts succeeded and nothing else
# is printed on the console by init before them.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

test=
root=
for word in $(cat /proc/cmdline); do
	case $word in
	orb.test=*) test=${word#orb.test=} ;;
	orb.root=*) root=${word#orb.root=} ;;
	esac
done

# Arguments: extra modules, loaded before virtio_blk.
load_virtio() {
	for m in virtio_ring virtio virtio_mmio "$@" virtio_blk; do
		insmod /lib/modules/$m.ko || echo "ORBVM-MODULE-FAILED $m"
	done
}

mem=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
echo "ORBVM-GUEST-MEM-KB $mem"
echo "ORBVM-GUEST-READY"

if [ -n "$root" ]; then
	load_virtio
	if mount -t ext4 "$root" /newroot; then
		umount -l /proc /sys
		mount --move /dev /newroot/dev 2>/dev/null || umount -l /dev
		exec switch_root /newroot /sbin/init
	fi
	echo "ORBVM-ROOT-FAILED $root"
fi

case $test in
disk)
	load_virtio
	for b in /sys/block/vd*; do
		[ -e "$b" ] || continue
		echo "ORBVM-DISK ${b##*/} $(cat "$b/size") ro=$(cat "$b/ro")"
	done
	echo "ORBVM-DISKS-DONE"
	sh
	poweroff -f
	;;
blkbench)
	load_virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
	i=0 # the disk may appear after the modules return (asynchronous probing)
	while [ ! -b /dev/vda ] && [ $i -lt 20 ]; do
		sleep 1
		i=$((i + 1))
	done
	blkbench /dev/vda seq_write 64
	blkbench /dev/vda seq_read 64
	blkbench /dev/vda rand_read 64 2000
	echo "ORBVM-BLKBENCH-DONE"
	poweroff -f
	;;
poweroff)
	poweroff -f
	;;
reboot)
	reboot -f
	;;
halt)
	halt -f
	;;
echo)
	read -r line
	echo "ORBVM-ECHO $(echo "$line" | tr a-z A-Z)"
	poweroff -f
	;;
shell)
	sh
	poweroff -f
	;;
hold)
	read -r line
	poweroff -f
	;;
esac

echo "Busybox shell on the serial console; 'poweroff -f' ends the VM."
while true; do
	setsid cttyhack sh -l
done
