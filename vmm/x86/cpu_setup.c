/*
 * x86 vCPU state for the Linux 64-bit entry; see cpu_setup.h.
 *
 * Trust boundary: the CPUID table comes from the host kernel
 * (KVM_GET_SUPPORTED_CPUID); its entry count is bounded by the buffer we
 * pass and is re-checked before use. Nothing here reads guest memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../boot/layout.h"
#include "../err.h"
#include "cpu_setup.h"
#include "topology.h"

#define PTE_P  0x001ull
#define PTE_RW 0x002ull
#define PTE_PS 0x080ull

#define CR0_PE	 0x00000001ull
#define CR0_MP	 0x00000002ull
#define CR0_ET	 0x00000010ull
#define CR0_NE	 0x00000020ull
#define CR0_PG	 0x80000000ull
#define CR4_PAE	 0x00000020ull
#define EFER_LME 0x00000100ull
#define EFER_LMA 0x00000400ull

#define MSR_IA32_SYSENTER_CS	0x174
#define MSR_IA32_SYSENTER_ESP	0x175
#define MSR_IA32_SYSENTER_EIP	0x176
#define MSR_IA32_MISC_ENABLE	0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_IA32_TSC		0x10
#define MISC_ENABLE_FAST_STRING 0x1ull
#define MTRR_DEF_ENABLE		(1ull << 11)
#define MTRR_TYPE_WB		6ull

#define CPU_SETUP_CPUID_SPARE 8

#define APIC_LVT0	 0x350
#define APIC_LVT1	 0x360
#define APIC_MODE_NMI	 0x4
#define APIC_MODE_EXTINT 0x7

int cpu_setup_page_tables(struct guest_mem *m)
{
	uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];
	int r;
	pml4[0] = BOOT_PDPT_ADDR | PTE_P | PTE_RW;
	for (unsigned g = 0; g < 4; g++) {
		pdpt[g] = (BOOT_PD_ADDR + g * 0x1000ull) | PTE_P | PTE_RW;
		for (unsigned i = 0; i < 512; i++)
			pd[i] =
			    (((uint64_t)g << 30) + ((uint64_t)i << 21)) | PTE_P | PTE_RW | PTE_PS;
		if ((r = mem_write(m, BOOT_PD_ADDR + g * 0x1000ull, pd, sizeof(pd))) < 0)
			return r;
	}
	if ((r = mem_write(m, BOOT_PML4_ADDR, pml4, sizeof(pml4))) < 0)
		return r;
	return mem_write(m, BOOT_PDPT_ADDR, pdpt, sizeof(pdpt));
}

int cpu_setup_gdt(struct guest_mem *m)
{
	const uint64_t gdt[4] = {
	    0, 0, 0x00af9b000000ffffull, /* 0x10: 64-bit code, present, DPL 0 */
	    0x00cf93000000ffffull,	 /* 0x18: flat data */
	};
	return mem_write(m, BOOT_GDT_ADDR, gdt, sizeof(gdt));
}

int cpu_setup_gdt32(const struct guest_mem *m)
{
	const uint64_t gdt[4] = {
	    0, 0, 0x00cf9b000000ffffull, /* 0x10: flat 32-bit code, present, DPL 0 */
	    0x00cf93000000ffffull,	 /* 0x18: flat data */
	};
	return mem_write(m, BOOT_GDT_ADDR, gdt, sizeof(gdt));
}

static struct kvm_segment cpu_seg(uint16_t sel, uint8_t type, uint8_t l, uint8_t db)
{
	return (struct kvm_segment){.base = 0,
				    .limit = 0xffffffff,
				    .selector = sel,
				    .type = type,
				    .present = 1,
				    .dpl = 0,
				    .db = db,
				    .s = 1,
				    .l = l,
				    .g = 1};
}

