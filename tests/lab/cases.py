#!/usr/bin/env python3
"""orbvm's Linux-guest tests, run inside the nested lab's L1 by tests/lab/run.sh.

Owns: the test cases and their expectations. Each case boots Debian's cloud kernel with
the busybox initramfs (tools/guest/l2-init.sh; its orb.test= modes) in the VMM under test
and checks what the guest prints on the emulated UART and how the VMM exits:
  A  256M, orb.test=shell: boots to the marker; MemTotal fits --mem; a command typed on the
     console gets its computed answer; Linux's i8042 driver found both PS/2 ports and
     atkbd the keyboard (/sys/bus/serio, /proc/bus/input); a typed `poweroff -f` ends the
     VMM with the power-off status.
  B  64M: Debian's 6.1 cloud kernel cannot run in 64 MiB (it decompresses itself at its
     16 MiB load address into init_size = 51.5 MiB, plus the initrd); the test reads that
     from the bzImage header: if it does not fit, orbvm must refuse with a one-line error
     and the error status, else it must boot. Then 80M (the smallest round size that fits)
     boots with orb.test=poweroff: MemTotal fits; the power-off status.
  C  256M, orb.test=reboot: boots; the reboot status, and the guest did not boot again.
  D  3G,   orb.test=poweroff: boots; MemTotal fits (the e820 split around the 32-bit hole).
  E  256M, orb.test=halt: boots; `halt -f` gives the halt status (orbvm only: QEMU keeps
     a halted guest running).
  F  (orbvm only) virtio-blk disks: two ext4 images made in L1's tmpfs with
     `mkfs.ext4 -d` (32M read-write with a file holding a random token, 16M with another
     token given `,ro`); orb.test=disk: the guest sees /dev/vda and /dev/vdb with the
     images' sizes and read-only flags, mounts vda and reads the host's file, writes a
     file, syncs, unmounts and powers off (status 0); then in L1 `e2fsck -fn` finds the
     image clean and `debugfs -R 'cat /new.txt'` shows the guest's content. vdb mounts
     read-only and shows its file, a write to its file system and a raw write to
     /dev/vdb both fail, and its SHA-256 is unchanged; orbvm runs an I/O thread per disk
     (the ioeventfd path) with a resampling irqfd and an io_uring (counted among its
     descriptors), and an O_DIRECT read of all of vdb in the guest (1 MiB requests:
     indirect descriptors, batches on io_uring) has the host's SHA-256; a third raw disk
     vdc takes 4 MiB of random data written with O_DIRECT, whose SHA-256 the host finds
     in the image after power-off. A second boot with
     vda alone and `,notify=exit,io=sync` (the MMIO-exit path: no I/O thread, so
     KVM_IRQ_LINE; preadv/pwritev) sees the file written by the first.
  G  (orbvm only) the root file system on disk: a copy of build/guest/rootfs.img
     (tools/guest/build-rootfs.sh) as --disk, orb.root=/dev/vda: the initramfs loads
     virtio and switches root; busybox init starts getty on ttyS0; `login:` appears;
     root / orbvm logs in through the UART; a command gets its answer; a file written
     and synced survives a `poweroff` (status 0), e2fsck -fn finds the image clean and
     debugfs shows the file.
  H  (orbvm only) --cpus 1, 2 and 4: nproc, a pinned O_DIRECT writer per CPU to a raw
     disk, power-off and reboot issued on the last AP (tests/lab/smp_cases.py).
  I  (orbvm only) --irqchip split with 1 and 4 vCPUs: the console, a disk's interrupts
     on orbvm's I/O APIC while writers on every CPU write, no timer or PIC complaint;
     the PCI host bridge and its ECAM area found on both irqchips (tests/lab/irq_cases.py).
     Not in the default run yet (ORBLAB_CASES=I runs it): see docs/testing.md.
  O  (orbvm only) Orbital in orbvm: its shell prompt with --cpus 1 and 4, in-kernel and
     user-space tests with their status through --debug-exit (tests/lab/orbital_cases.py).
Exit statuses are orbvm's documented ones (docs/orbvm.md, vmm/stop.h): power-off 0,
error 1, reboot 3, halt 4. `--vmm qemu_pc` runs the same cases on QEMU (-no-reboot:
power-off and reboot both give 0) to check the lab itself.
Prints one PASS/FAIL line per check and finally "N passed, M failed"; exits 1 on failure.
"""

