"""Case O of tests/lab/cases.py: Orbital itself in orbvm, on the lab's real /dev/kvm.

Owns: booting build/orbital.elf with build/bootfs.cpio as --initrd (orbvm finds the PVH
note; the boot archive is module 0) and checking:
  O-shell<N>  (N = 1, 4) no test= on the command line: Orbital's shell prompt
              `orbital$ ` on the serial console with --cpus N, and the kernel reports
              N CPUs online; `ps` shows the keyboard driver running on orbvm's i8042
              with no restart; Ctrl-A x then quits orbvm with the quit status (5).
  O-<test>    in-kernel tests (test=NAME) and user-space test programs (test=user
              init=PROG user.warm), as tests/qemu/run.py runs them under QEMU: the
              kernel leaves through --debug-exit 0xf4, so orbvm's exit status is the
              test's own (33 pass, 35 fail, 37 panic: QEMU's isa-debug-exit statuses),
              and the console shows the test's own success lines; O-power_halt powers
              off through the FADT's sleep control register (status 0).
The host's files reach L1 over the lab's read-only 9p share at the same paths, as
orbvm's binary does (tools/lab/README.md).
"""

import re

import vmdrive

PASS = 33
QUIT = 5
POWEROFF = 0
TEST_WAIT = 240  # seconds a test case may run (tests/lab/selftest.py shortens it)

# (name, cpus, mem, command line, regexes the console must show[, exit status: PASS])
TESTS = [
    # orbvm's FADT says there is no VGA: the VGA text console a PVH boot assumes is dropped.
    ("boot", 1, "128M", "test=boot",
     [r"KTEST PASS boot", r"screen: the firmware says there is no VGA; no screen console"]),
    ("heap", 1, "128M", "test=heap", [r"KTEST PASS heap"]),
    # tests/qemu/run.py's scheduler suite (sched_smp4_*), TLB shootdown included, less
    # fpu: in this lab the L2 guest's XSAVE/XRSTOR lose register state (TCG's nested
    # SVM; tests/qemu/kvm-lab.sh leaves it out for the same reason).
    ("sched_smp4", 4, "256M", "test=preempt,priority,smp,sleep,clock,ioapic,tlb",
     [r"all 4 CPUs ran at once", r"\d+ PIT interrupts counted",
      r"3 of 3 other CPUs saw the unmap"]),
    # init's self-test with orbvm's i8042: kbd starts, is killed, comes back, and is
    # given up on after 5 restarts, like every other service.
    ("init_restart", 1, "128M", "test=user init=init init.test=restart user.warm",
     [r"init\.test: [1-9]\d* passed, 0 failed", r"kbd: i8042 ready \(config 0x65\)",
      r"ok: kbd is back: pid \d+ -> \d+, restarts = 1", r"ok: kbd is FAILED after 5"]),
    # Soft-off through the FADT's sleep control register (hardware-reduced ACPI, as
    # orbvm has it): orbvm exits with the power-off status, not the halt status (4).
    ("power_halt", 2, "128M", "test=user init=t_power t_power.op=halt",
     [r"power: ACPI S5 through the sleep control register at port 0x600, SLP_TYP 5",
      r"power: halting"], POWEROFF),
    ("user_caps", 1, "128M", "test=user init=t_caps user.warm",
     [r"ok: server: badge of client 2"]),
    # IPC between CPUs on 2 vCPUs: with 4, thousands of cross-CPU wake-ups left L1's
    # own CPUs stuck in the emulated SVM (L1 soft lockups), a fault of the lab.
    ("user_echo_smp2", 2, "256M", "test=user init=t_echo user.warm",
     [r"t_echo: 2 CPUs", r"ok: echo calls the server served = 6000"]),
]


def argv(args, cpus, mem, cmdline):
    a = [args.orbvm, "--kernel", args.orbital + "/orbital.elf",
         "--initrd", args.orbital + "/bootfs.cpio", "--mem", mem, "--debug-exit", "0xf4",
         "--cmdline", cmdline]
    return a + (["--cpus", str(cpus)] if cpus > 1 else [])


