"""The ipc_scaling rounds of bench/vm/bench.py (same lab run, same report).

Owns one measurement: Orbital's ipc_scaling.N (tests/user/t_ipcscale.c: N independent
client/server pairs calling at once, round trips per second per pair) on N vCPUs under
KVM in the lab's L1, N = 1, 2 and 4 where L1 has N CPUs (N pairs on fewer CPUs than N
measure the oversubscription, and once brought L1 itself down): orbvm --cpus N --kernel orbital.elf beside QEMU
-M pc -enable-kvm -smp N, both with `test=user init=t_ipcscale ipcscale.n=N`, rounds
interleaved like bench.py's own. The guest prints `bench ipc_scaling.N R rt/s` and powers
off through the debug-exit port. Returns [(N, {vmm: [rt/s]})]; a VMM that fails is
recorded in `broken` and skipped. The ratio to N = 1 is the report's (bench.py).
"""

import os

import smp_orbital
import vmdrive

IPC_VMMS = ["orbvm", "qemu_pc"]
IPC_NS = [1, 2, 4]


def orbital_argv(args, vmm, n):
    kernel = os.path.join(args.orbital, "orbital.elf")
    bootfs = os.path.join(args.orbital, "bootfs.cpio")
    cmdline = "test=user init=t_ipcscale ipcscale.n=%d" % n
    if vmm == "orbvm":
        return [args.orbvm, "--kernel", kernel, "--initrd", bootfs, "--cmdline", cmdline,
                "--mem", "256M", "--cpus", str(n), "--debug-exit", "0xf4"]
    return ["qemu-system-x86_64", "-M", "pc", "-enable-kvm", "-cpu", "host", "-m", "256M",
            "-smp", str(n), "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel, "-initrd", bootfs, "-append", cmdline]


def one_run(args, vmm, n):
    vm = vmdrive.Vm(orbital_argv(args, vmm, n))
    try:
        m, _ = vm.expect(r"bench ipc_scaling\.%d (\d+) rt/s" % n, args.boot_timeout + 60)
        vm.expect(r"t_ipcscale: \d+ passed, 0 failed", 30)
        return int(m.group(1))
    except vmdrive.Timeout as e:
        raise vmdrive.Timeout("%s\n%s" % (e, vm.tail(10)))
    finally:
        vm.close()


def measure(args, broken):
    """args.ipc_rounds rounds for each N and VMM; returns [(N, {vmm: [rt/s]})]."""
    out = []
    if not os.path.exists(os.path.join(args.orbital, "orbital.elf")):
        broken["ipc_scaling"] = "%s/orbital.elf is missing" % args.orbital
        return out
    cpus = os.cpu_count() or 1
    for n in IPC_NS:
        if n > cpus:
            print("ipc_scaling.%d skipped: L1 has %d CPUs" % (n, cpus), flush=True)
            continue
        out.append((n, smp_orbital.rounds(args, broken, "ipc_scaling.%d" % n, IPC_VMMS,
                                          lambda vmm: one_run(args, vmm, n), args.ipc_rounds)))
    return out


def report(results):
    """The bench lines: the median per N and VMM, and its ratio to N = 1."""
    import statistics
    base = {}
    for n, res in results:
        for vmm, vals in res.items():
            v = statistics.median(vals)
            if n == 1:
                base[vmm] = v
            ratio = " (%.2f x ipc_scaling.1)" % (v / base[vmm]) if base.get(vmm) else ""
            print("bench ipc_scaling.%d.%s %d rt/s%s" % (n, vmm, v, ratio))
