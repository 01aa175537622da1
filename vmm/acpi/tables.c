/*
 * RSDP, XSDT, FADT, MADT and MCFG; see acpi.h. The DSDT's AML is in dsdt.c.
 *
 * The layouts follow the ACPI 6.x specification; each struct's size is
 * checked at compile time against the specification's length. The FADT is
 * revision 6 with HW_REDUCED_ACPI: no PM1/GPE blocks, no SCI, no FACS. Power
 * management is the sleep control/status register pair (devices/acpi_pm.h)
 * and reset is the ACPI reset register pointing at the i8042 command port.
 */
#include <stdbool.h>
#include <string.h>

#include "../devices/acpi_pm.h"
#include "../devices/i8042.h"
#include "../err.h"
#include "../x86/topology.h"
#include "acpi.h"

#define ACPI_OEM_ID	  "ORBVM "
#define ACPI_OEM_TABLE_ID "ORBVMTBL"
#define ACPI_CREATOR_ID	  "ORBV"

struct __attribute__((packed)) acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
};
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");

struct __attribute__((packed)) acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};
_Static_assert(sizeof(struct acpi_header) == 36, "header size");

struct __attribute__((packed)) acpi_gas {
	uint8_t space_id; /* 1: system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 1: byte */
	uint64_t address;
};

struct __attribute__((packed)) acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk, pm_tmr_blk;
	uint32_t gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_blk_len, gpe1_blk_len;
	uint8_t gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
};
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags offset");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT offset");
_Static_assert(offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT sleep offset");

#define FADT_F_WBINVD		  (1u << 0)
#define FADT_F_PWR_BUTTON	  (1u << 4) /* no fixed power button */
#define FADT_F_SLP_BUTTON	  (1u << 5) /* no fixed sleep button */
#define FADT_F_RESET_REG_SUP	  (1u << 10)
#define FADT_F_HW_REDUCED_ACPI	  (1u << 20)
#define FADT_BOOT_8042		  (1u << 1) /* an i8042 at 0x60/0x64 (devices/i8042.h) */
#define FADT_BOOT_VGA_NOT_PRESENT (1u << 2)
#define FADT_BOOT_NO_ASPM	  (1u << 4)

struct __attribute__((packed)) acpi_madt {
	struct acpi_header h;
	uint32_t lapic_address;
	uint32_t flags; /* 1: PCAT_COMPAT, dual 8259s present (KVM's irqchip has them) */
};
struct __attribute__((packed)) madt_lapic {
	uint8_t type, length, processor_id, apic_id;
	uint32_t flags; /* 1: enabled */
};
struct __attribute__((packed)) madt_ioapic {
	uint8_t type, length, ioapic_id, reserved;
	uint32_t address, gsi_base;
};
struct __attribute__((packed)) madt_iso {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;
};
struct __attribute__((packed)) madt_lapic_nmi {
	uint8_t type, length, processor_id;
	uint16_t flags;
	uint8_t lint;
};
_Static_assert(sizeof(struct madt_lapic) == 8 && sizeof(struct madt_ioapic) == 12 &&
		   sizeof(struct madt_iso) == 10 && sizeof(struct madt_lapic_nmi) == 6,
	       "MADT entry sizes");

struct __attribute__((packed)) acpi_mcfg {
	struct acpi_header h;
	uint64_t reserved;
	uint64_t base; /* one allocation: ECAM base address */
	uint16_t segment;
	uint8_t bus_start, bus_end;
	uint32_t reserved2;
};
_Static_assert(sizeof(struct acpi_mcfg) == 60, "MCFG with one allocation");

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return (uint8_t)(0 - sum);
}

static void acpi_header_init(struct acpi_header *h, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = 1;
}

/* Reserves len bytes (8-aligned) in the blob for table id. */
static uint8_t *acpi_alloc(struct acpi_blob *a, enum acpi_table_id id, size_t len)
{
	size_t off = (a->len + 7) & ~(size_t)7;
	if (off + len > sizeof(a->data))
		return NULL;
	a->offset[id] = off;
	a->size[id] = len;
	a->len = off + len;
	return a->data + off;
}

static uint64_t acpi_addr(const struct acpi_blob *a, enum acpi_table_id id)
{
	return a->base + a->offset[id];
}

static void acpi_seal(struct acpi_blob *a, enum acpi_table_id id)
{
	struct acpi_header *h = (struct acpi_header *)(a->data + a->offset[id]);
	h->checksum = 0;
	h->checksum = acpi_checksum(h, h->length);
}

