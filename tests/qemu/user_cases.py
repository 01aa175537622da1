"""QEMU cases for the user-space test programs (user/tests/t_*.c).

Each case boots the kernel with the in-kernel test 'user' and `init=t_NAME`
on the command line: the program runs as the first process, prints one line
per check ("ok: ..." / "FAIL: ...") and a closing "t_NAME: N passed, N
failed", and its exit status decides pass or fail. Every case also requires
that no check failed, that the closing line appears, and that the kernel did
not panic.

tests/qemu/run.py imports this module and adds cases(Case) to its list.
"""

PANIC = r'KERNEL PANIC'


def _summary(name):
    # At least one check ran and none failed; the line is the program's last.
    return rf'^{name}: [1-9]\d* passed, 0 failed$'


def cases(Case):
    # user.warm: the kernel's harness runs the program twice and compares free frames
    # around the second run only (kernel caches filled by the first are not leaks).
    def user(case_name, prog, patterns=(), smp=1, timeout=120, mem='128M', cmdline=''):
        return Case(case_name, 'user', smp=smp, mem=mem, timeout=timeout,
                    cmdline=f'init={prog} user.warm {cmdline}'.strip(),
                    patterns=[_summary(prog)] + list(patterns),
                    absent=[r'^FAIL: ', PANIC])

    return [
        # A process that touches kernel memory or memory it does not map is killed; the
        # rest goes on.
        user('user_isolation', 't_isolation',
             patterns=[r'^ok: child rd_kernel: exit status',
                       r'^ok: child jmp_kernel: exit status',
                       r'^ok: child reading an address mapped only in the parent',
                       r'^ok: a normal child after the faults: exit status = 42']),
        # Capabilities: bad handles, rights, derive, badges, revoke, transfer.
        user('user_caps', 't_caps',
             patterns=[r'^ok: revoke\(A\): capabilities removed \(B, C, the child\'s copy\) = 3',
                       r'^ok: server: badge of client 1', r'^ok: server: badge of client 2',
                       r'^ok: grant child: call carrying a cap through SEND-only']),
        # Echo server and concurrent clients, on one and on four CPUs.
        user('user_echo_smp1', 't_echo', smp=1, timeout=180,
             patterns=[r'^t_echo: 1 CPUs$',
                       r'^ok: echo calls the server served = 6000']),
        user('user_echo_smp4', 't_echo', smp=4, mem='256M', timeout=180,
             patterns=[r'^t_echo: 4 CPUs$',
                       r'^ok: echo calls the server served = 6000']),
        # The same with the IPC fast path off: the general path alone gives the same results.
        user('user_echo_smp1_nofastpath', 't_echo', smp=1, timeout=180, cmdline='fastpath=off',
             patterns=[r'^ok: echo calls the server served = 6000',
                       r'IPC fast path off, taken 0 times']),
        user('user_echo_smp4_nofastpath', 't_echo', smp=4, mem='256M', timeout=180,
             cmdline='fastpath=off',
             patterns=[r'^ok: echo calls the server served = 6000',
                       r'IPC fast path off, taken 0 times']),
        # Malformed ELF images are refused and leave nothing behind.
        user('user_badelf', 't_badelf',
             patterns=[r'^ok: the good image spawns',
                       r'^ok: the good image still spawns afterwards']),
        # 120,000 random system calls; no panic, no leak. Seeds are fixed (replayable).
        user('user_sysfuzz', 't_sysfuzz', timeout=900,
             patterns=[r'^t_sysfuzz\[fuzzer\]: seed 0x[0-9a-f]+: 120000 calls',
                       r'^ok: fuzzer: status 0', r'^ok: free memory: ']),
        user('user_sysfuzz_smp4', 't_sysfuzz', smp=4, mem='256M', timeout=900,
             cmdline='fuzz.seed=0x5eed4',
             patterns=[r'^t_sysfuzz: seed 0x5eed4,',
                       r'^ok: fuzzer: status 0', r'^ok: free memory: ']),
        # The benchmark program also runs as a test (its figures are not checked).
        user('user_bench', 't_bench', timeout=300,
             patterns=[r'^bench null_syscall\.orbital \d+ tsc$',
                       r'^bench ipc_roundtrip\.orbital \d+ tsc$',
                       r'^bench copy_64k\.orbital \d+ tsc$',
                       r'^bench memcap_64k\.orbital \d+ tsc$',
                       r'IPC fast path on, taken [1-9]\d* times']),
        # The benchmark's ping-pong through the general path only (fast path off).
        user('user_bench_nofastpath', 't_bench', timeout=300, cmdline='fastpath=off',
             patterns=[r'^bench ipc_roundtrip\.orbital \d+ tsc$',
                       r'IPC fast path off, taken 0 times']),
    ]
