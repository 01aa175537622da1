#!/usr/bin/env python3
"""The nested lab's fault rules, checked on the host with stand-in VMMs (no lab, no KVM).

Owns: proving that tests/lab/orbital_cases.py repeats a run only as docs/testing.md
allows, and no more: once, and reported, when the guest reset (orbvm's triple-fault
exit) or hung with nothing reported by the kernel or a test program; never when the
guest reported a failure, exited otherwise, or after L1 was found wedged; and that a
wedged L1 stops the cases that follow. Each stand-in VMM is a shell script that plays
one behaviour per run (a counter file tells the runs apart).

Prints one line per check and "N passed, N failed" last; exits 1 on a failure.
"""

import io
import os
import sys
import tempfile
import contextlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "lab"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmdrive  # noqa: E402
import orbital_cases  # noqa: E402
from cases import Results as Res  # noqa: E402  (prints its lines: runs capture them)

TRIPLE = 'echo "orbvm: triple fault on vCPU 1: RIP 0xfff0 RSP 0x0 CR2 0x0 CR3 0x0"; exit 3'
GOOD = 'echo "t_echo: 2 CPUs"; echo "ok: done"; exit 33'
HANG = "exec sleep 600"
BEHAVIOURS = {
    "reset": TRIPLE,
    "good": GOOD,
    "hang": HANG,
    # The guest said what went wrong before the reset: a failure, never a lab fault.
    "reported": 'echo "FAIL: server: exit status = 1 (want 0)"; ' + TRIPLE,
    "panic": 'echo "KERNEL PANIC: assertion failed"; exit 37',
    # A plain wrong status (no reset, no hang) is the test's failure.
    "status": 'echo "t_echo: 2 CPUs"; exit 35',
}


class Args:
    def __init__(self, orbvm):
        self.orbvm = orbvm
        self.orbital = "/nonexistent"
        self.exit_timeout = 5


def stub(tmp, plays):
    """A VMM that plays plays[i] on its i-th run (the last one from then on)."""
    count = os.path.join(tmp, "count")
    with open(count, "w") as f:
        f.write("0")
    path = os.path.join(tmp, "vmm")
    arms = "".join('%d) %s ;;\n' % (i, BEHAVIOURS[p]) for i, p in enumerate(plays))
    with open(path, "w") as f:
        f.write('#!/bin/sh\nn=$(cat %s)\necho $((n + 1)) > %s\n'
                'case $n in\n%s*) %s ;;\nesac\n' % (count, count, arms, BEHAVIOURS[plays[-1]]))
    os.chmod(path, 0o755)
    return path, count


def run_case(plays, wedged=None):
    """Runs one O test case against a stand-in; returns (res, retries, runs, output)."""
    with tempfile.TemporaryDirectory() as tmp:
        path, count = stub(tmp, plays)
        vmdrive.retries.clear()
        vmdrive.wedged = wedged
        res = Res()
        test = ("stub", 2, "64M", "test=user", [r"t_echo: 2 CPUs"])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            orbital_cases.case_test(Args(path), res, test)
        with open(count) as f:
            runs = int(f.read())
        return res, list(vmdrive.retries), runs, out.getvalue()


def main():
    orbital_cases.TEST_WAIT = 3
    passed = failed = 0

    def expect(what, ok, detail):
        nonlocal passed, failed
        print("%s %s%s" % ("PASS" if ok else "FAIL", what, "" if ok else ": " + detail))
        if ok:
            passed += 1
        else:
            failed += 1

    # (plays, want passed, want failed, want runs, want retries, description)
    table = [
        (["reset", "good"], 1, 0, 2, 1, "a reset with nothing reported is run once more"),
        (["hang", "good"], 1, 0, 2, 1, "a hang with nothing reported is run once more"),
        (["reset", "reset"], 0, 1, 2, 1, "a second reset fails: one repeat only"),
        (["hang", "hang"], 0, 1, 2, 1, "a second hang fails: one repeat only"),
        (["reported", "good"], 0, 1, 1, 0, "a reset after a FAIL line is a failure"),
        (["panic", "good"], 0, 1, 1, 0, "a kernel panic is a failure"),
        (["status", "good"], 0, 1, 1, 0, "a wrong exit status is a failure"),
        (["good"], 1, 0, 1, 0, "a pass is run once"),
    ]
    for plays, wp, wf, wruns, wretries, what in table:
        res, retries, runs, out = run_case(plays)
        got = (res.passed, res.failed, runs, len(retries))
        ok = got == (wp, wf, wruns, wretries) and (out.count("RETRY ") == wretries)
        expect(what, ok, "passed, failed, runs, retries = %r, want %r; output %r" %
               (got, (wp, wf, wruns, wretries), out[-300:]))

    res, retries, runs, _ = run_case(["reset", "good"], wedged="stand-in wedge")
    expect("no repeat once L1 is wedged", (res.failed, runs, retries) == (1, 1, []),
           "failed %d, runs %d, retries %r" % (res.failed, runs, retries))

    # A wedged L1 stops case O before its next case.
    with tempfile.TemporaryDirectory() as tmp:
        path, count = stub(tmp, ["good"])
        vmdrive.wedged = "stand-in wedge"
        saved = orbital_cases.TESTS
        orbital_cases.TESTS = [("stub", 1, "64M", "test=user", [r"t_echo"])] * 3
        calls = []
        real = orbital_cases.case_shell
        orbital_cases.case_shell = lambda *a, **k: calls.append("shell")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                orbital_cases.case_o(Args(path), Res())
        finally:
            orbital_cases.TESTS = saved
            orbital_cases.case_shell = real
        with open(count) as f:
            runs = int(f.read())
        expect("a wedged L1 stops the remaining O cases", runs == 0 and calls == [],
               "test runs %d, shell cases %r" % (runs, calls))
    vmdrive.wedged = None

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
