/*
 * The first instructions: both boot protocols land here in 32-bit protected
 * mode with paging off, and leave in 64-bit mode in the higher half, calling
 * kmain(magic, info_paddr).
 *
 *  - Multiboot2 (GRUB): enters at _start with EAX = 0x36d76289, EBX = the
 *    physical address of the boot information.
 *  - PVH (QEMU -kernel, orbvm): the ELF note XEN_ELFNOTE_PHYS32_ENTRY points
 *    at pvh_start; EBX = the physical address of struct hvm_start_info.
 *
 * Neither protocol gives us a stack, so the code below runs on boot_stack
 * (physical addresses) until paging is on. The boot page tables map:
 *   - the first 4 GiB identity (to survive the switch to long mode),
 *   - the same 4 GiB at DIRECT_MAP_BASE (so C code can read the boot info and
 *     early frames before the kernel builds its own tables),
 *   - the first 1 GiB at KERNEL_VIRT (the kernel image).
 * kmain replaces all of this with properly protected page tables (mm/kmap.c).
 *
 * If the CPU cannot run 64-bit code, we say so on COM1 and halt: a clear
 * message instead of a triple fault.
 */
#include "arch/layout.h"

#define PHYS(x) ((x) - KERNEL_VIRT)

#define MB2_MAGIC     0xe85250d6
#define MB2_ARCH_I386 0

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

/* ---------------------------------------------------------------- headers */

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* framebuffer tag (optional): any mode; BIOS GRUB keeps text mode with gfxpayload=text */
	.balign 8
	.short 5, 1 /* type 5, flags: optional */
	.long 20
	.long 0, 0, 0
	/* end tag */
	.balign 8
	.short 0, 0
	.long 8
mb2_header_end:

	/* PVH entry point for direct boot (Xen ELF note type 18, PHYS32_ENTRY). */
	.section .note.pvh, "a"
	.balign 4
	.long 4          /* name size: "Xen\0" */
	.long 4          /* descriptor size */
	.long 18         /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start

/* ---------------------------------------------------------- 32-bit entry */

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %edi /* magic */
	movl %ebx, %esi /* info */
	jmp common32

	.globl pvh_start
pvh_start:
	cli
	cld
	movl $0x336ec578, %edi
	movl %ebx, %esi

common32:
	movl $PHYS(boot_stack_top), %esp

	/* Long mode available? CPUID 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, %ebp /* keep the extended feature bits: NX is bit 20 */

	/* Clear .bss (the loaders zero it too, but the kernel does not rely on that).
	 * The boot page tables live in .bss, so this comes before they are built.
	 * Four bytes a step (both ends are page-aligned): an emulator without
	 * hardware help runs a string instruction one step at a time. */
	movl %edi, %edx /* rep stosl needs EDI; the stack itself is in .bss */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl %edx, %edi

	/* PD entries: 2048 x 2 MiB pages = 4 GiB, present | writable | large. */
	movl $PHYS(boot_pd), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, (%ebx, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax /* high dword: bits 32+ of ecx*2MiB */
	movl %eax, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b

	/* PDPT (low): 4 entries, one per GiB. */
	movl $PHYS(boot_pdpt_lo), %ebx
	movl $PHYS(boot_pd) + 0x003, %eax
	movl %eax, 0(%ebx)
	addl $0x1000, %eax
	movl %eax, 8(%ebx)
	addl $0x1000, %eax
	movl %eax, 16(%ebx)
	addl $0x1000, %eax
	movl %eax, 24(%ebx)

	/* PDPT (high): entry 510 = first GiB at 0xffffffff80000000. */
	movl $PHYS(boot_pdpt_hi), %ebx
	movl $PHYS(boot_pd) + 0x003, %eax
	movl %eax, 510 * 8(%ebx)

	/* PML4: 0 identity, 256 direct map, 511 kernel image. */
	movl $PHYS(boot_pml4), %ebx
	movl $PHYS(boot_pdpt_lo) + 0x003, %eax
	movl %eax, 0(%ebx)
	movl %eax, 256 * 8(%ebx)
	movl $PHYS(boot_pdpt_hi) + 0x003, %eax
	movl %eax, 511 * 8(%ebx)

	/* Paging on: PAE, CR3, EFER.LME (+NXE when the CPU has NX), PG. */
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_PGE), %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	testl $(1 << 20), %ebp
	jz 2f
	orl $EFER_NXE, %eax
2:	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE | CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_entry

no_long_mode:
	movl $msg_no_long_mode, %esi
3:	lodsb
	testb %al, %al
	jz 5f
	movb %al, %bl
	movw $0x3fd, %dx /* wait for THR empty */
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movb %bl, %al
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 3b
5:	cli
	hlt
	jmp 5b

/* ---------------------------------------------------------- 64-bit entry */

	.code64
long_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $higher_half, %rax
	jmp *%rax

	.section .boot.data, "a"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
msg_no_long_mode:
	.asciz "Orbital: this CPU does not support 64-bit long mode; cannot boot.\r\n"

/* ------------------------------------------------------------ higher half */

	.text
higher_half:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	pushq $0 /* a zero return address ends backtraces */
	movl %edi, %edi /* magic (upper halves are undefined after the mode switch) */
	movl %esi, %esi /* info physical address */
	call kmain
1:	cli
	hlt
	jmp 1b

	.section .bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.space 4096
boot_pdpt_lo:
	.space 4096
boot_pdpt_hi:
	.space 4096
boot_pd:
	.space 4096 * 4
	/* The page below the boot stack stays unmapped in the kernel's page
	 * tables: an overflow faults instead of silently corrupting .bss. */
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	.space 4096
boot_stack_bottom:
	.space BOOT_STACK_SIZE
boot_stack_top:
