# libFuzzer target of the ACPI parser (kernel/boot/acpi.c, acpi_madt.c): random
# bytes as a physical memory with the RSDP at a fixed address; see
# tests/fuzz/fuzz_acpi.c. Seeds in tests/fuzz/corpus/acpi/ come from QEMU's
# real tables (tools/acpi-dump.py --fuzz-seed).
FUZZ_TARGETS += acpi
fuzz_acpi_SRCS := kernel/boot/acpi.c kernel/boot/acpi_madt.c lib/format.c
