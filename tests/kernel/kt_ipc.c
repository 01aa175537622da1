/*
 * In-kernel test of IPC wake-ups against the woken thread ending
 * (ipc/ipc.c): `ipc_wake_race`, on two or more CPUs.
 *
 * A waker takes a thread off a wait (a notification signal, an endpoint
 * closing) and then wakes it. If the woken thread could run for another
 * reason in between (its deadline, a kill), see that its wait is over, end and
 * be freed before the wake, the wake would write into a freed thread. The
 * test makes that happen on purpose: a kernel thread on CPU 1 waits; the
 * test, on CPU 0, signals (or closes) while ipc_wake_hook holds the moment
 * between "taken off the wait" and "woken" open, wakes the waiter itself
 * there (as a kill or a timer would) and waits until the waiter is freed or
 * a bound passes. The rule in ipc.c (wake with ipc_lock still held, which the
 * waiter needs to leave its wait) means the waiter can never be freed within
 * the hold; without it the hold ends with the waiter freed and poisoned by
 * the heap, and the wake that follows crashes the kernel.
 */
#include "tests/kernel/ktest.h"
#include "sched/cpu.h"
#include "ipc/ipc.h"
#include "obj/endpoint.h"
#include "obj/notification.h"
#include "sched/sched.h"
#include "sched/thread.h"
#include "sched/time.h"
#include "arch/cpu.h"
#include <orbital/errors.h>
#include <orbital/ipc.h>

#define MS	     1000000ull
#define RACE_ROUNDS  64
#define HOLD_NS	     (20 * MS)	 /* how long the hook keeps the moment open */
#define SETTLE_NS    (2000 * MS) /* bound on waiting for a round to finish */
#define RESULT_UNSET 0x5555555555555555ll
#define WAITER_CPU   1
#define WAITER_PRIO  30
#define CONTROL_PRIO 30

static struct notification *race_notification;
static struct endpoint *race_ep;
static int64_t race_result; /* atomic: what the waiter's wait returned */
static bool race_armed;	    /* atomic: the next wake is held open */
static size_t race_base;    /* live threads without the waiter */
static unsigned race_held;  /* wakes the hook held open */
static unsigned race_freed; /* holds that saw the waiter freed before its wake */
static unsigned race_done;  /* rounds whose waiter returned the expected status */
static int race_err;

/* Runs between "taken off the wait" and "woken" (ipc_wake_hook). */
static void race_hook(struct thread *t)
{
	if (!__atomic_exchange_n(&race_armed, false, __ATOMIC_ACQ_REL))
		return;
	race_held++;
	/* Another reason to run, as a kill or an expired deadline gives. */
	sched_wake(t);
	uint64_t until = time_now_ns() + HOLD_NS;
	while (thread_count() > race_base && time_now_ns() < until)
		arch_cpu_relax();
	if (thread_count() <= race_base)
		race_freed++; /* the waiter ended and was freed: the wake below is on freed memory
			       */
}

static void notification_waiter(void *arg)
{
	(void)arg;
	kobject_get(&race_notification->obj); /* notification_wait consumes one */
	__atomic_store_n(&race_result, notification_wait(race_notification, IPC_TIMEOUT_NEVER),
			 __ATOMIC_RELEASE);
}

static void ep_waiter(void *arg)
{
	(void)arg;
	kobject_get(&race_ep->obj); /* ipc_recv consumes one */
	__atomic_store_n(&race_result, ipc_recv(race_ep, IPC_TIMEOUT_NEVER), __ATOMIC_RELEASE);
}

/* Waits (bounded: only a hang gets there) until q holds one waiter. */
static bool wait_queued(struct waitq *q)
{
	uint64_t until = time_now_ns() + SETTLE_NS;
	for (;;) {
		irqflags_t f = spin_lock_irqsave(&ipc_lock);
		uint32_t n = waitq_count(q);
		spin_unlock_irqrestore(&ipc_lock, f);
		if (n == 1)
			return true;
		if (time_now_ns() >= until)
			return false;
		/* Sleep, not spin: an emulator running CPUs in turn may not run the
		 * waiter's CPU while this one stays busy. */
		thread_sleep_ns(MS / 4);
	}
}

