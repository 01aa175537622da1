/* ACPI S5 through the sleep control register, then spin: status 0 only via ACPI. */
	.code16
	.globl _start
_start:
	cli
	mov	$0x600, %dx
	mov	$0x14, %al		/* SLP_TYP=5 without SLP_EN: nothing happens */
	out	%al, %dx
	mov	$0x34, %al		/* SLP_TYP=5 | SLP_EN */
	out	%al, %dx
1:	jmp	1b
