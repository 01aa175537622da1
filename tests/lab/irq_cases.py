"""Case I of tests/lab/cases.py: stock Linux on orbvm's split irqchip and PCI host bridge.

Owns: the checks that Debian's cloud kernel runs on `--irqchip split` (orbvm's own I/O
APIC in user space, KVM's local APICs, no 8259s and no PIT; docs/orbvm.md "Interrupt
routing") and finds orbvm's PCI host bridge and its ECAM area (docs/orbvm.md "PCI"):
  I-split<N>  (N = 1, 4) --irqchip split --cpus N, orb.test=disk with one raw 4N MiB
              disk: boots to the marker; a command typed on ttyS0 gets its computed
              answer and `nproc` is N; /proc/interrupts shows ttyS0 on the I/O APIC's
              pin 4 (edge) and the disk's virtio-mmio line on pin 16 (level, "fasteoi"),
              both on the chip Linux calls "IO-APIC", and the disk's count grows while N
              writers pinned one to each CPU write 4 MiB each with O_DIRECT
              (tests/lab/smp_cases.py's writers); every CPU reports and after power-off
              the host finds each writer's data in the image (SHA-256); the kernel log
              (below) shows the I/O APIC mode with no legacy IRQs; the PCI checks of
              I-pci; `poweroff -f` gives the power-off status.
  I-pci       the default irqchip (KVM's), orb.test=shell: /sys/bus/pci/devices/0000:00:
              00.0 is vendor 0x1b36, device 0x0008, class 0x060000; the kernel log (below)
              shows the MCFG's area and the host bridge accepted; `poweroff -f` gives the
              power-off status.
The kernel log, on both irqchips. What Linux 6.1 printed on orbvm, and what is asserted:
  - "APIC: Switch to symmetric I/O mode setup" and "NR_IRQS: ..., preallocated irqs: 0":
    the I/O APIC routes everything and no IRQ is kept for 8259 inputs. orbvm's FADT is
    hardware-reduced, and for such a platform Linux takes its null legacy PIC and no
    legacy timer (no PIT, no HPET) without probing either, whatever the irqchip: it
    never prints "Using NULL legacy PIC". ttyS0 and the i8042 get IRQ numbers above 23.
  - "PCI: MMCONFIG for domain 0000 [bus 00-00] at [mem 0xe0000000-0xe00fffff]" and, as
    the last verdict on that area, "PCI: MMCONFIG at [mem 0xe0000000-0xe00fffff] reserved
    in ACPI motherboard resources" (orbvm's \\_SB.ECAM). An earlier "PCI: not using
    MMCONFIG" is Linux's first pass, which looks only at the E820 map (orbvm does not
    list the area there); the pass after the ACPI namespace is up takes it.
  - "pci 0000:00:00.0: [1b36:0008] type 00 class 0x060000": the host bridge enumerated.
  - "rtc_cmos 00:NN: registered as rtc0": the DSDT's RTC_ (PNP0B00, no IRQ). Before
    orbvm listed it, Linux registered a fallback RTC on IRQ 8, which does not exist
    without legacy IRQs: "rtc_cmos: probe of rtc_cmos failed with error -22", no rtc0.
  - none of ALARMING: check_timer's verdicts, a local APIC timer failing its
    verification, the MCFG area rejected or no configuration mechanism, the RTC
    driver failing, a panic, BUG or oops, a warning from timer, interrupt, PCI or
    ACPI code. (Not asserted: a
    "WARNING: ... fpu__init_system_xstate" that the lab's emulated CPU causes on every
    L2 boot, whatever the VMM's irqchip.)
The split boots leave out the lab's `no_timer_check` (vmdrive.BASE_CMDLINE): Linux must
not need it, and were it ever to run its timer-through-I/O-APIC check, that check is what
would say "IO-APIC + timer doesn't work".
The guest's kernel log reaches the host as the lines dmesg shows matching DMESG_WORDS
(the console stays `quiet`); ORBLAB_VERBOSE=1 prints them and /proc/interrupts' lines,
and boots the split irqchip without `quiet`, so a boot that hangs shows where. (Such a
boot with 4 vCPUs sends some 40 KB through the UART, one exit per byte, through the
lab's emulated SVM. 3 of 9 such boots on the split irqchip met a lab fault (L1 soft
lockups, an L1 panic, an L2 triple fault with nothing reported); 4 such boots on the
kernel irqchip, and 6 quiet 4-vCPU boots on each irqchip, did not.)
Owns nothing about orbvm's command line beyond --irqchip (vmdrive.vmm_argv builds it).
"""

