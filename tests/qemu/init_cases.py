"""QEMU cases for init and the name service (user/bin/init, user/bin/ns).

init runs as the kernel's test program with `init.test=restart`: it starts the
services of its start-up table (all but the shell), checks the name service
and the init protocol as a client, kills the keyboard driver and the name
server (a file written to /tmp through the VFS must survive both), kills the
VFS server (back on the same endpoint, a call across the
crash answered), kills the keyboard driver until init gives up on it, kills
the VFS server until init gives up on it too (each restart serves calls on the
same endpoint; once given up, a client's call fails with -ERR_CLOSED), then
stops every service and exits 0 if every check passed. The kernel's harness
(user.warm) then checks that no process, thread or frame was left behind.

`init.test=attack` (tests/user/t_svc_attack.c) checks what an ordinary program
must be refused by the services, and that the VFS forgets clients that died.

`init.test=absent` runs on QEMU's `pc,i8042=off`: the keyboard driver finds no
controller, exits with its "no device" status, and init leaves it absent (one
line, no restart) while the other services run.

`init.test=overlap` kills every service at once, four times, while holding a
Process capability to each dead instance: every service must come back each
round with exactly one restart more, none refused (each service keeps one
quota for its whole life, so dead instances reserve nothing more in init's).

tests/qemu/run.py imports this module and adds cases(Case) to its list, like
user_cases.py.
"""

PANIC = r'KERNEL PANIC'


def cases(Case):
    def init(case_name, smp, mem):
        return Case(case_name, 'user', smp=smp, mem=mem, timeout=180,
                    cmdline='init=init init.test=restart user.warm',
                    patterns=[r'^init\.test: [1-9]\d* passed, 0 failed$',
                              r'^init: started ns as pid \d+$',
                              r'^init: started vfs as pid \d+$',
                              r'^init: started kbd as pid \d+$',
                              r'^ok: ns: lookup\(vfs\) gives an endpoint',
                              r'^ok: ns: another client registering "vfs": EXIST',
                              r'^init: kbd \(pid \d+\) died: killed \(status 257\); restarting$',
                              r'^ok: kbd is back: pid \d+ -> \d+, restarts = 1,',
                              r'^ok: after kbd\'s restart: /tmp/persist\.txt still holds',
                              r'^init: ns \(pid \d+\) died: killed \(status 257\); restarting$',
                              r'^ok: after the name server\'s restart: /tmp/persist\.txt still',
                              r'^ok: the new name server knows "vfs" again',
                              r'^init: vfs \(pid \d+\) died: killed \(status 257\); restarting$',
                              r'^ok: a vfs call across the crash is answered',
                              r'^ok: vfs is back: pid \d+ -> \d+, restarts = 1$',
                              r'^ok: the same vfs capability attaches to the new instance',
                              r'^init: kbd \(pid \d+\) died: killed \(status 257\); 5 restarts '
                              r'within 10 s, giving up$',
                              r'^ok: kbd is FAILED after 5 restarts',
                              r'^ok: a client\'s vfs capability cannot end the endpoint',
                              r'^ok: the vfs restarted \(pid \d+ -> \d+\) serves calls',
                              r'^init: vfs \(pid \d+\) died: killed \(status 257\); 5 restarts '
                              r'within 10 s, giving up$',
                              r'^ok: a call to the vfs that init gave up on: -15 ',
                              r'^ok: after stopping: vfs is failed$',
                              r'^ok: after stopping: console is stopped$'],
                    absent=[r'^FAIL: ', PANIC])

    # init.test=attack: an ordinary program (tests/user/t_svc_attack.c) is refused the
    # log, init's requests, the console's input and foreground, and init's names (also
    # while init kills the name server under it); dead VFS clients are forgotten.
    def attack(case_name, smp, mem):
        return Case(case_name, 'user', smp=smp, mem=mem, timeout=240,
                    cmdline='init=init init.test=attack user.warm',
                    patterns=[r'^init\.test: [1-9]\d* passed, 0 failed$',
                              r'^t_svc_attack: [1-9]\d* passed, 0 failed$',
                              r'^ok: SYS_LOG_READ without a capability',
                              r'^ok: INIT_KILL of a service',
                              r'^ok: CON_READLINE',
                              r'^ok: no name of init\'s registered in [1-9]\d* rounds',
                              r'^ok: "vfs" still leads to the real service',
                              r'^ok: "console" still leads to the real service',
                              r'^ok: "init" still leads to the real service',
                              r'^ok: the attacker\'s checks passed',
                              r'^ok: 40 VFS clients killed while attached; the next one still',
                              r'^ok: killed, its name is gone'],
                    absent=[r'^FAIL: ', PANIC])

    # init.test=overlap: all services killed at once, repeatedly, the dead instances
    # held: every restart succeeds (none refused for quota).
    def overlap(case_name, smp, mem):
        return Case(case_name, 'user', smp=smp, mem=mem, timeout=180,
                    cmdline='init=init init.test=overlap user.warm',
                    patterns=[r'^init\.test: [1-9]\d* passed, 0 failed$',
                              r'^ok: round 4: kbd is back: .*restarts = 4 \(want 4\)$',
                              r'^ok: round 4: ns is back: .*restarts = 4 \(want 4\)$',
                              r'^ok: round 4: vfs is back: .*restarts = 4 \(want 4\)$',
                              r'^ok: round 4: console is back: .*restarts = 4 \(want 4\)$'],
                    absent=[r'^FAIL: ', r'cannot start', r'giving up', PANIC])

    # init.test=absent on QEMU's `pc` without its i8042 (i8042=off; a PC without legacy
    # PS/2): kbd reads the floating status port and exits with KBD_EXIT_NODEV, and init
    # records it as absent in one line, with no restart, while the others run.
    def absent(case_name, smp, mem):
        return Case(case_name, 'user', smp=smp, mem=mem, machine='pc,i8042=off', timeout=120,
                    cmdline='init=init init.test=absent user.warm',
                    patterns=[r'^init\.test: [1-9]\d* passed, 0 failed$',
                              r'^init: started kbd as pid \d+$',
                              r'^init: kbd \(pid \d+\): no device \(exited with status 3\); '
                              r'not restarted$',
                              r'^ok: kbd found no i8042 and is left absent',
                              r'^ok: console runs beside it',
                              r'^ok: after stopping: kbd is absent$'],
                    absent=[r'^FAIL: ', r'^init: kbd \(pid \d+\) died', r'^kbd: ', PANIC])

    return [
        absent('init_kbd_absent_smp1', 1, '128M'),
        absent('init_kbd_absent_smp4', 4, '256M'),
        init('init_restart_smp1', 1, '128M'),
        init('init_restart_smp4', 4, '256M'),
        overlap('init_overlap_smp1', 1, '128M'),
        overlap('init_overlap_smp4', 4, '256M'),
        attack('init_attack_smp1', 1, '128M'),
        attack('init_attack_smp4', 4, '256M'),
    ]
