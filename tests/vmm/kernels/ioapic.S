/*
 * orbvm test kernel for the split irqchip (--irqchip split): a PVH ELF32
 * that programs orbvm's own I/O APIC at 0xFEC00000 and takes COM1's
 * THR-empty interrupt (IRQ 4, pin 4) on the vectors it chose, through the
 * local APIC KVM keeps. Checked, in order: the version register (0x11, 24
 * entries), the ID register written and read back (and the arbitration ID
 * following it), registers beyond the table reading 0, a 16-bit write to
 * IOWIN ignored; wild entries on pin 4 (vectors below 16, SMI, ExtINT, the
 * reserved delivery modes, INIT to an APIC ID nobody has) deliver nothing,
 * and a level entry to nobody keeps remote IRR until rewritten as edge;
 * pin 4 level-triggered: the interrupt arrives with remote IRR set, an EOI
 * with the line still high leaves it delivered again in the local APIC's IRR
 * (orbvm saw the EOI through KVM_EXIT_IOAPIC_EOI), reading IIR drops the line
 * and that re-delivery's EOI clears remote IRR, after which nothing more
 * arrives; masked: the line rises and nothing arrives, and unmasking
 * delivers it (and again after its EOI); edge-triggered: one
 * interrupt per rising edge, remote IRR never set. With 'a' as the command
 * line's first byte (run with --cpus 2) it then starts the AP (INIT/SIPI)
 * and routes pin 4 to APIC ID 1: the AP must take it on its vector, EOI it,
 * and remote IRR must clear. With 's' (--cpus 2) the BSP takes a level
 * interrupt storm (pin 4 never drops: every EOI brings it back) while the
 * AP makes 10000 port I/O exits and then reports PASS if the storm was
 * still going: one vCPU's storm does not starve another's exits. With 'x'
 * the BSP storms alone and never reports (orbvm must still stop on Ctrl-A x
 * or a signal). tests/vmm/run.sh boots it with --debug-exit
 * 0xf4: PASS (orbvm exits 33) or 2n + 1 for the first failed check n; any
 * interrupt on a vector nobody set up fails with F_VECTOR.
 */
#include "check.inc"
#include "apic.inc"
#include "await.inc"

#define F_VERSION	40 /* version register not 0x00170011 */
#define F_ID		41 /* ID or arbitration register not what was written */
#define F_BEYOND	42 /* a register beyond the table does not read 0 */
#define F_HOSTILE	43 /* a 16-bit write to IOWIN changed the entry */
#define F_LEVEL		44 /* no level-triggered interrupt */
#define F_RIRR_SET	45 /* remote IRR clear while the interrupt is in service */
#define F_REDELIVER	46 /* no second delivery after an EOI with the line high */
#define F_RIRR_CLEAR	47 /* remote IRR still set after the last EOI */
#define F_EXTRA		48 /* an interrupt after the line fell */
#define F_MASKED	49 /* an interrupt while masked */
#define F_UNMASK	50 /* no interrupt when the asserted level pin was unmasked */
#define F_EDGE		51 /* not one interrupt per rising edge, or remote IRR set */
#define F_VECTOR	52 /* an interrupt on a vector nobody set up */
#define F_AP_START	53 /* the AP did not come up */
#define F_AP_IRQ	54 /* the AP did not take pin 4, or another CPU did */
#define F_STORM		55 /* 's': the storm did not start, or stopped during the AP's exits */
#define F_WILD		56 /* a wild entry delivered something, or kept/lost remote IRR wrongly */
#define AP_EXITS	10000

#define IOAPIC_SEL	0xfec00000
#define IOAPIC_WIN	0xfec00010
#define PIN4_LO		0x18 /* pin 4's redirection entry: low and high words */
#define PIN4_HI		0x19
#define VEC_BSP		0x44
#define VEC_AP		0x45
#define IRR_REG_BSP	(0x200 + 0x10 * (VEC_BSP / 32)) /* the LAPIC's IRR word and bit */
#define IRR_BIT_BSP	(1 << (VEC_BSP % 32))
#define E_LEVEL		0x8000
#define E_RIRR		0x4000
#define E_MASK		0x10000
#define COM1_IER	0x3f9
#define COM1_IIR	0x3fa

	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 4, 18 /* name size, descriptor size, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

/* Waits QUIET_LOOPS with interrupts on; fails with \code if \counter is not \n after. */
.macro QUIET counter, n, code, label
	movl $\label, resume
	movl %esp, resume_sp
	sti
	movl $QUIET_LOOPS, %ecx
