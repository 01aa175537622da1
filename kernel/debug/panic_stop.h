/*
 * The two halves of stopping the kernel, for code that prints its own report
 * (the exception handler) instead of calling panic():
 *   if (!panic_enter()) panic_halt();   // someone else is already panicking
 *   ... print the report ...
 *   panic_halt();
 */
#ifndef ORB_DEBUG_PANIC_STOP_H
#define ORB_DEBUG_PANIC_STOP_H

#include "lib/types.h"

/* Turns interrupts off and claims the panic; false if a panic is already under way. */
bool panic_enter(void);

/* Ends the panic: runs the stop hook (test mode exits QEMU) and halts. */
noreturn void panic_halt(void);

/* True once some CPU has started to panic. */
bool panic_in_progress(void);

/* Called by panic_halt() before halting (set by test mode). */
extern void (*panic_stop_hook)(void);

#endif
