/*
 * SMP start-up and cross-CPU operations (see smp.h).
 *
 * Start-up: the boot CPU first allocates a struct cpu (sched/cpu.h) for each
 * AP the MADT lists, so per-CPU memory exists for the CPUs that exist and no
 * more. Then, for each AP, it prepares an idle thread (whose kernel stack the
 * AP starts on) and IST stacks, writes them into the trampoline's data block,
 * and sends INIT, waits 10 ms, SIPI, waits 200 us, SIPI again if the AP has
 * not checked in. An AP that has not come online within 2 s is reported
 * and left alone. (Real CPUs answer in microseconds; the margin is for
 * virtual CPUs whose host threads a loaded host has not run yet: one that
 * checks in late would find the trampoline's data block already reused.)
 * APs are started one at a time, so the single trampoline page is enough.
 */
#include "arch/smp.h"
#include "syscall.h"
#include "smp.h"
#include "boot/acpi.h"
#include "boot/kmain.h"
#include "sched/sched.h"
#include "sched/time.h"
#include "fpu.h"
#include "gdt.h"
#include "x86/lapic.h"
#include "x86/trap.h"
#include "console/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/kstack.h"
#include "mm/phys.h"
#include "arch/vm.h"
#include "x86/x86.h"

#define TRAMPOLINE_PHYS 0x8000

extern const uint8_t ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_data[];

struct tramp_data {
	uint64_t cr3, stack, cpu, nx, entry;
};

static volatile bool ap_ready;

/* Fault injection for tests: the boot option smp.dead_ap=N makes the boot CPU
 * skip the start-up IPIs of the CPU with APIC id N, which then never answers. */
static int dead_ap = -1;

extern struct acpi_info platform_acpi;
extern bool platform_acpi_ok;

/* First C code on an AP: runs on its idle thread's stack. */
static noreturn void ap_entry(struct cpu *c)
{
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	gdt_init_cpu(&c->arch.tables, c->arch.kstack_tops + 1);
	idt_load();
	if (cpu_features.pge)
		write_cr4(read_cr4() | CR4_PGE);
	fpu_init_cpu(false);
	syscall_init_cpu();
	lapic_init_cpu();
	lapic_timer_start(SCHED_HZ);
	c->arch.tsc_at_online = arch_read_tsc();
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&ncpus_online, 1, __ATOMIC_RELEASE);
	ap_ready = true;
	arch_irq_enable();
	sched_idle_loop();
}

static bool start_one(struct cpu *c, struct tramp_data *data)
{
	for (int i = 1; i <= IST_COUNT; i++) {
		c->arch.kstack_tops[i] = kstack_alloc();
		if (!c->arch.kstack_tops[i])
			return false;
	}
	struct thread *idle = thread_create_idle(c, 0);
	if (!idle)
		return false;
	sched_init_cpu(c, idle);

	data->stack = idle->kstack_top;
	data->cpu = (uint64_t)c;
	ap_ready = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(c->hw_id);
	time_delay_ns(10000000);
	if ((int)c->hw_id != dead_ap) {
		lapic_send_sipi(c->hw_id, TRAMPOLINE_PHYS >> 12);
		time_delay_ns(200000);
		if (!ap_ready)
			lapic_send_sipi(c->hw_id, TRAMPOLINE_PHYS >> 12);
	}
	uint64_t deadline = time_now_ns() + 2000000000ull;
	while (!__atomic_load_n(&ap_ready, __ATOMIC_ACQUIRE) && time_now_ns() < deadline)
		arch_cpu_relax();
	return ap_ready;
}

/* A block for each enabled AP in the MADT (at most MAX_CPUS - 1), in table
 * order, into aps; returns how many. */
static unsigned alloc_aps(const struct acpi_info *acpi, uint32_t self, struct cpu **aps)
{
	unsigned n = 0;
	for (size_t i = 0; i < acpi->madt.cpu_count; i++) {
		const struct acpi_cpu *ac = &acpi->madt.cpus[i];
		if (!(ac->flags & ACPI_CPU_ENABLED) || ac->apic_id == self)
			continue;
		if (n == MAX_CPUS - 1) {
			kwarn("smp: more than %d CPUs; the rest stay off\n", MAX_CPUS);
			break;
		}
		aps[n] = cpu_alloc(ac->apic_id);
		if (!aps[n]) {
			kwarn("smp: no memory for the CPU with APIC id %u; it stays off\n",
			      ac->apic_id);
			continue;
		}
		n++;
	}
	return n;
}

