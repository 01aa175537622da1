"""Case O of tests/lab/cases.py: Orbital itself in orbvm, on the lab's real /dev/kvm.

Owns: booting build/orbital.elf with build/bootfs.cpio as --initrd (orbvm finds the PVH
note; the boot archive is module 0) and checking:
  O-shell<N>  (N = 1, 4) no test= on the command line: Orbital's shell prompt
              `orbital$ ` on the serial console with --cpus N, and the kernel reports
              N CPUs online; Ctrl-A x then quits orbvm with the quit status (5).
  O-<test>    in-kernel tests (test=NAME) and user-space test programs (test=user
              init=PROG user.warm), as tests/qemu/run.py runs them under QEMU: the
              kernel leaves through --debug-exit 0xf4, so orbvm's exit status is the
              test's own (33 pass, 35 fail, 37 panic: QEMU's isa-debug-exit statuses),
              and the console shows the test's own success lines.
The host's files reach L1 over the lab's read-only 9p share at the same paths, as
orbvm's binary does (tools/lab/README.md).
"""

import re

import vmdrive

PASS = 33
QUIT = 5

# (name, cpus, mem, command line, regexes the console must show)
TESTS = [
    ("boot", 1, "128M", "test=boot", [r"KTEST PASS boot"]),
    ("heap", 1, "128M", "test=heap", [r"KTEST PASS heap"]),
    # tests/qemu/run.py's scheduler suite (sched_smp4_*), TLB shootdown included, less
    # fpu: in this lab the L2 guest's XSAVE/XRSTOR lose register state (TCG's nested
    # SVM; tests/qemu/kvm-lab.sh leaves it out for the same reason).
    ("sched_smp4", 4, "256M", "test=preempt,priority,smp,sleep,clock,ioapic,tlb",
     [r"all 4 CPUs ran at once", r"\d+ PIT interrupts counted",
      r"3 of 3 other CPUs saw the unmap"]),
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


def case_shell(args, res, cpus):
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
            res.check("%s: Orbital's shell prompt with --cpus %d" % (name, cpus), False,
                      "%s\n%s" % (e, vm.tail()))
            return
        vm.send("\x01x")
        status = vm.wait(args.exit_timeout)
        res.check("%s: Ctrl-A x quits with status %d" % (name, QUIT), status == QUIT,
                  "exit status %s" % status)
    finally:
        vm.close()


def case_test(args, res, test):
    name, cpus, mem, cmdline, patterns = test
    vm = vmdrive.Vm(argv(args, cpus, mem, cmdline))
    try:
        status = vm.wait(240)
        missing = [p for p in patterns if not re.search(p, vm.out)]
        res.check("O-%s: %s with --cpus %d exits %d through --debug-exit" %
                  (name, cmdline, cpus, PASS), status == PASS and not missing,
                  "exit status %s%s" % (status, "" if status == PASS and not missing else
                                        ", missing %r\n%s" % (missing, vm.tail())))
    finally:
        vm.close()


def case_o(args, res):
    case_shell(args, res, 1)
    for test in TESTS:
        case_test(args, res, test)
    case_shell(args, res, 4)
