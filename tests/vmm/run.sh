#!/bin/bash
# orbvm tests on the host: bad-input checks of the command line and of
# kernel files (no KVM needed) and, where /dev/kvm is usable, small guests run
# on KVM directly: real-mode guests (the greeting, i8042 reboot, the i8042's
# keyboard and mouse answers, ACPI
# power-off, boot-time marker, serial input, Ctrl-A x, signals, a misbehaving
# guest), the PVH, Multiboot2 and Multiboot test kernels (tests/vmm/kernels/,
# built by vmm/vmm.mk) checking what they were handed and answering through
# --debug-exit, the SMP test kernel with --cpus N (APs started by the guest,
# every way a multi-vCPU VM ends), and Orbital itself (its boot, in-kernel tests, the shell
# prompt) when it is built and the local KVM can run it. Linux guests are
# tested in the nested lab (tests/lab/), not here: this machine's /dev/kvm
# cannot run Linux (tools/lab/README.md).
#
# Usage: tests/vmm/run.sh [BUILD_DIR]    (default: build)
# Prints PASS/FAIL/SKIP lines and finally "N passed, N failed"; exits non-zero
# on any failure.
set -u
BUILD=${1:-build}
ORBVM=$BUILD/orbvm
HELLO=$BUILD/vmm/hello-realmode.bin
WORK=$(mktemp -d /tmp/orbvm-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0 skip=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
skipped() { echo "SKIP $1: $2"; skip=$((skip + 1)); }

if [ ! -x "$ORBVM" ]; then
	echo "FAIL setup: $ORBVM not built (run make)"
	echo "0 passed, 1 failed"
	exit 1
fi

# run NAME EXPECTED_STATUS STDERR_PATTERN -- ARGS...: bad input must give
# exactly one line on stderr, nothing on stdout, and the expected status.
expect_error() {
	local name=$1 want=$2 pattern=$3
	shift 4
	timeout 20 "$ORBVM" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	local lines
	lines=$(wc -l <"$WORK/err")
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit status $rc, expected $want ($(head -c 200 "$WORK/err"))"
	elif [ "$lines" -ne 1 ]; then
		bad "$name" "expected one line on stderr, got $lines"
	elif ! grep -q "^orbvm: .*$pattern" "$WORK/err"; then
		bad "$name" "message '$(cat "$WORK/err")' lacks '$pattern'"
	elif [ -s "$WORK/out" ]; then
		bad "$name" "unexpected output on stdout"
	else
		ok "$name"
	fi
}

# A synthetic bzImage (protocol 2.15, 64-bit, 32 MiB init_size, cmdline max 2047).
python3 - "$WORK" <<'PY'
import struct, sys
b = bytearray(28 * 512 + 0x1000 * 16)
b[0x1f1] = 27; struct.pack_into('<I', b, 0x1f4, 0x1000); struct.pack_into('<H', b, 0x1fe, 0xaa55)
b[0x200] = 0xeb; b[0x201] = 0x6a; b[0x202:0x206] = b'HdrS'; struct.pack_into('<H', b, 0x206, 0x20f)
b[0x211] = 1; struct.pack_into('<I', b, 0x22c, 0x7fffffff); struct.pack_into('<I', b, 0x230, 0x200000)
b[0x234] = 1; struct.pack_into('<H', b, 0x236, 0x7f); struct.pack_into('<I', b, 0x238, 2047)
struct.pack_into('<Q', b, 0x258, 0x1000000); struct.pack_into('<I', b, 0x260, 0x2000000)
open(sys.argv[1] + '/bzImage', 'wb').write(b)
open(sys.argv[1] + '/truncated', 'wb').write(b[:len(b) - 100])
# The same with `jmp $` at the 64-bit entry (load address + 0x200): a kernel that spins.
b[28 * 512 + 0x200:28 * 512 + 0x202] = b'\xeb\xfe'
open(sys.argv[1] + '/spin-bzImage', 'wb').write(b)
PY
BZ=$WORK/bzImage
head -c 1000 /dev/zero >"$WORK/zeros"
echo "just text" >"$WORK/text"
head -c $((80 << 20)) /dev/zero >"$WORK/big-initrd" 2>/dev/null || truncate -s 80M "$WORK/big-initrd"
LONG=$(head -c 3000 /dev/zero | tr '\0' 'a')

# --- Command line and input files (no KVM needed) ---
expect_error missing-kernel 1 "cannot open kernel" -- --kernel "$WORK/nonexistent"
expect_error kernel-is-directory 1 "not a regular file" -- --kernel "$WORK"
expect_error not-a-bzimage 1 "not a bzImage" -- --kernel "$WORK/text"
expect_error zeros-not-a-bzimage 1 "not a bzImage" -- --kernel "$WORK/zeros"
expect_error truncated-kernel 1 "truncated kernel" -- --kernel "$WORK/truncated"
expect_error missing-initrd 1 "cannot open initrd" -- --kernel "$BZ" --initrd "$WORK/nonexistent"
expect_error cpus-65 2 "at most 64" -- --kernel "$BZ" --cpus 65
expect_error cpus-0 2 "bad --cpus" -- --kernel "$BZ" --cpus 0
expect_error cpus-realmode 2 "needs --kernel" -- --real-mode "$HELLO" --cpus 2
expect_error bad-mem 2 "bad --mem" -- --kernel "$BZ" --mem lots
expect_error mem-too-small 2 "out of range" -- --kernel "$BZ" --mem 1M
expect_error mem-not-mib 2 "multiple of 1M" -- --kernel "$BZ" --mem 65537K
expect_error unknown-option 2 "unknown option" -- --kernel "$BZ" --frobnicate
expect_error missing-value 2 "needs a value" -- --kernel
expect_error nothing-to-run 2 "nothing to run" --
expect_error cmdline-too-long 1 "command line is 3000 bytes" -- --kernel "$BZ" --cmdline "$LONG"
expect_error initrd-too-large 1 "initrd .* does not fit" -- --kernel "$BZ" --initrd "$WORK/big-initrd" --mem 64M
expect_error kernel-too-large-for-mem 1 "too small for this kernel" -- --kernel "$BZ" --mem 32M
expect_error missing-realmode 1 "cannot open real-mode binary" -- --real-mode "$WORK/nonexistent"
truncate -s 1M "$WORK/disk.img"
expect_error disk-missing 1 "cannot open disk" -- --kernel "$BZ" --disk "$WORK/nonexistent"
expect_error disk-is-directory 1 "cannot open disk" -- --kernel "$BZ" --disk "$WORK"
expect_error disk-bad-option 2 "unknown option 'cache=bogus'" -- --kernel "$BZ" --disk "$WORK/disk.img,ro,cache=bogus"
expect_error disk-empty-name 2 "empty file name" -- --kernel "$BZ" --disk ""
expect_error disk-too-many 2 "too many --disk" -- --kernel "$BZ" --disk "$WORK/disk.img" \
	--disk "$WORK/disk.img" --disk "$WORK/disk.img" --disk "$WORK/disk.img" --disk "$WORK/disk.img"
expect_error disk-without-kernel 2 "need --kernel" -- --real-mode "$HELLO" --disk "$WORK/disk.img"
expect_error disk-bad-io-option 2 "unknown option 'io=aio'" -- --kernel "$BZ" --disk "$WORK/disk.img,io=aio"

# Malformed PVH / Multiboot kernels, built here (see bad_kernels below).
python3 - "$WORK" <<'PY'
import struct, sys
w = sys.argv[1]
def elf32(loads, note=None, entry=0x100000):
    """ELF32 executable: loads = [(paddr, filesz, memsz)], data from 0x1000;
    note = (offset, size) of a PT_NOTE, holding a PVH note at 0x800 by default."""
    ph = loads + ([note] if note else [])
    b = bytearray(0x3000)
    b[0:16] = b'\x7fELF\x01\x01\x01' + bytes(9)
    struct.pack_into('<HHIIIIIHHHHHH', b, 16, 2, 3, 1, entry, 52, 0, 0, 52, 32, len(ph), 0, 0, 0)
    for i, l in enumerate(ph):
        if l is note:
            struct.pack_into('<8I', b, 52 + 32 * i, 4, l[0], 0, 0, l[1], l[1], 4, 4)
        else:
            struct.pack_into('<8I', b, 52 + 32 * i, 1, 0x1000, l[0], l[0], l[1], l[2], 7, 0x1000)
    struct.pack_into('<III4sI', b, 0x800, 4, 4, 18, b'Xen\0', entry)
    return b
def put(name, data):
    open(f'{w}/{name}', 'wb').write(data)
pvh_note = (0x800, 20)
put('elf-truncated', elf32([(0x100000, 0x1000, 0x1000)], pvh_note)[:0x900])
put('elf-plain', elf32([(0x100000, 0x1000, 0x1000)]))
put('elf-low', elf32([(0x8000, 0x1000, 0x1000)], pvh_note, entry=0x8000))
put('elf-overlap', elf32([(0x100000, 0x1000, 0x2000), (0x101000, 0x1000, 0x1000)], pvh_note))
put('elf-hole', elf32([(0xbffff000, 0x1000, 0x2000)], pvh_note, entry=0xbffff000))
put('elf-huge', elf32([(0x100000, 0x1000, 100 << 20)], pvh_note))
put('elf-note-outside', elf32([(0x100000, 0x1000, 0x1000)], (0x2ff0, 0x40)))
put('elf-entry-outside', elf32([(0x100000, 0x1000, 0x1000)], pvh_note, entry=0x200000))
def mb1(flags, fields=()):
    b = bytearray(0x2000)
    struct.pack_into('<III', b, 0x100, 0x1badb002, flags, (-(0x1badb002 + flags)) & 0xffffffff)
    struct.pack_into(f'<{len(fields)}I', b, 0x10c, *fields)
    return b
put('mb1-video', mb1(0x10007, (0x100100, 0x100000, 0, 0, 0x100200)))
put('mb1-outside', mb1(0x10003, (0x100100, 0x0f0000, 0, 0, 0x100200)))
bad = mb1(0x10003, (0x100100, 0x100000, 0, 0, 0x100200)); bad[0x108] ^= 1
put('mb1-badsum', bad)
b = bytearray(0x2000)
struct.pack_into('<IIII', b, 0x200, 0xe85250d6, 0, 24, (-(0xe85250d6 + 24) + 1) & 0xffffffff)
put('mb2-badsum', b)
PY
bad_kernel() { # NAME PATTERN FILE [ARGS...]
	local name=$1 pattern=$2 file=$3
	shift 3
	expect_error "$name" 1 "$pattern" -- --kernel "$WORK/$file" "$@"
}
bad_kernel elf-truncated "truncated ELF file" elf-truncated
bad_kernel elf-no-pvh-no-multiboot "neither a PVH note nor a Multiboot header" elf-plain
bad_kernel elf-below-1mib "below 1 MiB" elf-low
bad_kernel elf-segments-overlap "segments at 0x100000 and 0x101000 overlap" elf-overlap
bad_kernel elf-mmio-hole "overlaps the MMIO hole" elf-hole
bad_kernel elf-beyond-ram "needs --mem 101M or more" elf-huge --mem 64M
bad_kernel pvh-note-outside-file "PT_NOTE segment needs bytes" elf-note-outside
bad_kernel entry-outside-kernel "entry point 0x200000 is not inside" elf-entry-outside
bad_kernel mb1-video-mode "requires flag bits 0x4 (a video mode)" mb1-video
bad_kernel mb1-addresses-outside "address fields point outside the file" mb1-outside
bad_kernel mb1-wrong-checksum "Multiboot header has a wrong checksum" mb1-badsum
bad_kernel mb2-wrong-checksum "Multiboot2 header has a wrong checksum" mb2-badsum
TK=$BUILD/vmm/test-kernels
expect_error module-larger-than-ram 1 "module 1 (81920 KiB) does not fit" -- --kernel "$TK/pvh.elf" \
	--mem 64M --initrd "$WORK/big-initrd"
expect_error module-missing 1 "cannot open module" -- --kernel "$TK/mb2.elf" --module "$WORK/nonexistent"
expect_error module-with-bzimage 1 "--module needs a PVH or Multiboot kernel" -- --kernel "$BZ" \
	--module "$WORK/text"
expect_error module-without-kernel 2 "need --kernel" -- --real-mode "$HELLO" --module "$WORK/text"
expect_error irqchip-bad-mode 2 "bad --irqchip value 'user'" -- --kernel "$BZ" --irqchip user
expect_error irqchip-realmode 2 "--irqchip needs --kernel" -- --real-mode "$HELLO" --irqchip split
expect_error bad-debug-exit-port 2 "bad --debug-exit" -- --kernel "$BZ" --debug-exit 0x10000

if "$ORBVM" --help | grep -q -- "--real-mode" && "$ORBVM" --version | grep -q "^orbvm "; then
	ok help-and-version
else
	bad help-and-version "--help or --version output wrong"
fi

# --- Guests on /dev/kvm ---
if [ ! -e /dev/kvm ]; then
	kvm_skip="no /dev/kvm on this machine"
elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	kvm_skip="no permission to use /dev/kvm"
else
	kvm_skip=""
fi

# Assemble the small test guests in tests/vmm/guests/.
GUESTS=$BUILD/vmm/test-guests
mkdir -p "$GUESTS"
for s in tests/vmm/guests/*.S; do
	n=$(basename "$s" .S)
	if ! { as --32 -o "$GUESTS/$n.o" "$s" && ld -m elf_i386 -Ttext 0 --oformat binary \
		-o "$GUESTS/$n.bin" "$GUESTS/$n.o"; } 2>"$WORK/as.log"; then
		bad "assemble-$n" "$(head -c 300 "$WORK/as.log")"
	fi
done

# kvm_case NAME EXPECTED_STATUS STDOUT_PATTERN STDIN_FILE -- ARGS...
kvm_case() {
	local name=$1 want=$2 pattern=$3 input=$4
	shift 5
	if [ -n "$kvm_skip" ]; then
		skipped "$name" "$kvm_skip"
		return
	fi
	timeout 30 "$ORBVM" "$@" <"$input" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit status $rc, expected $want (stderr: $(head -c 300 "$WORK/err"))"
	elif [ -n "$pattern" ] && ! grep -q "$pattern" "$WORK/out"; then
		bad "$name" "output lacks '$pattern': $(head -c 300 "$WORK/out")"
	else
		ok "$name"
	fi
}

kvm_case realmode-hello 0 "Hello from a real-mode guest on orbvm!" /dev/null -- --real-mode "$HELLO"
kvm_case realmode-hello-static 0 "Hello from a real-mode guest on orbvm!" /dev/null -- --real-mode "$HELLO"
kvm_case i8042-reset-reboot 3 "" /dev/null -- --real-mode "$GUESTS/reset.bin"
kvm_case acpi-poweroff 0 "" /dev/null -- --real-mode "$GUESTS/poweroff.bin"
kvm_case i8042-keyboard-mouse 0 "i8042 ok" /dev/null -- --real-mode "$GUESTS/i8042.bin"
kvm_case misbehaving-guest 0 "ok" /dev/null -- --real-mode "$GUESTS/garbage.bin" --mem 64M
printf 'hello, uart!' >"$WORK/echo-in"
kvm_case serial-input-echo 0 "hello, uart!" "$WORK/echo-in" -- --real-mode "$GUESTS/echo.bin"
# Ctrl-A Ctrl-A reaches the guest as one Ctrl-A; Ctrl-A x quits (status 5).
printf 'a\001\001b!' >"$WORK/esc-in"
kvm_case ctrl-a-ctrl-a 0 "$(printf 'a\001b!')" "$WORK/esc-in" -- --real-mode "$GUESTS/echo.bin"
printf '\001x' >"$WORK/quit-in"
kvm_case ctrl-a-x-quits 5 "" "$WORK/quit-in" -- --real-mode "$GUESTS/spin.bin"
# An endless stdin must not grow orbvm: the echo guest stops at '!', never sent.
if [ -n "$kvm_skip" ]; then
	skipped endless-stdin-bounded "$kvm_skip"
else
	# $! is orbvm itself (the last command of the pipeline); it runs until
	# killed here, so both samples see it however slow the host is.
	yes 'yyyyyyyyyyyyyyyy' | "$ORBVM" --real-mode "$GUESTS/echo.bin" >/dev/null 2>&1 &
	pid=$!
	sleep 2
	rss1=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status 2>/dev/null)
	sleep 1.5
	rss2=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status 2>/dev/null)
	kill "$pid" 2>/dev/null
	wait
	if [ -n "$rss1" ] && [ -n "$rss2" ] && [ "$rss2" -le $((rss1 + 512)) ]; then
		ok endless-stdin-bounded
	else
		bad endless-stdin-bounded "resident memory grew from ${rss1:-?} to ${rss2:-?} KiB"
	fi
fi
# Boot-time marker: two marks of byte 123 on port 0x3f0 (122 is ignored).
if [ -n "$kvm_skip" ]; then
	skipped boot-time-marker "$kvm_skip"
else
	"$ORBVM" --real-mode "$GUESTS/marker.bin" --boot-time </dev/null >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -eq 0 ] && grep -q "boot-time marker 2: [0-9]*\.[0-9]\{6\} s" "$WORK/err" &&
		! grep -q "marker 3" "$WORK/err"; then
		ok boot-time-marker
	else
		bad boot-time-marker "status $rc, stderr: $(head -c 300 "$WORK/err")"
	fi
fi
# SIGTERM: orbvm stops the VM and exits 128+15.
if [ -n "$kvm_skip" ]; then
	skipped sigterm "$kvm_skip"
else
	"$ORBVM" --real-mode "$GUESTS/spin.bin" </dev/null >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	sleep 1
	kill -TERM $pid
	wait $pid
	rc=$?
	if [ $rc -eq 143 ]; then ok sigterm; else bad sigterm "exit status $rc, expected 143"; fi
fi
# Disks on KVM (a kernel that spins; Linux guests are the lab's): vda by default gets
# an I/O thread (orbvm-io-vda) with its KVM_IOEVENTFD and a resampling KVM_IRQFD
# (3 eventfds beside the event loop's 2) and an io_uring; vdb with notify=exit,io=sync
# none of them. No fallback line on stderr; SIGTERM tears it all down (143).
disk_case() {
	local name=$1 bin=$2
	if [ -n "$kvm_skip" ]; then
		skipped "$name" "$kvm_skip"
		return
	fi
	truncate -s 1M "$WORK/disk2.img"
	"$bin" --kernel "$WORK/spin-bzImage" --disk "$WORK/disk.img" \
		--disk "$WORK/disk2.img,ro,notify=exit,io=sync" </dev/null >"$WORK/out" 2>"$WORK/err" &
	local pid=$! threads="" fds=""
	sleep 1.5
	threads=$(cat /proc/$pid/task/*/comm 2>/dev/null | grep '^orbvm-io' | sort | tr '\n' ' ')
	fds=$(for f in /proc/$pid/fd/*; do readlink "$f"; done 2>/dev/null | grep '^anon_inode:' |
		sed 's/^anon_inode:\[\{0,1\}\([a-z_]*\).*/\1/' | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')
	kill -TERM $pid
	wait $pid
	local rc=$?
	if [ $rc -ne 143 ]; then
		bad "$name" "exit status $rc, expected 143 (stderr: $(head -c 300 "$WORK/err"))"
	elif [ "$threads" != "orbvm-io-vda " ]; then
		bad "$name" "I/O threads '$threads', expected 'orbvm-io-vda '"
	elif ! echo "$fds" | grep -q "eventfd=5 " || ! echo "$fds" | grep -q "io_uring=1 "; then
		bad "$name" "anonymous descriptors '$fds', expected eventfd=5 and io_uring=1"
	elif [ -s "$WORK/err" ]; then
		bad "$name" "unexpected stderr: $(head -c 300 "$WORK/err")"
	else
		ok "$name"
	fi
}
disk_case disks-irqfd-uring-teardown "$ORBVM"
[ -x "$BUILD/orbvm-static" ] && disk_case disks-irqfd-uring-teardown-static "$BUILD/orbvm-static"

