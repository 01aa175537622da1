/*
 * orbvm test kernel for --cpus N: a PVH ELF32 that starts every application
 * processor through its local APIC (INIT, then SIPI to a real-mode
 * trampoline copied below 1 MiB), as an operating system does. Each AP
 * records the APIC ID CPUID leaf 0x1 reports, its local APIC's ID register
 * and the x2APIC ID of leaf 0xB in a shared table. The BSP reads the MADT
 * (from the RSDP in the PVH start info) and checks its own IDs, the
 * topology leaves, that N - 1 APs came up and that their IDs are exactly the
 * MADT's other IDs, each once. tests/vmm/run.sh boots it with --debug-exit
 * 0xf4; PASS (orbvm exits 33) or 2n + 1 for the first failed check n.
 *
 * The first byte of the command line picks what happens once the APs are
 * started: 'p' the first AP to arrive powers the VM off (ACPI sleep
 * register), 't' it triple-faults, 's' every CPU spins forever (the BSP with
 * interrupts off in a pause loop, the APs halted); anything else runs the
 * checks. In 'p', 't' and 's' the BSP never reports. Decimal digits after
 * that byte are the number of CPUs the MADT must list.
 */
#include "check.inc"
#include "apic.inc"

#define F_NO_MADT	11 /* no RSDP, XSDT, MADT or local APIC entry */
#define F_BSP_ID	12 /* BSP: CPUID APIC ID, LAPIC ID and MADT's first differ */
#define F_LOGICAL	13 /* leaf 0x1: logical count below N, or no HTT with N > 1 */
#define F_LEAF_B	14 /* leaf 0xB: core level does not count N, or wrong x2APIC ID */
#define F_TIMEOUT	15 /* fewer than N - 1 APs arrived */
#define F_AP_ID		17 /* an AP's CPUID, LAPIC and x2APIC IDs differ */
#define F_AP_MADT	18 /* an AP's ID is not in the MADT, or seen twice */
#define F_COUNT		19 /* the MADT's CPU count is not the command line's */

#define WAIT_LOOPS	0x4000000
#define MAX_CPUS	64

	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 4, 18 /* name size, descriptor size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

	.text
	.globl pvh_entry
pvh_entry:
	movl $stack_top, %esp
	movl 24(%ebx), %esi /* the command line's first byte is the mode */
	movzbl (%esi), %eax
	movl %eax, mode
	incl %esi
	call parse_count
	movl 32(%ebx), %esi
	call read_madt
	movl want, %eax
	testl %eax, %eax
	jz 1f
	cmpl ncpus, %eax
	jne 9f
1:
	call check_bsp
	cmpl $1, ncpus
	je pass
	movl $0x1ff, LAPIC + LAPIC_SVR /* software-enable, spurious vector 0xff */
	call start_aps
	cmpb $'p', mode
	je spin
	cmpb $'t', mode
	je spin
	cmpb $'s', mode
	je spin
	call wait_aps
	call check_aps
	jmp pass
spin:	pause
	jmp spin
9:	FAIL F_COUNT

/* ESI = a decimal number (possibly empty), into want. */
parse_count:
	xorl %eax, %eax
1:	movzbl (%esi), %ecx
	subl $'0', %ecx
	cmpl $9, %ecx
	ja 2f
	imull $10, %eax
	addl %ecx, %eax
	incl %esi
	jmp 1b
2:	movl %eax, want
	ret

/* ESI = RSDP. Fills madt_ids[] with the enabled local APICs' IDs, ncpus. */
read_madt:
	call rsdp_ok
	jne 9f
	movl 24(%esi), %esi /* XSDT (below 4 GiB) */
	movl 4(%esi), %ecx
	subl $36, %ecx
	shrl $3, %ecx
	leal 36(%esi), %edi
1:	testl %ecx, %ecx
	jz 9f
	movl (%edi), %edx
	cmpl $0x43495041, (%edx) /* "APIC" */
	je 2f
	addl $8, %edi
	decl %ecx
	jmp 1b
2:	movl 4(%edx), %ebp
	addl %edx, %ebp /* end of the MADT */
	leal 44(%edx), %esi
	xorl %ebx, %ebx
3:	cmpl %ebp, %esi
	jae 5f
	movzbl 1(%esi), %ecx
	testl %ecx, %ecx
	jz 9f
	cmpb $0, (%esi) /* processor local APIC */
	jne 4f
	testb $1, 4(%esi)
	jz 4f
	cmpl $MAX_CPUS, %ebx
	jae 9f
	movzbl 3(%esi), %eax
	movl %eax, madt_ids(, %ebx, 4)
	incl %ebx
4:	addl %ecx, %esi
	jmp 3b
5:	testl %ebx, %ebx
	jz 9f
	movl %ebx, ncpus
	ret
9:	FAIL F_NO_MADT

