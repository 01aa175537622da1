# orbvm's I/O APIC model (the split irqchip): guest register accesses, device lines, EOIs.
FUZZ_TARGETS += ioapic
fuzz_ioapic_SRCS := vmm/irq/ioapic.c vmm/err.c
fuzz_ioapic_CFLAGS := -Ivmm -D_GNU_SOURCE -pthread
