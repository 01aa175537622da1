/*
 * Unit tests for KVM's GSI routing table (vmm/irq/gsi_routes.c) and its
 * wiring to the I/O APIC model in vm.c.
 *
 * Without KVM (vm_fd -1, commits only counted): MSI routes replace each
 * other per GSI and commit only on change, clearing removes irqchip and MSI
 * routes alike, GSIs for device MSIs come from above the reserved I/O APIC
 * pins until the table is full and can be given back, and bad GSIs are
 * refused. With /dev/kvm (skipped without it): a split-irqchip VM accepts
 * every route the model makes, a guest write of a redirection entry becomes
 * the MSI route of GSI = pin (and a wild vector removes it), a device MSI GSI
 * is accepted by KVM, and the kernel irqchip's PC routing still commits.
 * And the MADT without 8259s: PCAT_COMPAT cleared, the checksum still right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <orbital/errors.h>

#include "acpi/acpi.h"
#include "irq/gsi_routes.h"
#include "irq/ioapic.h"
#include "vm.h"

static struct gsi_routes r;

static void test_msi_routes(void **state)
{
	(void)state;
	uint64_t a;
	uint32_t d;
	gsi_routes_init(&r, -1, 24);
	assert_int_equal(gsi_routes_set_msi(&r, 4, 0xfee00000u, 0x4031), 1);
	assert_int_equal(gsi_routes_set_msi(&r, 4, 0xfee00000u, 0x4031), 0); /* unchanged */
	assert_int_equal(r.commits, 1);
	assert_int_equal(gsi_routes_set_msi(&r, 4, 0xfee01000u, 0x4031), 1);
	assert_int_equal(r.n, 1);
	assert_true(gsi_routes_get_msi(&r, 4, &a, &d));
	assert_int_equal(a, 0xfee01000u);
	assert_false(gsi_routes_get_msi(&r, 5, &a, &d));
	assert_int_equal(gsi_routes_add_irqchip(&r, 5, KVM_IRQCHIP_IOAPIC, 5), 0);
	assert_int_equal(gsi_routes_set_msi(&r, 5, 0xfee00000u, 0x4035), 1); /* replaces it */
	assert_int_equal(r.n, 2);
	assert_int_equal(gsi_routes_clear(&r, 4), 0);
	assert_int_equal(r.n, 1);
	unsigned long long c = r.commits;
	assert_int_equal(gsi_routes_clear(&r, 4), 0); /* nothing there: no commit */
	assert_int_equal(r.commits, c);
	assert_int_equal(gsi_routes_set_msi(&r, GSI_ROUTES_MAX, 0, 0), -ERR_INVAL);
	assert_int_equal(gsi_routes_add_irqchip(&r, GSI_ROUTES_MAX, 0, 0), -ERR_INVAL);
	gsi_routes_destroy(&r);
}

static void test_alloc(void **state)
{
	(void)state;
	gsi_routes_init(&r, -1, 24);
	int g = gsi_routes_alloc(&r);
	assert_int_equal(g, 24);
	assert_int_equal(gsi_routes_set_msi(&r, (unsigned)g, 0xfee00000u, 0x4050), 1);
	assert_int_equal(gsi_routes_alloc(&r), 25);
	assert_int_equal(gsi_routes_free(&r, (unsigned)g), 0);
	assert_false(gsi_routes_get_msi(&r, (unsigned)g, &(uint64_t){0}, &(uint32_t){0}));
	assert_int_equal(gsi_routes_alloc(&r), 24); /* given back, handed out again */
	int last = 0;
	for (int i = 26; i < GSI_ROUTES_MAX; i++)
		last = gsi_routes_alloc(&r);
	assert_int_equal(last, GSI_ROUTES_MAX - 1);
	assert_int_equal(gsi_routes_alloc(&r), -ERR_NOSPACE);
	assert_int_equal(gsi_routes_free(&r, 3), 0); /* an I/O APIC pin: left alone */
	/* A full table refuses another route. */
	for (unsigned gsi = 0; gsi < GSI_ROUTES_MAX; gsi++)
		assert_int_equal(gsi_routes_set_msi(&r, gsi, 0xfee00000u, 0x4040 + gsi % 16), 1);
	assert_int_equal(gsi_routes_add_irqchip(&r, 1, KVM_IRQCHIP_IOAPIC, 1), -ERR_NOSPACE);
	gsi_routes_destroy(&r);
}

