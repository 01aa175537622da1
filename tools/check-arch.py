#!/usr/bin/env python3
"""Checks the architecture boundary: portable code reaches the machine only
through the interface headers in kernel/arch/*.h.

    tools/check-arch.py [--self-test] [-v]

Portable code is every .c, .h and .S file under kernel/ and lib/, except
kernel/arch/x86_64/ (the x86-64 implementation, which may do anything). Rules,
each a check per file:
  * include: a portable file includes no architecture-private header: nothing
    under machine/ (the architecture's half of an interface header; only the
    interface headers kernel/arch/*.h themselves include those), nothing under
    x86/, no path naming x86_64, no path climbing with "../", and "arch/X.h"
    only for an X that kernel/arch/ has.
  * asm: no inline assembly (asm, __asm, __asm__) and no x86 built-ins
    (__builtin_ia32_*).
  * register: no identifier names an x86 register or instruction, alone or
    as a part between underscores (saved_rsp, read_cr3, rdmsr). Comments and
    string literals are not code and are not checked.
The in-kernel tests (tests/kernel/) test x86-64 behaviour too and may include
x86/ headers, but only through the arch include path: they are checked for
"../" and x86_64 paths only.

Prints each failure, then one line "N passed, N failed" (one check per file
and rule). Exit status 0 only if none failed. --self-test first runs the
checks on small broken samples and fails unless each fault is found.
"""
import os
import re
import sys

PORTABLE_ROOTS = ('kernel', 'lib')
ARCH_DIRS = ('kernel/arch/x86_64',)
INTERFACE_DIR = 'kernel/arch'
TEST_ROOTS = ('tests/kernel',)
EXTS = ('.c', '.h', '.S')

# x86 registers (general, segment, control, flags, vector, descriptor-table)
# and instructions a C helper would be named after.
X86_REGS = {
    'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'rip', 'rflags',
    'eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip', 'eflags',
    'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
    'cr0', 'cr2', 'cr3', 'cr4', 'cr8', 'xcr0', 'dr7',
    'gdtr', 'idtr', 'ldtr', 'xmm0', 'ymm0', 'zmm0',
}
X86_REG_RE = re.compile(r'^(?:xmm|ymm|zmm)\d+$')
X86_INSNS = {
    'rdmsr', 'wrmsr', 'cpuid', 'invlpg', 'rdtsc', 'rdtscp', 'lgdt', 'lidt', 'ltr',
    'swapgs', 'sysret', 'sysretq', 'iretq', 'inb', 'inw', 'inl', 'outb', 'outw', 'outl',
    'cli', 'sti', 'hlt', 'stac', 'clac', 'xsave', 'xrstor', 'fxsave', 'fxrstor',
}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
IDENT_RE = re.compile(r'\b[A-Za-z_][A-Za-z0-9_]*\b')
ASM_RE = re.compile(r'\b(?:asm|__asm|__asm__)\b|\b__builtin_ia32_\w+')


