# libFuzzer model checker of the capability space and derivation tree
# (tests/fuzz/fuzz_cspace.c, driver and model in tests/host/cspace_model.h).
# Included by tests/fuzz/fuzz.mk before its rule expansion.
FUZZ_TARGETS += cspace
fuzz_cspace_SRCS := kernel/core/cspace.c kernel/core/cap_tree.c kernel/core/quota.c
$(BUILD)/fuzz/fuzz_cspace: tests/host/cspace_model.h
