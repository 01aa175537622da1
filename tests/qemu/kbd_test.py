#!/usr/bin/env python3
"""The PS/2 keyboard path under QEMU: keys typed through QEMU's monitor
(`sendkey`) reach the ring-3 keyboard driver (user/bin/kbd.c) through IRQ 1
and the i8042, and its messages reach the test program user/tests/t_kbd.c.

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
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

EXIT_PASS = 33
READY = re.compile(r'^t_kbd: ready for keys: (.*)$')
KEY_NAME = re.compile(r'^[a-z0-9_]+(-[a-z0-9_]+)*$')
RUNS = 2  # user.warm: a warm-up run, then the measured one


class Output:
    """QEMU's serial output, read by a thread, as whole lines."""

    def __init__(self, stream):
        self.lines, self.cond, self.done = [], threading.Condition(), False
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for raw in iter(stream.readline, b''):
            line = raw.decode('utf-8', 'replace').rstrip('\r\n')
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, regex, count, deadline):
        """Waits until `count` lines match; returns the matches (fewer on timeout or EOF)."""
        with self.cond:
            while True:
                found = [m for m in map(regex.match, self.lines) if m]
                if len(found) >= count or self.done:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return found
                self.cond.wait(min(left, 0.5))

    def text(self):
        with self.cond:
            return '\n'.join(self.lines)


class Monitor:
    """QEMU's human monitor on a Unix socket."""

    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(10)
        self._until_prompt()

    def _until_prompt(self):
        buf = b''
        while not buf.endswith(b'(qemu) '):
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError('monitor closed')
            buf += chunk
        return buf.decode('utf-8', 'replace')

    def command(self, cmd):
        """Runs a command; returns its message (empty when it succeeded quietly)."""
        self.sock.sendall(cmd.encode() + b'\n')
        # The reply is the echo of the command (with terminal escapes), "\r\n", the
        # message if any, then the prompt.
        reply = self._until_prompt()[:-len('(qemu) ')]
        return reply.split('\r\n', 1)[1].strip() if '\r\n' in reply else ''

    def close(self):
        self.sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build', nargs='?', default='build')
    ap.add_argument('--smp', type=int, default=1)
    ap.add_argument('--timeout', type=float, default=180)
    args = ap.parse_args()

    results = []

    def check(ok, what):
        results.append(ok)
        print(f'{"ok" if ok else "FAIL"}: {what}', flush=True)
        return ok

    kernel = os.path.join(args.build, 'orbital.elf')
    initrd = os.path.join(args.build, 'bootfs.cpio')
    if not check(os.path.exists(kernel) and os.path.exists(initrd),
                 f'{kernel} and {initrd} exist'):
        print('0 passed, 1 failed')
        return 1

    tmp = tempfile.mkdtemp(prefix='orb-kbd-')
    sock_path = os.path.join(tmp, 'monitor.sock')
    cmd = ['qemu-system-x86_64', '-M', 'pc', '-cpu', 'qemu64', '-m', '128M',
           '-smp', str(args.smp), '-display', 'none', '-serial', 'stdio',
           '-monitor', f'unix:{sock_path},server,nowait', '-no-reboot',
           '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
           '-kernel', kernel, '-initrd', initrd,
           '-append', 'test=user init=t_kbd user.warm']
    deadline = time.monotonic() + args.timeout
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    out = Output(qemu.stdout)
    mon = None
    try:
        mon = Monitor(sock_path, deadline)
        for run in range(RUNS):
            ready = out.wait_for(READY, run + 1, deadline)
            if not check(len(ready) > run, f'run {run + 1}: t_kbd says it is ready for keys'):
                break
            keys = ready[run].group(1).split()
            if not check(keys and all(KEY_NAME.match(k) for k in keys),
                         f'run {run + 1}: keys to type: {" ".join(keys)}'):
                break
            for k in keys:
                # The monitor answers a good key quietly, an unknown one with a message.
                reply = mon.command(f'sendkey {k}')
                check(reply == '', f'run {run + 1}: sendkey {k}' + (f': {reply}' if reply else ''))
                time.sleep(0.25)  # sendkey holds the key down for 100 ms
        status = qemu.wait(timeout=max(1, deadline - time.monotonic()))
    except (OSError, subprocess.TimeoutExpired) as e:
        check(False, f'QEMU ran and finished in {args.timeout:.0f} s ({e})')
        qemu.kill()
        status = qemu.wait()
    finally:
        if mon:
            mon.close()
        shutil.rmtree(tmp, ignore_errors=True)
    out.thread.join(5)
    text = out.text()

    logdir = os.path.join(args.build, 'test-logs')
    os.makedirs(logdir, exist_ok=True)
    with open(os.path.join(logdir, f'kbd_smp{args.smp}.log'), 'w') as f:
        f.write(' '.join(cmd) + '\n\n' + text + '\n')

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
    if not all(results):
        print('--- serial output (last 60 lines) ---')
        print('\n'.join(text.split('\n')[-60:]))
    npass = sum(results)
    print(f'{npass} passed, {len(results) - npass} failed')
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
