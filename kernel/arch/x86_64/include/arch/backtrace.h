/*
 * Stack backtraces by frame-pointer walking (the kernel is built with
 * -fno-omit-frame-pointer). Every frame is read through a probe, so a corrupt
 * chain ends the backtrace instead of faulting inside the crash report.
 */
#ifndef ORB_ARCH_BACKTRACE_H
#define ORB_ARCH_BACKTRACE_H

#include <stdint.h>

/* Prints "Backtrace:" and one line per frame, starting at rip with frame pointer rbp. */
void backtrace_print(uint64_t rip, uint64_t rbp);

/* Backtrace of the caller. */
void backtrace_here(void);

#endif
