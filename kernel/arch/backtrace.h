/*
 * Stack backtraces for crash reports. The architecture walks its own frames
 * (x86-64: frame pointers; the kernel is built with -fno-omit-frame-pointer)
 * and reads every frame through a fault-recovering probe, so a corrupt chain
 * ends the backtrace instead of faulting inside the report.
 */
#ifndef ORB_ARCH_BACKTRACE_H
#define ORB_ARCH_BACKTRACE_H

/* Prints "Backtrace:" and one symbolised line per frame of the caller's stack. */
void backtrace_here(void);

#endif
