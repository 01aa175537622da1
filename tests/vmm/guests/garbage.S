/*
 * A misbehaving guest: every byte value into every UART register (in and
 * out, loopback included), string I/O, word and dword accesses to unknown
 * ports, CMOS and i8042 data port noise; then prints "ok" and halts. orbvm
 * must survive all of it and exit 0.
 */
	.code16
	.globl _start
_start:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	mov	%ax, %es
	xor	%bx, %bx		/* value */
outer:
	mov	$0x3f9, %dx		/* skip THR: output would be noise */
inner:
	mov	%bl, %al
	out	%al, %dx
	in	%dx, %al
	inc	%dx
	cmp	$0x400, %dx
	jne	inner
	inc	%bl
	jnz	outer
	mov	$0x3fb, %dx		/* LCR = 3, DLAB off */
	mov	$3, %al
	out	%al, %dx
	mov	$0x3fc, %dx		/* MCR: loopback off */
	xor	%al, %al
	out	%al, %dx
	mov	$0x3f9, %dx		/* IER off */
	out	%al, %dx
	/* Unknown ports, all widths. */
	mov	$0x1234, %dx
	out	%ax, %dx
	in	%dx, %ax
	mov	$0xcf8, %dx
	mov	$0x80000000, %eax
	out	%eax, %dx
	mov	$0xcfc, %dx
	in	%dx, %eax
	out	%al, $0x80
	in	$0x60, %al
	mov	$0x8f, %al
	out	%al, $0x70
	in	$0x71, %al
	/* rep insb from an unknown port into memory, rep outsb to another. */
	mov	$buf, %di
	mov	$0x2345, %dx
	mov	$16, %cx
	cld
	rep insb
	mov	$buf, %si
	mov	$16, %cx
	rep outsb
	/* A word write straddling COM1's end. */
	mov	$0x3ff, %dx
	out	%ax, %dx
	/* Print "ok". */
	mov	$0x3f8, %dx
	mov	$'o', %al
	out	%al, %dx
	mov	$'k', %al
	out	%al, %dx
	hlt
buf:	.space 16
