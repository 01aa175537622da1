#!/usr/bin/env python3
"""orbvm's Linux-guest tests (issue 6), run inside the nested lab's L1 by tests/lab/run.sh.

Owns: the test cases and their expectations. Each case boots Debian's cloud kernel with
the busybox initramfs (tools/guest/l2-init.sh; its orb.test= modes) in the VMM under test
and checks what the guest prints on the emulated UART and how the VMM exits:
  A  256M, orb.test=shell: boots to the marker; MemTotal fits --mem; a command typed on the
     console gets its computed answer; a typed `poweroff -f` ends the VMM with the
     power-off status.
  B  64M: Debian's 6.1 cloud kernel cannot run in 64 MiB (it decompresses itself at its
     16 MiB load address into init_size = 51.5 MiB, plus the initrd); the test reads that
     from the bzImage header: if it does not fit, orbvm must refuse with a one-line error
     and the error status, else it must boot. Then 80M (the smallest round size that fits)
     boots with orb.test=poweroff: MemTotal fits; the power-off status.
  C  256M, orb.test=reboot: boots; the reboot status, and the guest did not boot again.
  D  3G,   orb.test=poweroff: boots; MemTotal fits (the e820 split around the 32-bit hole).
  E  256M, orb.test=halt: boots; `halt -f` gives the halt status (orbvm only: QEMU keeps
     a halted guest running).
Exit statuses are orbvm's documented ones (docs/orbvm.md, vmm/stop.h): power-off 0,
error 1, reboot 3, halt 4. `--vmm qemu_pc` runs the same cases on QEMU (-no-reboot:
power-off and reboot both give 0) to check the lab itself.
Prints one PASS/FAIL line per check and finally "N passed, M failed"; exits 1 on failure.
"""

import argparse
import os
import random
import re
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools", "lab"))
import vmdrive  # noqa: E402

EXPECTED_STATUS = {
    # docs/orbvm.md: 0 guest power-off, 3 guest reboot (4 halt, 1 error, 2 usage, 5 quit).
    "orbvm": {"poweroff": 0, "reboot": 3, "error": 1, "halt": 4},
    "qemu_pc": {"poweroff": 0, "reboot": 0, "error": None, "halt": None},
}
MIB_KIB = 1024


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("PASS %s%s" % (name, " (%s)" % detail if detail else ""), flush=True)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, ": " + detail if detail else ""), flush=True)
        return ok


def mem_fits(total_kib, mem_mib):
    """The guest's MemTotal must fit the memory it was given: not more than --mem, and
    not less than 95% of it minus 48 MiB (kernel image, initramfs, reserved areas)."""
    want = mem_mib * MIB_KIB
    return int(want * 0.95) - 48 * MIB_KIB <= total_kib <= want


def boot(args, res, case, mem_mib, mode):
    """Starts a VM and checks it reaches the marker; returns the Vm or None."""
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=" + mode
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, cmdline,
                            "%dM" % mem_mib, orbvm=args.orbvm)
    vm = vmdrive.Vm(argv)
    try:
        m, _ = vm.expect(r"ORBVM-GUEST-MEM-KB (\d+)\n", args.boot_timeout)
        _, t = vm.expect(vmdrive.READY, 10)
    except vmdrive.Timeout as e:
        res.check("%s: boots to the marker with --mem %dM" % (case, mem_mib), False,
                  "%s\n--- VMM output (tail) ---\n%s\n---" % (e, vm.tail()))
        vm.close()
        return None
    res.check("%s: boots to the marker with --mem %dM" % (case, mem_mib), True,
              "%.1f s" % t)
    total = int(m.group(1))
    res.check("%s: guest MemTotal fits --mem %dM" % (case, mem_mib),
              mem_fits(total, mem_mib), "MemTotal %d KiB" % total)
    return vm


def check_exit(args, res, name, vm, want):
    status = vm.wait(args.exit_timeout)
    if status is None:
        res.check(name, False, "the VMM did not exit within %d s\n%s" %
                  (args.exit_timeout, vm.tail()))
    else:
        res.check(name, status == want, "exit status %d, expected %d%s" %
                  (status, want, "" if status == want else "\n" + vm.tail()))
    return status


