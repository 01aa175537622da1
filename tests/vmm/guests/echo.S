/* Echoes COM1 input back to COM1 until it receives '!', then hlt (exit 0). */
	.code16
	.globl _start
_start:
	cli
	mov	$0x3fd, %dx
1:	in	%dx, %al		/* LSR: wait for data ready */
	test	$1, %al
	jz	1b
	mov	$0x3f8, %dx
	in	%dx, %al
	out	%al, %dx
	cmp	$'!', %al
	mov	$0x3fd, %dx
	jne	1b
	hlt
