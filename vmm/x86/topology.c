/*
 * CPUID topology leaves for N vCPUs; see topology.h.
 *
 * Trust boundary: the table comes from KVM_GET_SUPPORTED_CPUID (the host
 * kernel); its entry count was bounded by the caller, and the rebuilt 0xB
 * and 0x1F subleaves are checked against the buffer's capacity.
 */
#include <stdint.h>
#include <string.h>

#include "../err.h"
#include "topology.h"

#define CPUID_1_EDX_HTT		(1u << 28)
#define CPUID_80000001_ECX_CMPL (1u << 1)
#define TOPO_LEVEL_SMT		1u
#define TOPO_LEVEL_CORE		2u
#define TOPO_SUBLEAVES		3u

unsigned cpu_topo_core_bits(unsigned ncpus)
{
	unsigned bits = 0;
	while ((1u << bits) < ncpus)
		bits++;
	return bits;
}

bool cpu_topo_is_amd(const struct kvm_cpuid2 *c)
{
	for (unsigned i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function != 0)
			continue;
		/* "AuthenticAMD" / "HygonGenuine": EBX holds the first four bytes. */
		return !memcmp(&e->ebx, "Auth", 4) || !memcmp(&e->ebx, "Hygo", 4);
	}
	return false;
}

/* Subleaf `index` of 0xB or 0x1F (extended topology enumeration). */
static void cpu_topo_ext_leaf(struct kvm_cpuid_entry2 *e, const struct cpu_topo *t)
{
	e->edx = cpu_topo_apic_id(t->index);
	if (e->index == 0) {
		e->eax = 0; /* shift to the next level: one thread per core */
		e->ebx = 1;
		e->ecx = TOPO_LEVEL_SMT << 8;
	} else if (e->index == 1) {
		e->eax = cpu_topo_core_bits(t->ncpus);
		e->ebx = t->ncpus;
		e->ecx = (TOPO_LEVEL_CORE << 8) | 1;
	} else {
		e->eax = e->ebx = 0;
		e->ecx = e->index & 0xff; /* level type 0: no more levels */
	}
}

void cpu_topo_adjust_entry(struct kvm_cpuid_entry2 *e, const struct cpu_topo *t)
{
	unsigned bits = cpu_topo_core_bits(t->ncpus);
	unsigned apic = cpu_topo_apic_id(t->index);
	switch (e->function) {
	case 0x1:
		e->ebx = (e->ebx & 0x0000ffffu) | (apic << 24) | ((1u << bits) << 16);
		if (t->ncpus > 1)
			e->edx |= CPUID_1_EDX_HTT;
		else
			e->edx &= ~CPUID_1_EDX_HTT;
		break;
	case 0x4:
		/* Each cache private to its core; (1 << bits) - 1 core IDs - 1. */
		if (e->eax & 0x1f)
			e->eax = (e->eax & 0x3fffu) | (((1u << bits) - 1) << 26);
		else
			e->eax &= 0x3fffu; /* the "no more caches" entry */
		break;
	case 0xb:
	case 0x1f:
		cpu_topo_ext_leaf(e, t);
		break;
	case 0x80000001:
		if (t->amd && t->ncpus > 1)
			e->ecx |= CPUID_80000001_ECX_CMPL;
		else
			e->ecx &= ~CPUID_80000001_ECX_CMPL;
		break;
	case 0x80000008:
		e->ecx = (e->ecx & ~0xf0ffu) | (bits << 12) | ((t->ncpus - 1) & 0xff);
		break;
	case 0x8000001e:
		if (!t->amd)
			break;
		e->eax = apic;
		e->ebx = (e->ebx & ~0xffffu) | (t->index & 0xff); /* one thread per core */
		e->ecx &= ~0x7ffu;				  /* node 0 of 1 */
		break;
	default:
		break;
	}
}

/* Drops every subleaf of `leaf` and appends TOPO_SUBLEAVES new ones. */
static int cpu_topo_rebuild(struct kvm_cpuid2 *c, unsigned cap, uint32_t leaf,
			    const struct cpu_topo *t)
{
	unsigned n = 0;
	uint32_t flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	for (unsigned i = 0; i < c->nent; i++) {
		if (c->entries[i].function == leaf)
			continue;
		c->entries[n++] = c->entries[i];
	}
	if (n + TOPO_SUBLEAVES > cap)
		return err_set(ERR_NOSPACE, "no room for CPUID leaf 0x%x", leaf);
	for (unsigned s = 0; s < TOPO_SUBLEAVES; s++) {
		struct kvm_cpuid_entry2 *e = &c->entries[n++];
		memset(e, 0, sizeof(*e));
		e->function = leaf;
		e->index = s;
		e->flags = flags;
		cpu_topo_ext_leaf(e, t);
	}
	c->nent = n;
	return 0;
}

int cpu_topo_apply(struct kvm_cpuid2 *c, unsigned cap, const struct cpu_topo *t)
{
	bool has_1f = false;
	int r;
	for (unsigned i = 0; i < c->nent; i++) {
		cpu_topo_adjust_entry(&c->entries[i], t);
		has_1f |= c->entries[i].function == 0x1f;
	}
	if ((r = cpu_topo_rebuild(c, cap, 0xb, t)) < 0)
		return r;
	if (has_1f && (r = cpu_topo_rebuild(c, cap, 0x1f, t)) < 0)
		return r;
	return 0;
}
