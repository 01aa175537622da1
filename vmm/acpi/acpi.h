/*
 * ACPI tables orbvm generates for Linux guests: RSDP, XSDT, FADT
 * (hardware-reduced, with sleep control/status and reset registers), MADT
 * (one local APIC per vCPU, the I/O APIC, IRQ0->GSI2 override, LAPIC NMI on LINT1)
 * a DSDT (COM1, the i8042's keyboard and mouse ports, \_S5, one
 * LNRO0005 device per virtio-mmio window) and, with a PCI host bridge, an
 * MCFG (its ECAM window) and the DSDT's PCI0, interrupt links and ECAM
 * reservation (dsdt_pci.c).
 *
 * acpi_build() lays them out in one blob meant to be copied to guest
 * physical `base` (ACPI_TABLES_ADDR, 0xE0000, so the RSDP is also found by a
 * scan of the BIOS area); all pointers inside are guest physical addresses
 * and every checksum is filled in. The blob has no pointers to host memory.
 */
#ifndef ORBVM_ACPI_H
#define ORBVM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_BLOB_MAX 12288

#define ACPI_IOAPIC_ADDR 0xfec00000u
#define ACPI_LAPIC_ADDR	 0xfee00000u
#define ACPI_IOAPIC_ID	 0

#define ACPI_MAX_MMIO_DEVS 8

/*
 * A virtio-mmio device for the DSDT: Device (VRnn) with _HID "LNRO0005",
 * _UID nn and a _CRS of Memory32Fixed (base, size) and a level-triggered,
 * active-high Extended Interrupt on `gsi`.
 */
struct acpi_mmio_dev {
	uint32_t base;
	uint32_t size;
	uint32_t gsi;
};

/*
 * The PCI host bridge for the MCFG and the DSDT (vmm/pci/pci_host.h fills
 * it): ECAM at ecam_base for buses 0..bus_end, the windows the guest may
 * place BARs in (inclusive bounds), and the four GSIs gsi_base..+3 of the
 * interrupt links LNKA..LNKD.
 */
struct acpi_pci {
	uint64_t ecam_base;
	uint8_t bus_end;
	uint16_t io_min, io_max;
	uint32_t mem32_min, mem32_max;
	uint64_t mem64_min, mem64_max;
	uint32_t gsi_base;
};

enum acpi_table_id {
	ACPI_RSDP,
	ACPI_XSDT,
	ACPI_FADT,
	ACPI_MADT,
	ACPI_DSDT,
	ACPI_MCFG,
	ACPI_NUM_TABLES
};

struct acpi_blob {
	uint8_t data[ACPI_BLOB_MAX];
	size_t len;
	uint64_t base;			/* guest physical address of data[0] */
	size_t offset[ACPI_NUM_TABLES]; /* of each table in data */
	size_t size[ACPI_NUM_TABLES];	/* of each table */
};

/* Builds all tables for guest physical address base; returns 0 or -ERR_NOSPACE. */
int acpi_build(struct acpi_blob *a, uint64_t base);
/* The same with n (<= ACPI_MAX_MMIO_DEVS) virtio-mmio devices in the DSDT. */
int acpi_build_devs(struct acpi_blob *a, uint64_t base, const struct acpi_mmio_dev *devs,
		    unsigned n);

/* The same for ncpus (1..CPU_TOPO_MAX_CPUS) vCPUs: the MADT lists a local APIC
 * for each, processor UID i with APIC ID cpu_topo_apic_id(i) (x86/topology.h).
 * Returns 0, -ERR_INVAL for a bad ncpus, or -ERR_NOSPACE. */
int acpi_build_smp(struct acpi_blob *a, uint64_t base, const struct acpi_mmio_dev *devs, unsigned n,
		   unsigned ncpus);

/* The same with a PCI host bridge (pci may be NULL: none, no MCFG). */
int acpi_build_pci(struct acpi_blob *a, uint64_t base, const struct acpi_mmio_dev *devs, unsigned n,
		   unsigned ncpus, const struct acpi_pci *pci);
/*
 * Sets or clears the MADT's PCAT_COMPAT flag (dual 8259s present; set by
 * acpi_build*) and re-seals it. Cleared for the split irqchip, which has no
 * 8259: Linux then neither trusts nor probes a PIC that is not there.
 */
void acpi_madt_set_pcat_compat(struct acpi_blob *a, bool pcat_compat);

/* The byte that makes the sum of len bytes zero when stored in them. */
uint8_t acpi_checksum(const void *p, size_t len);

/* Writes the DSDT (header + AML) into out; returns its size or -ERR_NOSPACE. */
int acpi_dsdt_build(uint8_t *out, size_t max);
/* The same with n (<= ACPI_MAX_MMIO_DEVS) virtio-mmio devices; -ERR_INVAL if more. */
int acpi_dsdt_build_devs(uint8_t *out, size_t max, const struct acpi_mmio_dev *devs, unsigned n);
/* The same with the PCI host bridge's devices (pci may be NULL). */
int acpi_dsdt_build_pci(uint8_t *out, size_t max, const struct acpi_mmio_dev *devs, unsigned n,
			const struct acpi_pci *pci);

#endif
