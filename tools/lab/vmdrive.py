"""Drive one VMM process through its serial console (used inside the lab's L1).

Owns: starting a VMM (orbvm or QEMU) with its guest console on stdin/stdout pipes,
waiting for text with a timeout, typing input, collecting the exit status, and
measuring the VMM's resident memory beyond guest RAM. It knows how to build the
command line for each VMM the lab compares (vmm_argv), and nothing about tests.

Invariants: every wait has a deadline; a Vm that is closed has no process left
(killed if it did not exit), or else the lab is marked wedged (`wedged`); the full
console output is kept in Vm.out for reports.

rss_overhead definition (bench rss_overhead.*): VmRSS of the VMM process minus the
resident pages of its guest-RAM mappings, read from /proc/PID/smaps at the moment the
guest printed its marker. A guest-RAM mapping is any writable mapping at least
GUEST_MAP_MIN bytes large that is not a regular file on disk (anonymous, memfd, shm):
the guests are given >= 64 MiB and no VMM keeps other buffers that large, so what
remains is the VMM's own code, heap, stacks, device state and firmware copies.
"""

import os
import re
import select
import signal
import subprocess
import time

GUEST_MAP_MIN = 32 << 20

# Kernel command line that keeps nested boots fast (tools/lab/README.md).
BASE_CMDLINE = ("console=ttyS0 quiet panic=-1 reboot=t tsc=reliable "
                "lpj=5000000 no_timer_check")
READY = "ORBVM-GUEST-READY"


# Set (to a reason) once a VMM outlived SIGKILL: its vCPU thread is stuck inside L1's
# KVM, which no guest can cause; only L1's own emulated SVM going wrong can (docs/
# testing.md, "The nested lab and retries"). L1 is not to be trusted after that.
wedged = None

# The runs repeated as lab faults ("NAME: why"), for the summary: every one is reported.
retries = []

# What a guest prints when it reports a failure itself (Orbital's kernel and test
# programs): a run that shows one of these is a failure, never a lab fault.
GUEST_REPORTED = re.compile(r"KERNEL PANIC|\*\*\* CPU exception|KTEST FAIL|^FAIL: ", re.M)


class Timeout(Exception):
    pass


def vmm_argv(vmm, kernel, initrd, cmdline, mem, orbvm="build/orbvm-static",
             qemu="qemu-system-x86_64", cpus=1):
    """The command that boots kernel+initrd with `mem` (e.g. "256M") and `cpus` vCPUs
    in `vmm`."""
    if vmm == "orbvm":
        return [orbvm, "--kernel", kernel, "--initrd", initrd,
                "--cmdline", cmdline, "--mem", mem] + (["--cpus", str(cpus)] if cpus > 1 else [])
    common = ["-enable-kvm", "-cpu", "host", "-m", mem, "-smp", str(cpus),
              "-nodefaults", "-no-user-config", "-display", "none",
              "-serial", "stdio", "-no-reboot",
              "-kernel", kernel, "-initrd", initrd, "-append", cmdline]
    if vmm == "qemu_pc":
        return [qemu, "-M", "pc"] + common
    if vmm == "qemu_microvm":
        # QEMU 7.2's microvm defaults to acpi=on (SeaBIOS, ACPI tables with the
        # serial port and the GED power button), which Debian's cloud kernel needs:
        # it has no MP-table support. isa-serial is on by default.
        return [qemu, "-M", "microvm"] + common
    raise ValueError("unknown VMM " + vmm)


def disk_argv(vmm, path):
    """Arguments giving `vmm` the raw image `path` as its only virtio-blk disk (/dev/vda).

    orbvm: --disk PATH (virtio-mmio, host page cache, FLUSH = fdatasync). QEMU: a
    virtio-blk-pci device with cache=writeback, QEMU's default and the same semantics
    (host page cache, guest flushes reach the file with fdatasync); cache=none (O_DIRECT
    on the host) is impossible here: the lab's images live in L1's tmpfs, which refuses
    O_DIRECT.
    """
    if vmm == "orbvm":
        return ["--disk", path]
    return ["-drive", "file=%s,if=none,id=d0,format=raw,cache=writeback" % path,
            "-device", "virtio-blk-pci,drive=d0"]


class Vm:
    def __init__(self, argv, env=None):
        self.argv = argv
        self.out = ""
        self.pos = 0
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.eof = False

    def _pump(self, deadline):
        """Reads what is available (waiting until deadline); False on EOF/timeout."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.proc.stdout], [], [], left)
        if not r:
            return False
        try:
            chunk = self.proc.stdout.read()
        except BlockingIOError:
            return True
        if not chunk:
            self.eof = True
            return False
        self.out += chunk.decode("utf-8", "replace").replace("\r", "")
        return True

    def expect(self, pattern, timeout):
        """Waits for regex `pattern` after the last match; returns (match, seconds
        since start). Raises Timeout (or on EOF) with the output's tail."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m, time.monotonic() - self.t0
            if not self._pump(deadline) and (self.eof or time.monotonic() >= deadline):
                m = rx.search(self.out, self.pos)
                if m:
                    self.pos = m.end()
                    return m, time.monotonic() - self.t0
                why = "exited" if self.eof else "timed out after %ds" % timeout
                raise Timeout("%s waiting for %r" % (why, pattern))

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def wait(self, timeout):
        """Returns the exit status, or None if it did not exit in time (then killed)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if not self._pump(min(deadline, time.monotonic() + 0.2)):
                time.sleep(0.02)
        if self.proc.poll() is None:
            self.kill()
            return None
        while self._pump(time.monotonic() + 0.2):
            pass
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                # A VMM whose vCPU is wedged in the (emulated) host KVM may not die
                # at once; do not hang the whole lab run on it.
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                global wedged
                wedged = ("the VMM (pid %d) did not die within 15 s of SIGKILL: a vCPU "
                          "thread is stuck in L1's KVM" % self.proc.pid)
                print("LAB-WEDGED: %s" % wedged, flush=True)

    def close(self):
        self.kill()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass

    def tail(self, n=25):
        return "\n".join(self.out.splitlines()[-n:])

    def memory(self):
        """Returns (vm_rss_kib, guest_ram_rss_kib, [guest mapping descriptions],
        [the four largest other mappings by Rss, described])."""
        pid = self.proc.pid
        with open("/proc/%d/status" % pid) as f:
            vm_rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        guest, maps, others = 0, [], []
        with open("/proc/%d/smaps" % pid) as f:
            cur = None
            for line in f:
                head = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ (\S+) (\d+)\s*(.*)", line)
                if head:
                    lo, hi = int(head.group(1), 16), int(head.group(2), 16)
                    path = head.group(6)
                    on_disk = int(head.group(5)) != 0 and not (
                        path.startswith("/memfd:") or path.startswith("/dev/shm")
                        or path.startswith("/dev/zero") or path.startswith("/SYSV"))
                    cur = (hi - lo >= GUEST_MAP_MIN and "w" in head.group(3)
                           and not on_disk, hi - lo, path or "anon", head.group(3))
                    continue
                m = re.match(r"Rss:\s+(\d+) kB", line)
                if m and cur:
                    rss = int(m.group(1))
                    desc = "%s %s %d KiB, rss %d KiB" % (cur[2], cur[3], cur[1] >> 10, rss)
                    if cur[0]:
                        guest += rss
                        maps.append(desc)
                    else:
                        others.append((rss, desc))
        others.sort(reverse=True)
        return vm_rss, guest, maps, [d for _, d in others[:4]]
