#!/usr/bin/env python3
"""Write a gzip-compressed cpio "newc" archive (a Linux initramfs) from a spec.

Owns: the archive format only. It needs no root rights: device nodes, owners and
modes come from the spec, never from the file system, and every timestamp is 0,
so the same inputs always give the same bytes (cacheable, diffable).

Spec lines (like the kernel's usr/gen_init_cpio), '#' starts a comment:
    dir   NAME MODE
    file  NAME SOURCE MODE          (SOURCE: a host file, read now)
    nod   NAME MODE c|b MAJOR MINOR
    slink NAME TARGET
    tree  NAME SOURCE               (a host directory, recursively: dirs 0755,
                                     files keep their permission bits)
NAME is the path inside the archive without a leading '/'. Owners are always 0:0.
Parent directories must be listed before their entries (the kernel creates them
in archive order).

Usage: mkcpio.py [--no-gzip] SPEC OUTPUT
(--no-gzip: a plain cpio, which a kernel under TCG unpacks faster than it inflates gzip.)
OUTPUT.stamp records the spec and each source's size and mtime; when nothing changed the
archive is left as it is (image builds stay cheap when make runs them every time).
"""

import gzip
import hashlib
import os
import stat
import sys

S_IFMT = {"dir": stat.S_IFDIR, "file": stat.S_IFREG, "slink": stat.S_IFLNK}


class CpioWriter:
    """Appends newc entries to a binary stream; inode numbers count up from 1."""

    def __init__(self, out):
        self.out = out
        self.ino = 0
        self.names = set()

    def _pad(self, n):
        self.out.write(b"\0" * ((4 - n % 4) % 4))

    def entry(self, name, mode, data=b"", rmajor=0, rminor=0):
        if name in self.names:
            raise ValueError("duplicate archive entry: " + name)
        self.names.add(name)
        self.ino += 1
        nlink = 2 if stat.S_ISDIR(mode) else 1
        bname = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rmajor, rminor, len(bname), 0]
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
        self.out.write(hdr)
        self.out.write(bname)
        self._pad(len(hdr) + len(bname))
        self.out.write(data)
        self._pad(len(data))

    def trailer(self):
        self.ino = 0
        self.names.discard("TRAILER!!!")
        self.entry("TRAILER!!!", 0)


def add_tree(w, name, source):
    w.entry(name, stat.S_IFDIR | 0o755)
    for root, dirs, files in os.walk(source):
        dirs.sort()
        rel = os.path.relpath(root, source)
        base = name if rel == "." else name + "/" + rel
        for d in dirs:
            w.entry(base + "/" + d, stat.S_IFDIR | 0o755)
        for f in sorted(files):
            p = os.path.join(root, f)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                w.entry(base + "/" + f, stat.S_IFLNK | 0o777,
                        os.readlink(p).encode())
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    w.entry(base + "/" + f,
                            stat.S_IFREG | (st.st_mode & 0o7777), fh.read())


def input_stamp(spec_path):
    """A digest of the spec text and the size/mtime of every source it names."""
    h = hashlib.sha256()
    with open(spec_path) as spec:
        for line in spec:
            h.update(line.encode())
            words = line.split("#", 1)[0].split()
            srcs = []
            if len(words) >= 3 and words[0] == "file":
                srcs = [words[2]]
            elif len(words) >= 3 and words[0] == "tree":
                srcs = [os.path.join(r, f) for r, _, fs in os.walk(words[2]) for f in fs]
            for src in sorted(srcs):
                try:
                    st = os.lstat(src)
                    h.update(b"%s %d %d\n" % (src.encode(), st.st_size, st.st_mtime_ns))
                except OSError:
                    h.update(b"missing " + src.encode())
    h.update(open(__file__, "rb").read())
    return h.hexdigest()


def build(spec_path, out_path, compress=True):
    stamp = input_stamp(spec_path) + ("" if compress else "-plain")
    try:
        with open(out_path + ".stamp") as f:
            if f.read().strip() == stamp and os.path.exists(out_path):
                return
    except OSError:
        pass
    tmp = out_path + ".tmp"
    with open(spec_path) as spec, open(tmp, "wb") as raw:
        # mtime=0 keeps the gzip header reproducible too.
        with (gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0,
                              compresslevel=6)
              if compress else open(os.devnull, "wb")) as gz:
            w = CpioWriter(gz if compress else raw)
            for lineno, line in enumerate(spec, 1):
                words = line.split("#", 1)[0].split()
                if not words:
                    continue
                kind, args = words[0], words[1:]
                try:
                    if kind == "dir":
                        w.entry(args[0], S_IFMT[kind] | int(args[1], 8))
                    elif kind == "file":
                        with open(args[1], "rb") as fh:
                            w.entry(args[0], S_IFMT[kind] | int(args[2], 8),
                                    fh.read())
                    elif kind == "slink":
                        w.entry(args[0], S_IFMT[kind] | 0o777,
                                args[1].encode())
                    elif kind == "nod":
                        dev = stat.S_IFCHR if args[2] == "c" else stat.S_IFBLK
                        w.entry(args[0], dev | int(args[1], 8),
                                rmajor=int(args[3]), rminor=int(args[4]))
                    elif kind == "tree":
                        add_tree(w, args[0], args[1])
                    else:
                        raise ValueError("unknown entry kind " + kind)
                except (IndexError, ValueError, OSError) as e:
                    sys.exit("mkcpio: %s:%d: %s" % (spec_path, lineno, e))
            w.trailer()
    os.replace(tmp, out_path)
    with open(out_path + ".stamp", "w") as f:
        f.write(stamp + "\n")


if __name__ == "__main__":
    argv = sys.argv[1:]
    plain = argv[:1] == ["--no-gzip"]
    if plain:
        argv = argv[1:]
    if len(argv) != 2:
        sys.exit("usage: mkcpio.py [--no-gzip] SPEC OUTPUT")
    build(argv[0], argv[1], compress=not plain)
