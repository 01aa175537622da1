#!/bin/bash
# Make every image the orbvm Linux guests and the nested lab need (make guest-images).
#
# Owns the order of the steps only: fetch + unpack the Debian packages (cached in CACHE),
# then the L2 guest (GUEST_OUT: vmlinuz, initramfs.cpio.gz, rootfs.img) and the lab's L1
# (LAB_OUT: vmlinuz, initramfs.cpio.gz). Each step is cheap once the cache is warm.
set -euo pipefail

GUEST_OUT=${1:-build/guest}
LAB_OUT=${2:-build/lab}
CACHE=${3:-cache}
here=$(dirname "$0")
bash "$here/fetch-debian.sh" "$CACHE"
bash "$here/build-l2.sh" "$GUEST_OUT" "$CACHE"
bash "$here/build-rootfs.sh" "$GUEST_OUT" "$CACHE"
bash "$here/../lab/build-l1.sh" "$LAB_OUT" "$CACHE"
