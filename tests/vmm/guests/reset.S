/* Pulses the i8042 reset line: orbvm must exit with the reboot status (3). */
	.code16
	.globl _start
_start:
	cli
	mov	$0x60, %al		/* an ordinary command first: ignored */
	out	%al, $0x64
	mov	$0xfe, %al
	out	%al, $0x64
1:	jmp	1b
