#!/usr/bin/env bash
# Boots Debian's cloud kernel (fetched by tools/guest/fetch-debian.sh, cached in
# cache/guest) with a busybox initramfs running bench/linux/linuxbench.c, in
# the same QEMU configuration as Orbital's benchmarks (TCG, -icount shift=0,
# one CPU), and prints its `bench ... tsc` lines.
#   bench/linux/run.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
out=$build/bench-linux
mkdir -p "$out"
bash tools/guest/fetch-debian.sh cache >/dev/null
# shellcheck disable=SC1091
. cache/guest/env.sh
gcc -O2 -static -o "$out/linuxbench" bench/linux/linuxbench.c
cat >"$out/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bench
/bin/busybox poweroff -f
INIT
cat >"$out/spec" <<SPEC
dir bin 0755
dir dev 0755
dir proc 0755
nod dev/console 0600 c 5 1
file bin/busybox $BUSYBOX 0755
file init $out/init 0755
file bench $out/linuxbench 0755
SPEC
python3 tools/guest/mkcpio.py --no-gzip "$out/spec" "$out/initramfs.cpio" >/dev/null
timeout 600 qemu-system-x86_64 -M pc -m 256M -icount shift=0 -display none -monitor none \
	-serial stdio -no-reboot -kernel "$L2_KERNEL" -initrd "$out/initramfs.cpio" \
	-append "console=ttyS0 quiet panic=-1 tsc=reliable lpj=5000000 no_timer_check" \
	</dev/null 2>&1 | tr -d '\r' | grep '^bench '
