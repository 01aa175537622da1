/*
 * The Multiboot2 parser (GRUB, under BIOS or UEFI): the boot information is
 * u32 total_size, u32 reserved, then tags {u32 type, u32 size, payload}, each
 * starting 8-byte aligned, ending with tag 0 of size 8.
 *
 * Trust: the whole information is read with one phys_read of total_size
 * bytes (after a sanity bound of MB2_INFO_MAX), and the walk checks each
 * tag's header and size against what is left before touching its payload;
 * each payload field is then read at a fixed offset the tag's size covers.
 * Tags may come in any order, so the memory map is chosen after the walk:
 * tag 6, else the EFI map (tag 17), else basic meminfo (tag 4) with a
 * warning. Policy for malformed input: see bootinfo.c.
 */
#include "boot/bootinfo_internal.h"
#include "console/kprintf.h"

#define MB2_INFO_MAX	  KiB(256) /* bound on total_size: EFI maps can be long */
#define EFI_DESC_MIN_SIZE 40	   /* EFI_MEMORY_DESCRIPTOR up to Attribute */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18, /* EFI boot services not terminated */
};

/* What the tag walk found that is handled after it (tags come in any order). */
struct mb2_found {
	uint32_t seen; /* bit per tag type < 32 */
	const uint8_t *mmap, *efi_mmap, *meminfo;
	uint32_t mmap_size, efi_mmap_size;
	bool efi_boot_services; /* tag 18: EFI boot services still running */
};

/* Copies a string that must end inside its tag (avail bytes) into dst. */
static void copy_tag_string(char *dst, size_t size, const uint8_t *src, size_t avail,
			    const char *what)
{
	size_t n = strnlen((const char *)src, avail);
	if (n == avail)
		kwarn("boot: %s is not NUL-terminated, truncated\n", what);
	else if (n >= size)
		kwarn("boot: %s is longer than %zu bytes, truncated\n", what, size - 1);
	n = MIN(n, size - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* Tag 6: {entry_size, entry_version, entries {u64 base, u64 length, u32 type, u32 reserved}}. */
static int mb2_mmap(struct bi_parse *ps, const uint8_t *t, uint32_t size)
{
	if (size < 16)
		return bi_fail(ps->bi, "Multiboot2 memory map tag is too small (%u bytes)", size);
	uint32_t esize = get_le32(t + 8);
	if (esize < 24)
		return bi_fail(ps->bi, "Multiboot2 memory map entry size %u is too small (< 24)",
			       esize);
	uint32_t count = (size - 16) / esize;
	if ((size - 16) % esize)
		kwarn("boot: Multiboot2 memory map tag has %u stray bytes, ignored\n",
		      (size - 16) % esize);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = t + 16 + (size_t)i * esize; /* inside: i < count */
		int err =
		    bi_mmap_add(ps, get_le64(e), get_le64(e + 8), bi_e820_type(get_le32(e + 16)));
		if (err)
			return err;
	}
	return 0;
}

static uint32_t efi_mem_type(uint32_t t, bool boot_services_running)
{
	switch (t) {
	case 1: /* loader code */
	case 2: /* loader data */
	case 7: /* conventional */
		return BOOT_MEM_USABLE;
	case 3: /* boot services code */
	case 4: /* boot services data */
		return boot_services_running ? BOOT_MEM_RESERVED : BOOT_MEM_USABLE;
	case 8:
		return BOOT_MEM_BAD;
	case 9:
		return BOOT_MEM_ACPI_RECLAIM;
	case 10:
		return BOOT_MEM_ACPI_NVS;
	default:
		return BOOT_MEM_RESERVED; /* runtime services, MMIO, persistent, ... */
	}
}

/* Tag 17: {descr_size, descr_vers, EFI_MEMORY_DESCRIPTOR...}; used only without tag 6. */
static int mb2_efi_mmap(struct bi_parse *ps, const uint8_t *t, uint32_t size, bool bs)
{
	if (size < 16)
		return bi_fail(ps->bi, "Multiboot2 EFI memory map tag is too small (%u bytes)",
			       size);
	uint32_t dsize = get_le32(t + 8);
	if (dsize < EFI_DESC_MIN_SIZE)
		return bi_fail(ps->bi, "EFI memory descriptor size %u is too small (< %d)", dsize,
			       EFI_DESC_MIN_SIZE);
	uint32_t count = (size - 16) / dsize;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *d = t + 16 + (size_t)i * dsize;
		uint64_t pages = get_le64(d + 24);
		if (pages > (UINT64_MAX >> 12))
			return bi_fail(ps->bi,
				       "EFI memory descriptor %u has 0x%lx pages (too many)", i,
				       pages);
		int err =
		    bi_mmap_add(ps, get_le64(d + 8), pages << 12, efi_mem_type(get_le32(d), bs));
		if (err)
			return err;
	}
	return 0;
}

