/*
 * Unit tests for orbvm's multi-vCPU description: the CPUID topology leaves
 * (vmm/x86/topology.c) on Intel- and AMD-like tables, the MADT's local APICs
 * (vmm/acpi/tables.c) for 1, 2, 4 and 64 vCPUs, that the APIC IDs are unique
 * and the same in CPUID (leaf 0x1, 0xB, 0x1F, 0x8000001E) and in the MADT,
 * and that --cpus refuses what it must (vmm/config.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "config.h"
#include "err.h"
#include "x86/topology.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define CAP	32

static const unsigned counts[] = {1, 2, 4, 64};

/* A table like KVM_GET_SUPPORTED_CPUID's, with one stale 0xB subleaf (as
 * KVM reports on some hosts) and, if `amd`, AMD's vendor and 0x8000001E. */
static struct kvm_cpuid2 *fake_table(bool amd, bool with_1f)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + CAP * sizeof(c->entries[0]));
	assert_non_null(c);
	struct kvm_cpuid_entry2 e[] = {
	    {.function = 0, .eax = 0x1f, .ebx = 0x756e6547},
	    {.function = 1, .ebx = 0x00ff0800, .edx = 0x078bfbff},
	    {.function = 4, .index = 0, .eax = 0xfc004121},
	    {.function = 4, .index = 1, .eax = 0},
	    {.function = 0xb, .index = 0, .ebx = 7, .edx = 9},
	    {.function = 0x80000001, .ecx = 0x2},
	    {.function = 0x80000008, .ecx = 0x3000f},
	    {.function = 0x8000001e, .eax = 5, .ebx = 0x105, .ecx = 0x103},
	    {.function = 0x1f, .index = 0},
	};
	if (amd)
		memcpy(&e[0].ebx, "Auth", 4);
	unsigned n = sizeof(e) / sizeof(e[0]) - (with_1f ? 0 : 1);
	memcpy(c->entries, e, n * sizeof(e[0]));
	c->nent = n;
	return c;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t index)
{
	const struct kvm_cpuid_entry2 *hit = NULL;
	for (unsigned i = 0; i < c->nent; i++) {
		if (c->entries[i].function == fn && c->entries[i].index == index) {
			assert_null(hit); /* each subleaf once */
			hit = &c->entries[i];
		}
	}
	return hit;
}

/* The extended topology leaf fn as vCPU id of n must report it. */
static void check_ext_leaf(const struct kvm_cpuid2 *c, uint32_t fn, unsigned id, unsigned n)
{
	const struct kvm_cpuid_entry2 *smt = find(c, fn, 0), *core = find(c, fn, 1),
				      *end = find(c, fn, 2);
	assert_non_null(smt);
	assert_non_null(core);
	assert_non_null(end);
	assert_int_equal(smt->ebx, 1);
	assert_int_equal((smt->ecx >> 8) & 0xff, 1); /* SMT */
	assert_int_equal(smt->eax & 0x1f, 0);
	assert_int_equal(core->ebx & 0xffff, n);
	assert_int_equal((core->ecx >> 8) & 0xff, 2); /* core */
	assert_true((1u << (core->eax & 0x1f)) >= n); /* the shift holds every core ID */
	assert_true(n == 1 || (1u << (core->eax & 0x1f)) < 2 * n);
	assert_int_equal((end->ecx >> 8) & 0xff, 0); /* no more levels */
	assert_int_equal(smt->edx, id);
	assert_int_equal(core->edx, id);
	assert_int_equal(end->edx, id);
}

/* Applies vCPU id of n and returns the APIC ID the table reports. */
static unsigned apply_and_check(bool amd, unsigned id, unsigned n)
{
	struct kvm_cpuid2 *c = fake_table(amd, true);
	struct cpu_topo t = {.index = id, .ncpus = n, .amd = cpu_topo_is_amd(c)};
	assert_int_equal(t.amd, amd);
	assert_int_equal(cpu_topo_apply(c, CAP, &t), 0);
	const struct kvm_cpuid_entry2 *l1 = find(c, 1, 0);
	unsigned apic = l1->ebx >> 24;
	assert_true(((l1->ebx >> 16) & 0xff) >= n);
	assert_int_equal(l1->ebx & 0xffff, 0x0800); /* the rest of EBX kept */
	assert_int_equal(!!(l1->edx & (1u << 28)), n > 1);
	check_ext_leaf(c, 0xb, apic, n);
	check_ext_leaf(c, 0x1f, apic, n);
	const struct kvm_cpuid_entry2 *l4 = find(c, 4, 0), *x8 = find(c, 0x80000008, 0);
	assert_true((l4->eax >> 26) + 1 >= n);
	assert_int_equal(find(c, 4, 1)->eax, 0); /* "no more caches" untouched */
	assert_int_equal(x8->ecx & 0xff, n - 1); /* NC */
	assert_true((1u << ((x8->ecx >> 12) & 0xf)) >= n);
	assert_int_equal(x8->ecx & 0x30000, 0x30000); /* other fields kept */
	const struct kvm_cpuid_entry2 *e1e = find(c, 0x8000001e, 0), *x1 = find(c, 0x80000001, 0);
	if (amd) {
		assert_int_equal(e1e->eax, apic);
		assert_int_equal(e1e->ebx & 0xffff, id); /* core id, one thread per core */
		assert_int_equal(e1e->ecx & 0x7ff, 0);	 /* node 0 of 1 */
		assert_int_equal(x1->ecx & 2, n > 1 ? 2 : 0);
	} else {
		assert_int_equal(e1e->eax, 5); /* not AMD: left alone */
	}
	free(c);
	return apic;
}