1:	pause
	loop 1b
\label:
	cli
	cmpl $\n, \counter
	je 2f
	FAIL \code
2:
.endm

/* I/O APIC register \reg := \value, or EAX := register \reg. */
.macro IOW reg, value
	movl $\reg, IOAPIC_SEL
	movl $\value, IOAPIC_WIN
.endm
.macro IOR reg
	movl $\reg, IOAPIC_SEL
	movl IOAPIC_WIN, %eax
.endm

/* COM1's THR-empty interrupt off and on again: the line rises (an edge). */
.macro THRE_EDGE
	movw $COM1_IER, %dx
	movb $0, %al
	outb %al, %dx
	movb $2, %al
	outb %al, %dx
.endm

	.text
	.globl pvh_entry
pvh_entry:
	movl $stack_top, %esp
	movl 24(%ebx), %esi /* the command line's first byte is the mode */
	movzbl (%esi), %eax
	movl %eax, mode
	call setup_idt
	movl $0x1ff, LAPIC + LAPIC_SVR /* local APIC on, spurious vector 0xFF */
	cmpb $'s', mode
	je storm
	cmpb $'x', mode
	je storm
	call check_registers
	call check_wild
	call check_level
	call check_mask
	call check_edge
	cmpb $'a', mode
	jne pass
	call check_ap
	jmp pass

check_registers:
	IOR 1
	cmpl $0x00170011, %eax
	jne 9f
	IOW 0, 0x05000000
	IOR 0
	cmpl $0x05000000, %eax
	jne 8f
	IOR 2
	cmpl $0x05000000, %eax
	jne 8f
	IOW 0, 0
	IOR 0x40
	testl %eax, %eax
	jnz 7f
	IOR 0xff
	testl %eax, %eax
	jnz 7f
	movl $PIN4_LO, IOAPIC_SEL
	movw $VEC_BSP, IOAPIC_WIN /* 16 bits: ignored */
	IOR PIN4_LO
	cmpl $E_MASK, %eax
	jne 6f
	ret
9:	FAIL F_VERSION
8:	FAIL F_ID
7:	FAIL F_BEYOND
6:	FAIL F_HOSTILE

/* Each wild low word on pin 4 (destination 0x7F: nobody), the line raised:
 * nothing may arrive, and remote IRR stays clear (none is routed). */
check_wild:
	IOW PIN4_HI, 0x7f000000
	movl $wild_entries, %esi
wild_next:
	movl (%esi), %eax
	testl %eax, %eax
	jz wild_level
	movl $PIN4_LO, IOAPIC_SEL
	movl %eax, IOAPIC_WIN
	pushl %esi
	THRE_EDGE
	QUIET count, 0, F_WILD, wild_quiet
	popl %esi
	IOR PIN4_LO
	testl $E_RIRR, %eax
	jnz 9f
	movw $COM1_IIR, %dx /* the line down again */
	inb %dx, %al
	addl $4, %esi
	jmp wild_next
	/* A deliverable level entry to nobody: remote IRR set and kept. */
wild_level:
	IOW PIN4_LO, VEC_BSP | E_LEVEL
	THRE_EDGE
	QUIET count, 0, F_WILD, wild_nobody
	IOR PIN4_LO
	testl $E_RIRR, %eax
	jz 9f
	IOW PIN4_LO, VEC_BSP | E_MASK /* edge: remote IRR clears */
	IOR PIN4_LO
	testl $E_RIRR, %eax
	jnz 9f
	movw $COM1_IIR, %dx
	inb %dx, %al
	IOW PIN4_HI, 0
	ret
9:	FAIL F_WILD

