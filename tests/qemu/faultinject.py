#!/usr/bin/env python3
"""Fault injection: the whole system under faults in its drivers and servers,
while a workload runs, in the manner of MINIX 3's reliability experiments.

QEMU boots the system as `make run` does, plus `faultinject=SEED` (and its
count, period, delay and settle time) on the kernel command line, which starts the
kernel's injector (kernel/debug/faultinject.c; docs/testing.md). The script:

  1. waits for the shell's prompt and runs the workload once (warm-up: also
     writes every file the workload writes later);
  2. waits, idle, while the injector restarts every target once and prints
     the baseline: memory, processes, threads;
  3. runs the workload over and over while the injector kills the targets
     (kbd, console, vfs, ns), flips bits in their saved registers and in
     words of their data and stacks: files written and read back in /tmp,
     ls, ps, mem, and a command typed on the PS/2 keyboard. Each command
     must get its prompt back (an empty line is typed every POKE_S seconds
     without one: input may be lost with a crashing console); no prompt
     within HANG_S is a hang;
  4. after the last fault the system must recover by itself: a command typed
     on the serial console gets its answer within the injector's settle time
     (init restarts what died, its watchdog what hangs), else a hang;
  5. then the injector restarts every target once more and prints the
     final counts: the frames in use outside the kernel heap, the page
     tables and the heap's live blocks must equal the baseline's (nothing
     leaked), and so must the process and thread counts (leaked frames: the
     extra frames and page tables, plus the extra heap bytes in pages if
     blocks were left);
  6. a command typed on the serial console must then get its answer.

A kernel panic ends a boot; the next boot (next seed) goes on with the
faults still to inject, until FAULTS have been injected or MAX_BOOTS booted.
Answers checked by the workload may be wrong while faults land (a corrupted
server may answer wrongly before it dies): only hangs, panics and leaks
count. Prints one line

  injections N, kernel panics N, hangs N, services restarted N, leaked frames N

(services restarted: init's "restarted" lines, the injector's own restarts
included), then the checks and "N passed, N failed".
Logs: BUILD/test-logs/faultinject.SEED.log.

Usage: tests/qemu/faultinject.py [BUILD] [--faults N] [--seed S] [--period MS]
                                 [--smp N] [--delay MS] [--kinds K,...]
                                 [--targets NAME,...] [--settle MS]
"""
import argparse
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_session import Checks, Qemu  # noqa: E402

PROMPT = re.compile(re.escape('orbital$ '))
HANG_S = 90      # no prompt for this long: a hang (the watchdog needs up to ~25 s)
POKE_S = 15      # an empty line after this long without a prompt (lost input)
BOOT_S = 180     # to the first prompt
FINAL_S = 180    # from the final restarts to the final counts
MAX_BOOTS = 20
STALL_S = 120    # no fault injected for this long: the injector has no target left
INJECTION = re.compile(r'^faultinject: (\d+): ', re.M)
BASELINE = re.compile(r'faultinject: baseline: free frames .*\n')
DONE = re.compile(r'faultinject: done: (\d+) injections.*\n')
FINAL = re.compile(r'faultinject: final: (free frames .*)\n')
PAIR = re.compile(r'([a-z][a-z ]*?) (\d+) \(baseline (\d+)\)')
PAGE = 4096
RESCUE = re.compile(r'faultinject: restarting every target for the final count')
PANIC = re.compile(r'KERNEL PANIC')
RESTARTED = re.compile(r'init: \S+ restarted as pid \d+')
GAVE_UP = re.compile(r'init: (\S+) \(pid \d+\) died: [^\n]*giving up')
KEYS = {' ': 'spc', '>': 'shift-dot', '/': 'slash', '.': 'dot', '-': 'minus'}


