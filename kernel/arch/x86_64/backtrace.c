/*
 * Frame-pointer backtraces (arch/backtrace.h; backtrace_print is in x86/trap.h).
 *
 * Frame layout: [rbp] = caller's rbp, [rbp+8] = return address. The walk stops
 * at a zero return address (boot.S pushes one), a frame pointer outside the
 * kernel half or misaligned, one that does not move up the stack, a read that
 * faults, or after BT_MAX_FRAMES.
 */
#include "arch/backtrace.h"
#include "x86/x86.h"
#include "debug/ksyms.h"
#include "console/kprintf.h"
#include "x86/trap.h"

#define BT_MAX_FRAMES 32

static void print_frame(int i, uint64_t pc)
{
	uint64_t off;
	const char *name = ksyms_lookup(pc, &off);
	if (name)
		kprintf("  #%-2d 0x%016lx %s+0x%lx\n", i, pc, name, off);
	else
		kprintf("  #%-2d 0x%016lx ?\n", i, pc);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
	kprintf("Backtrace:\n");
	print_frame(0, rip);
	for (int i = 1; i < BT_MAX_FRAMES; i++) {
		uint64_t next, ret;
		if (rbp < 0xffff800000000000ull || (rbp & 7))
			break;
		if (probe_read64((void *)rbp, &next) || probe_read64((void *)(rbp + 8), &ret))
			break;
		if (ret == 0)
			break;
		/* Return addresses point after the call; show the call itself. */
		print_frame(i, ret - 1);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

__attribute__((noinline)) void backtrace_here(void)
{
	uint64_t rbp = read_rbp();
	uint64_t ret;
	if (probe_read64((void *)(rbp + 8), &ret))
		return;
	uint64_t up;
	if (probe_read64((void *)rbp, &up))
		return;
	backtrace_print(ret - 1, up);
}
