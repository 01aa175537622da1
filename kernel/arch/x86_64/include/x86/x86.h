/*
 * x86-64 registers and instructions for arch code: control registers, MSRs,
 * CPUID, descriptor-table loads, TLB invalidation. Only code under
 * kernel/arch/x86_64 (and the in-kernel tests of x86-64 behaviour) includes
 * this; portable code never does.
 */
#ifndef ORB_X86_X86_H
#define ORB_X86_X86_H

#include <stdint.h>
#include <stdbool.h>

#define CR0_WP	   (1ull << 16)
#define CR4_PGE	   (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define CR4_UMIP   (1ull << 11)
#define CR4_SMEP   (1ull << 20)
#define CR4_SMAP   (1ull << 21)

#define MSR_EFER	   0xc0000080
#define MSR_FS_BASE	   0xc0000100
#define MSR_GS_BASE	   0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define EFER_NXE	   (1ull << 11)

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}
static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}
static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}
static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			 uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static inline uint64_t read_rbp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* CPU features the kernel cares about, filled by cpu_detect_features(). */
struct cpu_features {
	bool nx, pge, pdpe1gb, smep, smap, umip, xsave, fxsr, apic, x2apic, tsc_deadline,
	    invariant_tsc;
	char vendor[13];
	char brand[49];
};
extern struct cpu_features cpu_features;
void cpu_detect_features(void);

#endif
