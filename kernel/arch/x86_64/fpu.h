/*
 * FPU/SSE (and AVX where enabled) state: switched on CPU at every context
 * switch, with XSAVE/XRSTOR where the CPU has XSAVE, FXSAVE/FXRSTOR otherwise.
 * The kernel itself is built without SSE; the state belongs to the threads.
 */
#ifndef ORB_ARCH_FPU_H
#define ORB_ARCH_FPU_H

#include "lib/types.h"

/* Enables the FPU and SSE on this CPU (CR0/CR4/XCR0). The boot CPU also sizes
 * the save area and records the clean initial state. */
void fpu_init_cpu(bool boot);

size_t fpu_area_size(void);
bool fpu_uses_xsave(void);

void fpu_save(void *area);
void fpu_restore(const void *area);

/* Fills area with the clean initial state (what a new thread starts with). */
void fpu_init_area(void *area);

#endif
