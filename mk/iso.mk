# The bootable ISO: GRUB (BIOS and UEFI) loading the kernel via Multiboot2,
# with the boot archive (mk/user.mk) as the Multiboot2 module "bootfs".
.PHONY: iso
iso: $(BUILD)/orbital.iso

$(BUILD)/orbital.iso: $(BUILD)/orbital.elf $(BUILD)/bootfs.cpio tools/mkiso.sh
	bash tools/mkiso.sh $< $@ "$(ORBITAL_CMDLINE)" $(BUILD)/bootfs.cpio=bootfs
