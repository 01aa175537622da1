#!/usr/bin/env bash
# The fresh-machine check: proves that a clean clone builds and passes its tests on a Debian 12
# machine where nothing was installed by hand.
#
#   tools/fresh-root.sh [REPO]     (as root; REPO defaults to this checkout)
#
# It clones REPO's committed HEAD into a minimal Debian 12 root made by
# `debootstrap --variant=minbase bookworm` and, inside it (chroot), lets only tools/deps.sh
# install packages, then runs: the build with gcc (kernel, ISO, user programs, orbvm), the
# host unit tests, the clang build of the kernel and user space, the guest images that
# `make run-vm` boots (Debian packages fetched with apt-get download), and one boot of the
# whole system to its shell (tests/qemu/shell_test.py). A package missing from tools/deps.sh,
# or a file read from outside the repository that no listed package provides, fails here.
#
# The pristine root is made once and kept outside the clone, as a tar file in
# $ORB_FRESH_CACHE (default /var/cache/orbital/fresh-root), so later runs unpack it in seconds.
# The mirror is the one the host's apt sources name for Debian, else debootstrap's default;
# the downloaded .deb files are shared with the host's apt cache to save bandwidth (apt inside
# the root still decides and installs everything itself).
#
# Prints one closing line "N passed, N failed" (one step each).
set -uo pipefail

repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cache=${ORB_FRESH_CACHE:-/var/cache/orbital/fresh-root}
pristine=$cache/bookworm-minbase.tar
suite=bookworm

if [ "$(id -u)" -ne 0 ]; then
	echo "fresh-root: needs root (debootstrap, chroot, mounts)"
	echo "0 passed, 1 failed"
	exit 1
fi

# The Debian mirror the host already uses (an http URI from its apt sources), if any.
host_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		grep -hoE 'https?://[^ ]+/debian/?( |$)' "$f" | head -n 1 | tr -d ' '
	done | head -n 1
}

make_pristine() {
	if ! command -v debootstrap >/dev/null; then
		echo "fresh-root: installing debootstrap"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends debootstrap >/dev/null || return 1
	fi
	local tmp mirror
	tmp=$(mktemp -d /var/tmp/fresh-root-make.XXXXXX)
	mirror=$(host_mirror)
	echo "fresh-root: debootstrap --variant=minbase $suite ${mirror:-(default mirror)}"
	if ! debootstrap --variant=minbase "$suite" "$tmp/root" $mirror >"$tmp/log" 2>&1; then
		tail -n 20 "$tmp/log"
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$cache"
	tar -C "$tmp/root" -cf "$pristine.tmp" . && mv "$pristine.tmp" "$pristine"
	local st=$?
	rm -rf "$tmp"
	return $st
}

if [ ! -f "$pristine" ]; then
	make_pristine || {
		echo "fresh-root: could not make the minimal Debian root"
		echo "0 passed, 1 failed"
		exit 1
	}
fi

work=$(mktemp -d /var/tmp/fresh-root.XXXXXX)
root=$work/root
mounts=()
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${mounts[$i]}" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$root"
tar -C "$root" -xf "$pristine"
bind() { # bind SRC DST
	mkdir -p "$2" && mount --bind "$1" "$2" && mounts+=("$2")
}
bind /proc "$root/proc"
bind /sys "$root/sys"
bind /dev "$root/dev"
mkdir -p /var/cache/apt/archives/partial
bind /var/cache/apt/archives "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
git clone -q --no-hardlinks "$repo" "$root/src/orbital" || {
	echo "0 passed, 1 failed"
	exit 1
}
echo "fresh-root: $(git -C "$root/src/orbital" log -1 --format='%h %s' | cut -c1-72)"

pass=0
fail=0
# step NAME COMMAND: runs COMMAND in the root's clone, as a login-less root shell would.
step() {
	local name=$1 cmd=$2 t0 st
	t0=$(date +%s)
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb CI=true LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c "cd /src/orbital && $cmd" >"$work/$name.log" 2>&1 </dev/null
	st=$?
	if [ $st -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS  $name ($(($(date +%s) - t0)) s)$(grep -E '^[0-9]+ passed, [0-9]+ failed' \
			"$work/$name.log" | tail -n 1 | sed 's/^/: /')"
	else
		fail=$((fail + 1))
		echo "FAIL  $name (exit status $st, $(($(date +%s) - t0)) s); the end of its log:"
		tail -n 30 "$work/$name.log" | sed 's/^/    /'
	fi
	return $st
}

if step deps 'bash tools/deps.sh' &&
	step build-gcc 'make -j"$(nproc)" all host-tests' &&
	step host-tests 'bash tests/host/run.sh build'; then
	step build-clang 'make -j"$(nproc)" CC=clang kernel user'
	step guest-images 'make guest-images'
	step boot-to-shell 'python3 tests/qemu/shell_test.py build --smp 1'
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
