/*
 * A reference model of kernel/obj/cspace.c and cap_tree.c, and a driver that
 * runs the same operations on both and compares them. Shared by the
 * randomized test in tests/host/kernel/test_cspace.c and the libFuzzer target
 * tests/fuzz/fuzz_cspace.c.
 *
 * The model is deliberately naive: an array of nodes (cspace, handle, object,
 * rights, badge, parent node), searched linearly. It predicts the error of
 * every operation from the documented check order in cspace.h, and the
 * object destructions (an object dies when it has no capability and no held
 * reference left). The driver reads a program of CM_OP_BYTES-byte operations
 * on CM_NCS cspaces and CM_NOBJ objects. After each operation cm_check()
 * verifies:
 *   - the result code is the predicted one, and a failing operation changed
 *     no byte of any cspace and no object's reference count;
 *   - cspace_validate() (tree links symmetric, rights within the parent's,
 *     badges inherited, free list and counts) on every cspace;
 *   - every model capability is found under its handle with the same object,
 *     rights, badge and parent, and the kernel holds no other capability;
 *   - every object's refs equals its live capabilities plus held references,
 *     and it has been destroyed exactly as often as the model says, never
 *     with cap_lock held.
 * The includer defines CM_FAIL(msg) (which must not return) before including.
 * The heap the kernel code allocates from is cspace_fixture.h's (included
 * here), so a program that includes this file defines no kmalloc of its own.
 */
#ifndef ORB_TEST_CSPACE_MODEL_H
#define ORB_TEST_CSPACE_MODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obj/cspace.h"
#include "cspace_fixture.h"

#define CM_NCS	    3
#define CM_NOBJ	    6
#define CM_KNOWN    16 /* handles remembered per cspace (live and stale) */
#define CM_MAXHOLD  4
#define CM_OP_BYTES 8
static const uint32_t cm_nslots[CM_NCS] = {4, 8, 16};
#define CM_MAXNODE (4 + 8 + 16)

struct cm_obj {
	struct kobject ko;
	int destroyed; /* times the destroy callback ran */
	int expect_destroyed;
	int ncaps; /* model: live capabilities */
	int holds; /* model: references held through cap_lookup_obj */
};

struct cm_node {
	bool live;
	int cs;
	cap_handle_t h;
	int obj;
	uint32_t rights;
	uint64_t badge;
	int parent; /* node index or -1 */
};

struct cm {
	struct cspace *cs[CM_NCS];
	struct cm_obj obj[CM_NOBJ];
	struct cm_node node[CM_MAXNODE];
	cap_handle_t known[CM_NCS][CM_KNOWN];
	unsigned known_next[CM_NCS];
	int hold[CM_MAXHOLD]; /* object index or -1 */
	unsigned long ops, failures;
};

static void cm_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2), __noreturn__));
static void cm_failf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	CM_FAIL(buf);
	abort();
}

static void cm_destroy_cb(struct kobject *ko)
{
	struct cm_obj *o = container_of(ko, struct cm_obj, ko);
	if (ko->refs != 0 || spin_is_locked(&cap_lock))
		cm_failf("destroy with refs %u or cap_lock held", ko->refs);
	o->destroyed++;
}

static void cm_init(struct cm *m)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < CM_NCS; i++)
		if (cspace_create(cm_nslots[i], &m->cs[i]))
			cm_failf("cspace_create");
	for (int i = 0; i < CM_NOBJ; i++)
		kobject_init(&m->obj[i].ko, (enum cap_type)(1 + i % (CAP_TYPE_COUNT - 1)),
			     cm_destroy_cb);
	for (int i = 0; i < CM_MAXHOLD; i++)
		m->hold[i] = -1;
}

static int cm_find(struct cm *m, int cs, cap_handle_t h)
{
	for (int i = 0; i < CM_MAXNODE; i++)
		if (m->node[i].live && m->node[i].cs == cs && m->node[i].h == h)
			return i;
	return -1;
}

static int cm_count_cs(struct cm *m, int cs)
{
	int n = 0;
	for (int i = 0; i < CM_MAXNODE; i++)
		n += m->node[i].live && m->node[i].cs == cs;
	return n;
}

static void cm_remember(struct cm *m, int cs, cap_handle_t h)
{
	m->known[cs][m->known_next[cs]++ % CM_KNOWN] = h;
}

