/*
 * FPU/SSE state handling (see fpu.h): enabling the FPU on each CPU, sizing
 * the save area, the clean state new threads start with, and which save
 * instruction the switch uses (XSAVEOPT where the CPU has it, else XSAVE,
 * else FXSAVE; chosen once on the boot CPU).
 */
#include "fpu.h"
#include "lib/string.h"
#include "console/kprintf.h"
#include "x86/x86.h"

#define CR0_MP	       (1ull << 1)
#define CR0_EM	       (1ull << 2)
#define CR0_TS	       (1ull << 3)
#define CR0_NE	       (1ull << 5)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_OSXSAVE    (1ull << 18)

#define FPU_AREA_MAX 4096

bool fpu_use_xsave;    /* set once at boot */
bool fpu_use_xsaveopt; /* set once at boot: XSAVEOPT for the switch's saves */
uint8_t fpu_mode;      /* set once at boot, from the two above (fpu.h) */
#define use_xsave fpu_use_xsave
static size_t area_size = 512;
static uint64_t xcr0;
static uint8_t clean_state[FPU_AREA_MAX] __aligned(64);

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" ::"c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void fpu_init_cpu(bool boot)
{
	write_cr0((read_cr0() | CR0_MP | CR0_NE) & ~(CR0_EM | CR0_TS));
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpu_features.xsave)
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);

	if (boot && cpu_features.xsave) {
		uint32_t a, b, c, d;
		cpuid(0xd, 0, &a, &b, &c, &d);
		uint64_t supported = ((uint64_t)d << 32) | a;
		xcr0 = supported & 0x7; /* x87, SSE, AVX when present */
		use_xsave = true;
		/* XSAVEOPT writes only the components modified since this CPU's
		 * last XRSTOR from the same area. Safe here: a thread's area is
		 * written only by its own saves while it runs on one CPU, and it
		 * is always restored (XRSTOR) on a CPU before it runs there. */
		cpuid(0xd, 1, &a, &b, &c, &d);
		fpu_use_xsaveopt = (a & 1) != 0;
	}
	if (use_xsave) {
		xsetbv(0, xcr0);
		if (boot) {
			uint32_t a, b, c, d;
			cpuid(0xd, 0, &a, &b, &c, &d);
			area_size = b; /* size for the features enabled in XCR0 */
			if (area_size > FPU_AREA_MAX) {
				kwarn("fpu: XSAVE area of %zu bytes too big; using FXSAVE\n",
				      area_size);
				use_xsave = false;
				fpu_use_xsaveopt = false;
				area_size = 512;
			}
		}
	}
	__asm__ volatile("fninit");
	if (boot) {
		fpu_mode = !use_xsave ? FPU_FXSAVE : fpu_use_xsaveopt ? FPU_XSAVEOPT : FPU_XSAVE;
		memset(clean_state, 0, sizeof(clean_state));
		/* A full save (not XSAVEOPT: no XRSTOR has run to compare against). */
		if (use_xsave)
			__asm__ volatile("xsave64 (%0)" ::"r"(clean_state), "a"(0xffffffffu),
					 "d"(0xffffffffu)
					 : "memory");
		else
			fpu_save(clean_state);
		kinfo("fpu: %s, %zu-byte save area\n",
		      !use_xsave	 ? "FXSAVE"
		      : fpu_use_xsaveopt ? "XSAVE (XSAVEOPT)"
					 : "XSAVE",
		      area_size);
	}
}

size_t fpu_area_size(void)
{
	return area_size;
}

bool fpu_uses_xsave(void)
{
	return use_xsave;
}

void fpu_save(void *area)
{
	fpu_save_inline(area);
}

void fpu_restore(const void *area)
{
	fpu_restore_inline(area);
}

void fpu_init_area(void *area)
{
	memcpy(area, clean_state, area_size);
}
