#!/usr/bin/env python3
"""Checks that the documentation stays true to the tree, and that the tree stands alone.

    tools/check-docs.py [--self-test] [BUILD]     (BUILD: the build directory, default build)

Rules, each a set of checks that pass or fail:
  * alone: no file of the repository (tracked, or new and not ignored) refers to
    what is not in it: notes kept outside the repository (LAB, DESIGN or STYLE
    markdown files, a shared folder beside the checkout), a developer machine's
    paths (the checkout's own absolute path, a home directory), or issue and
    pull-request numbers. One check per file.
  * paths: every repository path a markdown file names (kernel/..., tests/...,
    tools/..., docs/..., ...) exists, taken from the repository's root or from the
    markdown file's own folder. Placeholders (NAME, FILE, VERSION, X, ...) and
    patterns (*, {a,b}, <...>) are skipped. One check per path.
  * quotes: a fenced code block right after the line `<!-- check: file PATH -->`
    is a verbatim run of lines of PATH (the whole file, or consecutive lines of
    it), so a guide's example cannot drift from the code it shows.
  * built: `<!-- check: built PATH -->`: BUILD/PATH exists (the example is built).
  * cases: `<!-- check: qemu-case NAME -->`: tests/qemu/run.py lists a case NAME
    (so the QEMU layer runs it).

Prints each failure, then one line "N passed, N failed". Exit status 0 only if
none failed. --self-test first runs the rules on a small tree with one planted
fault of each kind and fails unless each is found.
"""
import os
import re
import subprocess
import sys
import tempfile

TOP = ('kernel', 'lib', 'user', 'tests', 'tools', 'vmm', 'bench', 'mk', 'docs', 'include')
PATH_RE = re.compile(r'(?<![\w./$~-])((?:%s)/[\w./-]*[\w])' % '|'.join(TOP))
PLACEHOLDER = re.compile(r'(^|[/_.-])(NAME|FILE|VERSION|SUBJECT|ARCH|PROG|TYPE|DIR|X|N)'
                         r'($|[/_.-])')
# Written in pieces so that this file does not match its own rules.
ALONE = [
    (re.compile(r'\b(LAB|DESIGN|STYLE)' + r'\.md\b'), 'names a note kept outside the repository'),
    (re.compile(r'\.\.' + r'/shared\b'), 'names a folder outside the repository'),
    (re.compile(r'/wo' + r'rk/|/ho' + r'me/\w'), "names a developer machine's path"),
    (re.compile(r'\b[Ii]ssues? #?\d+|\(iss' + r'ue\b|\b(see|fixes|closes|PR|bug) #\d+',),
     'names an issue or pull-request number'),
]
MARK_RE = re.compile(r'^<!-- check: (file|built|qemu-case) (\S+) -->\s*$')


def repo_files(root):
    """The repository's files: tracked, and new ones git does not ignore."""
    out = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    return sorted(set(f for f in out.split('\n') if f and os.path.isfile(os.path.join(root, f))))


def read_text(path):
    try:
        with open(path, encoding='utf-8') as f:
            return f.read()
    except (UnicodeDecodeError, OSError):
        return None


def check_alone(root, files, me):
    passed, failures = 0, []
    for f in files:
        text = read_text(os.path.join(root, f))
        if text is None or os.path.abspath(os.path.join(root, f)) == me:
            continue
        bad = False
        for n, line in enumerate(text.split('\n'), 1):
            for rx, why in ALONE:
                if rx.search(line):
                    bad = True
                    failures.append('alone: %s:%d %s: %s' % (f, n, why, line.strip()[:100]))
        passed += not bad
    return passed, failures


def doc_paths(text):
    """(line number, path) for each repository path the markdown text names."""
    for n, line in enumerate(text.split('\n'), 1):
        if MARK_RE.match(line):
            continue  # checked by check_marks (a built path is under BUILD)
        for m in PATH_RE.finditer(line):
            p = m.group(1)
            after = line[m.end():m.end() + 1]
            if PLACEHOLDER.search(p) or '..' in p or after in ('*', '{', '<', '$'):
                continue
            yield n, p.rstrip('.')


def check_paths(root, docs):
    passed, failures, seen = 0, [], set()
    for doc in docs:
        text = read_text(os.path.join(root, doc))
        for n, p in doc_paths(text or ''):
            here = os.path.join(root, os.path.dirname(doc), p)
            if (doc, p) in seen:
                continue
            seen.add((doc, p))
            if os.path.exists(os.path.join(root, p)) or os.path.exists(here):
                passed += 1
            else:
                failures.append('paths: %s:%d names %s, which does not exist' % (doc, n, p))
    return passed, failures


