/*
 * The I/O APIC register model and pin logic; the rules are in ioapic.h.
 *
 * Trust boundary: every guest access arrives through ioapic_mmio() with an
 * offset inside the window and a length of 1..8 (the bus guarantees both);
 * the register number, the entry bits and the vector come from the guest
 * and are only ever used as indices after a bounds check. Nothing the guest
 * writes can make orbvm fail: the worst is a pin that delivers nothing.
 */
#include <string.h>

#include "err.h"
#include "irq/ioapic.h"

/* Bits the guest may write in an entry's low and high halves. */
#define LOW_WRITABLE                                                                               \
	(IOAPIC_VECTOR | IOAPIC_DM_MASK | IOAPIC_DESTMODE | IOAPIC_POLARITY_LOW | IOAPIC_LEVEL |   \
	 IOAPIC_MASKED)
#define HIGH_WRITABLE (0xffull << IOAPIC_DEST_SHIFT)

#define MSI_BASE	  0xfee00000u
#define MSI_DEST_SHIFT	  12
#define MSI_RH		  (1u << 3)
#define MSI_DM_LOGICAL	  (1u << 2)
#define MSI_LEVEL_ASSERT  (1u << 14)
#define MSI_TRIGGER_LEVEL (1u << 15)

void ioapic_init(struct ioapic *io, const struct ioapic_ops *ops, void *ctx)
{
	memset(io, 0, sizeof(*io));
	pthread_mutex_init(&io->lock, NULL);
	io->ops = ops;
	io->ctx = ctx;
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		io->redir[i] = IOAPIC_MASKED;
}

void ioapic_destroy(struct ioapic *io)
{
	pthread_mutex_destroy(&io->lock);
}

int ioapic_source_alloc(struct ioapic *io, unsigned pin)
{
	if (pin >= IOAPIC_PINS)
		return err_set(ERR_INVAL, "I/O APIC pin %u: there are %u", pin, IOAPIC_PINS);
	pthread_mutex_lock(&io->lock);
	int s = io->nsources[pin] + 1;
	if (s < IOAPIC_MAX_SOURCES)
		io->nsources[pin] = (uint8_t)s;
	pthread_mutex_unlock(&io->lock);
	if (s >= IOAPIC_MAX_SOURCES)
		return err_set(ERR_NOSPACE, "I/O APIC pin %u: more than %u devices share it", pin,
			       IOAPIC_MAX_SOURCES - 1);
	return s;
}

static unsigned entry_mode(uint64_t e)
{
	return (unsigned)((e & IOAPIC_DM_MASK) >> IOAPIC_DM_SHIFT);
}

/* Level semantics apply to fixed and lowest-priority entries only. */
static bool entry_level(uint64_t e)
{
	unsigned m = entry_mode(e);
	return (e & IOAPIC_LEVEL) && (m == IOAPIC_DM_FIXED || m == IOAPIC_DM_LOWEST);
}

bool ioapic_entry_msi(uint64_t e, struct ioapic_msi *msi)
{
	unsigned mode = entry_mode(e), vector = (unsigned)(e & IOAPIC_VECTOR);
	bool interrupt = mode == IOAPIC_DM_FIXED || mode == IOAPIC_DM_LOWEST;
	if (!(interrupt && vector >= 16) && mode != IOAPIC_DM_NMI && mode != IOAPIC_DM_INIT)
		return false;
	uint32_t dest = (uint32_t)(e >> IOAPIC_DEST_SHIFT) & 0xff;
	msi->address = MSI_BASE | dest << MSI_DEST_SHIFT;
	if (e & IOAPIC_DESTMODE)
		msi->address |= MSI_DM_LOGICAL;
	if (mode == IOAPIC_DM_LOWEST)
		msi->address |= MSI_RH;
	msi->data = (interrupt ? vector : 0) | mode << IOAPIC_DM_SHIFT | MSI_LEVEL_ASSERT;
	if (entry_level(e))
		msi->data |= MSI_TRIGGER_LEVEL;
	return true;
}

/* Tells ops->route if pin's message changed. Caller holds io->lock. */
static void update_route(struct ioapic *io, unsigned pin)
{
	struct ioapic_msi m = {0};
	bool ok = ioapic_entry_msi(io->redir[pin], &m);
	if (ok == io->routed[pin] &&
	    (!ok || (m.address == io->msi[pin].address && m.data == io->msi[pin].data)))
		return;
	io->routed[pin] = ok;
	io->msi[pin] = m;
	if (io->ops && io->ops->route)
		io->ops->route(io->ctx, pin, ok ? &m : NULL);
}

static bool asserted(const struct ioapic *io, unsigned pin)
{
	return (io->sources[pin] != 0) != ((io->redir[pin] & IOAPIC_POLARITY_LOW) != 0);
}

