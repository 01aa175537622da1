#!/usr/bin/env python3
"""Dump the ACPI tables QEMU's firmware builds, for the ACPI parser's host tests.

Boots QEMU (TCG, no kernel, no disks: SeaBIOS builds the ACPI tables before it
looks for something to boot), saves guest RAM through the HMP monitor command
`pmemsave`, finds the RSDP in the BIOS area 0xE0000-0xFFFFF and carves out the
RSDP and every table reachable from it: the RSDT/XSDT entries and, from the
FADT, the DSDT and FACS. Each goes into OUTDIR/<SIG>@0x<paddr>.bin, named with
its physical address, so the tests can rebuild the physical memory the parser
would see. Only the tables are kept (a few KiB), never the RAM image.

    tools/acpi-dump.py pc  tests/host/data/acpi/pc   # -M pc  -smp 4
    tools/acpi-dump.py q35 tests/host/data/acpi/q35  # -M q35 -smp 8

    tools/acpi-dump.py --fuzz-seed tests/host/data/acpi/pc SEED [--xsdt] [--mode N]

The --fuzz-seed form turns a dump into a seed for tests/fuzz/fuzz_acpi.c:
byte 0 is the harness's mode byte, then a compact physical memory starting at
0x1000 holding the RSDP (revision 2 with an XSDT when --xsdt is given) and
the root table's tables (not the DSDT/FACS, which the parser never reads),
with the root-table pointers relocated and the checksums redone.

The output is deterministic for a given QEMU/SeaBIOS build (the tests were
made with Debian 12's QEMU 7.2). Every table is checked here too (signature,
length, checksum), so a dump that would not parse is never written.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

MACHINES = {
    "pc": ["-M", "pc", "-smp", "4"],
    "q35": ["-M", "q35", "-smp", "8"],
}
RAM = 0x8000000  # 128 MiB


def checksum_ok(b):
    return sum(b) & 0xFF == 0


def hmp(sock, cmd):
    """Sends one HMP command and waits for the next "(qemu)" prompt; returns the reply."""
    if cmd is not None:
        sock.sendall(cmd.encode() + b"\n")
    buf = b""
    while not buf.rstrip().endswith(b"(qemu)"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace")


def dump_ram(machine, workdir):
    ram = os.path.join(workdir, "ram.bin")
    mon = os.path.join(workdir, "mon.sock")
    qemu = os.environ.get("QEMU", "qemu-system-x86_64")
    args = [qemu, *MACHINES[machine], "-m", "128M", "-accel", "tcg", "-display", "none",
            "-serial", "none", "-parallel", "none", "-nodefaults", "-no-reboot",
            "-monitor", f"unix:{mon},server,nowait"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(mon):
                break
            time.sleep(0.1)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(mon)
        s.settimeout(60)
        hmp(s, None)  # banner and first prompt
        # SeaBIOS has built the tables long before this; it then fails to boot and waits.
        time.sleep(3)
        hmp(s, "stop")
        # Quoted: unquoted, "SIZE /tmp/..." would parse as a division. Synchronous: the
        # prompt returns once the file is written.
        reply = hmp(s, f'pmemsave 0 {RAM:#x} "{ram}"')
        if "rror" in reply or "nvalid" in reply:
            sys.exit(f"pmemsave failed: {reply!r}")
        s.sendall(b"quit\n")
        while s.recv(4096):  # EOF once QEMU has gone
            pass
        s.close()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with open(ram, "rb") as f:
        data = f.read()
    if len(data) != RAM:
        sys.exit(f"pmemsave produced {len(data)} bytes, expected {RAM}")
    return data


def find_rsdp(ram):
    for p in range(0xE0000, 0x100000, 16):
        if ram[p:p + 8] == b"RSD PTR " and checksum_ok(ram[p:p + 20]):
            return p
    sys.exit("no RSDP in 0xE0000-0xFFFFF")


def table(ram, paddr, sig=None):
    if paddr + 36 > len(ram):
        sys.exit(f"table at {paddr:#x} is outside RAM")
    s = ram[paddr:paddr + 4].decode("ascii")
    length = struct.unpack_from("<I", ram, paddr + 4)[0]
    if sig and s != sig:
        sys.exit(f"expected {sig} at {paddr:#x}, found {s!r}")
    if s != "FACS" and not checksum_ok(ram[paddr:paddr + length]):
        sys.exit(f"{s} at {paddr:#x}: bad checksum")
    return s, ram[paddr:paddr + length]


def carve(ram):
    out = {}
    p = find_rsdp(ram)
    rev = ram[p + 15]
    rlen = 20
    if rev >= 2:
        rlen = struct.unpack_from("<I", ram, p + 20)[0]
        if not checksum_ok(ram[p:p + rlen]):
            sys.exit("RSDP: bad extended checksum")
    out[("RSDP", p)] = ram[p:p + rlen]
    roots = [("RSDT", struct.unpack_from("<I", ram, p + 16)[0], 4)]
    if rev >= 2:
        roots.append(("XSDT", struct.unpack_from("<Q", ram, p + 24)[0], 8))
    for sig, addr, width in roots:
        if addr == 0:
            continue
        _, body = table(ram, addr, sig)
        out[(sig, addr)] = body
        for off in range(36, len(body), width):
            e = int.from_bytes(body[off:off + width], "little")
            s, b = table(ram, e)
            out[(s, e)] = b
            if s == "FACP":
                fadt = b
                links = [("FACS", 36, 4), ("DSDT", 40, 4)]
                if len(fadt) >= 148:
                    links += [("FACS", 132, 8), ("DSDT", 140, 8)]
                for lsig, loff, lw in links:
                    la = int.from_bytes(fadt[loff:loff + lw], "little")
                    if la:
                        ts, tb = table(ram, la, lsig)
                        out[(ts, la)] = tb
    return out


SEED_BASE = 0x1000  # physical address of the fuzz input's memory (see fuzz_acpi.c)


def fix_checksum(b, at, length):
    b[at] = 0
    b[at] = (-sum(b[:length])) & 0xFF


def fuzz_seed(dumpdir, out, xsdt, mode):
    tables = {}
    for name in os.listdir(dumpdir):
        if name.endswith(".bin"):
            sig, addr = name[:-4].split("@")
            with open(os.path.join(dumpdir, name), "rb") as f:
                tables[int(addr, 16)] = (sig, f.read())
    rsdt = next(b for s, b in tables.values() if s == "RSDT")
    rsdp = bytearray(next(b for s, b in tables.values() if s == "RSDP")[:20])
    olds = [struct.unpack_from("<I", rsdt, o)[0] for o in range(36, len(rsdt), 4)]
    mem = bytearray(64)  # the RSDP, padded
    news = []
    for a in olds:
        news.append(SEED_BASE + len(mem))
        mem += tables[a][1] + bytes(-len(tables[a][1]) % 16)
    root_at = SEED_BASE + len(mem)
    if xsdt:
        root = bytearray(rsdt[:36]) + b"".join(struct.pack("<Q", a) for a in news)
        root[0:4] = b"XSDT"
    else:
        root = bytearray(rsdt[:36]) + b"".join(struct.pack("<I", a) for a in news)
    struct.pack_into("<I", root, 4, len(root))
    fix_checksum(root, 9, len(root))
    mem += root
    if xsdt:
        rsdp[15] = 2
        rsdp += struct.pack("<IQ", 36, root_at) + bytes(4)
        struct.pack_into("<I", rsdp, 16, 0)
    else:
        struct.pack_into("<I", rsdp, 16, root_at)
    fix_checksum(rsdp, 8, 20)
    if xsdt:
        fix_checksum(rsdp, 32, 36)
    mem[0:len(rsdp)] = rsdp
    with open(out, "wb") as f:
        f.write(bytes([mode]) + mem)
    print(f"{out}: {1 + len(mem)} bytes")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--fuzz-seed":
        mode = int(sys.argv[sys.argv.index("--mode") + 1]) if "--mode" in sys.argv else 0
        fuzz_seed(sys.argv[2], sys.argv[3], "--xsdt" in sys.argv, mode)
        return
    if len(sys.argv) != 3 or sys.argv[1] not in MACHINES:
        sys.exit(__doc__)
    machine, outdir = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="acpi-dump-")
    try:
        tables = carve(dump_ram(machine, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.endswith(".bin"):
            os.unlink(os.path.join(outdir, old))
    for (sig, addr), body in sorted(tables.items(), key=lambda t: t[0][1]):
        name = f"{sig}@{addr:#x}.bin"
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(body)
        print(f"{name}: {len(body)} bytes")


if __name__ == "__main__":
    main()
