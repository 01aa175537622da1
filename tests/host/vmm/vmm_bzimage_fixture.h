/*
 * A synthetic bzImage for orbvm's unit tests: a header shaped like Linux
 * 6.1's (protocol 2.15, 64-bit entry, relocatable, 16 MiB pref_address),
 * followed by setup and protected-mode bytes of the sizes the header claims.
 * Tests then break one field at a time.
 */
#ifndef VMM_BZIMAGE_FIXTURE_H
#define VMM_BZIMAGE_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fixture_opts {
	uint8_t setup_sects;
	uint32_t syssize;
	uint32_t init_size;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
};

static inline void fx_put(uint8_t *img, size_t off, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* Returns a malloc'd image and its length. */
static inline uint8_t *fixture_bzimage(const struct fixture_opts *o, size_t *len)
{
	unsigned sects = o->setup_sects ? o->setup_sects : 4;
	size_t setup = ((size_t)sects + 1) * 512;
	*len = setup + (size_t)o->syssize * 16;
	uint8_t *img = calloc(1, *len);
	img[0x1f1] = o->setup_sects;
	fx_put(img, 0x1f4, o->syssize, 4);
	fx_put(img, 0x1fe, 0xaa55, 2);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	fx_put(img, 0x206, 0x020f, 2);
	img[0x211] = 0x01; /* LOADED_HIGH */
	fx_put(img, 0x22c, o->initrd_addr_max, 4);
	fx_put(img, 0x230, 0x200000, 4);
	img[0x234] = 1;
	fx_put(img, 0x236, 0x7f, 2); /* XLF_KERNEL_64 and friends */
	fx_put(img, 0x238, o->cmdline_size, 4);
	fx_put(img, 0x258, 0x1000000, 8);
	fx_put(img, 0x260, o->init_size, 4);
	for (size_t i = setup; i < *len; i++)
		img[i] = (uint8_t)(i * 7);
	return img;
}

static inline struct fixture_opts fixture_default(void)
{
	return (struct fixture_opts){.setup_sects = 27,
				     .syssize = 0x8000,	     /* 512 KiB of code */
				     .init_size = 0x2000000, /* 32 MiB */
				     .initrd_addr_max = 0x7fffffff,
				     .cmdline_size = 2047};
}

#endif