import argparse
import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools", "lab"))
import vmdrive  # noqa: E402
import orbital_cases  # noqa: E402
import smp_cases  # noqa: E402
import irq_cases  # noqa: E402

EXPECTED_STATUS = {
    # docs/orbvm.md: 0 guest power-off, 3 guest reboot (4 halt, 1 error, 2 usage, 5 quit).
    "orbvm": {"poweroff": 0, "reboot": 3, "error": 1, "halt": 4},
    "qemu_pc": {"poweroff": 0, "reboot": 0, "error": None, "halt": None},
}
MIB_KIB = 1024


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("PASS %s%s" % (name, " (%s)" % detail if detail else ""), flush=True)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, ": " + detail if detail else ""), flush=True)
        return ok


def mem_fits(total_kib, mem_mib):
    """The guest's MemTotal must fit the memory it was given: not more than --mem, and
    not less than 95% of it minus 48 MiB (kernel image, initramfs, reserved areas)."""
    want = mem_mib * MIB_KIB
    return int(want * 0.95) - 48 * MIB_KIB <= total_kib <= want


def boot(args, res, case, mem_mib, mode):
    """Starts a VM and checks it reaches the marker; returns the Vm or None."""
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=" + mode
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, cmdline,
                            "%dM" % mem_mib, orbvm=args.orbvm)
    vm = vmdrive.Vm(argv)
    try:
        m, _ = vm.expect(r"ORBVM-GUEST-MEM-KB (\d+)\n", args.boot_timeout)
        _, t = vm.expect(vmdrive.READY, 10)
    except vmdrive.Timeout as e:
        res.check("%s: boots to the marker with --mem %dM" % (case, mem_mib), False,
                  "%s\n--- VMM output (tail) ---\n%s\n---" % (e, vm.tail()))
        vm.close()
        return None
    res.check("%s: boots to the marker with --mem %dM" % (case, mem_mib), True,
              "%.1f s" % t)
    total = int(m.group(1))
    res.check("%s: guest MemTotal fits --mem %dM" % (case, mem_mib),
              mem_fits(total, mem_mib), "MemTotal %d KiB" % total)
    return vm


def check_exit(args, res, name, vm, want):
    status = vm.wait(args.exit_timeout)
    if status is None:
        res.check(name, False, "the VMM did not exit within %d s\n%s" %
                  (args.exit_timeout, vm.tail()))
    else:
        res.check(name, status == want, "exit status %d, expected %d%s" %
                  (status, want, "" if status == want else "\n" + vm.tail()))
    return status


def case_a(args, res, statuses):
    vm = boot(args, res, "A", 256, "shell")
    if not vm:
        return
    try:
        token = "%06d" % random.randrange(10**6)
        # The shell computes 6*7 and joins the token: the answer differs from the typed
        # text, so the tty's echo of our input cannot satisfy the check.
        vm.send("echo answer-$((6*7))-%s\n" % token)
        try:
            _, _ = vm.expect(r"answer-42-%s\n" % token, 30)
            res.check("A: a command typed on the UART gets its answer", True)
        except vmdrive.Timeout as e:
            res.check("A: a command typed on the UART gets its answer", False,
                      "%s\n%s" % (e, vm.tail()))
        # The i8042 (ACPI PNP0303/PNP0F13, the FADT's 8042 flag): Linux's driver finds
        # both ports (its AUX IRQ 12 test passes) and atkbd binds the keyboard on IRQ 1.
        vm.send("echo ps2-$(ls /sys/bus/serio/devices | wc -l)-$(grep -c "
                "'AT Translated Set 2 keyboard' /proc/bus/input/devices)-%s\n" % token)
        try:
            m, _ = vm.expect(r"ps2-(\d+)-(\d+)-%s\n" % token, 30)
            res.check("A: Linux finds the i8042's two ports and its keyboard",
                      m.group(1) == "2" and m.group(2) == "1",
                      "serio ports %s, AT keyboards %s" % (m.group(1), m.group(2)))
        except vmdrive.Timeout as e:
            res.check("A: Linux finds the i8042's two ports and its keyboard", False,
                      "%s\n%s" % (e, vm.tail()))
        vm.send("poweroff -f\n")
        check_exit(args, res, "A: typed poweroff gives the power-off status", vm,
                   statuses["poweroff"])
    finally:
        vm.close()


def case_poweroff(args, res, statuses, case, mem_mib, how="poweroff"):
    vm = boot(args, res, case, mem_mib, how)
    if not vm:
        return
    try:
        check_exit(args, res, "%s: guest %s gives the %s status" % (case, how, how), vm,
                   statuses[how])
    finally:
        vm.close()


