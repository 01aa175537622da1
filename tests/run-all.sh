#!/usr/bin/env bash
# Runs every test layer and prints one closing line: "N passed, N failed".
#   tests/run-all.sh BUILD_DIR
# Layers: the size rules (tools/check-size.py), the make files
# (tools/check-make.py), the docs (tools/check-docs.py), the architecture
# boundary (tools/check-arch.py), the map of components to their tests
# (tools/check-testmap.py), host unit tests (cmocka,
# ASan+UBSan), fuzzers (bounded time), QEMU integration tests of the kernel, a
# short run of the racing kernel fuzzer (tests/qemu/fuzz_kernel.py), a short
# soak and a short fault injection (tests/qemu/soak.py, faultinject.py), the
# GRUB ISO under Bochs (tests/bochs/run.sh), orbvm tests on /dev/kvm, the lab's
# fault rules (tests/lab/selftest.py), and orbvm's Linux tests in the nested lab.
# Each layer ends with its own "N passed, N failed" line; this script adds them up. Exit status 0 only if nothing failed.
set -uo pipefail
build=${1:-build}
# Python test drivers print as they go, also into a pipe (tee), so a hang shows where it is.
export PYTHONUNBUFFERED=1
total_pass=0
total_fail=0
summary=()

# add LAYER OUTPUT_FILE STATUS: takes the layer's last "N passed, N failed" line.
add() {
	local layer=$1 file=$2 status=$3 line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$file" | tail -n 1)
	if [ -z "$line" ]; then
		p=0
		f=1
		line="no result line (exit status $status)"
	else
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
		if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			line="$line, but exit status $status"
		fi
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-14s %s' "$layer" "$line")")
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== size rules: long functions and files say why (make check-size)"
make --no-print-directory check-size 2>&1 | tee "$tmp/size"
add size "$tmp/size" "${PIPESTATUS[0]}"

echo "== make files: .PHONY names have rules, required files are included (make check-make)"
make --no-print-directory check-make 2>&1 | tee "$tmp/make"
add make "$tmp/make" "${PIPESTATUS[0]}"

echo "== docs: the tree stands alone, the docs' paths exist, the guide's examples are real (make check-docs)"
make --no-print-directory BUILD="$build" check-docs 2>&1 | tee "$tmp/docs"
add docs "$tmp/docs" "${PIPESTATUS[0]}"

echo "== architecture boundary: portable code uses only kernel/arch/*.h (make check-arch)"
make --no-print-directory check-arch 2>&1 | tee "$tmp/arch"
add arch "$tmp/arch" "${PIPESTATUS[0]}"

echo "== test map: docs/testing.md names every test file, and each component's tests (make check-testmap)"
make --no-print-directory check-testmap 2>&1 | tee "$tmp/testmap"
add testmap "$tmp/testmap" "${PIPESTATUS[0]}"

echo "== host unit tests (cmocka, ASan+UBSan)"
bash tests/host/run.sh "$build" 2>&1 | tee "$tmp/host"
add host "$tmp/host" "${PIPESTATUS[0]}"

if [ -x tests/fuzz/run.sh ] && ls "$build"/fuzz/fuzz_* >/dev/null 2>&1; then
	echo "== fuzzers"
	bash tests/fuzz/run.sh "$build"/fuzz/fuzz_* 2>&1 | tee "$tmp/fuzz"
	add fuzz "$tmp/fuzz" "${PIPESTATUS[0]}"
fi

echo "== QEMU integration tests (kernel)"
python3 tests/qemu/run.py "$build" 2>&1 | tee "$tmp/qemu"
add qemu "$tmp/qemu" "${PIPESTATUS[0]}"

echo "== racing kernel fuzzer, short (make fuzz-kernel runs it long)"
python3 tests/qemu/fuzz_kernel.py "$build" --seconds 60 --seed 0x5eed --layer 2>&1 | tee "$tmp/fuzzkernel"
add fuzz-kernel "$tmp/fuzzkernel" "${PIPESTATUS[0]}"

echo "== interactive QEMU tests (keyboard through sendkey, serial console)"
bash tests/qemu/interactive.sh "$build" 2>&1 | tee "$tmp/interactive"
add interactive "$tmp/interactive" "${PIPESTATUS[0]}"

echo "== soak: SMP and user-space cases under other QEMU interleavings (short)"
python3 tests/qemu/soak.py "$build" --minutes 5 --runs 5 \
	--only '^(tlb_shootdown|irq_race_smp4|user_echo_smp4|user_irqrace_smp4|vfs_smp4|init_restart_smp4)$' \
	2>&1 | tee "$tmp/soak"
add soak "$tmp/soak" "${PIPESTATUS[0]}"

echo "== fault injection into the services (short)"
python3 tests/qemu/faultinject.py "$build" --faults 100 2>&1 | tee "$tmp/faultinject"
add faultinject "$tmp/faultinject" "${PIPESTATUS[0]}"

echo "== make debug: GDB attaches to the kernel"
bash tests/qemu/gdb.sh "$build" 2>&1 | tee "$tmp/gdb"
add gdb "$tmp/gdb" "${PIPESTATUS[0]}"

echo "== Bochs: the GRUB ISO to the shell on 1, 2 and 4 CPUs (Intel and AMD models)"
bash tests/bochs/run.sh "$build" 2>&1 | tee "$tmp/bochs"
add bochs "$tmp/bochs" "${PIPESTATUS[0]}"

echo "== QEMU -enable-kvm in the nested lab (x2APIC, TSC-deadline)"
bash tests/qemu/kvm-lab.sh "$build" 2>&1 | tee "$tmp/kvmlab"
add kvm-lab "$tmp/kvmlab" "${PIPESTATUS[0]}"

if [ -x tests/vmm/run.sh ]; then
	echo "== orbvm tests on /dev/kvm"
	bash tests/vmm/run.sh "$build" 2>&1 | tee "$tmp/vmm"
	add orbvm "$tmp/vmm" "${PIPESTATUS[0]}"
fi

echo "== the nested lab's fault rules, with stand-in VMMs (tests/lab/selftest.py)"
python3 tests/lab/selftest.py 2>&1 | tee "$tmp/labrules"
add lab-rules "$tmp/labrules" "${PIPESTATUS[0]}"

if [ -x tests/lab/run.sh ]; then
	echo "== orbvm tests in the nested lab"
	bash tests/lab/run.sh "$build" 2>&1 | tee "$tmp/lab"
	add lab "$tmp/lab" "${PIPESTATUS[0]}"
fi

echo "== summary"
for s in "${summary[@]}"; do
	echo "$s"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
