# Host unit tests of the portable scheduler data structures: per-CPU run
# queues (kernel/core/runqueue.c), priority-ordered wait queues
# (kernel/core/waitq.c) and the load-balancing decisions (kernel/core/balance.c).
HOST_TESTS += runqueue waitq balance

runqueue_SRCS := kernel/core/runqueue.c
# test_waitq also puts one thread on a wait queue and a run queue at once.
waitq_SRCS    := kernel/core/waitq.c kernel/core/runqueue.c
balance_SRCS  := kernel/core/balance.c
