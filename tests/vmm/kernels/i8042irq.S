/*
 * orbvm test kernel for the i8042's interrupt lines: a PVH ELF32 that takes
 * IRQ 1 and IRQ 12 as a PC operating system does, first through the 8259s
 * (remapped to vectors 0x20..0x2F, reaching the CPU through LINT0 as
 * ExtINT), then through the I/O APIC (pins 1 and 12, edge, active high, to
 * vectors 0x41 and 0x4C). The keyboard's echo (0xEE) raises IRQ 1, the
 * controller's loopback (0xD3) raises IRQ 12, the keyboard's three-byte
 * identify answer raises IRQ 1 three times (one edge per byte), and with the
 * interrupts off in the command byte a byte raises nothing. Each handler
 * reads the byte from port 0x60, counts, and goes back to the waiting step. tests/vmm/run.sh boots it with
 * --debug-exit 0xf4: PASS (orbvm exits 33) or 2n + 1 for the first failed
 * check n. Any other vector fails with F_VECTOR.
 */
#include "check.inc"
#include "await.inc"

#define F_PIC_KBD	20 /* 8259: no IRQ 1 for the echo, or the wrong byte */
#define F_PIC_AUX	21 /* 8259: no IRQ 12 for the loopback, or the wrong byte */
#define F_PIC_EDGES	22 /* 8259: not one IRQ 1 per byte of the identify answer */
#define F_MASKED	23 /* an interrupt with the command byte's interrupts off */
#define F_APIC_KBD	24 /* I/O APIC: no IRQ 1 (pin 1) for the echo */
#define F_APIC_AUX	25 /* I/O APIC: no IRQ 12 (pin 12) for the loopback */
#define F_VECTOR	26 /* an interrupt on a vector nobody set up */

#define LAPIC_SVR	0xfee000f0
#define LAPIC_EOI	0xfee000b0
#define IOAPIC_SEL	0xfec00000
#define IOAPIC_WIN	0xfec00010
#define VEC_PIC_KBD	0x21
#define VEC_PIC_AUX	0x2c
#define VEC_APIC_KBD	0x41
#define VEC_APIC_AUX	0x4c
#define CTR_INTS	0x47 /* keyboard and mouse interrupts, system flag, translation */
#define CTR_NO_INTS	0x44

	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 4, 18 /* name size, descriptor size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

.macro OUT8 port, byte
	movb $\byte, %al
	outb %al, $\port
.endm

	.text
	.globl pvh_entry
pvh_entry:
	movl $stack_top, %esp
	call setup_idt
	orl $0x1ff, LAPIC_SVR /* local APIC on, spurious vector 0xFF */
	call pic_init
	OUT8 0x64, 0x60
	OUT8 0x60, CTR_INTS
	OUT8 0x60, 0xee /* keyboard echo */
	AWAIT kbd_count, 1, F_PIC_KBD, pic_echo
	cmpb $0xee, kbd_byte
	jne 9f
	OUT8 0x64, 0xd3 /* loopback, as from the mouse */
	OUT8 0x60, 0x5a
	AWAIT aux_count, 1, F_PIC_AUX, pic_loop
	cmpb $0x5a, aux_byte
	jne 8f
	OUT8 0x60, 0xf2 /* identify: FA AB 41, an edge each */
	AWAIT kbd_count, 4, F_PIC_EDGES, pic_identify
	cmpb $0x41, kbd_byte
	jne 7f
	call check_masked
	/* The 8259s masked, pins 1 and 12 of the I/O APIC routed to the BSP. */
	OUT8 0x21, 0xff
	OUT8 0xa1, 0xff
	movl $0x12, %eax /* pin 1: low and high words of its redirection entry */
	movl $VEC_APIC_KBD, %edx
	call ioapic_route
	movl $0x28, %eax /* pin 12 */
	movl $VEC_APIC_AUX, %edx
	call ioapic_route
	OUT8 0x64, 0x60
	OUT8 0x60, CTR_INTS
	OUT8 0x60, 0xee
	AWAIT apic_kbd_count, 1, F_APIC_KBD, apic_echo
	OUT8 0x64, 0xd3
	OUT8 0x60, 0xa5
	AWAIT apic_aux_count, 1, F_APIC_AUX, apic_loop
	cmpb $0xa5, aux_byte
	jne 6f
	jmp pass