/* Pin 4 level-triggered to the BSP: taken once with the line high, delivered
 * again after that EOI, and never after the line fell and the last EOI. */
check_level:
	IOW PIN4_HI, 0
	IOW PIN4_LO, VEC_BSP | E_LEVEL
	movl $F_LEVEL, tl_fail
	call take_level
	testl $E_RIRR, entry_first
	jz 9f
	AWAIT count, 2, F_REDELIVER, level_wait2
	QUIET count, 2, F_EXTRA, level_quiet
	IOR PIN4_LO
	testl $E_RIRR, %eax
	jnz 8f
	ret
9:	FAIL F_RIRR_SET
8:	FAIL F_RIRR_CLEAR

/*
 * Raises pin 4's line (level, unmasked) and takes one interrupt whose handler
 * leaves the line high and EOIs; returns with interrupts off, that EOI's
 * re-delivery pending in the local APIC's IRR (else F_REDELIVER), and the
 * line dropped, so the re-delivery is the last interrupt. The line falls
 * here and not in a handler: a host may report the EOI to orbvm at any VM
 * exit after the interrupt was taken rather than at the EOI write (this
 * machine's paravirtual KVM does), and a line still high then would be
 * delivered once more. Fails with tl_fail if nothing arrives.
 */
take_level:
	movl $0xffffffff, clear_at
	movl $tl_taken, resume
	movl %esp, resume_sp
	THRE_EDGE
	sti
	movl $WAIT_LOOPS, %ecx
1:	pause
	loop 1b
	movl tl_fail, %eax
	jmp report
tl_taken:
	testl $IRR_BIT_BSP, LAPIC + IRR_REG_BSP
	jz 9f
	movw $COM1_IIR, %dx
	inb %dx, %al
	movl $0, clear_at
	ret
9:	FAIL F_REDELIVER

/* Masked, the rising line delivers nothing; unmasking delivers it. */
check_mask:
	movl $0, clear_at
	IOW PIN4_LO, VEC_BSP | E_LEVEL | E_MASK
	THRE_EDGE
	QUIET count, 2, F_MASKED, mask_quiet
	movw $COM1_IIR, %dx /* down again: take_level raises it */
	inb %dx, %al
	movl $F_UNMASK, tl_fail
	IOW PIN4_LO, VEC_BSP | E_LEVEL
	call take_level
	AWAIT count, 4, F_UNMASK, mask_wait
	ret

/* Edge-triggered: one interrupt per rising edge, remote IRR never set. */
check_edge:
	IOW PIN4_LO, VEC_BSP
	THRE_EDGE
	AWAIT count, 5, F_EDGE, edge_wait1
	THRE_EDGE
	AWAIT count, 6, F_EDGE, edge_wait2
	QUIET count, 6, F_EDGE, edge_quiet
	testl $E_RIRR, entry_seen
	jnz 9f
	ret
9:	FAIL F_EDGE

/* 's' and 'x': pin 4 level to the BSP, whose handler never drops the line. */
storm:
	cmpb $'s', mode
	jne storm_program
	call start_aps
	AWAIT ap_up, 1, F_AP_START, storm_wait_up
storm_program:
	movl $0xffffffff, clear_at
	IOW PIN4_HI, 0
	IOW PIN4_LO, VEC_BSP | E_LEVEL
	THRE_EDGE
	movl $storm_loop, resume
	movl %esp, resume_sp
storm_loop:
	sti
	pause
	jmp storm_loop

/* Starts the AP, routes pin 4 (level) to APIC ID 1 on VEC_AP; the AP takes it. */
check_ap:
	IOW PIN4_LO, VEC_BSP | E_MASK
	call start_aps
	AWAIT ap_up, 1, F_AP_START, ap_wait_up
	IOW PIN4_HI, 0x01000000
	IOW PIN4_LO, VEC_AP | E_LEVEL
	THRE_EDGE
	AWAIT ap_count, 1, F_AP_IRQ, ap_wait_irq
	QUIET ap_count, 1, F_AP_IRQ, ap_quiet
	cmpl $1, ap_irq_apic
	jne 9f
	IOR PIN4_LO
	testl $E_RIRR, %eax
	jnz 9f
	ret
