/*
 * orbvm test kernel: an ELF32 with a PVH note (Xen ELF note 18). Checks the
 * hvm_start_info orbvm hands it in EBX (see check.inc for what is expected
 * and how the verdict is reported).
 */
#include "check.inc"

	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 4, 18 /* name size, descriptor size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

	.text
	.globl pvh_entry
pvh_entry:
	movl $stack_top, %esp
	movl %ebx, info
	cmpl $0x336ec578, 0(%ebx)
	jne 9f
	cmpl $1, 4(%ebx)
	jb 9f
	movl 24(%ebx), %esi
	movl $exp_cmdline, %edi
	call streq
	jne 8f
	cmpl $2, 12(%ebx)
	jne 7f
	movl 16(%ebx), %ebx /* the module list */
	movl 0(%ebx), %esi
	movl 8(%ebx), %edx
	movl $exp_mod0, %edi
	movl $EXP_MOD0_LEN, %ecx
	call modeq
	jne 6f
	movl 32(%ebx), %esi
	movl 40(%ebx), %edx
	movl $exp_mod1, %edi
	movl $EXP_MOD1_LEN, %ecx
	call modeq
	jne 5f
	movl 48(%ebx), %esi
	movl $exp_mod1_cmd, %edi
	call streq
	jne 4f
	/* The memory map: entries {u64 addr, u64 size, u32 type, u32 reserved}. */
	movl info, %ebx
	movl 40(%ebx), %edi
	movl 48(%ebx), %ebx
	xorl %ebp, %ebp
1:	testl %ebx, %ebx
	jz 2f
	movl 0(%edi), %eax
	movl 8(%edi), %edx
	movl 16(%edi), %ecx
	call ram_end
	addl $24, %edi
	decl %ebx
	jmp 1b
2:	cmpl $RAM_END, %ebp
	jne 3f
	movl info, %ebx
	movl 32(%ebx), %esi
	call rsdp_ok
	jne 10f
	jmp pass
3:	FAIL F_MEMMAP
4:	FAIL F_MOD1_CMD
5:	FAIL F_MOD1
6:	FAIL F_MOD0
7:	FAIL F_NMODS
8:	FAIL F_CMDLINE
9:	FAIL F_MAGIC
10:	FAIL F_RSDP
