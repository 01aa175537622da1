#!/usr/bin/env python3
"""Keeps docs/testing.md's map of components to tests honest.

The section "## What tests what" of docs/testing.md is a table: each row
names components (source files or folders, in backticks, first column) and
the tests that cover them (second column: test files, in backticks, by path
from the repository's root or by a name that only one test file has; what
stands in parentheses is a remark, not a name). This
checks, against the tree:

  - every test file is named by some row (a test nobody can find from the
    component it covers is a test the next change forgets to run);
  - every test a row names exists, and a bare name is one test file's alone;
  - every component a row names exists, and every component there is has a
    row: each folder of kernel/ (each source file of kernel/obj/, one row an
    object), lib/, user/lib/, each program of user/bin/, each folder and
    source file of vmm/.

Test files: tests/host/*/test_*.c, tests/fuzz/fuzz_*.c, tests/kernel/kt_*.c,
tests/user/t_*.c and tests/user/t_*/ (a program of several files), the QEMU
case lists and scripts of tests/qemu/ (not qemu_session.py, a library, nor
interactive.sh, which only runs three of them), the guests and test kernels
of tests/vmm/ and
tests/vmm/run.sh, tests/lab/cases.py and tests/bochs/run.sh.

Prints one line per problem and a closing "N passed, N failed" (one check
per test file, per name in the map and per component); the exit status is 0
exactly when nothing failed.

    tools/check-testmap.py [--root DIR] [--list] [--self-test]

--list prints the test files it knows (what the map must name) and stops.
--self-test runs the check on small trees it makes, one right and some
broken in each way it must catch, and prints "N passed, N failed" for those.
"""
import argparse
import glob
import os
import re
import shutil
import sys
import tempfile

SECTION = '## What tests what'

TEST_GLOBS = [
    'tests/host/*/test_*.c',
    'tests/fuzz/fuzz_*.c',
    'tests/kernel/kt_*.c',
    'tests/user/t_*.c',
    'tests/user/t_*/',
    'tests/qemu/*.py',
    'tests/qemu/*.sh',
    'tests/vmm/guests/*',
    'tests/vmm/kernels/*',
    'tests/vmm/run.sh',
    'tests/lab/cases.py',
    'tests/bochs/run.sh',
]
# Infrastructure, not tests: the QEMU session library and the runner of the
# interactive scripts (each of which is a test file itself).
NOT_TESTS = {'tests/qemu/qemu_session.py', 'tests/qemu/interactive.sh'}

SOURCE_ENDINGS = ('.c', '.S')


def test_files(root):
    """Every test file, as a path from root (folders end in '/')."""
    found = set()
    for pattern in TEST_GLOBS:
        for path in glob.glob(os.path.join(root, pattern)):
            rel = os.path.relpath(path, root)
            if pattern.endswith('/'):
                rel += '/'
            elif not os.path.isfile(path):
                continue
            if rel not in NOT_TESTS:
                found.add(rel)
    return found


def has_sources(root, folder):
    for _, _, files in os.walk(os.path.join(root, folder)):
        if any(f.endswith(SOURCE_ENDINGS) for f in files):
            return True
    return False


def components(root):
    """The components the map must have a row for."""
    want = set()
    for name in sorted(os.listdir(os.path.join(root, 'kernel'))):
        path = f'kernel/{name}/'
        if not os.path.isdir(os.path.join(root, path)) or not has_sources(root, path):
            continue
        if name == 'obj':
            for f in sorted(os.listdir(os.path.join(root, path))):
                if f.endswith(SOURCE_ENDINGS):
                    want.add(path + f)
        else:
            want.add(path)
    want.update({'lib/', 'user/lib/'})
    for name in sorted(os.listdir(os.path.join(root, 'user/bin'))):
        path = os.path.join(root, 'user/bin', name)
        if os.path.isdir(path) and has_sources(root, f'user/bin/{name}/'):
            want.add(f'user/bin/{name}/')
        elif name.endswith(SOURCE_ENDINGS):
            want.add(f'user/bin/{name}')
    for name in sorted(os.listdir(os.path.join(root, 'vmm'))):
        path = os.path.join(root, 'vmm', name)
        if os.path.isdir(path) and has_sources(root, f'vmm/{name}/'):
            want.add(f'vmm/{name}/')
        elif name.endswith(SOURCE_ENDINGS):
            want.add(f'vmm/{name}')
    return want


def names_in(cell):
    """The backticked names of a cell, leaving out remarks in parentheses."""
    while True:
        shorter = re.sub(r'\([^()]*\)', '', cell)
        if shorter == cell:
            return re.findall(r'`([^`]+)`', cell)
        cell = shorter


def read_map(root):
    """The map's rows: [(line number, [components], [tests])]."""
    path = os.path.join(root, 'docs/testing.md')
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    try:
        start = lines.index(SECTION)
    except ValueError:
        return None
    rows = []
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if line.startswith('#'):
            break
        if not line.startswith('|') or re.match(r'^\|\s*-', line):
            continue
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 2 or cells[0] == 'component':
            continue
        rows.append((n + 1, names_in(cells[0]), names_in(cells[1])))
    return rows


def resolve(name, tests):
    """The test file a name in the map means, or an error message."""
    if name in tests:
        return name, None
    if name.startswith('tests/'):
        return None, 'no such test file'
    matches = [t for t in tests if os.path.basename(t.rstrip('/')) == name.rstrip('/')
               and t.endswith('/') == name.endswith('/')]
    if not matches:
        return None, 'no test file has this name'
    if len(matches) > 1:
        return None, 'more than one test file has this name: ' + ', '.join(sorted(matches))
    return matches[0], None


