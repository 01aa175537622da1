/*
 * FPU/SSE (and AVX where enabled) state: switched on CPU at every context
 * switch, with XSAVEOPT (or XSAVE)/XRSTOR where the CPU has XSAVE,
 * FXSAVE/FXRSTOR otherwise. XSAVEOPT writes only what the thread changed since
 * its state was restored on this CPU (the CPU tracks it), so a thread that
 * did not touch its FPU state costs no memory writes. The kernel itself is
 * built without SSE; the state belongs to the threads. Every thread's state
 * is restored before it first runs (context.c), so no thread ever sees
 * registers another thread left behind.
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

extern bool fpu_use_xsave, fpu_use_xsaveopt;

/* What the switch uses, set once at boot: one byte to test on every switch. */
enum fpu_mode { FPU_FXSAVE = 0, FPU_XSAVE = 1, FPU_XSAVEOPT = 2 };
extern uint8_t fpu_mode;

/* fpu_save(save) then fpu_restore(restore), inline (the IPC fast path). */
static inline void fpu_switch(void *save, const void *restore)
{
	/* SAFETY: both areas are 64-byte aligned thread FPU areas of the size
	 * fpu_area_size(); the all-ones mask selects what XCR0 enabled. */
	if (fpu_mode == FPU_FXSAVE)
		__asm__ volatile("fxsave64 (%0)\n\tfxrstor64 (%1)" ::"r"(save), "r"(restore)
				 : "memory");
	else if (fpu_mode == FPU_XSAVEOPT)
		__asm__ volatile("xsaveopt64 (%0)\n\txrstor64 (%1)" ::"r"(save), "r"(restore),
				 "a"(0xffffffffu), "d"(0xffffffffu)
				 : "memory");
	else
		__asm__ volatile("xsave64 (%0)\n\txrstor64 (%1)" ::"r"(save), "r"(restore),
				 "a"(0xffffffffu), "d"(0xffffffffu)
				 : "memory");
}
void fpu_restore(const void *area);

/* fpu_restore, inline (the switch). */
static inline void fpu_restore_inline(const void *area)
{
	/* SAFETY: a thread FPU area, 64-byte aligned, written by fpu_init_area or a save. */
	if (fpu_mode == FPU_FXSAVE)
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
	else
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(0xffffffffu), "d"(0xffffffffu)
				 : "memory");
}

/* fpu_save, inline (the switch). */
static inline void fpu_save_inline(void *area)
{
	/* SAFETY: the running thread's own 64-byte aligned FPU area. */
	if (fpu_mode == FPU_FXSAVE)
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
	else if (fpu_mode == FPU_XSAVEOPT)
		__asm__ volatile("xsaveopt64 (%0)" ::"r"(area), "a"(0xffffffffu), "d"(0xffffffffu)
				 : "memory");
	else
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(0xffffffffu), "d"(0xffffffffu)
				 : "memory");
}

/* Fills area with the clean initial state (what a new thread starts with). */
void fpu_init_area(void *area);

#endif
