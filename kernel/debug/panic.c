/*
 * panic(): print once, stop for good.
 *
 * The first CPU to panic claims it (an atomic flag); the console lock is then
 * ignored so the report cannot deadlock on a lock the panicking code held. A
 * panic during the panic just halts. In test mode a hook exits QEMU with the
 * "panicked" status so the harness sees it at once.
 */
#include "debug/panic.h"
#include "console/kprintf.h"
#include "console/console.h"
#include "debug/panic_stop.h"
#include "arch/cpu.h"
#include "arch/backtrace.h"
#include "arch/smp.h"

static int panicking;
void (*panic_stop_hook)(void);

bool panic_enter(void)
{
	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		return false;
	console_panic_mode();
	arch_stop_other_cpus();
	return true;
}

bool panic_in_progress(void)
{
	return __atomic_load_n(&panicking, __ATOMIC_ACQUIRE) != 0;
}

noreturn void panic_halt(void)
{
	kprintf("System halted.\n");
	if (panic_stop_hook)
		panic_stop_hook();
	arch_halt_forever();
}

noreturn void panic(const char *fmt, ...)
{
	if (!panic_enter())
		arch_halt_forever();
	va_list ap;
	va_start(ap, fmt);
	kprintf("\nKERNEL PANIC: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
	backtrace_here();
	panic_halt();
}
