#!/usr/bin/env python3
"""Boot times under QEMU TCG, and the kernel's size.

Starts QEMU (no KVM) and measures wall-clock time from launch until a line of
the serial port arrives, the median of N runs:

  boot_to_banner.pvh       the kernel's banner ("Orbital ..."), direct PVH boot
  boot_to_banner.iso_bios  the same through GRUB from the ISO, BIOS
  boot_to_banner.iso_uefi  the same, UEFI (OVMF)
  boot_to_shell.pvh        the shell's prompt ("orbital$ "): `qemu -kernel
                           orbital.elf -initrd bootfs.cpio` as `make run` boots
                           it, init and every service started on the way

and from build/orbital.elf itself:

  kernel_size.loaded       the sum of the PT_LOAD segments' memory sizes: what
                           the loader fills (text, data, bss, symbols); target
                           <= 400 KiB
  kernel_size.elf          the file, with its debug information

Prints `bench NAME VALUE UNIT` lines, then a table with the targets.

Usage: bench/boot_time.py BUILD_DIR [RUNS]
"""
import os
import re
import statistics
import subprocess
import sys
import time

build = sys.argv[1] if len(sys.argv) > 1 else 'build'
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
elf = os.path.join(build, 'orbital.elf')
base = ['qemu-system-x86_64', '-M', 'pc', '-m', '128M', '-display', 'none', '-monitor', 'none',
        '-serial', 'stdio', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
iso = os.path.join(build, 'test-iso', 'boot.iso')
if not os.path.exists(iso):
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    subprocess.run(['bash', 'tools/mkiso.sh', elf, iso, 'test=boot'], check=True)
BANNER = re.compile(rb'(^|\n)Orbital ')
PROMPT = re.compile(rb'orbital\$ ')
# (name, QEMU arguments, what ends the run, unit)
configs = [
    ('boot_to_banner.pvh', ['-kernel', elf, '-append', 'test=boot'], BANNER, 's'),
    ('boot_to_banner.iso_bios', ['-cdrom', iso], BANNER, 's'),
    ('boot_to_banner.iso_uefi', ['-cdrom', iso, '-bios', '/usr/share/ovmf/OVMF.fd'], BANNER, 's'),
    ('boot_to_shell.pvh', ['-kernel', elf, '-initrd', os.path.join(build, 'bootfs.cpio')],
     PROMPT, 'ms'),
]
TIMEOUT = 120  # seconds for one boot


def once(extra, until):
    """Seconds from starting QEMU until `until` matches its serial output (None: never)."""
    t0 = time.monotonic()
    p = subprocess.Popen(base + extra, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    out, t = b'', None
    try:
        while time.monotonic() - t0 < TIMEOUT:
            chunk = os.read(p.stdout.fileno(), 4096)  # the prompt ends no line: raw reads
            if not chunk:
                break
            out += chunk
            if until.search(out):
                t = time.monotonic() - t0
                break
    finally:
        p.kill()
        p.wait()
    return t


def loaded_size(path):
    """Bytes of memory the ELF's PT_LOAD segments take (their p_memsz summed)."""
    out = subprocess.run(['readelf', '-lW', path], capture_output=True, text=True,
                         check=True).stdout
    return sum(int(f[5], 16) for f in (line.split() for line in out.splitlines())
               if f and f[0] == 'LOAD')


rows = []
for name, extra, until, unit in configs:
    times = [x for x in (once(extra, until) for _ in range(runs)) if x is not None]
    if not times:
        rows.append((name, 'none', '-', f'no run of {runs} got there'))
        continue
    v = statistics.median(times)
    shown = f'{v * 1000:.0f} ms' if unit == 'ms' else f'{v:.3f} s'
    print(f'bench {name} {shown}', flush=True)
    rows.append((name, shown, '-', f'median of {len(times)}'))
size = os.path.getsize(elf)
load = loaded_size(elf)
print(f'bench kernel_size.loaded {load // 1024} KiB')
print(f'bench kernel_size.elf {size // 1024} KiB')
rows += [('kernel_size.loaded', f'{load // 1024} KiB', '<= 400',
          'memory the loader fills (text+data+bss+symbols)'),
         ('kernel_size.elf', f'{size // 1024} KiB', '-', 'file, with debug info')]
print()
print(f'{"figure":26} {"value":>10} {"target":>8}  note')
for r in rows:
    print(f'{r[0]:26} {r[1]:>10} {r[2]:>8}  {r[3]}')