# PVH, Multiboot2 and Multiboot test kernels (tests/vmm/kernels/check.inc): each checks
# its magic, command line, two modules' bytes and command line, memory map (and
# RSDP, loader name, memory sizes) and exits through --debug-exit: 33 when all
# hold, 2n+1 for the first failed check n. A wrong command line must give 5.
printf 'first module\n' >"$WORK/module0"
printf 'the second module\n' >"$WORK/module1"
for k in pvh.elf mb2.elf mb1.bin; do
	if [ ! -f "$TK/$k" ]; then
		bad "kernel-$k" "$TK/$k not built (make orbvm)"
		continue
	fi
	kvm_case "kernel-${k%.*}" 33 "" /dev/null -- --kernel "$TK/$k" --mem 64M --debug-exit 0xf4 \
		--cmdline 'orbvm test a=1 b=two' --initrd "$WORK/module0" --module "$WORK/module1,mod1 x=y"
done
# IRQ 1 and IRQ 12 of the i8042 through the 8259s and through the I/O APIC
# (tests/vmm/kernels/i8042irq.S).
kvm_case kernel-i8042-irqs 33 "" /dev/null -- --kernel "$TK/i8042irq.elf" --mem 64M \
	--debug-exit 0xf4
# The PCI host bridge through 0xCF8/0xCFC and through ECAM at the MCFG's address
# (tests/vmm/kernels/pci.S).
kvm_case kernel-pci-host-bridge 33 "" /dev/null -- --kernel "$TK/pci.elf" --mem 64M \
	--debug-exit 0xf4
