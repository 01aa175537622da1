# Linux guests for orbvm and the nested lab (tools/lab/README.md), included by the top Makefile.
#
#   make guest-images   Debian's cloud kernel + busybox initramfs + ext4 root file system
#                       (build/guest/rootfs.img) and the lab's L1 kernel + initramfs
#                       (build/lab/); packages cached in cache/
#   make test-lab       orbvm's Linux-guest tests in one nested-lab run (tests/lab/run.sh)
#   make run-vm         boot the guest in $(BUILD)/orbvm on this host's /dev/kvm with its
#                       root on build/guest/rootfs.img to login: (root / orbvm)
#                       (needs a KVM host with vmx/svm; all three: tools/guest/run-vm.sh)
#   make run-vm-lab     the same inside the nested lab, interactively (slow, works anywhere)
#   make run-vm-shell   the initramfs-only guest (busybox shell, no disk)
#   make bench-vm       orbvm beside QEMU -M pc and -M microvm in one lab run (bench/vm/),
#                       on 1 and 4 vCPUs, and Orbital's boot to its prompt
# The images do not depend on the compiler, so they live in build/ even for CC=clang.

GUEST_DIR := build/guest
LAB_DIR   := build/lab

.PHONY: guest-images test-lab run-vm run-vm-lab run-vm-shell bench-vm

guest-images:
	@PYTHON=$(PYTHON) bash tools/guest/images.sh $(GUEST_DIR) $(LAB_DIR) cache

test-lab: $(BUILD)/orbvm-static
	@PYTHON=$(PYTHON) bash tests/lab/run.sh $(BUILD)

run-vm: guest-images $(BUILD)/orbvm
	@PYTHON=$(PYTHON) bash tools/guest/run-vm.sh $(BUILD) host disk

run-vm-lab: guest-images $(BUILD)/orbvm-static
	@PYTHON=$(PYTHON) bash tools/guest/run-vm.sh $(BUILD) lab disk

run-vm-shell: guest-images $(BUILD)/orbvm
	@PYTHON=$(PYTHON) bash tools/guest/run-vm.sh $(BUILD) host shell

bench-vm: $(BUILD)/orbvm-static
	@PYTHON=$(PYTHON) bash bench/vm/run.sh $(BUILD)
