#!/usr/bin/env python3
"""The racing kernel fuzzer (tests/user/t_racefuzz/) on every configuration.

Boots the kernel with `test=user init=t_racefuzz user.warm` once per
configuration: -smp 1, 2 and 4, each under single-threaded and multi-threaded
TCG (`-accel tcg,thread=single|multi`), and adds up what the runs report. The
kernel's harness runs the fuzzer twice in each boot (user.warm) and checks
that the second run gives back every frame (the first fills kernel caches);
both runs fuzz and count. The budget is split evenly between the
configurations and the two runs: --seconds of guest time in all (a run stops
between rounds once its share is used), or --calls in all.

What counts:
  calls          the system calls the workers made (the guest's totals)
  kernel panics  a run that ended in a kernel panic or a machine reset
  leaked frames  frames a round did not give back (the guest compares each
                 round with an idle one)
  hangs          a worker that made no call for 20 s of guest time or did not
                 die when killed (the guest's watchdog), or a run that printed
                 nothing for --hang-seconds (this script's watchdog)
A result outside the error codes, padding copied out without being zeroed or
a failed check of the guest fails the run too (counted on the line before).

Each run has its own seed (printed; --seed replays a whole invocation, and the
QEMU command printed for a failed run replays that run alone); every run's
serial output is kept in BUILD/fuzz-kernel/CONFIG-SEED.log.

Usage: tests/qemu/fuzz_kernel.py BUILD [--seconds N | --calls N] [--seed N]
                                 [--configs smp1-single,...] [--guest 'race.ops=N ...']
                                 [--hang-seconds N] [--layer]
Prints one line per run, then exactly one line
"calls N, kernel panics N, leaked frames N, hangs N"; with --layer (make test)
also "N passed, N failed" (one case per configuration). Exit status 0 only if
every run passed.
"""
import argparse
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

CONFIGS = [(smp, accel) for smp in (1, 2, 4) for accel in ('single', 'multi')]
BOOT_SECONDS = 8  # boot, or a run's idle rounds and its last round's overrun


def qemu_cmd(build, smp, accel, cmdline, monitor='none'):
    return ['qemu-system-x86_64', '-M', 'pc', '-cpu', 'qemu64', '-m', '256M', '-smp', str(smp),
            '-accel', f'tcg,thread={accel}', '-display', 'none', '-monitor', monitor,
            '-serial', 'stdio', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
            '-kernel', os.path.join(build, 'orbital.elf'),
            '-initrd', os.path.join(build, 'bootfs.cpio'),
            '-append', f'test=user init=t_racefuzz user.warm {cmdline}']


def cpu_state(monitor, kernel):
    """Every CPU's registers from the QEMU monitor, RIPs named from the kernel's symbols."""
    out = b''
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(monitor)
            s.sendall(b'info registers -a\n')
            end = time.monotonic() + 5
            while time.monotonic() < end:
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    break
                if not data:
                    break
                out += data
    except OSError as e:
        return f'(no CPU state: {e})'
    text = out.decode('utf-8', 'replace')
    try:
        syms = sorted((int(a, 16), n) for a, t, n in
                      (l.split()[:3] for l in subprocess.run(
                          ['nm', kernel], capture_output=True, text=True).stdout.splitlines()
                       if len(l.split()) >= 3) if t in 'tT')
    except (OSError, ValueError):
        syms = []
    names = []
    for rip in re.findall(r'RIP=([0-9a-f]{16})', text):
        v = int(rip, 16)
        best = [n for a, n in syms if a <= v]
        names.append(f'RIP {rip} {best[-1] if best else "?"}')
    return text + '\n' + '\n'.join(names)


