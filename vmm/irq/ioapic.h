/*
 * orbvm's I/O APIC (the split irqchip's user-space half): the register model
 * of an 82093AA-style I/O APIC with 24 pins at 0xFEC00000, and what a pin
 * does when its line changes or the guest EOIs its vector.
 *
 * Owns: IOREGSEL/IOWIN, the ID, version (0x11, 24 entries) and arbitration
 * registers, the redirection table, each pin's line (the OR of its sources),
 * remote IRR, masking and polarity. Does not own: how an interrupt reaches
 * the local APICs. That is the caller's struct ioapic_ops (vm.c: an MSI
 * route on GSI = pin in KVM's routing table, vmm/irq/gsi_routes.h, raised
 * with KVM_IRQ_LINE); host tests plug in recorders, so there is no KVM here.
 *
 * The model:
 *  - A pin's line is asserted when (sources != 0) XOR polarity (bit 13):
 *    devices drive their lines active-high, as the MADT describes them.
 *  - Edge-triggered (bit 15 clear): each rising edge of the asserted state
 *    is delivered if the pin is unmasked; an edge while masked is lost (as
 *    the datasheet says).
 *  - Level-triggered: while the line is asserted, the pin unmasked and remote
 *    IRR (bit 14) clear, the interrupt is delivered and remote IRR set.
 *    ioapic_eoi(vector) clears remote IRR on every level pin with that
 *    vector and delivers again at once if the line is still asserted. A
 *    masked level pin asserted is delivered when unmasked.
 *  - Rewriting an entry to edge clears remote IRR (Linux's way out of a
 *    stuck remote IRR on I/O APICs without an EOI register).
 *  - Only fixed and lowest-priority delivery (vector 16..255), NMI and INIT
 *    are deliverable; NMI and INIT are always edge. SMI (no SMM firmware
 *    here), ExtINT (no 8259 behind this I/O APIC), the reserved modes 3 and
 *    6 and vectors 0..15 get no route: such a pin delivers nothing and each
 *    would-be delivery is counted in `dropped`. Destinations are not
 *    checked: one no local APIC has reaches nobody (KVM's doing), and a
 *    level pin then keeps remote IRR until rewritten.
 *  - ops->route(pin, msi) is told whenever the message a pin would send
 *    changes (NULL: not deliverable); masking does not change it.
 *    ops->deliver(pin) sends it. Both run with the lock held, before any
 *    later change, so a delivery always uses the route of the entry the
 *    guest last wrote.
 *
 * Guest accesses (ioapic_mmio, a bus_handler_fn for the 256-byte window):
 * IOREGSEL at 0x00 and IOWIN at 0x10 are 32-bit registers. A read of any
 * size at any offset returns the bytes of the register holding them (zeros
 * outside the two registers). Only 32-bit writes at 0x00 or 0x10, and 8-bit
 * writes at 0x00 (IOREGSEL's register number), take effect; every other
 * write is ignored and counted in `ignored_writes`. IOREGSEL keeps its low
 * 8 bits. Registers beyond the table (0x03..0x0F, 0x40..0xFF) read 0 and
 * ignore writes. Read-only bits (delivery status, remote IRR, reserved bits
 * 17..55) ignore writes; delivery status always reads 0 (delivery is
 * immediate).
 *
 * Locking: `lock` guards everything in struct ioapic after setup. Every
 * entry point takes it; callers may hold their own device lock (the
 * serial's, the i8042's) but the ops must not call back into the ioapic.
 * Lock order: device lock -> ioapic lock -> gsi_routes lock.
 */
#ifndef ORBVM_IRQ_IOAPIC_H
#define ORBVM_IRQ_IOAPIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_BASE	   0xfec00000ull
#define IOAPIC_WINDOW	   0x100
#define IOAPIC_PINS	   24
#define IOAPIC_VERSION	   0x11
#define IOAPIC_MAX_SOURCES 32 /* devices sharing one pin */
#define IOAPIC_REG_SEL	   0x00
#define IOAPIC_REG_WIN	   0x10
#define IOAPIC_REG_ID	   0x00
#define IOAPIC_REG_VER	   0x01
#define IOAPIC_REG_ARB	   0x02
#define IOAPIC_REG_REDIR   0x10 /* entry n: low half at 0x10 + 2n, high at 0x11 + 2n */

