#!/usr/bin/env python3
"""QEMU integration tests for the Orbital kernel.

Each case boots the kernel in QEMU (TCG) in test mode (`test=NAME` on the
kernel command line), directly through PVH (-kernel) or from a GRUB ISO under
BIOS or UEFI firmware. The kernel runs the named in-kernel test, reports on the
serial port and leaves QEMU through isa-debug-exit: status 33 = pass,
35 = fail, 37 = panic. A case passes when the status is the expected one and
every expected pattern appears in the serial output (tests that crash the
kernel on purpose expect the panic status and check the crash report).

Usage: tests/qemu/run.py BUILD_DIR [--only REGEX] [--jobs N] [--list]
                         [--accel ACCEL] [--icount SPEC] [--timeout-scale F]
(--accel/--icount pass QEMU's options through, e.g. tcg,thread=multi or
shift=3; by default neither is given.)
Prints one line per case and a closing line "N passed, N failed".
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import time

EXIT = {'pass': 33, 'fail': 35, 'panic': 37, 'off': 0}  # off: powered off, reset (-no-reboot), or signalled
OVMF = '/usr/share/ovmf/OVMF.fd'


class Case:
    def __init__(self, name, ktest, expect='pass', boot='kernel', mem='128M', smp=1,
                 machine='pc', cpu='qemu64', patterns=(), absent=(), timeout=60, kernel=None,
                 extra=(), cmdline='', initrd=None, soak_variants=None):
        self.name, self.ktest, self.expect, self.boot = name, ktest, expect, boot
        self.mem, self.smp, self.machine, self.cpu = mem, smp, machine, cpu
        self.patterns, self.absent, self.timeout = patterns, absent, timeout
        self.kernel, self.extra, self.cmdline = kernel, extra, cmdline
        # User-space tests boot with the boot archive (build/bootfs.cpio) as the initrd.
        self.initrd = (ktest == 'user') if initrd is None else initrd
        # The soak variants (tests/qemu/soak.py) the case is meant for; None: all.
        self.soak_variants = soak_variants


BANNER = r'Orbital \S+ \(x86_64\) booted via'
REPORT = [r'error code: 0x', r'RIP: 0xffffffff8', r'RAX=[0-9a-f]{16}', r'R15=[0-9a-f]{16}',
          r'CR3=', r'Backtrace:\n', r'ktest_main\+0x']


def cases(build):
    c = [
        # Boot paths.
        Case('boot_pvh', 'boot', patterns=[BANNER + r' PVH', r'Memory: \d+ KiB usable',
                                           r'protocol=pvh', r'screen: VGA text console']),
        Case('boot_iso_bios', 'boot', boot='iso-bios',
             patterns=[BANNER + r' Multiboot2 from GRUB', r'framebuffer type=text',
                       r'screen: VGA text console 80x25', r'rsdp=yes']),
        Case('boot_iso_uefi', 'boot', boot='iso-uefi', timeout=180,
             patterns=[BANNER + r' Multiboot2 from GRUB', r'framebuffer type=rgb',
                       r'screen: framebuffer console \d+x\d+, \d+ bpp', r'rsdp=yes',
                       r'framebuffer console draws text \(pixels checked\)']),
        Case('boot_q35', 'boot', machine='q35', patterns=[BANNER + r' PVH']),
        # The same kernel built with clang 14.
        Case('boot_clang', 'boot', kernel=os.path.join(build, 'clang', 'orbital.elf'),
             patterns=[BANNER + r' PVH']),
        Case('protect_clang', 'protect', kernel=os.path.join(build, 'clang', 'orbital.elf'),
             patterns=[r'all faulted as expected']),
        Case('pagefault_clang', 'pagefault', kernel=os.path.join(build, 'clang', 'orbital.elf'),
             expect='panic', patterns=[r'CPU exception: Page Fault', r'kt_pagefault_victim']),
        # Memory management inside the kernel.
        Case('pmm', 'pmm', patterns=[r'frames allocated and freed']),
        Case('pmm_32m', 'pmm', mem='32M', patterns=[r'frames allocated and freed']),
        Case('pmm_8g', 'pmm', mem='8G', timeout=180, patterns=[r'frames allocated and freed']),
        Case('direct_map_8g', 'direct_map', mem='8G', patterns=[r'direct map covers \d+ MiB']),
        Case('pmm_uefi', 'pmm', boot='iso-uefi', timeout=180,
             patterns=[r'frames allocated and freed']),
        Case('heap', 'heap'),
        Case('heap_32m', 'heap', mem='32M'),
        Case('paging', 'paging'),
        Case('protect', 'protect', patterns=[r'all faulted as expected']),
        Case('protect_bios', 'protect', boot='iso-bios', patterns=[r'all faulted as expected']),
        # Crash reports.
        Case('pagefault', 'pagefault', expect='panic',
             patterns=[r'CPU exception: Page Fault \(#PF\), vector 14',
                       r'page not present, write, kernel mode',
                       r'CR2 \(fault address\): 0x000000000dead000',
                       r'RIP: 0x[0-9a-f]{16} <kt_pagefault_victim\+0x', r'kt_pagefault\+0x']
             + REPORT),
        # A frame the return to user mode would refuse (a RIP above user space, a bad
        # CS that makes iretq fault in ring 0) kills the process, not the kernel.
        Case('uret_noncanon', 'uret_noncanon', smp=2,
             patterns=[r'fault: process kt_uret .*: return to a non-canonical address',
                       r'a return to 0x800000000000 was refused']),
        Case('uret_badframe', 'uret_badframe', smp=2,
             patterns=[r'fault: process kt_uret .*: General Protection Fault .*returning to '
                       r'user mode',
                       r'iretq refusing a frame killed its process twice']),
        # User text reaches the consoles whole and in order, never more than a
        # chunk per call with interrupts off.
        Case('console_user', 'console_user',
             patterns=[r'1000 bytes of user text reached the console, at most \d+ per call']),
        Case('gpfault', 'gpfault', expect='panic',
             patterns=[r'CPU exception: General Protection Fault \(#GP\), vector 13',
                       r'<kt_gp_victim\+0x'] + REPORT),
        Case('stack_overflow', 'stack_overflow', expect='panic',
             patterns=[r'CPU exception: Double Fault \(#DF\), vector 8', r'kt_recurse']),
        Case('panic', 'panic', expect='panic',
             patterns=[r'KERNEL PANIC: deliberate test panic \(42\)', r'Backtrace:\n',
                       r'kt_panic\+0x', r'System halted']),
        Case('heap_double_free', 'heap_double_free', expect='panic',
             patterns=[r'KERNEL PANIC: heap: double free', r'kt_heap_double_free']),
        Case('heap_use_after_free', 'heap_use_after_free', expect='panic',
             patterns=[r'KERNEL PANIC: heap: write after free']),
        # Scheduler, timers and SMP.
        Case('preempt', 'preempt', patterns=[r'spinner counts [1-9]\d* and [1-9]']),
        Case('priority', 'priority'),
        Case('sleep', 'sleep', patterns=[r'slept 1\d\d\d\d\d us']),
        Case('fpu_fxsave', 'fpu', cpu='qemu64', patterns=[r'fpu: FXSAVE']),
        Case('fpu_xsave', 'fpu', cpu='Skylake-Server', patterns=[r'fpu: XSAVE']),
        Case('ioapic_pc', 'ioapic', patterns=[r'\d+ PIT interrupts counted']),
        Case('ioapic_q35', 'ioapic', machine='q35', patterns=[r'\d+ PIT interrupts counted']),
        Case('tlb_shootdown', 'tlb', smp=4, patterns=[r'3 of 3 other CPUs saw the unmap']),
        # Releasing an interrupt line waits for its handler on other CPUs (kt_irq.c).
        Case('irq_race_smp2', 'irq_race', smp=2,
             patterns=[r'300 of 300 rounds handled interrupts, \d+ raised, 0 handler runs']),
        Case('irq_race_smp4', 'irq_race', smp=4,
             patterns=[r'300 of 300 rounds handled interrupts, \d+ raised, 0 handler runs']),
        # A thread taken off an IPC wait cannot end and be freed before its wake (kt_ipc.c).
        Case('ipc_wake_race_smp2', 'ipc_wake_race', smp=2,
             patterns=[r'64 of 64 wakes held open, 0 waiters freed before their wake, '
                       r'64 rounds with the right status']),
        Case('ipc_wake_race_smp4', 'ipc_wake_race', smp=4,
             patterns=[r'64 of 64 wakes held open, 0 waiters freed before their wake, '
                       r'64 rounds with the right status']),
        # Wakes racing with threads that migrate between CPUs (kt_stress.c).
        Case('wake_race_smp2', 'wake_race', smp=2, timeout=180,
             patterns=[r'wake_race: 6 victims x 3000 sleeps, \d+ cut short, [1-9]\d* moves']),
        Case('wake_race_smp4', 'wake_race', smp=4, timeout=180,
             patterns=[r'wake_race: 12 victims x 3000 sleeps, \d+ cut short, [1-9]\d* moves']),
        # A woken thread runs within a bounded number of its CPU's ticks while threads of its
        # priority yield in a loop there, every thread pinned to one CPU (kt_yield.c).
        Case('yield_wake_smp1', 'yield_wake', smp=1, timeout=180,
             patterns=[r'1 CPUs, 2 spinners each: worst 1 ms sleep \d+ ticks']),
        Case('yield_wake_smp4', 'yield_wake', smp=4, timeout=180,
             patterns=[r'4 CPUs, 2 spinners each: worst 1 ms sleep \d+ ticks']),
        Case('stress', 'stress', smp=4, mem='256M', timeout=180,
             patterns=[r'3136 threads ran; free frames before (\d+) after \1\b',
                       r'256 detached threads ran and were reaped: yes']),
        # No PIT (QEMU's pc,pit=off; some recent PCs gate it off): the timer calibration
        # says so instead of measuring against a floating port 0x61 (docs/pc.md).
        Case('no_pit', 'sleep', machine='pc,pit=off',
             patterns=[r'warning: lapic: no PIT to calibrate against', r'slept 1\d\d\d\d\d us']),
        # A PIT that is there is not taken for none when the vCPU stalls after loading
        # the count (QEMU counts from then on, gate or not), and a window it outran is
        # opened again: pit.stall stalls the first window until the PIT wraps. QEMU's
        # APIC timer runs at 1 GHz / 16: the result must be within 4% of it.
        Case('pit_stall', 'sleep', cmdline='pit.stall',
             patterns=[r'lapic: the PIT outran calibration window 1; opening another',
                       r'lapic: timer 6[0-4]\d\d\d kHz', r'slept 1\d\d\d\d\d us'],
             absent=[r'no PIT', r'calibration failed', r'never ran a whole window']),
        Case('no_acpi', 'smp', smp=2, extra=('-no-acpi',),
             patterns=[r'warning: ACPI: no RSDP found; running on one CPU', r'CPUs: 1 online',
                       r'all 1 CPUs ran at once']),
        Case('dead_ap', 'smp', smp=4, cmdline='smp.dead_ap=2',
             patterns=[r'warning: smp: CPU with APIC id 2 did not start; continuing without it',
                       r'CPUs: 3 online', r'all 3 CPUs ran at once']),
        Case('smp_panic', 'smp_panic', smp=4, expect='panic',
             patterns=[r'KERNEL PANIC: deliberate panic on CPU 1'],
             absent=[r'KERNEL PANIC(.|\n)*KERNEL PANIC']),
        # Bad boot information ends in a clear panic.
        Case('bad_mmap_pvh', 'bad_mmap', expect='panic',
             patterns=[r'KERNEL PANIC: boot: .*memory map']),
        Case('bad_mmap_multiboot2', 'bad_mmap', boot='iso-bios', expect='panic',
             patterns=[r'KERNEL PANIC: boot: .*(memory map|entry)']),
        Case('bad_magic', 'bad_magic', expect='panic',
             patterns=[r'KERNEL PANIC: boot: unknown boot protocol magic 0x12345678']),
        Case('bad_module', 'bad_module', expect='panic',
             patterns=[r"KERNEL PANIC: boot: .*lying-module.*outside usable RAM"]),
    ]
    # The scheduler suite on every CPU count, machine and CPU model.
    suite = 'preempt,priority,smp,sleep,clock,fpu,ioapic'
    for smp in (1, 2, 4, 8):
        for machine in ('pc', 'q35'):
            for cpu in ('qemu64', 'Skylake-Server', 'EPYC'):
                tests = suite + (',tlb' if smp > 1 else '')
                c.append(Case(f'sched_smp{smp}_{machine}_{cpu}', tests, smp=smp, machine=machine,
                              cpu=cpu, mem='256M', timeout=300 if smp > 4 else 120,
                              patterns=[rf'CPUs: {smp} online', rf'{smp} CPUs online',
                                        rf'all {smp} CPUs ran at once']))
    # Power: ACPI soft-off (QEMU exits 0 with no "System halted") and reboot.
    c += [Case('power_halt_smp4', 'user', expect='off', smp=4, cmdline='init=t_power t_power.op=halt',
               patterns=[r'power: ACPI S5 through port 0x604', r'power: halting'],
               absent=[r'System halted', r'KERNEL PANIC']),
          Case('power_halt_q35', 'user', expect='off', machine='q35', smp=2,
               cmdline='init=t_power t_power.op=halt', patterns=[r'power: halting'],
               absent=[r'System halted', r'KERNEL PANIC']),
          Case('power_reboot', 'user', expect='off', smp=2, cmdline='init=t_power t_power.op=reboot',
               patterns=[r'power: rebooting'], absent=[r'KERNEL PANIC', r'SYS_POWER returned'])]
    # Driver capabilities: I/O ports (TSS bitmap), IRQs to notifications, the screen, the log.
    for smp in (1, 4):
        c.append(Case(f'user_devices_smp{smp}', 'user', smp=smp, mem='256M', cpu='max',
                      cmdline='init=t_devices user.warm',
                      patterns=[r'^t_devices: [1-9]\d* passed, 0 failed$',
                                r'fault: process outside \(pid \d+\), thread \d+: General Protection',
                                r'^ok: IRQ 4 arrives again after the ack'],
                      absent=[r'^FAIL: ', r'KERNEL PANIC']))
    # User space: the programs in tests/user, run as init (user_cases.py).
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import user_cases
    import vfs_cases
    import init_cases
    c += user_cases.cases(Case)
    c += vfs_cases.cases(Case)
    c += init_cases.cases(Case)
    return c


def iso_for(build, kernel, ktest):
    """A GRUB ISO booting `kernel` with test=ktest, rebuilt when the kernel changes."""
    d = os.path.join(build, 'test-iso')
    os.makedirs(d, exist_ok=True)
    iso = os.path.join(d, f'{ktest}.iso')
    if not os.path.exists(iso) or os.path.getmtime(iso) < os.path.getmtime(kernel):
        subprocess.run(['bash', 'tools/mkiso.sh', kernel, iso + '.tmp', f'test={ktest}'],
                       check=True)
        os.replace(iso + '.tmp', iso)
    return iso


class Variant:
    """How QEMU runs a case, beyond the case itself: the accelerator (`-accel`,
    e.g. tcg,thread=multi), instruction counting (`-icount`, e.g. shift=3) and
    a factor on the case's timeout. The default adds nothing (QEMU's own
    choice); tests/qemu/soak.py runs the cases under several."""

    def __init__(self, name='default', accel=None, icount=None, timeout_scale=1.0):
        self.name, self.accel, self.icount = name, accel, icount
        self.timeout_scale = timeout_scale


DEFAULT = Variant()


def qemu_cmd(build, case, variant=DEFAULT):
    kernel = case.kernel or os.path.join(build, 'orbital.elf')
    cmd = ['qemu-system-x86_64', '-M', case.machine, '-cpu', case.cpu, '-m', case.mem,
           '-smp', str(case.smp), '-display', 'none', '-monitor', 'none', '-serial', 'stdio',
           '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
    if variant.accel:
        cmd += ['-accel', variant.accel]
    if variant.icount:
        cmd += ['-icount', variant.icount]
    if case.boot == 'kernel':
        cmd += ['-kernel', kernel, '-append', f'test={case.ktest} {case.cmdline}'.strip()]
        if case.initrd:
            cmd += ['-initrd', os.path.join(build, 'bootfs.cpio')]
    else:
        cmd += ['-cdrom', iso_for(build, kernel, case.ktest), '-boot', 'd']
        if case.boot == 'iso-uefi':
            cmd += ['-bios', OVMF]
    return cmd + list(case.extra)


def run_case(build, case, logdir, variant=DEFAULT, log_name=None):
    t0 = time.monotonic()
    timeout = case.timeout * variant.timeout_scale
    try:
        cmd = qemu_cmd(build, case, variant)
    except (subprocess.CalledProcessError, OSError) as e:
        return case, False, f'cannot prepare: {e}', 0.0, ''
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    dt = time.monotonic() - t0
    text = out.decode('utf-8', 'replace').replace('\r\n', '\n')
    with open(os.path.join(logdir, (log_name or case.name) + '.log'), 'w') as f:
        f.write(' '.join(cmd) + '\n\n' + text)
    if timed_out:
        return case, False, f'timed out after {timeout:.0f} s', dt, text
    # QEMU exits 0 on SIGTERM, SIGINT or SIGHUP, as after a guest power-off or reset:
    # its own last line tells the two apart (a kill from outside is not the guest's).
    killed = re.search(r'^qemu-system-\S+: (terminating on signal .*)$', text, re.M)
    if killed:
        return case, False, f'QEMU was stopped from outside: {killed.group(1)}', dt, text
    want = EXIT[case.expect]
    if proc.returncode != want:
        got = {v: k for k, v in EXIT.items()}.get(proc.returncode, 'exit status')
        return case, False, f'expected {case.expect} ({want}), got {got} ({proc.returncode})', dt, text
    for p in case.patterns:
        if not re.search(p, text, re.M):
            return case, False, f'output lacks /{p}/', dt, text
    for p in case.absent:
        if re.search(p, text, re.M):
            return case, False, f'output has /{p}/', dt, text
    return case, True, '', dt, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--only', default=None)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--accel', default=None, help='QEMU -accel, e.g. tcg,thread=multi')
    ap.add_argument('--icount', default=None, help='QEMU -icount, e.g. shift=3')
    ap.add_argument('--timeout-scale', type=float, default=1.0,
                    help='multiply every case\'s timeout (slow variants)')
    args = ap.parse_args()
    variant = Variant('command line', args.accel, args.icount, args.timeout_scale)

    todo = [c for c in cases(args.build) if not args.only or re.search(args.only, c.name)]
    if args.list:
        for c in todo:
            print(c.name)
        return 0
    if not shutil.which('qemu-system-x86_64'):
        print('qemu-system-x86_64 not found (run make deps)')
        print(f'0 passed, {len(todo)} failed')
        return 1
    logdir = os.path.join(args.build, 'test-logs')
    os.makedirs(logdir, exist_ok=True)
    # Build the ISOs first, one at a time (grub-mkrescue is not cheap).
    for c in todo:
        if c.boot != 'kernel':
            iso_for(args.build, c.kernel or os.path.join(args.build, 'orbital.elf'), c.ktest)

    passed = failed = 0
    # Cases with more vCPUs than the host has cores run alone, after the others:
    # side by side they would oversubscribe the host many times over (spinlock
    # hand-offs then wait for the host to schedule the right vCPU thread).
    ncores = os.cpu_count() or 2
    light = [c for c in todo if c.smp <= ncores]
    heavy = [c for c in todo if c.smp > ncores]

    def results():
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futs = [pool.submit(run_case, args.build, c, logdir, variant) for c in light]
            for fut in concurrent.futures.as_completed(futs):
                yield fut.result()
        for c in heavy:
            yield run_case(args.build, c, logdir, variant)

    for case, ok, why, dt, text in results():
        if ok:
            passed += 1
            print(f'PASS  {case.name} ({dt:.1f} s)', flush=True)
            continue
        failed += 1
        print(f'FAIL  {case.name}: {why} ({dt:.1f} s)', flush=True)
        tail = '\n'.join(text.strip().splitlines()[-25:])
        print('      ' + tail.replace('\n', '\n      '), flush=True)
        print(f'      (full log: {logdir}/{case.name}.log)', flush=True)
    print(f'{passed} passed, {failed} failed')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
