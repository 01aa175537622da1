/*
 * Multiboot 1 and Multiboot2 header search and decoding; see multiboot.h.
 *
 * Trust boundary: the kernel file is untrusted (fuzzed by
 * tests/fuzz/fuzz_kimage.c). The search never reads past the file or the
 * protocol's search window; Multiboot2 tag sizes are checked against the
 * header length, and the header length against the file, before a tag's
 * fields are read.
 */
#include <string.h>

#include "../err.h"
#include "le.h"
#include "multiboot.h"

#define MB2_TAG_END	    0
#define MB2_TAG_INFO_REQ    1
#define MB2_TAG_ADDRESS	    2
#define MB2_TAG_ENTRY	    3
#define MB2_TAG_CONSOLE	    4
#define MB2_TAG_FRAMEBUFFER 5
#define MB2_TAG_MOD_ALIGN   6
#define MB2_TAG_RELOCATABLE 10
#define MB2_TAG_OPTIONAL    1u

/* The boot information tags orbvm gives (kinfo.c): what a request may ask for. */
static bool mb2_info_given(uint32_t type)
{
	return type == 1 || type == 2 || type == 3 || type == 4 || type == 6 || type == 14 ||
	       type == 15;
}

int mb1_find(const uint8_t *img, size_t len, struct mb_header *h)
{
	size_t end = len < MB1_SEARCH ? len : MB1_SEARCH;
	bool bad_sum = false;
	memset(h, 0, sizeof(*h));
	for (size_t off = 0; off + 12 <= end; off += 4) {
		if (le32(img, off) != MB1_HEADER_MAGIC)
			continue;
		uint32_t flags = le32(img, off + 4);
		if ((uint32_t)(MB1_HEADER_MAGIC + flags + le32(img, off + 8)) != 0) {
			bad_sum = true;
			continue;
		}
		h->offset = (uint32_t)off;
		h->flags = flags;
		uint32_t unknown = flags & 0xffffu & ~(MB1_F_PAGE_ALIGN | MB1_F_MEMINFO);
		if (unknown)
			return err_set(ERR_NOSYS,
				       "Multiboot kernel requires flag bits 0x%x (%s), which "
				       "orbvm does not support",
				       unknown,
				       unknown & MB1_F_VIDEO ? "a video mode" : "unknown features");
		if (flags & MB1_F_AOUT) {
			if (off + 32 > len)
				return err_set(ERR_FORMAT,
					       "Multiboot header at 0x%zx runs past the "
					       "end of the file",
					       off);
			h->has_addrs = h->has_entry = true;
			h->addrs = (struct mb_addrs){le32(img, off + 12), le32(img, off + 16),
						     le32(img, off + 20), le32(img, off + 24)};
			h->entry = le32(img, off + 28);
		}
		return 1;
	}
	if (bad_sum)
		return err_set(ERR_FORMAT, "Multiboot header has a wrong checksum");
	return 0;
}

/* One Multiboot2 header tag (inside the header, size checked by the caller). */
static int mb2_tag(const uint8_t *t, uint32_t type, uint32_t flags, uint32_t size,
		   struct mb_header *h)
{
	bool optional = flags & MB2_TAG_OPTIONAL;
	switch (type) {
	case MB2_TAG_INFO_REQ:
		for (uint32_t i = 8; i + 4 <= size; i += 4)
			if (!optional && !mb2_info_given(le32(t, i)))
				return err_set(ERR_NOSYS,
					       "Multiboot2 kernel requires boot "
					       "information tag %u, which orbvm does not "
					       "give",
					       le32(t, i));
		return 0;
	case MB2_TAG_ADDRESS:
		if (size < 24)
			return err_set(ERR_FORMAT, "Multiboot2 address tag is too short");
		h->has_addrs = true;
		h->addrs = (struct mb_addrs){le32(t, 8), le32(t, 12), le32(t, 16), le32(t, 20)};
		return 0;
	case MB2_TAG_ENTRY:
		if (size < 12)
			return err_set(ERR_FORMAT, "Multiboot2 entry tag is too short");
		h->has_entry = true;
		h->entry = le32(t, 8);
		return 0;
	case MB2_TAG_CONSOLE:
	case MB2_TAG_MOD_ALIGN:
	case MB2_TAG_RELOCATABLE: /* loaded where it asks; modules are page-aligned */
		return 0;
	default:
		if (optional)
			return 0;
		return err_set(ERR_NOSYS,
			       "Multiboot2 kernel requires header tag %u (%s), which "
			       "orbvm does not support",
			       type,
			       type == MB2_TAG_FRAMEBUFFER ? "a framebuffer" : "EFI or unknown");
	}
}

/* The tags of the header at off (length hlen, inside the file). */
static int mb2_tags(const uint8_t *img, size_t off, uint32_t hlen, struct mb_header *h)
{
	for (uint32_t pos = 16; pos + 8 <= hlen;) {
		const uint8_t *t = img + off + pos;
		uint32_t type = (uint32_t)le_get(t, 0, 2), flags = (uint32_t)le_get(t, 2, 2);
		uint32_t size = le32(t, 4);
		if (type == MB2_TAG_END)
			return 0;
		if (size < 8 || size > hlen - pos)
			return err_set(ERR_FORMAT,
				       "Multiboot2 header tag %u at 0x%zx has a bad "
				       "size %u",
				       type, off + pos, size);
		int r = mb2_tag(t, type, flags, size, h);
		if (r < 0)
			return r;
		pos += (size + 7) & ~7u;
	}
	return err_set(ERR_FORMAT, "Multiboot2 header at 0x%zx has no end tag", off);
}

int mb2_find(const uint8_t *img, size_t len, struct mb_header *h)
{
	size_t end = len < MB2_SEARCH ? len : MB2_SEARCH;
	bool bad_sum = false;
	memset(h, 0, sizeof(*h));
	for (size_t off = 0; off + 16 <= end; off += 8) {
		if (le32(img, off) != MB2_HEADER_MAGIC)
			continue;
		uint32_t arch = le32(img, off + 4), hlen = le32(img, off + 8);
		if ((uint32_t)(MB2_HEADER_MAGIC + arch + hlen + le32(img, off + 12)) != 0) {
			bad_sum = true;
			continue;
		}
		if (arch != 0)
			return err_set(ERR_FORMAT,
				       "Multiboot2 kernel is for architecture %u, not "
				       "i386",
				       arch);
		if (hlen < 16 || hlen > len - off)
			return err_set(ERR_FORMAT,
				       "Multiboot2 header at 0x%zx claims %u bytes, "
				       "past the end of the file",
				       off, hlen);
		h->offset = (uint32_t)off;
		int r = mb2_tags(img, off, hlen, h);
		return r < 0 ? r : 1;
	}
	if (bad_sum)
		return err_set(ERR_FORMAT, "Multiboot2 header has a wrong checksum");
	return 0;
}
