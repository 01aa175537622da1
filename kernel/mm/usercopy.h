/*
 * Copying to and from user memory: the only way kernel code touches memory a
 * user process names by pointer.
 *
 * Trust boundary: a user pointer is an untrusted number. user_range_ok()
 * checks that [uaddr, uaddr + n) lies inside user space without wrapping; the
 * arch copy then recovers from any fault (unmapped page, read-only page for a
 * write, kernel-only page) and returns -ERR_FAULT instead of crashing. With
 * SMAP on, the kernel cannot touch user pages by accident anywhere else.
 */
#ifndef ORB_MM_USERCOPY_H
#define ORB_MM_USERCOPY_H

#include "lib/types.h"
#include "arch/usercopy.h"
#include <orbital/errors.h>
#include <orbital/proc.h>

static inline bool user_range_ok(uint64_t uaddr, uint64_t n)
{
	return uaddr >= ORB_USER_MIN && uaddr <= ORB_USER_TOP && n <= ORB_USER_TOP - uaddr;
}

/* Copies n bytes from user address usrc; 0 or -ERR_FAULT. */
static inline int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -ERR_FAULT;
	return n ? arch_copy_from_user(dst, (const void *)(uintptr_t)usrc, n) : 0;
}

/* Copies n bytes to user address udst; 0 or -ERR_FAULT. */
static inline int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -ERR_FAULT;
	return n ? arch_copy_to_user((void *)(uintptr_t)udst, src, n) : 0;
}

#endif
