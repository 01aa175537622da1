#!/usr/bin/env bash
# bench/ipc_scaling.sh BUILD: the ipc_scaling.N benchmark under QEMU with
# multi-threaded TCG (-accel tcg,thread=multi, no -icount: one host thread per
# vCPU, so vCPUs really run at once and the clock is real time). N independent
# client/server pairs on N vCPUs (tests/user/t_ipcscale.c); prints its
# `bench ipc_scaling.N R rt/s` lines and then `bench ipc_scaling.N.ratio X`,
# R divided by N=1's R (2 pairs on 2 CPUs should reach 1.9 with no lock the
# pairs share).
#
# N = 1 and 2; 4 when the host has at least 4 CPUs (IPC_SCALING_N overrides,
# e.g. "1 2 4": a count above nproc is then marked "oversubscribed", since
# vCPUs that share host cores cannot scale). Figures from a loaded host vary;
# they are measurements, never checked. Each N is followed by the control,
# null_scaling.N: the same N clients making null system calls (no IPC, no
# lock), which shows how far the host lets N vCPUs scale at all right now.
set -euo pipefail
build=${1:-build}
host=$(nproc)
ns=${IPC_SCALING_N:-}
if [ -z "$ns" ]; then
	ns="1 2"
	[ "$host" -ge 4 ] && ns="$ns 4"
fi
declare -A base
run() { # N WHAT EXTRA-ARGS: one boot; prints its lines and the ratio to N=1
	local n=$1 what=$2 out v note=
	out=$(qemu-system-x86_64 -M pc -cpu max -m 256M -smp "$n" -accel tcg,thread=multi \
		-display none -monitor none -serial stdio -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$build/orbital.elf" -initrd "$build/bootfs.cpio" \
		-append "test=user init=t_ipcscale ipcscale.n=$n $3" </dev/null 2>&1 | tr -d '\r' || true)
	grep -E "^bench $what\." <<<"$out" || { echo "$what.$n: no figure" >&2; return; }
	v=$(awk -v k="$what.$n" '$1 == "bench" && $2 == k { print $3 }' <<<"$out")
	[ "$n" = 1 ] && base[$what]=$v
	[ "$n" -gt "$host" ] && note=" (oversubscribed: $host host CPUs)"
	if [ -n "${base[$what]:-}" ] && [ -n "$v" ]; then
		awk -v w="$what" -v n="$n" -v v="$v" -v b="${base[$what]}" -v note="$note" \
			'BEGIN { printf "bench %s.%s.ratio %.2f x%s\n", w, n, v / b, note }'
	fi
}
for n in $ns; do
	run "$n" ipc_scaling ""
	run "$n" null_scaling "ipcscale.null=1"
done
