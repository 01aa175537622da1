#!/usr/bin/env python3
"""Soak: the SMP and user-space QEMU cases of tests/qemu/run.py, over and over,
under changing interleavings, until a run count or a time limit.

A failure that shows up once in a hundred runs is a bug like any other; this
is how it shows up. Each run takes the next case and the next QEMU variant:
TCG with one thread for every vCPU (`-accel tcg,thread=multi`: real
parallelism, host-scheduled), TCG on a single host thread (vCPUs take turns
in slices), and single-threaded TCG with instruction counting at
`-icount shift=0`, `3` and `7` (guest time derived from instructions
executed: 1, 8 and 128 ns each, so timer interrupts land at other
instructions, and deterministically for a given shift). The cases themselves
cover -smp 1, 2, 4 and 8 (their checks depend on the CPU count, so the soak
does not change it). The first round runs every case once; later rounds
shuffle (seeded) and move each case on to another variant.

Usage: tests/qemu/soak.py BUILD_DIR [--minutes M] [--runs N] [--only REGEX]
                          [--min-cpus K] [--variants NAME,...] [--jobs J] [--seed S]
  --minutes  start no run after M minutes (default 30)
  --runs     at most N runs of each case (default 0: no limit)
  --only     cases whose name matches REGEX (default: every case with more
             than one CPU or a user-space program)
  --min-cpus only the cases with at least K CPUs (2: the SMP cases)
SIGINT or SIGTERM ends the soak early as the time limit does: no run is
started after it, the runs in progress finish, and the summary is printed.
Prints, per case, its runs and failures, and for each failure the log's path
and its last lines; then one line "N passed, N failed" counting runs.
Logs: BUILD_DIR/test-logs/soak/CASE@VARIANT.N.log (every run; kept).
"""
import argparse
import concurrent.futures
import os
import random
import signal
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (tests/qemu/run.py)

# Name, -accel, -icount, timeout factor (guest time is slower than host time
# at shift=0 on a loaded host; the others keep the cases' own timeouts).
VARIANTS = [
    run.Variant('multi', 'tcg,thread=multi', None, 1.0),
    run.Variant('single', 'tcg,thread=single', None, 1.5),
    run.Variant('icount0', 'tcg,thread=single', 'shift=0', 3.0),
    run.Variant('icount3', 'tcg,thread=single', 'shift=3', 1.5),
    run.Variant('icount7', 'tcg,thread=single', 'shift=7', 1.5),
]
TAIL = 30


def soak_cases(build, only, min_cpus=1):
    cs = [c for c in run.cases(build) if (c.smp > 1 or c.ktest == 'user') and c.smp >= min_cpus]
    if only:
        cs = [c for c in cs if re.search(only, c.name)]
    return cs


def host_threads(case, variant):
    """The host threads a run keeps busy: one for all vCPUs under single-threaded TCG
    (with or without -icount), else one per vCPU (QEMU's default here is multi-threaded)."""
    return 1 if 'thread=single' in (variant.accel or '') else case.smp


def case_variants(case, variants):
    """The variants a case runs under: all, or those its soak_variants names (a case
    whose premise one of them breaks says so where it is defined)."""
    return [v for v in variants if case.soak_variants is None or v.name in case.soak_variants]


