# Host unit tests of the batched capability operations (bounded time under
# cap_lock): tests/host/test_cap_batch.c on kernel/core/cspace.c and cap_tree.c.
HOST_TESTS += cap_batch
cap_batch_SRCS := kernel/core/cspace.c kernel/core/cap_tree.c kernel/core/quota.c
