/*
 * The kernel's own symbol table, embedded in the image at build time
 * (tools/gen-ksyms.py writes the .ksyms section), for symbolised backtraces.
 */
#ifndef ORB_DEBUG_KSYMS_H
#define ORB_DEBUG_KSYMS_H

#include "lib/types.h"

/* The function containing addr and addr's offset in it; NULL if none. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

/* Address of the named function, or 0. */
uint64_t ksyms_address(const char *name);

/* Number of symbols in the table. */
size_t ksyms_count(void);

/* Parses a table in the .ksyms format held in table[0..size); used by the
 * kernel on its own table and by tests. Exposed for tests. */
const char *ksyms_lookup_in(const void *table, size_t size, uint64_t addr, uint64_t *offset);

#endif
