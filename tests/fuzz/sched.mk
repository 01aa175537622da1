# libFuzzer model checker of the scheduler's run queues and wait queues
# (tests/fuzz/fuzz_runqueue.c). Must be included by tests/fuzz/fuzz.mk before
# its rule expansion.
FUZZ_TARGETS += runqueue
fuzz_runqueue_SRCS := kernel/sched/runqueue.c kernel/sched/waitq.c
