/*
 * Little-endian loads from byte buffers at any alignment: firmware tables,
 * boot-loader structures, font and ELF files. memcpy keeps them free of
 * alignment and aliasing assumptions (the compiler turns it into one load).
 * Every target Orbital builds for is little-endian; a big-endian port would
 * swap bytes here, and only here.
 */
#ifndef ORB_LIB_UNALIGNED_H
#define ORB_LIB_UNALIGNED_H

#include "lib/types.h"
#include "lib/string.h"

static inline uint16_t get_le16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

#endif
