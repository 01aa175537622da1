HOST_TESTS += vmm_acpi
vmm_acpi_SRCS := vmm/acpi/tables.c vmm/acpi/dsdt.c vmm/acpi/dsdt_pci.c vmm/acpi/aml.c vmm/err.c
vmm_acpi_CFLAGS := -Ivmm -D_GNU_SOURCE
