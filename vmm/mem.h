/*
 * Guest physical memory: its layout and the one bounds-checked way to reach
 * it from orbvm.
 *
 * RAM of size R is one host mapping. Its first min(R, 3 GiB) bytes appear at
 * guest physical 0 ("low RAM"); the rest appears at 4 GiB ("high RAM"), so
 * that 3 GiB..4 GiB stays free for MMIO (I/O APIC at 0xFEC00000, local APIC
 * at 0xFEE00000, later virtio-mmio windows). Each part is one KVM memory slot.
 *
 * Invariant: mem_ptr() returns a host pointer only when the whole range
 * [gpa, gpa+len) lies inside one RAM part; every access to guest memory from
 * orbvm goes through it (or mem_write), which is where the bounds check is.
 */
#ifndef ORBVM_MEM_H
#define ORBVM_MEM_H

#include <stdint.h>

#define MEM_HOLE_START 0xC0000000ull  /* start of the 32-bit MMIO hole */
#define MEM_HIGH_START 0x100000000ull /* RAM above the hole starts here */

struct guest_mem {
	uint8_t *host;	  /* host mapping of all RAM (low part, then high part) */
	uint64_t size;	  /* total RAM in bytes */
	uint64_t lo_size; /* RAM at guest physical 0 */
	uint64_t hi_size; /* RAM at MEM_HIGH_START */
};

/* Splits ram bytes into the low and high parts (no allocation). */
void mem_layout(uint64_t ram, uint64_t *lo_size, uint64_t *hi_size);

/*
 * Maps `size` bytes of anonymous host memory and fills in m. Returns 0 or
 * -ERR_NOMEM (message set).
 */
int mem_alloc(struct guest_mem *m, uint64_t size);
void mem_free(struct guest_mem *m);

/* Host pointer for [gpa, gpa+len) or NULL if any byte is outside RAM. */
void *mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Copies into guest memory; -ERR_FAULT (message set) if out of RAM. */
int mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);

#endif
