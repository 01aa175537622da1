/*
 * The DSDT, written as AML bytes by a tiny encoder (no iasl at build time).
 *
 * ASL equivalent of what is generated:
 *
 *   DefinitionBlock ("", "DSDT", 2, "ORBVM ", "ORBVMTBL", 1) {
 *     Scope (\_SB) {
 *       Device (COM1) {
 *         Name (_HID, EisaId ("PNP0501"))
 *         Name (_UID, Zero)
 *         Name (_CRS, ResourceTemplate () {
 *           IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
 *           IRQNoFlags () {4}
 *         })
 *       }
 *       Device (PS2K) {                  // the i8042's keyboard port (devices/i8042.h)
 *         Name (_HID, EisaId ("PNP0303"))
 *         Name (_UID, Zero)
 *         Name (_CRS, ResourceTemplate () {
 *           IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)
 *           IO (Decode16, 0x0064, 0x0064, 0x01, 0x01)
 *           IRQNoFlags () {1}
 *         })
 *       }
 *       Device (PS2M) {                  // its mouse port
 *         Name (_HID, EisaId ("PNP0F13"))
 *         Name (_UID, Zero)
 *         Name (_CRS, ResourceTemplate () { IRQNoFlags () {12} })
 *       }
 *       Device (RTC_) {                  // the CMOS RTC (devices/rtc.h): no IRQ
 *         Name (_HID, EisaId ("PNP0B00"))
 *         Name (_UID, Zero)
 *         Name (_CRS, ResourceTemplate () { IO (Decode16, 0x0070, 0x0070, 0x01, 0x02) })
 *       }
 *       Device (VR00) {                  // one per virtio-mmio device, nn = 00, 01, ...
 *         Name (_HID, "LNRO0005")
 *         Name (_UID, 0x00)              // nn
 *         Name (_CRS, ResourceTemplate () {
 *           Memory32Fixed (ReadWrite, base, size)
 *           Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) {gsi}
 *         })
 *       }
 *       (with a PCI host bridge: PCI0, LNKA..LNKD and ECAM, see dsdt_pci.c)
 *     }
 *     Name (\_S5, Package () { 5, 0, 0, 0 })   // SLP_TYP for S5 (devices/acpi_pm.h)
 *   }
 *
 * The encoder is aml.c. Invariant: each encoder call checks the space left
 * and sets `overflow` instead of writing past the end; acpi_dsdt_build()
 * then fails.
 */
#include <string.h>

#include "../devices/acpi_pm.h"
#include "../devices/i8042.h"
#include "../devices/rtc.h"
#include "../devices/serial.h"
#include "../err.h"
#include "acpi.h"
#include "aml.h"

/* The body of a legacy device: NAME, _HID EisaId (hid), _UID 0, _CRS (res + End tag). */
static void aml_legacy_dev(struct aml *dev, const char *name, const char *hid, const uint8_t *res,
			   size_t res_len)
{
	aml_name(dev, name);
	uint8_t hid_name[] = {AML_NAME, '_', 'H', 'I', 'D'};
	aml_bytes(dev, hid_name, sizeof(hid_name));
	aml_eisaid(dev, hid);
	uint8_t uid[] = {AML_NAME, '_', 'U', 'I', 'D', AML_ZERO};
	aml_bytes(dev, uid, sizeof(uid));

	const uint8_t end[] = {0x79, 0x00}; /* End tag, checksum 0 */
	uint8_t bbuf[64];
	struct aml body = {.buf = bbuf, .max = sizeof(bbuf)};
	aml_byte(&body, AML_BYTE);
	aml_byte(&body, (uint8_t)(res_len + sizeof(end)));
	aml_bytes(&body, res, res_len);
	aml_bytes(&body, end, sizeof(end));
	uint8_t crs_name[] = {AML_NAME, '_', 'C', 'R', 'S'};
	aml_bytes(dev, crs_name, sizeof(crs_name));
	uint8_t op = AML_BUFFER;
	aml_package_op(dev, &op, 1, &body);
}

