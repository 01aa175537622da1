/*
 * libFuzzer target: orbvm's I/O APIC model (vmm/irq/ioapic.c) driven by a
 * random stream of guest MMIO accesses, device line changes and EOIs.
 *
 * Input: 6-byte operations: u8 op, u8 arg, u32 value. op % 6: 0 an MMIO
 * write and 1 an MMIO read at window offset arg of length 1, 2, 4 or 8
 * ((op >> 3) & 3); 2 IOREGSEL := arg then IOWIN := value; 3 source
 * (value >> 8) % 34 of pin arg % 26 to level value & 1 (bad pins and
 * sources included); 4 an EOI of vector arg; 5 IOREGSEL := arg, then a read
 * of IOWIN. Checked after every operation, for every pin: remote IRR only on
 * a level-triggered fixed or lowest-priority entry, no reserved bit set, the
 * route last reported equal to the message the entry makes (or none); at
 * every delivery: the pin unmasked and routed and, if level, remote IRR set;
 * the version register always 0x00170011; no out-of-bounds access (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "irq/ioapic.h"

#define RESERVED 0x00fffffffffe0000ull /* bits 17..55 */

static struct ioapic io;
static bool routed[IOAPIC_PINS];
static struct ioapic_msi msi[IOAPIC_PINS];

static void on_route(void *ctx, unsigned pin, const struct ioapic_msi *m)
{
	(void)ctx;
	if (pin >= IOAPIC_PINS)
		abort();
	routed[pin] = m != NULL;
	if (m)
		msi[pin] = *m;
}

/* Called with the model's lock held: read its state directly. */
static void on_deliver(void *ctx, unsigned pin)
{
	(void)ctx;
	if (pin >= IOAPIC_PINS || !routed[pin])
		abort();
	uint64_t e = io.redir[pin];
	if (e & IOAPIC_MASKED)
		abort();
	unsigned mode = (unsigned)((e & IOAPIC_DM_MASK) >> IOAPIC_DM_SHIFT);
	bool level = (e & IOAPIC_LEVEL) && mode <= IOAPIC_DM_LOWEST;
	if (level && !(e & IOAPIC_REMOTE_IRR))
		abort();
}

static const struct ioapic_ops ops = {.route = on_route, .deliver = on_deliver};

static void check(void)
{
	for (unsigned p = 0; p < IOAPIC_PINS; p++) {
		uint64_t e = ioapic_entry(&io, p);
		unsigned mode = (unsigned)((e & IOAPIC_DM_MASK) >> IOAPIC_DM_SHIFT);
		if ((e & IOAPIC_REMOTE_IRR) && !((e & IOAPIC_LEVEL) && mode <= IOAPIC_DM_LOWEST))
			abort();
		if (e & (RESERVED | IOAPIC_DELIVS))
			abort();
		struct ioapic_msi m;
		bool ok = ioapic_entry_msi(e, &m);
		if (ok != routed[p] ||
		    (ok && (m.address != msi[p].address || m.data != msi[p].data)))
			abort();
	}
}

static void access(uint64_t off, uint32_t len, uint32_t v, bool write)
{
	uint8_t d[8] = {0};
	memcpy(d, &v, 4);
	ioapic_mmio(&io, off, d, len, write);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t lens[4] = {1, 2, 4, 8};
	ioapic_init(&io, &ops, NULL);
	memset(routed, 0, sizeof(routed));
	for (size_t i = 0; i + 6 <= size; i += 6) {
		uint8_t op = data[i], arg = data[i + 1];
		uint32_t v;
		memcpy(&v, data + i + 2, 4);
		uint32_t len = lens[(op >> 3) & 3];
		switch (op % 6) {
		case 0:
		case 1:
			/* The bus never passes an access beyond the window. */
			if (arg + len <= IOAPIC_WINDOW)
				access(arg, len, v, op % 6 == 0);
			break;
		case 2:
			access(IOAPIC_REG_SEL, 4, arg, true);
			access(IOAPIC_REG_WIN, 4, v, true);
			break;
		case 3:
			ioapic_set_irq(&io, arg % 26u, (v >> 8) % 34u, v & 1);
			break;
		case 4:
			ioapic_eoi(&io, arg);
			break;
		default:
			access(IOAPIC_REG_SEL, 4, arg, true);
			access(IOAPIC_REG_WIN, 4, 0, false);
			break;
		}
		check();
	}
	uint8_t d[4];
	uint32_t ver = IOAPIC_REG_VER;
	memcpy(d, &ver, 4);
	ioapic_mmio(&io, IOAPIC_REG_SEL, d, 4, true);
	ioapic_mmio(&io, IOAPIC_REG_WIN, d, 4, false);
	memcpy(&ver, d, 4);
	if (ver != 0x00170011)
		abort();
	ioapic_destroy(&io);
	return 0;
}
