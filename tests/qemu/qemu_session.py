"""Driving one QEMU run for the interactive tests (tests/qemu/*_test.py).

Owns what those scripts share: their command line (`SCRIPT.py [BUILD]
[--smp N] [--timeout SECONDS]`), starting QEMU with the serial port on stdio
and optionally the human monitor on a Unix socket (for `sendkey`), reading
the serial output in a thread and waiting, bounded by a deadline, for what
must appear in it, the checks ("ok: ..."/"FAIL: ..." lines), the log file
BUILD/test-logs/NAME_smpN.log, and the closing "N passed, N failed" line with
the exit status (0 exactly when no check failed). What each script types and
checks stays in that script.

Invariants: every wait takes a deadline or timeout; QEMU runs in its own
session and is killed, its monitor socket closed and its temporary directory
removed when the `with Qemu(...)` block ends, however it ends. The serial
output is only ever appended to, so offsets into it stay valid.
"""
import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time


def parse_args(doc, timeout, timeout_help=None):
    """The scripts' command line: [BUILD_DIR] [--smp N] [--timeout SECONDS]."""
    ap = argparse.ArgumentParser(description=doc.split('\n')[0])
    ap.add_argument('build', nargs='?', default='build')
    ap.add_argument('--smp', type=int, default=1)
    ap.add_argument('--timeout', type=float, default=timeout, help=timeout_help)
    return ap.parse_args()


def begin(doc, timeout, timeout_help=None):
    """A script's start: (its arguments, its Checks, (kernel, initrd) or None
    when they are missing, the failure already reported)."""
    args = parse_args(doc, timeout, timeout_help)
    check = Checks()
    return args, check, check.boot_files(args.build)


class Checks:
    """The checks of one script: check(ok, what) prints "ok: what" or
    "FAIL: what" and returns whether ok was true."""

    def __init__(self):
        self.results = []

    def __call__(self, ok, what):
        self.results.append(bool(ok))
        print(f'{"ok" if ok else "FAIL"}: {what}', flush=True)
        return bool(ok)

    def boot_files(self, build):
        """(kernel, initrd) in build, or None (after the failing check and the
        closing line) when either is missing."""
        kernel = os.path.join(build, 'orbital.elf')
        initrd = os.path.join(build, 'bootfs.cpio')
        if not self(os.path.exists(kernel) and os.path.exists(initrd),
                    f'{kernel} and {initrd} exist'):
            print('0 passed, 1 failed')
            return None
        return kernel, initrd

    def finish(self, text):
        """Prints the end of the serial text if anything failed, then the closing
        line; returns the exit status."""
        ok = all(self.results)
        if not ok:
            print('--- serial output (last 60 lines) ---')
            print('\n'.join(text.split('\n')[-60:]))
        npass = sum(self.results)
        print(f'{npass} passed, {len(self.results) - npass} failed')
        return 0 if ok else 1


class Serial:
    """QEMU's serial output, read by a thread. Kept as the raw bytes (data) and
    as text (latin-1, '\\r' dropped), with each chunk's arrival time so that a
    match in the text can be timed."""

    def __init__(self, stream):
        self.data, self.text = b'', ''
        self.times = []  # (end offset in text, arrival time)
        self.cond, self.done = threading.Condition(), False
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        while True:
            chunk = os.read(stream.fileno(), 4096)
            if not chunk:
                break
            with self.cond:
                self.data += chunk
                self.text += chunk.decode('latin-1').replace('\r', '')
                self.times.append((len(self.text), time.monotonic()))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_until(self, ready, deadline):
        """Waits until ready() is true (called with the output locked), the output
        ends, or the deadline (time.monotonic()) passes; returns ready()."""
        with self.cond:
            while True:
                res = ready()
                if res or self.done:
                    return res
                left = deadline - time.monotonic()
                if left <= 0:
                    return res
                self.cond.wait(min(left, 0.2))

    def wait(self, regex, start, timeout):
        """The first match of regex in the text from offset start, waiting up to timeout."""
        return self.wait_until(lambda: regex.search(self.text, start),
                               time.monotonic() + timeout)

    def mark(self):
        with self.cond:
            return len(self.text)

    def arrival(self, offset):
        """When the character at offset of the text arrived."""
        with self.cond:
            for end, t in self.times:
                if end > offset:
                    return t
        return time.monotonic()

    def raw(self):
        with self.cond:
            return self.data

    def lines(self):
        """The complete lines so far (UTF-8, line ends stripped); a last line
        without its newline only once the output has ended."""
        with self.cond:
            parts = self.data.split(b'\n')
            last = parts.pop()
            if self.done and last:
                parts.append(last)
        return [p.decode('utf-8', 'replace').rstrip('\r\n') for p in parts]


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


class Qemu:
    """One QEMU process: serial port on stdio (read into self.serial; stdin a
    pipe to type into, or /dev/null), the monitor on a Unix socket if asked,
    isa-debug-exit if asked (the kernel's test harness leaves through it).
    Use as a context manager: leaving the block kills what is left."""

    def __init__(self, kernel, initrd, smp, cpu='qemu64', mem='128M', monitor=False,
                 debug_exit=False, append=None, typing=True, tmp_prefix='orb-qemu-'):
        self.tmp = tempfile.mkdtemp(prefix=tmp_prefix) if monitor else None
        self.mon = None
        self.cmd = ['qemu-system-x86_64', '-M', 'pc', '-cpu', cpu, '-m', mem,
                    '-smp', str(smp), '-display', 'none', '-serial', 'stdio']
        if monitor:
            self.cmd += ['-monitor', f'unix:{self.monitor_path()},server,nowait']
        self.cmd += ['-no-reboot']
        if debug_exit:
            self.cmd += ['-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
        self.cmd += ['-kernel', kernel, '-initrd', initrd]
        if append is not None:
            self.cmd += ['-append', append]
        self.proc = subprocess.Popen(self.cmd,
                                     stdin=subprocess.PIPE if typing else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.serial = Serial(self.proc.stdout)

    def monitor_path(self):
        return os.path.join(self.tmp, 'monitor.sock')

    def monitor(self, deadline):
        """Connects to the monitor (retrying until deadline); raises OSError."""
        self.mon = Monitor(self.monitor_path(), deadline)
        return self.mon

    def type(self, data):
        """Types bytes into the serial port."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait(self, timeout):
        """QEMU's exit status; raises subprocess.TimeoutExpired."""
        return self.proc.wait(timeout=timeout)

    def run(self, check, drive, deadline, timeout):
        """Calls drive(), then waits for QEMU to exit by deadline; returns its exit
        status. An OSError or the deadline is a failed check, and QEMU is killed."""
        try:
            drive()
            return self.proc.wait(timeout=max(1, deadline - time.monotonic()))
        except (OSError, subprocess.TimeoutExpired) as e:
            check(False, f'QEMU ran and finished in {timeout:.0f} s ({e})')
            self.proc.kill()
            return self.proc.wait()

    def write_log(self, build, name, smp, text):
        """BUILD/test-logs/NAME_smpN.log: the command line and the serial text."""
        logdir = os.path.join(build, 'test-logs')
        os.makedirs(logdir, exist_ok=True)
        with open(os.path.join(logdir, f'{name}_smp{smp}.log'), 'w') as f:
            f.write(' '.join(self.cmd) + '\n\n' + text + '\n')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.mon:
            self.mon.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.serial.thread.join(5)
        return False