/* IO (Decode16, port, port, 1, n): 8 bytes at p. */
static void aml_io_desc(uint8_t *p, uint16_t port, uint8_t n)
{
	const uint8_t d[8] = {
	    0x47, 0x01, (uint8_t)port, (uint8_t)(port >> 8), (uint8_t)port, (uint8_t)(port >> 8),
	    0x01, n};
	memcpy(p, d, sizeof(d));
}

/* IRQNoFlags () {irq}: 3 bytes at p. */
static void aml_irq_desc(uint8_t *p, unsigned irq)
{
	p[0] = 0x22;
	p[1] = (uint8_t)(1u << irq);
	p[2] = (uint8_t)((1u << irq) >> 8);
}

static void aml_com1(struct aml *dev)
{
	uint8_t res[11];
	aml_io_desc(res, SERIAL_COM1_BASE, 8);
	aml_irq_desc(res + 8, SERIAL_COM1_IRQ);
	aml_legacy_dev(dev, "COM1", "PNP0501", res, sizeof(res));
}

/* The i8042's keyboard port: data and command ports, IRQ 1 (as a PC's firmware has it). */
static void aml_ps2_kbd(struct aml *dev)
{
	uint8_t res[19];
	aml_io_desc(res, I8042_DATA_PORT, 1);
	aml_io_desc(res + 8, I8042_COMMAND_PORT, 1);
	aml_irq_desc(res + 16, I8042_KBD_IRQ);
	aml_legacy_dev(dev, "PS2K", "PNP0303", res, sizeof(res));
}

/* The i8042's mouse port: IRQ 12 (its ports are the keyboard's). */
static void aml_ps2_mouse(struct aml *dev)
{
	uint8_t res[3];
	aml_irq_desc(res, I8042_AUX_IRQ);
	aml_legacy_dev(dev, "PS2M", "PNP0F13", res, sizeof(res));
}

/*
 * The CMOS RTC: its two ports and no interrupt, since orbvm's RTC raises none.
 * Without this device Linux registers a fallback RTC on IRQ 8, which a
 * hardware-reduced platform does not have (no legacy IRQs): rtc_cmos fails to
 * probe and the guest has no /dev/rtc0. Listed without an IRQ, rtc_cmos runs
 * without alarms (the nested lab's case I checks it).
 */
static void aml_rtc(struct aml *dev)
{
	uint8_t res[8];
	aml_io_desc(res, RTC_PORT, 2);
	aml_legacy_dev(dev, "RTC_", "PNP0B00", res, sizeof(res));
}

/* The body of Device (VRnn) for virtio-mmio device number i (< 100). */
static void aml_virtio_mmio(struct aml *dev, unsigned i, const struct acpi_mmio_dev *d)
{
	char name[5] = {'V', 'R', (char)('0' + i / 10), (char)('0' + i % 10), 0};
	aml_name(dev, name);
	const uint8_t hid[] = {AML_NAME, '_', 'H', 'I', 'D', AML_STRING, 'L', 'N',
			       'R',	 'O', '0', '0', '0', '5',	 0};
	aml_bytes(dev, hid, sizeof(hid));
	const uint8_t uid[] = {AML_NAME, '_', 'U', 'I', 'D', AML_BYTE, (uint8_t)i};
	aml_bytes(dev, uid, sizeof(uid));

	uint8_t res[23] = {
	    0x86, 9, 0, 0x01, /* Memory32Fixed, 9 bytes, ReadWrite */
	};
	aml_put32(res + 4, d->base);
	aml_put32(res + 8, d->size);
	/* Extended Interrupt, 6 bytes: consumer, level, active high, exclusive; 1 GSI. */
	res[12] = 0x89;
	res[13] = 6;
	res[14] = 0;
	res[15] = 0x01;
	res[16] = 1;
	aml_put32(res + 17, d->gsi);
	res[21] = 0x79; /* End tag, checksum 0 */
	res[22] = 0x00;
	uint8_t bbuf[64];
	struct aml body = {.buf = bbuf, .max = sizeof(bbuf)};
	aml_byte(&body, AML_BYTE);
	aml_byte(&body, (uint8_t)sizeof(res));
	aml_bytes(&body, res, sizeof(res));
	const uint8_t crs_name[] = {AML_NAME, '_', 'C', 'R', 'S'};
	aml_bytes(dev, crs_name, sizeof(crs_name));
	const uint8_t op = AML_BUFFER;
	aml_package_op(dev, &op, 1, &body);
}

