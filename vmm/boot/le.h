/*
 * Little-endian field access in untrusted byte buffers (kernel files, boot
 * information being built). The readers take an offset the caller has
 * already checked against the buffer length; they never cast a buffer to a
 * struct, so alignment and padding never matter.
 */
#ifndef ORBVM_LE_H
#define ORBVM_LE_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t le_get(const uint8_t *p, size_t off, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[off + i] << (8 * i);
	return v;
}

static inline uint32_t le32(const uint8_t *p, size_t off)
{
	return (uint32_t)le_get(p, off, 4);
}

static inline uint64_t le64(const uint8_t *p, size_t off)
{
	return le_get(p, off, 8);
}

static inline void le_put(uint8_t *p, size_t off, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

#endif
