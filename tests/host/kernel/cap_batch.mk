# Host unit tests of the batched capability operations (bounded time under
# cap_lock): tests/host/kernel/test_cap_batch.c on kernel/obj/cspace.c and cap_tree.c.
HOST_TESTS += cap_batch
cap_batch_SRCS := kernel/obj/cspace.c kernel/obj/cap_tree.c kernel/obj/kobject.c kernel/obj/quota.c
