"""Case H of tests/lab/cases.py: Linux guests with several vCPUs (orbvm --cpus N).

Owns: the SMP checks on Debian's cloud kernel, for N = 1, 2 and 4 vCPUs:
  H<N>   orb.test=disk with one raw 4N MiB disk and reboot=t,s<N-1> on the command line
         (Linux moves its power-off and reboot work to CPU N-1, the last AP, instead of
         CPU 0): `nproc` is N and /sys/devices/system/cpu/online names CPUs 0..N-1; N
         writers, one pinned to each CPU with taskset, each write 4 MiB of their own
         random data with O_DIRECT to their own part of /dev/vda at once, and each
         reports the CPU it ran on (field 39 of /proc/self/stat) with the SHA-256 of its
         data: every CPU reports, and after power-off the host finds each writer's data
         in the image; `taskset -c N-1 poweroff -f` gives the power-off status.
  H<N>r  (N > 1) orb.test=shell with the same command line: `taskset -c N-1 reboot -f`
         (a triple fault on the AP, reboot=t) gives the reboot status.
Owns nothing about the VMM's command line beyond --cpus (vmdrive.vmm_argv).
"""

import hashlib
import os
import re
import shutil
import tempfile

import vmdrive

WRITE_MIB = 4


def smp_cmdline(cpus, mode):
    return "%s reboot=t,s%d orb.test=%s" % (vmdrive.BASE_CMDLINE, cpus - 1, mode)


def start(args, res, name, cpus, mode, extra=()):
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, smp_cmdline(cpus, mode),
                            "256M", orbvm=args.orbvm, cpus=cpus) + list(extra)
    vm = vmdrive.Vm(argv)
    try:
        _, t = vm.expect(vmdrive.READY, args.boot_timeout)
        if mode == "disk":
            vm.expect(r"ORBVM-DISKS-DONE\n", 30)
    except vmdrive.Timeout as e:
        res.check("%s: boots with %d vCPUs" % (name, cpus), False, "%s\n%s" % (e, vm.tail()))
        vm.close()
        return None
    res.check("%s: boots with %d vCPUs" % (name, cpus), True, "%.1f s" % t)
    return vm


def ask(vm, res, name, cmd, want, timeout=60):
    """Types cmd; returns the match of regex want (None and a FAIL if it never comes)."""
    vm.send(cmd + "\n")
    try:
        m, _ = vm.expect(want, timeout)
        return m
    except vmdrive.Timeout as e:
        res.check(name, False, "%s\n%s" % (e, vm.tail()))
        return None


def writers_cmd(cpus):
    """One shell line starting a pinned O_DIRECT writer per CPU and waiting for all.
    Each prints H-W-<i>-<cpu it ran on>-<sha256 of its data>; the last line's sum is
    computed by the guest, so the tty's echo of the typed line cannot match."""
    one = ("taskset -c {i} sh -c 'dd if=/dev/urandom of=/tmp/w{i} bs=1M count={m} "
           "2>/dev/null && dd if=/tmp/w{i} of=/dev/vda bs=1M seek={seek} oflag=direct "
           "conv=fsync 2>/dev/null && echo H-W-{i}-$(cut -d\" \" -f39 /proc/self/stat)-"
           "$(sha256sum /tmp/w{i} | cut -c1-64)' &")
    parts = [one.format(i=i, m=WRITE_MIB, seek=i * WRITE_MIB) for i in range(cpus)]
    return " ".join(parts) + " wait; echo H-WDONE-$((%d*3))" % cpus


def case_disk(args, res, statuses, cpus, tmp):
    name = "H%d" % cpus
    img = os.path.join(tmp, "smp%d.img" % cpus)
    with open(img, "wb") as f:
        f.truncate(cpus * WRITE_MIB << 20)
    vm = start(args, res, name, cpus, "disk", vmdrive.disk_argv(args.vmm, img))
    if not vm:
        return
    sums = {}
    try:
        m = ask(vm, res, name + ": nproc", "echo H-NPROC-$(nproc)-$(cat "
                "/sys/devices/system/cpu/online)-$((5*5))", r"H-NPROC-(\d+)-(\S+)-25\n")
        if m:
            online = "0" if cpus == 1 else "0-%d" % (cpus - 1)
            res.check("%s: nproc is %d and CPUs %s are online" % (name, cpus, online),
                      m.group(1) == str(cpus) and m.group(2) == online,
                      "nproc %s, online %s" % (m.group(1), m.group(2)))
        sums = run_writers(vm, res, name, cpus)
        vm.send("taskset -c %d poweroff -f\n" % (cpus - 1))
        status = vm.wait(args.exit_timeout)
        res.check("%s: poweroff on CPU %d gives the power-off status" % (name, cpus - 1),
                  status == statuses["poweroff"], "exit status %s%s" % (
                      status, "" if status == statuses["poweroff"] else "\n" + vm.tail()))
    finally:
        vm.close()
    check_image(res, name, img, cpus, sums)


def run_writers(vm, res, name, cpus):
    """Runs writers_cmd(cpus) in the guest; checks that one writer ran on each CPU at
    once; returns {writer: (CPU, SHA-256 of its data)}."""
    sums = {}
    vm.send(writers_cmd(cpus) + "\n")
    try:
        vm.expect(r"H-WDONE-%d\n" % (cpus * 3), 120)
        for i, cpu, s in re.findall(r"H-W-(\d+)-(\d+)-([0-9a-f]{64})", vm.out):
            sums[int(i)] = (int(cpu), s)
    except vmdrive.Timeout as e:
        res.check("%s: %d pinned writers finish" % (name, cpus), False,
                  "%s\n%s" % (e, vm.tail()))
    ran = sorted(c for c, _ in sums.values())
    res.check("%s: one writer ran on each of the %d CPUs at once" % (name, cpus),
              sorted(sums) == list(range(cpus)) and ran == list(range(cpus)),
              "writer: CPU %r" % {i: c for i, (c, _) in sums.items()})
    return sums


def check_image(res, name, img, cpus, sums):
    """After power-off: the host finds each writer's data in its part of img."""
    if len(sums) == cpus:
        with open(img, "rb") as f:
            host = [hashlib.sha256(f.read(WRITE_MIB << 20)).hexdigest() for _ in range(cpus)]
        res.check("%s: the image holds every writer's data (SHA-256)" % name,
                  all(host[i] == sums[i][1] for i in range(cpus)))


def case_reboot(args, res, statuses, cpus):
    name = "H%dr" % cpus
    vm = start(args, res, name, cpus, "shell")
    if not vm:
        return
    try:
        vm.send("taskset -c %d reboot -f\n" % (cpus - 1))
        status = vm.wait(args.exit_timeout)
        res.check("%s: reboot on CPU %d gives the reboot status" % (name, cpus - 1),
                  status == statuses["reboot"], "exit status %s%s" % (
                      status, "" if status == statuses["reboot"] else "\n" + vm.tail()))
    finally:
        vm.close()


def case_h(args, res, statuses):
    tmp = tempfile.mkdtemp(prefix="orbvm-smp-")
    try:
        for cpus in (1, 2, 4):
            case_disk(args, res, statuses, cpus, tmp)
            if cpus > 1:
                case_reboot(args, res, statuses, cpus)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
