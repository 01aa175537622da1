# The bootable ISO: GRUB (BIOS and UEFI) loading the kernel via Multiboot2.
.PHONY: iso
iso: $(BUILD)/orbital.iso

$(BUILD)/orbital.iso: $(BUILD)/orbital.elf tools/mkiso.sh
	bash tools/mkiso.sh $< $@ "$(ORBITAL_CMDLINE)"
