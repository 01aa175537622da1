# Host tests of the ACPI soft-off lookup (kernel/boot/acpi_sleep.c) on the
# FADT and DSDT QEMU 7.2 builds for -M pc and -M q35, and on damaged copies.
HOST_TESTS += acpi_sleep
acpi_sleep_SRCS := kernel/boot/acpi_sleep.c
acpi_sleep_CFLAGS := -DACPI_DATA_DIR='"$(CURDIR)/tests/host/data/acpi"'
