# orbvm: the KVM virtual machine monitor (vmm/), included by the top Makefile.
#
#   $(BUILD)/orbvm                     the VMM (hosted Linux program)
#   $(BUILD)/orbvm-static              the same, linked statically (for the nested lab's busybox)
#   $(BUILD)/vmm/hello-realmode.bin    sample flat real-mode guest (orbvm --real-mode)
#   $(BUILD)/vmm/boot-marker           static Linux program writing the boot-time marker
#   $(BUILD)/vmm/blkbench              static Linux program: O_DIRECT disk benchmark (bench-vm)
#                                      (for guest initramfs images)
#   $(BUILD)/vmm/test-kernels/*       the test kernels tests/vmm/run.sh boots: pvh.elf (ELF32 with
#                                      a PVH note), pci.elf (PVH: the PCI host bridge), mb2.elf (Multiboot2 ELF32), mb1.bin (Multiboot
#                                      a.out kludge), smp.elf (PVH: starts every AP, --cpus N),
#                                      ioapic.elf (PVH: orbvm's I/O APIC, --irqchip split),
#                                      from tests/vmm/kernels/
#   make run-orbvm                     boots Orbital's shell in orbvm (here or in the nested lab)
#   make test-vmm                      KVM smoke and bad-input tests (tests/vmm/run.sh)

VMM_SRCS := $(sort $(shell find vmm -name '*.c' -not -path 'vmm/guests/*'))
VMM_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(VMM_SRCS))
VMM_CFLAGS := -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-Iinclude -Ivmm -pthread -MMD -MP
# io_uring for the disks (vmm/virtio/blk_uring.c): Debian's liburing-dev (tools/deps.sh).
VMM_LDLIBS := -luring

$(BUILD)/vmm/%.o: vmm/%.c
	@mkdir -p $(dir $@)
	$(CC) $(VMM_CFLAGS) -c $< -o $@

$(BUILD)/orbvm: $(VMM_OBJS)
	$(CC) -pthread -o $@ $(VMM_OBJS) $(VMM_LDLIBS)

$(BUILD)/orbvm-static: $(VMM_OBJS)
	$(CC) -static -pthread -o $@ $(VMM_OBJS) $(VMM_LDLIBS)

$(BUILD)/vmm/hello-realmode.o: vmm/guests/hello-realmode.S
	@mkdir -p $(dir $@)
	$(AS) --32 -o $@ $<

$(BUILD)/vmm/hello-realmode.bin: $(BUILD)/vmm/hello-realmode.o
	$(LD) -m elf_i386 -Ttext 0 --oformat binary -o $@ $<

$(BUILD)/vmm/boot-marker: vmm/guests/boot-marker.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $<

# make bench-vm's guest-side disk benchmark; tools/guest/build-l2.sh builds its own
# copy for the initramfs, this one keeps it warning-free under both compilers.
$(BUILD)/vmm/blkbench: vmm/guests/blkbench.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -o $@ $<

# Test kernels for the PVH and Multiboot loaders (32-bit, assembled through the C
# preprocessor for check.inc).
VMM_TEST_KERNELS := $(BUILD)/vmm/test-kernels/pvh.elf $(BUILD)/vmm/test-kernels/mb2.elf \
	$(BUILD)/vmm/test-kernels/mb1.bin $(BUILD)/vmm/test-kernels/smp.elf \
	$(BUILD)/vmm/test-kernels/i8042irq.elf $(BUILD)/vmm/test-kernels/pci.elf \
	$(BUILD)/vmm/test-kernels/ioapic.elf

$(BUILD)/vmm/test-kernels/%.o: tests/vmm/kernels/%.S tests/vmm/kernels/check.inc \
	tests/vmm/kernels/apic.inc tests/vmm/kernels/await.inc
	@mkdir -p $(dir $@)
	$(CC) -m32 -c -o $@ $<

$(BUILD)/vmm/test-kernels/%.elf: $(BUILD)/vmm/test-kernels/%.o tests/vmm/kernels/elf.ld
	$(LD) -m elf_i386 --no-warn-rwx-segments -T tests/vmm/kernels/elf.ld -e $(if $(filter pvh smp i8042irq pci ioapic,$*),pvh_entry,_start) -o $@ $<

$(BUILD)/vmm/test-kernels/mb1.bin: $(BUILD)/vmm/test-kernels/mb1.o tests/vmm/kernels/mb1.ld
	$(LD) -m elf_i386 -T tests/vmm/kernels/mb1.ld --oformat binary -o $@ $<

-include $(VMM_OBJS:.o=.d)

.PHONY: orbvm test-vmm run-orbvm
orbvm: $(BUILD)/orbvm $(BUILD)/orbvm-static $(BUILD)/vmm/hello-realmode.bin $(BUILD)/vmm/boot-marker \
	$(BUILD)/vmm/blkbench $(VMM_TEST_KERNELS)

# Orbital's shell in orbvm (PVH, the boot archive as the first module; Ctrl-A x quits).
run-orbvm: $(BUILD)/orbvm $(BUILD)/orbvm-static $(BUILD)/orbital.elf $(BUILD)/bootfs.cpio
	@bash tools/run-orbvm.sh $(BUILD)

test-vmm: orbvm
	@bash tests/vmm/run.sh $(BUILD)

ALL_EXTRA += $(BUILD)/orbvm $(BUILD)/orbvm-static $(BUILD)/vmm/hello-realmode.bin \
	$(BUILD)/vmm/boot-marker $(BUILD)/vmm/blkbench $(VMM_TEST_KERNELS)

# virtio (vmm/virtio/: virtqueue walker, virtio-mmio transport, virtio-blk and
# its file backend) is compiled into orbvm through VMM_SRCS's `find vmm`
# above; --disk instantiates it (vmm/devices/disks.c). Its host tests are in
# tests/host/vmm/vmm_virtio.mk and vmm_disks.mk, its fuzz target in tests/fuzz/virtio.mk.
