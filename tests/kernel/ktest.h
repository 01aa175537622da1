/*
 * In-kernel tests, run when the kernel is booted with test=NAME.
 *
 * The kernel prints "KTEST BEGIN NAME", runs the test, prints "KTEST PASS
 * NAME" or "KTEST FAIL NAME: reason", and leaves QEMU through isa-debug-exit
 * with a status the harness (tests/qemu/run.py) checks: 33 pass, 35 fail,
 * 37 panic. Tests that are meant to crash the kernel (a deliberate page
 * fault) end in the panic status, and the harness checks the report.
 */
#ifndef ORB_TEST_KTEST_H
#define ORB_TEST_KTEST_H

#include "lib/types.h"
#include "console/kprintf.h"

#define KTEST_EXIT_PASS	 0x10
#define KTEST_EXIT_FAIL	 0x11
#define KTEST_EXIT_PANIC 0x12

struct ktest {
	const char *name;
	int (*fn)(void); /* 0 = pass */
};

/* In test mode, from early boot: a panic exits QEMU with the panic status. */
void ktest_exit_on_panic(void);

/* Runs test `name` (or every non-crashing test for "all") and exits QEMU. */
noreturn void ktest_main(const char *name);

/* Fails the running test with a message unless cond holds. */
#define KT_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			kprintf("KTEST assertion failed: %s (%s:%d)\n", #cond, __FILE__,           \
				__LINE__);                                                         \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

#define KT_ASSERT_EQ(a, b)                                                                         \
	do {                                                                                       \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                   \
		if (a_ != b_) {                                                                    \
			kprintf("KTEST assertion failed: %s == %s (0x%lx != 0x%lx) (%s:%d)\n", #a, \
				#b, a_, b_, __FILE__, __LINE__);                                   \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)

/* The test lists, one per file. */
extern const struct ktest ktests_boot[], ktests_mm[], ktests_paging[], ktests_faults[],
    ktests_sched[], ktests_stress[], ktests_user[], ktests_irq[], ktests_uret[], ktests_console[],
    ktests_ipc[], ktests_yield[];

#endif