def lab_fault(vm, status):
    """How a run that failed looks like the lab's own fault, or None: the guest reset
    (orbvm's triple-fault exit; on AMD, KVM has already reset the vCPU, so nothing is
    left to show where) or hung, and neither the kernel nor a test program reported
    anything. docs/testing.md, "The nested lab and retries"."""
    if vmdrive.GUEST_REPORTED.search(vm.out):
        return None
    if status is None:
        return "hung"
    if status == 3 and "orbvm: triple fault on vCPU" in vm.out:
        return "reset (a triple fault)"
    return None


def retry_note(name, why):
    vmdrive.retries.append("%s: the guest %s" % (name, why))
    print("RETRY %s: the guest %s with nothing reported by the kernel or the checks "
          "(lab fault, docs/testing.md)" % (name, why), flush=True)


def case_shell(args, res, cpus, retried=False):
    name = "O-shell%d" % cpus
    vm = vmdrive.Vm(argv(args, cpus, "128M", ""))
    try:
        try:
            m, t = vm.expect(r"CPUs: (\d+) online", 60)
            vm.expect(r"orbital\$ ", 60)
            res.check("%s: Orbital's shell prompt with --cpus %d" % (name, cpus), True,
                      "%.1f s" % t)
            res.check("%s: the kernel brings %d CPUs online" % (name, cpus),
                      m.group(1) == str(cpus), "CPUs: %s online" % m.group(1))
        except vmdrive.Timeout as e:
            why = lab_fault(vm, vm.wait(5) if vm.eof else None)
            if why and not retried and not vmdrive.wedged:
                vm.close()
                retry_note(name, why)
                return case_shell(args, res, cpus, retried=True)
            res.check("%s: Orbital's shell prompt with --cpus %d" % (name, cpus), False,
                      "%s\n%s" % (e, vm.tail()))
            return
        # orbvm's i8042: the keyboard driver set it up and runs, never restarted.
        vm.send("ps\n")
        try:
            # (the state word only once whitespace follows it: the line may still be arriving)
            m, _ = vm.expect(r"\nkbd +\d+ +(\d+) +(\w+)(?=\s)", 30)
            res.check("%s: kbd runs on orbvm's i8042, never restarted" % name,
                      m.group(1) == "0" and m.group(2) == "running" and
                      "kbd: i8042 ready" in vm.out,
                      "restarts %s, %s" % (m.group(1), m.group(2)))
        except vmdrive.Timeout as e:
            res.check("%s: kbd runs on orbvm's i8042, never restarted" % name, False,
                      "%s\n%s" % (e, vm.tail()))
        vm.send("\x01x")
        status = vm.wait(args.exit_timeout)
        res.check("%s: Ctrl-A x quits with status %d" % (name, QUIT), status == QUIT,
                  "exit status %s" % status)
    finally:
        vm.close()


def case_test(args, res, test, retried=False):
    name, cpus, mem, cmdline, patterns = test[:5]
    want = test[5] if len(test) > 5 else PASS
    vm = vmdrive.Vm(argv(args, cpus, mem, cmdline))
    try:
        status = vm.wait(TEST_WAIT)
        missing = [p for p in patterns if not re.search(p, vm.out)]
        why = None if status == want and not missing else lab_fault(vm, status)
        if why and not retried and not vmdrive.wedged:
            vm.close()
            retry_note("O-" + name, why)
            return case_test(args, res, test, retried=True)
        res.check("O-%s: %s with --cpus %d exits %d" % (name, cmdline, cpus, want),
                  status == want and not missing,
                  "exit status %s%s" % (status, "" if status == want and not missing else
                                        ", missing %r\n%s" % (missing, vm.tail())))
    finally:
        vm.close()


def case_o(args, res):
    runs = ([lambda: case_shell(args, res, 1)] +
            [lambda t=t: case_test(args, res, t) for t in TESTS] +
            [lambda: case_shell(args, res, 4)])
    for run in runs:
        if not vmdrive.wedged:  # (once L1 is wedged: cases.py reports it)
            run()
