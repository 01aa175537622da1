/*
 * orbvm test kernel: a Multiboot (version 1) kernel in the a.out-kludge
 * form: a flat binary whose header (flags: page-aligned modules, memory
 * information, address fields) says where it goes. Checks EAX = 0x2BADB002
 * and the information structure in EBX (see check.inc): flags, mem_upper,
 * command line, two modules, memory map.
 */
#include "check.inc"

#define MB1_FLAGS 0x00010003

	.text
	.globl _start
	.balign 4
mb1_header:
	.long 0x1badb002, MB1_FLAGS, -(0x1badb002 + MB1_FLAGS)
	.long mb1_header, text_start, load_end, bss_end, _start
_start:
	movl $stack_top, %esp
	cmpl $0x2badb002, %eax
	jne 9f
	movl 0(%ebx), %eax /* flags: mem, cmdline, mods, mmap */
	andl $0x4d, %eax
	cmpl $0x4d, %eax
	jne 9f
	cmpl $MEM_UPPER_KIB, 8(%ebx)
	jne 10f
	movl 16(%ebx), %esi
	movl $exp_cmdline, %edi
	call streq
	jne 8f
	cmpl $2, 20(%ebx)
	jne 7f
	movl 24(%ebx), %ebp /* modules {mod_start, mod_end, string, reserved} */
	movl 0(%ebp), %esi
	movl 4(%ebp), %edx
	subl %esi, %edx
	movl $exp_mod0, %edi
	movl $EXP_MOD0_LEN, %ecx
	call modeq
	jne 6f
	movl 16(%ebp), %esi
	movl 20(%ebp), %edx
	subl %esi, %edx
	movl $exp_mod1, %edi
	movl $EXP_MOD1_LEN, %ecx
	call modeq
	jne 5f
	movl 24(%ebp), %esi
	movl $exp_mod1_cmd, %edi
	call streq
	jne 4f
	/* The memory map: {u32 size, u64 base, u64 length, u32 type}, size excluding itself. */
	movl 48(%ebx), %edi
	movl 44(%ebx), %esi
	addl %edi, %esi
	xorl %ebp, %ebp
1:	cmpl %esi, %edi
	jae 2f
	movl 4(%edi), %eax
	movl 12(%edi), %edx
	movl 20(%edi), %ecx
	call ram_end
	addl 0(%edi), %edi
	addl $4, %edi
	jmp 1b
2:	cmpl $RAM_END, %ebp
	jne 3f
	jmp pass
3:	FAIL F_MEMMAP
4:	FAIL F_MOD1_CMD
5:	FAIL F_MOD1
6:	FAIL F_MOD0
7:	FAIL F_NMODS
8:	FAIL F_CMDLINE
9:	FAIL F_MAGIC
10:	FAIL F_MEMINFO