/* A handle argument: a live one, a remembered one (live or stale), or a forged one. */
static cap_handle_t cm_pick(struct cm *m, int cs, uint8_t b)
{
	int live = cm_count_cs(m, cs);
	if (b < 0x90 && live > 0) {
		int k = b % live;
		for (int i = 0; i < CM_MAXNODE; i++)
			if (m->node[i].live && m->node[i].cs == cs && k-- == 0)
				return m->node[i].h;
	}
	if (b < 0xe0)
		return m->known[cs][b % CM_KNOWN];
	switch (b & 7) {
	case 0:
		return CAP_HANDLE_NULL;
	case 1:
		return 0xffffffffu;
	case 2:
		return CAP_HANDLE(b & 0xf, 1) | 0x80000000u;
	case 3:
		return CAP_HANDLE(cm_nslots[cs], 1); /* slot out of range */
	default:
		return CAP_HANDLE(b & 0xf, 1 + (b >> 3 & 3));
	}
}

static void cm_objref_drop(struct cm *m, int o)
{
	if (m->obj[o].ncaps + m->obj[o].holds == 0)
		m->obj[o].expect_destroyed++;
}

static void cm_node_kill(struct cm *m, int n)
{
	m->node[n].live = false;
	m->obj[m->node[n].obj].ncaps--;
	cm_objref_drop(m, m->node[n].obj);
}

static void cm_model_delete(struct cm *m, int n)
{
	for (int i = 0; i < CM_MAXNODE; i++)
		if (m->node[i].live && m->node[i].parent == n)
			m->node[i].parent = m->node[n].parent;
	cm_node_kill(m, n);
}

static bool cm_descends(struct cm *m, int n, int anc)
{
	for (int p = m->node[n].parent; p >= 0; p = m->node[p].parent)
		if (p == anc)
			return true;
	return false;
}

static int cm_model_revoke(struct cm *m, int n)
{
	bool doomed[CM_MAXNODE] = {false};
	int count = 0;
	for (int i = 0; i < CM_MAXNODE; i++)
		if (m->node[i].live && cm_descends(m, i, n))
			doomed[i] = true, count++;
	for (int i = 0; i < CM_MAXNODE; i++)
		if (doomed[i])
			cm_node_kill(m, i);
	return count;
}

static int cm_new_node(struct cm *m, int cs, cap_handle_t h, int obj, uint32_t rights,
		       uint64_t badge, int parent)
{
	for (int i = 0; i < CM_MAXNODE; i++) {
		if (m->node[i].live)
			continue;
		m->node[i] = (struct cm_node){true, cs, h, obj, rights, badge, parent};
		m->obj[obj].ncaps++;
		cm_remember(m, cs, h);
		return i;
	}
	cm_failf("model out of nodes");
}

/* Bytes of every cspace and every refcount, to prove a failure changed nothing. */
struct cm_snap {
	struct cspace cs[CM_NCS];
	struct cspace_slot slots[CM_MAXNODE];
	uint32_t refs[CM_NOBJ];
};

static void cm_snap_take(struct cm *m, struct cm_snap *s)
{
	memset(s, 0, sizeof(*s));
	size_t k = 0;
	for (int i = 0; i < CM_NCS; i++) {
		s->cs[i] = *m->cs[i];
		memcpy(&s->slots[k], m->cs[i]->slots, cm_nslots[i] * sizeof(struct cspace_slot));
		k += cm_nslots[i];
	}
	for (int i = 0; i < CM_NOBJ; i++)
		s->refs[i] = m->obj[i].ko.refs;
}

