# Host tests of the ACPI parser (kernel/core/acpi.c, acpi_madt.c), fed with
# the tables QEMU 7.2 builds for -M pc and -M q35 (tests/host/data/acpi/,
# made by tools/acpi-dump.py) and corrupted copies of them.
HOST_TESTS += acpi
acpi_SRCS := kernel/core/acpi.c kernel/core/acpi_madt.c kernel/lib/format.c
acpi_CFLAGS := -DACPI_DATA_DIR='"$(CURDIR)/tests/host/data/acpi"'

# The MADT decoder alone, on synthetic tables (tests/host/test_acpi_madt.c).
HOST_TESTS += acpi_madt
acpi_madt_SRCS := kernel/core/acpi.c kernel/core/acpi_madt.c kernel/lib/format.c
