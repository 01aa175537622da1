#!/usr/bin/env python3
"""orbvm beside QEMU: boot time to the guest's /init marker and resident overhead.

Runs inside the nested lab's L1 (bench/vm/run.sh starts it through tools/lab/run-lab.py),
so every figure of one report comes from the same lab run (tools/lab/README.md: only those compare).

Owns: the measurement procedure and the report. For each round (default 3), each VMM
(orbvm, QEMU -M pc, QEMU -M microvm; all -enable-kvm / KVM, 1 vCPU, --mem 256M, the same
Debian cloud kernel, busybox initramfs and command line with orb.test=hold) is started
in turn (interleaved, so slow drift in L1 affects all alike):
  boot_to_init  seconds from starting the VMM process until "ORBVM-GUEST-READY" (printed
                by the guest's /init) arrives on the VMM's stdout: firmware, kernel load,
                kernel boot and initramfs unpacking included.
  rss_overhead  at that moment, the VMM's VmRSS minus the resident pages of its guest-RAM
                mappings (tools/lab/vmdrive.py explains which mappings count).
Then a line typed on the console makes the guest power off; a VMM that has not exited
10 s later is killed. Each figure printed is the median over the rounds, as
`bench NAME VALUE UNIT`, then a table with min/median/max.
Then the disk rounds (default 3; orbvm and QEMU -M pc only: microvm has no PCI and
orbvm's virtio-mmio devices are described in ACPI, which QEMU's microvm does not do for
virtio-blk): each boots with orb.test=blkbench and one 72 MiB raw image made in L1's
tmpfs as its only virtio-blk disk (tools/lab/vmdrive.py disk_argv: orbvm --disk IMG with
its default cache semantics; QEMU -drive ...,cache=writeback -device virtio-blk-pci, the
same semantics), and the guest runs vmm/guests/blkbench on /dev/vda with O_DIRECT:
  blk_seq_write  64 MiB in 1 MiB writes, then fdatasync, MB/s (10^6 bytes/s)
  blk_seq_read   64 MiB in 1 MiB reads, MB/s
  blk_rand_read  2000 reads of 4 KiB at random aligned offsets in the first 64 MiB, IOPS
timed inside the guest (CLOCK_MONOTONIC), median over the rounds.
Then bench/vm/smp_orbital.py's rounds (--smp-rounds, default 3): boot_to_init_smp4 (the
same boot with 4 vCPUs, orbvm and QEMU -M pc -smp 4; boot_to_init above is 1 vCPU) and
orbital_boot_to_shell (Orbital to its shell prompt, orbvm beside QEMU -M pc -enable-kvm).
Then bench/vm/ipc_scaling.py's rounds (--ipc-rounds, default 3): Orbital's ipc_scaling.N,
N client/server pairs on N vCPUs, N = 1, 2, 4 (those L1 has the CPUs for), round trips
per second per pair.
A VMM that fails to boot gets no bench line; the report says why and the exit status is 1.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools", "lab"))
import vmdrive  # noqa: E402
import smp_orbital  # noqa: E402
import ipc_scaling  # noqa: E402

VMMS = ["orbvm", "qemu_pc", "qemu_microvm"]
BLK_VMMS = ["orbvm", "qemu_pc"]
BLK_TESTS = [("blk_seq_write", "MB/s"), ("blk_seq_read", "MB/s"), ("blk_rand_read", "IOPS")]


def one_boot(args, vmm):
    """Returns (seconds, overhead_kib, guest_kib, vm_rss_kib) or raises Timeout."""
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=hold"
    argv = vmdrive.vmm_argv(vmm, args.kernel, args.initrd, cmdline, args.mem,
                            orbvm=args.orbvm)
    vm = vmdrive.Vm(argv)
    try:
        _, t = vm.expect(vmdrive.READY, args.boot_timeout)
        vm_rss, guest, maps, others = vm.memory()
        if args.verbose:
            print("  %s: %.2f s, VmRSS %d KiB, guest RAM: %s\n    largest others: %s" %
                  (vmm, t, vm_rss, "; ".join(maps) or "none found", "; ".join(others)),
                  flush=True)
        vm.send("\n")
        vm.wait(10)
        return t, vm_rss - guest, guest, vm_rss
    except vmdrive.Timeout as e:
        raise vmdrive.Timeout("%s\n%s" % (e, vm.tail(10)))
    finally:
        vm.close()


def make_image(path, mib):
    """A raw image of `mib` MiB, every page written (no holes: reads hit real pages)."""
    chunk = bytes(range(256)) * 4096
    with open(path, "wb") as f:
        for _ in range(mib):
            f.write(chunk)


def one_blk(args, vmm, img):
    """Returns {test: value} for one blkbench boot, or raises Timeout."""
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=blkbench"
    argv = vmdrive.vmm_argv(vmm, args.kernel, args.initrd, cmdline, args.mem,
                            orbvm=args.orbvm) + vmdrive.disk_argv(vmm, img)
    vm = vmdrive.Vm(argv)
    try:
        vm.expect(vmdrive.READY, args.boot_timeout)
        vm.expect(r"ORBVM-BLKBENCH-DONE", 240)
        vm.wait(10)
    except vmdrive.Timeout as e:
        raise vmdrive.Timeout("%s\n%s" % (e, vm.tail(10)))
    finally:
        vm.close()
    out = {}
    for name, nbytes, ops, ns in re.findall(r"ORBVM-BLK (\w+) (\d+) (\d+) (\d+)", vm.out):
        sec = int(ns) / 1e9
        if sec <= 0:
            continue
        if name == "rand_read":
            out["blk_rand_read"] = int(ops) / sec
        else:
            out["blk_" + name] = int(nbytes) / 1e6 / sec
    missing = [t for t, _ in BLK_TESTS if t not in out]
    if missing:
        raise vmdrive.Timeout("%s: no result for %s\n%s" % (vmm, ", ".join(missing),
                                                            vm.tail(10)))
    if args.verbose:
        print("  %s: %s" % (vmm, ", ".join("%s %.1f" % kv for kv in sorted(out.items()))),
              flush=True)
    return out


def blk_rounds(args, vmms, broken):
    """The disk rounds; returns {vmm: {test: [values]}}."""
    res = {v: {t: [] for t, _ in BLK_TESTS} for v in vmms}
    tmp = tempfile.mkdtemp(prefix="orbvm-bench-")
    try:
        img = os.path.join(tmp, "disk.img")
        make_image(img, 72)
        for r in range(args.blk_rounds):
            print("disk round %d/%d" % (r + 1, args.blk_rounds), flush=True)
            for vmm in vmms:
                if "blk." + vmm in broken:
                    continue
                try:
                    out = one_blk(args, vmm, img)
                except vmdrive.Timeout as e:
                    broken["blk." + vmm] = str(e)
                    continue
                for t, v in out.items():
                    res[vmm][t].append(v)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orbvm", default="build/orbvm-static")
    ap.add_argument("--kernel", default="build/guest/vmlinuz")
    ap.add_argument("--initrd", default="build/guest/initramfs.cpio.gz")
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--boot-timeout", type=int, default=90)
    ap.add_argument("--vmms", default=",".join(VMMS))
    ap.add_argument("--blk-rounds", type=int, default=3)
    ap.add_argument("--smp-rounds", type=int, default=3)
    ap.add_argument("--ipc-rounds", type=int, default=3)
    ap.add_argument("--orbital", default="build", help="orbital.elf and bootfs.cpio")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    vmms = args.vmms.split(",")
    broken = {}
    if "orbvm" in vmms and not os.access(args.orbvm, os.X_OK):
        broken["orbvm"] = "%s is missing" % args.orbvm
    times = {v: [] for v in vmms}
    over = {v: [] for v in vmms}
    for r in range(args.rounds):
        print("round %d/%d" % (r + 1, args.rounds), flush=True)
        for vmm in vmms:
            if vmm in broken:
                continue
            try:
                t, o, _, _ = one_boot(args, vmm)
            except vmdrive.Timeout as e:
                broken[vmm] = str(e)
                continue
            times[vmm].append(t)
            over[vmm].append(o)

    blk_vmms = [v for v in vmms if v in BLK_VMMS and v not in broken]
    blk = blk_rounds(args, blk_vmms, broken) if args.blk_rounds > 0 else {}
    more = smp_orbital.measure(args, broken) if args.smp_rounds > 0 else []
    ipcs = ipc_scaling.measure(args, broken) if args.ipc_rounds > 0 else []

    for vmm in vmms:
        if times[vmm] and vmm not in broken:
            print("bench boot_to_init.%s %.2f s" % (vmm, statistics.median(times[vmm])))
    for vmm in vmms:
        if over[vmm] and vmm not in broken:
            print("bench rss_overhead.%s %d KiB" % (vmm, statistics.median(over[vmm])))
    for t, unit in BLK_TESTS:
        for vmm in blk_vmms:
            vals = blk[vmm][t]
            if vals and "blk." + vmm not in broken:
                print("bench %s.%s %.1f %s" % (t, vmm, statistics.median(vals), unit))
    for name, res in more:
        for vmm, t in res.items():
            print("bench %s.%s %.2f s" % (name, vmm, statistics.median(t)))
    ipc_scaling.report(ipcs)

    print()
    print("%-14s %28s %30s" % ("VMM", "boot to /init marker, s", "RSS beyond guest RAM, KiB"))
    print("%-14s %28s %30s" % ("", "min / median / max", "min / median / max"))
    for vmm in vmms:
        if vmm in broken or not times[vmm]:
            print("%-14s %28s %30s" % (vmm, "failed", "-"))
            continue
        t, o = times[vmm], over[vmm]
        print("%-14s %28s %30s" % (
            vmm, "%.2f / %.2f / %.2f" % (min(t), statistics.median(t), max(t)),
            "%d / %d / %d" % (min(o), statistics.median(o), max(o))))
    if blk:
        print()
        print("%-14s %s" % ("VMM", "   ".join("%s %s min / median / max" % (t, u)
                                              for t, u in BLK_TESTS)))
        for vmm in blk_vmms:
            cells = []
            for t, _ in BLK_TESTS:
                v = blk[vmm][t]
                cells.append("%.1f / %.1f / %.1f" % (min(v), statistics.median(v), max(v))
                             if v else "failed")
            print("%-14s %s" % (vmm, "   ".join(cells)))
    for name, res in more:
        print()
        print("%-14s %28s" % ("VMM", name + ", s"))
        print("%-14s %28s" % ("", "min / median / max"))
        for vmm, t in res.items():
            print("%-14s %28s" % (vmm, "%.2f / %.2f / %.2f" % (min(t), statistics.median(t),
                                                              max(t))))
    print("(%d rounds, %d disk rounds, --mem %s, nested lab: L2 under KVM in L1 under "
          "QEMU TCG; compare only figures of one run)" % (args.rounds, args.blk_rounds,
                                                          args.mem))
    for vmm, why in broken.items():
        print("%s failed: %s" % (vmm, why))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
