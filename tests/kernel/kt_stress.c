/*
 * In-kernel stress tests of threads: thousands of threads created, run and
 * reaped (joined and detached) with nothing leaked, and wakes racing victims
 * that migrate between CPUs (wake_race). The other scheduler tests are in
 * kt_sched.c.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/kt_sched.h"
#include "sched/cpu.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "base/spinlock.h"
#include "mm/kstack.h"
#include "mm/phys.h"
#include "arch/vm.h"

/* ---- stress: thousands of threads, no leaks ---- */

static volatile uint64_t stress_done;

static void stress_worker(void *arg)
{
	for (int i = 0; i < 3; i++)
		thread_yield();
	__atomic_fetch_add(&stress_done, (uint64_t)(uintptr_t)arg, __ATOMIC_RELAXED);
}

static int stress_round(int total)
{
	enum { BATCH = 64 };
	struct thread *t[BATCH];
	for (int done = 0; done < total; done += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			t[i] = thread_create("stress", stress_worker, (void *)1, 30, 0);
			KT_ASSERT(t[i]);
		}
		for (int i = 0; i < BATCH; i++)
			thread_join(t[i]);
	}
	return 0;
}

static int detached_round(size_t threads0)
{
	stress_done = 0;
	for (int i = 0; i < 256; i++) {
		struct thread *t = thread_create("detached", stress_worker, (void *)1, 30, 0);
		KT_ASSERT(t);
		thread_detach(t);
	}
	/* A bound for a heavily loaded emulator, not a timing check. */
	uint64_t deadline = time_now_ns() + 60000 * MS;
	while ((stress_done < 256 || thread_count() != threads0) && time_now_ns() < deadline)
		thread_sleep_ns(10 * MS);
	KT_ASSERT_EQ(stress_done, 256);
	KT_ASSERT_EQ(thread_count(), threads0);
	return 0;
}

/*
 * Frames held by the kernel half's page tables (the PDPTs, PDs and PTs under
 * PML4 entries 256..511; x86-64 4-level paging, read under the space's lock).
 * The kernel never frees them, and rightly: they are shared by every address
 * space. The kernel-stack region gets a new page table whenever its slot
 * high-water mark (the most stacks ever alive at once) enters a new 2 MiB, so
 * a round that runs more threads at once than any before it legitimately
 * leaves a frame there. The leak check counts these apart instead of
 * expecting the free count alone to come back.
 */
static size_t kernel_table_frames(void)
{
	const uint64_t present = 1, large = 1ull << 7, addr = 0x000ffffffffff000ull;
	size_t n = 0;
	irqflags_t f = spin_lock_irqsave(&kernel_space.lock);
	const uint64_t *pml4 = phys_to_virt(kernel_space.root);
	for (int i = 256; i < 512; i++) {
		if (!(pml4[i] & present))
			continue;
		n++;
		const uint64_t *pdpt = phys_to_virt(pml4[i] & addr);
		for (int j = 0; j < 512; j++) {
			if (!(pdpt[j] & present) || (pdpt[j] & large))
				continue;
			n++;
			const uint64_t *pd = phys_to_virt(pdpt[j] & addr);
			for (int k = 0; k < 512; k++)
				n += (pd[k] & present) && !(pd[k] & large);
		}
	}
	spin_unlock_irqrestore(&kernel_space.lock, f);
	return n;
}

/* Free frames plus the kernel's page-table frames: what must come back once
 * the kernel-stack cache is emptied. */
struct frame_snapshot {
	size_t free, tables;
};

static struct frame_snapshot frames_now(void)
{
	struct frame_snapshot s;
	kstack_trim();
	s.tables = kernel_table_frames();
	s.free = pmm_free_count(&kernel_pmm);
	return s;
}

/* Nothing leaked between a and b: every frame that is no longer free went
 * into a kernel page table. */
static int frames_check(const char *what, struct frame_snapshot a, struct frame_snapshot b)
{
	kprintf("KTEST info: %s: free frames before %zu after %zu, kernel page-table frames "
		"before %zu after %zu\n",
		what, a.free, b.free, a.tables, b.tables);
	KT_ASSERT(b.tables >= a.tables);
	KT_ASSERT_EQ(a.free + a.tables, b.free + b.tables);
	return 0;
}

