/*
 * Local APIC driver (see x86/lapic.h).
 *
 * Register access goes through lapic_read/lapic_write, which use MMIO in
 * xAPIC mode and the MSR range 0x800+ in x2APIC mode (register offset / 16).
 * The ICR differs: two 32-bit registers in xAPIC (destination in the high
 * word, bits 24..31), one 64-bit MSR in x2APIC (destination in bits 32..63).
 */
#include "x86/lapic.h"
#include "pit.h"
#include "console/kprintf.h"
#include "mm/mem_init.h"
#include "x86/x86.h"
#include "arch/cpu.h"

#define MSR_APIC_BASE	 0x1b
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_X2APIC (1ull << 10)
#define MSR_TSC_DEADLINE 0x6e0

#define REG_ID	       0x20
#define REG_VERSION    0x30
#define REG_TPR	       0x80
#define REG_EOI	       0xb0
#define REG_SVR	       0xf0
#define REG_ESR	       0x280
#define REG_ICR_LO     0x300
#define REG_ICR_HI     0x310
#define REG_LVT_TIMER  0x320
#define REG_LVT_LINT0  0x350
#define REG_LVT_LINT1  0x360
#define REG_LVT_ERROR  0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3e0

#define LVT_MASKED	 (1u << 16)
#define LVT_PERIODIC	 (1u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_NMI		 (4u << 8)
#define ICR_INIT	 (5u << 8)
#define ICR_STARTUP	 (6u << 8)
#define ICR_NMI		 (4u << 8)
#define ICR_ASSERT	 (1u << 14)
#define ICR_LEVEL	 (1u << 15)
#define ICR_PENDING	 (1u << 12)
#define ICR_ALL_BUT_SELF (3u << 18)

static volatile uint32_t *mmio;
static bool x2apic;
static bool deadline;
static uint64_t timer_hz_; /* APIC timer ticks per second, divide by 16 */
static uint64_t tsc_hz_;

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return mmio[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

bool lapic_x2apic(void)
{
	return x2apic;
}

bool lapic_tsc_deadline(void)
{
	return deadline;
}

void lapic_init_boot(uint64_t mmio_phys)
{
	x2apic = cpu_features.x2apic;
	if (!x2apic) {
		mmio = kmap_mmio(mmio_phys, PAGE_SIZE);
		if (!mmio)
			kwarn("lapic: cannot map registers at 0x%lx\n", mmio_phys);
	}
	deadline = cpu_features.tsc_deadline;
	kinfo("lapic: %s mode%s\n", x2apic ? "x2APIC" : "xAPIC",
	      deadline ? ", TSC-deadline timer" : "");
}

void lapic_init_cpu(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_X2APIC;
	wrmsr(MSR_APIC_BASE, base);

	lapic_write(REG_TPR, 0);
	lapic_write(REG_LVT_LINT0, LVT_MASKED);
	lapic_write(REG_LVT_LINT1, LVT_NMI); /* LINT1 is wired to NMI on PCs */
	lapic_write(REG_LVT_ERROR, VEC_APIC_ERROR);
	lapic_write(REG_ESR, 0);
	lapic_write(REG_ESR, 0);
	lapic_write(REG_SVR, VEC_SPURIOUS | 0x100); /* software enable */
	lapic_write(REG_EOI, 0);
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(REG_ID);
	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(REG_EOI, 0);
}

/* Interrupts are off while the ICR is programmed: in xAPIC mode it is two
 * registers, and an interrupt handler sending its own IPI in between would
 * send ours to its destination.
 *
 * Ordering: an IPI tells its target to look at memory we wrote just before
 * (a TLB shootdown request, a run-queue entry), so those stores must be
 * visible first. The xAPIC's uncached MMIO store is ordered after them like
 * any store. A WRMSR to an x2APIC register is not: the SDM (x2APIC mode,
 * "MSR access") lets it complete before earlier stores are globally visible
 * unless MFENCE; LFENCE comes first, and then the target can take the
 * interrupt, find no request, and never answer. */
static void icr_send(uint32_t dest, uint32_t low)
{
	irqflags_t f = arch_irq_save();
	if (x2apic) {
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(0x830, ((uint64_t)dest << 32) | low);
		arch_irq_restore(f);
		return;
	}
	while (lapic_read(REG_ICR_LO) & ICR_PENDING)
		arch_cpu_relax();
	lapic_write(REG_ICR_HI, dest << 24);
	lapic_write(REG_ICR_LO, low);
	while (lapic_read(REG_ICR_LO) & ICR_PENDING)
		arch_cpu_relax();
	arch_irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, vector | ICR_ASSERT);
}

