/*
 * Copying to and from user memory, the architecture's half: the copy loops
 * that survive a fault. mm/usercopy.h wraps them with the range check every
 * caller needs (copy_from_user, copy_to_user); call those, not these.
 *
 * Trust boundary: usrc/udst have passed user_range_ok() but are otherwise
 * untrusted. A fault on them (unmapped page, read-only page for a write,
 * kernel-only page) ends the copy with -ERR_FAULT instead of a crash, and
 * where the CPU can keep the kernel out of user pages (x86-64: SMAP) only
 * these loops open that door. Implemented by kernel/arch/<arch>/usercopy.S.
 */
#ifndef ORB_ARCH_USERCOPY_H
#define ORB_ARCH_USERCOPY_H

#include "lib/types.h"

/* Each copies n bytes and returns 0, or -ERR_FAULT if a user page faulted
 * (some bytes may have been copied by then). */
int arch_copy_from_user(void *dst, const void *usrc, size_t n);
int arch_copy_to_user(void *udst, const void *src, size_t n);

#endif
