#!/usr/bin/env bash
# Builds a bootable GRUB ISO (BIOS and UEFI) holding the kernel.
#   tools/mkiso.sh KERNEL.elf OUT.iso [KERNEL COMMAND LINE] [MODULE[=NAME]...]
# Each MODULE file is copied to /boot/ and loaded as a Multiboot2 module whose
# string is NAME (default: the file's name), e.g. build/bootfs.cpio=bootfs
# gives `module2 /boot/bootfs.cpio bootfs`.
# GRUB loads the kernel through Multiboot2. Under BIOS the screen stays in VGA
# text mode (gfxpayload=text); under UEFI, where there is no text mode, the
# kernel gets the firmware's framebuffer. GRUB's own menu goes to the serial
# port too, and boots at once.
set -euo pipefail
kernel=$1
out=$2
cmdline=${3:-}
shift $(( $# >= 3 ? 3 : $# ))

dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/orbital.elf"
modlines=""
for arg in "$@"; do
	m=${arg%%=*}
	name=$(basename "$m")
	if [ "$arg" != "$m" ]; then name=${arg#*=}; fi
	cp "$m" "$dir/boot/$(basename "$m")"
	modlines+="	module2 /boot/$(basename "$m") $name"$'\n'
done
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry "Orbital" {
	multiboot2 /boot/orbital.elf $cmdline
$modlines	# After multiboot2, which sets its own preference: text mode where the
	# machine has one, the firmware's framebuffer under UEFI.
	if [ "\${grub_platform}" = "efi" ]; then
		insmod all_video
		set gfxpayload=auto
	else
		set gfxpayload=text
	fi
	boot
}
CFG
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$dir" >"$log" 2>&1 || { cat "$log"; exit 1; }
