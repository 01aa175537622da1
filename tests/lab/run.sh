#!/bin/bash
# orbvm's Linux-guest tests in the nested lab (tools/lab/README.md): one L1 boot runs them all.
#
# Usage: tests/lab/run.sh [BUILD]      (BUILD defaults to build; needs BUILD/orbvm-static)
#   ORBLAB_VMM=qemu_pc tests/lab/run.sh    runs the same cases with QEMU as the VMM, to
#                                          check the lab itself without orbvm.
#   ORBLAB_CASES=HO tests/lab/run.sh       runs only those cases (tests/lab/cases.py).
# Owns: preparing the images (tools/guest/images.sh, cached), booting the lab once with
# tests/lab/cases.py as its job, and the summary. Prints "N passed, M failed" last and
# exits non-zero on any failure, including a lab that fails to come up. Needs no
# terminal (CI=true works): all input to the guests is scripted.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

BUILD=${1:-build}
PYTHON=${PYTHON:-python3}
VMM=${ORBLAB_VMM:-orbvm}
TIMEOUT=${ORBLAB_TIMEOUT:-480}

fail_early() {
	echo "lab: $*"
	echo "0 passed, 1 failed"
	exit 1
}

if [ "$VMM" = orbvm ] && [ ! -x "$BUILD/orbvm-static" ]; then
	fail_early "$BUILD/orbvm-static not found: build orbvm first (make)"
fi
bash tools/guest/images.sh build/guest build/lab cache || fail_early "building the guest images failed"

start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run_lab() {
	"$PYTHON" tools/lab/run-lab.py --timeout "$TIMEOUT" -- \
		"$PYTHON" tests/lab/cases.py --vmm "$VMM" --orbvm "$BUILD/orbvm-static" \
		--kernel build/guest/vmlinuz --initrd build/guest/initramfs.cpio.gz \
		--orbital "$BUILD" --cases "${ORBLAB_CASES:-ABCDEFGHIO}" | tee "$log"
	rc=${PIPESTATUS[0]}
}
run_lab
# Two signs that L1 itself went wrong (an L2 vCPU wedged inside L1's emulated SVM,
# docs/locking.md), after which nothing the run reports can be trusted: it hung to
# its time limit without a summary, or a VMM outlived SIGKILL (LAB-WEDGED: only a
# stuck L1 kernel can keep a killed process alive). Run it once more, and say so. A
# run that reports failed checks in a healthy L1 is never repeated.
if [ "$rc" -eq 124 ] && ! grep -Eq '^[0-9]+ passed, [0-9]+ failed$' "$log"; then
	echo "RETRY lab: the run hung without a summary (lab fault, see docs/locking.md)"
	run_lab
elif grep -q '^LAB-WEDGED: ' "$log"; then
	echo "RETRY lab: L1 wedged ($(grep -m1 '^LAB-WEDGED: ' "$log" | cut -c13-)); the whole run is repeated (lab fault, see docs/locking.md)"
	run_lab
fi
echo "lab: $(($(date +%s) - start)) s in all (L1 boot included)"
if ! grep -Eq '^[0-9]+ passed, [0-9]+ failed$' "$log"; then
	echo "lab: the lab run ended without a summary (status $rc)"
	echo "0 passed, 1 failed"
	exit 1
fi
[ "$rc" -eq 0 ] || exit 1
exit 0