def check_tree(root, out=print):
    """Runs every check on the tree at root; returns (passed, failed)."""
    tests = test_files(root)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            out(f'FAIL: {what}')

    rows = read_map(root)
    if rows is None:
        out(f'FAIL: docs/testing.md has no section "{SECTION}"')
        return 0, 1

    named_tests = set()
    named_components = set()
    for line, comps, names in rows:
        check(comps, f'docs/testing.md:{line}: a row that names no component')
        check(names, f'docs/testing.md:{line}: a row that names no test')
        for c in comps:
            named_components.add(c)
            exists = (has_sources(root, c) if c.endswith('/')
                      else os.path.isfile(os.path.join(root, c)))
            check(exists, f'docs/testing.md:{line}: component {c} does not exist'
                  + (' (or holds no source file)' if c.endswith('/') else ''))
        for name in names:
            t, err = resolve(name, tests)
            check(t is not None, f'docs/testing.md:{line}: test {name}: {err}')
            if t:
                named_tests.add(t)

    for t in sorted(tests):
        check(t in named_tests, f'{t}: a test file the map in docs/testing.md does not name')
    for c in sorted(components(root)):
        check(c in named_components, f'{c}: a component with no row in docs/testing.md')
    return passed, failed


# The self-test's trees: files (path -> text), then what breaking them must report.
GOOD_TREE = {
    'kernel/mm/pmm.c': '', 'kernel/obj/cspace.c': '', 'kernel/obj/quota.c': '',
    'lib/format.c': '', 'user/lib/alloc.c': '', 'user/bin/sh.c': '', 'user/bin/vfs/main.c': '',
    'vmm/mem.c': '', 'vmm/virtio/blk.c': '',
    'tests/host/kernel/test_pmm.c': '', 'tests/host/kernel/test_cspace.c': '',
    'tests/host/lib/test_format.c': '', 'tests/host/support/rng.h': '',
    'tests/user/t_quota.c': '', 'tests/user/t_vfs/main.c': '', 'tests/user/t_check.h': '',
    'tests/qemu/run.py': '', 'tests/qemu/qemu_session.py': '',
    'docs/testing.md': '\n'.join([
        '# Testing', '', SECTION, '', '| component | tests |', '|---|---|',
        '| `kernel/mm/` | `test_pmm.c` (with `not_a_test.c`), `run.py` |',
        '| `kernel/obj/cspace.c` | `tests/host/kernel/test_cspace.c` |',
        '| `kernel/obj/quota.c` | `t_quota.c` |',
        '| `lib/` | `test_format.c` |',
        '| `user/lib/`, `user/bin/sh.c`, `user/bin/vfs/` | `t_vfs/` |',
        '| `vmm/mem.c`, `vmm/virtio/` | `run.py` |', '', '## Next', '']),
}
BROKEN = [
    # (what is done to the good tree, a phrase the report must contain)
    ('add tests/host/vmm/test_vmm_new.c', 'test_vmm_new.c: a test file the map'),
    ('add tests/user/t_new/main.c', 't_new/: a test file the map'),
    ('add tests/kernel/kt_new.c', 'kt_new.c: a test file the map'),
    ('add user/bin/new.c', 'user/bin/new.c: a component with no row'),
    ('add kernel/obj/endpoint.c', 'kernel/obj/endpoint.c: a component with no row'),
    ('add kernel/ipc/ipc.c', 'kernel/ipc/: a component with no row'),
    ('add vmm/x86/cpu.c', 'vmm/x86/: a component with no row'),
    ('remove tests/host/lib/test_format.c', 'test test_format.c: no test file has this name'),
    ('remove kernel/mm/pmm.c', 'component kernel/mm/ does not exist'),
    ('add tests/host/user/test_pmm.c', 'more than one test file has this name'),
    ('replace `t_quota.c` |', 'a row that names no test'),
    ('replace ## What tests what', 'has no section'),
]


def self_test():
    passed = failed = 0
    base = tempfile.mkdtemp(prefix='check-testmap.')
    try:
        for i, (action, want) in enumerate([('nothing', None)] + BROKEN):
            root = os.path.join(base, str(i))
            for path, text in GOOD_TREE.items():
                os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
                with open(os.path.join(root, path), 'w') as f:
                    f.write(text)
            verb, _, what = action.partition(' ')
            if verb == 'add':
                os.makedirs(os.path.dirname(os.path.join(root, what)), exist_ok=True)
                open(os.path.join(root, what), 'w').close()
            elif verb == 'remove':
                os.remove(os.path.join(root, what))
            elif verb == 'replace':
                doc = os.path.join(root, 'docs/testing.md')
                with open(doc) as f:
                    text = f.read()
                with open(doc, 'w') as f:
                    f.write(text.replace(what, '|', 1) if what.startswith('`')
                            else text.replace(what, '## Elsewhere', 1))
            report = []
            p, f = check_tree(root, report.append)
            if want is None:
                ok = f == 0 and p > 0
            else:
                ok = f > 0 and any(want in line for line in report)
            if ok:
                passed += 1
            else:
                failed += 1
                print(f'FAIL: self-test: {action}: expected {want or "no failure"}, got '
                      f'{report or "nothing"} ({p} passed, {f} failed)')
    finally:
        shutil.rmtree(base)
    print(f'{passed} passed, {failed} failed (self-test)')
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default=os.path.join(os.path.dirname(__file__), '..'))
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--self-test', action='store_true')
    args = ap.parse_args()
    root = os.path.normpath(args.root)

    if args.self_test:
        return self_test()
    if args.list:
        for t in sorted(test_files(root)):
            print(t)
        return 0
    passed, failed = check_tree(root)
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