static struct acpi_gas acpi_io_byte(uint64_t port)
{
	return (struct acpi_gas){.space_id = 1, .bit_width = 8, .access_size = 1, .address = port};
}

static void acpi_build_fadt(struct acpi_blob *a, uint8_t *p)
{
	struct acpi_fadt f;
	memset(&f, 0, sizeof(f));
	acpi_header_init(&f.h, "FACP", sizeof(f), 6);
	f.minor_version = 3;
	f.dsdt = (uint32_t)acpi_addr(a, ACPI_DSDT);
	f.x_dsdt = acpi_addr(a, ACPI_DSDT);
	f.flags = FADT_F_WBINVD | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON | FADT_F_RESET_REG_SUP |
		  FADT_F_HW_REDUCED_ACPI;
	f.iapc_boot_arch = FADT_BOOT_8042 | FADT_BOOT_VGA_NOT_PRESENT | FADT_BOOT_NO_ASPM;
	f.century = 0x32; /* CMOS century register (devices/rtc.h) */
	f.reset_reg = acpi_io_byte(I8042_COMMAND_PORT);
	f.reset_value = I8042_CMD_RESET;
	f.sleep_control_reg = acpi_io_byte(ACPI_PM_SLEEP_CONTROL);
	f.sleep_status_reg = acpi_io_byte(ACPI_PM_SLEEP_STATUS);
	memcpy(&f.hypervisor_vendor_id, "ORBVM\0\0\0", 8);
	memcpy(p, &f, sizeof(f));
}

static size_t acpi_madt_size(unsigned ncpus)
{
	return sizeof(struct acpi_madt) + ncpus * sizeof(struct madt_lapic) +
	       sizeof(struct madt_ioapic) + sizeof(struct madt_iso) + sizeof(struct madt_lapic_nmi);
}

/* One local APIC per vCPU, processor UID i and APIC ID cpu_topo_apic_id(i), then
 * the I/O APIC, the IRQ 0 override and the LINT1 NMI of every processor. */
static void acpi_build_madt(uint8_t *p, unsigned ncpus)
{
	struct acpi_madt m;
	memset(&m, 0, sizeof(m));
	acpi_header_init(&m.h, "APIC", (uint32_t)acpi_madt_size(ncpus), 5);
	m.lapic_address = ACPI_LAPIC_ADDR;
	m.flags = 1;
	struct madt_ioapic io = {.type = 1,
				 .length = 12,
				 .ioapic_id = ACPI_IOAPIC_ID,
				 .address = ACPI_IOAPIC_ADDR,
				 .gsi_base = 0};
	/* The PIT's IRQ 0 is wired to I/O APIC pin 2, as on PCs and in KVM's irqchip. */
	struct madt_iso iso = {
	    .type = 2, .length = 10, .bus = 0, .source = 0, .gsi = 2, .flags = 0};
	struct madt_lapic_nmi nmi = {
	    .type = 4, .length = 6, .processor_id = 0xff, .flags = 0, .lint = 1};
	size_t off = 0;
	memcpy(p + off, &m, sizeof(m));
	off += sizeof(m);
	for (unsigned i = 0; i < ncpus; i++) {
		struct madt_lapic lapic = {.type = 0,
					   .length = 8,
					   .processor_id = (uint8_t)i,
					   .apic_id = (uint8_t)cpu_topo_apic_id(i),
					   .flags = 1};
		memcpy(p + off, &lapic, sizeof(lapic));
		off += sizeof(lapic);
	}
	memcpy(p + off, &io, sizeof(io));
	off += sizeof(io);
	memcpy(p + off, &iso, sizeof(iso));
	off += sizeof(iso);
	memcpy(p + off, &nmi, sizeof(nmi));
}

int acpi_build(struct acpi_blob *a, uint64_t base)
{
	return acpi_build_devs(a, base, NULL, 0);
}

int acpi_build_devs(struct acpi_blob *a, uint64_t base, const struct acpi_mmio_dev *devs,
		    unsigned n)
{
	return acpi_build_smp(a, base, devs, n, 1);
}

int acpi_build_smp(struct acpi_blob *a, uint64_t base, const struct acpi_mmio_dev *devs, unsigned n,
		   unsigned ncpus)
{
	return acpi_build_pci(a, base, devs, n, ncpus, NULL);
}

