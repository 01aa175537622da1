/*
 * Parsing and validation of a Linux bzImage (the x86 boot protocol's setup
 * header).
 *
 * bzimage_parse() reads only the bytes it was given and checks: the 0xAA55
 * boot flag and "HdrS" magic, protocol version >= 2.06, setup_sects (0 means
 * 4), that the setup and the protected-mode part (syssize paragraphs) lie
 * inside the file, LOADED_HIGH, the 64-bit entry (XLF_KERNEL_64, protocol
 * 2.12+), a power-of-two kernel_alignment, a pref_address at or above 1 MiB
 * and an init_size covering the loaded code. Nothing here trusts a size from
 * the header before comparing it with the file length. Protocol 2.14 is not
 * treated specially.
 */
#ifndef ORBVM_BZIMAGE_H
#define ORBVM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BZ_HDR_OFFSET	 0x1f1u /* the setup header starts here */
#define BZ_HDR_END	 0x26cu /* end of struct setup_header (protocol 2.15) */
#define BZ_MIN_VERSION	 0x0206u
#define BZ_64BIT_ENTRY	 0x200u /* the 64-bit entry is load address + 0x200 */
#define BZ_LOADED_HIGH	 0x01u
#define BZ_CAN_USE_HEAP	 0x80u
#define BZ_XLF_KERNEL_64 0x01u

struct bzimage {
	const uint8_t *image; /* the whole file (not owned) */
	size_t image_len;
	uint16_t version;    /* 0x020f for 2.15 */
	uint32_t setup_size; /* bytes of boot sector + setup code */
	uint32_t pm_size;    /* bytes of protected-mode code to load */
	uint32_t hdr_len;    /* bytes of setup header to copy from BZ_HDR_OFFSET */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t initrd_addr_max; /* highest byte address the initrd may use */
	uint32_t cmdline_size;	  /* max command line length, without the NUL */
	uint32_t kernel_alignment;
	bool relocatable;
	uint64_t pref_address;
	uint32_t init_size; /* memory the kernel needs from its load address */
};

/* True if the file carries the boot protocol's "HdrS" signature (then it is
 * judged as a bzImage, not as an ELF or Multiboot kernel). */
bool bzimage_signature(const uint8_t *image, size_t len);

/* Returns 0, or -ERR_FORMAT with a message naming the problem. */
int bzimage_parse(const uint8_t *image, size_t len, struct bzimage *bz);

/* The protected-mode code (pm_size bytes) inside the image. */
static inline const uint8_t *bzimage_pm_code(const struct bzimage *bz)
{
	return bz->image + bz->setup_size;
}

#endif
