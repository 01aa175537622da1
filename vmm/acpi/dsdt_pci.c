/*
 * The DSDT's PCI part: the host bridge, its interrupt links and the
 * reservation of the ECAM window. ASL equivalent (values from struct
 * acpi_pci, i.e. vmm/pci/pci_host.h):
 *
 *   Device (PCI0) {
 *     Name (_HID, EisaId ("PNP0A08"))           // PCI Express root bridge
 *     Name (_CID, EisaId ("PNP0A03"))           // PCI root bridge
 *     Name (_UID, Zero)
 *     Name (_SEG, Zero)
 *     Name (_BBN, Zero)
 *     Name (_CRS, ResourceTemplate () {
 *       WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 *                      0, 0, bus_end, 0, bus_end + 1)
 *       IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
 *       WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
 *               0, io_min, io_max, 0, io_max - io_min + 1)
 *       DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable,
 *                    ReadWrite, 0, mem32_min, mem32_max, 0, size)
 *       QWordMemory (... the same for mem64_min, mem64_max)
 *     })
 *     Name (_PRT, Package () {           // slots 1..31, pins INTA..INTD
 *       Package () { 0xSSSSFFFF, pin, \_SB.LNKx, 0 }, ...   // x = (slot + pin) % 4
 *     })
 *   }
 *   Device (LNKA) {                      // LNKA..LNKD: GSI gsi_base + 0..3
 *     Name (_HID, EisaId ("PNP0C0F"))
 *     Name (_UID, 0)                     // 0..3
 *     Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared)
 * {gsi} }) Name (_CRS, ResourceTemplate () { the same }) Method (_SRS, 1) { }               // the
 * one possible setting is always current Method (_DIS, 0) { }
 *   }
 *   Device (ECAM) {                      // motherboard resource: Linux wants the MCFG area
 * reserved Name (_HID, EisaId ("PNP0C02")) Name (_UID, Zero) Name (_CRS, ResourceTemplate () {
 * Memory32Fixed (ReadWrite, ecam_base, (bus_end + 1) MiB) })
 *   }
 *
 * The links make the interrupts level-triggered and active high (a _PRT
 * entry naming a GSI directly would be active low by ACPI's default), as
 * the PCI interrupts are raised with level 1 = asserted.
 */
#include <string.h>

#include "acpi.h"
#include "aml.h"

static const uint8_t dev_op[] = {AML_EXT, AML_EXT_DEVICE};

static void name_int(struct aml *a, const char *name, uint64_t v)
{
	aml_byte(a, AML_NAME);
	aml_name(a, name);
	aml_int(a, v);
}

static void name_eisa(struct aml *a, const char *name, const char *id)
{
	aml_byte(a, AML_NAME);
	aml_name(a, name);
	aml_eisaid(a, id);
}

/* Word (0x88) address space descriptor, producer, min and max fixed: 16 bytes at p. */
static size_t word_space(uint8_t *p, uint8_t type, uint8_t tflags, uint16_t min, uint16_t max)
{
	const uint8_t d[16] = {0x88,
			       13,
			       0,
			       type,
			       0x0c,
			       tflags,
			       0,
			       0,
			       (uint8_t)min,
			       (uint8_t)(min >> 8),
			       (uint8_t)max,
			       (uint8_t)(max >> 8),
			       0,
			       0,
			       (uint8_t)(max - min + 1),
			       (uint8_t)((max - min + 1) >> 8)};
	memcpy(p, d, sizeof(d));
	return sizeof(d);
}

/* DWord (0x87) memory descriptor, producer, fixed, non-cacheable, read-write: 26 bytes. */
static size_t dword_mem(uint8_t *p, uint32_t min, uint32_t max)
{
	memset(p, 0, 26);
	p[0] = 0x87;
	p[1] = 23;
	p[3] = 0; /* memory */
	p[4] = 0x0c;
	p[5] = 0x01;
	aml_put32(p + 10, min);
	aml_put32(p + 14, max);
	aml_put32(p + 22, max - min + 1);
	return 26;
}

/* QWord (0x8A) memory descriptor, the same for a 64-bit range: 46 bytes. */
static size_t qword_mem(uint8_t *p, uint64_t min, uint64_t max)
{
	memset(p, 0, 46);
	p[0] = 0x8a;
	p[1] = 43;
	p[3] = 0;
	p[4] = 0x0c;
	p[5] = 0x01;
	aml_put64(p + 14, min);
	aml_put64(p + 22, max);
	aml_put64(p + 38, max - min + 1);
	return 46;
}

static void pci0_crs(struct aml *dev, const struct acpi_pci *pci)
{
	uint8_t res[128];
	size_t n = word_space(res, 2, 0, 0, pci->bus_end);
	const uint8_t cf8[8] = {0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08};
	memcpy(res + n, cf8, sizeof(cf8));
	n += sizeof(cf8);
	n += word_space(res + n, 1, 0x03, pci->io_min, pci->io_max);
	n += dword_mem(res + n, pci->mem32_min, pci->mem32_max);
	n += qword_mem(res + n, pci->mem64_min, pci->mem64_max);
	aml_name_crs(dev, "_CRS", res, n);
}

