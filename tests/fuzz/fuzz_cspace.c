/*
 * libFuzzer target for kernel/obj/cspace.c and cap_tree.c: random sequences
 * of capability operations, model-checked.
 *
 * The input is a program of CM_OP_BYTES-byte operations (insert a root,
 * derive, copy, move, delete, revoke, identify, lookup, hold and release an
 * object reference, destroy and recreate a cspace) on 3 cspaces of 4, 8 and
 * 16 slots and 6 objects, with handle arguments drawn from recently issued
 * handles (live or stale) or forged. The driver and the reference model are
 * in tests/host/support/cspace_model.h: after every operation the result must match
 * the model's prediction, a failing operation must leave every byte of state
 * unchanged, and the consistency checker must pass (tree links symmetric,
 * rights never above the parent's, badges inherited, refcounts equal to the
 * live capabilities plus held references, every object destroyed exactly
 * when its last reference goes, never under cap_lock). At the end everything
 * is torn down and every object must be dead. Any mismatch aborts, which
 * libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hosted.h"

#define CM_FAIL(msg) (fprintf(stderr, "fuzz_cspace: %s\n", msg), abort())
#include "cspace_model.h"

#define MAX_OPS 4096 /* bounds the time one input takes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cm m;
	cm_init(&m);
	for (size_t i = 0; i + CM_OP_BYTES <= size && i / CM_OP_BYTES < MAX_OPS; i += CM_OP_BYTES)
		cm_step(&m, data + i);
	cm_finish(&m);
	return 0;
}
