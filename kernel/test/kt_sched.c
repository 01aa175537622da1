/*
 * In-kernel tests of threads, the scheduler, timers and SMP: preemption,
 * priorities, CPUs running at the same time, sleeping, the monotonic clock,
 * TLB shootdown, FPU state across switches, device interrupts through the
 * I/O APIC, a create/switch/reap stress with a leak check, wakes racing
 * threads that migrate between CPUs, and the yield round-trip benchmark.
 */
#include "test/ktest.h"
#include "core/cpu.h"
#include "core/irq.h"
#include "core/sched.h"
#include "core/time.h"
#include "lib/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/kstack.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "../arch/x86_64/trap.h"
#include <arch/io.h>
#include <arch/x86.h>

#define MS 1000000ull

static uint64_t on_cpu_mask(unsigned cpu)
{
	return (uint64_t)1 << cpu;
}

/* Creating several threads that outrank us: without this, the first one to
 * land on our CPU would keep us from creating the rest until it finished. */
static void no_preempt(void)
{
	irqflags_t f = arch_irq_save();
	this_cpu()->preempt_off++;
	arch_irq_restore(f);
}

static void preempt_ok(void)
{
	irqflags_t f = arch_irq_save();
	this_cpu()->preempt_off--;
	arch_irq_restore(f);
}

/* ---- preemption: two spinning threads at equal priority share one CPU ---- */

static volatile bool spin_stop;
static volatile uint64_t spin_count[2];

static void spinner(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	while (!spin_stop)
		spin_count[i]++; /* never yields: only the timer can switch away */
}

static int kt_preempt(void)
{
	spin_stop = false;
	struct thread *a = thread_create("spin0", spinner, (void *)0, 20, on_cpu_mask(0));
	struct thread *b = thread_create("spin1", spinner, (void *)1, 20, on_cpu_mask(0));
	KT_ASSERT(a && b);
	/* We run at priority 32 on any CPU, so we get back in. Under a heavily
	 * loaded emulator ticks can be sparse: wait up to 20 s of clock time for
	 * both to have run (they never yield, so only preemption can get the
	 * second one onto the CPU while the first spins). */
	uint64_t deadline = time_now_ns() + 20000 * MS;
	do
		thread_sleep_ns(50 * MS);
	while ((spin_count[0] == 0 || spin_count[1] == 0) && time_now_ns() < deadline);
	uint64_t c0 = spin_count[0], c1 = spin_count[1];
	spin_stop = true;
	thread_join(a);
	thread_join(b);
	kprintf("KTEST info: spinner counts %lu and %lu\n", c0, c1);
	KT_ASSERT(c0 > 0 && c1 > 0);
	return 0;
}

/* ---- priorities: the more important thread runs first ---- */

static char order[4];
static volatile int order_len;

static void record(void *arg)
{
	order[order_len++] = (char)(uintptr_t)arg;
}

static int kt_priority(void)
{
	order_len = 0;
	/* Both are pinned to the CPU we are on, and we outrank them: neither runs
	 * until we block in join; then the scheduler must pick H first. */
	no_preempt();
	unsigned me = this_cpu()->id;
	struct thread *l = thread_create("low", record, (void *)'L', 10, on_cpu_mask(me));
	struct thread *h = thread_create("high", record, (void *)'H', 20, on_cpu_mask(me));
	preempt_ok();
	KT_ASSERT(l && h);
	thread_join(l);
	thread_join(h);
	KT_ASSERT_EQ(order_len, 2);
	KT_ASSERT(order[0] == 'H' && order[1] == 'L');
	/* Bad requests are refused, not queued: no such priority, no such CPU. */
	KT_ASSERT(thread_create("bad", record, (void *)'X', 64, 0) == NULL);
	KT_ASSERT(thread_create("bad", record, (void *)'X', -1, 0) == NULL);
	KT_ASSERT(thread_create("bad", record, (void *)'X', 10, (uint64_t)1 << 63) == NULL);
	KT_ASSERT_EQ(order_len, 2);
	return 0;
}

/* ---- SMP: every CPU runs a thread at the same time; a locked counter adds up ---- */