9:	FAIL F_PIC_KBD
8:	FAIL F_PIC_AUX
7:	FAIL F_PIC_EDGES
6:	FAIL F_APIC_AUX

/* Interrupts off in the command byte: a keyboard byte waits, raising nothing
 * (with interrupts on, a handler would come back through `resume` and fail). */
check_masked:
	movl $masked_irq, resume
	OUT8 0x64, 0x60
	OUT8 0x60, CTR_NO_INTS
	OUT8 0x64, 0xd2 /* a byte as from the keyboard */
	OUT8 0x60, 0x11
	sti
	movl $QUIET_LOOPS, %ecx
1:	pause
	loop 1b
	cli
	inb $0x64, %al
	testb $1, %al
	jz masked_irq
	inb $0x60, %al
	cmpb $0x11, %al
	jne masked_irq
	ret
masked_irq:
	FAIL F_MASKED

/* Redirection entry at register EAX: fixed delivery of vector EDX to APIC ID 0,
 * edge-triggered, active high, unmasked. */
ioapic_route:
	movl %eax, IOAPIC_SEL
	movl %edx, IOAPIC_WIN
	incl %eax
	movl %eax, IOAPIC_SEL
	movl $0, IOAPIC_WIN
	ret

pic_init:
	OUT8 0x20, 0x11 /* ICW1: edge, cascade, ICW4 follows */
	OUT8 0xa0, 0x11
	OUT8 0x21, 0x20 /* ICW2: vectors 0x20 and 0x28 */
	OUT8 0xa1, 0x28
	OUT8 0x21, 0x04 /* ICW3: the slave on line 2 */
	OUT8 0xa1, 0x02
	OUT8 0x21, 0x01 /* ICW4: 8086 mode */
	OUT8 0xa1, 0x01
	OUT8 0x21, 0xf9 /* only IRQ 1 and the cascade */
	OUT8 0xa1, 0xef /* only IRQ 12 */
	ret

/* Every vector to bad_vector but the four handlers'. */
setup_idt:
	xorl %ecx, %ecx
1:	movl $bad_vector, %eax
	call set_gate
	incl %ecx
	cmpl $256, %ecx
	jne 1b
	movl $VEC_PIC_KBD, %ecx
	movl $pic_kbd, %eax
	call set_gate
	movl $VEC_PIC_AUX, %ecx
	movl $pic_aux, %eax
	call set_gate
	movl $VEC_APIC_KBD, %ecx
	movl $apic_kbd, %eax
	call set_gate
	movl $VEC_APIC_AUX, %ecx
	movl $apic_aux, %eax
	call set_gate
	lidt idtr
	ret

	SET_GATE_CODE /* set_gate */

pic_kbd:
	inb $0x60, %al
	movb %al, kbd_byte
	incl kbd_count
	movb $0x20, %al /* EOI to the master */
	outb %al, $0x20
	jmp back

pic_aux:
	inb $0x60, %al
	movb %al, aux_byte
	incl aux_count
	movb $0x20, %al /* EOI to the slave, then the master */
	outb %al, $0xa0
	outb %al, $0x20
	jmp back

apic_kbd:
	inb $0x60, %al
	movb %al, kbd_byte
	incl apic_kbd_count
	movl $0, LAPIC_EOI
	jmp back

apic_aux:
	inb $0x60, %al
	movb %al, aux_byte
	incl apic_aux_count
	movl $0, LAPIC_EOI
	jmp back

/* The end of every handler: back to the waiting step, its stack as it was. */
back:
	movl resume_sp, %esp
	jmp *resume

bad_vector:
	FAIL F_VECTOR

	.data
	.balign 4
idtr:	.word 256 * 8 - 1
	.long idt
resume:		.long 0 /* where a handler goes back to */
resume_sp:	.long 0
kbd_count:	.long 0
aux_count:	.long 0
apic_kbd_count:	.long 0
apic_aux_count:	.long 0
kbd_byte:	.byte 0
aux_byte:	.byte 0

	.bss
	.balign 8
idt:	.skip 256 * 8
