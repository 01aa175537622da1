/*
 * Application-processor start-up code. smp.c copies everything between
 * ap_trampoline_start and ap_trampoline_end to physical TRAMPOLINE_PHYS
 * (below 1 MiB, page aligned), fills in the data block at its end, and sends
 * INIT-SIPI-SIPI. The AP starts here in 16-bit real mode at
 * TRAMPOLINE_PHYS:0, goes through 32-bit protected mode to 64-bit long mode on
 * the kernel's page tables (which map this page at its physical address while
 * APs start), and jumps to ap_entry(cpu) in the higher half on its own stack.
 */
#define TRAMPOLINE_PHYS 0x8000
#define T(x) (TRAMPOLINE_PHYS + ((x) - ap_trampoline_start))

	.section .rodata
	.balign 16
	.globl ap_trampoline_start, ap_trampoline_end, ap_trampoline_data
	.code16
ap_trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $((1 << 5) | (1 << 7)), %eax /* PAE, PGE */
	movl %eax, %cr4
	movl T(ap_trampoline_data), %eax /* cr3 (below 4 GiB) */
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $(1 << 8), %eax /* LME */
	testl $1, T(ap_trampoline_data) + 24 /* nx flag */
	jz 1f
	orl $(1 << 11), %eax /* NXE */
1:	wrmsr
	/* CR0 as a whole, not ORed into what INIT left: INIT sets CD and NW
	 * (caching off), which would stay for the CPU's life. */
	movl $((1 << 31) | (1 << 16) | (1 << 5) | (1 << 4) | 1), %eax /* PG, WP, NE, ET, PE */
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp64)

	.code64
tramp64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq T(ap_trampoline_data) + 8, %rsp  /* stack top */
	movq T(ap_trampoline_data) + 16, %rdi /* struct cpu * */
	xorl %ebp, %ebp
	pushq $0
	movq T(ap_trampoline_data) + 32, %rax /* ap_entry */
	jmp *%rax

	/* Every descriptor is marked accessed (type 0xb code, 0x3 data): loading
	 * one that is not makes the CPU write the accessed bit into the GDT, and
	 * once paging is on this page is mapped read-only (and CR0.WP is set), so
	 * that write would fault with no IDT to report it: a triple fault. QEMU's
	 * TCG does not set the bit on a far jump; Bochs and real CPUs do. */
	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff /* 0x08: 32-bit code */
	.quad 0x00cf93000000ffff /* 0x10: data */
	.quad 0x00af9b000000ffff /* 0x18: 64-bit code */
tramp_gdt_ptr:
	.short tramp_gdt_ptr - tramp_gdt - 1
	.long T(tramp_gdt)

	.balign 8
ap_trampoline_data:
	.quad 0 /* +0  cr3 */
	.quad 0 /* +8  stack top */
	.quad 0 /* +16 struct cpu * */
	.quad 0 /* +24 1 if NX is on */
	.quad 0 /* +32 entry point */
ap_trampoline_end:
