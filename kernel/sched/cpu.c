/*
 * The per-CPU blocks and their numbering (see cpu.h).
 *
 * The boot CPU's block is the only one in the kernel image: the architecture
 * points the CPU at it (arch_console_init) before any allocator works. The
 * others come from the heap, one per CPU the firmware lists, allocated by the
 * architecture's start of the other CPUs (arch_start_cpus) once their number
 * is known and before each starts: a machine with one CPU carries one block,
 * not MAX_CPUS of them. A block holds the CPU's run queue, its sleep list and
 * the architecture's per-CPU state (on x86: GDT, TSS and I/O bitmap), so each
 * is a few pages.
 *
 * Invariants: cpu_list[i]->id == i and cpu_list[i]->self == cpu_list[i] for
 * i < ncpus; cpu_list[0] is the boot CPU's. Only the boot CPU changes
 * cpu_list and ncpus, during start-up (one CPU at a time); every other reader
 * reads ncpus first and only the entries below it, which are set before
 * ncpus counts them (release) and never change afterwards, except when the
 * CPU being started does not answer and the next one takes its number
 * (cpu_unpublish). Blocks are never freed.
 */
#include "sched/cpu.h"
#include "mm/heap.h"
#include "debug/panic.h"

static struct cpu cpu_boot;

struct cpu *cpu_list[MAX_CPUS] = {&cpu_boot};
unsigned ncpus = 1;
unsigned ncpus_online;

struct cpu *cpu_alloc(uint32_t hw_id)
{
	struct cpu *c = kzalloc(sizeof(*c));
	if (!c)
		return NULL;
	c->self = c;
	c->hw_id = hw_id;
	return c;
}

void cpu_publish(struct cpu *c)
{
	unsigned id = ncpus;
	KASSERT(id < MAX_CPUS);
	c->id = id;
	__atomic_store_n(&cpu_list[id], c, __ATOMIC_RELEASE);
	__atomic_store_n(&ncpus, id + 1, __ATOMIC_RELEASE);
}

void cpu_unpublish(struct cpu *c)
{
	/* Readers that counted c still find an offline block at its number. */
	__atomic_store_n(&ncpus, c->id, __ATOMIC_RELEASE);
}
