/*
 * x86 state for a Linux guest's 64-bit entry (and, below, the 32-bit entry
 * of PVH and Multiboot kernels), per the boot protocol: page
 * tables identity-mapping the first 4 GiB with 2 MiB pages, a GDT with the
 * boot protocol's __BOOT_CS (0x10) and __BOOT_DS (0x18), long mode on,
 * interrupts off, RIP at the kernel's 64-bit entry, RSI at the zero page.
 * Also the CPUID table, MSRs, FPU and local APIC state a booting Linux
 * expects.
 *
 * The table writers (cpu_setup_page_tables, cpu_setup_gdt) only touch guest
 * memory through mem_write; the rest issues KVM vCPU ioctls.
 */
#ifndef ORBVM_CPU_SETUP_H
#define ORBVM_CPU_SETUP_H

#include <linux/kvm.h>
#include <stdint.h>

#include "../mem.h"

#define BOOT_CS 0x10
#define BOOT_DS 0x18

/* Writes PML4, PDPT and four PDs at BOOT_PML4_ADDR.. (layout.h). */
int cpu_setup_page_tables(struct guest_mem *m);
/* Writes the GDT at BOOT_GDT_ADDR. */
int cpu_setup_gdt(struct guest_mem *m);
/* Fills the long-mode segment and control registers (no ioctl). */
void cpu_setup_long_mode_sregs(struct kvm_sregs *sregs);

/*
 * The 32-bit entry of PVH and Multiboot kernels: a GDT at BOOT_GDT_ADDR
 * with a flat 32-bit code segment at BOOT_CS and flat data at BOOT_DS, and
 * protected mode with paging off (CR0 = PE | ET, CR4 = EFER = 0), a 32-bit
 * TSS in TR, no IDT.
 */
int cpu_setup_gdt32(const struct guest_mem *m);
void cpu_setup_protected_mode_sregs(struct kvm_sregs *sregs);

/*
 * Installs CPUID (from KVM_GET_SUPPORTED_CPUID on kvm_fd, adjusted, with the
 * topology of vCPU index of ncpus: x86/topology.h), MSRs, FPU and LAPIC on
 * vcpu_fd. Returns 0 or a negative error with a message.
 */
int cpu_setup_cpuid(int kvm_fd, int vcpu_fd, unsigned index, unsigned ncpus);
int cpu_setup_msrs(int vcpu_fd);
int cpu_setup_fpu(int vcpu_fd);
int cpu_setup_lapic(int vcpu_fd);

/*
 * Adjusts one CPUID entry: hypervisor bit, KVM signature, and the topology
 * of a single vCPU (cpu_setup_cpuid then applies the real one; pure, exposed
 * for tests).
 */
void cpu_setup_adjust_cpuid_entry(struct kvm_cpuid_entry2 *e);

#endif
