#!/bin/bash
# make bench-vm: orbvm beside QEMU in ONE nested-lab run (bench/vm/bench.py measures).
#
# Usage: bench/vm/run.sh [BUILD]     (orbvm from BUILD/orbvm-static; build/ by default)
#   BENCH_VM_ROUNDS=N (default 3), BENCH_VM_BLK_ROUNDS=N (disk rounds, default 3),
#   BENCH_VM_SMP_ROUNDS=N (4-vCPU Linux and Orbital boot rounds, default 3),
#   BENCH_VM_IPC_ROUNDS=N (Orbital's ipc_scaling.1/2/4 on 1, 2, 4 vCPUs, default 3),
#   BENCH_VM_VMMS=orbvm,qemu_pc,qemu_microvm, BENCH_VM_TIMEOUT=S (the whole lab run, default
#   1200: the disk rounds need several minutes on a loaded 2-core machine)
# Owns: preparing the images (cached) and starting the lab; prints bench.py's
# `bench NAME VALUE UNIT` lines and table. Without orbvm built, QEMU is still measured
# and the exit status is 1.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

BUILD=${1:-build}
PYTHON=${PYTHON:-python3}
bash tools/guest/images.sh build/guest build/lab cache || exit 1
args=(--orbvm "$BUILD/orbvm-static" --kernel build/guest/vmlinuz
	--initrd build/guest/initramfs.cpio.gz --rounds "${BENCH_VM_ROUNDS:-3}"
	--blk-rounds "${BENCH_VM_BLK_ROUNDS:-3}" --smp-rounds "${BENCH_VM_SMP_ROUNDS:-3}"
	--orbital "$BUILD" --ipc-rounds "${BENCH_VM_IPC_ROUNDS:-3}"
	--vmms "${BENCH_VM_VMMS:-orbvm,qemu_pc,qemu_microvm}")
[ -n "${ORBLAB_VERBOSE:-}" ] && args+=(--verbose)
exec "$PYTHON" tools/lab/run-lab.py --timeout "${BENCH_VM_TIMEOUT:-1200}" -- "$PYTHON" bench/vm/bench.py "${args[@]}"
