# Host tests of the ACPI parser (kernel/boot/acpi.c, acpi_madt.c), fed with
# the tables QEMU 7.2 builds for -M pc and -M q35 (tests/host/data/acpi/,
# made by tools/acpi-dump.py) and corrupted copies of them.
HOST_TESTS += acpi
acpi_SRCS := kernel/boot/acpi.c kernel/boot/acpi_madt.c lib/format.c
acpi_CFLAGS := -DACPI_DATA_DIR='"$(CURDIR)/tests/host/data/acpi"'

# The MADT decoder alone, on synthetic tables (tests/host/kernel/test_acpi_madt.c).
HOST_TESTS += acpi_madt
acpi_madt_SRCS := kernel/boot/acpi.c kernel/boot/acpi_madt.c lib/format.c