def run_qemu(cmd, log, hang_seconds, wall_limit, monitor=None, kernel=None):
    """Runs QEMU; returns (exit status or None, text, host-detected hang reason or '')."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    chunks, hang = [], ''
    start = last = time.monotonic()
    fd = proc.stdout.fileno()
    while True:
        now = time.monotonic()
        if now - last > hang_seconds:
            hang = f'no output for {hang_seconds} s'
            break
        if wall_limit and now - start > wall_limit:
            hang = f'still running after {wall_limit} s'
            break
        r, _, _ = select.select([fd], [], [], 1.0)
        if r:
            data = os.read(fd, 65536)
            if not data:
                break
            chunks.append(data)
            last = time.monotonic()
    state = cpu_state(monitor, kernel) if hang and monitor else ''
    if hang:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    text = b''.join(chunks).decode('utf-8', 'replace').replace('\r\n', '\n')
    with open(log, 'w') as f:
        f.write(' '.join(cmd) + '\n\n' + text)
        if hang:
            f.write(f'\n[fuzz_kernel: hang: {hang}; QEMU killed; CPUs then:]\n{state}\n')
    return (None if hang else proc.returncode), text, hang


def parse(text, status, hang):
    """What one run reports: a dict of counts and a list of reasons it failed.

    The guest runs the fuzzer twice (user.warm: the kernel's harness then compares
    free frames around the second run only); each run ends with its summary line,
    and the counts of a run cut short are those of its rounds so far."""
    res = {'calls': 0, 'panics': 0, 'leaked': 0, 'hangs': 0, 'bad': 0, 'padding': 0,
           'other': 0}
    why = []
    summary = re.compile(r'^t_racefuzz: calls (\d+), bad results (\d+), unzeroed padding '
                         r'(\d+), leaked frames (\d+), hangs (\d+)', re.M)
    calls = bad = padding = leaked = hangs = 0
    m = None
    rest = text
    last_leaked = 0
    start = 0
    for i, m in enumerate(summary.finditer(text)):
        c, b, p, l, h = map(int, m.groups())
        # The first run fills kernel caches (user.warm): its frames count only when a round
        # of it also left processes or threads behind, which no cache explains.
        if i == 0 and not re.search(r'^FAIL: race round .* threads left', text[start:m.end()],
                                    re.M):
            l = 0
        calls, bad, padding, leaked, hangs = calls + c, bad + b, padding + p, leaked + l, hangs + h
        last_leaked = l
        start = m.end()
        rest = text[m.end():]
    # The kernel's own count over the second run (free frames before and after it): its
    # leaks are those the rounds saw, or more (frames lost between rounds).
    k = re.search(r'^KTEST info: .* free frames (\d+) -> (\d+)', text, re.M)
    if k and int(k.group(2)) < int(k.group(1)):
        lost = int(k.group(1)) - int(k.group(2))
        if lost > last_leaked:
            leaked += lost - last_leaked
            why.append(f'the kernel counted {lost} frames not given back by the second run')
    runs = len(summary.findall(text))
    rounds = re.findall(r'^race: round \d+ seed \S+: \d+ calls \(total (\d+),.*leaked frames '
                        r'(\d+), hangs (\d+)', rest, re.M)
    if rounds:
        calls += int(rounds[-1][0])
        leaked += int(rounds[-1][1])  # (the balance so far)
        hangs += sum(int(r[2]) for r in rounds)
        bad += len(re.findall(r'^FAIL: race worker .*(outside the error codes|not -ERR_NOSYS)',
                              rest, re.M))
        padding += len(re.findall(r'^FAIL: race worker .*not zeroed', rest, re.M))
    m = runs == 2
    res.update(calls=calls, bad=bad, padding=padding, leaked=leaked, hangs=hangs)
    if 'KERNEL PANIC' in text or status == 37:
        res['panics'] = 1
        line = re.search(r'^KERNEL PANIC.*$', text, re.M)
        why.append(line.group(0) if line else 'kernel panic')
    elif hang:
        res['hangs'] += 1
        why.append(f'hang: {hang}')
    elif status == 0 and not m:
        res['panics'] = 1
        why.append('the machine reset (or powered off) before the fuzzer ended')
    if leaked:
        why.append(f'{leaked} leaked frames')
    if hangs:
        why.append(f'{hangs} hangs reported by the guest')
    if bad:
        why.append(f'{bad} results outside the error codes')
    if padding:
        why.append(f'{padding} structures with padding not zeroed')
    if not why and (status != 33 or not re.search(r'^t_racefuzz: \d+ passed, 0 failed$', text,
                                                   re.M)):
        res['other'] = 1
        fails = re.findall(r'^FAIL: .*$', text, re.M)
        why.append(fails[0] if fails else f'the test failed (exit status {status})')
    return res, why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('build')
    ap.add_argument('--seconds', type=int, default=None, help='guest seconds in all')
    ap.add_argument('--calls', type=int, default=None, help='calls in all')
    ap.add_argument('--seed', type=lambda s: int(s, 0), default=None)
    ap.add_argument('--configs', default=None, help='e.g. smp1-single,smp4-multi')
    ap.add_argument('--hang-seconds', type=int, default=120)
    ap.add_argument('--guest', default='', help='more kernel command line, e.g. race.ops=0x21')
    ap.add_argument('--layer', action='store_true', help='also print "N passed, N failed"')
    args = ap.parse_args()

    configs = CONFIGS
    if args.configs:
        want = args.configs.split(',')
        configs = [c for c in CONFIGS if f'smp{c[0]}-{c[1]}' in want]
    if not configs:
        print('no configuration selected')
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), 'little')
    logdir = os.path.join(args.build, 'fuzz-kernel')
    os.makedirs(logdir, exist_ok=True)
    n = len(configs)
    if args.calls:
        share = f'race.calls={-(-args.calls // (2 * n))} race.seconds=0'
        wall = 0
        budget = f'{args.calls} calls'
    else:
        seconds = args.seconds if args.seconds else 600
        per = max(3, (seconds // n - 3 * BOOT_SECONDS) // 2)
        share = f'race.seconds={per}'
        wall = per * 10 + 900  # a backstop only: a busy host slows each round's set-up
        budget = f'{seconds} s'
    print(f'fuzz-kernel: seed 0x{seed:x}, {budget} over {n} configurations '
          f'(replay: make fuzz-kernel FUZZ_SEED=0x{seed:x} ...)', flush=True)

    total = {'calls': 0, 'panics': 0, 'leaked': 0, 'hangs': 0, 'bad': 0, 'padding': 0,
             'other': 0}
    passed = failed = 0
    for i, (smp, accel) in enumerate(configs):
        name = f'smp{smp}-{accel}'
        run_seed = (seed * 0x9e3779b1 + i) & 0xffffffffffff
        cmdline = f'race.seed=0x{run_seed:x} {share} {args.guest}'.strip()
        cmd = qemu_cmd(args.build, smp, accel, cmdline)
        mon = os.path.join(logdir, f'{name}.mon')
        if os.path.exists(mon):
            os.unlink(mon)
        log = os.path.join(logdir, f'{name}-0x{run_seed:x}.log')
        t0 = time.monotonic()
        status, text, hang = run_qemu(
            qemu_cmd(args.build, smp, accel, cmdline, f'unix:{mon},server=on,wait=off'), log,
            args.hang_seconds, wall, mon, os.path.join(args.build, 'orbital.elf'))
        dt = time.monotonic() - t0
        res, why = parse(text, status, hang)
        for k in total:
            total[k] += res[k]
        rate = re.findall(r'^race: round .*\((?:total \d+), (\d+)/s\)', text, re.M)
        line = (f'{name} seed 0x{run_seed:x}: {res["calls"]} calls'
                f'{" (" + rate[-1] + "/s)" if rate else ""} in {dt:.0f} s')
        if why:
            failed += 1
            print(f'FAIL  {line}: {"; ".join(why)}', flush=True)
            print(f'      log: {log}', flush=True)
            print(f'      replay: {" ".join(cmd)}', flush=True)
        else:
            passed += 1
            print(f'PASS  {line}', flush=True)
    print(f'fuzz-kernel: other failures {total["bad"] + total["padding"] + total["other"]} '
          f'(results outside the error codes {total["bad"]}, unzeroed padding '
          f'{total["padding"]}, other {total["other"]})')
    print(f'calls {total["calls"]}, kernel panics {total["panics"]}, leaked frames '
          f'{total["leaked"]}, hangs {total["hangs"]}', flush=True)
    if args.layer:
        print(f'{passed} passed, {failed} failed')
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
