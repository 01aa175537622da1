#!/usr/bin/env python3
"""orbvm beside QEMU: boot time to the guest's /init marker and resident overhead.

Runs inside the nested lab's L1 (bench/vm/run.sh starts it through tools/lab/run-lab.py),
so every figure of one report comes from the same lab run (LAB.md: only those compare).

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
`bench NAME VALUE UNIT` (DESIGN.md), then a table with min/median/max.
A VMM that fails to boot gets no bench line; the report says why and the exit status is 1.
"""

import argparse
import os
import statistics
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools", "lab"))
import vmdrive  # noqa: E402

VMMS = ["orbvm", "qemu_pc", "qemu_microvm"]


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orbvm", default="build/orbvm-static")
    ap.add_argument("--kernel", default="build/guest/vmlinuz")
    ap.add_argument("--initrd", default="build/guest/initramfs.cpio.gz")
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--boot-timeout", type=int, default=90)
    ap.add_argument("--vmms", default=",".join(VMMS))
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

    for vmm in vmms:
        if times[vmm] and vmm not in broken:
            print("bench boot_to_init.%s %.2f s" % (vmm, statistics.median(times[vmm])))
    for vmm in vmms:
        if over[vmm] and vmm not in broken:
            print("bench rss_overhead.%s %d KiB" % (vmm, statistics.median(over[vmm])))

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
    print("(%d rounds, --mem %s, nested lab: L2 under KVM in L1 under QEMU TCG; "
          "compare only figures of one run)" % (args.rounds, args.mem))
    for vmm, why in broken.items():
        print("%s failed: %s" % (vmm, why))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
