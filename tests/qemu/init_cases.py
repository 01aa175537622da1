"""QEMU cases for init and the name service (user/bin/init, user/bin/ns).

init runs as the kernel's test program with `init.test=restart`: it starts the
services of its start-up table (all but the shell), checks the name service
and the init protocol as a client, kills the keyboard driver and the name
server (a file written to /tmp through the VFS must survive both), kills the
VFS server (back within a second on the same endpoint, a call across the
crash answered), kills the keyboard driver until init gives up on it, then
stops every service and exits 0 if every check passed. The kernel's harness
(user.warm) then checks that no process, thread or frame was left behind.

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
                              r'^ok: kbd is back within 1 s: pid \d+ -> \d+, restarts = 1,',
                              r'^ok: after kbd\'s restart: /tmp/persist\.txt still holds',
                              r'^init: ns \(pid \d+\) died: killed \(status 257\); restarting$',
                              r'^ok: after the name server\'s restart: /tmp/persist\.txt still',
                              r'^ok: the new name server knows "vfs" again',
                              r'^init: vfs \(pid \d+\) died: killed \(status 257\); restarting$',
                              r'^ok: a vfs call across the crash is answered',
                              r'^ok: vfs is back within 1 s: pid \d+ -> \d+, restarts = 1$',
                              r'^ok: the same vfs capability attaches to the new instance',
                              r'^init: kbd \(pid \d+\) died: killed \(status 257\); 5 restarts '
                              r'within 10 s, giving up$',
                              r'^ok: kbd is FAILED after 5 restarts',
                              r'^ok: after stopping: vfs is stopped$'],
                    absent=[r'^FAIL: ', PANIC])

    return [
        init('init_restart_smp1', 1, '128M'),
        init('init_restart_smp4', 4, '256M'),
    ]
