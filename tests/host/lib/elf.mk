# Host tests of the ELF64 loader (lib/elf.c): test_elf on synthetic
# files, test_elf_real on real executables that the host gcc links here at
# build time from tests/host/data/elf/*.c (nothing binary is committed); its
# expected segments come from running `readelf -hlW` at test time.
#   tiny            freestanding, -nostdlib -static -no-pie, noexecstack: accepted
#   tiny_compact    the same with -z noseparate-code (text at offset 0): accepted
#   tiny_execstack  -z execstack: refused (executable stack)
#   tiny_rwx        ld -N, one RWX segment: refused (W^X)
#   hello_static    static glibc program (TLS, RELRO, notes): accepted
#   hello_dynamic   dynamic, non-PIE (PT_INTERP): refused
#   hello_pie       PIE (ET_DYN): refused
HOST_TESTS += elf elf_real
elf_SRCS      := lib/elf.c lib/format.c
elf_real_SRCS := lib/elf.c lib/format.c

ELF_FIXTURE_DIR := $(BUILD)/host/elf
elf_real_CFLAGS := -DELF_FIXTURE_DIR='"$(CURDIR)/$(ELF_FIXTURE_DIR)"'

ELF_TINY_FLAGS := -O2 -nostdlib -static -ffreestanding -fno-pie -no-pie -Wl,--build-id=none
ELF_FIXTURES := $(addprefix $(ELF_FIXTURE_DIR)/,tiny tiny_compact tiny_execstack tiny_rwx \
	hello_static hello_dynamic hello_pie)

# The loader's header (mk/host.mk tracks only the headers in support/ and beside the test).
$(BUILD)/host/test_elf $(BUILD)/host/test_elf_real: lib/elf.h
$(BUILD)/host/test_elf_real: $(ELF_FIXTURES)

$(ELF_FIXTURE_DIR)/tiny: tests/host/data/elf/tiny.c
	@mkdir -p $(dir $@)
	$(Q)gcc $(ELF_TINY_FLAGS) -Wl,-z,noexecstack -o $@ $<
$(ELF_FIXTURE_DIR)/tiny_compact: tests/host/data/elf/tiny.c
	@mkdir -p $(dir $@)
	$(Q)gcc $(ELF_TINY_FLAGS) -Wl,-z,noexecstack -Wl,-z,noseparate-code -s -o $@ $<
$(ELF_FIXTURE_DIR)/tiny_execstack: tests/host/data/elf/tiny.c
	@mkdir -p $(dir $@)
	$(Q)gcc $(ELF_TINY_FLAGS) -Wl,-z,execstack -Wl,--no-warn-execstack -o $@ $<
$(ELF_FIXTURE_DIR)/tiny_rwx: tests/host/data/elf/tiny.c
	@mkdir -p $(dir $@)
	$(Q)gcc $(ELF_TINY_FLAGS) -Wl,-z,noexecstack -Wl,-N -Wl,--no-warn-rwx-segments -o $@ $<
$(ELF_FIXTURE_DIR)/hello_static: tests/host/data/elf/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -static -no-pie -o $@ $<
$(ELF_FIXTURE_DIR)/hello_dynamic: tests/host/data/elf/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -fno-pie -no-pie -o $@ $<
$(ELF_FIXTURE_DIR)/hello_pie: tests/host/data/elf/hello.c
	@mkdir -p $(dir $@)
	$(Q)gcc -O2 -fpie -pie -o $@ $<
