/*
 * Starting the application processors and the cross-CPU operations built on
 * IPIs: TLB shootdown and stopping every CPU on panic.
 */
#ifndef ORB_X86_64_SMP_H
#define ORB_X86_64_SMP_H

#include "lib/types.h"

struct acpi_info;

/* Starts every enabled CPU in the MADT other than the boot CPU (INIT-SIPI-SIPI).
 * A CPU that does not answer is reported and skipped. Returns the number online. */
unsigned smp_start_aps(const struct acpi_info *acpi);

/* Invalidates the pages [va, va + pages * 4 KiB) (everything if pages == 0) on
 * every other online CPU, and waits until all have done it. */
void tlb_shootdown(vaddr_t va, size_t pages);

/* Handles a shootdown request addressed to this CPU (IPI handler). */
void tlb_shootdown_ack(void);

/* Stops every other CPU (NMI); used once by panic. */
void smp_stop_others(void);

#endif
