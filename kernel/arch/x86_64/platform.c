/*
 * Platform discovery and interrupt set-up on a PC: find the ACPI tables,
 * learn the CPUs and interrupt controllers from the MADT, put the 8259s to
 * sleep, enable the local APIC and the I/O APICs, calibrate the timer (its
 * window opens first, so the rest happens while it runs); drop the VGA text
 * console a PVH boot assumed if the FADT says there is no VGA.
 *
 * Broken or missing ACPI tables are not fatal: the kernel warns and runs on
 * the boot CPU alone, with the local APIC at its architectural address.
 */
#include "arch/init.h"
#include "power.h"
#include "x86/x86.h"
#include "boot/acpi.h"
#include "boot/kmain.h"
#include "sched/time.h"
#include "ioapic.h"
#include "x86/lapic.h"
#include "pit.h"
#include "vga_text.h"
#include "console/kprintf.h"
#include "lib/string.h"
#include "mm/phys.h"
#include "mm/mem_init.h"

struct acpi_info platform_acpi;
bool platform_acpi_ok;

/* Physical memory the ACPI parser may read. Firmware may keep its tables in
 * memory the map calls reserved, so pages not yet in the direct map are
 * mapped on demand (uncached, like any firmware memory of unknown type). */
static const void *acpi_read(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (len == 0 || pa + len < pa || pa + len > DIRECT_MAP_SIZE || len > MiB(1))
		return NULL;
	return kmap_mmio(pa, len);
}

static bool find_acpi(const struct boot_info *bi)
{
	int err;
	if (bi->rsdp_len) {
		err = acpi_parse(&platform_acpi, bi->rsdp, bi->rsdp_len, bi->rsdp_addr, acpi_read,
				 NULL);
	} else {
		uint64_t at = bi->rsdp_addr;
		if (!at) {
			/* BIOS areas: the first KiB of the EBDA, then 0xE0000-0xFFFFF. */
			uint16_t ebda_seg = *(const uint16_t *)phys_to_virt(0x40e);
			uint64_t ebda = (uint64_t)ebda_seg << 4;
			if (!(ebda >= 0x80000 && ebda < 0xa0000 &&
			      acpi_find_rsdp(phys_to_virt(ebda), 1024, ebda, &at) == 0))
				if (acpi_find_rsdp(phys_to_virt(0xe0000), 0x20000, 0xe0000, &at))
					at = 0;
		}
		if (!at) {
			kwarn("ACPI: no RSDP found; running on one CPU\n");
			return false;
		}
		/* The parser reads the RSDP itself, whatever its length. */
		err = acpi_parse(&platform_acpi, NULL, 0, at, acpi_read, NULL);
	}
	if (err || !platform_acpi.madt.found) {
		kwarn("ACPI: %s; running on one CPU\n",
		      platform_acpi.error[0] ? platform_acpi.error : "no MADT");
		return false;
	}
	return true;
}

/* The FADT's boot architecture flags: no VGA means none, whatever a PVH boot assumed. */
static void platform_fadt_flags(void)
{
	const struct acpi_table_ref *fadt =
	    platform_acpi_ok ? acpi_find_table(&platform_acpi, "FACP") : NULL;
	const uint8_t *p = fadt ? acpi_read(NULL, fadt->paddr, fadt->length) : NULL;
	uint16_t flags;
	if (p && acpi_fadt_boot_flags(p, fadt->length, &flags) == 0 && (flags & ACPI_BOOT_NO_VGA))
		screen_drop_assumed_vga();
}

void arch_platform_init(const struct boot_info *bi)
{
	lapic_calibrate_begin(); /* the PIT runs while the tables are read */
	platform_acpi_ok = find_acpi(bi);
	uint64_t lapic_phys = 0xfee00000;
	if (platform_acpi_ok) {
		lapic_phys = platform_acpi.madt.lapic_addr;
		kinfo("ACPI: %s, %zu CPUs (%zu enabled), %zu I/O APICs, %zu overrides\n",
		      platform_acpi.xsdt ? "XSDT" : "RSDT", platform_acpi.madt.cpu_count,
		      platform_acpi.madt.cpus_enabled, platform_acpi.madt.ioapic_count,
		      platform_acpi.madt.override_count);
	} else {
		memset(&platform_acpi, 0, sizeof(platform_acpi));
	}
	platform_fadt_flags();
	pic_disable();
	lapic_init_boot(lapic_phys);
	lapic_init_cpu();
	ioapic_init(&platform_acpi);
	lapic_timer_calibrate();
	time_init(tsc_hz());
	power_init();
}
