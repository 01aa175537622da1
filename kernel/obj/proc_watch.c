/*
 * Death watches (see proc_watch.h).
 */
#include "obj/proc_watch.h"
#include "obj/notification.h"
#include "obj/memory.h"
#include "obj/process.h"
#include "obj/quota.h"
#include "mm/heap.h"
#include <orbital/errors.h>

/* Drops a record's references, gives its charge back and frees it, without
 * signalling. */
static void watch_free(struct proc_watch *w)
{
	struct quota *q = w->quota;
	kobject_put(&w->notification->obj);
	kfree(w);
	if (q) {
		quota_uncharge(q, quota_heap_bytes(sizeof(*w)));
		kobject_put(&q->obj);
	}
}

/*
 * Are the references of p's records to w's notification all it has left?
 * Then no capability names it: nobody can wait on it or signal it any more,
 * and nobody can take a new reference (that needs a capability or a
 * reference to start from), so the answer cannot change back: those records
 * are useless. (A thread still blocked in SYS_NTFN_WAIT after its capability
 * was deleted wakes with -ERR_BADCAP when they go, as on any deletion.)
 * refs is read without cap_lock: a stale read only delays the pruning.
 * Records of other processes count as users: conservative. p->lock held;
 * O(records).
 */
static bool watch_orphaned_locked(struct process *p, const struct proc_watch *w)
{
	uint32_t ours = 0;
	for (const struct proc_watch *o = p->watches; o; o = o->next)
		ours += o->notification == w->notification;
	return __atomic_load_n(&w->notification->obj.refs, __ATOMIC_ACQUIRE) == ours;
}

/* Unlinks p's orphaned records (p->lock held) and returns them as a list. The
 * verdict is taken for every record before any is unlinked. O(records^2),
 * at most PROC_WATCH_MAX^2 steps. */
static struct proc_watch *prune_locked(struct process *p)
{
	bool orphaned[PROC_WATCH_MAX + 1];
	uint32_t i = 0;
	for (struct proc_watch *w = p->watches; w && i <= PROC_WATCH_MAX; w = w->next)
		orphaned[i++] = watch_orphaned_locked(p, w);
	struct proc_watch *gone = NULL;
	i = 0;
	for (struct proc_watch **pw = &p->watches; *pw && i <= PROC_WATCH_MAX; i++) {
		struct proc_watch *w = *pw;
		if (orphaned[i]) {
			*pw = w->next;
			w->next = gone;
			gone = w;
			p->nwatches--;
		} else {
			pw = &w->next;
		}
	}
	return gone;
}

int proc_watch_add(struct process *p, struct notification *n, uint64_t word, struct quota *q)
{
	if (!mem_reserve_ok(1))
		return -ERR_NOMEM;
	int qerr = quota_charge(q, quota_heap_bytes(sizeof(struct proc_watch)));
	if (qerr)
		return qerr;
	struct proc_watch *w = kzalloc(sizeof(*w));
	if (!w) {
		quota_uncharge(q, quota_heap_bytes(sizeof(struct proc_watch)));
		return -ERR_NOMEM;
	}
	if (q)
		kobject_get(&q->obj);
	w->quota = q;
	kobject_get(&n->obj);
	w->notification = n;
	w->word = word;

	int err = 0;
	bool dead = false;
	irqflags_t f = spin_lock_irqsave(&p->lock);
	/* Pruned on every add, not only when the list is full: a watcher that died (a
	 * service instance restarted) must not keep its notification, and the quota that
	 * notification is charged to, alive until the watched process dies. */
	struct proc_watch *gone = p->state != PROC_DEAD ? prune_locked(p) : NULL;
	if (p->state == PROC_DEAD) {
		dead = true; /* its list was detached already: fire below */
	} else if (p->nwatches >= PROC_WATCH_MAX) {
		err = -ERR_NOSPACE;
	} else {
		w->next = p->watches;
		p->watches = w;
		p->nwatches++;
	}
	spin_unlock_irqrestore(&p->lock, f);

	while (gone) {
		struct proc_watch *next = gone->next;
		watch_free(gone);
		gone = next;
	}
	if (dead)
		proc_watch_fire(w);
	else if (err)
		watch_free(w);
	return err;
}

struct proc_watch *proc_watch_detach_locked(struct process *p)
{
	struct proc_watch *list = p->watches;
	p->watches = NULL;
	p->nwatches = 0;
	return list;
}

void proc_watch_fire(struct proc_watch *list)
{
	while (list) {
		struct proc_watch *next = list->next;
		list->next = NULL;
		notification_signal(list->notification, list->word);
		watch_free(list);
		list = next;
	}
}
