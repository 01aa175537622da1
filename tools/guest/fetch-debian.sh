#!/bin/bash
# Fetch the Debian packages the guest images are made of and unpack them, cached.
#
# Owns: CACHE/guest/ (CACHE defaults to ./cache, which is gitignored).
#   debs/              the downloaded .deb files (apt-get download)
#   root-PKG_VERSION/  each package unpacked with dpkg -x (never installed on the host)
#   env.sh             shell variables naming what the builders use:
#                        L2_KERNEL   Debian's cloud kernel (bzImage) for the L2 guest
#                        L1_KERNEL   Debian's generic kernel for the nested lab's L1
#                        L1_MODULES  its lib/modules/VERSION/kernel directory
#                        BUSYBOX     busybox-static's /bin/busybox
# Versions: the kernels are whatever the metapackages linux-image-cloud-amd64 and
# linux-image-amd64 depend on now (apt-cache); when apt's lists are unavailable (offline)
# the last resolved versions in env.sh are reused. A package already unpacked is never
# fetched again. Nothing here needs the packages installed on the host.
set -euo pipefail

CACHE=${1:-cache}
G=$CACHE/guest
mkdir -p "$G/debs"

# resolve META: the concrete package a metapackage depends on (e.g. linux-image-6.1.0-56-amd64).
resolve() {
	apt-cache depends "$1" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# unpack PKG: make sure root-PKG_VERSION exists; echo its path.
unpack() {
	local pkg=$1 ver dir deb
	ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2; exit }')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		# Offline: reuse whatever version of this package was unpacked before.
		dir=$(ls -d "$G"/root-"$pkg"_* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dir" ] && [ -f "$dir/.unpacked" ] || {
			echo "fetch-debian: cannot resolve $pkg (run apt-get update?) and nothing cached" >&2
			return 1
		}
		echo "$dir"
		return 0
	fi
	dir=$G/root-${pkg}_${ver//:/%3a}
	if [ ! -f "$dir/.unpacked" ]; then
		echo "fetch-debian: downloading $pkg $ver" >&2
		(cd "$G/debs" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) || {
			echo "fetch-debian: apt-get download $pkg=$ver failed" >&2
			return 1
		}
		deb=$(ls "$G/debs/${pkg}_"*"${ver#*:}"*_amd64.deb | head -n 1)
		rm -rf "$dir"
		dpkg -x "$deb" "$dir"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# Fast path: apt's lists have not changed since the last resolution and its files exist.
if [ -f "$G/env.sh" ] && [ "$G/env.sh" -nt /var/lib/apt/lists ]; then
	(
		. "$G/env.sh"
		[ -f "$L2_KERNEL" ] && [ -f "$L1_KERNEL" ] && [ -d "$L1_MODULES" ] && [ -f "$BUSYBOX" ]
	) && exit 0
fi

cloud_pkg=$(resolve linux-image-cloud-amd64 || true)
generic_pkg=$(resolve linux-image-amd64 || true)
if [ -z "$cloud_pkg" ] || [ -z "$generic_pkg" ]; then
	if [ -f "$G/env.sh" ]; then
		echo "fetch-debian: apt metadata unavailable, using cached images" >&2
		exit 0
	fi
	echo "fetch-debian: cannot resolve the Debian kernel packages (apt-get update?)" >&2
	exit 1
fi

cloud_dir=$(unpack "$cloud_pkg")
generic_dir=$(unpack "$generic_pkg")
bb_dir=$(unpack busybox-static)

cloud_ver=${cloud_pkg#linux-image-}
generic_ver=${generic_pkg#linux-image-}
for f in "$cloud_dir/boot/vmlinuz-$cloud_ver" "$generic_dir/boot/vmlinuz-$generic_ver" \
	"$generic_dir/lib/modules/$generic_ver/kernel" "$bb_dir/bin/busybox"; do
	[ -e "$f" ] || { echo "fetch-debian: expected $f in the unpacked package" >&2; exit 1; }
done

cat >"$G/env.sh.tmp" <<EOF
# Written by tools/guest/fetch-debian.sh; paths are relative to the repository root.
L2_KERNEL_PKG=$cloud_pkg
L2_KERNEL=$cloud_dir/boot/vmlinuz-$cloud_ver
L1_KERNEL_PKG=$generic_pkg
L1_KERNEL=$generic_dir/boot/vmlinuz-$generic_ver
L1_MODULES=$generic_dir/lib/modules/$generic_ver/kernel
BUSYBOX=$bb_dir/bin/busybox
EOF
mv "$G/env.sh.tmp" "$G/env.sh"
