#!/usr/bin/env python3
"""Checks the size rules of the style guide in kernel/, lib/ and vmm/.

    tools/check-size.py [--self-test] [-v] [ROOT ...]   (default roots: kernel lib vmm)

Rules:
  * a function body runs to at most MAX_FUNC_LINES (60) lines;
  * a C or assembly file (.c, .h, .S) runs to at most MAX_FILE_LINES (600) lines.

A longer one is allowed when it says why, with the marker "Long because:"
(case does not matter):
  * for a function, in the comment that ends on the line just above its
    definition (no blank line between) or on the definition's first line, or
    in a comment that starts on the line of its opening brace or on the first
    line of its body;
  * for a file, in its header paragraph: the comment the file opens with.

"Body lines" are the lines strictly between the line of the opening brace and
the line of the closing brace. Functions are found by a simple scan, not a C
parser: comments, string and character literals and preprocessor lines are
blanked first, then every brace at file level whose preceding text ends in a
parameter list ")" (and is not an initializer, struct, union or enum) opens a
function. Good enough for this code base; --self-test exercises the scanner.

Prints every long function and file (explained or not), then one line
"N passed, N failed": one check per file (a file passes if it and all its
functions keep the rules or explain why). Exit status 0 only if none failed.
"""
import os
import re
import sys

MAX_FUNC_LINES = 60
MAX_FILE_LINES = 600
MARKER = re.compile(r'long because:', re.IGNORECASE)
ROOTS = ('kernel', 'lib', 'vmm')
EXTS = ('.c', '.h', '.S')


def blank(text):
    """Returns (code, comments): code with comments, literals and preprocessor
    lines replaced by spaces (newlines kept, so line numbers hold), and a list
    of (first_line, last_line, comment_text) for every comment (1-based)."""
    out = []
    comments = []
    i, n, line = 0, len(text), 1
    line_start = True  # only blanks so far on this line
    directive = False  # inside a preprocessor line (until an unescaped newline)
    while i < n:
        c = text[i]
        if c == '\n':
            out.append(c)
            line += 1
            i += 1
            line_start = True
            directive = False
            continue
        if text.startswith('/*', i):
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            body = text[i:end]
            comments.append((line, line + body.count('\n'), body))
            out.append(re.sub(r'[^\n]', ' ', body))
            line += body.count('\n')
            i = end
            line_start = False
            continue
        if text.startswith('//', i):
            end = text.find('\n', i)
            end = n if end < 0 else end
            comments.append((line, line, text[i:end]))
            out.append(' ' * (end - i))
            i = end
            continue
        if c == '#' and line_start:
            directive = True
        if c not in ' \t':
            line_start = False
        if directive:
            if c == '\\' and text.startswith('\n', i + 1):
                out.append(' \n')  # a continuation: the directive goes on
                line += 1
                i += 2
                continue
            out.append(' ')
            i += 1
            continue
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            out.append(c + ' ' * (j - i - 2) + c if j - i >= 2 else c)
            i = j
            continue
        out.append(c)
        i += 1
    return ''.join(out), comments


def last_group(h):
    """Index of the "(" matching the ")" that h ends with, or -1."""
    depth = 0
    for k in range(len(h) - 1, -1, -1):
        if h[k] == ')':
            depth += 1
        elif h[k] == '(':
            depth -= 1
            if depth == 0:
                return k
    return -1


ATTRIBUTE = re.compile(r'\b(__attribute__|__attribute|__asm__|asm)\s*$')


def parameter_list(head):
    """Returns (head, k): head without trailing attribute groups (so
    'f(void) __attribute__((x))' becomes 'f(void)') and the index of the "("
    opening its last parameter list, or -1 if head does not end in one."""
    h = head.rstrip()
    while h.endswith(')'):
        k = last_group(h)
        if k < 0:
            return h, -1
        before = h[:k].rstrip()
        if not ATTRIBUTE.search(before):
            return h, k
        h = ATTRIBUTE.sub('', before).rstrip()
    return h, -1


def functions(code):
    """Yields (name, head_line, open_line, close_line) for each function
    definition in blanked code (1-based line numbers)."""
    depth = 0
    start = 0  # where the text before the next file-level brace begins
    i, n = 0, len(code)
    open_at = None
    name = None
    while i < n:
        c = code[i]
        if c == '{':
            if depth == 0:
                head = code[start:i]
                h, k = parameter_list(head)
                name = None
                if k > 0 and '=' not in h and not re.search(r'\b(struct|union|enum)\s+\w*\s*$', h):
                    m = re.search(r'([A-Za-z_]\w*)\s*$', h[:k])
                    if m and m.group(1) not in ('if', 'while', 'for', 'switch', 'return', 'sizeof'):
                        name = m.group(1)
                if name:
                    head_off = start + (len(head) - len(head.lstrip()))
                    open_at = (name, code.count('\n', 0, head_off) + 1, code.count('\n', 0, i) + 1)
                else:
                    open_at = None
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                if open_at:
                    yield open_at + (code.count('\n', 0, i) + 1,)
                open_at = None
                start = i + 1
            if depth < 0:
                depth = 0
        elif c == ';' and depth == 0:
            start = i + 1
        i += 1


def explained_function(comments, head_line, open_line):
    """True if a comment ending on the line above the definition (or on its
    first line), or one starting on the brace line or the first body line,
    has the marker."""
    for first, last, text in comments:
        if MARKER.search(text) and (last in (head_line - 1, head_line) or
                                    first in (open_line, open_line + 1)):
            return True
    return False