void cpu_setup_long_mode_sregs(struct kvm_sregs *s)
{
	s->cs = cpu_seg(BOOT_CS, 0xb, 1, 0);
	s->ds = s->es = s->fs = s->gs = s->ss = cpu_seg(BOOT_DS, 0x3, 0, 1);
	s->tr = (struct kvm_segment){
	    .base = 0, .limit = 0xffff, .selector = 0, .type = 0xb, .present = 1, .s = 0};
	s->ldt = (struct kvm_segment){.type = 0x2, .present = 1, .limit = 0xffff, .s = 0};
	s->gdt.base = BOOT_GDT_ADDR;
	s->gdt.limit = 4 * 8 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	s->cr3 = BOOT_PML4_ADDR;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

void cpu_setup_protected_mode_sregs(struct kvm_sregs *s)
{
	s->cs = cpu_seg(BOOT_CS, 0xb, 0, 1);
	s->ds = s->es = s->fs = s->gs = s->ss = cpu_seg(BOOT_DS, 0x3, 0, 1);
	/* A busy 32-bit TSS in TR, as the PVH entry state asks (base 0, limit 0x67). */
	s->tr = (struct kvm_segment){
	    .base = 0, .limit = 0x67, .selector = 0, .type = 0xb, .present = 1, .s = 0};
	s->ldt = (struct kvm_segment){.type = 0x2, .present = 1, .limit = 0xffff, .s = 0};
	s->gdt.base = BOOT_GDT_ADDR;
	s->gdt.limit = 4 * 8 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cr0 = CR0_PE | CR0_ET;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
}

void cpu_setup_adjust_cpuid_entry(struct kvm_cpuid_entry2 *e)
{
	switch (e->function) {
	case 0x1:
		e->ecx |= 1u << 31; /* running on a hypervisor */
		break;
	case 0x40000000:
		e->eax = e->eax > 0x40000001 ? e->eax : 0x40000001;
		memcpy(&e->ebx, "KVMK", 4);
		memcpy(&e->ecx, "VMKV", 4);
		memcpy(&e->edx, "M\0\0\0", 4);
		break;
	default:
		break;
	}
	cpu_topo_adjust_entry(e, &(struct cpu_topo){.index = 0, .ncpus = 1});
}

int cpu_setup_cpuid(int kvm_fd, int vcpu_fd, unsigned index, unsigned ncpus)
{
	unsigned nent = 128;
	struct kvm_cpuid2 *c = NULL;
	for (;;) {
		free(c);
		/* CPU_SETUP_CPUID_SPARE more: room for the rebuilt 0xB and 0x1F. */
		c = calloc(1, sizeof(*c) + (nent + CPU_SETUP_CPUID_SPARE) * sizeof(c->entries[0]));
		if (!c)
			return err_set(ERR_NOMEM, "out of memory for CPUID");
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			break;
		if (errno != E2BIG || nent >= 4096) {
			int e = errno;
			free(c);
			return err_set(ERR_NOSYS, "KVM_GET_SUPPORTED_CPUID: %s", strerror(e));
		}
		nent *= 2;
	}
	if (c->nent > nent)
		c->nent = nent;
	for (unsigned i = 0; i < c->nent; i++)
		cpu_setup_adjust_cpuid_entry(&c->entries[i]);
	struct cpu_topo t = {.index = index, .ncpus = ncpus, .amd = cpu_topo_is_amd(c)};
	int r = cpu_topo_apply(c, nent + CPU_SETUP_CPUID_SPARE, &t);
	if (r == 0 && ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		r = err_set(ERR_NOSYS, "KVM_SET_CPUID2: %s", strerror(errno));
	free(c);
	return r;
}

int cpu_setup_msrs(int vcpu_fd)
{
	static const struct {
		uint32_t index;
		uint64_t data;
	} want[] = {
	    {MSR_IA32_SYSENTER_CS, 0},
	    {MSR_IA32_SYSENTER_ESP, 0},
	    {MSR_IA32_SYSENTER_EIP, 0},
	    {MSR_STAR, 0},
	    {MSR_LSTAR, 0},
	    {MSR_CSTAR, 0},
	    {MSR_SYSCALL_MASK, 0},
	    {MSR_KERNEL_GS_BASE, 0},
	    {MSR_IA32_TSC, 0},
	    {MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING},
	    {MSR_MTRR_DEF_TYPE, MTRR_DEF_ENABLE | MTRR_TYPE_WB},
	};
	enum { N = sizeof(want) / sizeof(want[0]) };
	_Alignas(struct kvm_msrs)
	    uint8_t buf[sizeof(struct kvm_msrs) + N * sizeof(struct kvm_msr_entry)];
	memset(buf, 0, sizeof(buf));
	struct kvm_msrs *m = (struct kvm_msrs *)buf;
	m->nmsrs = N;
	for (unsigned i = 0; i < N; i++) {
		m->entries[i].index = want[i].index;
		m->entries[i].data = want[i].data;
	}
	int n = ioctl(vcpu_fd, KVM_SET_MSRS, m);
	if (n < 0)
		return err_set(ERR_NOSYS, "KVM_SET_MSRS: %s", strerror(errno));
	if (n < N)
		return err_set(ERR_NOSYS, "KVM refused to set MSR 0x%x", want[n].index);
	return 0;
}

int cpu_setup_fpu(int vcpu_fd)
{
	struct kvm_fpu fpu;
	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;    /* x87 reset state */
	fpu.mxcsr = 0x1f80; /* SSE reset state */
	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return err_set(ERR_NOSYS, "KVM_SET_FPU: %s", strerror(errno));
	return 0;
}

static void lapic_set_delivery(struct kvm_lapic_state *l, unsigned reg, uint32_t mode)
{
	uint32_t v;
	memcpy(&v, &l->regs[reg], 4);
	v = (v & ~0x700u) | (mode << 8);
	memcpy(&l->regs[reg], &v, 4);
}

int cpu_setup_lapic(int vcpu_fd)
{
	struct kvm_lapic_state l;
	if (ioctl(vcpu_fd, KVM_GET_LAPIC, &l) < 0)
		return err_set(ERR_NOSYS, "KVM_GET_LAPIC: %s", strerror(errno));
	/* As a PC BIOS leaves it: LINT0 takes the 8259's ExtINT, LINT1 is NMI. */
	lapic_set_delivery(&l, APIC_LVT0, APIC_MODE_EXTINT);
	lapic_set_delivery(&l, APIC_LVT1, APIC_MODE_NMI);
	if (ioctl(vcpu_fd, KVM_SET_LAPIC, &l) < 0)
		return err_set(ERR_NOSYS, "KVM_SET_LAPIC: %s", strerror(errno));
	return 0;
}