static bool have_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Guest-style MMIO write of an I/O APIC register. */
static void io_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	uint8_t d[4];
	memcpy(d, &reg, 4);
	ioapic_mmio(io, IOAPIC_REG_SEL, d, 4, true);
	memcpy(d, &v, 4);
	ioapic_mmio(io, IOAPIC_REG_WIN, d, 4, true);
}

static void test_kvm_split(void **state)
{
	(void)state;
	if (!have_kvm())
		skip();
	static struct vm vm;
	int rc = vm_create(&vm, 16 << 20, VM_IRQCHIP_SPLIT);
	if (rc == -ERR_NOSYS)
		skip(); /* no KVM_CAP_SPLIT_IRQCHIP here */
	assert_int_equal(rc, 0);
	uint64_t a;
	uint32_t d;
	io_write(&vm.ioapic, IOAPIC_REG_REDIR + 9, 0x01000000); /* pin 4 to APIC ID 1 */
	io_write(&vm.ioapic, IOAPIC_REG_REDIR + 8, 0x8044);	/* level, vector 0x44 */
	assert_true(gsi_routes_get_msi(&vm.routes, 4, &a, &d));
	assert_int_equal(a, 0xfee01000u);
	assert_int_equal(d, 0xc044);
	unsigned long long c = vm.routes.commits;
	ioapic_set_irq(&vm.ioapic, 4, 0, true); /* KVM_IRQ_LINE on the MSI route */
	assert_true(ioapic_entry(&vm.ioapic, 4) & IOAPIC_REMOTE_IRR);
	io_write(&vm.ioapic, IOAPIC_REG_REDIR + 8, 0x0002); /* wild vector: no route */
	assert_false(gsi_routes_get_msi(&vm.routes, 4, &a, &d));
	assert_int_equal(vm.routes.commits, c + 1);
	int g = gsi_routes_alloc(&vm.routes);
	assert_true(g >= IOAPIC_PINS);
	assert_int_equal(gsi_routes_set_msi(&vm.routes, (unsigned)g, 0xfee00000u, 0x4060), 1);
	assert_int_equal(gsi_routes_free(&vm.routes, (unsigned)g), 0);
	vm_destroy(&vm);
}

static void test_kvm_kernel(void **state)
{
	(void)state;
	if (!have_kvm())
		skip();
	static struct vm vm;
	assert_int_equal(vm_create(&vm, 16 << 20, VM_IRQCHIP_KERNEL), 0);
	assert_int_equal(vm.routes.n, 15 + 23);
	assert_int_equal(vm.routes.commits, 1);
	assert_int_equal(gsi_routes_alloc(&vm.routes), IOAPIC_PINS); /* above the pins */
	vm_destroy(&vm);
}

static void test_madt_pcat(void **state)
{
	(void)state;
	static struct acpi_blob a;
	assert_int_equal(acpi_build_smp(&a, 0xe0000, NULL, 0, 2), 0);
	const uint8_t *madt = a.data + a.offset[ACPI_MADT];
	uint32_t flags;
	memcpy(&flags, madt + 40, 4);
	assert_int_equal(flags, 1);
	acpi_madt_set_pcat_compat(&a, false);
	memcpy(&flags, madt + 40, 4);
	assert_int_equal(flags, 0);
	uint8_t sum = 0;
	for (size_t i = 0; i < a.size[ACPI_MADT]; i++)
		sum = (uint8_t)(sum + madt[i]);
	assert_int_equal(sum, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_msi_routes), cmocka_unit_test(test_alloc),
	    cmocka_unit_test(test_kvm_split),  cmocka_unit_test(test_kvm_kernel),
	    cmocka_unit_test(test_madt_pcat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
