/*
 * Booting a PVH or Multiboot kernel (kimage.h) in a VM: the module files,
 * the plan, the copy into guest memory and the vCPU's entry state.
 *
 * kload_plan() parses the kernel file, opens and sizes --initrd (module 1)
 * and each --module, and places everything; it runs before the VM exists.
 * kload_load() copies the kernel's regions (zeroing their memory-only
 * tails), the command line, the modules, and the boot information built by
 * kinfo.c, and writes the 32-bit GDT. kload_cpu_state() gives the entry
 * registers: protected mode, paging off, EIP = the entry, EBX = the
 * information's address, EAX = the Multiboot boot magic (0 for PVH).
 * kload_close() closes the module files (safe to call twice).
 */
#ifndef ORBVM_KLOAD_H
#define ORBVM_KLOAD_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "../config.h"
#include "../mem.h"
#include "kimage.h"

struct kload_module {
	const char *path, *cmdline;
	int fd;
	uint64_t size;
};

struct kload {
	struct kimage img;
	struct kimage_layout layout;
	unsigned nmods;
	struct kload_module mods[KIMAGE_MAX_MODULES];
};

void kload_init(struct kload *k);
/* 0, KIMAGE_NOT_RECOGNISED, or a negative error with a message. */
int kload_plan(struct kload *k, const uint8_t *image, size_t len, const struct config *c);
/* rsdp: the RSDP's bytes (revision 2, 36 bytes) at guest address rsdp_addr. */
int kload_load(struct kload *k, const struct guest_mem *mem, const uint8_t *image,
	       const struct config *c, uint64_t rsdp_addr, const uint8_t *rsdp);
void kload_cpu_state(const struct kload *k, struct kvm_sregs *sregs, struct kvm_regs *regs);
void kload_close(struct kload *k);

#endif
