/*
 * Synthetic kernels for orbvm's PVH and Multiboot loader tests: an ELF32 or
 * ELF64 executable with up to four PT_LOADs (data from file offset 0x1000),
 * an optional PT_NOTE holding a PVH note, and room for a Multiboot header.
 * Tests build a valid one and then break one field at a time.
 */
#ifndef VMM_KIMAGE_FIXTURE_H
#define VMM_KIMAGE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define FX_LEN	    0x4000
#define FX_NOTE_OFF 0x800

struct fx_load {
	uint64_t paddr, vaddr, filesz, memsz;
};

static inline void fx_le(uint8_t *p, size_t off, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

/* Offset of program header i. */
static inline size_t fx_phdr(bool is64, unsigned i)
{
	return is64 ? 64 + 56 * (size_t)i : 52 + 32 * (size_t)i;
}

/* An ELF of FX_LEN bytes into img; with pvh_entry != 0 a PVH note (4-byte desc). */
static inline void fx_elf(uint8_t *img, bool is64, const struct fx_load *loads, unsigned n,
			  uint64_t entry, uint32_t pvh_entry)
{
	memset(img, 0, FX_LEN);
	memcpy(img,
	       "\x7f"
	       "ELF",
	       4);
	img[4] = is64 ? 2 : 1;
	img[5] = img[6] = 1;
	fx_le(img, 16, 2, 2);		  /* EXEC */
	fx_le(img, 18, is64 ? 62 : 3, 2); /* x86-64 / i386 */
	unsigned nph = n + (pvh_entry ? 1 : 0);
	if (is64) {
		fx_le(img, 24, entry, 8);
		fx_le(img, 32, 64, 8);
		fx_le(img, 54, 56, 2);
		fx_le(img, 56, nph, 2);
	} else {
		fx_le(img, 24, entry, 4);
		fx_le(img, 28, 52, 4);
		fx_le(img, 42, 32, 2);
		fx_le(img, 44, nph, 2);
	}
	for (unsigned i = 0; i < nph; i++) {
		size_t p = fx_phdr(is64, i);
		bool note = i == n;
		uint64_t off = note ? FX_NOTE_OFF : 0x1000, fsz = note ? 20 : loads[i].filesz;
		uint64_t msz = note ? 20 : loads[i].memsz, pa = note ? 0 : loads[i].paddr;
		uint64_t va = note ? 0 : loads[i].vaddr;
		fx_le(img, p, note ? 4 : 1, 4);
		if (is64) {
			fx_le(img, p + 8, off, 8);
			fx_le(img, p + 16, va, 8);
			fx_le(img, p + 24, pa, 8);
			fx_le(img, p + 32, fsz, 8);
			fx_le(img, p + 40, msz, 8);
		} else {
			fx_le(img, p + 4, off, 4);
			fx_le(img, p + 8, va, 4);
			fx_le(img, p + 12, pa, 4);
			fx_le(img, p + 16, fsz, 4);
			fx_le(img, p + 20, msz, 4);
		}
	}
	if (pvh_entry) {
		fx_le(img, FX_NOTE_OFF, 4, 4);
		fx_le(img, FX_NOTE_OFF + 4, 4, 4);
		fx_le(img, FX_NOTE_OFF + 8, 18, 4);
		memcpy(img + FX_NOTE_OFF + 12, "Xen", 4);
		fx_le(img, FX_NOTE_OFF + 16, pvh_entry, 4);
	}
}

/* A Multiboot 1 header at off with flags and (for bit 16) the address fields. */
static inline void fx_mb1(uint8_t *img, size_t off, uint32_t flags, const uint32_t addrs[5])
{
	fx_le(img, off, 0x1badb002, 4);
	fx_le(img, off + 4, flags, 4);
	fx_le(img, off + 8, (uint32_t) - (0x1badb002u + flags), 4);
	for (unsigned i = 0; addrs && i < 5; i++)
		fx_le(img, off + 12 + 4 * i, addrs[i], 4);
}

/* A Multiboot2 header at off: the fixed part, `tags` (tlen bytes, 8-aligned), end tag. */
static inline void fx_mb2(uint8_t *img, size_t off, const uint8_t *tags, uint32_t tlen)
{
	uint32_t len = 16 + tlen + 8;
	fx_le(img, off, 0xe85250d6, 4);
	fx_le(img, off + 4, 0, 4);
	fx_le(img, off + 8, len, 4);
	fx_le(img, off + 12, (uint32_t) - (0xe85250d6u + len), 4);
	memcpy(img + off + 16, tags, tlen);
	memset(img + off + 16 + tlen, 0, 8);
	fx_le(img, off + 16 + tlen + 4, 8, 4);
}

#endif
