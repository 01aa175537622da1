# Host tests of the printf engine (lib/format.c) the kernel and user space share.
HOST_TESTS += format

format_SRCS := lib/format.c