import os
import re
import shutil
import tempfile

import smp_cases
import vmdrive

WRITE_MIB = smp_cases.WRITE_MIB
SPLIT_CMDLINE = vmdrive.BASE_CMDLINE.replace(" no_timer_check", "")

# What the guest sends back of its kernel log: lines with any of these words (grep -iE in
# the guest). Every pattern of ALARMING and every accepting line below contains one.
DMESG_WORDS = ("pic|timer|pit|hpet|tsc|clock|irq|pci|mmconfig|ecam|mcfg|acpi|reserved|"
               "legacy|virtio|rtc|xstate|xsave|fpu|warn|error|fail|fatal|bug|panic|trace|oops|access|"
               "protection")

# Kernel log lines that must not appear on orbvm. Timer and PIC: check_timer's verdicts,
# a local APIC timer that failed its verification against a tick that never came, a
# legacy timer interrupt that could not be set up; PCI: the MCFG area rejected by the
# late pass (not reserved, not added) or no configuration mechanism at all; a panic,
# BUG or oops anywhere, and a kernel warning from the code this case is about.
ALARMING = re.compile(
    r"timer doesn't work|IO-APIC \+ timer|MP-BIOS bug|APIC timer disabled|"
    r"verification failure|Failed to register legacy timer|APIC frequency too slow|"
    r"not reserved in ACPI motherboard|fail to add MMCONFIG|can't access extended|"
    r"No config space access|probe of rtc_cmos failed|Kernel panic|BUG:|Oops|"
    r"general protection|"
    r"WARNING: CPU: \d+ PID: \d+ at \S*(apic|irq|i8259|i8253|hpet|tsc|time|clock|pci|acpi)")

# The accepting lines (Linux 6.1's arch/x86 apic, irq, pci/mmconfig-shared.c, probe.c).
IOAPIC_MODE = re.compile(r"APIC: Switch to symmetric I/O mode setup")
NO_LEGACY_IRQS = re.compile(r"NR_IRQS: \d+, nr_irqs: \d+, preallocated irqs: 0$")
MCFG_FOUND = re.compile(r"MMCONFIG for domain 0000 \[bus 00-00\] at "
                        r"\[mem 0xe0000000-0xe00fffff\]")
MCFG_VERDICT = re.compile(r"not using MMCONFIG|"
                          r"MMCONFIG at \[mem 0xe0000000-0xe00fffff\] (not )?reserved")
MCFG_RESERVED = re.compile(r"MMCONFIG at \[mem 0xe0000000-0xe00fffff\] reserved "
                           r"(in|as) ACPI motherboard resource")
BRIDGE_FOUND = re.compile(r"pci 0000:00:00\.0: \[1b36:0008\] type 00 class 0x060000")
RTC_FOUND = re.compile(r"rtc_cmos \S+: registered as rtc0")

SYSFS_BRIDGE = "/sys/bus/pci/devices/0000:00:00.0"


def verbose():
    return bool(os.environ.get("ORBLAB_VERBOSE"))


def start(args, res, name, what, argv, disk):
    """Starts argv; passes if the guest reaches its marker (and its disks line)."""
    vm = vmdrive.Vm(argv)
    try:
        _, t = vm.expect(vmdrive.READY, args.boot_timeout)
        if disk:
            vm.expect(r"ORBVM-DISKS-DONE\n", 30)
    except vmdrive.Timeout as e:
        res.check("%s: boots %s" % (name, what), False, "%s\n%s" % (e, vm.tail(60)))
        vm.close()
        return None
    res.check("%s: boots %s" % (name, what), True, "%.1f s" % t)
    return vm


