# Host unit tests of the capability space and derivation tree
# (kernel/core/cspace.c, kernel/core/cap_tree.c): tests/host/test_cspace.c,
# with the reference model in tests/host/cspace_model.h. The deep-chain test
# runs revoke on a pthread with a small stack.
HOST_TESTS += cspace
cspace_SRCS   := kernel/core/cspace.c kernel/core/cap_tree.c kernel/core/quota.c
cspace_LDLIBS := -lpthread
$(BUILD)/host/test_cspace: tests/host/cspace_model.h