def kernel_min_mib(kernel):
    """Memory the bzImage needs below its end: pref_address + init_size (boot protocol
    header fields at 0x258 and 0x260, protocol >= 2.10), in MiB, rounded up."""
    with open(kernel, "rb") as f:
        hdr = f.read(0x268)
    pref, = struct.unpack_from("<Q", hdr, 0x258)
    init_size, = struct.unpack_from("<I", hdr, 0x260)
    return -(-(pref + init_size) // (1 << 20))


def case_b64(args, res, statuses):
    need = kernel_min_mib(args.kernel)
    if need <= 64:
        case_poweroff(args, res, statuses, "B", 64)
        return
    if statuses["error"] is None:
        return  # QEMU (lab self-check) just triple-faults: nothing to check

    # The kernel cannot fit: orbvm must say so in one line and exit with the error status.
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=poweroff"
    vm = vmdrive.Vm(vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, cmdline, "64M",
                                     orbvm=args.orbvm))
    try:
        status = vm.wait(args.exit_timeout)
        lines = [l for l in vm.out.splitlines() if l.strip()]
        ok = (status == statuses["error"] and vmdrive.READY not in vm.out
              and len(lines) == 1 and re.search(r"mem|small|fit", lines[0], re.I))
        res.check("B: --mem 64M is refused with one error line (the kernel needs %d MiB)"
                  % need, bool(ok), "status %s, output: %r" % (status, vm.out[-300:]))
    finally:
        vm.close()


def case_c(args, res, statuses):
    vm = boot(args, res, "C", 256, "reboot")
    if not vm:
        return
    try:
        check_exit(args, res, "C: guest reboot gives the reboot status", vm,
                   statuses["reboot"])
        res.check("C: the VMM stopped instead of booting the guest again",
                  vm.out.count(vmdrive.READY) == 1,
                  "%d markers" % vm.out.count(vmdrive.READY))
    finally:
        vm.close()


def make_ext4(path, size_mib, files):
    """An ext4 image of size_mib MiB holding files ({name: text}), made without root."""
    src = path + ".d"
    os.mkdir(src)
    for name, text in files.items():
        with open(os.path.join(src, name), "w") as f:
            f.write(text)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-d", src, path, "%dM" % size_mib],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    shutil.rmtree(src)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def disk_boot(args, res, name, disks, opts=""):
    """Boots orb.test=disk with disks [(path, ro)], each given the --disk options opts
    (e.g. ",notify=exit"); returns (vm, {vdX: (sectors, ro)})."""
    cmdline = vmdrive.BASE_CMDLINE + " orb.test=disk"
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, cmdline, "256M",
                            orbvm=args.orbvm)
    for path, ro in disks:
        argv += ["--disk", path + (",ro" if ro else "") + opts]
    vm = vmdrive.Vm(argv)
    try:
        vm.expect(vmdrive.READY, args.boot_timeout)
        m, t = vm.expect(r"ORBVM-DISKS-DONE\n", 30)
    except vmdrive.Timeout as e:
        res.check("%s: boots with %d disk(s) and loads virtio" % (name, len(disks)), False,
                  "%s\n%s" % (e, vm.tail()))
        vm.close()
        return None, {}
    found = {d: (int(n), int(ro)) for d, n, ro in
             re.findall(r"ORBVM-DISK (vd[a-z]) (\d+) ro=(\d)", vm.out)}
    res.check("%s: boots with %d disk(s) and loads virtio" % (name, len(disks)), True,
              "%.1f s" % t)
    return vm, found


def io_threads(vm):
    """The names of the VMM's disk I/O threads (orbvm names them orbvm-io-vdX). Counted
    by name: io_uring's kernel workers (iou-wrk-*) are threads of the process too."""
    names = []
    try:
        for tid in os.listdir("/proc/%d/task" % vm.proc.pid):
            with open("/proc/%d/task/%s/comm" % (vm.proc.pid, tid)) as f:
                name = f.read().strip()
            if name.startswith("orbvm-io"):
                names.append(name)
    except OSError:
        return None
    return sorted(names)


