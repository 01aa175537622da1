#!/bin/busybox sh
# shellcheck shell=dash
# /init of the nested lab's L1 (Debian generic kernel under QEMU TCG with AMD SVM).
#
# Owns: bringing up /dev/kvm and the host share inside L1, running one job, powering off.
#   1. mount proc/sys/dev; insmod the modules listed in /modules.list (9p stack, then
#      irqbypass, ccp, kvm, kvm-amd: tools/lab/README.md's order) -> /dev/kvm and virtio-9p.
#   2. mount the host's root file system (QEMU -virtfs, tag "hostroot", read-only) on /host,
#      copy the job script named by orblab.job= out of it, then mount fresh proc, sys,
#      dev (devtmpfs: /dev/kvm), /tmp, /run over the share, so that
#      `chroot /host` gives the host's own userland (QEMU, python3, the repository at the
#      same path) with writable scratch space only in L1's RAM.
#   3. run the job in that chroot; orblab.mode=interactive gives it /dev/ttyS0 as its
#      controlling terminal, otherwise stdin is /dev/null and output goes to the console.
#   4. print "ORBLAB-JOB-END rc=N" and power off (QEMU -no-reboot then exits).
# Protocol with tools/lab/run-lab.py (the host side): every line between
# "ORBLAB-JOB-BEGIN" and "ORBLAB-JOB-END rc=N" is the job's output; "ORBLAB-ERROR ..."
# before BEGIN explains a lab failure (then END rc=125 follows).
# The host share is read-only (QEMU enforces readonly=on): nothing in L1 can change the
# host; the job can only write to tmpfs in L1.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

job=
mode="batch"
for word in $(cat /proc/cmdline); do
	case $word in
	orblab.job=*) job=${word#orblab.job=} ;;
	orblab.mode=*) mode=${word#orblab.mode=} ;;
	esac
done

fail() {
	echo "ORBLAB-ERROR $*"
	echo "ORBLAB-JOB-END rc=125"
	poweroff -f
	sleep 10
}

for m in $(cat /modules.list); do
	insmod "/modules/$m" || fail "insmod $m failed"
done
[ -c /dev/kvm ] || fail "no /dev/kvm after loading kvm-amd (is the CPU model missing svm/npt?)"

mkdir -p /host
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /host ||
	fail "mounting the host share over 9p failed"
[ -n "$job" ] && [ -f "/host$job" ] || fail "job script '$job' not found through the host share"
cp "/host$job" /job.sh

# The host's /tmp, kept reachable before L1's own tmpfs covers it.
mkdir -p /hosttmp
mount -o bind /host/tmp /hosttmp || fail "bind-mounting the host's /tmp"
mount -t tmpfs -o mode=1777 tmpfs /host/tmp || fail "tmpfs on /host/tmp"
# A job started in a directory under the host's /tmp (a CI clone often is) must still
# find it: bind that directory back into place over the tmpfs.
cwd=$(sed -n "1s/^cd \(.*\) || exit 125\$/\1/p" /job.sh | tr -d "'")
case "$cwd" in
/tmp/?*)
	mkdir -p "/host$cwd"
	mount -o bind "/hosttmp${cwd#/tmp}" "/host$cwd" || fail "bind-mounting $cwd"
	;;
esac
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/shm /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs tmpfs /host/run
cp /job.sh /host/tmp/orblab-job.sh

# Guest RAM is mapped lazily by VMMs: let a 3G guest map in a 3G L1.
echo 1 >/proc/sys/vm/overcommit_memory

# L1's uptime on both markers lets run-lab.py check L1's clock against the host's.
echo "ORBLAB-JOB-BEGIN uptime=$(cut -d' ' -f1 /proc/uptime)"
env="HOME=/tmp TMPDIR=/tmp TERM=${TERM:-linux} PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ORBLAB=1"
if [ "$mode" = interactive ]; then
	setsid -c chroot /host /usr/bin/env -i $env /bin/sh /tmp/orblab-job.sh \
		</dev/ttyS0 >/dev/ttyS0 2>&1
else
	chroot /host /usr/bin/env -i $env /bin/sh /tmp/orblab-job.sh </dev/null 2>&1
fi
rc=$?
echo
echo "ORBLAB-JOB-END rc=$rc uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
poweroff -f
sleep 10
