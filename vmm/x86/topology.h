/*
 * The CPU topology orbvm shows a guest with N vCPUs, and the CPUID leaves
 * that describe it.
 *
 * The shape is fixed: one package, one die, N cores, one thread per core,
 * and vCPU i has (x2)APIC ID i (cpu_topo_apic_id). The MADT (acpi/) lists the
 * same IDs, so what CPUID reports on a vCPU and what the firmware tables
 * list always agree. The core field of the APIC ID is cpu_topo_core_bits(N)
 * wide: the smallest width that holds N - 1.
 *
 * Leaves rewritten (Intel SDM vol. 2 "CPUID"; AMD APM vol. 3 appendix E):
 *   0x1        EBX[31:24] initial APIC ID, EBX[23:16] addressable logical
 *              processor IDs (1 << core bits), EDX[28] HTT when N > 1
 *   0x4        EAX[31:26] addressable core IDs - 1; caches private to a core
 *   0xB, 0x1F  level 0 SMT (shift 0, 1 thread), level 1 core (shift core
 *              bits, N), level 2 invalid; EDX the x2APIC ID on every subleaf
 *   0x80000001 ECX[1] CmpLegacy when AMD and N > 1 (cores, not threads)
 *   0x80000008 ECX[7:0] NC = N - 1, ECX[15:12] ApicIdCoreIdSize = core bits
 *   0x8000001E (AMD only) EAX extended APIC ID, EBX[7:0] core ID, one thread
 *              per core, one node
 * Everything here is pure (tests call it); cpu_setup.c installs the result.
 */
#ifndef ORBVM_X86_TOPOLOGY_H
#define ORBVM_X86_TOPOLOGY_H

#include <linux/kvm.h>
#include <stdbool.h>

#define CPU_TOPO_MAX_CPUS 64 /* xAPIC IDs 0..63 fit the MADT's 8-bit field */

struct cpu_topo {
	unsigned index; /* this vCPU, 0 .. ncpus - 1 */
	unsigned ncpus;
	bool amd; /* the host (and so KVM's CPUID) is AMD or Hygon */
};

/* The APIC ID of vCPU index: the index itself. */
static inline unsigned cpu_topo_apic_id(unsigned index)
{
	return index;
}

/* Bits of the APIC ID that number the cores: ceil(log2(ncpus)). */
unsigned cpu_topo_core_bits(unsigned ncpus);

/* Whether KVM's CPUID table names an AMD (or Hygon) processor in leaf 0. */
bool cpu_topo_is_amd(const struct kvm_cpuid2 *c);

/* Rewrites the topology fields of one entry (leaves 0x1, 0x4, 0x80000001,
 * 0x80000008, 0x8000001E); other leaves are left alone. */
void cpu_topo_adjust_entry(struct kvm_cpuid_entry2 *e, const struct cpu_topo *t);

/*
 * Adjusts every entry of c and replaces its 0xB subleaves (and 0x1F's when
 * c has that leaf) with the three described above. c has room for cap
 * entries. Returns 0, or -ERR_NOSPACE when the new subleaves do not fit.
 */
int cpu_topo_apply(struct kvm_cpuid2 *c, unsigned cap, const struct cpu_topo *t);

#endif
