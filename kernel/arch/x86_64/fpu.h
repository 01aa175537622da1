/*
 * FPU/SSE (and AVX where enabled) state: switched on CPU at every context
 * switch, with XSAVE/XRSTOR where the CPU has XSAVE, FXSAVE/FXRSTOR otherwise.
 * The kernel itself is built without SSE; the state belongs to the threads.
 */
#ifndef ORB_X86_64_FPU_H
#define ORB_X86_64_FPU_H

#include "lib/types.h"

/* Enables the FPU and SSE on this CPU (CR0/CR4/XCR0). The boot CPU also sizes
 * the save area and records the clean initial state. */
void fpu_init_cpu(bool boot);

size_t fpu_area_size(void);
bool fpu_uses_xsave(void);

void fpu_save(void *area);

extern bool fpu_use_xsave;

/* fpu_save(save) then fpu_restore(restore), inline (the IPC fast path). */
static inline void fpu_switch(void *save, const void *restore)
{
	/* SAFETY: both areas are 64-byte aligned thread FPU areas of the size
	 * fpu_area_size(); the all-ones mask selects what XCR0 enabled. */
	if (fpu_use_xsave)
		__asm__ volatile("xsave64 (%0)\n\txrstor64 (%1)" ::"r"(save), "r"(restore),
				 "a"(0xffffffffu), "d"(0xffffffffu)
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)\n\tfxrstor64 (%1)" ::"r"(save), "r"(restore)
				 : "memory");
}
void fpu_restore(const void *area);

/* Fills area with the clean initial state (what a new thread starts with). */
void fpu_init_area(void *area);

#endif
