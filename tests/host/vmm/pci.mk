# orbvm's PCI: configuration space, the host bridge (0xCF8/0xCFC, ECAM), BAR placement,
# MSI-X, and the bus's movable ranges under concurrent moves.
HOST_TESTS += pci
pci_SRCS := vmm/pci/pci_dev.c vmm/pci/pci_host.c vmm/pci/pci_msix.c vmm/bus.c vmm/mem.c vmm/err.c
pci_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread

HOST_TESTS += pci_msix
pci_msix_SRCS := vmm/pci/pci_dev.c vmm/pci/pci_host.c vmm/pci/pci_msix.c vmm/bus.c vmm/mem.c \
	vmm/err.c
pci_msix_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread

HOST_TESTS += pci_bus
pci_bus_SRCS := vmm/bus.c vmm/err.c
pci_bus_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread

HOST_TESTS += pci_acpi
pci_acpi_SRCS := vmm/acpi/tables.c vmm/acpi/dsdt.c vmm/acpi/dsdt_pci.c vmm/acpi/aml.c vmm/err.c
pci_acpi_CFLAGS := -Ivmm -D_GNU_SOURCE
