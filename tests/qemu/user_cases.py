"""QEMU cases for the user-space test programs (tests/user/t_*.c).

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
    def user(case_name, prog, patterns=(), smp=1, timeout=120, mem='128M', cmdline='',
             soak_variants=None):
        return Case(case_name, 'user', smp=smp, mem=mem, timeout=timeout,
                    cmdline=f'init={prog} user.warm {cmdline}'.strip(),
                    patterns=[_summary(prog)] + list(patterns),
                    absent=[r'^FAIL: ', PANIC], soak_variants=soak_variants)

    return [
        # The smallest program (user/bin/hello.c, the example docs/hacking.md walks through)
        # runs as the first process: it gets its argv (the first process is named init),
        # prints, exits with 0 and leaves no process, thread or frame behind.
        Case('user_hello', 'user', cmdline='init=hello user.warm',
             patterns=[r'^hello from user space$', r'^hello: argv\[0\] = "init"$'],
             absent=[PANIC]),
        # A process that touches kernel memory or memory it does not map is killed; the
        # rest goes on.
        user('user_isolation', 't_isolation',
             patterns=[r'^ok: child rd_kernel: exit status',
                       r'^ok: child jmp_kernel: exit status',
                       r'^ok: child reading an address mapped only in the parent',
                       r'^ok: a normal child after the faults: exit status = 42']),
        # Quotas: hostile quota arguments refused; child quotas bounded by their parent;
        # the page-table drain and drains of processes, cspace slots, threads, endpoints,
        # notifications and Memory objects stop at -ERR_QUOTA while others go on; all of
        # it given back when the process dies. On 1 and 2 CPUs.
        user('user_quota', 't_quota',
             patterns=[r'^ok: mapping at 2 MiB strides ends with = -16 \(QUOTA\)',
                       r'^ok: others still create endpoints, notifications, memory',
                       r"^ok: the child's own checks: exited normally with 0"]),
        user('user_quota_smp2', 't_quota', smp=2,
             patterns=[r'^ok: mapping at 2 MiB strides ends with = -16 \(QUOTA\)',
                       r"^ok: the child's own checks: exited normally with 0"]),
        # Capabilities: bad handles, rights, derive, badges, revoke, transfer.
        user('user_caps', 't_caps',
             patterns=[r'^ok: revoke\(A\): capabilities removed \(B, C, the child\'s copy\) = 3',
                       r'^ok: server: badge of client 1', r'^ok: server: badge of client 2',
                       r'^ok: grant child: call carrying a cap through SEND-only']),
        # An interrupt line rebound, its drivers killed and the line released while it
        # fires (a driver's storm), on 2 and 4 CPUs.
        user('user_irqrace_smp2', 't_irqrace', smp=2, mem='256M', timeout=180,
             patterns=[r'^ok: \.\.\. every bind succeeded',
                       r'^ok: drivers killed during the storm and started again',
                       r'^ok: release the line \(its last capability\) during the storm']),
        user('user_irqrace_smp4', 't_irqrace', smp=4, mem='256M', timeout=180,
             patterns=[r'^ok: \.\.\. every bind succeeded',
                       r'^ok: drivers killed during the storm and started again',
                       r'^ok: release the line \(its last capability\) during the storm']),
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
        # Death watches and closed endpoints, on one and four CPUs, and with the IPC fast
        # path off (a closed endpoint must stop both paths).
        *[user(f'user_lifecycle_smp{n}{suffix}', 't_lifecycle', smp=n, timeout=240,
               mem='256M' if n > 1 else '128M', cmdline=cmd,
               patterns=[r'^ok: exit: the watch fires',
                         r'^ok: kill: watches 2, 3 and 4 fire',
                         r'^ok: fault: the watch fires',
                         r'^ok: one more: the dead watcher\'s watch no longer counts',
                         r'^ok: blocked call \(A\) = -15',
                         r'^ok: call on closed A, no timeout \(returned\) = -15',
                         r'^ok: reply_recv: the caller gets the answer',
                         r'^ok: close through a client capability \[SEND, GRANT\] = -7',
                         r'IPC fast path ' + ('off, taken 0 times' if cmd else 'on')])
          for n, suffix, cmd in ((1, '', ''), (4, '', ''),
                                 (1, '_nofastpath', 'fastpath=off'))],
        # 120,000 random system calls; no panic, no leak. Seeds are fixed (replayable).
        user('user_sysfuzz', 't_sysfuzz', timeout=900,
             patterns=[r'^t_sysfuzz\[fuzzer\]: seed 0x[0-9a-f]+: 120000 calls',
                       r'^ok: fuzzer: status 0', r'^ok: free memory: ']),
        user('user_sysfuzz_smp4', 't_sysfuzz', smp=4, mem='256M', timeout=900,
             cmdline='fuzz.seed=0x5eed4',
             patterns=[r'^t_sysfuzz: seed 0x5eed4,',
                       r'^ok: fuzzer: status 0', r'^ok: free memory: ']),
        # Every system call number through `syscall`: numbers no call has (below
        # SYS_COUNT, beyond it, 64-bit ones) are -ERR_NOSYS with the registers kept;
        # every call reaches its own handler (a refusal of its own, never -ERR_NOSYS);
        # the leaf call SYS_NOP keeps the registers, and a process spinning on it is
        # killed (also on 4 CPUs, where it spins on a CPU of its own).
        user('user_syscall_smp4', 't_syscall', smp=4, mem='256M',
             patterns=[r'^ok: leaf: SYS_NOP calls that changed an argument register or r12 = 0 \(want 0\)$',
                       r'^ok: leaf: it ended killed = ']),
        user('user_syscall', 't_syscall',
             patterns=[r'^ok: unassigned number 0x9 = -11 \(NOSYS\), registers kept$',
                       r'^ok: SYS_NOP \(8\) = 0 \(success\)$',
                       r'^ok: leaf: SYS_NOP calls that changed an argument register or r12 = 0 \(want 0\)$',
                       r'^ok: leaf: it ended killed = ',
                       r'^ok: unassigned number 0x10000000000 = -11 \(NOSYS\), registers kept$',
                       r'^ok: unassigned number 0x100000035 = -11 \(NOSYS\), registers kept$',
                       r'^ok: SYS_POWER \(74\) = -8 \(BADCAP\)$',
                       r'^ok: SYS_QUOTA_INFO \(91\) = -8 \(BADCAP\)$']),
        # Attacks on object life cycles, raced on several CPUs: attaching threads,
        # mappings and capabilities to a process whose last thread ended, an IPC
        # buffer against unmap, SYS_PROC_LIST leaking stack bytes, a return to a
        # non-canonical RIP, revoke while the tree changes. IPC is involved (the
        # buffer race), so also with the fast path off.
        *[user(f'user_attack_smp{n}{"_nofastpath" if nofp else ""}', 't_attack', smp=n,
               mem='256M' if n > 2 else '128M', timeout=420,
               cmdline='fastpath=off' if nofp else '',
               patterns=[rf'^t_attack: {n} CPUs, ',
                         r'^ok: dying: thread create into a process whose last thread ended',
                         r'^ok: ipcbuf: rounds where a buffer stayed registered on an '
                         r'unmapped page = 0',
                         r'^ok: leak: SYS_PROC_LIST entries with kernel bytes',
                         r'fault: process t_attack_top .*: return to a non-canonical address',
                         r'^ok: noncanon: a normal child afterwards',
                         r'^ok: revoke: capabilities derived from the root left'])
          for n, nofp in ((2, False), (4, False), (2, True))],
        # A process that never started a thread and holds capabilities to itself (or its
        # own thread) is freed once nothing outside reaches it; none can hold another
        # such process (no cycles); one still reachable stays.
        *[user(f'user_orphan_smp{n}', 't_orphan', smp=n,
               patterns=[r'^ok: self: gone once ours is deleted',
                         r'^ok: move: gone once our last capability moved in',
                         r'^ok: cycle: grant the second\'s process to the first = -2',
                         r'^ok: start: kept while we can start its thread'])
          for n in (1, 2)],
        # SYS_MEM_PROTECT against the process's lock on two CPUs: no TLB shootdown with the
        # lock held (a deadlock before; found by the racing fuzzer, make fuzz-kernel).
        user('user_tlbrace_smp2', 't_tlbrace', smp=2, timeout=120,
             patterns=[r'^t_tlbrace: 2 CPUs$', r'^ok: threads that made all their calls = 3']),
        # What a switch carries and must not leak (t_switch): FPU/SSE registers (and AVX
        # with -cpu max, where the kernel uses XSAVEOPT), badges and messages to the right
        # thread, a new thread's clean FPU state, the I/O bitmap between a process with
        # ports and one without. Through the fast path's assembly switch, its C switch
        # (fastpath=c) and the general path (fastpath=off); on 1 and 4 CPUs.
        *[Case(f'user_switch_smp{n}{sfx}', 'user', smp=n, cpu=cpu, timeout=240,
               mem='256M' if n > 1 else '128M', cmdline=f'init=t_switch user.warm {cmd}'.strip(),
               patterns=[_summary('t_switch'), rf'^t_switch: {n} CPUs, AVX {avx}$',
                         r'^ok: io: 300 reads of port 0x64 between calls$',
                         r'^ok: fresh: words of the new thread\'s first registers',
                         r'ipc: fast path ' + {'': r'on$', '_fastpathc': r'on \(C switch\)$',
                                               '_nofastpath': r'off$'}[sfx.replace('_avx', '')],
                         r'IPC fast path ' + ('off, taken 0 times' if cmd == 'fastpath=off'
                                              else r'on, taken [1-9]\d* times')],
               absent=[r'^FAIL: ', PANIC])
          for n, sfx, cpu, avx, cmd in ((1, '', 'qemu64', 'off', ''),
                                        (1, '_avx', 'max', 'on', ''),
                                        (4, '_avx', 'max', 'on', ''),
                                        (1, '_fastpathc', 'qemu64', 'off', 'fastpath=c'),
                                        (4, '_fastpathc', 'max', 'on', 'fastpath=c'),
                                        (1, '_nofastpath', 'qemu64', 'off', 'fastpath=off'),
                                        (4, '_nofastpath', 'max', 'on', 'fastpath=off'))],
        # The echo suite through the fast path's C switch (fastpath=c).
        user('user_echo_smp1_fastpathc', 't_echo', smp=1, timeout=180, cmdline='fastpath=c',
             patterns=[r'^ok: echo calls the server served = 6000',
                       r'ipc: fast path on \(C switch\)$', r'IPC fast path on, taken [1-9]']),
        # A thread woken (from a sleep, by a notification) while threads of its priority spin
        # on SYS_YIELD runs within a bounded (guest) time, with as many spinners as CPUs and
        # twice as many; on 1 and 4 CPUs. Not soaked under -icount: there QEMU 7.2 may run
        # one busy vCPU alone while guest time goes on. Seen under shift=0: three vCPUs
        # spinning for ipc_lock with interrupts off, the one it was handed to not executing
        # one instruction of its wait loop for up to 120 s of guest time while a fourth vCPU
        # ticked every millisecond; the run failed its 120 s bound. The bound would then
        # measure QEMU's turn-taking, not the kernel's (t_yieldwake.c).
        *[user(f'user_yieldwake_smp{n}', 't_yieldwake', smp=n, timeout=600,
               mem='256M' if n > 1 else '128M', soak_variants=('multi', 'single'),
               patterns=[rf'^t_yieldwake: {n} CPUs$',
                         rf'^ok: {2 * n} spinners: signal: worst wake-to-run delay',
                         rf'^ok: {2 * n} spinners: never stopped to let a woken thread run'])
          for n in (1, 4)],
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
        # ipc_scaling.N (bench/ipc_scaling.sh) as a test: N client/server pairs calling at
        # once on N CPUs, every reply checked (its figures are not), fast path on and off.
        *[user(f'user_ipcscale_smp{n}{sfx}', 't_ipcscale', smp=n, timeout=180,
               cmdline=f'ipcscale.n={n} {extra}'.strip(),
               patterns=[rf'^bench ipc_scaling\.{n} \d+ rt/s$',
                         r'^ok: calls failed or answered wrongly'])
          for n in (2, 4) for sfx, extra in (('', ''), ('_nofastpath', 'fastpath=off'))],
    ]
