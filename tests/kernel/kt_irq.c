/*
 * In-kernel test of device-interrupt release against handlers in flight
 * (arch/irq.h): `irq_race`, on two or more CPUs.
 *
 * Every CPU but the boot CPU raises the vector of a registered line on itself
 * over and over (a self-IPI with that vector is dispatched exactly like the
 * line's interrupt), while the boot CPU registers the line, lets interrupts
 * arrive, releases it and then poisons the handler's context, a few hundred
 * times, alternating two contexts. The handler holds itself open for a while
 * and checks its context at the start and at the end. If arch_irq_unregister()
 * returned while a handler was still running, that handler sees the poison;
 * if dispatch tested the handler and then loaded it again, a release between
 * the two calls a NULL pointer and the kernel panics.
 */
#include "tests/kernel/ktest.h"
#include "sched/cpu.h"
#include "arch/irq.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "lib/string.h"
#include "x86/lapic.h"
#include "arch/cpu.h"

#define MS	     1000000ull
#define CTX_ALIVE    0xa11fe
#define CTX_RELEASED 0xdead
#define RACE_LINE    5 /* an ISA line nothing in the test machine drives */
#define RACE_ROUNDS  300

struct race_ctx {
	volatile uint32_t state; /* CTX_ALIVE while registered, else CTX_RELEASED */
	uint64_t calls;		 /* atomic: handler entries */
};

static struct race_ctx race_ctxs[2];
static uint32_t race_vector; /* atomic: the vector to raise, 0 = none */
static bool race_stop;	     /* atomic */
static uint64_t race_bad;    /* atomic: handler runs that saw a released context */
static uint64_t race_raised; /* atomic: self-IPIs sent */

static void race_handler(void *arg)
{
	struct race_ctx *c = arg;
	if (c->state != CTX_ALIVE)
		__atomic_fetch_add(&race_bad, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->calls, 1, __ATOMIC_RELAXED);
	/* Stay in the handler a while: a release must wait this out. */
	for (int i = 0; i < 2000; i++)
		arch_cpu_relax();
	if (c->state != CTX_ALIVE)
		__atomic_fetch_add(&race_bad, 1, __ATOMIC_RELAXED);
}

/* Pinned to one CPU other than the boot CPU: raises the current vector on itself. */
static void race_raiser(void *arg)
{
	(void)arg;
	uint32_t self = this_cpu()->hw_id; /* pinned: stays this CPU's */
	while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
		uint32_t v = __atomic_load_n(&race_vector, __ATOMIC_ACQUIRE);
		if (v) {
			lapic_send_ipi(self, (uint8_t)v);
			__atomic_fetch_add(&race_raised, 1, __ATOMIC_RELAXED);
		}
		arch_cpu_relax();
	}
}

static unsigned race_handled_rounds;
static int race_err;

/* Pinned to the boot CPU: registers, lets interrupts arrive, releases, poisons. */
static void race_controller(void *arg)
{
	(void)arg;
	for (unsigned round = 0; round < RACE_ROUNDS; round++) {
		struct race_ctx *c = &race_ctxs[round % 2];
		c->state = CTX_ALIVE;
		uint64_t before = __atomic_load_n(&c->calls, __ATOMIC_RELAXED);
		int h = arch_irq_register_isa(RACE_LINE, race_handler, c);
		if (h < 0) {
			kprintf("KTEST info: arch_irq_register_isa: %d in round %u\n", h, round);
			race_err = h;
			return;
		}
		__atomic_store_n(&race_vector, (uint32_t)(VEC_IRQ_FIRST + h), __ATOMIC_RELEASE);
		/* Let a few handlers run (bounded: a loaded emulator may be slow);
		 * the release then lands at some point of a later one. */
		uint64_t deadline = time_now_ns() + 2000 * MS;
		while (__atomic_load_n(&c->calls, __ATOMIC_RELAXED) < before + 3 &&
		       time_now_ns() < deadline)
			arch_cpu_relax();
		if (__atomic_load_n(&c->calls, __ATOMIC_RELAXED) >= before + 3)
			race_handled_rounds++;
		arch_irq_unregister(h);
		/* Released: from here on no handler may see this context. */
		c->state = CTX_RELEASED;
		__atomic_store_n(&race_vector, 0, __ATOMIC_RELEASE);
	}
}

static int kt_irq_race(void)
{
	unsigned n = __atomic_load_n(&ncpus_online, __ATOMIC_ACQUIRE);
	kprintf("KTEST info: %u CPUs online\n", n);
	KT_ASSERT(n >= 2);
	struct thread *raisers[MAX_CPUS];
	race_stop = false;
	race_bad = 0;
	race_raised = 0;
	race_handled_rounds = 0;
	race_err = 0;
	for (unsigned i = 1; i < n; i++) {
		raisers[i] = thread_create("irqraise", race_raiser, NULL, 30, (uint64_t)1 << i);
		KT_ASSERT(raisers[i]);
	}
	struct thread *ctl = thread_create("irqctl", race_controller, NULL, 30, 1);
	KT_ASSERT(ctl);
	thread_join(ctl);
	/* Give a handler that wrongly outlived its release time to notice. */
	thread_sleep_ns(20 * MS);
	__atomic_store_n(&race_stop, true, __ATOMIC_RELEASE);
	for (unsigned i = 1; i < n; i++)
		thread_join(raisers[i]);

	kprintf("KTEST info: %u of %u rounds handled interrupts, %lu raised, "
		"%lu handler runs saw a released context\n",
		race_handled_rounds, RACE_ROUNDS, race_raised, race_bad);
	KT_ASSERT_EQ(race_err, 0);
	KT_ASSERT_EQ(race_handled_rounds, RACE_ROUNDS);
	KT_ASSERT_EQ(race_bad, 0);
	return 0;
}

const struct ktest ktests_irq[] = {
    {"irq_race", kt_irq_race},
    {NULL, NULL},
};
