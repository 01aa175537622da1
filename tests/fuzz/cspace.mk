# libFuzzer model checker of the capability space and derivation tree
# (tests/fuzz/fuzz_cspace.c, driver and model in tests/host/support/cspace_model.h).
# Included by tests/fuzz/fuzz.mk before its rule expansion.
FUZZ_TARGETS += cspace
fuzz_cspace_SRCS := kernel/obj/cspace.c kernel/obj/cap_tree.c kernel/obj/kobject.c \
	kernel/obj/quota.c