static void cm_check(struct cm *m)
{
	for (int i = 0; i < CM_NCS; i++) {
		if (!cspace_validate(m->cs[i]))
			cm_failf("cspace_validate(%d) failed", i);
		if ((int)m->cs[i]->used != cm_count_cs(m, i))
			cm_failf("cspace %d holds %u caps, model %d", i, m->cs[i]->used,
				 cm_count_cs(m, i));
	}
	for (int n = 0; n < CM_MAXNODE; n++) {
		struct cm_node *nd = &m->node[n];
		if (!nd->live)
			continue;
		struct cap *c = cspace_lookup_locked(m->cs[nd->cs], nd->h);
		if (!c)
			cm_failf("node %d (cs %d handle %#x) missing", n, nd->cs, nd->h);
		if (c->obj != &m->obj[nd->obj].ko || c->rights != nd->rights ||
		    c->badge != nd->badge)
			cm_failf("node %d differs: rights %#x/%#x badge %llu/%llu", n, c->rights,
				 nd->rights, (unsigned long long)c->badge,
				 (unsigned long long)nd->badge);
		struct cap *want = NULL;
		if (nd->parent >= 0) {
			struct cm_node *p = &m->node[nd->parent];
			want = cspace_lookup_locked(m->cs[p->cs], p->h);
		}
		if (c->parent != want)
			cm_failf("node %d has the wrong parent", n);
	}
	for (int o = 0; o < CM_NOBJ; o++) {
		struct cm_obj *ob = &m->obj[o];
		uint32_t caps = 0;
		for (int i = 0; i < CM_NCS; i++)
			for (uint32_t s = 0; s < cm_nslots[i]; s++)
				caps += m->cs[i]->slots[s].cap.obj == &ob->ko;
		if (ob->ko.refs != caps + (uint32_t)ob->holds || (int)caps != ob->ncaps)
			cm_failf("object %d: refs %u, caps %u, model %d+%d", o, ob->ko.refs, caps,
				 ob->ncaps, ob->holds);
		if (ob->destroyed != ob->expect_destroyed)
			cm_failf("object %d destroyed %d times, expected %d", o, ob->destroyed,
				 ob->expect_destroyed);
	}
}

enum {
	CM_INSERT,
	CM_DERIVE,
	CM_COPY,
	CM_MOVE,
	CM_DELETE,
	CM_REVOKE,
	CM_IDENTIFY,
	CM_LOOKUP,
	CM_HOLD,
	CM_RELEASE,
	CM_RESET_CS,
	CM_NOPS
};

