#!/usr/bin/env python3
"""The console server under QEMU: output, line input typed on the serial
port, Ctrl-C, and the kernel log on the screen after the server takes it.

The kernel runs tests/user/t_console.c as init (`test=user init=t_console
user.warm`: twice, the second run measured for leaks). t_console starts
/bin/console (user/bin/console/) with COM1, IRQ 4 and the screen, and acts as
its client. Whenever it prints "t_console: prompt N: ...", this script types
the input for step N into QEMU's serial port (stdin with `-serial stdio`):

  1  "hello\\b\\bp me\\r"     t_console must read exactly "help me"
  2  "abc\\x03"               Ctrl-C: the pending read gets -ERR_AGAIN
  3  "\\x03"                  Ctrl-C with no read pending kills the foreground
  4  "junk\\x15one\\rtwo\\r"    Ctrl-U, then two lines (the second typed ahead)

t_console starts the console twice (polling with an endpoint [RECV] only,
then with its interrupt thread) and prints its own "ok:"/"FAIL:" lines
(among them: the written line and kernel log lines are found in the
screen's memory); the kernel's harness
leaves QEMU through isa-debug-exit with 33 when it exited 0 and nothing
leaked. This script adds its own checks on the serial output (the line
written with CON_WRITE, the echo) and prints one line per check and a last
line "N passed, N failed"; its exit status is 0 exactly when nothing failed.
Every wait is bounded by --timeout.

Usage: tests/qemu/console_test.py [BUILD_DIR] [--smp N] [--timeout SECONDS]
"""
import re
import sys
import time

from qemu_session import Qemu, begin

EXIT_PASS = 33
RUNS = 2  # user.warm: a warm-up run, then the measured one
PROMPT = re.compile(rb't_console: prompt (\d): ')
INPUT = {
    b'1': b'hello\b\bp me\r',
    b'2': b'abc\x03',
    b'3': b'\x03',
    b'4': b'junk\x15one\rtwo\r',
}
MARKER = 't_console: WRITE-MARKER-5a17 through the console'


def wait_prompt(serial, index, deadline):
    """Waits for the index-th prompt (0-based); returns its step number or None."""
    def found():
        return PROMPT.findall(serial.data)
    if serial.wait_until(lambda: len(found()) > index, deadline):
        return found()[index]
    return None


def type_input(qemu, check, deadline, typed):
    """At each prompt, types the input for its step; appends the steps to typed."""
    for i in range(RUNS * len(INPUT)):
        step = wait_prompt(qemu.serial, i, deadline)
        if not check(step is not None, f'prompt {i + 1} of {RUNS * len(INPUT)} appeared'):
            return
        qemu.type(INPUT[step])
        typed.append(step)


def main():
    args, check, files = begin(__doc__, timeout=240)
    if not files:
        return 1

    deadline = time.monotonic() + args.timeout
    typed = []
    with Qemu(*files, args.smp, cpu='max', mem='256M', debug_exit=True,
              append='test=user init=t_console user.warm') as qemu:
        status = qemu.run(check, lambda: type_input(qemu, check, deadline, typed), deadline,
                          args.timeout)
    raw = qemu.serial.raw()
    text = raw.decode('utf-8', 'replace').replace('\r\n', '\n')
    qemu.write_log(args.build, 'console', args.smp, text)

    def count(pattern):
        return len(re.findall(pattern, text, re.M))

    check(typed == [b'1', b'2', b'3', b'4'] * RUNS,
          f'the prompts came in order: {b" ".join(typed).decode()}')
    check(status == EXIT_PASS, f'the kernel test passed (QEMU exit status {status}, '
                               f'want {EXIT_PASS})')
    check(count(r'^t_console: [1-9]\d* passed, 0 failed$') == RUNS,
          't_console passed its checks in both runs')
    check(count(r'^FAIL: ') == 0, 'no check of t_console failed')
    check(count(r'KERNEL PANIC') == 0, 'no kernel panic')
    check(count(r'^console: ready \(screen text, no cursor, polling\)$') == RUNS,
          'the polling console (endpoint [RECV] only) took the VGA text screen in both runs')
    check(count(r'^console: ready \(screen text, hardware cursor, interrupt thread\)$') == RUNS,
          'the interrupt-thread console took the VGA text screen in both runs')
    check(count('^' + re.escape(MARKER) + '$') == RUNS,
          'the line written with CON_WRITE reached the serial port (as "\\r\\n" lines)')
    check(raw.count(b'hello\b \b\b \bp me\r\n') == RUNS,
          'backspace echoed as "\\b \\b" on the serial port, Enter as "\\r\\n"')
    check(count(r'^t_console: got line "help me"$') == RUNS, 't_console read "help me"')
    check(raw.count(b'abc^C\r\n') == RUNS, 'Ctrl-C echoed as "^C"')
    check(count(r'^console: Ctrl-C: foreground process killed \(0\)$') == RUNS,
          'Ctrl-C with no read pending killed the foreground process')
    for mode in ('polling', 'thread'):
        check(count(r'^ok: the kernel log reaches the screen after SCREEN_TAKE \(%s\)$' % mode)
              == RUNS, f'the kernel log reached the screen after SCREEN_TAKE ({mode} console)')
    check(count(r'KTEST info: t_console exited with status 0;') == 1,
          't_console exited with status 0 in the measured run')
    return check.finish(text)


if __name__ == '__main__':
    sys.exit(main())
