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
# Invariant: the markers are printed only after the mounts succeeded and nothing else
# is printed on the console by init before them.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

test=
for word in $(cat /proc/cmdline); do
	case $word in
	orb.test=*) test=${word#orb.test=} ;;
	esac
done

mem=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
echo "ORBVM-GUEST-MEM-KB $mem"
echo "ORBVM-GUEST-READY"

case $test in
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
