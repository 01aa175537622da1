/*
 * Traps: CPU exceptions and interrupts.
 *
 * Every one of the 256 vectors enters through a small assembly stub
 * (trap_entry.S) that pushes the same struct trap_frame and calls
 * trap_dispatch(). Exceptions the kernel does not expect print a full report
 * (name, error code, CR2, registers, symbolised backtrace) and panic.
 *
 * A kernel path that deliberately touches memory that may fault (the probe
 * helpers below, later the user-copy routines) declares a recovery point; a
 * #PF or #GP then resumes there with an error instead of panicking.
 *
 * This header lives on the arch include path (x86/trap.h) rather than beside
 * trap.c because machine/context.h, the user-context half of arch/context.h,
 * is built on struct trap_frame. Portable code never includes it.
 */
#ifndef ORB_X86_TRAP_H
#define ORB_X86_TRAP_H

#include "lib/types.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_DIVIDE	   0
#define VEC_NMI		   2
#define VEC_BREAKPOINT	   3
#define VEC_INVALID_OPCODE 6
#define VEC_DOUBLE_FAULT   8
#define VEC_NP		   11
#define VEC_SS		   12
#define VEC_GP		   13
#define VEC_PF		   14
#define VEC_MC		   18
#define VEC_FIRST_IRQ	   32

void idt_init(void); /* builds the IDT (once) */
void idt_load(void); /* loads it on the running CPU */
/* #DF, NMI and #MC switch to their IST stacks from now on (once, on the boot
 * CPU, when its TSS has them and before any other CPU starts). */
void idt_use_ist(void);

void trap_dispatch(struct trap_frame *f);

/* Name of an exception vector ("Page Fault"), or NULL for non-exceptions. */
const char *trap_name(unsigned vector);

/* Prints the register dump and backtrace of a frame. */
void trap_report(const struct trap_frame *f);

/* Prints "Backtrace:" and one line per frame, starting at rip with frame
 * pointer rbp (backtrace.c; arch/backtrace.h has the portable entry). */
void backtrace_print(uint64_t rip, uint64_t rbp);

/* Returns to user mode refused (for tests, tests/kernel/kt_uret.c): frames
 * whose RIP was not below the top of user space (syscall.c), and return
 * instructions that faulted on their frame (trap.c). */
extern uint64_t user_return_refusals, user_return_faults;

/* What the last recovered fault was (for tests). */
struct fault_info {
	uint64_t vector, error, addr, rip;
};
extern struct fault_info last_recovered_fault;

/*
 * Probes: touch memory that may fault. Each returns 0 if the access worked,
 * -ERR_FAULT if it faulted (the fault is recorded in last_recovered_fault).
 */
int probe_read8(const volatile void *addr, uint8_t *out);
int probe_read64(const volatile void *addr, uint64_t *out);
int probe_write8(volatile void *addr, uint8_t value);
int probe_exec(const void *addr); /* calls addr, which must be a `ret` if it runs */

#endif
