/*
 * The x86-64 part of struct cpu (core/cpu.h): descriptor tables, IST stacks,
 * and how a CPU finds its own struct cpu (GS base -> struct cpu, whose first
 * field points to itself, so one `mov %gs:0` gives the pointer).
 */
#ifndef ORB_ARCH_CPU_ARCH_H
#define ORB_ARCH_CPU_ARCH_H

#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define GDT_ENTRIES 8

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
} __attribute__((aligned(16)));

struct arch_cpu {
	struct cpu_tables tables;
	uint64_t kstack_tops[4]; /* IST stacks of application processors (0 unused) */
	uint64_t tsc_at_online;
};

struct cpu;

static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
