# orbvm's split irqchip: the I/O APIC model (no KVM) and KVM's GSI routing table.
HOST_TESTS += ioapic
ioapic_SRCS := vmm/irq/ioapic.c vmm/vcpu.c vmm/bus.c vmm/err.c
ioapic_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread

HOST_TESTS += ioapic_routes
ioapic_routes_SRCS := vmm/irq/gsi_routes.c vmm/irq/ioapic.c vmm/vm.c vmm/mem.c vmm/err.c \
	vmm/acpi/tables.c vmm/acpi/dsdt.c vmm/acpi/dsdt_pci.c vmm/acpi/aml.c
ioapic_routes_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
