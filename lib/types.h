/*
 * Basic kernel types.
 *
 * Every kernel source includes this first. It pulls in the freestanding C
 * headers (fixed-width integers, size_t, bool) and adds the few scalar types
 * the kernel uses everywhere: physical and virtual addresses. Portable code
 * uses only what is here; nothing in this file is x86-specific.
 */
#ifndef ORB_LIB_TYPES_H
#define ORB_LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdnoreturn.h>

#include <orbital/errors.h>

typedef uint64_t paddr_t; /* a physical address */
typedef uint64_t vaddr_t; /* a virtual address */

#define PAGE_SHIFT	 12
#define PAGE_SIZE	 ((size_t)1 << PAGE_SHIFT)
#define LARGE_PAGE_SHIFT 21
#define LARGE_PAGE_SIZE	 ((size_t)1 << LARGE_PAGE_SHIFT)

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)	 ALIGN_DOWN((x) + ((__typeof__(x))(a)-1), (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define __unused       __attribute__((unused))
#define __packed       __attribute__((packed))
#define __aligned(x)   __attribute__((aligned(x)))
#define __section(s)   __attribute__((section(s)))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)

#endif
