/*
 * x86-64's half of arch/percpu.h: the x86-64 parts of struct cpu
 * (sched/cpu.h) and how a CPU finds its own struct cpu. The GS base points at
 * the CPU's struct cpu, whose first field points to itself, so one
 * `mov %gs:0` gives the pointer. Only arch/percpu.h and arch code include
 * this.
 *
 * struct arch_cpu_fixed sits right after that self pointer: assembly reaches
 * its fields through GS at fixed offsets (probe.S: 8, 16, 24;
 * syscall_entry.S: 32, 40, 48, 56), which trap.c and syscall.c check at
 * compile time.
 * struct arch_cpu (descriptor tables, IST stacks, the I/O bitmap) is the last
 * field of struct cpu. A struct cpu is about 11 KiB, most of it the I/O
 * bitmap, and exists only for the CPUs that exist (sched/cpu.c).
 */
#ifndef ORB_MACHINE_PERCPU_H
#define ORB_MACHINE_PERCPU_H

#include <stdint.h>

struct arch_cpu_fixed {
	/* the recovery point of a probe on this CPU (probe.S, trap.c) */
	uint64_t probe_rip, probe_rsp, probe_active;
	uint64_t syscall_rsp; /* this CPU: top of the current thread's kernel stack */
	uint64_t user_rsp;    /* this CPU: scratch for the user RSP during syscall entry */
	/* For the IPC fast path's switch (syscall_entry.S), set once by
	 * syscall_init_cpu: where this CPU's TSS keeps rsp0, and the id of
	 * the I/O bitmap loaded here (struct arch_cpu's iobm_loaded). */
	void *tss_rsp0;
	const uint64_t *iobm_loaded;
};

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

#define IOBM_BYTES 8192 /* one bit per port, 65536 ports */

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES];
	struct tss tss;
	/* The I/O permission bitmap, right after the TSS (tss.iomap_base points
	 * here): bit clear = the running process may use that port. The extra
	 * last byte stays 0xff, as the CPU requires. See ioperm.c. */
	uint8_t iobm[IOBM_BYTES + 1];
} __attribute__((aligned(16)));

struct arch_cpu {
	struct cpu_tables tables;
	uint64_t kstack_tops[4]; /* tops of the IST stacks 1..3 (0 unused) */
	uint64_t tsc_at_online;
	uint64_t iobm_loaded; /* id of the process bitmap in tables.iobm (0: none) */
	uint32_t iobm_dirty;  /* bytes of tables.iobm that may differ from 0xff */
};

struct cpu;

/* Reads the 64-bit field at `offset` of the running CPU's struct cpu in ONE
 * instruction, so a migration cannot fall between finding the CPU and reading
 * it (the field of the CPU the thread is on at that instruction). */
static inline uint64_t arch_this_cpu_read64(unsigned long offset)
{
	uint64_t v;
	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"(offset));
	return v;
}

static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