/* Waits (bounded) until the waiter has returned and been freed. */
static bool wait_finished(void)
{
	uint64_t until = time_now_ns() + SETTLE_NS;
	while (__atomic_load_n(&race_result, __ATOMIC_ACQUIRE) == RESULT_UNSET ||
	       thread_count() > race_base) {
		if (time_now_ns() >= until)
			return false;
		thread_sleep_ns(MS / 4);
	}
	return true;
}

static void race_controller(void *arg)
{
	(void)arg;
	for (unsigned round = 0; round < RACE_ROUNDS; round++) {
		bool by_close = round % 2;
		if (by_close && endpoint_create(&race_ep)) {
			race_err = -1;
			return;
		}
		if (by_close)
			kobject_get(&race_ep->obj); /* the test's (objects start unreferenced) */
		__atomic_store_n(&race_result, RESULT_UNSET, __ATOMIC_RELEASE);
		race_base = thread_count();
		struct thread *w =
		    thread_create("ipcwaiter", by_close ? ep_waiter : notification_waiter, NULL,
				  WAITER_PRIO, (uint64_t)1 << WAITER_CPU);
		if (!w) {
			race_err = -2;
			return;
		}
		thread_detach(w); /* freed by the reaper as soon as it ends */
		if (!wait_queued(by_close ? &race_ep->receivers : &race_notification->waiters)) {
			kprintf("KTEST info: round %u: the waiter never queued (it returned %ld)\n",
				round, __atomic_load_n(&race_result, __ATOMIC_ACQUIRE));
			race_err = -3;
			return;
		}
		__atomic_store_n(&race_armed, true, __ATOMIC_RELEASE);
		if (by_close)
			endpoint_close(race_ep);
		else
			notification_signal(race_notification, 1);
		if (!wait_finished()) {
			kprintf("KTEST info: round %u: the waiter did not finish\n", round);
			race_err = -4;
			return;
		}
		int64_t want = by_close ? -ERR_CLOSED : 1;
		int64_t got = __atomic_load_n(&race_result, __ATOMIC_ACQUIRE);
		if (got == want)
			race_done++;
		else
			kprintf("KTEST info: round %u: the waiter got %ld, want %ld\n", round, got,
				want);
		if (by_close)
			kobject_put(&race_ep->obj);
	}
}

static int kt_ipc_wake_race(void)
{
	unsigned n = __atomic_load_n(&ncpus_online, __ATOMIC_ACQUIRE);
	kprintf("KTEST info: %u CPUs online\n", n);
	KT_ASSERT(n >= 2);
	KT_ASSERT_EQ(notification_create(&race_notification), 0);
	kobject_get(&race_notification->obj); /* the test's (objects start unreferenced) */
	race_held = race_freed = race_done = 0;
	race_err = 0;
	ipc_wake_hook = race_hook;
	struct thread *ctl = thread_create("ipcctl", race_controller, NULL, CONTROL_PRIO, 1);
	KT_ASSERT(ctl);
	thread_join(ctl);
	ipc_wake_hook = NULL;
	kobject_put(&race_notification->obj);
	kprintf("KTEST info: %u of %u wakes held open, %u waiters freed before their wake, "
		"%u rounds with the right status\n",
		race_held, RACE_ROUNDS, race_freed, race_done);
	KT_ASSERT_EQ(race_err, 0);
	KT_ASSERT_EQ(race_held, RACE_ROUNDS);
	KT_ASSERT_EQ(race_freed, 0);
	KT_ASSERT_EQ(race_done, RACE_ROUNDS);
	return 0;
}

const struct ktest ktests_ipc[] = {
    {"ipc_wake_race", kt_ipc_wake_race},
    {NULL, NULL},
};