9:	FAIL F_AP_IRQ

/* start_aps: the trampoline below 1 MiB, then INIT and two SIPIs to the other CPUs. */
	APIC_START_CODE

/* Every vector to bad_vector but the two handlers'. */
setup_idt:
	xorl %ecx, %ecx
1:	movl $bad_vector, %eax
	call set_gate
	incl %ecx
	cmpl $256, %ecx
	jne 1b
	movl $VEC_BSP, %ecx
	movl $bsp_irq, %eax
	call set_gate
	movl $VEC_AP, %ecx
	movl $ap_irq, %eax
	call set_gate
	lidt idtr
	ret

	SET_GATE_CODE /* set_gate */

/*
 * Pin 4 on the BSP: counts; from count clear_at on, reads IIR (which drops
 * the line) as its first VM exit; records the entry (remote IRR), the first
 * one's apart; EOIs.
 */
bsp_irq:
	incl count
	movl count, %eax
	cmpl clear_at, %eax
	jb 1f
	movw $COM1_IIR, %dx
	inb %dx, %al
1:	IOR PIN4_LO
	movl %eax, entry_seen
	cmpl $1, count
	jne 2f
	movl %eax, entry_first
2:	movl $0, LAPIC + LAPIC_EOI
	movl resume_sp, %esp
	jmp *resume

bad_vector:
	FAIL F_VECTOR

/* The AP in 32-bit protected mode, from the trampoline: waits with interrupts on. */
ap_entry32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $ap_stack_top, %esp
	lidt idtr
	movl $0x1ff, LAPIC + LAPIC_SVR
	lock incl ap_up
	cmpb $'s', mode
	je ap_storm
ap_idle:
	sti
	hlt
	jmp ap_idle

/* 's': waits for the BSP's storm, makes AP_EXITS port exits, checks it went on. */
ap_storm:
	movl $WAIT_LOOPS, %ecx
1:	cmpl $2, count
	jae 2f
	pause
	loop 1b
	FAIL F_STORM
2:	movl count, %ebx
	movl $AP_EXITS, %ecx
	movw $COM1_IIR + 3, %dx /* LSR: no side effect */
3:	inb %dx, %al
	loop 3b
	cmpl count, %ebx
	jae 4f
	jmp pass
4:	FAIL F_STORM

/* Pin 4 on the AP: records which local APIC took it, drops the line, EOIs. */
ap_irq:
	movw $COM1_IIR, %dx /* first: the line falls before any other VM exit */
	inb %dx, %al
	movl LAPIC + LAPIC_ID, %eax
	shrl $24, %eax
	movl %eax, ap_irq_apic
	movl $0, LAPIC + LAPIC_EOI
	lock incl ap_count
	movl $ap_stack_top, %esp
	jmp ap_idle


	.section .rodata
	.balign 4
/* Wild low words for pin 4: vectors 0 and 15 fixed (edge and level), 3 lowest
 * priority, SMI, reserved 3 and 6, ExtINT, INIT (to nobody). */
wild_entries:
	.long 0x0000, 0x800f, 0x0103, 0x0244, 0x0344, 0x0644, 0x0744, 0x0500, 0

	.data
	.balign 4
idtr:	.word 256 * 8 - 1
	.long idt
mode:		.long 0
resume:		.long 0 /* where the BSP's handler goes back to */
resume_sp:	.long 0
count:		.long 0 /* pin 4 interrupts on the BSP */
clear_at:	.long 0 /* the handler reads IIR from this count on */
entry_seen:	.long 0 /* pin 4's entry (low word) in the last handler */
entry_first:	.long 0 /* ... and in the first */
ap_up:		.long 0
ap_count:	.long 0 /* pin 4 interrupts on the AP */
ap_irq_apic:	.long 0xff
tl_fail:	.long 0 /* take_level's failure code */

	.bss
	.balign 8
idt:	.skip 256 * 8
	.balign 16
ap_stack:	.skip 1024
ap_stack_top:
