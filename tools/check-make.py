#!/usr/bin/env python3
"""Checks the build's make files (the top Makefile and every file it includes).

    tools/check-make.py [--self-test] [-v] [MAKEFILE]   (default: Makefile)

Rules, each a check that passes or fails:
  * phony: every name listed in .PHONY has a rule. make itself accepts a .PHONY
    name without one and only fails when someone asks for it, so a renamed or
    deleted target leaves a dead name behind unnoticed.
  * include: a make file is pulled in with plain `include`. `-include` (and
    `sinclude`) silently skips a missing file, so it is only for the compiler's
    generated dependency files (*.d), which are missing before the first build.
  * scripts: every repository script a recipe runs (a path like tools/x.sh,
    tests/y/z.py, bench/run.sh) exists, so a moved script is caught here rather
    than when someone types the target.

How: the phony names, rules and recipes come from make's own database
(`make -p -q` on a goal of our own that has no recipe, so nothing is built and
no recipe runs; only the make files' $(shell ...) calls do); the include lines
are read from the make files make reports in MAKEFILE_LIST.

Prints each failure, then one line "N passed, N failed" (one check per rule
and name). Exit status 0 only if none failed. --self-test first runs the checks
on a small broken make file and fails unless they find each fault.
"""
import os
import re
import subprocess
import sys
import tempfile

PROBE = '__check_make_probe__'
# A script a recipe runs, named by its path in the repository.
SCRIPT_RE = re.compile(r'(?<![\w./$-])((?:tools|tests|bench|vmm|mk)/[\w./-]+\.(?:sh|py))\b')
INCLUDE_RE = re.compile(r'^\s*(-include|sinclude|include)\s+(.*)$')


def make_database(makefile, root):
    """Runs make on MAKEFILE in ROOT and returns (database text, list of make
    files read). Raises RuntimeError if make could not read the make files."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
    with tempfile.NamedTemporaryFile('w', suffix='.mk', delete=False) as probe:
        probe.write('%s:\n\t@echo $(MAKEFILE_LIST)\n' % PROBE)
    try:
        p = subprocess.run(['make', '--no-print-directory', '-r', '-p', '-q', '-f', makefile,
                            '-f', probe.name, PROBE], cwd=root, env=env,
                           capture_output=True, text=True)
        listing = subprocess.run(['make', '--no-print-directory', '-s', '-f', makefile,
                                  '-f', probe.name, PROBE], cwd=root, env=env,
                                 capture_output=True, text=True)
    finally:
        os.unlink(probe.name)
    if '# Make data base' not in p.stdout or listing.returncode != 0:
        raise RuntimeError('make could not read %s:\n%s%s' % (makefile, p.stderr,
                                                               listing.stderr))
    files = [f for f in listing.stdout.split() if f != probe.name]
    return p.stdout, files


def parse_files_section(db):
    """The explicit targets of make's database: {name: (is_target, prerequisites,
    recipe lines)}."""
    start = db.find('\n# Files\n')
    end = db.find('\n# files hash-table stats', start)
    section = db[start:end] if start >= 0 else ''
    entries = {}
    lines = section.split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^([^#\s][^:]*?)::?(?:\s(.*))?$', line)
        if not m or line.startswith('\t'):
            i += 1
            continue
        not_target = i > 0 and lines[i - 1].startswith('# Not a target')
        name, prereqs = m.group(1), (m.group(2) or '').split()
        recipe = []
        i += 1
        while i < len(lines) and lines[i] != '':
            if lines[i].startswith('\t'):
                recipe.append(lines[i][1:])
            i += 1
        entries[name] = (not not_target, prereqs, recipe)
    return entries


def check(makefile, root, verbose=False):
    """Runs the three rules; returns (passed, failures) where failures is a list of
    one-line messages."""
    db, files = make_database(makefile, root)
    entries = parse_files_section(db)
    passed, failures = 0, []

    texts = {}
    for f in files:
        path = os.path.join(root, f)
        if not f.endswith('.d') and os.path.isfile(path):
            with open(path) as fh:
                texts[f] = fh.read()
    phony = entries.get('.PHONY', (False, [], []))[1]
    for name in sorted(set(phony)):
        entry = entries.get(name)
        # make's database shows a phony name with no rule just like a rule with
        # nothing in it (FORCE:), so an entry without prerequisites or recipe
        # counts only if a make file spells out its empty rule.
        if entry and entry[0] and (entry[1] or entry[2]):
            passed += 1
        elif any(re.search(r'^%s\s*::?(\s|$)' % re.escape(name), t, re.M)
                 for t in texts.values()):
            passed += 1
        else:
            failures.append('phony: "%s" is in .PHONY but has no rule' % name)

    for f, text in texts.items():
        ok = True
        for n, line in enumerate(text.split('\n'), 1):
            m = INCLUDE_RE.match(line)
            if not m or m.group(1) == 'include':
                continue
            args = m.group(2).split('#')[0].strip()
            # Generated dependency files only: the argument must end in .d
            # (for example $(K_OBJS:.o=.d) or $(wildcard $(B)/*.d)).
            if not re.search(r'\.d\)*$', args):
                ok = False
                failures.append('include: %s:%d: "%s %s" skips a missing make file '
                                'silently (use include)' % (f, n, m.group(1), args))
        passed += ok

    scripts = {}
    for name, (_, _, recipe) in entries.items():
        for line in recipe:
            for script in SCRIPT_RE.findall(line):
                scripts.setdefault(script, name)
    for script, name in sorted(scripts.items()):
        if os.path.exists(os.path.join(root, script)):
            passed += 1
        else:
            failures.append('scripts: target "%s" runs %s, which does not exist' % (name, script))
    if verbose:
        print('make files read: %s' % ' '.join(files))
        print('phony targets: %s' % ' '.join(sorted(set(phony))))
    return passed, failures


BROKEN = """\
.PHONY: all gone also-gone FORCE
FORCE:
all: part
\t@bash tools/missing-script.sh
-include part.mk
-include $(OBJS:.o=.d)
include good.mk
"""
GOOD = """\
.PHONY: part
part:
\t@true
"""


def self_test():
    """The checks must find each fault in a small broken make file, and nothing
    more. Returns True if they did."""
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, 'Makefile'), 'w') as f:
            f.write(BROKEN)
        with open(os.path.join(d, 'good.mk'), 'w') as f:
            f.write(GOOD)
        _, failures = check('Makefile', d)
    want = ['phony: "also-gone"', 'phony: "gone"', 'include: Makefile:5:',
            'scripts: target "all" runs tools/missing-script.sh']
    found = all(any(f.startswith(w) for f in failures) for w in want)
    if not found or len(failures) != len(want):
        print('check-make: self-test failed: expected %d faults starting with %s, got:\n  %s'
              % (len(want), want, '\n  '.join(failures)))
        return False
    return True


def main(argv):
    args = [a for a in argv if not a.startswith('-')]
    if '--self-test' in argv:
        if not self_test():
            print('0 passed, 1 failed')
            return 1
        print('check-make: self-test passed (each planted fault found)')
        return 0
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    makefile = args[0] if args else 'Makefile'
    try:
        passed, failures = check(makefile, root, '-v' in argv)
    except RuntimeError as e:
        print('check-make: %s' % e)
        print('0 passed, 1 failed')
        return 1
    for f in failures:
        print('check-make: %s' % f)
    print('%d passed, %d failed' % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
