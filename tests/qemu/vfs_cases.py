"""QEMU cases for the VFS server (user/bin/vfs) and its client library.

t_vfs runs as init: it starts the server with the boot archive and an
endpoint, checks ls / cat / write / mkdir / rm / errors as a client, runs two
client processes with differently badged capabilities at once (fd isolation),
moves a 100 KiB file through the shared buffer, and crashes two processes
while the files in /tmp stay intact. The kernel's harness (user.warm) then
checks that no process, thread or frame was left behind.

tests/qemu/run.py can import this module and add cases(Case) to its list,
like user_cases.py.
"""

PANIC = r'KERNEL PANIC'


def _summary(name):
    return rf'^{name}: [1-9]\d* passed, 0 failed$'


def cases(Case):
    def vfs(case_name, smp, mem):
        return Case(case_name, 'user', smp=smp, mem=mem, timeout=180,
                    cmdline='init=t_vfs user.warm',
                    patterns=[_summary('t_vfs'),
                              rf'^t_vfs: {smp} CPUs$',
                              r'^vfs: ready: \d+ files from the boot archive, /tmp writable$',
                              r'^ok: ls /bin: entries that match the archive',
                              r'^ok: cat /etc/motd: the archive\'s exact bytes$',
                              r'^ok: 100 KiB: bytes that differ = 0',
                              r'^ok: B: read of fd 0 \(A\'s, not ours\) = -8',
                              r'^ok: A: fd 1 reads back \'from A\'',
                              r'^ok: client A: exit status = 0',
                              r'^ok: client B: exit status = 0',
                              r'^ok: /tmp/persist.txt survives: the same bytes$',
                              r'^ok: server: exit status = 257'],
                    absent=[r'^FAIL: ', PANIC])

    return [
        vfs('vfs_smp1', 1, '128M'),
        vfs('vfs_smp4', 4, '256M'),
    ]
