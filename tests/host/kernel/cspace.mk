# Host unit tests of the capability code (kernel/obj/cspace.c, cap_tree.c,
# kobject.c): test_cspace.c (capability spaces and handles, with the reference
# model in tests/host/support/cspace_model.h) and test_cap_tree.c (the
# derivation tree, object references and homes; its deep-chain test runs
# revoke on a pthread with a small stack).
HOST_TESTS += cspace cap_tree
cspace_SRCS     := kernel/obj/cspace.c kernel/obj/cap_tree.c kernel/obj/kobject.c kernel/obj/quota.c
cap_tree_SRCS   := $(cspace_SRCS)
cap_tree_LDLIBS := -lpthread