def anon_fds(vm):
    """{kind: count} of the VMM's anonymous-inode descriptors ("eventfd", "io_uring",
    ...). orbvm: 2 eventfds of its event loop, per disk with an I/O thread 3 more (its
    KVM_IOEVENTFD, and the KVM_IRQFD with its resamplefd), one io_uring per disk
    unless io=sync."""
    kinds = {}
    d = "/proc/%d/fd" % vm.proc.pid
    try:
        for fd in os.listdir(d):
            try:
                m = re.match(r"anon_inode:\[?([a-z_]+)\]?$", os.readlink(os.path.join(d, fd)))
            except OSError:
                continue
            if m:
                kinds[m.group(1)] = kinds.get(m.group(1), 0) + 1
    except OSError:
        pass
    return kinds


def run_cmd(vm, res, name, cmd, want, timeout=30):
    """Types cmd; passes if the console then shows the regex want."""
    vm.send(cmd + "\n")
    try:
        vm.expect(want, timeout)
        return res.check(name, True)
    except vmdrive.Timeout as e:
        return res.check(name, False, "%s\n%s" % (e, vm.tail()))


def case_f(args, res, statuses):
    tmp = tempfile.mkdtemp(prefix="orbvm-disk-")
    try:
        case_f_in(args, res, statuses, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_f_in(args, res, statuses, tmp):
    tok = "%d" % random.randrange(100000, 10**6)
    rw, ro = os.path.join(tmp, "rw.img"), os.path.join(tmp, "ro.img")
    make_ext4(rw, 32, {"hello.txt": "host-%s\n" % tok})
    make_ext4(ro, 16, {"ro.txt": "ro-%s\n" % tok})
    ro_sum = sha256(ro)
    scratch = os.path.join(tmp, "scratch.img")  # raw, for O_DIRECT writes
    with open(scratch, "wb") as f:
        f.truncate(8 << 20)
    vm, found = disk_boot(args, res, "F", [(rw, False), (ro, True), (scratch, False)])
    if not vm:
        return
    guest_sum = None
    try:
        res.check("F: the guest sees /dev/vda, 32 MiB, writable", found.get("vda") == (65536, 0),
                  "found %r" % found)
        res.check("F: the guest sees /dev/vdb, 16 MiB, read-only",
                  found.get("vdb") == (32768, 1), "found %r" % found)
        res.check("F: the guest sees /dev/vdc, 8 MiB, writable", found.get("vdc") == (16384, 0),
                  "found %r" % found)
        n = io_threads(vm)
        res.check("F: ioeventfd path: an I/O thread per disk",
                  n == ["orbvm-io-vda", "orbvm-io-vdb", "orbvm-io-vdc"], "I/O threads %r" % n)
        fds = anon_fds(vm)
        res.check("F: irqfd + resamplefd + ioeventfd and an io_uring per disk",
                  fds.get("eventfd") == 2 + 3 * 3 and fds.get("io_uring") == 3,
                  "anonymous descriptors %r" % fds)
        run_cmd(vm, res, "F: an O_DIRECT read of all of vdb (batched, in parallel) matches "
                "the host's SHA-256",
                "echo F-DIRECT-$(dd if=/dev/vdb bs=1M iflag=direct 2>/dev/null | sha256sum "
                "| cut -c1-64)-$((2+2))", r"F-DIRECT-%s-4" % ro_sum)
        # 4 MiB of random data written to the raw vdc with O_DIRECT in 1 MiB requests
        # (each cut in two pieces on io_uring); the host checks it after power-off.
        vm.send("dd if=/dev/urandom of=/tmp/r bs=1M count=4 2>/dev/null && "
                "dd if=/tmp/r of=/dev/vdc bs=1M oflag=direct conv=fsync 2>/dev/null && "
                "echo F-WDIRECT-$(sha256sum /tmp/r | cut -c1-64)-$((3+4))\n")
        try:
            m, _ = vm.expect(r"F-WDIRECT-([0-9a-f]{64})-7", 60)
            guest_sum = m.group(1)
        except vmdrive.Timeout as e:
            res.check("F: an O_DIRECT write of 4 MiB to vdc completes", False,
                      "%s\n%s" % (e, vm.tail()))
        # Every answer is computed in the guest, so the tty's echo of the typed
        # command cannot satisfy a check.
        run_cmd(vm, res, "F: mounts vda and reads the host's file",
                "mount -t ext4 /dev/vda /mnt && echo F-READ-$(cat /mnt/hello.txt)",
                r"F-READ-host-%s" % tok)
        run_cmd(vm, res, "F: writes a file on vda, syncs and unmounts",
                "echo guest-$((%s+1)) > /mnt/new.txt && sync && umount /mnt && "
                "echo F-WROTE-$((6*7))" % tok, r"F-WROTE-42")
        run_cmd(vm, res, "F: mounts vdb read-only and reads its file",
                "mount -t ext4 -o ro /dev/vdb /mnt && echo F-RO-$(cat /mnt/ro.txt)",
                r"F-RO-ro-%s" % tok)
        run_cmd(vm, res, "F: a write to vdb's file system fails",
                "echo x > /mnt/x 2>/dev/null; echo F-FSWRITE-rc$(($?+0)); umount /mnt",
                r"F-FSWRITE-rc[1-9]")
        run_cmd(vm, res, "F: a raw write to /dev/vdb fails",
                "echo x | dd of=/dev/vdb conv=fsync 2>/dev/null; echo F-RAWWRITE-rc$(($?+0))",
                r"F-RAWWRITE-rc[1-9]")
        vm.send("poweroff -f\n")
        check_exit(args, res, "F: poweroff after disk I/O gives the power-off status", vm,
                   statuses["poweroff"])
    finally:
        vm.close()

    want = "guest-%d" % (int(tok) + 1)
    fsck = subprocess.run(["e2fsck", "-fn", rw], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    res.check("F: e2fsck -fn finds the written image clean", fsck.returncode == 0,
              ("status 0: " + fsck.stdout.strip().splitlines()[-1].split(": ", 1)[-1])
              if fsck.returncode == 0 else
              "status %d\n%s" % (fsck.returncode, fsck.stdout[-600:]))
    dbg = subprocess.run(["debugfs", "-R", "cat /new.txt", rw], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    res.check("F: debugfs shows the guest's file with its content",
              dbg.stdout.strip() == want, "got %r, want %r" % (dbg.stdout[-200:], want))
    res.check("F: the read-only image is unchanged (SHA-256)", sha256(ro) == ro_sum)
    if guest_sum:
        with open(scratch, "rb") as f:
            host_sum = hashlib.sha256(f.read(4 << 20)).hexdigest()
        res.check("F: vdc's first 4 MiB on the host have the SHA-256 of the guest's "
                  "O_DIRECT write", host_sum == guest_sum,
                  "host %s, guest %s" % (host_sum, guest_sum))

    # The second boot takes the MMIO-exit path (no ioeventfd, no I/O thread, so
    # KVM_IRQ_LINE) and preadv/pwritev (io=sync): the first covered the defaults.
    vm, found = disk_boot(args, res, "F2", [(rw, False)], ",notify=exit,io=sync")
    if not vm:
        return
    try:
        res.check("F2: one disk: only /dev/vda", sorted(found) == ["vda"], "found %r" % found)
        n = io_threads(vm)
        res.check("F2: notify=exit: no I/O thread", n == [], "I/O threads %r" % n)
        fds = anon_fds(vm)
        res.check("F2: notify=exit,io=sync: no ioeventfd, irqfd or io_uring",
                  fds.get("eventfd") == 2 and "io_uring" not in fds,
                  "anonymous descriptors %r" % fds)
        run_cmd(vm, res, "F2: a second boot sees the file written by the first",
                "mount -t ext4 /dev/vda /mnt && echo F2-AGAIN-$(cat /mnt/new.txt)-$((1+1)) "
                "&& umount /mnt", r"F2-AGAIN-%s-2" % want)
        vm.send("poweroff -f\n")
        check_exit(args, res, "F2: power-off status", vm, statuses["poweroff"])
    finally:
        vm.close()


def case_g(args, res, statuses):
    if not os.path.exists(args.rootfs):
        res.check("G: root file system image present", False, "%s is missing" % args.rootfs)
        return
    tmp = tempfile.mkdtemp(prefix="orbvm-rootfs-")
    try:
        img = os.path.join(tmp, "rootfs.img")
        shutil.copyfile(args.rootfs, img)
        case_g_in(args, res, statuses, img)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_g_in(args, res, statuses, img):
    cmdline = vmdrive.BASE_CMDLINE + " orb.root=/dev/vda"
    argv = vmdrive.vmm_argv(args.vmm, args.kernel, args.initrd, cmdline, "256M",
                            orbvm=args.orbvm) + ["--disk", img]
    vm = vmdrive.Vm(argv)
    try:
        try:
            vm.expect("ORBVM-ROOTFS-READY", args.boot_timeout)
            _, t = vm.expect(r"login: ", 30)
            res.check("G: boots from /dev/vda to login:", True, "%.1f s" % t)
        except vmdrive.Timeout as e:
            res.check("G: boots from /dev/vda to login:", False, "%s\n%s" % (e, vm.tail()))
            return
        vm.send("root\n")
        try:
            vm.expect(r"Password: ", 20)
            vm.send("orbvm\n")
            vm.expect(r"orbvm:~# ", 30)
            res.check("G: root logs in with the documented password", True)
        except vmdrive.Timeout as e:
            res.check("G: root logs in with the documented password", False,
                      "%s\n%s" % (e, vm.tail()))
            return
        tok = random.randrange(100000, 10**6)
        run_cmd(vm, res, "G: a command run after login gets its answer",
                "echo G-$(id -u)-$(hostname)-$((%d+1))" % tok, r"G-0-orbvm-%d" % (tok + 1))
        run_cmd(vm, res, "G: / is /dev/vda, ext4, read-write",
                "grep -q '^/dev/vda / ext4 rw' /proc/mounts && echo G-ROOT-$((2*3))",
                r"G-ROOT-6")
        run_cmd(vm, res, "G: writes and syncs a file",
                "echo kept-$((%d*2)) > /root/kept.txt && sync && echo G-SYNC-$((3*3))" % tok,
                r"G-SYNC-9")
        vm.send("poweroff\n")
        check_exit(args, res, "G: poweroff gives the power-off status", vm,
                   statuses["poweroff"])
    finally:
        vm.close()
    fsck = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    res.check("G: e2fsck -fn finds the root image clean", fsck.returncode == 0,
              "status %d%s" % (fsck.returncode,
                               "" if fsck.returncode == 0 else "\n" + fsck.stdout[-600:]))
    dbg = subprocess.run(["debugfs", "-R", "cat /root/kept.txt", img],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    res.check("G: debugfs shows the file written after login",
              dbg.stdout.strip() == "kept-%d" % (tok * 2), "got %r" % dbg.stdout[-200:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vmm", default="orbvm", choices=sorted(EXPECTED_STATUS))
    ap.add_argument("--orbvm", default="build/orbvm-static")
    ap.add_argument("--kernel", default="build/guest/vmlinuz")
    ap.add_argument("--initrd", default="build/guest/initramfs.cpio.gz")
    ap.add_argument("--rootfs", default="build/guest/rootfs.img")
    ap.add_argument("--orbital", default="build",
                    help="directory with orbital.elf and bootfs.cpio (case O)")
    ap.add_argument("--boot-timeout", type=int, default=90)
    ap.add_argument("--exit-timeout", type=int, default=20)
    ap.add_argument("--cases", default="ABCDEFGHO",
                    help="which cases to run, e.g. FG (default: all)")
    args = ap.parse_args()
    want = set(args.cases.upper())

    res = Results()
    statuses = EXPECTED_STATUS[args.vmm]
    if args.vmm == "orbvm" and not os.access(args.orbvm, os.X_OK):
        res.check("orbvm binary present", False, "%s is missing" % args.orbvm)
    else:
        t0 = time.monotonic()
        # Once L1 is wedged nothing it runs can be trusted: the remaining cases are
        # skipped (run.sh repeats the whole lab run once).
        def go(letter):
            return letter in want and not vmdrive.wedged
        if go("A"):
            case_a(args, res, statuses)
        if go("B"):
            case_b64(args, res, statuses)
            case_poweroff(args, res, statuses, "B", 80)
        if go("C"):
            case_c(args, res, statuses)
        if go("D"):
            case_poweroff(args, res, statuses, "D", 3072)
        if go("E") and statuses["halt"] is not None:
            case_poweroff(args, res, statuses, "E", 256, how="halt")
        if args.vmm == "orbvm" and go("F"):
            case_f(args, res, statuses)
        if args.vmm == "orbvm" and go("G"):
            case_g(args, res, statuses)
        if args.vmm == "orbvm" and go("H"):
            smp_cases.case_h(args, res, statuses)
        if args.vmm == "orbvm" and go("I"):
            irq_cases.case_i(args, res, statuses)
        if args.vmm == "orbvm" and go("O"):
            orbital_cases.case_o(args, res)
        if vmdrive.wedged:
            res.check("lab: L1 stays healthy to the end of the run", False,
                      "LAB-WEDGED: %s; this run's results are void" % vmdrive.wedged)
        print("lab cases took %.1f s inside L1" % (time.monotonic() - t0))
    for r in vmdrive.retries:
        print("lab: repeated once as a lab fault: %s" % r)
    print("lab: %d runs repeated as lab faults" % len(vmdrive.retries))
    print("%d passed, %d failed" % (res.passed, res.failed), flush=True)
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