# The split irqchip (tests/vmm/kernels/ioapic.S): orbvm's I/O APIC, COM1's IRQ 4 on the
# vectors the guest programs, level (remote IRR, re-delivery at the EOI), masked, edge; with
# 'a' and --cpus 2 routed to the AP. Without an AP, 'a' fails starting it (53: status 107).
kvm_case ioapic-split 33 "" /dev/null -- --kernel "$TK/ioapic.elf" --mem 64M --debug-exit 0xf4 \
	--irqchip split
kvm_case ioapic-split-to-ap 33 "" /dev/null -- --kernel "$TK/ioapic.elf" --mem 64M \
	--debug-exit 0xf4 --irqchip split --cpus 2 --cmdline a
kvm_case ioapic-split-no-ap 107 "" /dev/null -- --kernel "$TK/ioapic.elf" --mem 64M \
	--debug-exit 0xf4 --irqchip split --cmdline a
# A level interrupt storm on the BSP (the line never drops) while the AP makes 10000 exits
# ('s'), and a storm orbvm must still stop on Ctrl-A x ('x', typed 2 s in).
kvm_case ioapic-storm-ap-exits 33 "" /dev/null -- --kernel "$TK/ioapic.elf" --mem 64M \
	--debug-exit 0xf4 --irqchip split --cpus 2 --cmdline s
