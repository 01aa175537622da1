/*
 * Boot planning and the zero page; see boot_params.h and layout.h.
 *
 * Trust boundary: the header values (alignment, sizes, initrd_addr_max) come
 * from the kernel file; bzimage_parse() bounded them and every sum below is
 * done in 64 bits and compared with the RAM size before it becomes an
 * address.
 */
#include <string.h>

#include "../err.h"
#include "../mem.h"
#include "boot_params.h"
#include "layout.h"

int boot_plan(const struct bzimage *bz, uint64_t ram, size_t cmdline_len, uint64_t initrd_size,
	      struct boot_layout *out)
{
	uint64_t lo, hi;
	mem_layout(ram, &lo, &hi);
	memset(out, 0, sizeof(*out));

	if (cmdline_len > bz->cmdline_size)
		return err_set(ERR_RANGE,
			       "kernel command line is %zu bytes; this kernel accepts at most %u",
			       cmdline_len, bz->cmdline_size);
	if (cmdline_len >= BOOT_CMDLINE_MAX)
		return err_set(ERR_RANGE, "kernel command line is %zu bytes; orbvm allows %llu",
			       cmdline_len, BOOT_CMDLINE_MAX - 1);
	out->cmdline_addr = BOOT_CMDLINE_ADDR;
	out->cmdline_len = cmdline_len;

	uint64_t addr = bz->pref_address;
	if (bz->relocatable) {
		uint64_t a = bz->kernel_alignment;
		addr = (addr + a - 1) & ~(a - 1);
	}
	uint64_t need = bz->init_size > bz->pm_size ? bz->init_size : bz->pm_size;
	if (addr + need > lo)
		return err_set(
		    ERR_RANGE,
		    "guest memory too small for this kernel: it needs --mem %lluM or more "
		    "(loaded at 0x%llx, init_size %llu KiB)",
		    (unsigned long long)((addr + need + (1 << 20) - 1) >> 20),
		    (unsigned long long)addr, (unsigned long long)(need >> 10));
	out->kernel_addr = addr;
	out->kernel_end = addr + need;

	if (initrd_size) {
		/* As high as allowed: below min(initrd_addr_max + 1, end of low RAM). */
		uint64_t top = (uint64_t)bz->initrd_addr_max + 1;
		if (top > lo)
			top = lo;
		top &= ~0xfffull;
		if (initrd_size > top || ((top - initrd_size) & ~0xfffull) < out->kernel_end)
			return err_set(
			    ERR_RANGE,
			    "initrd (%llu KiB) does not fit in guest memory below 0x%llx "
			    "above the kernel (try a larger --mem)",
			    (unsigned long long)((initrd_size + 1023) >> 10),
			    (unsigned long long)top);
		out->initrd_addr = (top - initrd_size) & ~0xfffull;
		out->initrd_size = initrd_size;
	}
	return 0;
}

unsigned boot_e820(uint64_t ram, struct boot_e820_entry *e, unsigned max)
{
	uint64_t lo, hi;
	mem_layout(ram, &lo, &hi);
	struct boot_e820_entry map[4];
	unsigned n = 0;
	map[n++] = (struct boot_e820_entry){.addr = 0, .size = EBDA_START, .type = E820_TYPE_RAM};
	map[n++] = (struct boot_e820_entry){
	    .addr = EBDA_START, .size = HIGH_MEMORY - EBDA_START, .type = E820_TYPE_RESERVED};
	if (lo > HIGH_MEMORY)
		map[n++] = (struct boot_e820_entry){
		    .addr = HIGH_MEMORY, .size = lo - HIGH_MEMORY, .type = E820_TYPE_RAM};
	if (hi)
		map[n++] = (struct boot_e820_entry){
		    .addr = MEM_HIGH_START, .size = hi, .type = E820_TYPE_RAM};
	if (n > max)
		n = max;
	memcpy(e, map, n * sizeof(*e));
	return n;
}

void boot_params_build(struct boot_params *bp, const struct bzimage *bz,
		       const struct boot_layout *l, uint64_t ram, uint64_t rsdp_addr)
{
	memset(bp, 0, sizeof(*bp));
	/* The setup header as the kernel file has it, then the loader's fields. */
	memcpy(&bp->hdr, bz->image + BZ_HDR_OFFSET, bz->hdr_len);
	struct setup_header *h = &bp->hdr;
	h->type_of_loader = 0xff; /* undefined loader */
	h->loadflags = (uint8_t)(bz->loadflags | BZ_CAN_USE_HEAP);
	h->heap_end_ptr = 0xfe00; /* end of the setup heap (used by the 16-bit entry only) */
	h->vid_mode = 0xffff;	  /* "normal" */
	h->code32_start = (uint32_t)l->kernel_addr;
	h->cmd_line_ptr = (uint32_t)l->cmdline_addr;
	bp->ext_cmd_line_ptr = (uint32_t)(l->cmdline_addr >> 32);
	h->ramdisk_image = (uint32_t)l->initrd_addr;
	h->ramdisk_size = (uint32_t)l->initrd_size;
	bp->ext_ramdisk_image = (uint32_t)(l->initrd_addr >> 32);
	bp->ext_ramdisk_size = (uint32_t)(l->initrd_size >> 32);
	h->setup_data = 0;
	bp->acpi_rsdp_addr = rsdp_addr;
	bp->e820_entries = (uint8_t)boot_e820(ram, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
}
