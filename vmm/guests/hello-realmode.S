/*
 * The sample real-mode guest for orbvm --real-mode: prints a greeting on
 * COM1 (I/O port 0x3F8, polling LSR.THRE as a driver for a real 16550
 * would) and executes hlt with interrupts off, which ends the run with exit
 * status 0. orbvm loads it at 0x10000 and starts it at 1000:0000 with
 * DS = CS, so offsets from 0 are addresses.
 */
	.code16
	.text
	.globl _start
_start:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	mov	$greeting, %si
	mov	$0x3f8, %dx
	cld
next:
	lodsb
	test	%al, %al
	jz	done
	mov	%al, %bl
	add	$5, %dx			/* LSR */
wait_thre:
	in	%dx, %al
	test	$0x20, %al
	jz	wait_thre
	sub	$5, %dx			/* THR */
	mov	%bl, %al
	out	%al, %dx
	jmp	next
done:
	hlt
	jmp	done

greeting:
	.asciz	"Hello from a real-mode guest on orbvm!\r\n"
