# Host unit tests of the portable scheduler data structures: per-CPU run
# queues (kernel/sched/runqueue.c), priority-ordered wait queues
# (kernel/sched/waitq.c) and the load-balancing decisions (kernel/sched/balance.c).
HOST_TESTS += runqueue runqueue_model waitq balance

runqueue_SRCS := kernel/sched/runqueue.c
runqueue_model_SRCS := kernel/sched/runqueue.c
# test_waitq also puts one thread on a wait queue and a run queue at once.
waitq_SRCS    := kernel/sched/waitq.c kernel/sched/runqueue.c
balance_SRCS  := kernel/sched/balance.c