def strip_code(text):
    """Returns text with comments, string and character literals replaced by
    spaces (newlines kept, so line numbers hold)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith('/*', i):
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:end]))
            i = end
        elif text.startswith('//', i):
            end = text.find('\n', i)
            end = n if end < 0 else end
            out.append(' ' * (end - i))
            i = end
        elif text[i] in '"\'':
            q, j = text[i], i + 1
            while j < n and text[j] != q and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(q + re.sub(r'[^\n]', ' ', text[i + 1:j - 1]) + q)
            i = j
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def interface_names(root):
    d = os.path.join(root, INTERFACE_DIR)
    return {f for f in os.listdir(d) if f.endswith('.h')} if os.path.isdir(d) else set()


def bad_include(path, target, interfaces, test_file):
    """Why including target from path breaks the boundary, or None."""
    if '../' in target or target.startswith('..'):
        return 'climbs with "../"'
    if 'x86_64' in target:
        return 'names the x86_64 directory'
    if test_file:
        return None
    if target.startswith('x86/'):
        return 'is x86-private'
    if target.startswith('machine/'):
        if os.path.dirname(path) == INTERFACE_DIR and path.endswith('.h'):
            return None
        return 'is an architecture half: include the arch/ interface header'
    if target.startswith('arch/') and target[len('arch/'):] not in interfaces:
        return 'is not an interface header in kernel/arch/'
    return None


def check_text(path, text, interfaces, test_file=False):
    """Returns a dict rule -> list of problem strings for one file."""
    problems = {'include': [], 'asm': [], 'register': []}
    for m in INCLUDE_RE.finditer(text):
        why = bad_include(path, m.group(2), interfaces, test_file)
        if why:
            problems['include'].append(f'{path}:{line_of(text, m.start())}: '
                                       f'#include {m.group(2)} {why}')
    if test_file:
        return problems
    code = strip_code(text)
    # Preprocessor lines other than #include and #define bodies are code too;
    # include lines were checked above, so blank them here.
    code = INCLUDE_RE.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), code)
    if path.endswith('.S'):
        for m in re.finditer(r'%(\w+)', code):
            if m.group(1).lower() in X86_REGS or X86_REG_RE.match(m.group(1)):
                problems['register'].append(f'{path}:{line_of(code, m.start())}: '
                                            f'names register %{m.group(1)}')
        return problems
    for m in ASM_RE.finditer(code):
        problems['asm'].append(f'{path}:{line_of(code, m.start())}: {m.group(0)}')
    for m in IDENT_RE.finditer(code):
        word = m.group(0)
        if word in X86_INSNS:
            problems['register'].append(f'{path}:{line_of(code, m.start())}: '
                                        f'{word} names an x86 instruction')
            continue
        parts = [p.lower() for p in word.split('_') if p]
        regs = [p for p in parts if p in X86_REGS or X86_REG_RE.match(p)]
        if regs:
            problems['register'].append(f'{path}:{line_of(code, m.start())}: '
                                        f'{word} names x86 register {regs[0]}')
    return problems


def walk(root, tops, skip=()):
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            rel = os.path.relpath(dirpath, root)
            dirnames[:] = sorted(d for d in dirnames
                                 if os.path.join(rel, d) not in skip)
            for f in sorted(filenames):
                if f.endswith(EXTS):
                    yield os.path.join(rel, f)


def run(root, verbose=False):
    interfaces = interface_names(root)
    passed = failed = 0
    files = [(p, False) for p in walk(root, PORTABLE_ROOTS, ARCH_DIRS)]
    files += [(p, True) for p in walk(root, TEST_ROOTS)]
    for path, test_file in files:
        with open(os.path.join(root, path), encoding='utf-8', errors='replace') as f:
            text = f.read()
        for rule, found in check_text(path, text, interfaces, test_file).items():
            if test_file and rule != 'include':
                continue
            if found:
                failed += 1
                for p in found:
                    print(f'FAIL {rule}: {p}')
            else:
                passed += 1
    if verbose:
        print(f'interface headers: {" ".join(sorted(interfaces))}')
    return passed, failed


SAMPLES = [
    # (path, text, test_file, rule that must fail or None if clean)
    ('kernel/mm/a.c', '#include "arch/vm.h"\n#include "lib/types.h"\n', False, None),
    ('kernel/mm/b.c', '#include "x86/trap.h"\n', False, 'include'),
    ('kernel/mm/c.c', '#include "machine/cpu.h"\n', False, 'include'),
    ('kernel/arch/cpu.h', '#include "machine/cpu.h"\n', False, None),
    ('kernel/mm/d.c', '#include "../arch/x86_64/gdt.h"\n', False, 'include'),
    ('kernel/mm/e.c', '#include "arch/x86_64/lapic.h"\n', False, 'include'),
    ('kernel/mm/f.c', '#include "arch/nonesuch.h"\n', False, 'include'),
    ('kernel/mm/g.c', 'void f(void) { __asm__ volatile("pause"); }\n', False, 'asm'),
    ('kernel/mm/h.c', 'void f(void) { asm("hlt"); }\n', False, 'asm'),
    ('kernel/mm/i.c', 'struct t { unsigned long saved_rsp; };\n', False, 'register'),
    ('kernel/mm/j.c', 'unsigned long x = read_cr3();\n', False, 'register'),
    ('kernel/mm/k.c', 'void f(void) { outb(0x80, 0); }\n', False, 'register'),
    ('kernel/mm/l.c', '/* saved rsp, cr3, asm("hlt") */\nconst char *s = "rip %rax";\n',
     False, None),
    ('kernel/mm/m.S', 'movq %rsp, %rax\n', False, 'register'),
    ('kernel/mm/n.c', 'int strip, sticky, rbtree_x, scr3;\n', False, None),
    ('tests/kernel/kt.c', '#include "x86/trap.h"\nvoid f(void){ asm("hlt"); }\n', True, None),
    ('tests/kernel/kt2.c', '#include "../../kernel/arch/x86_64/trap.h"\n', True, 'include'),
]


def self_test():
    interfaces = {'vm.h', 'cpu.h'}
    passed = failed = 0
    for path, text, test_file, want in SAMPLES:
        got = {r for r, p in check_text(path, text, interfaces, test_file).items() if p}
        ok = got == ({want} if want else set())
        if ok:
            passed += 1
        else:
            failed += 1
            print(f'FAIL self-test {path}: expected {want or "no failure"}, got {sorted(got)}')
    return passed, failed


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if '--self-test' in argv:
        passed, failed = self_test()
        print(f'{passed} passed, {failed} failed (self-test)')
        return 1 if failed else 0
    passed, failed = run(root, '-v' in argv)
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
