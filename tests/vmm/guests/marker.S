/* Writes the boot-time marker (123 to port 0x3f0) twice, then hlt. */
	.code16
	.globl _start
_start:
	cli
	mov	$0x3f0, %dx
	mov	$122, %al		/* not the marker */
	out	%al, %dx
	mov	$123, %al
	out	%al, %dx
	out	%al, %dx
	hlt
