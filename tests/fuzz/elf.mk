# libFuzzer target of the ELF64 loader (lib/elf.c); see
# tests/fuzz/fuzz_elf.c. Must be included by tests/fuzz/fuzz.mk before its
# rule expansion.
#
# The seeds in tests/fuzz/corpus/elf/ are tests/host/data/elf/tiny.c linked by
# the host gcc in a few layouts and stripped (each under 16 KiB); `make
# fuzz-elf-seeds` rebuilds them:
#   tiny.elf            -z separate-code (4 PT_LOADs), accepted
#   tiny_compact.elf    -z noseparate-code (2 PT_LOADs), accepted
#   tiny_execstack.elf  -z execstack -z noseparate-code, refused
#   tiny_rwx.elf        ld -N (one RWX segment), refused
FUZZ_TARGETS += elf
fuzz_elf_SRCS := lib/elf.c lib/format.c

FUZZ_ELF_SEED_DIR   := tests/fuzz/corpus/elf
FUZZ_ELF_SEED_FLAGS := -O2 -nostdlib -static -ffreestanding -fno-pie -no-pie -s \
	-Wl,--build-id=none

.PHONY: fuzz-elf-seeds
fuzz-elf-seeds: tests/host/data/elf/tiny.c
	@mkdir -p $(FUZZ_ELF_SEED_DIR)
	gcc $(FUZZ_ELF_SEED_FLAGS) -Wl,-z,noexecstack -o $(FUZZ_ELF_SEED_DIR)/tiny.elf $<
	gcc $(FUZZ_ELF_SEED_FLAGS) -Wl,-z,noexecstack -Wl,-z,noseparate-code \
		-o $(FUZZ_ELF_SEED_DIR)/tiny_compact.elf $<
	gcc $(FUZZ_ELF_SEED_FLAGS) -Wl,-z,execstack -Wl,--no-warn-execstack -Wl,-z,noseparate-code \
		-o $(FUZZ_ELF_SEED_DIR)/tiny_execstack.elf $<
	gcc $(FUZZ_ELF_SEED_FLAGS) -Wl,-z,noexecstack -Wl,-N -Wl,--no-warn-rwx-segments \
		-o $(FUZZ_ELF_SEED_DIR)/tiny_rwx.elf $<
