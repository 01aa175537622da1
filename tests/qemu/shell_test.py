#!/usr/bin/env python3
"""A scripted session with the shell, over the serial console and the PS/2
keyboard, on the whole system as `make run` boots it.

QEMU boots build/orbital.elf with build/bootfs.cpio and no kernel command
line, so init starts the services (ns, vfs, console, kbd) and the shell.
The script drives the serial port (QEMU's stdio) and the monitor (a Unix
socket, for `sendkey`): it waits for the prompt "orbital$ ", types a
command, and waits (with a timeout) for what must come back before the next
prompt. The session:

  ls /bin              lists the shell's programs
  cat /etc/motd        shows the boot archive's etc/motd (read from the archive)
  echo hi > /tmp/x     prints nothing; cat /tmp/x then shows "hi"
  mkdir /tmp/d         ls /tmp shows d/; rm /tmp/d; ls /tmp no longer does
  ps                   lists the services ns, vfs, console, kbd, sh (running)
  dmesg                shows the kernel log; /bin/dmesg (run by its path, so not
                       given the shell's Log capability) is refused
  cat, 40 times        still works: every command detaches from the VFS at exit
  fault                "sh: fault: killed by a fault", the prompt comes back
  t_quota hog          a runaway command (Memory objects until refused) is stopped by
                       its quota (the shell's share for it) with memory left; ps
                       shows the services running; mem shows the command's quota
  an unknown command   "sh: NAME: command not found"
  sendkey "echo kb"    typed on the PS/2 keyboard: "kb" appears on the serial port
  kill <console pid>   init restarts it within a second (the kill and the new
                       instance's "ready" line at most 1 s apart), ps shows
                       a new pid, and a file written to /tmp before is still
                       there (docs/services.md: files survive the crash of
                       any other service)
  kill <vfs pid>       the same for the VFS; its files are gone (a RAM file
                       system: docs/services.md), and the shell still works
                       (it attaches again): write and read a file
  halt                 QEMU powers off with exit status 0

One line per check, then "N passed, N failed"; the exit status is 0 exactly
when nothing failed. The serial output goes to BUILD/test-logs/shell_smpN.log.

Usage: tests/qemu/shell_test.py [BUILD_DIR] [--smp N] [--timeout SECONDS]
"""
import re
import subprocess
import sys
import time

from qemu_session import Qemu, begin

PROMPT = 'orbital$ '
PROGRAMS = ['help', 'ls', 'cat', 'echo', 'mkdir', 'rm', 'ps', 'kill', 'mem', 'uptime', 'bench',
            'reboot', 'halt', 'fault', 'sh', 'dmesg']
SERVICES = ['ns', 'vfs', 'console', 'kbd', 'sh']
VFS_RUNS = 40  # more than the VFS server's client records
RESTART_S = 1.0  # a killed service is back within this (docs/services.md)


def archive_file(path, name):
    """The contents of name in a cpio "newc" archive (None if absent)."""
    with open(path, 'rb') as f:
        data = f.read()
    off = 0
    while off + 110 <= len(data) and data[off:off + 6] == b'070701':
        hdr = data[off:off + 110]
        size, namesize = int(hdr[54:62], 16), int(hdr[94:102], 16)
        fname = data[off + 110:off + 110 + namesize - 1].decode()
        start = (off + 110 + namesize + 3) & ~3
        if fname == 'TRAILER!!!':
            break
        if fname == name:
            return data[start:start + size]
        off = (start + size + 3) & ~3
    return None


def key_names(text):
    """QEMU sendkey names for the characters of text (lower case, digits, space, '>')."""
    names = {' ': 'spc', '>': 'shift-dot', '/': 'slash', '.': 'dot', '-': 'minus'}
    return [names.get(c, c) for c in text]


class Session:
    """Typing commands at the prompt and collecting what each printed."""

    def __init__(self, qemu, check, timeout):
        self.qemu, self.serial, self.check, self.timeout = qemu, qemu.serial, check, timeout

    def run(self, cmd, timeout=None):
        """Types cmd; returns (its output up to the next prompt, the offset it starts at),
        or (None, offset) if the prompt did not come back."""
        start = self.serial.mark()
        self.qemu.type(cmd.encode() + b'\r')
        return self.collect(start, timeout)

    def collect(self, start, timeout=None):
        # The echo of the line, then the output, then the next prompt.
        m = self.serial.wait(re.compile(re.escape(PROMPT)), start, timeout or self.timeout)
        if not m:
            return None, start
        return self.serial.text[start:m.start()], start


