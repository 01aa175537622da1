/*
 * Talks to orbvm's i8042 as a PS/2 driver does, through the real ports:
 * the start status and command byte, the self test, the keyboard's identify
 * answer through translation, the mouse's reset answer through 0xD4 (with
 * the status register's mouse bit), the 0xD3 loopback and the keyboard echo.
 * Prints "i8042 ok" on COM1 when every answer was right, else "i8042 bad X"
 * (X: the letter of the first wrong step); then hlt (exit 0). No interrupt
 * controller in a real-mode VM: the lines are covered by the host tests.
 */
	.code16
	.globl _start

/* Reads the next byte the controller offers into %al; the step fails if none comes. */
.macro expect byte, step
	mov	$\step, %bl
	call	read_byte
	cmp	$\byte, %al
	jne	fail
.endm

.macro cmd byte
	mov	$\byte, %al
	out	%al, $0x64
.endm

.macro data byte
	mov	$\byte, %al
	out	%al, $0x60
.endm

_start:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	mov	$'a', %bl		/* a: status at start: system flag, not inhibited */
	in	$0x64, %al
	cmp	$0x14, %al
	jne	fail
	cmd	0xaa			/* b: self test */
	expect	0x55, 'b'
	cmd	0x20			/* c: the command byte a BIOS would leave */
	expect	0x65, 'c'
	cmd	0x60			/* both ports on, no interrupts, translation on */
	data	0x44
	data	0xf2			/* d: keyboard identify, translated: FA AB 41 */
	expect	0xfa, 'd'
	expect	0xab, 'd'
	expect	0x41, 'd'
	cmd	0xd4			/* e: mouse reset: FA AA 00, each with the mouse bit */
	data	0xff
	mov	$'e', %bl
	in	$0x64, %al
	and	$0x21, %al
	cmp	$0x21, %al
	jne	fail
	expect	0xfa, 'e'
	expect	0xaa, 'e'
	expect	0x00, 'e'
	cmd	0xd3			/* f: loopback, as from the mouse */
	data	0x5a
	mov	$'f', %bl
	in	$0x64, %al
	test	$0x20, %al
	jz	fail
	expect	0x5a, 'f'
	data	0xee			/* g: keyboard echo */
	expect	0xee, 'g'
	mov	$'h', %bl		/* h: nothing left */
	in	$0x64, %al
	test	$0x01, %al
	jnz	fail
	mov	$ok_msg, %si
	call	puts
	hlt

fail:
	mov	$bad_msg, %si
	call	puts
	mov	%bl, %al
	mov	$0x3f8, %dx
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	hlt

/* %al = the next output byte, after waiting (bounded) for the output buffer. */
read_byte:
	mov	$0xffff, %cx
1:	in	$0x64, %al
	test	$0x01, %al
	jnz	2f
	loop	1b
	jmp	fail
2:	in	$0x60, %al
	ret

/* Writes the NUL-terminated string at %si to COM1. */
puts:
	mov	$0x3f8, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	ret

ok_msg:	.asciz	"i8042 ok\n"
bad_msg: .asciz	"i8042 bad "
