/*
 * orbvm test kernel for the PCI host bridge: a PVH ELF32 that finds the host
 * bridge (bus 0, device 0) through configuration mechanism 1 (ports 0xCF8 and
 * 0xCFC) and through ECAM at the address the MCFG gives (found from the RSDP
 * in hvm_start_info, through the XSDT), and checks its vendor/device IDs,
 * class, byte and word accesses, the enable bit, an absent device reading
 * all ones, that a write through ECAM is read back through the ports, that
 * a word crossing a dword reads all ones and that the IDs and an absent BAR
 * ignore writes.
 * tests/vmm/run.sh boots it with --debug-exit 0xf4: PASS (orbvm exits 33) or
 * 2n + 1 for the first failed check n. 32-bit protected mode, paging off:
 * ECAM is reached at its physical address.
 */
#include "check.inc"

#define F_CF8_ID	20 /* dword at 0xCFC is not 1B36:0008 */
#define F_CF8_BYTES	21 /* byte / word reads inside the dword disagree */
#define F_CF8_CLASS	22 /* class code is not 0x060000 */
#define F_CF8_ENABLE	23 /* enable bit clear: not all ones */
#define F_CF8_ABSENT	24 /* device 1 does not read all ones */
#define F_CF8_LATCH	25 /* 0xCF8 does not read back what was written */
#define F_NO_MCFG	26 /* no MCFG in the XSDT */
#define F_ECAM_ID	27 /* ECAM dword 0 is not 1B36:0008 */
#define F_ECAM_ABSENT	28 /* ECAM device 1 does not read all ones */
#define F_ECAM_WRITE	29 /* a byte written through ECAM is not read back through 0xCFC */
#define F_ECAM_ADDR	30 /* MCFG base is not 0xE0000000 or the bus range is not 0..0 */
#define F_ECAM_CROSS	31 /* a word crossing a dword through ECAM is not all ones */
#define F_READ_ONLY	32 /* the IDs or an absent BAR changed on a write */
#define IDS		0x00081b36

	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 4, 18 /* name size, descriptor size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

.macro CF8 value
	movl $\value, %eax
	movw $0xcf8, %dx
	outl %eax, %dx
.endm

	.text
	.globl pvh_entry
pvh_entry:
	movl $stack_top, %esp
	movl %ebx, info
	CF8 0x80000000
	movw $0xcfc, %dx
	inl %dx, %eax
	cmpl $IDS, %eax
	jne 9f
	movw $0xcf8, %dx
	inl %dx, %eax
	cmpl $0x80000000, %eax
	jne 4f
	movw $0xcfe, %dx
	inw %dx, %ax
	cmpw $0x0008, %ax
	jne 8f
	movw $0xcfd, %dx
	inb %dx, %al
	cmpb $0x1b, %al
	jne 8f
	CF8 0x80000008
	movw $0xcfc, %dx
	inl %dx, %eax
	shrl $8, %eax
	cmpl $0x060000, %eax
	jne 7f
	CF8 0x00000000
	movw $0xcfc, %dx
	inl %dx, %eax
	cmpl $0xffffffff, %eax
	jne 6f
	CF8 0x80000800
	movw $0xcfc, %dx
	inl %dx, %eax
	cmpl $0xffffffff, %eax
	jne 5f
	call find_mcfg
	testl %esi, %esi
	jz 10f
	movl 44(%esi), %edi /* base address (low half) */
	cmpl $0xe0000000, %edi
	jne 14f
	cmpl $0, 48(%esi)
	jne 14f
	cmpw $0, 52(%esi) /* segment 0 */
	jne 14f
	cmpw $0x0000, 54(%esi) /* start bus 0, end bus 0 */
	jne 14f
	cmpl $IDS, (%edi)
	jne 11f
	cmpl $0xffffffff, 0x8000(%edi) /* device 1 */
	jne 12f
	movb $0x5a, 0x3c(%edi) /* interrupt line, through ECAM */
	CF8 0x8000003c
	movw $0xcfc, %dx
	inb %dx, %al
	cmpb $0x5a, %al
	jne 13f
	cmpw $0xffff, 0x3f(%edi) /* crosses the dword at 0x3C */
	jne 15f
	movl $0xffffffff, 0(%edi) /* IDs are read-only */
	movl $0xffffffff, 0x10(%edi) /* the host bridge has no BAR 0 */
	cmpl $IDS, (%edi)
	jne 16f
	CF8 0x80000010
	movw $0xcfc, %dx
	inl %dx, %eax
	testl %eax, %eax
	jnz 16f
	jmp pass
4:	FAIL F_CF8_LATCH
5:	FAIL F_CF8_ABSENT
6:	FAIL F_CF8_ENABLE
7:	FAIL F_CF8_CLASS
8:	FAIL F_CF8_BYTES
9:	FAIL F_CF8_ID
10:	FAIL F_NO_MCFG
11:	FAIL F_ECAM_ID
12:	FAIL F_ECAM_ABSENT
13:	FAIL F_ECAM_WRITE
14:	FAIL F_ECAM_ADDR
15:	FAIL F_ECAM_CROSS
16:	FAIL F_READ_ONLY

/* ESI = the MCFG found through hvm_start_info's RSDP and its XSDT, or 0. */
find_mcfg:
	movl info, %ebx
	movl 32(%ebx), %ebx /* rsdp_paddr (below 4 GiB) */
	movl 24(%ebx), %ebx /* the XSDT */
	movl 4(%ebx), %ecx
	subl $36, %ecx
	shrl $3, %ecx /* entries */
	leal 36(%ebx), %edi
1:	testl %ecx, %ecx
	jz 2f
	movl (%edi), %esi
	cmpl $0x4746434d, (%esi) /* "MCFG" */
	je 3f
	addl $8, %edi
	decl %ecx
	jmp 1b
2:	xorl %esi, %esi
3:	ret