/* Redirection entry bits. */
#define IOAPIC_VECTOR	    0xffull
#define IOAPIC_DM_SHIFT	    8
#define IOAPIC_DM_MASK	    (7ull << IOAPIC_DM_SHIFT)
#define IOAPIC_DESTMODE	    (1ull << 11) /* logical */
#define IOAPIC_DELIVS	    (1ull << 12) /* delivery status (read-only) */
#define IOAPIC_POLARITY_LOW (1ull << 13)
#define IOAPIC_REMOTE_IRR   (1ull << 14) /* read-only */
#define IOAPIC_LEVEL	    (1ull << 15)
#define IOAPIC_MASKED	    (1ull << 16)
#define IOAPIC_DEST_SHIFT   56

enum ioapic_delivery {
	IOAPIC_DM_FIXED = 0,
	IOAPIC_DM_LOWEST = 1,
	IOAPIC_DM_SMI = 2,
	IOAPIC_DM_NMI = 4,
	IOAPIC_DM_INIT = 5,
	IOAPIC_DM_EXTINT = 7,
};

/* The message a pin sends to the local APICs, in the MSI format. */
struct ioapic_msi {
	uint32_t address; /* 0xFEE00000 | dest << 12 | RH << 3 | DM << 2 */
	uint32_t data;	  /* vector | delivery mode << 8 | 1 << 14 | trigger << 15 */
};

struct ioapic_ops {
	/* pin's message changed; msi NULL: the pin has nothing to send. */
	void (*route)(void *ctx, unsigned pin, const struct ioapic_msi *msi);
	/* Send pin's current message (route() was told it). */
	void (*deliver)(void *ctx, unsigned pin);
};

struct ioapic {
	pthread_mutex_t lock; /* guards every field below after ioapic_init */
	const struct ioapic_ops *ops;
	void *ctx;
	uint32_t ioregsel;
	uint8_t id;
	uint64_t redir[IOAPIC_PINS];
	uint32_t sources[IOAPIC_PINS]; /* bit s: source s asserts the line */
	uint8_t nsources[IOAPIC_PINS]; /* sources handed out (ioapic_source_alloc) */
	bool routed[IOAPIC_PINS];      /* route() last told a message, which is: */
	struct ioapic_msi msi[IOAPIC_PINS];
	unsigned long long delivered;	   /* deliver() calls */
	unsigned long long dropped;	   /* deliveries of pins with no route */
	unsigned long long ignored_writes; /* malformed guest writes */
};

/* Every entry masked, all lines low, no routes; ops may be NULL (nothing sent). */
void ioapic_init(struct ioapic *io, const struct ioapic_ops *ops, void *ctx);
void ioapic_destroy(struct ioapic *io);

/*
 * A new source for `pin` (a device's share of the line), 1..31; source 0 is
 * vm_irq_line()'s. Setup only. Returns it, or -ERR_INVAL / -ERR_NOSPACE.
 */
int ioapic_source_alloc(struct ioapic *io, unsigned pin);

/* Source `source` of pin's line is now `level`; bad pins or sources are ignored. */
void ioapic_set_irq(struct ioapic *io, unsigned pin, unsigned source, bool level);

/* The guest EOIed `vector` at a local APIC (KVM_EXIT_IOAPIC_EOI). */
void ioapic_eoi(struct ioapic *io, unsigned vector);

/* The MMIO window (bus_handler_fn); rules above. */
void ioapic_mmio(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

/* Redirection entry of pin, as the guest would read it (0 for a bad pin). */
uint64_t ioapic_entry(struct ioapic *io, unsigned pin);

/* The message a redirection entry sends; false if it is not deliverable. */
bool ioapic_entry_msi(uint64_t entry, struct ioapic_msi *msi);

#endif
