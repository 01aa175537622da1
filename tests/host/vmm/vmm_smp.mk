HOST_TESTS += vmm_smp
vmm_smp_SRCS := vmm/x86/topology.c vmm/acpi/tables.c vmm/acpi/dsdt.c vmm/acpi/dsdt_pci.c vmm/acpi/aml.c vmm/config.c vmm/err.c
vmm_smp_CFLAGS := -Ivmm -D_GNU_SOURCE
