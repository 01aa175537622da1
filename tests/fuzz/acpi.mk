# libFuzzer target of the ACPI parser (kernel/core/acpi.c, acpi_madt.c): random
# bytes as a physical memory with the RSDP at a fixed address; see
# tests/fuzz/fuzz_acpi.c. Seeds in tests/fuzz/corpus/acpi/ come from QEMU's
# real tables (tools/acpi-dump.py --fuzz-seed).
FUZZ_TARGETS += acpi
fuzz_acpi_SRCS := kernel/core/acpi.c kernel/core/acpi_madt.c kernel/lib/format.c