if [ -n "$kvm_skip" ]; then
	skipped ioapic-storm-ctrl-a-x "$kvm_skip"
else
	(sleep 2; printf '\001x') | timeout 30 "$ORBVM" --kernel "$TK/ioapic.elf" --mem 64M \
		--irqchip split --cmdline x >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -eq 5 ]; then ok ioapic-storm-ctrl-a-x; else
		bad ioapic-storm-ctrl-a-x "exit status $rc, expected 5 ($(head -c 300 "$WORK/err"))"; fi
fi
kvm_case smp-split-irqchip-4 33 "" /dev/null -- --kernel "$TK/smp.elf" --mem 64M \
	--debug-exit 0xf4 --irqchip split --cpus 4 --cmdline c4
kvm_case kernel-pvh-wrong-cmdline 5 "" /dev/null -- --kernel "$TK/pvh.elf" --mem 64M \
	--debug-exit 0xf4 --cmdline 'orbvm test' --initrd "$WORK/module0" --module "$WORK/module1,mod1 x=y"
kvm_case kernel-mb2-swapped-modules 9 "" /dev/null -- --kernel "$TK/mb2.elf" --mem 64M \
	--debug-exit 0xf4 --cmdline 'orbvm test a=1 b=two' --initrd "$WORK/module1" \
	--module "$WORK/module0,mod1 x=y"
