#!/usr/bin/env bash
# Installs the Debian packages the build, `make run`, `make run-vm` and `make test` need, if
# any are missing. As root it runs apt-get; otherwise it prints the command.
#
# This list is complete on a minimal Debian 12 root (debootstrap --variant=minbase): every
# file the build and the tests read from outside the repository comes from a package named
# here (or, for the guest images, from `apt-get download` in tools/guest/). tools/fresh-root.sh
# proves it, and .ci/run runs that check.
set -euo pipefail

PKGS=(
	# build: compilers, libc headers, assembler and linker
	make gcc libc6-dev clang libclang-rt-14-dev binutils
	python3 gzip gdb
	# emulators and firmware
	qemu-system-x86 qemu-utils ovmf
	# Bochs (tests/bochs): no "nogui" display in Debian's build, so the terminal one
	bochs bochsbios vgabios bochs-term
	# the GRUB ISO (BIOS and UEFI)
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	# host tests: cmocka, zlib (the fonts are gzipped), the console fonts
	libcmocka-dev zlib1g-dev console-setup-linux
	# guest images and orbvm
	busybox-static cpio e2fsprogs acpica-tools liburing-dev
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run this as root, then try again:"
	echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
