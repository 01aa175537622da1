#!/usr/bin/env bash
# Boots the GRUB ISO under Bochs, a stricter CPU emulator than QEMU's TCG, on
# one, two and four CPUs of an Intel and an AMD model, and checks the serial
# log: the banner, "CPUs: N online" and the shell prompt, no panic, no CPU
# left behind. Ends with "N passed, N failed".
#   tests/bochs/run.sh BUILD_DIR [--only REGEX] [--list]
#
# Each boot gets its own bochsrc in BUILD_DIR/test-logs/bochs/NAME/ (with the
# serial log and Bochs' own log). The clock is not synced to the host
# (`clock: sync=none`): emulated time follows the instruction count, so a run
# repeats whatever the host's load. Bochs is killed at the prompt, on a panic,
# or at a deadline of host time (BOCHS_DEADLINE seconds, default 300).
#
# Display: Debian's Bochs has no "nogui" library; the terminal one (package
# bochs-term) draws into a log file here and opens nothing else.
set -uo pipefail

build=${1:-build}
shift || true
only=''
list=0
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=$2; shift 2 ;;
	--list) list=1; shift ;;
	*) echo "usage: $0 BUILD_DIR [--only REGEX] [--list]" >&2; exit 2 ;;
	esac
done

deadline=${BOCHS_DEADLINE:-300}
iso=$build/orbital.iso
bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
logroot=$build/test-logs/bochs

# name, CPU count, Bochs CPU model
cases=(
	"smp1_skylake 1 corei7_skylake_x"
	"smp2_skylake 2 corei7_skylake_x"
	"smp2_ryzen 2 ryzen"
	"smp4_skylake 4 corei7_skylake_x"
	"smp4_ryzen 4 ryzen"
)

pass=0
fail=0

# check NAME LOG CPUS: prints the first missing or forbidden pattern, if any.
check() {
	local log=$1 n=$2
	grep -qE 'Orbital .* booted via Multiboot2' "$log" || { echo "no banner"; return 1; }
	grep -qE "^CPUs: $n online" "$log" || { echo "not \"CPUs: $n online\""; return 1; }
	grep -qE '^orbital\$ ' "$log" || { echo "no shell prompt"; return 1; }
	! grep -qE 'KERNEL PANIC|did not start' "$log" || { echo "panic or CPU left behind"; return 1; }
}

run_case() {
	local name=$1 n=$2 model=$3 dir=$logroot/$1
	rm -rf "$dir"
	mkdir -p "$dir"
	cat >"$dir/bochsrc" <<RC
megs: 128
cpu: model=$model, count=$n, ips=50000000, reset_on_triple_fault=0
romimage: file=$bios
vgaromimage: file=$vgabios
pci: enabled=1, chipset=i440fx
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$dir/serial.log
display_library: term
speaker: enabled=0
clock: sync=none, time0=946684800
log: $dir/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
	# Bochs is built with its debugger: "c" starts the machine, "q" ends it if
	# the machine stops.
	printf 'c\nq\n' >"$dir/commands"
	: >"$dir/serial.log"
	local start=$SECONDS
	TERM=vt100 bochs-bin -q -f "$dir/bochsrc" -rc "$dir/commands" \
		</dev/null >"$dir/screen.log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - start)) -lt "$deadline" ]; do
		grep -qE '^orbital\$ |KERNEL PANIC' "$dir/serial.log" && break
		sleep 1
	done
	# The terminal display ignores SIGTERM.
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	local why
	if why=$(check "$dir/serial.log" "$n"); then
		echo "PASS  bochs_$name ($((SECONDS - start)) s)"
		pass=$((pass + 1))
	else
		echo "FAIL  bochs_$name ($((SECONDS - start)) s): $why"
		tail -n 15 "$dir/serial.log" | sed 's/^/      /'
		grep -E '>>PANIC<<|triple|3rd' "$dir/bochs.log" | tail -n 3 | sed 's/^/      /'
		echo "      (logs: $dir)"
		fail=$((fail + 1))
	fi
}

for c in "${cases[@]}"; do
	set -- $c
	[ -n "$only" ] && ! [[ bochs_$1 =~ $only ]] && continue
	if [ "$list" -eq 1 ]; then
		echo "bochs_$1"
		continue
	fi
	if ! command -v bochs-bin >/dev/null || [ ! -f "$bios" ] || [ ! -f "$vgabios" ] ||
		[ ! -f "$iso" ]; then
		echo "FAIL  bochs_$1: needs bochs-bin, its BIOS, the VGA BIOS and $iso (tools/deps.sh, make)"
		fail=$((fail + 1))
		continue
	fi
	run_case "$@"
done
[ "$list" -eq 1 ] && exit 0
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