def service_pids(ps_out):
    """{service: (pid, state)} from the SERVICE table of ps's output."""
    table = {}
    for m in re.finditer(r'^(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$', ps_out or '', re.M):
        table[m.group(1)] = (int(m.group(2)), m.group(4))
    return table


def session(s, mon, check, archive):
    """The scripted session; returns when a step leaves the shell unusable."""
    def lines(out):
        return [ln.strip() for ln in (out or '').split('\n')]

    out, _ = s.run('ls /bin')
    names = {ln.split()[-1] for ln in lines(out) if ln}
    missing = [p for p in PROGRAMS if p not in names]
    check(out is not None and not missing,
          'ls /bin lists the programs' + (f' (missing: {" ".join(missing)})' if missing else ''))

    motd = archive_file(archive, 'etc/motd')
    out, _ = s.run('cat /etc/motd')
    want = (motd or b'').decode('latin-1').strip()
    check(motd is not None and out is not None and want and want in out,
          f'cat /etc/motd shows the archive\'s file ({want[:40]!r})')

    out, _ = s.run('echo hi > /tmp/x')
    check(out is not None and 'hi' not in lines(out), 'echo hi > /tmp/x prints nothing')
    out, _ = s.run('cat /tmp/x')
    check(out is not None and 'hi' in lines(out), 'cat /tmp/x shows hi')

    out, _ = s.run('mkdir /tmp/d')
    check(out is not None and 'mkdir:' not in out, 'mkdir /tmp/d')
    out, _ = s.run('ls /tmp')
    check(out is not None and re.search(r'^\s*\d+\s+d/$', out, re.M), 'ls /tmp shows d/')
    out, _ = s.run('rm /tmp/d')
    check(out is not None and 'rm:' not in out, 'rm /tmp/d')
    out, _ = s.run('ls /tmp')
    check(out is not None and not re.search(r'\sd/$', out, re.M), 'ls /tmp no longer shows d/')

    out, _ = s.run('ps')
    svcs = service_pids(out)
    bad = [n for n in SERVICES if svcs.get(n, (0, ''))[1] != 'running']
    check(out is not None and not bad,
          'ps lists the services running' + (f' (not: {" ".join(bad)})' if bad else ''))
    kernel_names = re.findall(r'^\s*\d+\s+\d+\s+alive\s+(\S+)$', out or '', re.M)
    check('ps' in kernel_names and 'init' in kernel_names,
          'ps lists the kernel\'s processes (init, ps itself)')

    # The kernel log: the shell gives its Log capability to /bin/dmesg, never to a program
    # run by its path (docs/services.md, "Authority").
    out, _ = s.run('dmesg')
    check(out is not None and 'init: started' in out, 'dmesg shows the kernel log')
    out, _ = s.run('/bin/dmesg')
    check(out is not None and 'dmesg: permission denied' in out and 'init: started' not in out,
          '/bin/dmesg run by its path gets no Log capability: "permission denied"')

    # Each command is a new VFS client; the library detaches at exit, so the server's
    # client records (32) are reused and the 40th command still reads files.
    for _ in range(VFS_RUNS - 1):
        s.run('cat /etc/motd')
    out, _ = s.run('cat /etc/motd')
    check(out is not None and want and want in out,
          f'{VFS_RUNS} commands in a row use the VFS (exiting clients detach)')

    out, _ = s.run('fault')
    check(out is not None and 'sh: fault: killed by a fault' in out,
          'fault: the shell reports the fault and prompts again')
    out, _ = s.run('echo alive')
    check(out is not None and 'alive' in lines(out), 'the shell still runs commands after it')
    # A runaway command: the shell runs each command in a quota of its own (a share of
    # the shell's), so it is refused with "QUOTA" while memory is left, and the shell and
    # the services go on.
    out, _ = s.run('t_quota hog')
    m = re.search(r'hog: stopped by (\S+) after (\d+) MiB; its quota (\d+) KiB; (\d+) KiB still free',
                  out or '')
    check(m is not None and m.group(1) == 'QUOTA' and int(m.group(4)) >= int(m.group(3)) // 2,
          'a runaway command is stopped by its quota, memory left: ' +
          (m.group(0) if m else repr((out or '')[-200:])))
    out, _ = s.run('ps')
    bad = [n for n in SERVICES if service_pids(out).get(n, (0, ''))[1] != 'running']
    check(out is not None and not bad, 'after it, the services still run' +
          (f' (not: {" ".join(bad)})' if bad else ''))
    out, _ = s.run('mem')
    check(out is not None and re.search(r'^quota: used \d+ KiB of \d+ KiB', out, re.M),
          'mem shows the quota the command runs in')

    out, _ = s.run('nosuchcmd 1 2')
    check(out is not None and 'sh: nosuchcmd: command not found' in out,
          'an unknown command: "sh: nosuchcmd: command not found"')
    if out is None:
        return

    # The keyboard: typed through QEMU's PS/2 emulation, shown on the serial port.
    start = s.serial.mark()
    replies = [mon.command(f'sendkey {k}') for k in key_names('echo kb') + ['ret']]
    check(all(r == '' for r in replies), 'sendkey accepted every key')
    out, _ = s.collect(start)
    check(out is not None and 'kb' in lines(out), 'echo kb typed on the keyboard prints kb')

    # Service restarts.
    s.run('echo keep > /tmp/keep')
    for svc in ('console', 'vfs'):
        out, _ = s.run('ps')
        old = service_pids(out).get(svc, (0, ''))[0]
        if not check(old > 0, f'ps shows the pid of {svc} ({old})'):
            return
        out, start = s.run(f'kill {old}')
        killing = s.serial.wait(re.compile(rf'init: killing {svc} \(pid {old}\)'), start, 1)
        # Not anchored: the log line may follow a prompt on the same line.
        ready = s.serial.wait(re.compile(rf'\b{svc}: ready'),
                              killing.end() if killing else start, s.timeout)
        took = (s.serial.arrival(ready.start()) - s.serial.arrival(killing.start())
                if killing and ready else None)
        check(took is not None and took <= RESTART_S,
              f'kill {old}: {svc} is back within {RESTART_S:.0f} s' +
              (f' ({took:.2f} s)' if took is not None else ' (no restart seen)'))
        if out is None:  # the prompt after kill may be lost with the console: ask again
            out, _ = s.run('')
        out, _ = s.run('ps')
        new = service_pids(out).get(svc, (0, ''))
        check(new[0] not in (0, old) and new[1] == 'running',
              f'ps shows {svc} running with a new pid ({old} -> {new[0]})')
        out, _ = s.run('cat /tmp/keep')
        if svc == 'console':
            check(out is not None and 'keep' in lines(out),
                  '/tmp/keep survived the console\'s restart')
        else:
            check(out is not None and 'cat: /tmp/keep: no such file or directory' in out,
                  '/tmp/keep is gone with the VFS (a RAM file system), reported cleanly')
    out, _ = s.run('echo again > /tmp/y')
    out, _ = s.run('cat /tmp/y')
    check(out is not None and 'again' in lines(out),
          'after both restarts the shell writes and reads /tmp/y')
    out, _ = s.run('ls /bin')
    check(out is not None and 'halt' in (out or ''), 'after both restarts ls /bin works')


def main():
    args, check, files = begin(__doc__, timeout=30, timeout_help='per step, in seconds')
    if not files:
        return 1
    initrd = files[1]

    status = None
    with Qemu(*files, args.smp, monitor=True, tmp_prefix='orb-sh-') as qemu:
        try:
            mon = qemu.monitor(time.monotonic() + args.timeout)
            s = Session(qemu, check, args.timeout)
            if check(qemu.serial.wait(re.compile(re.escape(PROMPT)), 0, 2 * args.timeout),
                     'the shell prompts "orbital$ " after boot'):
                session(s, mon, check, initrd)
                s.run('halt')
            try:
                status = qemu.wait(timeout=args.timeout)
            except subprocess.TimeoutExpired:
                status = None
            check(status == 0, f'halt powers QEMU off with exit status 0 (status {status})')
        except OSError as e:
            check(False, f'QEMU and its monitor ran ({e})')
    text = qemu.serial.text

    check('KERNEL PANIC' not in text, 'no kernel panic')
    qemu.write_log(args.build, 'shell', args.smp, text)
    return check.finish(text)


if __name__ == '__main__':
    sys.exit(main())