/* Tag 4 (mem_lower, mem_upper in KiB): a last resort when no map was given. */
static int mb2_meminfo(struct bi_parse *ps, const uint8_t *t)
{
	uint32_t lower = MIN(get_le32(t + 8), 640u), upper = get_le32(t + 12);
	kwarn("boot: no memory map from the loader, using basic meminfo (%u KiB lower, %u KiB "
	      "upper)\n",
	      lower, upper);
	int err = bi_mmap_add(ps, 0, KiB(lower), BOOT_MEM_USABLE);
	return err ? err : bi_mmap_add(ps, MiB(1), KiB(upper), BOOT_MEM_USABLE);
}

/* Tag 8. Only direct-colour (RGB) and EGA text are kept; a bad tag is ignored. */
static void mb2_framebuffer(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
	struct boot_framebuffer fb = {0};
	if (size < 32) {
		kwarn("boot: framebuffer tag too small (%u bytes), ignored\n", size);
		return;
	}
	fb.addr = get_le64(t + 8);
	fb.pitch = get_le32(t + 16);
	fb.width = get_le32(t + 20);
	fb.height = get_le32(t + 24);
	fb.bpp = t[28];
	uint8_t kind = t[29];
	if (kind == 1) {
		if (size < 38) {
			kwarn("boot: RGB framebuffer tag too small (%u bytes), ignored\n", size);
			return;
		}
		fb.type = BOOT_FB_RGB;
		fb.red_pos = t[32], fb.red_size = t[33];
		fb.green_pos = t[34], fb.green_size = t[35];
		fb.blue_pos = t[36], fb.blue_size = t[37];
		bool bpp_ok = fb.bpp == 15 || fb.bpp == 16 || fb.bpp == 24 || fb.bpp == 32;
		if (!bpp_ok || !fb.width || !fb.height ||
		    fb.pitch < (uint64_t)fb.width * ((fb.bpp + 7) / 8) ||
		    fb.addr + (uint64_t)fb.pitch * fb.height < fb.addr) {
			kwarn("boot: framebuffer %ux%u bpp %u pitch %u is inconsistent, ignored\n",
			      fb.width, fb.height, fb.bpp, fb.pitch);
			return;
		}
	} else if (kind == 2) {
		fb.type = BOOT_FB_EGA_TEXT;
		if (!fb.width || !fb.height) {
			kwarn("boot: EGA text framebuffer has no size, ignored\n");
			return;
		}
	} else {
		kwarn("boot: framebuffer type %u (size %u) not supported, ignored\n", kind, size);
		return;
	}
	bi->fb = fb;
}

static void mb2_rsdp(struct boot_info *bi, const uint8_t *t, uint32_t size, size_t len)
{
	if (size < 8 + len) {
		kwarn("boot: ACPI RSDP tag too small (%u bytes), ignored\n", size);
		return;
	}
	if (bi->rsdp_len > len) /* an ACPI 2.0 copy beats an ACPI 1.0 one */
		return;
	memcpy(bi->rsdp, t + 8, len);
	bi->rsdp_len = len;
}

static void mb2_module(struct bi_parse *ps, const uint8_t *t, uint32_t size)
{
	struct boot_info *bi = ps->bi;
	if (bi->module_count == BOOT_MODULES_MAX) {
		ps->modules_dropped++;
		return;
	}
	struct boot_module *mod = &bi->modules[bi->module_count++];
	mod->start = get_le32(t + 8);
	mod->end = get_le32(t + 12);
	copy_tag_string(mod->name, sizeof(mod->name), t + 16, size - 16, "module name");
}

