/* Runs forever (for Ctrl-A x and signal tests). */
	.code16
	.globl _start
_start:
	mov	$'S', %al
	mov	$0x3f8, %dx
	out	%al, %dx
1:	jmp	1b
