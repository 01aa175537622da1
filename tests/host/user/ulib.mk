# Host tests of the user library's pure parts (user/lib): the allocator
# behind malloc, the address ranges behind its mappings (vaspace), standard output's line buffering and formatting, the start
# block a spawner writes, the string and number functions, and the programs
# the user build links (each must pass the kernel's ELF parser, and the boot
# archive must hold them).
HOST_TESTS += ulib_alloc ulib_stdio ulib_start ulib_string ulib_progs ulib_vaspace

ULIB_HOST_CFLAGS := -Iuser/lib -idirafter user/lib/include

ulib_alloc_SRCS   := user/lib/alloc.c
ulib_alloc_CFLAGS := $(ULIB_HOST_CFLAGS)

ulib_vaspace_SRCS   := user/lib/vaspace.c
ulib_vaspace_CFLAGS := $(ULIB_HOST_CFLAGS)

ulib_stdio_SRCS   := user/lib/stream.c lib/format.c
ulib_stdio_CFLAGS := $(ULIB_HOST_CFLAGS)

ulib_start_SRCS   := user/lib/start_layout.c
ulib_start_CFLAGS := $(ULIB_HOST_CFLAGS)

# user/lib/string.c and strtol.c are #included by the test under other names
# (their standard names would replace the C library's in the test binary).
ulib_string_SRCS   :=
ulib_string_CFLAGS := $(ULIB_HOST_CFLAGS)

# The programs of the build this test belongs to (gcc's or clang's).
ulib_progs_SRCS   := lib/elf.c lib/bootfs.c lib/format.c
ulib_progs_CFLAGS := $(ULIB_HOST_CFLAGS) -DULIB_BIN_DIR='"$(CURDIR)/$(BUILD)/user/bin"' \
	-DULIB_BOOTFS='"$(CURDIR)/$(BUILD)/bootfs.cpio"'

$(BUILD)/host/test_ulib_alloc: user/lib/alloc.h
$(BUILD)/host/test_ulib_stdio: user/lib/stream.h
$(BUILD)/host/test_ulib_vaspace: user/lib/vaspace.h
$(BUILD)/host/test_ulib_start: user/lib/start_layout.h user/lib/include/orb/spawn.h
$(BUILD)/host/test_ulib_string: user/lib/string.c user/lib/strtol.c
$(BUILD)/host/test_ulib_progs: $(BUILD)/bootfs.cpio