/* The BSP's own IDs and the topology leaves against the MADT. */
check_bsp:
	movl $1, %eax
	cpuid
	movl %ebx, %eax
	shrl $24, %eax
	movl LAPIC + LAPIC_ID, %ecx
	shrl $24, %ecx
	cmpl %eax, %ecx
	jne 8f
	cmpl madt_ids, %eax
	jne 8f
	movl %eax, bsp_id
	shrl $16, %ebx
	movzbl %bl, %ebx
	cmpl ncpus, %ebx
	jb 7f
	/* HTT must be set with more than one CPU. With one, either value is
	 * right (HTT with a count of 1 says the same), and some nested KVMs
	 * report the host's leaf 0x1 EDX whatever orbvm sets. */
	cmpl $1, ncpus
	je 1f
	testl $(1 << 28), %edx
	jz 7f
1:
	xorl %eax, %eax
	cpuid
	cmpl $0xb, %eax
	jb 2f
	movl $0xb, %eax
	movl $1, %ecx
	cpuid
	movzwl %bx, %ebx
	cmpl ncpus, %ebx
	jne 6f
	shrl $8, %ecx
	cmpb $2, %cl /* level type: core */
	jne 6f
	cmpl bsp_id, %edx
	jne 6f
2:	ret
6:	FAIL F_LEAF_B
7:	FAIL F_LOGICAL
8:	FAIL F_BSP_ID

/* Copies the trampoline below 1 MiB, then INIT and two SIPIs to the others. */
	APIC_START_CODE /* start_aps, send_ipi */

/* Waits (a bounded number of loops) for N - 1 APs to arrive. */
wait_aps:
	movl ncpus, %edx
	decl %edx
	movl $WAIT_LOOPS, %ecx
1:	cmpl %edx, ap_done
	je 2f
	pause
	loop 1b
	FAIL F_TIMEOUT
2:	ret

/* Each AP's three IDs agree, and the IDs are the MADT's others, each once. */
check_aps:
	movl bsp_id, %eax
	movb $1, seen(%eax)
	xorl %esi, %esi
1:	cmpl ap_done, %esi
	jae 5f
	leal (%esi, %esi, 2), %edi
	movl ap_table(, %edi, 4), %eax
	cmpl ap_table + 4(, %edi, 4), %eax
	jne 8f
	cmpl ap_table + 8(, %edi, 4), %eax
	jne 8f
	cmpb $0, seen(%eax)
	jne 9f
	movb $1, seen(%eax)
	xorl %ecx, %ecx
2:	cmpl ncpus, %ecx
	jae 9f
	cmpl madt_ids(, %ecx, 4), %eax
	je 3f
	incl %ecx
	jmp 2b
3:	incl %esi
	jmp 1b
5:	ret
8:	FAIL F_AP_ID
9:	FAIL F_AP_MADT

/* An AP in 32-bit protected mode, from the trampoline; needs no stack. */
ap_entry32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $1, %eax
	cpuid
	shrl $24, %ebx
	movl %ebx, %esi /* CPUID's initial APIC ID */
	movl LAPIC + LAPIC_ID, %edi
	shrl $24, %edi /* the local APIC's ID register */
	xorl %eax, %eax
	cpuid
	movl %esi, %ebp
	cmpl $0xb, %eax
	jb 1f
	movl $0xb, %eax
	xorl %ecx, %ecx
	cpuid
	movl %edx, %ebp /* the x2APIC ID */
1:	movl $1, %ecx
	lock xaddl %ecx, ap_slot
	leal (%ecx, %ecx, 2), %eax
	movl %esi, ap_table(, %eax, 4)
	movl %edi, ap_table + 4(, %eax, 4)
	movl %ebp, ap_table + 8(, %eax, 4)
	lock incl ap_done
	testl %ecx, %ecx /* only the first AP acts on 'p' and 't' */
	jnz park
	cmpb $'p', mode
	jne 2f
	movb $0x34, %al /* SLP_EN | SLP_TYP 5 (S5) */
	movw $0x600, %dx
	outb %al, %dx
	jmp park
2:	cmpb $'t', mode
	jne park
	lidt null_idt
	ud2 /* #UD with no IDT: #GP, #DF, then shutdown */
park:	cli
	hlt
	jmp park


	.section .rodata
null_idt:
	.word 0
	.long 0

	.data
	.balign 4
mode:	.long 0
want:	.long 0 /* CPUs the command line expects, 0: any */
ncpus:	.long 0
bsp_id:	.long 0
ap_slot: .long 0
ap_done: .long 0
madt_ids: .fill MAX_CPUS, 4, 0
ap_table: .fill 3 * MAX_CPUS, 4, 0 /* per AP: CPUID ID, LAPIC ID, x2APIC ID */
seen:	.fill 256, 1, 0