def fenced_block_after(lines, i):
    """The text of the fenced code block starting at or after line index i (only
    blank lines may come between), or None."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or not lines[i].startswith('```'):
        return None
    body = []
    for line in lines[i + 1:]:
        if line.startswith('```'):
            return body
        body.append(line)
    return None


def is_run_of(block, lines):
    """True if block (a list of lines) equals consecutive lines of lines."""
    if not block:
        return False
    for start in range(len(lines) - len(block) + 1):
        if lines[start:start + len(block)] == block:
            return True
    return False


def qemu_cases(root, build):
    out = subprocess.run([sys.executable, 'tests/qemu/run.py', build, '--list'], cwd=root,
                         capture_output=True, text=True)
    return set(out.stdout.split()) if out.returncode == 0 else set()


def check_marks(root, docs, build):
    passed, failures = 0, []
    cases = None
    for doc in docs:
        lines = (read_text(os.path.join(root, doc)) or '').split('\n')
        for i, line in enumerate(lines):
            m = MARK_RE.match(line)
            if not m:
                continue
            kind, arg = m.groups()
            where = '%s:%d' % (doc, i + 1)
            if kind == 'file':
                block = fenced_block_after(lines, i + 1)
                src = read_text(os.path.join(root, arg))
                if block is None:
                    failures.append('quotes: %s: no code block after the mark' % where)
                elif src is None:
                    failures.append('quotes: %s: %s does not exist' % (where, arg))
                elif not is_run_of(block, src.split('\n')):
                    failures.append('quotes: %s: the block is not a run of lines of %s '
                                    '(copy it again)' % (where, arg))
                else:
                    passed += 1
            elif kind == 'built':
                if os.path.exists(os.path.join(root, build, arg)):
                    passed += 1
                else:
                    failures.append('built: %s: %s/%s was not built' % (where, build, arg))
            else:
                if cases is None:
                    cases = qemu_cases(root, build)
                if arg in cases:
                    passed += 1
                else:
                    failures.append('cases: %s: tests/qemu/run.py has no case %s' % (where, arg))
    return passed, failures


def check(root, build):
    files = repo_files(root)
    docs = [f for f in files if f.endswith('.md')]
    me = os.path.abspath(__file__)
    passed, failures = 0, []
    for p, f in (check_alone(root, files, me), check_paths(root, docs),
                 check_marks(root, docs, build)):
        passed += p
        failures += f
    return passed, failures


def self_test():
    """Plants one fault of each kind in a small git tree; every one must be found."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, 'docs'))
        os.makedirs(os.path.join(d, 'tools'))
        with open(os.path.join(d, 'tools', 'x.sh'), 'w') as f:
            f.write('echo one\necho two\necho three\n')
        with open(os.path.join(d, 'docs', 'guide.md'), 'w') as f:
            # Line 1: one missing path, two skipped; 2: two outside references; a good
            # quote at 4, a drifted one at 9, an example that was not built at 14.
            f.write('See tools/x.sh and tools/gone.sh, not tools/NAME.c or tools/*.sh.\n'
                    'Also ' + 'LAB' + '.md and fixes ' + '#12.\n\n'
                    '<!-- check: file tools/x.sh -->\n```\necho two\necho three\n```\n'
                    '<!-- check: file tools/x.sh -->\n```\necho one\necho three\n```\n'
                    '<!-- check: built bin/none -->\n')
        subprocess.run(['git', 'init', '-q', d], check=True)
        passed, failures = check(d, 'build')
    want = ['paths: docs/guide.md:1 names tools/gone.sh', 'alone: docs/guide.md:2 names a note',
            'alone: docs/guide.md:2 names an issue', 'quotes: docs/guide.md:9:',
            'built: docs/guide.md:14:']
    missing = [w for w in want if not any(f.startswith(w) for f in failures)]
    if missing or len(failures) != len(want) or passed != 3:
        print('check-docs: self-test failed: wanted %s (and 3 passed), got %d passed:\n  %s'
              % (want, passed, '\n  '.join(failures)))
        return False
    return True


def main(argv):
    if '--self-test' in argv:
        if not self_test():
            print('0 passed, 1 failed')
            return 1
        print('check-docs: self-test passed (each planted fault found)')
        return 0
    args = [a for a in argv if not a.startswith('-')]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    passed, failures = check(root, args[0] if args else 'build')
    for f in failures:
        print('check-docs: %s' % f)
    print('%d passed, %d failed' % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
