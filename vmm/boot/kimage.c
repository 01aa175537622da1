/*
 * Kernel protocol detection, load regions and placement; see kimage.h.
 *
 * Trust boundary: the file and every address in its headers are untrusted
 * (fuzzed by tests/fuzz/fuzz_kimage.c). elf.c and multiboot.c bound what
 * they read; here every address range is compared, without overflow, with
 * 1 MiB, the MMIO hole, the file and the other regions before it is
 * accepted, and later with the RAM size in kimage_plan().
 */
#include <string.h>

#include "../err.h"
#include "../mem.h"
#include "kimage.h"
#include "layout.h"
#include "multiboot.h"

const char *kimage_proto_name(enum kimage_proto p)
{
	return p == KIMAGE_PVH ? "PVH" : p == KIMAGE_MB2 ? "Multiboot2" : "Multiboot";
}

static void kimage_from_elf(const struct elf_info *e, struct kimage *k)
{
	k->nregions = e->nloads;
	for (unsigned i = 0; i < e->nloads; i++)
		k->regions[i] = (struct kimage_region){e->loads[i].paddr, e->loads[i].file_off,
						       e->loads[i].filesz, e->loads[i].memsz};
}

/* e_entry is virtual: translate it through the segment holding it, as GRUB does. */
static uint64_t kimage_elf_entry(const struct elf_info *e)
{
	for (unsigned i = 0; i < e->nloads; i++) {
		const struct elf_load *l = &e->loads[i];
		if (e->entry >= l->vaddr && e->entry - l->vaddr < l->memsz)
			return e->entry - l->vaddr + l->paddr;
	}
	return e->entry;
}

/* The a.out kludge: the file bytes around the header at `offset`. */
static int kimage_from_addrs(const struct mb_addrs *a, uint32_t offset, size_t len,
			     struct kimage *k)
{
	const char *p = kimage_proto_name(k->proto);
	if (a->load_addr > a->header_addr || a->header_addr - a->load_addr > offset)
		return err_set(ERR_FORMAT, "%s header address fields point outside the file", p);
	uint64_t file_off = offset - (a->header_addr - a->load_addr);
	uint64_t filesz = len - file_off;
	if (a->load_end_addr) {
		if (a->load_end_addr <= a->load_addr ||
		    a->load_end_addr - a->load_addr > len - file_off)
			return err_set(ERR_FORMAT,
				       "%s header load_end_addr 0x%x lies outside the "
				       "file",
				       p, a->load_end_addr);
		filesz = a->load_end_addr - a->load_addr;
	}
	uint64_t memsz = filesz;
	if (a->bss_end_addr) {
		if (a->bss_end_addr < a->load_addr + filesz)
			return err_set(ERR_FORMAT,
				       "%s header bss_end_addr 0x%x is below the "
				       "loaded image",
				       p, a->bss_end_addr);
		memsz = a->bss_end_addr - a->load_addr;
	}
	k->nregions = 1;
	k->regions[0] = (struct kimage_region){a->load_addr, file_off, filesz, memsz};
	return 0;
}

/* Multiboot (either version): address fields, else the ELF it must then be. */
static int kimage_multiboot(const uint8_t *img, size_t len, const struct mb_header *h,
			    struct kimage *k, uint64_t *entry)
{
	if (h->has_addrs) {
		if (!h->has_entry)
			return err_set(ERR_FORMAT,
				       "%s header has an address tag but no entry "
				       "address",
				       kimage_proto_name(k->proto));
		*entry = h->entry;
		return kimage_from_addrs(&h->addrs, h->offset, len, k);
	}
	struct elf_info e;
	if (!elf_is_elf(img, len))
		return err_set(ERR_FORMAT, "%s kernel is not ELF and gives no load addresses",
			       kimage_proto_name(k->proto));
	int r = elf_parse(img, len, &e);
	if (r < 0)
		return r;
	kimage_from_elf(&e, k);
	*entry = h->has_entry ? h->entry : kimage_elf_entry(&e);
	return 0;
}

