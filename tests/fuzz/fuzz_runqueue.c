/*
 * libFuzzer target for kernel/sched/runqueue.c and kernel/sched/waitq.c: a
 * model checker of random operation sequences.
 *
 * The input is a program of 3-byte operations (opcode, a, b) on 4 run queues,
 * 2 wait queues and 32 nodes, each node being a stand-in thread with both a
 * sched_node and a wait_node. The reference model keeps the exact order of
 * every run-queue level and every wait queue in plain arrays (insert at the
 * front or back, delete by shifting), independent of the linked lists under
 * test. Every result (pick, steal, pop, peek, preemption test) is compared
 * with the model, and after each operation every queue must pass its
 * validate function and match the model's counts and top priority.
 * Operations that are kernel bugs (double enqueue, removal from the wrong
 * queue, an affinity that excludes the queue's CPU) are issued on purpose
 * when the input asks for them: they must panic and leave everything as it
 * was. At the end every queue is drained in model order. Any mismatch or
 * unexpected panic aborts, which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted.h"
#include "sched/runqueue.h"
#include "sched/waitq.h"

#define NCPU  4
#define NWQ   2
#define NNODE 32

struct thr {
	int id;
	struct sched_node sn;
	struct wait_node wn;
};

static struct thr thr[NNODE];
static struct runqueue rqs[NCPU];
static struct waitq wqs[NWQ];

/* Model: ids in service order per (cpu, level) and per wait queue. */
static int lvl[NCPU][SCHED_NPRIO][NNODE];
static int lvl_len[NCPU][SCHED_NPRIO];
static int wq_ids[NWQ][NNODE];
static int wq_len[NWQ];
static int on_cpu[NNODE]; /* -1 if on no run queue */
static int on_wq[NNODE];  /* -1 if on no wait queue */

static void require(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_runqueue: %s\n", what);
		abort();
	}
}

static void arr_insert(int *arr, int *len, int pos, int id)
{
	memmove(&arr[pos + 1], &arr[pos], (size_t)(*len - pos) * sizeof(int));
	arr[pos] = id;
	(*len)++;
}

static void arr_delete(int *arr, int *len, int pos)
{
	memmove(&arr[pos], &arr[pos + 1], (size_t)(*len - pos - 1) * sizeof(int));
	(*len)--;
}

static int arr_find(const int *arr, int len, int id)
{
	for (int i = 0; i < len; i++)
		if (arr[i] == id)
			return i;
	require(false, "model lost a node");
	return -1;
}

static int node_id(const struct sched_node *s)
{
	require(s != NULL, "unexpected NULL node");
	return container_of(s, struct thr, sn)->id;
}

/* Model's highest non-empty level on cpu, or -1. */
static int model_top(int c)
{
	for (int p = SCHED_NPRIO - 1; p >= 0; p--)
		if (lvl_len[c][p] > 0)
			return p;
	return -1;
}

static void model_rq_drop(int id)
{
	int c = on_cpu[id], p = thr[id].sn.prio;
	arr_delete(lvl[c][p], &lvl_len[c][p], arr_find(lvl[c][p], lvl_len[c][p], id));
	on_cpu[id] = -1;
}

static void check_all(void)
{
	for (int c = 0; c < NCPU; c++) {
		uint32_t n = 0;
		for (int p = 0; p < SCHED_NPRIO; p++)
			n += (uint32_t)lvl_len[c][p];
		require(rq_validate(&rqs[c]), "rq_validate");
		require(rq_count(&rqs[c]) == n, "rq_count");
		require(rq_peek_prio(&rqs[c]) == model_top(c), "rq_peek_prio");
	}
	for (int q = 0; q < NWQ; q++) {
		require(waitq_validate(&wqs[q]), "waitq_validate");
		require(waitq_count(&wqs[q]) == (uint32_t)wq_len[q], "waitq_count");
		struct wait_node *w = waitq_peek(&wqs[q]);
		require(wq_len[q] == 0 ? w == NULL : w == &thr[wq_ids[q][0]].wn, "waitq_peek");
	}
	for (int i = 0; i < NNODE; i++) {
		require(thr[i].sn.on_queue == (on_cpu[i] >= 0), "on_queue flag");
		require(waitq_of(&thr[i].wn) == (on_wq[i] < 0 ? NULL : &wqs[on_wq[i]]), "waitq_of");
	}
}

static void op_enqueue(int id, int c, bool head)
{
	struct sched_node *s = &thr[id].sn;
	if (on_cpu[id] >= 0 || !sched_affinity_allows(s->affinity, (uint32_t)c)) {
		/* A kernel bug: must panic and change nothing (checked by check_all). */
		require(
		    host_panics(head ? rq_enqueue_head(&rqs[c], s) : rq_enqueue_tail(&rqs[c], s)),
		    "bad enqueue did not panic");
		return;
	}
	if (head)
		rq_enqueue_head(&rqs[c], s);
	else
		rq_enqueue_tail(&rqs[c], s);
	int p = s->prio;
	arr_insert(lvl[c][p], &lvl_len[c][p], head ? 0 : lvl_len[c][p], id);
	on_cpu[id] = c;
}

static void op_remove(int id, int c)
{
	if (on_cpu[id] != c) {
		require(host_panics(rq_remove(&rqs[c], &thr[id].sn)), "bad remove did not panic");
		return;
	}
	rq_remove(&rqs[c], &thr[id].sn);
	model_rq_drop(id);
}