class Boot:
    """One QEMU boot with the injector on; drives the shell and collects counts."""

    def __init__(self, qemu, mon, seed):
        self.qemu, self.serial, self.mon, self.seed = qemu, qemu.serial, mon, seed
        self.hangs = 0
        self.n = 0
        self.last_count, self.last_time = 0, time.monotonic()

    def panicked(self):
        return PANIC.search(self.serial.text) is not None

    def command(self, cmd, keyboard=False):
        """Types cmd (on the keyboard or the serial port) and waits for the next
        prompt, poking with empty lines; False (a hang counted) if none comes."""
        start = self.serial.mark()
        if keyboard:
            for c in cmd:
                self.mon.command(f'sendkey {KEYS.get(c, c)}')
            self.mon.command('sendkey ret')
        else:
            self.qemu.type(cmd.encode() + b'\r')
        t0 = time.monotonic()
        while time.monotonic() - t0 < HANG_S:
            if self.serial.wait(PROMPT, start, POKE_S):
                return True
            if self.panicked() or self.qemu.proc.poll() is not None:
                return False
            start = self.serial.mark()
            self.qemu.type(b'\r')
        self.hangs += 1
        print(f'hang: no prompt within {HANG_S} s after {cmd!r}', flush=True)
        return False

    def answers(self, cmd, want, seconds, stop_at):
        """Types cmd (again every POKE_S seconds: input may be lost) until its
        answer `want` appears, for up to `seconds`, and before stop_at appears."""
        start = self.serial.mark()
        deadline = time.monotonic() + seconds
        pattern = re.compile(want, re.M)
        while time.monotonic() < deadline and not self.panicked():
            self.qemu.type(cmd.encode() + b'\r')
            m = self.serial.wait(pattern, start, min(POKE_S, max(1, deadline - time.monotonic())))
            if m:
                late = stop_at.search(self.serial.text, start)
                return not late or late.start() > m.start()
        return False

    def workload(self, stop=None):
        """One round of the workload; stops early when stop() is true."""
        i = self.n
        self.n += 1
        # Fixed-size contents over the same four files: a VFS that is not restarted holds
        # the same data at the final count as at the baseline (the warm-up wrote them).
        steps = [(f'echo data{i:08d} > /tmp/f{i % 4}', False), (f'cat /tmp/f{i % 4}', False),
                 ('ls /bin', False), ('mkdir /tmp/d', False), ('rm /tmp/d', False),
                 ('mem', False), ('ps', False), ('echo kb', True)]
        for cmd, kbd in steps:
            if stop and stop():
                return True
            if not self.command(cmd, kbd):
                return False
        return True