def lines(vm, res, name, tag, cmd, timeout=60):
    """Runs cmd in the guest with each output line prefixed by tag; returns the lines,
    or None (and a FAIL) if the end marker never came. Tag and marker are computed by
    the guest's shell, so the tty's echo of the typed command cannot match them."""
    start = vm.pos  # only this query's lines count
    vm.send("%s | sed \"s/^/%s$((0)) /\"; echo %s-END-$((6*7))\n" % (cmd, tag, tag))
    try:
        vm.expect(r"%s-END-42\n" % tag, timeout)
    except vmdrive.Timeout as e:
        res.check("%s: the guest answers `%s`" % (name, cmd), False,
                  "%s\n%s" % (e, vm.tail()))
        return None
    return re.findall(r"^%s0 (.*)$" % tag, vm.out[start:vm.pos], re.M)


def kernel_log(vm, res, name):
    log = lines(vm, res, name, "I-DM", "dmesg | grep -iE '%s'" % DMESG_WORDS)
    if log is not None and verbose():
        for l in log:
            print("  %s dmesg: %s" % (name, l))
    return log


def interrupts(vm, res, name):
    """{line name: (pin, trigger, chip, total count over all CPUs)} from /proc/interrupts
    (e.g. " 24:  12  0  IO-APIC  16-fasteoi  virtio0": pin 16, "fasteoi", "IO-APIC")."""
    got = lines(vm, res, name, "I-IRQ", "grep -E '^ *[0-9]+:' /proc/interrupts")
    if got is None:
        return None
    table = {}
    for l in got:
        if verbose():
            print("  %s interrupts: %s" % (name, l))
        m = re.match(r"\s*\d+:((?:\s+\d+)+)\s+(\S+)\s+(\d+)-(\w+)\s+(.*?)\s*$", l)
        if m:
            count = sum(int(c) for c in m.group(1).split())
            table[m.group(5)] = (int(m.group(3)), m.group(4), m.group(2), count)
    return table


def found(res, name, what, log, rx):
    """Passes if a line of log matches rx; the detail is that line (or what is missing)."""
    hits = [l for l in log if rx.search(l)]
    res.check("%s: %s" % (name, what), bool(hits),
              hits[0].split("] ", 1)[-1] if hits else "no line matching %r" % rx.pattern)


def check_log(res, name, log):
    """The kernel log's verdicts (the header): I/O APIC mode without legacy IRQs, the MCFG
    area and the host bridge accepted, nothing alarming."""
    if log is None:
        return
    bad = [l for l in log if ALARMING.search(l)]
    res.check("%s: the kernel log has no timer, PIC or PCI complaint, panic or oops"
              % name, not bad, "\n".join(bad))
    found(res, name, "Linux routes interrupts through the I/O APIC", log, IOAPIC_MODE)
    found(res, name, "Linux keeps no IRQs for 8259 inputs", log, NO_LEGACY_IRQS)
    found(res, name, "Linux finds the MCFG's ECAM area for bus 0 at 0xE0000000", log,
          MCFG_FOUND)
    verdicts = [l for l in log if MCFG_VERDICT.search(l)]
    res.check("%s: ... and takes it, reserved by an ACPI motherboard resource" % name,
              bool(verdicts) and bool(MCFG_RESERVED.search(verdicts[-1])),
              " then ".join(v.split("] ", 1)[-1] for v in verdicts) or "no verdict")
    found(res, name, "Linux enumerates the host bridge [1b36:0008], class 0x060000", log,
          BRIDGE_FOUND)
    found(res, name, "Linux's rtc_cmos drives the CMOS RTC the DSDT lists", log, RTC_FOUND)


def check_sysfs(vm, res, name):
    m = smp_cases.ask(vm, res, name + ": the host bridge in sysfs",
                      "echo I-PCI-$(cat %s/vendor)-$(cat %s/device)-$(cat %s/class)-$((3*3))"
                      % ((SYSFS_BRIDGE,) * 3), r"I-PCI-(\S*)-(\S*)-(\S*)-9\n")
    if m:
        res.check("%s: 0000:00:00.0 is vendor 0x1b36, device 0x0008, class 0x060000"
                  % name, m.groups() == ("0x1b36", "0x0008", "0x060000"),
                  "vendor %s, device %s, class %s" % m.groups())


