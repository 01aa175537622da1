#!/usr/bin/env python3
"""Run one command inside the nested lab (docs: tools/lab/README.md) and return its exit status.

Owns: the host side of the lab. It boots L1 (Debian's generic kernel, the busybox
initramfs from tools/lab/build-l1.sh) under QEMU TCG with AMD SVM and nested paging
(-M q35 -cpu EPYC,+svm,+npt -m 3G -smp 2), shares the host's root file system into L1
read-only over 9p, and has L1's /init (tools/lab/l1-init.sh) run COMMAND in a chroot
of that share: the same paths, programs and repository as on the host, plus /dev/kvm.

Protocol: L1's serial console is QEMU's stdout. Lines between "ORBLAB-JOB-BEGIN" and
"ORBLAB-JOB-END rc=N" are the command's output and are copied to our stdout as they
arrive; our exit status is N. Lab failures give 125 (L1 did not come up, or died
without reporting) and 124 (the timeout ran out; QEMU is killed). The L1 boot log is
printed only when something went wrong.

--interactive connects this terminal to L1's console instead (for make run-vm-lab):
the command gets /dev/ttyS0 in L1 as its terminal.

Usage: run-lab.py [--timeout S] [--interactive] [--mem SIZE] [--images DIR] -- CMD ARGS...
CMD runs with the current directory's path as its working directory, in /bin/sh.
"""

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

END_RE = re.compile(r"ORBLAB-JOB-END rc=(\d+)")
UPTIME_RE = re.compile(r"uptime=([\d.]+)")


def check_clock(begin, end):
    """Warns when L1's clock disagreed with ours between BEGIN and END (each is
    (our monotonic time, L1's uptime) when the line arrived)."""
    host = end[0] - begin[0]
    l1 = end[1] - begin[1]
    if host > 5 and abs(l1 / host - 1) > 0.15:
        print("run-lab: warning: L1's clock ran at %.2fx real time (%.1f s in L1 over "
              "%.1f s here): timeouts and timings inside L1 are off" % (l1 / host, l1, host),
              file=sys.stderr)


def host_tsc_khz():
    """The host's TSC frequency in kHz, or None. Under TCG, L1's rdtsc returns the
    host's TSC, so this is L1's TSC frequency too. Telling L1 (tsc_early_khz=) spares it
    the PIT-based calibration, which a loaded host can throw far off: L1's clock then
    runs several times too fast and every timeout and timing inside L1 is wrong."""
    try:
        log = subprocess.run(["dmesg"], capture_output=True, text=True, timeout=5).stdout
        m = (re.search(r"Refined TSC clocksource calibration: ([\d.]+) MHz", log)
             or re.search(r"tsc: Detected ([\d.]+) MHz processor", log))
        if m:
            return int(float(m.group(1)) * 1000)
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"cpu MHz\s*:\s*([\d.]+)", f.read())
        if m and float(m.group(1)) > 100:
            return int(float(m.group(1)) * 1000)
    except OSError:
        pass
    return None


def qemu_argv(args, job_path, interactive):
    mode = "interactive" if interactive else "batch"
    cmdline = ("console=ttyS0 quiet loglevel=3 panic=-1 tsc=reliable "
               "orblab.job=%s orblab.mode=%s" % (job_path, mode))
    khz = host_tsc_khz()
    if khz:
        cmdline += " tsc_early_khz=%d" % khz
    # EPYC minus the features TCG cannot emulate (QEMU drops them anyway, with a warning
    # each): the same CPU as tools/lab/README.md's -cpu EPYC,+svm,+npt, without the noise.
    cpu = args.cpu or ("EPYC,+svm,+npt,-xsavec,-rdseed,-sha-ni,-fxsr-opt,-misalignsse,"
                       "-3dnowprefetch,-osvw,-topoext,-nrip-save")
    argv = [args.qemu, "-M", "q35", "-cpu", cpu,
            "-m", args.mem, "-smp", "2", "-accel", "tcg",
            "-nodefaults", "-no-user-config", "-display", "none",
            "-no-reboot",
            "-kernel", os.path.join(args.images, "vmlinuz"),
            "-initrd", os.path.join(args.images, "initramfs.cpio"),
            "-append", cmdline,
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
            "readonly=on,multidevs=remap"]
    # For debugging the lab itself: extra options for L1's QEMU, for example
    # ORBLAB_QEMU_ARGS="-d int,cpu_reset -D /tmp/l1.log" logs every exception L1 and
    # its guests take (with registers), which shows what an L2 vCPU held when it reset.
    argv += shlex.split(os.environ.get("ORBLAB_QEMU_ARGS", ""))
    if interactive:
        # signal=off: Ctrl-C reaches the program in L1 instead of killing QEMU.
        argv += ["-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con"]
    else:
        argv += ["-serial", "stdio"]
    return argv