def explained_file(text):
    """True if the comment the file opens with (its header paragraph) has the marker."""
    s = text.lstrip()
    if s.startswith('/*'):
        end = s.find('*/')
        header = s[:end if end >= 0 else len(s)]
    else:
        lines = []
        for ln in s.splitlines():
            t = ln.strip()
            if t.startswith(('//', '#', ';')) and not t.startswith(('#include', '#define', '#if')):
                lines.append(t)
            else:
                break
        header = '\n'.join(lines)
    return bool(MARKER.search(header))


def check_text(path, text):
    """Returns (problems, notes) for one file: problems are unexplained long
    items, notes the explained ones."""
    problems, notes = [], []
    nlines = text.count('\n') + (0 if text.endswith('\n') or not text else 1)
    if nlines > MAX_FILE_LINES:
        msg = f'{path}: file {nlines} lines (over {MAX_FILE_LINES})'
        (notes if explained_file(text) else problems).append(msg)
    if path.endswith(('.c', '.h')):
        code, comments = blank(text)
        for name, head_line, open_line, close_line in functions(code):
            body = close_line - open_line - 1
            if body > MAX_FUNC_LINES:
                msg = f'{path}:{head_line}: {name}() {body} lines (over {MAX_FUNC_LINES})'
                ok = explained_function(comments, head_line, open_line)
                (notes if ok else problems).append(msg)
    return problems, notes


def walk(roots):
    for root in roots:
        if not os.path.exists(root):
            raise SystemExit(f'check-size: {root}: no such file or directory')
        if os.path.isfile(root):
            yield root
            continue
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(EXTS):
                    yield os.path.join(d, f)


def self_test():
    """Checks the scanner on small examples; returns (passed, failed)."""
    body = lambda k: ''.join(f'\tx += {j};\n' for j in range(k))
    cases = [
        # (name, text, expected functions [(name, body lines)], file ok)
        ('short', 'int f(void)\n{\n' + body(3) + '}\n', [('f', 3)]),
        ('long', 'static int g(int a)\n{\n' + body(61) + '}\n', [('g', 61)]),
        ('braces in strings and comments',
         'int h(void)\n{\n\tputs("}}{");\n\tchar c = \'}\';\n\t/* } */\n\t// {\n' + body(2) + '}\n',
         [('h', 6)]),
        ('initializer and struct are not functions',
         'static const int t[] = {\n1,\n2,\n};\nstruct s {\nint a;\n};\nint k(void) { return 0; }\n',
         [('k', -1)]),
        ('attribute after parameters',
         'void __attribute__((noreturn)) p(void) __attribute__((cold))\n{\n' + body(2) + '}\n',
         [('p', 2)]),
        ('preprocessor with braces',
         '#define M(x) { x }\n#if 1\nint q(void)\n{\n#define N }\n' + body(1) + '}\n#endif\n',
         [('q', 2)]),
        ('directive with a comment and a continuation',
         '#define A /* c */ {\\\n  }\nint r(void)\n{\n' + body(1) + '}\n', [('r', 1)]),
    ]
    fails = 0
    for label, text, want in cases:
        code, _ = blank(text)
        got = [(nm, c - o - 1) for nm, _, o, c in functions(code)]
        if got != want:
            print(f'self-test FAIL {label}: got {got}, want {want}')
            fails += 1
    marked = '/* Long because: a table. */\nint m(void)\n{\n' + body(70) + '}\n'
    first_line = 'int m(void)\n{\n\t/* long because: a state machine */\n' + body(70) + '}\n'
    unmarked = '/* Just long. */\nint m(void)\n{\n' + body(70) + '}\n'
    gap = '/* Long because: x */\n\nint m(void)\n{\n' + body(70) + '}\n'
    big = '/*\n * Header.\n */\n' + 'int a;\n' * 601
    big_ok = '/*\n * Header. Long because: generated.\n */\n' + 'int a;\n' * 601
    for label, path, text, bad in [('marker above', 'x.c', marked, 0),
                                   ('marker on first line', 'x.c', first_line, 0),
                                   ('no marker', 'x.c', unmarked, 1),
                                   ('blank line between', 'x.c', gap, 1),
                                   ('long file', 'x.S', big, 1),
                                   ('long file explained', 'x.S', big_ok, 0)]:
        problems, _ = check_text(path, text)
        if len(problems) != bad:
            print(f'self-test FAIL {label}: {problems}')
            fails += 1
    return len(cases) + 6 - fails, fails


def main(argv):
    verbose = '-v' in argv
    if '--self-test' in argv:
        passed, fails = self_test()
        print(f'{passed} passed, {fails} failed (self-test)')
        return 1 if fails else 0
    roots = [a for a in argv if not a.startswith('-')] or list(ROOTS)
    passed = failed = 0
    explained = []
    for path in walk(roots):
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        problems, notes = check_text(path, text)
        explained += notes
        for p in problems:
            print(f'FAIL {p}: no "Long because:" comment')
        if problems:
            failed += 1
        else:
            passed += 1
    for n in explained:
        print(f'ok   {n}: says why')
    if verbose:
        print(f'limits: functions {MAX_FUNC_LINES} body lines, files {MAX_FILE_LINES} lines')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
