/*
 * The in-kernel test runner (see ktest.h). The test lists are plain arrays
 * ending with a NULL name, one per file, named here explicitly.
 */
#include "tests/kernel/ktest.h"
#include "debug/panic_stop.h"
#include "lib/string.h"
#include "arch/power.h"
#include "arch/cpu.h"

static const struct ktest *const lists[] = {
    ktests_boot, ktests_mm,  ktests_paging, ktests_faults,  ktests_sched, ktests_stress,
    ktests_user, ktests_irq, ktests_uret,   ktests_console, ktests_ipc,	  ktests_yield};

static void exit_panicked(void)
{
	arch_emulator_exit(KTEST_EXIT_PANIC);
}

static const struct ktest *find(const char *name)
{
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (const struct ktest *t = lists[l]; t->name; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	return NULL;
}

static int run_one(const struct ktest *t)
{
	kprintf("KTEST BEGIN %s\n", t->name);
	int r = t->fn();
	if (r == 0)
		kprintf("KTEST PASS %s\n", t->name);
	else
		kprintf("KTEST FAIL %s\n", t->name);
	return r;
}

void ktest_exit_on_panic(void)
{
	panic_stop_hook = exit_panicked;
}

/* name is one test or several separated by commas, run in order; the first
 * failure ends the run. */
noreturn void ktest_main(const char *name)
{
	panic_stop_hook = exit_panicked;
	int r = 0;
	while (*name && r == 0) {
		char one[48];
		size_t n = 0;
		while (name[n] && name[n] != ',' && n + 1 < sizeof(one)) {
			one[n] = name[n];
			n++;
		}
		one[n] = 0;
		name += n;
		if (*name == ',')
			name++;
		const struct ktest *t = find(one);
		if (!t) {
			kprintf("KTEST FAIL %s: no such test\n", one);
			r = -1;
			break;
		}
		r = run_one(t);
	}
	arch_emulator_exit(r == 0 ? KTEST_EXIT_PASS : KTEST_EXIT_FAIL);
	arch_halt_forever();
}