static struct spinlock count_lock = SPINLOCK_INIT("test");
static volatile uint64_t shared_count;
static volatile uint32_t arrived;
static volatile uint32_t together; /* workers that saw all others arrive */
static volatile uint32_t ran_on[MAX_CPUS];
static volatile uint64_t cr0_on[MAX_CPUS]; /* each CPU's CR0, as its worker saw it */
#define SMP_TOTAL 4000			   /* lock round trips in all; each CPU does its share */

static void smp_worker(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg;
	ran_on[want] = this_cpu()->id + 1;
	cr0_on[want] = read_cr0();
	/* A barrier: everyone waits until all have arrived, so all run at once. */
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	uint64_t deadline = time_now_ns() + 30000 * MS; /* a bound for loaded emulators */
	while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < ncpus_online &&
	       time_now_ns() < deadline)
		arch_cpu_relax();
	/* Everyone was here while this worker still spun on its own CPU: all ran at once. */
	if (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) == ncpus_online)
		__atomic_fetch_add(&together, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < SMP_TOTAL / ncpus_online; i++) {
		irqflags_t f = spin_lock_irqsave(&count_lock);
		shared_count = shared_count + 1;
		spin_unlock_irqrestore(&count_lock, f);
	}
}

static int kt_smp(void)
{
	unsigned n = ncpus_online;
	kprintf("KTEST info: %u CPUs online\n", n);
	shared_count = 0;
	arrived = 0;
	together = 0;
	struct thread *t[MAX_CPUS];
	no_preempt();
	for (unsigned i = 0; i < n; i++) {
		ran_on[i] = 0;
		t[i] = thread_create("smp", smp_worker, (void *)(uintptr_t)i, 40, on_cpu_mask(i));
	}
	preempt_ok();
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT(t[i]);
	for (unsigned i = 0; i < n; i++)
		thread_join(t[i]);
	KT_ASSERT_EQ(arrived, n);
	KT_ASSERT_EQ(together, n);
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT_EQ(ran_on[i], i + 1);
	/* INIT leaves an AP with caching off (CR0.CD and NW): start-up must clear them. */
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT_EQ(cr0_on[i] & ((1ull << 30) | (1ull << 29)), 0);
	KT_ASSERT_EQ(shared_count, (uint64_t)n * (SMP_TOTAL / n));
	kprintf("KTEST info: all %u CPUs ran at once; counter %lu\n", n, shared_count);
	return 0;
}

/* ---- sleeping and the clock ---- */

static int kt_sleep(void)
{
	for (int i = 0; i < 3; i++) {
		uint64_t t0 = time_now_ns();
		thread_sleep_ns(100 * MS);
		uint64_t t1 = time_now_ns();
		kprintf("KTEST info: slept %lu us\n", (t1 - t0) / 1000);
		KT_ASSERT(t1 - t0 >= 100 * MS);
	}
	return 0;
}

static volatile uint64_t clock_max;
static volatile uint32_t clock_errors;

