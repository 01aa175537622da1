#!/usr/bin/env bash
# make bench: Orbital's benchmarks, printed as `bench NAME VALUE UNIT` lines
# and a table. Orbital and Linux run in the same QEMU configuration: TCG with
# -icount shift=0, one CPU, so the TSC counts retired instructions and every
# figure repeats exactly, except the last section (IPC scaling: multi-threaded
# TCG in real time, bench/ipc_scaling.sh). (orbvm's benchmarks are `make bench-vm`.)
set -euo pipefail
build=${1:-build}
q=(qemu-system-x86_64 -M pc -m 256M -icount shift=0 -display none -monitor none -serial stdio
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)

echo "== Orbital boot under QEMU TCG"
python3 bench/boot_time.py "$build"

echo
echo "== Micro-benchmarks (QEMU TCG, -icount shift=0; unit: TSC ticks = retired instructions)"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"${q[@]}" -kernel "$build/orbital.elf" -append "test=bench_yield" </dev/null 2>&1 |
	tr -d '\r' | grep '^bench ' | tee -a "$tmp" || true
# User space: t_bench runs as init (server and client are two processes).
"${q[@]}" -kernel "$build/orbital.elf" -initrd "$build/bootfs.cpio" \
	-append "test=user init=t_bench" </dev/null 2>&1 |
	tr -d '\r' | grep '^bench ' | tee -a "$tmp" || true
bash bench/linux/run.sh "$build" | tee -a "$tmp"

echo
echo "== IPC scaling: N client/server pairs on N CPUs (QEMU multi-threaded TCG, real time)"
bash bench/ipc_scaling.sh "$build" || true

echo
printf '%-26s %12s %12s  %s\n' benchmark Orbital Linux "target (Orbital)"
val() { awk -v n="$1" '$2 == n { print $3 }' "$tmp"; }
printf '%-26s %12s %12s  %s\n' "yield round trip" "$(val yield_roundtrip.orbital)" \
	"$(val yield_roundtrip.linux)" "<= 300"
printf '%-26s %12s %12s  %s\n' "null system call" "$(val null_syscall.orbital)" \
	"$(val null_syscall.linux)" "<= 40"
printf '%-26s %12s %12s  %s\n' "SYS_NULL entry shortcut" "$(val null_shortcut.orbital)" "-" "-"
printf '%-26s %12s %12s  %s\n' "IPC / pipe round trip" "$(val ipc_roundtrip.orbital)" \
	"$(val pipe_roundtrip.linux)" "<= 300"
printf '%-26s %12s %12s  %s\n' "64 KiB by IPC copies" "$(val copy_64k.orbital)" "-" "-"
printf '%-26s %12s %12s  %s\n' "64 KiB by Memory cap" "$(val memcap_64k.orbital)" "-" "-"
