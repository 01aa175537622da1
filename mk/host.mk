# Host unit tests of portable kernel code (and orbvm), built for Linux with
# AddressSanitizer and UBSan on cmocka.
#
# The tests are grouped by subject: tests/host/kernel/, lib/, user/ and vmm/
# (support/ holds the hosted runtime and helpers they share, data/ their input
# files). Each tests/host/SUBJECT/NAME.mk adds its tests:
#   HOST_TESTS += pmm
#   pmm_SRCS := kernel/mm/pmm.c
# and tests/host/SUBJECT/test_pmm.c holds the cases (test names are unique
# across the subjects). The binary is build/host/test_pmm; it is rebuilt when
# a header in support/ or beside its test file changes.

HOST_CC     := $(if $(filter clang,$(COMPILER)),clang,gcc)
HOST_CFLAGS := -std=gnu17 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
	-DORB_HOSTED -Itests/host/support -Ikernel -I. -Iinclude -MMD -MP
HOST_LDLIBS := -lcmocka

HOST_TESTS :=
include $(sort $(wildcard tests/host/*/*.mk))

HOST_BINS := $(patsubst %,$(BUILD)/host/test_%,$(HOST_TESTS))

.PHONY: host-tests
host-tests: $(HOST_BINS)

# host_test_src NAME: the test file tests/host/SUBJECT/test_NAME.c.
host_test_src = $(or $(wildcard tests/host/*/test_$(1).c),$(error no tests/host/*/test_$(1).c))

define host_test_rule
$(BUILD)/host/test_$(1): $(2) $$($(1)_SRCS) tests/host/support/hosted.c \
		$$(wildcard tests/host/support/*.h $(dir $(2))*.h)
	@mkdir -p $$(dir $$@)
	@echo '  HOSTCC  $$@'
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ $(2) $$($(1)_SRCS) tests/host/support/hosted.c $$(HOST_LDLIBS) $$($(1)_LDLIBS)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t),$(call host_test_src,$(t)))))