def case_a(args, res, statuses):
    vm = boot(args, res, "A", 256, "shell")
    if not vm:
        return
    try:
        token = "%06d" % random.randrange(10**6)
        # The shell computes 6*7 and joins the token: the answer differs from the typed
        # text, so the tty's echo of our input cannot satisfy the check.
        vm.send("echo answer-$((6*7))-%s\n" % token)
        try:
            _, _ = vm.expect(r"answer-42-%s\n" % token, 30)
            res.check("A: a command typed on the UART gets its answer", True)
        except vmdrive.Timeout as e:
            res.check("A: a command typed on the UART gets its answer", False,
                      "%s\n%s" % (e, vm.tail()))
        vm.send("poweroff -f\n")
        check_exit(args, res, "A: typed poweroff gives the power-off status", vm,
                   statuses["poweroff"])
    finally:
        vm.close()


def case_poweroff(args, res, statuses, case, mem_mib, how="poweroff"):
    vm = boot(args, res, case, mem_mib, how)
    if not vm:
        return
    try:
        check_exit(args, res, "%s: guest %s gives the %s status" % (case, how, how), vm,
                   statuses[how])
    finally:
        vm.close()


def kernel_min_mib(kernel):
    """Memory the bzImage needs below its end: pref_address + init_size (boot protocol
    header fields at 0x258 and 0x260, protocol >= 2.10), in MiB, rounded up."""
    with open(kernel, "rb") as f:
        hdr = f.read(0x268)
    pref, = struct.unpack_from("<Q", hdr, 0x258)
    init_size, = struct.unpack_from("<I", hdr, 0x260)
    return -(-(pref + init_size) // (1 << 20))


def case_b64(args, res, statuses):
    need = kernel_min_mib(args.kernel)
    if need <= 64:
        case_poweroff(args, res, statuses, "B", 64)
        return
    if statuses["error"] is None:
        return  # QEMU (lab self-check) just triple-faults: nothing to check

    # The kernel cannot fit: orbvm must say so in one line and exit with the error status.
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=poweroff"
    vm = vmdrive.Vm(vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, cmdline, "64M",
                                     orbvm=args.orbvm))
    try:
        status = vm.wait(args.exit_timeout)
        lines = [l for l in vm.out.splitlines() if l.strip()]
        ok = (status == statuses["error"] and vmdrive.READY not in vm.out
              and len(lines) == 1 and re.search(r"mem|small|fit", lines[0], re.I))
        res.check("B: --mem 64M is refused with one error line (the kernel needs %d MiB)"
                  % need, bool(ok), "status %s, output: %r" % (status, vm.out[-300:]))
    finally:
        vm.close()


def case_c(args, res, statuses):
    vm = boot(args, res, "C", 256, "reboot")
    if not vm:
        return
    try:
        check_exit(args, res, "C: guest reboot gives the reboot status", vm,
                   statuses["reboot"])
        res.check("C: the VMM stopped instead of booting the guest again",
                  vm.out.count(vmdrive.READY) == 1,
                  "%d markers" % vm.out.count(vmdrive.READY))
    finally:
        vm.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmm", default="orbvm", choices=sorted(EXPECTED_STATUS))
    ap.add_argument("--orbvm", default="build/orbvm-static")
    ap.add_argument("--kernel", default="build/guest/vmlinuz")
    ap.add_argument("--initrd", default="build/guest/initramfs.cpio.gz")
    ap.add_argument("--boot-timeout", type=int, default=90)
    ap.add_argument("--exit-timeout", type=int, default=20)
    args = ap.parse_args()

    res = Results()
    statuses = EXPECTED_STATUS[args.vmm]
    if args.vmm == "orbvm" and not os.access(args.orbvm, os.X_OK):
        res.check("orbvm binary present", False, "%s is missing" % args.orbvm)
    else:
        t0 = time.monotonic()
        case_a(args, res, statuses)
        case_b64(args, res, statuses)
        case_poweroff(args, res, statuses, "B", 80)
        case_c(args, res, statuses)
        case_poweroff(args, res, statuses, "D", 3072)
        if statuses["halt"] is not None:
            case_poweroff(args, res, statuses, "E", 256, how="halt")
        print("lab cases took %.1f s inside L1" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (res.passed, res.failed), flush=True)
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