def one_boot(args, files, check, seed, count, log_dir):
    """Returns (injections, panics, hangs, restarts, leaked)."""
    kernel, initrd = files
    append = (f'faultinject={seed} faultinject.count={count} faultinject.period={args.period} '
              f'faultinject.delay={args.delay} faultinject.settle={args.settle}' +
              (f' faultinject.kinds={args.kinds}' if args.kinds else '') +
              (f' faultinject.targets={args.targets}' if args.targets else ''))
    with Qemu(kernel, initrd, args.smp, monitor=True, append=append,
              tmp_prefix='orb-fi-') as qemu:
        mon = qemu.monitor(time.monotonic() + 30)
        b = Boot(qemu, mon, seed)
        s = qemu.serial
        os.makedirs(log_dir, exist_ok=True)
        path = os.path.join(log_dir, f'faultinject.{seed}.log')
        stop_log = threading.Event()

        def write_log():
            with open(path, 'w') as f:
                f.write(' '.join(qemu.cmd) + '\n\n' + s.text + '\n')

        def keep_writing():  # the log as it grows, so a long run can be followed
            while not stop_log.wait(10):
                write_log()

        logger = threading.Thread(target=keep_writing, daemon=True)
        logger.start()
        leaked = 0
        try:
            up = check(s.wait(PROMPT, 0, BOOT_S), f'seed {seed}: the shell prompts after boot')
            if up:  # warm-up, before the baseline: every file the workload writes, once
                for k in range(4):
                    b.command(f'echo data{k:08d} > /tmp/f{k}')
                b.workload()
            base = s.wait(BASELINE, 0, args.delay / 1000 + BOOT_S) if up else None
            if up and check(base and 'not steady' not in base.group(0),
                            f'seed {seed}: baseline measured ' +
                            (base.group(0) if base else '(none)')):
                # The workload while faults land, until the injector is done.
                def done():
                    return DONE.search(s.text) or b.panicked()

                def stalled():  # no fault for STALL_S: no target left to inject into
                    n = len(INJECTION.findall(s.text))
                    if n != b.last_count:
                        b.last_count, b.last_time = n, time.monotonic()
                    return time.monotonic() - b.last_time > STALL_S

                while not done() and not stalled() and b.workload(
                        stop=lambda: done() or stalled()):
                    pass
                check(not stalled(), f'seed {seed}: faults kept being injected (no stall of '
                      f'{STALL_S} s: some target was always alive)')
                while not done() and not stalled() and qemu.proc.poll() is None and not b.hangs:
                    s.wait(DONE, 0, 5)
                # Recovery on its own: before the injector's final restarts, within its
                # settle time, a command typed on the serial console gets its answer.
                if DONE.search(s.text) and not b.panicked() and not b.hangs:
                    ok = b.answers(f'echo recovered{seed}', rf'^recovered{seed}\s*$',
                                   args.settle / 1000 - 5, RESCUE)
                    check(ok, f'seed {seed}: the shell answers after the last fault, before '
                          f'the injector restarts anything')
                    if not ok:
                        b.hangs += 1
                final = None
                if DONE.search(s.text) and not b.panicked() and not b.hangs:
                    final = s.wait_until(lambda: FINAL.search(s.text) or PANIC.search(s.text),
                                         time.monotonic() + args.settle / 1000 + FINAL_S)
                    final = FINAL.search(s.text)
                if final:
                    got = {k: (int(a), int(b)) for k, a, b in PAIR.findall(final.group(1))}
                    outside = got.get('frames outside the heap', (-1, 0))
                    blocks = got.get('heap blocks', (-1, 0))
                    hbytes = got.get('heap bytes', (-1, 0))
                    tables = got.get('page tables', (-1, 0))
                    leaked = max(0, outside[0] - outside[1]) + max(0, tables[0] - tables[1])
                    if blocks[0] > blocks[1]:
                        leaked += max(1, -(-(hbytes[0] - hbytes[1]) // PAGE))
                    check(leaked == 0 and outside[0] == outside[1] and tables[0] == tables[1]
                          and blocks[0] == blocks[1] and 'not steady' not in final.group(1),
                          f'seed {seed}: memory back at the baseline: frames outside the heap '
                          f'{outside[0]} ({outside[1]}), page tables {tables[0]} ({tables[1]}), '
                          f'heap blocks {blocks[0]} ({blocks[1]})')
                    same = [k for k in ('processes', 'threads', 'targets')
                            if k in got and got[k][0] == got[k][1]]
                    check(len(same) == 3, f'seed {seed}: processes, threads and targets back '
                          f'at the baseline ({final.group(0)})')
                    # The system still answers.
                    start = s.mark()
                    qemu.type(f'echo alive{seed}\r'.encode())
                    m = s.wait(re.compile(rf'^alive{seed}\s*$', re.M), start, HANG_S)
                    if not m:
                        b.hangs += 1
                    check(m, f'seed {seed}: the shell answers after the faults')
                elif DONE.search(s.text) and not b.panicked() and not b.hangs:
                    b.hangs += 1
                    check(False, f'seed {seed}: the injector reported its final counts')
        except OSError as e:
            check(False, f'seed {seed}: QEMU and its monitor ran ({e})')
        text = s.text
        panics = 1 if PANIC.search(text) else 0
        check(not panics, f'seed {seed}: no kernel panic')
        check(not b.hangs, f'seed {seed}: no hang ({b.hangs})')
        gave_up = GAVE_UP.findall(text)
        check(not gave_up, f'seed {seed}: init gave up on no service' +
              (f' (it did: {"; ".join(gave_up)})' if gave_up else ''))
        done = DONE.search(text)
        injections = int(done.group(1)) if done else len(INJECTION.findall(text))
        restarts = len(RESTARTED.findall(text))
        stop_log.set()
        logger.join()
        write_log()
        if panics or b.hangs or leaked:
            print(f'--- seed {seed}: log {path}, last lines:')
            print('\n'.join(text.split('\n')[-40:]), flush=True)
        return injections, panics, b.hangs, restarts, leaked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build', nargs='?', default='build')
    ap.add_argument('--faults', type=int, default=int(os.environ.get('FAULTS', '800')))
    ap.add_argument('--seed', type=int, default=int(os.environ.get('FI_SEED', '1')))
    ap.add_argument('--period', type=int, default=50, help='ms between faults (guest time)')
    ap.add_argument('--delay', type=int, default=20000,
                    help='ms from start-up to the baseline (the warm-up runs before)')
    ap.add_argument('--settle', type=int, default=60000,
                    help='ms from the last fault to the final restarts: the time to recover')
    ap.add_argument('--smp', type=int, default=2)
    ap.add_argument('--kinds', default=None,
                    help='kill,register,data,stack,hang (default: all but hang)')
    ap.add_argument('--targets', default=None, help='process names (default: kbd,console,vfs,ns)')
    args = ap.parse_args()

    check = Checks()
    files = check.boot_files(args.build)
    if not files:
        return 1
    log_dir = os.path.join(args.build, 'test-logs')
    totals = [0, 0, 0, 0, 0]
    seed = args.seed
    for boot in range(MAX_BOOTS):
        left = args.faults - totals[0]
        if left <= 0 and boot > 0:
            break
        got = one_boot(args, files, check, seed, left, log_dir)
        totals = [a + b for a, b in zip(totals, got)]
        if got[0] == 0 or not got[1]:
            break  # no progress, or a boot that ended without a panic yet short of faults
        seed += 1
    print(f'injections {totals[0]}, kernel panics {totals[1]}, hangs {totals[2]}, '
          f'services restarted {totals[3]}, leaked frames {totals[4]}', flush=True)
    check(totals[0] >= args.faults, f'{totals[0]} of {args.faults} faults injected')
    npass = sum(check.results)
    print(f'{npass} passed, {len(check.results) - npass} failed')
    return 0 if all(check.results) else 1


if __name__ == '__main__':
    sys.exit(main())
