/*
 * The stand-in thread the run-queue host tests (test_runqueue.c,
 * test_runqueue_model.c) queue: a sched_node inside a record with an id.
 */
#ifndef ORB_TEST_RUNQUEUE_TEST_H
#define ORB_TEST_RUNQUEUE_TEST_H

#include "sched/runqueue.h"

/* A stand-in thread: the scheduler embeds sched_node the same way. */
struct thr {
	int id;
	struct sched_node sn;
};

#define NODE_ID(n) (container_of((n), struct thr, sn)->id)

static inline void thr_init(struct thr *t, int id, uint8_t prio, uint64_t aff)
{
	t->id = id;
	sched_node_init(&t->sn, prio, aff);
}

#endif
