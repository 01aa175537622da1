/*
 * Kernel tests of user space: `test=user init=NAME` starts program NAME from
 * the boot archive as the first process (the user test programs in
 * tests/user print their own checks), waits for it to exit, and passes if it
 * exited with status 0 and everything it used came back: no process or
 * thread left, and as many free frames as before (after a warm-up run of the
 * same program when `user.warm` is given, so that kernel caches filled once,
 * such as page tables for the kernel-stack area, do not count as leaks).
 */
#include "tests/kernel/ktest.h"
#include "boot/kmain.h"
#include "obj/process.h"
#include "sched/sched.h"
#include "boot/userinit.h"
#include "ipc/fastpath.h"
#include "mm/phys.h"
#include "mm/kstack.h"
#include "arch/vm.h"
#include <orbital/ipc.h>

static int64_t run_once(const char *name)
{
	struct process *p;
	int err = userinit_start(&boot_info, name, &p);
	if (err)
		return err;
	int64_t st = process_wait(p, IPC_TIMEOUT_NEVER);
	kobject_put(&p->obj);
	return st;
}

/* Waits (up to ~2 s) for dead threads to be reaped by the idle loops, then
 * gives back the kernel stacks kept for reuse, so free frames compare. */
static void settle(size_t threads)
{
	for (int i = 0; i < 2000 && thread_count() > threads; i++)
		thread_sleep_ns(1000000);
	kstack_trim();
}

static int kt_user(void)
{
	char name[32] = "init";
	bootinfo_cmdline_get(&boot_info, "init", name, sizeof(name));
	size_t threads = thread_count();
	uint32_t procs = process_count();
	if (bootinfo_cmdline_has(&boot_info, "user.warm")) {
		run_once(name);
		settle(threads);
	}
	settle(threads);
	/* Kernel-half page tables (kernel stacks reaching a new peak) are kept for good, never
	 * freed: they count as free here, so a new peak is not taken for a leak. */
	size_t tables_before = __atomic_load_n(&kernel_space.ntables, __ATOMIC_RELAXED);
	size_t free_before = pmm_free_count(&kernel_pmm);
	int64_t st = run_once(name);
	settle(threads);
	size_t tables_grown =
	    __atomic_load_n(&kernel_space.ntables, __ATOMIC_RELAXED) - tables_before;
	size_t free_after = pmm_free_count(&kernel_pmm) + tables_grown;
	kprintf("KTEST info: %s exited with status %ld; processes %u -> %u, threads %zu -> %zu, "
		"free frames %zu -> %zu (%zu kernel page tables grown); IPC fast path %s, taken "
		"%lu times\n",
		name, st, procs, process_count(), threads, thread_count(), free_before, free_after,
		tables_grown, fastpath_enabled ? "on" : "off", fastpath_hits);
	KT_ASSERT_EQ(st, 0);
	for (uint64_t i = 0; process_count() != procs; i++) { /* which are left, and how */
		uint32_t pid, nthreads, state;
		char pname[24];
		if (!process_info(i, &pid, &nthreads, &state, pname, sizeof(pname)))
			break;
		kprintf("KTEST info: left: process %s (pid %u), %u threads, state %u\n", pname, pid,
			nthreads, state);
	}
	KT_ASSERT_EQ(process_count(), procs);
	KT_ASSERT_EQ(thread_count(), threads);
	KT_ASSERT_EQ(free_after, free_before);
	return 0;
}

const struct ktest ktests_user[] = {
    {"user", kt_user},
    {NULL, NULL},
};
