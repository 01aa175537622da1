/*
 * I/O APICs: route global system interrupts (GSIs) to CPU vectors.
 */
#ifndef ORB_X86_64_IOAPIC_H
#define ORB_X86_64_IOAPIC_H

#include "lib/types.h"

struct acpi_info;

/* Maps every I/O APIC of the MADT and masks all its inputs. Returns how many. */
unsigned ioapic_init(const struct acpi_info *acpi);

/* Routes gsi to vector on the CPU with apic id dest (fixed delivery, physical
 * destination), level/edge and polarity as given; leaves it masked or not.
 * -ERR_NOENT if no I/O APIC has that input. */
int ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool level, bool active_low,
		 bool masked);
void ioapic_set_mask(uint32_t gsi, bool masked);

#endif
