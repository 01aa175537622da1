/*
 * The PVH parser (QEMU -kernel, orbvm): Xen's hvm_start_info. Version 0 is
 * u32 magic, version, flags, nr_modules, u64 modlist_paddr, cmdline_paddr,
 * rsdp_paddr (40 bytes); version 1 adds u64 memmap_paddr, u32
 * memmap_entries, u32 reserved (56 bytes). Modules are {u64 paddr, size,
 * cmdline_paddr, reserved}; memory-map entries {u64 addr, size, u32 type
 * (E820), u32 reserved}. Without a memory map (version 0, or none given) the
 * kernel cannot boot: that is an error.
 *
 * Trust: every structure is reached through a loader-given physical pointer,
 * so each is read through phys_read with its exact size, one entry at a time,
 * with address arithmetic checked for wrap-around; strings are read a byte at
 * a time up to the buffer size. Policy for malformed input: see bootinfo.c.
 */
#include "boot/bootinfo_internal.h"
#include "console/kprintf.h"

#define PVH_V0_SIZE	40
#define PVH_V1_SIZE	56
#define PVH_MODULE_SIZE 32
#define PVH_MEMMAP_SIZE 24

/*
 * Copies the NUL-terminated string at physical addr into dst, a byte per
 * phys_read call (so it may cross into memory the callback refuses, which is
 * detected). Returns 0, or -1 if a byte before the terminator is unreadable.
 */
static int phys_string(struct bi_parse *ps, paddr_t addr, char *dst, size_t size, const char *what)
{
	for (size_t i = 0; i < size; i++) {
		const char *c = addr + i < addr ? NULL : ps->phys_read(ps->ctx, addr + i, 1);
		if (!c)
			return -1;
		dst[i] = i == size - 1 ? 0 : *c;
		if (!*c)
			return 0;
	}
	kwarn("boot: %s is longer than %zu bytes, truncated\n", what, size - 1);
	return 0;
}

static int pvh_modules(struct bi_parse *ps, paddr_t list, uint32_t count)
{
	struct boot_info *bi = ps->bi;
	for (uint32_t i = 0; i < count; i++) {
		if (i == BOOT_MODULES_MAX) {
			ps->modules_dropped = count - i;
			break;
		}
		/* Trust boundary: one entry at a time, fields copied out before the next read. */
		paddr_t at = list + (paddr_t)i * PVH_MODULE_SIZE;
		const uint8_t *e = at < list ? NULL : ps->phys_read(ps->ctx, at, PVH_MODULE_SIZE);
		if (!e)
			return bi_fail(bi, "PVH module list entry %u at 0x%lx is unreadable", i,
				       at);
		uint64_t paddr = get_le64(e), size = get_le64(e + 8), cmdline = get_le64(e + 16);
		if (paddr + size < paddr)
			return bi_fail(bi,
				       "PVH module %u at 0x%lx (size 0x%lx) wraps past the top of "
				       "the address space",
				       i, paddr, size);
		struct boot_module *mod = &bi->modules[bi->module_count++];
		mod->start = paddr;
		mod->end = paddr + size;
		if (cmdline &&
		    phys_string(ps, cmdline, mod->name, sizeof(mod->name), "module name"))
			return bi_fail(bi, "PVH module %u name at 0x%lx is unreadable", i, cmdline);
	}
	return 0;
}

static int pvh_memmap(struct bi_parse *ps, paddr_t map, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		paddr_t at = map + (paddr_t)i * PVH_MEMMAP_SIZE;
		const uint8_t *e = at < map ? NULL : ps->phys_read(ps->ctx, at, PVH_MEMMAP_SIZE);
		if (!e)
			return bi_fail(ps->bi, "PVH memory map entry %u at 0x%lx is unreadable", i,
				       at);
		int err =
		    bi_mmap_add(ps, get_le64(e), get_le64(e + 8), bi_e820_type(get_le32(e + 16)));
		if (err)
			return err;
	}
	return 0;
}

int bootinfo_parse_pvh(struct boot_info *bi, paddr_t info_addr, boot_phys_read_fn phys_read,
		       void *ctx)
{
	struct bi_parse ps;
	bi_parse_begin(&ps, bi, BOOT_PROTO_PVH, phys_read, ctx);

	/* Trust boundary: the version-0 part, then all of it once the version is known. */
	const uint8_t *s = phys_read(ctx, info_addr, PVH_V0_SIZE);
	if (!s)
		return bi_fail(bi, "PVH start info at 0x%lx is unreadable", info_addr);
	uint32_t magic = get_le32(s), version = get_le32(s + 4);
	if (magic != PVH_START_MAGIC)
		return bi_fail(bi, "PVH start info at 0x%lx has bad magic 0x%x", info_addr, magic);
	size_t size = version >= 1 ? PVH_V1_SIZE : PVH_V0_SIZE;
	if (!(s = phys_read(ctx, info_addr, size)))
		return bi_fail(bi, "PVH start info at 0x%lx (%zu bytes) is unreadable", info_addr,
			       size);
	uint32_t nr_modules = get_le32(s + 12);
	paddr_t modlist = get_le64(s + 16), cmdline = get_le64(s + 24);
	paddr_t memmap = version >= 1 ? get_le64(s + 40) : 0;
	uint32_t memmap_entries = version >= 1 ? get_le32(s + 48) : 0;
	bi->rsdp_addr = get_le64(s + 32);
	bi->raw_addr = info_addr;
	bi->raw_size = size;

	if (version < 1)
		return bi_fail(bi, "PVH start info version 0 has no memory map");
	if (!memmap || !memmap_entries)
		return bi_fail(bi, "PVH start info has no memory map");
	if (memmap_entries > BOOT_MMAP_RAW_MAX)
		return bi_fail(bi, "PVH memory map has %u entries (at most %d)", memmap_entries,
			       BOOT_MMAP_RAW_MAX);
	if (cmdline && phys_string(&ps, cmdline, bi->cmdline, sizeof(bi->cmdline), "command line"))
		return bi_fail(bi, "PVH command line at 0x%lx is unreadable", cmdline);
	int err = pvh_modules(&ps, modlist, nr_modules);
	if (!err)
		err = pvh_memmap(&ps, memmap, memmap_entries);
	return err ? err : bi_parse_finish(&ps);
}