int acpi_dsdt_build(uint8_t *out, size_t max)
{
	return acpi_dsdt_build_devs(out, max, NULL, 0);
}

int acpi_dsdt_build_devs(uint8_t *out, size_t max, const struct acpi_mmio_dev *devs, unsigned n)
{
	return acpi_dsdt_build_pci(out, max, devs, n, NULL);
}

int acpi_dsdt_build_pci(uint8_t *out, size_t max, const struct acpi_mmio_dev *devs, unsigned n,
			const struct acpi_pci *pci)
{
	const size_t hdr = 36;
	if (n > ACPI_MAX_MMIO_DEVS)
		return err_set(ERR_INVAL, "too many virtio-mmio devices for the DSDT");
	if (max < hdr)
		return err_set(ERR_NOSPACE, "no room for the DSDT");
	struct aml a = {.buf = out + hdr, .max = max - hdr};

	uint8_t sbuf[8192], pbuf[32];
	struct aml scope = {.buf = sbuf, .max = sizeof(sbuf)};
	aml_name(&scope, "\\_SB_");
	const uint8_t dev_op[] = {AML_EXT, AML_EXT_DEVICE};
	void (*const legacy[])(struct aml *) = {aml_com1, aml_ps2_kbd, aml_ps2_mouse, aml_rtc};
	for (unsigned i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		uint8_t dbuf[128];
		struct aml dev = {.buf = dbuf, .max = sizeof(dbuf)};
		legacy[i](&dev);
		aml_package_op(&scope, dev_op, sizeof(dev_op), &dev);
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t vbuf[128];
		struct aml vdev = {.buf = vbuf, .max = sizeof(vbuf)};
		aml_virtio_mmio(&vdev, i, &devs[i]);
		aml_package_op(&scope, dev_op, sizeof(dev_op), &vdev);
	}
	if (pci)
		aml_dsdt_pci(&scope, pci);
	const uint8_t scope_op = AML_SCOPE;
	aml_package_op(&a, &scope_op, 1, &scope);

	/* Name (\_S5, Package () { S5 type, 0, 0, 0 }) */
	struct aml pkg = {.buf = pbuf, .max = sizeof(pbuf)};
	const uint8_t s5[] = {4, AML_BYTE, ACPI_PM_S5_TYPE, AML_ZERO, AML_ZERO, AML_ZERO};
	aml_bytes(&pkg, s5, sizeof(s5));
	aml_byte(&a, AML_NAME);
	aml_name(&a, "\\_S5_");
	const uint8_t pkg_op = AML_PACKAGE;
	aml_package_op(&a, &pkg_op, 1, &pkg);

	if (a.overflow)
		return err_set(ERR_NOSPACE, "no room for the DSDT");

	size_t len = hdr + a.len;
	memset(out, 0, hdr);
	memcpy(out, "DSDT", 4);
	uint32_t l32 = (uint32_t)len;
	memcpy(out + 4, &l32, 4);
	out[8] = 2; /* revision 2: 64-bit integers */
	memcpy(out + 10, "ORBVM ", 6);
	memcpy(out + 16, "ORBVMTBL", 8);
	out[24] = 1; /* OEM revision */
	memcpy(out + 28, "ORBV", 4);
	out[32] = 1; /* creator revision */
	out[9] = acpi_checksum(out, len);
	return (int)len;
}
