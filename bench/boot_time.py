#!/usr/bin/env python3
"""Boot time to the banner under QEMU TCG, and the kernel image size.

Starts QEMU (no KVM) and measures wall-clock seconds from launch until the
kernel's banner line ("Orbital ...") arrives on the serial port, for the
direct PVH boot and the GRUB ISO under BIOS and UEFI; the median of N runs.
Prints `bench NAME VALUE UNIT` lines, then a table.

Usage: bench/boot_time.py BUILD_DIR [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time

build = sys.argv[1] if len(sys.argv) > 1 else 'build'
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
base = ['qemu-system-x86_64', '-M', 'pc', '-m', '128M', '-display', 'none', '-monitor', 'none',
        '-serial', 'stdio', '-no-reboot', '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
iso = os.path.join(build, 'test-iso', 'boot.iso')
if not os.path.exists(iso):
    os.makedirs(os.path.dirname(iso), exist_ok=True)
    subprocess.run(['bash', 'tools/mkiso.sh', os.path.join(build, 'orbital.elf'), iso,
                    'test=boot'], check=True)
configs = [
    ('boot_to_banner.pvh', ['-kernel', os.path.join(build, 'orbital.elf'), '-append', 'test=boot']),
    ('boot_to_banner.iso_bios', ['-cdrom', iso]),
    ('boot_to_banner.iso_uefi', ['-cdrom', iso, '-bios', '/usr/share/ovmf/OVMF.fd']),
]


def once(extra):
    t0 = time.monotonic()
    p = subprocess.Popen(base + extra, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    t = None
    for line in p.stdout:
        if line.startswith(b'Orbital ') and t is None:
            t = time.monotonic() - t0
    p.wait()
    return t


rows = []
for name, extra in configs:
    times = [x for x in (once(extra) for _ in range(runs)) if x is not None]
    if times:
        v = statistics.median(times)
        print(f'bench {name} {v:.3f} s', flush=True)
        rows.append((name, f'{v:.3f} s', f'median of {len(times)}'))
size = os.path.getsize(os.path.join(build, 'orbital.elf'))
load = 0
out = subprocess.run(['readelf', '-lW', os.path.join(build, 'orbital.elf')], capture_output=True,
                     text=True).stdout
for line in out.splitlines():
    f = line.split()
    if f and f[0] == 'LOAD':
        load += int(f[5], 16)
print(f'bench kernel_elf_size {size // 1024} KiB')
print(f'bench kernel_loaded_size {load // 1024} KiB')
rows += [('kernel_elf_size', f'{size // 1024} KiB', 'file, with debug info'),
         ('kernel_loaded_size', f'{load // 1024} KiB', 'memory the loader fills (text+data+bss)')]
print()
print(f'{"figure":28} {"value":>12}  note')
for r in rows:
    print(f'{r[0]:28} {r[1]:>12}  {r[2]}')
