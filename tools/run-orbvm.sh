#!/usr/bin/env bash
# make run-orbvm: boots Orbital in orbvm, as `make run` with BOOT=kernel does in
# QEMU: the kernel through PVH, the boot archive as the first module, the serial
# console on this terminal (Ctrl-A x quits).
# Where: on this host's /dev/kvm when the CPU shows vmx or svm (a KVM that can run
# Orbital); otherwise (a nested, paravirtual /dev/kvm: Orbital stops at its first
# XSAVE there, docs/orbvm.md) inside the nested lab's L1 (tools/lab/README.md), whose
# /dev/kvm can: slower, the same console. ORBVM_WHERE=host|lab overrides the choice.
# Environment: MEM=256M, CPUS=1, CMDLINE="...", ORBVM_EXTRA="..." add options.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
where=${ORBVM_WHERE:-}
if [ -z "$where" ]; then
	where=lab
	grep -qwE 'vmx|svm' /proc/cpuinfo && where=host
fi
# shellcheck disable=SC2206
args=(--kernel "$build/orbital.elf" --initrd "$build/bootfs.cpio" --mem "${MEM:-256M}"
	--cpus "${CPUS:-1}" --debug-exit 0xf4 --cmdline "${CMDLINE:-}" ${ORBVM_EXTRA:-})
case $where in
host)
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "run-orbvm: /dev/kvm is missing or not usable here (ORBVM_WHERE=lab uses the nested lab)" >&2
		exit 1
	fi
	echo "Starting Orbital in orbvm. Quit: Ctrl-A then x."
	exec "$build/orbvm" "${args[@]}"
	;;
lab)
	[ -t 0 ] || { echo "run-orbvm: the lab path needs a terminal" >&2; exit 2; }
	echo "run-orbvm: this CPU shows no vmx/svm, so Orbital runs in orbvm inside the nested lab." >&2
	bash tools/guest/images.sh build/guest build/lab cache >/dev/null
	echo "run-orbvm: L1 boots (~10 s), then Orbital. Ctrl-A x quits orbvm, then L1 powers off." >&2
	exec "${PYTHON:-python3}" tools/lab/run-lab.py --interactive -- "$build/orbvm-static" "${args[@]}"
	;;
*)
	echo "run-orbvm: ORBVM_WHERE must be host or lab" >&2
	exit 2
	;;
esac