/* Runs one operation p[0..CM_OP_BYTES-1] on the kernel and the model. */
static void cm_step(struct cm *m, const uint8_t *p)
{
	int op = p[0] % CM_NOPS;
	int a = p[1] % CM_NCS, b = p[3] % CM_NCS;
	cap_handle_t h = cm_pick(m, a, p[2]), out = 0;
	int n = cm_find(m, a, h);
	uint32_t rights = p[4];
	uint64_t badge = p[5] < 0x40 ? p[5] + 1u : 0;
	int want = 0, got = 0;
	struct cm_snap before, after;
	cm_snap_take(m, &before);

	if (p[6] & 0x60 && n >= 0)
		rights &= m->node[n].rights; /* mostly legal derivations */
	if ((p[6] & 0x1f) == 1)
		rights |= 0x100u << (p[7] & 7); /* unknown rights bits */

	switch (op) {
	case CM_INSERT: {
		int o = p[2] % CM_NOBJ;
		if (m->obj[o].ncaps + m->obj[o].holds == 0)
			kobject_init(&m->obj[o].ko, m->obj[o].ko.type, cm_destroy_cb);
		bool null_obj = (p[6] & 0x1f) == 2;
		want = null_obj || (rights & ~CAP_RIGHTS_ALL)	? -ERR_INVAL
		       : cm_count_cs(m, a) == (int)cm_nslots[a] ? -ERR_NOSPACE
								: 0;
		got = cspace_insert_root(m->cs[a], null_obj ? NULL : &m->obj[o].ko, rights, badge,
					 &out);
		if (!got)
			cm_new_node(m, a, out, o, rights, badge, -1);
		break;
	}
	case CM_DERIVE:
	case CM_COPY: {
		bool copy = op == CM_COPY;
		if (copy && n >= 0)
			rights = m->node[n].rights, badge = 0;
		want = n < 0					? -ERR_BADCAP
		       : rights & ~CAP_RIGHTS_ALL		? -ERR_INVAL
		       : rights & ~m->node[n].rights		? -ERR_PERM
		       : badge && m->node[n].badge		? -ERR_PERM
		       : cm_count_cs(m, b) == (int)cm_nslots[b] ? -ERR_NOSPACE
								: 0;
		got = copy ? cap_copy(m->cs[a], h, m->cs[b], &out)
			   : cap_derive(m->cs[a], h, m->cs[b], rights, badge, &out);
		if (!got && !want)
			cm_new_node(m, b, out, m->node[n].obj, rights,
				    badge ? badge : m->node[n].badge, n);
		break;
	}
	case CM_MOVE:
		want = n < 0					? -ERR_BADCAP
		       : cm_count_cs(m, b) == (int)cm_nslots[b] ? -ERR_NOSPACE
								: 0;
		got = cap_move(m->cs[a], h, m->cs[b], &out);
		if (!got && !want) {
			m->node[n].cs = b;
			m->node[n].h = out;
			cm_remember(m, b, out);
		}
		break;
	case CM_DELETE:
		want = n < 0 ? -ERR_BADCAP : 0;
		got = cap_delete(m->cs[a], h);
		if (!got && !want)
			cm_model_delete(m, n);
		break;
	case CM_REVOKE: {
		size_t removed = 12345;
		want = n < 0 ? -ERR_BADCAP : 0;
		got = cap_revoke(m->cs[a], h, &removed);
		if (!got && !want && (int)removed != cm_model_revoke(m, n))
			cm_failf("revoke removed %zu caps", removed);
		break;
	}
	case CM_IDENTIFY: {
		struct cap_info ci;
		want = n < 0 ? -ERR_BADCAP : 0;
		got = cap_identify(m->cs[a], h, &ci);
		if (!got && !want &&
		    (ci.type != m->obj[m->node[n].obj].ko.type || ci.rights != m->node[n].rights ||
		     ci.badge != m->node[n].badge))
			cm_failf("identify mismatch");
		break;
	}
	case CM_LOOKUP:
	case CM_HOLD: {
		enum cap_type type = (enum cap_type)(p[7] % CAP_TYPE_COUNT);
		if (p[7] & 0x80 && n >= 0)
			type = m->obj[m->node[n].obj].ko.type;
		int slot = -1;
		for (int i = 0; i < CM_MAXHOLD && op == CM_HOLD; i++)
			if (m->hold[i] < 0)
				slot = i;
		if (op == CM_HOLD && slot < 0)
			break;
		struct kobject *ko = NULL;
		uint64_t bdg = 0;
		want = n < 0 ? -ERR_BADCAP
		       : type != CAP_TYPE_NONE && type != m->obj[m->node[n].obj].ko.type
			   ? -ERR_BADCAP
		       : (rights & m->node[n].rights) != rights ? -ERR_PERM
								: 0;
		got = cap_lookup_obj(m->cs[a], h, type, rights, &ko, &bdg);
		if (got || want)
			break;
		if (ko != &m->obj[m->node[n].obj].ko || bdg != m->node[n].badge)
			cm_failf("lookup_obj returned the wrong object or badge");
		if (op == CM_LOOKUP) {
			kobject_put(ko);
		} else {
			m->hold[slot] = m->node[n].obj;
			m->obj[m->node[n].obj].holds++;
		}
		break;
	}
	case CM_RELEASE: {
		int i = p[2] % CM_MAXHOLD, o = m->hold[i];
		if (o < 0)
			break;
		m->hold[i] = -1;
		m->obj[o].holds--;
		cm_objref_drop(m, o);
		kobject_put(&m->obj[o].ko);
		break;
	}
	case CM_RESET_CS:
		for (int i = 0; i < CM_MAXNODE; i++)
			if (m->node[i].live && m->node[i].cs == a)
				cm_model_delete(m, i);
		cspace_destroy(m->cs[a]);
		if (cspace_create(cm_nslots[a], &m->cs[a]))
			cm_failf("cspace_create");
		/* A new cspace starts at generation 1: old handles name nothing of it. */
		memset(m->known[a], 0, sizeof(m->known[a]));
		break;
	}
	m->ops++;
	if (got != want)
		cm_failf("op %d: returned %d, model says %d", op, got, want);
	if (want) {
		m->failures++;
		cm_snap_take(m, &after);
		if (memcmp(&before, &after, sizeof(before)))
			cm_failf("op %d failed with %d but changed the state", op, want);
	}
	cm_check(m);
}

/* Releases every hold and destroys every cspace; all objects must then be dead. */
static void cm_finish(struct cm *m)
{
	for (int i = 0; i < CM_MAXHOLD; i++) {
		uint8_t p[CM_OP_BYTES] = {CM_RELEASE, 0, (uint8_t)i};
		cm_step(m, p);
	}
	for (int i = 0; i < CM_NCS; i++) {
		for (int n = 0; n < CM_MAXNODE; n++)
			if (m->node[n].live && m->node[n].cs == i)
				cm_model_delete(m, n);
		cspace_destroy(m->cs[i]);
		m->cs[i] = NULL;
	}
	for (int o = 0; o < CM_NOBJ; o++)
		if (m->obj[o].ko.refs || m->obj[o].destroyed != m->obj[o].expect_destroyed)
			cm_failf("object %d: refs %u destroyed %d expected %d at the end", o,
				 m->obj[o].ko.refs, m->obj[o].destroyed,
				 m->obj[o].expect_destroyed);
}

#endif
