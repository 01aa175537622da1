/*
 * The start block a spawner writes into a child: struct orb_start, then the
 * argv array, then the argument strings, laid out for the address the block
 * will have in the child (its pointers are child addresses). Pure logic, so
 * the host tests check it (test_ulib_start.c); spawn.c uses it.
 */
#ifndef ORB_ULIB_START_LAYOUT_H
#define ORB_ULIB_START_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <orb/spawn.h>

#define START_ARGS_MAX 256 /* argv entries accepted */

/* Bytes the block needs for argv (NULL-terminated), or 0 if argv has too many entries. */
size_t start_layout_size(const char *const *argv);

/*
 * Writes the block into buf (8-byte aligned, size bytes), which the child
 * will see at child_addr: *st (magic, handles, stack, caps; argc and argv are
 * filled here) at offset 0, then argv. Returns the bytes used, or -ERR_INVAL
 * if the block does not fit in size.
 */
long start_layout(void *buf, size_t size, uint64_t child_addr, const char *const *argv,
		  const struct orb_start *st);

/*
 * Checks a start block as crt0 finds it at addr (trusted: the spawner is the
 * parent, but a damaged block must not send crt0 astray): the magic, the
 * size, ncaps and argc within bounds, the argv array inside [lo, hi) and
 * 8-byte aligned. Returns true if it can be used.
 */
bool start_valid(const struct orb_start *st, uint64_t lo, uint64_t hi);

#endif
