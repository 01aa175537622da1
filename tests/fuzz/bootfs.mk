# libFuzzer target of the boot-archive parser (lib/bootfs.c); see
# tests/fuzz/fuzz_bootfs.c. The seeds in tests/fuzz/corpus/bootfs/ are small
# archives written by `cpio -o -H newc` (and -H crc); `make fuzz-bootfs-seeds`
# rebuilds them from a throwaway tree of a few files.
FUZZ_TARGETS += bootfs
fuzz_bootfs_SRCS := lib/bootfs.c lib/format.c

FUZZ_BOOTFS_SEED_DIR := tests/fuzz/corpus/bootfs

.PHONY: fuzz-bootfs-seeds
fuzz-bootfs-seeds:
	@mkdir -p $(FUZZ_BOOTFS_SEED_DIR)
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	mkdir -p $$t/bin $$t/etc; printf 'hello\n' > $$t/etc/motd; printf 'ab' > $$t/bin/a; \
	printf 'xyz' > $$t/bin/b; : > $$t/etc/empty; \
	(cd $$t && find . | LC_ALL=C sort | cpio --quiet -o -H newc) > $(FUZZ_BOOTFS_SEED_DIR)/tree.cpio; \
	(cd $$t && find . | LC_ALL=C sort | cpio --quiet -o -H crc) > $(FUZZ_BOOTFS_SEED_DIR)/tree_crc.cpio; \
	(cd $$t && echo etc/motd | cpio --quiet -o -H newc) > $(FUZZ_BOOTFS_SEED_DIR)/one.cpio; \
	(cd $$t && : | cpio --quiet -o -H newc) > $(FUZZ_BOOTFS_SEED_DIR)/empty.cpio; \
	head -c 300 $(FUZZ_BOOTFS_SEED_DIR)/tree.cpio > $(FUZZ_BOOTFS_SEED_DIR)/truncated.cpio
