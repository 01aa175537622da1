#!/usr/bin/env python3
"""Generates the kernel's embedded symbol table (the .ksyms section).

Reads `nm -n --defined-only` output on stdin and writes assembly for a table
of function symbols sorted by address:

    struct ksyms_header { u64 count; } followed by count x { u64 addr; u64 name_offset; }
    then the NUL-terminated names; name_offset is from the start of the section.

--empty writes an empty table (for the first link pass).
--compare A B checks that every symbol outside .ksyms has the same address in
both links, so the table built from pass 1 is right for pass 2.
"""
import subprocess
import sys


def emit(syms):
    out = ['\t.section .ksyms, "a"', '\t.balign 8', '\t.globl ksyms_table', 'ksyms_table:',
           f'\t.quad {len(syms)}']
    names = []
    off = 8 + 16 * len(syms)
    for addr, name in syms:
        out.append(f'\t.quad 0x{addr:x}, {off}')
        names.append(name)
        off += len(name.encode()) + 1
    for name in names:
        out.append(f'\t.asciz "{name}"')
    return '\n'.join(out) + '\n'


def read_nm(stream):
    syms = []
    for line in stream:
        parts = line.split()
        if len(parts) != 3:
            continue
        addr, kind, name = parts
        if kind not in 'tTW' or name.startswith('.') or name.startswith('__'):
            continue
        a = int(addr, 16)
        if a < 0xffffffff80000000:
            continue
        syms.append((a, name))
    syms.sort()
    return syms


def nm_map(path):
    out = subprocess.run(['nm', '--defined-only', path], check=True, capture_output=True,
                         text=True).stdout
    res = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and 'ksyms' not in p[2] and p[2] != '__kernel_end':
            res[p[2]] = p[0]
    return res


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--empty':
        sys.stdout.write(emit([]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == '--compare':
        a, b = nm_map(sys.argv[2]), nm_map(sys.argv[3])
        diff = [k for k in a if a.get(k) != b.get(k)]
        if diff:
            print(f'gen-ksyms: {len(diff)} symbols moved between link passes, e.g. {diff[:5]}',
                  file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(emit(read_nm(sys.stdin)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