kvm_case debug-exit-realmode-hlt 0 "" /dev/null -- --real-mode "$HELLO" --debug-exit 0x501

# --cpus N with the SMP test kernel (tests/vmm/kernels/smp.S): the BSP starts every AP
# with INIT/SIPI and checks their APIC IDs against the MADT and CPUID (33: all hold);
# "cN": the MADT must list N CPUs (39 if not). Otherwise its command line picks an ending: p an AP powers off (0), t an AP triple-faults
# (3), s all spin (SIGTERM: 143; Ctrl-A x: 5); with no --debug-exit every CPU ends
# halted with interrupts off (4). Each must stop every vCPU thread and exit.
SMP=$TK/smp.elf
for n in 1 2 4 8 64; do
	kvm_case "smp-cpus-$n" 33 "" /dev/null -- --kernel "$SMP" --mem 64M --debug-exit 0xf4 \
		--cpus $n --cmdline "c$n"
done
kvm_case smp-cpus-4-pinned 33 "" /dev/null -- --kernel "$SMP" --mem 64M --debug-exit 0xf4 \
	--cpus 4 --pin --cmdline c4
kvm_case smp-wrong-count 39 "" /dev/null -- --kernel "$SMP" --mem 64M --debug-exit 0xf4 \
	--cpus 2 --cmdline c4