/* Name (_PRT, Package () { ... }): slots 1..31, four pins each. */
static void pci0_prt(struct aml *dev)
{
	uint8_t pbuf[4096];
	struct aml pkg = {.buf = pbuf, .max = sizeof(pbuf)};
	aml_byte(&pkg, 31 * 4);
	for (unsigned slot = 1; slot < 32; slot++) {
		for (unsigned pin = 0; pin < 4; pin++) {
			uint8_t ebuf[32];
			struct aml e = {.buf = ebuf, .max = sizeof(ebuf)};
			aml_byte(&e, 4);
			uint8_t addr[5] = {AML_DWORD};
			aml_put32(addr + 1, slot << 16 | 0xffff);
			aml_bytes(&e, addr, sizeof(addr));
			aml_int(&e, pin);
			char link[] = "\\_SB_LNKA"; /* a rooted two-segment name */
			link[8] = (char)('A' + (slot + pin) % 4);
			const uint8_t path[] = {'\\', 0x2e}; /* root, DualNamePrefix */
			aml_bytes(&e, path, sizeof(path));
			aml_bytes(&e, link + 1, 8);
			aml_int(&e, 0);
			const uint8_t op = AML_PACKAGE;
			aml_package_op(&pkg, &op, 1, &e);
		}
	}
	aml_byte(dev, AML_NAME);
	aml_name(dev, "_PRT");
	const uint8_t op = AML_PACKAGE;
	aml_package_op(dev, &op, 1, &pkg);
}

static void pci0(struct aml *scope, const struct acpi_pci *pci)
{
	uint8_t dbuf[4608];
	struct aml dev = {.buf = dbuf, .max = sizeof(dbuf)};
	aml_name(&dev, "PCI0");
	name_eisa(&dev, "_HID", "PNP0A08");
	name_eisa(&dev, "_CID", "PNP0A03");
	name_int(&dev, "_UID", 0);
	name_int(&dev, "_SEG", 0);
	name_int(&dev, "_BBN", 0);
	pci0_crs(&dev, pci);
	pci0_prt(&dev);
	aml_package_op(scope, dev_op, sizeof(dev_op), &dev);
}

/* An empty Method (NAME, nargs) { }. */
static void empty_method(struct aml *a, const char *name, uint8_t nargs)
{
	const uint8_t m[7] = {
	    AML_METHOD,	      6,    (uint8_t)name[0], (uint8_t)name[1], (uint8_t)name[2],
	    (uint8_t)name[3], nargs};
	aml_bytes(a, m, sizeof(m));
}

static void link_dev(struct aml *scope, unsigned i, uint32_t gsi)
{
	uint8_t dbuf[128];
	struct aml dev = {.buf = dbuf, .max = sizeof(dbuf)};
	char name[] = "LNKA";
	name[3] = (char)('A' + i);
	aml_name(&dev, name);
	name_eisa(&dev, "_HID", "PNP0C0F");
	name_int(&dev, "_UID", i);
	/* Extended Interrupt: consumer, level, active high, shared; one GSI. */
	uint8_t irq[9] = {0x89, 6, 0, 0x09, 1};
	aml_put32(irq + 5, gsi);
	aml_name_crs(&dev, "_PRS", irq, sizeof(irq));
	aml_name_crs(&dev, "_CRS", irq, sizeof(irq));
	empty_method(&dev, "_SRS", 1);
	empty_method(&dev, "_DIS", 0);
	aml_package_op(scope, dev_op, sizeof(dev_op), &dev);
}

static void ecam_reservation(struct aml *scope, const struct acpi_pci *pci)
{
	uint8_t dbuf[64];
	struct aml dev = {.buf = dbuf, .max = sizeof(dbuf)};
	aml_name(&dev, "ECAM");
	name_eisa(&dev, "_HID", "PNP0C02");
	name_int(&dev, "_UID", 0);
	uint8_t mem[12] = {0x86, 9, 0, 0x01}; /* Memory32Fixed, read-write */
	aml_put32(mem + 4, (uint32_t)pci->ecam_base);
	aml_put32(mem + 8, ((uint32_t)pci->bus_end + 1) << 20);
	aml_name_crs(&dev, "_CRS", mem, sizeof(mem));
	aml_package_op(scope, dev_op, sizeof(dev_op), &dev);
}

void aml_dsdt_pci(struct aml *scope, const struct acpi_pci *pci)
{
	pci0(scope, pci);
	for (unsigned i = 0; i < 4; i++)
		link_dev(scope, i, pci->gsi_base + i);
	ecam_reservation(scope, pci);
}
