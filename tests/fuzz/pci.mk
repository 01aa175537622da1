# orbvm's PCI fuzz target: configuration space (0xCF8/0xCFC and ECAM), BAR placement and
# MSI-X, driven through the bus as a guest would; see tests/fuzz/fuzz_pci.c.
FUZZ_TARGETS += pci
fuzz_pci_SRCS := vmm/pci/pci_dev.c vmm/pci/pci_host.c vmm/pci/pci_msix.c vmm/bus.c vmm/mem.c \
	vmm/err.c
fuzz_pci_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