kvm_case smp-ap-poweroff 0 "" /dev/null -- --kernel "$SMP" --mem 64M --debug-exit 0xf4 --cpus 4 \
	--cmdline p
kvm_case smp-ap-triple-fault 3 "" /dev/null -- --kernel "$SMP" --mem 64M --debug-exit 0xf4 \
	--cpus 4 --cmdline t
# ... and orbvm says on stderr which vCPU died and where (an AP: not vCPU 0).
if [ -n "$kvm_skip" ]; then
	skipped smp-ap-triple-fault-report "$kvm_skip"
elif grep -q "^orbvm: triple fault on vCPU [1-9][0-9]*: RIP 0x[0-9a-f]* RSP" "$WORK/err"; then
	ok smp-ap-triple-fault-report
else
	bad smp-ap-triple-fault-report "stderr lacks the triple-fault line: $(head -c 300 "$WORK/err")"
fi
kvm_case smp-ctrl-a-x 5 "" "$WORK/quit-in" -- --kernel "$SMP" --mem 64M --cpus 4 --cmdline s
kvm_case smp-all-halted 4 "" /dev/null -- --kernel "$SMP" --mem 64M --cpus 4
if [ -n "$kvm_skip" ]; then
	skipped smp-sigterm "$kvm_skip"
else
	"$ORBVM" --kernel "$SMP" --mem 64M --cpus 4 --cmdline s </dev/null >"$WORK/out" 2>"$WORK/err" &
	pid=$!
	sleep 1.5
	vcpus=$(cat /proc/$pid/task/*/comm 2>/dev/null | grep -c '^orbvm-vcpu')
	kill -TERM $pid
	wait $pid
	rc=$?
	if [ $rc -ne 143 ]; then
		bad smp-sigterm "exit status $rc, expected 143 (stderr: $(head -c 300 "$WORK/err"))"
	elif [ "$vcpus" -ne 4 ]; then
		bad smp-sigterm "$vcpus vCPU threads while running, expected 4"
	elif [ -s "$WORK/err" ]; then
		bad smp-sigterm "unexpected stderr: $(head -c 300 "$WORK/err")"
	else
		ok smp-sigterm
	fi
fi

# Orbital under orbvm (PVH, the boot archive as the first module), as QEMU runs it
# with -kernel: its in-kernel tests exit through --debug-exit (33 pass, 37 panic).
# Where the local KVM cannot run it (a nested KVM that has to emulate an
# instruction its emulator lacks, reported as "KVM internal error"), SKIP with
# orbvm's message; any other outcome is a failure.
orbital_skip=""
[ -f "$BUILD/orbital.elf" ] && [ -f "$BUILD/bootfs.cpio" ] || orbital_skip="Orbital not built in $BUILD"
orbital_case() { # NAME STATUS PATTERN CMDLINE
	local name=$1 want=$2 pattern=$3 cmdline=$4
	if [ -n "$kvm_skip$orbital_skip" ]; then
		skipped "$name" "${kvm_skip:-$orbital_skip}"
		return
	fi
	timeout 60 "$ORBVM" --kernel "$BUILD/orbital.elf" --initrd "$BUILD/bootfs.cpio" --mem 128M \
		--debug-exit 0xf4 --cmdline "$cmdline" </dev/null >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if grep -q "KVM internal error" "$WORK/err"; then
		orbital_skip="this host's KVM cannot run Orbital: $(head -c 200 "$WORK/err")"
		skipped "$name" "$orbital_skip"
	elif [ "$rc" -ne "$want" ]; then
		bad "$name" "exit status $rc, expected $want (stderr: $(head -c 300 "$WORK/err"))"
	elif ! grep -q "$pattern" "$WORK/out"; then
		bad "$name" "output lacks '$pattern': $(tail -c 300 "$WORK/out")"
	else
		ok "$name"
	fi
}
orbital_case orbital-boot 33 "booted via PVH" "test=boot"
orbital_case orbital-ktest-heap 33 "booted via PVH" "test=heap"
orbital_case orbital-ktest-panic 37 "deliberate test panic" "test=panic"
# The shell: Orbital boots to its prompt; Ctrl-A x then ends orbvm (status 5).
orbital_shell() {
	if [ -n "$kvm_skip$orbital_skip" ]; then
		skipped orbital-shell-prompt "${kvm_skip:-$orbital_skip}"
		return
	fi
	(sleep 20; printf '\001x') | timeout 40 "$ORBVM" --kernel "$BUILD/orbital.elf" \
		--initrd "$BUILD/bootfs.cpio" --mem 128M >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if grep -q "KVM internal error" "$WORK/err"; then
		skipped orbital-shell-prompt "this host's KVM cannot run Orbital: $(head -c 200 "$WORK/err")"
	elif [ $rc -ne 5 ] || ! grep -q 'orbital\$ ' "$WORK/out"; then
		bad orbital-shell-prompt "status $rc, output: $(tail -c 300 "$WORK/out")"
	else
		ok orbital-shell-prompt
	fi
}
orbital_shell

# The static binary (used by the nested lab) runs the same greeting.
if [ -x "$BUILD/orbvm-static" ] && [ -z "$kvm_skip" ]; then
	if "$BUILD/orbvm-static" --real-mode "$HELLO" </dev/null 2>&1 | grep -q "Hello from a real-mode"; then
		ok static-binary
	else
		bad static-binary "no greeting from $BUILD/orbvm-static"
	fi
elif [ -n "$kvm_skip" ]; then
	skipped static-binary "$kvm_skip"
fi

[ $skip -gt 0 ] && echo "($skip skipped${kvm_skip:+: $kvm_skip})"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