void lapic_send_ipi_all_but_self(uint8_t vector)
{
	icr_send(0, vector | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_send_nmi_all_but_self(void)
{
	icr_send(0, ICR_NMI | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, ICR_STARTUP | page);
}

/* The TSC's frequency from CPUID leaf 0x16 (the base frequency in MHz), or 0. */
static uint64_t lapic_cpuid_tsc_hz(void)
{
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
	if (a < 0x16)
		return 0;
	cpuid(0x16, 0, &a, &b, &c, &d);
	return (uint64_t)(a & 0xffff) * 1000000;
}

/*
 * Calibration: the TSC against the PIT, then the APIC timer against the TSC.
 * The PIT window opens when platform start-up begins (lapic_calibrate_begin)
 * and closes here, at least CAL_PIT_TICKS later, so the ACPI tables and the
 * interrupt controllers are set up while it runs instead of in front of a
 * busy wait. Each end of a window is a pair of readings taken back to back
 * (a sample, the TSC at its midpoint): what delays the CPU between the two
 * ends (an SMI, the host descheduling a virtual CPU) changes nothing, since
 * both clocks go on; only the few microseconds of a sample count, and of
 * three tries the tightest one is kept. A window the stopwatch outran (its
 * count may have wrapped: start-up or a stall took longer than 54.9 ms) is
 * opened again. Without a PIT (pit_present), the TSC's frequency comes from
 * CPUID or is guessed, and the warning says which.
 */
#define CAL_PIT_TICKS	(PIT_HZ / 100) /* the TSC window: 10 ms, 0.01% per PIT tick */
#define CAL_APIC_DIV	500	       /* the APIC timer window: at least 1/500 s (2 ms) of TSC */
#define CAL_PIT_WINDOWS 3	       /* windows tried before giving up on the PIT */

struct cal_sample {
	uint64_t tsc;	/* when it was read: midpoint of the TSC before and after */
	uint32_t count; /* the PIT's count, or the APIC timer's */
	bool wrapped;	/* the PIT ran 54.9 ms or more: its count may have wrapped */
};

static bool cal_pit; /* there is a PIT; its stopwatch runs from cal_start */
static struct cal_sample cal_start;

static struct cal_sample cal_read(bool apic)
{
	struct cal_sample best = {0};
	uint64_t spread = UINT64_MAX;
	for (int i = 0; i < 3; i++) {
		struct cal_sample s = {0};
		uint64_t t0 = arch_read_tsc();
		s.count = apic ? lapic_read(REG_TIMER_CUR) : pit_stopwatch_read(&s.wrapped);
		uint64_t t1 = arch_read_tsc();
		s.tsc = t0 + (t1 - t0) / 2;
		if (t1 - t0 < spread) {
			spread = t1 - t0;
			best = s;
		}
	}
	return best;
}

static uint16_t cal_ticks_since(const struct cal_sample *from, const struct cal_sample *now)
{
	return (uint16_t)(from->count - now->count); /* it counts down, mod 2^16 */
}

void lapic_calibrate_begin(void)
{
	cal_pit = pit_present();
	if (!cal_pit)
		return;
	pit_stopwatch_start();
	cal_start = cal_read(false);
}

/* Waits until the PIT has run `ticks` since `from` (false: it wrapped first,
 * or never counted). *end is the last sample. */
static bool cal_wait(const struct cal_sample *from, uint32_t ticks, struct cal_sample *end)
{
	for (uint32_t spins = 0; spins < 10000000u; spins++) {
		*end = cal_read(false);
		if (end->wrapped)
			return false;
		if (cal_ticks_since(from, end) >= ticks)
			return true;
	}
	return false;
}

/* The TSC's frequency over a PIT window (0 if no window came out whole). */
static uint64_t cal_tsc_hz(void)
{
	struct cal_sample end;
	for (int w = 0; w < CAL_PIT_WINDOWS; w++) {
		if (w > 0) {
			kinfo("lapic: the PIT outran calibration window %d; opening another\n", w);
			pit_stopwatch_start();
			cal_start = cal_read(false);
		}
		if (cal_wait(&cal_start, CAL_PIT_TICKS, &end) && end.tsc > cal_start.tsc)
			return (end.tsc - cal_start.tsc) * PIT_HZ /
			       cal_ticks_since(&cal_start, &end);
	}
	return 0;
}

void lapic_timer_calibrate(void)
{
	lapic_write(REG_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(REG_LVT_TIMER, LVT_MASKED);
	lapic_write(REG_TIMER_INIT, 0xffffffff);
	struct cal_sample apic0 = cal_read(true);
	if (cal_pit) {
		tsc_hz_ = cal_tsc_hz();
		pit_stopwatch_stop();
		if (!tsc_hz_)
			kwarn("lapic: the PIT never ran a whole window; TSC frequency guessed\n");
	} else {
		tsc_hz_ = lapic_cpuid_tsc_hz();
		kwarn("lapic: no PIT to calibrate against; %s\n",
		      tsc_hz_ ? "TSC frequency from CPUID leaf 0x16"
			      : "TSC frequency guessed (1 GHz): the clock may run fast or slow");
	}
	if (tsc_hz_ == 0)
		tsc_hz_ = 1000000000;
	/* The APIC timer against the TSC, over what the PIT window took, and at least 2 ms. */
	while (arch_read_tsc() - apic0.tsc < tsc_hz_ / CAL_APIC_DIV)
		;
	struct cal_sample apic1 = cal_read(true);
	lapic_write(REG_TIMER_INIT, 0);
	if (apic1.tsc > apic0.tsc)
		timer_hz_ =
		    (uint64_t)(apic0.count - apic1.count) * tsc_hz_ / (apic1.tsc - apic0.tsc);
	if (timer_hz_ == 0) {
		kwarn("lapic: timer calibration failed; assuming 100 MHz\n");
		timer_hz_ = 100000000 / 16;
	}
	kinfo("lapic: timer %lu kHz (after /16), TSC %lu MHz\n", timer_hz_ / 1000,
	      tsc_hz_ / 1000000);
}

static uint64_t deadline_period; /* TSC ticks per tick in TSC-deadline mode */

void lapic_timer_start(uint32_t hz)
{
	if (deadline) {
		/* One-shot at a TSC value; the tick handler re-arms it (lapic_timer_rearm). */
		deadline_period = tsc_hz_ / hz;
		lapic_write(REG_LVT_TIMER, VEC_TIMER | LVT_TSC_DEADLINE);
		__asm__ volatile("mfence" ::
				     : "memory"); /* SDM: order the LVT write before the MSR */
		wrmsr(MSR_TSC_DEADLINE, arch_read_tsc() + deadline_period);
		return;
	}
	lapic_write(REG_TIMER_DIV, 0x3);
	lapic_write(REG_LVT_TIMER, VEC_TIMER | LVT_PERIODIC);
	uint64_t count = timer_hz_ / hz;
	lapic_write(REG_TIMER_INIT, count ? (uint32_t)MIN(count, 0xffffffffull) : 1);
}

void lapic_timer_rearm(void)
{
	if (deadline)
		wrmsr(MSR_TSC_DEADLINE, arch_read_tsc() + deadline_period);
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz_;
}

uint64_t tsc_hz(void)
{
	return tsc_hz_;
}
