# libFuzzer targets of portable code that parses untrusted input. Included
# from the top Makefile (which defines BUILD); always built with clang,
# whatever CC is, into $(BUILD)/fuzz/fuzz_NAME.
#
# Each target adds itself here (or in a file that sets these before the rule
# expansion below):
#   FUZZ_TARGETS += bootinfo
#   fuzz_bootinfo_SRCS := kernel/boot/bootinfo.c ...
# with the entry point in tests/fuzz/fuzz_bootinfo.c and seed inputs in
# tests/fuzz/corpus/bootinfo/. `make fuzz` builds them; `make fuzz-run` runs
# each for FUZZ_SECONDS (default 20) through tests/fuzz/run.sh.

FUZZ_CC     := clang
FUZZ_CFLAGS := -std=gnu17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
	-DORB_HOSTED -DORB_FUZZ -Itests/host/support -Ikernel -I. -Iinclude

FUZZ_TARGETS += bootinfo
fuzz_bootinfo_SRCS := kernel/boot/bootinfo.c kernel/boot/bootinfo_mb2.c \
	kernel/boot/bootinfo_pvh.c lib/format.c

FUZZ_TARGETS += heap
fuzz_heap_SRCS := kernel/mm/heap.c

# The other targets' fragments (acpi.mk, sched.mk, vmm.mk, ...).
include $(filter-out tests/fuzz/fuzz.mk,$(wildcard tests/fuzz/*.mk))

FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-run
fuzz: $(FUZZ_BINS)

fuzz-run: $(FUZZ_BINS)
	@bash tests/fuzz/run.sh $(FUZZ_BINS)

# A target is rebuilt when its sources change or any header beside them, in
# lib, include/orbital or the hosted support does.
FUZZ_COMMON_DEPS := tests/host/support/hosted.c \
	$(wildcard tests/host/support/*.h tests/host/support/machine/*.h lib/*.h include/orbital/*.h)

define fuzz_rule
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(fuzz_$(1)_SRCS) $$(FUZZ_COMMON_DEPS) \
		$$(wildcard $$(addsuffix *.h,$$(sort $$(dir $$(fuzz_$(1)_SRCS)))))
	@mkdir -p $$(dir $$@)
	@echo '  FUZZCC  $$@'
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$(fuzz_$(1)_CFLAGS) -o $$@ tests/fuzz/fuzz_$(1).c \
		$$(fuzz_$(1)_SRCS) tests/host/support/hosted.c $$(fuzz_$(1)_LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))