/* One tag of size >= 8 lying wholly inside the information. */
static int mb2_tag(struct bi_parse *ps, struct mb2_found *f, const uint8_t *t, uint32_t type,
		   uint32_t size)
{
	struct boot_info *bi = ps->bi;
	if (type < 32 && type != MB2_TAG_MODULE) {
		if (f->seen & (1u << type)) {
			kwarn("boot: repeated Multiboot2 tag %u ignored\n", type);
			return 0;
		}
		f->seen |= 1u << type;
	}
	switch (type) {
	case MB2_TAG_CMDLINE:
		copy_tag_string(bi->cmdline, sizeof(bi->cmdline), t + 8, size - 8, "command line");
		break;
	case MB2_TAG_LOADER:
		copy_tag_string(bi->loader, sizeof(bi->loader), t + 8, size - 8, "loader name");
		break;
	case MB2_TAG_MODULE:
		if (size < 16)
			return bi_fail(bi, "Multiboot2 module tag is too small (%u bytes)", size);
		mb2_module(ps, t, size);
		break;
	case MB2_TAG_MEMINFO:
		if (size >= 16)
			f->meminfo = t;
		break;
	case MB2_TAG_MMAP:
		f->mmap = t, f->mmap_size = size;
		break;
	case MB2_TAG_EFI_MMAP:
		f->efi_mmap = t, f->efi_mmap_size = size;
		break;
	case MB2_TAG_EFI_BS:
		f->efi_boot_services = true;
		break;
	case MB2_TAG_FRAMEBUFFER:
		mb2_framebuffer(bi, t, size);
		break;
	case MB2_TAG_ACPI_OLD:
		mb2_rsdp(bi, t, size, 20);
		break;
	case MB2_TAG_ACPI_NEW:
		mb2_rsdp(bi, t, size, BOOT_RSDP_MAX);
		break;
	default: /* load base, SMBIOS, EFI handles, ...: not needed */
		break;
	}
	return 0;
}

int bootinfo_parse_multiboot2(struct boot_info *bi, paddr_t info_addr, boot_phys_read_fn phys_read,
			      void *ctx)
{
	struct bi_parse ps;
	struct mb2_found f = {0};
	int err = 0;

	bi_parse_begin(&ps, bi, BOOT_PROTO_MULTIBOOT2, phys_read, ctx);
	if (!IS_ALIGNED(info_addr, 8))
		return bi_fail(bi, "Multiboot2 information at 0x%lx is not 8-byte aligned",
			       info_addr);
	/* Trust boundary: the header first, then exactly total_size bytes. */
	const uint8_t *hdr = phys_read(ctx, info_addr, 8);
	if (!hdr)
		return bi_fail(bi, "Multiboot2 information header at 0x%lx is unreadable",
			       info_addr);
	uint32_t total = get_le32(hdr);
	if (total < 16 || total > MB2_INFO_MAX)
		return bi_fail(bi, "Multiboot2 total_size %u is out of range (16..%lu)", total,
			       (unsigned long)MB2_INFO_MAX);
	const uint8_t *mbi = phys_read(ctx, info_addr, total);
	if (!mbi)
		return bi_fail(bi, "Multiboot2 information at 0x%lx (%u bytes) is unreadable",
			       info_addr, total);
	bi->raw_addr = info_addr;
	bi->raw_size = total;

	/* Tags start 8-aligned at offset 8; off <= total - 8 keeps each header inside. */
	size_t off = 8;
	bool end = false;
	while (!end && total - off >= 8) {
		uint32_t type = get_le32(mbi + off), size = get_le32(mbi + off + 4);
		if (size < 8)
			return bi_fail(bi, "Multiboot2 tag %u at offset %zu has size %u (< 8)",
				       type, off, size);
		if (size > total - off)
			return bi_fail(
			    bi,
			    "Multiboot2 tag %u at offset %zu runs past the end (size %u, "
			    "%zu bytes left)",
			    type, off, size, total - off);
		end = type == MB2_TAG_END;
		err = end ? 0 : mb2_tag(&ps, &f, mbi + off, type, size);
		if (err)
			return err;
		/* size <= total <= MB2_INFO_MAX: no overflow; past total ends the loop. */
		off += ALIGN_UP((size_t)size, 8);
		if (off > total)
			off = total;
	}
	if (!end)
		return bi_fail(bi, "Multiboot2 information has no end tag");

	if (f.mmap)
		err = mb2_mmap(&ps, f.mmap, f.mmap_size);
	else if (f.efi_mmap)
		err = mb2_efi_mmap(&ps, f.efi_mmap, f.efi_mmap_size, f.efi_boot_services);
	else if (f.meminfo)
		err = mb2_meminfo(&ps, f.meminfo);
	else
		return bi_fail(bi, "Multiboot2 information has no memory map (no tag 6, 17 or 4)");
	return err ? err : bi_parse_finish(&ps);
}