def write_job(command):
    # The job file lives on the host; L1 reads it through the share before it
    # mounts its own /tmp, so a host /tmp path is fine.
    fd, path = tempfile.mkstemp(prefix="orblab-job.", suffix=".sh")
    with os.fdopen(fd, "w") as f:
        f.write("cd %s || exit 125\n" % shlex.quote(os.getcwd()))
        for var in ("BUILD", "ORBLAB_VERBOSE", "CI", "PYTHON"):
            if var in os.environ:
                f.write("export %s=%s\n" % (var, shlex.quote(os.environ[var])))
        f.write("exec %s\n" % " ".join(shlex.quote(a) for a in command))
    os.chmod(path, 0o644)
    return path


def run_batch(argv, timeout):
    """Runs QEMU, streams the job's output, returns the job's exit status."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        return pump_batch(proc, timeout)
    finally:
        # Ctrl-C or SIGTERM here must not leave a QEMU behind in its own session.
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def pump_batch(proc, timeout):
    os.set_blocking(proc.stdout.fileno(), False)
    deadline = time.monotonic() + timeout
    boot_log, in_job, rc, buf = [], False, None, b""
    blank = 0  # empty job lines held back: l1-init.sh prints one before the END marker
    clock_begin = None
    t0 = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            sys.stdout.flush()
            print("run-lab: timed out after %d s; L1 console before the job:" % timeout,
                  file=sys.stderr)
            print("\n".join(boot_log[-40:]), file=sys.stderr)
            return 124
        chunk = None
        try:
            chunk = proc.stdout.read()
        except BlockingIOError:
            pass
        if chunk:
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r")
                if not in_job:
                    boot_log.append(line)
                    if "ORBLAB-JOB-BEGIN" in line:
                        in_job = True
                        u = UPTIME_RE.search(line)
                        clock_begin = u and (time.monotonic(), float(u.group(1)))
                        if os.environ.get("ORBLAB_VERBOSE"):
                            print("run-lab: L1 up after %.1f s" % (time.monotonic() - t0),
                                  file=sys.stderr)
                    m = END_RE.search(line)
                    if m:  # a lab error reported before the job started
                        rc = int(m.group(1))
                    continue
                m = END_RE.search(line)
                if m:
                    rc = int(m.group(1))
                    in_job = False
                    u = UPTIME_RE.search(line)
                    if clock_begin and u:
                        check_clock(clock_begin, (time.monotonic(), float(u.group(1))))
                    blank = max(0, blank - 1)
                    print("\n" * blank, end="", flush=True)
                    continue
                if not line:
                    blank += 1
                    continue
                print("\n" * blank + line, flush=True)
                blank = 0
        elif chunk == b"":  # EOF: QEMU exited
            break
        else:
            time.sleep(0.05)
    proc.wait()
    if rc is None or any("ORBLAB-ERROR" in l for l in boot_log):
        print("run-lab: the lab failed (QEMU status %d); L1 console:" % proc.returncode,
              file=sys.stderr)
        print("\n".join(boot_log[-60:]), file=sys.stderr)
        return rc if rc is not None and rc != 0 else 125
    return rc


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=int, default=540, help="seconds (default 540)")
    ap.add_argument("--interactive", action="store_true")
    ap.add_argument("--mem", default="3G", help="L1 memory (default 3G)")
    ap.add_argument("--images", default="build/lab", help="L1 vmlinuz + initramfs")
    ap.add_argument("--cpu", help="L1 CPU model (default: EPYC with SVM and NPT)")
    ap.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-x86_64"))
    ap.add_argument("command", nargs="+")
    args = ap.parse_args()

    for f in ("vmlinuz", "initramfs.cpio"):
        if not os.path.isfile(os.path.join(args.images, f)):
            sys.exit("run-lab: %s/%s missing; run `make guest-images`" % (args.images, f))
    job = write_job(args.command)
    try:
        argv = qemu_argv(args, job, args.interactive)
        if args.interactive:
            print("run-lab: booting L1 (about 3 s); the console is this terminal.",
                  file=sys.stderr)
            try:
                return subprocess.run(argv, timeout=None).returncode
            except KeyboardInterrupt:
                return 130
        try:
            return run_batch(argv, args.timeout)
        except KeyboardInterrupt:
            print("run-lab: interrupted; L1 stopped", file=sys.stderr)
            return 130
    finally:
        os.unlink(job)


if __name__ == "__main__":
    sys.exit(main())
