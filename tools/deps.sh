#!/usr/bin/env bash
# Installs the Debian packages the build, `make run` and `make test` need, if
# any are missing. As root it runs apt-get; otherwise it prints the command.
set -euo pipefail

PKGS=(
	make gcc clang libclang-rt-14-dev binutils python3 gzip gdb
	qemu-system-x86 qemu-utils ovmf
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	libcmocka-dev kbd
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