static void test_topology(void **state)
{
	(void)state;
	for (int amd = 0; amd < 2; amd++) {
		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
			unsigned n = counts[k];
			uint8_t seen[256] = {0};
			for (unsigned id = 0; id < n; id++) {
				unsigned apic = apply_and_check(amd, id, n);
				assert_int_equal(apic, cpu_topo_apic_id(id));
				assert_int_equal(seen[apic], 0);
				seen[apic] = 1;
			}
		}
	}
}

static void test_topology_no_leaf_1f(void **state)
{
	(void)state;
	struct kvm_cpuid2 *c = fake_table(false, false);
	struct cpu_topo t = {.index = 3, .ncpus = 4};
	assert_int_equal(cpu_topo_apply(c, CAP, &t), 0);
	assert_null(find(c, 0x1f, 0)); /* not invented when the host has none */
	check_ext_leaf(c, 0xb, 3, 4);
	/* No room for the new subleaves: an error, not an overflow. */
	struct kvm_cpuid2 *d = fake_table(false, true);
	assert_int_equal(cpu_topo_apply(d, d->nent, &t), -ERR_NOSPACE);
	free(c);
	free(d);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The MADT for n vCPUs: n enabled local APICs, UIDs 0..n-1, the APIC IDs
 * CPUID gives each vCPU, all different; checksum and length right. */
static void test_madt_lapics(void **state)
{
	(void)state;
	static struct acpi_blob a;
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		unsigned n = counts[k];
		assert_int_equal(acpi_build_smp(&a, 0xe0000, NULL, 0, n), 0);
		const uint8_t *m = a.data + a.offset[ACPI_MADT];
		uint32_t len = le32(m + 4);
		uint8_t s = 0, seen[256] = {0};
		for (uint32_t i = 0; i < len; i++)
			s = (uint8_t)(s + m[i]);
		assert_int_equal(s, 0);
		assert_int_equal(len, a.size[ACPI_MADT]);
		unsigned lapics = 0;
		for (uint32_t off = 44; off < len; off += m[off + 1]) {
			assert_true(m[off + 1] >= 2);
			if (m[off] != 0)
				continue;
			assert_int_equal(m[off + 2], lapics); /* processor UID */
			assert_int_equal(m[off + 3], apply_and_check(lapics & 1, lapics, n));
			assert_int_equal(seen[m[off + 3]], 0);
			seen[m[off + 3]] = 1;
			assert_int_equal(le32(m + off + 4) & 1, 1);
			lapics++;
		}
		assert_int_equal(lapics, n);
	}
	assert_int_equal(acpi_build_smp(&a, 0xe0000, NULL, 0, 0), -ERR_INVAL);
	assert_int_equal(acpi_build_smp(&a, 0xe0000, NULL, 0, CPU_TOPO_MAX_CPUS + 1), -ERR_INVAL);
}

static void test_cpus_option(void **state)
{
	(void)state;
	static struct config cfg;
	const char *good[] = {"1", "2", "4", "64"};
	for (size_t i = 0; i < 4; i++) {
		char *argv[] = {"orbvm", "--kernel", "k", "--cpus", (char *)good[i]};
		assert_int_equal(config_parse(ARGC(argv), argv, &cfg), CONFIG_RUN);
		assert_int_equal(cfg.cpus, (unsigned)atoi(good[i]));
		assert_false(cfg.pin);
	}
	const char *bad[] = {"0", "65", "-1", "", "4x", "two", " 2", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"orbvm", "--kernel", "k", "--cpus", (char *)bad[i]};
		err_clear();
		assert_int_equal(config_parse(ARGC(argv), argv, &cfg), -ERR_INVAL);
		assert_non_null(strstr(err_msg(), "--cpus"));
	}
	char *real[] = {"orbvm", "--real-mode", "r", "--cpus", "2"};
	assert_int_equal(config_parse(ARGC(real), real, &cfg), -ERR_INVAL);
	assert_non_null(strstr(err_msg(), "needs --kernel"));
	char *real1[] = {"orbvm", "--real-mode", "r", "--cpus", "1"};
	assert_int_equal(config_parse(ARGC(real1), real1, &cfg), CONFIG_RUN);
	char *pin[] = {"orbvm", "--kernel", "k", "--cpus=4", "--pin"};
	assert_int_equal(config_parse(ARGC(pin), pin, &cfg), CONFIG_RUN);
	assert_true(cfg.pin);
	assert_int_equal(CONFIG_MAX_CPUS, CPU_TOPO_MAX_CPUS);
	assert_non_null(strstr(config_usage, "--pin"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_topology),
	    cmocka_unit_test(test_topology_no_leaf_1f),
	    cmocka_unit_test(test_madt_lapics),
	    cmocka_unit_test(test_cpus_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