static void clock_worker(void *arg)
{
	(void)arg;
	uint64_t mine = 0;
	for (int i = 0; i < 4000; i++) {
		uint64_t before = __atomic_load_n(&clock_max, __ATOMIC_SEQ_CST);
		uint64_t t = time_now_ns();
		if (t < before || t < mine)
			__atomic_fetch_add(&clock_errors, 1, __ATOMIC_RELAXED);
		mine = t;
		uint64_t seen = before;
		while (t > seen && !__atomic_compare_exchange_n(&clock_max, &seen, t, true,
								__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
	}
}

static int kt_clock(void)
{
	struct thread *t[MAX_CPUS];
	clock_errors = 0;
	no_preempt();
	for (unsigned i = 0; i < ncpus_online; i++)
		t[i] = thread_create("clock", clock_worker, NULL, 30, on_cpu_mask(i));
	preempt_ok();
	for (unsigned i = 0; i < ncpus_online; i++)
		KT_ASSERT(t[i]);
	for (unsigned i = 0; i < ncpus_online; i++)
		thread_join(t[i]);
	KT_ASSERT_EQ(clock_errors, 0);
	return 0;
}

/* ---- TLB shootdown: an unmap on one CPU is seen by the others ---- */

#define TLB_VA 0xffffe00080000000ull
static volatile uint32_t tlb_phase;
static volatile uint32_t tlb_ok;

static void tlb_reader(void *arg)
{
	(void)arg;
	uint8_t v;
	/* Phase 1: read the page so this CPU caches its translation (through a
	 * probe: the unmap may come between the phase check and the read). */
	while (__atomic_load_n(&tlb_phase, __ATOMIC_ACQUIRE) == 0)
		(void)probe_read8((void *)TLB_VA, &v);
	/* Phase 2 (after the unmap): the read must fault. */
	while (__atomic_load_n(&tlb_phase, __ATOMIC_ACQUIRE) == 1)
		arch_cpu_relax();
	if (probe_read8((void *)TLB_VA, &v) == -ERR_FAULT)
		__atomic_fetch_add(&tlb_ok, 1, __ATOMIC_SEQ_CST);
}

static int kt_tlb(void)
{
	KT_ASSERT(ncpus_online >= 2);
	paddr_t pa;
	KT_ASSERT(frame_alloc_zeroed(&pa) == 0);
	KT_ASSERT(vm_map(&kernel_space, TLB_VA, pa, VM_READ | VM_WRITE) == 0);
	tlb_phase = 0;
	tlb_ok = 0;
	unsigned n = 0;
	struct thread *t[MAX_CPUS];
	no_preempt(); /* from here we stay on this CPU until preempt_ok() */
	unsigned me = this_cpu()->id;
	for (unsigned i = 0; i < ncpus_online; i++) {
		if (i == me)
			continue;
		t[n++] = thread_create("tlb", tlb_reader, NULL, 30, on_cpu_mask(i));
	}
	preempt_ok();
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT(t[i]);
	thread_sleep_ns(50 * MS); /* let them read the page */
	__atomic_store_n(&tlb_phase, 1, __ATOMIC_RELEASE);
	thread_sleep_ns(5 * MS);
	KT_ASSERT(vm_unmap(&kernel_space, TLB_VA, NULL) == 0);
	__atomic_store_n(&tlb_phase, 2, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < n; i++)
		thread_join(t[i]);
	pmm_free(&kernel_pmm, pa);
	kprintf("KTEST info: %u of %u other CPUs saw the unmap\n", tlb_ok, n);
	KT_ASSERT_EQ(tlb_ok, n);
	return 0;
}

/* ---- FPU/SSE state survives switches ---- */

static volatile uint32_t fpu_bad;

static void fpu_worker(void *arg)
{
	uint64_t pattern = (uint64_t)(uintptr_t)arg * 0x0101010101010101ull;
	for (int i = 0; i < 200; i++) {
		uint64_t out;
		/* SAFETY: the thread's own SSE register, saved and restored by the switch. */
		__asm__ volatile(
		    "movq %0, %%xmm0" ::"r"(pattern)); /* the kernel never uses SSE itself */
		thread_yield();
		__asm__ volatile("movq %%xmm0, %0" : "=r"(out));
		if (out != pattern)
			__atomic_fetch_add(&fpu_bad, 1, __ATOMIC_RELAXED);
	}
}

static int kt_fpu(void)
{
	fpu_bad = 0;
	struct thread *a = thread_create("fpuA", fpu_worker, (void *)0x11, 30, on_cpu_mask(0));
	struct thread *b = thread_create("fpuB", fpu_worker, (void *)0x22, 30, on_cpu_mask(0));
	KT_ASSERT(a && b);
	thread_join(a);
	thread_join(b);
	KT_ASSERT_EQ(fpu_bad, 0);
	return 0;
}

/* ---- a device interrupt through the I/O APIC: the PIT on ISA IRQ 0 ---- */

static void pit_irq(void *ctx)
{
	(void)ctx;
}

static int kt_ioapic(void)
{
	int h = irq_register_isa(0, pit_irq, NULL);
	KT_ASSERT(h >= 0);
	/* PIT channel 0, mode 2 (rate generator), 1 kHz. */
	uint16_t div = 1193;
	outb(0x43, 0x34);
	outb(0x40, div & 0xff);
	outb(0x40, div >> 8);
	/* At 1 kHz, 10 interrupts take 10 ms; a loaded emulator may deliver them
	 * late, so wait up to 5 s of clock time (a bound, not a timing check). */
	uint64_t deadline = time_now_ns() + 5000 * MS;
	do
		thread_sleep_ns(20 * MS);
	while (irq_count(h) < 10 && time_now_ns() < deadline);
	uint64_t n = irq_count(h);
	irq_mask(h);
	uint64_t n2 = irq_count(h);
	thread_sleep_ns(30 * MS);
	uint64_t n3 = irq_count(h);
	irq_unregister(h);
	kprintf("KTEST info: %lu PIT interrupts counted\n", n);
	KT_ASSERT(n >= 10);
	KT_ASSERT(n3 - n2 <= 1); /* masked: at most one already in flight */
	KT_ASSERT(irq_register_isa(16, pit_irq, NULL) == -ERR_INVAL);
	return 0;
}

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
	no_preempt();
	for (unsigned i = 0; i < wr_nvictims; i++) {
		wr_victims[i] = thread_create("wrvictim", wr_victim, NULL, THREAD_PRIO_DEFAULT,
					      SCHED_AFFINITY_ANY);
		KT_ASSERT(wr_victims[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		wakers[i] = thread_create("wrwaker", wr_waker, (void *)(uintptr_t)i,
					  THREAD_PRIO_DEFAULT, on_cpu_mask(i));
		KT_ASSERT(wakers[i]);
	}
	preempt_ok();
	for (unsigned i = 0; i < n; i++)
		thread_join(wakers[i]);
	for (unsigned i = 0; i < wr_nvictims; i++)
		thread_join(wr_victims[i]);
	kprintf("KTEST info: wake_race: %u victims x %u sleeps, %lu cut short, %u moves\n",
		wr_nvictims, WR_SLEEPS, wr_woken_early, wr_moves);
	KT_ASSERT_EQ(wr_left, 0);
	for (unsigned i = 0; i < n; i++) {
		irqflags_t f = spin_lock_irqsave(&cpus[i].rq_lock);
		bool ok = rq_validate(&cpus[i].rq);
		spin_unlock_irqrestore(&cpus[i].rq_lock, f);
		KT_ASSERT(ok);
	}
	return 0;
}

/* ---- a panic on another CPU stops everything and prints once ---- */

static void panicker(void *arg)
{
	(void)arg;
	panic("deliberate panic on CPU %u", this_cpu()->id);
}

static int kt_smp_panic(void)
{
	KT_ASSERT(ncpus_online >= 2);
	thread_create("panicker", panicker, NULL, 40, on_cpu_mask(1));
	for (;;)
		arch_cpu_relax(); /* stopped by the panic's NMI */
}

/* ---- benchmark: yield round trip between two threads on one CPU ---- */

#define BENCH_ROUNDS 2000
static volatile uint64_t bench_t0, bench_t1;
static volatile int bench_turn;

/* The same strict ping-pong as the Linux benchmark (bench/linux): a turn word
 * says whose go it is; each side yields until it is its turn, then hands it
 * over, so a round trip is exactly two switches. */
static void bench_yielder(void *arg)
{
	int me = arg != NULL ? 0 : 1;
	for (int i = 0; i < BENCH_ROUNDS + 10; i++) {
		if (me == 0 && i == 10)
			bench_t0 = arch_read_tsc(); /* after a few warm-up rounds */
		while (bench_turn != me)
			thread_yield();
		bench_turn = !me;
	}
	if (me == 0)
		bench_t1 = arch_read_tsc();
}

static int kt_bench_yield(void)
{
	/* Pinned to CPU 0 at a priority above everything else there. */
	bench_turn = 0;
	no_preempt();
	struct thread *a = thread_create("yieldA", bench_yielder, (void *)1, 60, on_cpu_mask(0));
	struct thread *b = thread_create("yieldB", bench_yielder, NULL, 60, on_cpu_mask(0));
	preempt_ok();
	KT_ASSERT(a && b);
	thread_join(a);
	thread_join(b);
	uint64_t per = (bench_t1 - bench_t0) / BENCH_ROUNDS;
	kprintf("bench yield_roundtrip.orbital %lu tsc\n", per);
	return 0;
}

const struct ktest ktests_sched[] = {
    {"preempt", kt_preempt},
    {"priority", kt_priority},
    {"smp", kt_smp},
    {"sleep", kt_sleep},
    {"clock", kt_clock},
    {"tlb", kt_tlb},
    {"fpu", kt_fpu},
    {"ioapic", kt_ioapic},
    {"stress", kt_stress},
    {"wake_race", kt_wake_race},
    {"smp_panic", kt_smp_panic},
    {"bench_yield", kt_bench_yield},
    {NULL, NULL},
};