/* The MCFG (PCI Firmware 3.x, 4.1.2): one ECAM allocation, segment 0. */
static void acpi_build_mcfg(uint8_t *p, const struct acpi_pci *pci)
{
	struct acpi_mcfg m;
	memset(&m, 0, sizeof(m));
	acpi_header_init(&m.h, "MCFG", sizeof(m), 1);
	m.base = pci->ecam_base;
	m.segment = 0;
	m.bus_start = 0;
	m.bus_end = pci->bus_end;
	memcpy(p, &m, sizeof(m));
}

/* The XSDT: the FADT, the MADT and, with PCI, the MCFG. */
static void acpi_build_xsdt(struct acpi_blob *a, uint8_t *xsdt, size_t xsdt_len, bool pci)
{
	struct acpi_header xh;
	memset(&xh, 0, sizeof(xh));
	acpi_header_init(&xh, "XSDT", (uint32_t)xsdt_len, 1);
	memcpy(xsdt, &xh, sizeof(xh));
	uint64_t entries[3] = {acpi_addr(a, ACPI_FADT), acpi_addr(a, ACPI_MADT),
			       pci ? acpi_addr(a, ACPI_MCFG) : 0};
	memcpy(xsdt + sizeof(xh), entries, xsdt_len - sizeof(xh));
	acpi_seal(a, ACPI_XSDT);
}

int acpi_build_pci(struct acpi_blob *a, uint64_t base, const struct acpi_mmio_dev *devs, unsigned n,
		   unsigned ncpus, const struct acpi_pci *pci)
{
	memset(a, 0, sizeof(*a));
	if (ncpus < 1 || ncpus > CPU_TOPO_MAX_CPUS)
		return err_set(ERR_INVAL, "%u processors: the MADT lists 1 to %u", ncpus,
			       CPU_TOPO_MAX_CPUS);
	a->base = base;
	const size_t xsdt_len = sizeof(struct acpi_header) + (pci ? 3 : 2) * sizeof(uint64_t);

	uint8_t *rsdp = acpi_alloc(a, ACPI_RSDP, sizeof(struct acpi_rsdp));
	uint8_t *xsdt = acpi_alloc(a, ACPI_XSDT, xsdt_len);
	uint8_t *fadt = acpi_alloc(a, ACPI_FADT, sizeof(struct acpi_fadt));
	uint8_t *madt = acpi_alloc(a, ACPI_MADT, acpi_madt_size(ncpus));
	uint8_t *mcfg = pci ? acpi_alloc(a, ACPI_MCFG, sizeof(struct acpi_mcfg)) : NULL;
	if (!rsdp || !xsdt || !fadt || !madt || (pci && !mcfg))
		return err_set(ERR_NOSPACE, "ACPI tables do not fit");
	size_t dsdt_off = (a->len + 7) & ~(size_t)7;
	int dsdt_len =
	    acpi_dsdt_build_pci(a->data + dsdt_off, sizeof(a->data) - dsdt_off, devs, n, pci);
	if (dsdt_len < 0)
		return dsdt_len;
	if (!acpi_alloc(a, ACPI_DSDT, (size_t)dsdt_len))
		return err_set(ERR_NOSPACE, "ACPI tables do not fit");

	acpi_build_fadt(a, fadt);
	acpi_seal(a, ACPI_FADT);
	acpi_build_madt(madt, ncpus);
	acpi_seal(a, ACPI_MADT);
	if (pci) {
		acpi_build_mcfg(mcfg, pci);
		acpi_seal(a, ACPI_MCFG);
	}
	acpi_build_xsdt(a, xsdt, xsdt_len, pci != NULL);

	struct acpi_rsdp r;
	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, ACPI_OEM_ID, 6);
	r.revision = 2;
	r.length = sizeof(r);
	r.xsdt_address = acpi_addr(a, ACPI_XSDT);
	r.checksum = acpi_checksum(&r, 20);
	r.extended_checksum = acpi_checksum(&r, sizeof(r));
	memcpy(rsdp, &r, sizeof(r));
	return 0;
}

void acpi_madt_set_pcat_compat(struct acpi_blob *a, bool pcat_compat)
{
	struct acpi_madt *m = (struct acpi_madt *)(a->data + a->offset[ACPI_MADT]);
	m->flags = pcat_compat ? 1 : 0;
	acpi_seal(a, ACPI_MADT);
}