static void op_pick(int c)
{
	int p = model_top(c);
	struct sched_node *s = rq_pick(&rqs[c]);
	if (p < 0) {
		require(s == NULL, "pick from empty queue");
		return;
	}
	int want = lvl[c][p][0];
	require(node_id(s) == want, "pick order");
	model_rq_drop(want);
}

static void op_steal(int c, int dst)
{
	int want = -1;
	for (int p = SCHED_NPRIO - 1; p >= 0 && want < 0; p--)
		for (int k = lvl_len[c][p] - 1; k >= 0 && want < 0; k--)
			if (sched_affinity_allows(thr[lvl[c][p][k]].sn.affinity, (uint32_t)dst))
				want = lvl[c][p][k];
	struct sched_node *s = rq_steal(&rqs[c], (uint32_t)dst);
	if (want < 0) {
		require(s == NULL, "steal found a node the model did not");
		return;
	}
	require(node_id(s) == want, "steal choice");
	model_rq_drop(want);
}

static void op_wait_add(int id, int q)
{
	if (on_wq[id] >= 0) {
		require(host_panics(waitq_add(&wqs[q], &thr[id].wn)),
			"double waitq_add did not panic");
		return;
	}
	waitq_add(&wqs[q], &thr[id].wn);
	int pos = 0;
	while (pos < wq_len[q] && thr[wq_ids[q][pos]].wn.prio >= thr[id].wn.prio)
		pos++;
	arr_insert(wq_ids[q], &wq_len[q], pos, id);
	on_wq[id] = q;
}

static void op_wait_remove(int id, int q)
{
	if (on_wq[id] != q) {
		require(host_panics(waitq_remove(&wqs[q], &thr[id].wn)),
			"bad waitq_remove did not panic");
		return;
	}
	waitq_remove(&wqs[q], &thr[id].wn);
	arr_delete(wq_ids[q], &wq_len[q], arr_find(wq_ids[q], wq_len[q], id));
	on_wq[id] = -1;
}

static void op_wait_pop(int q)
{
	struct wait_node *w = waitq_pop(&wqs[q]);
	if (wq_len[q] == 0) {
		require(w == NULL, "pop from empty waitq");
		return;
	}
	int want = wq_ids[q][0];
	require(w == &thr[want].wn, "waitq pop order");
	arr_delete(wq_ids[q], &wq_len[q], 0);
	on_wq[want] = -1;
}

/* Affinity from a byte: 0 = any; else bits over the 4 CPUs plus maybe nonexistent ones. */
static uint64_t affinity_of(uint8_t b)
{
	if (b < 64)
		return SCHED_AFFINITY_ANY;
	return (uint64_t)(b & 0x0f) | ((uint64_t)(b & 0x30) << 58);
}

static void reset(void)
{
	for (int c = 0; c < NCPU; c++)
		rq_init(&rqs[c], (uint32_t)c);
	for (int q = 0; q < NWQ; q++)
		waitq_init(&wqs[q]);
	memset(lvl_len, 0, sizeof(lvl_len));
	memset(wq_len, 0, sizeof(wq_len));
	for (int i = 0; i < NNODE; i++) {
		thr[i].id = i;
		sched_node_init(&thr[i].sn, (uint8_t)(i * 7 % SCHED_NPRIO), SCHED_AFFINITY_ANY);
		wait_node_init(&thr[i].wn, (uint8_t)(i % 4));
		on_cpu[i] = -1;
		on_wq[i] = -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reset();
	for (size_t off = 0; off + 3 <= size; off += 3) {
		uint8_t op = data[off], a = data[off + 1], b = data[off + 2];
		int id = a % NNODE, c = b % NCPU, q = b % NWQ;
		switch (op % 12) {
		case 0:
		case 1:
			op_enqueue(id, c, op % 12 == 1);
			break;
		case 2:
			op_remove(id, c);
			break;
		case 3:
			op_pick(a % NCPU);
			break;
		case 4: /* destination may be past the 64-bit mask width */
			op_steal(a % NCPU, b % 68);
			break;
		case 5: { /* preemption test, current priority -1..63 */
			int cur = (int)(b % (SCHED_NPRIO + 1)) - 1;
			require(rq_should_preempt(&rqs[a % NCPU], cur) ==
				    (model_top(a % NCPU) > cur),
				"rq_should_preempt");
			break;
		}
		case 6: /* new run priority and affinity, only while not queued */
			if (on_cpu[id] < 0) {
				thr[id].sn.prio = (uint8_t)(b % SCHED_NPRIO);
				thr[id].sn.affinity = affinity_of(b);
			}
			break;
		case 7:
		case 8:
			op_wait_add(id, q);
			break;
		case 9:
			op_wait_remove(id, q);
			break;
		case 10:
			op_wait_pop(a % NWQ);
			break;
		default: /* new wait priority, only while on no wait queue */
			if (on_wq[id] < 0)
				thr[id].wn.prio = (uint8_t)(b % SCHED_NPRIO);
			break;
		}
		check_all();
	}
	/* Drain in model order. */
	for (int c = 0; c < NCPU; c++) {
		while (model_top(c) >= 0)
			op_pick(c);
		require(rq_pick(&rqs[c]) == NULL, "queue not empty after drain");
	}
	for (int q = 0; q < NWQ; q++) {
		while (wq_len[q] > 0)
			op_wait_pop(q);
		require(waitq_empty(&wqs[q]), "waitq not empty after drain");
	}
	check_all();
	return 0;
}
