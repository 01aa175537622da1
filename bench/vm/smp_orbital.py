"""The SMP and Orbital boot rounds of bench/vm/bench.py (same lab run, same report).

Owns two measurements, each interleaved round by round like bench.py's own:
  boot_to_init_smp4  as bench.py's boot_to_init (which is 1 vCPU: orbvm without --cpus,
                     QEMU -smp 1), but with 4 vCPUs: orbvm --cpus 4 beside QEMU -M pc
                     -smp 4, the same kernel, initramfs and command line (orb.test=hold).
  orbital_boot_to_shell  seconds from starting the VMM until Orbital's shell prompt
                     `orbital$ ` arrives on its console: orbvm --kernel orbital.elf
                     --initrd bootfs.cpio beside QEMU -M pc -enable-kvm -cpu host -kernel
                     orbital.elf -initrd bootfs.cpio (both PVH), 128 MiB, 1 vCPU; the VMM
                     is then killed (Orbital's shell has no power-off command).
Each returns {vmm: [seconds]}; a VMM that fails is recorded in `broken` and skipped.
"""

import os

import vmdrive

SMP_VMMS = ["orbvm", "qemu_pc"]
ORBITAL_VMMS = ["orbvm", "qemu_pc"]
PROMPT = r"orbital\$ "


def smp_boot(args, vmm, cpus):
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=hold"
    vm = vmdrive.Vm(vmdrive.vmm_argv(vmm, args.kernel, args.initrd, cmdline, args.mem,
                                     orbvm=args.orbvm, cpus=cpus))
    try:
        _, t = vm.expect(vmdrive.READY, args.boot_timeout)
        vm.send("\n")
        vm.wait(10)
        return t
    except vmdrive.Timeout as e:
        raise vmdrive.Timeout("%s\n%s" % (e, vm.tail(10)))
    finally:
        vm.close()


def orbital_argv(args, vmm):
    kernel = os.path.join(args.orbital, "orbital.elf")
    bootfs = os.path.join(args.orbital, "bootfs.cpio")
    if vmm == "orbvm":
        return [args.orbvm, "--kernel", kernel, "--initrd", bootfs, "--mem", "128M",
                "--debug-exit", "0xf4"]
    return ["qemu-system-x86_64", "-M", "pc", "-enable-kvm", "-cpu", "host", "-m", "128M",
            "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel, "-initrd", bootfs]


def orbital_boot(args, vmm):
    vm = vmdrive.Vm(orbital_argv(args, vmm))
    try:
        _, t = vm.expect(PROMPT, args.boot_timeout)
        return t
    except vmdrive.Timeout as e:
        raise vmdrive.Timeout("%s\n%s" % (e, vm.tail(10)))
    finally:
        vm.close()


def rounds(args, broken, name, vmms, one, count=None):
    """count (default args.smp_rounds) rounds of one(vmm) for each VMM; returns {vmm: [values]}.
    A VMM or "name.vmm" in broken is skipped; a timeout marks "name.vmm" broken."""
    count = args.smp_rounds if count is None else count
    res = {v: [] for v in vmms}
    for r in range(count):
        print("%s round %d/%d" % (name, r + 1, count), flush=True)
        for vmm in vmms:
            key = "%s.%s" % (name, vmm)
            if key in broken or vmm in broken:
                continue
            try:
                res[vmm].append(one(vmm))
            except vmdrive.Timeout as e:
                broken[key] = str(e)
    return {v: t for v, t in res.items() if t and "%s.%s" % (name, v) not in broken}


def measure(args, broken):
    """Both measurements; returns [(name, {vmm: [seconds]})]."""
    out = [("boot_to_init_smp4", rounds(args, broken, "boot_to_init_smp4", SMP_VMMS,
                                        lambda v: smp_boot(args, v, 4)))]
    if os.path.exists(os.path.join(args.orbital, "orbital.elf")):
        out.append(("orbital_boot_to_shell",
                    rounds(args, broken, "orbital_boot_to_shell", ORBITAL_VMMS,
                           lambda v: orbital_boot(args, v))))
    else:
        broken["orbital_boot_to_shell"] = "%s/orbital.elf is missing" % args.orbital
    return out