unsigned smp_start_aps(const struct acpi_info *acpi)
{
	uint32_t self = lapic_id();
	char opt[8];
	if (bootinfo_cmdline_get(&boot_info, "smp.dead_ap", opt, sizeof(opt)) && opt[0] >= '1' &&
	    opt[0] <= '9')
		dead_ap = opt[0] - '0';
	size_t len = (size_t)(ap_trampoline_end - ap_trampoline_start);
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), ap_trampoline_start, len);
	struct tramp_data *data =
	    phys_to_virt(TRAMPOLINE_PHYS + (size_t)(ap_trampoline_data - ap_trampoline_start));
	data->cr3 = kernel_space.root;
	data->nx = cpu_features.nx;
	data->entry = (uint64_t)ap_entry;
	/* The trampoline runs at its physical address once paging is on. */
	if (vm_map(&kernel_space, TRAMPOLINE_PHYS, TRAMPOLINE_PHYS, VM_READ | VM_EXEC)) {
		kwarn("smp: cannot map the trampoline; running on one CPU\n");
		return 1;
	}

	struct cpu *aps[MAX_CPUS - 1];
	unsigned n = alloc_aps(acpi, self, aps);
	for (unsigned i = 0; i < n; i++) {
		struct cpu *c = aps[i];
		cpu_publish(c); /* the AP reads its number and ncpus at once */
		if (!start_one(c, data)) {
			kwarn("smp: CPU with APIC id %u did not start; continuing without it\n",
			      c->hw_id);
			/* Its block, idle thread and IST stacks stay allocated: the CPU
			 * got an INIT and might still wake on a stray SIPI, so nothing
			 * it could touch is handed out again. */
			cpu_unpublish(c);
		}
	}
	vm_unmap(&kernel_space, TRAMPOLINE_PHYS, NULL);
	return ncpus_online;
}

unsigned arch_start_cpus(void)
{
	struct cpu *bsp = cpu_by_id(0);
	bsp->hw_id = lapic_id();
	lapic_timer_start(SCHED_HZ);
	bsp->arch.tsc_at_online = arch_read_tsc();
	__atomic_store_n(&bsp->online, true, __ATOMIC_RELEASE);
	__atomic_store_n(&ncpus_online, 1, __ATOMIC_RELEASE);
	if (platform_acpi_ok)
		smp_start_aps(&platform_acpi);
	return ncpus_online;
}

/* ---- TLB shootdown ---------------------------------------------------- */

static uint32_t shootdown_busy;		/* a test-and-set lock: 1 while a shootdown runs */
static volatile vaddr_t shootdown_va;	/* guarded by shootdown_busy */
static volatile size_t shootdown_pages; /* guarded by shootdown_busy; 0 = everything */

#define SHOOTDOWN_MAX_PAGES 32 /* more than this: flush the whole TLB instead */

/* Flushes this CPU's whole TLB, global (kernel) entries included. */
static void flush_all_local(void)
{
	uint64_t cr4 = read_cr4();
	if (cr4 & CR4_PGE) {
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}
static volatile uint32_t
    shootdown_pending[MAX_CPUS]; /* set by the initiator, cleared by each target */

void tlb_shootdown_ack(void)
{
	struct cpu *c = this_cpu();
	if (!__atomic_load_n(&shootdown_pending[c->id], __ATOMIC_ACQUIRE))
		return;
	vaddr_t va = shootdown_va;
	size_t pages = shootdown_pages;
	if (pages == 0 || pages > SHOOTDOWN_MAX_PAGES)
		flush_all_local();
	else
		for (size_t i = 0; i < pages; i++)
			invlpg(va + i * PAGE_SIZE);
	__atomic_store_n(&shootdown_pending[c->id], 0, __ATOMIC_RELEASE);
}

void tlb_shootdown(vaddr_t va, size_t pages)
{
	if (__atomic_load_n(&ncpus_online, __ATOMIC_ACQUIRE) <= 1)
		return;
	irqflags_t f = arch_irq_save();
	/* While waiting for the lock, answer requests aimed at us: the holder may
	 * be waiting for this CPU, and our interrupts may be off. */
	while (__atomic_exchange_n(&shootdown_busy, 1, __ATOMIC_ACQUIRE)) {
		tlb_shootdown_ack();
		arch_cpu_relax();
	}
	struct cpu *self = this_cpu();
	shootdown_va = va;
	shootdown_pages = pages;
	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *c = cpu_by_id(i);
		if (i == self->id || !__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&shootdown_pending[i], 1, __ATOMIC_RELEASE);
		lapic_send_ipi(c->hw_id, VEC_IPI_TLB);
	}
	for (unsigned i = 0; i < ncpus; i++)
		while (__atomic_load_n(&shootdown_pending[i], __ATOMIC_ACQUIRE))
			arch_cpu_relax();
	__atomic_store_n(&shootdown_busy, 0, __ATOMIC_RELEASE);
	arch_irq_restore(f);
}

void smp_stop_others(void)
{
	if (__atomic_load_n(&ncpus_online, __ATOMIC_ACQUIRE) > 1)
		lapic_send_nmi_all_but_self();
}
