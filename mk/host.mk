# Host unit tests of portable kernel code (and orbvm), built for Linux with
# AddressSanitizer and UBSan on cmocka.
#
# Each tests/host/NAME.mk adds its tests:
#   HOST_TESTS += pmm
#   pmm_SRCS := kernel/mm/pmm.c
# and tests/host/test_pmm.c holds the cases. The binary is build/host/test_pmm.

HOST_CC     := $(if $(filter clang,$(COMPILER)),clang,gcc)
HOST_CFLAGS := -std=gnu17 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
	-DORB_HOSTED -Itests/host/support -Ikernel -Iinclude -MMD -MP
HOST_LDLIBS := -lcmocka

HOST_TESTS :=
include $(sort $(wildcard tests/host/*.mk))

HOST_BINS := $(patsubst %,$(BUILD)/host/test_%,$(HOST_TESTS))

.PHONY: host-tests
host-tests: $(HOST_BINS)

define host_test_rule
$(BUILD)/host/test_$(1): tests/host/test_$(1).c $$($(1)_SRCS) tests/host/support/hosted.c $$(wildcard tests/host/support/*.h)
	@mkdir -p $$(dir $$@)
	@echo '  HOSTCC  $$@'
	$$(Q)$$(HOST_CC) $$(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ tests/host/test_$(1).c $$($(1)_SRCS) tests/host/support/hosted.c $$(HOST_LDLIBS) $$($(1)_LDLIBS)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))


