/*
 * orbvm test kernel: a Multiboot2 ELF32 (loaded by its program headers,
 * entered at e_entry). Checks EAX = 0x36d76289 and the tags of the boot
 * information in EBX (see check.inc): command line, loader name, two
 * modules, basic memory information, memory map, ACPI new RSDP, each
 * present once or more and right; EDX collects one bit per tag type seen.
 */
#include "check.inc"

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long 0xe85250d6, 0, mb2_end - mb2_header
	.long -(0xe85250d6 + (mb2_end - mb2_header))
	.short 1, 0 /* information request, required: cmdline, modules, mmap, ACPI new */
	.long 24
	.long 1, 3, 6, 15
	.balign 8
	.short 0, 0 /* end */
	.long 8
mb2_end:

	.text
	.globl _start
_start:
	movl $stack_top, %esp
	cmpl $0x36d76289, %eax
	jne 9f
	leal 8(%ebx), %ebx /* the first tag */
	xorl %ebp, %ebp	  /* RAM end */
	xorl %edx, %edx	  /* tag types seen */
1:	movl 0(%ebx), %eax
	testl %eax, %eax
	jz 2f
	cmpl $31, %eax
	ja 3f
	btsl %eax, %edx
	pushl %edx
	call tag
	popl %edx
	movl 4(%ebx), %eax
	addl $7, %eax
	andl $~7, %eax
	addl %eax, %ebx
	jmp 1b
2:	cmpl $2, nmods
	jne 7f
	cmpl $RAM_END, %ebp
	jne 6f
	andl $((1 << 1) | (1 << 2) | (1 << 4) | (1 << 6) | (1 << 15)), %edx
	cmpl $((1 << 1) | (1 << 2) | (1 << 4) | (1 << 6) | (1 << 15)), %edx
	jne 9f
3:	jmp pass
9:	FAIL F_MAGIC
7:	FAIL F_NMODS
6:	FAIL F_MEMMAP

/* One tag at EBX (type in EAX); returns only if it is right. */
tag:
	cmpl $1, %eax
	je t_cmdline
	cmpl $2, %eax
	je t_loader
	cmpl $3, %eax
	je t_module
	cmpl $4, %eax
	je t_meminfo
	cmpl $6, %eax
	je t_mmap
	cmpl $15, %eax
	je t_acpi
	ret
t_cmdline:
	leal 8(%ebx), %esi
	movl $exp_cmdline, %edi
	call streq
	jne 1f
	ret
1:	FAIL F_CMDLINE
t_loader:
	leal 8(%ebx), %esi
	movl $exp_loader, %edi
	call streq
	jne 1f
	ret
1:	FAIL F_LOADER
t_module:
	movl 8(%ebx), %esi
	movl 12(%ebx), %edx
	subl %esi, %edx
	incl nmods
	cmpl $1, nmods
	jne 2f
	movl $exp_mod0, %edi
	movl $EXP_MOD0_LEN, %ecx
	call modeq
	jne 1f
	ret
1:	FAIL F_MOD0
2:	movl $exp_mod1, %edi
	movl $EXP_MOD1_LEN, %ecx
	call modeq
	jne 3f
	leal 16(%ebx), %esi
	movl $exp_mod1_cmd, %edi
	call streq
	jne 4f
	ret
3:	FAIL F_MOD1
4:	FAIL F_MOD1_CMD
t_meminfo:
	cmpl $MEM_UPPER_KIB, 12(%ebx)
	jne 1f
	ret
1:	FAIL F_MEMINFO
t_mmap:
	leal 16(%ebx), %edi	/* entries {u64 base, u64 length, u32 type, u32 reserved} */
	movl 4(%ebx), %esi
	addl %ebx, %esi		/* end of the tag */
1:	cmpl %esi, %edi
	jae 2f
	movl 0(%edi), %eax
	movl 8(%edi), %edx
	movl 16(%edi), %ecx
	call ram_end
	addl 8(%ebx), %edi	/* entry_size */
	jmp 1b
2:	ret
t_acpi:
	leal 8(%ebx), %esi
	call rsdp_ok
	jne 1f
	ret
1:	FAIL F_RSDP
