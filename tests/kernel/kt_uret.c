/*
 * Kernel tests of the way back to user mode (arch/x86_64/syscall_entry.S,
 * trap_entry.S, trap.c): a frame the return instructions would refuse must
 * cost the process, never the kernel.
 *
 *   uret_noncanon: a thread whose saved RIP is the first address above user
 *     space (what a `syscall` as the last instruction below it leaves) is
 *     stopped by the return path's check before iretq: its process dies with
 *     ORB_EXIT_FAULT and the check counted it.
 *   uret_badframe: a thread whose saved CS is the kernel's code selector with
 *     RPL 3 passes that check and makes iretq itself raise #GP in ring 0 with
 *     the user's GS base loaded; trap_common must see that (GS base MSR), and
 *     trap.c kill the process. Without that the kernel uses the user's GS
 *     base and resets the machine.
 * Both then start a normal-looking thread again to show the kernel goes on.
 */
#include "tests/kernel/ktest.h"
#include "obj/process.h"
#include "obj/thread_obj.h"
#include "sched/sched.h"
#include "arch/context.h"
#include <orbital/proc.h>
#include <orbital/syscall.h>
#include "x86/trap.h"

#define KT_URET_WAIT_NS (5ull * 1000 * 1000 * 1000)

/* Starts one thread of a new process at entry, lets tweak change its saved
 * frame first, and returns the process's exit status. */
static int64_t run_victim(uint64_t entry, void (*tweak)(struct trap_frame *f))
{
	struct process *p;
	struct thread_obj *to;
	if (process_create("kt_uret", 4, THREAD_PRIO_DEFAULT, NULL, &p))
		return -1000;
	kobject_get(&p->obj);
	int err = thread_obj_create(p, entry, 0, 0, THREAD_PRIO_DEFAULT, &to);
	if (err) {
		kobject_put(&p->obj);
		return -1001;
	}
	kobject_get(&to->obj);
	if (tweak)
		tweak(uctx_frame(to->t));
	thread_obj_start(to);
	int64_t st = process_wait(p, KT_URET_WAIT_NS);
	kobject_put(&to->obj);
	kobject_put(&p->obj);
	return st;
}

static int kt_uret_noncanon(void)
{
	uint64_t before = __atomic_load_n(&user_return_refusals, __ATOMIC_RELAXED);
	KT_ASSERT_EQ(run_victim(ORB_USER_TOP, NULL), ORB_EXIT_FAULT);
	KT_ASSERT_EQ(__atomic_load_n(&user_return_refusals, __ATOMIC_RELAXED), before + 1);
	/* Nothing mapped at 0x400000: an ordinary user fault, not a refusal. */
	KT_ASSERT_EQ(run_victim(ORB_USER_LINK, NULL), ORB_EXIT_FAULT);
	KT_ASSERT_EQ(__atomic_load_n(&user_return_refusals, __ATOMIC_RELAXED), before + 1);
	kprintf("KTEST info: a return to 0x%lx was refused; the kernel goes on\n",
		(uint64_t)ORB_USER_TOP);
	return 0;
}

static void kernel_cs_rpl3(struct trap_frame *f)
{
	f->cs = 0x08 | 3; /* the kernel's code selector: iretq refuses it (#GP) */
}

static int kt_uret_badframe(void)
{
	uint64_t before = __atomic_load_n(&user_return_faults, __ATOMIC_RELAXED);
	KT_ASSERT_EQ(run_victim(ORB_USER_LINK, kernel_cs_rpl3), ORB_EXIT_FAULT);
	KT_ASSERT_EQ(__atomic_load_n(&user_return_faults, __ATOMIC_RELAXED), before + 1);
	KT_ASSERT_EQ(run_victim(ORB_USER_LINK, kernel_cs_rpl3), ORB_EXIT_FAULT);
	KT_ASSERT_EQ(__atomic_load_n(&user_return_faults, __ATOMIC_RELAXED), before + 2);
	KT_ASSERT_EQ(run_victim(ORB_USER_LINK, NULL), ORB_EXIT_FAULT);
	kprintf("KTEST info: iretq refusing a frame killed its process twice; the kernel goes "
		"on\n");
	return 0;
}

const struct ktest ktests_uret[] = {
    {"uret_noncanon", kt_uret_noncanon},
    {"uret_badframe", kt_uret_badframe},
    {NULL, NULL},
};
