/*
 * bzImage setup-header parser; see bzimage.h.
 *
 * Trust boundary: the whole file is untrusted input (also fuzzed by
 * tests/fuzz/fuzz_bzimage.c). Fields are read with bounds-checked
 * little-endian helpers, never through a struct cast, and every length or
 * count from the header is checked against image_len before use; sums are
 * done in 64 bits so that no header value can overflow them.
 */
#include "../err.h"
#include "bzimage.h"

static uint32_t bz_le(const uint8_t *img, size_t off, unsigned bytes)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint32_t)img[off + i] << (8 * i);
	return v;
}

static uint64_t bz_le64(const uint8_t *img, size_t off)
{
	return bz_le(img, off, 4) | ((uint64_t)bz_le(img, off + 4, 4) << 32);
}

/* The boot protocol signature, the boot flag and a version of at least 2.06. */
static int bz_identify(const uint8_t *img, size_t len, struct bzimage *bz)
{
	if (len < BZ_HDR_END)
		return err_set(ERR_FORMAT, "not a bzImage: file too small (%zu bytes)", len);
	if (bz_le(img, 0x202, 4) != 0x53726448) /* "HdrS" */
		return err_set(ERR_FORMAT, "not a bzImage: no \"HdrS\" boot protocol signature");
	if (bz_le(img, 0x1fe, 2) != 0xaa55)
		return err_set(ERR_FORMAT, "not a bzImage: no 0xAA55 boot flag");
	bz->version = (uint16_t)bz_le(img, 0x206, 2);
	if (bz->version < BZ_MIN_VERSION)
		return err_set(ERR_FORMAT, "kernel boot protocol %u.%02u is too old (need 2.06)",
			       bz->version >> 8, bz->version & 0xff);
	return 0;
}

/* The setup code, the protected-mode code after it and the header: all in the file. */
static int bz_sizes(const uint8_t *img, size_t len, struct bzimage *bz)
{
	unsigned setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	uint64_t setup_size = ((uint64_t)setup_sects + 1) * 512;
	if (setup_size >= len)
		return err_set(ERR_FORMAT,
			       "truncated kernel: setup needs %llu bytes but the file has %zu",
			       (unsigned long long)setup_size, len);
	bz->setup_size = (uint32_t)setup_size;

	uint64_t syssize = bz_le(img, 0x1f4, 4);
	uint64_t pm_avail = len - setup_size;
	if (syssize == 0)
		return err_set(ERR_FORMAT, "bad kernel header: syssize is 0");
	if (syssize * 16 > pm_avail)
		return err_set(
		    ERR_FORMAT,
		    "truncated kernel: header says %llu bytes of kernel code, file has %llu",
		    (unsigned long long)(syssize * 16), (unsigned long long)pm_avail);
	bz->pm_size = (uint32_t)(syssize * 16);

	/* The header ends at 0x202 + the jump offset at 0x201; copy no more than that. */
	uint32_t hdr_end = 0x202u + img[0x201];
	if (hdr_end > BZ_HDR_END)
		hdr_end = BZ_HDR_END;
	bz->hdr_len = hdr_end - BZ_HDR_OFFSET;
	return 0;
}

/* Loaded high, with a 64-bit entry point (protocol 2.12 and XLF_KERNEL_64). */
static int bz_fields(const uint8_t *img, struct bzimage *bz)
{
	bz->loadflags = img[0x211];
	if (!(bz->loadflags & BZ_LOADED_HIGH))
		return err_set(ERR_FORMAT, "kernel is not a bzImage (LOADED_HIGH is clear)");
	bz->initrd_addr_max = bz_le(img, 0x22c, 4);
	bz->kernel_alignment = bz_le(img, 0x230, 4);
	bz->relocatable = img[0x234] != 0;
	bz->cmdline_size = bz_le(img, 0x238, 4);
	if (bz->version < 0x020c)
		return err_set(ERR_FORMAT,
			       "kernel boot protocol %u.%02u has no 64-bit entry point (need 2.12)",
			       bz->version >> 8, bz->version & 0xff);
	bz->xloadflags = (uint16_t)bz_le(img, 0x236, 2);
	if (!(bz->xloadflags & BZ_XLF_KERNEL_64))
		return err_set(ERR_FORMAT,
			       "kernel has no 64-bit entry point (XLF_KERNEL_64 clear)");
	bz->pref_address = bz_le64(img, 0x258);
	bz->init_size = bz_le(img, 0x260, 4);
	return 0;
}

/* Where the kernel may be placed: plausible alignment and addresses. */
static int bz_check_placement(const struct bzimage *bz)
{
	if (bz->relocatable &&
	    (bz->kernel_alignment == 0 || (bz->kernel_alignment & (bz->kernel_alignment - 1))))
		return err_set(ERR_FORMAT, "bad kernel header: kernel_alignment 0x%x",
			       bz->kernel_alignment);
	if (bz->pref_address < 0x100000 || bz->pref_address >= (1ull << 32))
		return err_set(ERR_FORMAT, "bad kernel header: pref_address 0x%llx",
			       (unsigned long long)bz->pref_address);
	if (bz->init_size < bz->pm_size)
		return err_set(ERR_FORMAT,
			       "bad kernel header: init_size %u is below the code size %u",
			       bz->init_size, bz->pm_size);
	if (bz->initrd_addr_max < 0x100000)
		return err_set(ERR_FORMAT, "bad kernel header: initrd_addr_max 0x%x",
			       bz->initrd_addr_max);
	return 0;
}

bool bzimage_signature(const uint8_t *img, size_t len)
{
	return len >= BZ_HDR_END && bz_le(img, 0x202, 4) == 0x53726448; /* "HdrS" */
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *bz)
{
	*bz = (struct bzimage){.image = img, .image_len = len};
	int r;
	if ((r = bz_identify(img, len, bz)) < 0 || (r = bz_sizes(img, len, bz)) < 0 ||
	    (r = bz_fields(img, bz)) < 0)
		return r;
	return bz_check_placement(bz);
}
