/*
 * The local APIC of each CPU: interrupts to and from this CPU, IPIs, and its
 * timer. xAPIC mode (MMIO registers) everywhere; x2APIC mode (MSRs) when the
 * CPU has it. The timer is calibrated once on the boot CPU against the PIT
 * (or, with TSC-deadline, the TSC frequency is measured) and then used by all.
 */
#ifndef ORB_X86_LAPIC_H
#define ORB_X86_LAPIC_H

#include "lib/types.h"

/* Interrupt vectors with a fixed use. */
#define VEC_PIC_BASE	0x20 /* the masked 8259s, in case they still fire */
#define VEC_IRQ_FIRST	0x30 /* device interrupts, handed out by irq.c */
#define VEC_IRQ_LAST	0xdf
#define VEC_TIMER	0xe0
#define VEC_IPI_RESCHED 0xf1
#define VEC_IPI_TLB	0xf2
#define VEC_IPI_CALL	0xf3
#define VEC_APIC_ERROR	0xfe
#define VEC_SPURIOUS	0xff

/* Maps the registers (xAPIC) or switches to x2APIC; on the boot CPU. */
void lapic_init_boot(uint64_t mmio_phys);
/* Enables this CPU's local APIC (spurious vector, LINT, error vector). */
void lapic_init_cpu(void);

uint32_t lapic_id(void);
bool lapic_x2apic(void);
bool lapic_tsc_deadline(void);
void lapic_eoi(void);

/* IPIs. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_ipi_all_but_self(uint8_t vector);
void lapic_send_nmi_all_but_self(void);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);

/* Timer: calibrates (boot CPU), then starts periodic ticks at hz on this CPU.
 * lapic_calibrate_begin() opens the measuring window (first thing in platform
 * start-up, before the local APIC is set up); lapic_timer_calibrate() closes
 * it, waiting only for what the work in between did not already take. */
void lapic_calibrate_begin(void);
void lapic_timer_calibrate(void);
void lapic_timer_start(uint32_t hz);
/* Called on every tick: re-arms the one-shot TSC-deadline timer (no-op when periodic). */
void lapic_timer_rearm(void);
uint64_t lapic_timer_hz(void); /* measured APIC timer input frequency */

/* TSC frequency in Hz, measured against the PIT during calibration. */
uint64_t tsc_hz(void);

#endif