def schedule(cases, variants, rng):
    """Yields (case, variant, round) for ever: every case once per round, the
    variant moving on each round."""
    rnd = 0
    cases = [c for c in cases if case_variants(c, variants)]
    while cases:
        order = list(range(len(cases)))
        if rnd > 0:
            rng.shuffle(order)
        for i in order:
            vs = case_variants(cases[i], variants)
            yield cases[i], vs[(i + rnd) % len(vs)], rnd
        rnd += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build')
    ap.add_argument('--minutes', type=float, default=30)
    ap.add_argument('--runs', type=int, default=0)
    ap.add_argument('--only', default=None)
    ap.add_argument('--min-cpus', type=int, default=1)
    ap.add_argument('--variants', default=None, help='comma list of ' +
                    ','.join(v.name for v in VARIANTS))
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    variants = VARIANTS
    if args.variants:
        names = args.variants.split(',')
        variants = [v for v in VARIANTS if v.name in names]
        if len(variants) != len(names):
            print(f'unknown variant in {args.variants}')
            print('0 passed, 1 failed')
            return 1
    cases = soak_cases(args.build, args.only, args.min_cpus)
    if not cases:
        print(f'no case matches {args.only}')
        print('0 passed, 1 failed')
        return 1
    logdir = os.path.join(args.build, 'test-logs', 'soak')
    os.makedirs(logdir, exist_ok=True)
    for c in cases:
        if c.boot != 'kernel':
            run.iso_for(args.build, c.kernel or os.path.join(args.build, 'orbital.elf'), c.ktest)

    deadline = [time.monotonic() + args.minutes * 60]

    def stop_early(signum, frame):  # no new run; the summary still comes
        deadline[0] = 0
        print(f'soak: signal {signum}: finishing the runs in progress', flush=True)

    signal.signal(signal.SIGINT, stop_early)
    signal.signal(signal.SIGTERM, stop_early)
    rng = random.Random(args.seed)
    stats = {c.name: [0, 0, []] for c in cases}  # runs, failures, [(log, why, tail)]
    counter = {}
    ncores = os.cpu_count() or 2
    print(f'soak: {len(cases)} cases, variants {",".join(v.name for v in variants)}, '
          f'{args.minutes:g} minutes, runs per case {args.runs or "unlimited"}', flush=True)

    def want_more(case):
        return not args.runs or stats[case.name][0] + pending.get(case.name, 0) < args.runs

    pending = {}
    held = []  # a scheduled run waiting for the pool to drain
    sched = schedule(cases, variants, rng)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        running = {}
        while True:
            # Fill the pool; a run with more host threads than host cores runs alone.
            while time.monotonic() < deadline[0] and len(running) < max(1, args.jobs):
                if args.runs and all(not want_more(c) for c in cases):
                    break
                item = held.pop() if held else next(sched, None)
                if item is None:  # (no case can run under the variants chosen)
                    break
                case, variant, rnd = item
                if not want_more(case):
                    continue
                heavy = host_threads(case, variant) > ncores
                if running and (heavy or any(host_threads(c, v) > ncores
                                             for c, v, _ in running.values())):
                    # Wait for the pool to drain before a heavy case (or after one).
                    held.append((case, variant, rnd))
                    break
                n = counter[case.name] = counter.get(case.name, 0) + 1
                log = f'{case.name}@{variant.name}.{n}'
                pending[case.name] = pending.get(case.name, 0) + 1
                fut = pool.submit(run.run_case, args.build, case, logdir, variant, log)
                running[fut] = (case, variant, log)
            if not running:
                break
            done, _ = concurrent.futures.wait(list(running),
                                              return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                case, variant, log = running.pop(fut)
                pending[case.name] -= 1
                _, ok, why, dt, text = fut.result()
                st = stats[case.name]
                st[0] += 1
                path = os.path.join(logdir, log + '.log')
                if ok:
                    print(f'PASS  {log} ({dt:.1f} s)', flush=True)
                else:
                    st[1] += 1
                    tail = '\n'.join(text.strip().splitlines()[-TAIL:])
                    st[2].append((path, why, tail))
                    print(f'FAIL  {log}: {why} ({dt:.1f} s), log {path}', flush=True)

    print('== soak summary (per case: runs, failures)')
    passed = failed = smp_runs = smp_failed = 0
    for c in cases:
        runs, fails, logs = stats[c.name]
        passed += runs - fails
        failed += fails
        if c.smp > 1:
            smp_runs += runs
            smp_failed += fails
        print(f'{"FAIL" if fails else "ok  "}  {c.name}: {runs} runs, {fails} failures')
        for path, why, tail in logs:
            print(f'      {why}; log {path}')
            print('      ' + tail.replace('\n', '\n      '))
    print(f'SMP case-runs (more than one CPU): {smp_runs}, failures {smp_failed}')
    print(f'{passed} passed, {failed} failed')
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == '__main__':
    sys.exit(main())
