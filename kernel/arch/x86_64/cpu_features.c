/*
 * CPU feature detection through CPUID, done once on the boot CPU. Other code
 * reads the cpu_features record (never CPUID directly) so there is one place
 * that decides what the kernel may use.
 */
#include "x86/x86.h"
#include "lib/string.h"

struct cpu_features cpu_features;

void cpu_detect_features(void)
{
	uint32_t a, b, c, d, max, maxext;
	struct cpu_features *f = &cpu_features;

	cpuid(0, 0, &max, &b, &c, &d);
	memcpy(f->vendor + 0, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	f->vendor[12] = 0;

	cpuid(1, 0, &a, &b, &c, &d);
	f->pge = d & (1u << 13);
	f->apic = d & (1u << 9);
	f->fxsr = d & (1u << 24);
	f->x2apic = c & (1u << 21);
	f->tsc_deadline = c & (1u << 24);
	f->xsave = c & (1u << 26);
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f->smep = b & (1u << 7);
		f->smap = b & (1u << 20);
		f->umip = c & (1u << 2);
	}
	cpuid(0x80000000, 0, &maxext, &b, &c, &d);
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->nx = d & (1u << 20);
		f->pdpe1gb = d & (1u << 26);
	}
	if (maxext >= 0x80000004) {
		uint32_t *p = (uint32_t *)(void *)f->brand;
		for (uint32_t leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, 0, &p[leaf * 4], &p[leaf * 4 + 1],
			      &p[leaf * 4 + 2], &p[leaf * 4 + 3]);
		f->brand[48] = 0;
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = d & (1u << 8);
	}
}
