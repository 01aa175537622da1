/*
 * I/O APIC driver (see ioapic.h). Registers are reached through an index
 * (IOREGSEL, offset 0) and a data window (IOWIN, offset 0x10); redirection
 * entry n is the register pair 0x10 + 2n (low) and 0x11 + 2n (high).
 * ioapic_lock guards the index/data pairs.
 */
#include "ioapic.h"
#include "boot/acpi.h"
#include "console/kprintf.h"
#include "base/spinlock.h"
#include "mm/mem_init.h"

#define MAX_IOAPICS 16
#define REG_VER	    0x01
#define RED_MASKED  (1u << 16)
#define RED_LEVEL   (1u << 15)
#define RED_LOW	    (1u << 13)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t gsi_base;
	uint32_t inputs;
};

static struct ioapic ioapics[MAX_IOAPICS];
static unsigned count;
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

static uint32_t rd(struct ioapic *io, uint32_t reg)
{
	io->regs[0] = reg;
	return io->regs[4];
}

static void wr(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[0] = reg;
	io->regs[4] = v;
}

unsigned ioapic_init(const struct acpi_info *acpi)
{
	for (size_t i = 0; i < acpi->madt.ioapic_count && count < MAX_IOAPICS; i++) {
		const struct acpi_ioapic *a = &acpi->madt.ioapics[i];
		struct ioapic *io = &ioapics[count];
		io->regs = kmap_mmio(a->address, PAGE_SIZE);
		if (!io->regs) {
			kwarn("ioapic: cannot map registers at 0x%x\n", a->address);
			continue;
		}
		io->gsi_base = a->gsi_base;
		io->inputs = ((rd(io, REG_VER) >> 16) & 0xff) + 1;
		for (uint32_t n = 0; n < io->inputs; n++) {
			wr(io, 0x10 + 2 * n, RED_MASKED);
			wr(io, 0x11 + 2 * n, 0);
		}
		kinfo("ioapic: id %u at 0x%x, GSIs %u-%u\n", a->id, a->address, io->gsi_base,
		      io->gsi_base + io->inputs - 1);
		count++;
	}
	return count;
}

static struct ioapic *find(uint32_t gsi)
{
	for (unsigned i = 0; i < count; i++)
		if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].inputs)
			return &ioapics[i];
	return NULL;
}

int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool level, bool active_low,
		 bool masked)
{
	struct ioapic *io = find(gsi);
	if (!io)
		return -ERR_NOENT;
	uint32_t n = gsi - io->gsi_base;
	uint32_t lo = vector | (level ? RED_LEVEL : 0) | (active_low ? RED_LOW : 0) |
		      (masked ? RED_MASKED : 0);
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	wr(io, 0x11 + 2 * n, dest << 24);
	wr(io, 0x10 + 2 * n, lo);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return 0;
}

void ioapic_set_mask(uint32_t gsi, bool masked)
{
	struct ioapic *io = find(gsi);
	if (!io)
		return;
	uint32_t n = gsi - io->gsi_base;
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	uint32_t lo = rd(io, 0x10 + 2 * n);
	wr(io, 0x10 + 2 * n, masked ? (lo | RED_MASKED) : (lo & ~RED_MASKED));
	spin_unlock_irqrestore(&ioapic_lock, f);
}