/* pin fired (an edge, or a level that may be delivered). Caller holds io->lock. */
static void service(struct ioapic *io, unsigned pin)
{
	uint64_t *e = &io->redir[pin];
	if (*e & IOAPIC_MASKED)
		return;
	if (!io->routed[pin]) {
		io->dropped++;
		return;
	}
	if (entry_level(*e)) {
		if (*e & IOAPIC_REMOTE_IRR)
			return; /* delivered, not yet EOIed: the EOI re-delivers */
		*e |= IOAPIC_REMOTE_IRR;
	}
	io->delivered++;
	if (io->ops && io->ops->deliver)
		io->ops->deliver(io->ctx, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, unsigned source, bool level)
{
	if (pin >= IOAPIC_PINS || source >= IOAPIC_MAX_SOURCES)
		return;
	pthread_mutex_lock(&io->lock);
	bool was = asserted(io, pin);
	if (level)
		io->sources[pin] |= 1u << source;
	else
		io->sources[pin] &= ~(1u << source);
	bool now = asserted(io, pin);
	if (now && (!was || entry_level(io->redir[pin])))
		service(io, pin);
	pthread_mutex_unlock(&io->lock);
}

void ioapic_eoi(struct ioapic *io, unsigned vector)
{
	pthread_mutex_lock(&io->lock);
	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t *e = &io->redir[pin];
		if (!(*e & IOAPIC_REMOTE_IRR) || (*e & IOAPIC_VECTOR) != vector)
			continue;
		*e &= ~IOAPIC_REMOTE_IRR;
		if (asserted(io, pin))
			service(io, pin);
	}
	pthread_mutex_unlock(&io->lock);
}

/* A write of the guest's entry half. Caller holds io->lock. */
static void write_entry(struct ioapic *io, unsigned pin, bool high, uint32_t v)
{
	uint64_t *e = &io->redir[pin];
	if (high) {
		*e = (*e & ~HIGH_WRITABLE) | (((uint64_t)v << 32) & HIGH_WRITABLE);
	} else {
		*e = (*e & ~LOW_WRITABLE) | (v & LOW_WRITABLE);
		if (!entry_level(*e))
			*e &= ~IOAPIC_REMOTE_IRR;
	}
	update_route(io, pin);
	/* An asserted level line: delivered now if the entry allows it (an unmask). */
	if (!high && entry_level(*e) && asserted(io, pin))
		service(io, pin);
}

/* The register IOREGSEL selects. Caller holds io->lock. */
static uint32_t read_reg(struct ioapic *io, uint32_t reg)
{
	if (reg == IOAPIC_REG_ID || reg == IOAPIC_REG_ARB)
		return (uint32_t)io->id << 24;
	if (reg == IOAPIC_REG_VER)
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	if (reg < IOAPIC_REG_REDIR || reg >= IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		return 0;
	uint64_t e = io->redir[(reg - IOAPIC_REG_REDIR) / 2];
	return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
}

static void write_reg(struct ioapic *io, uint32_t reg, uint32_t v)
{
	if (reg == IOAPIC_REG_ID)
		io->id = (uint8_t)((v >> 24) & 0xf);
	else if (reg >= IOAPIC_REG_REDIR && reg < IOAPIC_REG_REDIR + 2 * IOAPIC_PINS)
		write_entry(io, (reg - IOAPIC_REG_REDIR) / 2, reg & 1, v);
}

/* The 32-bit register at window offset `dword` (a multiple of 4). */
static uint32_t read_dword(struct ioapic *io, uint64_t dword)
{
	if (dword == IOAPIC_REG_SEL)
		return io->ioregsel;
	if (dword == IOAPIC_REG_WIN)
		return read_reg(io, io->ioregsel);
	return 0;
}

void ioapic_mmio(void *ctx, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct ioapic *io = ctx;
	uint32_t v = 0;
	pthread_mutex_lock(&io->lock);
	if (!is_write) {
		/* Byte by byte: any size at any offset reads what the registers hold. */
		for (uint32_t i = 0; i < len && i < 8; i++) {
			uint64_t at = offset + i;
			data[i] = (uint8_t)(read_dword(io, at & ~3ull) >> (8 * (at & 3)));
		}
	} else if (offset == IOAPIC_REG_SEL && (len == 4 || len == 1)) {
		io->ioregsel = data[0];
	} else if (offset == IOAPIC_REG_WIN && len == 4) {
		memcpy(&v, data, 4);
		write_reg(io, io->ioregsel, v);
	} else {
		io->ignored_writes++;
	}
	pthread_mutex_unlock(&io->lock);
}

uint64_t ioapic_entry(struct ioapic *io, unsigned pin)
{
	if (pin >= IOAPIC_PINS)
		return 0;
	pthread_mutex_lock(&io->lock);
	uint64_t e = io->redir[pin];
	pthread_mutex_unlock(&io->lock);
	return e;
}