/* Which protocol, and the regions and entry it implies. */
static int kimage_detect(const uint8_t *img, size_t len, struct kimage *k, uint64_t *entry)
{
	struct elf_info e;
	struct mb_header h;
	int r;
	bool is_elf = elf_is_elf(img, len);
	if (is_elf) {
		if ((r = elf_parse(img, len, &e)) < 0)
			return r;
		if (e.has_pvh) {
			k->proto = KIMAGE_PVH;
			kimage_from_elf(&e, k);
			*entry = e.pvh_entry;
			return 0;
		}
	}
	if ((r = mb2_find(img, len, &h)) != 0) {
		k->proto = KIMAGE_MB2;
		return r < 0 ? r : kimage_multiboot(img, len, &h, k, entry);
	}
	if ((r = mb1_find(img, len, &h)) != 0) {
		k->proto = KIMAGE_MB1;
		k->mb1_flags = h.flags;
		return r < 0 ? r : kimage_multiboot(img, len, &h, k, entry);
	}
	if (is_elf)
		return err_set(ERR_FORMAT, "ELF kernel has neither a PVH note nor a Multiboot "
					   "header");
	return KIMAGE_NOT_RECOGNISED;
}

/* Every region above 1 MiB, below the hole, apart; the entry inside one. */
static int kimage_check(struct kimage *k, uint64_t entry)
{
	bool entry_ok = false;
	for (unsigned i = 0; i < k->nregions; i++) {
		const struct kimage_region *a = &k->regions[i];
		if (a->paddr < HIGH_MEMORY)
			return err_set(ERR_RANGE,
				       "kernel segment at 0x%llx lies below 1 MiB, where "
				       "orbvm keeps its boot data",
				       (unsigned long long)a->paddr);
		if (a->paddr >= MEM_HOLE_START || a->memsz > MEM_HOLE_START - a->paddr)
			return err_set(ERR_RANGE,
				       "kernel segment at 0x%llx (0x%llx bytes) overlaps "
				       "the MMIO hole at 3 GiB",
				       (unsigned long long)a->paddr, (unsigned long long)a->memsz);
		for (unsigned j = 0; j < i; j++) {
			const struct kimage_region *b = &k->regions[j];
			if (a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz)
				return err_set(ERR_RANGE,
					       "kernel segments at 0x%llx and 0x%llx "
					       "overlap",
					       (unsigned long long)b->paddr,
					       (unsigned long long)a->paddr);
		}
		if (a->paddr + a->memsz > k->end)
			k->end = a->paddr + a->memsz;
		entry_ok |= entry >= a->paddr && entry - a->paddr < a->memsz;
	}
	if (!entry_ok)
		return err_set(ERR_FORMAT, "%s entry point 0x%llx is not inside the loaded kernel",
			       kimage_proto_name(k->proto), (unsigned long long)entry);
	k->entry = (uint32_t)entry;
	return 0;
}

int kimage_parse(const uint8_t *img, size_t len, struct kimage *k)
{
	uint64_t entry = 0;
	memset(k, 0, sizeof(*k));
	int r = kimage_detect(img, len, k, &entry);
	if (r != 0)
		return r;
	for (unsigned i = 0; i < k->nregions; i++) /* elf.c and the kludge checked these */
		if (k->regions[i].file_off + k->regions[i].filesz > len)
			return err_set(ERR_FORMAT, "kernel segment lies outside the file");
	return kimage_check(k, entry);
}

int kimage_plan(const struct kimage *k, uint64_t ram, size_t cmdline_len, const uint64_t *mod_sizes,
		unsigned nmods, struct kimage_layout *out)
{
	uint64_t lo, hi;
	mem_layout(ram, &lo, &hi);
	memset(out, 0, sizeof(*out));
	if (cmdline_len >= BOOT_CMDLINE_MAX)
		return err_set(ERR_RANGE, "kernel command line is %zu bytes; orbvm allows %llu",
			       cmdline_len, BOOT_CMDLINE_MAX - 1);
	if (k->end > lo)
		return err_set(ERR_RANGE,
			       "guest memory too small for this kernel: it needs --mem "
			       "%lluM or more",
			       (unsigned long long)((k->end + (1 << 20) - 1) >> 20));
	if (nmods > KIMAGE_MAX_MODULES)
		return err_set(ERR_RANGE, "%u modules; orbvm passes at most %d", nmods,
			       KIMAGE_MAX_MODULES);
	out->cmdline_addr = BOOT_CMDLINE_ADDR;
	out->info_addr = KIMAGE_INFO_ADDR;
	uint64_t top = lo & ~0xfffull, floor = (k->end + 0xfff) & ~0xfffull;
	for (unsigned i = 0; i < nmods; i++) {
		if (mod_sizes[i] > top || ((top - mod_sizes[i]) & ~0xfffull) < floor)
			return err_set(ERR_RANGE,
				       "module %u (%llu KiB) does not fit in guest memory "
				       "above the kernel (try a larger --mem)",
				       i + 1, (unsigned long long)((mod_sizes[i] + 1023) >> 10));
		top = (top - mod_sizes[i]) & ~0xfffull;
		out->mod_addr[i] = top;
	}
	return 0;
}
