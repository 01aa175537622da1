#!/usr/bin/env python3
"""The PS/2 keyboard path under QEMU: keys typed through QEMU's monitor
(`sendkey`) reach the ring-3 keyboard driver (user/bin/kbd.c) through IRQ 1
and the i8042, and its messages reach the test program tests/user/t_kbd.c.

The kernel runs t_kbd as init (`test=user init=t_kbd user.warm`: twice, the
second run measured for leaks). Each run prints "t_kbd: ready for keys: K1 K2
..." once its driver is up; this script then types those keys (QEMU key
names) through the monitor socket, one `sendkey` at a time. t_kbd checks what
arrived and prints its own "ok:"/"FAIL:" lines; the kernel's harness leaves
QEMU through isa-debug-exit with 33 when the program exited 0 and nothing
leaked. This script adds its own checks and prints one line per check and a
last line "N passed, N failed"; its exit status is 0 exactly when nothing
failed.

Usage: tests/qemu/kbd_test.py [BUILD_DIR] [--smp N] [--timeout SECONDS]
"""
import re
import sys
import time

from qemu_session import Qemu, begin

EXIT_PASS = 33
READY = re.compile(r'^t_kbd: ready for keys: (.*)$')
KEY_NAME = re.compile(r'^[a-z0-9_]+(-[a-z0-9_]+)*$')
RUNS = 2  # user.warm: a warm-up run, then the measured one


def wait_ready(serial, count, deadline):
    """Waits until `count` lines match READY; returns the matches (fewer on timeout or EOF)."""
    def found():
        return [m for m in map(READY.match, serial.lines()) if m]
    serial.wait_until(lambda: len(found()) >= count, deadline)
    return found()


def type_keys(qemu, check, deadline):
    """In each run: waits for t_kbd's "ready" line, then types the keys it names."""
    mon = qemu.monitor(deadline)
    for run in range(RUNS):
        ready = wait_ready(qemu.serial, run + 1, deadline)
        if not check(len(ready) > run, f'run {run + 1}: t_kbd says it is ready for keys'):
            return
        keys = ready[run].group(1).split()
        if not check(keys and all(KEY_NAME.match(k) for k in keys),
                     f'run {run + 1}: keys to type: {" ".join(keys)}'):
            return
        for k in keys:
            # The monitor answers a good key quietly, an unknown one with a message.
            reply = mon.command(f'sendkey {k}')
            check(reply == '', f'run {run + 1}: sendkey {k}' + (f': {reply}' if reply else ''))
            time.sleep(0.25)  # sendkey holds the key down for 100 ms


def main():
    args, check, files = begin(__doc__, timeout=180)
    if not files:
        return 1

    deadline = time.monotonic() + args.timeout
    with Qemu(*files, args.smp, monitor=True, debug_exit=True,
              append='test=user init=t_kbd user.warm', typing=False,
              tmp_prefix='orb-kbd-') as qemu:
        status = qemu.run(check, lambda: type_keys(qemu, check, deadline), deadline,
                          args.timeout)
    text = '\n'.join(qemu.serial.lines())
    qemu.write_log(args.build, 'kbd', args.smp, text)

    def has(pattern):
        return re.search(pattern, text, re.M) is not None

    check(status == EXIT_PASS, f'the kernel test passed (QEMU exit status {status}, '
                               f'want {EXIT_PASS})')
    check(len(re.findall(r'^t_kbd: [1-9]\d* passed, 0 failed$', text, re.M)) == RUNS,
          't_kbd passed its checks in both runs')
    check(not has(r'^FAIL: '), 'no check of t_kbd failed')
    check(not has(r'KERNEL PANIC'), 'no kernel panic')
    check(has(r"^ok: key 2 \(sendkey shift-a\) = 0x41 "), 'Shift-A arrived as \'A\'')
    check(has(r'^ok: key 4 \(sendkey ctrl-c\) = 0x3 '), 'Ctrl-C arrived as 3')
    check(has(r'^ok: \.\.\. it is killed by the fault on port 0x64'),
          'the driver without port 0x64 was killed by its fault')
    check(has(r'^warning: fault: process kbd \(pid \d+\), .*General Protection Fault.*'
              r'process killed'), 'the kernel logged that fault')
    check(has(r'^kbd: i8042 ready'), 'the driver set up the i8042')
    check(has(r'KTEST info: t_kbd exited with status 0;'), 't_kbd exited with status 0')
    return check.finish(text)


if __name__ == '__main__':
    sys.exit(main())
