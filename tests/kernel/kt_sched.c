/*
 * In-kernel tests of threads, the scheduler, timers and SMP: preemption,
 * priorities, CPUs running at the same time (each with its own per-CPU block), sleeping, the
 * monotonic clock, TLB shootdown, FPU state across switches, device interrupts through the I/O
 * APIC, a panic on another CPU and the yield round-trip benchmark. The thread stress test and the
 * wake race are in kt_stress.c; the helpers both files use are declared in kt_sched.h.
 */
#include "tests/kernel/ktest.h"
#include "tests/kernel/kt_sched.h"
#include "sched/cpu.h"
#include "arch/irq.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "debug/panic.h"
#include "base/spinlock.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/phys.h"
#include "arch/vm.h"
#include "x86/trap.h"
#include "x86/io.h"
#include "x86/x86.h"

uint64_t kt_on_cpu_mask(unsigned cpu)
{
	return (uint64_t)1 << cpu;
}

/* Creating several threads that outrank us: without this, the first one to
 * land on our CPU would keep us from creating the rest until it finished. */
void kt_no_preempt(void)
{
	irqflags_t f = arch_irq_save();
	this_cpu()->preempt_off++;
	arch_irq_restore(f);
}

void kt_preempt_ok(void)
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
	struct thread *a = thread_create("spin0", spinner, (void *)0, 20, kt_on_cpu_mask(0));
	struct thread *b = thread_create("spin1", spinner, (void *)1, 20, kt_on_cpu_mask(0));
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
	kt_no_preempt();
	unsigned me = this_cpu()->id;
	struct thread *l = thread_create("low", record, (void *)'L', 10, kt_on_cpu_mask(me));
	struct thread *h = thread_create("high", record, (void *)'H', 20, kt_on_cpu_mask(me));
	kt_preempt_ok();
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
static volatile bool own_block[MAX_CPUS];  /* worker i found CPU i's own block in force */
#define SMP_TOTAL 4000			   /* lock round trips in all; each CPU does its share */

/* The running CPU works with its own block (sched/cpu.c allocates one per CPU):
 * GS finds the block of CPU `want`, and the GDT and task register in force are
 * the ones in it, so the TSS and I/O bitmap the CPU checks are its own. Each
 * IST stack is mapped, with an unmapped guard page below it. */
static bool kt_own_block_in_force(unsigned want)
{
	struct cpu *c = this_cpu();
	if (c != cpu_by_id(want) || c->self != c || c->id != want)
		return false;
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed gdtr;
	uint16_t tr;
	/* SAFETY: only reads this CPU's GDT register and task register. */
	__asm__ volatile("sgdt %0\n\tstr %1" : "=m"(gdtr), "=r"(tr));
	const struct cpu_tables *t = &c->arch.tables;
	if (gdtr.base != (uint64_t)t->gdt || (tr >> 3) + 1 >= GDT_ENTRIES)
		return false;
	uint64_t lo = t->gdt[tr >> 3], hi = t->gdt[(tr >> 3) + 1];
	uint64_t base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);
	if (base != (uint64_t)&t->tss || t->tss.iomap_base != sizeof(struct tss))
		return false;
	for (int i = 0; i < 3; i++) {
		vaddr_t top = t->tss.ist[i];
		vaddr_t guard = top - (KSTACK_PAGES + 1) * PAGE_SIZE;
		if (!top || vm_query(&kernel_space, top - PAGE_SIZE, NULL, NULL, NULL) != 0 ||
		    vm_query(&kernel_space, guard, NULL, NULL, NULL) == 0)
			return false;
	}
	return true;
}

static void smp_worker(void *arg)
{
	unsigned want = (unsigned)(uintptr_t)arg;
	ran_on[want] = this_cpu()->id + 1;
	cr0_on[want] = read_cr0();
	own_block[want] = kt_own_block_in_force(want);
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
	kt_no_preempt();
	/* A block for each CPU that runs, and none beyond (in the cases that run
	 * this test the last CPU the firmware lists always starts). */
	KT_ASSERT_EQ(ncpus, n);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			KT_ASSERT(cpu_by_id(i) != cpu_by_id(j));
	for (unsigned i = n; i < MAX_CPUS; i++)
		KT_ASSERT(cpu_list[i] == NULL);
	for (unsigned i = 0; i < n; i++) {
		ran_on[i] = 0;
		own_block[i] = false;
		t[i] =
		    thread_create("smp", smp_worker, (void *)(uintptr_t)i, 40, kt_on_cpu_mask(i));
	}
	kt_preempt_ok();
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
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT(own_block[i]);
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
	kt_no_preempt();
	for (unsigned i = 0; i < ncpus_online; i++)
		t[i] = thread_create("clock", clock_worker, NULL, 30, kt_on_cpu_mask(i));
	kt_preempt_ok();
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
	kt_no_preempt(); /* from here we stay on this CPU until kt_preempt_ok() */
	unsigned me = this_cpu()->id;
	for (unsigned i = 0; i < ncpus_online; i++) {
		if (i == me)
			continue;
		t[n++] = thread_create("tlb", tlb_reader, NULL, 30, kt_on_cpu_mask(i));
	}
	kt_preempt_ok();
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
	struct thread *a = thread_create("fpuA", fpu_worker, (void *)0x11, 30, kt_on_cpu_mask(0));
	struct thread *b = thread_create("fpuB", fpu_worker, (void *)0x22, 30, kt_on_cpu_mask(0));
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
	int h = arch_irq_register_isa(0, pit_irq, NULL);
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
	while (arch_irq_count(h) < 10 && time_now_ns() < deadline);
	uint64_t n = arch_irq_count(h);
	arch_irq_mask(h);
	uint64_t n2 = arch_irq_count(h);
	thread_sleep_ns(30 * MS);
	uint64_t n3 = arch_irq_count(h);
	arch_irq_unregister(h);
	kprintf("KTEST info: %lu PIT interrupts counted\n", n);
	KT_ASSERT(n >= 10);
	KT_ASSERT(n3 - n2 <= 1); /* masked: at most one already in flight */
	KT_ASSERT(arch_irq_register_isa(16, pit_irq, NULL) == -ERR_INVAL);
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
	thread_create("panicker", panicker, NULL, 40, kt_on_cpu_mask(1));
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
	kt_no_preempt();
	struct thread *a = thread_create("yieldA", bench_yielder, (void *)1, 60, kt_on_cpu_mask(0));
	struct thread *b = thread_create("yieldB", bench_yielder, NULL, 60, kt_on_cpu_mask(0));
	kt_preempt_ok();
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
    {"smp_panic", kt_smp_panic},
    {"bench_yield", kt_bench_yield},
    {NULL, NULL},
};
