/*
 * Why the VM stops, and the exit statuses orbvm reports for each reason.
 *
 * Devices (i8042 reset, ACPI sleep register), the vCPU loop and the terminal
 * (Ctrl-A x) request a stop by storing a reason; the vCPU loop sees it after
 * the current exit is handled (or after a kick) and returns it. The first
 * request wins. A guest-chosen status (vmm_stop_request_status) is carried
 * the same way, as a value outside the enum's names. The numeric values are orbvm's exit statuses
 * and are documented in docs/orbvm.md and --help: never renumber them.
 */
#ifndef ORBVM_STOP_H
#define ORBVM_STOP_H

#include <stdatomic.h>

enum vmm_status {
	VMM_STATUS_POWEROFF = 0, /* ACPI S5, or a --real-mode guest executed hlt */
	VMM_STATUS_ERROR = 1,	 /* orbvm failed (message on stderr) */
	VMM_STATUS_USAGE = 2,	 /* bad command line */
	VMM_STATUS_REBOOT = 3,	 /* i8042 reset, ACPI reset register, triple fault */
	VMM_STATUS_HALT = 4,	 /* guest halted with interrupts off: nothing left to run */
	VMM_STATUS_QUIT = 5,	 /* the user typed Ctrl-A x */
};

struct vmm_stop {
	atomic_int requested; /* 0: keep running; else 1 + enum vmm_status */
};

/* Requests a stop; returns true if this call was the first request. */
static inline int vmm_stop_request(struct vmm_stop *s, enum vmm_status why)
{
	int expected = 0;
	return atomic_compare_exchange_strong(&s->requested, &expected, 1 + (int)why);
}

/*
 * Requests a stop with an exit status the guest chose (--debug-exit), 0..255.
 * It may equal one of the values above, as with QEMU's isa-debug-exit.
 */
static inline int vmm_stop_request_status(struct vmm_stop *s, unsigned status)
{
	int expected = 0;
	return atomic_compare_exchange_strong(&s->requested, &expected, 1 + (int)(status & 0xff));
}

/* True and *why set if a stop was requested. */
static inline int vmm_stop_pending(struct vmm_stop *s, enum vmm_status *why)
{
	int v = atomic_load(&s->requested);
	if (v && why)
		*why = (enum vmm_status)(v - 1);
	return v != 0;
}

#endif