def poweroff(args, res, name, vm, statuses):
    vm.send("poweroff -f\n")
    status = vm.wait(args.exit_timeout)
    res.check("%s: poweroff gives the power-off status" % name,
              status == statuses["poweroff"], "exit status %s%s" % (
                  status, "" if status == statuses["poweroff"] else "\n" + vm.tail()))


def check_lines(res, name, before, after):
    """ttyS0 and the disk on orbvm's I/O APIC, and the disk's count grown by the writes."""
    tty, disk = after.get("ttyS0"), after.get("virtio0")
    res.check("%s: ttyS0 takes its interrupts on the I/O APIC's pin 4, edge" % name,
              tty is not None and tty[:3] == (4, "edge", "IO-APIC") and tty[3] > 0,
              "ttyS0: %r" % (tty,))
    res.check("%s: the disk takes its interrupts on the I/O APIC's pin 16, level" % name,
              disk is not None and disk[:3] == (16, "fasteoi", "IO-APIC"),
              "virtio0: %r" % (disk,))
    was = before.get("virtio0")
    res.check("%s: the disk's interrupt count grows with the writes" % name,
              disk is not None and was is not None and disk[3] > was[3],
              "virtio0: %s before, %s after" % (was and was[3], disk and disk[3]))


def split_cmdline():
    return SPLIT_CMDLINE.replace(" quiet", "") if verbose() else SPLIT_CMDLINE


def case_split(args, res, statuses, cpus, tmp):
    name = "I-split%d" % cpus
    img = os.path.join(tmp, "split%d.img" % cpus)
    with open(img, "wb") as f:
        f.truncate(cpus * WRITE_MIB << 20)
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd,
                            split_cmdline() + " orb.test=disk", "256M", orbvm=args.orbvm,
                            cpus=cpus) + ["--irqchip", "split", "--disk", img]
    vm = start(args, res, name, "with --irqchip split and %d vCPU(s)" % cpus, argv, True)
    if not vm:
        return
    sums = {}
    try:
        m = smp_cases.ask(vm, res, name + ": a command typed on ttyS0 gets its answer",
                          "echo I-NPROC-$(nproc)-$(grep -c tsc_deadline_timer "
                          "/proc/cpuinfo)-$((5*5))", r"I-NPROC-(\d+)-(\d+)-25\n")
        if m:
            res.check("%s: a command typed on ttyS0 gets its answer" % name, True)
            res.check("%s: nproc is %d" % (name, cpus), m.group(1) == str(cpus),
                      "nproc %s (TSC-deadline timer on %s)" % m.groups())
        before = interrupts(vm, res, name) or {}
        sums = smp_cases.run_writers(vm, res, name, cpus)
        after = interrupts(vm, res, name)
        if after is not None:
            check_lines(res, name, before, after)
        check_log(res, name, kernel_log(vm, res, name))
        check_sysfs(vm, res, name)
        poweroff(args, res, name, vm, statuses)
    finally:
        vm.close()
    smp_cases.check_image(res, name, img, cpus, sums)


def case_pci(args, res, statuses):
    name = "I-pci"
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd,
                            vmdrive.BASE_CMDLINE + " orb.test=shell", "256M",
                            orbvm=args.orbvm)
    vm = start(args, res, name, "with the default irqchip", argv, False)
    if not vm:
        return
    try:
        check_sysfs(vm, res, name)
        check_log(res, name, kernel_log(vm, res, name))
        poweroff(args, res, name, vm, statuses)
    finally:
        vm.close()


def case_i(args, res, statuses):
    tmp = tempfile.mkdtemp(prefix="orbvm-irq-")
    try:
        for cpus in (1, 4):
            if not vmdrive.wedged:
                case_split(args, res, statuses, cpus, tmp)
        if not vmdrive.wedged:
            case_pci(args, res, statuses)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