static int kt_stress(void)
{
	stress_done = 0;
	KT_ASSERT(stress_round(128) == 0); /* warm-up: lets caches reach their size */
	thread_sleep_ns(20 * MS);
	struct frame_snapshot f0 = frames_now();
	size_t threads0 = thread_count(), stacks0 = kstack_count();
	KT_ASSERT(stress_round(3008) == 0);
	thread_sleep_ns(20 * MS);
	struct frame_snapshot f1 = frames_now();
	/* tests/qemu/run.py reads this line. */
	kprintf("KTEST info: 3136 threads ran; free frames before %zu after %zu\n", f0.free,
		f1.free);
	KT_ASSERT_EQ(stress_done, 3136);
	KT_ASSERT_EQ(thread_count(), threads0);
	KT_ASSERT_EQ(kstack_count(), stacks0);
	KT_ASSERT(frames_check("joined threads", f0, f1) == 0);

	/* Detached threads: nobody joins them; the idle loops reap them. A first
	 * round lets the stack allocator's free list grow to its size. */
	KT_ASSERT(detached_round(threads0) == 0);
	f0 = frames_now();
	KT_ASSERT(detached_round(threads0) == 0);
	f1 = frames_now();
	kprintf("KTEST info: 256 detached threads ran and were reaped: %s\n",
		thread_count() == threads0 ? "yes" : "no");
	KT_ASSERT_EQ(kstack_count(), stacks0);
	KT_ASSERT(frames_check("detached threads", f0, f1) == 0);
	return 0;
}

/* ---- wake_race: waking threads that migrate between CPUs ----
 *
 * Victims (any CPU) sleep briefly over and over; wakers, one per CPU, wake
 * every victim again and again and nap now and then, so idle CPUs keep
 * stealing ready victims from each other. A wake that locks the CPU a victim
 * USED to be on, after the victim moved and went to sleep on another CPU,
 * queues it while it is still on that CPU's sleep list: the tick there then
 * queues it a second time (the run queue's assertion panics) or two CPUs
 * run it. Passes when every victim finishes and every run queue is sound. */

#define WR_VICTIMS_PER_CPU 3
#define WR_SLEEPS	   3000
static struct thread *wr_victims[MAX_CPUS * WR_VICTIMS_PER_CPU];
static unsigned wr_nvictims;
static volatile uint32_t wr_left;	 /* victims still running */
static volatile uint64_t wr_woken_early; /* sleeps cut short by a waker */
static volatile uint32_t wr_moves;	 /* times a victim found itself on another CPU */

static void wr_victim(void *arg)
{
	(void)arg;
	unsigned last = this_cpu()->id;
	for (unsigned i = 0; i < WR_SLEEPS; i++) {
		uint64_t t0 = time_now_ns();
		thread_sleep_ns(2 * MS);
		if (time_now_ns() - t0 < 2 * MS)
			__atomic_fetch_add(&wr_woken_early, 1, __ATOMIC_RELAXED);
		unsigned now = this_cpu()->id;
		if (now != last)
			__atomic_fetch_add(&wr_moves, 1, __ATOMIC_RELAXED);
		last = now;
		for (volatile unsigned spin = 0; spin < (i % 7) * 50; spin++)
			; /* uneven work keeps victims ready on some queues, not others */
	}
	__atomic_fetch_sub(&wr_left, 1, __ATOMIC_SEQ_CST);
}

static void wr_waker(void *arg)
{
	unsigned round = (unsigned)(uintptr_t)arg;
	while (__atomic_load_n(&wr_left, __ATOMIC_SEQ_CST)) {
		/* Victims are joined only after the wakers: none is freed meanwhile. */
		for (unsigned i = 0; i < wr_nvictims; i++)
			sched_wake(wr_victims[i]);
		if (++round % 4 == 0)
			thread_sleep_ns(MS / 2); /* idle now and then: lets this CPU steal */
	}
}

static int kt_wake_race(void)
{
	unsigned n = ncpus_online;
	KT_ASSERT(n >= 2);
	wr_nvictims = n * WR_VICTIMS_PER_CPU;
	wr_left = wr_nvictims;
	wr_woken_early = 0;
	wr_moves = 0;
	struct thread *wakers[MAX_CPUS];
	kt_no_preempt();
	for (unsigned i = 0; i < wr_nvictims; i++) {
		wr_victims[i] = thread_create("wrvictim", wr_victim, NULL, THREAD_PRIO_DEFAULT,
					      SCHED_AFFINITY_ANY);
		KT_ASSERT(wr_victims[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		wakers[i] = thread_create("wrwaker", wr_waker, (void *)(uintptr_t)i,
					  THREAD_PRIO_DEFAULT, kt_on_cpu_mask(i));
		KT_ASSERT(wakers[i]);
	}
	kt_preempt_ok();
	for (unsigned i = 0; i < n; i++)
		thread_join(wakers[i]);
	for (unsigned i = 0; i < wr_nvictims; i++)
		thread_join(wr_victims[i]);
	kprintf("KTEST info: wake_race: %u victims x %u sleeps, %lu cut short, %u moves\n",
		wr_nvictims, WR_SLEEPS, wr_woken_early, wr_moves);
	KT_ASSERT_EQ(wr_left, 0);
	for (unsigned i = 0; i < n; i++) {
		irqflags_t f = spin_lock_irqsave(&cpu_by_id(i)->rq_lock);
		bool ok = rq_validate(&cpu_by_id(i)->rq);
		spin_unlock_irqrestore(&cpu_by_id(i)->rq_lock, f);
		KT_ASSERT(ok);
	}
	return 0;
}

const struct ktest ktests_stress[] = {
    {"stress", kt_stress},
    {"wake_race", kt_wake_race},
    {NULL, NULL},
};
